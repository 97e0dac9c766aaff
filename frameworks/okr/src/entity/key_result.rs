//! A measurable result of an objective, scored with the core Target.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "okr_key_results")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub objective_id: Uuid,
    pub title: String,
    pub owner_id: Uuid,
    pub target_kind: String,
    pub start_value: Option<String>,
    pub target_value: Option<String>,
    pub lower_value: Option<String>,
    pub upper_value: Option<String>,
    pub unit: Option<String>,
    /// Decimal text.
    pub weight: String,
    /// `ACTIVE`, `CLOSED` (no more check-ins) or `ARCHIVED` (kept for
    /// history, no longer counted).
    pub status: String,
    pub current_value: Option<String>,
    /// A core metric whose recorded values update this key result.
    pub metric_id: Option<Uuid>,
    /// Locked at cycle close: decimal text 0..1.
    pub grade: Option<String>,
    /// From when progress is expected and check-ins are due: its creation
    /// day by default; null (older rows) means the cycle's start.
    pub starts_on: Option<Date>,
    /// When it should be reached, if before the cycle's end.
    pub due_on: Option<Date>,
    /// `TARGET` or `ALIGNED_OBJECTIVES`.
    pub progress_source: String,
    /// The latest check-in, kept on the row so scoring a cycle never scans
    /// its check-ins.
    pub last_check_in_id: Option<Uuid>,
    /// The as-of date of the latest check-in (staleness).
    pub last_check_in_on: Option<Date>,
    /// The author's status in the latest check-in, if they gave one.
    pub last_stated_status: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
