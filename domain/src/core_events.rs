//! The core's events as frameworks receive them: typed, versioned payloads,
//! not database rows. A payload is built from the core's row by a `From`
//! impl here, so a renamed or retyped core column breaks this file's build,
//! never a framework's handler at run time. A change a handler must notice
//! is a new version (`PersonV2`) beside the old one, not an edit of it.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::entity::{metric, metric_value, org_unit, person, strategic_priority};
use crate::enums::{PersonStatus, ValueSource};
use crate::events::DomainEvent;

/// A person, as frameworks see them.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonV1 {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub title: Option<String>,
    pub org_unit_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    pub status: PersonStatus,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

/// An org unit, as frameworks see it.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgUnitV1 {
    pub id: Uuid,
    pub name: String,
    pub parent_id: Option<Uuid>,
    pub head_person_id: Option<Uuid>,
}

/// A metric's definition, as frameworks see it.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricV1 {
    pub id: Uuid,
    pub name: String,
    pub owner_id: Option<Uuid>,
    pub org_unit_id: Option<Uuid>,
    pub priority_id: Option<Uuid>,
}

/// One value of a metric for one period.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricValueV1 {
    pub id: Uuid,
    pub metric_id: Uuid,
    /// The first day of the period the value is for.
    pub period_start: NaiveDate,
    pub value: Decimal,
    pub source: ValueSource,
    pub recorded_at: DateTime<Utc>,
}

/// A strategic priority, as frameworks see it.
#[derive(Clone, Debug, PartialEq)]
pub struct StrategicPriorityV1 {
    pub id: Uuid,
    pub title: String,
    pub owner_id: Option<Uuid>,
    pub position: i32,
}

/// A committed change of the core, delivered to every framework the tenant
/// has enabled (`Framework::on_event`).
#[derive(Clone, Debug, PartialEq)]
pub enum CoreEvent {
    PersonCreated(PersonV1),
    PersonUpdated {
        before: PersonV1,
        after: PersonV1,
    },
    /// Also sent (instead of `PersonUpdated`) when a person leaves.
    PersonDeactivated {
        before: PersonV1,
        after: PersonV1,
    },
    OrgUnitCreated(OrgUnitV1),
    OrgUnitUpdated {
        before: OrgUnitV1,
        after: OrgUnitV1,
    },
    OrgUnitDeleted(OrgUnitV1),
    MetricCreated(MetricV1),
    MetricUpdated {
        before: MetricV1,
        after: MetricV1,
    },
    /// A value recorded for a period; `replaced` holds the earlier one.
    MetricValueRecorded {
        value: MetricValueV1,
        replaced: Option<MetricValueV1>,
    },
    StrategicPriorityCreated(StrategicPriorityV1),
    StrategicPriorityUpdated {
        before: StrategicPriorityV1,
        after: StrategicPriorityV1,
    },
    StrategicPriorityDeleted(StrategicPriorityV1),
}

impl From<&person::Model> for PersonV1 {
    fn from(row: &person::Model) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            email: row.email.clone(),
            title: row.title.clone(),
            org_unit_id: row.org_unit_id,
            manager_id: row.manager_id,
            status: PersonStatus::parse(&row.status).unwrap_or(PersonStatus::Active),
            start_date: row.start_date,
            end_date: row.end_date,
        }
    }
}

impl From<&org_unit::Model> for OrgUnitV1 {
    fn from(row: &org_unit::Model) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            parent_id: row.parent_id,
            head_person_id: row.head_person_id,
        }
    }
}

impl From<&metric::Model> for MetricV1 {
    fn from(row: &metric::Model) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            owner_id: row.owner_id,
            org_unit_id: row.org_unit_id,
            priority_id: row.priority_id,
        }
    }
}

impl From<&metric_value::Model> for MetricValueV1 {
    fn from(row: &metric_value::Model) -> Self {
        Self {
            id: row.id,
            metric_id: row.metric_id,
            period_start: row.period_start,
            value: crate::decimal::from_stored(&row.value).unwrap_or_default(),
            source: ValueSource::parse(&row.source).unwrap_or(ValueSource::Manual),
            recorded_at: row.recorded_at,
        }
    }
}

impl From<&strategic_priority::Model> for StrategicPriorityV1 {
    fn from(row: &strategic_priority::Model) -> Self {
        Self {
            id: row.id,
            title: row.title.clone(),
            owner_id: row.owner_id,
            position: row.position,
        }
    }
}

/// The row the outbox stored under `side` (`before` or `after`), read
/// back with the model that wrote it, then made the payload.
fn side<M: DeserializeOwned, P: for<'a> From<&'a M>>(event: &DomainEvent, side: &str) -> Option<P> {
    let raw = event.payload.get(side).filter(|v| !v.is_null())?;
    let row: M = serde_json::from_value(raw.clone()).ok()?;
    Some(P::from(&row))
}

impl CoreEvent {
    /// The typed event of an outbox event, or `None` for a framework's own
    /// events and the core's administrative ones (tenants, frameworks).
    pub fn of(event: &DomainEvent) -> Option<Self> {
        Some(match event.kind.as_str() {
            "person.created" => Self::PersonCreated(side::<person::Model, _>(event, "after")?),
            "person.updated" => Self::PersonUpdated {
                before: side::<person::Model, _>(event, "before")?,
                after: side::<person::Model, _>(event, "after")?,
            },
            "person.deactivated" => Self::PersonDeactivated {
                before: side::<person::Model, _>(event, "before")?,
                after: side::<person::Model, _>(event, "after")?,
            },
            "org_unit.created" => Self::OrgUnitCreated(side::<org_unit::Model, _>(event, "after")?),
            "org_unit.updated" => Self::OrgUnitUpdated {
                before: side::<org_unit::Model, _>(event, "before")?,
                after: side::<org_unit::Model, _>(event, "after")?,
            },
            "org_unit.deleted" => {
                Self::OrgUnitDeleted(side::<org_unit::Model, _>(event, "before")?)
            }
            "metric.created" => Self::MetricCreated(side::<metric::Model, _>(event, "after")?),
            "metric.updated" => Self::MetricUpdated {
                before: side::<metric::Model, _>(event, "before")?,
                after: side::<metric::Model, _>(event, "after")?,
            },
            "metric_value.recorded" | "metric_value.replaced" => Self::MetricValueRecorded {
                value: side::<metric_value::Model, _>(event, "after")?,
                replaced: side::<metric_value::Model, _>(event, "before"),
            },
            "strategic_priority.created" => {
                Self::StrategicPriorityCreated(side::<strategic_priority::Model, _>(
                    event, "after",
                )?)
            }
            "strategic_priority.updated" => Self::StrategicPriorityUpdated {
                before: side::<strategic_priority::Model, _>(event, "before")?,
                after: side::<strategic_priority::Model, _>(event, "after")?,
            },
            "strategic_priority.deleted" => {
                Self::StrategicPriorityDeleted(side::<strategic_priority::Model, _>(
                    event, "before",
                )?)
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, before: serde_json::Value, after: serde_json::Value) -> DomainEvent {
        DomainEvent {
            seq: 1,
            id: Uuid::now_v7(),
            tenant_id: Uuid::now_v7(),
            kind: kind.into(),
            entity_type: "X".into(),
            entity_id: Uuid::now_v7(),
            actor_user_id: None,
            payload: json!({ "before": before, "after": after }),
            occurred_at: Utc::now(),
        }
    }

    fn person(status: &str) -> person::Model {
        person::Model {
            id: Uuid::now_v7(),
            tenant_id: Uuid::now_v7(),
            name: "Ada".into(),
            email: Some("ada@acme.example".into()),
            title: None,
            org_unit_id: None,
            manager_id: Some(Uuid::now_v7()),
            status: status.into(),
            start_date: None,
            end_date: NaiveDate::from_ymd_opt(2026, 11, 30),
            external_id: Some("E1".into()),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 2,
        }
    }

    #[test]
    fn a_stored_row_becomes_its_typed_payload() {
        let (before, after) = (person("ACTIVE"), person("INACTIVE"));
        let parsed = CoreEvent::of(&event(
            "person.deactivated",
            serde_json::to_value(&before).unwrap(),
            serde_json::to_value(&after).unwrap(),
        ));
        let Some(CoreEvent::PersonDeactivated {
            before: b,
            after: a,
        }) = parsed
        else {
            panic!("{parsed:?}");
        };
        assert_eq!(
            (b.status, a.status),
            (PersonStatus::Active, PersonStatus::Inactive)
        );
        assert_eq!(
            (a.id, a.manager_id, a.end_date),
            (after.id, after.manager_id, after.end_date)
        );

        let value = metric_value::Model {
            id: Uuid::now_v7(),
            tenant_id: Uuid::now_v7(),
            metric_id: Uuid::now_v7(),
            period_start: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            value: "1234.5600".into(),
            source: "API".into(),
            recorded_by: None,
            recorded_at: Utc::now(),
        };
        let replaced = CoreEvent::of(&event(
            "metric_value.replaced",
            serde_json::to_value(&value).unwrap(),
            serde_json::to_value(&value).unwrap(),
        ));
        let Some(CoreEvent::MetricValueRecorded {
            value: v,
            replaced: Some(_),
        }) = replaced
        else {
            panic!("{replaced:?}");
        };
        assert_eq!(v.value, Decimal::new(123456, 2));
        assert_eq!((v.metric_id, v.source), (value.metric_id, ValueSource::Api));
    }

    #[test]
    fn framework_events_and_unreadable_payloads_are_not_core_events() {
        assert_eq!(
            CoreEvent::of(&event("okr_check_in.recorded", json!(null), json!({}))),
            None
        );
        assert_eq!(
            CoreEvent::of(&event("tenant.updated", json!({}), json!({}))),
            None
        );
        assert_eq!(
            CoreEvent::of(&event("person.created", json!(null), json!({ "id": 1 }))),
            None
        );
    }
}
