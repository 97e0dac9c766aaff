//! The review cadence: review series (weekly, monthly, quarterly) with
//! their participants, meetings generated from the fiscal calendar, each
//! meeting's agenda, attendance, decisions, and action items that live
//! across meetings.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const REFERENCES: &[TenantReference] = &[
    TenantReference::new(
        "review_series",
        "org_unit_id",
        "org_units",
        ForeignKeyAction::Restrict,
    ),
    TenantReference::new(
        "review_series",
        "owner_id",
        "people",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        "review_series",
        "dashboard_id",
        "dashboards",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        "review_participants",
        "series_id",
        "review_series",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "review_participants",
        "person_id",
        "people",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "review_meetings",
        "series_id",
        "review_series",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "review_attendees",
        "meeting_id",
        "review_meetings",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "review_attendees",
        "person_id",
        "people",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "review_agenda_items",
        "meeting_id",
        "review_meetings",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "review_agenda_items",
        "added_by_person_id",
        "people",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        "review_decisions",
        "meeting_id",
        "review_meetings",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "review_decisions",
        "owner_id",
        "people",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        "review_action_items",
        "series_id",
        "review_series",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "review_action_items",
        "meeting_id",
        "review_meetings",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "review_action_items",
        "owner_id",
        "people",
        ForeignKeyAction::SetNull,
    ),
];

/// Tables other tables reference by `(tenant_id, id)`.
const REFERENCED: &[&str] = &["review_series", "review_meetings"];

fn with_foreign_keys(mut table: TableCreateStatement, name: &str) -> TableCreateStatement {
    for reference in REFERENCES.iter().filter(|r| r.table == name) {
        table.foreign_key(&mut fk(
            name,
            reference.column,
            reference.target,
            reference.on_delete,
        ));
    }
    table
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            (
                "review_series",
                versioned(
                    tenant_table("review_series")
                        .col(text("title"))
                        .col(text("cadence"))
                        .col(uuid_null("org_unit_id"))
                        .col(uuid_null("owner_id"))
                        .col(uuid_null("dashboard_id"))
                        .to_owned(),
                ),
            ),
            (
                "review_participants",
                tenant_table("review_participants")
                    .col(uuid("series_id"))
                    .col(uuid("person_id"))
                    .to_owned(),
            ),
            (
                "review_meetings",
                versioned(
                    tenant_table("review_meetings")
                        .col(uuid("series_id"))
                        .col(date("period_start"))
                        .col(date("period_end"))
                        .col(date("scheduled_on"))
                        .col(text("status"))
                        .col(time_null("opened_at"))
                        .col(time_null("held_at"))
                        .to_owned(),
                ),
            ),
            (
                "review_attendees",
                tenant_table("review_attendees")
                    .col(uuid("meeting_id"))
                    .col(uuid("person_id"))
                    .to_owned(),
            ),
            (
                "review_agenda_items",
                tenant_table("review_agenda_items")
                    .col(uuid("meeting_id"))
                    .col(text("kind"))
                    .col(text("title"))
                    .col(text_null("detail"))
                    .col(text_null("subject_type"))
                    .col(uuid_null("subject_id"))
                    .col(int("position"))
                    .col(boolean("covered"))
                    .col(text_null("notes"))
                    .col(uuid_null("added_by_person_id"))
                    .col(uuid_null("carried_from_id"))
                    .col(json_null("snapshot"))
                    .col(time("created_at"))
                    .to_owned(),
            ),
            (
                "review_decisions",
                tenant_table("review_decisions")
                    .col(uuid("meeting_id"))
                    .col(text("text"))
                    .col(uuid_null("owner_id"))
                    .col(text_null("subject_type"))
                    .col(uuid_null("subject_id"))
                    .col(time("created_at"))
                    .to_owned(),
            ),
            (
                "review_action_items",
                versioned(
                    tenant_table("review_action_items")
                        .col(uuid("series_id"))
                        .col(uuid("meeting_id"))
                        .col(text("title"))
                        .col(uuid_null("owner_id"))
                        .col(date_null("due_on"))
                        .col(boolean("done"))
                        .col(time_null("done_at"))
                        .col(text_null("subject_type"))
                        .col(uuid_null("subject_id"))
                        .to_owned(),
                ),
            ),
        ];
        for (name, table) in tables {
            manager.create_table(with_foreign_keys(table, name)).await?;
        }
        for statement in [
            index("review_series", &["tenant_id", "title"], false),
            index(
                "review_participants",
                &["tenant_id", "series_id", "person_id"],
                true,
            ),
            index("review_participants", &["tenant_id", "person_id"], false),
            index(
                "review_meetings",
                &["tenant_id", "series_id", "period_start"],
                true,
            ),
            index(
                "review_attendees",
                &["tenant_id", "meeting_id", "person_id"],
                true,
            ),
            index(
                "review_agenda_items",
                &["tenant_id", "meeting_id", "position"],
                false,
            ),
            index("review_decisions", &["tenant_id", "meeting_id"], false),
            index(
                "review_action_items",
                &["tenant_id", "series_id", "done"],
                false,
            ),
            index(
                "review_action_items",
                &["tenant_id", "owner_id", "done"],
                false,
            ),
            index("review_action_items", &["tenant_id", "due_on"], false),
        ] {
            manager.create_index(statement).await?;
        }
        add_tenant_keys(manager, REFERENCED).await?;
        require_same_tenant(manager, REFERENCES).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        allow_any_tenant(manager, REFERENCES).await?;
        drop_tenant_keys(manager, REFERENCED).await?;
        for table in [
            "review_action_items",
            "review_decisions",
            "review_agenda_items",
            "review_attendees",
            "review_meetings",
            "review_participants",
            "review_series",
        ] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
