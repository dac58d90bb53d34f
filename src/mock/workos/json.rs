//! The JSON shapes of WorkOS objects, field for field as the official SDKs
//! parse them (reference sections B.2, D, E and J): every key the Python SDK
//! requires is present, nullable ones as `null`, timestamps ISO-8601 with
//! milliseconds.

use serde_json::{Map, Value, json};

use super::state::{
    AccountState, AuthMethod, ConnectedAccount, Credentials, Event, Integration, Membership,
    OrgConfiguration, Organization, Ownership, User, WebhookEndpoint,
};
use crate::common::clock::iso8601;

/// `User`.
pub fn user(u: &User) -> Value {
    json!({
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
    })
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
    if let Some(m) = v.as_object_mut() {
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
    }
    v
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

/// A plain list (the data-providers and configuration lists have no cursors).
pub fn plain_list(data: Vec<Value>) -> Value {
    json!({ "object": "list", "data": data })
}
