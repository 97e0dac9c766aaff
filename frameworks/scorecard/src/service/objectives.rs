//! Strategic objectives on a scorecard, each under one active perspective.

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, Set};
use throughline_domain::entity::{person, strategic_priority};
use throughline_domain::kit::{
    Change, DomainError, DomainResult, TenantScope, TenantTxn, check_version, optional_text,
    required_text,
};
use uuid::Uuid;

use super::require_designer;
use crate::Scorecard;
use crate::entity::{objective, perspective, scorecard};
use crate::model::Status;

pub struct NewObjective {
    pub scorecard_id: Uuid,
    pub perspective_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub owner_id: Option<Uuid>,
    pub priority_id: Option<Uuid>,
}

/// `None` leaves a field alone; `Some(None)` clears it.
#[derive(Default)]
pub struct ObjectiveChanges {
    pub version: i32,
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub owner_id: Option<Option<Uuid>>,
    pub priority_id: Option<Option<Uuid>>,
    pub perspective_id: Option<Uuid>,
    pub status: Option<Status>,
}

/// An active objective of this tenant, named by `field` (`VALIDATION`
/// otherwise, saying it is archived and `why` that matters).
pub(crate) async fn active_objective(
    tx: &TenantTxn<'_>,
    id: Uuid,
    field: &str,
    why: &str,
) -> DomainResult<objective::Model> {
    let row = tx
        .reference::<objective::Entity>(id, field, "objective")
        .await?;
    if row.status != Status::Active.as_str() {
        return Err(DomainError::validation(
            field,
            format!("{:?} is archived: {why}", row.title),
        ));
    }
    Ok(row)
}

/// A path of objectives as people read it: `"A" → "B" → "C"`, for the
/// message that refuses a loop.
pub(crate) async fn titled_path(
    tx: &TenantTxn<'_>,
    path: impl IntoIterator<Item = Uuid>,
) -> DomainResult<String> {
    let path: Vec<Uuid> = path.into_iter().collect();
    let titles: std::collections::HashMap<Uuid, String> = tx
        .select::<objective::Entity>()
        .filter(objective::Column::Id.is_in(path.iter().copied()))
        .all(tx)
        .await?
        .into_iter()
        .map(|o| (o.id, o.title))
        .collect();
    let mut named: Vec<String> = path
        .iter()
        .map(|id| format!("{:?}", titles.get(id).cloned().unwrap_or_default()))
        .collect();
    named.dedup();
    Ok(named.join(" → "))
}

async fn active_perspective(tx: &TenantTxn<'_>, id: Uuid) -> DomainResult<perspective::Model> {
    let row = tx
        .reference::<perspective::Entity>(id, "input.perspectiveId", "perspective")
        .await?;
    if row.status != Status::Active.as_str() {
        return Err(DomainError::validation(
            "input.perspectiveId",
            "this perspective is archived: it keeps its objectives but takes no new one",
        ));
    }
    Ok(row)
}

async fn references(
    tx: &TenantTxn<'_>,
    owner: Option<Uuid>,
    priority: Option<Uuid>,
) -> DomainResult<()> {
    if let Some(owner) = owner {
        tx.reference::<person::Entity>(owner, "input.ownerId", "person")
            .await?;
    }
    if let Some(priority) = priority {
        tx.reference::<strategic_priority::Entity>(
            priority,
            "input.priorityId",
            "strategic priority",
        )
        .await?;
    }
    Ok(())
}

pub async fn create(scope: &TenantScope, input: NewObjective) -> DomainResult<objective::Model> {
    require_designer(scope, "designing scorecards")?;
    let title = required_text("input.title", &input.title, 200)?;
    let description = optional_text("input.description", input.description.as_deref(), 4000)?;
    let settings = scope.settings::<Scorecard>(scope).await?;
    let mut tx = scope.begin().await?;
    // Two concurrent creates may not both take the last place.
    tx.lock_tenant().await?;
    tx.reference::<scorecard::Entity>(input.scorecard_id, "input.scorecardId", "scorecard")
        .await?;
    active_perspective(&tx, input.perspective_id).await?;
    references(&tx, input.owner_id, input.priority_id).await?;
    let siblings = tx
        .select::<objective::Entity>()
        .filter(objective::Column::ScorecardId.eq(input.scorecard_id))
        .order_by_desc(objective::Column::Position)
        .all(&tx)
        .await?;
    if siblings.len() as u64 >= u64::from(settings.max_objectives_per_scorecard) {
        return Err(DomainError::validation(
            "input.scorecardId",
            format!(
                "this scorecard holds its {} objectives already (the tenant's maxObjectivesPerScorecard): a scorecard says what matters most, archive or delete one first",
                settings.max_objectives_per_scorecard
            ),
        ));
    }
    let position = siblings.first().map_or(1, |o| o.position.saturating_add(1));
    let now = Utc::now();
    let row = tx
        .insert(objective::ActiveModel {
            id: Set(Uuid::now_v7()),
            scorecard_id: Set(input.scorecard_id),
            perspective_id: Set(input.perspective_id),
            title: Set(title),
            description: Set(description),
            owner_id: Set(input.owner_id),
            priority_id: Set(input.priority_id),
            status: Set(Status::Active.as_str().to_string()),
            position: Set(position),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "scorecard_objective.created",
        "ScorecardObjective",
        row.id,
        &row,
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn update(
    scope: &TenantScope,
    id: Uuid,
    changes: ObjectiveChanges,
) -> DomainResult<objective::Model> {
    require_designer(scope, "designing scorecards")?;
    let mut tx = scope.begin().await?;
    let before = tx.load::<objective::Entity>(id, "objective").await?;
    check_version(before.version, changes.version, "objective")?;
    let mut after = before.clone();
    if let Some(title) = &changes.title {
        after.title = required_text("input.title", title, 200)?;
    }
    if let Some(description) = &changes.description {
        after.description = optional_text("input.description", description.as_deref(), 4000)?;
    }
    if let Some(perspective) = changes.perspective_id
        && perspective != before.perspective_id
    {
        active_perspective(&tx, perspective).await?;
        after.perspective_id = perspective;
    }
    references(
        &tx,
        changes.owner_id.flatten(),
        changes.priority_id.flatten(),
    )
    .await?;
    if let Some(owner) = changes.owner_id {
        after.owner_id = owner;
    }
    if let Some(priority) = changes.priority_id {
        after.priority_id = priority;
    }
    if let Some(status) = changes.status {
        after.status = status.as_str().to_string();
    }
    after.version = before.version + 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<objective::Entity>(id, after.clone(), before.version, "objective")
        .await?;
    tx.record(Change::updated(
        "scorecard_objective.updated",
        "ScorecardObjective",
        id,
        &before,
        &after,
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes an objective with its measures and weights.
pub async fn delete(scope: &TenantScope, id: Uuid, version: i32) -> DomainResult<objective::Model> {
    require_designer(scope, "designing scorecards")?;
    let mut tx = scope.begin().await?;
    let before = tx.load::<objective::Entity>(id, "objective").await?;
    check_version(before.version, version, "objective")?;
    tx.delete::<objective::Entity>()
        .filter(objective::Column::Id.eq(id))
        .exec()
        .await?;
    tx.record(Change::deleted(
        "scorecard_objective.deleted",
        "ScorecardObjective",
        id,
        &before,
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(before)
}
