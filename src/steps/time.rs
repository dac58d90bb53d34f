//! Letting time pass on the scenario's virtual clock.
//!
//! Token lifetimes, code TTLs and Salesforce session timeouts all read the
//! stack's clock, so "9 hours pass" expires a GitHub token at once and
//! costs no real time.

use cucumber::when;

use super::params::Span;
use super::{PipesWorld, StepResult};
use crate::common::duration::spoken;

#[when(expr = "{duration} pass")]
async fn time_passes(w: &mut PipesWorld, span: Span) -> StepResult {
    advance(w, span)?;
    // Webhook retries that fell due go out now, as WorkOS would send them.
    w.stack.workos.deliver_pending().await;
    Ok(())
}

#[when(expr = "{duration} passes")]
async fn time_passes_singular(w: &mut PipesWorld, span: Span) -> StepResult {
    time_passes(w, span).await
}

fn advance(w: &mut PipesWorld, span: Span) -> StepResult {
    if span.0.is_zero() {
        return Err("a duration of zero lets no time pass: give a positive duration".into());
    }
    w.stack.clock.advance(span.0);
    w.stack
        .recorder
        .note("clock", format!("{} passed", spoken(span.0)));
    Ok(())
}

/// The documented steps of this module.
pub const VOCABULARY: &[super::vocabulary::StepDoc] = &[
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "{duration} pass",
        description: "Moves the scenario's virtual clock forward: tokens, codes and sessions age, webhook retries that fall due are sent, nobody waits.",
        example: "9 hours pass",
        group: "Time",
    },
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "{duration} passes",
        description: "The same, for a single unit.",
        example: "1 day passes",
        group: "Time",
    },
];
