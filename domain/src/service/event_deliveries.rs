//! Failed deliveries of events to framework handlers, for the tenant's
//! admins: what failed, how often, and a way to try again once fixed.

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::entity::event_delivery_failure;
use crate::error::DomainResult;
use crate::tenancy::{Change, TenantScope, TenantSelect};

/// The tenant's failed deliveries; `parked` narrows to those that gave up
/// (`Some(true)`) or are still retrying (`Some(false)`). Admins only.
pub fn query(
    scope: &TenantScope,
    parked: Option<bool>,
) -> DomainResult<TenantSelect<event_delivery_failure::Entity>> {
    scope.require_admin("reading failed event deliveries")?;
    let mut select = scope.select::<event_delivery_failure::Entity>();
    match parked {
        Some(true) => {
            select = select.filter(event_delivery_failure::Column::ParkedAt.is_not_null())
        }
        Some(false) => select = select.filter(event_delivery_failure::Column::ParkedAt.is_null()),
        None => {}
    }
    Ok(select)
}

/// Schedules a failed delivery for an immediate retry, with a fresh count
/// of tries (admins, after fixing what made it fail). Audited.
pub async fn retry(scope: &TenantScope, id: Uuid) -> DomainResult<event_delivery_failure::Model> {
    scope.require_admin("retrying event deliveries")?;
    let mut tx = scope.begin().await?;
    let current = tx
        .load::<event_delivery_failure::Entity>(id, "event delivery")
        .await?;
    let now = Utc::now();
    let mut active: event_delivery_failure::ActiveModel = current.clone().into();
    active.attempts = Set(0);
    active.parked_at = Set(None);
    active.next_attempt_at = Set(now);
    active.updated_at = Set(now);
    let after = tx.save(active).await?;
    tx.record(Change::updated(
        "event_delivery.retried",
        "EventDeliveryFailure",
        id,
        &current,
        &after,
    ))
    .await?;
    tx.commit().await?;
    scope.events().wake_dispatcher();
    Ok(after)
}
