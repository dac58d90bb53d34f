//! Webhook endpoints (`/webhook_endpoints`) and the delivery of events to them.
//!
//! Endpoints: list (paginated), create (`endpoint_url` and `events`
//! required; 409 `duplicate_endpoint` for a URL already registered; 422
//! `invalid_url` or `invalid_request_parameters` with
//! `errors: [{code: unknown_event_type}]`), `PATCH` update and `DELETE`
//! (204). WorkOS requires HTTPS; the mock also accepts plain HTTP to
//! loopback hosts and `*.test`, because that is where a local app listens.
//! The secret is `whsec_` and 25 alphanumerics, in every response.
//!
//! Deliveries: each event is POSTed as JSON to every enabled endpoint
//! subscribed to it, signed `WorkOS-Signature: t=<ms>, v1=<hex>` with the
//! endpoint secret, through the recording client (actor `workos`). A
//! non-2xx answer or no answer within [`DELIVERY_TIMEOUT_MS`] (5 seconds,
//! the open-source emulator's timeout; WorkOS does not publish its own) is
//! retried, at most [`MAX_ATTEMPTS`] attempts, [`FIRST_RETRY_DELAY_MS`]
//! after the failed attempt ended and twice as long after each next one,
//! on the virtual clock. An endpoint's slowness is virtual too: a receiver
//! that holds a request moves the clock, and an answer arriving after the
//! timeout counts as none. Nothing sleeps: a
//! delivery is attempted when [`Ctx::deliver_pending`] runs and finds it
//! due. Request handlers that emit events run it before answering (so a
//! scenario's transcript is in a stable order); after the clock moves,
//! whoever moved it runs it again (steps, the control API, or `serve`'s
//! real-time ticker started with [`super::WorkosMock::spawn_delivery_ticker`]).

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde_json::Value;

use super::errors::ApiError;
use super::events::KNOWN_EVENTS;
use super::extract::{JsonBody, PathParams, QueryParams, valid_id};
use super::json as shapes;
use super::pagination::paginate;
use super::state::{DeliveryStatus, WebhookEndpoint};
use super::{Ctx, Env, created, no_content, ok};
use crate::common::signature::sign;

/// Attempts per delivery, the first included.
pub const MAX_ATTEMPTS: u32 = 6;

/// How long WorkOS waits for an endpoint's answer (virtual time); a later
/// answer, or none, is a failed attempt.
pub const DELIVERY_TIMEOUT_MS: u64 = 5_000;

/// Delay before the first retry; each later retry waits twice as long.
pub const FIRST_RETRY_DELAY_MS: i64 = 30_000;

/// The delay after `attempts` failed attempts.
pub fn retry_delay_ms(attempts: u32) -> i64 {
    FIRST_RETRY_DELAY_MS.saturating_mul(1_i64 << attempts.saturating_sub(1).min(20))
}

impl Ctx {
    /// Attempts every delivery that is due, in order; returns how many were
    /// attempted. Never holds the state lock across the HTTP call.
    pub async fn deliver_pending(&self) -> usize {
        let _one_run = self.delivering.lock().await;
        let mut attempted = 0;
        loop {
            let now = self.clock.now_ms();
            let next = {
                let st = self.state();
                st.deliveries
                    .iter()
                    .enumerate()
                    .find(|(_, d)| d.status == DeliveryStatus::Pending && d.next_attempt_ms <= now)
                    .and_then(|(i, d)| {
                        let event = st.events.iter().find(|e| e.id == d.event_id)?;
                        let endpoint = st.webhook_endpoints.get(&d.endpoint_id);
                        Some((
                            i + st.deliveries_dropped,
                            shapes::event(event),
                            endpoint.map(|e| (e.endpoint_url.clone(), e.secret.clone(), e.enabled)),
                        ))
                    })
            };
            let Some((index, event, endpoint)) = next else {
                break;
            };
            attempted += 1;
            let outcome = match endpoint {
                Some((url, secret, true)) => self.post_event(&url, &secret, &event).await,
                // Deleted or disabled since: drop it.
                _ => {
                    self.finish(
                        index,
                        DeliveryStatus::Failed,
                        "endpoint removed or disabled",
                    );
                    continue;
                }
            };
            match outcome {
                Ok(()) => self.finish(index, DeliveryStatus::Delivered, "delivered"),
                Err(why) => self.retry_later(index, &why),
            }
        }
        attempted
    }

    async fn post_event(&self, url: &str, secret: &str, event: &Value) -> Result<(), String> {
        let body = serde_json::to_vec(event).map_err(|e| e.to_string())?;
        // Signed at the receiver's time, not the (possibly advanced) mock time.
        let signature = sign(secret, self.clock.observer_ms(), &body);
        let reply = self
            .http
            .send_within(
                self.http
                    .request(reqwest::Method::POST, url)
                    .header("content-type", "application/json")
                    .header("workos-signature", signature)
                    .body(body),
                &self.clock,
                std::time::Duration::from_millis(DELIVERY_TIMEOUT_MS),
            )
            .await?;
        if (200..300).contains(&reply.status) {
            Ok(())
        } else {
            Err(format!("HTTP {}", reply.status))
        }
    }

    fn finish(&self, index: usize, status: DeliveryStatus, outcome: &str) {
        let mut st = self.state();
        if let Some(d) = st.delivery_mut(index) {
            d.attempts += 1;
            d.status = status;
            d.last_outcome = Some(outcome.to_string());
        }
    }

    fn retry_later(&self, index: usize, why: &str) {
        let now = self.clock.now_ms();
        let mut st = self.state();
        if let Some(d) = st.delivery_mut(index) {
            d.attempts += 1;
            d.last_outcome = Some(why.to_string());
            if d.attempts >= MAX_ATTEMPTS {
                d.status = DeliveryStatus::Failed;
            } else {
                d.next_attempt_ms = now + retry_delay_ms(d.attempts);
            }
        }
    }
}

fn check_url(url: &str) -> Result<(), ApiError> {
    let invalid = || {
        ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_url",
            format!("endpoint_url must be an absolute HTTPS URL; got '{url}'."),
        )
    };
    let parsed = url::Url::parse(url).map_err(|_| invalid())?;
    let host = parsed.host_str().unwrap_or_default();
    let local =
        matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "::1") || host.ends_with(".test");
    match parsed.scheme() {
        "https" if !host.is_empty() => Ok(()),
        "http" if local => Ok(()),
        _ => Err(invalid()),
    }
}

fn check_events(events: &[String]) -> Result<(), ApiError> {
    if events.is_empty() {
        return Err(ApiError::unprocessable(&[("events", "required")]));
    }
    let unknown: Vec<Value> = events
        .iter()
        .filter(|e| !KNOWN_EVENTS.contains(&e.as_str()))
        .map(|e| {
            serde_json::json!({
                "code": "unknown_event_type",
                "field": "events",
                "message": format!("'{e}' is not a known event type."),
            })
        })
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(ApiError {
        status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        body: serde_json::json!({
            "message": "Validation failed: unknown event type",
            "code": "invalid_request_parameters",
            "errors": unknown,
        }),
        retry_after: None,
    })
}

fn duplicate(st: &super::state::WorkosState, env: &str, url: &str, except: Option<&str>) -> bool {
    st.webhook_endpoints
        .values()
        .any(|e| e.env == env && e.endpoint_url == url && Some(e.id.as_str()) != except)
}

/// `GET /webhook_endpoints`.
pub async fn list(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    q: QueryParams,
) -> Result<Response, ApiError> {
    let st = ctx.state();
    let mut rows: Vec<&WebhookEndpoint> = st
        .webhook_endpoints
        .values()
        .filter(|e| e.env == env)
        .collect();
    rows.sort_by_key(|e| e.seq);
    let page = paginate(
        rows.into_iter()
            .map(|e| (e.id.clone(), shapes::webhook_endpoint(e)))
            .collect(),
        &q,
    )?;
    Ok(ok(shapes::page(page.items, page.before, page.after)))
}

/// `POST /webhook_endpoints`.
pub async fn create(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let url = body.req_str("endpoint_url")?;
    let events = body
        .opt_str_list("events")?
        .ok_or_else(|| ApiError::unprocessable(&[("events", "required")]))?;
    check_url(&url)?;
    check_events(&events)?;
    let now = ctx.clock.now_ms();
    let secret = ctx.ids.secret("whsec_", 25);
    ctx.http.recorder().secret("webhook_secret", &secret);
    let mut st = ctx.state();
    if duplicate(&st, &env, &url, None) {
        return Err(ApiError::conflict(
            "duplicate_endpoint",
            format!("A webhook endpoint with the URL '{url}' already exists."),
        ));
    }
    let endpoint = WebhookEndpoint {
        id: ctx.ids.id("we"),
        env,
        endpoint_url: url,
        secret,
        enabled: true,
        events,
        created_ms: now,
        updated_ms: now,
        seq: 0,
    };
    let json = shapes::webhook_endpoint(&endpoint);
    st.add_webhook_endpoint(endpoint);
    Ok(created(json))
}

fn endpoint_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Webhook endpoint not found: '{id}'"))
}

/// `PATCH /webhook_endpoints/{id}`.
pub async fn update(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    if !valid_id(&id, "we") {
        return Err(endpoint_not_found(&id));
    }
    let url = body.opt_str("endpoint_url")?;
    let status = body.opt_enum("status", &["enabled", "disabled"])?;
    let events = body.opt_str_list("events")?;
    if let Some(u) = &url {
        check_url(u)?;
    }
    if let Some(e) = &events {
        check_events(e)?;
    }
    let now = ctx.clock.now_ms();
    let mut st = ctx.state();
    if st.webhook_endpoints.get(&id).is_none_or(|e| e.env != env) {
        return Err(endpoint_not_found(&id));
    }
    if let Some(u) = &url
        && duplicate(&st, &env, u, Some(&id))
    {
        return Err(ApiError::conflict(
            "duplicate_endpoint",
            format!("A webhook endpoint with the URL '{u}' already exists."),
        ));
    }
    let e = st
        .webhook_endpoints
        .get_mut(&id)
        .ok_or_else(|| endpoint_not_found(&id))?;
    if let Some(u) = url {
        e.endpoint_url = u;
    }
    if let Some(s) = status {
        e.enabled = s == "enabled";
    }
    if let Some(ev) = events {
        e.events = ev;
    }
    e.updated_ms = now;
    Ok(ok(shapes::webhook_endpoint(e)))
}

/// `DELETE /webhook_endpoints/{id}` → 204.
pub async fn delete(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let mut st = ctx.state();
    if !valid_id(&id, "we") || st.webhook_endpoints.get(&id).is_none_or(|e| e.env != env) {
        return Err(endpoint_not_found(&id));
    }
    st.webhook_endpoints.remove(&id);
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_from_thirty_seconds() {
        assert_eq!(retry_delay_ms(1), 30_000);
        assert_eq!(retry_delay_ms(2), 60_000);
        assert_eq!(retry_delay_ms(5), 480_000);
    }

    #[test]
    fn https_and_local_http_urls_are_accepted_and_others_refused() {
        assert!(check_url("https://example.com/hooks").is_ok());
        assert!(check_url("http://127.0.0.1:4000/hooks").is_ok());
        assert!(check_url("http://app.test/hooks").is_ok());
        assert!(check_url("http://example.com/hooks").is_err());
        assert!(check_url("not a url").is_err());
        assert!(check_url("ftp://example.com").is_err());
    }
}
