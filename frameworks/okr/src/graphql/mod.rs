//! The OKR framework's GraphQL roots: `okr` on the query and mutation roots,
//! `okrCheckInRecorded` on the subscription root — each visible and allowed
//! only when the tenant has OKRs enabled.

pub mod loaders;
pub mod mutation;
pub mod query;
pub mod types;

// One file per concept: its types, inputs, query and mutation fields.
pub mod alignment;
pub mod bulk;
pub mod check_ins;
pub mod cycles;
pub mod grading;
pub mod key_results;
pub mod objectives;

use crate::KEY;
use crate::entity::check_in;
use async_graphql::{Context, ID, Object, Result, Subscription};
use futures_util::{Stream, StreamExt};
use throughline_domain::kit::{FrameworkGuard, Role, decode_optional, framework_enabled, request};

pub use mutation::OkrMutation;
pub use query::OkrQuery;
pub use types::{OkrCheckIn, OkrCycle, OkrKeyResult, OkrObjective};

pub(crate) fn okr_enabled(ctx: &Context<'_>) -> bool {
    framework_enabled(ctx, KEY)
}

/// Puts `okr` on the query root.
#[derive(Default)]
pub struct OkrQueryRoot;

#[Object]
impl OkrQueryRoot {
    /// OKRs: cycles, objectives, key results, check-ins, alignment.
    #[graphql(visible = "okr_enabled", guard = "FrameworkGuard(KEY)")]
    async fn okr(&self) -> OkrQuery {
        OkrQuery::default()
    }
}

/// Puts `okr` on the mutation root.
#[derive(Default)]
pub struct OkrMutationRoot;

#[Object]
impl OkrMutationRoot {
    /// OKR changes, run in order. Service accounts (`INTEGRATOR`) sync the
    /// directory and change no OKRs; the other roles are checked per
    /// objective.
    #[graphql(visible = "okr_enabled", guard = "FrameworkGuard(KEY)")]
    async fn okr(&self, ctx: &Context<'_>) -> Result<OkrMutation> {
        request(ctx)?
            .scope
            .require_role(&[Role::Admin, Role::Manager, Role::Member], "changing OKRs")?;
        Ok(OkrMutation::default())
    }
}

/// The OKR framework's subscriptions.
#[derive(Default)]
pub struct OkrSubscriptionRoot;

#[Subscription]
impl OkrSubscriptionRoot {
    /// Check-ins as they are recorded, optionally of one objective's key results or one owner's.
    #[graphql(visible = "okr_enabled", guard = "FrameworkGuard(KEY)")]
    async fn okr_check_in_recorded(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only check-ins on this objective's key results.")] objective_id: Option<
            ID,
        >,
        #[graphql(desc = "Only check-ins on key results this person owns.")] owner_id: Option<ID>,
    ) -> Result<impl Stream<Item = OkrCheckIn>> {
        let request = request(ctx)?;
        let scope = request.scope.clone();
        let objective_id = decode_optional(objective_id.as_ref(), "OkrObjective", "objectiveId")?;
        let owner_id = decode_optional(owner_id.as_ref(), "Person", "ownerId")?;
        Ok(scope.subscribe().filter_map(move |event| {
            let scope = scope.clone();
            async move {
                if event.entity_type != "OkrCheckIn" {
                    return None;
                }
                let row: check_in::Model = serde_json::from_value(event.after()?.clone()).ok()?;
                crate::service::check_ins::visible_to(&scope, &row, objective_id, owner_id)
                    .await
                    .ok()?
                    .then_some(OkrCheckIn(row))
            }
        }))
    }
}

/// The OKR types behind the `Node` interface, for the api's assembly:
/// `node_types!(callback args…)` calls `callback!(args… [Variant(Type)…])`.
#[macro_export]
macro_rules! node_types {
    ($callback:ident $($args:tt)*) => {
        $callback! { $($args)* [
            OkrCycle($crate::graphql::OkrCycle)
            OkrObjective($crate::graphql::OkrObjective)
            OkrKeyResult($crate::graphql::OkrKeyResult)
            OkrCheckIn($crate::graphql::OkrCheckIn)
        ] }
    };
}

/// Resolves an OKR global ID; nothing when OKRs are off for the tenant or the
/// entity is not one the viewer may see.
pub async fn resolve_node<N>(
    ctx: &Context<'_>,
    type_name: &str,
    id: uuid::Uuid,
) -> Result<Option<N>>
where
    N: From<OkrCycle> + From<OkrObjective> + From<OkrKeyResult> + From<OkrCheckIn>,
{
    use throughline_domain::graphql::loaders::ById;
    if !okr_enabled(ctx) {
        return Ok(None);
    }
    let request = request(ctx)?;
    let visible = |objective: uuid::Uuid| async move {
        Ok::<bool, async_graphql::Error>(
            request
                .loader::<loaders::VisibleObjective, _>()
                .load_one(objective)
                .await?
                .is_some(),
        )
    };
    Ok(match type_name {
        "OkrCycle" => request
            .loader::<ById<crate::entity::cycle::Entity>, _>()
            .load_one(id)
            .await?
            .map(|c| N::from(OkrCycle(c))),
        "OkrObjective" => request
            .loader::<loaders::VisibleObjective, _>()
            .load_one(id)
            .await?
            .map(|o| N::from(OkrObjective(o))),
        "OkrKeyResult" => match request
            .loader::<ById<crate::entity::key_result::Entity>, _>()
            .load_one(id)
            .await?
        {
            Some(kr) if visible(kr.objective_id).await? => Some(N::from(OkrKeyResult(kr))),
            _ => None,
        },
        "OkrCheckIn" => match request
            .loader::<ById<check_in::Entity>, _>()
            .load_one(id)
            .await?
        {
            Some(c) => match request
                .loader::<ById<crate::entity::key_result::Entity>, _>()
                .load_one(c.key_result_id)
                .await?
            {
                Some(kr) if visible(kr.objective_id).await? => Some(N::from(OkrCheckIn(c))),
                _ => None,
            },
            None => None,
        },
        _ => None,
    })
}

/// Descriptions for the connection types async-graphql generates.
pub fn describe<Q, M, S>(
    builder: async_graphql::SchemaBuilder<Q, M, S>,
) -> async_graphql::SchemaBuilder<Q, M, S> {
    use throughline_domain::graphql::Page;
    builder
        .override_output_type_description::<Page<OkrCycle>>("A page of OKR cycles.")
        .override_output_type_description::<Page<OkrObjective>>("A page of objectives.")
        .override_output_type_description::<Page<OkrCheckIn>>("A page of check-ins.")
        .override_output_type_description::<Page<OkrKeyResult>>("A page of key results.")
        .override_output_type_description::<Page<alignment::OkrAlignmentTreeNode>>(
            "A page of the alignment tree, depth first.",
        )
}
