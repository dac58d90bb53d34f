//! The WorkOS mock's state: environments, users, integrations, connected
//! accounts, pending authorizations and events.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::provider::ProviderKind;

/// Sandbox or production: WorkOS refuses shared credentials in production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvironmentKind {
    /// Test environment; WorkOS shared OAuth apps are allowed.
    Sandbox,
    /// Live environment; every OAuth integration needs custom credentials.
    Production,
}

/// A WorkOS environment and its API keys.
#[derive(Debug, Clone)]
pub struct Environment {
    /// `environment_01...`.
    pub id: String,
    /// Sandbox or production.
    pub kind: EnvironmentKind,
    /// API keys that authenticate as this environment.
    pub api_keys: Vec<String>,
}

/// A user (AuthKit user management).
#[derive(Debug, Clone)]
pub struct User {
    /// `user_01...`.
    pub id: String,
    /// Environment it belongs to.
    pub env: String,
    /// Email, lowercased.
    pub email: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Created (ms).
    pub created_ms: i64,
}

/// Whose OAuth app an integration uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// WorkOS's shared app (sandbox only).
    Shared,
    /// The customer's own app.
    Custom {
        /// Client id at the provider.
        client_id: String,
        /// Client secret at the provider.
        client_secret: String,
    },
}

/// A data integration: a provider configured in one environment.
#[derive(Debug, Clone)]
pub struct Integration {
    /// `data_integration_01...`.
    pub id: String,
    /// Environment.
    pub env: String,
    /// Provider slug.
    pub slug: String,
    /// Provider.
    pub provider: ProviderKind,
    /// Disabled integrations cannot be connected or used.
    pub enabled: bool,
    /// Requested scopes; `None` = provider defaults.
    pub scopes: Option<Vec<String>>,
    /// Shared or custom OAuth app.
    pub credentials: Credentials,
    /// Description shown on consent.
    pub description: Option<String>,
    /// Created (ms).
    pub created_ms: i64,
    /// Updated (ms).
    pub updated_ms: i64,
}

/// `connected | needs_reauthorization | disconnected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    /// Usable.
    Connected,
    /// The user must reconnect.
    NeedsReauthorization,
    /// Removed.
    Disconnected,
}

impl AccountState {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Connected => "connected",
            AccountState::NeedsReauthorization => "needs_reauthorization",
            AccountState::Disconnected => "disconnected",
        }
    }
}

/// A connected account (`data_installation_...`).
#[derive(Debug, Clone)]
pub struct ConnectedAccount {
    /// `data_installation_01...`.
    pub id: String,
    /// Environment.
    pub env: String,
    /// Integration id.
    pub integration_id: String,
    /// Provider slug.
    pub slug: String,
    /// Owner user.
    pub user_id: Option<String>,
    /// Owner organization.
    pub organization_id: Option<String>,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Lifecycle state.
    pub state: AccountState,
    /// Provider access token.
    pub access_token: Option<String>,
    /// Provider refresh token.
    pub refresh_token: Option<String>,
    /// Access token expiry (ms).
    pub expires_ms: Option<i64>,
    /// Provider account id / login.
    pub account_identifier: Option<String>,
    /// Provider account display name.
    pub account_display_name: Option<String>,
    /// Created (ms).
    pub created_ms: i64,
    /// Updated (ms).
    pub updated_ms: i64,
}

/// An authorization in progress: created by `POST .../authorize`, consumed by the callback.
#[derive(Debug, Clone)]
pub struct PendingAuthorization {
    /// Opaque id in the authorize URL.
    pub id: String,
    /// Environment.
    pub env: String,
    /// Integration slug.
    pub slug: String,
    /// Who is connecting.
    pub user_id: String,
    /// For organization-owned connections.
    pub organization_id: Option<String>,
    /// Where to send the browser afterwards.
    pub return_to: Option<String>,
    /// `state` sent to the provider; the callback must bring it back.
    pub state: String,
    /// PKCE verifier.
    pub code_verifier: String,
    /// Used once.
    pub used: bool,
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

/// Everything the WorkOS mock knows.
#[derive(Debug, Default)]
pub struct WorkosState {
    /// Environments by id.
    pub environments: BTreeMap<String, Environment>,
    /// Users by id.
    pub users: BTreeMap<String, User>,
    /// Integrations by `(env, slug)`.
    pub integrations: BTreeMap<(String, String), Integration>,
    /// Connected accounts by id.
    pub accounts: BTreeMap<String, ConnectedAccount>,
    /// Pending authorizations by id.
    pub pending: HashMap<String, PendingAuthorization>,
    /// Events in order.
    pub events: Vec<Event>,
}

impl WorkosState {
    /// The environment an API key authenticates as.
    pub fn environment_for_key(&self, key: &str) -> Option<&Environment> {
        self.environments
            .values()
            .find(|e| e.api_keys.iter().any(|k| k == key))
    }

    /// The connected account of `user_id` for `slug` (user-owned, or for `org`).
    pub fn find_account(
        &self,
        env: &str,
        slug: &str,
        user_id: &str,
        org: Option<&str>,
    ) -> Option<&ConnectedAccount> {
        self.accounts.values().find(|a| {
            a.env == env
                && a.slug == slug
                && a.user_id.as_deref() == Some(user_id)
                && a.organization_id.as_deref() == org
                && a.state != AccountState::Disconnected
        })
    }
}
