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

use sea_orm::{DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use throughline_domain::framework::{Framework, FrameworkRoots, MigrationState, MigrationStep};
use throughline_domain::{DomainResult, TenantScope};

pub use graphql::{OkrMutationRoot, OkrQueryRoot, OkrSubscriptionRoot};

/// Stored per tenant.
pub const KEY: &str = "okr";

/// The OKR framework, for the registry.
pub struct Okr;

#[async_trait::async_trait]
impl Framework for Okr {
    fn key(&self) -> &'static str {
        KEY
    }

    fn name(&self) -> &'static str {
        "OKRs"
    }

    fn roots(&self) -> FrameworkRoots {
        FrameworkRoots {
            query: Some("okr"),
            mutation: Some("okr"),
            subscriptions: &["okrCheckInRecorded"],
        }
    }

    fn default_settings(&self) -> serde_json::Value {
        #[allow(clippy::expect_used, reason = "a plain struct of numbers and strings")]
        serde_json::to_value(settings::OkrSettings::default()).expect("settings serialise")
    }

    fn validate_settings(&self, raw: &serde_json::Value) -> DomainResult<serde_json::Value> {
        settings::validate(raw)
    }

    async fn migrate(&self, db: &DatabaseConnection, step: MigrationStep) -> Result<(), DbErr> {
        match step {
            MigrationStep::Up => migration::Migrator::up(db, None).await,
            MigrationStep::Down => migration::Migrator::down(db, None).await,
        }
    }

    async fn migration_status(
        &self,
        db: &DatabaseConnection,
    ) -> Result<Vec<MigrationState>, DbErr> {
        Ok(migration::Migrator::get_migration_with_status(db)
            .await?
            .into_iter()
            .map(|m| MigrationState {
                name: m.name().to_string(),
                applied: m.status() == sea_orm_migration::MigrationStatus::Applied,
            })
            .collect())
    }

    async fn seed(&self, scope: &TenantScope, seed: u64) -> DomainResult<()> {
        seed::seed(scope, seed).await
    }

    /// A metric value updates the key results linked to its metric. A person
    /// deactivated needs nothing here: their objectives stay, and queries flag
    /// them `ownerInactive` for reassignment.
    async fn on_event(
        &self,
        scope: &TenantScope,
        event: &throughline_domain::events::DomainEvent,
    ) -> DomainResult<()> {
        match event.kind.as_str() {
            "metric_value.recorded" | "metric_value.replaced" => {
                service::metric_link::on_metric_value(scope, event).await
            }
            _ => Ok(()),
        }
    }
}
