// The installed package: the binary, startServe side by side, the control
// client and its errors. Run from a project where only pipes-harness is
// installed: `node --test`.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const { startServe, ControlApiError, ControlClient, binaryPath } = require('pipes-harness');

const ALICE = 'user_01JDR8Y4Z6Q3KX5V2N7M9BA11C';
const SEED = {
  api_keys: ['sk_test_package_tests'],
  users: [{ email: 'alice@example.com', id: ALICE }],
  data_integrations: [{ slug: 'github' }],
  connected_accounts: [{ user: 'alice@example.com', slug: 'github' }],
  webhook_endpoints: [{ url: 'http://127.0.0.1:9/webhooks', secret: 'whsec_package_tests_0123456789' }],
};

test('the binary comes from the platform package and runs', () => {
  assert.match(binaryPath(), new RegExp(`@pipes-harness\\${path.sep}linux-x64`));
  const out = execFileSync(require.resolve('pipes-harness/bin/pipes-harness.js'), ['--version'], { encoding: 'utf8' });
  assert.match(out, /^pipes-harness /);
});

test('two servers run side by side without a port clash', async (t) => {
  const [a, b] = await Promise.all([startServe(), startServe({ seed: SEED })]);
  t.after(() => Promise.all([a.stop(), b.stop()]));
  const ports = new Set([...Object.values(a.urls), ...Object.values(b.urls)].map((u) => new URL(u).port));
  assert.equal(ports.size, 12, 'two servers of six services each, twelve ports');
  for (const serve of [a, b]) {
    const health = await (await fetch(`${serve.workosUrl}/health`)).json();
    assert.deepEqual(health, { status: 'ok' });
    assert.ok((await serve.control.clock()).now_ms > 0);
  }
});

test('a bad argument rejects with the server\'s message', async (t) => {
  const serve = await startServe();
  t.after(() => serve.stop());
  await assert.rejects(serve.control.advanceClock(-5), (e) => {
    assert.ok(e instanceof ControlApiError);
    assert.equal(e.status, 422);
    assert.match(e.message, /the clock only moves forward/);
    return true;
  });
  await assert.rejects(serve.control.injectFault('github', 'rate_limits'), /unknown fault `rate_limits`/);
  await assert.rejects(serve.control.injectFault('gitlab', 'rate_limit'), (e) => e.status === 404);
  assert.throws(() => serve.control.injectFault('github', 'rate_limit', { retry: 2 }), /unknown option 'retry'/);
});

test('the environment has the names apps read', async (t) => {
  const serve = await startServe({ seed: SEED });
  t.after(() => serve.stop());
  const { env, urls } = serve;
  assert.equal(env.WORKOS_BASE_URL, urls.workos);
  assert.equal(env.PIPES_HARNESS_WORKOS_URL, urls.workos);
  assert.equal(env.WORKOS_API_KEY, 'sk_test_package_tests');
  assert.equal(env.PIPES_HARNESS_API_KEY, 'sk_test_package_tests');
  assert.equal(env.WORKOS_WEBHOOK_SECRET, 'whsec_package_tests_0123456789');
  assert.equal(env.PIPES_HARNESS_WEBHOOK_SECRET, 'whsec_package_tests_0123456789');
  assert.equal(env.PIPES_HARNESS_CONTROL_URL, `${urls.workos}/_harness`);
  for (const name of ['github', 'slack', 'google', 'salesforce']) {
    assert.equal(env[`${name.toUpperCase()}_API_URL`], urls[name]);
    assert.equal(env[`PIPES_HARNESS_${name.toUpperCase()}_URL`], urls[name]);
  }
  assert.equal(env.PIPES_HARNESS_CUSTOM_URL, urls.custom);
  assert.equal(env.PIPES_HARNESS_CONTROL_TOKEN, undefined);
});

test('the control client drives the world', async (t) => {
  const serve = await startServe({ seed: SEED });
  t.after(() => serve.stop());
  const control = ControlClient.fromEnv(serve.env);
  const before = (await control.clock()).now_ms;
  assert.ok((await control.advanceClock(3600)).now_ms >= before + 3_600_000);
  const revoked = await control.revoke('github', { userId: ALICE });
  assert.equal(revoked.provider, 'github');
  assert.ok(revoked.revoked >= 1);
  const fault = await control.injectFault('github', 'rate_limit', { retryAfter: 2, times: 2 });
  assert.equal(fault.retry_after, 2);
  assert.deepEqual((await control.clearFaults('github')).faults, []);
  assert.deepEqual(await control.reset(), { reset: true });
  assert.deepEqual((await control.events()).data, []);
  assert.deepEqual((await control.webhookDeliveries()).data, []);
  assert.deepEqual(await control.setWorkosRateLimit(1, 60), { limit: 1, window_seconds: 60 });
  assert.deepEqual(await control.clearWorkosRateLimit(), { limit: null });
});

test('a broken seed rejects with serve\'s reason', async () => {
  await assert.rejects(
    startServe({ seed: { users: [{ email: 'bob@example.com', favourite_colour: 'blue' }] } }),
    /pipes-harness serve did not start[\s\S]*favourite_colour/,
  );
  await assert.rejects(startServe({ seed: 42 }), /seed must be a path to a seed file or an object/);
});

test('stop ends serve', async () => {
  const serve = await startServe();
  await serve.stop();
  assert.notEqual(serve.process.exitCode ?? serve.process.signalCode, null);
  await serve.stop(); // twice is fine
});
