//! Key results: scored with the core Target, optionally fed by a core metric.

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, Set};
use throughline_domain::entity::{metric, person};
use throughline_domain::kit::{
    Change, DomainError, DomainResult, Target, TenantScope, TenantTxn, optional_business_number,
    required_text, to_stored,
};
use uuid::Uuid;

use crate::entity::{cycle, key_result, objective};
use crate::model::{KeyResultProgressSource, KeyResultStatus, ObjectiveStatus};

use super::objectives::{load as load_objective, warnings};
use super::{Warning, open_for_change, require_edit, weight};

#[derive(Clone, Debug)]
pub struct NewKeyResult {
    pub objective_id: Uuid,
    pub title: String,
    /// Defaults to the objective's owner.
    pub owner_id: Option<Uuid>,
    pub target: Target,
    pub weight: Option<Decimal>,
    pub current_value: Option<Decimal>,
    pub metric_id: Option<Uuid>,
    /// Defaults to today in the tenant's time zone (kept within the cycle).
    pub starts_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub progress_source: Option<KeyResultProgressSource>,
}

#[derive(Clone, Debug, Default)]
pub struct KeyResultChanges {
    pub version: i32,
    pub title: Option<String>,
    pub owner_id: Option<Uuid>,
    pub target: Option<Target>,
    pub weight: Option<Decimal>,
    pub metric_id: Option<Option<Uuid>>,
    pub starts_on: Option<NaiveDate>,
    /// `Some(None)` clears the due date (due at the cycle's end).
    pub due_on: Option<Option<NaiveDate>>,
    pub progress_source: Option<KeyResultProgressSource>,
    /// Close (no more check-ins), archive (no longer counted) or reactivate.
    pub status: Option<KeyResultStatus>,
}

/// A key result's dates, checked against its cycle: it starts within the
/// cycle and is due between its start and the cycle's end.
fn check_dates(
    cycle: &cycle::Model,
    starts_on: NaiveDate,
    due_on: Option<NaiveDate>,
    prefix: &str,
) -> DomainResult<()> {
    if starts_on < cycle.starts_on || starts_on > cycle.ends_on {
        return Err(DomainError::validation(
            format!("{prefix}.startsOn"),
            format!(
                "{starts_on} is outside the cycle {:?} ({} to {}): a key result starts within its cycle",
                cycle.name, cycle.starts_on, cycle.ends_on
            ),
        ));
    }
    if let Some(due) = due_on
        && (due < starts_on || due > cycle.ends_on)
    {
        return Err(DomainError::validation(
            format!("{prefix}.dueOn"),
            format!(
                "{due} must fall between the key result's start ({starts_on}) and the cycle's end ({})",
                cycle.ends_on
            ),
        ));
    }
    Ok(())
}

/// A key result follows a metric or its aligned objectives, not both.
fn check_source(source: &str, metric: Option<Uuid>, prefix: &str) -> DomainResult<()> {
    if source == KeyResultProgressSource::AlignedObjectives.as_str() && metric.is_some() {
        return Err(DomainError::validation(
            format!("{prefix}.progressSource"),
            "a key result takes its progress from a metric or from its aligned objectives, not both",
        ));
    }
    Ok(())
}

fn stored(value: Option<Decimal>) -> Option<String> {
    value.map(to_stored)
}

/// A target as the key result's columns store it.
struct TargetColumns {
    kind: String,
    start: Option<String>,
    target: Option<String>,
    lower: Option<String>,
    upper: Option<String>,
    unit: Option<String>,
}

impl TargetColumns {
    fn of(target: &Target) -> Self {
        Self {
            kind: target.kind.as_str().into(),
            start: stored(target.start),
            target: stored(target.target),
            lower: stored(target.lower),
            upper: stored(target.upper),
            unit: target.unit.clone(),
        }
    }
}

fn apply_target(model: &mut key_result::Model, target: &Target) {
    let columns = TargetColumns::of(target);
    model.target_kind = columns.kind;
    model.start_value = columns.start;
    model.target_value = columns.target;
    model.lower_value = columns.lower;
    model.upper_value = columns.upper;
    model.unit = columns.unit;
}

async fn check_refs(
    tx: &TenantTxn<'_>,
    owner: Uuid,
    metric_id: Option<Uuid>,
    prefix: &str,
) -> DomainResult<()> {
    let scope = tx.scope();
    if scope
        .select::<person::Entity>()
        .filter(person::Column::Id.eq(owner))
        .count(tx)
        .await?
        == 0
    {
        return Err(DomainError::validation(
            format!("{prefix}.ownerId"),
            "no person with that id in this tenant",
        ));
    }
    if let Some(metric_id) = metric_id
        && scope
            .select::<metric::Entity>()
            .filter(metric::Column::Id.eq(metric_id))
            .count(tx)
            .await?
            == 0
    {
        return Err(DomainError::validation(
            format!("{prefix}.metricId"),
            "no metric with that id in this tenant",
        ));
    }
    Ok(())
}

/// Loads a key result the actor can see, with its objective.
pub(crate) async fn load(
    tx: &TenantTxn<'_>,
    id: Uuid,
) -> DomainResult<(key_result::Model, objective::Model)> {
    let kr = tx
        .scope()
        .select::<key_result::Entity>()
        .filter(key_result::Column::Id.eq(id))
        .one(tx)
        .await?
        .ok_or(DomainError::not_found("key result"))?;
    let objective = load_objective(tx, kr.objective_id)
        .await
        .map_err(|_| DomainError::not_found("key result"))?;
    Ok((kr, objective))
}

pub async fn create(
    scope: &TenantScope,
    input: NewKeyResult,
) -> DomainResult<(key_result::Model, Vec<Warning>)> {
    let mut tx = scope.begin().await?;
    let objective = load_objective(&tx, input.objective_id).await.map_err(|_| {
        DomainError::validation(
            "input.objectiveId",
            "no objective with that id that you can see",
        )
    })?;
    let model = insert(&mut tx, &objective, input, "input").await?;
    let warnings = warnings(&tx, &objective).await?;
    tx.commit().await?;
    Ok((model, warnings))
}

pub(crate) async fn insert(
    tx: &mut TenantTxn<'_>,
    objective: &objective::Model,
    input: NewKeyResult,
    prefix: &str,
) -> DomainResult<key_result::Model> {
    let scope = tx.scope();
    require_edit(tx, scope, objective).await?;
    let cycle = open_for_change(tx, objective.cycle_id, "input.objectiveId").await?;
    let title = required_text("title", &input.title, 300).map_err(|e| e.within(prefix))?;
    // Added mid-cycle, it is judged from today, not born behind.
    let starts_on = input
        .starts_on
        .unwrap_or_else(|| scope.today().clamp(cycle.starts_on, cycle.ends_on));
    check_dates(&cycle, starts_on, input.due_on, prefix)?;
    let source = input
        .progress_source
        .unwrap_or(KeyResultProgressSource::Target);
    check_source(source.as_str(), input.metric_id, prefix)?;
    input
        .target
        .validate()
        .map_err(|e| e.within(&format!("{prefix}.target")))?;
    let weight = weight("weight", input.weight).map_err(|e| e.within(prefix))?;
    optional_business_number("currentValue", input.current_value).map_err(|e| e.within(prefix))?;
    let owner = input.owner_id.unwrap_or(objective.owner_id);
    check_refs(tx, owner, input.metric_id, prefix).await?;
    let now = Utc::now();
    let mut row = key_result::ActiveModel {
        id: Set(Uuid::now_v7()),
        objective_id: Set(objective.id),
        title: Set(title),
        owner_id: Set(owner),
        weight: Set(to_stored(weight)),
        status: Set(KeyResultStatus::Active.as_str().into()),
        current_value: Set(stored(input.current_value.or(input.target.start))),
        metric_id: Set(input.metric_id),
        grade: Set(None),
        starts_on: Set(Some(starts_on)),
        due_on: Set(input.due_on),
        progress_source: Set(source.as_str().into()),
        last_check_in_id: Set(None),
        last_check_in_on: Set(None),
        last_stated_status: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    };
    let target = TargetColumns::of(&input.target);
    row.target_kind = Set(target.kind);
    row.start_value = Set(target.start);
    row.target_value = Set(target.target);
    row.lower_value = Set(target.lower);
    row.upper_value = Set(target.upper);
    row.unit = Set(target.unit);
    let model = tx.insert(row).await?;
    tx.record(Change::created(
        "okr_key_result.created",
        "OkrKeyResult",
        model.id,
        &model,
    ))
    .await?;
    Ok(model)
}

pub async fn update(
    scope: &TenantScope,
    id: Uuid,
    changes: KeyResultChanges,
) -> DomainResult<key_result::Model> {
    let mut tx = scope.begin().await?;
    let (current, objective) = load(&tx, id).await?;
    require_edit(&tx, scope, &objective).await?;
    if current.version != changes.version {
        return Err(DomainError::stale_version("key result"));
    }
    let cycle = open_for_change(&tx, objective.cycle_id, "input.id").await?;
    let mut after = current.clone();
    if let Some(title) = &changes.title {
        after.title = required_text("input.title", title, 300)?;
    }
    if let Some(starts_on) = changes.starts_on {
        after.starts_on = Some(starts_on);
    }
    if let Some(due_on) = changes.due_on {
        after.due_on = due_on;
    }
    if changes.starts_on.is_some() || changes.due_on.is_some() {
        let (starts_on, _) = super::scores::key_result_span(&current, &cycle);
        check_dates(
            &cycle,
            after.starts_on.unwrap_or(starts_on),
            after.due_on,
            "input",
        )?;
    }
    if let Some(target) = &changes.target {
        target.validate().map_err(|e| e.within("input.target"))?;
        apply_target(&mut after, target);
    }
    if let Some(w) = changes.weight {
        after.weight = to_stored(weight("input.weight", Some(w))?);
    }
    if let Some(owner) = changes.owner_id {
        after.owner_id = owner;
    }
    if let Some(metric) = changes.metric_id {
        after.metric_id = metric;
    }
    if let Some(status) = changes.status {
        after.status = status.as_str().into();
    }
    if let Some(source) = changes.progress_source {
        after.progress_source = source.as_str().into();
    }
    check_source(&after.progress_source, after.metric_id, "input")?;
    check_refs(&tx, after.owner_id, after.metric_id, "input").await?;
    after.version += 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<key_result::Entity>(id, after.clone(), current.version, "key result")
        .await?;
    let action = match changes.status {
        Some(status) if status.as_str() != current.status => match status {
            KeyResultStatus::Active => "okr_key_result.reactivated",
            KeyResultStatus::Closed => "okr_key_result.closed",
            KeyResultStatus::Archived => "okr_key_result.archived",
        },
        _ => "okr_key_result.updated",
    };
    tx.record(Change::updated(
        action,
        "OkrKeyResult",
        id,
        &current,
        &after,
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(scope: &TenantScope, id: Uuid) -> DomainResult<key_result::Model> {
    let mut tx = scope.begin().await?;
    let (current, objective) = load(&tx, id).await?;
    require_edit(&tx, scope, &objective).await?;
    open_for_change(&tx, objective.cycle_id, "input.id").await?;
    // A key result is a draft while its objective is one or nothing has
    // been recorded against it; after that its history is kept.
    if objective.status != ObjectiveStatus::Draft.as_str() && current.last_check_in_id.is_some() {
        return Err(DomainError::validation(
            "input.id",
            format!(
                "{:?} has check-ins; archive it (status ARCHIVED) to keep its history",
                current.title
            ),
        ));
    }
    tx.delete::<key_result::Entity>()
        .filter(key_result::Column::Id.eq(id))
        .exec()
        .await?;
    tx.record(Change::deleted(
        "okr_key_result.deleted",
        "OkrKeyResult",
        id,
        &current,
    ))
    .await?;
    tx.commit().await?;
    Ok(current)
}
