//! Action items reaching their due date are announced once
//! (`review_action_item.due`): the due date announced is kept with the item,
//! so moving the date arms the reminder again and a second server process
//! never announces the same date twice.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "review_action_items";
const INDEX: &str = "idx_review_action_items_open_due";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name(TABLE))
                    .add_column(date_null("due_announced_for"))
                    .to_owned(),
            )
            .await?;
        // The reminder sweep looks across tenants for open items due by today.
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(name(TABLE))
                    .col(name("done"))
                    .col(name("due_on"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(name(TABLE)).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name(TABLE))
                    .drop_column(name("due_announced_for"))
                    .to_owned(),
            )
            .await
    }
}
