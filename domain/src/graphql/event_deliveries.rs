//! Events a framework failed to process: listed for admins, retried on demand.

use super::connection::{self, Page, PageArgs, SortKey, page_complexity};
use super::context::request;
use super::ids::{decode_id, encode_id};
use crate::entity::event_delivery_failure;
use crate::service;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

/// An event a framework failed to process (its handler answered an error,
/// panicked or hung). The event itself went on to everyone else; this
/// delivery is retried with backoff (5 s, 20 s, 80 s…) and parked after 5
/// tries, until an admin asks for `retryEventDelivery`.
#[derive(Clone, Debug)]
pub struct EventDeliveryFailure(pub event_delivery_failure::Model);

/// An event a framework failed to process, retried with backoff and parked
/// after 5 tries.
#[Object]
impl EventDeliveryFailure {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("EventDeliveryFailure", self.0.id)
    }
    /// The event, as `entity.verb` (e.g. `metric_value.recorded`).
    async fn event_kind(&self) -> &str {
        &self.0.event_kind
    }
    /// The event's ID, as in the server log.
    async fn event_id(&self) -> ID {
        ID(self.0.event_id.to_string())
    }
    /// The framework whose handler failed (`okr`, …).
    async fn framework(&self) -> &str {
        &self.0.framework_key
    }
    /// How many times the handler has failed since the last manual retry.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// What the last try answered: an error code and message, a panic, or a timeout.
    async fn last_error(&self) -> &str {
        &self.0.last_error
    }
    /// When the next try is due; null once parked.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.parked_at.is_none().then_some(self.0.next_attempt_at)
    }
    /// When the dispatcher gave up; null while it still retries.
    async fn parked_at(&self) -> Option<DateTime<Utc>> {
        self.0.parked_at
    }
    /// When the first try failed.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A failed event delivery to try again.
#[derive(InputObject)]
pub struct RetryEventDeliveryInput {
    /// The global ID of the failed delivery.
    pub id: ID,
}

/// The failed delivery, scheduled for an immediate retry.
#[derive(SimpleObject)]
pub struct EventDeliveryFailurePayload {
    /// The failed delivery, its tries reset; it disappears once a try succeeds.
    pub failure: EventDeliveryFailure,
}

#[derive(Default)]
pub struct EventDeliveriesQuery;

#[Object]
impl EventDeliveriesQuery {
    /// Events a framework failed to process in this tenant, oldest first
    /// (admins only): retrying, or parked after the last try.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn event_delivery_failures(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "true: only parked ones; false: only those still retrying; omitted: both."
        )]
        parked: Option<bool>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<EventDeliveryFailure>> {
        let scope = &request(ctx)?.scope;
        let select = service::event_deliveries::query(scope, parked)?;
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Id,
            PageArgs::new(first, after, last, before),
            EventDeliveryFailure,
        )
        .await?)
    }
}

#[derive(Default)]
pub struct EventDeliveriesMutation;

#[Object]
impl EventDeliveriesMutation {
    /// Tries a failed event delivery again now, with a fresh count of tries
    /// (admins, once the cause is fixed). Audited.
    async fn retry_event_delivery(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RetryEventDeliveryInput,
    ) -> Result<EventDeliveryFailurePayload> {
        let scope = &request(ctx)?.scope;
        // The role before the input: a refusal tells nothing of what exists.
        scope.require_admin("retrying event deliveries")?;
        let id = decode_id(&input.id, "EventDeliveryFailure", "input.id")?;
        let failure = service::event_deliveries::retry(scope, id).await?;
        Ok(EventDeliveryFailurePayload {
            failure: EventDeliveryFailure(failure),
        })
    }
}
