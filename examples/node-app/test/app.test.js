// The example app's own tests, written the way a team writes theirs: the
// app in-process (createApp), pipes-harness serve beside it (startServe),
// and the world changed from the test through the control API.
//
//   npm install --save-dev pipes-harness
//   npm test
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServe } = require('pipes-harness');

const { createApp } = require('../app');

const CLIENT_ID = 'client_01EXAMPLEAPP0000000000000';
const ALICE = 'user_01JDR8Y4Z6Q3KX5V2N7M9BA11C';
const DAVE = 'user_01JDR8Y4Z6Q3KX5V2N7M9BDAVE';
const ERIN = 'user_01JDR8Y4Z6Q3KX5V2N7M9BER1N';

// The seed as an object (a path to a seed.yaml works too).
const SEED = {
  api_keys: ['sk_test_example_app'],
  users: [
    { id: ALICE, email: 'alice@example.com' },
    { id: DAVE, email: 'dave@example.com' },
    { id: ERIN, email: 'erin@example.com' },
  ],
  data_integrations: [{ slug: 'github', scopes: ['repo', 'user:email'] }],
  connected_accounts: [
    // Alice's token never expires.
    { user: 'alice@example.com', slug: 'github', account_identifier: 'alice-gh' },
    // Dave's expires in an hour; WorkOS holds a refresh token.
    {
      user: 'dave@example.com',
      slug: 'github',
      access_token: 'ghu_DaveExampleExpiringToken00000000000',
      refresh_token: 'ghr_DaveExampleRefreshToken0000000000000000000000000000000000000000000000000',
      expires_in: 3600,
      account_identifier: 'dave-gh',
    },
    // Erin's expires in an hour and nothing can renew it.
    {
      user: 'erin@example.com',
      slug: 'github',
      access_token: 'ghu_ErinExampleExpiringToken00000000000',
      expires_in: 3600,
      account_identifier: 'erin-gh',
    },
  ],
};

let serve;
let app;
let appUrl;

before(async () => {
  serve = await startServe({ seed: SEED });
  app = createApp({ ...serve.env, WORKOS_CLIENT_ID: CLIENT_ID });
  await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${app.address().port}`;
});

after(async () => {
  await new Promise((resolve) => app.close(resolve));
  await serve.stop();
});

// Every test starts from the seed.
test.beforeEach(() => serve.control.reset());

async function profile(userId) {
  const res = await fetch(`${appUrl}/profile/github?user_id=${userId}`);
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') };
}

test('the profile page relays GitHub with a fresh token', async () => {
  const { status, body } = await profile(ALICE);
  assert.equal(status, 200);
  assert.equal(body.login, 'alice-gh');
});

test('after Alice revokes the app at GitHub, the app asks her to reconnect', async () => {
  const revoked = await serve.control.revoke('github', { userId: ALICE });
  assert.ok(revoked.revoked >= 1);

  const { status, body } = await profile(ALICE);
  assert.equal(status, 409);
  assert.equal(body.error, 'needs_reauthorization');
  assert.equal(body.reconnect_url, `/connect/github?user_id=${ALICE}`);
});

test('once Dave\'s revoked token expires, WorkOS cannot refresh it and says so', async () => {
  await serve.control.revoke('github', { userId: DAVE });
  await serve.control.advanceClock(2 * 3600);

  const { status, body } = await profile(DAVE);
  assert.equal(status, 409);
  assert.equal(body.error, 'needs_reauthorization');
  const events = (await serve.control.events()).data.map((e) => e.event);
  assert.ok(events.includes('pipes.connected_account.reauthorization_needed'), events.join(', '));
});

test('a GitHub rate limit reaches the caller as GitHub said it, and passes', async () => {
  await serve.control.injectFault('github', 'rate_limit', { retryAfter: 60, times: 1 });

  const limited = await profile(ALICE);
  assert.equal(limited.status, 403);
  assert.match(limited.body.message, /API rate limit exceeded/);

  assert.equal((await profile(ALICE)).status, 200);
});

test('when WorkOS rate-limits the app, it asks the caller to come back later until the window passes on the clock', async () => {
  await serve.control.setWorkosRateLimit(1, 60);
  assert.equal((await profile(ALICE)).status, 200);

  // The app passes WorkOS's 429 on as a 503 with Retry-After, never a retry loop.
  const limited = await profile(ALICE);
  assert.equal(limited.status, 503);
  assert.equal(limited.body.error, 'rate_limited');
  assert.ok(Number(limited.retryAfter) > 0, `Retry-After: ${limited.retryAfter}`);

  await serve.control.advanceClock(61);
  assert.equal((await profile(ALICE)).status, 200);
});

test('two hours later WorkOS refreshes Dave\'s token and the app still works', async () => {
  assert.equal((await profile(DAVE)).status, 200);
  await serve.control.advanceClock(2 * 3600);
  const { status, body } = await profile(DAVE);
  assert.equal(status, 200);
  assert.equal(body.login, 'dave-gh');
});

test('two hours later Erin\'s token has expired for good and the app asks her to reconnect', async () => {
  assert.equal((await profile(ERIN)).status, 200);
  await serve.control.advanceClock(2 * 3600);
  const { status, body } = await profile(ERIN);
  assert.equal(status, 409);
  assert.equal(body.error, 'needs_reauthorization');
});
