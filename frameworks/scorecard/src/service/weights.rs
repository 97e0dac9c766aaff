//! Weights: a child's relative weight in its parent over date ranges (a
//! measure in its objective, an objective in its perspective, a
//! perspective in a scorecard). A child without a weight in force weighs 1.

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, QueryFilter};
use serde::Serialize;
use throughline_domain::kit::{
    Change, DomainError, DomainResult, TenantScope, TenantTxn, from_stored, to_stored,
};
use uuid::Uuid;

use super::{check_ranges, require_designer};
use crate::entity::{measure, objective, perspective, scorecard, weight};
use crate::scoring::DatedWeight;

/// The largest weight: weights are relative, so a few orders of magnitude
/// say all there is to say.
pub const MAX_WEIGHT: Decimal = Decimal::from_parts(1000, 0, 0, false, 0);

/// Whose weight it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum WeightOf {
    Measure(Uuid),
    Objective(Uuid),
    Perspective { scorecard: Uuid, perspective: Uuid },
}

impl WeightOf {
    fn condition(self) -> Condition {
        match self {
            Self::Measure(id) => Condition::all().add(weight::Column::MeasureId.eq(id)),
            Self::Objective(id) => Condition::all().add(weight::Column::ObjectiveId.eq(id)),
            Self::Perspective {
                scorecard,
                perspective,
            } => Condition::all()
                .add(weight::Column::ScorecardId.eq(scorecard))
                .add(weight::Column::PerspectiveId.eq(perspective)),
        }
    }

    /// The node the weights belong to, for the audit trail.
    fn subject(self) -> (&'static str, Uuid) {
        match self {
            Self::Measure(id) => ("ScorecardMeasure", id),
            Self::Objective(id) => ("ScorecardObjective", id),
            Self::Perspective { scorecard, .. } => ("Scorecard", scorecard),
        }
    }

    async fn check_exists(self, tx: &TenantTxn<'_>) -> DomainResult<()> {
        match self {
            Self::Measure(id) => {
                tx.reference::<measure::Entity>(id, "input.measureId", "measure")
                    .await?;
            }
            Self::Objective(id) => {
                tx.reference::<objective::Entity>(id, "input.objectiveId", "objective")
                    .await?;
            }
            Self::Perspective {
                scorecard,
                perspective,
            } => {
                tx.reference::<scorecard::Entity>(scorecard, "input.scorecardId", "scorecard")
                    .await?;
                tx.reference::<perspective::Entity>(
                    perspective,
                    "input.perspectiveId",
                    "perspective",
                )
                .await?;
            }
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct Record<'a> {
    of: WeightOf,
    weights: &'a [weight::Model],
}

/// Replaces a child's whole schedule of weights; an empty list goes back
/// to equal weights (1).
pub async fn set(
    scope: &TenantScope,
    of: WeightOf,
    weights: &[DatedWeight],
) -> DomainResult<Vec<weight::Model>> {
    require_designer(scope, "weighting scorecards")?;
    let ranges: Vec<(Option<NaiveDate>, Option<NaiveDate>)> =
        weights.iter().map(|w| (w.valid_from, w.valid_to)).collect();
    check_ranges("input.weights", &ranges)?;
    for (i, w) in weights.iter().enumerate() {
        if w.weight <= Decimal::ZERO || w.weight > MAX_WEIGHT || w.weight.scale() > 4 {
            return Err(DomainError::validation(
                format!("input.weights[{i}].weight"),
                "a weight is above 0 and at most 1000, with up to 4 decimals (weights are relative: archive a child to leave it out)",
            ));
        }
    }
    let mut tx = scope.begin().await?;
    of.check_exists(&tx).await?;
    let before = tx
        .select::<weight::Entity>()
        .filter(of.condition())
        .all(&tx)
        .await
        .map(earliest_first)?;
    tx.delete::<weight::Entity>()
        .filter(of.condition())
        .exec()
        .await?;
    let now = Utc::now();
    let (scorecard_id, perspective_id, objective_id, measure_id) = match of {
        WeightOf::Measure(id) => (None, None, None, Some(id)),
        WeightOf::Objective(id) => (None, None, Some(id), None),
        WeightOf::Perspective {
            scorecard,
            perspective,
        } => (Some(scorecard), Some(perspective), None, None),
    };
    // The door makes the rows this tenant's; they are read back as stored.
    tx.insert_many(weights.iter().map(|w| weight::ActiveModel {
        id: Set(Uuid::now_v7()),
        scorecard_id: Set(scorecard_id),
        perspective_id: Set(perspective_id),
        objective_id: Set(objective_id),
        measure_id: Set(measure_id),
        weight: Set(to_stored(w.weight)),
        valid_from: Set(w.valid_from),
        valid_to: Set(w.valid_to),
        created_at: Set(now),
        ..Default::default()
    }))
    .await?;
    let rows = tx
        .select::<weight::Entity>()
        .filter(of.condition())
        .all(&tx)
        .await
        .map(earliest_first)?;
    let (entity_type, entity_id) = of.subject();
    tx.record(Change::updated(
        "scorecard_weights.set",
        entity_type,
        entity_id,
        &Record {
            of,
            weights: &before,
        },
        &Record { of, weights: &rows },
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(rows)
}

/// Earliest first, "from the beginning" before all (sorted here: SQLite and
/// PostgreSQL put NULLs at opposite ends).
fn earliest_first(mut rows: Vec<weight::Model>) -> Vec<weight::Model> {
    rows.sort_by_key(|w| w.valid_from);
    rows
}

/// A stored weight as the roll-up takes it.
pub fn dated(row: &weight::Model) -> DomainResult<DatedWeight> {
    Ok(DatedWeight {
        weight: from_stored(&row.weight)?,
        valid_from: row.valid_from,
        valid_to: row.valid_to,
    })
}
