// A small app that connects GitHub through WorkOS Pipes with the official
// Node SDK (@workos-inc/node 11.0.0), written the way the seeds ask for:
//
//   GET  /connect/:provider?user_id=  -> 302 to the WorkOS authorize URL
//   GET  /pipes/return                -> where WorkOS sends the browser back
//   POST /webhooks/workos             -> verifies WorkOS-Signature on the RAW body
//   GET  /profile/:provider?user_id=  -> fresh token from WorkOS, then GitHub GET /user
//
// `createApp` takes the two pieces a team most often gets wrong (webhook
// verification and what to do when WorkOS says needs_reauthorization), so
// broken.js can swap in the classic mistakes and show the harness catching
// them. server.js runs the correct version.
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

'use strict';

const http = require('node:http');
const { WorkOS } = require('@workos-inc/node');

const TOLERANCE_MS = 180_000;

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

// The correct answer to needs_reauthorization: stop, and send the user back
// through the connect flow. Retrying cannot bring a revoked grant back.
async function fetchToken(workos, provider, userId) {
  const result = await workos.pipes.getAccessToken({ provider, userId });
  return result;
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
  const workos = workosClient(env);
  const port = Number(env.PORT || 3000);
  const baseUrl = (env.APP_BASE_URL || `http://127.0.0.1:${port}`).replace(/\/$/, '');
  const secret = env.WORKOS_WEBHOOK_SECRET || '';
  const verify = overrides.verifyWebhook || verifyWebhook;
  const profileOf = overrides.profile || profile;
  const log = (...args) => console.log(new Date().toISOString(), ...args);

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
    try {
      const { url } = await workos.pipes.authorizeDataIntegration({
        slug: provider,
        userId,
        returnTo: `${baseUrl}/pipes/return`,
      });
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
    try {
      const event = await verify(workos, raw, req.headers['workos-signature'], secret);
      log('webhook accepted', event.event, event.id);
      return send(res, 200, { received: true });
    } catch (e) {
      log('webhook rejected:', e.message);
      return send(res, 400, { error: 'invalid_signature' });
    }
  }

  async function profile(res, provider, userId, ctx) {
    const p = PROVIDERS[provider];
    if (!p) return send(res, 404, { error: 'unknown_provider' });
    if (!userId) return send(res, 400, { error: 'user_id is required' });
    const reconnectUrl = `/connect/${provider}?user_id=${encodeURIComponent(userId)}`;
    const apiBase = (env[p.apiEnv] || p.apiDefault).replace(/\/$/, '');
    // One fresh fetch after a 401: the token may have been rotated since.
    for (let attempt = 0; attempt < 2; attempt++) {
      let token;
      try {
        token = await ctx.fetchToken(workos, provider, userId);
      } catch (e) {
        log('token request failed', e.status, e.message);
        return send(res, 502, { error: 'workos_unavailable', message: e.message });
      }
      if (!token.active) {
        if (token.error === 'needs_reauthorization') {
          return send(res, 409, {
            error: 'needs_reauthorization',
            message: `Your ${p.name} connection needs to be renewed: reconnect ${p.name}.`,
            reconnect_url: reconnectUrl,
          });
        }
        return send(res, 404, { error: token.error, message: `${p.name} is not connected yet.`, reconnect_url: reconnectUrl });
      }
      const reply = await fetch(`${apiBase}${p.whoami}`, {
        headers: {
          authorization: `Bearer ${token.accessToken.accessToken}`,
          accept: 'application/vnd.github+json',
          'user-agent': 'pipes-harness-example-node-app',
        },
      });
      if (reply.status === 401) continue;
      const text = await reply.text();
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      return res.end(text);
    }
    return send(res, 409, {
      error: 'needs_reauthorization',
      message: `${p.name} rejected the connection: reconnect ${p.name}.`,
      reconnect_url: reconnectUrl,
    });
  }

  const ctx = { fetchToken: overrides.fetchToken || fetchToken };

  return http.createServer(async (req, res) => {
    const url = new URL(req.url, baseUrl);
    const parts = url.pathname.split('/').filter(Boolean);
    try {
      if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { status: 'ok' });
      if (req.method === 'GET' && parts[0] === 'connect' && parts.length === 2) {
        return await connect(res, parts[1], url.searchParams.get('user_id'));
      }
      if (req.method === 'GET' && url.pathname === '/pipes/return') return returnPage(res, url.searchParams);
      if (req.method === 'POST' && url.pathname === '/webhooks/workos') return await webhook(req, res);
      if (req.method === 'GET' && parts[0] === 'profile' && parts.length === 2) {
        return await profileOf(res, parts[1], url.searchParams.get('user_id'), ctx);
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

module.exports = { createApp, listen, verifyWebhook, fetchToken, workosClient };
