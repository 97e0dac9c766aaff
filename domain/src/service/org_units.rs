//! The organisation tree.

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect, Set};
use uuid::Uuid;

use crate::entity::{dashboard, metric_target, org_unit, person};
use crate::enums::Role;
use crate::error::{DomainError, DomainResult};
use crate::tenancy::{Change, TenantScope, TenantTxn, TreeLink, Walk};

use super::{check_version, optional_text, required_text};

const WRITERS: &[Role] = &[Role::Admin, Role::Integrator];

#[derive(Clone, Debug, Default)]
pub struct NewOrgUnit {
    pub name: String,
    pub parent_id: Option<Uuid>,
    pub head_person_id: Option<Uuid>,
    pub external_id: Option<String>,
}

/// `None` leaves a field alone; `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct OrgUnitChanges {
    pub version: i32,
    pub name: Option<String>,
    pub parent_id: Option<Option<Uuid>>,
    pub head_person_id: Option<Option<Uuid>>,
    pub external_id: Option<Option<String>>,
}

/// The org chart as a tree: a unit's parent is the unit it sits in.
pub const ORG_CHART: TreeLink<org_unit::Entity> = TreeLink {
    node: org_unit::Column::Id,
    parent: org_unit::Column::ParentId,
    max_depth: 100,
};

async fn check_external_id(
    tx: &TenantTxn<'_>,
    external_id: &str,
    except: Option<Uuid>,
) -> DomainResult<()> {
    let mut query = tx
        .scope()
        .select::<org_unit::Entity>()
        .filter(org_unit::Column::ExternalId.eq(external_id));
    if let Some(id) = except {
        query = query.filter(org_unit::Column::Id.ne(id));
    }
    if query.count(tx).await? > 0 {
        return Err(DomainError::validation(
            "input.externalId",
            format!("another org unit already has the external id {external_id:?}"),
        ));
    }
    Ok(())
}

pub async fn create(scope: &TenantScope, input: NewOrgUnit) -> DomainResult<org_unit::Model> {
    scope.require_role(WRITERS, "creating org units")?;
    let name = required_text("input.name", &input.name, 200)?;
    let external_id = optional_text("input.externalId", input.external_id.as_deref(), 200)?;
    let mut tx = scope.begin().await?;
    if let Some(parent) = input.parent_id {
        tx.reference::<org_unit::Entity>(parent, "input.parentId", "org unit")
            .await?;
    }
    if let Some(head) = input.head_person_id {
        tx.reference::<person::Entity>(head, "input.headPersonId", "person")
            .await?;
    }
    if let Some(ext) = &external_id {
        check_external_id(&tx, ext, None).await?;
    }
    let now = Utc::now();
    let model = tx
        .insert(org_unit::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name),
            parent_id: Set(input.parent_id),
            head_person_id: Set(input.head_person_id),
            external_id: Set(external_id),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "org_unit.created",
        "OrgUnit",
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
    changes: OrgUnitChanges,
) -> DomainResult<org_unit::Model> {
    scope.require_role(WRITERS, "changing org units")?;
    let mut tx = scope.begin().await?;
    let current = tx.load::<org_unit::Entity>(id, "org unit").await?;
    check_version(current.version, changes.version, "org unit")?;
    let mut after = current.clone();
    if let Some(name) = &changes.name {
        after.name = required_text("input.name", name, 200)?;
    }
    if let Some(parent) = changes.parent_id {
        if let Some(parent_id) = parent {
            if parent_id == id {
                return Err(DomainError::validation(
                    "input.parentId",
                    "an org unit cannot be its own parent",
                ));
            }
            tx.reference::<org_unit::Entity>(parent_id, "input.parentId", "org unit")
                .await?;
            let below = scope
                .select::<org_unit::Entity>()
                .filter(org_unit::Column::Id.eq(parent_id))
                .filter(scope.in_tree(org_unit::Column::Id, ORG_CHART, Walk::Below(&[id])))
                .count(&tx)
                .await?;
            if below > 0 {
                return Err(DomainError::validation(
                    "input.parentId",
                    "that unit sits below this one; moving a unit under its own descendant would make a loop",
                ));
            }
        }
        after.parent_id = parent;
    }
    if let Some(head) = changes.head_person_id {
        if let Some(head_id) = head {
            tx.reference::<person::Entity>(head_id, "input.headPersonId", "person")
                .await?;
        }
        after.head_person_id = head;
    }
    if let Some(external) = &changes.external_id {
        let external = optional_text("input.externalId", external.as_deref(), 200)?;
        if let Some(ext) = &external {
            check_external_id(&tx, ext, Some(id)).await?;
        }
        after.external_id = external;
    }
    // Nothing changed: nothing is written.
    if after == current {
        return Ok(current);
    }
    after.version += 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<org_unit::Entity>(id, after.clone(), current.version, "org unit")
        .await?;
    tx.record(Change::updated(
        "org_unit.updated",
        "OrgUnit",
        id,
        &current,
        &after,
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes an empty unit: one with no sub-units and no people.
pub async fn delete(scope: &TenantScope, id: Uuid) -> DomainResult<org_unit::Model> {
    scope.require_role(WRITERS, "deleting org units")?;
    let mut tx = scope.begin().await?;
    let current = tx.load::<org_unit::Entity>(id, "org unit").await?;
    let children = scope
        .select::<org_unit::Entity>()
        .filter(org_unit::Column::ParentId.eq(id))
        .select_only()
        .column(org_unit::Column::Id)
        .count(&tx)
        .await?;
    let members = scope
        .select::<person::Entity>()
        .filter(person::Column::OrgUnitId.eq(id))
        .count(&tx)
        .await?;
    if children > 0 || members > 0 {
        return Err(DomainError::validation(
            "input.id",
            format!(
                "the unit still has {children} sub-units and {members} people; move them first"
            ),
        ));
    }
    // An admin's targets and dashboards for the unit are not dropped with
    // it in passing.
    let targets = scope
        .select::<metric_target::Entity>()
        .filter(metric_target::Column::OrgUnitId.eq(id))
        .count(&tx)
        .await?;
    let dashboards = scope
        .select::<dashboard::Entity>()
        .filter(dashboard::Column::OrgUnitId.eq(id))
        .count(&tx)
        .await?;
    if targets > 0 || dashboards > 0 {
        return Err(DomainError::validation(
            "input.id",
            format!(
                "the unit has {targets} metric targets and {dashboards} dashboards of its own; delete them first"
            ),
        ));
    }
    tx.delete::<org_unit::Entity>()
        .filter(org_unit::Column::Id.eq(id))
        .exec()
        .await?;
    tx.record(Change::deleted("org_unit.deleted", "OrgUnit", id, &current))
        .await?;
    tx.commit().await?;
    Ok(current)
}
