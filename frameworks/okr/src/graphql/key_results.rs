//! Key results: targets, scores, staleness.

use super::loaders::{CycleScoresLoader, VisibleObjective};
use super::types::*;
use crate::entity::{check_in, cycle, key_result, objective};
use crate::model::{KeyResultProgressSource, KeyResultStatus};
use crate::service::scores::{KeyResultScore, target_of};
use crate::service::visibility::visible_objective_ids;
use crate::service::{key_results, optional_decimal, parse_decimal};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, Condition, QueryFilter};
use throughline_domain::entity::metric;
use throughline_domain::graphql::types::{Metric, Person};
use throughline_domain::kit::{
    ById, Date, DomainError, Page, PageArgs, SortKey, Target, TargetProgress, connection,
    decode_id, decode_optional, encode_id, id_of, page_complexity, patch, patch_id, request,
    updated_since,
};
use uuid::Uuid;

pub(crate) async fn kr_score(
    ctx: &Context<'_>,
    kr: &key_result::Model,
) -> Result<Option<std::sync::Arc<KeyResultScore>>> {
    let request = request(ctx)?;
    let Some(objective) = request
        .loader::<VisibleObjective, _>()
        .load_one(kr.objective_id)
        .await?
    else {
        return Ok(None);
    };
    let scores = request
        .loader::<CycleScoresLoader, _>()
        .load_one(objective.cycle_id)
        .await?;
    Ok(scores.and_then(|s| s.key_results.get(&kr.id).cloned()))
}

/// A measurable result of an objective.
#[derive(Clone, Debug)]
pub struct OkrKeyResult(pub key_result::Model);

/// A measurable result of an objective.
// Hidden from the introspection of tenants without OKRs (it is a `Node`).
#[Object(visible = "super::okr_enabled")]
impl OkrKeyResult {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("OkrKeyResult", self.0.id)
    }
    /// What is measured.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The objective it measures.
    async fn objective(&self, ctx: &Context<'_>) -> Result<Option<OkrObjective>> {
        Ok(request(ctx)?
            .loader::<VisibleObjective, _>()
            .load_one(self.0.objective_id)
            .await?
            .map(OkrObjective))
    }
    /// Who updates it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        person(ctx, self.0.owner_id).await
    }
    /// The target, scored like every target in Throughline.
    async fn target(&self) -> Result<Target> {
        Ok(target_of(&self.0)?)
    }
    /// Its weight in the objective's progress.
    async fn weight(&self) -> Result<Decimal> {
        Ok(parse_decimal(&self.0.weight)?)
    }
    /// `ACTIVE`, `CLOSED` (no more check-ins; still counts) or `ARCHIVED`
    /// (kept with its history; no longer counts).
    async fn status(&self) -> Result<KeyResultStatus> {
        Ok(KeyResultStatus::parse(&self.0.status)?)
    }
    /// The latest value.
    async fn current_value(&self) -> Result<Option<Decimal>> {
        Ok(optional_decimal(self.0.current_value.as_deref())?)
    }
    /// Progress of the current value against the target (or, driven by
    /// aligned objectives, their weighted mean), with its explanation.
    /// Private objectives show as for objectives' progress.
    async fn progress(&self, ctx: &Context<'_>) -> Result<Option<std::sync::Arc<TargetProgress>>> {
        let Some(score) = kr_score(ctx, &self.0).await? else {
            return Ok(None);
        };
        let hidden = hidden_contributions(ctx, &score.contributions).await?;
        Ok(Some(score.progress_seen_without(&hidden)))
    }
    /// Health: the owner's recent stated status, else derived from progress
    /// against its expected progress (driven by aligned objectives: theirs, rolled up).
    async fn health(&self, ctx: &Context<'_>) -> Result<Option<HealthStatus>> {
        let Some(score) = kr_score(ctx, &self.0).await? else {
            return Ok(None);
        };
        Ok(Some(HealthStatus {
            health: score.health,
            derived: score.derived_health.value,
            stated: score.stated_health,
            score,
        }))
    }
    /// What its progress comes from.
    async fn progress_source(&self) -> Result<KeyResultProgressSource> {
        Ok(KeyResultProgressSource::parse(&self.0.progress_source)?)
    }
    /// True when no check-in happened within the tenant's check-in cadence.
    async fn stale(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        Ok(kr_score(ctx, &self.0).await?.map(|s| s.stale))
    }
    /// The latest check-in.
    async fn last_check_in(&self, ctx: &Context<'_>) -> Result<Option<OkrCheckIn>> {
        let Some(id) = self.0.last_check_in_id else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<check_in::Entity>, _>()
            .load_one(id)
            .await?
            .map(OkrCheckIn))
    }

    /// Every check-in by its as-of date, then by when it was recorded.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn check_ins(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
        #[graphql(
            name = "updatedSince",
            desc = "Only check-ins recorded at or after this time (for incremental sync)."
        )]
        recorded_since: Option<DateTime<Utc>>,
    ) -> Result<Page<OkrCheckIn>> {
        let scope = &request(ctx)?.scope;
        let select = scope
            .select::<check_in::Entity>()
            .filter(check_in::Column::KeyResultId.eq(self.0.id))
            .filter(connection::updated_since(
                check_in::Column::CreatedAt,
                recorded_since,
            ));
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Date(check_in::Column::AsOf),
            PageArgs::new(first, after, last, before),
            OkrCheckIn,
        )
        .await?)
    }
    /// The core metric whose recorded values update this key result.
    async fn metric(&self, ctx: &Context<'_>) -> Result<Option<Metric>> {
        let Some(id) = self.0.metric_id else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<metric::Entity>, _>()
            .load_one(id)
            .await?
            .map(Metric))
    }
    /// From when progress is expected of it and check-ins are due.
    async fn starts_on(&self, ctx: &Context<'_>) -> Result<Date> {
        if let Some(day) = self.0.starts_on {
            return Ok(Date(day));
        }
        // Rows without their own start (seeded ones) run the whole cycle.
        let request = request(ctx)?;
        let objective = request
            .loader::<ById<objective::Entity>, _>()
            .load_one(self.0.objective_id)
            .await?;
        let cycle = match objective {
            Some(o) => {
                request
                    .loader::<ById<cycle::Entity>, _>()
                    .load_one(o.cycle_id)
                    .await?
            }
            None => None,
        };
        Ok(Date(cycle.map_or_else(
            || self.0.created_at.date_naive(),
            |c| c.starts_on,
        )))
    }
    /// When it should be reached; null: by the cycle's end.
    async fn due_on(&self) -> Option<Date> {
        self.0.due_on.map(Date)
    }
    /// The grade locked when the cycle closed (0 to 1).
    async fn grade(&self) -> Result<Option<Decimal>> {
        Ok(optional_decimal(self.0.grade.as_deref())?)
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
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

/// A new key result.
#[derive(InputObject)]
pub struct CreateOkrKeyResultInput {
    /// The objective it measures.
    pub objective_id: ID,
    /// What is measured.
    pub title: String,
    /// Who updates it; default the objective's owner.
    pub owner_id: Option<ID>,
    /// The target.
    pub target: Target,
    /// Its weight in the objective; default 1.
    pub weight: Option<Decimal>,
    /// The value now; default the target's start.
    pub current_value: Option<Decimal>,
    /// A core metric whose recorded values update it.
    pub metric_id: Option<ID>,
    /// `ALIGNED_OBJECTIVES`: its progress is the weighted mean of the
    /// objectives aligned to it, and it takes no check-ins; default `TARGET`.
    pub progress_source: Option<KeyResultProgressSource>,
    /// From when progress is expected of it (within its cycle); default
    /// today in the tenant's time zone, so one added mid-cycle is not born
    /// behind.
    pub starts_on: Option<Date>,
    /// When it should be reached, if before the cycle's end.
    pub due_on: Option<Date>,
}

/// Changes to a key result; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateOkrKeyResultInput {
    /// The key result.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// New title.
    pub title: Option<String>,
    /// New owner.
    pub owner_id: Option<ID>,
    /// New target.
    pub target: Option<Target>,
    /// New weight.
    pub weight: Option<Decimal>,
    /// Link to a core metric, or null to unlink.
    pub metric_id: MaybeUndefined<ID>,
    /// What its progress comes from.
    pub progress_source: Option<KeyResultProgressSource>,
    /// New start (within its cycle).
    pub starts_on: Option<Date>,
    /// New due date, or null for the cycle's end.
    pub due_on: MaybeUndefined<Date>,
    /// `CLOSED` stops check-ins and keeps its last value counting;
    /// `ARCHIVED` keeps it with its history but stops counting it; `ACTIVE`
    /// brings it back.
    pub status: Option<KeyResultStatus>,
}

/// The key result after the change, with its objective's soft warnings.
#[derive(SimpleObject)]
pub struct OkrKeyResultPayload {
    /// The key result after the change.
    pub key_result: OkrKeyResult,
    /// Soft warnings about its objective.
    pub warnings: Vec<OkrWarning>,
}

#[derive(Default)]
pub struct OkrKeyResultsQuery;

#[Object]
impl OkrKeyResultsQuery {
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
}

#[derive(Default)]
pub struct OkrKeyResultsMutation;

#[Object]
impl OkrKeyResultsMutation {
    /// Adds a key result to an objective.
    async fn create_key_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateOkrKeyResultInput,
    ) -> Result<OkrKeyResultPayload> {
        let scope = &request(ctx)?.scope;
        let (kr, warned) = key_results::create(
            scope,
            key_results::NewKeyResult {
                objective_id: decode_id(&input.objective_id, "OkrObjective", "input.objectiveId")?,
                title: input.title,
                owner_id: decode_optional(input.owner_id.as_ref(), "Person", "input.ownerId")?,
                target: input.target,
                weight: input.weight,
                current_value: input.current_value,
                metric_id: decode_optional(input.metric_id.as_ref(), "Metric", "input.metricId")?,
                starts_on: input.starts_on.map(|d| d.0),
                due_on: input.due_on.map(|d| d.0),
                progress_source: input.progress_source,
            },
        )
        .await?;
        Ok(OkrKeyResultPayload {
            key_result: OkrKeyResult(kr),
            warnings: warnings(warned),
        })
    }

    /// Changes a key result.
    async fn update_key_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateOkrKeyResultInput,
    ) -> Result<OkrKeyResultPayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "OkrKeyResult", "input.id")?;
        let kr = key_results::update(
            scope,
            id,
            key_results::KeyResultChanges {
                version: input.version,
                title: input.title,
                owner_id: decode_optional(input.owner_id.as_ref(), "Person", "input.ownerId")?,
                target: input.target,
                weight: input.weight,
                metric_id: patch_id(&input.metric_id, "Metric", "input.metricId")?,
                starts_on: input.starts_on.map(|d| d.0),
                due_on: patch(&input.due_on).map(|d| d.map(|d| d.0)),
                progress_source: input.progress_source,
                status: input.status,
            },
        )
        .await?;
        Ok(OkrKeyResultPayload {
            key_result: OkrKeyResult(kr),
            warnings: vec![],
        })
    }

    /// Deletes a key result.
    async fn delete_key_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteOkrInput,
    ) -> Result<OkrDeletePayload> {
        let id = decode_id(&input.id, "OkrKeyResult", "input.id")?;
        let kr = key_results::delete(&request(ctx)?.scope, id).await?;
        Ok(OkrDeletePayload {
            deleted_id: encode_id("OkrKeyResult", kr.id),
        })
    }
}
