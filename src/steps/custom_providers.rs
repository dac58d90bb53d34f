//! Custom providers: an integration a team defines with `custom_provider`
//! for any slug, and the OAuth 2.0 provider on the other side.
//!
//! The two are set up apart, because that is where they go wrong: the
//! definition (`Given the custom provider "acme" is defined with:`) says
//! what WorkOS sends, and the provider's behaviour (`Given the custom
//! provider "acme" behaves as:`) says what the provider accepts. Both take a
//! two-column table of `field | value`. The definition's URLs point at the
//! harness's custom provider mock (`http://acme.test/authorize`, `.../token`)
//! unless the table says otherwise; its custom credentials are registered
//! there with WorkOS's redirect URI, as a team does in the provider's console.
//!
//! A slug is written in quotes everywhere (`the custom provider "acme"`), so
//! these steps never read as the built-in providers' ones.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};

use super::params::ScopeList;
use super::vocabulary::StepDoc;
use super::{PipesWorld, StepResult};
use crate::client::custom_provider;
use crate::client::models::{AccessTokenResponse, AuthorizeRequest, TokenRequest};
use crate::client::{DiagnosisKind, PipesError};
use crate::mock::workos::state::{
    AuthMethod, Credentials, CustomProvider as Definition, Integration, Ownership,
};
use crate::providers::custom::spec::{self as provider_spec, BodyType, ClientAuth};
use crate::providers::custom::{CustomProvider, VerifierSeen, valid_slug};
use crate::providers::engine::oauth::Countdown;
use crate::transcript::Entry;

/// The fields of a definition table, with what each takes.
pub const DEFINITION_FIELDS: &[(&str, &str)] = &[
    ("name", "the provider's display name (default: the slug)"),
    (
        "authorization_url",
        "a URL; default http://<slug>.test/authorize, the mock provider's",
    ),
    (
        "token_url",
        "a URL; default http://<slug>.test/token, the mock provider's",
    ),
    (
        "refresh_token_url",
        "a URL (the mock provider also serves http://<slug>.test/refresh) or none (the default: the token URL)",
    ),
    ("pkce_enabled", "true or false (the default)"),
    (
        "request_scope_separator",
        "space (the default), comma, or the separator in quotes",
    ),
    ("scopes_required", "true or false (the default)"),
    ("client_secret_required", "true (the default) or false"),
    (
        "additional_authorization_parameters",
        "name=value pairs separated by commas, e.g. audience=api, prompt=consent",
    ),
    (
        "token_body_content_type",
        "application/x-www-form-urlencoded (the default) or application/json",
    ),
    (
        "authenticate_via",
        "request_body (the default) or basic_auth_header",
    ),
    (
        "scopes",
        "the scopes the integration requests, e.g. read, write (default: read); none for no scope",
    ),
];

/// Why `slug` cannot name a custom provider, if it cannot: the pre-run
/// check and the steps say the same.
pub(crate) fn slug_problem(slug: &str) -> Option<String> {
    if slug.parse::<crate::provider::ProviderKind>().is_ok() {
        return Some(format!(
            "\"{slug}\" is a built-in provider: a custom provider needs a slug of its own, such as \"acme\""
        ));
    }
    (!valid_slug(slug)).then(|| {
        format!(
            "\"{slug}\" cannot be a provider slug: use {}, such as \"acme\"",
            crate::provider::SLUG_RULE
        )
    })
}

/// The provider of `slug`, or why a slug cannot be a custom one.
fn provider(w: &PipesWorld, slug: &str) -> Result<std::sync::Arc<CustomProvider>, String> {
    if let Some(problem) = slug_problem(slug) {
        return Err(problem);
    }
    w.stack.custom.try_provider(slug).map_err(|_| {
        format!(
            "\"{slug}\" would be one custom provider too many: a scenario holds at most {} of them",
            crate::providers::custom::MAX_PROVIDERS
        )
    })
}

/// The user-owned custom integration of `slug` in the app's environment.
fn integration(w: &PipesWorld, slug: &str) -> Option<Integration> {
    let env = w.app_environment();
    let ctx = w.stack.workos.ctx();
    let st = ctx.state();
    st.integration(&env, slug, Ownership::User)
        .filter(|i| i.custom_provider.is_some())
        .cloned()
}

/// The provider of a slug the scenario defined, or an error saying how to define it.
fn defined(w: &PipesWorld, slug: &str) -> Result<std::sync::Arc<CustomProvider>, String> {
    if integration(w, slug).is_none() {
        let known: Vec<String> = w
            .stack
            .custom
            .slugs()
            .into_iter()
            .filter(|s| integration(w, s).is_some())
            .collect();
        let defined = if known.is_empty() {
            String::new()
        } else {
            format!(" (defined: {})", known.join(", "))
        };
        return Err(format!(
            "the custom provider \"{slug}\" is not defined in this scenario{defined}: start with `Given the custom provider \"{slug}\" is defined`"
        ));
    }
    provider(w, slug)
}

/// What the table of `... is defined with:` holds.
const DEFINITION_TABLE: &str = "custom_provider fields";
/// What the table of `... behaves as:` holds.
const BEHAVIOUR_TABLE: &str = "the provider's behaviour";

/// Sets each row of a behaviour table on `spec`.
fn set_behaviour(
    spec: &mut crate::providers::custom::CustomProviderSpec,
    table: &[(String, String)],
) -> Result<(), String> {
    for (field, value) in table {
        spec.set(field, value).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// What is wrong with the table under a custom-provider step whose
/// documented expression is `expression`, read as running the step reads
/// it (every field and value), for the pre-run check; `None` for a good
/// table or another step.
pub(crate) fn table_problem(expression: &str, step: &Step) -> Option<String> {
    let read = match expression {
        "the custom provider {string} is defined with:" => {
            rows(step, DEFINITION_TABLE).and_then(|table| {
                let base = definition_at("http://acme.test", "acme");
                let check_url =
                    |field: &str, value: &str| parse_url(field, value).map(|_| value.to_string());
                read_definition(base, Vec::new(), &table, &check_url).map(|_| ())
            })
        }
        "the custom provider {string} behaves as:" => {
            rows(step, BEHAVIOUR_TABLE).and_then(|table| {
                set_behaviour(
                    &mut crate::providers::custom::CustomProviderSpec::default(),
                    &table,
                )
            })
        }
        _ => return None,
    };
    read.err()
}

/// The rows of a `field | value` table; a header row `field | value` is skipped.
fn rows(step: &Step, what: &str) -> Result<Vec<(String, String)>, String> {
    let table = step.table.as_ref().ok_or_else(|| {
        format!("this step needs a table of {what} under it, one `| field | value |` row each")
    })?;
    let mut out = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        let [field, value] = row.as_slice() else {
            return Err(format!(
                "row {} of the table has {} cells: write `| field | value |`",
                i + 1,
                row.len()
            ));
        };
        if i == 0 && field.eq_ignore_ascii_case("field") && value.eq_ignore_ascii_case("value") {
            continue;
        }
        out.push((field.trim().to_string(), value.trim().to_string()));
    }
    Ok(out)
}

fn boolean(field: &str, value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" => Ok(true),
        "false" | "no" => Ok(false),
        _ => Err(format!(
            "`{value}` is not a value of {field}: expected true or false"
        )),
    }
}

fn list(value: &str) -> Vec<String> {
    value
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `value` read as an absolute URL, or why it is not one.
fn parse_url(field: &str, value: &str) -> Result<url::Url, String> {
    url::Url::parse(value).map_err(|_| {
        format!("`{value}` is not a URL for {field}: write it in full, e.g. http://acme.test/token")
    })
}

/// A URL as a scenario writes it: `http://acme.test/token` is the mock
/// provider's, the stack's other names as transcripts show them, anything
/// else literally.
fn url(w: &PipesWorld, field: &str, value: &str) -> Result<String, String> {
    let parsed = parse_url(field, value)?;
    if let Some(slug) = parsed
        .host_str()
        .and_then(|h| h.strip_suffix(".test"))
        .filter(|s| valid_slug(s))
    {
        let rest = value
            .split_once(".test")
            .map(|(_, r)| r)
            .unwrap_or_default();
        return Ok(format!("{}/{slug}{rest}", w.stack.custom.uri()));
    }
    Ok(super::setup::stack_url(w, value))
}

/// The definition WorkOS creates when `custom_provider` leaves a field out,
/// pointed at the mock provider.
fn default_definition(w: &PipesWorld, slug: &str) -> Definition {
    definition_at(&format!("{}/{slug}", w.stack.custom.uri()), slug)
}

/// WorkOS's default definition for a provider at `base`.
fn definition_at(base: &str, slug: &str) -> Definition {
    Definition {
        name: slug.to_string(),
        authorization_url: Some(format!("{base}/authorize")),
        token_url: Some(format!("{base}/token")),
        refresh_token_url: None,
        pkce_enabled: false,
        request_scope_separator: " ".into(),
        scopes_required: false,
        client_secret_required: true,
        additional_authorization_parameters: Default::default(),
        token_body_content_type: "application/x-www-form-urlencoded".into(),
        authenticate_via: "request_body".into(),
    }
}

/// Reads a definition table over `base` (WorkOS's defaults, or the
/// integration's definition when it is defined again): `(definition, scopes)`.
fn definition(
    w: &PipesWorld,
    base: Option<&Integration>,
    slug: &str,
    table: &[(String, String)],
) -> Result<(Definition, Vec<String>), String> {
    let (d, scopes) = match base {
        Some(i) => (
            i.custom_provider
                .clone()
                .unwrap_or_else(|| default_definition(w, slug)),
            i.scopes.clone().unwrap_or_default(),
        ),
        None => (default_definition(w, slug), vec!["read".to_string()]),
    };
    read_definition(d, scopes, table, &|field, value| url(w, field, value))
}

/// The rows of `table` over the definition `d` and the scopes `scopes`,
/// each URL read with `url`: what running the step and the pre-run check
/// both do with a definition table.
fn read_definition(
    mut d: Definition,
    mut scopes: Vec<String>,
    table: &[(String, String)],
    url: &dyn Fn(&str, &str) -> Result<String, String>,
) -> Result<(Definition, Vec<String>), String> {
    for (field, value) in table {
        let key = field.to_ascii_lowercase().replace([' ', '-'], "_");
        let lower = value.to_ascii_lowercase();
        match key.as_str() {
            "name" => d.name = value.clone(),
            "authorization_url" => d.authorization_url = Some(url(&key, value)?),
            "token_url" => d.token_url = Some(url(&key, value)?),
            "refresh_token_url" => {
                d.refresh_token_url = match lower.as_str() {
                    "none" | "" => None,
                    _ => Some(url(&key, value)?),
                }
            }
            "pkce_enabled" => d.pkce_enabled = boolean(&key, value)?,
            "scopes_required" => d.scopes_required = boolean(&key, value)?,
            "client_secret_required" => d.client_secret_required = boolean(&key, value)?,
            "request_scope_separator" => {
                d.request_scope_separator = provider_spec::separator(value).ok_or_else(|| {
                    format!(
                        "`{value}` is not a value of {key}: expected space, comma, or the separator in quotes"
                    )
                })?;
            }
            "additional_authorization_parameters" => {
                let mut params = std::collections::BTreeMap::new();
                for pair in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let (k, v) = pair.split_once('=').ok_or_else(|| {
                        format!(
                            "`{pair}` is not a parameter of {key}: write name=value pairs separated by commas"
                        )
                    })?;
                    params.insert(k.trim().to_string(), v.trim().to_string());
                }
                d.additional_authorization_parameters = params;
            }
            "token_body_content_type" => {
                d.token_body_content_type = BodyType::parse(value)
                    .map(|b| b.media_type().to_string())
                    .ok_or_else(|| {
                        format!(
                            "`{value}` is not a value of {key}: expected application/x-www-form-urlencoded or application/json"
                        )
                    })?;
            }
            "authenticate_via" => {
                d.authenticate_via = match lower.as_str() {
                    "request_body" | "basic_auth_header" => lower.clone(),
                    _ => {
                        return Err(format!(
                            "`{value}` is not a value of {key}: expected request_body or basic_auth_header"
                        ));
                    }
                }
            }
            "scopes" => {
                scopes = if lower == "none" {
                    Vec::new()
                } else {
                    list(value)
                }
            }
            _ => {
                let names: Vec<&str> = DEFINITION_FIELDS.iter().map(|(k, _)| *k).collect();
                return Err(format!(
                    "a custom_provider definition has no field `{field}`{}: its fields are {}",
                    crate::common::suggest::did_you_mean(&key, names.iter().copied()),
                    names.join(", ")
                ));
            }
        }
    }
    Ok((d, scopes))
}

/// Defines the custom integration of `slug` in the app's environment (or
/// changes the fields the table names, when it exists), and registers the
/// team's OAuth app at the provider.
fn define(w: &mut PipesWorld, slug: &str, table: &[(String, String)]) -> StepResult {
    let p = provider(w, slug)?;
    let existing = integration(w, slug);
    let (def, scopes) = definition(w, existing.as_ref(), slug, table)?;
    let env = w.app_environment();
    let (client_id, client_secret) = match existing.as_ref().map(|i| &i.credentials) {
        Some(Credentials::Custom {
            client_id,
            client_secret,
        }) => (client_id.clone(), client_secret.clone()),
        _ => (
            format!("{slug}_client_{}", w.stack.ids.hex(6)),
            w.stack.ids.secret("custom_secret_", 32),
        ),
    };
    w.stack.recorder.secret("client_secret", &client_secret);
    let redirect_uri = format!("{}/sso/callback/{slug}", w.stack.workos.uri());
    p.register_app(&client_id, &client_secret, &redirect_uri);
    let now = w.stack.clock.now_ms();
    let id = match &existing {
        Some(i) => i.id.clone(),
        None => w.stack.ids.id("data_integration"),
    };
    let ctx = w.stack.workos.ctx();
    let mut st = ctx.state();
    let integration = Integration {
        id,
        env,
        slug: slug.to_string(),
        provider: None,
        ownership: Ownership::User,
        enabled: true,
        scopes: Some(scopes),
        auth_methods: vec![AuthMethod::OAuth],
        credentials: Credentials::Custom {
            client_id,
            client_secret,
        },
        description: None,
        config: Default::default(),
        custom_provider: Some(def),
        created_ms: existing.as_ref().map_or(now, |i| i.created_ms),
        updated_ms: now,
        seq: existing.as_ref().map_or(0, |i| i.seq),
    };
    match existing {
        Some(_) => {
            st.integrations.insert(integration.id.clone(), integration);
        }
        None => st.add_integration(integration),
    }
    Ok(())
}

#[given(expr = "the custom provider {string} is defined")]
async fn defined_plain(w: &mut PipesWorld, slug: String) -> StepResult {
    define(w, &slug, &[])
}

#[given(expr = "the custom provider {string} is defined with:")]
async fn defined_with(w: &mut PipesWorld, slug: String, step: &Step) -> StepResult {
    let table = rows(step, DEFINITION_TABLE)?;
    define(w, &slug, &table)
}

#[given(expr = "the custom provider {string} behaves as:")]
async fn behaves_as(w: &mut PipesWorld, slug: String, step: &Step) -> StepResult {
    let p = provider(w, &slug)?;
    let table = rows(step, BEHAVIOUR_TABLE)?;
    let mut spec = p.spec();
    set_behaviour(&mut spec, &table)?;
    p.set_spec(spec);
    Ok(())
}

#[given(expr = "{word} signs in to the custom provider {string} as {string}")]
async fn signs_in(w: &mut PipesWorld, person: String, slug: String, login: String) -> StepResult {
    let p = provider(w, &slug)?;
    p.engine().signed_in(Some(&login), &w.stack.ids);
    w.person(&person);
    let mut browser = w.browser(&person);
    browser.set_cookie(p.base_url(), &format!("{slug}_login={login}"));
    w.set_browser(&person, browser);
    Ok(())
}

#[given(expr = "{word} denies consent on the custom provider {string}")]
async fn denies(w: &mut PipesWorld, person: String, slug: String) -> StepResult {
    let p = provider(w, &slug)?;
    w.person(&person);
    p.engine().deny_consent = Countdown::times(Some(1));
    w.stack.recorder.note(
        &slug,
        "fault deny_consent: the user denies consent on the authorize page for the next authorization",
    );
    Ok(())
}

#[given(expr = "the custom provider {string} has another callback URL registered for the app")]
async fn other_callback(w: &mut PipesWorld, slug: String) -> StepResult {
    let p = defined(w, &slug)?;
    let callback = "https://example.com/oauth/callback";
    for app in p.engine().apps.values_mut() {
        app.redirect_uris = vec![callback.to_string()];
    }
    w.stack.recorder.note(
        &slug,
        format!("fault redirect_mismatch: the app registered at {slug} has {callback} as its only callback"),
    );
    Ok(())
}

#[given(expr = "the custom provider {string} refuses the scope {string}")]
async fn refuses_scope(w: &mut PipesWorld, slug: String, scope: String) -> StepResult {
    let p = provider(w, &slug)?;
    let mut spec = p.spec();
    if !spec.refused_scopes.contains(&scope) {
        spec.refused_scopes.push(scope.clone());
    }
    p.set_spec(spec);
    w.stack.recorder.note(
        &slug,
        format!("fault invalid_scope: {slug} refuses the scope {scope} at the authorize step"),
    );
    Ok(())
}

#[when(expr = "{word} connects the custom provider {string}")]
async fn connects(w: &mut PipesWorld, person: String, slug: String) -> StepResult {
    defined(w, &slug)?;
    let request = AuthorizeRequest {
        user_id: w.person(&person),
        organization_id: None,
        return_to: Some(w.stack.app.return_url()),
    };
    let browser = w.browser(&person);
    w.last_action = super::Action::Connect;
    w.last_response = None;
    w.last_error = custom_provider::connect(&w.client, &browser, &slug, &request)
        .await
        .err();
    Ok(())
}

#[given(expr = "{word} has connected the custom provider {string}")]
async fn has_connected(w: &mut PipesWorld, person: String, slug: String) -> StepResult {
    connects(w, person, slug).await?;
    match w.last_error.take() {
        None => Ok(()),
        Some(e) => Err(format!("connecting failed:\n{e}")),
    }
}

#[when(expr = "the app asks WorkOS for {word}'s token of the custom provider {string}")]
async fn asks_for_token(w: &mut PipesWorld, person: String, slug: String) -> StepResult {
    defined(w, &slug)?;
    let request = TokenRequest {
        user_id: w.person(&person),
        organization_id: None,
    };
    w.last_action = super::Action::TokenRequest;
    w.last_response = None;
    w.last_error = w.client.fresh_token(&slug, &request).await.err();
    Ok(())
}

#[then(expr = "the app gets a token of the custom provider {string}")]
async fn gets_token(w: &mut PipesWorld, slug: String) -> StepResult {
    if let Some(e) = &w.last_error {
        return Err(format!("the app got no {slug} token:\n{e}"));
    }
    let path = format!("/data-integrations/{slug}/token");
    let last = w
        .stack
        .recorder
        .entries()
        .into_iter()
        .filter_map(|e| match e {
            Entry::Exchange(x)
                if x.from == "app" && x.url.split('?').next().is_some_and(|u| u.ends_with(&path)) =>
            {
                Some(x)
            }
            _ => None,
        })
        .next_back()
        .ok_or_else(|| {
            format!(
                "the app never asked WorkOS for a {slug} token: add `When the app asks WorkOS for alice's token of the custom provider \"{slug}\"` first"
            )
        })?;
    let body = last.response_body.as_deref().unwrap_or_default();
    match serde_json::from_str::<AccessTokenResponse>(body) {
        Ok(AccessTokenResponse::Active { .. }) => Ok(()),
        _ => Err(format!(
            "WorkOS handed out no {slug} token: HTTP {} {body}",
            last.status.unwrap_or_default()
        )),
    }
}

#[when(expr = "the app calls the userinfo endpoint of the custom provider {string} for {word}")]
async fn calls_userinfo(w: &mut PipesWorld, slug: String, person: String) -> StepResult {
    let p = defined(w, &slug)?;
    let request = TokenRequest {
        user_id: w.person(&person),
        organization_id: None,
    };
    w.last_action = super::Action::ProviderCall;
    w.last_response = None;
    let token = match w.client.fresh_token(&slug, &request).await {
        Ok(t) => t,
        Err(e) => {
            w.last_error = Some(e);
            return Ok(());
        }
    };
    let http = w.client.http();
    let req = http
        .request(reqwest::Method::GET, &p.url("userinfo"))
        .bearer_auth(&token.access_token);
    let resp = http.send(req).await?;
    w.last_error =
        custom_provider::api_diagnosis(&slug, &resp).map(|diagnosis| PipesError::CustomProvider {
            action: "calling",
            slug: slug.clone(),
            diagnosis,
        });
    w.last_response = Some(resp);
    Ok(())
}

#[when(expr = "the custom provider {string} revokes {word}'s tokens")]
async fn revokes(w: &mut PipesWorld, slug: String, person: String) -> StepResult {
    let p = defined(w, &slug)?;
    let user_id = w.person(&person);
    let login = p.engine().bindings.get(&user_id).cloned().ok_or_else(|| {
        format!("{person} never signed in to {slug}, so {slug} holds no token of theirs to revoke")
    })?;
    let n = p.engine().revoke_all(&login);
    w.stack.recorder.note(
        &slug,
        format!("fault revoke_tokens: revoked {n} of {login}'s tokens"),
    );
    Ok(())
}

/// The person's connected account of `slug`, from WorkOS.
async fn account(
    w: &mut PipesWorld,
    person: &str,
    slug: &str,
) -> Result<crate::client::models::ConnectedAccount, PipesError> {
    let user_id = w.person(person);
    w.checks().get_user_connected_account(&user_id, slug).await
}

const STATES: &[&str] = &["connected", "needs_reauthorization", "disconnected"];

#[then(expr = "{word}'s connection to the custom provider {string} is {word}")]
async fn connection_state(
    w: &mut PipesWorld,
    person: String,
    slug: String,
    state: String,
) -> StepResult {
    if !STATES.contains(&state.as_str()) {
        return Err(format!(
            "unknown connection state `{state}`: expected one of {}",
            STATES.join(", ")
        ));
    }
    defined(w, &slug)?;
    let connect_failure = match &w.last_error {
        Some(e @ PipesError::CustomProvider { .. }) => Some(e.to_string()),
        _ => None,
    };
    let found = match account(w, &person, &slug).await {
        Ok(a) => a,
        Err(e) if state == "disconnected" && e.kind() == DiagnosisKind::ConnectionNotFound => {
            return Ok(());
        }
        Err(e) => {
            return Err(match connect_failure {
                Some(f) => format!("connecting failed:\n{f}"),
                None => e.to_string(),
            });
        }
    };
    if found.state != state {
        let why = connect_failure
            .map(|f| format!("\nthe last connect flow failed:\n{f}"))
            .unwrap_or_default();
        return Err(format!(
            "expected {person}'s {slug} connection to be {state}, it is {}{why}",
            found.state
        ));
    }
    Ok(())
}

#[then(expr = "{word}'s connection to the custom provider {string} has scopes {scopes}")]
async fn connection_scopes(
    w: &mut PipesWorld,
    person: String,
    slug: String,
    scopes: ScopeList,
) -> StepResult {
    defined(w, &slug)?;
    let found = account(w, &person, &slug)
        .await
        .map_err(|e| e.to_string())?;
    if found.scopes != scopes.0 {
        return Err(format!(
            "expected scopes {:?}, the connection has {:?}",
            scopes.0, found.scopes
        ));
    }
    Ok(())
}

#[then(expr = "{word}'s connection to the custom provider {string} is the account {string}")]
async fn connection_identity(
    w: &mut PipesWorld,
    person: String,
    slug: String,
    identifier: String,
) -> StepResult {
    defined(w, &slug)?;
    let found = account(w, &person, &slug)
        .await
        .map_err(|e| e.to_string())?;
    match found.account_identifier.as_deref() {
        Some(id) if id == identifier => Ok(()),
        Some(id) => Err(format!(
            "expected the connection to be the {slug} account {identifier:?}, WorkOS says it is {id:?}"
        )),
        None => Err(format!(
            "expected the connection to be the {slug} account {identifier:?}, WorkOS knows no account identifier (the provider's userinfo gave none)"
        )),
    }
}

/// The last request the token (or refresh) endpoint of `slug` received.
fn last_token_request(
    w: &PipesWorld,
    slug: &str,
) -> Result<crate::providers::custom::TokenSeen, String> {
    defined(w, slug)?
        .token_requests()
        .pop()
        .ok_or_else(|| format!("the token endpoint of {slug} received no request"))
}

#[then(expr = "the token endpoint of the custom provider {string} received a {word} body")]
async fn received_body(w: &mut PipesWorld, slug: String, body: String) -> StepResult {
    let wanted = BodyType::parse(&body)
        .ok_or_else(|| format!("`{body}` is not a body type: expected form or JSON"))?;
    let seen = last_token_request(w, &slug)?;
    let got = seen.content_type.clone().unwrap_or_else(|| "none".into());
    if got == wanted.media_type() {
        Ok(())
    } else {
        Err(format!(
            "expected a {} body ({}), the token endpoint of {slug} received Content-Type {got}",
            wanted.spoken(),
            wanted.media_type()
        ))
    }
}

#[then(expr = "WorkOS authenticated to the custom provider {string} with {word}")]
async fn authenticated_with(w: &mut PipesWorld, slug: String, method: String) -> StepResult {
    let wanted = ClientAuth::parse(&method).ok_or_else(|| {
        format!(
            "`{method}` is not a client authentication method: expected client_secret_basic, client_secret_post or none"
        )
    })?;
    let seen = last_token_request(w, &slug)?;
    match seen.client_auth {
        Some(got) if got == wanted => Ok(()),
        Some(got) => Err(format!(
            "expected {} ({}), the token endpoint of {slug} received {} ({})",
            wanted.name(),
            wanted.spoken(),
            got.name(),
            got.spoken()
        )),
        None => Err(format!(
            "expected {}, the token endpoint of {slug} could not tell how the client authenticated (two methods at once, or a body it cannot read)",
            wanted.name()
        )),
    }
}

#[then(
    expr = "the token endpoint of the custom provider {string} received a PKCE verifier matching the challenge"
)]
async fn verifier_matched(w: &mut PipesWorld, slug: String) -> StepResult {
    let seen = last_token_request(w, &slug)?;
    match seen.verifier {
        VerifierSeen::Matched => Ok(()),
        VerifierSeen::NotSent => Err(format!(
            "the token endpoint of {slug} received no code_verifier"
        )),
        VerifierSeen::Unmatched => Err(format!(
            "the code_verifier {slug} received does not match a code_challenge of the authorize step"
        )),
    }
}

#[then(expr = "the token endpoint of the custom provider {string} received no PKCE verifier")]
async fn no_verifier(w: &mut PipesWorld, slug: String) -> StepResult {
    let seen = last_token_request(w, &slug)?;
    if seen.verifier == VerifierSeen::NotSent {
        Ok(())
    } else {
        Err(format!(
            "expected no code_verifier, the token endpoint of {slug} received one"
        ))
    }
}

#[then(expr = "the authorize page of the custom provider {string} received the scope {string}")]
async fn received_scope(w: &mut PipesWorld, slug: String, scope: String) -> StepResult {
    let seen = defined(w, &slug)?
        .authorize_requests()
        .pop()
        .ok_or_else(|| format!("the authorize page of {slug} was never visited"))?;
    match seen.scope {
        Some(s) if s == scope => Ok(()),
        Some(s) => Err(format!(
            "expected the scope parameter {scope:?}, the authorize page of {slug} received {s:?}"
        )),
        None => Err(format!(
            "expected the scope parameter {scope:?}, the authorize page of {slug} received none"
        )),
    }
}

#[then(expr = "WorkOS refreshed the token of the custom provider {string} at {string}")]
async fn refreshed_at(w: &mut PipesWorld, slug: String, at: String) -> StepResult {
    let p = defined(w, &slug)?;
    let wanted = url(w, "the refresh URL", &at)?;
    let endpoint = if wanted == p.url("refresh") {
        "refresh"
    } else if wanted == p.url("token") {
        "token"
    } else {
        return Err(format!(
            "{at} is not an endpoint of {slug}: expected http://{slug}.test/token or http://{slug}.test/refresh"
        ));
    };
    let refreshes: Vec<_> = p
        .token_requests()
        .into_iter()
        .filter(|t| t.grant_type.as_deref() == Some("refresh_token"))
        .collect();
    if refreshes.is_empty() {
        return Err(format!("WorkOS never sent {slug} a refresh grant"));
    }
    if let Some(t) = refreshes.iter().find(|t| t.endpoint != endpoint) {
        return Err(format!(
            "WorkOS sent a refresh grant to http://{slug}.test/{}, not {at}",
            t.endpoint
        ));
    }
    match refreshes.last() {
        Some(t) if t.status == 200 => Ok(()),
        Some(t) => Err(format!(
            "{slug} refused WorkOS's last refresh with HTTP {} {}",
            t.status,
            t.error.as_deref().unwrap_or_default()
        )),
        None => Ok(()),
    }
}

fn refresh_tokens_of(
    w: &mut PipesWorld,
    slug: &str,
    person: &str,
) -> Result<(usize, usize), String> {
    let p = defined(w, slug)?;
    let user_id = w.person(person);
    let login = p
        .engine()
        .bindings
        .get(&user_id)
        .cloned()
        .ok_or_else(|| format!("{person} never signed in to {slug}"))?;
    let counts = p.engine().refresh_token_counts(&login);
    Ok(counts)
}

#[then(expr = "the custom provider {string} rotated {word}'s refresh token")]
async fn rotated(w: &mut PipesWorld, slug: String, person: String) -> StepResult {
    let (live, spent) = refresh_tokens_of(w, &slug, &person)?;
    if live == 1 && spent >= 1 {
        Ok(())
    } else {
        Err(format!(
            "expected {slug} to have replaced {person}'s refresh token (one live, the used ones dead); it holds {live} live and {spent} spent"
        ))
    }
}

#[then(expr = "the custom provider {string} kept {word}'s refresh token")]
async fn kept(w: &mut PipesWorld, slug: String, person: String) -> StepResult {
    let (live, spent) = refresh_tokens_of(w, &slug, &person)?;
    if live == 1 && spent == 0 {
        Ok(())
    } else {
        Err(format!(
            "expected {slug} to keep {person}'s one refresh token; it holds {live} live and {spent} spent"
        ))
    }
}

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
        group: "Custom providers",
    }
}

/// The documented vocabulary of this module.
pub const VOCABULARY: &[StepDoc] = &[
    doc(
        "Given",
        "the custom provider {string} is defined",
        "Defines a custom_provider integration for the slug, enabled in the app's environment with WorkOS's defaults, pointed at the harness's mock provider (http://acme.test/authorize and /token), requesting the scope read; the team's OAuth app is registered there with the WorkOS redirect URI.",
        "the custom provider \"acme\" is defined",
    ),
    doc(
        "Given",
        "the custom provider {string} is defined with:",
        "The same, with a table of `| field | value |` rows over the defaults (for a slug already defined, over its definition): authorization_url, token_url, refresh_token_url, pkce_enabled, request_scope_separator, scopes_required, client_secret_required, additional_authorization_parameters, token_body_content_type, authenticate_via, and the integration's scopes (see \"Custom providers\").",
        "the custom provider \"acme\" is defined with:",
    ),
    doc(
        "Given",
        "the custom provider {string} behaves as:",
        "What the provider itself does, whatever the integration says, as a table of `| field | value |` rows: client_authentication, pkce, scope_separator, token_request_body, access_token_lifetime, refresh_tokens, scopes, refused_scopes, userinfo (see \"Custom providers\").",
        "the custom provider \"acme\" behaves as:",
    ),
    doc(
        "Given",
        "{word} signs in to the custom provider {string} as {string}",
        "The person's browser is signed in to the custom provider with this login (people sign in there with their email by default).",
        "alice signs in to the custom provider \"acme\" as \"alice@acme.test\"",
    ),
    doc(
        "Given",
        "{word} denies consent on the custom provider {string}",
        "The user clicks deny on the provider's next authorize page: it redirects with error=access_denied.",
        "alice denies consent on the custom provider \"acme\"",
    ),
    doc(
        "Given",
        "the custom provider {string} has another callback URL registered for the app",
        "The team's OAuth app at the provider has a callback other than the WorkOS redirect URI: the provider shows an error page and does not redirect.",
        "the custom provider \"acme\" has another callback URL registered for the app",
    ),
    doc(
        "Given",
        "the custom provider {string} refuses the scope {string}",
        "The provider refuses this scope at the authorize step (error=invalid_scope).",
        "the custom provider \"acme\" refuses the scope \"admin\"",
    ),
    doc(
        "When",
        "{word} connects the custom provider {string}",
        "The whole connect flow in the person's browser, as for a built-in provider: authorize URL, the provider's consent, WorkOS's code exchange, back to the app; a failure is diagnosed.",
        "alice connects the custom provider \"acme\"",
    ),
    doc(
        "Given",
        "{word} has connected the custom provider {string}",
        "The same connect flow as a precondition: the step fails if the flow does.",
        "alice has connected the custom provider \"acme\"",
    ),
    doc(
        "When",
        "the app asks WorkOS for {word}'s token of the custom provider {string}",
        "POST /data-integrations/{slug}/token for the person; WorkOS refreshes first (through the refresh URL) when the token expires within a minute; active:false is diagnosed.",
        "the app asks WorkOS for alice's token of the custom provider \"acme\"",
    ),
    doc(
        "Then",
        "the app gets a token of the custom provider {string}",
        "The last token request answered active:true.",
        "the app gets a token of the custom provider \"acme\"",
    ),
    doc(
        "When",
        "the app calls the userinfo endpoint of the custom provider {string} for {word}",
        "Fetches a fresh token from WorkOS, then calls GET /userinfo at the provider with it; a 401 is diagnosed from its WWW-Authenticate: Bearer error.",
        "the app calls the userinfo endpoint of the custom provider \"acme\" for alice",
    ),
    doc(
        "When",
        "the custom provider {string} revokes {word}'s tokens",
        "The provider revokes every access and refresh token of the person's account (the user removed the app there).",
        "the custom provider \"acme\" revokes alice's tokens",
    ),
    doc(
        "Then",
        "{word}'s connection to the custom provider {string} is {word}",
        "The connected account's state: connected, needs_reauthorization or disconnected (WorkOS has none).",
        "alice's connection to the custom provider \"acme\" is connected",
    ),
    doc(
        "Then",
        "{word}'s connection to the custom provider {string} has scopes {scopes}",
        "The scopes WorkOS recorded for the connection, in order.",
        "alice's connection to the custom provider \"acme\" has scopes \"read, write\"",
    ),
    doc(
        "Then",
        "{word}'s connection to the custom provider {string} is the account {string}",
        "The account_identifier WorkOS recorded, read from the provider's userinfo (its email, else its sub).",
        "alice's connection to the custom provider \"acme\" is the account \"alice@example.com\"",
    ),
    doc(
        "Then",
        "the token endpoint of the custom provider {string} received a {word} body",
        "The last token or refresh request came as a form (application/x-www-form-urlencoded) or as JSON.",
        "the token endpoint of the custom provider \"acme\" received a JSON body",
    ),
    doc(
        "Then",
        "WorkOS authenticated to the custom provider {string} with {word}",
        "Where the last token or refresh request carried the client credentials: client_secret_basic (an HTTP Basic header), client_secret_post (the body) or none (no secret).",
        "WorkOS authenticated to the custom provider \"acme\" with client_secret_basic",
    ),
    doc(
        "Then",
        "the token endpoint of the custom provider {string} received a PKCE verifier matching the challenge",
        "The last code exchange carried a code_verifier that fits the code_challenge of its authorize step.",
        "the token endpoint of the custom provider \"acme\" received a PKCE verifier matching the challenge",
    ),
    doc(
        "Then",
        "the token endpoint of the custom provider {string} received no PKCE verifier",
        "The last token request carried no code_verifier.",
        "the token endpoint of the custom provider \"acme\" received no PKCE verifier",
    ),
    doc(
        "Then",
        "the authorize page of the custom provider {string} received the scope {string}",
        "The raw scope parameter of the last authorize request, separator included.",
        "the authorize page of the custom provider \"acme\" received the scope \"read,write\"",
    ),
    doc(
        "Then",
        "WorkOS refreshed the token of the custom provider {string} at {string}",
        "Every refresh grant WorkOS sent went to this endpoint of the mock provider (http://acme.test/token or http://acme.test/refresh), and the last one succeeded.",
        "WorkOS refreshed the token of the custom provider \"acme\" at \"http://acme.test/refresh\"",
    ),
    doc(
        "Then",
        "the custom provider {string} rotated {word}'s refresh token",
        "The provider replaced the person's refresh token: one live, the used ones dead.",
        "the custom provider \"acme\" rotated alice's refresh token",
    ),
    doc(
        "Then",
        "the custom provider {string} kept {word}'s refresh token",
        "The person's only refresh token is still live.",
        "the custom provider \"acme\" kept alice's refresh token",
    ),
];
