//! The contract every framework (OKRs, scorecard, forecasts, feedback)
//! implements, and the helpers for its typed settings.

use std::sync::Arc;

use sea_orm::{DatabaseConnection, DbErr};
use serde::{Serialize, de::DeserializeOwned};

use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::tenancy::TenantScope;

/// Which way to run a framework's migrations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrationStep {
    /// Apply every pending migration.
    Up,
    /// Revert the last applied migration.
    Down,
}

/// One migration of one migrator and whether it is applied.
#[derive(Clone, Debug)]
pub struct MigrationState {
    pub name: String,
    pub applied: bool,
}

/// The GraphQL root fields a framework owns, so the server can refuse them
/// before execution when the framework is disabled for the tenant.
#[derive(Clone, Copy, Debug, Default)]
pub struct FrameworkRoots {
    pub query: Option<&'static str>,
    pub mutation: Option<&'static str>,
    pub subscriptions: &'static [&'static str],
}

#[async_trait::async_trait]
pub trait Framework: Send + Sync + 'static {
    /// Stored per tenant: `okr`, `scorecard`, …
    fn key(&self) -> &'static str;
    /// For people: "OKRs".
    fn name(&self) -> &'static str;
    fn roots(&self) -> FrameworkRoots;
    fn default_settings(&self) -> serde_json::Value;
    /// Checks raw settings and returns them complete, defaults filled in.
    /// Errors are `VALIDATION` with the field path under `settings`.
    fn validate_settings(&self, raw: &serde_json::Value) -> DomainResult<serde_json::Value>;
    /// Runs this framework's own migrator (its own migration table).
    async fn migrate(&self, db: &DatabaseConnection, step: MigrationStep) -> Result<(), DbErr>;
    async fn migration_status(&self, db: &DatabaseConnection)
    -> Result<Vec<MigrationState>, DbErr>;
    /// Reacts to a committed core event of a tenant that has it enabled.
    async fn on_event(&self, _scope: &TenantScope, _event: &DomainEvent) -> DomainResult<()> {
        Ok(())
    }
    /// Grows demo or benchmark data for a seeded tenant.
    async fn seed(&self, _scope: &TenantScope, _seed: u64) -> DomainResult<()> {
        Ok(())
    }
}

/// A framework's typed settings, stored per tenant as JSON and read with
/// [`TenantScope::settings`]: `#[serde(default, deny_unknown_fields)]`, so
/// defaults fill gaps and unknown keys are refused when saved.
pub trait FrameworkSettings:
    Serialize + DeserializeOwned + Default + Send + Sync + 'static
{
    /// The framework these settings belong to (`okr`, …).
    const FRAMEWORK: &'static str;
}

/// Every compiled framework; assembled by the api.
pub type FrameworkRegistry = Arc<[Arc<dyn Framework>]>;

/// Validates settings through a typed struct (`#[serde(default,
/// deny_unknown_fields)]`), so defaults fill gaps and unknown keys are refused.
pub fn validate_typed_settings<T: DeserializeOwned + Serialize>(
    raw: &serde_json::Value,
) -> DomainResult<(T, serde_json::Value)> {
    let raw = if raw.is_null() {
        serde_json::json!({})
    } else {
        raw.clone()
    };
    if !raw.is_object() {
        return Err(DomainError::validation(
            "settings",
            "settings must be a JSON object",
        ));
    }
    let typed: T = serde_json::from_value(raw)
        .map_err(|e| DomainError::validation("settings", format!("invalid settings: {e}")))?;
    let complete = serde_json::to_value(&typed)
        .map_err(|e| DomainError::Internal(format!("serialising settings: {e}")))?;
    Ok((typed, complete))
}
