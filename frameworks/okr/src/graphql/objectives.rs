//! Objectives: owners and co-owners, privacy, progress and health with their explanations.

use super::loaders::{
    AlignedChildren, AlignmentsOfObjective, CoOwnersOfObjective, CycleScoresLoader,
    KeyResultsOfObjective, VisibleObjective,
};
use super::types::*;
use crate::entity::{alignment, cycle, key_result, objective};
use crate::model::{Level, ObjectiveStatus};
use crate::scoring::{Health, ProgressDriver};
use crate::service::scores::ObjectiveScore;
use crate::service::visibility::visible_objectives;
use crate::service::{objectives, optional_decimal, parse_decimal};
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
use throughline_domain::entity::person;
use throughline_domain::graphql::types::{OrgUnit, Person};
use throughline_domain::kit::{
    ById, DomainError, Explanation, Page, PageArgs, PersonStatus, SortKey, connection, decode_id,
    decode_optional, encode_id, id_of, page_complexity, patch_id, request, search_term,
    text_contains, updated_since,
};
use uuid::Uuid;

pub(crate) async fn objective_score(
    ctx: &Context<'_>,
    o: &objective::Model,
) -> Result<std::sync::Arc<ObjectiveScore>> {
    let scores = request(ctx)?
        .loader::<CycleScoresLoader, _>()
        .load_one(o.cycle_id)
        .await?
        .ok_or(DomainError::not_found("cycle"))?;
    Ok(scores
        .objectives
        .get(&o.id)
        .cloned()
        .ok_or_else(|| DomainError::Internal("objective not scored".into()))?)
}

/// An objective: what to achieve in a cycle, measured by key results.
#[derive(Clone, Debug)]
pub struct OkrObjective(pub objective::Model);

/// An objective: what to achieve in a cycle, measured by key results.
// Hidden from the introspection of tenants without OKRs (it is a `Node`).
#[Object(visible = "super::okr_enabled")]
impl OkrObjective {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("OkrObjective", self.0.id)
    }
    /// What to achieve.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Why it matters.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Company, team or individual.
    async fn level(&self) -> Result<Level> {
        Ok(Level::parse(&self.0.level)?)
    }
    /// Draft, active, closed or archived.
    async fn status(&self) -> Result<ObjectiveStatus> {
        Ok(ObjectiveStatus::parse(&self.0.status)?)
    }
    /// Visible only to its owners, their manager chain and admins.
    async fn private(&self) -> bool {
        self.0.private
    }
    /// Its weight in the progress of what it aligns to.
    async fn weight(&self) -> Result<Decimal> {
        Ok(parse_decimal(&self.0.weight)?)
    }
    /// What its progress is computed from.
    async fn progress_driver(&self) -> Result<ProgressDriver> {
        Ok(ProgressDriver::parse(&self.0.progress_driver)?)
    }
    /// The one accountable owner.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        person(ctx, self.0.owner_id).await
    }
    /// True when the owner is no longer active: reassign the objective.
    async fn owner_inactive(&self, ctx: &Context<'_>) -> Result<bool> {
        let owner = request(ctx)?
            .loader::<ById<person::Entity>, _>()
            .load_one(self.0.owner_id)
            .await?;
        Ok(owner.is_none_or(|p| p.status == PersonStatus::Inactive.as_str()))
    }
    /// People who share the objective.
    async fn co_owners(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        let request = request(ctx)?;
        let ids = request
            .loader::<CoOwnersOfObjective, _>()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let people = request
            .loader::<ById<person::Entity>, _>()
            .load_many(ids.clone())
            .await?;
        Ok(ids
            .iter()
            .filter_map(|id| people.get(id).cloned().map(Person))
            .collect())
    }
    /// The org unit (for team objectives).
    async fn org_unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        let Some(id) = self.0.org_unit_id else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<throughline_domain::entity::org_unit::Entity>, _>()
            .load_one(id)
            .await?
            .map(OrgUnit))
    }
    /// The cycle it belongs to.
    async fn cycle(&self, ctx: &Context<'_>) -> Result<Option<OkrCycle>> {
        Ok(request(ctx)?
            .loader::<ById<cycle::Entity>, _>()
            .load_one(self.0.cycle_id)
            .await?
            .map(OkrCycle))
    }
    /// Its key results.
    async fn key_results(&self, ctx: &Context<'_>) -> Result<Vec<OkrKeyResult>> {
        let rows = request(ctx)?
            .loader::<KeyResultsOfObjective, _>()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows.iter().cloned().map(OkrKeyResult).collect())
    }
    /// What it contributes to that you can see: parent objectives, key
    /// results, strategic priorities. A link to a private objective you may
    /// not see is left out, as the objective itself is.
    async fn aligned_to(&self, ctx: &Context<'_>) -> Result<Vec<OkrAlignment>> {
        let request = request(ctx)?;
        let rows = request
            .loader::<AlignmentsOfObjective, _>()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let key_results = request
            .loader::<ById<key_result::Entity>, _>()
            .load_many(rows.iter().filter_map(|r| r.parent_key_result_id))
            .await?;
        let parent_of = |row: &alignment::Model| {
            row.parent_objective_id.or_else(|| {
                row.parent_key_result_id.map(|kr| {
                    key_results
                        .get(&kr)
                        .map_or(Uuid::nil(), |kr| kr.objective_id)
                })
            })
        };
        let visible = request
            .loader::<VisibleObjective, _>()
            .load_many(rows.iter().filter_map(parent_of))
            .await?;
        Ok(rows
            .iter()
            .filter(|row| parent_of(row).is_none_or(|parent| visible.contains_key(&parent)))
            .cloned()
            .map(OkrAlignment)
            .collect())
    }
    /// The objectives aligned to this one or to one of its key results that you can see.
    async fn aligned_objectives(&self, ctx: &Context<'_>) -> Result<Vec<OkrObjective>> {
        let request = request(ctx)?;
        let ids = request
            .loader::<AlignedChildren, _>()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let found = request
            .loader::<VisibleObjective, _>()
            .load_many(ids.clone())
            .await?;
        Ok(ids
            .iter()
            .filter_map(|id| found.get(id).cloned().map(OkrObjective))
            .collect())
    }
    /// Progress from 0 to 1 per its driver, with its explanation. Private
    /// objectives aligned to it count for everyone; to those who may not
    /// see them they show only as one anonymous "private contribution".
    async fn progress(&self, ctx: &Context<'_>) -> Result<Explained> {
        let score = objective_score(ctx, &self.0).await?;
        Ok(Explained {
            value: score.progress,
            explanation: ExplanationOf::Progress(score),
        })
    }
    /// The share of the cycle elapsed, with its explanation.
    async fn expected_progress(&self, ctx: &Context<'_>) -> Result<Explained> {
        Ok(objective_score(ctx, &self.0).await?.expected.clone().into())
    }
    /// Health rolled up from its key results (and aligned objectives, per its driver).
    async fn health(&self, ctx: &Context<'_>) -> Result<Health> {
        Ok(objective_score(ctx, &self.0).await?.health)
    }
    /// How the health was reached.
    async fn health_explanation(&self, ctx: &Context<'_>) -> Result<Explanation> {
        let score = objective_score(ctx, &self.0).await?;
        let hidden = hidden_contributions(ctx, &score.contributions).await?;
        Ok(score.health_explanation_seen_without(&hidden))
    }
    /// The owner's reflection for grading: what was learned.
    async fn closing_note(&self) -> Option<&str> {
        self.0.closing_note.as_deref()
    }
    /// The grade recorded when the cycle closed (0 to 1); `grading` tells
    /// when, by whom, whether it is outdated, and the owner's self-score.
    async fn grade(&self) -> Result<Option<Decimal>> {
        Ok(optional_decimal(self.0.grade.as_deref())?)
    }
    /// How it was graded.
    async fn grading(&self) -> super::grading::OkrGrading {
        super::grading::OkrGrading(self.0.clone())
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

/// A new objective.
#[derive(InputObject)]
pub struct CreateOkrObjectiveInput {
    /// The cycle it belongs to.
    pub cycle_id: ID,
    /// What to achieve.
    pub title: String,
    /// Why it matters.
    pub description: Option<String>,
    /// Company (admins), team (names its org unit) or individual.
    pub level: Level,
    /// The one accountable owner.
    pub owner_id: ID,
    /// People who share it.
    pub co_owner_ids: Option<Vec<ID>>,
    /// The org unit (required for team objectives).
    pub org_unit_id: Option<ID>,
    /// Visible only to its owners, their manager chain and admins; default false.
    pub private: Option<bool>,
    /// Its weight in what it aligns to; default 1.
    pub weight: Option<Decimal>,
    /// What its progress is computed from; default `KEY_RESULTS`.
    pub progress_driver: Option<ProgressDriver>,
    /// Default `DRAFT`.
    pub status: Option<ObjectiveStatus>,
}

/// Changes to an objective; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateOkrObjectiveInput {
    /// The objective.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: MaybeUndefined<String>,
    /// New level.
    pub level: Option<Level>,
    /// New owner (reassign when the owner left).
    pub owner_id: Option<ID>,
    /// The complete new list of co-owners.
    pub co_owner_ids: Option<Vec<ID>>,
    /// New org unit.
    pub org_unit_id: MaybeUndefined<ID>,
    /// Make it private or public.
    pub private: Option<bool>,
    /// New weight.
    pub weight: Option<Decimal>,
    /// New progress driver.
    pub progress_driver: Option<ProgressDriver>,
    /// New status: `ACTIVE`, `CLOSED`, `ARCHIVED`.
    pub status: Option<ObjectiveStatus>,
    /// The owner's reflection for grading (what was learned), usually given
    /// with `status: CLOSED`; null clears it.
    pub closing_note: MaybeUndefined<String>,
}

/// The objective after the change, with soft warnings.
#[derive(SimpleObject)]
pub struct OkrObjectivePayload {
    /// The objective after the change.
    pub objective: OkrObjective,
    /// Soft warnings: the change was made, but consider these.
    pub warnings: Vec<OkrWarning>,
}

#[derive(Default)]
pub struct OkrObjectivesQuery;

#[Object]
impl OkrObjectivesQuery {
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
        let page = connection::page(
            ctx,
            scope,
            select,
            sort,
            PageArgs::new(first, after, last, before),
            OkrObjective,
        )
        .await?;
        // Visible by construction: a key result's score or an alignment's
        // parent that looks one of them up again needs no statement.
        request
            .loader::<VisibleObjective, _>()
            .feed_many(page.edges.iter().map(|e| (e.node.0.id, e.node.0.clone())))
            .await;
        Ok(page)
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

#[derive(Default)]
pub struct OkrObjectivesMutation;

#[Object]
impl OkrObjectivesMutation {
    /// Creates an objective.
    async fn create_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateOkrObjectiveInput,
    ) -> Result<OkrObjectivePayload> {
        let scope = &request(ctx)?.scope;
        let (objective, warned) = objectives::create(
            scope,
            objectives::NewObjective {
                cycle_id: decode_id(&input.cycle_id, "OkrCycle", "input.cycleId")?,
                title: input.title,
                description: input.description,
                level: input.level,
                owner_id: decode_id(&input.owner_id, "Person", "input.ownerId")?,
                co_owner_ids: ids(input.co_owner_ids.as_ref(), "Person", "input.coOwnerIds")?
                    .unwrap_or_default(),
                org_unit_id: decode_optional(
                    input.org_unit_id.as_ref(),
                    "OrgUnit",
                    "input.orgUnitId",
                )?,
                private: input.private.unwrap_or(false),
                weight: input.weight,
                progress_driver: input.progress_driver,
                status: input.status,
            },
        )
        .await?;
        Ok(OkrObjectivePayload {
            objective: OkrObjective(objective),
            warnings: warnings(warned),
        })
    }

    /// Changes an objective (close or archive it with `status`).
    async fn update_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateOkrObjectiveInput,
    ) -> Result<OkrObjectivePayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "OkrObjective", "input.id")?;
        let (objective, warned) = objectives::update(
            scope,
            id,
            objectives::ObjectiveChanges {
                version: input.version,
                title: input.title,
                description: throughline_domain::graphql::inputs::patch(&input.description),
                level: input.level,
                owner_id: decode_optional(input.owner_id.as_ref(), "Person", "input.ownerId")?,
                co_owner_ids: ids(input.co_owner_ids.as_ref(), "Person", "input.coOwnerIds")?,
                org_unit_id: patch_id(&input.org_unit_id, "OrgUnit", "input.orgUnitId")?,
                private: input.private,
                weight: input.weight,
                progress_driver: input.progress_driver,
                status: input.status,
                closing_note: throughline_domain::graphql::inputs::patch(&input.closing_note),
            },
        )
        .await?;
        Ok(OkrObjectivePayload {
            objective: OkrObjective(objective),
            warnings: warnings(warned),
        })
    }

    /// Deletes a draft objective.
    async fn delete_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteOkrInput,
    ) -> Result<OkrDeletePayload> {
        let id = decode_id(&input.id, "OkrObjective", "input.id")?;
        let objective = objectives::delete(&request(ctx)?.scope, id).await?;
        Ok(OkrDeletePayload {
            deleted_id: encode_id("OkrObjective", objective.id),
        })
    }
}
