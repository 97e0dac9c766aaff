//! What a metric aims for over a date range, optionally for one org unit:
//! the shared `Target`, and how far on its bad side still counts as a
//! warning rather than off target.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "metric_targets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub metric_id: Uuid,
    /// Null: the metric's target everywhere; else only for this unit.
    pub org_unit_id: Option<Uuid>,
    /// The first day it is in force.
    pub valid_from: Date,
    /// The last day it is in force; null: until another replaces it.
    pub valid_to: Option<Date>,
    pub target_kind: String,
    /// Decimal text, as the key results' target columns.
    pub start_value: Option<String>,
    pub target_value: Option<String>,
    pub lower_value: Option<String>,
    pub upper_value: Option<String>,
    pub warning_margin: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
