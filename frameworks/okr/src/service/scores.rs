//! Progress and health of every objective and key result of a cycle,
//! computed in memory from three queries (objectives, key results with their
//! latest check-in's date and status, alignments): the same numbers for
//! lists, trees, reports and grading, and a constant number of statements
//! however large the cycle. Nothing here scans check-ins.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::settings::OkrSettings;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect};
use throughline_domain::kit::{
    DomainResult, Explanation, Target, TargetKind, TargetProgress, TenantDb, TenantScope, TreeLink,
    Walk,
};
use uuid::Uuid;

use crate::entity::{alignment, cycle, key_result, objective};
use crate::model::{KeyResultProgressSource, KeyResultStatus, ObjectiveStatus};
use crate::scoring::{
    Contribution, Explained, Health, ProgressDriver, Source, derive_key_result_health,
    expected_progress, expected_progress_over, is_stale, no_data, private_objectives, redact,
    rollup_health, weighted_mean,
};
use crate::settings::{CheckInCadence, HealthRollup};
use throughline_domain::entity::metric;
use throughline_domain::enums::MetricFrequency;
use throughline_domain::kit::{PeriodKind, period_containing, today_in};
use throughline_domain::service::metrics::period_kind;

use super::exceptions::{CycleFlags, FlagInput, flag_cycle};
use super::outline::Outline;
use super::{optional_decimal, parse_decimal};

#[derive(Clone, Debug)]
pub struct KeyResultScore {
    /// Shared with every field that shows it.
    pub progress: Arc<TargetProgress>,
    pub expected: Explained<Decimal>,
    pub derived_health: Explained<Health>,
    /// The author's status from the latest check-in, while it is not stale.
    pub stated_health: Option<Health>,
    pub health: Health,
    pub stale: bool,
    /// The latest check-in's id.
    pub last_check_in: Option<Uuid>,
    /// For a key result driven by aligned objectives: those objectives, as
    /// its progress and health count them (empty otherwise).
    pub contributions: Vec<Contribution>,
    pub rollup: HealthRollup,
}

impl KeyResultScore {
    /// Progress with its explanation as seen without the private objectives
    /// in `hidden` (see [`ObjectiveScore::progress_seen_without`]).
    pub fn progress_seen_without(&self, hidden: &HashSet<Uuid>) -> Arc<TargetProgress> {
        if self.contributions.is_empty() {
            return self.progress.clone();
        }
        let mut progress = TargetProgress::clone(&self.progress);
        progress.explanation = weighted_mean(&redact(&self.contributions, hidden)).explanation;
        progress.explanation.result = progress.progress;
        Arc::new(progress)
    }

    /// How the derived health was reached, seen without `hidden`.
    pub fn health_explanation_seen_without(&self, hidden: &HashSet<Uuid>) -> Explanation {
        if self.contributions.is_empty() {
            return self.derived_health.explanation.clone();
        }
        rollup_health(self.rollup, &redact(&self.contributions, hidden)).map_or_else(
            || self.derived_health.explanation.clone(),
            |r| r.explanation,
        )
    }
}

#[derive(Clone, Debug)]
pub struct ObjectiveScore {
    pub progress: Decimal,
    /// What its progress and health are computed from, per its driver, in
    /// creation order: key results, then aligned objectives.
    pub contributions: Vec<Contribution>,
    pub expected: Explained<Decimal>,
    pub health: Health,
    /// Why the health is `NO_DATA` when nothing contributes.
    derived_health: Explanation,
    rollup: HealthRollup,
}

impl ObjectiveScore {
    /// The private objectives among the contributions: whether the viewer
    /// may see each decides how the explanations show it.
    pub fn private_objectives(&self) -> Vec<Uuid> {
        private_objectives(&self.contributions)
    }

    /// Progress with its explanation as seen by a viewer who may not see
    /// the private objectives in `hidden`: the same figure for everyone,
    /// with those merged into one anonymous contribution.
    pub fn progress_seen_without(&self, hidden: &HashSet<Uuid>) -> Explained<Decimal> {
        let mut explained = weighted_mean(&redact(&self.contributions, hidden));
        explained.value = self.progress;
        explained.explanation.result = self.progress;
        explained
    }

    /// The health's explanation as seen without the private objectives in
    /// `hidden`.
    pub fn health_explanation_seen_without(&self, hidden: &HashSet<Uuid>) -> Explanation {
        rollup_health(self.rollup, &redact(&self.contributions, hidden))
            .map_or_else(|| self.derived_health.clone(), |rolled| rolled.explanation)
    }
}

#[derive(Clone, Debug, Default)]
pub struct CycleScores {
    /// Shared, not copied: a company objective's score holds every
    /// objective aligned to it.
    pub objectives: HashMap<Uuid, Arc<ObjectiveScore>>,
    pub key_results: HashMap<Uuid, Arc<KeyResultScore>>,
    /// The alignment tree, computed from the same rows.
    pub outline: Arc<Outline>,
    /// What the cycle puts in the exceptions feed, from the same rows.
    pub flagged: Arc<CycleFlags>,
}

impl CycleScores {
    /// What the entry weighs against the cache's budget, in rows (about
    /// 1.5 KB each): its objectives and key results, and its tree (a node is
    /// a few dozen bytes, but a lattice of a few objectives can draw 100,000).
    pub fn cached_rows(&self) -> usize {
        self.objectives.len()
            + self.key_results.len()
            + self.outline.size() / 32
            + self.flagged.items.len()
    }
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
/// day once it has ended, the day it was closed if that came first (in the
/// tenant's time zone `zone`).
pub fn as_of(cycle: &cycle::Model, today: NaiveDate, zone: &str) -> NaiveDate {
    if super::is_locked(cycle) {
        cycle
            .closed_at
            .map_or(cycle.ends_on, |at| today_in(zone, at).min(cycle.ends_on))
    } else {
        today.min(cycle.ends_on)
    }
}

/// The days a key result is expected to progress over: from its start (its
/// creation day by default, the cycle's start for older rows) to its due
/// date or the cycle's end, both kept within the cycle.
pub fn key_result_span(kr: &key_result::Model, cycle: &cycle::Model) -> (NaiveDate, NaiveDate) {
    span_within(kr, cycle.starts_on, cycle.ends_on)
}

fn span_within(
    kr: &key_result::Model,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let start = kr.starts_on.unwrap_or(starts_on).clamp(starts_on, ends_on);
    let end = kr.due_on.unwrap_or(ends_on).clamp(start, ends_on);
    (start, end)
}

/// Expected progress of a key result on `as_of`: the cycle's own figure when
/// the key result spans the whole cycle.
pub fn key_result_expected(
    kr: &key_result::Model,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    as_of: NaiveDate,
) -> Explained<Decimal> {
    let (start, end) = span_within(kr, starts_on, ends_on);
    if (start, end) == (starts_on, ends_on) {
        expected_progress(start, end, as_of)
    } else {
        expected_progress_over(start, end, as_of, "key result's span")
    }
}

/// The cycles whose objectives can count towards a cycle's: itself and the
/// cycles nested in it (a year's quarters), the cycle first.
pub type CycleFamily = Vec<cycle::Model>;

/// Cycles hold cycles: a fiscal year its quarters.
pub(crate) const NESTED_CYCLES: TreeLink<cycle::Entity> = TreeLink {
    node: cycle::Column::Id,
    parent: cycle::Column::ParentId,
    max_depth: 8,
};

/// The families of `cycles`, in one statement; a cycle that is not there
/// has none.
pub async fn families<C: TenantDb>(
    db: &C,
    scope: &TenantScope,
    cycles: &[Uuid],
) -> DomainResult<HashMap<Uuid, CycleFamily>> {
    let rows = scope
        .select::<cycle::Entity>()
        .filter(
            Condition::any()
                .add(cycle::Column::Id.is_in(cycles.iter().copied()))
                .add(scope.in_tree(cycle::Column::Id, NESTED_CYCLES, Walk::Below(cycles))),
        )
        .order_by_asc(cycle::Column::Id)
        .all(db)
        .await?;
    let mut below: HashMap<Uuid, Vec<&cycle::Model>> = HashMap::new();
    for row in &rows {
        if let Some(parent) = row.parent_id {
            below.entry(parent).or_default().push(row);
        }
    }
    let mut out = HashMap::new();
    for root in rows.iter().filter(|r| cycles.contains(&r.id)) {
        let mut family = vec![root.clone()];
        let mut next = 0;
        while let Some(at) = family.get(next).map(|c| c.id) {
            for child in below.get(&at).into_iter().flatten() {
                if !family.iter().any(|c| c.id == child.id) {
                    family.push((*child).clone());
                }
            }
            next += 1;
        }
        out.insert(root.id, family);
    }
    Ok(out)
}

/// Loads and scores a cycle with the cycles nested in it: objectives in a
/// quarter count towards objectives of its year. Rows are read in creation
/// order so explanations list contributions the same way on every database.
pub async fn score_cycle<C: TenantDb>(
    db: &C,
    scope: &TenantScope,
    family: &[cycle::Model],
    settings: &OkrSettings,
    today: NaiveDate,
) -> DomainResult<CycleScores> {
    let cycle_ids: Vec<Uuid> = family.iter().map(|c| c.id).collect();
    let in_family = scope
        .select::<objective::Entity>()
        .select_only()
        .column(objective::Column::Id)
        .filter(objective::Column::CycleId.is_in(cycle_ids.clone()))
        .into_query();
    let objectives = scope
        .select::<objective::Entity>()
        .filter(objective::Column::CycleId.is_in(cycle_ids))
        .order_by_asc(objective::Column::Id)
        .all(db)
        .await?;
    let key_results = scope
        .select::<key_result::Entity>()
        .filter(key_result::Column::ObjectiveId.in_subquery(in_family.clone()))
        .order_by_asc(key_result::Column::Id)
        .all(db)
        .await?;
    let alignments = scope
        .select::<alignment::Entity>()
        .filter(alignment::Column::ObjectiveId.in_subquery(in_family))
        .filter(
            Condition::any()
                .add(alignment::Column::ParentObjectiveId.is_not_null())
                .add(alignment::Column::ParentKeyResultId.is_not_null()),
        )
        .order_by_asc(alignment::Column::Id)
        .all(db)
        .await?;
    // Key results fed by a metric expect a value per the metric's period.
    let metric_ids: HashSet<Uuid> = key_results.iter().filter_map(|kr| kr.metric_id).collect();
    let metric_periods: HashMap<Uuid, PeriodKind> = if metric_ids.is_empty() {
        HashMap::new()
    } else {
        scope
            .select::<metric::Entity>()
            .select_only()
            .column(metric::Column::Id)
            .column(metric::Column::Frequency)
            .filter(metric::Column::Id.is_in(metric_ids))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, frequency)| Ok((id, period_kind(MetricFrequency::parse(&frequency)?))))
            .collect::<DomainResult<_>>()?
    };
    let calendar = Calendar {
        today,
        time_zone: scope.tenant().time_zone.clone(),
        fiscal_start_month: scope.tenant().fiscal_year_start_month as u32,
        metric_periods,
    };
    // Scoring thousands of objectives is CPU work: keep it off the async
    // workers so other requests (and this request's own loaders) move on.
    let (family, settings) = (family.to_vec(), settings.clone());
    let time_zone = scope.tenant().time_zone.clone();
    tokio::task::spawn_blocking(move || {
        let mut scores = compute(
            &family,
            &settings,
            &calendar,
            &objectives,
            &key_results,
            &alignments,
        )?;
        let cycles: Vec<Uuid> = family.iter().map(|c| c.id).collect();
        scores.outline = Arc::new(Outline::build(
            &cycles,
            &objectives,
            &key_results,
            &alignments,
        ));
        scores.flagged = Arc::new(flag_cycle(FlagInput {
            family: &family,
            settings: &settings,
            time_zone: &time_zone,
            today,
            objectives: &objectives,
            key_results: &key_results,
            key_result_scores: &scores.key_results,
        }));
        Ok(scores)
    })
    .await
    .map_err(|e| throughline_domain::DomainError::Internal(format!("scoring a cycle: {e}")))?
}

/// Where one cycle of the family stands on the day scored.
struct CycleClock {
    /// Closed or archived: its figures are final and nothing is stale.
    locked: bool,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    as_of: NaiveDate,
    expected: Explained<Decimal>,
    parent: Option<Uuid>,
}

/// Whether objectives of cycle `inner` may count towards objectives of
/// cycle `outer`: the same cycle, or one nested in it.
fn nests(clocks: &HashMap<Uuid, CycleClock>, inner: Uuid, outer: Uuid) -> bool {
    let mut at = Some(inner);
    for _ in 0..=clocks.len() {
        match at {
            Some(cycle) if cycle == outer => return true,
            Some(cycle) => at = clocks.get(&cycle).and_then(|c| c.parent),
            None => return false,
        }
    }
    false
}

/// The days that decide staleness besides the check-ins themselves.
pub struct Calendar {
    pub today: NaiveDate,
    pub time_zone: String,
    pub fiscal_start_month: u32,
    /// The period of each metric that feeds a key result.
    pub metric_periods: HashMap<Uuid, PeriodKind>,
}

impl Calendar {
    /// Whether a key result has gone without news too long. One fed by a
    /// metric is judged by the metric's own period, not the check-in
    /// cadence: stale once a whole period after its latest value's has
    /// ended without a value.
    fn is_stale(
        &self,
        kr: &key_result::Model,
        cycle_start: NaiveDate,
        cadence: CheckInCadence,
        as_of: NaiveDate,
    ) -> bool {
        match kr.metric_id.and_then(|m| self.metric_periods.get(&m)) {
            Some(kind) => {
                let since = kr.last_check_in_on.unwrap_or(cycle_start);
                let latest = period_containing(*kind, since, self.fiscal_start_month);
                let next = latest
                    .end
                    .succ_opt()
                    .map(|day| period_containing(*kind, day, self.fiscal_start_month).end);
                next.is_some_and(|end| as_of > end)
            }
            None => is_stale(kr.last_check_in_on, cycle_start, cadence, as_of),
        }
    }
}

/// The pure part of [`score_cycle`].
pub fn compute(
    family: &[cycle::Model],
    settings: &OkrSettings,
    calendar: &Calendar,
    objectives: &[objective::Model],
    key_results: &[key_result::Model],
    alignments: &[alignment::Model],
) -> DomainResult<CycleScores> {
    let clocks: HashMap<Uuid, CycleClock> = family
        .iter()
        .map(|cycle| {
            let as_of = as_of(cycle, calendar.today, &calendar.time_zone);
            let clock = CycleClock {
                locked: super::is_locked(cycle),
                starts_on: cycle.starts_on,
                ends_on: cycle.ends_on,
                as_of,
                expected: expected_progress(cycle.starts_on, cycle.ends_on, as_of),
                parent: cycle.parent_id,
            };
            (cycle.id, clock)
        })
        .collect();
    let by_id: HashMap<Uuid, &objective::Model> = objectives
        .iter()
        .filter(|o| clocks.contains_key(&o.cycle_id))
        .map(|o| (o.id, o))
        .collect();
    let mut scores = CycleScores::default();
    let is_driven = |kr: &key_result::Model| {
        kr.progress_source == KeyResultProgressSource::AlignedObjectives.as_str()
    };
    // Key results driven by aligned objectives are scored with them.
    for kr in key_results.iter().filter(|kr| !is_driven(kr)) {
        let Some(clock) = by_id
            .get(&kr.objective_id)
            .and_then(|o| clocks.get(&o.cycle_id))
        else {
            continue;
        };
        let target = target_of(kr)?;
        let expected = key_result_expected(kr, clock.starts_on, clock.ends_on, clock.as_of);
        let current = optional_decimal(kr.current_value.as_deref())?;
        let progress = target.progress(current);
        // No check-in yet and the value still where it started: nothing to
        // judge, rather than "behind" from day one.
        let no_value_yet =
            kr.last_check_in_id.is_none() && (current.is_none() || current == target.start);
        let derived = if no_value_yet {
            no_data("No value has been recorded yet")
        } else {
            derive_key_result_health(
                target.kind,
                progress.progress,
                expected.value,
                settings.on_track_tolerance,
                settings.at_risk_tolerance,
            )
        };
        // Closed and archived key results expect no more check-ins; a new
        // key result is due its first one a cadence after its own start.
        let (kr_start, _) = span_within(kr, clock.starts_on, clock.ends_on);
        let stale = !clock.locked
            && kr.status == KeyResultStatus::Active.as_str()
            && calendar.is_stale(kr, kr_start, settings.check_in_cadence, clock.as_of);
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
            Arc::new(KeyResultScore {
                health: stated.unwrap_or(derived.value),
                progress: Arc::new(progress),
                expected,
                derived_health: derived,
                stated_health: stated,
                stale,
                last_check_in: kr.last_check_in_id,
                contributions: vec![],
                rollup: settings.health_rollup,
            }),
        );
    }
    // Archived objectives and key results keep their own figures but no
    // longer count towards anything else's.
    let mut krs_of: HashMap<Uuid, Vec<&key_result::Model>> = HashMap::new();
    for kr in key_results {
        if kr.status != KeyResultStatus::Archived.as_str() {
            krs_of.entry(kr.objective_id).or_default().push(kr);
        }
    }
    let objective_of_kr: HashMap<Uuid, Uuid> = krs_of
        .values()
        .flatten()
        .map(|kr| (kr.id, kr.objective_id))
        .collect();
    // An objective aligned to a key result counts towards that key
    // result's objective; aligned to both, it counts once. A key result
    // driven by its aligned objectives counts them itself instead.
    let driven: HashSet<Uuid> = key_results
        .iter()
        .filter(|kr| is_driven(kr))
        .map(|kr| kr.id)
        .collect();
    let mut children: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let mut kr_children: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    // (parent, child) pairs already counted: a company objective may have
    // thousands of children, so no scan of its list per alignment.
    let mut counted: HashSet<(Uuid, Uuid)> = HashSet::new();
    for a in alignments {
        let parent = a.parent_objective_id.or_else(|| {
            a.parent_key_result_id
                .and_then(|kr| objective_of_kr.get(&kr).copied())
        });
        let (Some(parent), Some(child)) = (parent, by_id.get(&a.objective_id)) else {
            continue;
        };
        let Some(parent_cycle) = by_id.get(&parent).map(|p| p.cycle_id) else {
            continue;
        };
        if child.status == ObjectiveStatus::Archived.as_str()
            || !nests(&clocks, child.cycle_id, parent_cycle)
        {
            continue;
        }
        let (list, counted_under) = match a.parent_key_result_id.filter(|kr| driven.contains(kr)) {
            Some(kr) => (kr_children.entry(kr).or_default(), kr),
            None => (children.entry(parent).or_default(), parent),
        };
        if counted.insert((counted_under, child.id)) {
            list.push(child.id);
        }
    }
    let context = Context {
        kr_children: &kr_children,
        settings,
        clocks: &clocks,
        by_id: &by_id,
        children: &children,
        krs_of: &krs_of,
    };
    for o in objectives.iter().filter(|o| by_id.contains_key(&o.id)) {
        let mut visiting = HashSet::new();
        score_objective(&context, o.id, &mut scores, &mut visiting)?;
    }
    // Archived ones count nowhere but still show their own figures.
    for kr in key_results.iter().filter(|kr| is_driven(kr)) {
        score_driven_key_result(&context, kr, &mut scores, &mut HashSet::new())?;
    }
    Ok(scores)
}

struct Context<'a> {
    /// Objectives aligned to each key result driven by them.
    kr_children: &'a HashMap<Uuid, Vec<Uuid>>,
    settings: &'a OkrSettings,
    clocks: &'a HashMap<Uuid, CycleClock>,
    by_id: &'a HashMap<Uuid, &'a objective::Model>,
    children: &'a HashMap<Uuid, Vec<Uuid>>,
    krs_of: &'a HashMap<Uuid, Vec<&'a key_result::Model>>,
}

fn score_objective(
    context: &Context<'_>,
    id: Uuid,
    scores: &mut CycleScores,
    visiting: &mut HashSet<Uuid>,
) -> DomainResult<Option<Arc<ObjectiveScore>>> {
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
    let Some(clock) = context.clocks.get(&objective.cycle_id) else {
        return Ok(None);
    };
    let driver = ProgressDriver::parse(&objective.progress_driver)?;
    for kr in context.krs_of.get(&id).into_iter().flatten() {
        score_driven_key_result(context, kr, scores, visiting)?;
    }
    let mut contributions = Vec::new();
    if driver != ProgressDriver::AlignedObjectives {
        for kr in context.krs_of.get(&id).into_iter().flatten() {
            // A key result created after the scores were computed (the
            // cache key moves with every write, so only within one request)
            // has no score yet: it counts from the next read.
            let Some(score) = scores.key_results.get(&kr.id) else {
                continue;
            };
            contributions.push(Contribution::new(
                Source::KeyResult(kr.id),
                kr.title.clone(),
                parse_decimal(&kr.weight)?,
                score.progress.progress,
                score.expected.value,
                score.health,
            ));
        }
    }
    if driver != ProgressDriver::KeyResults {
        contributions.extend(aligned_contributions(
            context,
            context.children.get(&id),
            scores,
            visiting,
        )?);
    }
    let progress = weighted_mean(&contributions).value;
    let rollup = context.settings.health_rollup;
    let derived = no_data("Nothing contributes yet");
    let health = rollup_health(rollup, &contributions).map_or(derived.value, |rolled| rolled.value);
    let score = Arc::new(ObjectiveScore {
        progress,
        contributions,
        expected: clock.expected.clone(),
        health,
        derived_health: derived.explanation,
        rollup,
    });
    scores.objectives.insert(id, score.clone());
    visiting.remove(&id);
    Ok(Some(score))
}

/// The objectives in `children`, scored, as contributions.
fn aligned_contributions(
    context: &Context<'_>,
    children: Option<&Vec<Uuid>>,
    scores: &mut CycleScores,
    visiting: &mut HashSet<Uuid>,
) -> DomainResult<Vec<Contribution>> {
    let mut out = Vec::new();
    for child_id in children.into_iter().flatten() {
        if let Some(child) = score_objective(context, *child_id, scores, visiting)?
            && let Some(model) = context.by_id.get(child_id)
        {
            out.push(Contribution::new(
                Source::Objective {
                    id: model.id,
                    private: model.private,
                },
                model.title.clone(),
                parse_decimal(&model.weight)?,
                child.progress,
                child.expected.value,
                child.health,
            ));
        }
    }
    Ok(out)
}

/// Scores a key result whose progress comes from the objectives aligned to
/// it: their weighted mean, their rolled-up health; no check-ins, never stale.
fn score_driven_key_result(
    context: &Context<'_>,
    kr: &key_result::Model,
    scores: &mut CycleScores,
    visiting: &mut HashSet<Uuid>,
) -> DomainResult<()> {
    if kr.progress_source != KeyResultProgressSource::AlignedObjectives.as_str()
        || scores.key_results.contains_key(&kr.id)
    {
        return Ok(());
    }
    let Some(clock) = context
        .by_id
        .get(&kr.objective_id)
        .and_then(|o| context.clocks.get(&o.cycle_id))
    else {
        return Ok(());
    };
    let contributions =
        aligned_contributions(context, context.kr_children.get(&kr.id), scores, visiting)?;
    let mean = weighted_mean(&contributions);
    let rollup = context.settings.health_rollup;
    let derived = rollup_health(rollup, &contributions)
        .unwrap_or_else(|| no_data("No objective is aligned to it yet"));
    scores.key_results.insert(
        kr.id,
        Arc::new(KeyResultScore {
            progress: Arc::new(TargetProgress {
                progress: mean.value,
                met: Some(mean.value >= Decimal::ONE),
                distance: None,
                explanation: mean.explanation,
            }),
            expected: key_result_expected(kr, clock.starts_on, clock.ends_on, clock.as_of),
            health: derived.value,
            derived_health: derived,
            stated_health: None,
            stale: false,
            last_check_in: kr.last_check_in_id,
            contributions,
            rollup,
        }),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn key_result(metric: Option<Uuid>, last: &str) -> key_result::Model {
        let now = chrono::Utc::now();
        key_result::Model {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            objective_id: Uuid::nil(),
            title: "Demos".into(),
            owner_id: Uuid::nil(),
            target_kind: "INCREASE_TO".into(),
            start_value: Some("0".into()),
            target_value: Some("10".into()),
            lower_value: None,
            upper_value: None,
            unit: None,
            weight: "1".into(),
            current_value: Some("5".into()),
            metric_id: metric,
            status: "ACTIVE".into(),
            grade: None,
            starts_on: None,
            due_on: None,
            progress_source: "TARGET".into(),
            last_check_in_id: Some(Uuid::nil()),
            last_check_in_on: Some(day(last)),
            last_stated_status: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[test]
    fn a_key_result_fed_by_a_monthly_metric_is_stale_by_the_month_not_the_week() {
        let metric = Uuid::from_u128(9);
        let calendar = Calendar {
            today: day("2026-12-20"),
            time_zone: "UTC".into(),
            fiscal_start_month: 1,
            metric_periods: HashMap::from([(metric, PeriodKind::Month)]),
        };
        let start = day("2026-10-01");
        let weekly = CheckInCadence::Weekly;
        // November's value (dated 1 November): December has not ended.
        let fed = key_result(Some(metric), "2026-11-01");
        assert!(!calendar.is_stale(&fed, start, weekly, day("2026-12-20")));
        assert!(!calendar.is_stale(&fed, start, weekly, day("2026-12-31")));
        assert!(calendar.is_stale(&fed, start, weekly, day("2027-01-01")));
        // The same date without a metric: the weekly cadence.
        let manual = key_result(None, "2026-11-01");
        assert!(calendar.is_stale(&manual, start, weekly, day("2026-12-20")));
    }
}
