//! The core's own exceptions, from the dashboards' key metrics and the
//! strategic priorities: a key metric off target (or in the warning band)
//! or late in its last closed period, a leading metric off target two
//! periods running beside the key metric it predicts, a priority that
//! nothing measures, and review action items past due. Eight narrow
//! statements however many dashboards, one more when a metric defined
//! since its last closed period has no value in it, two more when action
//! items are overdue.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::entity::{
    dashboard, dashboard_key_metric, metric, metric_link, metric_value, strategic_priority,
};
use crate::enums::MetricFrequency;
use crate::error::DomainResult;
use crate::exceptions::{Exception, ExceptionExplanation, ExceptionWindow, Placement, Severity};
use crate::graphql::metric_targets::{MetricStatus, judge, judged_period};
use crate::metric_status::{Lateness, TargetStatus, lateness};
use crate::periods::{Period, period_containing};
use crate::service::metric_targets::targets_by_metric;
use crate::service::metrics::{period_kind, values_between};
use crate::target::ExplanationInput;
use crate::tenancy::TenantScope;

/// A key metric as a dashboard places it.
struct Placed {
    metric_id: Uuid,
    org_unit: Option<Uuid>,
    dashboard_owner: Option<Uuid>,
}

/// The last two closed periods of a metric's frequency, latest first.
fn closed_periods(scope: &TenantScope, metric: &metric::Model) -> DomainResult<[Period; 2]> {
    let fiscal = scope.tenant().fiscal_year_start_month as u32;
    let kind = period_kind(MetricFrequency::parse(&metric.frequency)?);
    let running = period_containing(kind, scope.today(), fiscal);
    let before = |period: &Period| {
        period
            .start
            .pred_opt()
            .map(|day| period_containing(kind, day, fiscal))
            .unwrap_or_else(|| period.clone())
    };
    let last = before(&running);
    let one_before = before(&last);
    Ok([last, one_before])
}

fn next_day(day: NaiveDate) -> NaiveDate {
    day.checked_add_days(Days::new(1)).unwrap_or(day)
}

fn explanation_of(status: &MetricStatus) -> ExceptionExplanation {
    ExceptionExplanation {
        text: status.explanation.text.clone(),
        inputs: status.explanation.inputs.clone(),
    }
}

/// The dashboards whose key metrics the viewer reads: `units` as
/// `service::dashboards::readable_units` answers (`None`: all).
pub async fn core_exceptions(
    scope: &TenantScope,
    readable_units: Option<&HashSet<Uuid>>,
    window: &ExceptionWindow,
) -> DomainResult<Vec<Exception>> {
    let dashboards: Vec<(Uuid, Option<Uuid>, Option<Uuid>)> = scope
        .select::<dashboard::Entity>()
        .select_only()
        .column(dashboard::Column::Id)
        .column(dashboard::Column::OrgUnitId)
        .column(dashboard::Column::OwnerId)
        .into_tuple()
        .all(scope)
        .await?;
    let dashboards: HashMap<Uuid, (Option<Uuid>, Option<Uuid>)> = dashboards
        .into_iter()
        .filter(|(_, unit, _)| match (unit, readable_units) {
            (Some(unit), Some(readable)) => readable.contains(unit),
            _ => true,
        })
        .map(|(id, unit, owner)| (id, (unit, owner)))
        .collect();
    let mut out = Vec::new();
    let key_rows: Vec<(Uuid, Uuid, Option<Uuid>)> = if dashboards.is_empty() {
        Vec::new()
    } else {
        scope
            .select::<dashboard_key_metric::Entity>()
            .select_only()
            .column(dashboard_key_metric::Column::DashboardId)
            .column(dashboard_key_metric::Column::MetricId)
            .column(dashboard_key_metric::Column::PriorityId)
            .filter(dashboard_key_metric::Column::DashboardId.is_in(dashboards.keys().copied()))
            .order_by_asc(dashboard_key_metric::Column::Position)
            .into_tuple()
            .all(scope)
            .await?
    };
    // A metric on two dashboards of the same unit is one exception.
    let mut placed: Vec<Placed> = Vec::new();
    for (dashboard_id, metric_id, _) in &key_rows {
        let Some((unit, owner)) = dashboards.get(dashboard_id) else {
            continue;
        };
        if !placed
            .iter()
            .any(|p| p.metric_id == *metric_id && p.org_unit == *unit)
        {
            placed.push(Placed {
                metric_id: *metric_id,
                org_unit: *unit,
                dashboard_owner: *owner,
            });
        }
    }
    let key_ids: HashSet<Uuid> = placed.iter().map(|p| p.metric_id).collect();
    let links: Vec<(Uuid, Uuid)> = if key_ids.is_empty() {
        Vec::new()
    } else {
        scope
            .select::<metric_link::Entity>()
            .select_only()
            .column(metric_link::Column::LeadingMetricId)
            .column(metric_link::Column::LaggingMetricId)
            .filter(metric_link::Column::LaggingMetricId.is_in(key_ids.iter().copied()))
            .into_tuple()
            .all(scope)
            .await?
    };
    let wanted: HashSet<Uuid> = key_ids
        .iter()
        .copied()
        .chain(links.iter().map(|(leading, _)| *leading))
        .collect();
    let metrics: HashMap<Uuid, metric::Model> = if wanted.is_empty() {
        HashMap::new()
    } else {
        scope
            .select::<metric::Entity>()
            .filter(metric::Column::Id.is_in(wanted.iter().copied()))
            .all(scope)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect()
    };
    if !metrics.is_empty() {
        let closed: HashMap<Uuid, [Period; 2]> = metrics
            .values()
            .map(|m| Ok((m.id, closed_periods(scope, m)?)))
            .collect::<DomainResult<_>>()?;
        let from = closed.values().map(|[_, before]| before.start).min();
        let to = closed.values().map(|[last, _]| last.end).max();
        let targets = targets_by_metric(scope, metrics.keys().copied()).await?;
        let values = match (from, to) {
            (Some(from), Some(to)) => {
                values_between(scope, metrics.keys().copied(), from, to).await?
            }
            _ => HashMap::new(),
        };
        let judge_in = |metric: &metric::Model, period: &Period, unit: Option<Uuid>| {
            let judged = judged_period(scope, metric, None, Some(period.end))?;
            judge(
                metric,
                judged,
                values.get(&metric.id).map_or(&[][..], Vec::as_slice),
                targets.get(&metric.id).map_or(&[][..], Vec::as_slice),
                unit,
            )
        };
        // Metrics defined since their last closed period with no value in
        // it are late only if they have values at all: one statement for
        // all of them, only when there are any.
        let mut undecided = Vec::new();
        for place in &placed {
            let (Some(metric), Some([last, _])) =
                (metrics.get(&place.metric_id), closed.get(&place.metric_id))
            else {
                continue;
            };
            let series = values.get(&metric.id).map_or(&[][..], Vec::as_slice);
            if lateness(
                metric.created_at.date_naive(),
                (last.start, last.end),
                series,
            ) == Lateness::LateIfItHasValues
            {
                undecided.push(metric.id);
            }
        }
        let with_values: HashSet<Uuid> = if undecided.is_empty() {
            HashSet::new()
        } else {
            scope
                .select::<metric_value::Entity>()
                .select_only()
                .column(metric_value::Column::MetricId)
                .filter(metric_value::Column::MetricId.is_in(undecided))
                .distinct()
                .into_tuple::<Uuid>()
                .all(scope)
                .await?
                .into_iter()
                .collect()
        };
        let mut leading_seen: HashSet<(Uuid, Option<Uuid>)> = HashSet::new();
        for place in &placed {
            let (Some(metric), Some([last, _])) =
                (metrics.get(&place.metric_id), closed.get(&place.metric_id))
            else {
                continue;
            };
            let owner = metric.owner_id.or(place.dashboard_owner);
            let placement = place.org_unit.map_or(Placement::Tenant, Placement::OrgUnit);
            let since = next_day(last.end);
            let series = values.get(&metric.id).map_or(&[][..], Vec::as_slice);
            let late = match lateness(
                metric.created_at.date_naive(),
                (last.start, last.end),
                series,
            ) {
                Lateness::OnTime => false,
                Lateness::Late => true,
                Lateness::LateIfItHasValues => with_values.contains(&metric.id),
            };
            if late {
                out.push(Exception {
                    kind: "core.key_metric_late".into(),
                    severity: Severity::Warning,
                    subject_type: "Metric",
                    subject_id: metric.id,
                    title: metric.name.clone(),
                    owner_id: owner,
                    placement,
                    since,
                    reason: format!("{} has no value for {}", metric.name, last.label),
                    explanation: ExceptionExplanation {
                        text: format!(
                            "{} is a {} metric: a value for {} ({} to {}) was due once the period closed, and none has been recorded.",
                            metric.name,
                            metric.frequency.to_lowercase(),
                            last.label,
                            last.start,
                            last.end
                        ),
                        inputs: Vec::new(),
                    },
                });
            } else {
                let status = judge_in(metric, last, place.org_unit)?;
                let severity = match status.status {
                    TargetStatus::OffTarget => Some(Severity::Critical),
                    TargetStatus::Warning => Some(Severity::Warning),
                    _ => None,
                };
                if let Some(severity) = severity {
                    let verdict = if severity == Severity::Critical {
                        "off target"
                    } else {
                        "short of target, within its warning margin"
                    };
                    out.push(Exception {
                        kind: "core.key_metric_off_target".into(),
                        severity,
                        subject_type: "Metric",
                        subject_id: metric.id,
                        title: metric.name.clone(),
                        owner_id: owner,
                        placement,
                        since,
                        reason: format!("{} is {verdict} for {}", metric.name, last.label),
                        explanation: explanation_of(&status),
                    });
                }
            }
            // Its leading metrics, two closed periods running off target.
            for (leading_id, _) in links.iter().filter(|(_, lagging)| *lagging == metric.id) {
                let Some(leading) = metrics.get(leading_id) else {
                    continue;
                };
                if !leading_seen.insert((leading.id, place.org_unit)) {
                    continue;
                }
                let Some([l_last, l_before]) = closed.get(&leading.id) else {
                    continue;
                };
                let now = judge_in(leading, l_last, place.org_unit)?;
                let then = judge_in(leading, l_before, place.org_unit)?;
                if now.status != TargetStatus::OffTarget || then.status != TargetStatus::OffTarget {
                    continue;
                }
                let predicts: Vec<&str> = links
                    .iter()
                    .filter(|(l, _)| l == leading_id)
                    .filter_map(|(_, lagging)| metrics.get(lagging))
                    .filter(|m| key_ids.contains(&m.id))
                    .map(|m| m.name.as_str())
                    .collect();
                let mut inputs = vec![
                    ExplanationInput {
                        name: format!("value {}", l_before.label),
                        value: then.value,
                    },
                    ExplanationInput {
                        name: format!("value {}", l_last.label),
                        value: now.value,
                    },
                ];
                inputs.extend(now.explanation.inputs.iter().cloned());
                inputs.dedup_by(|a, b| a.name == b.name);
                out.push(Exception {
                    kind: "core.leading_metric_off_target".into(),
                    severity: Severity::Warning,
                    subject_type: "Metric",
                    subject_id: leading.id,
                    title: leading.name.clone(),
                    owner_id: leading.owner_id.or(place.dashboard_owner),
                    placement,
                    since: next_day(l_before.end),
                    reason: format!(
                        "{} has been off target for {} and {}: it predicts {}",
                        leading.name,
                        l_before.label,
                        l_last.label,
                        predicts.join(", ")
                    ),
                    explanation: ExceptionExplanation {
                        text: format!(
                            "A leading metric off target two periods running warns of its lagging KPI before it moves. {} {}",
                            then.explanation.text, now.explanation.text
                        ),
                        inputs,
                    },
                });
            }
        }
    }
    // Priorities that nothing measures: no metric serves them and no key
    // metric names them.
    let priorities: Vec<(Uuid, String, Option<Uuid>, chrono::DateTime<chrono::Utc>)> = scope
        .select::<strategic_priority::Entity>()
        .select_only()
        .column(strategic_priority::Column::Id)
        .column(strategic_priority::Column::Title)
        .column(strategic_priority::Column::OwnerId)
        .column(strategic_priority::Column::CreatedAt)
        .order_by_asc(strategic_priority::Column::Position)
        .into_tuple()
        .all(scope)
        .await?;
    if !priorities.is_empty() {
        let measured: HashSet<Uuid> = scope
            .select::<metric::Entity>()
            .select_only()
            .column(metric::Column::PriorityId)
            .filter(metric::Column::PriorityId.is_not_null())
            .distinct()
            .into_tuple::<Option<Uuid>>()
            .all(scope)
            .await?
            .into_iter()
            .flatten()
            .chain(key_rows.iter().filter_map(|(_, _, priority)| *priority))
            .collect();
        let zone = scope.tenant().time_zone.clone();
        for (id, title, owner, created_at) in priorities {
            if measured.contains(&id) {
                continue;
            }
            out.push(Exception {
                kind: "core.priority_without_metrics".into(),
                severity: Severity::Info,
                subject_type: "StrategicPriority",
                subject_id: id,
                title: title.clone(),
                owner_id: owner,
                placement: Placement::Tenant,
                since: crate::tenancy::today_in(&zone, created_at),
                reason: format!("{title} has no metric: nothing shows whether it is on course"),
                explanation: ExceptionExplanation {
                    text: "No metric serves this strategic priority and no key metric names it. Link a metric to it (a metric's priority) or name it on a dashboard's key metric.".into(),
                    inputs: Vec::new(),
                },
            });
        }
    }
    out.extend(overdue_action_items(scope, readable_units).await?);
    out.retain(|e| window.contains(e.since));
    Ok(out)
}

/// (id, series, title, owner, due on) of an action item.
type OverdueRow = (Uuid, Uuid, String, Option<Uuid>, Option<NaiveDate>);

/// Review action items past their due date, of the series the viewer reads
/// (and their own): one statement, two more when there are any.
async fn overdue_action_items(
    scope: &TenantScope,
    readable_units: Option<&HashSet<Uuid>>,
) -> DomainResult<Vec<Exception>> {
    use crate::entity::{review_action_item as action_item, review_series as series};
    let today = scope.today();
    let overdue: Vec<OverdueRow> = scope
        .select::<action_item::Entity>()
        .select_only()
        .column(action_item::Column::Id)
        .column(action_item::Column::SeriesId)
        .column(action_item::Column::Title)
        .column(action_item::Column::OwnerId)
        .column(action_item::Column::DueOn)
        .filter(action_item::Column::Done.eq(false))
        .filter(action_item::Column::DueOn.lt(today))
        .order_by_asc(action_item::Column::Id)
        .into_tuple()
        .all(scope)
        .await?;
    if overdue.is_empty() {
        return Ok(Vec::new());
    }
    let series_rows: HashMap<Uuid, series::Model> = scope
        .select::<series::Entity>()
        .filter(series::Column::Id.is_in(overdue.iter().map(|o| o.1)))
        .all(scope)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let units = readable_units.cloned();
    let mine = if units.is_some() {
        crate::service::reviews::taken_part_in(scope).await?
    } else {
        HashSet::new()
    };
    let me = scope.actor().person_id;
    let mut out = Vec::new();
    for (id, series_id, title, owner, due) in overdue {
        let (Some(series_row), Some(due)) = (series_rows.get(&series_id), due) else {
            continue;
        };
        let own = owner.is_some() && owner == me;
        if !own && !crate::service::reviews::may_read(scope, &units, &mine, series_row) {
            continue;
        }
        out.push(Exception {
            kind: "core.review_action_item_overdue".into(),
            severity: Severity::Warning,
            subject_type: "ReviewActionItem",
            subject_id: id,
            title: title.clone(),
            owner_id: owner,
            placement: series_row
                .org_unit_id
                .map_or(Placement::Tenant, Placement::OrgUnit),
            since: next_day(due),
            reason: format!("{title} was due on {due} ({})", series_row.title),
            explanation: ExceptionExplanation {
                text: format!(
                    "An action item from {} was due on {due} and is not done: {} days overdue.",
                    series_row.title,
                    (today - due).num_days()
                ),
                inputs: vec![ExplanationInput {
                    name: "days overdue".into(),
                    value: Some((today - due).num_days().into()),
                }],
            },
        });
    }
    Ok(out)
}
