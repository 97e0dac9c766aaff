//! `exceptions(scorecardId, period)`: what a scorecard's review starts
//! from (see `service::exceptions`).

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use rust_decimal::Decimal;
use throughline_domain::kit::{Date, Period, PeriodKind, decode_id, period_containing, request};

use super::types::{ScorecardMeasure, ScorecardObjective, design_of, period_of, scores_for};
use crate::scoring::ScoreStatus;
use crate::service::exceptions::{Reason, last_closed, of_period, previous};

/// An objective or measure that needs attention in the period.
#[derive(SimpleObject)]
#[graphql(name = "ScorecardException")]
pub struct ExceptionView {
    /// The objective, or the measure's objective.
    pub objective: ScorecardObjective,
    /// The measure; null when the objective itself is the exception.
    pub measure: Option<ScorecardMeasure>,
    /// Why, worst first.
    pub reasons: Vec<Reason>,
    /// Its score in the period.
    pub score: Option<Decimal>,
    /// Its colour in the period.
    pub status: ScoreStatus,
    /// Its score in the period before.
    pub previous_score: Option<Decimal>,
    /// Its colour in the period before.
    pub previous_status: ScoreStatus,
    /// One sentence a person can act on.
    pub text: String,
}

/// A scorecard's exceptions in a period, worst first.
#[derive(SimpleObject)]
#[graphql(name = "ScorecardExceptions")]
pub struct ExceptionsView {
    /// The period reviewed.
    pub period: Period,
    /// The period it is compared with.
    pub previous_period: Period,
    /// What needs attention, worst first.
    pub items: Vec<ExceptionView>,
}

#[derive(Default)]
pub struct ScorecardExceptionsQuery;

#[Object]
impl ScorecardExceptionsQuery {
    /// A scorecard's exceptions in the period of `periodKind` holding `period` (default: the last one that has ended): objectives and measures that are red, whose score fell by more than one band's width (10/3 points) since the period before, or (measures) whose data is missing or late. Null when the scorecard is not in the tenant.
    async fn exceptions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scorecard.")] scorecard_id: ID,
        #[graphql(desc = "Any day of the period; omitted, the last period that has ended.")]
        period: Option<Date>,
        #[graphql(desc = "The period's length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<Option<ExceptionsView>> {
        let id = decode_id(&scorecard_id, "Scorecard", "scorecardId")?;
        let scope = &request(ctx)?.scope;
        let start_month = scope.tenant().fiscal_year_start_month.clamp(1, 12) as u32;
        let today = scope.today();
        let now = match period {
            Some(day) => {
                let (kind, day) = period_of(ctx, Some(day), period_kind)?;
                period_containing(kind, day, start_month)
            }
            None => last_closed(period_kind, today, start_month),
        };
        let before = previous(&now, start_month);
        let Some(design) = design_of(ctx, id).await? else {
            return Ok(None);
        };
        let scores = scores_for(
            ctx,
            id,
            [(before.kind, before.start), (now.kind, now.start)],
        )
        .await?;
        let [before_scores, now_scores] = scores.as_slice() else {
            return Ok(None);
        };
        let items = of_period(&design, now_scores, before_scores, today, start_month)?;
        let objective = |id| {
            design
                .objectives
                .iter()
                .find(|o| o.id == id)
                .cloned()
                .map(ScorecardObjective)
        };
        let measure = |id| {
            design
                .measures
                .iter()
                .find(|m| m.id == id)
                .cloned()
                .map(ScorecardMeasure::new)
        };
        Ok(Some(ExceptionsView {
            period: now_scores.period.clone(),
            previous_period: before_scores.period.clone(),
            items: items
                .into_iter()
                .filter_map(|item| {
                    Some(ExceptionView {
                        objective: objective(item.objective)?,
                        measure: item.measure.and_then(measure),
                        reasons: item.reasons,
                        score: item.score,
                        status: item.status,
                        previous_score: item.previous_score,
                        previous_status: item.previous_status,
                        text: item.text,
                    })
                })
                .collect(),
        }))
    }
}
