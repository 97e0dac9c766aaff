//! Dashboards of key metrics: for a chosen period, each key metric's value,
//! target and status, its change against the previous period and the same
//! period last year, a trend, whether its data is late, and its leading
//! metrics' status beside it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Months, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter};
use uuid::Uuid;

use super::connection::{self, Page, PageArgs, SortKey, page_complexity};
use super::context::request;
use super::ids::{decode_id, decode_optional, encode_id};
use super::inputs::{DeletePayload, patch_id};
use super::loaders::{
    ById, DashboardKeyMetricsOf, DashboardReadableUnits, LatestMetricValue, MetricTargetsOf,
    MetricValuesBetween, MetricsDriving, TenantPriorities, ValuesBetween,
};
use super::metric_targets::{self, JudgedPeriod, MetricStatus, judged_period, status_of};
use super::scalars::Date;
use super::types::*;
use crate::entity::{dashboard, dashboard_key_metric, metric, strategic_priority};
use crate::enums::{Aggregation, IndicatorKind, MetricFrequency, stored_enum};
use crate::error::DomainError;
use crate::metric_status::{Lateness, lateness, roll_up};
use crate::periods::{Period, period_containing, periods_between};
use crate::service;
use crate::service::dashboards::{DashboardChanges, KeyMetric, NewDashboard};

/// The most periods a trend may span.
pub const MAX_TREND_PERIODS: i32 = 36;
const DEFAULT_TREND_PERIODS: i32 = 6;

/// A title, an owner and the few key metrics that drive decisions, for the
/// whole tenant or for one org unit.
#[derive(Clone, Debug)]
pub struct Dashboard(pub dashboard::Model);

/// A title, an owner and the few key metrics that drive decisions, for the
/// whole tenant or for one org unit.
#[Object]
impl Dashboard {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("Dashboard", self.0.id)
    }
    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The unit it is for; null: the tenant's own (company) dashboard.
    async fn org_unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        load_org_unit(ctx, self.0.org_unit_id).await
    }
    /// Who looks after it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.owner_id).await
    }
    /// Its key metrics in order, each judged for the period containing
    /// `period` (default today) with a trend over the last `trendPeriods`
    /// periods (1 to 36, default 6).
    async fn key_metrics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the period to show; omitted, today.")] period: Option<Date>,
        #[graphql(
            desc = "How many periods the trend spans, this one included: 1 to 36, default 6."
        )]
        trend_periods: Option<i32>,
    ) -> Result<Vec<DashboardKeyMetric>> {
        let trend_periods = trend_periods.unwrap_or(DEFAULT_TREND_PERIODS);
        if !(1..=MAX_TREND_PERIODS).contains(&trend_periods) {
            return Err(DomainError::validation(
                "trendPeriods",
                format!("a trend spans 1 to {MAX_TREND_PERIODS} periods"),
            )
            .into());
        }
        let request = request(ctx)?;
        let date = period.map_or_else(|| request.scope.today(), |d| d.0);
        crate::numbers::date_in_range("period", date)?;
        let (rows, metrics) = key_metric_rows(ctx, self.0.id).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let metric = metrics.get(&row.metric_id)?.clone();
                Some(DashboardKeyMetric {
                    row,
                    metric,
                    date,
                    trend_periods: trend_periods as usize,
                    org_unit: self.0.org_unit_id,
                    shown: Arc::default(),
                })
            })
            .collect())
    }
    /// What the dashboard is missing, as advice, not errors: only lagging
    /// metrics (nothing predicts them), or, on the tenant's dashboard, a
    /// strategic priority no key metric serves.
    async fn warnings(&self, ctx: &Context<'_>) -> Result<Vec<DashboardWarning>> {
        warnings_of(ctx, &self.0).await
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A dashboard's key metric rows and their metrics (two batched reads).
async fn key_metric_rows(
    ctx: &Context<'_>,
    dashboard_id: Uuid,
) -> Result<(
    Vec<dashboard_key_metric::Model>,
    HashMap<Uuid, metric::Model>,
)> {
    let request = request(ctx)?;
    let rows = request
        .loader::<DashboardKeyMetricsOf, _>()
        .load_one(dashboard_id)
        .await?
        .unwrap_or_default();
    let metrics = request
        .loader::<ById<metric::Entity>, _>()
        .load_many(rows.iter().map(|row| row.metric_id))
        .await?;
    Ok((rows, metrics))
}

stored_enum!(
    /// What a dashboard's warning is about.
    DashboardWarningCode {
        /// Every key metric is lagging: nothing on the dashboard predicts them.
        OnlyLaggingMetrics => "ONLY_LAGGING_METRICS",
        /// A strategic priority no key metric of the tenant's dashboard serves.
        PriorityWithoutKeyMetric => "PRIORITY_WITHOUT_KEY_METRIC",
    }
);

/// Advice about a dashboard's balance.
#[derive(SimpleObject, Clone)]
pub struct DashboardWarning {
    /// What it is about.
    pub code: DashboardWarningCode,
    /// The advice, in a sentence.
    pub message: String,
    /// The priority it names, for `PRIORITY_WITHOUT_KEY_METRIC`.
    pub priority: Option<StrategicPriority>,
}

async fn warnings_of(ctx: &Context<'_>, row: &dashboard::Model) -> Result<Vec<DashboardWarning>> {
    let (keys, metrics) = key_metric_rows(ctx, row.id).await?;
    let mut warnings = Vec::new();
    let lagging = IndicatorKind::Lagging.as_str();
    if !metrics.is_empty() && metrics.values().all(|m| m.indicator_kind == lagging) {
        warnings.push(DashboardWarning {
            code: DashboardWarningCode::OnlyLaggingMetrics,
            message: "every key metric is lagging: add a leading metric that predicts them, so problems show before the outcome is in".into(),
            priority: None,
        });
    }
    if row.org_unit_id.is_none() {
        let served: HashSet<Uuid> = keys
            .iter()
            .filter_map(|key| {
                key.priority_id
                    .or_else(|| metrics.get(&key.metric_id).and_then(|m| m.priority_id))
            })
            .collect();
        let priorities = request(ctx)?
            .loader::<TenantPriorities, _>()
            .load_one(())
            .await?
            .unwrap_or_default();
        for priority in priorities.into_iter().filter(|p| !served.contains(&p.id)) {
            warnings.push(DashboardWarning {
                code: DashboardWarningCode::PriorityWithoutKeyMetric,
                message: format!(
                    "no key metric serves the priority {:?}: a priority nobody measures is a wish",
                    priority.title
                ),
                priority: Some(StrategicPriority(priority)),
            });
        }
    }
    Ok(warnings)
}

/// A metric on a dashboard, for a chosen period.
#[derive(Clone)]
pub struct DashboardKeyMetric {
    row: dashboard_key_metric::Model,
    metric: metric::Model,
    date: NaiveDate,
    trend_periods: usize,
    org_unit: Option<Uuid>,
    /// What its fields show, worked out by the first that asks.
    shown: Arc<tokio::sync::OnceCell<Shown>>,
}

/// A key metric's periods, values and statuses, shared by its fields.
struct Shown {
    windows: Windows,
    values: Vec<(NaiveDate, Decimal)>,
    current: MetricStatus,
    before: Option<MetricStatus>,
    year_before: Option<MetricStatus>,
}

/// One period of a trend.
#[derive(SimpleObject, Clone)]
pub struct TrendPoint {
    /// The period.
    pub period: Period,
    /// Its value; null when none was recorded.
    pub value: Option<Decimal>,
}

/// A leading metric beside the key metric it predicts.
#[derive(SimpleObject, Clone)]
pub struct LeadingMetricStatus {
    /// The leading metric.
    pub metric: Metric,
    /// Its status in the same period.
    pub status: MetricStatus,
}

/// The periods a key metric shows, all derived from the chosen day.
struct Windows {
    current: JudgedPeriod,
    before: Option<JudgedPeriod>,
    year_before: Option<JudgedPeriod>,
    trend: Vec<Period>,
    /// The last closed period of its frequency (lateness).
    closed: Option<Period>,
}

impl Windows {
    /// The first and last day of everything it shows: one read of values.
    fn span(&self) -> (NaiveDate, NaiveDate) {
        let mut from = self.current.period.start;
        let mut to = self.current.period.end;
        let periods = self
            .before
            .iter()
            .chain(&self.year_before)
            .map(|judged| &judged.period)
            .chain(&self.trend)
            .chain(&self.closed);
        for period in periods {
            from = from.min(period.start);
            to = to.max(period.end);
        }
        (from, to)
    }
}

impl DashboardKeyMetric {
    fn windows(&self, scope: &crate::TenantScope) -> Result<Windows, DomainError> {
        let fiscal = scope.tenant().fiscal_year_start_month as u32;
        let kind = service::metrics::period_kind(MetricFrequency::parse(&self.metric.frequency)?);
        let judged = |date: NaiveDate| judged_period(scope, &self.metric, None, Some(date));
        let current = judged(self.date)?;
        // Before the calendar's first day there is nothing to compare with.
        let in_calendar = |day: &NaiveDate| crate::numbers::date_in_range("period", *day).is_ok();
        let before = current
            .period
            .start
            .pred_opt()
            .filter(in_calendar)
            .map(judged)
            .transpose()?;
        let year_before = self
            .date
            .checked_sub_months(Months::new(12))
            .filter(in_calendar)
            .map(judged)
            .transpose()?;
        let mut first = current.period.clone();
        for _ in 1..self.trend_periods {
            match first.start.pred_opt() {
                Some(day) => first = period_containing(kind, day, fiscal),
                None => break,
            }
        }
        let trend = periods_between(kind, first.start, current.period.end, fiscal)?;
        let running = period_containing(kind, scope.today(), fiscal);
        let closed = running
            .start
            .pred_opt()
            .map(|day| period_containing(kind, day, fiscal));
        Ok(Windows {
            current,
            before,
            year_before,
            trend,
            closed,
        })
    }

    /// Everything the key metric shows, worked out once for all its fields:
    /// its values over the span of its windows (one statement for every key
    /// metric of the same frequency), its targets (one for all), and its
    /// statuses in this period, the one before and last year's.
    async fn shown(&self, ctx: &Context<'_>) -> Result<&Shown> {
        self.shown
            .get_or_try_init(|| async {
                let request = request(ctx)?;
                let windows = self.windows(&request.scope)?;
                let (from, to) = windows.span();
                let values_loader = request.loader::<MetricValuesBetween, _>();
                let targets_loader = request.loader::<MetricTargetsOf, _>();
                let (values, targets) = futures_util::try_join!(
                    values_loader.load_one(ValuesBetween {
                        metric_id: self.metric.id,
                        from,
                        to,
                    }),
                    targets_loader.load_one(self.metric.id),
                )?;
                let values = values.unwrap_or_default();
                let targets = targets.unwrap_or_default();
                let judge = |judged: &JudgedPeriod| {
                    metric_targets::judge(
                        &self.metric,
                        judged.clone(),
                        &values,
                        &targets,
                        self.org_unit,
                    )
                };
                Ok::<_, async_graphql::Error>(Shown {
                    current: judge(&windows.current)?,
                    before: windows.before.as_ref().map(judge).transpose()?,
                    year_before: windows.year_before.as_ref().map(judge).transpose()?,
                    windows,
                    values,
                })
            })
            .await
    }
}

fn change(now: &MetricStatus, then: Option<&MetricStatus>) -> Option<Decimal> {
    let then = then?.value?;
    now.value?.checked_sub(then).map(|d| d.normalize())
}

/// A metric on a dashboard, for a chosen period.
#[Object]
impl DashboardKeyMetric {
    /// Its place on the dashboard, from 0.
    async fn position(&self) -> i32 {
        self.row.position
    }
    /// The metric.
    async fn metric(&self) -> Metric {
        Metric(self.metric.clone())
    }
    /// The strategic priority it serves: the one named on the dashboard, else its metric's.
    async fn priority(&self, ctx: &Context<'_>) -> Result<Option<StrategicPriority>> {
        let Some(id) = self.row.priority_id.or(self.metric.priority_id) else {
            return Ok(None);
        };
        let loader = request(ctx)?.loader::<ById<strategic_priority::Entity>, _>();
        Ok(loader.load_one(id).await?.map(StrategicPriority))
    }
    /// Its value, target and status in the period (for the dashboard's unit, if it has its own target).
    async fn status(&self, ctx: &Context<'_>) -> Result<MetricStatus> {
        Ok(self.shown(ctx).await?.current.clone())
    }
    /// The same for the period before.
    async fn previous(&self, ctx: &Context<'_>) -> Result<Option<MetricStatus>> {
        Ok(self.shown(ctx).await?.before.clone())
    }
    /// The same for the period a year before.
    async fn same_period_last_year(&self, ctx: &Context<'_>) -> Result<Option<MetricStatus>> {
        Ok(self.shown(ctx).await?.year_before.clone())
    }
    /// Value minus the previous period's; null if either has none.
    async fn change_from_previous(&self, ctx: &Context<'_>) -> Result<Option<Decimal>> {
        let shown = self.shown(ctx).await?;
        Ok(change(&shown.current, shown.before.as_ref()))
    }
    /// Value minus the same period's last year; null if either has none.
    async fn change_from_last_year(&self, ctx: &Context<'_>) -> Result<Option<Decimal>> {
        let shown = self.shown(ctx).await?;
        Ok(change(&shown.current, shown.year_before.as_ref()))
    }
    /// Its values over the last periods of its frequency, oldest first, ending with this one (a sparkline).
    async fn trend(&self, ctx: &Context<'_>) -> Result<Vec<TrendPoint>> {
        let shown = self.shown(ctx).await?;
        let aggregation = Aggregation::parse(&self.metric.aggregation)?;
        Ok(shown
            .windows
            .trend
            .iter()
            .cloned()
            .map(|period| {
                let inside: Vec<_> = shown
                    .values
                    .iter()
                    .filter(|(start, _)| period.start <= *start && *start <= period.end)
                    .copied()
                    .collect();
                let value = if inside.is_empty() {
                    None
                } else {
                    roll_up(aggregation, &inside)
                };
                TrendPoint { period, value }
            })
            .collect())
    }
    /// Whether its data is late: no value for the last closed period of its
    /// frequency (a metric defined since then with no values yet is new, not late).
    async fn late(&self, ctx: &Context<'_>) -> Result<bool> {
        let Shown {
            windows, values, ..
        } = self.shown(ctx).await?;
        let Some(closed) = &windows.closed else {
            return Ok(false);
        };
        let defined_on = self.metric.created_at.date_naive();
        Ok(
            match lateness(defined_on, (closed.start, closed.end), values) {
                Lateness::OnTime => false,
                Lateness::Late => true,
                Lateness::LateIfItHasValues => request(ctx)?
                    .loader::<LatestMetricValue, _>()
                    .load_one(self.metric.id)
                    .await?
                    .is_some(),
            },
        )
    }
    /// The leading metrics that predict it, with their status in the same period.
    async fn leading_metrics(&self, ctx: &Context<'_>) -> Result<Vec<LeadingMetricStatus>> {
        let leading = request(ctx)?
            .loader::<MetricsDriving, _>()
            .load_one(self.metric.id)
            .await?
            .unwrap_or_default();
        let mut out = Vec::with_capacity(leading.len());
        let statuses = futures_util::future::try_join_all(
            leading
                .iter()
                .map(|m| status_of(ctx, m, None, Some(self.date), self.org_unit)),
        )
        .await?;
        for (metric, status) in leading.into_iter().zip(statuses) {
            out.push(LeadingMetricStatus {
                metric: Metric(metric),
                status,
            });
        }
        Ok(out)
    }
}

/// One key metric as given.
#[derive(InputObject)]
pub struct KeyMetricInput {
    /// The metric.
    pub metric_id: ID,
    /// The strategic priority it serves on this dashboard; omitted, its metric's.
    pub priority_id: Option<ID>,
}

fn key_metrics(input: &[KeyMetricInput]) -> Result<Vec<KeyMetric>, DomainError> {
    input
        .iter()
        .enumerate()
        .map(|(index, key)| {
            Ok(KeyMetric {
                metric_id: decode_id(
                    &key.metric_id,
                    "Metric",
                    &format!("input.keyMetrics[{index}].metricId"),
                )?,
                priority_id: decode_optional(
                    key.priority_id.as_ref(),
                    "StrategicPriority",
                    &format!("input.keyMetrics[{index}].priorityId"),
                )?,
            })
        })
        .collect()
}

/// A new dashboard.
#[derive(InputObject)]
pub struct CreateDashboardInput {
    /// Its title.
    pub title: String,
    /// The unit it is for; omitted, the tenant's own.
    pub org_unit_id: Option<ID>,
    /// Who looks after it (may change it).
    pub owner_id: Option<ID>,
    /// Its key metrics, in order: at most the tenant's `keyMetricLimit`.
    pub key_metrics: Option<Vec<KeyMetricInput>>,
}

/// Changes to a dashboard; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateDashboardInput {
    /// The global ID of the dashboard.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// Its title.
    pub title: Option<String>,
    /// Who looks after it.
    pub owner_id: MaybeUndefined<ID>,
    /// The whole ordered list of key metrics, replacing the current one.
    pub key_metrics: Option<Vec<KeyMetricInput>>,
}

/// A dashboard to delete.
#[derive(InputObject)]
pub struct DeleteDashboardInput {
    /// The global ID of the dashboard.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
}

/// The dashboard after the change, and what it is missing.
#[derive(SimpleObject)]
pub struct DashboardPayload {
    /// The dashboard after the change.
    pub dashboard: Dashboard,
    /// Advice about its balance (see `Dashboard.warnings`).
    pub warnings: Vec<DashboardWarning>,
}

async fn payload(ctx: &Context<'_>, row: dashboard::Model) -> Result<DashboardPayload> {
    let warnings = warnings_of(ctx, &row).await?;
    Ok(DashboardPayload {
        dashboard: Dashboard(row),
        warnings,
    })
}

#[derive(Default)]
pub struct DashboardsQuery;

#[Object]
impl DashboardsQuery {
    /// The dashboards the viewer reads, by title: every one for admins and
    /// integrators; else the tenant's, their unit's and those above, and
    /// their own.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn dashboards(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this unit's dashboards.")] org_unit_id: Option<ID>,
        #[graphql(desc = "Only the tenant's own dashboards (no unit).")] company: Option<bool>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<Dashboard>> {
        let scope = &request(ctx)?.scope;
        let unit = decode_optional(org_unit_id.as_ref(), "OrgUnit", "orgUnitId")?;
        let units = readable_units(ctx).await?;
        let mut select = scope
            .select::<dashboard::Entity>()
            .filter(service::dashboards::readable(scope, &units));
        if let Some(unit) = unit {
            select = select.filter(dashboard::Column::OrgUnitId.eq(unit));
        }
        if company == Some(true) {
            select = select.filter(dashboard::Column::OrgUnitId.is_null());
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Text(dashboard::Column::Title),
            PageArgs::new(first, after, last, before),
            Dashboard,
        )
        .await?)
    }
}

/// A dashboard by ID for `node`, if the viewer reads it.
pub async fn readable_dashboard(ctx: &Context<'_>, id: Uuid) -> Result<Option<Dashboard>> {
    let request = request(ctx)?;
    let Some(row) = request
        .loader::<ById<dashboard::Entity>, _>()
        .load_one(id)
        .await?
    else {
        return Ok(None);
    };
    let units = readable_units(ctx).await?;
    Ok(service::dashboards::may_read(&request.scope, &units, &row).then_some(Dashboard(row)))
}

/// The org units whose dashboards the viewer reads (`None`: all), once a
/// request: `nodes` with a hundred dashboards asks once.
async fn readable_units(ctx: &Context<'_>) -> Result<Option<HashSet<Uuid>>> {
    // Fails closed: no answer is never "every dashboard".
    let units = request(ctx)?
        .loader::<DashboardReadableUnits, _>()
        .load_one(())
        .await?
        .ok_or_else(|| DomainError::Internal("the readable units were not worked out".into()))?;
    Ok(units.0)
}

#[derive(Default)]
pub struct DashboardsMutation;

#[Object]
impl DashboardsMutation {
    /// Creates a dashboard (admins).
    async fn create_dashboard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateDashboardInput,
    ) -> Result<DashboardPayload> {
        let scope = &request(ctx)?.scope;
        scope.require_admin("creating dashboards")?;
        let row = service::dashboards::create(
            scope,
            NewDashboard {
                title: input.title,
                org_unit_id: decode_optional(
                    input.org_unit_id.as_ref(),
                    "OrgUnit",
                    "input.orgUnitId",
                )?,
                owner_id: decode_optional(input.owner_id.as_ref(), "Person", "input.ownerId")?,
                key_metrics: key_metrics(input.key_metrics.as_deref().unwrap_or_default())?,
            },
        )
        .await?;
        payload(ctx, row).await
    }

    /// Changes a dashboard (admins, its owner).
    async fn update_dashboard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateDashboardInput,
    ) -> Result<DashboardPayload> {
        let scope = &request(ctx)?.scope;
        // Only admins and owners change dashboards: who owns none is
        // answered before what the input names.
        if scope.actor().person_id.is_none() {
            scope.require_admin("changing dashboards")?;
        }
        let id = decode_id(&input.id, "Dashboard", "input.id")?;
        let row = service::dashboards::update(
            scope,
            id,
            DashboardChanges {
                version: input.version,
                title: input.title,
                owner_id: patch_id(&input.owner_id, "Person", "input.ownerId")?,
                key_metrics: input.key_metrics.as_deref().map(key_metrics).transpose()?,
            },
        )
        .await?;
        payload(ctx, row).await
    }

    /// Deletes a dashboard (admins, its owner).
    async fn delete_dashboard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteDashboardInput,
    ) -> Result<DeletePayload> {
        let scope = &request(ctx)?.scope;
        if scope.actor().person_id.is_none() {
            scope.require_admin("deleting dashboards")?;
        }
        let id = decode_id(&input.id, "Dashboard", "input.id")?;
        let row = service::dashboards::delete(scope, id, input.version).await?;
        Ok(DeletePayload {
            deleted_id: encode_id("Dashboard", row.id),
        })
    }
}
