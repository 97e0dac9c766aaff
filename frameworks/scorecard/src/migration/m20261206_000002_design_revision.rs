//! Every scorecard row carries the revision of the tenant's scorecard
//! designs, bumped by each design write in its own transaction, so a
//! design read once can be kept across requests (and processes) while
//! nothing it was read from has moved.

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
                    .table(name("scorecard_scorecards"))
                    .add_column(big_int("design_revision").default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("scorecard_scorecards"))
                    .drop_column(name("design_revision"))
                    .to_owned(),
            )
            .await
    }
}
