//! The tenant itself and the frameworks it has switched on: settings, switches, the settings' JSON Schema, and creating client tenants.

use super::context::request;
use crate::entity::tenant;
use crate::service;
use crate::service::frameworks::SettingsChange;
use async_graphql::{ComplexObject, Context, InputObject, Json, Object, Result, SimpleObject};
use sea_orm::EntityTrait;

/// A client organisation.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Tenant {
    /// Short unique name, used in the `X-Tenant` header.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// The month the fiscal year starts (1 = January).
    pub fiscal_year_start_month: i32,
    /// IANA time zone name.
    pub time_zone: String,
    /// How many strategic priorities the tenant may have.
    pub priority_limit: i32,
    /// The most records one `syncDirectory` may carry.
    pub sync_batch_limit: i32,
    /// The largest share (percent) of a source's active people one full snapshot may deactivate without `force: true`.
    pub sync_deactivation_limit_percent: i32,
    /// Requests per minute for the whole tenant; a `syncDirectory` counts one per record. Past it, `RATE_LIMITED` (HTTP 429 with `Retry-After`).
    pub rate_limit_per_minute: i32,
    /// Requests per minute for each user or service account (a service account may set its own); a `syncDirectory` counts one per record.
    pub client_rate_limit_per_minute: i32,
    /// The most key metrics one dashboard may hold (3 to 12, default 7).
    pub key_metric_limit: i32,
    /// Increases with every change; send it back with updates.
    pub version: i32,
    #[graphql(skip)]
    pub row: tenant::Model,
}

impl From<tenant::Model> for Tenant {
    fn from(t: tenant::Model) -> Self {
        Self {
            slug: t.slug.clone(),
            name: t.name.clone(),
            fiscal_year_start_month: t.fiscal_year_start_month,
            time_zone: t.time_zone.clone(),
            priority_limit: t.priority_limit,
            sync_batch_limit: t.sync_batch_limit,
            sync_deactivation_limit_percent: t.sync_deactivation_limit_percent,
            rate_limit_per_minute: t.rate_limit_per_minute,
            client_rate_limit_per_minute: t.client_rate_limit_per_minute,
            key_metric_limit: t.key_metric_limit,
            version: t.version,
            row: t,
        }
    }
}

#[ComplexObject]
impl Tenant {
    /// Every framework this server has, with the tenant's switch and settings.
    async fn frameworks(&self, ctx: &Context<'_>) -> Result<Vec<TenantFramework>> {
        let request = request(ctx)?;
        // The request's own tenant, or one the viewer just created (the
        // only other tenant a payload can show): read through its own door.
        let scope = if self.row.id == request.scope.tenant_id() {
            request.scope.clone()
        } else {
            request.scope.sibling(self.row.clone())
        };
        let list = service::frameworks::list(&scope, &request.registry).await?;
        Ok(list.into_iter().map(TenantFramework::from).collect())
    }
}

/// A framework compiled into this server, as configured for the tenant.
#[derive(SimpleObject, Clone, Debug)]
pub struct TenantFramework {
    /// Its key, e.g. `okr`.
    pub key: String,
    /// Its name for people.
    pub name: String,
    /// Whether the tenant uses it.
    pub enabled: bool,
    /// Its settings for the tenant, defaults filled in.
    pub settings: Json<serde_json::Value>,
    /// Increases with every change of switch or settings.
    pub version: i32,
}

impl From<service::frameworks::TenantFramework> for TenantFramework {
    fn from(f: service::frameworks::TenantFramework) -> Self {
        Self {
            key: f.key.to_string(),
            name: f.name.to_string(),
            enabled: f.enabled,
            settings: Json(f.settings),
            version: f.version,
        }
    }
}

/// Changes to the tenant's own settings; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateTenantInput {
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// The name.
    pub name: Option<String>,
    /// 1 (January) to 12.
    pub fiscal_year_start_month: Option<i32>,
    /// IANA name, e.g. `Europe/Berlin`.
    pub time_zone: Option<String>,
    /// 1 to 10.
    pub priority_limit: Option<i32>,
    /// 1 to 10,000 records per `syncDirectory`.
    pub sync_batch_limit: Option<i32>,
    /// 0 to 100: the share of a source's active people one full snapshot may deactivate without `force: true`.
    pub sync_deactivation_limit_percent: Option<i32>,
    /// 60 to 10,000,000 requests (and sync records) per minute for the whole tenant.
    pub rate_limit_per_minute: Option<i32>,
    /// 60 to 10,000,000 requests (and sync records) per minute for each user or service account.
    pub client_rate_limit_per_minute: Option<i32>,
    /// 3 to 12 key metrics per dashboard.
    pub key_metric_limit: Option<i32>,
}

/// The tenant after the change.
#[derive(SimpleObject)]
pub struct TenantPayload {
    /// The tenant after the change.
    pub tenant: Tenant,
}

/// A new client tenant, created by a consultant or client admin who becomes its first admin.
#[derive(InputObject)]
pub struct CreateTenantInput {
    /// 2 to 63 lowercase letters, digits and inner hyphens; used in `X-Tenant`.
    pub slug: String,
    /// The name.
    pub name: String,
    /// 1 (January) to 12; default 1.
    pub fiscal_year_start_month: Option<i32>,
    /// IANA name; default `UTC`.
    pub time_zone: Option<String>,
    /// Framework keys to enable with their default settings.
    pub frameworks: Option<Vec<String>>,
}

/// The new tenant; send its slug as `X-Tenant` to act there.
#[derive(SimpleObject)]
pub struct CreateTenantPayload {
    /// The new tenant.
    pub tenant: Tenant,
}

/// Switches a framework on, optionally with settings.
#[derive(InputObject)]
pub struct EnableFrameworkInput {
    /// The framework's key, e.g. `okr`.
    pub key: String,
    /// Settings to store with it; omitted keep what was stored (or the defaults).
    pub settings: Option<Json<serde_json::Value>>,
}

/// Switches a framework off; its data and settings are kept.
#[derive(InputObject)]
pub struct DisableFrameworkInput {
    /// The framework's key, e.g. `okr`.
    pub key: String,
}

/// A framework's settings for the tenant, in part (update) or whole (replace).
#[derive(InputObject)]
pub struct UpdateFrameworkSettingsInput {
    /// The framework's key, e.g. `okr`.
    pub key: String,
    /// The settings to change (update: the keys given, null for a default;
    /// replace: all of them, omitted keys taking their defaults).
    pub settings: Json<serde_json::Value>,
}

/// The framework after the change.
#[derive(SimpleObject)]
pub struct FrameworkPayload {
    /// The framework after the change.
    pub framework: TenantFramework,
}

#[derive(Default)]
pub struct TenantQuery;

#[Object]
impl TenantQuery {
    /// The JSON Schema (draft 2020-12) of a framework's settings, with
    /// defaults and allowed values: enough for a UI to render a settings form.
    async fn framework_settings_schema(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The framework's key, e.g. `okr`.")] key: String,
    ) -> Result<async_graphql::Json<serde_json::Value>> {
        let request = request(ctx)?;
        let framework = service::frameworks::find(&request.registry, "key", &key)?;
        Ok(async_graphql::Json(framework.settings_schema()))
    }
}

#[derive(Default)]
pub struct TenantMutation;

#[Object]
impl TenantMutation {
    /// Changes the tenant's own settings (admins).
    async fn update_tenant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateTenantInput,
    ) -> Result<TenantPayload> {
        let scope = &request(ctx)?.scope;
        let tenant = service::tenants::update_tenant(
            scope,
            service::tenants::TenantChanges {
                version: input.version,
                name: input.name,
                fiscal_year_start_month: input.fiscal_year_start_month,
                time_zone: input.time_zone,
                priority_limit: input.priority_limit,
                sync_batch_limit: input.sync_batch_limit,
                sync_deactivation_limit_percent: input.sync_deactivation_limit_percent,
                rate_limit_per_minute: input.rate_limit_per_minute,
                client_rate_limit_per_minute: input.client_rate_limit_per_minute,
                key_metric_limit: input.key_metric_limit,
            },
        )
        .await?;
        Ok(TenantPayload {
            tenant: tenant.into(),
        })
    }

    /// Creates a client tenant (users an operator allowed to: consultants);
    /// the caller becomes its first admin. A tenant's own admins cannot.
    async fn create_tenant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateTenantInput,
    ) -> Result<CreateTenantPayload> {
        let request = request(ctx)?;
        // A right an operator grants or revokes from the CLI counts at once:
        // read it fresh, not from the cached session.
        let allowed = crate::entity::user::Entity::find_by_id(request.user.id)
            .one(request.scope.db())
            .await?
            .is_some_and(|user| user.may_create_tenants);
        if !allowed {
            return Err(crate::DomainError::forbidden(
                "creating tenants is for consultants and operators; an operator grants it with `throughline user allow-tenant-creation <email>`",
            )
            .into());
        }
        let tenant = service::tenants::create_tenant(
            request.scope.db(),
            &request.registry,
            service::tenants::NewTenant {
                slug: input.slug,
                name: input.name,
                fiscal_year_start_month: input.fiscal_year_start_month,
                time_zone: input.time_zone,
                frameworks: input.frameworks.unwrap_or_default(),
            },
            Some(request.user.id),
        )
        .await
        .map_err(|e| e.within("input"))?;
        request.scope.events().wake_dispatcher();
        Ok(CreateTenantPayload {
            tenant: tenant.into(),
        })
    }

    /// Switches a framework on for the tenant (admins). Its earlier data and settings come back.
    async fn enable_framework(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: EnableFrameworkInput,
    ) -> Result<FrameworkPayload> {
        let settings = input.settings.map(|json| json.0);
        let change = settings
            .as_ref()
            .map_or(SettingsChange::Keep, SettingsChange::Replace);
        switch(ctx, &input.key, Some(true), change).await
    }

    /// Switches a framework off for the tenant (admins). Its data is kept.
    async fn disable_framework(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DisableFrameworkInput,
    ) -> Result<FrameworkPayload> {
        switch(ctx, &input.key, Some(false), SettingsChange::Keep).await
    }

    /// Changes some of a framework's settings for the tenant (admins), like
    /// every other update: keys omitted stay, a key set to null goes back to
    /// its default. Validated by the framework.
    async fn update_framework_settings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateFrameworkSettingsInput,
    ) -> Result<FrameworkPayload> {
        switch(
            ctx,
            &input.key,
            None,
            SettingsChange::Merge(&input.settings.0),
        )
        .await
    }

    /// Replaces a framework's settings for the tenant (admins): keys omitted
    /// take their defaults. Validated by the framework.
    async fn replace_framework_settings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateFrameworkSettingsInput,
    ) -> Result<FrameworkPayload> {
        switch(
            ctx,
            &input.key,
            None,
            SettingsChange::Replace(&input.settings.0),
        )
        .await
    }
}

/// One change of a framework's switch or settings, as every framework
/// mutation makes it.
async fn switch(
    ctx: &Context<'_>,
    key: &str,
    enabled: Option<bool>,
    settings: SettingsChange<'_>,
) -> Result<FrameworkPayload> {
    let request = request(ctx)?;
    let framework = service::frameworks::set_framework(
        &request.scope,
        &request.registry,
        key,
        enabled,
        settings,
    )
    .await?;
    Ok(FrameworkPayload {
        framework: framework.into(),
    })
}
