//! How Google answers when a fault is mounted: its rate limits, outages,
//! missing scopes and refused refreshes, in its own wire format.

use serde_json::json;
use wiremock::{Request, ResponseTemplate};

use super::routes;
use crate::providers::engine::{Shared, wire};

/// A rate-limited API call.
pub fn rate_limited(
    _shared: &Shared,
    _request: &Request,
    retry_after: Option<u64>,
    _status: Option<u16>,
) -> ResponseTemplate {
    match retry_after {
        None => wire::json(
            403,
            &json!({"error": {
                "errors": [{
                    "domain": "usageLimits",
                    "reason": "userRateLimitExceeded",
                    "message": "User Rate Limit Exceeded",
                }],
                "code": 403,
                "message": "User Rate Limit Exceeded",
            }}),
            "application/json; charset=UTF-8",
        ),
        Some(s) => wire::json(
            429,
            &routes::aip193(
                429,
                "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'calendar-json.googleapis.com'.",
                "RESOURCE_EXHAUSTED",
                Some((
                    "RATE_LIMIT_EXCEEDED",
                    json!({
                        "service": "calendar-json.googleapis.com",
                        "quota_metric": "calendar-json.googleapis.com/requests",
                        "quota_limit": "defaultPerMinutePerUser",
                        "quota_limit_value": "600",
                        "consumer": "projects/000000000000",
                    }),
                )),
                None,
            ),
            "application/json; charset=UTF-8",
        )
        .insert_header("retry-after", s.to_string().as_str()),
    }
}

/// A server error with `status`.
pub fn server_error(status: u16) -> ResponseTemplate {
    {
        let (grpc, message) = match status {
            503 => ("UNAVAILABLE", "The service is currently unavailable."),
            504 => ("DEADLINE_EXCEEDED", "The request timed out."),
            _ => ("INTERNAL", "Internal error encountered."),
        };
        wire::json(
            status,
            &routes::aip193(status, message, grpc, None, None),
            "application/json; charset=UTF-8",
        )
    }
}

/// A cut-off API answer: (body, content type).
pub const MALFORMED_API_BODY: (&str, &str) =
    ("{\n  \"sub\": \"1", "application/json; charset=UTF-8");

/// An API call whose token lacks `needed` (the token holds `granted`).
pub fn insufficient_scope(
    _shared: &Shared,
    _request: &Request,
    needed: Option<&str>,
    _granted: &[String],
) -> ResponseTemplate {
    routes::insufficient_scope(
        "calendar-json.googleapis.com",
        "calendar.v3.Events.List",
        needed.unwrap_or("https://www.googleapis.com/auth/calendar.readonly"),
    )
}

/// A refresh the token endpoint refuses.
pub fn refresh_refused(_request: &Request) -> ResponseTemplate {
    use crate::providers::engine::oauth::GrantError::BadRefreshToken;
    routes::grant_error(BadRefreshToken, "refresh_token")
}

#[cfg(test)]
mod faults_tests {
    use crate::provider::ProviderKind;
    use crate::providers::engine::faults::tests::*;
    use crate::providers::engine::faults::*;
    use crate::providers::engine::testing;

    #[tokio::test]
    async fn a_rate_limit_is_403_user_rate_limit_exceeded() {
        let google = testing::start(ProviderKind::Google, true).await;
        let (token, _) = testing::tokens(&google, "openid email").await;
        Fault::RateLimit {
            retry_after: None,
            status: None,
            on: Target::Api,
        }
        .apply(&google, Some(1))
        .await
        .expect("applies");
        let resp = call(&google, "/v1/userinfo", &token).await;
        assert_eq!(resp.status(), 403);
        assert_eq!(
            testing::json(resp).await["error"]["errors"][0]["reason"],
            "userRateLimitExceeded"
        );
    }
}
