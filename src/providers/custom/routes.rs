//! The custom provider's HTTP routes: the axum router over the registry
//! and the handlers of `/{slug}/authorize`, `/token`, `/refresh`,
//! `/userinfo` and `/revoke`, with the answers they give.
//!
//! Separate from `mod.rs`, which holds what these act on (the registry,
//! each provider's spec, OAuth state and request log) and the handle the
//! rest of the crate uses; nothing outside this file speaks HTTP.
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
use super::{
    AuthorizeSeen, BodyType, ClientAuth, CustomProvider, CustomProviderSpec, Pkce, Registry,
    TokenSeen, VerifierSeen,
};
use crate::providers::engine::oauth::{
    Account, ChallengeMethod, CodeRequest, Exchange, GrantError, Issued, TokenProblem,
    pkce_challenge,
};

/// The largest request body read, as every listener of the stack (413 above).
const MAX_BODY_BYTES: usize = 1024 * 1024;

pub(super) fn router(registry: Arc<Registry>) -> Router {
    Router::new()
        .route("/{slug}/authorize", get(authorize))
        .route("/{slug}/token", post(token))
        .route("/{slug}/refresh", post(refresh))
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

// ---------------------------------------------------------------------------
// Token endpoint
// ---------------------------------------------------------------------------

/// A token or revocation request as read: its parameters and who sent it.
struct ClientRequest {
    params: HashMap<String, String>,
    content_type: Option<String>,
    client_auth: Option<ClientAuth>,
    client_id: String,
    client_secret: Option<String>,
}

/// Why a request could not even be read.
struct Unreadable {
    client_auth: Option<ClientAuth>,
    content_type: Option<String>,
    answer: Response,
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine as _;
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    // RFC 6749 §2.3.1: both are form-encoded before they are joined.
    let plain = |t: &str| {
        url::form_urlencoded::parse(format!("x={t}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| t.to_string())
    };
    Some((plain(id), plain(secret)))
}

/// Reads the body in the encodings the provider accepts and works out how
/// the client authenticated, or answers why it cannot.
fn read_client_request(
    slug: &str,
    spec: &CustomProviderSpec,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<ClientRequest, Box<Unreadable>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    let basic = basic_credentials(headers);
    let unreadable = |auth: Option<ClientAuth>, answer: Response| {
        Box::new(Unreadable {
            client_auth: auth,
            content_type: content_type.clone(),
            answer,
        })
    };
    let basic_auth = basic.as_ref().map(|_| ClientAuth::SecretBasic);
    let body_type = match content_type.as_deref() {
        None if body.is_empty() => Some(BodyType::Form),
        None => None,
        Some(ct) => BodyType::parse(ct),
    };
    let Some(body_type) = body_type.filter(|b| spec.token_bodies.contains(b)) else {
        let got = content_type
            .clone()
            .unwrap_or_else(|| "a body without Content-Type".to_string());
        return Err(unreadable(
            basic_auth,
            oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!(
                    "The {slug} token endpoint reads {} request bodies only; it got {got}.",
                    spec.accepted_bodies()
                ),
            ),
        ));
    };
    let params: HashMap<String, String> = match body_type {
        BodyType::Form => url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        BodyType::Json => match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) if m.values().all(Value::is_string) => m
                .into_iter()
                .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
                .collect(),
            _ => {
                return Err(unreadable(
                    basic_auth,
                    oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "The JSON body must be an object of string parameters.",
                    ),
                ));
            }
        },
    };
    let body_secret = params.get("client_secret").cloned();
    let (client_auth, client_id, client_secret) = match (basic, body_secret) {
        (Some(_), Some(_)) => {
            return Err(unreadable(
                None,
                oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The client authenticated twice (an Authorization header and client_secret in the body); use one method (RFC 6749 §2.3).",
                ),
            ));
        }
        (Some((id, secret)), None) => (ClientAuth::SecretBasic, id, Some(secret)),
        (None, Some(secret)) => (
            ClientAuth::SecretPost,
            params.get("client_id").cloned().unwrap_or_default(),
            Some(secret),
        ),
        (None, None) => (
            ClientAuth::None,
            params.get("client_id").cloned().unwrap_or_default(),
            None,
        ),
    };
    Ok(ClientRequest {
        params,
        content_type,
        client_auth: Some(client_auth),
        client_id,
        client_secret,
    })
}

/// 401 `invalid_client`, with `WWW-Authenticate: Basic` when the client
/// used the Authorization header (§5.2).
fn invalid_client(slug: &str, used: Option<ClientAuth>, description: &str) -> Response {
    let mut answer = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", description);
    if used == Some(ClientAuth::SecretBasic)
        && let Ok(v) = format!("Basic realm=\"{slug}\"").parse()
    {
        answer.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    answer
}

/// Checks how and who the client authenticated as: the refusal, if any.
fn authenticate_client(
    p: &CustomProvider,
    spec: &CustomProviderSpec,
    req: &ClientRequest,
) -> Option<Response> {
    let slug = p.slug.as_str();
    let used = req.client_auth.unwrap_or(ClientAuth::None);
    if !spec.accepts(used) {
        let description = match used {
            ClientAuth::None => format!(
                "Client authentication failed: no client secret was sent, and {slug} authenticates clients with {}.",
                spec.accepted_auth()
            ),
            _ => format!(
                "Client authentication failed: the client sent {}, and {slug} only accepts {}.",
                used.spoken(),
                spec.accepted_auth()
            ),
        };
        return Some(invalid_client(slug, Some(used), &description));
    }
    match p
        .engine()
        .check_client(&req.client_id, req.client_secret.as_deref())
    {
        Ok(_) => None,
        Err(GrantError::UnknownClient) => Some(invalid_client(
            slug,
            Some(used),
            &format!(
                "Client authentication failed: '{}' is not a client of {slug}.",
                req.client_id
            ),
        )),
        Err(_) => Some(invalid_client(
            slug,
            Some(used),
            "Client authentication failed: the client secret is wrong.",
        )),
    }
}

fn grant_error(slug: &str, used: Option<ClientAuth>, e: GrantError) -> Response {
    let bad = |error: &str, text: &str| oauth_error(StatusCode::BAD_REQUEST, error, text);
    match e {
        GrantError::UnknownClient | GrantError::BadSecret => invalid_client(
            slug,
            used,
            "Client authentication failed: unknown client or wrong secret.",
        ),
        GrantError::UnknownCode => bad("invalid_grant", "The authorization code is invalid."),
        GrantError::CodeExpired => bad("invalid_grant", "The authorization code has expired."),
        GrantError::CodeUsed => bad("invalid_grant", "The authorization code was already used."),
        GrantError::RedirectMismatch => bad(
            "invalid_grant",
            "The redirect_uri does not match the one of the authorization request.",
        ),
        GrantError::BadVerifier => bad(
            "invalid_grant",
            "The code_verifier does not match the code_challenge of the authorization request.",
        ),
        GrantError::MissingVerifier => bad(
            "invalid_grant",
            "code_verifier is required: the authorization request carried a code_challenge.",
        ),
        GrantError::BadRefreshToken => bad(
            "invalid_grant",
            "The refresh token is invalid, expired or revoked.",
        ),
        GrantError::UnsupportedGrantType => bad(
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token.",
        ),
    }
}

fn issued(reg: &Registry, i: &Issued) -> Response {
    reg.recorder.secret("access_token", &i.access_token);
    let mut body = json!({
        "access_token": i.access_token,
        "token_type": "Bearer",
    });
    if let Some(s) = i.expires_in {
        body["expires_in"] = json!(s);
    }
    if let Some(rt) = &i.refresh_token {
        reg.recorder.secret("refresh_token", rt);
        body["refresh_token"] = json!(rt);
    }
    body["scope"] = json!(i.scopes.join(" "));
    (
        StatusCode::OK,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        axum::Json(body),
    )
        .into_response()
}

/// The answer of a wire fault set on the provider of `slug` for requests
/// that `hits`, if one is (see `faults`).
async fn wire_fault(reg: &Registry, slug: &str, hits: Hits) -> Option<Response> {
    let p = reg.get(slug)?;
    reg.fault_answer(&p, hits).await
}

async fn token(
    State(reg): State<Arc<Registry>>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(answer) = wire_fault(&reg, &slug, Hits::Token).await {
        return answer;
    }
    token_endpoint(&reg, &slug, "token", &headers, &body)
}

async fn refresh(
    State(reg): State<Arc<Registry>>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(answer) = wire_fault(&reg, &slug, Hits::Token).await {
        return answer;
    }
    token_endpoint(&reg, &slug, "refresh", &headers, &body)
}

fn token_endpoint(
    reg: &Registry,
    slug: &str,
    endpoint: &'static str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let Some(p) = reg.answering(slug) else {
        return oauth_error(
            StatusCode::NOT_FOUND,
            "not_found",
            "No custom provider has this slug.",
        );
    };
    let spec = p.spec();
    let mut seen = TokenSeen {
        endpoint,
        grant_type: None,
        content_type: None,
        client_auth: None,
        verifier: VerifierSeen::NotSent,
        status: 0,
        error: None,
    };
    let answer = match read_client_request(slug, &spec, headers, body) {
        Err(u) => {
            seen.client_auth = u.client_auth;
            seen.content_type = u.content_type;
            u.answer
        }
        Ok(req) => {
            seen.client_auth = req.client_auth;
            seen.content_type = req.content_type.clone();
            seen.grant_type = req.params.get("grant_type").cloned();
            exchange(reg, &p, &spec, endpoint, &req, &mut seen.verifier)
        }
    };
    seen.status = answer.status().as_u16();
    if !answer.status().is_success() {
        seen.error = answer.extensions().get::<ErrorCode>().map(|c| c.0.clone());
    }
    p.saw_token(seen);
    answer
}

fn exchange(
    reg: &Registry,
    p: &CustomProvider,
    spec: &CustomProviderSpec,
    endpoint: &str,
    req: &ClientRequest,
    verifier: &mut VerifierSeen,
) -> Response {
    let slug = p.slug.as_str();
    if let Some(answer) = authenticate_client(p, spec, req) {
        return answer;
    }
    let param = |k: &str| req.params.get(k).map(String::as_str);
    let missing = |name: &str| {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("{name} is required."),
        )
    };
    let now = reg.clock.now_ms();
    let result = match param("grant_type") {
        None => return missing("grant_type"),
        Some("authorization_code") if endpoint == "token" => {
            let Some(code) = param("code") else {
                return missing("code");
            };
            let sent = param("code_verifier");
            let challenge = p
                .engine()
                .codes
                .get(code)
                .map(|g| (g.code_challenge.clone(), g.challenge_method));
            *verifier = match (sent, challenge) {
                (None, _) => VerifierSeen::NotSent,
                (Some(v), Some((Some(c), ChallengeMethod::S256))) if pkce_challenge(v) == c => {
                    VerifierSeen::Matched
                }
                (Some(v), Some((Some(c), ChallengeMethod::Plain))) if v == c => {
                    VerifierSeen::Matched
                }
                (Some(_), _) => VerifierSeen::Unmatched,
            };
            p.engine().exchange_code(
                &reg.ids,
                now,
                Exchange {
                    client_id: &req.client_id,
                    client_secret: req.client_secret.as_deref(),
                    code,
                    redirect_uri: param("redirect_uri"),
                    code_verifier: sent,
                },
            )
        }
        Some("refresh_token") => {
            let Some(rt) = param("refresh_token") else {
                return missing("refresh_token");
            };
            if p.refuses_refresh() {
                return grant_error(slug, req.client_auth, GrantError::BadRefreshToken);
            }
            p.engine().refresh(
                &reg.ids,
                now,
                &req.client_id,
                req.client_secret.as_deref(),
                rt,
            )
        }
        Some(_) => Err(GrantError::UnsupportedGrantType),
    };
    match result {
        Ok(i) => issued(reg, &i),
        Err(e) => grant_error(slug, req.client_auth, e),
    }
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
    let req = match read_client_request(&slug, &spec, &headers, &body) {
        Ok(r) => r,
        Err(u) => return u.answer,
    };
    if let Some(answer) = authenticate_client(&p, &spec, &req) {
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
mod tests {
    use super::*;
    use crate::common::clock::Clock;
    use crate::common::ids::IdGen;
    use crate::providers::custom::CustomProviders;
    use crate::transcript::Recorder;

    const CALLBACK: &str = "http://127.0.0.1:9/sso/callback/acme";

    async fn start() -> (CustomProviders, Arc<CustomProvider>) {
        let clock = Clock::scenario();
        let ids = IdGen::new(clock.clone(), 7);
        let server = CustomProviders::start(None, clock, ids, Recorder::new())
            .await
            .expect("the server starts");
        let p = server.provider("acme").expect("a valid slug");
        p.register_app("acme-client", "acme-secret", CALLBACK);
        (server, p)
    }

    fn http() -> reqwest::Client {
        crate::transcript::http::reqwest_client(crate::transcript::http::HANG_GUARD)
    }

    fn location(resp: &reqwest::Response) -> url::Url {
        let l = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("a redirect");
        url::Url::parse(l).expect("an absolute URL")
    }

    fn param(u: &url::Url, name: &str) -> Option<String> {
        u.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    async fn authorize(p: &CustomProvider, extra: &[(&str, &str)]) -> reqwest::Response {
        let mut q = vec![
            ("client_id", "acme-client"),
            ("redirect_uri", CALLBACK),
            ("response_type", "code"),
            ("scope", "read write"),
            ("state", "xyz"),
            ("login_hint", "alice@example.com"),
        ];
        for (k, v) in extra {
            q.retain(|(x, _)| x != k);
            q.push((k, v));
        }
        http()
            .get(p.url("authorize"))
            .query(&q)
            .send()
            .await
            .expect("the authorize page answers")
    }

    async fn code(p: &CustomProvider, extra: &[(&str, &str)]) -> String {
        let resp = authorize(p, extra).await;
        param(&location(&resp), "code").expect("a code")
    }

    async fn json(resp: reqwest::Response) -> Value {
        resp.json().await.expect("a JSON body")
    }

    #[tokio::test]
    async fn a_code_exchanges_with_the_secret_in_the_body_or_as_basic() {
        let (_s, p) = start().await;
        let c = code(&p, &[]).await;
        let resp = http()
            .post(p.url("token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &c),
                ("redirect_uri", CALLBACK),
                ("client_id", "acme-client"),
                ("client_secret", "acme-secret"),
            ])
            .send()
            .await
            .expect("answers");
        assert_eq!(resp.status(), 200);
        assert_eq!(
            resp.headers().get("cache-control").map(|v| v.as_bytes()),
            Some(&b"no-store"[..])
        );
        let body = json(resp).await;
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 3600);
        assert_eq!(body["scope"], "read write");
        assert!(body["refresh_token"].is_string());

        let c = code(&p, &[]).await;
        let resp = http()
            .post(p.url("token"))
            .basic_auth("acme-client", Some("acme-secret"))
            .form(&[("grant_type", "authorization_code"), ("code", &c)])
            .send()
            .await
            .expect("answers");
        assert_eq!(resp.status(), 200);
        let seen = p.token_requests();
        assert_eq!(seen[0].client_auth, Some(ClientAuth::SecretPost));
        assert_eq!(seen[1].client_auth, Some(ClientAuth::SecretBasic));
    }

    #[tokio::test]
    async fn basic_to_a_body_only_provider_is_a_401_invalid_client_with_a_basic_challenge() {
        let (_s, p) = start().await;
        let mut spec = p.spec();
        spec.set("client_authentication", "client_secret_post")
            .expect("a value");
        p.set_spec(spec);
        let c = code(&p, &[]).await;
        let resp = http()
            .post(p.url("token"))
            .basic_auth("acme-client", Some("acme-secret"))
            .form(&[("grant_type", "authorization_code"), ("code", &c)])
            .send()
            .await
            .expect("answers");
        assert_eq!(resp.status(), 401);
        assert_eq!(
            resp.headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok()),
            Some("Basic realm=\"acme\"")
        );
        assert_eq!(json(resp).await["error"], "invalid_client");
        assert_eq!(
            p.token_requests()[0].error.as_deref(),
            Some("invalid_client")
        );
    }

    #[tokio::test]
    async fn a_json_body_to_a_form_only_provider_is_invalid_request() {
        let (_s, p) = start().await;
        let mut spec = p.spec();
        spec.set("token_request_body", "form").expect("a value");
        p.set_spec(spec);
        let c = code(&p, &[]).await;
        let resp = http()
            .post(p.url("token"))
            .json(&json!({"grant_type": "authorization_code", "code": c,
                "client_id": "acme-client", "client_secret": "acme-secret"}))
            .send()
            .await
            .expect("answers");
        assert_eq!(resp.status(), 400);
        let body = json(resp).await;
        assert_eq!(body["error"], "invalid_request");
        assert!(
            body["error_description"]
                .as_str()
                .unwrap_or_default()
                .contains("application/x-www-form-urlencoded"),
            "{body}"
        );
    }

    #[tokio::test]
    async fn required_pkce_refuses_an_authorize_request_without_a_challenge() {
        let (_s, p) = start().await;
        let mut spec = p.spec();
        spec.set("pkce", "required").expect("a value");
        p.set_spec(spec);
        let resp = authorize(&p, &[]).await;
        let to = location(&resp);
        assert_eq!(param(&to, "error").as_deref(), Some("invalid_request"));
        assert_eq!(param(&to, "state").as_deref(), Some("xyz"));
        let verifier = "v".repeat(43);
        let challenge = pkce_challenge(&verifier);
        let c = code(
            &p,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
        let resp = http()
            .post(p.url("token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &c),
                ("client_id", "acme-client"),
                ("client_secret", "acme-secret"),
                ("code_verifier", &verifier),
            ])
            .send()
            .await
            .expect("answers");
        assert_eq!(resp.status(), 200);
        assert_eq!(p.token_requests()[0].verifier, VerifierSeen::Matched);
    }

    #[tokio::test]
    async fn scopes_are_split_on_the_providers_own_separator() {
        let (_s, p) = start().await;
        let mut spec = p.spec();
        spec.set("scopes", "read, write").expect("a value");
        p.set_spec(spec);
        let resp = authorize(&p, &[("scope", "read,write")]).await;
        let to = location(&resp);
        assert_eq!(param(&to, "error").as_deref(), Some("invalid_scope"));
        let mut spec = p.spec();
        spec.set("scope_separator", "comma").expect("a value");
        p.set_spec(spec);
        let resp = authorize(&p, &[("scope", "read,write")]).await;
        assert!(param(&location(&resp), "code").is_some());
    }

    #[tokio::test]
    async fn an_unregistered_redirect_uri_shows_a_page_and_never_redirects() {
        let (_s, p) = start().await;
        let resp = authorize(&p, &[("redirect_uri", "http://127.0.0.1:9/elsewhere")]).await;
        assert_eq!(resp.status(), 400);
        assert!(resp.headers().get("location").is_none());
        let resp = authorize(&p, &[("client_id", "nobody")]).await;
        assert_eq!(resp.status(), 400);
        assert!(resp.headers().get("location").is_none());
    }

    #[tokio::test]
    async fn userinfo_and_revocation_follow_rfc_6750_and_7009() {
        let (_s, p) = start().await;
        let c = code(&p, &[]).await;
        let body = json(
            http()
                .post(p.url("token"))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", &c),
                    ("client_id", "acme-client"),
                    ("client_secret", "acme-secret"),
                ])
                .send()
                .await
                .expect("answers"),
        )
        .await;
        let access = body["access_token"].as_str().expect("a token").to_string();
        let refresh = body["refresh_token"].as_str().expect("a token").to_string();
        let me = http()
            .get(p.url("userinfo"))
            .bearer_auth(&access)
            .send()
            .await
            .expect("answers");
        assert_eq!(me.status(), 200);
        assert_eq!(json(me).await["email"], "alice@example.com");
        let none = http().get(p.url("userinfo")).send().await.expect("answers");
        assert_eq!(none.status(), 401);
        let revoked = http()
            .post(p.url("revoke"))
            .basic_auth("acme-client", Some("acme-secret"))
            .form(&[("token", refresh.as_str())])
            .send()
            .await
            .expect("answers");
        assert_eq!(revoked.status(), 200);
        let again = http()
            .post(p.url("revoke"))
            .basic_auth("acme-client", Some("acme-secret"))
            .form(&[("token", "never-issued")])
            .send()
            .await
            .expect("answers");
        assert_eq!(again.status(), 200);
        let dead = http()
            .get(p.url("userinfo"))
            .bearer_auth(&access)
            .send()
            .await
            .expect("answers");
        assert_eq!(dead.status(), 401);
        let challenge = dead
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    }

    #[tokio::test]
    async fn rotation_spends_the_refresh_token_and_the_refresh_url_takes_only_refreshes() {
        let (_s, p) = start().await;
        let mut spec = p.spec();
        spec.set("refresh_tokens", "rotated").expect("a value");
        p.set_spec(spec);
        let c = code(&p, &[]).await;
        let form = |grant: &'static str, key: &'static str, value: String| {
            vec![
                ("grant_type", grant.to_string()),
                (key, value),
                ("client_id", "acme-client".to_string()),
                ("client_secret", "acme-secret".to_string()),
            ]
        };
        let wrong = http()
            .post(p.url("refresh"))
            .form(&form("authorization_code", "code", c.clone()))
            .send()
            .await
            .expect("answers");
        assert_eq!(json(wrong).await["error"], "unsupported_grant_type");
        let first = json(
            http()
                .post(p.url("token"))
                .form(&form("authorization_code", "code", c))
                .send()
                .await
                .expect("answers"),
        )
        .await;
        let rt = first["refresh_token"]
            .as_str()
            .expect("a token")
            .to_string();
        let second = json(
            http()
                .post(p.url("refresh"))
                .form(&form("refresh_token", "refresh_token", rt.clone()))
                .send()
                .await
                .expect("answers"),
        )
        .await;
        assert!(second["refresh_token"].is_string(), "{second}");
        let reused = json(
            http()
                .post(p.url("refresh"))
                .form(&form("refresh_token", "refresh_token", rt))
                .send()
                .await
                .expect("answers"),
        )
        .await;
        assert_eq!(reused["error"], "invalid_grant");
    }
}
