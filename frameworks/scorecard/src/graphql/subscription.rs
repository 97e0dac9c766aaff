//! `scorecardChanged(scorecardId)`: a front end showing a scorecard hears
//! when its design changes (the scorecard, its objectives, measures,
//! thresholds, weights or strategy-map links, or a perspective, which
//! every scorecard shows),
//! and re-reads what it shows.

use async_graphql::{Context, ID, Result, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter};
use throughline_domain::events::DomainEvent;
use throughline_domain::kit::{
    FrameworkGuard, Period, PeriodKind, TenantScope, decode_id, period_containing, request,
};
use uuid::Uuid;

use super::types::{Scorecard, ScorecardMeasure, ScorecardObjective};
use crate::KEY;
use crate::entity::{measure, objective, scorecard};
use crate::scoring::ScoreStatus;
use crate::service::status_changes::{JudgedStatus, STATUS_CHANGED};

/// The scorecard a design event concerns: the scorecard's own, its
/// weights', an objective's, a measure's (through its objective); a
/// perspective's concerns the `followed` one as much as any.
async fn scorecard_of(scope: &TenantScope, event: &DomainEvent, followed: Uuid) -> Option<Uuid> {
    let state = event
        .after()
        .or_else(|| event.payload.get("before").filter(|v| !v.is_null()));
    let field = |name: &str| -> Option<Uuid> { state?.get(name)?.as_str()?.parse().ok() };
    // A status judged is not a design change: `scorecardStatusChanged` has it.
    if event.kind == STATUS_CHANGED {
        return None;
    }
    let objective_of = |id: Uuid| async move {
        scope
            .select::<objective::Entity>()
            .filter(objective::Column::Id.eq(id))
            .one(scope)
            .await
            .ok()
            .flatten()
            .map(|o| o.scorecard_id)
    };
    match event.entity_type.as_str() {
        "Scorecard" => Some(event.entity_id),
        // Perspectives are the tenant's: on every scorecard.
        "ScorecardPerspective" => Some(followed),
        "ScorecardObjective" => match field("scorecard_id") {
            Some(card) => Some(card),
            None => objective_of(event.entity_id).await,
        },
        "ScorecardMeasure" => {
            let objective = match field("objective_id") {
                Some(id) => id,
                None => {
                    scope
                        .select::<measure::Entity>()
                        .filter(measure::Column::Id.eq(event.entity_id))
                        .one(scope)
                        .await
                        .ok()
                        .flatten()?
                        .objective_id
                }
            };
            objective_of(objective).await
        }
        "ScorecardLink" => field("scorecard_id"),
        _ => None,
    }
}

/// A measure whose status changed band between two periods of its metric's frequency.
#[derive(SimpleObject)]
pub struct ScorecardStatusChange {
    /// The measure, as it is now.
    pub measure: ScorecardMeasure,
    /// The measure's objective.
    pub objective: Option<ScorecardObjective>,
    /// The period judged.
    pub period: Period,
    /// Its colour in the period judged.
    pub status: ScoreStatus,
    /// Its score in the period judged.
    pub score: Option<Decimal>,
    /// The period before it, compared with.
    pub previous_period: Period,
    /// Its colour in the period before.
    pub previous_status: ScoreStatus,
    /// Its score in the period before.
    pub previous_score: Option<Decimal>,
    /// When the change was judged (a value of its metric recorded).
    pub changed_at: DateTime<Utc>,
}

/// The change an event announces, read with the measure and objective as
/// they are now; `None` once the measure is gone.
async fn status_change(
    scope: &TenantScope,
    followed: Uuid,
    event: &DomainEvent,
) -> Option<ScorecardStatusChange> {
    if event.kind != STATUS_CHANGED {
        return None;
    }
    let judged = |key: &str| -> Option<JudgedStatus> {
        serde_json::from_value(event.payload.get(key)?.clone()).ok()
    };
    let (then, now) = (judged("before")?, judged("after")?);
    if now.scorecard_id != followed {
        return None;
    }
    let measure = scope
        .select::<measure::Entity>()
        .filter(measure::Column::Id.eq(now.measure_id))
        .one(scope)
        .await
        .ok()
        .flatten()?;
    let objective = scope
        .select::<objective::Entity>()
        .filter(objective::Column::Id.eq(measure.objective_id))
        .one(scope)
        .await
        .ok()
        .flatten()
        .map(ScorecardObjective);
    let start_month = scope.tenant().fiscal_year_start_month.clamp(1, 12) as u32;
    let period = |j: &JudgedStatus| -> Option<Period> {
        Some(period_containing(
            PeriodKind::parse(&j.period_kind).ok()?,
            j.period_start,
            start_month,
        ))
    };
    Some(ScorecardStatusChange {
        measure: ScorecardMeasure::new(measure),
        objective,
        period: period(&now)?,
        status: ScoreStatus::parse(&now.status).ok()?,
        score: now.score,
        previous_period: period(&then)?,
        previous_status: ScoreStatus::parse(&then.status).ok()?,
        previous_score: then.score,
        changed_at: event.occurred_at,
    })
}

#[derive(Default)]
pub struct ScorecardSubscriptionRoot;

#[Subscription]
impl ScorecardSubscriptionRoot {
    /// The scorecard each time its design changes (title, perspectives, objectives, measures, thresholds, weights, strategy-map links); ends when it is deleted.
    #[graphql(visible = "super::scorecard_enabled", guard = "FrameworkGuard(KEY)")]
    async fn scorecard_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scorecard to follow.")] scorecard_id: ID,
    ) -> Result<impl Stream<Item = Scorecard>> {
        let id = decode_id(&scorecard_id, "Scorecard", "scorecardId")?;
        let scope = request(ctx)?.scope.clone();
        let events = scope.subscribe();
        Ok(events
            .filter_map(move |event| {
                let scope = scope.clone();
                async move {
                    if scorecard_of(&scope, &event, id).await != Some(id) {
                        return None;
                    }
                    // The scorecard as it is now: none once deleted.
                    let now = scope
                        .select::<scorecard::Entity>()
                        .filter(scorecard::Column::Id.eq(id))
                        .one(&scope)
                        .await
                        .ok()
                        .flatten();
                    Some(now)
                }
            })
            .take_while(|now| std::future::ready(now.is_some()))
            .filter_map(|now| std::future::ready(now.map(Scorecard))))
    }

    /// Each measure of the scorecard whose status changes band between two periods of its metric's frequency (green → red), as a value of its metric is recorded; a first value (blank → green) is not a change.
    #[graphql(visible = "super::scorecard_enabled", guard = "FrameworkGuard(KEY)")]
    async fn scorecard_status_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scorecard to follow.")] scorecard_id: ID,
    ) -> Result<impl Stream<Item = ScorecardStatusChange>> {
        let id = decode_id(&scorecard_id, "Scorecard", "scorecardId")?;
        let scope = request(ctx)?.scope.clone();
        let events = scope.subscribe();
        Ok(events.filter_map(move |event| {
            let scope = scope.clone();
            async move { status_change(&scope, id, &event).await }
        }))
    }
}
