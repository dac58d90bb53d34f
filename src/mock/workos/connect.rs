//! The OAuth connect flow: authorize URL, the redirect to the provider, and
//! the callback that exchanges the code and creates the connected account.
//!
//! `POST /data-integrations/{slug}/authorize` validates everything it can up
//! front (user, organization and membership, integration enabled and usable
//! in this environment, connection intent), so the browser only walks a
//! flow that can succeed. The callback then exchanges the code with the
//! provider's token endpoint over HTTP and emits
//! `pipes.connected_account.connected`, or `.connection_failed` with the
//! provider's error.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};

use super::errors::ApiError;
use super::extract::{JsonBody, PathParams};
use super::json::{self as shapes, Failure};
use super::resolve::{self, OAuthApp};
use super::state::{
    AccountState, ConnectedAccount, ConnectionRole, Integration, Intent, Owner, Ownership,
    PendingAuthorization,
};
use super::{Ctx, Env, ok};
use crate::providers::engine::oauth::pkce_challenge;

/// How long a `connect_code` works after the redirect to `return_to`.
const CONNECT_CODE_TTL_MS: i64 = 90_000;

/// `POST /data-integrations/{slug}/authorize` → `{url, state}` (and
/// `completion: finish_required` with a `code_challenge`).
pub async fn authorize(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(slug): PathParams<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let user_id = body.req_str("user_id")?;
    let organization_id = body.opt_str("organization_id")?;
    let connection_owner = body.connection_owner()?;
    let return_to = body.opt_str("return_to")?;
    let intent = body.opt_enum("connection_intent", &["add", "reauthorize"])?;
    let connected_account_id = body.opt_str("connected_account_id")?;
    let account_display_name = body.opt_str("account_display_name")?;
    let code_challenge = body.opt_str("code_challenge")?;
    let method = body.opt_enum("code_challenge_method", &["S256"])?;
    body.opt_str_map("config")?;
    if method.is_some() && code_challenge.is_none() {
        return Err(ApiError::invalid_field(
            "code_challenge_method",
            "invalid",
            "code_challenge_method requires code_challenge.",
        ));
    }
    if let Some(challenge) = &code_challenge {
        let Some(to) = &return_to else {
            return Err(ApiError::unprocessable(&[("return_to", "required")]));
        };
        // It must match a registered redirect URI exactly, and one with a
        // query string or fragment never does.
        if to.contains('?') || to.contains('#') {
            return Err(ApiError::invalid_field(
                "return_to",
                "invalid",
                format!(
                    "With code_challenge, return_to must exactly match a registered redirect URI, which has no query string or fragment; got '{to}'."
                ),
            ));
        }
        let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if challenge.len() != 43 || !challenge.chars().all(base64url) {
            return Err(ApiError::invalid_field(
                "code_challenge",
                "invalid",
                "code_challenge must be the base64url-encoded SHA-256 of the code_verifier (43 characters, no padding).",
            ));
        }
    }
    if let Some(to) = &return_to
        && url::Url::parse(to)
            .map(|u| u.host_str().is_none())
            .unwrap_or(true)
    {
        return Err(ApiError::invalid_field(
            "return_to",
            "invalid",
            format!("return_to must be an absolute URL; got '{to}'."),
        ));
    }
    let intent = match (intent.as_deref(), connected_account_id) {
        (Some("reauthorize"), None) => {
            return Err(ApiError::unprocessable(&[(
                "connected_account_id",
                "required",
            )]));
        }
        (Some("reauthorize"), Some(id)) => Intent::Reauthorize(id),
        (Some(_), _) => Intent::Add,
        (None, Some(id)) => Intent::Reauthorize(id),
        (None, None) => Intent::Default,
    };
    let mut st = ctx.state();
    let integration = resolve::integration(&st, &env, &slug, connection_owner)?;
    resolve::usable(&st, &env, &integration, organization_id.as_deref())?;
    if !integration
        .auth_methods
        .contains(&super::state::AuthMethod::OAuth)
    {
        return Err(ApiError::bad_request(
            "auth_method_not_supported",
            format!(
                "The {slug} integration does not connect with OAuth; install credentials with the api-key or client-credentials endpoints."
            ),
        ));
    }
    let owner = resolve::owner(
        &st,
        &env,
        &integration,
        Some(&user_id),
        organization_id.as_deref(),
    )?;
    match &intent {
        Intent::Add => {
            resolve::role_for_add(&st, &env, &integration, &owner)?;
        }
        Intent::Reauthorize(id) => {
            let sel = resolve::Selector {
                connected_account_id: Some(id.clone()),
                multiple: true,
            };
            resolve::select(&st, &integration.id, &owner, &sel)?;
        }
        Intent::Default => {}
    }
    resolve::oauth_app(&ctx, &st, &integration, organization_id.as_deref())?;
    super::custom_providers::check_scopes(&st, &integration, organization_id.as_deref())?;
    let id = ctx.ids.hex(16);
    let code_verifier = ctx.ids.secret("", 64);
    ctx.http.recorder().secret("code_verifier", &code_verifier);
    let app_state = ctx.ids.handle(32);
    ctx.http.recorder().secret("state", &app_state);
    let pending = PendingAuthorization {
        id: id.clone(),
        env,
        slug,
        integration_id: integration.id.clone(),
        user_id,
        organization_id,
        intent,
        account_display_name,
        return_to,
        state: ctx.ids.secret("", 32),
        code_verifier,
        used: false,
        app_state: app_state.clone(),
        code_challenge: code_challenge.clone(),
    };
    st.add_pending(pending, ctx.clock.now_ms());
    let url = format!(
        "{}/data-integrations/{id}/authorize-redirect",
        ctx.base_url()
    );
    let mut answer = json!({ "url": url, "state": app_state });
    if code_challenge.is_some() {
        answer["completion"] = json!("finish_required");
    }
    Ok(ok(answer))
}

/// `POST /data-integrations/finish`: saves a connection held for the app's
/// PKCE verifier → `{connected_account}`.
pub async fn finish(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    // This route answers a malformed request with 400 (its documented
    // errors have no 422).
    let field = |name: &str| {
        body.opt_str(name).ok().flatten().ok_or_else(|| {
            ApiError::bad_request(
                "invalid_request_parameters",
                format!("{name} is required and must be a string."),
            )
        })
    };
    let connect_code = field("connect_code")?;
    let verifier = field("code_verifier")?;
    let verifier_chars = |c: char| c.is_ascii_alphanumeric() || "-._~".contains(c);
    if !(43..=128).contains(&verifier.len()) || !verifier.chars().all(verifier_chars) {
        return Err(ApiError::bad_request(
            "invalid_request_parameters",
            "code_verifier must be 43 to 128 characters from A-Z, a-z, 0-9, '-', '.', '_' and '~'.",
        ));
    }
    let invalid_code = || {
        ApiError::bad_request(
            "invalid_connect_code",
            "The connect_code is unknown, was already used or has expired; the user has to connect again.",
        )
    };
    let held = {
        let mut st = ctx.state();
        // Another environment's key cannot touch this environment's code.
        if st
            .held
            .get(&connect_code)
            .is_none_or(|h| h.pending.env != env)
        {
            return Err(invalid_code());
        }
        // One use, whatever the outcome: a wrong verifier uses the code up.
        let held = st.held.remove(&connect_code).ok_or_else(invalid_code)?;
        if ctx.clock.now_ms() > held.expires_ms {
            return Err(invalid_code());
        }
        held
    };
    if held.pending.code_challenge.as_deref() != Some(pkce_challenge(&verifier).as_str()) {
        return Err(ApiError::bad_request(
            "invalid_code_verifier",
            "The code_verifier does not match the code_challenge sent to authorize; the connect_code is used up and the user has to connect again.",
        ));
    }
    let integration = ctx
        .state()
        .integrations
        .get(&held.pending.integration_id)
        .cloned()
        .ok_or_else(invalid_code)?;
    let account = store_grant(&ctx, &held.pending, &integration, held.grant);
    ctx.emit(
        &held.pending.env,
        "pipes.connected_account.connected",
        shapes::account_event_data(&account),
    );
    ctx.flush().await;
    Ok(ok(
        json!({ "connected_account": shapes::connected_account(&account) }),
    ))
}

/// `GET /data-integrations/{id}/authorize-redirect`: the browser is sent on
/// to the provider's authorize page.
pub async fn authorize_redirect(
    State(ctx): State<Arc<Ctx>>,
    PathParams(id): PathParams<String>,
) -> Response {
    let st = ctx.state();
    let Some(pending) = st.pending.get(&id).filter(|p| !p.used) else {
        return error_page(
            StatusCode::NOT_FOUND,
            "This authorization link is unknown or was already used.",
        );
    };
    let Some(integration) = st.integrations.get(&pending.integration_id) else {
        return error_page(StatusCode::NOT_FOUND, "The integration was removed.");
    };
    let app = match resolve::oauth_app(&ctx, &st, integration, pending.organization_id.as_deref()) {
        Ok(app) => app,
        Err(e) => {
            let message = e
                .body
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("The integration cannot connect.")
                .to_string();
            return error_page(e.status, &message);
        }
    };
    let scopes = resolve::requested_scopes(&st, integration, pending.organization_id.as_deref());
    let callback = ctx.callback_url(&integration.slug);
    let mut params: Vec<(String, String)> = vec![
        ("client_id".into(), app.client_id.clone()),
        ("redirect_uri".into(), callback),
        ("scope".into(), scopes.join(&app.scope_separator)),
        ("state".into(), pending.state.clone()),
    ];
    params.extend(app.extra.iter().cloned());
    super::custom_providers::drop_empty_scope(&app, &mut params);
    if app.pkce {
        params.push((
            "code_challenge".into(),
            pkce_challenge(&pending.code_verifier),
        ));
        params.push(("code_challenge_method".into(), "S256".into()));
    }
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &params {
        ser.append_pair(k, v);
    }
    let sep = if app.authorize_url.contains('?') {
        '&'
    } else {
        '?'
    };
    found(&format!("{}{sep}{}", app.authorize_url, ser.finish()))
}

/// `GET /sso/callback/{slug}`: the provider sends the browser back here.
pub async fn callback(
    State(ctx): State<Arc<Ctx>>,
    PathParams(slug): PathParams<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(state_param) = q.get("state") else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "The provider did not return the state parameter.",
        );
    };
    let (pending, integration, app) = {
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
        let Some(i) = st.integrations.get(&p.integration_id).cloned() else {
            return error_page(StatusCode::NOT_FOUND, "The integration was removed.");
        };
        let app = match resolve::oauth_app(&ctx, &st, &i, p.organization_id.as_deref()) {
            Ok(app) => app,
            Err(_) => {
                return error_page(StatusCode::BAD_REQUEST, "The integration cannot connect.");
            }
        };
        (p, i, app)
    };
    if let Some(error) = q.get("error") {
        let failure = Failure {
            error_code: "provider_authorization_failed".into(),
            provider_error: Some(error.clone()),
            provider_error_description: q.get("error_description").cloned(),
        };
        return fail(&ctx, &pending, &integration, failure).await;
    }
    let Some(code) = q.get("code") else {
        let failure = Failure {
            error_code: "missing_code".into(),
            provider_error: None,
            provider_error_description: Some(
                "The provider returned neither a code nor an error.".into(),
            ),
        };
        return fail(&ctx, &pending, &integration, failure).await;
    };
    let callback = ctx.callback_url(&slug);
    let mut form: Vec<(&str, &str)> = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", &callback),
    ];
    super::custom_providers::client_credentials(&app, &mut form);
    if app.pkce {
        form.push(("code_verifier", &pending.code_verifier));
    }
    let reply = token_request(&ctx, &app, &app.token_url, &form).await;
    let grant = match reply {
        Ok(r) => parse_token_reply(r.status, &r.body),
        Err(e) => Err(("provider_unreachable".to_string(), Some(e))),
    };
    let grant = super::custom_providers::with_identity(&ctx, &app, grant).await;
    match grant {
        Ok(g) if pending.code_challenge.is_some() => {
            let connect_code = ctx.ids.handle(32);
            ctx.http.recorder().secret("connect_code", &connect_code);
            let to = pending.return_to.clone().unwrap_or_default();
            let expires_ms = ctx.clock.now_ms() + CONNECT_CODE_TTL_MS;
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            ser.append_pair("connect_code", &connect_code);
            ser.append_pair("state", &pending.app_state);
            ctx.state().held.insert(
                connect_code,
                super::state::HeldConnection {
                    pending,
                    grant: g,
                    expires_ms,
                },
            );
            let sep = if to.contains('?') { '&' } else { '?' };
            found(&format!("{to}{sep}{}", ser.finish()))
        }
        Ok(g) => {
            let account = store_grant(&ctx, &pending, &integration, g);
            ctx.emit(
                &pending.env,
                "pipes.connected_account.connected",
                shapes::account_event_data(&account),
            );
            ctx.flush().await;
            match &pending.return_to {
                Some(to) => found(to),
                None => Html("<!DOCTYPE html><html><body><h1>Connected</h1><p>You can close this window.</p></body></html>")
                    .into_response(),
            }
        }
        Err((error, description)) => {
            let failure = Failure {
                error_code: "token_exchange_failed".into(),
                provider_error: Some(error),
                provider_error_description: description,
            };
            fail(&ctx, &pending, &integration, failure).await
        }
    }
}

/// POSTs a form to a provider token endpoint through the recording client.
pub async fn token_request(
    ctx: &Ctx,
    app: &OAuthApp,
    url: &str,
    form: &[(&str, &str)],
) -> Result<crate::transcript::HttpResponse, String> {
    let req = ctx
        .http
        .request(reqwest::Method::POST, url)
        .header("accept", "application/json");
    let req = super::custom_providers::authenticated_body(ctx, req, app, form);
    ctx.http.send(req).await
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
    /// `(login, display name)` from a custom provider's userinfo.
    pub identity: Option<(String, String)>,
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
        identity: None,
    })
}

fn pending_owner(p: &PendingAuthorization, i: &Integration) -> Owner {
    match (i.ownership, &p.organization_id) {
        (Ownership::Organization, Some(org)) => Owner::Organization {
            organization_id: org.clone(),
        },
        _ => Owner::User {
            user_id: p.user_id.clone(),
            organization_id: p.organization_id.clone(),
        },
    }
}

/// Stores the grant on the connection the flow was for and returns it.
fn store_grant(
    ctx: &Ctx,
    pending: &PendingAuthorization,
    integration: &Integration,
    g: Grant,
) -> ConnectedAccount {
    let now = ctx.clock.now_ms();
    let owner = pending_owner(pending, integration);
    // Whose account this is, as the provider's profile says.
    let identity = g
        .identity
        .clone()
        .or_else(|| super::provider_apps::account_of_token(ctx, &pending.slug, &g.access_token));
    let mut st = ctx.state();
    let requested = resolve::requested_scopes(&st, integration, pending.organization_id.as_deref());
    let accounts = st.owner_accounts(&integration.id, &owner);
    let (existing, role) = match &pending.intent {
        Intent::Reauthorize(id) => (
            accounts.iter().find(|a| a.id == *id).map(|a| (*a).clone()),
            ConnectionRole::Compatibility,
        ),
        Intent::Default => (
            accounts
                .iter()
                .find(|a| a.connection_role == ConnectionRole::Compatibility)
                .map(|a| (*a).clone()),
            ConnectionRole::Compatibility,
        ),
        Intent::Add => {
            let role = if accounts
                .iter()
                .any(|a| a.connection_role == ConnectionRole::Compatibility)
            {
                ConnectionRole::Standard
            } else {
                ConnectionRole::Compatibility
            };
            (None, role)
        }
    };
    let mut account = existing.unwrap_or_else(|| {
        let mut a = ConnectedAccount::oauth(
            &ctx.ids.id("data_installation"),
            integration,
            &pending.user_id,
            now,
        );
        a.connection_role = role;
        if let Owner::Organization { organization_id } = &owner {
            a.user_id = None;
            a.organization_id = Some(organization_id.clone());
        } else {
            a.organization_id = pending.organization_id.clone();
        }
        a
    });
    account.scopes = g.scopes.unwrap_or(requested);
    account.state = AccountState::Connected;
    account.state_reason = None;
    account.access_token = Some(g.access_token);
    account.refresh_token = g.refresh_token;
    account.expires_ms = g.expires_in.map(|s| now + s * 1000);
    account.established_by_user_id = Some(pending.user_id.clone());
    if let Some((login, name)) = identity {
        account.account_identifier = Some(login);
        if account.account_display_name.is_none() {
            account.account_display_name = Some(name);
        }
    }
    if pending.account_display_name.is_some() {
        account.account_display_name = pending.account_display_name.clone();
    }
    account.updated_ms = now;
    st.add_account(account.clone());
    account
}

async fn fail(
    ctx: &Ctx,
    pending: &PendingAuthorization,
    integration: &Integration,
    failure: Failure,
) -> Response {
    let (user_id, org) = match pending_owner(pending, integration) {
        Owner::Organization { organization_id } => (None, Some(organization_id)),
        Owner::User {
            user_id,
            organization_id,
        } => (Some(user_id), organization_id),
    };
    let data = shapes::connection_failed_data(
        integration,
        user_id.as_deref().or(Some(pending.user_id.as_str())),
        org.as_deref(),
        &failure,
        ctx.clock.now_ms(),
    );
    ctx.emit(
        &pending.env,
        "pipes.connected_account.connection_failed",
        data,
    );
    ctx.flush().await;
    let error = failure
        .provider_error
        .clone()
        .unwrap_or_else(|| failure.error_code.clone());
    match &pending.return_to {
        Some(to) => {
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            ser.append_pair("error", &error);
            if let Some(d) = &failure.provider_error_description {
                ser.append_pair("error_description", d);
            }
            ser.append_pair("state", &pending.app_state);
            let sep = if to.contains('?') { '&' } else { '?' };
            found(&format!("{to}{sep}{}", ser.finish()))
        }
        None => error_page(
            StatusCode::BAD_REQUEST,
            failure
                .provider_error_description
                .as_deref()
                .unwrap_or(&error),
        ),
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
    let escaped = html_escape::encode_text(message);
    (
        status,
        Html(format!(
            "<!DOCTYPE html><html><body><h1>Connection failed</h1><p>{escaped}</p></body></html>"
        )),
    )
        .into_response()
}
