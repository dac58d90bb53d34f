//! Pieces both the client and the mock stand on: the virtual clock,
//! durations in words, the webhook signature. Nothing here knows WorkOS's
//! API or a provider's wire format.

pub mod clock;
pub mod duration;
pub mod mask;
pub mod signature;
pub mod suggest;
