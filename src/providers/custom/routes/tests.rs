//! The routes over real HTTP on loopback: each endpoint's answers as the
//! RFCs write them, against providers set up with different specs.

use super::*;
use crate::common::clock::Clock;
use crate::common::ids::IdGen;
use crate::providers::custom::{ClientAuth, CustomProvider, CustomProviders, VerifierSeen};
use crate::providers::engine::oauth::pkce_challenge;
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

#[tokio::test]
async fn wire_faults_answer_in_order_then_the_provider_answers_again() {
    use crate::providers::engine::faults::{Fault, Target};
    let (s, p) = start().await;
    let on = |fault: Fault, times: Option<u64>| {
        s.apply_fault(&p, &fault, times)
            .expect("a custom provider takes it");
    };
    on(
        Fault::RateLimit {
            retry_after: Some(7),
            status: None,
            on: Target::Api,
        },
        Some(1),
    );
    on(
        Fault::ServerError {
            status: None,
            on: Target::Api,
        },
        Some(1),
    );
    on(Fault::MalformedBody { on: Target::Token }, Some(1));
    let userinfo = || http().get(p.url("userinfo")).send();

    let limited = userinfo().await.expect("answers");
    assert_eq!(limited.status(), 429);
    assert_eq!(
        limited
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("7")
    );
    assert_eq!(json(limited).await["error"], "too_many_requests");
    let down = userinfo().await.expect("answers");
    assert_eq!(down.status(), 503);
    assert_eq!(json(down).await["error"], "temporarily_unavailable");
    // Both spent: the provider's own answer, a token is missing.
    assert_eq!(userinfo().await.expect("answers").status(), 401);

    let cut = http()
        .post(p.url("token"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await
        .expect("answers");
    assert_eq!(cut.status(), 200);
    let text = cut.text().await.expect("a body");
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");

    // Late on the virtual clock, then the real answer.
    let before = s.registry.clock.now_ms();
    on(
        Fault::Latency {
            ms: 90_000,
            real: false,
            on: Target::Api,
        },
        Some(1),
    );
    assert_eq!(userinfo().await.expect("answers").status(), 401);
    assert_eq!(s.registry.clock.now_ms() - before, 90_000);

    // Cleared, nothing is left.
    on(
        Fault::ServerError {
            status: Some(500),
            on: Target::Api,
        },
        None,
    );
    p.clear_faults();
    assert_eq!(userinfo().await.expect("answers").status(), 401);
}
