//! One value of a metric for one period. Stored as canonical decimal text:
//! sea-orm reads SQLite DECIMAL through f64, which would round business numbers.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "metric_values")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub metric_id: Uuid,
    /// The first day of the period the value is for.
    pub period_start: Date,
    pub value: String,
    /// `MANUAL`, `IMPORT` or `API`.
    pub source: String,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
