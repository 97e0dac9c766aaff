//! Measures: core metrics placed under objectives, each with its scoring
//! type, missing-data rule, optional aggregation override and a schedule
//! of thresholds valid over date ranges. Without thresholds in force, a
//! `GOAL_RED_FLAG` or `STABILIZE` measure takes its goal and red flag from
//! the metric's own target and warning margin (see `scores`).

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use throughline_domain::entity::metric;
use throughline_domain::kit::{
    Aggregation, Change, DomainError, DomainResult, TenantScope, TenantTxn, check_version,
    from_stored, to_stored,
};
use uuid::Uuid;

use super::{check_ranges, require_designer};
use crate::Scorecard;
use crate::entity::{measure, objective, threshold};
use crate::model::Status;
use crate::scoring::{Band, MissingData, Scoring, ScoringType};

/// One band as stored in a threshold's `bands`.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct StoredBand {
    name: String,
    colour: String,
    lower: String,
    score: String,
}

/// Thresholds as given for a date range: which fields a scoring type needs
/// is checked against the measure's type.
#[derive(Clone, Debug, Default)]
pub struct ThresholdSpec {
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub goal: Option<Decimal>,
    pub red_flag: Option<Decimal>,
    pub goal_high: Option<Decimal>,
    pub red_flag_high: Option<Decimal>,
    pub bands: Option<Vec<Band>>,
}

/// The scoring a threshold row gives a measure of `kind`.
pub fn scoring_of(kind: ScoringType, row: &threshold::Model) -> DomainResult<Scoring> {
    let number = |text: &Option<String>| -> DomainResult<Decimal> {
        text.as_deref()
            .map(from_stored)
            .transpose()?
            .ok_or_else(|| {
                DomainError::Internal("a threshold lacks a figure its type needs".into())
            })
    };
    Ok(match kind {
        ScoringType::GoalRedFlag => Scoring::GoalRedFlag {
            goal: number(&row.goal)?,
            red_flag: number(&row.red_flag)?,
        },
        ScoringType::Stabilize => Scoring::Stabilize {
            red_flag_low: number(&row.red_flag)?,
            goal_low: number(&row.goal)?,
            goal_high: number(&row.goal_high)?,
            red_flag_high: number(&row.red_flag_high)?,
        },
        ScoringType::Bands => {
            let stored: Vec<StoredBand> = row
                .bands
                .clone()
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| DomainError::Internal(format!("stored bands unreadable: {e}")))?
                .unwrap_or_default();
            let mut bands = Vec::with_capacity(stored.len());
            for b in stored {
                bands.push(Band {
                    name: b.name,
                    colour: b.colour,
                    lower: from_stored(&b.lower)?,
                    score: from_stored(&b.score)?,
                });
            }
            Scoring::Bands(bands)
        }
        ScoringType::YesNo => Scoring::YesNo,
        ScoringType::Unscored => Scoring::Unscored,
    })
}

/// Checks one range's figures against the type and turns them into a row.
fn threshold_row(
    kind: ScoringType,
    field: &str,
    spec: &ThresholdSpec,
    measure_id: Uuid,
) -> DomainResult<threshold::ActiveModel> {
    let unexpected = |name: &str| {
        DomainError::validation(
            format!("{field}.{name}"),
            format!("a {} measure takes no {name}", kind.as_str()),
        )
    };
    let needed = |name: &str, value: Option<Decimal>| {
        value.ok_or_else(|| {
            DomainError::validation(
                format!("{field}.{name}"),
                format!("a {} measure needs {name}", kind.as_str()),
            )
        })
    };
    let scoring = match kind {
        ScoringType::GoalRedFlag => {
            for (name, given) in [
                ("goalHigh", spec.goal_high.is_some()),
                ("redFlagHigh", spec.red_flag_high.is_some()),
                ("bands", spec.bands.is_some()),
            ] {
                if given {
                    return Err(unexpected(name));
                }
            }
            Scoring::GoalRedFlag {
                goal: needed("goal", spec.goal)?,
                red_flag: needed("redFlag", spec.red_flag)?,
            }
        }
        ScoringType::Stabilize => {
            if spec.bands.is_some() {
                return Err(unexpected("bands"));
            }
            Scoring::Stabilize {
                red_flag_low: needed("redFlag", spec.red_flag)?,
                goal_low: needed("goal", spec.goal)?,
                goal_high: needed("goalHigh", spec.goal_high)?,
                red_flag_high: needed("redFlagHigh", spec.red_flag_high)?,
            }
        }
        ScoringType::Bands => {
            for (name, given) in [
                ("goal", spec.goal.is_some()),
                ("redFlag", spec.red_flag.is_some()),
                ("goalHigh", spec.goal_high.is_some()),
                ("redFlagHigh", spec.red_flag_high.is_some()),
            ] {
                if given {
                    return Err(unexpected(name));
                }
            }
            let Some(bands) = &spec.bands else {
                return Err(DomainError::validation(
                    format!("{field}.bands"),
                    "a BANDS measure needs its bands, lowest first",
                ));
            };
            Scoring::Bands(bands.clone())
        }
        ScoringType::YesNo | ScoringType::Unscored => {
            return Err(DomainError::validation(
                field,
                format!("a {} measure has no thresholds", kind.as_str()),
            ));
        }
    };
    scoring.validate().map_err(|e| match e {
        DomainError::Validation { field: f, message } => {
            DomainError::validation(format!("{field}.{f}"), message)
        }
        other => other,
    })?;
    let stored_bands = match &scoring {
        Scoring::Bands(bands) => Some(
            serde_json::to_value(
                bands
                    .iter()
                    .map(|b| StoredBand {
                        name: b.name.trim().to_string(),
                        colour: b.colour.to_ascii_lowercase(),
                        lower: to_stored(b.lower),
                        score: to_stored(b.score),
                    })
                    .collect::<Vec<_>>(),
            )
            .map_err(|e| DomainError::Internal(e.to_string()))?,
        ),
        _ => None,
    };
    let (goal, red_flag, goal_high, red_flag_high) = match scoring {
        Scoring::GoalRedFlag { goal, red_flag } => (Some(goal), Some(red_flag), None, None),
        Scoring::Stabilize {
            red_flag_low,
            goal_low,
            goal_high,
            red_flag_high,
        } => (
            Some(goal_low),
            Some(red_flag_low),
            Some(goal_high),
            Some(red_flag_high),
        ),
        _ => (None, None, None, None),
    };
    Ok(threshold::ActiveModel {
        id: Set(Uuid::now_v7()),
        measure_id: Set(measure_id),
        valid_from: Set(spec.valid_from),
        valid_to: Set(spec.valid_to),
        goal: Set(goal.map(to_stored)),
        red_flag: Set(red_flag.map(to_stored)),
        goal_high: Set(goal_high.map(to_stored)),
        red_flag_high: Set(red_flag_high.map(to_stored)),
        bands: Set(stored_bands),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
}

/// Replaces a measure's whole schedule of thresholds (in the caller's
/// transaction): checked whole first, so a bad range writes nothing.
async fn replace_thresholds(
    tx: &TenantTxn<'_>,
    measure_id: Uuid,
    kind: ScoringType,
    specs: &[ThresholdSpec],
) -> DomainResult<()> {
    let ranges: Vec<_> = specs.iter().map(|s| (s.valid_from, s.valid_to)).collect();
    check_ranges("input.thresholds", &ranges)?;
    let mut rows = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        rows.push(threshold_row(
            kind,
            &format!("input.thresholds[{i}]"),
            spec,
            measure_id,
        )?);
    }
    tx.delete::<threshold::Entity>()
        .filter(threshold::Column::MeasureId.eq(measure_id))
        .exec()
        .await?;
    tx.insert_many(rows).await
}

/// The thresholds of `measures`, earliest first, by measure: one statement.
pub async fn thresholds_of(
    scope: &TenantScope,
    measures: impl IntoIterator<Item = Uuid>,
) -> DomainResult<std::collections::HashMap<Uuid, Vec<threshold::Model>>> {
    let mut out: std::collections::HashMap<Uuid, Vec<threshold::Model>> = Default::default();
    for row in scope
        .select::<threshold::Entity>()
        .filter(threshold::Column::MeasureId.is_in(measures))
        .all(scope)
        .await?
    {
        out.entry(row.measure_id).or_default().push(row);
    }
    // Earliest first, "from the beginning" (no first day) before all: in
    // Rust, as SQLite and PostgreSQL sort NULLs at opposite ends.
    for rows in out.values_mut() {
        rows.sort_by_key(|t| t.valid_from);
    }
    Ok(out)
}

pub struct NewMeasure {
    pub objective_id: Uuid,
    pub metric_id: Uuid,
    pub scoring_type: ScoringType,
    pub missing_data: MissingData,
    pub aggregation: Option<Aggregation>,
    pub thresholds: Vec<ThresholdSpec>,
}

fn bands_given(kind: ScoringType, thresholds: &[ThresholdSpec]) -> DomainResult<()> {
    if kind == ScoringType::Bands && thresholds.is_empty() {
        return Err(DomainError::validation(
            "input.thresholds",
            "a BANDS measure needs its bands: a metric's target says nothing about custom bands",
        ));
    }
    Ok(())
}

#[derive(Serialize)]
struct Record<'a> {
    #[serde(flatten)]
    measure: &'a measure::Model,
    thresholds: usize,
}

pub async fn create(scope: &TenantScope, input: NewMeasure) -> DomainResult<measure::Model> {
    require_designer(scope, "designing scorecards")?;
    bands_given(input.scoring_type, &input.thresholds)?;
    let settings = scope.settings::<Scorecard>(scope).await?;
    let mut tx = scope.begin().await?;
    tx.lock_tenant().await?;
    tx.reference::<objective::Entity>(input.objective_id, "input.objectiveId", "objective")
        .await?;
    tx.reference::<metric::Entity>(input.metric_id, "input.metricId", "metric")
        .await?;
    let siblings = tx
        .select::<measure::Entity>()
        .filter(measure::Column::ObjectiveId.eq(input.objective_id))
        .order_by_desc(measure::Column::Position)
        .all(&tx)
        .await?;
    if siblings.iter().any(|m| m.metric_id == input.metric_id) {
        return Err(DomainError::validation(
            "input.metricId",
            "this metric measures the objective already",
        ));
    }
    if siblings.len() as u64 >= u64::from(settings.max_measures_per_objective) {
        return Err(DomainError::validation(
            "input.objectiveId",
            format!(
                "this objective has its {} measures already (the tenant's maxMeasuresPerObjective)",
                settings.max_measures_per_objective
            ),
        ));
    }
    let position = siblings.first().map_or(1, |m| m.position.saturating_add(1));
    let now = Utc::now();
    let row = tx
        .insert(measure::ActiveModel {
            id: Set(Uuid::now_v7()),
            objective_id: Set(input.objective_id),
            metric_id: Set(input.metric_id),
            scoring_type: Set(input.scoring_type.as_str().to_string()),
            missing_data: Set(input.missing_data.as_str().to_string()),
            aggregation: Set(input.aggregation.map(|a| a.as_str().to_string())),
            position: Set(position),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    replace_thresholds(&tx, row.id, input.scoring_type, &input.thresholds).await?;
    tx.record(Change::created(
        "scorecard_measure.created",
        "ScorecardMeasure",
        row.id,
        &Record {
            measure: &row,
            thresholds: input.thresholds.len(),
        },
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(row)
}

/// `None` leaves a field alone; `aggregation: Some(None)` goes back to the
/// metric's own. `thresholds` replaces the whole schedule; changing the
/// scoring type replaces it too (with what is given, else none).
#[derive(Default)]
pub struct MeasureChanges {
    pub version: i32,
    pub scoring_type: Option<ScoringType>,
    pub missing_data: Option<MissingData>,
    pub aggregation: Option<Option<Aggregation>>,
    pub thresholds: Option<Vec<ThresholdSpec>>,
}

pub async fn update(
    scope: &TenantScope,
    id: Uuid,
    changes: MeasureChanges,
) -> DomainResult<measure::Model> {
    require_designer(scope, "designing scorecards")?;
    let mut tx = scope.begin().await?;
    let before = tx.load::<measure::Entity>(id, "measure").await?;
    check_version(before.version, changes.version, "measure")?;
    let old_kind = ScoringType::parse(&before.scoring_type)?;
    let kind = changes.scoring_type.unwrap_or(old_kind);
    let mut after = before.clone();
    after.scoring_type = kind.as_str().to_string();
    if let Some(rule) = changes.missing_data {
        after.missing_data = rule.as_str().to_string();
    }
    if let Some(aggregation) = changes.aggregation {
        after.aggregation = aggregation.map(|a| a.as_str().to_string());
    }
    let thresholds = match (&changes.thresholds, kind != old_kind) {
        (Some(given), _) => Some(given.clone()),
        (None, true) => Some(Vec::new()),
        (None, false) => None,
    };
    if let Some(thresholds) = &thresholds {
        bands_given(kind, thresholds)?;
        replace_thresholds(&tx, id, kind, thresholds).await?;
    }
    after.version = before.version + 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<measure::Entity>(id, after.clone(), before.version, "measure")
        .await?;
    tx.record(Change::updated(
        "scorecard_measure.updated",
        "ScorecardMeasure",
        id,
        &before,
        &after,
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(scope: &TenantScope, id: Uuid, version: i32) -> DomainResult<measure::Model> {
    require_designer(scope, "designing scorecards")?;
    let mut tx = scope.begin().await?;
    let before = tx.load::<measure::Entity>(id, "measure").await?;
    check_version(before.version, version, "measure")?;
    tx.delete::<measure::Entity>()
        .filter(measure::Column::Id.eq(id))
        .exec()
        .await?;
    tx.record(Change::deleted(
        "scorecard_measure.deleted",
        "ScorecardMeasure",
        id,
        &before,
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(before)
}

/// The measures placed on `metrics`, each named after its objective and
/// scorecard, for other frameworks: two statements however many metrics
/// (every role reads scorecards, so there is nothing to hide).
pub async fn followers(
    scope: &TenantScope,
    metrics: &[Uuid],
) -> DomainResult<Vec<throughline_domain::kit::MetricFollower>> {
    let measures = scope
        .select::<measure::Entity>()
        .filter(measure::Column::MetricId.is_in(metrics.iter().copied()))
        .all(scope)
        .await?;
    if measures.is_empty() {
        return Ok(Vec::new());
    }
    let objectives: std::collections::HashMap<Uuid, objective::Model> = scope
        .select::<objective::Entity>()
        .filter(objective::Column::Id.is_in(measures.iter().map(|m| m.objective_id)))
        .filter(objective::Column::Status.eq(Status::Active.as_str()))
        .all(scope)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    Ok(measures
        .into_iter()
        .filter_map(|m| {
            let objective = objectives.get(&m.objective_id)?;
            Some(throughline_domain::kit::MetricFollower {
                metric_id: m.metric_id,
                kind: "scorecard.measure",
                type_name: "ScorecardMeasure",
                id: m.id,
                title: objective.title.clone(),
                context: None,
                owner_id: objective.owner_id,
            })
        })
        .collect())
}
