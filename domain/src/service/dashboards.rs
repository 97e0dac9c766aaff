//! Dashboards: a title, an owner, and the few key metrics that drive
//! decisions, for the tenant (the company's) or for one org unit.
//!
//! Admins create dashboards; admins and a dashboard's owner change it.
//! Admins and integrators read every dashboard; everyone else reads the
//! tenant's, those of their own unit and the units above it, and those they
//! own.

use std::collections::HashSet;

use chrono::Utc;
use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use uuid::Uuid;

use crate::entity::{
    dashboard, dashboard_key_metric, metric, org_unit, person, strategic_priority,
};
use crate::enums::Role;
use crate::error::{DomainError, DomainResult};
use crate::tenancy::Walk;
use crate::tenancy::{Change, TenantScope, TenantTxn};

use super::{check_version, required_text};

/// A key metric as given: the metric and, optionally, the priority it
/// serves (else its metric's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyMetric {
    pub metric_id: Uuid,
    pub priority_id: Option<Uuid>,
}

#[derive(Clone, Debug)]
pub struct NewDashboard {
    pub title: String,
    pub org_unit_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub key_metrics: Vec<KeyMetric>,
}

/// `None` leaves a field alone; `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct DashboardChanges {
    pub version: i32,
    pub title: Option<String>,
    pub owner_id: Option<Option<Uuid>>,
    /// The whole ordered list, replacing the current one.
    pub key_metrics: Option<Vec<KeyMetric>>,
}

/// What the audit log and the change feed keep of a dashboard.
#[derive(Serialize)]
struct Record<'a> {
    #[serde(flatten)]
    dashboard: &'a dashboard::Model,
    key_metrics: &'a [KeyMetric],
}

/// The org units whose dashboards the actor reads besides the tenant's:
/// `None` for every one (admins, integrators), else their unit and the
/// units above it (two statements: resolvers read it through the
/// `DashboardReadableUnits` loader, once a request).
pub async fn readable_units(scope: &TenantScope) -> DomainResult<Option<HashSet<Uuid>>> {
    let actor = scope.actor();
    if matches!(actor.role, Role::Admin | Role::Integrator) {
        return Ok(None);
    }
    let Some(person_id) = actor.person_id else {
        return Ok(Some(HashSet::new()));
    };
    let unit: Option<Option<Uuid>> = scope
        .select::<person::Entity>()
        .select_only()
        .column(person::Column::OrgUnitId)
        .filter(person::Column::Id.eq(person_id))
        .into_tuple()
        .one(scope)
        .await?;
    let Some(Some(unit)) = unit else {
        return Ok(Some(HashSet::new()));
    };
    let chain: Vec<Uuid> = scope
        .select::<org_unit::Entity>()
        .select_only()
        .column(org_unit::Column::Id)
        .filter(scope.in_tree(
            org_unit::Column::Id,
            super::org_units::ORG_CHART,
            Walk::Above {
                from: &[unit],
                include_start: true,
            },
        ))
        .into_tuple()
        .all(scope)
        .await?;
    Ok(Some(chain.into_iter().collect()))
}

/// The condition on dashboards the actor may read, given `readable_units`.
pub fn readable(scope: &TenantScope, units: &Option<HashSet<Uuid>>) -> Condition {
    let Some(units) = units else {
        return Condition::all();
    };
    let mut readable = Condition::any()
        .add(dashboard::Column::OrgUnitId.is_null())
        .add(dashboard::Column::OrgUnitId.is_in(units.iter().copied()));
    if let Some(person) = scope.actor().person_id {
        readable = readable.add(dashboard::Column::OwnerId.eq(person));
    }
    readable
}

/// Whether the actor reads this dashboard (the rule of [`readable`]).
pub fn may_read(
    scope: &TenantScope,
    units: &Option<HashSet<Uuid>>,
    row: &dashboard::Model,
) -> bool {
    let Some(units) = units else {
        return true;
    };
    row.org_unit_id.is_none_or(|unit| units.contains(&unit))
        || (row.owner_id.is_some() && row.owner_id == scope.actor().person_id)
}

fn may_change(scope: &TenantScope, row: &dashboard::Model) -> DomainResult<()> {
    let actor = scope.actor();
    let owns = actor.person_id.is_some() && actor.person_id == row.owner_id;
    if owns {
        return Ok(());
    }
    scope.require_admin("changing a dashboard you do not own")
}

/// Checks an ordered list of key metrics: the tenant's limit, no metric
/// twice, and every metric and priority of this tenant.
async fn check_key_metrics(tx: &TenantTxn<'_>, key_metrics: &[KeyMetric]) -> DomainResult<()> {
    let limit = tx.scope().tenant().key_metric_limit.max(1) as usize;
    if key_metrics.len() > limit {
        return Err(DomainError::validation(
            "input.keyMetrics",
            format!(
                "{} key metrics; a dashboard holds at most {limit} (the tenant's keyMetricLimit): a few metrics that drive decisions are watched, a wall of numbers is not — pick the ones that matter",
                key_metrics.len()
            ),
        ));
    }
    let mut seen = HashSet::new();
    for (index, key) in key_metrics.iter().enumerate() {
        if !seen.insert(key.metric_id) {
            return Err(DomainError::validation(
                format!("input.keyMetrics[{index}].metricId"),
                "this metric is already on the dashboard",
            ));
        }
    }
    let metrics: HashSet<Uuid> = tx
        .select::<metric::Entity>()
        .select_only()
        .column(metric::Column::Id)
        .filter(metric::Column::Id.is_in(seen.iter().copied()))
        .into_tuple::<Uuid>()
        .all(tx)
        .await?
        .into_iter()
        .collect();
    let priorities: HashSet<Uuid> = key_metrics.iter().filter_map(|k| k.priority_id).collect();
    let known_priorities: HashSet<Uuid> = if priorities.is_empty() {
        HashSet::new()
    } else {
        tx.select::<strategic_priority::Entity>()
            .select_only()
            .column(strategic_priority::Column::Id)
            .filter(strategic_priority::Column::Id.is_in(priorities.iter().copied()))
            .into_tuple::<Uuid>()
            .all(tx)
            .await?
            .into_iter()
            .collect()
    };
    for (index, key) in key_metrics.iter().enumerate() {
        if !metrics.contains(&key.metric_id) {
            return Err(DomainError::validation(
                format!("input.keyMetrics[{index}].metricId"),
                "no metric with that id in this tenant",
            ));
        }
        if let Some(priority) = key.priority_id
            && !known_priorities.contains(&priority)
        {
            return Err(DomainError::validation(
                format!("input.keyMetrics[{index}].priorityId"),
                "no strategic priority with that id in this tenant",
            ));
        }
    }
    Ok(())
}

async fn write_key_metrics(
    tx: &TenantTxn<'_>,
    dashboard_id: Uuid,
    key_metrics: &[KeyMetric],
) -> DomainResult<()> {
    tx.delete::<dashboard_key_metric::Entity>()
        .filter(dashboard_key_metric::Column::DashboardId.eq(dashboard_id))
        .exec()
        .await?;
    tx.insert_many(key_metrics.iter().enumerate().map(|(position, key)| {
        dashboard_key_metric::ActiveModel {
            id: Set(Uuid::now_v7()),
            dashboard_id: Set(dashboard_id),
            metric_id: Set(key.metric_id),
            priority_id: Set(key.priority_id),
            position: Set(position as i32),
            ..Default::default()
        }
    }))
    .await
}

/// A dashboard's key metrics, in order.
pub async fn key_metrics_of(
    tx: &TenantTxn<'_>,
    dashboard_id: Uuid,
) -> DomainResult<Vec<KeyMetric>> {
    Ok(tx
        .select::<dashboard_key_metric::Entity>()
        .filter(dashboard_key_metric::Column::DashboardId.eq(dashboard_id))
        .order_by_asc(dashboard_key_metric::Column::Position)
        .all(tx)
        .await?
        .into_iter()
        .map(|row| KeyMetric {
            metric_id: row.metric_id,
            priority_id: row.priority_id,
        })
        .collect())
}

pub async fn create(scope: &TenantScope, input: NewDashboard) -> DomainResult<dashboard::Model> {
    scope.require_admin("creating dashboards")?;
    let title = required_text("input.title", &input.title, 200)?;
    let mut tx = scope.begin().await?;
    if let Some(unit) = input.org_unit_id {
        tx.reference::<org_unit::Entity>(unit, "input.orgUnitId", "org unit")
            .await?;
    }
    if let Some(owner) = input.owner_id {
        tx.reference::<person::Entity>(owner, "input.ownerId", "person")
            .await?;
    }
    check_key_metrics(&tx, &input.key_metrics).await?;
    let now = Utc::now();
    let row = tx
        .insert(dashboard::ActiveModel {
            id: Set(Uuid::now_v7()),
            title: Set(title),
            org_unit_id: Set(input.org_unit_id),
            owner_id: Set(input.owner_id),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    write_key_metrics(&tx, row.id, &input.key_metrics).await?;
    tx.record(Change::created(
        "dashboard.created",
        "Dashboard",
        row.id,
        &Record {
            dashboard: &row,
            key_metrics: &input.key_metrics,
        },
    ))
    .await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn update(
    scope: &TenantScope,
    id: Uuid,
    changes: DashboardChanges,
) -> DomainResult<dashboard::Model> {
    let mut tx = scope.begin().await?;
    let current = tx.load::<dashboard::Entity>(id, "dashboard").await?;
    may_change(scope, &current)?;
    check_version(current.version, changes.version, "dashboard")?;
    let mut after = current.clone();
    if let Some(title) = &changes.title {
        after.title = required_text("input.title", title, 200)?;
    }
    if let Some(owner) = changes.owner_id {
        if let Some(owner) = owner {
            tx.reference::<person::Entity>(owner, "input.ownerId", "person")
                .await?;
        }
        after.owner_id = owner;
    }
    let key_before = key_metrics_of(&tx, id).await?;
    let key_after = match &changes.key_metrics {
        Some(list) => {
            check_key_metrics(&tx, list).await?;
            list.clone()
        }
        None => key_before.clone(),
    };
    // Nothing changed: nothing is written.
    if after == current && key_after == key_before {
        return Ok(current);
    }
    after.version += 1;
    after.updated_at = Utc::now();
    // The version first: a concurrent update waits on this row and then
    // answers CONFLICT, instead of both rewriting the key metrics and one
    // failing on their unique key.
    tx.update_versioned::<dashboard::Entity>(id, after.clone(), current.version, "dashboard")
        .await?;
    if key_after != key_before {
        write_key_metrics(&tx, id, &key_after).await?;
    }
    tx.record(Change::updated(
        "dashboard.updated",
        "Dashboard",
        id,
        &Record {
            dashboard: &current,
            key_metrics: &key_before,
        },
        &Record {
            dashboard: &after,
            key_metrics: &key_after,
        },
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(scope: &TenantScope, id: Uuid, version: i32) -> DomainResult<dashboard::Model> {
    let mut tx = scope.begin().await?;
    let current = tx.load::<dashboard::Entity>(id, "dashboard").await?;
    may_change(scope, &current)?;
    check_version(current.version, version, "dashboard")?;
    let key_metrics = key_metrics_of(&tx, id).await?;
    tx.delete::<dashboard::Entity>()
        .filter(dashboard::Column::Id.eq(id))
        .exec()
        .await?;
    tx.record(Change::deleted(
        "dashboard.deleted",
        "Dashboard",
        id,
        &Record {
            dashboard: &current,
            key_metrics: &key_metrics,
        },
    ))
    .await?;
    tx.commit().await?;
    Ok(current)
}
