//! An item on a review meeting's agenda: a key metric, an exception, an
//! open action item, or a topic a participant added.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "review_agenda_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub meeting_id: Uuid,
    pub kind: String,
    pub title: String,
    /// What the item said when it was put on the agenda (an exception's reason).
    pub detail: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<Uuid>,
    pub position: i32,
    pub covered: bool,
    pub notes: Option<String>,
    pub added_by_person_id: Option<Uuid>,
    /// The item of an earlier meeting it carries over.
    pub carried_from_id: Option<Uuid>,
    /// For a key metric: its figures, frozen when the meeting was held.
    pub snapshot: Option<Json>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
