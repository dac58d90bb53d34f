//! The reference app: a correct Pipes integration, written with the
//! harness's own client, that app-facing features run against when no app
//! URL is given.
//!
//! It is what `cargo test` exercises the app features with, and the model
//! the example apps in `examples/` follow route for route:
//!
//! - `GET /connect/{provider}?user_id=` asks WorkOS for an authorize URL and
//!   answers 302 to it; without a user it shows a page with a connect link.
//! - `GET /pipes/return` is where WorkOS sends the browser back.
//! - `POST /webhooks/workos` verifies the raw body against `WorkOS-Signature`
//!   (180 s tolerance on both sides of the clock) and answers 400 otherwise.
//! - `GET /profile/{provider}?user_id=` fetches a fresh token, calls the
//!   provider's "who am I" endpoint and relays the answer; when WorkOS says
//!   `needs_reauthorization` it answers 409 with a reconnect link instead of
//!   retrying; a provider 401 gets one fresh token, then the same answer; a
//!   provider error or rate limit is relayed after one call; WorkOS's own 429
//!   becomes a 503 with `Retry-After`.
//! - A webhook whose event id was already handled is answered
//!   `{"received": true, "duplicate": true}` and not handled again.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::client::models::{AuthorizeParams, TokenRequest};
use crate::client::webhooks::{DEFAULT_TOLERANCE, verify};
use crate::client::{DiagnosisKind, PipesClient, PipesError};
use crate::common::clock::Clock;
use crate::provider::ProviderKind;
use crate::providers::classify::{ApiOutcome, ResponseView, classify_api_response};

/// Path WorkOS returns the browser to.
pub const RETURN_PATH: &str = "/pipes/return";

/// The provider endpoint that says whose token it is.
pub fn whoami_path(kind: ProviderKind) -> &'static str {
    crate::providers::spec(kind).whoami_path
}

struct AppState {
    base_url: String,
    workos: PipesClient,
    webhook_secret: String,
    clock: Clock,
    providers: BTreeMap<ProviderKind, String>,
    events: Mutex<Vec<String>>,
}

/// The running reference app; stops when dropped.
#[derive(Debug)]
pub struct ReferenceApp {
    base_url: String,
    state: Arc<AppState>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Drop for ReferenceApp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ReferenceApp {
    /// Starts on a loopback port, using `workos` (its API key is the app's).
    pub async fn start(
        workos: PipesClient,
        webhook_secret: String,
        clock: Clock,
        providers: BTreeMap<ProviderKind, String>,
    ) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(AppState {
            base_url: base_url.clone(),
            workos,
            webhook_secret,
            clock,
            providers,
            events: Mutex::new(Vec::new()),
        });
        let router = Router::new()
            .route("/connect/{provider}", get(connect))
            .route(RETURN_PATH, get(return_page))
            .route("/webhooks/workos", post(webhook))
            .route("/profile/{provider}", get(profile))
            .with_state(Arc::clone(&state));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(ReferenceApp {
            base_url,
            state,
            task,
        })
    }

    /// Base URL.
    pub fn uri(&self) -> &str {
        &self.base_url
    }

    /// Ids of the events the app accepted, in order.
    pub fn accepted_events(&self) -> Vec<String> {
        self.state
            .events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn unknown_provider(slug: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        format!(
            "unknown provider {slug:?}: expected {}",
            ProviderKind::slugs_in_words()
        ),
    )
        .into_response()
}

fn user_of(q: &HashMap<String, String>) -> Option<String> {
    q.get("user_id").filter(|u| !u.is_empty()).cloned()
}

async fn connect(
    State(app): State<Arc<AppState>>,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(kind) = slug.parse::<ProviderKind>() else {
        return unknown_provider(&slug);
    };
    let Some(user_id) = user_of(&q) else {
        return Html(format!(
            "<!DOCTYPE html><html><body><h1>Connect {name}</h1>\
             <form action=\"/connect/{slug}\"><input name=\"user_id\">\
             <button>Connect {name}</button></form></body></html>",
            name = kind.display_name(),
            slug = kind.slug()
        ))
        .into_response();
    };
    // A reconnect names the connection it repairs; a first connect adds it.
    let existing = app
        .workos
        .get_user_connected_account(&user_id, kind.slug())
        .await
        .ok();
    let request = AuthorizeParams {
        user_id,
        return_to: Some(format!("{}{RETURN_PATH}", app.base_url)),
        connection_intent: existing.as_ref().map(|_| "reauthorize".to_string()),
        connected_account_id: existing.map(|a| a.id),
        ..AuthorizeParams::default()
    };
    match app.workos.authorize_with(kind.slug(), &request).await {
        Ok(url) => (StatusCode::FOUND, [(header::LOCATION, url.url)]).into_response(),
        Err(e) => (
            StatusCode::BAD_GATEWAY,
            format!("could not start connecting {}: {e}", kind.display_name()),
        )
            .into_response(),
    }
}

async fn return_page(Query(q): Query<HashMap<String, String>>) -> Html<String> {
    match q.get("error") {
        Some(e) => Html(format!(
            "<!DOCTYPE html><html><body><h1>Not connected</h1><p>{}</p></body></html>",
            html_escape::encode_text(e)
        )),
        None => Html("<!DOCTYPE html><html><body><h1>Connected</h1></body></html>".to_string()),
    }
}

async fn webhook(State(app): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers
        .get("workos-signature")
        .and_then(|v| v.to_str().ok());
    match verify(
        signature,
        &body,
        &app.webhook_secret,
        app.clock.now_ms(),
        DEFAULT_TOLERANCE,
    ) {
        Ok(_) => {
            // Only now is the body trusted enough to parse.
            let id = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
                .unwrap_or_default();
            let mut events = app.events.lock().unwrap_or_else(PoisonError::into_inner);
            // WorkOS may deliver an event again; it is handled once.
            if !id.is_empty() && events.contains(&id) {
                return axum::Json(json!({"received": true, "duplicate": true})).into_response();
            }
            events.push(id);
            axum::Json(json!({"received": true})).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": e.short_name()})),
        )
            .into_response(),
    }
}

async fn profile(
    State(app): State<Arc<AppState>>,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(kind) = slug.parse::<ProviderKind>() else {
        return unknown_provider(&slug);
    };
    let Some(user_id) = user_of(&q) else {
        return (StatusCode::BAD_REQUEST, "user_id is required").into_response();
    };
    let Some(base) = app.providers.get(&kind) else {
        return (StatusCode::NOT_FOUND, "unknown provider").into_response();
    };
    let reconnect = format!("/connect/{}?user_id={user_id}", kind.slug());
    let request = TokenRequest {
        user_id: user_id.clone(),
        organization_id: None,
    };
    // A rejected token gets one fresh fetch (it may have been rotated);
    // a second rejection means the grant is gone.
    for _attempt in 0..2 {
        let token = match app.workos.fresh_token(kind.slug(), &request).await {
            Ok(t) => t.access_token,
            Err(PipesError::NoToken { error, .. }) => {
                let (status, message) = if error == "needs_reauthorization" {
                    (
                        StatusCode::CONFLICT,
                        format!(
                            "Your {} connection needs to be renewed: reconnect {}.",
                            kind.display_name(),
                            kind.display_name()
                        ),
                    )
                } else {
                    (
                        StatusCode::NOT_FOUND,
                        format!("{} is not connected yet.", kind.display_name()),
                    )
                };
                return (
                    status,
                    axum::Json(json!({
                        "error": error,
                        "message": message,
                        "reconnect_url": reconnect,
                    })),
                )
                    .into_response();
            }
            // WorkOS's own rate limit: the connection is fine, the app
            // backs off and passes the wait on instead of retrying.
            Err(PipesError::WorkOs { status: 429, .. }) => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "30")],
                    axum::Json(json!({
                        "error": "rate_limited",
                        "message": "Too many requests right now; try again shortly.",
                    })),
                )
                    .into_response();
            }
            Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
        };
        let http = app.workos.http();
        let call = http
            .request(
                reqwest::Method::GET,
                &format!("{base}{}", whoami_path(kind)),
            )
            .bearer_auth(&token)
            .header("accept", "application/json")
            .header("user-agent", "pipes-harness-reference-app");
        let resp = match http.send(call).await {
            Ok(r) => r,
            Err(e) => return (StatusCode::BAD_GATEWAY, e).into_response(),
        };
        // A rejected token looks different at each provider (GitHub's 401,
        // Slack's 200 with ok:false, Salesforce identity's 403): read the
        // answer as the provider means it.
        let view = ResponseView {
            status: resp.status,
            headers: &resp.headers,
            body: &resp.body,
        };
        match classify_api_response(kind, &view, app.clock.now_secs()) {
            ApiOutcome::Failed(d)
                if matches!(
                    d.kind,
                    DiagnosisKind::TokenRevoked | DiagnosisKind::TokenExpired
                ) =>
            {
                continue;
            }
            // An error inside a 2xx (Slack): not a success to relay.
            ApiOutcome::Failed(d) if (200..300).contains(&resp.status) => {
                return (
                    StatusCode::BAD_GATEWAY,
                    axum::Json(json!({
                        "error": d.kind.name(),
                        "message": format!("{} refused the call: {}", kind.display_name(), d.detail),
                    })),
                )
                    .into_response();
            }
            _ => {}
        }
        let status = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::BAD_GATEWAY);
        return (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            resp.body,
        )
            .into_response();
    }
    (
        StatusCode::CONFLICT,
        axum::Json(json!({
            "error": "needs_reauthorization",
            "message": format!("{} rejected the connection: reconnect it.", kind.display_name()),
            "reconnect_url": reconnect,
        })),
    )
        .into_response()
}
