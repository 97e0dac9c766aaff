//! Throughline's domain core: entities, services, the framework contract,
//! errors, events, and the GraphQL types and loaders every framework builds on.
//! Knows async-graphql, but nothing of HTTP.

pub mod core_events;
pub mod ddl;
pub mod decimal;
pub mod dispatcher;
pub mod entity;
pub mod enums;
pub mod error;
pub mod events;
pub mod exceptions;
pub mod framework;
pub mod graphql;
pub mod kit;
pub mod metric_status;
pub mod numbers;
pub mod periods;
pub mod service;
pub mod target;
pub mod tenancy;

pub use error::{DomainError, DomainResult, ErrorCode};
pub use framework::{AnyFramework, Framework, FrameworkRegistry};
pub use tenancy::{Actor, TenantScope};
