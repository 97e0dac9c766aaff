//! The core's GraphQL layer: object types, global IDs, connections, loaders,
//! the core's query/mutation/subscription roots, and the framework gating
//! helpers every framework uses. Assembled into one schema by the api.

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

pub use connection::{Page, PageArgs, SortKey, page_complexity};
pub use context::{RequestContext, request};
pub use gating::{FrameworkGuard, framework_enabled};
pub use ids::{decode_id, encode_id};
pub use mutation::CoreMutation;
pub use query::{CoreNode, CoreQuery, resolve_core_node};
pub use scalars::Date;
pub use subscription::CoreSubscription;
