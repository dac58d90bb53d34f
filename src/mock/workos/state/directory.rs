//! Who exists in the WorkOS mock: environments with their API keys, users,
//! organizations and memberships.

use std::collections::BTreeMap;

/// Sandbox or production: WorkOS refuses shared credentials in production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvironmentKind {
    /// Test environment; WorkOS shared OAuth apps are allowed.
    Sandbox,
    /// Live environment; every OAuth integration needs custom credentials.
    Production,
}

/// A WorkOS environment and its API keys.
#[derive(Debug, Clone)]
pub struct Environment {
    /// `environment_01...`.
    pub id: String,
    /// Sandbox or production.
    pub kind: EnvironmentKind,
    /// API keys that authenticate as this environment.
    pub api_keys: Vec<String>,
    /// Whether an owner may hold more than one connection per integration.
    /// WorkOS documents this as "not yet available", so it is off by
    /// default; turning it on lets a test reach `account_selection_required`.
    pub multiple_connections: bool,
}

impl Environment {
    /// An environment with `api_keys` and single-connection behaviour.
    pub fn new(id: &str, kind: EnvironmentKind, api_keys: Vec<String>) -> Self {
        Environment {
            id: id.to_string(),
            kind,
            api_keys,
            multiple_connections: false,
        }
    }
}

/// A user (AuthKit user management).
#[derive(Debug, Clone, Default)]
pub struct User {
    /// `user_01...`.
    pub id: String,
    /// Environment it belongs to.
    pub env: String,
    /// Email, trimmed and lowercased.
    pub email: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Whether the email is verified.
    pub email_verified: bool,
    /// The customer's own id for this user.
    pub external_id: Option<String>,
    /// Free-form string metadata.
    pub metadata: BTreeMap<String, String>,
    /// Created (ms).
    pub created_ms: i64,
    /// Updated (ms).
    pub updated_ms: i64,
    /// Creation order.
    pub seq: u64,
}

/// An organization.
#[derive(Debug, Clone, Default)]
pub struct Organization {
    /// `org_01...`.
    pub id: String,
    /// Environment.
    pub env: String,
    /// Display name.
    pub name: String,
    /// Domains: `(org_domain id, domain, state)`.
    pub domains: Vec<(String, String, String)>,
    /// Free-form string metadata.
    pub metadata: BTreeMap<String, String>,
    /// The customer's own id for this organization.
    pub external_id: Option<String>,
    /// Created (ms).
    pub created_ms: i64,
    /// Updated (ms).
    pub updated_ms: i64,
    /// Creation order.
    pub seq: u64,
}

/// `active | inactive | pending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipStatus {
    /// A member.
    Active,
    /// Deactivated; can be reactivated.
    Inactive,
    /// Invited, not yet accepted.
    Pending,
}

impl MembershipStatus {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            MembershipStatus::Active => "active",
            MembershipStatus::Inactive => "inactive",
            MembershipStatus::Pending => "pending",
        }
    }
}

/// A user's membership of an organization.
#[derive(Debug, Clone)]
pub struct Membership {
    /// `om_01...`.
    pub id: String,
    /// Environment.
    pub env: String,
    /// Member.
    pub user_id: String,
    /// Organization.
    pub organization_id: String,
    /// Status.
    pub status: MembershipStatus,
    /// Role slugs; the first is `role`.
    pub roles: Vec<String>,
    /// Created (ms).
    pub created_ms: i64,
    /// Updated (ms).
    pub updated_ms: i64,
    /// Creation order.
    pub seq: u64,
}
