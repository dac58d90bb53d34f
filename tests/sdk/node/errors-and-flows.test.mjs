// Errors throw the Node SDK's own exception classes; the connect flow runs end
// to end from the SDK; webhooks the mock delivers verify with
// `workos.webhooks.constructEvent`, and tampered ones do not.

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import {
  ConflictException,
  NotFoundException,
  RateLimitExceededException,
  SignatureVerificationException,
  UnauthorizedException,
  UnprocessableEntityException,
} from '@workos-inc/node';

import { ALICE, BOB, DAVE, DAVE_GITHUB_TOKEN, Harness, Receiver, WEBHOOK_SECRET, follow } from './harness.mjs';

let receiver;
let harness;
let workos;

before(async () => {
  receiver = new Receiver();
  await receiver.start();
  harness = await Harness.start(receiver);
  workos = harness.client();
});

after(async () => {
  const code = await harness.stop();
  await receiver.stop();
  assert.equal(code, 0, 'serve exits 0 on SIGTERM');
});

beforeEach(async () => {
  await harness.control('POST', 'reset');
  receiver.clear();
});

test('an unknown API key throws UnauthorizedException', async () => {
  const stranger = harness.client('sk_test_nobody');
  await assert.rejects(stranger.pipes.getAccessToken({ provider: 'github', userId: BOB }), (err) => {
    assert.ok(err instanceof UnauthorizedException, String(err));
    assert.equal(err.status, 401);
    assert.ok(err.requestID, 'every response carries X-Request-ID');
    return true;
  });
});

test('an integration that is not configured throws NotFoundException', async () => {
  await assert.rejects(workos.pipes.getDataIntegration({ slug: 'salesforce' }), NotFoundException);
});

test('importing a second account for the same user throws ConflictException', async () => {
  await assert.rejects(
    workos.pipes.createUserConnectedAccount({ userId: BOB, slug: 'github', accessToken: 'gho_Second', scopes: ['repo'] }),
    ConflictException,
  );
});

test('a missing user id throws UnprocessableEntityException', async () => {
  await assert.rejects(
    workos.pipes.authorizeDataIntegration({ slug: 'github', returnTo: 'http://127.0.0.1:1/back' }),
    (err) => {
      assert.ok(err instanceof UnprocessableEntityException, String(err));
      assert.equal(err.status, 422);
      return true;
    },
  );
});

test('the WorkOS rate limit throws RateLimitExceededException with retryAfter', async () => {
  await harness.control('POST', 'workos/rate_limit', { limit: 1, window_seconds: 30 });
  await workos.pipes.getAccessToken({ provider: 'github', userId: BOB });
  await assert.rejects(workos.pipes.getAccessToken({ provider: 'github', userId: BOB }), (err) => {
    assert.ok(err instanceof RateLimitExceededException, String(err));
    assert.equal(err.status, 429);
    assert.ok(err.retryAfter > 0 && err.retryAfter <= 30, `retryAfter ${err.retryAfter}`);
    return true;
  });
});

test('the whole connect flow runs from the SDK', async () => {
  const before = await workos.pipes.getAccessToken({ provider: 'github', userId: ALICE });
  assert.equal(before.active, false);

  const { url } = await workos.pipes.authorizeDataIntegration({
    slug: 'github',
    userId: ALICE,
    returnTo: `${receiver.url}/pipes/return`,
  });
  const landed = await follow(url);

  assert.equal(landed.pathname, '/pipes/return');
  assert.equal(landed.searchParams.get('error'), null);
  const token = await workos.pipes.getAccessToken({ provider: 'github', userId: ALICE });
  assert.equal(token.active, true);
  assert.ok(token.accessToken.accessToken);
});

test('a user who denies consent ends up not installed', async () => {
  await harness.control('POST', 'providers/github/faults', { fault: 'deny_consent' });
  const { url } = await workos.pipes.authorizeDataIntegration({
    slug: 'github',
    userId: ALICE,
    returnTo: `${receiver.url}/pipes/return`,
  });
  const landed = await follow(url);

  assert.equal(landed.searchParams.get('error'), 'access_denied');
  const token = await workos.pipes.getAccessToken({ provider: 'github', userId: ALICE });
  assert.equal(token.active, false);
});

test('a delivered webhook verifies with constructEvent and a tampered one fails', async () => {
  const { url } = await workos.pipes.authorizeDataIntegration({
    slug: 'github',
    userId: ALICE,
    returnTo: `${receiver.url}/pipes/return`,
  });
  await follow(url);
  const { body, signature } = await receiver.waitForEvent('pipes.connected_account.connected');

  const event = await workos.webhooks.constructEvent({ payload: body, sigHeader: signature, secret: WEBHOOK_SECRET });
  assert.equal(event.event, 'pipes.connected_account.connected');
  assert.equal(event.data.userId, ALICE);
  assert.equal(event.data.providerSlug, 'github');

  // The raw body is what was signed: verify it as received, never re-serialized.
  const tampered = body.replace(ALICE, 'user_01JDR8Y4Z6Q3KX5V2N7M9BEV1L');
  await assert.rejects(
    workos.webhooks.constructEvent({ payload: tampered, sigHeader: signature, secret: WEBHOOK_SECRET }),
    SignatureVerificationException,
  );
  await assert.rejects(
    workos.webhooks.constructEvent({ payload: body, sigHeader: signature, secret: 'whsec_wrong' }),
    SignatureVerificationException,
  );
});

test('after the clock passes expiry the mock refreshes the token', async () => {
  const before = await workos.pipes.getAccessToken({ provider: 'github', userId: DAVE });
  assert.equal(before.accessToken.accessToken, DAVE_GITHUB_TOKEN);

  const { now } = await harness.control('POST', 'clock/advance', { seconds: 7200 });
  const after = await workos.pipes.getAccessToken({ provider: 'github', userId: DAVE });

  assert.equal(after.active, true);
  assert.notEqual(after.accessToken.accessToken, DAVE_GITHUB_TOKEN);
  assert.ok(after.accessToken.expiresAt > new Date(now));
});
