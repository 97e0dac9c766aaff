//! The core's query root.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entity::{
    audit_entry, event_delivery_failure, metric, metric_value, org_unit, person, strategic_priority,
};
use crate::enums::{IndicatorKind, PersonStatus, Role};
use crate::error::DomainError;
use crate::periods::{Period, PeriodKind, periods_between};
use crate::service;
use crate::target::{Target, TargetProgress};

use super::connection::{
    self, Page, PageArgs, SortKey, page_complexity, search_term, text_contains, updated_since,
};
use super::context::request;
use super::ids::{decode_optional, id_of, parse_id};
use super::loaders::{ById, MemberUser};
use super::scalars::Date;
use super::types::{
    AuditEntry, EventDeliveryFailure, Metric, MetricValue, OrgUnit, Person, StrategicPriority,
    Tenant, TenantMembership, User,
};

/// Any core entity, as resolved by `node(id)`.
pub enum CoreNode {
    Person(Person),
    OrgUnit(OrgUnit),
    StrategicPriority(StrategicPriority),
    Metric(Metric),
    MetricValue(MetricValue),
    AuditEntry(AuditEntry),
    EventDeliveryFailure(EventDeliveryFailure),
}

/// Resolves a core global ID through the request's loaders (so `nodes(ids)`
/// costs one statement per type). Another tenant's ID resolves to nothing,
/// exactly like an unknown one.
pub async fn resolve_core_node(
    ctx: &Context<'_>,
    type_name: &str,
    id: Uuid,
) -> Result<Option<CoreNode>> {
    let request = request(ctx)?;
    Ok(match type_name {
        "Person" => request
            .loader::<ById<person::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| CoreNode::Person(Person(m))),
        "OrgUnit" => request
            .loader::<ById<org_unit::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| CoreNode::OrgUnit(OrgUnit(m))),
        "StrategicPriority" => request
            .loader::<ById<strategic_priority::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| CoreNode::StrategicPriority(StrategicPriority(m))),
        "Metric" => request
            .loader::<ById<metric::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| CoreNode::Metric(Metric(m))),
        "MetricValue" => request
            .loader::<ById<metric_value::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| CoreNode::MetricValue(MetricValue(m))),
        "AuditEntry" if request.scope.actor().role.is_admin() => request
            .loader::<ById<audit_entry::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| CoreNode::AuditEntry(AuditEntry(m))),
        "EventDeliveryFailure" if request.scope.actor().role.is_admin() => request
            .loader::<ById<event_delivery_failure::Entity>, _>()
            .load_one(id)
            .await?
            .map(|m| CoreNode::EventDeliveryFailure(EventDeliveryFailure(m))),
        _ => None,
    })
}

/// Who is asking, in which tenant, with which role.
pub struct Viewer;

/// Who is asking, in which tenant, with which role.
#[Object]
impl Viewer {
    /// The signed-in user.
    async fn user(&self, ctx: &Context<'_>) -> Result<User> {
        Ok(User(request(ctx)?.user.clone()))
    }
    /// The tenant's Person record for the user, if linked (by e-mail).
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let request = request(ctx)?;
        let Some(id) = request.scope.actor().person_id else {
            return Ok(None);
        };
        Ok(request
            .loader::<ById<person::Entity>, _>()
            .load_one(id)
            .await?
            .map(Person))
    }
    /// The user's role in this tenant.
    async fn role(&self, ctx: &Context<'_>) -> Result<Role> {
        Ok(request(ctx)?.scope.actor().role)
    }
    /// The tenant this request acts in.
    async fn tenant(&self, ctx: &Context<'_>) -> Result<Tenant> {
        Ok(Tenant::from(request(ctx)?.scope.tenant().clone()))
    }
    /// Every tenant the user belongs to; switch with the `X-Tenant` header.
    async fn tenants(&self, ctx: &Context<'_>) -> Result<Vec<TenantMembership>> {
        let request = request(ctx)?;
        let list = service::users::memberships_of(request.scope.db(), request.user.id).await?;
        list.into_iter()
            .map(|(membership, tenant)| {
                Ok(TenantMembership {
                    slug: tenant.slug,
                    name: tenant.name,
                    role: Role::parse(&membership.role)?,
                })
            })
            .collect()
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
}

/// Filters for `orgUnits`.
#[derive(InputObject, Default)]
pub struct OrgUnitFilter {
    /// Case-insensitive part of the name.
    pub search: Option<String>,
    /// Only the units directly below this one.
    pub parent_id: Option<ID>,
    /// Only top-level units (no parent).
    pub roots_only: Option<bool>,
    /// Only units changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
}

/// Filters for `metrics`.
#[derive(InputObject, Default)]
pub struct MetricFilter {
    /// Case-insensitive part of the name.
    pub search: Option<String>,
    /// Only metrics of this priority.
    pub priority_id: Option<ID>,
    /// Only metrics of this unit.
    pub org_unit_id: Option<ID>,
    /// Only leading or only lagging metrics.
    pub indicator_kind: Option<IndicatorKind>,
    /// Only metrics changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
}

/// Filters for `auditLog`.
#[derive(InputObject, Default)]
pub struct AuditFilter {
    /// Only changes by this user.
    pub actor_id: Option<ID>,
    /// Only changes of this entity.
    pub entity_id: Option<ID>,
    /// Only changes of entities of this type, e.g. `Person`.
    pub entity_type: Option<String>,
    /// Only actions starting with this, e.g. `person.` or `metric_value.replaced`.
    pub action: Option<String>,
    /// Only changes at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only changes before this time.
    pub to: Option<DateTime<Utc>>,
}

/// A target scored against a value, for previews.
#[derive(SimpleObject)]
pub struct TargetScore {
    /// The target as given.
    pub target: Target,
    /// The progress with its explanation.
    pub score: TargetProgress,
}

#[derive(Default)]
pub struct CoreQuery;

#[Object]
impl CoreQuery {
    /// The JSON Schema (draft 2020-12) of a framework's settings, with
    /// defaults and allowed values: enough for a UI to render a settings form.
    async fn framework_settings_schema(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The framework's key, e.g. `okr`.")] key: String,
    ) -> Result<async_graphql::Json<serde_json::Value>> {
        let request = request(ctx)?;
        let framework = service::frameworks::find(&request.registry, "key", &key)?;
        Ok(async_graphql::Json(framework.settings_schema()))
    }

    /// Who is asking, in which tenant.
    async fn viewer(&self) -> Viewer {
        Viewer
    }

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

    /// An org unit by ID; null if there is none in this tenant.
    async fn org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global ID.")] id: ID,
    ) -> Result<Option<OrgUnit>> {
        let Some(uuid) = id_of(&id, "OrgUnit") else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<org_unit::Entity>, _>()
            .load_one(uuid)
            .await?
            .map(OrgUnit))
    }

    /// The tenant's org units, by name.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn org_units(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; omitted, everything.")] filter: Option<OrgUnitFilter>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<OrgUnit>> {
        let scope = &request(ctx)?.scope;
        let filter = filter.unwrap_or_default();
        let mut select = scope.select::<org_unit::Entity>().filter(updated_since(
            org_unit::Column::UpdatedAt,
            filter.updated_since,
        ));
        if let Some(search) = search_term("filter.search", filter.search.as_deref())? {
            select = select.filter(text_contains(org_unit::Column::Name, search));
        }
        if let Some(parent) =
            decode_optional(filter.parent_id.as_ref(), "OrgUnit", "filter.parentId")?
        {
            select = select.filter(org_unit::Column::ParentId.eq(parent));
        }
        if filter.roots_only == Some(true) {
            select = select.filter(org_unit::Column::ParentId.is_null());
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Text(org_unit::Column::Name),
            PageArgs::new(first, after, last, before),
            OrgUnit,
        )
        .await?)
    }

    /// The tenant's strategic priorities, in order (a few by design).
    async fn strategic_priorities(&self, ctx: &Context<'_>) -> Result<Vec<StrategicPriority>> {
        let scope = &request(ctx)?.scope;
        let rows = scope
            .select::<strategic_priority::Entity>()
            .order_by_asc(strategic_priority::Column::Position)
            .all(scope)
            .await
            .map_err(DomainError::from)?;
        Ok(rows.into_iter().map(StrategicPriority).collect())
    }

    /// A metric by ID; null if there is none in this tenant.
    async fn metric(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global ID.")] id: ID,
    ) -> Result<Option<Metric>> {
        let Some(uuid) = id_of(&id, "Metric") else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<metric::Entity>, _>()
            .load_one(uuid)
            .await?
            .map(Metric))
    }

    /// The tenant's metrics, by name.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn metrics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; omitted, everything.")] filter: Option<MetricFilter>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<Metric>> {
        let scope = &request(ctx)?.scope;
        let filter = filter.unwrap_or_default();
        let mut select = scope.select::<metric::Entity>().filter(updated_since(
            metric::Column::UpdatedAt,
            filter.updated_since,
        ));
        if let Some(search) = search_term("filter.search", filter.search.as_deref())? {
            select = select.filter(text_contains(metric::Column::Name, search));
        }
        if let Some(priority) = decode_optional(
            filter.priority_id.as_ref(),
            "StrategicPriority",
            "filter.priorityId",
        )? {
            select = select.filter(metric::Column::PriorityId.eq(priority));
        }
        if let Some(unit) =
            decode_optional(filter.org_unit_id.as_ref(), "OrgUnit", "filter.orgUnitId")?
        {
            select = select.filter(metric::Column::OrgUnitId.eq(unit));
        }
        if let Some(kind) = filter.indicator_kind {
            select = select.filter(metric::Column::IndicatorKind.eq(kind.as_str()));
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Text(metric::Column::Name),
            PageArgs::new(first, after, last, before),
            Metric,
        )
        .await?)
    }

    /// The tenant's calendar: every period of `kind` overlapping `from`..`to`.
    async fn periods(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The length of the periods.")] kind: PeriodKind,
        #[graphql(desc = "The first day of the range.")] from: Date,
        #[graphql(desc = "The last day of the range.")] to: Date,
    ) -> Result<Vec<Period>> {
        let tenant = request(ctx)?.scope.tenant();
        Ok(periods_between(
            kind,
            from.0,
            to.0,
            tenant.fiscal_year_start_month as u32,
        )?)
    }

    /// Scores a value against a target without saving anything: the same
    /// computation every framework uses, with its explanation.
    async fn score_target(
        &self,
        #[graphql(desc = "The target to score against.")] target: Target,
        #[graphql(desc = "The value to score; null scores as no value yet.")] current: Option<
            Decimal,
        >,
    ) -> Result<TargetScore> {
        target.validate().map_err(|e| e.within("target"))?;
        let current = crate::numbers::optional_business_number("current", current)?;
        let score = target.progress(current);
        Ok(TargetScore { target, score })
    }

    /// The tenant's audit log, oldest first (admins only).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; omitted, everything.")] filter: Option<AuditFilter>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<AuditEntry>> {
        let scope = &request(ctx)?.scope;
        let filter = filter.unwrap_or_default();
        let entity = match &filter.entity_id {
            Some(id) => Some(
                parse_id(id)
                    .ok_or_else(|| DomainError::validation("filter.entityId", "not a valid ID"))?,
            ),
            None => None,
        };
        let service_filter = service::audit::AuditFilter {
            actor_user_id: decode_optional(filter.actor_id.as_ref(), "User", "filter.actorId")?,
            entity_type: filter
                .entity_type
                .clone()
                .or_else(|| entity.as_ref().map(|(t, _)| t.clone())),
            entity_id: entity.map(|(_, id)| id),
            action: filter.action.clone(),
            from: filter.from,
            to: filter.to,
        };
        let select = service::audit::query(scope, &service_filter)?;
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Id,
            PageArgs::new(first, after, last, before),
            AuditEntry,
        )
        .await?)
    }

    /// Events a framework failed to process in this tenant, oldest first
    /// (admins only): retrying, or parked after the last try.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn event_delivery_failures(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "true: only parked ones; false: only those still retrying; omitted: both."
        )]
        parked: Option<bool>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<EventDeliveryFailure>> {
        let scope = &request(ctx)?.scope;
        let select = service::event_deliveries::query(scope, parked)?;
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Id,
            PageArgs::new(first, after, last, before),
            EventDeliveryFailure,
        )
        .await?)
    }

    /// A user of this tenant by ID.
    async fn user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global ID.")] id: ID,
    ) -> Result<Option<User>> {
        let Some(uuid) = id_of(&id, "User") else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<MemberUser, _>()
            .load_one(uuid)
            .await?
            .map(User))
    }
}
