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
//! `pipes.connected_account.reauthorization_needed`. A client-credentials
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
use super::{Ctx, Env, ok};

/// Tokens expiring sooner than this are refreshed before being handed out.
pub const REFRESH_SKEW_MS: i64 = 60_000;

/// What a token or credentials request resolved to.
enum Resolved {
    /// No connection, or one that needs reauthorization: the inactive answer.
    Inactive(&'static str),
    /// A usable connection.
    Account(Box<(ConnectedAccount, Integration, Vec<String>)>),
}

async fn resolve_request(
    ctx: &Ctx,
    env: &str,
    slug: &str,
    body: &Fields,
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
    let (account, integration, requested) = {
        let st = ctx.state();
        let integration = resolve::integration(&st, env, slug, connection_owner)?;
        resolve::usable(&st, env, &integration, org.as_deref())?;
        let owner = resolve::owner(&st, env, &integration, Some(&user_id), org.as_deref())?;
        let account = resolve::select(&st, &integration.id, &owner, &sel)?;
        let requested = resolve::requested_scopes(&st, &integration, org.as_deref());
        (account, integration, requested)
    };
    Ok(match account {
        None => Resolved::Inactive("not_installed"),
        Some(a) if a.state != AccountState::Connected => {
            Resolved::Inactive("needs_reauthorization")
        }
        Some(a) => Resolved::Account(Box::new((a, integration, requested))),
    })
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
    let (account, integration, requested) = match resolve_request(&ctx, &env, &slug, &body).await? {
        Resolved::Inactive(error) => return Ok(ok(shapes::inactive(error))),
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
    let Some(account) = fresh(&ctx, &env, account, &integration).await else {
        return Ok(ok(shapes::inactive("needs_reauthorization")));
    };
    let token = account.access_token.clone().unwrap_or_default();
    Ok(ok(shapes::access_token(
        &token,
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
    let (account, integration, requested) = match resolve_request(&ctx, &env, &slug, &body).await? {
        Resolved::Inactive(error) => return Ok(ok(shapes::inactive(error))),
        Resolved::Account(found) => *found,
    };
    match account.auth_method {
        AuthMethod::ApiKey => {
            let value = account.api_key.clone().unwrap_or_default();
            Ok(ok(shapes::credential(&account, &value, &[])))
        }
        AuthMethod::OAuth | AuthMethod::ClientCredentials => {
            let Some(account) = fresh(&ctx, &env, account, &integration).await else {
                return Ok(ok(shapes::inactive("needs_reauthorization")));
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

/// The account with a token good for at least [`REFRESH_SKEW_MS`], or
/// `None` after marking it `needs_reauthorization` (and emitting the event).
async fn fresh(
    ctx: &Ctx,
    env: &str,
    account: ConnectedAccount,
    integration: &Integration,
) -> Option<ConnectedAccount> {
    let now = ctx.clock.now_ms();
    let usable = account.access_token.is_some()
        && account.expires_ms.is_none_or(|e| e > now + REFRESH_SKEW_MS);
    if usable {
        return Some(account);
    }
    match renew(ctx, &account, integration).await {
        Ok(updated) => Some(updated),
        Err(()) => {
            needs_reauthorization(ctx, env, &account.id, None);
            ctx.flush().await;
            None
        }
    }
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
/// client-credentials grant for client credentials. `Err` means the
/// connection needs reauthorization.
async fn renew(
    ctx: &Ctx,
    account: &ConnectedAccount,
    integration: &Integration,
) -> Result<ConnectedAccount, ()> {
    let app = {
        let st = ctx.state();
        let mut app = resolve::oauth_app(ctx, &st, integration, account.organization_id.as_deref())
            .map_err(|_| ())?;
        if account.auth_method == AuthMethod::ClientCredentials {
            app.client_id = account.client_id.clone().ok_or(())?;
            app.client_secret = account.client_secret.clone().ok_or(())?;
        }
        app
    };
    let reply = if account.auth_method == AuthMethod::ClientCredentials {
        let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
        if !app.basic_auth {
            form.push(("client_id", &app.client_id));
            form.push(("client_secret", &app.client_secret));
        }
        token_request(ctx, &app, &app.token_url, &form).await
    } else {
        let refresh_token = account.refresh_token.clone().ok_or(())?;
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.as_str()),
        ];
        if !app.basic_auth {
            form.push(("client_id", &app.client_id));
            form.push(("client_secret", &app.client_secret));
        }
        token_request(ctx, &app, &app.refresh_url, &form).await
    }
    .map_err(|_| ())?;
    let grant = parse_token_reply(reply.status, &reply.body).map_err(|_| ())?;
    let recorder = ctx.http.recorder();
    recorder.secret("access_token", &grant.access_token);
    if let Some(rt) = &grant.refresh_token {
        recorder.secret("refresh_token", rt);
    }
    let now = ctx.clock.now_ms();
    let mut st = ctx.state();
    let a = st.accounts.get_mut(&account.id).ok_or(())?;
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
