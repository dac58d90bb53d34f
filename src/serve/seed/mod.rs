//! The seed file `serve` starts from: the world an app expects to find when
//! it points at the mock (environment, API keys, users, organizations, data
//! integrations, connected accounts, webhook endpoints), as YAML.
//!
//! Parsing is strict so that a typo is an error, not a silently different
//! world: every mapping denies unknown fields, and every problem is reported
//! with the file, line and column it sits on. serde_norway only knows where a
//! node is while it deserializes it, so checks that need the rest of the file
//! (a connected account naming a user that does not exist, two users with the
//! same email) run in a second pass over the same text, with what the first
//! pass found in a thread-local: the failing node then reports its own line.
//!
//! This file reads: [`Seed::load`] and [`Seed::parse`], their [`SeedError`]
//! naming the file, line and column, and what the first pass found for the
//! second. What a seed holds (the [`Seed`] and its entries) is in `schema`;
//! the checked values its fields take (ids, emails, references, URLs, event
//! names) are in `values`. Both are re-exported here.

mod schema;
mod values;

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

pub use schema::{Seed, SeedAccountState, SeedCredentials, SeedEnvironment, SeedOwner};
pub use values::PIPES_EVENTS;

/// A seed file could not be read or is not a valid seed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The file could not be read.
    #[error(
        "{path}: cannot read the seed file: {}",
        crate::common::text::io_reason(source)
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The YAML is malformed or does not describe a valid seed.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line of the offending node.
        line: usize,
        /// 1-based column of the offending node.
        column: usize,
        /// What is wrong and what was expected.
        message: String,
    },
}

/// What the first pass found, for the checks of the second.
#[derive(Debug, Default)]
struct Known {
    /// (id, email) of every user.
    users: Vec<(Option<String>, String)>,
    /// Every user id and email, for references: a seed may hold 100,000 accounts.
    user_keys: HashSet<String>,
    /// (id, name, member emails and ids) of every organization.
    orgs: Vec<(Option<String>, String, Vec<String>)>,
    /// (slug, ownership) of every integration.
    slugs: BTreeSet<(String, SeedOwner)>,
    seen_user_ids: RefCell<BTreeSet<String>>,
    seen_org_ids: RefCell<BTreeSet<String>>,
    seen_webhook_ids: RefCell<BTreeSet<String>>,
    seen_emails: RefCell<BTreeSet<String>>,
    seen_org_names: RefCell<BTreeSet<String>>,
    seen_integrations: RefCell<BTreeSet<(String, SeedOwner)>>,
}

impl Known {
    fn from_seed(seed: &Seed) -> Self {
        Known {
            users: seed
                .users
                .iter()
                .map(|u| (u.id.as_ref().map(|i| i.0.clone()), u.email.0.clone()))
                .collect(),
            user_keys: seed
                .users
                .iter()
                .flat_map(|u| u.id.iter().map(|i| i.0.clone()).chain([u.email.0.clone()]))
                .collect(),
            orgs: seed
                .organizations
                .iter()
                .map(|o| {
                    (
                        o.id.as_ref().map(|i| i.0.clone()),
                        o.name.0.clone(),
                        o.memberships.iter().map(|m| m.user.0.clone()).collect(),
                    )
                })
                .collect(),
            slugs: seed
                .data_integrations
                .iter()
                .map(|i| (i.slug.0.slug().to_string(), i.ownership))
                .collect(),
            ..Known::default()
        }
    }

    /// Whether the user named `user` (email or id) is a member of `org` (name or id).
    fn is_member(&self, user: &str, org: &str) -> bool {
        let same_user: Vec<&str> = self
            .users
            .iter()
            .filter(|(id, email)| id.as_deref() == Some(user) || email == user)
            .flat_map(|(id, email)| id.as_deref().into_iter().chain([email.as_str()]))
            .collect();
        self.orgs
            .iter()
            .filter(|(id, name, _)| id.as_deref() == Some(org) || name == org)
            .any(|(_, _, members)| members.iter().any(|m| same_user.contains(&m.as_str())))
    }
}

thread_local! {
    static KNOWN: RefCell<Option<Known>> = const { RefCell::new(None) };
}

/// Runs `f` on the first pass's findings; `None` during the first pass.
fn with_known<T>(f: impl FnOnce(&Known) -> T) -> Option<T> {
    KNOWN.with(|k| k.borrow().as_ref().map(f))
}

/// Clears the thread-local even when deserialization returns early.
struct KnownGuard;

impl Drop for KnownGuard {
    fn drop(&mut self) {
        KNOWN.with(|k| *k.borrow_mut() = None);
    }
}

impl Seed {
    /// Reads and checks the seed file at `path`.
    pub fn load(path: &Path) -> Result<Seed, SeedError> {
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Seed::parse(&text, path)
    }

    /// Parses and checks seed YAML; `path` only names the source in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Seed, SeedError> {
        let invalid = |e: serde_norway::Error| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            let mut message = e.to_string();
            // serde_norway appends the position we already lead with.
            if let Some(idx) = message.rfind(" at line ")
                && message[idx..].starts_with(&format!(" at line {line} column {column}"))
            {
                message.truncate(idx);
            }
            SeedError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        // An empty file is an empty world, not an error.
        if text.trim().is_empty() {
            return Ok(Seed::default());
        }
        // Aliases and nesting are bounded before the parser expands them.
        super::yaml_limits::check(text).map_err(|e| SeedError::Invalid {
            path: path.to_path_buf(),
            line: e.line,
            column: e.column,
            message: e.message,
        })?;
        let first: Seed = serde_norway::from_str(text).map_err(invalid)?;
        KNOWN.with(|k| *k.borrow_mut() = Some(Known::from_seed(&first)));
        let _guard = KnownGuard;
        serde_norway::from_str(text).map_err(invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Seed, String> {
        Seed::parse(text, Path::new("seed.yaml")).map_err(|e| e.to_string())
    }

    #[test]
    fn a_full_seed_parses_into_typed_entries() {
        let seed = parse(
            "environment: production
api_keys: [sk_live_abc]
multiple_connections: true
users:
  - email: Alice@Example.com
    first_name: Alice
organizations:
  - name: Acme
    memberships:
      - user: alice@example.com
data_integrations:
  - slug: github
    credentials: {type: custom, client_id: Iv1.x, client_secret: s3cret}
  - slug: github
    ownership: organization
connected_accounts:
  - user: alice@example.com
    slug: github
    organization: Acme
    owner: organization
    expires_in: 3600
webhook_endpoints:
  - url: http://127.0.0.1:9/hooks
    events: [pipes.connected_account.connected]
",
        )
        .expect("valid seed");
        assert_eq!(seed.environment, SeedEnvironment::Production);
        assert!(seed.multiple_connections);
        assert!(!parse("{}").expect("empty seed").multiple_connections);
        assert_eq!(seed.users[0].email.0, "alice@example.com");
        assert_eq!(
            seed.data_integrations[0].credentials,
            SeedCredentials::Custom {
                client_id: "Iv1.x".into(),
                client_secret: "s3cret".into()
            }
        );
        assert_eq!(seed.connected_accounts[0].owner, SeedOwner::Organization);
    }

    #[test]
    fn an_empty_file_is_an_empty_world() {
        let seed = parse("\n").expect("empty is fine");
        assert!(seed.users.is_empty());
    }

    #[test]
    fn a_dangling_user_reference_names_its_own_line() {
        let err = parse(
            "users:
  - email: alice@example.com
data_integrations:
  - slug: github
connected_accounts:
  - slug: github
    user: bob@example.com
",
        )
        .unwrap_err();
        assert!(err.starts_with("seed.yaml:7:11: "), "{err}");
        assert!(err.contains("unknown user `bob@example.com`"), "{err}");
    }

    #[test]
    fn an_unknown_field_is_refused_with_the_fields_expected() {
        let err = parse("users:\n  - email: a@b.c\n    nickname: al\n").unwrap_err();
        assert!(err.starts_with("seed.yaml:3:"), "{err}");
        assert!(err.contains("unknown field `nickname`"), "{err}");
    }

    #[test]
    fn an_unknown_provider_lists_the_known_ones() {
        let err = parse("data_integrations:\n  - slug: gitlab\n").unwrap_err();
        assert!(err.starts_with("seed.yaml:2:"), "{err}");
        assert!(err.contains("unknown provider `gitlab`"), "{err}");
    }

    #[test]
    fn an_account_needs_its_integration_in_the_file() {
        let err = parse(
            "users: [{email: a@b.c}]\nconnected_accounts:\n  - user: a@b.c\n    slug: slack\n",
        )
        .unwrap_err();
        assert!(err.contains("no data integration for `slack`"), "{err}");
        assert!(err.starts_with("seed.yaml:4:"), "{err}");
    }

    #[test]
    fn duplicate_emails_are_refused_at_the_second() {
        let err = parse("users:\n  - email: a@b.c\n  - email: A@b.c\n").unwrap_err();
        assert!(err.starts_with("seed.yaml:3:"), "{err}");
        assert!(err.contains("two users have the email `a@b.c`"), "{err}");
    }

    #[test]
    fn ids_must_look_like_workos_ids() {
        let err = parse("users:\n  - id: alice\n    email: a@b.c\n").unwrap_err();
        assert!(err.contains("invalid id `alice`"), "{err}");
        let ok = parse("users:\n  - id: user_01JDR8Y4Z6Q3KX5V2N7M9B0C1D\n    email: a@b.c\n");
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn organization_owned_accounts_need_a_member() {
        let err = parse(
            "users: [{email: a@b.c}]
organizations: [{name: Acme}]
data_integrations: [{slug: github, ownership: organization}]
connected_accounts:
  - user: a@b.c
    slug: github
    organization: Acme
    owner: organization
",
        )
        .unwrap_err();
        assert!(
            err.contains("is not a member of organization `Acme`"),
            "{err}"
        );
    }

    #[test]
    fn a_yaml_syntax_error_reports_where_the_parser_stopped() {
        let err = parse("users:\n  - email: [a@b.c\n").unwrap_err();
        assert!(err.starts_with("seed.yaml:"), "{err}");
    }

    #[test]
    fn credentials_must_be_shared_or_complete_custom() {
        let err = parse(
            "data_integrations:\n  - slug: github\n    credentials: {type: custom, client_id: x}\n",
        )
        .unwrap_err();
        assert!(
            err.contains("need both `client_id` and `client_secret`"),
            "{err}"
        );
        let err =
            parse("data_integrations:\n  - slug: github\n    credentials: mine\n").unwrap_err();
        assert!(err.contains("unknown credentials `mine`"), "{err}");
    }
}
