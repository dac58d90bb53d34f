//! `pipes-harness serve`: the mock stack as a standalone server, so an app
//! in any language (with the official WorkOS SDK) can run against it.
//!
//! The WorkOS mock listens on `--port` (default 4100) and the provider mocks
//! on the ports after it (GitHub, Slack, Google, Salesforce), or all on
//! ephemeral ports with `--port 0`. The world starts from a seed file
//! ([`seed`]), the clock is real time (with a test able to jump it forward
//! through the control API, `control`), and the base URLs are printed as
//! soon as every server accepts connections:
//!
//! ```text
//! workos http://127.0.0.1:4100
//! github http://127.0.0.1:4101
//! slack http://127.0.0.1:4102
//! google http://127.0.0.1:4103
//! salesforce http://127.0.0.1:4104
//! custom http://127.0.0.1:4105
//! ready
//! ```
//!
//! `custom` is the provider of every custom integration (`custom_provider`),
//! one slug per path: point a definition's `authorization_url` at
//! `http://127.0.0.1:4105/{slug}/authorize` and `token_url` at
//! `.../{slug}/token` (`refresh_token_url` may be `.../{slug}/refresh`); the
//! integration's custom credentials are registered there when it is created.
//!
//! The seed is resolved once into a [`World`] with fixed ids, tokens and
//! provider accounts; installing it again is what `POST /_harness/reset`
//! does, so an app that kept an id from before a reset still finds it.

pub(crate) mod control;
pub(crate) mod control_providers;
pub(crate) mod env_file;
pub(crate) mod guard;
pub mod seed;
pub(crate) mod yaml_limits;

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::common::clock::Clock;
use crate::common::ids::DEFAULT_SEED;
use crate::mock::workos::state::{
    AccountState, Credentials, EnvironmentKind, Integration, Membership, MembershipStatus,
    Organization, Ownership, User, WebhookEndpoint, WorkosState,
};
use crate::mock::workos::{Ctx, default_scopes};
use crate::mock::{Stack, StackConfig, StackError};
use crate::provider::ProviderKind;
use crate::providers::engine::oauth::{
    Account, CodeRequest, Exchange, OAuthApp, RefreshGrant, Token,
};

use seed::{Seed, SeedAccountState, SeedCredentials, SeedEnvironment, SeedError, SeedOwner};

/// The API key `serve` accepts when `--api-key` is not given.
pub const DEFAULT_API_KEY: &str = "sk_test_default";

/// How often queued webhook deliveries (and their retries) are attempted.
const DELIVERY_TICK: Duration = Duration::from_millis(100);

/// Command-line options of `serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to bind and advertise.
    pub host: String,
    /// WorkOS mock port; providers take the next four. 0 = all ephemeral.
    pub port: u16,
    /// Seed file.
    pub seed: Option<PathBuf>,
    /// API key accepted besides the seed's.
    pub api_key: String,
    /// How many events, webhook deliveries and idempotent answers are kept
    /// (`--log-limit`); the oldest go first.
    pub log_limit: usize,
    /// `--control-token`: control requests must carry `Authorization: Bearer <token>`.
    pub control_token: Option<String>,
    /// Where to write the environment an app and `run` need (`-` = stdout).
    pub env_file: Option<PathBuf>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            host: "127.0.0.1".into(),
            port: 4100,
            seed: None,
            api_key: DEFAULT_API_KEY.into(),
            log_limit: crate::mock::workos::state::DEFAULT_LOG_LIMIT,
            control_token: None,
            env_file: None,
        }
    }
}

/// `serve` could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The seed file is unreadable or invalid.
    #[error(transparent)]
    Seed(#[from] SeedError),
    /// `--api-key` is not a WorkOS-style key.
    #[error("invalid --api-key `{0}`: WorkOS API keys start with `sk_` (e.g. `sk_test_default`)")]
    ApiKey(String),
    /// A port could not be bound.
    #[error(
        "cannot listen on {addr} for the {what} mock: {source} (pick another --port, or --port 0 for ephemeral ports)"
    )]
    Bind {
        /// Which server.
        what: String,
        /// host:port.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// A production seed with only the well-known default key.
    #[error(
        "the seed says `environment: production`, which does not accept the default key `{DEFAULT_API_KEY}`: list the key your app uses under `api_keys` in the seed, or pass --api-key"
    )]
    ProductionDefaultKey,
    /// `--log-limit 0`.
    #[error("--log-limit must be at least 1 (it is how many events and deliveries are kept)")]
    LogLimit,
    /// An empty `--control-token`.
    #[error("--control-token must not be empty")]
    ControlToken,
    /// The port range runs past 65535.
    #[error(
        "--port {0} leaves no room for the provider mocks on the five ports after it (at most 65530)"
    )]
    PortRange(u16),
    /// The stack failed to start.
    #[error(transparent)]
    Stack(#[from] StackError),
}

/// A running `serve`: the stack, and what resets it.
#[derive(Debug)]
pub struct Server {
    stack: Arc<Stack>,
    control: Arc<control::Control>,
    ticker: tokio::task::JoinHandle<()>,
    /// The seed's first API key and webhook secret.
    credentials: (Option<String>, Option<String>),
}

impl Drop for Server {
    fn drop(&mut self) {
        self.ticker.abort();
    }
}

impl Server {
    /// Binds every port, starts the stack and installs the seed.
    pub async fn start(opts: &ServeOptions) -> Result<Server, ServeError> {
        if !(opts.api_key.len() > 3 && opts.api_key.starts_with("sk_")) {
            return Err(ServeError::ApiKey(opts.api_key.clone()));
        }
        if opts.log_limit == 0 {
            return Err(ServeError::LogLimit);
        }
        if opts
            .control_token
            .as_deref()
            .is_some_and(|t| t.trim().is_empty())
        {
            return Err(ServeError::ControlToken);
        }
        let seed = match &opts.seed {
            Some(path) => Seed::load(path)?,
            None => Seed::default(),
        };
        // Production never accepts the key everybody knows. When the key is
        // the default (not chosen), the seed's own keys are the only ones.
        let cli_key =
            if seed.environment == SeedEnvironment::Production && opts.api_key == DEFAULT_API_KEY {
                if seed.api_keys.is_empty() {
                    return Err(ServeError::ProductionDefaultKey);
                }
                None
            } else {
                Some(opts.api_key.as_str())
            };
        if opts.port > u16::MAX - 5 {
            return Err(ServeError::PortRange(opts.port));
        }
        let workos_listener = bind(&opts.host, opts.port, "WorkOS").await?;
        let mut provider_listeners = BTreeMap::new();
        for (i, kind) in ProviderKind::ALL.into_iter().enumerate() {
            let port = if opts.port == 0 {
                0
            } else {
                opts.port + 1 + i as u16
            };
            let listener = bind(&opts.host, port, kind.display_name())
                .await?
                .into_std()
                .map_err(|source| ServeError::Bind {
                    what: kind.display_name().into(),
                    addr: format!("{}:{port}", opts.host),
                    source,
                })?;
            provider_listeners.insert(kind, listener);
        }
        let custom_port = if opts.port == 0 { 0 } else { opts.port + 5 };
        let custom_listener = bind(&opts.host, custom_port, "custom provider")
            .await?
            .into_std()
            .map_err(|source| ServeError::Bind {
                what: "custom provider".into(),
                addr: format!("{}:{custom_port}", opts.host),
                source,
            })?;

        let control = Arc::new(control::Control::new());
        let workos_port = workos_listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or(opts.port);
        let guard = Arc::new(guard::Guard {
            host: opts.host.clone(),
            port: workos_port,
            token: opts.control_token.clone(),
        });
        let config = StackConfig {
            seed: DEFAULT_SEED,
            clock: Clock::realtime(),
            workos_listener: Some(workos_listener),
            provider_listeners,
            custom_listener: Some(custom_listener),
            extra_routes: control::router(Arc::clone(&control))
                .merge(control_providers::router(Arc::clone(&control)))
                .layer(axum::middleware::from_fn_with_state(guard, guard::layer)),
            scenario: false,
        };
        let stack = Arc::new(Stack::start_with(config).await?);
        stack.workos.ctx().state().log_limit = opts.log_limit;
        let world = World::resolve(&stack, &seed, cli_key);
        world.install(&stack);
        let credentials = world.app_credentials(&opts.api_key);
        control.attach(Arc::downgrade(&stack), world);
        // Only now: `/health` says 200 once the seed is in place.
        stack.workos.ctx().set_ready(true);
        let ticker = stack.workos.spawn_delivery_ticker(DELIVERY_TICK);
        Ok(Server {
            stack,
            control,
            ticker,
            credentials,
        })
    }

    /// `(name, base URL)` of every server: `workos` first, then each provider.
    pub fn urls(&self) -> Vec<(String, String)> {
        let mut urls = vec![("workos".to_string(), self.stack.workos.uri().to_string())];
        for kind in ProviderKind::ALL {
            urls.push((kind.slug().to_string(), self.stack.provider(kind).uri()));
        }
        urls.push(("custom".to_string(), self.stack.custom.uri().to_string()));
        urls
    }

    /// What `--env-file` writes: URLs, the key apps should use (the first
    /// seeded one, else `--api-key`) and the first webhook secret.
    pub fn env_facts(&self, opts: &ServeOptions) -> env_file::ServeFacts {
        let (api_key, webhook_secret) = self.credentials.clone();
        env_file::ServeFacts {
            workos_url: self.stack.workos.uri().to_string(),
            api_key: api_key.unwrap_or_else(|| opts.api_key.clone()),
            webhook_secret,
            providers: ProviderKind::ALL
                .into_iter()
                .map(|k| (k, self.stack.provider(k).uri()))
                .collect(),
            custom_url: Some(self.stack.custom.uri().to_string()),
            control_token: opts.control_token.clone(),
        }
    }

    /// The running stack, for the crate's own tests.
    #[cfg(test)]
    pub(crate) fn stack(&self) -> &Stack {
        &self.stack
    }

    /// The WorkOS mock's base URL (`http://127.0.0.1:4100`): the SDKs'
    /// `api_hostname` and port.
    pub fn workos_url(&self) -> String {
        self.stack.workos.uri().to_string()
    }

    /// A provider mock's base URL.
    pub fn provider_url(&self, kind: ProviderKind) -> String {
        self.stack.provider(kind).uri()
    }

    /// The custom providers' base URL (every custom slug is served there).
    pub fn custom_url(&self) -> String {
        self.stack.custom.uri().to_string()
    }

    /// The stand-in app's return page (a `return_to` that is always
    /// registered), for connect flows driven without an app.
    pub fn return_url(&self) -> String {
        self.stack.app.return_url()
    }

    /// Puts the world back to the seed (what `POST /_harness/reset` does).
    pub async fn reset(&self) {
        self.control.reset().await;
    }
}

async fn bind(host: &str, port: u16, what: &str) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind((host, port))
        .await
        .map_err(|source| ServeError::Bind {
            what: what.to_string(),
            addr: format!("{host}:{port}"),
            source,
        })
}

/// Runs `serve` until Ctrl-C or SIGTERM. Prints the URLs on stdout, errors
/// on stderr; the exit code is 0 after a clean shutdown, 2 when it could not
/// start.
pub async fn run(opts: ServeOptions) -> ExitCode {
    let server = match Server::start(&opts).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(arg) = &opts.env_file {
        let target = env_file::EnvTarget::parse(arg);
        if let Err(e) = env_file::write(&target, &server.env_facts(&opts)) {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let mut out = std::io::stdout().lock();
    for (name, url) in server.urls() {
        let _ = writeln!(out, "{name} {url}");
    }
    let _ = writeln!(out, "ready");
    let _ = out.flush();
    drop(out);
    if !guard::is_loopback(&opts.host) {
        eprintln!(
            "warning: --host {} is not a loopback address: the WorkOS mock, the four provider mocks and the control API (reset, clock, faults) are reachable from the network{}",
            opts.host,
            if opts.control_token.is_some() {
                "; control requests need the control token"
            } else {
                " by anyone, with no credential: add --control-token to protect the control API"
            }
        );
    }
    eprintln!(
        "pipes-harness serve: WorkOS mock at {} (API key {}); control API at {}/_harness{}; Ctrl-C to stop",
        server.stack.workos.uri(),
        crate::common::mask::mask(&opts.api_key),
        server.stack.workos.uri(),
        if opts.control_token.is_some() {
            " (Bearer token required)"
        } else {
            ""
        }
    );
    let signal = shutdown_signal().await;
    eprintln!("pipes-harness serve: {signal}, stopping");
    drop(server);
    ExitCode::SUCCESS
}

/// Waits for Ctrl-C (SIGINT) or SIGTERM; names the one that came.
async fn shutdown_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => "interrupted",
                _ = term.recv() => "terminated",
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                "interrupted"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "interrupted"
    }
}

/// The seed resolved into concrete ids, tokens and provider accounts, so
/// that installing it twice gives the same world. Timestamps and token
/// expiries are taken at install time, relative to the clock then.
#[derive(Debug, Clone)]
pub struct World {
    env: String,
    kind: EnvironmentKind,
    api_keys: Vec<String>,
    multiple_connections: bool,
    users: Vec<User>,
    organizations: Vec<Organization>,
    memberships: Vec<Membership>,
    integrations: Vec<Integration>,
    accounts: Vec<WorldAccount>,
    webhooks: Vec<WebhookEndpoint>,
    /// Per provider: OAuth apps and accounts as they were once the seed was applied.
    providers: BTreeMap<ProviderKind, ProviderSnapshot>,
}

/// A provider's OAuth apps and sign-in accounts, by client id and login.
type ProviderSnapshot = (BTreeMap<String, OAuthApp>, BTreeMap<String, Account>);

/// A seeded connected account and the provider-side token that backs it.
#[derive(Debug, Clone)]
struct WorldAccount {
    account: crate::mock::workos::state::ConnectedAccount,
    kind: ProviderKind,
    client_id: String,
    login: String,
    /// Seconds after install when the access token expires.
    expires_in: Option<i64>,
    /// Or a fixed instant.
    expires_at_ms: Option<i64>,
}

impl World {
    /// Resolves `seed` against a started stack: ids come from the stack's
    /// seeded generator, tokens the seed leaves out are issued by the
    /// provider mock itself, so they have the provider's real shapes.
    pub fn resolve(stack: &Stack, seed: &Seed, api_key: Option<&str>) -> World {
        let ctx: &Arc<Ctx> = stack.workos.ctx();
        let ids = &stack.ids;
        let now = stack.clock.now_ms();
        let env = stack.sandbox.clone();
        let mut api_keys: Vec<String> = api_key.into_iter().map(str::to_string).collect();
        for k in &seed.api_keys {
            if !api_keys.contains(&k.0) {
                api_keys.push(k.0.clone());
            }
        }

        let users: Vec<User> = seed
            .users
            .iter()
            .map(|u| User {
                id: u
                    .id
                    .as_ref()
                    .map(|i| i.0.clone())
                    .unwrap_or_else(|| ids.id("user")),
                env: env.clone(),
                email: u.email.0.clone(),
                first_name: u.first_name.clone(),
                last_name: u.last_name.clone(),
                email_verified: u.email_verified,
                created_ms: now,
                updated_ms: now,
                ..User::default()
            })
            .collect();
        // References are by id or email; index both so large seeds load in linear time.
        let by_ref: HashMap<&str, usize> = users
            .iter()
            .enumerate()
            .flat_map(|(n, u)| [(u.email.as_str(), n), (u.id.as_str(), n)])
            .collect();
        let user_id = |r: &str| -> String {
            by_ref
                .get(r)
                .map(|&n| users[n].id.clone())
                .unwrap_or_default()
        };

        let mut organizations = Vec::new();
        let mut memberships = Vec::new();
        for o in &seed.organizations {
            let id =
                o.id.as_ref()
                    .map(|i| i.0.clone())
                    .unwrap_or_else(|| ids.id("org"));
            for m in &o.memberships {
                memberships.push(Membership {
                    id: ids.id("om"),
                    env: env.clone(),
                    user_id: user_id(&m.user.0),
                    organization_id: id.clone(),
                    status: MembershipStatus::Active,
                    roles: vec![m.role.clone()],
                    created_ms: now,
                    updated_ms: now,
                    seq: 0,
                });
            }
            organizations.push(Organization {
                id,
                env: env.clone(),
                name: o.name.0.clone(),
                domains: o
                    .domains
                    .iter()
                    .map(|d| (ids.id("org_domain"), d.clone(), "verified".to_string()))
                    .collect(),
                created_ms: now,
                updated_ms: now,
                ..Organization::default()
            });
        }
        let org_id = |r: &str| -> String {
            organizations
                .iter()
                .find(|o| o.id == r || o.name == r)
                .map(|o| o.id.clone())
                .unwrap_or_default()
        };

        let mut integrations = Vec::new();
        for i in &seed.data_integrations {
            let kind = i.slug.0;
            let mut integration =
                Integration::builtin(&ids.id("data_integration"), &env, kind, now);
            integration.ownership = ownership(i.ownership);
            integration.enabled = i.enabled;
            integration.scopes = i.scopes.clone();
            integration.description = i.description.clone();
            integration.credentials = match &i.credentials {
                SeedCredentials::Shared => Credentials::Shared,
                SeedCredentials::Custom {
                    client_id,
                    client_secret,
                } => {
                    // The customer registered their app at the provider with
                    // the callback WorkOS shows for the integration.
                    stack.provider(kind).register_app(OAuthApp {
                        client_id: client_id.clone(),
                        client_secret: client_secret.clone(),
                        redirect_uris: vec![ctx.callback_url(kind.slug())],
                        allowed_scopes: None,
                        expiring_tokens: crate::providers::spec(kind).expiring_tokens,
                    });
                    Credentials::Custom {
                        client_id: client_id.clone(),
                        client_secret: client_secret.clone(),
                    }
                }
            };
            integrations.push(integration);
        }

        let mut accounts = Vec::new();
        for a in &seed.connected_accounts {
            let kind = a.slug.0;
            let Some(integration) = integrations
                .iter()
                .find(|i| i.provider == Some(kind) && i.ownership == ownership(a.owner))
            else {
                // The seed parser guarantees the integration exists.
                continue;
            };
            let link = ctx.providers.get(kind.slug());
            let (client_id, client_secret) = match &integration.credentials {
                Credentials::Custom {
                    client_id,
                    client_secret,
                } => (client_id.clone(), client_secret.clone()),
                _ => link
                    .map(|l| (l.shared_client_id.clone(), l.shared_client_secret.clone()))
                    .unwrap_or_default(),
            };
            let uid = user_id(&a.user.0);
            let email = by_ref
                .get(uid.as_str())
                .map(|&n| users[n].email.clone())
                .unwrap_or_default();
            let login = a
                .account_identifier
                .clone()
                .unwrap_or_else(|| email.split('@').next().unwrap_or("user").to_string());
            let provider = stack.provider(kind);
            let account = provider.add_account(&login);
            let scopes = a
                .scopes
                .clone()
                .or_else(|| integration.scopes.clone())
                .unwrap_or_else(|| default_scopes(kind));

            // Tokens the seed leaves out are issued by the provider's own
            // engine, through a code it then exchanges.
            let (access, refresh, issued_expires_in) = match &a.access_token {
                Some(t) => (t.clone(), a.refresh_token.clone(), None),
                None => {
                    let mut engine = provider.engine();
                    let callback = ctx.callback_url(kind.slug());
                    let code = engine.issue_code(
                        ids,
                        now,
                        CodeRequest {
                            client_id: client_id.clone(),
                            redirect_uri: callback,
                            scopes: scopes.clone(),
                            login: login.clone(),
                            ..CodeRequest::default()
                        },
                    );
                    let exchange = Exchange {
                        client_id: &client_id,
                        client_secret: Some(&client_secret),
                        code: &code,
                        redirect_uri: None,
                        code_verifier: None,
                    };
                    match engine.exchange_code(ids, now, exchange) {
                        Ok(issued) => {
                            (issued.access_token, issued.refresh_token, issued.expires_in)
                        }
                        Err(_) => (ids.secret("token_", 36), None, None),
                    }
                }
            };
            stack.recorder.secret("access_token", &access);
            if let Some(r) = &refresh {
                stack.recorder.secret("refresh_token", r);
            }
            let mut ca = crate::mock::workos::state::ConnectedAccount::oauth(
                &ids.id("data_installation"),
                integration,
                &uid,
                now,
            );
            if a.owner == SeedOwner::Organization {
                ca.user_id = None;
            }
            ca.organization_id = a.organization.as_ref().map(|o| org_id(&o.0));
            ca.established_by_user_id = Some(uid.clone());
            ca.scopes = scopes;
            ca.state = match a.state {
                SeedAccountState::Connected => AccountState::Connected,
                SeedAccountState::NeedsReauthorization => AccountState::NeedsReauthorization,
                SeedAccountState::Disconnected => AccountState::Disconnected,
            };
            ca.access_token = Some(access);
            ca.refresh_token = refresh;
            ca.account_identifier = Some(login.clone());
            ca.account_display_name = a
                .account_display_name
                .clone()
                .or_else(|| Some(account.name.clone()));
            accounts.push(WorldAccount {
                account: ca,
                kind,
                client_id,
                login,
                expires_in: a
                    .expires_in
                    .map(|s| i64::try_from(s).unwrap_or(i64::MAX / 2000))
                    .or(issued_expires_in),
                expires_at_ms: a.expires_at_ms,
            });
        }

        let webhooks = seed
            .webhook_endpoints
            .iter()
            .map(|w| WebhookEndpoint {
                id: w
                    .id
                    .as_ref()
                    .map(|i| i.0.clone())
                    .unwrap_or_else(|| ids.id("we")),
                env: env.clone(),
                endpoint_url: w.url.0.clone(),
                secret: w.secret.clone().unwrap_or_else(|| ids.secret("whsec_", 25)),
                enabled: w.enabled,
                events: match &w.events {
                    Some(list) => list.iter().map(|e| e.0.clone()).collect(),
                    None => seed::PIPES_EVENTS
                        .iter()
                        .map(|e| (*e).to_string())
                        .collect(),
                },
                created_ms: now,
                updated_ms: now,
                seq: 0,
            })
            .collect::<Vec<_>>();
        for w in &webhooks {
            stack.recorder.secret("webhook_secret", &w.secret);
        }

        let providers = ProviderKind::ALL
            .into_iter()
            .map(|kind| {
                let engine = stack.provider(kind).engine();
                (kind, (engine.apps.clone(), engine.accounts.clone()))
            })
            .collect();

        World {
            env,
            kind: match seed.environment {
                SeedEnvironment::Sandbox => EnvironmentKind::Sandbox,
                SeedEnvironment::Production => EnvironmentKind::Production,
            },
            api_keys,
            multiple_connections: seed.multiple_connections,
            users,
            organizations,
            memberships,
            integrations,
            accounts,
            webhooks,
            providers,
        }
    }

    /// Replaces the WorkOS state and every provider's OAuth state with this world.
    pub fn install(&self, stack: &Stack) {
        let now = stack.clock.now_ms();
        let mut state = WorkosState::default();
        // The bound on logs is the server's, not the seed's.
        state.log_limit = stack.workos.ctx().state().log_limit;
        let mut environment = crate::mock::workos::state::Environment::new(
            &self.env,
            self.kind,
            self.api_keys.clone(),
        );
        // Keep whatever else the stack set on its environment.
        if let Some(existing) = stack.workos.ctx().state().environments.get(&self.env) {
            environment = crate::mock::workos::state::Environment {
                kind: self.kind,
                api_keys: self.api_keys.clone(),
                ..existing.clone()
            };
        }
        environment.multiple_connections = self.multiple_connections;
        state.add_environment(environment);
        for u in &self.users {
            state.add_user(stamp_user(u, now));
        }
        for o in &self.organizations {
            let mut o = o.clone();
            o.created_ms = now;
            o.updated_ms = now;
            state.add_organization(o);
        }
        for m in &self.memberships {
            let mut m = m.clone();
            m.created_ms = now;
            m.updated_ms = now;
            state.add_membership(m);
        }
        for i in &self.integrations {
            let mut i = i.clone();
            i.created_ms = now;
            i.updated_ms = now;
            state.add_integration(i);
        }

        // The seed defines no custom integration: every custom provider
        // goes, with its behaviour, apps and tokens, and its slot is free.
        stack.custom.clear();
        // Each provider forgets every code and token; its apps and accounts
        // go back to what the seed left. Settings and fault switches are
        // the caller's business (`clear_faults`).
        let mut engines: BTreeMap<ProviderKind, _> = ProviderKind::ALL
            .into_iter()
            .map(|kind| {
                let mut e = stack.provider(kind).engine();
                e.codes.clear();
                e.tokens.clear();
                e.refresh_tokens.clear();
                e.calls.clear();
                stack.provider(kind).requests().clear();
                if let Some((apps, accounts)) = self.providers.get(&kind) {
                    e.apps = apps.clone();
                    e.accounts = accounts.clone();
                }
                (kind, e)
            })
            .collect();
        for wa in &self.accounts {
            let expires_ms = wa.expires_at_ms.or_else(|| {
                wa.expires_in
                    .map(|s| now.saturating_add(s.saturating_mul(1000)))
            });
            let mut a = wa.account.clone();
            a.expires_ms = expires_ms;
            a.created_ms = now;
            a.updated_ms = now;
            if let Some(engine) = engines.get_mut(&wa.kind) {
                if let Some(access) = &a.access_token {
                    engine.tokens.insert(
                        access.clone(),
                        Token {
                            login: wa.login.clone(),
                            client_id: wa.client_id.clone(),
                            scopes: a.scopes.clone(),
                            expires_ms,
                            revoked: false,
                            issued_ms: now,
                            user_token: false,
                        },
                    );
                }
                if let Some(refresh) = &a.refresh_token {
                    engine.refresh_tokens.insert(
                        refresh.clone(),
                        RefreshGrant {
                            login: wa.login.clone(),
                            client_id: wa.client_id.clone(),
                            scopes: a.scopes.clone(),
                            revoked: false,
                            issued_ms: now,
                            user_token: false,
                        },
                    );
                }
            }
            state.add_account(a);
        }
        for w in &self.webhooks {
            let mut w = w.clone();
            w.created_ms = now;
            w.updated_ms = now;
            state.add_webhook_endpoint(w);
        }
        drop(engines);
        *stack.workos.ctx().state() = state;
    }

    /// The first seeded API key (the one apps should use) and the first
    /// webhook endpoint's secret, when the seed has them.
    pub fn app_credentials(&self, fallback_key: &str) -> (Option<String>, Option<String>) {
        let key = self
            .api_keys
            .iter()
            .find(|k| k.as_str() != fallback_key)
            .cloned();
        (key, self.webhooks.first().map(|w| w.secret.clone()))
    }
}

fn stamp_user(u: &User, now: i64) -> User {
    let mut u = u.clone();
    u.created_ms = now;
    u.updated_ms = now;
    u
}

fn ownership(o: SeedOwner) -> Ownership {
    match o {
        SeedOwner::User => Ownership::User,
        SeedOwner::Organization => Ownership::Organization,
    }
}
