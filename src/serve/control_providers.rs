//! Control routes about the provider side of the world, for tests written in
//! any language:
//!
//! | Route | Does |
//! |---|---|
//! | `GET /_harness/providers/{slug}/requests[?since=N]` | the last requests the provider mock received (bounded), each with a SHA-256 fingerprint of its bearer token |
//! | `GET /_harness/providers/{slug}/apps` | the OAuth apps registered at the provider (no secrets) |
//! | `POST /_harness/providers/{slug}/apps` `{"client_id"?, "redirect_uris"?, "allowed_scopes"?}` | changes the provider-side app (every app of the provider when `client_id` is left out): a wrong callback stages a redirect mismatch, a short scope list an invalid scope |
//! | `POST /_harness/providers/{slug}/stubs` `{"method", "path", "status", "headers"?, "body"?}` | answers that method and path with that response, above the provider's own routes (for endpoints the mock does not model); `DELETE .../faults` and reset remove stubs |
//! | `PUT /_harness/custom_providers/{slug}` `{"client_authentication"?, "pkce"?, ...}` | what the mock provider of a custom slug accepts (the same fields and words as the scenario step `the custom provider "acme" behaves as:`), so a custom integration can be tested against a provider that disagrees with its definition; at most [`MAX_PROVIDERS`] slugs at once |
//!
//! `POST /_harness/reset` puts the apps back as the seed left them,
//! removes the stubs and the custom providers, and empties the request logs.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::control::Control;
use crate::mock::Stack;
use crate::mock::workos::{ApiError, Ctx};
use crate::provider::ProviderKind;
use crate::providers::custom::{CustomProvider, MAX_PROVIDERS, SlugError};
use crate::providers::engine::OAuthApp;

/// The routes, ready to merge next to [`super::control::router`].
pub fn router(control: Arc<Control>) -> Router<Arc<Ctx>> {
    Router::new()
        .route("/_harness/providers/{slug}/requests", get(requests))
        .route(
            "/_harness/providers/{slug}/apps",
            get(apps).post(change_app),
        )
        .route(
            "/_harness/providers/{slug}/stubs",
            axum::routing::post(add_stub),
        )
        .route(
            "/_harness/custom_providers/{slug}",
            axum::routing::put(set_custom_behaviour),
        )
        .with_state(control)
}

/// The index lines of these routes, for `GET /_harness`.
pub const ROUTES: &[(&str, &str, &str)] = &[
    (
        "GET",
        "/_harness/providers/{slug}/requests",
        "?since=N: the last requests the provider received, bearer tokens as SHA-256",
    ),
    (
        "GET",
        "/_harness/providers/{slug}/apps",
        "the OAuth apps registered at the provider",
    ),
    (
        "POST",
        "/_harness/providers/{slug}/apps",
        "{\"client_id\"?, \"redirect_uris\"?, \"allowed_scopes\"?}: changes the provider-side app",
    ),
    (
        "POST",
        "/_harness/providers/{slug}/stubs",
        "{\"method\", \"path\", \"status\", \"headers\"?, \"body\"?}: answers any endpoint of the provider",
    ),
    (
        "PUT",
        "/_harness/custom_providers/{slug}",
        "{\"client_authentication\"?, \"pkce\"?, \"token_request_body\"?, ...}: what a custom slug's mock provider accepts",
    ),
];

fn provider(slug: &str) -> Result<ProviderKind, ApiError> {
    slug.parse()
        .map_err(|e: crate::provider::UnknownProvider| ApiError::not_found(e.to_string()))
}

fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    let mut e = ApiError::unprocessable(&[(field, "invalid")]);
    if let Some(m) = e.body.as_object_mut() {
        m.insert("message".into(), Value::String(message.into()));
    }
    e
}

async fn requests(
    State(control): State<Arc<Control>>,
    Path(slug): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    let kind = provider(&slug)?;
    let since = match q.get("since") {
        None => 0,
        Some(s) => s.parse::<u64>().map_err(|_| {
            invalid(
                "since",
                format!(
                    "`since` must be a whole number (a `seq` from an earlier answer), got {s:?}"
                ),
            )
        })?,
    };
    let log = stack.provider(kind).requests();
    let data = crate::providers::engine::request_log::with_logins(
        log.since(since),
        stack.provider(kind).shared(),
    );
    Ok(axum::Json(json!({
        "object": "list",
        "provider": kind.slug(),
        "last_seq": log.last_seq(),
        "data": data,
    }))
    .into_response())
}

fn app_json(a: &OAuthApp) -> Value {
    json!({
        "client_id": a.client_id,
        "redirect_uris": a.redirect_uris,
        "allowed_scopes": a.allowed_scopes,
        "expiring_tokens": a.expiring_tokens,
    })
}

async fn apps(
    State(control): State<Arc<Control>>,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    let kind = provider(&slug)?;
    let engine = stack.provider(kind).engine();
    let data: Vec<Value> = engine.apps.values().map(app_json).collect();
    Ok(axum::Json(json!({ "object": "list", "data": data })).into_response())
}

fn strings(
    body: &serde_json::Map<String, Value>,
    field: &str,
) -> Result<Option<Vec<String>>, ApiError> {
    match body.get(field) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| invalid(field, format!("`{field}` must be a list of strings"))),
        Some(_) => Err(invalid(
            field,
            format!("`{field}` must be a list of strings"),
        )),
    }
}

async fn change_app(
    State(control): State<Arc<Control>>,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    let kind = provider(&slug)?;
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Map::new()
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(ApiError::bad_json("the body must be a JSON object")),
            Err(e) => return Err(ApiError::bad_json(&e.to_string())),
        }
    };
    let client_id = match body.get("client_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(invalid("client_id", "`client_id` must be a string")),
    };
    let redirect_uris = strings(&body, "redirect_uris")?;
    if let Some(uris) = &redirect_uris {
        for u in uris {
            if url::Url::parse(u).is_err() {
                return Err(invalid(
                    "redirect_uris",
                    format!(
                        "`{u}` is not an absolute URL, e.g. https://api.workos.com/oauth/callback"
                    ),
                ));
            }
        }
    }
    let allowed_scopes = match body.get("allowed_scopes") {
        Some(Value::Null) => Some(None),
        _ => strings(&body, "allowed_scopes")?.map(Some),
    };
    if redirect_uris.is_none() && allowed_scopes.is_none() {
        return Err(invalid(
            "redirect_uris",
            "give `redirect_uris` (a list of callback URLs) and/or `allowed_scopes` (a list, or null for any)",
        ));
    }
    let mut engine = stack.provider(kind).engine();
    let mut changed = Vec::new();
    for app in engine.apps.values_mut() {
        if client_id.as_ref().is_some_and(|c| c != &app.client_id) {
            continue;
        }
        if let Some(u) = &redirect_uris {
            app.redirect_uris = u.clone();
        }
        if let Some(s) = &allowed_scopes {
            app.allowed_scopes = s.clone();
        }
        changed.push(app_json(app));
    }
    if changed.is_empty() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "{} has no OAuth app with client id {:?}; GET /_harness/providers/{}/apps lists them",
                kind.display_name(),
                client_id.unwrap_or_default(),
                kind.slug()
            ),
        ));
    }
    Ok(axum::Json(json!({ "object": "list", "data": changed })).into_response())
}

/// `POST /_harness/providers/{slug}/stubs`: answers one method and path of
/// the provider with the given response, above its own routes.
async fn add_stub(
    State(control): State<Arc<Control>>,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    let kind = provider(&slug)?;
    let body = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Err(ApiError::bad_json("the body must be a JSON object")),
        Err(e) => return Err(ApiError::bad_json(&e.to_string())),
    };
    const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
    let method = body
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_ascii_uppercase)
        .filter(|m| METHODS.contains(&m.as_str()))
        .ok_or_else(|| {
            invalid(
                "method",
                format!("`method` must be one of {}", METHODS.join(", ")),
            )
        })?;
    let path = body
        .get("path")
        .and_then(Value::as_str)
        .filter(|p| p.starts_with('/') && !p.contains(['?', '#']))
        .ok_or_else(|| {
            invalid(
                "path",
                "`path` must be a path starting with /, without a query or fragment, e.g. /repos/acme/api",
            )
        })?
        .to_string();
    let status = body
        .get("status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| (100..=599).contains(s))
        .ok_or_else(|| invalid("status", "`status` must be an HTTP status, 100 to 599"))?;
    let headers: Vec<(String, String)> = match body.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(h)) => h
            .iter()
            .map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
            .collect::<Option<Vec<_>>>()
            .filter(|h| {
                h.iter().all(|(k, v)| {
                    axum::http::HeaderName::from_bytes(k.as_bytes()).is_ok()
                        && axum::http::HeaderValue::from_str(v).is_ok()
                })
            })
            .ok_or_else(|| {
                invalid(
                    "headers",
                    "`headers` must map header names to string values, e.g. {\"retry-after\": \"60\"}",
                )
            })?,
        Some(_) => {
            return Err(invalid(
                "headers",
                "`headers` must map header names to string values, e.g. {\"retry-after\": \"60\"}",
            ));
        }
    };
    let text = match body.get("body") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        // JSON given as JSON is sent as JSON.
        Some(v) => v.to_string(),
    };
    stack
        .provider(kind)
        .stub(&method, &path, status, &headers, &text)
        .map_err(|e| invalid("path", e))?;
    Ok(axum::Json(json!({
        "provider": kind.slug(),
        "method": method,
        "path": path,
        "status": status,
    }))
    .into_response())
}

/// The custom provider of `slug`, made on first use; a built-in slug is a
/// 404, a slug of the wrong shape or one past the limit a 422 saying what
/// is accepted.
pub(super) fn custom_provider(stack: &Stack, slug: &str) -> Result<Arc<CustomProvider>, ApiError> {
    stack.custom.try_provider(slug).map_err(|e| match e {
        SlugError::BuiltIn => ApiError::not_found(format!(
            "`{slug}` is a built-in provider, not a custom one: a custom provider needs a slug of its own, such as acme (the built-in slugs are {})",
            ProviderKind::slugs(", ")
        )),
        SlugError::Invalid => invalid(
            "slug",
            format!(
                "`{slug}` cannot be a custom provider's slug: use {}, as for any integration slug, such as acme",
                crate::provider::SLUG_RULE
            ),
        ),
        SlugError::Full => invalid(
            "slug",
            format!(
                "serve holds at most {MAX_PROVIDERS} custom provider slugs at once and `{slug}` would be one more: use a slug already set (GET /data-integrations lists the integrations), or POST /_harness/reset, which removes every custom provider"
            ),
        ),
    })
}

/// `PUT /_harness/custom_providers/{slug}`: sets what the mock provider of a
/// custom slug accepts, field by field over its current behaviour. Values
/// are the words the scenario step takes (`"client_secret_basic"`,
/// `"required"`, `"30 minutes"`); numbers and booleans are read as words.
async fn set_custom_behaviour(
    State(control): State<Arc<Control>>,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let stack = control.stack()?;
    let fields = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Err(ApiError::bad_json("the body must be a JSON object")),
        Err(e) => return Err(ApiError::bad_json(&e.to_string())),
    };
    let provider = custom_provider(&stack, &slug)?;
    let mut spec = provider.spec();
    for (field, value) in &fields {
        let words = match value {
            // A client's unset keyword.
            Value::Null => continue,
            Value::String(s) => s.clone(),
            Value::Number(_) | Value::Bool(_) => value.to_string(),
            Value::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| i.to_string())
                })
                .collect::<Vec<_>>()
                .join(", "),
            _ => {
                return Err(invalid(
                    field,
                    format!("`{field}` must be a string, e.g. \"client_secret_basic\""),
                ));
            }
        };
        spec.set(field, &words)
            .map_err(|e| invalid(field, e.to_string()))?;
    }
    provider.set_spec(spec);
    Ok(axum::Json(json!({
        "object": "custom_provider",
        "slug": slug,
        "url": format!("{}/{slug}", stack.custom.uri()),
        "changed": fields
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, _)| k)
            .collect::<Vec<_>>(),
    }))
    .into_response())
}
