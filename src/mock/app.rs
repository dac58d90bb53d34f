//! The app side of a scenario: the page WorkOS returns the browser to after
//! connecting (`return_to`), and a webhook receiver that keeps every delivery.
//!
//! It stands in for the customer's application when the harness plays the
//! app itself; app-facing features point at a real app instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::{get, post};

use crate::common::clock::Clock;

/// A webhook delivery as the receiver got it: raw body, untouched.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// `WorkOS-Signature` header, if any.
    pub signature: Option<String>,
    /// Raw body bytes.
    pub body: Vec<u8>,
}

#[derive(Debug, Default)]
struct Inner {
    deliveries: Vec<Delivery>,
    returns: Vec<HashMap<String, String>>,
    /// Every POST to the receiver, answered or failed: the status it
    /// answered (`None`: it never answered) and the body.
    attempts: Vec<(Option<u16>, Vec<u8>)>,
    /// The next this many deliveries fail with `failing.1`.
    failing: (u32, u16),
    /// The next this many deliveries are held this long (virtual ms)
    /// before the receiver answers them.
    slow: (u32, u64),
    /// The next this many deliveries are never answered: the receiver
    /// holds each until the sender has given up.
    silent: u32,
}

/// What the receiver needs besides its log: the clock a held request moves.
#[derive(Debug, Clone)]
struct Receiver {
    inner: Arc<Mutex<Inner>>,
    clock: Clock,
}

/// The running app mock.
#[derive(Debug)]
pub struct AppMock {
    base_url: String,
    inner: Arc<Mutex<Inner>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for AppMock {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Path of the return page.
pub const RETURN_PATH: &str = "/pipes/return";
/// Path of the webhook receiver.
pub const WEBHOOK_PATH: &str = "/webhooks/workos";

impl AppMock {
    /// Starts on `listener`; a delivery the receiver holds moves `clock`.
    pub async fn start(listener: tokio::net::TcpListener, clock: Clock) -> std::io::Result<Self> {
        let base_url = format!("http://{}", listener.local_addr()?);
        let inner = Arc::new(Mutex::new(Inner::default()));
        let receiver = Receiver {
            inner: Arc::clone(&inner),
            clock,
        };
        let app = Router::new()
            .route(RETURN_PATH, get(return_page).with_state(Arc::clone(&inner)))
            .route(WEBHOOK_PATH, post(receive).with_state(receiver));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(AppMock {
            base_url,
            inner,
            task,
        })
    }

    /// Base URL.
    pub fn uri(&self) -> &str {
        &self.base_url
    }

    /// The `return_to` URL to hand WorkOS.
    pub fn return_url(&self) -> String {
        format!("{}{RETURN_PATH}", self.base_url)
    }

    /// The webhook endpoint URL.
    pub fn webhook_url(&self) -> String {
        format!("{}{WEBHOOK_PATH}", self.base_url)
    }

    /// Makes the receiver answer the next `n` deliveries with `status`
    /// (a receiver that is down or broken), then accept again.
    pub fn fail_next(&self, n: u32, status: u16) {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .failing = (n, status);
    }

    /// Makes the receiver hold the next `n` deliveries for `hold_ms` of
    /// virtual time before answering them (a slow app): the clock moves
    /// by that much, so a sender with a shorter timeout has given up.
    pub fn slow_next(&self, n: u32, hold_ms: u64) {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .slow = (n, hold_ms);
    }

    /// Makes the receiver never answer the next `n` deliveries (a hung
    /// app): each is held until WorkOS's delivery timeout has passed on
    /// the virtual clock, and the app does not handle it.
    pub fn silent_next(&self, n: u32) {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .silent = n;
    }

    /// Every delivery attempt so far, failed ones included: the status the
    /// receiver answered (`None` when it never did) and the body WorkOS sent.
    pub fn attempts(&self) -> Vec<(Option<u16>, Vec<u8>)> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .attempts
            .clone()
    }

    /// Deliveries received so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .deliveries
            .clone()
    }
}

async fn return_page(
    State(inner): State<Arc<Mutex<Inner>>>,
    Query(q): Query<HashMap<String, String>>,
) -> Html<&'static str> {
    inner
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .returns
        .push(q);
    Html("<!DOCTYPE html><html><body><h1>Back in the app</h1></body></html>")
}

async fn receive(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> (axum::http::StatusCode, &'static str) {
    let signature = headers
        .get("workos-signature")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut inner = receiver
        .inner
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if inner.silent > 0 {
        inner.silent -= 1;
        inner.attempts.push((None, body.to_vec()));
        // Held past the sender's timeout; what it gets afterwards is never read.
        receiver.clock.advance(std::time::Duration::from_millis(
            crate::mock::workos::webhooks::DELIVERY_TIMEOUT_MS,
        ));
        return (axum::http::StatusCode::GATEWAY_TIMEOUT, "no answer");
    }
    if inner.slow.0 > 0 {
        inner.slow.0 -= 1;
        receiver
            .clock
            .advance(std::time::Duration::from_millis(inner.slow.1));
    }
    if inner.failing.0 > 0 {
        inner.failing.0 -= 1;
        let status = inner.failing.1;
        inner.attempts.push((Some(status), body.to_vec()));
        let code = axum::http::StatusCode::from_u16(status)
            .unwrap_or(axum::http::StatusCode::SERVICE_UNAVAILABLE);
        return (code, "unavailable");
    }
    inner.attempts.push((Some(200), body.to_vec()));
    inner.deliveries.push(Delivery {
        signature,
        body: body.to_vec(),
    });
    (axum::http::StatusCode::OK, "ok")
}
