//! Initiatives in GraphQL: the type with its health, the list, the
//! initiatives on an objective (every objective of a request in two
//! statements), and create / update / delete.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use throughline_domain::graphql::types::Person;
use throughline_domain::kit::{
    ById, Date, DomainError, Page, PageArgs, SortKey, TenantScope, connection, decode_id,
    encode_id, from_stored, page_complexity, patch, patch_id, request, scoped_loader,
};
use uuid::Uuid;

use super::types::ScorecardObjective;
use crate::entity::{initiative, initiative_objective, milestone, objective};
use crate::service::initiatives::{
    self, Health, InitiativeChanges, InitiativeStatus, MilestoneInput, NewInitiative, health,
};

scoped_loader!(InitiativeLoader);

/// The initiatives serving an objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ServingObjective(pub Uuid);

/// An initiative's milestones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MilestonesOf(pub Uuid);

/// The objectives an initiative serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ServedBy(pub Uuid);

impl Loader<ServingObjective> for InitiativeLoader {
    type Value = Vec<initiative::Model>;
    type Error = DomainError;

    async fn load(
        &self,
        keys: &[ServingObjective],
    ) -> Result<HashMap<ServingObjective, Self::Value>, DomainError> {
        let links = self
            .scope
            .select::<initiative_objective::Entity>()
            .filter(initiative_objective::Column::ObjectiveId.is_in(keys.iter().map(|k| k.0)))
            .all(&self.scope)
            .await?;
        let rows: HashMap<Uuid, initiative::Model> = if links.is_empty() {
            HashMap::new()
        } else {
            self.scope
                .select::<initiative::Entity>()
                .filter(initiative::Column::Id.is_in(links.iter().map(|l| l.initiative_id)))
                .all(&self.scope)
                .await?
                .into_iter()
                .map(|i| (i.id, i))
                .collect()
        };
        let mut out: HashMap<ServingObjective, Vec<initiative::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for link in links {
            if let (Some(list), Some(row)) = (
                out.get_mut(&ServingObjective(link.objective_id)),
                rows.get(&link.initiative_id),
            ) {
                list.push(row.clone());
            }
        }
        for list in out.values_mut() {
            list.sort_by_key(|i| (i.ends_on, i.id));
        }
        Ok(out)
    }
}

impl Loader<MilestonesOf> for InitiativeLoader {
    type Value = Vec<milestone::Model>;
    type Error = DomainError;

    async fn load(
        &self,
        keys: &[MilestonesOf],
    ) -> Result<HashMap<MilestonesOf, Self::Value>, DomainError> {
        let rows = self
            .scope
            .select::<milestone::Entity>()
            .filter(milestone::Column::InitiativeId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(milestone::Column::Position)
            .all(&self.scope)
            .await?;
        let mut out: HashMap<MilestonesOf, Vec<milestone::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            if let Some(list) = out.get_mut(&MilestonesOf(row.initiative_id)) {
                list.push(row);
            }
        }
        Ok(out)
    }
}

impl Loader<ServedBy> for InitiativeLoader {
    type Value = Vec<Uuid>;
    type Error = DomainError;

    async fn load(&self, keys: &[ServedBy]) -> Result<HashMap<ServedBy, Vec<Uuid>>, DomainError> {
        let rows = self
            .scope
            .select::<initiative_objective::Entity>()
            .filter(initiative_objective::Column::InitiativeId.is_in(keys.iter().map(|k| k.0)))
            .all(&self.scope)
            .await?;
        let mut out: HashMap<ServedBy, Vec<Uuid>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            if let Some(list) = out.get_mut(&ServedBy(row.initiative_id)) {
                list.push(row.objective_id);
            }
        }
        Ok(out)
    }
}

async fn milestones_of(ctx: &Context<'_>, id: Uuid) -> Result<Vec<milestone::Model>> {
    Ok(request(ctx)?
        .loader::<InitiativeLoader, MilestonesOf>()
        .load_one(MilestonesOf(id))
        .await?
        .unwrap_or_default())
}

/// The initiatives serving an objective, soonest to end first.
pub(crate) async fn serving(
    ctx: &Context<'_>,
    objective: Uuid,
) -> Result<Vec<ScorecardInitiative>> {
    Ok(request(ctx)?
        .loader::<InitiativeLoader, ServingObjective>()
        .load_one(ServingObjective(objective))
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(ScorecardInitiative)
        .collect())
}

/// A dated step of an initiative.
#[derive(SimpleObject)]
pub struct ScorecardMilestone {
    /// Send it back with `updateInitiative(milestones)` to keep the milestone.
    pub id: ID,
    /// What it marks, e.g. `Pilot`.
    pub title: String,
    /// The day it is due.
    pub due_on: Date,
    /// When it was reached; null while open.
    pub done_on: Option<Date>,
    /// Open, and its day has passed.
    pub overdue: bool,
}

/// How an initiative stands today.
#[derive(SimpleObject)]
pub struct ScorecardInitiativeHealth {
    /// As its owner reports it.
    pub status: InitiativeStatus,
    /// The percent complete its dates call for by today.
    pub expected_percent_complete: i32,
    /// Open milestones whose day has passed.
    pub overdue_milestones: i32,
    /// Actual cost above budget.
    pub over_budget: bool,
    /// 0–10 by schedule: 10 × percent complete ÷ expected, at most 10 (10 when done, 0 when cancelled). Joins its objectives' scores only when it counts toward them.
    pub score: Decimal,
    /// The judgment in words.
    pub text: String,
}

impl From<Health> for ScorecardInitiativeHealth {
    fn from(h: Health) -> Self {
        Self {
            status: h.status,
            expected_percent_complete: h.expected_percent,
            overdue_milestones: i32::try_from(h.overdue_milestones).unwrap_or(i32::MAX),
            over_budget: h.over_budget,
            score: h.score,
            text: h.text,
        }
    }
}

/// A project that serves one or more objectives.
#[derive(Clone, Debug)]
pub struct ScorecardInitiative(pub initiative::Model);

/// A project that serves one or more objectives.
#[Object(visible = "super::scorecard_enabled")]
impl ScorecardInitiative {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("ScorecardInitiative", self.0.id)
    }
    /// What it is, e.g. `Launch in the EU`.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What it delivers and why.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Who reports its progress.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        throughline_domain::kit::load_person(ctx, self.0.owner_id).await
    }
    /// Its first day.
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }
    /// Its last day.
    async fn ends_on(&self) -> Date {
        Date(self.0.ends_on)
    }
    /// Where it stands, as its owner reports it.
    async fn status(&self) -> Result<InitiativeStatus> {
        Ok(InitiativeStatus::parse(&self.0.status)?)
    }
    /// 0–100, as its owner reports it.
    async fn percent_complete(&self) -> i32 {
        self.0.percent_complete
    }
    /// What it may cost.
    async fn budget(&self) -> Result<Option<Decimal>> {
        Ok(self.0.budget.as_deref().map(from_stored).transpose()?)
    }
    /// What it has cost so far.
    async fn actual_cost(&self) -> Result<Option<Decimal>> {
        Ok(self.0.actual_cost.as_deref().map(from_stored).transpose()?)
    }
    /// Whether its schedule score joins its objectives' scores (as a leading child of weight 1).
    async fn counts_toward_score(&self) -> bool {
        self.0.counts_toward_score
    }
    /// The objectives it serves.
    async fn objectives(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardObjective>> {
        let request = request(ctx)?;
        let ids = request
            .loader::<InitiativeLoader, ServedBy>()
            .load_one(ServedBy(self.0.id))
            .await?
            .unwrap_or_default();
        let mut rows: Vec<objective::Model> = request
            .loader::<ById<objective::Entity>, _>()
            .load_many(ids)
            .await?
            .into_values()
            .collect();
        rows.sort_by_key(|o| (o.position, o.id));
        Ok(rows.into_iter().map(ScorecardObjective).collect())
    }
    /// Its milestones, in order.
    async fn milestones(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardMilestone>> {
        let today = request(ctx)?.scope.today();
        Ok(milestones_of(ctx, self.0.id)
            .await?
            .into_iter()
            .map(|m| ScorecardMilestone {
                id: encode_id("ScorecardMilestone", m.id),
                overdue: m.done_on.is_none() && m.due_on < today,
                title: m.title,
                due_on: Date(m.due_on),
                done_on: m.done_on.map(Date),
            })
            .collect())
    }
    /// How it stands today: progress against its dates, overdue milestones, budget.
    async fn health(&self, ctx: &Context<'_>) -> Result<ScorecardInitiativeHealth> {
        let today = request(ctx)?.scope.today();
        let milestones = milestones_of(ctx, self.0.id).await?;
        Ok(health(&self.0, &milestones, today).into())
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(Default)]
pub struct ScorecardInitiativesQuery;

#[Object]
impl ScorecardInitiativesQuery {
    /// The tenant's initiatives, soonest to end first; with `status`, only those.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn initiatives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only initiatives with this status.")] status: Option<InitiativeStatus>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<ScorecardInitiative>> {
        let scope: &TenantScope = &request(ctx)?.scope;
        let mut select = scope.select::<initiative::Entity>();
        if let Some(status) = status {
            select = select.filter(initiative::Column::Status.eq(status.as_str()));
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Date(initiative::Column::EndsOn),
            PageArgs::new(first, after, last, before),
            ScorecardInitiative,
        )
        .await?)
    }
}

/// A milestone as written: with its `id` to keep an existing one.
#[derive(InputObject)]
pub struct ScorecardMilestoneInput {
    /// An existing milestone's ID, to keep it; omitted for a new one.
    pub id: Option<ID>,
    /// What it marks (1 to 200 characters).
    pub title: String,
    /// Within the initiative's dates.
    pub due_on: Date,
    /// When it was reached; omitted or null while open.
    pub done_on: Option<Date>,
}

fn milestones(input: Vec<ScorecardMilestoneInput>) -> Result<Vec<MilestoneInput>> {
    input
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            Ok(MilestoneInput {
                id: m
                    .id
                    .as_ref()
                    .map(|id| {
                        decode_id(
                            id,
                            "ScorecardMilestone",
                            &format!("input.milestones[{i}].id"),
                        )
                    })
                    .transpose()?,
                title: m.title,
                due_on: m.due_on.0,
                done_on: m.done_on.map(|d| d.0),
            })
        })
        .collect()
}

fn objective_ids(ids: &[ID]) -> Result<Vec<Uuid>> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            Ok(decode_id(
                id,
                "ScorecardObjective",
                &format!("input.objectiveIds[{i}]"),
            )?)
        })
        .collect()
}

/// A new initiative (admins).
#[derive(InputObject)]
pub struct CreateScorecardInitiativeInput {
    /// What it is, e.g. `Launch in the EU` (1 to 200 characters).
    pub title: String,
    /// What it delivers and why (at most 4,000 characters).
    pub description: Option<String>,
    /// The person who reports its progress.
    pub owner_id: Option<ID>,
    /// Its first day.
    pub starts_on: Date,
    /// Its last day, on or after `startsOn`.
    pub ends_on: Date,
    /// The objectives it serves (1 to 20, on any scorecards of the tenant).
    pub objective_ids: Vec<ID>,
    /// Where it stands (default `NOT_STARTED`).
    #[graphql(default_with = "InitiativeStatus::NotStarted")]
    pub status: InitiativeStatus,
    /// 0 to 100 (default 0).
    #[graphql(default = 0)]
    pub percent_complete: i32,
    /// What it may cost: an exact amount, not negative.
    pub budget: Option<Decimal>,
    /// What it has cost so far: an exact amount, not negative.
    pub actual_cost: Option<Decimal>,
    /// Whether its schedule score joins its objectives' scores.
    #[graphql(default = false)]
    pub counts_toward_score: bool,
    /// At most 50, each within its dates.
    #[graphql(default)]
    pub milestones: Vec<ScorecardMilestoneInput>,
}

/// Changes to an initiative; omitted fields stay, null clears. Its owner may change `status`, `percentComplete`, `actualCost` and `milestones`; admins anything.
#[derive(InputObject)]
pub struct UpdateScorecardInitiativeInput {
    /// The initiative.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new title.
    pub title: Option<String>,
    /// A new description; null clears it.
    pub description: MaybeUndefined<String>,
    /// A new owner; null leaves it unowned.
    pub owner_id: MaybeUndefined<ID>,
    /// A new first day.
    pub starts_on: Option<Date>,
    /// A new last day.
    pub ends_on: Option<Date>,
    /// Replaces what it serves.
    pub objective_ids: Option<Vec<ID>>,
    /// Where it stands now.
    pub status: Option<InitiativeStatus>,
    /// 0 to 100.
    pub percent_complete: Option<i32>,
    /// A new budget; null clears it.
    pub budget: MaybeUndefined<Decimal>,
    /// What it has cost so far; null clears it.
    pub actual_cost: MaybeUndefined<Decimal>,
    /// Whether its schedule score joins its objectives' scores.
    pub counts_toward_score: Option<bool>,
    /// Replaces its milestones: those sent with their `id` are kept and rewritten, the others removed, new ones (no `id`) added.
    pub milestones: Option<Vec<ScorecardMilestoneInput>>,
}

/// The initiative after the change.
#[derive(SimpleObject)]
pub struct ScorecardInitiativePayload {
    /// The initiative as it is now.
    pub initiative: ScorecardInitiative,
}

/// Names an initiative and the version read.
#[derive(InputObject)]
pub struct DeleteScorecardInitiativeInput {
    /// The initiative.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

/// What was deleted.
#[derive(SimpleObject)]
pub struct DeleteScorecardInitiativePayload {
    /// The deleted initiative's ID.
    pub deleted_id: ID,
}

#[derive(Default)]
pub struct ScorecardInitiativesMutation;

#[Object]
impl ScorecardInitiativesMutation {
    /// Creates an initiative serving one or more objectives (admins).
    async fn create_initiative(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: CreateScorecardInitiativeInput,
    ) -> Result<ScorecardInitiativePayload> {
        let scope = super::design::designer(ctx)?;
        let row = initiatives::create(
            scope,
            NewInitiative {
                title: input.title,
                description: input.description,
                owner_id: input
                    .owner_id
                    .as_ref()
                    .map(|id| decode_id(id, "Person", "input.ownerId"))
                    .transpose()?,
                starts_on: input.starts_on.0,
                ends_on: input.ends_on.0,
                objective_ids: objective_ids(&input.objective_ids)?,
                status: input.status,
                percent_complete: input.percent_complete,
                budget: input.budget,
                actual_cost: input.actual_cost,
                counts_toward_score: input.counts_toward_score,
                milestones: milestones(input.milestones)?,
            },
        )
        .await?;
        Ok(ScorecardInitiativePayload {
            initiative: ScorecardInitiative(row),
        })
    }

    /// Changes an initiative: its owner reports progress; admins change anything.
    async fn update_initiative(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: UpdateScorecardInitiativeInput,
    ) -> Result<ScorecardInitiativePayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "ScorecardInitiative", "input.id")?;
        let row = initiatives::update(
            scope,
            id,
            InitiativeChanges {
                version: input.version,
                title: input.title,
                description: patch(&input.description),
                owner_id: patch_id(&input.owner_id, "Person", "input.ownerId")?,
                starts_on: input.starts_on.map(|d| d.0),
                ends_on: input.ends_on.map(|d| d.0),
                objective_ids: input
                    .objective_ids
                    .as_deref()
                    .map(objective_ids)
                    .transpose()?,
                status: input.status,
                percent_complete: input.percent_complete,
                budget: patch(&input.budget),
                actual_cost: patch(&input.actual_cost),
                counts_toward_score: input.counts_toward_score,
                milestones: input.milestones.map(milestones).transpose()?,
            },
        )
        .await?;
        Ok(ScorecardInitiativePayload {
            initiative: ScorecardInitiative(row),
        })
    }

    /// Deletes an initiative with its milestones (admins).
    async fn delete_initiative(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: DeleteScorecardInitiativeInput,
    ) -> Result<DeleteScorecardInitiativePayload> {
        let scope = super::design::designer(ctx)?;
        let id = decode_id(&input.id, "ScorecardInitiative", "input.id")?;
        initiatives::delete(scope, id, input.version).await?;
        Ok(DeleteScorecardInitiativePayload {
            deleted_id: encode_id("ScorecardInitiative", id),
        })
    }
}
