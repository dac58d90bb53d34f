//! Google as it behaves on the wire, after its public API documentation.
//!
//! - Authorize needs `response_type=code` and `scope` (space-separated);
//!   PKCE takes `S256` or `plain` (the default when no method is named).
//!   An unregistered redirect URI, an unknown client or a bad scope stop on a
//!   **Google-hosted error page** ("Error 400: redirect_uri_mismatch"); only
//!   a denial goes back to the callback.
//! - The token endpoint speaks JSON with 400/401 for errors. Access tokens
//!   last 3599 s; a refresh returns a new access token and **no** refresh
//!   token (the same one keeps working).
//! - APIs answer 401 with `WWW-Authenticate: Bearer realm=…, error="invalid_token"`
//!   and 403 `ACCESS_TOKEN_SCOPE_INSUFFICIENT` with `error="insufficient_scope"`.
//!   The userinfo endpoint uses the AIP-193 envelope (`status`, `details`);
//!   Calendar its documented legacy envelope (`errors[]`) for bad credentials.
//!
//! Choices where the reference is silent ([U]): PKCE failures are
//! `invalid_grant` "Invalid code verifier." / "Missing code verifier.";
//! a refresh token is issued on every offline consent (WorkOS always asks
//! with `prompt=consent`); the revocation endpoint answers 200 with an empty
//! body, and 400 `invalid_token` for a token it does not know.

use base64::Engine as _;
use fake::Fake;
use fake::faker::company::en::Bs;
use serde_json::{Value, json};
use wiremock::{Request, ResponseTemplate};

use crate::providers::engine::flow::{
    self, AuthorizeOutcome, AuthorizeRequest, GrantKind, TokenRequest,
};
use crate::providers::engine::oauth::{GrantError, Issued, Token, TokenProblem};
use crate::providers::engine::wire::{self, bearer, page, redirect, url_with, with_state};
use crate::providers::engine::{Account, RouteClass, RouteEntry, Shared};

const JSON: &str = "application/json; charset=UTF-8";
/// The realm Google names in `WWW-Authenticate`.
pub const REALM: &str = "https://accounts.google.com/";
const CALENDAR_SCOPES: &[&str] = &[
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.events.readonly",
];

/// google's default routes, in the order they are mounted.
pub const ROUTES: &[RouteEntry] = {
    use RouteClass::*;
    &[
        RouteEntry::new(Authorize, "GET", "/o/oauth2/v2/auth", authorize),
        RouteEntry::new(Token, "POST", "/token", token),
        RouteEntry::new(Revoke, "POST", "/revoke", revoke),
        RouteEntry::new(Api, "GET", "/v1/userinfo", userinfo),
        RouteEntry::new(Api, "GET", "/calendar/v3/calendars/primary/events", events),
    ]
};

/// Google's answer for a path the mock does not serve.
pub fn not_found(_path: &str) -> ResponseTemplate {
    wire::json(
        404,
        &json!({"error": {
            "code": 404,
            "message": "Requested entity was not found.",
            "status": "NOT_FOUND",
        }}),
        "application/json",
    )
}

fn error_page(status: u16, code: &str, details: &str) -> ResponseTemplate {
    page(
        status,
        "Access blocked: Authorization Error",
        &format!("Error {status}: {code} — {details}"),
    )
}

fn authorize(shared: &Shared, req: &Request) -> ResponseTemplate {
    let (request, q) = AuthorizeRequest::read(shared, req);
    let state = request.state.as_deref();
    if q.get("response_type").map(String::as_str) != Some("code") {
        return error_page(
            400,
            "invalid_request",
            "Required parameter is missing: response_type",
        );
    }
    if request.scopes.is_empty() {
        return error_page(400, "invalid_request", "Missing required parameter: scope");
    }
    match flow::authorize(shared, &request, true) {
        AuthorizeOutcome::UnknownClient => {
            error_page(401, "invalid_client", "The OAuth client was not found.")
        }
        AuthorizeOutcome::RedirectMismatch { requested, .. } => error_page(
            400,
            "redirect_uri_mismatch",
            &format!(
                "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. Request details: redirect_uri={requested} flowName=GeneralOAuthFlow"
            ),
        ),
        AuthorizeOutcome::InvalidScope { scopes, .. } => error_page(
            400,
            "invalid_scope",
            &format!(
                "Some requested scopes were invalid. {{invalid=[{}]}}",
                scopes.join(", ")
            ),
        ),
        AuthorizeOutcome::InvalidRequest { message, .. } => {
            error_page(400, "invalid_request", &message)
        }
        AuthorizeOutcome::Denied { redirect_uri } => redirect(&url_with(
            &redirect_uri,
            &with_state(vec![("error", "access_denied".to_string())], state),
        )),
        AuthorizeOutcome::Code { redirect_uri, code } => {
            let params = vec![
                ("code", code),
                ("scope", request.scopes.join(" ")),
                ("authuser", "0".to_string()),
                ("prompt", "consent".to_string()),
            ];
            redirect(&url_with(&redirect_uri, &with_state(params, state)))
        }
    }
}

/// `{error, error_description}` with the token endpoint's headers.
pub fn oauth_error(status: u16, error: &str, description: &str) -> ResponseTemplate {
    wire::json(
        status,
        &json!({"error": error, "error_description": description}),
        JSON,
    )
    .insert_header(
        "cache-control",
        "no-cache, no-store, max-age=0, must-revalidate",
    )
    .insert_header("pragma", "no-cache")
}

/// The token endpoint's answer to an engine refusal.
pub fn grant_error(e: GrantError, grant_type: &str) -> ResponseTemplate {
    match e {
        GrantError::UnknownClient => {
            oauth_error(401, "invalid_client", "The OAuth client was not found.")
        }
        GrantError::BadSecret => oauth_error(401, "invalid_client", "Unauthorized"),
        GrantError::UnknownCode => oauth_error(400, "invalid_grant", "Malformed auth code."),
        GrantError::CodeUsed | GrantError::CodeExpired => {
            oauth_error(400, "invalid_grant", "Bad Request")
        }
        GrantError::RedirectMismatch => oauth_error(400, "redirect_uri_mismatch", "Bad Request"),
        GrantError::BadVerifier => oauth_error(400, "invalid_grant", "Invalid code verifier."),
        GrantError::MissingVerifier => oauth_error(400, "invalid_grant", "Missing code verifier."),
        GrantError::BadRefreshToken => {
            oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
        }
        GrantError::UnsupportedGrantType => oauth_error(
            400,
            "unsupported_grant_type",
            &format!("Invalid grant_type: {grant_type}"),
        ),
    }
}

fn token(shared: &Shared, req: &Request) -> ResponseTemplate {
    let t = TokenRequest::read(req);
    let grant_type = t.grant_type.clone().unwrap_or_default();
    match flow::run_token(shared, &t, false) {
        (Some(grant), Ok(issued)) => {
            let mut body = json!({
                "access_token": issued.access_token,
                "expires_in": issued.expires_in.unwrap_or(3599),
                "scope": issued.scopes.join(" "),
                "token_type": "Bearer",
            });
            if grant == GrantKind::Code
                && let Some(rt) = &issued.refresh_token
            {
                body["refresh_token"] = json!(rt);
            }
            if issued.scopes.iter().any(|s| s == "openid") {
                let id_token = id_token(shared, &issued);
                shared.recorder.secret("id_token", &id_token);
                body["id_token"] = json!(id_token);
            }
            wire::json(200, &body, JSON)
                .insert_header(
                    "cache-control",
                    "no-cache, no-store, max-age=0, must-revalidate",
                )
                .insert_header("pragma", "no-cache")
        }
        (_, Err(e)) => grant_error(e, &grant_type),
        (None, Ok(_)) => grant_error(GrantError::UnsupportedGrantType, &grant_type),
    }
}

fn subject(account: &Account) -> String {
    format!("1{:020}", account.id)
}

/// An OpenID Connect ID token: a JWT whose claims are real and whose
/// signature is random bytes (nothing in the harness verifies it).
fn id_token(shared: &Shared, issued: &Issued) -> String {
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let account = shared.engine().accounts.get(&issued.login).cloned();
    let iat = issued.issued_ms / 1000;
    let mut claims = json!({
        "iss": "https://accounts.google.com",
        "azp": issued.client_id,
        "aud": issued.client_id,
        "sub": account.as_ref().map(subject).unwrap_or_default(),
        "iat": iat,
        "exp": iat + 3600,
    });
    if let Some(a) = &account
        && issued.scopes.iter().any(|s| s == "email")
    {
        claims["email"] = json!(a.email);
        claims["email_verified"] = json!(true);
    }
    let header = json!({"alg": "RS256", "kid": "mock-key-1", "typ": "JWT"});
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(shared.ids.hex(64));
    format!("{}.{}.{signature}", b64(&header), b64(&claims))
}

fn revoke(shared: &Shared, req: &Request) -> ResponseTemplate {
    let token = wire::form(req)
        .get("token")
        .cloned()
        .or_else(|| wire::query(req).get("token").cloned());
    let revoked = token.is_some_and(|t| shared.engine().revoke_token(&t));
    if revoked {
        ResponseTemplate::new(200).set_body_raw(Vec::new(), JSON)
    } else {
        oauth_error(400, "invalid_token", "Token expired or revoked")
    }
}

/// `WWW-Authenticate` for a token problem: no `error=` when no token was sent.
pub fn www_authenticate(problem: Option<TokenProblem>) -> String {
    match problem {
        Some(TokenProblem::Missing) | None => format!("Bearer realm=\"{REALM}\""),
        Some(_) => format!("Bearer realm=\"{REALM}\", error=\"invalid_token\""),
    }
}

/// An AIP-193 error: `{error:{code, message, status, details:[ErrorInfo]}}`.
pub fn aip193(
    code: u16,
    message: &str,
    status: &str,
    reason: Option<(&str, Value)>,
    legacy: Option<Value>,
) -> Value {
    let mut err = json!({"code": code, "message": message});
    if let Some(errors) = legacy {
        err["errors"] = errors;
    }
    err["status"] = json!(status);
    if let Some((reason, metadata)) = reason {
        err["details"] = json!([{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": reason,
            "domain": "googleapis.com",
            "metadata": metadata,
        }]);
    }
    json!({"error": err})
}

/// The 403 an API answers when the token lacks `needed`.
pub fn insufficient_scope(service: &str, method: &str, needed: &str) -> ResponseTemplate {
    let body = aip193(
        403,
        "Request had insufficient authentication scopes.",
        "PERMISSION_DENIED",
        Some((
            "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
            json!({"service": service, "method": method}),
        )),
        Some(json!([{
            "message": "Insufficient Permission",
            "domain": "global",
            "reason": "insufficientPermissions",
        }])),
    );
    wire::json(403, &body, JSON).insert_header(
        "www-authenticate",
        format!("Bearer realm=\"{REALM}\", error=\"insufficient_scope\", scope=\"{needed}\"")
            .as_str(),
    )
}

/// Which envelope an API speaks for bad credentials.
#[derive(Clone, Copy)]
enum Envelope {
    /// userinfo and other newer APIs.
    Aip193,
    /// Calendar's documented `errors[]` form.
    Legacy,
}

fn unauthenticated(
    problem: TokenProblem,
    envelope: Envelope,
    service: &str,
    method: &str,
) -> ResponseTemplate {
    let message = "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";
    let body = match envelope {
        Envelope::Legacy => json!({"error": {
            "errors": [{
                "domain": "global",
                "reason": if problem == TokenProblem::Missing { "required" } else { "authError" },
                "message": if problem == TokenProblem::Missing { "Login Required." } else { "Invalid Credentials" },
                "locationType": "header",
                "location": "Authorization",
            }],
            "code": 401,
            "message": if problem == TokenProblem::Missing { "Login Required." } else { "Invalid Credentials" },
        }}),
        Envelope::Aip193 => {
            let reason = match problem {
                TokenProblem::Expired => Some("ACCESS_TOKEN_EXPIRED"),
                TokenProblem::Missing => Some("CREDENTIALS_MISSING"),
                TokenProblem::Unknown | TokenProblem::Revoked => None,
            };
            aip193(
                401,
                message,
                "UNAUTHENTICATED",
                reason.map(|r| (r, json!({"service": service, "method": method}))),
                None,
            )
        }
    };
    wire::json(401, &body, JSON)
        .insert_header("www-authenticate", www_authenticate(Some(problem)).as_str())
}

fn api_call(
    shared: &Shared,
    req: &Request,
    envelope: Envelope,
    service: &str,
    method: &str,
    body: impl FnOnce(&Shared, &Request, &Account, &Token) -> ResponseTemplate,
) -> ResponseTemplate {
    let token = bearer(req);
    match flow::authenticate(shared, token.as_deref()).1 {
        Ok((account, t)) => body(shared, req, &account, &t),
        Err(p) => unauthenticated(p, envelope, service, method),
    }
}

fn userinfo(shared: &Shared, req: &Request) -> ResponseTemplate {
    api_call(
        shared,
        req,
        Envelope::Aip193,
        "openidconnect.googleapis.com",
        "google.identity.openidconnect.v1.UserInfo.Get",
        |_, _, a, t| {
            let has = |s: &str| {
                t.scopes
                    .iter()
                    .any(|g| g == s || g.ends_with(&format!("/userinfo.{s}")))
            };
            if !(has("openid") || has("email") || has("profile")) {
                return insufficient_scope(
                    "openidconnect.googleapis.com",
                    "google.identity.openidconnect.v1.UserInfo.Get",
                    "openid email profile",
                );
            }
            let mut body = json!({"sub": subject(a)});
            if has("profile") {
                let (given, family) = a.name.split_once(' ').unwrap_or((a.name.as_str(), ""));
                body["name"] = json!(a.name);
                body["given_name"] = json!(given);
                body["family_name"] = json!(family);
                body["picture"] = json!(format!(
                    "https://lh3.googleusercontent.com/a/{}=s96-c",
                    wire::derived_id("ACg8oc", &a.login, 40)
                ));
            }
            if has("email") {
                body["email"] = json!(a.email);
                body["email_verified"] = json!(true);
                if let Some((_, domain)) = a.email.split_once('@')
                    && domain != "gmail.com"
                {
                    body["hd"] = json!(domain);
                }
            }
            wire::json(200, &body, JSON)
        },
    )
}

/// A user's calendar events: generated once per user from the seeded RNG.
fn calendar_items(shared: &Shared, login: &str) -> Value {
    let day = 86_400_000;
    let start_of_day = shared.clock.now_ms().div_euclid(day) * day;
    flow::cached(shared, &format!("google.events.{login}"), |s| {
        let mut items = Vec::new();
        for i in 0..4i64 {
            let topic: String = s.ids.with_rng(|rng| Bs().fake_with_rng(rng));
            let start = start_of_day + (i + 1) * day + (9 + 2 * i) * 3_600_000;
            let end = start + 45 * 60_000;
            let id = s.ids.hex(13);
            let stamp = crate::common::clock::iso8601(start - 7 * day);
            items.push(json!({
                "kind": "calendar#event",
                "etag": format!("\"{}\"", 3_400_000_000_000_000i64 + i * 7919),
                "id": id,
                "status": "confirmed",
                "htmlLink": format!("https://www.google.com/calendar/event?eid={id}"),
                "created": stamp,
                "updated": stamp,
                "summary": capitalise(&topic),
                "creator": {"email": login, "self": true},
                "organizer": {"email": login, "self": true},
                "start": {"dateTime": crate::common::clock::iso8601(start).replace(".000Z", "Z"), "timeZone": "UTC"},
                "end": {"dateTime": crate::common::clock::iso8601(end).replace(".000Z", "Z"), "timeZone": "UTC"},
                "iCalUID": format!("{id}@google.com"),
                "sequence": 0,
                "reminders": {"useDefault": true},
                "eventType": "default",
            }));
        }
        Value::Array(items)
    })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn events(shared: &Shared, req: &Request) -> ResponseTemplate {
    let service = "calendar-json.googleapis.com";
    let method = "calendar.v3.Events.List";
    api_call(
        shared,
        req,
        Envelope::Legacy,
        service,
        method,
        |shared, req, a, t| {
            if !CALENDAR_SCOPES
                .iter()
                .any(|s| t.scopes.iter().any(|g| g == s))
            {
                return insufficient_scope(
                    service,
                    method,
                    "https://www.googleapis.com/auth/calendar.readonly",
                );
            }
            let q = wire::query(req);
            let max = match q.get("maxResults").map(|m| m.parse::<usize>()) {
                None => 250,
                Some(Ok(n)) if (1..=2500).contains(&n) => n,
                Some(_) => {
                    let body = json!({"error": {
                        "errors": [{"domain": "global", "reason": "invalid", "message": "Invalid value for: maxResults"}],
                        "code": 400,
                        "message": "Invalid value for: maxResults",
                    }});
                    return wire::json(400, &body, JSON);
                }
            };
            let all = calendar_items(shared, &a.email);
            let items = all.as_array().cloned().unwrap_or_default();
            let start = q
                .get("pageToken")
                .and_then(|p| p.strip_prefix("page-"))
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0)
                .min(items.len());
            let end = (start + max).min(items.len());
            let mut body = json!({
                "kind": "calendar#events",
                "etag": "\"p3289pfnvr4bie0o\"",
                "summary": a.email,
                "description": "",
                "updated": shared.clock.now_iso(),
                "timeZone": "UTC",
                "accessRole": "owner",
                "defaultReminders": [{"method": "popup", "minutes": 10}],
                "items": items[start..end],
            });
            if end < items.len() {
                body["nextPageToken"] = json!(format!("page-{end}"));
            } else {
                body["nextSyncToken"] =
                    json!(wire::derived_id("CPDAlvWDx70CEPDAlvWDx70CGAU", &a.email, 8));
            }
            wire::json(200, &body, JSON)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ProviderKind;
    use crate::providers::engine::ProviderMock;
    use crate::providers::engine::oauth::pkce_challenge;
    use crate::providers::engine::testing::{self, CALLBACK, CLIENT_ID, CLIENT_SECRET};

    const CAL: &str = "/calendar/v3/calendars/primary/events";

    async fn google() -> ProviderMock {
        testing::start(ProviderKind::Google, true).await
    }

    #[tokio::test]
    async fn an_unregistered_redirect_uri_stops_on_a_google_error_page() {
        let mock = google().await;
        let resp = testing::authorize(
            &mock,
            &[
                ("redirect_uri", "http://evil.example/cb"),
                ("response_type", "code"),
                ("scope", "openid"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 400);
        assert!(testing::header(&resp, "location").is_none());
        let body = resp.text().await.expect("a page");
        assert!(body.contains("Error 400: redirect_uri_mismatch"), "{body}");
    }

    #[tokio::test]
    async fn a_missing_response_type_is_an_invalid_request_page() {
        let mock = google().await;
        let resp =
            testing::authorize(&mock, &[("redirect_uri", CALLBACK), ("scope", "openid")]).await;
        assert_eq!(resp.status(), 400);
        assert!(
            resp.text()
                .await
                .expect("a page")
                .contains("invalid_request")
        );
    }

    #[tokio::test]
    async fn a_denial_goes_back_with_access_denied_and_the_state() {
        let mock = google().await;
        mock.engine().user_denies = true;
        let resp = testing::authorize(
            &mock,
            &[
                ("response_type", "code"),
                ("scope", "openid"),
                ("state", "g1"),
            ],
        )
        .await;
        assert_eq!(
            testing::location_param(&resp, "error").as_deref(),
            Some("access_denied")
        );
        assert_eq!(
            testing::location_param(&resp, "state").as_deref(),
            Some("g1")
        );
    }

    #[tokio::test]
    async fn a_code_exchange_returns_a_bearer_token_a_refresh_token_and_an_id_token() {
        let mock = google().await;
        let code = testing::code(&mock, "openid email").await;
        let resp = testing::exchange(&mock, &code).await;
        assert_eq!(resp.status(), 200);
        let body = testing::json(resp).await;
        assert!(
            body["access_token"]
                .as_str()
                .is_some_and(|t| t.starts_with("ya29."))
        );
        assert_eq!(body["expires_in"], 3599);
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["scope"], "openid email");
        assert!(
            body["refresh_token"]
                .as_str()
                .is_some_and(|t| t.starts_with("1//"))
        );
        assert_eq!(
            body["id_token"].as_str().map(|t| t.split('.').count()),
            Some(3)
        );
    }

    #[tokio::test]
    async fn code_errors_are_400_invalid_grant_with_googles_descriptions() {
        let mock = google().await;
        let unknown = testing::exchange(&mock, "4/0Anope").await;
        assert_eq!(unknown.status(), 400);
        assert_eq!(
            testing::json(unknown).await,
            json!({"error": "invalid_grant", "error_description": "Malformed auth code."})
        );
        let code = testing::code(&mock, "openid").await;
        testing::exchange(&mock, &code).await;
        let reused = testing::exchange(&mock, &code).await;
        assert_eq!(reused.status(), 400);
        assert_eq!(
            testing::json(reused).await,
            json!({"error": "invalid_grant", "error_description": "Bad Request"})
        );
    }

    #[tokio::test]
    async fn client_errors_are_401_invalid_client() {
        let mock = google().await;
        let code = testing::code(&mock, "openid").await;
        let resp = testing::token(
            &mock,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", "unknown.apps.googleusercontent.com"),
                ("client_secret", CLIENT_SECRET),
            ],
        )
        .await;
        assert_eq!(resp.status(), 401);
        assert_eq!(
            testing::json(resp).await,
            json!({"error": "invalid_client", "error_description": "The OAuth client was not found."})
        );
    }

    #[tokio::test]
    async fn a_redirect_uri_that_differs_at_the_token_step_is_redirect_uri_mismatch() {
        let mock = google().await;
        let code = testing::code(&mock, "openid").await;
        let resp = testing::token(
            &mock,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("redirect_uri", "http://elsewhere/cb"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 400);
        assert_eq!(testing::json(resp).await["error"], "redirect_uri_mismatch");
    }

    #[tokio::test]
    async fn plain_pkce_is_the_default_method() {
        let mock = google().await;
        let resp = testing::authorize(
            &mock,
            &[
                ("response_type", "code"),
                ("scope", "openid"),
                ("code_challenge", "verifier-in-plain"),
            ],
        )
        .await;
        let code = testing::location_param(&resp, "code").expect("a code");
        let ok = testing::token(
            &mock,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("code_verifier", "verifier-in-plain"),
            ],
        )
        .await;
        assert_eq!(ok.status(), 200);
        let s256 = testing::authorize(
            &mock,
            &[
                ("response_type", "code"),
                ("scope", "openid"),
                ("code_challenge", &pkce_challenge("v")),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
        let code = testing::location_param(&s256, "code").expect("a code");
        let bad = testing::token(
            &mock,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("code_verifier", "w"),
            ],
        )
        .await;
        assert_eq!(testing::json(bad).await["error"], "invalid_grant");
    }

    #[tokio::test]
    async fn a_refresh_returns_no_new_refresh_token_and_the_old_one_keeps_working() {
        let mock = google().await;
        let (_, rt) = testing::tokens(&mock, "openid").await;
        let rt = rt.expect("offline access");
        for _ in 0..2 {
            let body = testing::json(testing::refresh(&mock, &rt).await).await;
            assert!(body["access_token"].is_string());
            assert!(body.get("refresh_token").is_none());
        }
        mock.engine().revoke_refresh_tokens(None);
        let refused = testing::refresh(&mock, &rt).await;
        assert_eq!(refused.status(), 400);
        assert_eq!(
            testing::json(refused).await,
            json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
        );
    }

    #[tokio::test]
    async fn an_expired_token_is_401_unauthenticated_with_access_token_expired() {
        let mock = google().await;
        let (token, _) = testing::tokens(&mock, "openid email").await;
        mock.engine()
            .expire_tokens(None, mock.shared().clock.now_ms());
        let resp = testing::get(&mock, "/v1/userinfo", &token).await;
        assert_eq!(resp.status(), 401);
        assert_eq!(
            testing::header(&resp, "www-authenticate").as_deref(),
            Some("Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"")
        );
        let body = testing::json(resp).await;
        assert_eq!(body["error"]["status"], "UNAUTHENTICATED");
        assert_eq!(
            body["error"]["details"][0]["reason"],
            "ACCESS_TOKEN_EXPIRED"
        );
        assert_eq!(
            body["error"]["details"][0]["@type"],
            "type.googleapis.com/google.rpc.ErrorInfo"
        );
    }

    #[tokio::test]
    async fn calendar_answers_bad_credentials_in_its_legacy_envelope() {
        let mock = google().await;
        let resp = testing::get(&mock, CAL, "ya29.nope").await;
        assert_eq!(resp.status(), 401);
        let body = testing::json(resp).await;
        assert_eq!(body["error"]["code"], 401);
        assert_eq!(body["error"]["message"], "Invalid Credentials");
        assert_eq!(body["error"]["errors"][0]["reason"], "authError");
        assert_eq!(body["error"]["errors"][0]["location"], "Authorization");
    }

    #[tokio::test]
    async fn calendar_without_a_calendar_scope_is_403_access_token_scope_insufficient() {
        let mock = google().await;
        let (token, _) = testing::tokens(&mock, "openid email").await;
        let resp = testing::get(&mock, CAL, &token).await;
        assert_eq!(resp.status(), 403);
        let challenge = testing::header(&resp, "www-authenticate").expect("a challenge");
        assert!(challenge.contains("error=\"insufficient_scope\""));
        assert!(challenge.contains("scope=\"https://www.googleapis.com/auth/calendar.readonly\""));
        let body = testing::json(resp).await;
        assert_eq!(body["error"]["status"], "PERMISSION_DENIED");
        assert_eq!(
            body["error"]["errors"][0]["reason"],
            "insufficientPermissions"
        );
        assert_eq!(
            body["error"]["details"][0]["reason"],
            "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
        );
        assert_eq!(
            body["error"]["details"][0]["metadata"]["service"],
            "calendar-json.googleapis.com"
        );
    }

    #[tokio::test]
    async fn calendar_lists_events_and_pages_them() {
        let mock = google().await;
        let (token, _) =
            testing::tokens(&mock, "https://www.googleapis.com/auth/calendar.readonly").await;
        let first =
            testing::json(testing::get(&mock, &format!("{CAL}?maxResults=3"), &token).await).await;
        assert_eq!(first["kind"], "calendar#events");
        assert_eq!(first["items"].as_array().map(Vec::len), Some(3));
        assert_eq!(first["items"][0]["kind"], "calendar#event");
        let next = first["nextPageToken"].as_str().expect("a page token");
        let rest = testing::json(
            testing::get(
                &mock,
                &format!("{CAL}?maxResults=3&pageToken={next}"),
                &token,
            )
            .await,
        )
        .await;
        assert_eq!(rest["items"].as_array().map(Vec::len), Some(1));
        assert!(rest["nextSyncToken"].is_string());
    }

    #[tokio::test]
    async fn revoking_an_access_token_revokes_the_grant() {
        let mock = google().await;
        let (token, rt) = testing::tokens(&mock, "openid").await;
        let resp = testing::http()
            .post(format!("{}/revoke", mock.uri()))
            .form(&[("token", token.as_str())])
            .send()
            .await
            .expect("answers");
        assert_eq!(resp.status(), 200);
        let refused = testing::refresh(&mock, &rt.expect("offline")).await;
        assert_eq!(refused.status(), 400);
        let again = testing::http()
            .post(format!("{}/revoke", mock.uri()))
            .form(&[("token", token.as_str())])
            .send()
            .await
            .expect("answers");
        assert_eq!(again.status(), 400);
        assert_eq!(testing::json(again).await["error"], "invalid_token");
    }
}
