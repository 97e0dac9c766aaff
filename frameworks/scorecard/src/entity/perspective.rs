//! A perspective: one of the views a scorecard balances (Financial,
//! Customer, Internal Process, Learning & Growth by default), per tenant.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "scorecard_perspectives")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// Order on every scorecard and strategy map, lowest first.
    pub position: i32,
    /// `ACTIVE` or `ARCHIVED` (kept for its objectives, offered for no new one).
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
