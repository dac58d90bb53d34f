// A small app that connects GitHub through WorkOS Pipes with the official
// Node SDK (@workos-inc/node 11.0.0), with these routes:
//
//   GET  /connect/:provider?user_id=  -> 302 to the WorkOS authorize URL
//   GET  /pipes/return                -> where WorkOS sends the browser back
//   POST /webhooks/workos             -> verifies WorkOS-Signature on the RAW body
//   GET  /profile/:provider?user_id=  -> fresh token from WorkOS, then GitHub GET /user
//
// APP_MISTAKE (empty = the correct app) switches on one classic mistake at a
// time, so the harness can show it catches each one with the diagnosis that
// names it (examples/ci.sh runs them all):
//
//   cache_token          keeps each user's token and reuses it
//   401_as_5xx           turns a provider 401 into a 502
//   no_reconnect         turns not_installed / needs_reauthorization into a 502
//   no_reauthorize       reconnects without connection_intent "reauthorize"
//   retry_forever        retries a failing provider call until it succeeds
//   return_to_missing    sends no return_to
//   return_to_elsewhere  sends a return_to on another host
//   reserialized_body    verifies JSON.stringify(JSON.parse(body)), not the raw body
//   wide_tolerance       verifies with an enormous tolerance, never checks the future
//   unsigned_accepted    accepts every webhook without verifying it
//   replay_accepted      handles every delivery, even an event id it has handled
//   ignore_retry_after   retries a rate-limited provider call at once
//   ignore_workos_429    retries WorkOS's 429 at once, then answers 502
//
// server.js runs it; broken.js is the same app with APP_MISTAKE required.
//
// Configuration (environment):
//   PORT                    port to listen on (default 3000)
//   APP_BASE_URL            the app's public base URL (default http://127.0.0.1:PORT)
//   WORKOS_API_KEY          sk_... (against pipes-harness serve: sk_test_default)
//   WORKOS_CLIENT_ID        client_...
//   WORKOS_BASE_URL         where the WorkOS API is (default https://api.workos.com);
//                           the Node SDK takes no URL, so it is split into
//                           apiHostname / port / https below
//   WORKOS_WEBHOOK_SECRET   the webhook endpoint's signing secret
//   GITHUB_API_URL          GitHub's API (default https://api.github.com)
//   APP_MISTAKE             one of the switches above, or empty

'use strict';

const http = require('node:http');
const { WorkOS } = require('@workos-inc/node');

const TOLERANCE_MS = 180_000;

const MISTAKES = [
  'cache_token',
  '401_as_5xx',
  'no_reconnect',
  'no_reauthorize',
  'retry_forever',
  'return_to_missing',
  'return_to_elsewhere',
  'reserialized_body',
  'wide_tolerance',
  'unsigned_accepted',
  'replay_accepted',
  'ignore_retry_after',
  'ignore_workos_429',
];

function mistakeOf(env) {
  const m = (env.APP_MISTAKE || '').trim();
  if (m && !MISTAKES.includes(m)) {
    throw new Error(`unknown APP_MISTAKE ${JSON.stringify(m)}: expected one of ${MISTAKES.join(', ')} or empty`);
  }
  return m;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function workosClient(env) {
  const base = new URL(env.WORKOS_BASE_URL || 'https://api.workos.com');
  const https = base.protocol === 'https:';
  return new WorkOS(env.WORKOS_API_KEY, {
    apiHostname: base.hostname,
    port: base.port ? Number(base.port) : undefined,
    https,
    clientId: env.WORKOS_CLIENT_ID,
    // Tests want answers, not the SDK's own retry backoff.
    maxRetries: 0,
    timeout: 5000,
  });
}

const PROVIDERS = {
  github: { name: 'GitHub', apiEnv: 'GITHUB_API_URL', apiDefault: 'https://api.github.com', whoami: '/user' },
};

// The correct webhook check: the SDK verifies the raw bytes (signature and
// age), and, because the Node SDK only rejects timestamps in the past, the
// app also rejects timestamps too far in the future (the Python SDK does
// both).
async function verifyWebhook(workos, rawBody, sigHeader, secret) {
  if (!sigHeader) throw new Error('missing WorkOS-Signature header');
  const [timestamp] = workos.webhooks.getTimestampAndSignatureHash(sigHeader);
  if (!/^\d+$/.test(timestamp || '')) throw new Error('malformed timestamp');
  if (Number(timestamp) > Date.now() + TOLERANCE_MS) throw new Error('timestamp in the future');
  return workos.webhooks.constructEvent({
    payload: rawBody.toString('utf8'),
    sigHeader,
    secret,
    tolerance: TOLERANCE_MS,
  });
}

// Asks WorkOS for the user's token, right before each provider call.
async function fetchToken(workos, provider, userId) {
  return workos.pipes.getAccessToken({ provider, userId });
}

function send(res, status, body, headers = {}) {
  const isJson = typeof body !== 'string';
  res.writeHead(status, {
    'content-type': isJson ? 'application/json' : 'text/html; charset=utf-8',
    ...headers,
  });
  res.end(isJson ? JSON.stringify(body) : body);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 1024 * 1024) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function createApp(env, overrides = {}) {
  const mistake = mistakeOf(env);
  const workos = workosClient(env);
  const port = Number(env.PORT || 3000);
  const baseUrl = (env.APP_BASE_URL || `http://127.0.0.1:${port}`).replace(/\/$/, '');
  const secret = env.WORKOS_WEBHOOK_SECRET || '';
  const log = (...args) => console.log(new Date().toISOString(), ...args);
  // Event ids already handled; a real app keeps them in its database.
  const handled = new Set();
  // Only the cache_token mistake uses this: never keep tokens.
  const kept = new Map();

  const verify =
    overrides.verifyWebhook ||
    (async (raw, sigHeader) => {
      if (mistake === 'unsigned_accepted') return JSON.parse(raw.toString('utf8'));
      if (mistake === 'reserialized_body') {
        return workos.webhooks.constructEvent({
          payload: JSON.stringify(JSON.parse(raw.toString('utf8'))),
          sigHeader,
          secret,
          tolerance: TOLERANCE_MS,
        });
      }
      if (mistake === 'wide_tolerance') {
        return workos.webhooks.constructEvent({
          payload: raw.toString('utf8'),
          sigHeader,
          secret,
          tolerance: Number.MAX_SAFE_INTEGER,
        });
      }
      return verifyWebhook(workos, raw, sigHeader, secret);
    });

  async function fetchToken(provider, userId) {
    const key = `${provider}:${userId}`;
    if (mistake === 'cache_token' && kept.has(key)) return kept.get(key);
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await workos.pipes.getAccessToken({ provider, userId });
        if (mistake === 'cache_token' && result.active) kept.set(key, result);
        return result;
      } catch (e) {
        if (mistake === 'ignore_workos_429' && e.status === 429 && attempt < 5) continue;
        throw e;
      }
    }
  }

  async function connect(res, provider, userId) {
    const p = PROVIDERS[provider];
    if (!p) return send(res, 404, { error: 'unknown_provider' });
    if (!userId) {
      // A visitor without a session: show the connect button.
      return send(
        res,
        200,
        `<!DOCTYPE html><html><body><h1>Connect ${p.name}</h1>` +
          `<form action="/connect/${provider}"><input name="user_id" placeholder="WorkOS user id">` +
          `<button>Connect ${p.name}</button></form></body></html>`,
      );
    }
    const request = { slug: provider, userId, returnTo: `${baseUrl}/pipes/return` };
    if (mistake === 'return_to_missing') delete request.returnTo;
    if (mistake === 'return_to_elsewhere') request.returnTo = 'https://example.com/pipes/return';
    try {
      // A reconnect names the connection it repairs. authorizeDataIntegration
      // (SDK 11.0.0) cannot send connection_intent, so a reconnect posts the
      // documented body itself.
      let existing = null;
      if (mistake !== 'no_reauthorize') {
        existing = await workos.pipes
          .getUserConnectedAccount({ userId, slug: provider })
          .catch(() => null);
      }
      let url;
      if (existing) {
        const { data } = await workos.post(`/data-integrations/${encodeURIComponent(provider)}/authorize`, {
          user_id: userId,
          return_to: request.returnTo,
          connection_intent: 'reauthorize',
          connected_account_id: existing.id,
        });
        url = data.url;
      } else {
        ({ url } = await workos.pipes.authorizeDataIntegration(request));
      }
      return send(res, 302, { redirect: url }, { location: url });
    } catch (e) {
      log('authorize failed', e.status, e.message);
      return send(res, 502, { error: 'authorize_failed', message: e.message });
    }
  }

  function returnPage(res, query) {
    const error = query.get('error');
    if (error) {
      return send(res, 200, `<!DOCTYPE html><html><body><h1>Not connected</h1><p>${escapeHtml(error)}</p></body></html>`);
    }
    return send(res, 200, '<!DOCTYPE html><html><body><h1>Connected</h1></body></html>');
  }

  async function webhook(req, res) {
    const raw = await readBody(req);
    let event;
    try {
      event = await verify(raw, req.headers['workos-signature']);
    } catch (e) {
      log('webhook rejected:', e.message);
      return send(res, 400, { error: 'invalid_signature' });
    }
    // WorkOS may deliver an event more than once: handle each id once.
    if (mistake !== 'replay_accepted' && event.id && handled.has(event.id)) {
      return send(res, 200, { received: true, duplicate: true });
    }
    if (event.id) handled.add(event.id);
    log('webhook accepted', event.event, event.id);
    return send(res, 200, { received: true });
  }

  async function profile(req, res, provider, userId) {
    const p = PROVIDERS[provider];
    if (!p) return send(res, 404, { error: 'unknown_provider' });
    if (!userId) return send(res, 400, { error: 'user_id is required' });
    let gone = false;
    req.on('close', () => {
      gone = true;
    });
    const reconnectUrl = `/connect/${provider}?user_id=${encodeURIComponent(userId)}`;
    const apiBase = (env[p.apiEnv] || p.apiDefault).replace(/\/$/, '');
    // One fresh fetch after a 401: the token may have been rotated since.
    for (let attempt = 0; attempt < 2; attempt++) {
      let token;
      try {
        token = await fetchToken(provider, userId);
      } catch (e) {
        log('token request failed', e.status, e.message);
        if (e.status === 429 && mistake !== 'ignore_workos_429') {
          // WorkOS's own rate limit: back off and pass the wait on.
          const wait = String(Math.ceil(Number(e.retryAfter) || 30));
          return send(res, 503, { error: 'rate_limited', message: 'Too many requests, try again shortly.' }, { 'retry-after': wait });
        }
        return send(res, 502, { error: 'workos_unavailable', message: e.message });
      }
      if (!token.active) {
        if (mistake === 'no_reconnect') {
          return send(res, 502, { error: 'unavailable', message: `${p.name} is temporarily unavailable.` });
        }
        if (token.error === 'needs_reauthorization') {
          return send(res, 409, {
            error: 'needs_reauthorization',
            message: `Your ${p.name} connection needs to be renewed: reconnect ${p.name}.`,
            reconnect_url: reconnectUrl,
          });
        }
        return send(res, 404, { error: token.error, message: `${p.name} is not connected yet: connect it.`, reconnect_url: reconnectUrl });
      }
      let reply;
      for (let tries = 0; ; tries++) {
        reply = await fetch(`${apiBase}${p.whoami}`, {
          headers: {
            authorization: `Bearer ${token.accessToken.accessToken}`,
            accept: 'application/vnd.github+json',
            'user-agent': 'pipes-harness-example-node-app',
          },
        });
        const limited = reply.status === 429 || (reply.status === 403 && reply.headers.get('retry-after'));
        if (mistake === 'retry_forever' && (reply.status >= 500 || limited) && !gone) {
          await sleep(50);
          continue;
        }
        if (mistake === 'ignore_retry_after' && limited && tries < 3) continue;
        break;
      }
      if (reply.status === 401) {
        if (mistake === '401_as_5xx') {
          return send(res, 502, { error: 'provider_error', message: `${p.name} answered 401` });
        }
        continue;
      }
      const retryAfter = reply.headers.get('retry-after');
      const text = await reply.text();
      const headers = { 'content-type': 'application/json' };
      if (retryAfter) headers['retry-after'] = retryAfter;
      res.writeHead(reply.status, headers);
      return res.end(text);
    }
    return send(res, 409, {
      error: 'needs_reauthorization',
      message: `${p.name} rejected the connection: reconnect ${p.name}.`,
      reconnect_url: reconnectUrl,
    });
  }

  return http.createServer(async (req, res) => {
    const url = new URL(req.url, baseUrl);
    const parts = url.pathname.split('/').filter(Boolean);
    try {
      if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { status: 'ok', mistake });
      if (req.method === 'GET' && parts[0] === 'connect' && parts.length === 2) {
        return await connect(res, parts[1], url.searchParams.get('user_id'));
      }
      if (req.method === 'GET' && url.pathname === '/pipes/return') return returnPage(res, url.searchParams);
      if (req.method === 'POST' && url.pathname === '/webhooks/workos') return await webhook(req, res);
      if (req.method === 'GET' && parts[0] === 'profile' && parts.length === 2) {
        return await profile(req, res, parts[1], url.searchParams.get('user_id'));
      }
      return send(res, 404, { error: 'not_found' });
    } catch (e) {
      log('unexpected error', e);
      if (!res.headersSent) send(res, 500, { error: 'internal_error' });
    }
  });
}

function listen(server, env) {
  const port = Number(env.PORT || 3000);
  server.listen(port, '127.0.0.1', () => {
    console.log(`example app listening on http://127.0.0.1:${port}`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

module.exports = { createApp, listen, verifyWebhook, fetchToken, workosClient, MISTAKES };
