//! Events: recording them, queueing their webhook deliveries, and
//! `GET /events`.
//!
//! `GET /events` takes `events` (comma-joined names; absent or empty = every
//! event, where the public spec would answer 422: both SDKs can send it
//! empty), `after` / `before` / `limit` / `order`, `range_start` /
//! `range_end` (ISO-8601) and `organization_id` (400 when the organization
//! does not exist). The list is oldest first unless `order=desc`, so a
//! consumer can follow the stream with `after`; the envelope's
//! `list_metadata` has only `after`, as the spec's `EventList` does.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::errors::ApiError;
use super::extract::QueryParams;
use super::json as shapes;
use super::state::{Delivery, DeliveryStatus, Event};
use super::{Ctx, Env, ok};
use crate::common::clock::parse_iso8601;

/// Every event name the Python SDK 10.6.0 accepts for webhook endpoints.
pub const KNOWN_EVENTS: &[&str] = &[
    "agent.blueprint.created",
    "agent.blueprint.deleted",
    "agent.blueprint.updated",
    "agent.instance.created",
    "agent.instance.deleted",
    "agent.instance.session.created",
    "agent.instance.session.revoked",
    "agent.registration.claim.attempt.created",
    "agent.registration.claim.completed",
    "agent.registration.created",
    "agent.registration.credential.issued",
    "agent.registration.deleted",
    "agent.registration.expired",
    "agent.registration.organization.switched",
    "agent.registration.refreshed",
    "agent.registration.revoked",
    "api_key.created",
    "api_key.revoked",
    "api_key.updated",
    "authentication.email_verification_succeeded",
    "authentication.magic_auth_failed",
    "authentication.magic_auth_succeeded",
    "authentication.mfa_succeeded",
    "authentication.oauth_failed",
    "authentication.oauth_succeeded",
    "authentication.passkey_failed",
    "authentication.passkey_succeeded",
    "authentication.password_failed",
    "authentication.password_succeeded",
    "authentication.radar_risk_detected",
    "authentication.reauthentication_succeeded",
    "authentication.sso_failed",
    "authentication.sso_started",
    "authentication.sso_succeeded",
    "authentication.sso_timed_out",
    "connection.activated",
    "connection.deactivated",
    "connection.deleted",
    "connection.saml_certificate_renewal_required",
    "connection.saml_certificate_renewed",
    "dsync.activated",
    "dsync.deleted",
    "dsync.group.created",
    "dsync.group.deleted",
    "dsync.group.updated",
    "dsync.group.user_added",
    "dsync.group.user_removed",
    "dsync.user.created",
    "dsync.user.deleted",
    "dsync.user.updated",
    "email_verification.created",
    "flag.created",
    "flag.deleted",
    "flag.rule_updated",
    "flag.updated",
    "group.created",
    "group.deleted",
    "group.member_added",
    "group.member_removed",
    "group.updated",
    "invitation.accepted",
    "invitation.created",
    "invitation.resent",
    "invitation.revoked",
    "magic_auth.created",
    "organization.created",
    "organization.deleted",
    "organization.updated",
    "organization_domain.created",
    "organization_domain.deleted",
    "organization_domain.updated",
    "organization_domain.verification_failed",
    "organization_domain.verified",
    "organization_membership.created",
    "organization_membership.deleted",
    "organization_membership.updated",
    "organization_role.created",
    "organization_role.deleted",
    "organization_role.updated",
    "password_reset.created",
    "password_reset.succeeded",
    "permission.created",
    "permission.deleted",
    "permission.updated",
    "pipes.account_connection.add_failed",
    "pipes.account_connection.connected",
    "pipes.account_connection.connection_failed",
    "pipes.account_connection.disconnected",
    "pipes.account_connection.reauthorization_needed",
    "pipes.connected_account.connected",
    "pipes.connected_account.connection_failed",
    "pipes.connected_account.disconnected",
    "pipes.connected_account.reauthorization_needed",
    "radar.challenge_created",
    "role.created",
    "role.deleted",
    "role.updated",
    "session.created",
    "session.revoked",
    "user.created",
    "user.deleted",
    "user.updated",
    "waitlist_user.approved",
    "waitlist_user.created",
    "waitlist_user.denied",
];

impl Ctx {
    /// Records an event and queues a delivery to every enabled webhook
    /// endpoint of `env` subscribed to it. Call [`Ctx::flush`] afterwards.
    pub fn emit(&self, env: &str, name: &str, data: Value) -> String {
        let now = self.clock.now_ms();
        let event = Event {
            id: self.ids.id("event"),
            env: env.to_string(),
            event: name.to_string(),
            data,
            created_ms: now,
        };
        let id = event.id.clone();
        let mut st = self.state();
        let mut endpoints: Vec<_> = st
            .webhook_endpoints
            .values()
            .filter(|e| {
                e.env == env
                    && e.enabled
                    && (e.events.is_empty() || e.events.iter().any(|n| n == name))
            })
            .map(|e| (e.seq, e.id.clone()))
            .collect();
        endpoints.sort();
        for (_, endpoint_id) in endpoints {
            st.push_delivery(Delivery {
                event_id: id.clone(),
                endpoint_id,
                attempts: 0,
                next_attempt_ms: now,
                status: DeliveryStatus::Pending,
                last_outcome: None,
            });
        }
        st.push_event(event);
        id
    }
}

/// `GET /events`.
pub async fn list(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    q: QueryParams,
) -> Result<Response, ApiError> {
    let names: Vec<String> = q
        .get("events")
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let range_start = time_param(&q, "range_start")?;
    let range_end = time_param(&q, "range_end")?;
    let org = q.get("organization_id").map(str::to_string);
    let order = q
        .one_of("order", &["asc", "desc", "normal"])?
        .unwrap_or_else(|| "asc".to_string());
    let limit = super::pagination::limit(&q)?;
    let st = ctx.state();
    if let Some(o) = &org
        && st.organization_in(&env, o).is_none()
    {
        return Err(ApiError::bad_request(
            "organization_not_found",
            format!("Organization '{o}' not found."),
        ));
    }
    let mut rows: Vec<(usize, &Event)> = st
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.env == env)
        .filter(|(_, e)| names.is_empty() || names.contains(&e.event))
        .filter(|(_, e)| range_start.is_none_or(|t| e.created_ms >= t))
        .filter(|(_, e)| range_end.is_none_or(|t| e.created_ms <= t))
        .filter(|(_, e)| {
            org.as_deref()
                .is_none_or(|o| e.data.get("organization_id").and_then(Value::as_str) == Some(o))
        })
        .collect();
    if order != "asc" {
        rows.reverse();
    }
    // The cursor may be an event the filters hide: position by stream order.
    let start = match q.get("after") {
        Some(cursor) => {
            let Some(at) = st
                .events
                .iter()
                .position(|e| e.id == cursor && e.env == env)
            else {
                return Err(ApiError::invalid_field(
                    "after",
                    "invalid",
                    format!("after must be the id of an event; got '{cursor}'."),
                ));
            };
            rows.iter()
                .position(|(i, _)| if order == "asc" { *i > at } else { *i < at })
                .unwrap_or(rows.len())
        }
        None => 0,
    };
    let end = (start + limit).min(rows.len());
    let data: Vec<Value> = rows[start..end]
        .iter()
        .map(|(_, e)| shapes::event(e))
        .collect();
    let after = if end < rows.len() && end > start {
        rows.get(end - 1).map(|(_, e)| e.id.clone())
    } else {
        None
    };
    Ok(ok(json!({
        "object": "list",
        "data": data,
        "list_metadata": { "after": after },
    })))
}

fn time_param(q: &QueryParams, name: &str) -> Result<Option<i64>, ApiError> {
    match q.get(name) {
        None => Ok(None),
        Some(text) => parse_iso8601(text).map(Some).ok_or_else(|| {
            ApiError::invalid_field(
                name,
                "invalid",
                format!("{name} must be an ISO-8601 timestamp; got '{text}'."),
            )
        }),
    }
}
