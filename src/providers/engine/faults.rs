//! Named, composable provider faults.
//!
//! A fault is either a **wire fault**, mounted on the provider's wiremock
//! server above the default routes (`up_to_n_times(n)`: "fail the next N
//! calls, then recover"), or a **state fault**, a change to the provider's
//! OAuth state where that is the truth: a revoked token is revoked, not
//! faked by a 401 stub, so every later call, refresh and revocation agrees.
//!
//! Wire faults mounted one after another apply in that order: two calls
//! rate limited, then one 503, then the real answer. Each fault speaks the
//! provider's own format (GitHub's `x-ratelimit-*`, Slack's 429 envelope,
//! Google's `rateLimitExceeded`, Salesforce's `REQUEST_LIMIT_EXCEEDED`), and
//! says so in the transcript as a note from the provider.
//!
//! The `serve` control API and the steps share [`Fault`]: its JSON form is
//! `{"fault": "rate_limit", "retry_after": 2}` (extra keys such as
//! `provider` and `times` are ignored), its text form `rate_limit
//! retry_after=2`.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wiremock::{Match, Mock, Request, Respond, ResponseTemplate};

use crate::provider::ProviderKind;
use crate::providers::FaultAnswers;
use crate::providers::engine::oauth::Countdown;
use crate::providers::engine::{ClassMatcher, ProviderMock, RouteClass, Shared, wire};

/// Priority of fault mocks: above the defaults ([`crate::providers::engine::DEFAULT_PRIORITY`]).
pub const FAULT_PRIORITY: u8 = 5;

/// Which kind of route a wire fault hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The provider's API (the default).
    #[default]
    Api,
    /// The token endpoint (code exchange and refresh, as WorkOS calls it).
    Token,
}

impl Target {
    fn is_api(&self) -> bool {
        *self == Target::Api
    }

    fn class(self) -> RouteClass {
        match self {
            Target::Api => RouteClass::Api,
            Target::Token => RouteClass::Token,
        }
    }

    fn words(self) -> &'static str {
        match self {
            Target::Api => "API calls",
            Target::Token => "token requests",
        }
    }
}

/// A fault a provider can be put into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum Fault {
    /// The provider's primary rate limit: GitHub 403 with
    /// `x-ratelimit-remaining: 0` and `x-ratelimit-reset` (plus `retry-after`
    /// when given), Slack 429 + `Retry-After` (30 s unless given), Google 403
    /// `userRateLimitExceeded` (429 `RESOURCE_EXHAUSTED` + `Retry-After` when
    /// given), Salesforce 403 `REQUEST_LIMIT_EXCEEDED` (never a retry time).
    RateLimit {
        /// Seconds until the limit lifts, where the provider says so.
        #[serde(default)]
        retry_after: Option<u64>,
        /// GitHub only: 403 (default) or 429.
        #[serde(default)]
        status: Option<u16>,
        /// API calls (default) or the token endpoint (code exchange and
        /// WorkOS's refresh).
        #[serde(default, skip_serializing_if = "Target::is_api")]
        on: Target,
    },
    /// GitHub's secondary rate limit: 403 "You have exceeded a secondary
    /// rate limit", `retry-after` only when given.
    SecondaryRateLimit {
        /// Seconds to wait, when GitHub says.
        #[serde(default)]
        retry_after: Option<u64>,
    },
    /// A 5xx in the provider's error shape (503 unless given).
    ServerError {
        /// 500–599.
        #[serde(default)]
        status: Option<u16>,
        /// API calls (default) or the token endpoint.
        #[serde(default)]
        on: Target,
    },
    /// The provider's real answer, late. In scenarios the wait is virtual
    /// (the clock jumps); with `real: true` it is a real delay (`serve`).
    Latency {
        /// How late, in milliseconds.
        ms: u64,
        /// Wait for real instead of moving the virtual clock.
        #[serde(default)]
        real: bool,
        /// API calls (default) or the token endpoint.
        #[serde(default)]
        on: Target,
    },
    /// HTTP 200 with a truncated body in the provider's content type.
    MalformedBody {
        /// API calls (default) or the token endpoint.
        #[serde(default)]
        on: Target,
    },
    /// The provider's insufficient-scope answer (GitHub 404 with
    /// `X-Accepted-OAuth-Scopes`, Slack `missing_scope`, Google 403
    /// `ACCESS_TOKEN_SCOPE_INSUFFICIENT`, Salesforce 401 "not valid for use
    /// with the REST API").
    InsufficientScope {
        /// The scope the endpoint wants (a typical one unless given).
        #[serde(default)]
        needed: Option<String>,
    },
    /// The token endpoint refuses refresh grants with the provider's
    /// refresh error (GitHub `bad_refresh_token`, Slack
    /// `invalid_refresh_token`, Google and Salesforce `invalid_grant`).
    InvalidGrantOnRefresh,
    /// State: revoke every token of `user` (a provider login), or everyone's.
    RevokeTokens {
        /// Provider login; everyone when absent.
        #[serde(default)]
        user: Option<String>,
    },
    /// State: revoke refresh tokens only; access tokens live until they expire.
    RevokeRefreshTokens {
        /// Provider login; everyone when absent.
        #[serde(default)]
        user: Option<String>,
    },
    /// State: every live access token of `user` (or everyone's) expires now.
    ExpireTokens {
        /// Provider login; everyone when absent.
        #[serde(default)]
        user: Option<String>,
    },
    /// State: the user clicks "deny" on the next authorize pages.
    DenyConsent,
    /// State: every app at the provider has `callback` registered instead
    /// of the WorkOS redirect URI.
    RedirectMismatch {
        /// The callback on file (`https://example.com/oauth/callback` unless given).
        #[serde(default)]
        callback: Option<String>,
    },
    /// State (GitHub): an unregistered redirect URI shows GitHub's warning
    /// page instead of redirecting with `error=redirect_uri_mismatch`.
    RedirectMismatchPage,
    /// State: no app may request `scope` any more.
    InvalidScope {
        /// The refused scope.
        scope: String,
    },
    /// State: the next codes are already redeemed when WorkOS exchanges them.
    CodeReused,
    /// State: the browser takes `delay_ms` (by default a minute longer than
    /// the provider's code lifetime) to bring the next codes back to
    /// WorkOS, so they can be dead on arrival.
    CodeExpired {
        /// How long the return takes, in milliseconds.
        #[serde(default)]
        delay_ms: Option<u64>,
    },
    /// State: every app's client secret is regenerated at the provider, so
    /// the secret WorkOS holds is wrong.
    InvalidClient,
}

/// Every fault name, in the order the README lists them.
pub const NAMES: &[&str] = &[
    "rate_limit",
    "secondary_rate_limit",
    "server_error",
    "latency",
    "malformed_body",
    "insufficient_scope",
    "invalid_grant_on_refresh",
    "revoke_tokens",
    "revoke_refresh_tokens",
    "expire_tokens",
    "deny_consent",
    "redirect_mismatch",
    "redirect_mismatch_page",
    "invalid_scope",
    "code_reused",
    "code_expired",
    "invalid_client",
];

/// The longest `retry_after` a fault accepts, in seconds (one day).
pub const MAX_RETRY_AFTER_SECS: u64 = 86_400;
/// The longest real delay a latency fault accepts, in milliseconds.
pub const MAX_REAL_LATENCY_MS: u64 = 120_000;
/// The longest virtual delay (latency, a late browser), in milliseconds.
pub const MAX_VIRTUAL_DELAY_MS: u64 = 86_400_000;

/// The parameters each fault accepts, by name.
pub fn parameters(name: &str) -> &'static [&'static str] {
    match name {
        "rate_limit" => &["retry_after", "status", "on"],
        "secondary_rate_limit" => &["retry_after"],
        "server_error" => &["status", "on"],
        "latency" => &["ms", "real", "on"],
        "malformed_body" => &["on"],
        "insufficient_scope" => &["needed"],
        "revoke_tokens" | "revoke_refresh_tokens" | "expire_tokens" => &["user"],
        "redirect_mismatch" => &["callback"],
        "invalid_scope" => &["scope"],
        "code_expired" => &["delay_ms"],
        _ => &[],
    }
}

/// `on=` accepts `api` and `token` only, and only on faults that have an
/// equivalent at the token endpoint.
fn check_target(fault: &'static str, value: &Value) -> Result<(), FaultError> {
    match value.as_str() {
        Some("api" | "token") => Ok(()),
        _ => Err(FaultError::UnsupportedTarget {
            fault,
            target: match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            },
        }),
    }
}

/// What a parameter's value must be, in words, for a value of the wrong
/// kind; `None` for text parameters, which take any word.
fn expected_value(parameter: &str) -> Option<&'static str> {
    match parameter {
        "retry_after" => Some("a whole number of seconds"),
        "status" => Some("an HTTP status code (a whole number, e.g. 503)"),
        "ms" | "delay_ms" => Some("a whole number of milliseconds"),
        "real" => Some("true or false"),
        _ => None,
    }
}

/// The parameters a fault cannot do without.
fn required(name: &str) -> &'static [&'static str] {
    match name {
        "latency" => &["ms"],
        "invalid_scope" => &["scope"],
        _ => &[],
    }
}

/// `value` with each parameter checked against the kind of value it takes:
/// a number or a flag where text is expected is read as that text
/// (`user=123`), anything else of the wrong kind is an error naming the
/// parameter, the value and what is expected, as is a missing parameter the
/// fault needs.
fn checked_values(name: &'static str, value: &Value) -> Result<Value, FaultError> {
    let Value::Object(m) = value else {
        return Ok(value.clone());
    };
    let mut out = m.clone();
    for (key, v) in m {
        if matches!(key.as_str(), "fault" | "provider" | "times" | "on") || v.is_null() {
            continue;
        }
        let shown = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match expected_value(key) {
            Some(expected) => {
                let fits = if key == "real" {
                    v.is_boolean()
                } else {
                    v.is_u64()
                };
                if !fits {
                    return Err(FaultError::BadParameter {
                        fault: name,
                        message: format!("{key}={shown}: expected {expected}"),
                    });
                }
            }
            None => {
                if !v.is_string() {
                    out.insert(key.clone(), Value::String(shown));
                }
            }
        }
    }
    for key in required(name) {
        if m.get(*key).is_none_or(Value::is_null) {
            let what = expected_value(key).unwrap_or("a word");
            return Err(FaultError::BadParameter {
                fault: name,
                message: format!(
                    "{key} is missing: give {key}=<{what}>, e.g. `{example}`",
                    example = match *key {
                        "ms" => "latency ms=2000",
                        _ => "invalid_scope scope=repo",
                    }
                ),
            });
        }
    }
    Ok(Value::Object(out))
}

/// A fault request as the `serve` control API receives it:
/// `{"provider": "github", "fault": "rate_limit", "times": 2, "retry_after": 2}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRequest {
    /// Provider slug.
    pub provider: String,
    /// The fault and its parameters.
    #[serde(flatten)]
    pub fault: Fault,
    /// How many calls it hits; absent = until cleared.
    #[serde(default)]
    pub times: Option<u64>,
}

/// A fault could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    /// The name is not a fault.
    #[error("unknown fault `{0}`: expected one of {names}", names = NAMES.join(", "))]
    Unknown(String),
    /// The text or JSON form does not describe a fault.
    #[error("cannot read fault {input:?}: {message}")]
    Parse {
        /// What was given.
        input: String,
        /// What was wrong.
        message: String,
    },
    /// The provider has no such behaviour.
    #[error("{provider} cannot {fault}: {why}")]
    Unsupported {
        /// Fault name.
        fault: &'static str,
        /// Provider.
        provider: ProviderKind,
        /// Why, and what to use instead.
        why: String,
    },
    /// A parameter is out of range.
    #[error("fault {fault}: {message}")]
    BadParameter {
        /// Fault name.
        fault: &'static str,
        /// What was wrong and what is expected.
        message: String,
    },
    /// A parameter the fault does not have.
    #[error(
        "fault {fault} has no parameter `{parameter}`{hint}: it accepts {}",
        accepted(fault)
    )]
    UnknownParameter {
        /// Fault name.
        fault: &'static str,
        /// The parameter given.
        parameter: String,
        /// ` (did you mean `x`?)` or nothing.
        hint: String,
    },
    /// `on=` named something other than `api` or `token`.
    #[error(
        "fault {fault} cannot target `{target}`: on= accepts api (the provider's API, the default) or token (the token endpoint: code exchange and WorkOS's refresh)"
    )]
    UnsupportedTarget {
        /// Fault name.
        fault: &'static str,
        /// What was given.
        target: String,
    },
    /// `times` was given for a fault that changes state once.
    #[error("fault {0} changes the provider's state once; `times` does not apply (leave it out)")]
    TimesNotApplicable(&'static str),
    /// A fault that changes the provider's state once cannot be scoped.
    #[error(
        "fault {0} changes the provider's state once and cannot be undone when a guard drops; apply it without a guard"
    )]
    NotScopable(&'static str),
    /// The request named a provider the harness does not know.
    #[error("{0}")]
    UnknownProvider(String),
}

fn accepted(fault: &str) -> String {
    match parameters(fault) {
        [] => "no parameters".to_string(),
        ps => ps.join(", "),
    }
}

impl Fault {
    /// The stable name (`rate_limit`).
    pub fn name(&self) -> &'static str {
        match self {
            Fault::RateLimit { .. } => "rate_limit",
            Fault::SecondaryRateLimit { .. } => "secondary_rate_limit",
            Fault::ServerError { .. } => "server_error",
            Fault::Latency { .. } => "latency",
            Fault::MalformedBody { .. } => "malformed_body",
            Fault::InsufficientScope { .. } => "insufficient_scope",
            Fault::InvalidGrantOnRefresh => "invalid_grant_on_refresh",
            Fault::RevokeTokens { .. } => "revoke_tokens",
            Fault::RevokeRefreshTokens { .. } => "revoke_refresh_tokens",
            Fault::ExpireTokens { .. } => "expire_tokens",
            Fault::DenyConsent => "deny_consent",
            Fault::RedirectMismatch { .. } => "redirect_mismatch",
            Fault::RedirectMismatchPage => "redirect_mismatch_page",
            Fault::InvalidScope { .. } => "invalid_scope",
            Fault::CodeReused => "code_reused",
            Fault::CodeExpired { .. } => "code_expired",
            Fault::InvalidClient => "invalid_client",
        }
    }

    /// Reads the JSON form (`{"fault": "rate_limit", ...}`). Unknown
    /// parameters, unsupported `on` targets and values out of range are
    /// errors that list what is accepted; `provider` and `times` are left
    /// to the caller.
    pub fn from_json(value: &Value) -> Result<Fault, FaultError> {
        let name = value.get("fault").and_then(Value::as_str).unwrap_or("");
        let Some(name) = NAMES.iter().copied().find(|n| *n == name) else {
            return Err(match value.get("fault") {
                Some(Value::String(n)) => FaultError::Unknown(n.clone()),
                _ => FaultError::Parse {
                    input: value.to_string(),
                    message: "expected an object with a string field \"fault\"".into(),
                },
            });
        };
        if let Value::Object(m) = value {
            let accepted = parameters(name);
            for (key, v) in m {
                if matches!(key.as_str(), "fault" | "provider" | "times") {
                    continue;
                }
                if !accepted.contains(&key.as_str()) {
                    return Err(FaultError::UnknownParameter {
                        fault: name,
                        parameter: key.clone(),
                        hint: crate::common::suggest::did_you_mean(key, accepted.iter().copied()),
                    });
                }
                if key == "on" {
                    check_target(name, v)?;
                }
            }
        }
        let value = &checked_values(name, value)?;
        let fault: Fault =
            serde_json::from_value(value.clone()).map_err(|e| FaultError::Parse {
                input: value.to_string(),
                message: e.to_string(),
            })?;
        fault.check_ranges()?;
        Ok(fault)
    }

    /// Values the harness refuses whatever the provider: a `Retry-After`
    /// beyond a day, a real delay that would outlast any client timeout.
    fn check_ranges(&self) -> Result<(), FaultError> {
        let bad = |message: String| {
            Err(FaultError::BadParameter {
                fault: self.name(),
                message,
            })
        };
        match self {
            Fault::RateLimit {
                retry_after: Some(s),
                ..
            }
            | Fault::SecondaryRateLimit {
                retry_after: Some(s),
            } if *s > MAX_RETRY_AFTER_SECS => bad(format!(
                "retry_after={s} is more than the limit of {MAX_RETRY_AFTER_SECS} seconds (one day); providers ask for seconds or minutes"
            )),
            Fault::Latency { ms, real: true, .. } if *ms > MAX_REAL_LATENCY_MS => bad(format!(
                "ms={ms} with real=true is more than the limit of {MAX_REAL_LATENCY_MS} ms (two minutes) of real waiting; leave real out to wait on the virtual clock"
            )),
            Fault::Latency {
                ms, real: false, ..
            } if *ms > MAX_VIRTUAL_DELAY_MS => bad(format!(
                "ms={ms} is more than the limit of {MAX_VIRTUAL_DELAY_MS} ms (one day)"
            )),
            Fault::CodeExpired { delay_ms: Some(d) } if *d > MAX_VIRTUAL_DELAY_MS => bad(format!(
                "delay_ms={d} is more than the limit of {MAX_VIRTUAL_DELAY_MS} ms (one day); a code is dead after ten or fifteen minutes"
            )),
            _ => Ok(()),
        }
    }

    /// Checks the fault can be applied to `kind` (without applying it): what
    /// a feature file is checked with before anything runs.
    pub fn check_for(&self, kind: ProviderKind) -> Result<(), FaultError> {
        self.check_ranges()?;
        self.check(kind)
    }

    /// Checks the fault can be applied to `kind` for `times` calls (without
    /// applying it): everything [`Fault::apply`] would refuse.
    pub fn check_request(&self, kind: ProviderKind, times: Option<u64>) -> Result<(), FaultError> {
        if times.is_some() && !self.counts_calls() {
            return Err(FaultError::TimesNotApplicable(self.name()));
        }
        self.check_for(kind)
    }

    /// The names of the faults whose effect lasts a number of calls.
    pub fn counting_names() -> Vec<&'static str> {
        let stateful = [
            "revoke_tokens",
            "revoke_refresh_tokens",
            "expire_tokens",
            "redirect_mismatch",
            "redirect_mismatch_page",
            "invalid_scope",
            "invalid_client",
        ];
        NAMES
            .iter()
            .copied()
            .filter(|n| !stateful.contains(n))
            .collect()
    }

    /// Whether `times` counts calls (wire faults and consent/code faults)
    /// rather than being meaningless (one-off state changes).
    pub fn counts_calls(&self) -> bool {
        !matches!(
            self,
            Fault::RevokeTokens { .. }
                | Fault::RevokeRefreshTokens { .. }
                | Fault::ExpireTokens { .. }
                | Fault::RedirectMismatch { .. }
                | Fault::RedirectMismatchPage
                | Fault::InvalidScope { .. }
                | Fault::InvalidClient
        )
    }

    /// Applies the fault to `provider`, for the next `times` calls (or
    /// until cleared when `None`), and notes it in the transcript.
    pub async fn apply(
        &self,
        provider: &ProviderMock,
        times: Option<u64>,
    ) -> Result<(), FaultError> {
        let kind = provider.kind;
        if times.is_some() && !self.counts_calls() {
            return Err(FaultError::TimesNotApplicable(self.name()));
        }
        self.check(kind)?;
        let shared = provider.shared();
        // Consent and code faults count authorize flows, the others calls.
        let unit = match self {
            Fault::DenyConsent | Fault::CodeReused | Fault::CodeExpired { .. } => "authorization",
            _ => "call",
        };
        let how_long = match times {
            None => "until cleared".to_string(),
            Some(1) => format!("for the next {unit}"),
            Some(n) => format!("for the next {n} {unit}s"),
        };
        let note = match self {
            Fault::RevokeTokens { .. }
            | Fault::RevokeRefreshTokens { .. }
            | Fault::ExpireTokens { .. }
            | Fault::RedirectMismatch { .. }
            | Fault::RedirectMismatchPage
            | Fault::InvalidScope { .. }
            | Fault::InvalidClient => self.change_state(shared),
            Fault::DenyConsent => {
                shared.engine().deny_consent = Countdown::times(times);
                format!("the user denies consent on the authorize page {how_long}")
            }
            Fault::CodeReused => {
                shared.engine().reuse_codes = Countdown::times(times);
                format!("authorization codes are already redeemed when exchanged, {how_long}")
            }
            Fault::CodeExpired { delay_ms } => {
                let ttl = crate::providers::engine::oauth::code_ttl_ms(kind);
                let delay = delay_ms
                    .map(|d| i64::try_from(d).unwrap_or(i64::MAX))
                    .unwrap_or(ttl + 60_000);
                let mut engine = shared.engine();
                engine.slow_consent = Countdown::times(times);
                engine.return_delay_ms = delay;
                format!(
                    "the browser takes {} to bring the code back (codes live {}), {how_long}",
                    crate::common::duration::spoken(Duration::from_millis(
                        u64::try_from(delay).unwrap_or(0)
                    )),
                    crate::common::duration::spoken(Duration::from_millis(
                        u64::try_from(ttl).unwrap_or(0)
                    ))
                )
            }
            _ => {
                self.mount(provider, times).await;
                format!("{} {how_long}", self.describe_wire())
            }
        };
        shared
            .recorder
            .note(kind.slug(), format!("fault {}: {note}", self.name()));
        Ok(())
    }

    /// Refuses combinations the provider has no equivalent of.
    fn check(&self, kind: ProviderKind) -> Result<(), FaultError> {
        let unsupported = |why: &str| {
            Err(FaultError::Unsupported {
                fault: self.name(),
                provider: kind,
                why: why.to_string(),
            })
        };
        let answers = &crate::providers::spec(kind).faults;
        // The providers that have what `has` asks for, named for a message.
        let those_with = |has: fn(&FaultAnswers) -> bool| {
            let names: Vec<&str> = ProviderKind::ALL
                .into_iter()
                .filter(|k| has(&crate::providers::spec(*k).faults))
                .map(ProviderKind::display_name)
                .collect();
            names.join(" and ")
        };
        match self {
            Fault::SecondaryRateLimit { .. } if answers.secondary_rate_limit.is_none() => {
                unsupported(&format!(
                    "only {} has secondary rate limits; use rate_limit",
                    those_with(|a| a.secondary_rate_limit.is_some())
                ))
            }
            Fault::RateLimit {
                retry_after: Some(_),
                ..
            } if answers.no_retry_after.is_some() => {
                unsupported(answers.no_retry_after.unwrap_or_default())
            }
            Fault::RateLimit {
                status: Some(s), ..
            } if !answers.rate_limit_statuses.contains(s) => Err(FaultError::BadParameter {
                fault: self.name(),
                message: match answers.rate_limit_statuses {
                    [] => format!(
                        "status {s}: only {} lets you choose, between 403 and 429; {kind} answers a rate limit its own way, leave status out",
                        those_with(|a| !a.rate_limit_statuses.is_empty())
                    ),
                    [first, rest @ ..] => format!(
                        "status {s}: expected {first} (the default){}",
                        rest.iter().map(|r| format!(" or {r}")).collect::<String>()
                    ),
                },
            }),
            Fault::ServerError {
                status: Some(s), ..
            } if !(500..=599).contains(s) => Err(FaultError::BadParameter {
                fault: self.name(),
                message: format!("status {s} is not a server error: expected 500 to 599"),
            }),
            Fault::RedirectMismatchPage if !answers.mismatch_can_redirect => unsupported(&format!(
                "only {} can redirect on a mismatch; the others always show their error page (use redirect_mismatch)",
                those_with(|a| a.mismatch_can_redirect)
            )),
            Fault::InvalidScope { scope } if scope.trim().is_empty() => {
                Err(FaultError::BadParameter {
                    fault: self.name(),
                    message: "scope must name the refused scope".into(),
                })
            }
            _ => Ok(()),
        }
    }

    fn change_state(&self, shared: &Shared) -> String {
        let now = shared.clock.now_ms();
        let who = |user: &Option<String>| {
            user.clone()
                .map(|u| format!("{u}'s"))
                .unwrap_or_else(|| "every user's".to_string())
        };
        let mut engine = shared.engine();
        match self {
            Fault::RevokeTokens { user } => {
                let n = match user {
                    Some(u) => engine.revoke_all(u),
                    None => engine.revoke_everyone(),
                };
                format!("revoked {n} of {} tokens", who(user))
            }
            Fault::RevokeRefreshTokens { user } => {
                let n = engine.revoke_refresh_tokens(user.as_deref());
                format!("revoked {n} of {} refresh tokens", who(user))
            }
            Fault::ExpireTokens { user } => {
                let n = engine.expire_tokens(user.as_deref(), now);
                format!("{n} of {} access tokens expired", who(user))
            }
            Fault::RedirectMismatch { callback } => {
                let to = callback
                    .clone()
                    .unwrap_or_else(|| "https://example.com/oauth/callback".to_string());
                for app in engine.apps.values_mut() {
                    app.redirect_uris = vec![to.clone()];
                }
                format!("every OAuth app now has only {to} registered as its callback")
            }
            Fault::RedirectMismatchPage => {
                engine.mismatch_page = true;
                "an unregistered redirect_uri shows the warning page instead of redirecting".into()
            }
            Fault::InvalidScope { scope } => {
                engine.forbidden_scopes.push(scope.clone());
                format!("apps may no longer request the scope {scope}")
            }
            Fault::InvalidClient => {
                let fresh: Vec<(String, String)> = engine
                    .apps
                    .keys()
                    .map(|id| (id.clone(), shared.ids.secret("rotated_secret_", 32)))
                    .collect();
                for (id, secret) in &fresh {
                    shared.recorder.secret("client_secret", secret);
                    if let Some(app) = engine.apps.get_mut(id) {
                        app.client_secret = secret.clone();
                    }
                }
                format!(
                    "the client secret of {} app(s) was regenerated; the old one is refused",
                    fresh.len()
                )
            }
            _ => String::new(),
        }
    }

    fn describe_wire(&self) -> String {
        match self {
            Fault::RateLimit {
                retry_after, on, ..
            } => match retry_after {
                Some(s) => format!("{} are rate limited (retry after {s} s)", on.words()),
                None => format!("{} are rate limited", on.words()),
            },
            Fault::SecondaryRateLimit { retry_after } => match retry_after {
                Some(s) => format!("API calls hit the secondary rate limit (retry-after {s})"),
                None => "API calls hit the secondary rate limit (no retry-after)".into(),
            },
            Fault::ServerError { status, on } => {
                format!("{} answer HTTP {}", on.words(), status.unwrap_or(503))
            }
            Fault::Latency { ms, real, on } => format!(
                "{} answer {} late ({})",
                on.words(),
                crate::common::duration::spoken(Duration::from_millis(*ms)),
                if *real { "real time" } else { "virtual time" }
            ),
            Fault::MalformedBody { on } => {
                format!("{} answer HTTP 200 with a truncated body", on.words())
            }
            Fault::InsufficientScope { .. } => "API calls are refused for a missing scope".into(),
            Fault::InvalidGrantOnRefresh => "refresh grants are refused".into(),
            _ => String::new(),
        }
    }

    async fn mount(&self, provider: &ProviderMock, times: Option<u64>) {
        self.wire_mock(provider, times, None)
            .mount(&provider.server)
            .await;
    }

    /// The wiremock mock that answers with this (wire) fault; with `active`,
    /// only while that flag is up.
    fn wire_mock(
        &self,
        provider: &ProviderMock,
        times: Option<u64>,
        active: Option<Arc<AtomicBool>>,
    ) -> Mock {
        let shared = provider.shared();
        let target = match self {
            Fault::ServerError { on, .. }
            | Fault::RateLimit { on, .. }
            | Fault::Latency { on, .. }
            | Fault::MalformedBody { on } => *on,
            Fault::InvalidGrantOnRefresh => Target::Token,
            _ => Target::Api,
        };
        let mut mock = Mock::given(ClassMatcher::new(shared, &[target.class()]));
        if matches!(self, Fault::InvalidGrantOnRefresh) {
            mock = mock.and(GrantTypeIs("refresh_token"));
        }
        if let Some(flag) = active {
            mock = mock.and(While(flag));
        }
        let mut mock = mock
            .respond_with(FaultResponder {
                shared: Arc::clone(shared),
                fault: self.clone(),
                target,
            })
            .with_priority(FAULT_PRIORITY)
            .named(format!("fault {}", self.name()));
        if let Some(n) = times {
            mock = mock.up_to_n_times(n);
        }
        mock
    }

    /// Applies the fault until the returned [`ScopedFault`] drops. Faults
    /// that change the provider's state once (revocations, a changed
    /// callback URL) cannot be undone and are refused.
    pub async fn apply_scoped(&self, provider: &ProviderMock) -> Result<ScopedFault, FaultError> {
        if !self.counts_calls() {
            return Err(FaultError::NotScopable(self.name()));
        }
        self.check(provider.kind)?;
        let undo = match self {
            Fault::DenyConsent => Undo::Switch(Arc::clone(provider.shared()), Switch::DenyConsent),
            Fault::CodeReused => Undo::Switch(Arc::clone(provider.shared()), Switch::ReuseCodes),
            Fault::CodeExpired { .. } => {
                Undo::Switch(Arc::clone(provider.shared()), Switch::SlowConsent)
            }
            _ => {
                // Not wiremock's `mount_as_scoped`: wiremock sorts its mocks
                // by priority in place, so a guard's index can point at
                // another mock by the time it drops. A flag the fault's
                // matcher reads is undone by a plain store.
                let flag = Arc::new(AtomicBool::new(true));
                self.wire_mock(provider, None, Some(Arc::clone(&flag)))
                    .mount(&provider.server)
                    .await;
                provider.shared().recorder.note(
                    provider.kind.slug(),
                    format!(
                        "fault {}: {} while the test holds it",
                        self.name(),
                        self.describe_wire()
                    ),
                );
                return Ok(ScopedFault {
                    _undo: Undo::Flag(flag),
                });
            }
        };
        self.apply(provider, None).await?;
        Ok(ScopedFault { _undo: undo })
    }
}

/// A fault applied until this value drops (see [`Fault::apply_scoped`]).
#[derive(Debug)]
pub struct ScopedFault {
    _undo: Undo,
}

/// How a scoped fault is undone.
enum Undo {
    /// The fault's mock matches while this flag is up.
    Flag(Arc<AtomicBool>),
    /// An engine switch turned off on drop.
    Switch(Arc<Shared>, Switch),
}

impl fmt::Debug for Undo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undo::Flag(_) => f.write_str("Undo::Flag"),
            Undo::Switch(shared, switch) => {
                write!(f, "Undo::Switch({:?}, {switch:?})", shared.kind)
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Switch {
    DenyConsent,
    ReuseCodes,
    SlowConsent,
}

impl Drop for Undo {
    fn drop(&mut self) {
        match self {
            Undo::Flag(flag) => flag.store(false, Ordering::SeqCst),
            Undo::Switch(shared, switch) => {
                let mut engine = shared.engine();
                match switch {
                    Switch::DenyConsent => engine.deny_consent = Countdown::Off,
                    Switch::ReuseCodes => engine.reuse_codes = Countdown::Off,
                    Switch::SlowConsent => engine.slow_consent = Countdown::Off,
                }
            }
        }
    }
}

/// Matches while its flag is up (a scoped fault).
struct While(Arc<AtomicBool>);

impl Match for While {
    fn matches(&self, _: &Request) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl fmt::Display for Fault {
    /// The text form: the name, then `key=value` parameters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        if let Ok(Value::Object(m)) = serde_json::to_value(self) {
            for (k, v) in m.iter().filter(|(k, v)| *k != "fault" && !v.is_null()) {
                match v {
                    Value::String(s) => write!(f, " {k}={s}")?,
                    other => write!(f, " {k}={other}")?,
                }
            }
        }
        Ok(())
    }
}

impl FromStr for Fault {
    type Err = FaultError;

    /// `rate_limit`, `rate_limit retry_after=2`, `server_error status=502 on=token`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut words = s.split_whitespace();
        let name = words.next().unwrap_or("");
        let mut m = serde_json::Map::new();
        m.insert("fault".into(), json!(name));
        for w in words {
            let (k, v) = w.split_once('=').ok_or_else(|| FaultError::Parse {
                input: s.to_string(),
                message: format!("{w:?} is not key=value"),
            })?;
            let value = match v.parse::<u64>() {
                Ok(n) => json!(n),
                Err(_) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
                    return Err(FaultError::Parse {
                        input: s.to_string(),
                        message: format!("{k}={v} is too large a number"),
                    });
                }
                Err(_) if v == "true" || v == "false" => json!(v == "true"),
                Err(_) => json!(v),
            };
            m.insert(k.to_string(), value);
        }
        Fault::from_json(&Value::Object(m))
    }
}

/// Matches token requests whose `grant_type` is the given one.
struct GrantTypeIs(&'static str);

impl Match for GrantTypeIs {
    fn matches(&self, request: &Request) -> bool {
        wire::form(request).get("grant_type").map(String::as_str) == Some(self.0)
    }
}

/// Answers for a wire fault, in the provider's format.
struct FaultResponder {
    shared: Arc<Shared>,
    fault: Fault,
    target: Target,
}

impl Respond for FaultResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let shared = &*self.shared;
        match &self.fault {
            Fault::RateLimit {
                retry_after,
                status,
                ..
            } => (answers(shared).rate_limited)(shared, request, *retry_after, *status),
            Fault::SecondaryRateLimit { retry_after } => {
                match answers(shared).secondary_rate_limit {
                    Some(answer) => answer(shared, request, *retry_after),
                    None => shared.dispatch(request),
                }
            }
            Fault::ServerError { status, .. } => {
                (answers(shared).server_error)(status.unwrap_or(503))
            }
            Fault::Latency { ms, real, .. } => {
                let delay = Duration::from_millis(*ms);
                if *real {
                    shared.dispatch(request).set_delay(delay)
                } else {
                    shared.clock.advance(delay);
                    shared.recorder.note(
                        shared.kind.slug(),
                        format!(
                            "answered {} {} after {} (virtual time)",
                            request.method,
                            request.url.path(),
                            crate::common::duration::human(delay)
                        ),
                    );
                    shared.dispatch(request)
                }
            }
            Fault::MalformedBody { .. } => malformed(shared, self.target),
            Fault::InsufficientScope { needed } => {
                let granted = shared
                    .token_of(request)
                    .map(|t| t.scopes)
                    .unwrap_or_default();
                (answers(shared).insufficient_scope)(shared, request, needed.as_deref(), &granted)
            }
            Fault::InvalidGrantOnRefresh => (answers(shared).refresh_refused)(request),
            // State faults never mount a responder.
            _ => shared.dispatch(request),
        }
    }
}

/// The fault answers of the provider `shared` impersonates.
fn answers(shared: &Shared) -> &'static FaultAnswers {
    &crate::providers::spec(shared.kind).faults
}

/// A cut-off answer: a token answer anywhere, or the provider's own API body.
fn malformed(shared: &Shared, target: Target) -> ResponseTemplate {
    let (body, content_type) = match target {
        Target::Token => ("{\"access_token\":\"", "application/json; charset=utf-8"),
        _ => answers(shared).malformed_api_body,
    };
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), content_type)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::providers::engine::testing;

    #[test]
    fn every_name_parses_from_text_with_its_required_parameters() {
        for name in NAMES {
            let text = match *name {
                "latency" => "latency ms=250".to_string(),
                "invalid_scope" => "invalid_scope scope=repo".to_string(),
                other => other.to_string(),
            };
            let fault: Fault = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(fault.name(), *name);
        }
    }

    #[test]
    fn the_control_api_json_reads_as_a_fault_request() {
        let json =
            json!({"provider": "github", "fault": "rate_limit", "times": 2, "retry_after": 2});
        let req: FaultRequest = serde_json::from_value(json.clone()).expect("a fault request");
        assert_eq!(req.provider, "github");
        assert_eq!(req.times, Some(2));
        assert_eq!(
            req.fault,
            Fault::RateLimit {
                retry_after: Some(2),
                status: None,
                on: Target::Api,
            }
        );
        assert_eq!(Fault::from_json(&json), Ok(req.fault.clone()));
        let unit = json!({"provider": "slack", "fault": "deny_consent", "times": 1});
        let req: FaultRequest = serde_json::from_value(unit).expect("a unit fault with extra keys");
        assert_eq!(req.fault, Fault::DenyConsent);
    }

    #[test]
    fn faults_round_trip_through_their_text_form() {
        let f = Fault::ServerError {
            status: Some(502),
            on: Target::Token,
        };
        assert_eq!(f.to_string(), "server_error status=502 on=token");
        assert_eq!(f.to_string().parse::<Fault>(), Ok(f));
    }

    #[test]
    fn an_unknown_name_lists_the_known_ones() {
        let e = "meteor_strike".parse::<Fault>().unwrap_err();
        assert!(
            e.to_string().contains("rate_limit, secondary_rate_limit"),
            "{e}"
        );
        let e = "latency ms".parse::<Fault>().unwrap_err();
        assert!(e.to_string().contains("not key=value"), "{e}");
        let e = "latency".parse::<Fault>().unwrap_err();
        assert!(e.to_string().contains("ms"), "{e}");
    }

    pub(crate) async fn call(mock: &ProviderMock, path: &str, token: &str) -> reqwest::Response {
        testing::get(mock, path, token).await
    }

    #[tokio::test]
    async fn a_rate_limit_for_two_calls_then_recovers() {
        let mock = testing::start(ProviderKind::Slack, false).await;
        let (token, _) = testing::tokens(&mock, "channels:read").await;
        Fault::RateLimit {
            retry_after: Some(2),
            status: None,
            on: Target::Api,
        }
        .apply(&mock, Some(2))
        .await
        .expect("applies");
        for _ in 0..2 {
            let resp = call(&mock, "/api/auth.test", &token).await;
            assert_eq!(resp.status(), 429);
            assert_eq!(testing::header(&resp, "retry-after").as_deref(), Some("2"));
            assert_eq!(
                testing::json(resp).await,
                json!({"ok": false, "error": "ratelimited"})
            );
        }
        assert_eq!(call(&mock, "/api/auth.test", &token).await.status(), 200);
    }

    #[tokio::test]
    async fn wire_faults_compose_in_the_order_they_were_applied() {
        let mock = testing::start(ProviderKind::Google, true).await;
        let (token, _) = testing::tokens(&mock, "openid").await;
        Fault::RateLimit {
            retry_after: Some(1),
            status: None,
            on: Target::Api,
        }
        .apply(&mock, Some(1))
        .await
        .expect("applies");
        Fault::ServerError {
            status: Some(502),
            on: Target::Api,
        }
        .apply(&mock, Some(1))
        .await
        .expect("applies");
        let statuses: Vec<u16> = {
            let mut v = Vec::new();
            for _ in 0..3 {
                v.push(call(&mock, "/v1/userinfo", &token).await.status().as_u16());
            }
            v
        };
        assert_eq!(statuses, vec![429, 502, 200]);
    }

    #[tokio::test]
    async fn api_faults_leave_the_oauth_endpoints_alone() {
        let mock = testing::start(ProviderKind::Github, false).await;
        Fault::ServerError {
            status: None,
            on: Target::Api,
        }
        .apply(&mock, None)
        .await
        .expect("applies");
        let (token, _) = testing::tokens(&mock, "repo").await;
        assert_eq!(call(&mock, "/user", &token).await.status(), 503);
    }

    #[tokio::test]
    async fn virtual_latency_moves_the_clock_and_still_gives_the_real_answer() {
        let mock = testing::start(ProviderKind::Github, false).await;
        let (token, _) = testing::tokens(&mock, "repo").await;
        let before = mock.shared().clock.now_ms();
        Fault::Latency {
            ms: 30_000,
            real: false,
            on: Target::Api,
        }
        .apply(&mock, Some(1))
        .await
        .expect("applies");
        // The virtual clock moved by the latency; the answer itself carries
        // no real delay (the real-time branch is the only one that sets one),
        // so nothing here reads the wall clock.
        let resp = call(&mock, "/user", &token).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(testing::json(resp).await["login"], "alice");
        assert_eq!(mock.shared().clock.now_ms() - before, 30_000);
    }

    #[tokio::test]
    async fn a_refused_refresh_speaks_the_providers_refresh_error() {
        let mock = testing::start(ProviderKind::Google, true).await;
        let (_, rt) = testing::tokens(&mock, "openid").await;
        Fault::InvalidGrantOnRefresh
            .apply(&mock, Some(1))
            .await
            .expect("applies");
        let rt = rt.expect("offline");
        let refused = testing::refresh(&mock, &rt).await;
        assert_eq!(refused.status(), 400);
        assert_eq!(testing::json(refused).await["error"], "invalid_grant");
        assert_eq!(testing::refresh(&mock, &rt).await.status(), 200);
    }

    #[tokio::test]
    async fn state_faults_refuse_times_and_unsupported_ones_say_why() {
        let mock = testing::start(ProviderKind::Salesforce, true).await;
        assert_eq!(
            Fault::RevokeTokens { user: None }
                .apply(&mock, Some(2))
                .await,
            Err(FaultError::TimesNotApplicable("revoke_tokens"))
        );
        let e = Fault::SecondaryRateLimit { retry_after: None }
            .apply(&mock, None)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("only GitHub"), "{e}");
        let e = Fault::RateLimit {
            retry_after: Some(3),
            status: None,
            on: Target::Api,
        }
        .apply(&mock, None)
        .await
        .unwrap_err();
        assert!(e.to_string().contains("no retry time"), "{e}");
    }

    #[test]
    fn a_misspelt_parameter_or_target_is_an_error_naming_the_accepted_ones() {
        let e = "rate_limit retry_afer=5".parse::<Fault>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "fault rate_limit has no parameter `retry_afer` (did you mean `retry_after`?): it accepts retry_after, status, on"
        );
        let e = "deny_consent times=2 user=alice"
            .parse::<Fault>()
            .unwrap_err();
        assert!(e.to_string().contains("it accepts no parameters"), "{e}");
        let e = "server_error on=tokens".parse::<Fault>().unwrap_err();
        assert!(e.to_string().contains("cannot target `tokens`"), "{e}");
        let e = "rate_limit retry_after=abc".parse::<Fault>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "fault rate_limit: retry_after=abc: expected a whole number of seconds"
        );
        let e = Fault::from_json(&json!({"fault": "latency", "ms": 1.5})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "fault latency: ms=1.5: expected a whole number of milliseconds"
        );
        let e = "latency ms=20 real=yes".parse::<Fault>().unwrap_err();
        assert!(
            e.to_string().ends_with("real=yes: expected true or false"),
            "{e}"
        );
        let e = "latency".parse::<Fault>().unwrap_err();
        assert!(e.to_string().contains("ms is missing"), "{e}");
        assert!(!e.to_string().contains("field"), "{e}");
        assert_eq!(
            "revoke_tokens user=123".parse::<Fault>(),
            Ok(Fault::RevokeTokens {
                user: Some("123".into())
            })
        );
        let e = "rate_limit retry_after=18446744073709551616"
            .parse::<Fault>()
            .unwrap_err();
        assert!(e.to_string().contains("too large"), "{e}");
        let e = "rate_limit retry_after=18446744073709551615"
            .parse::<Fault>()
            .unwrap_err();
        assert!(e.to_string().contains("limit of 86400 seconds"), "{e}");
    }

    #[tokio::test]
    async fn a_rate_limit_on_the_token_endpoint_leaves_api_calls_alone() {
        let mock = testing::start(ProviderKind::Google, true).await;
        let (token, rt) = testing::tokens(&mock, "openid").await;
        let fault: Fault = "rate_limit on=token".parse().expect("parses");
        fault.apply(&mock, Some(1)).await.expect("applies");
        assert_eq!(call(&mock, "/v1/userinfo", &token).await.status(), 200);
        let rt = rt.expect("offline");
        assert_eq!(testing::refresh(&mock, &rt).await.status(), 403);
        assert_eq!(testing::refresh(&mock, &rt).await.status(), 200);
    }

    #[tokio::test]
    async fn clearing_faults_allows_a_forbidden_scope_again() {
        let mock = testing::start(ProviderKind::Github, false).await;
        Fault::InvalidScope {
            scope: "repo".into(),
        }
        .apply(&mock, None)
        .await
        .expect("applies");
        let client_id = mock.engine().apps.keys().next().cloned().expect("an app");
        let wanted = vec!["repo".to_string()];
        assert_eq!(mock.engine().refused_scopes(&client_id, &wanted), wanted);
        mock.clear_faults().await;
        assert!(mock.engine().refused_scopes(&client_id, &wanted).is_empty());
    }

    #[tokio::test]
    async fn clearing_faults_restores_the_defaults() {
        let mock = testing::start(ProviderKind::Slack, false).await;
        let (token, _) = testing::tokens(&mock, "chat:write").await;
        Fault::ServerError {
            status: Some(500),
            on: Target::Api,
        }
        .apply(&mock, None)
        .await
        .expect("applies");
        Fault::DenyConsent
            .apply(&mock, None)
            .await
            .expect("applies");
        assert_eq!(call(&mock, "/api/auth.test", &token).await.status(), 500);
        mock.clear_faults().await;
        assert_eq!(call(&mock, "/api/auth.test", &token).await.status(), 200);
        assert_eq!(mock.engine().deny_consent, Countdown::Off);
    }
}
