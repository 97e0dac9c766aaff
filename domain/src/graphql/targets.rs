//! The fiscal calendar's periods and target previews.

use super::context::request;
use super::scalars::Date;
use crate::periods::{Period, PeriodKind, periods_between};
use crate::target::{Target, TargetProgress};
use async_graphql::{Context, Object, Result, SimpleObject};
use rust_decimal::Decimal;

/// A target scored against a value, for previews.
#[derive(SimpleObject)]
pub struct TargetScore {
    /// The target as given.
    pub target: Target,
    /// The progress with its explanation.
    pub score: TargetProgress,
}

#[derive(Default)]
pub struct TargetsQuery;

#[Object]
impl TargetsQuery {
    /// The tenant's calendar: every period of `kind` overlapping `from`..`to`.
    async fn periods(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The length of the periods.")] kind: PeriodKind,
        #[graphql(desc = "The first day of the range.")] from: Date,
        #[graphql(desc = "The last day of the range.")] to: Date,
    ) -> Result<Vec<Period>> {
        let tenant = request(ctx)?.scope.tenant();
        Ok(periods_between(
            kind,
            from.0,
            to.0,
            tenant.fiscal_year_start_month as u32,
        )?)
    }

    /// Scores a value against a target without saving anything: the same
    /// computation every framework uses, with its explanation.
    async fn score_target(
        &self,
        #[graphql(desc = "The target to score against.")] target: Target,
        #[graphql(desc = "The value to score; null scores as no value yet.")] current: Option<
            Decimal,
        >,
    ) -> Result<TargetScore> {
        target.validate().map_err(|e| e.within("target"))?;
        let current = crate::numbers::optional_business_number("current", current)?;
        let score = target.progress(current);
        Ok(TargetScore { target, score })
    }
}
