//! What every resolver of one request can reach: the tenant scope, the
//! session, the enabled frameworks, and the request's DataLoaders.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

use crate::entity::user;
use crate::error::DomainError;
use crate::framework::FrameworkRegistry;
use crate::tenancy::TenantScope;

/// Keys per loader query. async-graphql's default (1000) would split a
/// 2,500-objective alignment tree's owners into three queries; 10,000 keeps
/// one query per relation and level for any realistic page or tree, and stays
/// below SQLite's 32,766 bound parameters.
pub const MAX_BATCH: usize = 10_000;

/// A DataLoader that can be built from the request's tenant scope, so every
/// loader is per request and has the tenant inside.
pub trait ScopedLoader: Sized + Send + Sync + 'static {
    fn new(scope: TenantScope) -> Self;
}

pub struct RequestContext {
    pub scope: TenantScope,
    pub user: user::Model,
    pub registry: FrameworkRegistry,
    /// Keys of the frameworks enabled for this tenant.
    pub enabled_frameworks: HashSet<String>,
    batch_delay: Duration,
    /// The loaders, and the scope's committed writes when they were made.
    loaders: Mutex<(u64, LoaderMap)>,
}

type LoaderMap = HashMap<TypeId, Arc<dyn Any + Send + Sync>>;

impl RequestContext {
    pub fn new(
        scope: TenantScope,
        user: user::Model,
        registry: FrameworkRegistry,
        enabled_frameworks: HashSet<String>,
    ) -> Self {
        Self {
            scope,
            user,
            registry,
            enabled_frameworks,
            batch_delay: Duration::from_millis(2),
            loaders: Mutex::new((0, HashMap::new())),
        }
    }

    /// How long loaders collect keys before querying.
    pub fn with_batch_delay(mut self, delay: Duration) -> Self {
        self.batch_delay = delay;
        self
    }

    /// The request's loader of type `L`, created on first use.
    pub fn loader<L, K>(&self) -> Arc<DataLoader<L, HashMapCache>>
    where
        L: ScopedLoader + Loader<K>,
        K: Send + Sync + Hash + Eq + Clone + 'static,
    {
        let mut guard = self
            .loaders
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Loaders cache per request (a key loaded once is not loaded again,
        // however late a resolver asks). Once this request has committed a
        // write, what they cached may be stale: start afresh, so a mutation's
        // payload never shows what an earlier mutation of the request read.
        let (made_at, loaders) = &mut *guard;
        let writes = self.scope.committed_writes();
        if *made_at != writes {
            loaders.clear();
            *made_at = writes;
        }
        let entry = loaders.entry(TypeId::of::<L>()).or_insert_with(|| {
            Arc::new(
                DataLoader::with_cache(
                    L::new(self.scope.clone()),
                    tokio::spawn,
                    HashMapCache::default(),
                )
                .delay(self.batch_delay)
                .max_batch_size(MAX_BATCH),
            ) as Arc<dyn Any + Send + Sync>
        });
        #[allow(
            clippy::expect_used,
            reason = "the map is keyed by the loader's own TypeId"
        )]
        entry
            .clone()
            .downcast::<DataLoader<L, HashMapCache>>()
            .expect("loader registered under its own type id")
    }
}

/// The request's context; absent only if the server forgot to authenticate.
pub fn request<'a>(ctx: &Context<'a>) -> Result<&'a RequestContext, async_graphql::Error> {
    ctx.data_opt::<RequestContext>()
        .ok_or_else(|| DomainError::Unauthenticated("sign in with a bearer token".into()).into())
}
