//! Connecting accounts, the checks that protect the flow (the `state`
//! parameter, whose OAuth app the user approved), and reading what the
//! harness diagnosed.

use cucumber::{given, then, when};

use super::params::{Kind, ProviderArg, ScopeList, Span};
use super::{PipesWorld, StepResult};
use crate::client::connect::{connect, diagnose_visit, follow};
use crate::client::models::{AuthorizeParams, AuthorizeRequest, FinishConnection, TokenRequest};
use crate::client::{AccessTokenResponse, DiagnosisKind, PipesError};
use crate::common::duration::spoken;
use crate::mock::workos::state::Credentials;
use crate::provider::ProviderKind;
use crate::transcript::{Entry, Exchange};

#[when(expr = "{word} connects {provider}")]
async fn connects(w: &mut PipesWorld, person: String, p: ProviderArg) {
    let user_id = w.person(&person);
    let browser = w.browser(&person);
    let request = AuthorizeRequest {
        user_id,
        organization_id: None,
        return_to: Some(w.stack.app.return_url()),
    };
    w.last_action = super::Action::Connect;
    w.last_error = connect(&w.client, &browser, p.0, &request).await.err();
}

/// How the app finishes a connection it started with a `code_challenge`.
enum Finish {
    /// With its verifier, at once.
    Right,
    /// With another verifier.
    WrongVerifier,
    /// With its verifier, after this much virtual time.
    After(std::time::Duration),
    /// With its verifier, then again with the same `connect_code`.
    Twice,
}

/// The connect flow with PKCE: the app sends a `code_challenge`, the browser
/// comes back to `return_to` with a `connect_code`, and the app finishes the
/// connection with its verifier.
async fn connects_with_challenge(w: &mut PipesWorld, person: &str, p: ProviderArg, how: Finish) {
    w.last_action = super::Action::Connect;
    w.last_error = finish_flow(w, person, p.0, how).await.err();
}

async fn finish_flow(
    w: &mut PipesWorld,
    person: &str,
    kind: ProviderKind,
    how: Finish,
) -> Result<(), PipesError> {
    // What an app keeps in the user's session (43 to 128 URL-safe characters).
    let verifier = "the-app-keeps-this-verifier-in-the-session-0123456789".to_string();
    let params = AuthorizeParams {
        user_id: w.person(person),
        return_to: Some(w.stack.app.return_url()),
        code_challenge: Some(crate::providers::engine::oauth::pkce_challenge(&verifier)),
        code_challenge_method: Some("S256".into()),
        ..AuthorizeParams::default()
    };
    w.stack.recorder.secret("code_verifier", &verifier);
    let browser = w.browser(person);
    let authorize = w.client.authorize_with(kind.slug(), &params).await?;
    follow(&browser, kind, &authorize.url, params.return_to.as_deref()).await?;
    let back = browser_hops(w)
        .last()
        .map(|x| x.url.clone())
        .unwrap_or_default();
    let Some(connect_code) = query_param(&back, "connect_code") else {
        // The flow already ended without a connection: that is the failure.
        return Err(PipesError::Connect {
            provider: kind,
            diagnosis: crate::client::Diagnosis::new(
                DiagnosisKind::ProviderUnavailable,
                format!("the browser came back to {back} without a connect_code"),
            ),
        });
    };
    let mut finish = FinishConnection {
        connect_code,
        code_verifier: verifier,
        state: query_param(&back, "state"),
    };
    match how {
        Finish::Right | Finish::Twice => {}
        Finish::WrongVerifier => {
            finish.code_verifier =
                "the-app-lost-its-verifier-and-made-up-another-0123456789".to_string();
        }
        Finish::After(span) => {
            w.stack.clock.advance(span);
            w.stack
                .recorder
                .note("clock", format!("{} passed", spoken(span)));
        }
    }
    w.client.finish_connection(&finish).await?;
    if matches!(how, Finish::Twice) {
        w.client.finish_connection(&finish).await?;
    }
    Ok(())
}

#[when(expr = "{word} connects {provider} with a code challenge")]
async fn connects_pkce(w: &mut PipesWorld, person: String, p: ProviderArg) {
    connects_with_challenge(w, &person, p, Finish::Right).await;
}

#[when(
    expr = "{word} connects {provider} with a code challenge, and the app finishes with the wrong verifier"
)]
async fn connects_pkce_wrong(w: &mut PipesWorld, person: String, p: ProviderArg) {
    connects_with_challenge(w, &person, p, Finish::WrongVerifier).await;
}

#[when(
    expr = "{word} connects {provider} with a code challenge, and the app finishes after {duration}"
)]
async fn connects_pkce_late(w: &mut PipesWorld, person: String, p: ProviderArg, span: Span) {
    connects_with_challenge(w, &person, p, Finish::After(span.0)).await;
}

#[when(expr = "{word} connects {provider} with a code challenge, and the app finishes twice")]
async fn connects_pkce_twice(w: &mut PipesWorld, person: String, p: ProviderArg) {
    connects_with_challenge(w, &person, p, Finish::Twice).await;
}

#[when(expr = "{word} connects {provider} for the organization {string}")]
async fn connects_for_org(w: &mut PipesWorld, person: String, p: ProviderArg, org: String) {
    let user_id = w.person(&person);
    let params = AuthorizeParams {
        user_id,
        organization_id: Some(w.organization(&org)),
        return_to: Some(w.stack.app.return_url()),
        ..AuthorizeParams::default()
    };
    run_flow(w, &person, p.0, &params).await;
}

#[given(expr = "{word} has connected {provider}")]
async fn has_connected(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    connects(w, person, p).await;
    match w.last_error.take() {
        None => Ok(()),
        Some(e) => Err(format!("connecting failed:\n{e}")),
    }
}

#[given(expr = "{word} has connected {provider} for the organization {string}")]
async fn has_connected_for_org(
    w: &mut PipesWorld,
    person: String,
    p: ProviderArg,
    org: String,
) -> StepResult {
    connects_for_org(w, person, p, org).await;
    match w.last_error.take() {
        None => Ok(()),
        Some(e) => Err(format!("connecting failed:\n{e}")),
    }
}

#[when(expr = "{word} reconnects {provider}")]
async fn reconnects(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    let user_id = w.person(&person);
    let account = w
        .checks()
        .get_user_connected_account(&user_id, p.0.slug())
        .await
        .map_err(|e| {
            format!(
                "{person} has no {} connection to reconnect:\n{e}",
                p.0.slug()
            )
        })?;
    let params = AuthorizeParams {
        user_id: user_id.clone(),
        return_to: Some(w.stack.app.return_url()),
        connection_intent: Some("reauthorize".into()),
        connected_account_id: Some(account.id),
        ..AuthorizeParams::default()
    };
    run_flow(w, &person, p.0, &params).await;
    Ok(())
}

/// The connect flow with every authorize option in `person`'s browser:
/// authorize URL, the browser's walk, and the verdict on where it ended,
/// kept for the Then steps.
pub(super) async fn run_flow(
    w: &mut PipesWorld,
    person: &str,
    kind: ProviderKind,
    params: &AuthorizeParams,
) {
    let browser = w.browser(person);
    w.last_action = super::Action::Connect;
    let walked = match w.client.authorize_with(kind.slug(), params).await {
        Ok(authorize) => follow(&browser, kind, &authorize.url, params.return_to.as_deref()).await,
        Err(e) => Err(e),
    };
    w.last_error = walked.err();
}

/// The browser's requests, oldest first.
fn browser_hops(w: &PipesWorld) -> Vec<Exchange> {
    w.stack
        .recorder
        .entries()
        .into_iter()
        .filter_map(|e| match e {
            Entry::Exchange(x) if x.from == "browser" => Some(x),
            _ => None,
        })
        .collect()
}

fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url).ok().and_then(|u| {
        u.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    })
}

/// The last time the browser opened `kind`'s authorize page.
fn last_authorize_hop(w: &PipesWorld, kind: ProviderKind) -> Result<Exchange, String> {
    let page = w.stack.provider(kind).authorize_url();
    browser_hops(w)
        .into_iter()
        .rfind(|x| x.url.starts_with(&page))
        .ok_or_else(|| {
            format!(
                "the browser never reached {}'s authorize page: add \"When alice connects {}\" first",
                kind.display_name(),
                kind.slug()
            )
        })
}

/// The last time the browser came back to WorkOS's callback for `kind`.
fn last_callback_hop(w: &PipesWorld, kind: ProviderKind) -> Result<Exchange, String> {
    let callback = crate::steps::setup::workos_redirect_uri(w, kind);
    browser_hops(w)
        .into_iter()
        .rfind(|x| x.url.starts_with(&format!("{callback}?")))
        .ok_or_else(|| {
            format!(
                "the browser never came back to WorkOS's {} callback",
                kind.slug()
            )
        })
}

#[then(expr = "WorkOS protected {word}'s {provider} flow with an unguessable state")]
async fn protected_by_state(w: &mut PipesWorld, _person: String, p: ProviderArg) -> StepResult {
    let sent = query_param(&last_authorize_hop(w, p.0)?.url, "state").ok_or_else(|| {
        format!(
            "WorkOS sent the browser to {} without a state",
            p.0.display_name()
        )
    })?;
    if sent.len() < 32 {
        return Err(format!(
            "the state WorkOS sent has {} characters; at least 32 random ones make it unguessable",
            sent.len()
        ));
    }
    let returned = query_param(&last_callback_hop(w, p.0)?.url, "state").ok_or_else(|| {
        format!(
            "{} came back to WorkOS without the state",
            p.0.display_name()
        )
    })?;
    if returned != sent {
        return Err(format!(
            "{} came back with another state than WorkOS sent",
            p.0.display_name()
        ));
    }
    Ok(())
}

#[when(
    expr = "an attacker sends {word}'s browser to the WorkOS {provider} callback with a forged state"
)]
async fn forged_callback(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    w.person(&person);
    let code = w.stack.ids.hex(10);
    w.stack.recorder.secret("code", &code);
    let forged = w.stack.ids.secret("", 32);
    let url = format!(
        "{}?code={code}&state={forged}",
        crate::steps::setup::workos_redirect_uri(w, p.0)
    );
    revisit(w, &person, p.0, &url).await
}

#[when(expr = "{word}'s browser replays the {provider} callback")]
async fn replays_callback(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    let url = last_callback_hop(w, p.0)?.url;
    revisit(w, &person, p.0, &url).await
}

async fn revisit(w: &mut PipesWorld, person: &str, kind: ProviderKind, url: &str) -> StepResult {
    let browser = w.browser(person);
    let visit = browser.visit(url).await?;
    let return_to = w.stack.app.return_url();
    w.last_action = super::Action::Connect;
    w.last_error =
        diagnose_visit(kind, &visit, Some(&return_to)).map(|diagnosis| PipesError::Connect {
            provider: kind,
            diagnosis,
        });
    Ok(())
}

#[then(expr = "{word} approved WorkOS's shared {provider} app")]
async fn approved_shared(w: &mut PipesWorld, _person: String, p: ProviderArg) -> StepResult {
    let hop = last_authorize_hop(w, p.0)?;
    let client_id = query_param(&hop.url, "client_id").unwrap_or_default();
    let shared = format!("workos_shared_{}", p.0.slug());
    if client_id == shared {
        Ok(())
    } else {
        Err(format!(
            "expected the consent screen of WorkOS's shared app ({shared}), {} showed the app {client_id}",
            p.0.display_name()
        ))
    }
}

#[then(expr = "{word} approved the team's own {provider} app")]
async fn approved_custom(w: &mut PipesWorld, _person: String, p: ProviderArg) -> StepResult {
    let hop = last_authorize_hop(w, p.0)?;
    let client_id = query_param(&hop.url, "client_id").unwrap_or_default();
    let env = w.app_environment();
    let expected = {
        let ctx = w.stack.workos.ctx();
        let st = ctx.state();
        match st
            .integration(
                &env,
                p.0.slug(),
                crate::mock::workos::state::Ownership::User,
            )
            .map(|i| i.credentials.clone())
        {
            Some(Credentials::Custom { client_id, .. }) => client_id,
            _ => {
                return Err(format!(
                    "the {} integration in the app's environment has no custom credentials",
                    p.0.slug()
                ));
            }
        }
    };
    if client_id == expected {
        Ok(())
    } else {
        Err(format!(
            "expected the consent screen of the team's own app ({expected}), {} showed the app {client_id}",
            p.0.display_name()
        ))
    }
}

#[then(expr = "{word}'s {provider} connection is {word}")]
async fn connection_state(
    w: &mut PipesWorld,
    person: String,
    p: ProviderArg,
    state: String,
) -> StepResult {
    // When the last connect flow failed, that failure is the explanation
    // worth showing, whatever the state turns out to be.
    let connect_failure = match &w.last_error {
        Some(e @ PipesError::Connect { .. }) => Some(e.to_string()),
        _ => None,
    };
    let user_id = w.person(&person);
    let account = match w
        .checks()
        .get_user_connected_account(&user_id, p.0.slug())
        .await
    {
        Ok(account) => account,
        // A deleted connection is gone from WorkOS (404) after the
        // `disconnected` event: that is what "disconnected" looks like.
        Err(e) if state == "disconnected" && e.kind() == DiagnosisKind::ConnectionNotFound => {
            return Ok(());
        }
        Err(e) => {
            return Err(match connect_failure {
                Some(failure) => format!("connecting failed:\n{failure}"),
                None => e.to_string(),
            });
        }
    };
    if account.state != state {
        let why = connect_failure
            .map(|f| format!("\nthe last connect flow failed:\n{f}"))
            .unwrap_or_default();
        return Err(format!(
            "expected {person}'s {} connection to be {state}, it is {}{why}",
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
    let user_id = w.person(&person);
    let account = w
        .checks()
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
    let user_id = w.person(&person);
    let request = TokenRequest {
        user_id,
        organization_id: None,
    };
    match w
        .checks()
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
    if w.last_action != super::Action::Connect {
        return Err(format!(
            "expected a connect flow to fail with {}, but the last action was {}: add \"When alice connects github\" first",
            kind.0,
            w.last_action.spoken()
        ));
    }
    // Every failure of the flow counts, wherever it happened: at WorkOS's
    // authorize call (a missing integration, a bad key) as much as at the
    // provider or on the callback.
    match &w.last_error {
        Some(e) if e.kind() == kind.0 => Ok(()),
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

#[then(expr = "no failure was diagnosed")]
async fn nothing_failed(w: &mut PipesWorld) -> StepResult {
    match &w.last_error {
        None => Ok(()),
        Some(e) => Err(format!(
            "expected the last step to succeed, it failed:\n{e}"
        )),
    }
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
        keyword: "When",
        expression: "{word} connects {provider} with a code challenge",
        description: "The connect flow with PKCE: the app sends a code_challenge, the browser returns with a connect_code, and the app finishes the connection (POST /data-integrations/finish) with its verifier.",
        example: "alice connects github with a code challenge",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "{word} connects {provider} with a code challenge, and the app finishes with the wrong verifier",
        description: "The app finishes with a verifier that does not match its challenge: WorkOS refuses and the connect_code is used up.",
        example: "alice connects github with a code challenge, and the app finishes with the wrong verifier",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "{word} connects {provider} with a code challenge, and the app finishes after {duration}",
        description: "The app finishes late: a connect_code works for 90 seconds.",
        example: "alice connects github with a code challenge, and the app finishes after 2 minutes",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "{word} connects {provider} with a code challenge, and the app finishes twice",
        description: "The app finishes, then finishes again with the same connect_code (a retried request): the second is refused.",
        example: "alice connects github with a code challenge, and the app finishes twice",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "{word} connects {provider} for the organization {string}",
        description: "The connect flow for a connection scoped to an organization (created on first mention).",
        example: "alice connects github for the organization \"Acme\"",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "Given",
        expression: "{word} has connected {provider}",
        description: "The same connect flow as a precondition: the step fails if the flow does.",
        example: "alice has connected github",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "Given",
        expression: "{word} has connected {provider} for the organization {string}",
        description: "The same for a connection scoped to an organization.",
        example: "alice has connected github for the organization \"Acme\"",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "{word} reconnects {provider}",
        description: "The connect flow again with connection_intent reauthorize and the existing connection's id: how a user repairs a connection.",
        example: "alice reconnects google",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "WorkOS protected {word}'s {provider} flow with an unguessable state",
        description: "The authorize redirect to the provider carried a state of at least 32 characters and the provider returned it unchanged to WorkOS's callback.",
        example: "WorkOS protected alice's github flow with an unguessable state",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "an attacker sends {word}'s browser to the WorkOS {provider} callback with a forged state",
        description: "A login-CSRF attempt: the person's browser opens the callback with a code and a state WorkOS never issued.",
        example: "an attacker sends alice's browser to the WorkOS github callback with a forged state",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "{word}'s browser replays the {provider} callback",
        description: "The person's browser opens the last callback URL again (reload, back button, a replayed link): its state was already used.",
        example: "alice's browser replays the github callback",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "{word} approved WorkOS's shared {provider} app",
        description: "The consent screen was the one of WorkOS's shared OAuth app (sandbox shared credentials).",
        example: "alice approved WorkOS's shared github app",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "{word} approved the team's own {provider} app",
        description: "The consent screen was the one of your own OAuth app (custom credentials).",
        example: "alice approved the team's own github app",
        group: "Connecting",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "{word}'s {provider} connection is {word}",
        description: "The connected account's state: connected, needs_reauthorization or disconnected (the connection was deleted: WorkOS no longer has it).",
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
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "no failure was diagnosed",
        description: "The last action succeeded.",
        example: "no failure was diagnosed",
        group: "Diagnoses",
    },
];
