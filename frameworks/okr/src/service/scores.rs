//! Progress and health of every objective and key result of a cycle,
//! computed in memory from three queries (objectives, key results with their
//! latest check-in's date and status, alignments): the same numbers for
//! lists, trees, reports and grading, and a constant number of statements
//! however large the cycle. Nothing here scans check-ins.

use std::collections::{HashMap, HashSet};

use crate::settings::OkrSettings;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use throughline_domain::kit::{
    DomainResult, Explanation, Target, TargetKind, TargetProgress, TenantDb, TenantScope,
};
use uuid::Uuid;

use crate::entity::{alignment, cycle, key_result, objective};
use crate::model::{KeyResultStatus, ObjectiveStatus};
use crate::scoring::{
    Contribution, Explained, Health, ProgressDriver, derive_health, derive_key_result_health,
    expected_progress, is_stale, objective_progress, rollup_health,
};

use super::{optional_decimal, parse_decimal};

#[derive(Clone, Debug)]
pub struct KeyResultScore {
    pub progress: TargetProgress,
    pub expected: Explained<Decimal>,
    pub derived_health: Explained<Health>,
    /// The author's status from the latest check-in, while it is not stale.
    pub stated_health: Option<Health>,
    pub health: Health,
    pub stale: bool,
    /// The latest check-in's id.
    pub last_check_in: Option<Uuid>,
}

#[derive(Clone, Debug)]
pub struct ObjectiveScore {
    pub progress: Explained<Decimal>,
    pub expected: Explained<Decimal>,
    pub health: Health,
    pub health_explanation: Explanation,
}

#[derive(Clone, Debug, Default)]
pub struct CycleScores {
    pub objectives: HashMap<Uuid, ObjectiveScore>,
    pub key_results: HashMap<Uuid, KeyResultScore>,
}

/// The target of a key result row.
pub fn target_of(kr: &key_result::Model) -> DomainResult<Target> {
    Ok(Target {
        kind: TargetKind::parse(&kr.target_kind)?,
        start: optional_decimal(kr.start_value.as_deref())?,
        target: optional_decimal(kr.target_value.as_deref())?,
        lower: optional_decimal(kr.lower_value.as_deref())?,
        upper: optional_decimal(kr.upper_value.as_deref())?,
        unit: kr.unit.clone(),
    })
}

/// The day figures are computed for: today while the cycle runs, its last
/// day once it has ended.
pub fn as_of(cycle: &cycle::Model, today: NaiveDate) -> NaiveDate {
    if super::is_locked(cycle) {
        cycle.ends_on
    } else {
        today.min(cycle.ends_on)
    }
}

/// Loads and scores a whole cycle. Rows are read in creation order so
/// explanations list contributions the same way on every database.
pub async fn score_cycle<C: TenantDb>(
    db: &C,
    scope: &TenantScope,
    cycle: &cycle::Model,
    settings: &OkrSettings,
    today: NaiveDate,
) -> DomainResult<CycleScores> {
    let objectives = scope
        .select::<objective::Entity>()
        .filter(objective::Column::CycleId.eq(cycle.id))
        .order_by_asc(objective::Column::Id)
        .all(db)
        .await?;
    let objective_ids: Vec<Uuid> = objectives.iter().map(|o| o.id).collect();
    let key_results = scope
        .select::<key_result::Entity>()
        .filter(key_result::Column::ObjectiveId.is_in(objective_ids.clone()))
        .order_by_asc(key_result::Column::Id)
        .all(db)
        .await?;
    let alignments = scope
        .select::<alignment::Entity>()
        .filter(alignment::Column::ParentObjectiveId.is_in(objective_ids))
        .order_by_asc(alignment::Column::Id)
        .all(db)
        .await?;
    // Scoring thousands of objectives is CPU work: keep it off the async
    // workers so other requests (and this request's own loaders) move on.
    let (cycle, settings) = (cycle.clone(), settings.clone());
    tokio::task::spawn_blocking(move || {
        compute(
            &cycle,
            &settings,
            today,
            &objectives,
            &key_results,
            &alignments,
        )
    })
    .await
    .map_err(|e| throughline_domain::DomainError::Internal(format!("scoring a cycle: {e}")))?
}

/// The pure part of [`score_cycle`].
pub fn compute(
    cycle: &cycle::Model,
    settings: &OkrSettings,
    today: NaiveDate,
    objectives: &[objective::Model],
    key_results: &[key_result::Model],
    alignments: &[alignment::Model],
) -> DomainResult<CycleScores> {
    let as_of = as_of(cycle, today);
    let expected = expected_progress(cycle.starts_on, cycle.ends_on, as_of);
    let mut scores = CycleScores::default();
    for kr in key_results {
        let target = target_of(kr)?;
        let progress = target.progress(optional_decimal(kr.current_value.as_deref())?);
        let derived = derive_key_result_health(
            target.kind,
            progress.progress,
            expected.value,
            settings.on_track_tolerance,
            settings.at_risk_tolerance,
        );
        // Closed and archived key results expect no more check-ins.
        let stale = kr.status == KeyResultStatus::Active.as_str()
            && is_stale(
                kr.last_check_in_on,
                cycle.starts_on,
                settings.check_in_cadence,
                as_of,
            );
        let stated = if stale {
            None
        } else {
            kr.last_stated_status
                .as_deref()
                .map(Health::parse)
                .transpose()?
        };
        scores.key_results.insert(
            kr.id,
            KeyResultScore {
                health: stated.unwrap_or(derived.value),
                progress,
                expected: expected.clone(),
                derived_health: derived,
                stated_health: stated,
                stale,
                last_check_in: kr.last_check_in_id,
            },
        );
    }
    let by_id: HashMap<Uuid, &objective::Model> = objectives.iter().map(|o| (o.id, o)).collect();
    let mut children: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    // Archived objectives and key results keep their own figures but no
    // longer count towards anything else's.
    for a in alignments {
        if let Some(parent) = a.parent_objective_id
            && by_id
                .get(&a.objective_id)
                .is_some_and(|child| child.status != ObjectiveStatus::Archived.as_str())
        {
            children.entry(parent).or_default().push(a.objective_id);
        }
    }
    let mut krs_of: HashMap<Uuid, Vec<&key_result::Model>> = HashMap::new();
    for kr in key_results {
        if kr.status != KeyResultStatus::Archived.as_str() {
            krs_of.entry(kr.objective_id).or_default().push(kr);
        }
    }
    let context = Context {
        settings,
        expected: &expected,
        by_id: &by_id,
        children: &children,
        krs_of: &krs_of,
    };
    for o in objectives {
        let mut visiting = HashSet::new();
        score_objective(&context, o.id, &mut scores, &mut visiting)?;
    }
    Ok(scores)
}

struct Context<'a> {
    settings: &'a OkrSettings,
    expected: &'a Explained<Decimal>,
    by_id: &'a HashMap<Uuid, &'a objective::Model>,
    children: &'a HashMap<Uuid, Vec<Uuid>>,
    krs_of: &'a HashMap<Uuid, Vec<&'a key_result::Model>>,
}

fn score_objective(
    context: &Context<'_>,
    id: Uuid,
    scores: &mut CycleScores,
    visiting: &mut HashSet<Uuid>,
) -> DomainResult<Option<ObjectiveScore>> {
    if let Some(done) = scores.objectives.get(&id) {
        return Ok(Some(done.clone()));
    }
    // Alignment loops are refused on write; a loop in old data stops here.
    if !visiting.insert(id) {
        return Ok(None);
    }
    let Some(objective) = context.by_id.get(&id) else {
        return Ok(None);
    };
    let driver = ProgressDriver::parse(&objective.progress_driver)?;
    let mut kr_items = Vec::new();
    let mut healths = Vec::new();
    if driver != ProgressDriver::AlignedObjectives {
        for kr in context.krs_of.get(&id).into_iter().flatten() {
            // A key result created after the scores were computed (the
            // cache key moves with every write, so only within one request)
            // has no score yet: it counts from the next read.
            let Some(score) = scores.key_results.get(&kr.id) else {
                continue;
            };
            let weight = parse_decimal(&kr.weight)?;
            kr_items.push(Contribution {
                name: kr.title.clone(),
                weight,
                progress: score.progress.progress,
            });
            healths.push((weight, score.health));
        }
    }
    let mut child_items = Vec::new();
    if driver != ProgressDriver::KeyResults {
        for child_id in context.children.get(&id).into_iter().flatten() {
            if let Some(child) = score_objective(context, *child_id, scores, visiting)? {
                let model = context.by_id[child_id];
                let weight = parse_decimal(&model.weight)?;
                child_items.push(Contribution {
                    name: model.title.clone(),
                    weight,
                    progress: child.progress.value,
                });
                healths.push((weight, child.health));
            }
        }
    }
    let progress = objective_progress(driver, &kr_items, &child_items);
    let (health, health_explanation) = match rollup_health(context.settings.health_rollup, &healths)
    {
        Some(health) => (
            health,
            Explanation {
                formula: format!(
                    "{} of the contributions' health",
                    context.settings.health_rollup.as_str().to_lowercase()
                ),
                inputs: vec![],
                result: progress.value,
                text: format!(
                    "Rolled up ({}) from {} contribution(s): {}.",
                    context.settings.health_rollup.as_str().to_lowercase(),
                    healths.len(),
                    health.as_str()
                ),
            },
        ),
        None => {
            let derived = derive_health(
                progress.value,
                context.expected.value,
                context.settings.on_track_tolerance,
                context.settings.at_risk_tolerance,
            );
            (derived.value, derived.explanation)
        }
    };
    let score = ObjectiveScore {
        progress,
        expected: context.expected.clone(),
        health,
        health_explanation,
    };
    scores.objectives.insert(id, score.clone());
    visiting.remove(&id);
    Ok(Some(score))
}
