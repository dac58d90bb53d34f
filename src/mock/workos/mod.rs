//! The WorkOS mock: a stateful emulation of the Pipes API on axum.
//!
//! axum rather than wiremock because the connect flow and token refresh make
//! outbound HTTP calls to the provider mocks from inside request handlers,
//! and wiremock responders are synchronous.
//!
//! Choices where the reference is silent, so a reader knows they are ours:
//! - The provider callback WorkOS registers is `{base}/sso/callback/{slug}`
//!   (the form the Pipes setup guide shows); it is also the integration's
//!   `redirect_uri`.
//! - After a failed connection the browser is sent to `return_to` with
//!   `error` and `error_description` added; after a success, to `return_to`
//!   unchanged. The app learns the outcome from the token endpoint or the
//!   `pipes.connected_account.*` events, as with the real service.
//! - Tokens are refreshed when they expire within the next 60 seconds.

pub mod connect;
pub mod errors;
pub mod json;
pub mod state;
pub mod tokens;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::Value;

pub use errors::ApiError;
pub use state::WorkosState;

use crate::mock::clock::Clock;
use crate::mock::ids::IdGen;
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
    base_url: OnceLock<String>,
}

impl Ctx {
    /// Locks the state. Never hold the guard across an `.await`.
    pub fn state(&self) -> MutexGuard<'_, WorkosState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The mock's base URL.
    pub fn base_url(&self) -> &str {
        self.base_url.get().map(String::as_str).unwrap_or("")
    }

    /// The callback URL providers send the browser back to.
    pub fn callback_url(&self, slug: &str) -> String {
        format!("{}/sso/callback/{slug}", self.base_url())
    }
}

/// The environment the request's API key belongs to.
#[derive(Debug, Clone)]
pub struct Env(pub String);

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
            base_url: OnceLock::new(),
        });
        let _ = ctx.base_url.set(base_url.clone());
        let app = router(Arc::clone(&ctx), extra);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
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
}

/// The full router: public browser-facing routes, `extra`, and the authenticated API.
pub fn router(ctx: Arc<Ctx>, extra: Router<Arc<Ctx>>) -> Router {
    let api = Router::new()
        .route(
            "/data-integrations/{slug}/authorize",
            post(connect::authorize),
        )
        .route("/data-integrations/{slug}/token", post(tokens::token))
        .route(
            "/user_management/users/{user_id}/connected_accounts/{slug}",
            get(tokens::get_user_connected_account),
        )
        .route_layer(middleware::from_fn_with_state(
            Arc::clone(&ctx),
            authenticate,
        ));
    let public = Router::new()
        .route(
            "/data-integrations/{slug}/authorize-redirect",
            get(connect::authorize_redirect),
        )
        .route("/sso/callback/{slug}", get(connect::callback))
        .route(
            "/health",
            get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
        );
    api.merge(public)
        .merge(extra)
        .fallback(unknown_route)
        .layer(middleware::from_fn_with_state(Arc::clone(&ctx), request_id))
        .with_state(ctx)
}

async fn unknown_route() -> ApiError {
    ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", "Not Found")
}

/// Every response carries `X-Request-ID`: the caller's, or a new seeded one.
async fn request_id(State(ctx): State<Arc<Ctx>>, req: Request, next: Next) -> Response {
    let incoming = req.headers().get("x-request-id").cloned();
    let mut resp = next.run(req).await;
    let id = incoming.unwrap_or_else(|| {
        HeaderValue::from_str(&ctx.ids.id("req")).unwrap_or(HeaderValue::from_static("req_unknown"))
    });
    resp.headers_mut().insert("x-request-id", id);
    resp
}

/// `Authorization: Bearer sk_...` naming a key of a known environment.
async fn authenticate(
    State(ctx): State<Arc<Ctx>>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let key = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim().to_string())
        .filter(|key| key.starts_with("sk_"))
        .ok_or_else(ApiError::unauthorized)?;
    let env = ctx
        .state()
        .environment_for_key(&key)
        .map(|e| e.id.clone())
        .ok_or_else(ApiError::unauthorized)?;
    req.extensions_mut().insert(Env(env));
    Ok(next.run(req).await)
}

/// Parses a JSON object body, answering WorkOS's 400 when it is not one.
pub fn parse_object(body: &Bytes) -> Result<serde_json::Map<String, Value>, ApiError> {
    if body.is_empty() {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad_json("the body must be a JSON object")),
        Err(e) => Err(ApiError::bad_json(&e.to_string())),
    }
}

/// A required string field, or 422 naming it.
pub fn required_str(
    body: &serde_json::Map<String, Value>,
    field: &str,
) -> Result<String, ApiError> {
    match body.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            Err(ApiError::unprocessable(&[(field, "required")]))
        }
        Some(_) => Err(ApiError::unprocessable(&[(field, "invalid")])),
    }
}

/// An optional string field (`null` = absent), or 422 when it has another type.
pub fn optional_str(
    body: &serde_json::Map<String, Value>,
    field: &str,
) -> Result<Option<String>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::unprocessable(&[(field, "invalid")])),
    }
}

/// Records an event.
pub fn emit(ctx: &Ctx, env: &str, name: &str, data: Value) {
    let event = state::Event {
        id: ctx.ids.id("event"),
        env: env.to_string(),
        event: name.to_string(),
        data,
        created_ms: ctx.clock.now_ms(),
    };
    ctx.state().events.push(event);
}

/// The scopes a provider grants when an integration does not choose.
pub fn default_scopes(kind: ProviderKind) -> Vec<String> {
    let list: &[&str] = match kind {
        ProviderKind::Github => &["repo", "user:email"],
        ProviderKind::Slack => &["channels:read", "chat:write"],
        ProviderKind::Google => &[
            "openid",
            "email",
            "https://www.googleapis.com/auth/calendar.readonly",
        ],
        ProviderKind::Salesforce => &["api", "refresh_token"],
    };
    list.iter().map(|s| (*s).to_string()).collect()
}
