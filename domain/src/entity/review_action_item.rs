//! An action item raised in a review meeting; it stays open across the
//! series' meetings until done.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "review_action_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub series_id: Uuid,
    /// The meeting that raised it.
    pub meeting_id: Uuid,
    pub title: String,
    pub owner_id: Option<Uuid>,
    pub due_on: Option<Date>,
    pub done: bool,
    pub done_at: Option<DateTimeUtc>,
    /// The due date last announced (`review_action_item.due`), so each
    /// due date is announced once.
    #[serde(skip)]
    pub due_announced_for: Option<Date>,
    pub subject_type: Option<String>,
    pub subject_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
