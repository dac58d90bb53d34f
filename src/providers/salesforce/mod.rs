//! Salesforce: its spec, its mock's routes and how its answers read.

pub mod classify;
pub mod corpus;
pub mod faults;
pub mod routes;

use serde_json::json;

use crate::diagnosis::DiagnosisKind;
use crate::provider::ProviderKind;
use crate::providers::classify::{Grant, TokenDialect};
use crate::providers::{Endpoints, FaultAnswers, ProviderSpec, Revocation, Rotation, SignIn};

/// Salesforce: connected apps, the REST API.
pub const SPEC: ProviderSpec = ProviderSpec {
    kind: ProviderKind::Salesforce,
    endpoints: Endpoints {
        authorize: "/services/oauth2/authorize",
        token: "/services/oauth2/token",
        revoke: "/services/oauth2/revoke",
    },
    routes: routes::ROUTES,
    whoami_path: "/services/oauth2/userinfo",
    profile_login_key: None,
    rate_limit_codes: &["REQUEST_LIMIT_EXCEEDED"],
    api_headers: &[],
    default_scopes: &["api", "refresh_token"],
    scope_separator: " ",
    authorize_params: &[("response_type", "code")],
    expiring_tokens: true,
    code_ttl_ms: 15 * 60 * 1000,
    token_lifetime_secs: 7_200,
    sliding_sessions: true,
    rotation: Rotation::AppSetting,
    refresh_retires_access_token: false,
    revocation: Revocation::GrantForRefreshTokens,
    pkce_opt_in: false,
    sign_in: SignIn::Email,
    email_from_workos: false,
    account_email: crate::providers::plain_email,
    mint_code: |ids| ids.secret("aPrx", 80),
    mint_tokens: |ids, _| {
        (
            format!("00D5g000004S0zX!{}", ids.secret("AR8AQ", 90)),
            ids.secret("5Aep861", 80),
        )
    },
    imported_token_prefix: "00D5g000004S0zX!",
    not_found: routes::not_found,
    classify_api: classify::salesforce_api,
    classify_token: |grant, resp| {
        crate::providers::classify::oauth_token(ProviderKind::Salesforce, &DIALECT, grant, resp)
    },
    relayed_token_error: |error, description| {
        (
            400,
            json!({"error": error, "error_description": description}),
        )
    },
    faults: FaultAnswers {
        rate_limited: faults::rate_limited,
        server_error: faults::server_error,
        malformed_api_body: faults::MALFORMED_API_BODY,
        insufficient_scope: faults::insufficient_scope,
        refresh_refused: faults::refresh_refused,
        rate_limit_statuses: &[],
        no_retry_after: Some(
            "Salesforce's REQUEST_LIMIT_EXCEEDED carries no retry time; leave retry_after out",
        ),
        secondary_rate_limit: None,
        mismatch_can_redirect: false,
    },
    corpus: corpus::SAMPLES,
    error_page_phrases: &[],
    // Its API usage against the org's daily limit: `api-usage=25/15000`.
    kept_headers: &["sforce-limit-info"],
};

/// Salesforce answers JSON (form-encoded with `format=urlencoded`), and
/// reports a redirect_uri that differs from the authorize step as
/// `invalid_grant`; only the text says so.
const DIALECT: TokenDialect = TokenDialect {
    expected: "a JSON (or form-encoded) body with access_token or error",
    form_allowed: true,
    own_codes: |grant, error, description| {
        let mentions_redirect =
            description.is_some_and(|d| d.to_ascii_lowercase().contains("redirect"));
        (error == "invalid_grant" && grant == Grant::AuthorizationCode && mentions_redirect)
            .then_some(DiagnosisKind::RedirectUriMismatch)
    },
};

#[cfg(test)]
mod mod_tests {
    use crate::provider::ProviderKind;
    use crate::providers::engine::oauth::tests::*;
    use crate::providers::engine::oauth::*;

    #[test]
    fn salesforce_codes_live_fifteen_minutes() {
        let (mut e, ids) = engine_for(ProviderKind::Salesforce, true);
        let c = code(&mut e, &ids, 0, None);
        let at = 14 * 60 * 1000;
        assert!(e.exchange_code(&ids, at, exchange(&c, None)).is_ok());
    }

    #[test]
    fn salesforce_rotates_only_when_the_setting_is_on() {
        let (mut e, ids) = engine_for(ProviderKind::Salesforce, true);
        let first = connect(&mut e, &ids);
        let rt = first
            .refresh_token
            .clone()
            .expect("refresh_token scope issues one");
        let plain = e
            .refresh(&ids, 10, "cid", Some("secret"), &rt)
            .expect("refresh works");
        assert_eq!(plain.refresh_token, None);
        e.rotate_refresh_tokens = true;
        let rotated = e
            .refresh(&ids, 20, "cid", Some("secret"), &rt)
            .expect("refresh works");
        assert!(rotated.refresh_token.is_some());
        assert_eq!(
            e.refresh(&ids, 30, "cid", Some("secret"), &rt).unwrap_err(),
            GrantError::BadRefreshToken
        );
    }

    #[test]
    fn a_salesforce_session_times_out_after_two_idle_hours_and_slides_with_use() {
        let (mut e, ids) = engine_for(ProviderKind::Salesforce, true);
        let issued = connect(&mut e, &ids);
        let hour = 3_600_000;
        assert!(e.authenticate(Some(&issued.access_token), hour).is_ok());
        assert!(
            e.authenticate(Some(&issued.access_token), 2 * hour + 1)
                .is_ok()
        );
        assert_eq!(
            e.authenticate(Some(&issued.access_token), 5 * hour)
                .unwrap_err(),
            TokenProblem::Expired
        );
    }
}
