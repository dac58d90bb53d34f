//! How github's answers read: its API errors and token-endpoint dialect.

#![allow(unused_imports)]

use std::time::Duration;

use serde_json::{Map, Value};

use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::provider::ProviderKind;
use crate::providers::classify::*;

/// GitHub's advice when a secondary limit gives no retry time.
pub(crate) const GITHUB_SECONDARY_FALLBACK: Duration = Duration::from_secs(60);

pub(crate) fn github_api(resp: &ResponseView<'_>, now: i64) -> ApiOutcome {
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

pub(crate) fn github_said(status: u16, message: &str) -> String {
    if message.is_empty() {
        format!("GitHub answered HTTP {status} without a message")
    } else {
        format!(
            "GitHub answered HTTP {status} with message {}",
            quote(message)
        )
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
}
