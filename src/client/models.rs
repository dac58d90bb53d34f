//! Typed request and response models of the Pipes API, field for field as
//! the real JSON (reference section B.2 and D).

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
}
