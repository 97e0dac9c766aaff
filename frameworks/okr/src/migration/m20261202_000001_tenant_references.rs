//! References between OKR rows, and from them to the core's, stay inside one
//! tenant in the database too (see `ddl::require_same_tenant`).

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::{
    TenantReference, add_tenant_keys, allow_any_tenant, drop_tenant_keys, require_same_tenant,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

const KEYED: &[&str] = &["okr_cycles", "okr_objectives", "okr_key_results"];

const REFERENCES: &[TenantReference] = &[
    TenantReference::new(
        "okr_cycles",
        "parent_id",
        "okr_cycles",
        ForeignKeyAction::Restrict,
    ),
    TenantReference::new(
        "okr_objectives",
        "cycle_id",
        "okr_cycles",
        ForeignKeyAction::Restrict,
    ),
    TenantReference::new(
        "okr_objectives",
        "owner_id",
        "people",
        ForeignKeyAction::Restrict,
    ),
    TenantReference::new(
        "okr_objectives",
        "org_unit_id",
        "org_units",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        "okr_objective_co_owners",
        "objective_id",
        "okr_objectives",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "okr_objective_co_owners",
        "person_id",
        "people",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "okr_key_results",
        "objective_id",
        "okr_objectives",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "okr_key_results",
        "owner_id",
        "people",
        ForeignKeyAction::Restrict,
    ),
    TenantReference::new(
        "okr_key_results",
        "metric_id",
        "metrics",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        "okr_alignments",
        "objective_id",
        "okr_objectives",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "okr_alignments",
        "parent_objective_id",
        "okr_objectives",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "okr_alignments",
        "parent_key_result_id",
        "okr_key_results",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "okr_alignments",
        "priority_id",
        "strategic_priorities",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "okr_check_ins",
        "key_result_id",
        "okr_key_results",
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
