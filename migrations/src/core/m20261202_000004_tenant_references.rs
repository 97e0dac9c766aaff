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

const REFERENCES: &[TenantReference] = &[
    TenantReference::new(
        "org_units",
        "parent_id",
        "org_units",
        ForeignKeyAction::Restrict,
    ),
    TenantReference::new(
        "people",
        "org_unit_id",
        "org_units",
        ForeignKeyAction::Restrict,
    ),
    TenantReference::new("people", "manager_id", "people", ForeignKeyAction::Restrict),
    TenantReference::new(
        "memberships",
        "person_id",
        "people",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        "strategic_priorities",
        "owner_id",
        "people",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new("metrics", "owner_id", "people", ForeignKeyAction::SetNull),
    TenantReference::new(
        "metrics",
        "org_unit_id",
        "org_units",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        "metrics",
        "priority_id",
        "strategic_priorities",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        "metric_links",
        "leading_metric_id",
        "metrics",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "metric_links",
        "lagging_metric_id",
        "metrics",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
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
