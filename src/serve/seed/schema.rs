//! What a seed holds: the [`Seed`] and its entries (users, organizations,
//! data integrations, connected accounts, webhook endpoints), with the
//! defaults of the fields left out and the checks an entry makes across its
//! own fields (one integration per slug and ownership, an expiry given one
//! way, an organization-owned account made by a member).
//!
//! Separate from reading (`mod.rs`) and from the checked values of single
//! fields (`values`): this is the shape of the file, the part a seed's
//! author reads to learn what may go in it.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::values::{
    ApiKey, Email, EventName, IntegrationRef, OrgId, OrgName, OrgRef, Slug, UserId, UserRef,
    WebhookId, WebhookUrl,
};
use super::with_known;
use crate::common::clock::parse_iso8601;

/// A seed, as the file describes it. Every list may be left out.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// `sandbox` (the default) or `production`.
    #[serde(default)]
    pub environment: SeedEnvironment,
    /// API keys that authenticate as the environment, besides `--api-key`.
    #[serde(default)]
    pub api_keys: Vec<ApiKey>,
    /// Whether an owner may add more than one connection per integration
    /// (off by default: WorkOS documents it as not yet available).
    #[serde(default)]
    pub multiple_connections: bool,
    /// Users (AuthKit user management).
    #[serde(default)]
    pub users: Vec<SeedUser>,
    /// Organizations and their members.
    #[serde(default)]
    pub organizations: Vec<SeedOrganization>,
    /// Providers configured for Pipes.
    #[serde(default)]
    pub data_integrations: Vec<SeedIntegration>,
    /// Accounts users have already connected.
    #[serde(default)]
    pub connected_accounts: Vec<SeedAccount>,
    /// Where events are delivered.
    #[serde(default)]
    pub webhook_endpoints: Vec<SeedWebhook>,
}

/// Which kind of WorkOS environment the server is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeedEnvironment {
    /// Shared OAuth credentials are allowed.
    #[default]
    Sandbox,
    /// Every OAuth integration needs custom credentials.
    Production,
}

/// A user.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    /// `user_<ULID>`; generated when left out.
    #[serde(default)]
    pub id: Option<UserId>,
    /// Email, unique in the file; other entries refer to the user by it (or by id).
    pub email: Email,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Whether the email is verified (default true).
    #[serde(default = "yes")]
    pub email_verified: bool,
}

/// An organization.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedOrganization {
    /// `org_<ULID>`; generated when left out.
    #[serde(default)]
    pub id: Option<OrgId>,
    /// Name, unique in the file; connected accounts refer to it by name (or by id).
    pub name: OrgName,
    /// Domains, e.g. `acme.test`.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Active members.
    #[serde(default)]
    pub memberships: Vec<SeedMembership>,
}

/// An active organization membership.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedMembership {
    /// The member: a user's email or id.
    pub user: UserRef,
    /// Role slug (default `member`).
    #[serde(default = "member")]
    pub role: String,
}

/// A data integration: a provider configured for Pipes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawIntegration")]
pub struct SeedIntegration {
    /// Provider slug: `github`, `slack`, `google` or `salesforce`.
    pub slug: Slug,
    /// `user` (default: users connect their own accounts) or `organization`
    /// (organizations connect one shared account). One of each per provider.
    pub ownership: SeedOwner,
    /// Requested scopes; left out = the provider's defaults.
    pub scopes: Option<Vec<String>>,
    /// `shared` (WorkOS's app, sandbox only) or custom client id and secret.
    pub credentials: SeedCredentials,
    /// Disabled integrations cannot be connected (default true).
    pub enabled: bool,
    /// Free text.
    pub description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntegration {
    slug: Slug,
    #[serde(default)]
    ownership: SeedOwner,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    credentials: SeedCredentials,
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    description: Option<String>,
}

impl TryFrom<RawIntegration> for SeedIntegration {
    type Error = String;

    fn try_from(r: RawIntegration) -> Result<Self, String> {
        let key = (r.slug.0.slug().to_string(), r.ownership);
        if with_known(|k| !k.seen_integrations.borrow_mut().insert(key)).unwrap_or(false) {
            return Err(format!(
                "data integration `{}` with ownership `{}` is listed twice: a provider has at most one integration of each ownership",
                r.slug.0.slug(),
                r.ownership.as_str()
            ));
        }
        Ok(SeedIntegration {
            slug: r.slug,
            ownership: r.ownership,
            scopes: r.scopes,
            credentials: r.credentials,
            enabled: r.enabled,
            description: r.description,
        })
    }
}

/// Whose OAuth app an integration uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SeedCredentials {
    /// WorkOS's shared app. Written `credentials: shared`.
    #[default]
    Shared,
    /// The customer's own app, registered at the provider mock with the
    /// WorkOS callback URL. Written as a mapping with `type: custom`.
    Custom {
        /// Client id at the provider.
        client_id: String,
        /// Client secret at the provider.
        client_secret: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsMapping {
    #[serde(rename = "type")]
    kind: CredentialsType,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
}

#[derive(Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum CredentialsType {
    Shared,
    Custom,
}

impl<'de> Deserialize<'de> for SeedCredentials {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SeedCredentials;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`shared`, or a mapping `{type: custom, client_id, client_secret}`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SeedCredentials, E> {
                match v {
                    "shared" => Ok(SeedCredentials::Shared),
                    other => Err(E::custom(format!(
                        "unknown credentials `{other}`: expected `shared`, or a mapping with `type: custom`, `client_id` and `client_secret`"
                    ))),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SeedCredentials, A::Error> {
                let m =
                    CredentialsMapping::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match (m.kind, m.client_id, m.client_secret) {
                    (CredentialsType::Shared, None, None) => Ok(SeedCredentials::Shared),
                    (CredentialsType::Shared, _, _) => Err(de::Error::custom(
                        "shared credentials take no client_id or client_secret: they are WorkOS's own app",
                    )),
                    (CredentialsType::Custom, Some(id), Some(secret))
                        if !id.is_empty() && !secret.is_empty() =>
                    {
                        Ok(SeedCredentials::Custom {
                            client_id: id,
                            client_secret: secret,
                        })
                    }
                    (CredentialsType::Custom, _, _) => Err(de::Error::custom(
                        "custom credentials need both `client_id` and `client_secret`",
                    )),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A connected account, as if the user had already gone through the connect flow.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawAccount")]
pub struct SeedAccount {
    /// The user who connected: an email or id.
    pub user: UserRef,
    /// The integration's slug; it must be in `data_integrations`.
    pub slug: IntegrationRef,
    /// Scope the account to an organization: a name or id.
    pub organization: Option<OrgRef>,
    /// `user` (default) or `organization` (shared by the organization's members).
    pub owner: SeedOwner,
    /// Granted scopes; left out = what the integration requests.
    pub scopes: Option<Vec<String>>,
    /// `connected` (default), `needs_reauthorization` or `disconnected`.
    pub state: SeedAccountState,
    /// The provider access token; generated (and known to the provider mock) when left out.
    pub access_token: Option<String>,
    /// The provider refresh token; generated when the provider issues expiring tokens.
    pub refresh_token: Option<String>,
    /// Access-token expiry: seconds after the server starts (`expires_in`)...
    pub expires_in: Option<u64>,
    /// ...or an instant (`expires_at`, ISO-8601), in epoch ms. At most one of the two.
    pub expires_at_ms: Option<i64>,
    /// The account's login at the provider (default: the email's local part).
    pub account_identifier: Option<String>,
    /// The account's display name at the provider.
    pub account_display_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    user: UserRef,
    slug: IntegrationRef,
    #[serde(default)]
    organization: Option<OrgRef>,
    #[serde(default)]
    owner: SeedOwner,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    state: SeedAccountState,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    expires_at: Option<String>,
    #[serde(default)]
    account_identifier: Option<String>,
    #[serde(default)]
    account_display_name: Option<String>,
}

/// The longest `expires_in` a seed may give (ten years, in seconds): every
/// expiry then stays a date both SDKs parse.
pub const MAX_EXPIRES_IN: u64 = 10 * 365 * 86_400;

impl TryFrom<RawAccount> for SeedAccount {
    type Error = String;

    fn try_from(r: RawAccount) -> Result<Self, String> {
        if r.expires_in.is_some() && r.expires_at.is_some() {
            return Err("give `expires_in` or `expires_at`, not both".into());
        }
        if let Some(secs) = r.expires_in
            && secs > MAX_EXPIRES_IN
        {
            return Err(format!(
                "expires_in {secs} is too large: at most {MAX_EXPIRES_IN} seconds (ten years)"
            ));
        }
        let expires_at_ms = match &r.expires_at {
            None => None,
            Some(text) => Some(parse_iso8601(text).ok_or_else(|| {
                format!(
                    "expires_at `{text}` is not an ISO-8601 instant such as 2030-01-01T00:00:00Z"
                )
            })?),
        };
        if r.owner == SeedOwner::Organization && r.organization.is_none() {
            return Err("`owner: organization` needs `organization`".into());
        }
        if let (SeedOwner::Organization, Some(org)) = (r.owner, &r.organization)
            && !with_known(|k| k.is_member(&r.user.0, &org.0)).unwrap_or(true)
        {
            return Err(format!(
                "user `{}` is not a member of organization `{}`: an organization's connection is made by an active member (add a membership)",
                r.user.0, org.0
            ));
        }
        if with_known(|k| !k.slugs.contains(&(r.slug.0.slug().to_string(), r.owner)))
            .unwrap_or(false)
        {
            return Err(format!(
                "no {}-owned data integration for `{}`: add `- slug: {}` with `ownership: {}` to `data_integrations`",
                r.owner.as_str(),
                r.slug.0.slug(),
                r.slug.0.slug(),
                r.owner.as_str()
            ));
        }
        if r.access_token.is_none() && r.refresh_token.is_some() {
            return Err("a `refresh_token` needs an `access_token` too".into());
        }
        Ok(SeedAccount {
            user: r.user,
            slug: r.slug,
            organization: r.organization,
            owner: r.owner,
            scopes: r.scopes,
            state: r.state,
            access_token: r.access_token,
            refresh_token: r.refresh_token,
            expires_in: r.expires_in,
            expires_at_ms,
            account_identifier: r.account_identifier,
            account_display_name: r.account_display_name,
        })
    }
}

/// Who owns a connected account, or whose connections an integration holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeedOwner {
    /// The user.
    #[default]
    User,
    /// The organization.
    Organization,
}

impl SeedOwner {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SeedOwner::User => "user",
            SeedOwner::Organization => "organization",
        }
    }
}

/// A connected account's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeedAccountState {
    /// Usable.
    #[default]
    Connected,
    /// The user must reconnect.
    NeedsReauthorization,
    /// Removed.
    Disconnected,
}

/// A webhook endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedWebhook {
    /// `we_<ULID>`; generated when left out.
    #[serde(default)]
    pub id: Option<WebhookId>,
    /// Where deliveries are POSTed. `http://` is allowed, for local receivers.
    pub url: WebhookUrl,
    /// Signing secret; generated (`whsec_...`) when left out.
    #[serde(default)]
    pub secret: Option<String>,
    /// Event names; left out = every Pipes event.
    #[serde(default)]
    pub events: Option<Vec<EventName>>,
    /// Disabled endpoints get no deliveries (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

fn member() -> String {
    "member".into()
}
