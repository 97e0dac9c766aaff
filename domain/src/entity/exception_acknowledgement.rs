//! Someone has seen an exception and taken it on: a note and who follows
//! up. One row per occurrence of an exception (its key); acknowledging it
//! again, once it got worse, overwrites the row (the audit log keeps every
//! one).
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "exception_acknowledgements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// The exception's key, encoded: unique per tenant.
    pub exception_key: String,
    pub kind: String,
    pub subject_id: Uuid,
    /// The day the exception arose.
    pub since: Date,
    /// Its severity when acknowledged: it comes back if it gets worse.
    pub severity: String,
    pub note: String,
    pub follow_up_owner_id: Option<Uuid>,
    pub acknowledged_by_person_id: Option<Uuid>,
    pub acknowledged_by_user_id: Option<Uuid>,
    pub acknowledged_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
