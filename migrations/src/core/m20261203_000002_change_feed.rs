//! The change feed reads the outbox in an order that never changes behind a
//! reader's cursor. `seq` alone is not such an order on PostgreSQL: it is
//! taken when a row is inserted, and a transaction that took a lower `seq`
//! may commit after one with a higher `seq` was already read. So every event
//! carries its transaction's id, and the feed reads `(txid, seq)` up to the
//! oldest transaction still running: nothing can appear below that later.
//! SQLite runs one writer at a time, so `seq` is commit order there and
//! `txid` stays empty.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            // Existing rows all get this migration's id: they are committed,
            // and keep their `seq` order among themselves.
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE outbox_events ADD COLUMN txid BIGINT DEFAULT (pg_current_xact_id()::text::bigint)",
                )
                .await?;
        } else {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("outbox_events"))
                        .add_column(ColumnDef::new(name("txid")).big_integer().null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(index("outbox_events", &["tenant_id", "txid", "seq"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_outbox_events_tenant_id_txid_seq")
                    .table(name("outbox_events"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name("outbox_events"))
                    .drop_column(name("txid"))
                    .to_owned(),
            )
            .await
    }
}
