//! A login. Users are global; what they may do is per tenant (memberships).
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    /// The identity provider's `sub`, once seen.
    #[sea_orm(unique)]
    pub idp_subject: Option<String>,
    pub created_at: DateTimeUtc,
    /// May create client tenants (consultants, operators); granted with
    /// `throughline user allow-tenant-creation`.
    pub may_create_tenants: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
