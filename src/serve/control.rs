//! The control API of `serve`, under `/_harness/`: what only a test can do to
//! the world. JSON in and out, no API key (it is a test server on loopback),
//! errors in the same `{message, code}` shape as the WorkOS mock's.
//!
//! | Route | Does |
//! |---|---|
//! | `GET /_harness` | lists these routes |
//! | `POST /_harness/reset` | back to the seed: state, tokens, faults, rate limit |
//! | `GET /_harness/clock` | the mock's time |
//! | `POST /_harness/clock/advance` `{"seconds": N}` | moves the clock forward, runs due webhook retries |
//! | `POST /_harness/providers/{slug}/faults` `{"fault": ..., "times": N}` | injects a provider fault (a custom slug takes the faults a generic OAuth 2.0 provider can answer) |
//! | `DELETE /_harness/providers/{slug}/faults` | removes every fault of that provider |
//! | `POST /_harness/providers/{slug}/revoke` `{"user_id"}` or `{"login"}` | revokes a user's tokens at the provider |
//! | `GET /_harness/events` | the event log, oldest first |
//! | `GET /_harness/authorizations?user_id=ID` | the connect flows WorkOS was asked to start for a user, oldest first (bounded like the events) |
//! | `GET /_harness/webhook_deliveries` | every delivery and its attempts |
//! | `POST /_harness/workos/rate_limit` `{"limit", "window_seconds"}` | turns on WorkOS's own 429s |
//! | `DELETE /_harness/workos/rate_limit` | turns them off |
//!
//! The routes are merged into the WorkOS mock's server, outside API-key
//! authentication; the stack they act on owns that server, so they hold it
//! weakly.

use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use super::World;
use crate::common::clock::iso8601;
use crate::mock::Stack;
use crate::mock::workos::state::{DeliveryStatus, RateLimit};
use crate::mock::workos::{ApiError, Ctx, json as shapes};
use crate::provider::ProviderKind;
use crate::providers::custom::CustomProvider;
use crate::providers::engine::faults::Fault;

/// What the control routes act on, attached once the stack has started.
#[derive(Debug, Default)]
pub struct Control {
    stack: OnceLock<Weak<Stack>>,
    world: OnceLock<World>,
    /// Serializes resets against each other.
    resetting: tokio::sync::Mutex<()>,
}

impl Control {
    /// A control with nothing attached yet (routes answer 503 until then).
    pub fn new() -> Self {
        Self::default()
    }

    /// Attaches the started stack and the world `reset` restores.
    pub fn attach(&self, stack: Weak<Stack>, world: World) {
        let _ = self.stack.set(stack);
        let _ = self.world.set(world);
    }

    pub(super) fn stack(&self) -> Result<Arc<Stack>, ApiError> {
        self.stack.get().and_then(Weak::upgrade).ok_or_else(|| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "The server is starting or stopping.",
            )
        })
    }

    /// Back to the seed: WorkOS state, provider tokens and faults, rate limit.
    pub async fn reset(&self) {
        let _serial = self.resetting.lock().await;
        let (Ok(stack), Some(world)) = (self.stack(), self.world.get()) else {
            return;
        };
        for kind in ProviderKind::ALL {
            stack.provider(kind).clear_faults().await;
        }
        world.install(&stack);
    }
}

/// The control routes, ready to merge into the WorkOS mock's router.
pub fn router(control: Arc<Control>) -> Router<Arc<Ctx>> {
    Router::new()
        .route("/_harness", get(index))
        .route("/_harness/", get(index))
        .route("/_harness/reset", post(reset))
        .route("/_harness/clock", get(clock))
        .route("/_harness/clock/advance", post(advance))
        .route(
            "/_harness/providers/{slug}/faults",
            post(inject_fault).delete(clear_faults),
        )
        .route("/_harness/providers/{slug}/revoke", post(revoke))
        .route("/_harness/events", get(events))
        .route("/_harness/authorizations", get(authorizations))
        .route("/_harness/webhook_deliveries", get(deliveries))
        .route("/_harness/webhook_deliveries/flush", post(flush_deliveries))
        .route(
            "/_harness/workos/rate_limit",
            post(set_rate_limit).delete(clear_rate_limit),
        )
        .route(
            "/_harness/{*rest}",
            get(unknown).post(unknown).put(unknown).delete(unknown),
        )
        .with_state(control)
}

type Ctl = State<Arc<Control>>;

async fn unknown() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "No such control route; GET /_harness lists them.",
    )
}

async fn index() -> Response {
    let routes = [
        ("GET", "/_harness", "this list"),
        (
            "POST",
            "/_harness/reset",
            "back to the seed: state, tokens, faults, rate limit",
        ),
        ("GET", "/_harness/clock", "the mock's current time"),
        (
            "POST",
            "/_harness/clock/advance",
            "{\"seconds\": N}: moves the clock forward",
        ),
        (
            "POST",
            "/_harness/providers/{slug}/faults",
            "{\"fault\": ..., \"times\": N}: injects a provider fault",
        ),
        (
            "DELETE",
            "/_harness/providers/{slug}/faults",
            "removes every fault of the provider",
        ),
        (
            "POST",
            "/_harness/providers/{slug}/revoke",
            "{\"user_id\"} or {\"login\"}: revokes a user's tokens at the provider",
        ),
        ("GET", "/_harness/events", "the event log, oldest first"),
        (
            "GET",
            "/_harness/authorizations",
            "?user_id=ID: the connect flows WorkOS was asked to start for a user",
        ),
        (
            "GET",
            "/_harness/webhook_deliveries",
            "every webhook delivery and its attempts",
        ),
        (
            "POST",
            "/_harness/webhook_deliveries/flush",
            "sends every delivery that is due now, then lists them all",
        ),
        (
            "POST",
            "/_harness/workos/rate_limit",
            "{\"limit\", \"window_seconds\"}: WorkOS answers 429 past the limit",
        ),
        (
            "DELETE",
            "/_harness/workos/rate_limit",
            "no WorkOS rate limit",
        ),
    ];
    let data: Vec<Value> = routes
        .iter()
        .chain(super::control_providers::ROUTES)
        .map(|(m, p, d)| json!({"method": m, "path": p, "does": d}))
        .collect();
    axum::Json(json!({ "object": "list", "data": data })).into_response()
}

/// A JSON object body; empty means `{}`.
fn object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad_json("the body must be a JSON object")),
        Err(e) => Err(ApiError::bad_json(&e.to_string())),
    }
}

fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    let mut e = ApiError::unprocessable(&[(field, "invalid")]);
    if let Some(m) = e.body.as_object_mut() {
        m.insert("message".into(), Value::String(message.into()));
    }
    e
}

fn provider(slug: &str) -> Result<ProviderKind, ApiError> {
    slug.parse()
        .map_err(|e: crate::provider::UnknownProvider| ApiError::not_found(e.to_string()))
}

async fn reset(State(control): Ctl) -> Result<Response, ApiError> {
    control.stack()?;
    control.reset().await;
    Ok(axum::Json(json!({ "reset": true })).into_response())
}

fn now_body(stack: &Stack) -> Value {
    let ms = stack.clock.now_ms();
    json!({ "now": iso8601(ms), "now_ms": ms })
}

async fn clock(State(control): Ctl) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    Ok(axum::Json(now_body(&stack)).into_response())
}

async fn advance(State(control): Ctl, body: Bytes) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    let body = object(&body)?;
    let seconds = match body.get("seconds") {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(-1.0),
        None => return Err(ApiError::unprocessable(&[("seconds", "required")])),
        Some(_) => -1.0,
    };
    if !(seconds.is_finite() && (0.0..=10.0 * 365.0 * 86_400.0).contains(&seconds)) {
        return Err(invalid(
            "seconds",
            "`seconds` must be a number from 0 to 315360000 (ten years): the clock only moves forward",
        ));
    }
    stack
        .clock
        .try_advance(Duration::from_secs_f64(seconds))
        .map_err(|e| invalid("seconds", e.to_string()))?;
    // Retries that fell due go out now, in the background: a slow or dead
    // webhook receiver never holds up this answer.
    let ctx = Arc::clone(stack.workos.ctx());
    tokio::spawn(async move {
        ctx.deliver_pending().await;
    });
    Ok(axum::Json(now_body(&stack)).into_response())
}

/// The provider a fault route names: a built-in one, or the mock provider
/// of a custom slug.
enum Faulted {
    BuiltIn(ProviderKind),
    Custom(Arc<CustomProvider>),
}

/// The provider of `slug` for the fault routes: a built-in one, or a custom
/// slug in use (an integration points at its mock provider, or `PUT
/// /_harness/custom_providers/{slug}` set it). Anything else is a 404 with
/// the likely intended slug, so a misspelt built-in slug is never taken for
/// a new custom one.
fn faulted(stack: &Stack, slug: &str) -> Result<Faulted, ApiError> {
    if let Ok(kind) = provider(slug) {
        return Ok(Faulted::BuiltIn(kind));
    }
    if let Some(p) = stack.custom.get(slug) {
        return Ok(Faulted::Custom(p));
    }
    let known: Vec<String> = ProviderKind::ALL
        .iter()
        .map(|k| k.slug().to_string())
        .chain(stack.custom.slugs())
        .collect();
    Err(ApiError::not_found(format!(
        "unknown provider `{slug}`{}: expected a built-in provider ({}) or a custom provider in use (one an integration points at, or set with PUT /_harness/custom_providers/{{slug}})",
        crate::common::suggest::did_you_mean(slug, known.iter().map(String::as_str)),
        ProviderKind::slugs(", ")
    )))
}

async fn inject_fault(
    State(control): Ctl,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    let target = faulted(&stack, &slug)?;
    let mut body = object(&body)?;
    let times = match body.remove("times") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_u64().is_some_and(|t| t > 0) => n.as_u64(),
        Some(_) => {
            return Err(invalid(
                "times",
                "`times` must be a positive integer (or left out: every time)",
            ));
        }
    };
    let slug = match target {
        Faulted::BuiltIn(kind) => {
            apply_fault(&stack, kind, &body, times).await?;
            kind.slug().to_string()
        }
        Faulted::Custom(p) => {
            let fault = Fault::from_json(&Value::Object(body.clone()))
                .map_err(|e| invalid("fault", e.to_string()))?;
            stack
                .custom
                .apply_fault(&p, &fault, times)
                .map_err(|e| invalid("fault", e))?;
            p.slug.clone()
        }
    };
    let mut echo = body;
    echo.insert("provider".into(), Value::String(slug));
    echo.insert("times".into(), times.map_or(Value::Null, Value::from));
    Ok((StatusCode::CREATED, axum::Json(Value::Object(echo))).into_response())
}

async fn clear_faults(State(control): Ctl, Path(slug): Path<String>) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    let slug = match faulted(&stack, &slug)? {
        Faulted::BuiltIn(kind) => {
            stack.provider(kind).clear_faults().await;
            kind.slug().to_string()
        }
        Faulted::Custom(p) => {
            p.clear_faults();
            p.slug.clone()
        }
    };
    Ok(axum::Json(json!({ "provider": slug, "faults": [] })).into_response())
}

async fn revoke(
    State(control): Ctl,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    let kind = provider(&slug)?;
    let body = object(&body)?;
    let login = match (body.get("login"), body.get("user_id")) {
        (Some(Value::String(login)), _) => login.clone(),
        (_, Some(Value::String(user_id))) => {
            let st = stack.workos.ctx().state();
            st.accounts
                .values()
                .filter(|a| {
                    a.slug == kind.slug()
                        && (a.user_id.as_deref() == Some(user_id)
                            || a.established_by_user_id.as_deref() == Some(user_id))
                })
                .find_map(|a| a.account_identifier.clone())
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "User '{user_id}' has no {} connected account to revoke",
                        kind.slug()
                    ))
                })?
        }
        _ => {
            return Err(invalid(
                "user_id",
                "give `user_id` (a WorkOS user with a connected account) or `login` (the provider account)",
            ));
        }
    };
    let revoked = stack.provider(kind).engine().revoke_all(&login);
    Ok(
        axum::Json(json!({ "provider": kind.slug(), "login": login, "revoked": revoked }))
            .into_response(),
    )
}

async fn events(State(control): Ctl) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    let data: Vec<Value> = stack
        .workos
        .ctx()
        .state()
        .events
        .iter()
        .map(shapes::event)
        .collect();
    Ok(axum::Json(json!({ "object": "list", "data": data })).into_response())
}

/// `GET /_harness/authorizations?user_id=ID`: what the app asked
/// `POST /data-integrations/{slug}/authorize` for, so a test checks that a
/// reconnect named the connection (`connection_intent: reauthorize`).
async fn authorizations(
    State(control): Ctl,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    let Some(user_id) = q.get("user_id").filter(|u| !u.trim().is_empty()) else {
        return Err(ApiError::unprocessable(&[("user_id", "required")]));
    };
    let st = stack.workos.ctx().state();
    let data: Vec<Value> = st
        .authorizations_of(user_id)
        .into_iter()
        .map(|p| {
            let (intent, account) = p.intent_fields();
            json!({
                "user_id": p.user_id,
                "provider": p.slug,
                "organization_id": p.organization_id,
                "connection_intent": intent,
                "connected_account_id": account,
                "return_to": p.return_to,
                "code_challenge": p.code_challenge.is_some(),
                "completed": p.used,
            })
        })
        .collect();
    Ok(axum::Json(json!({ "object": "list", "data": data })).into_response())
}

async fn deliveries(State(control): Ctl) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    let st = stack.workos.ctx().state();
    let data: Vec<Value> = st
        .deliveries
        .iter()
        .map(|d| {
            json!({
                "event_id": d.event_id,
                "event": st.events.iter().find(|e| e.id == d.event_id).map(|e| e.event.clone()),
                "webhook_endpoint_id": d.endpoint_id,
                "endpoint_url": st.webhook_endpoints.get(&d.endpoint_id).map(|e| e.endpoint_url.clone()),
                "status": match d.status {
                    DeliveryStatus::Pending => "pending",
                    DeliveryStatus::Delivered => "delivered",
                    DeliveryStatus::Failed => "failed",
                },
                "attempts": d.attempts,
                "next_attempt_at": (d.status == DeliveryStatus::Pending).then(|| iso8601(d.next_attempt_ms)),
                "last_outcome": d.last_outcome,
            })
        })
        .collect();
    Ok(axum::Json(json!({ "object": "list", "data": data })).into_response())
}

/// Sends every due delivery now (after any run of the background sender in
/// progress), so a test waits for this answer instead of polling on real time.
async fn flush_deliveries(State(control): Ctl) -> Result<Response, ApiError> {
    control.stack()?.workos.deliver_pending().await;
    deliveries(State(control)).await
}

/// The longest rate-limit window the control API takes: one day.
const MAX_RATE_WINDOW_SECONDS: u64 = 86_400;

async fn set_rate_limit(State(control): Ctl, body: Bytes) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    let body = object(&body)?;
    let positive = |field: &str| -> Result<u64, ApiError> {
        match body.get(field) {
            Some(Value::Number(n)) if n.as_u64().is_some_and(|v| v > 0) => {
                Ok(n.as_u64().unwrap_or(1))
            }
            None => Err(ApiError::unprocessable(&[(field, "required")])),
            Some(_) => Err(invalid(
                field,
                format!("`{field}` must be a positive integer"),
            )),
        }
    };
    let limit = positive("limit")?;
    let window = positive("window_seconds")?;
    if window > MAX_RATE_WINDOW_SECONDS {
        return Err(invalid(
            "window_seconds",
            format!("`window_seconds` must be at most {MAX_RATE_WINDOW_SECONDS} (one day)"),
        ));
    }
    let rate = RateLimit {
        limit: u32::try_from(limit).unwrap_or(u32::MAX),
        window_ms: i64::try_from(window.saturating_mul(1000)).unwrap_or(i64::MAX),
    };
    let mut st = stack.workos.ctx().state();
    st.rate_limit = Some(rate);
    st.rate_counters.clear();
    Ok(axum::Json(json!({ "limit": limit, "window_seconds": window })).into_response())
}

async fn clear_rate_limit(State(control): Ctl) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    let mut st = stack.workos.ctx().state();
    st.rate_limit = None;
    st.rate_counters.clear();
    Ok(axum::Json(json!({ "limit": null })).into_response())
}

/// Reads the fault from the body and applies it to the provider's mock.
async fn apply_fault(
    stack: &Stack,
    kind: ProviderKind,
    body: &Map<String, Value>,
    times: Option<u64>,
) -> Result<(), ApiError> {
    let fault = Fault::from_json(&Value::Object(body.clone()))
        .map_err(|e| invalid("fault", e.to_string()))?;
    fault
        .apply(stack.provider(kind), times)
        .await
        .map_err(|e| invalid("fault", e.to_string()))
}
