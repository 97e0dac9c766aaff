//! Domain events: written to the outbox in the transaction of the change they
//! announce (with its audit entry), and the in-process bus they reach
//! subscribers through. `dispatcher` delivers them after commit.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{Notify, broadcast};
use uuid::Uuid;

use crate::entity::outbox_event;
use crate::error::DomainResult;

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
    pub(crate) sender: broadcast::Sender<Arc<DomainEvent>>,
    pub(crate) wake: Arc<Notify>,
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

    /// Every tenant's events: subscriptions read them through
    /// [`crate::TenantScope::subscribe`], which keeps only their tenant's.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Arc<DomainEvent>> {
        self.sender.subscribe()
    }

    pub fn wake_dispatcher(&self) {
        self.wake.notify_one();
    }
}

pub(crate) fn to_json<T: Serialize>(value: Option<&T>) -> DomainResult<Option<serde_json::Value>> {
    value
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| crate::DomainError::Internal(format!("serialising a change: {e}")))
}

/// What one mutation changed, for the audit log and the outbox.
pub struct Change<'a, T: Serialize> {
    /// `entity.verb`, e.g. `person.updated`; also the event kind.
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Uuid,
    pub before: Option<&'a T>,
    pub after: Option<&'a T>,
}

impl<'a, T: Serialize> Change<'a, T> {
    pub fn created(action: &'a str, entity_type: &'a str, entity_id: Uuid, after: &'a T) -> Self {
        Self {
            action,
            entity_type,
            entity_id,
            before: None,
            after: Some(after),
        }
    }

    pub fn updated(
        action: &'a str,
        entity_type: &'a str,
        entity_id: Uuid,
        before: &'a T,
        after: &'a T,
    ) -> Self {
        Self {
            action,
            entity_type,
            entity_id,
            before: Some(before),
            after: Some(after),
        }
    }

    pub fn deleted(action: &'a str, entity_type: &'a str, entity_id: Uuid, before: &'a T) -> Self {
        Self {
            action,
            entity_type,
            entity_id,
            before: Some(before),
            after: None,
        }
    }
}
