//! Targets of core metrics and a metric's status in a period.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::context::request;
use super::ids::{decode_id, decode_optional, encode_id};
use super::inputs::{DeletePayload, patch};
use super::loaders::{ById, MetricTargetsOf, MetricValuesBetween, ValuesBetween};
use super::scalars::Date;
use super::types::*;
use crate::entity::{metric, metric_target};
use crate::enums::{Aggregation, MetricFrequency};
use crate::error::DomainError;
use crate::metric_status::{self, StatusExplanation, StatusInput, TargetStatus};
use crate::periods::{Period, PeriodKind, period_containing, periods_between};
use crate::service;
use crate::service::metric_targets::{MetricTargetChanges, NewMetricTarget};
use crate::target::Target;

/// What a metric aims for over a date range, for the whole metric or for
/// one org unit.
#[derive(Clone, Debug)]
pub struct MetricTarget(pub metric_target::Model);

/// What a metric aims for over a date range, for the whole metric or for
/// one org unit.
#[Object]
impl MetricTarget {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("MetricTarget", self.0.id)
    }
    /// The metric it is a target of.
    async fn metric(&self, ctx: &Context<'_>) -> Result<Option<Metric>> {
        let loader = request(ctx)?.loader::<ById<metric::Entity>, _>();
        Ok(loader.load_one(self.0.metric_id).await?.map(Metric))
    }
    /// The unit it is for; null: the metric's target everywhere else.
    async fn org_unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        load_org_unit(ctx, self.0.org_unit_id).await
    }
    /// Its first day in force.
    async fn valid_from(&self) -> Date {
        Date(self.0.valid_from)
    }
    /// Its last day in force; null until another replaces it.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }
    /// The target, per period of the metric's frequency.
    async fn target(&self) -> Result<Target> {
        Ok(service::metric_targets::dated(&self.0)?.target)
    }
    /// How far short of the goal still counts as `WARNING` rather than
    /// `OFF_TARGET` (the red flag is the goal minus this margin).
    async fn warning_margin(&self) -> Result<Option<Decimal>> {
        Ok(service::metric_targets::dated(&self.0)?.warning_margin)
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was set.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// How a metric stands in a period: its values rolled up with its
/// aggregation and judged against the target in force then.
#[derive(SimpleObject, Clone)]
pub struct MetricStatus {
    /// The verdict.
    pub status: TargetStatus,
    /// The period judged.
    pub period: Period,
    /// The period's values rolled up with the metric's aggregation; null without values.
    pub value: Option<Decimal>,
    /// How many values went into it.
    pub value_count: i32,
    /// What the value had to reach, or stay at, in the period; null for a range.
    pub goal: Option<Decimal>,
    /// For a range target: its lower bound in the period.
    pub lower: Option<Decimal>,
    /// For a range target: its upper bound in the period.
    pub upper: Option<Decimal>,
    /// Past this value a shortfall is `OFF_TARGET` rather than `WARNING` (the red flag).
    pub warning_limit: Option<Decimal>,
    /// The target in force, if any.
    pub target: Option<MetricTarget>,
    /// How the verdict came about.
    pub explanation: StatusExplanation,
}

/// How long a period kind is, to refuse asking a monthly metric for a week.
fn length_rank(kind: PeriodKind) -> u8 {
    match kind {
        PeriodKind::Week => 0,
        PeriodKind::Month => 1,
        PeriodKind::Quarter => 2,
        PeriodKind::FiscalYear => 3,
    }
}

/// The period a status is asked for, and how it is judged.
#[derive(Clone, Debug)]
pub struct JudgedPeriod {
    pub period: Period,
    /// The day the target is taken on: its last day, or today while it runs.
    pub judged_on: NaiveDate,
    /// How many periods of the metric's own frequency have begun in it.
    pub periods_begun: u32,
}

/// The period of `kind` (default: the metric's frequency's) containing
/// `date` (default: today); a kind shorter than the metric's is refused.
pub fn judged_period(
    scope: &crate::TenantScope,
    metric: &metric::Model,
    kind: Option<PeriodKind>,
    date: Option<NaiveDate>,
) -> Result<JudgedPeriod, DomainError> {
    let own = service::metrics::period_kind(MetricFrequency::parse(&metric.frequency)?);
    let kind = kind.unwrap_or(own);
    if length_rank(kind) < length_rank(own) {
        return Err(DomainError::validation(
            "periodKind",
            format!(
                "a {} metric has one value per {}; ask for a {} or a longer period",
                metric.frequency.to_lowercase(),
                own.as_str().to_lowercase(),
                own.as_str().to_lowercase()
            ),
        ));
    }
    let today = scope.today();
    let fiscal_start = scope.tenant().fiscal_year_start_month as u32;
    let date = date.unwrap_or(today);
    crate::numbers::date_in_range("period", date)?;
    let period = period_containing(kind, date, fiscal_start);
    let judged_on = if today < period.start {
        period.end
    } else {
        period.end.min(today)
    };
    let periods_begun = if today < period.start {
        0
    } else {
        periods_between(own, period.start, judged_on, fiscal_start)?
            .iter()
            .filter(|own_period| own_period.start >= period.start)
            .count() as u32
    };
    Ok(JudgedPeriod {
        period,
        judged_on,
        periods_begun,
    })
}

/// Judges a period from values already read (any that fall outside it are
/// left out) against the metric's targets: `org_unit`'s if it has one in
/// force, else the metric's.
pub fn judge(
    metric: &metric::Model,
    judged: JudgedPeriod,
    values: &[(NaiveDate, Decimal)],
    targets: &[metric_target::Model],
    org_unit: Option<Uuid>,
) -> Result<MetricStatus, DomainError> {
    let JudgedPeriod {
        period,
        judged_on,
        periods_begun,
    } = judged;
    let values: Vec<(NaiveDate, Decimal)> = values
        .iter()
        .filter(|(start, _)| period.start <= *start && *start <= period.end)
        .copied()
        .collect();
    let in_force = |unit: Option<Uuid>| {
        targets.iter().find(|row| {
            row.org_unit_id == unit
                && row.valid_from <= judged_on
                && row.valid_to.is_none_or(|to| judged_on <= to)
        })
    };
    let row = org_unit
        .and_then(|unit| in_force(Some(unit)))
        .or_else(|| in_force(None));
    let dated = row.map(service::metric_targets::dated).transpose()?;
    let aggregation = Aggregation::parse(&metric.aggregation)?;
    let outcome = metric_status::status(&StatusInput {
        aggregation,
        period_label: &period.label,
        values: &values,
        periods_begun,
        judged_on,
        target: dated.as_ref(),
    });
    Ok(MetricStatus {
        status: outcome.status,
        value: outcome.value,
        value_count: values.len() as i32,
        goal: outcome.goal,
        lower: outcome.lower,
        upper: outcome.upper,
        warning_limit: outcome.warning_limit,
        target: row.cloned().map(MetricTarget),
        explanation: outcome.explanation,
        period,
    })
}

/// A metric's status in the period of `kind` (default: its own
/// frequency's) containing `date` (default: today), for `org_unit` (its
/// target if it has one, else the metric's): the period's values and the
/// metric's targets, each read in one statement for every metric asking.
pub async fn status_of(
    ctx: &Context<'_>,
    metric: &metric::Model,
    kind: Option<PeriodKind>,
    date: Option<NaiveDate>,
    org_unit: Option<Uuid>,
) -> Result<MetricStatus> {
    let request = request(ctx)?;
    let judged = judged_period(&request.scope, metric, kind, date)?;
    let values_loader = request.loader::<MetricValuesBetween, _>();
    let targets_loader = request.loader::<MetricTargetsOf, _>();
    let (values, targets) = futures_util::try_join!(
        values_loader.load_one(ValuesBetween {
            metric_id: metric.id,
            from: judged.period.start,
            to: judged.period.end,
        }),
        targets_loader.load_one(metric.id),
    )?;
    Ok(judge(
        metric,
        judged,
        &values.unwrap_or_default(),
        &targets.unwrap_or_default(),
        org_unit,
    )?)
}

/// A metric's targets, for one unit or for the whole metric.
pub async fn targets_of(
    ctx: &Context<'_>,
    metric: &metric::Model,
    org_unit: Option<Uuid>,
) -> Result<Vec<MetricTarget>> {
    let targets = request(ctx)?
        .loader::<MetricTargetsOf, _>()
        .load_one(metric.id)
        .await?
        .unwrap_or_default();
    Ok(targets
        .into_iter()
        .filter(|row| row.org_unit_id == org_unit)
        .map(MetricTarget)
        .collect())
}

/// A target to put in force.
#[derive(InputObject)]
pub struct SetMetricTargetInput {
    /// The metric.
    pub metric_id: ID,
    /// Only for this org unit; omitted, for the whole metric.
    pub org_unit_id: Option<ID>,
    /// Its first day in force. An open-ended target of the same scope that
    /// began earlier ends the day before.
    pub valid_from: Date,
    /// Its last day in force; omitted, until another replaces it.
    pub valid_to: Option<Date>,
    /// The target, per period of the metric's frequency; its kind must fit
    /// the metric's direction (`INCREASE_TO` or `STAY_AT_OR_ABOVE` for
    /// `HIGHER_IS_BETTER`, `DECREASE_TO` or `STAY_AT_OR_BELOW` for
    /// `LOWER_IS_BETTER`, `WITHIN_RANGE` for `TARGET_RANGE`).
    pub target: Target,
    /// How far short of the goal still counts as `WARNING` (0 or more).
    pub warning_margin: Option<Decimal>,
}

/// Changes to a target; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateMetricTargetInput {
    /// The global ID of the target.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// Its first day in force.
    pub valid_from: Option<Date>,
    /// Its last day in force; null: until another replaces it.
    pub valid_to: MaybeUndefined<Date>,
    /// The target.
    pub target: Option<Target>,
    /// How far short of the goal still counts as `WARNING`.
    pub warning_margin: MaybeUndefined<Decimal>,
}

/// A target to delete.
#[derive(InputObject)]
pub struct DeleteMetricTargetInput {
    /// The global ID of the target.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
}

/// The target after the change, and its metric.
#[derive(SimpleObject)]
pub struct MetricTargetPayload {
    /// The target after the change.
    pub metric_target: MetricTarget,
    /// Its metric.
    pub metric: Metric,
}

async fn payload(ctx: &Context<'_>, row: metric_target::Model) -> Result<MetricTargetPayload> {
    let metric = request(ctx)?
        .loader::<ById<metric::Entity>, _>()
        .load_one(row.metric_id)
        .await?
        .ok_or(DomainError::not_found("metric"))?;
    Ok(MetricTargetPayload {
        metric_target: MetricTarget(row),
        metric: Metric(metric),
    })
}

#[derive(Default)]
pub struct MetricTargetsMutation;

#[Object]
impl MetricTargetsMutation {
    /// Puts a target of a metric in force from a day (admins).
    async fn set_metric_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: SetMetricTargetInput,
    ) -> Result<MetricTargetPayload> {
        let scope = &request(ctx)?.scope;
        scope.require_admin("setting metric targets")?;
        let row = service::metric_targets::set(
            scope,
            NewMetricTarget {
                metric_id: decode_id(&input.metric_id, "Metric", "input.metricId")?,
                org_unit_id: decode_optional(
                    input.org_unit_id.as_ref(),
                    "OrgUnit",
                    "input.orgUnitId",
                )?,
                valid_from: input.valid_from.0,
                valid_to: input.valid_to.map(|d| d.0),
                target: input.target,
                warning_margin: input.warning_margin,
            },
        )
        .await?;
        payload(ctx, row).await
    }

    /// Changes a metric's target (admins).
    async fn update_metric_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateMetricTargetInput,
    ) -> Result<MetricTargetPayload> {
        let scope = &request(ctx)?.scope;
        // Who may is answered before what the input names.
        scope.require_admin("changing metric targets")?;
        let id = decode_id(&input.id, "MetricTarget", "input.id")?;
        let row = service::metric_targets::update(
            scope,
            id,
            MetricTargetChanges {
                version: input.version,
                valid_from: input.valid_from.map(|d| d.0),
                valid_to: patch(&input.valid_to).map(|to| to.map(|d| d.0)),
                target: input.target,
                warning_margin: patch(&input.warning_margin),
            },
        )
        .await?;
        payload(ctx, row).await
    }

    /// Deletes a metric's target (admins): its days are then `NOT_SET`.
    async fn delete_metric_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteMetricTargetInput,
    ) -> Result<DeletePayload> {
        let scope = &request(ctx)?.scope;
        scope.require_admin("deleting metric targets")?;
        let id = decode_id(&input.id, "MetricTarget", "input.id")?;
        let row = service::metric_targets::delete(scope, id, input.version).await?;
        Ok(DeletePayload {
            deleted_id: encode_id("MetricTarget", row.id),
        })
    }
}
