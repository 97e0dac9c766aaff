//! A child's relative weight over a date range: a measure's in its
//! objective, an objective's in its perspective, a perspective's in a
//! scorecard (`scorecard_id` with `perspective_id`). Exactly one child
//! is named.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "scorecard_weights")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub scorecard_id: Option<Uuid>,
    pub perspective_id: Option<Uuid>,
    pub objective_id: Option<Uuid>,
    pub measure_id: Option<Uuid>,
    pub weight: String,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
