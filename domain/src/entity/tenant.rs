//! A client organisation. Every tenant-owned row points here.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    /// 1 = January. Fiscal years, quarters and framework cycles derive from it.
    pub fiscal_year_start_month: i32,
    /// IANA time zone name, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// How many strategic priorities the tenant may have at once.
    pub priority_limit: i32,
    /// The most records one directory sync may carry.
    pub sync_batch_limit: i32,
    /// The largest share (percent) of a source's active people one full
    /// snapshot may deactivate without `force`.
    pub sync_deactivation_limit_percent: i32,
    /// Requests (and sync records) per minute for the whole tenant.
    pub rate_limit_per_minute: i32,
    /// Requests (and sync records) per minute for each user or service
    /// account, unless the service account sets its own.
    pub client_rate_limit_per_minute: i32,
    /// The most key metrics one dashboard may hold.
    pub key_metric_limit: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
