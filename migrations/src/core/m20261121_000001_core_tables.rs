//! The core tables. Every tenant-owned table leads its indexes with
//! `tenant_id`, so lookups stay tenant-local (and Citus could shard by it).

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &[
    "tenants",
    "tenant_frameworks",
    "users",
    "org_units",
    "people",
    "memberships",
    "strategic_priorities",
    "metrics",
    "metric_links",
    "metric_values",
    "audit_entries",
    "outbox_events",
    "instance_settings",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            versioned(
                Table::create()
                    .table(name("tenants"))
                    .col(uuid("id").primary_key())
                    .col(text("slug").unique_key())
                    .col(text("name"))
                    .col(int("fiscal_year_start_month").default(1))
                    .col(text("time_zone").default("UTC"))
                    .col(int("priority_limit").default(5))
                    .to_owned(),
            ),
            Table::create()
                .table(name("tenant_frameworks"))
                .col(uuid("tenant_id"))
                .col(text("framework_key"))
                .col(
                    ColumnDef::new(name("enabled"))
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .col(json("settings"))
                .col(time("updated_at"))
                .col(int("version").default(1))
                .primary_key(
                    Index::create()
                        .col(name("tenant_id"))
                        .col(name("framework_key")),
                )
                .foreign_key(&mut fk(
                    "tenant_frameworks",
                    "tenant_id",
                    "tenants",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
            Table::create()
                .table(name("users"))
                .col(uuid("id").primary_key())
                .col(text("email").unique_key())
                .col(text("display_name"))
                .col(text_null("idp_subject").unique_key())
                .col(time("created_at"))
                .to_owned(),
            versioned(
                tenant_table("org_units")
                    .col(text("name"))
                    .col(uuid_null("parent_id"))
                    .col(uuid_null("head_person_id"))
                    .col(text_null("external_id"))
                    .foreign_key(&mut fk(
                        "org_units",
                        "parent_id",
                        "org_units",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ),
            versioned(
                tenant_table("people")
                    .col(text("name"))
                    .col(text_null("email"))
                    .col(text_null("title"))
                    .col(uuid_null("org_unit_id"))
                    .col(uuid_null("manager_id"))
                    .col(text("status").default("ACTIVE"))
                    .col(date_null("start_date"))
                    .col(date_null("end_date"))
                    .col(text_null("external_id"))
                    .foreign_key(&mut fk(
                        "people",
                        "org_unit_id",
                        "org_units",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "people",
                        "manager_id",
                        "people",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ),
            Table::create()
                .table(name("memberships"))
                .col(uuid("tenant_id"))
                .col(uuid("user_id"))
                .col(text("role"))
                .col(uuid_null("person_id"))
                .col(time("created_at"))
                .primary_key(Index::create().col(name("tenant_id")).col(name("user_id")))
                .foreign_key(&mut fk(
                    "memberships",
                    "tenant_id",
                    "tenants",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "memberships",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "memberships",
                    "person_id",
                    "people",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
            versioned(
                tenant_table("strategic_priorities")
                    .col(text("title"))
                    .col(text_null("description"))
                    .col(uuid_null("owner_id"))
                    .col(int("position"))
                    .foreign_key(&mut fk(
                        "strategic_priorities",
                        "owner_id",
                        "people",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            ),
            versioned(
                tenant_table("metrics")
                    .col(text("name"))
                    .col(text_null("description"))
                    .col(text_null("unit"))
                    .col(text("direction"))
                    .col(text("indicator_kind"))
                    .col(text("frequency"))
                    .col(text("aggregation"))
                    .col(uuid_null("owner_id"))
                    .col(uuid_null("org_unit_id"))
                    .col(uuid_null("priority_id"))
                    .foreign_key(&mut fk(
                        "metrics",
                        "owner_id",
                        "people",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "metrics",
                        "org_unit_id",
                        "org_units",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "metrics",
                        "priority_id",
                        "strategic_priorities",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            ),
            Table::create()
                .table(name("metric_links"))
                .col(uuid("leading_metric_id"))
                .col(uuid("lagging_metric_id"))
                .col(uuid("tenant_id"))
                .col(time("created_at"))
                .primary_key(
                    Index::create()
                        .col(name("leading_metric_id"))
                        .col(name("lagging_metric_id")),
                )
                .foreign_key(&mut fk(
                    "metric_links",
                    "tenant_id",
                    "tenants",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "metric_links",
                    "leading_metric_id",
                    "metrics",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "metric_links",
                    "lagging_metric_id",
                    "metrics",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
            tenant_table("metric_values")
                .col(uuid("metric_id"))
                .col(ColumnDef::new(name("period_start")).date().not_null())
                .col(text("value"))
                .col(text("source"))
                .col(uuid_null("recorded_by"))
                .col(time("recorded_at"))
                .foreign_key(&mut fk(
                    "metric_values",
                    "metric_id",
                    "metrics",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
            tenant_table("audit_entries")
                .col(uuid_null("actor_user_id"))
                .col(text("action"))
                .col(text("entity_type"))
                .col(uuid("entity_id"))
                .col(json_null("before"))
                .col(json_null("after"))
                .col(time("occurred_at"))
                .to_owned(),
            Table::create()
                .table(name("outbox_events"))
                .col(
                    ColumnDef::new(name("seq"))
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(uuid("id").unique_key())
                .col(uuid("tenant_id"))
                .col(text("kind"))
                .col(text("entity_type"))
                .col(uuid("entity_id"))
                .col(uuid_null("actor_user_id"))
                .col(json("payload"))
                .col(time("occurred_at"))
                .col(
                    ColumnDef::new(name("dispatched_at"))
                        .timestamp_with_time_zone()
                        .null(),
                )
                .foreign_key(&mut fk(
                    "outbox_events",
                    "tenant_id",
                    "tenants",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
            Table::create()
                .table(name("instance_settings"))
                .col(text("key").primary_key())
                .col(text("value"))
                .col(time("created_at"))
                .to_owned(),
        ];
        for table in tables {
            manager.create_table(table).await?;
        }
        let indexes = [
            index("memberships", &["user_id"], false),
            index("memberships", &["person_id"], false),
            index("org_units", &["tenant_id", "parent_id"], false),
            index("org_units", &["tenant_id", "name"], false),
            index("org_units", &["tenant_id", "external_id"], true),
            index("org_units", &["tenant_id", "head_person_id"], false),
            index("org_units", &["tenant_id", "updated_at"], false),
            index("people", &["tenant_id", "manager_id"], false),
            index("people", &["tenant_id", "org_unit_id"], false),
            index("people", &["tenant_id", "name"], false),
            index("people", &["tenant_id", "email"], true),
            index("people", &["tenant_id", "external_id"], true),
            index("people", &["tenant_id", "updated_at"], false),
            index("strategic_priorities", &["tenant_id", "position"], false),
            index("strategic_priorities", &["tenant_id", "owner_id"], false),
            index("metrics", &["tenant_id", "name"], false),
            index("metrics", &["tenant_id", "priority_id"], false),
            index("metrics", &["tenant_id", "org_unit_id"], false),
            index("metrics", &["tenant_id", "owner_id"], false),
            index("metrics", &["tenant_id", "updated_at"], false),
            index("metric_links", &["tenant_id", "lagging_metric_id"], false),
            index(
                "metric_values",
                &["tenant_id", "metric_id", "period_start"],
                true,
            ),
            index("metric_values", &["metric_id"], false),
            index("audit_entries", &["tenant_id", "entity_id"], false),
            index("audit_entries", &["tenant_id", "occurred_at"], false),
            index("audit_entries", &["tenant_id", "actor_user_id"], false),
            index("outbox_events", &["dispatched_at", "seq"], false),
            index("outbox_events", &["tenant_id", "seq"], false),
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
