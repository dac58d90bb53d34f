//! The cucumber World and the step vocabulary, grouped by concern.
//!
//! Steps speak the domain ("alice connects github"), not HTTP. Each scenario
//! gets a fresh [`Harness`]; steps return `Result<(), String>` so a failure is
//! a message the reader can act on, never a panic.

pub(crate) mod app;
pub(crate) mod connect;
pub(crate) mod connections;
pub(crate) mod custom_providers;
pub(crate) mod organizations;
pub(crate) mod params;
pub(crate) mod provider_calls;
pub(crate) mod providers;
pub(crate) mod setup;
pub(crate) mod state;
pub(crate) mod time;
pub(crate) mod tokens;
pub mod transcript;
pub(crate) mod vocabulary;
pub(crate) mod webhooks;
pub(crate) mod workos;

use std::ops::{Deref, DerefMut};

use crate::client::{Diagnosis, PipesError};
use crate::harness::{Harness, HarnessError};
use crate::transcript::HttpResponse;

/// A step failed; the message says what was expected and what happened.
pub type StepResult = Result<(), String>;

/// The state of one scenario: a [`Harness`] (reached through `Deref`, so
/// `w.stack`, `w.client`, `w.user("alice")` are the harness's) and what the
/// steps remember between them.
#[derive(Debug, cucumber::World)]
#[world(init = Self::new)]
pub struct PipesWorld {
    /// The scenario's own stack and client.
    pub harness: Harness,
    /// The last failure a `When` step produced.
    pub last_error: Option<PipesError>,
    /// The last provider response.
    pub last_response: Option<HttpResponse>,
    /// The app under test, for app-facing steps (`Given the app under test`).
    pub app: Option<app::AppUnderTest>,
    /// State of steps a user's crate adds: one value per type.
    pub state: state::State,
    /// What the last `When` step that talks to WorkOS or a provider did, so
    /// `Then` steps can say "the last step was not a connect flow" instead
    /// of judging a failure by the error's shape.
    pub last_action: Action,
}

/// The kind of the last action a `Then` step can judge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Action {
    /// Nothing yet.
    #[default]
    None,
    /// A connect flow (authorize call, browser walk, callback).
    Connect,
    /// A provider call through a token fetched from WorkOS.
    ProviderCall,
    /// A token request to WorkOS.
    TokenRequest,
    /// Listing a person's data providers.
    ListProviders,
    /// Any other WorkOS request.
    WorkosRequest,
}

impl Action {
    /// How a message names it.
    pub fn spoken(self) -> &'static str {
        match self {
            Action::None => "nothing yet",
            Action::Connect => "a connect flow",
            Action::ProviderCall => "a provider call",
            Action::TokenRequest => "a token request",
            Action::ListProviders => "listing data providers",
            Action::WorkosRequest => "a WorkOS request",
        }
    }
}

impl Deref for PipesWorld {
    type Target = Harness;

    fn deref(&self) -> &Harness {
        &self.harness
    }
}

impl DerefMut for PipesWorld {
    fn deref_mut(&mut self) -> &mut Harness {
        &mut self.harness
    }
}

impl PipesWorld {
    /// Starts a stack and a client for it.
    pub async fn new() -> Result<Self, HarnessError> {
        Ok(PipesWorld {
            harness: Harness::start().await?,
            last_error: None,
            last_response: None,
            app: None,
            state: state::State::default(),
            last_action: Action::None,
        })
    }

    /// The diagnosis of the last failure, or an error saying there was none.
    pub fn last_diagnosis(&self) -> Result<&Diagnosis, String> {
        self.last_error
            .as_ref()
            .map(PipesError::diagnosis)
            .ok_or_else(|| "expected the last step to fail, but it succeeded".to_string())
    }
}
