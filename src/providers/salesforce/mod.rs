//! Salesforce: its spec, its mock's routes and how its answers read.

pub mod classify;
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
    error_page_code: classify::error_page_code,
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
