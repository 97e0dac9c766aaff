//! Verified sessions, kept for a few seconds: a steady stream of requests
//! with one token costs no SQL and no signature check. The token, the user,
//! the tenant, the membership and the tenant's frameworks (and their
//! settings) are looked up once
//! per token and tenant per TTL (`THROUGHLINE_SESSION_CACHE_SECONDS`,
//! default 5, 0 turns it off), and never past the token's own expiry.
//!
//! A change committed through this process in a tenant (a role, a
//! membership, a framework, the tenant's settings: any write) drops that
//! tenant's sessions at once. A change made elsewhere (another process, the
//! CLI, the database by hand) takes effect within the TTL.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use throughline_domain::service::users::Session;
use uuid::Uuid;

/// More live sessions than this and the expired ones go; if none has, all.
const MAX_SESSIONS: usize = 10_000;

/// What a request needs of its session.
#[derive(Clone, Debug)]
pub struct CachedSession {
    pub session: Session,
    pub enabled_frameworks: HashSet<String>,
    /// The enabled frameworks' settings.
    pub framework_settings: throughline_domain::tenancy::FrameworkSettingsSnapshot,
}

type Key = (String, Option<String>);

pub struct SessionCache {
    ttl: Duration,
    entries: Mutex<HashMap<Key, (Instant, Arc<CachedSession>)>>,
}

impl SessionCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Key, (Instant, Arc<CachedSession>)>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The session opened for `token` asking for `tenant`, while it is fresh.
    pub fn get(&self, token: &str, tenant: Option<&str>) -> Option<Arc<CachedSession>> {
        if self.ttl.is_zero() {
            return None;
        }
        let key = (token.to_string(), tenant.map(str::to_string));
        let entries = self.entries();
        entries
            .get(&key)
            .filter(|(until, _)| *until > Instant::now())
            .map(|(_, session)| session.clone())
    }

    /// Keeps a session for the TTL, or until the token expires (`expires_at`,
    /// seconds since the epoch) if that comes first.
    pub fn put(
        &self,
        token: &str,
        tenant: Option<&str>,
        expires_at: Option<u64>,
        session: CachedSession,
    ) {
        if self.ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut until = now + self.ttl;
        if let Some(expires_at) = expires_at {
            let epoch_now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs();
            until = until.min(now + Duration::from_secs(expires_at.saturating_sub(epoch_now)));
        }
        let mut entries = self.entries();
        if entries.len() >= MAX_SESSIONS {
            entries.retain(|_, (until, _)| *until > now);
            if entries.len() >= MAX_SESSIONS {
                entries.clear();
            }
        }
        entries.insert(
            (token.to_string(), tenant.map(str::to_string)),
            (until, Arc::new(session)),
        );
    }

    /// Drops every session in a tenant: something in it changed.
    pub fn forget_tenant(&self, tenant: Uuid) {
        self.entries()
            .retain(|_, (_, cached)| cached.session.tenant.id != tenant);
    }

    /// How many sessions are kept (for tests).
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
