//! The scorecard migrator, with its own migration table `seaql_migrations_scorecard`.

mod m20261204_000001_scorecard_tables;
mod m20261205_000001_strategy_map_links;
mod m20261205_000002_measure_statuses;
mod m20261205_000003_commentaries;
mod m20261205_000004_initiatives;
mod m20261205_000005_contributions;
mod m20261206_000001_linked_items;
mod m20261206_000002_design_revision;

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261204_000001_scorecard_tables::Migration),
            Box::new(m20261205_000001_strategy_map_links::Migration),
            Box::new(m20261205_000002_measure_statuses::Migration),
            Box::new(m20261205_000003_commentaries::Migration),
            Box::new(m20261205_000004_initiatives::Migration),
            Box::new(m20261205_000005_contributions::Migration),
            Box::new(m20261206_000001_linked_items::Migration),
            Box::new(m20261206_000002_design_revision::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        Alias::new("seaql_migrations_scorecard").into_iden()
    }
}
