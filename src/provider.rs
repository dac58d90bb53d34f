//! The OAuth providers the harness knows, by name.
//!
//! One enum shared by the client (which classifies provider responses), the
//! mocks (which impersonate the providers) and the steps (where a provider is
//! a cucumber parameter such as `github`).

use std::fmt;
use std::str::FromStr;

/// A provider WorkOS Pipes can connect to and the harness can impersonate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProviderKind {
    /// GitHub OAuth apps: form-encoded token responses, errors inside HTTP 200.
    Github,
    /// Slack OAuth v2: `ok:false` envelopes inside HTTP 200.
    Slack,
    /// Google OAuth 2.0 and Google APIs.
    Google,
    /// Salesforce connected apps and the REST API.
    Salesforce,
}

impl ProviderKind {
    /// Every provider, in a stable order.
    pub const ALL: [ProviderKind; 4] = [
        ProviderKind::Github,
        ProviderKind::Slack,
        ProviderKind::Google,
        ProviderKind::Salesforce,
    ];

    /// The Pipes slug (`github`, `slack`, ...), also the cucumber parameter text.
    pub fn slug(self) -> &'static str {
        match self {
            ProviderKind::Github => "github",
            ProviderKind::Slack => "slack",
            ProviderKind::Google => "google",
            ProviderKind::Salesforce => "salesforce",
        }
    }

    /// Every slug, joined with `separator` (`github, slack, ...`).
    pub fn slugs(separator: &str) -> String {
        ProviderKind::ALL.map(ProviderKind::slug).join(separator)
    }

    /// Every slug in words: `github, slack, google or salesforce`.
    pub fn slugs_in_words() -> String {
        let all = ProviderKind::ALL.map(ProviderKind::slug);
        match all.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => all.join(""),
        }
    }

    /// The name people write (`GitHub`).
    pub fn display_name(self) -> &'static str {
        match self {
            ProviderKind::Github => "GitHub",
            ProviderKind::Slack => "Slack",
            ProviderKind::Google => "Google",
            ProviderKind::Salesforce => "Salesforce",
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// The text was not the slug of a provider the harness knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider `{name}`: expected one of {all}", name = .0, all = ProviderKind::slugs(", "))]
pub struct UnknownProvider(pub String);

impl FromStr for ProviderKind {
    type Err = UnknownProvider;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProviderKind::ALL
            .into_iter()
            .find(|p| p.slug().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownProvider(s.to_string()))
    }
}

/// What a data integration's slug may be, in words.
pub const SLUG_RULE: &str = "lowercase letters, digits, '-' and '_', starting with a letter or a digit, at most 64 characters";

/// Whether `slug` has the shape of a data integration's slug ([`SLUG_RULE`]):
/// the rule of WorkOS's integrations and of the custom providers alike.
pub fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 64
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && slug
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}
