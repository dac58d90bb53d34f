//! Lookups every Pipes endpoint shares, each answering the WorkOS error a
//! miss deserves: integrations by slug and ownership, users and
//! organizations, the owner of a connection, which of an owner's
//! connections a request means, and the OAuth app an integration uses.

use serde_json::{Value, json};

use super::errors::ApiError;
use super::extract::{valid_id, valid_slug};
use super::state::{
    ConnectedAccount, ConnectionRole, Credentials, EnvironmentKind, Integration, Organization,
    Owner, Ownership, User, WorkosState,
};
use super::{Ctx, default_scopes};
use crate::provider::ProviderKind;

/// The integration of `slug`: of `ownership` when given, else the
/// user-owned one, else the organization-owned one.
pub fn integration(
    st: &WorkosState,
    env: &str,
    slug: &str,
    ownership: Option<Ownership>,
) -> Result<Integration, ApiError> {
    integration_ref(st, env, slug, ownership).cloned()
}

/// [`integration`], borrowed from the state.
pub fn integration_ref<'a>(
    st: &'a WorkosState,
    env: &str,
    slug: &str,
    ownership: Option<Ownership>,
) -> Result<&'a Integration, ApiError> {
    if !valid_slug(slug) {
        return Err(ApiError::integration_not_found(slug));
    }
    match ownership {
        Some(o) => st.integration(env, slug, o),
        None => st.any_integration(env, slug),
    }
    .ok_or_else(|| ApiError::integration_not_found(slug))
}

/// Refuses integrations that cannot hand out connections: disabled (for
/// the whole environment, or by `org`'s configuration), or on WorkOS's
/// shared app in a production environment.
pub fn usable(
    st: &WorkosState,
    env: &str,
    i: &Integration,
    org: Option<&str>,
) -> Result<(), ApiError> {
    let org_switch = org.and_then(|o| {
        st.org_configurations
            .get(&(o.to_string(), i.id.clone()))
            .and_then(|c| c.enabled)
    });
    if org_switch == Some(false) {
        return Err(ApiError::forbidden(
            "data_integration_disabled",
            format!(
                "The {} data integration is disabled for this organization.",
                i.slug
            ),
        ));
    }
    if !i.enabled && org_switch != Some(true) {
        return Err(ApiError::forbidden(
            "data_integration_disabled",
            format!(
                "The {} data integration is disabled. Enable it before connecting accounts.",
                i.slug
            ),
        ));
    }
    let production = st
        .environments
        .get(env)
        .is_some_and(|e| e.kind == EnvironmentKind::Production);
    if production
        && i.credentials == Credentials::Shared
        && i.auth_methods.contains(&super::state::AuthMethod::OAuth)
    {
        return Err(ApiError::forbidden(
            "shared_credentials_not_allowed",
            "Shared credentials are only available in sandbox environments. Configure custom credentials for this integration.",
        ));
    }
    Ok(())
}

/// The user `id` of `env`, or 404.
pub fn user(st: &WorkosState, env: &str, id: &str) -> Result<User, ApiError> {
    user_ref(st, env, id).cloned()
}

/// The user `id` of `env`, or 404, borrowed from the state.
pub fn user_ref<'a>(st: &'a WorkosState, env: &str, id: &str) -> Result<&'a User, ApiError> {
    if !valid_id(id, "user") {
        return Err(ApiError::not_found(format!("User not found: '{id}'")));
    }
    st.user_in(env, id)
        .ok_or_else(|| ApiError::not_found(format!("User not found: '{id}'")))
}

/// The organization `id` of `env`, or 404.
pub fn organization(st: &WorkosState, env: &str, id: &str) -> Result<Organization, ApiError> {
    if !valid_id(id, "org") {
        return Err(ApiError::not_found(format!(
            "Organization not found: '{id}'"
        )));
    }
    st.organization_in(env, id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("Organization not found: '{id}'")))
}

/// 403 unless `user_id` is an active member of `org_id`.
pub fn active_member(st: &WorkosState, user_id: &str, org_id: &str) -> Result<(), ApiError> {
    if st.is_active_member(user_id, org_id) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "organization_membership_required",
            format!("User '{user_id}' is not an active member of organization '{org_id}'."),
        ))
    }
}

/// Who a request's connection belongs to. For an organization-owned
/// integration `organization_id` is required and `user_id` (the member
/// acting) must be an active member; for a user-owned one `user_id` owns it,
/// scoped to `organization_id` when given.
pub fn owner(
    st: &WorkosState,
    env: &str,
    i: &Integration,
    user_id: Option<&str>,
    org_id: Option<&str>,
) -> Result<Owner, ApiError> {
    if let Some(u) = user_id {
        user(st, env, u)?;
    }
    if let Some(o) = org_id {
        organization(st, env, o)?;
    }
    match i.ownership {
        Ownership::Organization => {
            let org = org_id.ok_or_else(|| {
                ApiError::invalid_field(
                    "organization_id",
                    "required",
                    "organization_id is required for organization-owned connections.",
                )
            })?;
            if let Some(u) = user_id {
                active_member(st, u, org)?;
            }
            Ok(Owner::Organization {
                organization_id: org.to_string(),
            })
        }
        Ownership::User => {
            let u = user_id.ok_or_else(|| ApiError::unprocessable(&[("user_id", "required")]))?;
            Ok(Owner::User {
                user_id: u.to_string(),
                organization_id: org_id.map(str::to_string),
            })
        }
    }
}

/// Which connection a request means.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    /// An exact connection.
    pub connected_account_id: Option<String>,
    /// The plural contract: several matches are an error, not a choice.
    pub multiple: bool,
}

/// The connection `sel` picks among `owner`'s on `integration_id`: the
/// named one (404 if it is not theirs), the only one under the plural
/// contract (409 `account_selection_required` when several match), or the
/// compatibility connection.
pub fn select(
    st: &WorkosState,
    integration_id: &str,
    owner: &Owner,
    sel: &Selector,
) -> Result<Option<ConnectedAccount>, ApiError> {
    select_ref(st, integration_id, owner, sel).map(|a| a.cloned())
}

/// [`select`], borrowing the connection from the state.
pub fn select_ref<'a>(
    st: &'a WorkosState,
    integration_id: &str,
    owner: &Owner,
    sel: &Selector,
) -> Result<Option<&'a ConnectedAccount>, ApiError> {
    let accounts = st.owner_accounts(integration_id, owner);
    if let Some(id) = &sel.connected_account_id {
        return accounts
            .into_iter()
            .find(|a| a.id == *id)
            .map(Some)
            .ok_or_else(|| ApiError::not_found(format!("Connected account not found: '{id}'")));
    }
    if sel.multiple && accounts.len() > 1 {
        return Err(ApiError::conflict(
            "account_selection_required",
            format!(
                "{} connections match; pass connected_account_id to choose one.",
                accounts.len()
            ),
        ));
    }
    if sel.multiple {
        return Ok(accounts.first().copied());
    }
    Ok(accounts
        .into_iter()
        .find(|a| a.connection_role == ConnectionRole::Compatibility))
}

/// The role a connection added with `connection_intent: add` gets: the
/// compatibility slot when the owner has none, a standard one when the
/// environment allows several, else 404 `multiple_connections_unavailable`.
pub fn role_for_add(
    st: &WorkosState,
    env: &str,
    i: &Integration,
    owner: &Owner,
) -> Result<ConnectionRole, ApiError> {
    let existing = st.owner_accounts(&i.id, owner);
    if existing.is_empty() {
        return Ok(ConnectionRole::Compatibility);
    }
    if existing
        .iter()
        .all(|a| a.connection_role != ConnectionRole::Compatibility)
    {
        return Ok(ConnectionRole::Compatibility);
    }
    if st
        .environments
        .get(env)
        .is_some_and(|e| e.multiple_connections)
    {
        Ok(ConnectionRole::Standard)
    } else {
        Err(ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "multiple_connections_unavailable",
            format!(
                "This owner already has a {} connection, and adding another connection is not available.",
                i.slug
            ),
        ))
    }
}

/// `warnings` for a label another of the owner's connections already uses.
pub fn label_warnings(
    st: &WorkosState,
    i: &Integration,
    owner: &Owner,
    label: Option<&str>,
    except: &str,
) -> Vec<Value> {
    let Some(label) = label else {
        return Vec::new();
    };
    let taken = st
        .owner_accounts(&i.id, owner)
        .iter()
        .any(|a| a.id != except && a.account_display_name.as_deref() == Some(label));
    if taken {
        vec![json!({
            "code": "duplicate_account_display_name",
            "message": format!("Another connection of this owner is already labelled '{label}'."),
        })]
    } else {
        Vec::new()
    }
}

/// The scopes an integration asks for, with an organization's override.
pub fn requested_scopes(st: &WorkosState, i: &Integration, org: Option<&str>) -> Vec<String> {
    let org_override = org.and_then(|o| {
        st.org_configurations
            .get(&(o.to_string(), i.id.clone()))
            .and_then(|c| c.scopes.clone())
    });
    org_override
        .or_else(|| i.scopes.clone())
        .unwrap_or_else(|| i.provider.map(default_scopes).unwrap_or_default())
}

/// The OAuth app and endpoints an integration connects with.
#[derive(Debug, Clone)]
pub struct OAuthApp {
    /// Built-in provider, if any.
    pub kind: Option<ProviderKind>,
    /// Authorize page.
    pub authorize_url: String,
    /// Token endpoint.
    pub token_url: String,
    /// Refresh endpoint.
    pub refresh_url: String,
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
    /// How scopes are joined.
    pub scope_separator: String,
    /// Whether to send PKCE.
    pub pkce: bool,
    /// Extra authorize parameters.
    pub extra: Vec<(String, String)>,
    /// Send client credentials as HTTP Basic instead of in the body.
    pub basic_auth: bool,
    /// Send the token request as JSON instead of a form.
    pub json_body: bool,
    /// Send the client secret (a custom provider may not need one).
    pub send_secret: bool,
}

/// The OAuth app `i` uses for `org` (organization credentials come from the
/// organization's configuration): 400 `organization_credentials_missing`
/// when there is none to use.
pub fn oauth_app(
    ctx: &Ctx,
    st: &WorkosState,
    i: &Integration,
    org: Option<&str>,
) -> Result<OAuthApp, ApiError> {
    let missing = || {
        ApiError::bad_request(
            "organization_credentials_missing",
            format!(
                "The {} integration uses organization credentials, and the organization has not configured its OAuth app.",
                i.slug
            ),
        )
    };
    let link = i
        .provider
        .and_then(|k| ctx.providers.get(k.slug()))
        .cloned();
    let (client_id, client_secret) = match &i.credentials {
        Credentials::Shared => match &link {
            Some(l) => (l.shared_client_id.clone(), l.shared_client_secret.clone()),
            None => {
                return Err(ApiError::bad_request(
                    "credentials_missing",
                    format!("The {} integration has no OAuth credentials.", i.slug),
                ));
            }
        },
        Credentials::Custom {
            client_id,
            client_secret,
        } => (client_id.clone(), client_secret.clone()),
        Credentials::Organization => {
            let org = org.ok_or_else(missing)?;
            st.org_configurations
                .get(&(org.to_string(), i.id.clone()))
                .and_then(|c| c.app.clone())
                .ok_or_else(missing)?
        }
    };
    if let Some(l) = link {
        return Ok(OAuthApp {
            kind: Some(l.kind),
            authorize_url: l.authorize_url.clone(),
            token_url: l.token_url.clone(),
            refresh_url: l.token_url.clone(),
            client_id,
            client_secret,
            scope_separator: crate::providers::spec(l.kind).scope_separator.to_string(),
            pkce: true,
            extra: crate::providers::spec(l.kind)
                .authorize_params
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
            basic_auth: false,
            json_body: false,
            send_secret: true,
        });
    }
    let c = i.custom_provider.clone().unwrap_or_default();
    let (Some(authorize_url), Some(token_url)) = (c.authorization_url.clone(), c.token_url.clone())
    else {
        return Err(ApiError::bad_request(
            "custom_provider_incomplete",
            format!(
                "The custom provider {} needs authorization_url and token_url before accounts can connect.",
                i.slug
            ),
        ));
    };
    let mut extra = vec![("response_type".to_string(), "code".to_string())];
    extra.extend(c.additional_authorization_parameters.clone());
    Ok(OAuthApp {
        kind: None,
        authorize_url,
        refresh_url: c
            .refresh_token_url
            .clone()
            .unwrap_or_else(|| token_url.clone()),
        token_url,
        client_id,
        client_secret,
        scope_separator: if c.request_scope_separator.is_empty() {
            " ".to_string()
        } else {
            c.request_scope_separator.clone()
        },
        pkce: c.pkce_enabled,
        extra,
        basic_auth: c.authenticate_via == "basic_auth_header",
        json_body: c.token_body_content_type == "application/json",
        send_secret: c.client_secret_required,
    })
}
