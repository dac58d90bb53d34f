//! Runs the feature library against fresh stacks and checks each scenario's
//! transcript against its snapshot in `snapshots/`.
//!
//! Snapshots are compared after the run, all of them, so one mismatch does
//! not hide the next; when the whole library ran, a snapshot file no scenario
//! produced fails the run too.
//!
//! It takes the same selection and reporting options as `pipes-harness run`,
//! as arguments after `--` or as environment variables (which reach it even
//! through a plain `cargo test`, where arguments would also go to every other
//! test binary):
//!
//! ```sh
//! cargo test --test features -- --junit target/junit.xml --json target/cucumber.json
//! cargo test --test features -- features/connect/github.feature:9
//! cargo test --test features -- --tags "@github" --shard 2/4 --fail-fast
//! cargo test --test features -- redirect          # scenarios whose name contains "redirect"
//! PIPES_HARNESS_JUNIT=target/junit.xml PIPES_HARNESS_SHARD=1/4 cargo test
//! ```
//!
//! Environment: `PIPES_HARNESS_TAGS`, `PIPES_HARNESS_JUNIT`, `PIPES_HARNESS_JSON`,
//! `PIPES_HARNESS_SHARD`, `PIPES_HARNESS_FAIL_FAST=1`. libtest's own flags
//! (`--nocapture`, `--test-threads N`, ...) are accepted and ignored; a plain
//! word is a name filter, as with libtest. Exit codes as `pipes-harness run`:
//! 0 passed, 1 a scenario failed (or a snapshot differs), 2 bad usage or input.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use pipes_harness::runner::{self, RunOptions, test_args};
use pipes_harness::steps::transcript::snapshot_name;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn main() {
    let args = match test_args::parse(
        std::env::args().skip(1),
        |k| std::env::var(k).ok(),
        |p| root().join(p).is_dir(),
    ) {
        Ok(a) => a,
        Err(e) => fail(&e),
    };
    if args.ignored_only {
        // No scenario is ignored; libtest would run nothing.
        println!("0 scenarios: none is ignored");
        return;
    }
    let (files, lines) = runner::split_targets(&args.targets);
    let files = if files.is_empty() {
        vec![PathBuf::from("features")]
    } else {
        files
    };
    let texts =
        match runner::read_features(&files.iter().map(|f| root().join(f)).collect::<Vec<_>>()) {
            Ok(t) => t
                .into_iter()
                .map(|mut t| {
                    t.path = relative(&t.path);
                    t
                })
                .collect::<Vec<_>>(),
            Err(e) => fail(&format!("{e}")),
        };
    let mut opts = RunOptions {
        tags: args.tags.clone(),
        lines,
        names: args.names.clone(),
        shard: args.shard,
        fail_fast: args.fail_fast,
        junit: args.junit.clone(),
        json: args.json.clone(),
        github_annotations: runner::in_github_actions(),
        rerun: Some("cargo run --".to_string()),
        ..RunOptions::default()
    };
    if args.list {
        match runner::selected(&texts, &opts) {
            Ok(list) => {
                for s in list {
                    println!("{}:{}: {}: test", s.feature_path, s.line, s.scenario);
                }
                return;
            }
            Err(e) => fail(&format!("{e}")),
        }
    }
    let taken: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let sink = Arc::clone(&taken);
    opts.after = Some(Arc::new(move |f: runner::Finished<'_>| {
        let path = f
            .feature
            .path
            .as_ref()
            .map(|p| relative(&p.display().to_string()))
            .unwrap_or_default();
        if let Some(world) = f.world {
            let name = snapshot_name(&path, &runner::scenario_label(f.scenario));
            let yaml = world.transcript_yaml(&path, &f.scenario.name);
            sink.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((name, yaml));
        }
    }));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&format!("cannot start the tokio runtime: {e}")));
    let summary = match runtime.block_on(runner::run(&texts, opts)) {
        Ok(s) => s,
        Err(e) => fail(&format!("{e}")),
    };
    let mut snapshots = std::mem::take(&mut *taken.lock().unwrap_or_else(|e| e.into_inner()));
    snapshots.sort();
    let complete = args.is_full() && !(args.fail_fast && summary.failed > 0);
    let mismatches = check_snapshots(&root().join("snapshots"), &snapshots, complete);
    println!(
        "{} passed, {} failed",
        summary.passed,
        summary.failed + mismatches
    );
    if summary.scenarios == 0 && args.is_full() {
        fail("the feature library has no scenario");
    }
    if summary.failed > 0 || mismatches > 0 {
        std::process::exit(1);
    }
}

/// `/repo/features/a.feature` → `features/a.feature`.
fn relative(path: &str) -> String {
    let root = format!("{}/", root().display());
    path.strip_prefix(&root).unwrap_or(path).replace('\\', "/")
}

fn check_snapshots(dir: &Path, snapshots: &[(String, String)], complete: bool) -> usize {
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
    if complete {
        failures += unreferenced(dir, &names);
    }
    failures
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
