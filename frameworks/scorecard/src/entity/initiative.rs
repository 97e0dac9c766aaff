//! A project that serves one or more objectives: owner, dates, status,
//! progress, budget and cost. Its health is shown on its objectives; it
//! joins their scores only when it `counts_toward_score`.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "scorecard_initiatives")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub owner_id: Option<Uuid>,
    pub starts_on: Date,
    pub ends_on: Date,
    /// `NOT_STARTED`, `ON_TRACK`, `AT_RISK`, `LATE`, `DONE`, `CANCELLED`.
    pub status: String,
    /// 0–100.
    pub percent_complete: i32,
    /// Decimals as text, as every exact figure.
    pub budget: Option<String>,
    pub actual_cost: Option<String>,
    /// Whether its schedule score joins its objectives' scores.
    pub counts_toward_score: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
