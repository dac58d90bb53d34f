//! The app under test, below both the app-facing steps and `doctor`: the
//! built-in reference app (a correct integration on the scenario's own
//! stack), a team's app reached over HTTP, the webhook attacks both are
//! checked with, and the checks made before a run against a team's app.

pub mod attacks;
pub mod preflight;
pub mod reference;
pub mod target;
