//! WorkOS-shaped error responses.
//!
//! Bodies are `{"message", "code"}`, with `errors: [{field, code}]` on 422,
//! as reference section C describes; the fixed 401 body is the one the
//! WorkOS emulator uses, since the public spec gives 401 no body. Every error
//! is JSON with `Content-Type: application/json`: the Node SDK turns anything
//! else into an opaque parse error. The status decides which exception the
//! SDKs raise (Python `BadRequestError` for 400, `AuthenticationError` 401,
//! `AuthorizationError` 403, `NotFoundError` 404, `ConflictError` 409,
//! `UnprocessableEntityError` 422, `RateLimitExceededError` 429).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error the WorkOS mock answers with.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// JSON body.
    pub body: Value,
    /// `Retry-After` seconds, for 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// `{message, code}` with `status`.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({ "message": message.into(), "code": code }),
            retry_after: None,
        }
    }

    /// 400 with `code`.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 401 for a missing, malformed or unknown API key.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized")
    }

    /// 403 with `code`.
    pub fn forbidden(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    /// 404 for a missing entity.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "entity_not_found", message)
    }

    /// 404 for a data integration slug that is not configured.
    pub fn integration_not_found(slug: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "data_integration_not_found",
            format!("Data integration not found for the given provider slug: '{slug}'"),
        )
    }

    /// 409 with `code`.
    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 400 for an unparsable body.
    pub fn bad_json(detail: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request_body",
            format!("Problems parsing JSON: {detail}"),
        )
    }

    /// 422 with field errors, each `(field, code)`.
    pub fn unprocessable(errors: &[(&str, &str)]) -> Self {
        let list: Vec<Value> = errors
            .iter()
            .map(|(field, code)| json!({ "field": field, "code": code }))
            .collect();
        let fields: Vec<String> = errors
            .iter()
            .map(|(field, code)| format!("{field} is {}", describe(code)))
            .collect();
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({
                "message": format!("Validation failed: {}", fields.join(", ")),
                "code": "invalid_request_parameters",
                "errors": list,
            }),
            retry_after: None,
        }
    }

    /// 422 for one field with a message of its own.
    pub fn invalid_field(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({
                "message": message.into(),
                "code": "invalid_request_parameters",
                "errors": [{ "field": field, "code": code }],
            }),
            retry_after: None,
        }
    }

    /// 429 with `Retry-After`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after_secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_exceeded",
                "Too Many Requests",
            )
        }
    }
}

fn describe(code: &str) -> &str {
    match code {
        "required" => "required",
        "invalid" => "invalid",
        other => other,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, Json(self.body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}
