//! Scorecards: one per org unit that wants one, the company's at the root
//! unit.

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, Set};
use throughline_domain::entity::org_unit;
use throughline_domain::kit::{
    Change, DomainError, DomainResult, TenantScope, check_version, required_text,
};
use uuid::Uuid;

use super::require_designer;
use crate::entity::scorecard;

pub async fn create(
    scope: &TenantScope,
    title: &str,
    org_unit_id: Uuid,
) -> DomainResult<scorecard::Model> {
    require_designer(scope, "designing scorecards")?;
    let title = required_text("input.title", title, 200)?;
    let mut tx = scope.begin().await?;
    tx.reference::<org_unit::Entity>(org_unit_id, "input.orgUnitId", "org unit")
        .await?;
    let taken = tx
        .select::<scorecard::Entity>()
        .filter(scorecard::Column::OrgUnitId.eq(org_unit_id))
        .exists(&tx)
        .await?;
    if taken {
        return Err(DomainError::validation(
            "input.orgUnitId",
            "this org unit has a scorecard already: one per unit, which child units link to",
        ));
    }
    let now = Utc::now();
    let row = tx
        .insert(scorecard::ActiveModel {
            id: Set(Uuid::now_v7()),
            title: Set(title),
            org_unit_id: Set(Some(org_unit_id)),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "scorecard_scorecard.created",
        "Scorecard",
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
    version: i32,
    title: Option<&str>,
    org_unit_id: Option<Uuid>,
) -> DomainResult<scorecard::Model> {
    require_designer(scope, "designing scorecards")?;
    let mut tx = scope.begin().await?;
    let before = tx.load::<scorecard::Entity>(id, "scorecard").await?;
    check_version(before.version, version, "scorecard")?;
    let mut after = before.clone();
    if let Some(title) = title {
        after.title = required_text("input.title", title, 200)?;
    }
    if let Some(unit) = org_unit_id
        && before.org_unit_id != Some(unit)
    {
        tx.reference::<org_unit::Entity>(unit, "input.orgUnitId", "org unit")
            .await?;
        let taken = tx
            .select::<scorecard::Entity>()
            .filter(scorecard::Column::OrgUnitId.eq(unit))
            .exists(&tx)
            .await?;
        if taken {
            return Err(DomainError::validation(
                "input.orgUnitId",
                "this org unit has a scorecard already",
            ));
        }
        after.org_unit_id = Some(unit);
    }
    after.version = before.version + 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<scorecard::Entity>(id, after.clone(), before.version, "scorecard")
        .await?;
    tx.record(Change::updated(
        "scorecard_scorecard.updated",
        "Scorecard",
        id,
        &before,
        &after,
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a scorecard with its objectives, measures and weights (the
/// metrics and their values are the core's and stay).
pub async fn delete(scope: &TenantScope, id: Uuid, version: i32) -> DomainResult<scorecard::Model> {
    require_designer(scope, "designing scorecards")?;
    let mut tx = scope.begin().await?;
    let before = tx.load::<scorecard::Entity>(id, "scorecard").await?;
    check_version(before.version, version, "scorecard")?;
    tx.delete::<scorecard::Entity>()
        .filter(scorecard::Column::Id.eq(id))
        .exec()
        .await?;
    tx.record(Change::deleted(
        "scorecard_scorecard.deleted",
        "Scorecard",
        id,
        &before,
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(before)
}
