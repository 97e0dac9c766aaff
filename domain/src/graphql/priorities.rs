//! The tenant's few strategic priorities, in order.

use super::context::request;
use super::ids::{decode_id, decode_optional, encode_id};
use super::inputs::{patch, patch_id, *};
use super::loaders::MetricsByPriority;
use super::types::*;
use crate::entity::strategic_priority;
use crate::error::DomainError;
use crate::service;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::QueryOrder;

/// One of the tenant's few strategic priorities, which objectives and metrics serve.
#[derive(Clone, Debug)]
pub struct StrategicPriority(pub strategic_priority::Model);

/// One of the tenant's few strategic priorities, which objectives and metrics serve.
#[Object]
impl StrategicPriority {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("StrategicPriority", self.0.id)
    }
    /// The priority in a few words.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What it means and why it matters.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Its place in the tenant's order, from 1.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// The executive accountable for it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.owner_id).await
    }
    /// The metrics that measure it, by name.
    async fn metrics(&self, ctx: &Context<'_>) -> Result<Vec<Metric>> {
        let loader = request(ctx)?.loader::<MetricsByPriority, _>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Metric)
            .collect())
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A new strategic priority, added last.
#[derive(InputObject)]
pub struct CreateStrategicPriorityInput {
    /// The title.
    pub title: String,
    /// A longer explanation.
    pub description: Option<String>,
    /// The person accountable for it.
    pub owner_id: Option<ID>,
}

/// Changes to a strategic priority; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateStrategicPriorityInput {
    /// The global ID of the entity to change.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// The title.
    pub title: Option<String>,
    /// A longer explanation.
    pub description: MaybeUndefined<String>,
    /// The person accountable for it.
    pub owner_id: MaybeUndefined<ID>,
    /// Its new place, from 1; the others shift.
    pub position: Option<i32>,
}

/// Retires a strategic priority.
#[derive(InputObject)]
pub struct DeleteStrategicPriorityInput {
    /// The global ID of the entity to change.
    pub id: ID,
}

/// The priority after the change.
#[derive(SimpleObject)]
pub struct StrategicPriorityPayload {
    /// The priority after the change.
    pub strategic_priority: StrategicPriority,
}

#[derive(Default)]
pub struct PrioritiesQuery;

#[Object]
impl PrioritiesQuery {
    /// The tenant's strategic priorities, in order (a few by design).
    async fn strategic_priorities(&self, ctx: &Context<'_>) -> Result<Vec<StrategicPriority>> {
        let scope = &request(ctx)?.scope;
        let rows = scope
            .select::<strategic_priority::Entity>()
            .order_by_asc(strategic_priority::Column::Position)
            .all(scope)
            .await
            .map_err(DomainError::from)?;
        Ok(rows.into_iter().map(StrategicPriority).collect())
    }
}

#[derive(Default)]
pub struct PrioritiesMutation;

#[Object]
impl PrioritiesMutation {
    /// Adds a strategic priority, refused past the tenant's limit (admins).
    async fn create_strategic_priority(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateStrategicPriorityInput,
    ) -> Result<StrategicPriorityPayload> {
        let scope = &request(ctx)?.scope;
        let priority = service::priorities::create(
            scope,
            service::priorities::NewPriority {
                title: input.title,
                description: input.description,
                owner_id: decode_optional(input.owner_id.as_ref(), "Person", "input.ownerId")?,
            },
        )
        .await?;
        Ok(StrategicPriorityPayload {
            strategic_priority: StrategicPriority(priority),
        })
    }

    /// Changes or reorders a strategic priority (admins).
    async fn update_strategic_priority(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateStrategicPriorityInput,
    ) -> Result<StrategicPriorityPayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "StrategicPriority", "input.id")?;
        let priority = service::priorities::update(
            scope,
            id,
            service::priorities::PriorityChanges {
                version: input.version,
                title: input.title,
                description: patch(&input.description),
                owner_id: patch_id(&input.owner_id, "Person", "input.ownerId")?,
                position: input.position,
            },
        )
        .await?;
        Ok(StrategicPriorityPayload {
            strategic_priority: StrategicPriority(priority),
        })
    }

    /// Retires a strategic priority (admins).
    async fn delete_strategic_priority(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteStrategicPriorityInput,
    ) -> Result<DeletePayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "StrategicPriority", "input.id")?;
        let priority = service::priorities::delete(scope, id).await?;
        Ok(DeletePayload {
            deleted_id: encode_id("StrategicPriority", priority.id),
        })
    }
}
