//! Key results get their own start and due dates (a key result added mid-cycle
//! is judged from its start, not the cycle's) and may take their progress
//! from the objectives aligned to them, and objectives keep their
//! grading as facts: when and by whom graded, and the owner's self-score with
//! its confirmation. Who did it is a person, as a check-in's author is: a
//! record of a fact, null-safe if that person is later deleted.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const KEY_RESULT_COLUMNS: &[&str] = &["starts_on", "due_on"];

const OBJECTIVE_COLUMNS: &[&str] = &[
    "graded_at",
    "graded_by_person_id",
    "self_score",
    "self_score_note",
    "self_scored_at",
    "self_scored_by_person_id",
    "self_score_confirmed_at",
    "self_score_confirmed_by_person_id",
];

fn objective_column(column: &str) -> ColumnDef {
    match column {
        "graded_by_person_id"
        | "self_scored_by_person_id"
        | "self_score_confirmed_by_person_id" => uuid_null(column),
        "self_score" | "self_score_note" => text_null(column),
        _ => time_null(column),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        for column in KEY_RESULT_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("okr_key_results"))
                        .add_column(date_null(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(name("okr_key_results"))
                    .add_column(text("progress_source").default("TARGET"))
                    .to_owned(),
            )
            .await?;
        // Key results that exist were judged from their cycle's start: keep
        // that, so no figure moves with the upgrade.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE okr_key_results SET starts_on = (SELECT c.starts_on FROM okr_objectives o \
                 JOIN okr_cycles c ON c.id = o.cycle_id WHERE o.id = okr_key_results.objective_id)",
            )
            .await?;
        for column in OBJECTIVE_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("okr_objectives"))
                        .add_column(objective_column(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in OBJECTIVE_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("okr_objectives"))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        for column in KEY_RESULT_COLUMNS.iter().chain(&["progress_source"]) {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("okr_key_results"))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
