//! What `serve` tells an app and a test run about itself, as dotenv lines
//! (`serve --env-file FILE`, or `--env-file -` for stdout), and the
//! environment expansion the seed applies to webhook URLs.
//!
//! With `--port 0` every port is ephemeral, so nothing can be hard-coded: the
//! file carries what the app's SDK needs (`WORKOS_BASE_URL`, `WORKOS_API_KEY`,
//! `WORKOS_WEBHOOK_SECRET`, the provider API URLs) and what `pipes-harness
//! run` needs to test that app (`PIPES_HARNESS_*`). It is written before
//! `ready` is printed, so a script that waits for `ready` can source it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::provider::ProviderKind;

/// Where the lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvTarget {
    /// `-`: stdout, before the service lines.
    Stdout,
    /// A file, replaced whole.
    File(PathBuf),
}

impl EnvTarget {
    /// `-` is stdout, anything else a path.
    pub fn parse(arg: &Path) -> EnvTarget {
        if arg.as_os_str() == "-" {
            EnvTarget::Stdout
        } else {
            EnvTarget::File(arg.to_path_buf())
        }
    }
}

/// What the lines are made of.
#[derive(Debug, Clone, Default)]
pub struct ServeFacts {
    /// The WorkOS mock's base URL.
    pub workos_url: String,
    /// The key apps should use.
    pub api_key: String,
    /// The first webhook endpoint's secret, if any.
    pub webhook_secret: Option<String>,
    /// Provider mock base URLs.
    pub providers: Vec<(ProviderKind, String)>,
    /// The custom providers' base URL (each slug under `/{slug}/`), when
    /// the stack serves them.
    pub custom_url: Option<String>,
    /// The control API's bearer token, when one is configured.
    pub control_token: Option<String>,
}

/// The `KEY=VALUE` pairs, in the documented order.
pub fn pairs(f: &ServeFacts) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: &str| out.push((k.to_string(), v.to_string()));
    put("WORKOS_BASE_URL", &f.workos_url);
    put("WORKOS_API_KEY", &f.api_key);
    if let Some(s) = &f.webhook_secret {
        put("WORKOS_WEBHOOK_SECRET", s);
    }
    for (kind, url) in &f.providers {
        put(
            &format!("{}_API_URL", kind.slug().to_ascii_uppercase()),
            url,
        );
    }
    put("PIPES_HARNESS_WORKOS_URL", &f.workos_url);
    put("PIPES_HARNESS_API_KEY", &f.api_key);
    if let Some(s) = &f.webhook_secret {
        put("PIPES_HARNESS_WEBHOOK_SECRET", s);
    }
    put(
        "PIPES_HARNESS_CONTROL_URL",
        &format!("{}/_harness", f.workos_url),
    );
    for (kind, url) in &f.providers {
        put(
            &format!("PIPES_HARNESS_{}_URL", kind.slug().to_ascii_uppercase()),
            url,
        );
    }
    if let Some(u) = &f.custom_url {
        put("PIPES_HARNESS_CUSTOM_URL", u);
    }
    if let Some(t) = &f.control_token {
        put("PIPES_HARNESS_CONTROL_TOKEN", t);
    }
    out
}

/// The dotenv text: one `KEY=VALUE` per line.
pub fn render(f: &ServeFacts) -> String {
    pairs(f).iter().map(|(k, v)| format!("{k}={v}\n")).collect()
}

/// Writes the lines where `target` says. A file is written to a temporary
/// name next to it and renamed, so a reader never sees half of it.
pub fn write(target: &EnvTarget, f: &ServeFacts) -> Result<(), String> {
    let text = render(f);
    match target {
        EnvTarget::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| {
                    format!(
                        "cannot write the environment to stdout: {}",
                        crate::common::text::io_reason(&e)
                    )
                })
        }
        EnvTarget::File(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or_else(|| Path::new("."));
            let fail = |e: std::io::Error| {
                format!(
                    "cannot write --env-file {}: {} (expected a writable file path, or `-` for stdout)",
                    path.display(),
                    crate::common::text::io_reason(&e)
                )
            };
            let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
            tmp.write_all(text.as_bytes()).map_err(fail)?;
            tmp.persist(path).map_err(|e| fail(e.error))?;
            Ok(())
        }
    }
}

/// Expands `${VAR}` and `${VAR:-default}` (and `$VAR`) from the process
/// environment, so a seed can say `url: ${APP_WEBHOOK_URL}`.
pub fn expand(text: &str) -> Result<String, String> {
    expand_with(text, |name| std::env::var(name).ok())
}

/// [`expand`] with the variables from `lookup`.
pub fn expand_with(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    shellexpand::env_with_context(text, |name: &str| -> Result<Option<String>, String> {
        lookup(name).map(Some).ok_or_else(|| "unset".to_string())
    })
    .map(|s| s.into_owned())
    .map_err(|e| {
        format!(
            "`{text}` names the environment variable {} which is not set: set it, or give a default as ${{{}:-http://127.0.0.1:3000/webhooks/workos}}",
            e.var_name, e.var_name
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ServeFacts {
        ServeFacts {
            workos_url: "http://127.0.0.1:5000".into(),
            api_key: "sk_test_x".into(),
            webhook_secret: Some("whsec_y".into()),
            providers: vec![(ProviderKind::Github, "http://127.0.0.1:5001".into())],
            custom_url: None,
            control_token: None,
        }
    }

    #[test]
    fn the_lines_follow_the_documented_order() {
        let text = render(&facts());
        assert_eq!(
            text,
            "WORKOS_BASE_URL=http://127.0.0.1:5000\n\
             WORKOS_API_KEY=sk_test_x\n\
             WORKOS_WEBHOOK_SECRET=whsec_y\n\
             GITHUB_API_URL=http://127.0.0.1:5001\n\
             PIPES_HARNESS_WORKOS_URL=http://127.0.0.1:5000\n\
             PIPES_HARNESS_API_KEY=sk_test_x\n\
             PIPES_HARNESS_WEBHOOK_SECRET=whsec_y\n\
             PIPES_HARNESS_CONTROL_URL=http://127.0.0.1:5000/_harness\n\
             PIPES_HARNESS_GITHUB_URL=http://127.0.0.1:5001\n"
        );
    }

    #[test]
    fn no_webhook_no_secret_lines() {
        let mut f = facts();
        f.webhook_secret = None;
        f.control_token = Some("tok".into());
        let text = render(&f);
        assert!(!text.contains("WEBHOOK_SECRET"), "{text}");
        assert!(
            text.ends_with("PIPES_HARNESS_CONTROL_TOKEN=tok\n"),
            "{text}"
        );
    }

    #[test]
    fn a_file_is_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("serve.env");
        write(&EnvTarget::File(path.clone()), &facts()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("WORKOS_BASE_URL="));
        let err = write(
            &EnvTarget::File(dir.path().join("missing/serve.env")),
            &facts(),
        )
        .unwrap_err();
        assert!(err.contains("--env-file"), "{err}");
    }

    #[test]
    fn variables_expand_with_defaults_and_unset_ones_are_named() {
        let lookup = |n: &str| (n == "APP_URL").then(|| "http://127.0.0.1:9".to_string());
        assert_eq!(
            expand_with("${APP_URL}/webhooks/workos", lookup).unwrap(),
            "http://127.0.0.1:9/webhooks/workos"
        );
        assert_eq!(
            expand_with("${NOPE:-http://a.test/w}", lookup).unwrap(),
            "http://a.test/w"
        );
        let err = expand_with("${NOPE}/w", lookup).unwrap_err();
        assert!(err.contains("NOPE"), "{err}");
        assert_eq!(
            expand_with("http://a.test/w", lookup).unwrap(),
            "http://a.test/w"
        );
    }
}
