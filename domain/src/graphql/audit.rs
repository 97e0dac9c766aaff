//! The audit log: who changed what, when, and how.

use super::connection::{self, Page, PageArgs, SortKey, page_complexity};
use super::context::request;
use super::ids::{decode_optional, encode_id, parse_id};
use super::types::*;
use crate::entity::audit_entry;
use crate::error::DomainError;
use crate::service;
use async_graphql::{Context, ID, InputObject, Json, Object, Result};
use chrono::{DateTime, Utc};

/// One entry of the audit log: who changed what, when, and how.
#[derive(Clone, Debug)]
pub struct AuditEntry(pub audit_entry::Model);

/// One entry of the audit log: who changed what, when, and how.
#[Object]
impl AuditEntry {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("AuditEntry", self.0.id)
    }
    /// What happened, as `entity.verb`, e.g. `person.updated`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The GraphQL type of the changed entity.
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }
    /// The global ID of the changed entity.
    async fn entity_id(&self) -> ID {
        encode_id(&self.0.entity_type, self.0.entity_id)
    }
    /// Who made the change; null for the system.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        load_user(ctx, self.0.actor_user_id).await
    }
    /// The entity before the change; null for a creation.
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        self.0.before.clone().map(Json)
    }
    /// The entity after the change; null for a deletion.
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        self.0.after.clone().map(Json)
    }
    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
}

/// Filters for `auditLog`.
#[derive(InputObject, Default)]
pub struct AuditFilter {
    /// Only changes by this user.
    pub actor_id: Option<ID>,
    /// Only changes of this entity.
    pub entity_id: Option<ID>,
    /// Only changes of entities of this type, e.g. `Person`.
    pub entity_type: Option<String>,
    /// Only actions starting with this, e.g. `person.` or `metric_value.replaced`.
    pub action: Option<String>,
    /// Only changes at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only changes before this time.
    pub to: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The tenant's audit log, oldest first (admins only).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; omitted, everything.")] filter: Option<AuditFilter>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<AuditEntry>> {
        let scope = &request(ctx)?.scope;
        let filter = filter.unwrap_or_default();
        let entity = match &filter.entity_id {
            Some(id) => Some(
                parse_id(id)
                    .ok_or_else(|| DomainError::validation("filter.entityId", "not a valid ID"))?,
            ),
            None => None,
        };
        let service_filter = service::audit::AuditFilter {
            actor_user_id: decode_optional(filter.actor_id.as_ref(), "User", "filter.actorId")?,
            entity_type: filter
                .entity_type
                .clone()
                .or_else(|| entity.as_ref().map(|(t, _)| t.clone())),
            entity_id: entity.map(|(_, id)| id),
            action: filter.action.clone(),
            from: filter.from,
            to: filter.to,
        };
        let select = service::audit::query(scope, &service_filter)?;
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Id,
            PageArgs::new(first, after, last, before),
            AuditEntry,
        )
        .await?)
    }
}
