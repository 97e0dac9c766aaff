//! The core's GraphQL object types. Each wraps its entity's model; relation
//! fields resolve through the request's DataLoaders.

use async_graphql::{ComplexObject, Context, ID, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter};

use crate::decimal::from_stored;
use crate::entity::{
    audit_entry, event_delivery_failure, metric, metric_value, org_unit, person,
    strategic_priority, tenant, user,
};
use crate::enums::{
    Aggregation, IndicatorKind, MetricDirection, MetricFrequency, PersonStatus, Role, ValueSource,
};
use crate::periods::{Period, period_containing};
use crate::service;

use super::connection::{self, Page, PageArgs, SortKey, page_complexity};
use super::context::request;
use super::ids::encode_id;
use super::loaders::{
    ById, DirectReportCount, LatestMetricValue, ManagerChain, MemberUser, MetricsByPriority,
    MetricsDriven, MetricsDriving, OrgUnitChildren,
};
use super::scalars::Date;

async fn load_person(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> Result<Option<Person>> {
    let Some(id) = id else { return Ok(None) };
    let loader = request(ctx)?.loader::<ById<person::Entity>, _>();
    Ok(loader.load_one(id).await?.map(Person))
}

async fn load_org_unit(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> Result<Option<OrgUnit>> {
    let Some(id) = id else { return Ok(None) };
    let loader = request(ctx)?.loader::<ById<org_unit::Entity>, _>();
    Ok(loader.load_one(id).await?.map(OrgUnit))
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
    /// The key of this person in the HRIS; unique in the tenant.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
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

/// A unit of the organisation tree: a company, division, department or team.
#[derive(Clone, Debug)]
pub struct OrgUnit(pub org_unit::Model);

/// A unit of the organisation tree: a company, division, department or team.
#[Object]
impl OrgUnit {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("OrgUnit", self.0.id)
    }
    /// The unit's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The key of this unit in the HRIS; unique in the tenant.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    /// The unit above this one; null at the top.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        load_org_unit(ctx, self.0.parent_id).await
    }
    /// The person who leads the unit.
    async fn head(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.head_person_id).await
    }
    /// The units directly below this one, by name.
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<OrgUnit>> {
        let loader = request(ctx)?.loader::<OrgUnitChildren, _>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(OrgUnit)
            .collect())
    }
    /// The people in this unit (not in units below it), by name.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn members(
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
            .filter(person::Column::OrgUnitId.eq(self.0.id));
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
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the unit was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the unit last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One of the tenant's few strategic priorities, which objectives and metrics serve.
#[derive(Clone, Debug)]
pub struct StrategicPriority(pub strategic_priority::Model);

/// One of the tenant's few strategic priorities, which objectives and metrics serve.
#[Object]
impl StrategicPriority {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("StrategicPriority", self.0.id)
    }
    /// The priority in a few words.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What it means and why it matters.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Its place in the tenant's order, from 1.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// The executive accountable for it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.owner_id).await
    }
    /// The metrics that measure it, by name.
    async fn metrics(&self, ctx: &Context<'_>) -> Result<Vec<Metric>> {
        let loader = request(ctx)?.loader::<MetricsByPriority, _>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Metric)
            .collect())
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

/// A key performance indicator and its series of values.
#[derive(Clone, Debug)]
pub struct Metric(pub metric::Model);

/// A key performance indicator and its series of values.
#[Object]
impl Metric {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("Metric", self.0.id)
    }
    /// The metric's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What it measures and how.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The unit of its values, e.g. `EUR`, `%`.
    async fn unit(&self) -> Option<&str> {
        self.0.unit.as_deref()
    }
    /// Which way is good.
    async fn direction(&self) -> Result<MetricDirection> {
        Ok(MetricDirection::parse(&self.0.direction)?)
    }
    /// Leading (predicts) or lagging (outcome).
    async fn indicator_kind(&self) -> Result<IndicatorKind> {
        Ok(IndicatorKind::parse(&self.0.indicator_kind)?)
    }
    /// How often it gets a value.
    async fn frequency(&self) -> Result<MetricFrequency> {
        Ok(MetricFrequency::parse(&self.0.frequency)?)
    }
    /// How values combine over longer periods.
    async fn aggregation(&self) -> Result<Aggregation> {
        Ok(Aggregation::parse(&self.0.aggregation)?)
    }
    /// Who is accountable for it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.owner_id).await
    }
    /// The unit it belongs to.
    async fn org_unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        load_org_unit(ctx, self.0.org_unit_id).await
    }
    /// The strategic priority it measures.
    async fn priority(&self, ctx: &Context<'_>) -> Result<Option<StrategicPriority>> {
        let Some(id) = self.0.priority_id else {
            return Ok(None);
        };
        let loader = request(ctx)?.loader::<ById<strategic_priority::Entity>, _>();
        Ok(loader.load_one(id).await?.map(StrategicPriority))
    }
    /// For a leading metric: the lagging metrics it is meant to move.
    async fn drives(&self, ctx: &Context<'_>) -> Result<Vec<Metric>> {
        let loader = request(ctx)?.loader::<MetricsDriven, _>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Metric)
            .collect())
    }
    /// For a lagging metric: the leading metrics meant to move it.
    async fn driven_by(&self, ctx: &Context<'_>) -> Result<Vec<Metric>> {
        let loader = request(ctx)?.loader::<MetricsDriving, _>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Metric)
            .collect())
    }
    /// The value of the latest period that has one.
    async fn latest_value(&self, ctx: &Context<'_>) -> Result<Option<MetricValue>> {
        let loader = request(ctx)?.loader::<LatestMetricValue, _>();
        Ok(loader.load_one(self.0.id).await?.map(MetricValue))
    }
    /// Values by period, oldest first; optionally only periods starting within `from`..`to` (inclusive).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn values(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only periods starting on or after this day.")] from: Option<Date>,
        #[graphql(desc = "Only periods starting on or before this day.")] to: Option<Date>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<MetricValue>> {
        let scope = &request(ctx)?.scope;
        let mut select = scope
            .select::<metric_value::Entity>()
            .filter(metric_value::Column::MetricId.eq(self.0.id));
        if let Some(from) = from {
            select = select.filter(metric_value::Column::PeriodStart.gte(from.0));
        }
        if let Some(to) = to {
            select = select.filter(metric_value::Column::PeriodStart.lte(to.0));
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Date(metric_value::Column::PeriodStart),
            PageArgs::new(first, after, last, before),
            MetricValue,
        )
        .await?)
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was defined.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When its definition last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One value of a metric for one period.
#[derive(Clone, Debug)]
pub struct MetricValue(pub metric_value::Model);

/// One value of a metric for one period.
#[Object]
impl MetricValue {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("MetricValue", self.0.id)
    }
    /// The metric this is a value of.
    async fn metric(&self, ctx: &Context<'_>) -> Result<Option<Metric>> {
        let loader = request(ctx)?.loader::<ById<metric::Entity>, _>();
        Ok(loader.load_one(self.0.metric_id).await?.map(Metric))
    }
    /// The first day of the period the value is for.
    async fn period_start(&self) -> Date {
        Date(self.0.period_start)
    }
    /// The period the value is for, in the tenant's calendar.
    async fn period(&self, ctx: &Context<'_>) -> Result<Period> {
        let request = request(ctx)?;
        let metric = request
            .loader::<ById<metric::Entity>, _>()
            .load_one(self.0.metric_id)
            .await?
            .ok_or(crate::DomainError::not_found("metric"))?;
        let kind = service::metrics::period_kind(MetricFrequency::parse(&metric.frequency)?);
        Ok(period_containing(
            kind,
            self.0.period_start,
            request.scope.tenant().fiscal_year_start_month as u32,
        ))
    }
    /// The value, exact.
    async fn value(&self) -> Result<Decimal> {
        Ok(from_stored(&self.0.value)?)
    }
    /// Where it came from.
    async fn source(&self) -> Result<ValueSource> {
        Ok(ValueSource::parse(&self.0.source)?)
    }
    /// Who recorded it (null for the system).
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        load_user(ctx, self.0.recorded_by).await
    }
    /// When it was recorded (or last replaced).
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

async fn load_user(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> Result<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    let loader = request(ctx)?.loader::<MemberUser, _>();
    Ok(loader.load_one(id).await?.map(User))
}

/// A login. Users are global; their roles are per tenant.
#[derive(Clone, Debug)]
pub struct User(pub user::Model);

/// A login. Users are global; their roles are per tenant.
#[Object]
impl User {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("User", self.0.id)
    }
    /// The login e-mail.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// The name to show.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
}

/// One entry of the audit log: who changed what, when, and how.
#[derive(Clone, Debug)]
pub struct AuditEntry(pub audit_entry::Model);

/// One entry of the audit log: who changed what, when, and how.
#[Object]
impl AuditEntry {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("AuditEntry", self.0.id)
    }
    /// What happened, as `entity.verb`, e.g. `person.updated`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The GraphQL type of the changed entity.
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }
    /// The global ID of the changed entity.
    async fn entity_id(&self) -> ID {
        encode_id(&self.0.entity_type, self.0.entity_id)
    }
    /// Who made the change; null for the system.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        load_user(ctx, self.0.actor_user_id).await
    }
    /// The entity before the change; null for a creation.
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        self.0.before.clone().map(Json)
    }
    /// The entity after the change; null for a deletion.
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        self.0.after.clone().map(Json)
    }
    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
}

/// An event a framework failed to process (its handler answered an error,
/// panicked or hung). The event itself went on to everyone else; this
/// delivery is retried with backoff (5 s, 20 s, 80 s…) and parked after 5
/// tries, until an admin asks for `retryEventDelivery`.
#[derive(Clone, Debug)]
pub struct EventDeliveryFailure(pub event_delivery_failure::Model);

/// An event a framework failed to process, retried with backoff and parked
/// after 5 tries.
#[Object]
impl EventDeliveryFailure {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("EventDeliveryFailure", self.0.id)
    }
    /// The event, as `entity.verb` (e.g. `metric_value.recorded`).
    async fn event_kind(&self) -> &str {
        &self.0.event_kind
    }
    /// The event's ID, as in the server log.
    async fn event_id(&self) -> ID {
        ID(self.0.event_id.to_string())
    }
    /// The framework whose handler failed (`okr`, …).
    async fn framework(&self) -> &str {
        &self.0.framework_key
    }
    /// How many times the handler has failed since the last manual retry.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// What the last try answered: an error code and message, a panic, or a timeout.
    async fn last_error(&self) -> &str {
        &self.0.last_error
    }
    /// When the next try is due; null once parked.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.parked_at.is_none().then_some(self.0.next_attempt_at)
    }
    /// When the dispatcher gave up; null while it still retries.
    async fn parked_at(&self) -> Option<DateTime<Utc>> {
        self.0.parked_at
    }
    /// When the first try failed.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A framework compiled into this server, as configured for the tenant.
#[derive(SimpleObject, Clone, Debug)]
pub struct TenantFramework {
    /// Its key, e.g. `okr`.
    pub key: String,
    /// Its name for people.
    pub name: String,
    /// Whether the tenant uses it.
    pub enabled: bool,
    /// Its settings for the tenant, defaults filled in.
    pub settings: Json<serde_json::Value>,
    /// Increases with every change of switch or settings.
    pub version: i32,
}

impl From<service::frameworks::TenantFramework> for TenantFramework {
    fn from(f: service::frameworks::TenantFramework) -> Self {
        Self {
            key: f.key.to_string(),
            name: f.name.to_string(),
            enabled: f.enabled,
            settings: Json(f.settings),
            version: f.version,
        }
    }
}

/// A client organisation.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Tenant {
    /// Short unique name, used in the `X-Tenant` header.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// The month the fiscal year starts (1 = January).
    pub fiscal_year_start_month: i32,
    /// IANA time zone name.
    pub time_zone: String,
    /// How many strategic priorities the tenant may have.
    pub priority_limit: i32,
    /// Increases with every change; send it back with updates.
    pub version: i32,
    #[graphql(skip)]
    pub row: tenant::Model,
}

impl From<tenant::Model> for Tenant {
    fn from(t: tenant::Model) -> Self {
        Self {
            slug: t.slug.clone(),
            name: t.name.clone(),
            fiscal_year_start_month: t.fiscal_year_start_month,
            time_zone: t.time_zone.clone(),
            priority_limit: t.priority_limit,
            version: t.version,
            row: t,
        }
    }
}

#[ComplexObject]
impl Tenant {
    /// Every framework this server has, with the tenant's switch and settings.
    async fn frameworks(&self, ctx: &Context<'_>) -> Result<Vec<TenantFramework>> {
        let request = request(ctx)?;
        // The request's own tenant, or one the viewer just created (the
        // only other tenant a payload can show): read through its own door.
        let scope = if self.row.id == request.scope.tenant_id() {
            request.scope.clone()
        } else {
            request.scope.sibling(self.row.clone())
        };
        let list = service::frameworks::list(&scope, &request.registry).await?;
        Ok(list.into_iter().map(TenantFramework::from).collect())
    }
}

/// A tenant the viewer belongs to, with their role there.
#[derive(SimpleObject, Clone, Debug)]
pub struct TenantMembership {
    /// The tenant's slug; send it as `X-Tenant` to act there.
    pub slug: String,
    /// The tenant's name.
    pub name: String,
    /// The viewer's role there.
    pub role: Role,
}
