//! Custom providers from the app's side: the connect flow for any slug, and
//! what a provider that speaks plain OAuth 2.0 said when it refused.
//!
//! A custom provider has no wire format of its own to learn: its errors are
//! RFC 6749's (§4.1.2.1 on the redirect, §5.2 from the token endpoint, both
//! relayed by WorkOS as `error` and `error_description` on `return_to`) and
//! RFC 6750's on its API (`WWW-Authenticate: Bearer error="invalid_token"`).
//! The codes map onto the same diagnoses as the built-in providers'; the
//! detail quotes the provider and names the part of the integration's
//! definition that decides what WorkOS sent, where the provider's words
//! point at one.

use super::PipesClient;
use super::browser::{Browser, Visit};
use super::connect::{Page, read_visit, state_refused};
use super::error::PipesError;
use super::models::{AuthorizeRequest, ConnectedAccount};
use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::transcript::HttpResponse;

/// Runs the whole connect flow of the custom provider `slug` for `request.user_id`.
pub async fn connect(
    client: &PipesClient,
    browser: &Browser,
    slug: &str,
    request: &AuthorizeRequest,
) -> Result<ConnectedAccount, PipesError> {
    let authorize = client.authorize(slug, request).await?;
    follow(browser, slug, &authorize.url, request.return_to.as_deref()).await?;
    client
        .get_user_connected_account(&request.user_id, slug)
        .await
}

/// Sends the browser through an authorize URL and reads where it ended:
/// `Ok` when it came back to `return_to` without an error.
pub async fn follow(
    browser: &Browser,
    slug: &str,
    authorize_url: &str,
    return_to: Option<&str>,
) -> Result<(), PipesError> {
    let visit = super::connect::visit(browser, authorize_url).await?;
    match diagnose_visit(slug, &visit, return_to) {
        Some(diagnosis) => Err(PipesError::CustomProvider {
            action: "connecting",
            slug: slug.to_string(),
            diagnosis,
        }),
        None => Ok(()),
    }
}

/// Reads the end of a browser visit through a custom provider; `None`
/// means the flow succeeded.
pub fn diagnose_visit(slug: &str, visit: &Visit, return_to: Option<&str>) -> Option<Diagnosis> {
    read_visit(
        visit,
        return_to,
        |error, description| error_diagnosis(slug, error, description),
        |resp, body, on_return_page| {
            if (200..300).contains(&resp.status) && (on_return_page || return_to.is_none()) {
                return Page::Done;
            }
            if let Some(d) = state_refused(resp.status, body, slug) {
                return Page::Diagnosed(d);
            }
            match (resp.status >= 400)
                .then(|| error_page(slug, resp.status, body))
                .flatten()
            {
                Some(d) => Page::Diagnosed(d),
                None => Page::Unread,
            }
        },
    )
}

/// A page the provider showed instead of redirecting (an unknown client, a
/// redirect URI it does not know: RFC 6749 §4.1.2.1 forbids redirecting
/// then), read from its `error=CODE - message` text.
fn error_page(slug: &str, status: u16, html: &str) -> Option<Diagnosis> {
    let text = crate::common::text::visible_text(html);
    let at = text.find("error=")?;
    let rest = &text[at + "error=".len()..];
    let code: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let said = rest[code.len()..]
        .trim_start_matches([' ', '-', ':'])
        .trim()
        .to_string();
    let lower = said.to_ascii_lowercase();
    let kind = if lower.contains("redirect_uri") {
        DiagnosisKind::RedirectUriMismatch
    } else if lower.contains("client_id") || code == "invalid_client" {
        DiagnosisKind::InvalidClient
    } else {
        kind_of(&code, None)
    };
    Some(Diagnosis::new(
        kind,
        format!(
            "{slug} stopped the flow on its own error page (HTTP {status}) with error={code}: \"{said}\" It did not redirect, so WorkOS never heard back."
        ),
    ))
}

/// The diagnosis kind of an RFC 6749 error code. `refresh` says whether it
/// answered a refresh grant.
fn kind_of(error: &str, refresh: Option<bool>) -> DiagnosisKind {
    use DiagnosisKind as K;
    match error {
        "access_denied" => K::AccessDenied,
        "invalid_scope" => K::InvalidScope,
        "invalid_client" | "unauthorized_client" => K::InvalidClient,
        "invalid_grant" if refresh == Some(true) => K::InvalidGrant,
        "invalid_grant" => K::CodeExpiredOrReused,
        "redirect_uri_mismatch" => K::RedirectUriMismatch,
        "server_error" | "temporarily_unavailable" => K::ProviderUnavailable,
        _ => K::InvalidRequest,
    }
}

/// What the provider's words say about the integration's definition, when
/// they point at a field of it.
fn definition_note(error: &str, description: &str) -> Option<&'static str> {
    let d = description.to_ascii_lowercase();
    match error {
        "invalid_client" if d.contains("basic header") || d.contains("request body") => Some(
            "WorkOS puts the client credentials where the integration's authenticate_via says (basic_auth_header or request_body).",
        ),
        "invalid_client" if d.contains("no client secret") => Some(
            "WorkOS sends no client secret when the integration's client_secret_required is false.",
        ),
        "invalid_request" if d.contains("request bodies") || d.contains("json") => Some(
            "WorkOS encodes the token request as the integration's token_body_content_type says (application/x-www-form-urlencoded or application/json).",
        ),
        "invalid_request" | "invalid_grant"
            if d.contains("code_challenge") || d.contains("pkce") =>
        {
            Some(
                "WorkOS sends a PKCE code_challenge only when the integration's pkce_enabled is true.",
            )
        }
        "invalid_scope" => Some(
            "WorkOS asks for the integration's scopes, joined with its request_scope_separator.",
        ),
        _ => None,
    }
}

/// An RFC 6749 error the provider gave during the connect flow, as WorkOS
/// relayed it on `return_to`.
pub fn error_diagnosis(slug: &str, error: &str, description: Option<&str>) -> Diagnosis {
    let code = error.trim();
    let description = description.map(str::trim).filter(|d| !d.is_empty());
    let at = match code {
        "access_denied" | "invalid_scope" | "unsupported_response_type" => " at its authorize page",
        "invalid_client" | "invalid_grant" | "unsupported_grant_type" => " at its token endpoint",
        _ => "",
    };
    let mut detail = format!("{slug} answered error={code}{at}");
    match description {
        Some(d) => detail.push_str(&format!(": \"{d}\"")),
        None => detail.push('.'),
    }
    if let Some(note) = definition_note(code, description.unwrap_or_default()) {
        detail.push(' ');
        detail.push_str(note);
    }
    Diagnosis::new(kind_of(code, None), detail)
}

/// The diagnosis of a custom provider's API answer, `None` for a success:
/// RFC 6750's `WWW-Authenticate: Bearer error="..."` first, then the status.
pub fn api_diagnosis(slug: &str, resp: &HttpResponse) -> Option<Diagnosis> {
    if (200..300).contains(&resp.status) {
        return None;
    }
    let challenge = resp.header("www-authenticate").unwrap_or_default();
    let param = |name: &str| {
        let key = format!("{name}=\"");
        let at = challenge.find(&key)? + key.len();
        let end = challenge[at..].find('"')?;
        Some(challenge[at..at + end].to_string())
    };
    let error = param("error");
    let description = param("error_description").unwrap_or_default();
    let said = if challenge.is_empty() {
        format!("{slug} answered HTTP {}", resp.status)
    } else {
        format!(
            "{slug} answered HTTP {} with WWW-Authenticate: {challenge}",
            resp.status
        )
    };
    let kind = match (resp.status, error.as_deref()) {
        (_, Some("invalid_token")) if description.to_ascii_lowercase().contains("expired") => {
            DiagnosisKind::TokenExpired
        }
        (_, Some("invalid_token")) | (401, _) => DiagnosisKind::TokenRevoked,
        (_, Some("insufficient_scope")) | (403, _) => DiagnosisKind::InsufficientScopes,
        (429, _) => DiagnosisKind::RateLimited,
        (404, _) => DiagnosisKind::ResourceNotFound,
        (s, _) if s >= 500 => DiagnosisKind::ProviderUnavailable,
        _ => DiagnosisKind::InvalidRequest,
    };
    Some(Diagnosis::new(kind, said))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6749_codes_map_to_the_diagnoses_of_the_built_in_providers() {
        let d = error_diagnosis(
            "acme",
            "access_denied",
            Some("The user denied the request."),
        );
        assert_eq!(d.kind, DiagnosisKind::AccessDenied);
        assert!(d.detail.contains("at its authorize page"), "{}", d.detail);
        let d = error_diagnosis(
            "acme",
            "invalid_client",
            Some(
                "Client authentication failed: the client sent the client credentials in an HTTP Basic header, and acme only accepts client_secret_post.",
            ),
        );
        assert_eq!(d.kind, DiagnosisKind::InvalidClient);
        assert!(d.detail.contains("authenticate_via"), "{}", d.detail);
        let d = error_diagnosis(
            "acme",
            "invalid_request",
            Some(
                "The acme token endpoint reads application/x-www-form-urlencoded request bodies only; it got application/json.",
            ),
        );
        assert_eq!(d.kind, DiagnosisKind::InvalidRequest);
        assert!(d.detail.contains("token_body_content_type"), "{}", d.detail);
        let d = error_diagnosis(
            "acme",
            "invalid_request",
            Some("code_challenge is required"),
        );
        assert!(d.detail.contains("pkce_enabled"), "{}", d.detail);
        assert_eq!(
            error_diagnosis("acme", "invalid_scope", None).kind,
            DiagnosisKind::InvalidScope
        );
        assert_eq!(
            error_diagnosis("acme", "invalid_grant", None).kind,
            DiagnosisKind::CodeExpiredOrReused
        );
    }

    #[test]
    fn a_page_that_names_the_redirect_uri_is_a_redirect_uri_mismatch() {
        let html = "<!DOCTYPE html><html><head><title>acme</title></head><body><h1>Authorization error</h1><p>error=invalid_request - The redirect_uri 'http://x/cb' is not registered for this client.</p></body></html>";
        let d = error_page("acme", 400, html).expect("read");
        assert_eq!(d.kind, DiagnosisKind::RedirectUriMismatch);
        assert!(d.detail.contains("is not registered"), "{}", d.detail);
    }

    #[test]
    fn a_bearer_challenge_says_revoked_or_expired() {
        let resp = |challenge: &str| HttpResponse {
            status: 401,
            headers: vec![("www-authenticate".into(), challenge.into())],
            body: Vec::new(),
        };
        let revoked = resp(
            "Bearer realm=\"acme\", error=\"invalid_token\", error_description=\"The access token was revoked\"",
        );
        assert_eq!(
            api_diagnosis("acme", &revoked).map(|d| d.kind),
            Some(DiagnosisKind::TokenRevoked)
        );
        let expired = resp(
            "Bearer realm=\"acme\", error=\"invalid_token\", error_description=\"The access token expired\"",
        );
        assert_eq!(
            api_diagnosis("acme", &expired).map(|d| d.kind),
            Some(DiagnosisKind::TokenExpired)
        );
    }
}
