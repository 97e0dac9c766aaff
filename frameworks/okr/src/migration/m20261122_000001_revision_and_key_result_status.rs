//! A revision on cycles, bumped by every write that moves one of the cycle's
//! figures (so scores can be cached across requests and processes), and a
//! status on key results (close and archive them like objectives).

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(name("okr_cycles"))
                    .add_column(
                        ColumnDef::new(name("scores_revision"))
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name("okr_key_results"))
                    .add_column(text("status").default("ACTIVE"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("okr_key_results"))
                    .drop_column(name("status"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name("okr_cycles"))
                    .drop_column(name("scores_revision"))
                    .to_owned(),
            )
            .await
    }
}
