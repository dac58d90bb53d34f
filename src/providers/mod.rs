//! What each provider is: one folder per provider, over a shared engine.
//!
//! - `engine/`: what every provider mock shares: the wiremock server and
//!   its route table, OAuth apps, accounts, codes and tokens on the virtual
//!   clock, the authorize and token flows, wire helpers.
//! - `classify`: turning any provider answer into a diagnosis, with the
//!   helpers every provider's reading shares.
//! - `github/`, `slack/`, `google/`, `salesforce/`: one provider each: its
//!   [`ProviderSpec`], its mock's routes, its fault answers and how its
//!   answers read.
//!
//! [`spec`] is the one place that maps the list of providers to their
//! folders; everything else asks the spec.

pub mod classify;
pub mod corpus;
pub mod custom;
pub mod engine;
pub mod github;
pub mod google;
pub mod salesforce;
pub mod slack;
mod spec;

pub use spec::{
    Endpoints, FaultAnswers, ProviderSpec, Revocation, Rotation, SignIn, TokenFlavour, plain_email,
};

use crate::provider::ProviderKind;

/// Everything the harness knows about `kind`.
pub fn spec(kind: ProviderKind) -> &'static ProviderSpec {
    match kind {
        ProviderKind::Github => &github::SPEC,
        ProviderKind::Slack => &slack::SPEC,
        ProviderKind::Google => &google::SPEC,
        ProviderKind::Salesforce => &salesforce::SPEC,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_is_filed_under_its_own_provider() {
        for kind in ProviderKind::ALL {
            let s = spec(kind);
            assert_eq!(s.kind, kind);
            assert!(s.routes.iter().any(|r| r.path.0 == s.endpoints.token));
            assert!(s.routes.iter().any(|r| r.path.0 == s.endpoints.authorize));
            assert!(
                s.routes.iter().any(|r| r.path.matches(s.whoami_path)),
                "{kind}: the profile path {} is served",
                s.whoami_path
            );
        }
    }
}
