//! Google: its spec, its mock's routes and how its answers read.

pub mod classify;
pub mod corpus;
pub mod faults;
pub mod routes;

use serde_json::json;

use crate::provider::ProviderKind;
use crate::providers::classify::TokenDialect;
use crate::providers::{Endpoints, FaultAnswers, ProviderSpec, Revocation, Rotation, SignIn};

/// Google: OAuth 2.0 for web server apps, Google APIs.
pub const SPEC: ProviderSpec = ProviderSpec {
    kind: ProviderKind::Google,
    endpoints: Endpoints {
        authorize: "/o/oauth2/v2/auth",
        token: "/token",
        revoke: "/revoke",
    },
    routes: routes::ROUTES,
    whoami_path: "/v1/userinfo",
    profile_login_key: None,
    rate_limit_codes: &["rateLimitExceeded", "userRateLimitExceeded"],
    api_headers: &[],
    default_scopes: &[
        "openid",
        "email",
        "https://www.googleapis.com/auth/calendar.readonly",
    ],
    scope_separator: " ",
    authorize_params: &[
        ("response_type", "code"),
        ("access_type", "offline"),
        ("prompt", "consent"),
    ],
    expiring_tokens: true,
    code_ttl_ms: 10 * 60 * 1000,
    token_lifetime_secs: 3_599,
    sliding_sessions: false,
    rotation: Rotation::Never,
    refresh_retires_access_token: false,
    revocation: Revocation::Grant,
    pkce_opt_in: false,
    sign_in: SignIn::Email,
    email_from_workos: false,
    account_email: crate::providers::plain_email,
    mint_code: |ids| ids.secret("4/0A", 60),
    mint_tokens: |ids, _| (ids.secret("ya29.a0", 120), ids.secret("1//0g", 90)),
    imported_token_prefix: "ya29.",
    not_found: routes::not_found,
    classify_api: classify::google_api,
    classify_token: |grant, resp| {
        crate::providers::classify::oauth_token(ProviderKind::Google, &DIALECT, grant, resp)
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
        no_retry_after: None,
        secondary_rate_limit: None,
        mismatch_can_redirect: false,
    },
    corpus: corpus::SAMPLES,
    error_page_phrases: &[],
    kept_headers: &[],
};

/// Google's token endpoint speaks only JSON and only the RFC's codes.
const DIALECT: TokenDialect = TokenDialect {
    expected: "a JSON object with access_token or error",
    form_allowed: false,
    own_codes: crate::providers::classify::rfc_codes_only,
};

#[cfg(test)]
mod mod_tests {
    use crate::provider::ProviderKind;
    use crate::providers::engine::oauth::tests::*;
    use crate::providers::engine::oauth::*;

    #[test]
    fn google_never_rotates_its_refresh_token() {
        let (mut e, ids) = engine_for(ProviderKind::Google, true);
        let first = connect(&mut e, &ids);
        let rt = first
            .refresh_token
            .clone()
            .expect("offline access issues a refresh token");
        for at in [10, 20, 30] {
            let again = e
                .refresh(&ids, at, "cid", Some("secret"), &rt)
                .expect("the same refresh token keeps working");
            assert_eq!(again.refresh_token, None);
        }
        assert_eq!(e.refresh_token_counts("alice"), (1, 0));
    }

    #[test]
    fn revoking_a_google_access_token_revokes_the_whole_grant() {
        let (mut e, ids) = engine_for(ProviderKind::Google, true);
        let issued = connect(&mut e, &ids);
        assert!(e.revoke_token(&issued.access_token));
        let rt = issued.refresh_token.expect("offline access");
        assert_eq!(
            e.refresh(&ids, 5, "cid", Some("secret"), &rt).unwrap_err(),
            GrantError::BadRefreshToken
        );
        assert!(!e.revoke_token(&issued.access_token));
    }
}
