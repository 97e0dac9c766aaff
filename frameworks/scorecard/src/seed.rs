//! Demo and benchmark scorecards for a seeded tenant: the company's at the
//! root org unit and one per top-level unit, each 4 perspectives × 5
//! objectives × 5 measures on the tenant's metrics (lagging metrics for the
//! Financial and Customer perspectives, leading ones for Internal Process
//! and Learning & Growth, as the balanced scorecard reads cause and
//! effect), thresholds set just above each metric's latest values (so the
//! latest months show every colour) with last year's goals easier,
//! date-ranged weights, a strategy map from Learning & Growth up to
//! Financial, initiatives, and last month's commentary. Deterministic for
//! a given seed; bulk-inserted (a data load, not user actions, so no audit
//! entries).

// Indexes into constant tables by `i % len`.
#![allow(clippy::indexing_slicing)]

use std::collections::HashMap;

use chrono::{Datelike, Duration, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use throughline_domain::entity::{metric, metric_value, org_unit, person, strategic_priority};
use throughline_domain::kit::{
    DomainResult, IndicatorKind, MetricDirection, TenantScope, from_stored, period_containing,
    to_stored,
};
use uuid::Uuid;

use crate::entity::{
    commentary, initiative, initiative_objective, link, measure, milestone, objective, perspective,
    scorecard, threshold, weight,
};
use crate::model::Status;
use crate::scoring::{MissingData, ScoringType};
use crate::service::initiatives::InitiativeStatus;

/// Objectives per perspective, in the default perspectives' order.
const OBJECTIVES: [[&str; 5]; 4] = [
    [
        "Grow recurring revenue",
        "Improve gross margin",
        "Expand in the mid-market",
        "Raise revenue per customer",
        "Keep spend within plan",
    ],
    [
        "Delight our customers",
        "Keep the customers we win",
        "Shorten time to first value",
        "Be easy to buy from",
        "Win back lost accounts",
    ],
    [
        "Ship faster and more safely",
        "Build pipeline that converts",
        "Make onboarding effortless",
        "Automate repetitive work",
        "Raise quality at the source",
    ],
    [
        "Grow great people",
        "Hire well and quickly",
        "Grow leaders from within",
        "Share knowledge across teams",
        "Invest in our tools",
    ],
];

const MEASURES_PER_OBJECTIVE: usize = 5;

const INITIATIVES: &[(&str, InitiativeStatus, i32, &str, &str)] = &[
    (
        "Launch the partner programme",
        InitiativeStatus::OnTrack,
        55,
        "120000",
        "61000",
    ),
    (
        "Rebuild onboarding around the first week",
        InitiativeStatus::AtRisk,
        30,
        "80000",
        "86500",
    ),
    (
        "Leadership academy",
        InitiativeStatus::NotStarted,
        0,
        "45000",
        "0",
    ),
];

/// A metric's recent level: the median of its last three values, so goals
/// sit just above where it stands now and the months before show the climb.
fn recent_level(values: &[Decimal]) -> Option<Decimal> {
    let mut recent: Vec<Decimal> = values.iter().rev().take(3).copied().collect();
    recent.sort();
    recent.get(recent.len() / 2).copied()
}

fn scaled(level: Decimal, percent: i64) -> String {
    to_stored((level * Decimal::new(percent, 2)).round_dp(2).normalize())
}

/// Grows the tenant's scorecards, once (a tenant with scorecards is left alone).
pub async fn seed(scope: &TenantScope, seed: u64) -> DomainResult<()> {
    if scope.select::<scorecard::Entity>().exists(scope).await? {
        return Ok(());
    }
    let perspectives = scope
        .select::<perspective::Entity>()
        .filter(perspective::Column::Status.eq(Status::Active.as_str()))
        .order_by_asc(perspective::Column::Position)
        .all(scope)
        .await?;
    let metrics = scope
        .select::<metric::Entity>()
        .order_by_asc(metric::Column::Name)
        .all(scope)
        .await?;
    if perspectives.len() < 4 || metrics.is_empty() {
        return Ok(());
    }
    let mut series: HashMap<Uuid, Vec<Decimal>> = HashMap::new();
    for (metric_id, value) in scope
        .select::<metric_value::Entity>()
        .order_by_asc(metric_value::Column::PeriodStart)
        .all(scope)
        .await?
        .into_iter()
        .map(|v| (v.metric_id, v.value))
    {
        series
            .entry(metric_id)
            .or_default()
            .push(from_stored(&value)?);
    }
    let (lagging, leading): (Vec<&metric::Model>, Vec<&metric::Model>) = metrics
        .iter()
        .filter(|m| series.contains_key(&m.id))
        .partition(|m| m.indicator_kind == IndicatorKind::Lagging.as_str());
    let pool = |p: usize| -> Vec<&metric::Model> {
        let preferred = if p < 2 { &lagging } else { &leading };
        if preferred.is_empty() {
            metrics.iter().collect()
        } else {
            preferred.clone()
        }
    };
    let units = scope
        .select::<org_unit::Entity>()
        .order_by_asc(org_unit::Column::Name)
        .all(scope)
        .await?;
    let Some(root) = units.iter().find(|u| u.parent_id.is_none()) else {
        return Ok(());
    };
    let mut cards: Vec<&org_unit::Model> = vec![root];
    cards.extend(units.iter().filter(|u| u.parent_id == Some(root.id)));
    let priorities = scope
        .select::<strategic_priority::Entity>()
        .order_by_asc(strategic_priority::Column::Id)
        .all(scope)
        .await?;
    let people = scope
        .select::<person::Entity>()
        .order_by_asc(person::Column::Id)
        .limit(40)
        .all(scope)
        .await?;

    let now = Utc::now();
    let today = scope.today();
    let start_month = scope.tenant().fiscal_year_start_month.clamp(1, 12) as u32;
    let last_month = period_containing(
        throughline_domain::kit::PeriodKind::Month,
        today - Duration::days(i64::from(today.day())),
        start_month,
    );
    // Last year's goals were easier: thresholds change a year ago.
    let year_ago = today - Duration::days(365);
    let half_year_ago = today - Duration::days(182);
    let mut scorecards = Vec::new();
    let mut objectives = Vec::new();
    let mut measures = Vec::new();
    let mut thresholds = Vec::new();
    let mut weights = Vec::new();
    let mut links = Vec::new();
    let mut commentaries = Vec::new();
    let mut company_objectives: Vec<Uuid> = Vec::new();
    for (c, unit) in cards.iter().enumerate() {
        let card_id = Uuid::now_v7();
        let title = if c == 0 {
            "Company scorecard".to_string()
        } else {
            format!("{} scorecard", unit.name)
        };
        scorecards.push(scorecard::ActiveModel {
            id: Set(card_id),
            title: Set(title),
            org_unit_id: Set(Some(unit.id)),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        });
        // Financial counts twice until half a year ago, three times since.
        for (valid_from, valid_to, value) in [
            (None, Some(half_year_ago), "2"),
            (Some(half_year_ago + Duration::days(1)), None, "3"),
        ] {
            weights.push(weight::ActiveModel {
                id: Set(Uuid::now_v7()),
                scorecard_id: Set(Some(card_id)),
                perspective_id: Set(Some(perspectives[0].id)),
                weight: Set(value.into()),
                valid_from: Set(valid_from),
                valid_to: Set(valid_to),
                created_at: Set(now),
                ..Default::default()
            });
        }
        let mut grid: Vec<[Uuid; 5]> = Vec::new();
        for (p, titles) in OBJECTIVES.iter().enumerate() {
            let pool = pool(p);
            let mut row = [Uuid::nil(); 5];
            for (o, title) in titles.iter().enumerate() {
                let objective_id = Uuid::now_v7();
                row[o] = objective_id;
                // Five different metrics: the perspective's own kind first,
                // in turn, then the others.
                let start = o + c + seed as usize;
                let chosen: Vec<&metric::Model> = (0..pool.len())
                    .map(|k| pool[(start + k) % pool.len()])
                    .chain(
                        metrics
                            .iter()
                            .filter(|m| series.contains_key(&m.id))
                            .filter(|m| !pool.iter().any(|p| p.id == m.id))
                            .cycle()
                            .skip(start),
                    )
                    .take(MEASURES_PER_OBJECTIVE)
                    .collect();
                let first_metric = chosen[0];
                let owner = first_metric.owner_id.or(unit.head_person_id).or_else(|| {
                    people
                        .get((p * 5 + o + c) % people.len().max(1))
                        .map(|p| p.id)
                });
                objectives.push(objective::ActiveModel {
                    id: Set(objective_id),
                    scorecard_id: Set(card_id),
                    perspective_id: Set(perspectives[p].id),
                    title: Set((*title).to_string()),
                    description: Set(None),
                    owner_id: Set(owner),
                    priority_id: Set(priorities.get(p % priorities.len().max(1)).map(|p| p.id)),
                    status: Set(Status::Active.as_str().into()),
                    position: Set((p * 5 + o) as i32 + 1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                    ..Default::default()
                });
                if c == 0 {
                    company_objectives.push(objective_id);
                }
                if o == 0 && (p + c) % 2 == 0 {
                    commentaries.push(commentary::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        objective_id: Set(Some(objective_id)),
                        measure_id: Set(None),
                        period_kind: Set("MONTH".into()),
                        period_start: Set(last_month.start),
                        analysis: Set(format!(
                            "{title}: {} moved with the season; the trend since spring holds.",
                            first_metric.name
                        )),
                        recommendations: Set(Some(
                            "Keep the current plan; review the thresholds at the next quarterly review."
                                .into(),
                        )),
                        author_person_id: Set(owner),
                        author_user_id: Set(None),
                        created_at: Set(now),
                        updated_at: Set(now),
                        version: Set(1),
                        ..Default::default()
                    });
                }
                for (j, metric) in chosen.iter().enumerate() {
                    let measure_id = Uuid::now_v7();
                    let Some(level) = series.get(&metric.id).and_then(|s| recent_level(s)) else {
                        continue;
                    };
                    let range = metric.direction == MetricDirection::TargetRange.as_str();
                    let lower_is_better =
                        metric.direction == MetricDirection::LowerIsBetter.as_str();
                    let scoring = if range {
                        ScoringType::Stabilize
                    } else {
                        ScoringType::GoalRedFlag
                    };
                    measures.push(measure::ActiveModel {
                        id: Set(measure_id),
                        objective_id: Set(objective_id),
                        metric_id: Set(metric.id),
                        scoring_type: Set(scoring.as_str().into()),
                        missing_data: Set(if j == 1 {
                            MissingData::CarryForward.as_str().into()
                        } else {
                            MissingData::Blank.as_str().into()
                        }),
                        aggregation: Set(None),
                        position: Set(j as i32 + 1),
                        created_at: Set(now),
                        updated_at: Set(now),
                        version: Set(1),
                        ..Default::default()
                    });
                    // Goals a little above the recent level (below, for
                    // lower-is-better), varied by measure; a year ago, easier.
                    let stretch = 101 + ((o + j + c) % 4) as i64;
                    let flag = stretch - 5;
                    for (valid_from, valid_to, ease) in [
                        (None, Some(year_ago), 4),
                        (Some(year_ago + Duration::days(1)), None, 0),
                    ] {
                        let (goal, red_flag, goal_high, red_flag_high) = if range {
                            (
                                scaled(level, 97 - ease),
                                scaled(level, 93 - ease),
                                Some(scaled(level, 103 + ease)),
                                Some(scaled(level, 107 + ease)),
                            )
                        } else if lower_is_better {
                            (
                                scaled(level, 200 - stretch + ease),
                                scaled(level, 200 - flag + ease),
                                None,
                                None,
                            )
                        } else {
                            (
                                scaled(level, stretch - ease),
                                scaled(level, flag - ease),
                                None,
                                None,
                            )
                        };
                        thresholds.push(threshold::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            measure_id: Set(measure_id),
                            valid_from: Set(valid_from),
                            valid_to: Set(valid_to),
                            goal: Set(Some(goal)),
                            red_flag: Set(Some(red_flag)),
                            goal_high: Set(goal_high),
                            red_flag_high: Set(red_flag_high),
                            bands: Set(None),
                            created_at: Set(now),
                            ..Default::default()
                        });
                    }
                    if j == 0 {
                        weights.push(weight::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            measure_id: Set(Some(measure_id)),
                            weight: Set("2".into()),
                            valid_from: Set(None),
                            valid_to: Set(None),
                            created_at: Set(now),
                            ..Default::default()
                        });
                    }
                }
            }
            grid.push(row);
        }
        // The map reads upwards: each column's Learning & Growth objective
        // drives its Internal Process one, which drives Customer, then
        // Financial; and two cross columns: people drive onboarding,
        // delivery drives the customers kept.
        let mut pairs: Vec<(Uuid, Uuid)> = grid
            .windows(2)
            .filter_map(|pair| match pair {
                [effects, causes] => Some(causes.iter().copied().zip(effects.iter().copied())),
                _ => None,
            })
            .flatten()
            .collect();
        pairs.extend([(grid[3][0], grid[2][2]), (grid[2][0], grid[1][1])]);
        for (cause, effect) in pairs {
            links.push(link::ActiveModel {
                id: Set(Uuid::now_v7()),
                scorecard_id: Set(card_id),
                cause_id: Set(cause),
                effect_id: Set(effect),
                created_at: Set(now),
                ..Default::default()
            });
        }
    }
    let mut initiatives = Vec::new();
    let mut served = Vec::new();
    let mut milestones = Vec::new();
    for (i, (title, status, percent, budget, cost)) in INITIATIVES.iter().enumerate() {
        let id = Uuid::now_v7();
        let starts_on = today - Duration::days(60 - 20 * i as i64);
        let ends_on = today + Duration::days(90 + 30 * i as i64);
        initiatives.push(initiative::ActiveModel {
            id: Set(id),
            title: Set((*title).to_string()),
            description: Set(None),
            owner_id: Set(people.get(i).map(|p| p.id)),
            starts_on: Set(starts_on),
            ends_on: Set(ends_on),
            status: Set(status.as_str().into()),
            percent_complete: Set(*percent),
            budget: Set(Some((*budget).to_string())),
            actual_cost: Set(Some((*cost).to_string())),
            counts_toward_score: Set(i == 0),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        });
        // Serving a Learning & Growth or Internal Process objective and the
        // customer one it drives.
        for objective in [
            company_objectives.get(15 - 5 * (i % 2) + i),
            company_objectives.get(5 + i),
        ]
        .into_iter()
        .flatten()
        {
            served.push(initiative_objective::ActiveModel {
                id: Set(Uuid::now_v7()),
                initiative_id: Set(id),
                objective_id: Set(*objective),
                ..Default::default()
            });
        }
        for (m, (step, due)) in [
            ("Plan agreed", starts_on + Duration::days(14)),
            ("Pilot", today - Duration::days(3)),
            ("Rollout", ends_on),
        ]
        .into_iter()
        .enumerate()
        {
            milestones.push(milestone::ActiveModel {
                id: Set(Uuid::now_v7()),
                initiative_id: Set(id),
                title: Set(step.into()),
                due_on: Set(due.max(starts_on)),
                done_on: Set((m == 0).then_some(starts_on + Duration::days(12))),
                position: Set(m as i32),
                ..Default::default()
            });
        }
    }
    let tx = scope.begin().await?;
    // In slices: SQLite binds at most 32,766 parameters per statement.
    macro_rules! load {
        ($($rows:expr),+) => {$(
            for chunk in $rows.chunks(500) {
                tx.insert_many(chunk.to_vec()).await?;
            }
        )+};
    }
    load!(
        scorecards,
        objectives,
        measures,
        thresholds,
        weights,
        links,
        commentaries,
        initiatives,
        served,
        milestones
    );
    crate::service::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recent_level_is_the_median_of_the_last_three_values() {
        let values: Vec<Decimal> = [5, 1, 9, 30, 7, 8].map(Decimal::from).to_vec();
        assert_eq!(recent_level(&values), Some(Decimal::from(8)));
        assert_eq!(recent_level(&[]), None);
        assert_eq!(scaled(Decimal::from(200), 103), "206");
    }
}
