//! Strategic priorities: the tenant's few, ordered choices.

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::entity::{person, strategic_priority};
use crate::error::{DomainError, DomainResult};
use crate::tenancy::{Change, TenantScope};

use super::{check_version, optional_text, required_text};

#[derive(Clone, Debug, Default)]
pub struct NewPriority {
    pub title: String,
    pub description: Option<String>,
    pub owner_id: Option<Uuid>,
}

/// `None` leaves a field alone; `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct PriorityChanges {
    pub version: i32,
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub owner_id: Option<Option<Uuid>>,
    /// 1-based; the others shift to make room.
    pub position: Option<i32>,
}

pub async fn create(
    scope: &TenantScope,
    input: NewPriority,
) -> DomainResult<strategic_priority::Model> {
    scope.require_admin("setting strategic priorities")?;
    let title = required_text("input.title", &input.title, 200)?;
    let description = optional_text("input.description", input.description.as_deref(), 4000)?;
    let mut tx = scope.begin().await?;
    // Concurrent creates must not both pass the limit or share a position.
    tx.lock_tenant().await?;
    let existing = scope
        .select::<strategic_priority::Entity>()
        .count(&tx)
        .await? as i32;
    let limit = scope.tenant().priority_limit;
    if existing >= limit {
        return Err(DomainError::validation(
            "input",
            format!(
                "this tenant already has {existing} strategic priorities, its limit; a strategy focuses on a few (3 to 5). Retire one first, or an admin can raise the limit with updateTenant"
            ),
        ));
    }
    if let Some(owner) = input.owner_id {
        tx.reference::<person::Entity>(owner, "input.ownerId", "person")
            .await?;
    }
    let now = Utc::now();
    let model = tx
        .insert(strategic_priority::ActiveModel {
            id: Set(Uuid::now_v7()),
            title: Set(title),
            description: Set(description),
            owner_id: Set(input.owner_id),
            position: Set(existing + 1),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "strategic_priority.created",
        "StrategicPriority",
        model.id,
        &model,
    ))
    .await?;
    tx.commit().await?;
    Ok(model)
}

pub async fn update(
    scope: &TenantScope,
    id: Uuid,
    changes: PriorityChanges,
) -> DomainResult<strategic_priority::Model> {
    scope.require_admin("changing strategic priorities")?;
    let mut tx = scope.begin().await?;
    tx.lock_tenant().await?;
    let current = tx
        .load::<strategic_priority::Entity>(id, "strategic priority")
        .await?;
    check_version(current.version, changes.version, "strategic priority")?;
    let mut after = current.clone();
    if let Some(title) = &changes.title {
        after.title = required_text("input.title", title, 200)?;
    }
    if let Some(description) = &changes.description {
        after.description = optional_text("input.description", description.as_deref(), 4000)?;
    }
    if let Some(owner) = changes.owner_id {
        if let Some(owner_id) = owner {
            tx.reference::<person::Entity>(owner_id, "input.ownerId", "person")
                .await?;
        }
        after.owner_id = owner;
    }
    if let Some(position) = changes.position {
        let all = scope
            .select::<strategic_priority::Entity>()
            .order_by_asc(strategic_priority::Column::Position)
            .all(&tx)
            .await?;
        if position < 1 || position as usize > all.len() {
            return Err(DomainError::validation(
                "input.position",
                format!("the position must be between 1 and {}", all.len()),
            ));
        }
        // Renumber the others around the moved one, keeping their order.
        let mut order: Vec<Uuid> = all.iter().map(|p| p.id).filter(|p| *p != id).collect();
        order.insert(position as usize - 1, id);
        for (index, other) in order.iter().enumerate() {
            if *other == id {
                continue;
            }
            tx.update::<strategic_priority::Entity>()
                .col_expr(
                    strategic_priority::Column::Position,
                    (index as i32 + 1).into(),
                )
                .filter(strategic_priority::Column::Id.eq(*other))
                .exec()
                .await?;
        }
        after.position = position;
    }
    // Nothing changed: nothing is written (the transaction rolls back).
    if after == current {
        return Ok(current);
    }
    after.version += 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<strategic_priority::Entity>(
        id,
        after.clone(),
        current.version,
        "strategic priority",
    )
    .await?;
    tx.record(Change::updated(
        "strategic_priority.updated",
        "StrategicPriority",
        id,
        &current,
        &after,
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Retires a priority; the rest close ranks.
pub async fn delete(scope: &TenantScope, id: Uuid) -> DomainResult<strategic_priority::Model> {
    scope.require_admin("retiring strategic priorities")?;
    let mut tx = scope.begin().await?;
    tx.lock_tenant().await?;
    let current = tx
        .load::<strategic_priority::Entity>(id, "strategic priority")
        .await?;
    tx.delete::<strategic_priority::Entity>()
        .filter(strategic_priority::Column::Id.eq(id))
        .exec()
        .await?;
    tx.update::<strategic_priority::Entity>()
        .col_expr(
            strategic_priority::Column::Position,
            sea_orm::sea_query::ExprTrait::sub(
                sea_orm::sea_query::Expr::col(strategic_priority::Column::Position),
                1,
            ),
        )
        .filter(strategic_priority::Column::Position.gt(current.position))
        .exec()
        .await?;
    tx.record(Change::deleted(
        "strategic_priority.deleted",
        "StrategicPriority",
        id,
        &current,
    ))
    .await?;
    tx.commit().await?;
    Ok(current)
}
