//! Tenants: creation (by the CLI or an admin), listing, and their settings.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::entity::{membership, tenant, tenant_framework};
use crate::enums::Role;
use crate::error::{DomainError, DomainResult};
use crate::framework::FrameworkRegistry;
use crate::tenancy::{Actor, Change, TenantScope, TenantTxn};

use super::{check_version, required_text};

pub const DEFAULT_PRIORITY_LIMIT: i32 = 5;
/// Records one directory sync may carry unless the tenant says otherwise.
pub const DEFAULT_SYNC_BATCH_LIMIT: i32 = 5000;
/// The most any tenant may allow in one sync: bounds a request's memory and time.
pub const MAX_SYNC_BATCH_LIMIT: i32 = 10_000;
/// The share of a source's active people one snapshot may deactivate without `force`.
pub const DEFAULT_SYNC_DEACTIVATION_LIMIT_PERCENT: i32 = 20;
/// Requests (and sync records) per minute for a whole tenant: room for
/// a UI of hundreds of people and a full 10,000-person sync at once.
pub const DEFAULT_RATE_LIMIT_PER_MINUTE: i32 = 120_000;
/// Requests (and sync records) per minute for one user or service account.
pub const DEFAULT_CLIENT_RATE_LIMIT_PER_MINUTE: i32 = 60_000;
pub const MIN_RATE_LIMIT_PER_MINUTE: i32 = 60;
/// Key metrics per dashboard: the 5-7 that drive decisions, by default.
pub const DEFAULT_KEY_METRIC_LIMIT: i32 = 7;
pub const KEY_METRIC_LIMITS: std::ops::RangeInclusive<i32> = 3..=12;
pub const MAX_RATE_LIMIT_PER_MINUTE: i32 = 10_000_000;

/// A new tenant.
#[derive(Clone, Debug)]
pub struct NewTenant {
    pub slug: String,
    pub name: String,
    pub fiscal_year_start_month: Option<i32>,
    pub time_zone: Option<String>,
    /// Framework keys to enable with their default settings.
    pub frameworks: Vec<String>,
}

pub fn validate_slug(field: &str, slug: &str) -> DomainResult<String> {
    let slug = slug.trim().to_string();
    let valid_chars = slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if slug.len() < 2
        || slug.len() > 63
        || !valid_chars
        || slug.starts_with('-')
        || slug.ends_with('-')
    {
        return Err(DomainError::validation(
            field,
            format!(
                "{slug:?} is not a valid slug: use 2 to 63 lowercase letters, digits and inner hyphens, e.g. `acme-eu`"
            ),
        ));
    }
    Ok(slug)
}

pub fn validate_month(field: &str, month: i32) -> DomainResult<i32> {
    if (1..=12).contains(&month) {
        Ok(month)
    } else {
        Err(DomainError::validation(
            field,
            format!("{month} is not a month: use 1 (January) to 12 (December)"),
        ))
    }
}

/// Accepts `UTC` and IANA names of the form `Area/Location` (e.g. `Europe/Berlin`).
pub fn validate_time_zone(field: &str, tz: &str) -> DomainResult<String> {
    let tz = tz.trim();
    let shaped = tz == "UTC"
        || (tz.contains('/')
            && tz.split('/').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
            }));
    // A well-shaped name that the time zone database does not know
    // (`Mars/Olympus`) would make every "today" of the tenant wrong.
    if !shaped || tz.len() > 64 || tz.parse::<chrono_tz::Tz>().is_err() {
        return Err(DomainError::validation(
            field,
            format!("{tz:?} is not an IANA time zone name such as `Europe/Berlin` or `UTC`"),
        ));
    }
    Ok(tz.to_string())
}

/// Creates a tenant with the given frameworks enabled. Refuses a taken slug.
/// `creator` becomes its first admin when given.
pub async fn create_tenant(
    db: &sea_orm::DatabaseConnection,
    registry: &FrameworkRegistry,
    input: NewTenant,
    creator: Option<Uuid>,
) -> DomainResult<tenant::Model> {
    let slug = validate_slug("slug", &input.slug)?;
    let name = required_text("name", &input.name, 200)?;
    let fiscal_year_start_month = validate_month(
        "fiscalYearStartMonth",
        input.fiscal_year_start_month.unwrap_or(1),
    )?;
    let time_zone = validate_time_zone("timeZone", input.time_zone.as_deref().unwrap_or("UTC"))?;
    let mut frameworks = Vec::new();
    for (index, key) in input.frameworks.iter().enumerate() {
        let Some(framework) = registry.iter().find(|f| f.key() == key.trim()) else {
            let known: Vec<&str> = registry.iter().map(|f| f.key()).collect();
            return Err(DomainError::validation(
                format!("frameworks[{index}]"),
                format!("unknown framework {key:?}; known: {}", known.join(", ")),
            ));
        };
        frameworks.push(framework.clone());
    }
    let txn = crate::tenancy::begin_write(db).await?;
    if tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(&slug))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(DomainError::validation(
            "slug",
            format!("the slug {slug:?} is taken"),
        ));
    }
    let now = Utc::now();
    let model = tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(slug),
        name: Set(name),
        fiscal_year_start_month: Set(fiscal_year_start_month),
        time_zone: Set(time_zone),
        priority_limit: Set(DEFAULT_PRIORITY_LIMIT),
        sync_batch_limit: Set(DEFAULT_SYNC_BATCH_LIMIT),
        sync_deactivation_limit_percent: Set(DEFAULT_SYNC_DEACTIVATION_LIMIT_PERCENT),
        rate_limit_per_minute: Set(DEFAULT_RATE_LIMIT_PER_MINUTE),
        client_rate_limit_per_minute: Set(DEFAULT_CLIENT_RATE_LIMIT_PER_MINUTE),
        key_metric_limit: Set(DEFAULT_KEY_METRIC_LIMIT),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&txn)
    .await?;
    // The new tenant's own rows go through its door, and each framework
    // switched on makes its defaults in this same transaction.
    let creator_actor = Actor {
        user_id: creator,
        role: Role::Admin,
        person_id: None,
        service_account_id: None,
    };
    let scope = TenantScope::new(
        db.clone(),
        model.clone(),
        creator_actor,
        crate::events::EventBus::new(),
    );
    let mut tx = TenantTxn::adopt(txn, &scope);
    for framework in frameworks {
        let settings = framework.default_settings();
        tx.insert(tenant_framework::ActiveModel {
            framework_key: Set(framework.key().to_string()),
            enabled: Set(true),
            settings: Set(settings.clone()),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
        framework.on_enabled(&tx, &settings).await?;
    }
    if let Some(user_id) = creator {
        tx.insert(membership::ActiveModel {
            user_id: Set(user_id),
            role: Set(Role::Admin.as_str().to_string()),
            person_id: Set(None),
            created_at: Set(now),
            ..Default::default()
        })
        .await?;
    }
    tx.record(Change::created(
        "tenant.created",
        "Tenant",
        model.id,
        &model,
    ))
    .await?;
    tx.commit().await?;
    Ok(model)
}

pub async fn list_tenants<C: ConnectionTrait>(db: &C) -> DomainResult<Vec<tenant::Model>> {
    Ok(tenant::Entity::find()
        .order_by_asc(tenant::Column::Slug)
        .all(db)
        .await?)
}

pub async fn find_by_slug<C: ConnectionTrait>(
    db: &C,
    slug: &str,
) -> DomainResult<Option<tenant::Model>> {
    Ok(tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// A change to the current tenant's own settings.
#[derive(Clone, Debug, Default)]
pub struct TenantChanges {
    pub version: i32,
    pub name: Option<String>,
    pub fiscal_year_start_month: Option<i32>,
    pub time_zone: Option<String>,
    pub priority_limit: Option<i32>,
    pub sync_batch_limit: Option<i32>,
    pub sync_deactivation_limit_percent: Option<i32>,
    pub rate_limit_per_minute: Option<i32>,
    pub client_rate_limit_per_minute: Option<i32>,
    pub key_metric_limit: Option<i32>,
}

/// Checks a rate limit setting (requests and sync records per minute).
pub fn validate_rate_limit(field: &str, limit: i32) -> DomainResult<i32> {
    if (MIN_RATE_LIMIT_PER_MINUTE..=MAX_RATE_LIMIT_PER_MINUTE).contains(&limit) {
        Ok(limit)
    } else {
        Err(DomainError::validation(
            field,
            format!(
                "a rate limit is between {MIN_RATE_LIMIT_PER_MINUTE} and {MAX_RATE_LIMIT_PER_MINUTE} requests (and sync records) per minute"
            ),
        ))
    }
}

pub async fn update_tenant(
    scope: &TenantScope,
    changes: TenantChanges,
) -> DomainResult<tenant::Model> {
    scope.require_admin("changing the tenant's settings")?;
    let mut tx = scope.begin().await?;
    let current = tenant::Entity::find_by_id(scope.tenant_id())
        .one(tx.conn())
        .await?
        .ok_or(DomainError::not_found("tenant"))?;
    check_version(current.version, changes.version, "tenant")?;
    let mut after = current.clone();
    if let Some(name) = &changes.name {
        after.name = required_text("input.name", name, 200)?;
    }
    if let Some(month) = changes.fiscal_year_start_month {
        after.fiscal_year_start_month = validate_month("input.fiscalYearStartMonth", month)?;
    }
    if let Some(tz) = &changes.time_zone {
        after.time_zone = validate_time_zone("input.timeZone", tz)?;
    }
    if let Some(limit) = changes.priority_limit {
        if !(1..=10).contains(&limit) {
            return Err(DomainError::validation(
                "input.priorityLimit",
                "the priority limit must be between 1 and 10: strategy is about choosing a few",
            ));
        }
        after.priority_limit = limit;
    }
    if let Some(limit) = changes.sync_batch_limit {
        if !(1..=MAX_SYNC_BATCH_LIMIT).contains(&limit) {
            return Err(DomainError::validation(
                "input.syncBatchLimit",
                format!(
                    "the sync batch limit must be between 1 and {MAX_SYNC_BATCH_LIMIT} records"
                ),
            ));
        }
        after.sync_batch_limit = limit;
    }
    if let Some(percent) = changes.sync_deactivation_limit_percent {
        if !(0..=100).contains(&percent) {
            return Err(DomainError::validation(
                "input.syncDeactivationLimitPercent",
                "the deactivation limit is a percentage: between 0 and 100",
            ));
        }
        after.sync_deactivation_limit_percent = percent;
    }
    if let Some(limit) = changes.rate_limit_per_minute {
        after.rate_limit_per_minute = validate_rate_limit("input.rateLimitPerMinute", limit)?;
    }
    if let Some(limit) = changes.key_metric_limit {
        if !KEY_METRIC_LIMITS.contains(&limit) {
            return Err(DomainError::validation(
                "input.keyMetricLimit",
                format!(
                    "a dashboard holds {} to {} key metrics: a few metrics that drive decisions, not every number there is",
                    KEY_METRIC_LIMITS.start(),
                    KEY_METRIC_LIMITS.end()
                ),
            ));
        }
        after.key_metric_limit = limit;
    }
    if let Some(limit) = changes.client_rate_limit_per_minute {
        after.client_rate_limit_per_minute =
            validate_rate_limit("input.clientRateLimitPerMinute", limit)?;
    }
    if after == current {
        return Ok(current);
    }
    after.version += 1;
    after.updated_at = Utc::now();
    let result = tenant::Entity::update_many()
        .set(tenant::ActiveModel::from(after.clone()).reset_all())
        .filter(tenant::Column::Id.eq(current.id))
        .filter(tenant::Column::Version.eq(current.version))
        .exec(tx.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(DomainError::stale_version("tenant"));
    }
    tx.record(Change::updated(
        "tenant.updated",
        "Tenant",
        current.id,
        &current,
        &after,
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}
