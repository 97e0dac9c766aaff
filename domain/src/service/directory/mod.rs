//! Directory sync for integrators: people and org units upserted in bulk,
//! keyed by their IDs in a source system (`(source, externalId)` per tenant),
//! with per-record results in input order.
//!
//! One sync is one transaction and a handful of statements per thousand
//! records, whatever the order of the records: keys are read in chunks, the
//! whole plan is made in memory (references resolved, loops refused, outcomes
//! decided), and only then written: new rows with multi-row inserts (parents
//! before children), changed rows with multi-row upserts, audit entries and
//! events likewise. A record that fails is reported and never half-written;
//! `allOrNone` and `dryRun` roll everything back.

mod plan;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entity::{
    org_unit, org_unit_external_id as unit_key, person, person_external_id as person_key,
};
use crate::enums::{PersonStatus, Role, SyncMode, SyncOutcome, SyncWarningCode};
use crate::error::{DomainError, DomainResult};
use crate::tenancy::{Change, TenantScope, TenantTxn, chunked};

pub use plan::{MAX_KEY_CHARS, clean_source};

/// `None` leaves a field as stored; `Some(None)` clears it.
pub type Patch<T> = Option<Option<T>>;

const WRITERS: &[Role] = &[Role::Admin, Role::Integrator];
/// Keys per `IN (…)` list when reading a batch's rows.
const READ_CHUNK: usize = 1000;
/// How many reports a warning names before it says "and N more".
const NAMED_REPORTS: usize = 10;

/// One person as the source has them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PersonRecord {
    pub external_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_number: Patch<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Patch<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Patch<String>,
    pub status: Option<PersonStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Patch<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Patch<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager_external_id: Patch<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_unit_external_id: Patch<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// One org unit as the source has it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct OrgUnitRecord {
    pub external_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_external_id: Patch<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_external_id: Patch<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// One part of a full snapshot sent in several requests.
#[derive(Clone, Debug, Serialize)]
pub struct SnapshotPart {
    pub id: String,
    /// The last part: people of the source that no part listed are deactivated.
    pub last: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct SyncRequest {
    pub source: String,
    pub mode: SyncMode,
    pub org_units: Vec<OrgUnitRecord>,
    pub people: Vec<PersonRecord>,
    pub dry_run: bool,
    pub all_or_none: bool,
    pub force: bool,
    pub snapshot: Option<SnapshotPart>,
}

/// Why a record was not applied: a code from the fixed set, a message, and
/// the input path of the field concerned.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RecordError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl From<DomainError> for RecordError {
    fn from(err: DomainError) -> Self {
        let field = match &err {
            DomainError::Validation { field, .. } | DomainError::BadUserInput { field, .. } => {
                Some(field.clone())
            }
            _ => None,
        };
        Self {
            code: err.code().as_str().to_string(),
            message: err.message(),
            // A change the sync made without a record has no input field.
            field: field.filter(|f| !f.is_empty()),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SyncWarning {
    pub code: SyncWarningCode,
    pub message: String,
    pub field: Option<String>,
}

/// What happened to one record.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RecordResult {
    /// Its position in the input list; `None` for people the sync changed
    /// without a record (deactivated by a snapshot, a reference resolved).
    pub index: Option<usize>,
    pub external_id: String,
    pub outcome: SyncOutcome,
    /// The person or org unit, once it exists.
    pub entity_id: Option<Uuid>,
    pub changed_fields: Vec<String>,
    pub warnings: Vec<SyncWarning>,
    pub errors: Vec<RecordError>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct SyncTotals {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub deactivated: u64,
    pub failed: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SyncReport {
    pub source: String,
    pub mode: SyncMode,
    pub dry_run: bool,
    /// Whether the changes were written: false for a dry run, and for an
    /// `allOrNone` batch in which a record failed.
    pub committed: bool,
    /// The snapshot the records belong to (FULL_SNAPSHOT).
    pub snapshot_id: Option<String>,
    pub org_units: Vec<RecordResult>,
    pub people: Vec<RecordResult>,
}

impl SyncReport {
    pub fn totals(&self) -> SyncTotals {
        let mut totals = SyncTotals::default();
        for result in self.org_units.iter().chain(&self.people) {
            *match result.outcome {
                SyncOutcome::Created => &mut totals.created,
                SyncOutcome::Updated => &mut totals.updated,
                SyncOutcome::Unchanged => &mut totals.unchanged,
                SyncOutcome::Deactivated => &mut totals.deactivated,
                SyncOutcome::Failed => &mut totals.failed,
            } += 1;
        }
        totals
    }
}

/// The snapshot a FULL_SNAPSHOT request belongs to.
struct Snapshot {
    id: String,
    last: bool,
    /// Sent in several parts: listed keys are marked in the database.
    in_parts: bool,
}

/// One person the sync may change: an input record, or someone it touches
/// without one (deactivated by a snapshot, a pending reference resolved).
struct PersonItem {
    index: Option<usize>,
    path: String,
    external_id: String,
    clean: Option<plan::CleanPerson>,
    link: Option<person_key::Model>,
    stored: Option<person::Model>,
    /// The person's id: stored, adopted or (new) assigned now.
    id: Uuid,
    linked_by: Option<SyncWarningCode>,
    stale: bool,
    errors: Vec<RecordError>,
    desired: Option<person::Model>,
    pending_manager: Option<String>,
    pending_unit: Option<String>,
}

impl PersonItem {
    fn live(&self) -> bool {
        self.errors.is_empty() && !self.stale
    }
    fn is_new(&self) -> bool {
        self.stored.is_none()
    }
}

struct UnitItem {
    index: Option<usize>,
    path: String,
    external_id: String,
    clean: Option<plan::CleanUnit>,
    link: Option<unit_key::Model>,
    stored: Option<org_unit::Model>,
    id: Uuid,
    linked_by: Option<SyncWarningCode>,
    stale: bool,
    errors: Vec<RecordError>,
    desired: Option<org_unit::Model>,
    pending_parent: Option<String>,
    pending_head: Option<String>,
}

impl UnitItem {
    fn live(&self) -> bool {
        self.errors.is_empty() && !self.stale
    }
    fn is_new(&self) -> bool {
        self.stored.is_none()
    }
}

/// The tenant's whole reporting graph, narrow: what loop checks and the
/// inactive-manager warnings walk.
#[derive(Clone, Debug)]
struct Node {
    manager_id: Option<Uuid>,
    status: String,
    name: String,
}

/// Whether this caller may send a sync of `records` records at all: their
/// role, then the tenant's batch limit. Checked before anything else (the
/// rate limit counts a sync's records only once it passes).
pub fn check_admission(scope: &TenantScope, records: usize) -> DomainResult<()> {
    scope.require_role(WRITERS, "syncing the directory")?;
    let limit = scope.tenant().sync_batch_limit.max(1) as usize;
    if records > limit {
        return Err(DomainError::LimitExceeded(format!(
            "this sync carries {records} records; the tenant allows {limit} per request (`syncBatchLimit`): send them in several batches, or a full snapshot in parts (`snapshot: {{id, last}}`)"
        )));
    }
    Ok(())
}

/// Runs one directory sync (see the module's documentation).
pub async fn sync(scope: &TenantScope, request: SyncRequest) -> DomainResult<SyncReport> {
    check_admission(scope, request.org_units.len() + request.people.len())?;
    let source = plan::clean_source(&request.source)?;
    let snapshot = match (request.mode, &request.snapshot) {
        (SyncMode::Upsert, Some(_)) => {
            return Err(DomainError::validation(
                "input.snapshot",
                "`snapshot` goes with `mode: FULL_SNAPSHOT`",
            ));
        }
        (SyncMode::Upsert, None) => None,
        (SyncMode::FullSnapshot, Some(part)) => Some(Snapshot {
            id: plan::clean_snapshot_id(&part.id)?,
            last: part.last,
            in_parts: true,
        }),
        (SyncMode::FullSnapshot, None) => Some(Snapshot {
            id: Uuid::now_v7().to_string(),
            last: true,
            in_parts: false,
        }),
    };
    let mut tx = scope.begin().await?;
    // Syncs of one tenant run one at a time: each plans against what the
    // previous one wrote.
    tx.lock_tenant().await?;
    let mut run = Run {
        source: source.clone(),
        snapshot,
        today: scope.today(),
        now: Utc::now(),
        units: Vec::new(),
        people: Vec::new(),
        unit_ids: HashMap::new(),
        person_ids: HashMap::new(),
        graph: HashMap::new(),
        unit_parents: HashMap::new(),
    };
    run.take_records(&request);
    run.load(&tx).await?;
    run.plan(&tx).await?;
    if !request.force {
        run.check_deactivation_share(scope.tenant().sync_deactivation_limit_percent)?;
    }
    let any_failed = run
        .people
        .iter()
        .map(|p| &p.errors)
        .chain(run.units.iter().map(|u| &u.errors))
        .any(|errors| !errors.is_empty());
    let rolled_back = request.all_or_none && any_failed;
    let commit = !request.dry_run && !rolled_back;
    if commit {
        run.write(&mut tx).await?;
        tx.commit().await?;
    }
    // Otherwise the transaction is dropped: rolled back, nothing written.
    Ok(SyncReport {
        source,
        mode: request.mode,
        dry_run: request.dry_run,
        committed: commit,
        snapshot_id: run.snapshot.as_ref().map(|s| s.id.clone()),
        org_units: run.unit_results(),
        people: run.person_results(),
    })
}

struct Run {
    source: String,
    snapshot: Option<Snapshot>,
    today: NaiveDate,
    now: DateTime<Utc>,
    units: Vec<UnitItem>,
    people: Vec<PersonItem>,
    /// External ID → org unit, for this source (live records included).
    unit_ids: HashMap<String, Uuid>,
    /// External ID → person, for this source (live records included).
    person_ids: HashMap<String, Uuid>,
    /// Every person of the tenant, narrow (loaded when people are synced).
    graph: HashMap<Uuid, Node>,
    /// Every org unit's parent (loaded when units are synced).
    unit_parents: HashMap<Uuid, Option<Uuid>>,
}

fn failure(field: String, message: impl Into<String>) -> RecordError {
    RecordError::from(DomainError::validation(field, message))
}

impl Run {
    /// Checks every record on its own and refuses repeated keys and e-mails
    /// within the batch (the later one fails).
    fn take_records(&mut self, request: &SyncRequest) {
        for (index, record) in request.org_units.iter().enumerate() {
            let path = format!("input.orgUnits[{index}]");
            let (clean, errors) = match plan::clean_unit(&path, record) {
                Ok(clean) => (Some(clean), Vec::new()),
                Err(error) => (None, vec![error]),
            };
            self.units.push(UnitItem {
                index: Some(index),
                external_id: record.external_id.trim().to_string(),
                path,
                clean,
                link: None,
                stored: None,
                id: Uuid::now_v7(),
                linked_by: None,
                stale: false,
                errors,
                desired: None,
                pending_parent: None,
                pending_head: None,
            });
        }
        for (index, record) in request.people.iter().enumerate() {
            let path = format!("input.people[{index}]");
            let (clean, errors) = match plan::clean_person(&path, record) {
                Ok(clean) => (Some(clean), Vec::new()),
                Err(error) => (None, vec![error]),
            };
            self.people.push(PersonItem {
                index: Some(index),
                external_id: record.external_id.trim().to_string(),
                path,
                clean,
                link: None,
                stored: None,
                id: Uuid::now_v7(),
                linked_by: None,
                stale: false,
                errors,
                desired: None,
                pending_manager: None,
                pending_unit: None,
            });
        }
        let repeated = plan::first_wins(
            self.units
                .iter()
                .map(|u| u.clean.as_ref().map(|c| c.external_id.as_str())),
        );
        for (later, first) in repeated {
            if let Some(item) = self.units.get_mut(later) {
                item.errors.push(failure(
                    format!("{}.externalId", item.path),
                    format!(
                        "this external ID is also at input.orgUnits[{first}]: send each record once"
                    ),
                ));
            }
        }
        let repeated = plan::first_wins(
            self.people
                .iter()
                .map(|p| p.clean.as_ref().map(|c| c.external_id.as_str())),
        );
        for (later, first) in repeated {
            if let Some(item) = self.people.get_mut(later) {
                item.errors.push(failure(
                    format!("{}.externalId", item.path),
                    format!(
                        "this external ID is also at input.people[{first}]: send each record once"
                    ),
                ));
            }
        }
        let repeated = plan::first_wins(self.people.iter().map(|p| {
            p.clean
                .as_ref()
                .filter(|_| p.errors.is_empty())
                .and_then(|c| c.email.as_ref())
                .and_then(|e| e.as_deref())
        }));
        for (later, first) in repeated {
            if let Some(item) = self.people.get_mut(later) {
                item.errors.push(failure(
                    format!("{}.email", item.path),
                    format!(
                        "input.people[{first}] has the same e-mail; e-mails are unique in a tenant"
                    ),
                ));
            }
        }
    }

    /// Reads what the plan needs, in chunks: the source's keys named by the
    /// batch (all of them for a snapshot), the rows behind them (locked on
    /// PostgreSQL until commit), people who may be adopted by e-mail or
    /// legacy external ID, and the tenant's reporting graph.
    async fn load(&mut self, tx: &TenantTxn<'_>) -> DomainResult<()> {
        let scope = tx.scope();
        let source = self.source.clone();
        // Keys some earlier sync could not resolve: retried now.
        let pending_people = scope
            .select::<person_key::Entity>()
            .filter(person_key::Column::Source.eq(&source))
            .filter(
                sea_orm::Condition::any()
                    .add(person_key::Column::PendingManagerExternalId.is_not_null())
                    .add(person_key::Column::PendingOrgUnitExternalId.is_not_null()),
            )
            .all(tx)
            .await?;
        let pending_units = scope
            .select::<unit_key::Entity>()
            .filter(unit_key::Column::Source.eq(&source))
            .filter(
                sea_orm::Condition::any()
                    .add(unit_key::Column::PendingParentExternalId.is_not_null())
                    .add(unit_key::Column::PendingHeadExternalId.is_not_null()),
            )
            .all(tx)
            .await?;

        let mut unit_keys: HashSet<String> = HashSet::new();
        let mut person_keys: HashSet<String> = HashSet::new();
        for unit in &self.units {
            if let Some(clean) = &unit.clean {
                unit_keys.insert(clean.external_id.clone());
                if let Some(Some(parent)) = &clean.parent_external_id {
                    unit_keys.insert(parent.clone());
                }
                if let Some(Some(head)) = &clean.head_external_id {
                    person_keys.insert(head.clone());
                }
            }
        }
        for person in &self.people {
            if let Some(clean) = &person.clean {
                person_keys.insert(clean.external_id.clone());
                if let Some(Some(manager)) = &clean.manager_external_id {
                    person_keys.insert(manager.clone());
                }
                if let Some(Some(unit)) = &clean.org_unit_external_id {
                    unit_keys.insert(unit.clone());
                }
            }
        }
        for row in &pending_people {
            person_keys.extend(row.pending_manager_external_id.clone());
            unit_keys.extend(row.pending_org_unit_external_id.clone());
        }
        for row in &pending_units {
            unit_keys.extend(row.pending_parent_external_id.clone());
            person_keys.extend(row.pending_head_external_id.clone());
        }

        let mut unit_links: HashMap<String, unit_key::Model> = HashMap::new();
        for chunk in chunked(unit_keys.into_iter().collect(), READ_CHUNK) {
            for row in scope
                .select::<unit_key::Entity>()
                .filter(unit_key::Column::Source.eq(&source))
                .filter(unit_key::Column::ExternalId.is_in(chunk))
                .all(tx)
                .await?
            {
                unit_links.insert(row.external_id.clone(), row);
            }
        }
        let mut person_links: HashMap<String, person_key::Model> = HashMap::new();
        if self.snapshot.is_some() {
            for row in scope
                .select::<person_key::Entity>()
                .filter(person_key::Column::Source.eq(&source))
                .all(tx)
                .await?
            {
                person_links.insert(row.external_id.clone(), row);
            }
        } else {
            for chunk in chunked(person_keys.into_iter().collect(), READ_CHUNK) {
                for row in scope
                    .select::<person_key::Entity>()
                    .filter(person_key::Column::Source.eq(&source))
                    .filter(person_key::Column::ExternalId.is_in(chunk))
                    .all(tx)
                    .await?
                {
                    person_links.insert(row.external_id.clone(), row);
                }
            }
        }
        for row in pending_units {
            unit_links.entry(row.external_id.clone()).or_insert(row);
        }
        for row in pending_people {
            person_links.entry(row.external_id.clone()).or_insert(row);
        }
        self.unit_ids = unit_links
            .values()
            .map(|l| (l.external_id.clone(), l.org_unit_id))
            .collect();
        self.person_ids = person_links
            .values()
            .map(|l| (l.external_id.clone(), l.person_id))
            .collect();

        // A snapshot needs everyone's status now (who leaves, how many are
        // active); other syncs read the graph only if a manager changes.
        if self.snapshot.is_some() {
            self.load_graph(tx, None).await?;
        }
        if !self.units.is_empty() || !unit_links.is_empty() {
            let rows: Vec<(Uuid, Option<Uuid>)> = scope
                .select::<org_unit::Entity>()
                .select_only()
                .column(org_unit::Column::Id)
                .column(org_unit::Column::ParentId)
                .into_tuple()
                .all(tx)
                .await?;
            self.unit_parents = rows.into_iter().collect();
        }

        // Records whose key is known, and the people and units the sync
        // touches without a record: pending references, snapshot leavers.
        let mut record_unit_keys = HashSet::new();
        for unit in &mut self.units {
            if let Some(link) = unit
                .clean
                .as_ref()
                .and_then(|c| unit_links.get(&c.external_id))
            {
                unit.link = Some(link.clone());
                unit.id = link.org_unit_id;
            }
            record_unit_keys.insert(unit.external_id.clone());
        }
        let mut record_person_keys = HashSet::new();
        for person in &mut self.people {
            if let Some(link) = person
                .clean
                .as_ref()
                .and_then(|c| person_links.get(&c.external_id))
            {
                person.link = Some(link.clone());
                person.id = link.person_id;
            }
            record_person_keys.insert(person.external_id.clone());
        }
        let mut extra_units: Vec<&unit_key::Model> = unit_links
            .values()
            .filter(|l| {
                !record_unit_keys.contains(&l.external_id)
                    && (l.pending_parent_external_id.is_some()
                        || l.pending_head_external_id.is_some())
            })
            .collect();
        extra_units.sort_by(|a, b| a.external_id.cmp(&b.external_id));
        let extra_units: Vec<unit_key::Model> = extra_units.into_iter().cloned().collect();
        let snapshot_marker = self
            .snapshot
            .as_ref()
            .filter(|s| s.in_parts)
            .map(|s| s.id.clone());
        let leaving = |link: &person_key::Model, graph: &HashMap<Uuid, Node>| {
            self.snapshot.as_ref().is_some_and(|s| s.last)
                && link
                    .seen_in_snapshot
                    .as_deref()
                    .is_none_or(|seen| Some(seen) != snapshot_marker.as_deref())
                && graph
                    .get(&link.person_id)
                    .is_some_and(|n| n.status != PersonStatus::Inactive.as_str())
        };
        let mut extra_people: Vec<(person_key::Model, bool)> = person_links
            .values()
            .filter(|l| !record_person_keys.contains(&l.external_id))
            .filter_map(|l| {
                let leaves = leaving(l, &self.graph);
                let pending = l.pending_manager_external_id.is_some()
                    || l.pending_org_unit_external_id.is_some();
                (leaves || pending).then(|| (l.clone(), leaves))
            })
            .collect();
        extra_people.sort_by(|a, b| a.0.external_id.cmp(&b.0.external_id));

        let unit_ids: Vec<Uuid> = self
            .units
            .iter()
            .filter(|u| u.link.is_some())
            .map(|u| u.id)
            .chain(extra_units.iter().map(|l| l.org_unit_id))
            .collect();
        let mut stored_units: HashMap<Uuid, org_unit::Model> = HashMap::new();
        for chunk in chunked(unit_ids, READ_CHUNK) {
            for row in scope
                .select::<org_unit::Entity>()
                .filter(org_unit::Column::Id.is_in(chunk))
                .lock_exclusive()
                .all(tx)
                .await?
            {
                stored_units.insert(row.id, row);
            }
        }
        let person_ids: Vec<Uuid> = self
            .people
            .iter()
            .filter(|p| p.link.is_some())
            .map(|p| p.id)
            .chain(extra_people.iter().map(|(l, _)| l.person_id))
            .collect();
        let mut stored_people: HashMap<Uuid, person::Model> = HashMap::new();
        for chunk in chunked(person_ids, READ_CHUNK) {
            for row in scope
                .select::<person::Entity>()
                .filter(person::Column::Id.is_in(chunk))
                .lock_exclusive()
                .all(tx)
                .await?
            {
                stored_people.insert(row.id, row);
            }
        }
        for unit in &mut self.units {
            if unit.link.is_some() {
                unit.stored = stored_units.get(&unit.id).cloned();
            }
        }
        for person in &mut self.people {
            if person.link.is_some() {
                person.stored = stored_people.get(&person.id).cloned();
            }
        }
        for link in extra_units {
            let Some(stored) = stored_units.get(&link.org_unit_id).cloned() else {
                continue;
            };
            self.units.push(UnitItem {
                index: None,
                path: String::new(),
                external_id: link.external_id.clone(),
                clean: Some(plan::CleanUnit {
                    external_id: link.external_id.clone(),
                    name: stored.name.clone(),
                    parent_external_id: link.pending_parent_external_id.clone().map(Some),
                    head_external_id: link.pending_head_external_id.clone().map(Some),
                    updated_at: None,
                }),
                id: link.org_unit_id,
                link: Some(link),
                stored: Some(stored),
                linked_by: None,
                stale: false,
                errors: Vec::new(),
                desired: None,
                pending_parent: None,
                pending_head: None,
            });
        }
        for (link, leaves) in extra_people {
            let Some(stored) = stored_people.get(&link.person_id).cloned() else {
                continue;
            };
            self.people.push(PersonItem {
                index: None,
                path: String::new(),
                external_id: link.external_id.clone(),
                clean: Some(plan::CleanPerson {
                    external_id: link.external_id.clone(),
                    employee_number: None,
                    name: stored.name.clone(),
                    email: None,
                    title: None,
                    status: leaves.then_some(PersonStatus::Inactive),
                    start_date: None,
                    end_date: (leaves && stored.end_date.is_none()).then_some(Some(self.today)),
                    manager_external_id: link.pending_manager_external_id.clone().map(Some),
                    org_unit_external_id: link.pending_org_unit_external_id.clone().map(Some),
                    updated_at: None,
                }),
                id: link.person_id,
                link: Some(link),
                stored: Some(stored),
                linked_by: None,
                stale: false,
                errors: Vec::new(),
                desired: None,
                pending_manager: None,
                pending_unit: None,
            });
        }

        self.adopt_and_check_emails(tx).await
    }

    /// Reads the tenant's reporting graph, narrow: everyone (`ids: None`),
    /// for loop checks and the warnings about reports, or just the people
    /// named, for their status.
    async fn load_graph(&mut self, tx: &TenantTxn<'_>, ids: Option<Vec<Uuid>>) -> DomainResult<()> {
        let query = || {
            tx.scope()
                .select::<person::Entity>()
                .select_only()
                .column(person::Column::Id)
                .column(person::Column::ManagerId)
                .column(person::Column::Status)
                .column(person::Column::Name)
        };
        let rows: Vec<(Uuid, Option<Uuid>, String, String)> = match ids {
            None => query().into_tuple().all(tx).await?,
            Some(ids) => {
                let mut rows = Vec::new();
                for chunk in chunked(ids, READ_CHUNK) {
                    rows.extend(
                        query()
                            .filter(person::Column::Id.is_in(chunk))
                            .into_tuple::<(Uuid, Option<Uuid>, String, String)>()
                            .all(tx)
                            .await?,
                    );
                }
                rows
            }
        };
        self.graph
            .extend(rows.into_iter().map(|(id, manager_id, status, name)| {
                (
                    id,
                    Node {
                        manager_id,
                        status,
                        name,
                    },
                )
            }));
        Ok(())
    }

    /// Whether any manager changes or anyone leaves: only then can a loop
    /// form or reports lose their manager.
    fn needs_graph(&self) -> bool {
        self.people.iter().any(|p| {
            p.desired.as_ref().is_some_and(|d| {
                let stored = p.stored.as_ref();
                let new_manager =
                    d.manager_id.is_some() && stored.map(|s| s.manager_id) != Some(d.manager_id);
                let leaves = d.status == PersonStatus::Inactive.as_str()
                    && stored.is_some_and(|s| s.status != PersonStatus::Inactive.as_str());
                new_manager || leaves
            })
        })
    }

    /// Records without a key from this source take over the existing person
    /// (or unit) with that legacy `externalId`, or the person with that
    /// e-mail, when that one has no key from this source yet. Every e-mail
    /// set must be free or the record's own.
    async fn adopt_and_check_emails(&mut self, tx: &TenantTxn<'_>) -> DomainResult<()> {
        let scope = tx.scope();
        let legacy_unit_keys: Vec<String> = self
            .units
            .iter()
            .filter(|u| u.link.is_none() && u.errors.is_empty())
            .map(|u| u.external_id.clone())
            .collect();
        let mut legacy_units: HashMap<String, org_unit::Model> = HashMap::new();
        for chunk in chunked(legacy_unit_keys, READ_CHUNK) {
            for row in scope
                .select::<org_unit::Entity>()
                .filter(org_unit::Column::ExternalId.is_in(chunk))
                .lock_exclusive()
                .all(tx)
                .await?
            {
                if let Some(key) = row.external_id.clone() {
                    legacy_units.insert(key, row);
                }
            }
        }
        // E-mails that may belong to someone else: those of records without
        // a key yet, and those that change (an unchanged re-run reads none).
        let emails: Vec<String> = self
            .people
            .iter()
            .filter(|p| p.errors.is_empty())
            .filter_map(|p| {
                let email = p.clean.as_ref()?.email.clone()??;
                let unchanged = p
                    .stored
                    .as_ref()
                    .is_some_and(|s| s.email.as_deref() == Some(email.as_str()));
                (!unchanged).then_some(email)
            })
            .collect();
        let mut by_email: HashMap<String, person::Model> = HashMap::new();
        for chunk in chunked(emails, READ_CHUNK) {
            for row in scope
                .select::<person::Entity>()
                .filter(person::Column::Email.is_in(chunk))
                .lock_exclusive()
                .all(tx)
                .await?
            {
                if let Some(email) = row.email.clone() {
                    by_email.insert(email, row);
                }
            }
        }
        let legacy_person_keys: Vec<String> = self
            .people
            .iter()
            .filter(|p| p.link.is_none() && p.errors.is_empty())
            .map(|p| p.external_id.clone())
            .collect();
        let mut legacy_people: HashMap<String, person::Model> = HashMap::new();
        for chunk in chunked(legacy_person_keys, READ_CHUNK) {
            for row in scope
                .select::<person::Entity>()
                .filter(person::Column::ExternalId.is_in(chunk))
                .lock_exclusive()
                .all(tx)
                .await?
            {
                if let Some(key) = row.external_id.clone() {
                    legacy_people.insert(key, row);
                }
            }
        }
        // Who already has a key from this source, among the candidates.
        let candidate_people: Vec<Uuid> = by_email
            .values()
            .chain(legacy_people.values())
            .map(|p| p.id)
            .collect();
        let mut keyed_people: HashMap<Uuid, String> = HashMap::new();
        for chunk in chunked(candidate_people, READ_CHUNK) {
            for (person_id, key) in scope
                .select::<person_key::Entity>()
                .filter(person_key::Column::Source.eq(&self.source))
                .filter(person_key::Column::PersonId.is_in(chunk))
                .select_only()
                .column(person_key::Column::PersonId)
                .column(person_key::Column::ExternalId)
                .into_tuple::<(Uuid, String)>()
                .all(tx)
                .await?
            {
                keyed_people.insert(person_id, key);
            }
        }
        let candidate_units: Vec<Uuid> = legacy_units.values().map(|u| u.id).collect();
        let mut keyed_units: HashSet<Uuid> = HashSet::new();
        for chunk in chunked(candidate_units, READ_CHUNK) {
            keyed_units.extend(
                scope
                    .select::<unit_key::Entity>()
                    .filter(unit_key::Column::Source.eq(&self.source))
                    .filter(unit_key::Column::OrgUnitId.is_in(chunk))
                    .select_only()
                    .column(unit_key::Column::OrgUnitId)
                    .into_tuple::<Uuid>()
                    .all(tx)
                    .await?,
            );
        }

        let mut adopted_units = HashSet::new();
        for unit in &mut self.units {
            if unit.link.is_some() || !unit.errors.is_empty() {
                continue;
            }
            if let Some(existing) = legacy_units.get(&unit.external_id)
                && !keyed_units.contains(&existing.id)
                && adopted_units.insert(existing.id)
            {
                unit.id = existing.id;
                unit.stored = Some(existing.clone());
                unit.linked_by = Some(SyncWarningCode::LinkedByExternalId);
            }
        }
        let mut adopted_people = HashSet::new();
        for person in &mut self.people {
            if person.link.is_some() || !person.errors.is_empty() {
                continue;
            }
            let email = person
                .clean
                .as_ref()
                .and_then(|c| c.email.clone())
                .flatten();
            let candidate = legacy_people
                .get(&person.external_id)
                .map(|p| (p, SyncWarningCode::LinkedByExternalId))
                .filter(|(p, _)| !keyed_people.contains_key(&p.id))
                .or_else(|| {
                    email
                        .as_ref()
                        .and_then(|e| by_email.get(e))
                        .map(|p| (p, SyncWarningCode::LinkedByEmail))
                        .filter(|(p, _)| !keyed_people.contains_key(&p.id))
                });
            if let Some((existing, how)) = candidate
                && adopted_people.insert(existing.id)
            {
                person.id = existing.id;
                person.stored = Some(existing.clone());
                person.linked_by = Some(how);
            }
        }
        for person in &mut self.people {
            if !person.errors.is_empty() {
                continue;
            }
            let Some(Some(email)) = person.clean.as_ref().and_then(|c| c.email.clone()) else {
                continue;
            };
            if let Some(owner) = by_email.get(&email)
                && owner.id != person.id
            {
                let whose = match keyed_people.get(&owner.id) {
                    Some(key) => format!("{} (external ID {key:?} in this source)", owner.name),
                    None => owner.name.clone(),
                };
                person.errors.push(failure(
                    format!("{}.email", person.path),
                    format!("{email:?} is the e-mail of {whose}; e-mails are unique in a tenant"),
                ));
            }
        }
        Ok(())
    }

    /// Decides every record: stale ones change nothing, references resolve
    /// through this source's keys (unknown ones stay pending), loops fail
    /// the record that would close them.
    async fn plan(&mut self, tx: &TenantTxn<'_>) -> DomainResult<()> {
        for unit in &mut self.units {
            if let (Some(clean), Some(link)) = (&unit.clean, &unit.link)
                && is_stale(clean.updated_at, link.source_updated_at)
            {
                unit.stale = true;
            }
        }
        for person in &mut self.people {
            if let (Some(clean), Some(link)) = (&person.clean, &person.link)
                && is_stale(clean.updated_at, link.source_updated_at)
            {
                person.stale = true;
            }
            if let (Some(clean), true) = (&person.clean, person.errors.is_empty()) {
                let start = match clean.start_date {
                    Some(start) => start,
                    None => person.stored.as_ref().and_then(|s| s.start_date),
                };
                let end = match clean.end_date {
                    Some(end) => end,
                    None => person.stored.as_ref().and_then(|s| s.end_date),
                };
                if let (Some(start), Some(end)) = (start, end)
                    && end < start
                {
                    person.errors.push(failure(
                        format!("{}.endDate", person.path),
                        format!("the end date {end} is before the start date {start}"),
                    ));
                }
            }
        }
        // Units first: people name their unit. A new record that fails
        // takes its key away from everyone who named it, so resolve again
        // until no new record fails.
        loop {
            self.unit_ids_from_records();
            self.resolve_units();
            if !self.fail_unit_loops() {
                break;
            }
        }
        let mut whole_graph = self.snapshot.is_some();
        loop {
            self.person_ids_from_records();
            self.resolve_people();
            if !whole_graph && self.needs_graph() {
                self.load_graph(tx, None).await?;
                whole_graph = true;
            }
            // No manager changes: the stored graph has no loops, nor will it.
            if !whole_graph || !self.fail_reporting_loops() {
                break;
            }
        }
        if !whole_graph {
            // Only the managers' status is needed (MANAGER_INACTIVE): of
            // those the batch does not decide.
            let decided: HashSet<Uuid> = self
                .people
                .iter()
                .filter(|p| p.desired.is_some())
                .map(|p| p.id)
                .collect();
            let managers: HashSet<Uuid> = self
                .people
                .iter()
                .filter_map(|p| p.desired.as_ref()?.manager_id)
                .filter(|m| !decided.contains(m))
                .collect();
            self.load_graph(tx, Some(managers.into_iter().collect()))
                .await?;
        }
        // Heads are people: resolved once more now that people are final.
        self.resolve_units();
        Ok(())
    }

    fn unit_ids_from_records(&mut self) {
        for unit in &self.units {
            if unit.link.is_none() {
                if unit.errors.is_empty() {
                    self.unit_ids.insert(unit.external_id.clone(), unit.id);
                } else {
                    self.unit_ids.remove(&unit.external_id);
                }
            }
        }
    }

    fn person_ids_from_records(&mut self) {
        for person in &self.people {
            if person.link.is_none() {
                if person.errors.is_empty() {
                    self.person_ids
                        .insert(person.external_id.clone(), person.id);
                } else {
                    self.person_ids.remove(&person.external_id);
                }
            }
        }
    }

    fn resolve_units(&mut self) {
        let now = self.now;
        for unit in &mut self.units {
            unit.desired = None;
            let Some(clean) = unit.clean.as_ref().filter(|_| unit.live()) else {
                continue;
            };
            let mut desired = unit.stored.clone().unwrap_or_else(|| org_unit::Model {
                id: unit.id,
                tenant_id: Uuid::nil(),
                name: String::new(),
                parent_id: None,
                head_person_id: None,
                external_id: None,
                created_at: now,
                updated_at: now,
                version: 1,
            });
            desired.name = clean.name.clone();
            let link = unit.link.as_ref();
            (desired.parent_id, unit.pending_parent) = resolve(
                &clean.parent_external_id,
                &self.unit_ids,
                desired.parent_id,
                link.and_then(|l| l.pending_parent_external_id.clone()),
            );
            (desired.head_person_id, unit.pending_head) = resolve(
                &clean.head_external_id,
                &self.person_ids,
                desired.head_person_id,
                link.and_then(|l| l.pending_head_external_id.clone()),
            );
            unit.desired = Some(desired);
        }
    }

    fn resolve_people(&mut self) {
        let now = self.now;
        for person in &mut self.people {
            person.desired = None;
            let Some(clean) = person.clean.as_ref().filter(|_| person.live()) else {
                continue;
            };
            let mut desired = person.stored.clone().unwrap_or_else(|| person::Model {
                id: person.id,
                tenant_id: Uuid::nil(),
                name: String::new(),
                email: None,
                title: None,
                org_unit_id: None,
                manager_id: None,
                status: PersonStatus::Active.as_str().to_string(),
                start_date: None,
                end_date: None,
                external_id: None,
                created_at: now,
                updated_at: now,
                version: 1,
            });
            desired.name = clean.name.clone();
            if let Some(email) = &clean.email {
                desired.email = email.clone();
            }
            if let Some(title) = &clean.title {
                desired.title = title.clone();
            }
            if let Some(status) = clean.status {
                desired.status = status.as_str().to_string();
            }
            if let Some(start) = clean.start_date {
                desired.start_date = start;
            }
            if let Some(end) = clean.end_date {
                desired.end_date = end;
            }
            let link = person.link.as_ref();
            (desired.manager_id, person.pending_manager) = resolve(
                &clean.manager_external_id,
                &self.person_ids,
                desired.manager_id,
                link.and_then(|l| l.pending_manager_external_id.clone()),
            );
            (desired.org_unit_id, person.pending_unit) = resolve(
                &clean.org_unit_external_id,
                &self.unit_ids,
                desired.org_unit_id,
                link.and_then(|l| l.pending_org_unit_external_id.clone()),
            );
            person.desired = Some(desired);
        }
    }

    /// Fails each record whose new parent would put its unit below itself;
    /// whether a new record failed (its key must be taken away).
    fn fail_unit_loops(&mut self) -> bool {
        let mut parents = self.unit_parents.clone();
        for unit in &self.units {
            if let Some(desired) = &unit.desired {
                parents.insert(unit.id, desired.parent_id);
            }
        }
        let mut new_failed = false;
        for unit in &mut self.units {
            let Some(desired) = &unit.desired else {
                continue;
            };
            let moved = unit.stored.as_ref().map(|s| s.parent_id) != Some(desired.parent_id);
            if !moved || desired.parent_id.is_none() {
                continue;
            }
            if plan::loop_from(unit.id, |id| parents.get(&id).copied().flatten()).is_some() {
                let field = if unit.index.is_some() {
                    format!("{}.parentExternalId", unit.path)
                } else {
                    String::new()
                };
                unit.errors.push(failure(
                    field,
                    "that unit sits below this one (or the chain is deeper than 100 units); the change would make a loop in the org chart",
                ));
                parents.insert(unit.id, unit.stored.as_ref().and_then(|s| s.parent_id));
                new_failed |= unit.is_new();
                unit.desired = None;
            }
        }
        new_failed
    }

    fn fail_reporting_loops(&mut self) -> bool {
        let mut managers: HashMap<Uuid, Option<Uuid>> = self
            .graph
            .iter()
            .map(|(id, node)| (*id, node.manager_id))
            .collect();
        for person in &self.people {
            if let Some(desired) = &person.desired {
                managers.insert(person.id, desired.manager_id);
            }
        }
        // Names for a loop's message (as stored, or as this batch says),
        // gathered only once a loop is found.
        let mut names: Option<HashMap<Uuid, String>> = None;
        let mut new_failed = false;
        for index in 0..self.people.len() {
            let Some(person) = self.people.get(index) else {
                continue;
            };
            let Some(desired) = &person.desired else {
                continue;
            };
            let moved = person.stored.as_ref().map(|s| s.manager_id) != Some(desired.manager_id);
            if !moved || desired.manager_id.is_none() {
                continue;
            }
            let Some(walk) = plan::loop_from(person.id, |id| managers.get(&id).copied().flatten())
            else {
                continue;
            };
            let names = names.get_or_insert_with(|| {
                let mut names: HashMap<Uuid, String> = self
                    .graph
                    .iter()
                    .map(|(id, node)| (*id, node.name.clone()))
                    .collect();
                for other in &self.people {
                    if let Some(desired) = &other.desired {
                        names.insert(other.id, desired.name.clone());
                    }
                }
                names
            });
            let chain: Vec<String> = walk
                .iter()
                .take(6)
                .map(|id| names.get(id).cloned().unwrap_or_default())
                .collect();
            let Some(person) = self.people.get_mut(index) else {
                continue;
            };
            let field = if person.index.is_some() {
                format!("{}.managerExternalId", person.path)
            } else {
                String::new()
            };
            person.errors.push(failure(
                field,
                format!(
                    "this manager would make a reporting loop (or a chain deeper than 100): {}{}",
                    chain.join(" → "),
                    if walk.len() > 6 { " → …" } else { "" }
                ),
            ));
            managers.insert(person.id, person.stored.as_ref().and_then(|s| s.manager_id));
            new_failed |= person.is_new();
            person.desired = None;
        }
        new_failed
    }

    fn deactivations(&self) -> impl Iterator<Item = &PersonItem> {
        self.people.iter().filter(|p| {
            p.desired
                .as_ref()
                .is_some_and(|d| d.status == PersonStatus::Inactive.as_str())
                && p.stored
                    .as_ref()
                    .is_some_and(|s| s.status != PersonStatus::Inactive.as_str())
        })
    }

    /// A full snapshot may deactivate at most `percent` of the source's
    /// active people without `force`: a truncated export must not empty
    /// the organisation.
    fn check_deactivation_share(&self, percent: i32) -> DomainResult<()> {
        if self.snapshot.is_none() {
            return Ok(());
        }
        let leaving = self.deactivations().filter(|p| p.index.is_none()).count();
        if leaving == 0 {
            return Ok(());
        }
        let active = self
            .person_ids
            .values()
            .filter(|id| {
                self.graph
                    .get(id)
                    .is_some_and(|n| n.status != PersonStatus::Inactive.as_str())
            })
            .count()
            .max(1);
        if leaving * 100 > active * percent.max(0) as usize {
            return Err(DomainError::validation(
                "input.force",
                format!(
                    "this snapshot would deactivate {leaving} of the {active} active people from {:?} ({}%), more than the tenant's limit of {percent}% (`syncDeactivationLimitPercent`): check the export is complete, or send `force: true`",
                    self.source,
                    leaving * 100 / active
                ),
            ));
        }
        Ok(())
    }

    /// Every person's status after the sync, by id.
    fn final_statuses(&self) -> HashMap<Uuid, &str> {
        let mut statuses: HashMap<Uuid, &str> = self
            .graph
            .iter()
            .map(|(id, n)| (*id, n.status.as_str()))
            .collect();
        for person in &self.people {
            if let Some(desired) = &person.desired {
                statuses.insert(person.id, desired.status.as_str());
            }
        }
        statuses
    }

    fn unit_results(&self) -> Vec<RecordResult> {
        self.units
            .iter()
            .filter_map(|unit| {
                let mut warnings = Vec::new();
                let mut changed = Vec::new();
                let outcome = if !unit.errors.is_empty() {
                    SyncOutcome::Failed
                } else if unit.stale {
                    warnings.push(stale_warning(&unit.path));
                    SyncOutcome::Unchanged
                } else {
                    let desired = unit.desired.as_ref()?;
                    if let Some(stored) = &unit.stored {
                        if stored.name != desired.name {
                            changed.push("name");
                        }
                        if stored.parent_id != desired.parent_id {
                            changed.push("parentExternalId");
                        }
                        if stored.head_person_id != desired.head_person_id {
                            changed.push("headExternalId");
                        }
                    }
                    if let Some(key) = &unit.pending_parent {
                        warnings.push(SyncWarning {
                            code: SyncWarningCode::OrgUnitUnresolved,
                            message: format!("no org unit from this source has the external ID {key:?} yet: the unit has no parent until one does"),
                            field: field_of(&unit.path, unit.index, "parentExternalId"),
                        });
                    }
                    if let Some(key) = &unit.pending_head {
                        warnings.push(SyncWarning {
                            code: SyncWarningCode::HeadUnresolved,
                            message: format!("nobody from this source has the external ID {key:?} yet: the unit has no head until someone does"),
                            field: field_of(&unit.path, unit.index, "headExternalId"),
                        });
                    }
                    if let Some(code) = unit.linked_by {
                        warnings.push(linked_warning(code));
                    }
                    match &unit.stored {
                        None => SyncOutcome::Created,
                        Some(_) if changed.is_empty() => SyncOutcome::Unchanged,
                        Some(_) => SyncOutcome::Updated,
                    }
                };
                // People the sync touched without a record are listed only
                // when it changed them.
                if unit.index.is_none() && outcome == SyncOutcome::Unchanged {
                    return None;
                }
                Some(RecordResult {
                    index: unit.index,
                    external_id: unit.external_id.clone(),
                    outcome,
                    entity_id: (unit.stored.is_some() || outcome == SyncOutcome::Created)
                        .then_some(unit.id),
                    changed_fields: changed.into_iter().map(String::from).collect(),
                    warnings,
                    errors: unit.errors.clone(),
                })
            })
            .collect()
    }

    fn person_results(&self) -> Vec<RecordResult> {
        let deactivated: HashSet<Uuid> = self.deactivations().map(|p| p.id).collect();
        let statuses = self.final_statuses();
        // Names after the sync: as stored, or as this batch says.
        let mut names: HashMap<Uuid, &str> = self
            .graph
            .iter()
            .map(|(id, n)| (*id, n.name.as_str()))
            .collect();
        for person in &self.people {
            if let Some(desired) = &person.desired {
                names.insert(person.id, desired.name.as_str());
            }
        }
        let inactive = |id: Uuid| statuses.get(&id) == Some(&PersonStatus::Inactive.as_str());
        // Reports per manager, after the sync: for the warning on a
        // deactivated manager.
        let mut reports: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        if !deactivated.is_empty() {
            let mut managers: HashMap<Uuid, Option<Uuid>> = self
                .graph
                .iter()
                .map(|(id, n)| (*id, n.manager_id))
                .collect();
            for person in &self.people {
                if let Some(desired) = &person.desired {
                    managers.insert(person.id, desired.manager_id);
                }
            }
            for (id, manager) in managers {
                if let Some(manager) = manager.filter(|m| deactivated.contains(m))
                    && !inactive(id)
                {
                    reports.entry(manager).or_default().push(id);
                }
            }
        }
        self.people
            .iter()
            .filter_map(|person| {
                let mut warnings = Vec::new();
                let mut changed = Vec::new();
                let outcome = if !person.errors.is_empty() {
                    SyncOutcome::Failed
                } else if person.stale {
                    warnings.push(stale_warning(&person.path));
                    SyncOutcome::Unchanged
                } else {
                    let desired = person.desired.as_ref()?;
                    if let Some(stored) = &person.stored {
                        for (name, differs) in [
                            ("name", stored.name != desired.name),
                            ("email", stored.email != desired.email),
                            ("title", stored.title != desired.title),
                            ("status", stored.status != desired.status),
                            ("startDate", stored.start_date != desired.start_date),
                            ("endDate", stored.end_date != desired.end_date),
                            ("managerExternalId", stored.manager_id != desired.manager_id),
                            ("orgUnitExternalId", stored.org_unit_id != desired.org_unit_id),
                        ] {
                            if differs {
                                changed.push(name);
                            }
                        }
                        if let (Some(link), Some(Some(number))) = (
                            &person.link,
                            person.clean.as_ref().map(|c| &c.employee_number),
                        ) && link.employee_number != *number
                        {
                            changed.push("employeeNumber");
                        }
                    }
                    if let Some(key) = &person.pending_manager {
                        warnings.push(SyncWarning {
                            code: SyncWarningCode::ManagerUnresolved,
                            message: format!("nobody from this source has the external ID {key:?} yet: the person has no manager until someone does"),
                            field: field_of(&person.path, person.index, "managerExternalId"),
                        });
                    }
                    if let Some(key) = &person.pending_unit {
                        warnings.push(SyncWarning {
                            code: SyncWarningCode::OrgUnitUnresolved,
                            message: format!("no org unit from this source has the external ID {key:?} yet: the person has no unit until one does"),
                            field: field_of(&person.path, person.index, "orgUnitExternalId"),
                        });
                    }
                    if let Some(manager) = desired.manager_id
                        && desired.status != PersonStatus::Inactive.as_str()
                        && inactive(manager)
                    {
                        let name = names.get(&manager).copied().unwrap_or("the manager");
                        warnings.push(SyncWarning {
                            code: SyncWarningCode::ManagerInactive,
                            message: format!("their manager {name} is inactive: give them an active manager"),
                            field: field_of(&person.path, person.index, "managerExternalId"),
                        });
                    }
                    if let Some(left) = reports.get(&person.id) {
                        let names: Vec<&str> = left
                            .iter()
                            .filter_map(|id| self.graph.get(id).map(|n| n.name.as_str()))
                            .collect();
                        warnings.push(reports_warning(
                            None,
                            names,
                            field_of(&person.path, person.index, "status"),
                        ));
                    }
                    if let Some(code) = person.linked_by {
                        warnings.push(linked_warning(code));
                    }
                    match &person.stored {
                        None => SyncOutcome::Created,
                        Some(_) if deactivated.contains(&person.id) => SyncOutcome::Deactivated,
                        Some(_) if changed.is_empty() => SyncOutcome::Unchanged,
                        Some(_) => SyncOutcome::Updated,
                    }
                };
                if person.index.is_none() && outcome == SyncOutcome::Unchanged {
                    return None;
                }
                Some(RecordResult {
                    index: person.index,
                    external_id: person.external_id.clone(),
                    outcome,
                    entity_id: (person.stored.is_some() || outcome == SyncOutcome::Created)
                        .then_some(person.id),
                    changed_fields: changed.into_iter().map(String::from).collect(),
                    warnings,
                    errors: person.errors.clone(),
                })
            })
            .collect()
    }

    /// Writes the plan: new rows parents first, changed rows in bulk, keys,
    /// then the audit entries and events of every change.
    async fn write(&self, tx: &mut TenantTxn<'_>) -> DomainResult<()> {
        let now = self.now;
        let marker = self
            .snapshot
            .as_ref()
            .filter(|s| s.in_parts)
            .map(|s| s.id.clone());
        let new_people: HashSet<Uuid> = self
            .people
            .iter()
            .filter(|p| p.is_new() && p.desired.is_some())
            .map(|p| p.id)
            .collect();

        // New units, parents first, heads that are new people set after them.
        let new_units: Vec<&UnitItem> = self
            .units
            .iter()
            .filter(|u| u.is_new() && u.desired.is_some())
            .collect();
        let parent_of: HashMap<Uuid, Option<Uuid>> = new_units
            .iter()
            .filter_map(|u| Some((u.id, u.desired.as_ref()?.parent_id)))
            .collect();
        let order =
            plan::parents_first(&new_units.iter().map(|u| u.id).collect::<Vec<_>>(), |id| {
                parent_of.get(&id).copied().flatten()
            });
        let by_id: HashMap<Uuid, &UnitItem> = new_units.iter().map(|u| (u.id, *u)).collect();
        let mut unit_rows = Vec::new();
        let mut later_heads = Vec::new();
        for id in order {
            let Some(desired) = by_id.get(&id).and_then(|u| u.desired.clone()) else {
                continue;
            };
            let mut row = desired.clone();
            if row.head_person_id.is_some_and(|h| new_people.contains(&h)) {
                row.head_person_id = None;
                later_heads.push(desired);
            }
            unit_rows.push(org_unit::ActiveModel::from(row));
        }
        for chunk in chunked(unit_rows, 500) {
            tx.insert_many(chunk).await?;
        }

        // New people, managers first.
        let new_items: Vec<&PersonItem> = self
            .people
            .iter()
            .filter(|p| p.is_new() && p.desired.is_some())
            .collect();
        let manager_of: HashMap<Uuid, Option<Uuid>> = new_items
            .iter()
            .filter_map(|p| Some((p.id, p.desired.as_ref()?.manager_id)))
            .collect();
        let order =
            plan::parents_first(&new_items.iter().map(|p| p.id).collect::<Vec<_>>(), |id| {
                manager_of.get(&id).copied().flatten()
            });
        let by_id: HashMap<Uuid, &PersonItem> = new_items.iter().map(|p| (p.id, *p)).collect();
        let rows: Vec<person::ActiveModel> = order
            .iter()
            .filter_map(|id| by_id.get(id)?.desired.clone())
            .map(person::ActiveModel::from)
            .collect();
        for chunk in chunked(rows, 500) {
            tx.insert_many(chunk).await?;
        }

        // Changed units and people, in bulk.
        let mut changed_units: Vec<org_unit::Model> = later_heads;
        let mut unit_changes = Vec::new();
        for unit in &self.units {
            if let (Some(stored), Some(desired)) = (&unit.stored, &unit.desired)
                && (stored.name != desired.name
                    || stored.parent_id != desired.parent_id
                    || stored.head_person_id != desired.head_person_id)
            {
                let mut after = desired.clone();
                after.version = stored.version + 1;
                after.updated_at = now;
                unit_changes.push((stored, after.clone()));
                changed_units.push(after);
            }
        }
        tx.upsert_many(
            changed_units.into_iter().map(org_unit::ActiveModel::from),
            &[
                org_unit::Column::Name,
                org_unit::Column::ParentId,
                org_unit::Column::HeadPersonId,
                org_unit::Column::UpdatedAt,
                org_unit::Column::Version,
            ],
        )
        .await?;
        let mut person_changes = Vec::new();
        for person in &self.people {
            if let (Some(stored), Some(desired)) = (&person.stored, &person.desired)
                && person_differs(stored, desired)
            {
                let mut after = desired.clone();
                after.version = stored.version + 1;
                after.updated_at = now;
                person_changes.push((stored, after));
            }
        }
        tx.upsert_many(
            person_changes
                .iter()
                .map(|(_, after)| person::ActiveModel::from(after.clone())),
            &[
                person::Column::Name,
                person::Column::Email,
                person::Column::Title,
                person::Column::OrgUnitId,
                person::Column::ManagerId,
                person::Column::Status,
                person::Column::StartDate,
                person::Column::EndDate,
                person::Column::UpdatedAt,
                person::Column::Version,
            ],
        )
        .await?;

        // Keys: new ones, and stored ones whose bookkeeping moved.
        let mut unit_keys = Vec::new();
        for unit in &self.units {
            if unit.desired.is_none() && !unit.stale {
                continue;
            }
            let clean_at = unit.clean.as_ref().and_then(|c| c.updated_at);
            let (pending_parent, pending_head) = if unit.stale {
                let link = unit.link.as_ref();
                (
                    link.and_then(|l| l.pending_parent_external_id.clone()),
                    link.and_then(|l| l.pending_head_external_id.clone()),
                )
            } else {
                (unit.pending_parent.clone(), unit.pending_head.clone())
            };
            let row = match &unit.link {
                Some(link) => {
                    let source_updated_at = latest(link.source_updated_at, clean_at);
                    if link.pending_parent_external_id == pending_parent
                        && link.pending_head_external_id == pending_head
                        && link.source_updated_at == source_updated_at
                    {
                        continue;
                    }
                    unit_key::Model {
                        pending_parent_external_id: pending_parent,
                        pending_head_external_id: pending_head,
                        source_updated_at,
                        updated_at: now,
                        ..link.clone()
                    }
                }
                None => unit_key::Model {
                    id: Uuid::now_v7(),
                    tenant_id: Uuid::nil(),
                    org_unit_id: unit.id,
                    source: self.source.clone(),
                    external_id: unit.external_id.clone(),
                    pending_parent_external_id: pending_parent,
                    pending_head_external_id: pending_head,
                    source_updated_at: clean_at,
                    created_at: now,
                    updated_at: now,
                },
            };
            unit_keys.push(unit_key::ActiveModel::from(row));
        }
        tx.upsert_many(
            unit_keys,
            &[
                unit_key::Column::PendingParentExternalId,
                unit_key::Column::PendingHeadExternalId,
                unit_key::Column::SourceUpdatedAt,
                unit_key::Column::UpdatedAt,
            ],
        )
        .await?;
        let mut person_keys = Vec::new();
        for person in &self.people {
            if person.desired.is_none() && !person.stale {
                continue;
            }
            let clean = person.clean.as_ref();
            let clean_at = clean.and_then(|c| c.updated_at);
            let listed = person.index.is_some();
            let (pending_manager, pending_unit) = if person.stale {
                let link = person.link.as_ref();
                (
                    link.and_then(|l| l.pending_manager_external_id.clone()),
                    link.and_then(|l| l.pending_org_unit_external_id.clone()),
                )
            } else {
                (person.pending_manager.clone(), person.pending_unit.clone())
            };
            let row = match &person.link {
                Some(link) => {
                    let employee_number = match clean.and_then(|c| c.employee_number.clone()) {
                        Some(number) if !person.stale => number,
                        _ => link.employee_number.clone(),
                    };
                    let seen = match (&marker, listed) {
                        (Some(marker), true) => Some(marker.clone()),
                        _ => link.seen_in_snapshot.clone(),
                    };
                    let source_updated_at = latest(link.source_updated_at, clean_at);
                    if link.pending_manager_external_id == pending_manager
                        && link.pending_org_unit_external_id == pending_unit
                        && link.source_updated_at == source_updated_at
                        && link.employee_number == employee_number
                        && link.seen_in_snapshot == seen
                    {
                        continue;
                    }
                    person_key::Model {
                        employee_number,
                        pending_manager_external_id: pending_manager,
                        pending_org_unit_external_id: pending_unit,
                        source_updated_at,
                        seen_in_snapshot: seen,
                        updated_at: now,
                        ..link.clone()
                    }
                }
                None => person_key::Model {
                    id: Uuid::now_v7(),
                    tenant_id: Uuid::nil(),
                    person_id: person.id,
                    source: self.source.clone(),
                    external_id: person.external_id.clone(),
                    employee_number: clean.and_then(|c| c.employee_number.clone()).flatten(),
                    pending_manager_external_id: pending_manager,
                    pending_org_unit_external_id: pending_unit,
                    source_updated_at: clean_at,
                    seen_in_snapshot: marker.clone(),
                    created_at: now,
                    updated_at: now,
                },
            };
            person_keys.push(person_key::ActiveModel::from(row));
        }
        tx.upsert_many(
            person_keys,
            &[
                person_key::Column::EmployeeNumber,
                person_key::Column::PendingManagerExternalId,
                person_key::Column::PendingOrgUnitExternalId,
                person_key::Column::SourceUpdatedAt,
                person_key::Column::SeenInSnapshot,
                person_key::Column::UpdatedAt,
            ],
        )
        .await?;
        // A failed record of a snapshot part still lists its key: its person
        // must not be deactivated by the last part.
        if let Some(marker) = &marker {
            let failed_keys: Vec<String> = self
                .people
                .iter()
                .filter(|p| {
                    p.index.is_some() && p.link.is_some() && p.desired.is_none() && !p.stale
                })
                .map(|p| p.external_id.clone())
                .collect();
            for chunk in chunked(failed_keys, READ_CHUNK) {
                tx.update::<person_key::Entity>()
                    .col_expr(
                        person_key::Column::SeenInSnapshot,
                        sea_orm::sea_query::Expr::value(marker.clone()),
                    )
                    .filter(person_key::Column::Source.eq(&self.source))
                    .filter(person_key::Column::ExternalId.is_in(chunk))
                    .exec()
                    .await?;
            }
        }

        // Audit entries and events: one per changed row, as the single
        // mutations write them.
        let created_units: Vec<&org_unit::Model> = self
            .units
            .iter()
            .filter(|u| u.is_new())
            .filter_map(|u| u.desired.as_ref())
            .collect();
        tx.record_many(
            created_units
                .iter()
                .map(|u| Change::created("org_unit.created", "OrgUnit", u.id, *u))
                .chain(unit_changes.iter().map(|(before, after)| {
                    Change::updated("org_unit.updated", "OrgUnit", after.id, *before, after)
                })),
        )
        .await?;
        let created_people: Vec<&person::Model> = self
            .people
            .iter()
            .filter(|p| p.is_new())
            .filter_map(|p| p.desired.as_ref())
            .collect();
        tx.record_many(
            created_people
                .iter()
                .map(|p| Change::created("person.created", "Person", p.id, *p))
                .chain(person_changes.iter().map(|(before, after)| {
                    let action = if before.status != PersonStatus::Inactive.as_str()
                        && after.status == PersonStatus::Inactive.as_str()
                    {
                        "person.deactivated"
                    } else {
                        "person.updated"
                    };
                    Change::updated(action, "Person", after.id, *before, after)
                })),
        )
        .await?;
        Ok(())
    }
}

fn person_differs(stored: &person::Model, desired: &person::Model) -> bool {
    stored.name != desired.name
        || stored.email != desired.email
        || stored.title != desired.title
        || stored.org_unit_id != desired.org_unit_id
        || stored.manager_id != desired.manager_id
        || stored.status != desired.status
        || stored.start_date != desired.start_date
        || stored.end_date != desired.end_date
}

/// Stale data never wins: a record older than what was applied changes nothing.
fn is_stale(record: Option<DateTime<Utc>>, applied: Option<DateTime<Utc>>) -> bool {
    matches!((record, applied), (Some(record), Some(applied)) if record < applied)
}

fn latest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// A reference by external ID: omitted keeps what is stored (and pending);
/// null clears; a key resolves through this source or stays pending.
fn resolve(
    patch: &Patch<String>,
    ids: &HashMap<String, Uuid>,
    stored: Option<Uuid>,
    stored_pending: Option<String>,
) -> (Option<Uuid>, Option<String>) {
    match patch {
        None => (stored, stored_pending),
        Some(None) => (None, None),
        Some(Some(key)) => match ids.get(key) {
            Some(id) => (Some(*id), None),
            None => (None, Some(key.clone())),
        },
    }
}

/// The warning on a deactivated manager whose active reports now have an
/// inactive manager, naming them (the first ten, by name).
pub fn reports_warning(
    manager: Option<&str>,
    mut names: Vec<&str>,
    field: Option<String>,
) -> SyncWarning {
    names.sort_unstable();
    let total = names.len();
    let more = total.saturating_sub(NAMED_REPORTS);
    names.truncate(NAMED_REPORTS);
    SyncWarning {
        code: SyncWarningCode::ReportsWithoutActiveManager,
        message: format!(
            "{total} active direct report(s){} now have an inactive manager: {}{}",
            manager.map(|m| format!(" of {m}")).unwrap_or_default(),
            names.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ),
        field,
    }
}

fn field_of(path: &str, index: Option<usize>, field: &str) -> Option<String> {
    index.map(|_| format!("{path}.{field}"))
}

fn stale_warning(path: &str) -> SyncWarning {
    SyncWarning {
        code: SyncWarningCode::Stale,
        message: "the record's updatedAt is older than the one applied before: stale data never wins, nothing changed".into(),
        field: Some(format!("{path}.updatedAt")),
    }
}

fn linked_warning(code: SyncWarningCode) -> SyncWarning {
    SyncWarning {
        code,
        message: match code {
            SyncWarningCode::LinkedByEmail => {
                "matched to the existing person with this e-mail, who had no key from this source yet"
            }
            _ => "matched to the existing record whose externalId is this key, which had no key from this source yet",
        }
        .into(),
        field: None,
    }
}
