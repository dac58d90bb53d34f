//! How Salesforce answers when a fault is mounted: its rate limits, outages,
//! missing scopes and refused refreshes, in its own wire format.

use wiremock::{Request, ResponseTemplate};

use super::routes;
use crate::providers::engine::Shared;

/// A rate-limited API call.
pub fn rate_limited(
    _shared: &Shared,
    _request: &Request,
    _retry_after: Option<u64>,
    _status: Option<u16>,
) -> ResponseTemplate {
    routes::rest_error(
        403,
        "REQUEST_LIMIT_EXCEEDED",
        "TotalRequests Limit exceeded.",
    )
    .insert_header(
        "sforce-limit-info",
        routes::limit_info(routes::DAILY_API_LIMIT + 1).as_str(),
    )
}

/// A server error with `status`.
pub fn server_error(status: u16) -> ResponseTemplate {
    let unavailable = status == 503;
    {
        if unavailable {
            routes::rest_error(
                status,
                "SERVER_UNAVAILABLE",
                "Server temporarily unavailable.",
            )
        } else {
            routes::rest_error(
                status,
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)",
            )
        }
    }
}

/// A cut-off API answer: (body, content type).
pub const MALFORMED_API_BODY: (&str, &str) = (
    "{\"totalSize\":5,\"done\":true,\"records\":[{",
    "application/json;charset=UTF-8",
);

/// An API call whose token lacks `needed` (the token holds `granted`).
pub fn insufficient_scope(
    _shared: &Shared,
    _request: &Request,
    _needed: Option<&str>,
    _granted: &[String],
) -> ResponseTemplate {
    routes::rest_error(
        401,
        "INVALID_SESSION_ID",
        "This session is not valid for use with the REST API",
    )
}

/// A refresh the token endpoint refuses.
pub fn refresh_refused(_request: &Request) -> ResponseTemplate {
    use crate::providers::engine::oauth::GrantError::BadRefreshToken;
    routes::grant_error(BadRefreshToken)
}

#[cfg(test)]
mod faults_tests {
    use serde_json::json;

    use crate::provider::ProviderKind;
    use crate::providers::engine::faults::tests::*;
    use crate::providers::engine::faults::*;
    use crate::providers::engine::testing;

    #[tokio::test]
    async fn a_rate_limit_is_403_request_limit_exceeded_without_a_retry_time() {
        let sf = testing::start(ProviderKind::Salesforce, true).await;
        let (token, _) = testing::tokens(&sf, "api").await;
        Fault::RateLimit {
            retry_after: None,
            status: None,
            on: Target::Api,
        }
        .apply(&sf, Some(1))
        .await
        .expect("applies");
        let resp = call(&sf, "/services/data/v62.0/sobjects", &token).await;
        assert_eq!(resp.status(), 403);
        assert!(testing::header(&resp, "retry-after").is_none());
        assert_eq!(
            testing::json(resp).await,
            json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
        );
    }
}
