//! An objective: what we want to achieve in a cycle.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "okr_objectives")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub cycle_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    /// `COMPANY`, `TEAM` or `INDIVIDUAL`.
    pub level: String,
    /// The one accountable owner (a Person).
    pub owner_id: Uuid,
    pub org_unit_id: Option<Uuid>,
    /// `DRAFT`, `ACTIVE`, `CLOSED` or `ARCHIVED`.
    pub status: String,
    /// Visible only to the owners, their manager chain and admins.
    pub private: bool,
    /// Decimal text.
    pub weight: String,
    /// `KEY_RESULTS`, `ALIGNED_OBJECTIVES` or `BOTH`.
    pub progress_driver: String,
    /// Set at cycle close (or a regrade): the progress then, decimal text 0..1.
    pub grade: Option<String>,
    pub graded_at: Option<DateTimeUtc>,
    /// The person who graded (closed the cycle or regraded), if the admin has one.
    pub graded_by_person_id: Option<Uuid>,
    /// The owner's own score, decimal text 0..1, kept beside the grade.
    pub self_score: Option<String>,
    pub self_score_note: Option<String>,
    pub self_scored_at: Option<DateTimeUtc>,
    pub self_scored_by_person_id: Option<Uuid>,
    /// When an admin or the owner's manager confirmed the self-score.
    pub self_score_confirmed_at: Option<DateTimeUtc>,
    pub self_score_confirmed_by_person_id: Option<Uuid>,
    pub closing_note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
