// Shared set-up for the Node SDK conformance suite: starts `pipes-harness
// serve` on free ports from fixtures/seed/sdk.yaml plus a webhook endpoint
// pointing at a receiver this process runs, and stops it afterwards.
//
// The binary is $PIPES_HARNESS_BIN, else $CARGO_TARGET_DIR/debug/pipes-harness,
// else target/debug/pipes-harness; build it first with `cargo build`.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { WorkOS } from '@workos-inc/node';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const API_KEY = 'sk_test_sdk_conformance';
export const WEBHOOK_SECRET = 'whsec_SdkConformanceSecret0123456789';

// Ids from fixtures/seed/sdk.yaml.
export const ALICE = 'user_01JDR8Y4Z6Q3KX5V2N7M9BA11C';
export const BOB = 'user_01JDR8Y4Z6Q3KX5V2N7M9B0B0B';
export const CAROL = 'user_01JDR8Y4Z6Q3KX5V2N7M9BCA40';
export const DAVE = 'user_01JDR8Y4Z6Q3KX5V2N7M9BDAVE';
export const ACME = 'org_01JDR8Y4Z6Q3KX5V2N7M9BACME';
export const BOB_GITHUB_TOKEN = 'gho_BobSeededGithubToken0000000000000000';
export const DAVE_GITHUB_TOKEN = 'ghu_DaveSeededExpiringToken0000000000000';

function binary() {
  if (process.env.PIPES_HARNESS_BIN) return process.env.PIPES_HARNESS_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(REPO, 'target');
  return path.join(target, 'debug', 'pipes-harness');
}

/** The app's side: a webhook endpoint and a return page, on loopback. */
export class Receiver {
  constructor() {
    this.deliveries = [];
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'POST') {
          this.deliveries.push({
            body: Buffer.concat(chunks).toString('utf8'),
            signature: req.headers['workos-signature'],
          });
          res.end('ok');
        } else {
          res.setHeader('content-type', 'text/html');
          res.end('<html><body>Back in the app</body></html>');
        }
      });
    });
  }

  async start() {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${this.server.address().port}`;
  }

  clear() {
    this.deliveries = [];
  }

  /** The first delivery of event `name`, waiting up to `timeoutMs`. */
  async waitForEvent(name, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = this.deliveries.find((d) => d.signature && JSON.parse(d.body).event === name);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${name} webhook delivered within ${timeoutMs} ms`);
  }

  async stop() {
    this.server.closeAllConnections?.();
    await new Promise((r) => this.server.close(r));
  }
}

/** A running `pipes-harness serve` and its control API. */
export class Harness {
  static async start(receiver) {
    const exe = binary();
    if (!existsSync(exe)) throw new Error(`${exe} does not exist: run \`cargo build\` first`);
    const dir = mkdtempSync(path.join(tmpdir(), 'pipes-sdk-'));
    const seed = path.join(dir, 'sdk.yaml');
    writeFileSync(
      seed,
      readFileSync(path.join(REPO, 'fixtures', 'seed', 'sdk.yaml'), 'utf8') +
        'webhook_endpoints:\n' +
        `  - url: ${receiver.url}/webhooks/workos\n` +
        `    secret: ${WEBHOOK_SECRET}\n`,
    );
    const child = spawn(exe, ['serve', '--port', '0', '--seed', seed, '--api-key', API_KEY], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const urls = {};
    const lines = createInterface({ input: child.stdout });
    for await (const line of lines) {
      if (line.trim() === 'ready') {
        const h = new Harness(child, urls);
        return h;
      }
      const [name, url] = line.trim().split(' ');
      urls[name] = url;
    }
    throw new Error(`serve exited before it was ready: ${stderr}`);
  }

  constructor(child, urls) {
    this.child = child;
    this.urls = urls;
    this.baseUrl = urls.workos;
    this.port = Number(new URL(this.baseUrl).port);
  }

  /** A Node SDK client on the mock, retries off (reference section I). */
  client(apiKey = API_KEY) {
    return new WorkOS(apiKey, {
      apiHostname: '127.0.0.1',
      port: this.port,
      https: false,
      maxRetries: 0,
      timeout: 10_000,
    });
  }

  async control(method, route, body) {
    const resp = await fetch(`${this.baseUrl}/_harness/${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body === undefined ? (method === 'GET' ? undefined : {}) : body),
    });
    if (!resp.ok) throw new Error(`${method} /_harness/${route}: ${resp.status} ${await resp.text()}`);
    const text = await resp.text();
    return text ? JSON.parse(text) : null;
  }

  /** Stops serve with SIGTERM; resolves to its exit code. */
  async stop() {
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const [code] = await exited;
    return code;
  }
}

/** A browser: follows every redirect, returns the URL it ended on. */
export async function follow(url) {
  const resp = await fetch(url, { redirect: 'follow' });
  await resp.text();
  return new URL(resp.url);
}
