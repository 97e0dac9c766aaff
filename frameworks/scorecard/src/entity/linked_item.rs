//! The cascade down: a parent scorecard's objective shown on a child's
//! scorecard, or a parent's measure counted under a child's objective.
//! Linked, not copied: the item is scored once, where it lives, and
//! counted here with weight 1. Exactly one of `objective_id` and
//! (`measure_id`, `in_objective_id`) is set.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "scorecard_linked_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// The child scorecard the item is linked into.
    pub scorecard_id: Uuid,
    /// A linked objective: one on a scorecard of a unit above.
    pub objective_id: Option<Uuid>,
    /// A linked measure: one on a scorecard of a unit above...
    pub measure_id: Option<Uuid>,
    /// ...counted under this objective of the child scorecard.
    pub in_objective_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
