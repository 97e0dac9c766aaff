//! An owner's analysis and recommendations for an objective or a measure
//! in one period (ClearPoint's "update fields"): exactly one of
//! `objective_id` and `measure_id` is set, one commentary per subject and
//! period, its history in the audit log.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "scorecard_commentaries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub objective_id: Option<Uuid>,
    pub measure_id: Option<Uuid>,
    /// `WEEK`, `MONTH`, `QUARTER`, `FISCAL_YEAR`.
    pub period_kind: String,
    pub period_start: Date,
    /// What happened and why.
    pub analysis: String,
    /// What to do about it.
    pub recommendations: Option<String>,
    /// The person who last wrote it, when their user is linked to one.
    pub author_person_id: Option<Uuid>,
    /// The user who last wrote it.
    pub author_user_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
