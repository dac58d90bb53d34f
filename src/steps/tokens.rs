//! Tokens as the app gets them from WorkOS, and what happens behind the
//! token endpoint: WorkOS refreshing with the provider, giving up, and a
//! connection keeping the scopes it was granted.
//!
//! The `Then` steps read the transcript (the app's token requests, WorkOS's
//! refresh requests to the provider) rather than any state the steps keep,
//! so they check what really went over the wire.

use cucumber::{given, then, when};

use super::params::{Kind, ProviderArg, ScopeList, Span};
use super::vocabulary::StepDoc;
use super::{PipesWorld, StepResult};
use crate::client::models::{
    AccessToken, AccessTokenResponse, AccountSelector, ImportConnectedAccount, TokenRequest,
};
use crate::client::{AccountOwner, Diagnosis, DiagnosisKind, PipesError};
use crate::common::clock::iso8601;
use crate::provider::ProviderKind;
use crate::providers::classify::{self, Grant, ResponseView};
use crate::transcript::{Entry, Exchange};

async fn ask(w: &mut PipesWorld, kind: ProviderKind, request: TokenRequest) {
    w.last_response = None;
    w.last_action = super::Action::TokenRequest;
    w.last_error = w.client.fresh_token(kind.slug(), &request).await.err();
}

#[when(expr = "the app asks WorkOS for {word}'s {provider} token")]
async fn asks_for_token(w: &mut PipesWorld, person: String, p: ProviderArg) {
    let user_id = w.person(&person);
    let request = TokenRequest {
        user_id,
        organization_id: None,
    };
    ask(w, p.0, request).await;
}

#[when(expr = "the app asks WorkOS for {word}'s {provider} token in the organization {string}")]
async fn asks_for_token_in_org(w: &mut PipesWorld, person: String, p: ProviderArg, org: String) {
    let user_id = w.person(&person);
    let organization_id = Some(w.organization(&org));
    let request = TokenRequest {
        user_id,
        organization_id,
    };
    ask(w, p.0, request).await;
}

#[when(expr = "the app asks WorkOS for a {provider} token for the user id {string}")]
async fn asks_for_token_by_id(w: &mut PipesWorld, p: ProviderArg, user_id: String) {
    let request = TokenRequest {
        user_id,
        organization_id: None,
    };
    ask(w, p.0, request).await;
}

/// The app's token requests for `kind` in the transcript, oldest first.
pub fn token_exchanges(w: &PipesWorld, kind: ProviderKind) -> Vec<Exchange> {
    let path = format!("/data-integrations/{}/token", kind.slug());
    w.stack
        .recorder
        .entries()
        .into_iter()
        .filter_map(|e| match e {
            Entry::Exchange(x)
                if x.from == "app"
                    && x.url.split('?').next().is_some_and(|u| u.ends_with(&path)) =>
            {
                Some(x)
            }
            _ => None,
        })
        .collect()
}

/// The token WorkOS handed out in the `index`-th (or the last) token
/// response for `kind`.
pub fn handed_out(w: &PipesWorld, kind: ProviderKind, first: bool) -> Result<AccessToken, String> {
    let exchanges = token_exchanges(w, kind);
    let exchange = if first {
        exchanges.first()
    } else {
        exchanges.last()
    }
    .ok_or_else(|| format!("the app never asked WorkOS for a {} token", kind.slug()))?;
    let body = exchange.response_body.as_deref().unwrap_or_default();
    match serde_json::from_str::<AccessTokenResponse>(body) {
        Ok(AccessTokenResponse::Active { access_token, .. }) => Ok(access_token),
        Ok(AccessTokenResponse::Inactive { error, .. }) => Err(format!(
            "WorkOS handed out no {} token: active:false, error:{error}",
            kind.slug()
        )),
        Err(_) => Err(format!(
            "WorkOS answered the {} token request with HTTP {}: {body}",
            kind.slug(),
            exchange.status.unwrap_or_default()
        )),
    }
}

#[then(expr = "the app gets a {provider} token")]
async fn gets_token(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    if let Some(e) = &w.last_error {
        return Err(format!("the app got no {} token:\n{e}", p.0.slug()));
    }
    handed_out(w, p.0, false).map(|_| ())
}

#[then(expr = "the {provider} token is missing the scopes {scopes}")]
async fn token_missing(w: &mut PipesWorld, p: ProviderArg, scopes: ScopeList) -> StepResult {
    let token = handed_out(w, p.0, false)?;
    if token.missing_scopes != scopes.0 {
        return Err(format!(
            "expected WorkOS to report missing_scopes {:?}, it reported {:?} (granted: {:?})",
            scopes.0, token.missing_scopes, token.scopes
        ));
    }
    w.last_error = Some(PipesError::Check {
        check: "token scope check",
        reason: format!("missing_scopes: {}", scopes.0.join(", ")),
        diagnosis: Diagnosis::new(
            DiagnosisKind::NeedsReauthorization,
            format!(
                "WorkOS handed out the {} token this connection was granted, with scopes [{}] and missing_scopes [{}]: the integration now asks for more than the user approved. The token keeps working for what it had; the new scopes arrive only when the user reconnects.",
                p.0.display_name(),
                token.scopes.join(", "),
                token.missing_scopes.join(", ")
            ),
        ),
    });
    Ok(())
}

#[then(expr = "the {provider} token has every scope the integration asks for")]
async fn token_complete(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    let token = handed_out(w, p.0, false)?;
    if token.missing_scopes.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "expected no missing_scopes, WorkOS reported {:?} (granted: {:?})",
            token.missing_scopes, token.scopes
        ))
    }
}

#[then(expr = "WorkOS's refresh of the {provider} token was refused with diagnosis {diagnosis}")]
async fn refresh_refused(w: &mut PipesWorld, p: ProviderArg, kind: Kind) -> StepResult {
    let base = w.stack.provider(p.0).uri();
    let refresh = w
        .stack
        .recorder
        .exchanges_to(&base)
        .into_iter()
        .rfind(|x| {
            x.from == "workos"
                && x.request_body
                    .as_deref()
                    .is_some_and(|b| b.contains("grant_type=refresh_token"))
        })
        .ok_or_else(|| {
            format!(
                "WorkOS never tried to refresh a {} token: the token had not expired yet, or the provider issued no refresh token",
                p.0.slug()
            )
        })?;
    let status = refresh.status.ok_or_else(|| {
        format!(
            "WorkOS's refresh request to {} got no answer: {}",
            p.0.display_name(),
            refresh.error.clone().unwrap_or_default()
        )
    })?;
    let body = refresh
        .response_body
        .clone()
        .unwrap_or_default()
        .into_bytes();
    let view = ResponseView {
        status,
        headers: &refresh.response_headers,
        body: &body,
    };
    let mut diagnosis = match classify::classify_token_response(p.0, Grant::RefreshToken, &view) {
        Ok(()) => {
            return Err(format!(
                "{} accepted WorkOS's last refresh (HTTP {status}); nothing was refused",
                p.0.display_name()
            ));
        }
        Err(d) => d,
    };
    diagnosis.detail = format!(
        "WorkOS tried to refresh the expired token and {} refused: {}. WorkOS then marked the connection needs_reauthorization.",
        p.0.display_name(),
        diagnosis.detail
    );
    let got = diagnosis.kind;
    w.last_error = Some(PipesError::Provider {
        provider: p.0,
        status,
        diagnosis,
    });
    if got == kind.0 {
        Ok(())
    } else {
        Err(format!(
            "expected the refusal to be diagnosed as {}, it was {got}",
            kind.0
        ))
    }
}

#[when(expr = "the app records that {word}'s {provider} token expires in {duration}")]
async fn records_expiry(
    w: &mut PipesWorld,
    person: String,
    p: ProviderArg,
    span: Span,
) -> StepResult {
    let user_id = w.person(&person);
    let ms = i64::try_from(span.0.as_millis()).map_err(|_| "that duration is too long")?;
    let update = ImportConnectedAccount {
        expires_at: Some(iso8601(w.stack.clock.now_ms() + ms)),
        ..ImportConnectedAccount::default()
    };
    w.client
        .update_connected_account(
            &AccountOwner::User(&user_id),
            p.0.slug(),
            &AccountSelector::default(),
            &update,
        )
        .await
        .map(|_| ())
        .map_err(|e| format!("updating {person}'s {} connection failed:\n{e}", p.0.slug()))
}

#[given(
    expr = "{word}'s {provider} connection was imported without a refresh token, expiring in {duration}"
)]
async fn imported_without_refresh(
    w: &mut PipesWorld,
    person: String,
    p: ProviderArg,
    span: Span,
) -> StepResult {
    let user_id = w.person(&person);
    let ms = i64::try_from(span.0.as_millis()).map_err(|_| "that duration is too long")?;
    let prefix = crate::providers::spec(p.0).imported_token_prefix;
    let token = w.stack.ids.secret(prefix, 36);
    w.stack.recorder.secret("access_token", &token);
    let scopes = {
        let env = w.app_environment();
        let ctx = w.stack.workos.ctx();
        let st = ctx.state();
        st.integration(
            &env,
            p.0.slug(),
            crate::mock::workos::state::Ownership::User,
        )
        .and_then(|i| i.scopes.clone())
    }
    .unwrap_or_else(|| crate::mock::workos::default_scopes(p.0));
    let import = ImportConnectedAccount {
        access_token: Some(token),
        expires_at: Some(iso8601(w.stack.clock.now_ms() + ms)),
        scopes: Some(scopes),
        ..ImportConnectedAccount::default()
    };
    w.client
        .import_connected_account(&AccountOwner::User(&user_id), p.0.slug(), None, &import)
        .await
        .map(|_| ())
        .map_err(|e| {
            format!(
                "importing {person}'s {} connection failed:\n{e}",
                p.0.slug()
            )
        })
}

#[when(expr = "the app deletes {word}'s {provider} connection")]
async fn deletes_connection(w: &mut PipesWorld, person: String, p: ProviderArg) -> StepResult {
    let user_id = w.person(&person);
    w.client
        .delete_connected_account(
            &AccountOwner::User(&user_id),
            p.0.slug(),
            &AccountSelector::default(),
        )
        .await
        .map_err(|e| format!("deleting {person}'s {} connection failed:\n{e}", p.0.slug()))
}

/// The documented steps of this module.
pub const VOCABULARY: &[StepDoc] = &[
    doc(
        "When",
        "the app asks WorkOS for {word}'s {provider} token",
        "POST /data-integrations/{slug}/token for the person; active:false or an error is diagnosed.",
        "the app asks WorkOS for alice's github token",
    ),
    doc(
        "When",
        "the app asks WorkOS for {word}'s {provider} token in the organization {string}",
        "The same, scoped to an organization (created on first mention).",
        "the app asks WorkOS for alice's github token in the organization \"Globex\"",
    ),
    doc(
        "When",
        "the app asks WorkOS for a {provider} token for the user id {string}",
        "The same for a literal user id, e.g. one the app stored wrongly.",
        "the app asks WorkOS for a github token for the user id \"user_01HZZZZZZZZZZZZZZZZZZZZZZZ\"",
    ),
    doc(
        "Then",
        "the app gets a {provider} token",
        "The last token request answered active:true.",
        "the app gets a github token",
    ),
    doc(
        "Then",
        "the {provider} token is missing the scopes {scopes}",
        "The last token came with exactly these missing_scopes: the integration asks for more than the connection was granted (diagnosed as needs_reauthorization).",
        "the github token is missing the scopes \"read:org\"",
    ),
    doc(
        "Then",
        "the {provider} token has every scope the integration asks for",
        "The last token came with empty missing_scopes.",
        "the github token has every scope the integration asks for",
    ),
    doc(
        "Then",
        "WorkOS's refresh of the {provider} token was refused with diagnosis {diagnosis}",
        "Reads the provider's answer to WorkOS's last refresh request from the transcript and diagnoses it (invalid_grant, refresh_failed, ...).",
        "WorkOS's refresh of the google token was refused with diagnosis invalid_grant",
    ),
    doc(
        "When",
        "the app records that {word}'s {provider} token expires in {duration}",
        "PUT on the connected account with expires_at, as an app that knows the provider's session timeout would.",
        "the app records that alice's salesforce token expires in 2 hours",
    ),
    doc(
        "Given",
        "{word}'s {provider} connection was imported without a refresh token, expiring in {duration}",
        "POST on the connected account with only an access token and expires_at, as a migration from another OAuth setup does.",
        "alice's github connection was imported without a refresh token, expiring in 1 hour",
    ),
    doc(
        "When",
        "the app deletes {word}'s {provider} connection",
        "DELETE on the person's connected account (the app's \"disconnect\" button).",
        "the app deletes alice's github connection",
    ),
];

const fn doc(
    keyword: &'static str,
    expression: &'static str,
    description: &'static str,
    example: &'static str,
) -> StepDoc {
    StepDoc {
        keyword,
        expression,
        description,
        example,
        group: "Tokens and connections",
    }
}
