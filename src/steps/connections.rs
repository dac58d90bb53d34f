//! Several connections per user: adding another account of the same
//! provider (`connection_intent: add`), and the app choosing among them
//! (`supports_multiple_connections`, `connected_account_id`).
//!
//! WorkOS documents a second connection as not yet available, so the
//! environment refuses it (404 `multiple_connections_unavailable`) until a
//! scenario says WorkOS allows it (the mock's `multiple_connections`
//! switch; `serve` reads it from the seed's `multiple_connections`). The
//! accounts are named by the provider login they were made with, which
//! WorkOS keeps as `account_identifier`.

use cucumber::{given, then, when};

use super::params::ProviderArg;
use super::vocabulary::StepDoc;
use super::{PipesWorld, StepResult};
use crate::client::models::{AuthorizeParams, CredentialsRequest};
use crate::mock::workos::state::{ConnectedAccount, Owner, Ownership};
use crate::provider::ProviderKind;

impl PipesWorld {
    /// `person`'s own connections of `kind` (not scoped to an
    /// organization), oldest first, as WorkOS holds them.
    pub fn connections_of(&mut self, person: &str, kind: ProviderKind) -> Vec<ConnectedAccount> {
        let user_id = self.person(person);
        let env = self.app_environment();
        let ctx = self.stack.workos.ctx();
        let st = ctx.state();
        let Some(integration) = st.integration(&env, kind.slug(), Ownership::User) else {
            return Vec::new();
        };
        let owner = Owner::User {
            user_id,
            organization_id: None,
        };
        st.owner_accounts(&integration.id, &owner)
            .into_iter()
            .cloned()
            .collect()
    }

    /// `person`'s connection of `kind` made with the provider login `login`.
    pub fn connection_by_login(
        &mut self,
        person: &str,
        kind: ProviderKind,
        login: &str,
    ) -> Result<ConnectedAccount, String> {
        let accounts = self.connections_of(person, kind);
        accounts
            .iter()
            .find(|a| a.account_identifier.as_deref() == Some(login))
            .cloned()
            .ok_or_else(|| {
                let known: Vec<&str> = accounts
                    .iter()
                    .filter_map(|a| a.account_identifier.as_deref())
                    .collect();
                format!(
                    "{person} has no {} connection made as \"{login}\"; WorkOS holds {}",
                    kind.slug(),
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known
                            .iter()
                            .map(|k| format!("\"{k}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                )
            })
    }
}

#[given(expr = "WorkOS allows multiple connections per user")]
async fn allows_multiple(w: &mut PipesWorld) -> StepResult {
    let env = w.app_environment();
    let ctx = w.stack.workos.ctx();
    let mut st = ctx.state();
    let e = st
        .environments
        .get_mut(&env)
        .ok_or_else(|| format!("the app's environment {env} does not exist"))?;
    e.multiple_connections = true;
    Ok(())
}

async fn add_connection(w: &mut PipesWorld, person: &str, kind: ProviderKind) {
    let params = AuthorizeParams {
        user_id: w.person(person),
        return_to: Some(w.stack.app.return_url()),
        connection_intent: Some("add".into()),
        ..AuthorizeParams::default()
    };
    super::connect::run_flow(w, person, kind, &params).await;
}

#[when(expr = "{word} adds another {provider} connection")]
async fn adds_another(w: &mut PipesWorld, person: String, p: ProviderArg) {
    add_connection(w, &person, p.0).await;
}

#[given(expr = "{word} has added another {provider} connection")]
async fn has_added_another(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    add_connection(w, &person, p.0).await;
    match w.last_error.take() {
        None => Ok(()),
        Some(e) => Err(format!("adding the connection failed:\n{e}")),
    }
}

async fn ask(w: &mut PipesWorld, kind: ProviderKind, request: CredentialsRequest) {
    w.last_response = None;
    w.last_action = super::Action::TokenRequest;
    w.last_error = w.client.fresh_token_with(kind.slug(), &request).await.err();
}

#[when(expr = "the app asks WorkOS for {word}'s {provider} token, supporting multiple connections")]
async fn asks_plural(w: &mut PipesWorld, person: String, p: ProviderArg) {
    let request = CredentialsRequest {
        user_id: w.person(&person),
        supports_multiple_connections: Some(true),
        ..CredentialsRequest::default()
    };
    ask(w, p.0, request).await;
}

#[when(expr = "the app asks WorkOS for {word}'s {provider} token of the account {string}")]
async fn asks_for_account(
    w: &mut PipesWorld,
    person: String,
    p: ProviderArg,
    login: String,
) -> StepResult {
    let account = w.connection_by_login(&person, p.0, &login)?;
    let request = CredentialsRequest {
        user_id: w.person(&person),
        connected_account_id: Some(account.id),
        supports_multiple_connections: Some(true),
        ..CredentialsRequest::default()
    };
    ask(w, p.0, request).await;
    Ok(())
}

#[then(expr = "the app gets the {provider} token of the account {string}")]
async fn gets_account_token(w: &mut PipesWorld, p: ProviderArg, login: String) -> StepResult {
    if let Some(e) = &w.last_error {
        return Err(format!("the app got no {} token:\n{e}", p.0.slug()));
    }
    let got = super::tokens::handed_out(w, p.0, false)?;
    let ctx = w.stack.workos.ctx();
    let st = ctx.state();
    let holder = st
        .accounts
        .values()
        .find(|a| a.slug == p.0.slug() && a.access_token.as_deref() == Some(&got.access_token));
    match holder {
        Some(a) if a.account_identifier.as_deref() == Some(login.as_str()) => Ok(()),
        Some(a) => Err(format!(
            "WorkOS handed out the token of the account \"{}\" ({}), not of \"{login}\"",
            a.account_identifier.as_deref().unwrap_or("unnamed"),
            a.id
        )),
        None => Err(format!(
            "WorkOS handed out a {} token no connection holds any more",
            p.0.slug()
        )),
    }
}

#[then(expr = "the number of {word}'s {provider} connections is {int}")]
async fn connection_count(
    w: &mut PipesWorld,
    person: String,
    p: ProviderArg,
    n: usize,
) -> StepResult {
    let accounts = w.connections_of(&person, p.0);
    if accounts.len() == n {
        return Ok(());
    }
    let listed: Vec<String> = accounts
        .iter()
        .map(|a| {
            format!(
                "{} ({}, {})",
                a.account_identifier.as_deref().unwrap_or("unnamed"),
                a.connection_role.as_str(),
                a.state.as_str()
            )
        })
        .collect();
    Err(format!(
        "expected {person} to have {n} {} connection(s); WorkOS holds {}: {}",
        p.0.slug(),
        accounts.len(),
        if listed.is_empty() {
            "none".to_string()
        } else {
            listed.join(", ")
        }
    ))
}

/// The documented vocabulary of this module.
pub const VOCABULARY: &[StepDoc] = &[
    StepDoc {
        keyword: "Given",
        expression: "WorkOS allows multiple connections per user",
        description: "Turns on several connections per owner in the app's environment (off by default, as WorkOS documents it as not yet available); serve's seed says `multiple_connections: true`.",
        example: "WorkOS allows multiple connections per user",
        group: "Several connections",
    },
    StepDoc {
        keyword: "When",
        expression: "{word} adds another {provider} connection",
        description: "Runs the connect flow with connection_intent add, for the provider login the person's browser is signed in as; refused with multiple_connections_unavailable unless WorkOS allows multiple connections.",
        example: "alice adds another github connection",
        group: "Several connections",
    },
    StepDoc {
        keyword: "Given",
        expression: "{word} has added another {provider} connection",
        description: "The same, as a precondition that must succeed.",
        example: "alice has added another github connection",
        group: "Several connections",
    },
    StepDoc {
        keyword: "When",
        expression: "the app asks WorkOS for {word}'s {provider} token, supporting multiple connections",
        description: "A token request with supports_multiple_connections=true and no connected_account_id: with several connections WorkOS answers 409 account_selection_required.",
        example: "the app asks WorkOS for alice's github token, supporting multiple connections",
        group: "Several connections",
    },
    StepDoc {
        keyword: "When",
        expression: "the app asks WorkOS for {word}'s {provider} token of the account {string}",
        description: "A token request naming one connection (connected_account_id of the connection made with this provider login).",
        example: "the app asks WorkOS for alice's github token of the account \"alice-work\"",
        group: "Several connections",
    },
    StepDoc {
        keyword: "Then",
        expression: "the app gets the {provider} token of the account {string}",
        description: "The last token request handed out the token of the connection made with this provider login.",
        example: "the app gets the github token of the account \"alice-work\"",
        group: "Several connections",
    },
    StepDoc {
        keyword: "Then",
        expression: "the number of {word}'s {provider} connections is {int}",
        description: "How many connections of the provider WorkOS holds for the person (their own, not organization-scoped ones).",
        example: "the number of alice's github connections is 2",
        group: "Several connections",
    },
];
