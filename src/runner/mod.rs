//! Runs feature files against fresh stacks: the engine behind both
//! `pipes-harness run` and `cargo test`.
//!
//! Features are parsed here, before cucumber sees them, so a malformed file
//! is reported as bad input (naming the file and position) rather than as a
//! failed scenario. Undefined steps fail the run: a scenario that cannot be
//! executed is never a pass.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use cucumber::World as _;
use cucumber::gherkin::{self, GherkinEnv};
use cucumber::tag::Ext as _;
use cucumber::writer::Stats as _;
use futures::FutureExt as _;

use crate::steps::PipesWorld;

/// A feature file's text and the path it is reported under.
#[derive(Debug, Clone)]
pub struct FeatureText {
    /// Path as shown to the user (`features/connect/github.feature`).
    pub path: String,
    /// Gherkin source.
    pub text: String,
}

/// Bad input: the run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A path given on the command line could not be read.
    #[error("cannot read {path}: {source}")]
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
    /// No feature files found.
    #[error("no .feature files found in {0}")]
    Empty(String),
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

/// Parses every feature, failing on the first invalid one.
pub fn parse_features(texts: &[FeatureText]) -> Result<Vec<gherkin::Feature>, RunError> {
    texts
        .iter()
        .map(|t| {
            let mut f = gherkin::Feature::parse(&t.text, GherkinEnv::default()).map_err(|e| {
                RunError::Parse {
                    path: t.path.clone(),
                    message: e.to_string(),
                }
            })?;
            f.path = Some(PathBuf::from(&t.path));
            cucumber::feature::Ext::expand_examples(f).map_err(|e| RunError::Parse {
                path: t.path.clone(),
                message: e.to_string(),
            })
        })
        .collect()
}

/// A scenario finished: what the after-hook sees.
#[derive(Debug)]
pub struct Finished<'a> {
    /// The feature.
    pub feature: &'a gherkin::Feature,
    /// The scenario.
    pub scenario: &'a gherkin::Scenario,
    /// The world, if it was created.
    pub world: Option<&'a PipesWorld>,
    /// Whether a step failed.
    pub failed: bool,
}

/// Called after each scenario (snapshots use it).
pub type AfterHook = std::sync::Arc<dyn Fn(Finished<'_>) + Send + Sync>;

/// How to run.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Tag expression (`@github and not @slow`).
    pub tags: Option<String>,
    /// Only scenarios at these `(path suffix, line)` positions.
    pub lines: Vec<(String, usize)>,
    /// Stop after the first failure.
    pub fail_fast: bool,
    /// Called after each scenario.
    pub after: Option<AfterHook>,
}

/// What happened.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    /// Scenarios run.
    pub scenarios: usize,
    /// Scenarios that passed.
    pub passed: usize,
    /// Scenarios that failed (including undefined steps).
    pub failed: usize,
    /// Hook or parsing problems reported by cucumber.
    pub errors: usize,
}

impl Summary {
    /// Everything passed and something ran.
    pub fn ok(&self) -> bool {
        self.failed == 0 && self.errors == 0 && self.scenarios > 0
    }
}

/// Runs the features and prints cucumber's progress to stdout.
pub async fn run(texts: &[FeatureText], opts: RunOptions) -> Result<Summary, RunError> {
    let features = parse_features(texts)?;
    let tags = match &opts.tags {
        Some(expr) => Some(
            cucumber::gherkin::tagexpr::TagOperation::from_str(expr).map_err(|e| {
                RunError::Tags {
                    expr: expr.clone(),
                    message: e.to_string(),
                }
            })?,
        ),
        None => None,
    };
    let lines = opts.lines.clone();
    let filter = move |f: &gherkin::Feature, r: Option<&gherkin::Rule>, s: &gherkin::Scenario| {
        let tag_ok = tags.as_ref().is_none_or(|t| {
            let all = f
                .tags
                .iter()
                .chain(r.iter().flat_map(|r| r.tags.iter()))
                .chain(s.tags.iter());
            t.eval(all)
        });
        let line_ok = lines.is_empty()
            || lines.iter().any(|(path, line)| {
                let fp = f
                    .path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                fp.ends_with(path.as_str()) && (s.position.line == *line || *line == 0)
            });
        tag_ok && line_ok
    };
    let after = opts.after.clone();
    let mut cucumber = PipesWorld::cucumber::<PathBuf>()
        .with_parser(PreParsed)
        .max_concurrent_scenarios(32)
        .fail_on_skipped()
        .with_default_cli()
        .after(move |feature, _rule, scenario, ev, world| {
            let after = after.clone();
            async move {
                if let Some(hook) = after {
                    let failed = matches!(
                        ev,
                        cucumber::event::ScenarioFinished::StepFailed(..)
                            | cucumber::event::ScenarioFinished::BeforeHookFailed(..)
                    );
                    hook(Finished {
                        feature,
                        scenario,
                        world: world.map(|w| &*w),
                        failed,
                    });
                }
            }
            .boxed_local()
        });
    if opts.fail_fast {
        cucumber = cucumber.fail_fast();
    }
    let writer = cucumber.filter_run(features, filter).await;
    let stats = writer.scenarios_stats();
    Ok(Summary {
        scenarios: stats.passed + stats.failed + stats.skipped,
        passed: stats.passed,
        failed: stats.failed + stats.skipped,
        errors: writer.parsing_errors() + writer.hook_errors(),
    })
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
