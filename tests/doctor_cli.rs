//! `pipes-harness doctor` as a command: its exit codes (1 on a failed
//! check, 0 when all pass, 2 for bad input) and its output, which masks
//! the credentials it checks.

use std::process::Command;

const API_KEY: &str = "sk_test_a1b2c3d4e5f6g7h8i9j0";
const CLIENT_ID: &str = "client_01HZZZZZZZZZZZZZZZZZZZ9876";

/// A Node app directory with the official SDK installed.
fn node_app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    let files = [
        (
            "package.json",
            r#"{"name":"x","dependencies":{"@workos-inc/node":"11.0.0"}}"#,
        ),
        (
            "node_modules/@workos-inc/node/package.json",
            r#"{"name":"@workos-inc/node","version":"11.0.0"}"#,
        ),
        (
            "node_modules/@workos-inc/node/lib/pipes.js",
            "class Pipes { getAccessToken() {} authorizeDataIntegration() {} }",
        ),
    ];
    for (rel, text) in files {
        let path = dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(path, text).expect("write file");
    }
    dir
}

#[test]
fn the_command_exits_non_zero_on_a_failure_and_zero_when_all_pass() {
    let bin = env!("CARGO_BIN_EXE_pipes-harness");
    let dir = node_app();
    let failing = Command::new(bin)
        .arg("doctor")
        .arg(dir.path())
        .env_remove("WORKOS_API_KEY")
        .env_remove("WORKOS_CLIENT_ID")
        .env_remove("PIPES_HARNESS_WORKOS_URL")
        .env_remove("WORKOS_BASE_URL")
        .output()
        .expect("run doctor");
    assert_eq!(failing.status.code(), Some(1));
    let out = String::from_utf8_lossy(&failing.stdout);
    assert!(
        out.contains("FAIL  WORKOS_API_KEY starts with sk_"),
        "{out}"
    );
    assert!(out.contains("fix: "), "{out}");

    let passing = Command::new(bin)
        .arg("doctor")
        .arg(dir.path())
        .env("WORKOS_API_KEY", API_KEY)
        .env("WORKOS_CLIENT_ID", CLIENT_ID)
        .output()
        .expect("run doctor");
    let out = String::from_utf8_lossy(&passing.stdout);
    assert_eq!(passing.status.code(), Some(0), "{out}");
    assert!(!out.contains(API_KEY), "{out}");

    let bad = Command::new(bin)
        .args(["doctor", "/definitely/not/here"])
        .output()
        .expect("run doctor");
    assert_eq!(bad.status.code(), Some(2));
    let bad_url = Command::new(bin)
        .arg("doctor")
        .arg(dir.path())
        .args(["--app", "localhost:3000"])
        .output()
        .expect("run doctor");
    assert_eq!(bad_url.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_url.stderr).contains("http://"));
}
