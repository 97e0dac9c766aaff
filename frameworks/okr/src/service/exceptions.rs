//! What the OKR framework puts in the exceptions feed, for the running
//! cycles (today within their dates, not closed) and their active
//! objectives: key results off track or at risk, key results whose check-ins
//! stopped, and objectives no one has checked in on yet.
//!
//! The items are worked out with the cycle's scores, from the same rows,
//! and kept with them across requests (see `score_cache`): every write that
//! could change one moves the cycle's scores revision. A request then costs
//! the running cycles, their revisions and, for a viewer who is not an
//! admin, which private objectives they may see: three narrow statements
//! and no work per objective of the tenant. Only objectives the viewer may
//! see count (a private objective's key results never reach a peer), and
//! explanations leave out private contributions the viewer may not see.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{Days, NaiveDate};
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
use throughline_domain::kit::{
    DomainResult, Exception, ExceptionExplanation, ExceptionWindow, ExplanationInput, Placement,
    Severity, TenantScope, today_in,
};
use uuid::Uuid;

use super::score_cache::cycle_scores;
use super::scores::KeyResultScore;
use super::visibility::hidden_private_objectives;
use crate::entity::{cycle, key_result, objective};
use crate::model::{CycleStatus, KeyResultStatus, Level, ObjectiveStatus};
use crate::scoring::{Health, private_objectives};
use crate::settings::OkrSettings;

/// What one cycle flags, as a viewer who may see every objective sees it.
#[derive(Debug, Default)]
pub struct CycleFlags {
    /// The cycle and the cycles nested in it: the private objectives a
    /// viewer may see are looked up among theirs.
    pub cycles: Vec<Uuid>,
    pub items: Vec<Flagged>,
}

/// One item of [`CycleFlags`].
#[derive(Debug)]
pub struct Flagged {
    pub exception: Arc<Exception>,
    /// The objective it is, or whose key result it is: when private, only
    /// those who may see it see the item.
    pub objective_id: Uuid,
    pub private: bool,
    /// A key result behind because of private objectives aligned to it:
    /// its score and those objectives, to word it again for a viewer who
    /// may not see some of them.
    pub redactable: Option<(Arc<KeyResultScore>, Vec<Uuid>)>,
}

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

fn health_word(severity: Severity) -> &'static str {
    if severity == Severity::Critical {
        "off track"
    } else {
        "at risk"
    }
}

/// Why a key result is behind, leaving out the private objectives in
/// `hidden`.
fn behind_explanation(
    score: &KeyResultScore,
    severity: Severity,
    hidden: &HashSet<Uuid>,
) -> ExceptionExplanation {
    let derived = score.health_explanation_seen_without(hidden);
    let mut text = String::new();
    if score.stated_health == Some(score.health) && score.derived_health.value != score.health {
        text.push_str(&format!(
            "At its latest check-in its owner judged it {}. ",
            health_word(severity)
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
    ExceptionExplanation { text, inputs }
}

/// The rows and figures one cycle's items are worked out from.
pub struct FlagInput<'a> {
    /// The cycle, then the cycles nested in it.
    pub family: &'a [cycle::Model],
    pub settings: &'a OkrSettings,
    pub time_zone: &'a str,
    pub today: NaiveDate,
    /// The family's objectives and key results, any status.
    pub objectives: &'a [objective::Model],
    pub key_results: &'a [key_result::Model],
    pub key_result_scores: &'a HashMap<Uuid, Arc<KeyResultScore>>,
}

/// What the cycle (the family's first) flags today, whatever the window:
/// the feed filters on it per request. A cycle that is not running flags
/// nothing.
pub fn flag_cycle(input: FlagInput<'_>) -> CycleFlags {
    let mut flags = CycleFlags {
        cycles: input.family.iter().map(|c| c.id).collect(),
        items: Vec::new(),
    };
    let Some(cycle) = input.family.first() else {
        return flags;
    };
    let today = input.today;
    // Running by its dates and not closed: a cycle still marked planning
    // takes check-ins too.
    let running = [CycleStatus::Planning.as_str(), CycleStatus::Active.as_str()]
        .contains(&cycle.status.as_str())
        && cycle.starts_on <= today
        && today <= cycle.ends_on;
    if !running {
        return flags;
    }
    let cadence = input.settings.check_in_cadence.days();
    let objectives: HashMap<Uuid, &objective::Model> = input
        .objectives
        .iter()
        .filter(|o| o.cycle_id == cycle.id && o.status == ObjectiveStatus::Active.as_str())
        .map(|o| (o.id, o))
        .collect();
    let placement = |o: &objective::Model| match Level::parse(&o.level) {
        Ok(Level::Company) => Placement::Tenant,
        Ok(Level::Team) => o.org_unit_id.map_or(Placement::Tenant, Placement::OrgUnit),
        _ => Placement::OwnersUnit,
    };
    let began = |created_at| cycle.starts_on.max(today_in(input.time_zone, created_at));
    let mut checked_in: HashSet<Uuid> = HashSet::new();
    let mut has_key_results: HashSet<Uuid> = HashSet::new();
    let mut push = |objective: &objective::Model, exception: Exception, redactable| {
        flags.items.push(Flagged {
            exception: Arc::new(exception),
            objective_id: objective.id,
            private: objective.private,
            redactable,
        });
    };
    for kr in input
        .key_results
        .iter()
        .filter(|kr| kr.status == KeyResultStatus::Active.as_str())
    {
        let Some(objective) = objectives.get(&kr.objective_id).copied() else {
            continue;
        };
        has_key_results.insert(objective.id);
        if kr.last_check_in_on.is_some() {
            checked_in.insert(objective.id);
        }
        let Some(score) = input.key_result_scores.get(&kr.id) else {
            continue;
        };
        let severity = match score.health {
            Health::OffTrack => Some(Severity::Critical),
            Health::AtRisk => Some(Severity::Warning),
            Health::OnTrack | Health::NoData => None,
        };
        if let Some(severity) = severity {
            let private = private_objectives(&score.contributions);
            let title = &kr.title;
            push(
                objective,
                Exception {
                    kind: "okr.key_result_behind".into(),
                    severity,
                    subject_type: "OkrKeyResult",
                    subject_id: kr.id,
                    title: title.clone(),
                    owner_id: Some(kr.owner_id),
                    placement: placement(objective),
                    since: kr.last_check_in_on.unwrap_or(began(kr.created_at)),
                    reason: format!(
                        "{title} is {}: {}% done, {}% expected by now",
                        health_word(severity),
                        percent(score.progress.progress),
                        percent(score.expected.value)
                    ),
                    explanation: behind_explanation(score, severity, &HashSet::new()),
                },
                (!private.is_empty()).then(|| (score.clone(), private)),
            );
        }
        if score.stale
            && let Some(last) = kr.last_check_in_on
        {
            let title = &kr.title;
            push(
                objective,
                Exception {
                    kind: "okr.key_result_stale".into(),
                    severity: Severity::Warning,
                    subject_type: "OkrKeyResult",
                    subject_id: kr.id,
                    title: title.clone(),
                    owner_id: Some(kr.owner_id),
                    placement: placement(objective),
                    since: after_days(last, cadence + 1),
                    reason: format!("{title} has had no check-in since {last}"),
                    explanation: ExceptionExplanation {
                        text: format!(
                            "The tenant's check-in cadence is {} ({cadence} days); the latest check-in was on {last}, {} days ago.",
                            input.settings.check_in_cadence.as_str().to_lowercase(),
                            (today - last).num_days()
                        ),
                        inputs: vec![ExplanationInput {
                            name: "days since the latest check-in".into(),
                            value: Some((today - last).num_days().into()),
                        }],
                    },
                },
                None,
            );
        }
    }
    // Objectives with key results none of which has had a check-in, once
    // a whole cadence has passed since they (or their cycle) began. In id
    // order, so the feed's ties break the same way on every server.
    let mut quiet: Vec<&objective::Model> = objectives
        .values()
        .copied()
        .filter(|o| has_key_results.contains(&o.id) && !checked_in.contains(&o.id))
        .collect();
    quiet.sort_by_key(|o| o.id);
    for objective in quiet {
        let began = began(objective.created_at);
        let due = after_days(began, cadence + 1);
        if today < due {
            continue;
        }
        let title = &objective.title;
        push(
            objective,
            Exception {
                kind: "okr.objective_without_check_in".into(),
                severity: Severity::Info,
                subject_type: "OkrObjective",
                subject_id: objective.id,
                title: title.clone(),
                owner_id: Some(objective.owner_id),
                placement: placement(objective),
                since: due,
                reason: format!("{title} has had no check-in on any key result since {began}"),
                explanation: ExceptionExplanation {
                    text: format!(
                        "None of its key results has a check-in, and the tenant's cadence ({cadence} days) has passed since {began}: its progress is not known."
                    ),
                    inputs: Vec::new(),
                },
            },
            None,
        );
    }
    flags
}

/// The running cycles' items in `window`, as the scope's actor may see them.
pub async fn exceptions(
    scope: &TenantScope,
    window: &ExceptionWindow,
) -> DomainResult<Vec<Arc<Exception>>> {
    let today = window.today;
    let running: Vec<Uuid> = scope
        .select::<cycle::Entity>()
        .select_only()
        .column(cycle::Column::Id)
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
    let scored = cycle_scores(scope, &running).await?;
    let in_window: Vec<&Flagged> = scored
        .iter()
        .flat_map(|(_, scores)| scores.flagged.items.iter())
        .filter(|f| window.contains(f.exception.since))
        .collect();
    let mut private: Vec<Uuid> = in_window
        .iter()
        .filter(|f| f.private)
        .map(|f| f.objective_id)
        .chain(
            in_window
                .iter()
                .filter_map(|f| f.redactable.as_ref())
                .flat_map(|(_, ids)| ids.iter().copied()),
        )
        .collect();
    private.sort_unstable();
    private.dedup();
    let mut cycles: Vec<Uuid> = scored
        .iter()
        .flat_map(|(_, scores)| scores.flagged.cycles.iter().copied())
        .collect();
    cycles.sort_unstable();
    cycles.dedup();
    let hidden = hidden_private_objectives(scope, &cycles, &private).await?;
    Ok(in_window
        .into_iter()
        .filter(|f| !(f.private && hidden.contains(&f.objective_id)))
        .map(|f| match &f.redactable {
            Some((score, ids)) if ids.iter().any(|id| hidden.contains(id)) => {
                let mut seen = Exception::clone(&f.exception);
                seen.explanation = behind_explanation(score, seen.severity, &hidden);
                Arc::new(seen)
            }
            _ => f.exception.clone(),
        })
        .collect())
}
