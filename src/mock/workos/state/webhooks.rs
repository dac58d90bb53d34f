//! Webhook endpoints, the events the mock emits and their deliveries.

use serde_json::Value;

/// `enabled | disabled`.
#[derive(Debug, Clone)]
pub struct WebhookEndpoint {
    /// `we_01...`.
    pub id: String,
    /// Environment.
    pub env: String,
    /// Where deliveries go.
    pub endpoint_url: String,
    /// `whsec_...`, the HMAC key.
    pub secret: String,
    /// Disabled endpoints receive nothing.
    pub enabled: bool,
    /// Subscribed event names.
    pub events: Vec<String>,
    /// Created (ms).
    pub created_ms: i64,
    /// Updated (ms).
    pub updated_ms: i64,
    /// Creation order.
    pub seq: u64,
}

/// An event, as listed by `/events` and delivered to webhook endpoints.
#[derive(Debug, Clone)]
pub struct Event {
    /// `event_01...`.
    pub id: String,
    /// Environment.
    pub env: String,
    /// e.g. `pipes.connected_account.connected`.
    pub event: String,
    /// Event data.
    pub data: Value,
    /// Created (ms).
    pub created_ms: i64,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt failed; no more retries.
    Failed,
}

/// One event on its way to one endpoint.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The event.
    pub event_id: String,
    /// The endpoint.
    pub endpoint_id: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due (ms, virtual clock).
    pub next_attempt_ms: i64,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// The last attempt's outcome, for the control API and tests.
    pub last_outcome: Option<String>,
}
