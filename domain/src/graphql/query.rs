//! The core's query root, merged from one part per concept, and the core's
//! `node` resolution.

use super::context::request;
use super::loaders::ById;
use super::types::*;
use crate::entity::{
    audit_entry, event_delivery_failure, metric, metric_value, org_unit, person, strategic_priority,
};
use async_graphql::{Context, MergedObject, Result};
use uuid::Uuid;

/// Any core entity, as resolved by `node(id)`.
pub enum CoreNode {
    Person(Person),
    OrgUnit(OrgUnit),
    StrategicPriority(StrategicPriority),
    Metric(Metric),
    MetricValue(MetricValue),
    AuditEntry(AuditEntry),
    EventDeliveryFailure(EventDeliveryFailure),
}

/// Resolves a core global ID through the request's loaders (so `nodes(ids)`
/// costs one statement per type). Another tenant's ID resolves to nothing,
/// exactly like an unknown one.
pub async fn resolve_core_node(
    ctx: &Context<'_>,
    type_name: &str,
    id: Uuid,
) -> Result<Option<CoreNode>> {
    let request = request(ctx)?;
    Ok(match type_name {
        "Person" => request
            .loader::<ById<person::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| CoreNode::Person(Person(m))),
        "OrgUnit" => request
            .loader::<ById<org_unit::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| CoreNode::OrgUnit(OrgUnit(m))),
        "StrategicPriority" => request
            .loader::<ById<strategic_priority::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| CoreNode::StrategicPriority(StrategicPriority(m))),
        "Metric" => request
            .loader::<ById<metric::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| CoreNode::Metric(Metric(m))),
        "MetricValue" => request
            .loader::<ById<metric_value::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| CoreNode::MetricValue(MetricValue(m))),
        "AuditEntry" if request.scope.actor().role.is_admin() => request
            .loader::<ById<audit_entry::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| CoreNode::AuditEntry(AuditEntry(m))),
        "EventDeliveryFailure" if request.scope.actor().role.is_admin() => request
            .loader::<ById<event_delivery_failure::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| CoreNode::EventDeliveryFailure(EventDeliveryFailure(m))),
        _ => None,
    })
}

/// The core's query fields.
#[derive(MergedObject, Default)]
pub struct CoreQuery(
    super::tenant::TenantQuery,
    super::viewer::ViewerQuery,
    super::people::PeopleQuery,
    super::org_units::OrgUnitsQuery,
    super::priorities::PrioritiesQuery,
    super::metrics::MetricsQuery,
    super::targets::TargetsQuery,
    super::audit::AuditQuery,
    super::event_deliveries::EventDeliveriesQuery,
);
