//! `pipes-harness doctor` against throwaway app directories and tiny local
//! apps: every check of the verification checklist, passing and
//! failing, with masked values and a fix for each failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::apps::target::AppEndpoints;
use crate::doctor::{self, Options, Report, Status};
use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};

const API_KEY: &str = "sk_test_a1b2c3d4e5f6g7h8i9j0";
const CLIENT_ID: &str = "client_01HZZZZZZZZZZZZZZZZZZZ9876";

/// A directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "pipes-harness-doctor-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.0.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(path, text).expect("write file");
        self
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn node_app() -> TempDir {
    let dir = TempDir::new();
    dir.write(
        "package.json",
        r#"{"name":"x","dependencies":{"@workos-inc/node":"11.0.0"}}"#,
    )
    .write(
        "node_modules/@workos-inc/node/package.json",
        r#"{"name":"@workos-inc/node","version":"11.0.0"}"#,
    )
    .write(
        "node_modules/@workos-inc/node/lib/pipes.js",
        "class Pipes { getAccessToken() {} authorizeDataIntegration() {} }",
    );
    dir
}

fn options(dir: &TempDir, env: &[(&str, &str)], app: Option<AppEndpoints>) -> Options {
    Options {
        dir: dir.path().to_path_buf(),
        app,
        env: env
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect::<BTreeMap<_, _>>(),
        user_id: None,
    }
}

fn check<'a>(report: &'a Report, name_part: &str) -> &'a doctor::Check {
    report
        .checks
        .iter()
        .find(|c| c.name.contains(name_part))
        .unwrap_or_else(|| panic!("no check named like {name_part:?}: {report:?}"))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn run(opts: &Options) -> Report {
    runtime().block_on(doctor::run(opts)).expect("doctor runs")
}

#[test]
fn a_configured_node_app_passes_every_offline_check_and_skips_the_app_checks() {
    let dir = node_app();
    dir.write(
        ".env",
        &format!("WORKOS_API_KEY={API_KEY}\nWORKOS_CLIENT_ID=\"{CLIENT_ID}\"\n"),
    );
    let report = run(&options(&dir, &[], None));
    assert!(report.ok(), "{}", report.render());
    assert_eq!(report.count(Status::Pass), 3);
    assert_eq!(report.count(Status::Skip), 3);
    let text = report.render();
    assert!(text.contains("sk_t…i9j0 (.env)"), "{text}");
    assert!(text.contains("clie…9876 (.env)"), "{text}");
    assert!(!text.contains(API_KEY), "the key leaked: {text}");
    assert!(!text.contains(CLIENT_ID), "the client id leaked: {text}");
    assert!(text.contains(
        "@workos-inc/node 11.0.0 in package.json, 11.0.0 installed, with the Pipes methods"
    ));
    assert!(
        text.contains("doctor: 3 passed, 0 failed, 3 skipped"),
        "{text}"
    );
}

#[test]
fn credentials_in_the_process_environment_count_too() {
    let dir = node_app();
    let report = run(&options(
        &dir,
        &[("WORKOS_API_KEY", API_KEY), ("WORKOS_CLIENT_ID", CLIENT_ID)],
        None,
    ));
    assert!(report.ok(), "{}", report.render());
    assert!(
        check(&report, "WORKOS_API_KEY")
            .detail
            .contains("(environment)")
    );
}

#[test]
fn a_missing_client_id_is_a_warning_with_where_it_looked_and_the_fix() {
    let dir = node_app();
    dir.write(".env", &format!("WORKOS_API_KEY={API_KEY}\n"))
        .write(".env.local", "OTHER=1\n");
    let report = run(&options(&dir, &[], None));
    assert!(report.ok(), "a Pipes-only app needs no client id");
    let c = check(&report, "WORKOS_CLIENT_ID");
    assert_eq!(c.status, Status::Warn);
    assert!(c.detail.contains("only uses Pipes"), "{}", c.detail);
    assert!(report.render().contains("1 warned"));
    assert!(c.detail.contains(".env, .env.local"), "{}", c.detail);
    assert!(
        c.fix
            .as_deref()
            .unwrap_or("")
            .contains("WORKOS_CLIENT_ID=client_")
    );
}

#[test]
fn swapped_credentials_fail_and_say_so_without_showing_them() {
    let dir = node_app();
    dir.write(
        ".env.local",
        &format!("WORKOS_API_KEY={CLIENT_ID}\nWORKOS_CLIENT_ID={API_KEY}\n"),
    );
    let report = run(&options(&dir, &[], None));
    let c = check(&report, "WORKOS_API_KEY");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.detail.contains("in .env.local does not start with sk_"),
        "{}",
        c.detail
    );
    assert!(c.detail.contains("look swapped"), "{}", c.detail);
    assert!(!report.render().contains(API_KEY));
}

#[test]
fn a_bad_value_in_any_env_file_fails_even_when_another_is_right() {
    let dir = node_app();
    dir.write(".env", &format!("WORKOS_API_KEY={API_KEY}\n"))
        .write(".env.production", "WORKOS_API_KEY=pk_live_wrongwrong1234\n");
    let report = run(&options(&dir, &[("WORKOS_CLIENT_ID", CLIENT_ID)], None));
    let c = check(&report, "WORKOS_API_KEY");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.detail.contains("pk_l…1234 in .env.production"),
        "{}",
        c.detail
    );
}

#[test]
fn env_template_files_are_not_mistaken_for_credentials() {
    let dir = node_app();
    dir.write(".env.example", "WORKOS_API_KEY=\nWORKOS_CLIENT_ID=\n");
    let report = run(&options(
        &dir,
        &[("WORKOS_API_KEY", API_KEY), ("WORKOS_CLIENT_ID", CLIENT_ID)],
        None,
    ));
    assert!(report.ok(), "{}", report.render());
}

#[test]
fn an_sdk_declared_but_not_installed_fails_with_npm_install() {
    let dir = TempDir::new();
    dir.write(
        "package.json",
        r#"{"dependencies":{"@workos-inc/node":"^11.0.0"}}"#,
    );
    let report = run(&options(&dir, &[], None));
    let c = check(&report, "SDK");
    assert_eq!(c.status, Status::Fail);
    assert!(c.detail.contains("not installed"), "{}", c.detail);
    assert!(c.fix.as_deref().unwrap_or("").contains("npm install"));
}

#[test]
fn the_sdk_is_found_in_every_ecosystem_the_checklist_names() {
    let cases = [
        ("requirements.txt", "flask==3.0\nworkos==10.6.0\n"),
        ("requirements-dev.txt", "WorkOS>=10\n"),
        (
            "pyproject.toml",
            "[project]\ndependencies = [\"workos>=10.6\"]\n",
        ),
        ("setup.py", "install_requires=['workos']\n"),
        ("Gemfile", "source 'https://rubygems.org'\ngem 'workos'\n"),
        (
            "go.mod",
            "module x\nrequire github.com/workos/workos-go/v4 v4.0.0\n",
        ),
        ("Cargo.toml", "[dependencies]\nworkos = \"0.8\"\n"),
    ];
    for (file, text) in cases {
        let dir = TempDir::new();
        dir.write(file, text);
        let report = run(&options(&dir, &[], None));
        let c = check(&report, "SDK");
        // Python manifests also get the installed version checked, which
        // needs a Python with workos: without one it is a warning.
        let python = file.starts_with("req") || file.starts_with("py") || file == "setup.py";
        let want = if python { Status::Warn } else { Status::Pass };
        assert!(
            c.status == want || (python && c.status == Status::Pass),
            "{file}: {:?} {}",
            c.status,
            c.detail
        );
        assert!(c.detail.contains(file), "{file}: {}", c.detail);
    }
}

#[test]
fn manifests_without_the_sdk_fail_with_install_commands() {
    let dir = TempDir::new();
    dir.write("requirements.txt", "workos-helpers==1.0\nflask\n");
    let report = run(&options(&dir, &[], None));
    let c = check(&report, "SDK");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.detail.contains("none of requirements.txt"),
        "{}",
        c.detail
    );
    assert!(
        c.fix
            .as_deref()
            .unwrap_or("")
            .contains("pip install workos")
    );
}

#[test]
fn a_directory_without_any_manifest_fails_and_says_where_to_run() {
    let dir = TempDir::new();
    let report = run(&options(&dir, &[], None));
    let c = check(&report, "SDK");
    assert_eq!(c.status, Status::Fail);
    assert!(c.detail.contains("no dependency manifest"), "{}", c.detail);
}

#[test]
fn a_missing_directory_is_bad_input() {
    let opts = Options {
        dir: PathBuf::from("/definitely/not/here"),
        app: None,
        env: BTreeMap::new(),
        user_id: None,
    };
    let err = runtime().block_on(doctor::run(&opts)).unwrap_err();
    assert!(err.to_string().contains("not a directory"));
}

/// A tiny app: connect answers `connect_status`, the webhook `webhook_status`
/// when unsigned and `forged_status` when signed.
fn start_app(
    rt: &tokio::runtime::Runtime,
    connect_status: u16,
    unsigned_status: u16,
    forged_status: u16,
) -> String {
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let app = Router::new()
            .route(
                "/connect/{provider}",
                get(move || async move {
                    let status = StatusCode::from_u16(connect_status).expect("status");
                    (
                        status,
                        [(header::LOCATION, "https://example.test/authorize")],
                        "",
                    )
                        .into_response()
                }),
            )
            .route(
                "/webhooks/workos",
                post(move |headers: HeaderMap| async move {
                    let code = if headers.contains_key("workos-signature") {
                        forged_status
                    } else {
                        unsigned_status
                    };
                    StatusCode::from_u16(code).expect("status")
                }),
            );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        base
    })
}

#[test]
fn a_running_app_that_redirects_and_rejects_forgeries_passes_the_app_checks() {
    let rt = runtime();
    let base = start_app(&rt, 302, 400, 401);
    let dir = node_app();
    let opts = options(
        &dir,
        &[("WORKOS_API_KEY", API_KEY), ("WORKOS_CLIENT_ID", CLIENT_ID)],
        Some(AppEndpoints::with_defaults(&base).expect("endpoints")),
    );
    let report = rt.block_on(doctor::run(&opts)).expect("runs");
    assert!(report.ok(), "{}", report.render());
    assert_eq!(report.count(Status::Pass), 6);
    assert!(
        check(&report, "connect")
            .detail
            .contains("/connect/github answered 302")
    );
}

#[test]
fn an_app_that_accepts_unsigned_webhooks_fails_with_the_security_reasoning() {
    let rt = runtime();
    let base = start_app(&rt, 200, 200, 200);
    let dir = node_app();
    let opts = options(
        &dir,
        &[("WORKOS_API_KEY", API_KEY), ("WORKOS_CLIENT_ID", CLIENT_ID)],
        Some(AppEndpoints::with_defaults(&base).expect("endpoints")),
    );
    let report = rt.block_on(doctor::run(&opts)).expect("runs");
    assert!(!report.ok());
    let unsigned = check(&report, "unsigned");
    assert_eq!(unsigned.status, Status::Fail);
    assert!(
        unsigned.detail.contains("security critical"),
        "{}",
        unsigned.detail
    );
    assert!(unsigned.fix.as_deref().unwrap_or("").contains("raw body"));
    assert_eq!(check(&report, "forged").status, Status::Fail);
    assert_eq!(check(&report, "connect").status, Status::Pass);
}

#[test]
fn a_crashing_webhook_is_not_a_rejection_and_a_missing_route_names_the_flag() {
    let rt = runtime();
    let crashing = start_app(&rt, 404, 500, 500);
    let dir = node_app();
    let opts = options(
        &dir,
        &[("WORKOS_API_KEY", API_KEY), ("WORKOS_CLIENT_ID", CLIENT_ID)],
        Some(AppEndpoints::with_defaults(&crashing).expect("endpoints")),
    );
    let report = rt.block_on(doctor::run(&opts)).expect("runs");
    let unsigned = check(&report, "unsigned");
    assert_eq!(unsigned.status, Status::Fail);
    assert!(
        unsigned.detail.contains("not a rejection"),
        "{}",
        unsigned.detail
    );
    let connect = check(&report, "connect");
    assert_eq!(connect.status, Status::Fail);
    assert!(
        connect
            .fix
            .as_deref()
            .unwrap_or("")
            .contains("--connect-path")
    );
}

#[test]
fn an_app_that_is_not_running_fails_with_start_it_first() {
    let rt = runtime();
    // Bind and drop to get a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let dir = node_app();
    let opts = options(
        &dir,
        &[],
        Some(AppEndpoints::with_defaults(&format!("http://127.0.0.1:{port}")).expect("endpoints")),
    );
    let report = rt.block_on(doctor::run(&opts)).expect("runs");
    let c = check(&report, "connect");
    assert_eq!(c.status, Status::Fail);
    assert!(c.detail.contains("is the app running"), "{}", c.detail);
}
