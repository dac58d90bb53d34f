//! WorkOS as the app meets it: the environment and API key the app runs
//! with, the providers list with each connection's status, and calls to API
//! routes or SDK methods that do not exist.
//!
//! The app's environment is the one its configured key belongs to
//! (`stack.api_key`: the sandbox key unless a step switched to production).
//! A key that authenticates nowhere (missing, malformed, revoked, from
//! another account) only changes what the app's client sends; people and
//! integrations keep living in the environment the app is configured for,
//! which is what happens when someone pastes the wrong key.

use std::sync::Arc;

use cucumber::{given, then, when};

use super::params::{ProviderArg, Span};
use super::vocabulary::StepDoc;
use super::{PipesWorld, StepResult};
use crate::client::models::{DataProvider, List};
use crate::client::provider_call::{ProviderCaller, RetryPolicy};
use crate::client::{Diagnosis, DiagnosisKind, PipesError, workos_error};
use crate::mock::workos::state::{Environment, EnvironmentKind, Organization};
use crate::transcript::HttpResponse;

/// The SDK versions the method table below was read from.
pub const SDK_VERSIONS: &str = "@workos-inc/node 11.0.0 and workos 10.6.0 (Python)";

/// Every method of `workos.pipes` (Node) and `client.pipes` (Python), in
/// the SDK versions of [`SDK_VERSIONS`], as `(node, python)`.
pub const PIPES_METHODS: &[(&str, &str)] = &[
    ("listDataIntegrations", "list_data_integrations"),
    ("createDataIntegration", "create_data_integration"),
    ("getDataIntegration", "get_data_integration"),
    ("updateDataIntegration", "update_data_integration"),
    ("deleteDataIntegration", "delete_data_integration"),
    (
        "createDataIntegrationApiKey",
        "create_data_integration_api_key",
    ),
    (
        "updateDataIntegrationApiKey",
        "update_data_integration_api_key",
    ),
    ("authorizeDataIntegration", "authorize_data_integration"),
    (
        "createDataIntegrationClientCredential",
        "create_data_integration_client_credential",
    ),
    (
        "updateDataIntegrationClientCredentials",
        "update_data_integration_client_credentials",
    ),
    (
        "createDataIntegrationCredential",
        "create_data_integration_credential",
    ),
    (
        "getOrganizationDataIntegration",
        "list_data_integration_organization",
    ),
    (
        "updateOrganizationDataIntegration",
        "update_data_integration_organization",
    ),
    (
        "deleteOrganizationDataIntegration",
        "delete_data_integration_organization",
    ),
    ("getAccessToken", "get_access_token"),
    (
        "getOrganizationConnectedAccount",
        "get_organization_connected_account",
    ),
    (
        "createOrganizationConnectedAccount",
        "create_organization_connected_account",
    ),
    (
        "updateOrganizationConnectedAccount",
        "update_organization_connected_account",
    ),
    (
        "deleteOrganizationConnectedAccount",
        "delete_organization_connected_account",
    ),
    (
        "listOrganizationDataProviders",
        "list_organization_data_providers",
    ),
    ("getUserConnectedAccount", "get_user_connected_account"),
    (
        "createUserConnectedAccount",
        "create_user_connected_account",
    ),
    (
        "updateUserConnectedAccount",
        "update_user_connected_account",
    ),
    (
        "deleteUserConnectedAccount",
        "delete_user_connected_account",
    ),
    ("listUserDataProviders", "list_user_data_providers"),
];

/// Names from older or invented docs, and what to call instead.
const INVENTED_METHODS: &[(&str, &str)] = &[
    (
        "makerequest",
        "the SDKs do not proxy provider calls: get a token with getAccessToken / get_access_token right before the call and call the provider's API yourself",
    ),
    (
        "listproviders",
        "listUserDataProviders / list_user_data_providers (a user's providers with their connection), listOrganizationDataProviders, or listDataIntegrations for the admin view",
    ),
    (
        "createauthorizationurl",
        "authorizeDataIntegration / authorize_data_integration, which answers {url}",
    ),
    (
        "getauthorizationurl",
        "authorizeDataIntegration / authorize_data_integration, which answers {url}",
    ),
    (
        "getconnection",
        "getUserConnectedAccount / get_user_connected_account, keyed by user id and provider slug (there is no conn_ id)",
    ),
    (
        "exchangecode",
        "nothing: WorkOS exchanges the code itself at its callback; read the connection afterwards with getUserConnectedAccount",
    ),
];

/// Routes from older or invented docs (or the open-source emulator), and
/// the real ones.
const INVENTED_ROUTES: &[(&str, &str)] = &[
    (
        "/pipes/connections",
        "`/pipes/connections` and `pipe_connection` exist only in the open-source emulator; the Pipes API keys a connection by user and provider slug: `POST /data-integrations/{slug}/token` for a token, `GET /user_management/users/{user_id}/connected_accounts/{slug}` for its state",
    ),
    (
        "/pipes/providers",
        "there is no providers route; a user's providers and their connections are `GET /user_management/users/{user_id}/data_providers`",
    ),
    (
        "/pipes/request",
        "WorkOS does not proxy provider calls (there is no makeRequest); get a token from `POST /data-integrations/{slug}/token` and call the provider yourself",
    ),
];

impl PipesWorld {
    /// The id of the environment the app's configured key belongs to.
    pub fn app_environment(&self) -> String {
        let ctx = self.stack.workos.ctx();
        let st = ctx.state();
        st.environment_for_key(&self.stack.api_key)
            .map(|e| e.id.clone())
            .unwrap_or_else(|| self.stack.sandbox.clone())
    }

    /// The production environment, created with an API key of its own on
    /// first use.
    pub fn production_environment(&mut self) -> String {
        let existing = {
            let ctx = self.stack.workos.ctx();
            let st = ctx.state();
            st.environments
                .values()
                .find(|e| e.kind == EnvironmentKind::Production)
                .map(|e| e.id.clone())
        };
        if let Some(id) = existing {
            return id;
        }
        let id = self.stack.ids.id("environment");
        let key = self.stack.ids.secret("sk_live_", 40);
        self.stack.recorder.secret("api_key", &key);
        self.stack
            .workos
            .ctx()
            .state()
            .add_environment(Environment::new(
                &id,
                EnvironmentKind::Production,
                vec![key],
            ));
        id
    }

    /// The WorkOS user id of `name`, created in the app's environment on
    /// first mention.
    pub fn person(&mut self, name: &str) -> String {
        let known = self.harness.knows(name);
        let id = self.user(name);
        if !known {
            let env = self.app_environment();
            if env != self.stack.sandbox
                && let Some(u) = self.stack.workos.ctx().state().users.get_mut(&id)
            {
                u.env = env;
            }
        }
        id
    }

    /// The id of the organization named `name` in the app's environment,
    /// created on first mention.
    pub fn organization(&mut self, name: &str) -> String {
        let env = self.app_environment();
        let existing = {
            let ctx = self.stack.workos.ctx();
            let st = ctx.state();
            st.organizations
                .values()
                .find(|o| o.env == env && o.name == name)
                .map(|o| o.id.clone())
        };
        if let Some(id) = existing {
            return id;
        }
        let id = self.stack.ids.id("org");
        let now = self.stack.clock.now_ms();
        self.stack
            .workos
            .ctx()
            .state()
            .add_organization(Organization {
                id: id.clone(),
                env,
                name: name.to_string(),
                created_ms: now,
                updated_ms: now,
                ..Organization::default()
            });
        id
    }

    /// Points the app's WorkOS client, and the provider caller that asks it
    /// for tokens, at `key`.
    pub fn use_api_key(&mut self, key: &str) {
        self.client = self.client.with_api_key(key);
        self.caller = ProviderCaller::new(
            self.client.clone(),
            Arc::new(self.sleeper.clone()),
            self.stack.clock.clone(),
            RetryPolicy::default(),
        );
    }

    /// Records the outcome of a WorkOS call: the response, or the failure
    /// with its diagnosis.
    pub fn record_workos(&mut self, path: &str, resp: HttpResponse) {
        if (200..300).contains(&resp.status) {
            self.last_error = None;
            self.last_response = Some(resp);
        } else {
            self.last_error = Some(explain_missing_route(workos_error(path, &resp), path));
            self.last_response = Some(resp);
        }
    }
}

/// Adds what the team probably meant when a 404/405 says the route does
/// not exist.
fn explain_missing_route(mut e: PipesError, path: &str) -> PipesError {
    if let PipesError::WorkOs { diagnosis, .. } = &mut e
        && diagnosis.kind == DiagnosisKind::SdkVersionMismatch
    {
        let bare = path.split('?').next().unwrap_or(path);
        let authorize = (bare.starts_with("/data-integrations/") && bare.ends_with("/authorize"))
            .then(|| {
                "authorize is `POST /data-integrations/{slug}/authorize` with a JSON body keyed by `user_id`, answering `{url}`; a `GET` with `redirect_uri` is the open-source emulator's flow".to_string()
            });
        let hint = authorize
            .or_else(|| {
                INVENTED_ROUTES
                    .iter()
                    .find(|(prefix, _)| bare.starts_with(prefix))
                    .map(|(_, hint)| (*hint).to_string())
            })
            .unwrap_or_else(|| {
                "compare the path and method with the API reference: every Pipes route starts with `/data-integrations/`, `/user_management/users/` or `/organizations/`".to_string()
            });
        diagnosis.detail = format!(
            "{} The Pipes API has no such route: {hint}. An SDK older than the docs you follow, or docs written for another API, calls routes like this one; the routes above are the ones {SDK_VERSIONS} call.",
            diagnosis.detail
        );
    }
    e
}

/// The diagnosis for calling `workos.pipes.<name>`, or `None` when the
/// SDKs have that method.
pub fn sdk_method_diagnosis(name: &str) -> Option<Diagnosis> {
    let bare = name
        .trim()
        .trim_start_matches("workos.pipes.")
        .trim_start_matches("client.pipes.")
        .trim_end_matches("()");
    if PIPES_METHODS
        .iter()
        .any(|(node, python)| *node == bare || *python == bare)
    {
        return None;
    }
    let folded: String = bare
        .chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    let instead = INVENTED_METHODS
        .iter()
        .find(|(n, _)| *n == folded)
        .map(|(_, hint)| (*hint).to_string())
        .unwrap_or_else(|| {
            let (node, python) = nearest_method(&folded);
            format!("the nearest real methods are {node} / {python}")
        });
    Some(Diagnosis::new(
        DiagnosisKind::SdkVersionMismatch,
        format!(
            "workos.pipes.{bare} is not a method of {SDK_VERSIONS}: in Node it is undefined (\"workos.pipes.{bare} is not a function\"), in Python an AttributeError. Use {instead}."
        ),
    ))
}

fn nearest_method(folded: &str) -> (&'static str, &'static str) {
    PIPES_METHODS
        .iter()
        .copied()
        .min_by_key(|(node, _)| edit_distance(folded, &node.to_ascii_lowercase()))
        .unwrap_or(("listUserDataProviders", "list_user_data_providers"))
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(current)
            };
            prev = current;
        }
    }
    row[b.len()]
}

// -- Environments and API keys ------------------------------------------------

#[given(expr = "the app has no WorkOS API key")]
async fn no_api_key(w: &mut PipesWorld) {
    w.use_api_key("");
}

#[given(expr = "the app's WorkOS API key is {string}")]
async fn api_key_is(w: &mut PipesWorld, key: String) {
    w.use_api_key(&key);
}

#[given(expr = "the app's WorkOS API key was revoked")]
async fn api_key_revoked(w: &mut PipesWorld) {
    let key = w.stack.api_key.clone();
    let ctx = w.stack.workos.ctx();
    let mut st = ctx.state();
    for env in st.environments.values_mut() {
        env.api_keys.retain(|k| *k != key);
    }
}

#[given(expr = "the app uses an API key from another WorkOS account")]
async fn foreign_api_key(w: &mut PipesWorld) {
    let key = w.stack.ids.secret("sk_test_", 40);
    w.stack.recorder.secret("api_key", &key);
    w.use_api_key(&key);
}

fn switch_environment(w: &mut PipesWorld, which: &str) -> StepResult {
    let key = match which {
        "sandbox" => {
            let ctx = w.stack.workos.ctx();
            let st = ctx.state();
            st.environments
                .get(&w.stack.sandbox)
                .and_then(|e| e.api_keys.first().cloned())
                .ok_or("the sandbox has no API key left (was it revoked?)")?
        }
        "production" => {
            let env = w.production_environment();
            let ctx = w.stack.workos.ctx();
            let st = ctx.state();
            st.environments
                .get(&env)
                .and_then(|e| e.api_keys.first().cloned())
                .ok_or("the production environment has no API key left")?
        }
        other => {
            return Err(format!(
                "{other:?} is not an environment: expected sandbox or production"
            ));
        }
    };
    w.stack.api_key = key.clone();
    w.use_api_key(&key);
    Ok(())
}

#[given(expr = "the app uses the {word} API key")]
async fn uses_environment_key(w: &mut PipesWorld, which: String) -> StepResult {
    switch_environment(w, &which)
}

#[when(expr = "the app switches to the {word} API key")]
async fn switches_environment_key(w: &mut PipesWorld, which: String) -> StepResult {
    switch_environment(w, &which)
}

// -- The providers list -------------------------------------------------------

#[given(expr = "WorkOS rate-limits the app to {int} requests per {duration}")]
async fn workos_rate_limit(w: &mut PipesWorld, limit: u32, window: Span) -> StepResult {
    if limit == 0 {
        return Err("a limit of 0 requests refuses everything: give at least 1".into());
    }
    let window_ms = i64::try_from(window.0.as_millis())
        .ok()
        .filter(|ms| *ms > 0)
        .ok_or("the window must be longer than nothing and shorter than a lifetime")?;
    w.stack.workos.ctx().state().rate_limit =
        Some(crate::mock::workos::state::RateLimit { limit, window_ms });
    w.stack.recorder.note(
        "workos",
        format!(
            "WorkOS allows {limit} requests per API key per {}",
            crate::common::duration::spoken(window.0)
        ),
    );
    Ok(())
}

#[when(expr = "the app lists {word}'s data providers")]
async fn lists_providers(w: &mut PipesWorld, person: String) -> StepResult {
    let user_id = w.person(&person);
    let path = crate::client::path(
        &["user_management", "users", &user_id, "data_providers"],
        &[],
    );
    w.last_action = super::Action::ListProviders;
    match w.client.raw(reqwest::Method::GET, &path, None).await {
        Ok(resp) => w.record_workos(&path, resp),
        Err(e) => {
            w.last_response = None;
            w.last_error = Some(e);
        }
    }
    Ok(())
}

fn listed(w: &PipesWorld) -> Result<Vec<DataProvider>, String> {
    if w.last_action != super::Action::ListProviders {
        return Err(format!(
            "no providers list to read: the last action was {}; add \"When the app lists alice's data providers\" before this step",
            w.last_action.spoken()
        ));
    }
    if let Some(e) = &w.last_error {
        return Err(format!("listing the data providers failed:\n{e}"));
    }
    let resp = w
        .last_response
        .as_ref()
        .ok_or("no providers list yet: add \"When the app lists alice's data providers\" first")?;
    serde_json::from_slice::<List<DataProvider>>(&resp.body)
        .map(|l| l.data)
        .map_err(|e| format!("the last response is not a data providers list: {e}"))
}

fn provider_row(w: &PipesWorld, p: ProviderArg) -> Result<Option<DataProvider>, String> {
    Ok(listed(w)?.into_iter().find(|d| d.slug == p.0.slug()))
}

#[then(expr = "the providers list shows {provider} as {word}")]
async fn list_shows_state(w: &mut PipesWorld, p: ProviderArg, state: String) -> StepResult {
    let row = provider_row(w, p)?
        .ok_or_else(|| format!("the providers list has no {} row", p.0.slug()))?;
    match &row.connected_account {
        Some(a) if a.state == state => Ok(()),
        Some(a) => Err(format!(
            "expected the {} connection to be {state}, the list shows {}",
            p.0.slug(),
            a.state
        )),
        None => Err(format!(
            "expected the {} connection to be {state}, the list shows no connection",
            p.0.slug()
        )),
    }
}

#[then(expr = "the providers list shows {provider} without a connection")]
async fn list_shows_unconnected(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    let row = provider_row(w, p)?
        .ok_or_else(|| format!("the providers list has no {} row", p.0.slug()))?;
    match &row.connected_account {
        None => Ok(()),
        Some(a) => Err(format!(
            "expected {} without a connection, the list shows one in state {}",
            p.0.slug(),
            a.state
        )),
    }
}

#[then(expr = "the providers list does not show {provider}")]
async fn list_omits(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    match provider_row(w, p)? {
        None => Ok(()),
        Some(_) => Err(format!(
            "expected no {} row in the providers list, there is one",
            p.0.slug()
        )),
    }
}

// -- Routes and SDK methods that do not exist --------------------------------

#[when(expr = "the app sends {word} {string} to WorkOS")]
async fn sends_to_workos(w: &mut PipesWorld, method: String, path: String) -> StepResult {
    let method: reqwest::Method = method.parse().map_err(|_| {
        format!("{method:?} is not an HTTP method: expected GET, POST, PUT, PATCH or DELETE")
    })?;
    if !path.starts_with('/') {
        return Err(format!(
            "{path:?} is not a path: start it with /, e.g. \"/data-integrations/github/token\""
        ));
    }
    let body = (method != reqwest::Method::GET && method != reqwest::Method::DELETE)
        .then(|| serde_json::json!({}));
    w.last_action = super::Action::WorkosRequest;
    match w.client.raw(method, &path, body.as_ref()).await {
        Ok(resp) => w.record_workos(&path, resp),
        Err(e) => {
            w.last_response = None;
            w.last_error = Some(e);
        }
    }
    Ok(())
}

#[then(expr = "WorkOS answers HTTP {int}")]
async fn workos_answers(w: &mut PipesWorld, status: u16) -> StepResult {
    match &w.last_response {
        Some(r) if r.status == status => Ok(()),
        Some(r) => Err(format!(
            "expected WorkOS to answer HTTP {status}, it answered HTTP {}: {}",
            r.status,
            r.text()
        )),
        None => Err("no WorkOS call was made".into()),
    }
}

#[when(expr = "the app calls the SDK method {string}")]
async fn calls_sdk_method(w: &mut PipesWorld, name: String) {
    match sdk_method_diagnosis(&name) {
        Some(diagnosis) => {
            w.stack.recorder.note(
                "app",
                format!("called {name}: not a method of {SDK_VERSIONS}"),
            );
            w.last_error = Some(PipesError::Check {
                check: "SDK method",
                reason: format!("{name} does not exist"),
                diagnosis,
            });
        }
        None => {
            w.stack
                .recorder
                .note("app", format!("called {name}: a method of {SDK_VERSIONS}"));
            w.last_error = None;
        }
    }
}

/// The documented steps of this module.
pub const VOCABULARY: &[StepDoc] = &[
    doc(
        "Given",
        "the app has no WorkOS API key",
        "WORKOS_API_KEY is unset: the app's WorkOS calls carry no Authorization header.",
        "the app has no WorkOS API key",
    ),
    doc(
        "Given",
        "the app's WorkOS API key is {string}",
        "The app sends this text as its API key (e.g. the client ID pasted by mistake).",
        "the app's WorkOS API key is \"client_01HZZZZZZZZZZZZZZZZZZZZZZZ\"",
    ),
    doc(
        "Given",
        "the app's WorkOS API key was revoked",
        "The key the app uses was deleted in the dashboard; the app still sends it.",
        "the app's WorkOS API key was revoked",
    ),
    doc(
        "Given",
        "the app uses an API key from another WorkOS account",
        "A well-formed sk_ key this WorkOS does not know.",
        "the app uses an API key from another WorkOS account",
    ),
    doc(
        "Given",
        "the app uses the {word} API key",
        "The app runs in the sandbox or production environment (created with its own key on first use); people it mentions from then on live there.",
        "the app uses the production API key",
    ),
    doc(
        "When",
        "the app switches to the {word} API key",
        "The same, in the middle of a scenario (the fix for a key of the wrong environment).",
        "the app switches to the sandbox API key",
    ),
    doc(
        "Given",
        "WorkOS rate-limits the app to {int} requests per {duration}",
        "WorkOS's own rate limit: that many requests per API key per window of the scenario's clock, then 429 rate_limit_exceeded with Retry-After in seconds.",
        "WorkOS rate-limits the app to 2 requests per 1 minute",
    ),
    doc(
        "When",
        "the app lists {word}'s data providers",
        "GET /user_management/users/{id}/data_providers: every enabled integration with the person's connection, if any.",
        "the app lists alice's data providers",
    ),
    doc(
        "Then",
        "the providers list shows {provider} as {word}",
        "The provider's row carries a connection in this state: connected or needs_reauthorization.",
        "the providers list shows github as connected",
    ),
    doc(
        "Then",
        "the providers list shows {provider} without a connection",
        "The provider is offered but the person has not connected it.",
        "the providers list shows slack without a connection",
    ),
    doc(
        "Then",
        "the providers list does not show {provider}",
        "No row for the provider (not configured, or disabled).",
        "the providers list does not show salesforce",
    ),
    doc(
        "When",
        "the app sends {word} {string} to WorkOS",
        "A raw request with the app's API key (JSON `{}` body for POST, PUT, PATCH); a failure is diagnosed, with the real route when the path comes from outdated docs.",
        "the app sends GET \"/pipes/connections\" to WorkOS",
    ),
    doc(
        "Then",
        "WorkOS answers HTTP {int}",
        "The status of the last WorkOS answer.",
        "WorkOS answers HTTP 404",
    ),
    doc(
        "When",
        "the app calls the SDK method {string}",
        "Checks a workos.pipes method name (Node or Python spelling) against the SDKs' real methods; a missing one is diagnosed with what to call instead.",
        "the app calls the SDK method \"workos.pipes.makeRequest\"",
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
        group: "WorkOS: keys, environments, routes",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_real_sdk_method_passes_in_either_spelling() {
        for (node, python) in PIPES_METHODS {
            assert!(sdk_method_diagnosis(node).is_none(), "{node}");
            assert!(sdk_method_diagnosis(python).is_none(), "{python}");
            assert!(sdk_method_diagnosis(&format!("workos.pipes.{node}")).is_none());
        }
        assert_eq!(PIPES_METHODS.len(), 25);
    }

    #[test]
    fn seed_era_methods_are_diagnosed_with_the_real_one() {
        let d = sdk_method_diagnosis("workos.pipes.makeRequest").expect("diagnosed");
        assert_eq!(d.kind, DiagnosisKind::SdkVersionMismatch);
        assert!(d.detail.contains("getAccessToken"), "{}", d.detail);
        let d = sdk_method_diagnosis("list_providers").expect("diagnosed");
        assert!(
            d.detail.contains("list_user_data_providers"),
            "{}",
            d.detail
        );
    }

    #[test]
    fn an_unknown_method_suggests_the_nearest_real_one() {
        let d = sdk_method_diagnosis("getAccesToken").expect("diagnosed");
        assert!(
            d.detail.contains("getAccessToken / get_access_token"),
            "{}",
            d.detail
        );
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}

#[cfg(test)]
mod listing_tests {
    use super::*;
    use crate::client::{Diagnosis, DiagnosisKind};

    #[tokio::test]
    async fn reading_the_list_when_no_listing_ran_names_the_missing_step_not_an_older_error() {
        let mut w = PipesWorld::new().await.expect("a stack starts");
        w.last_action = super::super::Action::TokenRequest;
        w.last_error = Some(PipesError::Check {
            check: "SDK method",
            reason: "makeRequest".into(),
            diagnosis: Diagnosis::new(DiagnosisKind::SdkVersionMismatch, "an earlier failure"),
        });
        let message = listed(&w).unwrap_err();
        assert!(
            message.contains("When the app lists alice's data providers"),
            "{message}"
        );
        assert!(
            !message.contains("listing the data providers failed"),
            "{message}"
        );
    }
}
