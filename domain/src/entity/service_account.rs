//! A non-human client of one tenant (an HRIS sync, a BI feed): a role,
//! optional scopes narrowing it, and long-lived tokens.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "service_accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// The user it acts as: audit entries and the change feed name it.
    pub user_id: Uuid,
    pub name: String,
    pub role: String,
    /// Space-separated, as OAuth writes scopes (`directory:write changes:read`);
    /// empty: everything the role may do.
    pub scopes: String,
    /// Requests (and sync records) per minute; null: the tenant's default.
    pub rate_limit_per_minute: Option<i32>,
    pub created_by_user_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
