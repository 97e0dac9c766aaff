//! Who sees which objectives. Private objectives are visible to their owner,
//! co-owners, the owner's manager chain and admins only, and never appear in
//! anyone else's lists, counts, trees or reports: every read of objectives
//! goes through [`visible_objectives`].

use sea_orm::sea_query::SelectStatement;
use sea_orm::{ColumnTrait, Condition, QueryFilter, QuerySelect};
use std::collections::HashSet;
use throughline_domain::kit::{DomainResult, Role, TenantScope, TenantSelect, in_reporting_line};
use uuid::Uuid;

use crate::entity::{co_owner, objective};

/// Objectives `person` owns or co-owns.
pub fn owned_or_co_owned(scope: &TenantScope, person: Uuid) -> Condition {
    let co_owned = scope
        .select::<co_owner::Entity>()
        .select_only()
        .column(co_owner::Column::ObjectiveId)
        .filter(co_owner::Column::PersonId.eq(person))
        .into_query();
    Condition::any()
        .add(objective::Column::OwnerId.eq(person))
        .add(objective::Column::Id.in_subquery(co_owned))
}

/// The condition an objective row must meet to be visible to the actor.
pub fn visible_condition(scope: &TenantScope) -> Condition {
    let actor = scope.actor();
    if actor.role == Role::Admin {
        return Condition::all();
    }
    let mut visible = Condition::any().add(objective::Column::Private.eq(false));
    if let Some(me) = actor.person_id {
        visible = visible
            .add(owned_or_co_owned(scope, me))
            .add(in_reporting_line(scope, objective::Column::OwnerId, me));
    }
    visible
}

/// The ids of the objectives the actor may see, optionally of one cycle, as
/// a subquery: key results and check-ins are visible with their objective.
pub fn visible_objective_ids(scope: &TenantScope, cycle: Option<Uuid>) -> SelectStatement {
    let mut ids = visible_objectives(scope)
        .select_only()
        .column(objective::Column::Id);
    if let Some(cycle) = cycle {
        ids = ids.filter(objective::Column::CycleId.eq(cycle));
    }
    ids.into_query()
}

/// Every objective of the tenant the actor may see.
pub fn visible_objectives(scope: &TenantScope) -> TenantSelect<objective::Entity> {
    scope
        .select::<objective::Entity>()
        .filter(visible_condition(scope))
}

/// Of `private` (private objectives of `cycles`), those the actor may not
/// see: one narrow statement, and none for an admin or when there are none.
pub async fn hidden_private_objectives(
    scope: &TenantScope,
    cycles: &[Uuid],
    private: &[Uuid],
) -> DomainResult<HashSet<Uuid>> {
    if private.is_empty() || scope.actor().role == Role::Admin {
        return Ok(HashSet::new());
    }
    let visible: HashSet<Uuid> = visible_objectives(scope)
        .select_only()
        .column(objective::Column::Id)
        .filter(objective::Column::CycleId.is_in(cycles.iter().copied()))
        .filter(objective::Column::Private.eq(true))
        .into_tuple::<Uuid>()
        .all(scope)
        .await?
        .into_iter()
        .collect();
    Ok(private
        .iter()
        .filter(|id| !visible.contains(id))
        .copied()
        .collect())
}
