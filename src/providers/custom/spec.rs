//! What a custom provider does, independent of how a team configured its
//! integration: the [`CustomProviderSpec`], and its reading from the words a
//! scenario writes (`pkce: required`, `token_request_body: form or JSON`).
//!
//! The defaults are what RFC 6749 and its companions ask of an authorization
//! server: both ways of sending a client secret (`client_secret_basic` and
//! `client_secret_post`, RFC 6749 §2.3.1), PKCE when the client sends it
//! (RFC 7636), scopes separated by spaces (§3.3), a token request as a form
//! (§4.1.3) or, as many providers also read it, as JSON, access tokens that
//! live an hour with a refresh token that is not rotated, a userinfo
//! endpoint. So any sensible definition connects to a provider nobody
//! configured (`serve`'s custom providers run with these defaults); a
//! scenario narrows them to the provider it means.

use std::fmt;

use crate::providers::engine::oauth::TokenRules;

/// How a client may authenticate at the token and revocation endpoints
/// (the names of RFC 7591's `token_endpoint_auth_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClientAuth {
    /// `Authorization: Basic base64(client_id:client_secret)`.
    SecretBasic,
    /// `client_id` and `client_secret` in the request body.
    SecretPost,
    /// A public client: `client_id` in the body and no secret.
    None,
}

impl ClientAuth {
    /// The RFC 7591 name.
    pub fn name(self) -> &'static str {
        match self {
            ClientAuth::SecretBasic => "client_secret_basic",
            ClientAuth::SecretPost => "client_secret_post",
            ClientAuth::None => "none",
        }
    }

    /// How a sentence says it.
    pub fn spoken(self) -> &'static str {
        match self {
            ClientAuth::SecretBasic => "the client credentials in an HTTP Basic header",
            ClientAuth::SecretPost => "the client credentials in the request body",
            ClientAuth::None => "no client secret",
        }
    }

    /// Reads an RFC 7591 name.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "client_secret_basic" | "basic" => Some(ClientAuth::SecretBasic),
            "client_secret_post" | "post" | "body" => Some(ClientAuth::SecretPost),
            "none" => Some(ClientAuth::None),
            _ => None,
        }
    }
}

/// Whether the provider takes PKCE (RFC 7636).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pkce {
    /// An authorize request without `code_challenge` is refused (`invalid_request`).
    Required,
    /// Checked when the client sends a challenge.
    Optional,
    /// `code_challenge` is ignored, as an unknown parameter (RFC 6749 §3.1).
    Unsupported,
}

impl Pkce {
    /// How the table writes it.
    pub fn name(self) -> &'static str {
        match self {
            Pkce::Required => "required",
            Pkce::Optional => "optional",
            Pkce::Unsupported => "not supported",
        }
    }
}

/// A token request body encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BodyType {
    /// `application/x-www-form-urlencoded` (what RFC 6749 §4.1.3 asks for).
    Form,
    /// `application/json`.
    Json,
}

impl BodyType {
    /// The media type.
    pub fn media_type(self) -> &'static str {
        match self {
            BodyType::Form => "application/x-www-form-urlencoded",
            BodyType::Json => "application/json",
        }
    }

    /// How a sentence says it: `form`, `JSON`.
    pub fn spoken(self) -> &'static str {
        match self {
            BodyType::Form => "form",
            BodyType::Json => "JSON",
        }
    }

    /// Reads `form`, `JSON` or a media type.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "form" | "forms" | "application/x-www-form-urlencoded" => Some(BodyType::Form),
            "json" | "application/json" => Some(BodyType::Json),
            _ => None,
        }
    }
}

/// What the provider does with refresh tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshTokens {
    /// None issued: an expired token needs the user again.
    None,
    /// Issued with the access token, and reusable.
    Issued,
    /// Issued, and replaced by a new one at every refresh (the used one dies).
    Rotated,
}

impl RefreshTokens {
    /// How the table writes it.
    pub fn name(self) -> &'static str {
        match self {
            RefreshTokens::None => "none",
            RefreshTokens::Issued => "issued",
            RefreshTokens::Rotated => "rotated",
        }
    }
}

/// What a custom provider does: its own rules, whatever the integration
/// that talks to it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomProviderSpec {
    /// The client authentication methods the token endpoint accepts.
    pub client_auth: Vec<ClientAuth>,
    /// PKCE.
    pub pkce: Pkce,
    /// The separator it splits the `scope` parameter on.
    pub scope_separator: String,
    /// The token request bodies it reads.
    pub token_bodies: Vec<BodyType>,
    /// Access-token lifetime in seconds; `None`: they never expire.
    pub access_token_lifetime_secs: Option<i64>,
    /// Refresh tokens.
    pub refresh_tokens: RefreshTokens,
    /// The scopes it knows; `None` accepts any.
    pub scopes: Option<Vec<String>>,
    /// Scopes it refuses at the authorize step (`invalid_scope`).
    pub refused_scopes: Vec<String>,
    /// Whether it has `GET /userinfo`.
    pub userinfo: bool,
}

impl Default for CustomProviderSpec {
    fn default() -> Self {
        CustomProviderSpec {
            client_auth: vec![ClientAuth::SecretBasic, ClientAuth::SecretPost],
            pkce: Pkce::Optional,
            scope_separator: " ".to_string(),
            token_bodies: vec![BodyType::Form, BodyType::Json],
            access_token_lifetime_secs: Some(3_600),
            refresh_tokens: RefreshTokens::Issued,
            scopes: None,
            refused_scopes: Vec::new(),
            userinfo: true,
        }
    }
}

/// The fields a scenario can set, each with the values it takes.
pub const FIELDS: &[(&str, &str)] = &[
    (
        "client_authentication",
        "client_secret_basic, client_secret_post, both (the default), or none (a public client)",
    ),
    ("pkce", "required, optional (the default) or not supported"),
    (
        "scope_separator",
        "space (the default), comma, or the separator in quotes",
    ),
    (
        "token_request_body",
        "form, JSON, or form or JSON (the default)",
    ),
    (
        "access_token_lifetime",
        "a duration such as 1 hour (the default) or 30 minutes, or never",
    ),
    ("refresh_tokens", "issued (the default), rotated or none"),
    (
        "scopes",
        "the scopes it knows, e.g. read, write; any (the default)",
    ),
    ("refused_scopes", "scopes it refuses, e.g. admin"),
    ("userinfo", "yes (the default) or no"),
];

/// A field or value the spec does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError(pub String);

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

/// Splits a list written with commas or spaces.
fn list(value: &str) -> Vec<String> {
    value
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn unquote(value: &str) -> &str {
    let v = value.trim();
    v.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(v)
}

/// Seconds in `2 hours`, `30 minutes`, `3600 seconds`, `1 day`.
pub fn seconds_in(text: &str) -> Option<i64> {
    let (n, unit) = text.trim().split_once(' ')?;
    let n: i64 = n.trim().parse().ok()?;
    let per = match unit.trim().trim_end_matches('s') {
        "second" => 1,
        "minute" => 60,
        "hour" => 3_600,
        "day" => 86_400,
        _ => return None,
    };
    (n > 0).then(|| n.saturating_mul(per))
}

/// The separator a scenario wrote: `space`, `comma` or a quoted text.
pub fn separator(value: &str) -> Option<String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "space" | "spaces" => return Some(" ".to_string()),
        "comma" | "commas" => return Some(",".to_string()),
        "plus" => return Some("+".to_string()),
        _ => {}
    }
    let raw = unquote(value);
    (!raw.is_empty()).then(|| raw.to_string())
}

impl CustomProviderSpec {
    /// Sets `field` (as [`FIELDS`] names it; spaces for underscores and any
    /// case are fine) from the words of `value`.
    pub fn set(&mut self, field: &str, value: &str) -> Result<(), SpecError> {
        let key = field.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        let bad = |expected: &str| {
            SpecError(format!(
                "`{value}` is not a value of the provider's {key}: expected {expected}"
            ))
        };
        let expected = FIELDS
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, e)| *e)
            .ok_or_else(|| {
                let names: Vec<&str> = FIELDS.iter().map(|(k, _)| *k).collect();
                SpecError(format!(
                    "the provider has no field `{field}`{}: its fields are {}",
                    crate::common::suggest::did_you_mean(&key, names.iter().copied()),
                    names.join(", ")
                ))
            })?;
        let v = value.trim();
        let lower = v.to_ascii_lowercase();
        match key.as_str() {
            "client_authentication" => {
                let words = list(&lower.replace(" and ", ",").replace(" or ", ","));
                let mut methods = Vec::new();
                for w in &words {
                    if w == "both" {
                        methods.extend([ClientAuth::SecretBasic, ClientAuth::SecretPost]);
                    } else {
                        methods.push(ClientAuth::parse(w).ok_or_else(|| bad(expected))?);
                    }
                }
                methods.sort();
                methods.dedup();
                if methods.is_empty() {
                    return Err(bad(expected));
                }
                self.client_auth = methods;
            }
            "pkce" => {
                self.pkce = match lower.as_str() {
                    "required" => Pkce::Required,
                    "optional" => Pkce::Optional,
                    "not supported" | "unsupported" | "none" | "no" => Pkce::Unsupported,
                    _ => return Err(bad(expected)),
                }
            }
            "scope_separator" => {
                self.scope_separator = separator(v).ok_or_else(|| bad(expected))?;
            }
            "token_request_body" => {
                let words = list(&lower.replace(" or ", ",").replace(" and ", ","));
                let mut bodies = Vec::new();
                for w in &words {
                    if w == "both" {
                        bodies.extend([BodyType::Form, BodyType::Json]);
                    } else {
                        bodies.push(BodyType::parse(w).ok_or_else(|| bad(expected))?);
                    }
                }
                bodies.sort();
                bodies.dedup();
                if bodies.is_empty() {
                    return Err(bad(expected));
                }
                self.token_bodies = bodies;
            }
            "access_token_lifetime" => {
                self.access_token_lifetime_secs = match lower.as_str() {
                    "never" | "none" | "never expire" | "forever" => None,
                    _ => Some(seconds_in(&lower).ok_or_else(|| bad(expected))?),
                }
            }
            "refresh_tokens" => {
                self.refresh_tokens = match lower.as_str() {
                    "none" | "no" | "not issued" => RefreshTokens::None,
                    "issued" | "yes" => RefreshTokens::Issued,
                    "rotated" | "rotating" => RefreshTokens::Rotated,
                    _ => return Err(bad(expected)),
                }
            }
            "scopes" => {
                self.scopes = if lower == "any" {
                    None
                } else {
                    let scopes = list(v);
                    if scopes.is_empty() {
                        return Err(bad(expected));
                    }
                    Some(scopes)
                }
            }
            "refused_scopes" => self.refused_scopes = list(v),
            "userinfo" => {
                self.userinfo = match lower.as_str() {
                    "yes" | "true" | "on" => true,
                    "no" | "false" | "off" | "none" => false,
                    _ => return Err(bad(expected)),
                }
            }
            _ => return Err(bad(expected)),
        }
        Ok(())
    }

    /// The engine's token rules for this spec.
    pub fn token_rules(&self) -> TokenRules {
        TokenRules {
            lifetime_secs: self.access_token_lifetime_secs,
            refresh_tokens: self.refresh_tokens != RefreshTokens::None,
            rotate: self.refresh_tokens == RefreshTokens::Rotated,
        }
    }

    /// Whether the token endpoint accepts `method`.
    pub fn accepts(&self, method: ClientAuth) -> bool {
        self.client_auth.contains(&method)
    }

    /// The accepted methods, for messages: `client_secret_basic or client_secret_post`.
    pub fn accepted_auth(&self) -> String {
        let names: Vec<&str> = self.client_auth.iter().map(|m| m.name()).collect();
        names.join(" or ")
    }

    /// The accepted bodies, for messages: `application/x-www-form-urlencoded`.
    pub fn accepted_bodies(&self) -> String {
        let names: Vec<&str> = self.token_bodies.iter().map(|b| b.media_type()).collect();
        names.join(" or ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_rfc_ones() {
        let s = CustomProviderSpec::default();
        assert!(s.accepts(ClientAuth::SecretBasic) && s.accepts(ClientAuth::SecretPost));
        assert!(!s.accepts(ClientAuth::None));
        assert_eq!(s.pkce, Pkce::Optional);
        assert_eq!(s.scope_separator, " ");
        assert_eq!(s.token_bodies, vec![BodyType::Form, BodyType::Json]);
        assert_eq!(s.access_token_lifetime_secs, Some(3_600));
    }

    #[test]
    fn words_set_each_field() {
        let mut s = CustomProviderSpec::default();
        s.set("client authentication", "client_secret_post")
            .unwrap();
        s.set("PKCE", "not supported").unwrap();
        s.set("scope_separator", "comma").unwrap();
        s.set("token_request_body", "form or JSON").unwrap();
        s.set("access_token_lifetime", "30 minutes").unwrap();
        s.set("refresh_tokens", "rotated").unwrap();
        s.set("scopes", "read, write").unwrap();
        s.set("refused_scopes", "admin").unwrap();
        s.set("userinfo", "no").unwrap();
        assert_eq!(s.client_auth, vec![ClientAuth::SecretPost]);
        assert_eq!(s.pkce, Pkce::Unsupported);
        assert_eq!(s.scope_separator, ",");
        assert_eq!(s.token_bodies, vec![BodyType::Form, BodyType::Json]);
        assert_eq!(s.access_token_lifetime_secs, Some(1_800));
        assert_eq!(
            s.token_rules(),
            TokenRules {
                lifetime_secs: Some(1_800),
                refresh_tokens: true,
                rotate: true
            }
        );
        assert_eq!(s.scopes, Some(vec!["read".into(), "write".into()]));
        assert_eq!(s.refused_scopes, vec!["admin".to_string()]);
        assert!(!s.userinfo);
    }

    #[test]
    fn an_unknown_field_or_value_names_what_is_expected() {
        let mut s = CustomProviderSpec::default();
        let e = s.set("pcke", "required").unwrap_err().0;
        assert!(e.contains("did you mean `pkce`"), "{e}");
        let e = s.set("pkce", "sometimes").unwrap_err().0;
        assert!(e.contains("expected required, optional"), "{e}");
        let e = s.set("access_token_lifetime", "soon").unwrap_err().0;
        assert!(e.contains("a duration such as 1 hour"), "{e}");
    }
}
