//! `serve --port 0 --env-file FILE`: two instances on one host, each
//! describing itself in its own file before `ready`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Generous: only guards against a hang on a loaded machine.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(env_file: &Path, seed: &Path) -> (Serve, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pipes-harness"))
        .args(["serve", "--port", "0", "--seed"])
        .arg(seed)
        .arg("--env-file")
        .arg(env_file)
        .env("APP_WEBHOOK_URL", "http://127.0.0.1:9/webhooks/workos")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start serve");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let done = line == "ready";
            lines.push(line);
            if done {
                let _ = tx.send(lines);
                return;
            }
        }
    });
    let serve = Serve(child);
    let lines = rx.recv_timeout(READY_TIMEOUT).expect("serve printed ready");
    (serve, lines)
}

fn vars(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .expect("env file written before ready")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn get<'a>(vars: &'a [(String, String)], key: &str) -> &'a str {
    vars.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{key} missing from {vars:?}"))
}

#[test]
fn two_serves_on_ephemeral_ports_describe_themselves_and_never_collide() {
    let dir = tempfile::tempdir().expect("temp dir");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/python-app/seed.yaml");
    let (a_file, b_file) = (dir.path().join("a.env"), dir.path().join("b.env"));
    let (_a, a_lines) = start(&a_file, &seed);
    let (_b, b_lines) = start(&b_file, &seed);
    let (a, b) = (vars(&a_file), vars(&b_file));

    for (v, lines) in [(&a, &a_lines), (&b, &b_lines)] {
        let workos = get(v, "WORKOS_BASE_URL");
        assert!(lines.contains(&format!("workos {workos}")), "{lines:?}");
        assert_eq!(get(v, "PIPES_HARNESS_WORKOS_URL"), workos);
        assert_eq!(get(v, "WORKOS_API_KEY"), "sk_test_example_app");
        assert_eq!(
            get(v, "PIPES_HARNESS_WEBHOOK_SECRET"),
            "whsec_example_app_0123456789abcdef"
        );
        assert_eq!(
            get(v, "PIPES_HARNESS_CONTROL_URL"),
            format!("{workos}/_harness")
        );
        assert!(lines.contains(&format!("github {}", get(v, "GITHUB_API_URL"))));
        assert_eq!(get(v, "PIPES_HARNESS_GITHUB_URL"), get(v, "GITHUB_API_URL"));
    }
    let urls = |v: &[(String, String)]| -> Vec<String> {
        v.iter()
            .filter(|(k, _)| k.ends_with("_API_URL") || k == "WORKOS_BASE_URL")
            .map(|(_, u)| u.clone())
            .collect()
    };
    let (ua, ub) = (urls(&a), urls(&b));
    assert_eq!(ua.len(), 5);
    assert!(ua.iter().all(|u| !ub.contains(u)), "{ua:?} vs {ub:?}");

    // Each answers on its own port, and the seed's webhook URL came from the environment.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        for v in [&a, &b] {
            let base = get(v, "WORKOS_BASE_URL");
            let health = reqwest::get(format!("{base}/health"))
                .await
                .expect("health");
            assert_eq!(health.status().as_u16(), 200);
            let hooks: serde_json::Value = reqwest::Client::new()
                .get(format!("{base}/webhook_endpoints"))
                .bearer_auth(get(v, "WORKOS_API_KEY"))
                .send()
                .await
                .expect("list webhook endpoints")
                .json()
                .await
                .expect("json");
            assert_eq!(
                hooks["data"][0]["endpoint_url"],
                "http://127.0.0.1:9/webhooks/workos"
            );
        }
    });
}

#[test]
fn env_file_dash_prints_the_lines_before_the_service_lines() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/python-app/seed.yaml");
    let (_s, lines) = start(Path::new("-"), &seed);
    let first_service = lines
        .iter()
        .position(|l| l.starts_with("workos "))
        .expect("service lines");
    let env_line = lines
        .iter()
        .position(|l| l.starts_with("WORKOS_BASE_URL="))
        .expect("env lines");
    assert!(env_line < first_service, "{lines:?}");
}
