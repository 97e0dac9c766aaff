//! Logins are bound to their token's `(issuer, subject)`, never to an
//! e-mail alone: a user may have several (our CLI's and an identity
//! provider's). `users.idp_subject` stays for users who logged in before
//! this table existed; their first login binds it here.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "user_identities";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(name(TABLE))
                    .col(text("issuer"))
                    .col(text("subject"))
                    .col(uuid("user_id"))
                    .col(time("created_at"))
                    .primary_key(Index::create().col(name("issuer")).col(name("subject")))
                    .foreign_key(&mut fk(
                        TABLE,
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(TABLE, &["user_id"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name(TABLE)).to_owned())
            .await
    }
}
