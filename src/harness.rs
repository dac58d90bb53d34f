//! The front door: one [`Harness`] per test, everything else reached from it.
//!
//! A `Harness` is what a scenario runs on, without Gherkin: a mocked WorkOS
//! API and one mock per provider on ephemeral loopback ports, a virtual
//! clock, seeded ids, the app's Pipes client and the transcript of what went
//! over the wire. Two harnesses never share state, so tests run concurrently.
//!
//! The handles ([`Harness::workos`], [`Harness::provider`]) are cheap views;
//! a fault mounted with [`ProviderHandle::fault_scoped`] is undone when its
//! [`FaultGuard`] drops, the way wiremock's `mount_as_scoped` works.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::client::connect::connect;
use crate::client::models::ConnectedAccount;
use crate::client::models::{AuthorizeRequest, TokenRequest};
use crate::client::provider_call::{ProviderCaller, ProviderRequest, RetryPolicy, VirtualSleeper};
use crate::client::{Browser, PipesClient, PipesError};
use crate::common::ids::DEFAULT_SEED;
use crate::common::text::capitalize;
use crate::mock::workos::state::{Integration, User};
use crate::mock::{Clock, Stack, StackError};
use crate::provider::ProviderKind;
use crate::providers::engine::faults::{Fault, FaultError, ScopedFault};
use crate::transcript::HttpResponse;
use crate::transcript::yaml::{self, Header};

/// A harness could not start.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// A server of the stack could not start.
    #[error("the mock stack could not start: {0}")]
    Start(#[from] StackError),
}

/// The mocked WorkOS and providers for one test, and the app's client.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use pipes_harness::{Harness, ProviderKind};
///
/// // Arrange: a stack with the GitHub integration configured.
/// let harness = Harness::start().await?;
/// harness.workos().configure(ProviderKind::Github);
///
/// // Act: alice connects GitHub in her browser, then the app reads her
/// // profile with a token fetched from WorkOS just before the call.
/// harness.connect("alice", ProviderKind::Github).await?;
/// let profile = harness.call("alice", ProviderKind::Github, "/user").await?;
///
/// // Assert: GitHub answered, and the transcript never shows the token.
/// assert_eq!(profile.status, 200);
/// let transcript = harness.transcript_yaml("readme", "alice reads her profile");
/// assert!(transcript.contains("<access_token_1>"));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Harness {
    pub(crate) stack: Stack,
    pub(crate) client: PipesClient,
    pub(crate) caller: ProviderCaller,
    pub(crate) sleeper: VirtualSleeper,
    people: Mutex<BTreeMap<String, String>>,
    browsers: Mutex<BTreeMap<String, Browser>>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        // wiremock's MockServer blocks on an async lock when dropped; inside a
        // runtime task whose co-op budget is spent that wait can spin, so the
        // provider mocks are dropped on a blocking thread.
        let providers = std::mem::take(&mut self.stack.providers);
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => drop(handle.spawn_blocking(move || drop(providers))),
            Err(_) => drop(providers),
        }
    }
}

impl Harness {
    /// Starts a stack whose ids and secrets come from the default seed: the
    /// same test gives the same bytes on every run.
    pub async fn start() -> Result<Harness, HarnessError> {
        Self::with_seed(DEFAULT_SEED).await
    }

    /// Starts a stack whose ids and secrets come from `seed`.
    pub async fn with_seed(seed: u64) -> Result<Harness, HarnessError> {
        let stack = Stack::start(seed).await?;
        let client = PipesClient::new(stack.workos.uri(), &stack.api_key, stack.recorder.clone());
        let sleeper = VirtualSleeper::new(stack.clock.clone());
        let caller = ProviderCaller::new(
            client.clone(),
            Arc::new(sleeper.clone()),
            stack.clock.clone(),
            RetryPolicy::default(),
        );
        Ok(Harness {
            stack,
            client,
            caller,
            sleeper,
            people: Mutex::new(BTreeMap::new()),
            browsers: Mutex::new(BTreeMap::new()),
        })
    }

    /// The WorkOS mock: its URL, the API key, integrations, users, events.
    pub fn workos(&self) -> WorkosHandle<'_> {
        WorkosHandle { harness: self }
    }

    /// The mock of one provider: its URL, faults, what its users do there.
    pub fn provider(&self, kind: ProviderKind) -> ProviderHandle<'_> {
        ProviderHandle {
            harness: self,
            kind,
        }
    }

    /// The app's Pipes client, authenticated with the sandbox API key.
    pub fn client(&self) -> &PipesClient {
        &self.client
    }

    /// A Pipes client for the harness's own set-up and checks (reading a
    /// connection's state to assert on it, a dashboard setting): recorded
    /// as `harness`, so transcripts keep it apart from the app's traffic.
    pub fn checks(&self) -> PipesClient {
        self.client.as_actor("harness")
    }

    /// The virtual clock every server reads; [`Clock::advance`] moves it.
    pub fn clock(&self) -> &Clock {
        &self.stack.clock
    }

    /// The delays the app's provider calls waited (virtual time), in order.
    pub fn delays(&self) -> Vec<Duration> {
        self.sleeper.delays()
    }

    /// Every part of the stack, for the crate's own tests.
    #[cfg(test)]
    pub(crate) fn stack(&self) -> &Stack {
        &self.stack
    }

    /// The WorkOS user id of the person called `name`, created on first
    /// mention (`alice` becomes `alice@example.com`).
    pub fn user(&self, name: &str) -> String {
        let mut people = self.people.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(id) = people.get(name) {
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
        people.insert(name.to_string(), id.clone());
        id
    }

    /// Whether the person called `name` was mentioned before.
    pub fn knows(&self, name: &str) -> bool {
        self.people
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(name)
    }

    /// The browser of the person called `name`: it keeps cookies and
    /// follows redirects between the stack's servers only.
    pub fn browser(&self, name: &str) -> Browser {
        let mut browsers = self.browsers.lock().unwrap_or_else(PoisonError::into_inner);
        browsers
            .entry(name.to_string())
            .or_insert_with(|| {
                let mut known: Vec<String> =
                    self.stack.providers.values().map(|p| p.uri()).collect();
                known.push(self.stack.workos.uri().to_string());
                known.push(self.stack.custom.uri().to_string());
                known.push(self.stack.app.uri().to_string());
                Browser::new(self.client.http().clone(), known)
            })
            .clone()
    }

    /// Replaces the browser of the person called `name`.
    pub(crate) fn set_browser(&self, name: &str, browser: Browser) {
        self.browsers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_string(), browser);
    }

    /// The person called `name` connects `kind`: the app asks WorkOS for an
    /// authorize URL, the browser walks the OAuth flow through the provider
    /// mock and lands on the app's return page. Returns the account WorkOS
    /// now holds.
    pub async fn connect(
        &self,
        name: &str,
        kind: ProviderKind,
    ) -> Result<ConnectedAccount, PipesError> {
        let request = AuthorizeRequest {
            user_id: self.user(name),
            organization_id: None,
            return_to: Some(self.stack.app.return_url()),
        };
        connect(&self.client, &self.browser(name), kind, &request).await
    }

    /// The app calls `GET path` on `kind` for the person called `name`: a
    /// fresh token from WorkOS right before the call, rate limits backed off
    /// on the virtual clock, failures diagnosed.
    pub async fn call(
        &self,
        name: &str,
        kind: ProviderKind,
        path: &str,
    ) -> Result<HttpResponse, PipesError> {
        self.caller
            .call(&ProviderRequest {
                provider: kind,
                base_url: self.stack.provider(kind).uri(),
                method: reqwest::Method::GET,
                path: path.to_string(),
                token: TokenRequest {
                    user_id: self.user(name),
                    organization_id: None,
                },
            })
            .await
    }

    /// The transcript so far as YAML, redacted: the format of the snapshots.
    pub fn transcript_yaml(&self, feature: &str, scenario: &str) -> String {
        let header = Header {
            feature: feature.to_string(),
            scenario: scenario.to_string(),
            diagnosis: None,
        };
        yaml::render(&header, &self.stack.recorder)
    }
}

/// The WorkOS mock of a [`Harness`].
#[derive(Debug, Clone, Copy)]
pub struct WorkosHandle<'h> {
    harness: &'h Harness,
}

impl WorkosHandle<'_> {
    /// Base URL, e.g. `http://127.0.0.1:41234`: what an SDK's base URL is set to.
    pub fn uri(&self) -> &str {
        self.harness.stack.workos.uri()
    }

    /// The sandbox API key (`sk_test_...`).
    pub fn api_key(&self) -> &str {
        &self.harness.stack.api_key
    }

    /// Configures the `kind` integration in the sandbox with WorkOS's shared
    /// credentials and the provider's default scopes, as the dashboard does.
    pub fn configure(&self, kind: ProviderKind) {
        self.configure_with(kind, |_| {});
    }

    /// Configures the `kind` integration, then lets `change` edit it
    /// (scopes, enabled, credentials).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use pipes_harness::{DiagnosisKind, Harness, ProviderKind};
    ///
    /// let harness = Harness::start().await?;
    /// harness
    ///     .workos()
    ///     .configure_with(ProviderKind::Slack, |i| i.enabled = false);
    ///
    /// let err = harness.connect("bob", ProviderKind::Slack).await.unwrap_err();
    /// assert_eq!(err.diagnosis().kind, DiagnosisKind::ProviderNotConfigured);
    /// # Ok(()) }
    /// ```
    pub fn configure_with(&self, kind: ProviderKind, change: impl FnOnce(&mut Integration)) {
        let stack = &self.harness.stack;
        let now = stack.clock.now_ms();
        let ctx = stack.workos.ctx();
        let mut st = ctx.state();
        let existing = st
            .integration(
                &stack.sandbox,
                kind.slug(),
                crate::mock::workos::state::Ownership::User,
            )
            .map(|i| i.id.clone());
        let key = match existing {
            Some(key) => key,
            None => {
                let id = stack.ids.id("data_integration");
                st.add_integration(Integration::builtin(&id, &stack.sandbox, kind, now));
                id
            }
        };
        if let Some(entry) = st.integrations.get_mut(&key) {
            change(entry);
            entry.updated_ms = now;
        }
    }

    /// The names of the events WorkOS emitted, oldest first
    /// (`pipes.connected_account.connected`, ...).
    pub fn event_names(&self) -> Vec<String> {
        let ctx = self.harness.stack.workos.ctx();
        let st = ctx.state();
        st.events.iter().map(|e| e.event.clone()).collect()
    }
}

/// One provider mock of a [`Harness`].
#[derive(Debug, Clone, Copy)]
pub struct ProviderHandle<'h> {
    harness: &'h Harness,
    kind: ProviderKind,
}

impl ProviderHandle<'_> {
    /// Which provider.
    pub fn kind(&self) -> ProviderKind {
        self.kind
    }

    /// Base URL of the mock: what the app uses instead of the provider's API.
    pub fn uri(&self) -> String {
        self.harness.stack.provider(self.kind).uri()
    }

    /// Applies `fault` until the provider's faults are cleared, or for the
    /// next `times` calls. Faults have the names of the control API
    /// (`"rate_limit retry_after=2".parse()`).
    pub async fn fault(&self, fault: &Fault, times: Option<u64>) -> Result<(), FaultError> {
        fault
            .apply(self.harness.stack.provider(self.kind), times)
            .await
    }

    /// Applies `fault` until the returned guard drops.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use pipes_harness::{DiagnosisKind, Harness, ProviderKind};
    ///
    /// let harness = Harness::start().await?;
    /// harness.workos().configure(ProviderKind::Github);
    /// harness.connect("alice", ProviderKind::Github).await?;
    /// let github = harness.provider(ProviderKind::Github);
    ///
    /// {
    ///     let _outage = github.fault_scoped(&"server_error status=503".parse()?).await?;
    ///     let err = harness.call("alice", ProviderKind::Github, "/user").await.unwrap_err();
    ///     assert_eq!(err.diagnosis().kind, DiagnosisKind::ProviderUnavailable);
    /// }
    /// // The guard dropped: GitHub answers again.
    /// assert_eq!(harness.call("alice", ProviderKind::Github, "/user").await?.status, 200);
    /// # Ok(()) }
    /// ```
    pub async fn fault_scoped(&self, fault: &Fault) -> Result<FaultGuard, FaultError> {
        let scoped = fault
            .apply_scoped(self.harness.stack.provider(self.kind))
            .await?;
        Ok(FaultGuard { _scoped: scoped })
    }

    /// Removes every fault of this provider.
    pub async fn clear_faults(&self) {
        self.harness.stack.provider(self.kind).clear_faults().await;
    }

    /// The browser of the person called `name` signs in to the provider
    /// with `login`, so the connect flow authorizes that account.
    pub fn sign_in(&self, name: &str, login: &str) {
        let mock = self.harness.stack.provider(self.kind);
        mock.add_account(login);
        self.harness.user(name);
        let mut browser = self.harness.browser(name);
        browser.set_cookie(&mock.uri(), &format!("{}_login={login}", self.kind.slug()));
        self.harness.set_browser(name, browser);
    }

    /// The account `login` removes the app at the provider: every access and
    /// refresh token of it is revoked. Returns how many tokens were revoked.
    pub fn revoke(&self, login: &str) -> usize {
        self.harness
            .stack
            .provider(self.kind)
            .engine()
            .revoke_all(login)
    }
}

/// A fault that lasts as long as this guard: dropping it removes the fault.
#[derive(Debug)]
#[must_use = "the fault is removed as soon as the guard drops"]
pub struct FaultGuard {
    _scoped: ScopedFault,
}
