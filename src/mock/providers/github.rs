//! GitHub as it behaves on the wire (providers.md section 1).
//!
//! - The token endpoint answers form-encoded unless `Accept: application/json`,
//!   and reports errors with **HTTP 200** and an `error` field.
//! - A redirect URI that is not registered sends the browser to the app's
//!   *registered* callback with `error=redirect_uri_mismatch` (the documented
//!   behaviour), or, in error-page mode, shows GitHub's warning page and goes
//!   nowhere (the observed behaviour).
//! - The REST API answers bad credentials with 401 `Bad credentials` and sends
//!   `X-OAuth-Scopes`, `X-Accepted-OAuth-Scopes` and `x-ratelimit-*` headers.

use serde_json::{Value, json};
use wiremock::{Request, ResponseTemplate};

use super::engine::{GrantError, TokenProblem};
use super::wire::{self, bearer, cookie_login, form, query, redirect, with_query};
use super::{ProviderMock, Shared, mount};

const DOCS: &str = "https://docs.github.com";
const RATE_LIMIT: u64 = 5000;

/// Mounts GitHub's default routes.
pub async fn mount_all(mock: &ProviderMock) {
    mount(mock, "GET", "/login/oauth/authorize", authorize).await;
    mount(mock, "POST", "/login/oauth/access_token", access_token).await;
    mount(mock, "GET", "/user", user).await;
    mount(mock, "GET", "/user/repos", repos).await;
}

fn authorize(shared: &Shared, req: &Request) -> ResponseTemplate {
    let q = query(req);
    let client_id = q.get("client_id").cloned().unwrap_or_default();
    let state = q.get("state").cloned();
    let mut engine = shared.engine();
    let Some(app) = engine.apps.get(&client_id).cloned() else {
        return ResponseTemplate::new(404).set_body_raw(
            page("Not Found", "This OAuth application does not exist."),
            "text/html; charset=utf-8",
        );
    };
    let registered = app.redirect_uris.first().cloned().unwrap_or_default();
    let redirect_uri = q
        .get("redirect_uri")
        .cloned()
        .unwrap_or_else(|| registered.clone());
    let with_state = |mut params: Vec<(&'static str, String)>| {
        if let Some(s) = &state {
            params.push(("state", s.clone()));
        }
        params
    };
    if !app.redirect_uris.contains(&redirect_uri) {
        if engine.mismatch_page {
            return ResponseTemplate::new(200).set_body_raw(
                page(
                    "Be careful!",
                    "The redirect_uri is not associated with this application. The application might be misconfigured or could be trying to redirect you to a website you weren't expecting.",
                ),
                "text/html; charset=utf-8",
            );
        }
        let params = with_state(vec![
            ("error", "redirect_uri_mismatch".to_string()),
            (
                "error_description",
                "The redirect_uri MUST match the registered callback URL for this application."
                    .to_string(),
            ),
            (
                "error_uri",
                format!(
                    "{DOCS}/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#redirect-uri-mismatch"
                ),
            ),
        ]);
        return redirect(&query_url(&registered, &params));
    }
    if engine.user_denies {
        let params = with_state(vec![
            ("error", "access_denied".to_string()),
            (
                "error_description",
                "The user has denied your application access.".to_string(),
            ),
            (
                "error_uri",
                format!(
                    "{DOCS}/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#access-denied"
                ),
            ),
        ]);
        return redirect(&query_url(&redirect_uri, &params));
    }
    let login = cookie_login(req, "github").or_else(|| q.get("login").cloned());
    let account = engine.signed_in(login.as_deref(), &shared.ids);
    let scopes = q
        .get("scope")
        .map(|s| wire::split_scopes(s))
        .unwrap_or_default();
    let challenge = q.get("code_challenge").cloned();
    let code = engine.issue_code(
        &shared.ids,
        shared.clock.now_ms(),
        &client_id,
        &redirect_uri,
        scopes,
        &account.login,
        challenge,
    );
    shared.recorder.secret("code", &code);
    let mut params = vec![("code", code)];
    params = with_state(params);
    redirect(&query_url(&redirect_uri, &params))
}

fn query_url(base: &str, params: &[(&str, String)]) -> String {
    let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    with_query(base, &borrowed)
}

fn page(title: &str, message: &str) -> Vec<u8> {
    format!("<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1><p>{message}</p></body></html>")
        .into_bytes()
}

/// GitHub answers in the format the `Accept` header asks for; form-encoded by default.
fn token_reply(req: &Request, fields: &[(&str, Value)]) -> ResponseTemplate {
    let wants_json = wire::header(req, "accept").is_some_and(|a| a.contains("application/json"));
    if wants_json {
        let mut m = serde_json::Map::new();
        for (k, v) in fields {
            m.insert((*k).to_string(), v.clone());
        }
        wire::json(200, &Value::Object(m), "application/json; charset=utf-8")
    } else {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            let text = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string());
            ser.append_pair(k, &text);
        }
        ResponseTemplate::new(200).set_body_raw(
            ser.finish().into_bytes(),
            "application/x-www-form-urlencoded; charset=utf-8",
        )
    }
}

fn token_error(req: &Request, error: &str, description: &str, anchor: &str) -> ResponseTemplate {
    token_reply(
        req,
        &[
            ("error", json!(error)),
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
    let mut f = form(req);
    for (k, v) in query(req) {
        f.entry(k).or_insert(v);
    }
    let (client_id, client_secret) = match wire::basic_auth(req) {
        Some((id, secret)) => (id, Some(secret)),
        None => (
            f.get("client_id").cloned().unwrap_or_default(),
            f.get("client_secret").cloned(),
        ),
    };
    let now = shared.clock.now_ms();
    let mut engine = shared.engine();
    let result = if f.get("grant_type").map(String::as_str) == Some("refresh_token") {
        let rt = f.get("refresh_token").cloned().unwrap_or_default();
        engine.refresh(&shared.ids, now, &client_id, client_secret.as_deref(), &rt)
    } else {
        let code = f.get("code").cloned().unwrap_or_default();
        engine.exchange_code(
            &shared.ids,
            now,
            &client_id,
            client_secret.as_deref(),
            &code,
            f.get("redirect_uri").map(String::as_str),
            f.get("code_verifier").map(String::as_str),
        )
    };
    drop(engine);
    match result {
        Ok(issued) => {
            shared.recorder.secret("access_token", &issued.access_token);
            let mut fields = vec![("access_token", json!(issued.access_token))];
            if let (Some(rt), Some(exp)) = (&issued.refresh_token, issued.expires_in) {
                shared.recorder.secret("refresh_token", rt);
                fields.push(("expires_in", json!(exp)));
                fields.push(("refresh_token", json!(rt)));
                fields.push(("refresh_token_expires_in", json!(15_897_600)));
            }
            fields.push(("scope", json!(issued.scopes.join(","))));
            fields.push(("token_type", json!("bearer")));
            token_reply(req, &fields)
        }
        Err(GrantError::BadClient) => token_error(
            req,
            "incorrect_client_credentials",
            "The client_id and/or client_secret passed are incorrect.",
            "incorrect-client-credentials",
        ),
        Err(GrantError::BadCode | GrantError::BadVerifier) => token_error(
            req,
            "bad_verification_code",
            "The code passed is incorrect or expired.",
            "bad-verification-code",
        ),
        Err(GrantError::RedirectMismatch) => token_error(
            req,
            "redirect_uri_mismatch",
            "The redirect_uri MUST match the registered callback URL for this application.",
            "redirect-uri-mismatch2",
        ),
        Err(GrantError::BadRefreshToken) => token_error(
            req,
            "bad_refresh_token",
            "The refresh token passed is incorrect or expired.",
            "bad-refresh-token",
        ),
    }
}

/// Checks the bearer token like api.github.com does, adding the headers every
/// API response carries.
fn api_call(
    shared: &Shared,
    req: &Request,
    accepted_scopes: &str,
    body: impl FnOnce(&super::Account, &super::engine::Token) -> Value,
) -> ResponseTemplate {
    let token = bearer(req);
    let now = shared.clock.now_ms();
    let mut engine = shared.engine();
    let used = {
        let key = token.clone().unwrap_or_default();
        let n = engine.calls.entry(key).or_insert(0);
        *n += 1;
        *n
    };
    let reset = shared.clock.now_secs() + 3600;
    let base = |status: u16, value: &Value| {
        wire::json(status, value, "application/json; charset=utf-8")
            .insert_header("x-ratelimit-limit", RATE_LIMIT.to_string().as_str())
            .insert_header(
                "x-ratelimit-remaining",
                RATE_LIMIT.saturating_sub(used).to_string().as_str(),
            )
            .insert_header("x-ratelimit-used", used.to_string().as_str())
            .insert_header("x-ratelimit-reset", reset.to_string().as_str())
            .insert_header("x-ratelimit-resource", "core")
            .insert_header("x-github-media-type", "github.v3; format=json")
    };
    match engine.authenticate(token.as_deref(), now) {
        Ok((account, t)) => base(200, &body(&account, &t))
            .insert_header("x-oauth-scopes", t.scopes.join(", ").as_str())
            .insert_header("x-accepted-oauth-scopes", accepted_scopes),
        Err(TokenProblem::Missing) => base(
            401,
            &json!({"message": "Requires authentication", "documentation_url": "https://docs.github.com/rest", "status": "401"}),
        ),
        Err(_) => base(
            401,
            &json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"}),
        ),
    }
}

fn user(shared: &Shared, req: &Request) -> ResponseTemplate {
    let created = crate::mock::clock::iso8601(shared.clock.now_ms() - 5 * 365 * 86_400_000)
        .replace(".000Z", "Z");
    api_call(shared, req, "", |a, _| {
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
    api_call(shared, req, "repo", |a, t| {
        let private_visible = t.scopes.iter().any(|s| s == "repo");
        let mut list = vec![repo(a, a.id + 1, "dotfiles", false)];
        if private_visible {
            list.push(repo(a, a.id + 2, "payroll-exports", true));
        }
        Value::Array(list)
    })
}

fn repo(a: &super::Account, id: u64, name: &str, private: bool) -> Value {
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
        "permissions": {"admin": true, "push": true, "pull": true},
    })
}
