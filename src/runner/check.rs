//! The checks a feature file gets before anything runs, so a mistake in it
//! is one clear exit-2 message naming `file:line` and the likely intended
//! word, never a scenario that fails halfway with a parser's complaint.
//!
//! Step text is matched against the documented vocabulary
//! ([`crate::steps::vocabulary`]) with every parameter loosened to "any
//! word" or "any quoted text". That finds the step the author meant even
//! when a value is wrong, so the message can say what is wrong with the
//! value: an unknown provider, diagnosis, connection state, rejection
//! reason, event, HTTP method, duration or fault parameter, and the
//! custom-provider slug and table (each field and value of a definition or
//! a behaviour, read as running the step reads them). A step written
//! under the wrong keyword (a `Given` step after a `When`, where `And`
//! reads as `When`) is named as such. Anything else gets the closest
//! documented step as a suggestion.

use std::sync::LazyLock;

use cucumber::gherkin::{self, StepType};
use regex::Regex;

use crate::client::DiagnosisKind;
use crate::common::suggest;
use crate::provider::ProviderKind;
use crate::providers::engine::faults::{Fault, MAX_RETRY_AFTER_SECS};
use crate::steps::params::Span;
use crate::steps::vocabulary::{self, StepDoc};

/// A documented step with its parameters loosened.
struct Loose {
    doc: StepDoc,
    regex: Regex,
    params: Vec<&'static str>,
}

static LOOSE: LazyLock<Vec<Loose>> = LazyLock::new(|| {
    vocabulary::all()
        .into_iter()
        .filter_map(|doc| {
            let (regex, params) = loosen(doc.expression)?;
            Some(Loose { doc, regex, params })
        })
        .collect()
});

/// `{provider} rate-limits the next {int} calls` as a regex where every
/// parameter takes any value of its shape.
fn loosen(expression: &'static str) -> Option<(Regex, Vec<&'static str>)> {
    let mut pattern = String::from("^");
    let mut params = Vec::new();
    let mut rest = expression;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}')?;
        pattern.push_str(&regex::escape(&rest[..open]));
        let name = &rest[open..=close];
        pattern.push_str(match name {
            "{string}" | "{scopes}" => r#"("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"#,
            "{int}" => r"(\S+)",
            "{duration}" | "{verification}" | "{delivery}" => r"(.+?)",
            _ => r"(\S+?)",
        });
        params.push(name);
        rest = &rest[close + 1..];
    }
    pattern.push_str(&regex::escape(rest));
    pattern.push('$');
    Regex::new(&pattern).ok().map(|r| (r, params))
}

fn keyword(ty: StepType) -> &'static str {
    match ty {
        StepType::Given => "Given",
        StepType::When => "When",
        StepType::Then => "Then",
    }
}

const STATES: &[&str] = &["connected", "needs_reauthorization", "disconnected"];
const REASONS: &[&str] = &[
    "missing_header",
    "malformed_header",
    "timestamp_too_old",
    "timestamp_in_future",
    "signature_mismatch",
];
const DELIVERY_STATES: &[&str] = &["pending", "delivered", "failed"];
const ENVIRONMENTS: &[&str] = &["sandbox", "production"];
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

fn unknown(what: &str, value: &str, known: &[&str]) -> String {
    format!(
        "unknown {what} `{value}`{}: expected one of {}",
        suggest::did_you_mean(value, known.iter().copied()),
        known.join(", ")
    )
}

/// What is wrong with the values of a step that matches `loose`, if anything.
fn bad_value(loose: &Loose, text: &str) -> Option<String> {
    let caps = loose.regex.captures(text)?;
    let expr = loose.doc.expression;
    let mut provider = None;
    let mut values = Vec::new();
    for (i, name) in loose.params.iter().enumerate() {
        let value = caps.get(i + 1).map_or("", |m| m.as_str());
        let unquoted = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        if *name != "{provider}" {
            values.push(unquoted);
        }
        // The text right before the parameter says what a plain word means.
        let nth_before = {
            let mut at = 0;
            let mut seen = 0;
            let mut prefix = "";
            while let Some(pos) = expr[at..].find('{') {
                if seen == i {
                    prefix = expr[..at + pos].trim_end();
                    break;
                }
                seen += 1;
                at += pos + 1;
            }
            prefix
        };
        let state_word = nth_before.ends_with("connection is")
            || (nth_before.ends_with(" is") && expr.starts_with("the shared "))
            || nth_before.ends_with("connection to the custom provider {string} is")
            || (nth_before.ends_with(" as") && expr.starts_with("the providers list"));
        let method_word = ["the app calls", "the app sends", "answers"]
            .iter()
            .any(|w| nth_before.ends_with(w))
            && expr[nth_before.len()..]
                .trim_start()
                .starts_with("{word} {string}");
        let event_text = nth_before.ends_with("delivery of the")
            || nth_before.ends_with("received a")
            || nth_before.ends_with("received no")
            || nth_before.ends_with("verifies the")
            || nth_before.ends_with("deliver the");
        let problem = match *name {
            "{provider}" => match value.parse::<ProviderKind>() {
                Ok(k) => {
                    provider = Some(k);
                    None
                }
                Err(_) => {
                    let known: Vec<&str> = ProviderKind::ALL.iter().map(|k| k.slug()).collect();
                    Some(unknown("provider", value, &known))
                }
            },
            "{diagnosis}" => value.parse::<DiagnosisKind>().is_err().then(|| {
                let known: Vec<&str> = DiagnosisKind::ALL.iter().map(|k| k.name()).collect();
                format!(
                    "unknown diagnosis `{value}`{}: the catalogue (README, \"Diagnoses\") lists every kind",
                    suggest::did_you_mean(value, known.iter().copied())
                )
            }),
            "{duration}" => value.parse::<Span>().err(),
            "{int}" => match value.parse::<u64>() {
                Err(_) => Some(format!("`{value}` is not a whole number")),
                Ok(n) if nth_before.ends_with("Retry-After") && n > MAX_RETRY_AFTER_SECS => {
                    Some(format!(
                        "Retry-After {n} is more than the limit of {MAX_RETRY_AFTER_SECS} seconds (one day)"
                    ))
                }
                Ok(_) => None,
            },
            "{word}" if state_word => (!STATES.contains(&value))
                .then(|| unknown("connection state", value, STATES)),
            "{word}" if expr.starts_with("the delivery of the") => {
                (!DELIVERY_STATES.contains(&value))
                    .then(|| unknown("delivery state", value, DELIVERY_STATES))
            }
            "{word}" if nth_before.ends_with("rejected as") => (!REASONS.contains(&value))
                .then(|| unknown("rejection reason", value, REASONS)),
            "{word}" if expr.contains("{word} API key") => (!ENVIRONMENTS.contains(&value))
                .then(|| unknown("environment", value, ENVIRONMENTS)),
            "{word}" if method_word => {
                (!METHODS.contains(&value)).then(|| unknown("HTTP method", value, METHODS))
            }
            "{string}" if event_text => {
                let events = crate::steps::webhooks::PIPES_EVENTS;
                (!events.contains(&unquoted)).then(|| unknown("event", unquoted, events))
            }
            "{string}" if nth_before.ends_with("suffers the fault") => {
                unquoted.parse::<Fault>().err().map(|e| e.to_string())
            }
            "{string}" if nth_before.ends_with("the custom provider") => {
                crate::steps::custom_providers::slug_problem(unquoted)
            }
            _ => None,
        };
        if problem.is_some() {
            return problem;
        }
    }
    // Every fault the step would apply, checked as applying it would check it.
    provider.and_then(|kind| crate::steps::providers::fault_problem(expr, kind, &values))
}

/// What is wrong with `step`, read as the documented step `loose`: the
/// values in its text, then the table under it (a custom provider's fields,
/// read as running the step reads them).
fn problem_of(loose: &Loose, step: &gherkin::Step) -> Option<String> {
    bad_value(loose, &step.value)
        .or_else(|| crate::steps::custom_providers::table_problem(loose.doc.expression, step))
}

/// The problem with `step`, or `None` when it can run. `defined` says
/// whether a step definition matched it under its keyword.
pub(crate) fn step_problem(step: &gherkin::Step, defined: bool) -> Option<String> {
    let text = step.value.as_str();
    let here = keyword(step.ty);
    let matching: Vec<&Loose> = LOOSE.iter().filter(|l| l.regex.is_match(text)).collect();
    let same_keyword = matching.iter().find(|l| l.doc.keyword == here);
    if defined {
        return same_keyword.and_then(|l| problem_of(l, step));
    }
    if let Some(l) = same_keyword
        && let Some(problem) = problem_of(l, step)
    {
        return Some(problem);
    }
    if let Some(l) = matching.first() {
        if let Some(problem) = problem_of(l, step) {
            return Some(problem);
        }
        let written = step.keyword.trim();
        let read_as = if written == here {
            String::new()
        } else {
            format!(" (`{written}` continues the steps before it, so it reads as {here})")
        };
        return Some(format!(
            "this step exists as a {kw} step, not a {here} step{read_as}: write it as `{kw} {text}`, or move it up among the {kw} steps",
            kw = l.doc.keyword
        ));
    }
    let wanted = format!("{here} {text}").to_lowercase();
    let best = vocabulary::all()
        .into_iter()
        .map(|d| {
            let example = format!("{} {}", d.keyword, d.example);
            let score = strsim::normalized_levenshtein(&wanted, &example.to_lowercase());
            (score, d, example)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    Some(match best {
        Some((score, d, example)) if score >= 0.6 => format!(
            "undefined step; did you mean `{} {}` (e.g. `{example}`)?",
            d.keyword, d.expression
        ),
        _ => "undefined step".to_string(),
    })
}

/// A Gherkin parser error in words: `line 4, column 22: "Whne" is not a
/// Gherkin keyword ...` instead of the parser's `Error at 4:22: {...}`.
pub(crate) fn gherkin_error(message: &str) -> String {
    static AT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?s)^.*?(\d+):(\d+)\s*:?\s*(.*)$").unwrap_or_else(|_| unreachable!())
    });
    let Some(c) = AT.captures(message) else {
        return message.to_string();
    };
    let (line, col, rest) = (&c[1], &c[2], c[3].trim());
    let rest = rest
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_matches('"');
    let what = if rest.contains("unknown keyword") || rest.contains("expected") {
        "this line does not start with a Gherkin keyword where one is expected \
         (Feature, Background, Rule, Scenario, Scenario Outline, Examples, Given, When, Then, \
         And, But, a | table row, a \"\"\" doc string, a @tag or a # comment); check the spelling \
         and the indentation"
            .to_string()
    } else {
        rest.to_string()
    };
    format!("line {line}, column {col}: {what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(ty: StepType, keyword: &str, value: &str) -> gherkin::Step {
        gherkin::Step {
            keyword: keyword.into(),
            ty,
            value: value.into(),
            docstring: None,
            table: None,
            span: gherkin::Span { start: 0, end: 0 },
            position: gherkin::LineCol { line: 1, col: 1 },
        }
    }

    #[test]
    fn a_given_step_after_a_when_is_named_as_a_given_step() {
        let p = step_problem(
            &step(StepType::When, "And", "alice has connected github"),
            false,
        )
        .expect("a problem");
        assert!(p.contains("exists as a Given step"), "{p}");
        assert!(p.contains("`Given alice has connected github`"), "{p}");
    }

    #[test]
    fn unknown_values_name_the_likely_word() {
        let cases = [
            (
                StepType::When,
                "alice connects gihtub",
                "did you mean `github`?",
            ),
            (
                StepType::Then,
                "the diagnosis is redirect_uri_mismach",
                "did you mean `redirect_uri_mismatch`?",
            ),
            (
                StepType::Then,
                "alice's github connection is conected",
                "did you mean `connected`?",
            ),
            (
                StepType::Then,
                "the webhook is rejected as signature_mismach",
                "did you mean `signature_mismatch`?",
            ),
            (
                StepType::Then,
                "the shared github connection of the organization \"Acme\" is conected",
                "did you mean `connected`?",
            ),
            (
                StepType::Then,
                "the delivery of the \"pipes.connected_account.connected\" event is faild",
                "did you mean `failed`?",
            ),
            (
                StepType::Then,
                "the delivery of the \"pipes.connected_account.conected\" event is failed",
                "did you mean `pipes.connected_account.connected`?",
            ),
            (
                StepType::Then,
                "the app received a \"pipes.connected_account.conected\" event for alice",
                "did you mean `pipes.connected_account.connected`?",
            ),
            (
                StepType::Given,
                "github suffers the fault \"rate_limit retry_afer=5\"",
                "did you mean `retry_after`?",
            ),
            (
                StepType::Given,
                "salesforce suffers the fault \"secondary_rate_limit\"",
                "only GitHub",
            ),
            (
                StepType::Given,
                "slack rate-limits the next 2 calls with Retry-After 18446744073709551615",
                "limit of 86400 seconds",
            ),
        ];
        for (ty, text, wanted) in cases.into_iter().chain(FAULTS_REFUSED_AT_RUN_TIME) {
            let defined = false;
            let p = step_problem(&step(ty, keyword(ty), text), defined)
                .unwrap_or_else(|| panic!("{text}: no problem found"));
            assert!(p.contains(wanted), "{text}: {p}");
        }
    }

    /// Fault steps whose values only the fault itself refuses, and what the
    /// message must say.
    const FAULTS_REFUSED_AT_RUN_TIME: [(StepType, &str, &str); 10] = [
        (
            StepType::Given,
            "github fails the next 2 calls with HTTP 200",
            "status 200 is not a server error: expected 500 to 599",
        ),
        (
            StepType::Given,
            "github's token endpoint fails the next 1 requests with HTTP 404",
            "expected 500 to 599",
        ),
        (
            StepType::Given,
            "github fails the next 2 calls with HTTP 70000",
            "HTTP 70000 is not a server error status: expected 500 to 599",
        ),
        (
            StepType::Given,
            "slack suffers the fault \"server_error status=200\"",
            "expected 500 to 599",
        ),
        (
            StepType::Given,
            "slack suffers the fault \"revoke_tokens\" on the next 2 calls",
            "the faults that take a number of calls are rate_limit, secondary_rate_limit",
        ),
        (
            StepType::Given,
            "slack hits its secondary rate limit on the next 2 calls",
            "only GitHub has secondary rate limits",
        ),
        (
            StepType::Given,
            "salesforce rate-limits the next 2 calls with Retry-After 5",
            "leave retry_after out",
        ),
        (
            StepType::Given,
            "slack shows an error page for unregistered redirect URIs",
            "only GitHub can redirect on a mismatch",
        ),
        (
            StepType::Given,
            "github rate-limits the next 0 calls",
            "give at least 1",
        ),
        (
            StepType::Given,
            "slack suffers the fault \"rate_limit status=429\" on the next 2 calls",
            "only GitHub lets you choose, between 403 and 429",
        ),
    ];

    fn table(rows: &[[&str; 2]]) -> gherkin::Table {
        gherkin::Table {
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| (*c).to_string()).collect())
                .collect(),
            span: gherkin::Span { start: 0, end: 0 },
            position: gherkin::LineCol { line: 2, col: 1 },
        }
    }

    #[test]
    fn a_custom_provider_table_is_read_before_anything_runs() {
        let with = |text: &str, rows: &[[&str; 2]]| {
            let mut s = step(StepType::Given, "Given", text);
            s.table = Some(table(rows));
            step_problem(&s, true)
        };
        let defined = "the custom provider \"acme\" is defined with:";
        let behaves = "the custom provider \"acme\" behaves as:";
        let cases: [(&str, &[[&str; 2]], &str); 6] = [
            (
                behaves,
                &[["token_request_body", "XML"]],
                "expected form, JSON, or form or JSON",
            ),
            (
                behaves,
                &[["client_authentication", "mtls"]],
                "client_secret_basic, client_secret_post",
            ),
            (
                behaves,
                &[["access_token_lifetime", "soon"]],
                "a duration such as 1 hour",
            ),
            (behaves, &[["pcke", "required"]], "did you mean `pkce`?"),
            (
                defined,
                &[["authenticate_via", "mtls"]],
                "expected request_body or basic_auth_header",
            ),
            (
                defined,
                &[["token_ur", "http://acme.test/token"]],
                "did you mean `token_url`?",
            ),
        ];
        for (text, rows, wanted) in cases {
            let p = with(text, rows).unwrap_or_else(|| panic!("{rows:?}: no problem found"));
            assert!(p.contains(wanted), "{rows:?}: {p}");
        }
        let good: &[[&str; 2]] = &[["pkce", "required"], ["token_request_body", "JSON"]];
        assert_eq!(with(behaves, good), None);
        let good: &[[&str; 2]] = &[
            ["token_url", "http://acme.test/token"],
            ["pkce_enabled", "true"],
        ];
        assert_eq!(with(defined, good), None);
        let p = step_problem(&step(StepType::Given, "Given", defined), true).expect("a problem");
        assert!(p.contains("needs a table"), "{p}");
        let p = step_problem(
            &step(
                StepType::Given,
                "Given",
                "the custom provider \"github\" is defined",
            ),
            true,
        )
        .expect("a problem");
        assert!(p.contains("is a built-in provider"), "{p}");
    }

    #[test]
    fn a_misspelt_step_gets_the_closest_documented_one() {
        let p = step_problem(
            &step(
                StepType::Given,
                "Given",
                "the github integraton is configured",
            ),
            false,
        )
        .expect("a problem");
        assert!(
            p.contains("did you mean `Given the {provider} integration is configured`"),
            "{p}"
        );
    }

    #[test]
    fn every_documented_example_passes_the_checks() {
        for d in vocabulary::all() {
            let ty = match d.keyword {
                "Given" => StepType::Given,
                "When" => StepType::When,
                _ => StepType::Then,
            };
            let mut example = step(ty, d.keyword, d.example);
            if d.expression.ends_with(':') {
                // A step written with a table gets one, as in a feature.
                example.table = Some(table(&[]));
            }
            assert_eq!(
                step_problem(&example, true),
                None,
                "{} {}",
                d.keyword,
                d.example
            );
        }
    }

    #[test]
    fn gherkin_errors_read_as_sentences() {
        let m = gherkin_error("Error at 4:22: {\"unknown keyword\"}");
        assert!(
            m.starts_with("line 4, column 22: this line does not start"),
            "{m}"
        );
        assert!(!m.contains('{'), "{m}");
    }
}

/// Where a Scenario Outline sits in its file, before its rows were
/// expanded into scenarios of their own: so `file:LINE` can select the
/// outline by its `Scenario Outline:` line, a step line or an Examples line
/// (every row), or by one row (that row).
#[derive(Debug, Clone)]
pub(crate) struct Outline {
    path: String,
    first: usize,
    last: usize,
    rows: Vec<usize>,
}

/// Every outline of `texts`, read from the unexpanded Gherkin.
pub(crate) fn outlines(texts: &[super::FeatureText]) -> Vec<Outline> {
    let mut out = Vec::new();
    for t in texts {
        let Ok(f) = gherkin::Feature::parse(&t.text, gherkin::GherkinEnv::default()) else {
            continue;
        };
        let path = super::display_path(&t.path);
        let all = f
            .scenarios
            .iter()
            .chain(f.rules.iter().flat_map(|r| r.scenarios.iter()));
        for s in all.filter(|s| !s.examples.is_empty()) {
            // Rows follow their Examples line and header, as cucumber numbers them.
            let rows: Vec<usize> = s
                .examples
                .iter()
                .flat_map(|ex| {
                    let n = ex
                        .table
                        .as_ref()
                        .map_or(0, |t| t.rows.len().saturating_sub(1));
                    (0..n).map(move |i| ex.position.line + 2 + i)
                })
                .collect();
            let last = rows
                .iter()
                .copied()
                .chain(s.steps.iter().map(|st| st.position.line))
                .max()
                .unwrap_or(s.position.line);
            out.push(Outline {
                path: path.clone(),
                first: s.position.line,
                last,
                rows,
            });
        }
    }
    out
}

/// Whether `line` of the file at `path` selects the expanded outline row
/// `s`: a row line selects that row, any other line of the outline all rows.
pub(crate) fn outline_covers(
    outlines: &[Outline],
    path: &str,
    s: &gherkin::Scenario,
    line: usize,
) -> bool {
    if s.examples.is_empty() {
        return false;
    }
    let row = s.position.line;
    outlines.iter().any(|o| {
        o.path == path
            && o.rows.contains(&row)
            && (o.first..=o.last).contains(&line)
            && (line == row || !o.rows.contains(&line))
    })
}

#[cfg(test)]
mod outline_tests {
    use super::*;
    use crate::runner::FeatureText;

    const TEXT: &str = "Feature: F\n\n  Scenario Outline: S <n>\n    Given the <p> integration is configured\n\n    Examples:\n      | n | p      |\n      | 1 | github |\n      | 2 | slack  |\n";

    #[test]
    fn an_outline_is_selected_by_its_own_line_a_step_line_or_one_row() {
        let texts = vec![FeatureText {
            path: "features/o.feature".into(),
            text: TEXT.into(),
        }];
        let outlines = outlines(&texts);
        let features = crate::runner::parse_features(&texts).expect("valid");
        let rows: Vec<&gherkin::Scenario> = features[0].scenarios.iter().collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].position.line, 8);
        let picked = |line: usize| -> Vec<usize> {
            rows.iter()
                .filter(|s| outline_covers(&outlines, "features/o.feature", s, line))
                .map(|s| s.position.line)
                .collect()
        };
        assert_eq!(picked(3), vec![8, 9], "the Scenario Outline: line");
        assert_eq!(picked(4), vec![8, 9], "a step line");
        assert_eq!(picked(6), vec![8, 9], "the Examples: line");
        assert_eq!(picked(9), vec![9], "one row");
        assert_eq!(picked(1), Vec::<usize>::new(), "the Feature: line");
    }
}
