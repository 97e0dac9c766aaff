//! Cycles: created by hand or generated from the tenant's fiscal calendar,
//! graded and locked at close, reopened by admins (audited).

use crate::model::{CycleStatus, ObjectiveStatus};
use chrono::{Months, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder, Set};
use throughline_domain::kit::{
    Change, DomainError, DomainResult, TenantDb, TenantScope, TenantSelect, TenantTxn,
    fiscal_year_start, optional_text, required_text,
};
use uuid::Uuid;

use crate::entity::{cycle, objective};

#[derive(Clone, Debug)]
pub struct NewCycle {
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub parent_id: Option<Uuid>,
}

#[derive(Clone, Debug, Default)]
pub struct CycleChanges {
    pub version: i32,
    pub name: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// `PLANNING` ↔ `ACTIVE`; closing goes through [`close`].
    pub status: Option<CycleStatus>,
}

async fn check_dates(
    scope: &TenantScope,
    conn: &impl TenantDb,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    parent_id: Option<Uuid>,
) -> DomainResult<()> {
    if ends_on < starts_on {
        return Err(DomainError::validation(
            "input.endsOn",
            format!("the cycle ends ({ends_on}) before it starts ({starts_on})"),
        ));
    }
    if (ends_on - starts_on).num_days() > 731 {
        return Err(DomainError::validation(
            "input.endsOn",
            "a cycle lasts at most two years",
        ));
    }
    if let Some(parent_id) = parent_id {
        let parent = scope
            .select::<cycle::Entity>()
            .filter(cycle::Column::Id.eq(parent_id))
            .one(conn)
            .await?
            .ok_or_else(|| {
                DomainError::validation("input.parentId", "no cycle with that id in this tenant")
            })?;
        if starts_on < parent.starts_on || ends_on > parent.ends_on {
            return Err(DomainError::validation(
                "input.parentId",
                format!(
                    "the cycle must lie within {:?} ({} to {})",
                    parent.name, parent.starts_on, parent.ends_on
                ),
            ));
        }
    }
    Ok(())
}

async fn insert(tx: &mut TenantTxn<'_>, input: NewCycle) -> DomainResult<cycle::Model> {
    let now = Utc::now();
    let model = tx
        .insert(cycle::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(input.name),
            starts_on: Set(input.starts_on),
            ends_on: Set(input.ends_on),
            status: Set(CycleStatus::Planning.as_str().into()),
            parent_id: Set(input.parent_id),
            closing_note: Set(None),
            closed_at: Set(None),
            scores_revision: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "okr_cycle.created",
        "OkrCycle",
        model.id,
        &model,
    ))
    .await?;
    Ok(model)
}

pub async fn create(scope: &TenantScope, input: NewCycle) -> DomainResult<cycle::Model> {
    scope.require_admin("creating OKR cycles")?;
    let name = required_text("input.name", &input.name, 100)?;
    let mut tx = scope.begin().await?;
    check_dates(scope, &tx, input.starts_on, input.ends_on, input.parent_id).await?;
    let model = insert(&mut tx, NewCycle { name, ..input }).await?;
    tx.commit().await?;
    Ok(model)
}

/// Creates fiscal year `fiscal_year` and its cycles of the tenant's cycle
/// length (skipping any that already exist by name).
pub async fn generate(scope: &TenantScope, fiscal_year: i32) -> DomainResult<Vec<cycle::Model>> {
    scope.require_admin("generating OKR cycles")?;
    if !(2000..=2100).contains(&fiscal_year) {
        return Err(DomainError::validation(
            "input.fiscalYear",
            "use a year between 2000 and 2100",
        ));
    }
    let length = scope.settings::<crate::Okr>(scope).await?.cycle_length;
    // Years 2000..=2100 (checked above) are far from chrono's limits.
    #[allow(clippy::expect_used, reason = "the fiscal year is 2000..=2100")]
    let last_day = |from: NaiveDate, months: u32| {
        from.checked_add_months(Months::new(months)).expect("date") - chrono::Duration::days(1)
    };
    let is_year =
        |c: &cycle::Model| c.parent_id.is_none() && last_day(c.starts_on, 12) == c.ends_on;
    let mut tx = scope.begin().await?;
    let existing = scope.select::<cycle::Entity>().all(&tx).await?;
    let exists = |name: &str| existing.iter().find(|c| c.name == name).cloned();
    let mut created = Vec::new();
    let year_name = format!("FY{fiscal_year}");
    // A year keeps the fiscal calendar in force when it was made: its
    // sub-cycles follow its own dates, whatever the tenant's start month is
    // now, so none is ever parented under a year it does not fall in.
    let (start, year) = if let Some(year) = exists(&year_name) {
        if !is_year(&year) {
            return Err(DomainError::validation(
                "input.fiscalYear",
                format!(
                    "{year_name} exists but runs {} to {}, not a whole year: create its sub-cycles with createCycle",
                    year.starts_on, year.ends_on
                ),
            ));
        }
        (year.starts_on, year)
    } else {
        let month = scope.tenant().fiscal_year_start_month as u32;
        let start = fiscal_year_start(fiscal_year, month);
        let end = last_day(start, 12);
        if let Some(other) = existing
            .iter()
            .find(|c| is_year(c) && c.starts_on <= end && start <= c.ends_on)
        {
            return Err(DomainError::validation(
                "input.fiscalYear",
                format!(
                    "{year_name} would run {start} to {end} (the fiscal year now starts in month {month}) and overlap {:?} ({} to {}), made under the earlier calendar: years keep their dates, so bridge the change with a cycle made by createCycle",
                    other.name, other.starts_on, other.ends_on
                ),
            ));
        }
        let year = insert(
            &mut tx,
            NewCycle {
                name: year_name.clone(),
                starts_on: start,
                ends_on: last_day(start, 12),
                parent_id: None,
            },
        )
        .await?;
        created.push(year.clone());
        (start, year)
    };
    let months = length.months() as u32;
    if months < 12 {
        for index in 0..(12 / months) {
            #[allow(clippy::expect_used, reason = "the fiscal year is 2000..=2100")]
            let from = start
                .checked_add_months(Months::new(index * months))
                .expect("date");
            let prefix = match months {
                3 => "Q",
                4 => "T",
                _ => "H",
            };
            let name = format!("{year_name} {prefix}{}", index + 1);
            if exists(&name).is_some() {
                continue;
            }
            created.push(
                insert(
                    &mut tx,
                    NewCycle {
                        name,
                        starts_on: from,
                        ends_on: last_day(from, months),
                        parent_id: Some(year.id),
                    },
                )
                .await?,
            );
        }
    }
    tx.commit().await?;
    Ok(created)
}

pub async fn update(
    scope: &TenantScope,
    id: Uuid,
    changes: CycleChanges,
) -> DomainResult<cycle::Model> {
    scope.require_admin("changing OKR cycles")?;
    let tx = scope.begin().await?;
    let current = load(&tx, id, Some(changes.version)).await?;
    super::require_open(&current)?;
    let mut after = current.clone();
    if let Some(name) = &changes.name {
        after.name = required_text("input.name", name, 100)?;
    }
    after.starts_on = changes.starts_on.unwrap_or(after.starts_on);
    after.ends_on = changes.ends_on.unwrap_or(after.ends_on);
    check_dates(scope, &tx, after.starts_on, after.ends_on, after.parent_id).await?;
    if let Some(status) = changes.status {
        match status {
            CycleStatus::Closed => {
                return Err(DomainError::validation(
                    "input.status",
                    "close a cycle with closeCycle, which grades it",
                ));
            }
            CycleStatus::Archived => {
                return Err(DomainError::validation(
                    "input.status",
                    "archive a closed cycle with archiveCycle",
                ));
            }
            _ => {}
        }
        after.status = status.as_str().into();
    }
    commit_change(tx, &current, after, "okr_cycle.updated").await
}

/// Saves a changed cycle (a new version), audits it and commits.
async fn commit_change(
    mut tx: TenantTxn<'_>,
    current: &cycle::Model,
    mut after: cycle::Model,
    action: &str,
) -> DomainResult<cycle::Model> {
    after.version += 1;
    after.updated_at = Utc::now();
    save(&tx, current, &after).await?;
    tx.record(Change::updated(
        action, "OkrCycle", current.id, current, &after,
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

async fn save(
    tx: &TenantTxn<'_>,
    current: &cycle::Model,
    after: &cycle::Model,
) -> DomainResult<()> {
    let mut row = cycle::ActiveModel::from(after.clone()).reset_all();
    // Bumped, never written back: a concurrent check-in's bump must not be lost.
    row.scores_revision = sea_orm::ActiveValue::NotSet;
    let result = tx
        .update::<cycle::Entity>()
        .set(row)
        .col_expr(
            cycle::Column::ScoresRevision,
            Expr::col(cycle::Column::ScoresRevision).add(1),
        )
        .filter(cycle::Column::Id.eq(current.id))
        .filter(cycle::Column::Version.eq(current.version))
        .exec()
        .await?;
    if result == 0 {
        return Err(DomainError::stale_version("cycle"));
    }
    Ok(())
}

/// A cycle of the tenant, checked against the version the client read.
async fn load(tx: &TenantTxn<'_>, id: Uuid, version: Option<i32>) -> DomainResult<cycle::Model> {
    let current = tx
        .scope()
        .select::<cycle::Entity>()
        .filter(cycle::Column::Id.eq(id))
        .one(tx)
        .await?
        .ok_or(DomainError::not_found("cycle"))?;
    if version.is_some_and(|v| v != current.version) {
        return Err(DomainError::stale_version("cycle"));
    }
    Ok(current)
}

/// Grades every key result (its final progress) and objective (the weighted
/// mean, per its driver), then locks the cycle.
pub async fn close(
    scope: &TenantScope,
    id: Uuid,
    version: i32,
    closing_note: Option<String>,
    confirm_early_close: bool,
) -> DomainResult<cycle::Model> {
    scope.require_admin("grading and closing OKR cycles")?;
    let note = optional_text("input.closingNote", closing_note.as_deref(), 4000)?;
    let tx = scope.begin().await?;
    let current = load(&tx, id, Some(version)).await?;
    super::require_open(&current)?;
    let today = scope.today();
    if today < current.ends_on && !confirm_early_close {
        let left = (current.ends_on - today).num_days();
        return Err(DomainError::validation(
            "input.confirmEarlyClose",
            format!(
                "the cycle {:?} runs until {} ({left} more day(s)); closing now grades every objective at today's figures and locks them: pass confirmEarlyClose: true to close it early",
                current.name, current.ends_on
            ),
        ));
    }
    let mut closing = current.clone();
    closing.status = CycleStatus::Closed.as_str().into();
    closing.closed_at = Some(Utc::now());
    super::grading::grade_cycle(&tx, &closing).await?;
    // Closing the cycle closes its objectives (archived ones stay archived).
    tx.update::<objective::Entity>()
        .col_expr(
            objective::Column::Status,
            ObjectiveStatus::Closed.as_str().into(),
        )
        .col_expr(objective::Column::UpdatedAt, Utc::now().into())
        .col_expr(
            objective::Column::Version,
            Expr::col(objective::Column::Version).add(1),
        )
        .filter(objective::Column::CycleId.eq(id))
        .filter(objective::Column::Status.is_in([
            ObjectiveStatus::Draft.as_str(),
            ObjectiveStatus::Active.as_str(),
        ]))
        .exec()
        .await?;
    let mut after = closing;
    after.closing_note = note;
    commit_change(tx, &current, after, "okr_cycle.closed").await
}

/// Puts a closed cycle away: it leaves the default cycle list and stays
/// locked; `reopenCycle` brings it back.
pub async fn archive(scope: &TenantScope, id: Uuid, version: i32) -> DomainResult<cycle::Model> {
    scope.require_admin("archiving OKR cycles")?;
    let tx = scope.begin().await?;
    let current = load(&tx, id, Some(version)).await?;
    if current.status != CycleStatus::Closed.as_str() {
        return Err(DomainError::validation(
            "input.id",
            format!(
                "only a closed cycle can be archived; {:?} is {}: close it first (which grades it), or delete it if it holds nothing",
                current.name,
                current.status.to_lowercase()
            ),
        ));
    }
    let mut after = current.clone();
    after.status = CycleStatus::Archived.as_str().into();
    commit_change(tx, &current, after, "okr_cycle.archived").await
}

/// Reopens a closed or archived cycle; grades stay as they were until it
/// closes again.
pub async fn reopen(scope: &TenantScope, id: Uuid, version: i32) -> DomainResult<cycle::Model> {
    scope.require_admin("reopening OKR cycles")?;
    let tx = scope.begin().await?;
    let current = load(&tx, id, Some(version)).await?;
    if !super::is_locked(&current) {
        return Err(DomainError::validation(
            "input.id",
            "only a closed or archived cycle can be reopened",
        ));
    }
    let mut after = current.clone();
    after.status = CycleStatus::Active.as_str().into();
    after.closed_at = None;
    commit_change(tx, &current, after, "okr_cycle.reopened").await
}

/// Deletes a cycle that holds no objectives and no sub-cycles.
pub async fn delete(scope: &TenantScope, id: Uuid) -> DomainResult<cycle::Model> {
    scope.require_admin("deleting OKR cycles")?;
    let mut tx = scope.begin().await?;
    let current = load(&tx, id, None).await?;
    let objectives = scope
        .select::<objective::Entity>()
        .filter(objective::Column::CycleId.eq(id))
        .count(&tx)
        .await?;
    let children = scope
        .select::<cycle::Entity>()
        .filter(cycle::Column::ParentId.eq(id))
        .count(&tx)
        .await?;
    if objectives > 0 || children > 0 {
        return Err(DomainError::validation(
            "input.id",
            format!("the cycle still holds {objectives} objectives and {children} sub-cycles"),
        ));
    }
    tx.delete::<cycle::Entity>()
        .filter(cycle::Column::Id.eq(id))
        .exec()
        .await?;
    tx.record(Change::deleted(
        "okr_cycle.deleted",
        "OkrCycle",
        id,
        &current,
    ))
    .await?;
    tx.commit().await?;
    Ok(current)
}

/// Every cycle, latest first.
pub fn ordered(scope: &TenantScope) -> TenantSelect<cycle::Entity> {
    scope
        .select::<cycle::Entity>()
        .order_by_desc(cycle::Column::StartsOn)
}
