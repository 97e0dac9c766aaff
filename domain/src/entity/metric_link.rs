//! A leading metric names a lagging metric it is meant to move.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "metric_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub leading_metric_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub lagging_metric_id: Uuid,
    pub tenant_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
