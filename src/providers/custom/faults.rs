//! Provider faults on a custom provider: the ones a generic OAuth 2.0
//! provider can answer faithfully, from the same [`Fault`] vocabulary as
//! the built-in providers (`serve`'s `POST /_harness/providers/{slug}/faults`).
//!
//! - wire faults, for the next `times` requests or until cleared, in the
//!   order they were set: `rate_limit` (429 with `Retry-After` when given,
//!   RFC 6585), `server_error` (the status, 503 unless given, with
//!   `temporarily_unavailable` for a 503 and `server_error` otherwise),
//!   `latency` (the real answer, late: on the virtual clock, or for real
//!   with `real`), `malformed_body` (200 and a cut-off JSON body), each on
//!   the userinfo endpoint (`on: api`, the default: a custom provider's only
//!   API) or the token and refresh endpoints (`on: token`);
//!   `invalid_grant_on_refresh` (refresh grants answered 400 `invalid_grant`);
//! - state faults, made once on the provider's OAuth state: `revoke_tokens`,
//!   `revoke_refresh_tokens`, `expire_tokens`, `redirect_mismatch`,
//!   `invalid_scope`, `invalid_client`; and the next authorizations:
//!   `deny_consent`, `code_reused`.
//!
//! The others name what only some built-in provider has
//! (`secondary_rate_limit`, `redirect_mismatch_page`, a choice of rate-limit
//! status), an API with scopes a custom provider does not have
//! (`insufficient_scope`), or a browser the harness does not drive in
//! `serve` (`code_expired`); they are refused with the list above.

use std::time::Duration;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{CustomProvider, Registry, lock};
use crate::providers::engine::faults::{Fault, Target};
use crate::providers::engine::oauth::Countdown;

/// The faults a custom provider takes, in the order the README lists them.
pub const FAULTS: &[&str] = &[
    "rate_limit",
    "server_error",
    "latency",
    "malformed_body",
    "invalid_grant_on_refresh",
    "revoke_tokens",
    "revoke_refresh_tokens",
    "expire_tokens",
    "deny_consent",
    "redirect_mismatch",
    "invalid_scope",
    "code_reused",
    "invalid_client",
];

/// A wire fault set on a provider: how many more requests it answers
/// (`None`: until cleared).
#[derive(Debug, Clone)]
pub(super) struct Armed {
    fault: Fault,
    remaining: Option<u64>,
}

/// Which requests a wire fault answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hits {
    /// `GET /{slug}/userinfo`.
    Api,
    /// `POST /{slug}/token` and `/refresh`, whatever the grant.
    Token,
    /// A refresh grant, at either endpoint.
    RefreshGrant,
}

impl Armed {
    fn hits(&self) -> Hits {
        match &self.fault {
            Fault::InvalidGrantOnRefresh => Hits::RefreshGrant,
            Fault::RateLimit { on, .. }
            | Fault::ServerError { on, .. }
            | Fault::Latency { on, .. }
            | Fault::MalformedBody { on } => match on {
                Target::Api => Hits::Api,
                Target::Token => Hits::Token,
            },
            _ => Hits::Api,
        }
    }
}

/// Why a fault cannot be set on a custom provider.
fn refused(fault: &Fault, why: &str) -> String {
    format!(
        "a custom provider cannot take the fault {}{why}: it takes {}",
        fault.name(),
        FAULTS.join(", ")
    )
}

/// Checks that `fault` (with `times`) means something for a custom provider.
pub(super) fn check(fault: &Fault, times: Option<u64>) -> Result<(), String> {
    if !FAULTS.contains(&fault.name()) {
        return Err(refused(fault, ""));
    }
    if let Fault::RateLimit {
        status: Some(s), ..
    } = fault
    {
        return Err(format!(
            "fault rate_limit on a custom provider answers 429 (RFC 6585); leave status={s} out"
        ));
    }
    if let Fault::ServerError {
        status: Some(s), ..
    } = fault
        && !(500..=599).contains(s)
    {
        return Err(format!(
            "fault server_error: status {s} is not a server error: expected 500 to 599"
        ));
    }
    if times.is_some() && !fault.counts_calls() {
        return Err(format!(
            "fault {} changes the provider's state once; `times` does not apply (leave it out)",
            fault.name()
        ));
    }
    if times == Some(0) {
        return Err("`times` must be at least 1".to_string());
    }
    Ok(())
}

impl Registry {
    /// Sets `fault` on the provider `p`, for the next `times` requests (or
    /// authorizations) or until cleared, and notes it in the transcript.
    pub(super) fn apply_fault(
        &self,
        p: &CustomProvider,
        fault: &Fault,
        times: Option<u64>,
    ) -> Result<(), String> {
        check(fault, times)?;
        let how_long = match times {
            None => "until cleared".to_string(),
            Some(1) => "for the next one".to_string(),
            Some(n) => format!("for the next {n}"),
        };
        let note = match fault {
            Fault::DenyConsent => {
                p.engine().deny_consent = Countdown::times(times);
                format!("the user denies consent on the authorize page, {how_long}")
            }
            Fault::CodeReused => {
                p.engine().reuse_codes = Countdown::times(times);
                format!("authorization codes are already redeemed when exchanged, {how_long}")
            }
            f if !f.counts_calls() => {
                let now = self.clock.now_ms();
                f.change_engine(&mut p.engine(), now, &self.ids, &self.recorder)
            }
            f => {
                lock(&p.faults).push(Armed {
                    fault: f.clone(),
                    remaining: times,
                });
                format!(
                    "{} requests answer {}, {how_long}",
                    target_words(f),
                    f.name()
                )
            }
        };
        self.recorder
            .note(&p.slug, format!("fault {}: {note}", fault.name()));
        Ok(())
    }

    /// The answer of the first wire fault set on `p` for requests that
    /// `hits`, counting it; `None` when none is set, or after a latency
    /// fault has waited (the real answer follows).
    pub(super) async fn fault_answer(&self, p: &CustomProvider, hits: Hits) -> Option<Response> {
        match p.take_fault(hits)? {
            Fault::RateLimit { retry_after, .. } => {
                let description = match retry_after {
                    Some(s) => format!("Too many requests: retry after {s} seconds."),
                    None => "Too many requests.".to_string(),
                };
                let mut answer = error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_requests",
                    &description,
                );
                if let Some(s) = retry_after
                    && let Ok(v) = s.to_string().parse()
                {
                    answer.headers_mut().insert(header::RETRY_AFTER, v);
                }
                Some(answer)
            }
            Fault::ServerError { status, .. } => {
                let status = status
                    .and_then(|s| StatusCode::from_u16(s).ok())
                    .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                Some(if status == StatusCode::SERVICE_UNAVAILABLE {
                    error(
                        status,
                        "temporarily_unavailable",
                        "The server is temporarily unable to handle the request.",
                    )
                } else {
                    error(
                        status,
                        "server_error",
                        "The server encountered an unexpected condition.",
                    )
                })
            }
            Fault::Latency { ms, real, .. } => {
                let delay = Duration::from_millis(ms);
                if real {
                    tokio::time::sleep(delay).await;
                } else {
                    self.clock.advance(delay);
                    self.recorder.note(
                        &p.slug,
                        format!(
                            "answered after {} (virtual time)",
                            crate::common::duration::human(delay)
                        ),
                    );
                }
                None
            }
            Fault::MalformedBody { .. } => {
                let body = match hits {
                    Hits::Api => "{\"sub\":\"",
                    _ => "{\"access_token\":\"",
                };
                Some(
                    (
                        StatusCode::OK,
                        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                        body,
                    )
                        .into_response(),
                )
            }
            _ => None,
        }
    }
}

impl CustomProvider {
    /// The first wire fault set for requests that `hits`, counted as used.
    fn take_fault(&self, hits: Hits) -> Option<Fault> {
        let mut armed = lock(&self.faults);
        let at = armed.iter().position(|a| a.hits() == hits)?;
        let fault = armed[at].fault.clone();
        match &mut armed[at].remaining {
            Some(n) if *n <= 1 => {
                armed.remove(at);
            }
            Some(n) => *n -= 1,
            None => {}
        }
        Some(fault)
    }

    /// Whether an `invalid_grant_on_refresh` fault refuses this refresh
    /// grant (counted as used).
    pub(super) fn refuses_refresh(&self) -> bool {
        self.take_fault(Hits::RefreshGrant).is_some()
    }

    /// Removes every fault: the wire faults and the engine's switches.
    /// Tokens, codes and apps stay.
    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
        let mut engine = self.engine();
        engine.deny_consent = Countdown::Off;
        engine.reuse_codes = Countdown::Off;
        engine.forbidden_scopes.clear();
    }
}

fn target_words(fault: &Fault) -> &'static str {
    match fault {
        Fault::InvalidGrantOnRefresh => "refresh",
        Fault::RateLimit { on, .. }
        | Fault::ServerError { on, .. }
        | Fault::Latency { on, .. }
        | Fault::MalformedBody { on } => match on {
            Target::Api => "userinfo",
            Target::Token => "token",
        },
        _ => "",
    }
}

/// An error answer in the RFC 6749 §5.2 shape, never cached.
fn error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_a_custom_provider_cannot_answer_are_refused_with_the_list() {
        let e = check(&Fault::SecondaryRateLimit { retry_after: None }, None).unwrap_err();
        assert!(e.contains("rate_limit, server_error, latency"), "{e}");
        let e = check(
            &Fault::RateLimit {
                retry_after: None,
                status: Some(403),
                on: Target::Api,
            },
            None,
        )
        .unwrap_err();
        assert!(e.contains("answers 429"), "{e}");
        let e = check(&Fault::RevokeTokens { user: None }, Some(2)).unwrap_err();
        assert!(e.contains("`times` does not apply"), "{e}");
        assert!(check(&Fault::InvalidGrantOnRefresh, Some(1)).is_ok());
    }
}
