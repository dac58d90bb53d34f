//! Pieces every layer stands on: the virtual clock, durations in words, the
//! webhook signature, masking printed secrets, did-you-mean suggestions and
//! small text helpers. Nothing here knows WorkOS's API or a provider's wire
//! format.

pub mod clock;
pub mod duration;
pub mod ids;
pub mod listener;
pub mod mask;
pub mod signature;
pub mod suggest;
pub mod text;
