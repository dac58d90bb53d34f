//! google: its mock routes.

pub mod routes;
