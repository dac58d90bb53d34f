//! The OAuth connect flow: authorize URL, the redirect to the provider, and
//! the callback that exchanges the code and creates the connected account.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};

use super::state::{
    AccountState, ConnectedAccount, Credentials, EnvironmentKind, PendingAuthorization,
};
use super::{
    ApiError, Ctx, Env, default_scopes, emit, json as shapes, optional_str, parse_object,
    required_str,
};
use crate::mock::providers::engine::pkce_challenge;
use crate::provider::ProviderKind;

/// `POST /data-integrations/{slug}/authorize` → `{url}`.
pub async fn authorize(
    State(ctx): State<Arc<Ctx>>,
    Extension(Env(env)): Extension<Env>,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = parse_object(&body)?;
    let user_id = required_str(&body, "user_id")?;
    let organization_id = optional_str(&body, "organization_id")?;
    let return_to = optional_str(&body, "return_to")?;
    let mut state = ctx.state();
    let env_kind = state.environments.get(&env).map(|e| e.kind);
    let integration = state
        .integrations
        .get(&(env.clone(), slug.clone()))
        .filter(|i| i.enabled)
        .ok_or_else(|| {
            ApiError::not_found("Data integration not found for the given provider slug")
        })?;
    if integration.credentials == Credentials::Shared
        && env_kind == Some(EnvironmentKind::Production)
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "shared_credentials_not_allowed",
            "Shared credentials are only available in sandbox environments. Configure custom credentials for this integration.",
        ));
    }
    if state.users.get(&user_id).is_none_or(|u| u.env != env) {
        return Err(ApiError::not_found(format!("User not found: '{user_id}'")));
    }
    let id = ctx.ids.hex(16);
    let code_verifier = ctx.ids.secret("", 64);
    ctx.http.recorder().secret("code_verifier", &code_verifier);
    let pending = PendingAuthorization {
        id: id.clone(),
        env,
        slug,
        user_id,
        organization_id,
        return_to,
        state: ctx.ids.secret("", 32),
        code_verifier,
        used: false,
    };
    state.pending.insert(id.clone(), pending);
    let url = format!(
        "{}/data-integrations/{id}/authorize-redirect",
        ctx.base_url()
    );
    Ok(axum::Json(json!({ "url": url })).into_response())
}

/// `GET /data-integrations/{id}/authorize-redirect`: the browser is sent on
/// to the provider's authorize page.
pub async fn authorize_redirect(State(ctx): State<Arc<Ctx>>, Path(id): Path<String>) -> Response {
    let state = ctx.state();
    let Some(pending) = state.pending.get(&id).filter(|p| !p.used) else {
        return error_page(
            StatusCode::NOT_FOUND,
            "This authorization link is unknown or was already used.",
        );
    };
    let Some(integration) = state
        .integrations
        .get(&(pending.env.clone(), pending.slug.clone()))
    else {
        return error_page(StatusCode::NOT_FOUND, "The integration was removed.");
    };
    let Some(link) = ctx.providers.get(&integration.slug) else {
        return error_page(StatusCode::NOT_FOUND, "No such provider.");
    };
    let client_id = match &integration.credentials {
        Credentials::Shared => link.shared_client_id.clone(),
        Credentials::Custom { client_id, .. } => client_id.clone(),
    };
    let scopes = integration
        .scopes
        .clone()
        .unwrap_or_else(|| default_scopes(link.kind));
    let separator = if link.kind == ProviderKind::Slack {
        ","
    } else {
        " "
    };
    let callback = ctx.callback_url(&integration.slug);
    let challenge = pkce_challenge(&pending.code_verifier);
    let mut params: Vec<(&str, String)> = vec![
        ("client_id", client_id),
        ("redirect_uri", callback),
        ("scope", scopes.join(separator)),
        ("state", pending.state.clone()),
    ];
    match link.kind {
        ProviderKind::Github => {}
        ProviderKind::Slack => {}
        ProviderKind::Google => {
            params.push(("response_type", "code".into()));
            params.push(("access_type", "offline".into()));
            params.push(("prompt", "consent".into()));
        }
        ProviderKind::Salesforce => params.push(("response_type", "code".into())),
    }
    params.push(("code_challenge", challenge));
    params.push(("code_challenge_method", "S256".into()));
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &params {
        ser.append_pair(k, v);
    }
    found(&format!("{}?{}", link.authorize_url, ser.finish()))
}

/// `GET /sso/callback/{slug}`: the provider sends the browser back here.
pub async fn callback(
    State(ctx): State<Arc<Ctx>>,
    Path(slug): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let Some(state_param) = q.get("state") else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "The provider did not return the state parameter.",
        );
    };
    let (pending, integration) = {
        let mut st = ctx.state();
        let Some(p) = st
            .pending
            .values_mut()
            .find(|p| p.state == *state_param && p.slug == slug && !p.used)
        else {
            return error_page(
                StatusCode::BAD_REQUEST,
                "The state parameter does not match any authorization in progress (possible CSRF, or the link was already used).",
            );
        };
        p.used = true;
        let p = p.clone();
        let Some(i) = st
            .integrations
            .get(&(p.env.clone(), p.slug.clone()))
            .cloned()
        else {
            return error_page(StatusCode::NOT_FOUND, "The integration was removed.");
        };
        (p, i)
    };
    if let Some(error) = q.get("error") {
        let description = q.get("error_description").map(String::as_str);
        return fail(
            &ctx,
            &pending,
            &integration,
            "provider_authorization_failed",
            Some(error),
            description,
        );
    }
    let Some(code) = q.get("code") else {
        return fail(
            &ctx,
            &pending,
            &integration,
            "missing_code",
            None,
            Some("The provider returned neither a code nor an error."),
        );
    };
    let Some(link) = ctx.providers.get(&slug).cloned() else {
        return error_page(StatusCode::NOT_FOUND, "No such provider.");
    };
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
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", &ctx.callback_url(&slug)),
        ("client_id", &client_id),
        ("client_secret", &client_secret),
        ("code_verifier", &pending.code_verifier),
    ];
    let reply = ctx
        .http
        .send(
            ctx.http
                .request(reqwest::Method::POST, &link.token_url)
                .header("accept", "application/json")
                .form(&form),
        )
        .await;
    let grant = match reply {
        Ok(r) => parse_token_reply(r.status, &r.body),
        Err(e) => Err(("provider_unreachable".to_string(), Some(e))),
    };
    match grant {
        Ok(g) => {
            let account = upsert_account(&ctx, &pending, &integration, g);
            emit(
                &ctx,
                &pending.env,
                "pipes.connected_account.connected",
                shapes::account_event_data(&account),
            );
            match &pending.return_to {
                Some(to) => found(to),
                None => Html("<!DOCTYPE html><html><body><h1>Connected</h1><p>You can close this window.</p></body></html>")
                    .into_response(),
            }
        }
        Err((error, description)) => fail(
            &ctx,
            &pending,
            &integration,
            "token_exchange_failed",
            Some(&error),
            description.as_deref(),
        ),
    }
}

/// A token grant as WorkOS reads it from any provider.
#[derive(Debug, Clone)]
pub struct Grant {
    /// Access token.
    pub access_token: String,
    /// Refresh token, if issued.
    pub refresh_token: Option<String>,
    /// Lifetime in seconds, if it expires.
    pub expires_in: Option<i64>,
    /// Granted scopes, if the provider said.
    pub scopes: Option<Vec<String>>,
}

/// Reads a provider token response: errors are an `error` field (GitHub with
/// HTTP 200, Google and Salesforce with 4xx) or `ok:false` (Slack, HTTP 200).
pub fn parse_token_reply(status: u16, body: &[u8]) -> Result<Grant, (String, Option<String>)> {
    let v: Value = serde_json::from_slice(body).map_err(|_| {
        (
            "invalid_provider_response".to_string(),
            Some(format!(
                "the token endpoint answered HTTP {status} with a body that is not JSON"
            )),
        )
    })?;
    if let Some(err) = v.get("error").and_then(Value::as_str) {
        let description = v
            .get("error_description")
            .and_then(Value::as_str)
            .map(str::to_string);
        return Err((err.to_string(), description));
    }
    if v.get("ok") == Some(&Value::Bool(false)) {
        return Err(("provider_error".to_string(), None));
    }
    if !(200..300).contains(&status) {
        return Err(("provider_error".to_string(), Some(format!("HTTP {status}"))));
    }
    // Slack user tokens live under authed_user.
    let src = if v.get("access_token").is_none() {
        v.get("authed_user").unwrap_or(&v)
    } else {
        &v
    };
    let access_token = src
        .get("access_token")
        .and_then(Value::as_str)
        .ok_or((
            "invalid_provider_response".to_string(),
            Some("no access_token in the token response".to_string()),
        ))?
        .to_string();
    let scopes = src.get("scope").and_then(Value::as_str).map(|s| {
        s.split([',', ' '])
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    });
    Ok(Grant {
        access_token,
        refresh_token: src
            .get("refresh_token")
            .and_then(Value::as_str)
            .map(str::to_string),
        expires_in: src.get("expires_in").and_then(Value::as_i64),
        scopes,
    })
}

fn upsert_account(
    ctx: &Ctx,
    pending: &PendingAuthorization,
    integration: &super::state::Integration,
    g: Grant,
) -> ConnectedAccount {
    let now = ctx.clock.now_ms();
    let requested = integration
        .scopes
        .clone()
        .unwrap_or_else(|| default_scopes(integration.provider));
    let mut st = ctx.state();
    let existing = st
        .find_account(
            &pending.env,
            &pending.slug,
            &pending.user_id,
            pending.organization_id.as_deref(),
        )
        .map(|a| a.id.clone());
    let id = existing.unwrap_or_else(|| ctx.ids.id("data_installation"));
    let created_ms = st.accounts.get(&id).map(|a| a.created_ms).unwrap_or(now);
    let account = ConnectedAccount {
        id: id.clone(),
        env: pending.env.clone(),
        integration_id: integration.id.clone(),
        slug: pending.slug.clone(),
        user_id: Some(pending.user_id.clone()),
        organization_id: pending.organization_id.clone(),
        scopes: g.scopes.unwrap_or(requested),
        state: AccountState::Connected,
        access_token: Some(g.access_token),
        refresh_token: g.refresh_token,
        expires_ms: g.expires_in.map(|s| now + s * 1000),
        account_identifier: None,
        account_display_name: None,
        created_ms,
        updated_ms: now,
    };
    st.accounts.insert(id, account.clone());
    account
}

fn fail(
    ctx: &Ctx,
    pending: &PendingAuthorization,
    integration: &super::state::Integration,
    error_code: &str,
    provider_error: Option<&str>,
    description: Option<&str>,
) -> Response {
    let data = shapes::connection_failed_data(
        integration,
        &pending.user_id,
        pending.organization_id.as_deref(),
        error_code,
        provider_error,
        description,
        ctx.clock.now_ms(),
    );
    emit(
        ctx,
        &pending.env,
        "pipes.connected_account.connection_failed",
        data,
    );
    match &pending.return_to {
        Some(to) => {
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            ser.append_pair("error", provider_error.unwrap_or(error_code));
            if let Some(d) = description {
                ser.append_pair("error_description", d);
            }
            let sep = if to.contains('?') { '&' } else { '?' };
            found(&format!("{to}{sep}{}", ser.finish()))
        }
        None => error_page(StatusCode::BAD_REQUEST, description.unwrap_or(error_code)),
    }
}

/// A 302, as WorkOS and the providers answer (axum's `Redirect::to` is a 303).
fn found(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [(axum::http::header::LOCATION, location.to_string())],
    )
        .into_response()
}

fn error_page(status: StatusCode, message: &str) -> Response {
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    (
        status,
        Html(format!(
            "<!DOCTYPE html><html><body><h1>Connection failed</h1><p>{escaped}</p></body></html>"
        )),
    )
        .into_response()
}
