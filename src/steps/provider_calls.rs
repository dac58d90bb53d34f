//! The app calling providers with tokens fetched from Pipes, and, to show
//! why that matters, with a token it kept from earlier.

use cucumber::{then, when};

use super::params::ProviderArg;
use super::{PipesWorld, StepResult};
use crate::client::models::AccessTokenResponse;
use crate::client::models::TokenRequest;
use crate::client::provider_call::ProviderRequest;
use crate::client::{DiagnosisKind, PipesError};
use crate::mock::workos::state::{ConnectedAccount, ConnectionRole};
use crate::provider::ProviderKind;
use crate::providers::classify::{self, ApiOutcome, ResponseView};
use crate::providers::engine::request_log::{LoggedRequest, fingerprint};
use crate::transcript::Entry;

#[when(expr = "the app calls {word} {string} on {provider} for {word}")]
async fn app_calls(
    w: &mut PipesWorld,
    method: String,
    path: String,
    p: ProviderArg,
    person: String,
) -> StepResult {
    call(w, method, path, p, person, None).await
}

#[when(expr = "the app calls {word} {string} on {provider} for {word} with body {string}")]
async fn app_calls_with_body(
    w: &mut PipesWorld,
    method: String,
    path: String,
    p: ProviderArg,
    person: String,
    body: String,
) -> StepResult {
    call(w, method, path, p, person, Some(body)).await
}

#[then(expr = "{provider} answered HTTP {int}")]
async fn provider_answered(w: &mut PipesWorld, p: ProviderArg, status: u16) -> StepResult {
    let got = match (&w.last_response, &w.last_error) {
        (
            _,
            Some(PipesError::Provider {
                provider, status, ..
            }),
        ) if *provider == p.0 => Some(*status),
        (Some(resp), None) if w.last_action == super::Action::ProviderCall => Some(resp.status),
        _ => None,
    };
    match got {
        Some(s) if s == status => Ok(()),
        Some(s) => Err(format!(
            "expected {} to answer HTTP {status}, it answered HTTP {s}",
            p.0.display_name()
        )),
        None => Err(format!(
            "expected {} to answer HTTP {status}, but the last action ({}) got no answer from it",
            p.0.display_name(),
            w.last_action.spoken()
        )),
    }
}

async fn call(
    w: &mut PipesWorld,
    method: String,
    path: String,
    p: ProviderArg,
    person: String,
    body: Option<String>,
) -> StepResult {
    let method: reqwest::Method = method.parse().map_err(|_| {
        format!("{method:?} is not an HTTP method: expected GET, POST, PUT, PATCH or DELETE")
    })?;
    let user_id = w.person(&person);
    let request = ProviderRequest {
        provider: p.0,
        base_url: w.stack.provider(p.0).uri(),
        method,
        path,
        token: TokenRequest {
            user_id,
            organization_id: None,
        },
    };
    w.last_action = super::Action::ProviderCall;
    match w.caller.call_with_body(&request, body.as_deref()).await {
        Ok(resp) => {
            w.last_response = Some(resp);
            w.last_error = None;
        }
        Err(e) => {
            w.last_response = None;
            w.last_error = Some(e);
        }
    }
    Ok(())
}

#[when(
    expr = "the app calls {word} {string} on {provider} for {word} with the token it fetched first"
)]
async fn app_calls_with_kept_token(
    w: &mut PipesWorld,
    method: String,
    path: String,
    p: ProviderArg,
    person: String,
) -> StepResult {
    let method: reqwest::Method = method.parse().map_err(|_| {
        format!("{method:?} is not an HTTP method: expected GET, POST, PUT, PATCH or DELETE")
    })?;
    w.person(&person);
    w.last_action = super::Action::ProviderCall;
    let kept = super::tokens::handed_out(w, p.0, true)?;
    w.stack.recorder.note(
        "app",
        format!(
            "calling {} with the token it fetched first, instead of asking WorkOS again",
            p.0.display_name()
        ),
    );
    let url = format!("{}{path}", w.stack.provider(p.0).uri());
    let http = w.client.http().clone();
    let mut request = http
        .request(method.clone(), &url)
        .bearer_auth(&kept.access_token)
        .header("accept", "application/json");
    for (name, value) in crate::providers::spec(p.0).api_headers {
        request = request.header(*name, *value);
    }
    let resp = http.send(request).await?;
    let view = ResponseView {
        status: resp.status,
        headers: &resp.headers,
        body: &resp.body,
    };
    let failure = match classify::classify_api_response(p.0, &view, w.stack.clock.now_secs()) {
        ApiOutcome::Ok => None,
        ApiOutcome::Failed(d)
        | ApiOutcome::Unavailable(d)
        | ApiOutcome::RateLimited { diagnosis: d, .. } => Some(d),
    };
    match failure {
        None => {
            w.last_error = None;
            w.last_response = Some(resp);
        }
        Some(mut d) => {
            if matches!(
                d.kind,
                DiagnosisKind::TokenExpired | DiagnosisKind::TokenRevoked
            ) {
                d.detail = format!(
                    "{} The app used a token it had kept since its first request instead of asking WorkOS right before the call; WorkOS has refreshed the connection since.",
                    d.detail
                );
            }
            w.last_error = Some(PipesError::Provider {
                provider: p.0,
                status: resp.status,
                diagnosis: d,
            });
            w.last_response = None;
        }
    }
    Ok(())
}

#[then(expr = "the {provider} call succeeds")]
async fn call_succeeds(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    match (&w.last_response, &w.last_error) {
        (Some(r), _) if (200..300).contains(&r.status) => Ok(()),
        (_, Some(e)) => Err(format!("the {} call failed:\n{e}", p.0.slug())),
        _ => Err(format!("no {} call was made", p.0.slug())),
    }
}

#[then(expr = "the response field {string} is {string}")]
async fn response_field(w: &mut PipesWorld, field: String, expected: String) -> StepResult {
    let resp = w
        .last_response
        .as_ref()
        .ok_or_else(|| match &w.last_error {
            Some(e) => format!("the last call failed:\n{e}"),
            None => "no call was made".to_string(),
        })?;
    let body = resp
        .json()
        .map_err(|e| format!("the response body is not JSON: {e}"))?;
    let pointer = format!("/{}", field.replace('.', "/"));
    let actual = body
        .pointer(&pointer)
        .ok_or_else(|| format!("the response has no field {field:?}: {body}"))?;
    let actual_text = actual
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| actual.to_string());
    if actual_text != expected {
        return Err(format!(
            "expected {field} = {expected:?}, got {actual_text:?}"
        ));
    }
    Ok(())
}

/// Which token a provider call carried, judged against what WorkOS holds.
enum TokenExpectation {
    /// The token WorkOS holds for the person now.
    Current,
    /// A token WorkOS handed out earlier that it no longer holds.
    Stale,
}

/// The token WorkOS holds now for `person`'s own connection of `kind`
/// (the compatibility one, unscoped first), if any.
fn held_token(w: &mut PipesWorld, person: &str, kind: ProviderKind) -> Option<String> {
    let user_id = w.person(person);
    let ctx = w.stack.workos.ctx();
    let st = ctx.state();
    let mut accounts: Vec<&ConnectedAccount> = st
        .accounts
        .values()
        .filter(|a| a.slug == kind.slug() && a.user_id.as_deref() == Some(user_id.as_str()))
        .collect();
    accounts.sort_by_key(|a| {
        (
            a.organization_id.is_some(),
            a.connection_role != ConnectionRole::Compatibility,
            a.seq,
        )
    });
    accounts.first().and_then(|a| a.access_token.clone())
}

/// The last request carrying a bearer token that `kind`'s mock received
/// (its request log), and the status the caller got for it (the transcript).
fn last_bearer_call(w: &PipesWorld, kind: ProviderKind) -> Result<(LoggedRequest, u16), String> {
    let mock = w.stack.provider(kind);
    let logged = mock
        .requests()
        .all()
        .into_iter()
        .rfind(|r| r.token_sha256.is_some())
        .ok_or_else(|| {
            format!(
                "{} received no call with a bearer token: let the app call it first (When the app calls GET \"/user\" on {} for alice)",
                kind.display_name(),
                kind.slug()
            )
        })?;
    let base = mock.uri();
    let status = w
        .stack
        .recorder
        .entries()
        .into_iter()
        .filter_map(|e| match e {
            Entry::Exchange(x) if x.from != "workos" && x.from != "browser" => Some(x),
            _ => None,
        })
        .rfind(|x| {
            x.url
                .strip_prefix(base.as_str())
                .map(|rest| rest.split('?').next().unwrap_or_default() == logged.path)
                .unwrap_or(false)
        })
        .and_then(|x| x.status)
        .ok_or_else(|| {
            format!(
                "{} received {} {} but the transcript has no answer to it (the call got no response)",
                kind.display_name(),
                logged.method,
                logged.path
            )
        })?;
    Ok((logged, status))
}

fn check_call_token(
    w: &mut PipesWorld,
    kind: ProviderKind,
    person: &str,
    status: u16,
    expected: TokenExpectation,
) -> StepResult {
    let (call, got_status) = last_bearer_call(w, kind)?;
    let sent = call.token_sha256.clone().unwrap_or_default();
    let current = held_token(w, person, kind).map(|t| fingerprint(&t));
    // The tokens WorkOS handed the app in this scenario, oldest first.
    let handed: Vec<String> = super::tokens::token_exchanges(w, kind)
        .iter()
        .filter_map(|x| x.response_body.as_deref())
        .filter_map(|b| serde_json::from_str::<AccessTokenResponse>(b).ok())
        .filter_map(|r| match r {
            AccessTokenResponse::Active { access_token, .. } => {
                Some(fingerprint(&access_token.access_token))
            }
            AccessTokenResponse::Inactive { .. } => None,
        })
        .collect();
    let which = |fp: &str| -> String {
        if current.as_deref() == Some(fp) {
            format!("the token WorkOS holds for {person} now")
        } else if let Some(i) = handed.iter().position(|h| h == fp) {
            format!(
                "a stale token (WorkOS's answer #{} of {} to the app's token requests, which it no longer holds)",
                i + 1,
                handed.len()
            )
        } else {
            "a token WorkOS never handed the app in this scenario".to_string()
        }
    };
    let what = format!("{} {}", call.method, call.path);
    let token_ok = match expected {
        TokenExpectation::Current => current.as_deref() == Some(sent.as_str()),
        TokenExpectation::Stale => {
            current.as_deref() != Some(sent.as_str()) && handed.contains(&sent)
        }
    };
    if current.is_none() && matches!(expected, TokenExpectation::Current) {
        return Err(format!(
            "WorkOS holds no {} token for {person}, so the last call ({what}) cannot have used it",
            kind.slug()
        ));
    }
    if !token_ok {
        let wanted = match expected {
            TokenExpectation::Current => format!("the token WorkOS holds for {person} now"),
            TokenExpectation::Stale => {
                format!(
                    "a stale token WorkOS handed out earlier, not the one it holds for {person} now"
                )
            }
        };
        return Err(format!(
            "expected the last {} call ({what}) to carry {wanted}; it carried {}",
            kind.display_name(),
            which(&sent)
        ));
    }
    if got_status != status {
        return Err(format!(
            "the last {} call ({what}) carried {} as expected, but {} answered HTTP {got_status}, not {status}",
            kind.display_name(),
            which(&sent),
            kind.display_name()
        ));
    }
    Ok(())
}

#[then(expr = "the last {provider} call used the token WorkOS holds for {word} and got HTTP {int}")]
async fn used_current_token(
    w: &mut PipesWorld,
    p: ProviderArg,
    person: String,
    status: u16,
) -> StepResult {
    check_call_token(w, p.0, &person, status, TokenExpectation::Current)
}

#[then(expr = "the last {provider} call used a stale token for {word} and got HTTP {int}")]
async fn used_stale_token(
    w: &mut PipesWorld,
    p: ProviderArg,
    person: String,
    status: u16,
) -> StepResult {
    check_call_token(w, p.0, &person, status, TokenExpectation::Stale)
}

/// The documented vocabulary of this module.
pub const VOCABULARY: &[super::vocabulary::StepDoc] = &[
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "the app calls {word} {string} on {provider} for {word}",
        description: "Fetches a fresh token from Pipes for the person, then calls the provider API with it (retrying rate limits, refetching once on a refused token).",
        example: "the app calls GET \"/user\" on github for alice",
        group: "Calling providers",
    },
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "the app calls {word} {string} on {provider} for {word} with the token it fetched first",
        description: "The anti-pattern: calls the provider once with the first token WorkOS handed out in this scenario, kept instead of fetched fresh.",
        example: "the app calls GET \"/user\" on github for alice with the token it fetched first",
        group: "Calling providers",
    },
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "the app calls {word} {string} on {provider} for {word} with body {string}",
        description: "The same with a request body (POST, PUT, PATCH): JSON text is sent as application/json, anything else as a form. Quote JSON with single quotes.",
        example: "the app calls POST \"/api/chat.postMessage\" on slack for alice with body '{\"channel\": \"C1\", \"text\": \"hi\"}'",
        group: "Calling providers",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "{provider} answered HTTP {int}",
        description: "The provider's own status for the last call, success or failure (after the app's retries).",
        example: "github answered HTTP 404",
        group: "Calling providers",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "the {provider} call succeeds",
        description: "The last provider call answered 2xx.",
        example: "the github call succeeds",
        group: "Calling providers",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "the response field {string} is {string}",
        description: "A field of the last provider response (dots for nesting: \"team.id\").",
        example: "the response field \"login\" is \"alice-codes\"",
        group: "Calling providers",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "the last {provider} call used the token WorkOS holds for {word} and got HTTP {int}",
        description: "The provider mock's request log: the last request with a bearer token carried the person's token as WorkOS holds it now, and the provider's own status for that very request (the last attempt, whatever the app's retries made of it).",
        example: "the last github call used the token WorkOS holds for alice and got HTTP 200",
        group: "Calling providers",
    },
    super::vocabulary::StepDoc {
        keyword: "Then",
        expression: "the last {provider} call used a stale token for {word} and got HTTP {int}",
        description: "The last request with a bearer token carried a token WorkOS handed the app earlier in the scenario but no longer holds for the person (refreshed, rotated or reconnected since), and the provider's raw status.",
        example: "the last github call used a stale token for alice and got HTTP 401",
        group: "Calling providers",
    },
];
