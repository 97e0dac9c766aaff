//! An org unit's key in one source system, with what the source said that
//! could not be resolved yet.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "org_unit_external_ids")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub org_unit_id: Uuid,
    pub source: String,
    pub external_id: String,
    /// The parent's key as the source gave it, while no unit has it.
    pub pending_parent_external_id: Option<String>,
    /// The head's key as the source gave it, while nobody has it.
    pub pending_head_external_id: Option<String>,
    pub source_updated_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
