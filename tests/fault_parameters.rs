//! Fault parameters through `serve`'s control API
//! (`POST /_harness/providers/{slug}/faults`): a misspelt parameter, a
//! target the fault has no equivalent for, or a value out of range is a 422
//! naming what is accepted, never a silent default and never a wrapped number.

use std::path::PathBuf;
use std::time::Duration;

use pipes_harness::serve::{ServeOptions, Server};
use serde_json::{Value, json};

const KEY: &str = "sk_test_fault_parameters";

async fn start() -> Server {
    Server::start(&ServeOptions {
        port: 0,
        seed: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/seed/sdk.yaml")),
        api_key: KEY.into(),
        ..ServeOptions::default()
    })
    .await
    .expect("serve starts on the SDK seed")
}

async fn inject(server: &Server, slug: &str, body: Value) -> (u16, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let resp = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a client")
        .post(format!(
            "{}/_harness/providers/{slug}/faults",
            server.workos_url()
        ))
        .json(&body)
        .send()
        .await
        .expect("the control route answers");
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    (status, body.to_string())
}

#[tokio::test]
async fn a_misspelt_parameter_is_refused_with_the_likely_word_and_the_accepted_ones() {
    let server = start().await;
    let (status, body) = inject(
        &server,
        "github",
        json!({"fault": "rate_limit", "retry_afer": 5}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("no parameter `retry_afer`"), "{body}");
    assert!(body.contains("did you mean `retry_after`?"), "{body}");
    assert!(body.contains("retry_after, status, on"), "{body}");
}

#[tokio::test]
async fn an_unsupported_target_lists_the_accepted_ones() {
    let server = start().await;
    let (status, body) = inject(
        &server,
        "slack",
        json!({"fault": "server_error", "on": "authorize"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("cannot target `authorize`"), "{body}");
    assert!(body.contains("api") && body.contains("token"), "{body}");

    let (status, body) = inject(
        &server,
        "slack",
        json!({"fault": "insufficient_scope", "on": "token"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("accepts needed"), "{body}");
}

#[tokio::test]
async fn every_fault_that_exists_at_the_token_endpoint_accepts_on_token() {
    let server = start().await;
    for fault in ["rate_limit", "server_error", "malformed_body"] {
        let (status, body) =
            inject(&server, "google", json!({"fault": fault, "on": "token"})).await;
        assert_eq!(status, 201, "{fault}: {body}");
    }
    let (status, body) = inject(
        &server,
        "google",
        json!({"fault": "latency", "ms": 500, "on": "token"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn a_retry_after_of_the_largest_integer_names_the_limit_instead_of_wrapping() {
    let server = start().await;
    let (status, body) = inject(
        &server,
        "github",
        json!({"fault": "rate_limit", "retry_after": u64::MAX}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("limit of 86400 seconds"), "{body}");
}

#[tokio::test]
async fn a_real_latency_of_thirty_days_is_refused_naming_the_cap() {
    let server = start().await;
    let (status, body) = inject(
        &server,
        "github",
        json!({"fault": "latency", "ms": 30u64 * 86_400_000, "real": true}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("limit of 120000 ms"), "{body}");
}

#[tokio::test]
async fn a_browser_delay_beyond_a_day_is_refused_naming_the_cap() {
    let server = start().await;
    let (status, body) = inject(
        &server,
        "salesforce",
        json!({"fault": "code_expired", "delay_ms": u64::MAX}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("limit of 86400000 ms"), "{body}");
}
