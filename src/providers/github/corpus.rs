//! GitHub's answers, as GitHub sends them (docs.github.com/rest).

use crate::diagnosis::DiagnosisKind as K;
use crate::providers::corpus::{Reading, Sample, Situation};

/// The samples; see `providers::corpus` for how they are read.
pub const SAMPLES: &[Sample] = &[
    Sample {
        name: "a revoked token",
        situation: Situation::RevokedToken,
        path: "/user",
        status: 401,
        headers: &[("content-type", "application/json; charset=utf-8")],
        body: r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}"#,
        reads_as: Reading::Failed(K::TokenRevoked),
    },
    Sample {
        name: "the primary rate limit",
        situation: Situation::ApiFault("rate_limit"),
        path: "/user",
        status: 403,
        headers: &[
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1767225660"),
        ],
        body: r#"{"message":"API rate limit exceeded for user ID 1234567.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api","status":"403"}"#,
        reads_as: Reading::RateLimited,
    },
    Sample {
        name: "an outage",
        situation: Situation::ApiFault("server_error status=503"),
        path: "/user",
        status: 503,
        headers: &[],
        body: r#"{"message":"Service Unavailable","documentation_url":"https://docs.github.com/rest","status":"503"}"#,
        reads_as: Reading::Unavailable,
    },
    Sample {
        name: "a private resource the token's scopes do not reach",
        situation: Situation::ApiFault("insufficient_scope"),
        path: "/user",
        status: 404,
        headers: &[
            ("x-oauth-scopes", "repo, user:email"),
            ("x-accepted-oauth-scopes", "admin:org"),
        ],
        body: r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}"#,
        reads_as: Reading::Failed(K::InsufficientScopes),
    },
    Sample {
        name: "a refresh token that no longer works",
        situation: Situation::TokenFault("invalid_grant_on_refresh"),
        path: "",
        status: 200,
        headers: &[("content-type", "application/json; charset=utf-8")],
        body: r#"{"error":"bad_refresh_token","error_description":"The refresh token passed is incorrect or expired.","error_uri":"https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors"}"#,
        reads_as: Reading::RefreshRefused(K::RefreshFailed),
    },
];
