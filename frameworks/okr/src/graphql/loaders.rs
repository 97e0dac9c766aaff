//! The OKR framework's DataLoaders: per request, tenant inside.

use async_graphql::dataloader::Loader;
use std::collections::HashMap;
use std::sync::Arc;
use throughline_domain::kit::{DomainError, ScopedLoader, TenantScope, group, scoped_loader};
use uuid::Uuid;

use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{alignment, co_owner, key_result};
use crate::service::score_cache::cycle_scores;
use crate::service::scores::CycleScores;

/// Keyed by cycle: every objective's and key result's progress and health.
/// Scoring a cycle is the expensive part of a request: the cross-request
/// cache ([`CYCLE_SCORES`]) answers while nothing moved, and within a request
/// a cycle is looked up once even when a second batch asks while the first is
/// still loading (the DataLoader's cache only knows finished batches).
pub struct CycleScoresLoader {
    scope: TenantScope,
    loaded: tokio::sync::Mutex<HashMap<Uuid, Arc<CycleScores>>>,
}

impl ScopedLoader for CycleScoresLoader {
    fn new(scope: TenantScope) -> Self {
        Self {
            scope,
            loaded: tokio::sync::Mutex::new(HashMap::new()),
        }
    }
}

impl Loader<Uuid> for CycleScoresLoader {
    type Value = Arc<CycleScores>;
    type Error = DomainError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        let mut loaded = self.loaded.lock().await;
        let missing: Vec<Uuid> = keys
            .iter()
            .filter(|k| !loaded.contains_key(k))
            .copied()
            .collect();
        if !missing.is_empty() {
            loaded.extend(cycle_scores(&self.scope, &missing).await?);
        }
        Ok(keys
            .iter()
            .filter_map(|k| loaded.get(k).map(|s| (*k, s.clone())))
            .collect())
    }
}

scoped_loader!(KeyResultsOfObjective);

impl Loader<Uuid> for KeyResultsOfObjective {
    /// Shared: the loader's cache and every field asking hold the same rows.
    type Value = Arc<[key_result::Model]>;
    type Error = DomainError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        let rows = self
            .scope
            .select::<key_result::Entity>()
            .filter(key_result::Column::ObjectiveId.is_in(keys.iter().copied()))
            .order_by_asc(key_result::Column::Id)
            .all(&self.scope)
            .await?;
        Ok(group(keys, rows, |r| Some(r.objective_id))
            .into_iter()
            .map(|(objective, rows)| (objective, rows.into()))
            .collect())
    }
}

scoped_loader!(CoOwnersOfObjective);

impl Loader<Uuid> for CoOwnersOfObjective {
    type Value = Vec<Uuid>;
    type Error = DomainError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        let rows = self
            .scope
            .select::<co_owner::Entity>()
            .filter(co_owner::Column::ObjectiveId.is_in(keys.iter().copied()))
            .all(&self.scope)
            .await?;
        let grouped = group(keys, rows, |r| Some(r.objective_id));
        Ok(grouped
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().map(|r| r.person_id).collect()))
            .collect())
    }
}

scoped_loader!(AlignmentsOfObjective);

impl Loader<Uuid> for AlignmentsOfObjective {
    type Value = Vec<alignment::Model>;
    type Error = DomainError;

    /// Keyed by the aligned (child) objective.
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        let rows = self
            .scope
            .select::<alignment::Entity>()
            .filter(alignment::Column::ObjectiveId.is_in(keys.iter().copied()))
            .order_by_asc(alignment::Column::Id)
            .all(&self.scope)
            .await?;
        Ok(group(keys, rows, |r| Some(r.objective_id)))
    }
}

scoped_loader!(AlignedChildren);

impl Loader<Uuid> for AlignedChildren {
    type Value = Vec<Uuid>;
    type Error = DomainError;

    /// Keyed by parent objective: the objectives aligned to it or to one of
    /// its key results, each once.
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        let scope = &self.scope;
        let their_key_results = scope
            .select::<key_result::Entity>()
            .select_only()
            .column(key_result::Column::Id)
            .filter(key_result::Column::ObjectiveId.is_in(keys.iter().copied()))
            .into_query();
        let rows = scope
            .select::<alignment::Entity>()
            .filter(
                Condition::any()
                    .add(alignment::Column::ParentObjectiveId.is_in(keys.iter().copied()))
                    .add(alignment::Column::ParentKeyResultId.in_subquery(their_key_results)),
            )
            .order_by_asc(alignment::Column::Id)
            .all(scope)
            .await?;
        let via_key_result: Vec<Uuid> =
            rows.iter().filter_map(|r| r.parent_key_result_id).collect();
        let objective_of: HashMap<Uuid, Uuid> = if via_key_result.is_empty() {
            HashMap::new()
        } else {
            scope
                .select::<key_result::Entity>()
                .select_only()
                .column(key_result::Column::Id)
                .column(key_result::Column::ObjectiveId)
                .filter(key_result::Column::Id.is_in(via_key_result))
                .into_tuple::<(Uuid, Uuid)>()
                .all(scope)
                .await?
                .into_iter()
                .collect()
        };
        let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for row in rows {
            let parent = row.parent_objective_id.or_else(|| {
                row.parent_key_result_id
                    .and_then(|kr| objective_of.get(&kr).copied())
            });
            if let Some(parent) = parent {
                let children = out.entry(parent).or_default();
                if !children.contains(&row.objective_id) {
                    children.push(row.objective_id);
                }
            }
        }
        Ok(out)
    }
}

/// Objectives by id, only those the actor may see.
pub struct VisibleObjective {
    scope: TenantScope,
    memo: throughline_domain::graphql::loaders::Memo<crate::entity::objective::Model>,
}

impl ScopedLoader for VisibleObjective {
    fn new(scope: TenantScope) -> Self {
        Self {
            scope,
            memo: Default::default(),
        }
    }
}

impl Loader<Uuid> for VisibleObjective {
    type Value = crate::entity::objective::Model;
    type Error = DomainError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        use crate::entity::objective;
        self.memo
            .get(keys, |missing| async move {
                let rows = crate::service::visibility::visible_objectives(&self.scope)
                    .filter(objective::Column::Id.is_in(missing))
                    .all(&self.scope)
                    .await?;
                Ok(rows.into_iter().map(|r| (r.id, r)).collect())
            })
            .await
    }
}

scoped_loader!(SettingsLoader);

impl Loader<Uuid> for SettingsLoader {
    type Value = Arc<crate::settings::OkrSettings>;
    type Error = DomainError;

    /// Keyed by tenant: the OKR settings, read once per request.
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        let settings = Arc::new(self.scope.settings::<crate::Okr>(&self.scope).await?);
        Ok(keys.iter().map(|k| (*k, settings.clone())).collect())
    }
}
