//! Connecting accounts and reading what the harness diagnosed.

use cucumber::{then, when};

use super::params::{Kind, ProviderArg, ScopeList};
use super::{PipesWorld, StepResult};
use crate::client::connect::connect;
use crate::client::models::{AuthorizeRequest, TokenRequest};
use crate::client::{AccessTokenResponse, PipesError};

#[when(expr = "{word} connects {provider}")]
async fn connects(w: &mut PipesWorld, person: String, p: ProviderArg) {
    let user_id = w.user(&person);
    let browser = w.browser(&person);
    let request = AuthorizeRequest {
        user_id,
        organization_id: None,
        return_to: Some(w.stack.app.return_url()),
    };
    w.last_error = connect(&w.client, &browser, p.0, &request).await.err();
}

#[then(expr = "{word}'s {provider} connection is {word}")]
async fn connection_state(
    w: &mut PipesWorld,
    person: String,
    p: ProviderArg,
    state: String,
) -> StepResult {
    if let Some(e) = &w.last_error {
        return Err(format!("connecting failed:\n{e}"));
    }
    let user_id = w.user(&person);
    let account = w
        .client
        .get_user_connected_account(&user_id, p.0.slug())
        .await
        .map_err(|e| e.to_string())?;
    if account.state != state {
        return Err(format!(
            "expected {person}'s {} connection to be {state}, it is {}",
            p.0.slug(),
            account.state
        ));
    }
    Ok(())
}

#[then(expr = "{word}'s {provider} connection has scopes {scopes}")]
async fn connection_scopes(
    w: &mut PipesWorld,
    person: String,
    p: ProviderArg,
    scopes: ScopeList,
) -> StepResult {
    let user_id = w.user(&person);
    let account = w
        .client
        .get_user_connected_account(&user_id, p.0.slug())
        .await
        .map_err(|e| e.to_string())?;
    if account.scopes != scopes.0 {
        return Err(format!(
            "expected scopes {:?}, the connection has {:?}",
            scopes.0, account.scopes
        ));
    }
    Ok(())
}

#[then(expr = "{word} has no {provider} connection")]
async fn no_connection(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    let user_id = w.user(&person);
    let request = TokenRequest {
        user_id,
        organization_id: None,
    };
    match w
        .client
        .get_access_token(p.0.slug(), &request)
        .await
        .map_err(|e| e.to_string())?
    {
        AccessTokenResponse::Inactive { error, .. } if error == "not_installed" => Ok(()),
        other => Err(format!(
            "expected WorkOS to answer active:false, error:not_installed; it answered {other:?}"
        )),
    }
}

#[then(expr = "the diagnosis is {diagnosis}")]
async fn diagnosis_is(w: &mut PipesWorld, kind: Kind) -> StepResult {
    let d = w.last_diagnosis()?;
    if d.kind != kind.0 {
        return Err(format!("expected diagnosis {}, got:\n{d}", kind.0));
    }
    Ok(())
}

#[then(expr = "the connection fails with diagnosis {diagnosis}")]
async fn connection_fails(w: &mut PipesWorld, kind: Kind) -> StepResult {
    match &w.last_error {
        Some(PipesError::Connect { diagnosis, .. }) if diagnosis.kind == kind.0 => Ok(()),
        Some(e) => Err(format!(
            "expected the connection to fail with {}, it failed with:\n{e}",
            kind.0
        )),
        None => Err(format!(
            "expected the connection to fail with {}, but it succeeded",
            kind.0
        )),
    }
}

#[then(expr = "the diagnosis explains the root cause and the fix")]
async fn diagnosis_explains(w: &mut PipesWorld) -> StepResult {
    let d = w.last_diagnosis()?;
    if d.root_cause().is_empty() || d.fix().is_empty() || d.detail.is_empty() {
        return Err(format!(
            "the diagnosis lacks a root cause, a fix or the observed detail:\n{d}"
        ));
    }
    Ok(())
}

#[then(expr = "the diagnosis mentions {string}")]
async fn diagnosis_mentions(w: &mut PipesWorld, text: String) -> StepResult {
    let d = w.last_diagnosis()?;
    let rendered = d.render();
    if !rendered.contains(&text) {
        return Err(format!(
            "expected the diagnosis to mention {text:?}:\n{rendered}"
        ));
    }
    Ok(())
}

/// The documented vocabulary of this module.
pub const VOCABULARY: &[super::vocabulary::StepDoc] = &[
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "{word} connects {provider}",
        description: "Runs the whole connect flow in the person's browser: authorize URL, provider consent, WorkOS callback, back to the app.",
        example: "alice connects github",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "{word}'s {provider} connection is {word}",
        description: "The connected account's state: connected, needs_reauthorization or disconnected.",
        example: "alice's github connection is connected",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "{word}'s {provider} connection has scopes {scopes}",
        description: "The scopes WorkOS recorded for the connection, in order.",
        example: "alice's github connection has scopes \"repo, user:email\"",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "{word} has no {provider} connection",
        description: "The token endpoint answers active:false, error:not_installed.",
        example: "alice has no github connection",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "the connection fails with diagnosis {diagnosis}",
        description: "The last connect flow failed, and the harness diagnosed this kind.",
        example: "the connection fails with diagnosis redirect_uri_mismatch",
        group: "Diagnoses",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "the diagnosis is {diagnosis}",
        description: "The last failure (connect, token or provider call) was diagnosed as this kind.",
        example: "the diagnosis is insufficient_scopes",
        group: "Diagnoses",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "the diagnosis explains the root cause and the fix",
        description: "The diagnosis carries what happened, the root cause and fix steps.",
        example: "the diagnosis explains the root cause and the fix",
        group: "Diagnoses",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "the diagnosis mentions {string}",
        description: "The rendered diagnosis contains this text (e.g. the provider's own error description).",
        example: "the diagnosis mentions \"redirect_uri MUST match\"",
        group: "Diagnoses",
    },
];
