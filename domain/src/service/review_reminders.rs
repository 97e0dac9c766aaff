//! Action items reaching their due date: each open item is announced once
//! per due date, as `review_action_item.due` through the outbox (so
//! frameworks, integrators' change feeds and `reviewActionItemDue`
//! subscribers hear of it), on the day it falls due in its tenant's time
//! zone, or at the first sweep after it if the server was down.
//!
//! The sweep runs beside the event dispatcher, every minute. It reads open
//! items due by today across tenants in one indexed statement, then marks
//! and announces each tenant's in one transaction. The mark is conditional
//! (`due_announced_for` differs from `due_on`), so two server processes
//! never announce the same date twice, and moving the date arms it again.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Days, Utc};
use futures_util::FutureExt;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::entity::{review_action_item as action_item, tenant};
use crate::error::DomainResult;
use crate::events::EventBus;
use crate::tenancy::{Actor, Change, TenantScope, today_in};

/// Items announced per sweep: a backlog after downtime goes in rounds.
const SWEEP_BATCH: u64 = 500;

/// Announces due action items every `every` until `shutdown` fires. Nothing
/// a sweep meets (an error, a panic) stops the loop.
pub async fn run(db: DatabaseConnection, bus: EventBus, every: Duration, shutdown: Arc<Notify>) {
    loop {
        let sweep = std::panic::AssertUnwindSafe(announce_due(&db, &bus, Utc::now()));
        match sweep.catch_unwind().await {
            Ok(Ok(_)) => {}
            Ok(Err(err)) => tracing::error!(?err, "announcing due action items failed; will retry"),
            Err(_) => tracing::error!("announcing due action items panicked; will retry"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.notified() => return,
        }
    }
}

/// Announces every open action item due by today (its tenant's today at
/// `now`) whose due date has not been announced; returns how many.
pub async fn announce_due(
    db: &DatabaseConnection,
    bus: &EventBus,
    now: DateTime<Utc>,
) -> DomainResult<usize> {
    // No time zone is more than a day ahead of UTC; each tenant's own
    // today is applied below.
    let latest = now.date_naive() + Days::new(1);
    let mut announced = 0;
    let mut after: Option<Uuid> = None;
    loop {
        let mut query = action_item::Entity::find()
            .select_only()
            .columns([
                action_item::Column::Id,
                action_item::Column::TenantId,
                action_item::Column::DueOn,
            ])
            .filter(action_item::Column::Done.eq(false))
            .filter(action_item::Column::DueOn.lte(latest))
            .filter(unannounced())
            .order_by_asc(action_item::Column::Id)
            .limit(SWEEP_BATCH);
        if let Some(id) = after {
            query = query.filter(action_item::Column::Id.gt(id));
        }
        let batch: Vec<(Uuid, Uuid, Option<chrono::NaiveDate>)> =
            query.into_tuple().all(db).await?;
        let Some(last) = batch.last() else {
            return Ok(announced);
        };
        after = Some(last.0);
        let full = batch.len() as u64 == SWEEP_BATCH;
        let mut by_tenant: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for (id, tenant_id, _) in batch {
            by_tenant.entry(tenant_id).or_default().push(id);
        }
        let tenants = tenant::Entity::find()
            .filter(tenant::Column::Id.is_in(by_tenant.keys().copied()))
            .all(db)
            .await?;
        for row in tenants {
            let Some(items) = by_tenant.remove(&row.id) else {
                continue;
            };
            let today = today_in(&row.time_zone, now);
            let scope = TenantScope::new(db.clone(), row, Actor::system(), bus.clone());
            announced += announce_in_tenant(&scope, &items, today).await?;
        }
        if !full {
            return Ok(announced);
        }
    }
}

/// Marks and announces, in one transaction, those of `items` that are
/// still open and due by `today` with their date unannounced.
async fn announce_in_tenant(
    scope: &TenantScope,
    items: &[Uuid],
    today: chrono::NaiveDate,
) -> DomainResult<usize> {
    let mut tx = scope.begin().await?;
    let due = tx
        .select::<action_item::Entity>()
        .filter(action_item::Column::Id.is_in(items.iter().copied()))
        .filter(action_item::Column::Done.eq(false))
        .filter(action_item::Column::DueOn.lte(today))
        .all(&tx)
        .await?;
    let mut announced = Vec::with_capacity(due.len());
    for row in due {
        if row.due_announced_for.is_some() && row.due_announced_for == row.due_on {
            continue;
        }
        // Conditional, so a second process sweeping at the same moment
        // finds nothing left to mark.
        let marked = tx
            .update::<action_item::Entity>()
            .col_expr(
                action_item::Column::DueAnnouncedFor,
                Expr::col(action_item::Column::DueOn),
            )
            .filter(action_item::Column::Id.eq(row.id))
            .filter(action_item::Column::Done.eq(false))
            .filter(unannounced())
            .exec()
            .await?;
        if marked == 1 {
            announced.push(row);
        }
    }
    let count = announced.len();
    tx.record_many(
        announced
            .iter()
            .map(|row| Change::created("review_action_item.due", "ReviewActionItem", row.id, row)),
    )
    .await?;
    tx.commit().await?;
    Ok(count)
}

/// The item's due date has not been announced yet.
fn unannounced() -> Condition {
    Condition::any()
        .add(action_item::Column::DueAnnouncedFor.is_null())
        .add(
            Expr::col(action_item::Column::DueAnnouncedFor)
                .ne(Expr::col(action_item::Column::DueOn)),
        )
}
