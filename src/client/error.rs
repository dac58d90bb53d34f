//! The one error type of the client: every failure carries a [`Diagnosis`].

use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::provider::ProviderKind;

/// Anything that can go wrong talking to WorkOS or a provider.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PipesError {
    /// WorkOS answered with an error status.
    #[error("WorkOS answered HTTP {status}\n{diagnosis}")]
    WorkOs {
        /// HTTP status.
        status: u16,
        /// `code` from the body, if any.
        code: Option<String>,
        /// `X-Request-ID`.
        request_id: Option<String>,
        /// What it means.
        diagnosis: Diagnosis,
    },
    /// The token endpoint had no token to give (`active: false`).
    #[error("WorkOS has no token to give (error: {error})\n{diagnosis}")]
    NoToken {
        /// `not_installed` or `needs_reauthorization`.
        error: String,
        /// What it means.
        diagnosis: Diagnosis,
    },
    /// A provider API call failed.
    #[error("{provider} API call failed\n{diagnosis}")]
    Provider {
        /// Which provider.
        provider: ProviderKind,
        /// HTTP status.
        status: u16,
        /// What it means.
        diagnosis: Diagnosis,
    },
    /// The connect flow did not produce a connection.
    #[error("connecting {provider} failed\n{diagnosis}")]
    Connect {
        /// Which provider.
        provider: ProviderKind,
        /// What it means.
        diagnosis: Diagnosis,
    },
    /// Connecting or calling a custom provider failed.
    #[error("{action} {slug} failed\n{diagnosis}")]
    CustomProvider {
        /// `connecting` or `calling`.
        action: &'static str,
        /// The custom provider's slug.
        slug: String,
        /// What it means.
        diagnosis: Diagnosis,
    },
    /// No HTTP response at all.
    #[error("no response from {url}: {message}\n{diagnosis}")]
    Transport {
        /// Where.
        url: String,
        /// What the transport said.
        message: String,
        /// What it means.
        diagnosis: Diagnosis,
    },
    /// A check the app makes on its own, without asking anyone, failed: a
    /// webhook signature that does not verify, an SDK method that does not
    /// exist.
    #[error("{check} failed: {reason}\n{diagnosis}")]
    Check {
        /// What was checked: `webhook signature`, `SDK method`.
        check: &'static str,
        /// Why, in a stable short form (`signature_mismatch`, `makeRequest`).
        reason: String,
        /// What it means.
        diagnosis: Diagnosis,
    },
    /// A response that does not match the documented shape.
    #[error("cannot read the {what} response: {message}\n{diagnosis}")]
    Decode {
        /// Which response.
        what: &'static str,
        /// Parser message.
        message: String,
        /// What it means.
        diagnosis: Diagnosis,
    },
}

impl PipesError {
    /// What went wrong and how to fix it.
    pub fn diagnosis(&self) -> &Diagnosis {
        match self {
            PipesError::WorkOs { diagnosis, .. }
            | PipesError::NoToken { diagnosis, .. }
            | PipesError::Provider { diagnosis, .. }
            | PipesError::Connect { diagnosis, .. }
            | PipesError::CustomProvider { diagnosis, .. }
            | PipesError::Transport { diagnosis, .. }
            | PipesError::Check { diagnosis, .. }
            | PipesError::Decode { diagnosis, .. } => diagnosis,
        }
    }

    /// The diagnosis kind.
    pub fn kind(&self) -> DiagnosisKind {
        self.diagnosis().kind
    }
}
