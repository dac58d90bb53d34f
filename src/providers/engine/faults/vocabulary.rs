//! The fault vocabulary: the [`Fault`] enum and its [`Target`], the names
//! and parameters each fault takes, reading a fault from its text and JSON
//! forms, checking its parameters (for any provider, and for one), and the
//! errors naming what was wrong.
//!
//! Separate from `apply` because this part knows nothing of wiremock: the
//! feature-file checker, the control API and the steps read and check
//! faults with it before any mock exists.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::provider::ProviderKind;
use crate::providers::FaultAnswers;

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

    /// Refuses combinations the provider has no equivalent of.
    pub(super) fn check(&self, kind: ProviderKind) -> Result<(), FaultError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_control_api_json_reads_as_a_fault() {
        let json =
            json!({"provider": "github", "fault": "rate_limit", "times": 2, "retry_after": 2});
        assert_eq!(
            Fault::from_json(&json),
            Ok(Fault::RateLimit {
                retry_after: Some(2),
                status: None,
                on: Target::Api,
            })
        );
        let unit = json!({"provider": "slack", "fault": "deny_consent", "times": 1});
        assert_eq!(Fault::from_json(&unit), Ok(Fault::DenyConsent));
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
}
