//! How slack's answers read: its API errors and token-endpoint dialect.

#![allow(unused_imports)]

use std::time::Duration;

use serde_json::{Map, Value};

use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::provider::ProviderKind;
use crate::providers::classify::*;

pub(crate) fn slack_api(resp: &ResponseView<'_>, now: i64) -> ApiOutcome {
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

pub(crate) enum SlackEnvelope {
    Ok(Map<String, Value>),
    Failed {
        error: String,
        body: Map<String, Value>,
    },
}

pub(crate) fn slack_envelope(body: &[u8]) -> Option<SlackEnvelope> {
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
pub(crate) fn slack_error(
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

pub(crate) fn slack_token(grant: Grant, resp: &ResponseView<'_>) -> Result<(), Diagnosis> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::classify::tests::*;
    use DiagnosisKind as K;
    #[allow(unused_imports)]
    use ProviderKind::{Github, Google, Salesforce, Slack};

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
}
