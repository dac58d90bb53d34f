//! What CI sees of a run: the JUnit XML and cucumber JSON reports, the
//! GitHub Actions annotations, `--shard I/N`, and the exit-code contract
//! (0 passed, 1 a scenario failed, 2 bad usage or bad input).
//!
//! The sample run uses `tests/fixtures/reports/one_fails.feature`: one
//! scenario passes, one fails on purpose with a redirect URI mismatch.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};

use pipes_harness::runner::{self, FeatureText, Progress, RunOptions, Shard};
use quick_xml::events::{BytesStart, Event};

const ONE_FAILS: &str = "tests/fixtures/reports/one_fails.feature";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Cucumber silences the panic hook while it runs scenarios, process-wide,
/// so a test failing while another test's run is in flight would fail without
/// its message. Tests here take this lock for their whole body.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A fresh directory for this test's output files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "pipes-harness-reports-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir is writable");
    dir
}

/// Feature files read from disk, reported under their path relative to the package.
fn features(rel: &str) -> Vec<FeatureText> {
    runner::read_features(&[root().join(rel)])
        .expect("fixture is readable")
        .into_iter()
        .map(|mut t| {
            t.path = t
                .path
                .strip_prefix(&format!("{}/", root().display()))
                .unwrap_or(&t.path)
                .to_string();
            t
        })
        .collect()
}

fn run(texts: &[FeatureText], opts: RunOptions) -> runner::Summary {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(runner::run(texts, opts))
        .unwrap_or_else(|e| panic!("the run cannot start: {e}"))
}

/// An XML element as the checks need it: name, attributes, children, text.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn attr(&self, name: &str) -> &str {
        self.attrs.get(name).map_or_else(
            || panic!("<{}> has no {name} attribute", self.name),
            String::as_str,
        )
    }

    fn count(&self, name: &str) -> usize {
        self.children.iter().filter(|c| c.name == name).count()
    }
}

fn start(e: &BytesStart<'_>) -> Element {
    let mut el = Element {
        name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
        ..Element::default()
    };
    for a in e.attributes() {
        let a = a.expect("well-formed attribute");
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Explicit1_0)
            .expect("attribute value unescapes")
            .into_owned();
        assert!(
            el.attrs.insert(key.clone(), value).is_none(),
            "duplicate attribute {key}"
        );
    }
    el
}

/// Parses a whole document into a tree, failing on anything malformed.
fn parse(xml: &str) -> Element {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(start(&e)),
            Event::Empty(e) => {
                let el = start(&e);
                stack.last_mut().expect("open parent").children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().expect("matching start");
                stack.last_mut().expect("open parent").children.push(el);
            }
            Event::Text(t) => {
                let text = t.decode().expect("UTF-8 text");
                let text = quick_xml::escape::unescape(&text).expect("text unescapes");
                stack.last_mut().expect("open element").text.push_str(&text);
            }
            Event::GeneralRef(r) => {
                let name = r.decode().expect("UTF-8 reference");
                let text = quick_xml::escape::unescape(&format!("&{name};"))
                    .expect("known entity")
                    .into_owned();
                stack.last_mut().expect("open element").text.push_str(&text);
            }
            Event::CData(c) => {
                let text = String::from_utf8_lossy(&c).into_owned();
                stack.last_mut().expect("open element").text.push_str(&text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut doc = stack.pop().expect("document");
    assert_eq!(doc.children.len(), 1, "exactly one root element");
    doc.children.remove(0)
}

/// Asserts `el` follows Jenkins' junit-4.xsd, the schema Jenkins, GitLab and
/// the common JUnit report actions read: which attributes each element may
/// carry, which it must, and which children come in which order.
fn assert_junit_schema(root: &Element) {
    let allowed = |el: &Element, allowed: &[&str], required: &[&str]| {
        for key in el.attrs.keys() {
            assert!(
                allowed.contains(&key.as_str()),
                "<{}> may not carry {key}",
                el.name
            );
        }
        for key in required {
            assert!(
                el.attrs.contains_key(*key),
                "<{}> must carry {key}",
                el.name
            );
        }
    };
    let number = |el: &Element, key: &str| -> f64 {
        el.attr(key)
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("<{}> {key}={:?} is not a number", el.name, el.attr(key)))
    };
    assert_eq!(root.name, "testsuites");
    allowed(
        root,
        &["name", "time", "tests", "failures", "disabled", "errors"],
        &[],
    );
    assert!(root.children.iter().all(|c| c.name == "testsuite"));
    let mut all_tests = 0;
    let mut all_failures = 0;
    for suite in &root.children {
        allowed(
            suite,
            &[
                "name",
                "tests",
                "failures",
                "errors",
                "time",
                "disabled",
                "skipped",
                "timestamp",
                "hostname",
                "id",
                "package",
            ],
            &["name", "tests"],
        );
        let order = ["properties", "testcase", "system-out", "system-err"];
        let ranks: Vec<usize> = suite
            .children
            .iter()
            .map(|c| {
                order
                    .iter()
                    .position(|o| *o == c.name)
                    .unwrap_or_else(|| panic!("<testsuite> may not contain <{}>", c.name))
            })
            .collect();
        assert!(
            ranks.windows(2).all(|w| w[0] <= w[1]),
            "children out of order"
        );
        let cases: Vec<&Element> = suite
            .children
            .iter()
            .filter(|c| c.name == "testcase")
            .collect();
        let failures = cases.iter().filter(|c| c.count("failure") > 0).count();
        assert_eq!(
            number(suite, "tests") as usize,
            cases.len(),
            "tests= counts the testcases"
        );
        assert_eq!(
            number(suite, "failures") as usize,
            failures,
            "failures= counts the failed testcases"
        );
        number(suite, "time");
        let ts = suite.attr("timestamp");
        assert!(
            ts.len() == 19 && ts.as_bytes()[10] == b'T' && ts[..4].parse::<u32>().is_ok(),
            "timestamp {ts:?} is not an xs:dateTime like 2025-01-01T00:00:00"
        );
        for case in cases {
            allowed(
                case,
                &["name", "assertions", "time", "classname", "status"],
                &["name"],
            );
            assert!(
                case.attrs.contains_key("classname"),
                "CI tools group testcases by classname"
            );
            number(case, "time");
            let order = ["skipped", "error", "failure", "system-out", "system-err"];
            let ranks: Vec<usize> = case
                .children
                .iter()
                .map(|c| {
                    order
                        .iter()
                        .position(|o| *o == c.name)
                        .unwrap_or_else(|| panic!("<testcase> may not contain <{}>", c.name))
                })
                .collect();
            assert!(
                ranks.windows(2).all(|w| w[0] <= w[1]),
                "children out of order"
            );
            for f in case.children.iter().filter(|c| c.name == "failure") {
                allowed(f, &["type", "message"], &["message", "type"]);
            }
        }
        all_tests += number(suite, "tests") as usize;
        all_failures += number(suite, "failures") as usize;
    }
    assert_eq!(number(root, "tests") as usize, all_tests);
    assert_eq!(number(root, "failures") as usize, all_failures);
}

#[test]
fn a_run_with_one_failing_scenario_writes_junit_that_ci_tools_accept() {
    let _serial = serial();
    let dir = scratch("junit");
    let junit = dir.join("nested/junit.xml");
    let summary = run(
        &features(ONE_FAILS),
        RunOptions {
            junit: Some(junit.clone()),
            progress: Progress::Quiet,
            ..RunOptions::default()
        },
    );
    assert_eq!((summary.passed, summary.failed), (1, 1));
    let xml = std::fs::read_to_string(&junit).expect("the JUnit report was written");
    let doc = parse(&xml);
    assert_junit_schema(&doc);

    let suite = &doc.children[0];
    assert_eq!(suite.attr("name"), "A report with one failing scenario");
    assert_eq!(suite.attr("package"), ONE_FAILS);
    let cases: Vec<&Element> = suite.children.iter().collect();
    assert_eq!(cases.len(), 2, "one testcase per scenario");
    assert_eq!(cases[0].attr("name"), "Alice connects GitHub");
    assert!(
        cases[0].children.is_empty(),
        "the passing scenario has no failure"
    );
    let failure = &cases[1].children[0];
    assert_eq!(failure.name, "failure");
    let message = failure.attr("message");
    assert!(
        message.starts_with(&format!(
            "Then alice's github connection is connected ({ONE_FAILS}:17)"
        )),
        "the message names the failing step and its line: {message}"
    );
    assert!(
        message.contains("diagnosis: redirect_uri_mismatch"),
        "{message}"
    );
    assert!(
        failure.text.contains("root cause:"),
        "the body carries the whole diagnosis"
    );
    assert!(failure.text.contains("fix:"), "{}", failure.text);
    assert_valid_against_junit_xsds(&junit);
}

/// Validates a JUnit file with `xmllint` (Debian's libxml2-utils; `.ci/run`
/// installs it) against both schemas vendored in `tests/fixtures/junit/`:
/// Jenkins' `junit-4.xsd` and the `junit-10.xsd` pytest ships. Without
/// xmllint this says so and checks nothing more, except on CI, where it fails.
fn assert_valid_against_junit_xsds(file: &Path) {
    for schema in ["junit-4.xsd", "junit-10.xsd"] {
        let xsd = root().join("tests/fixtures/junit").join(schema);
        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd)
            .arg(file)
            .output();
        match out {
            Ok(out) => assert!(
                out.status.success(),
                "{} does not validate against {schema}:\n{}",
                file.display(),
                text(&out.stderr)
            ),
            Err(e) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "xmllint is needed on CI to validate the JUnit report: {e}"
                );
                eprintln!("xmllint not found ({e}): {schema} validation not run here");
            }
        }
    }
}

#[test]
fn junit_times_are_wall_time_for_suites_and_own_time_for_testcases() {
    let _serial = serial();
    let dir = scratch("junit-times");
    let junit = dir.join("junit.xml");
    let summary = run(
        &[features(ONE_FAILS), features(FAILS_MIDWAY)].concat(),
        RunOptions {
            junit: Some(junit.clone()),
            progress: Progress::Quiet,
            ..RunOptions::default()
        },
    );
    let xml = std::fs::read_to_string(&junit).expect("the JUnit report was written");
    let doc = parse(&xml);
    assert_junit_schema(&doc);
    assert_valid_against_junit_xsds(&junit);
    let secs = |el: &Element| el.attr("time").parse::<f64>().expect("a number");
    // Scenarios run concurrently: no time is the sum of the ones inside it.
    assert_eq!(
        doc.attr("time"),
        format!("{:.3}", summary.wall.as_secs_f64()),
        "the report's time is the run's wall time"
    );
    for suite in &doc.children {
        assert!(secs(suite) <= secs(&doc) + 0.001);
        for case in &suite.children {
            assert!(secs(case) <= secs(suite) + 0.001);
        }
    }
    for o in &summary.outcomes {
        let case = doc
            .children
            .iter()
            .flat_map(|s| s.children.iter())
            .find(|c| c.attr("name") == o.scenario)
            .expect("a testcase per scenario");
        assert_eq!(
            case.attr("time"),
            format!("{:.3}", o.duration.as_secs_f64())
        );
    }
}

#[test]
fn the_cucumber_json_report_marks_the_failing_step_with_its_diagnosis() {
    let _serial = serial();
    let dir = scratch("json");
    let json = dir.join("cucumber.json");
    run(
        &features(ONE_FAILS),
        RunOptions {
            json: Some(json.clone()),
            progress: Progress::Quiet,
            ..RunOptions::default()
        },
    );
    let text = std::fs::read_to_string(&json).expect("the JSON report was written");
    let report: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let feature = &report[0];
    assert_eq!(feature["uri"], ONE_FAILS);
    let elements = feature["elements"].as_array().expect("scenarios");
    assert_eq!(elements.len(), 2);
    let failed: Vec<&serde_json::Value> = elements
        .iter()
        .flat_map(|e| e["steps"].as_array().into_iter().flatten())
        .filter(|s| s["result"]["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "exactly one failing step");
    assert_eq!(failed[0]["line"], 17);
    let error = failed[0]["result"]["error_message"].as_str().unwrap_or("");
    assert!(
        error.contains("diagnosis: redirect_uri_mismatch"),
        "{error}"
    );
    assert_no_internals("the cucumber JSON", &text);

    // What report tools read: the feature's id, line and description; tags
    // inherited from the feature; the transcript attached to the scenario.
    assert_eq!(feature["id"], "a-report-with-one-failing-scenario");
    assert_eq!(feature["line"], 2);
    assert!(
        feature["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("Used by the report tests")),
        "{}",
        feature["description"]
    );
    for el in elements {
        assert_eq!(
            el["tags"][0]["name"], "@github",
            "inherited from the feature"
        );
        let embedding = &el["after"][0]["embeddings"][0];
        assert_eq!(embedding["mime_type"], "text/plain");
        let data = embedding["data"].as_str().unwrap_or_default();
        let transcript = base64_decode(data);
        assert!(
            transcript.contains(&format!("feature: {ONE_FAILS}")),
            "the scenario's transcript: {transcript}"
        );
    }
}

fn base64_decode(data: &str) -> String {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .expect("base64");
    String::from_utf8(bytes).expect("UTF-8")
}

#[test]
fn cucumber_json_names_backgrounds_and_lists_skipped_steps() {
    let _serial = serial();
    let dir = scratch("json-background");
    let json = dir.join("cucumber.json");
    run(
        &features(FAILS_MIDWAY),
        RunOptions {
            json: Some(json.clone()),
            progress: Progress::Quiet,
            ..RunOptions::default()
        },
    );
    let text = std::fs::read_to_string(&json).expect("the JSON report was written");
    let report: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let elements = report[0]["elements"].as_array().expect("elements");
    let background = &elements[0];
    assert_eq!(background["type"], "background");
    assert_eq!(background["keyword"], "Background");
    assert_eq!(background["name"], "", "not the scenario's name");
    assert_eq!(background["line"], 5);
    let scenario = &elements[1];
    assert_eq!(
        scenario["name"],
        "The connection is expected to fail but works"
    );
    let statuses: Vec<&str> = scenario["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["result"]["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(statuses, ["passed", "passed", "failed", "skipped"]);
    assert_no_internals("the cucumber JSON", &text);
}

#[test]
fn four_shards_together_run_every_scenario_exactly_once() {
    let _serial = serial();
    let texts = features("features");
    let all = runner::selected(&texts, &RunOptions::default()).expect("the library parses");
    assert!(!all.is_empty());
    let mut ran: Vec<(String, usize)> = Vec::new();
    for i in 1..=4 {
        let summary = run(
            &texts,
            RunOptions {
                shard: Shard::new(i, 4),
                progress: Progress::Quiet,
                ..RunOptions::default()
            },
        );
        ran.extend(
            summary
                .outcomes
                .iter()
                .map(|o| (o.feature_path.clone(), o.line)),
        );
    }
    ran.sort();
    let mut expected: Vec<(String, usize)> = all
        .iter()
        .map(|s| (s.feature_path.clone(), s.line))
        .collect();
    expected.sort();
    assert_eq!(
        ran, expected,
        "the union of the shards is the full set, each scenario once"
    );
}

/// The variables `run` reads as defaults for its options, which CI sets for
/// the whole `cargo test` (`.ci/run`): the runs here start without them.
const RUN_VARIABLES: &[&str] = &[
    "PIPES_HARNESS_TAGS",
    "PIPES_HARNESS_FAIL_FAST",
    "PIPES_HARNESS_JUNIT",
    "PIPES_HARNESS_JSON",
    "PIPES_HARNESS_SHARD",
];

fn binary(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pipes-harness"));
    cmd.current_dir(root())
        .args(args)
        .env_remove("GITHUB_ACTIONS");
    for k in RUN_VARIABLES {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn exit_code_is_0_when_every_selected_scenario_passes() {
    let _serial = serial();
    let out = binary(&["run", &format!("{ONE_FAILS}:6")], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("1 scenario: 1 passed, 0 failed"));
}

#[test]
fn exit_code_is_1_when_a_scenario_fails() {
    let _serial = serial();
    let out = binary(&["run", ONE_FAILS], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("2 scenarios: 1 passed, 1 failed"));
}

const FAILS_MIDWAY: &str = "tests/fixtures/reports/fails_midway.feature";

/// Wording of the harness's own internals that must never reach a user.
fn assert_no_internals(what: &str, s: &str) {
    for internal in [
        "src/steps/",
        "src/client/",
        "src/mock/",
        "src/runner/",
        ".rs:",
        "Step panicked",
        "Captured output",
        "Matched:",
        "Defined:",
    ] {
        assert!(!s.contains(internal), "{what} shows {internal:?}:\n{s}");
    }
}

#[test]
fn a_failed_run_ends_with_a_recap_naming_the_scenario_its_diagnosis_and_the_rerun_command() {
    let _serial = serial();
    let out = binary(&["run", ONE_FAILS], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let tail: Vec<&str> = stdout.lines().rev().take(8).collect();
    let tail = tail.into_iter().rev().collect::<Vec<_>>().join("\n");
    assert!(
        tail.contains(&format!("{ONE_FAILS}:12  The callback URL is wrong")),
        "{tail}"
    );
    assert!(
        tail.contains("Then alice's github connection is connected (line 17): connecting github failed; diagnosis: redirect_uri_mismatch (Redirect URI mismatch)"),
        "the diagnosis in one line:\n{tail}"
    );
    assert!(
        tail.contains(&format!("pipes-harness transcript {ONE_FAILS}:12")),
        "{tail}"
    );
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(
            "2 scenarios: 1 passed, 1 failed; 9 steps: 8 passed, 1 failed, 0 skipped; "
        ) && last.ends_with(" s"),
        "totals and the wall time last: {last}"
    );
    assert_no_internals("stdout", &stdout);
    assert_no_internals("stderr", &text(&out.stderr));
}

#[test]
fn steps_after_a_failed_step_are_shown_and_counted_as_skipped() {
    let _serial = serial();
    let out = binary(&["run", FAILS_MIDWAY], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("-  And bo's github connection is connected (skipped)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("5 steps: 3 passed, 1 failed, 1 skipped;"),
        "{stdout}"
    );
    assert_no_internals("stdout", &stdout);
}

#[test]
fn quiet_mode_prints_only_the_failed_scenarios_and_the_recap() {
    let _serial = serial();
    let out = binary(&["run", "--quiet", ONE_FAILS], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        !stdout.contains("Scenario: Alice connects GitHub"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("Scenario: The callback URL is wrong but the scenario expects a connection"),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 scenarios: 1 passed, 1 failed"),
        "{stdout}"
    );
    assert!(
        !stdout.contains('\r'),
        "no progress line without a terminal"
    );
}

#[test]
fn colour_only_on_a_terminal_or_when_asked_and_never_with_no_color() {
    let _serial = serial();
    let plain = binary(&["run", ONE_FAILS], &[]);
    assert!(
        !text(&plain.stdout).contains('\x1b'),
        "not a terminal: no colour"
    );
    let always = binary(&["run", "--color", "always", ONE_FAILS], &[]);
    let coloured = text(&always.stdout);
    assert!(
        coloured.contains("\x1b[1m\x1b[31mScenario: The callback URL is wrong"),
        "a failed scenario's header is red:\n{coloured}"
    );
    let no_color = binary(&["run", "--color", "auto", ONE_FAILS], &[("NO_COLOR", "1")]);
    assert!(!text(&no_color.stdout).contains('\x1b'));
    let bad = binary(&["run", "--color", "sometimes", ONE_FAILS], &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("auto, always or never"),
        "{}",
        text(&bad.stderr)
    );
}

/// A reader that stops after the first byte, like `| head -1`: the run ends
/// with the documented status instead of running on or panicking.
fn closing_the_pipe_ends(args: &[&str]) {
    let (code, stderr) = close_the_pipe_early(args);
    assert_eq!(code, Some(141), "{args:?}: {stderr}");
}

/// Runs the binary, reads one byte of its output and closes the pipe; the
/// exit code and stderr once it ends.
fn close_the_pipe_early(args: &[&str]) -> (Option<i32>, String) {
    use std::io::Read as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_pipes-harness"))
        .current_dir(root())
        .args(args)
        .envs(RUN_VARIABLES.iter().map(|k| (*k, "")))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).expect("some output comes");
    drop(stdout);
    // Only a guard against a hang, never a measure: minutes on a loaded machine.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("{args:?} kept running after its output closed");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    (status.code(), stderr)
}

#[test]
fn a_closed_output_pipe_still_leaves_the_reports_asked_for() {
    let _serial = serial();
    let dir = scratch("closed-pipe-reports");
    let junit = dir.join("junit.xml");
    let json = dir.join("cucumber.json");
    let (code, stderr) = close_the_pipe_early(&[
        "run",
        ONE_FAILS,
        "--junit",
        junit.to_str().expect("utf-8 path"),
        "--json",
        json.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code, Some(1), "the run's own verdict: {stderr}");
    let xml = std::fs::read_to_string(&junit).expect("the JUnit report was written");
    assert!(xml.contains("failures=\"1\""), "{xml}");
    assert_valid_against_junit_xsds(&junit);
    let report = std::fs::read_to_string(&json).expect("the JSON report was written");
    assert!(report.contains("The callback URL is wrong"), "{report}");
}

#[test]
fn a_closed_output_pipe_ends_the_run_quietly_with_status_141() {
    let _serial = serial();
    // Outputs larger than a pipe's buffer (64 KiB), so the process cannot
    // finish writing before the reader goes: whatever the timing, it meets
    // the closed pipe. A smaller output may all fit and end with the verdict.
    closing_the_pipe_ends(&["run"]);
    closing_the_pipe_ends(&["transcript", "features/recovery"]);
}

#[test]
fn exit_code_is_2_for_an_undefined_step_which_is_named_with_its_line() {
    let _serial = serial();
    let out = binary(
        &["run", "tests/fixtures/reports/undefined_step.feature"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("tests/fixtures/reports/undefined_step.feature:6: When alice juggles seven flaming torches\n      undefined step"),
        "{err}"
    );
    assert!(!text(&out.stdout).contains("Scenario"), "nothing ran");
}

#[test]
fn exit_code_is_2_for_bad_input_and_bad_usage() {
    let _serial = serial();
    for args in [
        vec!["run", "tests/fixtures/reports/malformed.feature"],
        vec!["run", "tests/fixtures/reports/no-such.feature"],
        vec!["run", ONE_FAILS, "--tags", "@github and and"],
        vec!["run", ONE_FAILS, "--shard", "5/4"],
        vec!["run", ONE_FAILS, "--name", "no scenario is called this"],
        vec!["transcript", ONE_FAILS, "--format", "html"],
    ] {
        let out = binary(&args, &[]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).is_empty(), "{args:?} says why");
    }
}

#[test]
fn github_actions_get_an_annotation_at_the_failing_step() {
    let _serial = serial();
    let out = binary(&["run", ONE_FAILS], &[("GITHUB_ACTIONS", "true")]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let annotations: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(annotations.len(), 1, "{stdout}");
    assert!(
        annotations[0].starts_with(&format!(
            "::error file={ONE_FAILS},line=17,title=Scenario failed%3A "
        )),
        "{}",
        annotations[0]
    );
    assert!(annotations[0].contains("diagnosis: redirect_uri_mismatch"));

    let quiet = binary(&["run", ONE_FAILS], &[]);
    assert!(
        !text(&quiet.stdout).contains("::error "),
        "no annotations outside GitHub Actions"
    );
}

#[test]
fn a_name_filter_ignores_case() {
    let _serial = serial();
    let picked = runner::selected(
        &features(ONE_FAILS),
        &RunOptions {
            names: vec!["the CALLBACK url".into()],
            ..RunOptions::default()
        },
    )
    .expect("valid");
    let names: Vec<&str> = picked.iter().map(|s| s.scenario.as_str()).collect();
    assert_eq!(
        names,
        vec!["The callback URL is wrong but the scenario expects a connection"]
    );
    let out = binary(&["run", ONE_FAILS, "--name", "ALICE CONNECTS github"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 scenario: 1 passed, 0 failed"));
}

#[test]
fn run_takes_its_options_from_the_variables_the_test_runner_reads() {
    let _serial = serial();
    let dir = scratch("variables");
    let junit = dir.join("junit.xml");
    let junit_var = junit.display().to_string();
    let out = binary(
        &["run", ONE_FAILS],
        &[
            ("PIPES_HARNESS_JUNIT", junit_var.as_str()),
            ("PIPES_HARNESS_FAIL_FAST", "1"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(junit.exists(), "PIPES_HARNESS_JUNIT writes the report");

    let out = binary(&["run", ONE_FAILS], &[("PIPES_HARNESS_TAGS", "@slack")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = binary(
        &["run", ONE_FAILS, "--tags", "@github"],
        &[("PIPES_HARNESS_TAGS", "@slack")],
    );
    assert_eq!(out.status.code(), Some(1), "a flag wins over its variable");

    let out = binary(&["run", ONE_FAILS], &[("PIPES_HARNESS_SHARD", "3/2")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("expected I/N"),
        "{}",
        text(&out.stderr)
    );

    let empty: Vec<(&str, &str)> = RUN_VARIABLES.iter().map(|k| (*k, "")).collect();
    let out = binary(&["run", &format!("{ONE_FAILS}:6")], &empty);
    assert_eq!(
        out.status.code(),
        Some(0),
        "variables set to nothing change nothing: {}",
        text(&out.stderr)
    );
}

#[test]
fn a_line_no_scenario_covers_is_refused_with_the_lines_that_start_scenarios() {
    let _serial = serial();
    let out = binary(&["run", &format!("{ONE_FAILS}:999")], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "{ONE_FAILS}:999: the file has 17 lines, so there is no line 999; its scenarios start at lines 6, 12"
        )),
        "{err}"
    );
    let out = binary(&["run", &format!("{ONE_FAILS}:3")], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("no scenario covers line 3"), "{err}");
    assert!(err.contains("start at lines 6, 12"), "{err}");
}

#[test]
fn a_missing_feature_file_is_named_in_words_without_the_os_error() {
    let _serial = serial();
    let out = binary(&["run", "tests/fixtures/reports/no-such.feature"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).trim(),
        "error: cannot read tests/fixtures/reports/no-such.feature: no such file or directory"
    );
}
