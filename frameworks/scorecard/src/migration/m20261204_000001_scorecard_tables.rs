//! The scorecard's tables: perspectives, scorecards (one per org unit),
//! strategic objectives, measures on core metrics, their date-ranged
//! thresholds, and the date-ranged weights of every node's children.
//!
//! A scorecard whose org unit is deleted stays, unattached (the unit's
//! column is cleared), so removing a unit in the directory never loses a
//! scorecard's design.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &[
    "scorecard_perspectives",
    "scorecard_scorecards",
    "scorecard_objectives",
    "scorecard_measures",
];

const REFERENCES: &[TenantReference] = &[
    TenantReference::new(
        "scorecard_scorecards",
        "org_unit_id",
        "org_units",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        "scorecard_objectives",
        "scorecard_id",
        "scorecard_scorecards",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "scorecard_objectives",
        "perspective_id",
        "scorecard_perspectives",
        ForeignKeyAction::Restrict,
    ),
    TenantReference::new(
        "scorecard_objectives",
        "owner_id",
        "people",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        "scorecard_objectives",
        "priority_id",
        "strategic_priorities",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        "scorecard_measures",
        "objective_id",
        "scorecard_objectives",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "scorecard_measures",
        "metric_id",
        "metrics",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "scorecard_thresholds",
        "measure_id",
        "scorecard_measures",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "scorecard_weights",
        "scorecard_id",
        "scorecard_scorecards",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "scorecard_weights",
        "perspective_id",
        "scorecard_perspectives",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "scorecard_weights",
        "objective_id",
        "scorecard_objectives",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "scorecard_weights",
        "measure_id",
        "scorecard_measures",
        ForeignKeyAction::Cascade,
    ),
];

fn decimal_null(column: &str) -> ColumnDef {
    text_null(column)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let fks = |table: &str, stmt: &mut TableCreateStatement| {
            for r in REFERENCES.iter().filter(|r| r.table == table) {
                stmt.foreign_key(&mut fk(r.table, r.column, r.target, r.on_delete));
            }
        };
        let mut perspectives = versioned(
            tenant_table("scorecard_perspectives")
                .col(text("name"))
                .col(text("colour"))
                .col(int("position"))
                .col(text("status").default("ACTIVE"))
                .to_owned(),
        );
        fks("scorecard_perspectives", &mut perspectives);
        let mut scorecards = versioned(
            tenant_table("scorecard_scorecards")
                .col(text("title"))
                .col(uuid_null("org_unit_id"))
                .to_owned(),
        );
        fks("scorecard_scorecards", &mut scorecards);
        let mut objectives = versioned(
            tenant_table("scorecard_objectives")
                .col(uuid("scorecard_id"))
                .col(uuid("perspective_id"))
                .col(text("title"))
                .col(text_null("description"))
                .col(uuid_null("owner_id"))
                .col(uuid_null("priority_id"))
                .col(text("status").default("ACTIVE"))
                .col(int("position"))
                .to_owned(),
        );
        fks("scorecard_objectives", &mut objectives);
        let mut measures = versioned(
            tenant_table("scorecard_measures")
                .col(uuid("objective_id"))
                .col(uuid("metric_id"))
                .col(text("scoring_type"))
                .col(text("missing_data").default("BLANK"))
                .col(text_null("aggregation"))
                .col(int("position"))
                .to_owned(),
        );
        fks("scorecard_measures", &mut measures);
        let mut thresholds = tenant_table("scorecard_thresholds")
            .col(uuid("measure_id"))
            .col(date_null("valid_from"))
            .col(date_null("valid_to"))
            .col(decimal_null("goal"))
            .col(decimal_null("red_flag"))
            .col(decimal_null("goal_high"))
            .col(decimal_null("red_flag_high"))
            .col(json_null("bands"))
            .col(time("created_at"))
            .to_owned();
        fks("scorecard_thresholds", &mut thresholds);
        let mut weights = tenant_table("scorecard_weights")
            .col(uuid_null("scorecard_id"))
            .col(uuid_null("perspective_id"))
            .col(uuid_null("objective_id"))
            .col(uuid_null("measure_id"))
            .col(text("weight"))
            .col(date_null("valid_from"))
            .col(date_null("valid_to"))
            .col(time("created_at"))
            .to_owned();
        fks("scorecard_weights", &mut weights);
        for table in [
            perspectives,
            scorecards,
            objectives,
            measures,
            thresholds,
            weights,
        ] {
            manager.create_table(table).await?;
        }
        for statement in [
            index("scorecard_perspectives", &["tenant_id", "position"], false),
            index("scorecard_scorecards", &["tenant_id", "org_unit_id"], true),
            index(
                "scorecard_objectives",
                &["tenant_id", "scorecard_id", "position"],
                false,
            ),
            index(
                "scorecard_objectives",
                &["tenant_id", "perspective_id"],
                false,
            ),
            index(
                "scorecard_measures",
                &["tenant_id", "objective_id", "position"],
                false,
            ),
            index("scorecard_measures", &["tenant_id", "metric_id"], false),
            index("scorecard_thresholds", &["tenant_id", "measure_id"], false),
            index("scorecard_weights", &["tenant_id", "scorecard_id"], false),
            index("scorecard_weights", &["tenant_id", "objective_id"], false),
            index("scorecard_weights", &["tenant_id", "measure_id"], false),
        ] {
            manager.create_index(statement).await?;
        }
        add_tenant_keys(manager, TABLES).await?;
        require_same_tenant(manager, REFERENCES).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        allow_any_tenant(manager, REFERENCES).await?;
        for table in [
            "scorecard_weights",
            "scorecard_thresholds",
            "scorecard_measures",
            "scorecard_objectives",
            "scorecard_scorecards",
            "scorecard_perspectives",
        ] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
