//! The webhook deliveries the harness throws at an app's webhook endpoint:
//! two genuine ones it must accept and seven forgeries it must reject, each
//! with the reason it matters and the fix when the app gets it wrong.
//!
//! Genuine deliveries are signed exactly as WorkOS signs them
//! ([`crate::client::webhooks::sign`]: `t=<ms>, v1=<hex>` over
//! `"<t>.<raw body>"`). One of them is pretty-printed: the signature covers
//! the bytes WorkOS sent, so an app that parses the JSON and re-serializes it
//! before verifying rejects it: verify the raw request body, before parsing
//! JSON.

use serde_json::{Value, json};

use crate::client::webhooks::{compute_signature, sign};
use crate::diagnosis::{Diagnosis, DiagnosisKind};

/// How far outside the 180 s tolerance the stale and future timestamps are.
pub const SKEW_MS: i64 = 5 * 60 * 1000;

/// A delivery to the app's webhook endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Signed by WorkOS, compact JSON.
    Genuine,
    /// Signed by WorkOS, pretty-printed JSON.
    GenuinePretty,
    /// Signed with a secret that is not the endpoint's.
    WrongSecret,
    /// Signed correctly, then the body was changed.
    TamperedBody,
    /// Signed correctly, five minutes ago.
    StaleTimestamp,
    /// Signed correctly, five minutes ahead.
    FutureTimestamp,
    /// No `WorkOS-Signature` header.
    MissingHeader,
    /// A header no verifier can read.
    MalformedHeader,
    /// A genuine header taken from another delivery.
    SignatureOfOtherBody,
}

/// A delivery ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// The raw body.
    pub body: Vec<u8>,
    /// The `WorkOS-Signature` header, if any.
    pub header: Option<String>,
    /// Hex signatures in the header, so transcripts can redact them.
    pub signatures: Vec<String>,
}

/// What the event is about; values come from the scenario's ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFacts {
    /// `event_...`.
    pub event_id: String,
    /// `data_installation_...`.
    pub account_id: String,
    /// `data_integration_...`.
    pub integration_id: String,
    /// `user_...`.
    pub user_id: String,
    /// A second user id, for the tampered body.
    pub other_user_id: String,
    /// ISO-8601 creation time.
    pub created_at: String,
}

impl Delivery {
    /// Every delivery, genuine ones first.
    pub const ALL: [Delivery; 9] = [
        Delivery::Genuine,
        Delivery::GenuinePretty,
        Delivery::WrongSecret,
        Delivery::TamperedBody,
        Delivery::StaleTimestamp,
        Delivery::FutureTimestamp,
        Delivery::MissingHeader,
        Delivery::MalformedHeader,
        Delivery::SignatureOfOtherBody,
    ];

    /// The words a feature file uses for it.
    pub fn phrase(self) -> &'static str {
        match self {
            Delivery::Genuine => "a correctly signed event",
            Delivery::GenuinePretty => "a correctly signed event with pretty-printed JSON",
            Delivery::WrongSecret => "an event signed with the wrong secret",
            Delivery::TamperedBody => "an event whose body was changed after signing",
            Delivery::StaleTimestamp => "a replayed event with a stale timestamp",
            Delivery::FutureTimestamp => "an event timestamped in the future",
            Delivery::MissingHeader => "an event without a signature header",
            Delivery::MalformedHeader => "an event with a malformed signature header",
            Delivery::SignatureOfOtherBody => "an event carrying the signature of another event",
        }
    }

    /// Whether WorkOS sent it, so the app must accept it.
    pub fn genuine(self) -> bool {
        matches!(self, Delivery::Genuine | Delivery::GenuinePretty)
    }

    /// Who sends it, as named in transcripts.
    pub fn sender(self) -> &'static str {
        if self.genuine() { "workos" } else { "attacker" }
    }

    /// Builds the request for an endpoint with `secret`, at `now_ms` on the app's clock.
    pub fn build(self, secret: &str, now_ms: i64, facts: &EventFacts) -> Built {
        let event = event(facts, &facts.user_id);
        let compact = event.to_string().into_bytes();
        let signed = |body: &[u8], key: &str, t: i64| {
            let header = sign(key, t, body);
            let sig = compute_signature(key, &t.to_string(), body);
            (header, sig)
        };
        let (body, header, signatures) = match self {
            Delivery::Genuine => {
                let (h, s) = signed(&compact, secret, now_ms);
                (compact, Some(h), vec![s])
            }
            Delivery::GenuinePretty => {
                let pretty = serde_json::to_string_pretty(&event)
                    .unwrap_or_else(|_| event.to_string())
                    .into_bytes();
                let (h, s) = signed(&pretty, secret, now_ms);
                (pretty, Some(h), vec![s])
            }
            Delivery::WrongSecret => {
                let (h, s) = signed(&compact, "whsec_not_the_endpoint_secret", now_ms);
                (compact, Some(h), vec![s])
            }
            Delivery::TamperedBody => {
                let (h, s) = signed(&compact, secret, now_ms);
                let tampered = event_with_user(&event, &facts.other_user_id)
                    .to_string()
                    .into_bytes();
                (tampered, Some(h), vec![s])
            }
            Delivery::StaleTimestamp => {
                let (h, s) = signed(&compact, secret, now_ms - SKEW_MS);
                (compact, Some(h), vec![s])
            }
            Delivery::FutureTimestamp => {
                let (h, s) = signed(&compact, secret, now_ms + SKEW_MS);
                (compact, Some(h), vec![s])
            }
            Delivery::MissingHeader => (compact, None, Vec::new()),
            Delivery::MalformedHeader => (
                compact,
                Some(format!("t={now_ms}, v1=not-a-signature")),
                Vec::new(),
            ),
            Delivery::SignatureOfOtherBody => {
                let other = json!({
                    "object": "event",
                    "id": format!("{}X", facts.event_id),
                    "event": "pipes.connected_account.disconnected",
                    "data": event_data(facts, &facts.user_id, "disconnected"),
                    "created_at": facts.created_at,
                })
                .to_string()
                .into_bytes();
                let (h, s) = signed(&other, secret, now_ms);
                (compact, Some(h), vec![s])
            }
        };
        Built {
            body,
            header,
            signatures,
        }
    }

    /// Why the app must accept or reject it.
    pub fn why(self) -> &'static str {
        match self {
            Delivery::Genuine | Delivery::GenuinePretty => {
                "WorkOS sent this event and signed it correctly. An app that rejects it loses \
                 connection changes (a revoked grant, a reauthorization request): WorkOS retries \
                 the delivery for a while, then gives up."
            }
            Delivery::WrongSecret => {
                "Anyone can POST to a public URL. The signature, made with the secret only WorkOS \
                 and this endpoint share, is the only proof that WorkOS sent the event; accepting a \
                 signature made with another secret means the secret is not checked, so spoofed \
                 events would be acted on."
            }
            Delivery::TamperedBody => {
                "The signature covers the exact body bytes. A body changed after signing must fail, \
                 or anyone who captured one genuine delivery could rewrite its data (here the user \
                 id) and keep the signature."
            }
            Delivery::StaleTimestamp => {
                "A captured genuine delivery stays correctly signed forever; only the timestamp \
                 tolerance (180 s) stops it from being replayed later, for example a `connected` \
                 event re-sent after the user disconnected."
            }
            Delivery::FutureTimestamp => {
                "A timestamp ahead of the app's clock is a skewed sender or a delivery \
                 re-timestamped to be replayed later; accepted, it stays fresh until the clock \
                 catches up. The Python SDK rejects it; the Node SDK (11.0.0) only checks the past."
            }
            Delivery::MissingHeader => {
                "An unsigned request cannot come from WorkOS. Rejecting unsigned requests is \
                 security critical: they are the easiest spoof there is."
            }
            Delivery::MalformedHeader => {
                "A header the verifier cannot read proves nothing. Treating a parse failure as \
                 \"nothing to check\" lets any request through."
            }
            Delivery::SignatureOfOtherBody => {
                "A signature is valid only for the body it was computed over. Accepting a genuine \
                 signature next to another body means the header is checked for shape, not \
                 against this body, so one captured header would authorize any event."
            }
        }
    }

    /// The specific fix when the app gets it wrong.
    pub fn fix(self) -> &'static str {
        match self {
            Delivery::Genuine => {
                "Verify with this endpoint's signing secret and the SDK's verifier \
                 (`workos.webhooks.constructEvent` / `client.webhooks.verify_event`), and answer \
                 2xx once verified."
            }
            Delivery::GenuinePretty => {
                "Verify the raw request body bytes, before any JSON parsing: frameworks that parse \
                 and re-encode change the signed text (Express: `express.raw({ type: \
                 'application/json' })` on the webhook route; Flask: `request.get_data()`)."
            }
            Delivery::WrongSecret => {
                "Pass this endpoint's signing secret to the SDK verifier and answer 4xx when it \
                 throws."
            }
            Delivery::TamperedBody | Delivery::SignatureOfOtherBody => {
                "Verify `<t>.<raw body>` of this very request with the SDK verifier (no hand-rolled \
                 comparison), and act only on the event the verifier returns."
            }
            Delivery::StaleTimestamp => {
                "Keep the SDK's default tolerance (180 s); do not pass a huge tolerance to silence \
                 clock-skew errors, keep the server clock in sync (NTP) instead."
            }
            Delivery::FutureTimestamp => {
                "Reject `t` more than the tolerance ahead of now. Node: `const [t] = \
                 workos.webhooks.getTimestampAndSignatureHash(header); if (Number(t) > Date.now() + \
                 180000) reject;` before `constructEvent`."
            }
            Delivery::MissingHeader => {
                "Answer 400 or 401 when the `WorkOS-Signature` header is absent, before parsing \
                 the body."
            }
            Delivery::MalformedHeader => {
                "Treat every verifier exception as a rejection (4xx); never fall back to accepting."
            }
        }
    }

    /// The mistake an app makes when it answers this delivery wrongly.
    pub fn mistake(self) -> DiagnosisKind {
        match self {
            Delivery::Genuine => DiagnosisKind::WebhookSignatureInvalid,
            Delivery::GenuinePretty => DiagnosisKind::WebhookBodyReserialized,
            Delivery::StaleTimestamp | Delivery::FutureTimestamp => {
                DiagnosisKind::WebhookToleranceTooWide
            }
            Delivery::WrongSecret
            | Delivery::TamperedBody
            | Delivery::MissingHeader
            | Delivery::MalformedHeader
            | Delivery::SignatureOfOtherBody => DiagnosisKind::WebhookUnverified,
        }
    }

    /// Judges the app's answer against what it should have done (accept:
    /// 2xx, reject: 4xx); `Err` carries the diagnosis to print.
    pub fn judge(
        self,
        expect_accept: bool,
        url: &str,
        status: u16,
        body: &str,
    ) -> Result<(), Diagnosis> {
        let excerpt = excerpt(body);
        let verdict = if expect_accept {
            match status {
                200..=299 => return Ok(()),
                404 | 405 => route_missing(url, status),
                400..=499 => format!(
                    "The app rejected {} with HTTP {status}{excerpt}.",
                    self.phrase()
                ),
                _ => format!(
                    "The app answered {} with HTTP {status}{excerpt}; WorkOS counts anything \
                     but 2xx as a failed delivery.",
                    self.phrase()
                ),
            }
        } else {
            match status {
                404 | 405 => route_missing(url, status),
                400..=499 => return Ok(()),
                200..=299 => format!(
                    "The app accepted {} with HTTP {status}{excerpt}.",
                    self.phrase()
                ),
                500..=599 => format!(
                    "The app answered {} with HTTP {status}{excerpt}: an error, not a rejection. \
                     WorkOS treats 5xx as a failed delivery and retries it, and a crash means the \
                     body may already have been acted on.",
                    self.phrase()
                ),
                _ => format!(
                    "The app answered {} with HTTP {status}{excerpt} instead of a 4xx rejection.",
                    self.phrase()
                ),
            }
        };
        Err(Diagnosis::new(
            self.mistake(),
            format!(
                "{verdict} Why it matters: {} Fix: {}",
                self.why(),
                self.fix()
            ),
        ))
    }
}

impl std::str::FromStr for Delivery {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Delivery::ALL
            .iter()
            .copied()
            .find(|d| d.phrase() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown webhook delivery {s:?}: expected one of {}",
                    Delivery::ALL
                        .iter()
                        .map(|d| format!("\"{}\"", d.phrase()))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }
}

fn route_missing(url: &str, status: u16) -> String {
    format!(
        "The app answered HTTP {status} at {url}: there is no webhook route there, so nothing was \
         verified at all. Set PIPES_HARNESS_APP_WEBHOOK_PATH to the path WorkOS delivers to."
    )
}

fn excerpt(body: &str) -> String {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return String::new();
    }
    let mut short: String = trimmed.chars().take(160).collect();
    if trimmed.chars().count() > 160 {
        short.push('…');
    }
    format!(" ({short})")
}

/// The event every delivery carries: a `pipes.connected_account.connected`
/// event in the shape the reference gives (section E).
fn event(facts: &EventFacts, user_id: &str) -> Value {
    json!({
        "object": "event",
        "id": facts.event_id,
        "event": "pipes.connected_account.connected",
        "data": event_data(facts, user_id, "connected"),
        "created_at": facts.created_at,
    })
}

fn event_data(facts: &EventFacts, user_id: &str, state: &str) -> Value {
    json!({
        "object": "connected_account",
        "id": facts.account_id,
        "data_integration_id": facts.integration_id,
        "provider_slug": "github",
        "user_id": user_id,
        "organization_id": null,
        "scopes": ["repo", "user:email"],
        "state": state,
        "created_at": facts.created_at,
        "updated_at": facts.created_at,
    })
}

fn event_with_user(event: &Value, user_id: &str) -> Value {
    let mut e = event.clone();
    if let Some(data) = e.get_mut("data").and_then(Value::as_object_mut) {
        data.insert("user_id".into(), Value::String(user_id.to_string()));
    }
    e
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::client::webhooks::{DEFAULT_TOLERANCE, verify};

    const SECRET: &str = "whsec_test_secret";
    const NOW: i64 = 1_767_225_600_000;

    fn facts() -> EventFacts {
        EventFacts {
            event_id: "event_01".into(),
            account_id: "data_installation_01".into(),
            integration_id: "data_integration_01".into(),
            user_id: "user_01".into(),
            other_user_id: "user_02".into(),
            created_at: "2026-01-01T00:00:00.000Z".into(),
        }
    }

    #[test]
    fn the_harness_verifier_accepts_exactly_the_genuine_deliveries() {
        for d in Delivery::ALL {
            let b = d.build(SECRET, NOW, &facts());
            let ok = verify(b.header.as_deref(), &b.body, SECRET, NOW, DEFAULT_TOLERANCE).is_ok();
            assert_eq!(ok, d.genuine(), "{d:?}");
        }
    }

    #[test]
    fn the_pretty_event_does_not_survive_a_parse_and_reserialize() {
        let b = Delivery::GenuinePretty.build(SECRET, NOW, &facts());
        let reparsed: Value = serde_json::from_slice(&b.body).unwrap();
        let reserialized = reparsed.to_string().into_bytes();
        assert_ne!(reserialized, b.body);
        assert!(
            verify(
                b.header.as_deref(),
                &reserialized,
                SECRET,
                NOW,
                Duration::from_secs(180)
            )
            .is_err()
        );
    }

    #[test]
    fn stale_and_future_deliveries_are_signed_correctly_but_out_of_tolerance() {
        for d in [Delivery::StaleTimestamp, Delivery::FutureTimestamp] {
            let b = d.build(SECRET, NOW, &facts());
            let t = if d == Delivery::StaleTimestamp {
                NOW - SKEW_MS
            } else {
                NOW + SKEW_MS
            };
            assert!(
                verify(b.header.as_deref(), &b.body, SECRET, t, DEFAULT_TOLERANCE).is_ok(),
                "{d:?} must carry a valid signature for its own time"
            );
        }
    }

    #[test]
    fn phrases_round_trip_and_unknown_ones_list_the_choices() {
        for d in Delivery::ALL {
            assert_eq!(d.phrase().parse::<Delivery>(), Ok(d));
        }
        let err = "a pigeon".parse::<Delivery>().unwrap_err();
        assert!(err.contains("a correctly signed event"), "{err}");
    }

    #[test]
    fn an_accepted_forgery_is_diagnosed_with_the_reasoning_and_the_fix() {
        let d = Delivery::StaleTimestamp
            .judge(
                false,
                "http://a.test/webhooks/workos",
                200,
                "{\"received\":true}",
            )
            .unwrap_err();
        assert_eq!(d.kind, DiagnosisKind::WebhookToleranceTooWide);
        assert!(
            d.detail.contains("accepted a replayed event"),
            "{}",
            d.detail
        );
        assert!(d.detail.contains("replayed later"), "{}", d.detail);
        assert!(d.detail.contains("Keep the SDK's default tolerance"));
    }

    #[test]
    fn a_missing_route_never_counts_as_a_rejection() {
        let d = Delivery::MissingHeader
            .judge(false, "http://a.test/hooks", 404, "Not Found")
            .unwrap_err();
        assert!(d.detail.contains("PIPES_HARNESS_APP_WEBHOOK_PATH"));
        assert!(Delivery::MissingHeader.judge(false, "u", 401, "").is_ok());
    }

    #[test]
    fn a_crash_is_not_a_rejection() {
        let d = Delivery::WrongSecret
            .judge(false, "u", 500, "boom")
            .unwrap_err();
        assert!(d.detail.contains("an error, not a rejection"));
    }

    #[test]
    fn a_rejected_genuine_event_explains_the_raw_body_rule() {
        let d = Delivery::GenuinePretty
            .judge(true, "u", 400, "")
            .unwrap_err();
        assert!(d.detail.contains("raw request body"), "{}", d.detail);
    }
}
