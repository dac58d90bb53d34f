//! `control-api.json` is the one description of serve's control API: this
//! test checks it against the routes a running `serve` lists at
//! `GET /_harness`, against the fault catalogue and the providers, sends each
//! operation's example body to serve, and renders the Python and JavaScript
//! clients from it, failing when the committed clients differ. After an
//! intended change to the description, regenerate the clients with
//!
//! ```sh
//! PIPES_HARNESS_UPDATE_CLIENTS=1 cargo test --test control_api
//! ```

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Map, Value};

const BIN: &str = env!("CARGO_BIN_EXE_pipes-harness");
const UPDATE: &str = "PIPES_HARNESS_UPDATE_CLIENTS";
const HEADER: &str = "Generated from control-api.json; do not edit. Regenerate with \
                      `PIPES_HARNESS_UPDATE_CLIENTS=1 cargo test --test control_api`.";
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn spec() -> Value {
    let path = repo().join("control-api.json");
    let text = std::fs::read_to_string(&path).expect("control-api.json is readable");
    serde_json::from_str(&text).expect("control-api.json is JSON")
}

/// Follows a local `$ref` (`#/components/...`).
fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r.strip_prefix('#').expect("a local $ref");
            resolve(
                spec,
                spec.pointer(pointer)
                    .unwrap_or_else(|| panic!("{r} exists")),
            )
        }
        None => v,
    }
}

/// The name a `$ref` points at (`#/components/schemas/Provider` -> `Provider`).
fn ref_name(v: &Value) -> Option<&str> {
    v.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
}

#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Str,
    Int,
    Num,
    Bool,
    /// A JSON object with any fields.
    Object,
    Array(Box<Ty>),
}

fn ty(name: &str, s: &Value) -> Ty {
    match s["type"].as_str() {
        Some("string") => Ty::Str,
        Some("integer") => Ty::Int,
        Some("number") => Ty::Num,
        Some("boolean") => Ty::Bool,
        Some("object") => Ty::Object,
        Some("array") => Ty::Array(Box::new(ty(name, &s["items"]))),
        other => panic!("field {name}: unsupported type {other:?}"),
    }
}

#[derive(Debug)]
struct Field {
    name: String,
    /// A named schema (`Provider`, `FaultName`) or an inline enum, else a plain type.
    named: Option<String>,
    choices: Vec<String>,
    ty: Ty,
    required: bool,
    doc: String,
}

#[derive(Debug)]
struct Operation {
    id: String,
    method: String,
    path: String,
    summary: String,
    /// Path parameters, in the path's order.
    params: Vec<Field>,
    /// Query parameters.
    query: Vec<Field>,
    /// `None`: a GET without a body; `Some([])`: a bodiless POST/DELETE (sends `{}`).
    body: Option<Vec<Field>>,
    example: Option<Value>,
}

fn field(spec: &Value, name: &str, schema: &Value, required: bool) -> Field {
    let named = ref_name(schema).map(str::to_string);
    let s = resolve(spec, schema);
    let choices = s["enum"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Field {
        name: name.to_string(),
        named,
        choices,
        ty: ty(name, s),
        required,
        doc: s["description"].as_str().unwrap_or_default().to_string(),
    }
}

fn operations(spec: &Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    let paths = spec["paths"].as_object().expect("paths");
    for (path, item) in paths {
        let shared: Vec<Value> = item["parameters"].as_array().cloned().unwrap_or_default();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let own: Vec<Value> = op["parameters"].as_array().cloned().unwrap_or_default();
            let (mut params, mut query) = (Vec::new(), Vec::new());
            for p in shared.iter().chain(&own) {
                let p = resolve(spec, p);
                let name = p["name"].as_str().expect("a parameter name");
                let required = p["required"].as_bool().unwrap_or(false);
                let mut f = field(spec, name, &p["schema"], required);
                if f.doc.is_empty() {
                    f.doc = p["description"].as_str().unwrap_or_default().to_string();
                }
                match p["in"].as_str() {
                    Some("path") => params.push(Field {
                        required: true,
                        ..f
                    }),
                    Some("query") => query.push(f),
                    other => panic!("parameter {name}: unsupported location {other:?}"),
                }
            }
            let (body, example) = match op.get("requestBody") {
                None => (None, None),
                Some(rb) => {
                    let media = &resolve(spec, rb)["content"]["application/json"];
                    let schema = resolve(spec, &media["schema"]);
                    let required: BTreeSet<&str> = schema["required"]
                        .as_array()
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let fields = schema["properties"]
                        .as_object()
                        .map(|props| {
                            props
                                .iter()
                                .map(|(n, s)| field(spec, n, s, required.contains(n.as_str())))
                                .collect()
                        })
                        .unwrap_or_default();
                    (Some(fields), media.get("example").cloned())
                }
            };
            ops.push(Operation {
                id: op["operationId"].as_str().expect("operationId").to_string(),
                method: method.to_uppercase(),
                path: path.clone(),
                summary: op["summary"].as_str().unwrap_or_default().to_string(),
                params,
                query,
                body,
                example,
            });
        }
    }
    ops
}

fn snake(camel: &str) -> String {
    let mut out = String::new();
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Wraps `text` at 88 columns, each line starting with `indent`.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > width {
            lines.push(format!("{indent}{line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(format!("{indent}{line}"));
    }
    lines.join("\n")
}

fn named_schemas(spec: &Value) -> Vec<(String, Vec<String>)> {
    spec["components"]["schemas"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(name, s)| {
                    let choices = s["enum"].as_array()?;
                    Some((
                        name.clone(),
                        choices
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- Python

fn py_scalar(ty: &Ty) -> String {
    match ty {
        Ty::Str => "str".into(),
        Ty::Int => "int".into(),
        Ty::Num => "float".into(),
        Ty::Bool => "bool".into(),
        Ty::Object => "Dict[str, Any]".into(),
        Ty::Array(item) => format!("List[{}]", py_scalar(item)),
    }
}

fn py_type(f: &Field) -> String {
    if let Some(n) = &f.named {
        return n.clone();
    }
    if !f.choices.is_empty() {
        let quoted: Vec<String> = f.choices.iter().map(|c| format!("\"{c}\"")).collect();
        return format!("Literal[{}]", quoted.join(", "));
    }
    py_scalar(&f.ty)
}

fn py_path(op: &Operation) -> String {
    if op.params.is_empty() {
        return format!("\"{}\"", op.path);
    }
    let mut path = op.path.clone();
    for p in &op.params {
        path = path.replace(
            &format!("{{{}}}", p.name),
            &format!("{{_segment({})}}", p.name),
        );
    }
    format!("f\"{path}\"")
}

/// `{"a": a, "b": b}` on one line, or one entry per line when too long.
fn py_dict(fields: &[Field], indent: &str) -> String {
    let items: Vec<String> = fields
        .iter()
        .map(|f| format!("\"{}\": {}", f.name, f.name))
        .collect();
    let one_line = format!("{{{}}}", items.join(", "));
    if indent.len() + one_line.len() < 80 {
        return one_line;
    }
    let inner: Vec<String> = items.iter().map(|i| format!("{indent}    {i},")).collect();
    format!("{{\n{}\n{indent}}}", inner.join("\n"))
}

fn render_python(spec: &Value) -> String {
    let mut out = String::new();
    out.push_str(&format!("# {HEADER}\n"));
    out.push_str(
        "\"\"\"The typed client of serve's control API, one method per operation.\"\"\"\n\n\
         from __future__ import annotations\n\n\
         from typing import Any, Dict, List, Literal, Optional\n\n\
         from ._transport import ControlTransport, _segment\n\n",
    );
    for (name, choices) in named_schemas(spec) {
        let quoted: Vec<String> = choices.iter().map(|c| format!("    \"{c}\",")).collect();
        out.push_str(&format!("{name} = Literal[\n{}\n]\n", quoted.join("\n")));
    }
    out.push_str(
        "\n\nclass ControlClient(ControlTransport):\n    \
         \"\"\"serve's control API. Every method raises `ControlApiError` with the\n    \
         server's message when serve refuses the call.\"\"\"\n",
    );
    for op in operations(spec) {
        let body = op.body.as_deref().unwrap_or_default();
        let inputs: Vec<&Field> = body.iter().chain(&op.query).collect();
        let mut args = vec!["self".to_string()];
        for p in &op.params {
            args.push(format!("{}: {}", p.name, py_type(p)));
        }
        for f in inputs.iter().filter(|f| f.required) {
            args.push(format!("{}: {}", f.name, py_type(f)));
        }
        let optional: Vec<&&Field> = inputs.iter().filter(|f| !f.required).collect();
        if !optional.is_empty() {
            args.push("*".into());
            for f in &optional {
                args.push(format!("{}: Optional[{}] = None", f.name, py_type(f)));
            }
        }
        let name = snake(&op.id);
        let signature = format!("    def {name}({}) -> Dict[str, Any]:", args.join(", "));
        if signature.len() <= 88 {
            out.push_str(&format!("\n{signature}\n"));
        } else {
            out.push_str(&format!("\n    def {name}(\n"));
            for a in &args {
                out.push_str(&format!("        {a},\n"));
            }
            out.push_str("    ) -> Dict[str, Any]:\n");
        }
        let mut doc = format!("{} `{} {}`.", op.summary, op.method, op.path);
        for f in inputs.iter().filter(|f| !f.doc.is_empty()) {
            doc.push_str(&format!("\n`{}`: {}", f.name, f.doc));
        }
        let doc_lines: Vec<String> = doc.lines().map(|l| wrap(l, "        ", 88)).collect();
        out.push_str(&format!(
            "        \"\"\"\n{}\n        \"\"\"\n",
            doc_lines.join("\n")
        ));
        let mut call_args = vec![format!("\"{}\"", op.method), py_path(&op)];
        call_args.push(match &op.body {
            None => "None".to_string(),
            Some(fields) => py_dict(fields, "            "),
        });
        if !op.query.is_empty() {
            call_args.push(py_dict(&op.query, "            "));
        }
        let call = format!("        return self._request({})", call_args.join(", "));
        if call.len() <= 88 && !call.contains('\n') {
            out.push_str(&format!("{call}\n"));
        } else {
            out.push_str("        return self._request(\n");
            for a in &call_args {
                out.push_str(&format!("            {a},\n"));
            }
            out.push_str("        )\n");
        }
    }
    if !out.contains("List[") {
        out = out.replacen("Dict, List, Literal", "Dict, Literal", 1);
    }
    out
}

// ------------------------------------------------------------ JavaScript

fn ts_scalar(ty: &Ty) -> String {
    match ty {
        Ty::Str => "string".into(),
        Ty::Int | Ty::Num => "number".into(),
        Ty::Bool => "boolean".into(),
        Ty::Object => "Record<string, unknown>".into(),
        Ty::Array(item) => format!("Array<{}>", ts_scalar(item)),
    }
}

fn ts_type(f: &Field) -> String {
    if let Some(n) = &f.named {
        return n.clone();
    }
    if !f.choices.is_empty() {
        let quoted: Vec<String> = f.choices.iter().map(|c| format!("'{c}'")).collect();
        return quoted.join(" | ");
    }
    ts_scalar(&f.ty)
}

fn js_path(op: &Operation) -> String {
    if op.params.is_empty() {
        return format!("'{}'", op.path);
    }
    let mut path = op.path.clone();
    for p in &op.params {
        path = path.replace(
            &format!("{{{}}}", p.name),
            &format!("${{segment({})}}", camel(&p.name)),
        );
    }
    format!("`{path}`")
}

/// `{ a, b_c: bC, ...pick('op', options, { d: 'd' }) }`: required fields from
/// the arguments, optional ones from the options object. `also` lists the
/// options that belong elsewhere (the query of an operation that also has a
/// body), so they are not refused as unknown.
fn js_object(op_id: &str, fields: &[Field], also: &[&Field]) -> String {
    let mut items: Vec<String> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| {
            if camel(&f.name) == f.name {
                f.name.clone()
            } else {
                format!("{}: {}", f.name, camel(&f.name))
            }
        })
        .collect();
    let optional: Vec<String> = fields
        .iter()
        .filter(|f| !f.required)
        .map(|f| format!("{}: '{}'", camel(&f.name), f.name))
        .collect();
    if !optional.is_empty() {
        let others: Vec<String> = also
            .iter()
            .map(|f| format!("'{}'", camel(&f.name)))
            .collect();
        let others = if others.is_empty() {
            String::new()
        } else {
            format!(", [{}]", others.join(", "))
        };
        items.push(format!(
            "...pick('{op_id}', options, {{ {} }}{others})",
            optional.join(", ")
        ));
    }
    if items.is_empty() {
        "{}".to_string()
    } else {
        format!("{{ {} }}", items.join(", "))
    }
}

fn js_doc(op: &Operation) -> String {
    format!(
        "{} `{} {}`",
        op.summary.replace("*/", "* /"),
        op.method,
        op.path
    )
}

fn render_js(spec: &Value) -> String {
    let mut out = String::new();
    out.push_str(&format!("// {HEADER}\n"));
    out.push_str(
        "// The client of serve's control API, one method per operation.\n\
         'use strict';\n\n\
         const { ControlTransport, segment, pick } = require('./transport');\n\n\
         class ControlClient extends ControlTransport {\n",
    );
    for op in operations(spec) {
        let body = op.body.as_deref().unwrap_or_default();
        let inputs: Vec<&Field> = body.iter().chain(&op.query).collect();
        let mut args: Vec<String> = op.params.iter().map(|p| camel(&p.name)).collect();
        args.extend(inputs.iter().filter(|f| f.required).map(|f| camel(&f.name)));
        if inputs.iter().any(|f| !f.required) {
            args.push("options = {}".into());
        }
        out.push_str(&format!("  /** {} */\n", js_doc(&op)));
        out.push_str(&format!("  {}({}) {{\n", op.id, args.join(", ")));
        let mut call = vec![format!("'{}'", op.method), js_path(&op)];
        call.push(match &op.body {
            None => "undefined".to_string(),
            Some(fields) => {
                let also: Vec<&Field> = op.query.iter().filter(|f| !f.required).collect();
                js_object(&op.id, fields, &also)
            }
        });
        if !op.query.is_empty() {
            let also: Vec<&Field> = body.iter().filter(|f| !f.required).collect();
            call.push(js_object(&op.id, &op.query, &also));
        }
        out.push_str(&format!(
            "    return this.request({});\n  }}\n\n",
            call.join(", ")
        ));
    }
    out.truncate(out.trim_end().len());
    out.push_str("\n}\n\nmodule.exports = { ControlClient };\n");
    out
}

fn render_dts(spec: &Value) -> String {
    let mut out = String::new();
    out.push_str(&format!("// {HEADER}\n\n"));
    out.push_str("import { ControlTransport } from './transport';\n\n");
    for (name, choices) in named_schemas(spec) {
        let quoted: Vec<String> = choices.iter().map(|c| format!("  | '{c}'")).collect();
        out.push_str(&format!("export type {name} =\n{};\n", quoted.join("\n")));
    }
    let ops = operations(spec);
    for op in &ops {
        let body = op.body.as_deref().unwrap_or_default();
        let optional: Vec<&Field> = body
            .iter()
            .chain(&op.query)
            .filter(|f| !f.required)
            .collect();
        if optional.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\nexport interface {}Options {{\n",
            upper_first(&op.id)
        ));
        for f in optional {
            if !f.doc.is_empty() {
                out.push_str(&format!("  /** {} */\n", f.doc));
            }
            out.push_str(&format!("  {}?: {};\n", camel(&f.name), ts_type(f)));
        }
        out.push_str("}\n");
    }
    out.push_str(
        "\n/** serve's control API; every method rejects with a ControlApiError carrying the server's message. */\n\
         export class ControlClient extends ControlTransport {\n",
    );
    for op in &ops {
        let body = op.body.as_deref().unwrap_or_default();
        let inputs: Vec<&Field> = body.iter().chain(&op.query).collect();
        let mut args: Vec<String> = op
            .params
            .iter()
            .map(|p| format!("{}: {}", camel(&p.name), ts_type(p)))
            .collect();
        args.extend(
            inputs
                .iter()
                .filter(|f| f.required)
                .map(|f| format!("{}: {}", camel(&f.name), ts_type(f))),
        );
        if inputs.iter().any(|f| !f.required) {
            args.push(format!("options?: {}Options", upper_first(&op.id)));
        }
        out.push_str(&format!(
            "  /** {} */\n  {}({}): Promise<Record<string, any>>;\n",
            js_doc(op),
            op.id,
            args.join(", ")
        ));
    }
    out.push_str("}\n");
    out
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

// ---------------------------------------------------------------- checks

fn check_generated(rel: &str, rendered: &str) {
    let path = repo().join(rel);
    if std::env::var_os(UPDATE).is_some() {
        std::fs::write(&path, rendered).unwrap_or_else(|e| panic!("write {rel}: {e}"));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "{rel} is not what control-api.json generates; regenerate with \
         `{UPDATE}=1 cargo test --test control_api` and commit the result"
    );
}

#[test]
fn the_python_client_is_generated_from_the_description() {
    check_generated("python/pipes_harness/_control.py", &render_python(&spec()));
}

#[test]
fn the_javascript_client_is_generated_from_the_description() {
    let spec = spec();
    check_generated("npm/pipes-harness/control.js", &render_js(&spec));
    check_generated("npm/pipes-harness/control.d.ts", &render_dts(&spec));
}

#[test]
fn the_fault_and_provider_lists_match_the_catalogue() {
    let spec = spec();
    let named: Map<String, Value> = named_schemas(&spec)
        .into_iter()
        .map(|(n, c)| (n, Value::from(c)))
        .collect();
    let faults: Vec<&str> = pipes_harness::FAULT_NAMES.to_vec();
    assert_eq!(named["FaultName"], Value::from(faults), "FaultName enum");
    let slugs: Vec<&str> = pipes_harness::ProviderKind::ALL
        .iter()
        .map(|k| k.slug())
        .collect();
    assert_eq!(named["Provider"], Value::from(slugs), "Provider enum");
}

/// `serve --port 0` on the SDK seed, stopped on drop.
struct Serve {
    child: Child,
    workos: String,
}

impl Serve {
    fn start() -> Self {
        let seed = repo().join("fixtures/seed/sdk.yaml");
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0", "--seed"])
            .arg(&seed)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut workos = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("stdout is UTF-8");
            if line == "ready" {
                break;
            }
            if let Some(url) = line.strip_prefix("workos ") {
                workos = Some(url.to_string());
            }
        }
        let workos = workos.expect("serve prints its workos URL before ready");
        Serve { child, workos }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a reqwest client")
}

#[tokio::test]
async fn the_description_has_exactly_the_routes_serve_lists() {
    let serve = Serve::start();
    let index: Value = client()
        .get(format!("{}/_harness", serve.workos))
        .header("content-type", "application/json")
        .send()
        .await
        .expect("GET /_harness answers")
        .json()
        .await
        .expect("the index is JSON");
    let served: BTreeSet<String> = index["data"]
        .as_array()
        .expect("a list of routes")
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap_or("?"),
                r["path"].as_str().unwrap_or("?")
            )
        })
        .collect();
    let described: BTreeSet<String> = operations(&spec())
        .iter()
        .map(|op| format!("{} {}", op.method, op.path))
        .collect();
    let missing: Vec<&String> = served.difference(&described).collect();
    let stale: Vec<&String> = described.difference(&served).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "control-api.json drifted from serve: serve lists {missing:?} that the description lacks; \
         the description has {stale:?} that serve does not list"
    );
}

#[tokio::test]
async fn every_example_body_is_accepted_by_serve() {
    let serve = Serve::start();
    let http = client();
    for op in operations(&spec()) {
        let Some(example) = &op.example else { continue };
        // A built-in provider's slug, or a custom one for the custom routes.
        let slug = if op.path.starts_with("/_harness/custom_providers/") {
            "acme"
        } else {
            "github"
        };
        let path = op.path.replace("{slug}", slug);
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).expect("a method");
        let resp = http
            .request(method, format!("{}{path}", serve.workos))
            .header("content-type", "application/json")
            .body(example.to_string())
            .send()
            .await
            .expect("serve answers");
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        assert!(
            status.is_success(),
            "{} {path} with the example {example} answered {status}: {body}",
            op.method
        );
    }
}

/// A route with a query, an array field and a mixed options object, as later
/// routes may have: both clients take them.
#[test]
fn query_parameters_and_arrays_reach_both_clients() {
    let spec: Value = serde_json::from_str(
        r##"{"paths": {"/_harness/providers/{slug}/requests": {
            "parameters": [{"name": "slug", "in": "path", "required": true, "schema": {"type": "string"}}],
            "post": {"operationId": "replayRequests", "summary": "Replays.",
              "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
              "requestBody": {"content": {"application/json": {"schema": {"type": "object",
                "required": ["ids"],
                "properties": {"ids": {"type": "array", "items": {"type": "string"}},
                               "dry_run": {"type": "boolean"}}}}}}}}},
          "components": {"schemas": {}}}"##,
    )
    .expect("a small description");
    let py = render_python(&spec);
    assert!(py.contains("ids: List[str]"), "{py}");
    assert!(py.contains("limit: Optional[int] = None"), "{py}");
    assert!(py.contains(r#"{"limit": limit}"#), "{py}");
    let js = render_js(&spec);
    assert!(
        js.contains("replayRequests(slug, ids, options = {})"),
        "{js}"
    );
    assert!(
        js.contains("pick('replayRequests', options, { dryRun: 'dry_run' }, ['limit'])"),
        "{js}"
    );
    assert!(
        js.contains("pick('replayRequests', options, { limit: 'limit' }, ['dryRun'])"),
        "{js}"
    );
    let dts = render_dts(&spec);
    assert!(dts.contains("ids: Array<string>"), "{dts}");
    assert!(dts.contains("limit?: number;"), "{dts}");
}
