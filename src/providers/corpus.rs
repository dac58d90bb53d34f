//! One corpus of each provider's wire format, read twice.
//!
//! Every provider folder has a `corpus.rs`: answers as the real provider
//! sends them (status, content type, body), each with the situation that
//! makes the mock send it and what the answer means. The same samples feed
//! two tests:
//!
//! - the classifier's: each sample must read as it says;
//! - the mock's: brought into each situation, the mock must answer with the
//!   sample's status and the same JSON shape (every key, at every depth),
//!   and its answer must read the same.
//!
//! So the provider's text is written once, and the mock and the classifier
//! cannot drift apart from it or from each other.

use crate::diagnosis::DiagnosisKind;

/// How the mock is brought to give a sample's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Situation {
    /// A fault (in the fault vocabulary's text form) on API calls; then a
    /// call to the sample's path.
    ApiFault(&'static str),
    /// The user's tokens revoked at the provider; then a call to the
    /// sample's path.
    RevokedToken,
    /// A fault on the token endpoint; then a refresh.
    TokenFault(&'static str),
}

/// What an answer means, as the classifier reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// An API call that failed for good.
    Failed(DiagnosisKind),
    /// An API call to try again after the provider's wait.
    RateLimited,
    /// An API call that met an outage.
    Unavailable,
    /// A refresh the token endpoint refused.
    RefreshRefused(DiagnosisKind),
}

/// One answer as the provider sends it. The corpus is test data: the
/// mock's and the classifier's tests read it.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(test), allow(dead_code))]
pub struct Sample {
    /// What it is, for test messages.
    pub name: &'static str,
    /// How the mock gives it.
    pub situation: Situation,
    /// The API path the mock is called on (empty for the token endpoint).
    pub path: &'static str,
    /// HTTP status.
    pub status: u16,
    /// Headers the reading depends on.
    pub headers: &'static [(&'static str, &'static str)],
    /// The body, verbatim.
    pub body: &'static str,
    /// What it means.
    pub reads_as: Reading,
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::provider::ProviderKind;
    use crate::providers::classify::{
        ApiOutcome, Grant, ResponseView, classify_api_response, classify_token_response,
    };
    use crate::providers::engine::faults::Fault;
    use crate::providers::engine::testing;
    use crate::providers::spec;

    /// The scenario clock's epoch seconds, for retry hints.
    const NOW: i64 = 1_767_225_600;

    fn reading(
        kind: ProviderKind,
        sample: &Sample,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Option<Reading> {
        let view = ResponseView {
            status,
            headers,
            body,
        };
        match sample.reads_as {
            Reading::RefreshRefused(_) => classify_token_response(kind, Grant::RefreshToken, &view)
                .err()
                .map(|d| Reading::RefreshRefused(d.kind)),
            _ => match classify_api_response(kind, &view, NOW) {
                ApiOutcome::Ok => None,
                ApiOutcome::Failed(d) => Some(Reading::Failed(d.kind)),
                ApiOutcome::RateLimited { .. } => Some(Reading::RateLimited),
                ApiOutcome::Unavailable(_) => Some(Reading::Unavailable),
            },
        }
    }

    fn owned(headers: &[(&str, &str)]) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    /// The keys of a JSON value at every depth (values dropped), so an
    /// answer with other ids and times has the same shape.
    fn shape(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().take(1).map(shape).collect()),
            _ => Value::Null,
        }
    }

    #[test]
    fn every_sample_reads_as_it_says() {
        for kind in ProviderKind::ALL {
            for sample in spec(kind).corpus {
                let got = reading(
                    kind,
                    sample,
                    sample.status,
                    &owned(sample.headers),
                    sample.body.as_bytes(),
                );
                assert_eq!(got, Some(sample.reads_as), "{kind}: {}", sample.name);
            }
        }
    }

    #[tokio::test]
    async fn the_mock_answers_every_sample_in_its_shape_and_it_reads_the_same() {
        for kind in ProviderKind::ALL {
            let s = spec(kind);
            assert!(!s.corpus.is_empty(), "{kind} has a corpus");
            for sample in s.corpus {
                let mock = testing::start(kind, true).await;
                let (token, refresh) =
                    testing::tokens(&mock, &s.default_scopes.join(s.scope_separator)).await;
                let http = reqwest::Client::new();
                let api_call = || {
                    let mut req = http
                        .get(format!("{}{}", mock.uri(), sample.path))
                        .bearer_auth(&token);
                    for (name, value) in s.api_headers {
                        req = req.header(*name, *value);
                    }
                    req
                };
                let resp = match sample.situation {
                    Situation::ApiFault(text) => {
                        let fault: Fault = text.parse().expect("a fault");
                        fault.apply(&mock, Some(1)).await.expect("applies");
                        api_call().send().await.expect("answers")
                    }
                    Situation::RevokedToken => {
                        let fault: Fault = "revoke_tokens".parse().expect("a fault");
                        fault.apply(&mock, None).await.expect("applies");
                        api_call().send().await.expect("answers")
                    }
                    Situation::TokenFault(text) => {
                        let fault: Fault = text.parse().expect("a fault");
                        fault.apply(&mock, Some(1)).await.expect("applies");
                        let refresh = refresh.clone().expect("a refresh token");
                        testing::refresh(&mock, &refresh).await
                    }
                };
                let status = resp.status().as_u16();
                let headers: Vec<(String, String)> = resp
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                    .collect();
                let body = resp.bytes().await.expect("a body");
                let what = format!(
                    "{kind}: {} (the mock answered {status} {})",
                    sample.name,
                    String::from_utf8_lossy(&body)
                );
                assert_eq!(status, sample.status, "{what}");
                assert_eq!(
                    reading(kind, sample, status, &headers, &body),
                    Some(sample.reads_as),
                    "{what}"
                );
                let ours: Value = serde_json::from_slice(&body).expect("the mock answers JSON");
                let theirs: Value = serde_json::from_str(sample.body).expect("the sample is JSON");
                assert_eq!(shape(&ours), shape(&theirs), "{what}");
            }
        }
    }
}
