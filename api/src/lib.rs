//! The `throughline` server and CLI: configuration, auth, schema assembly and
//! the HTTP layer. Everything else lives in the domain and the frameworks.

#[macro_use]
mod assembly;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod document_limits;
pub mod http;
pub mod registry;
pub mod schema;
pub mod seed;
pub mod server;
pub mod state;
