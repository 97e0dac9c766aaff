//! A person of the tenant's organisation, with their reporting line.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "people")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub title: Option<String>,
    pub org_unit_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    /// `ACTIVE` or `INACTIVE`.
    pub status: String,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    /// The HRIS key; unique per tenant.
    pub external_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
