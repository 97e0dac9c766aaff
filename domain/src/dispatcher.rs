//! Delivery of committed events: to every enabled framework's handler, each
//! failure recorded, retried with backoff and parked on its own, then to
//! in-process subscribers. Events are written by `events`; this module only
//! reads and delivers them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::FutureExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::entity::{event_delivery_failure, outbox_event, tenant};
use crate::error::DomainResult;
use crate::events::{DomainEvent, EventBus};
use crate::framework::FrameworkRegistry;
use crate::tenancy::{Actor, TenantScope};

/// How many times a handler is tried for one event before it is parked.
pub const MAX_DELIVERY_ATTEMPTS: i32 = 5;
/// How long one handler may take for one event.
pub const HANDLER_TIMEOUT: Duration = Duration::from_secs(30);

/// The wait before retry `attempt` (1-based): 5 s, 20 s, 80 s, 320 s…
fn backoff(attempt: i32) -> chrono::Duration {
    let exponent = u32::try_from(attempt.clamp(1, 6) - 1).unwrap_or(0);
    chrono::Duration::seconds(5 * 4i64.pow(exponent))
}

/// Delivers committed events until `shutdown` fires. Woken at once by a
/// commit in this process, and by `poll` as a fallback (events written by
/// other processes, or left over from a crash). Nothing a handler does —
/// an error, a panic, a hang — stops the loop.
pub async fn run_dispatcher(
    db: DatabaseConnection,
    bus: EventBus,
    registry: FrameworkRegistry,
    poll: Duration,
    shutdown: Arc<Notify>,
) {
    loop {
        let round = async {
            deliver_pending(&db, &bus, &registry).await?;
            retry_failed_deliveries(&db, &bus, &registry).await
        };
        match std::panic::AssertUnwindSafe(round).catch_unwind().await {
            Ok(Ok(_)) => {}
            Ok(Err(err)) => tracing::error!(?err, "event dispatch failed; will retry"),
            Err(_) => tracing::error!("event dispatch panicked; will retry"),
        }
        tokio::select! {
            _ = bus.wake.notified() => {}
            _ = tokio::time::sleep(poll.min(Duration::from_secs(5))) => {}
            _ = shutdown.notified() => return,
        }
    }
}

/// Events read per round: a 5,000-record sync's events go in 10 rounds.
const DISPATCH_BATCH: u64 = 500;

/// Delivers every undelivered event in order; returns how many.
///
/// A round reads a batch, opens each tenant's scope once (not once per
/// event), delivers the events in order, and marks the whole batch in one
/// statement: a bulk sync's thousands of events cost a few statements per
/// batch, not three per event, so dispatch keeps up and leaves the core
/// (often the same one on a small machine) to the requests. Delivery is at
/// least once: a crash before the mark delivers the batch again.
pub async fn deliver_pending(
    db: &DatabaseConnection,
    bus: &EventBus,
    registry: &FrameworkRegistry,
) -> DomainResult<usize> {
    let mut delivered = 0;
    loop {
        let batch = outbox_event::Entity::find()
            .filter(outbox_event::Column::DispatchedAt.is_null())
            .order_by_asc(outbox_event::Column::Seq)
            .limit(DISPATCH_BATCH)
            .all(db)
            .await?;
        if batch.is_empty() {
            return Ok(delivered);
        }
        let mut tenants: HashMap<Uuid, Option<(TenantScope, Vec<String>)>> = HashMap::new();
        let mut seqs = Vec::with_capacity(batch.len());
        for row in batch {
            seqs.push(row.seq);
            let event = Arc::new(DomainEvent::from(row));
            if !registry.is_empty() {
                let tenant = match tenants.entry(event.tenant_id) {
                    std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
                    std::collections::hash_map::Entry::Vacant(new) => {
                        new.insert(tenant_scope(db, bus, event.tenant_id).await?)
                    }
                };
                if let Some((scope, enabled)) = tenant {
                    deliver_to_frameworks(db, registry, scope, enabled, &event).await?;
                }
            }
            // What frameworks the tenant has may change with this event:
            // the next one reads them again.
            if event.kind.starts_with("framework.") || event.kind.starts_with("tenant.") {
                tenants.remove(&event.tenant_id);
            }
            // No receivers is fine: nobody is subscribed.
            let _ = bus.sender.send(event);
        }
        delivered += seqs.len();
        outbox_event::Entity::update_many()
            .col_expr(
                outbox_event::Column::DispatchedAt,
                sea_orm::sea_query::Expr::value(Utc::now()),
            )
            .filter(outbox_event::Column::Seq.is_in(seqs))
            .exec(db)
            .await?;
    }
}

/// Runs one handler for one event, turning a panic or a hang into an error
/// text for the failure record.
async fn run_handler(
    framework: &dyn crate::framework::AnyFramework,
    scope: &TenantScope,
    event: &DomainEvent,
) -> Result<(), String> {
    // Frameworks hear the core's events, typed; their own they handle
    // where they happen, and they never hear each other's.
    let Some(core) = crate::core_events::CoreEvent::of(event) else {
        return Ok(());
    };
    let call = std::panic::AssertUnwindSafe(framework.on_event(scope, &core)).catch_unwind();
    match tokio::time::timeout(HANDLER_TIMEOUT, call).await {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(crate::DomainError::Internal(cause)))) => {
            // The cause may carry SQL: it goes to the log, not to admins.
            tracing::error!(event = %event.id, framework = framework.key(), %cause, "event handler failed");
            Err(format!(
                "INTERNAL: the handler failed; the server log has the cause under event {}",
                event.id
            ))
        }
        Ok(Ok(Err(err))) => Err(format!("{}: {}", err.code().as_str(), err.message())),
        Ok(Err(panic)) => Err(format!(
            "the handler panicked: {}",
            crate::error::panic_text(panic.as_ref())
        )),
        Err(_) => Err(format!(
            "the handler took longer than {} s",
            HANDLER_TIMEOUT.as_secs()
        )),
    }
}

async fn tenant_scope(
    db: &DatabaseConnection,
    bus: &EventBus,
    tenant_id: Uuid,
) -> DomainResult<Option<(TenantScope, Vec<String>)>> {
    let Some(tenant) = tenant::Entity::find_by_id(tenant_id).one(db).await? else {
        return Ok(None);
    };
    let scope = TenantScope::new(db.clone(), tenant, Actor::system(), bus.clone());
    let enabled = crate::service::frameworks::enabled_keys(&scope).await?;
    Ok(Some((scope, enabled)))
}

async fn deliver_to_frameworks(
    db: &DatabaseConnection,
    registry: &FrameworkRegistry,
    scope: &TenantScope,
    enabled: &[String],
    event: &DomainEvent,
) -> DomainResult<()> {
    for framework in registry.iter() {
        if !enabled.iter().any(|key| key == framework.key()) {
            continue;
        }
        // A failing handler fails alone: it is recorded for a retry, and
        // every later event, framework and tenant goes on.
        if let Err(error) = run_handler(framework.as_ref(), scope, event).await {
            tracing::error!(framework = framework.key(), event = %event.id, kind = %event.kind, %error, "event handler failed; will retry");
            let now = Utc::now();
            let failure = event_delivery_failure::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_seq: Set(event.seq),
                event_id: Set(event.id),
                event_kind: Set(event.kind.clone()),
                framework_key: Set(framework.key().to_string()),
                attempts: Set(1),
                last_error: Set(error),
                next_attempt_at: Set(now + backoff(1)),
                parked_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            match scope.owned(failure).insert(db).await {
                Ok(_) => {}
                // Recorded already, before a crash kept the event undelivered.
                Err(err)
                    if matches!(
                        err.sql_err(),
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                    ) => {}
                Err(err) => return Err(err.into()),
            }
        }
    }
    Ok(())
}

/// Retries the failed deliveries that are due; a success removes the
/// record, a failure counts up and, at [`MAX_DELIVERY_ATTEMPTS`], parks it.
pub async fn retry_failed_deliveries(
    db: &DatabaseConnection,
    bus: &EventBus,
    registry: &FrameworkRegistry,
) -> DomainResult<usize> {
    let due = event_delivery_failure::Entity::find()
        .filter(event_delivery_failure::Column::ParkedAt.is_null())
        .filter(event_delivery_failure::Column::NextAttemptAt.lte(Utc::now()))
        .order_by_asc(event_delivery_failure::Column::EventSeq)
        .limit(50)
        .all(db)
        .await?;
    let mut retried = 0;
    for failure in due {
        retried += 1;
        let event = outbox_event::Entity::find()
            .filter(outbox_event::Column::Seq.eq(failure.event_seq))
            .one(db)
            .await?
            .map(DomainEvent::from);
        let framework = registry.iter().find(|f| f.key() == failure.framework_key);
        let scope = tenant_scope(db, bus, failure.tenant_id).await?;
        let outcome = match (event, framework, scope) {
            (Some(event), Some(framework), Some((scope, enabled)))
                if enabled.iter().any(|key| key == framework.key()) =>
            {
                run_handler(framework.as_ref(), &scope, &event).await
            }
            // The event, framework or tenant is gone, or the framework was
            // switched off: nothing is left to deliver.
            _ => Ok(()),
        };
        match outcome {
            Ok(()) => {
                event_delivery_failure::Entity::delete_by_id(failure.id)
                    .exec(db)
                    .await?;
            }
            Err(error) => {
                let attempts = failure.attempts.saturating_add(1);
                let now = Utc::now();
                let parked = attempts >= MAX_DELIVERY_ATTEMPTS;
                tracing::error!(framework = %failure.framework_key, event = %failure.event_id, attempts, parked, %error, "event handler failed again");
                let mut active: event_delivery_failure::ActiveModel = failure.into();
                active.attempts = Set(attempts);
                active.last_error = Set(error);
                active.next_attempt_at = Set(now + backoff(attempts));
                active.parked_at = Set(parked.then_some(now));
                active.updated_at = Set(now);
                active.update(db).await?;
            }
        }
    }
    Ok(retried)
}
