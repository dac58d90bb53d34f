//! The provider-independent OAuth state machine behind every provider mock.
//!
//! It decides *what* happens (this code was already used, this token was
//! revoked, this redirect URI is not registered); the provider modules decide
//! how to say it on the wire. Where providers differ in substance rather than
//! in wording (who rotates refresh tokens, whether a Salesforce session
//! slides, whether Slack checks PKCE) the rule lives here, keyed on the
//! provider, so every wire format reads the same truth.

use std::collections::{BTreeMap, HashMap};

use fake::Fake;
use fake::faker::name::en::Name;

use crate::common::ids::IdGen;
use crate::provider::ProviderKind;
use crate::providers::{Revocation, Rotation, SignIn, TokenFlavour, spec};

/// An OAuth app registered at the provider (a GitHub OAuth app, a Slack app...).
#[derive(Debug, Clone)]
pub struct OAuthApp {
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
    /// Registered callback URLs; matched exactly.
    pub redirect_uris: Vec<String>,
    /// Scopes the app may request; `None` accepts any.
    pub allowed_scopes: Option<Vec<String>>,
    /// Whether tokens expire and come with refresh tokens.
    pub expiring_tokens: bool,
}

/// Someone who can sign in to the provider.
#[derive(Debug, Clone)]
pub struct Account {
    /// Numeric id, as GitHub and Slack have.
    pub id: u64,
    /// Login / handle.
    pub login: String,
    /// Display name (fake, seeded).
    pub name: String,
    /// Email.
    pub email: String,
}

/// How a PKCE challenge was derived from its verifier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ChallengeMethod {
    /// base64url(sha256(verifier)); the only method GitHub, Slack and Salesforce accept.
    #[default]
    S256,
    /// The verifier itself; Google's default when no method is named.
    Plain,
}

/// A code the authorize page issued.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    /// The app it was issued to.
    pub client_id: String,
    /// The redirect URI it was issued for; the exchange must repeat it.
    pub redirect_uri: String,
    /// Scopes the user granted.
    pub scopes: Vec<String>,
    /// Who signed in.
    pub login: String,
    /// When it was issued (virtual ms).
    pub issued_ms: i64,
    /// Codes are single use.
    pub used: bool,
    /// PKCE challenge, if one was sent.
    pub code_challenge: Option<String>,
    /// How the challenge was derived.
    pub challenge_method: ChallengeMethod,
    /// Slack: the user asked for `user_scope` only, so the token is a user token.
    pub user_token: bool,
}

/// What the authorize page knows when it issues a code.
#[derive(Debug, Clone, Default)]
pub struct CodeRequest {
    /// The app.
    pub client_id: String,
    /// The redirect URI the code is bound to.
    pub redirect_uri: String,
    /// Scopes granted.
    pub scopes: Vec<String>,
    /// Who signed in.
    pub login: String,
    /// PKCE challenge, if any.
    pub code_challenge: Option<String>,
    /// PKCE method.
    pub challenge_method: ChallengeMethod,
    /// Slack user token rather than bot token.
    pub user_token: bool,
}

/// What the token endpoint received for a code exchange.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// Client id.
    pub client_id: &'a str,
    /// Client secret, when sent.
    pub client_secret: Option<&'a str>,
    /// The code.
    pub code: &'a str,
    /// The redirect URI, when sent.
    pub redirect_uri: Option<&'a str>,
    /// The PKCE verifier, when sent.
    pub code_verifier: Option<&'a str>,
}

/// An access token.
#[derive(Debug, Clone)]
pub struct Token {
    /// Whose it is.
    pub login: String,
    /// Which app.
    pub client_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Expiry (virtual ms), if it expires.
    pub expires_ms: Option<i64>,
    /// Revoked by the user or the provider.
    pub revoked: bool,
    /// When it was issued (virtual ms).
    pub issued_ms: i64,
    /// Slack user token (`xoxp`) rather than bot token (`xoxb`).
    pub user_token: bool,
}

/// A refresh token.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    /// Whose it is.
    pub login: String,
    /// Which app.
    pub client_id: String,
    /// Scopes carried over to new access tokens.
    pub scopes: Vec<String>,
    /// Revoked, or already used where the provider rotates.
    pub revoked: bool,
    /// When it was issued (virtual ms).
    pub issued_ms: i64,
    /// Slack user token chain.
    pub user_token: bool,
}

/// Why a token endpoint refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantError {
    /// No app with this client id.
    UnknownClient,
    /// The app exists but the secret is wrong.
    BadSecret,
    /// The code was never issued (or was issued to another app).
    UnknownCode,
    /// The code outlived its TTL.
    CodeExpired,
    /// The code was already redeemed.
    CodeUsed,
    /// The redirect URI differs from the one the code was issued for.
    RedirectMismatch,
    /// PKCE verifier does not match the challenge.
    BadVerifier,
    /// A challenge was sent at authorize time but no verifier at exchange time.
    MissingVerifier,
    /// Refresh token unknown, revoked or used.
    BadRefreshToken,
    /// `grant_type` is neither `authorization_code` nor `refresh_token`.
    UnsupportedGrantType,
}

/// Why an API call with a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// No token sent.
    Missing,
    /// Not a token this provider issued.
    Unknown,
    /// Revoked.
    Revoked,
    /// Past its expiry.
    Expired,
}

/// Tokens issued by a successful grant.
#[derive(Debug, Clone)]
pub struct Issued {
    /// Access token.
    pub access_token: String,
    /// Refresh token, when the app has expiring tokens (and, on refresh,
    /// only when the provider rotates).
    pub refresh_token: Option<String>,
    /// Lifetime in seconds, when it expires.
    pub expires_in: Option<i64>,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Who it is for.
    pub login: String,
    /// Which app.
    pub client_id: String,
    /// When (virtual ms).
    pub issued_ms: i64,
    /// Slack user token.
    pub user_token: bool,
}

/// A switch that is off, on for good, or on for the next `n` uses: how a
/// fault says "fail the next N times, then recover" in the engine's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Countdown {
    /// Never fires.
    #[default]
    Off,
    /// Fires every time until switched off.
    Always,
    /// Fires this many more times.
    Next(u64),
}

impl Countdown {
    /// `Always` for `None`, `Next(n)` for `Some(n)` (`Off` for zero).
    pub fn times(times: Option<u64>) -> Self {
        match times {
            None => Countdown::Always,
            Some(0) => Countdown::Off,
            Some(n) => Countdown::Next(n),
        }
    }

    /// Whether it fires now; counts the use.
    pub fn take(&mut self) -> bool {
        match *self {
            Countdown::Off => false,
            Countdown::Always => true,
            Countdown::Next(n) => {
                *self = if n <= 1 {
                    Countdown::Off
                } else {
                    Countdown::Next(n - 1)
                };
                n > 0
            }
        }
    }
}

/// Token rules that replace the built-in provider's own: how long access
/// tokens live, whether a grant carries a refresh token and whether using it
/// rotates it. A custom provider's spec sets them; `None` on an engine keeps
/// the rules of its [`ProviderKind`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenRules {
    /// Access-token lifetime in seconds; `None`: tokens never expire.
    pub lifetime_secs: Option<i64>,
    /// Whether a code exchange issues a refresh token.
    pub refresh_tokens: bool,
    /// Whether a refresh spends the refresh token and issues a new one.
    pub rotate: bool,
}

/// The state of one provider.
#[derive(Debug)]
pub struct OAuthEngine {
    /// Which provider.
    pub kind: ProviderKind,
    /// Registered apps by client id.
    pub apps: BTreeMap<String, OAuthApp>,
    /// Accounts by login.
    pub accounts: BTreeMap<String, Account>,
    /// Which account each WorkOS user signed in with, by WorkOS user id: a
    /// sign-in with no login named goes back to that user's own account.
    pub bindings: HashMap<String, String>,
    /// Issued codes.
    pub codes: HashMap<String, CodeGrant>,
    /// Issued access tokens.
    pub tokens: HashMap<String, Token>,
    /// Issued refresh tokens.
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    /// The user clicks "deny" on the authorize page.
    pub user_denies: bool,
    /// The user clicks "deny" on the next authorize pages (a fault).
    pub deny_consent: Countdown,
    /// An unregistered redirect URI shows an error page instead of
    /// redirecting (GitHub's observed mode; the other providers always do).
    pub mismatch_page: bool,
    /// The next codes are redeemed by someone else before the real exchange
    /// (a double-submitted callback), so the exchange meets a used code.
    pub reuse_codes: Countdown,
    /// The browser takes `return_delay_ms` to bring the next codes back
    /// (a fault: the code can be dead on arrival).
    pub slow_consent: Countdown,
    /// How long a slow return takes, in virtual milliseconds.
    pub return_delay_ms: i64,
    /// Provider-wide: every app issues expiring tokens with refresh tokens
    /// (GitHub "expire user authorization tokens", Slack token rotation).
    pub expiring_tokens: bool,
    /// Salesforce: the connected app's refresh token rotation setting.
    pub rotate_refresh_tokens: bool,
    /// Slack: the app opted in to PKCE (irreversible in Slack's settings).
    pub pkce_opt_in: bool,
    /// Scopes no app may request here (a fault: "scope not allowed").
    pub forbidden_scopes: Vec<String>,
    /// API calls answered so far, per token (for rate-limit headers).
    pub calls: HashMap<String, u64>,
    /// Fake data generated on first use and kept so repeated reads agree
    /// (a Slack workspace, a Salesforce org's records...).
    pub data: HashMap<String, serde_json::Value>,
    /// Token rules replacing the provider's own (a custom provider's spec).
    pub token_rules: Option<TokenRules>,
}

/// Code lifetime: 10 minutes for GitHub, Slack and Google, 15 for Salesforce.
pub fn code_ttl_ms(kind: ProviderKind) -> i64 {
    spec(kind).code_ttl_ms
}

/// Access-token lifetime for apps with expiring tokens. For Salesforce this
/// is the default session timeout, which restarts with every call and is
/// never announced in the token response.
pub fn token_lifetime_secs(kind: ProviderKind) -> i64 {
    spec(kind).token_lifetime_secs
}

/// Whether using a refresh token spends it and issues a new one.
pub fn rotates(kind: ProviderKind, app_setting: bool) -> bool {
    match spec(kind).rotation {
        Rotation::Always => true,
        Rotation::Never => false,
        Rotation::AppSetting => app_setting,
    }
}

/// A fake but stable account for `login`.
/// Who a connect flow is for, as WorkOS knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connecting {
    /// The WorkOS user id.
    pub user_id: String,
    /// Their email.
    pub email: String,
}

/// The login a provider gives the owner of `email`: the email itself where
/// people sign in with one (Google, Salesforce), else its local part as a
/// handle (`alice+test@example.com` → `alice-test`).
pub fn login_for_email(kind: ProviderKind, email: &str) -> String {
    match spec(kind).sign_in {
        SignIn::Email => email.to_ascii_lowercase(),
        SignIn::Handle => {
            let local = email.split('@').next().unwrap_or(email);
            let handle: String = local
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            let handle = handle.trim_matches('-').to_string();
            if handle.is_empty() {
                "user".to_string()
            } else {
                handle
            }
        }
    }
}

pub fn fake_account(kind: ProviderKind, login: &str, ids: &IdGen) -> Account {
    let name: String = ids.with_rng(|rng| Name().fake_with_rng(rng));
    let id = ids.number(1_000_000..99_999_999);
    let email = (spec(kind).account_email)(login);
    Account {
        id,
        login: login.to_string(),
        name,
        email,
    }
}

impl OAuthEngine {
    /// Registers (or updates) an OAuth app as a team does in the provider's
    /// console: the client id and secret, one more redirect URI; a new app
    /// issues expiring tokens when `expiring` says so.
    pub fn register_client(
        &mut self,
        client_id: &str,
        client_secret: &str,
        redirect_uri: &str,
        expiring: bool,
    ) {
        let app = self
            .apps
            .entry(client_id.to_string())
            .or_insert_with(|| OAuthApp {
                client_id: client_id.to_string(),
                client_secret: client_secret.to_string(),
                redirect_uris: Vec::new(),
                allowed_scopes: None,
                expiring_tokens: expiring,
            });
        app.client_secret = client_secret.to_string();
        if !app.redirect_uris.iter().any(|r| r == redirect_uri) {
            app.redirect_uris.push(redirect_uri.to_string());
        }
    }

    /// An engine with no apps and no accounts.
    pub fn new(kind: ProviderKind) -> Self {
        OAuthEngine {
            kind,
            apps: BTreeMap::new(),
            accounts: BTreeMap::new(),
            bindings: HashMap::new(),
            codes: HashMap::new(),
            tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            user_denies: false,
            deny_consent: Countdown::Off,
            mismatch_page: false,
            reuse_codes: Countdown::Off,
            slow_consent: Countdown::Off,
            return_delay_ms: 0,
            expiring_tokens: false,
            rotate_refresh_tokens: false,
            pkce_opt_in: false,
            forbidden_scopes: Vec::new(),
            calls: HashMap::new(),
            data: HashMap::new(),
            token_rules: None,
        }
    }

    /// The account signing in: the one named, else the first, else a new default.
    /// Who signs in on the authorize page of a flow WorkOS started for
    /// `connecting`: the login the browser names (cookie, `login`,
    /// `login_hint`) if any; else the account this WorkOS user signed in with
    /// before; else an unclaimed account with the user's email or the login
    /// derived from it; else a new account made from the email. Never an
    /// account another WorkOS user signed in with.
    pub fn signed_in_for(
        &mut self,
        login: Option<&str>,
        connecting: Option<&Connecting>,
        ids: &IdGen,
    ) -> Account {
        let Some(who) = connecting.filter(|_| login.is_none()) else {
            let account = self.signed_in(login, ids);
            if let Some(who) = connecting {
                self.bindings
                    .insert(who.user_id.clone(), account.login.clone());
            }
            return account;
        };
        if let Some(a) = self
            .bindings
            .get(&who.user_id)
            .and_then(|l| self.accounts.get(l))
        {
            return a.clone();
        }
        let claimed: Vec<&String> = self
            .bindings
            .iter()
            .filter(|(user, _)| **user != who.user_id)
            .map(|(_, l)| l)
            .collect();
        let wanted = login_for_email(self.kind, &who.email);
        let found = self
            .accounts
            .values()
            .find(|a| {
                !claimed.contains(&&a.login)
                    && (a.email.eq_ignore_ascii_case(&who.email) || a.login == wanted)
            })
            .cloned();
        let account = match found {
            Some(a) => a,
            None => {
                let mut login = wanted.clone();
                let mut n = 2;
                while self.accounts.contains_key(&login) {
                    login = format!("{wanted}-{n}");
                    n += 1;
                }
                let mut a = fake_account(self.kind, &login, ids);
                if spec(self.kind).email_from_workos {
                    a.email = who.email.clone();
                }
                self.accounts.insert(login, a.clone());
                a
            }
        };
        self.bindings
            .insert(who.user_id.clone(), account.login.clone());
        account
    }

    /// The account signed in when the flow's WorkOS user is unknown: the
    /// named login, else the first account the provider knows.
    pub fn signed_in(&mut self, login: Option<&str>, ids: &IdGen) -> Account {
        if let Some(a) = login.and_then(|l| self.accounts.get(l)) {
            return a.clone();
        }
        if let Some(l) = login {
            let a = fake_account(self.kind, l, ids);
            self.accounts.insert(l.to_string(), a.clone());
            return a;
        }
        if let Some(a) = self.accounts.values().next() {
            return a.clone();
        }
        let a = fake_account(self.kind, "octocat", ids);
        self.accounts.insert(a.login.clone(), a.clone());
        a
    }

    /// Whether the user refuses consent on this authorize page.
    pub fn denies_now(&mut self) -> bool {
        self.user_denies || self.deny_consent.take()
    }

    /// Scopes of `requested` the app may not ask for.
    pub fn refused_scopes(&self, client_id: &str, requested: &[String]) -> Vec<String> {
        let allowed = self
            .apps
            .get(client_id)
            .and_then(|a| a.allowed_scopes.as_ref());
        requested
            .iter()
            .filter(|s| {
                self.forbidden_scopes.contains(s) || allowed.is_some_and(|a| !a.contains(s))
            })
            .cloned()
            .collect()
    }

    /// Issues a code; the `reuse_codes` fault spends it at once.
    pub fn issue_code(&mut self, ids: &IdGen, now_ms: i64, req: CodeRequest) -> String {
        let code = (spec(self.kind).mint_code)(ids);
        let used = self.reuse_codes.take();
        self.codes.insert(
            code.clone(),
            CodeGrant {
                client_id: req.client_id,
                redirect_uri: req.redirect_uri,
                scopes: req.scopes,
                login: req.login,
                issued_ms: now_ms,
                used,
                code_challenge: req.code_challenge,
                challenge_method: req.challenge_method,
                user_token: req.user_token,
            },
        );
        code
    }

    /// Checks the client credentials.
    pub fn check_client(
        &self,
        client_id: &str,
        client_secret: Option<&str>,
    ) -> Result<&OAuthApp, GrantError> {
        match self.apps.get(client_id) {
            None => Err(GrantError::UnknownClient),
            Some(app) if client_secret.is_none_or(|s| s == app.client_secret) => Ok(app),
            Some(_) => Err(GrantError::BadSecret),
        }
    }

    /// Whether `client_id`'s tokens expire (the app's setting or the provider-wide one).
    fn expiring(&self, client_id: &str) -> bool {
        self.expiring_tokens || self.apps.get(client_id).is_some_and(|a| a.expiring_tokens)
    }

    /// Exchanges a code; the code is spent even when the exchange fails
    /// later, as providers do.
    pub fn exchange_code(
        &mut self,
        ids: &IdGen,
        now_ms: i64,
        ex: Exchange<'_>,
    ) -> Result<Issued, GrantError> {
        self.check_client(ex.client_id, ex.client_secret)?;
        let expiring = self.expiring(ex.client_id);
        let ttl = code_ttl_ms(self.kind);
        let checks_pkce = !spec(self.kind).pkce_opt_in || self.pkce_opt_in;
        let grant = match self.codes.get_mut(ex.code) {
            Some(g) if g.client_id == ex.client_id => g,
            _ => return Err(GrantError::UnknownCode),
        };
        if grant.used {
            return Err(GrantError::CodeUsed);
        }
        grant.used = true;
        if now_ms - grant.issued_ms > ttl {
            return Err(GrantError::CodeExpired);
        }
        if ex.redirect_uri.is_some_and(|r| r != grant.redirect_uri) {
            return Err(GrantError::RedirectMismatch);
        }
        if let (Some(challenge), true) = (&grant.code_challenge, checks_pkce) {
            let derived = match (ex.code_verifier, grant.challenge_method) {
                (None, _) => return Err(GrantError::MissingVerifier),
                (Some(v), ChallengeMethod::S256) => pkce_challenge(v),
                (Some(v), ChallengeMethod::Plain) => v.to_string(),
            };
            if derived != *challenge {
                return Err(GrantError::BadVerifier);
            }
        }
        let (login, scopes, user_token) =
            (grant.login.clone(), grant.scopes.clone(), grant.user_token);
        Ok(self.issue_tokens(
            ids,
            now_ms,
            ex.client_id,
            &login,
            scopes,
            expiring,
            true,
            user_token,
        ))
    }

    /// Refreshes: GitHub and Slack spend the refresh token and issue a new
    /// one, Google never does, Salesforce only with rotation enabled.
    pub fn refresh(
        &mut self,
        ids: &IdGen,
        now_ms: i64,
        client_id: &str,
        client_secret: Option<&str>,
        refresh_token: &str,
    ) -> Result<Issued, GrantError> {
        self.check_client(client_id, client_secret)?;
        let rotating = match self.token_rules {
            Some(rules) => rules.rotate,
            None => rotates(self.kind, self.rotate_refresh_tokens),
        };
        let kind = self.kind;
        let grant = match self.refresh_tokens.get_mut(refresh_token) {
            Some(g) if !g.revoked && g.client_id == client_id => g,
            _ => return Err(GrantError::BadRefreshToken),
        };
        let (login, scopes, user_token) =
            (grant.login.clone(), grant.scopes.clone(), grant.user_token);
        if rotating {
            grant.revoked = true;
        }
        if spec(kind).refresh_retires_access_token {
            // GitHub also retires the access token issued with the old refresh
            // token; others let it live until it expires.
            for t in self.tokens.values_mut() {
                if t.login == login && t.client_id == client_id {
                    t.revoked = true;
                }
            }
        }
        Ok(self.issue_tokens(
            ids, now_ms, client_id, &login, scopes, true, rotating, user_token,
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn issue_tokens(
        &mut self,
        ids: &IdGen,
        now_ms: i64,
        client_id: &str,
        login: &str,
        scopes: Vec<String>,
        expiring: bool,
        new_refresh_token: bool,
        user_token: bool,
    ) -> Issued {
        let spec = spec(self.kind);
        let (access, refresh) = match self.token_rules {
            Some(_) => (ids.secret("at_", 40), ids.secret("rt_", 48)),
            None => (spec.mint_tokens)(
                ids,
                TokenFlavour {
                    expiring,
                    user_token,
                },
            ),
        };
        // A session always times out, whatever the app's settings.
        let mut lifetime =
            (expiring || spec.sliding_sessions).then(|| token_lifetime_secs(self.kind));
        let mut expires_in = expiring.then(|| token_lifetime_secs(self.kind));
        let mut with_refresh = expiring && new_refresh_token;
        if let Some(rules) = self.token_rules {
            lifetime = rules.lifetime_secs;
            expires_in = rules.lifetime_secs;
            with_refresh = rules.refresh_tokens && new_refresh_token;
        }
        self.tokens.insert(
            access.clone(),
            Token {
                login: login.to_string(),
                client_id: client_id.to_string(),
                scopes: scopes.clone(),
                expires_ms: lifetime.map(|s| now_ms + s * 1000),
                revoked: false,
                issued_ms: now_ms,
                user_token,
            },
        );
        let refresh = with_refresh.then_some(refresh);
        if let Some(rt) = &refresh {
            self.refresh_tokens.insert(
                rt.clone(),
                RefreshGrant {
                    login: login.to_string(),
                    client_id: client_id.to_string(),
                    scopes: scopes.clone(),
                    revoked: false,
                    issued_ms: now_ms,
                    user_token,
                },
            );
        }
        Issued {
            access_token: access,
            refresh_token: refresh,
            expires_in,
            scopes,
            login: login.to_string(),
            client_id: client_id.to_string(),
            issued_ms: now_ms,
            user_token,
        }
    }

    /// Checks a bearer token for an API call. A Salesforce session restarts
    /// its timeout with every successful call.
    pub fn authenticate(
        &mut self,
        token: Option<&str>,
        now_ms: i64,
    ) -> Result<(Account, Token), TokenProblem> {
        let kind = self.kind;
        let token = token.ok_or(TokenProblem::Missing)?;
        let t = self.tokens.get_mut(token).ok_or(TokenProblem::Unknown)?;
        if t.revoked {
            return Err(TokenProblem::Revoked);
        }
        if t.expires_ms.is_some_and(|e| now_ms >= e) {
            return Err(TokenProblem::Expired);
        }
        if spec(kind).sliding_sessions {
            t.expires_ms = Some(now_ms + token_lifetime_secs(kind) * 1000);
        }
        let t = t.clone();
        let account = self.accounts.get(&t.login).ok_or(TokenProblem::Unknown)?;
        Ok((account.clone(), t))
    }

    /// Revokes one token at the provider's revocation endpoint, with the
    /// provider's reach: Google revokes the whole grant, Salesforce revokes a
    /// refresh token's sessions with it, GitHub and Slack just the token.
    /// `false` when the token is unknown or already revoked.
    pub fn revoke_token(&mut self, token: &str) -> bool {
        let (login, client_id, was_refresh) = if let Some(t) = self.tokens.get_mut(token) {
            if t.revoked {
                return false;
            }
            t.revoked = true;
            (t.login.clone(), t.client_id.clone(), false)
        } else if let Some(r) = self.refresh_tokens.get_mut(token) {
            if r.revoked {
                return false;
            }
            r.revoked = true;
            (r.login.clone(), r.client_id.clone(), true)
        } else {
            return false;
        };
        let whole_grant = match spec(self.kind).revocation {
            Revocation::Grant => true,
            Revocation::GrantForRefreshTokens => was_refresh,
            Revocation::Token => false,
        };
        if whole_grant {
            self.revoke_where(|l, c| l == login && c == client_id);
        }
        true
    }

    fn revoke_where(&mut self, matches: impl Fn(&str, &str) -> bool) -> usize {
        let mut n = 0;
        for t in self
            .tokens
            .values_mut()
            .filter(|t| !t.revoked && matches(&t.login, &t.client_id))
        {
            t.revoked = true;
            n += 1;
        }
        for r in self
            .refresh_tokens
            .values_mut()
            .filter(|r| !r.revoked && matches(&r.login, &r.client_id))
        {
            r.revoked = true;
            n += 1;
        }
        n
    }

    /// Revokes every token and refresh token of `login` (the user removed the app).
    pub fn revoke_all(&mut self, login: &str) -> usize {
        self.revoke_where(|l, _| l == login)
    }

    /// Revokes every token and refresh token of every user.
    pub fn revoke_everyone(&mut self) -> usize {
        self.revoke_where(|_, _| true)
    }

    /// Revokes only refresh tokens of `login` (or everyone's); access tokens
    /// keep working until they expire.
    pub fn revoke_refresh_tokens(&mut self, login: Option<&str>) -> usize {
        let mut n = 0;
        for r in self
            .refresh_tokens
            .values_mut()
            .filter(|r| !r.revoked && login.is_none_or(|l| r.login == l))
        {
            r.revoked = true;
            n += 1;
        }
        n
    }

    /// Ends the life of every live access token of `login` (or everyone's)
    /// now, as if its lifetime had run out.
    pub fn expire_tokens(&mut self, login: Option<&str>, now_ms: i64) -> usize {
        let mut n = 0;
        for t in self
            .tokens
            .values_mut()
            .filter(|t| !t.revoked && login.is_none_or(|l| t.login == l))
        {
            if t.expires_ms.is_none_or(|e| e > now_ms) {
                t.expires_ms = Some(now_ms);
                n += 1;
            }
        }
        n
    }

    /// Refresh tokens of `login`: (live, spent or revoked).
    pub fn refresh_token_counts(&self, login: &str) -> (usize, usize) {
        let mine = self.refresh_tokens.values().filter(|r| r.login == login);
        let live = mine.clone().filter(|r| !r.revoked).count();
        let dead = mine.filter(|r| r.revoked).count();
        (live, dead)
    }
}

/// The S256 PKCE challenge of a verifier: base64url(sha256(verifier)), no padding.
pub fn pkce_challenge(verifier: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::common::clock::Clock;

    pub(crate) fn engine_for(kind: ProviderKind, expiring: bool) -> (OAuthEngine, IdGen) {
        let mut e = OAuthEngine::new(kind);
        e.apps.insert(
            "cid".into(),
            OAuthApp {
                client_id: "cid".into(),
                client_secret: "secret".into(),
                redirect_uris: vec!["http://cb".into()],
                allowed_scopes: None,
                expiring_tokens: expiring,
            },
        );
        let ids = IdGen::new(Clock::scenario(), 1);
        e.signed_in(Some("alice"), &ids);
        (e, ids)
    }

    pub(crate) fn engine() -> (OAuthEngine, IdGen) {
        engine_for(ProviderKind::Github, false)
    }

    pub(crate) fn code(
        e: &mut OAuthEngine,
        ids: &IdGen,
        at: i64,
        challenge: Option<String>,
    ) -> String {
        e.issue_code(
            ids,
            at,
            CodeRequest {
                client_id: "cid".into(),
                redirect_uri: "http://cb".into(),
                scopes: vec!["repo".into()],
                login: "alice".into(),
                code_challenge: challenge,
                ..CodeRequest::default()
            },
        )
    }

    pub(crate) fn exchange<'a>(code: &'a str, verifier: Option<&'a str>) -> Exchange<'a> {
        Exchange {
            client_id: "cid",
            client_secret: Some("secret"),
            code,
            redirect_uri: None,
            code_verifier: verifier,
        }
    }

    pub(crate) fn connect(e: &mut OAuthEngine, ids: &IdGen) -> Issued {
        let c = code(e, ids, 0, None);
        e.exchange_code(ids, 1, exchange(&c, None))
            .expect("a fresh code exchanges")
    }

    #[test]
    fn a_code_works_once() {
        let (mut e, ids) = engine();
        let c = code(&mut e, &ids, 0, None);
        assert!(e.exchange_code(&ids, 1, exchange(&c, None)).is_ok());
        assert_eq!(
            e.exchange_code(&ids, 2, exchange(&c, None)).unwrap_err(),
            GrantError::CodeUsed
        );
    }

    #[test]
    fn an_unknown_code_is_told_apart_from_a_used_one() {
        let (mut e, ids) = engine();
        assert_eq!(
            e.exchange_code(&ids, 2, exchange("nope", None))
                .unwrap_err(),
            GrantError::UnknownCode
        );
    }

    #[test]
    fn a_code_older_than_its_ttl_is_refused() {
        let (mut e, ids) = engine();
        let c = code(&mut e, &ids, 0, None);
        let late = code_ttl_ms(ProviderKind::Github) + 1;
        assert_eq!(
            e.exchange_code(&ids, late, exchange(&c, None)).unwrap_err(),
            GrantError::CodeExpired
        );
    }

    #[test]
    fn pkce_verifier_must_match_the_challenge() {
        let (mut e, ids) = engine();
        let c = code(&mut e, &ids, 0, Some(pkce_challenge("verifier-1")));
        assert_eq!(
            e.exchange_code(&ids, 1, exchange(&c, Some("other")))
                .unwrap_err(),
            GrantError::BadVerifier
        );
    }

    #[test]
    fn a_challenge_without_a_verifier_is_refused() {
        let (mut e, ids) = engine();
        let c = code(&mut e, &ids, 0, Some(pkce_challenge("v")));
        assert_eq!(
            e.exchange_code(&ids, 1, exchange(&c, None)).unwrap_err(),
            GrantError::MissingVerifier
        );
    }

    #[test]
    fn the_reuse_fault_spends_the_next_code_only() {
        let (mut e, ids) = engine();
        e.reuse_codes = Countdown::times(Some(1));
        let first = code(&mut e, &ids, 0, None);
        let second = code(&mut e, &ids, 0, None);
        assert_eq!(
            e.exchange_code(&ids, 1, exchange(&first, None))
                .unwrap_err(),
            GrantError::CodeUsed
        );
        assert!(e.exchange_code(&ids, 1, exchange(&second, None)).is_ok());
    }

    #[test]
    fn a_wrong_secret_is_told_apart_from_an_unknown_client() {
        let (e, _) = engine();
        assert_eq!(
            e.check_client("cid", Some("wrong")).unwrap_err(),
            GrantError::BadSecret
        );
        assert_eq!(
            e.check_client("other", Some("secret")).unwrap_err(),
            GrantError::UnknownClient
        );
    }

    #[test]
    fn revoked_tokens_fail_authentication() {
        let (mut e, ids) = engine();
        let issued = connect(&mut e, &ids);
        assert!(e.authenticate(Some(&issued.access_token), 2).is_ok());
        e.revoke_all("alice");
        assert_eq!(
            e.authenticate(Some(&issued.access_token), 2).unwrap_err(),
            TokenProblem::Revoked
        );
    }

    #[test]
    fn expiring_tokens_makes_them_fail_as_expired() {
        let (mut e, ids) = engine();
        let issued = connect(&mut e, &ids);
        assert_eq!(e.expire_tokens(Some("alice"), 5), 1);
        assert_eq!(
            e.authenticate(Some(&issued.access_token), 5).unwrap_err(),
            TokenProblem::Expired
        );
    }

    #[test]
    fn a_countdown_fires_the_given_number_of_times() {
        let mut c = Countdown::times(Some(2));
        assert!(c.take());
        assert!(c.take());
        assert!(!c.take());
        assert_eq!(c, Countdown::Off);
        let mut always = Countdown::times(None);
        assert!((0..5).all(|_| always.take()));
    }
}
