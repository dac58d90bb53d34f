//! The rendered transcripts in `docs/transcripts/` stay complete and in sync
//! with the feature library, and rendering is deterministic.
//!
//! After changing a feature, a step or a mock, regenerate the pages with
//!
//! ```sh
//! PIPES_HARNESS_UPDATE_DOCS=1 cargo test --test transcripts
//! ```
//!
//! and read the diff (`git diff docs/transcripts`) before committing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, PoisonError};

use pipes_harness::runner::transcripts::{self, Format, Rendered};
use pipes_harness::runner::{self, FeatureText, RunOptions};
use pipes_harness::steps::transcript::snapshot_name;

const UPDATE: &str = "PIPES_HARNESS_UPDATE_DOCS";

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

fn docs_dir() -> PathBuf {
    root().join("docs/transcripts")
}

/// The library, each file reported as `features/...` like everywhere else.
fn library() -> Vec<FeatureText> {
    runner::read_features(&[root().join("features")])
        .expect("features/ is readable")
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

fn render(format: Format) -> Vec<Rendered> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let (docs, _summary) = rt
        .block_on(transcripts::render(
            &library(),
            RunOptions::default(),
            format,
        ))
        .unwrap_or_else(|e| panic!("the library cannot run: {e}"));
    docs
}

/// Every file `docs/transcripts/` should hold, by name.
fn expected_pages(docs: &[Rendered]) -> BTreeMap<String, String> {
    let mut pages: BTreeMap<String, String> = docs
        .iter()
        .map(|d| (d.file_name(Format::Markdown), d.content.clone()))
        .collect();
    pages.insert("README.md".to_string(), transcripts::index(docs));
    pages
}

fn pages_on_disk() -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(docs_dir()) else {
        return BTreeMap::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            let text = std::fs::read_to_string(&p).ok()?;
            Some((name, text))
        })
        .collect()
}

#[test]
fn docs_transcripts_hold_every_scenario_of_the_library_as_rendered_now() {
    let _serial = serial();
    let docs = render(Format::Markdown);
    assert!(!docs.is_empty(), "the library has scenarios");
    let expected = expected_pages(&docs);
    let on_disk = pages_on_disk();

    if std::env::var(UPDATE).is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(docs_dir()).expect("docs/transcripts is writable");
        for (name, text) in &expected {
            if on_disk.get(name) != Some(text) {
                std::fs::write(docs_dir().join(name), text).expect("page is writable");
                eprintln!("wrote docs/transcripts/{name}");
            }
        }
        for name in on_disk.keys().filter(|n| !expected.contains_key(*n)) {
            std::fs::remove_file(docs_dir().join(name)).expect("stale page is removable");
            eprintln!("removed docs/transcripts/{name}");
        }
        return;
    }

    let mut problems = Vec::new();
    for (name, text) in &expected {
        match on_disk.get(name) {
            None => problems.push(format!("missing: docs/transcripts/{name}")),
            Some(committed) if committed != text => {
                let line = committed
                    .lines()
                    .zip(text.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or_else(|| committed.lines().count().min(text.lines().count()))
                    + 1;
                problems.push(format!(
                    "differs: docs/transcripts/{name} (first difference at line {line})"
                ));
            }
            Some(_) => {}
        }
    }
    for name in on_disk.keys().filter(|n| !expected.contains_key(*n)) {
        problems.push(format!(
            "stale: docs/transcripts/{name} (no scenario renders it any more)"
        ));
    }
    assert!(
        problems.is_empty(),
        "docs/transcripts is out of date with the feature library:\n  {}\n\
         Regenerate with `{UPDATE}=1 cargo test --test transcripts` and review `git diff docs/transcripts`.",
        problems.join("\n  ")
    );
}

#[test]
fn rendering_twice_gives_byte_identical_documents() {
    let _serial = serial();
    // YAML determinism is what the snapshots pin; Markdown adds its own
    // ordering (start ticks, participants), so it is checked here.
    let first = render(Format::Markdown);
    let second = render(Format::Markdown);
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.name, b.name);
        assert!(
            a.content == b.content,
            "{} differs between two runs",
            a.name
        );
    }
}

#[test]
fn the_yaml_format_is_exactly_the_snapshot_content() {
    let _serial = serial();
    for d in render(Format::Yaml) {
        let path = root().join("snapshots").join(format!("{}.snap", d.name));
        let Ok(snap) = std::fs::read_to_string(&path) else {
            panic!("{} has no snapshot at {}", d.name, path.display());
        };
        // insta files are `---\nsource: ...\n---\n` followed by the content.
        let body = snap
            .splitn(3, "---\n")
            .nth(2)
            .unwrap_or_else(|| panic!("{} is not an insta snapshot", path.display()));
        if body.trim_end() != d.content.trim_end() {
            let line = body
                .lines()
                .zip(d.content.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| body.lines().count().min(d.content.lines().count()))
                + 1;
            panic!(
                "{} renders differently from snapshots/{}.snap, first at line {line}: \
                 run `cargo test --test features` to see the snapshot diff",
                d.name, d.name
            );
        }
    }
}

#[test]
fn the_transcript_command_prints_the_committed_page_of_one_scenario() {
    let _serial = serial();
    // The first scenario of the library, found without running anything.
    let first = runner::selected(&library(), &RunOptions::default())
        .expect("the library parses")
        .into_iter()
        .next()
        .expect("the library has scenarios");
    let name = snapshot_name(&first.feature_path, &first.scenario);
    let committed = std::fs::read_to_string(docs_dir().join(format!("{name}.md")))
        .expect("the scenario has a committed page");
    let target = format!("{}:{}", first.feature_path, first.line);
    let out = Command::new(env!("CARGO_BIN_EXE_pipes-harness"))
        .current_dir(root())
        .args(["transcript", &target])
        .output()
        .expect("the binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout) == committed,
        "`pipes-harness transcript {target}` differs from docs/transcripts/{name}.md"
    );

    let dir =
        std::env::temp_dir().join(format!("pipes-harness-transcripts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_pipes-harness"))
        .current_dir(root())
        .args(["transcript", &target, "--format", "yaml", "--out"])
        .arg(&dir)
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(dir.join(format!("{name}.yaml")))
        .expect("one file per scenario, named like its snapshot");
    assert!(written.starts_with(&format!("feature: {}\n", first.feature_path)));
    let _ = std::fs::remove_dir_all(&dir);
}
