//! `serve`'s custom providers, as a team in any language meets them: it
//! defines a `custom_provider` integration through the API, pointed at the
//! `custom` URL serve printed, connects a user with a browser that follows
//! redirects, and gets tokens that WorkOS refreshes through the definition's
//! refresh URL.

use std::time::Duration;

use crate::serve::{ServeOptions, Server};
use serde_json::{Value, json};

const KEY: &str = "sk_test_custom_provider";

fn http(follow_redirects: bool) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let policy = if follow_redirects {
        reqwest::redirect::Policy::limited(10)
    } else {
        reqwest::redirect::Policy::none()
    };
    reqwest::Client::builder()
        .redirect(policy)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a reqwest client")
}

async fn api(server: &Server, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
    let mut req = http(false)
        .request(method.clone(), format!("{}{path}", server.workos_url()))
        .bearer_auth(KEY);
    if method != reqwest::Method::GET {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("WorkOS answers");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_integration_defined_through_the_api_connects_and_refreshes_in_serve() {
    let server = Server::start(&ServeOptions {
        host: "127.0.0.1".into(),
        port: 0,
        api_key: KEY.into(),
        ..ServeOptions::default()
    })
    .await
    .expect("serve starts");
    let custom = server
        .urls()
        .into_iter()
        .find(|(name, _)| name == "custom")
        .map(|(_, url)| url)
        .expect("serve lists its custom provider URL");
    let (status, user) = api(
        &server,
        reqwest::Method::POST,
        "/user_management/users",
        json!({"email": "carol@example.com"}),
    )
    .await;
    assert_eq!(status, 201, "{user}");
    let user_id = user["id"].as_str().expect("a user id").to_string();
    let (status, integration) = api(
        &server,
        reqwest::Method::POST,
        "/data-integrations",
        json!({
            "provider": "acme",
            "enabled": true,
            "scopes": ["read", "write"],
            "credentials": {"type": "custom", "client_id": "acme-app", "client_secret": "acme-secret-0123456789"},
            "custom_provider": {
                "name": "Acme",
                "authorization_url": format!("{custom}/acme/authorize"),
                "token_url": format!("{custom}/acme/token"),
                "refresh_token_url": format!("{custom}/acme/refresh"),
                "pkce_enabled": true,
                "token_body_content_type": "application/json",
                "authenticate_via": "basic_auth_header"
            }
        }),
    )
    .await;
    assert_eq!(status, 201, "{integration}");

    let (status, authorize) = api(
        &server,
        reqwest::Method::POST,
        "/data-integrations/acme/authorize",
        json!({"user_id": user_id}),
    )
    .await;
    assert_eq!(status, 200, "{authorize}");
    let url = authorize["url"].as_str().expect("an authorize URL");
    let page = http(true).get(url).send().await.expect("the flow runs");
    assert_eq!(page.status().as_u16(), 200);
    assert!(
        page.text().await.unwrap_or_default().contains("Connected"),
        "the flow ends on WorkOS's connected page"
    );

    let token = |server: &Server| {
        let server_url = server.workos_url();
        let user_id = user_id.clone();
        async move {
            http(false)
                .post(format!("{server_url}/data-integrations/acme/token"))
                .bearer_auth(KEY)
                .json(&json!({"user_id": user_id}))
                .send()
                .await
                .expect("WorkOS answers")
                .json::<Value>()
                .await
                .expect("JSON")
        }
    };
    let first = token(&server).await;
    assert_eq!(first["active"], json!(true), "{first}");
    let (status, account) = api(
        &server,
        reqwest::Method::GET,
        &format!("/user_management/users/{user_id}/connected_accounts/acme"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{account}");
    assert_eq!(account["account_identifier"], json!("carol@example.com"));

    let advanced = http(false)
        .post(format!("{}/_harness/clock/advance", server.workos_url()))
        .json(&json!({"seconds": 7200}))
        .send()
        .await
        .expect("the control API answers");
    assert_eq!(advanced.status().as_u16(), 200);
    let second = token(&server).await;
    assert_eq!(second["active"], json!(true), "{second}");
    assert_ne!(
        first["access_token"]["access_token"], second["access_token"]["access_token"],
        "WorkOS refreshed the expired token"
    );
    let provider = server
        .stack()
        .custom
        .get("acme")
        .expect("the provider was used");
    let refreshes: Vec<_> = provider
        .token_requests()
        .into_iter()
        .filter(|t| t.grant_type.as_deref() == Some("refresh_token"))
        .collect();
    assert_eq!(refreshes.len(), 1, "{refreshes:?}");
    assert_eq!(refreshes[0].endpoint, "refresh");
    assert_eq!(
        refreshes[0].content_type.as_deref(),
        Some("application/json")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_made_stricter_through_the_control_api_refuses_a_definition_it_disagrees_with() {
    let server = Server::start(&ServeOptions {
        host: "127.0.0.1".into(),
        port: 0,
        api_key: KEY.into(),
        ..ServeOptions::default()
    })
    .await
    .expect("serve starts");
    let base = server.workos_url();
    let custom = server.custom_url();
    let control = |method: reqwest::Method, path: &str, body: Value| {
        http(false)
            .request(method, format!("{base}{path}"))
            .json(&body)
            .send()
    };

    // A word the provider does not know is refused, naming what it takes.
    let bad = control(
        reqwest::Method::PUT,
        "/_harness/custom_providers/acme",
        json!({"client_authentication": "mtls"}),
    )
    .await
    .expect("the control API answers");
    assert_eq!(bad.status().as_u16(), 422);
    let text = bad.text().await.unwrap_or_default();
    assert!(text.contains("client_secret_basic"), "{text}");
    // A built-in slug is not a custom provider.
    let builtin = control(
        reqwest::Method::PUT,
        "/_harness/custom_providers/github",
        json!({}),
    )
    .await
    .expect("the control API answers");
    assert_eq!(builtin.status().as_u16(), 404);

    // The provider reads client credentials from the body only...
    let set = control(
        reqwest::Method::PUT,
        "/_harness/custom_providers/acme",
        json!({"client_authentication": "client_secret_post"}),
    )
    .await
    .expect("the control API answers");
    assert_eq!(set.status().as_u16(), 200);

    // ...and the integration sends them in a Basic header.
    let (_, user) = api(
        &server,
        reqwest::Method::POST,
        "/user_management/users",
        json!({"email": "dan@example.com"}),
    )
    .await;
    let user_id = user["id"].as_str().expect("a user id").to_string();
    let (status, integration) = api(
        &server,
        reqwest::Method::POST,
        "/data-integrations",
        json!({
            "provider": "acme",
            "enabled": true,
            "credentials": {"type": "custom", "client_id": "acme-app", "client_secret": "acme-secret-0123456789"},
            "custom_provider": {
                "name": "Acme",
                "authorization_url": format!("{custom}/acme/authorize"),
                "token_url": format!("{custom}/acme/token"),
                "authenticate_via": "basic_auth_header"
            }
        }),
    )
    .await;
    assert_eq!(status, 201, "{integration}");
    let (_, authorize) = api(
        &server,
        reqwest::Method::POST,
        "/data-integrations/acme/authorize",
        json!({"user_id": user_id}),
    )
    .await;
    let url = authorize["url"].as_str().expect("an authorize URL");
    http(true).get(url).send().await.expect("the flow runs");

    let (status, _) = api(
        &server,
        reqwest::Method::GET,
        &format!("/user_management/users/{user_id}/connected_accounts/acme"),
        json!({}),
    )
    .await;
    assert_eq!(status, 404, "no connection was saved");
    let events: Value = http(false)
        .get(format!("{base}/_harness/events"))
        .send()
        .await
        .expect("the control API answers")
        .json()
        .await
        .expect("JSON");
    let failed = events["data"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|e| e["event"] == "pipes.connected_account.connection_failed")
        .unwrap_or_else(|| panic!("a connection_failed event in {events}"));
    assert!(
        failed.to_string().contains("invalid_client"),
        "the provider's invalid_client is relayed: {failed}"
    );
}

async fn serve() -> Server {
    Server::start(&ServeOptions {
        host: "127.0.0.1".into(),
        port: 0,
        api_key: KEY.into(),
        ..ServeOptions::default()
    })
    .await
    .expect("serve starts")
}

/// A control request; its status and body text.
async fn control(
    server: &Server,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, String) {
    let resp = http(false)
        .request(method, format!("{}{path}", server.stack().workos.uri()))
        .json(&body)
        .send()
        .await
        .expect("the control API answers");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_provider_slugs_are_shaped_like_integration_slugs_and_bounded_until_reset() {
    let server = serve().await;
    let put = |slug: String| {
        let server = &server;
        async move {
            control(
                server,
                reqwest::Method::PUT,
                &format!("/_harness/custom_providers/{slug}"),
                json!({}),
            )
            .await
        }
    };
    for slug in ["-acme".to_string(), "Acme".to_string(), "a".repeat(65)] {
        let (status, text) = put(slug.clone()).await;
        assert_eq!(status, 422, "{slug}: {text}");
        assert!(
            text.contains("lowercase letters, digits, '-' and '_', starting with a letter or a digit, at most 64 characters"),
            "{slug}: {text}"
        );
    }
    for i in 0..64 {
        let (status, text) = put(format!("acme-{i}")).await;
        assert_eq!(status, 200, "slug {i}: {text}");
    }
    let (status, text) = put("one-more".into()).await;
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("at most 64 custom provider slugs"), "{text}");
    assert!(text.contains("POST /_harness/reset"), "{text}");
    let (status, text) = put("acme-0".into()).await;
    assert_eq!(status, 200, "a slug already set takes no new slot: {text}");

    let (status, text) =
        control(&server, reqwest::Method::POST, "/_harness/reset", json!({})).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        server.stack().custom.slugs().is_empty(),
        "reset frees every slot"
    );
    let (status, text) = put("one-more".into()).await;
    assert_eq!(status, 200, "{text}");
}

/// Creates the custom integration `acme`, pointed at serve's custom
/// provider, and a user; the user's id.
async fn acme_and_a_user(server: &Server) -> String {
    let custom = server.stack().custom.uri().to_string();
    let (status, user) = api(
        server,
        reqwest::Method::POST,
        "/user_management/users",
        json!({"email": "erin@example.com"}),
    )
    .await;
    assert_eq!(status, 201, "{user}");
    let (status, integration) = api(
        server,
        reqwest::Method::POST,
        "/data-integrations",
        json!({
            "provider": "acme",
            "enabled": true,
            "credentials": {"type": "custom", "client_id": "acme-app", "client_secret": "acme-secret-0123456789"},
            "custom_provider": {
                "name": "Acme",
                "authorization_url": format!("{custom}/acme/authorize"),
                "token_url": format!("{custom}/acme/token")
            }
        }),
    )
    .await;
    assert_eq!(status, 201, "{integration}");
    user["id"].as_str().expect("a user id").to_string()
}

/// Runs the connect flow in a browser that follows redirects; whether
/// WorkOS then holds the user's acme account.
async fn connects(server: &Server, user_id: &str) -> bool {
    let (status, authorize) = api(
        server,
        reqwest::Method::POST,
        "/data-integrations/acme/authorize",
        json!({"user_id": user_id}),
    )
    .await;
    assert_eq!(status, 200, "{authorize}");
    let url = authorize["url"].as_str().expect("an authorize URL");
    http(true).get(url).send().await.expect("the flow runs");
    let (status, account) = api(
        server,
        reqwest::Method::GET,
        &format!("/user_management/users/{user_id}/connected_accounts/acme"),
        json!({}),
    )
    .await;
    assert!(status == 200 || status == 404, "{status} {account}");
    status == 200
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_on_a_custom_slug_reaches_workos_until_cleared() {
    let server = serve().await;
    let user_id = acme_and_a_user(&server).await;
    let faults = "/_harness/providers/acme/faults";

    // A fault only some built-in provider has is refused, naming the ones
    // a custom provider takes.
    let (status, text) = control(
        &server,
        reqwest::Method::POST,
        faults,
        json!({"fault": "secondary_rate_limit"}),
    )
    .await;
    assert_eq!(status, 422, "{text}");
    assert!(
        text.contains(
            "rate_limit, server_error, latency, malformed_body, invalid_grant_on_refresh"
        ),
        "{text}"
    );

    // The token endpoint is down: WorkOS's code exchange meets the 503.
    let (status, text) = control(
        &server,
        reqwest::Method::POST,
        faults,
        json!({"fault": "server_error", "on": "token"}),
    )
    .await;
    assert_eq!(status, 201, "{text}");
    let echo: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(echo["provider"], json!("acme"), "{echo}");
    assert!(
        !connects(&server, &user_id).await,
        "no connection while the provider is down"
    );
    let (_, events) = control(&server, reqwest::Method::GET, "/_harness/events", json!({})).await;
    assert!(
        events.contains("pipes.connected_account.connection_failed"),
        "{events}"
    );

    // Cleared, the same flow connects.
    let (status, text) = control(&server, reqwest::Method::DELETE, faults, json!({})).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        connects(&server, &user_id).await,
        "connected once the fault is cleared"
    );

    // A refused refresh: WorkOS's next refresh is refused, and the account
    // needs the user again.
    let (status, text) = control(
        &server,
        reqwest::Method::POST,
        faults,
        json!({"fault": "invalid_grant_on_refresh", "times": 1}),
    )
    .await;
    assert_eq!(status, 201, "{text}");
    let (status, text) = control(
        &server,
        reqwest::Method::POST,
        "/_harness/clock/advance",
        json!({"seconds": 7200}),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let (status, token) = api(
        &server,
        reqwest::Method::POST,
        "/data-integrations/acme/token",
        json!({"user_id": user_id}),
    )
    .await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(token["active"], json!(false), "{token}");
}
