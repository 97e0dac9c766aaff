//! A review series: a recurring review (weekly operational, monthly
//! business, quarterly strategic) of the tenant or one org unit, with its
//! owner, participants and the dashboard it reviews.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "review_series")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub title: String,
    /// WEEKLY, MONTHLY or QUARTERLY.
    pub cadence: String,
    /// Null: the tenant's own.
    pub org_unit_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub dashboard_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
