//! Setting up the world: integrations, credentials, provider apps and accounts.

use cucumber::given;

use super::params::{ProviderArg, ScopeList};
use super::{PipesWorld, StepResult};
use crate::mock::providers::OAuthApp;
use crate::mock::workos::state::{Credentials, Integration, Ownership};
use crate::provider::ProviderKind;

impl PipesWorld {
    /// Creates or updates the integration for `kind` in the sandbox.
    pub fn configure_integration(&mut self, kind: ProviderKind, f: impl FnOnce(&mut Integration)) {
        let now = self.stack.clock.now_ms();
        let env = self.stack.sandbox.clone();
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
    let client_id = format!("custom_{}_{}", p.0.slug(), w.stack.ids.hex(6));
    let client_secret = w.stack.ids.secret("custom_secret_", 32);
    let callback = format!("{}/sso/callback/{}", w.stack.workos.uri(), p.0.slug());
    w.stack.provider(p.0).register_app(OAuthApp {
        client_id: client_id.clone(),
        client_secret: client_secret.clone(),
        redirect_uris: vec![callback],
        allowed_scopes: None,
        expiring_tokens: matches!(p.0, ProviderKind::Google | ProviderKind::Salesforce),
    });
    w.configure_integration(p.0, |i| {
        i.credentials = Credentials::Custom {
            client_id,
            client_secret,
        }
    });
    Ok(())
}

#[given(expr = "the {provider} OAuth app's callback URL is {string}")]
async fn app_callback(w: &mut PipesWorld, p: ProviderArg, url: String) -> StepResult {
    let client_id = custom_client_id(w, p.0)?;
    let mut engine = w.stack.provider(p.0).engine();
    let app = engine
        .apps
        .get_mut(&client_id)
        .ok_or_else(|| format!("no {} OAuth app with client id {client_id}", p.0.slug()))?;
    app.redirect_uris = vec![url];
    Ok(())
}

#[given(expr = "{word} signs in to {provider} as {string}")]
async fn signs_in(w: &mut PipesWorld, person: String, p: ProviderArg, login: String) {
    w.stack.provider(p.0).add_account(&login);
    let base = w.stack.provider(p.0).uri();
    w.user(&person);
    let mut browser = w.browser(&person);
    browser.set_cookie(&base, &format!("{}_login={login}", p.0.slug()));
    w.browsers.insert(person, browser);
}

/// The client id of the integration's custom app, or an error explaining the missing setup step.
pub fn custom_client_id(w: &PipesWorld, kind: ProviderKind) -> Result<String, String> {
    let ctx = w.stack.workos.ctx();
    let st = ctx.state();
    match st
        .integration(&w.stack.sandbox, kind.slug(), Ownership::User)
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
        description: "Changes the callback URL registered on your custom OAuth app (to reproduce a redirect URI mismatch).",
        example: "the github OAuth app's callback URL is \"https://example.com/callback/\"",
        group: "Setting up",
    },
    super::vocabulary::StepDoc {
        keyword: "Given",
        expression: "{word} signs in to {provider} as {string}",
        description: "The person's browser is signed in to the provider with this login.",
        example: "alice signs in to github as \"alice-codes\"",
        group: "Setting up",
    },
];
