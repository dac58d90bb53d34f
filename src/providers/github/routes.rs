//! GitHub as it behaves on the wire, after its public API documentation.
//!
//! - The token endpoint answers form-encoded unless `Accept: application/json`,
//!   and reports errors with **HTTP 200** and an `error` field.
//! - A redirect URI that is not registered sends the browser to the app's
//!   *registered* callback with `error=redirect_uri_mismatch` (the documented
//!   behaviour), or, in error-page mode, shows GitHub's warning page and goes
//!   nowhere (the observed behaviour).
//! - Expiring tokens (`ghu_`, 8 h) come with a rotating refresh token
//!   (`ghr_`); a refresh also kills the access token it replaces.
//! - The REST API answers bad credentials with 401 `Bad credentials` and sends
//!   `X-OAuth-Scopes`, `X-Accepted-OAuth-Scopes` and `x-ratelimit-*` headers on
//!   every answer; a request without `User-Agent` is refused with 403.
//! - A missing OAuth scope on a private resource answers **404** (GitHub does
//!   not admit the resource exists), with the scope headers telling why.
//! - Revocation: `DELETE /applications/{client_id}/token` with the app's
//!   credentials as HTTP Basic and `{"access_token": …}`; 204 when done.
//!
//! Choices where the reference is silent ([U]): an unknown client id shows a
//! 404 page; a refused scope and an unsupported PKCE method redirect with
//! `error=invalid_scope` / `error=invalid_request`; revoking an unknown token
//! or with wrong credentials answers 404 `Not Found`.

use serde_json::{Value, json};
use wiremock::{Request, ResponseTemplate};

use crate::providers::engine::flow::{self, AuthorizeOutcome, AuthorizeRequest, TokenRequest};
use crate::providers::engine::oauth::{GrantError, Token, TokenProblem};
use crate::providers::engine::wire::{self, bearer, page, redirect, url_with, with_state};
use crate::providers::engine::{Account, RouteClass, RouteEntry, Shared};

const DOCS: &str = "https://docs.github.com";
const AUTHORIZE_DOCS: &str =
    "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors";
/// The primary rate limit of an OAuth user token, per hour.
pub const RATE_LIMIT: u64 = 5000;
const JSON: &str = "application/json; charset=utf-8";

/// github's default routes, in the order they are mounted.
pub const ROUTES: &[RouteEntry] = {
    use RouteClass::*;
    &[
        RouteEntry::new(Authorize, "GET", "/login/oauth/authorize", authorize),
        RouteEntry::new(Token, "POST", "/login/oauth/access_token", access_token),
        RouteEntry::new(Revoke, "DELETE", "/applications/*/token", revoke),
        RouteEntry::new(Api, "GET", "/user", user),
        RouteEntry::new(Api, "GET", "/user/repos", repos),
        RouteEntry::new(Api, "GET", "/user/emails", emails),
        RouteEntry::new(Api, "GET", "/rate_limit", rate_limit),
    ]
};

/// GitHub's answer for a path the mock does not serve.
pub fn not_found(_path: &str) -> ResponseTemplate {
    wire::json(404, &not_found_body(), "application/json")
}

fn authorize(shared: &Shared, req: &Request) -> ResponseTemplate {
    let (request, _) = AuthorizeRequest::read(shared, req);
    let state = request.state.as_deref();
    let error = |to: &str, code: &str, description: &str, anchor: &str| {
        redirect(&url_with(
            to,
            &with_state(
                vec![
                    ("error", code.to_string()),
                    ("error_description", description.to_string()),
                    ("error_uri", format!("{AUTHORIZE_DOCS}/#{anchor}")),
                ],
                state,
            ),
        ))
    };
    match flow::authorize(shared, &request, false) {
        AuthorizeOutcome::UnknownClient => {
            page(404, "Not Found", "This OAuth application does not exist.")
        }
        AuthorizeOutcome::RedirectMismatch { page: true, .. } => page(
            200,
            "Be careful!",
            "The redirect_uri is not associated with this application. The application might be misconfigured or could be trying to redirect you to a website you weren't expecting.",
        ),
        AuthorizeOutcome::RedirectMismatch { registered, .. } => error(
            &registered,
            "redirect_uri_mismatch",
            "The redirect_uri MUST match the registered callback URL for this application.",
            "redirect-uri-mismatch",
        ),
        AuthorizeOutcome::InvalidScope {
            redirect_uri,
            scopes,
        } => error(
            &redirect_uri,
            "invalid_scope",
            &format!(
                "The scopes {} are not allowed for this application.",
                scopes.join(", ")
            ),
            "invalid-scope",
        ),
        AuthorizeOutcome::InvalidRequest {
            redirect_uri,
            message,
        } => error(
            &redirect_uri,
            "invalid_request",
            &message,
            "invalid-request",
        ),
        AuthorizeOutcome::Denied { redirect_uri } => error(
            &redirect_uri,
            "access_denied",
            "The user has denied your application access.",
            "access-denied",
        ),
        AuthorizeOutcome::Code { redirect_uri, code } => redirect(&url_with(
            &redirect_uri,
            &with_state(vec![("code", code)], state),
        )),
    }
}

/// GitHub answers in the format the `Accept` header asks for; form-encoded by default.
fn token_reply(req: &Request, fields: &[(&str, Value)]) -> ResponseTemplate {
    let wants_json = wire::header(req, "accept").is_some_and(|a| a.contains("application/json"));
    if wants_json {
        let mut m = serde_json::Map::new();
        for (k, v) in fields {
            m.insert((*k).to_string(), v.clone());
        }
        wire::json(200, &Value::Object(m), JSON)
    } else {
        let text: Vec<(&str, String)> = fields
            .iter()
            .map(|(k, v)| {
                (
                    *k,
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string()),
                )
            })
            .collect();
        wire::form_body(
            200,
            &text,
            "application/x-www-form-urlencoded; charset=utf-8",
        )
    }
}

/// The token endpoint's error for `error`, always with HTTP 200.
pub fn token_error(req: &Request, error: GrantError) -> ResponseTemplate {
    let (code, description, anchor) = match error {
        GrantError::UnknownClient | GrantError::BadSecret => (
            "incorrect_client_credentials",
            "The client_id and/or client_secret passed are incorrect.",
            "incorrect-client-credentials",
        ),
        GrantError::UnknownCode
        | GrantError::CodeExpired
        | GrantError::CodeUsed
        | GrantError::BadVerifier
        | GrantError::MissingVerifier => (
            "bad_verification_code",
            "The code passed is incorrect or expired.",
            "bad-verification-code",
        ),
        GrantError::RedirectMismatch => (
            "redirect_uri_mismatch",
            "The redirect_uri MUST match the registered callback URL for this application.",
            "redirect-uri-mismatch2",
        ),
        GrantError::BadRefreshToken => (
            "bad_refresh_token",
            "The refresh token passed is incorrect or expired.",
            "bad-refresh-token",
        ),
        GrantError::UnsupportedGrantType => (
            "unsupported_grant_type",
            "The grant type is not supported.",
            "unsupported-grant-type",
        ),
    };
    token_reply(
        req,
        &[
            ("error", json!(code)),
            ("error_description", json!(description)),
            (
                "error_uri",
                json!(format!(
                    "{DOCS}/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#{anchor}"
                )),
            ),
        ],
    )
}

fn access_token(shared: &Shared, req: &Request) -> ResponseTemplate {
    let t = TokenRequest::read(req);
    match flow::run_token(shared, &t, true).1 {
        Ok(issued) => {
            let mut fields = vec![("access_token", json!(issued.access_token))];
            if let (Some(rt), Some(exp)) = (&issued.refresh_token, issued.expires_in) {
                fields.push(("expires_in", json!(exp)));
                fields.push(("refresh_token", json!(rt)));
                fields.push(("refresh_token_expires_in", json!(15_897_600)));
            }
            fields.push(("scope", json!(issued.scopes.join(","))));
            fields.push(("token_type", json!("bearer")));
            token_reply(req, &fields)
        }
        Err(e) => token_error(req, e),
    }
}

fn not_found_body() -> Value {
    json!({
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest",
        "status": "404",
    })
}

fn revoke(shared: &Shared, req: &Request) -> ResponseTemplate {
    let path_client = req
        .url
        .path()
        .trim_start_matches("/applications/")
        .trim_end_matches("/token")
        .to_string();
    let creds_ok = wire::basic_auth(req).is_some_and(|(id, secret)| {
        id == path_client
            && shared
                .engine()
                .check_client(&id, Some(secret.as_str()))
                .is_ok()
    });
    let token = serde_json::from_slice::<Value>(&req.body)
        .ok()
        .and_then(|v| {
            v.get("access_token")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
    let revoked = creds_ok
        && token.is_some_and(|t| {
            let mut engine = shared.engine();
            engine
                .tokens
                .get(&t)
                .is_some_and(|tok| tok.client_id == path_client)
                && engine.revoke_token(&t)
        });
    if revoked {
        ResponseTemplate::new(204)
    } else {
        wire::json(404, &not_found_body(), JSON)
    }
}

/// The headers every REST answer carries.
pub fn api_headers(
    shared: &Shared,
    resp: ResponseTemplate,
    used: u64,
    remaining: u64,
) -> ResponseTemplate {
    let reset = shared.clock.now_secs() + 3600;
    resp.insert_header("x-ratelimit-limit", RATE_LIMIT.to_string().as_str())
        .insert_header("x-ratelimit-remaining", remaining.to_string().as_str())
        .insert_header("x-ratelimit-used", used.to_string().as_str())
        .insert_header("x-ratelimit-reset", reset.to_string().as_str())
        .insert_header("x-ratelimit-resource", "core")
        .insert_header("x-github-media-type", "github.v3; format=json")
        .insert_header(
            "x-github-request-id",
            format!(
                "C0DE:{used:04X}:{:06X}",
                shared.clock.now_secs() & 0xFF_FFFF
            )
            .as_str(),
        )
}

/// A REST error body: `{message, documentation_url, status}` (status a string).
pub fn api_error(status: u16, message: &str, documentation_url: &str) -> ResponseTemplate {
    wire::json(
        status,
        &json!({
            "message": message,
            "documentation_url": documentation_url,
            "status": status.to_string(),
        }),
        JSON,
    )
}

/// Which OAuth scopes an endpoint accepts and whether it needs one of them.
struct Scopes {
    accepted: &'static [&'static str],
    required: bool,
}

/// Checks the bearer token like api.github.com does, adding the headers every
/// API response carries.
fn api_call(
    shared: &Shared,
    req: &Request,
    scopes: Scopes,
    body: impl FnOnce(&Shared, &Account, &Token) -> Value,
) -> ResponseTemplate {
    if wire::header(req, "user-agent").is_none_or(str::is_empty) {
        return ResponseTemplate::new(403).set_body_raw(
            "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n",
            "text/plain; charset=utf-8",
        );
    }
    let token = bearer(req);
    let (used, auth) = flow::authenticate(shared, token.as_deref());
    let remaining = RATE_LIMIT.saturating_sub(used);
    match auth {
        Ok((account, t)) => {
            let granted = t.scopes.join(", ");
            let accepted = scopes.accepted.join(", ");
            let has = scopes
                .accepted
                .iter()
                .any(|s| t.scopes.iter().any(|g| g == s));
            let resp = if scopes.required && !has {
                api_error(404, "Not Found", "https://docs.github.com/rest")
            } else {
                wire::json(200, &body(shared, &account, &t), JSON)
            };
            api_headers(shared, resp, used, remaining)
                .insert_header("x-oauth-scopes", granted.as_str())
                .insert_header("x-accepted-oauth-scopes", accepted.as_str())
        }
        Err(TokenProblem::Missing) => api_headers(
            shared,
            api_error(
                401,
                "Requires authentication",
                "https://docs.github.com/rest",
            ),
            used,
            remaining,
        ),
        Err(_) => api_headers(
            shared,
            api_error(401, "Bad credentials", "https://docs.github.com/rest"),
            used,
            remaining,
        ),
    }
}

fn user(shared: &Shared, req: &Request) -> ResponseTemplate {
    let created = crate::common::clock::iso8601(shared.clock.now_ms() - 5 * 365 * 86_400_000)
        .replace(".000Z", "Z");
    let scopes = Scopes {
        accepted: &[],
        required: false,
    };
    api_call(shared, req, scopes, |_, a, _| {
        json!({
            "login": a.login,
            "id": a.id,
            "node_id": format!("U_kgDO{}", a.id),
            "avatar_url": format!("https://avatars.githubusercontent.com/u/{}?v=4", a.id),
            "html_url": format!("https://github.com/{}", a.login),
            "type": "User",
            "site_admin": false,
            "name": a.name,
            "email": a.email,
            "public_repos": a.id % 40,
            "followers": a.id % 97,
            "created_at": created,
            "updated_at": created,
        })
    })
}

fn repos(shared: &Shared, req: &Request) -> ResponseTemplate {
    let scopes = Scopes {
        accepted: &["repo"],
        required: false,
    };
    api_call(shared, req, scopes, |shared, a, t| {
        let private_visible = t.scopes.iter().any(|s| s == "repo");
        let pushed = crate::common::clock::iso8601(shared.clock.now_ms() - 3 * 86_400_000)
            .replace(".000Z", "Z");
        let mut list = vec![repo(a, a.id + 1, "dotfiles", false, &pushed)];
        if private_visible {
            list.push(repo(a, a.id + 2, "payroll-exports", true, &pushed));
        }
        Value::Array(list)
    })
}

fn repo(a: &Account, id: u64, name: &str, private: bool, pushed_at: &str) -> Value {
    json!({
        "id": id,
        "node_id": format!("R_kgDO{id}"),
        "name": name,
        "full_name": format!("{}/{name}", a.login),
        "private": private,
        "owner": {"login": a.login, "id": a.id},
        "html_url": format!("https://github.com/{}/{name}", a.login),
        "fork": false,
        "default_branch": "main",
        "visibility": if private { "private" } else { "public" },
        "pushed_at": pushed_at,
        "permissions": {"admin": true, "push": true, "pull": true},
    })
}

fn emails(shared: &Shared, req: &Request) -> ResponseTemplate {
    let scopes = Scopes {
        accepted: &["user", "user:email"],
        required: true,
    };
    api_call(shared, req, scopes, |_, a, _| {
        json!([
            {"email": a.email, "primary": true, "verified": true, "visibility": "private"},
        ])
    })
}

fn rate_limit(shared: &Shared, req: &Request) -> ResponseTemplate {
    // `/rate_limit` does not count against the primary limit.
    let used = bearer(req)
        .and_then(|t| shared.engine().calls.get(&t).copied())
        .unwrap_or(0);
    let reset = shared.clock.now_secs() + 3600;
    let window = |limit: u64, used: u64, resource: &str| json!({"limit": limit, "used": used, "remaining": limit.saturating_sub(used), "reset": reset, "resource": resource});
    let scopes = Scopes {
        accepted: &[],
        required: false,
    };
    api_call(shared, req, scopes, |_, _, _| {
        let core = window(RATE_LIMIT, used, "core");
        json!({
            "resources": {
                "core": core,
                "search": window(30, 0, "search"),
                "graphql": window(RATE_LIMIT, 0, "graphql"),
            },
            "rate": core,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ProviderKind;
    use crate::providers::engine::ProviderMock;
    use crate::providers::engine::testing::{self, CALLBACK, CLIENT_ID, CLIENT_SECRET};

    async fn github(expiring: bool) -> ProviderMock {
        testing::start(ProviderKind::Github, expiring).await
    }

    #[tokio::test]
    async fn the_token_endpoint_answers_form_encoded_unless_json_is_asked_for() {
        let mock = github(false).await;
        let code = testing::code(&mock, "repo gist").await;
        let resp = testing::http()
            .post(mock.token_url())
            .form(&[
                ("code", code.as_str()),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
            ])
            .send()
            .await
            .expect("answers");
        assert_eq!(resp.status(), 200);
        assert!(
            testing::header(&resp, "content-type")
                .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
        );
        let body = resp.text().await.expect("a body");
        assert!(body.starts_with("access_token=gho_"), "{body}");
        assert!(body.contains("scope=repo%2Cgist"), "{body}");
        assert!(body.contains("token_type=bearer"), "{body}");
    }

    #[tokio::test]
    async fn a_reused_code_is_bad_verification_code_with_http_200() {
        let mock = github(false).await;
        let code = testing::code(&mock, "repo").await;
        assert_eq!(testing::exchange(&mock, &code).await.status(), 200);
        let resp = testing::exchange(&mock, &code).await;
        assert_eq!(resp.status(), 200);
        let body = testing::json(resp).await;
        assert_eq!(body["error"], "bad_verification_code");
        assert_eq!(
            body["error_description"],
            "The code passed is incorrect or expired."
        );
        assert!(
            body["error_uri"]
                .as_str()
                .is_some_and(|u| u.ends_with("#bad-verification-code"))
        );
    }

    #[tokio::test]
    async fn wrong_client_credentials_are_incorrect_client_credentials() {
        let mock = github(false).await;
        let code = testing::code(&mock, "repo").await;
        let body = testing::json(
            testing::token(
                &mock,
                &[
                    ("code", code.as_str()),
                    ("client_id", CLIENT_ID),
                    ("client_secret", "wrong"),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(body["error"], "incorrect_client_credentials");
    }

    #[tokio::test]
    async fn a_different_redirect_uri_at_the_token_step_is_redirect_uri_mismatch() {
        let mock = github(false).await;
        let code = testing::code(&mock, "repo").await;
        let body = testing::json(
            testing::token(
                &mock,
                &[
                    ("code", code.as_str()),
                    ("client_id", CLIENT_ID),
                    ("client_secret", CLIENT_SECRET),
                    ("redirect_uri", "http://elsewhere/cb"),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(body["error"], "redirect_uri_mismatch");
        assert!(
            body["error_uri"]
                .as_str()
                .is_some_and(|u| u.ends_with("#redirect-uri-mismatch2"))
        );
    }

    #[tokio::test]
    async fn an_unregistered_redirect_uri_redirects_to_the_registered_callback_with_the_error() {
        let mock = github(false).await;
        let resp = testing::authorize(
            &mock,
            &[("redirect_uri", "http://evil.example/cb"), ("state", "xyz")],
        )
        .await;
        assert_eq!(resp.status(), 302);
        let location = testing::header(&resp, "location").expect("a Location");
        assert!(location.starts_with(CALLBACK), "{location}");
        assert_eq!(
            testing::location_param(&resp, "error").as_deref(),
            Some("redirect_uri_mismatch")
        );
        assert_eq!(
            testing::location_param(&resp, "state").as_deref(),
            Some("xyz")
        );
    }

    #[tokio::test]
    async fn in_page_mode_an_unregistered_redirect_uri_shows_the_warning_and_goes_nowhere() {
        let mock = github(false).await;
        mock.engine().mismatch_page = true;
        let resp = testing::authorize(&mock, &[("redirect_uri", "http://evil.example/cb")]).await;
        assert_eq!(resp.status(), 200);
        assert!(testing::header(&resp, "location").is_none());
        let body = resp.text().await.expect("a page");
        assert!(body.contains("The redirect_uri is not associated with this application."));
    }

    #[tokio::test]
    async fn a_denial_redirects_with_access_denied_and_the_state() {
        let mock = github(false).await;
        mock.engine().user_denies = true;
        let resp = testing::authorize(&mock, &[("state", "s1")]).await;
        assert_eq!(
            testing::location_param(&resp, "error").as_deref(),
            Some("access_denied")
        );
        assert_eq!(
            testing::location_param(&resp, "error_description").as_deref(),
            Some("The user has denied your application access.")
        );
        assert_eq!(
            testing::location_param(&resp, "state").as_deref(),
            Some("s1")
        );
    }

    #[tokio::test]
    async fn plain_pkce_is_refused() {
        let mock = github(false).await;
        let resp = testing::authorize(
            &mock,
            &[
                ("code_challenge", "abc"),
                ("code_challenge_method", "plain"),
            ],
        )
        .await;
        assert_eq!(
            testing::location_param(&resp, "error").as_deref(),
            Some("invalid_request")
        );
    }

    #[tokio::test]
    async fn expiring_tokens_come_with_a_rotating_refresh_token() {
        let mock = github(true).await;
        let code = testing::code(&mock, "repo").await;
        let body = testing::json(testing::exchange(&mock, &code).await).await;
        assert!(
            body["access_token"]
                .as_str()
                .is_some_and(|t| t.starts_with("ghu_"))
        );
        assert_eq!(body["expires_in"], 28_800);
        let rt = body["refresh_token"]
            .as_str()
            .expect("a refresh token")
            .to_string();
        assert!(rt.starts_with("ghr_"));
        let again = testing::json(testing::refresh(&mock, &rt).await).await;
        assert!(again["refresh_token"].as_str().is_some_and(|t| t != rt));
        let reused = testing::json(testing::refresh(&mock, &rt).await).await;
        assert_eq!(reused["error"], "bad_refresh_token");
        assert_eq!(
            reused["error_description"],
            "The refresh token passed is incorrect or expired."
        );
        let old = testing::get(&mock, "/user", body["access_token"].as_str().unwrap_or("")).await;
        assert_eq!(old.status(), 401);
    }

    #[tokio::test]
    async fn bad_credentials_are_401_with_a_string_status_and_rate_limit_headers() {
        let mock = github(false).await;
        let resp = testing::get(&mock, "/user", "gho_not_a_token").await;
        assert_eq!(resp.status(), 401);
        assert_eq!(
            testing::header(&resp, "content-type").as_deref(),
            Some("application/json; charset=utf-8")
        );
        assert!(testing::header(&resp, "x-ratelimit-remaining").is_some());
        assert!(testing::header(&resp, "x-github-request-id").is_some());
        let body = testing::json(resp).await;
        assert_eq!(body["message"], "Bad credentials");
        assert_eq!(body["status"], "401");
        assert_eq!(body["documentation_url"], "https://docs.github.com/rest");
    }

    #[tokio::test]
    async fn a_missing_scope_is_a_404_with_the_accepted_scopes_header() {
        let mock = github(false).await;
        let (token, _) = testing::tokens(&mock, "read:user").await;
        let resp = testing::get(&mock, "/user/emails", &token).await;
        assert_eq!(resp.status(), 404);
        assert_eq!(
            testing::header(&resp, "x-accepted-oauth-scopes").as_deref(),
            Some("user, user:email")
        );
        assert_eq!(
            testing::header(&resp, "x-oauth-scopes").as_deref(),
            Some("read:user")
        );
        let (token, _) = testing::tokens(&mock, "user:email").await;
        assert_eq!(
            testing::get(&mock, "/user/emails", &token).await.status(),
            200
        );
    }

    #[tokio::test]
    async fn a_request_without_user_agent_is_refused() {
        let mock = github(false).await;
        let resp = testing::http()
            .get(format!("{}/user", mock.uri()))
            .send()
            .await
            .expect("answers");
        assert_eq!(resp.status(), 403);
    }

    #[tokio::test]
    async fn the_revocation_endpoint_needs_the_app_credentials_and_answers_204() {
        let mock = github(false).await;
        let (token, _) = testing::tokens(&mock, "repo").await;
        let url = mock.revoke_url(CLIENT_ID);
        let wrong = testing::http()
            .delete(&url)
            .basic_auth(CLIENT_ID, Some("wrong"))
            .json(&json!({"access_token": token}))
            .send()
            .await
            .expect("answers");
        assert_eq!(wrong.status(), 404);
        let ok = testing::http()
            .delete(&url)
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .json(&json!({"access_token": token}))
            .send()
            .await
            .expect("answers");
        assert_eq!(ok.status(), 204);
        assert_eq!(testing::get(&mock, "/user", &token).await.status(), 401);
    }

    #[tokio::test]
    async fn rate_limit_reports_the_core_window_without_spending_it() {
        let mock = github(false).await;
        let (token, _) = testing::tokens(&mock, "repo").await;
        testing::get(&mock, "/user", &token).await;
        let body = testing::json(testing::get(&mock, "/rate_limit", &token).await).await;
        assert_eq!(body["resources"]["core"]["limit"], RATE_LIMIT);
        assert_eq!(body["resources"]["core"]["used"], 1);
    }
}
