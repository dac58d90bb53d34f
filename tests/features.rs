//! Runs the whole feature library against fresh stacks and checks each
//! scenario's transcript against its snapshot in `snapshots/`.
//!
//! Snapshots are compared after the run, all of them, so one mismatch does
//! not hide the next; a snapshot file no scenario produced fails the run too.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use pipes_harness::runner::{self, RunOptions};
use pipes_harness::steps::transcript::snapshot_name;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let texts = match runner::read_features(&[root.join("features")]) {
        Ok(t) => t,
        Err(e) => fail(&format!("{e}")),
    };
    let taken: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let sink = Arc::clone(&taken);
    let opts = RunOptions {
        after: Some(Arc::new(move |f: runner::Finished<'_>| {
            let path = f
                .feature
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let rel = path
                .strip_prefix(&format!("{}/", root_str()))
                .unwrap_or(&path)
                .to_string();
            if let Some(world) = f.world {
                let name = snapshot_name(&rel, &scenario_label(f.scenario));
                let yaml = world.transcript_yaml(&rel, &f.scenario.name);
                sink.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((name, yaml));
            }
        })),
        ..RunOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&format!("cannot start the tokio runtime: {e}")));
    let summary = match runtime.block_on(runner::run(&texts, opts)) {
        Ok(s) => s,
        Err(e) => fail(&format!("{e}")),
    };
    let snapshots = std::mem::take(&mut *taken.lock().unwrap_or_else(|e| e.into_inner()));
    let mismatches = check_snapshots(&root.join("snapshots"), &snapshots);
    println!(
        "{} passed, {} failed",
        summary.passed,
        summary.failed + summary.errors + mismatches
    );
    if !summary.ok() || mismatches > 0 {
        std::process::exit(1);
    }
}

fn root_str() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

/// An expanded Scenario Outline row gets its line so names stay unique.
fn scenario_label(s: &cucumber::gherkin::Scenario) -> String {
    if s.examples.is_empty() {
        s.name.clone()
    } else {
        format!("{} line {}", s.name, s.position.line)
    }
}

fn check_snapshots(dir: &Path, snapshots: &[(String, String)]) -> usize {
    let mut failures = 0;
    let mut names = BTreeSet::new();
    for (name, yaml) in snapshots {
        if !names.insert(name.clone()) {
            eprintln!("two scenarios produce the snapshot name {name}: rename one of them");
            failures += 1;
            continue;
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(name.as_str(), yaml));
        }));
        if result.is_err() {
            failures += 1;
        }
    }
    failures + unreferenced(dir, &names)
}

fn unreferenced(dir: &Path, names: &BTreeSet<String>) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut stale: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "snap"))
        .filter(|p| {
            p.file_stem()
                .and_then(|s| s.to_str())
                .is_none_or(|s| !names.contains(s))
        })
        .collect();
    stale.sort();
    for p in &stale {
        eprintln!(
            "unreferenced snapshot {}: no scenario produces it; delete it or restore its scenario",
            p.display()
        );
    }
    stale.len()
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2);
}
