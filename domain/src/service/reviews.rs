//! The review cadence: series of weekly operational, monthly business and
//! quarterly strategic reviews, for the tenant or one org unit, each with
//! an owner, participants and the dashboard it reviews.
//!
//! - **Meetings** follow the series' cadence on the tenant's fiscal
//!   calendar: a meeting reviews one closed period (a week, a fiscal month,
//!   a fiscal quarter) and is due the day after it. A series starts with the
//!   meeting for the last closed period; holding a meeting creates the next.
//! - **The agenda is built when a meeting is opened**: after the topics
//!   participants added, the dashboard's key metrics, the series' open
//!   action items, the open exceptions (warnings and worse) of the series'
//!   scope since the last meeting, and the last meeting's topics and
//!   exceptions not covered (carried over).
//!   Exceptions are gathered as every participant may see them (public
//!   objectives only), since all of them read the agenda.
//! - **Holding** records attendance and freezes the key metrics' figures in
//!   the agenda: what the numbers were when the decisions were taken.
//! - **Decisions** and **action items** are recorded in a meeting; action
//!   items stay open across meetings until done, and overdue ones are
//!   exceptions in the feed.
//!
//! Admins create series; admins and a series' owner change it; they and
//! its participants run its meetings. Admins and integrators read every
//! series; everyone else reads the tenant's, their unit's and those above
//! it (as dashboards), and those they own or take part in.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{Days, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entity::{
    dashboard, dashboard_key_metric, metric, org_unit, person, review_action_item as action_item,
    review_agenda_item as agenda_item, review_attendee, review_decision as decision,
    review_meeting as meeting, review_participant as participant, review_series as series,
};
use crate::enums::Role;
use crate::error::{DomainError, DomainResult};
use crate::exceptions::{ExceptionWindow, Severity};
use crate::framework::AnyFramework;
use crate::metric_status::TargetStatus;
use crate::periods::{Period, PeriodKind, period_containing};
use crate::tenancy::{Actor, Change, TenantScope, TenantTxn};

use super::{check_version, optional_text, required_text};

/// The most participants a series has, items an agenda, and characters
/// in a title or a decision.
pub const MAX_PARTICIPANTS: usize = 50;
pub const MAX_AGENDA_ITEMS: usize = 100;
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_TEXT_CHARS: usize = 4_000;

crate::stored_enum!(
    /// How often a review series meets, and what it is for.
    ReviewCadence {
        /// Weekly operational review: each week.
        Weekly => "WEEKLY",
        /// Monthly business review: each fiscal month.
        Monthly => "MONTHLY",
        /// Quarterly strategic review: each fiscal quarter.
        Quarterly => "QUARTERLY",
    }
);

impl ReviewCadence {
    pub fn period_kind(self) -> PeriodKind {
        match self {
            ReviewCadence::Weekly => PeriodKind::Week,
            ReviewCadence::Monthly => PeriodKind::Month,
            ReviewCadence::Quarterly => PeriodKind::Quarter,
        }
    }
}

crate::stored_enum!(
    /// Where a review meeting is.
    ReviewMeetingStatus {
        /// Not opened yet: no agenda built.
        Upcoming => "UPCOMING",
        /// Opened: its agenda is built; decisions and action items are recorded.
        Open => "OPEN",
        /// Held: attendance recorded, its figures frozen.
        Held => "HELD",
    }
);

crate::stored_enum!(
    /// What an agenda item is.
    ReviewAgendaItemKind {
        /// A key metric of the dashboard the series reviews.
        KeyMetric => "KEY_METRIC",
        /// An open exception of the series' scope.
        Exception => "EXCEPTION",
        /// An open action item of the series.
        ActionItem => "ACTION_ITEM",
        /// A topic a participant added.
        Topic => "TOPIC",
    }
);

/// A key metric's figures for the period a meeting reviews: live until the
/// meeting is held, then frozen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricFigures {
    pub status: TargetStatus,
    pub value: Option<Decimal>,
    pub goal: Option<Decimal>,
    pub period_label: String,
}

/// The period of `cadence` after the one ending `end`.
fn period_after(scope: &TenantScope, cadence: ReviewCadence, end: NaiveDate) -> Period {
    let fiscal = scope.tenant().fiscal_year_start_month as u32;
    let next = end.checked_add_days(Days::new(1)).unwrap_or(end);
    period_containing(cadence.period_kind(), next, fiscal)
}

/// The last closed period of `cadence` (today's, if the calendar has no
/// earlier one).
fn last_closed(scope: &TenantScope, cadence: ReviewCadence) -> Period {
    let fiscal = scope.tenant().fiscal_year_start_month as u32;
    let running = period_containing(cadence.period_kind(), scope.today(), fiscal);
    running.start.pred_opt().map_or(running.clone(), |day| {
        period_containing(cadence.period_kind(), day, fiscal)
    })
}

async fn insert_meeting(
    tx: &TenantTxn<'_>,
    series_id: Uuid,
    period: &Period,
) -> DomainResult<meeting::Model> {
    let now = Utc::now();
    tx.insert(meeting::ActiveModel {
        id: Set(Uuid::now_v7()),
        series_id: Set(series_id),
        period_start: Set(period.start),
        period_end: Set(period.end),
        scheduled_on: Set(period
            .end
            .checked_add_days(Days::new(1))
            .unwrap_or(period.end)),
        status: Set(ReviewMeetingStatus::Upcoming.as_str().into()),
        opened_at: Set(None),
        held_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    })
    .await
}

/// People of this tenant, each once: `VALIDATION` on the first unknown.
async fn check_people(tx: &TenantTxn<'_>, field: &str, ids: &[Uuid]) -> DomainResult<()> {
    if ids.len() > MAX_PARTICIPANTS {
        return Err(DomainError::validation(
            field,
            format!("at most {MAX_PARTICIPANTS} people"),
        ));
    }
    let known: HashSet<Uuid> = tx
        .select::<person::Entity>()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<Uuid>()
        .all(tx)
        .await?
        .into_iter()
        .collect();
    let mut seen = HashSet::new();
    for (index, id) in ids.iter().enumerate() {
        if !seen.insert(*id) {
            return Err(DomainError::validation(
                format!("{field}[{index}]"),
                "this person is already listed",
            ));
        }
        if !known.contains(id) {
            return Err(DomainError::validation(
                format!("{field}[{index}]"),
                "no person with that id in this tenant",
            ));
        }
    }
    Ok(())
}

async fn set_participants(
    tx: &TenantTxn<'_>,
    series_id: Uuid,
    people: &[Uuid],
) -> DomainResult<()> {
    tx.delete::<participant::Entity>()
        .filter(participant::Column::SeriesId.eq(series_id))
        .exec()
        .await?;
    if !people.is_empty() {
        tx.insert_many(people.iter().map(|person| participant::ActiveModel {
            id: Set(Uuid::now_v7()),
            series_id: Set(series_id),
            person_id: Set(*person),
            ..Default::default()
        }))
        .await?;
    }
    Ok(())
}

/// What the audit log keeps of a series.
#[derive(Serialize)]
struct SeriesRecord<'a> {
    #[serde(flatten)]
    series: &'a series::Model,
    participant_ids: &'a [Uuid],
}

#[derive(Clone, Debug)]
pub struct NewSeries {
    pub title: String,
    pub cadence: ReviewCadence,
    pub org_unit_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub dashboard_id: Option<Uuid>,
    pub participant_ids: Vec<Uuid>,
    /// The first meeting reviews the period containing this day; `None`:
    /// the last closed period.
    pub first_period: Option<NaiveDate>,
}

/// Creates a series (admins) with its first meeting: the one for the last
/// closed period of its cadence, or for an earlier period to start from.
pub async fn create_series(
    scope: &TenantScope,
    input: NewSeries,
) -> DomainResult<(series::Model, meeting::Model)> {
    scope.require_admin("creating review series")?;
    let title = required_text("input.title", &input.title, MAX_TITLE_CHARS)?;
    let mut tx = scope.begin().await?;
    if let Some(unit) = input.org_unit_id {
        tx.reference::<org_unit::Entity>(unit, "input.orgUnitId", "org unit")
            .await?;
    }
    if let Some(owner) = input.owner_id {
        tx.reference::<person::Entity>(owner, "input.ownerId", "person")
            .await?;
    }
    if let Some(id) = input.dashboard_id {
        tx.reference::<dashboard::Entity>(id, "input.dashboardId", "dashboard")
            .await?;
    }
    check_people(&tx, "input.participantIds", &input.participant_ids).await?;
    let now = Utc::now();
    let row = tx
        .insert(series::ActiveModel {
            id: Set(Uuid::now_v7()),
            title: Set(title),
            cadence: Set(input.cadence.as_str().into()),
            org_unit_id: Set(input.org_unit_id),
            owner_id: Set(input.owner_id),
            dashboard_id: Set(input.dashboard_id),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    set_participants(&tx, row.id, &input.participant_ids).await?;
    let first_period = match input.first_period {
        None => last_closed(scope, input.cadence),
        Some(day) => {
            crate::numbers::date_in_range("input.firstPeriod", day)?;
            let fiscal = scope.tenant().fiscal_year_start_month as u32;
            let period = period_containing(input.cadence.period_kind(), day, fiscal);
            if period.start > scope.today() {
                return Err(DomainError::validation(
                    "input.firstPeriod",
                    "a series starts with a period that has begun: reviews look back",
                ));
            }
            period
        }
    };
    let first = insert_meeting(&tx, row.id, &first_period).await?;
    tx.record(Change::created(
        "review_series.created",
        "ReviewSeries",
        row.id,
        &SeriesRecord {
            series: &row,
            participant_ids: &input.participant_ids,
        },
    ))
    .await?;
    tx.commit().await?;
    Ok((row, first))
}

/// `None` leaves a field alone; `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct SeriesChanges {
    pub version: i32,
    pub title: Option<String>,
    pub owner_id: Option<Option<Uuid>>,
    pub dashboard_id: Option<Option<Uuid>>,
    /// The whole list, replacing the current one.
    pub participant_ids: Option<Vec<Uuid>>,
}

fn may_manage(scope: &TenantScope, row: &series::Model) -> DomainResult<()> {
    let actor = scope.actor();
    if actor.person_id.is_some() && actor.person_id == row.owner_id {
        return Ok(());
    }
    scope.require_admin("changing a review series you do not own")
}

/// Changes a series (admins and its owner).
pub async fn update_series(
    scope: &TenantScope,
    id: Uuid,
    changes: SeriesChanges,
) -> DomainResult<series::Model> {
    scope.require_role(
        &[Role::Admin, Role::Manager, Role::Member],
        "changing review series",
    )?;
    let mut tx = scope.begin().await?;
    let current = tx.load::<series::Entity>(id, "review series").await?;
    may_manage(scope, &current)?;
    check_version(current.version, changes.version, "review series")?;
    let mut after = current.clone();
    if let Some(title) = &changes.title {
        after.title = required_text("input.title", title, MAX_TITLE_CHARS)?;
    }
    if let Some(owner) = changes.owner_id {
        if let Some(owner) = owner {
            tx.reference::<person::Entity>(owner, "input.ownerId", "person")
                .await?;
        }
        after.owner_id = owner;
    }
    if let Some(board) = changes.dashboard_id {
        if let Some(board) = board {
            tx.reference::<dashboard::Entity>(board, "input.dashboardId", "dashboard")
                .await?;
        }
        after.dashboard_id = board;
    }
    let before_participants = participants_of(scope, &tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let participants = match &changes.participant_ids {
        Some(people) => {
            check_people(&tx, "input.participantIds", people).await?;
            people.clone()
        }
        None => before_participants.clone(),
    };
    after.version += 1;
    after.updated_at = Utc::now();
    // The version first: a concurrent change waits here and answers
    // CONFLICT, rather than racing on the participants.
    tx.update_versioned::<series::Entity>(id, after.clone(), current.version, "review series")
        .await?;
    if changes.participant_ids.is_some() {
        set_participants(&tx, id, &participants).await?;
    }
    tx.record(Change::updated(
        "review_series.updated",
        "ReviewSeries",
        id,
        &SeriesRecord {
            series: &current,
            participant_ids: &before_participants,
        },
        &SeriesRecord {
            series: &after,
            participant_ids: &participants,
        },
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The participants of `series`, in the order they were added.
pub async fn participants_of(
    scope: &TenantScope,
    db: &impl crate::tenancy::TenantDb,
    series: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<Uuid>>> {
    let rows: Vec<(Uuid, Uuid)> = scope
        .select::<participant::Entity>()
        .select_only()
        .column(participant::Column::SeriesId)
        .column(participant::Column::PersonId)
        .filter(participant::Column::SeriesId.is_in(series.iter().copied()))
        .order_by_asc(participant::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (series, person) in rows {
        out.entry(series).or_default().push(person);
    }
    Ok(out)
}

/// The series the actor takes part in (one statement).
pub async fn taken_part_in(scope: &TenantScope) -> DomainResult<HashSet<Uuid>> {
    let Some(me) = scope.actor().person_id else {
        return Ok(HashSet::new());
    };
    Ok(scope
        .select::<participant::Entity>()
        .select_only()
        .column(participant::Column::SeriesId)
        .filter(participant::Column::PersonId.eq(me))
        .into_tuple::<Uuid>()
        .all(scope)
        .await?
        .into_iter()
        .collect())
}

/// Whether the actor reads the series: `units` as dashboards'
/// `readable_units` answers, `mine` the series they take part in.
pub fn may_read(
    scope: &TenantScope,
    units: &Option<HashSet<Uuid>>,
    mine: &HashSet<Uuid>,
    row: &series::Model,
) -> bool {
    let Some(units) = units else {
        return true;
    };
    row.org_unit_id.is_none_or(|unit| units.contains(&unit))
        || (row.owner_id.is_some() && row.owner_id == scope.actor().person_id)
        || mine.contains(&row.id)
}

/// The condition on series the actor reads (the rule of [`may_read`]).
pub fn readable(
    scope: &TenantScope,
    units: &Option<HashSet<Uuid>>,
    mine: &HashSet<Uuid>,
) -> Condition {
    let Some(units) = units else {
        return Condition::all();
    };
    let mut readable = Condition::any()
        .add(series::Column::OrgUnitId.is_null())
        .add(series::Column::OrgUnitId.is_in(units.iter().copied()))
        .add(series::Column::Id.is_in(mine.iter().copied()));
    if let Some(person) = scope.actor().person_id {
        readable = readable.add(series::Column::OwnerId.eq(person));
    }
    readable
}

/// Admins, the series' owner and its participants run its meetings.
async fn may_run(tx: &TenantTxn<'_>, row: &series::Model) -> DomainResult<()> {
    let actor = tx.scope().actor();
    if actor.role == Role::Admin {
        return Ok(());
    }
    if let Some(me) = actor.person_id {
        if row.owner_id == Some(me) {
            return Ok(());
        }
        let takes_part = tx
            .select::<participant::Entity>()
            .filter(participant::Column::SeriesId.eq(row.id))
            .filter(participant::Column::PersonId.eq(me))
            .count(tx)
            .await?
            > 0;
        if takes_part {
            return Ok(());
        }
    }
    Err(DomainError::Forbidden(
        "only the series' participants, its owner and admins run its meetings".into(),
    ))
}

fn require_runner_role(scope: &TenantScope, doing: &str) -> DomainResult<()> {
    scope.require_role(&[Role::Admin, Role::Manager, Role::Member], doing)
}

/// A meeting with its series, refusing those who may not run it; a held
/// meeting is refused unless `held_ok`.
async fn runnable(
    tx: &TenantTxn<'_>,
    meeting_id: Uuid,
    held_ok: bool,
) -> DomainResult<(meeting::Model, series::Model)> {
    let row = tx
        .load::<meeting::Entity>(meeting_id, "review meeting")
        .await?;
    let series_row = tx
        .load::<series::Entity>(row.series_id, "review series")
        .await?;
    may_run(tx, &series_row).await?;
    if !held_ok && row.status == ReviewMeetingStatus::Held.as_str() {
        return Err(DomainError::validation(
            "input.meetingId",
            "this meeting has been held: its agenda and records are final",
        ));
    }
    Ok((row, series_row))
}

/// The key metrics' figures for the period ending `end`, for `org_unit`'s
/// targets: three statements for any number of metrics.
pub async fn figures(
    scope: &TenantScope,
    metric_ids: &[Uuid],
    end: NaiveDate,
    org_unit: Option<Uuid>,
) -> DomainResult<HashMap<Uuid, MetricFigures>> {
    if metric_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let metrics = scope
        .select::<metric::Entity>()
        .filter(metric::Column::Id.is_in(metric_ids.iter().copied()))
        .all(scope)
        .await?;
    let judged: Vec<_> = metrics
        .iter()
        .map(|m| {
            crate::graphql::metric_targets::judged_period(scope, m, None, Some(end)).map(|j| (m, j))
        })
        .collect::<DomainResult<_>>()?;
    let Some(from) = judged.iter().map(|(_, j)| j.period.start).min() else {
        return Ok(HashMap::new());
    };
    let targets =
        crate::service::metric_targets::targets_by_metric(scope, metric_ids.iter().copied())
            .await?;
    let to = judged
        .iter()
        .map(|(_, j)| j.period.end)
        .max()
        .unwrap_or(end);
    let values =
        crate::service::metrics::values_between(scope, metric_ids.iter().copied(), from, to)
            .await?;
    let mut out = HashMap::new();
    for (metric, judged) in judged {
        let status = crate::graphql::metric_targets::judge(
            metric,
            judged,
            values.get(&metric.id).map_or(&[][..], Vec::as_slice),
            targets.get(&metric.id).map_or(&[][..], Vec::as_slice),
            org_unit,
        )?;
        out.insert(
            metric.id,
            MetricFigures {
                status: status.status,
                value: status.value,
                goal: status.goal,
                period_label: status.period.label.clone(),
            },
        );
    }
    Ok(out)
}

/// Who the agenda's exceptions are gathered for: someone who sees what
/// every participant may see, and nothing private.
fn shared_view(scope: &TenantScope) -> TenantScope {
    scope.with_actor(Actor {
        user_id: None,
        role: Role::Integrator,
        person_id: None,
        service_account_id: None,
    })
}

fn agenda_row(
    meeting_id: Uuid,
    position: i32,
    kind: ReviewAgendaItemKind,
    title: String,
) -> agenda_item::ActiveModel {
    agenda_item::ActiveModel {
        id: Set(Uuid::now_v7()),
        meeting_id: Set(meeting_id),
        kind: Set(kind.as_str().into()),
        title: Set(title),
        detail: Set(None),
        subject_type: Set(None),
        subject_id: Set(None),
        position: Set(position),
        covered: Set(false),
        notes: Set(None),
        added_by_person_id: Set(None),
        carried_from_id: Set(None),
        snapshot: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
}

/// Opens an upcoming meeting and builds its agenda (participants, the
/// owner, admins). `frameworks`: those whose exceptions the agenda holds.
pub async fn open_meeting(
    scope: &TenantScope,
    frameworks: &[Arc<dyn AnyFramework>],
    meeting_id: Uuid,
    version: i32,
) -> DomainResult<meeting::Model> {
    require_runner_role(scope, "opening review meetings")?;
    // The exceptions are read before the transaction (they read much and
    // write nothing).
    let (row, series_row) = {
        let tx = scope.begin().await?;
        let found = runnable(&tx, meeting_id, false).await?;
        tx.commit().await?;
        found
    };
    check_version(row.version, version, "review meeting")?;
    if row.status != ReviewMeetingStatus::Upcoming.as_str() {
        return Err(DomainError::validation(
            "input.id",
            "this meeting is already open: its agenda was built then",
        ));
    }
    let previous = scope
        .select::<meeting::Entity>()
        .filter(meeting::Column::SeriesId.eq(series_row.id))
        .filter(meeting::Column::PeriodStart.lt(row.period_start))
        .order_by_desc(meeting::Column::PeriodStart)
        .one(scope)
        .await?;
    let since = previous
        .as_ref()
        .and_then(|p| p.held_at)
        .map(|at| crate::tenancy::today_in(&scope.tenant().time_zone, at));
    let feed = crate::service::exceptions::feed(
        &shared_view(scope),
        frameworks,
        &crate::service::exceptions::FeedQuery {
            org_unit: series_row.org_unit_id,
            window: ExceptionWindow {
                from: since,
                to: None,
                today: scope.today(),
            },
            severity_at_least: Severity::Warning,
            include_acknowledged: false,
        },
    )
    .await?;
    let mut tx = scope.begin().await?;
    // Opened once: a second opener waits here, then answers CONFLICT.
    let mut after = row.clone();
    after.status = ReviewMeetingStatus::Open.as_str().into();
    after.opened_at = Some(Utc::now());
    after.version += 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<meeting::Entity>(row.id, after.clone(), row.version, "review meeting")
        .await?;
    let mut items: Vec<agenda_item::ActiveModel> = Vec::new();
    if let Some(board) = series_row.dashboard_id {
        let keys: Vec<Uuid> = tx
            .select::<dashboard_key_metric::Entity>()
            .select_only()
            .column(dashboard_key_metric::Column::MetricId)
            .filter(dashboard_key_metric::Column::DashboardId.eq(board))
            .order_by_asc(dashboard_key_metric::Column::Position)
            .into_tuple()
            .all(&tx)
            .await?;
        let names: HashMap<Uuid, String> = tx
            .select::<metric::Entity>()
            .select_only()
            .column(metric::Column::Id)
            .column(metric::Column::Name)
            .filter(metric::Column::Id.is_in(keys.iter().copied()))
            .into_tuple::<(Uuid, String)>()
            .all(&tx)
            .await?
            .into_iter()
            .collect();
        for key in keys {
            let mut item = agenda_row(
                row.id,
                0,
                ReviewAgendaItemKind::KeyMetric,
                names.get(&key).cloned().unwrap_or_default(),
            );
            item.subject_type = Set(Some("Metric".into()));
            item.subject_id = Set(Some(key));
            items.push(item);
        }
    }
    let open_actions = tx
        .select::<action_item::Entity>()
        .filter(action_item::Column::SeriesId.eq(series_row.id))
        .filter(action_item::Column::Done.eq(false))
        .order_by_asc(action_item::Column::Id)
        .all(&tx)
        .await?;
    let action_ids: HashSet<Uuid> = open_actions.iter().map(|a| a.id).collect();
    for action in open_actions {
        let mut item = agenda_row(
            row.id,
            0,
            ReviewAgendaItemKind::ActionItem,
            action.title.clone(),
        );
        item.detail = Set(action.due_on.map(|due| format!("due {due}")));
        item.subject_type = Set(Some("ReviewActionItem".into()));
        item.subject_id = Set(Some(action.id));
        items.push(item);
    }
    // An overdue action item is on the agenda as itself, not twice.
    for exception in feed
        .iter()
        .filter(|e| !action_ids.contains(&e.exception.subject_id))
        .take(MAX_AGENDA_ITEMS / 2)
    {
        let e = &exception.exception;
        let mut item = agenda_row(row.id, 0, ReviewAgendaItemKind::Exception, e.title.clone());
        item.detail = Set(Some(format!("{}: {}", e.severity.as_str(), e.reason)));
        item.subject_type = Set(Some(e.subject_type.into()));
        item.subject_id = Set(Some(e.subject_id));
        items.push(item);
    }
    // What the last meeting did not cover carries over (its topics and
    // exceptions; key metrics and action items come back on their own).
    if let Some(previous) = &previous {
        let uncovered = tx
            .select::<agenda_item::Entity>()
            .filter(agenda_item::Column::MeetingId.eq(previous.id))
            .filter(agenda_item::Column::Covered.eq(false))
            .filter(agenda_item::Column::Kind.is_in([
                ReviewAgendaItemKind::Topic.as_str(),
                ReviewAgendaItemKind::Exception.as_str(),
            ]))
            .order_by_asc(agenda_item::Column::Position)
            .all(&tx)
            .await?;
        for old in uncovered {
            let already = old.subject_id.is_some()
                && items
                    .iter()
                    .any(|i| i.subject_id.as_ref() == &old.subject_id);
            if already {
                continue;
            }
            let kind = ReviewAgendaItemKind::parse(&old.kind)?;
            let mut item = agenda_row(row.id, 0, kind, old.title.clone());
            item.detail = Set(old.detail.clone());
            item.subject_type = Set(old.subject_type.clone());
            item.subject_id = Set(old.subject_id);
            item.notes = Set(old.notes.clone());
            item.added_by_person_id = Set(old.added_by_person_id);
            item.carried_from_id = Set(Some(old.id));
            items.push(item);
        }
    }
    // Topics added before it opened keep their places; what the agenda
    // brings follows them, in the order built.
    let added = tx
        .select::<agenda_item::Entity>()
        .filter(agenda_item::Column::MeetingId.eq(row.id))
        .count(&tx)
        .await? as i32;
    for (offset, item) in items.iter_mut().enumerate() {
        item.position = Set(added + offset as i32);
    }
    items.truncate(MAX_AGENDA_ITEMS.saturating_sub(added as usize));
    if !items.is_empty() {
        tx.insert_many(items).await?;
    }
    tx.record(Change::updated(
        "review_meeting.opened",
        "ReviewMeeting",
        row.id,
        &row,
        &after,
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Adds a topic to a meeting that has not been held (participants).
pub async fn add_agenda_item(
    scope: &TenantScope,
    meeting_id: Uuid,
    title: &str,
    notes: Option<&str>,
) -> DomainResult<agenda_item::Model> {
    require_runner_role(scope, "adding agenda items")?;
    let title = required_text("input.title", title, MAX_TITLE_CHARS)?;
    let notes = optional_text("input.notes", notes, MAX_TEXT_CHARS)?;
    let mut tx = scope.begin().await?;
    let (row, _) = runnable(&tx, meeting_id, false).await?;
    // Positions are taken in turn.
    tx.lock_tenant().await?;
    let count = tx
        .select::<agenda_item::Entity>()
        .filter(agenda_item::Column::MeetingId.eq(row.id))
        .count(&tx)
        .await? as usize;
    if count >= MAX_AGENDA_ITEMS {
        return Err(DomainError::LimitExceeded(format!(
            "this agenda has {MAX_AGENDA_ITEMS} items, the most one meeting can cover"
        )));
    }
    let mut item = agenda_row(row.id, count as i32, ReviewAgendaItemKind::Topic, title);
    item.notes = Set(notes);
    item.added_by_person_id = Set(scope.actor().person_id);
    let item = tx.insert(item).await?;
    tx.record(Change::created(
        "review_agenda_item.created",
        "ReviewAgendaItem",
        item.id,
        &item,
    ))
    .await?;
    tx.commit().await?;
    Ok(item)
}

/// Marks an agenda item covered (or not) and changes its notes.
pub async fn update_agenda_item(
    scope: &TenantScope,
    item_id: Uuid,
    covered: Option<bool>,
    notes: Option<Option<&str>>,
) -> DomainResult<agenda_item::Model> {
    require_runner_role(scope, "changing agenda items")?;
    let notes = notes
        .map(|n| optional_text("input.notes", n, MAX_TEXT_CHARS))
        .transpose()?;
    let mut tx = scope.begin().await?;
    let current = tx
        .load::<agenda_item::Entity>(item_id, "agenda item")
        .await?;
    runnable(&tx, current.meeting_id, false).await?;
    let mut after = current.clone();
    if let Some(covered) = covered {
        after.covered = covered;
    }
    if let Some(notes) = notes {
        after.notes = notes;
    }
    let saved = tx
        .save(agenda_item::ActiveModel {
            id: Set(after.id),
            covered: Set(after.covered),
            notes: Set(after.notes.clone()),
            ..Default::default()
        })
        .await?;
    tx.record(Change::updated(
        "review_agenda_item.updated",
        "ReviewAgendaItem",
        item_id,
        &current,
        &saved,
    ))
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Holds an open meeting: attendance recorded, the key metrics' figures
/// frozen in its agenda, the next meeting created.
pub async fn hold_meeting(
    scope: &TenantScope,
    meeting_id: Uuid,
    version: i32,
    attendee_ids: &[Uuid],
) -> DomainResult<(meeting::Model, meeting::Model)> {
    require_runner_role(scope, "holding review meetings")?;
    let mut tx = scope.begin().await?;
    let (row, series_row) = runnable(&tx, meeting_id, false).await?;
    check_version(row.version, version, "review meeting")?;
    if row.status != ReviewMeetingStatus::Open.as_str() {
        return Err(DomainError::validation(
            "input.id",
            "open the meeting first: its agenda is built when it opens",
        ));
    }
    check_people(&tx, "input.attendeeIds", attendee_ids).await?;
    let mut after = row.clone();
    after.status = ReviewMeetingStatus::Held.as_str().into();
    after.held_at = Some(Utc::now());
    after.version += 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<meeting::Entity>(row.id, after.clone(), row.version, "review meeting")
        .await?;
    if !attendee_ids.is_empty() {
        tx.insert_many(
            attendee_ids
                .iter()
                .map(|person| review_attendee::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    meeting_id: Set(row.id),
                    person_id: Set(*person),
                    ..Default::default()
                }),
        )
        .await?;
    }
    let key_items: Vec<(Uuid, Option<Uuid>)> = tx
        .select::<agenda_item::Entity>()
        .select_only()
        .column(agenda_item::Column::Id)
        .column(agenda_item::Column::SubjectId)
        .filter(agenda_item::Column::MeetingId.eq(row.id))
        .filter(agenda_item::Column::Kind.eq(ReviewAgendaItemKind::KeyMetric.as_str()))
        .into_tuple()
        .all(&tx)
        .await?;
    let metric_ids: Vec<Uuid> = key_items.iter().filter_map(|(_, m)| *m).collect();
    let frozen = figures(scope, &metric_ids, row.period_end, series_row.org_unit_id).await?;
    for (item, metric) in key_items {
        let Some(figures) = metric.and_then(|m| frozen.get(&m)) else {
            continue;
        };
        let snapshot = serde_json::to_value(figures)
            .map_err(|e| DomainError::Internal(format!("freezing figures: {e}")))?;
        tx.save(agenda_item::ActiveModel {
            id: Set(item),
            snapshot: Set(Some(snapshot)),
            ..Default::default()
        })
        .await?;
    }
    let cadence = ReviewCadence::parse(&series_row.cadence)?;
    let following = period_after(scope, cadence, row.period_end);
    let next = insert_meeting(&tx, series_row.id, &following).await?;
    tx.record(Change::updated(
        "review_meeting.held",
        "ReviewMeeting",
        row.id,
        &row,
        &after,
    ))
    .await?;
    tx.commit().await?;
    Ok((after, next))
}

/// What a decision or an action item is about: a global ID's type and id.
#[derive(Clone, Debug, Default)]
pub struct Subject {
    pub subject_type: Option<String>,
    pub subject_id: Option<Uuid>,
}

/// Records a decision in an open meeting (participants).
pub async fn record_decision(
    scope: &TenantScope,
    meeting_id: Uuid,
    text: &str,
    owner_id: Option<Uuid>,
    subject: Subject,
) -> DomainResult<decision::Model> {
    require_runner_role(scope, "recording decisions")?;
    let text = required_text("input.text", text, MAX_TEXT_CHARS)?;
    let mut tx = scope.begin().await?;
    let (row, _) = runnable(&tx, meeting_id, false).await?;
    if let Some(owner) = owner_id {
        tx.reference::<person::Entity>(owner, "input.ownerId", "person")
            .await?;
    }
    let saved = tx
        .insert(decision::ActiveModel {
            id: Set(Uuid::now_v7()),
            meeting_id: Set(row.id),
            text: Set(text),
            owner_id: Set(owner_id),
            subject_type: Set(subject.subject_type),
            subject_id: Set(subject.subject_id),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "review_decision.created",
        "ReviewDecision",
        saved.id,
        &saved,
    ))
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// An action item as given.
#[derive(Clone, Debug)]
pub struct NewActionItem {
    pub meeting_id: Uuid,
    pub title: String,
    pub owner_id: Uuid,
    pub due_on: Option<NaiveDate>,
    pub subject: Subject,
}

/// Raises an action item in a meeting that has not been held (participants).
pub async fn create_action_item(
    scope: &TenantScope,
    input: NewActionItem,
) -> DomainResult<action_item::Model> {
    require_runner_role(scope, "raising action items")?;
    let title = required_text("input.title", &input.title, MAX_TITLE_CHARS)?;
    if let Some(due) = input.due_on {
        crate::numbers::date_in_range("input.dueOn", due)?;
    }
    let mut tx = scope.begin().await?;
    let (row, series_row) = runnable(&tx, input.meeting_id, false).await?;
    tx.reference::<person::Entity>(input.owner_id, "input.ownerId", "person")
        .await?;
    let now = Utc::now();
    let saved = tx
        .insert(action_item::ActiveModel {
            id: Set(Uuid::now_v7()),
            series_id: Set(series_row.id),
            meeting_id: Set(row.id),
            title: Set(title),
            owner_id: Set(Some(input.owner_id)),
            due_on: Set(input.due_on),
            done: Set(false),
            done_at: Set(None),
            subject_type: Set(input.subject.subject_type),
            subject_id: Set(input.subject.subject_id),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "review_action_item.created",
        "ReviewActionItem",
        saved.id,
        &saved,
    ))
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// `None` leaves a field alone; `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct ActionItemChanges {
    pub version: i32,
    pub title: Option<String>,
    pub owner_id: Option<Uuid>,
    pub due_on: Option<Option<NaiveDate>>,
    pub done: Option<bool>,
}

/// Changes an action item: its owner, or the series' participants, owner
/// and admins, at any time (it lives across meetings).
pub async fn update_action_item(
    scope: &TenantScope,
    id: Uuid,
    changes: ActionItemChanges,
) -> DomainResult<action_item::Model> {
    require_runner_role(scope, "changing action items")?;
    let mut tx = scope.begin().await?;
    let current = tx.load::<action_item::Entity>(id, "action item").await?;
    let mine = scope.actor().person_id.is_some() && scope.actor().person_id == current.owner_id;
    if !mine {
        let series_row = tx
            .load::<series::Entity>(current.series_id, "review series")
            .await?;
        may_run(&tx, &series_row).await?;
    }
    check_version(current.version, changes.version, "action item")?;
    let mut after = current.clone();
    if let Some(title) = &changes.title {
        after.title = required_text("input.title", title, MAX_TITLE_CHARS)?;
    }
    if let Some(owner) = changes.owner_id {
        tx.reference::<person::Entity>(owner, "input.ownerId", "person")
            .await?;
        after.owner_id = Some(owner);
    }
    if let Some(due) = changes.due_on {
        if let Some(day) = due {
            crate::numbers::date_in_range("input.dueOn", day)?;
        }
        after.due_on = due;
    }
    if let Some(done) = changes.done
        && done != current.done
    {
        after.done = done;
        after.done_at = done.then(Utc::now);
    }
    after.version += 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<action_item::Entity>(id, after.clone(), current.version, "action item")
        .await?;
    tx.record(Change::updated(
        "review_action_item.updated",
        "ReviewActionItem",
        id,
        &current,
        &after,
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}
