//! A cause → effect link between two objectives of one scorecard: an
//! edge of its strategy map (improving the cause is meant to move the
//! effect).
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "scorecard_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// The scorecard both objectives are on: a map is read with one
    /// indexed statement.
    pub scorecard_id: Uuid,
    pub cause_id: Uuid,
    pub effect_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
