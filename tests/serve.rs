//! `pipes-harness serve`: it starts, prints its URLs, answers `/health`,
//! stops cleanly on SIGTERM, refuses broken seed files naming file, line and
//! problem, and its `/_harness/` control API does what the README says.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use pipes_harness::ProviderKind;
use pipes_harness::serve::seed::Seed;
use pipes_harness::serve::{ServeOptions, Server};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_pipes-harness");
const KEY: &str = "sk_test_serve_tests";
const BOB: &str = "user_01JDR8Y4Z6Q3KX5V2N7M9B0B0B";
const ALICE: &str = "user_01JDR8Y4Z6Q3KX5V2N7M9BA11C";
const DAVE: &str = "user_01JDR8Y4Z6Q3KX5V2N7M9BDAVE";
const BOB_TOKEN: &str = "gho_BobSeededGithubToken0000000000000000";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn http(follow_redirects: bool) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let policy = if follow_redirects {
        reqwest::redirect::Policy::limited(10)
    } else {
        reqwest::redirect::Policy::none()
    };
    reqwest::Client::builder()
        .user_agent("pipes-harness-tests")
        .redirect(policy)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a reqwest client")
}

/// A seed file in the temp dir, unique to this test process.
fn temp_seed(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("pipes-serve-{}-{name}.yaml", std::process::id()));
    std::fs::write(&path, text).expect("write a temp seed");
    path
}

async fn start_sdk_world() -> Server {
    Server::start(&ServeOptions {
        host: "127.0.0.1".into(),
        port: 0,
        seed: Some(repo().join("fixtures/seed/sdk.yaml")),
        api_key: KEY.into(),
        ..ServeOptions::default()
    })
    .await
    .expect("serve starts on the SDK seed")
}

fn base(server: &Server) -> String {
    server.workos_url()
}

async fn control(
    server: &Server,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let changes = method != reqwest::Method::GET;
    let mut req = http(false).request(method, format!("{}/_harness/{path}", base(server)));
    // As every control client does: JSON, `{}` when there is nothing to say.
    match body {
        Some(b) => req = req.json(&b),
        None if changes => req = req.json(&json!({})),
        None => {}
    }
    let resp = req.send().await.expect("control route answers");
    let status = resp.status().as_u16();
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

async fn token(server: &Server, user_id: &str) -> Value {
    http(false)
        .post(format!("{}/data-integrations/github/token", base(server)))
        .bearer_auth(KEY)
        .json(&json!({ "user_id": user_id }))
        .send()
        .await
        .expect("token endpoint answers")
        .json()
        .await
        .expect("token endpoint answers JSON")
}

#[test]
fn serve_prints_one_url_per_service_answers_health_and_stops_on_sigterm() {
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--api-key", KEY])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("stdout is UTF-8");
        if line == "ready" {
            break;
        }
        lines.push(line);
    }
    let names: Vec<&str> = lines.iter().filter_map(|l| l.split(' ').next()).collect();
    assert_eq!(
        names,
        [
            "workos",
            "github",
            "slack",
            "google",
            "salesforce",
            "custom"
        ],
        "{lines:?}"
    );
    for line in &lines {
        let url = line.split(' ').nth(1).unwrap_or_default();
        assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    }

    let workos = lines[0].split(' ').nth(1).unwrap_or_default().to_string();
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let health: Value = rt.block_on(async {
        http(false)
            .get(format!("{workos}/health"))
            .send()
            .await
            .expect("health answers")
            .json()
            .await
            .expect("health is JSON")
    });
    assert_eq!(health, json!({"status": "ok"}));

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("serve exits");
    assert_eq!(status.code(), Some(0), "serve exits 0 after SIGTERM");
}

#[test]
fn broken_seed_files_stop_serve_naming_file_line_and_problem() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "yaml_syntax",
            "users:\n  - email: \"alice@example.com\n    first_name: Alice\n",
            ":4:",
            "while scanning a quoted scalar at line 2",
        ),
        (
            "unknown_field",
            "users:\n  - email: alice@example.com\n    nickname: al\n",
            ":3:",
            "unknown field `nickname`",
        ),
        (
            "wrong_type",
            "users: alice@example.com\n",
            ":1:",
            "invalid type: string \"alice@example.com\", expected a sequence",
        ),
        (
            "unknown_provider",
            "data_integrations:\n  - slug: gitlab\n",
            ":2:",
            "unknown provider `gitlab`",
        ),
        (
            "dangling_user",
            "users:\n  - email: alice@example.com\ndata_integrations:\n  - slug: github\nconnected_accounts:\n  - slug: github\n    user: bob@example.com\n",
            ":7:",
            "unknown user `bob@example.com`",
        ),
        (
            "bad_environment",
            "environment: staging\n",
            ":1:",
            "unknown variant `staging`, expected `sandbox` or `production`",
        ),
    ];
    for (name, text, line, problem) in cases {
        let path = temp_seed(name, text);
        let out = Command::new(BIN)
            .args(["serve", "--port", "0", "--seed"])
            .arg(&path)
            .output()
            .expect("serve runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        let named = format!("{}{line}", path.display());
        assert!(
            stderr.contains(&named),
            "{name}: expected `{named}` in {stderr}"
        );
        assert!(
            stderr.contains(problem),
            "{name}: expected `{problem}` in {stderr}"
        );
        assert!(out.stdout.is_empty(), "{name}: nothing is printed as ready");
        let _ = std::fs::remove_file(path);
    }
}

#[test]
fn a_missing_seed_file_is_named() {
    let out = Command::new(BIN)
        .args(["serve", "--port", "0", "--seed", "no/such/seed.yaml"])
        .output()
        .expect("serve runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("no/such/seed.yaml: cannot read the seed file"),
        "{stderr}"
    );
}

#[test]
fn a_taken_port_is_named_with_a_way_out() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let out = Command::new(BIN)
        .args(["serve", "--port", &port.to_string()])
        .output()
        .expect("serve runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.contains("--port 0"), "{stderr}");
}

#[test]
fn the_shipped_seed_files_parse() {
    for name in ["example.yaml", "sdk.yaml"] {
        let path = repo().join("fixtures/seed").join(name);
        if let Err(e) = Seed::load(&path) {
            panic!("{e}");
        }
    }
}

#[tokio::test]
async fn the_seeded_world_answers_through_the_api() {
    let server = start_sdk_world().await;
    let bob = token(&server, BOB).await;
    assert_eq!(bob["active"], json!(true), "{bob}");
    assert_eq!(bob["access_token"]["access_token"], json!(BOB_TOKEN));
    let alice = token(&server, ALICE).await;
    assert_eq!(alice, json!({"active": false, "error": "not_installed"}));

    // The provider mock knows the seeded token: the app can call GitHub with it.
    let github = server.provider_url(ProviderKind::Github);
    let user = http(false)
        .get(format!("{github}/user"))
        .bearer_auth(BOB_TOKEN)
        .send()
        .await
        .expect("github answers");
    assert_eq!(user.status().as_u16(), 200);
}

#[tokio::test]
async fn the_authorize_page_approves_by_default_so_following_redirects_connects() {
    let server = start_sdk_world().await;
    let return_to = server.return_url();
    let authorize: Value = http(false)
        .post(format!(
            "{}/data-integrations/github/authorize",
            base(&server)
        ))
        .bearer_auth(KEY)
        .json(&json!({ "user_id": ALICE, "return_to": return_to }))
        .send()
        .await
        .expect("authorize answers")
        .json()
        .await
        .expect("authorize answers JSON");
    let url = authorize["url"].as_str().expect("a url");

    let landed = http(true)
        .get(url)
        .send()
        .await
        .expect("the flow completes");

    assert_eq!(landed.status().as_u16(), 200);
    assert_eq!(landed.url().path(), "/pipes/return");
    assert_eq!(token(&server, ALICE).await["active"], json!(true));
}

#[tokio::test]
async fn the_control_index_lists_every_route_and_unknown_routes_are_json_404s() {
    let server = start_sdk_world().await;
    let (status, index) = control(&server, reqwest::Method::GET, "", None).await;
    assert_eq!(status, 200);
    let paths: Vec<&str> = index["data"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|r| r["path"].as_str())
        .collect();
    for p in [
        "/_harness/reset",
        "/_harness/clock/advance",
        "/_harness/events",
    ] {
        assert!(paths.contains(&p), "{p} missing from {paths:?}");
    }
    let (status, body) = control(&server, reqwest::Method::GET, "nope", None).await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], json!("not_found"));
}

#[tokio::test]
async fn advancing_the_clock_moves_it_forward_and_refuses_going_back() {
    let server = start_sdk_world().await;
    let (_, before) = control(&server, reqwest::Method::GET, "clock", None).await;
    let (status, after) = control(
        &server,
        reqwest::Method::POST,
        "clock/advance",
        Some(json!({"seconds": 3600})),
    )
    .await;
    assert_eq!(status, 200);
    let moved = after["now_ms"].as_i64().unwrap_or(0) - before["now_ms"].as_i64().unwrap_or(0);
    assert!((3_600_000..3_660_000).contains(&moved), "moved {moved} ms");

    let (status, body) = control(
        &server,
        reqwest::Method::POST,
        "clock/advance",
        Some(json!({"seconds": -5})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = control(
        &server,
        reqwest::Method::POST,
        "clock/advance",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn an_expired_seeded_token_is_refreshed_after_the_clock_moves() {
    let server = start_sdk_world().await;
    let before = token(&server, DAVE).await;
    control(
        &server,
        reqwest::Method::POST,
        "clock/advance",
        Some(json!({"seconds": 7200})),
    )
    .await;
    let after = token(&server, DAVE).await;
    assert_eq!(after["active"], json!(true), "{after}");
    assert_ne!(
        after["access_token"]["access_token"],
        before["access_token"]["access_token"]
    );
}

#[tokio::test]
async fn revoking_a_user_at_the_provider_kills_the_token_and_reset_brings_it_back() {
    let server = start_sdk_world().await;
    let github = server.provider_url(ProviderKind::Github);
    let (status, body) = control(
        &server,
        reqwest::Method::POST,
        "providers/github/revoke",
        Some(json!({"user_id": BOB})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["login"], json!("bob-codes"));
    let call = |github: String| async move {
        http(false)
            .get(format!("{github}/user"))
            .bearer_auth(BOB_TOKEN)
            .send()
            .await
            .expect("github answers")
            .status()
            .as_u16()
    };
    assert_eq!(call(github.clone()).await, 401);

    let (status, _) = control(&server, reqwest::Method::POST, "reset", None).await;
    assert_eq!(status, 200);
    assert_eq!(call(github).await, 200);

    let (status, _) = control(
        &server,
        reqwest::Method::POST,
        "providers/gitlab/revoke",
        Some(json!({"login": "x"})),
    )
    .await;
    assert_eq!(status, 404, "an unknown provider is a 404");
}

#[tokio::test]
async fn the_workos_rate_limit_answers_429_with_retry_after_until_reset() {
    let server = start_sdk_world().await;
    let (status, _) = control(
        &server,
        reqwest::Method::POST,
        "workos/rate_limit",
        Some(json!({"limit": 1, "window_seconds": 30})),
    )
    .await;
    assert_eq!(status, 200);
    let call = || async {
        http(false)
            .post(format!("{}/data-integrations/github/token", base(&server)))
            .bearer_auth(KEY)
            .json(&json!({"user_id": BOB}))
            .send()
            .await
            .expect("token answers")
    };
    assert_eq!(call().await.status().as_u16(), 200);
    let limited = call().await;
    assert_eq!(limited.status().as_u16(), 429);
    let retry_after: u64 = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=30).contains(&retry_after), "{retry_after}");

    control(&server, reqwest::Method::POST, "reset", None).await;
    assert_eq!(call().await.status().as_u16(), 200);
}

#[tokio::test]
async fn events_and_deliveries_are_readable_and_reset_clears_them() {
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hook = format!("http://{}/hooks", receiver.local_addr().expect("addr"));
    drop(receiver); // nobody listens: every attempt fails, which is recorded
    let seed = temp_seed(
        "events",
        &format!(
            "{}webhook_endpoints:\n  - url: {hook}\n    secret: whsec_test\n",
            std::fs::read_to_string(repo().join("fixtures/seed/sdk.yaml")).expect("sdk seed")
        ),
    );
    let server = Server::start(&ServeOptions {
        host: "127.0.0.1".into(),
        port: 0,
        seed: Some(seed.clone()),
        api_key: KEY.into(),
        ..ServeOptions::default()
    })
    .await
    .expect("serve starts");
    let deleted = http(false)
        .delete(format!(
            "{}/user_management/users/{BOB}/connected_accounts/github",
            base(&server)
        ))
        .bearer_auth(KEY)
        .send()
        .await
        .expect("delete answers");
    assert!(deleted.status().is_success(), "{}", deleted.status());

    let (_, events) = control(&server, reqwest::Method::GET, "events", None).await;
    let names: Vec<&str> = events["data"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| e["event"].as_str())
        .collect();
    assert_eq!(names, ["pipes.connected_account.disconnected"]);

    // The flush route sends what is due and answers afterwards: no polling.
    let (_, attempted) = control(
        &server,
        reqwest::Method::POST,
        "webhook_deliveries/flush",
        Some(json!({})),
    )
    .await;
    assert_eq!(
        attempted["data"][0]["endpoint_url"],
        json!(hook),
        "{attempted}"
    );
    assert_eq!(
        attempted["data"][0]["event"],
        json!("pipes.connected_account.disconnected")
    );

    control(&server, reqwest::Method::POST, "reset", None).await;
    let (_, events) = control(&server, reqwest::Method::GET, "events", None).await;
    assert_eq!(events["data"], json!([]));
    let _ = std::fs::remove_file(seed);
}

#[tokio::test]
async fn seed_api_keys_and_the_cli_key_both_authenticate() {
    let server = start_sdk_world().await;
    for key in [KEY, "sk_test_sdk_conformance"] {
        let resp = http(false)
            .get(format!("{}/data-integrations/slack", base(&server)))
            .bearer_auth(key)
            .send()
            .await
            .expect("answers");
        assert_eq!(resp.status().as_u16(), 200, "{key}");
    }
    let resp = http(false)
        .get(format!("{}/data-integrations/slack", base(&server)))
        .bearer_auth("sk_test_default")
        .send()
        .await
        .expect("answers");
    assert_eq!(
        resp.status().as_u16(),
        401,
        "the default key is replaced by --api-key"
    );
}

async fn connect_alice(server: &Server) -> reqwest::Response {
    let return_to = server.return_url();
    let authorize: Value = http(false)
        .post(format!(
            "{}/data-integrations/github/authorize",
            base(server)
        ))
        .bearer_auth(KEY)
        .json(&json!({ "user_id": ALICE, "return_to": return_to }))
        .send()
        .await
        .expect("authorize answers")
        .json()
        .await
        .expect("authorize answers JSON");
    let url = authorize["url"].as_str().expect("a url").to_string();
    http(true)
        .get(url)
        .send()
        .await
        .expect("the flow ends somewhere")
}

#[tokio::test]
async fn a_deny_consent_fault_makes_the_user_deny_until_reset() {
    let server = start_sdk_world().await;
    let (status, echo) = control(
        &server,
        reqwest::Method::POST,
        "providers/github/faults",
        Some(json!({"fault": "deny_consent"})),
    )
    .await;
    assert_eq!(status, 201, "{echo}");
    assert_eq!(echo["provider"], json!("github"));

    let denied = connect_alice(&server).await;
    let error = denied
        .url()
        .query_pairs()
        .find(|(k, _)| k == "error")
        .map(|(_, v)| v.to_string());
    assert_eq!(error.as_deref(), Some("access_denied"));
    assert_eq!(token(&server, ALICE).await["active"], json!(false));

    control(&server, reqwest::Method::POST, "reset", None).await;
    let approved = connect_alice(&server).await;
    assert!(!approved.url().query_pairs().any(|(k, _)| k == "error"));
    assert_eq!(token(&server, ALICE).await["active"], json!(true));
}

#[tokio::test]
async fn bad_fault_requests_are_422s_that_say_what_is_expected() {
    let server = start_sdk_world().await;
    let (status, body) = control(
        &server,
        reqwest::Method::POST,
        "providers/github/faults",
        Some(json!({"fault": "gremlins"})),
    )
    .await;
    assert_eq!(status, 422);
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("unknown fault `gremlins`") && message.contains("rate_limit"),
        "{message}"
    );

    let (status, body) = control(
        &server,
        reqwest::Method::POST,
        "providers/github/faults",
        Some(json!({"fault": "revoke_tokens", "times": 2})),
    )
    .await;
    assert_eq!(status, 422, "{body}");

    // Neither a built-in provider nor a custom one in use: a 404 naming
    // the likely intended slug, never a new custom provider.
    let (status, body) = control(
        &server,
        reqwest::Method::POST,
        "providers/githb/faults",
        Some(json!({"fault": "deny_consent"})),
    )
    .await;
    assert_eq!(status, 404);
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains("did you mean `github`?"), "{message}");

    let resp = http(false)
        .post(format!("{}/_harness/clock/advance", base(&server)))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status().as_u16(), 400);
}

#[tokio::test]
async fn a_rate_limit_fault_for_two_calls_then_recovers() {
    let server = start_sdk_world().await;
    let (status, _) = control(
        &server,
        reqwest::Method::POST,
        "providers/github/faults",
        Some(json!({"fault": "rate_limit", "times": 2})),
    )
    .await;
    assert_eq!(status, 201);
    let github = server.provider_url(ProviderKind::Github);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let resp = http(false)
            .get(format!("{github}/user"))
            .bearer_auth(BOB_TOKEN)
            .send()
            .await
            .expect("github answers");
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, [403, 403, 200]);
}

#[tokio::test]
async fn every_provider_approves_by_default_so_a_redirect_following_client_connects() {
    let seed = temp_seed(
        "all_providers",
        "users:
  - id: user_01JDR8Y4Z6Q3KX5V2N7M9BA11C
    email: alice@example.com
data_integrations:
  - slug: github
  - slug: slack
  - slug: google
  - slug: salesforce
",
    );
    let server = Server::start(&ServeOptions {
        host: "127.0.0.1".into(),
        port: 0,
        seed: Some(seed.clone()),
        api_key: KEY.into(),
        ..ServeOptions::default()
    })
    .await
    .expect("serve starts");
    let return_to = server.return_url();
    for kind in ProviderKind::ALL {
        let slug = kind.slug();
        let authorize: Value = http(false)
            .post(format!(
                "{}/data-integrations/{slug}/authorize",
                base(&server)
            ))
            .bearer_auth(KEY)
            .json(&json!({ "user_id": ALICE, "return_to": return_to }))
            .send()
            .await
            .expect("authorize answers")
            .json()
            .await
            .expect("authorize answers JSON");
        let url = authorize["url"].as_str().expect("a url").to_string();
        let landed = http(true).get(url).send().await.expect("the flow ends");
        assert_eq!(landed.url().path(), "/pipes/return", "{slug}");
        assert!(
            !landed.url().query_pairs().any(|(k, _)| k == "error"),
            "{slug}: {}",
            landed.url()
        );
        let token: Value = http(false)
            .post(format!("{}/data-integrations/{slug}/token", base(&server)))
            .bearer_auth(KEY)
            .json(&json!({ "user_id": ALICE }))
            .send()
            .await
            .expect("token answers")
            .json()
            .await
            .expect("token is JSON");
        assert_eq!(token["active"], json!(true), "{slug}: {token}");
    }
    let _ = std::fs::remove_file(seed);
}

#[tokio::test]
async fn a_production_seed_refuses_shared_credentials_but_not_custom_ones() {
    let seed = temp_seed(
        "production",
        "environment: production
users:
  - id: user_01JDR8Y4Z6Q3KX5V2N7M9BA11C
    email: alice@example.com
data_integrations:
  - slug: github
  - slug: slack
    credentials: {type: custom, client_id: \"111.222\", client_secret: prod-secret}
",
    );
    let server = Server::start(&ServeOptions {
        host: "127.0.0.1".into(),
        port: 0,
        seed: Some(seed.clone()),
        api_key: KEY.into(),
        ..ServeOptions::default()
    })
    .await
    .expect("serve starts");
    let authorize = |slug: &'static str| {
        let url = format!("{}/data-integrations/{slug}/authorize", base(&server));
        async move {
            http(false)
                .post(url)
                .bearer_auth(KEY)
                .json(&json!({ "user_id": ALICE }))
                .send()
                .await
                .expect("authorize answers")
        }
    };
    let shared = authorize("github").await;
    assert_eq!(shared.status().as_u16(), 403);
    let body: Value = shared.json().await.expect("JSON");
    assert_eq!(body["code"], json!("shared_credentials_not_allowed"));
    assert_eq!(authorize("slack").await.status().as_u16(), 200);
    let _ = std::fs::remove_file(seed);
}

#[test]
fn health_says_ok_only_once_a_large_seed_is_installed() {
    let mut seed = String::from("api_keys: [sk_test_large_seed]\nusers:\n");
    for i in 0..20_000 {
        seed.push_str(&format!("  - email: user{i}@example.com\n"));
    }
    let path = temp_seed("large", &seed);
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--seed"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let workos = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("workos ").map(str::to_string))
        .expect("the workos line");
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    rt.block_on(async {
        let client = http(false);
        loop {
            let health = client.get(format!("{workos}/health")).send().await;
            if health.is_ok_and(|r| r.status().as_u16() == 200) {
                break;
            }
        }
        let list = client
            .get(format!(
                "{workos}/user_management/users?email=user19999@example.com"
            ))
            .bearer_auth("sk_test_large_seed")
            .send()
            .await
            .expect("list answers");
        assert_eq!(
            list.status().as_u16(),
            200,
            "the first request after /health"
        );
        let body: Value = list.json().await.expect("JSON");
        assert_eq!(body["data"][0]["email"], json!("user19999@example.com"));
    });
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(path);
}

/// A client that starts a request's header and never finishes it is dropped
/// by every listener (WorkOS and each provider mock) once the header read
/// timeout passes, instead of holding the connection for ever. The read
/// below has a minute as a guard against a hang; the server's own timeout
/// (10 s) decides, and nothing asserts how long it took.
#[tokio::test]
async fn a_client_that_never_finishes_its_header_is_dropped_by_every_listener() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let server = start_sdk_world().await;
    let mut urls = vec![base(&server)];
    urls.extend(ProviderKind::ALL.iter().map(|k| server.provider_url(*k)));
    urls.push(server.custom_url());
    let checks = urls.into_iter().map(|url| async move {
        let addr = url.trim_start_matches("http://").to_string();
        let mut stream = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("the listener accepts");
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
            .await
            .expect("the first bytes go out");
        let mut answer = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut answer)).await;
        let text = String::from_utf8_lossy(&answer).into_owned();
        match read {
            // Closed, with nothing or with a 408.
            Ok(Ok(_)) | Ok(Err(_)) => assert!(
                text.is_empty() || text.starts_with("HTTP/1.1 408"),
                "{url} answered an unfinished header with: {text}"
            ),
            Err(_) => panic!("{url} kept a connection with an unfinished header open"),
        }
    });
    futures::future::join_all(checks).await;
}

/// A test in any language stubs an endpoint the provider mock does not
/// model through the control API, and clearing the faults removes it.
#[tokio::test]
async fn a_stubbed_provider_endpoint_answers_until_the_faults_are_cleared() {
    let server = start_sdk_world().await;
    let github = server.provider_url(ProviderKind::Github);
    let (status, body) = control(
        &server,
        reqwest::Method::POST,
        "providers/github/stubs",
        Some(json!({
            "method": "get",
            "path": "/repos/acme/api",
            "status": 200,
            "headers": {"x-github-request-id": "ABC"},
            "body": "{\"full_name\": \"acme/api\"}"
        })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let resp = http(false)
        .get(format!("{github}/repos/acme/api"))
        .send()
        .await
        .expect("github answers");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        resp.headers()
            .get("x-github-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("ABC")
    );
    let json: Value = resp.json().await.expect("the stubbed JSON");
    assert_eq!(json["full_name"], "acme/api");

    // Stubbing the same route again replaces the answer.
    let (status, body) = control(
        &server,
        reqwest::Method::POST,
        "providers/github/stubs",
        Some(json!({"method": "GET", "path": "/repos/acme/api", "status": 404, "body": "{\"message\": \"Not Found\"}"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let again = http(false)
        .get(format!("{github}/repos/acme/api"))
        .send()
        .await
        .expect("github answers");
    assert_eq!(again.status().as_u16(), 404, "the newer stub answers");

    for (bad, field) in [
        (
            json!({"method": "FETCH", "path": "/x", "status": 200}),
            "method",
        ),
        (json!({"method": "GET", "path": "x", "status": 200}), "path"),
        (
            json!({"method": "GET", "path": "/x?y=1", "status": 200}),
            "path",
        ),
        (
            json!({"method": "GET", "path": "/x", "status": 999}),
            "status",
        ),
        (
            json!({"method": "GET", "path": "/x", "status": 200, "headers": {"a": 1}}),
            "headers",
        ),
    ] {
        let (status, body) = control(
            &server,
            reqwest::Method::POST,
            "providers/github/stubs",
            Some(bad),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert!(
            body["message"].as_str().unwrap_or("").contains(field),
            "{body}"
        );
    }

    control(
        &server,
        reqwest::Method::DELETE,
        "providers/github/faults",
        None,
    )
    .await;
    let gone = http(false)
        .get(format!("{github}/repos/acme/api"))
        .send()
        .await
        .expect("github answers");
    assert_eq!(
        gone.status().as_u16(),
        404,
        "the stub is gone with the faults"
    );
}
