//! The catalogue of integration mistakes: what the scenario does to the
//! world so the app meets the situation, and how its answer is judged, each
//! wrong answer with the diagnosis that names the mistake.
//!
//! Everything here acts the same way on the reference app's stack and on a
//! running `pipes-harness serve` (through its control API), so the features
//! run unchanged against either.

use cucumber::{then, when};
use serde_json::{Value, json};

use super::{
    AppUnderTest, MAX_TOKEN_REQUESTS, ProviderKind, app_mut, app_user, event_facts, excerpt,
    last_profile,
};
use crate::apps::attacks::Delivery;
use crate::client::browser::Visit;
use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::mock::workos::state::RateLimit;
use crate::providers::engine::faults::Fault;
use crate::providers::engine::request_log::LoggedRequest;
use crate::steps::params::ProviderArg;
use crate::steps::vocabulary::StepDoc;
use crate::steps::{PipesWorld, StepResult};

/// More provider calls than this for one page view is a retry loop.
pub const MAX_PROVIDER_CALLS: usize = 3;

/// Environment variable with serve's control token, when it has one.
pub const ENV_CONTROL_TOKEN: &str = "PIPES_HARNESS_CONTROL_TOKEN";

/// Why the app's next provider call cannot simply succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// WorkOS answers `needs_reauthorization`.
    NeedsReauthorization,
    /// WorkOS answers `not_installed`.
    NotInstalled,
    /// The provider rejects the token WorkOS still hands out.
    ProviderRejectsToken,
    /// The provider answers 503 to every call.
    ProviderDown,
    /// The provider rate-limits the next call with `Retry-After`.
    ProviderRateLimit,
    /// WorkOS answers the token request with 429.
    WorkosRateLimit,
}

/// Requests the provider mock received after `since`: `(last seq, requests)`.
pub async fn provider_log(
    app: &AppUnderTest,
    kind: ProviderKind,
    since: u64,
) -> Result<(u64, Vec<LoggedRequest>), String> {
    if let Some(shared) = app.request_logs.get(&kind) {
        let log = &shared.requests;
        return Ok((
            log.last_seq(),
            crate::providers::engine::request_log::with_logins(log.since(since), shared),
        ));
    }
    let resp = control(
        app,
        reqwest::Method::GET,
        &format!("/providers/{}/requests?since={since}", kind.slug()),
        None,
    )
    .await?;
    let body = resp
        .json()
        .map_err(|e| format!("serve's request log is not JSON: {e}"))?;
    let last = body.get("last_seq").and_then(Value::as_u64).unwrap_or(0);
    let data: Vec<LoggedRequest> = body
        .get("data")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| {
                    Some(LoggedRequest {
                        seq: i.get("seq")?.as_u64()?,
                        at_ms: i.get("at_ms")?.as_i64()?,
                        method: i.get("method")?.as_str()?.to_string(),
                        path: i.get("path")?.as_str()?.to_string(),
                        query: i.get("query").and_then(Value::as_str).map(str::to_string),
                        token_sha256: i
                            .get("token_sha256")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        login: i.get("login").and_then(Value::as_str).map(str::to_string),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok((last, data))
}

/// One request to serve's control API (external apps only), with the JSON
/// content type and the control token the contract asks for.
pub(super) async fn control(
    app: &AppUnderTest,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Result<crate::transcript::HttpResponse, String> {
    let url = format!("{}/_harness{path}", app.workos.base_url());
    let mut req = app
        .http
        .request(method.clone(), &url)
        .header("content-type", "application/json");
    if method != reqwest::Method::GET {
        req = req.body(body.unwrap_or_else(|| json!({})).to_string());
    }
    if let Ok(token) = std::env::var(ENV_CONTROL_TOKEN)
        && !token.trim().is_empty()
    {
        req = req.bearer_auth(token.trim());
    }
    let resp = app
        .http
        .send(req)
        .await
        .map_err(|e| format!("cannot reach serve's control API at {url}: {e}"))?;
    if !(200..300).contains(&resp.status) {
        return Err(format!(
            "serve's control API refused {method} {url}: HTTP {} {}",
            resp.status,
            excerpt(&resp.text())
        ));
    }
    Ok(resp)
}

/// Puts a provider fault in place, for `times` calls or until cleared.
async fn fault(
    w: &mut PipesWorld,
    kind: ProviderKind,
    spec: Value,
    times: Option<u64>,
) -> StepResult {
    let app = app_mut(w)?;
    if app.is_external() {
        let mut body = spec;
        if let (Some(t), Some(m)) = (times, body.as_object_mut()) {
            m.insert("times".into(), json!(t));
        }
        control(
            app,
            reqwest::Method::POST,
            &format!("/providers/{}/faults", kind.slug()),
            Some(body),
        )
        .await?;
        return Ok(());
    }
    let f = Fault::from_json(&spec).map_err(|e| e.to_string())?;
    f.apply(w.stack.provider(kind), times)
        .await
        .map_err(|e| e.to_string())
}

/// Where the connect flow went when it passed the WorkOS callback but did
/// not come back to the app: `return_to` was missing or pointed elsewhere.
pub fn return_to_wrong(visit: &Visit, workos: &str, app_base: &str) -> Option<Diagnosis> {
    let callback = visit
        .hops
        .iter()
        .position(|h| h.starts_with(workos) && h.contains("/callback"))?;
    if visit.final_url.starts_with(app_base) {
        return None;
    }
    let after = &visit.hops[callback + 1..];
    let ended_on_workos = visit.final_url.starts_with(workos)
        && visit
            .response
            .as_ref()
            .is_some_and(|r| (200..300).contains(&r.status));
    let detail = if ended_on_workos && after.is_empty() {
        format!(
            "The provider approved and WorkOS stored the connection, but then showed its own page \
             at {} instead of sending the browser back to the app ({app_base}): the authorize \
             request had no return_to.",
            visit.final_url.split('?').next().unwrap_or_default()
        )
    } else if visit.left_stack || !visit.final_url.starts_with(workos) {
        format!(
            "The provider approved and WorkOS stored the connection, then sent the browser to {} \
             (the return_to the app gave), not to the app at {app_base}.",
            visit.final_url.split('?').next().unwrap_or_default()
        )
    } else {
        return None;
    };
    Some(Diagnosis::new(DiagnosisKind::ReturnToWrong, detail))
}

/// Judges the app's answer to a provider call that could not succeed.
pub fn judge_reconnect(
    app: &AppUnderTest,
    person: &str,
    kind: ProviderKind,
    cause: Cause,
) -> StepResult {
    let call = last_profile(app)?;
    if call.person != person || call.provider != kind {
        return Err(format!(
            "the last provider call was for {}'s {}, not {person}'s {}",
            call.person,
            call.provider.slug(),
            kind.slug()
        ));
    }
    let name = kind.display_name();
    let calls = call.provider_calls.as_ref().map(Vec::len);
    let fail = |k: DiagnosisKind, what: String| Err(Diagnosis::new(k, what).render());
    let resp = match &call.result {
        Ok(r) => r,
        Err(e) => {
            return fail(
                DiagnosisKind::RetryLoop,
                format!(
                    "the app did not answer {}: {e}. It kept retrying instead of answering.",
                    call.url
                ),
            );
        }
    };
    if let Some(n) = call.token_requests
        && n > MAX_TOKEN_REQUESTS
    {
        return fail(
            DiagnosisKind::RetryLoop,
            format!(
                "the app asked WorkOS for a token {n} times in {} ms for one request before \
                 answering HTTP {}.",
                call.elapsed.as_millis(),
                resp.status
            ),
        );
    }
    if let Some(n) = calls
        && n > MAX_PROVIDER_CALLS
    {
        return fail(
            DiagnosisKind::RetryLoop,
            format!(
                "the app called {name} {n} times in {} ms for one request before answering \
                 HTTP {}.",
                call.elapsed.as_millis(),
                resp.status
            ),
        );
    }
    let body = resp.text();
    let lower = body.to_lowercase();
    let mentions = [
        "reauthoriz",
        "reconnect",
        "connect again",
        "re-authoriz",
        "connect",
    ]
    .iter()
    .any(|m| lower.contains(m));
    let redirect_to_connect = (300..400).contains(&resp.status)
        && resp
            .header("location")
            .is_some_and(|l| l.contains("connect"));
    let asked = redirect_to_connect || (resp.status < 500 && mentions);
    let answered = format!(
        "the app answered HTTP {} after {} ms ({})",
        resp.status,
        call.elapsed.as_millis(),
        excerpt(&body)
    );
    match cause {
        Cause::ProviderRejectsToken => {
            if calls == Some(1) && asked {
                return fail(
                    DiagnosisKind::Provider401Mishandled,
                    format!(
                        "{name} rejected the token WorkOS handed out while WorkOS still \
                         said the connection is active, and the app gave up at once: it never \
                         asked WorkOS for a fresh token (the token may have been rotated), {answered}."
                    ),
                );
            }
            if !asked {
                return fail(
                    DiagnosisKind::Provider401Mishandled,
                    format!(
                        "{name} rejected the token WorkOS handed out while WorkOS still \
                         said the connection is active; {answered} without asking {person} to \
                         reconnect {name}."
                    ),
                );
            }
            Ok(())
        }
        Cause::NeedsReauthorization | Cause::NotInstalled => {
            if asked {
                return Ok(());
            }
            let error = if cause == Cause::NotInstalled {
                "not_installed"
            } else {
                "needs_reauthorization"
            };
            fail(
                DiagnosisKind::ReconnectNotOffered,
                format!(
                    "WorkOS answered the token request with active:false, error:{error}; \
                     {answered} without sending {person} through the connect flow."
                ),
            )
        }
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------- Steps

#[when(expr = "{word} connects {provider} through the app again")]
async fn reconnects(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    let login = app_mut(w)?.login_of(&person, p.0)?;
    super::open_connect_page(w, &person, p.0).await?;
    super::through_to_connected(w, &person, p.0, &login).await
}

/// Where the app's last answer sends the user to reconnect: its redirect, a
/// URL-valued field (`reconnect_url`, `connect_url`, `url`, `link`), else
/// the connect page.
fn reconnect_link(app: &AppUnderTest, kind: ProviderKind, user_id: &str) -> String {
    let base = app.endpoints.base().to_string();
    let fallback = app.endpoints.connect_url(kind, Some(user_id));
    let Some(Ok(resp)) = app.profile.as_ref().map(|c| &c.result) else {
        return fallback;
    };
    let found = if (300..400).contains(&resp.status) {
        resp.header("location").map(str::to_string)
    } else {
        resp.json().ok().and_then(|v| {
            ["reconnect_url", "connect_url", "url", "link"]
                .iter()
                .find_map(|k| v.get(*k).and_then(Value::as_str).map(str::to_string))
        })
    };
    match found {
        Some(link) => url::Url::parse(&base)
            .and_then(|b| b.join(&link))
            .map(|u| u.to_string())
            .unwrap_or(fallback),
        None => fallback,
    }
}

#[when(expr = "{word} follows the app's link to reconnect {provider}")]
async fn follows_reconnect_link(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    let user_id = app_user(w, &person).await?;
    let app = app_mut(w)?;
    let login = app.login_of(&person, p.0)?;
    let url = reconnect_link(app, p.0, &user_id);
    super::open_page(app, url).await;
    super::through_to_connected(w, &person, p.0, &login).await
}

#[then(expr = "the app asked WorkOS to reauthorize {word}'s {provider} connection")]
async fn asked_to_reauthorize(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    let user_id = app_user(w, &person).await?;
    let app = app_mut(w)?;
    let account = app
        .workos
        .get_user_connected_account(&user_id, p.0.slug())
        .await
        .map_err(|e| format!("{person} has no {} connection at WorkOS:\n{e}", p.0.slug()))?;
    let requests: Vec<Value> = if let Some(ctx) = &app.workos_state {
        ctx.state()
            .authorizations_of(&user_id)
            .into_iter()
            .map(|a| {
                let (intent, id) = a.intent_fields();
                json!({"provider": a.slug, "connection_intent": intent, "connected_account_id": id})
            })
            .collect()
    } else {
        let resp = control(
            app,
            reqwest::Method::GET,
            &format!("/authorizations?user_id={user_id}"),
            None,
        )
        .await?;
        resp.json()
            .ok()
            .and_then(|v| v.get("data").and_then(Value::as_array).cloned())
            .unwrap_or_default()
    };
    let last = requests
        .iter()
        .rev()
        .find(|r| r.get("provider").and_then(Value::as_str) == Some(p.0.slug()))
        .ok_or_else(|| {
            format!(
                "the app never asked WorkOS to connect {} for {person}",
                p.0.slug()
            )
        })?;
    let intent = last.get("connection_intent").and_then(Value::as_str);
    let id = last.get("connected_account_id").and_then(Value::as_str);
    if intent == Some("reauthorize") && id == Some(account.id.as_str()) {
        return Ok(());
    }
    Err(Diagnosis::new(
        DiagnosisKind::ReconnectNotOffered,
        format!(
            "{person}'s {} connection ({}) needed reauthorization, and the app sent {person} to \
             WorkOS with connection_intent {} and connected_account_id {}: without \
             \"reauthorize\" and that id, WorkOS may renew another connection or add one \
             instead of repairing this one.",
            p.0.slug(),
            account.id,
            intent.map_or("absent".to_string(), |i| format!("{i:?}")),
            id.map_or("absent".to_string(), |i| format!("{i:?}")),
        ),
    )
    .render())
}

#[when(expr = "{provider} stops accepting {word}'s token")]
async fn stops_accepting(w: &mut PipesWorld, p: ProviderArg, person: String) -> StepResult {
    app_user(w, &person).await?;
    let app = app_mut(w)?;
    let login = app.login_of(&person, p.0)?;
    app.cause = Some(Cause::ProviderRejectsToken);
    if app.is_external() {
        control(
            app,
            reqwest::Method::POST,
            &format!("/providers/{}/revoke", p.0.slug()),
            Some(json!({ "login": login })),
        )
        .await?;
        return Ok(());
    }
    if w.stack.provider(p.0).engine().revoke_all(&login) == 0 {
        return Err(format!(
            "{} holds no token of {login:?} to revoke: connect first",
            p.0.display_name()
        ));
    }
    Ok(())
}

#[when(expr = "{provider} answers every call with 503")]
async fn provider_down(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    app_mut(w)?.cause = Some(Cause::ProviderDown);
    fault(
        w,
        p.0,
        json!({"fault": "server_error", "status": 503}),
        None,
    )
    .await
}

#[when(expr = "{provider} rate-limits the next call for {int} seconds")]
async fn provider_rate_limits(w: &mut PipesWorld, p: ProviderArg, seconds: u64) -> StepResult {
    app_mut(w)?.cause = Some(Cause::ProviderRateLimit);
    fault(
        w,
        p.0,
        json!({"fault": "rate_limit", "retry_after": seconds}),
        Some(1),
    )
    .await
}

#[when(expr = "WorkOS rate-limits the app's next token request")]
async fn workos_rate_limits(w: &mut PipesWorld) -> StepResult {
    let app = app_mut(w)?;
    app.cause = Some(Cause::WorkosRateLimit);
    if app.is_external() {
        control(
            app,
            reqwest::Method::POST,
            "/workos/rate_limit",
            Some(json!({"limit": 1, "window_seconds": 3600})),
        )
        .await?;
    } else {
        let mut st = w.stack.workos.ctx().state();
        st.rate_limit = Some(RateLimit {
            limit: 1,
            window_ms: 3_600_000,
        });
        st.rate_counters.clear();
    }
    // The harness spends the one request the window allows, so the app's
    // next one is refused.
    let app = app_mut(w)?;
    let _ = app
        .workos
        .raw(reqwest::Method::GET, "/organizations?limit=1", None)
        .await;
    Ok(())
}

async fn clear_faults(w: &mut PipesWorld, kind: ProviderKind) -> StepResult {
    let app = app_mut(w)?;
    if app.is_external() {
        control(
            app,
            reqwest::Method::DELETE,
            &format!("/providers/{}/faults", kind.slug()),
            None,
        )
        .await?;
    } else {
        w.stack.provider(kind).clear_faults().await;
    }
    Ok(())
}

async fn lift_workos_rate_limit(w: &mut PipesWorld) -> StepResult {
    let app = app_mut(w)?;
    if app.is_external() {
        control(app, reqwest::Method::DELETE, "/workos/rate_limit", None).await?;
    } else {
        let mut st = w.stack.workos.ctx().state();
        st.rate_limit = None;
        st.rate_counters.clear();
    }
    Ok(())
}

#[then(expr = "the app asks {word} to connect {provider}")]
async fn asks_to_connect(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    let app = app_mut(w)?;
    judge_reconnect(app, &person, p.0, Cause::NotInstalled)
}

#[when(expr = "the app calls {provider} for {word}, who never connected it")]
async fn calls_never_connected(w: &mut PipesWorld, p: ProviderArg, person: String) -> StepResult {
    app_mut(w)?.cause = Some(Cause::NotInstalled);
    super::app_calls_provider(w, p, person).await
}

#[then(expr = "the app gives up on {provider} without a retry loop")]
async fn gives_up(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    clear_faults(w, p.0).await?;
    let app = app_mut(w)?;
    let call = last_profile(app)?;
    let name = p.0.display_name();
    let calls = call.provider_calls.as_ref().map(Vec::len);
    let loop_ = |what: String| Err(Diagnosis::new(DiagnosisKind::RetryLoop, what).render());
    let resp = match &call.result {
        Ok(r) => r,
        Err(e) => {
            return loop_(format!(
                "{name} answered 503 to every call and the app did not answer {}: {e}{}.",
                call.url,
                calls
                    .map(|n| format!(": it called {name} {n} times meanwhile"))
                    .unwrap_or_default()
            ));
        }
    };
    if let Some(n) = calls
        && n > MAX_PROVIDER_CALLS
    {
        return loop_(format!(
            "{name} answered 503 to every call and the app called it {n} times in {} ms for one \
             request before answering HTTP {}.",
            call.elapsed.as_millis(),
            resp.status
        ));
    }
    if (200..300).contains(&resp.status) {
        return Err(format!(
            "{name} answered 503 to every call, yet the app answered HTTP {}: {}",
            resp.status,
            excerpt(&resp.text())
        ));
    }
    Ok(())
}

#[then(expr = "the app waits the Retry-After before calling {provider} again")]
async fn honours_retry_after(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    clear_faults(w, p.0).await?;
    let app = app_mut(w)?;
    let call = last_profile(app)?;
    let name = p.0.display_name();
    let calls = call.provider_calls.as_ref().ok_or_else(|| {
        format!("cannot read the {name} mock's request log to see when the app called it")
    })?;
    if calls.len() > 1 {
        let gap = calls[1].at_ms - calls[0].at_ms;
        return Err(Diagnosis::new(
            DiagnosisKind::RetryAfterIgnored,
            format!(
                "{name} answered the app's call with a rate limit and Retry-After; the app called \
                 it again {gap} ms later ({} calls while answering {}).",
                calls.len(),
                call.url
            ),
        )
        .render());
    }
    let resp = call
        .result
        .as_ref()
        .map_err(|e| format!("the app did not answer {}: {e}", call.url))?;
    if (200..300).contains(&resp.status) {
        return Err(format!(
            "{name} rate-limited the only call the app made, yet the app answered HTTP {}",
            resp.status
        ));
    }
    Ok(())
}

#[then(expr = "the app backs off from WorkOS")]
async fn backs_off(w: &mut PipesWorld) -> StepResult {
    lift_workos_rate_limit(w).await?;
    let app = app_mut(w)?;
    let call = last_profile(app)?;
    let fail =
        |what: String| Err(Diagnosis::new(DiagnosisKind::WorkosRateLimitIgnored, what).render());
    let resp = match &call.result {
        Ok(r) => r,
        Err(e) => {
            return fail(format!(
                "WorkOS answered the token request with 429 and Retry-After; the app did not \
                 answer {}: {e}. It kept retrying.",
                call.url
            ));
        }
    };
    if let Some(n) = call.token_requests
        && n > 1
    {
        return fail(format!(
            "WorkOS answered the token request with 429 and Retry-After; the app asked again \
             {} more time(s) within {} ms.",
            n - 1,
            call.elapsed.as_millis()
        ));
    }
    if !matches!(resp.status, 429 | 503) {
        return fail(format!(
            "WorkOS answered the token request with 429 and Retry-After; the app answered HTTP {} \
             ({}) instead of a temporary 503 or 429 that passes the wait on.",
            resp.status,
            excerpt(&resp.text())
        ));
    }
    Ok(())
}

#[when(expr = "the app receives the same correctly signed event twice")]
async fn receives_twice(w: &mut PipesWorld) -> StepResult {
    let ids = w.stack.ids.clone();
    let recorder = w.stack.recorder.clone();
    let app = app_mut(w)?;
    let now = app.clock.now_ms();
    let facts = event_facts(&ids, now);
    let url = app.endpoints.webhook_url();
    let http = app.http.as_actor("workos");
    let mut answers = Vec::new();
    for _ in 0..2 {
        let built = Delivery::Genuine.build(&app.webhook_secret, now, &facts);
        for s in &built.signatures {
            recorder.secret("webhook_signature", s);
        }
        let mut req = http
            .request(reqwest::Method::POST, &url)
            .header("content-type", "application/json")
            .body(built.body);
        if let Some(h) = &built.header {
            req = req.header("WorkOS-Signature", h);
        }
        answers.push(http.send(req).await);
    }
    let second = answers.pop().unwrap_or_else(|| Err("not sent".into()));
    let first = answers.pop().unwrap_or_else(|| Err("not sent".into()));
    app.delivery = Some((Delivery::Genuine, url, first));
    app.repeats = vec![second];
    Ok(())
}

#[then(expr = "the app handles it only once")]
async fn handles_once(w: &mut PipesWorld) -> StepResult {
    let app = app_mut(w)?;
    let (d, url, first) = app.delivery.as_ref().ok_or(
        "no webhook was delivered: add \"When the app receives the same correctly signed event twice\" first",
    )?;
    let first = first
        .as_ref()
        .map_err(|e| format!("the app's webhook endpoint {url} did not answer: {e}"))?;
    d.judge(true, url, first.status, &first.text())
        .map_err(|diagnosis| diagnosis.render())?;
    let second = app
        .repeats
        .first()
        .ok_or("the event was delivered only once")?
        .as_ref()
        .map_err(|e| {
            format!("the app's webhook endpoint {url} did not answer the second delivery: {e}")
        })?;
    let body = second.text();
    let duplicate = (400..500).contains(&second.status)
        || ((200..300).contains(&second.status) && body.to_lowercase().contains("duplicate"));
    if duplicate {
        return Ok(());
    }
    Err(Diagnosis::new(
        DiagnosisKind::WebhookReplayAccepted,
        format!(
            "The same event (one event id, correctly signed, within the tolerance) arrived twice; \
             the app answered the second delivery HTTP {} ({}) like a new event, so its handler \
             ran again. Answer a repeat with 2xx and {{\"duplicate\": true}}, or a 4xx.",
            second.status,
            excerpt(&body)
        ),
    )
    .render())
}

/// The documented vocabulary of this module.
pub const VOCABULARY: &[StepDoc] = &[
    StepDoc {
        keyword: "When",
        expression: "{word} connects {provider} through the app again",
        description: "The person goes through the app's connect flow once more, as the same provider account (a reconnect: WorkOS gets new tokens).",
        example: "alice connects github through the app again",
        group: "Your app",
    },
    StepDoc {
        keyword: "When",
        expression: "{word} follows the app's link to reconnect {provider}",
        description: "The person follows the reconnect link of the app's last answer (its redirect, or a reconnect_url / connect_url / url / link field; else the connect page) through the provider and back.",
        example: "alice follows the app's link to reconnect github",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "the app asked WorkOS to reauthorize {word}'s {provider} connection",
        description: "The app's last authorize request for the person named the existing connection: connection_intent \"reauthorize\" and its connected_account_id (read from serve's GET /_harness/authorizations).",
        example: "the app asked WorkOS to reauthorize alice's github connection",
        group: "Your app",
    },
    StepDoc {
        keyword: "When",
        expression: "{provider} stops accepting {word}'s token",
        description: "The provider revokes the person's tokens while WorkOS still says the connection is active, so the app's next call gets a 401.",
        example: "github stops accepting alice's token",
        group: "Your app",
    },
    StepDoc {
        keyword: "When",
        expression: "{provider} answers every call with 503",
        description: "The provider answers 503 to every call until \"the app gives up on {provider} without a retry loop\" lifts it.",
        example: "github answers every call with 503",
        group: "Your app",
    },
    StepDoc {
        keyword: "When",
        expression: "{provider} rate-limits the next call for {int} seconds",
        description: "The provider's next API call is refused with its rate-limit answer and Retry-After.",
        example: "github rate-limits the next call for 60 seconds",
        group: "Your app",
    },
    StepDoc {
        keyword: "When",
        expression: "WorkOS rate-limits the app's next token request",
        description: "WorkOS answers the app's next request with 429 and Retry-After (lifted again by \"the app backs off from WorkOS\").",
        example: "WorkOS rate-limits the app's next token request",
        group: "Your app",
    },
    StepDoc {
        keyword: "When",
        expression: "the app calls {provider} for {word}, who never connected it",
        description: "Opens the app's provider-call endpoint for a person WorkOS has no connection for (not_installed).",
        example: "the app calls github for bob, who never connected it",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "the app asks {word} to connect {provider}",
        description: "The app's answer sends the person to connect (a redirect, or a 4xx/2xx page that says connect), not a 5xx.",
        example: "the app asks bob to connect github",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "the app gives up on {provider} without a retry loop",
        description: "The app answered a non-2xx promptly after at most three calls to the provider.",
        example: "the app gives up on github without a retry loop",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "the app waits the Retry-After before calling {provider} again",
        description: "The provider's request log shows no second call while the Retry-After runs, and the app did not claim success.",
        example: "the app waits the Retry-After before calling github again",
        group: "Your app",
    },
    StepDoc {
        keyword: "When",
        expression: "the app receives the same correctly signed event twice",
        description: "One genuine event (same id, valid signature, within the tolerance) is delivered twice, as a retry or a replay would.",
        example: "the app receives the same correctly signed event twice",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "the app handles it only once",
        description: "The first delivery got 2xx; the second a 4xx, or a 2xx whose body says duplicate.",
        example: "the app handles it only once",
        group: "Your app",
    },
    StepDoc {
        keyword: "Then",
        expression: "the app backs off from WorkOS",
        description: "After WorkOS's 429 the app answered 503 or 429 promptly, without asking again; the rate limit is lifted.",
        example: "the app backs off from WorkOS",
        group: "Your app",
    },
];
