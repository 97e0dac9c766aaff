//! Alignment is many-to-many: an objective contributes to parent objectives,
//! key results and strategic priorities, as many as make sense.

use std::collections::HashSet;

use chrono::Utc;
use sea_orm::{ColumnTrait, Condition, QueryFilter, QuerySelect, Set};
use throughline_domain::entity::strategic_priority;
use throughline_domain::kit::{Change, DomainError, DomainResult, TenantScope, TenantTxn, Walk};
use uuid::Uuid;

use crate::entity::{alignment, cycle, key_result, objective};
use crate::service::scores::NESTED_CYCLES;

use super::{figures_changed, open_for_change, require_edit};

/// What an objective aligns to: exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlignTarget {
    Objective(Uuid),
    KeyResult(Uuid),
    Priority(Uuid),
}

fn matches(target: AlignTarget) -> sea_orm::Condition {
    match target {
        AlignTarget::Objective(id) => {
            sea_orm::Condition::all().add(alignment::Column::ParentObjectiveId.eq(id))
        }
        AlignTarget::KeyResult(id) => {
            sea_orm::Condition::all().add(alignment::Column::ParentKeyResultId.eq(id))
        }
        AlignTarget::Priority(id) => {
            sea_orm::Condition::all().add(alignment::Column::PriorityId.eq(id))
        }
    }
}

/// How deep alignment chains are followed when looking for a loop.
const MAX_ALIGNMENT_DEPTH: usize = 50;

/// Whether `descendant` already contributes to `ancestor` through any chain
/// of objectives aligned to objectives or to their key results. One
/// statement per level of the chain below `ancestor`.
async fn contributes_to(
    tx: &TenantTxn<'_>,
    descendant: Uuid,
    ancestor: Uuid,
) -> DomainResult<bool> {
    let scope = tx.scope();
    let mut seen: HashSet<Uuid> = HashSet::from([ancestor]);
    let mut frontier = vec![ancestor];
    for _ in 0..MAX_ALIGNMENT_DEPTH {
        if frontier.is_empty() {
            return Ok(false);
        }
        let their_key_results = scope
            .select::<key_result::Entity>()
            .select_only()
            .column(key_result::Column::Id)
            .filter(key_result::Column::ObjectiveId.is_in(frontier.clone()))
            .into_query();
        let below: Vec<Uuid> = scope
            .select::<alignment::Entity>()
            .select_only()
            .column(alignment::Column::ObjectiveId)
            .filter(
                Condition::any()
                    .add(alignment::Column::ParentObjectiveId.is_in(frontier.clone()))
                    .add(alignment::Column::ParentKeyResultId.in_subquery(their_key_results)),
            )
            .into_tuple::<Uuid>()
            .all(tx)
            .await?;
        if below.contains(&descendant) {
            return Ok(true);
        }
        frontier = below.into_iter().filter(|id| seen.insert(*id)).collect();
    }
    Ok(false)
}

/// Refuses a link whose cycles do not nest: an objective counts towards
/// objectives of its own cycle or of a cycle that contains it (a quarter's
/// towards its year's), never the other way.
async fn require_nested(
    tx: &TenantTxn<'_>,
    child: &objective::Model,
    parent: &objective::Model,
    field: &str,
) -> DomainResult<()> {
    if child.cycle_id == parent.cycle_id {
        return Ok(());
    }
    let scope = tx.scope();
    let enclosing = scope
        .select::<cycle::Entity>()
        .filter(scope.in_tree(
            cycle::Column::Id,
            NESTED_CYCLES,
            Walk::Above {
                from: &[child.cycle_id],
                include_start: true,
            },
        ))
        .all(tx)
        .await?;
    if enclosing.iter().any(|c| c.id == parent.cycle_id) {
        return Ok(());
    }
    let parent_cycle = scope
        .select::<cycle::Entity>()
        .filter(cycle::Column::Id.eq(parent.cycle_id))
        .one(tx)
        .await?;
    let name =
        |c: Option<&cycle::Model>| c.map_or_else(|| "?".to_string(), |c| format!("{:?}", c.name));
    Err(DomainError::validation(
        field,
        format!(
            "the objective is in the cycle {} and the parent in {}, which does not contain it: an objective counts towards objectives of its own cycle or of a cycle that contains it (a quarter's towards its year's)",
            name(enclosing.iter().find(|c| c.id == child.cycle_id)),
            name(parent_cycle.as_ref()),
        ),
    ))
}

pub async fn align(
    scope: &TenantScope,
    objective_id: Uuid,
    target: AlignTarget,
) -> DomainResult<objective::Model> {
    let mut tx = scope.begin().await?;
    let child = super::objectives::load(&tx, objective_id).await?;
    require_edit(&tx, scope, &child).await?;
    link(&mut tx, &child, target, "input").await?;
    tx.commit().await?;
    Ok(child)
}

pub(crate) async fn link(
    tx: &mut TenantTxn<'_>,
    child: &objective::Model,
    target: AlignTarget,
    prefix: &str,
) -> DomainResult<()> {
    let scope = tx.scope();
    open_for_change(tx, child.cycle_id, &format!("{prefix}.objectiveId")).await?;
    match target {
        AlignTarget::Objective(parent) => {
            if parent == child.id {
                return Err(DomainError::validation(
                    format!("{prefix}.parentObjectiveId"),
                    "an objective cannot align to itself",
                ));
            }
            let parent = super::objectives::load(tx, parent).await.map_err(|_| {
                DomainError::validation(
                    format!("{prefix}.parentObjectiveId"),
                    "no objective with that id that you can see",
                )
            })?;
            require_nested(tx, child, &parent, &format!("{prefix}.parentObjectiveId")).await?;
            figures_changed(tx, parent.cycle_id).await?;
            if contributes_to(tx, parent.id, child.id).await? {
                return Err(DomainError::validation(
                    format!("{prefix}.parentObjectiveId"),
                    "that objective already contributes to this one; aligning would make a loop",
                ));
            }
        }
        AlignTarget::KeyResult(kr) => {
            let field = format!("{prefix}.parentKeyResultId");
            let (_, parent) = super::key_results::load(tx, kr).await.map_err(|_| {
                DomainError::validation(&field, "no key result with that id that you can see")
            })?;
            if parent.id == child.id {
                return Err(DomainError::validation(
                    field,
                    "an objective cannot align to its own key result",
                ));
            }
            require_nested(tx, child, &parent, &field).await?;
            figures_changed(tx, parent.cycle_id).await?;
            if contributes_to(tx, parent.id, child.id).await? {
                return Err(DomainError::validation(
                    field,
                    "that key result's objective already contributes to this one; aligning would make a loop",
                ));
            }
        }
        AlignTarget::Priority(priority) => {
            scope
                .select::<strategic_priority::Entity>()
                .filter(strategic_priority::Column::Id.eq(priority))
                .one(tx)
                .await?
                .ok_or_else(|| {
                    DomainError::validation(
                        format!("{prefix}.priorityId"),
                        "no strategic priority with that id in this tenant",
                    )
                })?;
        }
    }
    let existing = scope
        .select::<alignment::Entity>()
        .filter(alignment::Column::ObjectiveId.eq(child.id))
        .filter(matches(target))
        .one(tx)
        .await?;
    if existing.is_some() {
        return Ok(());
    }
    let (parent_objective_id, parent_key_result_id, priority_id) = match target {
        AlignTarget::Objective(id) => (Some(id), None, None),
        AlignTarget::KeyResult(id) => (None, Some(id), None),
        AlignTarget::Priority(id) => (None, None, Some(id)),
    };
    let row = tx
        .insert(alignment::ActiveModel {
            id: Set(Uuid::now_v7()),
            objective_id: Set(child.id),
            parent_objective_id: Set(parent_objective_id),
            parent_key_result_id: Set(parent_key_result_id),
            priority_id: Set(priority_id),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "okr_objective.aligned",
        "OkrAlignment",
        row.id,
        &row,
    ))
    .await?;
    Ok(())
}

pub async fn unalign(
    scope: &TenantScope,
    objective_id: Uuid,
    target: AlignTarget,
) -> DomainResult<objective::Model> {
    let mut tx = scope.begin().await?;
    let child = super::objectives::load(&tx, objective_id).await?;
    require_edit(&tx, scope, &child).await?;
    let existing = scope
        .select::<alignment::Entity>()
        .filter(alignment::Column::ObjectiveId.eq(child.id))
        .filter(matches(target))
        .one(&tx)
        .await?;
    if let Some(row) = existing {
        open_for_change(&tx, child.cycle_id, "input.objectiveId").await?;
        // The parent may be private to someone else: find its cycle without
        // the visibility filter, it is only bumped.
        let parent_objective = match row.parent_key_result_id {
            Some(kr) => scope
                .select::<key_result::Entity>()
                .filter(key_result::Column::Id.eq(kr))
                .one(&tx)
                .await?
                .map(|kr| kr.objective_id),
            None => row.parent_objective_id,
        };
        if let Some(parent) = parent_objective
            && let Some(parent) = scope
                .select::<objective::Entity>()
                .filter(objective::Column::Id.eq(parent))
                .one(&tx)
                .await?
        {
            figures_changed(&tx, parent.cycle_id).await?;
        }
        tx.delete::<alignment::Entity>()
            .filter(alignment::Column::Id.eq(row.id))
            .exec()
            .await?;
        tx.record(Change::deleted(
            "okr_objective.unaligned",
            "OkrAlignment",
            row.id,
            &row,
        ))
        .await?;
    }
    tx.commit().await?;
    Ok(child)
}
