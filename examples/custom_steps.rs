//! A crate that adds its own steps to the scenario library's World and runs
//! a feature with both.
//!
//! ```sh
//! cargo run --example custom_steps
//! ```
//!
//! Steps are registered with cucumber's attributes on
//! `pipes_harness::steps::PipesWorld`; what they share lives in the World's
//! `state`, one value per type. The runner checks every step before anything
//! runs, so a misspelt step of the team's is reported like one of the
//! library's.

use cucumber::{then, when};
use pipes_harness::runner::{self, FeatureText, RunOptions};
use pipes_harness::steps::PipesWorld;

/// The team's own state: how many calls its steps counted.
#[derive(Debug, Default)]
struct Counted(u32);

#[when("the team counts that call")]
async fn count_call(w: &mut PipesWorld) -> Result<(), String> {
    match &w.last_response {
        Some(r) if r.status == 200 => {
            w.state.get_or_default::<Counted>().0 += 1;
            Ok(())
        }
        Some(r) => Err(format!("the last call answered {}, not 200", r.status)),
        None => Err("no provider call was made before this step".into()),
    }
}

#[then(expr = "the team counted {int} calls")]
async fn counted(w: &mut PipesWorld, expected: u32) -> Result<(), String> {
    let seen = w.state.get::<Counted>().map_or(0, |c| c.0);
    if seen == expected {
        Ok(())
    } else {
        Err(format!("expected {expected} counted calls, counted {seen}"))
    }
}

#[tokio::main]
async fn main() {
    let feature = FeatureText {
        path: "examples/custom_steps.feature".into(),
        text: include_str!("custom_steps.feature").into(),
    };
    match runner::run(&[feature], RunOptions::default()).await {
        Ok(summary) if summary.ok() => println!("{} passed", summary.passed),
        Ok(summary) => {
            eprintln!(
                "{} of {} scenarios failed",
                summary.failed, summary.scenarios
            );
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}
