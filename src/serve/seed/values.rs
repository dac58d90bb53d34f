//! The checked values a seed's fields take: API keys, provider slugs,
//! `<prefix>_<ULID>` ids, emails, organization names, references to users,
//! organizations and integrations of the same file, webhook URLs and Pipes
//! event names.
//!
//! Each is checked inside its own deserializer (see `checked`), so an
//! error carries the line and column of the offending string itself.
//! Separate from the shape of the file (`schema`) because these are the
//! leaves every entry is built from.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::with_known;
use crate::provider::ProviderKind;

/// The Pipes event names a webhook endpoint can subscribe to (reference
/// section E: the Python SDK's list; Node knows the first four).
pub const PIPES_EVENTS: [&str; 9] = [
    "pipes.connected_account.connected",
    "pipes.connected_account.disconnected",
    "pipes.connected_account.reauthorization_needed",
    "pipes.connected_account.connection_failed",
    "pipes.account_connection.connected",
    "pipes.account_connection.disconnected",
    "pipes.account_connection.reauthorization_needed",
    "pipes.account_connection.connection_failed",
    "pipes.account_connection.add_failed",
];

/// An API key: `sk_` followed by at least one character, no whitespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey(pub String);

impl<'de> Deserialize<'de> for ApiKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            if s.len() > 3 && s.starts_with("sk_") && !s.chars().any(char::is_whitespace) {
                Ok(ApiKey(s))
            } else {
                Err(format!(
                    "invalid API key `{s}`: WorkOS API keys start with `sk_` (e.g. `sk_test_...`) and contain no spaces"
                ))
            }
        })
    }
}

/// A provider slug the harness can impersonate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slug(pub ProviderKind);

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            s.parse()
                .map(Slug)
                .map_err(|e: crate::provider::UnknownProvider| e.to_string())
        })
    }
}

/// Deserializes a string and checks it inside the visitor, so that
/// serde_norway attaches the string's own line and column to the error
/// (an error raised after deserialization gets the enclosing mapping's).
fn checked<'de, D, T>(d: D, check: impl FnOnce(String) -> Result<T, String>) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct V<F, T>(F, std::marker::PhantomData<T>);
    impl<'de, T, F: FnOnce(String) -> Result<T, String>> Visitor<'de> for V<F, T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.0)(v.to_string()).map_err(E::custom)
        }
    }
    d.deserialize_str(V(check, std::marker::PhantomData))
}

/// Checks that a string is `<prefix>_` followed by a 26-character ULID.
fn check_id(text: &str, prefix: &str) -> Result<(), String> {
    // The canonical text of a ULID reads back as itself: 26 characters of
    // uppercase Crockford base32 that fit in 128 bits.
    let ok = text
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|u| ulid::Ulid::from_string(u).is_ok_and(|v| v.to_string() == u));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid id `{text}`: expected `{prefix}_` followed by a 26-character ULID in Crockford base32 (0-9, A-Z without I, L, O, U), e.g. `{prefix}_01JDR8Y4Z6Q3KX5V2N7M9B0C1D`; or leave `id` out to have one generated"
        ))
    }
}

macro_rules! id_type {
    ($name:ident, $prefix:literal, $set:ident, $what:literal) => {
        #[doc = concat!("A `", $prefix, "_<ULID>` id, unique in the file.")]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(pub String);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                checked(d, |s| {
                    check_id(&s, $prefix)?;
                    if with_known(|k| !k.$set.borrow_mut().insert(s.clone())).unwrap_or(false) {
                        return Err(format!(concat!($what, " id `{}` is used twice"), s));
                    }
                    Ok($name(s))
                })
            }
        }
    };
}

id_type!(UserId, "user", seen_user_ids, "user");
id_type!(OrgId, "org", seen_org_ids, "organization");
id_type!(WebhookId, "we", seen_webhook_ids, "webhook endpoint");

/// A user's email: something@something, unique in the file, lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(pub String);

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            let s = s.trim().to_lowercase();
            let valid = s
                .split_once('@')
                .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && !s.contains(' '));
            if !valid {
                return Err(format!(
                    "invalid email `{s}`: expected an address such as alice@example.com"
                ));
            }
            if with_known(|k| !k.seen_emails.borrow_mut().insert(s.clone())).unwrap_or(false) {
                return Err(format!(
                    "two users have the email `{s}`: emails are unique (they name users elsewhere in the file)"
                ));
            }
            Ok(Email(s))
        })
    }
}

/// An organization name, unique in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgName(pub String);

impl<'de> Deserialize<'de> for OrgName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            if s.trim().is_empty() {
                return Err("an organization needs a non-empty name".into());
            }
            if with_known(|k| !k.seen_org_names.borrow_mut().insert(s.clone())).unwrap_or(false) {
                return Err(format!(
                    "two organizations are named `{s}`: names are unique (they name organizations elsewhere in the file)"
                ));
            }
            Ok(OrgName(s))
        })
    }
}

/// A reference to a user of the file, by email or id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRef(pub String);

impl<'de> Deserialize<'de> for UserRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            let key = if s.contains('@') {
                s.trim().to_lowercase()
            } else {
                s
            };
            let known = with_known(|k| k.user_keys.contains(&key));
            match known {
                Some(false) => Err(format!(
                    "unknown user `{key}`: no entry in `users` has this email or id"
                )),
                _ => Ok(UserRef(key)),
            }
        })
    }
}

/// A reference to an organization of the file, by name or id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRef(pub String);

impl<'de> Deserialize<'de> for OrgRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            let known = with_known(|k| {
                k.orgs
                    .iter()
                    .any(|(id, name, _)| id.as_deref() == Some(s.as_str()) || *name == s)
            });
            match known {
                Some(false) => Err(format!(
                    "unknown organization `{s}`: no entry in `organizations` has this name or id"
                )),
                _ => Ok(OrgRef(s)),
            }
        })
    }
}

/// A reference to a data integration of the file, by slug.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntegrationRef(pub ProviderKind);

impl<'de> Deserialize<'de> for IntegrationRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            let kind: ProviderKind = s
                .parse()
                .map_err(|e: crate::provider::UnknownProvider| e.to_string())?;
            match with_known(|k| k.slugs.iter().any(|(slug, _)| slug == kind.slug())) {
                Some(false) => Err(format!(
                    "no data integration for `{s}`: add `- slug: {s}` to `data_integrations` first"
                )),
                _ => Ok(IntegrationRef(kind)),
            }
        })
    }
}

/// An absolute `http://` or `https://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(pub String);

impl<'de> Deserialize<'de> for WebhookUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            // `${APP_WEBHOOK_URL}` or `${VAR:-default}`: the app's port is
            // often only known when it starts.
            let s = crate::serve::env_file::expand(&s)?;
            match url::Url::parse(&s) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                    Ok(WebhookUrl(s))
                }
                _ => Err(format!(
                    "invalid webhook url `{s}`: expected an absolute http:// or https:// URL"
                )),
            }
        })
    }
}

/// A Pipes event name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventName(pub String);

impl<'de> Deserialize<'de> for EventName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |s| {
            if PIPES_EVENTS.contains(&s.as_str()) {
                Ok(EventName(s))
            } else {
                Err(format!(
                    "unknown event `{s}`: expected one of {}",
                    PIPES_EVENTS.join(", ")
                ))
            }
        })
    }
}
