//! What a run reports to machines: each scenario's outcome, JUnit XML, and
//! GitHub Actions annotations.
//!
//! The JUnit XML is written here rather than by cucumber's JUnit writer. That
//! writer leaves out `classname` (Jenkins and GitLab group test cases by it),
//! names test cases with absolute paths, and puts only the error, not the
//! failing step, in the failure message. This one follows the attribute set of
//! Jenkins' `junit-4.xsd`, the schema the common CI tools read:
//! `testsuites` > `testsuite` (name, tests, failures, errors, skipped, time,
//! timestamp, hostname, id, package) > `testcase` (name, classname, time) >
//! `failure` (message, type, and the full text as content).
//!
//! Every text here has already been redacted: failure messages are redacted
//! with the scenario's own secrets before any writer sees them.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How one scenario ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Feature file path as given (`features/connect/github.feature`).
    pub feature_path: String,
    /// The feature's name.
    pub feature_name: String,
    /// The scenario's name; outline rows carry their line (`... line 14`).
    pub scenario: String,
    /// Line of the scenario (or of its example row).
    pub line: usize,
    /// When it started.
    pub started: SystemTime,
    /// How long it took.
    pub duration: Duration,
    /// Why it failed, if it did.
    pub failure: Option<Failure>,
}

impl Outcome {
    /// Whether the scenario passed.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

/// A scenario's failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The step that failed, when a step did (not a hook).
    pub step: Option<FailedStep>,
    /// What went wrong, redacted: the step's error, including the diagnosis.
    pub message: String,
}

/// The step a scenario failed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedStep {
    /// `Given`, `When`, `Then`, `And`, `But`.
    pub keyword: String,
    /// The step text after the keyword.
    pub text: String,
    /// Line of the step in the feature file.
    pub line: usize,
}

impl FailedStep {
    /// `Then the github call succeeds`.
    pub fn sentence(&self) -> String {
        format!("{} {}", self.keyword, self.text)
    }
}

impl Failure {
    /// One line: the failing step and where it is, the first line of the
    /// error, and the diagnosis line when the error carries one.
    pub fn headline(&self, feature_path: &str) -> String {
        let first = self.summary();
        match &self.step {
            Some(step) => format!(
                "{} ({feature_path}:{}): {first}",
                step.sentence(),
                step.line
            ),
            None => first.to_string(),
        }
    }

    /// The first line of the error, and the diagnosis line when it carries one.
    fn summary(&self) -> String {
        let mut lines = self
            .message
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty());
        let mut first = lines.next().unwrap_or("").to_string();
        let mut rest: Vec<&str> = lines.collect();
        if let Some(heading) = first.strip_suffix(':') {
            // A heading introducing a list (or the diagnosis it got): keep
            // it with what follows, so the line is a sentence rather than a
            // clause cut off at the colon.
            let item = rest
                .first()
                .map(|l| l.trim_start_matches(['-', '*', '•', ' ']).trim())
                .filter(|i| !i.is_empty());
            // A heading the item restates ("connecting failed:" over
            // "connecting github failed") adds nothing: the item alone.
            let restates = |item: &str| {
                let words: Vec<&str> = item.split_whitespace().collect();
                heading.split_whitespace().all(|w| words.contains(&w))
            };
            first = match item {
                Some(item) if restates(item) => {
                    let item = item.to_string();
                    rest.remove(0);
                    item
                }
                Some(item) => {
                    let joined = format!("{heading}: {item}");
                    rest.remove(0);
                    joined
                }
                None => heading.trim_end().to_string(),
            };
        }
        let first = first.trim_end_matches([';', ',', ' ']).to_string();
        match rest.iter().find(|l| l.starts_with("diagnosis: ")) {
            Some(d) if first.is_empty() => d.to_string(),
            Some(d) => format!("{first}; {d}"),
            None => first,
        }
    }

    /// For the recap, where the scenario's `file:line` is already shown: the
    /// failing step and its line, the first line of the error, and the
    /// diagnosis line when the error carries one.
    pub fn one_line(&self) -> String {
        let first = self.summary();
        match &self.step {
            Some(step) => format!("{} (line {}): {first}", step.sentence(), step.line),
            None => first,
        }
    }

    /// The failing step, where it is, and the whole error.
    pub fn details(&self, feature_path: &str) -> String {
        match &self.step {
            Some(step) => format!(
                "{}\n  at {feature_path}:{}\n\n{}",
                step.sentence(),
                step.line,
                self.message
            ),
            None => self.message.clone(),
        }
    }
}

/// The JUnit XML report of a run: one `testsuite` per feature file, one
/// `testcase` per scenario, in the order the run reported them.
///
/// Scenarios run concurrently, so times are not added up: the report's time
/// is the run's wall time (`wall`), a suite's is the span from its first
/// scenario's start to its last one's end, a testcase's is its own.
pub fn junit(outcomes: &[Outcome], wall: Duration) -> String {
    let mut suites: Vec<(&str, Vec<&Outcome>)> = Vec::new();
    for o in outcomes {
        match suites.iter_mut().find(|(path, _)| *path == o.feature_path) {
            Some((_, cases)) => cases.push(o),
            None => suites.push((&o.feature_path, vec![o])),
        }
    }
    let failures = outcomes.iter().filter(|o| !o.passed()).count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"pipes-harness\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" time=\"{}\">",
        outcomes.len(),
        seconds(wall)
    );
    let host = hostname();
    for (id, (path, cases)) in suites.iter().enumerate() {
        let name = cases.first().map_or("", |c| c.feature_name.as_str());
        let failed = cases.iter().filter(|c| !c.passed()).count();
        let started = cases.iter().map(|c| c.started).min().unwrap_or(UNIX_EPOCH);
        let ended = cases
            .iter()
            .map(|c| c.started + c.duration)
            .max()
            .unwrap_or(started);
        let time = ended.duration_since(started).unwrap_or(Duration::ZERO);
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\" time=\"{}\" timestamp=\"{}\" hostname=\"{}\" id=\"{id}\" package=\"{}\">",
            attr(name),
            cases.len(),
            seconds(time),
            timestamp(started),
            attr(&host),
            attr(path)
        );
        for case in cases {
            testcase(&mut xml, case);
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}

fn testcase(xml: &mut String, case: &Outcome) {
    let open = format!(
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
        attr(&case.scenario),
        attr(&case.feature_name),
        seconds(case.duration)
    );
    match &case.failure {
        None => {
            let _ = writeln!(xml, "{open}/>");
        }
        Some(f) => {
            let _ = writeln!(xml, "{open}>");
            let _ = writeln!(
                xml,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                attr(&f.headline(&case.feature_path)),
                if f.step.is_some() {
                    "StepFailed"
                } else {
                    "ScenarioFailed"
                },
                text(&f.details(&case.feature_path))
            );
            xml.push_str("    </testcase>\n");
        }
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

/// The machine's name for the `hostname` attribute the schema requires.
fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
        })
        .unwrap_or_else(|| "localhost".to_string())
}

/// `2025-01-01T00:00:00`: the xs:dateTime form `junit-4.xsd` expects, in UTC
/// (no fraction, no zone designator).
pub fn timestamp(t: SystemTime) -> String {
    let ms = t
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let iso = crate::common::clock::iso8601(ms);
    iso.split('.').next().unwrap_or(&iso).to_string()
}

/// Escapes an attribute value; newlines become character references so
/// parsers keep them instead of normalising them to spaces.
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// Escapes element content.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// XML 1.0 allows tab, newline, carriage return and most of Unicode; other
/// control characters cannot appear even escaped.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// GitHub Actions workflow commands for each failed scenario:
/// `::error file=...,line=...,title=...::message`, pointing at the failing
/// step's line so the failure shows on the pull request's diff.
pub fn github_annotations(outcomes: &[Outcome]) -> Vec<String> {
    outcomes
        .iter()
        .filter_map(|o| {
            let f = o.failure.as_ref()?;
            let line = f.step.as_ref().map_or(o.line, |s| s.line);
            Some(format!(
                "::error file={},line={line},title={}::{}",
                gh_property(&o.feature_path.replace('\\', "/")),
                gh_property(&format!("Scenario failed: {}", o.scenario)),
                gh_data(&f.details(&o.feature_path))
            ))
        })
        .collect()
}

/// Escaping of a workflow command's message.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a workflow command's property value.
fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heading_and_its_list_keep_their_first_item_in_the_one_line_summary() {
        let failure = |message: &str| Failure {
            step: None,
            message: message.to_string(),
        };
        assert_eq!(
            failure(
                "the browser went through:\n  - GET /authorize 302\n  - GET /callback 400\n\ndiagnosis: redirect_uri_mismatch\n  fix: ..."
            )
            .one_line(),
            "the browser went through: GET /authorize 302; diagnosis: redirect_uri_mismatch"
        );
        assert_eq!(
            failure("expected diagnosis redirect_uri_mismatch, got:\ndiagnosis: provider_rate_limited\n  GitHub answered 429\n  fix: back off").one_line(),
            "expected diagnosis redirect_uri_mismatch, got: diagnosis: provider_rate_limited"
        );
        assert_eq!(
            failure("the app answered 500\ndiagnosis: app_error").one_line(),
            "the app answered 500; diagnosis: app_error"
        );
        assert_eq!(
            failure(
                "connecting failed:\nconnecting github failed\ndiagnosis: redirect_uri_mismatch"
            )
            .one_line(),
            "connecting github failed; diagnosis: redirect_uri_mismatch",
            "a heading its item restates is left out"
        );
    }

    fn failed() -> Outcome {
        Outcome {
            feature_path: "features/x.feature".into(),
            feature_name: "Tokens & <things>".into(),
            scenario: "Bob's \"token\" expires".into(),
            line: 7,
            started: UNIX_EPOCH + Duration::from_secs(1_735_689_600),
            duration: Duration::from_millis(1500),
            failure: Some(Failure {
                step: Some(FailedStep {
                    keyword: "Then".into(),
                    text: "the github call succeeds".into(),
                    line: 12,
                }),
                message: "expected success, got 401\ndiagnosis: token_revoked".into(),
            }),
        }
    }

    #[test]
    fn a_failure_names_the_step_its_line_and_the_error() {
        let xml = junit(&[failed()], Duration::from_millis(1500));
        assert!(xml.contains("message=\"Then the github call succeeds (features/x.feature:12): expected success, got 401; diagnosis: token_revoked\""), "{xml}");
        assert!(xml.contains("type=\"StepFailed\">Then the github call succeeds\n  at features/x.feature:12\n\nexpected success, got 401\ndiagnosis: token_revoked</failure>"), "{xml}");
        assert!(
            xml.contains("classname=\"Tokens &amp; &lt;things&gt;\""),
            "{xml}"
        );
        assert!(
            xml.contains("name=\"Bob&apos;s &quot;token&quot; expires\""),
            "{xml}"
        );
        assert!(xml.contains("timestamp=\"2025-01-01T00:00:00\""), "{xml}");
    }

    #[test]
    fn github_annotations_point_at_the_failing_step() {
        let lines = github_annotations(&[failed()]);
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].starts_with("::error file=features/x.feature,line=12,title=Scenario failed%3A Bob's \"token\" expires::Then the github call succeeds%0A"),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00");
        assert_eq!(
            timestamp(UNIX_EPOCH + Duration::from_secs(951_827_696)),
            "2000-02-29T12:34:56"
        );
    }

    #[test]
    fn control_characters_never_reach_the_xml() {
        assert_eq!(text("a\u{1}b"), "a\u{FFFD}b");
        assert_eq!(attr("a\nb"), "a&#10;b");
    }
}
