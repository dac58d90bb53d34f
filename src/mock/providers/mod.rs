//! The provider mocks: one wiremock [`MockServer`] per provider.
//!
//! Each provider module mounts its default behaviour as stateful
//! [`wiremock::Respond`] implementations over a shared [`OAuthEngine`]: OAuth
//! apps with registered callback URLs, accounts, single-use codes with a TTL
//! on the virtual clock, access and refresh tokens that can expire or be
//! revoked. The module's job is only the wire format, which is where providers
//! differ (GitHub answers token errors with HTTP 200, Slack wraps everything
//! in `ok:false`, ...). Defaults are mounted at a low priority so that fault
//! steps can mount higher-priority mocks on top, for a number of calls
//! (see `mock::faults`).
//!
//! Every default route is also kept in a small route table, so a fault that
//! only changes *how* an answer arrives (latency) can still produce the
//! provider's real answer, and so faults can target a kind of route (API
//! calls, the token endpoint) rather than a path.

pub mod custom;
pub mod engine;
pub mod flow;
pub mod github;
pub mod google;
pub mod request_log;
pub mod salesforce;
pub mod slack;
pub mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

pub use engine::{Account, OAuthApp, OAuthEngine};

use crate::common::clock::Clock;
use crate::mock::ids::IdGen;
use crate::provider::ProviderKind;
use crate::transcript::Recorder;

/// Priority of the default routes. wiremock prefers lower numbers, so any
/// fault mounted at its default priority (5) wins over these.
pub const DEFAULT_PRIORITY: u8 = 10;

/// Priority of stubbed endpoints: above the defaults, below faults.
pub const STUB_PRIORITY: u8 = 7;

/// Matches and answers the routes [`ProviderMock::stub`] registered.
struct Stubs(Arc<Shared>);

impl Stubs {
    fn answer(&self, request: &Request) -> Option<ResponseTemplate> {
        let key = (request.method.to_string(), request.url.path().to_string());
        self.0
            .stubs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned()
    }
}

impl wiremock::Match for Stubs {
    fn matches(&self, request: &Request) -> bool {
        self.answer(request).is_some()
    }
}

impl Respond for Stubs {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.answer(request)
            .unwrap_or_else(|| ResponseTemplate::new(404))
    }
}

/// The provider's not-found answer for a path the mock does not serve, with
/// a transcript note saying how to stub it.
struct NotServed(Arc<Shared>);

impl Respond for NotServed {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let shared = &*self.0;
        let path = request.url.path();
        shared.recorder.note(
            shared.kind.slug(),
            format!(
                "this mock does not serve {} {path}; stub it with: Given {} answers {} \"{path}\" with HTTP 200 and body \"...\"",
                request.method,
                shared.kind.slug(),
                request.method
            ),
        );
        let json =
            |status: u16, body: serde_json::Value| wire::json(status, &body, "application/json");
        match shared.kind {
            ProviderKind::Github => json(
                404,
                serde_json::json!({
                    "message": "Not Found",
                    "documentation_url": "https://docs.github.com/rest",
                    "status": "404",
                }),
            ),
            ProviderKind::Slack => json(
                200,
                serde_json::json!({"ok": false, "error": "unknown_method", "req_method": path.trim_start_matches("/api/")}),
            ),
            ProviderKind::Google => json(
                404,
                serde_json::json!({"error": {
                    "code": 404,
                    "message": "Requested entity was not found.",
                    "status": "NOT_FOUND",
                }}),
            ),
            ProviderKind::Salesforce => json(
                404,
                serde_json::json!([{
                    "errorCode": "NOT_FOUND",
                    "message": "The requested resource does not exist",
                }]),
            ),
        }
    }
}

/// What a route is for; faults pick their targets by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteClass {
    /// The authorize page the browser visits.
    Authorize,
    /// The token endpoint (code exchange and refresh).
    Token,
    /// The revocation endpoint.
    Revoke,
    /// A read endpoint of the provider's API.
    Api,
}

/// A request path pattern: literal segments, `*` for any one segment.
#[derive(Debug, Clone, Copy)]
pub struct PathPattern(pub &'static str);

impl PathPattern {
    /// Whether `path` fits the pattern.
    pub fn matches(&self, path: &str) -> bool {
        let mut want = self.0.split('/');
        let mut got = path.split('/');
        loop {
            match (want.next(), got.next()) {
                (None, None) => return true,
                (Some("*"), Some(seg)) if !seg.is_empty() => {}
                (Some(w), Some(g)) if w == g => {}
                _ => return false,
            }
        }
    }
}

impl Match for PathPattern {
    fn matches(&self, request: &Request) -> bool {
        PathPattern::matches(self, request.url.path())
    }
}

type Handler = fn(&Shared, &Request) -> ResponseTemplate;

#[derive(Clone)]
struct RouteEntry {
    class: RouteClass,
    method: &'static str,
    path: PathPattern,
    handler: Handler,
}

impl std::fmt::Debug for RouteEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} {} {}", self.class, self.method, self.path.0)
    }
}

/// What a provider mock shares between its routes.
#[derive(Debug)]
pub struct Shared {
    /// Which provider this is.
    pub kind: ProviderKind,
    engine: Mutex<OAuthEngine>,
    routes: Mutex<Vec<RouteEntry>>,
    base_url: Mutex<String>,
    /// The stack's clock.
    pub clock: Clock,
    /// The stack's id generator.
    pub ids: IdGen,
    /// The stack's recorder, for registering secrets this provider issues.
    pub recorder: Recorder,
    /// The last requests this mock received, whatever answered them.
    pub requests: Arc<request_log::RequestLog>,
    /// Tells the authorize page whom a flow is for, from its `state`.
    sign_in_hint: Mutex<Option<Hint>>,
    /// Canned answers by `(METHOD, path)`: a later stub of the same route
    /// replaces the earlier one. Cleared with the faults.
    stubs: Mutex<HashMap<(String, String), ResponseTemplate>>,
}

/// A [`SignInHint`], printable.
#[derive(Clone)]
struct Hint(SignInHint);

impl std::fmt::Debug for Hint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignInHint")
    }
}

/// Looks up who the connect flow with this provider-facing `state` is for.
pub type SignInHint = Arc<dyn Fn(&str) -> Option<engine::Connecting> + Send + Sync>;

impl Shared {
    /// Locks the OAuth state.
    pub fn engine(&self) -> MutexGuard<'_, OAuthEngine> {
        self.engine.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lets the authorize page ask whom a flow is for (the stack wires it to
    /// the WorkOS mock's authorizations in progress).
    pub fn set_sign_in_hint(&self, hint: SignInHint) {
        *self
            .sign_in_hint
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Hint(hint));
    }

    /// Whom the flow with this `state` is for, when the stack knows.
    pub fn connecting(&self, state: &str) -> Option<engine::Connecting> {
        let hint = self
            .sign_in_hint
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()?;
        (hint.0)(state)
    }

    /// The mock's own base URL (Salesforce hands it out as `instance_url`).
    pub fn base_url(&self) -> String {
        self.base_url
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn route(&self, request: &Request) -> Option<RouteEntry> {
        let method = request.method.as_str();
        let path = request.url.path();
        self.routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|r| r.method.eq_ignore_ascii_case(method) && r.path.matches(path))
            .cloned()
    }

    /// The class of the default route `request` would reach, if any.
    pub fn class_of(&self, request: &Request) -> Option<RouteClass> {
        self.route(request).map(|r| r.class)
    }

    /// The answer the default routes give `request` (404 when none matches),
    /// for faults that delay or decorate the real answer.
    pub fn dispatch(&self, request: &Request) -> ResponseTemplate {
        match self.route(request) {
            Some(r) => (r.handler)(self, request),
            None => ResponseTemplate::new(404),
        }
    }
}

/// A route handler: a plain function over the shared state.
pub struct Route {
    shared: Arc<Shared>,
    handler: Handler,
}

impl Respond for Route {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        (self.handler)(&self.shared, request)
    }
}

/// Matches requests whose default route has one of `classes`.
pub struct ClassMatcher {
    shared: Arc<Shared>,
    classes: Vec<RouteClass>,
}

impl ClassMatcher {
    /// Requests to routes of `classes` on the mock sharing `shared`.
    pub fn new(shared: &Arc<Shared>, classes: &[RouteClass]) -> Self {
        ClassMatcher {
            shared: Arc::clone(shared),
            classes: classes.to_vec(),
        }
    }
}

impl Match for ClassMatcher {
    fn matches(&self, request: &Request) -> bool {
        self.shared
            .class_of(request)
            .is_some_and(|c| self.classes.contains(&c))
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
            // `serve`: a server that runs for hours keeps no request log.
            Some(l) => {
                MockServer::builder()
                    .listener(l)
                    .disable_request_recording()
                    .start()
                    .await
            }
            // Pooled: each fresh wiremock server starts an OS thread with its
            // own runtime, which dominated a scenario's start-up. A pooled
            // server comes back reset (no mocks, no recorded requests).
            None => MockServer::start().await,
        };
        let shared = Arc::new(Shared {
            kind,
            engine: Mutex::new(OAuthEngine::new(kind)),
            routes: Mutex::new(Vec::new()),
            base_url: Mutex::new(server.uri()),
            clock,
            ids,
            recorder,
            requests: Arc::default(),
            sign_in_hint: Mutex::new(None),
            stubs: Mutex::new(HashMap::new()),
        });
        let mock = ProviderMock {
            kind,
            server,
            shared,
        };
        mock.mount_defaults().await;
        mock
    }

    async fn mount_defaults(&self) {
        self.shared
            .routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        // First in line at the highest priority: it sees every request and
        // never answers one.
        Mock::given(request_log::Tap {
            log: Arc::clone(&self.shared.requests),
            clock: self.shared.clock.clone(),
        })
        .respond_with(ResponseTemplate::new(500))
        .with_priority(1)
        .mount(&self.server)
        .await;
        self.shared
            .stubs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        Mock::given(Stubs(Arc::clone(&self.shared)))
            .respond_with(Stubs(Arc::clone(&self.shared)))
            .with_priority(STUB_PRIORITY)
            .named("stubs")
            .mount(&self.server)
            .await;
        match self.kind {
            ProviderKind::Github => github::mount_all(self).await,
            ProviderKind::Slack => slack::mount_all(self).await,
            ProviderKind::Google => google::mount_all(self).await,
            ProviderKind::Salesforce => salesforce::mount_all(self).await,
        }
        // Last of all: a path the mock does not serve gets the provider's
        // own not-found answer, never wiremock's empty 404.
        Mock::given(wiremock::matchers::any())
            .respond_with(NotServed(Arc::clone(&self.shared)))
            .with_priority(u8::MAX)
            .named("not served")
            .mount(&self.server)
            .await;
    }

    /// Answers `method path` with `status`, `headers` and `body` until the
    /// faults are cleared, above the default routes (faults still win):
    /// any endpoint the mock does not model, or a canned answer for one it
    /// does. Stubbing the same route again replaces its answer.
    pub fn stub(
        &self,
        method: &str,
        path: &str,
        status: u16,
        headers: &[(String, String)],
        body: &str,
    ) -> Result<(), String> {
        if !path.starts_with('/') || path.contains(['?', '#']) {
            return Err(format!(
                "{path:?} is not a path: start it with / and leave the query out (a stub answers the path whatever the query)"
            ));
        }
        if !(100..=599).contains(&status) {
            return Err(format!(
                "HTTP {status} is not a status: expected 100 to 599"
            ));
        }
        let mut template = ResponseTemplate::new(status);
        let mut typed = false;
        for (k, v) in headers {
            if axum::http::HeaderName::from_bytes(k.as_bytes()).is_err()
                || axum::http::HeaderValue::from_str(v).is_err()
            {
                return Err(format!("{k}: {v} is not a valid HTTP header"));
            }
            typed |= k.eq_ignore_ascii_case("content-type");
            template = template.insert_header(k.as_str(), v.as_str());
        }
        if !typed && !body.is_empty() {
            let json = serde_json::from_str::<serde_json::Value>(body).is_ok();
            template = template.insert_header(
                "content-type",
                if json {
                    "application/json"
                } else {
                    "text/plain"
                },
            );
        }
        template = template.set_body_bytes(body.as_bytes().to_vec());
        let method = method.to_ascii_uppercase();
        self.shared
            .stubs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((method.clone(), path.to_string()), template);
        self.shared.recorder.note(
            self.kind.slug(),
            format!("stub: {method} {path} answers HTTP {status}"),
        );
        Ok(())
    }

    /// Removes every fault: mounted fault mocks go (wiremock can only drop
    /// everything, so the defaults are mounted again) and the engine's
    /// fault switches are turned off. Tokens, codes and apps stay.
    pub async fn clear_faults(&self) {
        self.server.reset().await;
        self.mount_defaults().await;
        let mut engine = self.engine();
        engine.user_denies = false;
        engine.deny_consent = engine::Countdown::Off;
        engine.mismatch_page = false;
        engine.reuse_codes = engine::Countdown::Off;
        engine.slow_consent = engine::Countdown::Off;
        engine.forbidden_scopes.clear();
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

    /// The revocation endpoint (for GitHub, with `{client_id}` in the path).
    pub fn revoke_url(&self, client_id: &str) -> String {
        format!(
            "{}{}",
            self.uri(),
            endpoints(self.kind)
                .revoke
                .replace("{client_id}", client_id)
        )
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

    /// The last requests this mock received.
    pub fn requests(&self) -> &request_log::RequestLog {
        &self.shared.requests
    }
}

/// Where a provider's OAuth endpoints live (paths on its mock).
#[derive(Debug, Clone, Copy)]
pub struct Endpoints {
    /// Authorize page path.
    pub authorize: &'static str,
    /// Token endpoint path.
    pub token: &'static str,
    /// Revocation endpoint path; GitHub's contains `{client_id}`.
    pub revoke: &'static str,
}

/// The real paths of each provider's OAuth endpoints.
pub fn endpoints(kind: ProviderKind) -> Endpoints {
    match kind {
        ProviderKind::Github => Endpoints {
            authorize: "/login/oauth/authorize",
            token: "/login/oauth/access_token",
            revoke: "/applications/{client_id}/token",
        },
        ProviderKind::Slack => Endpoints {
            authorize: "/oauth/v2/authorize",
            token: "/api/oauth.v2.access",
            revoke: "/api/auth.revoke",
        },
        ProviderKind::Google => Endpoints {
            authorize: "/o/oauth2/v2/auth",
            token: "/token",
            revoke: "/revoke",
        },
        ProviderKind::Salesforce => Endpoints {
            authorize: "/services/oauth2/authorize",
            token: "/services/oauth2/token",
            revoke: "/services/oauth2/revoke",
        },
    }
}

/// Mounts `handler` for requests matching `method` and the path pattern,
/// and records it in the route table.
pub(crate) async fn mount(
    mock: &ProviderMock,
    class: RouteClass,
    method: &'static str,
    path: &'static str,
    handler: Handler,
) {
    let pattern = PathPattern(path);
    mock.shared
        .routes
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(RouteEntry {
            class,
            method,
            path: pattern,
            handler,
        });
    Mock::given(wiremock::matchers::method(method))
        .and(pattern)
        .respond_with(Route {
            shared: Arc::clone(&mock.shared),
            handler,
        })
        .with_priority(DEFAULT_PRIORITY)
        .mount(&mock.server)
        .await;
}

#[cfg(test)]
pub(crate) mod testing {
    //! Starting one provider mock with an app and an account, and walking
    //! it through authorize and token calls with reqwest, for the wire tests
    //! next to each provider module.

    use super::*;
    use crate::common::clock::Clock;

    /// Client id of the test app.
    pub const CLIENT_ID: &str = "test-client";
    /// Its secret.
    pub const CLIENT_SECRET: &str = "test-secret";
    /// Its registered callback.
    pub const CALLBACK: &str = "http://127.0.0.1:9/callback";

    /// A provider mock with one app (expiring tokens as given) and `alice`.
    pub async fn start(kind: ProviderKind, expiring: bool) -> ProviderMock {
        let clock = Clock::scenario();
        let ids = IdGen::new(clock.clone(), 7);
        let mock = ProviderMock::start(kind, clock, ids, Recorder::new()).await;
        mock.register_app(OAuthApp {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            redirect_uris: vec![CALLBACK.into()],
            allowed_scopes: None,
            expiring_tokens: expiring,
        });
        mock.add_account("alice");
        mock
    }

    /// A reqwest client that does not follow redirects.
    pub fn http() -> reqwest::Client {
        crate::transcript::http::reqwest_client(crate::transcript::http::HANG_GUARD)
    }

    /// Visits the authorize page with `params` (client_id added) as alice.
    pub async fn authorize(mock: &ProviderMock, params: &[(&str, &str)]) -> reqwest::Response {
        let mut all = vec![("client_id", CLIENT_ID)];
        all.extend_from_slice(params);
        http()
            .get(mock.authorize_url())
            .query(&all)
            .header("cookie", format!("{}_login=alice", mock.kind.slug()))
            .send()
            .await
            .expect("the authorize page answers")
    }

    /// A query parameter of the redirect `resp` sends the browser to.
    pub fn location_param(resp: &reqwest::Response, name: &str) -> Option<String> {
        let location = resp.headers().get("location")?.to_str().ok()?;
        let url = url::Url::parse(location).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// A code for alice with `scopes` (the provider's separator applied).
    pub async fn code(mock: &ProviderMock, scopes: &str) -> String {
        let resp = authorize(
            mock,
            &[
                ("redirect_uri", CALLBACK),
                ("scope", scopes),
                ("state", "xyz"),
                ("response_type", "code"),
            ],
        )
        .await;
        location_param(&resp, "code").expect("the authorize page redirects with a code")
    }

    /// POSTs `form` to the token endpoint asking for JSON.
    pub async fn token(mock: &ProviderMock, form: &[(&str, &str)]) -> reqwest::Response {
        http()
            .post(mock.token_url())
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("the token endpoint answers")
    }

    /// Exchanges `code` with the test app's credentials.
    pub async fn exchange(mock: &ProviderMock, code: &str) -> reqwest::Response {
        token(
            mock,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", CALLBACK),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
            ],
        )
        .await
    }

    /// Refreshes with `refresh_token`.
    pub async fn refresh(mock: &ProviderMock, refresh_token: &str) -> reqwest::Response {
        token(
            mock,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
            ],
        )
        .await
    }

    /// The response's JSON body.
    pub async fn json(resp: reqwest::Response) -> serde_json::Value {
        let bytes = resp.bytes().await.expect("a body");
        serde_json::from_slice(&bytes).expect("a JSON body")
    }

    /// GETs `path` with a bearer token.
    pub async fn get(mock: &ProviderMock, path: &str, token: &str) -> reqwest::Response {
        http()
            .get(format!("{}{path}", mock.uri()))
            .bearer_auth(token)
            .header("user-agent", "pipes-harness-tests")
            .send()
            .await
            .expect("the API answers")
    }

    /// A connected token pair for alice with `scopes`: (access, refresh).
    pub async fn tokens(mock: &ProviderMock, scopes: &str) -> (String, Option<String>) {
        let c = code(mock, scopes).await;
        let body = json(exchange(mock, &c).await).await;
        let access = body
            .get("access_token")
            .and_then(|v| v.as_str())
            .expect("an access token")
            .to_string();
        let refresh = body
            .get("refresh_token")
            .and_then(|v| v.as_str())
            .map(str::to_string);
        (access, refresh)
    }

    /// A header of `resp` as text.
    pub fn header(resp: &reqwest::Response, name: &str) -> Option<String> {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::PathPattern;

    #[test]
    fn a_star_matches_exactly_one_non_empty_segment() {
        let p = PathPattern("/services/data/*/query");
        assert!(p.matches("/services/data/v62.0/query"));
        assert!(!p.matches("/services/data/query"));
        assert!(!p.matches("/services/data//query"));
        assert!(!p.matches("/services/data/v62.0/query/extra"));
        assert!(PathPattern("/user").matches("/user"));
        assert!(!PathPattern("/user").matches("/user/repos"));
    }
}
