//! The cascade: child scorecards' objectives counted in parent objectives.
//! Deleting either objective deletes the contribution.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "scorecard_contributions";

const REFERENCES: &[TenantReference] = &[
    TenantReference::new(
        TABLE,
        "objective_id",
        "scorecard_objectives",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        TABLE,
        "contributor_id",
        "scorecard_objectives",
        ForeignKeyAction::Cascade,
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = tenant_table(TABLE)
            .col(uuid("objective_id"))
            .col(uuid("contributor_id"))
            .col(time("created_at"))
            .to_owned();
        for r in REFERENCES {
            table.foreign_key(&mut fk(r.table, r.column, r.target, r.on_delete));
        }
        manager.create_table(table).await?;
        for statement in [
            index(
                TABLE,
                &["tenant_id", "objective_id", "contributor_id"],
                true,
            ),
            index(TABLE, &["tenant_id", "contributor_id"], false),
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
