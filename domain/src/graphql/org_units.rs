//! The org chart: units, their heads and members.

use super::connection::{
    self, Page, PageArgs, SortKey, page_complexity, search_term, text_contains, updated_since,
};
use super::context::request;
use super::ids::{decode_id, decode_optional, encode_id, id_of};
use super::inputs::{patch, patch_id, *};
use super::loaders::{ById, OrgUnitChildren};
use super::types::*;
use crate::entity::{org_unit, person};
use crate::service;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, QueryFilter};

pub(crate) async fn load_org_unit(
    ctx: &Context<'_>,
    id: Option<uuid::Uuid>,
) -> Result<Option<OrgUnit>> {
    let Some(id) = id else { return Ok(None) };
    let loader = request(ctx)?.loader::<ById<org_unit::Entity>, _>();
    Ok(loader.load_one(id).await?.map(OrgUnit))
}

/// A unit of the organisation tree: a company, division, department or team.
#[derive(Clone, Debug)]
pub struct OrgUnit(pub org_unit::Model);

/// A unit of the organisation tree: a company, division, department or team.
#[Object]
impl OrgUnit {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("OrgUnit", self.0.id)
    }
    /// The unit's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// A key of your own for this unit, set with `createOrgUnit`/`updateOrgUnit`; unique in the tenant. Keys from HRIS sync are in `externalIds`.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    /// The unit's keys in the source systems that sync it (`syncDirectory`), by source.
    async fn external_ids(&self, ctx: &Context<'_>) -> Result<Vec<super::directory::ExternalId>> {
        super::directory::org_unit_external_ids(ctx, self.0.id).await
    }
    /// The unit above this one; null at the top.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        load_org_unit(ctx, self.0.parent_id).await
    }
    /// The person who leads the unit.
    async fn head(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.head_person_id).await
    }
    /// The units directly below this one, by name.
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<OrgUnit>> {
        let loader = request(ctx)?.loader::<OrgUnitChildren, _>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(OrgUnit)
            .collect())
    }
    /// The people in this unit (not in units below it), by name.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<Person>> {
        let scope = &request(ctx)?.scope;
        let select = scope
            .select::<person::Entity>()
            .filter(person::Column::OrgUnitId.eq(self.0.id));
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Text(person::Column::Name),
            PageArgs::new(first, after, last, before),
            Person,
        )
        .await?)
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the unit was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the unit last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Filters for `orgUnits`.
#[derive(InputObject, Default)]
pub struct OrgUnitFilter {
    /// Case-insensitive part of the name.
    pub search: Option<String>,
    /// Only the units directly below this one.
    pub parent_id: Option<ID>,
    /// Only top-level units (no parent).
    pub roots_only: Option<bool>,
    /// Only units changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// Only the unit with this key: its key in `source` when given, otherwise in any source or its own `externalId`.
    pub external_id: Option<String>,
    /// Only units with a key from this source system (with `externalId`: that key there).
    pub source: Option<String>,
}

/// A new org unit.
#[derive(InputObject)]
pub struct CreateOrgUnitInput {
    /// The name.
    pub name: String,
    /// The unit above it; omitted for a top-level unit.
    pub parent_id: Option<ID>,
    /// The person who leads it.
    pub head_person_id: Option<ID>,
    /// Its key in the HRIS; unique in the tenant.
    pub external_id: Option<String>,
}

/// Changes to an org unit; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateOrgUnitInput {
    /// The global ID of the entity to change.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// The name.
    pub name: Option<String>,
    /// Moving a unit under its own descendant is refused.
    pub parent_id: MaybeUndefined<ID>,
    /// The person who leads the unit.
    pub head_person_id: MaybeUndefined<ID>,
    /// The key in the HRIS; unique in the tenant.
    pub external_id: MaybeUndefined<String>,
}

/// Deletes an empty org unit.
#[derive(InputObject)]
pub struct DeleteOrgUnitInput {
    /// The global ID of the entity to change.
    pub id: ID,
}

/// The org unit after the change.
#[derive(SimpleObject)]
pub struct OrgUnitPayload {
    /// The org unit after the change.
    pub org_unit: OrgUnit,
}

#[derive(Default)]
pub struct OrgUnitsQuery;

#[Object]
impl OrgUnitsQuery {
    /// An org unit by ID; null if there is none in this tenant.
    async fn org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global ID.")] id: ID,
    ) -> Result<Option<OrgUnit>> {
        let Some(uuid) = id_of(&id, "OrgUnit") else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<org_unit::Entity>, _>()
            .load_one(uuid)
            .await?
            .map(OrgUnit))
    }

    /// The tenant's org units, by name.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn org_units(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; omitted, everything.")] filter: Option<OrgUnitFilter>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<OrgUnit>> {
        let scope = &request(ctx)?.scope;
        let filter = filter.unwrap_or_default();
        let mut select = scope.select::<org_unit::Entity>().filter(updated_since(
            org_unit::Column::UpdatedAt,
            filter.updated_since,
        ));
        if let Some(search) = search_term("filter.search", filter.search.as_deref())? {
            select = select.filter(text_contains(org_unit::Column::Name, search));
        }
        if let Some(parent) =
            decode_optional(filter.parent_id.as_ref(), "OrgUnit", "filter.parentId")?
        {
            select = select.filter(org_unit::Column::ParentId.eq(parent));
        }
        if filter.roots_only == Some(true) {
            select = select.filter(org_unit::Column::ParentId.is_null());
        }
        if let Some(condition) =
            super::directory::external_key_filter::<crate::entity::org_unit_external_id::Entity>(
                scope,
                filter.external_id.as_deref(),
                filter.source.as_deref(),
                org_unit::Column::Id,
                org_unit::Column::ExternalId,
                [
                    crate::entity::org_unit_external_id::Column::OrgUnitId,
                    crate::entity::org_unit_external_id::Column::Source,
                    crate::entity::org_unit_external_id::Column::ExternalId,
                ],
            )?
        {
            select = select.filter(condition);
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Text(org_unit::Column::Name),
            PageArgs::new(first, after, last, before),
            OrgUnit,
        )
        .await?)
    }
}

#[derive(Default)]
pub struct OrgUnitsMutation;

#[Object]
impl OrgUnitsMutation {
    /// Creates an org unit (admins, integrators).
    async fn create_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateOrgUnitInput,
    ) -> Result<OrgUnitPayload> {
        let scope = &request(ctx)?.scope;
        let unit = service::org_units::create(
            scope,
            service::org_units::NewOrgUnit {
                name: input.name,
                parent_id: decode_optional(input.parent_id.as_ref(), "OrgUnit", "input.parentId")?,
                head_person_id: decode_optional(
                    input.head_person_id.as_ref(),
                    "Person",
                    "input.headPersonId",
                )?,
                external_id: input.external_id,
            },
        )
        .await?;
        Ok(OrgUnitPayload {
            org_unit: OrgUnit(unit),
        })
    }

    /// Changes an org unit (admins, integrators).
    async fn update_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateOrgUnitInput,
    ) -> Result<OrgUnitPayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "OrgUnit", "input.id")?;
        let unit = service::org_units::update(
            scope,
            id,
            service::org_units::OrgUnitChanges {
                version: input.version,
                name: input.name,
                parent_id: patch_id(&input.parent_id, "OrgUnit", "input.parentId")?,
                head_person_id: patch_id(&input.head_person_id, "Person", "input.headPersonId")?,
                external_id: patch(&input.external_id),
            },
        )
        .await?;
        Ok(OrgUnitPayload {
            org_unit: OrgUnit(unit),
        })
    }

    /// Deletes an org unit that has no sub-units and no people (admins, integrators).
    async fn delete_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteOrgUnitInput,
    ) -> Result<DeletePayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "OrgUnit", "input.id")?;
        let unit = service::org_units::delete(scope, id).await?;
        Ok(DeletePayload {
            deleted_id: encode_id("OrgUnit", unit.id),
        })
    }
}
