//! The WorkOS mock's state: environments, users, organizations, memberships,
//! data integrations, connected accounts, pending authorizations, webhook
//! endpoints, events and their deliveries.
//!
//! Everything is keyed by id and carries a creation sequence number: ids are
//! ULIDs on a frozen clock, so within one millisecond their order is random,
//! while lists must come out in creation order every run.
//!
//! The records live by what they are about: `directory` (environments,
//! users, organizations, memberships), `connections` (integrations,
//! connected accounts, authorizations and held connections, organization
//! configurations) and `webhooks` (endpoints, events, deliveries), all
//! re-exported here. This file holds the store, [`WorkosState`], with the
//! indexes it keeps in step, and [`Owner`].

use std::collections::{BTreeMap, HashMap, VecDeque};

mod connections;
mod directory;
mod webhooks;

pub use connections::{
    AccountState, AuthMethod, ConnectedAccount, ConnectionRole, Credentials, CustomProvider,
    HeldConnection, Integration, Intent, OrgConfiguration, Ownership, PendingAuthorization,
};
pub use directory::{
    Environment, EnvironmentKind, Membership, MembershipStatus, Organization, User,
};
pub use webhooks::{Delivery, DeliveryStatus, Event, WebhookEndpoint};

/// WorkOS's own rate limit: `limit` requests per API key per `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: u32,
    /// Window length (ms, virtual clock).
    pub window_ms: i64,
}

/// An answer kept for a repeated `Idempotency-Key`.
#[derive(Debug, Clone)]
pub struct StoredAnswer {
    /// Status.
    pub status: u16,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// Body.
    pub body: Vec<u8>,
    /// When it was first answered (ms).
    pub at_ms: i64,
}

/// How many events, webhook deliveries and idempotent answers a mock keeps
/// unless told otherwise.
pub const DEFAULT_LOG_LIMIT: usize = 10_000;

/// Everything the WorkOS mock knows.
#[derive(Debug)]
pub struct WorkosState {
    /// Environments by id.
    pub environments: BTreeMap<String, Environment>,
    /// Users by id.
    pub users: BTreeMap<String, User>,
    /// User ids in creation order: lists seek here instead of sorting every
    /// user. Add and remove users with [`WorkosState::add_user`] and
    /// [`WorkosState::remove_user`], which keep it in step.
    pub users_by_seq: BTreeMap<u64, String>,
    /// User ids by email (lowercased), kept in step the same way: the email
    /// filter and the uniqueness check look here.
    pub users_by_email: HashMap<String, Vec<String>>,
    /// Organizations by id.
    pub organizations: BTreeMap<String, Organization>,
    /// Organization ids in creation order (see `users_by_seq`).
    pub organizations_by_seq: BTreeMap<u64, String>,
    /// Organization memberships by id.
    pub memberships: BTreeMap<String, Membership>,
    /// Integrations by id.
    pub integrations: BTreeMap<String, Integration>,
    /// Organization configurations by `(organization id, integration id)`.
    pub org_configurations: BTreeMap<(String, String), OrgConfiguration>,
    /// Connected accounts by id. Add and remove them with [`WorkosState::add_account`]
    /// and [`WorkosState::remove_account`], which keep the owner index in step.
    pub accounts: BTreeMap<String, ConnectedAccount>,
    /// Account ids by `(integration id, owner)`: the token and connected-account
    /// lookups are the hot path, and must not scan every account of a large seed.
    accounts_by_owner: HashMap<(String, OwnerKey), Vec<String>>,
    /// Authorizations by id, the newest [`WorkosState::log_limit`] of them
    /// (add them with [`WorkosState::add_pending`]); kept after use so a
    /// second use of a link is told apart from an unknown one.
    pub pending: HashMap<String, PendingAuthorization>,
    /// Authorization ids in the order they were requested.
    pub pending_order: VecDeque<String>,
    /// Connections waiting for the app to finish them, by `connect_code`.
    pub held: HashMap<String, HeldConnection>,
    /// Webhook endpoints by id.
    pub webhook_endpoints: BTreeMap<String, WebhookEndpoint>,
    /// Events in order, the newest [`WorkosState::log_limit`] of them.
    pub events: VecDeque<Event>,
    /// Webhook deliveries in order, the newest [`WorkosState::log_limit`] of them.
    pub deliveries: VecDeque<Delivery>,
    /// Deliveries dropped from the front of `deliveries` so far: a
    /// delivery's stable position is this plus its index.
    pub deliveries_dropped: usize,
    /// How many events, deliveries and idempotent answers are kept; the
    /// oldest go first.
    pub log_limit: usize,
    /// Idempotency slots in the order they were stored, to forget the oldest.
    pub idempotent_order: VecDeque<String>,
    /// WorkOS's own rate limit; `None` = unlimited (the default).
    pub rate_limit: Option<RateLimit>,
    /// Requests counted per API key: `(window start ms, count)`.
    pub rate_counters: HashMap<String, (i64, u32)>,
    /// Answers to POSTs by `<environment> <Idempotency-Key>`.
    pub idempotent: HashMap<String, StoredAnswer>,
    seq: u64,
}

impl Default for WorkosState {
    fn default() -> Self {
        WorkosState {
            environments: BTreeMap::new(),
            users: BTreeMap::new(),
            users_by_seq: BTreeMap::new(),
            users_by_email: HashMap::new(),
            organizations: BTreeMap::new(),
            organizations_by_seq: BTreeMap::new(),
            memberships: BTreeMap::new(),
            integrations: BTreeMap::new(),
            org_configurations: BTreeMap::new(),
            accounts: BTreeMap::new(),
            accounts_by_owner: HashMap::new(),
            pending: HashMap::new(),
            pending_order: VecDeque::new(),
            held: HashMap::new(),
            webhook_endpoints: BTreeMap::new(),
            events: VecDeque::new(),
            deliveries: VecDeque::new(),
            deliveries_dropped: 0,
            log_limit: DEFAULT_LOG_LIMIT,
            idempotent_order: VecDeque::new(),
            rate_limit: None,
            rate_counters: HashMap::new(),
            idempotent: HashMap::new(),
            seq: 0,
        }
    }
}

impl WorkosState {
    /// Stores an authorization, forgetting the oldest past
    /// [`WorkosState::log_limit`], and connections held past their expiry.
    pub fn add_pending(&mut self, pending: PendingAuthorization, now_ms: i64) {
        self.pending_order.push_back(pending.id.clone());
        self.pending.insert(pending.id.clone(), pending);
        while self.pending_order.len() > self.log_limit.max(1) {
            if let Some(old) = self.pending_order.pop_front() {
                self.pending.remove(&old);
            }
        }
        self.held.retain(|_, h| h.expires_ms >= now_ms);
    }

    /// The authorizations `user_id` asked for, oldest first.
    pub fn authorizations_of(&self, user_id: &str) -> Vec<&PendingAuthorization> {
        self.pending_order
            .iter()
            .filter_map(|id| self.pending.get(id))
            .filter(|p| p.user_id == user_id)
            .collect()
    }

    /// Appends an event, forgetting the oldest past [`WorkosState::log_limit`].
    pub fn push_event(&mut self, event: Event) {
        self.events.push_back(event);
        while self.events.len() > self.log_limit.max(1) {
            self.events.pop_front();
        }
    }

    /// Queues a delivery, forgetting the oldest past [`WorkosState::log_limit`].
    pub fn push_delivery(&mut self, delivery: Delivery) {
        self.deliveries.push_back(delivery);
        while self.deliveries.len() > self.log_limit.max(1) {
            self.deliveries.pop_front();
            self.deliveries_dropped += 1;
        }
    }

    /// The delivery at stable position `at` (see `deliveries_dropped`), if still kept.
    pub fn delivery_mut(&mut self, at: usize) -> Option<&mut Delivery> {
        let index = at.checked_sub(self.deliveries_dropped)?;
        self.deliveries.get_mut(index)
    }

    /// Stores an idempotent answer, forgetting the oldest past [`WorkosState::log_limit`].
    pub fn store_answer(&mut self, slot: String, answer: StoredAnswer) {
        if self.idempotent.insert(slot.clone(), answer).is_none() {
            self.idempotent_order.push_back(slot);
        }
        while self.idempotent_order.len() > self.log_limit.max(1) {
            if let Some(old) = self.idempotent_order.pop_front() {
                self.idempotent.remove(&old);
            }
        }
    }

    /// The next creation sequence number.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Adds an environment.
    pub fn add_environment(&mut self, env: Environment) {
        self.environments.insert(env.id.clone(), env);
    }

    /// Adds a user (assigning its creation order).
    pub fn add_user(&mut self, mut user: User) {
        user.seq = self.next_seq();
        self.users_by_seq.insert(user.seq, user.id.clone());
        self.users_by_email
            .entry(user.email.clone())
            .or_default()
            .push(user.id.clone());
        let email = user.email.clone();
        if let Some(old) = self.users.insert(user.id.clone(), user) {
            self.users_by_seq.remove(&old.seq);
            // The entry just added stays when the email did not change.
            let keep = usize::from(old.email == email);
            self.forget_email(&old.email, &old.id, keep);
        }
    }

    fn forget_email(&mut self, email: &str, id: &str, keep: usize) {
        if let Some(ids) = self.users_by_email.get_mut(email) {
            // Drop all but `keep` of this id's entries (re-adding an id adds one).
            let mut seen = 0;
            ids.retain(|i| {
                if i != id {
                    return true;
                }
                seen += 1;
                seen <= keep
            });
            if ids.is_empty() {
                self.users_by_email.remove(email);
            }
        }
    }

    /// Users of `env` with `email`.
    pub fn users_with_email<'a>(
        &'a self,
        env: &'a str,
        email: &str,
    ) -> impl Iterator<Item = &'a User> + 'a {
        self.users_by_email
            .get(email)
            .into_iter()
            .flatten()
            .filter_map(|id| self.users.get(id))
            .filter(move |u| u.env == env)
    }

    /// Removes a user; returns it.
    pub fn remove_user(&mut self, id: &str) -> Option<User> {
        let user = self.users.remove(id)?;
        self.users_by_seq.remove(&user.seq);
        self.forget_email(&user.email, &user.id, 0);
        Some(user)
    }

    /// Removes an organization; returns it.
    pub fn remove_organization(&mut self, id: &str) -> Option<Organization> {
        let org = self.organizations.remove(id)?;
        self.organizations_by_seq.remove(&org.seq);
        Some(org)
    }

    /// Adds an organization (assigning its creation order).
    pub fn add_organization(&mut self, mut org: Organization) {
        org.seq = self.next_seq();
        self.organizations_by_seq.insert(org.seq, org.id.clone());
        if let Some(old) = self.organizations.insert(org.id.clone(), org) {
            self.organizations_by_seq.remove(&old.seq);
        }
    }

    /// Adds a membership (assigning its creation order).
    pub fn add_membership(&mut self, mut m: Membership) {
        m.seq = self.next_seq();
        self.memberships.insert(m.id.clone(), m);
    }

    /// Adds or replaces an integration (assigning its creation order).
    pub fn add_integration(&mut self, mut i: Integration) {
        i.seq = self.next_seq();
        self.integrations.insert(i.id.clone(), i);
    }

    /// Adds or replaces a connected account (assigning its creation order).
    pub fn add_account(&mut self, mut a: ConnectedAccount) {
        a.seq = match self.remove_account(&a.id) {
            Some(old) => old.seq,
            None => self.next_seq(),
        };
        self.accounts_by_owner
            .entry((a.integration_id.clone(), OwnerKey::of(&a)))
            .or_default()
            .push(a.id.clone());
        self.accounts.insert(a.id.clone(), a);
    }

    /// Removes a connected account, returning it.
    pub fn remove_account(&mut self, id: &str) -> Option<ConnectedAccount> {
        let a = self.accounts.remove(id)?;
        let key = (a.integration_id.clone(), OwnerKey::of(&a));
        if let Some(ids) = self.accounts_by_owner.get_mut(&key) {
            ids.retain(|x| x != id);
            if ids.is_empty() {
                self.accounts_by_owner.remove(&key);
            }
        }
        Some(a)
    }

    /// Adds a webhook endpoint (assigning its creation order).
    pub fn add_webhook_endpoint(&mut self, mut e: WebhookEndpoint) {
        e.seq = self.next_seq();
        self.webhook_endpoints.insert(e.id.clone(), e);
    }

    /// The environment an API key authenticates as.
    pub fn environment_for_key(&self, key: &str) -> Option<&Environment> {
        self.environments
            .values()
            .find(|e| e.api_keys.iter().any(|k| k == key))
    }

    /// The integration of `slug` with `ownership` in `env`.
    pub fn integration(&self, env: &str, slug: &str, ownership: Ownership) -> Option<&Integration> {
        self.integrations
            .values()
            .find(|i| i.env == env && i.slug == slug && i.ownership == ownership)
    }

    /// The integration of `slug` in `env`, user-owned first.
    pub fn any_integration(&self, env: &str, slug: &str) -> Option<&Integration> {
        self.integration(env, slug, Ownership::User)
            .or_else(|| self.integration(env, slug, Ownership::Organization))
    }

    /// The user `id` if it belongs to `env`.
    pub fn user_in(&self, env: &str, id: &str) -> Option<&User> {
        self.users.get(id).filter(|u| u.env == env)
    }

    /// The organization `id` if it belongs to `env`.
    pub fn organization_in(&self, env: &str, id: &str) -> Option<&Organization> {
        self.organizations.get(id).filter(|o| o.env == env)
    }

    /// Whether `user_id` is an active member of `org_id`.
    pub fn is_active_member(&self, user_id: &str, org_id: &str) -> bool {
        self.memberships.values().any(|m| {
            m.user_id == user_id
                && m.organization_id == org_id
                && m.status == MembershipStatus::Active
        })
    }

    /// The accounts one owner holds on one integration, in creation order.
    /// User-owned: `user_id` and the organization it is scoped to (or none);
    /// organization-owned: the organization.
    pub fn owner_accounts(&self, integration_id: &str, owner: &Owner) -> Vec<&ConnectedAccount> {
        let key = (integration_id.to_string(), OwnerKey::from_owner(owner));
        let mut list: Vec<&ConnectedAccount> = self
            .accounts_by_owner
            .get(&key)
            .into_iter()
            .flatten()
            .filter_map(|id| self.accounts.get(id))
            .filter(|a| owner.owns(a))
            .collect();
        list.sort_by_key(|a| a.seq);
        list
    }

    /// The compatibility connection of `user_id` on the user-owned `slug`
    /// integration (scoped to `org`, or unscoped).
    pub fn find_account(
        &self,
        env: &str,
        slug: &str,
        user_id: &str,
        org: Option<&str>,
    ) -> Option<&ConnectedAccount> {
        let integration = self.integration(env, slug, Ownership::User)?;
        let owner = Owner::User {
            user_id: user_id.to_string(),
            organization_id: org.map(str::to_string),
        };
        self.owner_accounts(&integration.id, &owner)
            .into_iter()
            .find(|a| a.connection_role == ConnectionRole::Compatibility)
    }
}

/// Who a connection belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// A user, optionally scoped to an organization.
    User {
        /// The user.
        user_id: String,
        /// The organization the connection is scoped to.
        organization_id: Option<String>,
    },
    /// An organization (shared by its members).
    Organization {
        /// The organization.
        organization_id: String,
    },
}

/// The owner of an account as an index key: exactly what [`Owner::owns`] compares.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum OwnerKey {
    User(Option<String>, Option<String>),
    Organization(Option<String>),
}

impl OwnerKey {
    fn of(a: &ConnectedAccount) -> Self {
        match a.ownership {
            Ownership::User => OwnerKey::User(a.user_id.clone(), a.organization_id.clone()),
            Ownership::Organization => OwnerKey::Organization(a.organization_id.clone()),
        }
    }

    fn from_owner(o: &Owner) -> Self {
        match o {
            Owner::User {
                user_id,
                organization_id,
            } => OwnerKey::User(Some(user_id.clone()), organization_id.clone()),
            Owner::Organization { organization_id } => {
                OwnerKey::Organization(Some(organization_id.clone()))
            }
        }
    }
}

impl Owner {
    /// Whether `a` belongs to this owner.
    pub fn owns(&self, a: &ConnectedAccount) -> bool {
        match self {
            Owner::User {
                user_id,
                organization_id,
            } => {
                a.ownership == Ownership::User
                    && a.user_id.as_deref() == Some(user_id.as_str())
                    && a.organization_id == *organization_id
            }
            Owner::Organization { organization_id } => {
                a.ownership == Ownership::Organization
                    && a.organization_id.as_deref() == Some(organization_id.as_str())
            }
        }
    }
}

#[cfg(test)]
mod log_tests {
    use serde_json::Value;

    use super::*;

    fn event(n: usize) -> Event {
        Event {
            id: format!("event_{n}"),
            env: "env".into(),
            event: "user.created".into(),
            data: Value::Null,
            created_ms: 0,
        }
    }

    fn delivery(n: usize) -> Delivery {
        Delivery {
            event_id: format!("event_{n}"),
            endpoint_id: "we".into(),
            attempts: 0,
            next_attempt_ms: 0,
            status: DeliveryStatus::Pending,
            last_outcome: None,
        }
    }

    #[test]
    fn logs_keep_the_newest_log_limit_entries_and_positions_stay_stable() {
        let mut st = WorkosState {
            log_limit: 3,
            ..WorkosState::default()
        };
        for n in 0..5 {
            st.push_event(event(n));
            st.push_delivery(delivery(n));
            st.store_answer(
                format!("slot {n}"),
                StoredAnswer {
                    status: 200,
                    content_type: None,
                    body: Vec::new(),
                    at_ms: 0,
                },
            );
        }
        let ids: Vec<&str> = st.events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["event_2", "event_3", "event_4"]);
        assert_eq!(st.deliveries.len(), 3);
        assert_eq!(st.idempotent.len(), 3);
        assert!(st.idempotent.contains_key("slot 4") && !st.idempotent.contains_key("slot 1"));
        // Position 4 is the fifth delivery pushed, wherever it sits now.
        assert_eq!(
            st.delivery_mut(4).map(|d| d.event_id.clone()).as_deref(),
            Some("event_4")
        );
        assert!(st.delivery_mut(1).is_none(), "dropped");
    }

    #[test]
    fn the_creation_index_follows_adds_and_removes() {
        let mut st = WorkosState::default();
        for n in 0..3 {
            st.add_user(User {
                id: format!("user_{n}"),
                ..User::default()
            });
        }
        st.remove_user("user_1");
        let ids: Vec<&String> = st.users_by_seq.values().collect();
        assert_eq!(ids, ["user_0", "user_2"]);
        st.add_user(User {
            id: "user_0".into(),
            email: "new@example.com".into(),
            ..User::default()
        });
        assert_eq!(st.users_with_email("", "new@example.com").count(), 1);
        assert_eq!(st.users_with_email("", "").count(), 1, "user_2 only");
        st.add_user(User {
            id: "user_0".into(),
            email: "new@example.com".into(),
            ..User::default()
        });
        assert_eq!(st.users_by_email["new@example.com"].len(), 1);
    }
}
