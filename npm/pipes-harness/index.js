// pipes-harness for JavaScript tests (node:test, vitest, jest):
//
//   const { startServe } = require('pipes-harness');
//   const serve = await startServe({ seed: { api_keys: ['sk_test_app'] } });
//   serve.env            // WORKOS_BASE_URL, WORKOS_API_KEY, GITHUB_API_URL, ...
//   await serve.control.advanceClock(3600);
//   await serve.stop();
//
// The binary comes from the platform package (@pipes-harness/linux-x64, ...)
// that npm installed beside this one, as esbuild and biome do. Every server
// takes an ephemeral port, so any number of serves run side by side.
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const YAML = require('yaml');

const { ControlClient } = require('./control');
const { ControlApiError } = require('./transport');

const SERVICES = ['workos', 'github', 'slack', 'google', 'salesforce', 'custom'];
// The built-in providers: each has an API URL an app is pointed at.
const PROVIDERS = ['github', 'slack', 'google', 'salesforce'];
const DEFAULT_API_KEY = 'sk_test_default';
const PLATFORM_PACKAGE = `@pipes-harness/${process.platform}-${process.arch}`;

/** The pipes-harness binary: $PIPES_HARNESS_BIN, else the platform package's. */
function binaryPath() {
  if (process.env.PIPES_HARNESS_BIN) return process.env.PIPES_HARNESS_BIN;
  try {
    return require.resolve(`${PLATFORM_PACKAGE}/bin/pipes-harness`);
  } catch {
    throw new Error(
      `pipes-harness has no binary for ${process.platform}-${process.arch}: the optional ` +
        `dependency ${PLATFORM_PACKAGE} is not installed (reinstall without --no-optional / ` +
        '--omit=optional), or set PIPES_HARNESS_BIN to a pipes-harness binary',
    );
  }
}

const envFileSupport = new Map();
/** Whether this serve writes --env-file (then its values are used as they are). */
function supportsEnvFile(binary) {
  if (!envFileSupport.has(binary)) {
    let help = '';
    try {
      help = execFileSync(binary, ['serve', '--help'], { encoding: 'utf8', timeout: 60_000 });
    } catch {
      help = '';
    }
    envFileSupport.set(binary, help.includes('--env-file'));
  }
  return envFileSupport.get(binary);
}

function readSeed(seed, dir) {
  if (seed === undefined || seed === null) return { file: undefined, data: {} };
  if (typeof seed === 'string') {
    if (!fs.existsSync(seed)) throw new Error(`seed file ${JSON.stringify(seed)} does not exist`);
    let data = {};
    try {
      data = YAML.parse(fs.readFileSync(seed, 'utf8')) || {};
    } catch {
      data = {}; // serve names the problem with its line and column
    }
    return { file: path.resolve(seed), data: typeof data === 'object' ? data : {} };
  }
  if (typeof seed === 'object' && !Array.isArray(seed)) {
    const file = path.join(dir, 'seed.yaml');
    // JSON is YAML: serve reads this file strictly, like any seed.
    fs.writeFileSync(file, JSON.stringify(seed, null, 2));
    return { file, data: seed };
  }
  throw new TypeError(`seed must be a path to a seed file or an object, not ${JSON.stringify(seed)}`);
}

function readEnvFile(file) {
  const env = {};
  if (!fs.existsSync(file)) return env;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0 && !line.trimStart().startsWith('#')) env[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return env;
}

/** The environment an app needs, with the names `serve --env-file` writes. */
function buildEnv(urls, apiKey, webhookSecret, controlToken) {
  const env = { WORKOS_BASE_URL: urls.workos, WORKOS_API_KEY: apiKey };
  if (webhookSecret) env.WORKOS_WEBHOOK_SECRET = webhookSecret;
  for (const name of PROVIDERS) env[`${name.toUpperCase()}_API_URL`] = urls[name];
  env.PIPES_HARNESS_WORKOS_URL = urls.workos;
  env.PIPES_HARNESS_API_KEY = apiKey;
  if (webhookSecret) env.PIPES_HARNESS_WEBHOOK_SECRET = webhookSecret;
  env.PIPES_HARNESS_CONTROL_URL = `${urls.workos}/_harness`;
  for (const name of PROVIDERS) env[`PIPES_HARNESS_${name.toUpperCase()}_URL`] = urls[name];
  if (urls.custom) env.PIPES_HARNESS_CUSTOM_URL = urls.custom;
  if (controlToken) env.PIPES_HARNESS_CONTROL_TOKEN = controlToken;
  return env;
}

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `pipes-harness serve` on free ports and resolves once it is ready.
 * @param {import('./index').StartServeOptions} [options]
 * @returns {Promise<import('./index').Serve>}
 */
async function startServe(options = {}) {
  const { seed, apiKey, controlToken, args = [], extraEnv = {}, timeoutMs = 120_000 } = options;
  const binary = options.binary || binaryPath();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipes-harness-'));
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  let seedInfo;
  try {
    seedInfo = readSeed(seed, dir);
  } catch (e) {
    cleanup();
    throw e;
  }
  const command = ['serve', '--port', '0'];
  if (seedInfo.file) command.push('--seed', seedInfo.file);
  if (apiKey !== undefined) command.push('--api-key', apiKey);
  if (controlToken !== undefined) command.push('--control-token', controlToken);
  const envFile = path.join(dir, 'serve.env');
  const useEnvFile = supportsEnvFile(binary);
  if (useEnvFile) command.push('--env-file', envFile);
  command.push(...args);

  const stderrFile = path.join(dir, 'serve.stderr');
  const stderrFd = fs.openSync(stderrFile, 'w');
  const child = spawn(binary, command, { stdio: ['ignore', 'pipe', stderrFd], env: { ...process.env, ...extraEnv } });
  fs.closeSync(stderrFd);
  running.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => running.delete(child));

  const urls = {};
  const lines = readline.createInterface({ input: child.stdout });
  let timer;
  const problem = await new Promise((resolve) => {
    timer = setTimeout(() => resolve(`serve printed no \`ready\` line within ${timeoutMs / 1000} s`), timeoutMs);
    child.once('error', (e) => resolve(`serve could not be run (${binary}): ${e.message}`));
    exited.then(({ code, signal }) => resolve(`serve exited (${signal || `code ${code}`}) before it was ready`));
    lines.on('line', (line) => {
      if (line === 'ready') return resolve(null);
      const [name, url] = line.split(' ');
      if (SERVICES.includes(name) && url?.startsWith('http')) urls[name] = url.trim();
    });
  });
  clearTimeout(timer);

  const readStderr = () => {
    try {
      return fs.readFileSync(stderrFile, 'utf8');
    } catch {
      return '';
    }
  };
  const missing = SERVICES.filter((s) => !urls[s]);
  if (problem || missing.length) {
    child.kill('SIGKILL');
    const err = readStderr().trim();
    cleanup();
    const why = problem || `serve was ready without printing the URL of ${missing.join(', ')}`;
    throw new Error(`pipes-harness serve did not start: ${why}${err ? `\n${err}` : ''}`);
  }

  const data = seedInfo.data || {};
  const keys = Array.isArray(data.api_keys) ? data.api_keys : [];
  const key = typeof keys[0] === 'string' ? keys[0] : apiKey || DEFAULT_API_KEY;
  const endpoints = Array.isArray(data.webhook_endpoints) ? data.webhook_endpoints : [];
  const secret = endpoints[0] && typeof endpoints[0] === 'object' ? endpoints[0].secret : undefined;
  const env = { ...buildEnv(urls, key, secret, controlToken), ...(useEnvFile ? readEnvFile(envFile) : {}) };
  const control = new ControlClient(env.PIPES_HARNESS_CONTROL_URL, { token: env.PIPES_HARNESS_CONTROL_TOKEN });

  let stopping;
  async function stop() {
    if (!stopping) {
      stopping = (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
          await exited;
          clearTimeout(guard);
        }
        lines.close();
        cleanup();
      })();
    }
    return stopping;
  }

  return {
    urls,
    env,
    control,
    workosUrl: urls.workos,
    controlUrl: env.PIPES_HARNESS_CONTROL_URL,
    apiKey: env.WORKOS_API_KEY,
    webhookSecret: env.WORKOS_WEBHOOK_SECRET,
    process: child,
    stderr: readStderr,
    stop,
  };
}

module.exports = { startServe, ControlClient, ControlApiError, binaryPath, buildEnv, SERVICES };
