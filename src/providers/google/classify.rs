//! How google's answers read: its API errors and token-endpoint dialect.

#![allow(unused_imports)]

use std::time::Duration;

use serde_json::{Map, Value};

use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::provider::ProviderKind;
use crate::providers::classify::*;

pub(crate) fn google_api(resp: &ResponseView<'_>, now: i64) -> ApiOutcome {
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

/// Google's error body, from either envelope: the AIP-193 one
/// (`status` + `details[].reason`), the legacy one (`errors[].reason`), or
/// the OAuth-style `{error, error_description}` some identity endpoints use.
pub(crate) struct GoogleError {
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

pub(crate) fn google_error(body: &[u8]) -> Option<GoogleError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::classify::tests::*;
    use DiagnosisKind as K;
    #[allow(unused_imports)]
    use ProviderKind::{Github, Google, Salesforce, Slack};

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
}
