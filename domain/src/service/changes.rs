//! The change feed: every committed change to the core's entities, in an
//! order that never changes behind a reader (see the migration
//! `m20261203_000002_change_feed`), read from the outbox the changes were
//! announced through. Integrators (and admins) page it with a cursor that
//! names a position, not a session: it stays valid across restarts and
//! servers.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, DbBackend, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};

use crate::entity::outbox_event;
use crate::enums::Role;
use crate::error::{DomainError, DomainResult};
use crate::tenancy::TenantScope;

/// The most changes one page may carry.
pub const MAX_CHANGES_PAGE: u64 = 1000;
pub const DEFAULT_CHANGES_PAGE: u64 = 100;

crate::stored_enum!(
    /// A kind of core entity in the change feed.
    ChangeEntityType {
        /// People.
        Person => "Person",
        /// Org units.
        OrgUnit => "OrgUnit",
        /// Strategic priorities.
        StrategicPriority => "StrategicPriority",
        /// Metric definitions.
        Metric => "Metric",
        /// Metric values.
        MetricValue => "MetricValue",
        /// Metric targets.
        MetricTarget => "MetricTarget",
        /// Dashboards and their key metrics.
        Dashboard => "Dashboard",
    }
);

/// A position in the feed: after this event.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Position {
    #[serde(rename = "t")]
    txid: Option<i64>,
    #[serde(rename = "s")]
    seq: i64,
}

pub fn cursor_of(event: &outbox_event::Model) -> String {
    let position = Position {
        txid: event.txid,
        seq: event.seq,
    };
    // `{"t":…,"s":…}` through `Value`'s Display, which cannot fail.
    URL_SAFE_NO_PAD.encode(serde_json::json!(position).to_string())
}

fn decode(cursor: &str) -> DomainResult<Position> {
    URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .ok()
        .and_then(|raw| serde_json::from_slice(&raw).ok())
        .ok_or_else(|| {
            DomainError::validation(
                "after",
                format!("{cursor:?} is not a cursor of the change feed"),
            )
        })
}

/// One page of changes after `after` (from the beginning without one), of
/// the given entity types (all core types when empty); and whether more
/// follow.
pub async fn page(
    scope: &TenantScope,
    after: Option<&str>,
    types: &[ChangeEntityType],
    first: Option<i32>,
) -> DomainResult<(Vec<outbox_event::Model>, bool)> {
    scope.require_role(&[Role::Admin, Role::Integrator], "reading the change feed")?;
    let size = match first {
        None => DEFAULT_CHANGES_PAGE,
        Some(n) if n < 0 => {
            return Err(DomainError::validation(
                "first",
                "`first` must not be negative",
            ));
        }
        Some(n) if n as u64 > MAX_CHANGES_PAGE => {
            return Err(DomainError::LimitExceeded(format!(
                "`first: {n}` asks for more than {MAX_CHANGES_PAGE} changes; page through with `after`"
            )));
        }
        Some(n) => n as u64,
    };
    // Each type once, however often a client repeats it.
    let types: Vec<&str> = ChangeEntityType::ALL
        .iter()
        .filter(|t| types.is_empty() || types.contains(t))
        .map(|t| t.as_str())
        .collect();
    let mut query = scope
        .select::<outbox_event::Entity>()
        .filter(outbox_event::Column::EntityType.is_in(types));
    let postgres = scope.backend() == DbBackend::Postgres;
    if let Some(after) = after {
        let at = decode(after)?;
        query = query.filter(match at.txid {
            Some(txid) if postgres => Condition::any()
                .add(outbox_event::Column::Txid.gt(txid))
                .add(
                    Condition::all()
                        .add(outbox_event::Column::Txid.eq(txid))
                        .add(outbox_event::Column::Seq.gt(at.seq)),
                ),
            _ => Condition::all().add(outbox_event::Column::Seq.gt(at.seq)),
        });
    }
    if postgres {
        // Only what every transaction still running cannot precede.
        query = query.filter(Expr::col(outbox_event::Column::Txid).lt(Expr::cust(
            "pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
        )));
    }
    let mut rows = query
        .order_by_asc(outbox_event::Column::Txid)
        .order_by_asc(outbox_event::Column::Seq)
        .limit(size + 1)
        .all(scope)
        .await?;
    let more = rows.len() as u64 > size;
    rows.truncate(size as usize);
    Ok((rows, more))
}

crate::stored_enum!(
    /// What a change did to its entity.
    ChangeOperation {
        /// The entity was created (a metric value recorded).
        Created => "CREATED",
        /// Some of its fields changed (`changedFields`).
        Updated => "UPDATED",
        /// A person became inactive.
        Deactivated => "DEACTIVATED",
        /// The entity was deleted.
        Deleted => "DELETED",
        /// A person's personal data was erased (GDPR): erase your copy too.
        Erased => "ERASED",
    }
);

/// What an event (`entity.verb`) says was done.
pub fn operation(kind: &str) -> ChangeOperation {
    match kind.rsplit('.').next() {
        Some("created") | Some("recorded") => ChangeOperation::Created,
        Some("deleted") => ChangeOperation::Deleted,
        Some("deactivated") => ChangeOperation::Deactivated,
        Some("erased") => ChangeOperation::Erased,
        _ => ChangeOperation::Updated,
    }
}

/// The fields an update changed, named as the API names them (camelCase),
/// without bookkeeping (`version`, `updatedAt`); every field for a create.
pub fn changed_fields(payload: &serde_json::Value) -> Vec<String> {
    const BOOKKEEPING: &[&str] = &["id", "tenant_id", "version", "updated_at", "created_at"];
    let before = payload.get("before").and_then(|v| v.as_object());
    let after = payload.get("after").and_then(|v| v.as_object());
    let mut fields: Vec<String> = match (before, after) {
        (Some(before), Some(after)) => after
            .iter()
            .filter(|(key, value)| before.get(*key) != Some(*value))
            .map(|(key, _)| key.clone())
            .collect(),
        (None, Some(side)) | (Some(side), None) => side.keys().cloned().collect(),
        (None, None) => Vec::new(),
    };
    fields.retain(|f| !BOOKKEEPING.contains(&f.as_str()));
    fields.sort();
    fields.into_iter().map(|f| camel(&f)).collect()
}

fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_name_what_they_changed_and_creates_everything() {
        let payload = serde_json::json!({
            "before": { "name": "A", "manager_id": null, "version": 1, "updated_at": "x" },
            "after": { "name": "A", "manager_id": "m", "version": 2, "updated_at": "y" },
        });
        assert_eq!(changed_fields(&payload), ["managerId"]);
        let created = serde_json::json!({ "before": null, "after": { "name": "A", "org_unit_id": null, "id": "i" } });
        assert_eq!(changed_fields(&created), ["name", "orgUnitId"]);
        assert_eq!(
            operation("person.deactivated"),
            ChangeOperation::Deactivated
        );
        assert_eq!(operation("metric_value.recorded"), ChangeOperation::Created);
        assert_eq!(operation("metric_value.replaced"), ChangeOperation::Updated);
        assert_eq!(operation("org_unit.deleted"), ChangeOperation::Deleted);
        assert_eq!(operation("person.updated"), ChangeOperation::Updated);
    }

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let at = Position {
            txid: Some(7),
            seq: 42,
        };
        let text = URL_SAFE_NO_PAD.encode(serde_json::json!(at).to_string());
        assert_eq!(decode(&text).unwrap(), at);
        assert!(decode("!!").is_err());
    }
}
