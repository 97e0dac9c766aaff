//! HRIS sync: the keys people and org units have in each source system
//! (with the references a source named that did not resolve yet), stored
//! results of idempotent requests, and the tenant's sync limits.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const REFERENCES: &[TenantReference] = &[
    TenantReference::new(
        "person_external_ids",
        "person_id",
        "people",
        ForeignKeyAction::Cascade,
    ),
    TenantReference::new(
        "org_unit_external_ids",
        "org_unit_id",
        "org_units",
        ForeignKeyAction::Cascade,
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                tenant_table("person_external_ids")
                    .col(uuid("person_id"))
                    .col(text("source"))
                    .col(text("external_id"))
                    .col(text_null("employee_number"))
                    // A reference the source named that matched nobody yet:
                    // resolved by the sync that brings it.
                    .col(text_null("pending_manager_external_id"))
                    .col(text_null("pending_org_unit_external_id"))
                    .col(time_null("source_updated_at"))
                    // The snapshot that last listed this key (FULL_SNAPSHOT
                    // in several parts deactivates the keys its last part
                    // finds unlisted).
                    .col(text_null("seen_in_snapshot"))
                    .col(time("created_at"))
                    .col(time("updated_at"))
                    .foreign_key(&mut fk(
                        "person_external_ids",
                        "person_id",
                        "people",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_table("org_unit_external_ids")
                    .col(uuid("org_unit_id"))
                    .col(text("source"))
                    .col(text("external_id"))
                    .col(text_null("pending_parent_external_id"))
                    .col(text_null("pending_head_external_id"))
                    .col(time_null("source_updated_at"))
                    .col(time("created_at"))
                    .col(time("updated_at"))
                    .foreign_key(&mut fk(
                        "org_unit_external_ids",
                        "org_unit_id",
                        "org_units",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_table("idempotency_keys")
                    // Whose key it is: a user's id, or `system`.
                    .col(text("owner"))
                    .col(text("key"))
                    .col(text("request_hash"))
                    .col(text("state"))
                    .col(json_null("response"))
                    .col(time("created_at"))
                    .col(time("expires_at"))
                    .to_owned(),
            )
            .await?;
        for statement in [
            index(
                "person_external_ids",
                &["tenant_id", "source", "external_id"],
                true,
            ),
            index(
                "person_external_ids",
                &["tenant_id", "person_id", "source"],
                true,
            ),
            index(
                "org_unit_external_ids",
                &["tenant_id", "source", "external_id"],
                true,
            ),
            index(
                "org_unit_external_ids",
                &["tenant_id", "org_unit_id", "source"],
                true,
            ),
            index("idempotency_keys", &["tenant_id", "owner", "key"], true),
            index("idempotency_keys", &["tenant_id", "expires_at"], false),
        ] {
            manager.create_index(statement).await?;
        }
        require_same_tenant(manager, REFERENCES).await?;
        for column in [
            int("sync_batch_limit").default(5000).to_owned(),
            int("sync_deactivation_limit_percent")
                .default(20)
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("tenants"))
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["sync_batch_limit", "sync_deactivation_limit_percent"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("tenants"))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        allow_any_tenant(manager, REFERENCES).await?;
        for table in [
            "idempotency_keys",
            "org_unit_external_ids",
            "person_external_ids",
        ] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
