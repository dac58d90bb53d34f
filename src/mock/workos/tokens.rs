//! The access-token endpoint (with server-side refresh) and connected-account reads.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::connect::parse_token_reply;
use super::state::{AccountState, Credentials};
use super::{
    ApiError, Ctx, Env, default_scopes, emit, json as shapes, optional_str, parse_object,
    required_str,
};

/// Tokens expiring sooner than this are refreshed before being handed out.
const REFRESH_SKEW_MS: i64 = 60_000;

/// `POST /data-integrations/{slug}/token`.
pub async fn token(
    State(ctx): State<Arc<Ctx>>,
    Extension(Env(env)): Extension<Env>,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = parse_object(&body)?;
    let user_id = required_str(&body, "user_id")?;
    let org = optional_str(&body, "organization_id")?;
    let (account, integration) = {
        let st = ctx.state();
        let integration = st
            .integrations
            .get(&(env.clone(), slug.clone()))
            .cloned()
            .ok_or_else(|| {
                ApiError::not_found("Data integration not found for the given provider slug")
            })?;
        let account = st
            .find_account(&env, &slug, &user_id, org.as_deref())
            .cloned();
        (account, integration)
    };
    let Some(mut account) = account else {
        return Ok(axum::Json(shapes::inactive("not_installed")).into_response());
    };
    if account.state != AccountState::Connected {
        return Ok(axum::Json(shapes::inactive("needs_reauthorization")).into_response());
    }
    let now = ctx.clock.now_ms();
    if account
        .expires_ms
        .is_some_and(|e| e <= now + REFRESH_SKEW_MS)
    {
        match refresh(&ctx, &account, &integration).await {
            Ok(updated) => account = updated,
            Err(()) => {
                let failed = {
                    let mut st = ctx.state();
                    let a = st
                        .accounts
                        .get_mut(&account.id)
                        .ok_or_else(|| ApiError::not_found("Connected account not found"))?;
                    a.state = AccountState::NeedsReauthorization;
                    a.updated_ms = ctx.clock.now_ms();
                    a.clone()
                };
                emit(
                    &ctx,
                    &env,
                    "pipes.connected_account.reauthorization_needed",
                    shapes::account_event_data(&failed),
                );
                return Ok(axum::Json(shapes::inactive("needs_reauthorization")).into_response());
            }
        }
    }
    let requested = integration
        .scopes
        .clone()
        .unwrap_or_else(|| default_scopes(integration.provider));
    let missing: Vec<String> = requested
        .into_iter()
        .filter(|s| !account.scopes.contains(s))
        .collect();
    let token = account.access_token.clone().unwrap_or_default();
    Ok(axum::Json(shapes::access_token(
        &token,
        account.expires_ms,
        &account.scopes,
        &missing,
    ))
    .into_response())
}

/// Refreshes with the provider's token endpoint. `Err` means the account
/// needs reauthorization (no refresh token, or the provider refused it).
async fn refresh(
    ctx: &Ctx,
    account: &super::state::ConnectedAccount,
    integration: &super::state::Integration,
) -> Result<super::state::ConnectedAccount, ()> {
    let refresh_token = account.refresh_token.clone().ok_or(())?;
    let link = ctx.providers.get(&integration.slug).cloned().ok_or(())?;
    let (client_id, client_secret) = match &integration.credentials {
        Credentials::Shared => (
            link.shared_client_id.clone(),
            link.shared_client_secret.clone(),
        ),
        Credentials::Custom {
            client_id,
            client_secret,
        } => (client_id.clone(), client_secret.clone()),
    };
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.as_str()),
        ("client_id", client_id.as_str()),
        ("client_secret", client_secret.as_str()),
    ];
    let reply = ctx
        .http
        .send(
            ctx.http
                .request(reqwest::Method::POST, &link.token_url)
                .header("accept", "application/json")
                .form(&form),
        )
        .await
        .map_err(|_| ())?;
    let grant = parse_token_reply(reply.status, &reply.body).map_err(|_| ())?;
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

/// `GET /user_management/users/{user_id}/connected_accounts/{slug}`.
pub async fn get_user_connected_account(
    State(ctx): State<Arc<Ctx>>,
    Extension(Env(env)): Extension<Env>,
    Path((user_id, slug)): Path<(String, String)>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Result<axum::Json<Value>, ApiError> {
    let st = ctx.state();
    let org = q.get("organization_id").map(String::as_str);
    st.find_account(&env, &slug, &user_id, org)
        .map(|a| axum::Json(shapes::connected_account(a)))
        .ok_or_else(|| ApiError::not_found("Connected account not found"))
}
