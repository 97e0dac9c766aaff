//! The organisation tree.

use chrono::Utc;
use sea_orm::sea_query::SimpleExpr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entity::{org_unit, person};
use crate::enums::Role;
use crate::error::{DomainError, DomainResult};
use crate::tenancy::{Change, TenantScope, TenantTxn};

use super::{check_version, load_in, optional_text, reference, required_text, save_versioned};

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

/// `org_units.id IN (every unit below `root`)`, as one recursive query.
pub fn descendants_of(backend: DbBackend, tenant_id: Uuid, root: Uuid) -> SimpleExpr {
    super::portable_expr(
        backend,
        "org_units.id IN (WITH RECURSIVE tree(id, depth) AS ( \
            SELECT id, 1 FROM org_units WHERE tenant_id = $1 AND parent_id = $2 \
            UNION ALL \
            SELECT child.id, tree.depth + 1 FROM org_units child JOIN tree ON child.parent_id = tree.id \
            WHERE child.tenant_id = $1 AND tree.depth < 100) SELECT id FROM tree)",
        &[tenant_id.into(), root.into()],
    )
}

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
    if query.count(tx.conn()).await? > 0 {
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
        reference::<org_unit::Entity>(&tx, parent, "input.parentId", "org unit").await?;
    }
    if let Some(head) = input.head_person_id {
        reference::<person::Entity>(&tx, head, "input.headPersonId", "person").await?;
    }
    if let Some(ext) = &external_id {
        check_external_id(&tx, ext, None).await?;
    }
    let now = Utc::now();
    let model = org_unit::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(scope.tenant_id()),
        name: Set(name),
        parent_id: Set(input.parent_id),
        head_person_id: Set(input.head_person_id),
        external_id: Set(external_id),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(tx.conn())
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
    let current = load_in::<org_unit::Entity>(&tx, id, "org unit").await?;
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
            reference::<org_unit::Entity>(&tx, parent_id, "input.parentId", "org unit").await?;
            let below = scope
                .select::<org_unit::Entity>()
                .filter(org_unit::Column::Id.eq(parent_id))
                .filter(descendants_of(
                    tx.conn().get_database_backend(),
                    scope.tenant_id(),
                    id,
                ))
                .count(tx.conn())
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
            reference::<person::Entity>(&tx, head_id, "input.headPersonId", "person").await?;
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
    after.version += 1;
    after.updated_at = Utc::now();
    save_versioned::<org_unit::Entity>(&tx, id, after.clone(), current.version, "org unit").await?;
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
    let current = load_in::<org_unit::Entity>(&tx, id, "org unit").await?;
    let children = scope
        .select::<org_unit::Entity>()
        .filter(org_unit::Column::ParentId.eq(id))
        .select_only()
        .column(org_unit::Column::Id)
        .count(tx.conn())
        .await?;
    let members = scope
        .select::<person::Entity>()
        .filter(person::Column::OrgUnitId.eq(id))
        .count(tx.conn())
        .await?;
    if children > 0 || members > 0 {
        return Err(DomainError::validation(
            "input.id",
            format!(
                "the unit still has {children} sub-units and {members} people; move them first"
            ),
        ));
    }
    org_unit::Entity::delete_many()
        .filter(org_unit::Column::TenantId.eq(scope.tenant_id()))
        .filter(org_unit::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    tx.record(Change::deleted("org_unit.deleted", "OrgUnit", id, &current))
        .await?;
    tx.commit().await?;
    Ok(current)
}
