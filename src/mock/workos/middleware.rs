//! What every request goes through: `X-Request-ID`, API-key authentication
//! with WorkOS's own rate limit, and the JSON answers for unknown routes,
//! unknown methods and anything else that would not be JSON.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::future::RouteFuture;
use tower_service::Service;

use super::errors::ApiError;
use super::{Ctx, Env};

/// The WorkOS mock as one service: its router, then, around every answer,
/// JSON for an error that is not JSON ([`fix_json_errors`]) and
/// `X-Request-ID`, the caller's or a new seeded one. A plain service
/// around the whole router rather than a router layer: a layer wraps every
/// route in one more boxed service, and a `from_fn` middleware boxes a
/// clone of it and a future per request, for work that needs neither.
#[derive(Debug, Clone)]
pub struct App {
    router: Router,
    ctx: Arc<Ctx>,
}

impl App {
    /// `router` with JSON errors and request ids around it.
    pub fn new(router: Router, ctx: Arc<Ctx>) -> Self {
        App { router, ctx }
    }
}

impl<B> Service<axum::http::Request<B>> for App
where
    Router: Service<
            axum::http::Request<B>,
            Response = Response,
            Error = Infallible,
            Future = RouteFuture<Infallible>,
        >,
{
    type Response = Response;
    type Error = Infallible;
    type Future = AppFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: axum::http::Request<B>) -> AppFuture {
        let incoming = req.headers().get("x-request-id").cloned();
        AppFuture {
            inner: self.router.call(req),
            incoming,
            ctx: Arc::clone(&self.ctx),
        }
    }
}

/// The answer of [`App`]: the router's, finished once it is ready (the
/// request id is drawn after the handler ran, as the seeded ids expect).
pub struct AppFuture {
    inner: RouteFuture<Infallible>,
    incoming: Option<HeaderValue>,
    ctx: Arc<Ctx>,
}

impl Future for AppFuture {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let Ok(resp) = ready!(Pin::new(&mut this.inner).poll(cx));
        let resp = fix_json_errors(resp);
        Poll::Ready(Ok(with_request_id(&this.ctx, this.incoming.take(), resp)))
    }
}

fn with_request_id(ctx: &Ctx, incoming: Option<HeaderValue>, mut resp: Response) -> Response {
    let id = incoming.unwrap_or_else(|| {
        // `req_` and the ULID, written in place rather than through `format!`.
        let mut buf = [0u8; 30];
        buf[..4].copy_from_slice(b"req_");
        let mut ulid = [0u8; ulid::ULID_LEN];
        ctx.ids.new_ulid().array_to_str(&mut ulid);
        buf[4..].copy_from_slice(&ulid);
        HeaderValue::from_bytes(&buf).unwrap_or(HeaderValue::from_static("req_unknown"))
    });
    resp.headers_mut().insert("x-request-id", id);
    resp
}

/// What every API request goes through: API-key authentication with the
/// rate limit ([`authenticated_env`]), then [`idempotent`], in one layer.
pub async fn api(State(ctx): State<Arc<Ctx>>, mut req: Request, next: Next) -> Response {
    match authenticated_env(&ctx, &req) {
        Ok(env) => {
            req.extensions_mut().insert(Env(env));
            idempotent(&ctx, req, next).await
        }
        Err(e) => e.into_response(),
    }
}

/// `Authorization: Bearer sk_...` naming a key of a known environment, then
/// the per-key rate limit when one is set: the environment of the key.
fn authenticated_env(ctx: &Ctx, req: &Request) -> Result<String, ApiError> {
    if !ctx.is_ready() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "The server is still installing its seed; GET /health answers 200 once it is ready.",
        ));
    }
    let key = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim())
        .filter(|key| key.starts_with("sk_"))
        .ok_or_else(ApiError::unauthorized)?;
    let now = ctx.clock.now_ms();
    let mut st = ctx.state();
    let env = st
        .environment_for_key(key)
        .map(|e| e.id.clone())
        .ok_or_else(ApiError::unauthorized)?;
    if let Some(limit) = st.rate_limit {
        let window = limit.window_ms.max(1);
        let counter = st.rate_counters.entry(key.to_string()).or_insert((now, 0));
        if now.saturating_sub(counter.0) >= window {
            *counter = (now, 0);
        }
        if counter.1 >= limit.limit {
            let wait_ms = counter.0.saturating_add(window).saturating_sub(now).max(1);
            let secs = u64::try_from((wait_ms + 999) / 1000).unwrap_or(1).max(1);
            return Err(ApiError::rate_limited(secs));
        }
        counter.1 = counter.1.saturating_add(1);
    }
    Ok(env)
}

/// How long an `Idempotency-Key` is remembered: 24 hours of virtual time.
pub const IDEMPOTENCY_TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// A POST repeating an `Idempotency-Key` within [`IDEMPOTENCY_TTL_MS`] gets
/// the first answer again instead of running twice (so an SDK retrying an
/// import after a timeout does not meet a 409). 429 and 5xx answers are not
/// kept: retrying those must run the request. Keys are per environment.
async fn idempotent(ctx: &Ctx, req: Request, next: Next) -> Response {
    if req.method() != axum::http::Method::POST {
        return next.run(req).await;
    }
    let key = req
        .headers()
        .get("idempotency-key")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let env = req.extensions().get::<Env>().map(|e| e.0.clone());
    let (Some(key), Some(env)) = (key, env) else {
        return next.run(req).await;
    };
    let slot = format!("{env} {key}");
    let now = ctx.clock.now_ms();
    let stored = ctx
        .state()
        .idempotent
        .get(&slot)
        .filter(|a| now - a.at_ms < IDEMPOTENCY_TTL_MS)
        .cloned();
    if let Some(a) = stored {
        return replay(&a);
    }
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    if status == 429 || status >= 500 {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "Internal Server Error",
        )
        .into_response();
    };
    let answer = super::state::StoredAnswer {
        status,
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: bytes.to_vec(),
        at_ms: now,
    };
    ctx.state().store_answer(slot, answer);
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

fn replay(a: &super::state::StoredAnswer) -> Response {
    let mut resp = Response::new(axum::body::Body::from(a.body.clone()));
    *resp.status_mut() = StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK);
    if let Some(ct) = a
        .content_type
        .as_deref()
        .and_then(|c| HeaderValue::from_str(c).ok())
    {
        resp.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    resp
}

/// 404 for a route WorkOS does not have.
pub async fn unknown_route() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "Not Found")
}

/// 405 for a known route with a method it does not take.
pub async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} is not allowed on {}", req.method(), req.uri().path()),
    )
}

/// The last line of defence: an error response that is not JSON (a
/// framework rejection, an empty 405) becomes `{message, code}`, because the
/// Node SDK cannot read anything else. The browser-facing HTML pages of the
/// connect flow are left alone.
fn fix_json_errors(resp: Response) -> Response {
    let status = resp.status();
    if status.as_u16() < 400 {
        return resp;
    }
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.contains("json") || content_type.contains("html") {
        return resp;
    }
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "request_entity_too_large",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "invalid_content_type",
        s if s.is_server_error() => "server_error",
        _ => "bad_request",
    };
    let message = status.canonical_reason().unwrap_or("Error");
    let mut fixed = ApiError::new(status, code, message).into_response();
    if let Some(v) = resp.headers().get(header::RETRY_AFTER) {
        fixed.headers_mut().insert(header::RETRY_AFTER, v.clone());
    }
    fixed
}
