//! Named, composable provider faults.
//!
//! A fault is either a **wire fault**, mounted on the provider's wiremock
//! server above the default routes (`up_to_n_times(n)`: "fail the next N
//! calls, then recover"), or a **state fault**, a change to the provider's
//! OAuth state where that is the truth: a revoked token is revoked, not
//! faked by a 401 stub, so every later call, refresh and revocation agrees.
//!
//! Wire faults mounted one after another apply in that order: two calls
//! rate limited, then one 503, then the real answer. Each fault speaks the
//! provider's own format (GitHub's `x-ratelimit-*`, Slack's 429 envelope,
//! Google's `rateLimitExceeded`, Salesforce's `REQUEST_LIMIT_EXCEEDED`), and
//! says so in the transcript as a note from the provider.
//!
//! The `serve` control API and the steps share [`Fault`]: its JSON form is
//! `{"fault": "rate_limit", "retry_after": 2}` (extra keys such as
//! `provider` and `times` are ignored), its text form `rate_limit
//! retry_after=2`.
//!
//! The fault vocabulary (what a fault is, its names and parameters, how it
//! is read from text and JSON and checked) lives in `vocabulary`; mounting
//! and answering a fault on a provider mock lives in `apply`. Callers use
//! the re-exports below.

mod apply;
mod vocabulary;

pub use apply::ScopedFault;
pub use vocabulary::{Fault, FaultError, MAX_RETRY_AFTER_SECS, NAMES, Target};

/// The test helpers the providers' own fault tests import
/// (`crate::providers::engine::faults::tests::call`).
#[cfg(test)]
pub(crate) use apply::tests;
