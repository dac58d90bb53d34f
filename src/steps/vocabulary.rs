//! The documented step vocabulary: one entry per step, with a one-line
//! description and an example a reader can paste.
//!
//! This table is the single source of `pipes-harness steps` and of the
//! README's vocabulary section. Tests keep it honest: every example must
//! match exactly one registered step, every registered step must have an
//! entry, and the README section must equal what this table renders.

/// One documented step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepDoc {
    /// `Given`, `When` or `Then`.
    pub keyword: &'static str,
    /// The cucumber expression as written on the step definition.
    pub expression: &'static str,
    /// What the step does, in one line.
    pub description: &'static str,
    /// A concrete use, without the keyword.
    pub example: &'static str,
    /// The concern it belongs to (the steps module).
    pub group: &'static str,
}

/// The parameter types steps use, with what they accept.
pub const PARAMETERS: &[(&str, &str)] = &[
    ("{provider}", "github, slack, google or salesforce"),
    (
        "{diagnosis}",
        "a diagnosis kind name, e.g. redirect_uri_mismatch (see the diagnosis catalogue)",
    ),
    (
        "{scopes}",
        "a quoted scope list, comma or space separated: \"repo, user:email\"",
    ),
    (
        "{duration}",
        "a number and a unit: 2 seconds, 10 minutes, 1.5 hours, 1 day, 2 weeks (milliseconds to weeks; decimals allowed)",
    ),
    (
        "{verification}",
        "how the app verifies a webhook: as delivered, with the wrong secret, after re-serializing its JSON, after someone changed its body, without its signature header, with a mangled signature header, with the signature of another event",
    ),
    ("{word}", "one word, e.g. a person's name: alice"),
    ("{string}", "text in double quotes"),
    ("{int}", "a whole number"),
    (
        "{delivery}",
        "a webhook delivery: a correctly signed event (optionally with pretty-printed JSON), or a forgery: an event signed with the wrong secret, an event whose body was changed after signing, a replayed event with a stale timestamp, an event timestamped in the future, an event without a signature header, an event with a malformed signature header, an event carrying the signature of another event",
    ),
];

/// Every documented step, grouped by concern.
pub fn all() -> Vec<StepDoc> {
    let mut out = Vec::new();
    for group in [
        super::setup::VOCABULARY,
        super::connect::VOCABULARY,
        super::connections::VOCABULARY,
        super::provider_calls::VOCABULARY,
        super::tokens::VOCABULARY,
        super::workos::VOCABULARY,
        super::organizations::VOCABULARY,
        super::webhooks::VOCABULARY,
        super::providers::VOCABULARY,
        super::custom_providers::VOCABULARY,
        super::time::VOCABULARY,
        super::app::VOCABULARY,
        super::app::mistakes::VOCABULARY,
    ] {
        out.extend_from_slice(group);
    }
    out
}

/// The vocabulary as a Markdown section (the README's, verbatim).
pub fn markdown() -> String {
    let mut s = String::from("Parameter types:\n\n| parameter | accepts |\n|---|---|\n");
    for (p, what) in PARAMETERS {
        s.push_str(&format!("| `{p}` | {what} |\n"));
    }
    let mut group = "";
    for d in all() {
        if d.group != group {
            group = d.group;
            s.push_str(&format!(
                "\n**{group}**\n\n| step | what it does | example |\n|---|---|---|\n"
            ));
        }
        s.push_str(&format!(
            "| `{} {}` | {} | `{} {}` |\n",
            d.keyword,
            d.expression.replace('|', "\\|"),
            d.description.replace('|', "\\|"),
            d.keyword,
            d.example.replace('|', "\\|")
        ));
    }
    s
}

/// The vocabulary as plain text for a terminal.
pub fn text() -> String {
    let mut s = String::new();
    let mut group = "";
    for d in all() {
        if d.group != group {
            group = d.group;
            s.push_str(&format!("\n{group}\n"));
        }
        s.push_str(&format!(
            "  {} {}\n      {}\n      e.g. {} {}\n",
            d.keyword, d.expression, d.description, d.keyword, d.example
        ));
    }
    s.push_str("\nParameter types:\n");
    for (p, what) in PARAMETERS {
        s.push_str(&format!("  {p:<12} {what}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use cucumber::World as _;
    use cucumber::codegen::{StepConstructor, WorldInventory};
    use cucumber::gherkin::{Step, StepType};

    use super::*;
    use crate::steps::PipesWorld;

    fn gherkin_step(keyword: &str, text: &str) -> Step {
        let ty = match keyword {
            "Given" => StepType::Given,
            "When" => StepType::When,
            _ => StepType::Then,
        };
        Step {
            keyword: format!("{keyword} "),
            ty,
            value: text.to_string(),
            docstring: None,
            table: None,
            span: Default::default(),
            position: Default::default(),
        }
    }

    /// The expression as a regex: literal text, `{...}` as a wildcard.
    fn expression_regex(expr: &str) -> regex::Regex {
        let mut re = String::from("^");
        let mut rest = expr;
        while let Some(start) = rest.find('{') {
            re.push_str(&regex::escape(&rest[..start]));
            let end = rest[start..]
                .find('}')
                .map(|e| start + e + 1)
                .unwrap_or(rest.len());
            re.push_str("(.+?)");
            rest = &rest[end..];
        }
        re.push_str(&regex::escape(rest));
        re.push('$');
        regex::Regex::new(&re).expect("expression regex")
    }

    #[test]
    fn every_example_matches_exactly_one_step_and_its_own_expression() {
        let steps = PipesWorld::collection();
        for d in all() {
            let step = gherkin_step(d.keyword, d.example);
            match steps.find(&step) {
                Ok(Some(_)) => {}
                Ok(None) => panic!("example `{} {}` matches no step", d.keyword, d.example),
                Err(e) => panic!("example `{} {}` is ambiguous: {e:?}", d.keyword, d.example),
            }
            assert!(
                expression_regex(d.expression).is_match(d.example),
                "example `{}` does not follow its documented expression `{}`",
                d.example,
                d.expression
            );
        }
    }

    #[test]
    fn every_registered_step_is_documented() {
        let steps = PipesWorld::collection();
        let mut documented = BTreeSet::new();
        for d in all() {
            if let Ok(Some((_, _, Some(loc), _))) = steps.find(&gherkin_step(d.keyword, d.example))
            {
                documented.insert((loc.path.to_string(), loc.line));
            }
        }
        let mut missing = Vec::new();
        let mut check = |loc: cucumber::step::Location, re: String| {
            // Steps the crate's own tests register (`src/tests/`) are no
            // part of the vocabulary.
            let test_only = loc.path.replace('\\', "/").starts_with("src/tests/");
            if !test_only && !documented.contains(&(loc.path.to_string(), loc.line)) {
                missing.push(format!("{}:{} {re}", loc.path, loc.line));
            }
        };
        for s in inventory::iter::<<PipesWorld as WorldInventory>::Given> {
            let (loc, re, _) = s.inner();
            check(loc, re().to_string());
        }
        for s in inventory::iter::<<PipesWorld as WorldInventory>::When> {
            let (loc, re, _) = s.inner();
            check(loc, re().to_string());
        }
        for s in inventory::iter::<<PipesWorld as WorldInventory>::Then> {
            let (loc, re, _) = s.inner();
            check(loc, re().to_string());
        }
        assert!(
            missing.is_empty(),
            "steps without a VOCABULARY entry:\n{}\n\nDocument each in a `pub const VOCABULARY: &[StepDoc]` in its steps \
             module, list that module in `vocabulary::all()`, then regenerate the README section with \
             `cargo run -- steps --markdown`.",
            missing.join("\n")
        );
    }

    #[test]
    fn the_readme_vocabulary_section_is_generated_from_this_table() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
            .expect("README.md");
        let section = between(
            &readme,
            "<!-- vocabulary:start -->",
            "<!-- vocabulary:end -->",
        );
        assert_eq!(
            section.trim(),
            markdown().trim(),
            "README vocabulary is stale: run `cargo run -- steps --markdown` and paste between the markers"
        );
    }

    #[test]
    fn the_readme_diagnosis_catalogue_is_generated_from_the_code() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
            .expect("README.md");
        let section = between(
            &readme,
            "<!-- diagnoses:start -->",
            "<!-- diagnoses:end -->",
        );
        assert_eq!(
            section.trim(),
            crate::diagnosis::catalogue_markdown().trim(),
            "README diagnosis catalogue is stale: run `cargo run -- steps --diagnoses` and paste between the markers"
        );
    }

    fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
        let s = text
            .find(start)
            .map(|i| i + start.len())
            .expect("start marker in README");
        let e = text[s..]
            .find(end)
            .map(|i| s + i)
            .expect("end marker in README");
        &text[s..e]
    }
}
