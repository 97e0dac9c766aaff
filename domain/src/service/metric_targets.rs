//! Targets of core metrics: the shared `Target`, valid over a date range,
//! for the whole metric or for one org unit, with a warning margin. A
//! metric's targets for one scope never overlap, so each day has at most
//! one in force and a past period is judged against the one in force then.

use chrono::{Days, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::decimal::{from_stored, to_stored};
use crate::entity::{metric, metric_target, org_unit};
use crate::enums::MetricDirection;
use crate::error::{DomainError, DomainResult};
use crate::metric_status::{DatedTarget, check_kind_fits};
use crate::target::{Target, TargetKind};
use crate::tenancy::{Change, TenantScope, TenantTxn};

use super::check_version;

/// The most targets one metric may have (all scopes and years together).
pub const MAX_TARGETS_PER_METRIC: usize = 200;

/// A target to put in force.
#[derive(Clone, Debug)]
pub struct NewMetricTarget {
    pub metric_id: Uuid,
    pub org_unit_id: Option<Uuid>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub target: Target,
    pub warning_margin: Option<Decimal>,
}

/// `None` leaves a field alone; `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct MetricTargetChanges {
    pub version: i32,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<Option<NaiveDate>>,
    pub target: Option<Target>,
    pub warning_margin: Option<Option<Decimal>>,
}

/// A stored target as the status computation takes it.
pub fn dated(row: &metric_target::Model) -> DomainResult<DatedTarget> {
    let number = |text: &Option<String>| text.as_deref().map(from_stored).transpose();
    Ok(DatedTarget {
        target: Target {
            kind: TargetKind::parse(&row.target_kind)?,
            start: number(&row.start_value)?,
            target: number(&row.target_value)?,
            lower: number(&row.lower_value)?,
            upper: number(&row.upper_value)?,
            unit: None,
        },
        valid_from: row.valid_from,
        valid_to: row.valid_to,
        warning_margin: number(&row.warning_margin)?,
    })
}

/// The targets of `metrics` (every scope), earliest first, by metric: one
/// statement.
pub async fn targets_by_metric(
    scope: &TenantScope,
    metrics: impl IntoIterator<Item = Uuid>,
) -> DomainResult<std::collections::HashMap<Uuid, Vec<metric_target::Model>>> {
    let mut out: std::collections::HashMap<Uuid, Vec<metric_target::Model>> = Default::default();
    for row in scope
        .select::<metric_target::Entity>()
        .filter(metric_target::Column::MetricId.is_in(metrics))
        .order_by_asc(metric_target::Column::ValidFrom)
        .all(scope)
        .await?
    {
        out.entry(row.metric_id).or_default().push(row);
    }
    Ok(out)
}

/// Checks a target against its metric: what its kind needs, a kind that
/// fits the metric's direction, the metric's unit, a sensible margin and
/// range.
fn check(
    metric: &metric::Model,
    target: &Target,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    warning_margin: Option<Decimal>,
) -> DomainResult<()> {
    target.validate().map_err(|e| e.within("input.target"))?;
    check_kind_fits(MetricDirection::parse(&metric.direction)?, target.kind)?;
    if let Some(unit) = &target.unit
        && Some(unit) != metric.unit.as_ref()
    {
        return Err(DomainError::validation(
            "input.target.unit",
            format!(
                "a target is in its metric's unit ({}); leave `unit` out or give the same",
                metric.unit.as_deref().unwrap_or("none")
            ),
        ));
    }
    if let Some(margin) = warning_margin {
        crate::numbers::business_number("input.warningMargin", margin)?;
        if margin < Decimal::ZERO {
            return Err(DomainError::validation(
                "input.warningMargin",
                "the warning margin is how far short of the goal still counts as a warning: 0 or more",
            ));
        }
    }
    crate::numbers::date_in_range("input.validFrom", valid_from)?;
    if let Some(to) = valid_to {
        crate::numbers::date_in_range("input.validTo", to)?;
        if to < valid_from {
            return Err(DomainError::validation(
                "input.validTo",
                format!("the target would end ({to}) before it begins ({valid_from})"),
            ));
        }
    }
    Ok(())
}

/// The metric's targets for one scope (the whole metric or one unit).
async fn targets_for(
    tx: &TenantTxn<'_>,
    metric_id: Uuid,
    org_unit_id: Option<Uuid>,
) -> DomainResult<Vec<metric_target::Model>> {
    let select = tx
        .select::<metric_target::Entity>()
        .filter(metric_target::Column::MetricId.eq(metric_id));
    let select = match org_unit_id {
        Some(unit) => select.filter(metric_target::Column::OrgUnitId.eq(unit)),
        None => select.filter(metric_target::Column::OrgUnitId.is_null()),
    };
    Ok(select
        .order_by_asc(metric_target::Column::ValidFrom)
        .all(tx)
        .await?)
}

fn overlaps(row: &metric_target::Model, from: NaiveDate, to: Option<NaiveDate>) -> bool {
    let starts_before_end = to.is_none_or(|to| row.valid_from <= to);
    let ends_after_start = row.valid_to.is_none_or(|end| from <= end);
    starts_before_end && ends_after_start
}

fn range_text(row: &metric_target::Model) -> String {
    match row.valid_to {
        Some(to) => format!("{} to {to}", row.valid_from),
        None => format!("{} on", row.valid_from),
    }
}

fn refuse_overlap(row: &metric_target::Model) -> DomainError {
    DomainError::validation(
        "input.validFrom",
        format!(
            "another target of this metric is in force from {} for the same scope; a day has one target: change or delete that one first",
            range_text(row)
        ),
    )
}

/// Puts a target in force from `valid_from` (admins). The scope's open
/// target that began earlier ends the day before ("from July the target
/// is …"); any other overlap is refused, naming the target in the way.
pub async fn set(
    scope: &TenantScope,
    input: NewMetricTarget,
) -> DomainResult<metric_target::Model> {
    scope.require_admin("setting metric targets")?;
    let mut tx = scope.begin().await?;
    // Two targets set at once must not both pass the overlap check, nor a
    // direction change slip in between (see `metrics::update`).
    tx.lock_tenant().await?;
    let metric = tx
        .reference::<metric::Entity>(input.metric_id, "input.metricId", "metric")
        .await?;
    if let Some(unit) = input.org_unit_id {
        tx.reference::<org_unit::Entity>(unit, "input.orgUnitId", "org unit")
            .await?;
    }
    check(
        &metric,
        &input.target,
        input.valid_from,
        input.valid_to,
        input.warning_margin,
    )?;
    let count = tx
        .select::<metric_target::Entity>()
        .filter(metric_target::Column::MetricId.eq(metric.id))
        .count(&tx)
        .await?;
    if count as usize >= MAX_TARGETS_PER_METRIC {
        return Err(DomainError::LimitExceeded(format!(
            "this metric has {MAX_TARGETS_PER_METRIC} targets, the most it may have; delete old ones first"
        )));
    }
    let existing = targets_for(&tx, metric.id, input.org_unit_id).await?;
    let now = Utc::now();
    for row in existing
        .iter()
        .filter(|row| overlaps(row, input.valid_from, input.valid_to))
    {
        let open_and_earlier = row.valid_to.is_none() && row.valid_from < input.valid_from;
        if !open_and_earlier {
            return Err(refuse_overlap(row));
        }
        let mut closed = row.clone();
        closed.valid_to = input.valid_from.checked_sub_days(Days::new(1));
        closed.version += 1;
        closed.updated_at = now;
        tx.update_versioned::<metric_target::Entity>(
            row.id,
            closed.clone(),
            row.version,
            "metric target",
        )
        .await?;
        tx.record(Change::updated(
            "metric_target.updated",
            "MetricTarget",
            row.id,
            row,
            &closed,
        ))
        .await?;
    }
    let stored = |value: Option<Decimal>| value.map(to_stored);
    let row = tx
        .insert(metric_target::ActiveModel {
            id: Set(Uuid::now_v7()),
            metric_id: Set(metric.id),
            org_unit_id: Set(input.org_unit_id),
            valid_from: Set(input.valid_from),
            valid_to: Set(input.valid_to),
            target_kind: Set(input.target.kind.as_str().into()),
            start_value: Set(stored(input.target.start)),
            target_value: Set(stored(input.target.target)),
            lower_value: Set(stored(input.target.lower)),
            upper_value: Set(stored(input.target.upper)),
            warning_margin: Set(stored(input.warning_margin)),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "metric_target.created",
        "MetricTarget",
        row.id,
        &row,
    ))
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Changes a target (admins); the same rules as setting one, except that
/// an overlap is always refused.
pub async fn update(
    scope: &TenantScope,
    id: Uuid,
    changes: MetricTargetChanges,
) -> DomainResult<metric_target::Model> {
    scope.require_admin("changing metric targets")?;
    let mut tx = scope.begin().await?;
    tx.lock_tenant().await?;
    let current = tx
        .load::<metric_target::Entity>(id, "metric target")
        .await?;
    check_version(current.version, changes.version, "metric target")?;
    let metric = tx
        .load::<metric::Entity>(current.metric_id, "metric")
        .await?;
    let mut target = dated(&current)?;
    if let Some(new_target) = changes.target {
        target.target = new_target;
    }
    if let Some(from) = changes.valid_from {
        target.valid_from = from;
    }
    if let Some(to) = changes.valid_to {
        target.valid_to = to;
    }
    if let Some(margin) = changes.warning_margin {
        target.warning_margin = margin;
    }
    check(
        &metric,
        &target.target,
        target.valid_from,
        target.valid_to,
        target.warning_margin,
    )?;
    if let Some(other) = targets_for(&tx, current.metric_id, current.org_unit_id)
        .await?
        .iter()
        .find(|row| row.id != id && overlaps(row, target.valid_from, target.valid_to))
    {
        return Err(refuse_overlap(other));
    }
    let stored = |value: Option<Decimal>| value.map(to_stored);
    let mut after = current.clone();
    after.valid_from = target.valid_from;
    after.valid_to = target.valid_to;
    after.target_kind = target.target.kind.as_str().into();
    after.start_value = stored(target.target.start);
    after.target_value = stored(target.target.target);
    after.lower_value = stored(target.target.lower);
    after.upper_value = stored(target.target.upper);
    after.warning_margin = stored(target.warning_margin);
    // Nothing changed: nothing is written.
    if after == current {
        return Ok(current);
    }
    after.version += 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<metric_target::Entity>(
        id,
        after.clone(),
        current.version,
        "metric target",
    )
    .await?;
    tx.record(Change::updated(
        "metric_target.updated",
        "MetricTarget",
        id,
        &current,
        &after,
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a target (admins); its periods are then judged `NOT_SET`.
pub async fn delete(
    scope: &TenantScope,
    id: Uuid,
    version: i32,
) -> DomainResult<metric_target::Model> {
    scope.require_admin("deleting metric targets")?;
    let mut tx = scope.begin().await?;
    let current = tx
        .load::<metric_target::Entity>(id, "metric target")
        .await?;
    check_version(current.version, version, "metric target")?;
    tx.delete::<metric_target::Entity>()
        .filter(metric_target::Column::Id.eq(id))
        .exec()
        .await?;
    tx.record(Change::deleted(
        "metric_target.deleted",
        "MetricTarget",
        id,
        &current,
    ))
    .await?;
    tx.commit().await?;
    Ok(current)
}

/// Whether a metric has targets: its direction may not change under them.
pub async fn has_targets(tx: &TenantTxn<'_>, metric_id: Uuid) -> DomainResult<bool> {
    Ok(tx
        .select::<metric_target::Entity>()
        .filter(metric_target::Column::MetricId.eq(metric_id))
        .one(tx)
        .await?
        .is_some())
}
