//! Metrics (KPIs), their leading → lagging links and their value series.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use crate::decimal::to_stored;
use crate::entity::{metric, metric_link, metric_value, org_unit, person, strategic_priority};
use crate::enums::{
    Aggregation, IndicatorKind, MetricDirection, MetricFrequency, Role, ValueSource,
};
use crate::error::{DomainError, DomainResult};
use crate::periods::{PeriodKind, period_containing};
use crate::tenancy::{Change, TenantScope, TenantSelect, TenantTxn};

use super::{check_version, optional_text, required_text};

/// The most values one `recordMetricValues` call may carry.
pub const MAX_VALUES_PER_CALL: usize = 1000;

#[derive(Clone, Debug)]
pub struct NewMetric {
    pub name: String,
    pub description: Option<String>,
    pub unit: Option<String>,
    pub direction: MetricDirection,
    pub indicator_kind: IndicatorKind,
    pub frequency: MetricFrequency,
    pub aggregation: Aggregation,
    pub owner_id: Option<Uuid>,
    pub org_unit_id: Option<Uuid>,
    pub priority_id: Option<Uuid>,
}

/// `None` leaves a field alone; `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct MetricChanges {
    pub version: i32,
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub unit: Option<Option<String>>,
    pub direction: Option<MetricDirection>,
    pub indicator_kind: Option<IndicatorKind>,
    pub frequency: Option<MetricFrequency>,
    pub aggregation: Option<Aggregation>,
    pub owner_id: Option<Option<Uuid>>,
    pub org_unit_id: Option<Option<Uuid>>,
    pub priority_id: Option<Option<Uuid>>,
}

/// The values of `metrics` whose periods start within `from..=to`, oldest
/// first, by metric: one narrow statement.
pub async fn values_between(
    scope: &TenantScope,
    metrics: impl IntoIterator<Item = Uuid>,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> DomainResult<std::collections::HashMap<Uuid, Vec<(chrono::NaiveDate, rust_decimal::Decimal)>>>
{
    let rows: Vec<(Uuid, chrono::NaiveDate, String)> = scope
        .select::<metric_value::Entity>()
        .select_only()
        .column(metric_value::Column::MetricId)
        .column(metric_value::Column::PeriodStart)
        .column(metric_value::Column::Value)
        .filter(metric_value::Column::MetricId.is_in(metrics))
        .filter(metric_value::Column::PeriodStart.between(from, to))
        .order_by_asc(metric_value::Column::PeriodStart)
        .into_tuple()
        .all(scope)
        .await?;
    let mut out: std::collections::HashMap<Uuid, Vec<_>> = Default::default();
    for (metric, day, value) in rows {
        out.entry(metric)
            .or_default()
            .push((day, crate::decimal::from_stored(&value)?));
    }
    Ok(out)
}

pub fn period_kind(frequency: MetricFrequency) -> PeriodKind {
    match frequency {
        MetricFrequency::Weekly => PeriodKind::Week,
        MetricFrequency::Monthly => PeriodKind::Month,
        MetricFrequency::Quarterly => PeriodKind::Quarter,
    }
}

async fn check_references(
    tx: &TenantTxn<'_>,
    owner: Option<Uuid>,
    unit: Option<Uuid>,
    priority: Option<Uuid>,
) -> DomainResult<()> {
    if let Some(id) = owner {
        tx.reference::<person::Entity>(id, "input.ownerId", "person")
            .await?;
    }
    if let Some(id) = unit {
        tx.reference::<org_unit::Entity>(id, "input.orgUnitId", "org unit")
            .await?;
    }
    if let Some(id) = priority {
        tx.reference::<strategic_priority::Entity>(id, "input.priorityId", "strategic priority")
            .await?;
    }
    Ok(())
}

pub async fn create(scope: &TenantScope, input: NewMetric) -> DomainResult<metric::Model> {
    scope.require_admin("defining metrics")?;
    let name = required_text("input.name", &input.name, 200)?;
    let description = optional_text("input.description", input.description.as_deref(), 4000)?;
    let unit = optional_text("input.unit", input.unit.as_deref(), 50)?;
    let mut tx = scope.begin().await?;
    check_references(&tx, input.owner_id, input.org_unit_id, input.priority_id).await?;
    let now = Utc::now();
    let model = tx
        .insert(metric::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name),
            description: Set(description),
            unit: Set(unit),
            direction: Set(input.direction.as_str().into()),
            indicator_kind: Set(input.indicator_kind.as_str().into()),
            frequency: Set(input.frequency.as_str().into()),
            aggregation: Set(input.aggregation.as_str().into()),
            owner_id: Set(input.owner_id),
            org_unit_id: Set(input.org_unit_id),
            priority_id: Set(input.priority_id),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "metric.created",
        "Metric",
        model.id,
        &model,
    ))
    .await?;
    tx.commit().await?;
    Ok(model)
}

pub async fn update(
    scope: &TenantScope,
    id: Uuid,
    changes: MetricChanges,
) -> DomainResult<metric::Model> {
    scope.require_admin("changing metrics")?;
    let mut tx = scope.begin().await?;
    let current = tx.load::<metric::Entity>(id, "metric").await?;
    check_version(current.version, changes.version, "metric")?;
    let mut after = current.clone();
    if let Some(name) = &changes.name {
        after.name = required_text("input.name", name, 200)?;
    }
    if let Some(description) = &changes.description {
        after.description = optional_text("input.description", description.as_deref(), 4000)?;
    }
    if let Some(unit) = &changes.unit {
        after.unit = optional_text("input.unit", unit.as_deref(), 50)?;
    }
    if let Some(direction) = changes.direction {
        if direction.as_str() != current.direction {
            // Under the tenant lock targets are set with: none can appear
            // between this check and the commit.
            tx.lock_tenant().await?;
            if super::metric_targets::has_targets(&tx, id).await? {
                return Err(DomainError::validation(
                    "input.direction",
                    "this metric has targets stated in its current direction; delete them before changing it",
                ));
            }
        }
        after.direction = direction.as_str().into();
    }
    if let Some(kind) = changes.indicator_kind {
        let linked = tx
            .select::<metric_link::Entity>()
            .filter(
                sea_orm::Condition::any()
                    .add(metric_link::Column::LeadingMetricId.eq(id))
                    .add(metric_link::Column::LaggingMetricId.eq(id)),
            )
            .one(&tx)
            .await?;
        if linked.is_some() && kind.as_str() != current.indicator_kind {
            return Err(DomainError::validation(
                "input.indicatorKind",
                "this metric has leading → lagging links; remove them before changing its kind",
            ));
        }
        after.indicator_kind = kind.as_str().into();
    }
    if let Some(frequency) = changes.frequency {
        if frequency.as_str() != current.frequency {
            let has_values = scope
                .select::<metric_value::Entity>()
                .filter(metric_value::Column::MetricId.eq(id))
                .one(&tx)
                .await?;
            if has_values.is_some() {
                return Err(DomainError::validation(
                    "input.frequency",
                    "this metric already has values keyed by its current frequency; create a new metric instead",
                ));
            }
        }
        after.frequency = frequency.as_str().into();
    }
    if let Some(aggregation) = changes.aggregation {
        after.aggregation = aggregation.as_str().into();
    }
    if let Some(owner) = changes.owner_id {
        after.owner_id = owner;
    }
    if let Some(unit) = changes.org_unit_id {
        after.org_unit_id = unit;
    }
    if let Some(priority) = changes.priority_id {
        after.priority_id = priority;
    }
    check_references(
        &tx,
        changes.owner_id.flatten(),
        changes.org_unit_id.flatten(),
        changes.priority_id.flatten(),
    )
    .await?;
    // Nothing changed: nothing is written (the transaction rolls back).
    if after == current {
        return Ok(current);
    }
    after.version += 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<metric::Entity>(id, after.clone(), current.version, "metric")
        .await?;
    tx.record(Change::updated(
        "metric.updated",
        "Metric",
        id,
        &current,
        &after,
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Says that `leading` is meant to move `lagging`. Idempotent.
pub async fn link(
    scope: &TenantScope,
    leading: Uuid,
    lagging: Uuid,
) -> DomainResult<(metric::Model, metric::Model)> {
    scope.require_admin("linking metrics")?;
    if leading == lagging {
        return Err(DomainError::validation(
            "input.laggingMetricId",
            "a metric cannot drive itself",
        ));
    }
    let mut tx = scope.begin().await?;
    let lead = tx
        .reference::<metric::Entity>(leading, "input.leadingMetricId", "metric")
        .await?;
    let lag = tx
        .reference::<metric::Entity>(lagging, "input.laggingMetricId", "metric")
        .await?;
    if lead.indicator_kind != IndicatorKind::Leading.as_str() {
        return Err(DomainError::validation(
            "input.leadingMetricId",
            format!(
                "{:?} is a lagging indicator; only a leading indicator drives others",
                lead.name
            ),
        ));
    }
    if lag.indicator_kind != IndicatorKind::Lagging.as_str() {
        return Err(DomainError::validation(
            "input.laggingMetricId",
            format!(
                "{:?} is a leading indicator; a leading indicator drives lagging ones",
                lag.name
            ),
        ));
    }
    let existing = link_between(&tx, leading, lagging).one(&tx).await?;
    if existing.is_none() {
        let row = tx
            .insert(metric_link::ActiveModel {
                leading_metric_id: Set(leading),
                lagging_metric_id: Set(lagging),
                created_at: Set(Utc::now()),
                ..Default::default()
            })
            .await?;
        tx.record(Change::created("metric.linked", "Metric", leading, &row))
            .await?;
    }
    tx.commit().await?;
    Ok((lead, lag))
}

/// The link from `leading` to `lagging`, if any.
fn link_between(
    tx: &TenantTxn<'_>,
    leading: Uuid,
    lagging: Uuid,
) -> TenantSelect<metric_link::Entity> {
    tx.select::<metric_link::Entity>()
        .filter(metric_link::Column::LeadingMetricId.eq(leading))
        .filter(metric_link::Column::LaggingMetricId.eq(lagging))
}

/// Removes a leading → lagging link. Idempotent.
pub async fn unlink(
    scope: &TenantScope,
    leading: Uuid,
    lagging: Uuid,
) -> DomainResult<(metric::Model, metric::Model)> {
    scope.require_admin("unlinking metrics")?;
    let mut tx = scope.begin().await?;
    let lead = tx
        .reference::<metric::Entity>(leading, "input.leadingMetricId", "metric")
        .await?;
    let lag = tx
        .reference::<metric::Entity>(lagging, "input.laggingMetricId", "metric")
        .await?;
    let existing = link_between(&tx, leading, lagging).one(&tx).await?;
    if let Some(row) = existing {
        tx.delete::<metric_link::Entity>()
            .filter(metric_link::Column::LeadingMetricId.eq(leading))
            .filter(metric_link::Column::LaggingMetricId.eq(lagging))
            .exec()
            .await?;
        tx.record(Change::deleted("metric.unlinked", "Metric", leading, &row))
            .await?;
    }
    tx.commit().await?;
    Ok((lead, lag))
}

/// One value to record.
#[derive(Clone, Debug)]
pub struct NewValue {
    /// Any day of the period, or its first day (see [`align_periods`]).
    pub period: NaiveDate,
    pub value: Decimal,
}

/// Records many values of one metric in one transaction; a value for a period
/// that already has one replaces it (audited with before and after).
/// Periods must be the first day of a period of the metric's frequency.
pub async fn record_values(
    scope: &TenantScope,
    metric_id: Uuid,
    values: Vec<NewValue>,
    source: ValueSource,
) -> DomainResult<Vec<metric_value::Model>> {
    if values.is_empty() {
        return Err(DomainError::validation(
            "input.values",
            "give at least one value",
        ));
    }
    if values.len() > MAX_VALUES_PER_CALL {
        return Err(DomainError::LimitExceeded(format!(
            "{} values in one call; the most is {MAX_VALUES_PER_CALL}: split them",
            values.len()
        )));
    }
    let mut tx = scope.begin().await?;
    let metric = tx.load::<metric::Entity>(metric_id, "metric").await?;
    let actor = scope.actor();
    let owns = actor.person_id.is_some() && actor.person_id == metric.owner_id;
    if !owns {
        scope.require_role(
            &[Role::Admin, Role::Integrator],
            "recording values of a metric you do not own",
        )?;
    }
    let kind = period_kind(MetricFrequency::parse(&metric.frequency)?);
    let fiscal_start = scope.tenant().fiscal_year_start_month as u32;
    let mut seen = HashSet::new();
    for (index, value) in values.iter().enumerate() {
        crate::numbers::business_number(&format!("input.values[{index}].value"), value.value)?;
        let period = period_containing(kind, value.period, fiscal_start);
        if period.start != value.period {
            return Err(DomainError::validation(
                format!("input.values[{index}].period"),
                format!(
                    "{} is not the first day of a {} period; this metric's values are keyed by period start ({} for {})",
                    value.period,
                    kind.as_str().to_lowercase(),
                    period.start,
                    period.label
                ),
            ));
        }
        if !seen.insert(value.period) {
            return Err(DomainError::validation(
                format!("input.values[{index}].period"),
                format!("{} appears twice in this call", value.period),
            ));
        }
        // Values are actuals: a period that has not begun in the tenant's
        // time zone has none yet.
        if value.period > scope.today() {
            return Err(DomainError::validation(
                format!("input.values[{index}].period"),
                format!(
                    "{} ({}) has not begun; record a value once its period has started",
                    value.period, period.label
                ),
            ));
        }
    }
    let existing: HashMap<NaiveDate, metric_value::Model> = scope
        .select::<metric_value::Entity>()
        .filter(metric_value::Column::MetricId.eq(metric_id))
        .filter(metric_value::Column::PeriodStart.is_in(values.iter().map(|v| v.period)))
        .all(&tx)
        .await?
        .into_iter()
        .map(|row| (row.period_start, row))
        .collect();
    let now = Utc::now();
    let mut saved = Vec::with_capacity(values.len());
    for value in values {
        let before = existing.get(&value.period);
        let row = match before {
            Some(old) => {
                let mut active: metric_value::ActiveModel = old.clone().into();
                active.value = Set(to_stored(value.value));
                active.source = Set(source.as_str().into());
                active.recorded_by = Set(actor.user_id);
                active.recorded_at = Set(now);
                tx.save(active).await?
            }
            None => {
                tx.insert(metric_value::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    metric_id: Set(metric_id),
                    period_start: Set(value.period),
                    value: Set(to_stored(value.value)),
                    source: Set(source.as_str().into()),
                    recorded_by: Set(actor.user_id),
                    recorded_at: Set(now),
                    ..Default::default()
                })
                .await?
            }
        };
        tx.record(Change {
            action: if before.is_some() {
                "metric_value.replaced"
            } else {
                "metric_value.recorded"
            },
            entity_type: "MetricValue",
            entity_id: row.id,
            before,
            after: Some(&row),
        })
        .await?;
        saved.push(row);
    }
    tx.commit().await?;
    Ok(saved)
}
