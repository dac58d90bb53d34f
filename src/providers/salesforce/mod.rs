//! salesforce: its mock routes.

pub mod routes;
