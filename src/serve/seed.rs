//! The seed file `serve` starts from: the world an app expects to find when
//! it points at the mock (environment, API keys, users, organizations, data
//! integrations, connected accounts, webhook endpoints), as YAML.
//!
//! Parsing is strict so that a typo is an error, not a silently different
//! world: every mapping denies unknown fields, and every problem is reported
//! with the file, line and column it sits on. serde_norway only knows where a
//! node is while it deserializes it, so checks that need the rest of the file
//! (a connected account naming a user that does not exist, two users with the
//! same email) run in a second pass over the same text, with what the first
//! pass found in a thread-local: the failing node then reports its own line.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::common::clock::parse_iso8601;
use crate::provider::ProviderKind;

/// The Pipes event names a webhook endpoint can subscribe to (reference
/// section E: the Python SDK's list; Node knows the first four).
pub const PIPES_EVENTS: [&str; 9] = [
    "pipes.connected_account.connected",
    "pipes.connected_account.disconnected",
    "pipes.connected_account.reauthorization_needed",
    "pipes.connected_account.connection_failed",
    "pipes.account_connection.connected",
    "pipes.account_connection.disconnected",
    "pipes.account_connection.reauthorization_needed",
    "pipes.account_connection.connection_failed",
    "pipes.account_connection.add_failed",
];

/// A seed file could not be read or is not a valid seed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The file could not be read.
    #[error(
        "{path}: cannot read the seed file: {}",
        crate::common::text::io_reason(source)
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The YAML is malformed or does not describe a valid seed.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line of the offending node.
        line: usize,
        /// 1-based column of the offending node.
        column: usize,
        /// What is wrong and what was expected.
        message: String,
    },
}

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

/// An API key: `sk_` followed by at least one character, no whitespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey(pub String);

impl<'de> Deserialize<'de> for ApiKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            if s.len() > 3 && s.starts_with("sk_") && !s.chars().any(char::is_whitespace) {
                Ok(ApiKey(s))
            } else {
                Err(format!(
                    "invalid API key `{s}`: WorkOS API keys start with `sk_` (e.g. `sk_test_...`) and contain no spaces"
                ))
            }
        })
    }
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

/// A provider slug the harness can impersonate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slug(pub ProviderKind);

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            s.parse()
                .map(Slug)
                .map_err(|e: crate::provider::UnknownProvider| e.to_string())
        })
    }
}

/// Deserializes a string and checks it inside the visitor, so that
/// serde_norway attaches the string's own line and column to the error
/// (an error raised after deserialization gets the enclosing mapping's).
fn checked<'de, D, T>(d: D, check: impl FnOnce(String) -> Result<T, String>) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct V<F, T>(F, std::marker::PhantomData<T>);
    impl<'de, T, F: FnOnce(String) -> Result<T, String>> Visitor<'de> for V<F, T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.0)(v.to_string()).map_err(E::custom)
        }
    }
    d.deserialize_str(V(check, std::marker::PhantomData))
}

/// Checks that a string is `<prefix>_` followed by a 26-character ULID.
fn check_id(text: &str, prefix: &str) -> Result<(), String> {
    // The canonical text of a ULID reads back as itself: 26 characters of
    // uppercase Crockford base32 that fit in 128 bits.
    let ok = text
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|u| ulid::Ulid::from_string(u).is_ok_and(|v| v.to_string() == u));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid id `{text}`: expected `{prefix}_` followed by a 26-character ULID in Crockford base32 (0-9, A-Z without I, L, O, U), e.g. `{prefix}_01JDR8Y4Z6Q3KX5V2N7M9B0C1D`; or leave `id` out to have one generated"
        ))
    }
}

macro_rules! id_type {
    ($name:ident, $prefix:literal, $set:ident, $what:literal) => {
        #[doc = concat!("A `", $prefix, "_<ULID>` id, unique in the file.")]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(pub String);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                checked(d, |s| {
                    check_id(&s, $prefix)?;
                    if with_known(|k| !k.$set.borrow_mut().insert(s.clone())).unwrap_or(false) {
                        return Err(format!(concat!($what, " id `{}` is used twice"), s));
                    }
                    Ok($name(s))
                })
            }
        }
    };
}

id_type!(UserId, "user", seen_user_ids, "user");
id_type!(OrgId, "org", seen_org_ids, "organization");
id_type!(WebhookId, "we", seen_webhook_ids, "webhook endpoint");

/// A user's email: something@something, unique in the file, lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(pub String);

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            let s = s.trim().to_lowercase();
            let valid = s
                .split_once('@')
                .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && !s.contains(' '));
            if !valid {
                return Err(format!(
                    "invalid email `{s}`: expected an address such as alice@example.com"
                ));
            }
            if with_known(|k| !k.seen_emails.borrow_mut().insert(s.clone())).unwrap_or(false) {
                return Err(format!(
                    "two users have the email `{s}`: emails are unique (they name users elsewhere in the file)"
                ));
            }
            Ok(Email(s))
        })
    }
}

/// An organization name, unique in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgName(pub String);

impl<'de> Deserialize<'de> for OrgName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            if s.trim().is_empty() {
                return Err("an organization needs a non-empty name".into());
            }
            if with_known(|k| !k.seen_org_names.borrow_mut().insert(s.clone())).unwrap_or(false) {
                return Err(format!(
                    "two organizations are named `{s}`: names are unique (they name organizations elsewhere in the file)"
                ));
            }
            Ok(OrgName(s))
        })
    }
}

/// A reference to a user of the file, by email or id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRef(pub String);

impl<'de> Deserialize<'de> for UserRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            let key = if s.contains('@') {
                s.trim().to_lowercase()
            } else {
                s
            };
            let known = with_known(|k| k.user_keys.contains(&key));
            match known {
                Some(false) => Err(format!(
                    "unknown user `{key}`: no entry in `users` has this email or id"
                )),
                _ => Ok(UserRef(key)),
            }
        })
    }
}

/// A reference to an organization of the file, by name or id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRef(pub String);

impl<'de> Deserialize<'de> for OrgRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            let known = with_known(|k| {
                k.orgs
                    .iter()
                    .any(|(id, name, _)| id.as_deref() == Some(s.as_str()) || *name == s)
            });
            match known {
                Some(false) => Err(format!(
                    "unknown organization `{s}`: no entry in `organizations` has this name or id"
                )),
                _ => Ok(OrgRef(s)),
            }
        })
    }
}

/// A reference to a data integration of the file, by slug.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntegrationRef(pub ProviderKind);

impl<'de> Deserialize<'de> for IntegrationRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            let kind: ProviderKind = s
                .parse()
                .map_err(|e: crate::provider::UnknownProvider| e.to_string())?;
            match with_known(|k| k.slugs.iter().any(|(slug, _)| slug == kind.slug())) {
                Some(false) => Err(format!(
                    "no data integration for `{s}`: add `- slug: {s}` to `data_integrations` first"
                )),
                _ => Ok(IntegrationRef(kind)),
            }
        })
    }
}

/// An absolute `http://` or `https://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(pub String);

impl<'de> Deserialize<'de> for WebhookUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            // `${APP_WEBHOOK_URL}` or `${VAR:-default}`: the app's port is
            // often only known when it starts.
            let s = super::env_file::expand(&s)?;
            match url::Url::parse(&s) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                    Ok(WebhookUrl(s))
                }
                _ => Err(format!(
                    "invalid webhook url `{s}`: expected an absolute http:// or https:// URL"
                )),
            }
        })
    }
}

/// A Pipes event name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventName(pub String);

impl<'de> Deserialize<'de> for EventName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            if PIPES_EVENTS.contains(&s.as_str()) {
                Ok(EventName(s))
            } else {
                Err(format!(
                    "unknown event `{s}`: expected one of {}",
                    PIPES_EVENTS.join(", ")
                ))
            }
        })
    }
}

/// What the first pass found, for the checks of the second.
#[derive(Debug, Default)]
struct Known {
    /// (id, email) of every user.
    users: Vec<(Option<String>, String)>,
    /// Every user id and email, for references: a seed may hold 100,000 accounts.
    user_keys: HashSet<String>,
    /// (id, name, member emails and ids) of every organization.
    orgs: Vec<(Option<String>, String, Vec<String>)>,
    /// (slug, ownership) of every integration.
    slugs: BTreeSet<(String, SeedOwner)>,
    seen_user_ids: RefCell<BTreeSet<String>>,
    seen_org_ids: RefCell<BTreeSet<String>>,
    seen_webhook_ids: RefCell<BTreeSet<String>>,
    seen_emails: RefCell<BTreeSet<String>>,
    seen_org_names: RefCell<BTreeSet<String>>,
    seen_integrations: RefCell<BTreeSet<(String, SeedOwner)>>,
}

impl Known {
    fn from_seed(seed: &Seed) -> Self {
        Known {
            users: seed
                .users
                .iter()
                .map(|u| (u.id.as_ref().map(|i| i.0.clone()), u.email.0.clone()))
                .collect(),
            user_keys: seed
                .users
                .iter()
                .flat_map(|u| u.id.iter().map(|i| i.0.clone()).chain([u.email.0.clone()]))
                .collect(),
            orgs: seed
                .organizations
                .iter()
                .map(|o| {
                    (
                        o.id.as_ref().map(|i| i.0.clone()),
                        o.name.0.clone(),
                        o.memberships.iter().map(|m| m.user.0.clone()).collect(),
                    )
                })
                .collect(),
            slugs: seed
                .data_integrations
                .iter()
                .map(|i| (i.slug.0.slug().to_string(), i.ownership))
                .collect(),
            ..Known::default()
        }
    }

    /// Whether the user named `user` (email or id) is a member of `org` (name or id).
    fn is_member(&self, user: &str, org: &str) -> bool {
        let same_user: Vec<&str> = self
            .users
            .iter()
            .filter(|(id, email)| id.as_deref() == Some(user) || email == user)
            .flat_map(|(id, email)| id.as_deref().into_iter().chain([email.as_str()]))
            .collect();
        self.orgs
            .iter()
            .filter(|(id, name, _)| id.as_deref() == Some(org) || name == org)
            .any(|(_, _, members)| members.iter().any(|m| same_user.contains(&m.as_str())))
    }
}

thread_local! {
    static KNOWN: RefCell<Option<Known>> = const { RefCell::new(None) };
}

/// Runs `f` on the first pass's findings; `None` during the first pass.
fn with_known<T>(f: impl FnOnce(&Known) -> T) -> Option<T> {
    KNOWN.with(|k| k.borrow().as_ref().map(f))
}

/// Clears the thread-local even when deserialization returns early.
struct KnownGuard;

impl Drop for KnownGuard {
    fn drop(&mut self) {
        KNOWN.with(|k| *k.borrow_mut() = None);
    }
}

impl Seed {
    /// Reads and checks the seed file at `path`.
    pub fn load(path: &Path) -> Result<Seed, SeedError> {
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Seed::parse(&text, path)
    }

    /// Parses and checks seed YAML; `path` only names the source in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Seed, SeedError> {
        let invalid = |e: serde_norway::Error| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            let mut message = e.to_string();
            // serde_norway appends the position we already lead with.
            if let Some(idx) = message.rfind(" at line ")
                && message[idx..].starts_with(&format!(" at line {line} column {column}"))
            {
                message.truncate(idx);
            }
            SeedError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        // An empty file is an empty world, not an error.
        if text.trim().is_empty() {
            return Ok(Seed::default());
        }
        // Aliases and nesting are bounded before the parser expands them.
        super::yaml_limits::check(text).map_err(|e| SeedError::Invalid {
            path: path.to_path_buf(),
            line: e.line,
            column: e.column,
            message: e.message,
        })?;
        let first: Seed = serde_norway::from_str(text).map_err(invalid)?;
        KNOWN.with(|k| *k.borrow_mut() = Some(Known::from_seed(&first)));
        let _guard = KnownGuard;
        serde_norway::from_str(text).map_err(invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Seed, String> {
        Seed::parse(text, Path::new("seed.yaml")).map_err(|e| e.to_string())
    }

    #[test]
    fn a_full_seed_parses_into_typed_entries() {
        let seed = parse(
            "environment: production
api_keys: [sk_live_abc]
multiple_connections: true
users:
  - email: Alice@Example.com
    first_name: Alice
organizations:
  - name: Acme
    memberships:
      - user: alice@example.com
data_integrations:
  - slug: github
    credentials: {type: custom, client_id: Iv1.x, client_secret: s3cret}
  - slug: github
    ownership: organization
connected_accounts:
  - user: alice@example.com
    slug: github
    organization: Acme
    owner: organization
    expires_in: 3600
webhook_endpoints:
  - url: http://127.0.0.1:9/hooks
    events: [pipes.connected_account.connected]
",
        )
        .expect("valid seed");
        assert_eq!(seed.environment, SeedEnvironment::Production);
        assert!(seed.multiple_connections);
        assert!(!parse("{}").expect("empty seed").multiple_connections);
        assert_eq!(seed.users[0].email.0, "alice@example.com");
        assert_eq!(
            seed.data_integrations[0].credentials,
            SeedCredentials::Custom {
                client_id: "Iv1.x".into(),
                client_secret: "s3cret".into()
            }
        );
        assert_eq!(seed.connected_accounts[0].owner, SeedOwner::Organization);
    }

    #[test]
    fn an_empty_file_is_an_empty_world() {
        let seed = parse("\n").expect("empty is fine");
        assert!(seed.users.is_empty());
    }

    #[test]
    fn a_dangling_user_reference_names_its_own_line() {
        let err = parse(
            "users:
  - email: alice@example.com
data_integrations:
  - slug: github
connected_accounts:
  - slug: github
    user: bob@example.com
",
        )
        .unwrap_err();
        assert!(err.starts_with("seed.yaml:7:11: "), "{err}");
        assert!(err.contains("unknown user `bob@example.com`"), "{err}");
    }

    #[test]
    fn an_unknown_field_is_refused_with_the_fields_expected() {
        let err = parse("users:\n  - email: a@b.c\n    nickname: al\n").unwrap_err();
        assert!(err.starts_with("seed.yaml:3:"), "{err}");
        assert!(err.contains("unknown field `nickname`"), "{err}");
    }

    #[test]
    fn an_unknown_provider_lists_the_known_ones() {
        let err = parse("data_integrations:\n  - slug: gitlab\n").unwrap_err();
        assert!(err.starts_with("seed.yaml:2:"), "{err}");
        assert!(err.contains("unknown provider `gitlab`"), "{err}");
    }

    #[test]
    fn an_account_needs_its_integration_in_the_file() {
        let err = parse(
            "users: [{email: a@b.c}]\nconnected_accounts:\n  - user: a@b.c\n    slug: slack\n",
        )
        .unwrap_err();
        assert!(err.contains("no data integration for `slack`"), "{err}");
        assert!(err.starts_with("seed.yaml:4:"), "{err}");
    }

    #[test]
    fn duplicate_emails_are_refused_at_the_second() {
        let err = parse("users:\n  - email: a@b.c\n  - email: A@b.c\n").unwrap_err();
        assert!(err.starts_with("seed.yaml:3:"), "{err}");
        assert!(err.contains("two users have the email `a@b.c`"), "{err}");
    }

    #[test]
    fn ids_must_look_like_workos_ids() {
        let err = parse("users:\n  - id: alice\n    email: a@b.c\n").unwrap_err();
        assert!(err.contains("invalid id `alice`"), "{err}");
        let ok = parse("users:\n  - id: user_01JDR8Y4Z6Q3KX5V2N7M9B0C1D\n    email: a@b.c\n");
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn organization_owned_accounts_need_a_member() {
        let err = parse(
            "users: [{email: a@b.c}]
organizations: [{name: Acme}]
data_integrations: [{slug: github, ownership: organization}]
connected_accounts:
  - user: a@b.c
    slug: github
    organization: Acme
    owner: organization
",
        )
        .unwrap_err();
        assert!(
            err.contains("is not a member of organization `Acme`"),
            "{err}"
        );
    }

    #[test]
    fn a_yaml_syntax_error_reports_where_the_parser_stopped() {
        let err = parse("users:\n  - email: [a@b.c\n").unwrap_err();
        assert!(err.starts_with("seed.yaml:"), "{err}");
    }

    #[test]
    fn credentials_must_be_shared_or_complete_custom() {
        let err = parse(
            "data_integrations:\n  - slug: github\n    credentials: {type: custom, client_id: x}\n",
        )
        .unwrap_err();
        assert!(
            err.contains("need both `client_id` and `client_secret`"),
            "{err}"
        );
        let err =
            parse("data_integrations:\n  - slug: github\n    credentials: mine\n").unwrap_err();
        assert!(err.contains("unknown credentials `mine`"), "{err}");
    }
}
