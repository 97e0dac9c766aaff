//! The OKR migrator, with its own migration table `seaql_migrations_okr`.

mod m20261121_000001_okr_tables;
mod m20261122_000001_revision_and_key_result_status;
mod m20261202_000001_tenant_references;
mod m20261202_000002_key_result_dates_and_grading;
mod m20261202_000003_objectives_by_title;

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_okr_tables::Migration),
            Box::new(m20261122_000001_revision_and_key_result_status::Migration),
            Box::new(m20261202_000001_tenant_references::Migration),
            Box::new(m20261202_000002_key_result_dates_and_grading::Migration),
            Box::new(m20261202_000003_objectives_by_title::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        Alias::new("seaql_migrations_okr").into_iden()
    }
}
