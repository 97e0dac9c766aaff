//! What the OKR framework puts in the exceptions feed, for the running
//! cycles (today within their dates, not closed) and their active
//! objectives: key results off track or at risk, key results whose check-ins
//! stopped, and objectives no one has checked in on yet. Only objectives the
//! viewer may see count (a private objective's key results never reach a
//! peer), and explanations leave out private contributions the viewer may
//! not see. A constant number of statements: the running cycles, their
//! scores (shared across requests while nothing moved), the visible
//! objectives and their key results, narrow, and the private contributions'
//! visibility when there are any.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
use throughline_domain::kit::{
    DomainResult, Exception, ExceptionExplanation, ExceptionWindow, ExplanationInput, Placement,
    Severity, TenantScope, today_in,
};
use uuid::Uuid;

use super::score_cache::cycle_scores;
use super::visibility::visible_objectives;
use crate::entity::{cycle, key_result, objective};
use crate::model::{CycleStatus, KeyResultStatus, Level, ObjectiveStatus};
use crate::scoring::{Health, private_objectives};

type ObjectiveRow = (
    Uuid,
    Uuid,
    String,
    Uuid,
    Option<Uuid>,
    String,
    chrono::DateTime<chrono::Utc>,
);
type KeyResultRow = (
    Uuid,
    Uuid,
    String,
    Uuid,
    Option<NaiveDate>,
    chrono::DateTime<chrono::Utc>,
);

fn after_days(day: NaiveDate, days: i64) -> NaiveDate {
    day.checked_add_days(Days::new(days.max(0) as u64))
        .unwrap_or(day)
}

fn percent(fraction: rust_decimal::Decimal) -> String {
    (fraction * rust_decimal::Decimal::ONE_HUNDRED)
        .round_dp(0)
        .normalize()
        .to_string()
}

pub async fn exceptions(
    scope: &TenantScope,
    window: &ExceptionWindow,
) -> DomainResult<Vec<Exception>> {
    let today = window.today;
    let running: Vec<(Uuid, NaiveDate)> = scope
        .select::<cycle::Entity>()
        .select_only()
        .column(cycle::Column::Id)
        .column(cycle::Column::StartsOn)
        // Running by its dates and not closed: a cycle still marked
        // planning takes check-ins too.
        .filter(
            cycle::Column::Status
                .is_in([CycleStatus::Planning.as_str(), CycleStatus::Active.as_str()]),
        )
        .filter(cycle::Column::StartsOn.lte(today))
        .filter(cycle::Column::EndsOn.gte(today))
        .into_tuple()
        .all(scope)
        .await?;
    if running.is_empty() {
        return Ok(Vec::new());
    }
    let cycle_ids: Vec<Uuid> = running.iter().map(|(id, _)| *id).collect();
    let cycle_start: HashMap<Uuid, NaiveDate> = running.into_iter().collect();
    let settings = scope.settings::<crate::Okr>(scope).await?;
    let cadence = settings.check_in_cadence.days();
    let scores: HashMap<Uuid, _> = cycle_scores(scope, &cycle_ids).await?.into_iter().collect();
    let objectives: Vec<ObjectiveRow> = visible_objectives(scope)
        .select_only()
        .column(objective::Column::Id)
        .column(objective::Column::CycleId)
        .column(objective::Column::Title)
        .column(objective::Column::OwnerId)
        .column(objective::Column::OrgUnitId)
        .column(objective::Column::Level)
        .column(objective::Column::CreatedAt)
        .filter(objective::Column::CycleId.is_in(cycle_ids.clone()))
        .filter(objective::Column::Status.eq(ObjectiveStatus::Active.as_str()))
        .into_tuple()
        .all(scope)
        .await?;
    if objectives.is_empty() {
        return Ok(Vec::new());
    }
    let key_results: Vec<KeyResultRow> = scope
        .select::<key_result::Entity>()
        .select_only()
        .column(key_result::Column::Id)
        .column(key_result::Column::ObjectiveId)
        .column(key_result::Column::Title)
        .column(key_result::Column::OwnerId)
        .column(key_result::Column::LastCheckInOn)
        .column(key_result::Column::CreatedAt)
        .filter(
            key_result::Column::ObjectiveId.in_subquery(
                visible_objectives(scope)
                    .select_only()
                    .column(objective::Column::Id)
                    .filter(objective::Column::CycleId.is_in(cycle_ids.clone()))
                    .filter(objective::Column::Status.eq(ObjectiveStatus::Active.as_str()))
                    .into_query(),
            ),
        )
        .filter(key_result::Column::Status.eq(KeyResultStatus::Active.as_str()))
        .into_tuple()
        .all(scope)
        .await?;
    let zone = scope.tenant().time_zone.clone();
    let by_id: HashMap<Uuid, &ObjectiveRow> = objectives.iter().map(|o| (o.0, o)).collect();
    let placement = |o: &ObjectiveRow| match Level::parse(&o.5) {
        Ok(Level::Company) => Placement::Tenant,
        Ok(Level::Team) => o.4.map_or(Placement::Tenant, Placement::OrgUnit),
        _ => Placement::OwnersUnit,
    };
    let score_of = |o: &ObjectiveRow, kr: Uuid| {
        scores
            .get(&o.1)
            .and_then(|cycle| cycle.key_results.get(&kr))
            .cloned()
    };
    // Private contributions behind key results falling behind: which of
    // them the viewer may see, in one statement for all.
    let mut private: HashSet<Uuid> = HashSet::new();
    for kr in &key_results {
        if let Some(score) = by_id.get(&kr.1).and_then(|o| score_of(o, kr.0)) {
            private.extend(private_objectives(&score.contributions));
        }
    }
    let hidden: HashSet<Uuid> = if private.is_empty() {
        HashSet::new()
    } else {
        let seen: HashSet<Uuid> = visible_objectives(scope)
            .select_only()
            .column(objective::Column::Id)
            .filter(objective::Column::Id.is_in(private.iter().copied()))
            .into_tuple::<Uuid>()
            .all(scope)
            .await?
            .into_iter()
            .collect();
        private.difference(&seen).copied().collect()
    };
    let mut out = Vec::new();
    let mut checked_in: HashSet<Uuid> = HashSet::new();
    let mut has_key_results: HashSet<Uuid> = HashSet::new();
    for (id, objective_id, title, owner, last_check_in, created_at) in &key_results {
        let Some(objective) = by_id.get(objective_id) else {
            continue;
        };
        has_key_results.insert(*objective_id);
        if last_check_in.is_some() {
            checked_in.insert(*objective_id);
        }
        let Some(score) = score_of(objective, *id) else {
            continue;
        };
        let started = cycle_start
            .get(&objective.1)
            .copied()
            .unwrap_or(today)
            .max(today_in(&zone, *created_at));
        let severity = match score.health {
            Health::OffTrack => Some(Severity::Critical),
            Health::AtRisk => Some(Severity::Warning),
            Health::OnTrack | Health::NoData => None,
        };
        if let Some(severity) = severity {
            let health = if severity == Severity::Critical {
                "off track"
            } else {
                "at risk"
            };
            let derived = score.health_explanation_seen_without(&hidden);
            let mut text = String::new();
            if score.stated_health == Some(score.health)
                && score.derived_health.value != score.health
            {
                text.push_str(&format!(
                    "At its latest check-in its owner judged it {health}. "
                ));
            }
            text.push_str(&derived.text);
            let mut inputs = vec![
                ExplanationInput {
                    name: "progress".into(),
                    value: Some(score.progress.progress),
                },
                ExplanationInput {
                    name: "expected progress".into(),
                    value: Some(score.expected.value),
                },
            ];
            inputs.extend(derived.inputs);
            out.push(Exception {
                kind: "okr.key_result_behind".into(),
                severity,
                subject_type: "OkrKeyResult",
                subject_id: *id,
                title: title.clone(),
                owner_id: Some(*owner),
                placement: placement(objective),
                since: last_check_in.unwrap_or(started),
                reason: format!(
                    "{title} is {health}: {}% done, {}% expected by now",
                    percent(score.progress.progress),
                    percent(score.expected.value)
                ),
                explanation: ExceptionExplanation { text, inputs },
            });
        }
        if score.stale
            && let Some(last) = last_check_in
        {
            out.push(Exception {
                kind: "okr.key_result_stale".into(),
                severity: Severity::Warning,
                subject_type: "OkrKeyResult",
                subject_id: *id,
                title: title.clone(),
                owner_id: Some(*owner),
                placement: placement(objective),
                since: after_days(*last, cadence + 1),
                reason: format!("{title} has had no check-in since {last}"),
                explanation: ExceptionExplanation {
                    text: format!(
                        "The tenant's check-in cadence is {} ({cadence} days); the latest check-in was on {last}, {} days ago.",
                        settings.check_in_cadence.as_str().to_lowercase(),
                        (today - *last).num_days()
                    ),
                    inputs: vec![ExplanationInput {
                        name: "days since the latest check-in".into(),
                        value: Some((today - *last).num_days().into()),
                    }],
                },
            });
        }
    }
    // Objectives with key results none of which has had a check-in, once
    // a whole cadence has passed since they (or their cycle) began.
    for objective in &objectives {
        let (id, cycle_id, title, owner, _, _, created_at) = objective;
        if !has_key_results.contains(id) || checked_in.contains(id) {
            continue;
        }
        let began = cycle_start
            .get(cycle_id)
            .copied()
            .unwrap_or(today)
            .max(today_in(&zone, *created_at));
        let due = after_days(began, cadence + 1);
        if today < due {
            continue;
        }
        out.push(Exception {
            kind: "okr.objective_without_check_in".into(),
            severity: Severity::Info,
            subject_type: "OkrObjective",
            subject_id: *id,
            title: title.clone(),
            owner_id: Some(*owner),
            placement: placement(objective),
            since: due,
            reason: format!("{title} has had no check-in on any key result since {began}"),
            explanation: ExceptionExplanation {
                text: format!(
                    "None of its key results has a check-in, and the tenant's cadence ({cadence} days) has passed since {began}: its progress is not known."
                ),
                inputs: Vec::new(),
            },
        });
    }
    out.retain(|e| window.contains(e.since));
    Ok(out)
}
