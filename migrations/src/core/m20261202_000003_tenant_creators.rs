//! Creating tenants is an instance-wide capability (consultants, instance
//! operators), granted per user by the operator, not a tenant role: a
//! client's admin must not be able to create tenants without end.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("users"))
                    .add_column(boolean("may_create_tenants").default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("users"))
                    .drop_column(name("may_create_tenants"))
                    .to_owned(),
            )
            .await
    }
}
