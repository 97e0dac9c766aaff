//! OKR rules, permissions and transactions. No GraphQL here.

pub mod alignment;
pub mod bulk;
pub mod check_ins;
pub mod cycles;
pub mod key_results;
pub mod metric_link;
pub mod objectives;
pub mod reports;
pub mod scores;
pub mod visibility;

use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use throughline_domain::entity::{person, tenant_framework};
use throughline_domain::enums::Role;
use throughline_domain::{DomainError, DomainResult, TenantScope};
use uuid::Uuid;

use crate::KEY;
use crate::entity::{co_owner, cycle, objective};
use crate::settings::OkrSettings;

/// A warning that does not stop the change (too many company objectives, an
/// objective without key results…).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
}

pub(crate) fn parse_decimal(text: &str) -> DomainResult<Decimal> {
    throughline_domain::decimal::from_stored(text)
}

pub(crate) fn optional_decimal(text: Option<&str>) -> DomainResult<Option<Decimal>> {
    text.map(parse_decimal).transpose()
}

/// A weight: positive, at most 100; 1 when omitted.
pub(crate) fn weight(field: &str, value: Option<Decimal>) -> DomainResult<Decimal> {
    let value = value.unwrap_or(Decimal::ONE);
    if value <= Decimal::ZERO || value > Decimal::from(100) {
        return Err(DomainError::validation(
            field,
            "a weight is a number above 0 and at most 100",
        ));
    }
    Ok(value)
}

/// The tenant's OKR settings (defaults when never saved).
pub async fn settings<C: ConnectionTrait>(db: &C, tenant_id: Uuid) -> DomainResult<OkrSettings> {
    let row = tenant_framework::Entity::find_by_id((tenant_id, KEY.to_string()))
        .one(db)
        .await?;
    Ok(row
        .map(|r| OkrSettings::from_stored(&r.settings))
        .unwrap_or_default())
}

/// Refuses changes in a closed cycle (grades are locked); admins reopen it first.
pub(crate) fn require_open(cycle: &cycle::Model) -> DomainResult<()> {
    if cycle.status == crate::model::CycleStatus::Closed.as_str() {
        return Err(DomainError::validation(
            "input",
            format!(
                "the cycle {:?} is closed and its grades are locked; an admin can reopen it",
                cycle.name
            ),
        ));
    }
    Ok(())
}

/// Whether `person` reports to `manager`, directly or not.
pub(crate) async fn reports_to<C: ConnectionTrait>(
    db: &C,
    scope: &TenantScope,
    person_id: Uuid,
    manager: Uuid,
) -> DomainResult<bool> {
    Ok(scope
        .select::<person::Entity>()
        .filter(person::Column::Id.eq(person_id))
        .filter(throughline_domain::service::people::reporting_line_of(
            db.get_database_backend(),
            scope.tenant_id(),
            manager,
        ))
        .count(db)
        .await?
        > 0)
}

/// Who may change an objective (and its key results): admins; its owner and
/// co-owners; managers for objectives owned in their reporting line and their
/// org unit's team objectives.
pub(crate) async fn can_edit<C: ConnectionTrait>(
    db: &C,
    scope: &TenantScope,
    objective: &objective::Model,
) -> DomainResult<bool> {
    let actor = scope.actor();
    if actor.role == Role::Admin {
        return Ok(true);
    }
    let Some(me) = actor.person_id else {
        return Ok(false);
    };
    if objective.owner_id == me {
        return Ok(true);
    }
    let co_owned = co_owner::Entity::find()
        .filter(co_owner::Column::ObjectiveId.eq(objective.id))
        .filter(co_owner::Column::PersonId.eq(me))
        .count(db)
        .await?
        > 0;
    if co_owned {
        return Ok(true);
    }
    if actor.role != Role::Manager {
        return Ok(false);
    }
    if objective.level == crate::model::Level::Team.as_str() && objective.org_unit_id.is_some() {
        let mine = scope
            .select::<person::Entity>()
            .filter(person::Column::Id.eq(me))
            .one(db)
            .await?
            .and_then(|p| p.org_unit_id);
        if mine == objective.org_unit_id {
            return Ok(true);
        }
    }
    reports_to(db, scope, objective.owner_id, me).await
}

pub(crate) async fn require_edit<C: ConnectionTrait>(
    db: &C,
    scope: &TenantScope,
    objective: &objective::Model,
) -> DomainResult<()> {
    if can_edit(db, scope, objective).await? {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "you may change your own objectives; managers those of their reporting line and their unit's team objectives; admins all",
        ))
    }
}
