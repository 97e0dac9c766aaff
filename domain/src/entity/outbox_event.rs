//! Domain events, written in the transaction of the change they announce and
//! delivered after commit by the dispatcher, in `seq` order.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "outbox_events")]
pub struct Model {
    /// Delivery order.
    #[sea_orm(primary_key)]
    pub seq: i64,
    #[sea_orm(unique)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub kind: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub actor_user_id: Option<Uuid>,
    pub payload: Json,
    pub occurred_at: DateTimeUtc,
    pub dispatched_at: Option<DateTimeUtc>,
    /// The writing transaction's id on PostgreSQL (set by the database);
    /// empty on SQLite. With `seq`, the change feed's order.
    pub txid: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
