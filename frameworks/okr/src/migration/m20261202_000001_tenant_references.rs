//! References between OKR rows, and from them to the core's, stay inside one
//! tenant in the database too (see `ddl::require_same_tenant`).

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::{
    TenantReference, add_tenant_keys, allow_any_tenant, drop_tenant_keys, require_same_tenant,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

const KEYED: &[&str] = &["okr_cycles", "okr_objectives", "okr_key_results"];

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
        "okr_cycles",
        "parent_id",
        "okr_cycles",
        ForeignKeyAction::Restrict,
    ),
    reference(
        "okr_objectives",
        "cycle_id",
        "okr_cycles",
        ForeignKeyAction::Restrict,
    ),
    reference(
        "okr_objectives",
        "owner_id",
        "people",
        ForeignKeyAction::Restrict,
    ),
    reference(
        "okr_objectives",
        "org_unit_id",
        "org_units",
        ForeignKeyAction::SetNull,
    ),
    reference(
        "okr_objective_co_owners",
        "objective_id",
        "okr_objectives",
        ForeignKeyAction::Cascade,
    ),
    reference(
        "okr_objective_co_owners",
        "person_id",
        "people",
        ForeignKeyAction::Cascade,
    ),
    reference(
        "okr_key_results",
        "objective_id",
        "okr_objectives",
        ForeignKeyAction::Cascade,
    ),
    reference(
        "okr_key_results",
        "owner_id",
        "people",
        ForeignKeyAction::Restrict,
    ),
    reference(
        "okr_key_results",
        "metric_id",
        "metrics",
        ForeignKeyAction::SetNull,
    ),
    reference(
        "okr_alignments",
        "objective_id",
        "okr_objectives",
        ForeignKeyAction::Cascade,
    ),
    reference(
        "okr_alignments",
        "parent_objective_id",
        "okr_objectives",
        ForeignKeyAction::Cascade,
    ),
    reference(
        "okr_alignments",
        "parent_key_result_id",
        "okr_key_results",
        ForeignKeyAction::Cascade,
    ),
    reference(
        "okr_alignments",
        "priority_id",
        "strategic_priorities",
        ForeignKeyAction::Cascade,
    ),
    reference(
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
