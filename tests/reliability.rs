//! Reliability: many stacks at once without cross-talk, a bounded burst
//! against `serve` with the state checked afterwards, and random bodies
//! that never produce a 5xx.
//!
//! Nothing here measures time; `bench/` does that.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use futures::future::join_all;
use pipes_harness::{Harness, ProviderKind};
use proptest::prelude::*;

const BIN: &str = env!("CARGO_BIN_EXE_pipes-harness");

/// One scenario: alice connects GitHub, the app reads her profile; returns the transcript.
async fn scenario() -> String {
    let h = Harness::start().await.expect("a stack starts");
    h.workos().configure(ProviderKind::Github);
    h.connect("alice", ProviderKind::Github)
        .await
        .expect("alice connects github");
    h.call("alice", ProviderKind::Github, "/user")
        .await
        .expect("the app reads alice's profile");
    h.transcript_yaml("reliability", "concurrent connect")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_scenarios_twenty_times_never_see_each_other() {
    let mut reference: Option<String> = None;
    for round in 0..20 {
        let transcripts = join_all((0..64).map(|_| scenario())).await;
        for (i, t) in transcripts.iter().enumerate() {
            // Same seed, same steps: any id, token or event from another
            // scenario would make this transcript differ.
            let expected = reference.get_or_insert_with(|| t.clone());
            assert_eq!(
                t, expected,
                "round {round}, scenario {i} saw something another scenario did"
            );
        }
    }
    let t = reference.unwrap_or_default();
    assert!(
        t.contains("from: browser") && t.contains("status: 200"),
        "the scenario really ran:\n{t}"
    );
}

/// A `serve` process on ephemeral ports, killed on drop.
struct Serve {
    child: Child,
    base: String,
}

impl Serve {
    fn start() -> Serve {
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0", "--api-key", "sk_test_reliability"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts");
        let stdout = child.stdout.take().expect("serve's stdout");
        let mut base = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("a line from serve");
            if let Some(url) = line.strip_prefix("workos ") {
                base = Some(url.trim().to_string());
            }
            if line.trim() == "ready" {
                break;
            }
        }
        Serve {
            child,
            base: base.expect("serve printed its WorkOS URL"),
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_takes_a_burst_of_fifty_thousand_requests_from_eight_clients() {
    const CLIENTS: usize = 8;
    const USERS_PER_CLIENT: usize = 250;
    const READS_PER_USER: usize = 24;
    let serve = Arc::new(Serve::start());
    let tasks = (0..CLIENTS).map(|c| {
        let serve = Arc::clone(&serve);
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut created = Vec::new();
            let mut requests = 0usize;
            for u in 0..USERS_PER_CLIENT {
                let resp = http
                    .post(format!("{}/user_management/users", serve.base))
                    .bearer_auth("sk_test_reliability")
                    .json(&serde_json::json!({"email": format!("c{c}-u{u}@example.com")}))
                    .send()
                    .await
                    .expect("create user answers");
                requests += 1;
                assert!(
                    resp.status().is_success(),
                    "create user: HTTP {}",
                    resp.status()
                );
                let body: serde_json::Value = resp.json().await.expect("a user as JSON");
                let id = body["id"].as_str().expect("user id").to_string();
                for _ in 0..READS_PER_USER {
                    let resp = http
                        .get(format!("{}/user_management/users/{id}", serve.base))
                        .bearer_auth("sk_test_reliability")
                        .send()
                        .await
                        .expect("get user answers");
                    requests += 1;
                    assert_eq!(resp.status(), 200, "get user {id}");
                }
                created.push(id);
            }
            (created, requests)
        })
    });
    let mut all_ids = std::collections::BTreeSet::new();
    let mut total = 0;
    for r in join_all(tasks).await {
        let (ids, n) = r.expect("client task");
        total += n;
        all_ids.extend(ids);
    }
    assert_eq!(total, 50_000);
    assert_eq!(
        all_ids.len(),
        CLIENTS * USERS_PER_CLIENT,
        "every create made a distinct user"
    );

    // The state is exactly what the requests produced: page through every user.
    let http = reqwest::Client::new();
    let mut listed = std::collections::BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let mut url = format!("{}/user_management/users?limit=100", serve.base);
        if let Some(a) = &after {
            url.push_str(&format!("&after={a}"));
        }
        let page: serde_json::Value = http
            .get(url)
            .bearer_auth("sk_test_reliability")
            .send()
            .await
            .expect("list answers")
            .json()
            .await
            .expect("a list");
        for u in page["data"].as_array().expect("data") {
            listed.insert(u["id"].as_str().expect("id").to_string());
        }
        match page["list_metadata"]["after"].as_str() {
            Some(a) => after = Some(a.to_string()),
            None => break,
        }
    }
    assert_eq!(
        listed, all_ids,
        "the users listed are exactly the users created"
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Arbitrary bytes as a body, to every kind of write endpoint: a 4xx with
    /// a JSON `message`, or a success; never a 5xx.
    #[test]
    fn random_bodies_never_produce_a_server_error(
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        route in 0usize..6,
        json_type in any::<bool>(),
    ) {
        let rt = runtime();
        rt.block_on(async {
            let w = Harness::start().await.expect("stack");
            let paths = [
                "/data-integrations/github/authorize",
                "/data-integrations/github/token",
                "/data-integrations",
                "/user_management/users",
                "/webhook_endpoints",
                "/organizations",
            ];
            let url = format!("{}{}", w.workos().uri(), paths[route]);
            let ct = if json_type { "application/json" } else { "text/plain" };
            let resp = reqwest::Client::new()
                .post(url)
                .bearer_auth(w.workos().api_key())
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .expect("the mock answers");
            let status = resp.status().as_u16();
            prop_assert!(status < 500, "HTTP {status}");
            if status >= 400 {
                let v: serde_json::Value = resp.json().await.expect("a JSON error body");
                prop_assert!(v["message"].is_string(), "error without a message: {v}");
            }
            Ok(())
        })?;
    }
}
