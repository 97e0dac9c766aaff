//! The cascade in GraphQL: up, a parent objective counts objectives of the
//! scorecards of units below (`addContributor` / `removeContributor`);
//! down, a child scorecard links objectives and measures of the units
//! above (`linkObjective` / `linkMeasure` and their `unlink…`). Each
//! objective and measure names where it counts.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use sea_orm::{ColumnTrait, QueryFilter};
use throughline_domain::kit::{ById, DomainError, decode_id, request, scoped_loader};
use uuid::Uuid;

use super::design::designer;
use super::types::{Scorecard, ScorecardObjective};
use crate::entity::{contribution, linked_item, objective, scorecard};
use crate::service::{contributions, linked_items};

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

scoped_loader!(LinkedInto);

/// Keyed by a linked objective or measure: the links that show it below.
impl Loader<Uuid> for LinkedInto {
    type Value = Vec<linked_item::Model>;
    type Error = DomainError;

    async fn load(
        &self,
        keys: &[Uuid],
    ) -> Result<HashMap<Uuid, Vec<linked_item::Model>>, DomainError> {
        use sea_orm::Condition;
        let rows = self
            .scope
            .select::<linked_item::Entity>()
            .filter(
                Condition::any()
                    .add(linked_item::Column::ObjectiveId.is_in(keys.iter().copied()))
                    .add(linked_item::Column::MeasureId.is_in(keys.iter().copied())),
            )
            .all(&self.scope)
            .await?;
        let mut out: HashMap<Uuid, Vec<linked_item::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            if let Some(list) = row
                .objective_id
                .or(row.measure_id)
                .and_then(|k| out.get_mut(&k))
            {
                list.push(row);
            }
        }
        Ok(out)
    }
}

/// The scorecards below that link `objective`, by title.
pub(crate) async fn objective_linked_to(
    ctx: &Context<'_>,
    objective: Uuid,
) -> Result<Vec<Scorecard>> {
    let request = request(ctx)?;
    let links = request
        .loader::<LinkedInto, Uuid>()
        .load_one(objective)
        .await?
        .unwrap_or_default();
    let mut cards: Vec<scorecard::Model> = request
        .loader::<ById<scorecard::Entity>, _>()
        .load_many(links.iter().map(|l| l.scorecard_id))
        .await?
        .into_values()
        .collect();
    cards.sort_by(|a, b| (&a.title, a.id).cmp(&(&b.title, b.id)));
    Ok(cards.into_iter().map(Scorecard).collect())
}

/// The objectives below that count `measure`, in order.
pub(crate) async fn measure_linked_under(
    ctx: &Context<'_>,
    measure: Uuid,
) -> Result<Vec<ScorecardObjective>> {
    let request = request(ctx)?;
    let links = request
        .loader::<LinkedInto, Uuid>()
        .load_one(measure)
        .await?
        .unwrap_or_default();
    let mut rows: Vec<objective::Model> = request
        .loader::<ById<objective::Entity>, _>()
        .load_many(links.iter().filter_map(|l| l.in_objective_id))
        .await?
        .into_values()
        .collect();
    rows.sort_by_key(|o| (o.scorecard_id, o.position, o.id));
    Ok(rows.into_iter().map(ScorecardObjective).collect())
}

/// An objective of a scorecard above, to show on a child scorecard (or stop showing).
#[derive(InputObject)]
pub struct ScorecardLinkObjectiveInput {
    /// The child scorecard.
    pub scorecard_id: ID,
    /// An active objective on a scorecard of a unit above the child's.
    pub objective_id: ID,
}

/// The child scorecard after the change.
#[derive(SimpleObject)]
pub struct ScorecardLinkObjectivePayload {
    /// The scorecard, with its linked objectives.
    pub scorecard: Scorecard,
}

/// A measure of a scorecard above, to count under a child scorecard's objective (or stop counting).
#[derive(InputObject)]
pub struct ScorecardLinkMeasureInput {
    /// The child scorecard's objective.
    pub objective_id: ID,
    /// A measure on a scorecard of a unit above the objective's.
    pub measure_id: ID,
}

/// The child's objective after the change.
#[derive(SimpleObject)]
pub struct ScorecardLinkMeasurePayload {
    /// The objective, with its linked measures.
    pub objective: ScorecardObjective,
}

#[derive(Default)]
pub struct ScorecardLinkMutation;

#[Object]
impl ScorecardLinkMutation {
    /// Shows an objective of a scorecard of a unit above on a child scorecard, in its perspective, counted there with weight 1 (admins). Linked, not copied: it is scored where it lives, and its owner, measures and values stay its own.
    async fn link_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ScorecardLinkObjectiveInput,
    ) -> Result<ScorecardLinkObjectivePayload> {
        let scope = designer(ctx)?;
        let (card, objective) = objective_link(&input)?;
        linked_items::link_objective(scope, card, objective).await?;
        card_payload(ctx, card).await
    }

    /// Stops showing a linked objective on a child scorecard (admins); the objective itself is untouched.
    async fn unlink_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ScorecardLinkObjectiveInput,
    ) -> Result<ScorecardLinkObjectivePayload> {
        let scope = designer(ctx)?;
        let (card, objective) = objective_link(&input)?;
        linked_items::unlink_objective(scope, card, objective).await?;
        card_payload(ctx, card).await
    }

    /// Counts a measure of a scorecard of a unit above under a child scorecard's objective, with weight 1 (admins). Linked, not copied: it keeps its own scoring and its metric's values, and is scored where it lives.
    async fn link_measure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ScorecardLinkMeasureInput,
    ) -> Result<ScorecardLinkMeasurePayload> {
        let scope = designer(ctx)?;
        let (objective, measure) = measure_link(&input)?;
        linked_items::link_measure(scope, objective, measure).await?;
        objective_payload(ctx, objective).await
    }

    /// Stops counting a linked measure under a child scorecard's objective (admins); the measure itself is untouched.
    async fn unlink_measure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ScorecardLinkMeasureInput,
    ) -> Result<ScorecardLinkMeasurePayload> {
        let scope = designer(ctx)?;
        let (objective, measure) = measure_link(&input)?;
        linked_items::unlink_measure(scope, objective, measure).await?;
        objective_payload(ctx, objective).await
    }
}

fn objective_link(input: &ScorecardLinkObjectiveInput) -> Result<(Uuid, Uuid)> {
    Ok((
        decode_id(&input.scorecard_id, "Scorecard", "input.scorecardId")?,
        decode_id(
            &input.objective_id,
            "ScorecardObjective",
            "input.objectiveId",
        )?,
    ))
}

fn measure_link(input: &ScorecardLinkMeasureInput) -> Result<(Uuid, Uuid)> {
    Ok((
        decode_id(
            &input.objective_id,
            "ScorecardObjective",
            "input.objectiveId",
        )?,
        decode_id(&input.measure_id, "ScorecardMeasure", "input.measureId")?,
    ))
}

async fn card_payload(ctx: &Context<'_>, card: Uuid) -> Result<ScorecardLinkObjectivePayload> {
    let row = request(ctx)?
        .loader::<ById<scorecard::Entity>, _>()
        .load_one(card)
        .await?
        .ok_or_else(|| DomainError::not_found("scorecard"))?;
    Ok(ScorecardLinkObjectivePayload {
        scorecard: Scorecard(row),
    })
}

async fn objective_payload(
    ctx: &Context<'_>,
    objective: Uuid,
) -> Result<ScorecardLinkMeasurePayload> {
    let ScorecardContributorPayload { objective } = payload(ctx, objective).await?;
    Ok(ScorecardLinkMeasurePayload { objective })
}
