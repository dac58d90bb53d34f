//! Handing out credentials: `POST /data-integrations/{slug}/token` (OAuth
//! access tokens) and `POST /data-integrations/{slug}/credentials` (every
//! auth method), with server-side refresh.
//!
//! Both answer HTTP 200 with `active: false, error: not_installed` when the
//! owner has no connection and `needs_reauthorization` when the connection
//! cannot be used; those are data, not errors. An OAuth token that expires
//! within [`REFRESH_SKEW_MS`] is refreshed with the provider's token endpoint
//! first; a refused or impossible refresh moves the connection to
//! `needs_reauthorization` and emits
//! `pipes.connected_account.reauthorization_needed`. A provider that is only
//! unavailable for now (no answer, a 5xx, a rate limit) does not end the
//! grant: the request gets a retryable 503 `service_unavailable` (with the
//! provider's `Retry-After` when it gave one), the connection stays
//! `connected`, and the next request refreshes again. A client-credentials
//! connection mints its token the same way, with `grant_type=client_credentials`.
//! `/token` on an API-key or client-credentials connection answers 400
//! `auth_method_not_supported` (those have no OAuth token; `/credentials`
//! serves them).

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;

use super::connect::{parse_token_reply, token_request};
use super::errors::ApiError;
use super::extract::{Fields, JsonBody, PathParams};
use super::json as shapes;
use super::resolve::{self, Selector};
use super::state::{AccountState, AuthMethod, ConnectedAccount, Integration};
use super::{Ctx, Env, ok, ok_json};
use crate::provider::ProviderKind;

/// Tokens expiring sooner than this are refreshed before being handed out.
pub const REFRESH_SKEW_MS: i64 = 60_000;

/// What a token or credentials request resolved to.
enum Resolved {
    /// No connection, or one that needs reauthorization: the inactive answer.
    Inactive(&'static str),
    /// The answer, written under the lock: an OAuth connection whose token
    /// needs no refresh, asked for by `/token`.
    Ready(Vec<u8>),
    /// A usable connection.
    Account(Box<(ConnectedAccount, Integration, Vec<String>)>),
}

/// The connection `body` asks for. With `answer_fresh` (`/token`), an OAuth
/// connection whose token is good as it is is answered at once, under the
/// lock, with nothing cloned: the common case of a busy client.
async fn resolve_request(
    ctx: &Ctx,
    env: &str,
    slug: &str,
    body: &Fields,
    answer_fresh: bool,
) -> Result<Resolved, ApiError> {
    let user_id = body.req_str("user_id")?;
    let org = body.opt_str("organization_id")?;
    let connection_owner = body.connection_owner()?;
    let sel = Selector {
        connected_account_id: body.opt_str("connected_account_id")?,
        multiple: body
            .opt_bool("supports_multiple_connections")?
            .unwrap_or(false),
    };
    let now = ctx.clock.now_ms();
    let st = ctx.state();
    let integration = resolve::integration_ref(&st, env, slug, connection_owner)?;
    resolve::usable(&st, env, integration, org.as_deref())?;
    let owner = resolve::owner(&st, env, integration, Some(&user_id), org.as_deref())?;
    let account = resolve::select_ref(&st, &integration.id, &owner, &sel)?;
    let requested = resolve::requested_scopes(&st, integration, org.as_deref());
    Ok(match account {
        None => Resolved::Inactive("not_installed"),
        Some(a) if a.state != AccountState::Connected => {
            Resolved::Inactive("needs_reauthorization")
        }
        Some(a) if answer_fresh && a.auth_method == AuthMethod::OAuth && usable_now(a, now) => {
            Resolved::Ready(super::json_bytes(&shapes::AccessTokenJson::new(
                a.access_token.as_deref().unwrap_or_default(),
                a.expires_ms,
                &a.scopes,
                &missing(&requested, &a.scopes),
            )))
        }
        Some(a) => Resolved::Account(Box::new((a.clone(), integration.clone(), requested))),
    })
}

/// Whether `account`'s token is good for at least [`REFRESH_SKEW_MS`] at `now`.
fn usable_now(account: &ConnectedAccount, now: i64) -> bool {
    account.access_token.is_some() && account.expires_ms.is_none_or(|e| e > now + REFRESH_SKEW_MS)
}

fn missing(requested: &[String], granted: &[String]) -> Vec<String> {
    requested
        .iter()
        .filter(|s| !granted.contains(s))
        .cloned()
        .collect()
}

/// `POST /data-integrations/{slug}/token`.
pub async fn token(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(slug): PathParams<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let (account, integration, requested) =
        match resolve_request(&ctx, &env, &slug, &body, true).await? {
            Resolved::Inactive(error) => return Ok(ok(shapes::inactive(error))),
            Resolved::Ready(bytes) => return Ok(super::ok_bytes(bytes)),
            Resolved::Account(found) => *found,
        };
    if account.auth_method != AuthMethod::OAuth {
        return Err(ApiError::bad_request(
            "auth_method_not_supported",
            format!(
                "This {slug} connection uses {}; it has no OAuth access token. Use POST /data-integrations/{slug}/credentials.",
                account.auth_method.as_str()
            ),
        ));
    }
    let account = match fresh(&ctx, &env, account, &integration).await {
        Ok(account) => account,
        Err(Stale::NeedsReauthorization) => {
            return Ok(ok(shapes::inactive("needs_reauthorization")));
        }
        Err(Stale::Unavailable(e)) => return Err(e),
    };
    Ok(ok_json(&shapes::AccessTokenJson::new(
        account.access_token.as_deref().unwrap_or_default(),
        account.expires_ms,
        &account.scopes,
        &missing(&requested, &account.scopes),
    )))
}

/// `POST /data-integrations/{slug}/credentials`.
pub async fn credentials(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(slug): PathParams<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let (account, integration, requested) =
        match resolve_request(&ctx, &env, &slug, &body, false).await? {
            Resolved::Inactive(error) => return Ok(ok(shapes::inactive(error))),
            // Only `/token` asks for an answer written under the lock.
            Resolved::Ready(bytes) => return Ok(super::ok_bytes(bytes)),
            Resolved::Account(found) => *found,
        };
    match account.auth_method {
        AuthMethod::ApiKey => {
            let value = account.api_key.clone().unwrap_or_default();
            Ok(ok(shapes::credential(&account, &value, &[])))
        }
        AuthMethod::OAuth | AuthMethod::ClientCredentials => {
            let account = match fresh(&ctx, &env, account, &integration).await {
                Ok(account) => account,
                Err(Stale::NeedsReauthorization) => {
                    return Ok(ok(shapes::inactive("needs_reauthorization")));
                }
                Err(Stale::Unavailable(e)) => return Err(e),
            };
            let value = account.access_token.clone().unwrap_or_default();
            let missing = if account.auth_method == AuthMethod::OAuth {
                missing(&requested, &account.scopes)
            } else {
                Vec::new()
            };
            Ok(ok(shapes::credential(&account, &value, &missing)))
        }
    }
}

/// Why a connection's token could not be made fresh.
enum Stale {
    /// The provider refused: the user must reconnect (the connection was
    /// marked and the event emitted).
    NeedsReauthorization,
    /// The provider is unavailable for now: the answer to give, untouched state.
    Unavailable(ApiError),
}

/// Why a renewal failed.
enum RenewError {
    /// Refused, or impossible (no refresh token, no app): a dead grant.
    Refused,
    /// No answer, a 5xx or a rate limit from the provider: try again later.
    Unavailable {
        /// What the provider did, for the message.
        what: String,
        /// The provider's `Retry-After`, in seconds, when it gave one.
        retry_after: Option<u64>,
    },
}

/// The account with a token good for at least [`REFRESH_SKEW_MS`]; a
/// refused refresh marks it `needs_reauthorization` (and emits the event),
/// an unavailable provider leaves it as it is.
async fn fresh(
    ctx: &Ctx,
    env: &str,
    account: ConnectedAccount,
    integration: &Integration,
) -> Result<ConnectedAccount, Stale> {
    if usable_now(&account, ctx.clock.now_ms()) {
        return Ok(account);
    }
    match renew(ctx, &account, integration).await {
        Ok(updated) => Ok(updated),
        Err(RenewError::Refused) => {
            needs_reauthorization(ctx, env, &account.id, None);
            ctx.flush().await;
            Err(Stale::NeedsReauthorization)
        }
        Err(RenewError::Unavailable { what, retry_after }) => {
            let mut e = ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
                format!(
                    "The {} token endpoint is unavailable ({what}); the connection is unchanged. Retry the request.",
                    integration.slug
                ),
            );
            e.retry_after = retry_after;
            Err(Stale::Unavailable(e))
        }
    }
}

/// Whether a token endpoint's answer means "not now" rather than "no":
/// a 5xx, a 429, or a 403 that is a rate limit (`x-ratelimit-remaining: 0`,
/// "rate limit" in the text, or the provider's own rate-limit code).
fn unavailable(kind: Option<ProviderKind>, reply: &crate::transcript::HttpResponse) -> bool {
    let body = String::from_utf8_lossy(&reply.body).to_lowercase();
    let own_code = kind.is_some_and(|k| {
        crate::providers::spec(k)
            .rate_limit_codes
            .iter()
            .any(|code| body.contains(&code.to_lowercase()))
    });
    reply.status >= 500
        || reply.status == 429
        || (reply.status == 403
            && (reply.header("x-ratelimit-remaining") == Some("0")
                || body.contains("rate limit")
                || own_code))
}

/// Moves a connection to `needs_reauthorization` (with `reason`) and emits the event.
pub fn needs_reauthorization(ctx: &Ctx, env: &str, account_id: &str, reason: Option<&str>) {
    let failed = {
        let mut st = ctx.state();
        let Some(a) = st.accounts.get_mut(account_id) else {
            return;
        };
        if a.state == AccountState::NeedsReauthorization {
            return;
        }
        a.state = AccountState::NeedsReauthorization;
        a.state_reason = reason.map(str::to_string);
        a.updated_ms = ctx.clock.now_ms();
        a.clone()
    };
    ctx.emit(
        env,
        "pipes.connected_account.reauthorization_needed",
        shapes::account_event_data(&failed),
    );
}

/// Gets a new token from the provider: a refresh for OAuth, a
/// client-credentials grant for client credentials.
async fn renew(
    ctx: &Ctx,
    account: &ConnectedAccount,
    integration: &Integration,
) -> Result<ConnectedAccount, RenewError> {
    let app = {
        let st = ctx.state();
        let mut app = resolve::oauth_app(ctx, &st, integration, account.organization_id.as_deref())
            .map_err(|_| RenewError::Refused)?;
        if account.auth_method == AuthMethod::ClientCredentials {
            app.client_id = account.client_id.clone().ok_or(RenewError::Refused)?;
            app.client_secret = account.client_secret.clone().ok_or(RenewError::Refused)?;
        }
        app
    };
    let reply = if account.auth_method == AuthMethod::ClientCredentials {
        let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
        super::custom_providers::client_credentials(&app, &mut form);
        token_request(ctx, &app, &app.token_url, &form).await
    } else {
        let refresh_token = account.refresh_token.clone().ok_or(RenewError::Refused)?;
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.as_str()),
        ];
        super::custom_providers::client_credentials(&app, &mut form);
        token_request(ctx, &app, &app.refresh_url, &form).await
    }
    .map_err(|e| RenewError::Unavailable {
        what: format!("no answer: {e}"),
        retry_after: None,
    })?;
    if unavailable(app.kind, &reply) {
        return Err(RenewError::Unavailable {
            what: format!("it answered HTTP {}", reply.status),
            retry_after: reply
                .header("retry-after")
                .and_then(|v| v.trim().parse().ok()),
        });
    }
    let grant = parse_token_reply(reply.status, &reply.body).map_err(|_| RenewError::Refused)?;
    let recorder = ctx.http.recorder();
    recorder.secret("access_token", &grant.access_token);
    if let Some(rt) = &grant.refresh_token {
        recorder.secret("refresh_token", rt);
    }
    let now = ctx.clock.now_ms();
    let mut st = ctx.state();
    let a = st
        .accounts
        .get_mut(&account.id)
        .ok_or(RenewError::Refused)?;
    a.access_token = Some(grant.access_token);
    if let Some(rt) = grant.refresh_token {
        a.refresh_token = Some(rt);
    }
    a.expires_ms = grant.expires_in.map(|s| now + s * 1000);
    if let Some(scopes) = grant.scopes {
        a.scopes = scopes;
    }
    a.updated_ms = now;
    Ok(a.clone())
}
