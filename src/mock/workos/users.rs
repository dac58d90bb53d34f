//! The supporting resources a Pipes test sets its world up with (reference
//! section J): users, organizations and organization memberships.
//!
//! Users: `email` required, trimmed and lowercased; a second user with the
//! same email in one environment is a 422 (`email_not_available`). Lists
//! page by `limit`/`before`/`after`/`order`; users filter on `email` and
//! `organization_id`, organizations on `domains` and `search` (a name
//! substring). Deleting a user removes their memberships and connections;
//! deleting an organization removes its memberships and every connection
//! owned by it or scoped to it; each connection removed emits
//! `pipes.connected_account.disconnected`. Both deletes answer 200 with no
//! body, as the spec says.
//!
//! Memberships: `role_slug` or `role_slugs` (not both: 422; more than one
//! role: 422 `multiple_roles_not_enabled`; roles `member` (the default) and
//! `admin` exist, others are 422 `invalid_role`). Creating one that exists
//! reactivates an inactive membership, answers 400
//! `organization_membership_already_exists` for an active one and 400
//! `cannot_reactivate_pending_organization_membership` for a pending one.
//! Listing needs `user_id` or `organization_id` (400
//! `missing_user_id_or_organization_id`) and shows active memberships unless
//! `statuses` says otherwise. When a membership ends (deactivate or delete),
//! the organization connections that member established need
//! reauthorization, with `state_reason: establishing_member_membership_ended`.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde_json::Value;

use super::accounts::disconnected;
use super::errors::ApiError;
use super::extract::{JsonBody, PathParams, QueryParams, valid_id};
use super::json as shapes;
use super::pagination::{paginate, paginate_index};
use super::resolve;
use super::state::{
    ConnectedAccount, Membership, MembershipStatus, Organization, Ownership, User, WorkosState,
};
use super::tokens::needs_reauthorization;
use super::{Ctx, Env, created, empty_ok, json_bytes, ok, ok_bytes};

/// Roles the mock's environments define.
const ROLES: &[&str] = &["member", "admin"];

/// `POST /user_management/users` → 201.
pub async fn create_user(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let email = body.req_str("email")?.trim().to_lowercase();
    let valid = email
        .split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !email.contains(' '));
    if !valid {
        return Err(ApiError::invalid_field(
            "email",
            "invalid",
            format!("email must be an email address; got '{email}'."),
        ));
    }
    let first_name = body.opt_str("first_name")?;
    let last_name = body.opt_str("last_name")?;
    let email_verified = body.opt_bool("email_verified")?.unwrap_or(false);
    let external_id = body.opt_str("external_id")?;
    let metadata = body.opt_str_map("metadata")?.unwrap_or_default();
    body.opt_str("password")?;
    let now = ctx.clock.now_ms();
    let mut st = ctx.state();
    if st.users_with_email(&env, &email).next().is_some() {
        return Err(ApiError::invalid_field(
            "email",
            "email_not_available",
            format!("A user with the email '{email}' already exists."),
        ));
    }
    let user = User {
        id: ctx.ids.id("user"),
        env,
        email,
        first_name,
        last_name,
        email_verified,
        external_id,
        metadata,
        created_ms: now,
        updated_ms: now,
        seq: 0,
    };
    let json = shapes::user(&user);
    st.add_user(user);
    Ok(created(json))
}

/// `GET /user_management/users`.
pub async fn list_users(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    q: QueryParams,
) -> Result<Response, ApiError> {
    let email = q.get("email").map(|e| e.trim().to_lowercase());
    let org = q.get("organization_id").or_else(|| q.get("organization"));
    let st = ctx.state();
    // Members of the organization, gathered once rather than per user.
    let members: Option<HashSet<&str>> = org.map(|o| {
        st.memberships
            .values()
            .filter(|m| m.organization_id == o)
            .map(|m| m.user_id.as_str())
            .collect()
    });
    // With an email filter, the few users with that email are the list.
    let by_email: Option<BTreeMap<u64, String>> = email.as_ref().map(|e| {
        st.users_with_email(&env, e)
            .map(|u| (u.seq, u.id.clone()))
            .collect()
    });
    let index = by_email.as_ref().unwrap_or(&st.users_by_seq);
    let page = paginate_index(index, &q, |id| {
        let u = st.users.get(id)?;
        let admitted = u.env == env
            && email.as_ref().is_none_or(|e| u.email == *e)
            && members.as_ref().is_none_or(|m| m.contains(u.id.as_str()));
        admitted.then(|| (u.seq, shapes::UserJson::new(u)))
    })?;
    // Written under the lock (the page borrows the users), answered after it.
    let body = json_bytes(&shapes::PageJson::new(page.items, page.before, page.after));
    drop(members);
    drop(st);
    Ok(ok_bytes(body))
}

/// `GET /user_management/users/{user_id}`.
pub async fn get_user(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let st = ctx.state();
    let body = json_bytes(&shapes::UserJson::new(resolve::user_ref(&st, &env, &id)?));
    drop(st);
    Ok(ok_bytes(body))
}

/// `DELETE /user_management/users/{user_id}` → 200, no body.
pub async fn delete_user(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let (ended, gone) = {
        let mut st = ctx.state();
        resolve::user(&st, &env, &id)?;
        st.remove_user(&id);
        let ended: Vec<Membership> = st
            .memberships
            .values()
            .filter(|m| m.user_id == id)
            .cloned()
            .collect();
        st.memberships.retain(|_, m| m.user_id != id);
        let gone = remove_accounts(&mut st, |a| {
            a.ownership == Ownership::User && a.user_id.as_deref() == Some(id.as_str())
        });
        (ended, gone)
    };
    for m in &ended {
        membership_ended(&ctx, &env, m);
    }
    for a in &gone {
        disconnected(&ctx, &env, a);
    }
    ctx.flush().await;
    Ok(empty_ok())
}

fn remove_accounts(
    st: &mut WorkosState,
    doomed: impl Fn(&ConnectedAccount) -> bool,
) -> Vec<ConnectedAccount> {
    let mut gone: Vec<ConnectedAccount> = st
        .accounts
        .values()
        .filter(|a| doomed(a))
        .cloned()
        .collect();
    gone.sort_by_key(|a| a.seq);
    for a in &gone {
        st.remove_account(&a.id);
    }
    gone
}

/// `POST /organizations` → 201.
pub async fn create_organization(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let name = body.req_str("name")?;
    let external_id = body.opt_str("external_id")?;
    let metadata = body.opt_str_map("metadata")?.unwrap_or_default();
    body.opt_bool("allow_profiles_outside_organization")?;
    let mut domains: Vec<(String, String)> = body
        .opt_str_list("domains")?
        .unwrap_or_default()
        .into_iter()
        .map(|d| (d, "pending".to_string()))
        .collect();
    if let Some(v) = body.0.get("domain_data") {
        let items = v
            .as_array()
            .ok_or_else(|| ApiError::unprocessable(&[("domain_data", "invalid")]))?;
        for item in items {
            let domain = item.get("domain").and_then(Value::as_str);
            let state = item
                .get("state")
                .and_then(Value::as_str)
                .unwrap_or("pending");
            match domain {
                Some(d) if ["pending", "verified"].contains(&state) => {
                    domains.push((d.to_lowercase(), state.to_string()));
                }
                _ => return Err(ApiError::unprocessable(&[("domain_data", "invalid")])),
            }
        }
    }
    let now = ctx.clock.now_ms();
    let mut st = ctx.state();
    if let Some(x) = &external_id
        && st
            .organizations
            .values()
            .any(|o| o.env == env && o.external_id.as_deref() == Some(x.as_str()))
    {
        return Err(ApiError::bad_request(
            "external_id_already_used",
            format!("An organization with the external_id '{x}' already exists."),
        ));
    }
    for (d, _) in &domains {
        if st
            .organizations
            .values()
            .any(|o| o.env == env && o.domains.iter().any(|(_, od, _)| od == d))
        {
            return Err(ApiError::conflict(
                "domain_already_used",
                format!("The domain '{d}' already belongs to another organization."),
            ));
        }
    }
    let org = Organization {
        id: ctx.ids.id("org"),
        env,
        name,
        domains: domains
            .into_iter()
            .map(|(d, s)| (ctx.ids.id("org_domain"), d, s))
            .collect(),
        metadata,
        external_id,
        created_ms: now,
        updated_ms: now,
        seq: 0,
    };
    let json = shapes::organization(&org);
    st.add_organization(org);
    Ok(created(json))
}

/// `GET /organizations`.
pub async fn list_organizations(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    q: QueryParams,
) -> Result<Response, ApiError> {
    let domains: Vec<String> = q
        .get("domains")
        .map(|d| d.split(',').map(|x| x.trim().to_lowercase()).collect())
        .unwrap_or_default();
    let search = q.get("search").map(str::to_lowercase);
    let st = ctx.state();
    let page = paginate_index(&st.organizations_by_seq, &q, |id| {
        let o = st.organizations.get(id)?;
        let admitted = o.env == env
            && (domains.is_empty() || o.domains.iter().any(|(_, d, _)| domains.contains(d)))
            && search
                .as_ref()
                .is_none_or(|s| o.name.to_lowercase().contains(s));
        admitted.then(|| (o.seq, shapes::organization(o)))
    })?;
    Ok(ok(shapes::page(page.items, page.before, page.after)))
}

/// `GET /organizations/{organization_id}`.
pub async fn get_organization(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let st = ctx.state();
    Ok(ok(shapes::organization(&resolve::organization(
        &st, &env, &id,
    )?)))
}

/// `DELETE /organizations/{organization_id}` → 200, no body.
pub async fn delete_organization(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let gone = {
        let mut st = ctx.state();
        resolve::organization(&st, &env, &id)?;
        st.remove_organization(&id);
        st.memberships.retain(|_, m| m.organization_id != id);
        st.org_configurations.retain(|(o, _), _| *o != id);
        remove_accounts(&mut st, |a| {
            a.organization_id.as_deref() == Some(id.as_str())
        })
    };
    for a in &gone {
        disconnected(&ctx, &env, a);
    }
    ctx.flush().await;
    Ok(empty_ok())
}

fn membership_json(st: &WorkosState, m: &Membership) -> Value {
    let org_name = st
        .organizations
        .get(&m.organization_id)
        .map(|o| o.name.as_str());
    shapes::membership(m, st.users.get(&m.user_id), org_name)
}

/// `POST /user_management/organization_memberships` → 201.
pub async fn create_membership(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let user_id = body.req_str("user_id")?;
    let org_id = body.req_str("organization_id")?;
    let role_slug = body.opt_str("role_slug")?;
    let role_slugs = body.opt_str_list("role_slugs")?;
    let roles = match (role_slug, role_slugs) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_field(
                "role_slugs",
                "invalid",
                "role_slug and role_slugs are mutually exclusive.",
            ));
        }
        (Some(r), None) => vec![r],
        (None, Some(rs)) if rs.len() > 1 => {
            return Err(ApiError::invalid_field(
                "role_slugs",
                "multiple_roles_not_enabled",
                "Multiple roles are not enabled for this environment.",
            ));
        }
        (None, Some(rs)) if !rs.is_empty() => rs,
        (None, _) => vec!["member".to_string()],
    };
    if let Some(bad) = roles.iter().find(|r| !ROLES.contains(&r.as_str())) {
        return Err(ApiError::invalid_field(
            "role_slug",
            "invalid_role",
            format!(
                "Role '{bad}' does not exist; roles are {}.",
                ROLES.join(", ")
            ),
        ));
    }
    let now = ctx.clock.now_ms();
    let mut st = ctx.state();
    resolve::user(&st, &env, &user_id)?;
    resolve::organization(&st, &env, &org_id)?;
    let existing = st
        .memberships
        .values()
        .find(|m| m.user_id == user_id && m.organization_id == org_id)
        .cloned();
    let membership = match existing {
        Some(m) if m.status == MembershipStatus::Active => {
            return Err(ApiError::bad_request(
                "organization_membership_already_exists",
                format!("User '{user_id}' is already a member of organization '{org_id}'."),
            ));
        }
        Some(m) if m.status == MembershipStatus::Pending => {
            return Err(ApiError::bad_request(
                "cannot_reactivate_pending_organization_membership",
                "A pending membership cannot be reactivated; the user must accept the invitation.",
            ));
        }
        Some(mut m) => {
            m.status = MembershipStatus::Active;
            m.roles = roles;
            m.updated_ms = now;
            st.memberships.insert(m.id.clone(), m.clone());
            m
        }
        None => {
            let m = Membership {
                id: ctx.ids.id("om"),
                env,
                user_id,
                organization_id: org_id,
                status: MembershipStatus::Active,
                roles,
                created_ms: now,
                updated_ms: now,
                seq: 0,
            };
            st.add_membership(m.clone());
            m
        }
    };
    Ok(created(membership_json(&st, &membership)))
}

/// `GET /user_management/organization_memberships`.
pub async fn list_memberships(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    q: QueryParams,
) -> Result<Response, ApiError> {
    let user_id = q.get("user_id");
    let org_id = q.get("organization_id");
    if user_id.is_none() && org_id.is_none() {
        return Err(ApiError::bad_request(
            "missing_user_id_or_organization_id",
            "Either user_id or organization_id is required.",
        ));
    }
    let statuses: Vec<String> = match q.get("statuses") {
        Some(s) => s.split(',').map(|x| x.trim().to_string()).collect(),
        None => vec!["active".to_string()],
    };
    if let Some(bad) = statuses
        .iter()
        .find(|s| !["active", "inactive", "pending"].contains(&s.as_str()))
    {
        return Err(ApiError::invalid_field(
            "statuses",
            "invalid",
            format!("statuses must be active, inactive or pending; got '{bad}'."),
        ));
    }
    let st = ctx.state();
    let mut rows: Vec<&Membership> = st
        .memberships
        .values()
        .filter(|m| m.env == env)
        .filter(|m| user_id.is_none_or(|u| m.user_id == u))
        .filter(|m| org_id.is_none_or(|o| m.organization_id == o))
        .filter(|m| statuses.iter().any(|s| s == m.status.as_str()))
        .collect();
    rows.sort_by_key(|m| m.seq);
    let page = paginate(
        rows.into_iter()
            .map(|m| (m.id.clone(), membership_json(&st, m)))
            .collect(),
        &q,
    )?;
    Ok(ok(shapes::page(page.items, page.before, page.after)))
}

fn membership(st: &WorkosState, env: &str, id: &str) -> Result<Membership, ApiError> {
    let missing = || ApiError::not_found(format!("Organization membership not found: '{id}'"));
    if !valid_id(id, "om") {
        return Err(missing());
    }
    st.memberships
        .get(id)
        .filter(|m| m.env == env)
        .cloned()
        .ok_or_else(missing)
}

/// `GET /user_management/organization_memberships/{id}`.
pub async fn get_membership(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let st = ctx.state();
    let m = membership(&st, &env, &id)?;
    Ok(ok(membership_json(&st, &m)))
}

/// The organization connections `m`'s member established need reauthorization.
fn membership_ended(ctx: &Ctx, env: &str, m: &Membership) {
    let affected: Vec<String> = {
        let st = ctx.state();
        let mut list: Vec<&ConnectedAccount> = st
            .accounts
            .values()
            .filter(|a| {
                a.ownership == Ownership::Organization
                    && a.organization_id.as_deref() == Some(m.organization_id.as_str())
                    && a.established_by_user_id.as_deref() == Some(m.user_id.as_str())
            })
            .collect();
        list.sort_by_key(|a| a.seq);
        list.into_iter().map(|a| a.id.clone()).collect()
    };
    for id in affected {
        needs_reauthorization(ctx, env, &id, Some("establishing_member_membership_ended"));
    }
}

async fn set_status(
    ctx: &Ctx,
    env: &str,
    id: &str,
    to: MembershipStatus,
) -> Result<Response, ApiError> {
    let now = ctx.clock.now_ms();
    let (m, ended) = {
        let mut st = ctx.state();
        let mut m = membership(&st, env, id)?;
        if m.status == MembershipStatus::Pending {
            let code = if to == MembershipStatus::Active {
                "cannot_reactivate_pending_organization_membership"
            } else {
                "cannot_deactivate_pending_organization_membership"
            };
            return Err(ApiError::bad_request(
                code,
                "A pending membership cannot change status; the user must accept the invitation first.",
            ));
        }
        let ended = m.status == MembershipStatus::Active && to == MembershipStatus::Inactive;
        m.status = to;
        m.updated_ms = now;
        st.memberships.insert(m.id.clone(), m.clone());
        (m, ended)
    };
    if ended {
        membership_ended(ctx, env, &m);
        ctx.flush().await;
    }
    let st = ctx.state();
    Ok(ok(membership_json(&st, &m)))
}

/// `PUT /user_management/organization_memberships/{id}/deactivate`.
pub async fn deactivate_membership(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    set_status(&ctx, &env, &id, MembershipStatus::Inactive).await
}

/// `PUT /user_management/organization_memberships/{id}/reactivate`.
pub async fn reactivate_membership(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    set_status(&ctx, &env, &id, MembershipStatus::Active).await
}

/// `DELETE /user_management/organization_memberships/{id}` → 200, no body.
pub async fn delete_membership(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let m = {
        let mut st = ctx.state();
        let m = membership(&st, &env, &id)?;
        st.memberships.remove(&id);
        m
    };
    if m.status == MembershipStatus::Active {
        membership_ended(&ctx, &env, &m);
        ctx.flush().await;
    }
    Ok(empty_ok())
}
