//! Typed request and response models of the Pipes API, field for field as
//! the real JSON (reference section B.2 and D).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `POST /data-integrations/{slug}/authorize` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// The user connecting.
    pub user_id: String,
    /// For organization-owned connections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Where the browser goes afterwards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_to: Option<String>,
}

/// `{url}` from the authorize endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuthorizeUrl {
    /// Send the user's browser here.
    pub url: String,
    /// Identifies this authorization: WorkOS adds it to `return_to` with a
    /// `connect_code` or an `error`. Keep it in the user's session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `finish_required` when the request carried a `code_challenge`: the
    /// app must finish the connection (`POST /data-integrations/finish`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion: Option<String>,
}

/// `POST /data-integrations/finish` body: saves a connection started with a
/// `code_challenge`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FinishConnection {
    /// The `connect_code` WorkOS added to `return_to` (single use, 90 seconds).
    pub connect_code: String,
    /// The verifier the `code_challenge` was derived from.
    pub code_verifier: String,
    /// The `state` that came with the `connect_code`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// `POST /data-integrations/finish` answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FinishedConnection {
    /// The connection WorkOS saved.
    pub connected_account: ConnectedAccount,
}

/// `POST /data-integrations/{slug}/token` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct TokenRequest {
    /// Whose token.
    pub user_id: String,
    /// For organization-owned connections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

/// The `access_token` object of an active token response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessToken {
    /// Always `access_token`.
    pub object: String,
    /// The provider token.
    pub access_token: String,
    /// ISO-8601 expiry, or `null` for tokens that do not expire.
    pub expires_at: Option<String>,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Scopes the integration asks for that this token lacks.
    pub missing_scopes: Vec<String>,
}

/// The token endpoint's answer: both variants come with HTTP 200.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AccessTokenResponse {
    /// `{active: true, access_token: {...}}`.
    Active {
        /// Always `true`.
        active: bool,
        /// The token.
        access_token: AccessToken,
    },
    /// `{active: false, error: "not_installed" | "needs_reauthorization"}`.
    Inactive {
        /// Always `false`.
        active: bool,
        /// Why there is no token.
        error: String,
    },
}

/// A connected account.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ConnectedAccount {
    /// `data_installation_...`.
    pub id: String,
    /// `compatibility | standard`.
    pub connection_role: String,
    /// Provider account id.
    pub account_identifier: Option<String>,
    /// Provider account name.
    pub account_display_name: Option<String>,
    /// Owner user.
    pub user_id: Option<String>,
    /// Owner organization.
    pub organization_id: Option<String>,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// `connected | needs_reauthorization | disconnected`.
    pub state: String,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
    /// `oauth | api_key | client_credentials` (absent = oauth).
    #[serde(default)]
    pub auth_method: Option<String>,
    /// Last four of an API key.
    #[serde(default)]
    pub api_key_last_4: Option<String>,
    /// Client id of client-credentials connections.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Installation config.
    #[serde(default)]
    pub config: Option<BTreeMap<String, String>>,
    /// The member who connected an organization connection.
    #[serde(default)]
    pub established_by_user_id: Option<String>,
    /// Why the state is what it is.
    #[serde(default)]
    pub state_reason: Option<String>,
    /// Write warnings (`duplicate_account_display_name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<serde_json::Value>>,
}

/// The full body of `POST /data-integrations/{slug}/authorize`, for
/// organization-owned connections, adding or reconnecting one exact
/// connection. [`AuthorizeRequest`] converts into it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuthorizeParams {
    /// The user connecting (for organization connections: the member acting).
    pub user_id: String,
    /// For organization-owned or organization-scoped connections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// `user` or `organization`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_owner: Option<String>,
    /// Where the browser goes afterwards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_to: Option<String>,
    /// `add` or `reauthorize`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_intent: Option<String>,
    /// The connection to reauthorize.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connected_account_id: Option<String>,
    /// A label for the connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_display_name: Option<String>,
    /// PKCE: the base64url SHA-256 of a verifier the app keeps; the
    /// connection is then held until the app finishes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    /// `S256`, the only method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_challenge_method: Option<String>,
}

impl From<&AuthorizeRequest> for AuthorizeParams {
    fn from(r: &AuthorizeRequest) -> Self {
        AuthorizeParams {
            user_id: r.user_id.clone(),
            organization_id: r.organization_id.clone(),
            return_to: r.return_to.clone(),
            ..AuthorizeParams::default()
        }
    }
}

/// The full body of the token and credentials endpoints. [`TokenRequest`]
/// converts into it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CredentialsRequest {
    /// Whose credentials (for organization connections: the member acting).
    pub user_id: String,
    /// For organization-owned or organization-scoped connections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// An exact connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connected_account_id: Option<String>,
    /// `user` or `organization`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_owner: Option<String>,
    /// The plural connection contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_multiple_connections: Option<bool>,
}

impl From<&TokenRequest> for CredentialsRequest {
    fn from(r: &TokenRequest) -> Self {
        CredentialsRequest {
            user_id: r.user_id.clone(),
            organization_id: r.organization_id.clone(),
            ..CredentialsRequest::default()
        }
    }
}

/// The `credential` of an active credentials response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Credential {
    /// Always `credential`.
    pub object: String,
    /// `oauth`, `api_key` or `client_credentials`.
    pub auth_method: String,
    /// The access token, API key or client-credentials token.
    pub value: String,
    /// Expiry (absent for API keys).
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Granted scopes (absent for API keys).
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Requested scopes the credential lacks (absent for API keys).
    #[serde(default)]
    pub missing_scopes: Option<Vec<String>>,
    /// Provider config.
    #[serde(default)]
    pub config: BTreeMap<String, String>,
}

/// The credentials endpoint's answer: both variants come with HTTP 200.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CredentialsResponse {
    /// `{active: true, credential: {...}}`.
    Active {
        /// Always `true`.
        active: bool,
        /// The credential.
        credential: Credential,
    },
    /// `{active: false, error: "not_installed" | "needs_reauthorization"}`.
    Inactive {
        /// Always `false`.
        active: bool,
        /// Why there is none.
        error: String,
    },
}

/// A list page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct List<T> {
    /// Always `list`.
    pub object: String,
    /// The items.
    pub data: Vec<T>,
    /// Cursors, on paginated lists.
    #[serde(default)]
    pub list_metadata: Option<ListMetadata>,
}

/// `list_metadata`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ListMetadata {
    /// Cursor for the previous page.
    #[serde(default)]
    pub before: Option<String>,
    /// Cursor for the next page.
    #[serde(default)]
    pub after: Option<String>,
}

/// Pagination parameters of list endpoints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListParams {
    /// 1-100.
    pub limit: Option<u32>,
    /// Cursor.
    pub before: Option<String>,
    /// Cursor.
    pub after: Option<String>,
    /// `asc`, `desc` or `normal`.
    pub order: Option<String>,
}

impl ListParams {
    /// The query pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        if let Some(l) = self.limit {
            q.push(("limit".to_string(), l.to_string()));
        }
        if let Some(b) = &self.before {
            q.push(("before".to_string(), b.clone()));
        }
        if let Some(a) = &self.after {
            q.push(("after".to_string(), a.clone()));
        }
        if let Some(o) = &self.order {
            q.push(("order".to_string(), o.clone()));
        }
        q
    }
}

/// `credentials` of a data integration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IntegrationCredentials {
    /// `custom` or `organization`.
    #[serde(rename = "type")]
    pub kind: String,
    /// OAuth client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// OAuth client secret (requests only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Last four characters of the secret (responses only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted_client_secret: Option<String>,
}

/// An `api_key` block installing a first tenant.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ApiKeyTenant {
    /// The API key.
    pub secret: String,
    /// The tenant user.
    pub user_id: String,
    /// The tenant organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

/// A custom provider's OAuth definition.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CustomProviderDefinition {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Authorize page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_url: Option<String>,
    /// Token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    /// Refresh endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_url: Option<String>,
    /// PKCE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkce_enabled: Option<bool>,
    /// Scope separator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_scope_separator: Option<String>,
    /// `request_body` or `basic_auth_header`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticate_via: Option<String>,
}

/// `POST /data-integrations` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CreateDataIntegration {
    /// Provider slug.
    pub provider: String,
    /// `user` or `organization`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ownership: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Enabled (WorkOS defaults to false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Scopes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// `oauth`, `api_key`, `client_credentials`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_methods: Option<Vec<String>>,
    /// OAuth credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<IntegrationCredentials>,
    /// A first API-key tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<ApiKeyTenant>,
    /// A custom provider's definition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_provider: Option<CustomProviderDefinition>,
}

/// `PUT /data-integrations/{slug}` (and `/organization`) body. `scopes:
/// Some(None)` sends `null`, resetting to the provider's defaults.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct UpdateDataIntegration {
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Scopes; `Some(None)` resets them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Option<Vec<String>>>,
    /// New OAuth credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<IntegrationCredentials>,
    /// A tenant's API key to install or rotate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<ApiKeyTenant>,
}

/// The `installation` of a create response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Installation {
    /// `data_installation_...`.
    pub id: String,
    /// `compatibility | standard`.
    pub connection_role: String,
    /// Tenant user.
    pub user_id: Option<String>,
    /// Tenant organization.
    pub organization_id: Option<String>,
    /// Last four of the key.
    pub api_key_last_4: Option<String>,
}

/// A data integration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DataIntegration {
    /// `data_integration_...`.
    pub id: String,
    /// Provider slug.
    pub slug: String,
    /// `github`, ..., or `custom`.
    pub integration_type: String,
    /// `user | organization`.
    pub ownership: String,
    /// Description.
    pub description: Option<String>,
    /// Enabled.
    pub enabled: bool,
    /// `valid | invalid | requested`.
    pub state: String,
    /// Scopes, `null` for provider defaults.
    pub scopes: Option<Vec<String>>,
    /// The callback to register at the provider (empty without OAuth).
    pub redirect_uri: String,
    /// Auth methods.
    pub auth_methods: Vec<String>,
    /// OAuth credentials.
    pub credentials: Option<IntegrationCredentials>,
    /// A tenant installed by the create call.
    pub installation: Option<Installation>,
    /// Provider config.
    pub config: BTreeMap<String, String>,
    /// Custom provider definition.
    pub custom_provider: Option<serde_json::Value>,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

/// Which of an owner's connections a call means (query parameters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountSelector {
    /// Organization a user connection is scoped to (user routes only).
    pub organization_id: Option<String>,
    /// The plural contract.
    pub supports_multiple_connections: bool,
    /// An exact connection.
    pub connected_account_id: Option<String>,
    /// `reauthorize`, on updates.
    pub connection_intent: Option<String>,
}

impl AccountSelector {
    /// The query pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        if let Some(o) = &self.organization_id {
            q.push(("organization_id".to_string(), o.clone()));
        }
        if self.supports_multiple_connections {
            q.push((
                "supports_multiple_connections".to_string(),
                "true".to_string(),
            ));
        }
        if let Some(c) = &self.connected_account_id {
            q.push(("connected_account_id".to_string(), c.clone()));
        }
        if let Some(i) = &self.connection_intent {
            q.push(("connection_intent".to_string(), i.clone()));
        }
        q
    }
}

/// Importing or updating a connection from tokens.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ImportConnectedAccount {
    /// For organization connections: the member acting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Provider access token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    /// Provider refresh token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// ISO-8601 expiry of the access token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Granted scopes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// `connected` or `needs_reauthorization`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `add` (imports only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_intent: Option<String>,
    /// Label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_display_name: Option<String>,
    /// Provider account id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_identifier: Option<String>,
}

/// API-key and client-credentials installations (`/api-key`, `/client-credentials`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct InstallRequest {
    /// The tenant user (for organization connections: the member acting).
    pub user_id: String,
    /// The API key (api-key installs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// OAuth client id (client-credentials installs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// OAuth client secret (client-credentials installs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// `user` or `organization`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_owner: Option<String>,
    /// `add` (POST) or `reauthorize` (PUT).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_intent: Option<String>,
    /// The connection to update (PUT).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connected_account_id: Option<String>,
    /// Label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_display_name: Option<String>,
    /// Provider account id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_identifier: Option<String>,
}

/// A row of the data-providers lists.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DataProvider {
    /// The integration id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Slug.
    pub slug: String,
    /// Type.
    pub integration_type: String,
    /// `oauth2`, ...
    pub credentials_type: String,
    /// Scopes.
    pub scopes: Option<Vec<String>>,
    /// `user | organization`.
    pub connection_owner: String,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
    /// The compatibility connection.
    pub connected_account: Option<ConnectedAccount>,
    /// The connections in context.
    pub connected_accounts: Vec<ConnectedAccount>,
}

/// `PUT /organizations/{id}/data_integration_configurations/{slug}` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ConfigureDataIntegration {
    /// Enabled for the organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Scopes; `Some(None)` inherits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Option<Vec<String>>>,
    /// The organization's OAuth client id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The organization's OAuth client secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Provider config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<BTreeMap<String, String>>,
}

/// An organization's configuration of an integration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DataIntegrationConfiguration {
    /// The integration id.
    pub id: String,
    /// The organization.
    pub organization_id: String,
    /// Slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Enabled for the organization.
    pub enabled: bool,
    /// Scopes in effect.
    pub scopes: Option<Vec<String>>,
    /// Config in effect.
    pub config: BTreeMap<String, String>,
    /// Credentials summary.
    #[serde(default)]
    pub credentials: Option<serde_json::Value>,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

/// `POST /user_management/users` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CreateUser {
    /// Email.
    pub email: String,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Email verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// External id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// A user.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct User {
    /// `user_...`.
    pub id: String,
    /// Email.
    pub email: String,
    /// Email verified.
    pub email_verified: bool,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Picture.
    pub profile_picture_url: Option<String>,
    /// External id.
    pub external_id: Option<String>,
    /// Last sign-in.
    pub last_sign_in_at: Option<String>,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

/// `POST /organizations` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CreateOrganization {
    /// Name.
    pub name: String,
    /// External id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
}

/// An organization.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Organization {
    /// `org_...`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Domains.
    pub domains: Vec<serde_json::Value>,
    /// Metadata.
    pub metadata: BTreeMap<String, String>,
    /// External id.
    pub external_id: Option<String>,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

/// `POST /user_management/organization_memberships` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CreateMembership {
    /// Member.
    pub user_id: String,
    /// Organization.
    pub organization_id: String,
    /// Role (default `member`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_slug: Option<String>,
}

/// A role reference.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RoleRef {
    /// Role slug.
    pub slug: String,
}

/// An organization membership.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Membership {
    /// `om_...`.
    pub id: String,
    /// Member.
    pub user_id: String,
    /// Organization.
    pub organization_id: String,
    /// `active | inactive | pending`.
    pub status: String,
    /// Directory managed.
    pub directory_managed: bool,
    /// Role.
    pub role: RoleRef,
    /// Roles.
    pub roles: Vec<RoleRef>,
    /// The member.
    pub user: User,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

/// Filters of the memberships list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MembershipFilter {
    /// Member.
    pub user_id: Option<String>,
    /// Organization.
    pub organization_id: Option<String>,
    /// Comma-joined statuses.
    pub statuses: Option<String>,
}

/// `POST /webhook_endpoints` and `PATCH` bodies.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct WebhookEndpointRequest {
    /// Where deliveries go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_url: Option<String>,
    /// Subscribed events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    /// `enabled | disabled` (PATCH only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A webhook endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WebhookEndpoint {
    /// `we_...`.
    pub id: String,
    /// Where deliveries go.
    pub endpoint_url: String,
    /// `whsec_...`.
    pub secret: String,
    /// `enabled | disabled`.
    pub status: String,
    /// Subscribed events.
    pub events: Vec<String>,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

/// Filters of `GET /events`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Event names.
    pub events: Vec<String>,
    /// Cursor.
    pub after: Option<String>,
    /// 1-100.
    pub limit: Option<u32>,
    /// Organization.
    pub organization_id: Option<String>,
    /// ISO-8601 lower bound.
    pub range_start: Option<String>,
    /// ISO-8601 upper bound.
    pub range_end: Option<String>,
}

/// An event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    /// `event_...`.
    pub id: String,
    /// Name.
    pub event: String,
    /// Data.
    pub data: serde_json::Value,
    /// Created.
    pub created_at: String,
}
