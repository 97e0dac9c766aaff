//! The core's migrations (migration table `seaql_migrations`).

mod m20261121_000001_core_tables;
mod m20261202_000001_event_delivery_failures;
mod m20261202_000002_user_identities;
mod m20261202_000003_tenant_creators;
mod m20261202_000004_tenant_references;
mod m20261203_000001_directory_sync;
mod m20261203_000002_change_feed;
mod m20261203_000003_service_accounts;
mod m20261203_000004_metric_targets;
mod m20261203_000005_dashboards;
mod m20261203_000006_exception_acknowledgements;
mod m20261203_000007_reviews;
mod m20261203_000008_action_item_reminders;

use sea_orm_migration::prelude::*;

pub struct CoreMigrator;

#[async_trait::async_trait]
impl MigratorTrait for CoreMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_core_tables::Migration),
            Box::new(m20261202_000001_event_delivery_failures::Migration),
            Box::new(m20261202_000002_user_identities::Migration),
            Box::new(m20261202_000003_tenant_creators::Migration),
            Box::new(m20261202_000004_tenant_references::Migration),
            Box::new(m20261203_000001_directory_sync::Migration),
            Box::new(m20261203_000002_change_feed::Migration),
            Box::new(m20261203_000003_service_accounts::Migration),
            Box::new(m20261203_000004_metric_targets::Migration),
            Box::new(m20261203_000005_dashboards::Migration),
            Box::new(m20261203_000006_exception_acknowledgements::Migration),
            Box::new(m20261203_000007_reviews::Migration),
            Box::new(m20261203_000008_action_item_reminders::Migration),
        ]
    }
}
