//! The mocked stack: WorkOS, the providers and the app, wired together.
//!
//! One [`Stack`] per scenario, every server on `127.0.0.1:0`: scenarios run
//! concurrently and never share state, ports or ids.

pub mod app;
pub mod workos;

use std::collections::BTreeMap;

use crate::provider::ProviderKind;
use crate::transcript::{HttpClient, Recorder};

pub use crate::common::clock::Clock;
pub use crate::common::ids::IdGen;
pub use crate::providers::engine::ProviderMock;
pub use app::AppMock;
pub use workos::WorkosMock;

use workos::ProviderLink;
use workos::state::{Environment, EnvironmentKind, WorkosState};

/// A stack could not start.
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// Binding a loopback port failed.
    #[error("cannot bind a port on 127.0.0.1: {0}")]
    Bind(#[from] std::io::Error),
}

/// Everything one scenario talks to.
#[derive(Debug)]
pub struct Stack {
    /// The virtual clock.
    pub clock: Clock,
    /// Seeded ids and secrets.
    pub ids: IdGen,
    /// The transcript.
    pub recorder: Recorder,
    /// The WorkOS mock.
    pub workos: WorkosMock,
    /// One mock per provider.
    pub providers: BTreeMap<ProviderKind, ProviderMock>,
    /// The providers of custom integrations, one server for every slug.
    pub custom: std::sync::Arc<crate::providers::custom::CustomProviders>,
    /// The app's return page and webhook receiver.
    pub app: AppMock,
    /// The sandbox environment id.
    pub sandbox: String,
    /// The sandbox API key.
    pub api_key: String,
}

/// How a stack starts. A scenario takes [`StackConfig::scenario`]: frozen
/// clock, ephemeral loopback ports. `serve` chooses its ports, a real-time
/// clock and adds its control routes.
#[derive(Debug)]
pub struct StackConfig {
    /// Seed of ids and secrets.
    pub seed: u64,
    /// The clock every part reads.
    pub clock: Clock,
    /// Where the WorkOS mock listens; `None` = an ephemeral loopback port.
    pub workos_listener: Option<tokio::net::TcpListener>,
    /// Where provider mocks listen; a missing one gets an ephemeral loopback port.
    pub provider_listeners: BTreeMap<ProviderKind, std::net::TcpListener>,
    /// Where the custom providers listen; `None` = an ephemeral loopback port.
    pub custom_listener: Option<std::net::TcpListener>,
    /// Routes merged into the WorkOS mock outside API-key authentication.
    pub extra_routes: axum::Router<std::sync::Arc<workos::Ctx>>,
    /// `false` for `serve`: no transcript is kept (the recorder discards
    /// everything), and the WorkOS mock answers 503 until told it is ready
    /// (`Ctx::set_ready`, once the seed is installed).
    pub scenario: bool,
}

impl StackConfig {
    /// A scenario's stack: ids from `seed`, frozen clock, ephemeral ports.
    pub fn scenario(seed: u64) -> Self {
        StackConfig {
            seed,
            clock: Clock::scenario(),
            workos_listener: None,
            provider_listeners: BTreeMap::new(),
            custom_listener: None,
            extra_routes: axum::Router::new(),
            scenario: true,
        }
    }
}

impl Stack {
    /// Starts a stack whose ids and secrets come from `seed`.
    pub async fn start(seed: u64) -> Result<Stack, StackError> {
        Self::start_with(StackConfig::scenario(seed)).await
    }

    /// Starts a stack as `config` says.
    pub async fn start_with(config: StackConfig) -> Result<Stack, StackError> {
        let StackConfig {
            seed,
            clock,
            workos_listener,
            mut provider_listeners,
            custom_listener,
            extra_routes,
            scenario,
        } = config;
        let ids = IdGen::new(clock.clone(), seed);
        let recorder = if scenario {
            Recorder::new()
        } else {
            Recorder::discarding()
        };
        let workos_listener = match workos_listener {
            Some(l) => l,
            None => tokio::net::TcpListener::bind("127.0.0.1:0").await?,
        };
        let workos_base = format!("http://{}", workos_listener.local_addr()?);
        recorder.host(&workos_base, "workos.test");
        recorder.keep_response_headers(
            ProviderKind::ALL
                .iter()
                .flat_map(|kind| crate::providers::spec(*kind).kept_headers.iter().copied()),
        );

        let mut providers = BTreeMap::new();
        let mut links = BTreeMap::new();
        // Started together (mounting routes is most of a stack's start-up),
        // then wired in a fixed order so ids and secrets stay deterministic.
        let started = futures::future::join_all(ProviderKind::ALL.map(|kind| {
            ProviderMock::start_on(
                kind,
                provider_listeners.remove(&kind),
                clock.clone(),
                ids.clone(),
                recorder.clone(),
            )
        }))
        .await;
        for (kind, mock) in ProviderKind::ALL.into_iter().zip(started) {
            recorder.host(&mock.uri(), &format!("{}.test", kind.slug()));
            let shared_client_id = format!("workos_shared_{}", kind.slug());
            let shared_client_secret = ids.secret("shared_secret_", 32);
            mock.register_app(crate::providers::engine::OAuthApp {
                client_id: shared_client_id.clone(),
                client_secret: shared_client_secret.clone(),
                redirect_uris: vec![format!("{workos_base}/sso/callback/{}", kind.slug())],
                allowed_scopes: None,
                expiring_tokens: crate::providers::spec(kind).expiring_tokens,
            });
            links.insert(
                kind.slug().to_string(),
                ProviderLink {
                    kind,
                    authorize_url: mock.authorize_url(),
                    token_url: mock.token_url(),
                    shared_client_id,
                    shared_client_secret,
                    provider: std::sync::Arc::clone(mock.shared()),
                },
            );
            providers.insert(kind, mock);
        }

        let sandbox = ids.id("environment");
        let api_key = ids.secret("sk_test_", 40);
        recorder.secret("api_key", &api_key);
        let mut state = WorkosState::default();
        state.add_environment(Environment::new(
            &sandbox,
            EnvironmentKind::Sandbox,
            vec![api_key.clone()],
        ));
        let workos_http = HttpClient::new("workos", recorder.clone());
        let workos = WorkosMock::start_with(
            workos_listener,
            clock.clone(),
            ids.clone(),
            workos_http,
            links,
            state,
            extra_routes,
        )
        .await?;
        workos.ctx().set_ready(scenario);
        for mock in providers.values() {
            mock.shared().set_sign_in_hint(sign_in_hint(workos.ctx()));
        }

        let custom = std::sync::Arc::new(
            crate::providers::custom::CustomProviders::start(
                custom_listener,
                clock.clone(),
                ids.clone(),
                recorder.clone(),
            )
            .await?,
        );
        wire_custom(&custom, workos.ctx());

        let app_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let app = AppMock::start(app_listener, clock.clone()).await?;
        recorder.host(app.uri(), "app.test");

        Ok(Stack {
            clock,
            ids,
            recorder,
            workos,
            providers,
            custom,
            app,
            sandbox,
            api_key,
        })
    }

    /// The mock of `kind`.
    pub fn provider(&self, kind: ProviderKind) -> &ProviderMock {
        // Every kind is started in `start`, so the map is total.
        &self.providers[&kind]
    }
}

/// What a provider's sign-in asks WorkOS: whom the flow with this `state`
/// is for, so that user signs in as their own account. Holds WorkOS weakly,
/// since WorkOS holds the providers.
fn sign_in_hint(ctx: &std::sync::Arc<workos::Ctx>) -> crate::providers::engine::SignInHint {
    let weak = std::sync::Arc::downgrade(ctx);
    std::sync::Arc::new(move |state: &str| {
        let ctx = weak.upgrade()?;
        let st = ctx.state();
        let pending = st.pending.values().find(|p| p.state == state)?;
        let user = st.users.get(&pending.user_id)?;
        Some(crate::providers::engine::oauth::Connecting {
            user_id: user.id.clone(),
            email: user.email.clone(),
        })
    })
}

/// Wires the custom providers into a stack's WorkOS mock, as the built-in
/// ones are: their authorize page asks WorkOS whom a flow is for (so each
/// WorkOS user signs in as their own account), and WorkOS knows them (to
/// register an OAuth app a team set up through the API, and to read the
/// profile of a new connection).
fn wire_custom(
    custom: &std::sync::Arc<crate::providers::custom::CustomProviders>,
    ctx: &std::sync::Arc<workos::Ctx>,
) {
    custom.set_sign_in_hint(sign_in_hint(ctx));
    let _ = ctx.custom_providers.set(std::sync::Arc::clone(custom));
}
