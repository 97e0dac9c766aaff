//! Acknowledgements of exceptions: who took one on, with a note and an
//! owner for the follow-up, keyed by the exception's occurrence.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "exception_acknowledgements";

const REFERENCES: &[TenantReference] = &[
    TenantReference::new(
        TABLE,
        "follow_up_owner_id",
        "people",
        ForeignKeyAction::SetNull,
    ),
    TenantReference::new(
        TABLE,
        "acknowledged_by_person_id",
        "people",
        ForeignKeyAction::SetNull,
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                tenant_table(TABLE)
                    .col(text("exception_key"))
                    .col(text("kind"))
                    .col(uuid("subject_id"))
                    .col(date("since"))
                    .col(text("severity"))
                    .col(text("note"))
                    .col(uuid_null("follow_up_owner_id"))
                    .col(uuid_null("acknowledged_by_person_id"))
                    .col(uuid_null("acknowledged_by_user_id"))
                    .col(time("acknowledged_at"))
                    .foreign_key(&mut fk(
                        TABLE,
                        "follow_up_owner_id",
                        "people",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        TABLE,
                        "acknowledged_by_person_id",
                        "people",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for statement in [
            index(TABLE, &["tenant_id", "exception_key"], true),
            // The feed reads the acknowledgements of exceptions since a day.
            index(TABLE, &["tenant_id", "since"], false),
        ] {
            manager.create_index(statement).await?;
        }
        require_same_tenant(manager, REFERENCES).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        allow_any_tenant(manager, REFERENCES).await?;
        manager
            .drop_table(Table::drop().table(name(TABLE)).to_owned())
            .await?;
        Ok(())
    }
}
