//! The WorkOS mock: a stateful emulation of the Pipes API on axum.
//!
//! axum rather than wiremock because the connect flow, token refresh and
//! webhook deliveries make outbound HTTP calls from inside request handlers,
//! and wiremock responders are synchronous.
//!
//! Every route, its status codes and bodies are listed in the README ("The
//! WorkOS mock"). Choices where WorkOS's public documentation is silent, so a reader knows
//! they are ours:
//! - The provider callback WorkOS registers is `{base}/sso/callback/{slug}`
//!   (the form the Pipes setup guide shows); it is also the integration's
//!   `redirect_uri`.
//! - After a failed connection the browser is sent to `return_to` with
//!   `error`, `error_description` and the authorize answer's `state` added;
//!   after a success, to `return_to` unchanged. The app learns the outcome
//!   from the token endpoint or the `pipes.connected_account.*` events, as
//!   with the real service.
//! - With a `code_challenge` (S256) on authorize, the connection is held:
//!   the browser goes to `return_to` with `connect_code` and `state`, and
//!   `POST /data-integrations/finish` with the `code_verifier` saves it
//!   within 90 seconds of virtual time. An unknown, used or expired
//!   `connect_code` is a 400 `invalid_connect_code`; a wrong verifier a 400
//!   `invalid_code_verifier`, and it uses the code up; a missing or malformed
//!   field a 400 too (the route's documented errors have no 422). With a
//!   challenge, `return_to` must be a redirect URI without a query string or
//!   fragment (422), since such a URI never matches a registered one.
//! - Tokens are refreshed when they expire within the next 60 seconds.
//! - Creating resources answers 201 (as the spec does for users,
//!   organizations, memberships and webhook endpoints, and the emulator for
//!   connected accounts); actions (authorize, token, credentials) and
//!   updates answer 200. Pipes and webhook-endpoint deletes answer 204;
//!   user, organization and membership deletes 200 with no body (the spec).
//! - `account_selection_required` is a 409: several connections conflict
//!   and the caller must name one. It needs the environment's
//!   `multiple_connections` switch, because WorkOS documents adding a
//!   second connection as "not yet available"; with the switch off (the
//!   default) `connection_intent: add` on an owner who already has a
//!   connection is the documented 404 `multiple_connections_unavailable`.
//! - A disabled integration answers 403 `data_integration_disabled` to
//!   authorize, token and credentials; shared credentials in a production
//!   environment answer 403 `shared_credentials_not_allowed`.
//! - Organization-owned connections (`connection_owner: organization`)
//!   require `organization_id` (422) and an active membership of `user_id`
//!   (403 `organization_membership_required`).
//! - `GET /data-integrations` lists only integrations with custom or
//!   organization credentials and API-key / client-credentials ones, as the
//!   SDK documents; dashboard-style shared-credential integrations are
//!   reachable by slug only.
//! - WorkOS's own rate limit is off unless set (`WorkosState::rate_limit`):
//!   then each API key gets `limit` requests per window of the virtual
//!   clock, and the next answers 429 with `Retry-After` in seconds.
//! - A POST repeating an `Idempotency-Key` (the Python SDK sends one on
//!   every POST) within 24 hours gets the first answer again, whatever its
//!   body; 429 and 5xx answers are not kept.
//! - Unknown routes answer 404 `{"message":"Not Found","code":"not_found"}`
//!   (as the emulator does), known routes with another method 405
//!   `method_not_allowed`, bodies over 1 MiB 413, all as JSON.

pub mod accounts;
pub mod configurations;
pub mod connect;
pub mod custom_providers;
pub mod errors;
pub mod events;
pub mod extract;
pub mod installs;
pub mod integrations;
pub mod json;
pub mod middleware;
pub mod pagination;
pub mod provider_apps;
pub mod resolve;
pub mod state;
pub mod tokens;
pub mod users;
pub mod webhooks;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::Value;

pub use errors::ApiError;
pub use state::WorkosState;

use crate::common::clock::Clock;
use crate::common::ids::IdGen;
use crate::provider::ProviderKind;
use crate::transcript::HttpClient;

/// What WorkOS knows about a provider: where its OAuth endpoints are and
/// WorkOS's own shared app there.
#[derive(Debug, Clone)]
pub struct ProviderLink {
    /// Provider.
    pub kind: ProviderKind,
    /// Authorize page URL.
    pub authorize_url: String,
    /// Token endpoint URL.
    pub token_url: String,
    /// Client id of WorkOS's shared app.
    pub shared_client_id: String,
    /// Client secret of WorkOS's shared app.
    pub shared_client_secret: String,
    /// The provider mock's state, for what a real provider and its
    /// developer console would tell WorkOS (whose token this is, which OAuth
    /// apps are registered).
    pub provider: std::sync::Arc<crate::providers::engine::Shared>,
}

/// Everything handlers share.
#[derive(Debug)]
pub struct Ctx {
    state: Mutex<WorkosState>,
    /// The stack's clock.
    pub clock: Clock,
    /// The stack's ids.
    pub ids: IdGen,
    /// Outbound HTTP (recorded as `workos`).
    pub http: HttpClient,
    /// Providers by slug.
    pub providers: BTreeMap<String, ProviderLink>,
    /// The stack's custom providers, for what WorkOS learns from them (see
    /// [`custom_providers`]).
    pub custom_providers: OnceLock<Arc<crate::providers::custom::CustomProviders>>,
    base_url: OnceLock<String>,
    /// When set, handlers leave deliveries to a background ticker instead
    /// of delivering before they answer (serve mode).
    background_delivery: AtomicBool,
    /// Whether the world is installed; until then the API and `/health`
    /// answer 503 (`serve` installs its seed after the port is open).
    ready: AtomicBool,
    /// One delivery run at a time (the ticker and a clock advance may both
    /// start one), so no delivery is attempted twice at once.
    pub(crate) delivering: tokio::sync::Mutex<()>,
}

impl Ctx {
    /// Locks the state. Never hold the guard across an `.await`.
    pub fn state(&self) -> MutexGuard<'_, WorkosState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks the world installed (or not): the API and `/health` answer 503 until then.
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }

    /// Whether the world is installed.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// The mock's base URL.
    pub fn base_url(&self) -> &str {
        self.base_url.get().map(String::as_str).unwrap_or("")
    }

    /// The callback URL providers send the browser back to.
    pub fn callback_url(&self, slug: &str) -> String {
        format!("{}/sso/callback/{slug}", self.base_url())
    }

    /// Delivers due webhooks now, unless a background ticker does it.
    pub async fn flush(&self) {
        if !self.background_delivery.load(Ordering::SeqCst) {
            self.deliver_pending().await;
        }
    }
}

/// The environment the request's API key belongs to (set by authentication).
#[derive(Debug, Clone)]
pub struct Env(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Env {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Env>()
            .cloned()
            .ok_or_else(ApiError::unauthorized)
    }
}

/// A running WorkOS mock.
#[derive(Debug)]
pub struct WorkosMock {
    ctx: Arc<Ctx>,
    base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for WorkosMock {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl WorkosMock {
    /// Starts the mock on `listener`.
    pub async fn start(
        listener: tokio::net::TcpListener,
        clock: Clock,
        ids: IdGen,
        http: HttpClient,
        providers: BTreeMap<String, ProviderLink>,
        state: WorkosState,
    ) -> std::io::Result<Self> {
        Self::start_with(listener, clock, ids, http, providers, state, Router::new()).await
    }

    /// Starts the mock on `listener` with `extra` routes (e.g. `serve`'s
    /// control API) merged in, outside API-key authentication.
    pub async fn start_with(
        listener: tokio::net::TcpListener,
        clock: Clock,
        ids: IdGen,
        http: HttpClient,
        providers: BTreeMap<String, ProviderLink>,
        state: WorkosState,
        extra: Router<Arc<Ctx>>,
    ) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let ctx = Arc::new(Ctx {
            state: Mutex::new(state),
            clock,
            ids,
            http,
            providers,
            custom_providers: OnceLock::new(),
            base_url: OnceLock::new(),
            background_delivery: AtomicBool::new(false),
            ready: AtomicBool::new(false),
            delivering: tokio::sync::Mutex::new(()),
        });
        let _ = ctx.base_url.set(base_url.clone());
        let app = app(Arc::clone(&ctx), extra);
        let task = tokio::spawn(async move {
            crate::common::listener::serve(listener, app).await;
        });
        Ok(WorkosMock {
            ctx,
            base_url,
            task,
        })
    }

    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub fn uri(&self) -> &str {
        &self.base_url
    }

    /// Shared handler context (state, clock, ids).
    pub fn ctx(&self) -> &Arc<Ctx> {
        &self.ctx
    }

    /// Attempts every webhook delivery that is due on the virtual clock.
    /// Call it after advancing the clock to run the retries that fell due.
    pub async fn deliver_pending(&self) -> usize {
        self.ctx.deliver_pending().await
    }

    /// For `serve`: delivers webhooks from a background task every `every`
    /// of real time, instead of inside the requests that emit them, so a
    /// slow webhook receiver never delays an API answer. Abort the returned
    /// handle (or drop the mock's runtime) to stop it.
    pub fn spawn_delivery_ticker(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        self.ctx.background_delivery.store(true, Ordering::SeqCst);
        let ctx = Arc::clone(&self.ctx);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                ctx.deliver_pending().await;
            }
        })
    }
}

/// The whole mock: public browser-facing routes, `extra`, and the
/// authenticated API, answering JSON errors with `X-Request-ID`.
pub fn app(ctx: Arc<Ctx>, extra: Router<Arc<Ctx>>) -> middleware::App {
    use axum::routing::patch;
    let api = Router::new()
        // Data integrations (reference B, 1-15).
        .route(
            "/data-integrations",
            get(integrations::list).post(integrations::create),
        )
        .route(
            "/data-integrations/{slug}",
            get(integrations::get_user)
                .put(integrations::update_user)
                .delete(integrations::delete_user),
        )
        .route(
            "/data-integrations/{slug}/organization",
            get(integrations::get_org)
                .put(integrations::update_org)
                .delete(integrations::delete_org),
        )
        .route(
            "/data-integrations/{slug}/api-key",
            post(installs::create_api_key).put(installs::upsert_api_key),
        )
        .route(
            "/data-integrations/{slug}/client-credentials",
            post(installs::create_client_credentials).put(installs::upsert_client_credentials),
        )
        .route(
            "/data-integrations/{slug}/authorize",
            post(connect::authorize),
        )
        .route("/data-integrations/finish", post(connect::finish))
        .route(
            "/data-integrations/{slug}/credentials",
            post(tokens::credentials),
        )
        .route("/data-integrations/{slug}/token", post(tokens::token))
        // Connected accounts and data providers (16-27).
        .route(
            "/organizations/{organization_id}/connected_accounts/{slug}",
            get(accounts::get_org_account)
                .post(accounts::create_org_account)
                .put(accounts::update_org_account)
                .delete(accounts::delete_org_account),
        )
        .route(
            "/organizations/{organization_id}/data_providers",
            get(accounts::org_data_providers),
        )
        .route(
            "/organizations/{organization_id}/data_integration_configurations",
            get(configurations::list),
        )
        .route(
            "/organizations/{organization_id}/data_integration_configurations/{slug}",
            put(configurations::update),
        )
        .route(
            "/user_management/users/{user_id}/connected_accounts/{slug}",
            get(accounts::get_user_account)
                .post(accounts::create_user_account)
                .put(accounts::update_user_account)
                .delete(accounts::delete_user_account),
        )
        .route(
            "/user_management/users/{user_id}/data_providers",
            get(accounts::user_data_providers),
        )
        // Supporting resources (reference J).
        .route(
            "/user_management/users",
            get(users::list_users).post(users::create_user),
        )
        .route(
            "/user_management/users/{user_id}",
            get(users::get_user).delete(users::delete_user),
        )
        .route(
            "/organizations",
            get(users::list_organizations).post(users::create_organization),
        )
        .route(
            "/organizations/{organization_id}",
            get(users::get_organization).delete(users::delete_organization),
        )
        .route(
            "/user_management/organization_memberships",
            get(users::list_memberships).post(users::create_membership),
        )
        .route(
            "/user_management/organization_memberships/{id}",
            get(users::get_membership).delete(users::delete_membership),
        )
        .route(
            "/user_management/organization_memberships/{id}/deactivate",
            put(users::deactivate_membership),
        )
        .route(
            "/user_management/organization_memberships/{id}/reactivate",
            put(users::reactivate_membership),
        )
        .route(
            "/webhook_endpoints",
            get(webhooks::list).post(webhooks::create),
        )
        .route(
            "/webhook_endpoints/{id}",
            patch(webhooks::update).delete(webhooks::delete),
        )
        .route("/events", get(events::list))
        // Authentication, then idempotency (one layer for both).
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&ctx),
            middleware::api,
        ));
    let public = Router::new()
        .route(
            "/data-integrations/{slug}/authorize-redirect",
            get(connect::authorize_redirect),
        )
        .route("/sso/callback/{slug}", get(connect::callback))
        .route("/health", get(health));
    let router = api
        .merge(public)
        .merge(extra)
        .fallback(middleware::unknown_route)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .with_state(Arc::clone(&ctx));
    middleware::App::new(router, ctx)
}

/// `GET /health`: 200 once the world (a seed, for `serve`) is installed,
/// 503 before, so a client that waits for it never meets an empty world.
async fn health(axum::extract::State(ctx): axum::extract::State<Arc<Ctx>>) -> Response {
    if ctx.is_ready() {
        ok(serde_json::json!({"status": "ok"}))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "starting"})),
        )
            .into_response()
    }
}

/// 200 with a JSON body.
pub fn ok(body: Value) -> Response {
    axum::Json(body).into_response()
}

/// 200 with `body` serialized straight into the response, for the shapes
/// of [`json`] that need no `Value` tree (the same bytes as [`ok`] of their
/// `Value`).
pub fn ok_json<T: serde::Serialize + ?Sized>(body: &T) -> Response {
    ok_bytes(json_bytes(body))
}

/// `body` as compact JSON, as [`ok`] writes it; to serialize under the state
/// lock and answer with [`ok_bytes`] once it is released.
pub fn json_bytes<T: serde::Serialize + ?Sized>(body: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    // A shape of `json` is strings, numbers and string-keyed maps: it
    // always serializes.
    let _ = serde_json::to_writer(&mut out, body);
    out
}

/// 200 with a body of JSON bytes (`application/json`, as [`ok`] answers).
pub fn ok_bytes(body: Vec<u8>) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// 201 with a JSON body.
pub fn created(body: Value) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

/// 204 with no body.
pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// 200 with no body (user, organization and membership deletes).
pub fn empty_ok() -> Response {
    StatusCode::OK.into_response()
}

/// The scopes a provider grants when an integration does not choose.
pub fn default_scopes(kind: ProviderKind) -> Vec<String> {
    crate::providers::spec(kind)
        .default_scopes
        .iter()
        .map(|s| (*s).to_string())
        .collect()
}
