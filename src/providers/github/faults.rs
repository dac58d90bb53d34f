//! How GitHub answers when a fault is mounted: its rate limits, outages,
//! missing scopes and refused refreshes, in its own wire format.

use wiremock::{Request, ResponseTemplate};

use super::routes;
use crate::providers::engine::{Shared, wire};

/// A rate-limited API call.
pub fn rate_limited(
    shared: &Shared,
    request: &Request,
    retry_after: Option<u64>,
    status: Option<u16>,
) -> ResponseTemplate {
    let now = shared.clock.now_secs();
    {
        let status = status.unwrap_or(403);
        let wait = retry_after.unwrap_or(60);
        let who = shared
            .token_of(request)
            .and_then(|t| shared.engine().accounts.get(&t.login).map(|a| a.id))
            .map(|id| format!("user ID {id}"))
            .unwrap_or_else(|| "127.0.0.1".to_string());
        let resp = routes::api_error(
            status,
            &format!("API rate limit exceeded for {who}."),
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        );
        let limit = routes::RATE_LIMIT;
        let resp = routes::api_headers(shared, resp, limit, 0).insert_header(
            "x-ratelimit-reset",
            (now + wait as i64).to_string().as_str(),
        );
        match retry_after {
            Some(s) => resp.insert_header("retry-after", s.to_string().as_str()),
            None => resp,
        }
    }
}

/// A server error with `status`.
pub fn server_error(status: u16) -> ResponseTemplate {
    let unavailable = status == 503;
    routes::api_error(
        status,
        if unavailable {
            "Service Unavailable"
        } else {
            "Server Error"
        },
        "https://docs.github.com/rest",
    )
}

/// A cut-off API answer: (body, content type).
pub const MALFORMED_API_BODY: (&str, &str) = ("{\"login\":\"", "application/json; charset=utf-8");

/// An API call whose token lacks `needed` (the token holds `granted`).
pub fn insufficient_scope(
    shared: &Shared,
    _request: &Request,
    needed: Option<&str>,
    granted: &[String],
) -> ResponseTemplate {
    {
        let needed = needed.unwrap_or("admin:org");
        routes::api_headers(
            shared,
            routes::api_error(404, "Not Found", "https://docs.github.com/rest"),
            1,
            routes::RATE_LIMIT - 1,
        )
        .insert_header("x-oauth-scopes", granted.join(", ").as_str())
        .insert_header("x-accepted-oauth-scopes", needed)
    }
}

/// A refresh the token endpoint refuses.
pub fn refresh_refused(request: &Request) -> ResponseTemplate {
    use crate::providers::engine::oauth::GrantError::BadRefreshToken;
    routes::token_error(request, BadRefreshToken)
}

/// GitHub's secondary rate limit: a 403 whose message says so.
pub fn secondary_rate_limit(
    shared: &Shared,
    request: &Request,
    retry_after: Option<u64>,
) -> ResponseTemplate {
    let used = shared
        .token_of(request)
        .and_then(|_| {
            wire::bearer_or_form_token(request).and_then(|t| shared.engine().calls.get(&t).copied())
        })
        .unwrap_or(0)
        + 1;
    let resp = routes::api_error(
        403,
        &format!(
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID C0DE:{used:04X}:{:06X}.",
            shared.clock.now_secs() & 0xFF_FFFF
        ),
        "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
    );
    let resp = routes::api_headers(shared, resp, used, routes::RATE_LIMIT.saturating_sub(used));
    match retry_after {
        Some(s) => resp.insert_header("retry-after", s.to_string().as_str()),
        None => resp,
    }
}

#[cfg(test)]
mod faults_tests {
    use crate::provider::ProviderKind;
    use crate::providers::engine::faults::tests::*;
    use crate::providers::engine::faults::*;
    use crate::providers::engine::testing;

    #[tokio::test]
    async fn github_primary_rate_limit_is_403_with_remaining_zero_and_a_reset() {
        let mock = testing::start(ProviderKind::Github, false).await;
        let (token, _) = testing::tokens(&mock, "repo").await;
        Fault::RateLimit {
            retry_after: None,
            status: None,
            on: Target::Api,
        }
        .apply(&mock, Some(1))
        .await
        .expect("applies");
        let resp = call(&mock, "/user", &token).await;
        assert_eq!(resp.status(), 403);
        assert_eq!(
            testing::header(&resp, "x-ratelimit-remaining").as_deref(),
            Some("0")
        );
        let now = mock.shared().clock.now_secs();
        assert_eq!(
            testing::header(&resp, "x-ratelimit-reset"),
            Some((now + 60).to_string())
        );
        assert!(testing::header(&resp, "retry-after").is_none());
        let body = testing::json(resp).await;
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("API rate limit exceeded for user ID"))
        );
    }

    #[tokio::test]
    async fn github_secondary_limit_says_so_and_keeps_primary_headroom() {
        let mock = testing::start(ProviderKind::Github, false).await;
        let (token, _) = testing::tokens(&mock, "repo").await;
        Fault::SecondaryRateLimit {
            retry_after: Some(2),
        }
        .apply(&mock, Some(1))
        .await
        .expect("applies");
        let resp = call(&mock, "/user", &token).await;
        assert_eq!(resp.status(), 403);
        assert_eq!(testing::header(&resp, "retry-after").as_deref(), Some("2"));
        assert_ne!(
            testing::header(&resp, "x-ratelimit-remaining").as_deref(),
            Some("0")
        );
        let body = testing::json(resp).await;
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("You have exceeded a secondary rate limit"))
        );
    }
}
