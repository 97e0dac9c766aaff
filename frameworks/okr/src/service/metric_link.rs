//! Key results linked to a core metric follow its values: a recorded value
//! (a core event, delivered after commit) updates each linked key result and
//! records a check-in from the metric.

use super::is_locked;
use sea_orm::{ColumnTrait, QueryFilter};
use throughline_domain::entity::metric_value;
use throughline_domain::kit::{DomainResult, MetricValueV1, TenantScope};

use crate::entity::{cycle, key_result, objective};
use crate::model::{CheckInSource, KeyResultStatus, ObjectiveStatus};

use super::check_ins::{NewCheckIn, insert};

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
