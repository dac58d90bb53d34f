//! A spec-driven OAuth 2.0 provider for any slug: the other side of a
//! team's `custom_provider` integration.
//!
//! One loopback server answers for every custom slug of the stack, under
//! the slug's own path:
//!
//! | route | what |
//! |---|---|
//! | `GET /{slug}/authorize` | RFC 6749 §4.1.1 authorization endpoint |
//! | `POST /{slug}/token` | §4.1.3 code exchange and §6 refresh |
//! | `POST /{slug}/refresh` | refresh grants only: a provider whose `refresh_token_url` differs |
//! | `GET /{slug}/userinfo` | `{sub, name, email}` for a bearer token (RFC 6750) |
//! | `POST /{slug}/revoke` | RFC 7009 token revocation |
//!
//! What the provider does is data, a [`CustomProviderSpec`] per slug, and is
//! independent of how the integration talking to it was configured, so a
//! scenario can set the two against each other: an integration that sends
//! HTTP Basic to a provider that only reads credentials from the body gets
//! the `invalid_client` a real provider answers.
//!
//! The OAuth state (apps, accounts, single-use codes with their TTL on the
//! virtual clock, tokens that expire or are revoked) is the shared
//! [`OAuthEngine`], with the spec's [`TokenRules`] for lifetimes, refresh
//! tokens and rotation. Where the spec says nothing the engine keeps the
//! rules of the most plainly RFC-shaped built-in provider (Google's):
//! codes live 10 minutes, people sign in with their email address, and
//! revoking any token of a grant revokes the grant (RFC 7009 §2.1 allows
//! both directions).
//!
//! The HTTP side (the router, the five handlers and how each answers) is in
//! `routes`, the provider faults a custom slug takes in `faults`; this file
//! holds what they act on: the registry of providers by slug (at most
//! [`MAX_PROVIDERS`] of them), each provider's spec, OAuth state and request
//! log, and the handle the rest of the crate starts and drives it through.

mod faults;
mod routes;
pub mod spec;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

pub use spec::{BodyType, ClientAuth, CustomProviderSpec, Pkce};

use crate::common::clock::Clock;
use crate::common::ids::IdGen;
use crate::provider::ProviderKind;
use crate::providers::engine::SignInHint;
use crate::providers::engine::oauth::OAuthEngine;
use crate::transcript::Recorder;

/// How many authorize and token requests each provider remembers (what the
/// steps assert on); a server left running keeps no more.
const SEEN_LIMIT: usize = 64;

/// How many custom providers one server holds at once: each slug keeps its
/// behaviour, apps, accounts and tokens until [`CustomProviders::clear`]
/// (`serve`'s reset), so a server left running stays bounded.
pub const MAX_PROVIDERS: usize = 64;

/// Why a slug has no custom provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlugError {
    /// A built-in provider's slug.
    BuiltIn,
    /// Not the shape of an integration slug ([`crate::provider::SLUG_RULE`]).
    Invalid,
    /// A new slug, and [`MAX_PROVIDERS`] exist already.
    Full,
}

/// What the authorize page received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeSeen {
    /// The raw `scope` parameter.
    pub scope: Option<String>,
    /// Whether a `code_challenge` came with it.
    pub code_challenge: bool,
    /// The names of every parameter, in order.
    pub parameters: Vec<String>,
}

/// Whether a token request carried a PKCE verifier, and whether it fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifierSeen {
    /// No `code_verifier`.
    NotSent,
    /// A verifier that matches the code's challenge.
    Matched,
    /// A verifier that does not match, or came for a code without a challenge.
    Unmatched,
}

/// What the token (or refresh) endpoint received, and what it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSeen {
    /// `token` or `refresh`: the endpoint the request went to.
    pub endpoint: &'static str,
    /// `grant_type`.
    pub grant_type: Option<String>,
    /// The body's media type as sent (`None`: no `Content-Type`).
    pub content_type: Option<String>,
    /// How the client authenticated (`None`: two methods at once, or an unreadable body).
    pub client_auth: Option<ClientAuth>,
    /// The PKCE verifier.
    pub verifier: VerifierSeen,
    /// The status answered.
    pub status: u16,
    /// The `error` answered, if any.
    pub error: Option<String>,
}

#[derive(Debug, Default)]
struct Seen {
    authorize: VecDeque<AuthorizeSeen>,
    token: VecDeque<TokenSeen>,
}

/// One custom provider: its spec, its OAuth state, what it received.
#[derive(Debug)]
pub struct CustomProvider {
    /// Its slug.
    pub slug: String,
    base_url: String,
    spec: Mutex<CustomProviderSpec>,
    engine: Mutex<OAuthEngine>,
    seen: Mutex<Seen>,
    /// The wire faults set on it, in the order they apply.
    faults: Mutex<Vec<faults::Armed>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl CustomProvider {
    fn new(slug: &str, base_url: &str) -> Self {
        let spec = CustomProviderSpec::default();
        // Google's engine rules where the spec is silent (see the module doc).
        let mut engine = OAuthEngine::new(ProviderKind::Google);
        engine.token_rules = Some(spec.token_rules());
        CustomProvider {
            slug: slug.to_string(),
            base_url: format!("{base_url}/{slug}"),
            spec: Mutex::new(spec),
            engine: Mutex::new(engine),
            seen: Mutex::new(Seen::default()),
            faults: Mutex::new(Vec::new()),
        }
    }

    /// `http://127.0.0.1:PORT/{slug}`: its endpoints are below it.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The URL of one of its endpoints: `authorize`, `token`, `refresh`,
    /// `userinfo`, `revoke`.
    pub fn url(&self, endpoint: &str) -> String {
        format!("{}/{endpoint}", self.base_url)
    }

    /// What it does now.
    pub fn spec(&self) -> CustomProviderSpec {
        lock(&self.spec).clone()
    }

    /// Changes what it does; tokens issued from now on follow the new rules.
    pub fn set_spec(&self, spec: CustomProviderSpec) {
        self.engine().token_rules = Some(spec.token_rules());
        *lock(&self.spec) = spec;
    }

    /// Locks its OAuth state.
    pub fn engine(&self) -> MutexGuard<'_, OAuthEngine> {
        lock(&self.engine)
    }

    /// Registers (or updates) an OAuth app: the client id and secret the
    /// team got from the provider, with the redirect URI they registered.
    pub fn register_app(&self, client_id: &str, client_secret: &str, redirect_uri: &str) {
        self.engine()
            .register_client(client_id, client_secret, redirect_uri, false);
    }

    /// The authorize requests it received, oldest first (the last 64).
    pub fn authorize_requests(&self) -> Vec<AuthorizeSeen> {
        lock(&self.seen).authorize.iter().cloned().collect()
    }

    /// The token and refresh requests it received, oldest first (the last 64).
    pub fn token_requests(&self) -> Vec<TokenSeen> {
        lock(&self.seen).token.iter().cloned().collect()
    }

    fn saw_authorize(&self, seen: AuthorizeSeen) {
        let mut s = lock(&self.seen);
        if s.authorize.len() >= SEEN_LIMIT {
            s.authorize.pop_front();
        }
        s.authorize.push_back(seen);
    }

    fn saw_token(&self, seen: TokenSeen) {
        let mut s = lock(&self.seen);
        if s.token.len() >= SEEN_LIMIT {
            s.token.pop_front();
        }
        s.token.push_back(seen);
    }
}

/// What every route shares.
#[derive(Debug)]
struct Registry {
    base_url: String,
    clock: Clock,
    ids: IdGen,
    recorder: Recorder,
    providers: Mutex<BTreeMap<String, Arc<CustomProvider>>>,
    sign_in_hint: Mutex<Option<Hint>>,
}

/// A [`SignInHint`], printable.
#[derive(Clone)]
struct Hint(SignInHint);

impl std::fmt::Debug for Hint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignInHint")
    }
}

/// Whether `slug` can name a custom provider: the shape of WorkOS's
/// integration slugs ([`crate::provider::SLUG_RULE`]), and none of the
/// built-in slugs.
pub fn valid_slug(slug: &str) -> bool {
    crate::provider::is_slug(slug) && slug.parse::<ProviderKind>().is_err()
}

impl Registry {
    fn get(&self, slug: &str) -> Option<Arc<CustomProvider>> {
        lock(&self.providers).get(slug).cloned()
    }

    fn get_or_create(&self, slug: &str) -> Result<Arc<CustomProvider>, SlugError> {
        if slug.parse::<ProviderKind>().is_ok() {
            return Err(SlugError::BuiltIn);
        }
        if !valid_slug(slug) {
            return Err(SlugError::Invalid);
        }
        let mut all = lock(&self.providers);
        if let Some(p) = all.get(slug) {
            return Ok(Arc::clone(p));
        }
        if all.len() >= MAX_PROVIDERS {
            return Err(SlugError::Full);
        }
        let p = Arc::new(CustomProvider::new(slug, &self.base_url));
        // Transcripts show `http://acme.test/token`.
        self.recorder.host(p.base_url(), &format!("{slug}.test"));
        all.insert(slug.to_string(), Arc::clone(&p));
        Ok(p)
    }

    /// The provider a request to `/{slug}/...` meets: the slug's own, made
    /// on first use; when the server is full, a fresh one that keeps
    /// nothing (it knows no app, so it answers as a provider that never
    /// heard of the client). `None` for a slug that cannot be a custom one.
    fn answering(&self, slug: &str) -> Option<Arc<CustomProvider>> {
        match self.get_or_create(slug) {
            Ok(p) => Some(p),
            Err(SlugError::Full) => Some(Arc::new(CustomProvider::new(slug, &self.base_url))),
            Err(SlugError::BuiltIn | SlugError::Invalid) => None,
        }
    }

    fn connecting(&self, state: &str) -> Option<crate::providers::engine::oauth::Connecting> {
        let hint = lock(&self.sign_in_hint).clone()?;
        (hint.0)(state)
    }
}

/// The running custom-provider server.
#[derive(Debug)]
pub struct CustomProviders {
    registry: Arc<Registry>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for CustomProviders {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl CustomProviders {
    /// Starts the server on `listener` (for `serve`) or an ephemeral
    /// loopback port. No provider exists until a slug is first used.
    pub async fn start(
        listener: Option<std::net::TcpListener>,
        clock: Clock,
        ids: IdGen,
        recorder: Recorder,
    ) -> std::io::Result<Self> {
        let listener = match listener {
            Some(l) => {
                l.set_nonblocking(true)?;
                tokio::net::TcpListener::from_std(l)?
            }
            None => tokio::net::TcpListener::bind("127.0.0.1:0").await?,
        };
        let base_url = format!("http://{}", listener.local_addr()?);
        let registry = Arc::new(Registry {
            base_url,
            clock,
            ids,
            recorder,
            providers: Mutex::new(BTreeMap::new()),
            sign_in_hint: Mutex::new(None),
        });
        let app = routes::router(Arc::clone(&registry));
        let task = tokio::spawn(async move {
            crate::common::listener::serve(listener, app).await;
        });
        Ok(CustomProviders { registry, task })
    }

    /// Base URL, e.g. `http://127.0.0.1:41234`; providers live at `{base}/{slug}`.
    pub fn uri(&self) -> &str {
        &self.registry.base_url
    }

    /// The provider of `slug`, made with the default spec on first use;
    /// `None` for a slug that cannot be a custom one (see [`valid_slug`])
    /// or a new slug when [`MAX_PROVIDERS`] exist.
    pub fn provider(&self, slug: &str) -> Option<Arc<CustomProvider>> {
        self.registry.get_or_create(slug).ok()
    }

    /// The provider of `slug`, made with the default spec on first use, or
    /// why there is none.
    pub fn try_provider(&self, slug: &str) -> Result<Arc<CustomProvider>, SlugError> {
        self.registry.get_or_create(slug)
    }

    /// The provider of `slug`, if it was used.
    pub fn get(&self, slug: &str) -> Option<Arc<CustomProvider>> {
        self.registry.get(slug)
    }

    /// Every slug used so far.
    pub fn slugs(&self) -> Vec<String> {
        lock(&self.registry.providers).keys().cloned().collect()
    }

    /// The provider whose endpoint `url` is, if it is one of this server's
    /// (`{base}/{slug}/...`), made on first use.
    pub fn provider_at(&self, url: &str) -> Option<Arc<CustomProvider>> {
        let rest = url.strip_prefix(&format!("{}/", self.uri()))?;
        let slug = rest.split(['/', '?']).next()?;
        self.provider(slug)
    }

    /// Sets a provider fault on `p`, one of [`faults::FAULTS`], for the next `times`
    /// requests or authorizations (or until cleared), or says why a custom
    /// provider cannot take it.
    pub fn apply_fault(
        &self,
        p: &CustomProvider,
        fault: &crate::providers::engine::faults::Fault,
        times: Option<u64>,
    ) -> Result<(), String> {
        self.registry.apply_fault(p, fault, times)
    }

    /// Lets the authorize page ask whom a flow is for (the stack wires it to
    /// the WorkOS mock's authorizations in progress).
    pub fn set_sign_in_hint(&self, hint: SignInHint) {
        *lock(&self.registry.sign_in_hint) = Some(Hint(hint));
    }

    /// Removes every provider (`serve`'s reset, whose seed defines no
    /// custom integration): each slug starts again from the default spec,
    /// with no app, on its next use, and every slot is free.
    pub fn clear(&self) {
        lock(&self.registry.providers).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_slugs_and_odd_text_are_not_custom_slugs() {
        assert!(valid_slug("acme"));
        assert!(valid_slug("acme-crm_2"));
        assert!(!valid_slug("github"));
        assert!(!valid_slug("Acme"));
        assert!(!valid_slug("a/b"));
        assert!(!valid_slug(""));
        assert!(!valid_slug("-acme"));
        assert!(!valid_slug(&"a".repeat(65)));
    }

    #[tokio::test]
    async fn the_server_holds_a_bounded_number_of_slugs_until_cleared() {
        let clock = Clock::scenario();
        let ids = IdGen::new(clock.clone(), 7);
        let server = CustomProviders::start(None, clock, ids, Recorder::new())
            .await
            .expect("the server starts");
        for i in 0..MAX_PROVIDERS {
            server
                .try_provider(&format!("p{i}"))
                .expect("room for this slug");
        }
        assert_eq!(server.try_provider("one-more").err(), Some(SlugError::Full));
        assert!(server.try_provider("p0").is_ok(), "a known slug is found");
        assert_eq!(
            server.try_provider("github").err(),
            Some(SlugError::BuiltIn)
        );
        assert_eq!(server.try_provider("-x").err(), Some(SlugError::Invalid));
        // A request for a new slug is still answered, by a provider that
        // keeps nothing.
        let answering = server.registry.answering("one-more").expect("an answer");
        assert_eq!(answering.slug, "one-more");
        assert_eq!(server.slugs().len(), MAX_PROVIDERS);
        server.clear();
        assert!(server.slugs().is_empty());
        assert!(server.try_provider("one-more").is_ok());
    }

    #[tokio::test]
    async fn a_slug_that_starts_another_shows_as_its_own_host() {
        let clock = Clock::scenario();
        let ids = IdGen::new(clock.clone(), 7);
        let recorder = Recorder::new();
        let server = CustomProviders::start(None, clock, ids, recorder.clone())
            .await
            .expect("the server starts");
        let acme = server.provider("acme").expect("a valid slug");
        let crm = server.provider("acme-crm").expect("a valid slug");
        let text = format!("{} {}", crm.url("token"), acme.url("token"));
        assert_eq!(
            recorder.redact(&text),
            "http://acme-crm.test/token http://acme.test/token"
        );
    }
}
