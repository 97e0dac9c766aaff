//! Service accounts (an HRIS sync, a BI feed) with hashed long-lived tokens,
//! and the tenant's rate limits.

use sea_orm_migration::prelude::*;
use throughline_domain::ddl::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const REFERENCES: &[TenantReference] = &[TenantReference::new(
    "service_account_tokens",
    "service_account_id",
    "service_accounts",
    ForeignKeyAction::Cascade,
)];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                tenant_table("service_accounts")
                    .col(uuid("user_id"))
                    .col(text("name"))
                    .col(text("role"))
                    .col(text("scopes"))
                    .col(int_null("rate_limit_per_minute"))
                    .col(uuid_null("created_by_user_id"))
                    .col(time("created_at"))
                    .col(time("updated_at"))
                    .col(time_null("revoked_at"))
                    .foreign_key(&mut fk(
                        "service_accounts",
                        "user_id",
                        "users",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_table("service_account_tokens")
                    .col(uuid("service_account_id"))
                    .col(text("secret_hash"))
                    .col(text("hint"))
                    .col(time("created_at"))
                    .col(time_null("expires_at"))
                    .col(time_null("revoked_at"))
                    .col(time_null("last_used_at"))
                    .foreign_key(&mut fk(
                        "service_account_tokens",
                        "service_account_id",
                        "service_accounts",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for statement in [
            // Sign-in finds a token by its hash before it knows the tenant.
            index("service_account_tokens", &["secret_hash"], true),
            index(
                "service_account_tokens",
                &["tenant_id", "service_account_id"],
                false,
            ),
            index("service_accounts", &["tenant_id", "name"], false),
            index("service_accounts", &["user_id"], true),
        ] {
            manager.create_index(statement).await?;
        }
        add_tenant_keys(manager, &["service_accounts"]).await?;
        require_same_tenant(manager, REFERENCES).await?;
        for column in [
            int("rate_limit_per_minute").default(120_000).to_owned(),
            int("client_rate_limit_per_minute")
                .default(60_000)
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
        for column in ["rate_limit_per_minute", "client_rate_limit_per_minute"] {
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
        drop_tenant_keys(manager, &["service_accounts"]).await?;
        for table in ["service_account_tokens", "service_accounts"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
