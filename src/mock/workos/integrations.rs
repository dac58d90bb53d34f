//! Data integrations: `GET`/`POST /data-integrations`, and `GET`/`PUT`/`DELETE`
//! of `/data-integrations/{slug}` (the user-owned integration) and
//! `/data-integrations/{slug}/organization` (the organization-owned one;
//! the suffix names the ownership, not an organization).
//!
//! Create: `provider` required; a built-in slug (github, slack, google,
//! salesforce) or a new slug with `custom_provider` (a custom slug may not
//! shadow a built-in one: 422); `credentials` required for OAuth
//! integrations (`type` custom with `client_id` and `client_secret`, or
//! organization); `enabled` defaults to false; an `api_key` block installs a
//! first tenant and is echoed as `installation`. A second integration of the
//! same slug and ownership is a 409 `data_integration_already_exists`.
//! Delete removes every connection of the integration, each with a
//! `pipes.connected_account.disconnected` event, and answers 204.

use std::str::FromStr;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde_json::Value;

use super::accounts::disconnected;
use super::errors::ApiError;
use super::extract::{Fields, JsonBody, Patch, PathParams, QueryParams, valid_slug};
use super::json as shapes;
use super::pagination::paginate;
use super::resolve;
use super::state::{
    AccountState, AuthMethod, ConnectedAccount, ConnectionRole, Credentials, CustomProvider,
    Integration, Ownership,
};
use super::{Ctx, Env, created, no_content, ok};
use crate::provider::ProviderKind;

/// The JSON of an integration, with its redirect URI.
pub fn integration_json(ctx: &Ctx, i: &Integration, installation: Option<Value>) -> Value {
    shapes::integration(i, &ctx.callback_url(&i.slug), installation)
}

/// `GET /data-integrations`.
pub async fn list(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    q: QueryParams,
) -> Result<Response, ApiError> {
    let ownership = q
        .one_of("ownership", &["user", "organization"])?
        .and_then(|o| Ownership::parse(&o));
    let st = ctx.state();
    let mut rows: Vec<&Integration> = st
        .integrations
        .values()
        .filter(|i| i.env == env)
        .filter(|i| ownership.is_none_or(|o| i.ownership == o))
        .filter(|i| {
            !(i.credentials == Credentials::Shared && i.auth_methods.contains(&AuthMethod::OAuth))
        })
        .collect();
    rows.sort_by_key(|i| i.seq);
    let page = paginate(
        rows.into_iter()
            .map(|i| (i.id.clone(), integration_json(&ctx, i, None)))
            .collect(),
        &q,
    )?;
    Ok(ok(shapes::page(page.items, page.before, page.after)))
}

fn parse_credentials(body: &Fields) -> Result<Option<Credentials>, ApiError> {
    let Some(c) = body.opt_object("credentials")? else {
        return Ok(None);
    };
    let kind = c
        .opt_enum("type", &["custom", "organization"])
        .map_err(|_| ApiError::unprocessable(&[("credentials.type", "invalid")]))?
        .ok_or_else(|| ApiError::unprocessable(&[("credentials.type", "required")]))?;
    if kind == "organization" {
        return Ok(Some(Credentials::Organization));
    }
    let client_id = c
        .req_str("client_id")
        .map_err(|_| ApiError::unprocessable(&[("credentials.client_id", "required")]))?;
    let client_secret = c
        .req_str("client_secret")
        .map_err(|_| ApiError::unprocessable(&[("credentials.client_secret", "required")]))?;
    Ok(Some(Credentials::Custom {
        client_id,
        client_secret,
    }))
}

fn parse_auth_methods(body: &Fields) -> Result<Option<Vec<AuthMethod>>, ApiError> {
    let Some(list) = body.opt_str_list("auth_methods")? else {
        return Ok(None);
    };
    if list.is_empty() {
        return Err(ApiError::unprocessable(&[("auth_methods", "invalid")]));
    }
    list.iter()
        .map(|m| {
            AuthMethod::parse(m).ok_or_else(|| {
                ApiError::invalid_field(
                    "auth_methods",
                    "invalid",
                    format!(
                        "auth_methods must be oauth, api_key or client_credentials; got '{m}'."
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Reads a `custom_provider` block over `base` (create: defaults; update: the current definition).
fn parse_custom_provider(
    c: &Fields,
    base: CustomProvider,
    create: bool,
) -> Result<CustomProvider, ApiError> {
    let mut p = base;
    let field = |name: &str| format!("custom_provider.{name}");
    let wrap = |name: &str, e: ApiError| {
        let code = e
            .body
            .pointer("/errors/0/code")
            .and_then(Value::as_str)
            .unwrap_or("invalid")
            .to_string();
        ApiError::unprocessable(&[(&field(name), &code)])
    };
    if create {
        p.name = c.req_str("name").map_err(|e| wrap("name", e))?;
    } else if let Some(n) = c.opt_str("name").map_err(|e| wrap("name", e))? {
        p.name = n;
    }
    for (name, slot) in [
        ("authorization_url", &mut p.authorization_url),
        ("token_url", &mut p.token_url),
        ("refresh_token_url", &mut p.refresh_token_url),
    ] {
        let value = c.patch_str(name).map_err(|e| wrap(name, e))?;
        if let Patch::Set(u) = &value
            && url::Url::parse(u)
                .map(|x| x.host_str().is_none())
                .unwrap_or(true)
        {
            return Err(ApiError::unprocessable(&[(&field(name), "invalid")]));
        }
        value.apply(slot);
    }
    for (name, slot) in [
        ("pkce_enabled", &mut p.pkce_enabled),
        ("scopes_required", &mut p.scopes_required),
        ("client_secret_required", &mut p.client_secret_required),
    ] {
        if let Some(b) = c.opt_bool(name).map_err(|e| wrap(name, e))? {
            *slot = b;
        }
    }
    if let Some(s) = c
        .opt_str("request_scope_separator")
        .map_err(|e| wrap("request_scope_separator", e))?
    {
        p.request_scope_separator = s;
    }
    if let Some(m) = c
        .opt_str_map("additional_authorization_parameters")
        .map_err(|e| wrap("additional_authorization_parameters", e))?
    {
        p.additional_authorization_parameters = m;
    }
    if let Some(t) = c
        .opt_enum(
            "token_body_content_type",
            &["application/x-www-form-urlencoded", "application/json"],
        )
        .map_err(|e| wrap("token_body_content_type", e))?
    {
        p.token_body_content_type = t;
    }
    if let Some(a) = c
        .opt_enum("authenticate_via", &["request_body", "basic_auth_header"])
        .map_err(|e| wrap("authenticate_via", e))?
    {
        p.authenticate_via = a;
    }
    Ok(p)
}

fn default_custom_provider() -> CustomProvider {
    CustomProvider {
        request_scope_separator: " ".into(),
        client_secret_required: true,
        token_body_content_type: "application/x-www-form-urlencoded".into(),
        authenticate_via: "request_body".into(),
        ..CustomProvider::default()
    }
}

/// An `api_key` block: `(secret, user_id, organization_id)`.
fn parse_api_key(body: &Fields) -> Result<Option<(String, String, Option<String>)>, ApiError> {
    let Some(k) = body.opt_object("api_key")? else {
        return Ok(None);
    };
    let secret = k
        .req_str("secret")
        .map_err(|_| ApiError::unprocessable(&[("api_key.secret", "required")]))?;
    let user_id = k
        .req_str("user_id")
        .map_err(|_| ApiError::unprocessable(&[("api_key.user_id", "required")]))?;
    let org = k
        .opt_str("organization_id")
        .map_err(|_| ApiError::unprocessable(&[("api_key.organization_id", "invalid")]))?;
    Ok(Some((secret, user_id, org)))
}

/// Installs or rotates the API key of a tenant; returns the connection and whether it is new.
fn install_api_key(
    ctx: &Ctx,
    st: &mut super::state::WorkosState,
    env: &str,
    i: &Integration,
    (secret, user_id, org): (String, String, Option<String>),
) -> Result<(ConnectedAccount, bool), ApiError> {
    if !i.auth_methods.contains(&AuthMethod::ApiKey) {
        return Err(ApiError::invalid_field(
            "api_key",
            "invalid",
            "api_key is only accepted on integrations whose auth_methods include api_key.",
        ));
    }
    ctx.http.recorder().secret("provider_api_key", &secret);
    let owner = resolve::owner(st, env, i, Some(&user_id), org.as_deref())?;
    let now = ctx.clock.now_ms();
    let existing = resolve::select(st, &i.id, &owner, &resolve::Selector::default())?;
    let is_new = existing.is_none();
    let mut a = existing.unwrap_or_else(|| {
        let mut a = ConnectedAccount::oauth(&ctx.ids.id("data_installation"), i, &user_id, now);
        a.connection_role = ConnectionRole::Compatibility;
        a.scopes = Vec::new();
        if i.ownership == Ownership::Organization {
            a.user_id = None;
        }
        a.organization_id = org.clone();
        a
    });
    a.auth_method = AuthMethod::ApiKey;
    a.api_key = Some(secret);
    a.state = AccountState::Connected;
    a.updated_ms = now;
    st.add_account(a.clone());
    Ok((a, is_new))
}

/// `POST /data-integrations` → 201.
pub async fn create(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let provider = body.req_str("provider")?;
    if !valid_slug(&provider) {
        return Err(ApiError::invalid_field(
            "provider",
            "invalid",
            format!(
                "provider must be a slug of lowercase letters, digits, '-' and '_'; got '{provider}'."
            ),
        ));
    }
    let ownership = body
        .opt_enum("ownership", &["user", "organization"])?
        .and_then(|o| Ownership::parse(&o))
        .unwrap_or(Ownership::User);
    let description = body.opt_str("description")?;
    let enabled = body.opt_bool("enabled")?.unwrap_or(false);
    let scopes = body.opt_str_list("scopes")?;
    let auth_methods = parse_auth_methods(&body)?.unwrap_or_else(|| vec![AuthMethod::OAuth]);
    let config = body.opt_str_map("config")?.unwrap_or_default();
    let credentials = parse_credentials(&body)?;
    let api_key = parse_api_key(&body)?;
    let custom_block = body.opt_object("custom_provider")?;
    let builtin = ProviderKind::from_str(&provider).ok();
    let now = ctx.clock.now_ms();
    let (integration, installation) = {
        let mut st = ctx.state();
        let custom_provider = match (builtin, &custom_block) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid_field(
                    "provider",
                    "invalid",
                    format!(
                        "'{provider}' is a built-in provider; a custom provider cannot shadow it."
                    ),
                ));
            }
            (Some(_), None) => None,
            (None, Some(c)) => Some(parse_custom_provider(c, default_custom_provider(), true)?),
            (None, None) => {
                let shared = st
                    .integrations
                    .values()
                    .find(|i| i.env == env && i.slug == provider && i.custom_provider.is_some())
                    .and_then(|i| i.custom_provider.clone());
                match shared {
                    Some(def) => Some(def),
                    None => {
                        return Err(ApiError::invalid_field(
                            "provider",
                            "invalid",
                            format!(
                                "Unknown provider '{provider}': use a built-in slug ({}) or define it with custom_provider.",
                                ProviderKind::slugs(", ")
                            ),
                        ));
                    }
                }
            }
        };
        let credentials = match credentials {
            Some(c) => c,
            None if auth_methods.contains(&AuthMethod::OAuth) => {
                return Err(ApiError::unprocessable(&[("credentials", "required")]));
            }
            None => Credentials::Shared,
        };
        if let Credentials::Custom {
            client_id,
            client_secret,
        } = &credentials
        {
            ctx.http.recorder().secret("client_secret", client_secret);
            if builtin.is_some() {
                super::provider_apps::register_custom_app(
                    &ctx,
                    &provider,
                    client_id,
                    client_secret,
                );
            }
        }
        if st.integration(&env, &provider, ownership).is_some() {
            return Err(ApiError::conflict(
                "data_integration_already_exists",
                format!(
                    "A {}-owned {provider} data integration already exists.",
                    ownership.as_str()
                ),
            ));
        }
        let integration = Integration {
            id: ctx.ids.id("data_integration"),
            env: env.clone(),
            slug: provider.clone(),
            provider: builtin,
            ownership,
            enabled,
            scopes,
            auth_methods,
            credentials,
            description,
            config,
            custom_provider,
            created_ms: now,
            updated_ms: now,
            seq: 0,
        };
        st.add_integration(integration.clone());
        let installation = match api_key {
            Some(k) => match install_api_key(&ctx, &mut st, &env, &integration, k) {
                Ok((a, _)) => Some(a),
                Err(e) => {
                    st.integrations.remove(&integration.id);
                    return Err(e);
                }
            },
            None => None,
        };
        (integration, installation)
    };
    super::custom_providers::register_app(&ctx, &integration);
    if let Some(a) = &installation {
        ctx.emit(
            &env,
            "pipes.connected_account.connected",
            shapes::account_event_data(a),
        );
        ctx.flush().await;
    }
    Ok(created(integration_json(
        &ctx,
        &integration,
        installation.as_ref().map(shapes::installation),
    )))
}

async fn get(ctx: &Ctx, env: &str, slug: &str, ownership: Ownership) -> Result<Response, ApiError> {
    let st = ctx.state();
    let i = resolve::integration(&st, env, slug, Some(ownership))?;
    Ok(ok(integration_json(ctx, &i, None)))
}

async fn update(
    ctx: &Ctx,
    env: &str,
    slug: &str,
    ownership: Ownership,
    body: &Fields,
) -> Result<Response, ApiError> {
    let description = body.patch_str("description")?;
    let enabled = body.opt_bool("enabled")?;
    let scopes = body.patch_str_list("scopes")?;
    let credentials = parse_credentials(body)?;
    let api_key = parse_api_key(body)?;
    let custom_block = body.opt_object("custom_provider")?;
    if credentials.is_some() && api_key.is_some() {
        return Err(ApiError::invalid_field(
            "credentials",
            "invalid",
            "credentials and api_key are mutually exclusive.",
        ));
    }
    let now = ctx.clock.now_ms();
    let (integration, installed) = {
        let mut st = ctx.state();
        let mut i = resolve::integration(&st, env, slug, Some(ownership))?;
        if let Some(c) = &custom_block {
            let Some(current) = i.custom_provider.clone() else {
                return Err(ApiError::invalid_field(
                    "custom_provider",
                    "invalid",
                    format!(
                        "custom_provider is only valid for custom-provider integrations; {slug} is built in."
                    ),
                ));
            };
            let updated = parse_custom_provider(c, current, false)?;
            // The definition is shared by both ownerships of a custom provider.
            for other in st.integrations.values_mut() {
                if other.env == env && other.slug == slug {
                    other.custom_provider = Some(updated.clone());
                }
            }
            i.custom_provider = Some(updated);
        }
        description.apply(&mut i.description);
        if let Some(e) = enabled {
            i.enabled = e;
        }
        scopes.apply(&mut i.scopes);
        if let Some(c) = credentials {
            if let Credentials::Custom {
                client_id,
                client_secret,
            } = &c
            {
                ctx.http.recorder().secret("client_secret", client_secret);
                if i.provider.is_some() {
                    super::provider_apps::register_custom_app(
                        ctx,
                        &i.slug,
                        client_id,
                        client_secret,
                    );
                }
            }
            i.credentials = c;
        }
        i.updated_ms = now;
        st.integrations.insert(i.id.clone(), i.clone());
        let installed = match api_key {
            Some(k) => {
                let (a, is_new) = install_api_key(ctx, &mut st, env, &i, k)?;
                is_new.then_some(a)
            }
            None => None,
        };
        (i, installed)
    };
    super::custom_providers::register_app(ctx, &integration);
    if let Some(a) = installed {
        ctx.emit(
            env,
            "pipes.connected_account.connected",
            shapes::account_event_data(&a),
        );
        ctx.flush().await;
    }
    Ok(ok(integration_json(ctx, &integration, None)))
}

async fn delete(
    ctx: &Ctx,
    env: &str,
    slug: &str,
    ownership: Ownership,
) -> Result<Response, ApiError> {
    let removed = {
        let mut st = ctx.state();
        let i = resolve::integration(&st, env, slug, Some(ownership))?;
        st.integrations.remove(&i.id);
        st.org_configurations.retain(|(_, iid), _| *iid != i.id);
        st.pending.retain(|_, p| p.integration_id != i.id);
        let mut gone: Vec<ConnectedAccount> = st
            .accounts
            .values()
            .filter(|a| a.integration_id == i.id)
            .cloned()
            .collect();
        gone.sort_by_key(|a| a.seq);
        for a in &gone {
            st.remove_account(&a.id);
        }
        gone
    };
    for a in &removed {
        disconnected(ctx, env, a);
    }
    ctx.flush().await;
    Ok(no_content())
}

/// `GET /data-integrations/{slug}`.
pub async fn get_user(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(slug): PathParams<String>,
) -> Result<Response, ApiError> {
    get(&ctx, &env, &slug, Ownership::User).await
}

/// `PUT /data-integrations/{slug}`.
pub async fn update_user(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(slug): PathParams<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    update(&ctx, &env, &slug, Ownership::User, &body).await
}

/// `DELETE /data-integrations/{slug}` → 204.
pub async fn delete_user(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(slug): PathParams<String>,
) -> Result<Response, ApiError> {
    delete(&ctx, &env, &slug, Ownership::User).await
}

/// `GET /data-integrations/{slug}/organization`.
pub async fn get_org(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(slug): PathParams<String>,
) -> Result<Response, ApiError> {
    get(&ctx, &env, &slug, Ownership::Organization).await
}

/// `PUT /data-integrations/{slug}/organization`.
pub async fn update_org(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(slug): PathParams<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    update(&ctx, &env, &slug, Ownership::Organization, &body).await
}

/// `DELETE /data-integrations/{slug}/organization` → 204.
pub async fn delete_org(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(slug): PathParams<String>,
) -> Result<Response, ApiError> {
    delete(&ctx, &env, &slug, Ownership::Organization).await
}
