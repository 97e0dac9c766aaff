//! A measure's status changing band between periods (green → red):
//! judged when a value of its metric is recorded (the core's event,
//! delivered after commit), in the period of the metric's own frequency
//! that holds the value, against the period before. A change is recorded
//! as `scorecard_measure.status_changed` (audit log and outbox, so
//! webhooks and the `scorecardStatusChanged` subscription hear it) once:
//! the judgment is kept per measure and period, so a redelivered event or
//! a value recorded again with the same outcome announces nothing.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use throughline_domain::enums::MetricFrequency;
use throughline_domain::kit::{
    Change, DomainResult, MetricValueV1, TenantScope, period_containing,
};
use throughline_domain::service::metrics::period_kind;
use uuid::Uuid;

use super::exceptions::previous;
use super::scores::{Design, designs, scores_of_many};
use crate::entity::{measure, measure_status, objective};
use crate::model::Status;
use crate::scoring::ScoreStatus;

/// The event's kind.
pub const STATUS_CHANGED: &str = "scorecard_measure.status_changed";

/// A measure's status in one period, as the event's `before` (the period
/// before) and `after` (the period judged) carry it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JudgedStatus {
    pub scorecard_id: Uuid,
    pub objective_id: Uuid,
    pub measure_id: Uuid,
    pub metric_id: Uuid,
    pub period_kind: String,
    pub period_start: NaiveDate,
    pub period_label: String,
    pub status: String,
    pub score: Option<Decimal>,
}

/// Judges the measures on the value's metric (see the module's note).
pub async fn on_metric_value(scope: &TenantScope, value: &MetricValueV1) -> DomainResult<()> {
    let measures = scope
        .select::<measure::Entity>()
        .filter(measure::Column::MetricId.eq(value.metric_id))
        .all(scope)
        .await?;
    if measures.is_empty() {
        return Ok(());
    }
    let mut cards: Vec<Uuid> = scope
        .select::<objective::Entity>()
        .filter(objective::Column::Id.is_in(measures.iter().map(|m| m.objective_id)))
        .filter(objective::Column::Status.eq(Status::Active.as_str()))
        .all(scope)
        .await?
        .into_iter()
        .map(|o| o.scorecard_id)
        .collect();
    cards.sort();
    cards.dedup();
    if cards.is_empty() {
        return Ok(());
    }
    let designs = designs(scope, Some(&cards)).await?;
    let Some(metric) = designs.iter().find_map(|d| d.metrics.get(&value.metric_id)) else {
        return Ok(());
    };
    let start_month = scope.tenant().fiscal_year_start_month.clamp(1, 12) as u32;
    let kind = period_kind(MetricFrequency::parse(&metric.frequency)?);
    let period = period_containing(kind, value.period_start, start_month);
    let before = previous(&period, start_month);
    let designs: Vec<Arc<Design>> = designs.into_iter().map(Arc::new).collect();
    let scored = scores_of_many(scope, &designs, &[before, period.clone()]).await?;
    let [then, now] = scored.as_slice() else {
        return Ok(());
    };

    let mut tx = scope.begin().await?;
    // Two values of one metric judged at once would both read no judgment.
    tx.lock_tenant().await?;
    let judged: HashMap<Uuid, measure_status::Model> = tx
        .select::<measure_status::Entity>()
        .filter(measure_status::Column::MeasureId.is_in(measures.iter().map(|m| m.id)))
        .filter(measure_status::Column::PeriodKind.eq(kind.as_str()))
        .filter(measure_status::Column::PeriodStart.eq(period.start))
        .all(&tx)
        .await?
        .into_iter()
        .map(|row| (row.measure_id, row))
        .collect();
    for design in &designs {
        for m in design
            .measures
            .iter()
            .filter(|m| m.metric_id == value.metric_id)
        {
            let active = design
                .objectives
                .iter()
                .any(|o| o.id == m.objective_id && o.status == Status::Active.as_str());
            let (true, Some(now_scored), Some(then_scored)) =
                (active, now.measure(m.id), then.measure(m.id))
            else {
                continue;
            };
            let status = now_scored.status;
            let score = now_scored.score;
            let stored_score = score.map(|s| s.normalize().to_string());
            let earlier = judged.get(&m.id);
            if earlier.is_some_and(|row| row.status == status.as_str() && row.score == stored_score)
            {
                continue;
            }
            let changed_since_judged = earlier.is_none_or(|row| row.status != status.as_str());
            match earlier {
                Some(row) => {
                    tx.save(measure_status::ActiveModel {
                        id: sea_orm::Unchanged(row.id),
                        status: Set(status.as_str().to_string()),
                        score: Set(stored_score),
                        judged_at: Set(Utc::now()),
                        ..Default::default()
                    })
                    .await?;
                }
                None => {
                    tx.insert(measure_status::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        measure_id: Set(m.id),
                        period_kind: Set(kind.as_str().to_string()),
                        period_start: Set(period.start),
                        status: Set(status.as_str().to_string()),
                        score: Set(stored_score),
                        judged_at: Set(Utc::now()),
                        ..Default::default()
                    })
                    .await?;
                }
            }
            let previous_status = then_scored.status;
            // A band change: both periods coloured, and differently.
            // Blank to green is a first value, not a change.
            if !changed_since_judged
                || status.rank().is_none()
                || previous_status.rank().is_none()
                || status == previous_status
            {
                continue;
            }
            let judged_in =
                |scores: &super::scores::PeriodScores, status: ScoreStatus| JudgedStatus {
                    scorecard_id: design.scorecard.id,
                    objective_id: m.objective_id,
                    measure_id: m.id,
                    metric_id: m.metric_id,
                    period_kind: scores.period.kind.as_str().to_string(),
                    period_start: scores.period.start,
                    period_label: scores.period.label.clone(),
                    status: status.as_str().to_string(),
                    score: scores.measure(m.id).and_then(|s| s.score),
                };
            tx.record(Change::updated(
                STATUS_CHANGED,
                "ScorecardMeasure",
                m.id,
                &judged_in(then, previous_status),
                &judged_in(now, status),
            ))
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
