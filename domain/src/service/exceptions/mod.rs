//! The exceptions feed: what needs attention, from the core (key metrics,
//! priorities) and from every enabled framework through its `exceptions`
//! hook, placed in the org chart, filtered to an org unit's subtree, a
//! window and a least severity, with acknowledgements, worst and oldest
//! first. Every source answers in a constant number of statements, and the
//! feed adds at most four (the viewer's readable units, the subtree, the
//! owners' units, the acknowledgements): its cost does not grow with the
//! tenant's size, only with what is wrong in it.
//!
//! Acknowledging an exception records a note and who follows up; it leaves
//! the feed until it gets worse than it was when acknowledged.

pub mod core;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition, QueryFilter, QuerySelect, Set};
use uuid::Uuid;

use crate::entity::{exception_acknowledgement as acknowledgement, org_unit, person};
use crate::enums::Role;
use crate::error::{DomainError, DomainResult};
use crate::exceptions::{
    Exception, ExceptionKey, ExceptionWindow, Placement, Severity, feed_order,
};
use crate::framework::AnyFramework;
use crate::service::org_units::ORG_CHART;
use crate::tenancy::{Change, TenantScope, Walk};

/// The longest acknowledgement note.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// Who raises the core's own exceptions.
pub const CORE: &str = "core";

/// What the feed is asked for.
#[derive(Clone, Debug)]
pub struct FeedQuery {
    /// Only this unit's subtree (with the tenant's own items when it is a
    /// root unit); `None`: the whole tenant.
    pub org_unit: Option<Uuid>,
    pub window: ExceptionWindow,
    pub severity_at_least: Severity,
    /// Also those acknowledged and no worse since.
    pub include_acknowledged: bool,
}

/// An exception as the feed shows it.
#[derive(Clone, Debug)]
pub struct FeedItem {
    /// `core` or the framework's key.
    pub framework: &'static str,
    pub exception: Arc<Exception>,
    /// Where it sits in the org chart.
    pub unit: ItemUnit,
    pub acknowledgement: Option<acknowledgement::Model>,
}

/// Where a feed item sits. An item placed by its owner is looked up only
/// when the feed is filtered by unit; otherwise when its unit is read, so a
/// page of 20 costs 20 lookups, not one per item of the tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemUnit {
    /// This unit's; `None`: the whole tenant's.
    Known(Option<Uuid>),
    /// Wherever this person works (the tenant's when nowhere).
    OwnersUnit(Uuid),
}

impl FeedItem {
    pub fn key(&self) -> ExceptionKey {
        ExceptionKey::of(&self.exception)
    }

    /// Acknowledged, and no worse than it was then.
    pub fn settled(&self) -> bool {
        self.acknowledgement.as_ref().is_some_and(|ack| {
            Severity::parse(&ack.severity)
                .is_ok_and(|then| then.rank() >= self.exception.severity.rank())
        })
    }
}

/// The feed, in order: every exception of the core and of `frameworks` the
/// actor may see that the query asks for. `frameworks` are the tenant's
/// enabled ones the caller may read (none for a token scoped to core data).
pub async fn feed(
    scope: &TenantScope,
    frameworks: &[Arc<dyn AnyFramework>],
    query: &FeedQuery,
) -> DomainResult<Vec<FeedItem>> {
    // The unit's subtree first: an unknown unit is the client's mistake,
    // answered before any work.
    let subtree = match query.org_unit {
        Some(unit) => Some(subtree_of(scope, unit).await?),
        None => None,
    };
    let readable = crate::service::dashboards::readable_units(scope).await?;
    let mut gathered: Vec<(&'static str, Arc<Exception>)> =
        core::core_exceptions(scope, readable.as_ref(), &query.window)
            .await?
            .into_iter()
            .map(|e| (CORE, Arc::new(e)))
            .collect();
    for framework in frameworks {
        let key = framework.key();
        gathered.extend(
            framework
                .exceptions(scope, &query.window)
                .await?
                .into_iter()
                .map(|e| (key, e)),
        );
    }
    gathered.retain(|(_, e)| {
        query.window.contains(e.since) && e.severity.rank() >= query.severity_at_least.rank()
    });
    // Ordered while each item is two words wide: a feed item carries its
    // acknowledgement row, and sorting thousands of those is mostly copying.
    gathered.sort_by(|(_, a), (_, b)| feed_order(a, b));
    let mut items: Vec<FeedItem> = gathered
        .into_iter()
        .map(|(framework, exception)| {
            let unit = match (exception.placement, exception.owner_id) {
                (Placement::Tenant, _) | (Placement::OwnersUnit, None) => ItemUnit::Known(None),
                (Placement::OrgUnit(unit), _) => ItemUnit::Known(Some(unit)),
                (Placement::OwnersUnit, Some(owner)) => ItemUnit::OwnersUnit(owner),
            };
            FeedItem {
                framework,
                exception,
                unit,
                acknowledgement: None,
            }
        })
        .collect();
    if let Some(subtree) = &subtree {
        place_by_owners(scope, &mut items).await?;
        items.retain(|item| match item.unit {
            ItemUnit::Known(Some(unit)) => subtree.units.contains(&unit),
            _ => subtree.is_root,
        });
    }
    attach_acknowledgements(scope, &mut items).await?;
    if !query.include_acknowledged {
        items.retain(|item| !item.settled());
    }
    Ok(items)
}

/// The units of the items placed by their owners, in one statement.
async fn place_by_owners(scope: &TenantScope, items: &mut [FeedItem]) -> DomainResult<()> {
    let owners: HashSet<Uuid> = items
        .iter()
        .filter_map(|item| match item.unit {
            ItemUnit::OwnersUnit(owner) => Some(owner),
            ItemUnit::Known(_) => None,
        })
        .collect();
    if owners.is_empty() {
        return Ok(());
    }
    let unit_of_owner: HashMap<Uuid, Option<Uuid>> = scope
        .select::<person::Entity>()
        .select_only()
        .column(person::Column::Id)
        .column(person::Column::OrgUnitId)
        .filter(person::Column::Id.is_in(owners))
        .into_tuple::<(Uuid, Option<Uuid>)>()
        .all(scope)
        .await?
        .into_iter()
        .collect();
    for item in items {
        if let ItemUnit::OwnersUnit(owner) = item.unit {
            item.unit = ItemUnit::Known(unit_of_owner.get(&owner).copied().flatten());
        }
    }
    Ok(())
}

struct Subtree {
    units: HashSet<Uuid>,
    /// The unit has no parent: the tenant's own exceptions are in its feed.
    is_root: bool,
}

async fn subtree_of(scope: &TenantScope, unit: Uuid) -> DomainResult<Subtree> {
    let rows: Vec<(Uuid, Option<Uuid>)> = scope
        .select::<org_unit::Entity>()
        .select_only()
        .column(org_unit::Column::Id)
        .column(org_unit::Column::ParentId)
        .filter(
            Condition::any()
                .add(org_unit::Column::Id.eq(unit))
                .add(scope.in_tree(org_unit::Column::Id, ORG_CHART, Walk::Below(&[unit]))),
        )
        .into_tuple()
        .all(scope)
        .await?;
    let Some((_, parent)) = rows.iter().find(|(id, _)| *id == unit) else {
        return Err(DomainError::validation(
            "orgUnitId",
            "no org unit with that id in this tenant",
        ));
    };
    Ok(Subtree {
        is_root: parent.is_none(),
        units: rows.iter().map(|(id, _)| *id).collect(),
    })
}

/// One statement: the acknowledgements of exceptions that arose no earlier
/// than the oldest one here. Matched on subject and day first, so
/// only the few items that may have one have their key worked out.
async fn attach_acknowledgements(scope: &TenantScope, items: &mut [FeedItem]) -> DomainResult<()> {
    let Some(oldest) = items.iter().map(|i| i.exception.since).min() else {
        return Ok(());
    };
    let rows = scope
        .select::<acknowledgement::Entity>()
        .filter(acknowledgement::Column::Since.gte(oldest))
        .all(scope)
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut by_occurrence: HashMap<(Uuid, NaiveDate), Vec<acknowledgement::Model>> = HashMap::new();
    for row in rows {
        by_occurrence
            .entry((row.subject_id, row.since))
            .or_default()
            .push(row);
    }
    for item in items {
        let e = &item.exception;
        let Some(rows) = by_occurrence.get_mut(&(e.subject_id, e.since)) else {
            continue;
        };
        let key = ExceptionKey::of(e).encode();
        if let Some(at) = rows.iter().position(|row| row.exception_key == key) {
            item.acknowledgement = Some(rows.swap_remove(at));
        }
    }
    Ok(())
}

/// An acknowledgement as given.
#[derive(Clone, Debug)]
pub struct Acknowledge {
    /// The exception's ID (its key as a UUID).
    pub exception_id: Uuid,
    pub note: String,
    pub follow_up_owner_id: Option<Uuid>,
}

/// Acknowledges an exception the actor sees in the feed now (admins,
/// managers, members): a note and, optionally, who follows up. Again, after
/// it got worse, replaces the earlier acknowledgement. Audited.
pub async fn acknowledge(
    scope: &TenantScope,
    frameworks: &[Arc<dyn AnyFramework>],
    input: Acknowledge,
) -> DomainResult<FeedItem> {
    scope.require_role(
        &[Role::Admin, Role::Manager, Role::Member],
        "acknowledging exceptions",
    )?;
    let note = crate::service::required_text("input.note", &input.note, MAX_NOTE_CHARS)?;
    let query = FeedQuery {
        org_unit: None,
        window: ExceptionWindow {
            from: None,
            to: None,
            today: scope.today(),
        },
        severity_at_least: Severity::Info,
        include_acknowledged: true,
    };
    let Some(mut item) = feed(scope, frameworks, &query)
        .await?
        .into_iter()
        .find(|item| item.key().uuid() == input.exception_id)
    else {
        return Err(DomainError::NotFound {
            entity: "open exception (it may have been resolved since)",
        });
    };
    let mut tx = scope.begin().await?;
    // Two acknowledgements of one exception at once: one waits, then
    // replaces the other, rather than failing on the unique key.
    tx.lock_tenant().await?;
    if let Some(owner) = input.follow_up_owner_id {
        tx.reference::<person::Entity>(owner, "input.followUpOwnerId", "person")
            .await?;
    }
    let encoded = item.key().encode();
    let existing = tx
        .select::<acknowledgement::Entity>()
        .filter(acknowledgement::Column::ExceptionKey.eq(encoded.clone()))
        .one(&tx)
        .await?;
    let actor = scope.actor();
    let row = acknowledgement::ActiveModel {
        id: Set(existing.as_ref().map_or_else(Uuid::now_v7, |row| row.id)),
        exception_key: Set(encoded),
        kind: Set(item.exception.kind.clone()),
        subject_id: Set(item.exception.subject_id),
        since: Set(item.exception.since),
        severity: Set(item.exception.severity.as_str().into()),
        note: Set(note),
        follow_up_owner_id: Set(input.follow_up_owner_id),
        acknowledged_by_person_id: Set(actor.person_id),
        acknowledged_by_user_id: Set(actor.user_id),
        acknowledged_at: Set(Utc::now()),
        ..Default::default()
    };
    let row = match &existing {
        Some(_) => tx.save(row).await?,
        None => tx.insert(row).await?,
    };
    let change = match &existing {
        Some(before) => Change::updated(
            "exception.acknowledged",
            "ExceptionAcknowledgement",
            row.id,
            before,
            &row,
        ),
        None => Change::created(
            "exception.acknowledged",
            "ExceptionAcknowledgement",
            row.id,
            &row,
        ),
    };
    tx.record(change).await?;
    tx.commit().await?;
    item.acknowledgement = Some(row);
    Ok(item)
}

/// The feed's window (the `Date` scalar bounds its days): its first day
/// must not come after its last.
pub fn window(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> DomainResult<ExceptionWindow> {
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        return Err(DomainError::validation(
            "window.to",
            format!("the window would end ({to}) before it begins ({from})"),
        ));
    }
    Ok(ExceptionWindow { from, to, today })
}
