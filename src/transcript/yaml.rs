//! The YAML form of a transcript: what snapshots pin.
//!
//! Bodies that are JSON or form-encoded are shown as structures, so a
//! snapshot diff points at the field that changed rather than a long line.

use serde_json::{Map, Value, json};

use super::redact::{Redactor, Session};
use super::{Entry, Exchange, Recorder};

/// What a transcript document is about.
#[derive(Debug, Clone, Default)]
pub struct Header {
    /// Feature file path, relative (`features/connect/github.feature`).
    pub feature: String,
    /// Scenario name.
    pub scenario: String,
    /// The diagnosis reported by the scenario, if any (already rendered).
    pub diagnosis: Option<String>,
}

/// Renders the recorder's transcript as a YAML document, redacted.
pub fn render(header: &Header, recorder: &Recorder) -> String {
    let value = to_value(header, recorder);
    serde_norway::to_string(&value).unwrap_or_else(|e| format!("# cannot render transcript: {e}\n"))
}

/// The transcript as a JSON value (the YAML document's structure), redacted.
pub fn to_value(header: &Header, recorder: &Recorder) -> Value {
    let redactor = recorder.redactor();
    let mut session = redactor.session();
    to_value_in(header, recorder, &redactor, &mut session)
}

/// [`to_value`] numbering placeholders in `session`.
///
/// Other formats run this first on their own session, so that a placeholder
/// has the same number in a scenario's Markdown as in its snapshot.
pub fn to_value_in(
    header: &Header,
    recorder: &Recorder,
    redactor: &Redactor,
    session: &mut Session<'_>,
) -> Value {
    let mut entries = Vec::new();
    for entry in recorder.entries() {
        match entry {
            Entry::Exchange(x) => {
                let to = redactor
                    .host_name(&x.url)
                    .unwrap_or_else(|| "external".to_string());
                entries.push(exchange_value(&x, &to, session));
            }
            Entry::Note { actor, text } => {
                entries.push(json!({ "note": { "by": actor, "text": session.redact(&text) } }));
            }
        }
    }
    let mut doc = Map::new();
    doc.insert("feature".into(), Value::String(header.feature.clone()));
    doc.insert(
        "scenario".into(),
        Value::String(session.redact(&header.scenario)),
    );
    doc.insert("exchanges".into(), Value::Array(entries));
    if let Some(d) = &header.diagnosis {
        doc.insert("diagnosis".into(), Value::String(session.redact(d)));
    }
    Value::Object(doc)
}

fn exchange_value(x: &Exchange, to: &str, s: &mut Session<'_>) -> Value {
    let url = s.redact(&x.url);
    let path = url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        .unwrap_or(url.clone());
    let mut req = Map::new();
    req.insert("method".into(), Value::String(x.method.clone()));
    req.insert(
        "url".into(),
        Value::String(if to == "external" { url.clone() } else { path }),
    );
    if !x.request_headers.is_empty() {
        req.insert("headers".into(), headers(&x.request_headers, s));
    }
    if let Some(b) = &x.request_body {
        let ct = find(&x.request_headers, "content-type");
        req.insert("body".into(), body(b, ct, s));
    }
    let mut out = Map::new();
    out.insert("from".into(), Value::String(x.from.clone()));
    out.insert("to".into(), Value::String(to.to_string()));
    out.insert("request".into(), Value::Object(req));
    if let Some(status) = x.status {
        let mut resp = Map::new();
        resp.insert("status".into(), json!(status));
        if !x.response_headers.is_empty() {
            resp.insert("headers".into(), headers(&x.response_headers, s));
        }
        if let Some(b) = &x.response_body {
            let ct = find(&x.response_headers, "content-type");
            resp.insert("body".into(), body(b, ct, s));
        }
        out.insert("response".into(), Value::Object(resp));
    }
    if let Some(e) = &x.error {
        out.insert("error".into(), Value::String(s.redact(e)));
    }
    Value::Object(out)
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn headers(h: &[(String, String)], s: &mut Session<'_>) -> Value {
    let mut m = Map::new();
    for (k, v) in h {
        m.insert(k.clone(), Value::String(s.redact(v)));
    }
    Value::Object(m)
}

/// A body as structure when it is JSON or a form, else as text.
pub(crate) fn body(text: &str, content_type: Option<&str>, s: &mut Session<'_>) -> Value {
    let ct = content_type.unwrap_or("");
    if ct.contains("x-www-form-urlencoded") {
        // Decode first: secrets and hosts inside a form are percent-encoded.
        let mut m = Map::new();
        for (k, v) in url::form_urlencoded::parse(text.as_bytes()) {
            let value = s.redact_field(&k, &v);
            m.insert(s.redact(&k), Value::String(value));
        }
        return Value::Object(m);
    }
    let redacted = s.redact(text);
    if (ct.contains("json") || redacted.starts_with('{') || redacted.starts_with('['))
        && let Ok(v) = serde_json::from_str::<Value>(&redacted)
    {
        return v;
    }
    Value::String(redacted)
}
