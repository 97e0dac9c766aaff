//! The status a measure was last judged to have in one period of its
//! metric's frequency, so a status change is announced once, however
//! often the event that caused it is delivered.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "scorecard_measure_statuses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub measure_id: Uuid,
    /// `WEEK`, `MONTH`, `QUARTER`, `FISCAL_YEAR`.
    pub period_kind: String,
    pub period_start: Date,
    /// `RED`, `YELLOW`, `GREEN`, `NO_DATA`.
    pub status: String,
    /// 0–10 as text; null when blank.
    pub score: Option<String>,
    pub judged_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
