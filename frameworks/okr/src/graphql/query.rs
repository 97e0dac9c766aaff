//! `okr { … }` queries.

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, QueryFilter, QuerySelect};
use throughline_domain::DomainError;
use throughline_domain::graphql::connection::{
    self, Page, PageArgs, SortKey, search_term, text_contains, updated_since,
};
use throughline_domain::graphql::ids::{decode_optional, id_of};
use throughline_domain::graphql::loaders::ById;
use throughline_domain::graphql::{page_complexity, request};
use uuid::Uuid;

use crate::entity::{alignment, check_in, cycle, key_result, objective};
use crate::model::{CycleStatus, KeyResultStatus, Level, ObjectiveStatus};
use crate::scoring::Health;
use crate::service::visibility::{visible_objective_ids, visible_objectives};

use super::loaders::{CycleScoresLoader, VisibleObjective};
use super::types::{OkrCheckIn, OkrCycle, OkrKeyResult, OkrObjective};

/// How to order objectives.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "OkrObjectiveOrder")]
pub enum ObjectiveOrder {
    /// By title, A to Z.
    Title,
    /// Oldest first.
    Created,
}

/// Filters for `okr.objectives`; all given filters apply together.
#[derive(InputObject, Default)]
#[graphql(name = "OkrObjectiveFilter")]
pub struct ObjectiveFilter {
    /// Only objectives of this cycle.
    pub cycle_id: Option<ID>,
    /// Only objectives this person owns (or co-owns).
    pub owner_id: Option<ID>,
    /// Only objectives of this org unit.
    pub org_unit_id: Option<ID>,
    /// Only objectives of this level.
    pub level: Option<Level>,
    /// Only objectives with this status.
    pub status: Option<ObjectiveStatus>,
    /// Only objectives aligned directly to this strategic priority.
    pub priority_id: Option<ID>,
    /// Only objectives with this health (needs `cycleId`).
    pub health: Option<Health>,
    /// Case-insensitive part of the title.
    pub search: Option<String>,
    /// Only objectives changed at or after this time (for incremental sync).
    pub updated_since: Option<DateTime<Utc>>,
}

/// Filters for `okr.keyResults`; all given filters apply together.
#[derive(InputObject, Default)]
#[graphql(name = "OkrKeyResultFilter")]
pub struct KeyResultFilter {
    /// Only key results of objectives in this cycle.
    pub cycle_id: Option<ID>,
    /// Only key results of this objective.
    pub objective_id: Option<ID>,
    /// Only key results this person owns.
    pub owner_id: Option<ID>,
    /// Only key results with this status.
    pub status: Option<KeyResultStatus>,
    /// Only key results fed by this core metric.
    pub metric_id: Option<ID>,
    /// Only key results changed at or after this time (a check-in changes
    /// its key result), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
}

/// Filters for `okr.checkIns`; all given filters apply together.
#[derive(InputObject, Default)]
#[graphql(name = "OkrCheckInFilter")]
pub struct CheckInFilter {
    /// Only check-ins on key results of objectives in this cycle.
    pub cycle_id: Option<ID>,
    /// Only check-ins on this key result.
    pub key_result_id: Option<ID>,
    /// Only check-ins by this person.
    pub author_id: Option<ID>,
    /// Only check-ins recorded at or after this time (check-ins never
    /// change), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
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

/// The OKR framework's queries.
pub struct OkrQuery;

#[Object]
impl OkrQuery {
    /// Cycles, earliest first; archived ones only when asked for.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn cycles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only cycles with this status.")] status: Option<CycleStatus>,
        #[graphql(
            desc = "Include archived cycles (implied by `status: ARCHIVED`); integrators polling with `updatedSince` want this.",
            default = false
        )]
        include_archived: bool,
        #[graphql(
            name = "updatedSince",
            desc = "Only cycles changed at or after this time (for incremental sync)."
        )]
        changed_since: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<OkrCycle>> {
        let scope = &request(ctx)?.scope;
        let mut select = scope
            .select::<cycle::Entity>()
            .filter(updated_since(cycle::Column::UpdatedAt, changed_since));
        if let Some(status) = status {
            select = select.filter(cycle::Column::Status.eq(status.as_str()));
        } else if !include_archived {
            select = select.filter(cycle::Column::Status.ne(CycleStatus::Archived.as_str()));
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Date(cycle::Column::StartsOn),
            PageArgs::new(first, after, last, before),
            OkrCycle,
        )
        .await?)
    }

    /// A cycle by ID.
    async fn cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global ID.")] id: ID,
    ) -> Result<Option<OkrCycle>> {
        let Some(uuid) = id_of(&id, "OkrCycle") else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<cycle::Entity>, _>()
            .load_one(uuid)
            .await?
            .map(OkrCycle))
    }

    /// Objectives you can see, filtered and ordered.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; omitted, everything.")] filter: Option<ObjectiveFilter>,
        #[graphql(desc = "The order; by title when omitted.")] order_by: Option<ObjectiveOrder>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<OkrObjective>> {
        let request = request(ctx)?;
        let scope = &request.scope;
        let filter = filter.unwrap_or_default();
        let mut select = visible_objectives(scope).filter(updated_since(
            objective::Column::UpdatedAt,
            filter.updated_since,
        ));
        let cycle_id = decode_optional(filter.cycle_id.as_ref(), "OkrCycle", "filter.cycleId")?;
        if let Some(cycle_id) = cycle_id {
            select = select.filter(objective::Column::CycleId.eq(cycle_id));
        }
        if let Some(owner) = decode_optional(filter.owner_id.as_ref(), "Person", "filter.ownerId")?
        {
            select = select.filter(crate::service::visibility::owned_or_co_owned(scope, owner));
        }
        if let Some(unit) =
            decode_optional(filter.org_unit_id.as_ref(), "OrgUnit", "filter.orgUnitId")?
        {
            select = select.filter(objective::Column::OrgUnitId.eq(unit));
        }
        if let Some(level) = filter.level {
            select = select.filter(objective::Column::Level.eq(level.as_str()));
        }
        if let Some(status) = filter.status {
            select = select.filter(objective::Column::Status.eq(status.as_str()));
        }
        if let Some(priority) = decode_optional(
            filter.priority_id.as_ref(),
            "StrategicPriority",
            "filter.priorityId",
        )? {
            let aligned = scope
                .select::<alignment::Entity>()
                .select_only()
                .column(alignment::Column::ObjectiveId)
                .filter(alignment::Column::PriorityId.eq(priority))
                .into_query();
            select = select.filter(objective::Column::Id.in_subquery(aligned));
        }
        if let Some(search) = search_term("filter.search", filter.search.as_deref())? {
            select = select.filter(text_contains(objective::Column::Title, search));
        }
        if let Some(health) = filter.health {
            let cycle_id = cycle_id.ok_or_else(|| {
                DomainError::validation("filter.health", "filtering by health needs filter.cycleId")
            })?;
            let scores = request
                .loader::<CycleScoresLoader, _>()
                .load_one(cycle_id)
                .await?
                .unwrap_or_default();
            let matching: Vec<Uuid> = scores
                .objectives
                .iter()
                .filter(|(_, s)| s.health == health)
                .map(|(id, _)| *id)
                .collect();
            select = select.filter(objective::Column::Id.is_in(matching));
        }
        let sort = match order_by.unwrap_or(ObjectiveOrder::Title) {
            ObjectiveOrder::Title => SortKey::Text(objective::Column::Title),
            ObjectiveOrder::Created => SortKey::Id,
        };
        Ok(connection::page(
            ctx,
            scope,
            select,
            sort,
            PageArgs::new(first, after, last, before),
            OkrObjective,
        )
        .await?)
    }

    /// An objective by ID; null if there is none you can see.
    async fn objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global ID.")] id: ID,
    ) -> Result<Option<OkrObjective>> {
        let Some(uuid) = id_of(&id, "OkrObjective") else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<VisibleObjective, _>()
            .load_one(uuid)
            .await?
            .map(OkrObjective))
    }

    /// A key result by ID; null if there is none you can see.
    async fn key_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global ID.")] id: ID,
    ) -> Result<Option<OkrKeyResult>> {
        let Some(uuid) = id_of(&id, "OkrKeyResult") else {
            return Ok(None);
        };
        let request = request(ctx)?;
        let Some(kr) = request
            .loader::<ById<key_result::Entity>, _>()
            .load_one(uuid)
            .await?
        else {
            return Ok(None);
        };
        let visible = request
            .loader::<VisibleObjective, _>()
            .load_one(kr.objective_id)
            .await?
            .is_some();
        Ok(visible.then_some(OkrKeyResult(kr)))
    }

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
        let scope = &request(ctx)?.scope;
        let nodes = match id_of(&cycle_id, "OkrCycle") {
            Some(cycle) => crate::service::reports::alignment_tree(scope, scope, cycle).await?,
            None => vec![],
        };
        // A node is an objective under one parent; the same pair recurs when
        // its parent sits under several objectives, hence the occurrence.
        let mut seen: HashMap<(Uuid, Option<Uuid>), usize> = HashMap::new();
        let keyed: Vec<(String, crate::service::reports::TreeNode)> = nodes
            .into_iter()
            .map(|node| {
                let occurrence = seen.entry((node.objective.id, node.parent_id)).or_default();
                *occurrence += 1;
                let parent = node.parent_id.map(|p| p.to_string()).unwrap_or_default();
                (format!("{}/{parent}/{occurrence}", node.objective.id), node)
            })
            .collect();
        Ok(connection::page_of_list(
            keyed,
            |(key, _)| key.clone(),
            PageArgs::new(first, after, last, before),
            |(_, node)| OkrAlignmentTreeNode {
                objective: OkrObjective(node.objective),
                depth: node.depth as i32,
                parent_id: node
                    .parent_id
                    .map(|id| throughline_domain::graphql::encode_id("OkrObjective", id)),
            },
        )?)
    }

    /// Key results of the objectives you can see, oldest first: integrators
    /// sync them incrementally with `updatedSince`.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn key_results(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; omitted, everything.")] filter: Option<KeyResultFilter>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<OkrKeyResult>> {
        let scope = &request(ctx)?.scope;
        let filter = filter.unwrap_or_default();
        let cycle = decode_optional(filter.cycle_id.as_ref(), "OkrCycle", "filter.cycleId")?;
        let mut select = scope
            .select::<key_result::Entity>()
            .filter(
                key_result::Column::ObjectiveId.in_subquery(visible_objective_ids(scope, cycle)),
            )
            .filter(updated_since(
                key_result::Column::UpdatedAt,
                filter.updated_since,
            ));
        if let Some(objective) = decode_optional(
            filter.objective_id.as_ref(),
            "OkrObjective",
            "filter.objectiveId",
        )? {
            select = select.filter(key_result::Column::ObjectiveId.eq(objective));
        }
        if let Some(owner) = decode_optional(filter.owner_id.as_ref(), "Person", "filter.ownerId")?
        {
            select = select.filter(key_result::Column::OwnerId.eq(owner));
        }
        if let Some(status) = filter.status {
            select = select.filter(key_result::Column::Status.eq(status.as_str()));
        }
        if let Some(metric) =
            decode_optional(filter.metric_id.as_ref(), "Metric", "filter.metricId")?
        {
            select = select.filter(key_result::Column::MetricId.eq(metric));
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Id,
            PageArgs::new(first, after, last, before),
            OkrKeyResult,
        )
        .await?)
    }

    /// Check-ins on key results of the objectives you can see, in the order
    /// they were recorded: integrators sync them incrementally with
    /// `updatedSince`.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn check_ins(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; omitted, everything.")] filter: Option<CheckInFilter>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<OkrCheckIn>> {
        let scope = &request(ctx)?.scope;
        let filter = filter.unwrap_or_default();
        let cycle = decode_optional(filter.cycle_id.as_ref(), "OkrCycle", "filter.cycleId")?;
        let visible_key_results = scope
            .select::<key_result::Entity>()
            .select_only()
            .column(key_result::Column::Id)
            .filter(
                key_result::Column::ObjectiveId.in_subquery(visible_objective_ids(scope, cycle)),
            )
            .into_query();
        let mut select = scope
            .select::<check_in::Entity>()
            .filter(check_in::Column::KeyResultId.in_subquery(visible_key_results))
            .filter(updated_since(
                check_in::Column::CreatedAt,
                filter.updated_since,
            ));
        if let Some(kr) = decode_optional(
            filter.key_result_id.as_ref(),
            "OkrKeyResult",
            "filter.keyResultId",
        )? {
            select = select.filter(check_in::Column::KeyResultId.eq(kr));
        }
        if let Some(author) =
            decode_optional(filter.author_id.as_ref(), "Person", "filter.authorId")?
        {
            select = select.filter(check_in::Column::AuthorPersonId.eq(author));
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Id,
            PageArgs::new(first, after, last, before),
            OkrCheckIn,
        )
        .await?)
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

    /// Key results with no check-in within the tenant's cadence, owned in a
    /// manager's whole reporting line (yours by default), oldest first.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn stale_key_results(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cycle.")] cycle_id: ID,
        #[graphql(desc = "The manager whose reporting line to look at; you by default.")]
        manager_id: Option<ID>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<OkrKeyResult>> {
        let request = request(ctx)?;
        let scope = &request.scope;
        let cycle = throughline_domain::graphql::decode_id(&cycle_id, "OkrCycle", "cycleId")?;
        let manager = match decode_optional(manager_id.as_ref(), "Person", "managerId")? {
            Some(id) => id,
            None => scope.actor().person_id.ok_or_else(|| {
                DomainError::validation(
                    "managerId",
                    "you have no person record in this tenant: name a manager",
                )
            })?,
        };
        let scores = request
            .loader::<CycleScoresLoader, _>()
            .load_one(cycle)
            .await?
            .unwrap_or_default();
        let stale: Vec<Uuid> = scores
            .key_results
            .iter()
            .filter(|(_, s)| s.stale)
            .map(|(id, _)| *id)
            .collect();
        let visible = visible_objective_ids(scope, None);
        let line = throughline_domain::service::people::in_reporting_line(
            scope,
            key_result::Column::OwnerId,
            manager,
        );
        let select = scope
            .select::<key_result::Entity>()
            .filter(key_result::Column::Id.is_in(stale))
            .filter(key_result::Column::ObjectiveId.in_subquery(visible))
            .filter(
                Condition::any()
                    .add(key_result::Column::OwnerId.eq(manager))
                    .add(line),
            );
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Id,
            PageArgs::new(first, after, last, before),
            OkrKeyResult,
        )
        .await?)
    }

    /// The objectives you own or co-own, optionally in one cycle, by title.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn my_objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only objectives of this cycle.")] cycle_id: Option<ID>,
        #[graphql(
            name = "updatedSince",
            desc = "Only objectives changed at or after this time."
        )]
        changed_since: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<OkrObjective>> {
        let scope = &request(ctx)?.scope;
        let cycle = decode_optional(cycle_id.as_ref(), "OkrCycle", "cycleId")?;
        let mut select = scope
            .select::<objective::Entity>()
            .filter(updated_since(objective::Column::UpdatedAt, changed_since));
        select = match scope.actor().person_id {
            Some(me) => select.filter(crate::service::visibility::owned_or_co_owned(scope, me)),
            // Without a person record nothing is yours.
            None => select.filter(Expr::val(1).eq(0)),
        };
        if let Some(cycle) = cycle {
            select = select.filter(objective::Column::CycleId.eq(cycle));
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Text(objective::Column::Title),
            PageArgs::new(first, after, last, before),
            OkrObjective,
        )
        .await?)
    }
}
