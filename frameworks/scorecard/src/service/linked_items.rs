//! The cascade down: a child unit's scorecard links (never copies) an
//! objective or a measure of a scorecard of a unit above, so a team sees
//! and is scored on the company's items where they matter to it. A linked
//! objective sits in its perspective on the child scorecard; a linked
//! measure counts under one of the child's objectives. Both are scored
//! once, where they live, and count with weight 1. Admins link; changes
//! are audited and heard on the child's `scorecardChanged`.

use chrono::Utc;
use sea_orm::{ColumnTrait, Condition, QueryFilter, Set};
use throughline_domain::kit::{Change, DomainError, DomainResult, TenantScope, TenantTxn};
use uuid::Uuid;

use super::contributions::SCORED;
use super::objectives::active_objective;
use super::{require_below, require_designer};
use throughline_domain::entity::metric;

use crate::entity::{linked_item, measure, objective, scorecard};

/// The most items one scorecard links from above.
pub const MAX_LINKED_ITEMS: usize = 50;

const LINKED: &str = "scorecard_linked_item.created";
const UNLINKED: &str = "scorecard_linked_item.deleted";

/// Shows `objective` (of a scorecard of a unit above) on `scorecard`.
pub async fn link_objective(
    scope: &TenantScope,
    scorecard_id: Uuid,
    objective_id: Uuid,
) -> DomainResult<linked_item::Model> {
    require_designer(scope, "cascading scorecards")?;
    let mut tx = scope.begin().await?;
    // Two links added at once could both pass the limit.
    tx.lock_tenant().await?;
    let card = tx
        .reference::<scorecard::Entity>(scorecard_id, "input.scorecardId", "scorecard")
        .await?;
    let linked = active_objective(&tx, objective_id, "input.objectiveId", SCORED).await?;
    if linked.scorecard_id == card.id {
        return Err(DomainError::validation(
            "input.objectiveId",
            format!("{:?} is on this scorecard already", linked.title),
        ));
    }
    require_below(
        scope,
        &tx,
        (linked.scorecard_id, card.id),
        "input.objectiveId",
        format!(
            "{:?} is not on a scorecard of a unit above this scorecard's: a scorecard links items from the units above it",
            linked.title
        ),
    )
    .await?;
    let existing = links_of(&tx, card.id).await?;
    if existing.iter().any(|l| l.objective_id == Some(linked.id)) {
        return Err(DomainError::validation(
            "input.objectiveId",
            format!("{:?} is linked to this scorecard already", linked.title),
        ));
    }
    check_room(&existing, "input.objectiveId")?;
    let row = insert(&tx, card.id, Some(linked.id), None).await?;
    tx.record(Change::created(LINKED, "Scorecard", card.id, &row))
        .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(row)
}

/// Stops showing `objective` on `scorecard`.
pub async fn unlink_objective(
    scope: &TenantScope,
    scorecard_id: Uuid,
    objective_id: Uuid,
) -> DomainResult<linked_item::Model> {
    unlink(
        scope,
        Condition::all()
            .add(linked_item::Column::ScorecardId.eq(scorecard_id))
            .add(linked_item::Column::ObjectiveId.eq(objective_id)),
        ("input.objectiveId", "it is not linked to this scorecard"),
    )
    .await
}

/// Counts `measure` (of a scorecard of a unit above) under `objective`.
pub async fn link_measure(
    scope: &TenantScope,
    objective_id: Uuid,
    measure_id: Uuid,
) -> DomainResult<linked_item::Model> {
    require_designer(scope, "cascading scorecards")?;
    let mut tx = scope.begin().await?;
    tx.lock_tenant().await?;
    let here = active_objective(&tx, objective_id, "input.objectiveId", SCORED).await?;
    let linked = tx
        .reference::<measure::Entity>(measure_id, "input.measureId", "measure")
        .await?;
    let home = tx
        .reference::<objective::Entity>(linked.objective_id, "input.measureId", "measure")
        .await?;
    let title = tx
        .select::<metric::Entity>()
        .filter(metric::Column::Id.eq(linked.metric_id))
        .one(&tx)
        .await?
        .map_or_else(|| "the measure".to_string(), |m| m.name);
    if home.scorecard_id == here.scorecard_id {
        return Err(DomainError::validation(
            "input.measureId",
            format!(
                "{title:?} is on this scorecard already: place its metric as a measure here instead"
            ),
        ));
    }
    require_below(
        scope,
        &tx,
        (home.scorecard_id, here.scorecard_id),
        "input.measureId",
        format!(
            "{title:?} is not on a scorecard of a unit above this objective's: a scorecard links items from the units above it"
        ),
    )
    .await?;
    let existing = links_of(&tx, here.scorecard_id).await?;
    if existing
        .iter()
        .any(|l| l.measure_id == Some(linked.id) && l.in_objective_id == Some(here.id))
    {
        return Err(DomainError::validation(
            "input.measureId",
            format!("{title:?} counts under this objective already"),
        ));
    }
    check_room(&existing, "input.measureId")?;
    let row = insert(&tx, here.scorecard_id, None, Some((linked.id, here.id))).await?;
    tx.record(Change::created(
        LINKED,
        "Scorecard",
        here.scorecard_id,
        &row,
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(row)
}

/// Stops counting `measure` under `objective`.
pub async fn unlink_measure(
    scope: &TenantScope,
    objective_id: Uuid,
    measure_id: Uuid,
) -> DomainResult<linked_item::Model> {
    unlink(
        scope,
        Condition::all()
            .add(linked_item::Column::InObjectiveId.eq(objective_id))
            .add(linked_item::Column::MeasureId.eq(measure_id)),
        ("input.measureId", "it is not linked under this objective"),
    )
    .await
}

/// Removes the link `which` finds, or answers `VALIDATION` with `absent`.
async fn unlink(
    scope: &TenantScope,
    which: Condition,
    (field, absent): (&str, &str),
) -> DomainResult<linked_item::Model> {
    require_designer(scope, "cascading scorecards")?;
    let mut tx = scope.begin().await?;
    let Some(row) = tx
        .select::<linked_item::Entity>()
        .filter(which)
        .one(&tx)
        .await?
    else {
        return Err(DomainError::validation(field, absent));
    };
    tx.delete::<linked_item::Entity>()
        .filter(linked_item::Column::Id.eq(row.id))
        .exec()
        .await?;
    tx.record(Change::deleted(
        UNLINKED,
        "Scorecard",
        row.scorecard_id,
        &row,
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(row)
}

async fn links_of(tx: &TenantTxn<'_>, scorecard: Uuid) -> DomainResult<Vec<linked_item::Model>> {
    Ok(tx
        .select::<linked_item::Entity>()
        .filter(linked_item::Column::ScorecardId.eq(scorecard))
        .all(tx)
        .await?)
}

fn check_room(existing: &[linked_item::Model], field: &str) -> DomainResult<()> {
    if existing.len() >= MAX_LINKED_ITEMS {
        return Err(DomainError::validation(
            field,
            format!(
                "a scorecard links at most {MAX_LINKED_ITEMS} items from above: a scorecard that shows everything its parents do focuses on nothing"
            ),
        ));
    }
    Ok(())
}

async fn insert(
    tx: &TenantTxn<'_>,
    scorecard: Uuid,
    objective: Option<Uuid>,
    measure: Option<(Uuid, Uuid)>,
) -> DomainResult<linked_item::Model> {
    tx.insert(linked_item::ActiveModel {
        id: Set(Uuid::now_v7()),
        scorecard_id: Set(scorecard),
        objective_id: Set(objective),
        measure_id: Set(measure.map(|(m, _)| m)),
        in_objective_id: Set(measure.map(|(_, o)| o)),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .await
}
