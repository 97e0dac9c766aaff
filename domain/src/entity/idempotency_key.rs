//! The stored result of a request sent with an idempotency key: a repeat
//! gets it back instead of doing the work again.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// The user who sent it (their id), or `system`: keys are per caller.
    pub owner: String,
    pub key: String,
    /// SHA-256 of the request as sent: the same key with another request is refused.
    pub request_hash: String,
    /// `IN_FLIGHT` or `DONE`.
    pub state: String,
    pub response: Option<Json>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
