//! Metrics (KPIs), their values by period, and leading → lagging links.

use super::connection::{
    self, Page, PageArgs, SortKey, page_complexity, search_term, text_contains, updated_since,
};
use super::context::request;
use super::ids::{decode_id, decode_optional, encode_id, id_of};
use super::inputs::{patch, patch_id};
use super::loaders::{ById, LatestMetricValue, MetricsDriven, MetricsDriving};
use super::scalars::Date;
use super::types::*;
use crate::decimal::from_stored;
use crate::entity::{metric, metric_value, strategic_priority};
use crate::enums::{Aggregation, IndicatorKind, MetricDirection, MetricFrequency, ValueSource};
use crate::periods::{Period, period_containing};
use crate::service;
use crate::service::metrics::NewValue;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter};

/// A key performance indicator and its series of values.
#[derive(Clone, Debug)]
pub struct Metric(pub metric::Model);

/// A key performance indicator and its series of values.
#[Object]
impl Metric {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("Metric", self.0.id)
    }
    /// The metric's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What it measures and how.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The unit of its values, e.g. `EUR`, `%`.
    async fn unit(&self) -> Option<&str> {
        self.0.unit.as_deref()
    }
    /// Which way is good.
    async fn direction(&self) -> Result<MetricDirection> {
        Ok(MetricDirection::parse(&self.0.direction)?)
    }
    /// Leading (predicts) or lagging (outcome).
    async fn indicator_kind(&self) -> Result<IndicatorKind> {
        Ok(IndicatorKind::parse(&self.0.indicator_kind)?)
    }
    /// How often it gets a value.
    async fn frequency(&self) -> Result<MetricFrequency> {
        Ok(MetricFrequency::parse(&self.0.frequency)?)
    }
    /// How values combine over longer periods.
    async fn aggregation(&self) -> Result<Aggregation> {
        Ok(Aggregation::parse(&self.0.aggregation)?)
    }
    /// Who is accountable for it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.owner_id).await
    }
    /// The unit it belongs to.
    async fn org_unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        load_org_unit(ctx, self.0.org_unit_id).await
    }
    /// The strategic priority it measures.
    async fn priority(&self, ctx: &Context<'_>) -> Result<Option<StrategicPriority>> {
        let Some(id) = self.0.priority_id else {
            return Ok(None);
        };
        let loader = request(ctx)?.loader::<ById<strategic_priority::Entity>, _>();
        Ok(loader.load_one(id).await?.map(StrategicPriority))
    }
    /// For a leading metric: the lagging metrics it is meant to move.
    async fn drives(&self, ctx: &Context<'_>) -> Result<Vec<Metric>> {
        let loader = request(ctx)?.loader::<MetricsDriven, _>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Metric)
            .collect())
    }
    /// For a lagging metric: the leading metrics meant to move it.
    async fn driven_by(&self, ctx: &Context<'_>) -> Result<Vec<Metric>> {
        let loader = request(ctx)?.loader::<MetricsDriving, _>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Metric)
            .collect())
    }
    /// What follows it in the tenant's frameworks, as you may see it: key results linked to it, scorecard measures placed on it.
    async fn followers(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::metric_followers::MetricFollower>> {
        super::metric_followers::followers_of(ctx, self.0.id, None).await
    }
    /// The value of the latest period that has one.
    async fn latest_value(&self, ctx: &Context<'_>) -> Result<Option<MetricValue>> {
        let loader = request(ctx)?.loader::<LatestMetricValue, _>();
        Ok(loader.load_one(self.0.id).await?.map(MetricValue))
    }
    /// Its targets, earliest first: those for `orgUnitId`, or omitted, the
    /// metric's own (for every unit without one).
    async fn targets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this unit's targets.")] org_unit_id: Option<ID>,
    ) -> Result<Vec<MetricTarget>> {
        let unit = decode_optional(org_unit_id.as_ref(), "OrgUnit", "orgUnitId")?;
        super::metric_targets::targets_of(ctx, &self.0, unit).await
    }
    /// How it stands in a period: its values there rolled up with its
    /// aggregation and judged against the target in force then, explained.
    async fn status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the period; omitted, today.")] period: Option<Date>,
        #[graphql(
            desc = "The period's length: the metric's frequency or longer; omitted, its frequency."
        )]
        period_kind: Option<crate::periods::PeriodKind>,
        #[graphql(desc = "Judge against this unit's target, if it has one.")] org_unit_id: Option<
            ID,
        >,
    ) -> Result<super::metric_targets::MetricStatus> {
        let unit = decode_optional(org_unit_id.as_ref(), "OrgUnit", "orgUnitId")?;
        super::metric_targets::status_of(ctx, &self.0, period_kind, period.map(|d| d.0), unit).await
    }
    /// Values by period, oldest first; optionally only periods starting within `from`..`to` (inclusive).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn values(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only periods starting on or after this day.")] from: Option<Date>,
        #[graphql(desc = "Only periods starting on or before this day.")] to: Option<Date>,
        #[graphql(desc = "Only values recorded or replaced at or after this time.")]
        updated_since: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<MetricValue>> {
        let scope = &request(ctx)?.scope;
        let mut select = scope
            .select::<metric_value::Entity>()
            .filter(metric_value::Column::MetricId.eq(self.0.id))
            .filter(connection::updated_since(
                metric_value::Column::RecordedAt,
                updated_since,
            ));
        if let Some(from) = from {
            select = select.filter(metric_value::Column::PeriodStart.gte(from.0));
        }
        if let Some(to) = to {
            select = select.filter(metric_value::Column::PeriodStart.lte(to.0));
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Date(metric_value::Column::PeriodStart),
            PageArgs::new(first, after, last, before),
            MetricValue,
        )
        .await?)
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was defined.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When its definition last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One value of a metric for one period.
#[derive(Clone, Debug)]
pub struct MetricValue(pub metric_value::Model);

/// One value of a metric for one period.
#[Object]
impl MetricValue {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("MetricValue", self.0.id)
    }
    /// The metric this is a value of.
    async fn metric(&self, ctx: &Context<'_>) -> Result<Option<Metric>> {
        let loader = request(ctx)?.loader::<ById<metric::Entity>, _>();
        Ok(loader.load_one(self.0.metric_id).await?.map(Metric))
    }
    /// The first day of the period the value is for.
    async fn period_start(&self) -> Date {
        Date(self.0.period_start)
    }
    /// The period the value is for, in the tenant's calendar.
    async fn period(&self, ctx: &Context<'_>) -> Result<Period> {
        let request = request(ctx)?;
        let metric = request
            .loader::<ById<metric::Entity>, _>()
            .load_one(self.0.metric_id)
            .await?
            .ok_or(crate::DomainError::not_found("metric"))?;
        let kind = service::metrics::period_kind(MetricFrequency::parse(&metric.frequency)?);
        Ok(period_containing(
            kind,
            self.0.period_start,
            request.scope.tenant().fiscal_year_start_month as u32,
        ))
    }
    /// The value, exact.
    async fn value(&self) -> Result<Decimal> {
        Ok(from_stored(&self.0.value)?)
    }
    /// Where it came from.
    async fn source(&self) -> Result<ValueSource> {
        Ok(ValueSource::parse(&self.0.source)?)
    }
    /// Who recorded it (null for the system).
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        load_user(ctx, self.0.recorded_by).await
    }
    /// When it was recorded (or last replaced).
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

/// Filters for `metrics`.
#[derive(InputObject, Default)]
pub struct MetricFilter {
    /// Case-insensitive part of the name.
    pub search: Option<String>,
    /// Only metrics of this priority.
    pub priority_id: Option<ID>,
    /// Only metrics of this unit.
    pub org_unit_id: Option<ID>,
    /// Only leading or only lagging metrics.
    pub indicator_kind: Option<IndicatorKind>,
    /// Only metrics changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
}

/// A new metric.
#[derive(InputObject)]
pub struct CreateMetricInput {
    /// The name.
    pub name: String,
    /// A longer explanation.
    pub description: Option<String>,
    /// The unit of the values, e.g. `EUR`, `%`.
    pub unit: Option<String>,
    /// Which way is good.
    pub direction: MetricDirection,
    /// Leading (predicts) or lagging (outcome).
    pub indicator_kind: IndicatorKind,
    /// How often the metric gets a value; its values are keyed by period start.
    pub frequency: MetricFrequency,
    /// How values combine over longer periods.
    pub aggregation: Aggregation,
    /// The person accountable for it.
    pub owner_id: Option<ID>,
    /// The org unit it belongs to.
    pub org_unit_id: Option<ID>,
    /// The strategic priority it serves.
    pub priority_id: Option<ID>,
}

/// Changes to a metric; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateMetricInput {
    /// The global ID of the entity to change.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// The name.
    pub name: Option<String>,
    /// A longer explanation.
    pub description: MaybeUndefined<String>,
    /// The unit of the values, e.g. `EUR`, `%`.
    pub unit: MaybeUndefined<String>,
    /// Which way is good.
    pub direction: Option<MetricDirection>,
    /// Leading (predicts) or lagging (outcome).
    pub indicator_kind: Option<IndicatorKind>,
    /// Refused once the metric has values.
    pub frequency: Option<MetricFrequency>,
    /// How values combine over longer periods.
    pub aggregation: Option<Aggregation>,
    /// The person accountable for it.
    pub owner_id: MaybeUndefined<ID>,
    /// The org unit it belongs to.
    pub org_unit_id: MaybeUndefined<ID>,
    /// The strategic priority it serves.
    pub priority_id: MaybeUndefined<ID>,
}

/// The metric after the change.
#[derive(SimpleObject)]
pub struct MetricPayload {
    /// The metric after the change.
    pub metric: Metric,
}

/// A leading metric and a lagging metric it is meant to move.
#[derive(InputObject)]
pub struct MetricLinkInput {
    /// The leading metric (it must be a LEADING indicator).
    pub leading_metric_id: ID,
    /// The lagging metric it is meant to move (a LAGGING indicator).
    pub lagging_metric_id: ID,
}

/// Both metrics after the change.
#[derive(SimpleObject)]
pub struct MetricLinkPayload {
    /// The leading metric.
    pub leading: Metric,
    /// The lagging metric.
    pub lagging: Metric,
}

/// One value for one period.
#[derive(InputObject)]
pub struct MetricValueInput {
    /// The first day of the period (Monday for weekly metrics, the 1st for
    /// monthly ones, the fiscal quarter's first day for quarterly ones).
    pub period: Date,
    /// The value, exact.
    pub value: Decimal,
}

/// Values of one metric, recorded together in one transaction.
#[derive(InputObject)]
pub struct RecordMetricValuesInput {
    /// The metric the values belong to.
    pub metric_id: ID,
    /// Where the values come from; default `MANUAL`.
    pub source: Option<ValueSource>,
    /// Up to 1000 values; a period that already has a value is replaced (audited).
    pub values: Vec<MetricValueInput>,
}

/// The values as stored.
#[derive(SimpleObject)]
pub struct RecordMetricValuesPayload {
    /// The metric the values belong to.
    pub metric: Metric,
    /// The stored values, in the order given.
    pub values: Vec<MetricValue>,
}

#[derive(Default)]
pub struct MetricsQuery;

#[Object]
impl MetricsQuery {
    /// A metric by ID; null if there is none in this tenant.
    async fn metric(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global ID.")] id: ID,
    ) -> Result<Option<Metric>> {
        let Some(uuid) = id_of(&id, "Metric") else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<metric::Entity>, _>()
            .load_one(uuid)
            .await?
            .map(Metric))
    }

    /// The tenant's metrics, by name.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn metrics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; omitted, everything.")] filter: Option<MetricFilter>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<Metric>> {
        let scope = &request(ctx)?.scope;
        let filter = filter.unwrap_or_default();
        let mut select = scope.select::<metric::Entity>().filter(updated_since(
            metric::Column::UpdatedAt,
            filter.updated_since,
        ));
        if let Some(search) = search_term("filter.search", filter.search.as_deref())? {
            select = select.filter(text_contains(metric::Column::Name, search));
        }
        if let Some(priority) = decode_optional(
            filter.priority_id.as_ref(),
            "StrategicPriority",
            "filter.priorityId",
        )? {
            select = select.filter(metric::Column::PriorityId.eq(priority));
        }
        if let Some(unit) =
            decode_optional(filter.org_unit_id.as_ref(), "OrgUnit", "filter.orgUnitId")?
        {
            select = select.filter(metric::Column::OrgUnitId.eq(unit));
        }
        if let Some(kind) = filter.indicator_kind {
            select = select.filter(metric::Column::IndicatorKind.eq(kind.as_str()));
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Text(metric::Column::Name),
            PageArgs::new(first, after, last, before),
            Metric,
        )
        .await?)
    }
}

#[derive(Default)]
pub struct MetricsMutation;

#[Object]
impl MetricsMutation {
    /// Defines a metric (admins).
    async fn create_metric(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateMetricInput,
    ) -> Result<MetricPayload> {
        let scope = &request(ctx)?.scope;
        let metric = service::metrics::create(
            scope,
            service::metrics::NewMetric {
                name: input.name,
                description: input.description,
                unit: input.unit,
                direction: input.direction,
                indicator_kind: input.indicator_kind,
                frequency: input.frequency,
                aggregation: input.aggregation,
                owner_id: decode_optional(input.owner_id.as_ref(), "Person", "input.ownerId")?,
                org_unit_id: decode_optional(
                    input.org_unit_id.as_ref(),
                    "OrgUnit",
                    "input.orgUnitId",
                )?,
                priority_id: decode_optional(
                    input.priority_id.as_ref(),
                    "StrategicPriority",
                    "input.priorityId",
                )?,
            },
        )
        .await?;
        Ok(MetricPayload {
            metric: Metric(metric),
        })
    }

    /// Changes a metric's definition (admins).
    async fn update_metric(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateMetricInput,
    ) -> Result<MetricPayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "Metric", "input.id")?;
        let metric = service::metrics::update(
            scope,
            id,
            service::metrics::MetricChanges {
                version: input.version,
                name: input.name,
                description: patch(&input.description),
                unit: patch(&input.unit),
                direction: input.direction,
                indicator_kind: input.indicator_kind,
                frequency: input.frequency,
                aggregation: input.aggregation,
                owner_id: patch_id(&input.owner_id, "Person", "input.ownerId")?,
                org_unit_id: patch_id(&input.org_unit_id, "OrgUnit", "input.orgUnitId")?,
                priority_id: patch_id(&input.priority_id, "StrategicPriority", "input.priorityId")?,
            },
        )
        .await?;
        Ok(MetricPayload {
            metric: Metric(metric),
        })
    }

    /// Says a leading metric is meant to move a lagging one (admins). Idempotent.
    async fn link_metrics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: MetricLinkInput,
    ) -> Result<MetricLinkPayload> {
        let scope = &request(ctx)?.scope;
        let leading = decode_id(&input.leading_metric_id, "Metric", "input.leadingMetricId")?;
        let lagging = decode_id(&input.lagging_metric_id, "Metric", "input.laggingMetricId")?;
        let (leading, lagging) = service::metrics::link(scope, leading, lagging).await?;
        Ok(MetricLinkPayload {
            leading: Metric(leading),
            lagging: Metric(lagging),
        })
    }

    /// Removes a leading → lagging link (admins). Idempotent.
    async fn unlink_metrics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: MetricLinkInput,
    ) -> Result<MetricLinkPayload> {
        let scope = &request(ctx)?.scope;
        let leading = decode_id(&input.leading_metric_id, "Metric", "input.leadingMetricId")?;
        let lagging = decode_id(&input.lagging_metric_id, "Metric", "input.laggingMetricId")?;
        let (leading, lagging) = service::metrics::unlink(scope, leading, lagging).await?;
        Ok(MetricLinkPayload {
            leading: Metric(leading),
            lagging: Metric(lagging),
        })
    }

    /// Records values of a metric (admins, integrators, the metric's owner).
    /// All or nothing: one bad value refuses the whole call, naming it.
    async fn record_metric_values(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RecordMetricValuesInput,
    ) -> Result<RecordMetricValuesPayload> {
        let scope = &request(ctx)?.scope;
        let metric_id = decode_id(&input.metric_id, "Metric", "input.metricId")?;
        let values = input
            .values
            .into_iter()
            .map(|v| NewValue {
                period: v.period.0,
                value: v.value,
            })
            .collect();
        let saved = service::metrics::record_values(
            scope,
            metric_id,
            values,
            input.source.unwrap_or(ValueSource::Manual),
        )
        .await?;
        let metric = request(ctx)?
            .loader::<super::loaders::ById<crate::entity::metric::Entity>, _>()
            .load_one(metric_id)
            .await?
            .ok_or(crate::DomainError::not_found("metric"))?;
        Ok(RecordMetricValuesPayload {
            metric: Metric(metric),
            values: saved.into_iter().map(MetricValue).collect(),
        })
    }
}
