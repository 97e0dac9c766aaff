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
use crate::enums::TokenScope;
use crate::error::{DomainError, DomainResult};
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

    /// Built for a request: by default from its scope alone; a loader that
    /// asks the enabled frameworks takes them from the request too.
    fn for_request(request: &RequestContext) -> Self {
        Self::new(request.scope.clone())
    }
}

/// Charges work to the caller's rate limits (the server's limiter): every
/// request one unit, a directory sync one more per record.
pub trait RateBudget: Send + Sync {
    /// Takes `units`, or answers `RATE_LIMITED` (with when to retry) or,
    /// for more than a limit could ever allow, `LIMIT_EXCEEDED`.
    fn charge(&self, units: u64) -> DomainResult<()>;
}

pub struct RequestContext {
    pub scope: TenantScope,
    pub user: user::Model,
    pub registry: FrameworkRegistry,
    /// Keys of the frameworks enabled for this tenant.
    pub enabled_frameworks: HashSet<String>,
    /// What a service account's token is narrowed to; `None`: everything
    /// the role may (a person's token, or an account without scopes).
    pub scopes: Option<Vec<TokenScope>>,
    budget: Option<Arc<dyn RateBudget>>,
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
            scopes: None,
            budget: None,
            batch_delay: Duration::from_millis(2),
            loaders: Mutex::new((0, HashMap::new())),
        }
    }

    /// Narrows the request to a service account's scopes.
    pub fn with_scopes(mut self, scopes: Option<Vec<TokenScope>>) -> Self {
        self.scopes = scopes;
        self
    }

    /// Charges this request's work to `budget`.
    pub fn with_budget(mut self, budget: Arc<dyn RateBudget>) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Charges `units` of work to the caller's rate limits (none without a budget).
    pub fn charge(&self, units: u64) -> DomainResult<()> {
        match &self.budget {
            Some(budget) => budget.charge(units),
            None => Ok(()),
        }
    }

    /// Whether the token's scopes allow `scope` (always, without scopes).
    pub fn allows(&self, scope: TokenScope) -> bool {
        self.scopes
            .as_ref()
            .is_none_or(|scopes| scopes.contains(&scope))
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
                DataLoader::with_cache(L::for_request(self), tokio::spawn, HashMapCache::default())
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
