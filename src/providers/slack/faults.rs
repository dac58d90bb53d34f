//! How Slack answers when a fault is mounted: its rate limits, outages,
//! missing scopes and refused refreshes, in its own wire format.

use serde_json::json;
use wiremock::{Request, ResponseTemplate};

use super::routes;
use crate::providers::engine::Shared;

/// A rate-limited API call.
pub fn rate_limited(
    _shared: &Shared,
    _request: &Request,
    retry_after: Option<u64>,
    _status: Option<u16>,
) -> ResponseTemplate {
    routes::error(429, "ratelimited", &[]).insert_header(
        "retry-after",
        retry_after.unwrap_or(30).to_string().as_str(),
    )
}

/// A server error with `status`.
pub fn server_error(status: u16) -> ResponseTemplate {
    let unavailable = status == 503;
    routes::error(
        status,
        if unavailable {
            "service_unavailable"
        } else {
            "internal_error"
        },
        &[],
    )
}

/// A cut-off API answer: (body, content type).
pub const MALFORMED_API_BODY: (&str, &str) = (
    "{\"ok\":true,\"channels\":[{\"id\":\"C0",
    "application/json; charset=utf-8",
);

/// An API call whose token lacks `needed` (the token holds `granted`).
pub fn insufficient_scope(
    _shared: &Shared,
    _request: &Request,
    needed: Option<&str>,
    granted: &[String],
) -> ResponseTemplate {
    routes::error(
        200,
        "missing_scope",
        &[
            ("needed", json!(needed.unwrap_or("channels:history"))),
            ("provided", json!(granted.join(","))),
        ],
    )
    .insert_header("x-oauth-scopes", granted.join(",").as_str())
}

/// A refresh the token endpoint refuses.
pub fn refresh_refused(_request: &Request) -> ResponseTemplate {
    use crate::providers::engine::oauth::GrantError::BadRefreshToken;
    routes::error(200, routes::grant_error_code(BadRefreshToken), &[])
}
