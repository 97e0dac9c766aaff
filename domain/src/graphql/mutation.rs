//! The core's mutation root, merged from one part per concept. Each mutation
//! takes one `input` and returns a payload; each is one transaction with its
//! audit entry and event.

use async_graphql::MergedObject;

/// The core's mutations.
#[derive(MergedObject, Default)]
pub struct CoreMutation(
    super::tenant::TenantMutation,
    super::people::PeopleMutation,
    super::directory::DirectoryMutation,
    super::org_units::OrgUnitsMutation,
    super::priorities::PrioritiesMutation,
    super::metrics::MetricsMutation,
    super::metric_targets::MetricTargetsMutation,
    super::dashboards::DashboardsMutation,
    super::exceptions::ExceptionsMutation,
    super::reviews::ReviewsMutation,
    super::event_deliveries::EventDeliveriesMutation,
    super::service_accounts::ServiceAccountsMutation,
);
