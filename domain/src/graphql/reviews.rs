//! The review cadence over GraphQL: series, their meetings with agendas,
//! decisions and action items, `viewer.actionItems`, and a subscription for
//! a series' held meetings (see `service::reviews`).

use std::collections::HashSet;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::connection::{self, Page, PageArgs, SortKey, page_complexity};
use super::context::request;
use super::exceptions::readable_frameworks;
use super::ids::{decode_id, decode_optional, encode_id, parse_id};
use super::inputs::{patch, patch_id};
use super::loaders::{ById, DashboardReadableUnits};
use super::org_units::load_org_unit;
use super::people::load_person;
use super::scalars::Date;
use super::types::*;
use crate::entity::{
    person, review_action_item as action_item, review_agenda_item as agenda_item, review_attendee,
    review_decision as decision, review_meeting as meeting, review_series as series,
};
use crate::error::DomainError;
use crate::metric_status::TargetStatus;
use crate::periods::{Period, period_containing};
use crate::service::reviews::{
    self as reviews, ActionItemChanges, MetricFigures, NewActionItem, NewSeries,
    ReviewAgendaItemKind, ReviewCadence, ReviewMeetingStatus, SeriesChanges, Subject,
};

/// The series the viewer reads: (units as dashboards', series they take part in).
async fn reach(ctx: &Context<'_>) -> Result<(Option<HashSet<Uuid>>, HashSet<Uuid>)> {
    let request = request(ctx)?;
    let units = request
        .loader::<DashboardReadableUnits, _>()
        .load_one(())
        .await?
        .ok_or_else(|| DomainError::Internal("the readable units were not worked out".into()))?;
    let mine = reviews::taken_part_in(&request.scope).await?;
    Ok((units.0, mine))
}

async fn readable_series(ctx: &Context<'_>, id: Uuid) -> Result<Option<series::Model>> {
    let request = request(ctx)?;
    let Some(row) = request
        .loader::<ById<series::Entity>, _>()
        .load_one(id)
        .await?
    else {
        return Ok(None);
    };
    let (units, mine) = reach(ctx).await?;
    Ok(reviews::may_read(&request.scope, &units, &mine, &row).then_some(row))
}

/// A series by ID for `node`, if the viewer reads it.
pub async fn readable_review_series(ctx: &Context<'_>, id: Uuid) -> Result<Option<ReviewSeries>> {
    Ok(readable_series(ctx, id).await?.map(ReviewSeries))
}

/// A meeting by ID for `node`, if the viewer reads its series.
pub async fn readable_review_meeting(ctx: &Context<'_>, id: Uuid) -> Result<Option<ReviewMeeting>> {
    let loader = request(ctx)?.loader::<ById<meeting::Entity>, _>();
    let Some(row) = loader.load_one(id).await? else {
        return Ok(None);
    };
    Ok(readable_series(ctx, row.series_id)
        .await?
        .map(|_| ReviewMeeting(row)))
}

/// An action item by ID for `node`: its owner, or a reader of its series.
pub async fn readable_action_item(ctx: &Context<'_>, id: Uuid) -> Result<Option<ReviewActionItem>> {
    let request = request(ctx)?;
    let loader = request.loader::<ById<action_item::Entity>, _>();
    let Some(row) = loader.load_one(id).await? else {
        return Ok(None);
    };
    let mine = row.owner_id.is_some() && row.owner_id == request.scope.actor().person_id;
    if mine || readable_series(ctx, row.series_id).await?.is_some() {
        return Ok(Some(ReviewActionItem(row)));
    }
    Ok(None)
}

/// People by id, in the order given (through the request's loader).
async fn people_in_order(ctx: &Context<'_>, ids: Vec<Uuid>) -> Result<Vec<Person>> {
    let people = request(ctx)?
        .loader::<ById<person::Entity>, _>()
        .load_many(ids.clone())
        .await?;
    Ok(ids
        .iter()
        .filter_map(|id| people.get(id).cloned().map(Person))
        .collect())
}

fn subject_of(subject_type: &Option<String>, subject_id: Option<Uuid>) -> Option<ID> {
    Some(encode_id(subject_type.as_deref()?, subject_id?))
}

fn subject_input(id: Option<&ID>, field: &str) -> Result<Subject, DomainError> {
    match id {
        None => Ok(Subject::default()),
        Some(id) => {
            let (kind, uuid) = parse_id(id).ok_or_else(|| {
                DomainError::validation(
                    field,
                    format!("{:?} is not an ID of this API", id.as_str()),
                )
            })?;
            Ok(Subject {
                subject_type: Some(kind),
                subject_id: Some(uuid),
            })
        }
    }
}

#[derive(Clone, Debug)]
pub struct ReviewSeries(pub series::Model);

/// A recurring review of the tenant or one org unit: weekly operational,
/// monthly business or quarterly strategic, with its owner, participants
/// and the dashboard it reviews.
#[Object]
impl ReviewSeries {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("ReviewSeries", self.0.id)
    }
    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// How often it meets: each week, fiscal month or fiscal quarter.
    async fn cadence(&self) -> Result<ReviewCadence> {
        Ok(ReviewCadence::parse(&self.0.cadence)?)
    }
    /// The unit it reviews; null: the whole tenant.
    async fn org_unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        load_org_unit(ctx, self.0.org_unit_id).await
    }
    /// Who runs it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.owner_id).await
    }
    /// The dashboard it reviews, if the viewer reads it.
    async fn dashboard(&self, ctx: &Context<'_>) -> Result<Option<Dashboard>> {
        match self.0.dashboard_id {
            Some(id) => super::dashboards::readable_dashboard(ctx, id).await,
            None => Ok(None),
        }
    }
    /// Who takes part, in the order they were added.
    async fn participants(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        let request = request(ctx)?;
        let ids = reviews::participants_of(&request.scope, &request.scope, &[self.0.id])
            .await?
            .remove(&self.0.id)
            .unwrap_or_default();
        people_in_order(ctx, ids).await
    }
    /// The meeting that comes next (upcoming or open).
    async fn next_meeting(&self, ctx: &Context<'_>) -> Result<Option<ReviewMeeting>> {
        let scope = &request(ctx)?.scope;
        Ok(scope
            .select::<meeting::Entity>()
            .filter(meeting::Column::SeriesId.eq(self.0.id))
            .filter(meeting::Column::Status.ne(ReviewMeetingStatus::Held.as_str()))
            .order_by_asc(meeting::Column::PeriodStart)
            .one(scope)
            .await?
            .map(ReviewMeeting))
    }
    /// Its meetings, in period order (the first one first).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<ReviewMeeting>> {
        let scope = &request(ctx)?.scope;
        let select = scope
            .select::<meeting::Entity>()
            .filter(meeting::Column::SeriesId.eq(self.0.id));
        // Ids are UUIDv7 and meetings are made in period order.
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Id,
            PageArgs::new(first, after, last, before),
            ReviewMeeting,
        )
        .await?)
    }
    /// Its action items not yet done, oldest first.
    async fn open_action_items(&self, ctx: &Context<'_>) -> Result<Vec<ReviewActionItem>> {
        let scope = &request(ctx)?.scope;
        Ok(scope
            .select::<action_item::Entity>()
            .filter(action_item::Column::SeriesId.eq(self.0.id))
            .filter(action_item::Column::Done.eq(false))
            .order_by_asc(action_item::Column::Id)
            .all(scope)
            .await?
            .into_iter()
            .map(ReviewActionItem)
            .collect())
    }
    /// Optimistic concurrency: send it back on update.
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

#[derive(Clone, Debug)]
pub struct ReviewMeeting(pub meeting::Model);

/// One meeting of a review series, reviewing one period of its cadence.
#[Object]
impl ReviewMeeting {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("ReviewMeeting", self.0.id)
    }
    /// Its series.
    async fn series(&self, ctx: &Context<'_>) -> Result<Option<ReviewSeries>> {
        readable_review_series(ctx, self.0.series_id).await
    }
    /// The period it reviews.
    async fn period(&self, ctx: &Context<'_>) -> Result<Period> {
        let request = request(ctx)?;
        let fiscal = request.scope.tenant().fiscal_year_start_month as u32;
        let series_row = request
            .loader::<ById<series::Entity>, _>()
            .load_one(self.0.series_id)
            .await?
            .ok_or_else(|| DomainError::Internal("a meeting without its series".into()))?;
        let kind = ReviewCadence::parse(&series_row.cadence)?.period_kind();
        Ok(period_containing(kind, self.0.period_start, fiscal))
    }
    /// The day it is due: the day after its period closes.
    async fn scheduled_on(&self) -> Date {
        Date(self.0.scheduled_on)
    }
    /// Upcoming, open (agenda built) or held (final).
    async fn status(&self) -> Result<ReviewMeetingStatus> {
        Ok(ReviewMeetingStatus::parse(&self.0.status)?)
    }
    /// When it was opened.
    async fn opened_at(&self) -> Option<DateTime<Utc>> {
        self.0.opened_at
    }
    /// When it was held.
    async fn held_at(&self) -> Option<DateTime<Utc>> {
        self.0.held_at
    }
    /// Its agenda, in order. Key metrics carry their figures for the
    /// period: live until the meeting is held, then as they were then.
    async fn agenda(&self, ctx: &Context<'_>) -> Result<Vec<ReviewAgendaItem>> {
        let request = request(ctx)?;
        let scope = &request.scope;
        let rows = scope
            .select::<agenda_item::Entity>()
            .filter(agenda_item::Column::MeetingId.eq(self.0.id))
            .order_by_asc(agenda_item::Column::Position)
            .order_by_asc(agenda_item::Column::Id)
            .all(scope)
            .await?;
        let held = self.0.status == ReviewMeetingStatus::Held.as_str();
        let live = if held {
            Default::default()
        } else {
            let metrics: Vec<Uuid> = rows
                .iter()
                .filter(|r| r.kind == ReviewAgendaItemKind::KeyMetric.as_str())
                .filter_map(|r| r.subject_id)
                .collect();
            let unit = request
                .loader::<ById<series::Entity>, _>()
                .load_one(self.0.series_id)
                .await?
                .and_then(|s| s.org_unit_id);
            reviews::figures(scope, &metrics, self.0.period_end, unit).await?
        };
        rows.into_iter()
            .map(|row| {
                let figures = if held {
                    row.snapshot
                        .clone()
                        .and_then(|json| serde_json::from_value::<MetricFigures>(json).ok())
                } else {
                    row.subject_id.and_then(|id| live.get(&id).cloned())
                }
                .filter(|_| row.kind == ReviewAgendaItemKind::KeyMetric.as_str());
                Ok(ReviewAgendaItem { row, figures })
            })
            .collect::<Result<_>>()
    }
    /// Who attended (once held).
    async fn attendees(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        let request = request(ctx)?;
        let scope = &request.scope;
        let ids: Vec<Uuid> = scope
            .select::<review_attendee::Entity>()
            .filter(review_attendee::Column::MeetingId.eq(self.0.id))
            .order_by_asc(review_attendee::Column::Id)
            .all(scope)
            .await?
            .into_iter()
            .map(|r| r.person_id)
            .collect();
        people_in_order(ctx, ids).await
    }
    /// The decisions taken, in order.
    async fn decisions(&self, ctx: &Context<'_>) -> Result<Vec<ReviewDecision>> {
        let scope = &request(ctx)?.scope;
        Ok(scope
            .select::<decision::Entity>()
            .filter(decision::Column::MeetingId.eq(self.0.id))
            .order_by_asc(decision::Column::Id)
            .all(scope)
            .await?
            .into_iter()
            .map(ReviewDecision)
            .collect())
    }
    /// The action items raised in it.
    async fn action_items(&self, ctx: &Context<'_>) -> Result<Vec<ReviewActionItem>> {
        let scope = &request(ctx)?.scope;
        Ok(scope
            .select::<action_item::Entity>()
            .filter(action_item::Column::MeetingId.eq(self.0.id))
            .order_by_asc(action_item::Column::Id)
            .all(scope)
            .await?
            .into_iter()
            .map(ReviewActionItem)
            .collect())
    }
    /// Optimistic concurrency: send it back when opening or holding it.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A key metric's figures for the period a meeting reviews.
#[derive(SimpleObject, Clone)]
pub struct ReviewMetricFigures {
    /// Its status against the target in force.
    pub status: TargetStatus,
    /// The period's value, rolled up.
    pub value: Option<Decimal>,
    /// What it had to reach.
    pub goal: Option<Decimal>,
    /// The period judged (`2026-11`).
    pub period_label: String,
}

#[derive(Clone)]
pub struct ReviewAgendaItem {
    row: agenda_item::Model,
    figures: Option<MetricFigures>,
}

/// An item on a meeting's agenda.
#[Object]
impl ReviewAgendaItem {
    /// Its ID (for `updateReviewAgendaItem`).
    async fn id(&self) -> ID {
        encode_id("ReviewAgendaItem", self.row.id)
    }
    /// What it is.
    async fn kind(&self) -> Result<ReviewAgendaItemKind> {
        Ok(ReviewAgendaItemKind::parse(&self.row.kind)?)
    }
    /// Its title: the metric, the exception's subject, the action item or the topic.
    async fn title(&self) -> &str {
        &self.row.title
    }
    /// What it said when put on the agenda (an exception's severity and reason, an action item's due date).
    async fn detail(&self) -> Option<&str> {
        self.row.detail.as_deref()
    }
    /// The global ID of what it is about.
    async fn subject_id(&self) -> Option<ID> {
        subject_of(&self.row.subject_type, self.row.subject_id)
    }
    /// Its place, from 0.
    async fn position(&self) -> i32 {
        self.row.position
    }
    /// Whether the meeting dealt with it; an uncovered topic or exception carries over to the next meeting.
    async fn covered(&self) -> bool {
        self.row.covered
    }
    /// Notes taken on it.
    async fn notes(&self) -> Option<&str> {
        self.row.notes.as_deref()
    }
    /// Who added it (topics).
    async fn added_by(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.row.added_by_person_id).await
    }
    /// Whether it was carried over from the meeting before.
    async fn carried_over(&self) -> bool {
        self.row.carried_from_id.is_some()
    }
    /// For a key metric: its figures for the period (frozen once the meeting is held).
    async fn figures(&self) -> Option<ReviewMetricFigures> {
        self.figures.clone().map(|f| ReviewMetricFigures {
            status: f.status,
            value: f.value,
            goal: f.goal,
            period_label: f.period_label,
        })
    }
}

#[derive(Clone)]
pub struct ReviewDecision(pub decision::Model);

/// A decision taken in a review meeting.
#[Object]
impl ReviewDecision {
    /// Its ID.
    async fn id(&self) -> ID {
        encode_id("ReviewDecision", self.0.id)
    }
    /// What was decided.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// Who carries it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.owner_id).await
    }
    /// The global ID of what it is about.
    async fn subject_id(&self) -> Option<ID> {
        subject_of(&self.0.subject_type, self.0.subject_id)
    }
    /// When it was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(Clone, Debug)]
pub struct ReviewActionItem(pub action_item::Model);

/// Something to do, raised in a review meeting; it stays on the series'
/// agendas until done.
#[Object]
impl ReviewActionItem {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("ReviewActionItem", self.0.id)
    }
    /// What to do.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Who does it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.owner_id).await
    }
    /// By when.
    async fn due_on(&self) -> Option<Date> {
        self.0.due_on.map(Date)
    }
    /// Whether it is done.
    async fn done(&self) -> bool {
        self.0.done
    }
    /// When it was done.
    async fn done_at(&self) -> Option<DateTime<Utc>> {
        self.0.done_at
    }
    /// Not done and past its due date (it is then an exception in the feed).
    async fn overdue(&self, ctx: &Context<'_>) -> Result<bool> {
        let today = request(ctx)?.scope.today();
        Ok(!self.0.done && self.0.due_on.is_some_and(|due| due < today))
    }
    /// The global ID of what it is about.
    async fn subject_id(&self) -> Option<ID> {
        subject_of(&self.0.subject_type, self.0.subject_id)
    }
    /// The series it belongs to, if the viewer reads it.
    async fn series(&self, ctx: &Context<'_>) -> Result<Option<ReviewSeries>> {
        readable_review_series(ctx, self.0.series_id).await
    }
    /// Optimistic concurrency: send it back on update.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A new review series.
#[derive(InputObject)]
pub struct CreateReviewSeriesInput {
    /// Its title (`Monthly business review`).
    pub title: String,
    /// How often it meets.
    pub cadence: ReviewCadence,
    /// The unit it reviews; omitted, the whole tenant.
    pub org_unit_id: Option<ID>,
    /// Who runs it.
    pub owner_id: Option<ID>,
    /// The dashboard it reviews: its key metrics open each agenda.
    pub dashboard_id: Option<ID>,
    /// Who takes part (at most 50).
    pub participant_ids: Option<Vec<ID>>,
    /// The first meeting reviews the period containing this day; omitted:
    /// the last closed period of the cadence.
    pub first_period: Option<Date>,
}

/// Changes to a series; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateReviewSeriesInput {
    /// The series.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// Its title.
    pub title: Option<String>,
    /// Who runs it.
    pub owner_id: MaybeUndefined<ID>,
    /// The dashboard it reviews.
    pub dashboard_id: MaybeUndefined<ID>,
    /// The whole list of participants, replacing the current one.
    pub participant_ids: Option<Vec<ID>>,
}

/// A meeting to open or hold.
#[derive(InputObject)]
pub struct ReviewMeetingVersionInput {
    /// The meeting.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
}

/// A meeting to hold.
#[derive(InputObject)]
pub struct HoldReviewMeetingInput {
    /// The meeting.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// Who attended.
    pub attendee_ids: Option<Vec<ID>>,
}

/// A topic for a meeting's agenda.
#[derive(InputObject)]
pub struct AddReviewAgendaItemInput {
    /// The meeting (upcoming or open).
    pub meeting_id: ID,
    /// The topic.
    pub title: String,
    /// Notes.
    pub notes: Option<String>,
}

/// Changes to an agenda item.
#[derive(InputObject)]
pub struct UpdateReviewAgendaItemInput {
    /// The agenda item.
    pub id: ID,
    /// Whether the meeting dealt with it.
    pub covered: Option<bool>,
    /// Notes; null clears them.
    pub notes: MaybeUndefined<String>,
}

/// A decision to record.
#[derive(InputObject)]
pub struct RecordReviewDecisionInput {
    /// The meeting (upcoming or open).
    pub meeting_id: ID,
    /// What was decided.
    pub text: String,
    /// Who carries it.
    pub owner_id: Option<ID>,
    /// The global ID of what it is about (a metric, a key result…).
    pub subject_id: Option<ID>,
}

/// An action item to raise.
#[derive(InputObject)]
pub struct CreateReviewActionItemInput {
    /// The meeting (upcoming or open).
    pub meeting_id: ID,
    /// What to do.
    pub title: String,
    /// Who does it.
    pub owner_id: ID,
    /// By when.
    pub due_on: Option<Date>,
    /// The global ID of what it is about.
    pub subject_id: Option<ID>,
}

/// Changes to an action item; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateReviewActionItemInput {
    /// The action item.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// What to do.
    pub title: Option<String>,
    /// Who does it.
    pub owner_id: Option<ID>,
    /// By when.
    pub due_on: MaybeUndefined<Date>,
    /// Whether it is done.
    pub done: Option<bool>,
}

/// The series after the change, with its next meeting.
#[derive(SimpleObject)]
pub struct ReviewSeriesPayload {
    /// The series.
    pub series: ReviewSeries,
}

/// The meeting after the change; holding it also answers the next one.
#[derive(SimpleObject)]
pub struct ReviewMeetingPayload {
    /// The meeting.
    pub meeting: ReviewMeeting,
    /// The meeting created for the next period (when holding).
    pub next_meeting: Option<ReviewMeeting>,
}

/// The agenda item after the change.
#[derive(SimpleObject)]
pub struct ReviewAgendaItemPayload {
    /// The agenda item.
    pub item: ReviewAgendaItem,
}

/// The recorded decision.
#[derive(SimpleObject)]
pub struct ReviewDecisionPayload {
    /// The decision.
    pub decision: ReviewDecision,
}

/// The action item after the change.
#[derive(SimpleObject)]
pub struct ReviewActionItemPayload {
    /// The action item.
    pub action_item: ReviewActionItem,
}

fn people(ids: Option<&Vec<ID>>, field: &str) -> Result<Vec<Uuid>, DomainError> {
    ids.into_iter()
        .flatten()
        .enumerate()
        .map(|(index, id)| decode_id(id, "Person", &format!("{field}[{index}]")))
        .collect()
}

#[derive(Default)]
pub struct ReviewsQuery;

#[Object]
impl ReviewsQuery {
    /// The review series the viewer reads, by title.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn review_series(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this unit's series.")] org_unit_id: Option<ID>,
        #[graphql(desc = "Only series of this cadence.")] cadence: Option<ReviewCadence>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<ReviewSeries>> {
        let scope = &request(ctx)?.scope;
        let unit = decode_optional(org_unit_id.as_ref(), "OrgUnit", "orgUnitId")?;
        let (units, mine) = reach(ctx).await?;
        let mut select = scope
            .select::<series::Entity>()
            .filter(reviews::readable(scope, &units, &mine));
        if let Some(unit) = unit {
            select = select.filter(series::Column::OrgUnitId.eq(unit));
        }
        if let Some(cadence) = cadence {
            select = select.filter(series::Column::Cadence.eq(cadence.as_str()));
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Text(series::Column::Title),
            PageArgs::new(first, after, last, before),
            ReviewSeries,
        )
        .await?)
    }
}

/// The viewer's open action items across every series, soonest due first
/// (`viewer { actionItems }`).
pub async fn viewer_action_items(
    ctx: &Context<'_>,
    include_done: bool,
) -> Result<Vec<ReviewActionItem>> {
    let scope = &request(ctx)?.scope;
    let Some(me) = scope.actor().person_id else {
        return Ok(Vec::new());
    };
    let mut select = scope
        .select::<action_item::Entity>()
        .filter(action_item::Column::OwnerId.eq(me));
    if !include_done {
        select = select.filter(action_item::Column::Done.eq(false));
    }
    let mut rows = select
        .order_by_asc(action_item::Column::Id)
        .all(scope)
        .await?;
    // Soonest due first, undated last; the most an owner has is bounded by
    // the meetings they were given items in.
    rows.sort_by_key(|r| (r.due_on.is_none(), r.due_on));
    rows.truncate(connection::MAX_PAGE_SIZE as usize * 5);
    Ok(rows.into_iter().map(ReviewActionItem).collect())
}

#[derive(Default)]
pub struct ReviewsMutation;

#[Object]
impl ReviewsMutation {
    /// Creates a review series (admins) with its first meeting, for the last closed period.
    async fn create_review_series(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateReviewSeriesInput,
    ) -> Result<ReviewSeriesPayload> {
        let scope = &request(ctx)?.scope;
        scope.require_admin("creating review series")?;
        let (row, _) = reviews::create_series(
            scope,
            NewSeries {
                title: input.title,
                cadence: input.cadence,
                org_unit_id: decode_optional(
                    input.org_unit_id.as_ref(),
                    "OrgUnit",
                    "input.orgUnitId",
                )?,
                owner_id: decode_optional(input.owner_id.as_ref(), "Person", "input.ownerId")?,
                dashboard_id: decode_optional(
                    input.dashboard_id.as_ref(),
                    "Dashboard",
                    "input.dashboardId",
                )?,
                participant_ids: people(input.participant_ids.as_ref(), "input.participantIds")?,
                first_period: input.first_period.map(|d| d.0),
            },
        )
        .await?;
        Ok(ReviewSeriesPayload {
            series: ReviewSeries(row),
        })
    }

    /// Changes a series (admins and its owner).
    async fn update_review_series(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateReviewSeriesInput,
    ) -> Result<ReviewSeriesPayload> {
        let scope = &request(ctx)?.scope;
        scope.require_role(
            &[
                crate::enums::Role::Admin,
                crate::enums::Role::Manager,
                crate::enums::Role::Member,
            ],
            "changing review series",
        )?;
        let id = decode_id(&input.id, "ReviewSeries", "input.id")?;
        let row = reviews::update_series(
            scope,
            id,
            SeriesChanges {
                version: input.version,
                title: input.title,
                owner_id: patch_id(&input.owner_id, "Person", "input.ownerId")?,
                dashboard_id: patch_id(&input.dashboard_id, "Dashboard", "input.dashboardId")?,
                participant_ids: input
                    .participant_ids
                    .as_ref()
                    .map(|ids| people(Some(ids), "input.participantIds"))
                    .transpose()?,
            },
        )
        .await?;
        Ok(ReviewSeriesPayload {
            series: ReviewSeries(row),
        })
    }

    /// Opens an upcoming meeting and builds its agenda (participants, the series' owner, admins).
    async fn open_review_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ReviewMeetingVersionInput,
    ) -> Result<ReviewMeetingPayload> {
        let request = request(ctx)?;
        runner(request)?;
        let id = decode_id(&input.id, "ReviewMeeting", "input.id")?;
        let row = reviews::open_meeting(
            &request.scope,
            &readable_frameworks(request),
            id,
            input.version,
        )
        .await?;
        Ok(ReviewMeetingPayload {
            meeting: ReviewMeeting(row),
            next_meeting: None,
        })
    }

    /// Holds an open meeting: attendance recorded, its figures frozen, the next meeting created.
    async fn hold_review_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: HoldReviewMeetingInput,
    ) -> Result<ReviewMeetingPayload> {
        let request = request(ctx)?;
        runner(request)?;
        let id = decode_id(&input.id, "ReviewMeeting", "input.id")?;
        let attendees = people(input.attendee_ids.as_ref(), "input.attendeeIds")?;
        let (row, next) =
            reviews::hold_meeting(&request.scope, id, input.version, &attendees).await?;
        Ok(ReviewMeetingPayload {
            meeting: ReviewMeeting(row),
            next_meeting: Some(ReviewMeeting(next)),
        })
    }

    /// Adds a topic to a meeting's agenda (participants).
    async fn add_review_agenda_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AddReviewAgendaItemInput,
    ) -> Result<ReviewAgendaItemPayload> {
        let request = request(ctx)?;
        runner(request)?;
        let id = decode_id(&input.meeting_id, "ReviewMeeting", "input.meetingId")?;
        let row =
            reviews::add_agenda_item(&request.scope, id, &input.title, input.notes.as_deref())
                .await?;
        Ok(ReviewAgendaItemPayload {
            item: ReviewAgendaItem { row, figures: None },
        })
    }

    /// Marks an agenda item covered, or changes its notes (participants).
    async fn update_review_agenda_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateReviewAgendaItemInput,
    ) -> Result<ReviewAgendaItemPayload> {
        let request = request(ctx)?;
        runner(request)?;
        let id = decode_id(&input.id, "ReviewAgendaItem", "input.id")?;
        let notes = patch(&input.notes);
        let row = reviews::update_agenda_item(
            &request.scope,
            id,
            input.covered,
            notes.as_ref().map(|n| n.as_deref()),
        )
        .await?;
        Ok(ReviewAgendaItemPayload {
            item: ReviewAgendaItem { row, figures: None },
        })
    }

    /// Records a decision in a meeting (participants).
    async fn record_review_decision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RecordReviewDecisionInput,
    ) -> Result<ReviewDecisionPayload> {
        let request = request(ctx)?;
        runner(request)?;
        let id = decode_id(&input.meeting_id, "ReviewMeeting", "input.meetingId")?;
        let owner = decode_optional(input.owner_id.as_ref(), "Person", "input.ownerId")?;
        let subject = subject_input(input.subject_id.as_ref(), "input.subjectId")?;
        let row = reviews::record_decision(&request.scope, id, &input.text, owner, subject).await?;
        Ok(ReviewDecisionPayload {
            decision: ReviewDecision(row),
        })
    }

    /// Raises an action item in a meeting (participants).
    async fn create_review_action_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateReviewActionItemInput,
    ) -> Result<ReviewActionItemPayload> {
        let request = request(ctx)?;
        runner(request)?;
        let row = reviews::create_action_item(
            &request.scope,
            NewActionItem {
                meeting_id: decode_id(&input.meeting_id, "ReviewMeeting", "input.meetingId")?,
                title: input.title,
                owner_id: decode_id(&input.owner_id, "Person", "input.ownerId")?,
                due_on: input.due_on.map(|d| d.0),
                subject: subject_input(input.subject_id.as_ref(), "input.subjectId")?,
            },
        )
        .await?;
        Ok(ReviewActionItemPayload {
            action_item: ReviewActionItem(row),
        })
    }

    /// Changes an action item: its owner, or the series' participants.
    async fn update_review_action_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateReviewActionItemInput,
    ) -> Result<ReviewActionItemPayload> {
        let request = request(ctx)?;
        runner(request)?;
        let id = decode_id(&input.id, "ReviewActionItem", "input.id")?;
        let row = reviews::update_action_item(
            &request.scope,
            id,
            ActionItemChanges {
                version: input.version,
                title: input.title,
                owner_id: decode_optional(input.owner_id.as_ref(), "Person", "input.ownerId")?,
                due_on: patch(&input.due_on).map(|d| d.map(|d| d.0)),
                done: input.done,
            },
        )
        .await?;
        Ok(ReviewActionItemPayload {
            action_item: ReviewActionItem(row),
        })
    }
}

/// Members and up run meetings (of series they take part in); integrators
/// never: refused before any input is read.
fn runner(request: &super::RequestContext) -> Result<(), DomainError> {
    request.scope.require_role(
        &[
            crate::enums::Role::Admin,
            crate::enums::Role::Manager,
            crate::enums::Role::Member,
        ],
        "running review meetings",
    )
}

/// Meetings held in series the viewer reads, optionally of one series
/// (`reviewMeetingHeld`).
pub async fn meetings_held(
    ctx: &Context<'_>,
    series_id: Option<ID>,
) -> Result<impl Stream<Item = ReviewMeeting> + use<>> {
    series_events(
        ctx,
        series_id,
        "review_meeting.held",
        |row: meeting::Model| (row.series_id, ReviewMeeting(row)),
    )
    .await
}

/// Open action items reaching their due date in series the viewer reads,
/// optionally of one series (`reviewActionItemDue`).
pub async fn action_items_due(
    ctx: &Context<'_>,
    series_id: Option<ID>,
) -> Result<impl Stream<Item = ReviewActionItem> + use<>> {
    series_events(
        ctx,
        series_id,
        "review_action_item.due",
        |row: action_item::Model| (row.series_id, ReviewActionItem(row)),
    )
    .await
}

/// The committed events of one kind about rows of review series the viewer
/// reads (as `reviewSeries` lists them), optionally of one series: `split`
/// names the row's series and makes the GraphQL object.
async fn series_events<R, T>(
    ctx: &Context<'_>,
    series_id: Option<ID>,
    kind: &'static str,
    split: fn(R) -> (Uuid, T),
) -> Result<impl Stream<Item = T> + use<R, T>>
where
    R: serde::de::DeserializeOwned + Send + 'static,
    T: Send + 'static,
{
    use futures_util::StreamExt;
    let request = request(ctx)?;
    let series_id = decode_optional(series_id.as_ref(), "ReviewSeries", "seriesId")?;
    let scope = request.scope.clone();
    let units = crate::service::dashboards::readable_units(&scope).await?;
    let mine = reviews::taken_part_in(&scope).await?;
    Ok(scope.subscribe().filter_map(move |event| {
        let (scope, units, mine) = (scope.clone(), units.clone(), mine.clone());
        async move {
            if event.kind != kind {
                return None;
            }
            let row: R = serde_json::from_value(event.after()?.clone()).ok()?;
            let (row_series, object) = split(row);
            if series_id.is_some_and(|id| id != row_series) {
                return None;
            }
            let series_row = scope
                .select::<series::Entity>()
                .filter(series::Column::Id.eq(row_series))
                .one(&scope)
                .await
                .ok()??;
            reviews::may_read(&scope, &units, &mine, &series_row).then_some(object)
        }
    }))
}
