// Generated from control-api.json; do not edit. Regenerate with `PIPES_HARNESS_UPDATE_CLIENTS=1 cargo test --test control_api`.
// The client of serve's control API, one method per operation.
'use strict';

const { ControlTransport, segment, pick } = require('./transport');

class ControlClient extends ControlTransport {
  /** The list of the control routes. `GET /_harness` */
  listRoutes() {
    return this.request('GET', '/_harness', undefined);
  }

  /** Puts the world back to the seed: WorkOS state, provider codes and tokens, faults and the WorkOS rate limit; every custom provider is removed. The clock does not go back. `POST /_harness/reset` */
  reset() {
    return this.request('POST', '/_harness/reset', {});
  }

  /** The mock's current time: `{"now", "now_ms"}`. `GET /_harness/clock` */
  clock() {
    return this.request('GET', '/_harness/clock', undefined);
  }

  /** Moves the clock forward by `seconds` (0 to ten years; it never goes back). Expired tokens are refreshed on the next token request; webhook retries that fell due go out at once. Answers the new time. `POST /_harness/clock/advance` */
  advanceClock(seconds) {
    return this.request('POST', '/_harness/clock/advance', { seconds });
  }

  /** Injects a provider fault, for the next `times` calls or until cleared. Answers 201 echoing the fault; an unknown fault or a bad parameter is a 422 saying what is expected. A custom provider's slug in use (an integration points at its mock provider, or `PUT /_harness/custom_providers/{slug}` set it) takes rate_limit, server_error, latency, malformed_body, invalid_grant_on_refresh, revoke_tokens, revoke_refresh_tokens, expire_tokens, deny_consent, redirect_mismatch, invalid_scope, code_reused and invalid_client (a 422 lists them for any other). `POST /_harness/providers/{slug}/faults` */
  injectFault(slug, fault, options = {}) {
    return this.request('POST', `/_harness/providers/${segment(slug)}/faults`, { fault, ...pick('injectFault', options, { times: 'times', retryAfter: 'retry_after', status: 'status', on: 'on', ms: 'ms', real: 'real', needed: 'needed', user: 'user', callback: 'callback', scope: 'scope', delayMs: 'delay_ms' }) });
  }

  /** Removes every fault of the provider. `DELETE /_harness/providers/{slug}/faults` */
  clearFaults(slug) {
    return this.request('DELETE', `/_harness/providers/${segment(slug)}/faults`, {});
  }

  /** The user removes the app at the provider: every access and refresh token of the account is revoked, so the next refresh fails and the account moves to needs_reauthorization. Give `user_id` (a WorkOS user with a connected account) or `login` (the provider account). Answers `{"provider", "login", "revoked"}`. `POST /_harness/providers/{slug}/revoke` */
  revoke(slug, options = {}) {
    return this.request('POST', `/_harness/providers/${segment(slug)}/revoke`, { ...pick('revoke', options, { userId: 'user_id', login: 'login' }) });
  }

  /** The last requests the provider mock received (a bounded log), oldest first, each bearer token as a SHA-256 fingerprint: `{"object": "list", "provider", "last_seq", "data"}`. Pass `since` (a `last_seq` from an earlier answer) to get only newer ones. `GET /_harness/providers/{slug}/requests` */
  providerRequests(slug, options = {}) {
    return this.request('GET', `/_harness/providers/${segment(slug)}/requests`, undefined, { ...pick('providerRequests', options, { since: 'since' }) });
  }

  /** The OAuth apps registered at the provider, without their secrets. `GET /_harness/providers/{slug}/apps` */
  providerApps(slug) {
    return this.request('GET', `/_harness/providers/${segment(slug)}/apps`, undefined);
  }

  /** Changes the provider-side OAuth app (every app of the provider when `client_id` is left out): a wrong callback stages a redirect mismatch, a short scope list an invalid scope. `POST /_harness/providers/{slug}/apps` */
  changeProviderApp(slug, options = {}) {
    return this.request('POST', `/_harness/providers/${segment(slug)}/apps`, { ...pick('changeProviderApp', options, { clientId: 'client_id', redirectUris: 'redirect_uris', allowedScopes: 'allowed_scopes' }) });
  }

  /** Sets what the mock provider of a custom slug accepts, over its current behaviour: the fields and words of the scenario step `the custom provider "acme" behaves as:` (client_authentication, pkce, scope_separator, token_request_body, access_token_lifetime, refresh_tokens, scopes, refused_scopes, userinfo). A custom integration then meets a provider that may disagree with its definition. A built-in slug is a 404; a slug that is not lowercase letters, digits, - and _ (starting with a letter or a digit, at most 64 characters) is a 422; serve holds at most 64 custom providers at once, and a new slug past that is a 422 (reset removes them all). `PUT /_harness/custom_providers/{slug}` */
  setCustomProvider(slug, options = {}) {
    return this.request('PUT', `/_harness/custom_providers/${segment(slug)}`, { ...pick('setCustomProvider', options, { clientAuthentication: 'client_authentication', pkce: 'pkce', scopeSeparator: 'scope_separator', tokenRequestBody: 'token_request_body', accessTokenLifetime: 'access_token_lifetime', refreshTokens: 'refresh_tokens', scopes: 'scopes', refusedScopes: 'refused_scopes', userinfo: 'userinfo' }) });
  }

  /** Answers one method and path of the provider with the given response, above its own routes: for endpoints the mock does not model. `body` is the response text; JSON text is sent as application/json. `DELETE /_harness/providers/{slug}/faults` and reset remove stubs. `POST /_harness/providers/{slug}/stubs` */
  stubProvider(slug, method, path, status, options = {}) {
    return this.request('POST', `/_harness/providers/${segment(slug)}/stubs`, { method, path, status, ...pick('stubProvider', options, { headers: 'headers', body: 'body' }) });
  }

  /** The event log, oldest first: `{"object": "list", "data": [events]}` in the webhook body shape. `GET /_harness/events` */
  events() {
    return this.request('GET', '/_harness/events', undefined);
  }

  /** The connect flows WorkOS was asked to start for one user (`POST /data-integrations/{slug}/authorize`), oldest first, bounded like the events: `{"object": "list", "data": [{user_id, provider, organization_id, connection_intent, connected_account_id, return_to, code_challenge, completed}]}`. A reconnect should carry `connection_intent: "reauthorize"` and the connection's id. `GET /_harness/authorizations` */
  authorizations(userId) {
    return this.request('GET', '/_harness/authorizations', undefined, { user_id: userId });
  }

  /** Every webhook delivery and its attempts: `{"data": [{"event_id", "event", "webhook_endpoint_id", "endpoint_url", "status", "attempts", "next_attempt_at", "last_outcome"}]}`. `GET /_harness/webhook_deliveries` */
  webhookDeliveries() {
    return this.request('GET', '/_harness/webhook_deliveries', undefined);
  }

  /** Sends every webhook delivery that is due now (after any run of the background sender in progress), then answers with every delivery as `GET /_harness/webhook_deliveries` does: a test waits for this answer instead of polling. `POST /_harness/webhook_deliveries/flush` */
  flushWebhookDeliveries() {
    return this.request('POST', '/_harness/webhook_deliveries/flush', {});
  }

  /** WorkOS itself answers 429 with Retry-After past `limit` requests per API key per window of `window_seconds` (on the mock's clock). `POST /_harness/workos/rate_limit` */
  setWorkosRateLimit(limit, windowSeconds) {
    return this.request('POST', '/_harness/workos/rate_limit', { limit, window_seconds: windowSeconds });
  }

  /** No WorkOS rate limit (the default). `DELETE /_harness/workos/rate_limit` */
  clearWorkosRateLimit() {
    return this.request('DELETE', '/_harness/workos/rate_limit', {});
  }
}

module.exports = { ControlClient };
