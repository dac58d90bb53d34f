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
    /// Starts on `listener`.
    pub async fn start(listener: tokio::net::TcpListener) -> std::io::Result<Self> {
        let base_url = format!("http://{}", listener.local_addr()?);
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route(RETURN_PATH, get(return_page))
            .route(WEBHOOK_PATH, post(receive))
            .with_state(Arc::clone(&inner));
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
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> &'static str {
    let signature = headers
        .get("workos-signature")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    inner
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .deliveries
        .push(Delivery {
            signature,
            body: body.to_vec(),
        });
    "ok"
}
