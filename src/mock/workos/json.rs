//! The JSON shapes of WorkOS objects, field for field as the official SDKs
//! parse them (reference sections B.2, D, E and J): every key the Python SDK
//! requires is present, nullable ones as `null`, timestamps ISO-8601 with
//! milliseconds.
//!
//! The shapes read on every request of a busy client (a user, a list of
//! users, a connected account, an access token) are `#[derive(Serialize)]`
//! structs written straight into the response body, so a read builds no
//! `Value` tree (an index map per object) only to serialize it; their
//! `Value` forms for events and embedding come from the same structs, so
//! the two never differ.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::state::{
    AccountState, AuthMethod, ConnectedAccount, Credentials, Event, Integration, Membership,
    OrgConfiguration, Organization, Ownership, User, WebhookEndpoint,
};
use crate::common::clock::iso8601;

/// `User`.
pub fn user(u: &User) -> Value {
    to_value(&UserJson::new(u))
}

/// `User`, to serialize as it is.
#[derive(Debug, Serialize)]
pub struct UserJson<'a> {
    object: &'static str,
    id: &'a str,
    email: &'a str,
    email_verified: bool,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    profile_picture_url: (),
    external_id: Option<&'a str>,
    last_sign_in_at: (),
    metadata: &'a BTreeMap<String, String>,
    locale: (),
    created_at: Iso,
    updated_at: Iso,
}

impl<'a> UserJson<'a> {
    /// The JSON of `u`.
    pub fn new(u: &'a User) -> Self {
        UserJson {
            object: "user",
            id: &u.id,
            email: &u.email,
            email_verified: u.email_verified,
            first_name: u.first_name.as_deref(),
            last_name: u.last_name.as_deref(),
            profile_picture_url: (),
            external_id: u.external_id.as_deref(),
            last_sign_in_at: (),
            metadata: &u.metadata,
            locale: (),
            created_at: Iso(u.created_ms),
            updated_at: Iso(u.updated_ms),
        }
    }
}

/// `Organization`, with its domains.
pub fn organization(o: &Organization) -> Value {
    let domains: Vec<Value> = o
        .domains
        .iter()
        .map(|(id, domain, state)| {
            json!({
                "object": "organization_domain",
                "id": id,
                "organization_id": o.id,
                "domain": domain,
                "state": state,
                "verification_strategy": "manual",
                "created_at": iso8601(o.created_ms),
                "updated_at": iso8601(o.updated_ms),
            })
        })
        .collect();
    json!({
        "object": "organization",
        "id": o.id,
        "name": o.name,
        "allow_profiles_outside_organization": false,
        "domains": domains,
        "metadata": o.metadata,
        "external_id": o.external_id,
        "created_at": iso8601(o.created_ms),
        "updated_at": iso8601(o.updated_ms),
    })
}

/// `OrganizationMembership`, embedding the full user as Python requires.
pub fn membership(m: &Membership, member: Option<&User>, org_name: Option<&str>) -> Value {
    let role = m.roles.first().cloned().unwrap_or_else(|| "member".into());
    let roles: Vec<Value> = m.roles.iter().map(|r| json!({ "slug": r })).collect();
    json!({
        "object": "organization_membership",
        "id": m.id,
        "user_id": m.user_id,
        "organization_id": m.organization_id,
        "organization_name": org_name,
        "status": m.status.as_str(),
        "directory_managed": false,
        "role": { "slug": role },
        "roles": roles,
        "user": member.map(user),
        "custom_attributes": {},
        "created_at": iso8601(m.created_ms),
        "updated_at": iso8601(m.updated_ms),
    })
}

fn last4(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

/// `DataIntegration`; `installation` only on a create that installed an API key.
pub fn integration(i: &Integration, redirect_uri: &str, installation: Option<Value>) -> Value {
    let credentials = match &i.credentials {
        Credentials::Shared => Value::Null,
        Credentials::Custom {
            client_id,
            client_secret,
        } => json!({
            "type": "custom",
            "client_id": client_id,
            "redacted_client_secret": last4(client_secret),
        }),
        Credentials::Organization => json!({
            "type": "organization",
            "client_id": null,
            "redacted_client_secret": null,
        }),
    };
    let custom_provider = i.custom_provider.as_ref().map(|c| {
        json!({
            "name": c.name,
            "authorization_url": c.authorization_url,
            "token_url": c.token_url,
            "refresh_token_url": c.refresh_token_url,
            "pkce_enabled": c.pkce_enabled,
            "request_scope_separator": c.request_scope_separator,
            "scopes_required": c.scopes_required,
            "client_secret_required": c.client_secret_required,
            "additional_authorization_parameters": c.additional_authorization_parameters,
            "token_body_content_type": c.token_body_content_type,
            "authenticate_via": c.authenticate_via,
        })
    });
    let oauth = i.auth_methods.contains(&AuthMethod::OAuth);
    json!({
        "object": "data_integration",
        "id": i.id,
        "slug": i.slug,
        "integration_type": integration_type(i),
        "ownership": i.ownership.as_str(),
        "description": i.description,
        "enabled": i.enabled,
        "state": "valid",
        "scopes": i.scopes,
        "redirect_uri": if oauth { redirect_uri } else { "" },
        "auth_methods": i.auth_methods.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        "credentials": credentials,
        "installation": installation,
        "config": i.config,
        "custom_provider": custom_provider,
        "created_at": iso8601(i.created_ms),
        "updated_at": iso8601(i.updated_ms),
    })
}

/// `github` for a built-in provider, `custom` for a custom one.
pub fn integration_type(i: &Integration) -> String {
    match i.provider {
        Some(kind) => kind.slug().to_string(),
        None => "custom".to_string(),
    }
}

/// The display name of an integration's provider.
pub fn provider_name(i: &Integration) -> String {
    match (&i.provider, &i.custom_provider) {
        (Some(kind), _) => kind.display_name().to_string(),
        (None, Some(c)) => c.name.clone(),
        (None, None) => i.slug.clone(),
    }
}

/// The `installation` of a create response.
pub fn installation(a: &ConnectedAccount) -> Value {
    json!({
        "id": a.id,
        "connection_role": a.connection_role.as_str(),
        "account_identifier": a.account_identifier,
        "account_display_name": a.account_display_name,
        "user_id": a.user_id,
        "organization_id": a.organization_id,
        "api_key_last_4": a.api_key.as_deref().map(last4),
    })
}

/// `ConnectedAccount` (also the write response: it has no required extras).
pub fn connected_account(a: &ConnectedAccount) -> Value {
    to_value(&ConnectedAccountJson::new(a))
}

/// `ConnectedAccount`, to serialize as it is. The fields of an API-key or
/// client-credentials connection follow the common ones.
#[derive(Debug, Serialize)]
pub struct ConnectedAccountJson<'a> {
    object: &'static str,
    id: &'a str,
    connection_role: &'static str,
    account_identifier: Option<&'a str>,
    account_display_name: Option<&'a str>,
    user_id: Option<&'a str>,
    organization_id: Option<&'a str>,
    scopes: &'a [String],
    state: &'static str,
    auth_method: &'static str,
    config: &'a BTreeMap<String, String>,
    established_by_user_id: Option<&'a str>,
    state_reason: Option<&'a str>,
    created_at: Iso,
    updated_at: Iso,
    /// API-key connections only (its value may be `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    api_key_last_4: Option<Option<String>>,
    /// Client-credentials connections only.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<Option<&'a str>>,
    /// Client-credentials connections only (its value may be `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret_last_4: Option<Option<String>>,
}

impl<'a> ConnectedAccountJson<'a> {
    /// The JSON of `a`.
    pub fn new(a: &'a ConnectedAccount) -> Self {
        let api_key = a.auth_method == AuthMethod::ApiKey;
        let client_credentials = a.auth_method == AuthMethod::ClientCredentials;
        ConnectedAccountJson {
            object: "connected_account",
            id: &a.id,
            connection_role: a.connection_role.as_str(),
            account_identifier: a.account_identifier.as_deref(),
            account_display_name: a.account_display_name.as_deref(),
            user_id: a.user_id.as_deref(),
            organization_id: a.organization_id.as_deref(),
            scopes: &a.scopes,
            state: a.state.as_str(),
            auth_method: a.auth_method.as_str(),
            config: &a.config,
            established_by_user_id: a.established_by_user_id.as_deref(),
            state_reason: a.state_reason.as_deref(),
            created_at: Iso(a.created_ms),
            updated_at: Iso(a.updated_ms),
            api_key_last_4: api_key.then(|| a.api_key.as_deref().map(last4)),
            client_id: client_credentials.then_some(a.client_id.as_deref()),
            client_secret_last_4: client_credentials.then(|| a.client_secret.as_deref().map(last4)),
        }
    }
}

/// A write response that reused a label: ConnectedAccount plus `warnings`.
pub fn with_warnings(mut account: Value, warnings: Vec<Value>) -> Value {
    if !warnings.is_empty()
        && let Some(m) = account.as_object_mut()
    {
        m.insert("warnings".into(), Value::Array(warnings));
    }
    account
}

/// One `data_provider` row of the data-providers lists.
pub fn data_provider(
    i: &Integration,
    compatibility: Option<&ConnectedAccount>,
    accounts: &[&ConnectedAccount],
) -> Value {
    let credentials_type = match i.auth_method() {
        AuthMethod::OAuth => "oauth2",
        AuthMethod::ApiKey => "api_key",
        AuthMethod::ClientCredentials => "client_credentials",
    };
    json!({
        "object": "data_provider",
        "id": i.id,
        "name": provider_name(i),
        "description": i.description,
        "slug": i.slug,
        "integration_type": integration_type(i),
        "credentials_type": credentials_type,
        "scopes": i.scopes,
        "connection_owner": i.ownership.as_str(),
        "ownership": match i.ownership {
            Ownership::User => "userland_user",
            Ownership::Organization => "organization",
        },
        "auth_methods": i.auth_methods.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        "created_at": iso8601(i.created_ms),
        "updated_at": iso8601(i.updated_ms),
        "connected_account": compatibility.map(connected_account),
        "connected_accounts": accounts.iter().map(|a| connected_account(a)).collect::<Vec<_>>(),
    })
}

/// `DataIntegrationConfiguration`: the integration as one organization sees it.
/// Its `id` is the integration's (the SDK documents it as "the unique
/// identifier of the data integration").
pub fn configuration(
    i: &Integration,
    organization_id: &str,
    cfg: Option<&OrgConfiguration>,
    redirect_uri: &str,
) -> Value {
    let enabled = cfg.and_then(|c| c.enabled).unwrap_or(i.enabled);
    let scopes = cfg
        .and_then(|c| c.scopes.clone())
        .or_else(|| i.scopes.clone());
    let config = match (&i.credentials, cfg) {
        (Credentials::Organization, Some(c)) => c.config.clone(),
        _ => i.config.clone(),
    };
    let (credentials_type, client_id, secret) = match &i.credentials {
        Credentials::Shared => ("shared", None, None),
        Credentials::Custom {
            client_id,
            client_secret,
        } => (
            "custom",
            Some(client_id.clone()),
            Some(last4(client_secret)),
        ),
        Credentials::Organization => match cfg.and_then(|c| c.app.as_ref()) {
            Some((id, secret)) => ("organization", Some(id.clone()), Some(last4(secret))),
            None => ("organization", None, None),
        },
    };
    let created = cfg.map(|c| c.created_ms).unwrap_or(i.created_ms);
    let updated = cfg.map(|c| c.updated_ms).unwrap_or(i.updated_ms);
    json!({
        "object": "data_integration_configuration",
        "id": i.id,
        "organization_id": organization_id,
        "slug": i.slug,
        "name": provider_name(i),
        "enabled": enabled,
        "scopes": scopes,
        "config": config,
        "credentials": {
            "credentials_type": credentials_type,
            "has_credentials": client_id.is_some() || credentials_type == "shared",
            "client_id": client_id,
            "client_secret_last_four": secret,
            "redirect_uri": redirect_uri,
        },
        "created_at": iso8601(created),
        "updated_at": iso8601(updated),
    })
}

/// `WebhookEndpoint`; the secret is in every response, as WorkOS sends it.
pub fn webhook_endpoint(e: &WebhookEndpoint) -> Value {
    json!({
        "object": "webhook_endpoint",
        "id": e.id,
        "endpoint_url": e.endpoint_url,
        "secret": e.secret,
        "status": if e.enabled { "enabled" } else { "disabled" },
        "events": e.events,
        "created_at": iso8601(e.created_ms),
        "updated_at": iso8601(e.updated_ms),
    })
}

/// The event envelope, as listed and as delivered.
pub fn event(e: &Event) -> Value {
    json!({
        "object": "event",
        "id": e.id,
        "event": e.event,
        "data": e.data,
        "created_at": iso8601(e.created_ms),
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
        "connection_role": a.connection_role.as_str(),
        "account_identifier": a.account_identifier,
        "account_display_name": a.account_display_name,
        "auth_method": a.auth_method.as_str(),
        "established_by_user_id": a.established_by_user_id,
        "state_reason": a.state_reason,
    })
}

/// The `data` of `pipes.connected_account.disconnected`: the account as it was, state `disconnected`.
pub fn disconnected_event_data(a: &ConnectedAccount, now_ms: i64) -> Value {
    let mut gone = a.clone();
    gone.state = AccountState::Disconnected;
    gone.updated_ms = now_ms;
    account_event_data(&gone)
}

/// What went wrong in a failed connect flow.
#[derive(Debug, Clone, Default)]
pub struct Failure {
    /// WorkOS's own code, e.g. `provider_authorization_failed`.
    pub error_code: String,
    /// The provider's `error`, if it sent one.
    pub provider_error: Option<String>,
    /// The provider's `error_description`, if it sent one.
    pub provider_error_description: Option<String>,
}

/// The `data` of `pipes.connected_account.connection_failed`: no `id`, by design.
pub fn connection_failed_data(
    i: &Integration,
    user_id: Option<&str>,
    organization_id: Option<&str>,
    failure: &Failure,
    created_ms: i64,
) -> Value {
    json!({
        "object": "connection_failed",
        "data_integration_id": i.id,
        "provider_slug": i.slug,
        "user_id": user_id,
        "organization_id": organization_id,
        "error_code": failure.error_code,
        "error_reason": failure.provider_error_description,
        "provider_error": failure.provider_error,
        "provider_error_description": failure.provider_error_description,
        "created_at": iso8601(created_ms),
    })
}

/// The active variant of the access-token response.
#[cfg(test)]
pub fn access_token(
    token: &str,
    expires_ms: Option<i64>,
    scopes: &[String],
    missing: &[String],
) -> Value {
    to_value(&AccessTokenJson::new(token, expires_ms, scopes, missing))
}

/// The active variant of the access-token response, to serialize as it is.
#[derive(Debug, Serialize)]
pub struct AccessTokenJson<'a> {
    active: bool,
    access_token: AccessTokenInner<'a>,
}

#[derive(Debug, Serialize)]
struct AccessTokenInner<'a> {
    object: &'static str,
    access_token: &'a str,
    expires_at: Option<Iso>,
    scopes: &'a [String],
    missing_scopes: &'a [String],
}

impl<'a> AccessTokenJson<'a> {
    /// `token`, expiring at `expires_ms`, granting `scopes`, short of `missing`.
    pub fn new(
        token: &'a str,
        expires_ms: Option<i64>,
        scopes: &'a [String],
        missing: &'a [String],
    ) -> Self {
        AccessTokenJson {
            active: true,
            access_token: AccessTokenInner {
                object: "access_token",
                access_token: token,
                expires_at: expires_ms.map(Iso),
                scopes,
                missing_scopes: missing,
            },
        }
    }
}

/// The active variant of the credentials response, by auth method.
pub fn credential(a: &ConnectedAccount, value: &str, missing: &[String]) -> Value {
    let mut c = Map::new();
    c.insert("object".into(), json!("credential"));
    c.insert("auth_method".into(), json!(a.auth_method.as_str()));
    c.insert("value".into(), json!(value));
    if a.auth_method != AuthMethod::ApiKey {
        c.insert("expires_at".into(), json!(a.expires_ms.map(iso8601)));
        c.insert("scopes".into(), json!(a.scopes));
        c.insert("missing_scopes".into(), json!(missing));
    }
    c.insert("config".into(), json!(a.config));
    if a.auth_method == AuthMethod::ClientCredentials {
        c.insert("metadata".into(), json!({}));
    }
    json!({ "active": true, "credential": Value::Object(c) })
}

/// The inactive variant: `not_installed` or `needs_reauthorization`, with HTTP 200.
pub fn inactive(error: &str) -> Value {
    json!({ "active": false, "error": error })
}

/// A paginated list envelope.
pub fn page(data: Vec<Value>, before: Option<String>, after: Option<String>) -> Value {
    json!({
        "object": "list",
        "data": data,
        "list_metadata": { "before": before, "after": after },
    })
}

/// A paginated list envelope of any serializable items, to serialize as it
/// is (the same bytes as [`page`]).
#[derive(Debug, Serialize)]
pub struct PageJson<T> {
    object: &'static str,
    data: Vec<T>,
    list_metadata: ListMetadata,
}

#[derive(Debug, Serialize)]
struct ListMetadata {
    before: Option<String>,
    after: Option<String>,
}

impl<T: Serialize> PageJson<T> {
    /// `data` with the cursors of the neighbouring pages.
    pub fn new(data: Vec<T>, before: Option<String>, after: Option<String>) -> Self {
        PageJson {
            object: "list",
            data,
            list_metadata: ListMetadata { before, after },
        }
    }
}

/// A plain list (the data-providers and configuration lists have no cursors).
pub fn plain_list(data: Vec<Value>) -> Value {
    json!({ "object": "list", "data": data })
}

/// The `Value` of one of the shapes above. They are structs of strings,
/// numbers and maps with string keys, which always convert.
fn to_value<T: Serialize>(shape: &T) -> Value {
    serde_json::to_value(shape).unwrap_or(Value::Null)
}

/// A timestamp written as [`iso8601`] writes it
/// (`2025-01-01T00:00:00.000Z`), straight into the serializer: no `String`
/// per timestamp, no format description walked per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Iso(pub i64);

/// 0000-01-01T00:00:00.000Z, the earliest instant [`iso8601`] writes.
const ISO_MIN_MS: i64 = -62_167_219_200_000;

impl Iso {
    /// The 24 bytes of the timestamp (years outside 0000-9999 are written as
    /// the nearest end, as [`iso8601`] does).
    pub fn bytes(self) -> [u8; 24] {
        let ms = self.0.clamp(ISO_MIN_MS, crate::common::clock::MAX_MS);
        // The calendar is the `time` crate's; only the digits are written here.
        let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let (year, month, day) = at.to_calendar_date();
        let (year, month, day) = (i64::from(year), i64::from(u8::from(month)), i64::from(day));
        let (hour, minute, second, milli) = at.to_hms_milli();
        let (hour, minute, second, milli) = (
            i64::from(hour),
            i64::from(minute),
            i64::from(second),
            i64::from(milli),
        );
        let mut out = *b"0000-00-00T00:00:00.000Z";
        let mut put = |at: usize, width: usize, mut n: i64| {
            for i in (at..at + width).rev() {
                out[i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        put(0, 4, year);
        put(5, 2, month);
        put(8, 2, day);
        put(11, 2, hour);
        put(14, 2, minute);
        put(17, 2, second);
        put(20, 3, milli);
        out
    }
}

impl Serialize for Iso {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let bytes = self.bytes();
        serializer.serialize_str(std::str::from_utf8(&bytes).unwrap_or("1970-01-01T00:00:00.000Z"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::workos::state::{AccountState, ConnectionRole};

    #[test]
    fn iso_writes_what_iso8601_writes() {
        let max = crate::common::clock::MAX_MS;
        let mut samples = vec![
            0,
            -1,
            1,
            999,
            86_399_999,
            86_400_000,
            951_782_400_000,   // 2000-02-29
            4_107_542_399_999, // 2100-02-28T23:59:59.999
            4_107_542_400_000, // 2100-03-01
            ISO_MIN_MS,
            ISO_MIN_MS - 1,
            ISO_MIN_MS + 1,
            max,
            max + 1,
            max - 1,
            i64::MIN,
            i64::MAX,
            1_735_689_600_000,
        ];
        // A spread over the whole range, and every day around leap years.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let span = (max - ISO_MIN_MS) as u64;
            samples.push(ISO_MIN_MS + (x % span) as i64);
        }
        for day in -800..800 {
            samples.push(day * 86_400_000 + 951_782_400_000 - 43_200_000);
            samples.push(day * 86_400_000 - 62_135_596_800_000); // around 0001-01-01
        }
        for ms in samples {
            let bytes = Iso(ms).bytes();
            assert_eq!(std::str::from_utf8(&bytes).unwrap(), iso8601(ms), "{ms}");
        }
    }

    fn sample_user() -> User {
        User {
            id: "user_01".into(),
            env: "env".into(),
            email: "a\"b@example.com".into(),
            first_name: Some("Bob".into()),
            last_name: None,
            email_verified: true,
            external_id: Some("ext".into()),
            metadata: [("z".to_string(), "1".to_string()), ("a".into(), "2".into())].into(),
            created_ms: 1_735_689_600_123,
            updated_ms: 1_735_689_600_456,
            seq: 3,
        }
    }

    #[test]
    fn user_shape_is_unchanged() {
        let u = sample_user();
        let expected = json!({
            "object": "user",
            "id": u.id,
            "email": u.email,
            "email_verified": u.email_verified,
            "first_name": u.first_name,
            "last_name": u.last_name,
            "profile_picture_url": null,
            "external_id": u.external_id,
            "last_sign_in_at": null,
            "metadata": u.metadata,
            "locale": null,
            "created_at": iso8601(u.created_ms),
            "updated_at": iso8601(u.updated_ms),
        });
        let text = serde_json::to_string(&expected).unwrap();
        assert_eq!(serde_json::to_string(&UserJson::new(&u)).unwrap(), text);
        assert_eq!(serde_json::to_string(&user(&u)).unwrap(), text);
        let page_text =
            serde_json::to_string(&page(vec![user(&u)], None, Some("x".into()))).unwrap();
        let direct = PageJson::new(vec![UserJson::new(&u)], None, Some("x".into()));
        assert_eq!(serde_json::to_string(&direct).unwrap(), page_text);
    }

    #[test]
    fn connected_account_shape_is_unchanged() {
        let mut a = ConnectedAccount {
            id: "data_installation_01".into(),
            env: "env".into(),
            integration_id: "data_integration_01".into(),
            slug: "github".into(),
            user_id: Some("user_01".into()),
            organization_id: None,
            ownership: Ownership::User,
            connection_role: ConnectionRole::Compatibility,
            established_by_user_id: Some("user_01".into()),
            auth_method: AuthMethod::OAuth,
            scopes: vec!["repo".into(), "user:email".into()],
            state: AccountState::NeedsReauthorization,
            state_reason: Some("why".into()),
            access_token: Some("gho_x".into()),
            refresh_token: None,
            expires_ms: Some(5),
            api_key: Some("key_1234567".into()),
            client_id: Some("client".into()),
            client_secret: Some("s3cr3t".into()),
            config: [("b".to_string(), "1".to_string()), ("a".into(), "2".into())].into(),
            account_identifier: Some("bob".into()),
            account_display_name: None,
            created_ms: 1,
            updated_ms: 2,
            seq: 0,
        };
        for method in [
            AuthMethod::OAuth,
            AuthMethod::ApiKey,
            AuthMethod::ClientCredentials,
        ] {
            for secrets in [true, false] {
                a.auth_method = method;
                if !secrets {
                    a.api_key = None;
                    a.client_secret = None;
                    a.client_id = None;
                }
                let mut v = json!({
                    "object": "connected_account",
                    "id": a.id,
                    "connection_role": a.connection_role.as_str(),
                    "account_identifier": a.account_identifier,
                    "account_display_name": a.account_display_name,
                    "user_id": a.user_id,
                    "organization_id": a.organization_id,
                    "scopes": a.scopes,
                    "state": a.state.as_str(),
                    "auth_method": a.auth_method.as_str(),
                    "config": a.config,
                    "established_by_user_id": a.established_by_user_id,
                    "state_reason": a.state_reason,
                    "created_at": iso8601(a.created_ms),
                    "updated_at": iso8601(a.updated_ms),
                });
                let m = v.as_object_mut().unwrap();
                match a.auth_method {
                    AuthMethod::ApiKey => {
                        m.insert(
                            "api_key_last_4".into(),
                            json!(a.api_key.as_deref().map(last4)),
                        );
                    }
                    AuthMethod::ClientCredentials => {
                        m.insert("client_id".into(), json!(a.client_id));
                        m.insert(
                            "client_secret_last_4".into(),
                            json!(a.client_secret.as_deref().map(last4)),
                        );
                    }
                    AuthMethod::OAuth => {}
                }
                let text = serde_json::to_string(&v).unwrap();
                let direct = serde_json::to_string(&ConnectedAccountJson::new(&a)).unwrap();
                assert_eq!(direct, text);
                assert_eq!(serde_json::to_string(&connected_account(&a)).unwrap(), text);
            }
        }
    }

    #[test]
    fn access_token_shape_is_unchanged() {
        let scopes = vec!["repo".to_string()];
        let missing = vec!["admin".to_string()];
        for expires in [None, Some(1_735_689_600_000)] {
            let expected = json!({
                "active": true,
                "access_token": {
                    "object": "access_token",
                    "access_token": "gho_x",
                    "expires_at": expires.map(iso8601),
                    "scopes": scopes,
                    "missing_scopes": missing,
                }
            });
            let text = serde_json::to_string(&expected).unwrap();
            let direct = AccessTokenJson::new("gho_x", expires, &scopes, &missing);
            assert_eq!(serde_json::to_string(&direct).unwrap(), text);
            let value = access_token("gho_x", expires, &scopes, &missing);
            assert_eq!(serde_json::to_string(&value).unwrap(), text);
        }
    }
}
