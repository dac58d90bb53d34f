//! What a provider is, as data: one [`ProviderSpec`] per provider folder.
//!
//! Every fact the engine, the WorkOS mock, the client and the steps need
//! about one provider (where its endpoints are, how it names and ages its
//! tokens, how it joins scopes, which of its paths says whose token it is)
//! is a field here, so a new provider is a new folder whose spec the
//! compiler makes complete. Behaviour that is code rather than data (the
//! mock's routes, how its error answers read) is a function the spec
//! points to, in the same folder.

use wiremock::{Request, ResponseTemplate};

use super::classify::{ApiOutcome, Grant, ResponseView};
use super::engine::{RouteEntry, Shared};
use crate::common::ids::IdGen;
use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::provider::ProviderKind;

/// Where a provider's OAuth endpoints live (paths on its mock).
#[derive(Debug, Clone, Copy)]
pub struct Endpoints {
    /// Authorize page path.
    pub authorize: &'static str,
    /// Token endpoint path.
    pub token: &'static str,
    /// Revocation endpoint path; GitHub's contains `{client_id}`.
    pub revoke: &'static str,
}

/// Whether using a refresh token spends it and issues a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// Every refresh rotates.
    Always,
    /// The refresh token lives on.
    Never,
    /// The OAuth app's setting decides (Salesforce's connected apps).
    AppSetting,
}

/// How far revoking one token reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// Just that token.
    Token,
    /// The whole grant: every token of that account and app.
    Grant,
    /// The whole grant when a refresh token is revoked; an access token alone.
    GrantForRefreshTokens,
}

/// How an account signs in at the provider, which decides the login a
/// WorkOS user's email gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    /// With the email address itself (Google, Salesforce).
    Email,
    /// With a handle made from the email's local part (GitHub, Slack).
    Handle,
}

/// The kind of token an issue is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenFlavour {
    /// The app asked for expiring tokens (or the provider always expires them).
    pub expiring: bool,
    /// A user token rather than an app/bot token (Slack's `user_scope`).
    pub user_token: bool,
}

/// One provider, complete.
#[derive(Debug)]
pub struct ProviderSpec {
    /// Which provider (the tests check each spec is filed under its own).
    #[cfg_attr(not(test), allow(dead_code))]
    pub kind: ProviderKind,
    /// The OAuth endpoints.
    pub endpoints: Endpoints,
    /// The mock's default routes.
    pub routes: &'static [RouteEntry],
    /// The path a bearer token reads its owner's profile from.
    pub whoami_path: &'static str,
    /// The codes a 403 of this provider says "rate limited" with, as it
    /// writes them (matched without regard to case).
    pub rate_limit_codes: &'static [&'static str],
    /// The key of that profile that holds the person's login, when it names
    /// one (GitHub's `login`); `None` when it names a workspace or an id.
    pub profile_login_key: Option<&'static str>,
    /// Headers the provider's API requires on every call (GitHub refuses a
    /// call without `User-Agent`).
    pub api_headers: &'static [(&'static str, &'static str)],
    /// The scopes WorkOS asks for when an integration does not choose.
    pub default_scopes: &'static [&'static str],
    /// How the authorize URL joins scopes.
    pub scope_separator: &'static str,
    /// Parameters WorkOS adds to this provider's authorize URL.
    pub authorize_params: &'static [(&'static str, &'static str)],
    /// Whether the shared OAuth app WorkOS registers issues expiring tokens.
    pub expiring_tokens: bool,
    /// How long an authorization code works (ms).
    pub code_ttl_ms: i64,
    /// Access-token lifetime when tokens expire (s).
    pub token_lifetime_secs: i64,
    /// The token is a session: it always expires, its lifetime restarts with
    /// every call and is never announced (Salesforce).
    pub sliding_sessions: bool,
    /// Refresh-token rotation.
    pub rotation: Rotation,
    /// A refresh also retires the access token issued with the old refresh
    /// token (GitHub).
    pub refresh_retires_access_token: bool,
    /// What revoking a token reaches.
    pub revocation: Revocation,
    /// The token endpoint checks a PKCE verifier only when the app opted in
    /// (Slack); otherwise whenever the authorize request carried a challenge.
    pub pkce_opt_in: bool,
    /// How accounts sign in.
    pub sign_in: SignIn,
    /// The account takes the WorkOS user's email rather than a made-up one
    /// (a Slack member's profile email).
    pub email_from_workos: bool,
    /// The email a made-up account of `login` shows.
    pub account_email: fn(login: &str) -> String,
    /// A fresh authorization code.
    pub mint_code: fn(&IdGen) -> String,
    /// A fresh access token and refresh token (empty when none is issued).
    pub mint_tokens: fn(&IdGen, TokenFlavour) -> (String, String),
    /// The prefix of a token imported by hand (`Given alice's github token ...`).
    pub imported_token_prefix: &'static str,
    /// The provider's own answer for a path its mock does not serve.
    pub not_found: fn(path: &str) -> ResponseTemplate,
    /// How an API answer reads. `now` is the virtual clock, in epoch seconds.
    pub classify_api: fn(&ResponseView<'_>, now: i64) -> ApiOutcome,
    /// How a token-endpoint answer reads.
    pub classify_token: fn(Grant, &ResponseView<'_>) -> Result<(), Diagnosis>,
    /// The answer the token endpoint gave, rebuilt from the `error` and
    /// `error_description` WorkOS relays on `return_to`: (status, body).
    pub relayed_token_error: fn(&str, Option<&str>) -> (u16, serde_json::Value),
    /// What the provider's error pages say in place of an error code, in
    /// lower case, with what each phrase means (GitHub's "redirect_uri is
    /// not associated" warning page).
    pub error_page_phrases: &'static [(&'static str, DiagnosisKind)],
    /// Response headers of the provider worth keeping in a transcript
    /// beyond the common ones (a rate-limit header of its own), lower case.
    pub kept_headers: &'static [&'static str],
    /// How the provider answers when a fault is mounted.
    pub faults: FaultAnswers,
    /// Its answers as the real provider sends them, which both the mock's
    /// tests and the classifier's read (see `providers::corpus`).
    #[cfg_attr(not(test), allow(dead_code))]
    pub corpus: &'static [super::corpus::Sample],
}

/// A secondary rate limit's answer (`retry_after` as the fault chose).
pub type SecondaryRateLimit = fn(&Shared, &Request, Option<u64>) -> ResponseTemplate;

/// A provider's answers to the faults a scenario mounts, and which fault
/// parameters it has an equivalent of.
#[derive(Debug)]
pub struct FaultAnswers {
    /// A rate-limited API call (`retry_after`, `status` as the fault chose).
    pub rate_limited: fn(&Shared, &Request, Option<u64>, Option<u16>) -> ResponseTemplate,
    /// The statuses a rate-limit fault may choose between; empty when the
    /// provider answers a rate limit one way only.
    pub rate_limit_statuses: &'static [u16],
    /// Why a rate limit cannot carry a retry time, when it cannot.
    pub no_retry_after: Option<&'static str>,
    /// A secondary rate limit, for providers that have one.
    pub secondary_rate_limit: Option<SecondaryRateLimit>,
    /// A server error with this status.
    pub server_error: fn(u16) -> ResponseTemplate,
    /// A cut-off API answer: (body, content type).
    pub malformed_api_body: (&'static str, &'static str),
    /// An API call whose token lacks the needed scope (needed, granted).
    pub insufficient_scope: fn(&Shared, &Request, Option<&str>, &[String]) -> ResponseTemplate,
    /// A refresh the token endpoint refuses.
    pub refresh_refused: fn(&Request) -> ResponseTemplate,
    /// An unregistered redirect URI can be sent back to the registered
    /// callback with an error, rather than stopping on an error page.
    pub mismatch_can_redirect: bool,
}

/// An email address for a made-up account: the login when it is one, else
/// `login@example.com`.
pub fn plain_email(login: &str) -> String {
    if login.contains('@') {
        login.to_string()
    } else {
        format!("{login}@example.com")
    }
}
