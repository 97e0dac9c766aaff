//! A reference between two tenant-owned rows must stay inside one tenant,
//! in the database too: the tenant door makes a cross-tenant write impossible
//! in code, and this makes it impossible for whatever else writes (a script,
//! a future bug). See `ddl::require_same_tenant`.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::{
    TenantReference, add_tenant_keys, allow_any_tenant, drop_tenant_keys, require_same_tenant,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

const KEYED: &[&str] = &["org_units", "people", "strategic_priorities", "metrics"];

const fn reference(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> TenantReference {
    TenantReference {
        table,
        column,
        target,
        on_delete,
    }
}

const REFERENCES: &[TenantReference] = &[
    reference(
        "org_units",
        "parent_id",
        "org_units",
        ForeignKeyAction::Restrict,
    ),
    reference(
        "people",
        "org_unit_id",
        "org_units",
        ForeignKeyAction::Restrict,
    ),
    reference("people", "manager_id", "people", ForeignKeyAction::Restrict),
    reference(
        "memberships",
        "person_id",
        "people",
        ForeignKeyAction::SetNull,
    ),
    reference(
        "strategic_priorities",
        "owner_id",
        "people",
        ForeignKeyAction::SetNull,
    ),
    reference("metrics", "owner_id", "people", ForeignKeyAction::SetNull),
    reference(
        "metrics",
        "org_unit_id",
        "org_units",
        ForeignKeyAction::SetNull,
    ),
    reference(
        "metrics",
        "priority_id",
        "strategic_priorities",
        ForeignKeyAction::SetNull,
    ),
    reference(
        "metric_links",
        "leading_metric_id",
        "metrics",
        ForeignKeyAction::Cascade,
    ),
    reference(
        "metric_links",
        "lagging_metric_id",
        "metrics",
        ForeignKeyAction::Cascade,
    ),
    reference(
        "metric_values",
        "metric_id",
        "metrics",
        ForeignKeyAction::Cascade,
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_tenant_keys(manager, KEYED).await?;
        require_same_tenant(manager, REFERENCES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        allow_any_tenant(manager, REFERENCES).await?;
        drop_tenant_keys(manager, KEYED).await
    }
}
