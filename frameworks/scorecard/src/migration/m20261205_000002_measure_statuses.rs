//! The status each measure was last judged to have per period, for
//! announcing status changes once. Deleting the measure deletes them.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const REFERENCES: &[TenantReference] = &[TenantReference::new(
    "scorecard_measure_statuses",
    "measure_id",
    "scorecard_measures",
    ForeignKeyAction::Cascade,
)];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut statuses = tenant_table("scorecard_measure_statuses")
            .col(uuid("measure_id"))
            .col(text("period_kind"))
            .col(date("period_start"))
            .col(text("status"))
            .col(text_null("score"))
            .col(time("judged_at"))
            .to_owned();
        for r in REFERENCES {
            statuses.foreign_key(&mut fk(r.table, r.column, r.target, r.on_delete));
        }
        manager.create_table(statuses).await?;
        manager
            .create_index(index(
                "scorecard_measure_statuses",
                &["tenant_id", "measure_id", "period_kind", "period_start"],
                true,
            ))
            .await?;
        require_same_tenant(manager, REFERENCES).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        allow_any_tenant(manager, REFERENCES).await?;
        manager
            .drop_table(
                Table::drop()
                    .table(name("scorecard_measure_statuses"))
                    .to_owned(),
            )
            .await
    }
}
