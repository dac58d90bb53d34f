//! Runs feature files against fresh stacks: the engine behind both
//! `pipes-harness run`, `pipes-harness transcript` and `cargo test`.
//!
//! Features are parsed here, before cucumber sees them, so a malformed file
//! is reported as bad input (naming the file and position) rather than as a
//! failed scenario. Every step of the selected scenarios is matched against
//! the step definitions before anything runs: an undefined or ambiguous step
//! is bad input too, reported with its text and `file:line`, and the run does
//! not start. Hence the exit-code contract the binaries keep: 0 every
//! scenario passed, 1 a scenario failed, 2 bad usage or bad input.
//!
//! Selection (tags, `file:line`, name filters, `--shard I/N`) happens in one
//! place, `Selection`, used both for the up-front step check and as
//! cucumber's filter. Reports: cucumber's JSON writer for `--json`, our own
//! JUnit XML for `--junit` (see [`report`]), GitHub Actions annotations when
//! asked. Failure messages are redacted before any of them sees the text.

mod check;
mod cucumber_json;
mod outline;
pub mod output;
pub mod report;
pub mod shard;
pub mod test_args;
pub mod transcripts;
mod writers;

use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use cucumber::World as _;
use cucumber::WriterExt as _;
use cucumber::gherkin::{self, GherkinEnv};
use cucumber::tag::Ext as _;
use futures::FutureExt as _;

pub use output::ColorChoice;
pub use report::{FailedStep, Failure, Outcome};
pub use shard::Shard;

use crate::steps::PipesWorld;

/// A feature file's text and the path it is reported under.
#[derive(Debug, Clone)]
pub struct FeatureText {
    /// Path as shown to the user (`features/connect/github.feature`).
    pub path: String,
    /// Gherkin source.
    pub text: String,
}

/// A step of the input that no step definition (or more than one) matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepProblem {
    /// Feature file.
    pub path: String,
    /// Line of the step.
    pub line: usize,
    /// The step as written (`When alice dances`).
    pub step: String,
    /// `undefined step` or `ambiguous step: ...`.
    pub problem: String,
}

/// Bad input: the run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A path given on the command line could not be read.
    #[error("cannot read {path}: {}", crate::common::text::io_reason(source))]
    Read {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A feature file is not valid Gherkin.
    #[error("{path}: not a valid feature file: {message}")]
    Parse {
        /// The file.
        path: String,
        /// Parser message with position.
        message: String,
    },
    /// The tag expression does not parse.
    #[error("invalid tag expression {expr:?}: {message} (expected e.g. \"@github and not @slow\")")]
    Tags {
        /// The expression.
        expr: String,
        /// Parser message.
        message: String,
    },
    /// A `file:LINE` target that no scenario of the file covers.
    #[error("{path}:{line}: {why}")]
    Line {
        /// The file.
        path: String,
        /// The line asked for.
        line: usize,
        /// What the line is, and which lines start scenarios.
        why: String,
    },
    /// No feature files found.
    #[error("no .feature files found in {0}")]
    Empty(String),
    /// Steps that no step definition matches, or that several match.
    #[error("{}", steps_message(.0))]
    Steps(Vec<StepProblem>),
    /// A report file could not be written.
    #[error(
        "cannot write the {what} report to {path}: {}",
        crate::common::text::io_reason(source)
    )]
    Report {
        /// `JUnit` or `JSON`.
        what: &'static str,
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

fn steps_message(problems: &[StepProblem]) -> String {
    let mut out = format!(
        "{} step{} cannot run (run `pipes-harness steps` for the vocabulary):",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        out.push_str(&format!(
            "\n  {}:{}: {}\n      {}",
            p.path, p.line, p.step, p.problem
        ));
    }
    out
}

/// Reads `.feature` files from files and directories (recursively, sorted).
pub fn read_features(paths: &[PathBuf]) -> Result<Vec<FeatureText>, RunError> {
    let mut out = Vec::new();
    for p in paths {
        let mut files = Vec::new();
        collect(p, &mut files).map_err(|source| RunError::Read {
            path: p.display().to_string(),
            source,
        })?;
        if files.is_empty() {
            return Err(RunError::Empty(p.display().to_string()));
        }
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).map_err(|source| RunError::Read {
                path: f.display().to_string(),
                source,
            })?;
            out.push(FeatureText {
                path: f.display().to_string(),
                text,
            });
        }
    }
    Ok(out)
}

fn collect(p: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let meta = std::fs::metadata(p)?;
    if meta.is_file() {
        out.push(p.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(p)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
    Ok(())
}

/// Splits command-line targets into paths and `(path, line)` selections:
/// `features/a.feature:12` selects the scenario at (or containing) line 12.
pub fn split_targets(targets: &[String]) -> (Vec<PathBuf>, Vec<(String, usize)>) {
    let mut files = Vec::new();
    let mut lines = Vec::new();
    for t in targets {
        match t.rsplit_once(':') {
            Some((file, line)) if !line.is_empty() && line.chars().all(|c| c.is_ascii_digit()) => {
                if let Ok(n) = line.parse() {
                    lines.push((file.to_string(), n));
                }
                let path = PathBuf::from(file);
                if !files.contains(&path) {
                    files.push(path);
                }
            }
            _ => files.push(PathBuf::from(t)),
        }
    }
    (files, lines)
}

/// `path` relative to the current directory when it lies under it, with `/`
/// separators: how reports and transcripts name a feature file.
pub fn display_path(path: &str) -> String {
    let p = Path::new(path);
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| p.to_path_buf());
    let shown = rel.display().to_string().replace('\\', "/");
    shown.trim_start_matches("./").to_string()
}

/// Parses every feature, failing on the first invalid one.
pub fn parse_features(texts: &[FeatureText]) -> Result<Vec<gherkin::Feature>, RunError> {
    texts
        .iter()
        .map(|t| {
            let mut f = gherkin::Feature::parse(&t.text, GherkinEnv::default()).map_err(|e| {
                RunError::Parse {
                    path: t.path.clone(),
                    message: check::gherkin_error(&e.to_string()),
                }
            })?;
            f.path = Some(PathBuf::from(&t.path));
            let unexpanded = f.clone();
            let mut f =
                cucumber::feature::Ext::expand_examples(f).map_err(
                    |e| match unknown_placeholder(&unexpanded) {
                        Some((line, why)) => RunError::Line {
                            path: display_path(&t.path),
                            line,
                            why,
                        },
                        None => RunError::Parse {
                            path: t.path.clone(),
                            message: e.to_string(),
                        },
                    },
                )?;
            outline::name_rows(&mut f.scenarios);
            for r in &mut f.rules {
                outline::name_rows(&mut r.scenarios);
            }
            Ok(f)
        })
        .collect()
}

/// The first `<placeholder>` of a Scenario Outline step that no Examples
/// table has a column for: its line and what to write instead.
fn unknown_placeholder(f: &gherkin::Feature) -> Option<(usize, String)> {
    static PLACEHOLDER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"<([^<>\s][^<>]*)>").unwrap_or_else(|_| unreachable!())
    });
    let outlines = f
        .scenarios
        .iter()
        .chain(f.rules.iter().flat_map(|r| r.scenarios.iter()))
        .filter(|s| !s.examples.is_empty());
    for s in outlines {
        for ex in &s.examples {
            let columns: Vec<&str> = ex
                .table
                .as_ref()
                .and_then(|t| t.rows.first())
                .map(|header| header.iter().map(|c| c.trim()).collect())
                .unwrap_or_default();
            for step in &s.steps {
                let texts = std::iter::once(step.value.as_str())
                    .chain(step.docstring.as_deref())
                    .chain(
                        step.table
                            .iter()
                            .flat_map(|t| t.rows.iter().flatten().map(String::as_str)),
                    );
                for text in texts {
                    for c in PLACEHOLDER.captures_iter(text) {
                        let name = c[1].trim();
                        if columns.contains(&name) {
                            continue;
                        }
                        let listed = if columns.is_empty() {
                            "its Examples table has no columns".to_string()
                        } else {
                            format!(
                                "the Examples columns are {}",
                                columns
                                    .iter()
                                    .map(|c| format!("<{c}>"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        };
                        return Some((
                            step.position.line,
                            format!(
                                "the placeholder <{name}> has no Examples column{}; {listed} (Examples at line {})",
                                crate::common::suggest::did_you_mean(name, columns.iter().copied()),
                                ex.position.line
                            ),
                        ));
                    }
                }
            }
        }
    }
    None
}

/// The name a scenario is reported and filed under. An expanded Scenario
/// Outline row's name comes from its example values, unique within its
/// outline and stable when lines move (see `outline`).
pub fn scenario_label(s: &gherkin::Scenario) -> String {
    s.name.clone()
}

/// A scenario finished: what the after-hook sees.
#[derive(Debug)]
pub struct Finished<'a> {
    /// The feature.
    pub feature: &'a gherkin::Feature,
    /// The rule the scenario sits in, if any.
    pub rule: Option<&'a gherkin::Rule>,
    /// The scenario.
    pub scenario: &'a gherkin::Scenario,
    /// The world, if it was created.
    pub world: Option<&'a PipesWorld>,
    /// Whether a step failed.
    pub failed: bool,
    /// The failing step's error, redacted, when a step failed.
    pub failure: Option<String>,
}

/// Called after each scenario (snapshots use it).
pub type AfterHook = Arc<dyn Fn(Finished<'_>) + Send + Sync>;

/// Where cucumber's progress output goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Progress {
    /// Every feature, scenario and step on stdout, then the recap.
    #[default]
    Stdout,
    /// A progress line on a terminal, the failed scenarios in full, then the recap.
    Failures,
    /// Nothing: for commands whose stdout is a document (`transcript`).
    Quiet,
}

/// How to run.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Tag expression (`@github and not @slow`).
    pub tags: Option<String>,
    /// Only scenarios at these `(path suffix, line)` positions.
    pub lines: Vec<(String, usize)>,
    /// Only scenarios whose name or feature path contains one of these, ignoring case.
    pub names: Vec<String>,
    /// Only this machine's share of the scenarios.
    pub shard: Option<Shard>,
    /// Stop after the first failure.
    pub fail_fast: bool,
    /// Write a JUnit XML report here.
    pub junit: Option<PathBuf>,
    /// Write a cucumber JSON report here.
    pub json: Option<PathBuf>,
    /// Print `::error file=...,line=...` annotations for GitHub Actions.
    pub github_annotations: bool,
    /// Where progress goes.
    pub progress: Progress,
    /// Whether the console output is coloured.
    pub color: ColorChoice,
    /// The command the recap tells the user to run to see a failed
    /// scenario again (`pipes-harness`, `cargo run --`); `pipes-harness` when unset.
    pub rerun: Option<String>,
    /// Called after each scenario.
    pub after: Option<AfterHook>,
}

/// Whether this process runs inside GitHub Actions (`GITHUB_ACTIONS=true`).
pub fn in_github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// What happened.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Scenarios run.
    pub scenarios: usize,
    /// Scenarios that passed.
    pub passed: usize,
    /// Scenarios that failed (a step or a hook failed).
    pub failed: usize,
    /// Each scenario's outcome, in feature order.
    pub outcomes: Vec<Outcome>,
    /// How long the whole run took.
    pub wall: Duration,
}

impl Summary {
    /// Everything passed and something ran.
    pub fn ok(&self) -> bool {
        self.failed == 0 && self.scenarios > 0
    }
}

/// Which scenarios of the input run.
#[derive(Clone)]
struct Selection {
    tags: Option<gherkin::tagexpr::TagOperation>,
    lines: Vec<(String, usize)>,
    names: Vec<String>,
    shard: Option<Shard>,
    outlines: Vec<check::Outline>,
}

impl Selection {
    fn new(opts: &RunOptions) -> Result<Self, RunError> {
        let tags = match &opts.tags {
            Some(expr) => Some(gherkin::tagexpr::TagOperation::from_str(expr).map_err(|e| {
                RunError::Tags {
                    expr: expr.clone(),
                    message: e.to_string(),
                }
            })?),
            None => None,
        };
        Ok(Selection {
            tags,
            lines: opts.lines.clone(),
            names: opts.names.clone(),
            shard: opts.shard,
            outlines: Vec::new(),
        })
    }

    fn selects(
        &self,
        f: &gherkin::Feature,
        r: Option<&gherkin::Rule>,
        s: &gherkin::Scenario,
    ) -> bool {
        let path = f
            .path
            .as_ref()
            .map(|p| display_path(&p.display().to_string()))
            .unwrap_or_default();
        let tag_ok = self.tags.as_ref().is_none_or(|t| {
            let all = f
                .tags
                .iter()
                .chain(r.iter().flat_map(|r| r.tags.iter()))
                .chain(s.tags.iter());
            t.eval(all)
        });
        let line_ok = self.lines.is_empty()
            || self.lines.iter().any(|(file, line)| {
                let file = display_path(file);
                (path.ends_with(&file) || file.ends_with(&path))
                    && (covers(s, *line) || check::outline_covers(&self.outlines, &path, s, *line))
            });
        let name_ok = self.names.is_empty() || {
            let (name, path) = (s.name.to_lowercase(), path.to_lowercase());
            self.names.iter().any(|n| {
                let n = n.to_lowercase();
                name.contains(&n) || path.contains(&n)
            })
        };
        let shard_ok = self
            .shard
            .is_none_or(|sh| sh.runs(&path, &s.name, s.position.line));
        tag_ok && line_ok && name_ok && shard_ok
    }
}

/// Whether `line` points at the scenario: its `Scenario:` line (or its
/// example row), or any line down to its last step.
fn covers(s: &gherkin::Scenario, line: usize) -> bool {
    if line == 0 || line == s.position.line {
        return true;
    }
    let last = s
        .steps
        .iter()
        .map(|st| st.position.line)
        .max()
        .unwrap_or(s.position.line);
    s.position.line < line && line <= last
}

/// Refuses a `file:LINE` target that no scenario of the file covers (a
/// line past the end, a blank line, the `Feature:` line), saying how long
/// the file is and which lines start scenarios.
fn check_lines(
    texts: &[FeatureText],
    features: &[gherkin::Feature],
    selection: &Selection,
) -> Result<(), RunError> {
    for (file, line) in &selection.lines {
        let wanted = display_path(file);
        for t in texts {
            let path = display_path(&t.path);
            if !(path.ends_with(&wanted) || wanted.ends_with(&path)) {
                continue;
            }
            let covered = features
                .iter()
                .filter(|f| {
                    f.path
                        .as_ref()
                        .is_some_and(|p| display_path(&p.display().to_string()) == path)
                })
                .flat_map(|f| {
                    f.scenarios
                        .iter()
                        .chain(f.rules.iter().flat_map(|r| r.scenarios.iter()))
                })
                .any(|s| {
                    covers(s, *line) || check::outline_covers(&selection.outlines, &path, s, *line)
                });
            if covered {
                continue;
            }
            let starts: Vec<usize> = gherkin::Feature::parse(&t.text, GherkinEnv::default())
                .map(|f| {
                    let mut starts: Vec<usize> = f
                        .scenarios
                        .iter()
                        .chain(f.rules.iter().flat_map(|r| r.scenarios.iter()))
                        .map(|s| s.position.line)
                        .collect();
                    starts.sort_unstable();
                    starts
                })
                .unwrap_or_default();
            const SHOWN: usize = 8;
            let mut listed = starts
                .iter()
                .take(SHOWN)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            if starts.len() > SHOWN {
                listed.push_str(&format!(" and {} more", starts.len() - SHOWN));
            }
            let scenarios = match starts.len() {
                0 => "it has no scenarios".to_string(),
                1 => format!("its scenario starts at line {listed}"),
                _ => format!("its scenarios start at lines {listed}"),
            };
            let count = t.text.lines().count();
            let why = if *line > count {
                format!("the file has {count} lines, so there is no line {line}; {scenarios}")
            } else {
                format!(
                    "no scenario covers line {line} (a scenario is selected by its Scenario line or any line down to its last step, an outline also by an Examples row); {scenarios}"
                )
            };
            return Err(RunError::Line {
                path,
                line: *line,
                why,
            });
        }
    }
    Ok(())
}

/// Every step of the selected scenarios that cannot run.
fn check_steps(features: &[gherkin::Feature], selection: &Selection) -> Vec<StepProblem> {
    let collection = PipesWorld::collection();
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut check = |path: &str, step: &gherkin::Step| {
        let found = match collection.find(step) {
            Ok(found) => found.is_some(),
            Err(e) => {
                let problem = format!("ambiguous step ({e})");
                if seen.insert((path.to_string(), step.position.line)) {
                    problems.push(StepProblem {
                        path: path.to_string(),
                        line: step.position.line,
                        step: format!("{} {}", step.keyword.trim(), step.value),
                        problem,
                    });
                }
                return;
            }
        };
        let Some(problem) = check::step_problem(step, found) else {
            return;
        };
        if seen.insert((path.to_string(), step.position.line)) {
            problems.push(StepProblem {
                path: path.to_string(),
                line: step.position.line,
                step: format!("{} {}", step.keyword.trim(), step.value),
                problem,
            });
        }
    };
    for f in features {
        let path = f
            .path
            .as_ref()
            .map(|p| display_path(&p.display().to_string()))
            .unwrap_or_default();
        let background = f.background.iter().flat_map(|b| b.steps.iter());
        for s in f.scenarios.iter().filter(|s| selection.selects(f, None, s)) {
            for step in background.clone().chain(s.steps.iter()) {
                check(&path, step);
            }
        }
        for r in &f.rules {
            let rule_bg = r.background.iter().flat_map(|b| b.steps.iter());
            for s in r
                .scenarios
                .iter()
                .filter(|s| selection.selects(f, Some(r), s))
            {
                for step in background
                    .clone()
                    .chain(rule_bg.clone())
                    .chain(s.steps.iter())
                {
                    check(&path, step);
                }
            }
        }
    }
    problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    problems
}

/// A scenario the options select, without running it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Selected {
    /// Feature file, as displayed.
    pub feature_path: String,
    /// Line of the scenario (or of its example row).
    pub line: usize,
    /// The scenario's reported name.
    pub scenario: String,
}

/// The scenarios `opts` selects from `texts`, in file order: what a run
/// would execute (`--list`, and checking how shards split the library).
pub fn selected(texts: &[FeatureText], opts: &RunOptions) -> Result<Vec<Selected>, RunError> {
    let features = parse_features(texts)?;
    let mut selection = Selection::new(opts)?;
    selection.outlines = check::outlines(texts);
    check_lines(texts, &features, &selection)?;
    let mut out = Vec::new();
    for f in &features {
        let path = f
            .path
            .as_ref()
            .map(|p| display_path(&p.display().to_string()))
            .unwrap_or_default();
        let plain = f.scenarios.iter().map(|s| (None, s));
        let ruled = f
            .rules
            .iter()
            .flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s)));
        for (r, s) in plain.chain(ruled) {
            if selection.selects(f, r, s) {
                out.push(Selected {
                    feature_path: path.clone(),
                    line: s.position.line,
                    scenario: scenario_label(s),
                });
            }
        }
    }
    Ok(out)
}

/// An in-memory report, written to its file once the run is over so a full
/// disk is an error message rather than a panic inside a writer.
#[derive(Debug, Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Creates the report file (and its directory) before the run, so a bad path
/// is bad input, not an hour of CI followed by a lost report.
fn prepare_report(what: &'static str, path: &Path) -> Result<(), RunError> {
    let err = |source| RunError::Report {
        what,
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    std::fs::write(path, b"").map_err(err)
}

fn write_report(what: &'static str, path: &Path, bytes: &[u8]) -> Result<(), RunError> {
    std::fs::write(path, bytes).map_err(|source| RunError::Report {
        what,
        path: path.display().to_string(),
        source,
    })
}

/// Runs the features, printing progress as `opts.progress` says.
pub async fn run(texts: &[FeatureText], opts: RunOptions) -> Result<Summary, RunError> {
    let features = parse_features(texts)?;
    let mut selection = Selection::new(&opts)?;
    selection.outlines = check::outlines(texts);
    check_lines(texts, &features, &selection)?;
    let problems = check_steps(&features, &selection);
    if !problems.is_empty() {
        return Err(RunError::Steps(problems));
    }
    if let Some(p) = &opts.junit {
        prepare_report("JUnit", p)?;
    }
    if let Some(p) = &opts.json {
        prepare_report("JSON", p)?;
    }

    let started = Instant::now();
    let outcomes = writers::Outcomes::default();
    let json = Buffer::default();
    let counts = Arc::new(Mutex::new(output::Counts::default()));
    let palette = output::Palette::new(opts.progress != Progress::Quiet && opts.color.enabled());
    let detail = match opts.progress {
        Progress::Failures => Some(output::Detail::Failures),
        Progress::Quiet => None,
        Progress::Stdout => Some(output::Detail::Everything),
    };
    let console = output::Console::new(
        detail,
        palette,
        count_selected(&features, &selection),
        Arc::clone(&counts),
    );
    let writer = writers::Redact::new(
        console
            .tee::<PipesWorld, _>(writers::Collector::new(outcomes.clone()))
            .tee::<PipesWorld, _>(cucumber::writer::Json::for_tee(json.clone()))
            .normalized(),
    );

    let after = opts.after.clone();
    // The cucumber JSON report attaches each scenario's transcript.
    let transcripts: Option<Arc<Mutex<cucumber_json::Transcripts>>> =
        opts.json.as_ref().map(|_| Arc::default());
    let report_features = opts.json.as_ref().map(|_| features.clone());
    let transcript_sink = transcripts.clone();
    let filter = {
        let selection = selection.clone();
        move |f: &gherkin::Feature, r: Option<&gherkin::Rule>, s: &gherkin::Scenario| {
            selection.selects(f, r, s)
        }
    };
    let mut cucumber = PipesWorld::cucumber::<PathBuf>()
        .with_parser(PreParsed)
        .with_writer(writer)
        .max_concurrent_scenarios(32)
        .fail_on_skipped()
        .with_default_cli()
        .after(move |feature, rule, scenario, ev, world| {
            let after = after.clone();
            let transcript_sink = transcript_sink.clone();
            async move {
                if let (Some(sink), Some(w)) = (&transcript_sink, world.as_deref()) {
                    let path = feature
                        .path
                        .as_ref()
                        .map(|p| display_path(&p.display().to_string()))
                        .unwrap_or_default();
                    let yaml = w.transcript_yaml(&path, &scenario.name);
                    sink.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert((path, scenario.position.line), yaml);
                }
                if let Some(hook) = after {
                    let world = world.map(|w| &*w);
                    let failure = match ev {
                        cucumber::event::ScenarioFinished::StepFailed(_, _, err) => {
                            let text = writers::step_error_text(err);
                            Some(match world {
                                Some(w) => w.stack.recorder.redact(&text),
                                None => text,
                            })
                        }
                        cucumber::event::ScenarioFinished::BeforeHookFailed(info) => {
                            Some(writers::panic_text(info.as_ref()))
                        }
                        _ => None,
                    };
                    hook(Finished {
                        feature,
                        rule,
                        scenario,
                        world,
                        failed: failure.is_some(),
                        failure,
                    });
                }
            }
            .boxed_local()
        });
    if opts.fail_fast {
        // cucumber's fail-fast stops scheduling; scenarios already started
        // run to the end. One at a time, the first failure is the last.
        cucumber = cucumber.fail_fast().max_concurrent_scenarios(1);
    }
    let _writer = cucumber.filter_run(features, filter).await;

    let outcomes = outcomes.take();
    let wall = started.elapsed();
    if detail.is_some() {
        let counts = *counts.lock().unwrap_or_else(PoisonError::into_inner);
        let rerun = opts.rerun.as_deref().unwrap_or("pipes-harness");
        output::print(&output::recap(&outcomes, counts, wall, rerun, palette));
    }
    if let Some(p) = &opts.junit {
        write_report("JUnit", p, report::junit(&outcomes, wall).as_bytes())?;
    }
    if let Some(p) = &opts.json {
        let transcripts = transcripts
            .map(|t| std::mem::take(&mut *t.lock().unwrap_or_else(PoisonError::into_inner)))
            .unwrap_or_default();
        let report = cucumber_json::finish(
            &json.take(),
            report_features.as_deref().unwrap_or_default(),
            &transcripts,
        );
        write_report("JSON", p, &report)?;
    }
    if opts.github_annotations {
        for line in report::github_annotations(&outcomes) {
            output::println(&line);
        }
    }
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    Ok(Summary {
        scenarios: outcomes.len(),
        passed: outcomes.len() - failed,
        failed,
        outcomes,
        wall,
    })
}

/// How many scenarios the selection runs: the total of the progress line.
fn count_selected(features: &[gherkin::Feature], selection: &Selection) -> usize {
    features
        .iter()
        .map(|f| {
            let plain = f
                .scenarios
                .iter()
                .filter(|s| selection.selects(f, None, s))
                .count();
            let ruled: usize = f
                .rules
                .iter()
                .map(|r| {
                    r.scenarios
                        .iter()
                        .filter(|s| selection.selects(f, Some(r), s))
                        .count()
                })
                .sum();
            plain + ruled
        })
        .sum()
}

/// Hands already-parsed features to cucumber.
struct PreParsed;

impl cucumber::Parser<Vec<gherkin::Feature>> for PreParsed {
    type Cli = cucumber::cli::Empty;
    type Output =
        futures::stream::Iter<std::vec::IntoIter<cucumber::parser::Result<gherkin::Feature>>>;

    fn parse(self, input: Vec<gherkin::Feature>, _: Self::Cli) -> Self::Output {
        futures::stream::iter(input.into_iter().map(Ok).collect::<Vec<_>>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outline_placeholder_without_a_column_is_named_with_the_columns() {
        let texts = vec![FeatureText {
            path: "features/o.feature".into(),
            text: "Feature: O\n\n  Scenario Outline: S <provider>\n    Given the <provder> integration is configured\n\n    Examples:\n      | provider | who |\n      | github   | a   |\n".into(),
        }];
        let e = parse_features(&texts).expect_err("a typo in a placeholder");
        assert_eq!(
            e.to_string(),
            "features/o.feature:4: the placeholder <provder> has no Examples column (did you mean `provider`?); the Examples columns are <provider>, <who> (Examples at line 6)"
        );
    }

    #[test]
    fn a_target_with_a_line_selects_that_line_of_that_file() {
        let (files, lines) = split_targets(&[
            "features/a.feature:12".to_string(),
            "features/b".to_string(),
            "features/a.feature:30".to_string(),
        ]);
        assert_eq!(
            files,
            vec![
                PathBuf::from("features/a.feature"),
                PathBuf::from("features/b")
            ]
        );
        assert_eq!(
            lines,
            vec![
                ("features/a.feature".to_string(), 12),
                ("features/a.feature".to_string(), 30)
            ]
        );
    }

    #[test]
    fn an_undefined_step_is_reported_with_its_file_and_line() {
        let texts = vec![FeatureText {
            path: "features/x.feature".into(),
            text: "Feature: X\n  Scenario: S\n    Given alice juggles seven flaming torches\n"
                .into(),
        }];
        let features = parse_features(&texts).expect("valid gherkin");
        let selection = Selection::new(&RunOptions::default()).expect("no tags");
        let problems = check_steps(&features, &selection);
        assert_eq!(
            problems,
            vec![StepProblem {
                path: "features/x.feature".into(),
                line: 3,
                step: "Given alice juggles seven flaming torches".into(),
                problem: "undefined step".into(),
            }]
        );
        let message = RunError::Steps(problems).to_string();
        assert!(
            message.contains(
                "features/x.feature:3: Given alice juggles seven flaming torches\n      undefined step"
            ),
            "{message}"
        );
    }
}
