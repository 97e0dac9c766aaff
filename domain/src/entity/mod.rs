//! sea-orm entities of the core, one module per table.

pub mod audit_entry;
pub mod event_delivery_failure;
pub mod instance_setting;
pub mod membership;
pub mod metric;
pub mod metric_link;
pub mod metric_value;
pub mod org_unit;
pub mod outbox_event;
pub mod person;
pub mod strategic_priority;
pub mod tenant;
pub mod tenant_framework;
pub mod user;
pub mod user_identity;

/// An entity whose rows belong to one tenant. The tenant scope filters every
/// read of such an entity through [`TenantOwned::tenant_column`].
pub trait TenantOwned: sea_orm::EntityTrait {
    fn tenant_column() -> Self::Column;
    fn id_column() -> Self::Column;
}

macro_rules! tenant_owned {
    ($($module:ident),* $(,)?) => {$(
        impl TenantOwned for $module::Entity {
            fn tenant_column() -> Self::Column {
                $module::Column::TenantId
            }
            fn id_column() -> Self::Column {
                $module::Column::Id
            }
        }
    )*};
}

tenant_owned!(
    org_unit,
    person,
    strategic_priority,
    metric,
    metric_value,
    audit_entry,
    outbox_event,
    event_delivery_failure,
);
