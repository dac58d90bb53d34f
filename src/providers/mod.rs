//! What each provider is: one folder per provider, over a shared engine.
//!
//! - `engine/`: what every provider mock shares: the wiremock server and
//!   its route table, OAuth apps, accounts, codes and tokens on the virtual
//!   clock, the authorize and token flows, wire helpers.
//! - `classify`: turning any provider answer into a diagnosis, with the
//!   helpers every provider's reading shares.
//! - `github/`, `slack/`, `google/`, `salesforce/`: one provider each.

pub mod classify;
pub mod engine;
pub mod github;
pub mod google;
pub mod salesforce;
pub mod slack;
