//! The connect flow from the app's side: ask WorkOS for an authorize URL,
//! send the user's browser through it, and read where the browser ended up.
//!
//! The browser can end in four places, and each says something different:
//! the app's return page (success, or `error=` when WorkOS saw the failure),
//! a foreign URL (the provider redirected to a callback nobody registered),
//! a provider page that goes nowhere (GitHub's redirect-URI warning), or a
//! WorkOS error page (an unknown `state`: the CSRF check).

use super::PipesClient;
use super::browser::{Browser, Visit};
use super::error::PipesError;
use super::models::{AuthorizeRequest, ConnectedAccount};
use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::provider::ProviderKind;
use crate::providers::classify::{self, Grant, ResponseView};

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
    follow(
        browser,
        provider,
        &authorize.url,
        request.return_to.as_deref(),
    )
    .await?;
    client
        .get_user_connected_account(&request.user_id, provider.slug())
        .await
}

/// Sends the browser through an authorize URL and reads where it ended:
/// `Ok` when it came back to `return_to` (or to WorkOS's own page) without an error.
pub async fn follow(
    browser: &Browser,
    provider: ProviderKind,
    authorize_url: &str,
    return_to: Option<&str>,
) -> Result<(), PipesError> {
    let visit = visit(browser, authorize_url).await?;
    match diagnose_visit(provider, &visit, return_to) {
        Some(diagnosis) => Err(PipesError::Connect {
            provider,
            diagnosis,
        }),
        None => Ok(()),
    }
}

/// Walks the browser through `authorize_url`; a browser that cannot finish
/// the walk is a transport error.
pub(crate) async fn visit(browser: &Browser, authorize_url: &str) -> Result<Visit, PipesError> {
    browser
        .visit(authorize_url)
        .await
        .map_err(|message| PipesError::Transport {
            url: authorize_url.to_string(),
            diagnosis: Diagnosis::new(
                DiagnosisKind::ProviderUnavailable,
                format!("the browser could not complete the flow: {message}"),
            ),
            message,
        })
}

/// Reads the end of a browser visit; `None` means the flow succeeded.
pub fn diagnose_visit(
    provider: ProviderKind,
    visit: &Visit,
    return_to: Option<&str>,
) -> Option<Diagnosis> {
    read_visit(
        visit,
        return_to,
        |error, description| {
            if AUTHORIZE_ERRORS.contains(&error) {
                classify::classify_authorize_error(provider, error, description)
            } else {
                token_error(provider, error, description)
            }
        },
        |resp, body, on_return_page| {
            if on_return_page && (200..300).contains(&resp.status) {
                return Page::Done;
            }
            if let Some(d) = warning_page(provider, resp.status, body) {
                return Page::Diagnosed(d);
            }
            if let Some(d) = state_refused(resp.status, body, "the provider") {
                return Page::Diagnosed(d);
            }
            if return_to.is_none() && (200..300).contains(&resp.status) {
                return Page::Done;
            }
            match provider_stop_page(provider, resp.status, body) {
                Some(d) => Page::Diagnosed(d),
                None => Page::Unread,
            }
        },
    )
}

/// What a connect flow's last page says, as one kind of flow reads it.
pub(crate) enum Page {
    /// The flow succeeded.
    Done,
    /// It failed, and this is why.
    Diagnosed(Diagnosis),
    /// Nothing this flow recognises: it stopped somewhere unexpected.
    Unread,
}

/// The end of a browser visit, read the same way for every flow: an
/// `error` on the final URL (read by `error`), a browser sent outside the
/// stack, then the last page (read by `page`, told whether it is the
/// app's return page).
pub(crate) fn read_visit(
    visit: &Visit,
    return_to: Option<&str>,
    error: impl Fn(&str, Option<&str>) -> Diagnosis,
    page: impl Fn(&crate::transcript::HttpResponse, &str, bool) -> Page,
) -> Option<Diagnosis> {
    let query: Vec<(String, String)> = url::Url::parse(&visit.final_url)
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let get = |k: &str| query.iter().find(|(q, _)| q == k).map(|(_, v)| v.as_str());
    if let Some(code) = get("error") {
        let mut d = error(code, get("error_description"));
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
    match page(resp, &body, on_return_page) {
        Page::Done => None,
        Page::Diagnosed(d) => Some(d),
        Page::Unread => Some(Diagnosis::new(
            DiagnosisKind::ProviderUnavailable,
            format!(
                "The connect flow stopped at {} with HTTP {}.",
                visit.final_url, resp.status
            ),
        )),
    }
}

/// WorkOS's refusal of a callback whose `state` matches no flow in progress.
pub(crate) fn state_refused(status: u16, body: &str, provider: &str) -> Option<Diagnosis> {
    body.contains("state parameter").then(|| {
        Diagnosis::new(
            DiagnosisKind::CsrfStateMismatch,
            format!(
                "WorkOS refused the callback (HTTP {status}): the state returned by {provider} matches no authorization in progress."
            ),
        )
    })
}

/// A page the provider answered with success that is a warning, not a
/// form (GitHub's "The redirect_uri is not associated with this
/// application." for an unregistered callback): the flow stops there.
fn warning_page(provider: ProviderKind, status: u16, html: &str) -> Option<Diagnosis> {
    if !(200..300).contains(&status) {
        return None;
    }
    let text = page_text(html);
    let (phrase, kind) = classify::page_phrase(provider, &text.to_ascii_lowercase())?;
    // Quote the sentence that says it.
    let sentence = text
        .split_inclusive(['.', '!', '?', '\n'])
        .find(|s| s.to_ascii_lowercase().contains(phrase))
        .map_or(text.as_str(), str::trim);
    Some(Diagnosis::new(
        kind,
        format!(
            "{} showed its warning page \"{sentence}\" and the flow stopped there.",
            provider.display_name()
        ),
    ))
}

/// An error page the provider showed instead of redirecting back: Google's
/// "Error 400: redirect_uri_mismatch", Slack's "redirect_uri did not match
/// any configured URIs", Salesforce's `error=redirect_uri_mismatch` text.
/// These never reach WorkOS, so the page itself is all there is to read.
fn provider_stop_page(provider: ProviderKind, status: u16, html: &str) -> Option<Diagnosis> {
    if status < 400 {
        return None;
    }
    let text = page_text(html);
    let code = AUTHORIZE_ERRORS
        .iter()
        .find(|code| text.contains(*code))
        .copied();
    // Some pages name no code, only the rule they enforce.
    let phrase = classify::page_phrase(provider, &text.to_ascii_lowercase());
    if code.is_none() && phrase.is_none() {
        return None;
    }
    // What the page says after the code is the part worth quoting.
    let said = code
        .and_then(|c| text.find(c).map(|at| &text[at + c.len()..]))
        .map(|rest| rest.trim_start_matches([' ', '-', '—', ':', '&']))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(&text);
    let mut d = classify::classify_authorize_error(provider, code.unwrap_or(""), Some(said));
    if let (None, Some((_, kind))) = (code, phrase) {
        d.kind = kind;
    }
    d.detail = format!(
        "{} The flow stopped on {}'s own error page (HTTP {status}), so WorkOS never heard back.",
        d.detail,
        provider.display_name()
    );
    Some(d)
}

/// The visible text of a small HTML page: tags dropped, entities and
/// percent-escapes of the few characters error pages use decoded.
fn page_text(html: &str) -> String {
    // The <title> repeats the heading; the body is what the user reads.
    let body = match (html.find("<head"), html.find("</head>")) {
        (Some(start), Some(end)) if start < end => format!("{}{}", &html[..start], &html[end..]),
        _ => html.to_string(),
    };
    crate::common::text::visible_text(&body.replace("%20", " "))
}

/// A token-endpoint error relayed by WorkOS as `error=` on the return URL.
fn token_error(provider: ProviderKind, error: &str, description: Option<&str>) -> Diagnosis {
    let (status, body) = (crate::providers::spec(provider).relayed_token_error)(error, description);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(title: &str, body: &str) -> String {
        format!(
            "<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1><p>{body}</p></body></html>"
        )
    }

    #[test]
    fn googles_error_page_is_a_redirect_uri_mismatch_quoting_what_follows_the_code() {
        let html = page(
            "Access blocked: Authorization Error",
            "Error 400: redirect_uri_mismatch — You can't sign in to this app. Request details: redirect_uri=http://x/cb",
        );
        let d = provider_stop_page(ProviderKind::Google, 400, &html).expect("diagnosed");
        assert_eq!(d.kind, DiagnosisKind::RedirectUriMismatch);
        assert!(
            d.detail.contains("You can't sign in to this app"),
            "{}",
            d.detail
        );
        assert!(
            d.detail.contains("own error page (HTTP 400)"),
            "{}",
            d.detail
        );
    }

    #[test]
    fn slacks_page_names_no_code_but_still_reads_as_a_redirect_uri_mismatch() {
        let html = page(
            "Oops, something went wrong",
            "redirect_uri did not match any configured URIs. Passed URI: http://x/cb",
        );
        let d = provider_stop_page(ProviderKind::Slack, 400, &html).expect("diagnosed");
        assert_eq!(d.kind, DiagnosisKind::RedirectUriMismatch);
        assert!(d.detail.contains("without an error code"), "{}", d.detail);
    }

    #[test]
    fn slacks_unknown_client_page_is_an_invalid_client() {
        let html = page("Oops, something went wrong", "Invalid client_id parameter");
        let d = provider_stop_page(ProviderKind::Slack, 400, &html).expect("diagnosed");
        assert_eq!(d.kind, DiagnosisKind::InvalidClient);
        assert!(
            d.detail.contains("Invalid client_id parameter"),
            "{}",
            d.detail
        );
    }

    #[test]
    fn githubs_warning_page_quotes_its_sentence() {
        let html = page(
            "Be careful!",
            "The redirect_uri is not associated with this application. The application might be misconfigured.",
        );
        let d = warning_page(ProviderKind::Github, 200, &html).expect("diagnosed");
        assert_eq!(d.kind, DiagnosisKind::RedirectUriMismatch);
        assert_eq!(
            d.detail,
            "GitHub showed its warning page \"The redirect_uri is not associated with this application.\" and the flow stopped there."
        );
        // Another provider's page saying the same is not GitHub's warning.
        assert!(warning_page(ProviderKind::Google, 200, &html).is_none());
    }

    #[test]
    fn salesforces_escaped_error_text_is_decoded() {
        let html = page(
            "Remote Access Authorization Error",
            "error=redirect_uri_mismatch&amp;error_description=redirect_uri%20must%20match%20configuration",
        );
        let d = provider_stop_page(ProviderKind::Salesforce, 400, &html).expect("diagnosed");
        assert_eq!(d.kind, DiagnosisKind::RedirectUriMismatch);
        assert!(
            d.detail.contains("redirect_uri must match configuration"),
            "{}",
            d.detail
        );
    }

    #[test]
    fn an_invalid_scope_page_is_an_invalid_scope() {
        let html = page(
            "Access blocked",
            "Error 400: invalid_scope — Some requested scopes were invalid.",
        );
        let d = provider_stop_page(ProviderKind::Google, 400, &html).expect("diagnosed");
        assert_eq!(d.kind, DiagnosisKind::InvalidScope);
    }

    #[test]
    fn a_page_without_an_oauth_error_or_a_success_page_is_not_read_as_one() {
        assert!(
            provider_stop_page(ProviderKind::Google, 500, &page("Oops", "try later")).is_none()
        );
        assert!(
            provider_stop_page(
                ProviderKind::Google,
                200,
                &page("ok", "redirect_uri_mismatch")
            )
            .is_none()
        );
    }
}
