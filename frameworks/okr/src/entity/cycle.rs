//! An OKR cycle (a quarter, a year holding its quarters).
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "okr_cycles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub starts_on: Date,
    /// Inclusive.
    pub ends_on: Date,
    /// `PLANNING`, `ACTIVE` or `CLOSED`.
    pub status: String,
    /// The enclosing cycle (a quarter's fiscal year).
    pub parent_id: Option<Uuid>,
    pub closing_note: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    /// Bumped by every write that moves a figure of the cycle; cached
    /// scores are keyed by it.
    pub scores_revision: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
