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
const QUOTE_LIMIT: usize = 200;

/// GitHub's advice when a secondary limit gives no retry time.
const GITHUB_SECONDARY_FALLBACK: Duration = Duration::from_secs(60);

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
    match provider {
        ProviderKind::Github => github_api(resp, now_epoch_secs),
        ProviderKind::Slack => slack_api(resp, now_epoch_secs),
        ProviderKind::Google => google_api(resp, now_epoch_secs),
        ProviderKind::Salesforce => salesforce_api(resp, now_epoch_secs),
    }
}

fn github_api(resp: &ResponseView<'_>, now: i64) -> ApiOutcome {
    let p = ProviderKind::Github;
    if is_success(resp.status) {
        return json_success(p, resp);
    }
    let Some(body) = parse_json(resp.body).and_then(|v| v.as_object().cloned()) else {
        return ApiOutcome::Failed(malformed(
            p,
            resp,
            "a JSON object {\"message\", \"documentation_url\"}",
        ));
    };
    let message = str_field(&body, "message").unwrap_or("");
    let said = github_said(resp.status, message);

    if resp.status == 401 {
        return ApiOutcome::Failed(Diagnosis::new(DiagnosisKind::TokenRevoked, said));
    }

    if matches!(resp.status, 403 | 429) {
        let remaining = resp
            .header("x-ratelimit-remaining")
            .and_then(|v| v.trim().parse::<u64>().ok());
        let resource = resp
            .header("x-ratelimit-resource")
            .map(|r| format!(", resource {}", r.trim()))
            .unwrap_or_default();

        // Secondary limits are told apart by their message only; the primary
        // counters may still show plenty of requests left.
        if message
            .to_ascii_lowercase()
            .contains("secondary rate limit")
        {
            // The reset header describes the primary window, so it only
            // applies when that window is exhausted too (GitHub's advice).
            let reset = if remaining.is_none_or(|r| r == 0) {
                reset_hint(resp, now)
            } else {
                None
            };
            let hint = retry_after_hint(resp, now)
                .or(reset)
                .unwrap_or_else(|| RetryHint {
                    delay: GITHUB_SECONDARY_FALLBACK,
                    reason: "GitHub's advice for a secondary limit without retry-after: wait at least a minute".into(),
                });
            return rate_limited(format!("{said} (secondary rate limit)"), Some(hint));
        }
        if remaining == Some(0) {
            let hint = retry_after_hint(resp, now).or_else(|| reset_hint(resp, now));
            return rate_limited(format!("{said} (x-ratelimit-remaining: 0{resource})"), hint);
        }
        if resp.status == 429 || message.to_ascii_lowercase().contains("rate limit") {
            let hint = retry_after_hint(resp, now).or_else(|| reset_hint(resp, now));
            return rate_limited(said, hint);
        }
    }

    if matches!(resp.status, 403 | 404) {
        let accepted = scope_list(resp.header("x-accepted-oauth-scopes").unwrap_or(""));
        let granted = scope_list(resp.header("x-oauth-scopes").unwrap_or(""));
        if !accepted.is_empty() && !accepted.iter().any(|s| granted.contains(s)) {
            return ApiOutcome::Failed(Diagnosis::new(
                DiagnosisKind::InsufficientScopes,
                format!(
                    "{said}: the endpoint accepts scopes [{}] but the token has [{}]",
                    accepted.join(", "),
                    granted.join(", ")
                ),
            ));
        }
    }
    if resp.status == 403
        && message
            .to_ascii_lowercase()
            .contains("resource not accessible by integration")
    {
        let needed = resp
            .header("x-accepted-github-permissions")
            .map(|p| format!(" (X-Accepted-GitHub-Permissions: {})", p.trim()))
            .unwrap_or_default();
        return ApiOutcome::Failed(Diagnosis::new(
            DiagnosisKind::InsufficientScopes,
            format!("{said}{needed}"),
        ));
    }
    if resp.status == 404 {
        return ApiOutcome::Failed(Diagnosis::new(DiagnosisKind::ResourceNotFound, said));
    }
    ApiOutcome::Failed(Diagnosis::new(DiagnosisKind::InvalidRequest, said))
}

fn github_said(status: u16, message: &str) -> String {
    if message.is_empty() {
        format!("GitHub answered HTTP {status} without a message")
    } else {
        format!(
            "GitHub answered HTTP {status} with message {}",
            quote(message)
        )
    }
}

fn slack_api(resp: &ResponseView<'_>, now: i64) -> ApiOutcome {
    let p = ProviderKind::Slack;
    let envelope = slack_envelope(resp.body);

    // 429 is the one failure Slack signals with the status; the body is a
    // courtesy, so a missing or odd one must not hide the rate limit.
    if resp.status == 429 {
        let said = match &envelope {
            Some(SlackEnvelope::Failed { error, .. }) => {
                format!("Slack answered HTTP 429 with error={error}")
            }
            _ => "Slack answered HTTP 429".to_string(),
        };
        return rate_limited(said, retry_after_hint(resp, now));
    }

    match envelope {
        Some(SlackEnvelope::Ok(_)) if is_success(resp.status) => ApiOutcome::Ok,
        Some(SlackEnvelope::Failed { error, body }) => {
            let diagnosis = slack_error(resp.status, &error, &body, None);
            match diagnosis.kind {
                DiagnosisKind::RateLimited => {
                    rate_limited(diagnosis.detail, retry_after_hint(resp, now))
                }
                DiagnosisKind::ProviderUnavailable => ApiOutcome::Unavailable(diagnosis),
                _ => ApiOutcome::Failed(diagnosis),
            }
        }
        _ => ApiOutcome::Failed(malformed(
            p,
            resp,
            "a JSON object {\"ok\": true|false, \"error\"}",
        )),
    }
}

fn google_api(resp: &ResponseView<'_>, now: i64) -> ApiOutcome {
    let p = ProviderKind::Google;
    if is_success(resp.status) {
        let empty_204 = resp.status == 204 && is_blank(resp.body);
        return if empty_204 || matches!(parse_json(resp.body), Some(Value::Object(_))) {
            ApiOutcome::Ok
        } else {
            ApiOutcome::Failed(malformed(p, resp, "a JSON object"))
        };
    }
    let Some(err) = google_error(resp.body) else {
        if resp.status == 429 {
            return rate_limited(
                "Google answered HTTP 429".to_string(),
                retry_after_hint(resp, now),
            );
        }
        return ApiOutcome::Failed(malformed(
            p,
            resp,
            "a JSON object {\"error\": {\"code\", \"message\", \"status\", \"details\"}}",
        ));
    };
    let said = err.describe(resp.status);

    let rate_reasons = [
        "rateLimitExceeded",
        "userRateLimitExceeded",
        "RATE_LIMIT_EXCEEDED",
        "quotaExceeded",
    ];
    if resp.status == 429 || (resp.status == 403 && err.has_reason(&rate_reasons)) {
        return rate_limited(said, retry_after_hint(resp, now));
    }
    if resp.status == 401 {
        let kind = if err.has_reason(&["ACCESS_TOKEN_EXPIRED"]) {
            DiagnosisKind::TokenExpired
        } else {
            DiagnosisKind::TokenRevoked
        };
        return ApiOutcome::Failed(Diagnosis::new(kind, said));
    }
    if resp.status == 403
        && err.has_reason(&["ACCESS_TOKEN_SCOPE_INSUFFICIENT", "insufficientPermissions"])
    {
        let needed = resp
            .header("www-authenticate")
            .and_then(|h| auth_param(h, "scope"))
            .map(|s| format!(" (needs scope {})", quote(&s)))
            .unwrap_or_default();
        return ApiOutcome::Failed(Diagnosis::new(
            DiagnosisKind::InsufficientScopes,
            format!("{said}{needed}"),
        ));
    }
    if resp.status == 404 {
        return ApiOutcome::Failed(Diagnosis::new(DiagnosisKind::ResourceNotFound, said));
    }
    ApiOutcome::Failed(Diagnosis::new(DiagnosisKind::InvalidRequest, said))
}

fn salesforce_api(resp: &ResponseView<'_>, now: i64) -> ApiOutcome {
    let p = ProviderKind::Salesforce;
    if is_success(resp.status) {
        return json_success(p, resp);
    }
    // The identity service (`/id/...`, `/services/oauth2/userinfo`) answers a
    // dead or revoked token with 403 and a bare `Bad_OAuth_Token`.
    if resp.status == 403 && String::from_utf8_lossy(resp.body).trim() == "Bad_OAuth_Token" {
        return ApiOutcome::Failed(Diagnosis::new(
            DiagnosisKind::TokenExpired,
            "Salesforce's identity service answered HTTP 403 Bad_OAuth_Token".to_string(),
        ));
    }
    let Some(first) = salesforce_errors(resp.body) else {
        return ApiOutcome::Failed(malformed(
            p,
            resp,
            "a JSON array [{\"message\", \"errorCode\"}]",
        ));
    };
    let said = format!(
        "Salesforce answered HTTP {} with errorCode={}: {}",
        resp.status,
        first.code,
        quote(&first.message)
    );
    match first.code.as_str() {
        "REQUEST_LIMIT_EXCEEDED" => {
            // No retry time exists: the daily pool refills over a rolling
            // 24 h, so the usage header is the most useful thing to show.
            let usage = resp
                .header("sforce-limit-info")
                .map(|u| format!(" (Sforce-Limit-Info: {})", u.trim()))
                .unwrap_or_default();
            rate_limited(format!("{said}{usage}"), None)
        }
        "INVALID_SESSION_ID" => {
            // The same code covers a dead session and a live one that lacks
            // the `api` scope; only the message tells them apart.
            let kind = if first
                .message
                .to_ascii_lowercase()
                .contains("not valid for use with the rest api")
            {
                DiagnosisKind::InsufficientScopes
            } else {
                DiagnosisKind::TokenExpired
            };
            ApiOutcome::Failed(Diagnosis::new(kind, said))
        }
        _ if resp.status == 401 => {
            ApiOutcome::Failed(Diagnosis::new(DiagnosisKind::TokenRevoked, said))
        }
        _ if resp.status == 429 => rate_limited(said, retry_after_hint(resp, now)),
        _ if resp.status == 404 => {
            ApiOutcome::Failed(Diagnosis::new(DiagnosisKind::ResourceNotFound, said))
        }
        _ => ApiOutcome::Failed(Diagnosis::new(DiagnosisKind::InvalidRequest, said)),
    }
}

struct SalesforceError {
    code: String,
    message: String,
}

/// The first entry of Salesforce's error array; `None` when the body is not
/// a non-empty array of `{message, errorCode}` objects.
fn salesforce_errors(body: &[u8]) -> Option<SalesforceError> {
    let Value::Array(items) = parse_json(body)? else {
        return None;
    };
    let first = items.first()?.as_object()?;
    Some(SalesforceError {
        code: str_field(first, "errorCode")?.to_string(),
        message: str_field(first, "message").unwrap_or("").to_string(),
    })
}

/// A 2xx from a JSON API: any JSON value is fine, an empty 204 too.
fn json_success(provider: ProviderKind, resp: &ResponseView<'_>) -> ApiOutcome {
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

/// Google's error body, from either envelope: the AIP-193 one
/// (`status` + `details[].reason`), the legacy one (`errors[].reason`), or
/// the OAuth-style `{error, error_description}` some identity endpoints use.
struct GoogleError {
    status: Option<String>,
    message: String,
    reasons: Vec<String>,
}

impl GoogleError {
    fn has_reason(&self, wanted: &[&str]) -> bool {
        self.reasons.iter().any(|r| wanted.contains(&r.as_str()))
    }

    fn describe(&self, http: u16) -> String {
        let mut out = format!("Google answered HTTP {http}");
        let mut parts = Vec::new();
        if let Some(status) = &self.status {
            parts.push(format!("status={status}"));
        }
        if !self.reasons.is_empty() {
            parts.push(format!("reason={}", self.reasons.join(",")));
        }
        if !parts.is_empty() {
            out.push_str(" with ");
            out.push_str(&parts.join(", "));
        }
        if !self.message.is_empty() {
            out.push_str(": ");
            out.push_str(&quote(&self.message));
        }
        out
    }
}

fn google_error(body: &[u8]) -> Option<GoogleError> {
    let root = parse_json(body)?;
    let root = root.as_object()?;
    match root.get("error")? {
        Value::Object(err) => {
            let mut reasons = Vec::new();
            for list in ["details", "errors"] {
                if let Some(Value::Array(items)) = err.get(list) {
                    for item in items {
                        if let Some(reason) = item.as_object().and_then(|o| str_field(o, "reason"))
                            && !reasons.iter().any(|r| r == reason)
                        {
                            reasons.push(reason.to_string());
                        }
                    }
                }
            }
            Some(GoogleError {
                status: str_field(err, "status").map(str::to_string),
                message: str_field(err, "message").unwrap_or("").to_string(),
                reasons,
            })
        }
        Value::String(code) => Some(GoogleError {
            status: Some(code.clone()),
            message: str_field(root, "error_description")
                .unwrap_or("")
                .to_string(),
            reasons: Vec::new(),
        }),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Slack's envelope (Web API and oauth.v2.access alike)
// ---------------------------------------------------------------------------

enum SlackEnvelope {
    Ok(Map<String, Value>),
    Failed {
        error: String,
        body: Map<String, Value>,
    },
}

fn slack_envelope(body: &[u8]) -> Option<SlackEnvelope> {
    let Value::Object(obj) = parse_json(body)? else {
        return None;
    };
    match obj.get("ok") {
        Some(Value::Bool(true)) => Some(SlackEnvelope::Ok(obj)),
        Some(Value::Bool(false)) => {
            let error = str_field(&obj, "error").unwrap_or("").to_string();
            Some(SlackEnvelope::Failed { error, body: obj })
        }
        // A refresh failure has been reported as a bare OAuth-style
        // `{error: "invalid_grant"}` without `ok` (unverified); the error
        // code is still unambiguous, so read it rather than call it malformed.
        None => {
            let error = str_field(&obj, "error")?.to_string();
            Some(SlackEnvelope::Failed { error, body: obj })
        }
        Some(_) => None,
    }
}

/// One table for every Slack error code; the Web API and `oauth.v2.access`
/// share the envelope and the codes.
fn slack_error(
    status: u16,
    error: &str,
    body: &Map<String, Value>,
    grant: Option<Grant>,
) -> Diagnosis {
    use DiagnosisKind as K;
    let said = if error.is_empty() {
        format!("Slack answered HTTP {status} with ok:false and no error code")
    } else {
        format!("Slack answered HTTP {status} with error={error}")
    };
    let kind = match error {
        "invalid_code" | "code_already_used" => K::CodeExpiredOrReused,
        "bad_redirect_uri" => K::RedirectUriMismatch,
        "invalid_client_id" | "bad_client_secret" => K::InvalidClient,
        "invalid_refresh_token" => K::RefreshFailed,
        "invalid_grant" if grant == Some(Grant::RefreshToken) => K::RefreshFailed,
        "invalid_grant" => K::CodeExpiredOrReused,
        "invalid_auth" | "not_authed" | "account_inactive" | "token_revoked" => K::TokenRevoked,
        "token_expired" => K::TokenExpired,
        "missing_scope" => {
            let needed = str_field(body, "needed").unwrap_or("?");
            let provided = str_field(body, "provided").unwrap_or("");
            return Diagnosis::new(
                K::InsufficientScopes,
                format!(
                    "{said}: needs {} but the token has {}",
                    quote(needed),
                    quote(provided)
                ),
            );
        }
        "invalid_scope" | "unapproved_scope" | "scope_not_allowed_on_enterprise" => K::InvalidScope,
        "ratelimited" | "rate_limited" => K::RateLimited,
        "unknown_method" => K::SdkVersionMismatch,
        "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
            K::ProviderUnavailable
        }
        _ => K::InvalidRequest,
    };
    Diagnosis::new(kind, said)
}

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
    match provider {
        ProviderKind::Slack => slack_token(grant, resp),
        _ => oauth_token(provider, grant, resp),
    }
}

fn slack_token(grant: Grant, resp: &ResponseView<'_>) -> Result<(), Diagnosis> {
    match slack_envelope(resp.body) {
        Some(SlackEnvelope::Ok(body)) if is_success(resp.status) => {
            // A user-only install puts the token under `authed_user`.
            let issued = non_empty(str_field(&body, "access_token")).is_some()
                || body
                    .get("authed_user")
                    .and_then(Value::as_object)
                    .and_then(|u| non_empty(str_field(u, "access_token")))
                    .is_some();
            if issued {
                Ok(())
            } else {
                Err(malformed(
                    ProviderKind::Slack,
                    resp,
                    "ok:true with an access_token (top level or in authed_user)",
                ))
            }
        }
        Some(SlackEnvelope::Failed { error, body }) => {
            Err(slack_error(resp.status, &error, &body, Some(grant)))
        }
        _ => Err(malformed(
            ProviderKind::Slack,
            resp,
            "a JSON object {\"ok\": true|false, \"error\"}",
        )),
    }
}

/// GitHub, Google and Salesforce speak plain RFC 6749 at the token endpoint,
/// differing only in status codes, body encodings and a few codes.
fn oauth_token(
    provider: ProviderKind,
    grant: Grant,
    resp: &ResponseView<'_>,
) -> Result<(), Diagnosis> {
    let expected = match provider {
        ProviderKind::Github => "a JSON or form-encoded body with access_token or error",
        ProviderKind::Salesforce => "a JSON (or form-encoded) body with access_token or error",
        _ => "a JSON object with access_token or error",
    };
    // GitHub answers form-encoded unless asked for JSON, and Salesforce
    // honours `format=urlencoded`; Google only speaks JSON.
    let form_allowed = matches!(provider, ProviderKind::Github | ProviderKind::Salesforce);
    let Some(fields) = token_fields(resp.body, form_allowed) else {
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
        let kind = oauth_error_kind(provider, grant, error, description);
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

fn oauth_error_kind(
    provider: ProviderKind,
    grant: Grant,
    error: &str,
    description: Option<&str>,
) -> DiagnosisKind {
    use DiagnosisKind as K;
    let mentions_redirect = description
        .map(|d| d.to_ascii_lowercase().contains("redirect"))
        .unwrap_or(false);
    match (provider, error) {
        (ProviderKind::Github, "bad_verification_code") => K::CodeExpiredOrReused,
        (ProviderKind::Github, "incorrect_client_credentials") => K::InvalidClient,
        (ProviderKind::Github, "bad_refresh_token") => K::RefreshFailed,
        (ProviderKind::Github, "unverified_user_email") => K::AccessDenied,
        (_, "invalid_grant") => match grant {
            Grant::RefreshToken => K::InvalidGrant,
            // Salesforce reports a redirect_uri that differs from the
            // authorize step as invalid_grant; only the text says so.
            Grant::AuthorizationCode
                if provider == ProviderKind::Salesforce && mentions_redirect =>
            {
                K::RedirectUriMismatch
            }
            Grant::AuthorizationCode => K::CodeExpiredOrReused,
        },
        (_, "redirect_uri_mismatch") => K::RedirectUriMismatch,
        (_, "invalid_client" | "invalid_client_id" | "unauthorized_client") => K::InvalidClient,
        (_, "invalid_scope") => K::InvalidScope,
        (_, "access_denied") => K::AccessDenied,
        _ => K::InvalidRequest,
    }
}

/// Key/value pairs of a token response: a JSON object (scalars only) or,
/// when allowed, `application/x-www-form-urlencoded`.
fn token_fields(body: &[u8], form_allowed: bool) -> Option<Vec<(String, String)>> {
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
        // Error pages that never redirect (GitHub's "not associated with this
        // application" warning, Google's "Error 400: redirect_uri_mismatch")
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

/// A provider page that ends the connect flow without redirecting: GitHub's
/// redirect warning, Google's "Error 400: redirect_uri_mismatch" page,
/// Salesforce's `error=redirect_uri_mismatch&error_description=…` page,
/// Slack's "Oops, something went wrong" page. `None` when the page is not
/// one of them (a sign-in form, an ordinary page).
pub fn classify_error_page(provider: ProviderKind, status: u16, body: &[u8]) -> Option<Diagnosis> {
    use DiagnosisKind as K;
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    let said = |what: &str| {
        format!(
            "{} stopped the flow on its own page (HTTP {status}): {}",
            provider.display_name(),
            quote(what)
        )
    };
    // Google names the error as `Error <status>: <code>`; Salesforce as a
    // query string; the others only in prose.
    let google_code = lower
        .find("error 4")
        .and_then(|i| lower[i..].split_once(": "))
        .map(|(_, rest)| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        });
    let salesforce_code = lower.find("error=").map(|i| {
        lower[i + 6..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect::<String>()
    });
    let code = match provider {
        ProviderKind::Google => google_code,
        ProviderKind::Salesforce => salesforce_code,
        ProviderKind::Github | ProviderKind::Slack => None,
    };
    let kind = match code.as_deref() {
        Some("redirect_uri_mismatch") => K::RedirectUriMismatch,
        Some("invalid_scope") => K::InvalidScope,
        Some("invalid_client" | "invalid_client_id") => K::InvalidClient,
        Some("access_denied" | "access-denied") => K::AccessDenied,
        Some("invalid_request" | "unsupported_response_type") => K::InvalidRequest,
        _ if lower.contains("redirect_uri is not associated")
            || lower.contains("redirect_uri did not match") =>
        {
            K::RedirectUriMismatch
        }
        _ if lower.contains("invalid client_id") => K::InvalidClient,
        _ => return None,
    };
    let excerpt = crate::common::text::visible_text(&text);
    Some(Diagnosis::new(kind, said(&excerpt)))
}

fn mentions_redirect_uri(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("redirect_uri") || t.contains("redirect uri")
}

// ---------------------------------------------------------------------------
// Retry hints
// ---------------------------------------------------------------------------

/// `Retry-After` in seconds or as an HTTP date.
fn retry_after_hint(resp: &ResponseView<'_>, now: i64) -> Option<RetryHint> {
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
fn reset_hint(resp: &ResponseView<'_>, now: i64) -> Option<RetryHint> {
    let raw = resp.header("x-ratelimit-reset")?.trim();
    let at = raw.parse::<i64>().ok()?;
    let secs = seconds_until(at, now);
    Some(RetryHint {
        delay: Duration::from_secs(secs),
        reason: format!("x-ratelimit-reset: {raw} ({secs} s from now)"),
    })
}

/// A reset in the past means "now", never a negative wait.
fn seconds_until(at: i64, now: i64) -> u64 {
    u64::try_from(at.saturating_sub(now)).unwrap_or(0)
}

/// An HTTP-date in any of the three forms RFC 9110 requires recipients to
/// read: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
fn parse_http_date(text: &str) -> Option<i64> {
    let at = httpdate::parse_http_date(text.trim()).ok()?;
    let secs = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

fn rate_limited(detail: String, hint: Option<RetryHint>) -> ApiOutcome {
    ApiOutcome::RateLimited {
        diagnosis: Diagnosis::new(DiagnosisKind::RateLimited, detail),
        hint,
    }
}

fn unavailable(provider: ProviderKind, resp: &ResponseView<'_>) -> Diagnosis {
    let mut detail = format!("{} answered HTTP {}", provider.display_name(), resp.status);
    if !is_blank(resp.body) {
        detail.push_str(": ");
        detail.push_str(&quote(&String::from_utf8_lossy(resp.body)));
    }
    Diagnosis::new(DiagnosisKind::ProviderUnavailable, detail)
}

fn malformed(provider: ProviderKind, resp: &ResponseView<'_>, expected: &str) -> Diagnosis {
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

fn is_success(status: u16) -> bool {
    (200..=299).contains(&status)
}

fn is_client_error(status: u16) -> bool {
    (400..=499).contains(&status)
}

fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

fn parse_json(body: &[u8]) -> Option<Value> {
    serde_json::from_slice(body).ok()
}

fn str_field<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    obj.get(key).and_then(Value::as_str)
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

/// GitHub scope headers: `repo, gist` (`", "`-separated, possibly empty).
fn scope_list(header: &str) -> Vec<String> {
    header
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// One `name="value"` parameter of a `WWW-Authenticate` challenge.
fn auth_param(header: &str, name: &str) -> Option<String> {
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
fn form_decode(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The provider's text in double quotes, escaped and shortened.
fn quote(text: &str) -> String {
    format!("{:?}", clip(text.trim()))
}

fn clip(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DiagnosisKind as K;
    use ProviderKind::{Github, Google, Salesforce, Slack};

    /// The virtual clock every API test runs at.
    const NOW: i64 = 1_735_689_600;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn api(provider: ProviderKind, status: u16, hdrs: &[(&str, &str)], body: &str) -> ApiOutcome {
        api_bytes(provider, status, hdrs, body.as_bytes())
    }

    fn api_bytes(
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

    fn token(
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

    fn token_err(provider: ProviderKind, grant: Grant, status: u16, body: &str) -> Diagnosis {
        token(provider, grant, status, &[], body).expect_err("the token endpoint refused")
    }

    fn failed(outcome: ApiOutcome) -> Diagnosis {
        match outcome {
            ApiOutcome::Failed(d) => d,
            other => panic!("expected Failed, got {other:?}"),
        }
    }

    fn limited(outcome: ApiOutcome) -> (Diagnosis, Option<RetryHint>) {
        match outcome {
            ApiOutcome::RateLimited { diagnosis, hint } => {
                assert_eq!(diagnosis.kind, K::RateLimited);
                (diagnosis, hint)
            }
            other => panic!("expected RateLimited, got {other:?}"),
        }
    }

    fn hint(secs: u64, reason: &str) -> Option<RetryHint> {
        Some(RetryHint {
            delay: Duration::from_secs(secs),
            reason: reason.to_string(),
        })
    }

    const GH_JSON: (&str, &str) = ("Content-Type", "application/json; charset=utf-8");

    // -- GitHub: authorize and token endpoint -----------

    #[test]
    fn github_authorize_redirect_uri_mismatch_is_redirect_uri_mismatch() {
        let d = classify_authorize_error(
            Github,
            "redirect_uri_mismatch",
            Some("The redirect_uri MUST match the registered callback URL for this application."),
        );
        assert_eq!(d.kind, K::RedirectUriMismatch);
        assert_eq!(
            d.detail,
            "GitHub returned error=redirect_uri_mismatch from the authorize step: \
             \"The redirect_uri MUST match the registered callback URL for this application.\""
        );
    }

    #[test]
    fn github_warning_page_without_error_code_is_redirect_uri_mismatch() {
        let d = classify_authorize_error(
            Github,
            "",
            Some("The redirect_uri is not associated with this application."),
        );
        assert_eq!(d.kind, K::RedirectUriMismatch);
        assert!(
            d.detail
                .starts_with("GitHub showed an authorization error without an error code")
        );
        assert!(d.detail.contains("not associated with this application"));
    }

    #[test]
    fn github_200_redirect_uri_mismatch_at_token_endpoint_is_redirect_uri_mismatch() {
        let d = token_err(
            Github,
            Grant::AuthorizationCode,
            200,
            r#"{"error":"redirect_uri_mismatch","error_description":"The redirect_uri MUST match the registered callback URL for this application.","error_uri":"/apps/building-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#redirect-uri-mismatch2"}"#,
        );
        assert_eq!(d.kind, K::RedirectUriMismatch);
        assert!(
            d.detail
                .starts_with("GitHub answered HTTP 200 with error=redirect_uri_mismatch: ")
        );
    }

    #[test]
    fn github_access_denied_redirect_is_access_denied() {
        let d = classify_authorize_error(
            Github,
            "access_denied",
            Some("The user has denied your application access."),
        );
        assert_eq!(d.kind, K::AccessDenied);
        assert!(d.detail.contains("error=access_denied"));
        assert!(
            d.detail
                .contains("\"The user has denied your application access.\"")
        );
    }

    #[test]
    fn github_application_suspended_redirect_is_invalid_client() {
        let d = classify_authorize_error(
            Github,
            "application_suspended",
            Some("Your application has been suspended. Contact support@github.com."),
        );
        assert_eq!(d.kind, K::InvalidClient);
    }

    #[test]
    fn github_200_bad_verification_code_is_code_expired_or_reused() {
        let d = token_err(
            Github,
            Grant::AuthorizationCode,
            200,
            r#"{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired.","error_uri":"https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code"}"#,
        );
        assert_eq!(d.kind, K::CodeExpiredOrReused);
        assert_eq!(
            d.detail,
            r#"GitHub answered HTTP 200 with error=bad_verification_code: "The code passed is incorrect or expired.""#
        );
    }

    #[test]
    fn github_200_form_encoded_bad_verification_code_is_code_expired_or_reused() {
        let d = token_err(
            Github,
            Grant::AuthorizationCode,
            200,
            "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.&error_uri=https%3A%2F%2Fdocs.github.com%2Fapps%2F%23bad-verification-code",
        );
        assert_eq!(d.kind, K::CodeExpiredOrReused);
        assert_eq!(
            d.detail,
            r#"GitHub answered HTTP 200 with error=bad_verification_code: "The code passed is incorrect or expired.""#
        );
    }

    #[test]
    fn github_200_incorrect_client_credentials_is_invalid_client() {
        let d = token_err(
            Github,
            Grant::AuthorizationCode,
            200,
            r#"{"error":"incorrect_client_credentials","error_description":"The client_id and/or client_secret passed are incorrect.","error_uri":"https://docs.github.com/#incorrect-client-credentials"}"#,
        );
        assert_eq!(d.kind, K::InvalidClient);
        assert!(d.detail.contains("error=incorrect_client_credentials"));
    }

    #[test]
    fn github_200_unverified_user_email_is_access_denied() {
        let d = token_err(
            Github,
            Grant::AuthorizationCode,
            200,
            r#"{"error":"unverified_user_email","error_description":"The user must have a verified primary email.","error_uri":"https://docs.github.com/#unverified-user-email"}"#,
        );
        assert_eq!(d.kind, K::AccessDenied);
    }

    #[test]
    fn github_200_bad_refresh_token_is_refresh_failed() {
        let d = token_err(
            Github,
            Grant::RefreshToken,
            200,
            r#"{"error":"bad_refresh_token","error_description":"The refresh token passed is incorrect or expired.","error_uri":"https://docs.github.com/"}"#,
        );
        assert_eq!(d.kind, K::RefreshFailed);
        assert!(
            d.detail
                .contains("\"The refresh token passed is incorrect or expired.\"")
        );
    }

    #[test]
    fn github_form_encoded_bad_refresh_token_is_refresh_failed() {
        let d = token_err(
            Github,
            Grant::RefreshToken,
            200,
            "error=bad_refresh_token&error_description=The+refresh+token+passed+is+incorrect+or+expired.",
        );
        assert_eq!(d.kind, K::RefreshFailed);
    }

    #[test]
    fn github_invalid_scope_on_authorize_is_invalid_scope() {
        // GitHub documents no such error; the mock may still send one.
        let d = classify_authorize_error(Github, "invalid_scope", None);
        assert_eq!(d.kind, K::InvalidScope);
        assert_eq!(
            d.detail,
            "GitHub returned error=invalid_scope from the authorize step"
        );
    }

    #[test]
    fn github_form_encoded_token_is_issued() {
        let r = token(
            Github,
            Grant::AuthorizationCode,
            200,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo%2Cgist&token_type=bearer",
        );
        assert_eq!(r, Ok(()));
    }

    #[test]
    fn github_json_expiring_token_is_issued() {
        let r = token(
            Github,
            Grant::RefreshToken,
            200,
            &[GH_JSON],
            r#"{"access_token":"ghu_abc","expires_in":28800,"refresh_token":"ghr_def","refresh_token_expires_in":15811200,"scope":"","token_type":"bearer"}"#,
        );
        assert_eq!(r, Ok(()));
    }

    #[test]
    fn github_html_from_the_token_endpoint_is_malformed_response() {
        let d = token_err(
            Github,
            Grant::AuthorizationCode,
            200,
            "<!DOCTYPE html><html><body>Sign in to GitHub &middot; access_token=x</body></html>",
        );
        assert_eq!(d.kind, K::MalformedResponse);
        assert!(d.detail.contains("expected a JSON or form-encoded body"));
    }

    #[test]
    fn github_xml_token_answer_is_malformed_response() {
        let d = token_err(
            Github,
            Grant::AuthorizationCode,
            200,
            "<OAuth><error>bad_verification_code</error></OAuth>",
        );
        assert_eq!(d.kind, K::MalformedResponse);
    }

    #[test]
    fn github_token_answer_with_neither_token_nor_error_is_malformed_response() {
        let d = token_err(Github, Grant::AuthorizationCode, 200, r#"{"scope":"repo"}"#);
        assert_eq!(d.kind, K::MalformedResponse);
    }

    // -- GitHub: API -----------------------------

    #[test]
    fn github_401_bad_credentials_is_token_revoked() {
        let d = failed(api(
            Github,
            401,
            &[
                GH_JSON,
                ("x-ratelimit-limit", "60"),
                ("x-ratelimit-remaining", "59"),
                ("x-github-request-id", "C0DE:1234"),
            ],
            r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}"#,
        ));
        assert_eq!(d.kind, K::TokenRevoked);
        assert_eq!(
            d.detail,
            r#"GitHub answered HTTP 401 with message "Bad credentials""#
        );
    }

    #[test]
    fn github_401_without_status_field_is_token_revoked() {
        let d = failed(api(
            Github,
            401,
            &[GH_JSON],
            r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#,
        ));
        assert_eq!(d.kind, K::TokenRevoked);
    }

    #[test]
    fn github_403_primary_rate_limit_waits_until_x_ratelimit_reset() {
        let (d, h) = limited(api(
            Github,
            403,
            &[
                GH_JSON,
                ("x-ratelimit-limit", "5000"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-used", "5000"),
                ("x-ratelimit-reset", "1735689630"),
                ("x-ratelimit-resource", "core"),
            ],
            r#"{"message":"API rate limit exceeded for user ID 123.","documentation_url":"https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"}"#,
        ));
        assert_eq!(h, hint(30, "x-ratelimit-reset: 1735689630 (30 s from now)"));
        assert!(
            d.detail
                .contains("\"API rate limit exceeded for user ID 123.\"")
        );
        assert!(d.detail.contains("x-ratelimit-remaining: 0, resource core"));
    }

    #[test]
    fn github_429_primary_rate_limit_waits_until_x_ratelimit_reset() {
        let (_, h) = limited(api(
            Github,
            429,
            &[
                ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Reset", "1735689700"),
            ],
            r#"{"message":"API rate limit exceeded for 203.0.113.7. (But here's the good news: Authenticated requests get a higher rate limit.)","documentation_url":"https://docs.github.com/rest"}"#,
        ));
        assert_eq!(
            h,
            hint(100, "x-ratelimit-reset: 1735689700 (100 s from now)")
        );
    }

    #[test]
    fn github_primary_rate_limit_prefers_retry_after_over_reset() {
        let (_, h) = limited(api(
            Github,
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1735689630"),
                ("retry-after", "2"),
            ],
            r#"{"message":"API rate limit exceeded for user ID 123."}"#,
        ));
        assert_eq!(h, hint(2, "Retry-After: 2"));
    }

    #[test]
    fn github_rate_limit_reset_in_the_past_means_retry_now() {
        let (_, h) = limited(api(
            Github,
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1735689000"),
            ],
            r#"{"message":"API rate limit exceeded for user ID 123."}"#,
        ));
        assert_eq!(h, hint(0, "x-ratelimit-reset: 1735689000 (0 s from now)"));
    }

    #[test]
    fn github_403_secondary_rate_limit_without_retry_after_waits_one_minute() {
        let (d, h) = limited(api(
            Github,
            403,
            &[
                GH_JSON,
                ("x-ratelimit-remaining", "4321"),
                ("x-ratelimit-reset", "1735692000"),
            ],
            r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0A1B:2C3D:4E5F.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}"#,
        ));
        assert_eq!(
            h,
            hint(
                60,
                "GitHub's advice for a secondary limit without retry-after: wait at least a minute"
            )
        );
        assert!(d.detail.contains("secondary rate limit"));
    }

    #[test]
    fn github_403_secondary_rate_limit_honours_retry_after() {
        let (_, h) = limited(api(
            Github,
            403,
            &[
                ("retry-after", "45"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1735689630"),
            ],
            r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#,
        ));
        assert_eq!(h, hint(45, "Retry-After: 45"));
    }

    #[test]
    fn github_429_secondary_rate_limit_falls_back_to_reset_when_primary_is_exhausted() {
        let (_, h) = limited(api(
            Github,
            429,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1735689690"),
            ],
            r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#,
        ));
        assert_eq!(h, hint(90, "x-ratelimit-reset: 1735689690 (90 s from now)"));
    }

    #[test]
    fn github_403_with_none_of_the_accepted_scopes_is_insufficient_scopes() {
        let d = failed(api(
            Github,
            403,
            &[
                GH_JSON,
                ("X-OAuth-Scopes", "gist, user"),
                ("X-Accepted-OAuth-Scopes", "repo"),
                ("x-ratelimit-remaining", "4999"),
            ],
            r#"{"message":"Must have admin rights to Repository.","documentation_url":"https://docs.github.com/rest"}"#,
        ));
        assert_eq!(d.kind, K::InsufficientScopes);
        assert!(d.detail.contains("accepts scopes [repo]"), "{}", d.detail);
        assert!(d.detail.contains("token has [gist, user]"), "{}", d.detail);
    }

    #[test]
    fn github_404_with_none_of_the_accepted_scopes_is_insufficient_scopes() {
        let d = failed(api(
            Github,
            404,
            &[
                ("x-oauth-scopes", ""),
                ("x-accepted-oauth-scopes", "repo, public_repo"),
            ],
            r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest/repos/repos#get-a-repository","status":"404"}"#,
        ));
        assert_eq!(d.kind, K::InsufficientScopes);
        assert!(d.detail.contains("[repo, public_repo]"));
        assert!(d.detail.contains("token has []"));
    }

    #[test]
    fn github_404_when_the_token_has_an_accepted_scope_is_not_found_not_a_scope_problem() {
        let d = failed(api(
            Github,
            404,
            &[
                ("x-oauth-scopes", "repo, gist"),
                ("x-accepted-oauth-scopes", "repo"),
            ],
            r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"#,
        ));
        assert_eq!(d.kind, K::ResourceNotFound);
    }

    #[test]
    fn github_403_resource_not_accessible_by_integration_is_insufficient_scopes() {
        let d = failed(api(
            Github,
            403,
            &[("X-Accepted-GitHub-Permissions", "contents=read")],
            r#"{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest"}"#,
        ));
        assert_eq!(d.kind, K::InsufficientScopes);
        assert!(
            d.detail
                .contains("X-Accepted-GitHub-Permissions: contents=read")
        );
    }

    #[test]
    fn github_200_json_is_ok() {
        let outcome = api(
            Github,
            200,
            &[GH_JSON],
            r#"{"login":"octocat","id":1,"type":"User","site_admin":false}"#,
        );
        assert_eq!(outcome, ApiOutcome::Ok);
        assert_eq!(api(Github, 200, &[], "[]"), ApiOutcome::Ok);
        assert_eq!(api(Github, 204, &[], ""), ApiOutcome::Ok);
    }

    #[test]
    fn github_200_html_is_malformed_response() {
        let d = failed(api(
            Github,
            200,
            &[("Content-Type", "text/html")],
            "<html><body>Captive portal</body></html>",
        ));
        assert_eq!(d.kind, K::MalformedResponse);
        assert!(
            d.detail
                .starts_with("GitHub answered HTTP 200 (text/html) with \"<html>")
        );
        assert!(d.detail.ends_with("expected a JSON body"));
    }

    #[test]
    fn github_401_with_an_html_body_is_malformed_response() {
        let d = failed(api(Github, 401, &[], "Unauthorized"));
        assert_eq!(d.kind, K::MalformedResponse);
        assert!(d.detail.contains("expected a JSON object"));
    }

    // -- Slack --------------------------------------------

    #[test]
    fn slack_200_invalid_code_is_code_expired_or_reused() {
        let d = token_err(
            Slack,
            Grant::AuthorizationCode,
            200,
            r#"{"ok":false,"error":"invalid_code"}"#,
        );
        assert_eq!(d.kind, K::CodeExpiredOrReused);
        assert_eq!(d.detail, "Slack answered HTTP 200 with error=invalid_code");
    }

    #[test]
    fn slack_200_code_already_used_is_code_expired_or_reused() {
        let d = token_err(
            Slack,
            Grant::AuthorizationCode,
            200,
            r#"{"ok":false,"error":"code_already_used"}"#,
        );
        assert_eq!(d.kind, K::CodeExpiredOrReused);
    }

    #[test]
    fn slack_200_bad_redirect_uri_is_redirect_uri_mismatch() {
        let d = token_err(
            Slack,
            Grant::AuthorizationCode,
            200,
            r#"{"ok":false,"error":"bad_redirect_uri"}"#,
        );
        assert_eq!(d.kind, K::RedirectUriMismatch);
    }

    #[test]
    fn slack_200_invalid_client_id_is_invalid_client() {
        let d = token_err(
            Slack,
            Grant::AuthorizationCode,
            200,
            r#"{"ok":false,"error":"invalid_client_id"}"#,
        );
        assert_eq!(d.kind, K::InvalidClient);
    }

    #[test]
    fn slack_200_bad_client_secret_is_invalid_client() {
        let d = token_err(
            Slack,
            Grant::AuthorizationCode,
            200,
            r#"{"ok":false,"error":"bad_client_secret"}"#,
        );
        assert_eq!(d.kind, K::InvalidClient);
    }

    #[test]
    fn slack_200_invalid_refresh_token_is_refresh_failed() {
        let d = token_err(
            Slack,
            Grant::RefreshToken,
            200,
            r#"{"ok":false,"error":"invalid_refresh_token"}"#,
        );
        assert_eq!(d.kind, K::RefreshFailed);
    }

    #[test]
    fn slack_400_bare_invalid_grant_on_refresh_is_refresh_failed() {
        // The unverified report of Slack answering refreshes OAuth-style.
        let d = token_err(
            Slack,
            Grant::RefreshToken,
            400,
            r#"{"error":"invalid_grant"}"#,
        );
        assert_eq!(d.kind, K::RefreshFailed);
    }

    #[test]
    fn slack_200_invalid_grant_type_and_authorization_url_mismatch_are_invalid_request() {
        for code in ["invalid_grant_type", "oauth_authorization_url_mismatch"] {
            let body = format!(r#"{{"ok":false,"error":"{code}"}}"#);
            let d = token_err(Slack, Grant::AuthorizationCode, 200, &body);
            assert_eq!(d.kind, K::InvalidRequest, "{code}");
            assert!(d.detail.contains(code));
        }
    }

    #[test]
    fn slack_authorize_scope_errors_are_invalid_scope() {
        for code in [
            "invalid_scope",
            "unapproved_scope",
            "scope_not_allowed_on_enterprise",
        ] {
            assert_eq!(
                classify_authorize_error(Slack, code, None).kind,
                K::InvalidScope,
                "{code}"
            );
        }
        let d = classify_authorize_error(Slack, "invalid_team_for_non_distributed_app", None);
        assert_eq!(d.kind, K::InvalidRequest);
    }

    #[test]
    fn slack_200_invalid_scope_from_the_web_api_is_invalid_scope() {
        let d = failed(api(
            Slack,
            200,
            &[],
            r#"{"ok":false,"error":"invalid_scope"}"#,
        ));
        assert_eq!(d.kind, K::InvalidScope);
    }

    #[test]
    fn slack_access_denied_redirect_is_access_denied() {
        let d = classify_authorize_error(Slack, "access_denied", None);
        assert_eq!(d.kind, K::AccessDenied);
        assert_eq!(
            d.detail,
            "Slack returned error=access_denied from the authorize step"
        );
    }

    #[test]
    fn slack_200_invalid_auth_and_its_siblings_are_token_revoked() {
        for code in [
            "invalid_auth",
            "not_authed",
            "account_inactive",
            "token_revoked",
        ] {
            let body = format!(r#"{{"ok":false,"error":"{code}"}}"#);
            let d = failed(api(Slack, 200, &[], &body));
            assert_eq!(d.kind, K::TokenRevoked, "{code}");
            assert_eq!(
                d.detail,
                format!("Slack answered HTTP 200 with error={code}")
            );
        }
    }

    #[test]
    fn slack_200_token_expired_is_token_expired() {
        let d = failed(api(
            Slack,
            200,
            &[],
            r#"{"ok":false,"error":"token_expired"}"#,
        ));
        assert_eq!(d.kind, K::TokenExpired);
    }

    #[test]
    fn slack_200_missing_scope_is_insufficient_scopes_naming_needed_and_provided() {
        let d = failed(api(
            Slack,
            200,
            &[("x-oauth-scopes", "chat:write,commands")],
            r#"{"ok":false,"error":"missing_scope","needed":"channels:read","provided":"chat:write,commands"}"#,
        ));
        assert_eq!(d.kind, K::InsufficientScopes);
        assert_eq!(
            d.detail,
            r#"Slack answered HTTP 200 with error=missing_scope: needs "channels:read" but the token has "chat:write,commands""#
        );
    }

    #[test]
    fn slack_429_ratelimited_waits_retry_after_seconds() {
        let (d, h) = limited(api(
            Slack,
            429,
            &[("Retry-After", "30")],
            r#"{"ok":false,"error":"ratelimited"}"#,
        ));
        assert_eq!(h, hint(30, "Retry-After: 30"));
        assert_eq!(d.detail, "Slack answered HTTP 429 with error=ratelimited");
    }

    #[test]
    fn slack_429_without_a_body_is_still_rate_limited() {
        let (_, h) = limited(api(Slack, 429, &[("retry-after", "1")], ""));
        assert_eq!(h, hint(1, "Retry-After: 1"));
    }

    #[test]
    fn slack_200_ok_true_is_ok() {
        let outcome = api(
            Slack,
            200,
            &[],
            r#"{"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"grace","team_id":"T12345678","user_id":"W12345678"}"#,
        );
        assert_eq!(outcome, ApiOutcome::Ok);
    }

    #[test]
    fn slack_oauth_v2_access_with_a_bot_or_user_token_is_issued() {
        let bot = r#"{"ok":true,"access_token":"xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy","token_type":"bot","scope":"commands,incoming-webhook","bot_user_id":"U0KRQLJ9H","app_id":"A0KRD7HC3","team":{"id":"T9TK3CUKW","name":"Slack Softball Team"},"enterprise":null,"is_enterprise_install":false,"authed_user":{"id":"U1234","scope":"chat:write","access_token":"xoxp-1234","token_type":"user"}}"#;
        assert_eq!(
            token(Slack, Grant::AuthorizationCode, 200, &[], bot),
            Ok(())
        );
        let user_only = r#"{"ok":true,"app_id":"A0KRD7HC3","authed_user":{"id":"U1234","scope":"chat:write","access_token":"xoxp-1234","token_type":"user"},"team":{"id":"T9TK3CUKW"}}"#;
        assert_eq!(
            token(Slack, Grant::AuthorizationCode, 200, &[], user_only),
            Ok(())
        );
    }

    #[test]
    fn slack_ok_true_without_any_token_is_malformed_response() {
        let d = token_err(Slack, Grant::AuthorizationCode, 200, r#"{"ok":true}"#);
        assert_eq!(d.kind, K::MalformedResponse);
    }

    #[test]
    fn slack_200_without_the_ok_envelope_is_malformed_response() {
        let d = failed(api(Slack, 200, &[], r#"{"channels":[]}"#));
        assert_eq!(d.kind, K::MalformedResponse);
        let d = failed(api(Slack, 200, &[], "ok"));
        assert_eq!(d.kind, K::MalformedResponse);
        assert!(
            d.detail
                .contains("expected a JSON object {\"ok\": true|false, \"error\"}")
        );
    }

    #[test]
    fn slack_unknown_method_is_sdk_version_mismatch() {
        let d = failed(api(
            Slack,
            200,
            &[],
            r#"{"ok":false,"error":"unknown_method"}"#,
        ));
        assert_eq!(d.kind, K::SdkVersionMismatch);
    }

    #[test]
    fn slack_internal_error_is_unavailable() {
        let outcome = api(Slack, 200, &[], r#"{"ok":false,"error":"internal_error"}"#);
        assert!(matches!(outcome, ApiOutcome::Unavailable(d) if d.kind == K::ProviderUnavailable));
    }

    // -- Google ------------------------------------

    #[test]
    fn google_redirect_uri_mismatch_error_page_is_redirect_uri_mismatch() {
        let d = classify_authorize_error(
            Google,
            "redirect_uri_mismatch",
            Some("Error 400: redirect_uri_mismatch"),
        );
        assert_eq!(d.kind, K::RedirectUriMismatch);
    }

    #[test]
    fn google_invalid_request_error_page_is_invalid_request() {
        let d = classify_authorize_error(
            Google,
            "invalid_request",
            Some("Error 400: invalid_request"),
        );
        assert_eq!(d.kind, K::InvalidRequest);
    }

    #[test]
    fn google_invalid_scope_error_page_is_invalid_scope() {
        let d = classify_authorize_error(Google, "invalid_scope", Some("Error 400: invalid_scope"));
        assert_eq!(d.kind, K::InvalidScope);
    }

    #[test]
    fn google_access_denied_redirect_is_access_denied() {
        let d = classify_authorize_error(Google, "access_denied", None);
        assert_eq!(d.kind, K::AccessDenied);
    }

    #[test]
    fn google_400_invalid_grant_for_a_malformed_code_is_code_expired_or_reused() {
        let d = token_err(
            Google,
            Grant::AuthorizationCode,
            400,
            r#"{"error":"invalid_grant","error_description":"Malformed auth code."}"#,
        );
        assert_eq!(d.kind, K::CodeExpiredOrReused);
        assert_eq!(
            d.detail,
            r#"Google answered HTTP 400 with error=invalid_grant: "Malformed auth code.""#
        );
    }

    #[test]
    fn google_400_invalid_grant_for_a_reused_code_is_code_expired_or_reused() {
        for description in ["Bad Request", "Code was already redeemed."] {
            let body =
                format!(r#"{{"error":"invalid_grant","error_description":"{description}"}}"#);
            let d = token_err(Google, Grant::AuthorizationCode, 400, &body);
            assert_eq!(d.kind, K::CodeExpiredOrReused, "{description}");
        }
    }

    #[test]
    fn google_400_redirect_uri_mismatch_at_token_is_redirect_uri_mismatch() {
        let d = token_err(
            Google,
            Grant::AuthorizationCode,
            400,
            r#"{"error":"redirect_uri_mismatch","error_description":"Bad Request"}"#,
        );
        assert_eq!(d.kind, K::RedirectUriMismatch);
    }

    #[test]
    fn google_401_invalid_client_is_invalid_client() {
        for description in ["The OAuth client was not found.", "Unauthorized"] {
            let body =
                format!(r#"{{"error":"invalid_client","error_description":"{description}"}}"#);
            let d = token_err(Google, Grant::AuthorizationCode, 401, &body);
            assert_eq!(d.kind, K::InvalidClient, "{description}");
        }
    }

    #[test]
    fn google_400_invalid_grant_on_refresh_is_invalid_grant() {
        let d = token_err(
            Google,
            Grant::RefreshToken,
            400,
            r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#,
        );
        assert_eq!(d.kind, K::InvalidGrant);
        assert!(d.detail.contains("\"Token has been expired or revoked.\""));
    }

    #[test]
    fn google_400_invalid_scope_at_token_is_invalid_scope() {
        let d = token_err(
            Google,
            Grant::AuthorizationCode,
            400,
            r#"{"error":"invalid_scope","error_description":"Some requested scopes were invalid."}"#,
        );
        assert_eq!(d.kind, K::InvalidScope);
    }

    #[test]
    fn google_token_success_is_issued() {
        let r = token(
            Google,
            Grant::AuthorizationCode,
            200,
            &[("Content-Type", "application/json; charset=utf-8")],
            r#"{"access_token":"ya29.a0AfH6","expires_in":3599,"refresh_token":"1//0gdx","scope":"https://www.googleapis.com/auth/calendar.readonly openid","token_type":"Bearer","id_token":"eyJhbGciOi"}"#,
        );
        assert_eq!(r, Ok(()));
    }

    #[test]
    fn google_form_encoded_token_answer_is_malformed_response() {
        let d = token_err(
            Google,
            Grant::AuthorizationCode,
            200,
            "access_token=ya29.a0&expires_in=3599",
        );
        assert_eq!(d.kind, K::MalformedResponse);
        assert!(
            d.detail
                .contains("expected a JSON object with access_token or error")
        );
    }

    const GOOGLE_AUTH: (&str, &str) = (
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

    #[test]
    fn google_401_unauthenticated_without_an_expiry_reason_is_token_revoked() {
        let d = failed(api(
            Google,
            401,
            &[GOOGLE_AUTH],
            r#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACCESS_TOKEN_TYPE_UNSUPPORTED","domain":"googleapis.com"}]}}"#,
        ));
        assert_eq!(d.kind, K::TokenRevoked);
        let d = failed(api(
            Google,
            401,
            &[],
            r#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#,
        ));
        assert_eq!(d.kind, K::TokenRevoked);
    }

    #[test]
    fn google_401_legacy_auth_error_is_token_revoked() {
        let d = failed(api(
            Google,
            401,
            &[GOOGLE_AUTH],
            r#"{"error":{"errors":[{"domain":"global","reason":"authError","message":"Invalid Credentials","locationType":"header","location":"Authorization"}],"code":401,"message":"Invalid Credentials"}}"#,
        ));
        assert_eq!(d.kind, K::TokenRevoked);
        assert_eq!(
            d.detail,
            r#"Google answered HTTP 401 with reason=authError: "Invalid Credentials""#
        );
    }

    #[test]
    fn google_401_oauth_style_body_from_userinfo_is_token_revoked() {
        let d = failed(api(
            Google,
            401,
            &[GOOGLE_AUTH],
            r#"{"error":"invalid_request","error_description":"Invalid Credentials"}"#,
        ));
        assert_eq!(d.kind, K::TokenRevoked);
    }

    #[test]
    fn google_403_access_token_scope_insufficient_is_insufficient_scopes() {
        let d = failed(api(
            Google,
            403,
            &[(
                "www-authenticate",
                r#"Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/calendar""#,
            )],
            r#"{"error":{"code":403,"message":"Request had insufficient authentication scopes.","errors":[{"message":"Insufficient Permission","domain":"global","reason":"insufficientPermissions"}],"status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACCESS_TOKEN_SCOPE_INSUFFICIENT","domain":"googleapis.com","metadata":{"service":"calendar-json.googleapis.com","method":"calendar.v3.Events.Insert"}}]}}"#,
        ));
        assert_eq!(d.kind, K::InsufficientScopes);
        assert!(d.detail.contains("ACCESS_TOKEN_SCOPE_INSUFFICIENT"));
        assert!(
            d.detail
                .ends_with(r#"(needs scope "https://www.googleapis.com/auth/calendar")"#),
            "{}",
            d.detail
        );
    }

    #[test]
    fn google_403_without_errors_list_is_still_insufficient_scopes() {
        // gRPC-style APIs such as Drive omit `errors[]`.
        let d = failed(api(
            Google,
            403,
            &[],
            r#"{"error":{"code":403,"message":"Request had insufficient authentication scopes.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACCESS_TOKEN_SCOPE_INSUFFICIENT","domain":"googleapis.com"}]}}"#,
        ));
        assert_eq!(d.kind, K::InsufficientScopes);
    }

    #[test]
    fn google_403_legacy_insufficient_permissions_is_insufficient_scopes() {
        let d = failed(api(
            Google,
            403,
            &[],
            r#"{"error":{"code":403,"message":"Insufficient Permission","errors":[{"message":"Insufficient Permission","domain":"global","reason":"insufficientPermissions"}]}}"#,
        ));
        assert_eq!(d.kind, K::InsufficientScopes);
    }

    fn google_legacy_limit(status: u16, domain: &str, reason: &str) -> String {
        format!(
            r#"{{"error":{{"errors":[{{"domain":"{domain}","reason":"{reason}","message":"Rate Limit Exceeded"}}],"code":{status},"message":"Rate Limit Exceeded"}}}}"#
        )
    }

    #[test]
    fn google_403_user_rate_limit_exceeded_is_rate_limited_without_hint() {
        let body = google_legacy_limit(403, "usageLimits", "userRateLimitExceeded");
        let (d, h) = limited(api(Google, 403, &[], &body));
        assert_eq!(h, None);
        assert!(d.detail.contains("reason=userRateLimitExceeded"));
    }

    #[test]
    fn google_403_rate_limit_exceeded_is_rate_limited_without_hint() {
        let body = google_legacy_limit(403, "usageLimits", "rateLimitExceeded");
        let (_, h) = limited(api(Google, 403, &[], &body));
        assert_eq!(h, None);
    }

    #[test]
    fn google_403_quota_exceeded_is_rate_limited_without_hint() {
        let body = google_legacy_limit(403, "usageLimits", "quotaExceeded");
        let (_, h) = limited(api(Google, 403, &[], &body));
        assert_eq!(h, None);
    }

    #[test]
    fn google_429_rate_limit_exceeded_is_rate_limited() {
        let body = google_legacy_limit(429, "usageLimits", "rateLimitExceeded");
        let (_, h) = limited(api(Google, 429, &[], &body));
        assert_eq!(h, None);
    }

    #[test]
    fn google_403_error_info_rate_limit_exceeded_is_rate_limited() {
        let (d, h) = limited(api(
            Google,
            403,
            &[],
            r#"{"error":{"code":403,"message":"Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'calendar-json.googleapis.com'.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com","metadata":{"quota_metric":"calendar-json.googleapis.com/default","quota_limit":"defaultPerMinutePerUser","quota_limit_value":"600","consumer":"projects/123"}}]}}"#,
        ));
        assert_eq!(h, None);
        assert!(d.detail.contains("reason=RATE_LIMIT_EXCEEDED"));
    }

    #[test]
    fn google_429_resource_exhausted_honours_retry_after_when_present() {
        let (_, h) = limited(api(
            Google,
            429,
            &[("Retry-After", "7")],
            r#"{"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com"}]}}"#,
        ));
        assert_eq!(h, hint(7, "Retry-After: 7"));
    }

    #[test]
    fn google_200_json_is_ok_and_html_is_malformed_response() {
        assert_eq!(
            api(
                Google,
                200,
                &[],
                r#"{"sub":"110169484474386276334","email":"grace@example.com","email_verified":true}"#
            ),
            ApiOutcome::Ok
        );
        let d = failed(api(Google, 200, &[], "<html>Sign in</html>"));
        assert_eq!(d.kind, K::MalformedResponse);
        let d = failed(api(Google, 401, &[], r#"[{"message":"x"}]"#));
        assert_eq!(d.kind, K::MalformedResponse);
    }

    // -- Salesforce --------------------------------

    #[test]
    fn salesforce_access_denied_redirect_is_access_denied_in_either_spelling() {
        for code in ["access_denied", "access-denied"] {
            let d =
                classify_authorize_error(Salesforce, code, Some("end-user denied authorization"));
            assert_eq!(d.kind, K::AccessDenied, "{code}");
            assert!(d.detail.contains(&format!("error={code}")));
        }
    }

    #[test]
    fn salesforce_redirect_uri_mismatch_page_is_redirect_uri_mismatch() {
        let d = classify_authorize_error(
            Salesforce,
            "redirect_uri_mismatch",
            Some("redirect_uri must match configuration"),
        );
        assert_eq!(d.kind, K::RedirectUriMismatch);
    }

    #[test]
    fn salesforce_400_invalid_grant_naming_the_redirect_uri_is_redirect_uri_mismatch() {
        let d = token_err(
            Salesforce,
            Grant::AuthorizationCode,
            400,
            r#"{"error":"invalid_grant","error_description":"redirect uri does not match configuration"}"#,
        );
        assert_eq!(d.kind, K::RedirectUriMismatch);
        assert_eq!(
            d.detail,
            r#"Salesforce answered HTTP 400 with error=invalid_grant: "redirect uri does not match configuration""#
        );
    }

    #[test]
    fn salesforce_400_invalid_grant_for_an_expired_code_is_code_expired_or_reused() {
        for description in ["authorization code expired", "invalid authorization code"] {
            let body =
                format!(r#"{{"error":"invalid_grant","error_description":"{description}"}}"#);
            let d = token_err(Salesforce, Grant::AuthorizationCode, 400, &body);
            assert_eq!(d.kind, K::CodeExpiredOrReused, "{description}");
        }
    }

    #[test]
    fn salesforce_400_invalid_client_id_is_invalid_client() {
        let d = token_err(
            Salesforce,
            Grant::AuthorizationCode,
            400,
            r#"{"error":"invalid_client_id","error_description":"client identifier invalid"}"#,
        );
        assert_eq!(d.kind, K::InvalidClient);
    }

    #[test]
    fn salesforce_400_or_401_invalid_client_is_invalid_client() {
        for status in [400, 401] {
            let d = token_err(
                Salesforce,
                Grant::AuthorizationCode,
                status,
                r#"{"error":"invalid_client","error_description":"invalid client credentials"}"#,
            );
            assert_eq!(d.kind, K::InvalidClient, "{status}");
        }
    }

    #[test]
    fn salesforce_400_invalid_grant_on_refresh_is_invalid_grant() {
        let d = token_err(
            Salesforce,
            Grant::RefreshToken,
            400,
            r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#,
        );
        assert_eq!(d.kind, K::InvalidGrant);
    }

    #[test]
    fn salesforce_400_authentication_failure_on_refresh_is_invalid_grant() {
        let d = token_err(
            Salesforce,
            Grant::RefreshToken,
            400,
            r#"{"error":"invalid_grant","error_description":"authentication failure"}"#,
        );
        assert_eq!(d.kind, K::InvalidGrant);
    }

    #[test]
    fn salesforce_400_unsupported_grant_type_is_invalid_request() {
        let d = token_err(
            Salesforce,
            Grant::RefreshToken,
            400,
            r#"{"error":"unsupported_grant_type","error_description":"grant type not supported"}"#,
        );
        assert_eq!(d.kind, K::InvalidRequest);
    }

    #[test]
    fn salesforce_invalid_scope_on_authorize_is_invalid_scope() {
        let d = classify_authorize_error(
            Salesforce,
            "invalid_scope",
            Some("the requested scope is not allowed"),
        );
        assert_eq!(d.kind, K::InvalidScope);
    }

    #[test]
    fn salesforce_token_without_expires_in_is_issued_in_json_or_urlencoded() {
        let json = r#"{"access_token":"00Dx0000000BV7z!AR8AQAxo9UfVkh8AlV0Gomt9Czx9LjHnSSpwBMmbRcgKFmxOtvxjTrKW19ye6PE3Ds1eQz3z8jr3W7_VbWmEu4Q8TVGSTHxs","refresh_token":"5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrhHX1hR6Ktzp","signature":"0CmxinZir53Yex7nE0TD+zMpvIWYGb/bdJh6XfOH6EQ=","scope":"id api refresh_token","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00Dx0000000BV7zEAG/005x00000012Q9PAAU","token_type":"Bearer","issued_at":"1278448832702"}"#;
        assert_eq!(
            token(Salesforce, Grant::AuthorizationCode, 200, &[], json),
            Ok(())
        );
        let form = "access_token=00Dx0000000BV7z%21AR8AQ&instance_url=https%3A%2F%2Facme.my.salesforce.com&token_type=Bearer&issued_at=1278448832702";
        assert_eq!(
            token(Salesforce, Grant::RefreshToken, 200, &[], form),
            Ok(())
        );
    }

    #[test]
    fn salesforce_401_session_expired_or_invalid_is_token_expired() {
        let d = failed(api(
            Salesforce,
            401,
            &[("WWW-Authenticate", "Token")],
            r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
        ));
        assert_eq!(d.kind, K::TokenExpired);
        assert_eq!(
            d.detail,
            r#"Salesforce answered HTTP 401 with errorCode=INVALID_SESSION_ID: "Session expired or invalid""#
        );
    }

    #[test]
    fn salesforce_401_session_not_valid_for_the_rest_api_is_insufficient_scopes() {
        let d = failed(api(
            Salesforce,
            401,
            &[],
            r#"[{"message":"This session is not valid for use with the REST API","errorCode":"INVALID_SESSION_ID"}]"#,
        ));
        assert_eq!(d.kind, K::InsufficientScopes);
    }

    #[test]
    fn salesforce_403_request_limit_exceeded_is_rate_limited_without_hint() {
        let (d, h) = limited(api(
            Salesforce,
            403,
            &[("Sforce-Limit-Info", "api-usage=100000/100000")],
            r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#,
        ));
        assert_eq!(h, None);
        assert_eq!(
            d.detail,
            r#"Salesforce answered HTTP 403 with errorCode=REQUEST_LIMIT_EXCEEDED: "TotalRequests Limit exceeded." (Sforce-Limit-Info: api-usage=100000/100000)"#
        );
    }

    #[test]
    fn salesforce_403_concurrent_long_transactions_is_rate_limited_without_hint() {
        let (_, h) = limited(api(
            Salesforce,
            403,
            &[],
            r#"[{"message":"ConcurrentPerOrgLongTxn Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#,
        ));
        assert_eq!(h, None);
    }

    #[test]
    fn salesforce_400_malformed_query_is_invalid_request() {
        let d = failed(api(
            Salesforce,
            400,
            &[],
            r#"[{"message":"unexpected token: FORM","errorCode":"MALFORMED_QUERY"}]"#,
        ));
        assert_eq!(d.kind, K::InvalidRequest);
    }

    #[test]
    fn salesforce_error_object_instead_of_array_is_malformed_response() {
        let d = failed(api(
            Salesforce,
            401,
            &[],
            r#"{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}"#,
        ));
        assert_eq!(d.kind, K::MalformedResponse);
        assert!(
            d.detail
                .ends_with(r#"expected a JSON array [{"message", "errorCode"}]"#)
        );
        assert_eq!(
            failed(api(Salesforce, 401, &[], "[]")).kind,
            K::MalformedResponse
        );
    }

    #[test]
    fn salesforce_query_result_is_ok() {
        let body = r#"{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Account","url":"/services/data/v66.0/sobjects/Account/001"},"Id":"001","Name":"Acme"}]}"#;
        assert_eq!(
            api(
                Salesforce,
                200,
                &[("Sforce-Limit-Info", "api-usage=18/5000")],
                body
            ),
            ApiOutcome::Ok
        );
    }

    // -- Provider error pages ------------------------------------------------------

    #[test]
    fn github_redirect_warning_page_is_redirect_uri_mismatch() {
        let page = b"<!DOCTYPE html><html><body><h1>Be careful!</h1><p>The redirect_uri is not associated with this application. The application might be misconfigured or could be trying to redirect you to a website you weren't expecting.</p></body></html>";
        let d = classify_error_page(Github, 200, page).expect("a known page");
        assert_eq!(d.kind, K::RedirectUriMismatch);
        assert!(
            d.detail.starts_with(
                "GitHub stopped the flow on its own page (HTTP 200): \"Be careful! The redirect_uri"
            ),
            "{}",
            d.detail
        );
    }

    #[test]
    fn google_error_400_pages_name_their_code() {
        let cases = [
            ("Error 400: redirect_uri_mismatch", K::RedirectUriMismatch),
            ("Error 400: invalid_scope", K::InvalidScope),
            ("Error 401: invalid_client", K::InvalidClient),
            ("Error 400: invalid_request", K::InvalidRequest),
        ];
        for (line, kind) in cases {
            let page = format!(
                "<html><body><h1>Access blocked: Authorization Error</h1><p>{line} — details</p></body></html>"
            );
            let d = classify_error_page(Google, 400, page.as_bytes()).expect("a known page");
            assert_eq!(d.kind, kind, "{line}");
        }
    }

    #[test]
    fn salesforce_error_pages_carry_a_query_string() {
        let page = b"<html><body><p>error=redirect_uri_mismatch&amp;error_description=redirect_uri%20must%20match%20configuration</p></body></html>";
        let d = classify_error_page(Salesforce, 400, page).expect("a known page");
        assert_eq!(d.kind, K::RedirectUriMismatch);
        assert!(
            d.detail
                .contains("error=redirect_uri_mismatch&error_description"),
            "{}",
            d.detail
        );
        let page =
            b"<p>error=invalid_client_id&amp;error_description=client%20identifier%20invalid</p>";
        assert_eq!(
            classify_error_page(Salesforce, 400, page).map(|d| d.kind),
            Some(K::InvalidClient)
        );
    }

    #[test]
    fn slack_oops_pages_are_recognised_by_their_prose() {
        let page = b"<h1>Oops, something went wrong</h1><p>redirect_uri did not match any configured URIs. Passed URI: http://workos.test/sso/callback/slack</p>";
        assert_eq!(
            classify_error_page(Slack, 400, page).map(|d| d.kind),
            Some(K::RedirectUriMismatch)
        );
        let page = b"<h1>Oops, something went wrong</h1><p>Invalid client_id parameter</p>";
        assert_eq!(
            classify_error_page(Slack, 400, page).map(|d| d.kind),
            Some(K::InvalidClient)
        );
    }

    #[test]
    fn an_ordinary_page_is_not_an_error_page() {
        for provider in ProviderKind::ALL {
            assert_eq!(
                classify_error_page(provider, 200, b"<html><body>Sign in</body></html>"),
                None
            );
        }
    }

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
