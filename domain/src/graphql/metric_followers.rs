//! What follows a metric in the enabled frameworks (key results linked to
//! it, scorecard measures placed on it), asked of each framework once per
//! batch, as the viewer may see it.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, Object, Result};
use uuid::Uuid;

use super::context::{RequestContext, ScopedLoader, request};
use super::exceptions::readable_frameworks;
use super::ids::encode_id;
use super::people::load_person;
use super::types::Person;
use crate::error::{DomainError, DomainResult};
use crate::framework::{AnyFramework, MetricFollower as Follower};
use crate::tenancy::TenantScope;

/// Something of a framework's that follows a metric: a key result linked to it, a scorecard measure placed on it.
#[derive(Clone, Debug)]
pub struct MetricFollower(pub Follower);

/// Something of a framework's that follows a metric: a key result linked to it, a scorecard measure placed on it.
#[Object]
impl MetricFollower {
    /// Its global ID: resolve it with `node` for everything its framework says of it.
    async fn id(&self) -> ID {
        encode_id(self.0.type_name, self.0.id)
    }
    /// What it is, namespaced by its framework: `okr.key_result`, `scorecard.measure`.
    async fn kind(&self) -> &str {
        self.0.kind
    }
    /// The framework it belongs to: `okr`, `scorecard`.
    async fn framework(&self) -> &str {
        self.0.kind.split('.').next().unwrap_or(self.0.kind)
    }
    /// Its name: a key result's title, or a measure's objective's.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Where it sits, in words: its objective's title.
    async fn context(&self) -> Option<&str> {
        self.0.context.as_deref()
    }
    /// Who is accountable for it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.owner_id).await
    }
}

/// Keyed by metric.
pub struct MetricFollowers {
    scope: TenantScope,
    frameworks: Vec<Arc<dyn AnyFramework>>,
}

impl ScopedLoader for MetricFollowers {
    fn new(scope: TenantScope) -> Self {
        Self {
            scope,
            frameworks: Vec::new(),
        }
    }

    fn for_request(request: &RequestContext) -> Self {
        Self {
            scope: request.scope.clone(),
            frameworks: readable_frameworks(request),
        }
    }
}

impl Loader<Uuid> for MetricFollowers {
    type Value = Vec<Follower>;
    type Error = DomainError;

    async fn load(&self, keys: &[Uuid]) -> DomainResult<HashMap<Uuid, Vec<Follower>>> {
        let mut out: HashMap<Uuid, Vec<Follower>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for framework in &self.frameworks {
            for follower in framework.metric_followers(&self.scope, keys).await? {
                if let Some(list) = out.get_mut(&follower.metric_id) {
                    list.push(follower);
                }
            }
        }
        Ok(out)
    }
}

/// What follows `metric` in the enabled frameworks, of `kind` when given
/// (`okr.key_result`).
pub async fn followers_of(
    ctx: &Context<'_>,
    metric: Uuid,
    kind: Option<&str>,
) -> Result<Vec<MetricFollower>> {
    Ok(request(ctx)?
        .loader::<MetricFollowers, Uuid>()
        .load_one(metric)
        .await?
        .unwrap_or_default()
        .into_iter()
        .filter(|f| kind.is_none_or(|k| f.kind == k))
        .map(MetricFollower)
        .collect())
}
