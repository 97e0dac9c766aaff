//! The `throughline` server and CLI: configuration, auth, schema assembly and
//! the HTTP layer. Everything else lives in the domain and the frameworks.

// The merged GraphQL roots (core concepts, frameworks, the probe) nest deep
// enough that computing their resolvers' future layouts can pass rustc's
// default query depth on a clean build.
#![recursion_limit = "256"]

#[macro_use]
mod assembly;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod document_limits;
pub mod framework_documents;
pub mod http;
pub mod rate_limits;
pub mod registry;
pub mod schema;
pub mod seed;
pub mod server;
pub mod sessions;
pub mod sockets;
pub mod state;
