//! Slack: its spec, its mock's routes and how its answers read.

pub mod classify;
pub mod corpus;
pub mod faults;
pub mod routes;

use serde_json::json;

use crate::common::ids::IdGen;
use crate::diagnosis::DiagnosisKind;
use crate::provider::ProviderKind;
use crate::providers::{
    Endpoints, FaultAnswers, ProviderSpec, Revocation, Rotation, SignIn, TokenFlavour,
};

/// Slack: OAuth v2, the Web API.
pub const SPEC: ProviderSpec = ProviderSpec {
    kind: ProviderKind::Slack,
    endpoints: Endpoints {
        authorize: "/oauth/v2/authorize",
        token: "/api/oauth.v2.access",
        revoke: "/api/auth.revoke",
    },
    routes: routes::ROUTES,
    whoami_path: "/api/auth.test",
    profile_login_key: None,
    rate_limit_codes: &[],
    api_headers: &[],
    default_scopes: &["channels:read", "chat:write"],
    scope_separator: ",",
    authorize_params: &[],
    expiring_tokens: false,
    code_ttl_ms: 10 * 60 * 1000,
    token_lifetime_secs: 43_200,
    sliding_sessions: false,
    rotation: Rotation::Always,
    refresh_retires_access_token: false,
    revocation: Revocation::Token,
    pkce_opt_in: true,
    sign_in: SignIn::Handle,
    email_from_workos: true,
    account_email: crate::providers::plain_email,
    mint_code: |ids| {
        format!(
            "{}.{}",
            ids.number(1_000_000_000..9_999_999_999),
            ids.hex(16)
        )
    },
    mint_tokens,
    imported_token_prefix: "xoxp-",
    not_found: routes::not_found,
    classify_api: classify::slack_api,
    classify_token: classify::slack_token,
    relayed_token_error: |error, _| (200, json!({"ok": false, "error": error})),
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
    // "Oops, something went wrong" pages name no code, only the rule.
    error_page_phrases: &[
        (
            "redirect_uri did not match",
            DiagnosisKind::RedirectUriMismatch,
        ),
        ("invalid client_id", DiagnosisKind::InvalidClient),
    ],
    kept_headers: &[],
};

/// `xoxb-<team>-<user>-<secret>` (`xoxp` for a user token); token rotation
/// puts `xoxe.` in front and issues an `xoxe-1-` refresh token.
fn mint_tokens(ids: &IdGen, flavour: TokenFlavour) -> (String, String) {
    let kind = if flavour.user_token { "xoxp" } else { "xoxb" };
    let team = ids.number(1_000_000_000..9_999_999_999);
    let user = ids.number(1_000_000_000..9_999_999_999);
    let secret = ids.secret("", 24);
    if flavour.expiring {
        (
            format!("xoxe.{kind}-1-{team}-{user}-{secret}"),
            format!("xoxe-1-{}", ids.secret("", 60)),
        )
    } else {
        (format!("{kind}-{team}-{user}-{secret}"), String::new())
    }
}

#[cfg(test)]
mod mod_tests {
    use crate::provider::ProviderKind;
    use crate::providers::engine::oauth::tests::*;
    use crate::providers::engine::oauth::*;

    #[test]
    fn slack_ignores_pkce_until_the_app_opts_in() {
        let (mut e, ids) = engine_for(ProviderKind::Slack, false);
        let c = code(&mut e, &ids, 0, Some(pkce_challenge("v")));
        assert!(e.exchange_code(&ids, 1, exchange(&c, None)).is_ok());
        e.pkce_opt_in = true;
        let c = code(&mut e, &ids, 0, Some(pkce_challenge("v")));
        assert_eq!(
            e.exchange_code(&ids, 1, exchange(&c, Some("w")))
                .unwrap_err(),
            GrantError::BadVerifier
        );
    }

    #[test]
    fn slack_rotation_leaves_the_old_access_token_alive_until_it_expires() {
        let (mut e, ids) = engine_for(ProviderKind::Slack, true);
        let first = connect(&mut e, &ids);
        let rt = first
            .refresh_token
            .clone()
            .expect("rotation issues refresh tokens");
        assert!(e.refresh(&ids, 10, "cid", Some("secret"), &rt).is_ok());
        assert!(e.authenticate(Some(&first.access_token), 11).is_ok());
        assert_eq!(e.refresh_token_counts("alice"), (1, 1));
    }
}
