//! Turns what an OAuth provider answered into a [`Diagnosis`].
//!
//! Three transports carry provider errors, each with its own quirks: the
//! authorize redirect (`?error=…`), the token endpoint (GitHub and Slack put
//! failures inside HTTP 200), and API calls (Salesforce answers with JSON
//! arrays, Google with nested envelopes, rate limits hide in 403s). The
//! rules follow each provider's public documentation; every detail string names the
//! provider and quotes its own code and text so a failing scenario shows
//! what the provider actually said.
//!
//! Nothing here panics: bodies may be empty, not UTF-8 or not JSON, and
//! headers may hold numbers of any size.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::provider::ProviderKind;

/// A provider response as the classifier sees it. Header names are matched case-insensitively.
#[derive(Debug, Clone, Copy)]
pub struct ResponseView<'a> {
    pub status: u16,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl<'a> ResponseView<'a> {
    /// The first header with this name, whatever its case.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How long to wait before retrying, and which header said so.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryHint {
    pub delay: Duration,
    /// e.g. `Retry-After: 2` or `x-ratelimit-reset: 1735689630 (30 s from now)`.
    pub reason: String,
}

/// The verdict on one provider API call.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiOutcome {
    Ok,
    Failed(Diagnosis),
    RateLimited {
        diagnosis: Diagnosis,
        hint: Option<RetryHint>,
    },
    /// 5xx: worth retrying later.
    Unavailable(Diagnosis),
}

/// Which grant the token endpoint was asked for; the same provider error
/// means different things for a fresh code and for a refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    AuthorizationCode,
    RefreshToken,
}

/// How much of a provider's text a detail quotes; enough to recognise the
/// message, short enough to keep a transcript readable when a provider
/// returns a whole HTML page.
pub(crate) const QUOTE_LIMIT: usize = 200;

// ---------------------------------------------------------------------------
// API calls
// ---------------------------------------------------------------------------

/// A call to a provider's REST / Web API with a bearer token. `now_epoch_secs` is the (virtual) clock, used for x-ratelimit-reset.
pub fn classify_api_response(
    provider: ProviderKind,
    resp: &ResponseView<'_>,
    now_epoch_secs: i64,
) -> ApiOutcome {
    if (500..=599).contains(&resp.status) {
        return ApiOutcome::Unavailable(unavailable(provider, resp));
    }
    if !is_success(resp.status) && !is_client_error(resp.status) {
        if resp.status == 304 {
            // A conditional request whose cached copy is still good.
            return ApiOutcome::Ok;
        }
        return ApiOutcome::Failed(malformed(provider, resp, "a final 2xx, 4xx or 5xx answer"));
    }
    (super::spec(provider).classify_api)(resp, now_epoch_secs)
}

/// A 2xx from a JSON API: any JSON value is fine, an empty 204 too.
pub(crate) fn json_success(provider: ProviderKind, resp: &ResponseView<'_>) -> ApiOutcome {
    if resp.status == 204 && is_blank(resp.body) {
        return ApiOutcome::Ok;
    }
    match parse_json(resp.body) {
        Some(_) => ApiOutcome::Ok,
        None => ApiOutcome::Failed(malformed(provider, resp, "a JSON body")),
    }
}

// ---------------------------------------------------------------------------
// Google's error envelopes
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Slack's envelope (Web API and oauth.v2.access alike)
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Token endpoint
// ---------------------------------------------------------------------------

/// The provider's token endpoint answer (code exchange or refresh). Ok(()) when it issued a token.
pub fn classify_token_response(
    provider: ProviderKind,
    grant: Grant,
    resp: &ResponseView<'_>,
) -> Result<(), Diagnosis> {
    if (500..=599).contains(&resp.status) {
        return Err(unavailable(provider, resp));
    }
    if resp.status == 429 {
        let wait = resp
            .header("retry-after")
            .map(|v| format!(" (Retry-After: {})", v.trim()))
            .unwrap_or_default();
        return Err(Diagnosis::new(
            DiagnosisKind::RateLimited,
            format!(
                "{} answered HTTP 429 on the token endpoint{wait}",
                provider.display_name()
            ),
        ));
    }
    if !is_success(resp.status) && !is_client_error(resp.status) {
        return Err(malformed(provider, resp, "a 2xx or 4xx token response"));
    }
    (super::spec(provider).classify_token)(grant, resp)
}

/// How one provider speaks RFC 6749 at its token endpoint: what its body
/// looks like, and the error codes of its own.
#[derive(Debug, Clone, Copy)]
pub struct TokenDialect {
    /// What a well-formed answer is, in words, for a malformed-response detail.
    pub expected: &'static str,
    /// Whether the body may be form-encoded rather than JSON.
    pub form_allowed: bool,
    /// The provider's own reading of an `error` code, before the RFC's.
    pub own_codes: fn(Grant, &str, Option<&str>) -> Option<DiagnosisKind>,
}

/// No codes beyond the RFC's.
pub fn rfc_codes_only(_: Grant, _: &str, _: Option<&str>) -> Option<DiagnosisKind> {
    None
}

/// A plain RFC 6749 token answer, read in `dialect`.
pub fn oauth_token(
    provider: ProviderKind,
    dialect: &TokenDialect,
    grant: Grant,
    resp: &ResponseView<'_>,
) -> Result<(), Diagnosis> {
    let expected = dialect.expected;
    let Some(fields) = token_fields(resp.body, dialect.form_allowed) else {
        return Err(malformed(provider, resp, expected));
    };
    let get = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };

    if let Some(error) = get("error") {
        let description = get("error_description");
        let kind = (dialect.own_codes)(grant, error, description)
            .unwrap_or_else(|| oauth_error_kind(grant, error));
        let mut detail = format!(
            "{} answered HTTP {} with error={error}",
            provider.display_name(),
            resp.status
        );
        if let Some(description) = description {
            detail.push_str(": ");
            detail.push_str(&quote(description));
        }
        return Err(Diagnosis::new(kind, detail));
    }
    if is_success(resp.status) && get("access_token").is_some() {
        return Ok(());
    }
    Err(malformed(provider, resp, expected))
}

/// RFC 6749 section 5.2's codes.
fn oauth_error_kind(grant: Grant, error: &str) -> DiagnosisKind {
    use DiagnosisKind as K;
    match error {
        "invalid_grant" => match grant {
            Grant::RefreshToken => K::InvalidGrant,
            Grant::AuthorizationCode => K::CodeExpiredOrReused,
        },
        "redirect_uri_mismatch" => K::RedirectUriMismatch,
        "invalid_client" | "invalid_client_id" | "unauthorized_client" => K::InvalidClient,
        "invalid_scope" => K::InvalidScope,
        "access_denied" => K::AccessDenied,
        _ => K::InvalidRequest,
    }
}

/// Key/value pairs of a token response: a JSON object (scalars only) or,
/// when allowed, `application/x-www-form-urlencoded`.
pub(crate) fn token_fields(body: &[u8], form_allowed: bool) -> Option<Vec<(String, String)>> {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.starts_with('{') {
        let Value::Object(obj) = parse_json(body)? else {
            return None;
        };
        let fields = obj
            .into_iter()
            .filter_map(|(k, v)| match v {
                Value::String(s) => Some((k, s)),
                Value::Number(n) => Some((k, n.to_string())),
                Value::Bool(b) => Some((k, b.to_string())),
                _ => None,
            })
            .collect();
        return Some(fields);
    }
    if !form_allowed || trimmed.is_empty() {
        return None;
    }
    let fields = form_decode(trimmed);
    // Anything can be split on `&` and `=`; only a body naming a token or an
    // error counts as the provider's form encoding (an HTML page does not).
    let recognised = fields.iter().any(|(k, v)| {
        (k == "access_token" || k == "error")
            && !v.is_empty()
            && !v.contains(|c: char| c.is_whitespace() || c == '<')
    });
    recognised.then_some(fields)
}

// ---------------------------------------------------------------------------
// Authorize redirect
// ---------------------------------------------------------------------------

/// The `error` / `error_description` a provider put on the redirect back to the callback (or on its own error page).
pub fn classify_authorize_error(
    provider: ProviderKind,
    error: &str,
    description: Option<&str>,
) -> Diagnosis {
    use DiagnosisKind as K;
    // Salesforce's help pages spell it `access-denied`; accept either.
    let code = error.trim().to_ascii_lowercase().replace('-', "_");
    let description = description.map(str::trim).filter(|d| !d.is_empty());
    let kind = match code.as_str() {
        "access_denied" => K::AccessDenied,
        "redirect_uri_mismatch" => K::RedirectUriMismatch,
        "invalid_scope" | "unapproved_scope" | "scope_not_allowed_on_enterprise" => K::InvalidScope,
        "application_suspended" => K::InvalidClient,
        // Error pages that never redirect (a provider's own warning page)
        // may only say it in prose.
        _ if mentions_redirect_uri(&code) || description.is_some_and(mentions_redirect_uri) => {
            K::RedirectUriMismatch
        }
        _ => K::InvalidRequest,
    };
    let mut detail = if error.trim().is_empty() {
        format!(
            "{} showed an authorization error without an error code",
            provider.display_name()
        )
    } else {
        format!(
            "{} returned error={} from the authorize step",
            provider.display_name(),
            clip(error.trim())
        )
    };
    if let Some(description) = description {
        detail.push_str(": ");
        detail.push_str(&quote(description));
    }
    Diagnosis::new(kind, detail)
}

/// The first of `provider`'s error-page phrases that `lower` (a page's text,
/// lower-cased) says, with what it means.
pub fn page_phrase(provider: ProviderKind, lower: &str) -> Option<(&'static str, DiagnosisKind)> {
    super::spec(provider)
        .error_page_phrases
        .iter()
        .find(|(phrase, _)| lower.contains(phrase))
        .copied()
}

pub(crate) fn mentions_redirect_uri(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("redirect_uri") || t.contains("redirect uri")
}

// ---------------------------------------------------------------------------
// Retry hints
// ---------------------------------------------------------------------------

/// `Retry-After` in seconds or as an HTTP date.
pub(crate) fn retry_after_hint(resp: &ResponseView<'_>, now: i64) -> Option<RetryHint> {
    let raw = resp.header("retry-after")?.trim();
    if let Ok(secs) = raw.parse::<u64>() {
        return Some(RetryHint {
            delay: Duration::from_secs(secs),
            reason: format!("Retry-After: {raw}"),
        });
    }
    let at = parse_http_date(raw)?;
    let secs = seconds_until(at, now);
    Some(RetryHint {
        delay: Duration::from_secs(secs),
        reason: format!("Retry-After: {raw} ({secs} s from now)"),
    })
}

/// GitHub's `x-ratelimit-reset`: the epoch second the window reopens.
pub(crate) fn reset_hint(resp: &ResponseView<'_>, now: i64) -> Option<RetryHint> {
    let raw = resp.header("x-ratelimit-reset")?.trim();
    let at = raw.parse::<i64>().ok()?;
    let secs = seconds_until(at, now);
    Some(RetryHint {
        delay: Duration::from_secs(secs),
        reason: format!("x-ratelimit-reset: {raw} ({secs} s from now)"),
    })
}

/// A reset in the past means "now", never a negative wait.
pub(crate) fn seconds_until(at: i64, now: i64) -> u64 {
    u64::try_from(at.saturating_sub(now)).unwrap_or(0)
}

/// An HTTP-date in any of the three forms RFC 9110 requires recipients to
/// read: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
pub(crate) fn parse_http_date(text: &str) -> Option<i64> {
    let at = httpdate::parse_http_date(text.trim()).ok()?;
    let secs = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

pub(crate) fn rate_limited(detail: String, hint: Option<RetryHint>) -> ApiOutcome {
    ApiOutcome::RateLimited {
        diagnosis: Diagnosis::new(DiagnosisKind::RateLimited, detail),
        hint,
    }
}

pub(crate) fn unavailable(provider: ProviderKind, resp: &ResponseView<'_>) -> Diagnosis {
    let mut detail = format!("{} answered HTTP {}", provider.display_name(), resp.status);
    if !is_blank(resp.body) {
        detail.push_str(": ");
        detail.push_str(&quote(&String::from_utf8_lossy(resp.body)));
    }
    Diagnosis::new(DiagnosisKind::ProviderUnavailable, detail)
}

pub(crate) fn malformed(
    provider: ProviderKind,
    resp: &ResponseView<'_>,
    expected: &str,
) -> Diagnosis {
    let got = if is_blank(resp.body) {
        "an empty body".to_string()
    } else {
        quote(&String::from_utf8_lossy(resp.body))
    };
    let content_type = resp
        .header("content-type")
        .map(|c| format!(" ({})", c.trim()))
        .unwrap_or_default();
    Diagnosis::new(
        DiagnosisKind::MalformedResponse,
        format!(
            "{} answered HTTP {}{content_type} with {got}; expected {expected}",
            provider.display_name(),
            resp.status
        ),
    )
}

pub(crate) fn is_success(status: u16) -> bool {
    (200..=299).contains(&status)
}

pub(crate) fn is_client_error(status: u16) -> bool {
    (400..=499).contains(&status)
}

pub(crate) fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

pub(crate) fn parse_json(body: &[u8]) -> Option<Value> {
    serde_json::from_slice(body).ok()
}

pub(crate) fn str_field<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    obj.get(key).and_then(Value::as_str)
}

pub(crate) fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

/// GitHub scope headers: `repo, gist` (`", "`-separated, possibly empty).
pub(crate) fn scope_list(header: &str) -> Vec<String> {
    header
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// One `name="value"` parameter of a `WWW-Authenticate` challenge.
pub(crate) fn auth_param(header: &str, name: &str) -> Option<String> {
    let lower = header.to_ascii_lowercase();
    let needle = format!("{}=", name.to_ascii_lowercase());
    let mut from = 0;
    while let Some(pos) = lower[from..].find(&needle) {
        let start = from + pos;
        let boundary = start == 0 || matches!(lower.as_bytes()[start - 1], b' ' | b',');
        let value_start = start + needle.len();
        if boundary {
            let rest = &header[value_start..];
            let value = match rest.strip_prefix('"') {
                Some(quoted) => quoted.split('"').next().unwrap_or(""),
                None => rest.split([',', ' ']).next().unwrap_or(""),
            };
            return Some(value.to_string());
        }
        from = value_start;
    }
    None
}

/// `application/x-www-form-urlencoded` into pairs; bad escapes are kept
/// literally and invalid UTF-8 is replaced, never rejected.
pub(crate) fn form_decode(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The provider's text in double quotes, escaped and shortened.
pub(crate) fn quote(text: &str) -> String {
    format!("{:?}", clip(text.trim()))
}

pub(crate) fn clip(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use DiagnosisKind as K;
    #[allow(unused_imports)]
    use ProviderKind::{Github, Google, Salesforce, Slack};

    /// The virtual clock every API test runs at.
    pub(crate) const NOW: i64 = 1_735_689_600;

    pub(crate) fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    pub(crate) fn api(
        provider: ProviderKind,
        status: u16,
        hdrs: &[(&str, &str)],
        body: &str,
    ) -> ApiOutcome {
        api_bytes(provider, status, hdrs, body.as_bytes())
    }

    pub(crate) fn api_bytes(
        provider: ProviderKind,
        status: u16,
        hdrs: &[(&str, &str)],
        body: &[u8],
    ) -> ApiOutcome {
        let headers = headers(hdrs);
        let resp = ResponseView {
            status,
            headers: &headers,
            body,
        };
        classify_api_response(provider, &resp, NOW)
    }

    pub(crate) fn token(
        provider: ProviderKind,
        grant: Grant,
        status: u16,
        hdrs: &[(&str, &str)],
        body: &str,
    ) -> Result<(), Diagnosis> {
        let headers = headers(hdrs);
        let resp = ResponseView {
            status,
            headers: &headers,
            body: body.as_bytes(),
        };
        classify_token_response(provider, grant, &resp)
    }

    pub(crate) fn token_err(
        provider: ProviderKind,
        grant: Grant,
        status: u16,
        body: &str,
    ) -> Diagnosis {
        token(provider, grant, status, &[], body).expect_err("the token endpoint refused")
    }

    pub(crate) fn failed(outcome: ApiOutcome) -> Diagnosis {
        match outcome {
            ApiOutcome::Failed(d) => d,
            other => panic!("expected Failed, got {other:?}"),
        }
    }

    pub(crate) fn limited(outcome: ApiOutcome) -> (Diagnosis, Option<RetryHint>) {
        match outcome {
            ApiOutcome::RateLimited { diagnosis, hint } => {
                assert_eq!(diagnosis.kind, K::RateLimited);
                (diagnosis, hint)
            }
            other => panic!("expected RateLimited, got {other:?}"),
        }
    }

    pub(crate) fn hint(secs: u64, reason: &str) -> Option<RetryHint> {
        Some(RetryHint {
            delay: Duration::from_secs(secs),
            reason: reason.to_string(),
        })
    }

    pub(crate) const GH_JSON: (&str, &str) = ("Content-Type", "application/json; charset=utf-8");

    // -- GitHub: authorize and token endpoint -----------

    // -- GitHub: API -----------------------------

    // -- Slack --------------------------------------------

    // -- Google ------------------------------------

    pub(crate) const GOOGLE_AUTH: (&str, &str) = (
        "WWW-Authenticate",
        r#"Bearer realm="https://accounts.google.com/", error="invalid_token""#,
    );

    #[test]
    fn google_401_access_token_expired_is_token_expired() {
        let d = failed(api(
            Google,
            401,
            &[
                GOOGLE_AUTH,
                ("Content-Type", "application/json; charset=UTF-8"),
            ],
            r#"{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.","status":"UNAUTHENTICATED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACCESS_TOKEN_EXPIRED","domain":"googleapis.com","metadata":{"service":"calendar-json.googleapis.com","method":"calendar.v3.Events.List"}}]}}"#,
        ));
        assert_eq!(d.kind, K::TokenExpired);
        assert!(
            d.detail.starts_with(
                "Google answered HTTP 401 with status=UNAUTHENTICATED, reason=ACCESS_TOKEN_EXPIRED: \"Request had invalid"
            ),
            "{}",
            d.detail
        );
    }

    // -- Salesforce --------------------------------

    // -- Every provider --------------------------------------------------------

    #[test]
    fn a_5xx_from_any_provider_api_is_unavailable() {
        for provider in ProviderKind::ALL {
            for status in [500, 502, 503, 504] {
                let outcome = api(provider, status, &[], "<html>Bad Gateway</html>");
                let ApiOutcome::Unavailable(d) = outcome else {
                    panic!("{provider} {status}: {outcome:?}");
                };
                assert_eq!(d.kind, K::ProviderUnavailable);
                assert!(d.detail.starts_with(&format!(
                    "{} answered HTTP {status}",
                    provider.display_name()
                )));
            }
        }
    }

    #[test]
    fn a_5xx_from_any_token_endpoint_is_provider_unavailable() {
        for provider in ProviderKind::ALL {
            let d = token_err(provider, Grant::RefreshToken, 503, "");
            assert_eq!(d.kind, K::ProviderUnavailable, "{provider}");
            assert_eq!(
                d.detail,
                format!("{} answered HTTP 503", provider.display_name())
            );
        }
    }

    #[test]
    fn a_429_from_a_token_endpoint_is_rate_limited() {
        let d = token(
            Github,
            Grant::AuthorizationCode,
            429,
            &[("Retry-After", "60")],
            "",
        )
        .unwrap_err();
        assert_eq!(d.kind, K::RateLimited);
        assert!(d.detail.contains("Retry-After: 60"));
    }

    #[test]
    fn an_unknown_authorize_error_is_invalid_request() {
        for provider in ProviderKind::ALL {
            let d = classify_authorize_error(provider, "server_error", Some("Something broke"));
            assert_eq!(d.kind, K::InvalidRequest, "{provider}");
        }
    }

    #[test]
    fn an_empty_body_is_malformed_where_json_is_expected() {
        for provider in ProviderKind::ALL {
            let d = failed(api(provider, 200, &[], ""));
            assert_eq!(d.kind, K::MalformedResponse, "{provider}");
            assert!(d.detail.contains("with an empty body"), "{}", d.detail);
            let d = token_err(provider, Grant::AuthorizationCode, 200, "");
            assert_eq!(d.kind, K::MalformedResponse, "{provider}");
        }
    }

    #[test]
    fn headers_are_matched_case_insensitively() {
        let hdrs = headers(&[("X-RateLimit-Reset", "1"), ("retry-after", "2")]);
        let resp = ResponseView {
            status: 200,
            headers: &hdrs,
            body: b"",
        };
        assert_eq!(resp.header("x-ratelimit-reset"), Some("1"));
        assert_eq!(resp.header("Retry-After"), Some("2"));
        assert_eq!(resp.header("x-missing"), None);
    }

    #[test]
    fn retry_after_as_an_http_date_counts_from_the_virtual_clock() {
        // NOW is 2025-01-01T00:00:00Z.
        let (_, h) = limited(api(
            Slack,
            429,
            &[("Retry-After", "Wed, 01 Jan 2025 00:00:42 GMT")],
            r#"{"ok":false,"error":"ratelimited"}"#,
        ));
        assert_eq!(
            h,
            hint(
                42,
                "Retry-After: Wed, 01 Jan 2025 00:00:42 GMT (42 s from now)"
            )
        );
    }

    #[test]
    fn retry_after_reads_every_http_date_form() {
        // NOW is 2025-01-01T00:00:00Z; RFC 850 and asctime are obsolete but
        // RFC 9110 requires recipients to read them.
        for value in [
            "Wed, 01 Jan 2025 00:00:42 GMT",
            "Wednesday, 01-Jan-25 00:00:42 GMT",
            "Wed Jan  1 00:00:42 2025",
        ] {
            let (_, h) = limited(api(
                Slack,
                429,
                &[("Retry-After", value)],
                r#"{"ok":false,"error":"ratelimited"}"#,
            ));
            assert_eq!(h.map(|h| h.delay.as_secs()), Some(42), "{value}");
        }
    }

    #[test]
    fn unusable_retry_after_values_are_ignored() {
        for value in ["soon", "-5", "1.5", "99999999999999999999999999"] {
            let (_, h) = limited(api(Slack, 429, &[("Retry-After", value)], ""));
            assert_eq!(h, None, "{value}");
        }
    }

    #[test]
    fn huge_rate_limit_reset_values_do_not_overflow() {
        let (_, h) = limited(api(
            Github,
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", &i64::MAX.to_string()),
            ],
            r#"{"message":"API rate limit exceeded"}"#,
        ));
        assert_eq!(
            h.map(|h| h.delay),
            Some(Duration::from_secs((i64::MAX - NOW) as u64))
        );
        let (_, h) = limited(api(
            Github,
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", &i64::MIN.to_string()),
            ],
            r#"{"message":"API rate limit exceeded"}"#,
        ));
        assert_eq!(h.map(|h| h.delay), Some(Duration::ZERO));
        let (_, h) = limited(api(
            Github,
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1e400"),
            ],
            r#"{"message":"API rate limit exceeded"}"#,
        ));
        assert_eq!(h, None);
    }

    #[test]
    fn long_provider_text_is_clipped_in_the_detail() {
        let long = "x".repeat(5000);
        let body = format!(r#"{{"error":"invalid_grant","error_description":"{long}"}}"#);
        let d = token_err(Google, Grant::RefreshToken, 400, &body);
        assert!(d.detail.len() < 400, "{} chars", d.detail.len());
        assert!(d.detail.ends_with("…\""));
    }

    #[test]
    fn form_decoding_keeps_broken_escapes_literally() {
        assert_eq!(
            form_decode("a=%zz&b=%4&c=%e2%82%ac&d=x+y&e"),
            vec![
                ("a".to_string(), "%zz".to_string()),
                ("b".to_string(), "%4".to_string()),
                ("c".to_string(), "€".to_string()),
                ("d".to_string(), "x y".to_string()),
                ("e".to_string(), String::new()),
            ]
        );
        assert_eq!(form_decode("a=%"), vec![("a".to_string(), "%".to_string())]);
        assert_eq!(
            form_decode("a=%ff"),
            vec![("a".to_string(), "\u{fffd}".to_string())]
        );
    }

    /// A tiny deterministic generator, so the no-panic test needs no extra crate.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
    }

    #[test]
    fn no_input_makes_the_classifier_panic() {
        let fragments: &[&[u8]] = &[
            b"",
            b"{",
            b"[",
            b"]",
            b"}",
            b"\"",
            b"{\"ok\":false,\"error\":",
            b"{\"error\":{\"details\":[{\"reason\":1}],\"errors\":\"x\"}}",
            b"[{\"errorCode\":null}]",
            b"error=&error_description=%",
            b"access_token=%ff%fe",
            b"\xff\xfe\x00",
            b"\xe2\x82",
            b"99999999999999999999999999999999999999",
            b"-1e999",
            b"<html>",
            b"\xf0\x9f\x92\xa9",
            b"null",
            b"true",
        ];
        let header_values = [
            "",
            "0",
            "-1",
            "18446744073709551616",
            "9223372036854775807",
            "-9223372036854775808",
            "Wed, 31 Feb 9999 23:59:60 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT",
            ", , ,",
            "scope=",
            "\u{fffd}\u{1F4A9}",
        ];
        let header_names = [
            "retry-after",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "x-oauth-scopes",
            "x-accepted-oauth-scopes",
            "www-authenticate",
            "content-type",
        ];
        let statuses = [
            0,
            100,
            200,
            204,
            301,
            304,
            400,
            401,
            403,
            404,
            429,
            500,
            599,
            600,
            999,
            u16::MAX,
        ];
        let mut rng = Lcg(7);
        let nested = "[".repeat(10_000);
        for round in 0..4000 {
            let mut body = Vec::new();
            for _ in 0..rng.next() % 6 {
                body.extend_from_slice(fragments[(rng.next() as usize) % fragments.len()]);
            }
            if round % 500 == 0 {
                body.extend_from_slice(nested.as_bytes());
            }
            let mut hdrs = Vec::new();
            for _ in 0..rng.next() % 4 {
                hdrs.push((
                    header_names[(rng.next() as usize) % header_names.len()].to_string(),
                    header_values[(rng.next() as usize) % header_values.len()].to_string(),
                ));
            }
            let resp = ResponseView {
                status: statuses[(rng.next() as usize) % statuses.len()],
                headers: &hdrs,
                body: &body,
            };
            let provider = ProviderKind::ALL[(rng.next() as usize) % 4];
            let now = [i64::MIN, -1, 0, NOW, i64::MAX][(rng.next() as usize) % 5];
            let _ = classify_api_response(provider, &resp, now);
            let _ = classify_token_response(provider, Grant::AuthorizationCode, &resp);
            let _ = classify_token_response(provider, Grant::RefreshToken, &resp);
            let text = String::from_utf8_lossy(&body);
            let _ = classify_authorize_error(provider, &text, Some(&text));
        }
    }
}
