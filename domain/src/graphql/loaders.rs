//! DataLoaders: one SQL statement per relation and nesting level, however
//! many rows ask. Each is created per request with the tenant inside.

use std::collections::{HashMap, HashSet};
use std::marker::PhantomData;

use async_graphql::dataloader::Loader;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, ModelTrait, QueryFilter, QueryOrder, QuerySelect, Value};
use uuid::Uuid;

use crate::entity::{
    TenantOwned, membership, metric, metric_link, metric_value, org_unit, person, user,
};
use crate::error::DomainError;
use crate::tenancy::TenantScope;

use super::context::ScopedLoader;

/// What a loader already fetched in this request. A DataLoader's cache only
/// knows finished batches: a key asked for while its batch is still running
/// would start a second query. Batches of one loader wait for each other here
/// and only query what nobody fetched yet.
pub struct Memo<V> {
    seen: tokio::sync::Mutex<HashMap<Uuid, Option<V>>>,
}

impl<V: Clone> Default for Memo<V> {
    fn default() -> Self {
        Self {
            seen: tokio::sync::Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone> Memo<V> {
    /// Returns the values of `keys`, fetching only the unseen ones with `fetch`.
    pub async fn get<F, Fut>(
        &self,
        keys: &[Uuid],
        fetch: F,
    ) -> Result<HashMap<Uuid, V>, DomainError>
    where
        F: FnOnce(Vec<Uuid>) -> Fut,
        Fut: std::future::Future<Output = Result<HashMap<Uuid, V>, DomainError>>,
    {
        let mut seen = self.seen.lock().await;
        let missing: Vec<Uuid> = keys
            .iter()
            .filter(|k| !seen.contains_key(k))
            .copied()
            .collect();
        if !missing.is_empty() {
            let mut found = fetch(missing.clone()).await?;
            for key in missing {
                seen.insert(key, found.remove(&key));
            }
        }
        Ok(keys
            .iter()
            .filter_map(|k| seen.get(k).cloned().flatten().map(|v| (*k, v)))
            .collect())
    }
}

/// Loads any tenant-owned entity by id.
pub struct ById<E: TenantOwned> {
    scope: TenantScope,
    memo: Memo<E::Model>,
    _entity: PhantomData<fn() -> E>,
}

impl<E: TenantOwned> ScopedLoader for ById<E>
where
    E::Model: Clone + Send + Sync,
{
    fn new(scope: TenantScope) -> Self {
        Self {
            scope,
            memo: Memo::default(),
            _entity: PhantomData,
        }
    }
}

impl<E> Loader<Uuid> for ById<E>
where
    E: TenantOwned,
    E::Model: Clone + Send + Sync,
{
    type Value = E::Model;
    type Error = DomainError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, E::Model>, DomainError> {
        self.memo
            .get(keys, |missing| async move {
                let rows = self
                    .scope
                    .select::<E>()
                    .filter(E::id_column().is_in(missing))
                    .all(&self.scope)
                    .await?;
                Ok(rows
                    .into_iter()
                    .filter_map(|row| match row.get(E::id_column()) {
                        Value::Uuid(Some(id)) => Some((id, row)),
                        _ => None,
                    })
                    .collect())
            })
            .await
    }
}

/// Declares a loader that holds only the request's tenant scope; frameworks
/// use it for their own loaders.
#[macro_export]
macro_rules! scoped_loader {
    ($name:ident) => {
        pub struct $name {
            scope: $crate::TenantScope,
        }
        impl $crate::graphql::context::ScopedLoader for $name {
            fn new(scope: $crate::TenantScope) -> Self {
                Self { scope }
            }
        }
    };
}

scoped_loader!(DirectReportCount);

impl Loader<Uuid> for DirectReportCount {
    type Value = i64;
    type Error = DomainError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, i64>, DomainError> {
        let rows: Vec<(Option<Uuid>, i64)> = self
            .scope
            .select::<person::Entity>()
            .select_only()
            .column(person::Column::ManagerId)
            .column_as(
                Expr::expr(sea_orm::sea_query::Func::count(Expr::col(
                    person::Column::Id,
                ))),
                "reports",
            )
            .filter(person::Column::ManagerId.is_in(keys.iter().copied()))
            .group_by(person::Column::ManagerId)
            .into_tuple()
            .all(&self.scope)
            .await?;
        let mut counts: HashMap<Uuid, i64> = keys.iter().map(|k| (*k, 0)).collect();
        counts.extend(
            rows.into_iter()
                .filter_map(|(manager, n)| manager.map(|m| (m, n))),
        );
        Ok(counts)
    }
}

scoped_loader!(OrgUnitChildren);

impl Loader<Uuid> for OrgUnitChildren {
    type Value = Vec<org_unit::Model>;
    type Error = DomainError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        let rows = self
            .scope
            .select::<org_unit::Entity>()
            .filter(org_unit::Column::ParentId.is_in(keys.iter().copied()))
            .order_by_asc(org_unit::Column::Name)
            .all(&self.scope)
            .await?;
        Ok(group(keys, rows, |row| row.parent_id))
    }
}

scoped_loader!(MetricsByPriority);

impl Loader<Uuid> for MetricsByPriority {
    type Value = Vec<metric::Model>;
    type Error = DomainError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        let rows = self
            .scope
            .select::<metric::Entity>()
            .filter(metric::Column::PriorityId.is_in(keys.iter().copied()))
            .order_by_asc(metric::Column::Name)
            .all(&self.scope)
            .await?;
        Ok(group(keys, rows, |row| row.priority_id))
    }
}

// The two directions of leading → lagging links.
scoped_loader!(MetricsDriven);
scoped_loader!(MetricsDriving);

async fn linked_metrics(
    scope: &TenantScope,
    keys: &[Uuid],
    from: metric_link::Column,
    to: metric_link::Column,
) -> Result<HashMap<Uuid, Vec<metric::Model>>, DomainError> {
    let links: Vec<(Uuid, Uuid)> = scope
        .select::<metric_link::Entity>()
        .select_only()
        .column(from)
        .column(to)
        .filter(from.is_in(keys.iter().copied()))
        .into_tuple()
        .all(scope)
        .await?;
    let metrics: HashMap<Uuid, metric::Model> = scope
        .select::<metric::Entity>()
        .filter(metric::Column::Id.is_in(links.iter().map(|(_, to)| *to)))
        .order_by_asc(metric::Column::Name)
        .all(scope)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut out: HashMap<Uuid, Vec<metric::Model>> =
        keys.iter().map(|k| (*k, Vec::new())).collect();
    for (key, target) in links {
        if let (Some(list), Some(m)) = (out.get_mut(&key), metrics.get(&target)) {
            list.push(m.clone());
        }
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(out)
}

impl Loader<Uuid> for MetricsDriven {
    type Value = Vec<metric::Model>;
    type Error = DomainError;

    /// Keyed by a leading metric: the lagging metrics it drives.
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        linked_metrics(
            &self.scope,
            keys,
            metric_link::Column::LeadingMetricId,
            metric_link::Column::LaggingMetricId,
        )
        .await
    }
}

impl Loader<Uuid> for MetricsDriving {
    type Value = Vec<metric::Model>;
    type Error = DomainError;

    /// Keyed by a lagging metric: the leading metrics that drive it.
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        linked_metrics(
            &self.scope,
            keys,
            metric_link::Column::LaggingMetricId,
            metric_link::Column::LeadingMetricId,
        )
        .await
    }
}

scoped_loader!(LatestMetricValue);

impl Loader<Uuid> for LatestMetricValue {
    type Value = metric_value::Model;
    type Error = DomainError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        let latest = Expr::cust(
            "metric_values.period_start = (SELECT MAX(latest.period_start) FROM metric_values latest \
             WHERE latest.tenant_id = metric_values.tenant_id AND latest.metric_id = metric_values.metric_id)",
        );
        let rows = self
            .scope
            .select::<metric_value::Entity>()
            .filter(metric_value::Column::MetricId.is_in(keys.iter().copied()))
            .filter(latest)
            .all(&self.scope)
            .await?;
        Ok(rows.into_iter().map(|row| (row.metric_id, row)).collect())
    }
}

scoped_loader!(MemberUser);

impl Loader<Uuid> for MemberUser {
    type Value = user::Model;
    type Error = DomainError;

    /// Users, but only those with a membership in this tenant, or who are
    /// one of its service accounts.
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        use crate::entity::service_account;
        let mut members: Vec<Uuid> = self
            .scope
            .select::<membership::Entity>()
            .select_only()
            .column(membership::Column::UserId)
            .filter(membership::Column::UserId.is_in(keys.iter().copied()))
            .into_tuple()
            .all(&self.scope)
            .await?;
        let known: HashSet<Uuid> = members.iter().copied().collect();
        let others: Vec<Uuid> = keys
            .iter()
            .copied()
            .filter(|key| !known.contains(key))
            .collect();
        if !others.is_empty() {
            let accounts: Vec<Uuid> = self
                .scope
                .select::<service_account::Entity>()
                .select_only()
                .column(service_account::Column::UserId)
                .filter(service_account::Column::UserId.is_in(others))
                .into_tuple()
                .all(&self.scope)
                .await?;
            members.extend(accounts);
        }
        // Users are not a tenant's rows; the membership above is the filter.
        let rows = user::Entity::find()
            .filter(user::Column::Id.is_in(members))
            .all(self.scope.db())
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Groups rows under their parent key, with an empty list for keys without rows.
pub fn group<T>(
    keys: &[Uuid],
    rows: Vec<T>,
    parent: impl Fn(&T) -> Option<Uuid>,
) -> HashMap<Uuid, Vec<T>> {
    let mut out: HashMap<Uuid, Vec<T>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for row in rows {
        if let Some(list) = parent(&row).and_then(|key| out.get_mut(&key)) {
            list.push(row);
        }
    }
    out
}

scoped_loader!(ManagerChain);

impl Loader<Uuid> for ManagerChain {
    type Value = Vec<person::Model>;
    type Error = DomainError;

    /// Keyed by person: their managers from the direct one up, for every key
    /// in one recursive query.
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        let rows = self
            .scope
            .select::<person::Entity>()
            .filter(self.scope.in_tree(
                person::Column::Id,
                crate::service::people::REPORTING_LINES,
                crate::tenancy::Walk::Above {
                    from: keys,
                    include_start: true,
                },
            ))
            .all(&self.scope)
            .await?;
        let by_id: HashMap<Uuid, person::Model> = rows.into_iter().map(|p| (p.id, p)).collect();
        Ok(keys
            .iter()
            .filter_map(|key| {
                let start = by_id.get(key)?;
                let mut chain = Vec::new();
                let mut next = start.manager_id;
                while let Some(id) = next {
                    let Some(boss) = by_id.get(&id) else { break };
                    if chain.iter().any(|p: &person::Model| p.id == boss.id) || chain.len() >= 100 {
                        break;
                    }
                    chain.push(boss.clone());
                    next = boss.manager_id;
                }
                Some((*key, chain))
            })
            .collect())
    }
}

scoped_loader!(PersonExternalIds);

impl Loader<Uuid> for PersonExternalIds {
    type Value = Vec<crate::entity::person_external_id::Model>;
    type Error = DomainError;

    /// Keyed by person: their keys in every source, by source.
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        use crate::entity::person_external_id as key;
        let rows = self
            .scope
            .select::<key::Entity>()
            .filter(key::Column::PersonId.is_in(keys.iter().copied()))
            .order_by_asc(key::Column::Source)
            .all(&self.scope)
            .await?;
        Ok(group(keys, rows, |row| Some(row.person_id)))
    }
}

scoped_loader!(OrgUnitExternalIds);

impl Loader<Uuid> for OrgUnitExternalIds {
    type Value = Vec<crate::entity::org_unit_external_id::Model>;
    type Error = DomainError;

    /// Keyed by org unit: its keys in every source, by source.
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        use crate::entity::org_unit_external_id as key;
        let rows = self
            .scope
            .select::<key::Entity>()
            .filter(key::Column::OrgUnitId.is_in(keys.iter().copied()))
            .order_by_asc(key::Column::Source)
            .all(&self.scope)
            .await?;
        Ok(group(keys, rows, |row| Some(row.org_unit_id)))
    }
}

scoped_loader!(ServiceAccountTokens);

impl Loader<Uuid> for ServiceAccountTokens {
    type Value = Vec<crate::entity::service_account_token::Model>;
    type Error = DomainError;

    /// Keyed by service account: its tokens, newest first.
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        let rows = crate::service::service_accounts::tokens_of(&self.scope, keys).await?;
        Ok(group(keys, rows, |row| Some(row.service_account_id)))
    }
}

scoped_loader!(MetricTargetsOf);

impl Loader<Uuid> for MetricTargetsOf {
    type Value = Vec<crate::entity::metric_target::Model>;
    type Error = DomainError;

    /// Keyed by metric: all its targets (every scope), earliest first.
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        use crate::entity::metric_target;
        let rows = self
            .scope
            .select::<metric_target::Entity>()
            .filter(metric_target::Column::MetricId.is_in(keys.iter().copied()))
            .order_by_asc(metric_target::Column::ValidFrom)
            .all(&self.scope)
            .await?;
        Ok(group(keys, rows, |row| Some(row.metric_id)))
    }
}

/// A metric's values whose periods start within `from..=to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ValuesBetween {
    pub metric_id: Uuid,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

scoped_loader!(MetricValuesBetween);

impl Loader<ValuesBetween> for MetricValuesBetween {
    /// (period start, value), oldest first.
    type Value = Vec<(chrono::NaiveDate, rust_decimal::Decimal)>;
    type Error = DomainError;

    /// One narrow statement per distinct window, however many metrics ask.
    async fn load(
        &self,
        keys: &[ValuesBetween],
    ) -> Result<HashMap<ValuesBetween, Self::Value>, DomainError> {
        let mut windows: HashMap<(chrono::NaiveDate, chrono::NaiveDate), Vec<Uuid>> =
            HashMap::new();
        for key in keys {
            windows
                .entry((key.from, key.to))
                .or_default()
                .push(key.metric_id);
        }
        let mut found: HashMap<ValuesBetween, Self::Value> =
            keys.iter().map(|key| (*key, Vec::new())).collect();
        for ((from, to), metrics) in windows {
            let rows: Vec<(Uuid, chrono::NaiveDate, String)> = self
                .scope
                .select::<metric_value::Entity>()
                .select_only()
                .column(metric_value::Column::MetricId)
                .column(metric_value::Column::PeriodStart)
                .column(metric_value::Column::Value)
                .filter(metric_value::Column::MetricId.is_in(metrics))
                .filter(metric_value::Column::PeriodStart.between(from, to))
                .order_by_asc(metric_value::Column::PeriodStart)
                .into_tuple()
                .all(&self.scope)
                .await?;
            for (metric_id, period, value) in rows {
                let key = ValuesBetween {
                    metric_id,
                    from,
                    to,
                };
                if let Some(values) = found.get_mut(&key) {
                    values.push((period, crate::decimal::from_stored(&value)?));
                }
            }
        }
        Ok(found)
    }
}

scoped_loader!(DashboardKeyMetricsOf);

impl Loader<Uuid> for DashboardKeyMetricsOf {
    type Value = Vec<crate::entity::dashboard_key_metric::Model>;
    type Error = DomainError;

    /// Keyed by dashboard: its key metrics, in order.
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        use crate::entity::dashboard_key_metric as key;
        let rows = self
            .scope
            .select::<key::Entity>()
            .filter(key::Column::DashboardId.is_in(keys.iter().copied()))
            .order_by_asc(key::Column::Position)
            .all(&self.scope)
            .await?;
        Ok(group(keys, rows, |row| Some(row.dashboard_id)))
    }
}

/// The org units whose dashboards the viewer reads (`None`: all), worked
/// out once a request however many dashboards a query resolves.
#[derive(Clone, Debug)]
pub struct ReadableUnits(pub Option<HashSet<Uuid>>);

scoped_loader!(DashboardReadableUnits);

impl Loader<()> for DashboardReadableUnits {
    type Value = ReadableUnits;
    type Error = DomainError;

    async fn load(&self, _keys: &[()]) -> Result<HashMap<(), Self::Value>, DomainError> {
        let units = crate::service::dashboards::readable_units(&self.scope).await?;
        Ok(HashMap::from([((), ReadableUnits(units))]))
    }
}

scoped_loader!(TenantPriorities);

impl Loader<()> for TenantPriorities {
    type Value = Vec<crate::entity::strategic_priority::Model>;
    type Error = DomainError;

    /// The tenant's strategic priorities in order (a few by design), read
    /// once a request.
    async fn load(&self, _keys: &[()]) -> Result<HashMap<(), Self::Value>, DomainError> {
        use crate::entity::strategic_priority;
        let rows = self
            .scope
            .select::<strategic_priority::Entity>()
            .order_by_asc(strategic_priority::Column::Position)
            .all(&self.scope)
            .await?;
        Ok(HashMap::from([((), rows)]))
    }
}
