//! People and their reporting lines.

use super::connection::{
    self, Page, PageArgs, SortKey, page_complexity, search_term, text_contains, updated_since,
};
use super::context::request;
use super::ids::{decode_id, decode_optional, encode_id, id_of};
use super::inputs::{patch, patch_id};
use super::loaders::{ById, DirectReportCount, ManagerChain};
use super::scalars::Date;
use super::types::*;
use crate::entity::person;
use crate::enums::PersonStatus;
use crate::service;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, QueryFilter};

/// The person `id` names, through the request's loader; none for none.
pub async fn load_person(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> Result<Option<Person>> {
    let Some(id) = id else { return Ok(None) };
    let loader = request(ctx)?.loader::<ById<person::Entity>, _>();
    Ok(loader.load_one(id).await?.map(Person))
}

/// A person of the organisation: an employee, contractor or executive.
#[derive(Clone, Debug)]
pub struct Person(pub person::Model);

/// A person of the organisation: an employee, contractor or executive.
#[Object]
impl Person {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("Person", self.0.id)
    }
    /// Full name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Work e-mail; unique in the tenant.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Job title.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// Whether the person currently works here.
    async fn status(&self) -> Result<PersonStatus> {
        Ok(PersonStatus::parse(&self.0.status)?)
    }
    /// First working day.
    async fn start_date(&self) -> Option<Date> {
        self.0.start_date.map(Date)
    }
    /// Last working day, once known.
    async fn end_date(&self) -> Option<Date> {
        self.0.end_date.map(Date)
    }
    /// A key of your own for this person, set with `createPerson`/`updatePerson`; unique in the tenant. Keys from HRIS sync are in `externalIds`.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    /// The person's keys in the source systems that sync them (`syncDirectory`), by source.
    async fn external_ids(&self, ctx: &Context<'_>) -> Result<Vec<super::directory::ExternalId>> {
        super::directory::person_external_ids(ctx, self.0.id).await
    }
    /// The unit the person belongs to.
    async fn org_unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        load_org_unit(ctx, self.0.org_unit_id).await
    }
    /// The person's direct manager.
    async fn manager(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.manager_id).await
    }
    /// How many people report directly to this person.
    async fn direct_report_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let loader = request(ctx)?.loader::<DirectReportCount, _>();
        Ok(loader.load_one(self.0.id).await?.unwrap_or(0))
    }
    /// The people who report directly to this person, by name.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn direct_reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<Person>> {
        let scope = &request(ctx)?.scope;
        let select = scope
            .select::<person::Entity>()
            .filter(person::Column::ManagerId.eq(self.0.id));
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Text(person::Column::Name),
            PageArgs::new(first, after, last, before),
            Person,
        )
        .await?)
    }
    /// Everyone who reports to this person, directly or through others, by name.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn reporting_line(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<Person>> {
        let scope = &request(ctx)?.scope;
        let select = scope
            .select::<person::Entity>()
            .filter(service::people::in_reporting_line(
                scope,
                person::Column::Id,
                self.0.id,
            ));
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Text(person::Column::Name),
            PageArgs::new(first, after, last, before),
            Person,
        )
        .await?)
    }
    /// The managers above this person, from the direct manager to the top.
    async fn manager_chain(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        let loader = request(ctx)?.loader::<ManagerChain, _>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Person)
            .collect())
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the record was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the record last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Filters for `people`.
#[derive(InputObject, Default)]
pub struct PeopleFilter {
    /// Case-insensitive part of the name, e-mail or title.
    pub search: Option<String>,
    /// Only people in this unit.
    pub org_unit_id: Option<ID>,
    /// Only the direct reports of this person.
    pub manager_id: Option<ID>,
    /// Only people with this status.
    pub status: Option<PersonStatus>,
    /// Only people changed at or after this time (for incremental sync).
    pub updated_since: Option<DateTime<Utc>>,
    /// Only the person with this key: their key in `source` when given, otherwise in any source or their own `externalId`.
    pub external_id: Option<String>,
    /// Only people with a key from this source system (with `externalId`: that key there).
    pub source: Option<String>,
}

/// A new person.
#[derive(InputObject)]
pub struct CreatePersonInput {
    /// The name.
    pub name: String,
    /// Unique in the tenant; links the person to the user with that login.
    pub email: Option<String>,
    /// The title.
    pub title: Option<String>,
    /// The org unit it belongs to.
    pub org_unit_id: Option<ID>,
    /// The direct manager; a change that would make a reporting loop is refused.
    pub manager_id: Option<ID>,
    /// First working day.
    pub start_date: Option<Date>,
    /// Their key in the HRIS; unique in the tenant.
    pub external_id: Option<String>,
}

/// Changes to a person; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdatePersonInput {
    /// The global ID of the entity to change.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// The name.
    pub name: Option<String>,
    /// Work e-mail, unique in the tenant; links the person to the user with that login.
    pub email: MaybeUndefined<String>,
    /// The title.
    pub title: MaybeUndefined<String>,
    /// The org unit it belongs to.
    pub org_unit_id: MaybeUndefined<ID>,
    /// A change that would make a reporting loop is refused.
    pub manager_id: MaybeUndefined<ID>,
    /// `INACTIVE` deactivates the person (frameworks react to it).
    pub status: Option<PersonStatus>,
    /// First working day.
    pub start_date: MaybeUndefined<Date>,
    /// Last working day; not before the start date.
    pub end_date: MaybeUndefined<Date>,
    /// The key in the HRIS; unique in the tenant.
    pub external_id: MaybeUndefined<String>,
}

/// Erases a person's personal data (GDPR).
#[derive(InputObject)]
pub struct ErasePersonInput {
    /// The global ID of the person.
    pub id: ID,
    /// Must be true: erasure cannot be undone.
    pub confirm: bool,
}

/// The person after the change.
#[derive(SimpleObject)]
pub struct PersonPayload {
    /// The person after the change.
    pub person: Person,
    /// What the change left for someone to do, e.g. reports left with an inactive manager.
    pub warnings: Vec<super::directory::SyncWarning>,
}

#[derive(Default)]
pub struct PeopleQuery;

#[Object]
impl PeopleQuery {
    /// A person by ID; null if there is none in this tenant.
    async fn person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global ID.")] id: ID,
    ) -> Result<Option<Person>> {
        let Some(uuid) = id_of(&id, "Person") else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<person::Entity>, _>()
            .load_one(uuid)
            .await?
            .map(Person))
    }

    /// The tenant's people, by name.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn people(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; omitted, everything.")] filter: Option<PeopleFilter>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<Person>> {
        let scope = &request(ctx)?.scope;
        let filter = filter.unwrap_or_default();
        let mut select = scope.select::<person::Entity>().filter(updated_since(
            person::Column::UpdatedAt,
            filter.updated_since,
        ));
        if let Some(search) = search_term("filter.search", filter.search.as_deref())? {
            select = select.filter(
                sea_orm::Condition::any()
                    .add(text_contains(person::Column::Name, search))
                    .add(text_contains(person::Column::Email, search))
                    .add(text_contains(person::Column::Title, search)),
            );
        }
        if let Some(unit) =
            decode_optional(filter.org_unit_id.as_ref(), "OrgUnit", "filter.orgUnitId")?
        {
            select = select.filter(person::Column::OrgUnitId.eq(unit));
        }
        if let Some(manager) =
            decode_optional(filter.manager_id.as_ref(), "Person", "filter.managerId")?
        {
            select = select.filter(person::Column::ManagerId.eq(manager));
        }
        if let Some(status) = filter.status {
            select = select.filter(person::Column::Status.eq(status.as_str()));
        }
        if let Some(condition) =
            super::directory::external_key_filter::<crate::entity::person_external_id::Entity>(
                scope,
                filter.external_id.as_deref(),
                filter.source.as_deref(),
                person::Column::Id,
                person::Column::ExternalId,
                [
                    crate::entity::person_external_id::Column::PersonId,
                    crate::entity::person_external_id::Column::Source,
                    crate::entity::person_external_id::Column::ExternalId,
                ],
            )?
        {
            select = select.filter(condition);
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Text(person::Column::Name),
            PageArgs::new(first, after, last, before),
            Person,
        )
        .await?)
    }
}

#[derive(Default)]
pub struct PeopleMutation;

#[Object]
impl PeopleMutation {
    /// Creates a person (admins, integrators).
    async fn create_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreatePersonInput,
    ) -> Result<PersonPayload> {
        let scope = &request(ctx)?.scope;
        let person = service::people::create(
            scope,
            service::people::NewPerson {
                name: input.name,
                email: input.email,
                title: input.title,
                org_unit_id: decode_optional(
                    input.org_unit_id.as_ref(),
                    "OrgUnit",
                    "input.orgUnitId",
                )?,
                manager_id: decode_optional(
                    input.manager_id.as_ref(),
                    "Person",
                    "input.managerId",
                )?,
                start_date: input.start_date.map(NaiveDate::from),
                external_id: input.external_id,
            },
        )
        .await?;
        Ok(PersonPayload {
            person: Person(person),
            warnings: Vec::new(),
        })
    }

    /// Changes a person (admins, integrators); `status: INACTIVE` deactivates them.
    async fn update_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdatePersonInput,
    ) -> Result<PersonPayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "Person", "input.id")?;
        let update = service::people::update(
            scope,
            id,
            service::people::PersonChanges {
                version: input.version,
                name: input.name,
                email: patch(&input.email),
                title: patch(&input.title),
                org_unit_id: patch_id(&input.org_unit_id, "OrgUnit", "input.orgUnitId")?,
                manager_id: patch_id(&input.manager_id, "Person", "input.managerId")?,
                status: input.status,
                start_date: patch(&input.start_date).map(|d| d.map(NaiveDate::from)),
                end_date: patch(&input.end_date).map(|d| d.map(NaiveDate::from)),
                external_id: patch(&input.external_id),
            },
        )
        .await?;
        Ok(PersonPayload {
            person: Person(update.person),
            warnings: update
                .warnings
                .into_iter()
                .map(super::directory::SyncWarning::from)
                .collect(),
        })
    }

    /// Erases a person's personal data for a GDPR request (admins; audited; cannot be undone). The record stays, named "Erased person", inactive and without e-mail, title, dates, manager or keys, so objectives and metrics that name it keep their history; the audit log and change feed keep that the person changed, not what was recorded about them.
    async fn erase_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ErasePersonInput,
    ) -> Result<PersonPayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "Person", "input.id")?;
        let person = service::people::erase(scope, id, input.confirm).await?;
        Ok(PersonPayload {
            person: Person(person),
            warnings: Vec::new(),
        })
    }
}
