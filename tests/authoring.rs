//! What someone writing their own scenarios runs into: a step under the
//! wrong keyword, a misspelt step, provider, diagnosis or fault parameter,
//! a custom provider's table with a value it does not take, broken Gherkin. Each is one exit-2 message naming `file:line` and the
//! likely intended word, before anything runs. `file:LINE` selects a
//! Scenario Outline by any line of it, and `--fail-fast` stops at the
//! first failing scenario.

use std::path::PathBuf;
use std::process::Command;

use pipes_harness::runner::{self, FeatureText, Progress, RunOptions};

const BIN: &str = env!("CARGO_BIN_EXE_pipes-harness");

fn feature(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pipes-authoring-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let path = dir.join(format!("{name}.feature"));
    std::fs::write(&path, text).expect("write the feature");
    path
}

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .arg("run")
        .args(args)
        // CI sets these for the whole `cargo test`; `run` would read them.
        .env_remove("PIPES_HARNESS_TAGS")
        .env_remove("PIPES_HARNESS_FAIL_FAST")
        .env_remove("PIPES_HARNESS_JUNIT")
        .env_remove("PIPES_HARNESS_JSON")
        .env_remove("PIPES_HARNESS_SHARD")
        .output()
        .expect("pipes-harness runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_given_step_after_a_when_is_an_exit_2_that_says_it_is_a_given_step() {
    let path = feature(
        "keyword",
        "Feature: F\n  Scenario: S\n    Given the github integration is configured\n    When alice connects github\n    And alice signs in to github as \"alice-codes\"\n",
    );
    let (code, out) = run(&[path.to_str().expect("utf-8 path")]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("keyword.feature:5: And alice signs in to github as \"alice-codes\"\n"),
        "{out}"
    );
    assert!(out.contains("this step exists as a Given step"), "{out}");
}

#[test]
fn misspelt_words_are_exit_2_with_the_likely_intended_word() {
    let path = feature(
        "typos",
        "Feature: F\n  Scenario: S\n    Given the github integration is configured\n    And gihtub suffers the fault \"rate_limit\"\n    And github suffers the fault \"rate_limit retry_afer=5\"\n    When alice connects github\n    Then the diagnosis is redirect_uri_mismach\n    And alice's github connection is conected\n    And the github integraton is configured\n",
    );
    let (code, out) = run(&[path.to_str().expect("utf-8 path")]);
    assert_eq!(code, 2, "{out}");
    for wanted in [
        "typos.feature:4: And gihtub suffers the fault \"rate_limit\"\n      unknown provider `gihtub` (did you mean `github`?)",
        "typos.feature:5: And github suffers the fault \"rate_limit retry_afer=5\"\n      fault rate_limit has no parameter `retry_afer` (did you mean `retry_after`?)",
        "typos.feature:7: Then the diagnosis is redirect_uri_mismach\n      unknown diagnosis `redirect_uri_mismach` (did you mean `redirect_uri_mismatch`?)",
        "typos.feature:8: And alice's github connection is conected\n      unknown connection state `conected` (did you mean `connected`?)",
        "typos.feature:9: And the github integraton is configured\n      undefined step; did you mean `Given the {provider} integration is configured`",
    ] {
        assert!(out.contains(wanted), "missing {wanted:?} in:\n{out}");
    }
    assert!(!out.contains("can not be parsed"), "{out}");
}

#[test]
fn a_bad_custom_provider_table_is_exit_2_naming_the_accepted_values() {
    let path = feature(
        "custom_tables",
        "Feature: F\n  Scenario: S\n    Given the custom provider \"acme\" behaves as:\n      | token_request_body | XML |\n    And the custom provider \"acme\" behaves as:\n      | access_token_lifetime | ten minutes |\n    And the custom provider \"acme\" is defined with:\n      | authenticate_via | mtls |\n    When alice connects the custom provider \"acme\"\n",
    );
    let (code, out) = run(&[path.to_str().expect("utf-8 path")]);
    assert_eq!(code, 2, "{out}");
    for wanted in [
        "custom_tables.feature:3: Given the custom provider \"acme\" behaves as:\n      `XML` is not a value of the provider's token_request_body: expected form, JSON, or form or JSON",
        "custom_tables.feature:5: And the custom provider \"acme\" behaves as:\n      `ten minutes` is not a value of the provider's access_token_lifetime: expected a duration such as 1 hour",
        "custom_tables.feature:7: And the custom provider \"acme\" is defined with:\n      `mtls` is not a value of authenticate_via: expected request_body or basic_auth_header",
    ] {
        assert!(out.contains(wanted), "missing {wanted:?} in:\n{out}");
    }
}

#[test]
fn broken_gherkin_reads_like_a_sentence_with_its_line() {
    let path = feature(
        "gherkin",
        "Feature: F\n  Scenario: S\n    Given the github integration is configured\n    Whne alice connects github\n",
    );
    let (code, out) = run(&[path.to_str().expect("utf-8 path")]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("line 4, column"), "{out}");
    assert!(!out.contains("Error at"), "{out}");
}

fn outline_texts() -> Vec<FeatureText> {
    vec![FeatureText {
        path: "features/outline.feature".into(),
        text: "Feature: F\n\n  Scenario Outline: <p> is configured\n    Given the <p> integration is configured\n    Then no failure was diagnosed\n\n    Examples:\n      | p      |\n      | github |\n      | slack  |\n"
            .into(),
    }]
}

fn selected_lines(line: usize) -> Vec<usize> {
    let opts = RunOptions {
        lines: vec![("features/outline.feature".into(), line)],
        ..RunOptions::default()
    };
    runner::selected(&outline_texts(), &opts)
        .expect("valid input")
        .into_iter()
        .map(|s| s.line)
        .collect()
}

#[test]
fn file_line_selects_an_outline_by_its_outline_line_a_step_line_or_one_row() {
    assert_eq!(selected_lines(3), vec![9, 10], "the Scenario Outline: line");
    assert_eq!(selected_lines(5), vec![9, 10], "a step line");
    assert_eq!(selected_lines(10), vec![10], "one Examples row");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_fast_stops_at_the_first_failing_scenario() {
    let mut text = String::from("Feature: F\n");
    for i in 0..6 {
        text.push_str(&format!(
            "  Scenario: failing {i}\n    Given the github integration is configured\n    Then the diagnosis is redirect_uri_mismatch\n"
        ));
    }
    let texts = vec![FeatureText {
        path: "features/fail_fast.feature".into(),
        text,
    }];
    let summary = runner::run(
        &texts,
        RunOptions {
            fail_fast: true,
            progress: Progress::Quiet,
            ..RunOptions::default()
        },
    )
    .await
    .expect("the input is valid");
    assert_eq!(summary.failed, 1, "{summary:?}");
    assert_eq!(summary.scenarios, 1, "{summary:?}");
}
