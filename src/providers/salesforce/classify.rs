//! How salesforce's answers read: its API errors and token-endpoint dialect.

#![allow(unused_imports)]

use std::time::Duration;

use serde_json::{Map, Value};

use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::provider::ProviderKind;
use crate::providers::classify::*;

pub(crate) fn salesforce_api(resp: &ResponseView<'_>, now: i64) -> ApiOutcome {
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

pub(crate) struct SalesforceError {
    code: String,
    message: String,
}

/// The first entry of Salesforce's error array; `None` when the body is not
/// a non-empty array of `{message, errorCode}` objects.
pub(crate) fn salesforce_errors(body: &[u8]) -> Option<SalesforceError> {
    let Value::Array(items) = parse_json(body)? else {
        return None;
    };
    let first = items.first()?.as_object()?;
    Some(SalesforceError {
        code: str_field(first, "errorCode")?.to_string(),
        message: str_field(first, "message").unwrap_or("").to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::classify::tests::*;
    use DiagnosisKind as K;
    #[allow(unused_imports)]
    use ProviderKind::{Github, Google, Salesforce, Slack};

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
}
