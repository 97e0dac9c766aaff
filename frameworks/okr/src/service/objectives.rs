//! Objectives: one accountable owner, optional co-owners, a level, a cycle.

use crate::scoring::ProgressDriver;
use chrono::Utc;
use rust_decimal::Decimal;
use std::collections::HashSet;
use throughline_domain::entity::{org_unit, person};
use throughline_domain::kit::{
    Change, DomainError, DomainResult, Role, TenantScope, TenantTxn, optional_text, required_text,
    to_stored,
};
use uuid::Uuid;

use sea_orm::{ColumnTrait, QueryFilter, Set};

use crate::entity::{co_owner, key_result, objective};
use crate::model::{Level, ObjectiveStatus};

use super::{Editable, Warning, open_for_change, require_edit, require_team_unit, weight};

/// Co-owners share an objective; past a handful it is a team objective.
pub const MAX_CO_OWNERS: usize = 20;

#[derive(Clone, Debug)]
pub struct NewObjective {
    pub cycle_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub level: Level,
    pub owner_id: Uuid,
    pub co_owner_ids: Vec<Uuid>,
    pub org_unit_id: Option<Uuid>,
    pub private: bool,
    pub weight: Option<Decimal>,
    pub progress_driver: Option<ProgressDriver>,
    pub status: Option<ObjectiveStatus>,
}

#[derive(Clone, Debug, Default)]
pub struct ObjectiveChanges {
    pub version: i32,
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub level: Option<Level>,
    pub owner_id: Option<Uuid>,
    pub co_owner_ids: Option<Vec<Uuid>>,
    pub org_unit_id: Option<Option<Uuid>>,
    pub private: Option<bool>,
    pub weight: Option<Decimal>,
    pub progress_driver: Option<ProgressDriver>,
    pub status: Option<ObjectiveStatus>,
    /// The owner's reflection for grading: what was learned.
    pub closing_note: Option<Option<String>>,
}

pub(crate) async fn load(tx: &TenantTxn<'_>, id: Uuid) -> DomainResult<objective::Model> {
    let scope = tx.scope();
    super::visibility::visible_objectives(scope)
        .filter(objective::Column::Id.eq(id))
        .one(tx)
        .await?
        .ok_or(DomainError::not_found("objective"))
}

async fn check_people(
    tx: &TenantTxn<'_>,
    owner: Uuid,
    co_owners: &[Uuid],
    unit: Option<Uuid>,
) -> DomainResult<()> {
    let scope = tx.scope();
    if co_owners.len() > MAX_CO_OWNERS {
        return Err(DomainError::validation(
            "input.coOwnerIds",
            format!("at most {MAX_CO_OWNERS} co-owners: one person is accountable"),
        ));
    }
    // Everyone named, in one query.
    let named: Vec<Uuid> = std::iter::once(owner)
        .chain(co_owners.iter().copied())
        .collect();
    let known: HashSet<Uuid> = scope
        .select::<person::Entity>()
        .filter(person::Column::Id.is_in(named))
        .all(tx)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    if !known.contains(&owner) {
        return Err(DomainError::validation(
            "input.ownerId",
            "no person with that id in this tenant",
        ));
    }
    for (index, id) in co_owners.iter().enumerate() {
        let field = format!("input.coOwnerIds[{index}]");
        if *id == owner {
            return Err(DomainError::validation(
                field,
                "the owner is not also a co-owner",
            ));
        }
        if co_owners.iter().take(index).any(|earlier| earlier == id) {
            return Err(DomainError::validation(
                field,
                "this person is listed twice",
            ));
        }
        if !known.contains(id) {
            return Err(DomainError::validation(
                field,
                "no person with that id in this tenant",
            ));
        }
    }
    if let Some(unit) = unit
        && scope
            .select::<org_unit::Entity>()
            .filter(org_unit::Column::Id.eq(unit))
            .count(tx)
            .await?
            == 0
    {
        return Err(DomainError::validation(
            "input.orgUnitId",
            "no org unit with that id in this tenant",
        ));
    }
    Ok(())
}

fn check_level(scope: &TenantScope, level: Level, unit: Option<Uuid>) -> DomainResult<()> {
    if level == Level::Company && scope.actor().role != Role::Admin {
        return Err(DomainError::forbidden(
            "company objectives are set by admins",
        ));
    }
    if level == Level::Team && unit.is_none() {
        return Err(DomainError::validation(
            "orgUnitId",
            "a team objective names its org unit",
        ));
    }
    Ok(())
}

async fn replace_co_owners(
    tx: &TenantTxn<'_>,
    objective_id: Uuid,
    co_owners: &[Uuid],
) -> DomainResult<()> {
    tx.delete::<co_owner::Entity>()
        .filter(co_owner::Column::ObjectiveId.eq(objective_id))
        .exec()
        .await?;
    for person_id in co_owners {
        tx.insert(co_owner::ActiveModel {
            objective_id: Set(objective_id),
            person_id: Set(*person_id),
            ..Default::default()
        })
        .await?;
    }
    Ok(())
}

/// Soft warnings about an objective as it now stands.
pub(crate) async fn warnings(
    tx: &TenantTxn<'_>,
    model: &objective::Model,
) -> DomainResult<Vec<Warning>> {
    let scope = tx.scope();
    let settings = scope.settings::<crate::Okr>(tx).await?;
    let mut out = Vec::new();
    if model.level == Level::Company.as_str() {
        let company = scope
            .select::<objective::Entity>()
            .filter(objective::Column::CycleId.eq(model.cycle_id))
            .filter(objective::Column::Level.eq(Level::Company.as_str()))
            .filter(objective::Column::Status.ne(ObjectiveStatus::Archived.as_str()))
            .count(tx)
            .await?;
        if company > settings.company_objective_limit as u64 {
            out.push(Warning {
                code: "TOO_MANY_COMPANY_OBJECTIVES",
                message: format!(
                    "the cycle has {company} company objectives; focus on at most {}",
                    settings.company_objective_limit
                ),
            });
        }
    }
    let key_results = scope
        .select::<key_result::Entity>()
        .filter(key_result::Column::ObjectiveId.eq(model.id))
        .count(tx)
        .await?;
    if key_results == 0 {
        out.push(Warning {
            code: "NO_KEY_RESULTS",
            message: "the objective has no key results yet: how will you know it is achieved?"
                .into(),
        });
    } else if key_results > settings.key_result_soft_limit as u64 {
        out.push(Warning {
            code: "TOO_MANY_KEY_RESULTS",
            message: format!(
                "{key_results} key results; more than {} dilutes focus",
                settings.key_result_soft_limit
            ),
        });
    }
    if model.level != Level::Company.as_str() {
        let aligned = scope
            .select::<crate::entity::alignment::Entity>()
            .filter(crate::entity::alignment::Column::ObjectiveId.eq(model.id))
            .count(tx)
            .await?;
        if aligned == 0 {
            out.push(Warning {
                code: "NOT_ALIGNED",
                message: "the objective is aligned to nothing: align it to a parent objective, a key result or a strategic priority".into(),
            });
        }
    }
    Ok(out)
}

pub async fn create(
    scope: &TenantScope,
    input: NewObjective,
) -> DomainResult<(objective::Model, Vec<Warning>)> {
    let mut tx = scope.begin().await?;
    let model = insert(&mut tx, input, "input").await?;
    let warnings = warnings(&tx, &model).await?;
    tx.commit().await?;
    Ok((model, warnings))
}

/// Inserts one objective inside a running transaction (also used by the bulk
/// load); `prefix` names the input for errors.
pub(crate) async fn insert(
    tx: &mut TenantTxn<'_>,
    input: NewObjective,
    prefix: &str,
) -> DomainResult<objective::Model> {
    let scope = tx.scope();
    let title = required_text("title", &input.title, 300).map_err(|e| e.within(prefix))?;
    let description = optional_text("description", input.description.as_deref(), 4000)
        .map_err(|e| e.within(prefix))?;
    let weight = weight("weight", input.weight).map_err(|e| e.within(prefix))?;
    check_level(scope, input.level, input.org_unit_id).map_err(|e| e.within(prefix))?;
    if let Some(unit) = input.org_unit_id.filter(|_| input.level == Level::Team) {
        require_team_unit(tx, unit).await?;
    }
    let cycle = open_for_change(tx, input.cycle_id, "cycleId")
        .await
        .map_err(|e| e.within(prefix))?;
    check_people(tx, input.owner_id, &input.co_owner_ids, input.org_unit_id)
        .await
        .map_err(|e| rename(e, prefix))?;
    let id = Uuid::now_v7();
    // The editor's reach is checked on what is about to be stored.
    require_edit(
        tx,
        scope,
        Editable {
            id,
            owner_id: input.owner_id,
            team_unit: input.org_unit_id.filter(|_| input.level == Level::Team),
        },
    )
    .await?;
    let now = Utc::now();
    let model = tx
        .insert(objective::ActiveModel {
            id: Set(id),
            cycle_id: Set(cycle.id),
            title: Set(title),
            description: Set(description),
            level: Set(input.level.as_str().into()),
            owner_id: Set(input.owner_id),
            org_unit_id: Set(input.org_unit_id),
            status: Set(input
                .status
                .unwrap_or(ObjectiveStatus::Draft)
                .as_str()
                .into()),
            private: Set(input.private),
            weight: Set(to_stored(weight)),
            progress_driver: Set(input
                .progress_driver
                .unwrap_or(ProgressDriver::KeyResults)
                .as_str()
                .into()),
            grade: Set(None),
            closing_note: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    replace_co_owners(tx, model.id, &input.co_owner_ids).await?;
    tx.record(Change::created(
        "okr_objective.created",
        "OkrObjective",
        model.id,
        &model,
    ))
    .await?;
    Ok(model)
}

/// `input.x` errors from helpers that name `input.*` re-prefixed for bulk items.
fn rename(error: DomainError, prefix: &str) -> DomainError {
    match error {
        DomainError::Validation { field, message } if prefix != "input" => {
            DomainError::Validation {
                field: field.replacen("input", prefix, 1),
                message,
            }
        }
        other => other,
    }
}

pub async fn update(
    scope: &TenantScope,
    id: Uuid,
    changes: ObjectiveChanges,
) -> DomainResult<(objective::Model, Vec<Warning>)> {
    let mut tx = scope.begin().await?;
    let current = load(&tx, id).await?;
    require_edit(&tx, scope, &current).await?;
    if current.version != changes.version {
        return Err(DomainError::stale_version("objective"));
    }
    open_for_change(&tx, current.cycle_id, "input.id").await?;
    let mut after = current.clone();
    if let Some(title) = &changes.title {
        after.title = required_text("input.title", title, 300)?;
    }
    if let Some(description) = &changes.description {
        after.description = optional_text("input.description", description.as_deref(), 4000)?;
    }
    if let Some(level) = changes.level {
        after.level = level.as_str().into();
    }
    if let Some(owner) = changes.owner_id {
        after.owner_id = owner;
    }
    if let Some(unit) = changes.org_unit_id {
        after.org_unit_id = unit;
    }
    if let Some(private) = changes.private {
        after.private = private;
    }
    if let Some(w) = changes.weight {
        after.weight = to_stored(weight("input.weight", Some(w))?);
    }
    if let Some(driver) = changes.progress_driver {
        after.progress_driver = driver.as_str().into();
    }
    if let Some(status) = changes.status {
        after.status = status.as_str().into();
    }
    if let Some(note) = &changes.closing_note {
        after.closing_note = optional_text("input.closingNote", note.as_deref(), 4000)?;
    }
    check_level(scope, Level::parse(&after.level)?, after.org_unit_id)
        .map_err(|e| e.within("input"))?;
    let team_unit =
        |o: &objective::Model| o.org_unit_id.filter(|_| o.level == Level::Team.as_str());
    if let Some(unit) = team_unit(&after).filter(|unit| team_unit(&current) != Some(*unit)) {
        require_team_unit(&tx, unit).await?;
    }
    let co_owners = changes.co_owner_ids.clone().unwrap_or_default();
    check_people(&tx, after.owner_id, &co_owners, after.org_unit_id).await?;
    // The new owner or unit must also be within the editor's reach.
    require_edit(&tx, scope, &after).await?;
    after.version += 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<objective::Entity>(id, after.clone(), current.version, "objective")
        .await?;
    if changes.co_owner_ids.is_some() {
        replace_co_owners(&tx, id, &co_owners).await?;
    }
    let action = match changes.status {
        Some(ObjectiveStatus::Closed) => "okr_objective.closed",
        Some(ObjectiveStatus::Archived) => "okr_objective.archived",
        _ => "okr_objective.updated",
    };
    tx.record(Change::updated(
        action,
        "OkrObjective",
        id,
        &current,
        &after,
    ))
    .await?;
    let warnings = warnings(&tx, &after).await?;
    tx.commit().await?;
    Ok((after, warnings))
}

/// Deletes a draft objective (with its key results and alignments); anything
/// past draft is archived instead, to keep its history.
pub async fn delete(scope: &TenantScope, id: Uuid) -> DomainResult<objective::Model> {
    let mut tx = scope.begin().await?;
    let current = load(&tx, id).await?;
    require_edit(&tx, scope, &current).await?;
    if current.status != ObjectiveStatus::Draft.as_str() {
        return Err(DomainError::validation(
            "input.id",
            "only draft objectives can be deleted; archive it instead",
        ));
    }
    open_for_change(&tx, current.cycle_id, "input.id").await?;
    tx.delete::<objective::Entity>()
        .filter(objective::Column::Id.eq(id))
        .exec()
        .await?;
    tx.record(Change::deleted(
        "okr_objective.deleted",
        "OkrObjective",
        id,
        &current,
    ))
    .await?;
    tx.commit().await?;
    Ok(current)
}
