//! Targets of core metrics, each valid over a date range and optionally for
//! one org unit, with an optional warning margin.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const REFERENCES: &[TenantReference] = &[
    TenantReference::new(
        "metric_targets",
        "metric_id",
        "metrics",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "metric_targets",
        "org_unit_id",
        "org_units",
        ForeignKeyAction::Cascade,
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(versioned(
                tenant_table("metric_targets")
                    .col(uuid("metric_id"))
                    .col(uuid_null("org_unit_id"))
                    .col(date("valid_from"))
                    .col(date_null("valid_to"))
                    // The shared `Target`, its decimals as canonical text
                    // (as key results keep theirs).
                    .col(text("target_kind"))
                    .col(text_null("start_value"))
                    .col(text_null("target_value"))
                    .col(text_null("lower_value"))
                    .col(text_null("upper_value"))
                    .col(text_null("warning_margin"))
                    .foreign_key(&mut fk(
                        "metric_targets",
                        "metric_id",
                        "metrics",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "metric_targets",
                        "org_unit_id",
                        "org_units",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            ))
            .await?;
        manager
            .create_index(index(
                "metric_targets",
                &["tenant_id", "metric_id", "valid_from"],
                false,
            ))
            .await?;
        require_same_tenant(manager, REFERENCES).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        allow_any_tenant(manager, REFERENCES).await?;
        manager
            .drop_table(Table::drop().table(name("metric_targets")).to_owned())
            .await?;
        Ok(())
    }
}
