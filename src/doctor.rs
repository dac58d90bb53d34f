//! `pipes-harness doctor`: the seeds' verification checklist ("ALL MUST
//! PASS"), automated for an app's directory and, optionally, the running app.
//!
//! Checks, each PASS, FAIL (with the fix) or SKIP:
//!
//! 1. `WORKOS_API_KEY` is set and starts with `sk_`, in the process
//!    environment and in every `.env*` file of the directory;
//! 2. `WORKOS_CLIENT_ID` is set and starts with `client_`, likewise;
//! 3. the WorkOS SDK is a dependency (package.json and node_modules,
//!    requirements*.txt, pyproject.toml, setup.py, setup.cfg, Pipfile,
//!    Gemfile, go.mod, Cargo.toml) and, for Node, installed;
//! 4. with `--app`, the connect endpoint answers 200 or a redirect;
//! 5. with `--app`, the webhook endpoint rejects an unsigned request;
//! 6. with `--app`, the webhook endpoint rejects a forged signature.
//!
//! Values are masked in the output (`sk_t…1234`): the report is meant to be
//! pasted into CI logs and tickets. Template files (`.env.example`,
//! `.env.sample`, `.env.template`, `.env.dist`) hold placeholders, not
//! credentials, so they are not read. The dashboard checks of the seeds
//! (providers configured) stay manual: no local file shows them.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use crate::common::signature::{SIGNATURE_HEADER, sign};
use crate::provider::ProviderKind;
use crate::steps::app::target::AppEndpoints;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The check passed.
    Pass,
    /// The check failed; the line carries the fix.
    Fail,
    /// The check could not run (e.g. no `--app`).
    Skip,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
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
        out.push_str(&format!(
            "doctor: {} passed, {} failed, {} skipped\n",
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
}

/// The directory cannot be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum DoctorError {
    /// DIR is missing or not a directory.
    #[error("{0}: not a directory; pass the app's root directory, e.g. `pipes-harness doctor .`")]
    NotADirectory(PathBuf),
    /// DIR could not be listed.
    #[error("cannot read {path}: {source}")]
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
        credential(
            "WORKOS_CLIENT_ID",
            "client_",
            &opts.env,
            &env_files,
            "Copy the client ID from the WorkOS dashboard (API Keys, \"Client ID\") and add \
             WORKOS_CLIENT_ID=client_... to .env; it is not the provider's OAuth client id.",
        ),
        sdk_dependency(&opts.dir),
    ];
    match &opts.app {
        Some(app) => {
            let client = crate::transcript::http::reqwest_client(Duration::from_secs(10));
            checks.push(connect_endpoint(&client, app).await);
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
) -> ExitCode {
    let app = match app
        .map(|a| {
            AppEndpoints::new(
                &a,
                &connect_path,
                &webhook_path,
                crate::steps::app::target::DEFAULT_PROFILE_PATH,
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
    let opts = Options {
        dir,
        app,
        env: crate::steps::app::target::process_vars(),
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

/// Parses dotenv text: `KEY=value`, `export KEY=value`, quotes, `#` comments.
pub fn parse_env(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = if let Some(inner) = value
            .strip_prefix('"')
            .and_then(|v| v.split_once('"').map(|(a, _)| a))
        {
            inner.to_string()
        } else if let Some(inner) = value
            .strip_prefix('\'')
            .and_then(|v| v.split_once('\'').map(|(a, _)| a))
        {
            inner.to_string()
        } else {
            value
                .split(" #")
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        out.insert(key.trim().to_string(), value);
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

fn sdk_dependency(dir: &Path) -> Check {
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
                        Some(v) => found.push(format!(
                            "@workos-inc/node {range} in package.json, {v} installed"
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

    if let Some((detail, fix)) = problems.into_iter().next() {
        return Check::fail(SDK, detail, fix);
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

async fn connect_endpoint(client: &reqwest::Client, app: &AppEndpoints) -> Check {
    let url = app.connect_url(ProviderKind::Github, None);
    match client.get(&url).send().await {
        Err(e) => Check::fail(
            CONNECT,
            format!("nothing answered at {url}: {}", transport(&e)),
            "Start the app, and pass the URL it listens on with --app.",
        ),
        Ok(resp) => {
            let status = resp.status().as_u16();
            match status {
                200 | 302 | 303 | 307 => {
                    let to = resp
                        .headers()
                        .get("location")
                        .and_then(|v| v.to_str().ok())
                        .map(|l| format!(" to {l}"))
                        .unwrap_or_default();
                    Check::pass(CONNECT, format!("GET {url} answered {status}{to}"))
                }
                404 | 405 => Check::fail(
                    CONNECT,
                    format!("GET {url} answered {status}: no connect route there"),
                    "Pass your connect route with --connect-path (placeholders {provider} and {user_id}).",
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
        "An unsigned request cannot come from WorkOS; accepting it lets anyone spoof events (the \
         seeds: \"Reject unsigned requests (security critical)\").",
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
