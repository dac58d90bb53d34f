//! # pipes-harness
//!
//! Tests WorkOS Pipes integrations the way they break in production.
//!
//! Gherkin scenarios drive a typed [`client::PipesClient`] against a
//! [`mock::Stack`]: a mocked WorkOS API and mocked OAuth providers (GitHub,
//! Slack, Google, Salesforce), all real HTTP servers on loopback. Every
//! failure the client sees carries a [`client::Diagnosis`]: a stable kind, the
//! root cause and the fix. Every scenario leaves a redacted
//! [`transcript`] of what went over the wire.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use pipes_harness::client::{PipesClient, TokenRequest};
//! use pipes_harness::mock::Stack;
//!
//! // Arrange: a fresh stack on ephemeral loopback ports.
//! let stack = Stack::start(1).await?;
//! let client = PipesClient::new(stack.workos.uri(), &stack.api_key, stack.recorder.clone());
//! // Act: ask for a token for a user who never connected GitHub.
//! let err = client
//!     .fresh_token("github", &TokenRequest { user_id: "user_1".into(), organization_id: None })
//!     .await
//!     .unwrap_err();
//! // Assert: the harness says why, and what to do.
//! println!("{}", err.diagnosis());
//! # Ok(()) }
//! ```

pub mod client;
pub mod doctor;
pub mod mock;
pub mod provider;
pub mod runner;
pub mod serve;
pub mod steps;
pub mod suggest;
pub mod transcript;

pub use client::{Diagnosis, DiagnosisKind, PipesClient, PipesError};
pub use mock::Stack;
pub use provider::ProviderKind;
