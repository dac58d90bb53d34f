//! Provider behaviour and faults, in the words people use about them:
//! "github rate-limits the next 2 calls", "google revokes alice's token",
//! "the app waited 2 seconds before each retry".
//!
//! Every `Given` here goes through `mock::faults`, so a scenario and the
//! `serve` control API put a provider into the same state; every `Then`
//! reads what really happened (the transcript, the sleeper, the provider's
//! own token state), so it fails when the behaviour is not there.

use std::time::Duration;

use cucumber::{given, then, when};

use super::params::{Kind, ProviderArg, Span};
use super::{PipesWorld, StepResult};
use crate::client::provider_call::RetryPolicy;
use crate::common::duration::human;
use crate::provider::ProviderKind;
use crate::providers::engine::faults::{Fault, Target};
use crate::transcript::Entry;

impl PipesWorld {
    async fn fault(&self, kind: ProviderKind, fault: Fault, times: Option<u64>) -> StepResult {
        fault
            .apply(self.stack.provider(kind), times)
            .await
            .map_err(|e| e.to_string())
    }

    /// The login `person` has at `kind`, read from the token WorkOS holds
    /// for their connection.
    fn provider_login(&mut self, person: &str, kind: ProviderKind) -> Result<String, String> {
        let user_id = self.user(person);
        let slug = kind.slug();
        let token = {
            let ctx = self.stack.workos.ctx();
            let st = ctx.state();
            st.accounts
                .values()
                .find(|a| a.user_id.as_deref() == Some(user_id.as_str()) && a.slug == slug)
                .and_then(|a| a.access_token.clone())
        };
        let token = token.ok_or_else(|| {
            format!("{person} has no {slug} connection holding a token: add \"When {person} connects {slug}\" first")
        })?;
        self.stack
            .provider(kind)
            .engine()
            .tokens
            .get(&token)
            .map(|t| t.login.clone())
            .ok_or_else(|| format!("{slug} never issued the token WorkOS holds for {person}"))
    }
}

fn times(n: usize) -> Result<Option<u64>, String> {
    if n == 0 {
        return Err("a fault for 0 calls does nothing: give at least 1".into());
    }
    Ok(Some(n as u64))
}

/// Why a state fault cannot be given a number of calls, with the faults that can.
fn once_only(kind: ProviderKind, fault: &Fault, n: usize) -> String {
    format!(
        "{name} changes {kind}'s state once, so \"on the next {n} calls\" does not apply: write `{slug} suffers the fault \"{fault}\"`; the faults that take a number of calls are {counting}",
        name = fault.name(),
        slug = kind.slug(),
        counting = Fault::counting_names().join(", ")
    )
}

/// The fault a documented fault step (`expression`) would apply to `kind`,
/// given the values written for its other parameters in order, checked as
/// the step would check it: `None` for a step that applies no fault, or
/// whose values are wrong in a way the parameters' own checks report.
pub(crate) fn fault_problem(
    expression: &str,
    kind: ProviderKind,
    values: &[&str],
) -> Option<String> {
    let count = |i: usize| -> Option<Result<Option<u64>, String>> {
        values.get(i)?.parse::<usize>().ok().map(times)
    };
    let span_ms = |i: usize| -> Option<u64> {
        let span: Span = values.get(i)?.parse().ok()?;
        Some(u64::try_from(span.0.as_millis()).unwrap_or(u64::MAX))
    };
    let status = |i: usize| -> Option<Result<u16, String>> {
        let v = values.get(i)?;
        Some(
            v.parse::<u16>()
                .map_err(|_| format!("HTTP {v} is not a server error status: expected 500 to 599")),
        )
    };
    if expression == "{word}'s browser takes {duration} to come back from {provider}" {
        let fault = Fault::CodeExpired {
            delay_ms: Some(span_ms(1)?),
        };
        return fault
            .check_request(kind, Some(1))
            .err()
            .map(|e| e.to_string());
    }
    let rest = expression.strip_prefix("{provider}")?;
    let (fault, n) = match rest {
        " rate-limits the next {int} calls"
        | "'s token endpoint rate-limits the next {int} requests" => {
            let on = if rest.starts_with("'s") {
                Target::Token
            } else {
                Target::Api
            };
            (
                Fault::RateLimit {
                    retry_after: None,
                    status: None,
                    on,
                },
                count(0)?,
            )
        }
        " rate-limits the next {int} calls with Retry-After {int}" => (
            Fault::RateLimit {
                retry_after: Some(values.get(1)?.parse().ok()?),
                status: None,
                on: Target::Api,
            },
            count(0)?,
        ),
        " hits its secondary rate limit on the next {int} calls" => {
            (Fault::SecondaryRateLimit { retry_after: None }, count(0)?)
        }
        " fails the next {int} calls with HTTP {int}"
        | "'s token endpoint fails the next {int} requests with HTTP {int}" => {
            let on = if rest.starts_with("'s") {
                Target::Token
            } else {
                Target::Api
            };
            let status = match status(1)? {
                Ok(s) => s,
                Err(e) => return Some(e),
            };
            (
                Fault::ServerError {
                    status: Some(status),
                    on,
                },
                count(0)?,
            )
        }
        " answers the next {int} calls with a malformed body" => {
            (Fault::MalformedBody { on: Target::Api }, count(0)?)
        }
        " takes {duration} to answer the next {int} calls"
        | "'s token endpoint takes {duration} to answer the next {int} requests" => {
            let on = if rest.starts_with("'s") {
                Target::Token
            } else {
                Target::Api
            };
            (
                Fault::Latency {
                    ms: span_ms(0)?,
                    real: false,
                    on,
                },
                count(1)?,
            )
        }
        " takes {duration} to answer the next call" => (
            Fault::Latency {
                ms: span_ms(0)?,
                real: false,
                on: Target::Api,
            },
            Ok(Some(1)),
        ),
        " refuses the next {int} token refreshes" => (Fault::InvalidGrantOnRefresh, count(0)?),
        " shows an error page for unregistered redirect URIs" => {
            (Fault::RedirectMismatchPage, Ok(None))
        }
        " no longer allows the scope {string}" => (
            Fault::InvalidScope {
                scope: values.first()?.to_string(),
            },
            Ok(None),
        ),
        " suffers the fault {string}" | " suffers the fault {string} on the next {int} calls" => {
            let fault = match values.first()?.parse::<Fault>() {
                Ok(f) => f,
                Err(e) => return Some(e.to_string()),
            };
            let n = if values.len() > 1 {
                count(1)?
            } else {
                Ok(None)
            };
            if let Ok(Some(_)) = n
                && !fault.counts_calls()
            {
                return Some(once_only(kind, &fault, values[1].parse().unwrap_or(0)));
            }
            (fault, n)
        }
        _ => return None,
    };
    let n = match n {
        Ok(n) => n,
        Err(e) => return Some(e),
    };
    fault.check_request(kind, n).err().map(|e| e.to_string())
}

// -- Setting providers up ----------------------------------------------------

#[given(expr = "{provider} issues expiring tokens")]
async fn expiring_tokens(w: &mut PipesWorld, p: ProviderArg) {
    // GitHub: "expire user authorization tokens"; Slack: token rotation.
    // Google tokens always expire, Salesforce sessions always time out.
    w.stack.provider(p.0).engine().expiring_tokens = true;
}

#[given(expr = "{provider} rate-limits the next {int} calls")]
async fn rate_limits(w: &mut PipesWorld, p: ProviderArg, n: usize) -> StepResult {
    let fault = Fault::RateLimit {
        retry_after: None,
        status: None,
        on: Default::default(),
    };
    w.fault(p.0, fault, times(n)?).await
}

#[given(expr = "{provider} rate-limits the next {int} calls with Retry-After {int}")]
async fn rate_limits_with_retry_after(
    w: &mut PipesWorld,
    p: ProviderArg,
    n: usize,
    secs: u64,
) -> StepResult {
    let fault = Fault::RateLimit {
        retry_after: Some(secs),
        status: None,
        on: Default::default(),
    };
    w.fault(p.0, fault, times(n)?).await
}

#[given(expr = "{provider} hits its secondary rate limit on the next {int} calls")]
async fn secondary_limit(w: &mut PipesWorld, p: ProviderArg, n: usize) -> StepResult {
    w.fault(
        p.0,
        Fault::SecondaryRateLimit { retry_after: None },
        times(n)?,
    )
    .await
}

#[given(expr = "{provider} fails the next {int} calls with HTTP {int}")]
async fn server_errors(w: &mut PipesWorld, p: ProviderArg, n: usize, status: u16) -> StepResult {
    let fault = Fault::ServerError {
        status: Some(status),
        on: Target::Api,
    };
    w.fault(p.0, fault, times(n)?).await
}

#[given(expr = "{provider} answers the next {int} calls with a malformed body")]
async fn malformed(w: &mut PipesWorld, p: ProviderArg, n: usize) -> StepResult {
    let fault = Fault::MalformedBody { on: Target::Api };
    w.fault(p.0, fault, times(n)?).await
}

#[given(expr = "{provider} answers the next call with a malformed body")]
async fn malformed_once(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    malformed(w, p, 1).await
}

#[given(expr = "{provider} takes {duration} to answer the next {int} calls")]
async fn latency(w: &mut PipesWorld, p: ProviderArg, span: Span, n: usize) -> StepResult {
    let ms = u64::try_from(span.0.as_millis()).map_err(|_| "that duration is too long")?;
    let fault = Fault::Latency {
        ms,
        real: false,
        on: Target::Api,
    };
    w.fault(p.0, fault, times(n)?).await
}

#[given(expr = "{provider} takes {duration} to answer the next call")]
async fn latency_once(w: &mut PipesWorld, p: ProviderArg, span: Span) -> StepResult {
    latency(w, p, span, 1).await
}

#[given(expr = "{provider} refuses the next {int} token refreshes")]
async fn refuses_refreshes(w: &mut PipesWorld, p: ProviderArg, n: usize) -> StepResult {
    w.fault(p.0, Fault::InvalidGrantOnRefresh, times(n)?).await
}

#[given(expr = "{provider}'s token endpoint fails the next {int} requests with HTTP {int}")]
async fn token_endpoint_fails(
    w: &mut PipesWorld,
    p: ProviderArg,
    n: usize,
    status: u16,
) -> StepResult {
    let fault = Fault::ServerError {
        status: Some(status),
        on: Target::Token,
    };
    w.fault(p.0, fault, times(n)?).await
}

#[given(expr = "{provider}'s token endpoint rate-limits the next {int} requests")]
async fn token_endpoint_rate_limits(w: &mut PipesWorld, p: ProviderArg, n: usize) -> StepResult {
    let fault = Fault::RateLimit {
        retry_after: None,
        status: None,
        on: Target::Token,
    };
    w.fault(p.0, fault, times(n)?).await
}

#[given(expr = "{provider}'s token endpoint takes {duration} to answer the next {int} requests")]
async fn token_endpoint_latency(
    w: &mut PipesWorld,
    p: ProviderArg,
    span: Span,
    n: usize,
) -> StepResult {
    let ms = u64::try_from(span.0.as_millis()).map_err(|_| "that duration is too long")?;
    let fault = Fault::Latency {
        ms,
        real: false,
        on: Target::Token,
    };
    w.fault(p.0, fault, times(n)?).await
}

/// `"x-a: 1; x-b: 2"` as header pairs.
fn header_list(text: &str) -> Result<Vec<(String, String)>, String> {
    text.split(';')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(|h| {
            h.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| {
                    format!("{h:?} is not a header: write name: value, separated by ; (e.g. \"retry-after: 5; x-request-id: 1\")")
                })
        })
        .collect()
}

async fn stub(
    w: &mut PipesWorld,
    p: ProviderArg,
    method: String,
    path: String,
    status: u16,
    headers: &[(String, String)],
    body: &str,
) -> StepResult {
    w.stack
        .provider(p.0)
        .stub(&method, &path, status, headers, body)
}

#[given(expr = "{provider} answers {word} {string} with HTTP {int} and body {string}")]
async fn stub_with_body(
    w: &mut PipesWorld,
    p: ProviderArg,
    method: String,
    path: String,
    status: u16,
    body: String,
) -> StepResult {
    stub(w, p, method, path, status, &[], &body).await
}

#[given(
    expr = "{provider} answers {word} {string} with HTTP {int}, headers {string} and body {string}"
)]
async fn stub_with_headers(
    w: &mut PipesWorld,
    p: ProviderArg,
    method: String,
    path: String,
    status: u16,
    headers: String,
    body: String,
) -> StepResult {
    let headers = header_list(&headers)?;
    stub(w, p, method, path, status, &headers, &body).await
}

#[given(expr = "{word} denies consent on {provider}")]
async fn denies_consent(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    w.user(&person);
    w.fault(p.0, Fault::DenyConsent, Some(1)).await
}

#[given(expr = "{provider} shows an error page for unregistered redirect URIs")]
async fn mismatch_page(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    w.fault(p.0, Fault::RedirectMismatchPage, None).await
}

#[given(expr = "{provider} has another callback URL registered for the app")]
async fn other_callback(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    w.fault(p.0, Fault::RedirectMismatch { callback: None }, None)
        .await
}

#[given(expr = "{provider}'s next authorization code is already used when WorkOS redeems it")]
async fn code_reused(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    w.fault(p.0, Fault::CodeReused, Some(1)).await
}

#[given(expr = "{word}'s browser takes {duration} to come back from {provider}")]
async fn slow_return(w: &mut PipesWorld, person: String, span: Span, p: ProviderArg) -> StepResult {
    w.user(&person);
    let ms = u64::try_from(span.0.as_millis()).map_err(|_| "that duration is too long")?;
    w.fault(p.0, Fault::CodeExpired { delay_ms: Some(ms) }, Some(1))
        .await
}

#[given(expr = "{provider} regenerates the app's client secret")]
async fn secret_regenerated(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    w.fault(p.0, Fault::InvalidClient, None).await
}

#[given(expr = "{provider} no longer allows the scope {string}")]
async fn scope_refused(w: &mut PipesWorld, p: ProviderArg, scope: String) -> StepResult {
    w.fault(p.0, Fault::InvalidScope { scope }, None).await
}

#[given(expr = "{provider} suffers the fault {string}")]
async fn named_fault(w: &mut PipesWorld, p: ProviderArg, text: String) -> StepResult {
    let fault: Fault = text
        .parse()
        .map_err(|e: crate::providers::engine::faults::FaultError| e.to_string())?;
    w.fault(p.0, fault, None).await
}

#[given(expr = "{provider} suffers the fault {string} on the next {int} calls")]
async fn named_fault_times(
    w: &mut PipesWorld,
    p: ProviderArg,
    text: String,
    n: usize,
) -> StepResult {
    let fault: Fault = text
        .parse()
        .map_err(|e: crate::providers::engine::faults::FaultError| e.to_string())?;
    if !fault.counts_calls() {
        return Err(once_only(p.0, &fault, n));
    }
    w.fault(p.0, fault, times(n)?).await
}

// -- Things providers do -----------------------------------------------------

#[when(expr = "{provider} revokes {word}'s token")]
async fn revokes_token(w: &mut PipesWorld, p: ProviderArg, person: String) -> StepResult {
    let login = w.provider_login(&person, p.0)?;
    w.fault(p.0, Fault::RevokeTokens { user: Some(login) }, None)
        .await
}

#[when(expr = "{provider} revokes {word}'s refresh token")]
async fn revokes_refresh_token(w: &mut PipesWorld, p: ProviderArg, person: String) -> StepResult {
    let login = w.provider_login(&person, p.0)?;
    w.fault(p.0, Fault::RevokeRefreshTokens { user: Some(login) }, None)
        .await
}

#[when(expr = "{word}'s {provider} token expires")]
async fn token_expires(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    let login = w.provider_login(&person, p.0)?;
    w.fault(p.0, Fault::ExpireTokens { user: Some(login) }, None)
        .await
}

// -- What happened -----------------------------------------------------------

#[then(expr = "the call fails with diagnosis {diagnosis}")]
async fn call_fails(w: &mut PipesWorld, kind: Kind) -> StepResult {
    if w.last_action != super::Action::ProviderCall {
        return Err(format!(
            "expected a provider call to fail with {}, but the last action was {}; a step such as `When the app calls GET \"/user\" on github for alice` comes first",
            kind.0,
            w.last_action.spoken()
        ));
    }
    // One rule for every failure of a call: the token fetch from WorkOS
    // (a bad key, no connection, an outage) is part of it.
    match &w.last_error {
        Some(e) if e.kind() == kind.0 => Ok(()),
        Some(e) => Err(format!(
            "expected the call to fail with {}, it failed with:\n{e}",
            kind.0
        )),
        None => Err(format!(
            "expected the call to fail with {}, but it succeeded",
            kind.0
        )),
    }
}

#[then(expr = "the app waited {duration} before each retry")]
async fn waited_each(w: &mut PipesWorld, span: Span) -> StepResult {
    let delays = w.sleeper.delays();
    if delays.is_empty() {
        return Err(format!(
            "expected the app to wait {} before retrying, but it never waited",
            human(span.0)
        ));
    }
    if delays.iter().all(|d| *d == span.0) {
        Ok(())
    } else {
        Err(format!(
            "expected every wait to be {}, the app waited {}",
            human(span.0),
            list(&delays)
        ))
    }
}

#[then(expr = "the app backed off {int} times")]
async fn backed_off(w: &mut PipesWorld, n: usize) -> StepResult {
    let delays = w.sleeper.delays();
    if delays.len() == n {
        Ok(())
    } else {
        Err(format!(
            "expected {n} waits, the app waited {} times: {}",
            delays.len(),
            list(&delays)
        ))
    }
}

#[then(expr = "the app backed off exponentially with jitter")]
async fn exponential(w: &mut PipesWorld) -> StepResult {
    let policy = RetryPolicy::default();
    let delays = w.sleeper.delays();
    if delays.len() < 2 {
        return Err(format!(
            "exponential backoff needs at least two waits to show, the app waited {}",
            list(&delays)
        ));
    }
    for (i, d) in delays.iter().enumerate() {
        let nominal = policy
            .base_delay
            .saturating_mul(1 << i.min(16))
            .min(policy.max_delay);
        let (low, high) = (nominal.mul_f64(0.5), nominal.mul_f64(1.5));
        if *d < low || *d >= high {
            return Err(format!(
                "wait {} was {}, outside {}..{} (base {} doubled per attempt, jitter ±50%): {}",
                i + 1,
                human(*d),
                human(low),
                human(high),
                human(policy.base_delay),
                list(&delays)
            ));
        }
    }
    if delays.windows(2).all(|p| p[0] == p[1]) {
        return Err(format!(
            "every wait was the same, no jitter: {}",
            list(&delays)
        ));
    }
    Ok(())
}

#[then(expr = "the app asked WorkOS for a {provider} token once")]
async fn token_requested_once(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    token_requests(w, p, 1).await
}

#[then(expr = "the app asked WorkOS for a {provider} token {int} times")]
async fn token_requests(w: &mut PipesWorld, p: ProviderArg, n: usize) -> StepResult {
    let path = format!("/data-integrations/{}/token", p.0.slug());
    let count = w
        .stack
        .recorder
        .entries()
        .iter()
        .filter(|e| match e {
            Entry::Exchange(x) => {
                x.from == "app" && x.url.split('?').next().is_some_and(|u| u.ends_with(&path))
            }
            Entry::Note { .. } => false,
        })
        .count();
    if count == n {
        Ok(())
    } else {
        Err(format!(
            "expected the app to ask WorkOS for a {} token {n} times, it asked {count} times",
            p.0.slug()
        ))
    }
}

#[then(expr = "WorkOS refreshed the {provider} token once")]
async fn refreshed_once(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    refreshes(w, p.0, 1)
}

#[then(expr = "WorkOS never refreshed the {provider} token")]
async fn never_refreshed(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    refreshes(w, p.0, 0)
}

fn refreshes(w: &PipesWorld, kind: ProviderKind, n: usize) -> StepResult {
    let token_url = w.stack.provider(kind).token_url();
    let count = w
        .stack
        .recorder
        .exchanges_to(&token_url)
        .iter()
        .filter(|x| {
            x.from == "workos"
                && x.request_body
                    .as_deref()
                    .is_some_and(|b| b.contains("grant_type=refresh_token"))
        })
        .count();
    if count == n {
        Ok(())
    } else {
        Err(format!(
            "expected WorkOS to refresh the {} token {n} time(s), it refreshed {count} time(s)",
            kind.slug()
        ))
    }
}

#[then(expr = "{provider} rotated {word}'s refresh token")]
async fn rotated(w: &mut PipesWorld, p: ProviderArg, person: String) -> StepResult {
    let login = w.provider_login(&person, p.0)?;
    let (live, spent) = w.stack.provider(p.0).engine().refresh_token_counts(&login);
    if live == 1 && spent >= 1 {
        Ok(())
    } else {
        Err(format!(
            "expected {} to have replaced {person}'s refresh token (one live, the used ones dead); it holds {live} live and {spent} spent",
            p.0.display_name()
        ))
    }
}

#[then(expr = "{provider} kept {word}'s refresh token")]
async fn kept(w: &mut PipesWorld, p: ProviderArg, person: String) -> StepResult {
    let login = w.provider_login(&person, p.0)?;
    let (live, spent) = w.stack.provider(p.0).engine().refresh_token_counts(&login);
    if live == 1 && spent == 0 {
        Ok(())
    } else {
        Err(format!(
            "expected {} to keep {person}'s one refresh token; it holds {live} live and {spent} spent",
            p.0.display_name()
        ))
    }
}

#[then(expr = "the transcript notes {string}")]
async fn transcript_notes(w: &mut PipesWorld, text: String) -> StepResult {
    let notes: Vec<String> = w
        .stack
        .recorder
        .entries()
        .into_iter()
        .filter_map(|e| match e {
            Entry::Note { actor, text } => Some(format!("{actor}: {text}")),
            Entry::Exchange(_) => None,
        })
        .collect();
    if notes.iter().any(|n| n.contains(&text)) {
        Ok(())
    } else {
        Err(format!(
            "no note in the transcript says {text:?}; the notes are:\n  {}",
            notes.join("\n  ")
        ))
    }
}

fn list(delays: &[Duration]) -> String {
    if delays.is_empty() {
        return "nothing".into();
    }
    delays
        .iter()
        .map(|d| human(*d))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The documented steps of this module.
pub const VOCABULARY: &[super::vocabulary::StepDoc] = &[
    doc(
        "Given",
        "{provider} issues expiring tokens",
        "GitHub issues expiring user tokens, Slack turns token rotation on (Google and Salesforce tokens always expire).",
        "github issues expiring tokens",
    ),
    doc(
        "Given",
        "{provider} rate-limits the next {int} calls",
        "The provider's own rate-limit answer for that many API calls, then normal service (GitHub 403 + x-ratelimit-reset, Slack 429, Google 403 userRateLimitExceeded, Salesforce 403 REQUEST_LIMIT_EXCEEDED).",
        "github rate-limits the next 2 calls",
    ),
    doc(
        "Given",
        "{provider} rate-limits the next {int} calls with Retry-After {int}",
        "The same with a retry time in seconds, where the provider sends one (not Salesforce).",
        "slack rate-limits the next 2 calls with Retry-After 2",
    ),
    doc(
        "Given",
        "{provider} hits its secondary rate limit on the next {int} calls",
        "GitHub's secondary rate limit (403, no retry-after).",
        "github hits its secondary rate limit on the next 2 calls",
    ),
    doc(
        "Given",
        "{provider} fails the next {int} calls with HTTP {int}",
        "A 5xx in the provider's error shape, then recovery.",
        "google fails the next 2 calls with HTTP 503",
    ),
    doc(
        "Given",
        "{provider} answers the next {int} calls with a malformed body",
        "HTTP 200 with a truncated body.",
        "salesforce answers the next 2 calls with a malformed body",
    ),
    doc(
        "Given",
        "{provider} answers the next call with a malformed body",
        "The same for one call.",
        "google answers the next call with a malformed body",
    ),
    doc(
        "Given",
        "{provider} takes {duration} to answer the next {int} calls",
        "The real answer, late on the virtual clock.",
        "github takes 30 seconds to answer the next 2 calls",
    ),
    doc(
        "Given",
        "{provider} takes {duration} to answer the next call",
        "The same for one call.",
        "slack takes 3 seconds to answer the next call",
    ),
    doc(
        "Given",
        "{provider} refuses the next {int} token refreshes",
        "The token endpoint answers refresh grants with the provider's refresh error.",
        "google refuses the next 2 token refreshes",
    ),
    doc(
        "Given",
        "{provider}'s token endpoint fails the next {int} requests with HTTP {int}",
        "A 5xx from the token endpoint WorkOS exchanges codes and refreshes tokens at. During a refresh WorkOS answers the app a retryable 503 and keeps the connection: the grant is not dead, the provider is down.",
        "google's token endpoint fails the next 2 requests with HTTP 503",
    ),
    doc(
        "Given",
        "{provider}'s token endpoint rate-limits the next {int} requests",
        "The provider's rate-limit answer at its token endpoint; like a 5xx, WorkOS's refresh is retried later rather than given up.",
        "slack's token endpoint rate-limits the next 1 requests",
    ),
    doc(
        "Given",
        "{provider}'s token endpoint takes {duration} to answer the next {int} requests",
        "The token endpoint's real answer, late on the virtual clock: WorkOS's refresh is slow but succeeds.",
        "github's token endpoint takes 5 seconds to answer the next 1 requests",
    ),
    doc(
        "Given",
        "{provider} answers {word} {string} with HTTP {int} and body {string}",
        "Stubs any endpoint of the provider, above its default routes (faults still come first): for endpoints the mock does not model. JSON bodies are sent as application/json; quote them with single quotes.",
        "github answers GET \"/repos/acme/api\" with HTTP 200 and body '{\"full_name\": \"acme/api\"}'",
    ),
    doc(
        "Given",
        "{provider} answers {word} {string} with HTTP {int}, headers {string} and body {string}",
        "The same with response headers, written name: value and separated by semicolons.",
        "slack answers POST \"/api/chat.postMessage\" with HTTP 200, headers \"x-slack-req-id: 1\" and body '{\"ok\": true}'",
    ),
    doc(
        "Given",
        "{word} denies consent on {provider}",
        "The user clicks deny on the next authorize page.",
        "alice denies consent on slack",
    ),
    doc(
        "Given",
        "{provider} shows an error page for unregistered redirect URIs",
        "GitHub's observed mode: a warning page instead of a redirect.",
        "github shows an error page for unregistered redirect URIs",
    ),
    doc(
        "Given",
        "{provider} has another callback URL registered for the app",
        "Every OAuth app at the provider has a callback other than the WorkOS redirect URI.",
        "google has another callback URL registered for the app",
    ),
    doc(
        "Given",
        "{provider}'s next authorization code is already used when WorkOS redeems it",
        "The next code is spent before the exchange (a double-submitted callback).",
        "slack's next authorization code is already used when WorkOS redeems it",
    ),
    doc(
        "Given",
        "{word}'s browser takes {duration} to come back from {provider}",
        "Time passes between the provider issuing the code and WorkOS redeeming it.",
        "alice's browser takes 11 minutes to come back from github",
    ),
    doc(
        "Given",
        "{provider} regenerates the app's client secret",
        "The secret WorkOS holds no longer works.",
        "salesforce regenerates the app's client secret",
    ),
    doc(
        "Given",
        "{provider} no longer allows the scope {string}",
        "Requests for that scope are refused at the authorize step.",
        "github no longer allows the scope \"repo\"",
    ),
    doc(
        "Given",
        "{provider} suffers the fault {string}",
        "Any named fault in its text form, until the scenario ends (see \"Providers and faults\").",
        "github suffers the fault \"server_error status=502\"",
    ),
    doc(
        "Given",
        "{provider} suffers the fault {string} on the next {int} calls",
        "A named fault for that many calls.",
        "slack suffers the fault \"rate_limit retry_after=5\" on the next 3 calls",
    ),
    doc(
        "When",
        "{provider} revokes {word}'s token",
        "The provider revokes every token of the person's connection (the user removed the app).",
        "github revokes alice's token",
    ),
    doc(
        "When",
        "{provider} revokes {word}'s refresh token",
        "Only the refresh token dies; the access token lives until it expires.",
        "google revokes alice's refresh token",
    ),
    doc(
        "When",
        "{word}'s {provider} token expires",
        "The person's access token reaches the end of its life now.",
        "alice's google token expires",
    ),
    doc(
        "Then",
        "the call fails with diagnosis {diagnosis}",
        "The last provider call failed, diagnosed as this kind.",
        "the call fails with diagnosis insufficient_scopes",
    ),
    doc(
        "Then",
        "the app waited {duration} before each retry",
        "Every delay the app chose was exactly this long (read from the sleeper).",
        "the app waited 2 seconds before each retry",
    ),
    doc(
        "Then",
        "the app backed off {int} times",
        "The app waited this many times in all.",
        "the app backed off 2 times",
    ),
    doc(
        "Then",
        "the app backed off exponentially with jitter",
        "The waits doubled from 1 s with ±50% jitter.",
        "the app backed off exponentially with jitter",
    ),
    doc(
        "Then",
        "the app asked WorkOS for a {provider} token once",
        "One token request: no refetch happened.",
        "the app asked WorkOS for a slack token once",
    ),
    doc(
        "Then",
        "the app asked WorkOS for a {provider} token {int} times",
        "Counts the app's token requests: one per attempt, one more after a refused token.",
        "the app asked WorkOS for a github token 2 times",
    ),
    doc(
        "Then",
        "WorkOS refreshed the {provider} token once",
        "WorkOS sent exactly one refresh grant to the provider.",
        "WorkOS refreshed the google token once",
    ),
    doc(
        "Then",
        "WorkOS never refreshed the {provider} token",
        "WorkOS sent no refresh grant to the provider.",
        "WorkOS never refreshed the salesforce token",
    ),
    doc(
        "Then",
        "{provider} rotated {word}'s refresh token",
        "The provider replaced the person's refresh token: one live, the used one dead.",
        "slack rotated alice's refresh token",
    ),
    doc(
        "Then",
        "{provider} kept {word}'s refresh token",
        "The person's only refresh token is still live.",
        "google kept alice's refresh token",
    ),
    doc(
        "Then",
        "the transcript notes {string}",
        "Some note in the transcript contains the text.",
        "the transcript notes \"honouring Retry-After: 2\"",
    ),
];

const fn doc(
    keyword: &'static str,
    expression: &'static str,
    description: &'static str,
    example: &'static str,
) -> super::vocabulary::StepDoc {
    super::vocabulary::StepDoc {
        keyword,
        expression,
        description,
        example,
        group: "Providers and faults",
    }
}
