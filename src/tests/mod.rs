//! Tests that reach inside the crate: the WorkOS mock's API and connect
//! flow driven over HTTP with its state arranged directly, `doctor`'s
//! checks, and redaction. Tests that need only the public API or the
//! binary live in `tests/`.

mod doctor;
mod redaction;
mod serve_custom_provider;
mod workos_api;
mod workos_connect_flow;
