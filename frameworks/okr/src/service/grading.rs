//! Grades are recorded facts: the progress of each objective and key result
//! when its cycle closed (or an admin regraded it), with when and by whom.
//! Owners may also propose a self-score, which an admin or someone they
//! report to confirms; grade and self-score are both kept.

use std::collections::HashSet;

use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
use throughline_domain::kit::{
    Change, DomainError, DomainResult, Role, TenantScope, TenantTxn, optional_text, to_stored,
};
use uuid::Uuid;

use crate::entity::{cycle, key_result, objective};
use crate::model::ObjectiveStatus;

use super::scores::{CycleScores, families, score_cycle};
use super::{is_locked, owns_or_co_owns, parse_decimal, reports_to};

/// Writes the grades of `objectives` and their key results from `scores`,
/// stamped with now and the actor.
async fn write_grades(
    tx: &TenantTxn<'_>,
    scores: &CycleScores,
    objectives: &HashSet<Uuid>,
) -> DomainResult<()> {
    let scope = tx.scope();
    let key_results: HashSet<Uuid> = scope
        .select::<key_result::Entity>()
        .select_only()
        .column(key_result::Column::Id)
        .filter(key_result::Column::ObjectiveId.is_in(objectives.iter().copied()))
        .into_tuple::<Uuid>()
        .all(tx)
        .await?
        .into_iter()
        .collect();
    for (id, score) in scores
        .key_results
        .iter()
        .filter(|(id, _)| key_results.contains(id))
    {
        tx.update::<key_result::Entity>()
            .col_expr(
                key_result::Column::Grade,
                Some(to_stored(score.progress.progress)).into(),
            )
            .filter(key_result::Column::Id.eq(*id))
            .exec()
            .await?;
    }
    let now = Utc::now();
    for (id, score) in scores
        .objectives
        .iter()
        .filter(|(id, _)| objectives.contains(id))
    {
        tx.update::<objective::Entity>()
            .col_expr(
                objective::Column::Grade,
                Some(to_stored(score.progress)).into(),
            )
            .col_expr(objective::Column::GradedAt, Some(now).into())
            .col_expr(
                objective::Column::GradedByPersonId,
                scope.actor().person_id.into(),
            )
            .filter(objective::Column::Id.eq(*id))
            .exec()
            .await?;
    }
    Ok(())
}

/// Grades every objective of a closing cycle (`closing`, already marked
/// closed) and its key results. Nested cycles close on their own.
pub(crate) async fn grade_cycle(tx: &TenantTxn<'_>, closing: &cycle::Model) -> DomainResult<()> {
    let scope = tx.scope();
    let settings = scope.settings::<crate::Okr>(tx).await?;
    let mut family = families(tx, scope, &[closing.id])
        .await?
        .remove(&closing.id)
        .unwrap_or_default();
    if let Some(cycle) = family.first_mut() {
        *cycle = closing.clone();
    }
    let scores = score_cycle(tx, scope, &family, &settings, scope.today()).await?;
    let own: HashSet<Uuid> = scope
        .select::<objective::Entity>()
        .select_only()
        .column(objective::Column::Id)
        .filter(objective::Column::CycleId.eq(closing.id))
        .into_tuple::<Uuid>()
        .all(tx)
        .await?
        .into_iter()
        .collect();
    write_grades(tx, &scores, &own).await
}

/// Loads an objective the actor may see, at the version they read.
async fn load_at(tx: &TenantTxn<'_>, id: Uuid, version: i32) -> DomainResult<objective::Model> {
    let current = super::objectives::load(tx, id).await?;
    if current.version != version {
        return Err(DomainError::stale_version("objective"));
    }
    Ok(current)
}

/// Saves `after` (one version on) and records the change.
async fn commit(
    mut tx: TenantTxn<'_>,
    current: &objective::Model,
    mut after: objective::Model,
    action: &str,
) -> DomainResult<objective::Model> {
    after.version += 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<objective::Entity>(
        current.id,
        after.clone(),
        current.version,
        "objective",
    )
    .await?;
    tx.record(Change::updated(
        action,
        "OkrObjective",
        current.id,
        current,
        &after,
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Grades one objective of a closed cycle again from today's figures (after
/// a late check-in moved them): admins only.
pub async fn regrade(
    scope: &TenantScope,
    id: Uuid,
    version: i32,
) -> DomainResult<objective::Model> {
    scope.require_admin("regrading objectives")?;
    let tx = scope.begin().await?;
    let current = load_at(&tx, id, version).await?;
    let cycle = scope
        .select::<cycle::Entity>()
        .filter(cycle::Column::Id.eq(current.cycle_id))
        .one(&tx)
        .await?
        .ok_or(DomainError::not_found("cycle"))?;
    if !is_locked(&cycle) {
        return Err(DomainError::validation(
            "input.id",
            format!(
                "the cycle {:?} is not closed: its objectives are graded when it closes",
                cycle.name
            ),
        ));
    }
    let settings = scope.settings::<crate::Okr>(&tx).await?;
    let family = families(&tx, scope, &[cycle.id])
        .await?
        .remove(&cycle.id)
        .unwrap_or_default();
    let scores = score_cycle(&tx, scope, &family, &settings, scope.today()).await?;
    write_grades(&tx, &scores, &HashSet::from([id])).await?;
    let after = super::objectives::load(&tx, id).await?;
    commit(tx, &current, after, "okr_objective.regraded").await
}

/// The owner's (or a co-owner's) own score, 0 to 1, with a note; proposing
/// again replaces it and asks for a new confirmation.
pub async fn propose_self_score(
    scope: &TenantScope,
    id: Uuid,
    version: i32,
    score: Decimal,
    note: Option<String>,
) -> DomainResult<objective::Model> {
    let tx = scope.begin().await?;
    let current = load_at(&tx, id, version).await?;
    let me = scope.actor().person_id;
    let owns = match me {
        Some(me) => owns_or_co_owns(&tx, scope, id, current.owner_id, me).await?,
        None => false,
    };
    if !owns {
        return Err(DomainError::forbidden(
            "an objective's owner or co-owners score it themselves",
        ));
    }
    if current.status == ObjectiveStatus::Archived.as_str() {
        return Err(DomainError::validation(
            "input.id",
            format!("the objective {:?} is archived", current.title),
        ));
    }
    if score < Decimal::ZERO || score > Decimal::ONE || score.normalize().scale() > 4 {
        return Err(DomainError::validation(
            "input.score",
            "a self-score runs from 0 to 1, with at most 4 decimal places",
        ));
    }
    let note = optional_text("input.note", note.as_deref(), 4000)?;
    let mut after = current.clone();
    after.self_score = Some(to_stored(score));
    after.self_score_note = note;
    after.self_scored_at = Some(Utc::now());
    after.self_scored_by_person_id = me;
    after.self_score_confirmed_at = None;
    after.self_score_confirmed_by_person_id = None;
    commit(tx, &current, after, "okr_objective.self_scored").await
}

/// Confirms the self-score: an admin, or a manager the owner reports to.
pub async fn confirm_self_score(
    scope: &TenantScope,
    id: Uuid,
    version: i32,
) -> DomainResult<objective::Model> {
    // The role before the objective: a refusal tells nothing of what exists.
    scope.require_role(&[Role::Admin, Role::Manager], "confirming self-scores")?;
    let tx = scope.begin().await?;
    let current = load_at(&tx, id, version).await?;
    let actor = scope.actor();
    let may = actor.role == Role::Admin
        || match actor.person_id {
            Some(me) => reports_to(&tx, scope, current.owner_id, me).await?,
            None => false,
        };
    if !may {
        return Err(DomainError::forbidden(
            "an admin or someone the owner reports to confirms a self-score",
        ));
    }
    if current.self_score.is_none() {
        return Err(DomainError::validation(
            "input.id",
            "the objective has no self-score to confirm",
        ));
    }
    let mut after = current.clone();
    after.self_score_confirmed_at = Some(Utc::now());
    after.self_score_confirmed_by_person_id = actor.person_id;
    commit(tx, &current, after, "okr_objective.self_score_confirmed").await
}

/// Whether figures moved since grading: the objective's or one of its key
/// results' progress now differs from its grade.
pub fn outdated(
    objective: &objective::Model,
    key_results: &[key_result::Model],
    scores: &CycleScores,
) -> DomainResult<bool> {
    let Some(grade) = objective.grade.as_deref() else {
        return Ok(false);
    };
    if let Some(score) = scores.objectives.get(&objective.id)
        && parse_decimal(grade)? != score.progress
    {
        return Ok(true);
    }
    for kr in key_results {
        if let (Some(grade), Some(score)) = (kr.grade.as_deref(), scores.key_results.get(&kr.id))
            && parse_decimal(grade)? != score.progress.progress
        {
            return Ok(true);
        }
    }
    Ok(false)
}
