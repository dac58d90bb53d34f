//! # pipes-harness
//!
//! Tests WorkOS Pipes integrations the way they break in production:
//! redirect URI mismatches, revoked tokens, reused codes, rate limits, bad
//! webhook signatures. A mocked WorkOS API and mocked OAuth providers
//! (GitHub, Slack, Google, Salesforce) run as real HTTP servers on loopback,
//! with a virtual clock and seeded ids; every failure the app's client sees
//! carries a [`Diagnosis`] (what happened, the root cause, the fix), and
//! every exchange is recorded in a redacted transcript.
//!
//! Most users never write Rust: `pipes-harness run` runs Gherkin scenarios
//! and `pipes-harness serve` stands in for WorkOS for an app in any language.
//! This crate is for the Rust team that wants the same stack in its own
//! tests, or its own steps in the scenario library.
//!
//! ## Getting started
//!
//! [`Harness::start`] starts one stack; everything is reached from it.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use pipes_harness::{DiagnosisKind, Harness, ProviderKind};
//!
//! // Arrange: GitHub configured, alice connected, then she removes the app
//! // at GitHub.
//! let harness = Harness::start().await?;
//! harness.workos().configure(ProviderKind::Github);
//! harness.provider(ProviderKind::Github).sign_in("alice", "alice-codes");
//! harness.connect("alice", ProviderKind::Github).await?;
//! harness.provider(ProviderKind::Github).revoke("alice-codes");
//!
//! // Act: the app asks WorkOS for a token and calls GitHub.
//! let err = harness.call("alice", ProviderKind::Github, "/user").await.unwrap_err();
//!
//! // Assert: the harness says what happened and what to do.
//! assert_eq!(err.diagnosis().kind, DiagnosisKind::TokenRevoked);
//! println!("{}", err.diagnosis());
//! # Ok(()) }
//! ```
//!
//! ## The main ideas
//!
//! - **One stack per test.** Every server listens on an ephemeral loopback
//!   port and holds its own state: tests run concurrently and never see
//!   each other.
//! - **Faults are named**, with the names of `serve`'s control API
//!   (`"rate_limit retry_after=2"`, `"server_error status=503"`), applied
//!   until cleared, for a number of calls, or for as long as a
//!   [`FaultGuard`] lives ([`ProviderHandle::fault_scoped`]).
//! - **Time is virtual.** Token expiry, code lifetimes, webhook timestamps
//!   and the client's backoff all read the stack's clock; nothing sleeps.
//! - **Same test, same bytes.** Ids, tokens and fake data come from seeded
//!   streams, one per purpose.
//!
//! ## Your own steps
//!
//! The scenario library's World is [`steps::PipesWorld`]. A crate that
//! depends on this one adds steps to it with cucumber's attributes and runs
//! features through [`runner::run`]; the World's `state` holds the crate's
//! own values, one per type. `examples/custom_steps.rs` does exactly that.
//!
//! ## Compared with wiremock
//!
//! wiremock mocks one HTTP server per test and leaves the behaviour to you.
//! pipes-harness uses wiremock for the provider mocks but brings the
//! behaviour: OAuth flows, token lifetimes and rotation, each provider's
//! wire format and error shapes, and a WorkOS that refreshes tokens and
//! signs webhooks the way the real one does.
//!
//! ## What is public
//!
//! The front door ([`Harness`] and its handles), the Pipes client
//! ([`client`]), the provider list ([`ProviderKind`]), the World and runner
//! for custom steps ([`steps`], [`runner`]), the clock ([`Clock`]), and
//! [`serve`]'s server for a Rust test that wants the stack as
//! `pipes-harness serve` runs it (its seed, ports and control API).
//! Everything else (the mocks, the
//! provider folders, the transcript recorder, `doctor`) is private to the
//! crate; the binary's command line is the one hidden entry point
//! (`cli::main`).

pub(crate) mod apps;
#[doc(hidden)]
pub mod cli;
pub mod client;
pub(crate) mod common;
pub(crate) mod diagnosis;
pub(crate) mod doctor;
mod harness;
pub(crate) mod mock;
pub mod provider;
pub(crate) mod providers;
pub mod runner;
pub mod serve;
pub mod steps;
pub(crate) mod transcript;

#[cfg(test)]
mod tests;

pub use client::{Diagnosis, DiagnosisKind, PipesClient, PipesError};
pub use common::clock::Clock;
pub use harness::{FaultGuard, Harness, HarnessError, ProviderHandle, WorkosHandle};
pub use provider::ProviderKind;
/// Every fault name, as [`Fault`] and `serve`'s control API spell them.
pub use providers::engine::faults::NAMES as FAULT_NAMES;
pub use providers::engine::faults::{Fault, FaultError};
