//! Demo and benchmark OKRs for a seeded tenant: a generated cycle around
//! today, a company objective per strategic priority, a team objective per
//! led org unit, individual objectives for half the people, 3–4 key results
//! each, and weekly check-ins with history (some ahead, some at risk).
//! Deterministic for a given seed; bulk-inserted (a data load, not user
//! actions, so no audit entries).

// Indexes into constant tables by `i % len` or `random_range(0..len)`.
#![allow(clippy::indexing_slicing)]

use crate::service::cycles;
use rand::rngs::StdRng;
use rust_decimal::Decimal;
use std::collections::HashMap;
use throughline_domain::entity::{org_unit, person, strategic_priority};
use throughline_domain::kit::{
    DomainError, DomainResult, PersonStatus, Target, TargetKind, TenantScope, fiscal_year,
    to_stored,
};
use uuid::Uuid;

use chrono::{Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder, Set};

use crate::entity::{alignment, check_in, cycle, key_result, objective};
use crate::model::{
    CheckInSource, CycleStatus, KeyResultProgressSource, KeyResultStatus, Level, ObjectiveStatus,
};
use crate::scoring::{ProgressDriver, derive_key_result_health, expected_progress};

const TEAM_TITLES: &[&str] = &[
    "Ship the {unit} roadmap without surprises",
    "Make {unit} the team others want to work with",
    "Cut the time {unit} takes to deliver",
    "Raise the quality of everything {unit} ships",
];
const INDIVIDUAL_TITLES: &[&str] = &[
    "Grow my expertise where the team needs it most",
    "Deliver my part of the quarter's big bet",
    "Make our customers' first month effortless",
    "Automate the work nobody should do by hand",
    "Coach a colleague to their next level",
    "Close the gaps in our documentation",
];
const KR_TITLES: &[(&str, TargetKind, f64, f64)] = &[
    (
        "Increase qualified pipeline",
        TargetKind::IncreaseTo,
        400.0,
        700.0,
    ),
    (
        "Raise customer satisfaction score",
        TargetKind::IncreaseTo,
        7.2,
        8.5,
    ),
    (
        "Reduce average response time (hours)",
        TargetKind::DecreaseTo,
        12.0,
        4.0,
    ),
    (
        "Launch the new onboarding flow",
        TargetKind::Milestone,
        0.0,
        1.0,
    ),
    (
        "Ship features customers asked for",
        TargetKind::IncreaseTo,
        0.0,
        8.0,
    ),
    ("Cut open critical bugs", TargetKind::DecreaseTo, 25.0, 5.0),
    (
        "Keep uptime at or above 99.9%",
        TargetKind::StayAtOrAbove,
        0.0,
        99.9,
    ),
    ("Run customer interviews", TargetKind::IncreaseTo, 0.0, 20.0),
];

fn d(value: f64) -> Decimal {
    Decimal::from_f64_retain(value)
        .unwrap_or_default()
        .round_dp(2)
        .normalize()
}

struct Planned {
    objective: objective::Model,
    key_results: Vec<(key_result::Model, f64)>,
}

fn plan_key_results(
    rng: &mut StdRng,
    objective: &objective::Model,
    count: usize,
    now: chrono::DateTime<Utc>,
) -> Vec<(key_result::Model, f64)> {
    (0..count)
        .map(|i| {
            let (title, kind, start, target) = KR_TITLES[rng.random_range(0..KR_TITLES.len())];
            let target_model = match kind {
                TargetKind::StayAtOrAbove => Target {
                    kind,
                    start: None,
                    target: Some(d(target)),
                    lower: None,
                    upper: None,
                    unit: Some("%".into()),
                },
                TargetKind::Milestone => Target {
                    kind,
                    start: None,
                    target: None,
                    lower: None,
                    upper: None,
                    unit: None,
                },
                _ => Target {
                    kind,
                    start: Some(d(start)),
                    target: Some(d(target)),
                    lower: None,
                    upper: None,
                    unit: None,
                },
            };
            // How fast this key result moves: most on course, some behind.
            let pace = match rng.random_range(0..20) {
                0 => 0.2,
                1..=4 => 0.6,
                _ => rng.random_range(0.85..1.2),
            };
            let model = key_result::Model {
                id: Uuid::now_v7(),
                tenant_id: objective.tenant_id,
                objective_id: objective.id,
                title: if i == 0 {
                    title.to_string()
                } else {
                    format!("{title} ({})", i + 1)
                },
                owner_id: objective.owner_id,
                target_kind: target_model.kind.as_str().into(),
                start_value: target_model.start.map(to_stored),
                target_value: target_model.target.map(to_stored),
                lower_value: None,
                upper_value: None,
                unit: target_model.unit.clone(),
                weight: "1".into(),
                status: KeyResultStatus::Active.as_str().into(),
                current_value: target_model.start.map(to_stored),
                metric_id: None,
                grade: None,
                // Seeded key results run the whole cycle.
                starts_on: None,
                due_on: None,
                progress_source: KeyResultProgressSource::Target.as_str().into(),
                last_check_in_id: None,
                last_check_in_on: None,
                last_stated_status: None,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            (model, pace)
        })
        .collect()
}

fn value_at(kr: &key_result::Model, share: f64, pace: f64, rng: &mut StdRng) -> Decimal {
    let start: f64 = kr
        .start_value
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let target: f64 = kr
        .target_value
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    match kr.target_kind.as_str() {
        "MILESTONE" => Decimal::from(u8::from(share * pace > 0.8)),
        // Uptime in %: kept most weeks, slipping now and then.
        "STAY_AT_OR_ABOVE" => d(if rng.random_range(0..10) == 0 {
            target - rng.random_range(0.05..0.5)
        } else {
            target + rng.random_range(0.0..0.09)
        }),
        _ => d(start
            + (target - start) * (share * pace).min(1.0)
            + rng.random_range(-0.02..0.02) * (target - start).abs()),
    }
}

pub async fn seed(scope: &TenantScope, seed: u64) -> DomainResult<()> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x6f6b72);
    let today = scope.today();
    let now = Utc::now();
    let fy = fiscal_year(today, scope.tenant().fiscal_year_start_month as u32);
    cycles::generate(scope, fy).await?;
    let current = scope
        .select::<cycle::Entity>()
        .filter(cycle::Column::StartsOn.lte(today))
        .filter(cycle::Column::EndsOn.gte(today))
        .order_by_desc(cycle::Column::StartsOn)
        .one(scope)
        .await?
        .ok_or_else(|| DomainError::Internal("no generated cycle holds today".into()))?;
    if scope
        .select::<objective::Entity>()
        .filter(objective::Column::CycleId.eq(current.id))
        .one(scope)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let people = scope
        .select::<person::Entity>()
        .filter(person::Column::Status.eq(PersonStatus::Active.as_str()))
        .order_by_asc(person::Column::ExternalId)
        .all(scope)
        .await?;
    let units = scope
        .select::<org_unit::Entity>()
        .order_by_asc(org_unit::Column::Name)
        .all(scope)
        .await?;
    let priorities = scope
        .select::<strategic_priority::Entity>()
        .order_by_asc(strategic_priority::Column::Position)
        .all(scope)
        .await?;
    let Some(ceo) = people.iter().find(|p| p.manager_id.is_none()) else {
        return Ok(());
    };
    let base = |cycle_id: Uuid,
                title: String,
                level: Level,
                owner: Uuid,
                unit: Option<Uuid>,
                private: bool| objective::Model {
        id: Uuid::now_v7(),
        tenant_id: scope.tenant_id(),
        cycle_id,
        title,
        description: None,
        level: level.as_str().into(),
        owner_id: owner,
        org_unit_id: unit,
        status: ObjectiveStatus::Active.as_str().into(),
        private,
        weight: "1".into(),
        progress_driver: ProgressDriver::KeyResults.as_str().into(),
        grade: None,
        graded_at: None,
        graded_by_person_id: None,
        self_score: None,
        self_score_note: None,
        self_scored_at: None,
        self_scored_by_person_id: None,
        self_score_confirmed_at: None,
        self_score_confirmed_by_person_id: None,
        closing_note: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let mut planned: Vec<Planned> = Vec::new();
    let mut links: Vec<alignment::ActiveModel> = Vec::new();
    let link = |child: Uuid, parent: Option<Uuid>, priority: Option<Uuid>| alignment::ActiveModel {
        id: Set(Uuid::now_v7()),
        objective_id: Set(child),
        parent_objective_id: Set(parent),
        parent_key_result_id: Set(None),
        priority_id: Set(priority),
        created_at: Set(now),
        ..Default::default()
    };
    let mut company_by_owner: HashMap<Uuid, Uuid> = HashMap::new();
    let mut company_ids = Vec::new();
    for priority in &priorities {
        let owner = priority.owner_id.unwrap_or(ceo.id);
        let o = base(
            current.id,
            priority.title.clone(),
            Level::Company,
            owner,
            None,
            false,
        );
        links.push(link(o.id, None, Some(priority.id)));
        company_by_owner.insert(owner, o.id);
        company_ids.push(o.id);
        let krs = plan_key_results(&mut rng, &o, 3, now);
        planned.push(Planned {
            objective: o,
            key_results: krs,
        });
    }
    let mut team_by_unit: HashMap<Uuid, Uuid> = HashMap::new();
    for (index, unit) in units.iter().enumerate() {
        let (Some(head), Some(_)) = (unit.head_person_id, unit.parent_id) else {
            continue;
        };
        let title = TEAM_TITLES[index % TEAM_TITLES.len()].replace("{unit}", &unit.name);
        let o = base(current.id, title, Level::Team, head, Some(unit.id), false);
        let parent = company_by_owner
            .get(&head)
            .copied()
            .or_else(|| company_ids.get(index % company_ids.len().max(1)).copied());
        if let Some(parent) = parent {
            links.push(link(o.id, Some(parent), None));
        }
        team_by_unit.insert(unit.id, o.id);
        let krs = plan_key_results(&mut rng, &o, 3, now);
        planned.push(Planned {
            objective: o,
            key_results: krs,
        });
    }
    let parent_unit: HashMap<Uuid, Option<Uuid>> =
        units.iter().map(|u| (u.id, u.parent_id)).collect();
    for (index, person) in people
        .iter()
        .enumerate()
        .filter(|(i, p)| i % 2 == 1 && p.manager_id.is_some())
    {
        let title = INDIVIDUAL_TITLES[index % INDIVIDUAL_TITLES.len()].to_string();
        let private = rng.random_range(0..10) == 0;
        let o = base(
            current.id,
            title,
            Level::Individual,
            person.id,
            person.org_unit_id,
            private,
        );
        let mut unit = person.org_unit_id;
        while let Some(u) = unit {
            if let Some(team) = team_by_unit.get(&u) {
                links.push(link(o.id, Some(*team), None));
                break;
            }
            unit = parent_unit.get(&u).copied().flatten();
        }
        let count = rng.random_range(3..=4);
        let krs = plan_key_results(&mut rng, &o, count, now);
        planned.push(Planned {
            objective: o,
            key_results: krs,
        });
    }

    let okr_settings = scope.settings::<crate::Okr>(scope).await?;
    let mut check_ins: Vec<check_in::ActiveModel> = Vec::new();
    let mut key_results: Vec<key_result::ActiveModel> = Vec::new();
    let weeks: Vec<NaiveDate> = (1..)
        .map(|w| current.starts_on + Duration::days(7 * w))
        .take_while(|day| *day <= today)
        .collect();
    for plan in &planned {
        for (kr, pace) in &plan.key_results {
            let target = crate::service::scores::target_of(kr)?;
            let mut before = kr
                .current_value
                .as_deref()
                .map(throughline_domain::decimal::from_stored)
                .transpose()?;
            let mut kr = kr.clone();
            let mut last: Option<(Uuid, NaiveDate, Option<String>)> = None;
            for day in &weeks {
                let share = expected_progress(current.starts_on, current.ends_on, *day).value;
                let share: f64 = share.to_string().parse().unwrap_or(0.0);
                let value = value_at(&kr, share, *pace, &mut rng);
                let progress_before = target.progress(before).progress;
                let progress_after = target.progress(Some(value)).progress;
                let derived = derive_key_result_health(
                    target.kind,
                    progress_after,
                    d(share),
                    okr_settings.on_track_tolerance,
                    okr_settings.at_risk_tolerance,
                );
                let stated =
                    (rng.random_range(0..4) == 0).then(|| derived.value.as_str().to_string());
                let id = Uuid::now_v7();
                last = Some((id, *day, stated.clone()));
                check_ins.push(check_in::ActiveModel {
                    id: Set(id),
                    key_result_id: Set(kr.id),
                    value: Set(to_stored(value)),
                    value_before: Set(before.map(to_stored)),
                    progress_before: Set(to_stored(progress_before)),
                    progress_after: Set(to_stored(progress_after)),
                    confidence: Set(Some(rng.random_range(3..=9))),
                    stated_status: Set(stated),
                    derived_status: Set(derived.value.as_str().into()),
                    note: Set(None),
                    author_user_id: Set(None),
                    author_person_id: Set(Some(kr.owner_id)),
                    as_of: Set(*day),
                    source: Set(CheckInSource::Manual.as_str().into()),
                    late: Set(false),
                    created_at: Set(now - Duration::days((today - *day).num_days())),
                    ..Default::default()
                });
                before = Some(value);
            }
            kr.current_value = before.map(to_stored);
            if let Some((id, day, stated)) = last {
                kr.last_check_in_id = Some(id);
                kr.last_check_in_on = Some(day);
                kr.last_stated_status = stated;
            }
            key_results.push(key_result::ActiveModel::from(kr).reset_all());
        }
    }
    let tx = scope.begin().await?;
    let objectives: Vec<objective::ActiveModel> = planned
        .iter()
        .map(|p| objective::ActiveModel::from(p.objective.clone()).reset_all())
        .collect();
    for chunk in objectives.chunks(300) {
        tx.insert_many(chunk.to_vec()).await?;
    }
    for chunk in key_results.chunks(300) {
        tx.insert_many(chunk.to_vec()).await?;
    }
    for chunk in links.chunks(500) {
        tx.insert_many(chunk.to_vec()).await?;
    }
    for chunk in check_ins.chunks(300) {
        tx.insert_many(chunk.to_vec()).await?;
    }
    tx.update::<cycle::Entity>()
        .col_expr(cycle::Column::Status, CycleStatus::Active.as_str().into())
        // The figures moved: cached scores of this cycle are out of date.
        .col_expr(
            cycle::Column::ScoresRevision,
            sea_orm::sea_query::ExprTrait::add(
                sea_orm::sea_query::Expr::col(cycle::Column::ScoresRevision),
                1,
            ),
        )
        .filter(cycle::Column::Id.eq(current.id))
        .exec()
        .await?;
    tx.commit().await?;
    Ok(())
}
