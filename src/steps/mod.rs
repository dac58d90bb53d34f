//! The cucumber World and the step vocabulary, grouped by concern.
//!
//! Steps speak the domain ("alice connects github"), not HTTP. Each scenario
//! gets a fresh [`Stack`]; steps return `Result<(), String>` so a failure is
//! a message the reader can act on, never a panic.

pub mod app;
pub mod connect;
pub mod params;
pub mod provider_calls;
pub mod providers;
pub mod setup;
pub mod time;
pub mod tokens;
pub mod transcript;
pub mod vocabulary;
pub mod webhooks;
pub mod workos;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::client::provider_call::{ProviderCaller, RetryPolicy, VirtualSleeper};
use crate::client::{Browser, Diagnosis, PipesClient, PipesError};
use crate::mock::Stack;
use crate::mock::ids::DEFAULT_SEED;
use crate::mock::workos::state::User;
use crate::transcript::HttpResponse;

/// A step failed; the message says what was expected and what happened.
pub type StepResult = Result<(), String>;

/// The state of one scenario.
#[derive(Debug, cucumber::World)]
#[world(init = Self::new)]
pub struct PipesWorld {
    /// The scenario's own stack.
    pub stack: Stack,
    /// The app's Pipes client.
    pub client: PipesClient,
    /// ProviderArg calls with fresh tokens, sleeping on the virtual clock.
    pub caller: ProviderCaller,
    /// Records the delays the caller chose.
    pub sleeper: VirtualSleeper,
    /// People by name (`alice`) → WorkOS user id.
    pub users: BTreeMap<String, String>,
    /// Each person's browser.
    pub browsers: BTreeMap<String, Browser>,
    /// The last failure a `When` step produced.
    pub last_error: Option<PipesError>,
    /// The last provider response.
    pub last_response: Option<HttpResponse>,
    /// The app under test, for app-facing steps (`Given the app under test`).
    pub app: Option<app::AppUnderTest>,
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

impl Drop for PipesWorld {
    fn drop(&mut self) {
        // wiremock's MockServer blocks on an async lock when dropped. Inside
        // the runner's task the tokio co-op budget may already be spent, and
        // that blocking wait then spins forever. A blocking thread has no
        // budget, so the provider mocks are dropped there.
        let providers = std::mem::take(&mut self.stack.providers);
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => drop(handle.spawn_blocking(move || drop(providers))),
            Err(_) => drop(providers),
        }
    }
}

impl PipesWorld {
    /// Starts a stack and a client for it.
    pub async fn new() -> Result<Self, crate::mock::StackError> {
        let stack = Stack::start(DEFAULT_SEED).await?;
        let client = PipesClient::new(stack.workos.uri(), &stack.api_key, stack.recorder.clone());
        let sleeper = VirtualSleeper::new(stack.clock.clone());
        let caller = ProviderCaller::new(
            client.clone(),
            Arc::new(sleeper.clone()),
            stack.clock.clone(),
            RetryPolicy::default(),
        );
        Ok(PipesWorld {
            stack,
            client,
            caller,
            sleeper,
            users: BTreeMap::new(),
            browsers: BTreeMap::new(),
            last_error: None,
            last_response: None,
            app: None,
            last_action: Action::None,
        })
    }

    /// The WorkOS user id of `name`, creating the user on first mention.
    pub fn user(&mut self, name: &str) -> String {
        if let Some(id) = self.users.get(name) {
            return id.clone();
        }
        let id = self.stack.ids.id("user");
        let now = self.stack.clock.now_ms();
        let user = User {
            id: id.clone(),
            env: self.stack.sandbox.clone(),
            email: format!("{}@example.com", name.to_lowercase()),
            first_name: Some(capitalize(name)),
            created_ms: now,
            updated_ms: now,
            ..User::default()
        };
        self.stack.workos.ctx().state().add_user(user);
        self.users.insert(name.to_string(), id.clone());
        id
    }

    /// `name`'s browser.
    pub fn browser(&mut self, name: &str) -> Browser {
        if let Some(b) = self.browsers.get(name) {
            return b.clone();
        }
        let mut known: Vec<String> = self.stack.providers.values().map(|p| p.uri()).collect();
        known.push(self.stack.workos.uri().to_string());
        known.push(self.stack.app.uri().to_string());
        let b = Browser::new(self.client.http().clone(), known);
        self.browsers.insert(name.to_string(), b.clone());
        b
    }

    /// The diagnosis of the last failure, or an error saying there was none.
    pub fn last_diagnosis(&self) -> Result<&Diagnosis, String> {
        self.last_error
            .as_ref()
            .map(PipesError::diagnosis)
            .ok_or_else(|| "expected the last step to fail, but it succeeded".to_string())
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
