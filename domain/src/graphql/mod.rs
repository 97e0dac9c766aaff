//! The core's GraphQL layer, sliced by concept (people, org units, metrics…:
//! each file holds its types, inputs, query fields and mutation fields,
//! merged into the core's roots), plus global IDs, connections, loaders and
//! the framework gating helpers every framework uses. Assembled into one
//! schema by the api.

pub mod connection;
pub mod context;
pub mod gating;
pub mod ids;
pub mod inputs;
pub mod loaders;
pub mod mutation;
pub mod query;
pub mod scalars;
pub mod subscription;
pub mod types;

// One file per concept: its types, inputs, query and mutation fields.
pub mod audit;
pub mod changes;
pub mod dashboards;
pub mod directory;
pub mod event_deliveries;
pub mod exceptions;
pub mod metric_followers;
pub mod metric_targets;
pub mod metrics;
pub mod org_units;
pub mod people;
pub mod priorities;
pub mod reviews;
pub mod service_accounts;
pub mod targets;
pub mod tenant;
pub mod viewer;

pub use connection::{Page, PageArgs, SortKey, page_complexity};
pub use context::{RequestContext, request};
pub use gating::{FrameworkGuard, framework_enabled};
pub use ids::{decode_id, encode_id};
pub use mutation::CoreMutation;
pub use query::{CoreQuery, resolve_core_node};
pub use scalars::Date;
pub use subscription::CoreSubscription;
