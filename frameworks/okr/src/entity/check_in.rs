//! One update of a key result.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "okr_check_ins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub key_result_id: Uuid,
    pub value: String,
    pub value_before: Option<String>,
    pub progress_before: String,
    pub progress_after: String,
    /// 0 to 10.
    pub confidence: Option<i32>,
    /// `ON_TRACK`, `AT_RISK` or `OFF_TRACK`, chosen by the author; null when derived.
    pub stated_status: Option<String>,
    pub derived_status: String,
    pub note: Option<String>,
    pub author_user_id: Option<Uuid>,
    pub author_person_id: Option<Uuid>,
    /// The day the value is true for.
    pub as_of: Date,
    /// `MANUAL` or `METRIC` (recorded from a linked metric).
    pub source: String,
    /// Recorded for a closed cycle (admins only, audited).
    pub late: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
