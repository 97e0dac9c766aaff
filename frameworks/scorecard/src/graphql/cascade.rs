//! The cascade in GraphQL: a parent objective counts objectives of the
//! scorecards of units below (`addContributor` / `removeContributor`),
//! and each objective names its contributors and what it contributes to.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use sea_orm::{ColumnTrait, QueryFilter};
use throughline_domain::kit::{ById, DomainError, decode_id, request, scoped_loader};
use uuid::Uuid;

use super::design::designer;
use super::types::ScorecardObjective;
use crate::entity::{contribution, objective};
use crate::service::contributions;

scoped_loader!(ContributesTo);

/// Keyed by contributor: the objectives it counts in.
impl Loader<Uuid> for ContributesTo {
    type Value = Vec<Uuid>;
    type Error = DomainError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<Uuid>>, DomainError> {
        let rows = self
            .scope
            .select::<contribution::Entity>()
            .filter(contribution::Column::ContributorId.is_in(keys.iter().copied()))
            .all(&self.scope)
            .await?;
        let mut out: HashMap<Uuid, Vec<Uuid>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            if let Some(list) = out.get_mut(&row.contributor_id) {
                list.push(row.objective_id);
            }
        }
        Ok(out)
    }
}

/// The objectives `contributor` counts in, in order.
pub(crate) async fn contributes_to(
    ctx: &Context<'_>,
    contributor: Uuid,
) -> Result<Vec<ScorecardObjective>> {
    let request = request(ctx)?;
    let ids = request
        .loader::<ContributesTo, Uuid>()
        .load_one(contributor)
        .await?
        .unwrap_or_default();
    let mut rows: Vec<objective::Model> = request
        .loader::<ById<objective::Entity>, _>()
        .load_many(ids)
        .await?
        .into_values()
        .collect();
    rows.sort_by_key(|o| (o.scorecard_id, o.position, o.id));
    Ok(rows.into_iter().map(ScorecardObjective).collect())
}

/// A contribution to draw or remove.
#[derive(InputObject)]
pub struct ScorecardContributorInput {
    /// The parent objective, whose score counts the contributor's.
    pub objective_id: ID,
    /// An objective on a scorecard of a unit below the parent's.
    pub contributor_id: ID,
}

/// The parent objective after the change.
#[derive(SimpleObject)]
pub struct ScorecardContributorPayload {
    /// The parent objective, with its contributors.
    pub objective: ScorecardObjective,
}

#[derive(Default)]
pub struct ScorecardCascadeMutation;

#[Object]
impl ScorecardCascadeMutation {
    /// Counts an objective of a scorecard of a unit below in a parent objective's score, as a child of weight 1 (admins). Nothing is copied: its score is computed where it lives. A loop is refused, naming it.
    async fn add_contributor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ScorecardContributorInput,
    ) -> Result<ScorecardContributorPayload> {
        let scope = designer(ctx)?;
        let (parent, child) = ids(&input)?;
        contributions::add(scope, parent, child).await?;
        payload(ctx, parent).await
    }

    /// Stops counting a contributor in a parent objective's score (admins).
    async fn remove_contributor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ScorecardContributorInput,
    ) -> Result<ScorecardContributorPayload> {
        let scope = designer(ctx)?;
        let (parent, child) = ids(&input)?;
        contributions::remove(scope, parent, child).await?;
        payload(ctx, parent).await
    }
}

fn ids(input: &ScorecardContributorInput) -> Result<(Uuid, Uuid)> {
    Ok((
        decode_id(
            &input.objective_id,
            "ScorecardObjective",
            "input.objectiveId",
        )?,
        decode_id(
            &input.contributor_id,
            "ScorecardObjective",
            "input.contributorId",
        )?,
    ))
}

async fn payload(ctx: &Context<'_>, parent: Uuid) -> Result<ScorecardContributorPayload> {
    let row = request(ctx)?
        .loader::<ById<objective::Entity>, _>()
        .load_one(parent)
        .await?
        .ok_or_else(|| DomainError::not_found("objective"))?;
    Ok(ScorecardContributorPayload {
        objective: ScorecardObjective(row),
    })
}
