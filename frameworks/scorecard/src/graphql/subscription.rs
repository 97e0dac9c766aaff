//! `scorecardChanged(scorecardId)`: a front end showing a scorecard hears
//! when its design changes (the scorecard, its objectives, measures,
//! thresholds, weights or strategy-map links, or a perspective, which
//! every scorecard shows),
//! and re-reads what it shows.

use async_graphql::{Context, ID, Result, Subscription};
use futures_util::{Stream, StreamExt};
use sea_orm::{ColumnTrait, QueryFilter};
use throughline_domain::events::DomainEvent;
use throughline_domain::kit::{FrameworkGuard, TenantScope, decode_id, request};
use uuid::Uuid;

use super::types::Scorecard;
use crate::KEY;
use crate::entity::{measure, objective, scorecard};

/// The scorecard a design event concerns: the scorecard's own, its
/// weights', an objective's, a measure's (through its objective); a
/// perspective's concerns the `followed` one as much as any.
async fn scorecard_of(scope: &TenantScope, event: &DomainEvent, followed: Uuid) -> Option<Uuid> {
    let state = event
        .after()
        .or_else(|| event.payload.get("before").filter(|v| !v.is_null()));
    let field = |name: &str| -> Option<Uuid> { state?.get(name)?.as_str()?.parse().ok() };
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
}
