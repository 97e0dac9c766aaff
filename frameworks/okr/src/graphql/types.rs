//! The OKR framework's GraphQL object types.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter};
use throughline_domain::DomainError;
use throughline_domain::entity::{metric, person, strategic_priority};
use throughline_domain::enums::PersonStatus;
use throughline_domain::graphql::Date;
use throughline_domain::graphql::connection::{self, Page, PageArgs, SortKey};
use throughline_domain::graphql::loaders::ById;
use throughline_domain::graphql::types::{Metric, OrgUnit, Person, StrategicPriority};
use throughline_domain::graphql::{encode_id, page_complexity, request};
use throughline_domain::target::{Explanation, Target, TargetProgress};

use crate::entity::{alignment, check_in, cycle, key_result, objective};
use crate::model::{CheckInSource, CycleStatus, KeyResultStatus, Level, ObjectiveStatus};
use crate::scoring::{Health, ProgressDriver};
use crate::service::scores::{KeyResultScore, ObjectiveScore, target_of};
use crate::service::{Warning, optional_decimal, parse_decimal};

use super::loaders::{
    AlignedChildren, AlignmentsOfObjective, CoOwnersOfObjective, CycleScoresLoader,
    KeyResultsOfObjective, VisibleObjective,
};

async fn person(ctx: &Context<'_>, id: Uuid) -> Result<Option<Person>> {
    Ok(request(ctx)?
        .loader::<ById<person::Entity>, _>()
        .load_one(id)
        .await?
        .map(Person))
}

use uuid::Uuid;

/// An OKR cycle: a period objectives are set for, graded at its end.
#[derive(Clone, Debug)]
pub struct OkrCycle(pub cycle::Model);

/// An OKR cycle: a period objectives are set for, graded at its end.
// Hidden from the introspection of tenants without OKRs (it is a `Node`).
#[Object(visible = "super::okr_enabled")]
impl OkrCycle {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("OkrCycle", self.0.id)
    }
    /// E.g. `FY2027 Q1`.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// First day.
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }
    /// Last day (inclusive).
    async fn ends_on(&self) -> Date {
        Date(self.0.ends_on)
    }
    /// Planning, active or closed (graded and locked).
    async fn status(&self) -> Result<CycleStatus> {
        Ok(CycleStatus::parse(&self.0.status)?)
    }
    /// The cycle that holds this one (a quarter's fiscal year).
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<OkrCycle>> {
        let Some(id) = self.0.parent_id else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<cycle::Entity>, _>()
            .load_one(id)
            .await?
            .map(OkrCycle))
    }
    /// The share of the cycle elapsed today (1 once it has ended), with its explanation.
    async fn expected_progress(&self) -> Explained {
        let as_of = crate::service::scores::as_of(&self.0, Utc::now().date_naive());
        crate::scoring::expected_progress(self.0.starts_on, self.0.ends_on, as_of).into()
    }
    /// What was said when the cycle was graded.
    async fn closing_note(&self) -> Option<&str> {
        self.0.closing_note.as_deref()
    }
    /// When it was graded and closed.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A figure with how it was computed.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "OkrExplained")]
pub struct Explained {
    /// The figure, from 0 to 1.
    pub value: Decimal,
    /// Inputs, formula and result.
    pub explanation: Explanation,
}

impl From<crate::scoring::Explained<Decimal>> for Explained {
    fn from(e: crate::scoring::Explained<Decimal>) -> Self {
        Self {
            value: e.value,
            explanation: e.explanation,
        }
    }
}

/// A health judgement with how it was reached.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "OkrHealthStatus")]
pub struct HealthStatus {
    /// The health that counts: the owner's stated status from a recent check-in, else the derived one.
    pub health: Health,
    /// Derived from actual against expected progress.
    pub derived: Health,
    /// The owner's status from the latest check-in, while it is not stale.
    pub stated: Option<Health>,
    /// How the derived health was reached.
    pub explanation: Explanation,
}

/// A soft warning about a change that was still made.
#[derive(SimpleObject, Clone, Debug)]
pub struct OkrWarning {
    /// Stable code: `TOO_MANY_COMPANY_OBJECTIVES`, `NO_KEY_RESULTS`, `TOO_MANY_KEY_RESULTS`, `NOT_ALIGNED`.
    pub code: String,
    /// What to consider.
    pub message: String,
}

impl From<Warning> for OkrWarning {
    fn from(w: Warning) -> Self {
        Self {
            code: w.code.into(),
            message: w.message,
        }
    }
}

async fn objective_score(ctx: &Context<'_>, o: &objective::Model) -> Result<ObjectiveScore> {
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
        Ok(rows.into_iter().map(OkrKeyResult).collect())
    }
    /// What it contributes to: parent objectives, key results, strategic priorities.
    async fn aligned_to(&self, ctx: &Context<'_>) -> Result<Vec<OkrAlignment>> {
        let rows = request(ctx)?
            .loader::<AlignmentsOfObjective, _>()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(OkrAlignment).collect())
    }
    /// The objectives aligned to this one that you can see.
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
    /// Progress from 0 to 1 per its driver, with its explanation.
    async fn progress(&self, ctx: &Context<'_>) -> Result<Explained> {
        Ok(objective_score(ctx, &self.0).await?.progress.into())
    }
    /// The share of the cycle elapsed, with its explanation.
    async fn expected_progress(&self, ctx: &Context<'_>) -> Result<Explained> {
        Ok(objective_score(ctx, &self.0).await?.expected.into())
    }
    /// Health rolled up from its key results (and aligned objectives, per its driver).
    async fn health(&self, ctx: &Context<'_>) -> Result<Health> {
        Ok(objective_score(ctx, &self.0).await?.health)
    }
    /// How the health was reached.
    async fn health_explanation(&self, ctx: &Context<'_>) -> Result<Explanation> {
        Ok(objective_score(ctx, &self.0).await?.health_explanation)
    }
    /// The owner's reflection for grading: what was learned.
    async fn closing_note(&self) -> Option<&str> {
        self.0.closing_note.as_deref()
    }
    /// The grade locked when the cycle closed (0 to 1).
    async fn grade(&self) -> Result<Option<Decimal>> {
        Ok(optional_decimal(self.0.grade.as_deref())?)
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

async fn kr_score(ctx: &Context<'_>, kr: &key_result::Model) -> Result<Option<KeyResultScore>> {
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
    /// Progress of the current value against the target, with its explanation.
    async fn progress(&self, ctx: &Context<'_>) -> Result<Option<TargetProgress>> {
        Ok(kr_score(ctx, &self.0).await?.map(|s| s.progress))
    }
    /// Health: the owner's recent stated status, else derived from progress against the cycle's elapsed share.
    async fn health(&self, ctx: &Context<'_>) -> Result<Option<HealthStatus>> {
        Ok(kr_score(ctx, &self.0).await?.map(|s| HealthStatus {
            health: s.health,
            derived: s.derived_health.value,
            stated: s.stated_health,
            explanation: s.derived_health.explanation,
        }))
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

    /// Every check-in, oldest first.
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
            SortKey::Id,
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

/// One update of a key result.
#[derive(Clone, Debug)]
pub struct OkrCheckIn(pub check_in::Model);

/// One update of a key result: the value, what changed, and how it looks.
// Hidden from the introspection of tenants without OKRs (it is a `Node`).
#[Object(visible = "super::okr_enabled")]
impl OkrCheckIn {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("OkrCheckIn", self.0.id)
    }
    /// The key result updated.
    async fn key_result(&self, ctx: &Context<'_>) -> Result<Option<OkrKeyResult>> {
        let request = request(ctx)?;
        let Some(kr) = request
            .loader::<ById<key_result::Entity>, _>()
            .load_one(self.0.key_result_id)
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
    /// The new value.
    async fn value(&self) -> Result<Decimal> {
        Ok(parse_decimal(&self.0.value)?)
    }
    /// The value before.
    async fn value_before(&self) -> Result<Option<Decimal>> {
        Ok(optional_decimal(self.0.value_before.as_deref())?)
    }
    /// value − value before; null for the first check-in (or a difference
    /// too large to compute).
    async fn delta(&self) -> Result<Option<Decimal>> {
        let before = optional_decimal(self.0.value_before.as_deref())?;
        Ok(before
            .map(|b| parse_decimal(&self.0.value).map(|v| v.checked_sub(b)))
            .transpose()?
            .flatten())
    }
    /// Progress before the check-in.
    async fn progress_before(&self) -> Result<Decimal> {
        Ok(parse_decimal(&self.0.progress_before)?)
    }
    /// Progress after the check-in.
    async fn progress_after(&self) -> Result<Decimal> {
        Ok(parse_decimal(&self.0.progress_after)?)
    }
    /// The author's confidence, 0 to 10.
    async fn confidence(&self) -> Option<i32> {
        self.0.confidence
    }
    /// The tenant's label for that confidence.
    async fn confidence_label(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(confidence) = self.0.confidence else {
            return Ok(None);
        };
        let settings = request(ctx)?
            .loader::<super::loaders::SettingsLoader, _>()
            .load_one(self.0.tenant_id)
            .await?
            .unwrap_or_default();
        Ok(settings
            .confidence_label(confidence as u8)
            .map(str::to_string))
    }
    /// The status that counts: the author's, else the derived one.
    async fn status(&self) -> Result<Health> {
        Ok(Health::parse(
            self.0
                .stated_status
                .as_deref()
                .unwrap_or(&self.0.derived_status),
        )?)
    }
    /// The status the author chose, if any.
    async fn stated_status(&self) -> Result<Option<Health>> {
        Ok(self
            .0
            .stated_status
            .as_deref()
            .map(Health::parse)
            .transpose()?)
    }
    /// The status derived from progress against the cycle's elapsed share.
    async fn derived_status(&self) -> Result<Health> {
        Ok(Health::parse(&self.0.derived_status)?)
    }
    /// What the author said.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Who checked in (null for a metric-fed check-in).
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(id) = self.0.author_person_id else {
            return Ok(None);
        };
        person(ctx, id).await
    }
    /// The day the value is true for.
    async fn as_of(&self) -> Date {
        Date(self.0.as_of)
    }
    /// Entered by a person or recorded from the linked metric.
    async fn source(&self) -> Result<CheckInSource> {
        Ok(CheckInSource::parse(&self.0.source)?)
    }
    /// Recorded after the cycle closed (by an admin).
    async fn late(&self) -> bool {
        self.0.late
    }
    /// When it was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
