//! WorkOS-shaped error responses.
//!
//! Bodies are `{"message", "code"}`, with `errors: [{field, code}]` on 422,
//! as reference section C describes; the fixed 401 body is the one the
//! WorkOS emulator uses, since the public spec gives 401 no body. Every error
//! is JSON with `Content-Type: application/json`: the Node SDK turns anything
//! else into an opaque parse error.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error the WorkOS mock answers with.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// JSON body.
    pub body: Value,
}

impl ApiError {
    /// `{message, code}` with `status`.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({ "message": message.into(), "code": code }),
        }
    }

    /// 401 for a missing, malformed or unknown API key.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized")
    }

    /// 404 for a missing entity.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "entity_not_found", message)
    }

    /// 400 for an unparsable body.
    pub fn bad_json(detail: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request_body",
            format!("Problems parsing JSON: {detail}"),
        )
    }

    /// 422 with field errors.
    pub fn unprocessable(errors: &[(&str, &str)]) -> Self {
        let list: Vec<Value> = errors
            .iter()
            .map(|(field, code)| json!({ "field": field, "code": code }))
            .collect();
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({
                "message": "Validation failed",
                "code": "invalid_request_parameters",
                "errors": list,
            }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
