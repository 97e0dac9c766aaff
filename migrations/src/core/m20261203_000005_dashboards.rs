//! Dashboards of key metrics, for the tenant or an org unit, and the
//! tenant's limit on how many key metrics a dashboard holds.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const REFERENCES: &[TenantReference] = &[
    TenantReference::new(
        "dashboards",
        "org_unit_id",
        "org_units",
        ForeignKeyAction::Restrict,
    ),
    TenantReference::new(
        "dashboards",
        "owner_id",
        "people",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        "dashboard_key_metrics",
        "dashboard_id",
        "dashboards",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "dashboard_key_metrics",
        "metric_id",
        "metrics",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "dashboard_key_metrics",
        "priority_id",
        "strategic_priorities",
        ForeignKeyAction::SetNull,
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(versioned(
                tenant_table("dashboards")
                    .col(text("title"))
                    .col(uuid_null("org_unit_id"))
                    .col(uuid_null("owner_id"))
                    .foreign_key(&mut fk(
                        "dashboards",
                        "org_unit_id",
                        "org_units",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "dashboards",
                        "owner_id",
                        "people",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            ))
            .await?;
        manager
            .create_table(
                tenant_table("dashboard_key_metrics")
                    .col(uuid("dashboard_id"))
                    .col(uuid("metric_id"))
                    .col(uuid_null("priority_id"))
                    .col(int("position"))
                    .foreign_key(&mut fk(
                        "dashboard_key_metrics",
                        "dashboard_id",
                        "dashboards",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "dashboard_key_metrics",
                        "metric_id",
                        "metrics",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "dashboard_key_metrics",
                        "priority_id",
                        "strategic_priorities",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for statement in [
            index("dashboards", &["tenant_id", "title"], false),
            index(
                "dashboard_key_metrics",
                &["tenant_id", "dashboard_id", "metric_id"],
                true,
            ),
        ] {
            manager.create_index(statement).await?;
        }
        add_tenant_keys(manager, &["dashboards"]).await?;
        require_same_tenant(manager, REFERENCES).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name("tenants"))
                    .add_column(int("key_metric_limit").default(7).to_owned())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("tenants"))
                    .drop_column(name("key_metric_limit"))
                    .to_owned(),
            )
            .await?;
        allow_any_tenant(manager, REFERENCES).await?;
        drop_tenant_keys(manager, &["dashboards"]).await?;
        for table in ["dashboard_key_metrics", "dashboards"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
