//! Data integrations and what hangs off them: ownership, auth methods and
//! credentials, a custom provider's definition, connected accounts,
//! authorizations in progress, connections held for the app, and
//! organizations' configurations.

use std::collections::BTreeMap;

use crate::provider::ProviderKind;

/// Whose connections an integration holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ownership {
    /// Users connect their own accounts.
    User,
    /// One connection shared by every member of an organization.
    Organization,
}

impl Ownership {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Ownership::User => "user",
            Ownership::Organization => "organization",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(Ownership::User),
            "organization" => Some(Ownership::Organization),
            _ => None,
        }
    }
}

/// `oauth | api_key | client_credentials`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// The OAuth authorization-code flow.
    OAuth,
    /// A per-tenant API key.
    ApiKey,
    /// A per-tenant OAuth client-credentials pair.
    ClientCredentials,
}

impl AuthMethod {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::OAuth => "oauth",
            AuthMethod::ApiKey => "api_key",
            AuthMethod::ClientCredentials => "client_credentials",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "oauth" => Some(AuthMethod::OAuth),
            "api_key" => Some(AuthMethod::ApiKey),
            "client_credentials" => Some(AuthMethod::ClientCredentials),
            _ => None,
        }
    }
}

/// Whose OAuth app an integration uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// WorkOS's shared app (sandbox only; configured in the dashboard).
    Shared,
    /// The customer's own app.
    Custom {
        /// Client id at the provider.
        client_id: String,
        /// Client secret at the provider.
        client_secret: String,
    },
    /// Each organization supplies its own app (data integration configurations).
    Organization,
}

/// A custom provider's OAuth definition.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomProvider {
    /// Display name.
    pub name: String,
    /// Authorize page.
    pub authorization_url: Option<String>,
    /// Token endpoint.
    pub token_url: Option<String>,
    /// Refresh endpoint, when it differs from the token endpoint.
    pub refresh_token_url: Option<String>,
    /// Whether to send a PKCE challenge.
    pub pkce_enabled: bool,
    /// How scopes are joined in the authorize URL.
    pub request_scope_separator: String,
    /// Whether at least one scope is required.
    pub scopes_required: bool,
    /// Whether the token endpoint needs the client secret.
    pub client_secret_required: bool,
    /// Extra authorize-URL parameters.
    pub additional_authorization_parameters: BTreeMap<String, String>,
    /// `application/x-www-form-urlencoded` or `application/json`.
    pub token_body_content_type: String,
    /// `request_body | basic_auth_header`.
    pub authenticate_via: String,
}

/// A data integration: a provider configured in one environment, once per ownership.
#[derive(Debug, Clone)]
pub struct Integration {
    /// `data_integration_01...`.
    pub id: String,
    /// Environment.
    pub env: String,
    /// Provider slug.
    pub slug: String,
    /// Built-in provider, or `None` for a custom provider.
    pub provider: Option<ProviderKind>,
    /// User- or organization-owned.
    pub ownership: Ownership,
    /// Disabled integrations cannot be connected or used.
    pub enabled: bool,
    /// Requested scopes; `None` = provider defaults.
    pub scopes: Option<Vec<String>>,
    /// Supported auth methods.
    pub auth_methods: Vec<AuthMethod>,
    /// Shared, custom or organization OAuth app.
    pub credentials: Credentials,
    /// Description shown on consent.
    pub description: Option<String>,
    /// Provider-specific config.
    pub config: BTreeMap<String, String>,
    /// The OAuth definition of a custom provider.
    pub custom_provider: Option<CustomProvider>,
    /// Created (ms).
    pub created_ms: i64,
    /// Updated (ms).
    pub updated_ms: i64,
    /// Creation order.
    pub seq: u64,
}

impl Integration {
    /// An enabled, user-owned OAuth integration of a built-in provider on
    /// WorkOS's shared app, as the dashboard creates one.
    pub fn builtin(id: &str, env: &str, kind: ProviderKind, now_ms: i64) -> Self {
        Integration {
            id: id.to_string(),
            env: env.to_string(),
            slug: kind.slug().to_string(),
            provider: Some(kind),
            ownership: Ownership::User,
            enabled: true,
            scopes: None,
            auth_methods: vec![AuthMethod::OAuth],
            credentials: Credentials::Shared,
            description: None,
            config: BTreeMap::new(),
            custom_provider: None,
            created_ms: now_ms,
            updated_ms: now_ms,
            seq: 0,
        }
    }

    /// The integration's main auth method.
    pub fn auth_method(&self) -> AuthMethod {
        self.auth_methods
            .first()
            .copied()
            .unwrap_or(AuthMethod::OAuth)
    }
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

/// `compatibility` (the one legacy callers see) or `standard` (an added one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionRole {
    /// The owner's first connection, visible without `supports_multiple_connections`.
    Compatibility,
    /// A further connection, added with `connection_intent: add`.
    Standard,
}

impl ConnectionRole {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionRole::Compatibility => "compatibility",
            ConnectionRole::Standard => "standard",
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
    /// Owner user (`None` for organization-owned connections).
    pub user_id: Option<String>,
    /// Owner organization, or the organization a user connection is scoped to.
    pub organization_id: Option<String>,
    /// User- or organization-owned.
    pub ownership: Ownership,
    /// Compatibility or standard.
    pub connection_role: ConnectionRole,
    /// The member who connected an organization-owned account.
    pub established_by_user_id: Option<String>,
    /// How it authenticates.
    pub auth_method: AuthMethod,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Lifecycle state.
    pub state: AccountState,
    /// Why it is in that state (`establishing_member_membership_ended`).
    pub state_reason: Option<String>,
    /// Provider access token (OAuth and client credentials).
    pub access_token: Option<String>,
    /// Provider refresh token.
    pub refresh_token: Option<String>,
    /// Access token expiry (ms).
    pub expires_ms: Option<i64>,
    /// API key secret (api_key installations).
    pub api_key: Option<String>,
    /// Client id (client_credentials installations).
    pub client_id: Option<String>,
    /// Client secret (client_credentials installations).
    pub client_secret: Option<String>,
    /// Installation config snapshot.
    pub config: BTreeMap<String, String>,
    /// Provider account id / login.
    pub account_identifier: Option<String>,
    /// Provider account display name.
    pub account_display_name: Option<String>,
    /// Created (ms).
    pub created_ms: i64,
    /// Updated (ms).
    pub updated_ms: i64,
    /// Creation order.
    pub seq: u64,
}

impl ConnectedAccount {
    /// A connected OAuth account of `user_id` with no token yet, to be filled in.
    pub fn oauth(id: &str, integration: &Integration, user_id: &str, now_ms: i64) -> Self {
        ConnectedAccount {
            id: id.to_string(),
            env: integration.env.clone(),
            integration_id: integration.id.clone(),
            slug: integration.slug.clone(),
            user_id: Some(user_id.to_string()),
            organization_id: None,
            ownership: integration.ownership,
            connection_role: ConnectionRole::Compatibility,
            established_by_user_id: Some(user_id.to_string()),
            auth_method: AuthMethod::OAuth,
            scopes: Vec::new(),
            state: AccountState::Connected,
            state_reason: None,
            access_token: None,
            refresh_token: None,
            expires_ms: None,
            api_key: None,
            client_id: None,
            client_secret: None,
            config: BTreeMap::new(),
            account_identifier: None,
            account_display_name: None,
            created_ms: now_ms,
            updated_ms: now_ms,
            seq: 0,
        }
    }
}

/// What a connect flow was started for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// Create or replace the compatibility connection.
    Default,
    /// Add another connection.
    Add,
    /// Reconnect one exact connection.
    Reauthorize(String),
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
    /// The integration being connected.
    pub integration_id: String,
    /// Who is connecting.
    pub user_id: String,
    /// For organization-owned or organization-scoped connections.
    pub organization_id: Option<String>,
    /// What the flow creates.
    pub intent: Intent,
    /// Label to store on the connection.
    pub account_display_name: Option<String>,
    /// Where to send the browser afterwards.
    pub return_to: Option<String>,
    /// `state` sent to the provider; the callback must bring it back.
    pub state: String,
    /// PKCE verifier.
    pub code_verifier: String,
    /// Used once.
    pub used: bool,
    /// The `state` the authorize answer gave the app; WorkOS adds it to
    /// `return_to` with `connect_code` or `error`.
    pub app_state: String,
    /// The app's PKCE challenge (S256): the connection is held until the app
    /// finishes it with the verifier.
    pub code_challenge: Option<String>,
}

impl PendingAuthorization {
    /// `connection_intent` and `connected_account_id` as the app sent them.
    pub fn intent_fields(&self) -> (Option<&'static str>, Option<&str>) {
        match &self.intent {
            Intent::Default => (None, None),
            Intent::Add => (Some("add"), None),
            Intent::Reauthorize(id) => (Some("reauthorize"), Some(id.as_str())),
        }
    }
}

/// A connection the provider granted, held until the app finishes it
/// (`POST /data-integrations/finish`) with its `connect_code`.
#[derive(Debug, Clone)]
pub struct HeldConnection {
    /// The authorization it completes.
    pub pending: PendingAuthorization,
    /// What the provider granted.
    pub grant: crate::mock::workos::connect::Grant,
    /// When the `connect_code` stops working (ms).
    pub expires_ms: i64,
}

/// An organization's configuration of an integration (pipes provider API).
#[derive(Debug, Clone, Default)]
pub struct OrgConfiguration {
    /// Overrides `enabled`.
    pub enabled: Option<bool>,
    /// Overrides scopes (`None` = inherit).
    pub scopes: Option<Vec<String>>,
    /// The organization's own OAuth app: `(client_id, client_secret)`.
    pub app: Option<(String, String)>,
    /// Provider config for organization-credential integrations.
    pub config: BTreeMap<String, String>,
    /// Created (ms).
    pub created_ms: i64,
    /// Updated (ms).
    pub updated_ms: i64,
}
