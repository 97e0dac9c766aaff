//! Alignment is many-to-many: an objective contributes to parent objectives,
//! key results and strategic priorities, as many as make sense.

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, Set};
use throughline_domain::entity::strategic_priority;
use throughline_domain::kit::{
    Change, DomainError, DomainResult, TenantScope, TenantTxn, TreeLink, Walk,
};
use uuid::Uuid;

use crate::entity::{alignment, key_result, objective};

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

/// Objectives aligned under objectives: an alignment row's parent is the
/// objective it contributes to.
const ALIGNMENTS: TreeLink<alignment::Entity> = TreeLink {
    node: alignment::Column::ObjectiveId,
    parent: alignment::Column::ParentObjectiveId,
    max_depth: 50,
};

/// Whether `descendant` already contributes (through any chain) to `ancestor`.
async fn contributes_to(
    tx: &TenantTxn<'_>,
    descendant: Uuid,
    ancestor: Uuid,
) -> DomainResult<bool> {
    Ok(tx
        .select::<alignment::Entity>()
        .filter(alignment::Column::ObjectiveId.eq(descendant))
        .filter(tx.scope().in_tree(
            alignment::Column::ObjectiveId,
            ALIGNMENTS,
            Walk::Below(&[ancestor]),
        ))
        .exists(tx)
        .await?)
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
            figures_changed(tx, parent.cycle_id).await?;
            if contributes_to(tx, parent.id, child.id).await? {
                return Err(DomainError::validation(
                    format!("{prefix}.parentObjectiveId"),
                    "that objective already contributes to this one; aligning would make a loop",
                ));
            }
        }
        AlignTarget::KeyResult(kr) => {
            let (_, parent) = super::key_results::load(tx, kr).await.map_err(|_| {
                DomainError::validation(
                    format!("{prefix}.parentKeyResultId"),
                    "no key result with that id that you can see",
                )
            })?;
            if parent.id == child.id {
                return Err(DomainError::validation(
                    format!("{prefix}.parentKeyResultId"),
                    "an objective cannot align to its own key result",
                ));
            }
            figures_changed(tx, parent.cycle_id).await?;
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
