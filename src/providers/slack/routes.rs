//! Slack as it behaves on the wire, after its public API documentation.
//!
//! - Scopes are **comma**-separated, in `scope` (bot) and `user_scope` (user).
//! - Every Web API answer, `oauth.v2.access` included, is a JSON envelope
//!   `{ok: true|false, error}` with **HTTP 200**; only rate limits use a
//!   status (429 + `Retry-After`).
//! - Without token rotation tokens never expire (`xoxb-…`); with rotation
//!   they start `xoxe.`, last 12 h and come with a single-use `xoxe-1-…`
//!   refresh token; the old access token lives until it expires.
//! - `missing_scope` names what was `needed` and what the token `provided`;
//!   every answer carries `x-oauth-scopes`.
//! - PKCE (S256 only) counts only once the app opted in.
//!
//! Choices where the reference is silent ([U]): an unknown client id or an
//! unregistered redirect URI stop on a Slack error page (HTTP 400) instead of
//! redirecting; a refused scope redirects with `error=invalid_scope`; PKCE
//! failures are `invalid_code`; the refresh grace period and the two-token
//! limit are not modelled; a 5xx fault answers `internal_error` /
//! `service_unavailable` in the envelope.

use base64::Engine as _;
use fake::Fake;
use fake::faker::company::en::CompanyName;
use fake::faker::lorem::en::Word;
use serde_json::{Value, json};
use wiremock::{Request, ResponseTemplate};

use crate::providers::engine::flow::{self, AuthorizeOutcome, AuthorizeRequest, TokenRequest};
use crate::providers::engine::oauth::{GrantError, Issued, Token, TokenProblem};
use crate::providers::engine::wire::{self, derived_id, page, redirect, url_with, with_state};
use crate::providers::engine::{Account, RouteClass, RouteEntry, Shared};

const JSON: &str = "application/json; charset=utf-8";

/// slack's default routes, in the order they are mounted.
pub const ROUTES: &[RouteEntry] = {
    use RouteClass::*;
    &[
        RouteEntry::new(Authorize, "GET", "/oauth/v2/authorize", authorize),
        RouteEntry::new(Token, "POST", "/api/oauth.v2.access", access),
        RouteEntry::new(Revoke, "POST", "/api/auth.revoke", revoke),
        RouteEntry::new(Revoke, "GET", "/api/auth.revoke", revoke),
        RouteEntry::new(Api, "GET", "/api/auth.test", auth_test),
        RouteEntry::new(Api, "GET", "/api/conversations.list", conversations_list),
        RouteEntry::new(Api, "POST", "/api/auth.test", auth_test),
        RouteEntry::new(Api, "POST", "/api/conversations.list", conversations_list),
    ]
};

/// Slack's answer for a method the mock does not serve.
pub fn not_found(path: &str) -> ResponseTemplate {
    wire::json(
        200,
        &json!({"ok": false, "error": "unknown_method", "req_method": path.trim_start_matches("/api/")}),
        "application/json",
    )
}

/// A Slack envelope answer: `{ok:false, error}` (plus extra fields) with HTTP `status`.
pub fn error(status: u16, code: &str, extra: &[(&str, Value)]) -> ResponseTemplate {
    let mut m = serde_json::Map::new();
    m.insert("ok".into(), json!(false));
    m.insert("error".into(), json!(code));
    for (k, v) in extra {
        m.insert((*k).to_string(), v.clone());
    }
    wire::json(status, &Value::Object(m), JSON)
}

fn ok(body: Value) -> ResponseTemplate {
    let mut m = serde_json::Map::new();
    m.insert("ok".into(), json!(true));
    if let Value::Object(rest) = body {
        m.extend(rest);
    }
    wire::json(200, &Value::Object(m), JSON)
}

fn authorize(shared: &Shared, req: &Request) -> ResponseTemplate {
    let (mut request, q) = AuthorizeRequest::read(shared, req);
    let user_scopes = q
        .get("user_scope")
        .map(|s| wire::split_scopes(s))
        .unwrap_or_default();
    if request.scopes.is_empty() && !user_scopes.is_empty() {
        request.scopes = user_scopes;
        request.user_token = true;
    }
    let state = request.state.as_deref();
    let to = |base: &str, params: Vec<(&'static str, String)>| {
        redirect(&url_with(base, &with_state(params, state)))
    };
    match flow::authorize(shared, &request, false) {
        AuthorizeOutcome::UnknownClient => page(
            400,
            "Oops, something went wrong",
            "Invalid client_id parameter",
        ),
        AuthorizeOutcome::RedirectMismatch { requested, .. } => page(
            400,
            "Oops, something went wrong",
            &format!("redirect_uri did not match any configured URIs. Passed URI: {requested}"),
        ),
        AuthorizeOutcome::InvalidScope { redirect_uri, .. } => {
            to(&redirect_uri, vec![("error", "invalid_scope".to_string())])
        }
        AuthorizeOutcome::InvalidRequest { redirect_uri, .. } => to(
            &redirect_uri,
            vec![("error", "invalid_code_challenge_method".to_string())],
        ),
        AuthorizeOutcome::Denied { redirect_uri } => {
            to(&redirect_uri, vec![("error", "access_denied".to_string())])
        }
        AuthorizeOutcome::Code { redirect_uri, code } => to(&redirect_uri, vec![("code", code)]),
    }
}

/// The workspace the mock's users belong to: generated once, from the seeded RNG.
fn team(shared: &Shared) -> Value {
    flow::cached(shared, "slack.team", |s| {
        let name: String = s.ids.with_rng(|rng| CompanyName().fake_with_rng(rng));
        let domain: String = name
            .to_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(20)
            .collect();
        json!({"id": derived_id("T0", &name, 9), "name": name, "domain": domain})
    })
}

fn user_id(login: &str) -> String {
    derived_id("U0", login, 9)
}

fn app_id(client_id: &str) -> String {
    derived_id("A0", client_id, 9)
}

fn bot_user_id(client_id: &str) -> String {
    derived_id("U0", &format!("bot:{client_id}"), 9)
}

/// The `oauth.v2.access` error code for an engine refusal.
pub fn grant_error_code(e: GrantError) -> &'static str {
    match e {
        GrantError::UnknownClient => "invalid_client_id",
        GrantError::BadSecret => "bad_client_secret",
        GrantError::UnknownCode
        | GrantError::CodeExpired
        | GrantError::BadVerifier
        | GrantError::MissingVerifier => "invalid_code",
        GrantError::CodeUsed => "code_already_used",
        GrantError::RedirectMismatch => "bad_redirect_uri",
        GrantError::BadRefreshToken => "invalid_refresh_token",
        GrantError::UnsupportedGrantType => "invalid_grant_type",
    }
}

fn access(shared: &Shared, req: &Request) -> ResponseTemplate {
    let t = TokenRequest::read(req);
    match flow::run_token(shared, &t, true) {
        (_, Ok(issued)) => ok(grant_body(shared, &issued)),
        (_, Err(e)) => error(200, grant_error_code(e), &[]),
    }
}

fn grant_body(shared: &Shared, issued: &Issued) -> Value {
    let scope = issued.scopes.join(",");
    let mut token = serde_json::Map::new();
    token.insert("access_token".into(), json!(issued.access_token));
    token.insert(
        "token_type".into(),
        json!(if issued.user_token { "user" } else { "bot" }),
    );
    token.insert("scope".into(), json!(scope));
    if let (Some(rt), Some(exp)) = (&issued.refresh_token, issued.expires_in) {
        token.insert("expires_in".into(), json!(exp));
        token.insert("refresh_token".into(), json!(rt));
    } else if let Some(exp) = issued.expires_in {
        token.insert("expires_in".into(), json!(exp));
    }
    let mut body = serde_json::Map::new();
    body.insert("app_id".into(), json!(app_id(&issued.client_id)));
    if issued.user_token {
        let mut authed = serde_json::Map::new();
        authed.insert("id".into(), json!(user_id(&issued.login)));
        authed.extend(token);
        body.insert("authed_user".into(), Value::Object(authed));
    } else {
        body.insert("authed_user".into(), json!({"id": user_id(&issued.login)}));
        body.extend(token);
        body.insert("bot_user_id".into(), json!(bot_user_id(&issued.client_id)));
    }
    let t = team(shared);
    body.insert("team".into(), json!({"id": t["id"], "name": t["name"]}));
    body.insert("enterprise".into(), Value::Null);
    body.insert("is_enterprise_install".into(), json!(false));
    Value::Object(body)
}

fn revoke(shared: &Shared, req: &Request) -> ResponseTemplate {
    let Some(token) = wire::bearer_or_form_token(req) else {
        return error(200, "not_authed", &[]);
    };
    let test = wire::query(req)
        .get("test")
        .cloned()
        .or_else(|| wire::form(req).get("test").cloned())
        .is_some_and(|v| v == "true" || v == "1");
    let mut engine = shared.engine();
    let live = engine.tokens.get(&token).is_some_and(|t| !t.revoked);
    if !live {
        return error(200, "invalid_auth", &[]);
    }
    if !test {
        engine.revoke_token(&token);
    }
    ok(json!({"revoked": !test}))
}

/// The Web API method error for a token problem.
pub fn token_problem_code(p: TokenProblem) -> &'static str {
    match p {
        TokenProblem::Missing => "not_authed",
        TokenProblem::Unknown => "invalid_auth",
        TokenProblem::Revoked => "token_revoked",
        TokenProblem::Expired => "token_expired",
    }
}

/// Authenticates a Web API call; the answer carries the token's scopes.
fn api_call(
    shared: &Shared,
    req: &Request,
    accepted: &[&str],
    body: impl FnOnce(&Shared, &Request, &Account, &Token) -> ResponseTemplate,
) -> ResponseTemplate {
    let token = wire::bearer_or_form_token(req);
    let (_, auth) = flow::authenticate(shared, token.as_deref());
    let accepted_header = accepted.join(",");
    match auth {
        Ok((account, t)) => {
            let has =
                accepted.is_empty() || accepted.iter().any(|s| t.scopes.iter().any(|g| g == s));
            let resp = if has {
                body(shared, req, &account, &t)
            } else {
                error(
                    200,
                    "missing_scope",
                    &[
                        (
                            "needed",
                            json!(accepted.first().copied().unwrap_or_default()),
                        ),
                        ("provided", json!(t.scopes.join(","))),
                    ],
                )
            };
            resp.insert_header("x-oauth-scopes", t.scopes.join(",").as_str())
                .insert_header("x-accepted-oauth-scopes", accepted_header.as_str())
        }
        Err(p) => error(200, token_problem_code(p), &[]),
    }
}

fn auth_test(shared: &Shared, req: &Request) -> ResponseTemplate {
    api_call(shared, req, &[], |shared, _, account, t| {
        let team = team(shared);
        let url = format!(
            "https://{}.slack.com/",
            team["domain"].as_str().unwrap_or("team")
        );
        let mut body = json!({
            "url": url,
            "team": team["name"],
            "team_id": team["id"],
            "is_enterprise_install": false,
        });
        if t.user_token {
            body["user"] = json!(account.login);
            body["user_id"] = json!(user_id(&account.login));
        } else {
            body["user"] = json!("pipes");
            body["user_id"] = json!(bot_user_id(&t.client_id));
            body["bot_id"] = json!(derived_id("B0", &t.client_id, 9));
        }
        ok(body)
    })
}

/// The workspace's channels: `general` and `random` plus a few fake ones.
fn channels(shared: &Shared) -> Value {
    let created_base = shared.clock.now_secs() - 400 * 86_400;
    flow::cached(shared, "slack.channels", |s| {
        let mut names = vec!["general".to_string(), "random".to_string()];
        for _ in 0..4 {
            let w: String = s.ids.with_rng(|rng| Word().fake_with_rng(rng));
            let n = s.ids.number(1..99);
            names.push(format!("{w}-{n}"));
        }
        let list: Vec<Value> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let private = i == names.len() - 1;
                let created = created_base + (i as i64) * 86_400;
                json!({
                    "id": derived_id("C0", name, 9),
                    "name": name,
                    "is_channel": !private,
                    "is_group": private,
                    "is_im": false,
                    "is_private": private,
                    "is_archived": false,
                    "is_general": name == "general",
                    "is_member": true,
                    "created": created,
                    "creator": derived_id("U0", "founder", 9),
                    "topic": {"value": "", "creator": "", "last_set": 0},
                    "purpose": {"value": format!("All about {name}"), "creator": "", "last_set": 0},
                    "num_members": 3 + i as u64 * 2,
                })
            })
            .collect();
        Value::Array(list)
    })
}

fn conversations_list(shared: &Shared, req: &Request) -> ResponseTemplate {
    let accepted = ["channels:read", "groups:read", "im:read", "mpim:read"];
    api_call(shared, req, &accepted, |shared, req, _, t| {
        let mut params = wire::query(req);
        for (k, v) in wire::form(req) {
            params.entry(k).or_insert(v);
        }
        let limit = match params.get("limit").map(|l| l.parse::<usize>()) {
            None => 100,
            Some(Ok(n)) if (1..1000).contains(&n) => n,
            Some(_) => return error(200, "invalid_limit", &[]),
        };
        let types = params
            .get("types")
            .cloned()
            .unwrap_or_else(|| "public_channel".to_string());
        let want_private = types.contains("private_channel");
        let want_public = types.contains("public_channel");
        if want_private && !t.scopes.iter().any(|s| s == "groups:read") {
            return error(
                200,
                "missing_scope",
                &[
                    ("needed", json!("groups:read")),
                    ("provided", json!(t.scopes.join(","))),
                ],
            );
        }
        let all: Vec<Value> = channels(shared)
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|c| {
                let private = c["is_private"].as_bool().unwrap_or(false);
                (private && want_private) || (!private && want_public)
            })
            .collect();
        let start = match params.get("cursor").filter(|c| !c.is_empty()) {
            None => 0,
            Some(cursor) => match decode_cursor(cursor) {
                Some(n) if n <= all.len() => n,
                _ => return error(200, "invalid_cursor", &[]),
            },
        };
        let end = (start + limit).min(all.len());
        let next = if end < all.len() {
            encode_cursor(end)
        } else {
            String::new()
        };
        ok(json!({
            "channels": all[start..end],
            "response_metadata": {"next_cursor": next},
        }))
    })
}

fn encode_cursor(offset: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("team:C{offset:08}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(cursor.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    text.strip_prefix("team:C")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ProviderKind;
    use crate::providers::engine::ProviderMock;
    use crate::providers::engine::testing::{self, CALLBACK, CLIENT_ID, CLIENT_SECRET};

    async fn slack(rotation: bool) -> ProviderMock {
        let mock = testing::start(ProviderKind::Slack, false).await;
        mock.engine().expiring_tokens = rotation;
        mock
    }

    #[tokio::test]
    async fn scopes_are_comma_separated_and_the_state_is_echoed() {
        let mock = slack(false).await;
        let resp = testing::authorize(
            &mock,
            &[
                ("scope", "channels:read,chat:write"),
                ("redirect_uri", CALLBACK),
                ("state", "st8"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 302);
        assert_eq!(
            testing::location_param(&resp, "state").as_deref(),
            Some("st8")
        );
        let code = testing::location_param(&resp, "code").expect("a code");
        let body = testing::json(testing::exchange(&mock, &code).await).await;
        assert_eq!(body["ok"], true);
        assert_eq!(body["scope"], "channels:read,chat:write");
        assert_eq!(body["token_type"], "bot");
        assert!(
            body["access_token"]
                .as_str()
                .is_some_and(|t| t.starts_with("xoxb-"))
        );
        assert!(
            body["team"]["id"]
                .as_str()
                .is_some_and(|t| t.starts_with('T'))
        );
        assert!(body.get("refresh_token").is_none());
    }

    #[tokio::test]
    async fn a_user_scope_install_puts_the_token_under_authed_user() {
        let mock = slack(false).await;
        let resp = testing::authorize(
            &mock,
            &[("user_scope", "channels:read"), ("redirect_uri", CALLBACK)],
        )
        .await;
        let code = testing::location_param(&resp, "code").expect("a code");
        let body = testing::json(testing::exchange(&mock, &code).await).await;
        assert!(body.get("access_token").is_none());
        assert_eq!(body["authed_user"]["token_type"], "user");
        assert!(
            body["authed_user"]["access_token"]
                .as_str()
                .is_some_and(|t| t.starts_with("xoxp-"))
        );
    }

    #[tokio::test]
    async fn a_bad_code_and_a_reused_code_are_ok_false_with_http_200() {
        let mock = slack(false).await;
        let resp = testing::exchange(&mock, "123.abc").await;
        assert_eq!(resp.status(), 200);
        assert_eq!(
            testing::json(resp).await,
            json!({"ok": false, "error": "invalid_code"})
        );
        let code = testing::code(&mock, "chat:write").await;
        testing::exchange(&mock, &code).await;
        let again = testing::exchange(&mock, &code).await;
        assert_eq!(again.status(), 200);
        assert_eq!(
            testing::json(again).await,
            json!({"ok": false, "error": "code_already_used"})
        );
    }

    #[tokio::test]
    async fn client_and_redirect_errors_have_their_own_codes() {
        let mock = slack(false).await;
        let code = testing::code(&mock, "chat:write").await;
        let bad_secret = testing::token(
            &mock,
            &[
                ("code", &code),
                ("client_id", CLIENT_ID),
                ("client_secret", "x"),
            ],
        )
        .await;
        assert_eq!(
            testing::json(bad_secret).await["error"],
            "bad_client_secret"
        );
        let unknown = testing::token(
            &mock,
            &[
                ("code", &code),
                ("client_id", "nobody"),
                ("client_secret", "x"),
            ],
        )
        .await;
        assert_eq!(testing::json(unknown).await["error"], "invalid_client_id");
        let code = testing::code(&mock, "chat:write").await;
        let moved = testing::token(
            &mock,
            &[
                ("code", &code),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("redirect_uri", "http://elsewhere/cb"),
            ],
        )
        .await;
        assert_eq!(testing::json(moved).await["error"], "bad_redirect_uri");
    }

    #[tokio::test]
    async fn rotation_issues_xoxe_tokens_and_a_single_use_refresh_token() {
        let mock = slack(true).await;
        let (access, refresh) = testing::tokens(&mock, "chat:write").await;
        assert!(access.starts_with("xoxe.xoxb-1-"));
        let rt = refresh.expect("rotation issues a refresh token");
        assert!(rt.starts_with("xoxe-1-"));
        let fresh = testing::json(testing::refresh(&mock, &rt).await).await;
        assert_eq!(fresh["ok"], true);
        assert_eq!(fresh["expires_in"], 43_200);
        assert!(fresh["refresh_token"].as_str().is_some_and(|t| t != rt));
        let reused = testing::refresh(&mock, &rt).await;
        assert_eq!(reused.status(), 200);
        assert_eq!(
            testing::json(reused).await,
            json!({"ok": false, "error": "invalid_refresh_token"})
        );
        // The old access token keeps working until it expires.
        let still = testing::json(testing::get(&mock, "/api/auth.test", &access).await).await;
        assert_eq!(still["ok"], true);
    }

    #[tokio::test]
    async fn a_missing_scope_names_what_is_needed_and_provided() {
        let mock = slack(false).await;
        let (token, _) = testing::tokens(&mock, "chat:write,commands").await;
        let resp = testing::get(&mock, "/api/conversations.list", &token).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(
            testing::header(&resp, "x-oauth-scopes").as_deref(),
            Some("chat:write,commands")
        );
        assert_eq!(
            testing::json(resp).await,
            json!({"ok": false, "error": "missing_scope", "needed": "channels:read", "provided": "chat:write,commands"})
        );
    }

    #[tokio::test]
    async fn token_problems_are_ok_false_with_http_200() {
        let mock = slack(false).await;
        let unknown = testing::get(&mock, "/api/auth.test", "xoxb-nope").await;
        assert_eq!(unknown.status(), 200);
        assert_eq!(testing::json(unknown).await["error"], "invalid_auth");
        let none = testing::http()
            .post(format!("{}/api/auth.test", mock.uri()))
            .send()
            .await
            .expect("answers");
        assert_eq!(testing::json(none).await["error"], "not_authed");
        let (token, _) = testing::tokens(&mock, "chat:write").await;
        mock.engine().revoke_all("alice");
        let revoked = testing::get(&mock, "/api/auth.test", &token).await;
        assert_eq!(testing::json(revoked).await["error"], "token_revoked");
    }

    #[tokio::test]
    async fn auth_revoke_revokes_the_calling_token() {
        let mock = slack(false).await;
        let (token, _) = testing::tokens(&mock, "chat:write").await;
        let resp = testing::http()
            .post(format!("{}/api/auth.revoke", mock.uri()))
            .bearer_auth(&token)
            .send()
            .await
            .expect("answers");
        assert_eq!(
            testing::json(resp).await,
            json!({"ok": true, "revoked": true})
        );
        let after = testing::get(&mock, "/api/auth.test", &token).await;
        assert_eq!(testing::json(after).await["error"], "token_revoked");
    }

    #[tokio::test]
    async fn conversations_list_pages_with_a_cursor() {
        let mock = slack(false).await;
        let (token, _) = testing::tokens(&mock, "channels:read").await;
        let first =
            testing::json(testing::get(&mock, "/api/conversations.list?limit=2", &token).await)
                .await;
        assert_eq!(first["ok"], true);
        assert_eq!(first["channels"][0]["name"], "general");
        let cursor = first["response_metadata"]["next_cursor"]
            .as_str()
            .expect("a cursor")
            .to_string();
        assert!(!cursor.is_empty());
        let second = testing::json(
            testing::get(
                &mock,
                &format!("/api/conversations.list?limit=2&cursor={cursor}"),
                &token,
            )
            .await,
        )
        .await;
        assert_ne!(second["channels"][0]["id"], first["channels"][0]["id"]);
    }

    #[tokio::test]
    async fn a_denial_redirects_with_access_denied_and_state() {
        let mock = slack(false).await;
        mock.engine().user_denies = true;
        let resp = testing::authorize(&mock, &[("scope", "chat:write"), ("state", "q")]).await;
        assert_eq!(
            testing::location_param(&resp, "error").as_deref(),
            Some("access_denied")
        );
        assert_eq!(
            testing::location_param(&resp, "state").as_deref(),
            Some("q")
        );
    }
}
