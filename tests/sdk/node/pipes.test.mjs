// Every Pipes method of the official @workos-inc/node SDK (11.0.0) against
// `pipes-harness serve`: the 25 `workos.pipes` methods. Each response goes
// through the SDK's own deserializer (camelCase, Dates), which throws on a
// shape the real API never sends.

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import { NotFoundException } from '@workos-inc/node';

import { ACME, ALICE, BOB, BOB_GITHUB_TOKEN, CAROL, Harness, Receiver } from './harness.mjs';

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

async function createApiKeyIntegration() {
  await workos.pipes.createDataIntegration({
    provider: 'acme-api',
    enabled: true,
    authMethods: ['api_key'],
    customProvider: { name: 'Acme API' },
  });
  return 'acme-api';
}

async function createClientCredentialsIntegration() {
  await workos.pipes.createDataIntegration({
    provider: 'acme-m2m',
    enabled: true,
    authMethods: ['client_credentials'],
    customProvider: { name: 'Acme M2M', tokenUrl: 'https://auth.acme.test/oauth/token' },
  });
  return 'acme-m2m';
}

// 1
test('listDataIntegrations returns parsed integrations', async () => {
  const page = await workos.pipes.listDataIntegrations({ limit: 10 });
  const slack = page.data.find((i) => i.slug === 'slack');
  assert.ok(slack, 'the seeded custom-credential Slack integration is listed');
  assert.ok(slack.createdAt instanceof Date);
  assert.ok(page.data.every((i) => i.id.startsWith('data_integration_')));
});

// 2
test('createDataIntegration with custom credentials redacts the secret', async () => {
  const created = await workos.pipes.createDataIntegration({
    provider: 'google',
    enabled: true,
    scopes: ['openid', 'email'],
    credentials: { type: 'custom', clientId: 'google-client.apps', clientSecret: 'gsecret-9876' },
  });
  assert.equal(created.slug, 'google');
  assert.equal(created.enabled, true);
  assert.deepEqual(created.scopes, ['openid', 'email']);
  assert.equal(created.credentials.clientId, 'google-client.apps');
  assert.match(created.credentials.redactedClientSecret, /9876$/);
});

// 3
test('getDataIntegration returns the seeded integration', async () => {
  const slack = await workos.pipes.getDataIntegration({ slug: 'slack' });
  assert.equal(slack.slug, 'slack');
  assert.equal(slack.description, 'Team notifications');
});

// 4
test('updateDataIntegration changes what it is given', async () => {
  const updated = await workos.pipes.updateDataIntegration({
    slug: 'slack',
    description: 'Alerts',
    scopes: ['chat:write'],
  });
  assert.equal(updated.description, 'Alerts');
  assert.deepEqual(updated.scopes, ['chat:write']);
});

// 5
test('deleteDataIntegration removes it', async () => {
  await workos.pipes.deleteDataIntegration({ slug: 'slack' });
  await assert.rejects(workos.pipes.getDataIntegration({ slug: 'slack' }), NotFoundException);
});

// 6
test('createDataIntegrationApiKey installs a key connection', async () => {
  const slug = await createApiKeyIntegration();
  const account = await workos.pipes.createDataIntegrationApiKey({
    slug,
    userId: ALICE,
    secret: 'acme-key-1111',
    connectionIntent: 'add',
  });
  assert.match(account.id, /^data_installation_/);
  assert.equal(account.authMethod, 'api_key');
  assert.equal(account.apiKeyLast4, '1111');
});

// 7
test('updateDataIntegrationApiKey rotates the stored key', async () => {
  const slug = await createApiKeyIntegration();
  const first = await workos.pipes.updateDataIntegrationApiKey({ slug, userId: ALICE, secret: 'acme-key-1111' });
  const second = await workos.pipes.updateDataIntegrationApiKey({ slug, userId: ALICE, secret: 'acme-key-2222' });
  assert.equal(second.id, first.id);
  assert.equal(second.apiKeyLast4, '2222');
});

// 8
test('authorizeDataIntegration returns a URL on the mock', async () => {
  const { url } = await workos.pipes.authorizeDataIntegration({
    slug: 'github',
    userId: ALICE,
    returnTo: 'http://127.0.0.1:1/back',
  });
  assert.ok(url.startsWith(harness.baseUrl), url);
});

// 9
test('createDataIntegrationClientCredential stores the pair', async () => {
  const slug = await createClientCredentialsIntegration();
  const account = await workos.pipes.createDataIntegrationClientCredential({
    slug,
    userId: ALICE,
    clientId: 'm2m-client',
    clientSecret: 'm2m-secret-5555',
    connectionIntent: 'add',
  });
  assert.equal(account.authMethod, 'client_credentials');
  assert.equal(account.clientId, 'm2m-client');
  assert.equal(account.clientSecretLast4, '5555');
});

// 10
test('updateDataIntegrationClientCredentials rotates the pair', async () => {
  const slug = await createClientCredentialsIntegration();
  await workos.pipes.updateDataIntegrationClientCredentials({
    slug,
    userId: ALICE,
    clientId: 'm2m-client',
    clientSecret: 's-5555',
  });
  const rotated = await workos.pipes.updateDataIntegrationClientCredentials({
    slug,
    userId: ALICE,
    clientId: 'm2m-client-2',
    clientSecret: 's-6666',
  });
  assert.equal(rotated.clientId, 'm2m-client-2');
  assert.equal(rotated.clientSecretLast4, '6666');
});

// 11
test('createDataIntegrationCredential vends the OAuth token', async () => {
  const resp = await workos.pipes.createDataIntegrationCredential({ slug: 'github', userId: BOB });
  assert.equal(resp.active, true);
  assert.equal(resp.credential.value, BOB_GITHUB_TOKEN);
  assert.equal(resp.credential.authMethod, 'oauth');
  const none = await workos.pipes.createDataIntegrationCredential({ slug: 'github', userId: ALICE });
  assert.equal(none.active, false);
  assert.equal(none.error, 'not_installed');
});

// 12
test('getOrganizationDataIntegration gets the organization-owned one', async () => {
  const orgOwned = await workos.pipes.getOrganizationDataIntegration({ slug: 'github' });
  assert.equal(orgOwned.slug, 'github');
  assert.equal(orgOwned.ownership, 'organization');
});

// 13
test('updateOrganizationDataIntegration changes only that one', async () => {
  const updated = await workos.pipes.updateOrganizationDataIntegration({
    slug: 'github',
    description: 'Shared org account',
  });
  assert.equal(updated.description, 'Shared org account');
  const userOwned = await workos.pipes.getDataIntegration({ slug: 'github' });
  assert.notEqual(userOwned.description, 'Shared org account');
});

// 14
test('deleteOrganizationDataIntegration leaves the user-owned one', async () => {
  await workos.pipes.deleteOrganizationDataIntegration({ slug: 'github' });
  await assert.rejects(workos.pipes.getOrganizationDataIntegration({ slug: 'github' }), NotFoundException);
  assert.equal((await workos.pipes.getDataIntegration({ slug: 'github' })).slug, 'github');
});

// 15
test('getAccessToken returns the seeded token, and not_installed as data', async () => {
  const resp = await workos.pipes.getAccessToken({ provider: 'github', userId: BOB });
  assert.equal(resp.active, true);
  assert.equal(resp.accessToken.accessToken, BOB_GITHUB_TOKEN);
  assert.deepEqual(resp.accessToken.scopes, ['repo', 'user:email']);
  assert.deepEqual(resp.accessToken.missingScopes, []);
  const none = await workos.pipes.getAccessToken({ provider: 'github', userId: ALICE });
  assert.equal(none.active, false);
  assert.equal(none.error, 'not_installed');
});

// 16
test('getOrganizationConnectedAccount returns the shared account', async () => {
  const account = await workos.pipes.getOrganizationConnectedAccount({ organizationId: ACME, slug: 'github' });
  assert.equal(account.organizationId, ACME);
  assert.equal(account.state, 'connected');
});

// 17
test('createOrganizationConnectedAccount imports tokens', async () => {
  await workos.pipes.deleteOrganizationConnectedAccount({ organizationId: ACME, slug: 'github' });
  const created = await workos.pipes.createOrganizationConnectedAccount({
    organizationId: ACME,
    slug: 'github',
    userId: CAROL,
    accessToken: 'gho_ImportedForAcme',
    scopes: ['repo'],
  });
  assert.equal(created.organizationId, ACME);
  const token = await workos.pipes.getAccessToken({
    provider: 'github',
    userId: CAROL,
    organizationId: ACME,
    connectionOwner: 'organization',
  });
  assert.equal(token.accessToken.accessToken, 'gho_ImportedForAcme');
});

// 18
test('updateOrganizationConnectedAccount replaces the token', async () => {
  const updated = await workos.pipes.updateOrganizationConnectedAccount({
    organizationId: ACME,
    slug: 'github',
    userId: CAROL,
    accessToken: 'gho_RotatedForAcme',
    scopes: ['repo'],
  });
  assert.equal(updated.organizationId, ACME);
  const token = await workos.pipes.getAccessToken({
    provider: 'github',
    userId: CAROL,
    organizationId: ACME,
    connectionOwner: 'organization',
  });
  assert.equal(token.accessToken.accessToken, 'gho_RotatedForAcme');
});

// 19
test('deleteOrganizationConnectedAccount disconnects it', async () => {
  await workos.pipes.deleteOrganizationConnectedAccount({ organizationId: ACME, slug: 'github' });
  await assert.rejects(
    workos.pipes.getOrganizationConnectedAccount({ organizationId: ACME, slug: 'github' }),
    NotFoundException,
  );
});

// 20
test('listOrganizationDataProviders shows the shared connection', async () => {
  const providers = await workos.pipes.listOrganizationDataProviders({ organizationId: ACME });
  const github = providers.data.find((p) => p.slug === 'github');
  assert.equal(github.connectedAccount.organizationId, ACME);
});

// 21
test('getUserConnectedAccount returns the account', async () => {
  const account = await workos.pipes.getUserConnectedAccount({ userId: BOB, slug: 'github' });
  assert.match(account.id, /^data_installation_/);
  assert.equal(account.userId, BOB);
  assert.equal(account.accountIdentifier, 'bob-codes');
  assert.equal(account.state, 'connected');
});

// 22
test('createUserConnectedAccount imports a token', async () => {
  const created = await workos.pipes.createUserConnectedAccount({
    userId: ALICE,
    slug: 'github',
    accessToken: 'gho_AliceImported',
    scopes: ['repo'],
  });
  assert.equal(created.userId, ALICE);
  const token = await workos.pipes.getAccessToken({ provider: 'github', userId: ALICE });
  assert.equal(token.accessToken.accessToken, 'gho_AliceImported');
  assert.deepEqual(token.accessToken.missingScopes, ['user:email']);
});

// 23
test('updateUserConnectedAccount to needs_reauthorization stops tokens', async () => {
  const updated = await workos.pipes.updateUserConnectedAccount({
    userId: BOB,
    slug: 'github',
    state: 'needs_reauthorization',
  });
  assert.equal(updated.state, 'needs_reauthorization');
  const token = await workos.pipes.getAccessToken({ provider: 'github', userId: BOB });
  assert.equal(token.active, false);
  assert.equal(token.error, 'needs_reauthorization');
});

// 24
test('deleteUserConnectedAccount makes it not installed', async () => {
  await workos.pipes.deleteUserConnectedAccount({ userId: BOB, slug: 'github' });
  await assert.rejects(workos.pipes.getUserConnectedAccount({ userId: BOB, slug: 'github' }), NotFoundException);
});

// 25
test('listUserDataProviders shows connected and unconnected providers', async () => {
  const providers = await workos.pipes.listUserDataProviders({ userId: BOB });
  const github = providers.data.find((p) => p.slug === 'github');
  const slack = providers.data.find((p) => p.slug === 'slack');
  assert.equal(github.connectedAccount.userId, BOB);
  assert.equal(slack.connectedAccount, null);
});
