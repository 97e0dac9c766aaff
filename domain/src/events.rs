//! Domain events: written to the outbox in the transaction of the change they
//! announce, delivered after commit, in order, to framework handlers and to
//! in-process GraphQL subscriptions.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use tokio::sync::{Notify, broadcast};
use uuid::Uuid;

use crate::entity::{audit_entry, outbox_event, tenant, tenant_framework};
use crate::error::DomainResult;
use crate::framework::FrameworkRegistry;
use crate::tenancy::{Actor, Change, TenantScope};

/// A committed change, as delivered to handlers and subscribers.
#[derive(Clone, Debug, Serialize)]
pub struct DomainEvent {
    pub seq: i64,
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// `entity.verb`, e.g. `metric_value.recorded`.
    pub kind: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub actor_user_id: Option<Uuid>,
    /// `{ "before": …, "after": … }`
    pub payload: serde_json::Value,
    pub occurred_at: DateTime<Utc>,
}

impl DomainEvent {
    /// The entity's state after the change, if any.
    pub fn after(&self) -> Option<&serde_json::Value> {
        self.payload.get("after").filter(|v| !v.is_null())
    }
}

impl From<outbox_event::Model> for DomainEvent {
    fn from(row: outbox_event::Model) -> Self {
        Self {
            seq: row.seq,
            id: row.id,
            tenant_id: row.tenant_id,
            kind: row.kind,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            actor_user_id: row.actor_user_id,
            payload: row.payload,
            occurred_at: row.occurred_at,
        }
    }
}

/// The in-process side of event delivery: a broadcast for subscribers and a
/// wake-up for the dispatcher.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<DomainEvent>>,
    wake: Arc<Notify>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(1024);
        Self {
            sender,
            wake: Arc::new(Notify::new()),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<DomainEvent>> {
        self.sender.subscribe()
    }

    pub fn wake_dispatcher(&self) {
        self.wake.notify_one();
    }
}

fn to_json<T: Serialize>(value: Option<&T>) -> DomainResult<Option<serde_json::Value>> {
    value
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| crate::DomainError::Internal(format!("serialising a change: {e}")))
}

/// Writes the audit entry and the outbox event of one change, on the
/// connection (transaction) of the change itself.
pub(crate) async fn record_change<C: ConnectionTrait, T: Serialize>(
    conn: &C,
    tenant_id: Uuid,
    actor: Option<Uuid>,
    change: Change<'_, T>,
) -> DomainResult<()> {
    let now = Utc::now();
    let before = to_json(change.before)?;
    let after = to_json(change.after)?;
    audit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        actor_user_id: Set(actor),
        action: Set(change.action.to_string()),
        entity_type: Set(change.entity_type.to_string()),
        entity_id: Set(change.entity_id),
        before: Set(before.clone()),
        after: Set(after.clone()),
        occurred_at: Set(now),
    }
    .insert(conn)
    .await?;
    outbox_event::ActiveModel {
        seq: Default::default(),
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        kind: Set(change.action.to_string()),
        entity_type: Set(change.entity_type.to_string()),
        entity_id: Set(change.entity_id),
        actor_user_id: Set(actor),
        payload: Set(serde_json::json!({ "before": before, "after": after })),
        occurred_at: Set(now),
        dispatched_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Delivers committed events until `shutdown` fires. Woken at once by a
/// commit in this process, and by `poll` as a fallback (events written by
/// other processes, or left over from a crash).
pub async fn run_dispatcher(
    db: DatabaseConnection,
    bus: EventBus,
    registry: FrameworkRegistry,
    poll: Duration,
    shutdown: Arc<Notify>,
) {
    loop {
        match deliver_pending(&db, &bus, &registry).await {
            Ok(_) => {}
            Err(err) => tracing::error!(?err, "event dispatch failed; will retry"),
        }
        tokio::select! {
            _ = bus.wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.notified() => return,
        }
    }
}

/// Delivers every undelivered event in order; returns how many.
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
            .limit(200)
            .all(db)
            .await?;
        if batch.is_empty() {
            return Ok(delivered);
        }
        for row in batch {
            let seq = row.seq;
            let event = Arc::new(DomainEvent::from(row));
            deliver_to_frameworks(db, bus, registry, &event).await?;
            // No receivers is fine: nobody is subscribed.
            let _ = bus.sender.send(event);
            outbox_event::Entity::update_many()
                .col_expr(
                    outbox_event::Column::DispatchedAt,
                    sea_orm::sea_query::Expr::value(Utc::now()),
                )
                .filter(outbox_event::Column::Seq.eq(seq))
                .exec(db)
                .await?;
            delivered += 1;
        }
    }
}

async fn deliver_to_frameworks(
    db: &DatabaseConnection,
    bus: &EventBus,
    registry: &FrameworkRegistry,
    event: &DomainEvent,
) -> DomainResult<()> {
    if registry.is_empty() {
        return Ok(());
    }
    let Some(tenant) = tenant::Entity::find_by_id(event.tenant_id).one(db).await? else {
        return Ok(());
    };
    let enabled: Vec<String> = tenant_framework::Entity::find()
        .filter(tenant_framework::Column::TenantId.eq(tenant.id))
        .filter(tenant_framework::Column::Enabled.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.framework_key)
        .collect();
    let scope = TenantScope::new(db.clone(), tenant, Actor::system(), bus.clone());
    for framework in registry.iter() {
        if !enabled.iter().any(|key| key == framework.key()) {
            continue;
        }
        // A failing handler must not block every later event: log and go on.
        if let Err(err) = framework.on_event(&scope, event).await {
            tracing::error!(framework = framework.key(), event = %event.id, ?err, "event handler failed");
        }
    }
    Ok(())
}
