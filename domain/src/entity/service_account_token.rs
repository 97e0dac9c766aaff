//! One token of a service account. Only its SHA-256 is stored: the token
//! itself is shown once, when it is issued.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "service_account_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub service_account_id: Uuid,
    /// Hex SHA-256 of the token (a token has 256 random bits: a slow hash
    /// would add nothing).
    #[serde(skip)]
    pub secret_hash: String,
    /// The token's first characters, to tell tokens apart (`tlsa_3kF9…`).
    pub hint: String,
    pub created_at: DateTimeUtc,
    /// Set when the token was rotated out: it works until then.
    pub expires_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    /// Kept to the minute: a request writes it at most once a minute.
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
