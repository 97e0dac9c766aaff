//! A person's key in one source system (an HRIS), with what the source said
//! that could not be resolved yet.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "person_external_ids")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub person_id: Uuid,
    /// The source's name, e.g. `workday`; with `external_id` unique per tenant.
    pub source: String,
    pub external_id: String,
    pub employee_number: Option<String>,
    /// The manager's key as the source gave it, while nobody has it.
    pub pending_manager_external_id: Option<String>,
    /// The org unit's key as the source gave it, while no unit has it.
    pub pending_org_unit_external_id: Option<String>,
    /// The source's own last-change time of the record, as last applied.
    pub source_updated_at: Option<DateTimeUtc>,
    /// The full snapshot that last listed this key.
    pub seen_in_snapshot: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
