//! Setting up the world: integrations, credentials, provider apps and accounts.
//!
//! Integrations are set up the way the dashboard does it, straight in the
//! WorkOS mock's state, so a scenario's transcript starts with the app's
//! first request rather than with configuration.

use cucumber::{given, when};

use super::params::{ProviderArg, ScopeList};
use super::{PipesWorld, StepResult};
use crate::client::models::UpdateDataIntegration;
use crate::mock::workos::state::{Credentials, Integration, Ownership};
use crate::provider::ProviderKind;
use crate::providers::engine::OAuthApp;

impl PipesWorld {
    /// Creates or updates the integration for `kind` in the sandbox.
    pub fn configure_integration(&mut self, kind: ProviderKind, f: impl FnOnce(&mut Integration)) {
        let env = self.stack.sandbox.clone();
        self.configure_integration_in(&env, kind, f);
    }

    /// Creates or updates the user-owned integration for `kind` in `env`.
    pub fn configure_integration_in(
        &mut self,
        env: &str,
        kind: ProviderKind,
        f: impl FnOnce(&mut Integration),
    ) {
        let now = self.stack.clock.now_ms();
        let env = env.to_string();
        let id = self.stack.ids.id("data_integration");
        let ctx = self.stack.workos.ctx();
        let mut st = ctx.state();
        let existing = st
            .integration(&env, kind.slug(), Ownership::User)
            .map(|i| i.id.clone());
        let key = match existing {
            Some(key) => key,
            None => {
                st.add_integration(Integration::builtin(&id, &env, kind, now));
                id
            }
        };
        let Some(entry) = st.integrations.get_mut(&key) else {
            return;
        };
        f(entry);
        entry.updated_ms = now;
    }
}

#[given(expr = "the {provider} integration is configured")]
async fn integration_configured(w: &mut PipesWorld, p: ProviderArg) {
    w.configure_integration(p.0, |_| {});
}

#[given(expr = "the {provider} integration is configured with scopes {scopes}")]
async fn integration_with_scopes(w: &mut PipesWorld, p: ProviderArg, scopes: ScopeList) {
    w.configure_integration(p.0, |i| i.scopes = Some(scopes.0));
}

#[given(expr = "the {provider} integration uses custom credentials")]
async fn custom_credentials(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    let env = w.stack.sandbox.clone();
    use_custom_credentials(w, &env, p.0);
    Ok(())
}

/// Registers the team's own OAuth app at the provider, with the WorkOS
/// callback as its only redirect URI, and points `env`'s integration at it.
pub fn use_custom_credentials(w: &mut PipesWorld, env: &str, kind: ProviderKind) {
    let client_id = format!("custom_{}_{}", kind.slug(), w.stack.ids.hex(6));
    let client_secret = w.stack.ids.secret("custom_secret_", 32);
    w.stack.provider(kind).register_app(OAuthApp {
        client_id: client_id.clone(),
        client_secret: client_secret.clone(),
        redirect_uris: vec![workos_redirect_uri(w, kind)],
        allowed_scopes: None,
        expiring_tokens: crate::providers::spec(kind).expiring_tokens,
    });
    w.configure_integration_in(env, kind, |i| {
        i.credentials = Credentials::Custom {
            client_id,
            client_secret,
        }
    });
}

/// The redirect URI WorkOS sends for `kind`: what the dashboard tells
/// the team to paste into the provider's OAuth app.
pub fn workos_redirect_uri(w: &PipesWorld, kind: ProviderKind) -> String {
    format!("{}/sso/callback/{}", w.stack.workos.uri(), kind.slug())
}

/// A URL as a scenario writes it, with the names transcripts show
/// (`http://workos.test`, `http://github.test`, `http://app.test`) turned
/// into the stack's real addresses. Anything else is taken literally, so
/// `https://workos.test/...` stays a different (and unreachable) URL.
pub fn stack_url(w: &PipesWorld, url: &str) -> String {
    let mut bases = vec![
        (
            "http://workos.test".to_string(),
            w.stack.workos.uri().to_string(),
        ),
        ("http://app.test".to_string(), w.stack.app.uri().to_string()),
    ];
    for kind in ProviderKind::ALL {
        bases.push((
            format!("http://{}.test", kind.slug()),
            w.stack.provider(kind).uri(),
        ));
    }
    for (shown, real) in bases {
        if let Some(rest) = url.strip_prefix(shown.as_str())
            && (rest.is_empty() || rest.starts_with(['/', '?']))
        {
            return format!("{real}{rest}");
        }
    }
    url.to_string()
}

#[given(expr = "the {provider} OAuth app's callback URL is {string}")]
async fn app_callback(w: &mut PipesWorld, p: ProviderArg, url: String) -> StepResult {
    let url = stack_url(w, &url);
    set_callback(w, p.0, url)
}

#[when(expr = "the {provider} OAuth app's callback URL is corrected to the WorkOS redirect URI")]
async fn callback_corrected(w: &mut PipesWorld, p: ProviderArg) -> StepResult {
    let url = workos_redirect_uri(w, p.0);
    set_callback(w, p.0, url)
}

fn set_callback(w: &mut PipesWorld, kind: ProviderKind, url: String) -> StepResult {
    let client_id = custom_client_id(w, kind)?;
    let mut engine = w.stack.provider(kind).engine();
    let app = engine
        .apps
        .get_mut(&client_id)
        .ok_or_else(|| format!("no {} OAuth app with client id {client_id}", kind.slug()))?;
    app.redirect_uris = vec![url];
    Ok(())
}

#[given(expr = "the {provider} OAuth app allows only the scopes {scopes}")]
async fn app_allows_scopes(w: &mut PipesWorld, p: ProviderArg, scopes: ScopeList) -> StepResult {
    let client_id = custom_client_id(w, p.0)?;
    let mut engine = w.stack.provider(p.0).engine();
    let app = engine
        .apps
        .get_mut(&client_id)
        .ok_or_else(|| format!("no {} OAuth app with client id {client_id}", p.0.slug()))?;
    app.allowed_scopes = Some(scopes.0);
    Ok(())
}

#[when(expr = "the {provider} integration's scopes are changed to {scopes}")]
async fn scopes_changed(w: &mut PipesWorld, p: ProviderArg, scopes: ScopeList) -> StepResult {
    let update = UpdateDataIntegration {
        scopes: Some(Some(scopes.0)),
        ..UpdateDataIntegration::default()
    };
    w.client
        .update_data_integration(p.0.slug(), false, &update)
        .await
        .map(|_| ())
        .map_err(|e| {
            format!(
                "changing the {} integration's scopes failed:\n{e}",
                p.0.slug()
            )
        })
}

#[given(expr = "the {provider} integration is disabled")]
async fn integration_disabled(w: &mut PipesWorld, p: ProviderArg) {
    w.configure_integration(p.0, |i| i.enabled = false);
}

#[given(expr = "the {provider} integration is configured in production")]
async fn configured_in_production(w: &mut PipesWorld, p: ProviderArg) {
    let env = w.production_environment();
    w.configure_integration_in(&env, p.0, |_| {});
}

#[given(expr = "the {provider} integration uses custom credentials in production")]
async fn custom_in_production(w: &mut PipesWorld, p: ProviderArg) {
    let env = w.production_environment();
    use_custom_credentials(w, &env, p.0);
}

#[given(expr = "{word} signs in to {provider} as {string}")]
async fn signs_in(w: &mut PipesWorld, person: String, p: ProviderArg, login: String) {
    // The account first, then the person: the order the ids were drawn in
    // since the first snapshots.
    w.stack.provider(p.0).add_account(&login);
    let base = w.stack.provider(p.0).uri();
    w.person(&person);
    let mut browser = w.browser(&person);
    browser.set_cookie(&base, &format!("{}_login={login}", p.0.slug()));
    w.harness.set_browser(&person, browser);
}

/// The client id of the integration's custom app (in the app's
/// environment), or an error explaining the missing setup step.
pub fn custom_client_id(w: &PipesWorld, kind: ProviderKind) -> Result<String, String> {
    let env = w.app_environment();
    let ctx = w.stack.workos.ctx();
    let st = ctx.state();
    match st
        .integration(&env, kind.slug(), Ownership::User)
        .map(|i| &i.credentials)
    {
        Some(Credentials::Custom { client_id, .. }) => Ok(client_id.clone()),
        _ => Err(format!(
            "the {} integration does not use custom credentials: add \"Given the {} integration uses custom credentials\" first",
            kind.slug(),
            kind.slug()
        )),
    }
}

/// The documented vocabulary of this module.
pub const VOCABULARY: &[super::vocabulary::StepDoc] = &[
    super::vocabulary::StepDoc {
        keyword: "Given",
        expression: "the {provider} integration is configured",
        description: "Enables the provider's integration in the sandbox with WorkOS shared credentials and default scopes.",
        example: "the github integration is configured",
        group: "Setting up",
    },
    super::vocabulary::StepDoc {
        keyword: "Given",
        expression: "the {provider} integration is configured with scopes {scopes}",
        description: "Same, requesting exactly these scopes.",
        example: "the github integration is configured with scopes \"repo, user:email\"",
        group: "Setting up",
    },
    super::vocabulary::StepDoc {
        keyword: "Given",
        expression: "the {provider} integration uses custom credentials",
        description: "Registers your own OAuth app at the provider (callback = the WorkOS callback) and uses it instead of shared credentials.",
        example: "the slack integration uses custom credentials",
        group: "Setting up",
    },
    super::vocabulary::StepDoc {
        keyword: "Given",
        expression: "the {provider} OAuth app's callback URL is {string}",
        description: "Changes the callback URL registered on your custom OAuth app (to reproduce a redirect URI mismatch). Write stack hosts as transcripts show them: http://workos.test/sso/callback/github is WorkOS's redirect URI.",
        example: "the github OAuth app's callback URL is \"http://workos.test/sso/callback/github/\"",
        group: "Setting up",
    },
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "the {provider} OAuth app's callback URL is corrected to the WorkOS redirect URI",
        description: "Pastes the exact WorkOS redirect URI into your custom OAuth app, as the fix says.",
        example: "the github OAuth app's callback URL is corrected to the WorkOS redirect URI",
        group: "Setting up",
    },
    super::vocabulary::StepDoc {
        keyword: "Given",
        expression: "the {provider} OAuth app allows only the scopes {scopes}",
        description: "Your custom OAuth app is approved for these scopes only; the provider refuses any other at the authorize step.",
        example: "the google OAuth app allows only the scopes \"openid, email\"",
        group: "Setting up",
    },
    super::vocabulary::StepDoc {
        keyword: "When",
        expression: "the {provider} integration's scopes are changed to {scopes}",
        description: "The team edits the integration's scopes (PUT /data-integrations/{slug}); existing connections keep what they were granted.",
        example: "the github integration's scopes are changed to \"repo, user:email, read:org\"",
        group: "Setting up",
    },
    super::vocabulary::StepDoc {
        keyword: "Given",
        expression: "the {provider} integration is disabled",
        description: "The integration exists in the sandbox but is switched off in the dashboard.",
        example: "the slack integration is disabled",
        group: "Setting up",
    },
    super::vocabulary::StepDoc {
        keyword: "Given",
        expression: "the {provider} integration is configured in production",
        description: "Creates the production environment if needed and enables the integration there with WorkOS shared credentials.",
        example: "the github integration is configured in production",
        group: "Setting up",
    },
    super::vocabulary::StepDoc {
        keyword: "Given",
        expression: "the {provider} integration uses custom credentials in production",
        description: "The production integration uses your own OAuth app, registered at the provider with the WorkOS callback.",
        example: "the github integration uses custom credentials in production",
        group: "Setting up",
    },
    super::vocabulary::StepDoc {
        keyword: "Given",
        expression: "{word} signs in to {provider} as {string}",
        description: "The person's browser is signed in to the provider with this login; signing in again switches to another account.",
        example: "alice signs in to github as \"alice-codes\"",
        group: "Setting up",
    },
];
