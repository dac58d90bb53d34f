//! GitHub: its spec, its mock's routes and how its answers read.

pub mod classify;
pub mod corpus;
pub mod faults;
pub mod routes;

use serde_json::json;

use crate::common::ids::IdGen;
use crate::diagnosis::DiagnosisKind;
use crate::provider::ProviderKind;
use crate::providers::classify::TokenDialect;
use crate::providers::{
    Endpoints, FaultAnswers, ProviderSpec, Revocation, Rotation, SignIn, TokenFlavour,
};

/// GitHub: OAuth apps, the REST API.
pub const SPEC: ProviderSpec = ProviderSpec {
    kind: ProviderKind::Github,
    endpoints: Endpoints {
        authorize: "/login/oauth/authorize",
        token: "/login/oauth/access_token",
        revoke: "/applications/{client_id}/token",
    },
    routes: routes::ROUTES,
    whoami_path: "/user",
    profile_login_key: Some("login"),
    rate_limit_codes: &[],
    api_headers: &[
        ("user-agent", "pipes-harness"),
        ("x-github-api-version", "2022-11-28"),
    ],
    default_scopes: &["repo", "user:email"],
    scope_separator: " ",
    authorize_params: &[],
    expiring_tokens: false,
    code_ttl_ms: 10 * 60 * 1000,
    token_lifetime_secs: 28_800,
    sliding_sessions: false,
    rotation: Rotation::Always,
    refresh_retires_access_token: true,
    revocation: Revocation::Token,
    pkce_opt_in: false,
    sign_in: SignIn::Handle,
    email_from_workos: false,
    account_email: |login| format!("{login}@users.noreply.github.com"),
    mint_code: |ids| ids.hex(10),
    mint_tokens,
    imported_token_prefix: "gho_",
    not_found: routes::not_found,
    classify_api: classify::github_api,
    classify_token: |grant, resp| {
        crate::providers::classify::oauth_token(ProviderKind::Github, &DIALECT, grant, resp)
    },
    relayed_token_error: |error, description| {
        (
            200,
            json!({"error": error, "error_description": description}),
        )
    },
    faults: FaultAnswers {
        rate_limited: faults::rate_limited,
        server_error: faults::server_error,
        malformed_api_body: faults::MALFORMED_API_BODY,
        insufficient_scope: faults::insufficient_scope,
        refresh_refused: faults::refresh_refused,
        rate_limit_statuses: &[403, 429],
        no_retry_after: None,
        secondary_rate_limit: Some(faults::secondary_rate_limit),
        mismatch_can_redirect: true,
    },
    corpus: corpus::SAMPLES,
    // Its warning page for an unregistered callback is a 200 with prose.
    error_page_phrases: &[(
        "redirect_uri is not associated",
        DiagnosisKind::RedirectUriMismatch,
    )],
    kept_headers: &[],
};

/// GitHub's token endpoint: form-encoded unless asked for JSON, errors of its own.
const DIALECT: TokenDialect = TokenDialect {
    expected: "a JSON or form-encoded body with access_token or error",
    form_allowed: true,
    own_codes: |_, error, _| match error {
        "bad_verification_code" => Some(DiagnosisKind::CodeExpiredOrReused),
        "incorrect_client_credentials" => Some(DiagnosisKind::InvalidClient),
        "bad_refresh_token" => Some(DiagnosisKind::RefreshFailed),
        "unverified_user_email" => Some(DiagnosisKind::AccessDenied),
        _ => None,
    },
};

/// `gho_` for classic tokens; `ghu_` with a rotating `ghr_` refresh token
/// for expiring ones.
fn mint_tokens(ids: &IdGen, flavour: TokenFlavour) -> (String, String) {
    let access = if flavour.expiring { "ghu_" } else { "gho_" };
    (ids.secret(access, 36), ids.secret("ghr_", 76))
}

#[cfg(test)]
mod mod_tests {
    use crate::provider::ProviderKind;
    use crate::providers::engine::oauth::tests::*;
    use crate::providers::engine::oauth::*;

    #[test]
    fn github_refresh_rotates_and_kills_the_old_access_token() {
        let (mut e, ids) = engine_for(ProviderKind::Github, true);
        let first = connect(&mut e, &ids);
        let rt = first
            .refresh_token
            .clone()
            .expect("expiring tokens come with a refresh token");
        let second = e
            .refresh(&ids, 10, "cid", Some("secret"), &rt)
            .expect("refresh works");
        assert!(second.refresh_token.is_some());
        assert_eq!(
            e.authenticate(Some(&first.access_token), 11).unwrap_err(),
            TokenProblem::Revoked
        );
        assert_eq!(
            e.refresh(&ids, 12, "cid", Some("secret"), &rt).unwrap_err(),
            GrantError::BadRefreshToken
        );
    }

    #[test]
    fn revoking_a_github_token_leaves_other_tokens_alone() {
        let (mut e, ids) = engine();
        let first = connect(&mut e, &ids);
        let second = connect(&mut e, &ids);
        assert!(e.revoke_token(&first.access_token));
        assert!(e.authenticate(Some(&second.access_token), 2).is_ok());
    }
}
