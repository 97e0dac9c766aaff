//! The balanced scorecard framework: perspectives, strategic objectives and
//! measures on the core's KPIs, scored 0–10 per period and rolled up by
//! date-ranged weights, with leading and lagging scores side by side. It
//! meets other frameworks only through the domain core.
//!
//! - [`scoring`]: the arithmetic every score rests on, as pure functions,
//!   each answering its explanation;
//! - [`service`]: design (admins) and scores (a scorecard read whole, in a
//!   constant number of statements);
//! - [`strategy_map`]: the map's layout and its SVG, as pure functions;
//! - [`graphql`]: the `scorecard { … }` namespace.

pub mod entity;
pub mod graphql;
pub mod migration;
pub mod model;
pub mod scoring;
pub mod seed;
pub mod service;
pub mod settings;
pub mod strategy_map;

use throughline_domain::kit::{
    CoreEvent, Document, DocumentParams, DomainResult, Exception, ExceptionWindow, Framework,
    MetricFollower, TenantScope, TenantTxn,
};

pub use graphql::{ScorecardMutationRoot, ScorecardQueryRoot, ScorecardSubscriptionRoot};

/// What the api's one-line assembly reads from a framework crate, by
/// convention.
pub mod assembly {
    pub use crate::Scorecard as Framework;
    pub use crate::graphql::{describe, resolve_node};
}

/// Stored per tenant.
pub const KEY: &str = "scorecard";

/// The balanced scorecard framework, for the registry.
pub struct Scorecard;

#[async_trait::async_trait]
impl Framework for Scorecard {
    const KEY: &'static str = KEY;
    const NAME: &'static str = "Balanced scorecard";
    type Settings = settings::ScorecardSettings;
    type Migrator = migration::Migrator;
    type Query = ScorecardQueryRoot;
    type Mutation = ScorecardMutationRoot;
    type Subscription = ScorecardSubscriptionRoot;

    /// The four perspectives of Kaplan and Norton, for a tenant that has
    /// none yet (switching it on again keeps the tenant's own).
    async fn on_enabled(
        &self,
        tx: &TenantTxn<'_>,
        _settings: &settings::ScorecardSettings,
    ) -> DomainResult<()> {
        service::perspectives::make_defaults(tx).await
    }

    /// The company's scorecard and one per top-level unit, on the seeded metrics.
    async fn seed(&self, scope: &TenantScope, seed: u64) -> DomainResult<()> {
        seed::seed(scope, seed).await
    }

    /// A recorded value may move its measures' status between periods.
    async fn on_event(&self, scope: &TenantScope, event: &CoreEvent) -> DomainResult<()> {
        match event {
            CoreEvent::MetricValueRecorded { value, .. } => {
                service::status_changes::on_metric_value(scope, value).await
            }
            _ => Ok(()),
        }
    }

    /// Every scorecard's red, falling, missing and late objectives and
    /// measures of the last closed month.
    async fn exceptions(
        &self,
        scope: &TenantScope,
        window: &ExceptionWindow,
    ) -> DomainResult<Vec<std::sync::Arc<Exception>>> {
        service::exceptions::for_feed(scope, window).await
    }

    /// The measures placed on core metrics, for other frameworks.
    async fn metric_followers(
        &self,
        scope: &TenantScope,
        metrics: &[uuid::Uuid],
    ) -> DomainResult<Vec<MetricFollower>> {
        service::measures::followers(scope, metrics).await
    }

    /// `GET /scorecard/{scorecardId}/strategy-map.svg?period=…&periodKind=…`.
    async fn document(
        &self,
        scope: &TenantScope,
        path: &str,
        params: &DocumentParams,
    ) -> DomainResult<Option<Document>> {
        Ok(service::strategy_maps::document(scope, path, params)
            .await?
            .map(|body| Document {
                content_type: "image/svg+xml; charset=utf-8",
                body,
            }))
    }
}
