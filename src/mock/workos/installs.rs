//! API-key and client-credentials installations:
//! `POST`/`PUT /data-integrations/{slug}/api-key` and
//! `POST`/`PUT /data-integrations/{slug}/client-credentials`.
//!
//! `POST` requires `connection_intent: "add"` (422 otherwise), refuses
//! `connected_account_id`, and creates the owner's compatibility connection,
//! or a standard one when the environment allows several (404
//! `multiple_connections_unavailable` when it does not), answering 201.
//! `PUT` is an upsert answering 200: it rotates the secret of the
//! compatibility connection (or the one named by `connected_account_id`,
//! required with `connection_intent: "reauthorize"`) and creates the
//! compatibility connection when there is none. The integration must list
//! the auth method (400 `auth_method_not_supported`). With
//! `connection_owner: "organization"` the connection is the organization's
//! and `user_id` must be an active member (403).

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;

use super::accounts::state_event;
use super::errors::ApiError;
use super::extract::{Fields, JsonBody, Patch, PathParams};
use super::json as shapes;
use super::resolve::{self, Selector};
use super::state::{AccountState, AuthMethod, ConnectedAccount, ConnectionRole, Owner};
use super::{Ctx, Env, created, ok};

/// The secret material of one installation.
enum Material {
    ApiKey(String),
    ClientCredentials {
        client_id: String,
        client_secret: String,
        config: Option<std::collections::BTreeMap<String, String>>,
    },
}

impl Material {
    fn method(&self) -> AuthMethod {
        match self {
            Material::ApiKey(_) => AuthMethod::ApiKey,
            Material::ClientCredentials { .. } => AuthMethod::ClientCredentials,
        }
    }

    fn read(method: AuthMethod, body: &Fields) -> Result<Self, ApiError> {
        match method {
            AuthMethod::ApiKey => Ok(Material::ApiKey(body.req_str("secret")?)),
            _ => Ok(Material::ClientCredentials {
                client_id: body.req_str("client_id")?,
                client_secret: body.req_str("client_secret")?,
                config: body.opt_str_map("config")?,
            }),
        }
    }

    fn store(self, a: &mut ConnectedAccount) {
        a.auth_method = self.method();
        match self {
            Material::ApiKey(secret) => a.api_key = Some(secret),
            Material::ClientCredentials {
                client_id,
                client_secret,
                config,
            } => {
                a.client_id = Some(client_id);
                a.client_secret = Some(client_secret);
                // A new pair invalidates any token minted with the old one.
                a.access_token = None;
                a.expires_ms = None;
                if let Some(c) = config {
                    a.config = c;
                }
            }
        }
    }
}

async fn install(
    ctx: &Ctx,
    env: &str,
    slug: &str,
    body: &Fields,
    method: AuthMethod,
    create: bool,
) -> Result<Response, ApiError> {
    let user_id = body.req_str("user_id")?;
    let org = body.opt_str("organization_id")?;
    let connection_owner = body.connection_owner()?;
    let connected_account_id = body.opt_str("connected_account_id")?;
    let display_name = body.patch_str("account_display_name")?;
    let identifier = body.patch_str("account_identifier")?;
    let material = Material::read(method, body)?;
    if create {
        match body.opt_str("connection_intent")?.as_deref() {
            Some("add") => {}
            Some(other) => {
                return Err(ApiError::invalid_field(
                    "connection_intent",
                    "invalid",
                    format!(
                        "connection_intent must be 'add' on POST; got '{other}'. Use PUT to update a connection."
                    ),
                ));
            }
            None => {
                return Err(ApiError::unprocessable(&[(
                    "connection_intent",
                    "required",
                )]));
            }
        }
        if connected_account_id.is_some() {
            return Err(ApiError::invalid_field(
                "connected_account_id",
                "invalid",
                "POST creates a connection; connected_account_id is not accepted. Use PUT to update one.",
            ));
        }
    } else {
        let intent = body.opt_enum("connection_intent", &["reauthorize"])?;
        if intent.is_some() && connected_account_id.is_none() {
            return Err(ApiError::unprocessable(&[(
                "connected_account_id",
                "required",
            )]));
        }
    }
    let recorder = ctx.http.recorder();
    match &material {
        Material::ApiKey(secret) => recorder.secret("provider_api_key", secret),
        Material::ClientCredentials { client_secret, .. } => {
            recorder.secret("client_secret", client_secret)
        }
    }
    let now = ctx.clock.now_ms();
    let (account, is_new, changed, warnings) = {
        let mut st = ctx.state();
        let i = resolve::integration(&st, env, slug, connection_owner)?;
        if !i.auth_methods.contains(&method) {
            return Err(ApiError::bad_request(
                "auth_method_not_supported",
                format!(
                    "The {slug} integration does not accept {} connections; its auth methods are {}.",
                    method.as_str(),
                    i.auth_methods
                        .iter()
                        .map(|m| m.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        resolve::usable(&st, env, &i, org.as_deref())?;
        let owner = resolve::owner(&st, env, &i, Some(&user_id), org.as_deref())?;
        let existing = if create {
            None
        } else {
            let sel = Selector {
                connected_account_id: connected_account_id.clone(),
                multiple: false,
            };
            resolve::select(&st, &i.id, &owner, &sel)?
        };
        let is_new = existing.is_none();
        let mut a = match existing {
            Some(a) => a,
            None => {
                let role = if create {
                    resolve::role_for_add(&st, env, &i, &owner)?
                } else {
                    ConnectionRole::Compatibility
                };
                let mut a =
                    ConnectedAccount::oauth(&ctx.ids.id("data_installation"), &i, &user_id, now);
                a.connection_role = role;
                a.scopes = Vec::new();
                match &owner {
                    Owner::User {
                        organization_id, ..
                    } => {
                        a.organization_id = organization_id.clone();
                    }
                    Owner::Organization { organization_id } => {
                        a.user_id = None;
                        a.organization_id = Some(organization_id.clone());
                    }
                }
                a
            }
        };
        let before = a.state;
        let label = match &display_name {
            Patch::Set(l) => Some(l.clone()),
            _ => None,
        };
        material.store(&mut a);
        display_name.apply(&mut a.account_display_name);
        identifier.apply(&mut a.account_identifier);
        a.state = AccountState::Connected;
        a.state_reason = None;
        a.established_by_user_id = Some(user_id.clone());
        a.updated_ms = now;
        let warnings = resolve::label_warnings(&st, &i, &owner, label.as_deref(), &a.id);
        let changed = before != a.state;
        st.add_account(a.clone());
        (a, is_new, changed, warnings)
    };
    if is_new || changed {
        state_event(ctx, env, &account);
        ctx.flush().await;
    }
    let json = shapes::with_warnings(shapes::connected_account(&account), warnings);
    Ok(if create { created(json) } else { ok(json) })
}

/// `POST /data-integrations/{slug}/api-key`.
pub async fn create_api_key(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(slug): PathParams<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    install(&ctx, &env, &slug, &body, AuthMethod::ApiKey, true).await
}

/// `PUT /data-integrations/{slug}/api-key`.
pub async fn upsert_api_key(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(slug): PathParams<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    install(&ctx, &env, &slug, &body, AuthMethod::ApiKey, false).await
}

/// `POST /data-integrations/{slug}/client-credentials`.
pub async fn create_client_credentials(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(slug): PathParams<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    install(
        &ctx,
        &env,
        &slug,
        &body,
        AuthMethod::ClientCredentials,
        true,
    )
    .await
}

/// `PUT /data-integrations/{slug}/client-credentials`.
pub async fn upsert_client_credentials(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(slug): PathParams<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    install(
        &ctx,
        &env,
        &slug,
        &body,
        AuthMethod::ClientCredentials,
        false,
    )
    .await
}
