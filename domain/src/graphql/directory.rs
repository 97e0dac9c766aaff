//! HRIS sync: `syncDirectory`, its per-record results, and the keys people
//! and org units have in each source system.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::context::request;
use super::ids::encode_id;
use super::inputs::patch;
use super::loaders::ById;
use super::scalars::Date;
use super::types::*;
use crate::entity::{org_unit, org_unit_external_id, person, person_external_id};
use crate::enums::{PersonStatus, SyncMode, SyncOutcome, SyncWarningCode};
use crate::error::DomainError;
use crate::service::directory::{self, RecordResult, SyncReport};
use crate::service::idempotency;

/// The `Idempotency-Key` HTTP header of the request, if it had one.
#[derive(Clone, Debug)]
pub struct IdempotencyKeyHeader(pub String);

/// A person's or org unit's key in one source system.
#[derive(SimpleObject, Clone, Debug)]
pub struct ExternalId {
    /// The source system, e.g. `workday`.
    pub source: String,
    /// The key there; unique per source in the tenant.
    pub external_id: String,
    /// The employee number the source gave (people only).
    pub employee_number: Option<String>,
    /// The source's last-change time of the record as last applied: an older record is stale and changes nothing.
    pub source_updated_at: Option<DateTime<Utc>>,
    /// A manager (or parent unit) key the source named that matches nothing yet; resolved by the sync that brings it.
    pub pending_manager_external_id: Option<String>,
    /// An org unit (or head) key the source named that matches nothing yet.
    pub pending_unit_external_id: Option<String>,
}

impl From<person_external_id::Model> for ExternalId {
    fn from(row: person_external_id::Model) -> Self {
        Self {
            source: row.source,
            external_id: row.external_id,
            employee_number: row.employee_number,
            source_updated_at: row.source_updated_at,
            pending_manager_external_id: row.pending_manager_external_id,
            pending_unit_external_id: row.pending_org_unit_external_id,
        }
    }
}

impl From<org_unit_external_id::Model> for ExternalId {
    fn from(row: org_unit_external_id::Model) -> Self {
        Self {
            source: row.source,
            external_id: row.external_id,
            employee_number: None,
            source_updated_at: row.source_updated_at,
            pending_manager_external_id: row.pending_parent_external_id,
            pending_unit_external_id: row.pending_head_external_id,
        }
    }
}

/// One person as the source system has them. Omitted fields keep what is
/// stored; null clears them.
#[derive(InputObject)]
pub struct SyncPersonInput {
    /// Their key in the source; with `source`, what the record is matched by.
    pub external_id: String,
    /// Their employee number in the source.
    pub employee_number: MaybeUndefined<String>,
    /// Full name.
    pub name: String,
    /// Work e-mail, unique in the tenant. A record whose key is new matches an existing person with this e-mail who has no key from this source yet.
    pub email: MaybeUndefined<String>,
    /// Job title.
    pub title: MaybeUndefined<String>,
    /// `ACTIVE`, `INACTIVE` (left) or `PENDING` (a pre-hire); new people are `ACTIVE` unless told.
    pub status: Option<PersonStatus>,
    /// First working day.
    pub start_date: MaybeUndefined<Date>,
    /// Last working day.
    pub end_date: MaybeUndefined<Date>,
    /// The manager's key in the same source, in this batch or an earlier one; an unknown one is kept and linked when it arrives.
    pub manager_external_id: MaybeUndefined<String>,
    /// The org unit's key in the same source.
    pub org_unit_external_id: MaybeUndefined<String>,
    /// When the source last changed the record: a record older than the one applied before changes nothing (`STALE`).
    pub updated_at: Option<DateTime<Utc>>,
}

/// One org unit as the source system has it.
#[derive(InputObject)]
pub struct SyncOrgUnitInput {
    /// Its key in the source.
    pub external_id: String,
    /// The unit's name.
    pub name: String,
    /// The parent unit's key in the same source; null for a top-level unit.
    pub parent_external_id: MaybeUndefined<String>,
    /// The head's key (a person) in the same source.
    pub head_external_id: MaybeUndefined<String>,
    /// When the source last changed the record.
    pub updated_at: Option<DateTime<Utc>>,
}

/// One part of a full snapshot too large for one request.
#[derive(InputObject)]
pub struct SyncSnapshotInput {
    /// The same for every part of one snapshot, e.g. `2026-12-03-nightly`.
    pub id: String,
    /// The last part: people of the source that no part listed are deactivated.
    pub last: bool,
}

/// A batch of people and org units from one source system.
#[derive(InputObject)]
pub struct SyncDirectoryInput {
    /// The source system, in lower case: `workday`, `bamboohr`, `merge`…
    pub source: String,
    /// `UPSERT` (default): only the records given. `FULL_SNAPSHOT`: the records are everyone from the source; the others are deactivated, never deleted.
    #[graphql(default_with = "SyncMode::Upsert")]
    pub mode: SyncMode,
    /// Org units, applied before people.
    #[graphql(default)]
    pub org_units: Vec<SyncOrgUnitInput>,
    /// People.
    #[graphql(default)]
    pub people: Vec<SyncPersonInput>,
    /// Check everything and answer the same results, then write nothing.
    #[graphql(default)]
    pub dry_run: bool,
    /// Apply nothing if any record fails (default: valid records apply, failed ones are reported).
    #[graphql(default)]
    pub all_or_none: bool,
    /// Let a full snapshot deactivate more than the tenant's `syncDeactivationLimitPercent`.
    #[graphql(default)]
    pub force: bool,
    /// With `FULL_SNAPSHOT`: this request is one part of a snapshot sent in several.
    pub snapshot: Option<SyncSnapshotInput>,
    /// A repeat with the same key and request answers the first result (kept 24 hours) instead of running again; also the `Idempotency-Key` header.
    pub idempotency_key: Option<String>,
}

/// Something a change applied but wants you to know (a sync, or a single update).
#[derive(SimpleObject)]
#[graphql(name = "DirectoryWarning")]
pub struct SyncWarning {
    /// What it is.
    pub code: SyncWarningCode,
    /// What to do about it.
    pub message: String,
    /// The input field concerned, e.g. `input.people[3].managerExternalId`.
    pub field: Option<String>,
}

impl From<directory::SyncWarning> for SyncWarning {
    fn from(w: directory::SyncWarning) -> Self {
        Self {
            code: w.code,
            message: w.message,
            field: w.field,
        }
    }
}

/// Why a record was not applied.
#[derive(SimpleObject)]
pub struct SyncRecordError {
    /// A code of the API's fixed set, e.g. `VALIDATION`.
    pub code: String,
    /// What is wrong, in words a person can act on.
    pub message: String,
    /// The input field concerned, e.g. `input.people[3].email`.
    pub field: Option<String>,
}

/// What the sync did with one record.
pub struct SyncRecordResult {
    result: RecordResult,
    type_name: &'static str,
}

/// What the sync did with one record.
#[Object]
impl SyncRecordResult {
    /// The record's position in its input list; null for people the sync changed without a record (missing from a full snapshot, or a manager or unit it resolved).
    async fn index(&self) -> Option<i32> {
        self.result.index.and_then(|i| i32::try_from(i).ok())
    }
    /// The record's key in the source.
    async fn external_id(&self) -> &str {
        &self.result.external_id
    }
    /// Created, updated, unchanged, deactivated or failed.
    async fn outcome(&self) -> SyncOutcome {
        self.result.outcome
    }
    /// The global ID of the person or org unit, once it exists (null for a record a dry run would create).
    async fn entity_id(&self) -> Option<ID> {
        Some(encode_id(self.type_name, self.result.entity_id?))
    }
    /// The person as stored now (people's results; null before it exists).
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        if self.type_name != "Person" {
            return Ok(None);
        }
        let Some(id) = self.result.entity_id else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<person::Entity>, _>()
            .load_one(id)
            .await?
            .map(Person))
    }
    /// The org unit as stored now (org units' results).
    async fn org_unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        if self.type_name != "OrgUnit" {
            return Ok(None);
        }
        let Some(id) = self.result.entity_id else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<org_unit::Entity>, _>()
            .load_one(id)
            .await?
            .map(OrgUnit))
    }
    /// The fields that changed, named as in the input (`name`, `managerExternalId`…).
    async fn changed_fields(&self) -> &[String] {
        &self.result.changed_fields
    }
    /// What was applied but deserves a look.
    async fn warnings(&self) -> Vec<SyncWarning> {
        self.result
            .warnings
            .iter()
            .cloned()
            .map(SyncWarning::from)
            .collect()
    }
    /// Why the record was not applied (outcome `FAILED`).
    async fn errors(&self) -> Vec<SyncRecordError> {
        self.result
            .errors
            .iter()
            .map(|e| SyncRecordError {
                code: e.code.clone(),
                message: e.message.clone(),
                field: e.field.clone(),
            })
            .collect()
    }
}

/// How many records ended which way.
#[derive(SimpleObject)]
pub struct SyncTotals {
    /// Records created.
    pub created: u64,
    /// Records updated.
    pub updated: u64,
    /// Records that changed nothing.
    pub unchanged: u64,
    /// People deactivated.
    pub deactivated: u64,
    /// Records not applied.
    pub failed: u64,
}

/// The results of one sync.
pub struct SyncDirectoryPayload {
    report: SyncReport,
    replayed: bool,
}

/// The results of one sync.
#[Object]
impl SyncDirectoryPayload {
    /// The source system.
    async fn source(&self) -> &str {
        &self.report.source
    }
    /// The mode it ran in.
    async fn mode(&self) -> SyncMode {
        self.report.mode
    }
    /// Whether it was a dry run.
    async fn dry_run(&self) -> bool {
        self.report.dry_run
    }
    /// Whether the changes were written: false for a dry run, and for an `allOrNone` batch in which a record failed (the outcomes say what would have happened).
    async fn committed(&self) -> bool {
        self.report.committed
    }
    /// True when this is the stored answer to an earlier request with the same idempotency key (the records' `person`/`orgUnit` show them as they are now).
    async fn replayed(&self) -> bool {
        self.replayed
    }
    /// The full snapshot this request belongs to (`FULL_SNAPSHOT`).
    async fn snapshot_id(&self) -> Option<&str> {
        self.report.snapshot_id.as_deref()
    }
    /// One result per org unit record, in input order.
    async fn org_units(&self) -> Vec<SyncRecordResult> {
        self.results(&self.report.org_units, "OrgUnit")
    }
    /// One result per person record, in input order, then the people changed without a record.
    async fn people(&self) -> Vec<SyncRecordResult> {
        self.results(&self.report.people, "Person")
    }
    /// How many records ended which way.
    async fn totals(&self) -> SyncTotals {
        let t = self.report.totals();
        SyncTotals {
            created: t.created,
            updated: t.updated,
            unchanged: t.unchanged,
            deactivated: t.deactivated,
            failed: t.failed,
        }
    }
}

impl SyncDirectoryPayload {
    fn results(&self, results: &[RecordResult], type_name: &'static str) -> Vec<SyncRecordResult> {
        results
            .iter()
            .map(|r| {
                let mut result = r.clone();
                // Nothing was written: a record to be created has no entity.
                if !self.report.committed && result.outcome == SyncOutcome::Created {
                    result.entity_id = None;
                }
                SyncRecordResult { result, type_name }
            })
            .collect()
    }
}

fn person_record(input: SyncPersonInput) -> directory::PersonRecord {
    directory::PersonRecord {
        external_id: input.external_id,
        employee_number: patch(&input.employee_number),
        name: input.name,
        email: patch(&input.email),
        title: patch(&input.title),
        status: input.status,
        start_date: patch(&input.start_date).map(|d| d.map(NaiveDate::from)),
        end_date: patch(&input.end_date).map(|d| d.map(NaiveDate::from)),
        manager_external_id: patch(&input.manager_external_id),
        org_unit_external_id: patch(&input.org_unit_external_id),
        updated_at: input.updated_at,
    }
}

fn unit_record(input: SyncOrgUnitInput) -> directory::OrgUnitRecord {
    directory::OrgUnitRecord {
        external_id: input.external_id,
        name: input.name,
        parent_external_id: patch(&input.parent_external_id),
        head_external_id: patch(&input.head_external_id),
        updated_at: input.updated_at,
    }
}

#[derive(Default)]
pub struct DirectoryMutation;

#[Object]
impl DirectoryMutation {
    /// Creates, updates and (with `FULL_SNAPSHOT`) deactivates people and org units from one source system in one transaction, matched by `(source, externalId)`; answers one result per record in input order (admins, integrators). Running the same batch again changes nothing.
    async fn sync_directory(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: SyncDirectoryInput,
    ) -> Result<SyncDirectoryPayload> {
        let request = request(ctx)?;
        let scope = &request.scope;
        // Rate limits count a sync by its records, once it may run at all.
        let records = input.org_units.len() + input.people.len();
        directory::check_admission(scope, records)?;
        request.charge(records as u64)?;
        let header = ctx.data_opt::<IdempotencyKeyHeader>().map(|h| h.0.clone());
        let key = match (input.idempotency_key, header) {
            (Some(body), Some(header)) if body != header => {
                return Err(DomainError::validation(
                    "input.idempotencyKey",
                    "the Idempotency-Key header and `idempotencyKey` differ: send one key",
                )
                .into());
            }
            (body, header) => body.or(header),
        };
        let sync = directory::SyncRequest {
            source: input.source,
            mode: input.mode,
            org_units: input.org_units.into_iter().map(unit_record).collect(),
            people: input.people.into_iter().map(person_record).collect(),
            dry_run: input.dry_run,
            all_or_none: input.all_or_none,
            force: input.force,
            snapshot: input.snapshot.map(|s| directory::SnapshotPart {
                id: s.id,
                last: s.last,
            }),
        };
        let (report, replayed) = idempotency::once(scope, key.as_deref(), &sync, || {
            directory::sync(scope, sync.clone())
        })
        .await?;
        Ok(SyncDirectoryPayload { report, replayed })
    }
}

/// The keys of people (by person id), for `Person.externalIds`.
pub async fn person_external_ids(ctx: &Context<'_>, person: Uuid) -> Result<Vec<ExternalId>> {
    let loader = request(ctx)?.loader::<super::loaders::PersonExternalIds, _>();
    Ok(loader
        .load_one(person)
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(ExternalId::from)
        .collect())
}

/// The keys of org units, for `OrgUnit.externalIds`.
pub async fn org_unit_external_ids(ctx: &Context<'_>, unit: Uuid) -> Result<Vec<ExternalId>> {
    let loader = request(ctx)?.loader::<super::loaders::OrgUnitExternalIds, _>();
    Ok(loader
        .load_one(unit)
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(ExternalId::from)
        .collect())
}

/// The `externalId`/`source` filter of `people` and `orgUnits`: rows with
/// that key in that source (any source, or their own legacy `externalId`,
/// when no source is given), or every row with a key from the source.
/// `key_columns` are the key table's owner, source and external ID columns.
pub(crate) fn external_key_filter<K: crate::entity::TenantTable>(
    scope: &crate::TenantScope,
    external_id: Option<&str>,
    source: Option<&str>,
    id: impl sea_orm::ColumnTrait,
    legacy: impl sea_orm::ColumnTrait,
    [owner, key_source, key_external]: [K::Column; 3],
) -> crate::DomainResult<Option<sea_orm::Condition>> {
    use sea_orm::{ColumnTrait, Condition, QueryFilter, QuerySelect};
    // The same checks as a synced key: a NUL or other control character
    // would otherwise reach the database (PostgreSQL refuses it as INTERNAL).
    let external_id = external_id
        .map(|key| {
            crate::service::required_text("filter.externalId", key, directory::MAX_KEY_CHARS)
        })
        .transpose()?;
    let external_id = external_id.as_deref();
    let source = source.map(str::trim);
    let source = source
        .map(directory::clean_source)
        .transpose()
        .map_err(|_| {
            DomainError::validation(
                "filter.source",
                "name the source in lower case, e.g. `workday`",
            )
        })?;
    if external_id.is_none() && source.is_none() {
        return Ok(None);
    }
    let mut keys = scope.select::<K>().select_only().column(owner);
    if let Some(key) = external_id {
        keys = keys.filter(key_external.eq(key));
    }
    if let Some(source) = &source {
        keys = keys.filter(key_source.eq(source.as_str()));
    }
    let mut condition = Condition::any().add(id.in_subquery(keys.into_query()));
    if let (Some(key), None) = (external_id, &source) {
        condition = condition.add(legacy.eq(key));
    }
    Ok(Some(condition))
}
