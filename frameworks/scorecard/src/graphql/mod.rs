//! The scorecard's GraphQL roots: `scorecard` on the query and mutation
//! roots, each visible and allowed only when the tenant has the scorecard
//! enabled. One file per concept: `design` (perspectives, scorecards,
//! objectives, measures, weights), `types` (the nodes and their scores),
//! `commentary` (per period), `initiatives`, `cascade` (contributors, linked items), `strategy_map` (links and the
//! map), `exceptions` (a review's short list), `subscription`
//! (`scorecardChanged`, `scorecardStatusChanged`).

pub mod cascade;
pub mod commentary;
pub mod design;
pub mod exceptions;
pub mod initiatives;
pub mod loaders;
pub mod strategy_map;
pub mod subscription;
pub mod types;

use crate::KEY;
use async_graphql::{Context, MergedObject, Object, Result};
use throughline_domain::kit::{ById, FrameworkGuard, Role, framework_enabled, request};

pub use commentary::ScorecardCommentary;
pub use initiatives::ScorecardInitiative;
pub use strategy_map::ScorecardLink;
pub use subscription::ScorecardSubscriptionRoot;
pub use types::{Scorecard, ScorecardMeasure, ScorecardObjective, ScorecardPerspective};

pub(crate) fn scorecard_enabled(ctx: &Context<'_>) -> bool {
    framework_enabled(ctx, KEY)
}

/// The scorecard's queries.
#[derive(MergedObject, Default)]
pub struct ScorecardQuery(
    design::DesignQuery,
    strategy_map::ScorecardStrategyMapQuery,
    exceptions::ScorecardExceptionsQuery,
    initiatives::ScorecardInitiativesQuery,
);

/// The scorecard's mutations, run in order.
#[derive(MergedObject, Default)]
#[graphql(serial)]
pub struct ScorecardMutation(
    design::DesignMutation,
    strategy_map::ScorecardStrategyMapMutation,
    commentary::ScorecardCommentaryMutation,
    initiatives::ScorecardInitiativesMutation,
    cascade::ScorecardCascadeMutation,
    cascade::ScorecardLinkMutation,
);

/// Puts `scorecard` on the query root.
#[derive(Default)]
pub struct ScorecardQueryRoot;

#[Object]
impl ScorecardQueryRoot {
    /// The balanced scorecard: perspectives, scorecards, objectives and measures on core KPIs, scored 0–10 per period.
    #[graphql(visible = "scorecard_enabled", guard = "FrameworkGuard(KEY)")]
    async fn scorecard(&self) -> ScorecardQuery {
        ScorecardQuery::default()
    }
}

/// Puts `scorecard` on the mutation root.
#[derive(Default)]
pub struct ScorecardMutationRoot;

#[Object]
impl ScorecardMutationRoot {
    /// Scorecard changes, run in order. Admins design scorecards; service
    /// accounts (`INTEGRATOR`) change no scorecard data.
    #[graphql(visible = "scorecard_enabled", guard = "FrameworkGuard(KEY)")]
    async fn scorecard(&self, ctx: &Context<'_>) -> Result<ScorecardMutation> {
        request(ctx)?.scope.require_role(
            &[Role::Admin, Role::Manager, Role::Member],
            "changing scorecards",
        )?;
        Ok(ScorecardMutation::default())
    }
}

/// The scorecard's types behind the `Node` interface, for the api's
/// assembly: `node_types!(callback args…)` calls `callback!(args… [Variant(Type)…])`.
#[macro_export]
macro_rules! node_types {
    ($callback:ident $($args:tt)*) => {
        $callback! { $($args)* [
            Scorecard($crate::graphql::Scorecard)
            ScorecardPerspective($crate::graphql::ScorecardPerspective)
            ScorecardObjective($crate::graphql::ScorecardObjective)
            ScorecardMeasure($crate::graphql::ScorecardMeasure)
            ScorecardLink($crate::graphql::ScorecardLink)
            ScorecardCommentary($crate::graphql::ScorecardCommentary)
            ScorecardInitiative($crate::graphql::ScorecardInitiative)
        ] }
    };
}

/// Resolves a scorecard global ID; nothing when the scorecard is off for
/// the tenant.
pub async fn resolve_node<N>(
    ctx: &Context<'_>,
    type_name: &str,
    id: uuid::Uuid,
) -> Result<Option<N>>
where
    N: From<Scorecard>
        + From<ScorecardPerspective>
        + From<ScorecardObjective>
        + From<ScorecardMeasure>
        + From<ScorecardLink>
        + From<ScorecardCommentary>
        + From<ScorecardInitiative>,
{
    use crate::entity::{commentary, initiative, link, measure, objective, perspective, scorecard};
    if !scorecard_enabled(ctx) {
        return Ok(None);
    }
    let request = request(ctx)?;
    Ok(match type_name {
        "Scorecard" => request
            .loader::<ById<scorecard::Entity>, _>()
            .load_one(id)
            .await?
            .map(|s| N::from(Scorecard(s))),
        "ScorecardPerspective" => request
            .loader::<ById<perspective::Entity>, _>()
            .load_one(id)
            .await?
            .map(|p| N::from(ScorecardPerspective(p))),
        "ScorecardObjective" => request
            .loader::<ById<objective::Entity>, _>()
            .load_one(id)
            .await?
            .map(|o| N::from(ScorecardObjective(o))),
        "ScorecardMeasure" => request
            .loader::<ById<measure::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| N::from(ScorecardMeasure::new(m))),
        "ScorecardLink" => request
            .loader::<ById<link::Entity>, _>()
            .load_one(id)
            .await?
            .map(|l| N::from(ScorecardLink(l))),
        "ScorecardCommentary" => request
            .loader::<ById<commentary::Entity>, _>()
            .load_one(id)
            .await?
            .map(|c| N::from(ScorecardCommentary(c))),
        "ScorecardInitiative" => request
            .loader::<ById<initiative::Entity>, _>()
            .load_one(id)
            .await?
            .map(|i| N::from(ScorecardInitiative(i))),
        _ => None,
    })
}

/// Descriptions for the connection types async-graphql generates.
pub fn describe<Q, M, S>(
    builder: async_graphql::SchemaBuilder<Q, M, S>,
) -> async_graphql::SchemaBuilder<Q, M, S> {
    use throughline_domain::graphql::Page;
    builder
        .override_output_type_description::<Page<Scorecard>>("A page of scorecards.")
        .override_output_type_description::<Page<ScorecardInitiative>>("A page of initiatives.")
}
