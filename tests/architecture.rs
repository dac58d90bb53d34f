//! The layers of `src/` point one way, as ARCHITECTURE.md draws them: a
//! module may use the modules below it, never one beside or above it.
//!
//! The check reads every `crate::<module>` path in every file of a
//! top-level module and fails naming the file, the line and the rule.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each top-level module and the modules it may use (besides itself).
/// Keep in step with ARCHITECTURE.md.
const RULES: &[(&str, &[&str])] = &[
    ("common", &[]),
    ("provider", &["common"]),
    ("transcript", &["common", "provider"]),
    ("diagnosis", &["common", "provider"]),
    (
        "providers",
        &["common", "provider", "transcript", "diagnosis"],
    ),
    (
        "client",
        &["common", "provider", "transcript", "diagnosis", "providers"],
    ),
    (
        "mock",
        &["common", "provider", "transcript", "diagnosis", "providers"],
    ),
    (
        "serve",
        &[
            "common",
            "provider",
            "transcript",
            "diagnosis",
            "providers",
            "mock",
        ],
    ),
    (
        "harness",
        &[
            "common",
            "provider",
            "transcript",
            "diagnosis",
            "providers",
            "client",
            "mock",
        ],
    ),
    (
        "apps",
        &[
            "common",
            "provider",
            "transcript",
            "diagnosis",
            "providers",
            "client",
            "mock",
        ],
    ),
    (
        "doctor",
        &[
            "common",
            "provider",
            "transcript",
            "diagnosis",
            "providers",
            "client",
            "apps",
        ],
    ),
    (
        "steps",
        &[
            "common",
            "provider",
            "transcript",
            "diagnosis",
            "providers",
            "client",
            "mock",
            "harness",
            "apps",
        ],
    ),
    (
        "runner",
        &[
            "common",
            "provider",
            "transcript",
            "diagnosis",
            "providers",
            "client",
            "mock",
            "harness",
            "apps",
            "steps",
        ],
    ),
    (
        "cli",
        &[
            "common",
            "provider",
            "transcript",
            "diagnosis",
            "providers",
            "client",
            "mock",
            "harness",
            "apps",
            "serve",
            "doctor",
            "steps",
            "runner",
        ],
    ),
    (
        "tests",
        &[
            "common",
            "provider",
            "transcript",
            "diagnosis",
            "providers",
            "client",
            "mock",
            "harness",
            "apps",
            "serve",
            "doctor",
            "steps",
            "runner",
            "cli",
        ],
    ),
];

/// One import against the rules.
#[derive(Debug, PartialEq, Eq)]
struct Violation {
    file: String,
    line: usize,
    from: String,
    to: String,
}

/// The top-level module a file under `src/` belongs to (`src/mock/x.rs` ->
/// `mock`, `src/doctor.rs` -> `doctor`); `None` for the crate root and the
/// binary, which may use everything.
fn module_of(rel: &str) -> Option<String> {
    let first = rel.split('/').next()?;
    let name = first.trim_end_matches(".rs");
    match name {
        "lib" | "main" | "embedded" => None,
        _ => Some(name.to_string()),
    }
}

/// The imports of `text` (a file of module `from`) that break the rules.
fn violations(file: &str, from: &str, text: &str) -> Vec<Violation> {
    let rules: BTreeMap<&str, &[&str]> = RULES.iter().copied().collect();
    let Some(allowed) = rules.get(from) else {
        return vec![Violation {
            file: file.to_string(),
            line: 0,
            from: from.to_string(),
            to: "(no rule: add the module to ARCHITECTURE.md and RULES)".to_string(),
        }];
    };
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let to: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let braced = after.starts_with('{');
            if braced {
                // `crate::{a, b::c}`: every name in the braces.
                let inner = after[1..].split('}').next().unwrap_or("");
                for part in inner.split(',') {
                    let to = part.trim().split("::").next().unwrap_or("").to_string();
                    check(&mut out, file, n + 1, from, &to, allowed);
                }
            } else {
                check(&mut out, file, n + 1, from, &to, allowed);
            }
            rest = after;
        }
    }
    out
}

fn check(
    out: &mut Vec<Violation>,
    file: &str,
    line: usize,
    from: &str,
    to: &str,
    allowed: &[&str],
) {
    if to.is_empty() || to == from || allowed.contains(&to) {
        return;
    }
    out.push(Violation {
        file: file.to_string(),
        line,
        from: from.to_string(),
        to: to.to_string(),
    });
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(
        files.len() > 20,
        "found the sources under {}",
        src.display()
    );
    let mut all = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(&src)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let Some(from) = module_of(&rel) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        all.extend(violations(&format!("src/{rel}"), &from, &text));
    }
    let report: Vec<String> = all
        .iter()
        .map(|v| {
            format!(
                "{}:{}: {} uses {}, which is not below it",
                v.file, v.line, v.from, v.to
            )
        })
        .collect();
    assert!(
        report.is_empty(),
        "imports against ARCHITECTURE.md:\n{}",
        report.join("\n")
    );
}

#[test]
fn a_mock_file_that_imports_the_client_is_refused() {
    let text = "use crate::transcript::Recorder;\nuse crate::client::webhooks::verify;\n";
    assert_eq!(
        violations("src/mock/workos/webhooks.rs", "mock", text),
        vec![Violation {
            file: "src/mock/workos/webhooks.rs".into(),
            line: 2,
            from: "mock".into(),
            to: "client".into(),
        }]
    );
}

#[test]
fn braced_and_inline_paths_are_read_too() {
    let text =
        "use crate::{common::clock::Clock, steps::PipesWorld};\nlet x = crate::runner::run();\n";
    let found: Vec<String> = violations("src/client/x.rs", "client", text)
        .into_iter()
        .map(|v| format!("{}:{}", v.line, v.to))
        .collect();
    assert_eq!(found, vec!["1:steps", "2:runner"]);
}

#[test]
fn a_new_top_level_module_needs_a_rule() {
    let found = violations("src/extra.rs", "extra", "use crate::common::clock::Clock;");
    assert_eq!(found.len(), 1);
    assert!(found[0].to.contains("no rule"));
}

#[test]
fn the_crate_root_and_the_binary_may_use_everything() {
    assert_eq!(module_of("lib.rs"), None);
    assert_eq!(module_of("main.rs"), None);
    assert_eq!(module_of("mock/workos/state.rs"), Some("mock".into()));
    assert_eq!(module_of("doctor.rs"), Some("doctor".into()));
}
