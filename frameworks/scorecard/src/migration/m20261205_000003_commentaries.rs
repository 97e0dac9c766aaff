//! Per-period commentary on objectives and measures. Deleting the
//! objective or measure deletes its commentary (the audit log keeps it).

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "scorecard_commentaries";

const REFERENCES: &[TenantReference] = &[
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
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = versioned(
            tenant_table(TABLE)
                .col(uuid_null("objective_id"))
                .col(uuid_null("measure_id"))
                .col(text("period_kind"))
                .col(date("period_start"))
                .col(text("analysis"))
                .col(text_null("recommendations"))
                .col(uuid_null("author_person_id"))
                .col(uuid_null("author_user_id"))
                .to_owned(),
        );
        for r in REFERENCES {
            table.foreign_key(&mut fk(r.table, r.column, r.target, r.on_delete));
        }
        manager.create_table(table).await?;
        for statement in [
            index(
                TABLE,
                &["tenant_id", "objective_id", "period_kind", "period_start"],
                true,
            ),
            index(
                TABLE,
                &["tenant_id", "measure_id", "period_kind", "period_start"],
                true,
            ),
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
