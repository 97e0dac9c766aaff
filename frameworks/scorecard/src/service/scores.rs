//! A scorecard's scores for one or more periods: every measure's value and
//! score, and the weighted roll-ups of objectives, perspectives and the
//! scorecard, overall, leading and lagging, each with its explanation.
//!
//! A scorecard is read whole in a constant number of narrow statements,
//! whatever its size or the tenant's and however many periods are asked:
//! the design (scorecard, perspectives, objectives, measures, metrics,
//! thresholds, weights, the metrics' targets, the initiatives serving its
//! objectives, the contributions to them and the items linked from above,
//! and, when there are any, the initiatives that count toward scores, the
//! contributing objectives and the linked objectives and measures), the
//! same again for each level of the cascade around it, then the metrics'
//! values over the periods asked (one) and, for carry-forward measures,
//! the last value before them (one).
//!
//! Scoring computes numbers only; an explanation is put into words when a
//! client asks for it, from the same children and the same arithmetic, so
//! a 36-period history of every node formats nothing it does not return.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect};
use throughline_domain::entity::{metric, metric_target, metric_value};
use throughline_domain::enums::MetricFrequency;
use throughline_domain::kit::{
    Aggregation, DatedTarget, DomainResult, IndicatorKind, MetricDirection, Period, PeriodKind,
    TargetKind, TenantScope, from_stored,
};
use throughline_domain::service::metric_targets::{dated, targets_by_metric};
use throughline_domain::service::metrics::{period_kind, values_between};
use uuid::Uuid;

use super::in_force;
use super::measures::{scoring_of, thresholds_of};
use super::weights;
use crate::entity::{
    contribution, initiative, initiative_objective, linked_item, measure, objective, perspective,
    scorecard, threshold, weight,
};
use crate::model::Status;
use crate::scoring::{
    Child, DatedWeight, MeasureValue, MissingData, RollUp, ScoreExplanation, ScoreStatus, Scores,
    Scoring, ScoringType, measure_value, roll_up_children, roll_up_scores, score, score_number,
    unconfigured, weight_in_force,
};

/// Everything a scorecard's scores are computed from, read once a
/// request: the scorecard row and its metrics (with their targets) fresh,
/// the rest from its [`Structure`], kept across requests.
pub struct Design {
    pub scorecard: scorecard::Model,
    pub metrics: HashMap<Uuid, metric::Model>,
    /// What scoring a period reads, parsed once: by measure.
    plans: HashMap<Uuid, MeasurePlan>,
    structure: Arc<Structure>,
}

impl std::ops::Deref for Design {
    type Target = Structure;

    fn deref(&self) -> &Structure {
        &self.structure
    }
}

/// A scorecard's design as the scorecard's own tables hold it: read once
/// and kept across requests and processes until a design write (which
/// bumps the tenant's scorecard rows' `design_revision` in its own
/// transaction) or a deleted metric makes it stale.
pub struct Structure {
    /// In order: the active ones, and archived ones that still hold objectives here.
    pub perspectives: Vec<perspective::Model>,
    /// In order.
    pub objectives: Vec<objective::Model>,
    /// In order.
    pub measures: Vec<measure::Model>,
    thresholds: HashMap<Uuid, Vec<threshold::Model>>,
    weights: Vec<weight::Model>,
    /// Initiatives that count toward their objectives' scores, with the
    /// objectives here they serve.
    pub scored_initiatives: Vec<(initiative::Model, Vec<Uuid>)>,
    /// The cascade up: objectives here that count objectives of other
    /// scorecards (see `service::contributions`).
    pub contributors: Vec<Contributor>,
    /// The cascade down: active objectives of scorecards above, shown here
    /// in their perspectives and counted there with weight 1, in the
    /// order they were linked (see `service::linked_items`).
    pub linked_objectives: Vec<objective::Model>,
    /// The cascade down: measures of scorecards above counted under
    /// objectives here with weight 1, in the order they were linked.
    pub linked_measures: Vec<LinkedMeasure>,
    /// Each child's weights (by measure, objective or perspective).
    schedules: HashMap<Uuid, Vec<DatedWeight>>,
}

/// Structures kept, by (tenant, scorecard), with the revision read.
type Kept = HashMap<(Uuid, Uuid), (i64, Arc<Structure>)>;

/// The most structures kept (a large one is about 100 KB); past it the
/// cache starts over.
const MAX_KEPT: usize = 500;

static KEPT: std::sync::LazyLock<std::sync::Mutex<Kept>> =
    std::sync::LazyLock::new(Default::default);

fn kept() -> std::sync::MutexGuard<'static, Kept> {
    KEPT.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// An objective of another scorecard counted in one of this design's.
#[derive(Clone, Debug)]
pub struct Contributor {
    /// The objective here.
    pub objective_id: Uuid,
    /// The one counted, and its scorecard.
    pub contributor: objective::Model,
}

/// A measure of a scorecard above counted under an objective here.
#[derive(Clone, Debug)]
pub struct LinkedMeasure {
    /// The objective here.
    pub objective_id: Uuid,
    /// The measure, scored on its own scorecard.
    pub measure: measure::Model,
    pub home_scorecard: Uuid,
}

/// A measure's scoring configuration, parsed.
struct MeasurePlan {
    aggregation: Aggregation,
    missing: MissingData,
    kind: ScoringType,
    indicator: IndicatorKind,
    direction: MetricDirection,
    /// The metric's own period.
    frequency: PeriodKind,
    /// Its own thresholds with their date ranges.
    thresholds: Vec<(Option<NaiveDate>, Option<NaiveDate>, Scoring)>,
    /// The metric's targets, each with the org unit it is for (none: the tenant's).
    targets: Vec<(Option<Uuid>, DatedTarget)>,
}

/// Reads a scorecard's design: `None` when it is not this tenant's.
pub async fn design(scope: &TenantScope, scorecard_id: Uuid) -> DomainResult<Option<Design>> {
    Ok(designs(scope, Some(&[scorecard_id])).await?.pop())
}

/// Reads the designs of the scorecards `only` names (those of this
/// tenant), or of every scorecard of the tenant: the same statements
/// however many. The scorecard rows (one statement) carry the design
/// revision and are read first, so a kept structure is never older than
/// the revision it is kept under; their metrics and the metrics' targets
/// (the core's, two statements) are read every time.
pub async fn designs(scope: &TenantScope, only: Option<&[Uuid]>) -> DomainResult<Vec<Design>> {
    let mut cards = scope.select::<scorecard::Entity>();
    if let Some(ids) = only {
        cards = cards.filter(scorecard::Column::Id.is_in(ids.iter().copied()));
    }
    let cards = cards
        .order_by_asc(scorecard::Column::Title)
        .order_by_asc(scorecard::Column::Id)
        .all(scope)
        .await?;
    if cards.is_empty() {
        return Ok(Vec::new());
    }
    let tenant = scope.tenant_id();
    let mut structures: HashMap<Uuid, Arc<Structure>> = {
        let kept = kept();
        cards
            .iter()
            .filter_map(|c| {
                let (revision, structure) = kept.get(&(tenant, c.id))?;
                (*revision == c.design_revision).then(|| (c.id, structure.clone()))
            })
            .collect()
    };
    let missing: Vec<&scorecard::Model> = cards
        .iter()
        .filter(|c| !structures.contains_key(&c.id))
        .collect();
    let mut fresh: HashSet<Uuid> = HashSet::new();
    if !missing.is_empty() {
        for (id, structure) in structures_of(scope, &missing).await? {
            fresh.insert(id);
            structures.insert(id, structure);
        }
    }
    let mut metric_ids: Vec<Uuid> = structures
        .values()
        .flat_map(|s| s.measures.iter().map(|m| m.metric_id))
        .collect();
    metric_ids.sort();
    metric_ids.dedup();
    let metrics: HashMap<Uuid, metric::Model> = if metric_ids.is_empty() {
        HashMap::new()
    } else {
        scope
            .select::<metric::Entity>()
            .filter(metric::Column::Id.is_in(metric_ids.iter().copied()))
            .all(scope)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect()
    };
    // A metric deleted in the core takes its measures with it, without a
    // design write: a kept structure still holding one is read again.
    let stale: Vec<&scorecard::Model> = cards
        .iter()
        .filter(|c| !fresh.contains(&c.id))
        .filter(|c| {
            structures.get(&c.id).is_some_and(|s| {
                s.measures
                    .iter()
                    .any(|m| !metrics.contains_key(&m.metric_id))
            })
        })
        .collect();
    if !stale.is_empty() {
        structures.extend(structures_of(scope, &stale).await?);
    }
    {
        let mut kept = kept();
        for card in &cards {
            if let Some(structure) = structures.get(&card.id) {
                let key = (tenant, card.id);
                // Full: start over, but not to keep one already kept.
                if kept.len() >= MAX_KEPT && !kept.contains_key(&key) {
                    kept.clear();
                }
                kept.insert(key, (card.design_revision, structure.clone()));
            }
        }
    }
    let targets = if metric_ids.is_empty() {
        HashMap::new()
    } else {
        targets_by_metric(scope, metric_ids).await?
    };
    let mut out = Vec::with_capacity(cards.len());
    for card in cards {
        let Some(structure) = structures.remove(&card.id) else {
            continue;
        };
        let mut card_metrics = HashMap::new();
        let mut plans = HashMap::new();
        for m in &structure.measures {
            let Some(metric) = metrics.get(&m.metric_id) else {
                continue;
            };
            card_metrics.insert(m.metric_id, metric.clone());
            let rows = structure
                .thresholds
                .get(&m.id)
                .map_or(&[][..], Vec::as_slice);
            // A metric may be measured on several scorecards.
            let metric_targets = targets.get(&m.metric_id).map_or(&[][..], Vec::as_slice);
            plans.insert(m.id, MeasurePlan::of(m, metric, rows, metric_targets)?);
        }
        out.push(Design {
            scorecard: card,
            metrics: card_metrics,
            plans,
            structure,
        });
    }
    Ok(out)
}

/// Reads the structures of `cards` from the scorecard's tables: the same
/// statements however many.
async fn structures_of(
    scope: &TenantScope,
    cards: &[&scorecard::Model],
) -> DomainResult<Vec<(Uuid, Arc<Structure>)>> {
    let card_ids: Vec<Uuid> = cards.iter().map(|c| c.id).collect();
    let objectives = scope
        .select::<objective::Entity>()
        .filter(objective::Column::ScorecardId.is_in(card_ids.iter().copied()))
        .order_by_asc(objective::Column::Position)
        .order_by_asc(objective::Column::Id)
        .all(scope)
        .await?;
    let all_perspectives = super::perspectives::all(scope).await?;
    let measures = scope
        .select::<measure::Entity>()
        .filter(measure::Column::ObjectiveId.is_in(objectives.iter().map(|o| o.id)))
        .order_by_asc(measure::Column::Position)
        .order_by_asc(measure::Column::Id)
        .all(scope)
        .await?;
    let mut thresholds = thresholds_of(scope, measures.iter().map(|m| m.id)).await?;
    let weights = scope
        .select::<weight::Entity>()
        .filter(
            Condition::any()
                .add(weight::Column::ScorecardId.is_in(card_ids.iter().copied()))
                .add(weight::Column::ObjectiveId.is_in(objectives.iter().map(|o| o.id)))
                .add(weight::Column::MeasureId.is_in(measures.iter().map(|m| m.id))),
        )
        .all(scope)
        .await?;
    let initiative_links = scope
        .select::<initiative_objective::Entity>()
        .filter(initiative_objective::Column::ObjectiveId.is_in(objectives.iter().map(|o| o.id)))
        .all(scope)
        .await?;
    let scored_initiatives = if initiative_links.is_empty() {
        Vec::new()
    } else {
        scope
            .select::<initiative::Entity>()
            .filter(initiative::Column::Id.is_in(initiative_links.iter().map(|l| l.initiative_id)))
            .filter(initiative::Column::CountsTowardScore.eq(true))
            .order_by_asc(initiative::Column::Title)
            .order_by_asc(initiative::Column::Id)
            .all(scope)
            .await?
    };
    let contributions = scope
        .select::<contribution::Entity>()
        .filter(contribution::Column::ObjectiveId.is_in(objectives.iter().map(|o| o.id)))
        .all(scope)
        .await?;
    let contributor_rows: HashMap<Uuid, objective::Model> = if contributions.is_empty() {
        HashMap::new()
    } else {
        scope
            .select::<objective::Entity>()
            .filter(objective::Column::Id.is_in(contributions.iter().map(|c| c.contributor_id)))
            .filter(objective::Column::Status.eq(Status::Active.as_str()))
            .all(scope)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect()
    };
    let linked = Linked::read(scope, &card_ids).await?;
    let card_of_objective: HashMap<Uuid, Uuid> =
        objectives.iter().map(|o| (o.id, o.scorecard_id)).collect();
    let card_of_measure: HashMap<Uuid, Uuid> = measures
        .iter()
        .filter_map(|m| Some((m.id, *card_of_objective.get(&m.objective_id)?)))
        .collect();
    let mut out = Vec::with_capacity(cards.len());
    for card in cards {
        let objectives: Vec<objective::Model> = objectives
            .iter()
            .filter(|o| o.scorecard_id == card.id)
            .cloned()
            .collect();
        let measures: Vec<measure::Model> = measures
            .iter()
            .filter(|m| card_of_measure.get(&m.id) == Some(&card.id))
            .cloned()
            .collect();
        let linked_objectives: Vec<objective::Model> = linked
            .objectives
            .iter()
            .filter(|(on, _)| *on == card.id)
            .map(|(_, o)| o.clone())
            .collect();
        let linked_measures: Vec<LinkedMeasure> = linked
            .measures
            .iter()
            .filter(|l| card_of_objective.get(&l.objective_id) == Some(&card.id))
            .cloned()
            .collect();
        let perspectives = all_perspectives
            .iter()
            .filter(|p| {
                p.status == Status::Active.as_str()
                    || objectives
                        .iter()
                        .chain(&linked_objectives)
                        .any(|o| o.perspective_id == p.id)
            })
            .cloned()
            .collect();
        let card_thresholds: HashMap<Uuid, Vec<threshold::Model>> = measures
            .iter()
            .filter_map(|m| Some((m.id, thresholds.remove(&m.id)?)))
            .collect();
        let card_weights: Vec<weight::Model> = weights
            .iter()
            .filter(|w| {
                w.scorecard_id == Some(card.id)
                    || w.objective_id
                        .is_some_and(|o| card_of_objective.get(&o) == Some(&card.id))
                    || w.measure_id
                        .is_some_and(|m| card_of_measure.get(&m) == Some(&card.id))
            })
            .cloned()
            .collect();
        let mut schedules: HashMap<Uuid, Vec<DatedWeight>> = HashMap::new();
        for row in &card_weights {
            let child = row.measure_id.or(row.objective_id).or(row
                .perspective_id
                .filter(|_| row.scorecard_id == Some(card.id)));
            if let Some(child) = child {
                schedules
                    .entry(child)
                    .or_default()
                    .push(weights::dated(row)?);
            }
        }
        let card_initiatives = scored_initiatives
            .iter()
            .filter_map(|i| {
                let served: Vec<Uuid> = initiative_links
                    .iter()
                    .filter(|l| {
                        l.initiative_id == i.id
                            && card_of_objective.get(&l.objective_id) == Some(&card.id)
                    })
                    .map(|l| l.objective_id)
                    .collect();
                (!served.is_empty()).then(|| (i.clone(), served))
            })
            .collect();
        let card_contributors = contributions
            .iter()
            .filter(|c| card_of_objective.get(&c.objective_id) == Some(&card.id))
            .filter_map(|c| {
                Some(Contributor {
                    objective_id: c.objective_id,
                    contributor: contributor_rows.get(&c.contributor_id)?.clone(),
                })
            })
            .collect();
        out.push((
            card.id,
            Arc::new(Structure {
                perspectives,
                objectives,
                measures,
                thresholds: card_thresholds,
                weights: card_weights,
                scored_initiatives: card_initiatives,
                contributors: card_contributors,
                linked_objectives,
                linked_measures,
                schedules,
            }),
        ));
    }
    Ok(out)
}

/// The items scorecards link from above, for a set of scorecards.
struct Linked {
    /// (the scorecard showing it, the objective), active ones only.
    objectives: Vec<(Uuid, objective::Model)>,
    measures: Vec<LinkedMeasure>,
}

impl Linked {
    /// One statement, and two more when anything is linked.
    async fn read(scope: &TenantScope, cards: &[Uuid]) -> DomainResult<Self> {
        let links = scope
            .select::<linked_item::Entity>()
            .filter(linked_item::Column::ScorecardId.is_in(cards.iter().copied()))
            .order_by_asc(linked_item::Column::CreatedAt)
            .order_by_asc(linked_item::Column::Id)
            .all(scope)
            .await?;
        if links.is_empty() {
            return Ok(Self {
                objectives: Vec::new(),
                measures: Vec::new(),
            });
        }
        let linked_measures: HashMap<Uuid, measure::Model> =
            if links.iter().all(|l| l.measure_id.is_none()) {
                HashMap::new()
            } else {
                scope
                    .select::<measure::Entity>()
                    .filter(measure::Column::Id.is_in(links.iter().filter_map(|l| l.measure_id)))
                    .all(scope)
                    .await?
                    .into_iter()
                    .map(|m| (m.id, m))
                    .collect()
            };
        // The linked objectives, and the objectives the linked measures sit
        // under (for their scorecards), in one read.
        let homes: HashMap<Uuid, objective::Model> = scope
            .select::<objective::Entity>()
            .filter(
                objective::Column::Id.is_in(
                    links
                        .iter()
                        .filter_map(|l| l.objective_id)
                        .chain(linked_measures.values().map(|m| m.objective_id)),
                ),
            )
            .all(scope)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let mut out = Self {
            objectives: Vec::new(),
            measures: Vec::new(),
        };
        for link in &links {
            if let Some(o) = link.objective_id.and_then(|id| homes.get(&id))
                && o.status == Status::Active.as_str()
            {
                out.objectives.push((link.scorecard_id, o.clone()));
            }
            if let (Some(m), Some(here)) = (
                link.measure_id.and_then(|id| linked_measures.get(&id)),
                link.in_objective_id,
            ) && let Some(home) = homes.get(&m.objective_id)
            {
                out.measures.push(LinkedMeasure {
                    objective_id: here,
                    measure: m.clone(),
                    home_scorecard: home.scorecard_id,
                });
            }
        }
        Ok(out)
    }
}

impl MeasurePlan {
    fn of(
        m: &measure::Model,
        metric: &metric::Model,
        thresholds: &[threshold::Model],
        targets: &[metric_target::Model],
    ) -> DomainResult<Self> {
        let kind = ScoringType::parse(&m.scoring_type)?;
        let mut own = Vec::with_capacity(thresholds.len());
        for row in thresholds {
            own.push((row.valid_from, row.valid_to, scoring_of(kind, row)?));
        }
        let mut dated_targets = Vec::with_capacity(targets.len());
        for row in targets {
            dated_targets.push((row.org_unit_id, dated(row)?));
        }
        Ok(Self {
            aggregation: match &m.aggregation {
                Some(a) => Aggregation::parse(a)?,
                None => Aggregation::parse(&metric.aggregation)?,
            },
            missing: MissingData::parse(&m.missing_data)?,
            kind,
            indicator: IndicatorKind::parse(&metric.indicator_kind)?,
            direction: MetricDirection::parse(&metric.direction)?,
            frequency: period_kind(MetricFrequency::parse(&metric.frequency)?),
            thresholds: own,
            targets: dated_targets,
        })
    }
}

/// Where a measure's thresholds came from in a period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ThresholdSource {
    /// Set on the measure for a range holding the period's last day.
    Measure,
    /// Taken from the metric's target in force then.
    MetricTarget,
    /// None: the measure needs none (`YES_NO`, `UNSCORED`) or has none.
    None,
}

/// Why a measure that needs thresholds has none in a period.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Unscorable {
    NoBands,
    NoTarget,
    /// The metric's target cannot place them: why.
    Target(&'static str),
}

/// A measure in one period.
#[derive(Clone, Debug)]
pub struct MeasureScore {
    pub value: MeasureValue,
    pub scoring: Option<Scoring>,
    pub source: ThresholdSource,
    /// 0–10; `None` when blank, unscored or without thresholds.
    pub score: Option<Decimal>,
    pub status: ScoreStatus,
    pub weight: Decimal,
    aggregation: Aggregation,
    unscorable: Option<Unscorable>,
}

impl MeasureScore {
    /// How the score came about, in words (`metric` names the KPI).
    pub fn explanation(&self, metric: &str, period: &Period) -> ScoreExplanation {
        let value = self.value.text(self.aggregation);
        match (&self.scoring, self.unscorable) {
            (Some(scoring), _) => {
                let mut e = score(scoring, self.value.value);
                e.text = format!("{value}; {}{}", e.text, source_text(self.source));
                e
            }
            (None, why) => {
                let why = match why {
                    Some(Unscorable::NoBands) => {
                        format!("no bands are in force for {}", period.label)
                    }
                    Some(Unscorable::Target(why)) => why.to_string(),
                    Some(Unscorable::NoTarget) | None => format!(
                        "no thresholds on the measure and no target on {metric} in force for {}",
                        period.label
                    ),
                };
                unconfigured(
                    self.value.value,
                    format!("{value}; {why}: blank, left out of roll-ups"),
                )
            }
        }
    }
}

/// An objective, perspective or scorecard in one period.
#[derive(Clone, Copy, Debug)]
pub struct NodeScore {
    pub scores: Scores,
    /// Its weight in its parent then.
    pub weight: Decimal,
}

/// Every design a scoring run read: the ones asked and the cascade's.
pub struct Designs {
    by_card: HashMap<Uuid, Arc<Design>>,
    card_of_objective: HashMap<Uuid, Uuid>,
    card_of_measure: HashMap<Uuid, Uuid>,
}

impl Designs {
    fn new(all: impl IntoIterator<Item = Arc<Design>>) -> Self {
        let mut out = Self {
            by_card: HashMap::new(),
            card_of_objective: HashMap::new(),
            card_of_measure: HashMap::new(),
        };
        for design in all {
            let card = design.scorecard.id;
            out.card_of_objective
                .extend(design.objectives.iter().map(|o| (o.id, card)));
            out.card_of_measure
                .extend(design.measures.iter().map(|m| (m.id, card)));
            out.by_card.insert(card, design);
        }
        out
    }

    pub fn of_scorecard(&self, id: Uuid) -> Option<&Design> {
        self.by_card.get(&id).map(Arc::as_ref)
    }

    fn of_objective(&self, id: Uuid) -> Option<&Design> {
        self.of_scorecard(*self.card_of_objective.get(&id)?)
    }

    fn of_measure(&self, id: Uuid) -> Option<&Design> {
        self.of_scorecard(*self.card_of_measure.get(&id)?)
    }
}

/// Every node of every scorecard of a scoring run in one period: the
/// scorecards asked and those of the cascade around them.
pub struct PeriodScores {
    pub period: Period,
    designs: Arc<Designs>,
    today: NaiveDate,
    measures: HashMap<Uuid, MeasureScore>,
    objectives: HashMap<Uuid, NodeScore>,
    /// By (scorecard, perspective).
    perspectives: HashMap<(Uuid, Uuid), NodeScore>,
    scorecards: HashMap<Uuid, NodeScore>,
}

impl PeriodScores {
    pub fn measure(&self, id: Uuid) -> Option<&MeasureScore> {
        self.measures.get(&id)
    }

    pub fn objective(&self, id: Uuid) -> Option<&NodeScore> {
        self.objectives.get(&id)
    }

    /// A perspective as it stands on one scorecard.
    pub fn perspective(&self, scorecard: Uuid, id: Uuid) -> Option<&NodeScore> {
        self.perspectives.get(&(scorecard, id))
    }

    pub fn scorecard(&self, id: Uuid) -> Option<&NodeScore> {
        self.scorecards.get(&id)
    }

    /// Every design scored: the ones asked and the cascade's.
    pub fn designs(&self) -> impl Iterator<Item = &Arc<Design>> {
        self.designs.by_card.values()
    }

    /// A measure's explanation, in words.
    pub fn measure_explanation(&self, id: Uuid) -> Option<ScoreExplanation> {
        let scored = self.measures.get(&id)?;
        let design = self.designs.of_measure(id)?;
        let metric = design
            .measures
            .iter()
            .find(|m| m.id == id)
            .and_then(|m| design.metrics.get(&m.metric_id))
            .map_or("its metric", |m| m.name.as_str());
        Some(scored.explanation(metric, &self.period))
    }

    /// An objective's three scores explained: its children named, with
    /// the weights and the arithmetic that made the numbers.
    pub fn objective_explanation(&self, id: Uuid) -> Option<RollUp> {
        let design = self.designs.of_objective(id)?;
        let objective = design.objectives.iter().find(|o| o.id == id)?;
        Some(roll_up_children(&objective_children(
            design, objective, self, true,
        )))
    }

    pub fn perspective_explanation(&self, scorecard: Uuid, id: Uuid) -> Option<RollUp> {
        let design = self.designs.of_scorecard(scorecard)?;
        let perspective = design.perspectives.iter().find(|p| p.id == id)?;
        Some(roll_up_children(&perspective_children(
            design,
            perspective,
            self,
            true,
        )))
    }

    pub fn scorecard_explanation(&self, scorecard: Uuid) -> Option<RollUp> {
        let design = self.designs.of_scorecard(scorecard)?;
        Some(roll_up_children(&scorecard_children(design, self, true)))
    }
}

/// Scores `periods` of the design (one statement for the values, one more
/// when a measure carries values forward).
pub async fn scores(
    scope: &TenantScope,
    design: Arc<Design>,
    periods: &[Period],
) -> DomainResult<Vec<PeriodScores>> {
    scores_of_many(scope, &[design], periods).await
}

/// How many levels of the cascade around a scorecard are read to score it.
pub const MAX_CASCADE_DEPTH: usize = 6;

/// Scores `periods` of each design, with the scorecards of the cascade
/// around them, in the same two statements however many designs (and the
/// designs' statements once more per level of the cascade): one
/// [`PeriodScores`] per period, in the periods' order, holding them all.
pub async fn scores_of_many(
    scope: &TenantScope,
    asked: &[Arc<Design>],
    periods: &[Period],
) -> DomainResult<Vec<PeriodScores>> {
    // The scorecards whose objectives contribute, or that lend objectives
    // and measures, level by level.
    let mut all: Vec<Arc<Design>> = asked.to_vec();
    let mut known: HashSet<Uuid> = asked.iter().map(|d| d.scorecard.id).collect();
    let mut level = all.clone();
    for _ in 0..MAX_CASCADE_DEPTH {
        let mut needed: Vec<Uuid> = level
            .iter()
            .flat_map(|d| {
                d.contributors
                    .iter()
                    .map(|c| c.contributor.scorecard_id)
                    .chain(d.lenders())
            })
            .filter(|id| !known.contains(id))
            .collect();
        needed.sort();
        needed.dedup();
        if needed.is_empty() {
            break;
        }
        known.extend(needed.iter().copied());
        level = designs(scope, Some(&needed))
            .await?
            .into_iter()
            .map(Arc::new)
            .collect();
        all.extend(level.iter().cloned());
    }
    let (Some(first), Some(last)) = (
        periods.iter().map(|p| p.start).min(),
        periods.iter().map(|p| p.end).max(),
    ) else {
        return Ok(Vec::new());
    };
    let mut metric_ids: Vec<Uuid> = all.iter().flat_map(|d| d.metrics.keys().copied()).collect();
    metric_ids.sort();
    metric_ids.dedup();
    let mut values = if metric_ids.is_empty() {
        HashMap::new()
    } else {
        values_between(scope, metric_ids.iter().copied(), first, last).await?
    };
    let mut carried: Vec<Uuid> = all
        .iter()
        .flat_map(|d| d.measures.iter())
        .filter(|m| m.missing_data == MissingData::CarryForward.as_str())
        .map(|m| m.metric_id)
        .collect();
    carried.sort();
    carried.dedup();
    if !carried.is_empty() {
        for (metric, day, value) in last_values_before(scope, &carried, first).await? {
            values.entry(metric).or_default().push((day, value));
        }
    }
    // Each series in time order, so a period's values are a slice of it.
    for series in values.values_mut() {
        series.sort_by_key(|(day, _)| *day);
    }
    let today = scope.today();
    let start_month = scope.tenant().fiscal_year_start_month.clamp(1, 12) as u32;
    let designs = Arc::new(Designs::new(all.iter().cloned()));
    let order = contributors_first(&all);
    let mut out = Vec::with_capacity(periods.len());
    for period in periods {
        let mut scores = PeriodScores {
            period: period.clone(),
            designs: designs.clone(),
            today,
            measures: HashMap::new(),
            objectives: HashMap::new(),
            perspectives: HashMap::new(),
            scorecards: HashMap::new(),
        };
        // Measures read only values; objectives read measures and, in the
        // cascade, other objectives (contributors first); perspectives and
        // scorecards read objectives, linked ones included.
        for design in &all {
            for m in &design.measures {
                let Some(plan) = design.plans.get(&m.id) else {
                    continue;
                };
                let series = values.get(&m.metric_id).map_or(&[][..], Vec::as_slice);
                let scored = score_measure(design, m, plan, series, period, (today, start_month))?;
                scores.measures.insert(m.id, scored);
            }
        }
        for &(d, o) in &order {
            let (Some(design), Some(objective)) = (
                all.get(d),
                all.get(d).and_then(|design| design.objectives.get(o)),
            ) else {
                continue;
            };
            let children = objective_children(design, objective, &scores, false);
            let node = NodeScore {
                scores: roll_up_scores(&children),
                weight: design.weight_of(objective.id, period.end),
            };
            scores.objectives.insert(objective.id, node);
        }
        for design in &all {
            let card = design.scorecard.id;
            for p in &design.perspectives {
                let children = perspective_children(design, p, &scores, false);
                let node = NodeScore {
                    scores: roll_up_scores(&children),
                    weight: design.weight_of(p.id, period.end),
                };
                scores.perspectives.insert((card, p.id), node);
            }
            let children = scorecard_children(design, &scores, false);
            let node = NodeScore {
                scores: roll_up_scores(&children),
                weight: Decimal::ONE,
            };
            scores.scorecards.insert(card, node);
        }
        out.push(scores);
    }
    Ok(out)
}

/// Every objective of the designs, as (design, objective) indexes, each
/// after the objectives that contribute to it; a loop (which adding a
/// contribution refuses) would be broken where it closes, its contributor
/// then blank.
fn contributors_first(designs: &[Arc<Design>]) -> Vec<(usize, usize)> {
    let index: HashMap<Uuid, (usize, usize)> = designs
        .iter()
        .enumerate()
        .flat_map(|(d, design)| {
            design
                .objectives
                .iter()
                .enumerate()
                .map(move |(o, objective)| (objective.id, (d, o)))
        })
        .collect();
    let mut depends: HashMap<(usize, usize), Vec<(usize, usize)>> = HashMap::new();
    for design in designs {
        for c in &design.contributors {
            if let (Some(&parent), Some(&child)) =
                (index.get(&c.objective_id), index.get(&c.contributor.id))
            {
                depends.entry(parent).or_default().push(child);
            }
        }
    }
    let mut order = Vec::with_capacity(index.len());
    let mut seen: HashSet<(usize, usize)> = HashSet::with_capacity(index.len());
    // Depth first without recursion: (node, whether its dependencies are in).
    let mut stack: Vec<((usize, usize), bool)> = Vec::new();
    for (d, design) in designs.iter().enumerate() {
        for o in 0..design.objectives.len() {
            stack.push(((d, o), false));
            while let Some((node, ready)) = stack.pop() {
                if ready {
                    order.push(node);
                    continue;
                }
                if !seen.insert(node) {
                    continue;
                }
                stack.push((node, true));
                for &child in depends.get(&node).map_or(&[][..], Vec::as_slice) {
                    if !seen.contains(&child) {
                        stack.push((child, false));
                    }
                }
            }
        }
    }
    order
}

/// Each metric's last value before `day`: one statement.
async fn last_values_before(
    scope: &TenantScope,
    metrics: &[Uuid],
    day: NaiveDate,
) -> DomainResult<Vec<(Uuid, NaiveDate, Decimal)>> {
    use sea_orm::sea_query::ExprTrait as _;
    // The same metric's latest period before `day` (correlated: one
    // statement for every metric, each read through its index).
    let earlier = Alias::new("earlier");
    let latest_before = Query::select()
        .expr(Expr::col((earlier.clone(), metric_value::Column::PeriodStart)).max())
        .from_as(metric_value::Entity, earlier.clone())
        .and_where(
            Expr::col((earlier.clone(), metric_value::Column::TenantId))
                .equals((metric_value::Entity, metric_value::Column::TenantId)),
        )
        .and_where(
            Expr::col((earlier.clone(), metric_value::Column::MetricId))
                .equals((metric_value::Entity, metric_value::Column::MetricId)),
        )
        .and_where(Expr::col((earlier, metric_value::Column::PeriodStart)).lt(day))
        .to_owned();
    let rows: Vec<(Uuid, NaiveDate, String)> = scope
        .select::<metric_value::Entity>()
        .select_only()
        .column(metric_value::Column::MetricId)
        .column(metric_value::Column::PeriodStart)
        .column(metric_value::Column::Value)
        .filter(metric_value::Column::MetricId.is_in(metrics.iter().copied()))
        .filter(
            Expr::col((metric_value::Entity, metric_value::Column::PeriodStart))
                .in_subquery(latest_before),
        )
        .into_tuple()
        .all(scope)
        .await?;
    rows.into_iter()
        .map(|(metric, day, value)| Ok((metric, day, from_stored(&value)?)))
        .collect()
}

impl Design {
    /// A child's weight in force on `day` (1 when none is).
    fn weight_of(&self, child: Uuid, day: NaiveDate) -> Decimal {
        weight_in_force(
            self.schedules.get(&child).map_or(&[][..], Vec::as_slice),
            day,
        )
    }
}

fn score_measure(
    design: &Design,
    m: &measure::Model,
    plan: &MeasurePlan,
    series: &[(NaiveDate, Decimal)],
    period: &Period,
    (today, start_month): (NaiveDate, u32),
) -> DomainResult<MeasureScore> {
    let first = series.partition_point(|(day, _)| *day < period.start);
    let after = series.partition_point(|(day, _)| *day <= period.end);
    let value = measure_value(
        plan.aggregation,
        plan.missing,
        series.get(first..after).unwrap_or_default(),
        series.get(..first).unwrap_or_default(),
    );
    let (scoring, source, unscorable) =
        scoring_in_force(design, plan, period, (today, start_month));
    let score = scoring.as_ref().and_then(|s| score_number(s, value.value));
    Ok(MeasureScore {
        value,
        scoring,
        source,
        score,
        status: ScoreStatus::of(score),
        weight: design.weight_of(m.id, period.end),
        aggregation: plan.aggregation,
        unscorable,
    })
}

/// An objective's children in a period: its measures, the measures linked
/// under it, the initiatives that count and its contributors. Named only
/// when `named` (for an explanation): scoring needs the numbers alone.
fn objective_children(
    design: &Design,
    o: &objective::Model,
    scores: &PeriodScores,
    named: bool,
) -> Vec<Child> {
    let name = |text: &str, prefix: &str| {
        if named {
            format!("{prefix}{text}")
        } else {
            String::new()
        }
    };
    let mut children = Vec::new();
    let measure_child = |home: &Design, m: &measure::Model, weight: Option<Decimal>| {
        let scored = scores.measures.get(&m.id)?;
        let plan = home.plans.get(&m.id)?;
        let metric = home.metrics.get(&m.metric_id)?;
        Some(Child::measure(
            &name(&metric.name, ""),
            weight.unwrap_or(scored.weight),
            scored.score,
            plan.indicator,
        ))
    };
    for m in design.measures.iter().filter(|m| m.objective_id == o.id) {
        children.extend(measure_child(design, m, None));
    }
    // Linked from above: scored where they live, weight 1 here.
    for l in design
        .linked_measures
        .iter()
        .filter(|l| l.objective_id == o.id)
    {
        if let Some(home) = scores.designs.of_scorecard(l.home_scorecard) {
            children.extend(measure_child(home, &l.measure, Some(Decimal::ONE)));
        }
    }
    // Initiatives that count: a leading child each, scored by schedule at
    // the period's end (or today, while it runs).
    for (i, _) in design
        .scored_initiatives
        .iter()
        .filter(|(_, served)| served.contains(&o.id))
    {
        let health = super::initiatives::health(i, &[], scores.period.end.min(scores.today));
        children.push(Child {
            name: name(&i.title, "initiative "),
            weight: Decimal::ONE,
            score: Some(health.score),
            leading: Some(health.score),
            lagging: None,
        });
    }
    // Objectives below that count here: a child each, weight 1, with their
    // own leading and lagging scores.
    for c in design
        .contributors
        .iter()
        .filter(|c| c.objective_id == o.id)
    {
        let s = scores
            .objectives
            .get(&c.contributor.id)
            .map(|s| s.scores)
            .unwrap_or_default();
        children.push(Child {
            name: name(&c.contributor.title, "contributor "),
            weight: Decimal::ONE,
            score: s.score,
            leading: s.leading,
            lagging: s.lagging,
        });
    }
    children
}

/// A perspective's children on a scorecard: its active objectives there,
/// and the active objectives linked from above in it (weight 1).
fn perspective_children(
    design: &Design,
    p: &perspective::Model,
    scores: &PeriodScores,
    named: bool,
) -> Vec<Child> {
    let own = design
        .objectives
        .iter()
        .filter(|o| o.perspective_id == p.id && o.status == Status::Active.as_str())
        .filter_map(|o| {
            let node = scores.objectives.get(&o.id)?;
            Some(node_child(&o.title, node.scores, node.weight, named))
        });
    let linked = design
        .linked_objectives
        .iter()
        .filter(|o| o.perspective_id == p.id)
        .filter_map(|o| {
            let node = scores.objectives.get(&o.id)?;
            Some(node_child(&o.title, node.scores, Decimal::ONE, named))
        });
    own.chain(linked).collect()
}

/// A scorecard's children: its active perspectives.
fn scorecard_children(design: &Design, scores: &PeriodScores, named: bool) -> Vec<Child> {
    let card = design.scorecard.id;
    design
        .perspectives
        .iter()
        .filter(|p| p.status == Status::Active.as_str())
        .filter_map(|p| {
            let node = scores.perspectives.get(&(card, p.id))?;
            Some(node_child(&p.name, node.scores, node.weight, named))
        })
        .collect()
}

fn node_child(name: &str, scores: Scores, weight: Decimal, named: bool) -> Child {
    Child {
        name: if named {
            name.to_string()
        } else {
            String::new()
        },
        weight,
        score: scores.score,
        leading: scores.leading,
        lagging: scores.lagging,
    }
}

fn source_text(source: ThresholdSource) -> &'static str {
    match source {
        ThresholdSource::Measure => " (thresholds set on the measure for this period)",
        ThresholdSource::MetricTarget => {
            " (goal and red flag from the metric's target in force then)"
        }
        ThresholdSource::None => "",
    }
}

/// How many of the metric's own periods a `SUM` measure's thresholds count
/// for in the viewing period: those that have begun in it (all of them
/// once it is over), at least one. Other aggregations: one.
fn periods_counted(
    plan: &MeasurePlan,
    period: &Period,
    today: NaiveDate,
    start_month: u32,
) -> Decimal {
    let own = plan.frequency;
    if plan.aggregation != Aggregation::Sum || own == period.kind || rank(own) >= rank(period.kind)
    {
        return Decimal::ONE;
    }
    let until = if today < period.start {
        period.end
    } else {
        today.min(period.end)
    };
    let mut count = 0u32;
    let mut day = period.start;
    while day <= until {
        let p = throughline_domain::kit::period_containing(own, day, start_month);
        if p.start >= period.start {
            count += 1;
        }
        day = p.end + chrono::Duration::days(1);
    }
    Decimal::from(count.max(1))
}

fn rank(kind: PeriodKind) -> u8 {
    match kind {
        PeriodKind::Week => 0,
        PeriodKind::Month => 1,
        PeriodKind::Quarter => 2,
        PeriodKind::FiscalYear => 3,
    }
}

/// The scoring in force for a measure in a period: its own thresholds for
/// a range holding the period's last day, else (goal/red flag, stabilize)
/// the metric's target then, for the scorecard's unit before the tenant's.
/// `None` with the reason when there is none.
fn scoring_in_force(
    design: &Design,
    plan: &MeasurePlan,
    period: &Period,
    (today, start_month): (NaiveDate, u32),
) -> (Option<Scoring>, ThresholdSource, Option<Unscorable>) {
    match plan.kind {
        ScoringType::YesNo => return (Some(Scoring::YesNo), ThresholdSource::None, None),
        ScoringType::Unscored => return (Some(Scoring::Unscored), ThresholdSource::None, None),
        _ => {}
    }
    let times = periods_counted(plan, period, today, start_month);
    let own = plan
        .thresholds
        .iter()
        .find(|(from, to, _)| in_force(*from, *to, period.end));
    if let Some((_, _, scoring)) = own {
        return (
            Some(scaled(scoring.clone(), times)),
            ThresholdSource::Measure,
            None,
        );
    }
    if plan.kind == ScoringType::Bands {
        return (None, ThresholdSource::None, Some(Unscorable::NoBands));
    }
    // The scorecard's unit's own target first, then the tenant's.
    let in_force_for = |unit: Option<Uuid>| {
        plan.targets
            .iter()
            .find(|(for_unit, t)| *for_unit == unit && t.in_force_on(period.end))
            .map(|(_, t)| t)
    };
    let target = design
        .scorecard
        .org_unit_id
        .and_then(|unit| in_force_for(Some(unit)))
        .or_else(|| in_force_for(None));
    let Some(target) = target else {
        return (None, ThresholdSource::None, Some(Unscorable::NoTarget));
    };
    match from_target(plan.kind, target, plan.direction) {
        Ok(scoring) => (
            Some(scaled(scoring, times)),
            ThresholdSource::MetricTarget,
            None,
        ),
        Err(why) => (None, ThresholdSource::None, Some(Unscorable::Target(why))),
    }
}

/// A goal and red flag (or a stabilize range) from a metric's target: the
/// goal is the target's, the red flag lies the warning margin past it on
/// the bad side (or, for a move from `start`, at the start).
fn from_target(
    kind: ScoringType,
    target: &DatedTarget,
    direction: MetricDirection,
) -> Result<Scoring, &'static str> {
    let t = &target.target;
    let margin = target.warning_margin;
    match kind {
        ScoringType::GoalRedFlag => {
            let goal = match t.kind {
                TargetKind::Milestone => Decimal::ONE,
                TargetKind::WithinRange => {
                    return Err(
                        "the metric's target is a range: score the measure STABILIZE, or set its goal and red flag",
                    );
                }
                _ => t.target.ok_or("the metric's target has no goal")?,
            };
            let lower_is_better =
                matches!(t.kind, TargetKind::DecreaseTo | TargetKind::StayAtOrBelow)
                    || direction == MetricDirection::LowerIsBetter;
            let red_flag = match (margin, t.start, t.kind) {
                (_, _, TargetKind::Milestone) => Decimal::ZERO,
                (Some(m), _, _) if lower_is_better => goal + m,
                (Some(m), _, _) => goal - m,
                (None, Some(start), TargetKind::IncreaseTo | TargetKind::DecreaseTo) => start,
                _ => {
                    return Err(
                        "the metric's target has no warning margin to place a red flag: give its target one, or set the measure's red flag",
                    );
                }
            };
            if red_flag == goal {
                return Err("the metric's target puts the red flag on the goal");
            }
            Ok(Scoring::GoalRedFlag { goal, red_flag })
        }
        ScoringType::Stabilize => match (t.kind, t.lower, t.upper, margin) {
            (TargetKind::WithinRange, Some(lower), Some(upper), Some(m)) if m > Decimal::ZERO => {
                Ok(Scoring::Stabilize {
                    red_flag_low: lower - m,
                    goal_low: lower,
                    goal_high: upper,
                    red_flag_high: upper + m,
                })
            }
            (TargetKind::WithinRange, ..) => Err(
                "the metric's range target has no warning margin to place the red flags: give it one, or set the measure's thresholds",
            ),
            _ => Err(
                "the metric's target is not a range: a STABILIZE measure needs its own thresholds",
            ),
        },
        _ => Err("no thresholds"),
    }
}

/// Thresholds stated per period of the metric's own frequency, for a
/// `SUM` measure viewed over `times` of them.
fn scaled(scoring: Scoring, times: Decimal) -> Scoring {
    if times == Decimal::ONE {
        return scoring;
    }
    // Thresholds are at most 10^15 and periods a few hundred: no overflow
    // a caller can reach; saturate rather than fail if one ever did.
    let x = |v: Decimal| v.checked_mul(times).unwrap_or(v);
    match scoring {
        Scoring::GoalRedFlag { goal, red_flag } => Scoring::GoalRedFlag {
            goal: x(goal),
            red_flag: x(red_flag),
        },
        Scoring::Stabilize {
            red_flag_low,
            goal_low,
            goal_high,
            red_flag_high,
        } => Scoring::Stabilize {
            red_flag_low: x(red_flag_low),
            goal_low: x(goal_low),
            goal_high: x(goal_high),
            red_flag_high: x(red_flag_high),
        },
        Scoring::Bands(bands) => Scoring::Bands(
            bands
                .into_iter()
                .map(|mut b| {
                    b.lower = x(b.lower);
                    b
                })
                .collect(),
        ),
        other => other,
    }
}

impl Design {
    /// The scorecards that lend this one linked objectives or measures.
    pub fn lenders(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.linked_objectives
            .iter()
            .map(|o| o.scorecard_id)
            .chain(self.linked_measures.iter().map(|l| l.home_scorecard))
    }

    /// Every weight of the scorecard's nodes.
    pub fn weight_rows(&self) -> &[weight::Model] {
        &self.weights
    }

    /// A measure's thresholds, earliest first.
    pub fn threshold_rows(&self, measure: Uuid) -> &[threshold::Model] {
        self.thresholds.get(&measure).map_or(&[], Vec::as_slice)
    }
}
