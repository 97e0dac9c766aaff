//! What every HTTP handler shares.

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use throughline_domain::FrameworkRegistry;
use throughline_domain::events::EventBus;

use crate::auth::Authenticator;
use crate::config::Limits;
use crate::sessions::SessionCache;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub auth: Arc<Authenticator>,
    pub registry: FrameworkRegistry,
    pub events: EventBus,
    pub limits: Limits,
    /// Verified sessions, kept for `limits.session_cache_ttl`.
    pub sessions: Arc<SessionCache>,
    /// Requests (and sync records) per minute, per tenant and per client.
    pub rate_limiter: Arc<crate::rate_limits::RateLimiter>,
}
