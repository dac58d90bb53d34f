//! Organizations and the connections their members share: who belongs to
//! an organization (a member, an admin, a membership that ends), a member
//! connecting the organization's own account (`connection_owner:
//! organization`), and the app asking for that shared token on behalf of
//! any member.
//!
//! Memberships are set up straight in the WorkOS mock's state, as the
//! dashboard or the team's onboarding would have made them, so a
//! scenario's transcript starts with the app's first request. A membership
//! ending is a WorkOS call (`PUT .../organization_memberships/{id}/deactivate`),
//! because what WorkOS does then is part of the story: the shared
//! connections that member established need reauthorization.

use cucumber::{given, then, when};

use super::params::ProviderArg;
use super::vocabulary::StepDoc;
use super::{PipesWorld, StepResult};
use crate::client::models::{AuthorizeParams, CredentialsRequest};
use crate::mock::workos::state::{
    ConnectedAccount, Integration, Membership, MembershipStatus, Owner, Ownership,
};
use crate::provider::ProviderKind;

impl PipesWorld {
    /// Makes `person` an active member of `org` with `role` (a membership
    /// that exists is reactivated with that role).
    pub fn add_member(&mut self, person: &str, org: &str, role: &str) {
        let user_id = self.person(person);
        let org_id = self.organization(org);
        let env = self.app_environment();
        let now = self.stack.clock.now_ms();
        let id = self.stack.ids.id("om");
        let ctx = self.stack.workos.ctx();
        let mut st = ctx.state();
        let existing = st
            .memberships
            .values()
            .find(|m| m.user_id == user_id && m.organization_id == org_id)
            .map(|m| m.id.clone());
        if let Some(existing) = existing
            && let Some(m) = st.memberships.get_mut(&existing)
        {
            m.status = MembershipStatus::Active;
            m.roles = vec![role.to_string()];
            m.updated_ms = now;
            return;
        }
        st.add_membership(Membership {
            id,
            env,
            user_id,
            organization_id: org_id,
            status: MembershipStatus::Active,
            roles: vec![role.to_string()],
            created_ms: now,
            updated_ms: now,
            seq: 0,
        });
    }

    /// The organization-owned integration of `kind` in the app's
    /// environment, created with WorkOS shared credentials on first use.
    pub fn organization_integration(&mut self, kind: ProviderKind) -> String {
        let env = self.app_environment();
        let now = self.stack.clock.now_ms();
        let id = self.stack.ids.id("data_integration");
        let ctx = self.stack.workos.ctx();
        let mut st = ctx.state();
        if let Some(i) = st.integration(&env, kind.slug(), Ownership::Organization) {
            return i.id.clone();
        }
        let mut integration = Integration::builtin(&id, &env, kind, now);
        integration.ownership = Ownership::Organization;
        st.add_integration(integration);
        id
    }

    /// The organization's shared connection of `kind`, as WorkOS holds it.
    pub fn shared_account(&mut self, kind: ProviderKind, org: &str) -> Option<ConnectedAccount> {
        let org_id = self.organization(org);
        let env = self.app_environment();
        let ctx = self.stack.workos.ctx();
        let st = ctx.state();
        let integration = st.integration(&env, kind.slug(), Ownership::Organization)?;
        let owner = Owner::Organization {
            organization_id: org_id,
        };
        st.owner_accounts(&integration.id, &owner)
            .first()
            .map(|a| (*a).clone())
    }
}

#[given(expr = "the {provider} integration is configured for organizations")]
async fn org_integration(w: &mut PipesWorld, p: ProviderArg) {
    w.organization_integration(p.0);
}

#[given(expr = "{word} is a member of {string}")]
async fn is_member(w: &mut PipesWorld, person: String, org: String) {
    w.add_member(&person, &org, "member");
}

#[given(expr = "{word} is an admin of {string}")]
async fn is_admin(w: &mut PipesWorld, person: String, org: String) {
    w.add_member(&person, &org, "admin");
}

#[when(expr = "{word}'s membership of {string} ends")]
async fn membership_ends(w: &mut PipesWorld, person: String, org: String) -> StepResult {
    let user_id = w.person(&person);
    let org_id = w.organization(&org);
    let id = {
        let ctx = w.stack.workos.ctx();
        let st = ctx.state();
        st.memberships
            .values()
            .find(|m| {
                m.user_id == user_id
                    && m.organization_id == org_id
                    && m.status == MembershipStatus::Active
            })
            .map(|m| m.id.clone())
    }
    .ok_or_else(|| {
        format!(
            "{person} is not an active member of \"{org}\": add \"Given {person} is a member of \\\"{org}\\\"\" first"
        )
    })?;
    w.last_action = super::Action::WorkosRequest;
    w.client
        .set_membership_active(&id, false)
        .await
        .map(|_| ())
        .map_err(|e| format!("ending {person}'s membership of \"{org}\" failed:\n{e}"))
}

/// The connect flow for an organization's shared account, with `person`
/// acting for it.
async fn connect_shared(w: &mut PipesWorld, person: &str, kind: ProviderKind, org: &str) {
    let params = AuthorizeParams {
        user_id: w.person(person),
        organization_id: Some(w.organization(org)),
        connection_owner: Some("organization".into()),
        return_to: Some(w.stack.app.return_url()),
        ..AuthorizeParams::default()
    };
    super::connect::run_flow(w, person, kind, &params).await;
}

#[when(expr = "{word} connects the shared {provider} account of the organization {string}")]
async fn connects_shared(w: &mut PipesWorld, person: String, p: ProviderArg, org: String) {
    connect_shared(w, &person, p.0, &org).await;
}

#[given(expr = "{word} has connected the shared {provider} account of the organization {string}")]
async fn has_connected_shared(
    w: &mut PipesWorld,
    person: String,
    p: ProviderArg,
    org: String,
) -> StepResult {
    connect_shared(w, &person, p.0, &org).await;
    match w.last_error.take() {
        None => Ok(()),
        Some(e) => Err(format!("connecting failed:\n{e}")),
    }
}

#[when(
    expr = "the app asks WorkOS for the shared {provider} token of the organization {string} for {word}"
)]
async fn asks_shared_token(w: &mut PipesWorld, p: ProviderArg, org: String, person: String) {
    let request = CredentialsRequest {
        user_id: w.person(&person),
        organization_id: Some(w.organization(&org)),
        connection_owner: Some("organization".into()),
        ..CredentialsRequest::default()
    };
    w.last_response = None;
    w.last_action = super::Action::TokenRequest;
    w.last_error = w.client.fresh_token_with(p.0.slug(), &request).await.err();
}

#[then(expr = "the app gets the shared {provider} token of the organization {string}")]
async fn gets_shared_token(w: &mut PipesWorld, p: ProviderArg, org: String) -> StepResult {
    if let Some(e) = &w.last_error {
        return Err(format!("the app got no {} token:\n{e}", p.0.slug()));
    }
    let got = super::tokens::handed_out(w, p.0, false)?;
    let account = w.shared_account(p.0, &org).ok_or_else(|| {
        format!(
            "\"{org}\" has no shared {} connection: add \"Given carol has connected the shared {} account of the organization \\\"{org}\\\"\" first",
            p.0.slug(),
            p.0.slug()
        )
    })?;
    if account.access_token.as_deref() == Some(got.access_token.as_str()) {
        Ok(())
    } else {
        Err(format!(
            "WorkOS handed out a {} token that is not the one of \"{org}\"'s shared connection ({})",
            p.0.slug(),
            account.id
        ))
    }
}

#[then(expr = "the shared {provider} connection of the organization {string} is {word}")]
async fn shared_state(
    w: &mut PipesWorld,
    p: ProviderArg,
    org: String,
    state: String,
) -> StepResult {
    let account = w.shared_account(p.0, &org);
    let actual = account
        .as_ref()
        .map_or("disconnected", |a| a.state.as_str());
    if actual == state {
        return Ok(());
    }
    let reason = account
        .and_then(|a| a.state_reason)
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    let why = match &w.last_error {
        Some(e) if w.last_action == super::Action::Connect => {
            format!("\nthe last connect flow failed:\n{e}")
        }
        _ => String::new(),
    };
    Err(format!(
        "expected \"{org}\"'s shared {} connection to be {state}, it is {actual}{reason}{why}",
        p.0.slug()
    ))
}

#[then(
    expr = "the shared {provider} connection of the organization {string} was established by {word}"
)]
async fn established_by(
    w: &mut PipesWorld,
    p: ProviderArg,
    org: String,
    person: String,
) -> StepResult {
    let user_id = w.person(&person);
    let account = w
        .shared_account(p.0, &org)
        .ok_or_else(|| format!("\"{org}\" has no shared {} connection", p.0.slug()))?;
    match account.established_by_user_id {
        Some(id) if id == user_id => Ok(()),
        other => Err(format!(
            "expected {person} ({user_id}) to have established \"{org}\"'s shared {} connection; WorkOS says {}",
            p.0.slug(),
            other.unwrap_or_else(|| "nobody".into())
        )),
    }
}

/// The documented vocabulary of this module.
pub const VOCABULARY: &[StepDoc] = &[
    StepDoc {
        keyword: "Given",
        expression: "the {provider} integration is configured for organizations",
        description: "Enables an organization-owned integration in the sandbox (WorkOS shared credentials): one connection per organization, shared by its members.",
        example: "the github integration is configured for organizations",
        group: "Organizations",
    },
    StepDoc {
        keyword: "Given",
        expression: "{word} is a member of {string}",
        description: "The person is an active member of the organization (role member); both are created on first mention.",
        example: "bob is a member of \"Acme\"",
        group: "Organizations",
    },
    StepDoc {
        keyword: "Given",
        expression: "{word} is an admin of {string}",
        description: "The person is an active member of the organization with the admin role.",
        example: "carol is an admin of \"Acme\"",
        group: "Organizations",
    },
    StepDoc {
        keyword: "When",
        expression: "{word}'s membership of {string} ends",
        description: "The app deactivates the membership through WorkOS; the shared connections that member established then need reauthorization (state_reason establishing_member_membership_ended).",
        example: "carol's membership of \"Acme\" ends",
        group: "Organizations",
    },
    StepDoc {
        keyword: "When",
        expression: "{word} connects the shared {provider} account of the organization {string}",
        description: "Runs the connect flow with connection_owner organization: the person, who must be an active member, connects the organization's own account (a non-member gets 403 organization_membership_required).",
        example: "carol connects the shared github account of the organization \"Acme\"",
        group: "Organizations",
    },
    StepDoc {
        keyword: "Given",
        expression: "{word} has connected the shared {provider} account of the organization {string}",
        description: "The same, as a precondition that must succeed.",
        example: "carol has connected the shared github account of the organization \"Acme\"",
        group: "Organizations",
    },
    StepDoc {
        keyword: "When",
        expression: "the app asks WorkOS for the shared {provider} token of the organization {string} for {word}",
        description: "POST /data-integrations/{slug}/token with connection_owner organization, the organization's id and the person as the member acting.",
        example: "the app asks WorkOS for the shared github token of the organization \"Acme\" for bob",
        group: "Organizations",
    },
    StepDoc {
        keyword: "Then",
        expression: "the app gets the shared {provider} token of the organization {string}",
        description: "The last token request succeeded with the organization's shared connection's token, whoever asked.",
        example: "the app gets the shared github token of the organization \"Acme\"",
        group: "Organizations",
    },
    StepDoc {
        keyword: "Then",
        expression: "the shared {provider} connection of the organization {string} is {word}",
        description: "The state of the organization's shared connection: connected, needs_reauthorization or disconnected (none).",
        example: "the shared github connection of the organization \"Acme\" is needs_reauthorization",
        group: "Organizations",
    },
    StepDoc {
        keyword: "Then",
        expression: "the shared {provider} connection of the organization {string} was established by {word}",
        description: "The member WorkOS records as having established the shared connection (established_by_user_id).",
        example: "the shared github connection of the organization \"Acme\" was established by carol",
        group: "Organizations",
    },
];
