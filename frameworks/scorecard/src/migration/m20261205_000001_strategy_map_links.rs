//! The strategy map's cause → effect links between a scorecard's
//! objectives. Deleting either objective (or the scorecard) deletes its
//! links; a pair is linked at most once.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const REFERENCES: &[TenantReference] = &[
    TenantReference::new(
        "scorecard_links",
        "scorecard_id",
        "scorecard_scorecards",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "scorecard_links",
        "cause_id",
        "scorecard_objectives",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "scorecard_links",
        "effect_id",
        "scorecard_objectives",
        ForeignKeyAction::Cascade,
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut links = tenant_table("scorecard_links")
            .col(uuid("scorecard_id"))
            .col(uuid("cause_id"))
            .col(uuid("effect_id"))
            .col(time("created_at"))
            .to_owned();
        for r in REFERENCES {
            links.foreign_key(&mut fk(r.table, r.column, r.target, r.on_delete));
        }
        manager.create_table(links).await?;
        for statement in [
            index("scorecard_links", &["tenant_id", "scorecard_id"], false),
            index(
                "scorecard_links",
                &["tenant_id", "cause_id", "effect_id"],
                true,
            ),
            index("scorecard_links", &["tenant_id", "effect_id"], false),
        ] {
            manager.create_index(statement).await?;
        }
        require_same_tenant(manager, REFERENCES).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        allow_any_tenant(manager, REFERENCES).await?;
        manager
            .drop_table(Table::drop().table(name("scorecard_links")).to_owned())
            .await
    }
}
