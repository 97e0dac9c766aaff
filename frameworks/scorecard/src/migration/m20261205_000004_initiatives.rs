//! Initiatives, the objectives they serve, and their milestones. Deleting
//! an initiative deletes its links and milestones; deleting an objective
//! its links; a deleted owner leaves the initiative unowned.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const REFERENCES: &[TenantReference] = &[
    TenantReference::new(
        "scorecard_initiatives",
        "owner_id",
        "people",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        "scorecard_initiative_objectives",
        "initiative_id",
        "scorecard_initiatives",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "scorecard_initiative_objectives",
        "objective_id",
        "scorecard_objectives",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "scorecard_milestones",
        "initiative_id",
        "scorecard_initiatives",
        ForeignKeyAction::Cascade,
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let initiatives = versioned(
            tenant_table("scorecard_initiatives")
                .col(text("title"))
                .col(text_null("description"))
                .col(uuid_null("owner_id"))
                .col(date("starts_on"))
                .col(date("ends_on"))
                .col(text("status"))
                .col(int("percent_complete"))
                .col(text_null("budget"))
                .col(text_null("actual_cost"))
                .col(boolean("counts_toward_score"))
                .to_owned(),
        );
        let links = tenant_table("scorecard_initiative_objectives")
            .col(uuid("initiative_id"))
            .col(uuid("objective_id"))
            .to_owned();
        let milestones = tenant_table("scorecard_milestones")
            .col(uuid("initiative_id"))
            .col(text("title"))
            .col(date("due_on"))
            .col(date_null("done_on"))
            .col(int("position"))
            .to_owned();
        for (table_name, mut table) in [
            ("scorecard_initiatives", initiatives),
            ("scorecard_initiative_objectives", links),
            ("scorecard_milestones", milestones),
        ] {
            for r in REFERENCES.iter().filter(|r| r.table == table_name) {
                table.foreign_key(&mut fk(r.table, r.column, r.target, r.on_delete));
            }
            manager.create_table(table).await?;
        }
        for statement in [
            index("scorecard_initiatives", &["tenant_id", "ends_on"], false),
            index("scorecard_initiatives", &["tenant_id", "owner_id"], false),
            index(
                "scorecard_initiative_objectives",
                &["tenant_id", "initiative_id", "objective_id"],
                true,
            ),
            index(
                "scorecard_initiative_objectives",
                &["tenant_id", "objective_id"],
                false,
            ),
            index(
                "scorecard_milestones",
                &["tenant_id", "initiative_id", "position"],
                false,
            ),
        ] {
            manager.create_index(statement).await?;
        }
        add_tenant_keys(manager, &["scorecard_initiatives"]).await?;
        require_same_tenant(manager, REFERENCES).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        allow_any_tenant(manager, REFERENCES).await?;
        for table in [
            "scorecard_milestones",
            "scorecard_initiative_objectives",
            "scorecard_initiatives",
        ] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
