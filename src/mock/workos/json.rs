//! The JSON shapes of WorkOS objects, field for field as the official SDKs
//! parse them (reference section B.2): every key the Python SDK requires is
//! present, nullable ones as `null`.

use serde_json::{Value, json};

use super::state::{ConnectedAccount, Integration};
use crate::mock::clock::iso8601;

/// `ConnectedAccount`.
pub fn connected_account(a: &ConnectedAccount) -> Value {
    json!({
        "object": "connected_account",
        "id": a.id,
        "connection_role": "compatibility",
        "account_identifier": a.account_identifier,
        "account_display_name": a.account_display_name,
        "user_id": a.user_id,
        "organization_id": a.organization_id,
        "scopes": a.scopes,
        "state": a.state.as_str(),
        "auth_method": "oauth",
        "config": {},
        "established_by_user_id": a.user_id,
        "state_reason": null,
        "created_at": iso8601(a.created_ms),
        "updated_at": iso8601(a.updated_ms),
    })
}

/// The `data` of `pipes.connected_account.*` events.
pub fn account_event_data(a: &ConnectedAccount) -> Value {
    json!({
        "object": "connected_account",
        "id": a.id,
        "data_integration_id": a.integration_id,
        "provider_slug": a.slug,
        "user_id": a.user_id,
        "organization_id": a.organization_id,
        "scopes": a.scopes,
        "state": a.state.as_str(),
        "created_at": iso8601(a.created_ms),
        "updated_at": iso8601(a.updated_ms),
        "connection_role": "compatibility",
        "account_identifier": a.account_identifier,
        "account_display_name": a.account_display_name,
        "auth_method": "oauth",
    })
}

/// The `data` of `pipes.connected_account.connection_failed`: no `id`, by design.
pub fn connection_failed_data(
    i: &Integration,
    user_id: &str,
    organization_id: Option<&str>,
    error_code: &str,
    provider_error: Option<&str>,
    provider_error_description: Option<&str>,
    created_ms: i64,
) -> Value {
    json!({
        "object": "connection_failed",
        "data_integration_id": i.id,
        "provider_slug": i.slug,
        "user_id": user_id,
        "organization_id": organization_id,
        "error_code": error_code,
        "error_reason": provider_error_description,
        "provider_error": provider_error,
        "provider_error_description": provider_error_description,
        "created_at": iso8601(created_ms),
    })
}

/// The active variant of the access-token response.
pub fn access_token(
    token: &str,
    expires_ms: Option<i64>,
    scopes: &[String],
    missing: &[String],
) -> Value {
    json!({
        "active": true,
        "access_token": {
            "object": "access_token",
            "access_token": token,
            "expires_at": expires_ms.map(iso8601),
            "scopes": scopes,
            "missing_scopes": missing,
        }
    })
}

/// The inactive variant: `not_installed` or `needs_reauthorization`, with HTTP 200.
pub fn inactive(error: &str) -> Value {
    json!({ "active": false, "error": error })
}
