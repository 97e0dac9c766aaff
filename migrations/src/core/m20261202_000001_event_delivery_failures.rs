//! Failed deliveries of an event to a framework's handler: retried with
//! backoff, parked after a few tries, visible to the tenant's admins. The
//! event itself is marked dispatched, so one failing handler never holds
//! back later events, other frameworks or other tenants.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "event_delivery_failures";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                tenant_table(TABLE)
                    .col(big_int("event_seq"))
                    .col(uuid("event_id"))
                    .col(text("event_kind"))
                    .col(text("framework_key"))
                    .col(int("attempts"))
                    .col(text("last_error"))
                    .col(time("next_attempt_at"))
                    .col(time_null("parked_at"))
                    .col(time("created_at"))
                    .col(time("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(TABLE, &["event_id", "framework_key"], true))
            .await?;
        manager
            .create_index(index(TABLE, &["tenant_id", "id"], false))
            .await?;
        // The dispatcher's question: what is due for a retry?
        manager
            .create_index(index(TABLE, &["parked_at", "next_attempt_at"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name(TABLE)).to_owned())
            .await
    }
}
