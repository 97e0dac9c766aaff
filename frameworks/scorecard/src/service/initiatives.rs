//! Initiatives: the projects that serve objectives. Admins create them,
//! choose what they serve and delete them; an initiative's owner (and
//! admins) report its progress: status, percent complete, actual cost,
//! milestones. Its health is shown on its objectives, and joins their
//! scores only when it counts toward them (as a leading child: efforts
//! predict outcomes), scored by schedule.

use std::collections::HashSet;

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, Set};
use throughline_domain::entity::person;
use throughline_domain::kit::{
    Change, DomainError, DomainResult, Role, TenantScope, TenantTxn, check_version, date_in_range,
    from_stored, optional_text, required_text, stored_enum, to_stored,
};
use uuid::Uuid;

use crate::entity::{initiative, initiative_objective, milestone, objective};

/// The most objectives one initiative serves.
pub const MAX_OBJECTIVES_PER_INITIATIVE: usize = 20;
/// The most milestones one initiative has.
pub const MAX_MILESTONES: usize = 50;

stored_enum!(
    /// Where an initiative stands, as its owner reports it.
    InitiativeStatus as "ScorecardInitiativeStatus" {
        /// Planned, not begun.
        NotStarted => "NOT_STARTED",
        /// Going as planned.
        OnTrack => "ON_TRACK",
        /// Likely to slip unless something changes.
        AtRisk => "AT_RISK",
        /// Behind its dates.
        Late => "LATE",
        /// Finished.
        Done => "DONE",
        /// Stopped before finishing.
        Cancelled => "CANCELLED",
    }
);

/// A milestone as written: its ID to keep an existing one.
#[derive(Clone, Debug)]
pub struct MilestoneInput {
    pub id: Option<Uuid>,
    pub title: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

/// A new initiative.
pub struct NewInitiative {
    pub title: String,
    pub description: Option<String>,
    pub owner_id: Option<Uuid>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub objective_ids: Vec<Uuid>,
    pub status: InitiativeStatus,
    pub percent_complete: i32,
    pub budget: Option<Decimal>,
    pub actual_cost: Option<Decimal>,
    pub counts_toward_score: bool,
    pub milestones: Vec<MilestoneInput>,
}

/// Changes to an initiative; `None` keeps a field. `Some(None)` clears an
/// optional one.
#[derive(Default)]
pub struct InitiativeChanges {
    pub version: i32,
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub owner_id: Option<Option<Uuid>>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub objective_ids: Option<Vec<Uuid>>,
    pub status: Option<InitiativeStatus>,
    pub percent_complete: Option<i32>,
    pub budget: Option<Option<Decimal>>,
    pub actual_cost: Option<Option<Decimal>>,
    pub counts_toward_score: Option<bool>,
    pub milestones: Option<Vec<MilestoneInput>>,
}

impl InitiativeChanges {
    /// Whether only what an owner reports changes: progress, cost, milestones.
    fn progress_only(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.owner_id.is_none()
            && self.starts_on.is_none()
            && self.ends_on.is_none()
            && self.objective_ids.is_none()
            && self.budget.is_none()
            && self.counts_toward_score.is_none()
    }
}

fn money(field: &str, value: Option<Decimal>) -> DomainResult<Option<String>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let value = throughline_domain::kit::business_number(field, value)?;
    if value < Decimal::ZERO {
        return Err(DomainError::validation(field, "an amount is not negative"));
    }
    Ok(Some(to_stored(value)))
}

fn check_dates(starts_on: NaiveDate, ends_on: NaiveDate) -> DomainResult<()> {
    date_in_range("input.startsOn", starts_on)?;
    date_in_range("input.endsOn", ends_on)?;
    if ends_on < starts_on {
        return Err(DomainError::validation(
            "input.endsOn",
            format!("ends ({ends_on}) before it starts ({starts_on})"),
        ));
    }
    Ok(())
}

fn check_percent(percent: i32) -> DomainResult<i32> {
    if (0..=100).contains(&percent) {
        Ok(percent)
    } else {
        Err(DomainError::validation(
            "input.percentComplete",
            "a percentage from 0 to 100",
        ))
    }
}

async fn check_objectives(tx: &TenantTxn<'_>, ids: &[Uuid]) -> DomainResult<Vec<Uuid>> {
    // In the order given, each once; a set keeps a long list linear.
    let mut seen = HashSet::new();
    let unique: Vec<Uuid> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    if unique.is_empty() {
        return Err(DomainError::validation(
            "input.objectiveIds",
            "an initiative serves at least one objective",
        ));
    }
    if unique.len() > MAX_OBJECTIVES_PER_INITIATIVE {
        return Err(DomainError::validation(
            "input.objectiveIds",
            format!("an initiative serves at most {MAX_OBJECTIVES_PER_INITIATIVE} objectives"),
        ));
    }
    let found: HashSet<Uuid> = tx
        .select::<objective::Entity>()
        .filter(objective::Column::Id.is_in(unique.iter().copied()))
        .all(tx)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    if let Some(i) = unique.iter().position(|id| !found.contains(id)) {
        return Err(DomainError::validation(
            format!("input.objectiveIds[{i}]"),
            "no objective with that id in this tenant",
        ));
    }
    Ok(unique)
}

fn check_milestones(
    milestones: &[MilestoneInput],
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) -> DomainResult<Vec<MilestoneInput>> {
    if milestones.len() > MAX_MILESTONES {
        return Err(DomainError::validation(
            "input.milestones",
            format!("at most {MAX_MILESTONES} milestones"),
        ));
    }
    milestones
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let field = |f: &str| format!("input.milestones[{i}].{f}");
            let title = required_text(&field("title"), &m.title, 200)?;
            date_in_range(&field("dueOn"), m.due_on)?;
            if m.due_on < starts_on || m.due_on > ends_on {
                return Err(DomainError::validation(
                    field("dueOn"),
                    format!(
                        "{} lies outside the initiative's dates ({starts_on} to {ends_on})",
                        m.due_on
                    ),
                ));
            }
            if let Some(done) = m.done_on {
                date_in_range(&field("doneOn"), done)?;
            }
            Ok(MilestoneInput {
                id: m.id,
                title,
                due_on: m.due_on,
                done_on: m.done_on,
            })
        })
        .collect()
}

async fn check_owner(tx: &TenantTxn<'_>, owner: Option<Uuid>) -> DomainResult<()> {
    if let Some(owner) = owner {
        tx.reference::<person::Entity>(owner, "input.ownerId", "person")
            .await?;
    }
    Ok(())
}

/// Replaces an initiative's milestones: those named by ID are kept (and
/// rewritten), the others removed, the new ones added.
async fn write_milestones(
    tx: &TenantTxn<'_>,
    initiative: Uuid,
    milestones: Vec<MilestoneInput>,
) -> DomainResult<()> {
    let existing: HashSet<Uuid> = tx
        .select::<milestone::Entity>()
        .filter(milestone::Column::InitiativeId.eq(initiative))
        .all(tx)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    for (i, m) in milestones.iter().enumerate() {
        if let Some(id) = &m.id
            && !existing.contains(id)
        {
            return Err(DomainError::validation(
                format!("input.milestones[{i}].id"),
                "not a milestone of this initiative",
            ));
        }
    }
    tx.delete::<milestone::Entity>()
        .filter(milestone::Column::InitiativeId.eq(initiative))
        .exec()
        .await?;
    let rows: Vec<milestone::ActiveModel> = milestones
        .into_iter()
        .enumerate()
        .map(|(position, m)| milestone::ActiveModel {
            id: Set(m.id.unwrap_or_else(Uuid::now_v7)),
            initiative_id: Set(initiative),
            title: Set(m.title),
            due_on: Set(m.due_on),
            done_on: Set(m.done_on),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            ..Default::default()
        })
        .collect();
    if !rows.is_empty() {
        tx.insert_many(rows).await?;
    }
    Ok(())
}

async fn write_objectives(tx: &TenantTxn<'_>, initiative: Uuid, ids: &[Uuid]) -> DomainResult<()> {
    tx.delete::<initiative_objective::Entity>()
        .filter(initiative_objective::Column::InitiativeId.eq(initiative))
        .exec()
        .await?;
    tx.insert_many(
        ids.iter()
            .map(|objective| initiative_objective::ActiveModel {
                id: Set(Uuid::now_v7()),
                initiative_id: Set(initiative),
                objective_id: Set(*objective),
                ..Default::default()
            }),
    )
    .await
}

/// An initiative with what it serves and its milestones, for the audit log.
#[derive(serde::Serialize)]
struct Record<'a> {
    #[serde(flatten)]
    initiative: &'a initiative::Model,
    objective_ids: &'a [Uuid],
    milestones: &'a [milestone::Model],
}

async fn linked(tx: &TenantTxn<'_>, id: Uuid) -> DomainResult<(Vec<Uuid>, Vec<milestone::Model>)> {
    let objectives = tx
        .select::<initiative_objective::Entity>()
        .filter(initiative_objective::Column::InitiativeId.eq(id))
        .all(tx)
        .await?
        .into_iter()
        .map(|l| l.objective_id)
        .collect();
    let milestones = tx
        .select::<milestone::Entity>()
        .filter(milestone::Column::InitiativeId.eq(id))
        .order_by_asc(milestone::Column::Position)
        .all(tx)
        .await?;
    Ok((objectives, milestones))
}

/// Creates an initiative (admins).
pub async fn create(scope: &TenantScope, input: NewInitiative) -> DomainResult<initiative::Model> {
    super::require_designer(scope, "creating initiatives")?;
    let title = required_text("input.title", &input.title, 200)?;
    let description = optional_text("input.description", input.description.as_deref(), 4000)?;
    check_dates(input.starts_on, input.ends_on)?;
    let percent = check_percent(input.percent_complete)?;
    let budget = money("input.budget", input.budget)?;
    let actual_cost = money("input.actualCost", input.actual_cost)?;
    let milestones = check_milestones(&input.milestones, input.starts_on, input.ends_on)?;
    if milestones.iter().any(|m| m.id.is_some()) {
        return Err(DomainError::validation(
            "input.milestones",
            "a new initiative's milestones are new: leave out their ids",
        ));
    }
    let mut tx = scope.begin().await?;
    check_owner(&tx, input.owner_id).await?;
    let objectives = check_objectives(&tx, &input.objective_ids).await?;
    let now = Utc::now();
    let row = tx
        .insert(initiative::ActiveModel {
            id: Set(Uuid::now_v7()),
            title: Set(title),
            description: Set(description),
            owner_id: Set(input.owner_id),
            starts_on: Set(input.starts_on),
            ends_on: Set(input.ends_on),
            status: Set(input.status.as_str().to_string()),
            percent_complete: Set(percent),
            budget: Set(budget),
            actual_cost: Set(actual_cost),
            counts_toward_score: Set(input.counts_toward_score),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    write_objectives(&tx, row.id, &objectives).await?;
    write_milestones(&tx, row.id, milestones).await?;
    let (objective_ids, milestones) = linked(&tx, row.id).await?;
    tx.record(Change::created(
        "scorecard_initiative.created",
        "ScorecardInitiative",
        row.id,
        &Record {
            initiative: &row,
            objective_ids: &objective_ids,
            milestones: &milestones,
        },
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(row)
}

/// Changes an initiative: admins anything; its owner its progress (status,
/// percent complete, actual cost, milestones).
pub async fn update(
    scope: &TenantScope,
    id: Uuid,
    changes: InitiativeChanges,
) -> DomainResult<initiative::Model> {
    scope.require_role(
        &[Role::Admin, Role::Manager, Role::Member],
        "changing initiatives",
    )?;
    let mut tx = scope.begin().await?;
    let before = tx.load::<initiative::Entity>(id, "initiative").await?;
    let actor = scope.actor();
    let is_owner = actor.person_id.is_some() && actor.person_id == before.owner_id;
    if actor.role != Role::Admin {
        if !is_owner {
            return Err(DomainError::Forbidden(
                "an initiative's progress is reported by its owner or an admin".into(),
            ));
        }
        if !changes.progress_only() {
            return Err(DomainError::Forbidden(
                "an initiative's owner reports its progress (status, percent complete, actual cost, milestones); admins change the rest".into(),
            ));
        }
    }
    check_version(before.version, changes.version, "initiative")?;
    let mut after = before.clone();
    if let Some(title) = &changes.title {
        after.title = required_text("input.title", title, 200)?;
    }
    if let Some(description) = &changes.description {
        after.description = optional_text("input.description", description.as_deref(), 4000)?;
    }
    if let Some(owner) = changes.owner_id {
        check_owner(&tx, owner).await?;
        after.owner_id = owner;
    }
    after.starts_on = changes.starts_on.unwrap_or(before.starts_on);
    after.ends_on = changes.ends_on.unwrap_or(before.ends_on);
    check_dates(after.starts_on, after.ends_on)?;
    if let Some(status) = changes.status {
        after.status = status.as_str().to_string();
    }
    if let Some(percent) = changes.percent_complete {
        after.percent_complete = check_percent(percent)?;
    }
    if let Some(budget) = changes.budget {
        after.budget = money("input.budget", budget)?;
    }
    if let Some(cost) = changes.actual_cost {
        after.actual_cost = money("input.actualCost", cost)?;
    }
    if let Some(counts) = changes.counts_toward_score {
        after.counts_toward_score = counts;
    }
    let (before_objectives, before_milestones) = linked(&tx, id).await?;
    if let Some(ids) = &changes.objective_ids {
        let objectives = check_objectives(&tx, ids).await?;
        write_objectives(&tx, id, &objectives).await?;
    }
    let milestones = match &changes.milestones {
        Some(milestones) => Some(check_milestones(
            milestones,
            after.starts_on,
            after.ends_on,
        )?),
        None if changes.starts_on.is_some() || changes.ends_on.is_some() => {
            // New dates must still hold the milestones there.
            let kept: Vec<MilestoneInput> = before_milestones
                .iter()
                .map(|m| MilestoneInput {
                    id: Some(m.id),
                    title: m.title.clone(),
                    due_on: m.due_on,
                    done_on: m.done_on,
                })
                .collect();
            check_milestones(&kept, after.starts_on, after.ends_on)?;
            None
        }
        None => None,
    };
    if let Some(milestones) = milestones {
        write_milestones(&tx, id, milestones).await?;
    }
    after.version = before.version + 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<initiative::Entity>(id, after.clone(), before.version, "initiative")
        .await?;
    let (after_objectives, after_milestones) = linked(&tx, id).await?;
    tx.record(Change::updated(
        "scorecard_initiative.updated",
        "ScorecardInitiative",
        id,
        &Record {
            initiative: &before,
            objective_ids: &before_objectives,
            milestones: &before_milestones,
        },
        &Record {
            initiative: &after,
            objective_ids: &after_objectives,
            milestones: &after_milestones,
        },
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes an initiative with its milestones (admins).
pub async fn delete(
    scope: &TenantScope,
    id: Uuid,
    version: i32,
) -> DomainResult<initiative::Model> {
    super::require_designer(scope, "deleting initiatives")?;
    let mut tx = scope.begin().await?;
    let before = tx.load::<initiative::Entity>(id, "initiative").await?;
    check_version(before.version, version, "initiative")?;
    let (objective_ids, milestones) = linked(&tx, id).await?;
    tx.delete::<initiative::Entity>()
        .filter(initiative::Column::Id.eq(id))
        .exec()
        .await?;
    tx.record(Change::deleted(
        "scorecard_initiative.deleted",
        "ScorecardInitiative",
        id,
        &Record {
            initiative: &before,
            objective_ids: &objective_ids,
            milestones: &milestones,
        },
    ))
    .await?;
    super::design_changed(&tx).await?;
    tx.commit().await?;
    Ok(before)
}

/// How an initiative stands on `today`: the share of its dates elapsed,
/// whether its progress keeps up, and its overdue milestones.
#[derive(Clone, Debug, PartialEq)]
pub struct Health {
    pub status: InitiativeStatus,
    /// The percent complete its dates call for by today (0 before it
    /// starts, 100 from its last day).
    pub expected_percent: i32,
    /// Open milestones whose day has passed.
    pub overdue_milestones: usize,
    /// Actual cost above budget.
    pub over_budget: bool,
    /// 0–10 by schedule: 10 × percent complete ÷ expected (10 when nothing
    /// is expected yet or it is done; 0 when cancelled).
    pub score: Decimal,
    pub text: String,
}

/// Judges an initiative's health on `today`.
pub fn health(
    row: &initiative::Model,
    milestones: &[milestone::Model],
    today: NaiveDate,
) -> Health {
    let status = InitiativeStatus::parse(&row.status).unwrap_or(InitiativeStatus::NotStarted);
    let total = (row.ends_on - row.starts_on).num_days() + 1;
    let elapsed = ((today - row.starts_on).num_days() + 1).clamp(0, total);
    let expected_percent = if total <= 0 {
        100
    } else {
        i32::try_from(elapsed * 100 / total).unwrap_or(100)
    };
    let overdue_milestones = milestones
        .iter()
        .filter(|m| m.done_on.is_none() && m.due_on < today)
        .count();
    let amount = |v: &Option<String>| v.as_deref().and_then(|v| from_stored(v).ok());
    let over_budget = matches!(
        (amount(&row.budget), amount(&row.actual_cost)),
        (Some(budget), Some(cost)) if cost > budget
    );
    let ten = Decimal::TEN;
    let score = match status {
        InitiativeStatus::Done => ten,
        InitiativeStatus::Cancelled => Decimal::ZERO,
        _ if expected_percent == 0 => ten,
        _ => (ten * Decimal::from(row.percent_complete) / Decimal::from(expected_percent))
            .min(ten)
            .round_dp(2)
            .normalize(),
    };
    let text = format!(
        "{}% complete where its dates call for {}% by {today}{}{}",
        row.percent_complete,
        expected_percent,
        match overdue_milestones {
            0 => String::new(),
            1 => "; 1 milestone overdue".to_string(),
            n => format!("; {n} milestones overdue"),
        },
        if over_budget { "; over budget" } else { "" }
    );
    Health {
        status,
        expected_percent,
        overdue_milestones,
        over_budget,
        score,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(starts: &str, ends: &str, percent: i32, status: &str) -> initiative::Model {
        initiative::Model {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            title: "Launch".into(),
            description: None,
            owner_id: None,
            starts_on: starts.parse().unwrap_or_default(),
            ends_on: ends.parse().unwrap_or_default(),
            status: status.into(),
            percent_complete: percent,
            budget: Some("100".into()),
            actual_cost: Some("120".into()),
            counts_toward_score: true,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        }
    }

    #[test]
    fn health_compares_progress_with_the_share_of_dates_elapsed() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
        // 10 days, 5 elapsed by the 5th: 50% expected; 25% done scores 5.
        let r = row("2026-01-01", "2026-01-10", 25, "ON_TRACK");
        let h = health(&r, &[], day("2026-01-05"));
        assert_eq!((h.expected_percent, h.score), (50, Decimal::from(5)));
        assert!(h.over_budget);
        // Ahead of schedule is 10, not more.
        assert_eq!(health(&r, &[], day("2026-01-01")).score, Decimal::TEN);
        // Before it starts nothing is expected; after it ends everything.
        assert_eq!(health(&r, &[], day("2025-12-01")).expected_percent, 0);
        assert_eq!(health(&r, &[], day("2026-02-01")).expected_percent, 100);
        assert_eq!(
            health(&r, &[], day("2026-02-01")).score,
            Decimal::new(25, 1)
        );
        assert_eq!(
            health(
                &row("2026-01-01", "2026-01-10", 0, "CANCELLED"),
                &[],
                day("2026-01-05")
            )
            .score,
            Decimal::ZERO
        );
        assert_eq!(
            health(
                &row("2026-01-01", "2026-01-10", 40, "DONE"),
                &[],
                day("2026-01-05")
            )
            .score,
            Decimal::TEN
        );
    }
}
