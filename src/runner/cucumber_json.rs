//! The cucumber JSON report, finished for the tools that read it.
//!
//! cucumber's JSON writer leaves out what report tools (cucumber HTML
//! reporters, Jenkins' cucumber plugin) show: a feature's id, line and
//! description; it gives a scenario only its own tags, not the feature's and
//! rule's it inherits; it names a Background element after the scenario; it
//! puts the harness's own source location and panic wording in a failed
//! step's message; and a step after a failure is simply missing. This
//! rewrites its output: those fields filled in, the skipped steps listed,
//! and each scenario's transcript attached as an embedding of its after
//! hook, so the report shows what went over the wire.

use std::collections::HashMap;

use base64::Engine as _;
use cucumber::gherkin;
use heck::ToKebabCase as _;
use serde_json::{Map, Value, json};

use super::display_path;

/// Transcripts by feature path (as displayed) and scenario line.
pub(crate) type Transcripts = HashMap<(String, usize), String>;

/// Rewrites cucumber's JSON (`raw`) for `features`; `raw` itself when it is
/// not the JSON array cucumber writes.
pub(crate) fn finish(
    raw: &[u8],
    features: &[gherkin::Feature],
    transcripts: &Transcripts,
) -> Vec<u8> {
    let Ok(Value::Array(mut report)) = serde_json::from_slice::<Value>(raw) else {
        return raw.to_vec();
    };
    for entry in &mut report {
        let Some(obj) = entry.as_object_mut() else {
            continue;
        };
        let Some(feature) = find_feature(obj, features) else {
            continue;
        };
        feature_fields(obj, feature);
        let path = feature_path(feature);
        if let Some(Value::Array(elements)) = obj.get_mut("elements") {
            for el in elements.iter_mut().filter_map(Value::as_object_mut) {
                element(el, feature, &path, transcripts);
            }
        }
    }
    serde_json::to_vec_pretty(&report).unwrap_or_else(|_| raw.to_vec())
}

fn feature_path(f: &gherkin::Feature) -> String {
    f.path
        .as_ref()
        .map(|p| display_path(&p.display().to_string()))
        .unwrap_or_default()
}

/// cucumber trims a leading `/` from the uri; match on the path's tail.
fn find_feature<'a>(
    obj: &Map<String, Value>,
    features: &'a [gherkin::Feature],
) -> Option<&'a gherkin::Feature> {
    let uri = obj.get("uri")?.as_str()?;
    let name = obj.get("name").and_then(Value::as_str).unwrap_or_default();
    features.iter().find(|f| {
        f.name == name
            && f.path.as_ref().is_some_and(|p| {
                let p = p.display().to_string().replace('\\', "/");
                p.ends_with(uri) || uri.ends_with(p.trim_start_matches("./"))
            })
    })
}

fn feature_fields(obj: &mut Map<String, Value>, f: &gherkin::Feature) {
    obj.insert("uri".into(), json!(feature_path(f)));
    obj.insert("id".into(), json!(f.name.to_kebab_case()));
    obj.insert("line".into(), json!(f.position.line));
    obj.insert(
        "description".into(),
        json!(f.description.as_deref().unwrap_or("").trim()),
    );
    obj.insert("tags".into(), tags(f.tags.iter(), f.position.line));
}

fn tags<'a>(names: impl Iterator<Item = &'a String>, line: usize) -> Value {
    Value::Array(
        names
            .map(|t| {
                let name = if t.starts_with('@') {
                    t.clone()
                } else {
                    format!("@{t}")
                };
                json!({ "name": name, "line": line })
            })
            .collect(),
    )
}

/// The scenario (and its rule) at `line`, the line cucumber gives both a
/// scenario's element and its background's.
fn scenario_at(
    f: &gherkin::Feature,
    line: usize,
) -> Option<(Option<&gherkin::Rule>, &gherkin::Scenario)> {
    f.scenarios
        .iter()
        .find(|s| s.position.line == line)
        .map(|s| (None, s))
        .or_else(|| {
            f.rules.iter().find_map(|r| {
                r.scenarios
                    .iter()
                    .find(|s| s.position.line == line)
                    .map(|s| (Some(r), s))
            })
        })
}

fn element(
    el: &mut Map<String, Value>,
    f: &gherkin::Feature,
    path: &str,
    transcripts: &Transcripts,
) {
    let Some(line) = el.get("line").and_then(Value::as_u64) else {
        return;
    };
    let Some((rule, sc)) = scenario_at(f, usize::try_from(line).unwrap_or(usize::MAX)) else {
        return;
    };
    let is_background = el.get("type").and_then(Value::as_str) == Some("background");
    let scenario_id = format!(
        "{};{}{}",
        f.name.to_kebab_case(),
        rule.map(|r| format!("{};", r.name.to_kebab_case()))
            .unwrap_or_default(),
        sc.name.to_kebab_case()
    );
    if let Some(Value::Array(steps)) = el.get_mut("steps") {
        for step in steps.iter_mut().filter_map(Value::as_object_mut) {
            clean_step(step, path);
        }
    }
    if is_background {
        // The background that ran: the rule's when the scenario sits in a rule that has one.
        let bg = rule
            .and_then(|r| r.background.as_ref())
            .or(f.background.as_ref());
        if let Some(bg) = bg {
            el.insert("name".into(), json!(bg.name));
            el.insert("keyword".into(), json!(bg.keyword));
            el.insert("line".into(), json!(bg.position.line));
        }
        el.insert("id".into(), json!(format!("{scenario_id};background")));
        el.insert("tags".into(), json!([]));
        return;
    }
    el.insert("id".into(), json!(scenario_id));
    el.insert("name".into(), json!(sc.name));
    el.insert(
        "tags".into(),
        tags(
            f.tags
                .iter()
                .chain(rule.iter().flat_map(|r| r.tags.iter()))
                .chain(sc.tags.iter()),
            sc.position.line,
        ),
    );
    if let Some(d) = sc.description.as_deref() {
        el.insert("description".into(), json!(d.trim()));
    }
    skipped_steps(el, sc, path);
    if let Some(t) = transcripts.get(&(path.to_string(), sc.position.line)) {
        attach(el, t);
    }
}

/// A failed step's message without the harness's source location or
/// cucumber's panic wording; the step's match pointing at the feature file.
fn clean_step(step: &mut Map<String, Value>, path: &str) {
    let line = step.get("line").and_then(Value::as_u64).unwrap_or(0);
    step.insert(
        "match".into(),
        json!({ "location": format!("{path}:{line}") }),
    );
    let Some(result) = step.get_mut("result").and_then(Value::as_object_mut) else {
        return;
    };
    if let Some(Value::String(message)) = result.get_mut("error_message") {
        *message = clean_message(message);
    }
}

pub(crate) fn clean_message(message: &str) -> String {
    message
        .lines()
        .filter(|l| !l.starts_with("Matched: "))
        .map(|l| {
            l.strip_prefix("Step panicked. Captured output: ")
                .unwrap_or(l)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Steps that never ran after a failure, listed as skipped.
fn skipped_steps(el: &mut Map<String, Value>, sc: &gherkin::Scenario, path: &str) {
    let Some(Value::Array(steps)) = el.get_mut("steps") else {
        return;
    };
    let ran = steps.len();
    for step in sc.steps.iter().skip(ran) {
        steps.push(json!({
            "keyword": step.keyword,
            "line": step.position.line,
            "name": step.value,
            "match": { "location": format!("{path}:{}", step.position.line) },
            "result": { "status": "skipped", "duration": 0 },
        }));
    }
}

/// The transcript as an embedding of the scenario's after hook (where a
/// cucumber run attaches what a scenario leaves behind).
fn attach(el: &mut Map<String, Value>, transcript: &str) {
    let embedding = json!({
        "mime_type": "text/plain",
        "name": "transcript",
        "data": base64::engine::general_purpose::STANDARD.encode(transcript),
    });
    let after = el.entry("after").or_insert_with(|| json!([]));
    if let Value::Array(hooks) = after {
        if hooks.is_empty() {
            hooks.push(json!({ "result": { "status": "passed", "duration": 0 } }));
        }
        if let Some(hook) = hooks.first_mut().and_then(Value::as_object_mut) {
            hook.insert("embeddings".into(), json!([embedding]));
        }
    }
}
