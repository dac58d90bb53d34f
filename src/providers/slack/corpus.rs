//! Slack's answers, as Slack sends them (docs.slack.dev).

use crate::diagnosis::DiagnosisKind as K;
use crate::providers::corpus::{Reading, Sample, Situation};

/// The samples; see `providers::corpus` for how they are read.
pub const SAMPLES: &[Sample] = &[
    Sample {
        name: "a revoked token",
        situation: Situation::RevokedToken,
        path: "/api/auth.test",
        status: 200,
        headers: &[("content-type", "application/json; charset=utf-8")],
        body: r#"{"ok":false,"error":"token_revoked"}"#,
        reads_as: Reading::Failed(K::TokenRevoked),
    },
    Sample {
        name: "a rate limit",
        situation: Situation::ApiFault("rate_limit"),
        path: "/api/auth.test",
        status: 429,
        headers: &[("retry-after", "30")],
        body: r#"{"ok":false,"error":"ratelimited"}"#,
        reads_as: Reading::RateLimited,
    },
    Sample {
        name: "an outage",
        situation: Situation::ApiFault("server_error status=503"),
        path: "/api/auth.test",
        status: 503,
        headers: &[],
        body: r#"{"ok":false,"error":"service_unavailable"}"#,
        reads_as: Reading::Unavailable,
    },
    Sample {
        name: "a missing scope",
        situation: Situation::ApiFault("insufficient_scope"),
        path: "/api/auth.test",
        status: 200,
        headers: &[],
        body: r#"{"ok":false,"error":"missing_scope","needed":"channels:history","provided":"channels:read,chat:write"}"#,
        reads_as: Reading::Failed(K::InsufficientScopes),
    },
    Sample {
        name: "a refresh token that no longer works",
        situation: Situation::TokenFault("invalid_grant_on_refresh"),
        path: "",
        status: 200,
        headers: &[],
        body: r#"{"ok":false,"error":"invalid_refresh_token"}"#,
        reads_as: Reading::RefreshRefused(K::RefreshFailed),
    },
];
