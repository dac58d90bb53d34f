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

pub mod faults;
pub mod flow;
pub mod oauth;
pub mod request_log;
pub mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

pub use oauth::{Account, OAuthApp, OAuthEngine};

use crate::common::clock::Clock;
use crate::common::ids::IdGen;
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
        (crate::providers::spec(shared.kind).not_found)(path)
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

/// A route handler: a plain function over the shared state.
pub type Handler = fn(&Shared, &Request) -> ResponseTemplate;

/// One default route of a provider mock: what it is for, its method and
/// path pattern, and the function that answers it.
#[derive(Clone, Copy)]
pub struct RouteEntry {
    /// What the route is for; faults pick their targets by it.
    pub class: RouteClass,
    /// HTTP method.
    pub method: &'static str,
    /// Path pattern (`*` for one segment).
    pub path: PathPattern,
    /// The answer.
    pub handler: Handler,
}

impl RouteEntry {
    /// A route, for a provider's route table.
    pub const fn new(
        class: RouteClass,
        method: &'static str,
        path: &'static str,
        handler: Handler,
    ) -> Self {
        RouteEntry {
            class,
            method,
            path: PathPattern(path),
            handler,
        }
    }
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
pub type SignInHint = Arc<dyn Fn(&str) -> Option<oauth::Connecting> + Send + Sync>;

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
    pub fn connecting(&self, state: &str) -> Option<oauth::Connecting> {
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

    /// The live token `request` carries (bearer header or form field), if
    /// the provider issued it.
    pub fn token_of(&self, request: &Request) -> Option<oauth::Token> {
        let t = wire::bearer_or_form_token(request)?;
        self.engine().tokens.get(&t).cloned()
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

    /// Replaces every mounted mock with the defaults (the request log, the
    /// stubs, the provider's routes, its not-found answer) in one step, so
    /// a request arriving meanwhile never finds the server empty.
    async fn mount_defaults(&self) {
        self.shared
            .routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.shared
            .stubs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        // First in line at the highest priority: it sees every request and
        // never answers one.
        let mut mocks = vec![
            Mock::given(request_log::Tap {
                log: Arc::clone(&self.shared.requests),
                clock: self.shared.clock.clone(),
            })
            .respond_with(ResponseTemplate::new(500))
            .with_priority(1),
            Mock::given(Stubs(Arc::clone(&self.shared)))
                .respond_with(Stubs(Arc::clone(&self.shared)))
                .with_priority(STUB_PRIORITY)
                .named("stubs"),
        ];
        for route in crate::providers::spec(self.kind).routes {
            mocks.push(route_mock(self, *route));
        }
        // Last of all: a path the mock does not serve gets the provider's
        // own not-found answer, never wiremock's empty 404.
        mocks.push(
            Mock::given(wiremock::matchers::any())
                .respond_with(NotServed(Arc::clone(&self.shared)))
                .with_priority(u8::MAX)
                .named("not served"),
        );
        self.server.reset_to(mocks).await;
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

    /// Removes every fault: mounted fault mocks go (the server's mocks are
    /// replaced by the defaults in one step, so traffic meanwhile sees
    /// either the faults or the defaults, never a 404) and the engine's
    /// fault switches are turned off. Tokens, codes and apps stay.
    pub async fn clear_faults(&self) {
        self.mount_defaults().await;
        let mut engine = self.engine();
        engine.user_denies = false;
        engine.deny_consent = oauth::Countdown::Off;
        engine.mismatch_page = false;
        engine.reuse_codes = oauth::Countdown::Off;
        engine.slow_consent = oauth::Countdown::Off;
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
        let account = oauth::fake_account(self.kind, login, &self.shared.ids);
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

pub use crate::providers::Endpoints;

/// The real paths of each provider's OAuth endpoints.
pub fn endpoints(kind: ProviderKind) -> Endpoints {
    crate::providers::spec(kind).endpoints
}

/// Mounts `handler` for requests matching `method` and the path pattern,
/// and records it in the route table.
/// The mock answering `route`, which is listed among the mounted routes.
fn route_mock(mock: &ProviderMock, route: RouteEntry) -> Mock {
    let RouteEntry {
        method,
        path: pattern,
        handler,
        ..
    } = route;
    mock.shared
        .routes
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(route);
    Mock::given(wiremock::matchers::method(method))
        .and(pattern)
        .respond_with(Route {
            shared: Arc::clone(&mock.shared),
            handler,
        })
        .with_priority(DEFAULT_PRIORITY)
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

#[cfg(test)]
mod clear_faults_tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use super::*;

    /// Traffic while faults are cleared (a `serve` reset under load) sees
    /// the provider's own answers throughout, never a route gone missing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_during_a_fault_clear_never_find_the_routes_gone() {
        let mock = Arc::new(testing::start(ProviderKind::Github, false).await);
        let url = format!("{}/user", mock.uri());
        let done = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicUsize::new(0));
        let mut clients = Vec::new();
        for _ in 0..4 {
            let (url, done, answered) = (url.clone(), Arc::clone(&done), Arc::clone(&answered));
            clients.push(tokio::spawn(async move {
                let http = testing::http();
                let mut statuses = Vec::new();
                while !done.load(Ordering::Relaxed) {
                    let resp = http
                        .get(&url)
                        .header("user-agent", "pipes-harness-test")
                        .send()
                        .await
                        .expect("the mock answers");
                    statuses.push(resp.status().as_u16());
                    answered.fetch_add(1, Ordering::Relaxed);
                }
                statuses
            }));
        }
        // Clear over and over while 2,000 requests are answered.
        while answered.load(Ordering::Relaxed) < 2000 {
            mock.clear_faults().await;
            tokio::task::yield_now().await;
        }
        done.store(true, Ordering::Relaxed);
        let mut seen = std::collections::BTreeMap::new();
        for client in clients {
            for status in client.await.expect("the client task ends") {
                *seen.entry(status).or_insert(0) += 1;
            }
        }
        // No token: GitHub's 401, every time.
        assert_eq!(
            seen.keys().copied().collect::<Vec<_>>(),
            vec![401],
            "{seen:?}"
        );
    }
}
