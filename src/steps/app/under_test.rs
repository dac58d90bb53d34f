//! The app under test: [`AppUnderTest`], which app it is ([`Backend`]: the
//! built-in reference app on the scenario's stack, or a team's app next to
//! a running `pipes-harness serve`), how the harness reaches it over HTTP,
//! and the per-person state a scenario builds up against it (WorkOS users,
//! provider logins, browsers).
//!
//! Separate from the step definitions in `app.rs` so the plumbing that
//! starts or reaches the app reads on its own; the steps and the catalogue
//! of mistakes use it through `super`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::json;

use super::{ProfileCall, mistakes};
use crate::apps::attacks::Delivery;
use crate::apps::reference::ReferenceApp;
use crate::apps::target::{self, AppEndpoints, ExternalTarget};
use crate::client::browser::Visit;
use crate::client::{Browser, PipesClient};
use crate::common::clock::Clock;
use crate::common::text::capitalize;
use crate::provider::ProviderKind;
use crate::steps::{PipesWorld, StepResult};
use crate::transcript::{HttpClient, HttpResponse};

/// The name the app's host gets in transcripts.
pub const APP_HOST_NAME: &str = "myapp.test";

/// Which app and which WorkOS.
#[derive(Debug)]
pub enum Backend {
    /// The reference app on the scenario's stack.
    Reference(ReferenceApp),
    /// A real app next to a running `pipes-harness serve`.
    External(ExternalTarget),
}

/// The app under test and what the scenario has done to it so far.
#[derive(Debug)]
pub struct AppUnderTest {
    /// The app's endpoints.
    pub endpoints: AppEndpoints,
    /// A client of the WorkOS the app uses, with the app's API key: the
    /// harness checks through it what the app should have caused.
    pub workos: PipesClient,
    /// The embedded WorkOS mock's state, when the app runs on the scenario's
    /// stack (against `serve` the control API tells the same).
    pub workos_state: Option<std::sync::Arc<crate::mock::workos::Ctx>>,
    /// The secret the app verifies webhooks with.
    pub webhook_secret: String,
    /// Provider mock base URLs of that WorkOS.
    pub providers: BTreeMap<ProviderKind, String>,
    /// The app's clock: virtual for the reference app, real for an external one.
    pub clock: Clock,
    /// Which app.
    pub backend: Backend,
    pub(super) http: HttpClient,
    users: BTreeMap<String, String>,
    pub(super) logins: BTreeMap<(String, ProviderKind), String>,
    pub(super) browsers: BTreeMap<String, Browser>,
    pub(super) page: Option<(String, Result<HttpResponse, String>)>,
    pub(super) authorize_url: Option<String>,
    pub(super) visit: Option<Visit>,
    pub(super) profile: Option<ProfileCall>,
    pub(super) delivery: Option<(Delivery, String, Result<HttpResponse, String>)>,
    /// The reference app's provider request logs (an external app's are read through serve).
    pub(super) request_logs:
        BTreeMap<ProviderKind, std::sync::Arc<crate::providers::engine::Shared>>,
    /// What the scenario did to make the next provider call fail.
    pub(super) cause: Option<mistakes::Cause>,
    /// Answers to repeated deliveries of one event.
    pub(super) repeats: Vec<Result<HttpResponse, String>>,
}

impl AppUnderTest {
    /// The reference app, wired to the scenario's stack.
    pub(super) async fn reference(w: &mut PipesWorld) -> Result<Self, String> {
        w.configure_integration(ProviderKind::Github, |i| {
            i.scopes = Some(vec!["repo".into(), "user:email".into()]);
        });
        let secret = w.stack.ids.secret("whsec_", 32);
        w.stack.recorder.secret("webhook_secret", &secret);
        let providers: BTreeMap<ProviderKind, String> = w
            .stack
            .providers
            .iter()
            .map(|(k, p)| (*k, p.uri()))
            .collect();
        let app = ReferenceApp::start(
            w.client.clone(),
            secret.clone(),
            w.stack.clock.clone(),
            providers.clone(),
        )
        .await
        .map_err(|e| format!("cannot start the reference app: {e}"))?;
        w.stack.recorder.host(app.uri(), APP_HOST_NAME);
        let endpoints = AppEndpoints::with_defaults(app.uri())?;
        Ok(AppUnderTest {
            endpoints,
            workos: w.checks(),
            workos_state: Some(std::sync::Arc::clone(w.stack.workos.ctx())),
            webhook_secret: secret,
            providers,
            clock: w.stack.clock.clone(),
            backend: Backend::Reference(app),
            http: HttpClient::new("harness", w.stack.recorder.clone()),
            users: BTreeMap::new(),
            logins: BTreeMap::new(),
            browsers: BTreeMap::new(),
            page: None,
            authorize_url: None,
            visit: None,
            profile: None,
            delivery: None,
            request_logs: w
                .stack
                .providers
                .iter()
                .map(|(k, p)| (*k, std::sync::Arc::clone(p.shared())))
                .collect(),
            cause: None,
            repeats: Vec::new(),
        })
    }

    /// A real app next to `serve`, as `target` describes it.
    pub(super) async fn external(
        w: &mut PipesWorld,
        target: ExternalTarget,
    ) -> Result<Self, String> {
        let recorder = w.stack.recorder.clone();
        recorder.secret("api_key", &target.api_key);
        recorder.secret("webhook_secret", &target.webhook_secret);
        recorder.host(target.app.base(), APP_HOST_NAME);
        // serve's servers get the names the embedded stack's have, so a
        // transcript reads the same whichever stack ran it.
        recorder.host(&target.workos_url, "workos.test");
        for (kind, url) in &target.providers {
            recorder.host(url, &format!("{}.test", kind.slug()));
        }
        let http = HttpClient::new("harness", recorder.clone());
        let workos = PipesClient::new(&target.workos_url, &target.api_key, recorder.clone())
            .as_actor("harness");
        reachable(&http, target.app.base(), "the app under test").await?;
        reachable(
            &http,
            &format!("{}/health", target.workos_url),
            "pipes-harness serve",
        )
        .await?;
        let providers = target.providers.clone();
        Ok(AppUnderTest {
            endpoints: target.app.clone(),
            workos,
            workos_state: None,
            webhook_secret: target.webhook_secret.clone(),
            providers,
            clock: Clock::realtime(),
            backend: Backend::External(target),
            http,
            users: BTreeMap::new(),
            logins: BTreeMap::new(),
            browsers: BTreeMap::new(),
            page: None,
            authorize_url: None,
            visit: None,
            profile: None,
            delivery: None,
            request_logs: BTreeMap::new(),
            cause: None,
            repeats: Vec::new(),
        })
    }

    /// The provider login `person` approved as in this scenario.
    pub(super) fn login_of(&self, person: &str, kind: ProviderKind) -> Result<String, String> {
        self.logins
            .get(&(person.to_string(), kind))
            .cloned()
            .ok_or_else(|| format!("{person} never approved {} in this scenario", kind.slug()))
    }

    pub(super) fn is_external(&self) -> bool {
        matches!(self.backend, Backend::External(_))
    }

    pub(super) fn provider_base(&self, kind: ProviderKind) -> Result<&str, String> {
        self.providers.get(&kind).map(String::as_str).ok_or_else(|| {
            format!(
                "the base URL of the {} mock is unknown: set {} to the URL `pipes-harness serve` printed for it",
                kind.slug(),
                target::provider_var(kind)
            )
        })
    }

    pub(super) fn browser(&mut self, person: &str) -> Browser {
        if let Some(b) = self.browsers.get(person) {
            return b.clone();
        }
        let mut known: Vec<String> = self.providers.values().cloned().collect();
        known.push(self.workos.base_url().to_string());
        known.push(self.endpoints.base().to_string());
        let b = Browser::new(self.http.clone(), known);
        self.browsers.insert(person.to_string(), b.clone());
        b
    }
}

/// A unique suffix per external person, so reruns and concurrent scenarios
/// against one `serve` never collide.
pub(super) fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:x}{:x}{n:x}",
        (nanos & 0xffff_ffff_ffff) as u64,
        std::process::id()
    )
}

async fn reachable(http: &HttpClient, url: &str, what: &str) -> StepResult {
    match http.send(http.request(reqwest::Method::GET, url)).await {
        Ok(_) => Ok(()),
        Err(e) => Err(format!(
            "{what} does not answer at {url}: {e}. Start it first (see the README, \"Test your own app\")."
        )),
    }
}

pub(super) fn app_mut(w: &mut PipesWorld) -> Result<&mut AppUnderTest, String> {
    w.app
        .as_mut()
        .ok_or_else(|| "no app under test: add \"Given the app under test\" first".to_string())
}

/// The WorkOS user id of `person` in the app's WorkOS, created on first mention.
pub(super) async fn app_user(w: &mut PipesWorld, person: &str) -> Result<String, String> {
    let app = app_mut(w)?;
    if let Some(id) = app.users.get(person) {
        return Ok(id.clone());
    }
    let id = if app.is_external() {
        let email = format!("{}+{}@example.com", person.to_lowercase(), unique_suffix());
        let body = json!({"email": email, "first_name": capitalize(person)});
        let resp = app
            .workos
            .raw(reqwest::Method::POST, "/user_management/users", Some(&body))
            .await
            .map_err(|e| e.to_string())?;
        let id = resp
            .json()
            .ok()
            .filter(|_| (200..300).contains(&resp.status))
            .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
            .ok_or_else(|| {
                format!(
                    "cannot create {person} as a user in the WorkOS at {}: POST /user_management/users answered HTTP {} {}",
                    app.workos.base_url(),
                    resp.status,
                    resp.text()
                )
            })?;
        app.users.insert(person.to_string(), id.clone());
        id
    } else {
        let id = w.user(person);
        app_mut(w)?.users.insert(person.to_string(), id.clone());
        id
    };
    Ok(id)
}
