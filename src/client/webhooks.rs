//! Signing and verifying WorkOS webhook deliveries (`WorkOS-Signature`).
//!
//! The harness plays both sides of a webhook: the mocked WorkOS API signs the
//! deliveries it sends, and scenarios check that an integration rejects the
//! ones it must. Both sides live here so they cannot drift apart.
//!
//! The format is the one WorkOS really sends:
//!
//! - The header is `WorkOS-Signature: t=<timestamp_ms>, v1=<hex>`.
//! - `t` is **milliseconds** since the Unix epoch, not seconds as in Stripe's
//!   otherwise similar scheme. A timestamp in seconds therefore looks about
//!   55 years old and is rejected as too old, which is the error a harness user
//!   should see when they get the unit wrong.
//! - `v1` is the lowercase hex HMAC-SHA256 of `"<t>.<raw body>"`, keyed with the
//!   endpoint secret's UTF-8 bytes used whole (a `whsec_...` secret is not
//!   base64-decoded). `<t>` is the exact text after `t=`, so a timestamp with
//!   leading zeros signs differently from the same number without them.
//!
//! Parsing is deliberately lenient where the official SDKs disagree and strict
//! where being lenient would let a forgery through:
//!
//! - WorkOS separates the parts with `", "`. The Python SDK accepts only that
//!   spelling; the Node SDK splits on `,` and trims, so it also accepts `","`.
//!   We split on `,` and trim each part, so an integration that works with
//!   either SDK works against the harness.
//! - Parts may come in any order, unknown schemes (`v0=`, ...) are ignored so a
//!   future scheme does not break old verifiers, and several `v1=` values are
//!   allowed (WorkOS may sign with more than one secret while one is rotated);
//!   any one matching is enough.
//! - Exactly one `t=` is required: with two, which one was signed is ambiguous.
//!
//! The timestamp must be within the tolerance (default 180 s) on **both**
//! sides of the caller's clock. An old one is a replayed or delayed delivery;
//! one from the future is just as suspect (a captured delivery re-timestamped
//! ahead, or a skewed clock), and accepting it would let it be replayed until
//! the clock caught up. Freshness is checked before the signature, so a stale
//! delivery is reported as stale even when its signature is also wrong.
//!
//! Signatures are compared in constant time on the decoded bytes, so the time a
//! rejection takes does not reveal how many leading bytes of a guess were right.
//!
//! Everything in a header is attacker-controlled: verification never panics
//! (all timestamp arithmetic is widened or checked), and a header echoed back in
//! an error is truncated and has its signatures redacted.

use std::time::Duration;

use subtle::{Choice, ConstantTimeEq};

pub use crate::common::signature::{SIGNATURE_HEADER, compute_signature, sign};
use crate::common::signature::{SIGNATURE_LEN, mac_bytes};

/// How far `t` may be from the verifier's clock, in either direction.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(180);

/// Longest header text kept in [`WebhookError::MalformedHeader`]: the value is
/// attacker-controlled and ends up in logs and reports.
const MAX_ECHOED_HEADER_CHARS: usize = 120;

/// Ages beyond this are almost certainly a unit mistake rather than a slow
/// delivery, so the error message says so. About ten years.
const UNIT_MISTAKE_THRESHOLD_MS: i64 = 10 * 365 * 24 * 60 * 60 * 1000;

/// What a successful verification established about the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// The signed `t`, in milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
}

/// Why a delivery was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The request has no `WorkOS-Signature` header at all.
    #[error(
        "WorkOS-Signature header is missing: every WorkOS webhook delivery carries \
         \"t=<milliseconds>, v1=<hex HMAC-SHA256>\", so this request was not sent by WorkOS"
    )]
    MissingHeader,

    /// The header is present but cannot be understood.
    #[error("WorkOS-Signature header is malformed ({header:?}): {reason}")]
    MalformedHeader {
        /// The header as received, truncated to 120 characters and with every
        /// `v1` value replaced by `<signature>`.
        header: String,
        /// What was wrong and what was expected instead.
        reason: String,
    },

    /// `t` is further in the past than the tolerance allows.
    #[error(
        "webhook timestamp is {} old, outside the {} tolerance: a replayed or delayed delivery{}",
        format_ms(*.age_ms),
        format_ms(*.tolerance_ms),
        unit_hint(*.age_ms, "a timestamp in seconds looks decades old"),
    )]
    TimestampTooOld {
        /// How far `t` is behind the verifier's clock.
        age_ms: i64,
        /// The tolerance that was exceeded.
        tolerance_ms: i64,
    },

    /// `t` is further in the future than the tolerance allows.
    #[error(
        "webhook timestamp is {} in the future, outside the {} tolerance: the sender's clock \
         is ahead or the delivery was re-timestamped to be replayed later{}",
        format_ms(*.ahead_ms),
        format_ms(*.tolerance_ms),
        unit_hint(*.ahead_ms, "a timestamp in microseconds or nanoseconds lands far in the future"),
    )]
    TimestampInFuture {
        /// How far `t` is ahead of the verifier's clock.
        ahead_ms: i64,
        /// The tolerance that was exceeded.
        tolerance_ms: i64,
    },

    /// The header is well-formed and fresh, but no `v1` value matches.
    #[error(
        "signature does not match: the body was changed after signing (for example \
         re-serialized JSON) or the secret is wrong"
    )]
    SignatureMismatch,
}

impl WebhookError {
    /// Stable snake_case name of the variant, for reports and step assertions.
    pub fn short_name(&self) -> &'static str {
        match self {
            Self::MissingHeader => "missing_header",
            Self::MalformedHeader { .. } => "malformed_header",
            Self::TimestampTooOld { .. } => "timestamp_too_old",
            Self::TimestampInFuture { .. } => "timestamp_in_future",
            Self::SignatureMismatch => "signature_mismatch",
        }
    }
}

/// Verifies a delivery. `header` is the raw header value if present. `now_ms`
/// comes from the caller's (virtual) clock.
///
/// The tolerance is inclusive: a timestamp exactly `tolerance` away from
/// `now_ms`, in either direction, is accepted; one millisecond more is not.
/// Sub-millisecond parts of `tolerance` are ignored, as timestamps are whole
/// milliseconds.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &str,
    now_ms: i64,
    tolerance: Duration,
) -> Result<VerifiedSignature, WebhookError> {
    let header = header.ok_or(WebhookError::MissingHeader)?;
    let parsed = parse_header(header).map_err(|reason| WebhookError::MalformedHeader {
        header: echo_header(header),
        reason: reason.to_owned(),
    })?;

    let tolerance_ms = i64::try_from(tolerance.as_millis()).unwrap_or(i64::MAX);
    // Widened so that no pair of i64 clocks can overflow the difference.
    let age_ms = i128::from(now_ms) - i128::from(parsed.timestamp_ms);
    if age_ms > i128::from(tolerance_ms) {
        return Err(WebhookError::TimestampTooOld {
            age_ms: saturate(age_ms),
            tolerance_ms,
        });
    }
    if -age_ms > i128::from(tolerance_ms) {
        return Err(WebhookError::TimestampInFuture {
            ahead_ms: saturate(-age_ms),
            tolerance_ms,
        });
    }

    let expected = mac_bytes(secret, parsed.timestamp_text, body);
    // Every candidate is compared, without stopping at the first match, so the
    // timing does not reveal which one matched either.
    let matched = parsed
        .signatures
        .iter()
        .fold(Choice::from(0), |any, candidate| {
            any | candidate.ct_eq(&expected)
        });
    if bool::from(matched) {
        Ok(VerifiedSignature {
            timestamp_ms: parsed.timestamp_ms,
        })
    } else {
        Err(WebhookError::SignatureMismatch)
    }
}

struct ParsedHeader<'a> {
    /// Kept as text because the signature covers the exact characters sent.
    timestamp_text: &'a str,
    timestamp_ms: i64,
    signatures: Vec<[u8; SIGNATURE_LEN]>,
}

fn parse_header(header: &str) -> Result<ParsedHeader<'_>, &'static str> {
    if header.trim().is_empty() {
        return Err("the header is empty; expected \"t=<milliseconds>, v1=<hex>\"");
    }

    let mut timestamp_text = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        // Parts without `=` (including the empty ones a trailing comma leaves)
        // name no scheme, so they are skipped like unknown schemes are.
        let Some((scheme, value)) = part.trim().split_once('=') else {
            continue;
        };
        match scheme {
            "t" if timestamp_text.is_some() => {
                return Err("more than one t= part; exactly one timestamp must be signed");
            }
            "t" => timestamp_text = Some(value),
            "v1" => {
                let mut signature = [0u8; SIGNATURE_LEN];
                // decode_to_slice checks the length first, so a huge value is
                // rejected without decoding it.
                hex::decode_to_slice(value, &mut signature).map_err(
                    |_| "v1 must be 64 hex characters (a HMAC-SHA256 of \"<t>.<body>\")",
                )?;
                signatures.push(signature);
            }
            _ => {}
        }
    }

    let timestamp_text = timestamp_text
        .ok_or("no t= part; expected \"t=<milliseconds since the Unix epoch>, v1=<hex>\"")?;
    let timestamp_ms = parse_timestamp(timestamp_text)?;
    if signatures.is_empty() {
        return Err("no v1= part; expected \"t=<milliseconds>, v1=<hex HMAC-SHA256>\"");
    }
    Ok(ParsedHeader {
        timestamp_text,
        timestamp_ms,
        signatures,
    })
}

fn parse_timestamp(text: &str) -> Result<i64, &'static str> {
    // Only plain ASCII digits: `str::parse` would also take a leading `+`,
    // which no signer emits. A leading `-` is allowed so that `sign` and
    // `verify` agree on every i64.
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("t must be an integer number of milliseconds");
    }
    text.parse()
        .map_err(|_| "t is too large: it must be a number of milliseconds that fits in 64 bits")
}

/// The header as it may be shown in an error: every `v1` value redacted so a
/// valid signature is not copied into logs, then cut to a bounded length.
fn echo_header(header: &str) -> String {
    let redacted = redact_signatures(header);
    if redacted.chars().count() <= MAX_ECHOED_HEADER_CHARS {
        return redacted;
    }
    let mut truncated: String = redacted.chars().take(MAX_ECHOED_HEADER_CHARS - 1).collect();
    truncated.push('…');
    truncated
}

/// Replaces the value after every `v1=` (up to the next `,`) with
/// `<signature>`. This looks for `v1` anywhere, not only where the parser
/// would, because a malformed header can hide a real signature in a part the
/// parser skipped (`x;v1=<hex>`); redacting too much is harmless.
fn redact_signatures(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut rest = header;
    while let Some(pos) = rest.find("v1") {
        let after_name = &rest[pos + 2..];
        match after_name.trim_start().strip_prefix('=') {
            Some(value_and_rest) => {
                let value_end = value_and_rest.find(',').unwrap_or(value_and_rest.len());
                out.push_str(&rest[..rest.len() - value_and_rest.len()]);
                if !value_and_rest[..value_end].trim().is_empty() {
                    out.push_str("<signature>");
                }
                rest = &value_and_rest[value_end..];
            }
            None => {
                out.push_str(&rest[..pos + 2]);
                rest = after_name;
            }
        }
    }
    out.push_str(rest);
    out
}

fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

/// Milliseconds as seconds, keeping the milliseconds only when there are some,
/// so "180 s" reads naturally and "180.001 s" still differs from it.
fn format_ms(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let abs = ms.unsigned_abs();
    let (secs, millis) = (abs / 1000, abs % 1000);
    if millis == 0 {
        format!("{sign}{secs} s")
    } else {
        let fraction = format!("{millis:03}");
        format!("{sign}{secs}.{} s", fraction.trim_end_matches('0'))
    }
}

fn unit_hint(offset_ms: i64, what: &str) -> String {
    if offset_ms > UNIT_MISTAKE_THRESHOLD_MS {
        format!(" (t is in milliseconds since the Unix epoch; {what})")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRET: &str = "whsec_test";
    const T: i64 = 1_735_689_600_000;
    const BODY: &[u8] = br#"{"id":"event_01"}"#;
    /// python3 -c 'import hmac,hashlib;print(hmac.new(b"whsec_test",
    ///   b"1735689600000." + b"{\"id\":\"event_01\"}", hashlib.sha256).hexdigest())'
    const KNOWN_SIGNATURE: &str =
        "dde5b914d507fa38d73896dcd9f2f71593423457786ff6aa274746b06b0b0d06";
    const TOLERANCE_MS: i64 = 180_000;

    fn verify_at(header: &str, now_ms: i64) -> Result<VerifiedSignature, WebhookError> {
        verify(Some(header), BODY, SECRET, now_ms, DEFAULT_TOLERANCE)
    }

    fn malformed_reason(result: Result<VerifiedSignature, WebhookError>) -> (String, String) {
        match result {
            Err(WebhookError::MalformedHeader { header, reason }) => (header, reason),
            other => panic!("expected MalformedHeader, got {other:?}"),
        }
    }

    #[test]
    fn compute_signature_matches_a_vector_computed_with_python_hmac() {
        assert_eq!(
            compute_signature(SECRET, "1735689600000", BODY),
            KNOWN_SIGNATURE
        );
    }

    #[test]
    fn sign_produces_the_header_workos_sends() {
        assert_eq!(
            sign(SECRET, T, BODY),
            format!("t=1735689600000, v1={KNOWN_SIGNATURE}")
        );
    }

    #[test]
    fn verify_accepts_its_own_signature() {
        assert_eq!(
            verify_at(&sign(SECRET, T, BODY), T),
            Ok(VerifiedSignature { timestamp_ms: T })
        );
    }

    #[test]
    fn verify_accepts_the_comma_without_a_space_that_the_node_sdk_accepts() {
        let header = format!("t={T},v1={KNOWN_SIGNATURE}");
        assert_eq!(
            verify_at(&header, T),
            Ok(VerifiedSignature { timestamp_ms: T })
        );
    }

    #[test]
    fn verify_accepts_parts_in_any_order_with_extra_whitespace() {
        let header = format!("  v1={KNOWN_SIGNATURE} ,   t={T}  ");
        assert_eq!(
            verify_at(&header, T),
            Ok(VerifiedSignature { timestamp_ms: T })
        );
    }

    #[test]
    fn verify_accepts_an_uppercase_hex_signature() {
        let header = format!("t={T}, v1={}", KNOWN_SIGNATURE.to_uppercase());
        assert!(verify_at(&header, T).is_ok());
    }

    #[test]
    fn verify_ignores_unknown_schemes() {
        let header = format!("t={T}, v0=not-hex-at-all, v1={KNOWN_SIGNATURE}, v2=zzz, x");
        assert!(verify_at(&header, T).is_ok());
    }

    #[test]
    fn verify_accepts_any_one_of_several_v1_values() {
        let other = "ab".repeat(32);
        for header in [
            format!("t={T}, v1={other}, v1={KNOWN_SIGNATURE}"),
            format!("t={T}, v1={KNOWN_SIGNATURE}, v1={other}"),
        ] {
            assert!(verify_at(&header, T).is_ok(), "{header}");
        }
        let none_match = format!("t={T}, v1={other}, v1={}", "cd".repeat(32));
        assert_eq!(
            verify_at(&none_match, T),
            Err(WebhookError::SignatureMismatch)
        );
    }

    #[test]
    fn verify_signs_over_the_exact_timestamp_text_so_leading_zeros_matter() {
        let header = format!("t=0{T}, v1={KNOWN_SIGNATURE}");
        assert_eq!(verify_at(&header, T), Err(WebhookError::SignatureMismatch));
        let header = format!(
            "t=0{T}, v1={}",
            compute_signature(SECRET, &format!("0{T}"), BODY)
        );
        assert!(verify_at(&header, T).is_ok());
    }

    #[test]
    fn verify_rejects_a_request_without_the_header_as_missing() {
        let err = verify(None, BODY, SECRET, T, DEFAULT_TOLERANCE).unwrap_err();
        assert_eq!(err, WebhookError::MissingHeader);
        assert!(err.to_string().contains(SIGNATURE_HEADER));
    }

    #[test]
    fn verify_rejects_an_empty_or_blank_header_as_malformed() {
        for header in ["", "   ", ",", " , , "] {
            let (_, reason) = malformed_reason(verify_at(header, T));
            assert!(!reason.is_empty(), "{header:?}");
        }
    }

    #[test]
    fn verify_rejects_a_header_without_t_as_malformed() {
        let (_, reason) = malformed_reason(verify_at(&format!("v1={KNOWN_SIGNATURE}"), T));
        assert!(reason.contains("no t="), "{reason}");
    }

    #[test]
    fn verify_rejects_a_header_without_v1_as_malformed() {
        let (_, reason) = malformed_reason(verify_at(&format!("t={T}, v0=abc"), T));
        assert!(reason.contains("no v1="), "{reason}");
    }

    #[test]
    fn verify_rejects_two_timestamps_as_malformed() {
        let header = format!("t={T}, t={T}, v1={KNOWN_SIGNATURE}");
        let (_, reason) = malformed_reason(verify_at(&header, T));
        assert!(reason.contains("more than one t="), "{reason}");
    }

    #[test]
    fn verify_rejects_a_non_integer_timestamp_as_malformed() {
        for t in [
            "abc",
            "",
            "1735689600.5",
            "+1735689600000",
            " 1",
            "١٧٣٥",
            "-",
        ] {
            let header = format!("t={t}, v1={KNOWN_SIGNATURE}");
            let (_, reason) = malformed_reason(verify_at(&header, T));
            assert_eq!(
                reason, "t must be an integer number of milliseconds",
                "{t:?}"
            );
        }
    }

    #[test]
    fn verify_rejects_a_forty_digit_timestamp_as_malformed_without_overflowing() {
        let header = format!("t={}, v1={KNOWN_SIGNATURE}", "9".repeat(40));
        let (_, reason) = malformed_reason(verify_at(&header, T));
        assert!(reason.contains("too large"), "{reason}");
    }

    #[test]
    fn verify_rejects_a_non_hex_or_wrong_length_v1_as_malformed() {
        let short = &KNOWN_SIGNATURE[..62];
        let long = format!("{KNOWN_SIGNATURE}00");
        let not_hex = format!("{}zz", &KNOWN_SIGNATURE[..62]);
        for v1 in ["", short, &long, &not_hex, "é"] {
            let header = format!("t={T}, v1={v1}");
            let (_, reason) = malformed_reason(verify_at(&header, T));
            assert!(reason.contains("64 hex characters"), "{v1:?}: {reason}");
        }
    }

    #[test]
    fn malformed_header_display_names_the_header_and_the_problem() {
        let err = verify_at(&format!("t=abc, v1={KNOWN_SIGNATURE}"), T).unwrap_err();
        assert_eq!(
            err.to_string(),
            "WorkOS-Signature header is malformed (\"t=abc, v1=<signature>\"): \
             t must be an integer number of milliseconds"
        );
    }

    #[test]
    fn malformed_header_redacts_every_v1_value_and_keeps_the_rest() {
        let header = format!("t=x, v1={KNOWN_SIGNATURE},v1 =abc, v0=keep");
        let (echoed, _) = malformed_reason(verify_at(&header, T));
        assert_eq!(echoed, "t=x, v1=<signature>,v1 =<signature>, v0=keep");
    }

    #[test]
    fn malformed_header_redacts_a_signature_hidden_in_a_part_the_parser_skipped() {
        let header = format!("t=x;v1={KNOWN_SIGNATURE}, v1=");
        let (echoed, _) = malformed_reason(verify_at(&header, T));
        assert_eq!(echoed, "t=x;v1=<signature>, v1=");
    }

    #[test]
    fn malformed_header_truncates_a_huge_header_to_120_characters() {
        let header = format!("t=nope, {}", "é".repeat(1_000_000));
        let (echoed, _) = malformed_reason(verify_at(&header, T));
        assert_eq!(echoed.chars().count(), 120);
        assert!(echoed.starts_with("t=nope, éé"));
        assert!(echoed.ends_with('…'));
    }

    #[test]
    fn verify_rejects_an_old_timestamp_with_its_age() {
        let err = verify_at(&sign(SECRET, T, BODY), T + 300_000).unwrap_err();
        assert_eq!(
            err,
            WebhookError::TimestampTooOld {
                age_ms: 300_000,
                tolerance_ms: TOLERANCE_MS
            }
        );
        assert_eq!(
            err.to_string(),
            "webhook timestamp is 300 s old, outside the 180 s tolerance: \
             a replayed or delayed delivery"
        );
    }

    #[test]
    fn verify_rejects_a_future_timestamp_as_a_replay_or_clock_attack() {
        let err = verify_at(&sign(SECRET, T + 300_000, BODY), T).unwrap_err();
        assert_eq!(
            err,
            WebhookError::TimestampInFuture {
                ahead_ms: 300_000,
                tolerance_ms: TOLERANCE_MS
            }
        );
        assert!(err.to_string().contains("300 s in the future"), "{err}");
    }

    #[test]
    fn verify_rejects_a_timestamp_in_seconds_because_it_looks_55_years_old() {
        let seconds = T / 1000;
        let err = verify_at(&sign(SECRET, seconds, BODY), T).unwrap_err();
        let WebhookError::TimestampTooOld { age_ms, .. } = err else {
            panic!("expected TimestampTooOld, got {err:?}");
        };
        let julian_year_ms = 31_557_600_000;
        let rounded_years = (age_ms + julian_year_ms / 2) / julian_year_ms;
        assert_eq!(rounded_years, 55);
        assert!(
            err.to_string().contains("in seconds looks decades old"),
            "{err}"
        );
    }

    #[test]
    fn verify_checks_freshness_before_the_signature() {
        let header = format!("t={T}, v1={}", "00".repeat(32));
        assert_eq!(
            verify_at(&header, T + 300_000).unwrap_err().short_name(),
            "timestamp_too_old"
        );
    }

    #[test]
    fn verify_rejects_a_fresh_well_formed_header_with_a_wrong_signature() {
        let err = verify(
            Some(&sign(SECRET, T, BODY)),
            br#"{"id": "event_01"}"#,
            SECRET,
            T,
            DEFAULT_TOLERANCE,
        )
        .unwrap_err();
        assert_eq!(err, WebhookError::SignatureMismatch);
        assert!(err.to_string().contains("re-serialized JSON"));
    }

    #[test]
    fn tolerance_is_inclusive_exactly_at_the_boundary_in_the_past() {
        let header = sign(SECRET, T, BODY);
        assert!(verify_at(&header, T + TOLERANCE_MS).is_ok());
        assert_eq!(
            verify_at(&header, T + TOLERANCE_MS + 1),
            Err(WebhookError::TimestampTooOld {
                age_ms: TOLERANCE_MS + 1,
                tolerance_ms: TOLERANCE_MS
            })
        );
    }

    #[test]
    fn tolerance_is_inclusive_exactly_at_the_boundary_in_the_future() {
        let header = sign(SECRET, T, BODY);
        assert!(verify_at(&header, T - TOLERANCE_MS).is_ok());
        assert_eq!(
            verify_at(&header, T - TOLERANCE_MS - 1),
            Err(WebhookError::TimestampInFuture {
                ahead_ms: TOLERANCE_MS + 1,
                tolerance_ms: TOLERANCE_MS
            })
        );
    }

    #[test]
    fn a_fractional_age_is_shown_with_its_milliseconds() {
        let err = verify_at(&sign(SECRET, T, BODY), T + TOLERANCE_MS + 1).unwrap_err();
        assert!(err.to_string().contains("180.001 s old"), "{err}");
    }

    #[test]
    fn extreme_clocks_and_tolerances_neither_overflow_nor_panic() {
        let header = sign(SECRET, i64::MAX, BODY);
        assert_eq!(
            verify(Some(&header), BODY, SECRET, i64::MIN, DEFAULT_TOLERANCE),
            Err(WebhookError::TimestampInFuture {
                ahead_ms: i64::MAX,
                tolerance_ms: TOLERANCE_MS
            })
        );
        let header = sign(SECRET, i64::MIN, BODY);
        assert!(matches!(
            verify(Some(&header), BODY, SECRET, i64::MAX, DEFAULT_TOLERANCE),
            Err(WebhookError::TimestampTooOld {
                age_ms: i64::MAX,
                ..
            })
        ));
        // The widest gap an unbounded tolerance can cover is i64::MAX ms.
        assert!(verify(Some(&header), BODY, SECRET, i64::MAX, Duration::MAX).is_err());
        let header = sign(SECRET, 0, BODY);
        assert!(verify(Some(&header), BODY, SECRET, i64::MAX, Duration::MAX).is_ok());
        assert!(verify(Some(&header), BODY, SECRET, 1, Duration::ZERO).is_err());
        assert!(verify(Some(&header), BODY, SECRET, 0, Duration::ZERO).is_ok());
    }

    #[test]
    fn short_names_are_stable_snake_case() {
        let cases = [
            (WebhookError::MissingHeader, "missing_header"),
            (
                WebhookError::MalformedHeader {
                    header: String::new(),
                    reason: String::new(),
                },
                "malformed_header",
            ),
            (
                WebhookError::TimestampTooOld {
                    age_ms: 1,
                    tolerance_ms: 0,
                },
                "timestamp_too_old",
            ),
            (
                WebhookError::TimestampInFuture {
                    ahead_ms: 1,
                    tolerance_ms: 0,
                },
                "timestamp_in_future",
            ),
            (WebhookError::SignatureMismatch, "signature_mismatch"),
        ];
        for (err, name) in cases {
            assert_eq!(err.short_name(), name);
        }
    }

    #[test]
    fn format_ms_handles_every_i64() {
        assert_eq!(format_ms(0), "0 s");
        assert_eq!(format_ms(180_500), "180.5 s");
        assert_eq!(format_ms(-1), "-0.001 s");
        assert_eq!(format_ms(i64::MIN), "-9223372036854775.808 s");
    }

    fn unicode_string(max_chars: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(any::<char>(), 0..max_chars)
            .prop_map(|chars| chars.into_iter().collect())
    }

    /// Header parts that are near misses of real ones, so generated headers
    /// reach the timestamp and signature checks instead of all being malformed.
    fn header_part(correct_v1: String) -> impl Strategy<Value = String> {
        prop_oneof![
            Just(format!("t={T}")),
            (-400_000i64..400_000).prop_map(|d| format!("t={}", T + d)),
            Just(format!("v1={correct_v1}")),
            Just(format!("v1={}", correct_v1.to_uppercase())),
            "[0-9a-f]{64}".prop_map(|hex| format!("v1={hex}")),
            "[0-9a-fA-F]{0,70}".prop_map(|hex| format!("v1={hex}")),
            "v[0-9]=[0-9a-z]{0,10}",
            "[ =,t]{0,3}",
            unicode_string(16),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn sign_then_verify_round_trips(
            secret in unicode_string(80),
            body in proptest::collection::vec(any::<u8>(), 0..512),
            timestamp_ms in any::<i64>(),
            skew_ms in -TOLERANCE_MS..=TOLERANCE_MS,
        ) {
            let header = sign(&secret, timestamp_ms, &body);
            let now_ms = timestamp_ms.saturating_add(skew_ms);
            prop_assert_eq!(
                verify(Some(&header), &body, &secret, now_ms, DEFAULT_TOLERANCE),
                Ok(VerifiedSignature { timestamp_ms })
            );
        }

        #[test]
        fn flipping_any_byte_of_the_body_is_a_signature_mismatch(
            secret in unicode_string(40),
            body in proptest::collection::vec(any::<u8>(), 1..512),
            index in any::<prop::sample::Index>(),
            flip in 1u8..=255,
        ) {
            let header = sign(&secret, T, &body);
            let mut tampered = body.clone();
            tampered[index.index(body.len())] ^= flip;
            prop_assert_eq!(
                verify(Some(&header), &tampered, &secret, T, DEFAULT_TOLERANCE),
                Err(WebhookError::SignatureMismatch)
            );
        }

        #[test]
        fn a_wrong_secret_never_verifies(
            secret in unicode_string(40),
            wrong in unicode_string(40),
            body in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            // HMAC zero-pads short keys, so "k" and "k\0" are the same key;
            // that is a property of HMAC, not a flaw of this verifier.
            prop_assume!(secret.trim_end_matches('\0') != wrong.trim_end_matches('\0'));
            let header = sign(&secret, T, &body);
            prop_assert_eq!(
                verify(Some(&header), &body, &wrong, T, DEFAULT_TOLERANCE),
                Err(WebhookError::SignatureMismatch)
            );
        }

        #[test]
        fn arbitrary_unicode_headers_never_panic_or_verify(
            header in unicode_string(300),
            now_ms in any::<i64>(),
        ) {
            let result = verify(Some(&header), BODY, SECRET, now_ms, DEFAULT_TOLERANCE);
            prop_assert!(result.is_err(), "{:?} verified", header);
            if let Err(WebhookError::MalformedHeader { header: echoed, .. }) = result {
                prop_assert!(echoed.chars().count() <= MAX_ECHOED_HEADER_CHARS);
            }
        }

        #[test]
        fn assembled_headers_verify_only_when_they_carry_the_correct_signature(
            parts in proptest::collection::vec(
                header_part(KNOWN_SIGNATURE.to_owned()), 0..6),
            separators in proptest::collection::vec(
                prop_oneof![Just(","), Just(", "), Just(" ,  "), Just(";")], 6),
        ) {
            let mut header = String::new();
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    header.push_str(separators[i]);
                }
                header.push_str(part);
            }
            match verify_at(&header, T) {
                Ok(verified) => {
                    prop_assert_eq!(verified.timestamp_ms, T);
                    prop_assert!(header.to_ascii_lowercase().contains(KNOWN_SIGNATURE));
                }
                Err(WebhookError::MalformedHeader { header: echoed, reason }) => {
                    prop_assert!(echoed.chars().count() <= MAX_ECHOED_HEADER_CHARS);
                    prop_assert!(!echoed.to_ascii_lowercase().contains(KNOWN_SIGNATURE));
                    prop_assert!(!reason.is_empty());
                }
                Err(_) => {}
            }
        }
    }

    proptest! {
        // Fewer cases: each header is up to a megabyte.
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn very_long_headers_never_panic_and_are_echoed_bounded(
            prefix in unicode_string(64),
            filler in any::<char>(),
            repeat in 0usize..1_000_000,
        ) {
            let header = format!("{prefix}{}", filler.to_string().repeat(repeat));
            let result = verify_at(&header, T);
            prop_assert!(result.is_err());
            if let Err(WebhookError::MalformedHeader { header: echoed, .. }) = result {
                prop_assert!(echoed.chars().count() <= MAX_ECHOED_HEADER_CHARS);
            }
        }
    }
}
