//! Google's answers, as Google sends them (developers.google.com, AIP-193).

use crate::diagnosis::DiagnosisKind as K;
use crate::providers::corpus::{Reading, Sample, Situation};

/// The samples; see `providers::corpus` for how they are read.
pub const SAMPLES: &[Sample] = &[
    Sample {
        name: "a revoked token",
        situation: Situation::RevokedToken,
        path: "/v1/userinfo",
        status: 401,
        headers: &[(
            "www-authenticate",
            r#"Bearer realm="https://accounts.google.com/", error="invalid_token""#,
        )],
        body: r#"{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.","status":"UNAUTHENTICATED"}}"#,
        reads_as: Reading::Failed(K::TokenRevoked),
    },
    Sample {
        name: "a per-user rate limit",
        situation: Situation::ApiFault("rate_limit"),
        path: "/v1/userinfo",
        status: 403,
        headers: &[],
        body: r#"{"error":{"errors":[{"domain":"usageLimits","reason":"userRateLimitExceeded","message":"User Rate Limit Exceeded"}],"code":403,"message":"User Rate Limit Exceeded"}}"#,
        reads_as: Reading::RateLimited,
    },
    Sample {
        name: "an outage",
        situation: Situation::ApiFault("server_error status=503"),
        path: "/v1/userinfo",
        status: 503,
        headers: &[],
        body: r#"{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}"#,
        reads_as: Reading::Unavailable,
    },
    Sample {
        name: "insufficient scopes",
        situation: Situation::ApiFault("insufficient_scope"),
        path: "/v1/userinfo",
        status: 403,
        headers: &[],
        body: r#"{"error":{"code":403,"message":"Request had insufficient authentication scopes.","errors":[{"message":"Insufficient Permission","domain":"global","reason":"insufficientPermissions"}],"status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACCESS_TOKEN_SCOPE_INSUFFICIENT","domain":"googleapis.com","metadata":{"service":"calendar-json.googleapis.com","method":"calendar.v3.Events.List"}}]}}"#,
        reads_as: Reading::Failed(K::InsufficientScopes),
    },
    Sample {
        name: "an expired or revoked refresh token",
        situation: Situation::TokenFault("invalid_grant_on_refresh"),
        path: "",
        status: 400,
        headers: &[("content-type", "application/json; charset=utf-8")],
        body: r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#,
        reads_as: Reading::RefreshRefused(K::InvalidGrant),
    },
];
