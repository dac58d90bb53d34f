//! The custom provider's HTTP routes: the axum router over the registry
//! and the handlers of `/{slug}/authorize`, `/token`, `/refresh`,
//! `/userinfo` and `/revoke`, with the answers they give.
//!
//! Separate from `mod.rs`, which holds what these act on (the registry,
//! each provider's spec, OAuth state and request log) and the handle the
//! rest of the crate uses. The token endpoint (and the reading and
//! authenticating of a client's request, which revocation shares) is in
//! `token`, the tests over real HTTP in `tests`; the answers of a fault set
//! on a provider are in `faults`.
//!
//! Answers, as the RFCs write them:
//! - authorize: an unknown `client_id`, or a `redirect_uri` the app did not
//!   register, shows an error page and never redirects (§4.1.2.1); every
//!   other error goes back to the registered redirect URI with `error`,
//!   `error_description` and `state`: `access_denied` (the user said no),
//!   `invalid_scope` (an unknown or refused scope, after splitting `scope`
//!   on the provider's own separator), `invalid_request` (PKCE required but
//!   no `code_challenge`; an unknown challenge method),
//!   `unsupported_response_type`.
//! - token (§5.2): JSON `{error, error_description}` with `Cache-Control:
//!   no-store`; `invalid_client` is a 401, with `WWW-Authenticate: Basic`
//!   when the client used the Authorization header; `invalid_grant`,
//!   `invalid_request` (a body encoding the provider does not read, two
//!   authentication methods at once, a missing parameter),
//!   `unsupported_grant_type` are 400s. A success is
//!   `{access_token, token_type: "Bearer", expires_in, refresh_token, scope}`.
//! - userinfo: 401 `WWW-Authenticate: Bearer realm="<slug>"` without a token,
//!   and with `error="invalid_token"` and a description for an unknown,
//!   expired or revoked one (RFC 6750 §3).
//! - revoke: 200 with an empty body, also for a token it does not know
//!   (RFC 7009 §2.2); the client authenticates as at the token endpoint.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::faults::Hits;
use super::{AuthorizeSeen, Pkce, Registry};
use crate::providers::engine::oauth::{Account, ChallengeMethod, CodeRequest, TokenProblem};

mod token;

/// The largest request body read, as every listener of the stack (413 above).
const MAX_BODY_BYTES: usize = 1024 * 1024;

pub(super) fn router(registry: Arc<Registry>) -> Router {
    Router::new()
        .route("/{slug}/authorize", get(authorize))
        .route("/{slug}/token", post(token::token))
        .route("/{slug}/refresh", post(token::refresh))
        .route("/{slug}/userinfo", get(userinfo))
        .route("/{slug}/revoke", post(revoke))
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(registry)
}

async fn not_found() -> Response {
    oauth_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "This custom provider has no such endpoint: it serves /{slug}/authorize, /{slug}/token, /{slug}/refresh, /{slug}/userinfo and /{slug}/revoke.",
    )
}

// ---------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------

/// The `error` an answer carries, for the request log.
#[derive(Debug, Clone)]
struct ErrorCode(String);

/// An RFC 6749 §5.2 error body.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut answer = (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response();
    answer.extensions_mut().insert(ErrorCode(error.to_string()));
    answer
}

/// An error page that stops the flow without redirecting (§4.1.2.1).
fn error_page(slug: &str, error: &str, message: &str) -> Response {
    let escape = |t: &str| html_escape::encode_text(t).into_owned();
    let html = format!(
        "<!DOCTYPE html><html><head><title>{slug}: authorization error</title></head><body><h1>Authorization error</h1><p>error={} - {}</p></body></html>",
        escape(error),
        escape(message)
    );
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

/// A 302 to `base` with `params` added.
fn redirect(base: &str, params: &[(&str, &str)]) -> Response {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    (
        StatusCode::FOUND,
        [(header::LOCATION, format!("{base}{sep}{}", ser.finish()))],
    )
        .into_response()
}

/// The §4.1.2.1 error redirect, with `state` when the request had one.
fn redirect_error(to: &str, error: &str, description: &str, state: Option<&str>) -> Response {
    let mut params = vec![("error", error), ("error_description", description)];
    if let Some(s) = state {
        params.push(("state", s));
    }
    redirect(to, &params)
}

// ---------------------------------------------------------------------------
// Authorization endpoint
// ---------------------------------------------------------------------------

fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn cookie_login(headers: &HeaderMap, slug: &str) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    let wanted = format!("{slug}_login");
    cookies.split(';').find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == wanted).then(|| v.to_string())
    })
}

async fn authorize(
    State(reg): State<Arc<Registry>>,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some(p) = reg.answering(&slug) else {
        return not_found().await;
    };
    let all = pairs(raw.as_deref());
    let q: HashMap<String, String> = all.iter().cloned().collect();
    p.saw_authorize(AuthorizeSeen {
        scope: q.get("scope").cloned(),
        code_challenge: q.contains_key("code_challenge"),
        parameters: all.iter().map(|(k, _)| k.clone()).collect(),
    });
    let spec = p.spec();
    let client_id = q.get("client_id").cloned().unwrap_or_default();
    let state = q.get("state").map(String::as_str);
    // Asked before the engine is locked: the answer comes from WorkOS's state.
    let connecting = state.and_then(|s| reg.connecting(s));
    let login = cookie_login(&headers, &slug)
        .or_else(|| q.get("login").cloned())
        .or_else(|| q.get("login_hint").cloned());
    let now = reg.clock.now_ms();
    let mut engine = p.engine();
    let Some(app) = engine.apps.get(&client_id).cloned() else {
        return error_page(
            &slug,
            "invalid_request",
            &format!(
                "The client_id '{client_id}' is not a client of {slug}: check the client ID of the OAuth app registered there."
            ),
        );
    };
    let redirect_uri = match q.get("redirect_uri") {
        Some(r) => r.clone(),
        None if app.redirect_uris.len() == 1 => app.redirect_uris[0].clone(),
        None => {
            return error_page(
                &slug,
                "invalid_request",
                "redirect_uri is missing, and the client registered more than one.",
            );
        }
    };
    if !app.redirect_uris.contains(&redirect_uri) {
        return error_page(
            &slug,
            "invalid_request",
            &format!(
                "The redirect_uri '{redirect_uri}' is not registered for this client (registered: {}), so {slug} will not send the user back there.",
                app.redirect_uris.join(", ")
            ),
        );
    }
    match q.get("response_type").map(String::as_str) {
        Some("code") => {}
        Some(other) => {
            return redirect_error(
                &redirect_uri,
                "unsupported_response_type",
                &format!("response_type '{other}' is not supported; use code."),
                state,
            );
        }
        None => {
            return redirect_error(
                &redirect_uri,
                "invalid_request",
                "response_type is required.",
                state,
            );
        }
    }
    let scopes: Vec<String> = q
        .get("scope")
        .map(|s| {
            s.split(spec.scope_separator.as_str())
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let unknown: Vec<&String> = scopes
        .iter()
        .filter(|s| spec.scopes.as_ref().is_some_and(|known| !known.contains(s)))
        .collect();
    if let Some(s) = unknown.first() {
        let separated = if spec.scope_separator == " " {
            "spaces".to_string()
        } else {
            format!("'{}'", spec.scope_separator)
        };
        return redirect_error(
            &redirect_uri,
            "invalid_scope",
            &format!(
                "The scope '{s}' is unknown (scopes are separated by {separated}; known: {}).",
                spec.scopes.clone().unwrap_or_default().join(", ")
            ),
            state,
        );
    }
    let refused: Vec<String> = scopes
        .iter()
        .filter(|s| spec.refused_scopes.contains(s))
        .cloned()
        .chain(engine.refused_scopes(&client_id, &scopes))
        .collect();
    if let Some(s) = refused.first() {
        return redirect_error(
            &redirect_uri,
            "invalid_scope",
            &format!("The scope '{s}' is not allowed for this client."),
            state,
        );
    }
    let challenge = match spec.pkce {
        Pkce::Unsupported => None,
        _ => q.get("code_challenge").cloned(),
    };
    if spec.pkce == Pkce::Required && challenge.is_none() {
        return redirect_error(
            &redirect_uri,
            "invalid_request",
            "code_challenge is required: this provider only accepts authorization requests with PKCE (RFC 7636).",
            state,
        );
    }
    let method = match (
        challenge.as_ref(),
        q.get("code_challenge_method").map(String::as_str),
    ) {
        (None, _) => ChallengeMethod::S256,
        (Some(_), None | Some("plain")) => ChallengeMethod::Plain,
        (Some(_), Some("S256")) => ChallengeMethod::S256,
        (Some(_), Some(other)) => {
            return redirect_error(
                &redirect_uri,
                "invalid_request",
                &format!("code_challenge_method '{other}' is not supported; use S256."),
                state,
            );
        }
    };
    if engine.denies_now() {
        return redirect_error(
            &redirect_uri,
            "access_denied",
            "The user denied the request.",
            state,
        );
    }
    let account = engine.signed_in_for(login.as_deref(), connecting.as_ref(), &reg.ids);
    let code = engine.issue_code(
        &reg.ids,
        now,
        CodeRequest {
            client_id,
            redirect_uri: redirect_uri.clone(),
            scopes,
            login: account.login,
            code_challenge: challenge,
            challenge_method: method,
            user_token: false,
        },
    );
    drop(engine);
    reg.recorder.secret("code", &code);
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = state {
        params.push(("state", s));
    }
    redirect(&redirect_uri, &params)
}

/// The answer of a wire fault set on the provider of `slug` for requests
/// that `hits`, if one is (see `faults`).
async fn wire_fault(reg: &Registry, slug: &str, hits: Hits) -> Option<Response> {
    let p = reg.get(slug)?;
    reg.fault_answer(&p, hits).await
}

// ---------------------------------------------------------------------------
// Userinfo and revocation
// ---------------------------------------------------------------------------

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// RFC 6750 §3: 401 with the Bearer challenge.
fn unauthorized(slug: &str, problem: Option<(&str, &str)>) -> Response {
    let (challenge, body) = match problem {
        None => (format!("Bearer realm=\"{slug}\""), json!({})),
        Some((error, description)) => (
            format!(
                "Bearer realm=\"{slug}\", error=\"{error}\", error_description=\"{description}\""
            ),
            json!({"error": error, "error_description": description}),
        ),
    };
    let mut answer = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    if let Ok(v) = challenge.parse() {
        answer.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    answer
}

fn profile(account: &Account) -> Value {
    json!({
        "sub": account.id.to_string(),
        "name": account.name,
        "email": account.email,
    })
}

async fn userinfo(
    State(reg): State<Arc<Registry>>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(p) = reg.answering(&slug) else {
        return not_found().await;
    };
    if !p.spec().userinfo {
        return not_found().await;
    }
    if let Some(answer) = wire_fault(&reg, &slug, Hits::Api).await {
        return answer;
    }
    let Some(token) = bearer(&headers) else {
        return unauthorized(&slug, None);
    };
    let now = reg.clock.now_ms();
    let checked = p.engine().authenticate(Some(&token), now);
    match checked {
        Ok((account, _)) => axum::Json(profile(&account)).into_response(),
        Err(TokenProblem::Revoked) => unauthorized(
            &slug,
            Some(("invalid_token", "The access token was revoked")),
        ),
        Err(TokenProblem::Expired) => {
            unauthorized(&slug, Some(("invalid_token", "The access token expired")))
        }
        Err(TokenProblem::Unknown | TokenProblem::Missing) => unauthorized(
            &slug,
            Some(("invalid_token", "The access token is not valid")),
        ),
    }
}

async fn revoke(
    State(reg): State<Arc<Registry>>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(p) = reg.answering(&slug) else {
        return not_found().await;
    };
    let spec = p.spec();
    let req = match token::read_client_request(&slug, &spec, &headers, &body) {
        Ok(r) => r,
        Err(u) => return u.answer,
    };
    if let Some(answer) = token::authenticate_client(&p, &spec, &req) {
        return answer;
    }
    let Some(token) = req.params.get("token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required.",
        );
    };
    // A token it does not know is not an error (RFC 7009 §2.2).
    p.engine().revoke_token(token);
    StatusCode::OK.into_response()
}

#[cfg(test)]
mod tests;
