//! The core's mutation root. Each mutation takes one `input` and returns a
//! payload; each is one transaction with its audit entry and event.

use async_graphql::{Context, ID, InputObject, Json, MaybeUndefined, Object, Result, SimpleObject};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::enums::{
    Aggregation, IndicatorKind, MetricDirection, MetricFrequency, PersonStatus, ValueSource,
};
use crate::service::{self, metrics::NewValue};

use super::context::request;
use super::ids::{decode_id, decode_optional, encode_id};
use super::inputs::{patch, patch_id};
use super::scalars::Date;
use super::types::{
    EventDeliveryFailure, Metric, MetricValue, OrgUnit, Person, StrategicPriority, Tenant,
    TenantFramework,
};

/// Changes to the tenant's own settings; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateTenantInput {
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// The name.
    pub name: Option<String>,
    /// 1 (January) to 12.
    pub fiscal_year_start_month: Option<i32>,
    /// IANA name, e.g. `Europe/Berlin`.
    pub time_zone: Option<String>,
    /// 1 to 10.
    pub priority_limit: Option<i32>,
}

/// The tenant after the change.
#[derive(SimpleObject)]
pub struct TenantPayload {
    /// The tenant after the change.
    pub tenant: Tenant,
}

/// A new client tenant, created by a consultant or client admin who becomes its first admin.
#[derive(InputObject)]
pub struct CreateTenantInput {
    /// 2 to 63 lowercase letters, digits and inner hyphens; used in `X-Tenant`.
    pub slug: String,
    /// The name.
    pub name: String,
    /// 1 (January) to 12; default 1.
    pub fiscal_year_start_month: Option<i32>,
    /// IANA name; default `UTC`.
    pub time_zone: Option<String>,
    /// Framework keys to enable with their default settings.
    pub frameworks: Option<Vec<String>>,
}

/// The new tenant; send its slug as `X-Tenant` to act there.
#[derive(SimpleObject)]
pub struct CreateTenantPayload {
    /// The new tenant.
    pub tenant: Tenant,
}

/// Switches a framework on, optionally with settings.
#[derive(InputObject)]
pub struct EnableFrameworkInput {
    /// The framework's key, e.g. `okr`.
    pub key: String,
    /// Settings to store with it; omitted keep what was stored (or the defaults).
    pub settings: Option<Json<serde_json::Value>>,
}

/// Switches a framework off; its data and settings are kept.
#[derive(InputObject)]
pub struct DisableFrameworkInput {
    /// The framework's key, e.g. `okr`.
    pub key: String,
}

/// Replaces a framework's settings for the tenant.
#[derive(InputObject)]
pub struct UpdateFrameworkSettingsInput {
    /// The framework's key, e.g. `okr`.
    pub key: String,
    /// The new settings; omitted keys take their defaults.
    pub settings: Json<serde_json::Value>,
}

/// The framework after the change.
#[derive(SimpleObject)]
pub struct FrameworkPayload {
    /// The framework after the change.
    pub framework: TenantFramework,
}

/// A new org unit.
#[derive(InputObject)]
pub struct CreateOrgUnitInput {
    /// The name.
    pub name: String,
    /// The unit above it; omitted for a top-level unit.
    pub parent_id: Option<ID>,
    /// The person who leads it.
    pub head_person_id: Option<ID>,
    /// Its key in the HRIS; unique in the tenant.
    pub external_id: Option<String>,
}

/// Changes to an org unit; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateOrgUnitInput {
    /// The global ID of the entity to change.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// The name.
    pub name: Option<String>,
    /// Moving a unit under its own descendant is refused.
    pub parent_id: MaybeUndefined<ID>,
    /// The person who leads the unit.
    pub head_person_id: MaybeUndefined<ID>,
    /// The key in the HRIS; unique in the tenant.
    pub external_id: MaybeUndefined<String>,
}

/// Deletes an empty org unit.
#[derive(InputObject)]
pub struct DeleteOrgUnitInput {
    /// The global ID of the entity to change.
    pub id: ID,
}

/// The org unit after the change.
#[derive(SimpleObject)]
pub struct OrgUnitPayload {
    /// The org unit after the change.
    pub org_unit: OrgUnit,
}

/// What was deleted.
#[derive(SimpleObject)]
pub struct DeletePayload {
    /// The global ID of the deleted entity.
    pub deleted_id: ID,
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

/// The person after the change.
#[derive(SimpleObject)]
pub struct PersonPayload {
    /// The person after the change.
    pub person: Person,
}

/// A new strategic priority, added last.
#[derive(InputObject)]
pub struct CreateStrategicPriorityInput {
    /// The title.
    pub title: String,
    /// A longer explanation.
    pub description: Option<String>,
    /// The person accountable for it.
    pub owner_id: Option<ID>,
}

/// Changes to a strategic priority; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateStrategicPriorityInput {
    /// The global ID of the entity to change.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// The title.
    pub title: Option<String>,
    /// A longer explanation.
    pub description: MaybeUndefined<String>,
    /// The person accountable for it.
    pub owner_id: MaybeUndefined<ID>,
    /// Its new place, from 1; the others shift.
    pub position: Option<i32>,
}

/// Retires a strategic priority.
#[derive(InputObject)]
pub struct DeleteStrategicPriorityInput {
    /// The global ID of the entity to change.
    pub id: ID,
}

/// The priority after the change.
#[derive(SimpleObject)]
pub struct StrategicPriorityPayload {
    /// The priority after the change.
    pub strategic_priority: StrategicPriority,
}

/// A failed event delivery to try again.
#[derive(InputObject)]
pub struct RetryEventDeliveryInput {
    /// The global ID of the failed delivery.
    pub id: ID,
}

/// The failed delivery, scheduled for an immediate retry.
#[derive(SimpleObject)]
pub struct EventDeliveryFailurePayload {
    /// The failed delivery, its tries reset; it disappears once a try succeeds.
    pub failure: EventDeliveryFailure,
}

/// A new metric.
#[derive(InputObject)]
pub struct CreateMetricInput {
    /// The name.
    pub name: String,
    /// A longer explanation.
    pub description: Option<String>,
    /// The unit of the values, e.g. `EUR`, `%`.
    pub unit: Option<String>,
    /// Which way is good.
    pub direction: MetricDirection,
    /// Leading (predicts) or lagging (outcome).
    pub indicator_kind: IndicatorKind,
    /// How often the metric gets a value; its values are keyed by period start.
    pub frequency: MetricFrequency,
    /// How values combine over longer periods.
    pub aggregation: Aggregation,
    /// The person accountable for it.
    pub owner_id: Option<ID>,
    /// The org unit it belongs to.
    pub org_unit_id: Option<ID>,
    /// The strategic priority it serves.
    pub priority_id: Option<ID>,
}

/// Changes to a metric; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateMetricInput {
    /// The global ID of the entity to change.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// The name.
    pub name: Option<String>,
    /// A longer explanation.
    pub description: MaybeUndefined<String>,
    /// The unit of the values, e.g. `EUR`, `%`.
    pub unit: MaybeUndefined<String>,
    /// Which way is good.
    pub direction: Option<MetricDirection>,
    /// Leading (predicts) or lagging (outcome).
    pub indicator_kind: Option<IndicatorKind>,
    /// Refused once the metric has values.
    pub frequency: Option<MetricFrequency>,
    /// How values combine over longer periods.
    pub aggregation: Option<Aggregation>,
    /// The person accountable for it.
    pub owner_id: MaybeUndefined<ID>,
    /// The org unit it belongs to.
    pub org_unit_id: MaybeUndefined<ID>,
    /// The strategic priority it serves.
    pub priority_id: MaybeUndefined<ID>,
}

/// The metric after the change.
#[derive(SimpleObject)]
pub struct MetricPayload {
    /// The metric after the change.
    pub metric: Metric,
}

/// A leading metric and a lagging metric it is meant to move.
#[derive(InputObject)]
pub struct MetricLinkInput {
    /// The leading metric (it must be a LEADING indicator).
    pub leading_metric_id: ID,
    /// The lagging metric it is meant to move (a LAGGING indicator).
    pub lagging_metric_id: ID,
}

/// Both metrics after the change.
#[derive(SimpleObject)]
pub struct MetricLinkPayload {
    /// The leading metric.
    pub leading: Metric,
    /// The lagging metric.
    pub lagging: Metric,
}

/// One value for one period.
#[derive(InputObject)]
pub struct MetricValueInput {
    /// The first day of the period (Monday for weekly metrics, the 1st for
    /// monthly ones, the fiscal quarter's first day for quarterly ones).
    pub period: Date,
    /// The value, exact.
    pub value: Decimal,
}

/// Values of one metric, recorded together in one transaction.
#[derive(InputObject)]
pub struct RecordMetricValuesInput {
    /// The metric the values belong to.
    pub metric_id: ID,
    /// Where the values come from; default `MANUAL`.
    pub source: Option<ValueSource>,
    /// Up to 1000 values; a period that already has a value is replaced (audited).
    pub values: Vec<MetricValueInput>,
}

/// The values as stored.
#[derive(SimpleObject)]
pub struct RecordMetricValuesPayload {
    /// The metric the values belong to.
    pub metric: Metric,
    /// The stored values, in the order given.
    pub values: Vec<MetricValue>,
}

#[derive(Default)]
pub struct CoreMutation;

#[Object]
impl CoreMutation {
    /// Changes the tenant's own settings (admins).
    async fn update_tenant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateTenantInput,
    ) -> Result<TenantPayload> {
        let scope = &request(ctx)?.scope;
        let tenant = service::tenants::update_tenant(
            scope,
            service::tenants::TenantChanges {
                version: input.version,
                name: input.name,
                fiscal_year_start_month: input.fiscal_year_start_month,
                time_zone: input.time_zone,
                priority_limit: input.priority_limit,
            },
        )
        .await?;
        Ok(TenantPayload {
            tenant: tenant.into(),
        })
    }

    /// Creates a client tenant (users an operator allowed to: consultants);
    /// the caller becomes its first admin. A tenant's own admins cannot.
    async fn create_tenant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateTenantInput,
    ) -> Result<CreateTenantPayload> {
        let request = request(ctx)?;
        if !request.user.may_create_tenants {
            return Err(crate::DomainError::forbidden(
                "creating tenants is for consultants and operators; an operator grants it with `throughline user allow-tenant-creation <email>`",
            )
            .into());
        }
        let tenant = service::tenants::create_tenant(
            request.scope.db(),
            &request.registry,
            service::tenants::NewTenant {
                slug: input.slug,
                name: input.name,
                fiscal_year_start_month: input.fiscal_year_start_month,
                time_zone: input.time_zone,
                frameworks: input.frameworks.unwrap_or_default(),
            },
            Some(request.user.id),
        )
        .await
        .map_err(|e| e.within("input"))?;
        request.scope.events().wake_dispatcher();
        Ok(CreateTenantPayload {
            tenant: tenant.into(),
        })
    }

    /// Switches a framework on for the tenant (admins). Its earlier data and settings come back.
    async fn enable_framework(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: EnableFrameworkInput,
    ) -> Result<FrameworkPayload> {
        let request = request(ctx)?;
        let settings = input.settings.map(|json| json.0);
        let framework = service::frameworks::set_framework(
            &request.scope,
            &request.registry,
            &input.key,
            Some(true),
            settings.as_ref(),
        )
        .await?;
        Ok(FrameworkPayload {
            framework: framework.into(),
        })
    }

    /// Switches a framework off for the tenant (admins). Its data is kept.
    async fn disable_framework(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DisableFrameworkInput,
    ) -> Result<FrameworkPayload> {
        let request = request(ctx)?;
        let framework = service::frameworks::set_framework(
            &request.scope,
            &request.registry,
            &input.key,
            Some(false),
            None,
        )
        .await?;
        Ok(FrameworkPayload {
            framework: framework.into(),
        })
    }

    /// Replaces a framework's settings for the tenant (admins), validated by the framework.
    async fn update_framework_settings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateFrameworkSettingsInput,
    ) -> Result<FrameworkPayload> {
        let request = request(ctx)?;
        let framework = service::frameworks::set_framework(
            &request.scope,
            &request.registry,
            &input.key,
            None,
            Some(&input.settings.0),
        )
        .await?;
        Ok(FrameworkPayload {
            framework: framework.into(),
        })
    }

    /// Creates an org unit (admins, integrators).
    async fn create_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateOrgUnitInput,
    ) -> Result<OrgUnitPayload> {
        let scope = &request(ctx)?.scope;
        let unit = service::org_units::create(
            scope,
            service::org_units::NewOrgUnit {
                name: input.name,
                parent_id: decode_optional(input.parent_id.as_ref(), "OrgUnit", "input.parentId")?,
                head_person_id: decode_optional(
                    input.head_person_id.as_ref(),
                    "Person",
                    "input.headPersonId",
                )?,
                external_id: input.external_id,
            },
        )
        .await?;
        Ok(OrgUnitPayload {
            org_unit: OrgUnit(unit),
        })
    }

    /// Changes an org unit (admins, integrators).
    async fn update_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateOrgUnitInput,
    ) -> Result<OrgUnitPayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "OrgUnit", "input.id")?;
        let unit = service::org_units::update(
            scope,
            id,
            service::org_units::OrgUnitChanges {
                version: input.version,
                name: input.name,
                parent_id: patch_id(&input.parent_id, "OrgUnit", "input.parentId")?,
                head_person_id: patch_id(&input.head_person_id, "Person", "input.headPersonId")?,
                external_id: patch(&input.external_id),
            },
        )
        .await?;
        Ok(OrgUnitPayload {
            org_unit: OrgUnit(unit),
        })
    }

    /// Deletes an org unit that has no sub-units and no people (admins, integrators).
    async fn delete_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteOrgUnitInput,
    ) -> Result<DeletePayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "OrgUnit", "input.id")?;
        let unit = service::org_units::delete(scope, id).await?;
        Ok(DeletePayload {
            deleted_id: encode_id("OrgUnit", unit.id),
        })
    }

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
        let person = service::people::update(
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
            person: Person(person),
        })
    }

    /// Adds a strategic priority, refused past the tenant's limit (admins).
    async fn create_strategic_priority(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateStrategicPriorityInput,
    ) -> Result<StrategicPriorityPayload> {
        let scope = &request(ctx)?.scope;
        let priority = service::priorities::create(
            scope,
            service::priorities::NewPriority {
                title: input.title,
                description: input.description,
                owner_id: decode_optional(input.owner_id.as_ref(), "Person", "input.ownerId")?,
            },
        )
        .await?;
        Ok(StrategicPriorityPayload {
            strategic_priority: StrategicPriority(priority),
        })
    }

    /// Changes or reorders a strategic priority (admins).
    async fn update_strategic_priority(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateStrategicPriorityInput,
    ) -> Result<StrategicPriorityPayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "StrategicPriority", "input.id")?;
        let priority = service::priorities::update(
            scope,
            id,
            service::priorities::PriorityChanges {
                version: input.version,
                title: input.title,
                description: patch(&input.description),
                owner_id: patch_id(&input.owner_id, "Person", "input.ownerId")?,
                position: input.position,
            },
        )
        .await?;
        Ok(StrategicPriorityPayload {
            strategic_priority: StrategicPriority(priority),
        })
    }

    /// Retires a strategic priority (admins).
    async fn delete_strategic_priority(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteStrategicPriorityInput,
    ) -> Result<DeletePayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "StrategicPriority", "input.id")?;
        let priority = service::priorities::delete(scope, id).await?;
        Ok(DeletePayload {
            deleted_id: encode_id("StrategicPriority", priority.id),
        })
    }

    /// Tries a failed event delivery again now, with a fresh count of tries
    /// (admins, once the cause is fixed). Audited.
    async fn retry_event_delivery(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RetryEventDeliveryInput,
    ) -> Result<EventDeliveryFailurePayload> {
        let scope = &request(ctx)?.scope;
        // The role before the input: a refusal tells nothing of what exists.
        scope.require_admin("retrying event deliveries")?;
        let id = decode_id(&input.id, "EventDeliveryFailure", "input.id")?;
        let failure = service::event_deliveries::retry(scope, id).await?;
        Ok(EventDeliveryFailurePayload {
            failure: EventDeliveryFailure(failure),
        })
    }

    /// Defines a metric (admins).
    async fn create_metric(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateMetricInput,
    ) -> Result<MetricPayload> {
        let scope = &request(ctx)?.scope;
        let metric = service::metrics::create(
            scope,
            service::metrics::NewMetric {
                name: input.name,
                description: input.description,
                unit: input.unit,
                direction: input.direction,
                indicator_kind: input.indicator_kind,
                frequency: input.frequency,
                aggregation: input.aggregation,
                owner_id: decode_optional(input.owner_id.as_ref(), "Person", "input.ownerId")?,
                org_unit_id: decode_optional(
                    input.org_unit_id.as_ref(),
                    "OrgUnit",
                    "input.orgUnitId",
                )?,
                priority_id: decode_optional(
                    input.priority_id.as_ref(),
                    "StrategicPriority",
                    "input.priorityId",
                )?,
            },
        )
        .await?;
        Ok(MetricPayload {
            metric: Metric(metric),
        })
    }

    /// Changes a metric's definition (admins).
    async fn update_metric(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateMetricInput,
    ) -> Result<MetricPayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "Metric", "input.id")?;
        let metric = service::metrics::update(
            scope,
            id,
            service::metrics::MetricChanges {
                version: input.version,
                name: input.name,
                description: patch(&input.description),
                unit: patch(&input.unit),
                direction: input.direction,
                indicator_kind: input.indicator_kind,
                frequency: input.frequency,
                aggregation: input.aggregation,
                owner_id: patch_id(&input.owner_id, "Person", "input.ownerId")?,
                org_unit_id: patch_id(&input.org_unit_id, "OrgUnit", "input.orgUnitId")?,
                priority_id: patch_id(&input.priority_id, "StrategicPriority", "input.priorityId")?,
            },
        )
        .await?;
        Ok(MetricPayload {
            metric: Metric(metric),
        })
    }

    /// Says a leading metric is meant to move a lagging one (admins). Idempotent.
    async fn link_metrics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: MetricLinkInput,
    ) -> Result<MetricLinkPayload> {
        let scope = &request(ctx)?.scope;
        let leading = decode_id(&input.leading_metric_id, "Metric", "input.leadingMetricId")?;
        let lagging = decode_id(&input.lagging_metric_id, "Metric", "input.laggingMetricId")?;
        let (leading, lagging) = service::metrics::link(scope, leading, lagging).await?;
        Ok(MetricLinkPayload {
            leading: Metric(leading),
            lagging: Metric(lagging),
        })
    }

    /// Removes a leading → lagging link (admins). Idempotent.
    async fn unlink_metrics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: MetricLinkInput,
    ) -> Result<MetricLinkPayload> {
        let scope = &request(ctx)?.scope;
        let leading = decode_id(&input.leading_metric_id, "Metric", "input.leadingMetricId")?;
        let lagging = decode_id(&input.lagging_metric_id, "Metric", "input.laggingMetricId")?;
        let (leading, lagging) = service::metrics::unlink(scope, leading, lagging).await?;
        Ok(MetricLinkPayload {
            leading: Metric(leading),
            lagging: Metric(lagging),
        })
    }

    /// Records values of a metric (admins, integrators, the metric's owner).
    /// All or nothing: one bad value refuses the whole call, naming it.
    async fn record_metric_values(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RecordMetricValuesInput,
    ) -> Result<RecordMetricValuesPayload> {
        let scope = &request(ctx)?.scope;
        let metric_id = decode_id(&input.metric_id, "Metric", "input.metricId")?;
        let values = input
            .values
            .into_iter()
            .map(|v| NewValue {
                period: v.period.0,
                value: v.value,
            })
            .collect();
        let saved = service::metrics::record_values(
            scope,
            metric_id,
            values,
            input.source.unwrap_or(ValueSource::Manual),
        )
        .await?;
        let metric = request(ctx)?
            .loader::<super::loaders::ById<crate::entity::metric::Entity>, _>()
            .load_one(metric_id)
            .await?
            .ok_or(crate::DomainError::not_found("metric"))?;
        Ok(RecordMetricValuesPayload {
            metric: Metric(metric),
            values: saved.into_iter().map(MetricValue).collect(),
        })
    }
}
