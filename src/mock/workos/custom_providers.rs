//! How WorkOS talks to the provider of a `custom_provider` integration:
//! the whole definition honoured, not only the authorize URL.
//!
//! - `token_body_content_type: application/json` sends the token request
//!   (code exchange and refresh) as a JSON object of the same parameters;
//!   otherwise it is a form (RFC 6749 §4.1.3).
//! - `authenticate_via: basic_auth_header` sends the client credentials as
//!   `Authorization: Basic` (§2.3.1) and leaves them out of the body;
//!   `request_body` puts `client_id` and `client_secret` in the body.
//! - `client_secret_required: false` sends no secret at all: `client_id`
//!   goes in the body (§4.1.3, "if the client is not authenticating") and no
//!   Authorization header is sent, whatever `authenticate_via` says.
//! - `refresh_token_url` is where refresh grants go (resolved in
//!   [`super::resolve::oauth_app`]); the token URL when it is not set.
//! - `scopes_required` (the reference says only that the field exists): an
//!   authorize call for an integration that requests no scope answers 400
//!   `custom_provider_incomplete`, naming the scopes, before the user is
//!   sent anywhere. Creating or updating the integration without scopes is
//!   accepted, since the scopes may be set afterwards. With
//!   `scopes_required: false` and no scopes, the authorize URL carries no
//!   `scope` parameter at all (it is optional in §4.1.1).
//! - The connected account's identity: the `custom_provider` block has no
//!   profile endpoint, so where WorkOS learns a built-in provider's account
//!   from the provider, for a custom one it reads the provider's userinfo
//!   when the harness's custom provider mock serves the integration's token
//!   URL and has one: `GET {provider}/userinfo` with the new access token,
//!   whose `{sub, name, email}` become `account_identifier` (the email, else
//!   `sub`) and `account_display_name` (the name). Any other answer leaves
//!   both null, as for a provider WorkOS knows nothing about.
//! - The provider refusing is the connect flow's ordinary failure: a
//!   `pipes.connected_account.connection_failed` event with the provider's
//!   `error` and `error_description`, and `error=` on `return_to`.

use serde_json::Value;

use super::Ctx;
use super::errors::ApiError;
use super::resolve::{self, OAuthApp};
use super::state::{Credentials, Integration, WorkosState};

/// Adds the client credentials to a token request body, where the
/// definition puts them.
pub fn client_credentials<'a>(app: &'a OAuthApp, form: &mut Vec<(&'a str, &'a str)>) {
    if app.basic_auth && app.send_secret {
        return;
    }
    form.push(("client_id", &app.client_id));
    if app.send_secret {
        form.push(("client_secret", &app.client_secret));
    }
}

/// The token request's body (form or JSON) and, for Basic, its
/// Authorization header, registered as a secret of the transcript.
pub fn authenticated_body(
    ctx: &Ctx,
    req: reqwest::RequestBuilder,
    app: &OAuthApp,
    form: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    let req = if app.json_body {
        let object: serde_json::Map<String, Value> = form
            .iter()
            .map(|(k, v)| ((*k).to_string(), Value::String((*v).to_string())))
            .collect();
        req.json(&object)
    } else {
        req.form(form)
    };
    if !(app.basic_auth && app.send_secret) {
        return req;
    }
    use base64::Engine as _;
    let credentials = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", app.client_id, app.client_secret));
    ctx.http
        .recorder()
        .secret("basic_credentials", &credentials);
    req.header("authorization", format!("Basic {credentials}"))
}

/// 400 `custom_provider_incomplete` when a custom provider requires scopes
/// and the integration (or `org`'s configuration) requests none.
pub fn check_scopes(
    st: &WorkosState,
    integration: &Integration,
    org: Option<&str>,
) -> Result<(), ApiError> {
    let Some(def) = &integration.custom_provider else {
        return Ok(());
    };
    if def.scopes_required && resolve::requested_scopes(st, integration, org).is_empty() {
        return Err(ApiError::bad_request(
            "custom_provider_incomplete",
            format!(
                "The custom provider {} requires scopes (scopes_required is true), and the integration requests none: set its scopes before accounts connect.",
                integration.slug
            ),
        ));
    }
    Ok(())
}

/// Leaves `scope` out of a custom provider's authorize URL when there is no
/// scope to ask for.
pub fn drop_empty_scope(app: &OAuthApp, params: &mut Vec<(String, String)>) {
    if app.kind.is_none() {
        params.retain(|(k, v)| !(k == "scope" && v.is_empty()));
    }
}

/// A code exchange's grant with the identity the custom provider's userinfo
/// gives (see the module doc); built-in providers' grants pass unchanged.
pub async fn with_identity<E>(
    ctx: &Ctx,
    app: &OAuthApp,
    grant: Result<super::connect::Grant, E>,
) -> Result<super::connect::Grant, E> {
    let mut g = grant?;
    if app.kind.is_none() {
        g.identity = identity(ctx, app, &g.access_token).await;
    }
    Ok(g)
}

/// `(account_identifier, account_display_name)` from the userinfo of the
/// custom provider behind `app`'s token URL.
async fn identity(ctx: &Ctx, app: &OAuthApp, access_token: &str) -> Option<(String, String)> {
    let provider = ctx.custom_providers.get()?.provider_at(&app.token_url)?;
    if !provider.spec().userinfo {
        return None;
    }
    let req = ctx
        .http
        .request(reqwest::Method::GET, &provider.url("userinfo"))
        .header("accept", "application/json")
        .bearer_auth(access_token);
    let reply = ctx.http.send(req).await.ok()?;
    if reply.status != 200 {
        return None;
    }
    let v: Value = serde_json::from_slice(&reply.body).ok()?;
    let text = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let id = text("email").or_else(|| text("sub"))?;
    let name = text("name").unwrap_or_else(|| id.clone());
    Some((id, name))
}

/// A team that creates or updates a custom integration through the API has
/// registered its OAuth app at the provider with the callback WorkOS shows:
/// when the provider is the harness's custom provider mock, the mock does it
/// for them (as for built-in providers), so `serve` connects end to end.
pub fn register_app(ctx: &Ctx, integration: &Integration) {
    let (
        Some(def),
        Credentials::Custom {
            client_id,
            client_secret,
        },
    ) = (&integration.custom_provider, &integration.credentials)
    else {
        return;
    };
    let Some(custom) = ctx.custom_providers.get() else {
        return;
    };
    let Some(provider) = def
        .authorization_url
        .as_deref()
        .and_then(|u| custom.provider_at(u))
    else {
        return;
    };
    provider.register_app(
        client_id,
        client_secret,
        &ctx.callback_url(&integration.slug),
    );
}
