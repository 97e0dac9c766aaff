//! Perspectives: the tenant's ordered views a scorecard balances. The four
//! of Kaplan and Norton are made when the framework is switched on; a
//! perspective with objectives is archived, never deleted.

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, Set};
use throughline_domain::kit::{
    Change, DomainError, DomainResult, TenantScope, TenantTxn, check_version, required_text,
};
use uuid::Uuid;

use super::require_designer;
use crate::entity::{objective, perspective};
use crate::model::Status;

/// The defaults, bottom of the strategy map last: Financial on top.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("Financial", "#1f6f8b"),
    ("Customer", "#2e8b57"),
    ("Internal Process", "#c9822b"),
    ("Learning & Growth", "#7a4fa3"),
];

/// The most perspectives a tenant keeps (a scorecard balances a few).
pub const MAX_PERSPECTIVES: u64 = 12;

pub(crate) fn colour(field: &str, text: &str) -> DomainResult<String> {
    let text = text.trim();
    if text.len() == 7
        && text.starts_with('#')
        && text.chars().skip(1).all(|c| c.is_ascii_hexdigit())
    {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(DomainError::validation(
            field,
            "a colour is written #rrggbb",
        ))
    }
}

/// Makes the defaults for a tenant that has no perspective yet (switching
/// the framework on again keeps the tenant's own).
pub async fn make_defaults(tx: &TenantTxn<'_>) -> DomainResult<()> {
    if tx.select::<perspective::Entity>().exists(tx).await? {
        return Ok(());
    }
    let now = Utc::now();
    tx.insert_many(DEFAULTS.iter().enumerate().map(|(i, (name, colour))| {
        perspective::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set((*name).to_string()),
            colour: Set((*colour).to_string()),
            position: Set(i as i32 + 1),
            status: Set(Status::Active.as_str().to_string()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
    }))
    .await?;
    super::design_changed(tx).await
}

/// Every perspective, in order.
pub async fn all(scope: &TenantScope) -> DomainResult<Vec<perspective::Model>> {
    Ok(scope
        .select::<perspective::Entity>()
        .order_by_asc(perspective::Column::Position)
        .order_by_asc(perspective::Column::Id)
        .all(scope)
        .await?)
}

pub struct NewPerspective {
    pub name: String,
    pub colour: String,
    /// Omitted: after the last.
    pub position: Option<i32>,
}

fn position(value: i32) -> DomainResult<i32> {
    if (1..=1000).contains(&value) {
        Ok(value)
    } else {
        Err(DomainError::validation(
            "input.position",
            "a position is from 1 to 1000",
        ))
    }
}

pub async fn create(
    scope: &TenantScope,
    input: NewPerspective,
) -> DomainResult<perspective::Model> {
    require_designer(scope, "designing perspectives")?;
    let name = required_text("input.name", &input.name, 60)?;
    let colour = colour("input.colour", &input.colour)?;
    let mut tx = scope.begin().await?;
    tx.lock_tenant().await?;
    let existing = tx
        .select::<perspective::Entity>()
        .order_by_asc(perspective::Column::Position)
        .all(&tx)
        .await?;
    if existing.len() as u64 >= MAX_PERSPECTIVES {
        return Err(DomainError::validation(
            "input.name",
            format!(
                "a tenant keeps at most {MAX_PERSPECTIVES} perspectives: a balanced scorecard weighs a few views, not many"
            ),
        ));
    }
    if existing.iter().any(|p| p.name.eq_ignore_ascii_case(&name)) {
        return Err(DomainError::validation(
            "input.name",
            "another perspective has this name",
        ));
    }
    let last = existing.iter().map(|p| p.position).max().unwrap_or(0);
    let position = match input.position {
        Some(p) => position(p)?,
        None => (last + 1).min(1000),
    };
    let now = Utc::now();
    let row = tx
        .insert(perspective::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name),
            colour: Set(colour),
            position: Set(position),
            status: Set(Status::Active.as_str().to_string()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "scorecard_perspective.created",
        "ScorecardPerspective",
        row.id,
        &row,
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(row)
}

#[derive(Default)]
pub struct PerspectiveChanges {
    pub version: i32,
    pub name: Option<String>,
    pub colour: Option<String>,
    pub position: Option<i32>,
    pub status: Option<Status>,
}

pub async fn update(
    scope: &TenantScope,
    id: Uuid,
    changes: PerspectiveChanges,
) -> DomainResult<perspective::Model> {
    require_designer(scope, "designing perspectives")?;
    let mut tx = scope.begin().await?;
    let before = tx.load::<perspective::Entity>(id, "perspective").await?;
    check_version(before.version, changes.version, "perspective")?;
    let mut after = before.clone();
    if let Some(name) = &changes.name {
        let name = required_text("input.name", name, 60)?;
        let taken = tx
            .select::<perspective::Entity>()
            .filter(perspective::Column::Id.ne(id))
            .all(&tx)
            .await?
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(&name));
        if taken {
            return Err(DomainError::validation(
                "input.name",
                "another perspective has this name",
            ));
        }
        after.name = name;
    }
    if let Some(c) = &changes.colour {
        after.colour = colour("input.colour", c)?;
    }
    if let Some(p) = changes.position {
        after.position = position(p)?;
    }
    if let Some(status) = changes.status {
        after.status = status.as_str().to_string();
    }
    after.version = before.version + 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<perspective::Entity>(id, after.clone(), before.version, "perspective")
        .await?;
    tx.record(Change::updated(
        "scorecard_perspective.updated",
        "ScorecardPerspective",
        id,
        &before,
        &after,
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a perspective no objective uses; one in use is archived instead.
pub async fn delete(scope: &TenantScope, id: Uuid) -> DomainResult<perspective::Model> {
    require_designer(scope, "designing perspectives")?;
    let mut tx = scope.begin().await?;
    let before = tx.load::<perspective::Entity>(id, "perspective").await?;
    let used = tx
        .select::<objective::Entity>()
        .filter(objective::Column::PerspectiveId.eq(id))
        .count(&tx)
        .await?;
    if used > 0 {
        return Err(DomainError::validation(
            "input.id",
            format!(
                "{used} objectives sit under this perspective and keep their history there: archive it (status ARCHIVED) instead"
            ),
        ));
    }
    tx.delete::<perspective::Entity>()
        .filter(perspective::Column::Id.eq(id))
        .exec()
        .await?;
    tx.record(Change::deleted(
        "scorecard_perspective.deleted",
        "ScorecardPerspective",
        id,
        &before,
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(before)
}
