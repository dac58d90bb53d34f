//! `pipes-harness doctor`: a preflight checklist for a Pipes integration,
//! run on an app's directory and, optionally, the running app.
//!
//! Checks, each PASS, WARN, FAIL (with the fix) or SKIP:
//!
//! 1. `WORKOS_API_KEY` is set and starts with `sk_`, in the process
//!    environment and in every `.env*` file of the directory;
//! 2. `WORKOS_CLIENT_ID` starts with `client_` when set; unset is only a
//!    warning, since a Pipes-only app needs no client id;
//! 3. the WorkOS SDK is a dependency (package.json and node_modules,
//!    requirements*.txt, pyproject.toml, setup.py, setup.cfg, Pipfile,
//!    Gemfile, go.mod, Cargo.toml) and, for Node and Python, the installed
//!    version has the Pipes methods;
//! 4. with `--app`, the connect endpoint answers 200 or a redirect, for the
//!    user given with `--user-id` (or a user doctor creates in the WorkOS at
//!    `PIPES_HARNESS_WORKOS_URL` / `WORKOS_BASE_URL`, or a visitor);
//! 5. with `--app`, the webhook endpoint rejects an unsigned request;
//! 6. with `--app`, the webhook endpoint rejects a forged signature.
//!
//! Values are masked in the output (`sk_t…1234`): the report is meant to be
//! pasted into CI logs and tickets. Template files (`.env.example`,
//! `.env.sample`, `.env.template`, `.env.dist`) hold placeholders, not
//! credentials, so they are not read. Dashboard settings (providers
//! configured) stay manual: no local file shows them.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use crate::apps::target::AppEndpoints;
use crate::common::signature::{SIGNATURE_HEADER, sign};
use crate::provider::ProviderKind;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The check passed.
    Pass,
    /// The check failed; the line carries the fix.
    Fail,
    /// The check could not run (e.g. no `--app`).
    Skip,
    /// Worth a look, not a failure.
    Warn,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
            Status::Warn => "WARN",
        })
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What is checked.
    pub name: String,
    /// The outcome.
    pub status: Status,
    /// What was found (values masked).
    pub detail: String,
    /// What to do, for a failure.
    pub fix: Option<String>,
}

impl Check {
    fn pass(name: &str, detail: impl Into<String>) -> Self {
        Check {
            name: name.to_string(),
            status: Status::Pass,
            detail: detail.into(),
            fix: None,
        }
    }

    fn fail(name: &str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Check {
            name: name.to_string(),
            status: Status::Fail,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }

    fn warn(name: &str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Check {
            name: name.to_string(),
            status: Status::Warn,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }

    fn skip(name: &str, detail: impl Into<String>) -> Self {
        Check {
            name: name.to_string(),
            status: Status::Skip,
            detail: detail.into(),
            fix: None,
        }
    }
}

/// Every check, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The directory checked.
    pub dir: PathBuf,
    /// The checks.
    pub checks: Vec<Check>,
}

impl Report {
    /// No check failed.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.status != Status::Fail)
    }

    /// How many checks have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    /// The report as printed: one line per check, the fix under each failure,
    /// and a closing count.
    pub fn render(&self) -> String {
        let mut out = format!("pipes-harness doctor: {}\n", self.dir.display());
        for c in &self.checks {
            out.push_str(&format!("{}  {}: {}\n", c.status, c.name, c.detail));
            if let Some(fix) = &c.fix {
                out.push_str(&format!("      fix: {fix}\n"));
            }
        }
        let warned = match self.count(Status::Warn) {
            0 => String::new(),
            n => format!(", {n} warned"),
        };
        out.push_str(&format!(
            "doctor: {} passed, {} failed, {} skipped{warned}\n",
            self.count(Status::Pass),
            self.count(Status::Fail),
            self.count(Status::Skip)
        ));
        out
    }
}

/// What to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// The app's directory.
    pub dir: PathBuf,
    /// The running app, if its endpoints should be checked.
    pub app: Option<AppEndpoints>,
    /// The process environment (passed in so tests control it).
    pub env: BTreeMap<String, String>,
    /// The WorkOS user the connect check connects; `None` = create one in
    /// the WorkOS the environment names, else open the page as a visitor.
    pub user_id: Option<String>,
}

/// The directory cannot be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum DoctorError {
    /// DIR is missing or not a directory.
    #[error("{0}: not a directory; pass the app's root directory, e.g. `pipes-harness doctor .`")]
    NotADirectory(PathBuf),
    /// DIR could not be listed.
    #[error("cannot read {path}: {}", crate::common::text::io_reason(source))]
    Read {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Runs every check.
pub async fn run(opts: &Options) -> Result<Report, DoctorError> {
    if !opts.dir.is_dir() {
        return Err(DoctorError::NotADirectory(opts.dir.clone()));
    }
    let env_files = read_env_files(&opts.dir)?;
    let mut checks = vec![
        credential(
            "WORKOS_API_KEY",
            "sk_",
            &opts.env,
            &env_files,
            "Copy the API key from the WorkOS dashboard (API Keys) for the environment you use and \
             add WORKOS_API_KEY=sk_test_... to .env (against `pipes-harness serve`: sk_test_default \
             or a key from its seed file); restart the app after changing it.",
        ),
        optional(credential(
            "WORKOS_CLIENT_ID",
            "client_",
            &opts.env,
            &env_files,
            "Copy the client ID from the WorkOS dashboard (API Keys, \"Client ID\") and add \
             WORKOS_CLIENT_ID=client_... to .env; it is not the provider's OAuth client id.",
        )),
        sdk_dependency(&opts.dir, &opts.env),
    ];
    match &opts.app {
        Some(app) => {
            let client = crate::transcript::http::reqwest_client(Duration::from_secs(10));
            let user = match &opts.user_id {
                Some(u) => Some(u.clone()),
                None => doctor_user(&client, &opts.env).await,
            };
            checks.push(connect_endpoint(&client, app, user.as_deref()).await);
            checks.push(unsigned_webhook(&client, app).await);
            checks.push(forged_webhook(&client, app).await);
        }
        None => {
            for name in [CONNECT, UNSIGNED, FORGED] {
                checks.push(Check::skip(
                    name,
                    "no --app URL given (e.g. --app http://localhost:3000)",
                ));
            }
        }
    }
    Ok(Report {
        dir: opts.dir.clone(),
        checks,
    })
}

/// The `doctor` subcommand: prints the report; exit 1 on any FAIL, 2 on bad input.
pub async fn command(
    dir: PathBuf,
    app: Option<String>,
    connect_path: String,
    webhook_path: String,
    user_id: Option<String>,
) -> ExitCode {
    let app = match app
        .map(|a| {
            AppEndpoints::new(
                &a,
                &connect_path,
                &webhook_path,
                crate::apps::target::DEFAULT_PROFILE_PATH,
            )
        })
        .transpose()
    {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(u) = &user_id
        && u.trim().is_empty()
    {
        eprintln!("error: --user-id is empty: expected a WorkOS user id, e.g. user_01H...");
        return ExitCode::from(2);
    }
    let opts = Options {
        dir,
        app,
        env: crate::apps::target::process_vars(),
        user_id,
    };
    match run(&opts).await {
        Ok(report) => {
            print!("{}", report.render());
            if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// `sk_t…1234`: enough to tell keys apart, not enough to use one.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 8 {
        let head: String = chars.iter().take(2).collect();
        return format!("{head}…");
    }
    let head: String = chars.iter().take(4).collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// A `.env*` file's name and its variables.
type EnvFile = (String, BTreeMap<String, String>);

/// `.env*` files of `dir` (templates excluded), parsed, sorted by name.
fn read_env_files(dir: &Path) -> Result<Vec<EnvFile>, DoctorError> {
    let entries = std::fs::read_dir(dir).map_err(|source| DoctorError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let template = [".example", ".sample", ".template", ".dist"]
            .iter()
            .any(|t| name.ends_with(t));
        if !name.starts_with(".env") || template || !entry.path().is_file() {
            continue;
        }
        // An unreadable file is reported by the check as "not set there",
        // not as a crash: the other sources may still be fine.
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        files.push((name, parse_env(&text)));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// Parses dotenv text as the dotenv loaders apps use do (`KEY=value`,
/// `export KEY=value`, quotes, `#` comments); lines it cannot read are left
/// out, as a loader would skip them.
pub fn parse_env(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        // Line by line, so one unreadable line does not hide the rest.
        if let Some(Ok((key, value))) = dotenvy::from_read_iter(line.as_bytes()).next() {
            out.insert(key, value);
        }
    }
    out
}

fn credential(
    key: &str,
    prefix: &str,
    env: &BTreeMap<String, String>,
    files: &[EnvFile],
    fix: &str,
) -> Check {
    let name = format!("{key} starts with {prefix}");
    let mut found: Vec<(String, String)> = Vec::new();
    if let Some(v) = env.get(key).filter(|v| !v.trim().is_empty()) {
        found.push(("environment".to_string(), v.trim().to_string()));
    }
    for (file, vars) in files {
        if let Some(v) = vars.get(key).filter(|v| !v.is_empty()) {
            found.push((file.clone(), v.clone()));
        }
    }
    if found.is_empty() {
        let looked: Vec<&str> = std::iter::once("the environment")
            .chain(files.iter().map(|(f, _)| f.as_str()))
            .collect();
        return Check::fail(
            &name,
            format!("{key} is not set (looked in {})", looked.join(", ")),
            fix,
        );
    }
    let bad: Vec<String> = found
        .iter()
        .filter(|(_, v)| !v.starts_with(prefix))
        .map(|(src, v)| format!("{} in {src}", mask(v)))
        .collect();
    if !bad.is_empty() {
        let swapped = found.iter().any(|(_, v)| {
            (prefix == "sk_" && v.starts_with("client_"))
                || (prefix == "client_" && v.starts_with("sk_"))
        });
        let hint = if swapped {
            " The API key and the client ID look swapped."
        } else {
            ""
        };
        return Check::fail(
            &name,
            format!("{} does not start with {prefix}.{hint}", bad.join(", ")),
            fix,
        );
    }
    let mut values: Vec<&str> = found.iter().map(|(_, v)| v.as_str()).collect();
    values.sort_unstable();
    values.dedup();
    let sources: Vec<String> = found
        .iter()
        .map(|(src, v)| format!("{} ({src})", mask(v)))
        .collect();
    let note = if values.len() > 1 {
        "; the values differ, and the environment usually wins over .env files"
    } else {
        ""
    };
    Check::pass(&name, format!("{}{note}", sources.join(", ")))
}

const SDK: &str = "the WorkOS SDK is a dependency";

fn sdk_dependency(dir: &Path, env: &BTreeMap<String, String>) -> Check {
    let mut manifests = Vec::new();
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();

    if let Some(text) = read("package.json") {
        manifests.push("package.json".to_string());
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(pkg) => {
                let declared = [
                    "dependencies",
                    "devDependencies",
                    "optionalDependencies",
                    "peerDependencies",
                ]
                .iter()
                .find_map(|section| {
                    pkg.get(section)
                        .and_then(|d| d.get("@workos-inc/node"))
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                });
                if let Some(range) = declared {
                    let installed = read("node_modules/@workos-inc/node/package.json")
                        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                        .and_then(|p| {
                            p.get("version")
                                .and_then(|v| v.as_str())
                                .map(str::to_string)
                        });
                    match installed {
                        Some(v) if node_has_pipes(&dir.join("node_modules/@workos-inc/node")) => {
                            found.push(format!(
                                "@workos-inc/node {range} in package.json, {v} installed, with the Pipes methods"
                            ));
                        }
                        Some(v) => problems.push((
                            format!(
                                "@workos-inc/node {v} is installed but has no Pipes methods ({})",
                                NODE_PIPES_METHODS.join(", ")
                            ),
                            "Upgrade the SDK: `npm install @workos-inc/node@latest` (11.0.0 or later has Pipes).".to_string(),
                        )),
                        None => problems.push((
                            format!(
                                "@workos-inc/node {range} is in package.json but not installed (no node_modules/@workos-inc/node)"
                            ),
                            "Run `npm install` (or `npm ci`) in the app's directory.".to_string(),
                        )),
                    }
                }
            }
            Err(e) => problems.push((
                format!("package.json is not valid JSON ({e})"),
                "Fix the syntax of package.json, then `npm install`.".to_string(),
            )),
        }
    }

    let mut python_files: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("requirements") && n.ends_with(".txt"))
                .collect()
        })
        .unwrap_or_default();
    python_files.sort();
    for name in python_files {
        manifests.push(name.clone());
        if read(&name).is_some_and(|t| t.lines().any(requirement_is_workos)) {
            found.push(format!("workos in {name}"));
        }
    }
    for name in ["pyproject.toml", "setup.py", "setup.cfg", "Pipfile"] {
        if let Some(text) = read(name) {
            manifests.push(name.to_string());
            if mentions_python_workos(&text) {
                found.push(format!("workos in {name}"));
            }
        }
    }
    if let Some(text) = read("Gemfile") {
        manifests.push("Gemfile".into());
        if text.lines().any(|l| {
            let l = l.trim();
            l.starts_with("gem \"workos\"") || l.starts_with("gem 'workos'")
        }) {
            found.push("workos gem in Gemfile".into());
        }
    }
    if let Some(text) = read("go.mod") {
        manifests.push("go.mod".into());
        if text.contains("github.com/workos/workos-go") {
            found.push("github.com/workos/workos-go in go.mod".into());
        }
    }
    if let Some(text) = read("Cargo.toml") {
        manifests.push("Cargo.toml".into());
        if text.lines().any(|l| {
            let l = l.trim();
            l.starts_with("workos =")
                || l.starts_with("workos=")
                || l.starts_with("workos.")
                || l == "[dependencies.workos]"
        }) {
            found.push("workos in Cargo.toml".into());
        }
    }

    let python_declared = found.iter().any(|f| {
        f.starts_with("workos in ")
            && !f.ends_with("Cargo.toml")
            && !f.ends_with("Gemfile")
            && !f.ends_with("go.mod")
    });
    let mut warning = None;
    if python_declared && problems.is_empty() {
        match python_sdk(dir, env) {
            PythonSdk::Ready { version, python } => found.push(format!(
                "workos {version} installed ({python}), with the Pipes methods"
            )),
            PythonSdk::NoPipes { version, python } => problems.push((
                format!(
                    "workos {version} is installed ({python}) but has no Pipes methods ({})",
                    PYTHON_PIPES_METHODS.join(", ")
                ),
                "Upgrade the SDK: `pip install --upgrade workos` (10.6.0 or later has Pipes) and pin it in requirements.txt.".to_string(),
            )),
            PythonSdk::NotFound(looked) => warning = Some(format!(
                "{}; the installed version was not checked: no Python here imports workos (tried {looked})",
                found.join("; ")
            )),
        }
    }
    if let Some((detail, fix)) = problems.into_iter().next() {
        return Check::fail(SDK, detail, fix);
    }
    if let Some(detail) = warning {
        return Check::warn(
            SDK,
            detail,
            "Run doctor with the app's virtualenv active (VIRTUAL_ENV), or install the \
             requirements: `pip install -r requirements.txt`.",
        );
    }
    if !found.is_empty() {
        return Check::pass(SDK, found.join("; "));
    }
    if manifests.is_empty() {
        return Check::fail(
            SDK,
            format!(
                "no dependency manifest in {} (package.json, requirements.txt, pyproject.toml, setup.py, Gemfile, go.mod, Cargo.toml)",
                dir.display()
            ),
            "Run doctor from the app's root directory, or pass it: `pipes-harness doctor path/to/app`.",
        );
    }
    Check::fail(
        SDK,
        format!("none of {} lists the WorkOS SDK", manifests.join(", ")),
        "Install the official SDK: `npm install @workos-inc/node` (Node), `pip install workos` and \
         add it to requirements.txt (Python), `bundle add workos` (Ruby), `go get \
         github.com/workos/workos-go/v4` (Go).",
    )
}

/// Methods a Node SDK must have for Pipes.
const NODE_PIPES_METHODS: [&str; 2] = ["getAccessToken", "authorizeDataIntegration"];
/// Methods a Python SDK's `client.pipes` must have.
const PYTHON_PIPES_METHODS: [&str; 2] = ["get_access_token", "authorize_data_integration"];

/// Whether the installed Node SDK's code names the Pipes methods.
fn node_has_pipes(pkg: &Path) -> bool {
    let mut stack = vec![pkg.to_path_buf()];
    let mut seen = 0usize;
    let mut missing: Vec<&str> = NODE_PIPES_METHODS.to_vec();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "node_modules" {
                    stack.push(path);
                }
                continue;
            }
            if !(name.ends_with(".js") || name.ends_with(".cjs") || name.ends_with(".mjs")) {
                continue;
            }
            seen += 1;
            if seen > 5000 {
                return false;
            }
            if let Ok(text) = std::fs::read_to_string(&path) {
                missing.retain(|m| !text.contains(m));
                if missing.is_empty() {
                    return true;
                }
            }
        }
    }
    false
}

enum PythonSdk {
    Ready { version: String, python: String },
    NoPipes { version: String, python: String },
    NotFound(String),
}

/// Asks the app's Python (its `.venv` or `venv`, `$VIRTUAL_ENV`, else
/// `python3`) which workos it imports and whether it has the Pipes methods.
fn python_sdk(dir: &Path, env: &BTreeMap<String, String>) -> PythonSdk {
    let mut candidates: Vec<PathBuf> =
        vec![dir.join(".venv/bin/python"), dir.join("venv/bin/python")];
    if let Some(v) = env.get("VIRTUAL_ENV").filter(|v| !v.trim().is_empty()) {
        candidates.push(Path::new(v.trim()).join("bin/python"));
    }
    candidates.push(PathBuf::from("python3"));
    let probe = format!(
        "import importlib.metadata as m, json\n\
         from workos import WorkOSClient\n\
         p = getattr(WorkOSClient(api_key='sk_doctor_probe'), 'pipes', None)\n\
         print(json.dumps({{'version': m.version('workos'), 'pipes': p is not None and all(hasattr(p, n) for n in {:?})}}))\n",
        PYTHON_PIPES_METHODS
    );
    let mut tried = Vec::new();
    for python in candidates {
        let shown = python.display().to_string();
        if python.is_absolute() && !python.exists() {
            continue;
        }
        tried.push(shown.clone());
        let Ok(out) = std::process::Command::new(&python)
            .args(["-c", &probe])
            .env_remove("WORKOS_API_KEY")
            .output()
        else {
            continue;
        };
        if !out.status.success() {
            continue;
        }
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else {
            continue;
        };
        let version = v
            .get("version")
            .and_then(|x| x.as_str())
            .unwrap_or("?")
            .to_string();
        return if v.get("pipes").and_then(serde_json::Value::as_bool) == Some(true) {
            PythonSdk::Ready {
                version,
                python: shown,
            }
        } else {
            PythonSdk::NoPipes {
                version,
                python: shown,
            }
        };
    }
    PythonSdk::NotFound(if tried.is_empty() {
        "none".into()
    } else {
        tried.join(", ")
    })
}

/// `workos`, `workos==10.6.0`, `workos>=10 ; python_version...`, not `workos-foo`.
fn requirement_is_workos(line: &str) -> bool {
    let line = line.trim();
    if line.starts_with('#') {
        return false;
    }
    let name: String = line
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == '.')
        .collect();
    name.eq_ignore_ascii_case("workos")
}

/// `"workos>=10"` in a list, or `workos = "^10"` as a table key.
fn mentions_python_workos(text: &str) -> bool {
    for quote in ['"', '\''] {
        let needle = format!("{quote}workos");
        let mut rest = text;
        while let Some(i) = rest.find(&needle) {
            let after = rest[i + needle.len()..].chars().next();
            if after.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')) {
                return true;
            }
            rest = &rest[i + needle.len()..];
        }
    }
    text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("workos =") || l.starts_with("workos=")
    })
}

const CONNECT: &str = "connect endpoint answers 200 or 302";
const UNSIGNED: &str = "webhook endpoint rejects an unsigned request";
const FORGED: &str = "webhook endpoint rejects a forged signature";

/// A user to open the connect page for: created in the WorkOS the
/// environment names when that is a `pipes-harness serve` (its control API
/// answers), so the app can ask WorkOS for a real authorize URL. `None`
/// otherwise: doctor never writes into a real WorkOS account.
async fn doctor_user(client: &reqwest::Client, env: &BTreeMap<String, String>) -> Option<String> {
    let get = |k: &str| env.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let base = get("PIPES_HARNESS_WORKOS_URL").or_else(|| get("WORKOS_BASE_URL"))?;
    let key = get("PIPES_HARNESS_API_KEY").or_else(|| get("WORKOS_API_KEY"))?;
    // Only a `pipes-harness serve` gets a user written into it: never the
    // real WorkOS a developer's shell may point at with a live key.
    let serve = client
        .get(format!("{}/_harness", base.trim_end_matches('/')))
        .send()
        .await
        .ok()
        .is_some_and(|r| r.status().is_success());
    if !serve {
        return None;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let resp = client
        .post(format!(
            "{}/user_management/users",
            base.trim_end_matches('/')
        ))
        .bearer_auth(key)
        .json(&serde_json::json!({
            "email": format!("doctor+{nanos:x}@example.com"),
            "first_name": "Doctor",
        }))
        .send()
        .await
        .ok()?;
    if !resp.status().is_success() {
        return None;
    }
    let body: serde_json::Value = resp.json().await.ok()?;
    body.get("id").and_then(|i| i.as_str()).map(str::to_string)
}

/// An unset optional credential is a warning; a wrong one still fails.
fn optional(check: Check) -> Check {
    if check.status == Status::Fail && check.detail.contains("is not set") {
        return Check::warn(
            &check.name,
            format!(
                "{}: fine for an app that only uses Pipes; AuthKit and SSO need it",
                check.detail
            ),
            check.fix.unwrap_or_default(),
        );
    }
    check
}

async fn connect_endpoint(
    client: &reqwest::Client,
    app: &AppEndpoints,
    user_id: Option<&str>,
) -> Check {
    let url = app.connect_url(ProviderKind::Github, user_id);
    match client.get(&url).send().await {
        Err(e) => Check::fail(
            CONNECT,
            format!("nothing answered at {url}: {}", transport(&e)),
            "Start the app, and pass the URL it listens on with --app.",
        ),
        Ok(resp) => {
            let status = resp.status().as_u16();
            let location = resp.headers().get("location").cloned();
            let body = if (200..400).contains(&status) {
                String::new()
            } else {
                resp.text().await.unwrap_or_default()
            };
            if crate::apps::target::relays_missing_integration(&body) {
                return Check::fail(
                    CONNECT,
                    format!(
                        "GET {url} answered {status}, relaying WorkOS's answer that there is no github integration"
                    ),
                    "The app is fine: add the integration to the seed `pipes-harness serve` runs (data_integrations: - slug: github), or configure it in the WorkOS dashboard.",
                );
            }
            match status {
                200 | 302 | 303 | 307 => {
                    let to = location
                        .as_ref()
                        .and_then(|v| v.to_str().ok())
                        .map(|l| format!(" to {l}"))
                        .unwrap_or_default();
                    Check::pass(CONNECT, format!("GET {url} answered {status}{to}"))
                }
                404 | 405 => Check::fail(
                    CONNECT,
                    format!("GET {url} answered {status}: no connect route there"),
                    "Pass your connect route with --connect-path (placeholders {provider} and {user_id}) and a user with --user-id.",
                ),
                s if s >= 500 => Check::fail(
                    CONNECT,
                    format!("GET {url} answered {status}: the app failed"),
                    "Read the app's log. Usual causes: WORKOS_API_KEY missing in the app's process, \
                     the SDK pointed at the wrong host, the provider not configured in WorkOS.",
                ),
                s => Check::fail(
                    CONNECT,
                    format!("GET {url} answered {s}, not 200 or 302"),
                    "The connect endpoint should show a connect page (200) or redirect (302) to \
                     sign-in or to the WorkOS authorize URL.",
                ),
            }
        }
    }
}

fn sample_event() -> Vec<u8> {
    serde_json::json!({
        "object": "event",
        "id": "event_01DOCTORPREFLIGHTCHECK000",
        "event": "pipes.connected_account.connected",
        "data": {"object": "connected_account", "id": "data_installation_01DOCTORPREFLIGHTCHECK0",
                 "provider_slug": "github", "user_id": "user_01DOCTORPREFLIGHTCHECK000",
                 "organization_id": null, "scopes": ["repo"], "state": "connected"},
        "created_at": "2025-01-01T00:00:00.000Z"
    })
    .to_string()
    .into_bytes()
}

async fn unsigned_webhook(client: &reqwest::Client, app: &AppEndpoints) -> Check {
    let req = client
        .post(app.webhook_url())
        .header("content-type", "application/json")
        .body(sample_event());
    judge_webhook(
        UNSIGNED,
        app,
        req,
        "An unsigned request cannot come from WorkOS; accepting it lets anyone spoof events: \
         rejecting unsigned requests is security critical.",
        "Verify every delivery with the SDK (`workos.webhooks.constructEvent` / \
         `client.webhooks.verify_event`) on the raw body and answer 400 when the WorkOS-Signature \
         header is missing or does not verify.",
    )
    .await
}

async fn forged_webhook(client: &reqwest::Client, app: &AppEndpoints) -> Check {
    let body = sample_event();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let header = sign("whsec_doctor_forgery_not_your_secret", now, &body);
    let req = client
        .post(app.webhook_url())
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, header)
        .body(body);
    judge_webhook(
        FORGED,
        app,
        req,
        "The request carries a well-formed, fresh signature made with a secret that is not the \
         endpoint's; accepting it means the signature is not checked against your secret.",
        "Pass the endpoint's signing secret (WORKOS_WEBHOOK_SECRET) to the SDK verifier and \
         answer 4xx when it throws.",
    )
    .await
}

async fn judge_webhook(
    name: &str,
    app: &AppEndpoints,
    req: reqwest::RequestBuilder,
    why: &str,
    fix: &str,
) -> Check {
    let url = app.webhook_url();
    match req.send().await {
        Err(e) => Check::fail(
            name,
            format!("nothing answered at {url}: {}", transport(&e)),
            "Start the app, and pass the URL it listens on with --app.",
        ),
        Ok(resp) => match resp.status().as_u16() {
            404 | 405 => Check::fail(
                name,
                format!(
                    "POST {url} answered {}: no webhook route there",
                    resp.status().as_u16()
                ),
                "Pass your webhook route with --webhook-path.",
            ),
            s @ 400..=499 => Check::pass(name, format!("POST {url} answered {s}")),
            s @ 200..=299 => Check::fail(
                name,
                format!("POST {url} answered {s}: the app accepted it. {why}"),
                fix,
            ),
            s => Check::fail(
                name,
                format!(
                    "POST {url} answered {s}: an error, not a rejection (WorkOS retries 5xx deliveries)"
                ),
                fix,
            ),
        },
    }
}

fn transport(e: &reqwest::Error) -> String {
    if e.is_connect() {
        "connection refused, is the app running?".to_string()
    } else if e.is_timeout() {
        "no answer within 10 s".to_string()
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_four_characters_at_each_end() {
        assert_eq!(mask("sk_test_abcdefgh1234"), "sk_t…1234");
        assert_eq!(mask("short"), "sh…");
    }

    #[test]
    fn dotenv_lines_are_parsed_like_dotenv_loaders_do() {
        let vars = parse_env(
            "# comment\nexport A=1\nB=\"two words\" # note\nC='x#y'\nD=plain # trailing\n\nnoequals\n",
        );
        assert_eq!(vars.get("A").map(String::as_str), Some("1"));
        assert_eq!(vars.get("B").map(String::as_str), Some("two words"));
        assert_eq!(vars.get("C").map(String::as_str), Some("x#y"));
        assert_eq!(vars.get("D").map(String::as_str), Some("plain"));
        assert!(!vars.contains_key("noequals"));
    }

    #[test]
    fn requirement_names_match_exactly() {
        assert!(requirement_is_workos("workos==10.6.0"));
        assert!(requirement_is_workos("WorkOS >= 10"));
        assert!(!requirement_is_workos("workos-helpers==1"));
        assert!(!requirement_is_workos("# workos"));
        assert!(mentions_python_workos("dependencies = [\"workos>=10.6\"]"));
        assert!(mentions_python_workos(
            "[tool.poetry.dependencies]\nworkos = \"^10\""
        ));
        assert!(!mentions_python_workos(
            "dependencies = [\"workos-extras\"]"
        ));
    }
}
