//! The cascade: a parent objective counts objectives of scorecards of the
//! units below its own (a child's "Grow EMEA revenue" in the company's
//! "Grow recurring revenue"), so scores flow up without a copy of any
//! objective, measure or value. Admins draw contributions; a loop is
//! refused naming it.

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, Set};
use throughline_domain::kit::{Change, DomainError, DomainResult, TenantScope};
use uuid::Uuid;

use super::links::path_between;
use super::objectives::{active_objective, titled_path};
use super::{require_below, require_designer};
use crate::entity::contribution;

pub(crate) const SCORED: &str = "archived objectives are not scored";

/// The most contributors one objective counts.
pub const MAX_CONTRIBUTORS: usize = 20;

/// Counts `contributor` (an objective on a scorecard of a unit below the
/// parent's) in `objective`'s score.
pub async fn add(
    scope: &TenantScope,
    objective_id: Uuid,
    contributor_id: Uuid,
) -> DomainResult<contribution::Model> {
    require_designer(scope, "cascading scorecards")?;
    let mut tx = scope.begin().await?;
    // Two contributions added at once could close a loop neither sees.
    tx.lock_tenant().await?;
    let parent = active_objective(&tx, objective_id, "input.objectiveId", SCORED).await?;
    let child = active_objective(&tx, contributor_id, "input.contributorId", SCORED).await?;
    require_below(
        scope,
        &tx,
        (parent.scorecard_id, child.scorecard_id),
        "input.contributorId",
        format!(
            "{:?} is not on a scorecard of a unit below this objective's: scores flow up the org chart",
            child.title
        ),
    )
    .await?;
    let existing = tx.select::<contribution::Entity>().all(&tx).await?;
    if existing
        .iter()
        .any(|c| c.objective_id == objective_id && c.contributor_id == contributor_id)
    {
        return Err(DomainError::validation(
            "input.contributorId",
            "it contributes to this objective already",
        ));
    }
    if existing
        .iter()
        .filter(|c| c.objective_id == objective_id)
        .count()
        >= MAX_CONTRIBUTORS
    {
        return Err(DomainError::validation(
            "input.contributorId",
            format!("an objective counts at most {MAX_CONTRIBUTORS} contributors"),
        ));
    }
    // Contributor → parent edges; a path from the parent back to the
    // contributor would make a loop (possible once units move).
    let edges: Vec<(Uuid, Uuid)> = existing
        .iter()
        .map(|c| (c.contributor_id, c.objective_id))
        .collect();
    if let Some(path) = path_between(&edges, objective_id, contributor_id) {
        let titles = titled_path(&tx, path.into_iter().chain([objective_id])).await?;
        return Err(DomainError::validation(
            "input.contributorId",
            format!("this would make a loop: {titles} — scores flow one way"),
        ));
    }
    let row = tx
        .insert(contribution::ActiveModel {
            id: Set(Uuid::now_v7()),
            objective_id: Set(objective_id),
            contributor_id: Set(contributor_id),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "scorecard_contribution.created",
        "ScorecardObjective",
        objective_id,
        &row,
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(row)
}

/// Stops counting `contributor` in `objective`'s score.
pub async fn remove(
    scope: &TenantScope,
    objective_id: Uuid,
    contributor_id: Uuid,
) -> DomainResult<contribution::Model> {
    require_designer(scope, "cascading scorecards")?;
    let mut tx = scope.begin().await?;
    let Some(row) = tx
        .select::<contribution::Entity>()
        .filter(contribution::Column::ObjectiveId.eq(objective_id))
        .filter(contribution::Column::ContributorId.eq(contributor_id))
        .one(&tx)
        .await?
    else {
        return Err(DomainError::validation(
            "input.contributorId",
            "it does not contribute to this objective",
        ));
    };
    tx.delete::<contribution::Entity>()
        .filter(contribution::Column::Id.eq(row.id))
        .exec()
        .await?;
    tx.record(Change::deleted(
        "scorecard_contribution.deleted",
        "ScorecardObjective",
        objective_id,
        &row,
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(row)
}
