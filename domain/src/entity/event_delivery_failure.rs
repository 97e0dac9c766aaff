//! A failed delivery of one event to one framework's handler, retried with
//! backoff and parked after the last try.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "event_delivery_failures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub event_seq: i64,
    pub event_id: Uuid,
    pub event_kind: String,
    pub framework_key: String,
    pub attempts: i32,
    /// What the handler answered (or that it panicked or timed out): for
    /// admins and logs, never user data beyond the event's own kind.
    pub last_error: String,
    pub next_attempt_at: DateTimeUtc,
    /// Set once the last try failed: no more retries until an admin asks.
    pub parked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
