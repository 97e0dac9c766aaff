//! A strategic objective on a scorecard, under one perspective.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "scorecard_objectives")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub scorecard_id: Uuid,
    pub perspective_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub owner_id: Option<Uuid>,
    pub priority_id: Option<Uuid>,
    /// `ACTIVE` or `ARCHIVED` (not scored).
    pub status: String,
    pub position: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
