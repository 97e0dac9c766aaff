//! The OKR tables. Foreign keys to core tables keep references honest;
//! indexes lead with `tenant_id`.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &[
    "okr_cycles",
    "okr_objectives",
    "okr_objective_co_owners",
    "okr_key_results",
    "okr_alignments",
    "okr_check_ins",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            versioned(
                tenant_table("okr_cycles")
                    .col(text("name"))
                    .col(date("starts_on"))
                    .col(date("ends_on"))
                    .col(text("status"))
                    .col(uuid_null("parent_id"))
                    .col(text_null("closing_note"))
                    .col(
                        ColumnDef::new(name("closed_at"))
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut fk(
                        "okr_cycles",
                        "parent_id",
                        "okr_cycles",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ),
            versioned(
                tenant_table("okr_objectives")
                    .col(uuid("cycle_id"))
                    .col(text("title"))
                    .col(text_null("description"))
                    .col(text("level"))
                    .col(uuid("owner_id"))
                    .col(uuid_null("org_unit_id"))
                    .col(text("status"))
                    .col(boolean("private").default(false))
                    .col(text("weight"))
                    .col(text("progress_driver"))
                    .col(text_null("grade"))
                    .col(text_null("closing_note"))
                    .foreign_key(&mut fk(
                        "okr_objectives",
                        "cycle_id",
                        "okr_cycles",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "okr_objectives",
                        "owner_id",
                        "people",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "okr_objectives",
                        "org_unit_id",
                        "org_units",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            ),
            Table::create()
                .table(name("okr_objective_co_owners"))
                .col(uuid("objective_id"))
                .col(uuid("person_id"))
                .col(uuid("tenant_id"))
                .primary_key(
                    Index::create()
                        .col(name("objective_id"))
                        .col(name("person_id")),
                )
                .foreign_key(&mut fk(
                    "okr_objective_co_owners",
                    "objective_id",
                    "okr_objectives",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "okr_objective_co_owners",
                    "person_id",
                    "people",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "okr_objective_co_owners",
                    "tenant_id",
                    "tenants",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
            versioned(
                tenant_table("okr_key_results")
                    .col(uuid("objective_id"))
                    .col(text("title"))
                    .col(uuid("owner_id"))
                    .col(text("target_kind"))
                    .col(text_null("start_value"))
                    .col(text_null("target_value"))
                    .col(text_null("lower_value"))
                    .col(text_null("upper_value"))
                    .col(text_null("unit"))
                    .col(text("weight"))
                    .col(text_null("current_value"))
                    .col(uuid_null("metric_id"))
                    .col(text_null("grade"))
                    .col(uuid_null("last_check_in_id"))
                    .col(date_null("last_check_in_on"))
                    .col(text_null("last_stated_status"))
                    .foreign_key(&mut fk(
                        "okr_key_results",
                        "objective_id",
                        "okr_objectives",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "okr_key_results",
                        "owner_id",
                        "people",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "okr_key_results",
                        "metric_id",
                        "metrics",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            ),
            tenant_table("okr_alignments")
                .col(uuid("objective_id"))
                .col(uuid_null("parent_objective_id"))
                .col(uuid_null("parent_key_result_id"))
                .col(uuid_null("priority_id"))
                .col(time("created_at"))
                .foreign_key(&mut fk(
                    "okr_alignments",
                    "objective_id",
                    "okr_objectives",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "okr_alignments",
                    "parent_objective_id",
                    "okr_objectives",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "okr_alignments",
                    "parent_key_result_id",
                    "okr_key_results",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "okr_alignments",
                    "priority_id",
                    "strategic_priorities",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
            tenant_table("okr_check_ins")
                .col(uuid("key_result_id"))
                .col(text("value"))
                .col(text_null("value_before"))
                .col(text("progress_before"))
                .col(text("progress_after"))
                .col(ColumnDef::new(name("confidence")).integer().null())
                .col(text_null("stated_status"))
                .col(text("derived_status"))
                .col(text_null("note"))
                .col(uuid_null("author_user_id"))
                .col(uuid_null("author_person_id"))
                .col(date("as_of"))
                .col(text("source"))
                .col(boolean("late").default(false))
                .col(time("created_at"))
                .foreign_key(&mut fk(
                    "okr_check_ins",
                    "key_result_id",
                    "okr_key_results",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        ];
        for table in tables {
            manager.create_table(table).await?;
        }
        let indexes = [
            index("okr_cycles", &["tenant_id", "starts_on"], false),
            index("okr_cycles", &["tenant_id", "parent_id"], false),
            index("okr_objectives", &["tenant_id", "cycle_id"], false),
            index("okr_objectives", &["tenant_id", "owner_id"], false),
            index("okr_objectives", &["tenant_id", "org_unit_id"], false),
            index("okr_objectives", &["tenant_id", "updated_at"], false),
            index(
                "okr_objective_co_owners",
                &["tenant_id", "person_id"],
                false,
            ),
            index("okr_key_results", &["tenant_id", "objective_id"], false),
            index("okr_key_results", &["tenant_id", "owner_id"], false),
            index("okr_key_results", &["tenant_id", "metric_id"], false),
            index("okr_key_results", &["tenant_id", "updated_at"], false),
            index("okr_alignments", &["tenant_id", "objective_id"], false),
            index(
                "okr_alignments",
                &["tenant_id", "parent_objective_id"],
                false,
            ),
            index(
                "okr_alignments",
                &["tenant_id", "parent_key_result_id"],
                false,
            ),
            index("okr_alignments", &["tenant_id", "priority_id"], false),
            index(
                "okr_check_ins",
                &["tenant_id", "key_result_id", "as_of"],
                false,
            ),
        ];
        for stmt in indexes {
            manager.create_index(stmt).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
