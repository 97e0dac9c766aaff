//! The OKR framework: cycles, objectives, key results, check-ins, alignment
//! and scoring. It meets other frameworks only through the domain core.

pub mod entity;
pub mod graphql;
pub mod migration;
pub mod model;
pub mod scoring;
pub mod seed;
pub mod service;
pub mod settings;

use throughline_domain::kit::{
    CoreEvent, DomainResult, Exception, ExceptionWindow, Framework, MetricFollower, TenantScope,
};

pub use graphql::{OkrMutationRoot, OkrQueryRoot, OkrSubscriptionRoot};

/// What the api's one-line assembly reads from a framework crate, by
/// convention: the framework value, its node resolution and descriptions
/// (its root types are the `Framework` impl's associated types; its `Node`
/// types come from the `node_types!` macro).
pub mod assembly {
    pub use crate::Okr as Framework;
    pub use crate::graphql::{describe, resolve_node};
}

/// Stored per tenant.
pub const KEY: &str = "okr";

/// The OKR framework, for the registry.
pub struct Okr;

#[async_trait::async_trait]
impl Framework for Okr {
    const KEY: &'static str = KEY;
    const NAME: &'static str = "OKRs";
    type Settings = settings::OkrSettings;
    type Migrator = migration::Migrator;
    type Query = OkrQueryRoot;
    type Mutation = OkrMutationRoot;
    type Subscription = OkrSubscriptionRoot;

    async fn seed(&self, scope: &TenantScope, seed: u64) -> DomainResult<()> {
        seed::seed(scope, seed).await
    }

    /// A metric value updates the key results linked to its metric. A person
    /// deactivated needs nothing here: their objectives stay, and queries flag
    /// them `ownerInactive` for reassignment.
    async fn on_event(&self, scope: &TenantScope, event: &CoreEvent) -> DomainResult<()> {
        match event {
            CoreEvent::MetricValueRecorded { value, .. } => {
                service::metric_link::on_metric_value(scope, value).await
            }
            _ => Ok(()),
        }
    }

    /// The key results linked to core metrics, for other frameworks.
    async fn metric_followers(
        &self,
        scope: &TenantScope,
        metrics: &[uuid::Uuid],
    ) -> DomainResult<Vec<MetricFollower>> {
        service::metric_link::followers(scope, metrics).await
    }

    /// Key results off track, at risk or stale, and objectives without a
    /// check-in, in the running cycles (see `service::exceptions`).
    async fn exceptions(
        &self,
        scope: &TenantScope,
        window: &ExceptionWindow,
    ) -> DomainResult<Vec<std::sync::Arc<Exception>>> {
        service::exceptions::exceptions(scope, window).await
    }
}
