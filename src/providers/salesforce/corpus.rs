//! Salesforce's answers, as Salesforce sends them (developer.salesforce.com).

use crate::diagnosis::DiagnosisKind as K;
use crate::providers::corpus::{Reading, Sample, Situation};

/// The samples; see `providers::corpus` for how they are read.
pub const SAMPLES: &[Sample] = &[
    Sample {
        name: "a revoked or timed-out session (Salesforce says the same for both)",
        situation: Situation::RevokedToken,
        path: "/services/data/v62.0/sobjects",
        status: 401,
        headers: &[("www-authenticate", "Token")],
        body: r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
        reads_as: Reading::Failed(K::TokenExpired),
    },
    Sample {
        name: "the org's daily API limit",
        situation: Situation::ApiFault("rate_limit"),
        path: "/services/data/v62.0/sobjects",
        status: 403,
        headers: &[("sforce-limit-info", "api-usage=100001/100000")],
        body: r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#,
        reads_as: Reading::RateLimited,
    },
    Sample {
        name: "an outage",
        situation: Situation::ApiFault("server_error status=503"),
        path: "/services/data/v62.0/sobjects",
        status: 503,
        headers: &[],
        body: r#"[{"message":"Server temporarily unavailable.","errorCode":"SERVER_UNAVAILABLE"}]"#,
        reads_as: Reading::Unavailable,
    },
    Sample {
        name: "a session without the api scope",
        situation: Situation::ApiFault("insufficient_scope"),
        path: "/services/data/v62.0/sobjects",
        status: 401,
        headers: &[],
        body: r#"[{"message":"This session is not valid for use with the REST API","errorCode":"INVALID_SESSION_ID"}]"#,
        reads_as: Reading::Failed(K::InsufficientScopes),
    },
    Sample {
        name: "an expired or revoked refresh token",
        situation: Situation::TokenFault("invalid_grant_on_refresh"),
        path: "",
        status: 400,
        headers: &[("content-type", "application/json;charset=UTF-8")],
        body: r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#,
        reads_as: Reading::RefreshRefused(K::InvalidGrant),
    },
];
