//! Webhooks from the harness's side: WorkOS delivers
//! `pipes.connected_account.*` events to the stack's app receiver, signed
//! with the endpoint's secret, and scenarios verify what arrived with
//! [`crate::client::webhooks::verify`], the right way and the ways apps get
//! it wrong (wrong secret, re-serialized JSON, a changed body, a stale or
//! future timestamp, a missing or mangled header).
//!
//! The deliveries are real: WorkOS's own signing, over HTTP, at the moment
//! of the event on the virtual clock. Only the verification is played here,
//! so "5 minutes pass" between arrival and verification is a stale delivery.

use cucumber::{Parameter, given, then, when};
use serde_json::Value;

use super::params::Span;
use super::vocabulary::StepDoc;
use super::{PipesWorld, StepResult};
use crate::client::models::WebhookEndpointRequest;
use crate::client::webhooks::{DEFAULT_TOLERANCE, verify};
use crate::client::{Diagnosis, DiagnosisKind, PipesError};
use crate::common::duration::spoken;
use crate::mock::app::Delivery;
use crate::mock::workos::state::DeliveryStatus;
use crate::mock::workos::webhooks::DELIVERY_TIMEOUT_MS;
use std::time::Duration;

/// The Pipes events an app subscribes to.
pub const PIPES_EVENTS: &[&str] = &[
    "pipes.connected_account.connected",
    "pipes.connected_account.disconnected",
    "pipes.connected_account.reauthorization_needed",
    "pipes.connected_account.connection_failed",
];

/// How the app verifies a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Raw body, the endpoint's secret, the header as sent.
    AsDelivered,
    /// Another endpoint's secret.
    WrongSecret,
    /// The body parsed and encoded again before verifying.
    Reserialized,
    /// The body changed after WorkOS signed it.
    ChangedBody,
    /// The header dropped (a proxy that strips unknown headers).
    MissingHeader,
    /// The header cut short.
    MangledHeader,
    /// The header of another delivery.
    OtherEventsSignature,
}

impl Verification {
    const ALL: [(Verification, &'static str); 7] = [
        (Verification::AsDelivered, "as delivered"),
        (Verification::WrongSecret, "with the wrong secret"),
        (Verification::Reserialized, "after re-serializing its JSON"),
        (Verification::ChangedBody, "after someone changed its body"),
        (Verification::MissingHeader, "without its signature header"),
        (
            Verification::MangledHeader,
            "with a mangled signature header",
        ),
        (
            Verification::OtherEventsSignature,
            "with the signature of another event",
        ),
    ];

    fn phrase(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(v, _)| *v == self)
            .map(|(_, p)| *p)
            .unwrap_or("as delivered")
    }
}

/// `{verification}`: how the app verifies a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(
    name = "verification",
    regex = "as delivered|with the wrong secret|after re-serializing its JSON|after someone changed its body|without its signature header|with a mangled signature header|with the signature of another event"
)]
pub struct VerificationArg(pub Verification);

impl std::str::FromStr for VerificationArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Verification::ALL
            .iter()
            .find(|(_, p)| *p == s.trim())
            .map(|(v, _)| VerificationArg(*v))
            .ok_or_else(|| {
                format!(
                    "unknown verification {s:?}: expected one of {}",
                    Verification::ALL
                        .iter()
                        .map(|(_, p)| format!("\"{p}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }
}

/// The secret of the endpoint pointing at the stack's app receiver.
fn endpoint_secret(w: &PipesWorld) -> Result<String, String> {
    let url = w.stack.app.webhook_url();
    let ctx = w.stack.workos.ctx();
    let st = ctx.state();
    st.webhook_endpoints
        .values()
        .find(|e| e.endpoint_url == url)
        .map(|e| e.secret.clone())
        .ok_or_else(|| {
            "the app has no webhook endpoint: add \"Given the app's webhook endpoint receives Pipes events\" first"
                .to_string()
        })
}

/// Deliveries of `event` the app received, oldest first, with their JSON.
fn received(w: &PipesWorld, event: &str) -> Vec<(Delivery, Value)> {
    w.stack
        .app
        .deliveries()
        .into_iter()
        .filter_map(|d| {
            let json: Value = serde_json::from_slice(&d.body).ok()?;
            (json.get("event").and_then(Value::as_str) == Some(event)).then_some((d, json))
        })
        .collect()
}

fn received_names(w: &PipesWorld) -> String {
    let names: Vec<String> = w
        .stack
        .app
        .deliveries()
        .iter()
        .filter_map(|d| {
            serde_json::from_slice::<Value>(&d.body)
                .ok()?
                .get("event")?
                .as_str()
                .map(str::to_string)
        })
        .collect();
    if names.is_empty() {
        "nothing".into()
    } else {
        names.join(", ")
    }
}

fn last_of(w: &PipesWorld, event: &str) -> Result<(Delivery, Value), String> {
    received(w, event).pop().ok_or_else(|| {
        format!(
            "the app received no {event} event; it received {}",
            received_names(w)
        )
    })
}

#[given(expr = "the app's webhook endpoint fails the next {int} deliveries with HTTP {int}")]
async fn endpoint_fails(w: &mut PipesWorld, n: u32, status: u16) -> StepResult {
    if n == 0 {
        return Err("failing 0 deliveries does nothing: give at least 1".into());
    }
    if !(400..=599).contains(&status) {
        return Err(format!(
            "HTTP {status} is not a failure: give a 4xx or 5xx status (503 for a receiver that is down)"
        ));
    }
    w.stack.app.fail_next(n, status);
    w.stack.recorder.note(
        "app",
        format!("the webhook receiver answers HTTP {status} to the next {n} deliveries"),
    );
    Ok(())
}

#[given(expr = "the app's webhook endpoint does not answer the next {int} deliveries")]
async fn endpoint_silent(w: &mut PipesWorld, n: u32) -> StepResult {
    if n == 0 {
        return Err("not answering 0 deliveries does nothing: give at least 1".into());
    }
    w.stack.app.silent_next(n);
    w.stack.recorder.note(
        "app",
        format!(
            "the webhook receiver does not answer the next {n} deliveries; WorkOS waits {} for each (virtual time)",
            spoken(Duration::from_millis(DELIVERY_TIMEOUT_MS))
        ),
    );
    Ok(())
}

#[given(expr = "the app's webhook endpoint takes {duration} to answer the next {int} deliveries")]
async fn endpoint_slow(w: &mut PipesWorld, span: Span, n: u32) -> StepResult {
    if n == 0 {
        return Err("slowing 0 deliveries does nothing: give at least 1".into());
    }
    let ms = u64::try_from(span.0.as_millis())
        .ok()
        .filter(|ms| *ms <= 86_400_000)
        .ok_or("a receiver holding a delivery for more than a day is one that does not answer: use \"does not answer the next 1 deliveries\"")?;
    w.stack.app.slow_next(n, ms);
    w.stack.recorder.note(
        "app",
        format!(
            "the webhook receiver takes {} to answer the next {n} deliveries (virtual time)",
            spoken(span.0)
        ),
    );
    Ok(())
}

#[then(expr = "the delivery of the {string} event is {word}")]
async fn delivery_state(w: &mut PipesWorld, event: String, state: String) -> StepResult {
    let url = w.stack.app.webhook_url();
    let ctx = w.stack.workos.ctx();
    let st = ctx.state();
    let endpoint = st
        .webhook_endpoints
        .values()
        .find(|e| e.endpoint_url == url)
        .map(|e| e.id.clone())
        .ok_or("the app has no webhook endpoint: add \"Given the app's webhook endpoint receives Pipes events\" first")?;
    let delivery = st
        .deliveries
        .iter()
        .rfind(|d| {
            d.endpoint_id == endpoint
                && st
                    .events
                    .iter()
                    .any(|e| e.id == d.event_id && e.event == event)
        })
        .ok_or_else(|| format!("WorkOS has no delivery of a {event} event to the app"))?;
    let actual = match delivery.status {
        DeliveryStatus::Pending => "pending",
        DeliveryStatus::Delivered => "delivered",
        DeliveryStatus::Failed => "failed",
    };
    if actual == state {
        return Ok(());
    }
    let next = match delivery.status {
        DeliveryStatus::Pending => format!(
            ", next attempt in {}",
            spoken(Duration::from_millis(
                u64::try_from(delivery.next_attempt_ms - w.stack.clock.now_ms()).unwrap_or(0)
            ))
        ),
        _ => String::new(),
    };
    Err(format!(
        "expected the delivery of the {event} event to be {state}; it is {actual} after {} attempt(s) (last: {}){next}",
        delivery.attempts,
        delivery.last_outcome.as_deref().unwrap_or("none yet")
    ))
}

#[then(expr = "WorkOS tried to deliver the {string} event {int} times")]
async fn delivery_attempts(w: &mut PipesWorld, event: String, n: usize) -> StepResult {
    let statuses: Vec<Option<u16>> = w
        .stack
        .app
        .attempts()
        .into_iter()
        .filter(|(_, body)| {
            serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|j| j.get("event").and_then(Value::as_str).map(str::to_string))
                .as_deref()
                == Some(event.as_str())
        })
        .map(|(status, _)| status)
        .collect();
    if statuses.len() == n {
        return Ok(());
    }
    let answered: Vec<String> = statuses
        .iter()
        .map(|s| s.map_or_else(|| "no answer".to_string(), |s| s.to_string()))
        .collect();
    Err(format!(
        "expected {n} delivery attempts of {event}, WorkOS made {} (the receiver answered: {})",
        statuses.len(),
        if answered.is_empty() {
            "nothing".to_string()
        } else {
            answered.join(", ")
        }
    ))
}

#[given(expr = "the app's webhook endpoint receives Pipes events")]
async fn endpoint_receives(w: &mut PipesWorld) -> StepResult {
    let request = WebhookEndpointRequest {
        endpoint_url: Some(w.stack.app.webhook_url()),
        events: Some(PIPES_EVENTS.iter().map(|e| (*e).to_string()).collect()),
        status: None,
    };
    w.checks()
        .create_webhook_endpoint(&request)
        .await
        .map(|_| ())
        .map_err(|e| format!("creating the webhook endpoint failed:\n{e}"))
}

#[then(expr = "the app received a {string} event for {word}")]
async fn received_event(w: &mut PipesWorld, event: String, person: String) -> StepResult {
    let user_id = w.person(&person);
    let secret = endpoint_secret(w)?;
    let (delivery, json) = received(w, &event)
        .into_iter()
        .rfind(|(_, j)| j.pointer("/data/user_id").and_then(Value::as_str) == Some(&user_id))
        .ok_or_else(|| {
            format!(
                "the app received no {event} event for {person}; it received {}",
                received_names(w)
            )
        })?;
    if json.get("object").and_then(Value::as_str) != Some("event") {
        return Err(format!("the delivery is not an event object: {json}"));
    }
    let arrived = delivery
        .signature
        .as_deref()
        .and_then(|h| h.split(',').find_map(|p| p.trim().strip_prefix("t=")))
        .and_then(|t| t.parse::<i64>().ok())
        .ok_or("the delivery has no readable WorkOS-Signature timestamp")?;
    verify(
        delivery.signature.as_deref(),
        &delivery.body,
        &secret,
        arrived,
        DEFAULT_TOLERANCE,
    )
    .map(|_| ())
    .map_err(|e| format!("the {event} delivery does not verify with the endpoint's secret: {e}"))
}

#[then(expr = "the app received no {string} event")]
async fn received_none(w: &mut PipesWorld, event: String) -> StepResult {
    if received(w, &event).is_empty() {
        Ok(())
    } else {
        Err(format!(
            "expected no {event} event; the app received {}",
            received_names(w)
        ))
    }
}

#[when(expr = "the app verifies the {string} event {verification}")]
async fn verifies(w: &mut PipesWorld, event: String, how: VerificationArg) -> StepResult {
    let now = w.stack.clock.now_ms();
    check(w, &event, how.0, now, how.0.phrase().to_string())
}

#[when(expr = "the app verifies the {string} event with its clock {duration} behind")]
async fn verifies_behind(w: &mut PipesWorld, event: String, span: Span) -> StepResult {
    let ms = i64::try_from(span.0.as_millis()).map_err(|_| "that duration is too long")?;
    let now = w.stack.clock.now_ms() - ms;
    let what = format!(
        "with its clock {} behind WorkOS's",
        crate::common::duration::human(span.0)
    );
    check(w, &event, Verification::AsDelivered, now, what)
}

fn check(
    w: &mut PipesWorld,
    event: &str,
    how: Verification,
    now_ms: i64,
    what: String,
) -> StepResult {
    let secret = endpoint_secret(w)?;
    let (delivery, json) = last_of(w, event)?;
    let mut header = delivery.signature.clone();
    let mut body = delivery.body.clone();
    let mut key = secret;
    let explain: &str = match how {
        Verification::AsDelivered => "the raw body bytes with the endpoint's secret",
        Verification::WrongSecret => {
            key = w.stack.ids.secret("whsec_", 25);
            w.stack.recorder.secret("webhook_secret", &key);
            "the delivery with a secret that is not this endpoint's (each endpoint has its own)"
        }
        Verification::Reserialized => {
            body = serde_json::to_vec_pretty(&json).map_err(|e| e.to_string())?;
            if body == delivery.body {
                return Err("re-encoding the event gave the same bytes; nothing to show".into());
            }
            "JSON it had parsed and encoded again instead of the bytes WorkOS signed"
        }
        Verification::ChangedBody => {
            let mut changed = json.clone();
            let forged = w.stack.ids.id("user");
            if let Some(data) = changed.get_mut("data").and_then(Value::as_object_mut) {
                data.insert("user_id".into(), Value::String(forged));
            }
            body = serde_json::to_vec(&changed).map_err(|e| e.to_string())?;
            "a body whose user_id was changed after WorkOS signed it"
        }
        Verification::MissingHeader => {
            header = None;
            "a request whose WorkOS-Signature header never reached it (stripped on the way, or never sent)"
        }
        Verification::MangledHeader => {
            header = header.map(|h| {
                let cut = h.find("v1=").map(|i| i + 3 + 16).unwrap_or(h.len());
                h[..cut.min(h.len())].to_string()
            });
            "a WorkOS-Signature header cut short on the way"
        }
        Verification::OtherEventsSignature => {
            let other = w
                .stack
                .app
                .deliveries()
                .into_iter()
                .find(|d| d.body != delivery.body)
                .ok_or(
                    "the app received only one event; another is needed to borrow a signature from",
                )?;
            header = other.signature;
            "the body of one event under the signature of another"
        }
    };
    let outcome = verify(header.as_deref(), &body, &key, now_ms, DEFAULT_TOLERANCE);
    let verdict = match &outcome {
        Ok(_) => "accepted".to_string(),
        Err(e) => format!("rejected ({})", e.short_name()),
    };
    w.stack.recorder.note(
        "app",
        format!("verified the {event} delivery {what}: {verdict}"),
    );
    w.last_response = None;
    w.last_error = outcome.err().map(|e| PipesError::Check {
        check: "webhook signature",
        reason: e.short_name().to_string(),
        diagnosis: Diagnosis::new(
            DiagnosisKind::WebhookSignatureInvalid,
            if what.starts_with("with its clock") {
                format!("The app verified {explain}, {what}: {e}.")
            } else {
                format!("The app verified {explain}: {e}.")
            },
        ),
    });
    Ok(())
}

#[then(expr = "the webhook verifies")]
async fn webhook_verifies(w: &mut PipesWorld) -> StepResult {
    match &w.last_error {
        None => Ok(()),
        Some(e) => Err(format!("expected the webhook to verify, it did not:\n{e}")),
    }
}

#[then(expr = "the webhook is rejected as {word}")]
async fn webhook_rejected(w: &mut PipesWorld, reason: String) -> StepResult {
    match &w.last_error {
        Some(PipesError::Check {
            check: "webhook signature",
            reason: got,
            ..
        }) if *got == reason => Ok(()),
        Some(e) => Err(format!(
            "expected the webhook to be rejected as {reason}, the last failure was:\n{e}"
        )),
        None => Err(format!(
            "expected the webhook to be rejected as {reason}, it verified"
        )),
    }
}

/// The documented steps of this module.
pub const VOCABULARY: &[StepDoc] = &[
    doc(
        "Given",
        "the app's webhook endpoint receives Pipes events",
        "Registers the app's receiver as a WorkOS webhook endpoint for the four pipes.connected_account events; WorkOS signs each delivery with the endpoint's own secret.",
        "the app's webhook endpoint receives Pipes events",
    ),
    doc(
        "Then",
        "the app received a {string} event for {word}",
        "WorkOS delivered this event about the person's connection, and it verifies with the endpoint's secret at the time it arrived.",
        "the app received a \"pipes.connected_account.connected\" event for alice",
    ),
    doc(
        "Given",
        "the app's webhook endpoint fails the next {int} deliveries with HTTP {int}",
        "The app's receiver is down or broken for that many deliveries: WorkOS retries 30 s after the first failure and twice as long after each next one, six attempts in all; retries go out as time passes.",
        "the app's webhook endpoint fails the next 2 deliveries with HTTP 503",
    ),
    doc(
        "Given",
        "the app's webhook endpoint does not answer the next {int} deliveries",
        "The app's receiver hangs for that many deliveries: WorkOS waits 5 s of virtual time for each, counts it as a failed attempt and retries on the same schedule as an error; the app does not handle it.",
        "the app's webhook endpoint does not answer the next 2 deliveries",
    ),
    doc(
        "Given",
        "the app's webhook endpoint takes {duration} to answer the next {int} deliveries",
        "The app's receiver is slow for that many deliveries (virtual time, up to a day): answered within WorkOS's 5 s the delivery counts; later, WorkOS has given up and retries, though the app handled it.",
        "the app's webhook endpoint takes 8 seconds to answer the next 1 deliveries",
    ),
    doc(
        "Then",
        "the delivery of the {string} event is {word}",
        "Where WorkOS's delivery of the last such event to the app stands: pending (a retry is due later), delivered, or failed (WorkOS gave up).",
        "the delivery of the \"pipes.connected_account.connected\" event is failed",
    ),
    doc(
        "Then",
        "WorkOS tried to deliver the {string} event {int} times",
        "Counts every delivery attempt of this event at the app's receiver, failed ones included.",
        "WorkOS tried to deliver the \"pipes.connected_account.connected\" event 3 times",
    ),
    doc(
        "Then",
        "the app received no {string} event",
        "No delivery of this event reached the app.",
        "the app received no \"pipes.connected_account.disconnected\" event",
    ),
    doc(
        "When",
        "the app verifies the {string} event {verification}",
        "Verifies the last delivery of this event now (on the scenario's clock), correctly or the way a broken receiver does.",
        "the app verifies the \"pipes.connected_account.connected\" event after re-serializing its JSON",
    ),
    doc(
        "When",
        "the app verifies the {string} event with its clock {duration} behind",
        "Verifies the delivery on a clock that lags WorkOS's, so its timestamp looks like it comes from the future.",
        "the app verifies the \"pipes.connected_account.connected\" event with its clock 5 minutes behind",
    ),
    doc(
        "Then",
        "the webhook verifies",
        "The last verification accepted the delivery.",
        "the webhook verifies",
    ),
    doc(
        "Then",
        "the webhook is rejected as {word}",
        "The last verification failed for this reason: missing_header, malformed_header, timestamp_too_old, timestamp_in_future or signature_mismatch.",
        "the webhook is rejected as signature_mismatch",
    ),
];

const fn doc(
    keyword: &'static str,
    expression: &'static str,
    description: &'static str,
    example: &'static str,
) -> StepDoc {
    StepDoc {
        keyword,
        expression,
        description,
        example,
        group: "Webhooks",
    }
}
