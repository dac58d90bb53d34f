//! What a run prints on the terminal: each scenario with its steps (or, in
//! quiet mode, a progress line and only the failures), then a recap of every
//! failed scenario with its `file:line`, its diagnosis in one line and the
//! command that reruns it, and the totals with the wall time.
//!
//! Written here rather than with cucumber's console writer, which prints the
//! harness's own source locations and panic wording next to a failing step,
//! leaves the steps after a failure out, and colours a scenario's header
//! before knowing how it ends. This writer sits behind the normalizing
//! writer, so one scenario's events arrive together and it prints a scenario
//! once it has finished, in its final colour.
//!
//! A closed output (`pipes-harness run | head -2`, `| grep -q`) ends the
//! process at once with [`EXIT_OUTPUT_CLOSED`], as a tool killed by `SIGPIPE`
//! reports in a shell: nobody is left to read what the rest of the run would
//! print. A run asked for reports (`--junit`, `--json`) is the exception: its
//! reports are still wanted, so it goes on silently to the end, writes them
//! and exits with its verdict.

use std::io::{self, IsTerminal as _, Write as _};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use cucumber::event::{Cucumber, Feature, Hook, HookType, Rule, Scenario, Step};
use cucumber::gherkin;
use cucumber::{Event, Writer, parser};

use super::report::Outcome;
use super::writers::{panic_text, step_error_text};
use super::{display_path, scenario_label};
use crate::steps::PipesWorld;

type World = PipesWorld;

/// Exit status when the output is closed before the run ends: 141, what a
/// shell reports for `cargo` or `grep` killed by `SIGPIPE` (128 + 13).
pub const EXIT_OUTPUT_CLOSED: u8 = 141;

/// Whether to colour the output (`--color auto|always|never`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    /// Always colour, even into a file or a pipe.
    Always,
    /// Never colour.
    Never,
}

impl FromStr for ColorChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(ColorChoice::Auto),
            "always" => Ok(ColorChoice::Always),
            "never" => Ok(ColorChoice::Never),
            other => Err(format!(
                "unknown colour choice {other:?}: expected auto, always or never"
            )),
        }
    }
}

impl ColorChoice {
    /// Whether output to stdout gets colour.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && io::stdout().is_terminal()
            }
        }
    }
}

/// Set when the run must reach its end whatever happens to stdout: it was
/// asked for reports.
static FINISH_FOR_REPORTS: AtomicBool = AtomicBool::new(false);
/// Set once stdout's reader has gone away in a run that finishes anyway.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// A closed stdout no longer ends the process: the run goes on without
/// printing and writes the reports it was asked for.
pub fn finish_for_reports() {
    FINISH_FOR_REPORTS.store(true, Ordering::SeqCst);
}

/// Whether stdout's reader went away during the run.
pub fn stdout_closed() -> bool {
    CLOSED.load(Ordering::SeqCst)
}

/// Stdout's reader went away: end the process with [`EXIT_OUTPUT_CLOSED`],
/// or, in a run that still owes its reports, stop printing.
fn on_closed() {
    CLOSED.store(true, Ordering::SeqCst);
    if !FINISH_FOR_REPORTS.load(Ordering::SeqCst) {
        std::process::exit(i32::from(EXIT_OUTPUT_CLOSED));
    }
}

/// Writes `text` to stdout; a closed stdout ends the process quietly with
/// [`EXIT_OUTPUT_CLOSED`] (see [`finish_for_reports`]). Other write errors (a
/// full disk) are dropped: the run's verdict is the exit code, which still
/// comes.
pub fn print(text: &str) {
    if stdout_closed() {
        return;
    }
    let mut out = io::stdout().lock();
    let result = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    if let Err(e) = result
        && e.kind() == io::ErrorKind::BrokenPipe
    {
        on_closed();
    }
}

/// Ends the process with [`EXIT_OUTPUT_CLOSED`] as soon as the reader of a
/// piped stdout goes away, even while nothing is being printed: a run can
/// spend seconds on scenarios before its next line, and `| head -2` should
/// return at once. Only for a pipe; a terminal or a file never closes early.
pub fn exit_when_stdout_closes() {
    #[cfg(unix)]
    {
        use rustix::event::{PollFd, PollFlags, poll};
        use rustix::fs::{FileType, fstat};
        let stdout = io::stdout();
        let is_pipe =
            fstat(&stdout).is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Fifo);
        if !is_pipe {
            return;
        }
        std::thread::spawn(move || {
            loop {
                // No events asked for: poll reports only an error (the
                // reading end closed) or a hang-up.
                let mut fds = [PollFd::new(&stdout, PollFlags::empty())];
                match poll(&mut fds, None) {
                    Ok(_) if fds[0].revents().intersects(PollFlags::ERR | PollFlags::HUP) => {
                        on_closed();
                        return;
                    }
                    Ok(_) | Err(rustix::io::Errno::INTR) => {}
                    // Polling is not possible here: printing still notices.
                    Err(_) => return,
                }
            }
        });
    }
}

/// [`print()`] with a newline.
pub fn println(text: &str) {
    print(&format!("{text}\n"));
}

/// How much the console shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// Every scenario with its steps.
    Everything,
    /// A progress line on a terminal, and the failed scenarios in full.
    Failures,
}

/// Step and scenario counts of a run, for the closing line.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counts {
    pub(crate) steps_passed: usize,
    pub(crate) steps_failed: usize,
    pub(crate) steps_skipped: usize,
}

/// Colours of the console, or none.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Palette {
    on: bool,
}

impl Palette {
    pub(crate) fn new(on: bool) -> Self {
        Palette { on }
    }

    fn paint(self, style: Style, text: &str) -> String {
        if self.on {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    fn pass(self, text: &str) -> String {
        self.paint(Style::new().fg_color(Some(AnsiColor::Green.into())), text)
    }

    fn fail(self, text: &str) -> String {
        self.paint(
            Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
            text,
        )
    }

    fn skip(self, text: &str) -> String {
        self.paint(Style::new().fg_color(Some(AnsiColor::Cyan.into())), text)
    }

    fn dim(self, text: &str) -> String {
        self.paint(Style::new().dimmed(), text)
    }

    fn bold(self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }
}

/// One step as it ended.
#[derive(Debug)]
struct StepLine {
    sentence: String,
    state: StepState,
}

#[derive(Debug)]
enum StepState {
    Passed,
    Failed(String),
    Skipped,
}

/// The console writer.
#[derive(Debug)]
pub(crate) struct Console {
    /// `None`: print nothing (the output is a document).
    detail: Option<Detail>,
    palette: Palette,
    /// Progress line on a terminal (quiet mode only).
    progress: bool,
    total: usize,
    done: usize,
    failed: usize,
    steps: Vec<StepLine>,
    hook_failure: Option<String>,
    counts: Arc<Mutex<Counts>>,
}

impl Console {
    pub(crate) fn new(
        detail: Option<Detail>,
        palette: Palette,
        total: usize,
        counts: Arc<Mutex<Counts>>,
    ) -> Self {
        Console {
            detail,
            palette,
            progress: detail == Some(Detail::Failures) && io::stdout().is_terminal(),
            total,
            done: 0,
            failed: 0,
            steps: Vec::new(),
            hook_failure: None,
            counts,
        }
    }

    fn feature_header(&self, f: &gherkin::Feature) -> String {
        let path = f
            .path
            .as_ref()
            .map(|p| display_path(&p.display().to_string()))
            .unwrap_or_default();
        format!(
            "{} {}\n",
            self.palette.bold(&format!("Feature: {}", f.name)),
            self.palette.dim(&format!("({path})"))
        )
    }

    fn step(&mut self, step: &gherkin::Step, ev: &Step<World>) {
        let state = match ev {
            Step::Passed(..) => StepState::Passed,
            Step::Failed(_, _, _, err) => StepState::Failed(step_error_text(err)),
            Step::Skipped => StepState::Skipped,
            Step::Started => return,
        };
        self.steps.push(StepLine {
            sentence: sentence(step),
            state,
        });
    }

    fn finish(&mut self, f: &gherkin::Feature, r: Option<&gherkin::Rule>, sc: &gherkin::Scenario) {
        // Steps that never ran because an earlier one failed: shown and counted as skipped.
        let all: Vec<&gherkin::Step> = f
            .background
            .iter()
            .flat_map(|b| b.steps.iter())
            .chain(
                r.iter()
                    .flat_map(|r| r.background.iter().flat_map(|b| b.steps.iter())),
            )
            .chain(sc.steps.iter())
            .collect();
        for step in all.iter().skip(self.steps.len()) {
            self.steps.push(StepLine {
                sentence: sentence(step),
                state: StepState::Skipped,
            });
        }
        let failed = self.hook_failure.is_some()
            || self
                .steps
                .iter()
                .any(|s| matches!(s.state, StepState::Failed(_)));
        {
            let mut c = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
            for s in &self.steps {
                match s.state {
                    StepState::Passed => c.steps_passed += 1,
                    StepState::Failed(_) => c.steps_failed += 1,
                    StepState::Skipped => c.steps_skipped += 1,
                }
            }
        }
        self.done += 1;
        if failed {
            self.failed += 1;
        }
        let mut text = String::new();
        if self.detail == Some(Detail::Everything) || failed {
            if self.detail == Some(Detail::Failures) {
                text.push_str(&self.feature_header(f));
            }
            text.push_str(&self.scenario_block(f, sc, failed));
        }
        self.steps.clear();
        self.hook_failure = None;
        if self.progress {
            // Clear the progress line, print, then draw it again.
            print(&format!("\r\x1b[2K{text}{}", self.progress_line()));
        } else if !text.is_empty() {
            print(&text);
        }
    }

    fn progress_line(&self) -> String {
        let failed = if self.failed > 0 {
            self.palette.fail(&format!(", {} failed", self.failed))
        } else {
            String::new()
        };
        format!("{}/{} scenarios{failed}", self.done, self.total)
    }

    fn scenario_block(&self, f: &gherkin::Feature, sc: &gherkin::Scenario, failed: bool) -> String {
        let path = f
            .path
            .as_ref()
            .map(|p| display_path(&p.display().to_string()))
            .unwrap_or_default();
        let header = format!("{}: {}", sc.keyword, scenario_label(sc));
        let header = if failed {
            self.palette.fail(&header)
        } else {
            self.palette.pass(&header)
        };
        let mut out = format!(
            "  {header} {}\n",
            self.palette.dim(&format!("({path}:{})", sc.position.line))
        );
        if let Some(h) = &self.hook_failure {
            out.push_str(&format!("   {}\n", self.palette.fail(h)));
        }
        for s in &self.steps {
            match &s.state {
                StepState::Passed => {
                    out.push_str(&format!("   {}  {}\n", self.palette.pass("✔"), s.sentence));
                }
                StepState::Failed(message) => {
                    out.push_str(&format!(
                        "   {}  {}\n",
                        self.palette.fail("✘"),
                        self.palette.fail(&s.sentence)
                    ));
                    for line in message.lines() {
                        out.push_str(&format!("      {line}\n"));
                    }
                }
                StepState::Skipped => {
                    out.push_str(&format!(
                        "   {}  {}\n",
                        self.palette.skip("-"),
                        self.palette.skip(&format!("{} (skipped)", s.sentence))
                    ));
                }
            }
        }
        out
    }
}

fn sentence(step: &gherkin::Step) -> String {
    format!("{} {}", step.keyword.trim(), step.value)
}

impl Writer<World> for Console {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(
        &mut self,
        event: parser::Result<Event<Cucumber<World>>>,
        _cli: &Self::Cli,
    ) {
        let Ok(ev) = event else {
            return;
        };
        if self.detail.is_none() {
            return;
        }
        let (value, _) = ev.split();
        let everything = self.detail == Some(Detail::Everything);
        match value {
            Cucumber::Feature(f, Feature::Started) if everything => {
                print(&self.feature_header(&f));
            }
            Cucumber::Feature(_, Feature::Rule(r, Rule::Started)) if everything => {
                print(&format!("  {}: {}\n", r.keyword, r.name));
            }
            Cucumber::Feature(f, Feature::Scenario(sc, rs)) => {
                self.scenario(&f, None, &sc, &rs.event);
            }
            Cucumber::Feature(f, Feature::Rule(r, Rule::Scenario(sc, rs))) => {
                self.scenario(&f, Some(&r), &sc, &rs.event);
            }
            Cucumber::Finished if self.progress => print("\r\x1b[2K"),
            _ => {}
        }
    }
}

impl Console {
    fn scenario(
        &mut self,
        f: &gherkin::Feature,
        r: Option<&gherkin::Rule>,
        sc: &gherkin::Scenario,
        ev: &Scenario<World>,
    ) {
        match ev {
            Scenario::Started => {
                self.steps.clear();
                self.hook_failure = None;
            }
            Scenario::Background(step, st) | Scenario::Step(step, st) => self.step(step, st),
            Scenario::Hook(ty, Hook::Failed(_, info)) => {
                let when = match ty {
                    HookType::Before => "before",
                    HookType::After => "after",
                };
                self.hook_failure = Some(format!(
                    "the scenario's {when} hook failed: {}",
                    panic_text(info.as_ref())
                ));
            }
            Scenario::Finished => self.finish(f, r, sc),
            _ => {}
        }
    }
}

/// The recap after the run: every failed scenario with its `file:line`, its
/// failure and diagnosis in one line and the command that reruns it and
/// renders its transcript; then the totals and the wall time.
pub(crate) fn recap(
    outcomes: &[Outcome],
    counts: Counts,
    wall: Duration,
    rerun: &str,
    palette: Palette,
) -> String {
    let mut out = String::new();
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| !o.passed()).collect();
    if !failed.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            palette.fail(&format!(
                "{} failed scenario{}:",
                failed.len(),
                plural(failed.len())
            ))
        ));
        for o in &failed {
            let path = display_path(&o.feature_path);
            let at = format!("{path}:{}", o.line);
            out.push_str(&format!("  {}  {}\n", palette.fail(&at), o.scenario));
            if let Some(f) = &o.failure {
                out.push_str(&format!("    {}\n", f.one_line()));
            }
            out.push_str(&format!(
                "    {} {rerun} transcript {at}\n",
                palette.dim("rerun and see its transcript:")
            ));
        }
    }
    let passed = outcomes.len() - failed.len();
    let scenarios = format!(
        "{} scenario{}: {passed} passed, {} failed",
        outcomes.len(),
        plural(outcomes.len()),
        failed.len()
    );
    let scenarios = if failed.is_empty() {
        palette.pass(&scenarios)
    } else {
        palette.fail(&scenarios)
    };
    let steps = counts.steps_passed + counts.steps_failed + counts.steps_skipped;
    out.push_str(&format!(
        "\n{scenarios}; {steps} step{}: {} passed, {} failed, {} skipped; {:.2} s\n",
        plural(steps),
        counts.steps_passed,
        counts.steps_failed,
        counts.steps_skipped,
        wall.as_secs_f64()
    ));
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
