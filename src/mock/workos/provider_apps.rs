//! What WorkOS learns from, or leaves at, the provider side.
//!
//! - A customer who sets custom credentials on an integration has registered
//!   that OAuth app at the provider with the callback WorkOS shows; the
//!   mock does it for them, so an integration created or updated through the
//!   API connects exactly like a seeded one.
//! - After a connect, WorkOS knows whose account the token belongs to (the
//!   provider's profile): `account_identifier` and `account_display_name`.

use super::Ctx;

/// Registers (or updates) the customer's OAuth app at the provider mock of
/// `slug`, with the integration's WorkOS callback.
pub fn register_custom_app(ctx: &Ctx, slug: &str, client_id: &str, client_secret: &str) {
    let Some(link) = ctx.providers.get(slug) else {
        return;
    };
    link.provider.engine().register_client(
        client_id,
        client_secret,
        &ctx.callback_url(slug),
        crate::providers::spec(link.kind).expiring_tokens,
    );
}

/// The provider account an access token was issued to: `(login, display name)`.
pub fn account_of_token(ctx: &Ctx, slug: &str, access_token: &str) -> Option<(String, String)> {
    let link = ctx.providers.get(slug)?;
    let engine = link.provider.engine();
    let login = engine.tokens.get(access_token)?.login.clone();
    let name = engine
        .accounts
        .get(&login)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| login.clone());
    Some((login, name))
}
