//! The provider mocks: one wiremock [`MockServer`] per provider.
//!
//! Each provider module mounts its default behaviour as stateful
//! [`wiremock::Respond`] implementations over a shared [`OAuthEngine`]: OAuth
//! apps with registered callback URLs, accounts, single-use codes with a TTL
//! on the virtual clock, access and refresh tokens that can expire or be
//! revoked. The module's job is only the wire format, which is where providers
//! differ (GitHub answers token errors with HTTP 200, Slack wraps everything
//! in `ok:false`, ...). Defaults are mounted at a low priority so that fault
//! steps can mount higher-priority mocks on top, for a number of calls.

pub mod engine;
pub mod github;
pub mod wire;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub use engine::{Account, OAuthApp, OAuthEngine};

use crate::mock::clock::Clock;
use crate::mock::ids::IdGen;
use crate::provider::ProviderKind;
use crate::transcript::Recorder;

/// Priority of the default routes. wiremock prefers lower numbers, so any
/// fault mounted at its default priority (5) wins over these.
pub const DEFAULT_PRIORITY: u8 = 10;

/// What a provider mock shares between its routes.
#[derive(Debug)]
pub struct Shared {
    /// Which provider this is.
    pub kind: ProviderKind,
    engine: Mutex<OAuthEngine>,
    /// The stack's clock.
    pub clock: Clock,
    /// The stack's id generator.
    pub ids: IdGen,
    /// The stack's recorder, for registering secrets this provider issues.
    pub recorder: Recorder,
}

impl Shared {
    /// Locks the OAuth state.
    pub fn engine(&self) -> MutexGuard<'_, OAuthEngine> {
        self.engine.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A route handler: a plain function over the shared state.
pub struct Route {
    shared: Arc<Shared>,
    handler: fn(&Shared, &Request) -> ResponseTemplate,
}

impl Respond for Route {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        (self.handler)(&self.shared, request)
    }
}

/// A running provider mock.
#[derive(Debug)]
pub struct ProviderMock {
    /// Which provider.
    pub kind: ProviderKind,
    /// The wiremock server; mount faults on it.
    pub server: MockServer,
    shared: Arc<Shared>,
}

impl ProviderMock {
    /// Starts the mock on an ephemeral loopback port with its defaults mounted.
    pub async fn start(kind: ProviderKind, clock: Clock, ids: IdGen, recorder: Recorder) -> Self {
        Self::start_on(kind, None, clock, ids, recorder).await
    }

    /// Starts the mock on `listener` (for `serve`) or an ephemeral port.
    pub async fn start_on(
        kind: ProviderKind,
        listener: Option<std::net::TcpListener>,
        clock: Clock,
        ids: IdGen,
        recorder: Recorder,
    ) -> Self {
        let server = match listener {
            Some(l) => MockServer::builder().listener(l).start().await,
            None => MockServer::builder().start().await,
        };
        let shared = Arc::new(Shared {
            kind,
            engine: Mutex::new(OAuthEngine::new(kind)),
            clock,
            ids,
            recorder,
        });
        let mock = ProviderMock {
            kind,
            server,
            shared,
        };
        match kind {
            ProviderKind::Github => github::mount_all(&mock).await,
            // Other providers get their wire formats in their own modules;
            // until then they answer 404 to everything, as wiremock does.
            ProviderKind::Slack | ProviderKind::Google | ProviderKind::Salesforce => {}
        }
        mock
    }

    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The shared state of this provider.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// The authorize endpoint the browser is sent to.
    pub fn authorize_url(&self) -> String {
        format!("{}{}", self.uri(), endpoints(self.kind).authorize)
    }

    /// The token endpoint WorkOS exchanges codes and refresh tokens at.
    pub fn token_url(&self) -> String {
        format!("{}{}", self.uri(), endpoints(self.kind).token)
    }

    /// Registers an OAuth app (client id, secret, callback URLs).
    pub fn register_app(&self, app: OAuthApp) {
        self.shared
            .recorder
            .secret("client_secret", &app.client_secret);
        self.shared.engine().apps.insert(app.client_id.clone(), app);
    }

    /// Adds an account users sign in to the provider with; returns it.
    pub fn add_account(&self, login: &str) -> Account {
        let account = engine::fake_account(self.kind, login, &self.shared.ids);
        self.shared
            .engine()
            .accounts
            .insert(login.to_string(), account.clone());
        account
    }

    /// Locks the OAuth state, for steps that change it.
    pub fn engine(&self) -> MutexGuard<'_, OAuthEngine> {
        self.shared.engine()
    }
}

/// Where a provider's OAuth endpoints live (paths on its mock).
#[derive(Debug, Clone, Copy)]
pub struct Endpoints {
    /// Authorize page path.
    pub authorize: &'static str,
    /// Token endpoint path.
    pub token: &'static str,
}

/// The real paths of each provider's OAuth endpoints.
pub fn endpoints(kind: ProviderKind) -> Endpoints {
    match kind {
        ProviderKind::Github => Endpoints {
            authorize: "/login/oauth/authorize",
            token: "/login/oauth/access_token",
        },
        ProviderKind::Slack => Endpoints {
            authorize: "/oauth/v2/authorize",
            token: "/api/oauth.v2.access",
        },
        ProviderKind::Google => Endpoints {
            authorize: "/o/oauth2/v2/auth",
            token: "/token",
        },
        ProviderKind::Salesforce => Endpoints {
            authorize: "/services/oauth2/authorize",
            token: "/services/oauth2/token",
        },
    }
}

/// Mounts `handler` for requests matching `method` and `path`.
pub(crate) async fn mount(
    mock: &ProviderMock,
    method: &str,
    path: &str,
    handler: fn(&Shared, &Request) -> ResponseTemplate,
) {
    Mock::given(wiremock::matchers::method(method))
        .and(wiremock::matchers::path(path))
        .respond_with(Route {
            shared: Arc::clone(&mock.shared),
            handler,
        })
        .with_priority(DEFAULT_PRIORITY)
        .mount(&mock.server)
        .await;
}
