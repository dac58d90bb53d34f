//! The provider-independent OAuth state machine behind every provider mock.
//!
//! It decides *what* happens (this code was already used, this token was
//! revoked, this redirect URI is not registered); the provider modules decide
//! how to say it on the wire.

use std::collections::{BTreeMap, HashMap};

use fake::Fake;
use fake::faker::name::en::Name;

use crate::mock::ids::IdGen;
use crate::provider::ProviderKind;

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
    /// PKCE challenge (S256), if one was sent.
    pub code_challenge: Option<String>,
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
}

/// Why a token endpoint refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantError {
    /// client_id unknown or secret wrong.
    BadClient,
    /// Code unknown, expired or already used.
    BadCode,
    /// The redirect URI differs from the one the code was issued for.
    RedirectMismatch,
    /// PKCE verifier does not match the challenge.
    BadVerifier,
    /// Refresh token unknown, revoked or used.
    BadRefreshToken,
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
    /// Refresh token, when the app has expiring tokens.
    pub refresh_token: Option<String>,
    /// Lifetime in seconds, when it expires.
    pub expires_in: Option<i64>,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Who it is for.
    pub login: String,
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
    /// Issued codes.
    pub codes: HashMap<String, CodeGrant>,
    /// Issued access tokens.
    pub tokens: HashMap<String, Token>,
    /// Issued refresh tokens.
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    /// The user clicks "deny" on the authorize page.
    pub user_denies: bool,
    /// An unregistered redirect URI shows an error page instead of redirecting.
    pub mismatch_page: bool,
    /// API calls answered so far, per token (for rate-limit headers).
    pub calls: HashMap<String, u64>,
}

/// Code lifetime: 10 minutes for GitHub, Slack and Google, 15 for Salesforce.
pub fn code_ttl_ms(kind: ProviderKind) -> i64 {
    match kind {
        ProviderKind::Salesforce => 15 * 60 * 1000,
        _ => 10 * 60 * 1000,
    }
}

/// Access-token lifetime for apps with expiring tokens.
pub fn token_lifetime_secs(kind: ProviderKind) -> i64 {
    match kind {
        ProviderKind::Github => 28_800,
        ProviderKind::Slack => 43_200,
        ProviderKind::Google => 3_599,
        ProviderKind::Salesforce => 7_200,
    }
}

/// A fake but stable account for `login`.
pub fn fake_account(kind: ProviderKind, login: &str, ids: &IdGen) -> Account {
    let name: String = ids.with_rng(|rng| Name().fake_with_rng(rng));
    let id = ids.number(1_000_000..99_999_999);
    let email = match kind {
        ProviderKind::Github => format!("{login}@users.noreply.github.com"),
        _ => format!("{login}@example.com"),
    };
    Account {
        id,
        login: login.to_string(),
        name,
        email,
    }
}

impl OAuthEngine {
    /// An engine with no apps and no accounts.
    pub fn new(kind: ProviderKind) -> Self {
        OAuthEngine {
            kind,
            apps: BTreeMap::new(),
            accounts: BTreeMap::new(),
            codes: HashMap::new(),
            tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            user_denies: false,
            mismatch_page: false,
            calls: HashMap::new(),
        }
    }

    /// The account signing in: the one named, else the first, else a new default.
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

    /// Issues a code for `login`.
    #[allow(clippy::too_many_arguments)]
    pub fn issue_code(
        &mut self,
        ids: &IdGen,
        now_ms: i64,
        client_id: &str,
        redirect_uri: &str,
        scopes: Vec<String>,
        login: &str,
        code_challenge: Option<String>,
    ) -> String {
        let code = match self.kind {
            ProviderKind::Github => ids.hex(10),
            ProviderKind::Slack => format!(
                "{}.{}",
                ids.number(1_000_000_000..9_999_999_999),
                ids.hex(16)
            ),
            ProviderKind::Google => ids.secret("4/0A", 60),
            ProviderKind::Salesforce => ids.secret("aPrx", 80),
        };
        self.codes.insert(
            code.clone(),
            CodeGrant {
                client_id: client_id.to_string(),
                redirect_uri: redirect_uri.to_string(),
                scopes,
                login: login.to_string(),
                issued_ms: now_ms,
                used: false,
                code_challenge,
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
            Some(app) if client_secret.is_none_or(|s| s == app.client_secret) => Ok(app),
            _ => Err(GrantError::BadClient),
        }
    }

    /// Exchanges a code; the code is spent even when the exchange fails
    /// later, as providers do.
    #[allow(clippy::too_many_arguments)]
    pub fn exchange_code(
        &mut self,
        ids: &IdGen,
        now_ms: i64,
        client_id: &str,
        client_secret: Option<&str>,
        code: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
    ) -> Result<Issued, GrantError> {
        let expiring = self.check_client(client_id, client_secret)?.expiring_tokens;
        let ttl = code_ttl_ms(self.kind);
        let grant = match self.codes.get_mut(code) {
            Some(g) if !g.used && g.client_id == client_id => g,
            _ => return Err(GrantError::BadCode),
        };
        grant.used = true;
        if now_ms - grant.issued_ms > ttl {
            return Err(GrantError::BadCode);
        }
        if redirect_uri.is_some_and(|r| r != grant.redirect_uri) {
            return Err(GrantError::RedirectMismatch);
        }
        if let Some(challenge) = &grant.code_challenge {
            match code_verifier {
                Some(v) if pkce_challenge(v) == *challenge => {}
                _ => return Err(GrantError::BadVerifier),
            }
        }
        let (login, scopes) = (grant.login.clone(), grant.scopes.clone());
        Ok(self.issue_tokens(ids, now_ms, client_id, &login, scopes, expiring))
    }

    /// Refreshes; rotating providers spend the refresh token.
    pub fn refresh(
        &mut self,
        ids: &IdGen,
        now_ms: i64,
        client_id: &str,
        client_secret: Option<&str>,
        refresh_token: &str,
    ) -> Result<Issued, GrantError> {
        self.check_client(client_id, client_secret)?;
        let rotates = matches!(self.kind, ProviderKind::Github | ProviderKind::Slack);
        let grant = match self.refresh_tokens.get_mut(refresh_token) {
            Some(g) if !g.revoked && g.client_id == client_id => g,
            _ => return Err(GrantError::BadRefreshToken),
        };
        let (login, scopes) = (grant.login.clone(), grant.scopes.clone());
        if rotates {
            grant.revoked = true;
            // GitHub also retires the access tokens issued with the old refresh token.
            for t in self.tokens.values_mut() {
                if t.login == login && t.client_id == client_id {
                    t.revoked = true;
                }
            }
        }
        let mut issued = self.issue_tokens(ids, now_ms, client_id, &login, scopes, rotates);
        if !rotates {
            issued.refresh_token = None;
        }
        Ok(issued)
    }

    fn issue_tokens(
        &mut self,
        ids: &IdGen,
        now_ms: i64,
        client_id: &str,
        login: &str,
        scopes: Vec<String>,
        expiring: bool,
    ) -> Issued {
        let (access, refresh) = token_shapes(self.kind, expiring, ids);
        let expires_in = expiring.then(|| token_lifetime_secs(self.kind));
        self.tokens.insert(
            access.clone(),
            Token {
                login: login.to_string(),
                client_id: client_id.to_string(),
                scopes: scopes.clone(),
                expires_ms: expires_in.map(|s| now_ms + s * 1000),
                revoked: false,
            },
        );
        let refresh = if expiring { Some(refresh) } else { None };
        if let Some(rt) = &refresh {
            self.refresh_tokens.insert(
                rt.clone(),
                RefreshGrant {
                    login: login.to_string(),
                    client_id: client_id.to_string(),
                    scopes: scopes.clone(),
                    revoked: false,
                },
            );
        }
        Issued {
            access_token: access,
            refresh_token: refresh,
            expires_in,
            scopes,
            login: login.to_string(),
        }
    }

    /// Checks a bearer token for an API call.
    pub fn authenticate(
        &self,
        token: Option<&str>,
        now_ms: i64,
    ) -> Result<(Account, Token), TokenProblem> {
        let token = token.ok_or(TokenProblem::Missing)?;
        let t = self.tokens.get(token).ok_or(TokenProblem::Unknown)?;
        if t.revoked {
            return Err(TokenProblem::Revoked);
        }
        if t.expires_ms.is_some_and(|e| now_ms >= e) {
            return Err(TokenProblem::Expired);
        }
        let account = self.accounts.get(&t.login).ok_or(TokenProblem::Unknown)?;
        Ok((account.clone(), t.clone()))
    }

    /// Revokes every token and refresh token of `login` (the user removed the app).
    pub fn revoke_all(&mut self, login: &str) -> usize {
        let mut n = 0;
        for t in self
            .tokens
            .values_mut()
            .filter(|t| t.login == login && !t.revoked)
        {
            t.revoked = true;
            n += 1;
        }
        for r in self
            .refresh_tokens
            .values_mut()
            .filter(|r| r.login == login && !r.revoked)
        {
            r.revoked = true;
            n += 1;
        }
        n
    }

    /// Revokes only refresh tokens of `login`; access tokens keep working until they expire.
    pub fn revoke_refresh_tokens(&mut self, login: &str) {
        for r in self
            .refresh_tokens
            .values_mut()
            .filter(|r| r.login == login)
        {
            r.revoked = true;
        }
    }
}

fn token_shapes(kind: ProviderKind, expiring: bool, ids: &IdGen) -> (String, String) {
    match kind {
        ProviderKind::Github if expiring => (ids.secret("ghu_", 36), ids.secret("ghr_", 76)),
        ProviderKind::Github => (ids.secret("gho_", 36), ids.secret("ghr_", 76)),
        ProviderKind::Slack if expiring => (
            format!("xoxe.xoxp-1-{}", ids.secret("", 40)),
            format!("xoxe-1-{}", ids.secret("", 60)),
        ),
        ProviderKind::Slack => (format!("xoxp-{}", ids.secret("", 48)), String::new()),
        ProviderKind::Google => (ids.secret("ya29.a0", 120), ids.secret("1//0g", 90)),
        ProviderKind::Salesforce => (
            format!("00D5g000004S0zX!{}", ids.secret("AR8AQ", 90)),
            ids.secret("5Aep861", 80),
        ),
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
mod tests {
    use super::*;
    use crate::mock::clock::Clock;

    fn engine() -> (OAuthEngine, IdGen) {
        let mut e = OAuthEngine::new(ProviderKind::Github);
        e.apps.insert(
            "cid".into(),
            OAuthApp {
                client_id: "cid".into(),
                client_secret: "secret".into(),
                redirect_uris: vec!["http://cb".into()],
                allowed_scopes: None,
                expiring_tokens: false,
            },
        );
        (e, IdGen::new(Clock::scenario(), 1))
    }

    #[test]
    fn a_code_works_once() {
        let (mut e, ids) = engine();
        e.signed_in(Some("alice"), &ids);
        let code = e.issue_code(
            &ids,
            0,
            "cid",
            "http://cb",
            vec!["repo".into()],
            "alice",
            None,
        );
        assert!(
            e.exchange_code(&ids, 1, "cid", Some("secret"), &code, None, None)
                .is_ok()
        );
        assert_eq!(
            e.exchange_code(&ids, 2, "cid", Some("secret"), &code, None, None)
                .unwrap_err(),
            GrantError::BadCode
        );
    }

    #[test]
    fn a_code_older_than_its_ttl_is_refused() {
        let (mut e, ids) = engine();
        e.signed_in(Some("alice"), &ids);
        let code = e.issue_code(&ids, 0, "cid", "http://cb", vec![], "alice", None);
        let late = code_ttl_ms(ProviderKind::Github) + 1;
        assert_eq!(
            e.exchange_code(&ids, late, "cid", Some("secret"), &code, None, None)
                .unwrap_err(),
            GrantError::BadCode
        );
    }

    #[test]
    fn pkce_verifier_must_match_the_challenge() {
        let (mut e, ids) = engine();
        e.signed_in(Some("alice"), &ids);
        let challenge = pkce_challenge("verifier-1");
        let code = e.issue_code(
            &ids,
            0,
            "cid",
            "http://cb",
            vec![],
            "alice",
            Some(challenge),
        );
        assert_eq!(
            e.exchange_code(&ids, 1, "cid", Some("secret"), &code, None, Some("other"))
                .unwrap_err(),
            GrantError::BadVerifier
        );
    }

    #[test]
    fn revoked_tokens_fail_authentication() {
        let (mut e, ids) = engine();
        e.signed_in(Some("alice"), &ids);
        let code = e.issue_code(&ids, 0, "cid", "http://cb", vec![], "alice", None);
        let issued = e
            .exchange_code(&ids, 1, "cid", Some("secret"), &code, None, None)
            .unwrap();
        assert!(e.authenticate(Some(&issued.access_token), 2).is_ok());
        e.revoke_all("alice");
        assert_eq!(
            e.authenticate(Some(&issued.access_token), 2).unwrap_err(),
            TokenProblem::Revoked
        );
    }
}
