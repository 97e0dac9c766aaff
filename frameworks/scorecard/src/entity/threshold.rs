//! A measure's thresholds over a date range (either end open): a past
//! period is always scored with the thresholds valid then. Decimals are
//! stored as text, as every exact figure.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "scorecard_thresholds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub measure_id: Uuid,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    /// `GOAL_RED_FLAG`: the goal; `STABILIZE`: the low end of the goal range.
    pub goal: Option<String>,
    /// `GOAL_RED_FLAG`: the red flag; `STABILIZE`: the low red flag.
    pub red_flag: Option<String>,
    /// `STABILIZE`: the high end of the goal range.
    pub goal_high: Option<String>,
    /// `STABILIZE`: the high red flag.
    pub red_flag_high: Option<String>,
    /// `BANDS`: `[{name, colour, lower, score}]`, lowest first.
    pub bands: Option<Json>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
