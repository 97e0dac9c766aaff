//! A scorecard's scores for one or more periods: every measure's value and
//! score, and the weighted roll-ups of objectives, perspectives and the
//! scorecard, overall, leading and lagging, each with its explanation.
//!
//! A scorecard is read whole in a constant number of narrow statements,
//! whatever its size or the tenant's and however many periods are asked:
//! the design (scorecard, perspectives, objectives, measures, metrics,
//! thresholds, weights, the metrics' targets, the initiatives serving its
//! objectives and the contributions to them, and, when there are any, the
//! initiatives that count toward scores and the contributing objectives:
//! ten to twelve), the same again for each level of the cascade below it,
//! then the metrics' values over the periods asked (one) and, for
//! carry-forward measures, the last value before them (one).

use std::collections::HashMap;

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
    contribution, initiative, initiative_objective, measure, objective, perspective, scorecard,
    threshold, weight,
};
use crate::model::Status;
use crate::scoring::{
    Child, MeasureValue, MissingData, RollUp, ScoreExplanation, Scoring, ScoringType,
    measure_value, roll_up_children, score, unconfigured, weight_in_force,
};

/// Everything a scorecard's scores are computed from, read once.
pub struct Design {
    pub scorecard: scorecard::Model,
    /// In order: the active ones, and archived ones that still hold objectives here.
    pub perspectives: Vec<perspective::Model>,
    /// In order.
    pub objectives: Vec<objective::Model>,
    /// In order.
    pub measures: Vec<measure::Model>,
    pub metrics: HashMap<Uuid, metric::Model>,
    thresholds: HashMap<Uuid, Vec<threshold::Model>>,
    weights: Vec<weight::Model>,
    targets: HashMap<Uuid, Vec<metric_target::Model>>,
    /// Initiatives that count toward their objectives' scores, with the
    /// objectives here they serve.
    pub scored_initiatives: Vec<(initiative::Model, Vec<Uuid>)>,
    /// The cascade: objectives here that count objectives of other
    /// scorecards (see `service::contributions`).
    pub contributors: Vec<Contributor>,
}

/// An objective of another scorecard counted in one of this design's.
#[derive(Clone, Debug)]
pub struct Contributor {
    /// The objective here.
    pub objective_id: Uuid,
    /// The one counted, and its scorecard.
    pub contributor: objective::Model,
}

/// Reads a scorecard's design: `None` when it is not this tenant's.
pub async fn design(scope: &TenantScope, scorecard_id: Uuid) -> DomainResult<Option<Design>> {
    Ok(designs(scope, Some(&[scorecard_id])).await?.pop())
}

/// Reads the designs of the scorecards `only` names (those of this
/// tenant), or of every scorecard of the tenant: the same statements
/// however many.
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
    let metric_ids: Vec<Uuid> = measures.iter().map(|m| m.metric_id).collect();
    let metrics: HashMap<Uuid, metric::Model> = scope
        .select::<metric::Entity>()
        .filter(metric::Column::Id.is_in(metric_ids.iter().copied()))
        .all(scope)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
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
    let targets = targets_by_metric(scope, metric_ids).await?;
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
        let perspectives = all_perspectives
            .iter()
            .filter(|p| {
                p.status == Status::Active.as_str()
                    || objectives.iter().any(|o| o.perspective_id == p.id)
            })
            .cloned()
            .collect();
        let mut card_metrics = HashMap::new();
        let mut card_thresholds = HashMap::new();
        let mut card_targets = HashMap::new();
        for m in &measures {
            if let Some(metric) = metrics.get(&m.metric_id) {
                card_metrics.insert(m.metric_id, metric.clone());
            }
            if let Some(t) = thresholds.remove(&m.id) {
                card_thresholds.insert(m.id, t);
            }
            // A metric may be measured on several scorecards.
            if let Some(t) = targets.get(&m.metric_id) {
                card_targets.insert(m.metric_id, t.clone());
            }
        }
        let card_weights = weights
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
        out.push(Design {
            scorecard: card,
            perspectives,
            objectives,
            measures,
            metrics: card_metrics,
            thresholds: card_thresholds,
            weights: card_weights,
            targets: card_targets,
            scored_initiatives: card_initiatives,
            contributors: card_contributors,
        });
    }
    Ok(out)
}

/// Where a measure's thresholds came from in a period.
#[derive(Clone, Debug, PartialEq)]
pub enum ThresholdSource {
    /// Set on the measure for a range holding the period's last day.
    Measure,
    /// Taken from the metric's target in force then.
    MetricTarget,
    /// None: the measure needs none (`YES_NO`, `UNSCORED`) or has none.
    None,
}

/// A measure in one period.
#[derive(Clone, Debug)]
pub struct MeasureScore {
    pub value: MeasureValue,
    pub scoring: Option<Scoring>,
    pub source: ThresholdSource,
    pub explanation: ScoreExplanation,
    pub weight: Decimal,
}

/// An objective, perspective or the scorecard in one period.
#[derive(Clone, Debug)]
pub struct NodeScore {
    pub roll_up: RollUp,
    pub weight: Decimal,
}

/// The whole scorecard in one period.
#[derive(Clone, Debug)]
pub struct PeriodScores {
    pub period: Period,
    pub measures: HashMap<Uuid, MeasureScore>,
    pub objectives: HashMap<Uuid, NodeScore>,
    /// Keyed by perspective.
    pub perspectives: HashMap<Uuid, NodeScore>,
    pub scorecard: RollUp,
}

/// Scores `periods` of the design (one statement for the values, one more
/// when a measure carries values forward).
pub async fn scores(
    scope: &TenantScope,
    design: &Design,
    periods: &[Period],
) -> DomainResult<Vec<PeriodScores>> {
    Ok(scores_of_many(scope, &[design], periods)
        .await?
        .pop()
        .unwrap_or_default())
}

/// How many levels of the cascade below a scorecard are read to score it.
pub const MAX_CASCADE_DEPTH: usize = 6;

/// Scores `periods` of each design, in the same two statements however
/// many designs (and the designs' statements once more per level of the
/// cascade below them): each design's periods, in the designs' order.
pub async fn scores_of_many(
    scope: &TenantScope,
    asked: &[&Design],
    periods: &[Period],
) -> DomainResult<Vec<Vec<PeriodScores>>> {
    // The scorecards whose objectives contribute, level by level.
    let mut below: Vec<Design> = Vec::new();
    let mut known: std::collections::HashSet<Uuid> = asked.iter().map(|d| d.scorecard.id).collect();
    for _ in 0..MAX_CASCADE_DEPTH {
        let mut needed: Vec<Uuid> = asked
            .iter()
            .copied()
            .chain(below.iter())
            .flat_map(|d| d.contributors.iter().map(|c| c.contributor.scorecard_id))
            .filter(|id| !known.contains(id))
            .collect();
        needed.sort();
        needed.dedup();
        if needed.is_empty() {
            break;
        }
        known.extend(needed.iter().copied());
        below.extend(designs(scope, Some(&needed)).await?);
    }
    let designs: Vec<&Design> = asked.iter().copied().chain(below.iter()).collect();
    let (Some(first), Some(last)) = (
        periods.iter().map(|p| p.start).min(),
        periods.iter().map(|p| p.end).max(),
    ) else {
        return Ok(designs.iter().map(|_| Vec::new()).collect());
    };
    let mut metric_ids: Vec<Uuid> = designs
        .iter()
        .flat_map(|d| d.metrics.keys().copied())
        .collect();
    metric_ids.sort();
    metric_ids.dedup();
    let mut values = if metric_ids.is_empty() {
        HashMap::new()
    } else {
        values_between(scope, metric_ids.iter().copied(), first, last).await?
    };
    let mut carried: Vec<Uuid> = designs
        .iter()
        .flat_map(|d| d.measures.iter())
        .filter(|m| m.missing_data == MissingData::CarryForward.as_str())
        .map(|m| m.metric_id)
        .collect();
    carried.sort();
    carried.dedup();
    if !carried.is_empty() {
        for (metric, day, value) in last_values_before(scope, &carried, first).await? {
            values.entry(metric).or_default().insert(0, (day, value));
        }
    }
    let today = scope.today();
    let start_month = scope.tenant().fiscal_year_start_month.clamp(1, 12) as u32;
    let order = contributors_first(&designs);
    let mut scored: Vec<Vec<PeriodScores>> = designs.iter().map(|_| Vec::new()).collect();
    for period in periods {
        // Each objective's score in this period, as the cascade reads them.
        let mut objective_scores: HashMap<Uuid, NodeScore> = HashMap::new();
        for &i in &order {
            let Some(design) = designs.get(i) else {
                continue;
            };
            let scores = score_period(
                design,
                &values,
                period,
                today,
                start_month,
                &objective_scores,
            )?;
            objective_scores.extend(scores.objectives.iter().map(|(id, s)| (*id, s.clone())));
            if let Some(list) = scored.get_mut(i) {
                list.push(scores);
            }
        }
    }
    scored.truncate(asked.len());
    Ok(scored)
}

/// The designs' indexes, each after the designs whose objectives
/// contribute to it; a loop (possible once units move) is broken where
/// it closes, its contributor then blank.
fn contributors_first(designs: &[&Design]) -> Vec<usize> {
    let index: HashMap<Uuid, usize> = designs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.scorecard.id, i))
        .collect();
    let depends: Vec<Vec<usize>> = designs
        .iter()
        .map(|d| {
            d.contributors
                .iter()
                .filter_map(|c| index.get(&c.contributor.scorecard_id).copied())
                .filter(|j| designs.get(*j).map(|o| o.scorecard.id) != Some(d.scorecard.id))
                .collect()
        })
        .collect();
    let mut order = Vec::with_capacity(designs.len());
    let mut state = vec![0u8; designs.len()];
    fn visit(i: usize, depends: &[Vec<usize>], state: &mut [u8], order: &mut Vec<usize>) {
        if state.get(i).copied() != Some(0) {
            return;
        }
        if let Some(s) = state.get_mut(i) {
            *s = 1;
        }
        for &j in depends.get(i).map_or(&[][..], Vec::as_slice) {
            visit(j, depends, state, order);
        }
        if let Some(s) = state.get_mut(i) {
            *s = 2;
        }
        order.push(i);
    }
    for i in 0..designs.len() {
        visit(i, &depends, &mut state, &mut order);
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

fn weight_of(
    design: &Design,
    period_end: NaiveDate,
    pick: impl Fn(&weight::Model) -> bool,
) -> DomainResult<Decimal> {
    let mut dated = Vec::new();
    for row in design.weights.iter().filter(|w| pick(w)) {
        dated.push(weights::dated(row)?);
    }
    Ok(weight_in_force(&dated, period_end))
}

fn score_period(
    design: &Design,
    values: &HashMap<Uuid, Vec<(NaiveDate, Decimal)>>,
    period: &Period,
    today: NaiveDate,
    start_month: u32,
    contributed: &HashMap<Uuid, NodeScore>,
) -> DomainResult<PeriodScores> {
    let mut measures = HashMap::new();
    for m in &design.measures {
        let Some(metric) = design.metrics.get(&m.metric_id) else {
            continue;
        };
        let series = values.get(&m.metric_id).map_or(&[][..], Vec::as_slice);
        let (before, rest): (Vec<_>, Vec<_>) = series
            .iter()
            .copied()
            .partition(|(day, _)| *day < period.start);
        let in_period: Vec<_> = rest
            .into_iter()
            .filter(|(day, _)| *day <= period.end)
            .collect();
        let aggregation = match &m.aggregation {
            Some(a) => Aggregation::parse(a)?,
            None => Aggregation::parse(&metric.aggregation)?,
        };
        let value = measure_value(
            aggregation,
            MissingData::parse(&m.missing_data)?,
            &in_period,
            &before,
        );
        let (scoring, source, why) =
            scoring_in_force(design, m, metric, period, aggregation, (today, start_month))?;
        let explanation = match &scoring {
            Some(scoring) => {
                let mut e = score(scoring, value.value);
                e.text = format!("{}; {}{}", value.text, e.text, source_text(&source));
                e
            }
            None => unconfigured(value.value, format!("{}; {why}", value.text)),
        };
        let weight = weight_of(design, period.end, |w| w.measure_id == Some(m.id))?;
        measures.insert(
            m.id,
            MeasureScore {
                value,
                scoring,
                source,
                explanation,
                weight,
            },
        );
    }
    let mut objectives = HashMap::new();
    for o in &design.objectives {
        let children: Vec<Child> = design
            .measures
            .iter()
            .filter(|m| m.objective_id == o.id)
            .filter_map(|m| {
                let scored = measures.get(&m.id)?;
                let metric = design.metrics.get(&m.metric_id)?;
                let kind = IndicatorKind::parse(&metric.indicator_kind).ok()?;
                Some(Child::measure(
                    &metric.name,
                    scored.weight,
                    scored.explanation.score,
                    kind,
                ))
            })
            .collect();
        // Initiatives that count: a leading child each, scored by schedule
        // at the period's end (or today, while it runs).
        let mut children = children;
        for (i, _) in design
            .scored_initiatives
            .iter()
            .filter(|(_, served)| served.contains(&o.id))
        {
            let health = super::initiatives::health(i, &[], period.end.min(today));
            children.push(Child {
                name: format!("initiative {}", i.title),
                weight: Decimal::ONE,
                score: Some(health.score),
                leading: Some(health.score),
                lagging: None,
            });
        }
        // Objectives below that count here: a child each, weight 1, with
        // their own leading and lagging scores.
        for c in design
            .contributors
            .iter()
            .filter(|c| c.objective_id == o.id)
        {
            let score = contributed.get(&c.contributor.id);
            children.push(Child {
                name: format!("contributor {}", c.contributor.title),
                weight: Decimal::ONE,
                score: score.and_then(|s| s.roll_up.score.score),
                leading: score.and_then(|s| s.roll_up.leading.score),
                lagging: score.and_then(|s| s.roll_up.lagging.score),
            });
        }
        let weight = weight_of(design, period.end, |w| w.objective_id == Some(o.id))?;
        objectives.insert(
            o.id,
            NodeScore {
                roll_up: roll_up_children(&children),
                weight,
            },
        );
    }
    let mut perspectives = HashMap::new();
    for p in &design.perspectives {
        let children: Vec<Child> = design
            .objectives
            .iter()
            .filter(|o| o.perspective_id == p.id && o.status == Status::Active.as_str())
            .filter_map(|o| objectives.get(&o.id).map(|s| node_child(&o.title, s)))
            .collect();
        let weight = weight_of(design, period.end, |w| {
            w.scorecard_id == Some(design.scorecard.id) && w.perspective_id == Some(p.id)
        })?;
        perspectives.insert(
            p.id,
            NodeScore {
                roll_up: roll_up_children(&children),
                weight,
            },
        );
    }
    let children: Vec<Child> = design
        .perspectives
        .iter()
        .filter(|p| p.status == Status::Active.as_str())
        .filter_map(|p| perspectives.get(&p.id).map(|s| node_child(&p.name, s)))
        .collect();
    Ok(PeriodScores {
        period: period.clone(),
        measures,
        objectives,
        perspectives,
        scorecard: roll_up_children(&children),
    })
}

fn node_child(name: &str, node: &NodeScore) -> Child {
    Child {
        name: name.to_string(),
        weight: node.weight,
        score: node.roll_up.score.score,
        leading: node.roll_up.leading.score,
        lagging: node.roll_up.lagging.score,
    }
}

fn source_text(source: &ThresholdSource) -> &'static str {
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
    metric: &metric::Model,
    aggregation: Aggregation,
    period: &Period,
    today: NaiveDate,
    start_month: u32,
) -> DomainResult<Decimal> {
    if aggregation != Aggregation::Sum {
        return Ok(Decimal::ONE);
    }
    let own = period_kind(MetricFrequency::parse(&metric.frequency)?);
    if own == period.kind || rank(own) >= rank(period.kind) {
        return Ok(Decimal::ONE);
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
    Ok(Decimal::from(count.max(1)))
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
    m: &measure::Model,
    metric: &metric::Model,
    period: &Period,
    aggregation: Aggregation,
    (today, start_month): (NaiveDate, u32),
) -> DomainResult<(Option<Scoring>, ThresholdSource, String)> {
    let kind = ScoringType::parse(&m.scoring_type)?;
    match kind {
        ScoringType::YesNo => {
            return Ok((Some(Scoring::YesNo), ThresholdSource::None, String::new()));
        }
        ScoringType::Unscored => {
            return Ok((
                Some(Scoring::Unscored),
                ThresholdSource::None,
                String::new(),
            ));
        }
        _ => {}
    }
    let times = periods_counted(metric, aggregation, period, today, start_month)?;
    let own = design
        .thresholds
        .get(&m.id)
        .into_iter()
        .flatten()
        .find(|t| in_force(t.valid_from, t.valid_to, period.end));
    if let Some(row) = own {
        return Ok((
            Some(scaled(scoring_of(kind, row)?, times)),
            ThresholdSource::Measure,
            String::new(),
        ));
    }
    if kind == ScoringType::Bands {
        return Ok((
            None,
            ThresholdSource::None,
            format!(
                "no bands are in force for {}: blank, left out of roll-ups",
                period.label
            ),
        ));
    }
    let rows = design
        .targets
        .get(&m.metric_id)
        .map_or(&[][..], Vec::as_slice);
    // The scorecard's unit's own target first, then the tenant's.
    let in_force_for = |unit: Option<Uuid>| {
        rows.iter()
            .filter(|r| r.org_unit_id == unit)
            .find(|r| in_force(Some(r.valid_from), r.valid_to, period.end))
    };
    let row = design
        .scorecard
        .org_unit_id
        .and_then(|unit| in_force_for(Some(unit)))
        .or_else(|| in_force_for(None));
    let target: Option<DatedTarget> = row.map(dated).transpose()?;
    let Some(target) = target else {
        return Ok((
            None,
            ThresholdSource::None,
            format!(
                "no thresholds on the measure and no target on {} in force for {}: blank, left out of roll-ups",
                metric.name, period.label
            ),
        ));
    };
    let direction = MetricDirection::parse(&metric.direction)?;
    match from_target(kind, &target, direction) {
        Ok(scoring) => Ok((
            Some(scaled(scoring, times)),
            ThresholdSource::MetricTarget,
            String::new(),
        )),
        Err(why) => Ok((
            None,
            ThresholdSource::None,
            format!("{why}: blank, left out of roll-ups"),
        )),
    }
}

/// A goal and red flag (or a stabilize range) from a metric's target: the
/// goal is the target's, the red flag lies the warning margin past it on
/// the bad side (or, for a move from `start`, at the start).
fn from_target(
    kind: ScoringType,
    target: &DatedTarget,
    direction: MetricDirection,
) -> Result<Scoring, String> {
    let t = &target.target;
    let margin = target.warning_margin;
    match kind {
        ScoringType::GoalRedFlag => {
            let goal = match t.kind {
                TargetKind::Milestone => Decimal::ONE,
                TargetKind::WithinRange => {
                    return Err(
                        "the metric's target is a range: score the measure STABILIZE, or set its goal and red flag"
                            .into(),
                    );
                }
                _ => t.target.ok_or("the metric's target has no goal")?,
            };
            let lower_is_better = matches!(t.kind, TargetKind::DecreaseTo | TargetKind::StayAtOrBelow)
                || direction == MetricDirection::LowerIsBetter;
            let red_flag = match (margin, t.start, t.kind) {
                (_, _, TargetKind::Milestone) => Decimal::ZERO,
                (Some(m), _, _) if lower_is_better => goal + m,
                (Some(m), _, _) => goal - m,
                (None, Some(start), TargetKind::IncreaseTo | TargetKind::DecreaseTo) => start,
                _ => {
                    return Err(
                        "the metric's target has no warning margin to place a red flag: give its target one, or set the measure's red flag"
                            .into(),
                    );
                }
            };
            if red_flag == goal {
                return Err("the metric's target puts the red flag on the goal".into());
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
                "the metric's range target has no warning margin to place the red flags: give it one, or set the measure's thresholds"
                    .into(),
            ),
            _ => Err(
                "the metric's target is not a range: a STABILIZE measure needs its own thresholds"
                    .into(),
            ),
        },
        _ => Err("no thresholds".into()),
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
    /// Every weight of the scorecard's nodes.
    pub fn weight_rows(&self) -> &[weight::Model] {
        &self.weights
    }

    /// A measure's thresholds, earliest first.
    pub fn threshold_rows(&self, measure: Uuid) -> &[threshold::Model] {
        self.thresholds.get(&measure).map_or(&[], Vec::as_slice)
    }
}
