//! The core's GraphQL object types, each defined with its concept
//! (`people.rs`, `metrics.rs`, …) and gathered here for frameworks to name.

pub use super::audit::AuditEntry;
pub use super::dashboards::Dashboard;
pub use super::event_deliveries::EventDeliveryFailure;
pub use super::metric_targets::MetricTarget;
pub use super::metrics::Metric;
pub use super::metrics::MetricValue;
pub use super::org_units::OrgUnit;
pub(crate) use super::org_units::load_org_unit;
pub use super::people::Person;
pub(crate) use super::people::load_person;
pub use super::priorities::StrategicPriority;
pub use super::tenant::Tenant;
pub use super::tenant::TenantFramework;
pub use super::viewer::TenantMembership;
pub use super::viewer::User;
pub(crate) use super::viewer::load_user;
