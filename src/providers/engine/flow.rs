//! The steps every provider's OAuth endpoints take, before the wire format:
//! reading an authorize request and deciding its outcome, reading a token
//! request and running it against the engine, authenticating an API call.
//!
//! Provider modules turn the outcomes into their own pages, redirects and
//! bodies; keeping the decisions here means a fault such as "deny consent"
//! or "the user lingers on the consent screen" behaves the same everywhere.

use std::collections::HashMap;
use std::time::Duration;

use wiremock::Request;

use super::Shared;
use super::oauth::{
    Account, ChallengeMethod, CodeRequest, Exchange, GrantError, Issued, Token, TokenProblem,
};
use super::wire::{self, cookie_login, form, query};

/// What the browser asked the authorize page for.
#[derive(Debug, Clone, Default)]
pub struct AuthorizeRequest {
    /// `client_id`.
    pub client_id: String,
    /// `redirect_uri`, if sent.
    pub redirect_uri: Option<String>,
    /// Requested scopes.
    pub scopes: Vec<String>,
    /// `state`, echoed back.
    pub state: Option<String>,
    /// Who is signed in to the provider (cookie or `login` hint).
    pub login: Option<String>,
    /// `code_challenge`.
    pub code_challenge: Option<String>,
    /// `code_challenge_method` as sent.
    pub challenge_method: Option<String>,
    /// Slack: only `user_scope` was asked for.
    pub user_token: bool,
}

impl AuthorizeRequest {
    /// Reads the common parameters; `scope` is split on the provider's
    /// separator (either is tolerated, as the providers do).
    pub fn read(shared: &Shared, req: &Request) -> (Self, HashMap<String, String>) {
        let q = query(req);
        let login = cookie_login(req, shared.kind.slug())
            .or_else(|| q.get("login").cloned())
            .or_else(|| q.get("login_hint").cloned());
        let scopes = q
            .get("scope")
            .map(|s| wire::split_scopes(s))
            .unwrap_or_default();
        let request = AuthorizeRequest {
            client_id: q.get("client_id").cloned().unwrap_or_default(),
            redirect_uri: q.get("redirect_uri").cloned(),
            scopes,
            state: q.get("state").cloned(),
            login,
            code_challenge: q.get("code_challenge").cloned(),
            challenge_method: q.get("code_challenge_method").cloned(),
            user_token: false,
        };
        (request, q)
    }
}

/// What the authorize page does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeOutcome {
    /// No app with this client id.
    UnknownClient,
    /// The redirect URI is not registered; `registered` is the app's first callback.
    RedirectMismatch {
        /// The app's first registered callback.
        registered: String,
        /// The URI the request named.
        requested: String,
        /// The mismatch-page mode is on (GitHub's observed behaviour).
        page: bool,
    },
    /// The app may not ask for these scopes.
    InvalidScope {
        /// Where to send the error.
        redirect_uri: String,
        /// The refused scopes.
        scopes: Vec<String>,
    },
    /// The request is unusable (e.g. a PKCE method the provider refuses).
    InvalidRequest {
        /// Where to send the error.
        redirect_uri: String,
        /// Why.
        message: String,
    },
    /// The user clicked "deny".
    Denied {
        /// Where to send the error.
        redirect_uri: String,
    },
    /// Consent given: a code for the callback.
    Code {
        /// The callback.
        redirect_uri: String,
        /// The code.
        code: String,
    },
}

/// Decides the authorize page's outcome. `plain_pkce` says whether the
/// provider accepts `code_challenge_method=plain` (Google does, the others
/// only S256).
pub fn authorize(shared: &Shared, req: &AuthorizeRequest, plain_pkce: bool) -> AuthorizeOutcome {
    let now = shared.clock.now_ms();
    // Asked before the engine is locked: the answer comes from WorkOS's state.
    let connecting = req.state.as_deref().and_then(|s| shared.connecting(s));
    let mut engine = shared.engine();
    let Some(app) = engine.apps.get(&req.client_id).cloned() else {
        return AuthorizeOutcome::UnknownClient;
    };
    let registered = app.redirect_uris.first().cloned().unwrap_or_default();
    let redirect_uri = req
        .redirect_uri
        .clone()
        .unwrap_or_else(|| registered.clone());
    if !app.redirect_uris.contains(&redirect_uri) {
        return AuthorizeOutcome::RedirectMismatch {
            registered,
            requested: redirect_uri,
            page: engine.mismatch_page,
        };
    }
    let refused = engine.refused_scopes(&req.client_id, &req.scopes);
    if !refused.is_empty() {
        return AuthorizeOutcome::InvalidScope {
            redirect_uri,
            scopes: refused,
        };
    }
    let method = match req.challenge_method.as_deref() {
        None if req.code_challenge.is_some() && plain_pkce => ChallengeMethod::Plain,
        None | Some("S256") => ChallengeMethod::S256,
        Some("plain") if plain_pkce => ChallengeMethod::Plain,
        Some(other) => {
            return AuthorizeOutcome::InvalidRequest {
                redirect_uri,
                message: format!("Unsupported code_challenge_method: {other}"),
            };
        }
    };
    if engine.denies_now() {
        return AuthorizeOutcome::Denied { redirect_uri };
    }
    let account = engine.signed_in_for(req.login.as_deref(), connecting.as_ref(), &shared.ids);
    let lingers = engine
        .slow_consent
        .take()
        .then_some(engine.return_delay_ms.max(0));
    let code = engine.issue_code(
        &shared.ids,
        now,
        CodeRequest {
            client_id: req.client_id.clone(),
            redirect_uri: redirect_uri.clone(),
            scopes: req.scopes.clone(),
            login: account.login.clone(),
            code_challenge: req.code_challenge.clone(),
            challenge_method: method,
            user_token: req.user_token,
        },
    );
    drop(engine);
    shared.recorder.secret("code", &code);
    if let Some(ms) = lingers {
        // The code is issued when the user clicks "allow"; a browser that
        // takes longer than the code lives to come back delivers it dead.
        let wait = Duration::from_millis(u64::try_from(ms).unwrap_or(0));
        shared.clock.advance(wait);
        shared.recorder.note(
            "browser",
            format!(
                "{}'s browser took {} to come back from {} with the code",
                account.login,
                crate::common::duration::spoken(wait),
                shared.kind.display_name(),
            ),
        );
    }
    AuthorizeOutcome::Code { redirect_uri, code }
}

/// A token endpoint request, whatever its encoding.
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    /// `grant_type` (Slack may omit it for a code).
    pub grant_type: Option<String>,
    /// Client id (body or HTTP Basic).
    pub client_id: String,
    /// Client secret, when sent.
    pub client_secret: Option<String>,
    /// `code`.
    pub code: Option<String>,
    /// `redirect_uri`.
    pub redirect_uri: Option<String>,
    /// `code_verifier`.
    pub code_verifier: Option<String>,
    /// `refresh_token`.
    pub refresh_token: Option<String>,
    /// Every field, for provider-specific ones (`format`...).
    pub fields: HashMap<String, String>,
}

/// Which grant a token request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantKind {
    /// `authorization_code`.
    Code,
    /// `refresh_token`.
    Refresh,
}

impl TokenRequest {
    /// Reads body, query string and HTTP Basic credentials.
    pub fn read(req: &Request) -> Self {
        let mut f = form(req);
        for (k, v) in query(req) {
            f.entry(k).or_insert(v);
        }
        let (client_id, client_secret) = match wire::basic_auth(req) {
            Some((id, secret)) => (id, Some(secret)),
            None => (
                f.get("client_id").cloned().unwrap_or_default(),
                f.get("client_secret").cloned(),
            ),
        };
        TokenRequest {
            grant_type: f.get("grant_type").cloned(),
            client_id,
            client_secret,
            code: f.get("code").cloned(),
            redirect_uri: f.get("redirect_uri").cloned(),
            code_verifier: f.get("code_verifier").cloned(),
            refresh_token: f.get("refresh_token").cloned(),
            fields: f,
        }
    }

    /// The grant asked for; `None` for an unsupported `grant_type`.
    /// `default_code` lets a missing `grant_type` mean a code exchange (Slack, GitHub).
    pub fn grant(&self, default_code: bool) -> Option<GrantKind> {
        match self.grant_type.as_deref() {
            Some("authorization_code") => Some(GrantKind::Code),
            Some("refresh_token") => Some(GrantKind::Refresh),
            None if default_code => Some(GrantKind::Code),
            _ => None,
        }
    }
}

/// Runs a token request against the engine and registers what it issues
/// as secrets.
pub fn run_token(
    shared: &Shared,
    t: &TokenRequest,
    default_code: bool,
) -> (Option<GrantKind>, Result<Issued, GrantError>) {
    let Some(grant) = t.grant(default_code) else {
        return (None, Err(GrantError::UnsupportedGrantType));
    };
    let now = shared.clock.now_ms();
    let result = {
        let mut engine = shared.engine();
        match grant {
            GrantKind::Refresh => engine.refresh(
                &shared.ids,
                now,
                &t.client_id,
                t.client_secret.as_deref(),
                t.refresh_token.as_deref().unwrap_or_default(),
            ),
            GrantKind::Code => engine.exchange_code(
                &shared.ids,
                now,
                Exchange {
                    client_id: &t.client_id,
                    client_secret: t.client_secret.as_deref(),
                    code: t.code.as_deref().unwrap_or_default(),
                    redirect_uri: t.redirect_uri.as_deref(),
                    code_verifier: t.code_verifier.as_deref(),
                },
            ),
        }
    };
    if let Ok(issued) = &result {
        shared.recorder.secret("access_token", &issued.access_token);
        if let Some(rt) = &issued.refresh_token {
            shared.recorder.secret("refresh_token", rt);
        }
    }
    (Some(grant), result)
}

/// Authenticates an API call's bearer token and counts the call.
/// Returns the call number for this token too (for usage headers).
pub fn authenticate(
    shared: &Shared,
    token: Option<&str>,
) -> (u64, Result<(Account, Token), TokenProblem>) {
    let now = shared.clock.now_ms();
    let mut engine = shared.engine();
    let used = {
        let n = engine
            .calls
            .entry(token.unwrap_or_default().to_string())
            .or_insert(0);
        *n += 1;
        *n
    };
    (used, engine.authenticate(token, now))
}

/// Runs `make` once and keeps its value under `key`, so fake data stays
/// the same across calls.
pub fn cached(
    shared: &Shared,
    key: &str,
    make: impl FnOnce(&Shared) -> serde_json::Value,
) -> serde_json::Value {
    if let Some(v) = shared.engine().data.get(key) {
        return v.clone();
    }
    let value = make(shared);
    shared
        .engine()
        .data
        .entry(key.to_string())
        .or_insert(value)
        .clone()
}
