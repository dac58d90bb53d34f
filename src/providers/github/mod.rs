//! github: its mock routes.

pub mod routes;
