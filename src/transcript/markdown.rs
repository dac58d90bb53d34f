//! The Markdown form of a transcript: what docs authors read and paste.
//!
//! A document tells one scenario as a story: a heading from the scenario and
//! its feature, the steps as written, a Mermaid `sequenceDiagram` of who
//! called whom, then every exchange as a request block and a response block
//! (method, path, the headers worth reading, pretty JSON or the form body),
//! with the client's notes (retry delays) inline and the diagnosis at the end
//! when the scenario is a failure case.
//!
//! Exchanges are listed in the order their requests *started*, not the order
//! they completed (which is what the YAML snapshot shows): WorkOS exchanges
//! the code with the provider while it answers the browser's callback, and a
//! reader expects the callback first. The diagram shows the nesting with the
//! response arrows in completion order.
//!
//! Redaction goes through the same [`Session`] machinery as the YAML form, and
//! the session is first run over the YAML rendering so that a placeholder has
//! the same number here as in the scenario's snapshot.

use std::fmt::Write as _;

use serde_json::Value;

use super::redact::{Redactor, Session};
use super::yaml::{self, Header};
use super::{Entry, Exchange, Recorder, Span};
use crate::common::text::capitalize;
use crate::provider::ProviderKind;

/// What a Markdown transcript is about: the scenario as written.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Feature file path, relative (`features/connect/github.feature`).
    pub feature_path: String,
    /// The feature's name.
    pub feature_name: String,
    /// The feature's free-text description, if any.
    pub feature_description: Option<String>,
    /// The scenario's name.
    pub scenario: String,
    /// The line of the scenario (or of its example row) in the feature file.
    pub line: usize,
    /// Every step run, background first, keyword included (`Given ...`).
    pub steps: Vec<String>,
    /// The diagnosis the scenario reported, if it is a failure case.
    pub diagnosis: Option<String>,
    /// Why the scenario itself failed, if it did (a broken scenario, not a
    /// failure case it expects).
    pub failure: Option<String>,
}

/// Renders the recorder's transcript as a Markdown document, redacted.
pub fn render(doc: &Document, recorder: &Recorder) -> String {
    let redactor = recorder.redactor();
    let mut session = redactor.session();
    // Number placeholders exactly as the snapshot does; the value is discarded.
    let header = Header {
        feature: doc.feature_path.clone(),
        scenario: doc.scenario.clone(),
        diagnosis: doc.diagnosis.clone(),
    };
    let _ = yaml::to_value_in(&header, recorder, &redactor, &mut session);

    let mut timeline = recorder.timeline();
    // Stable: entries that started at the same tick keep completion order.
    timeline.sort_by_key(|(span, _)| span.start);
    let story = Story::new(&timeline, &redactor, &mut session);

    let mut out = String::new();
    heading(&mut out, doc, &mut session);
    scenario_steps(&mut out, doc, &mut session);
    diagram(&mut out, &story);
    exchanges(&mut out, &story);
    outcome(&mut out, doc, &mut session);
    out
}

/// One exchange, redacted and placed on the diagram.
#[derive(Debug)]
struct Call {
    number: usize,
    span: Span,
    /// Participant ids.
    from: String,
    to: String,
    method: String,
    host: String,
    /// Path and query, as sent.
    target: String,
    request_headers: Vec<(String, String)>,
    request_body: Option<String>,
    /// Decoded query parameters, for the table under the request.
    query: Vec<(String, String)>,
    status: Option<u16>,
    response_headers: Vec<(String, String)>,
    response_body: Option<String>,
    error: Option<String>,
    /// The number of the exchange this one was made while answering.
    inside: Option<usize>,
    /// The harness's own set-up or check, not traffic a reader copies.
    plumbing: bool,
}

impl Call {
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or(&self.target)
    }
}

#[derive(Debug)]
enum Item {
    Call(Box<Call>),
    Note { by: String, text: String, tick: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Participant {
    id: String,
    label: String,
    rank: u8,
}

/// The redacted entries and the participants they involve.
#[derive(Debug, Default)]
struct Story {
    participants: Vec<Participant>,
    items: Vec<Item>,
}

impl Story {
    fn new(timeline: &[(Span, Entry)], redactor: &Redactor, s: &mut Session<'_>) -> Self {
        let mut story = Story::default();
        let mut number = 0;
        for (span, entry) in timeline {
            match entry {
                Entry::Exchange(x) => {
                    number += 1;
                    let call = story.call(number, *span, x, redactor, s);
                    story.items.push(Item::Call(Box::new(call)));
                }
                Entry::Note { actor, text } => {
                    let by = story.participant(actor_participant(actor));
                    story.items.push(Item::Note {
                        by,
                        text: s.redact(text),
                        tick: span.start,
                    });
                }
            }
        }
        story.nest();
        // Stable: within a rank, participants keep the order they first appeared in.
        story.participants.sort_by_key(|p| p.rank);
        story
    }

    fn call(
        &mut self,
        number: usize,
        span: Span,
        x: &Exchange,
        redactor: &Redactor,
        s: &mut Session<'_>,
    ) -> Call {
        let url = s.redact(&x.url);
        let (host, target) = split_url(&url);
        let path = target.split('?').next().unwrap_or(&target).to_string();
        let to = match redactor.host_name(&x.url) {
            Some(name) => host_participant(&name, &path),
            None => external_participant(&host),
        };
        let from = self.participant(actor_participant(&x.from));
        let to = self.participant(to);
        let query = target
            .split_once('?')
            .map(|(_, q)| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let request_body = x
            .request_body
            .as_deref()
            .map(|b| body(b, find(&x.request_headers, "content-type"), s));
        let response_body = x
            .response_body
            .as_deref()
            .map(|b| body(b, find(&x.response_headers, "content-type"), s));
        Call {
            number,
            span,
            from,
            to,
            method: x.method.clone(),
            host,
            target,
            request_headers: redact_headers(&x.request_headers, s),
            request_body,
            query,
            status: x.status,
            response_headers: redact_headers(&x.response_headers, s),
            response_body,
            error: x.error.as_deref().map(|e| s.redact(e)),
            inside: None,
            plumbing: x.from == HARNESS,
        }
    }

    /// The id of `p`, adding it to the participants on first sight.
    fn participant(&mut self, p: Participant) -> String {
        let id = p.id.clone();
        match self.participants.iter_mut().find(|q| q.id == p.id) {
            // The app is first met as a caller (`App`), later as a host
            // (`App (app.test)`): keep the label that names the host.
            Some(q) => {
                if !q.label.contains('(') && p.label.contains('(') {
                    q.label = p.label;
                }
            }
            None => self.participants.push(p),
        }
        id
    }

    /// Marks each call made by a participant while it was answering another.
    fn nest(&mut self) {
        let spans: Vec<(usize, Span, String)> = self
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Call(c) => Some((c.number, c.span, c.to.clone())),
                Item::Note { .. } => None,
            })
            .collect();
        for item in &mut self.items {
            if let Item::Call(c) = item {
                c.inside = spans
                    .iter()
                    .filter(|(n, outer, to)| {
                        *n != c.number
                            && *to == c.from
                            && outer.start < c.span.start
                            && c.span.end < outer.end
                    })
                    .max_by_key(|(_, outer, _)| outer.start)
                    .map(|(n, _, _)| *n);
            }
        }
    }

    fn label<'a>(&'a self, id: &'a str) -> &'a str {
        self.participants
            .iter()
            .find(|p| p.id == id)
            .map_or(id, |p| p.label.as_str())
    }
}

/// The actor of the harness's own set-up and checks.
const HARNESS: &str = "harness";

fn actor_participant(actor: &str) -> Participant {
    match actor {
        HARNESS => participant(HARNESS, "The harness (set-up and checks)", 7),
        "browser" => participant("browser", "Browser", 0),
        "app" => participant("app", "App", 1),
        "workos" => participant("workos", "WorkOS (workos.test)", 2),
        other => match other.parse::<ProviderKind>() {
            Ok(kind) => provider_participant(kind),
            Err(_) => participant(&mermaid_id(other), &capitalize(other), 5),
        },
    }
}

fn host_participant(host: &str, path: &str) -> Participant {
    let base = host.strip_suffix(".test").unwrap_or(host);
    // `app.test` is the harness's stand-in app, `myapp.test` an app under
    // test: either way the app's web server.
    let is_app = base == "app" || base.ends_with("app");
    match base {
        "workos" => actor_participant("workos"),
        // The app's web server serves both the return page and the webhook
        // receiver; deliveries get their own lifeline so they stand out.
        _ if is_app && path.contains("webhook") => {
            participant("receiver", &format!("App webhook receiver ({host})"), 4)
        }
        _ if is_app => participant("app", &format!("App ({host})"), 1),
        other => match other.parse::<ProviderKind>() {
            Ok(kind) => provider_participant(kind),
            Err(_) => participant(&mermaid_id(host), host, 5),
        },
    }
}

fn external_participant(host: &str) -> Participant {
    participant(&mermaid_id(host), host, 6)
}

fn provider_participant(kind: ProviderKind) -> Participant {
    participant(
        kind.slug(),
        &format!("{} ({}.test)", kind.display_name(), kind.slug()),
        3,
    )
}

fn participant(id: &str, label: &str, rank: u8) -> Participant {
    Participant {
        id: id.to_string(),
        label: label.to_string(),
        rank,
    }
}

/// A Mermaid participant id: letters, digits and underscores only.
fn mermaid_id(text: &str) -> String {
    let id: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if id.is_empty() {
        "unknown".to_string()
    } else {
        id
    }
}

/// `http://workos.test/a?b` → (`workos.test`, `/a?b`).
fn split_url(url: &str) -> (String, String) {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => (rest[..i].to_string(), rest[i..].to_string()),
        Some(i) => (rest[..i].to_string(), format!("/{}", &rest[i..])),
        None => (rest.to_string(), "/".to_string()),
    }
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn redact_headers(h: &[(String, String)], s: &mut Session<'_>) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| (header_name(k), s.redact(v)))
        .collect()
}

/// `x-request-id` → `X-Request-ID`: how the headers are usually written.
fn header_name(name: &str) -> String {
    name.split('-')
        .map(|part| match part.to_ascii_lowercase().as_str() {
            "id" => "ID".to_string(),
            "oauth" => "OAuth".to_string(),
            "ratelimit" => "RateLimit".to_string(),
            "workos" => "WorkOS".to_string(),
            "www" => "WWW".to_string(),
            other => capitalize(other),
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A body as a reader would paste it: pretty JSON, a form on one line with
/// placeholders left readable, or the text itself.
fn body(text: &str, content_type: Option<&str>, s: &mut Session<'_>) -> String {
    let ct = content_type.unwrap_or("");
    if ct.contains("x-www-form-urlencoded") {
        // Decode first: secrets and hosts inside a form are percent-encoded.
        return url::form_urlencoded::parse(text.as_bytes())
            .map(|(k, v)| {
                let value = s.redact_field(&k, &v);
                format!("{}={}", form_part(&s.redact(&k)), form_part(&value))
            })
            .collect::<Vec<_>>()
            .join("&");
    }
    let redacted = s.redact(text);
    let looks_json = ct.contains("json") || redacted.starts_with('{') || redacted.starts_with('[');
    if looks_json
        && let Ok(v) = serde_json::from_str::<Value>(&redacted)
        && let Ok(pretty) = serde_json::to_string_pretty(&v)
    {
        return pretty;
    }
    redacted
}

/// Encodes only what would change a form's meaning, so `<code_1>` and
/// `http://workos.test/...` stay readable.
fn form_part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '&' => out.push_str("%26"),
            '=' => out.push_str("%3D"),
            '+' => out.push_str("%2B"),
            '#' => out.push_str("%23"),
            ' ' => out.push('+'),
            '\n' => out.push_str("%0A"),
            '\r' => out.push_str("%0D"),
            c => out.push(c),
        }
    }
    out
}

/// A fenced code block whose fence is longer than any backtick run inside.
fn fence(out: &mut String, lang: &str, content: &str) {
    let mut longest = 0;
    let mut run = 0;
    for c in content.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let ticks = "`".repeat(longest.max(2) + 1);
    let _ = writeln!(out, "{ticks}{lang}");
    out.push_str(content.trim_end_matches('\n'));
    let _ = writeln!(out, "\n{ticks}\n");
}

/// Inline code, with a fence that survives backticks in the text.
fn code(text: &str) -> String {
    let text = text.replace('\n', " ");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// Escapes what Markdown would otherwise read as markup in prose.
fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '<' | '>' | '[' | ']' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The project's own text (root causes, fix steps), whose backticks mark
/// code: escaped as prose but for those.
fn authored(text: &str) -> String {
    prose(text).replace("\\`", "`")
}

fn heading(out: &mut String, doc: &Document, s: &mut Session<'_>) {
    let _ = writeln!(out, "# {}\n", prose(&s.redact(&doc.scenario)));
    let _ = writeln!(
        out,
        "**Feature:** {} · {}\n",
        prose(&s.redact(&doc.feature_name)),
        code(&format!("{}:{}", doc.feature_path, doc.line))
    );
    if let Some(description) = &doc.feature_description {
        let text = s.redact(description.trim());
        if !text.is_empty() {
            for line in text.lines() {
                let _ = writeln!(out, "{}", prose(line.trim()));
            }
            out.push('\n');
        }
    }
    out.push_str(
        "> Hosts ending in `.test` stand in for the real services (`workos.test` is \
         `api.workos.com`). Secrets are replaced by placeholders such as \
         `<access_token_1>`: the same placeholder is the same value throughout this page.\n\n",
    );
}

fn scenario_steps(out: &mut String, doc: &Document, s: &mut Session<'_>) {
    if doc.steps.is_empty() {
        return;
    }
    out.push_str("## The scenario\n\n");
    let steps: Vec<String> = doc.steps.iter().map(|step| s.redact(step)).collect();
    fence(out, "gherkin", &steps.join("\n"));
}

fn diagram(out: &mut String, story: &Story) {
    if story.participants.is_empty() {
        return;
    }
    // The harness's set-up and checks stay out of the diagram, and so does
    // any lifeline only they touch.
    let mut seen: Vec<&str> = Vec::new();
    for item in &story.items {
        match item {
            Item::Call(c) if !c.plumbing => seen.extend([c.from.as_str(), c.to.as_str()]),
            Item::Note { by, text, .. } if !is_plumbing(text) => seen.push(by),
            _ => {}
        }
    }
    if seen.is_empty() {
        return;
    }
    out.push_str("## Who talks to whom\n\n");
    let mut d = String::from("sequenceDiagram\n");
    for p in story
        .participants
        .iter()
        .filter(|p| seen.contains(&p.id.as_str()))
    {
        let _ = writeln!(d, "    participant {} as {}", p.id, mermaid_text(&p.label));
    }
    // Requests at their start tick, responses at their end tick.
    let mut events: Vec<(u64, u8, String)> = Vec::new();
    for item in &story.items {
        match item {
            Item::Call(c) if c.plumbing => {}
            Item::Call(c) => {
                let (from, to) = (&c.from, &c.to);
                let request = format!("({}) {} {}", c.number, c.method, short_path(c.path()));
                events.push((
                    c.span.start,
                    0,
                    format!("    {from}->>{to}: {}", mermaid_text(&request)),
                ));
                let line = match (c.status, &c.error) {
                    (Some(status), _) => format!(
                        "    {to}-->>{from}: {}",
                        mermaid_text(&response_summary(c, status))
                    ),
                    (None, Some(e)) => {
                        format!(
                            "    {to}--x{from}: {}",
                            mermaid_text(&format!("no response: {e}"))
                        )
                    }
                    (None, None) => format!("    {to}--x{from}: no response"),
                };
                events.push((c.span.end, 1, line));
            }
            Item::Note { text, .. } if is_plumbing(text) => {}
            Item::Note { by, text, tick } => {
                events.push((
                    *tick,
                    2,
                    format!("    Note over {by}: {}", wrapped(&mermaid_text(text))),
                ));
            }
        }
    }
    events.sort_by_key(|(tick, kind, _)| (*tick, *kind));
    for (_, _, line) in events {
        d.push_str(&line);
        d.push('\n');
    }
    fence(out, "mermaid", &d);
}

/// Width, in characters, a diagram note is wrapped at: a docs column fits
/// the diagram without shrinking its text.
const NOTE_WIDTH: usize = 48;

/// Long ids in a path, replaced by a placeholder for the diagram's labels
/// (`/user_management/users/{user_id}`); the exchange blocks keep the values.
/// A 26-character id in every label made diagrams too wide for a docs
/// column, so browsers shrank their text below reading size.
fn short_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if !is_id(segment) {
                return segment.to_string();
            }
            match segment.rsplit_once('_') {
                Some((prefix, _)) if prefix.chars().all(|c| c.is_ascii_lowercase()) => {
                    format!("{{{prefix}_id}}")
                }
                _ => "{id}".to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A path segment that is an id: long, with digits and letters, no words.
fn is_id(segment: &str) -> bool {
    let tail = segment.rsplit_once('_').map_or(segment, |(_, t)| t);
    tail.len() >= 16
        && tail.chars().all(|c| c.is_ascii_alphanumeric())
        && tail.chars().any(|c| c.is_ascii_digit())
}

/// Notes of the harness's own set-up (the fault a scenario installs), kept
/// out of the diagram so it shows only the traffic; the list of exchanges
/// still carries them.
fn is_plumbing(text: &str) -> bool {
    text.starts_with("fault ")
}

/// Mermaid-safe note text broken into lines of at most [`NOTE_WIDTH`]
/// characters at spaces.
fn wrapped(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > NOTE_WIDTH {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines.join("<br/>")
}

fn response_summary(c: &Call, status: u16) -> String {
    let mut text = status_line(status);
    if let Some(location) = find(&c.response_headers, "location") {
        let (host, target) = split_url(location);
        let path = target.split('?').next().unwrap_or(&target);
        let _ = write!(text, ", redirect to {host}{}", short_path(path));
    }
    text
}

fn status_line(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|c| c.canonical_reason());
    match reason {
        Some(r) => format!("{status} {r}"),
        None => status.to_string(),
    }
}

/// Text safe inside a Mermaid message or label: one line, with the
/// characters Mermaid treats as syntax written as entity codes.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn exchanges(out: &mut String, story: &Story) {
    if story.items.is_empty() {
        return;
    }
    out.push_str("## The exchanges\n\n");
    for item in &story.items {
        match item {
            Item::Call(c) => exchange(out, story, c),
            Item::Note { by, text, .. } if is_plumbing(text) => {
                let _ = writeln!(
                    out,
                    "> **Set-up by the harness ({}):** {}\n",
                    story.label(by),
                    prose(text)
                );
            }
            Item::Note { by, text, .. } => {
                let _ = writeln!(out, "> **Note ({}):** {}\n", story.label(by), prose(text));
            }
        }
    }
}

fn exchange(out: &mut String, story: &Story, c: &Call) {
    let _ = writeln!(
        out,
        "### {}. {} → {}: {}\n",
        c.number,
        story.label(&c.from),
        story.label(&c.to),
        code(&format!("{} {}", c.method, c.path()))
    );
    if c.plumbing {
        out.push_str(
            "*Not the app's traffic:* the harness sends this to set the scenario up or to \
             check its outcome, so the diagram leaves it out.\n\n",
        );
    }
    if let Some(outer) = c.inside {
        let _ = writeln!(
            out,
            "{} sends this while it answers exchange {outer}.\n",
            story.label(&c.from)
        );
    }
    let mut request = format!("{} {} HTTP/1.1\nHost: {}\n", c.method, c.target, c.host);
    for (k, v) in &c.request_headers {
        let _ = writeln!(request, "{k}: {v}");
    }
    if let Some(b) = &c.request_body {
        let _ = write!(request, "\n{b}\n");
    }
    out.push_str("Request:\n\n");
    fence(out, "http", &request);
    if !c.query.is_empty() {
        out.push_str("| query parameter | value |\n|---|---|\n");
        for (k, v) in &c.query {
            let _ = writeln!(out, "| {} | {} |", cell(k), cell(v));
        }
        out.push('\n');
    }
    match (c.status, &c.error) {
        (Some(status), _) => {
            let mut response = format!("HTTP/1.1 {}\n", status_line(status));
            for (k, v) in &c.response_headers {
                let _ = writeln!(response, "{k}: {v}");
            }
            if let Some(b) = &c.response_body {
                let _ = write!(response, "\n{b}\n");
            }
            out.push_str("Response:\n\n");
            fence(out, "http", &response);
        }
        (None, Some(e)) => {
            let _ = writeln!(out, "No response: {}\n", prose(e));
        }
        (None, None) => out.push_str("No response.\n\n"),
    }
}

/// A table cell: inline code with pipes escaped.
fn cell(text: &str) -> String {
    if text.is_empty() {
        return "(empty)".to_string();
    }
    code(text).replace('|', "\\|")
}

fn outcome(out: &mut String, doc: &Document, s: &mut Session<'_>) {
    if let Some(d) = &doc.diagnosis {
        out.push_str("## Diagnosis\n\n");
        diagnosis_markdown(out, &s.redact(d));
    }
    if let Some(f) = &doc.failure {
        out.push_str("## This scenario failed\n\n");
        out.push_str(
            "The transcript above stops where the scenario broke. The failing step said:\n\n",
        );
        fence(out, "text", &s.redact(f));
    }
}

/// The diagnosis as Markdown: its kind, then what this scenario shows, then
/// why it happens in general, then the fix as a numbered list. Reads the
/// harness's text form (`diagnosis: kind (Title)`, `what happened:`,
/// `root cause:`, `fix:` and numbered steps); anything else stays a text
/// block.
fn diagnosis_markdown(out: &mut String, text: &str) {
    let mut kind = None;
    let mut happened = None;
    let mut cause = None;
    let mut fix: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("diagnosis: ") {
            kind = Some(rest.to_string());
        } else if let Some(rest) = line.strip_prefix("what happened: ") {
            happened = Some(rest.to_string());
        } else if let Some(rest) = line.strip_prefix("root cause: ") {
            cause = Some(rest.to_string());
        } else if line == "fix:" || line.is_empty() {
        } else if let Some((n, step)) = line.split_once(". ")
            && n.chars().all(|c| c.is_ascii_digit())
        {
            fix.push(step.to_string());
        } else {
            fence(out, "text", text);
            return;
        }
    }
    if let Some(k) = kind {
        let (name, title) = match k.split_once(" (") {
            Some((name, title)) => (name.to_string(), title.trim_end_matches(')').to_string()),
            None => (k.clone(), String::new()),
        };
        let _ = writeln!(out, "**{}** · {}\n", title, code(&name));
    }
    if let Some(h) = happened {
        let _ = writeln!(out, "**In this scenario:** {}\n", prose(&h));
    }
    if let Some(c) = cause {
        let _ = writeln!(out, "**Why it happens:** {}\n", authored(&c));
    }
    if !fix.is_empty() {
        out.push_str("**Fix:**\n\n");
        for (i, step) in fix.iter().enumerate() {
            let _ = writeln!(out, "{}. {}", i + 1, authored(step));
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Exchange;

    #[test]
    fn ids_in_diagram_paths_become_placeholders() {
        assert_eq!(
            short_path("/user_management/users/user_01JGFJJZ00XB0T4Y4ZZRMJYJVJ/connected_accounts"),
            "/user_management/users/{user_id}/connected_accounts"
        );
        assert_eq!(
            short_path("/data-integrations/84ae60915f63db286255d5605ef1c860/authorize-redirect"),
            "/data-integrations/{id}/authorize-redirect"
        );
        assert_eq!(short_path("/sso/callback/github"), "/sso/callback/github");
    }

    #[test]
    fn long_notes_are_wrapped_at_spaces() {
        let text = "rate limited by GitHub: waited 60 s before retrying (honouring Retry-After)";
        let w = wrapped(text);
        assert!(
            w.split("<br/>").all(|l| l.chars().count() <= NOTE_WIDTH),
            "{w}"
        );
        assert_eq!(w.replace("<br/>", " "), text);
    }

    #[test]
    fn the_diagnosis_reads_as_markdown_with_this_scenarios_cause_first() {
        let mut out = String::new();
        diagnosis_markdown(
            &mut out,
            "diagnosis: invalid_scope (Invalid scope)\n  what happened: GitHub said no.\n  root cause: Scopes differ.\n  fix:\n    1. Ask less.\n    2. Retry.",
        );
        assert_eq!(
            out,
            "**Invalid scope** · `invalid_scope`\n\n**In this scenario:** GitHub said no.\n\n**Why it happens:** Scopes differ.\n\n**Fix:**\n\n1. Ask less.\n2. Retry.\n\n"
        );
    }

    fn exchange(from: &str, method: &str, url: &str) -> Exchange {
        Exchange {
            from: from.to_string(),
            method: method.to_string(),
            url: url.to_string(),
            request_headers: Vec::new(),
            request_body: None,
            status: Some(200),
            response_headers: vec![("content-type".into(), "application/json".into())],
            response_body: Some("{\"ok\":true}".into()),
            error: None,
        }
    }

    fn recorder() -> Recorder {
        let r = Recorder::new();
        r.host("http://127.0.0.1:1000", "workos.test");
        r.host("http://127.0.0.1:2000", "github.test");
        r
    }

    #[test]
    fn a_call_made_while_answering_another_is_drawn_inside_it() {
        let r = recorder();
        let outer = r.begin();
        r.exchange(exchange("workos", "POST", "http://127.0.0.1:2000/token"));
        r.exchange_since(
            outer,
            exchange("browser", "GET", "http://127.0.0.1:1000/cb"),
        );
        let md = render(&Document::default(), &r);
        let lines: Vec<&str> = md.lines().map(str::trim).collect();
        let at = |needle: &str| {
            lines
                .iter()
                .position(|l| l.starts_with(needle))
                .unwrap_or_else(|| panic!("no line starting with {needle:?} in\n{md}"))
        };
        assert!(at("browser->>workos: (1) GET /cb") < at("workos->>github: (2) POST /token"));
        assert!(at("github-->>workos: 200 OK") < at("workos-->>browser: 200 OK"));
        assert!(md.contains("### 1. Browser → WorkOS (workos.test): `GET /cb`"));
        assert!(md.contains("WorkOS (workos.test) sends this while it answers exchange 1."));
    }

    #[test]
    fn the_harness_checks_are_listed_but_not_drawn() {
        let r = recorder();
        r.exchange(exchange("app", "GET", "http://127.0.0.1:2000/user"));
        r.exchange(exchange(
            "harness",
            "GET",
            "http://127.0.0.1:1000/user_management/users/u/connected_accounts/github",
        ));
        let md = render(&Document::default(), &r);
        assert!(md.contains("app->>github: (1) GET /user"), "{md}");
        assert!(!md.contains("participant harness"), "{md}");
        assert!(
            !md.contains("participant workos"),
            "only the check touched WorkOS: {md}"
        );
        assert!(!md.contains("(2) GET"), "{md}");
        assert!(
            md.contains("### 2. The harness (set-up and checks) → WorkOS (workos.test)"),
            "{md}"
        );
        assert!(md.contains("*Not the app's traffic:*"), "{md}");
    }

    #[test]
    fn secrets_become_placeholders_in_urls_headers_and_form_bodies() {
        let r = recorder();
        r.secret("client_secret", "s3cr3t/value+x");
        r.secret("code", "code-abcdef");
        let mut x = exchange(
            "workos",
            "POST",
            "http://127.0.0.1:2000/token?code=code-abcdef",
        );
        x.request_headers = vec![(
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        )];
        x.request_body = Some("client_secret=s3cr3t%2Fvalue%2Bx&code=code-abcdef".into());
        r.exchange(x);
        let md = render(&Document::default(), &r);
        assert!(!md.contains("s3cr3t"), "{md}");
        assert!(!md.contains("code-abcdef"), "{md}");
        assert!(
            md.contains("client_secret=<client_secret_1>&code=<code_1>"),
            "{md}"
        );
        assert!(md.contains("POST /token?code=<code_1> HTTP/1.1"), "{md}");
    }

    #[test]
    fn json_bodies_are_pretty_printed() {
        let r = recorder();
        r.exchange(exchange("app", "GET", "http://127.0.0.1:1000/x"));
        let md = render(&Document::default(), &r);
        assert!(md.contains("{\n  \"ok\": true\n}"), "{md}");
    }

    #[test]
    fn mermaid_text_cannot_break_the_diagram() {
        assert_eq!(mermaid_text("a;b#c<d>\ne"), "a#59;b#35;c#lt;d#gt; e");
    }

    #[test]
    fn a_fence_is_longer_than_any_backtick_run_inside() {
        let mut out = String::new();
        fence(&mut out, "text", "a ```` b");
        assert!(out.starts_with("`````text\n"), "{out}");
    }

    #[test]
    fn header_names_are_written_the_usual_way() {
        assert_eq!(header_name("x-request-id"), "X-Request-ID");
        assert_eq!(header_name("workos-signature"), "WorkOS-Signature");
        assert_eq!(
            header_name("x-ratelimit-remaining"),
            "X-RateLimit-Remaining"
        );
    }
}
