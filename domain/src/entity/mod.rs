//! sea-orm entities of the core, one module per table.

pub mod audit_entry;
pub mod dashboard;
pub mod dashboard_key_metric;
pub mod event_delivery_failure;
pub mod exception_acknowledgement;
pub mod idempotency_key;
pub mod instance_setting;
pub mod membership;
pub mod metric;
pub mod metric_link;
pub mod metric_target;
pub mod metric_value;
pub mod org_unit;
pub mod org_unit_external_id;
pub mod outbox_event;
pub mod person;
pub mod person_external_id;
pub mod review_action_item;
pub mod review_agenda_item;
pub mod review_attendee;
pub mod review_decision;
pub mod review_meeting;
pub mod review_participant;
pub mod review_series;
pub mod service_account;
pub mod service_account_token;
pub mod strategic_priority;
pub mod tenant;
pub mod tenant_framework;
pub mod user;
pub mod user_identity;

/// A table whose rows belong to one tenant (a `tenant_id` column). The
/// tenant scope adds the tenant to every read, write and delete of it.
pub trait TenantTable: sea_orm::EntityTrait {
    fn tenant_column() -> Self::Column;
}

/// A tenant table whose rows have their own `id` (every table but the join
/// tables): loaders, references and pages key on it.
pub trait TenantOwned: TenantTable {
    fn id_column() -> Self::Column;
}

/// A tenant-owned table with optimistic concurrency through a `version`
/// column: `TenantTxn::update_versioned` checks and bumps it.
pub trait Versioned: TenantOwned {
    fn version_column() -> Self::Column;
}

/// Declares tables as tenant-owned: `tenant_tables!(owned: a, b; versioned:
/// a; joins: c)` for modules whose `Column` has `TenantId` (and `Id` for
/// owned ones, `Version` for versioned ones). Frameworks declare their own
/// tables with it.
#[macro_export]
macro_rules! tenant_tables {
    (owned: $($owned:ident),* $(,)? $(; versioned: $($versioned:ident),* $(,)?)? $(; joins: $($join:ident),* $(,)?)?) => {
        $($(
            impl $crate::entity::Versioned for $versioned::Entity {
                fn version_column() -> Self::Column {
                    $versioned::Column::Version
                }
            }
        )*)?
        $(
            impl $crate::entity::TenantTable for $owned::Entity {
                fn tenant_column() -> Self::Column {
                    $owned::Column::TenantId
                }
            }
            impl $crate::entity::TenantOwned for $owned::Entity {
                fn id_column() -> Self::Column {
                    $owned::Column::Id
                }
            }
        )*
        $($(
            impl $crate::entity::TenantTable for $join::Entity {
                fn tenant_column() -> Self::Column {
                    $join::Column::TenantId
                }
            }
        )*)?
    };
}

crate::tenant_tables!(
    owned: org_unit,
    person,
    strategic_priority,
    metric,
    metric_value,
    metric_target,
    dashboard,
    dashboard_key_metric,
    audit_entry,
    outbox_event,
    event_delivery_failure,
    person_external_id,
    org_unit_external_id,
    idempotency_key,
    service_account,
    service_account_token,
    exception_acknowledgement,
    review_series,
    review_participant,
    review_meeting,
    review_attendee,
    review_agenda_item,
    review_decision,
    review_action_item;
    versioned: org_unit,
    person,
    strategic_priority,
    metric,
    metric_target,
    dashboard,
    review_series,
    review_meeting,
    review_action_item;
    joins: metric_link,
    tenant_framework,
    membership,
);
