//! The diagnosis catalogue: every way a Pipes integration is known to break,
//! with the root cause and the steps that fix it.
//!
//! This is the text the harness prints next to a failing scenario and the
//! table the README shows, so the wording lives here once. Classifiers (see
//! `client::classify`) only pick a [`DiagnosisKind`] and describe what they
//! saw; they never write advice of their own.

use std::fmt;
use std::str::FromStr;

/// One known failure mode of a Pipes integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DiagnosisKind {
    /// The provider's registered callback differs from the WorkOS redirect URI.
    RedirectUriMismatch,
    /// The authorize request asked for a scope the provider refuses.
    InvalidScope,
    /// The user (or the provider on the user's behalf) refused consent.
    AccessDenied,
    /// The authorization code was redeemed late, twice, or belongs elsewhere.
    CodeExpiredOrReused,
    /// The provider does not accept the OAuth client id/secret.
    InvalidClient,
    /// The provider no longer honours the refresh token (`invalid_grant`).
    InvalidGrant,
    /// A refresh attempt was refused (provider-specific refresh error codes).
    RefreshFailed,
    /// Pipes has no connected account for this user/integration.
    ConnectionNotFound,
    /// Pipes marked the connection `needs_reauthorization`.
    NeedsReauthorization,
    /// The provider rejected the access token as revoked or invalid.
    TokenRevoked,
    /// The provider rejected the access token as expired.
    TokenExpired,
    /// The token lacks a scope or permission the endpoint needs.
    InsufficientScopes,
    /// The provider throttled the caller.
    RateLimited,
    /// The provider answered 5xx or timed out.
    ProviderUnavailable,
    /// The provider's body is not in its documented format.
    MalformedResponse,
    /// WorkOS answered 401 to the API key.
    InvalidApiKey,
    /// The integration is missing, disabled, in another environment, or uses
    /// shared credentials in production.
    ProviderNotConfigured,
    /// Several connections match and none was chosen.
    AccountSelectionRequired,
    /// A second connection was added where only one is allowed.
    MultipleConnectionsUnavailable,
    /// The user acting for an organization's connection is not an active member of it.
    OrganizationMembershipRequired,
    /// A webhook's `WorkOS-Signature` did not verify.
    WebhookSignatureInvalid,
    /// The `state` returned to the callback is not the one issued.
    CsrfStateMismatch,
    /// The code calls an SDK method or API route that does not exist.
    SdkVersionMismatch,
    /// The provider has no such endpoint or resource (404), or hides it.
    ResourceNotFound,
    /// WorkOS (400/422) or the provider rejected the request's parameters.
    InvalidRequest,
    /// A token was kept across calls or a reconnect instead of fetched from WorkOS right before the call.
    TokenKept,
    /// A provider 401 (token rejected while WorkOS still says connected) became an error instead of one refetch, then a reconnect.
    Provider401Mishandled,
    /// `not_installed` or `needs_reauthorization` did not become a reconnect.
    ReconnectNotOffered,
    /// The app retried something that cannot succeed by retrying, without a bound.
    RetryLoop,
    /// The connect flow's `return_to` was missing or pointed somewhere other than the app.
    ReturnToWrong,
    /// The webhook was verified over a re-serialized body instead of the raw bytes.
    WebhookBodyReserialized,
    /// The webhook timestamp tolerance lets old or future-dated deliveries through.
    WebhookToleranceTooWide,
    /// An unsigned or wrongly signed webhook was accepted.
    WebhookUnverified,
    /// The same webhook event (one event id) was handled twice.
    WebhookReplayAccepted,
    /// The provider's `Retry-After` was not honoured.
    RetryAfterIgnored,
    /// WorkOS's own 429 was not honoured.
    WorkosRateLimitIgnored,
}

/// Everything the catalogue says about one kind, kept in one table so a new
/// kind cannot be added with half its text missing.
struct Entry {
    kind: DiagnosisKind,
    name: &'static str,
    title: &'static str,
    root_cause: &'static str,
    fix: &'static [&'static str],
}

const CATALOGUE: &[Entry] = &[
    Entry {
        kind: DiagnosisKind::RedirectUriMismatch,
        name: "redirect_uri_mismatch",
        title: "Redirect URI mismatch",
        root_cause: "The callback URL registered in the provider's OAuth app is not exactly the \
                     redirect URI WorkOS sends, so the provider will not send the user back to \
                     Pipes or will not exchange the code.",
        fix: &[
            "Open the integration in the WorkOS dashboard (Pipes) and copy the redirect URI it shows.",
            "Paste it into the provider OAuth app's callback / redirect URL setting character for \
             character: same scheme (https), host, port and path, no trailing slash.",
            "Save the provider app; some providers need a minute or two before the change applies.",
            "Start a new connect flow (`POST /data-integrations/{slug}/authorize`); codes from the \
             failed attempt cannot be reused.",
        ],
    },
    Entry {
        kind: DiagnosisKind::InvalidScope,
        name: "invalid_scope",
        title: "Invalid scope",
        root_cause: "The authorize request asked for a scope the provider does not know or has not \
                     approved for this OAuth app, usually because the scopes on the WorkOS \
                     integration and the provider app's settings disagree.",
        fix: &[
            "Compare the integration's scopes with the provider's scope names, spelling and case \
             included (Google scopes are full URLs such as \
             `https://www.googleapis.com/auth/calendar.readonly`).",
            "Enable the same scopes in the provider app where the provider requires it (Google \
             consent screen, Slack app scopes, Salesforce connected app OAuth scopes).",
            "Drop scopes the app is not approved for (`unapproved_scope`) or that the provider retired.",
            "Save both sides and start a new connect flow.",
        ],
    },
    Entry {
        kind: DiagnosisKind::AccessDenied,
        name: "access_denied",
        title: "User denied access",
        root_cause: "The user cancelled or refused the consent screen, or the provider refused on \
                     their behalf (e.g. GitHub requires a verified primary email), so no \
                     authorization code was issued.",
        fix: &[
            "Tell the user the account was not connected and offer to connect again; do not retry \
             automatically.",
            "If the user never saw a consent screen, look at the provider side: an admin policy \
             blocking third-party apps, an unverified GitHub email, or a Google app in Testing \
             status that lists only some test users.",
            "Keep treating the account as not connected (`not_installed`) until a later flow succeeds.",
        ],
    },
    Entry {
        kind: DiagnosisKind::CodeExpiredOrReused,
        name: "code_expired_or_reused",
        title: "Authorization code expired or already used",
        root_cause: "Authorization codes are single use and short lived (10 minutes at GitHub and \
                     Slack, about 15 at Salesforce, 90 seconds for the `connect_code` WorkOS \
                     gives an app that sent a `code_challenge`); this one was redeemed too late, \
                     a second time, with the wrong `code_verifier`, or came from another flow.",
        fix: &[
            "Redeem the code once, as soon as the callback arrives, and make the callback \
             idempotent so a reload or a retried request does not redeem it again.",
            "Never retry the exchange with the same code; start a new authorize flow instead.",
            "Check that nothing between the provider and the callback (queues, proxies, a \
             skewed clock) delays the exchange by minutes.",
            "With a `code_challenge`, finish the connection (`POST /data-integrations/finish`) \
             as soon as the browser returns, with the verifier kept in that user's session.",
        ],
    },
    Entry {
        kind: DiagnosisKind::InvalidClient,
        name: "invalid_client",
        title: "Invalid OAuth client credentials",
        root_cause: "The provider does not accept the client ID or secret stored on the WorkOS \
                     integration: a typo, a rotated secret, a deleted or suspended app, or the \
                     credentials of another environment's app.",
        fix: &[
            "Copy the client ID and secret again from the provider's OAuth app and update the \
             WorkOS integration's custom credentials.",
            "If the secret was rotated or the app suspended, create a new secret or reinstate the \
             app in the provider console first.",
            "Give sandbox and production their own provider apps and check each integration \
             points at the right one.",
            "Retry the connect flow; accounts connected through the old app may have to reconnect.",
        ],
    },
    Entry {
        kind: DiagnosisKind::InvalidGrant,
        name: "invalid_grant",
        title: "Refresh token no longer valid",
        root_cause: "The provider stopped honouring the refresh token: the user revoked the app or \
                     changed password, the token sat unused for months, a per-user token limit \
                     evicted it, or (Google) the app is in Testing status and grants expire \
                     after 7 days.",
        fix: &[
            "Treat it as permanent: stop refreshing and consider the connection in need of \
             reauthorization.",
            "Ask the user to reconnect through `POST /data-integrations/{slug}/authorize` with \
             `connection_intent: \"reauthorize\"` and the `connected_account_id`.",
            "For Google, publish the OAuth app (leave Testing) so grants stop expiring after 7 \
             days; for Salesforce, check the connected app's refresh token policy.",
            "Subscribe to `pipes.connected_account.reauthorization_needed` to prompt users before \
             their next call fails.",
        ],
    },
    Entry {
        kind: DiagnosisKind::RefreshFailed,
        name: "refresh_failed",
        title: "Token refresh failed",
        root_cause: "The provider refused the refresh token (GitHub `bad_refresh_token`, Slack \
                     `invalid_refresh_token`); with rotating refresh tokens this usually means an \
                     already-used token was sent or two refreshes raced.",
        fix: &[
            "Let Pipes refresh: fetch the access token from `POST /data-integrations/{slug}/token` \
             instead of refreshing with a stored refresh token yourself.",
            "If you must refresh yourself, allow one refresh per connection at a time and store the \
             new refresh token before using it; rotating providers invalidate the old one on use.",
            "If it keeps failing, ask the user to reconnect the account.",
        ],
    },
    Entry {
        kind: DiagnosisKind::ConnectionNotFound,
        name: "connection_not_found",
        title: "Connected account not found",
        root_cause: "Pipes has no connected account for this user (and organization) on this \
                     integration: the user never finished connecting or disconnected, the wrong \
                     `user_id`, `organization_id` or slug was sent, or the API key belongs to \
                     another environment. The token endpoint answers `active:false` with \
                     `error:\"not_installed\"`.",
        fix: &[
            "Check that the API key's environment (sandbox or production) is the one the user \
             connected in.",
            "Send the same `user_id`, `organization_id` and integration slug that the authorize \
             call used.",
            "Confirm the account exists with \
             `GET /user_management/users/{user_id}/connected_accounts/{slug}`, or wait for the \
             `pipes.connected_account.connected` webhook after the flow.",
            "If there is none, send the user through the connect flow.",
        ],
    },
    Entry {
        kind: DiagnosisKind::NeedsReauthorization,
        name: "needs_reauthorization",
        title: "Connection needs reauthorization",
        root_cause: "Pipes could not keep the connection's credentials valid (the provider \
                     refused the refresh, the grant was revoked, or the token expired with no \
                     refresh token to renew it) and marked it `needs_reauthorization`; the \
                     token endpoint answers `active:false` until the user reconnects. A \
                     connection whose integration now asks for scopes it was never granted also \
                     needs the user: its token lists them under `missing_scopes`.",
        fix: &[
            "Do not retry the provider call; show the user a reconnect prompt.",
            "Start the flow with `POST /data-integrations/{slug}/authorize` using \
             `connection_intent: \"reauthorize\"` and the `connected_account_id`.",
            "If tokens expire with no refresh token, add the provider's offline-access scope to \
             the integration (`offline_access`, Salesforce `refresh_token`) so Pipes gets one; \
             connections made before the change must reconnect once.",
            "Listen for `pipes.connected_account.reauthorization_needed` to prompt users early and \
             for `pipes.connected_account.connected` to know the connection is back.",
        ],
    },
    Entry {
        kind: DiagnosisKind::TokenRevoked,
        name: "token_revoked",
        title: "Access token revoked or invalid",
        root_cause: "The provider rejected the bearer token: the user or an admin revoked the app, \
                     the app was uninstalled, or the caller used a cached token that has since \
                     been replaced (GitHub kills the old token when it rotates).",
        fix: &[
            "Do not cache provider tokens: fetch a fresh one from Pipes \
             (`POST /data-integrations/{slug}/token`) right before every provider call.",
            "Retry the call once with the fresh token.",
            "If it still fails, or Pipes answers `needs_reauthorization`, ask the user to reconnect \
             the account.",
            "Listen for the `pipes.connected_account.reauthorization_needed` and \
             `pipes.connected_account.disconnected` webhooks to learn about revocations before a \
             call fails.",
        ],
    },
    Entry {
        kind: DiagnosisKind::TokenExpired,
        name: "token_expired",
        title: "Access token expired",
        root_cause: "The token was past its lifetime when the provider saw it (about 1 h at \
                     Google, 8 h for expiring GitHub tokens, 12 h with Slack rotation, the \
                     session timeout at Salesforce), typically because it was kept in a cache or \
                     a queue instead of fetched just before use.",
        fix: &[
            "Fetch the token from `POST /data-integrations/{slug}/token` just before each call; \
             Pipes refreshes it on its side.",
            "If you hold a token at all, drop it before the `expires_at` Pipes returned.",
            "Retry once with the fresh token; if Pipes answers `needs_reauthorization`, ask the user \
             to reconnect.",
        ],
    },
    Entry {
        kind: DiagnosisKind::InsufficientScopes,
        name: "insufficient_scopes",
        title: "Insufficient scopes",
        root_cause: "The token lacks a scope or permission the endpoint needs: the integration never \
                     requested it, the user granted less, or it was added to the integration \
                     after the user connected, and an existing connection keeps the scopes it \
                     was granted.",
        fix: &[
            "Find the missing scope in the provider's answer (GitHub `X-Accepted-OAuth-Scopes`, \
             Slack `needed`, Google's `WWW-Authenticate` scope) and add it to the WorkOS \
             integration.",
            "Read `missing_scopes` in the Pipes token response: it lists what the integration asks \
             for and this connection lacks.",
            "Ask the user to re-authorize (`connection_intent: \"reauthorize\"`); until they do, the \
             connection keeps its old scopes.",
            "For Salesforce, make sure the connected app grants the `api` scope.",
        ],
    },
    Entry {
        kind: DiagnosisKind::RateLimited,
        name: "rate_limited",
        title: "Provider rate limit hit",
        root_cause: "The provider throttled calls made with this token, app or org. Pipes only hands \
                     out tokens; it does not pool or bypass provider limits, so they apply in full.",
        fix: &[
            "Wait before retrying: honour `Retry-After` when present, else GitHub's \
             `x-ratelimit-reset`, else at least a minute.",
            "Back off exponentially with jitter, cap the delay, and give up after a few attempts.",
            "Make fewer calls: cache provider responses and prefer webhooks or sync tokens to polling.",
            "For Salesforce (403 `REQUEST_LIMIT_EXCEEDED`, a rolling 24 h org-wide pool, no retry \
             hint), watch `Sforce-Limit-Info` and spread the load.",
        ],
    },
    Entry {
        kind: DiagnosisKind::ProviderUnavailable,
        name: "provider_unavailable",
        title: "Provider unavailable",
        root_cause: "The provider answered 5xx or did not answer in time; the fault is on its side \
                     or in the network, not in the integration's configuration.",
        fix: &[
            "Retry a few times with exponential backoff and jitter.",
            "Check the provider's status page before changing any configuration.",
            "Make the operation safe to repeat and show the user a temporary error when retries \
             run out.",
        ],
    },
    Entry {
        kind: DiagnosisKind::MalformedResponse,
        name: "malformed_response",
        title: "Malformed provider response",
        root_cause: "The body is not in the provider's documented format (an HTML page instead of \
                     JSON, a Salesforce error that is not an array, no token and no error), so \
                     nothing could be read from it; often a proxy, a captive portal or a wrong \
                     base URL answered instead of the provider.",
        fix: &[
            "Log the status, `Content-Type` and first bytes of the body to see who answered.",
            "Check the URL: the right API host (Salesforce's `instance_url`, not \
             `login.salesforce.com`), API version and path.",
            "Send the headers that select the format: `Accept: application/json` on GitHub's token \
             endpoint, a `User-Agent` on GitHub's API.",
            "Retry later if a proxy or an outage page answered.",
        ],
    },
    Entry {
        kind: DiagnosisKind::InvalidApiKey,
        name: "invalid_api_key",
        title: "Invalid WorkOS API key",
        root_cause: "WorkOS answered 401: `WORKOS_API_KEY` is missing, mistyped, revoked, or \
                     belongs to another environment than the integration.",
        fix: &[
            "Check that `WORKOS_API_KEY` is set in the process making the call and starts with `sk_`.",
            "Use the key of the environment (sandbox or production) where the integration and its \
             connections live.",
            "If the key leaked or was revoked, create a new one in the WorkOS dashboard under API Keys.",
            "Restart the application so it reads the new value.",
        ],
    },
    Entry {
        kind: DiagnosisKind::ProviderNotConfigured,
        name: "provider_not_configured",
        title: "Integration not configured",
        root_cause: "This WorkOS environment has no usable integration for the provider: it is \
                     missing, disabled, set up in another environment, or runs on WorkOS's shared \
                     credentials where production needs your own OAuth app.",
        fix: &[
            "In the WorkOS dashboard (Pipes), open the environment your API key belongs to and \
             check the provider's integration exists and is enabled.",
            "Use the slug shown there (`github`, `slack`, ...) in every call.",
            "For production, set custom credentials (your own OAuth app's client ID and secret) and \
             register the integration's redirect URI in that app.",
            "Check the integration's scopes, then retry.",
        ],
    },
    Entry {
        kind: DiagnosisKind::AccountSelectionRequired,
        name: "account_selection_required",
        title: "Account selection required",
        root_cause: "The call set `supports_multiple_connections=true` and the user has several \
                     connected accounts on this integration, but no `connected_account_id` said \
                     which one to use.",
        fix: &[
            "Pass `connected_account_id` on the token or credentials call.",
            "List the user's accounts (`GET /user_management/users/{user_id}/data_providers` with \
             `supports_multiple_connections=true`), let the user pick one and store the choice.",
            "If the app supports one account per user, drop `supports_multiple_connections` and \
             use the compatibility connection.",
        ],
    },
    Entry {
        kind: DiagnosisKind::MultipleConnectionsUnavailable,
        name: "multiple_connections_unavailable",
        title: "Multiple connections unavailable",
        root_cause: "A connection was added with `connection_intent: \"add\"` for an owner that \
                     already has one on this integration, and a second connection is not \
                     available there, so WorkOS answered 404 `multiple_connections_unavailable`.",
        fix: &[
            "To replace the existing connection's credentials, use \
             `connection_intent: \"reauthorize\"` with its `connected_account_id` instead of add.",
            "If several accounts per owner are really needed, confirm multiple connections are \
             available for this integration before adding, and pass \
             `supports_multiple_connections=true` on later calls.",
            "Otherwise disconnect the existing account first, then connect the new one.",
        ],
    },
    Entry {
        kind: DiagnosisKind::OrganizationMembershipRequired,
        name: "organization_membership_required",
        title: "Organization membership required",
        root_cause: "The request was for an organization's shared connection (`connection_owner: \
                     \"organization\"`), and the `user_id` acting for it is not an active member of \
                     that `organization_id`, so WorkOS answered 403 \
                     `organization_membership_required`. Only members connect, reconnect or use \
                     the organization's account.",
        fix: &[
            "Check the `user_id` and `organization_id` the app sends belong together: the signed-in \
             user and the organization they are working in, not another organization's id.",
            "If the person should have access, add them to the organization (`POST \
             /user_management/organization_memberships`) or reactivate their membership, then retry.",
            "If their membership ended on purpose, this is the intended refusal: show that only \
             members of the organization can use its shared account.",
        ],
    },
    Entry {
        kind: DiagnosisKind::WebhookSignatureInvalid,
        name: "webhook_signature_invalid",
        title: "Webhook signature invalid",
        root_cause: "The `WorkOS-Signature` header did not verify: the body was re-serialised \
                     before verification, the wrong endpoint secret was used, the timestamp is \
                     outside the tolerance, or WorkOS did not send the request.",
        fix: &[
            "Verify the raw request body bytes before parsing JSON; frameworks that parse and \
             re-encode change the signed text.",
            "Use the signing secret of this webhook endpoint from the WorkOS dashboard; each \
             endpoint has its own.",
            "Keep the default 180 s tolerance (the `t=` timestamp is in milliseconds) and keep the \
             server clock in sync.",
            "Reject the request with a 4xx on failure and never act on the event.",
        ],
    },
    Entry {
        kind: DiagnosisKind::CsrfStateMismatch,
        name: "csrf_state_mismatch",
        title: "OAuth state mismatch",
        root_cause: "The `state` returned to the callback is not the one issued when the flow \
                     started: the flow began in another browser or session, the stored state \
                     expired, two flows overlapped, or the request is forged.",
        fix: &[
            "Issue an unguessable state per flow, bind it to the user's session and compare it on \
             the callback before anything else.",
            "On mismatch reject the callback and start a new flow; never exchange the code.",
            "Check the session cookie survives the round trip (SameSite=Lax, same host and scheme) \
             and that stored state outlives the consent screen.",
        ],
    },
    Entry {
        kind: DiagnosisKind::SdkVersionMismatch,
        name: "sdk_version_mismatch",
        title: "SDK method or API route does not exist",
        root_cause: "The code calls something the WorkOS SDK or API does not have, such as \
                     `workos.pipes.makeRequest`, `listProviders` or an unknown route answered with \
                     404, usually copied from outdated or invented docs or run against an SDK \
                     older than the docs.",
        fix: &[
            "Check the installed SDK version (`npm ls @workos-inc/node`, `pip show workos`) and \
             upgrade if it predates Pipes.",
            "Use the real methods: get a token with `getAccessToken` / `get_access_token` and call \
             the provider yourself; list providers with `listUserDataProviders` / \
             `list_user_data_providers`.",
            "Compare the request path with the API reference (`/data-integrations/{slug}/token`, \
             not `/pipes/connections`).",
            "Rebuild after upgrading so no stale bundle keeps the old calls.",
        ],
    },
    Entry {
        kind: DiagnosisKind::ResourceNotFound,
        name: "resource_not_found",
        title: "Provider resource not found",
        root_cause: "The provider answered 404 in its own not-found shape: the path is misspelt \
                     or belongs to another API version, the resource (repository, channel, \
                     record) does not exist, or the connected user cannot see it (GitHub answers \
                     404 rather than 403 for private resources).",
        fix: &[
            "Compare the method and path with the provider's API reference, version segment \
             included (`/services/data/v62.0/...`, `/calendar/v3/...`).",
            "Check the resource exists and the connected account can see it in the provider's \
             own UI.",
            "For a private GitHub resource, check the connection's scopes include what the \
             endpoint needs (`repo` for private repositories).",
            "In pipes-harness scenarios the provider mocks serve the endpoints listed in the \
             README; stub any other with `Given github answers GET \"/repos/o/r\" with HTTP 200 \
             and body \"{...}\"`.",
        ],
    },
    Entry {
        kind: DiagnosisKind::InvalidRequest,
        name: "invalid_request",
        title: "Invalid request",
        root_cause: "WorkOS (400/422) or the provider rejected the request's parameters: a required \
                     field is missing, a value has the wrong type or enum value, or the JSON is \
                     malformed.",
        fix: &[
            "Read the response's `errors` (`field` and `code`) or `message` to see which field \
             failed.",
            "Compare the body with the API reference: required fields such as `user_id`, allowed \
             enum values, `Content-Type: application/json`.",
            "Fix the request before retrying; the same request fails the same way.",
        ],
    },
    Entry {
        kind: DiagnosisKind::TokenKept,
        name: "token_kept",
        title: "Access token kept instead of fetched",
        root_cause: "The app called the provider with a token it stored earlier (in memory, a \
                     cache or its database) instead of the one WorkOS hands out now. WorkOS \
                     refreshes, rotates and replaces tokens (a reconnect issues new ones), so a \
                     kept token goes stale, gets revoked, or belongs to a grant the user replaced.",
        fix: &[
            "Ask WorkOS for the token right before every provider call: `getAccessToken` (Node) / \
             `get_access_token` (Python); it is fast and refreshes when needed.",
            "Do not store access tokens in a cache, session or database; store the user id and \
             the provider slug instead.",
            "After a reconnect, nothing of the old grant may be reused.",
        ],
    },
    Entry {
        kind: DiagnosisKind::Provider401Mishandled,
        name: "provider_401_mishandled",
        title: "Provider 401 not handled",
        root_cause: "The provider rejected the token (401) although WorkOS still said the \
                     connection is active: the user revoked the app at the provider, or the token \
                     was rotated in between. The app gave up without asking WorkOS for a fresh \
                     token, or answered with an error (often a 5xx) that does not ask the user \
                     to reconnect, so the user has no way forward.",
        fix: &[
            "On a provider 401, ask WorkOS for a token once more and retry the call once (the \
             token may have been rotated since).",
            "If the provider rejects the fresh token too, stop and ask the user to reconnect: a \
             4xx page or a redirect to your connect route.",
            "Never answer a rejected token with a 5xx: nothing on your server is broken, and \
             retrying will not help.",
        ],
    },
    Entry {
        kind: DiagnosisKind::ReconnectNotOffered,
        name: "reconnect_not_offered",
        title: "Reconnect not offered",
        root_cause: "WorkOS answered the token request with `active: false` and `error: \
                     not_installed` (never connected) or `needs_reauthorization` (the grant is \
                     gone), and the app reported a generic error instead of sending the user \
                     through the connect flow.",
        fix: &[
            "Check `active` on every token answer before using the token.",
            "On `not_installed`, offer to connect: link to your connect route.",
            "On `needs_reauthorization`, ask the user to reconnect and start the flow with \
             `connection_intent: \"reauthorize\"` so the existing connection is renewed.",
            "Answer with a 4xx (or a redirect) and a message that says reconnect, never a 5xx.",
        ],
    },
    Entry {
        kind: DiagnosisKind::RetryLoop,
        name: "retry_loop",
        title: "Retrying without a bound",
        root_cause: "The app kept retrying a call that was failing (a provider down, a grant \
                     that needs the user, a rate limit) with no limit on attempts or time, so the \
                     request hung or hammered the service instead of answering.",
        fix: &[
            "Retry only what can succeed by retrying (5xx, timeouts), at most a few times, with \
             exponential backoff and jitter.",
            "Never retry `needs_reauthorization` or `not_installed`: only the user can fix them.",
            "Bound the whole request by a deadline and answer a temporary error (503) when it \
             runs out.",
        ],
    },
    Entry {
        kind: DiagnosisKind::ReturnToWrong,
        name: "return_to_wrong",
        title: "return_to missing or pointing elsewhere",
        root_cause: "The authorize request gave WorkOS no `return_to`, or one that is not the \
                     app's own return page, so after the provider's consent the browser ends up \
                     on a WorkOS error page or another site instead of back in the app.",
        fix: &[
            "Pass `return_to` on every authorize call (`authorizeDataIntegration` / \
             `authorize_data_integration`): your app's absolute return URL, e.g. \
             `https://app.example.com/pipes/return`.",
            "Build it from your app's configured public base URL (APP_BASE_URL), not from a \
             hard-coded host or another environment's URL.",
            "Serve a page at that path that tells the user the connection worked (or shows \
             `error`).",
        ],
    },
    Entry {
        kind: DiagnosisKind::WebhookBodyReserialized,
        name: "webhook_body_reserialized",
        title: "Webhook verified on a re-serialized body",
        root_cause: "The app parsed the webhook's JSON and verified the signature over its own \
                     re-encoding. WorkOS signs the exact bytes it sends; any other formatting \
                     (spaces, key order, line breaks) fails verification, so genuine events are \
                     rejected and lost.",
        fix: &[
            "Read the raw request body (Express: `express.raw({ type: 'application/json' })`; \
             Flask: `request.get_data()`) and pass those bytes to the SDK verifier.",
            "Parse the JSON only after the signature verified.",
        ],
    },
    Entry {
        kind: DiagnosisKind::WebhookToleranceTooWide,
        name: "webhook_tolerance_too_wide",
        title: "Webhook tolerance too wide",
        root_cause: "The app accepted a correctly signed delivery whose timestamp is far in the \
                     past or the future. The timestamp tolerance is the only defence against a \
                     captured delivery being replayed later; a huge tolerance (often set to \
                     silence clock-skew errors) turns it off.",
        fix: &[
            "Keep the SDK's default tolerance (180 s) on both sides of the clock.",
            "Fix clock skew with NTP instead of widening the tolerance.",
            "Node: also reject a `t` more than the tolerance ahead of now; the Node SDK only \
             checks the past.",
        ],
    },
    Entry {
        kind: DiagnosisKind::WebhookUnverified,
        name: "webhook_unverified",
        title: "Unsigned or wrongly signed webhook accepted",
        root_cause: "The app accepted a delivery WorkOS did not sign: no `WorkOS-Signature` \
                     header, a malformed one, another secret's signature, or a signature over \
                     another body. Anyone who can reach the URL can make the app act on invented \
                     events.",
        fix: &[
            "Verify every delivery with the SDK (`workos.webhooks.constructEvent` / \
             `client.webhooks.verify_event`) and this endpoint's signing secret.",
            "Answer 4xx when the header is missing or the verifier throws; never fall back to \
             accepting.",
            "Act only on the event the verifier returns.",
        ],
    },
    Entry {
        kind: DiagnosisKind::WebhookReplayAccepted,
        name: "webhook_replay_accepted",
        title: "Webhook event handled twice",
        root_cause: "The app handled a delivery whose event id it had already handled. WorkOS may \
                     deliver an event more than once (retries), and a captured delivery can be \
                     replayed within the tolerance; without remembering event ids, each copy \
                     runs the handler again.",
        fix: &[
            "Store the ids of events you handled (`event.id`), for longer than the tolerance.",
            "When an id comes again, answer 2xx with `{\"duplicate\": true}` (or a 4xx) and do \
             nothing else.",
            "Make the handler itself idempotent where possible.",
        ],
    },
    Entry {
        kind: DiagnosisKind::RetryAfterIgnored,
        name: "retry_after_ignored",
        title: "Provider Retry-After ignored",
        root_cause: "The provider answered 429 (or 403 rate limit) with `Retry-After`, and the \
                     app called it again before that time. Providers extend or escalate limits \
                     for clients that ignore it (GitHub's secondary limits can block the token).",
        fix: &[
            "Read `Retry-After` (seconds) on 429 and rate-limit 403 answers.",
            "Do not call that provider for that user again before it elapses: answer 429 or 503 \
             with the same `Retry-After`, or queue the work.",
            "Never retry a rate-limited call immediately.",
        ],
    },
    Entry {
        kind: DiagnosisKind::WorkosRateLimitIgnored,
        name: "workos_rate_limit_ignored",
        title: "WorkOS rate limit ignored",
        root_cause: "WorkOS answered the token request with 429 and `Retry-After`, and the app \
                     retried at once or reported a server error, instead of backing off.",
        fix: &[
            "Treat a WorkOS 429 as temporary: answer 503 (or 429) with the `Retry-After` WorkOS \
             gave, or retry after that delay from a background job.",
            "Do not retry immediately, and do not tell the user to reconnect: the connection is \
             fine.",
            "Avoid bursts: fetch the token once per provider call, not in loops.",
        ],
    },
];

impl DiagnosisKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [DiagnosisKind] = &[
        DiagnosisKind::RedirectUriMismatch,
        DiagnosisKind::InvalidScope,
        DiagnosisKind::AccessDenied,
        DiagnosisKind::CodeExpiredOrReused,
        DiagnosisKind::InvalidClient,
        DiagnosisKind::InvalidGrant,
        DiagnosisKind::RefreshFailed,
        DiagnosisKind::ConnectionNotFound,
        DiagnosisKind::NeedsReauthorization,
        DiagnosisKind::TokenRevoked,
        DiagnosisKind::TokenExpired,
        DiagnosisKind::InsufficientScopes,
        DiagnosisKind::RateLimited,
        DiagnosisKind::ProviderUnavailable,
        DiagnosisKind::MalformedResponse,
        DiagnosisKind::InvalidApiKey,
        DiagnosisKind::ProviderNotConfigured,
        DiagnosisKind::AccountSelectionRequired,
        DiagnosisKind::MultipleConnectionsUnavailable,
        DiagnosisKind::OrganizationMembershipRequired,
        DiagnosisKind::WebhookSignatureInvalid,
        DiagnosisKind::CsrfStateMismatch,
        DiagnosisKind::SdkVersionMismatch,
        DiagnosisKind::ResourceNotFound,
        DiagnosisKind::InvalidRequest,
        DiagnosisKind::TokenKept,
        DiagnosisKind::Provider401Mishandled,
        DiagnosisKind::ReconnectNotOffered,
        DiagnosisKind::RetryLoop,
        DiagnosisKind::ReturnToWrong,
        DiagnosisKind::WebhookBodyReserialized,
        DiagnosisKind::WebhookToleranceTooWide,
        DiagnosisKind::WebhookUnverified,
        DiagnosisKind::WebhookReplayAccepted,
        DiagnosisKind::RetryAfterIgnored,
        DiagnosisKind::WorkosRateLimitIgnored,
    ];

    fn entry(self) -> &'static Entry {
        // The tests check that CATALOGUE has exactly one entry per kind, so
        // the fallback below is unreachable in practice; it exists only so a
        // lookup can never panic.
        CATALOGUE
            .iter()
            .find(|e| e.kind == self)
            .unwrap_or(&CATALOGUE[CATALOGUE.len() - 1])
    }

    /// Stable snake_case name, used in transcripts, snapshots and Gherkin steps.
    pub fn name(self) -> &'static str {
        self.entry().name
    }

    /// One short line for humans.
    pub fn title(self) -> &'static str {
        self.entry().title
    }

    /// Why this happens, in one or two sentences.
    pub fn root_cause(self) -> &'static str {
        self.entry().root_cause
    }

    /// Ordered steps that make the failure go away.
    pub fn fix(self) -> &'static [&'static str] {
        self.entry().fix
    }
}

impl fmt::Display for DiagnosisKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The text is not the name of any diagnosis kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown diagnosis `{0}`: expected one of {names}", names = valid_names())]
pub struct UnknownDiagnosis(pub String);

fn valid_names() -> String {
    DiagnosisKind::ALL
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for DiagnosisKind {
    type Err = UnknownDiagnosis;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Case-insensitive like `ProviderKind`, because the same names are
        // typed by hand into feature files.
        let wanted = s.trim();
        DiagnosisKind::ALL
            .iter()
            .copied()
            .find(|k| k.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownDiagnosis(s.to_string()))
    }
}

/// A kind plus what was actually observed in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub kind: DiagnosisKind,
    /// What happened, in the provider's own words (status, error code, description).
    pub detail: String,
}

impl Diagnosis {
    pub fn new(kind: DiagnosisKind, detail: impl Into<String>) -> Self {
        Diagnosis {
            kind,
            detail: detail.into(),
        }
    }

    pub fn root_cause(&self) -> &'static str {
        self.kind.root_cause()
    }

    pub fn fix(&self) -> &'static [&'static str] {
        self.kind.fix()
    }

    /// Multi-line block printed next to a failing scenario.
    pub fn render(&self) -> String {
        let mut out = format!(
            "diagnosis: {} ({})\n  what happened: {}\n  root cause: {}\n  fix:",
            self.kind.name(),
            self.kind.title(),
            self.detail,
            self.kind.root_cause()
        );
        for (i, step) in self.kind.fix().iter().enumerate() {
            out.push_str(&format!("\n    {}. {}", i + 1, step));
        }
        out
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// Markdown table of every kind (`| kind | what it means | fix |`) for the README.
pub fn catalogue_markdown() -> String {
    let mut out = String::from("| kind | what it means | fix |\n|---|---|---|\n");
    for kind in DiagnosisKind::ALL {
        out.push_str(&format!(
            "| `{}` | **{}.** {} | {} |\n",
            kind.name(),
            cell(kind.title()),
            cell(kind.root_cause()),
            cell(&fix_steps_inline(*kind))
        ));
    }
    out
}

/// The steps on one line; their closing periods would read as `.;`.
fn fix_steps_inline(kind: DiagnosisKind) -> String {
    kind.fix()
        .iter()
        .map(|step| step.strip_suffix('.').unwrap_or(step))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A literal `|` would end the table cell early.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_kind_has_exactly_one_catalogue_entry() {
        assert_eq!(CATALOGUE.len(), DiagnosisKind::ALL.len());
        for kind in DiagnosisKind::ALL {
            let entries = CATALOGUE.iter().filter(|e| e.kind == *kind).count();
            assert_eq!(entries, 1, "{kind:?} has {entries} catalogue entries");
        }
    }

    #[test]
    fn all_lists_each_kind_once() {
        let set: HashSet<_> = DiagnosisKind::ALL.iter().collect();
        assert_eq!(set.len(), DiagnosisKind::ALL.len());
    }

    #[test]
    fn every_kind_name_round_trips_through_from_str() {
        for kind in DiagnosisKind::ALL {
            assert_eq!(kind.name().parse::<DiagnosisKind>(), Ok(*kind));
            assert_eq!(kind.to_string(), kind.name());
        }
    }

    #[test]
    fn names_are_unique_snake_case() {
        let mut seen = HashSet::new();
        for kind in DiagnosisKind::ALL {
            let name = kind.name();
            assert!(seen.insert(name), "duplicate name {name}");
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()),
                "{name} is not snake_case"
            );
        }
    }

    #[test]
    fn the_names_are_the_ones_the_harness_uses() {
        let names: Vec<_> = DiagnosisKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(
            names,
            [
                "redirect_uri_mismatch",
                "invalid_scope",
                "access_denied",
                "code_expired_or_reused",
                "invalid_client",
                "invalid_grant",
                "refresh_failed",
                "connection_not_found",
                "needs_reauthorization",
                "token_revoked",
                "token_expired",
                "insufficient_scopes",
                "rate_limited",
                "provider_unavailable",
                "malformed_response",
                "invalid_api_key",
                "provider_not_configured",
                "account_selection_required",
                "multiple_connections_unavailable",
                "organization_membership_required",
                "webhook_signature_invalid",
                "csrf_state_mismatch",
                "sdk_version_mismatch",
                "resource_not_found",
                "invalid_request",
                "token_kept",
                "provider_401_mishandled",
                "reconnect_not_offered",
                "retry_loop",
                "return_to_wrong",
                "webhook_body_reserialized",
                "webhook_tolerance_too_wide",
                "webhook_unverified",
                "webhook_replay_accepted",
                "retry_after_ignored",
                "workos_rate_limit_ignored",
            ]
        );
    }

    #[test]
    fn every_kind_has_a_title_a_root_cause_and_two_to_five_fix_steps() {
        for kind in DiagnosisKind::ALL {
            assert!(!kind.title().trim().is_empty(), "{kind} has no title");
            assert!(!kind.title().contains('\n'), "{kind} title is not one line");
            assert!(
                !kind.root_cause().trim().is_empty(),
                "{kind} has no root cause"
            );
            let steps = kind.fix();
            assert!(
                (2..=5).contains(&steps.len()),
                "{kind} has {} fix steps",
                steps.len()
            );
            assert!(
                steps.iter().all(|s| !s.trim().is_empty()),
                "{kind} has an empty step"
            );
        }
    }

    #[test]
    fn no_text_uses_the_event_names_that_do_not_exist() {
        for kind in DiagnosisKind::ALL {
            let text = format!("{} {}", kind.root_cause(), kind.fix().join(" "));
            assert!(!text.contains("connection.activated"), "{kind}");
            assert!(!text.contains("connection.deactivated"), "{kind}");
        }
    }

    #[test]
    fn parsing_ignores_case_and_surrounding_blanks() {
        assert_eq!(
            " Token_Revoked ".parse::<DiagnosisKind>(),
            Ok(DiagnosisKind::TokenRevoked)
        );
    }

    #[test]
    fn an_unknown_name_is_rejected_with_the_list_of_valid_names() {
        let err = "token_gone".parse::<DiagnosisKind>().unwrap_err();
        assert_eq!(err, UnknownDiagnosis("token_gone".into()));
        let msg = err.to_string();
        assert!(msg.starts_with("unknown diagnosis `token_gone`: expected one of "));
        for kind in DiagnosisKind::ALL {
            assert!(msg.contains(kind.name()), "{msg} lacks {kind}");
        }
    }

    #[test]
    fn render_prints_kind_detail_cause_and_numbered_steps() {
        let d = Diagnosis::new(
            DiagnosisKind::RedirectUriMismatch,
            "GitHub answered HTTP 200 with error=redirect_uri_mismatch",
        );
        let text = d.render();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("diagnosis: redirect_uri_mismatch (Redirect URI mismatch)")
        );
        assert_eq!(
            lines.next(),
            Some("  what happened: GitHub answered HTTP 200 with error=redirect_uri_mismatch")
        );
        assert_eq!(
            lines.next(),
            Some(format!("  root cause: {}", d.root_cause()).as_str())
        );
        assert_eq!(lines.next(), Some("  fix:"));
        let steps: Vec<_> = lines.collect();
        assert_eq!(steps.len(), d.fix().len());
        for (i, (line, step)) in steps.iter().zip(d.fix()).enumerate() {
            assert_eq!(*line, format!("    {}. {}", i + 1, step));
        }
        assert_eq!(d.to_string(), text);
    }

    #[test]
    fn redirect_uri_mismatch_fix_says_to_copy_the_uri_exactly() {
        let steps = DiagnosisKind::RedirectUriMismatch.fix().join(" ");
        assert!(steps.contains("character for character"));
        assert!(steps.contains("no trailing slash"));
    }

    #[test]
    fn token_revoked_fix_says_to_fetch_a_fresh_token_and_listen_for_webhooks() {
        let steps = DiagnosisKind::TokenRevoked.fix().join(" ");
        assert!(steps.contains("POST /data-integrations/{slug}/token"));
        assert!(steps.contains("pipes.connected_account.reauthorization_needed"));
        assert!(steps.contains("pipes.connected_account.disconnected"));
    }

    #[test]
    fn insufficient_scopes_fix_mentions_missing_scopes_and_reauthorization() {
        let steps = DiagnosisKind::InsufficientScopes.fix().join(" ");
        assert!(steps.contains("missing_scopes"));
        assert!(steps.contains("re-authorize"));
    }

    #[test]
    fn webhook_signature_fix_mentions_raw_body_secret_and_tolerance() {
        let steps = DiagnosisKind::WebhookSignatureInvalid.fix().join(" ");
        assert!(steps.contains("raw request body"));
        assert!(steps.contains("secret"));
        assert!(steps.contains("180 s"));
    }

    #[test]
    fn catalogue_markdown_lists_every_kind_once() {
        let md = catalogue_markdown();
        let mut lines = md.lines();
        assert_eq!(lines.next(), Some("| kind | what it means | fix |"));
        assert_eq!(lines.next(), Some("|---|---|---|"));
        let rows: Vec<_> = lines.collect();
        assert_eq!(rows.len(), DiagnosisKind::ALL.len());
        for (row, kind) in rows.iter().zip(DiagnosisKind::ALL) {
            assert!(row.starts_with(&format!("| `{}` |", kind.name())), "{row}");
            assert!(row.contains(&fix_steps_inline(*kind)), "{row}");
            assert!(row.contains(kind.fix()[0].trim_end_matches('.')), "{row}");
            // A stray pipe would add a column and break the table.
            assert_eq!(row.matches(" | ").count(), 2, "{row}");
        }
    }
}
