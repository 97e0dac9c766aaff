//! The core's query root, merged from one part per concept, and the core's
//! `node` resolution.

use super::context::request;
use super::loaders::ById;
use super::service_accounts::{ServiceAccount, ServiceAccountToken};
use super::types::*;
use crate::entity::{
    audit_entry, event_delivery_failure, metric, metric_target, metric_value, org_unit, person,
    service_account, service_account_token, strategic_priority,
};
use async_graphql::{Context, MergedObject, Result};
use uuid::Uuid;

/// The core's types behind the `Node` interface, for the api's assembly
/// (the convention every framework crate follows too):
/// `node_types!(callback args…)` calls `callback!(args… [Variant(Type)…])`.
#[macro_export]
macro_rules! node_types {
    ($callback:ident $($args:tt)*) => {
        $callback! { $($args)* [
            Person($crate::graphql::types::Person)
            OrgUnit($crate::graphql::types::OrgUnit)
            StrategicPriority($crate::graphql::types::StrategicPriority)
            Metric($crate::graphql::types::Metric)
            MetricValue($crate::graphql::types::MetricValue)
            MetricTarget($crate::graphql::types::MetricTarget)
            Dashboard($crate::graphql::types::Dashboard)
            ReviewSeries($crate::graphql::reviews::ReviewSeries)
            ReviewMeeting($crate::graphql::reviews::ReviewMeeting)
            ReviewActionItem($crate::graphql::reviews::ReviewActionItem)
            AuditEntry($crate::graphql::types::AuditEntry)
            EventDeliveryFailure($crate::graphql::types::EventDeliveryFailure)
            ServiceAccount($crate::graphql::service_accounts::ServiceAccount)
            ServiceAccountToken($crate::graphql::service_accounts::ServiceAccountToken)
        ] }
    };
}

/// Resolves a core global ID through the request's loaders (so `nodes(ids)`
/// costs one statement per type). Another tenant's ID resolves to nothing,
/// exactly like an unknown one.
pub async fn resolve_core_node<N>(ctx: &Context<'_>, type_name: &str, id: Uuid) -> Result<Option<N>>
where
    N: From<Person>
        + From<OrgUnit>
        + From<StrategicPriority>
        + From<Metric>
        + From<MetricValue>
        + From<MetricTarget>
        + From<Dashboard>
        + From<super::reviews::ReviewSeries>
        + From<super::reviews::ReviewMeeting>
        + From<super::reviews::ReviewActionItem>
        + From<AuditEntry>
        + From<EventDeliveryFailure>
        + From<ServiceAccount>
        + From<ServiceAccountToken>,
{
    let request = request(ctx)?;
    Ok(match type_name {
        "Person" => request
            .loader::<ById<person::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| N::from(Person(m))),
        "OrgUnit" => request
            .loader::<ById<org_unit::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| N::from(OrgUnit(m))),
        "StrategicPriority" => request
            .loader::<ById<strategic_priority::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| N::from(StrategicPriority(m))),
        "Metric" => request
            .loader::<ById<metric::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| N::from(Metric(m))),
        "MetricValue" => request
            .loader::<ById<metric_value::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| N::from(MetricValue(m))),
        "MetricTarget" => request
            .loader::<ById<metric_target::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| N::from(MetricTarget(m))),
        "Dashboard" => super::dashboards::readable_dashboard(ctx, id)
            .await?
            .map(N::from),
        "ReviewSeries" => super::reviews::readable_review_series(ctx, id)
            .await?
            .map(N::from),
        "ReviewMeeting" => super::reviews::readable_review_meeting(ctx, id)
            .await?
            .map(N::from),
        "ReviewActionItem" => super::reviews::readable_action_item(ctx, id)
            .await?
            .map(N::from),
        "AuditEntry" if request.scope.actor().role.is_admin() => request
            .loader::<ById<audit_entry::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| N::from(AuditEntry(m))),
        "EventDeliveryFailure" if request.scope.actor().role.is_admin() => request
            .loader::<ById<event_delivery_failure::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| N::from(EventDeliveryFailure(m))),
        "ServiceAccount" if may_manage_service_accounts(request) => request
            .loader::<ById<service_account::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| N::from(ServiceAccount(m))),
        "ServiceAccountToken" if may_manage_service_accounts(request) => request
            .loader::<ById<service_account_token::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| N::from(ServiceAccountToken(m))),
        _ => None,
    })
}

/// Service accounts resolve by ID for those who may list them.
fn may_manage_service_accounts(request: &super::RequestContext) -> bool {
    crate::service::service_accounts::authorize(&request.scope).is_ok()
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
    super::dashboards::DashboardsQuery,
    super::exceptions::ExceptionsQuery,
    super::reviews::ReviewsQuery,
    super::targets::TargetsQuery,
    super::audit::AuditQuery,
    super::changes::ChangesQuery,
    super::event_deliveries::EventDeliveriesQuery,
    super::service_accounts::ServiceAccountsQuery,
);
