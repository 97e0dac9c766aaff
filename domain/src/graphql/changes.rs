//! The change feed for integrators: `changes(after:)`.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::context::request;
use super::directory::{ExternalId, org_unit_external_ids, person_external_ids};
use super::ids::encode_id;
use crate::entity::outbox_event;
use crate::service::changes::{self, ChangeEntityType, ChangeOperation};

/// One committed change to an entity of the core.
pub struct EntityChange(outbox_event::Model);

/// One committed change to an entity of the core.
#[Object]
impl EntityChange {
    /// What kind of entity changed.
    async fn entity_type(&self) -> Option<ChangeEntityType> {
        ChangeEntityType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == self.0.entity_type)
    }
    /// The global ID of the entity (resolve it with `node`/`nodes`; a deleted one resolves to null).
    async fn entity_id(&self) -> ID {
        encode_id(&self.0.entity_type, self.0.entity_id)
    }
    /// The entity's keys in the source systems that sync it, as they are now (people and org units).
    async fn external_ids(&self, ctx: &Context<'_>) -> Result<Vec<ExternalId>> {
        match self.0.entity_type.as_str() {
            "Person" => person_external_ids(ctx, self.0.entity_id).await,
            "OrgUnit" => org_unit_external_ids(ctx, self.0.entity_id).await,
            _ => Ok(Vec::new()),
        }
    }
    /// What the change did.
    async fn operation(&self) -> ChangeOperation {
        changes::operation(&self.0.kind)
    }
    /// The fields it changed, named as the API names them (every field for a creation).
    async fn changed_fields(&self) -> Vec<String> {
        changes::changed_fields(&self.0.payload)
    }
    /// When it was committed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
}

/// A page of the change feed.
pub type ChangePage = Connection<String, EntityChange, EmptyFields, EmptyFields>;

#[derive(Default)]
pub struct ChangesQuery;

#[Object]
impl ChangesQuery {
    /// Every committed change to the core's people, org units, strategic priorities, metrics and metric values, in commit order, for incremental sync (admins, integrators). Keep the last `endCursor` you processed and ask again with `after:`; cursors name a position in the feed and stay valid across restarts. An empty page means nothing new yet: keep your cursor.
    #[graphql(complexity = "1 + first.unwrap_or(100).clamp(1, 1000) as usize * child_complexity")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The `endCursor` of the last page you processed; omitted, from the beginning."
        )]
        after: Option<String>,
        #[graphql(desc = "Only changes of these entity types; omitted or empty, all of them.")]
        types: Option<Vec<ChangeEntityType>>,
        #[graphql(desc = "How many changes: at most 1,000, 100 if omitted.")] first: Option<i32>,
    ) -> Result<ChangePage> {
        let scope = &request(ctx)?.scope;
        let (rows, more) = changes::page(
            scope,
            after.as_deref(),
            types.as_deref().unwrap_or_default(),
            first,
        )
        .await?;
        let mut page = Connection::new(after.is_some(), more);
        page.edges.extend(
            rows.into_iter()
                .map(|row| Edge::new(changes::cursor_of(&row), EntityChange(row))),
        );
        Ok(page)
    }
}
