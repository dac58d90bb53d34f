// Generated from control-api.json; do not edit. Regenerate with `PIPES_HARNESS_UPDATE_CLIENTS=1 cargo test --test control_api`.

import { ControlTransport } from './transport';

export type Provider =
  | 'github'
  | 'slack'
  | 'google'
  | 'salesforce';
export type FaultName =
  | 'rate_limit'
  | 'secondary_rate_limit'
  | 'server_error'
  | 'latency'
  | 'malformed_body'
  | 'insufficient_scope'
  | 'invalid_grant_on_refresh'
  | 'revoke_tokens'
  | 'revoke_refresh_tokens'
  | 'expire_tokens'
  | 'deny_consent'
  | 'redirect_mismatch'
  | 'redirect_mismatch_page'
  | 'invalid_scope'
  | 'code_reused'
  | 'code_expired'
  | 'invalid_client';

export interface InjectFaultOptions {
  /** For the next N calls; left out: until cleared. Not for faults that change state once. */
  times?: number;
  /** rate_limit, secondary_rate_limit: seconds until the limit lifts, where the provider says so. */
  retryAfter?: number;
  /** rate_limit (GitHub: 403 or 429), server_error (5xx, default 503). */
  status?: number;
  /** server_error, latency, malformed_body: API calls (default) or the token endpoint. */
  on?: 'api' | 'token';
  /** latency: how late, in milliseconds. */
  ms?: number;
  /** latency: wait for real. */
  real?: boolean;
  /** insufficient_scope: the scope the endpoint wants. */
  needed?: string;
  /** revoke_tokens, revoke_refresh_tokens, expire_tokens: a provider login; everyone when left out. */
  user?: string;
  /** redirect_mismatch: the callback registered instead of WorkOS's. */
  callback?: string;
  /** invalid_scope: the refused scope. */
  scope?: string;
  /** code_expired: how long the browser takes to bring the code back. */
  delayMs?: number;
}

export interface RevokeOptions {
  /** A WorkOS user id with a connected account on this provider. */
  userId?: string;
  /** The account's login at the provider. */
  login?: string;
}

export interface ProviderRequestsOptions {
  /** Only requests after this sequence number. */
  since?: number;
}

export interface ChangeProviderAppOptions {
  /** The app to change; every app of the provider when left out. */
  clientId?: string;
  /** The callback URLs registered at the provider. */
  redirectUris?: Array<string>;
  /** The scopes the app may request. */
  allowedScopes?: Array<string>;
}

export interface SetCustomProviderOptions {
  /** client_secret_basic, client_secret_post, both (the default) or none (a public client). */
  clientAuthentication?: string;
  /** required, optional (the default) or not supported. */
  pkce?: string;
  /** What it splits `scope` on: space (the default), comma, or the separator in quotes. */
  scopeSeparator?: string;
  /** form, JSON, or form or JSON (the default). */
  tokenRequestBody?: string;
  /** 1 hour (the default), a number of seconds, minutes, hours or days, or never. */
  accessTokenLifetime?: string;
  /** issued (the default), rotated or none. */
  refreshTokens?: string;
  /** The scopes it knows, comma-separated, or any (the default). */
  scopes?: string;
  /** Scopes it refuses with invalid_scope, comma-separated. */
  refusedScopes?: string;
  /** yes (the default) or no. */
  userinfo?: string;
}

export interface StubProviderOptions {
  headers?: Record<string, unknown>;
  /** The response body; JSON text is sent as application/json. */
  body?: string;
}

/** serve's control API; every method rejects with a ControlApiError carrying the server's message. */
export class ControlClient extends ControlTransport {
  /** The list of the control routes. `GET /_harness` */
  listRoutes(): Promise<Record<string, any>>;
  /** Puts the world back to the seed: WorkOS state, provider codes and tokens, faults and the WorkOS rate limit; every custom provider is removed. The clock does not go back. `POST /_harness/reset` */
  reset(): Promise<Record<string, any>>;
  /** The mock's current time: `{"now", "now_ms"}`. `GET /_harness/clock` */
  clock(): Promise<Record<string, any>>;
  /** Moves the clock forward by `seconds` (0 to ten years; it never goes back). Expired tokens are refreshed on the next token request; webhook retries that fell due go out at once. Answers the new time. `POST /_harness/clock/advance` */
  advanceClock(seconds: number): Promise<Record<string, any>>;
  /** Injects a provider fault, for the next `times` calls or until cleared. Answers 201 echoing the fault; an unknown fault or a bad parameter is a 422 saying what is expected. A custom provider's slug in use (an integration points at its mock provider, or `PUT /_harness/custom_providers/{slug}` set it) takes rate_limit, server_error, latency, malformed_body, invalid_grant_on_refresh, revoke_tokens, revoke_refresh_tokens, expire_tokens, deny_consent, redirect_mismatch, invalid_scope, code_reused and invalid_client (a 422 lists them for any other). `POST /_harness/providers/{slug}/faults` */
  injectFault(slug: string, fault: FaultName, options?: InjectFaultOptions): Promise<Record<string, any>>;
  /** Removes every fault of the provider. `DELETE /_harness/providers/{slug}/faults` */
  clearFaults(slug: string): Promise<Record<string, any>>;
  /** The user removes the app at the provider: every access and refresh token of the account is revoked, so the next refresh fails and the account moves to needs_reauthorization. Give `user_id` (a WorkOS user with a connected account) or `login` (the provider account). Answers `{"provider", "login", "revoked"}`. `POST /_harness/providers/{slug}/revoke` */
  revoke(slug: Provider, options?: RevokeOptions): Promise<Record<string, any>>;
  /** The last requests the provider mock received (a bounded log), oldest first, each bearer token as a SHA-256 fingerprint: `{"object": "list", "provider", "last_seq", "data"}`. Pass `since` (a `last_seq` from an earlier answer) to get only newer ones. `GET /_harness/providers/{slug}/requests` */
  providerRequests(slug: Provider, options?: ProviderRequestsOptions): Promise<Record<string, any>>;
  /** The OAuth apps registered at the provider, without their secrets. `GET /_harness/providers/{slug}/apps` */
  providerApps(slug: Provider): Promise<Record<string, any>>;
  /** Changes the provider-side OAuth app (every app of the provider when `client_id` is left out): a wrong callback stages a redirect mismatch, a short scope list an invalid scope. `POST /_harness/providers/{slug}/apps` */
  changeProviderApp(slug: Provider, options?: ChangeProviderAppOptions): Promise<Record<string, any>>;
  /** Sets what the mock provider of a custom slug accepts, over its current behaviour: the fields and words of the scenario step `the custom provider "acme" behaves as:` (client_authentication, pkce, scope_separator, token_request_body, access_token_lifetime, refresh_tokens, scopes, refused_scopes, userinfo). A custom integration then meets a provider that may disagree with its definition. A built-in slug is a 404; a slug that is not lowercase letters, digits, - and _ (starting with a letter or a digit, at most 64 characters) is a 422; serve holds at most 64 custom providers at once, and a new slug past that is a 422 (reset removes them all). `PUT /_harness/custom_providers/{slug}` */
  setCustomProvider(slug: string, options?: SetCustomProviderOptions): Promise<Record<string, any>>;
  /** Answers one method and path of the provider with the given response, above its own routes: for endpoints the mock does not model. `body` is the response text; JSON text is sent as application/json. `DELETE /_harness/providers/{slug}/faults` and reset remove stubs. `POST /_harness/providers/{slug}/stubs` */
  stubProvider(slug: Provider, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS', path: string, status: number, options?: StubProviderOptions): Promise<Record<string, any>>;
  /** The event log, oldest first: `{"object": "list", "data": [events]}` in the webhook body shape. `GET /_harness/events` */
  events(): Promise<Record<string, any>>;
  /** The connect flows WorkOS was asked to start for one user (`POST /data-integrations/{slug}/authorize`), oldest first, bounded like the events: `{"object": "list", "data": [{user_id, provider, organization_id, connection_intent, connected_account_id, return_to, code_challenge, completed}]}`. A reconnect should carry `connection_intent: "reauthorize"` and the connection's id. `GET /_harness/authorizations` */
  authorizations(userId: string): Promise<Record<string, any>>;
  /** Every webhook delivery and its attempts: `{"data": [{"event_id", "event", "webhook_endpoint_id", "endpoint_url", "status", "attempts", "next_attempt_at", "last_outcome"}]}`. `GET /_harness/webhook_deliveries` */
  webhookDeliveries(): Promise<Record<string, any>>;
  /** Sends every webhook delivery that is due now (after any run of the background sender in progress), then answers with every delivery as `GET /_harness/webhook_deliveries` does: a test waits for this answer instead of polling. `POST /_harness/webhook_deliveries/flush` */
  flushWebhookDeliveries(): Promise<Record<string, any>>;
  /** WorkOS itself answers 429 with Retry-After past `limit` requests per API key per window of `window_seconds` (on the mock's clock). `POST /_harness/workos/rate_limit` */
  setWorkosRateLimit(limit: number, windowSeconds: number): Promise<Record<string, any>>;
  /** No WorkOS rate limit (the default). `DELETE /_harness/workos/rate_limit` */
  clearWorkosRateLimit(): Promise<Record<string, any>>;
}
