//! Key results linked to a core metric follow its values: a recorded value
//! (a core event, delivered after commit) updates each linked key result and
//! records a check-in from the metric.

use super::is_locked;
use sea_orm::{ColumnTrait, QueryFilter};
use std::collections::HashMap;
use throughline_domain::entity::metric_value;

use throughline_domain::kit::{DomainResult, MetricFollower, MetricValueV1, TenantScope};
use uuid::Uuid;

use crate::entity::{cycle, key_result, objective};
use crate::model::{CheckInSource, KeyResultStatus, ObjectiveStatus};

use super::check_ins::{NewCheckIn, insert};
use super::visibility::visible_objectives;

/// Handles a metric value recorded (or replaced).
pub async fn on_metric_value(scope: &TenantScope, value: &MetricValueV1) -> DomainResult<()> {
    // A backfilled older period does not move the key result back.
    let newer = scope
        .select::<metric_value::Entity>()
        .filter(metric_value::Column::MetricId.eq(value.metric_id))
        .filter(metric_value::Column::PeriodStart.gt(value.period_start))
        .one(scope)
        .await?;
    if newer.is_some() {
        return Ok(());
    }
    let linked = scope
        .select::<key_result::Entity>()
        .filter(key_result::Column::MetricId.eq(value.metric_id))
        // Closed and archived key results keep their last value.
        .filter(key_result::Column::Status.eq(KeyResultStatus::Active.as_str()))
        .all(scope)
        .await?;
    let amount = value.value;
    for kr in linked {
        let mut tx = scope.begin().await?;
        let Some(objective) = scope
            .select::<objective::Entity>()
            .filter(objective::Column::Id.eq(kr.objective_id))
            .one(&tx)
            .await?
        else {
            continue;
        };
        if objective.status == ObjectiveStatus::Archived.as_str() {
            continue;
        }
        let Some(cycle) = scope
            .select::<cycle::Entity>()
            .filter(cycle::Column::Id.eq(objective.cycle_id))
            .one(&tx)
            .await?
            .filter(|cycle| !is_locked(cycle))
        else {
            continue;
        };
        let today = scope.today();
        let check_in = NewCheckIn {
            key_result_id: kr.id,
            value: amount,
            confidence: None,
            status: None,
            note: Some(format!(
                "Recorded from the metric's value for the period starting {}",
                value.period_start
            )),
            // A period that began before the cycle counts from its first day.
            as_of: Some(value.period_start.min(today).max(cycle.starts_on)),
        };
        insert(&mut tx, &kr, &objective, check_in, CheckInSource::Metric).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The active key results linked to `metrics` on objectives the actor may
/// see, for other frameworks (a scorecard measure on the same metric shows
/// them): two statements however many metrics.
pub async fn followers(scope: &TenantScope, metrics: &[Uuid]) -> DomainResult<Vec<MetricFollower>> {
    let key_results = scope
        .select::<key_result::Entity>()
        .filter(key_result::Column::MetricId.is_in(metrics.iter().copied()))
        .filter(key_result::Column::Status.eq(KeyResultStatus::Active.as_str()))
        .all(scope)
        .await?;
    if key_results.is_empty() {
        return Ok(Vec::new());
    }
    let objectives: HashMap<Uuid, String> = visible_objectives(scope)
        .filter(objective::Column::Id.is_in(key_results.iter().map(|kr| kr.objective_id)))
        .filter(objective::Column::Status.ne(ObjectiveStatus::Archived.as_str()))
        .all(scope)
        .await?
        .into_iter()
        .map(|o| (o.id, o.title))
        .collect();
    Ok(key_results
        .into_iter()
        .filter_map(|kr| {
            let context = objectives.get(&kr.objective_id)?.clone();
            Some(MetricFollower {
                metric_id: kr.metric_id?,
                kind: "okr.key_result",
                type_name: "OkrKeyResult",
                id: kr.id,
                title: kr.title,
                context: Some(context),
                owner_id: Some(kr.owner_id),
            })
        })
        .collect())
}
