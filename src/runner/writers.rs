//! The cucumber writers the runner chains: one that redacts failure messages
//! before any other writer sees them, and one that collects each scenario's
//! outcome for the JUnit report, the GitHub annotations and the summary.
//!
//! A step's error text can quote what a server answered, tokens included.
//! The console, the cucumber JSON report and the JUnit report all print it,
//! so it is redacted once, first, with the failing scenario's own secrets
//! (the event carries its world), and numbered as in its transcript.

use std::any::Any;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use cucumber::event::{
    self, Cucumber, Feature, Hook, HookType, RetryableScenario, Rule, Scenario, Step, StepError,
};
use cucumber::gherkin;
use cucumber::{Event, Writer, parser, writer};

use super::report::{FailedStep, Failure, Outcome};
use super::scenario_label;
use crate::steps::PipesWorld;

type World = PipesWorld;

/// Passes every event on, with failure messages redacted.
#[derive(Debug)]
pub(crate) struct Redact<Wr> {
    inner: Wr,
}

impl<Wr> Redact<Wr> {
    pub(crate) fn new(inner: Wr) -> Self {
        Redact { inner }
    }
}

impl<Wr: Writer<World>> Writer<World> for Redact<Wr> {
    type Cli = Wr::Cli;

    async fn handle_event(
        &mut self,
        event: parser::Result<Event<Cucumber<World>>>,
        cli: &Self::Cli,
    ) {
        self.inner.handle_event(event.map(redact_event), cli).await;
    }
}

// Redaction rewrites messages, never order, so a normalized inner writer stays normalized.
impl<Wr: writer::Normalized> writer::Normalized for Redact<Wr> {}

fn redact_event(ev: Event<Cucumber<World>>) -> Event<Cucumber<World>> {
    let (value, meta) = ev.split();
    let value = match value {
        Cucumber::Feature(f, Feature::Scenario(sc, rs)) => {
            Cucumber::Feature(f, Feature::Scenario(sc, redact_retryable(rs)))
        }
        Cucumber::Feature(f, Feature::Rule(r, Rule::Scenario(sc, rs))) => Cucumber::Feature(
            f,
            Feature::Rule(r, Rule::Scenario(sc, redact_retryable(rs))),
        ),
        other => other,
    };
    meta.insert(value)
}

fn redact_retryable(rs: RetryableScenario<World>) -> RetryableScenario<World> {
    RetryableScenario {
        event: redact_scenario(rs.event),
        retries: rs.retries,
    }
}

fn redact_scenario(ev: Scenario<World>) -> Scenario<World> {
    match ev {
        Scenario::Step(st, step) => Scenario::Step(st, redact_step(step)),
        Scenario::Background(st, step) => Scenario::Background(st, redact_step(step)),
        Scenario::Hook(ty, Hook::Failed(Some(w), info)) => {
            let info = redact_info(&info, &w);
            Scenario::Hook(ty, Hook::Failed(Some(w), info))
        }
        other => other,
    }
}

fn redact_step(step: Step<World>) -> Step<World> {
    match step {
        Step::Failed(captures, loc, Some(w), StepError::Panic(info)) => {
            let info = redact_info(&info, &w);
            Step::Failed(captures, loc, Some(w), StepError::Panic(info))
        }
        other => other,
    }
}

fn redact_info(info: &event::Info, world: &World) -> event::Info {
    Arc::new(world.stack.recorder.redact(&panic_text(info.as_ref())))
}

/// The message of a step's panic (steps fail by returning `Err(String)`,
/// which cucumber turns into a panic with that text).
pub(crate) fn panic_text(info: &(dyn Any + Send)) -> String {
    if let Some(s) = info.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = info.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "the step panicked with a value that is not text".to_string()
    }
}

/// The outcomes collected so far, shared with the runner.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcomes {
    inner: Arc<Mutex<Collected>>,
}

#[derive(Debug, Default)]
struct Collected {
    done: Vec<Outcome>,
    current: Option<Partial>,
}

#[derive(Debug)]
struct Partial {
    started: SystemTime,
    failure: Option<Failure>,
}

impl Outcomes {
    /// Every finished scenario, in the order the (normalized) run reported them.
    pub(crate) fn take(&self) -> Vec<Outcome> {
        std::mem::take(
            &mut self
                .inner
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .done,
        )
    }
}

/// Records each scenario's outcome. Must sit behind a normalizing writer, so
/// that one scenario's events arrive together.
#[derive(Debug, Clone, Default)]
pub(crate) struct Collector {
    outcomes: Outcomes,
}

impl Collector {
    pub(crate) fn new(outcomes: Outcomes) -> Self {
        Collector { outcomes }
    }

    fn scenario(
        &self,
        feature: &gherkin::Feature,
        scenario: &gherkin::Scenario,
        ev: &Scenario<World>,
        at: SystemTime,
    ) {
        let mut c = self
            .outcomes
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match ev {
            Scenario::Started => {
                c.current = Some(Partial {
                    started: at,
                    failure: None,
                });
            }
            Scenario::Step(step, Step::Failed(_, _, _, err))
            | Scenario::Background(step, Step::Failed(_, _, _, err)) => {
                if let Some(p) = c.current.as_mut()
                    && p.failure.is_none()
                {
                    p.failure = Some(Failure {
                        step: Some(FailedStep {
                            keyword: step.keyword.trim().to_string(),
                            text: step.value.clone(),
                            line: step.position.line,
                        }),
                        message: step_error_text(err),
                    });
                }
            }
            Scenario::Hook(ty, Hook::Failed(_, info)) => {
                if let Some(p) = c.current.as_mut()
                    && p.failure.is_none()
                {
                    let when = match ty {
                        HookType::Before => "before",
                        HookType::After => "after",
                    };
                    p.failure = Some(Failure {
                        step: None,
                        message: format!(
                            "the scenario's {when} hook failed: {}",
                            panic_text(info.as_ref())
                        ),
                    });
                }
            }
            Scenario::Finished => {
                let partial = c.current.take().unwrap_or(Partial {
                    started: at,
                    failure: None,
                });
                let duration = at.duration_since(partial.started).unwrap_or(Duration::ZERO);
                c.done.push(Outcome {
                    feature_path: feature
                        .path
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    feature_name: feature.name.clone(),
                    scenario: scenario_label(scenario),
                    line: scenario.position.line,
                    started: partial.started,
                    duration,
                    failure: partial.failure,
                });
            }
            _ => {}
        }
    }
}

/// What a failed step's error says, in words for the report.
pub(crate) fn step_error_text(err: &StepError) -> String {
    match err {
        StepError::Panic(info) => panic_text(info.as_ref()),
        StepError::NotFound => "no step definition matches this step".to_string(),
        StepError::AmbiguousMatch(e) => format!("more than one step definition matches: {e}"),
    }
}

impl Writer<World> for Collector {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(
        &mut self,
        event: parser::Result<Event<Cucumber<World>>>,
        _cli: &Self::Cli,
    ) {
        let Ok(ev) = event else {
            return;
        };
        let (value, meta) = ev.split();
        match value {
            Cucumber::Feature(f, Feature::Scenario(sc, rs))
            | Cucumber::Feature(f, Feature::Rule(_, Rule::Scenario(sc, rs))) => {
                self.scenario(&f, &sc, &rs.event, meta.at);
            }
            _ => {}
        }
    }
}
