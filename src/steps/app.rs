//! App-facing steps: the harness drives *an app* the way WorkOS, the
//! provider and the user's browser would, and says what the app got wrong.
//!
//! "The app under test" is, by default, the built-in reference app (a
//! correct integration, see [`reference`]) wired to the scenario's own stack,
//! which is how `cargo test` runs these features deterministically. With
//! `PIPES_HARNESS_APP_URL` set (see [`target`]), it is a real app next to a
//! running `pipes-harness serve`: the harness then talks to that same serve
//! instance (its URL, API key and the app's webhook secret come from the
//! environment) instead of the per-scenario stack, creates a fresh WorkOS
//! user per person and suffixes provider logins, so scenarios never share
//! state even when they run concurrently against one server.
//!
//! The scenario's stack still exists in external mode; app-facing steps just
//! never use it for the app. Steps of other modules keep acting on the stack,
//! so mixing them into an external run tests nothing about the app.
//!
//! The app under test itself (which app, how it is reached, what a scenario
//! has done to it) is in `under_test`; this file holds the steps.

pub mod mistakes;
mod under_test;

use std::time::{Duration, Instant};

use cucumber::{Parameter, given, then, when};
use serde_json::json;

use super::params::ProviderArg;
use super::vocabulary::StepDoc;
use super::{PipesWorld, StepResult};
use crate::apps::attacks::{Delivery, EventFacts};
use crate::apps::reference;
use crate::apps::target;
use crate::client::AccessTokenResponse;
use crate::client::connect::diagnose_visit;
use crate::client::models::TokenRequest;
use crate::common::clock::iso8601;
use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::provider::ProviderKind;
use crate::providers::engine::endpoints;
use crate::providers::engine::request_log::{LoggedRequest, fingerprint};
use crate::transcript::HttpResponse;
pub use under_test::{AppUnderTest, Backend};
use under_test::{app_mut, app_user, unique_suffix};

/// More token requests than this for one page view is a retry loop.
pub const MAX_TOKEN_REQUESTS: usize = 3;

/// One call to the app's provider-call endpoint.
#[derive(Debug, Clone)]
struct ProfileCall {
    person: String,
    provider: ProviderKind,
    url: String,
    result: Result<HttpResponse, String>,
    elapsed: Duration,
    token_requests: Option<usize>,
    /// The provider's "who am I" requests made while the app answered.
    provider_calls: Option<Vec<LoggedRequest>>,
}

/// A webhook delivery named as feature files name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(
    name = "delivery",
    regex = "a correctly signed event with pretty-printed JSON|a correctly signed event|an event signed with the wrong secret|an event whose body was changed after signing|a replayed event with a stale timestamp|an event timestamped in the future|an event without a signature header|an event with a malformed signature header|an event carrying the signature of another event"
)]
pub struct DeliveryArg(pub Delivery);

impl std::str::FromStr for DeliveryArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(DeliveryArg)
    }
}

fn excerpt(text: &str) -> String {
    let t = text.trim();
    let mut s: String = t.chars().take(200).collect();
    if t.chars().count() > 200 {
        s.push('…');
    }
    s
}

fn resolve(base: &str, location: &str) -> String {
    url::Url::parse(base)
        .and_then(|b| b.join(location))
        .map(|u| u.to_string())
        .unwrap_or_else(|_| location.to_string())
}

// ---------------------------------------------------------------- Given

#[given(expr = "the app under test")]
async fn the_app_under_test(w: &mut PipesWorld) -> StepResult {
    let app = match target::from_vars(&target::process_vars())? {
        Some(t) => AppUnderTest::external(w, t).await?,
        None => AppUnderTest::reference(w).await?,
    };
    w.app = Some(app);
    Ok(())
}

#[given(expr = "the built-in reference app")]
async fn the_reference_app(w: &mut PipesWorld) -> StepResult {
    for kind in [
        ProviderKind::Slack,
        ProviderKind::Google,
        ProviderKind::Salesforce,
    ] {
        w.configure_integration(kind, |_| {});
    }
    w.app = Some(AppUnderTest::reference(w).await?);
    Ok(())
}

#[given(expr = "the app under test at {string}")]
async fn the_app_under_test_at(w: &mut PipesWorld, url: String) -> StepResult {
    let mut vars = target::process_vars();
    vars.insert(target::ENV_APP_URL.to_string(), url);
    let t = target::from_vars(&vars)?.ok_or_else(|| {
        "the app URL is empty: expected e.g. \"http://127.0.0.1:3000\"".to_string()
    })?;
    w.app = Some(AppUnderTest::external(w, t).await?);
    Ok(())
}

// ---------------------------------------------------------------- Connecting

async fn open_connect_page(w: &mut PipesWorld, person: &str, kind: ProviderKind) -> StepResult {
    let user_id = app_user(w, person).await?;
    let app = app_mut(w)?;
    let url = app.endpoints.connect_url(kind, Some(&user_id));
    open_page(app, url).await;
    Ok(())
}

/// The person's browser opens `url` of the app, where a connect flow starts.
async fn open_page(app: &mut AppUnderTest, url: String) {
    let result = app
        .http
        .as_actor("browser")
        .send(app.http.request(reqwest::Method::GET, &url))
        .await;
    app.page = Some((url, result));
    app.authorize_url = None;
}

fn check_sent_to_workos(app: &mut AppUnderTest, kind: ProviderKind) -> StepResult {
    let (url, result) = app.page.as_ref().ok_or(
        "no connect page was opened: add \"When alice opens the app's github connect page\" first",
    )?;
    let resp = result.as_ref().map_err(|e| {
        format!("the app's connect endpoint {url} did not answer: {e}. Is the app running?")
    })?;
    let workos = app.workos.base_url().to_string();
    let target = match resp.status {
        301 | 302 | 303 | 307 | 308 => resp
            .header("location")
            .map(|l| resolve(url, l))
            .ok_or_else(|| {
                format!(
                    "the app answered HTTP {} at {url} without a Location header",
                    resp.status
                )
            })?,
        200 => {
            let body = resp.text();
            find_link(&body, &workos).ok_or_else(|| {
                format!(
                    "the app answered 200 at {url} but the page has no link to the WorkOS authorize URL ({workos}/...): {}",
                    excerpt(&body)
                )
            })?
        }
        s if target::relays_missing_integration(&resp.text()) => {
            return Err(Diagnosis::new(
                DiagnosisKind::ProviderNotConfigured,
                format!(
                    "the app answered HTTP {s} at {url}, relaying WorkOS's answer that there is no {} integration: {}. The app is fine; add the integration to the seed `pipes-harness serve` runs (data_integrations: - slug: {}).",
                    kind.slug(),
                    excerpt(&resp.text()),
                    kind.slug()
                ),
            )
            .render());
        }
        404 | 405 => {
            return Err(format!(
                "the app answered HTTP {} at {url}: no connect route there. Set PIPES_HARNESS_APP_CONNECT_PATH to your connect route (placeholders {{provider}} and {{user_id}}; now {:?}).",
                resp.status,
                app.endpoints.connect_template()
            ));
        }
        s => {
            return Err(format!(
                "the app answered HTTP {s} at {url} instead of sending the browser to WorkOS: {}\n\
                 Common causes: the SDK is not pointed at the harness's WorkOS ({workos}), \
                 WORKOS_API_KEY is not a key it accepts, the {} integration is not configured \
                 there (seed file), or the app does not pass the user id WorkOS knows.",
                excerpt(&resp.text()),
                kind.slug()
            ));
        }
    };
    if !target.starts_with(&workos) {
        let hint = if target.contains("api.workos.com") {
            " The app's SDK talks to the real WorkOS: point it at the harness (Node: `new WorkOS(key, { apiHostname: '127.0.0.1', port: PORT, https: false })`; Python: `WorkOSClient(base_url=...)` or WORKOS_BASE_URL)."
        } else {
            ""
        };
        return Err(format!(
            "the app sent the browser to {target}, not to the WorkOS authorize URL at {workos}.{hint}"
        ));
    }
    app.authorize_url = Some(target);
    Ok(())
}

/// The first `href` or `src`-free link in a page that points under `base`.
fn find_link(body: &str, base: &str) -> Option<String> {
    let start = body.find(base)?;
    let rest = &body[start..];
    let end = rest
        .find(|c: char| c == '"' || c == '\'' || c == '<' || c.is_whitespace())
        .unwrap_or(rest.len());
    Some(rest[..end].replace("&amp;", "&"))
}

async fn approve(w: &mut PipesWorld, person: &str, kind: ProviderKind, login: &str) -> StepResult {
    let app = app_mut(w)?;
    let authorize = app.authorize_url.clone().ok_or(
        "the app has not sent anyone to WorkOS yet: add \"Then the app sends alice to WorkOS to authorize github\" first",
    )?;
    // A reconnect signs in as the same provider account again.
    let login = match app.logins.get(&(person.to_string(), kind)) {
        Some(known) if known == login || known.starts_with(&format!("{login}-")) => known.clone(),
        _ if app.is_external() => format!("{login}-{}", unique_suffix()),
        _ => login.to_string(),
    };
    let base = app.provider_base(kind)?.to_string();
    let mut browser = app.browser(person);
    browser.set_cookie(&base, &format!("{}_login={login}", kind.slug()));
    app.browsers.insert(person.to_string(), browser.clone());
    app.logins.insert((person.to_string(), kind), login);
    let visit = browser
        .visit(&authorize)
        .await
        .map_err(|e| format!("the browser could not follow the connect flow: {e}"))?;
    app.visit = Some(visit);
    Ok(())
}

fn check_landed(app: &AppUnderTest, kind: ProviderKind) -> StepResult {
    let visit = app.visit.as_ref().ok_or(
        "nobody followed the connect flow: add \"When alice approves github as ...\" first",
    )?;
    let base = app.endpoints.base();
    if let Some(d) = mistakes::return_to_wrong(visit, app.workos.base_url(), base) {
        return Err(format!(
            "the connect flow did not end on the app's return page; the browser went through:\n  {}\n{}",
            visit.hops.join("\n  "),
            d.render()
        ));
    }
    if let Some(d) = diagnose_visit(kind, visit, Some(base)) {
        return Err(format!(
            "the connect flow did not end on the app's return page; the browser went through:\n  {}\n{}",
            visit.hops.join("\n  "),
            d.render()
        ));
    }
    if !visit.final_url.starts_with(base) {
        return Err(format!(
            "the connect flow ended at {}, not on the app ({base}): pass the app's own return page as return_to",
            visit.final_url
        ));
    }
    let provider = app.provider_base(kind)?;
    let authorize = format!("{provider}{}", endpoints(kind).authorize);
    if !visit.hops.iter().any(|h| h.starts_with(&authorize)) {
        return Err(format!(
            "the browser never reached the {} authorize page ({authorize}): the app asked WorkOS for another integration. Hops:\n  {}",
            kind.display_name(),
            visit.hops.join("\n  ")
        ));
    }
    Ok(())
}

async fn check_connected(w: &mut PipesWorld, person: &str, kind: ProviderKind) -> StepResult {
    let user_id = app_user(w, person).await?;
    let app = app_mut(w)?;
    let account = app
        .workos
        .get_user_connected_account(&user_id, kind.slug())
        .await
        .map_err(|e| {
            format!(
                "WorkOS has no {} connection for {person}:\n{e}",
                kind.slug()
            )
        })?;
    if account.state != "connected" {
        return Err(format!(
            "WorkOS holds {person}'s {} connection in state {}, not connected",
            kind.slug(),
            account.state
        ));
    }
    Ok(())
}

#[when(expr = "{word} opens the app's {provider} connect page")]
async fn opens_connect_page(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    open_connect_page(w, &person, p.0).await
}

#[then(expr = "the app sends {word} to WorkOS to authorize {provider}")]
async fn sends_to_workos(w: &mut PipesWorld, _person: String, p: ProviderArg) -> StepResult {
    check_sent_to_workos(app_mut(w)?, p.0)
}

#[when(expr = "{word} approves {provider} as {string}")]
async fn approves(w: &mut PipesWorld, person: String, p: ProviderArg, login: String) -> StepResult {
    approve(w, &person, p.0, &login).await
}

#[then(expr = "{word} lands on the app's return page from {provider}")]
async fn lands(w: &mut PipesWorld, _person: String, p: ProviderArg) -> StepResult {
    check_landed(app_mut(w)?, p.0)
}

#[then(expr = "WorkOS holds a connected {provider} account for {word}")]
async fn holds_connected(w: &mut PipesWorld, p: ProviderArg, person: String) -> StepResult {
    check_connected(w, &person, p.0).await
}

#[given(expr = "{word} has connected {provider} through the app as {string}")]
async fn has_connected(
    w: &mut PipesWorld,
    person: String,
    p: ProviderArg,
    login: String,
) -> StepResult {
    open_connect_page(w, &person, p.0).await?;
    through_to_connected(w, &person, p.0, &login).await
}

/// From the page the app just showed: sent to WorkOS, approved at the
/// provider as `login`, back on the app, connected at WorkOS.
async fn through_to_connected(
    w: &mut PipesWorld,
    person: &str,
    kind: ProviderKind,
    login: &str,
) -> StepResult {
    check_sent_to_workos(app_mut(w)?, kind)?;
    approve(w, person, kind, login).await?;
    check_landed(app_mut(w)?, kind)?;
    check_connected(w, person, kind).await
}

// ---------------------------------------------------------------- Provider calls

#[when(expr = "the app calls {provider} for {word}")]
async fn app_calls_provider(w: &mut PipesWorld, p: ProviderArg, person: String) -> StepResult {
    let user_id = app_user(w, &person).await?;
    let token_requests_before = token_requests(w, p.0);
    let app = app_mut(w)?;
    let seq_before = mistakes::provider_log(app, p.0, 0)
        .await
        .ok()
        .map(|(last, _)| last);
    let url = app.endpoints.profile_url(p.0, &user_id);
    let started = Instant::now();
    // Counting, not timing, decides: the harness watches the calls the app
    // makes while it answers and stops waiting once they exceed the bound.
    // The request's own timeout only guards against a hang.
    let http = app.http.as_actor("browser");
    let request = http.send(
        http.request(reqwest::Method::GET, &url)
            .timeout(crate::transcript::http::HANG_GUARD),
    );
    tokio::pin!(request);
    let reference_backend = matches!(app.backend, Backend::Reference(_));
    let token_log =
        reference_backend.then(|| (w.stack.recorder.clone(), w.stack.workos.uri().to_string()));
    let app = app_mut(w)?;
    let login = app.logins.get(&(person.clone(), p.0)).cloned();
    let mut watch = tokio::time::interval(Duration::from_millis(50));
    let result = loop {
        tokio::select! {
            r = &mut request => break r,
            _ = watch.tick() => {
                let calls = match seq_before {
                    Some(seq) => mistakes::provider_log(app, p.0, seq)
                        .await
                        .map(|(_, calls)| {
                            calls
                                .iter()
                                .filter(|r| r.path == reference::whoami_path(p.0))
                                .filter(|r| login.is_none() || r.login == login)
                                .count()
                        })
                        .unwrap_or(0),
                    None => 0,
                };
                let tokens = token_log.as_ref().map_or(0, |(recorder, workos)| {
                    let path = format!("/data-integrations/{}/token", p.0.slug());
                    recorder
                        .exchanges_to(workos)
                        .iter()
                        .filter(|e| e.from == "app" && e.url.contains(&path))
                        .count()
                        .saturating_sub(token_requests_before.unwrap_or(0))
                });
                if calls > mistakes::MAX_PROVIDER_CALLS || tokens > MAX_TOKEN_REQUESTS {
                    break Err(format!(
                        "it had not answered after calling {} {calls} times and asking WorkOS for \
                         a token {tokens} times for this one request, so the harness stopped waiting",
                        p.0.display_name()
                    ));
                }
            }
        }
    };
    let elapsed = started.elapsed();
    let after = token_requests(w, p.0);
    let app = app_mut(w)?;
    let provider_calls = match seq_before {
        Some(seq) => mistakes::provider_log(app, p.0, seq)
            .await
            .ok()
            .map(|(_, calls)| {
                // Other scenarios may call the same provider meanwhile:
                // keep the calls made with this person's tokens.
                let path = reference::whoami_path(p.0);
                let login = app.logins.get(&(person.clone(), p.0));
                calls
                    .into_iter()
                    .filter(|r| r.path == path)
                    .filter(|r| login.is_none() || r.login.as_ref() == login)
                    .collect()
            }),
        None => None,
    };
    app.profile = Some(ProfileCall {
        person,
        provider: p.0,
        url,
        result,
        elapsed,
        token_requests: token_requests_before.zip(after).map(|(b, a)| a - b),
        provider_calls,
    });
    Ok(())
}

/// Token requests the app has made so far, when the harness can see them.
fn token_requests(w: &PipesWorld, kind: ProviderKind) -> Option<usize> {
    match w.app.as_ref().map(|a| &a.backend) {
        Some(Backend::Reference(_)) => {
            let path = format!("/data-integrations/{}/token", kind.slug());
            Some(
                w.stack
                    .recorder
                    .exchanges_to(w.stack.workos.uri())
                    .iter()
                    .filter(|e| e.from == "app" && e.url.contains(&path))
                    .count(),
            )
        }
        _ => None,
    }
}

fn last_profile(app: &AppUnderTest) -> Result<&ProfileCall, String> {
    app.profile.as_ref().ok_or_else(|| {
        "the app made no provider call: add \"When the app calls github for alice\" first"
            .to_string()
    })
}

#[then(expr = "the app answers with {word}'s {provider} profile")]
async fn answers_with_profile(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    let app = app_mut(w)?;
    let call = last_profile(app)?;
    let resp = call.result.as_ref().map_err(|e| {
        format!(
            "the app's provider-call endpoint {} did not answer: {e}",
            call.url
        )
    })?;
    if resp.status == 404 && !resp.text().contains("not_installed") {
        return Err(format!(
            "the app answered HTTP 404 at {}: no provider-call route there. Set PIPES_HARNESS_APP_PROFILE_PATH (now {:?}).",
            call.url,
            app.endpoints.profile_template()
        ));
    }
    if !(200..300).contains(&resp.status) {
        return Err(format!(
            "the app answered HTTP {} at {}: {}",
            resp.status,
            call.url,
            excerpt(&resp.text())
        ));
    }
    let login = app.login_of(&person, p.0)?;
    let body = resp.json().map_err(|e| {
        format!(
            "the app's answer is not JSON ({e}): {}",
            excerpt(&resp.text())
        )
    })?;
    // Where the provider's profile names the login (GitHub's), the app's
    // answer must show it; other "who am I" answers name a workspace (a
    // Slack bot token) or an id, so what proves it is the person's is the
    // token the provider saw.
    if let Some(key) = crate::providers::spec(p.0).profile_login_key {
        let found = body
            .get(key)
            .or_else(|| body.get("profile").and_then(|p| p.get(key)))
            .and_then(|l| l.as_str());
        if found != Some(login.as_str()) {
            return Err(format!(
                "expected {person}'s {} login {login:?} in the app's answer, got: {}",
                p.0.slug(),
                excerpt(&body.to_string())
            ));
        }
    }
    if let Some(calls) = &call.provider_calls {
        let Some(last) = calls.last() else {
            return Err(format!(
                "the app answered HTTP {} but never called {} {} for {person}",
                resp.status,
                p.0.display_name(),
                reference::whoami_path(p.0)
            ));
        };
        if last.login.as_deref() != Some(login.as_str()) {
            return Err(format!(
                "the app called {} with a token of {:?}, not of {person}'s login {login:?}",
                p.0.display_name(),
                last.login
            ));
        }
    }
    Ok(())
}

#[then(expr = "{provider} saw the token WorkOS holds for {word}")]
async fn provider_saw_token(w: &mut PipesWorld, p: ProviderArg, person: String) -> StepResult {
    let user_id = app_user(w, &person).await?;
    let app = app_mut(w)?;
    let request = TokenRequest {
        user_id,
        organization_id: None,
    };
    let token = app
        .workos
        .fresh_token(p.0.slug(), &request)
        .await
        .map_err(|e| format!("WorkOS has no token for {person}:\n{e}"))?
        .access_token;
    let call = last_profile(app)?;
    let path = reference::whoami_path(p.0);
    let calls = call.provider_calls.as_ref().ok_or_else(|| {
        format!(
            "cannot read the {} mock's request log, so which token the app sent is unknown: is `pipes-harness serve` at {} up to date?",
            p.0.display_name(),
            app.workos.base_url()
        )
    })?;
    let Some(last) = calls.last() else {
        return Err(format!(
            "the app made no call to {}'s {path} while answering {}",
            p.0.display_name(),
            call.url
        ));
    };
    let want = fingerprint(&token);
    if last.token_sha256.as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    let kept = calls.len();
    Err(Diagnosis::new(
        DiagnosisKind::TokenKept,
        format!(
            "{} received {kept} call(s) to {path} while the app answered {}; the last one carried \
             {}, not the token WorkOS holds for {person} now. The app used a token it kept from \
             earlier (before a reconnect, a refresh or a rotation).",
            p.0.display_name(),
            call.url,
            if last.token_sha256.is_some() {
                "another token"
            } else {
                "no bearer token at all"
            }
        ),
    )
    .render())
}

// ---------------------------------------------------------------- Revocation

#[when(expr = "{word} revokes the app's access on {provider}")]
async fn revokes_access(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    let user_id = app_user(w, &person).await?;
    let app = app_mut(w)?;
    let login = app.login_of(&person, p.0)?;
    let external = app.is_external();
    if external {
        mistakes::control(
            app,
            reqwest::Method::POST,
            &format!("/providers/{}/revoke", p.0.slug()),
            Some(json!({ "login": login })),
        )
        .await?;
    } else if w.stack.provider(p.0).engine().revoke_all(&login) == 0 {
        return Err(format!(
            "{} holds no token of {login:?} to revoke: connect first",
            p.0.display_name()
        ));
    }
    // WorkOS learns of the revocation (in real life when its refresh is
    // refused, or from the provider) and marks the connection; the harness
    // says so through the public API, the way an import would.
    let app = app_mut(w)?;
    app.cause = Some(mistakes::Cause::NeedsReauthorization);
    let path = format!(
        "/user_management/users/{user_id}/connected_accounts/{}",
        p.0.slug()
    );
    let resp = app
        .workos
        .raw(
            reqwest::Method::PUT,
            &path,
            Some(&json!({ "state": "needs_reauthorization" })),
        )
        .await
        .map_err(|e| e.to_string())?;
    if !(200..300).contains(&resp.status) {
        return Err(format!(
            "WorkOS refused to mark {person}'s {} connection needs_reauthorization: PUT {path} answered HTTP {} {}",
            p.0.slug(),
            resp.status,
            excerpt(&resp.text())
        ));
    }
    Ok(())
}

#[then(expr = "WorkOS tells the app that {word}'s {provider} connection needs reauthorization")]
async fn workos_says_reauth(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    let user_id = app_user(w, &person).await?;
    let app = app_mut(w)?;
    let request = TokenRequest {
        user_id,
        organization_id: None,
    };
    match app
        .workos
        .get_access_token(p.0.slug(), &request)
        .await
        .map_err(|e| e.to_string())?
    {
        AccessTokenResponse::Inactive { error, .. } if error == "needs_reauthorization" => Ok(()),
        other => Err(format!(
            "expected the token endpoint to answer active:false, error:needs_reauthorization for {person}; it answered {other:?}"
        )),
    }
}

#[then(expr = "the app asks {word} to reconnect {provider}")]
async fn asks_to_reconnect(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    let app = app_mut(w)?;
    let cause = app.cause.unwrap_or(mistakes::Cause::NeedsReauthorization);
    mistakes::judge_reconnect(app, &person, p.0, cause)
}

// ---------------------------------------------------------------- Webhooks

/// Fresh ids for a forged event, stamped `now_ms` on the app's clock.
pub(super) fn event_facts(ids: &crate::mock::IdGen, now_ms: i64) -> EventFacts {
    EventFacts {
        event_id: ids.id("event"),
        account_id: ids.id("data_installation"),
        integration_id: ids.id("data_integration"),
        user_id: ids.id("user"),
        other_user_id: ids.id("user"),
        created_at: iso8601(now_ms),
    }
}

#[when(expr = "the app receives {delivery}")]
async fn app_receives(w: &mut PipesWorld, d: DeliveryArg) -> StepResult {
    let ids = w.stack.ids.clone();
    let recorder = w.stack.recorder.clone();
    let app = app_mut(w)?;
    let now = app.clock.now_ms();
    let facts = event_facts(&ids, now);
    let built = d.0.build(&app.webhook_secret, now, &facts);
    for s in &built.signatures {
        recorder.secret("webhook_signature", s);
    }
    let url = app.endpoints.webhook_url();
    let http = app.http.as_actor(d.0.sender());
    let mut req = http
        .request(reqwest::Method::POST, &url)
        .header("content-type", "application/json")
        .body(built.body);
    if let Some(h) = &built.header {
        req = req.header("WorkOS-Signature", h);
    }
    let result = http.send(req).await;
    app.delivery = Some((d.0, url, result));
    Ok(())
}

fn judge_delivery(w: &mut PipesWorld, accept: bool) -> StepResult {
    let app = app_mut(w)?;
    let (d, url, result) = app.delivery.as_ref().ok_or(
        "no webhook was delivered: add \"When the app receives a correctly signed event\" first",
    )?;
    let resp = result
        .as_ref()
        .map_err(|e| format!("the app's webhook endpoint {url} did not answer: {e}"))?;
    d.judge(accept, url, resp.status, &resp.text())
        .map_err(|diagnosis| diagnosis.render())
}

#[then(expr = "the app accepts it")]
async fn app_accepts(w: &mut PipesWorld) -> StepResult {
    judge_delivery(w, true)
}

#[then(expr = "the app rejects it")]
async fn app_rejects(w: &mut PipesWorld) -> StepResult {
    judge_delivery(w, false)
}

/// The documented vocabulary of this module.
pub const VOCABULARY: &[StepDoc] = &[
    StepDoc {
        keyword: "Given",
        expression: "the app under test",
        description: "The app the next steps drive: yours when PIPES_HARNESS_APP_URL is set (next to `pipes-harness serve`), else the built-in reference app.",
        example: "the app under test",
        group: "Your app",
    },
    StepDoc {
        keyword: "Given",
        expression: "the built-in reference app",
        description: "The built-in reference app (a correct integration) on the scenario's own stack, with all four providers configured, whatever PIPES_HARNESS_APP_URL says.",
        example: "the built-in reference app",
        group: "Your app",
    },
    StepDoc {
        keyword: "Given",
        expression: "the app under test at {string}",
        description: "Your app at this base URL; its WorkOS comes from PIPES_HARNESS_WORKOS_URL, PIPES_HARNESS_API_KEY and PIPES_HARNESS_WEBHOOK_SECRET.",
        example: "the app under test at \"http://127.0.0.1:3000\"",
        group: "Your app",
    },
    StepDoc {
        keyword: "When",
        expression: "{word} opens the app's {provider} connect page",
        description: "The person's browser opens the app's connect endpoint (a fresh WorkOS user per person), without following redirects.",
        example: "alice opens the app's github connect page",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "the app sends {word} to WorkOS to authorize {provider}",
        description: "The connect endpoint answered 302 (or 200 with a link) to the WorkOS authorize URL of the harness's WorkOS.",
        example: "the app sends alice to WorkOS to authorize github",
        group: "Your app",
    },
    StepDoc {
        keyword: "When",
        expression: "{word} approves {provider} as {string}",
        description: "The browser, signed in to the provider with this login, follows the authorize URL through consent and the WorkOS callback.",
        example: "alice approves github as \"alice-codes\"",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "{word} lands on the app's return page from {provider}",
        description: "The flow passed the provider's authorize page and ended on the app with a 2xx page; otherwise the harness diagnoses where it stopped.",
        example: "alice lands on the app's return page from github",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "WorkOS holds a connected {provider} account for {word}",
        description: "The app's WorkOS has a connected account for the person.",
        example: "WorkOS holds a connected github account for alice",
        group: "Your app",
    },
    StepDoc {
        keyword: "Given",
        expression: "{word} has connected {provider} through the app as {string}",
        description: "The five connect steps above in one: connect page, WorkOS, approval, return page, connected account.",
        example: "alice has connected github through the app as \"alice-codes\"",
        group: "Your app",
    },
    StepDoc {
        keyword: "When",
        expression: "the app calls {provider} for {word}",
        description: "Opens the app's provider-call endpoint (default /profile/{provider}?user_id=...), which should fetch a fresh token and call the provider.",
        example: "the app calls github for alice",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "the app answers with {word}'s {provider} profile",
        description: "The app answered 2xx with the provider's profile of the login the person approved as.",
        example: "the app answers with alice's github profile",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "{provider} saw the token WorkOS holds for {word}",
        description: "The provider mock received the app's call with the token WorkOS hands out now, not a cached one (against `serve`, which keeps no request log: the provider accepts that token for the account the app relayed).",
        example: "github saw the token WorkOS holds for alice",
        group: "Your app",
    },
    StepDoc {
        keyword: "When",
        expression: "{word} revokes the app's access on {provider}",
        description: "The person removes the app at the provider: every token of the grant dies and WorkOS marks the connection needs_reauthorization.",
        example: "alice revokes the app's access on github",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "WorkOS tells the app that {word}'s {provider} connection needs reauthorization",
        description: "The token endpoint answers active:false, error:needs_reauthorization.",
        example: "WorkOS tells the app that alice's github connection needs reauthorization",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "the app asks {word} to reconnect {provider}",
        description: "The app's last answer sends the person back to connect (a redirect, or a 4xx/2xx page that says reconnect) promptly, without a retry loop.",
        example: "the app asks alice to reconnect github",
        group: "Your app",
    },
    StepDoc {
        keyword: "When",
        expression: "the app receives {delivery}",
        description: "POSTs a webhook to the app's webhook endpoint: genuine (signed like WorkOS) or one of the forgeries.",
        example: "the app receives a replayed event with a stale timestamp",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "the app accepts it",
        description: "The app answered the delivery with 2xx.",
        example: "the app accepts it",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "the app rejects it",
        description: "The app answered the delivery with 4xx; an acceptance is reported with why it matters and the fix.",
        example: "the app rejects it",
        group: "Your app",
    },
];
