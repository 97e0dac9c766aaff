//! Helpers that turn GraphQL inputs into service inputs.

use async_graphql::{ID, MaybeUndefined};
use uuid::Uuid;

use crate::error::DomainResult;

use super::ids::decode_id;

/// Undefined leaves a field alone (`None`), null clears it (`Some(None)`).
pub fn patch<T: Clone>(value: &MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v.clone())),
    }
}

/// Like [`patch`], decoding a global ID.
pub fn patch_id(
    value: &MaybeUndefined<ID>,
    type_name: &str,
    field: &str,
) -> DomainResult<Option<Option<Uuid>>> {
    Ok(match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(id) => Some(Some(decode_id(id, type_name, field)?)),
    })
}

/// What was deleted.
#[derive(async_graphql::SimpleObject)]
pub struct DeletePayload {
    /// The global ID of the deleted entity.
    pub deleted_id: ID,
}
