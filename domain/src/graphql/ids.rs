//! Opaque global IDs: `base64url("Type:uuid")`. Clients must not parse them.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::error::{DomainError, DomainResult};

pub fn encode_id(type_name: &str, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}")))
}

/// Splits a global ID into its type name and UUID; `None` if malformed.
pub fn parse_id(id: &str) -> Option<(String, Uuid)> {
    let raw = URL_SAFE_NO_PAD.decode(id.as_bytes()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (type_name, uuid) = text.split_once(':')?;
    Some((type_name.to_string(), Uuid::parse_str(uuid).ok()?))
}

/// The UUID of a global ID of `type_name`; `None` for any other ID, which
/// lookups answer with null, exactly as for an unknown ID.
pub fn id_of(id: &str, type_name: &str) -> Option<Uuid> {
    parse_id(id)
        .filter(|(t, _)| t == type_name)
        .map(|(_, uuid)| uuid)
}

/// Decodes an ID the client passed in `field`, expecting `type_name`.
pub fn decode_id(id: &ID, type_name: &str, field: &str) -> DomainResult<Uuid> {
    match parse_id(id) {
        Some((found, uuid)) if found == type_name => Ok(uuid),
        Some((found, _)) => Err(DomainError::validation(
            field,
            format!("expected the ID of a {type_name}, got the ID of a {found}"),
        )),
        None => Err(DomainError::validation(
            field,
            format!("{:?} is not a valid ID", id.as_str()),
        )),
    }
}

pub fn decode_optional(
    id: Option<&ID>,
    type_name: &str,
    field: &str,
) -> DomainResult<Option<Uuid>> {
    id.map(|id| decode_id(id, type_name, field)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_check_their_type() {
        let uuid = Uuid::now_v7();
        let id = encode_id("Person", uuid);
        assert_eq!(decode_id(&id, "Person", "id").unwrap(), uuid);
        assert!(
            matches!(decode_id(&id, "Metric", "input.metricId"), Err(DomainError::Validation { field, .. }) if field == "input.metricId")
        );
        assert!(decode_id(&ID("not-an-id".into()), "Person", "id").is_err());
        assert!(parse_id("%%%").is_none());
    }
}
