//! One meeting of a review series, reviewing one period of its cadence.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "review_meetings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub series_id: Uuid,
    /// The first day of the period it reviews.
    pub period_start: Date,
    pub period_end: Date,
    /// The day after the period closes.
    pub scheduled_on: Date,
    /// UPCOMING, OPEN or HELD.
    pub status: String,
    pub opened_at: Option<DateTimeUtc>,
    pub held_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
