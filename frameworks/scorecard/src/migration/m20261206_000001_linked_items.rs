//! The cascade down: parent objectives shown on child scorecards and
//! parent measures counted under child objectives, linked rather than
//! copied, in one table so a scorecard's links are one read. Deleting
//! either end deletes the link.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "scorecard_linked_items";

const REFERENCES: &[TenantReference] = &[
    TenantReference::new(
        TABLE,
        "scorecard_id",
        "scorecard_scorecards",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        TABLE,
        "objective_id",
        "scorecard_objectives",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        TABLE,
        "measure_id",
        "scorecard_measures",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        TABLE,
        "in_objective_id",
        "scorecard_objectives",
        ForeignKeyAction::Cascade,
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = tenant_table(TABLE)
            .col(uuid("scorecard_id"))
            .col(uuid_null("objective_id"))
            .col(uuid_null("measure_id"))
            .col(uuid_null("in_objective_id"))
            .col(time("created_at"))
            .to_owned();
        for r in REFERENCES {
            table.foreign_key(&mut fk(r.table, r.column, r.target, r.on_delete));
        }
        manager.create_table(table).await?;
        // NULLs are distinct in a unique index (PostgreSQL and SQLite
        // alike), so each index holds one kind of link.
        for statement in [
            index(TABLE, &["tenant_id", "scorecard_id", "objective_id"], true),
            index(TABLE, &["tenant_id", "in_objective_id", "measure_id"], true),
            index(TABLE, &["tenant_id", "objective_id"], false),
            index(TABLE, &["tenant_id", "measure_id"], false),
        ] {
            manager.create_index(statement).await?;
        }
        require_same_tenant(manager, REFERENCES).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        allow_any_tenant(manager, REFERENCES).await?;
        manager
            .drop_table(Table::drop().table(name(TABLE)).to_owned())
            .await
    }
}
