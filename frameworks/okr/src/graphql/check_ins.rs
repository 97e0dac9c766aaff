//! Check-ins: the value, confidence and status recorded on a key result.

use super::loaders::VisibleObjective;
use super::types::*;
use crate::entity::{check_in, key_result};
use crate::model::CheckInSource;
use crate::scoring::Health;
use crate::service::visibility::visible_objective_ids;
use crate::service::{check_ins, optional_decimal, parse_decimal};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
use throughline_domain::graphql::types::Person;
use throughline_domain::kit::{
    ById, Date, Page, PageArgs, SortKey, connection, decode_id, decode_optional, encode_id,
    page_complexity, request, updated_since,
};

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
    /// Recorded late: after the cycle closed (by an admin), or dated before
    /// the key result's latest check-in (history: it did not change the
    /// current value).
    async fn late(&self) -> bool {
        self.0.late
    }
    /// When it was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
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

/// How `okr.checkIns` is ordered.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "OkrCheckInOrder")]
pub enum CheckInOrder {
    /// By the day each value is true for, then recording time: the history.
    AsOf,
    /// By recording time: for incremental sync with `updatedSince`.
    Recorded,
}

/// A check-in on a key result.
#[derive(InputObject)]
pub struct RecordOkrCheckInInput {
    /// The key result.
    pub key_result_id: ID,
    /// The new value.
    pub value: Decimal,
    /// How confident you are of reaching the target, 0 to 10.
    pub confidence: Option<i32>,
    /// Your own status; omitted, it is derived.
    pub status: Option<Health>,
    /// What happened, what's next.
    pub note: Option<String>,
    /// The day the value is true for; default today. Never in the future.
    pub as_of: Option<Date>,
}

/// The check-in and the key result after it.
#[derive(SimpleObject)]
pub struct OkrCheckInPayload {
    /// The recorded check-in.
    pub check_in: OkrCheckIn,
}

#[derive(Default)]
pub struct OkrCheckInsQuery;

#[Object]
impl OkrCheckInsQuery {
    /// Check-ins on key results of the objectives you can see, by as-of
    /// date then recording time; integrators sync them incrementally with
    /// `updatedSince` and `orderBy: RECORDED`.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn check_ins(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; omitted, everything.")] filter: Option<CheckInFilter>,
        #[graphql(desc = "The order; default `AS_OF`.")] order_by: Option<CheckInOrder>,
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
            match order_by.unwrap_or(CheckInOrder::AsOf) {
                CheckInOrder::AsOf => SortKey::Date(check_in::Column::AsOf),
                CheckInOrder::Recorded => SortKey::Id,
            },
            PageArgs::new(first, after, last, before),
            OkrCheckIn,
        )
        .await?)
    }
}

#[derive(Default)]
pub struct OkrCheckInsMutation;

#[Object]
impl OkrCheckInsMutation {
    /// Records a check-in: the new value, your confidence and status, a note.
    async fn record_check_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RecordOkrCheckInInput,
    ) -> Result<OkrCheckInPayload> {
        let scope = &request(ctx)?.scope;
        let check_in = check_ins::record(
            scope,
            check_ins::NewCheckIn {
                key_result_id: decode_id(
                    &input.key_result_id,
                    "OkrKeyResult",
                    "input.keyResultId",
                )?,
                value: input.value,
                confidence: input.confidence,
                status: input.status,
                note: input.note,
                as_of: input.as_of.map(|d| d.0),
            },
            CheckInSource::Manual,
        )
        .await?;
        Ok(OkrCheckInPayload {
            check_in: OkrCheckIn(check_in),
        })
    }
}
