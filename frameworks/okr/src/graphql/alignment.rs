//! Alignment: what objectives contribute to, the tree and the report.

use super::loaders::{CycleScoresLoader, VisibleObjective};
use super::objectives::OkrObjectivePayload;
use super::types::*;
use crate::entity::{alignment, cycle, key_result};
use crate::service::alignment::AlignTarget;
use crate::service::outline::TreeEntry;
use crate::service::visibility::hidden_private_objectives;
use async_graphql::{Context, ID, InputObject, Object, Result};
use throughline_domain::entity::strategic_priority;
use throughline_domain::graphql::types::StrategicPriority;
use throughline_domain::kit::{
    ById, DomainError, Page, PageArgs, connection, decode_id, decode_optional, id_of,
    page_complexity, request,
};

/// What an objective aligns to.
#[derive(Clone, Debug)]
pub struct OkrAlignment(pub alignment::Model);

/// One link from an objective to what it contributes to: a parent objective,
/// a key result or a strategic priority.
#[Object]
impl OkrAlignment {
    /// The parent objective, if this link is to one you can see.
    async fn parent_objective(&self, ctx: &Context<'_>) -> Result<Option<OkrObjective>> {
        let Some(id) = self.0.parent_objective_id else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<VisibleObjective, _>()
            .load_one(id)
            .await?
            .map(OkrObjective))
    }
    /// The parent key result, if this link is to one.
    async fn parent_key_result(&self, ctx: &Context<'_>) -> Result<Option<OkrKeyResult>> {
        let Some(id) = self.0.parent_key_result_id else {
            return Ok(None);
        };
        let Some(kr) = request(ctx)?
            .loader::<ById<key_result::Entity>, _>()
            .load_one(id)
            .await?
        else {
            return Ok(None);
        };
        let visible = request(ctx)?
            .loader::<VisibleObjective, _>()
            .load_one(kr.objective_id)
            .await?
            .is_some();
        Ok(visible.then_some(OkrKeyResult(kr)))
    }
    /// The strategic priority, if this link is to one.
    async fn priority(&self, ctx: &Context<'_>) -> Result<Option<StrategicPriority>> {
        let Some(id) = self.0.priority_id else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<strategic_priority::Entity>, _>()
            .load_one(id)
            .await?
            .map(StrategicPriority))
    }
}

/// Aligns (or unaligns) an objective to exactly one of a parent objective, a key result or a strategic priority.
#[derive(InputObject)]
pub struct OkrAlignInput {
    /// The objective that contributes.
    pub objective_id: ID,
    /// A parent objective.
    pub parent_objective_id: Option<ID>,
    /// A parent key result.
    pub parent_key_result_id: Option<ID>,
    /// A strategic priority.
    pub priority_id: Option<ID>,
}

pub(crate) fn align_target(input: &OkrAlignInput) -> Result<AlignTarget, DomainError> {
    let objective = decode_optional(
        input.parent_objective_id.as_ref(),
        "OkrObjective",
        "input.parentObjectiveId",
    )?;
    let key_result = decode_optional(
        input.parent_key_result_id.as_ref(),
        "OkrKeyResult",
        "input.parentKeyResultId",
    )?;
    let priority = decode_optional(
        input.priority_id.as_ref(),
        "StrategicPriority",
        "input.priorityId",
    )?;
    match (objective, key_result, priority) {
        (Some(id), None, None) => Ok(AlignTarget::Objective(id)),
        (None, Some(id), None) => Ok(AlignTarget::KeyResult(id)),
        (None, None, Some(id)) => Ok(AlignTarget::Priority(id)),
        _ => Err(DomainError::validation(
            "input",
            "give exactly one of parentObjectiveId, parentKeyResultId and priorityId",
        )),
    }
}

/// One objective in a cycle's alignment tree.
#[derive(async_graphql::SimpleObject)]
pub struct OkrAlignmentTreeNode {
    /// The objective, with its progress and health.
    pub objective: OkrObjective,
    /// 0 for a root (usually a company objective), 1 for what aligns to it, …
    pub depth: i32,
    /// The objective it sits under here; null for a root.
    pub parent_id: Option<ID>,
}

/// Objectives aligned directly to one strategic priority.
#[derive(async_graphql::SimpleObject)]
pub struct OkrPriorityObjectives {
    /// The strategic priority.
    pub priority: throughline_domain::graphql::types::StrategicPriority,
    /// The objectives aligned to it that you can see.
    pub objectives: Vec<OkrObjective>,
}

/// How well a cycle's objectives hang together.
#[derive(async_graphql::SimpleObject)]
#[graphql(complex)]
pub struct OkrAlignmentReport {
    /// Team and individual objectives in the cycle that you can see.
    pub team_and_individual_count: i32,
    /// Of those, aligned to a parent objective, a key result or a priority.
    pub aligned_count: i32,
    /// alignedCount / teamAndIndividualCount (1 when there are none).
    pub aligned_share: rust_decimal::Decimal,
    #[graphql(skip)]
    pub unaligned: Vec<crate::entity::objective::Model>,
    /// Every strategic priority (3 to 5) with the objectives aligned directly to it.
    pub by_priority: Vec<OkrPriorityObjectives>,
}

#[async_graphql::ComplexObject]
impl OkrAlignmentReport {
    /// Team and individual objectives aligned to nothing, in tree order.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn unaligned(
        &self,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<OkrObjective>> {
        Ok(connection::page_of_list(
            self.unaligned.clone(),
            |o| o.id.to_string(),
            PageArgs::new(first, after, last, before),
            OkrObjective,
        )?)
    }
}

#[derive(Default)]
pub struct OkrAlignmentQuery;

#[Object]
impl OkrAlignmentQuery {
    /// The alignment tree of a cycle, depth first: company → team → individual.
    /// An objective aligned to several parents appears under each; `depth`
    /// and `parentId` place every node, so pages render as they arrive.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn alignment_tree(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cycle.")] cycle_id: ID,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<OkrAlignmentTreeNode>> {
        let request = request(ctx)?;
        let args = PageArgs::new(first, after, last, before);
        let scores = match id_of(&cycle_id, "OkrCycle") {
            Some(cycle) => request
                .loader::<CycleScoresLoader, _>()
                .load_one(cycle)
                .await?
                .unwrap_or_default(),
            None => Default::default(),
        };
        // The tree is computed once per scores revision for everyone; this
        // request takes out what its viewer may not see, then reads only
        // the rows of its page.
        let outline = &scores.outline;
        let hidden = hidden_private_objectives(
            &request.scope,
            outline.cycles(),
            outline.private_objectives(),
        )
        .await?;
        let tree = outline.tree(&hidden)?;
        let window = connection::list_window(&tree, TreeEntry::key, &args)?;
        let entries = tree.get(window.clone()).unwrap_or_default();
        let rows = request
            .loader::<VisibleObjective, _>()
            .load_many(entries.iter().map(|entry| entry.objective))
            .await?;
        let nodes = entries.iter().filter_map(|entry| {
            let row = rows.get(&entry.objective)?;
            Some((
                entry.key(),
                OkrAlignmentTreeNode {
                    objective: OkrObjective(row.clone()),
                    depth: entry.depth as i32,
                    parent_id: entry
                        .parent
                        .map(|id| throughline_domain::graphql::encode_id("OkrObjective", id)),
                },
            ))
        });
        Ok(connection::list_page(window, tree.len(), nodes))
    }

    /// The share of team and individual objectives aligned, the unaligned ones, and objectives per priority.
    async fn alignment_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cycle.")] cycle_id: ID,
    ) -> Result<Option<OkrAlignmentReport>> {
        let scope = &request(ctx)?.scope;
        let Some(cycle) = id_of(&cycle_id, "OkrCycle") else {
            return Ok(None);
        };
        if request(ctx)?
            .loader::<ById<cycle::Entity>, _>()
            .load_one(cycle)
            .await?
            .is_none()
        {
            return Ok(None);
        }
        let report = crate::service::reports::alignment_report(scope, scope, cycle).await?;
        let share = if report.considered == 0 {
            rust_decimal::Decimal::ONE
        } else {
            (rust_decimal::Decimal::from(report.aligned as i64)
                / rust_decimal::Decimal::from(report.considered as i64))
            .round_dp(4)
            .normalize()
        };
        Ok(Some(OkrAlignmentReport {
            team_and_individual_count: report.considered as i32,
            aligned_count: report.aligned as i32,
            aligned_share: share,
            unaligned: report.unaligned,
            by_priority: report
                .by_priority
                .into_iter()
                .map(|(p, objectives)| OkrPriorityObjectives {
                    priority: throughline_domain::graphql::types::StrategicPriority(p),
                    objectives: objectives.into_iter().map(OkrObjective).collect(),
                })
                .collect(),
        }))
    }
}

#[derive(Default)]
pub struct OkrAlignmentMutation;

#[Object]
impl OkrAlignmentMutation {
    /// Aligns an objective to a parent objective, key result or strategic priority. Idempotent.
    async fn align(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OkrAlignInput,
    ) -> Result<OkrObjectivePayload> {
        let id = decode_id(&input.objective_id, "OkrObjective", "input.objectiveId")?;
        let target = align_target(&input)?;
        let objective = crate::service::alignment::align(&request(ctx)?.scope, id, target).await?;
        Ok(OkrObjectivePayload {
            objective: OkrObjective(objective),
            warnings: vec![],
        })
    }

    /// Removes one alignment. Idempotent.
    async fn unalign(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OkrAlignInput,
    ) -> Result<OkrObjectivePayload> {
        let id = decode_id(&input.objective_id, "OkrObjective", "input.objectiveId")?;
        let target = align_target(&input)?;
        let objective =
            crate::service::alignment::unalign(&request(ctx)?.scope, id, target).await?;
        Ok(OkrObjectivePayload {
            objective: OkrObjective(objective),
            warnings: vec![],
        })
    }
}
