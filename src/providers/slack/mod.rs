//! slack: its mock routes.

pub mod routes;
