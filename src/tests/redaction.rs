//! Property: whatever the secrets are, none of them appears in any output a
//! run produces: the YAML snapshot, the Markdown transcript, the JUnit XML
//! report or the cucumber JSON report.
//!
//! Each case runs `tests/fixtures/redaction/random_secrets.feature` through
//! the real runner. The case decides how far the stack's id generator is
//! advanced before the connect flow (so the client secret, code, PKCE
//! verifier and access token differ from case to case) and a random secret
//! the app then sends to WorkOS as an API key, a query parameter and a JSON
//! field. The scenario's last step fails on purpose, quoting every secret in
//! its error, so the reports have something to leak.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use crate::runner::transcripts::{self, Format};
use crate::runner::{self, Progress, RunOptions};
use crate::steps::PipesWorld;
use crate::transcript::HttpClient;
use cucumber::{given, then, when};
use proptest::prelude::*;

/// What the current case asks the scenario to do.
#[derive(Debug, Clone, Default)]
struct Case {
    draws: u32,
    secret: String,
}

/// The scenario reads its case from here; cases run one after another.
static CASE: Mutex<Option<Case>> = Mutex::new(None);

fn case() -> Result<Case, String> {
    CASE.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .ok_or_else(|| "this feature only runs inside the redaction property test".to_string())
}

#[given("the id generator has made the property test's number of draws")]
async fn advance_ids(w: &mut PipesWorld) -> Result<(), String> {
    for _ in 0..case()?.draws {
        let _ = w.stack().ids.hex(1);
    }
    Ok(())
}

#[when("the app sends the property test's secret to WorkOS as a key, a query and a body")]
async fn send_secret(w: &mut PipesWorld) -> Result<(), String> {
    let secret = case()?.secret;
    w.stack().recorder.secret("api_key", &secret);
    let http = HttpClient::new("app", w.stack().recorder.clone());
    let url = format!("{}/data-integrations/github/token", w.stack().workos.uri());
    let request = http
        .request(reqwest::Method::POST, &url)
        .bearer_auth(&secret)
        .query(&[("probe", secret.as_str())])
        .json(&serde_json::json!({ "user_id": secret }));
    // WorkOS refuses the unknown key; what matters is that it went over the wire.
    http.send(request).await.map(|_| ())
}

#[then("the step fails quoting every secret of the scenario")]
async fn quote_secrets(w: &mut PipesWorld) -> Result<(), String> {
    let quoted: Vec<String> = w
        .stack()
        .recorder
        .redactor()
        .secrets()
        .into_iter()
        .map(|(kind, value)| format!("{kind}={value}"))
        .collect();
    Err(format!(
        "failing on purpose, quoting: {}",
        quoted.join(", ")
    ))
}

/// Everything one run of the scenario produced.
#[derive(Debug, Default)]
struct Outputs {
    secrets: Vec<(String, String)>,
    yaml: String,
    markdown: String,
    junit: String,
    json: String,
}

fn run_case(c: Case) -> Outputs {
    *CASE.lock().unwrap_or_else(PoisonError::into_inner) = Some(c);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let texts = runner::read_features(&[root.join("tests/fixtures/redaction")])
        .expect("fixture is readable");
    let dir = std::env::temp_dir().join(format!("pipes-harness-redaction-{}", std::process::id()));
    let out: Arc<Mutex<Outputs>> = Arc::default();
    let sink = Arc::clone(&out);
    let opts = RunOptions {
        junit: Some(dir.join("junit.xml")),
        json: Some(dir.join("cucumber.json")),
        progress: Progress::Quiet,
        after: Some(Arc::new(move |f: runner::Finished<'_>| {
            let mut o = sink.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(w) = f.world {
                o.secrets = w.stack().recorder.redactor().secrets();
            }
            if let Some(doc) = transcripts::render_finished(&f, Format::Yaml) {
                o.yaml = doc.content;
            }
            if let Some(doc) = transcripts::render_finished(&f, Format::Markdown) {
                o.markdown = doc.content;
            }
        })),
        ..RunOptions::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let summary = rt
        .block_on(runner::run(&texts, opts))
        .unwrap_or_else(|e| panic!("the run cannot start: {e}"));
    assert_eq!(summary.failed, 1, "the last step fails on purpose");
    let mut o = std::mem::take(&mut *out.lock().unwrap_or_else(PoisonError::into_inner));
    o.junit = std::fs::read_to_string(dir.join("junit.xml")).expect("JUnit report written");
    o.json = std::fs::read_to_string(dir.join("cucumber.json")).expect("JSON report written");
    let _ = std::fs::remove_dir_all(&dir);
    o
}

/// The forms a secret travels in: as is, form-encoded, percent-encoded.
fn spellings(secret: &str) -> Vec<String> {
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let percent = form.replace('+', "%20");
    vec![secret.to_string(), form, percent]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn no_secret_appears_in_yaml_markdown_junit_or_json(
        draws in 0u32..400,
        secret in "[A-Za-z0-9+/=~._-]{12,40}",
    ) {
        let o = run_case(Case { draws, secret: secret.clone() });
        let kinds: Vec<&str> = o.secrets.iter().map(|(k, _)| k.as_str()).collect();
        for kind in ["api_key", "client_secret", "code", "code_verifier", "access_token"] {
            prop_assert!(kinds.contains(&kind), "the flow registered no {kind}: {kinds:?}");
        }
        prop_assert!(o.secrets.iter().any(|(_, v)| *v == secret));
        prop_assert!(o.junit.contains("failing on purpose, quoting: "), "{}", o.junit);
        prop_assert!(o.json.contains("failing on purpose, quoting: "));
        for (name, text) in [
            ("YAML", &o.yaml),
            ("Markdown", &o.markdown),
            ("JUnit", &o.junit),
            ("JSON", &o.json),
        ] {
            prop_assert!(!text.is_empty(), "no {name} output");
            for (kind, value) in &o.secrets {
                for spelled in spellings(value) {
                    prop_assert!(
                        !text.contains(&spelled),
                        "the {kind} {spelled:?} appears in the {name} output"
                    );
                }
            }
        }
        prop_assert!(o.markdown.contains("<api_key_2>"), "the random key keeps a stable placeholder");
    }
}
