//! The connect flow from the app's side: ask WorkOS for an authorize URL,
//! send the user's browser through it, and read where the browser ended up.
//!
//! The browser can end in four places, and each says something different:
//! the app's return page (success, or `error=` when WorkOS saw the failure),
//! a foreign URL (the provider redirected to a callback nobody registered),
//! a provider page that goes nowhere (GitHub's redirect-URI warning), or a
//! WorkOS error page (an unknown `state`: the CSRF check).

use serde_json::json;

use super::PipesClient;
use super::browser::{Browser, Visit};
use super::classify::{self, Grant, ResponseView};
use super::diagnosis::{Diagnosis, DiagnosisKind};
use super::error::PipesError;
use super::models::{AuthorizeRequest, ConnectedAccount};
use crate::provider::ProviderKind;

/// Errors a provider reports on the authorize page rather than the token endpoint.
const AUTHORIZE_ERRORS: &[&str] = &[
    "access_denied",
    "invalid_scope",
    "unapproved_scope",
    "application_suspended",
    "redirect_uri_mismatch",
];

/// Runs the whole connect flow for `request.user_id`.
pub async fn connect(
    client: &PipesClient,
    browser: &Browser,
    provider: ProviderKind,
    request: &AuthorizeRequest,
) -> Result<ConnectedAccount, PipesError> {
    let authorize = client.authorize(provider.slug(), request).await?;
    let visit = browser
        .visit(&authorize.url)
        .await
        .map_err(|message| PipesError::Transport {
            url: authorize.url.clone(),
            diagnosis: Diagnosis::new(
                DiagnosisKind::ProviderUnavailable,
                format!("the browser could not complete the flow: {message}"),
            ),
            message,
        })?;
    if let Some(diagnosis) = diagnose_visit(provider, &visit, request.return_to.as_deref()) {
        return Err(PipesError::Connect {
            provider,
            diagnosis,
        });
    }
    client
        .get_user_connected_account(&request.user_id, provider.slug())
        .await
}

/// Reads the end of a browser visit; `None` means the flow succeeded.
pub fn diagnose_visit(
    provider: ProviderKind,
    visit: &Visit,
    return_to: Option<&str>,
) -> Option<Diagnosis> {
    let query: Vec<(String, String)> = url::Url::parse(&visit.final_url)
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let get = |k: &str| query.iter().find(|(q, _)| q == k).map(|(_, v)| v.as_str());
    if let Some(error) = get("error") {
        let description = get("error_description");
        let mut d = if AUTHORIZE_ERRORS.contains(&error) {
            classify::classify_authorize_error(provider, error, description)
        } else {
            token_error(provider, error, description)
        };
        if visit.left_stack {
            d.detail = format!(
                "{} The browser was sent to {} instead of the WorkOS callback, so WorkOS never saw the answer.",
                d.detail,
                visit.final_url.split('?').next().unwrap_or_default()
            );
        }
        return Some(d);
    }
    if visit.left_stack {
        return Some(Diagnosis::new(
            DiagnosisKind::RedirectUriMismatch,
            format!(
                "The browser was sent to {}, outside WorkOS and the app.",
                visit.final_url
            ),
        ));
    }
    let resp = visit.response.as_ref()?;
    let body = resp.text();
    let on_return_page = return_to.is_some_and(|r| visit.final_url.starts_with(r));
    if on_return_page && (200..300).contains(&resp.status) {
        return None;
    }
    if body.contains("redirect_uri is not associated") {
        return Some(Diagnosis::new(
            DiagnosisKind::RedirectUriMismatch,
            format!(
                "{} showed its warning page \"The redirect_uri is not associated with this application.\" and the flow stopped there.",
                provider.display_name()
            ),
        ));
    }
    if body.contains("state parameter") {
        return Some(Diagnosis::new(
            DiagnosisKind::CsrfStateMismatch,
            format!(
                "WorkOS refused the callback (HTTP {}): the state returned by the provider matches no authorization in progress.",
                resp.status
            ),
        ));
    }
    if return_to.is_none() && (200..300).contains(&resp.status) {
        return None;
    }
    Some(Diagnosis::new(
        DiagnosisKind::ProviderUnavailable,
        format!(
            "The connect flow stopped at {} with HTTP {}.",
            visit.final_url, resp.status
        ),
    ))
}

/// A token-endpoint error relayed by WorkOS as `error=` on the return URL.
fn token_error(provider: ProviderKind, error: &str, description: Option<&str>) -> Diagnosis {
    let body = if provider == ProviderKind::Slack {
        json!({"ok": false, "error": error})
    } else {
        json!({"error": error, "error_description": description})
    };
    let status = match provider {
        ProviderKind::Github | ProviderKind::Slack => 200,
        _ => 400,
    };
    let bytes = body.to_string().into_bytes();
    let headers = vec![("content-type".to_string(), "application/json".to_string())];
    let view = ResponseView {
        status,
        headers: &headers,
        body: &bytes,
    };
    match classify::classify_token_response(provider, Grant::AuthorizationCode, &view) {
        Err(d) => d,
        Ok(()) => Diagnosis::new(
            DiagnosisKind::InvalidRequest,
            format!(
                "WorkOS reported error={error} after the {} sign-in.",
                provider.display_name()
            ),
        ),
    }
}
