//! The token endpoint (`POST /{slug}/token`, and `/refresh` for refresh
//! grants only): reading a client's request in the encodings the provider
//! accepts, authenticating the client as its spec says, the code exchange
//! and the refresh, and their answers (RFC 6749 §5.1 and §5.2). The
//! revocation endpoint reads and authenticates its client the same way.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{ErrorCode, oauth_error, wire_fault};
use crate::providers::custom::faults::Hits;
use crate::providers::custom::{
    BodyType, ClientAuth, CustomProvider, CustomProviderSpec, Registry, TokenSeen, VerifierSeen,
};
use crate::providers::engine::oauth::{
    ChallengeMethod, Exchange, GrantError, Issued, pkce_challenge,
};

/// A token or revocation request as read: its parameters and who sent it.
pub(super) struct ClientRequest {
    pub(super) params: HashMap<String, String>,
    content_type: Option<String>,
    client_auth: Option<ClientAuth>,
    client_id: String,
    client_secret: Option<String>,
}

/// Why a request could not even be read.
pub(super) struct Unreadable {
    client_auth: Option<ClientAuth>,
    content_type: Option<String>,
    pub(super) answer: Response,
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
pub(super) fn read_client_request(
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
pub(super) fn authenticate_client(
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

pub(super) async fn token(
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

pub(super) async fn refresh(
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
