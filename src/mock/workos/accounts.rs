//! Connected accounts of users (`/user_management/users/{user_id}/connected_accounts/{slug}`)
//! and organizations (`/organizations/{organization_id}/connected_accounts/{slug}`),
//! and the data-providers lists.
//!
//! `GET` and `DELETE` pick the connection with `connected_account_id` and
//! `supports_multiple_connections` (see [`resolve::select`]). `POST` imports
//! a connection from tokens (201); without `connection_intent` it fills the
//! compatibility slot and answers 409 `connected_account_already_exists`
//! when that is taken; with `add` it follows [`resolve::role_for_add`].
//! `PUT` updates the compatibility connection, or the one named by
//! `connected_account_id` (required with `connection_intent=reauthorize`),
//! and answers 404 when there is none to update. The state is the `state`
//! given, else derived from the tokens: an access token already expired with
//! no refresh token means `needs_reauthorization`; neither token nor state
//! is a 422. Organization connections name the acting member in `user_id`,
//! who must be an active member (403). State changes emit
//! `pipes.connected_account.connected` / `.reauthorization_needed`, deletes
//! `.disconnected`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde_json::Value;

use super::errors::ApiError;
use super::extract::{Fields, JsonBody, Patch, PathParams, QueryParams};
use super::json as shapes;
use super::resolve::{self, Selector};
use super::state::{
    AccountState, ConnectedAccount, ConnectionRole, Integration, Owner, Ownership, WorkosState,
};
use super::{Ctx, Env, created, json_bytes, no_content, ok, ok_bytes};

/// Whose connection a route addresses.
enum Route {
    User { user_id: String },
    Organization { organization_id: String },
}

impl Route {
    fn ownership(&self) -> Ownership {
        match self {
            Route::User { .. } => Ownership::User,
            Route::Organization { .. } => Ownership::Organization,
        }
    }
}

/// The integration and owner a route and its query mean.
fn locate(
    st: &WorkosState,
    env: &str,
    route: &Route,
    slug: &str,
    q: &QueryParams,
) -> Result<(Integration, Owner), ApiError> {
    locate_ref(st, env, route, slug, q).map(|(i, owner)| (i.clone(), owner))
}

/// [`locate`], borrowing the integration from the state.
fn locate_ref<'a>(
    st: &'a WorkosState,
    env: &str,
    route: &Route,
    slug: &str,
    q: &QueryParams,
) -> Result<(&'a Integration, Owner), ApiError> {
    // The owner in the path is checked first: an unknown user is a 404
    // whatever the slug.
    match route {
        Route::User { user_id } => {
            resolve::user_ref(st, env, user_id)?;
            let org = q.get("organization_id");
            if let Some(o) = org {
                resolve::organization(st, env, o)?;
            }
            let i = resolve::integration_ref(st, env, slug, Some(Ownership::User))?;
            Ok((
                i,
                Owner::User {
                    user_id: user_id.clone(),
                    organization_id: org.map(str::to_string),
                },
            ))
        }
        Route::Organization { organization_id } => {
            resolve::organization(st, env, organization_id)?;
            let i = resolve::integration_ref(st, env, slug, Some(route.ownership()))?;
            Ok((
                i,
                Owner::Organization {
                    organization_id: organization_id.clone(),
                },
            ))
        }
    }
}

fn selector(q: &QueryParams) -> Result<Selector, ApiError> {
    Ok(Selector {
        connected_account_id: q.get("connected_account_id").map(str::to_string),
        multiple: q.bool("supports_multiple_connections")?,
    })
}

fn not_found() -> ApiError {
    ApiError::not_found("Connected account not found")
}

async fn get_account(
    ctx: &Ctx,
    env: &str,
    route: Route,
    slug: &str,
    q: &QueryParams,
) -> Result<Response, ApiError> {
    let sel = selector(q)?;
    let st = ctx.state();
    let (i, owner) = locate_ref(&st, env, &route, slug, q)?;
    let account = resolve::select_ref(&st, &i.id, &owner, &sel)?.ok_or_else(not_found)?;
    // Written under the lock (nothing is cloned), answered after it.
    let body = json_bytes(&shapes::ConnectedAccountJson::new(account));
    drop(st);
    Ok(ok_bytes(body))
}

async fn delete_account(
    ctx: &Ctx,
    env: &str,
    route: Route,
    slug: &str,
    q: &QueryParams,
) -> Result<Response, ApiError> {
    let sel = selector(q)?;
    let gone = {
        let mut st = ctx.state();
        let (i, owner) = locate(&st, env, &route, slug, q)?;
        let account = resolve::select(&st, &i.id, &owner, &sel)?.ok_or_else(not_found)?;
        st.remove_account(&account.id);
        account
    };
    disconnected(ctx, env, &gone);
    ctx.flush().await;
    Ok(no_content())
}

/// Emits `pipes.connected_account.disconnected` for a removed connection.
pub fn disconnected(ctx: &Ctx, env: &str, gone: &ConnectedAccount) {
    ctx.emit(
        env,
        "pipes.connected_account.disconnected",
        shapes::disconnected_event_data(gone, ctx.clock.now_ms()),
    );
}

/// The token fields of an import or update body.
struct TokenFields {
    access_token: Patch<String>,
    refresh_token: Patch<String>,
    expires_ms: Option<i64>,
    expires_present: bool,
    scopes: Option<Vec<String>>,
    state: Option<AccountState>,
    display_name: Patch<String>,
    identifier: Patch<String>,
}

fn token_fields(body: &Fields) -> Result<TokenFields, ApiError> {
    let state = body
        .opt_enum("state", &["connected", "needs_reauthorization"])?
        .map(|s| {
            if s == "connected" {
                AccountState::Connected
            } else {
                AccountState::NeedsReauthorization
            }
        });
    Ok(TokenFields {
        access_token: body.patch_str("access_token")?,
        refresh_token: body.patch_str("refresh_token")?,
        expires_ms: body.opt_time("expires_at")?,
        expires_present: body.has("expires_at"),
        scopes: body.opt_str_list("scopes")?,
        state,
        display_name: body.patch_str("account_display_name")?,
        identifier: body.patch_str("account_identifier")?,
    })
}

/// The state a connection's tokens imply.
fn derived_state(a: &ConnectedAccount, now: i64) -> AccountState {
    let expired = a.expires_ms.is_some_and(|e| e <= now);
    if a.refresh_token.is_none() && (a.access_token.is_none() || expired) {
        AccountState::NeedsReauthorization
    } else {
        AccountState::Connected
    }
}

fn register_tokens(ctx: &Ctx, f: &TokenFields) {
    let recorder = ctx.http.recorder();
    if let Patch::Set(t) = &f.access_token {
        recorder.secret("access_token", t);
    }
    if let Patch::Set(t) = &f.refresh_token {
        recorder.secret("refresh_token", t);
    }
}

/// Applies `f` to `a`; returns whether the state changed.
fn apply(a: &mut ConnectedAccount, f: TokenFields, now: i64) -> bool {
    let before = a.state;
    let tokens_changed = f.access_token.is_present() || f.refresh_token.is_present();
    f.access_token.apply(&mut a.access_token);
    f.refresh_token.apply(&mut a.refresh_token);
    if f.expires_present {
        a.expires_ms = f.expires_ms;
    }
    if let Some(s) = f.scopes {
        a.scopes = s;
    }
    f.display_name.apply(&mut a.account_display_name);
    f.identifier.apply(&mut a.account_identifier);
    match f.state {
        Some(s) => a.state = s,
        None if tokens_changed => a.state = derived_state(a, now),
        None => {}
    }
    if a.state == AccountState::Connected {
        a.state_reason = None;
    }
    a.updated_ms = now;
    a.state != before
}

/// Emits the event for a connection's current state.
pub fn state_event(ctx: &Ctx, env: &str, a: &ConnectedAccount) {
    let name = match a.state {
        AccountState::Connected => "pipes.connected_account.connected",
        AccountState::NeedsReauthorization => "pipes.connected_account.reauthorization_needed",
        AccountState::Disconnected => "pipes.connected_account.disconnected",
    };
    ctx.emit(env, name, shapes::account_event_data(a));
}

/// The acting member of an organization route (body `user_id`, an active member).
fn acting_member(
    st: &WorkosState,
    env: &str,
    route: &Route,
    body: &Fields,
) -> Result<Option<String>, ApiError> {
    match route {
        Route::User { .. } => Ok(None),
        Route::Organization { organization_id } => {
            let user_id = body.req_str("user_id")?;
            resolve::user(st, env, &user_id)?;
            resolve::active_member(st, &user_id, organization_id)?;
            Ok(Some(user_id))
        }
    }
}

async fn create_account(
    ctx: &Ctx,
    env: &str,
    route: Route,
    slug: &str,
    q: &QueryParams,
    body: &Fields,
) -> Result<Response, ApiError> {
    let intent = body.opt_enum("connection_intent", &["add"])?;
    if body.has("connected_account_id") {
        return Err(ApiError::invalid_field(
            "connected_account_id",
            "invalid",
            "Importing creates a connection; connected_account_id is not accepted here. Use PUT to update one.",
        ));
    }
    let fields = token_fields(body)?;
    let has_token = matches!(fields.access_token, Patch::Set(_))
        || matches!(fields.refresh_token, Patch::Set(_));
    if !has_token && fields.state.is_none() {
        return Err(ApiError::unprocessable(&[("access_token", "required")]));
    }
    register_tokens(ctx, &fields);
    let now = ctx.clock.now_ms();
    let (account, warnings) = {
        let mut st = ctx.state();
        let (i, owner) = locate(&st, env, &route, slug, q)?;
        let member = acting_member(&st, env, &route, body)?;
        let role = if intent.is_some() {
            resolve::role_for_add(&st, env, &i, &owner)?
        } else {
            let taken = st
                .owner_accounts(&i.id, &owner)
                .iter()
                .any(|a| a.connection_role == ConnectionRole::Compatibility);
            if taken {
                return Err(ApiError::conflict(
                    "connected_account_already_exists",
                    format!(
                        "A connected account already exists for provider '{slug}'. Use PUT to update it."
                    ),
                ));
            }
            ConnectionRole::Compatibility
        };
        let owner_user = match &owner {
            Owner::User { user_id, .. } => user_id.clone(),
            Owner::Organization { .. } => member.clone().unwrap_or_default(),
        };
        let mut a = ConnectedAccount::oauth(&ctx.ids.id("data_installation"), &i, &owner_user, now);
        a.connection_role = role;
        a.state = AccountState::NeedsReauthorization;
        match &owner {
            Owner::User {
                organization_id, ..
            } => a.organization_id = organization_id.clone(),
            Owner::Organization { organization_id } => {
                a.user_id = None;
                a.organization_id = Some(organization_id.clone());
                a.established_by_user_id = member;
            }
        }
        let label = match &fields.display_name {
            Patch::Set(l) => Some(l.clone()),
            _ => None,
        };
        let had_state = fields.state;
        apply(&mut a, fields, now);
        if had_state.is_none() {
            a.state = derived_state(&a, now);
        }
        if a.scopes.is_empty() {
            a.scopes = resolve::requested_scopes(&st, &i, a.organization_id.as_deref());
        }
        let warnings = resolve::label_warnings(&st, &i, &owner, label.as_deref(), &a.id);
        st.add_account(a.clone());
        (a, warnings)
    };
    state_event(ctx, env, &account);
    ctx.flush().await;
    Ok(created(shapes::with_warnings(
        shapes::connected_account(&account),
        warnings,
    )))
}

async fn update_account(
    ctx: &Ctx,
    env: &str,
    route: Route,
    slug: &str,
    q: &QueryParams,
    body: &Fields,
) -> Result<Response, ApiError> {
    let intent = q.one_of("connection_intent", &["reauthorize"])?;
    let mut sel = selector(q)?;
    if intent.is_some() && sel.connected_account_id.is_none() {
        return Err(ApiError::invalid_field(
            "connected_account_id",
            "required",
            "connection_intent=reauthorize needs connected_account_id.",
        ));
    }
    // Updates target the compatibility connection unless one is named.
    sel.multiple = false;
    let fields = token_fields(body)?;
    register_tokens(ctx, &fields);
    let now = ctx.clock.now_ms();
    let (account, changed, warnings) = {
        let mut st = ctx.state();
        let (i, owner) = locate(&st, env, &route, slug, q)?;
        let member = acting_member(&st, env, &route, body)?;
        let mut a = resolve::select(&st, &i.id, &owner, &sel)?.ok_or_else(not_found)?;
        let label = match &fields.display_name {
            Patch::Set(l) => Some(l.clone()),
            _ => None,
        };
        let changed = apply(&mut a, fields, now);
        if member.is_some() {
            a.established_by_user_id = member;
        }
        let warnings = resolve::label_warnings(&st, &i, &owner, label.as_deref(), &a.id);
        st.add_account(a.clone());
        (a, changed, warnings)
    };
    if changed {
        state_event(ctx, env, &account);
        ctx.flush().await;
    }
    Ok(ok(shapes::with_warnings(
        shapes::connected_account(&account),
        warnings,
    )))
}

async fn data_providers(
    ctx: &Ctx,
    env: &str,
    route: Route,
    q: &QueryParams,
) -> Result<Response, ApiError> {
    let multiple = q.bool("supports_multiple_connections")?;
    let st = ctx.state();
    let (owners, ownerships): (Vec<Owner>, Vec<Ownership>) = match &route {
        Route::User { user_id } => {
            resolve::user(&st, env, user_id)?;
            let org = q.get("organization_id");
            if let Some(o) = org {
                resolve::organization(&st, env, o)?;
            }
            let mut owners = vec![Owner::User {
                user_id: user_id.clone(),
                organization_id: org.map(str::to_string),
            }];
            let mut kinds = vec![Ownership::User];
            if let Some(o) = org {
                owners.push(Owner::Organization {
                    organization_id: o.to_string(),
                });
                kinds.push(Ownership::Organization);
            }
            (owners, kinds)
        }
        Route::Organization { organization_id } => {
            resolve::organization(&st, env, organization_id)?;
            (
                vec![Owner::Organization {
                    organization_id: organization_id.clone(),
                }],
                vec![Ownership::Organization],
            )
        }
    };
    let mut integrations: Vec<&Integration> = st
        .integrations
        .values()
        .filter(|i| i.env == env && i.enabled && ownerships.contains(&i.ownership))
        .collect();
    integrations.sort_by_key(|i| i.seq);
    let rows: Vec<Value> = integrations
        .into_iter()
        .map(|i| {
            let owner = owners
                .iter()
                .find(|o| match o {
                    Owner::User { .. } => i.ownership == Ownership::User,
                    Owner::Organization { .. } => i.ownership == Ownership::Organization,
                })
                .cloned();
            let accounts = owner
                .map(|o| st.owner_accounts(&i.id, &o))
                .unwrap_or_default();
            let compatibility = accounts
                .iter()
                .find(|a| a.connection_role == ConnectionRole::Compatibility)
                .copied();
            let listed: Vec<&ConnectedAccount> = if multiple {
                accounts.clone()
            } else {
                compatibility.into_iter().collect()
            };
            shapes::data_provider(i, compatibility, &listed)
        })
        .collect();
    Ok(ok(shapes::plain_list(rows)))
}

/// `GET /user_management/users/{user_id}/connected_accounts/{slug}`.
pub async fn get_user_account(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams((user_id, slug)): PathParams<(String, String)>,
    q: QueryParams,
) -> Result<Response, ApiError> {
    get_account(&ctx, &env, Route::User { user_id }, &slug, &q).await
}

/// `POST /user_management/users/{user_id}/connected_accounts/{slug}`.
pub async fn create_user_account(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams((user_id, slug)): PathParams<(String, String)>,
    q: QueryParams,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    create_account(&ctx, &env, Route::User { user_id }, &slug, &q, &body).await
}

/// `PUT /user_management/users/{user_id}/connected_accounts/{slug}`.
pub async fn update_user_account(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams((user_id, slug)): PathParams<(String, String)>,
    q: QueryParams,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    update_account(&ctx, &env, Route::User { user_id }, &slug, &q, &body).await
}

/// `DELETE /user_management/users/{user_id}/connected_accounts/{slug}` → 204.
pub async fn delete_user_account(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams((user_id, slug)): PathParams<(String, String)>,
    q: QueryParams,
) -> Result<Response, ApiError> {
    delete_account(&ctx, &env, Route::User { user_id }, &slug, &q).await
}

/// `GET /user_management/users/{user_id}/data_providers`.
pub async fn user_data_providers(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(user_id): PathParams<String>,
    q: QueryParams,
) -> Result<Response, ApiError> {
    data_providers(&ctx, &env, Route::User { user_id }, &q).await
}

/// `GET /organizations/{organization_id}/connected_accounts/{slug}`.
pub async fn get_org_account(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams((organization_id, slug)): PathParams<(String, String)>,
    q: QueryParams,
) -> Result<Response, ApiError> {
    get_account(
        &ctx,
        &env,
        Route::Organization { organization_id },
        &slug,
        &q,
    )
    .await
}

/// `POST /organizations/{organization_id}/connected_accounts/{slug}`.
pub async fn create_org_account(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams((organization_id, slug)): PathParams<(String, String)>,
    q: QueryParams,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    create_account(
        &ctx,
        &env,
        Route::Organization { organization_id },
        &slug,
        &q,
        &body,
    )
    .await
}

/// `PUT /organizations/{organization_id}/connected_accounts/{slug}`.
pub async fn update_org_account(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams((organization_id, slug)): PathParams<(String, String)>,
    q: QueryParams,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    update_account(
        &ctx,
        &env,
        Route::Organization { organization_id },
        &slug,
        &q,
        &body,
    )
    .await
}

/// `DELETE /organizations/{organization_id}/connected_accounts/{slug}` → 204.
pub async fn delete_org_account(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams((organization_id, slug)): PathParams<(String, String)>,
    q: QueryParams,
) -> Result<Response, ApiError> {
    delete_account(
        &ctx,
        &env,
        Route::Organization { organization_id },
        &slug,
        &q,
    )
    .await
}

/// `GET /organizations/{organization_id}/data_providers`.
pub async fn org_data_providers(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(organization_id): PathParams<String>,
    q: QueryParams,
) -> Result<Response, ApiError> {
    data_providers(&ctx, &env, Route::Organization { organization_id }, &q).await
}
