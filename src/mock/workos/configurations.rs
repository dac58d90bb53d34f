//! An organization's view of the environment's integrations (the Python
//! SDK's `pipes_provider`): `GET /organizations/{organization_id}/data_integration_configurations`
//! and `PUT .../data_integration_configurations/{slug}`.
//!
//! One row per provider slug (the organization-owned integration when both
//! exist), with the organization's overrides of `enabled` and `scopes`
//! applied. `client_id` and `client_secret` must come together (422) and
//! only for integrations with organization credentials (422); so must
//! `config`. The configuration's `id` is the integration's, as the SDK
//! documents it.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde_json::Value;

use super::errors::ApiError;
use super::extract::{JsonBody, Patch, PathParams};
use super::json as shapes;
use super::resolve;
use super::state::{Credentials, Integration, OrgConfiguration, Ownership, WorkosState};
use super::{Ctx, Env, ok};

/// The integration an organization configures for `slug`.
fn for_slug(st: &WorkosState, env: &str, slug: &str) -> Result<Integration, ApiError> {
    resolve::integration(st, env, slug, Some(Ownership::Organization))
        .or_else(|_| resolve::integration(st, env, slug, Some(Ownership::User)))
}

/// `GET /organizations/{organization_id}/data_integration_configurations`.
pub async fn list(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams(org): PathParams<String>,
) -> Result<Response, ApiError> {
    let st = ctx.state();
    resolve::organization(&st, &env, &org)?;
    let mut slugs: Vec<(u64, String)> = st
        .integrations
        .values()
        .filter(|i| i.env == env)
        .map(|i| (i.seq, i.slug.clone()))
        .collect();
    slugs.sort();
    let mut seen = Vec::new();
    let mut rows: Vec<Value> = Vec::new();
    for (_, slug) in slugs {
        if seen.contains(&slug) {
            continue;
        }
        let i = for_slug(&st, &env, &slug)?;
        let cfg = st.org_configurations.get(&(org.clone(), i.id.clone()));
        rows.push(shapes::configuration(
            &i,
            &org,
            cfg,
            &ctx.callback_url(&slug),
        ));
        seen.push(slug);
    }
    Ok(ok(shapes::plain_list(rows)))
}

/// `PUT /organizations/{organization_id}/data_integration_configurations/{slug}`.
pub async fn update(
    State(ctx): State<Arc<Ctx>>,
    Env(env): Env,
    PathParams((org, slug)): PathParams<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let enabled = body.opt_bool("enabled")?;
    let scopes = body.patch_str_list("scopes")?;
    let client_id = body.opt_str("client_id")?;
    let client_secret = body.opt_str("client_secret")?;
    let config = body.opt_str_map("config")?;
    let app = match (client_id, client_secret) {
        (Some(id), Some(secret)) => Some((id, secret)),
        (None, None) => None,
        (Some(_), None) => return Err(ApiError::unprocessable(&[("client_secret", "required")])),
        (None, Some(_)) => return Err(ApiError::unprocessable(&[("client_id", "required")])),
    };
    let now = ctx.clock.now_ms();
    let mut st = ctx.state();
    resolve::organization(&st, &env, &org)?;
    let i = for_slug(&st, &env, &slug)?;
    if i.credentials != Credentials::Organization {
        if app.is_some() {
            return Err(ApiError::invalid_field(
                "client_id",
                "invalid",
                format!(
                    "The {slug} integration does not use organization credentials; client_id and client_secret are set on the integration."
                ),
            ));
        }
        if config.is_some() {
            return Err(ApiError::invalid_field(
                "config",
                "invalid",
                format!(
                    "The {slug} integration does not use organization credentials; its config belongs on the integration."
                ),
            ));
        }
    }
    if let Some((_, secret)) = &app {
        ctx.http.recorder().secret("client_secret", secret);
    }
    let cfg = st
        .org_configurations
        .entry((org.clone(), i.id.clone()))
        .or_insert_with(|| OrgConfiguration {
            created_ms: now,
            updated_ms: now,
            ..OrgConfiguration::default()
        });
    if enabled.is_some() {
        cfg.enabled = enabled;
    }
    match scopes {
        Patch::Absent => {}
        Patch::Null => cfg.scopes = None,
        Patch::Set(s) => cfg.scopes = Some(s),
    }
    if app.is_some() {
        cfg.app = app;
    }
    if let Some(c) = config {
        cfg.config = c;
    }
    cfg.updated_ms = now;
    let cfg = cfg.clone();
    Ok(ok(shapes::configuration(
        &i,
        &org,
        Some(&cfg),
        &ctx.callback_url(&slug),
    )))
}
