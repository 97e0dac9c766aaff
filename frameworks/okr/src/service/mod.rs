//! OKR rules, permissions and transactions. No GraphQL here.

pub mod alignment;
pub mod bulk;
pub mod check_ins;
pub mod cycles;
pub mod exceptions;
pub mod grading;
pub mod key_results;
pub mod metric_link;
pub mod objectives;
pub mod outline;
pub mod reports;
pub mod score_cache;
pub mod scores;
pub mod visibility;

use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
use throughline_domain::entity::{org_unit, person};
use throughline_domain::kit::{
    DomainError, DomainResult, Role, TenantDb, TenantScope, TenantTxn, Walk,
};
use throughline_domain::service::org_units::ORG_CHART;
use uuid::Uuid;

use crate::entity::{co_owner, cycle, objective};
use crate::settings::MemberTeamReach;

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
    if value <= Decimal::ZERO
        || value > Decimal::from(100)
        || value.normalize().scale() > throughline_domain::numbers::MAX_SCALE
    {
        return Err(DomainError::validation(
            field,
            "a weight is a number above 0 and at most 100, with at most 10 decimal places",
        ));
    }
    Ok(value)
}

/// Whether a cycle's grades are locked (closed or archived).
pub(crate) fn is_locked(cycle: &cycle::Model) -> bool {
    cycle.status == crate::model::CycleStatus::Closed.as_str()
        || cycle.status == crate::model::CycleStatus::Archived.as_str()
}

/// Refuses changes in a closed or archived cycle (grades are locked); admins
/// reopen it first.
pub(crate) fn require_open(cycle: &cycle::Model) -> DomainResult<()> {
    if is_locked(cycle) {
        return Err(DomainError::validation(
            "input",
            format!(
                "the cycle {:?} is {} and its grades are locked; an admin can reopen it",
                cycle.name,
                cycle.status.to_lowercase()
            ),
        ));
    }
    Ok(())
}

/// A tenant's cycle, or a validation error on `field`.
pub(crate) async fn cycle_of(
    tx: &TenantTxn<'_>,
    cycle_id: Uuid,
    field: &str,
) -> DomainResult<cycle::Model> {
    tx.scope()
        .select::<cycle::Entity>()
        .filter(cycle::Column::Id.eq(cycle_id))
        .one(tx)
        .await?
        .ok_or_else(|| DomainError::validation(field, "no OKR cycle with that id in this tenant"))
}

/// Bumps the cycle's scores revision in the writing transaction. Every write
/// that can move a figure of the cycle (progress, health, an explanation's
/// inputs) calls this, so cached scores keyed by the revision are never served
/// once the write commits, in this process or any other.
pub(crate) async fn figures_changed(tx: &TenantTxn<'_>, cycle_id: Uuid) -> DomainResult<()> {
    tx.update::<cycle::Entity>()
        .col_expr(
            cycle::Column::ScoresRevision,
            Expr::col(cycle::Column::ScoresRevision).add(1),
        )
        .filter(cycle::Column::Id.eq(cycle_id))
        .exec()
        .await?;
    Ok(())
}

/// The cycle a change lands in: it must be open, and its figures are about to
/// move.
pub(crate) async fn open_for_change(
    tx: &TenantTxn<'_>,
    cycle_id: Uuid,
    field: &str,
) -> DomainResult<cycle::Model> {
    let cycle = cycle_of(tx, cycle_id, field).await?;
    require_open(&cycle)?;
    figures_changed(tx, cycle_id).await?;
    Ok(cycle)
}

/// Whether `person` reports to `manager`, directly or not.
pub(crate) async fn reports_to<C: TenantDb>(
    db: &C,
    scope: &TenantScope,
    person_id: Uuid,
    manager: Uuid,
) -> DomainResult<bool> {
    Ok(scope
        .select::<person::Entity>()
        .filter(person::Column::Id.eq(person_id))
        .filter(throughline_domain::service::people::in_reporting_line(
            scope,
            person::Column::Id,
            manager,
        ))
        .count(db)
        .await?
        > 0)
}

/// What the edit rule looks at: an objective stored, or one about to be.
pub(crate) struct Editable {
    pub id: Uuid,
    pub owner_id: Uuid,
    /// The org unit of a team objective.
    pub team_unit: Option<Uuid>,
}

impl From<&objective::Model> for Editable {
    fn from(objective: &objective::Model) -> Self {
        Self {
            id: objective.id,
            owner_id: objective.owner_id,
            team_unit: objective
                .org_unit_id
                .filter(|_| objective.level == crate::model::Level::Team.as_str()),
        }
    }
}

/// Who may change an objective (and its key results): admins; its owner and
/// co-owners; managers for objectives owned in their reporting line and their
/// org unit's team objectives.
pub(crate) async fn can_edit<C: TenantDb>(
    db: &C,
    scope: &TenantScope,
    objective: impl Into<Editable>,
) -> DomainResult<bool> {
    let objective: Editable = objective.into();
    let actor = scope.actor();
    if actor.role == Role::Admin {
        return Ok(true);
    }
    let Some(me) = actor.person_id else {
        return Ok(false);
    };
    if owns_or_co_owns(db, scope, objective.id, objective.owner_id, me).await? {
        return Ok(true);
    }
    if actor.role != Role::Manager {
        return Ok(false);
    }
    if objective.team_unit.is_some() && own_org_unit(db, scope, me).await? == objective.team_unit {
        return Ok(true);
    }
    reports_to(db, scope, objective.owner_id, me).await
}

/// Whether `person` owns the objective (`owner`) or co-owns it.
pub(crate) async fn owns_or_co_owns<C: TenantDb>(
    db: &C,
    scope: &TenantScope,
    objective: Uuid,
    owner: Uuid,
    person: Uuid,
) -> DomainResult<bool> {
    if owner == person {
        return Ok(true);
    }
    Ok(scope
        .select::<co_owner::Entity>()
        .filter(co_owner::Column::ObjectiveId.eq(objective))
        .filter(co_owner::Column::PersonId.eq(person))
        .exists(db)
        .await?)
}

/// The org unit `person` works in.
async fn own_org_unit<C: TenantDb>(
    db: &C,
    scope: &TenantScope,
    person: Uuid,
) -> DomainResult<Option<Uuid>> {
    Ok(scope
        .select::<person::Entity>()
        .filter(person::Column::Id.eq(person))
        .one(db)
        .await?
        .and_then(|p| p.org_unit_id))
}

/// Who may set a team objective for an org unit: admins anywhere; managers
/// for their own unit and the units they lead (head) with every unit below
/// them; members for their own unit (and the units below it, if the
/// tenant's `memberTeamObjectives` setting says so).
pub(crate) async fn require_team_unit(tx: &TenantTxn<'_>, unit: Uuid) -> DomainResult<()> {
    let scope = tx.scope();
    let actor = scope.actor();
    if actor.role == Role::Admin {
        return Ok(());
    }
    let refused = || {
        DomainError::forbidden(
            "team objectives are set by members for their own org unit, by managers for the units they lead, by admins anywhere",
        )
    };
    let Some(me) = actor.person_id else {
        return Err(refused());
    };
    let own_unit = own_org_unit(tx, scope, me).await?;
    if own_unit == Some(unit) {
        return Ok(());
    }
    let roots: Vec<Uuid> = if actor.role == Role::Manager {
        scope
            .select::<org_unit::Entity>()
            .select_only()
            .column(org_unit::Column::Id)
            .filter(org_unit::Column::HeadPersonId.eq(me))
            .into_tuple::<Uuid>()
            .all(tx)
            .await?
    } else if scope
        .settings::<crate::Okr>(tx)
        .await?
        .member_team_objectives
        == MemberTeamReach::OwnUnitAndBelow
    {
        own_unit.into_iter().collect()
    } else {
        vec![]
    };
    if roots.contains(&unit) {
        return Ok(());
    }
    let below = !roots.is_empty()
        && scope
            .select::<org_unit::Entity>()
            .filter(org_unit::Column::Id.eq(unit))
            .filter(scope.in_tree(org_unit::Column::Id, ORG_CHART, Walk::Below(&roots)))
            .exists(tx)
            .await?;
    if below { Ok(()) } else { Err(refused()) }
}

pub(crate) async fn require_edit<C: TenantDb>(
    db: &C,
    scope: &TenantScope,
    objective: impl Into<Editable>,
) -> DomainResult<()> {
    if can_edit(db, scope, objective).await? {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "you may change your own objectives; managers those of their reporting line and their unit's team objectives; admins all",
        ))
    }
}
