//! The contract every framework (OKRs, scorecard, forecasts, feedback)
//! implements: typed ([`Framework`]) for its author, erased
//! ([`AnyFramework`]) for the registry.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::{DatabaseConnection, DbErr};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

use async_graphql::{ObjectType, SubscriptionType};
use sea_orm_migration::MigratorTrait;

use crate::core_events::CoreEvent;
use crate::error::{DomainError, DomainResult};
use crate::exceptions::{Exception, ExceptionWindow};
use crate::tenancy::{TenantScope, TenantTxn};

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
/// before execution when the framework is disabled for the tenant. Read off
/// the framework's root types, never written by hand.
#[derive(Clone, Copy, Debug, Default)]
pub struct FrameworkRoots {
    pub query: &'static [&'static str],
    pub mutation: &'static [&'static str],
    pub subscriptions: &'static [&'static str],
}

/// A document a framework serves over plain HTTP beside GraphQL (a
/// picture, an export a browser opens), at `GET /{key}/{path}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// `image/svg+xml`, `text/csv; charset=utf-8`, …
    pub content_type: &'static str,
    pub body: String,
}

/// Something of a framework's that follows a core metric: a key result
/// linked to it, a scorecard measure placed on it. Frameworks meet each
/// other here, through the metric, never through each other's code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricFollower {
    pub metric_id: Uuid,
    /// What it is, namespaced by the framework: `okr.key_result`,
    /// `scorecard.measure`.
    pub kind: &'static str,
    /// Its GraphQL type, for its global ID (`OkrKeyResult`).
    pub type_name: &'static str,
    pub id: Uuid,
    pub title: String,
    /// Where it sits, in words: its objective's title.
    pub context: Option<String>,
    pub owner_id: Option<Uuid>,
}

/// A document request's query string, decoded (a key given twice keeps its
/// last value).
pub type DocumentParams = HashMap<String, String>;

/// A framework's typed settings, stored per tenant as JSON: `#[serde(default,
/// deny_unknown_fields, rename_all = "camelCase")]`, so defaults fill gaps
/// and unknown keys are refused; the JSON Schema (for a consultant's settings
/// form) is derived from the same type.
pub trait FrameworkSettings:
    Serialize + DeserializeOwned + Default + schemars::JsonSchema + Clone + Send + Sync + 'static
{
    /// Rules the types cannot say (ranges, one field against another):
    /// `VALIDATION` with the field's path under `settings`.
    fn check(&self) -> DomainResult<()> {
        Ok(())
    }
}

/// The contract a framework implements (OKRs, scorecard, forecasts,
/// feedback). Every hook has a default; the registry holds it erased as
/// [`AnyFramework`].
#[async_trait::async_trait]
pub trait Framework: Send + Sync + 'static {
    /// Stored per tenant: `okr`, `scorecard`, …
    const KEY: &'static str;
    /// For people: "OKRs".
    const NAME: &'static str;
    type Settings: FrameworkSettings;
    /// Its own sea-orm migrator, with its own migration table.
    type Migrator: MigratorTrait;
    /// Its part of the query root: one namespace field, `okr { … }`.
    type Query: ObjectType + Default + 'static;
    /// Its part of the mutation root: one namespace field (serial inside).
    type Mutation: ObjectType + Default + 'static;
    /// Its subscription fields, named after it.
    type Subscription: SubscriptionType + Default + 'static;

    /// Runs in the transaction that switches it on for a tenant (create the
    /// tenant's defaults here); an error refuses the switch.
    async fn on_enabled(
        &self,
        _tx: &TenantTxn<'_>,
        _settings: &Self::Settings,
    ) -> DomainResult<()> {
        Ok(())
    }

    /// Runs in the transaction that switches it off; its data stays.
    async fn on_disabled(&self, _tx: &TenantTxn<'_>) -> DomainResult<()> {
        Ok(())
    }

    /// Reacts to a committed core event of a tenant that has it enabled.
    async fn on_event(&self, _scope: &TenantScope, _event: &CoreEvent) -> DomainResult<()> {
        Ok(())
    }

    /// Grows demo or benchmark data for a seeded tenant.
    async fn seed(&self, _scope: &TenantScope, _seed: u64) -> DomainResult<()> {
        Ok(())
    }

    /// What needs attention in the tenant now, as the scope's actor may see
    /// it (a private item never reaches anyone who may not see it), for the
    /// exceptions feed: a constant number of statements however large the
    /// tenant. `window` says which days of arising the feed asks for (the
    /// feed filters on it too; use it to read less). Kinds are namespaced
    /// with the framework's key (`okr.key_result_behind`). Shared, not
    /// copied: a framework may keep what it flagged across requests while
    /// nothing it rests on moved, and hand out the same items.
    async fn exceptions(
        &self,
        _scope: &TenantScope,
        _window: &ExceptionWindow,
    ) -> DomainResult<Vec<Arc<Exception>>> {
        Ok(Vec::new())
    }

    /// The document at `path` under the framework's own prefix (`GET
    /// /{KEY}/{path}?params`), read as the scope's actor: `None` when there
    /// is none there (the server answers 404). The server has already
    /// authenticated the caller, opened their tenant, charged the rate
    /// limit and checked the framework is enabled; errors are coded like
    /// GraphQL's (`VALIDATION` with the parameter's name, `NOT_FOUND`).
    async fn document(
        &self,
        _scope: &TenantScope,
        _path: &str,
        _params: &DocumentParams,
    ) -> DomainResult<Option<Document>> {
        Ok(None)
    }

    /// What of the framework's follows `metrics`, as the scope's actor may
    /// see it (a private objective's key result never reaches anyone who
    /// may not see the objective): a constant number of statements however
    /// many metrics.
    async fn metric_followers(
        &self,
        _scope: &TenantScope,
        _metrics: &[Uuid],
    ) -> DomainResult<Vec<MetricFollower>> {
        Ok(Vec::new())
    }
}

/// A framework with its types erased, as the registry holds it.
#[async_trait::async_trait]
pub trait AnyFramework: Send + Sync + 'static {
    fn key(&self) -> &'static str;
    fn name(&self) -> &'static str;
    fn roots(&self) -> FrameworkRoots;
    fn default_settings(&self) -> serde_json::Value;
    /// Checks raw settings and returns them complete, defaults filled in.
    /// Errors are `VALIDATION` with the field path under `settings`.
    fn validate_settings(&self, raw: &serde_json::Value) -> DomainResult<serde_json::Value>;
    /// The settings' JSON Schema (draft 2020-12).
    fn settings_schema(&self) -> serde_json::Value;
    async fn migrate(&self, db: &DatabaseConnection, step: MigrationStep) -> Result<(), DbErr>;
    async fn migration_status(&self, db: &DatabaseConnection)
    -> Result<Vec<MigrationState>, DbErr>;
    async fn on_enabled(
        &self,
        tx: &TenantTxn<'_>,
        settings: &serde_json::Value,
    ) -> DomainResult<()>;
    async fn on_disabled(&self, tx: &TenantTxn<'_>) -> DomainResult<()>;
    async fn on_event(&self, scope: &TenantScope, event: &CoreEvent) -> DomainResult<()>;
    async fn seed(&self, scope: &TenantScope, seed: u64) -> DomainResult<()>;
    async fn exceptions(
        &self,
        scope: &TenantScope,
        window: &ExceptionWindow,
    ) -> DomainResult<Vec<Arc<Exception>>>;
    async fn document(
        &self,
        scope: &TenantScope,
        path: &str,
        params: &DocumentParams,
    ) -> DomainResult<Option<Document>>;
    async fn metric_followers(
        &self,
        scope: &TenantScope,
        metrics: &[Uuid],
    ) -> DomainResult<Vec<MetricFollower>>;
}

#[async_trait::async_trait]
impl<F: Framework> AnyFramework for F {
    fn key(&self) -> &'static str {
        F::KEY
    }
    fn name(&self) -> &'static str {
        F::NAME
    }
    fn roots(&self) -> FrameworkRoots {
        roots_of::<F>()
    }
    fn default_settings(&self) -> serde_json::Value {
        serde_json::to_value(F::Settings::default()).unwrap_or_default()
    }
    fn validate_settings(&self, raw: &serde_json::Value) -> DomainResult<serde_json::Value> {
        let (typed, complete) = validate_typed_settings::<F::Settings>(raw)?;
        typed.check()?;
        Ok(complete)
    }
    fn settings_schema(&self) -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(F::Settings)).unwrap_or_default()
    }
    async fn migrate(&self, db: &DatabaseConnection, step: MigrationStep) -> Result<(), DbErr> {
        match step {
            MigrationStep::Up => F::Migrator::up(db, None).await,
            MigrationStep::Down => F::Migrator::down(db, None).await,
        }
    }
    async fn migration_status(
        &self,
        db: &DatabaseConnection,
    ) -> Result<Vec<MigrationState>, DbErr> {
        Ok(F::Migrator::get_migration_with_status(db)
            .await?
            .into_iter()
            .map(|m| MigrationState {
                name: m.name().to_string(),
                applied: m.status() == sea_orm_migration::MigrationStatus::Applied,
            })
            .collect())
    }
    async fn on_enabled(
        &self,
        tx: &TenantTxn<'_>,
        settings: &serde_json::Value,
    ) -> DomainResult<()> {
        let typed: F::Settings = serde_json::from_value(settings.clone()).unwrap_or_default();
        Framework::on_enabled(self, tx, &typed).await
    }
    async fn on_disabled(&self, tx: &TenantTxn<'_>) -> DomainResult<()> {
        Framework::on_disabled(self, tx).await
    }
    async fn on_event(&self, scope: &TenantScope, event: &CoreEvent) -> DomainResult<()> {
        Framework::on_event(self, scope, event).await
    }
    async fn seed(&self, scope: &TenantScope, seed: u64) -> DomainResult<()> {
        Framework::seed(self, scope, seed).await
    }
    async fn exceptions(
        &self,
        scope: &TenantScope,
        window: &ExceptionWindow,
    ) -> DomainResult<Vec<Arc<Exception>>> {
        Framework::exceptions(self, scope, window).await
    }
    async fn document(
        &self,
        scope: &TenantScope,
        path: &str,
        params: &DocumentParams,
    ) -> DomainResult<Option<Document>> {
        Framework::document(self, scope, path, params).await
    }
    async fn metric_followers(
        &self,
        scope: &TenantScope,
        metrics: &[Uuid],
    ) -> DomainResult<Vec<MetricFollower>> {
        Framework::metric_followers(self, scope, metrics).await
    }
}

/// The root fields of `F`'s root types, read once from async-graphql's type
/// registry and kept for the life of the process.
fn roots_of<F: Framework>() -> FrameworkRoots {
    use std::any::TypeId;
    use std::collections::HashMap;
    use std::sync::{OnceLock, RwLock};
    // Read on every request (gating); written once per framework type.
    static CACHE: OnceLock<RwLock<HashMap<TypeId, FrameworkRoots>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(roots) = cache
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(&TypeId::of::<F>())
    {
        return *roots;
    }
    let mut cache = cache
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    *cache.entry(TypeId::of::<F>()).or_insert_with(|| {
        let mut registry = async_graphql::registry::Registry::default();
        let query = <F::Query as async_graphql::OutputType>::create_type_info(&mut registry);
        let mutation = <F::Mutation as async_graphql::OutputType>::create_type_info(&mut registry);
        let subscription = <F::Subscription as SubscriptionType>::create_type_info(&mut registry);
        // Leaked once per framework type: root names live as long as the server.
        let fields = |type_name: &str| -> Vec<&'static str> {
            // `create_type_info` answers the qualified name (`OkrQueryRoot!`).
            match registry.types.get(type_name.trim_end_matches('!')) {
                Some(async_graphql::registry::MetaType::Object { fields, .. }) => fields
                    .keys()
                    .map(|name| &*Box::leak(name.clone().into_boxed_str()))
                    .collect(),
                _ => Vec::new(),
            }
        };
        FrameworkRoots {
            query: Box::leak(fields(&query).into_boxed_slice()),
            mutation: Box::leak(fields(&mutation).into_boxed_slice()),
            subscriptions: Box::leak(fields(&subscription).into_boxed_slice()),
        }
    })
}

/// JSON Schema support for settings types.
pub mod schema {
    pub use schemars::{JsonSchema, Schema, SchemaGenerator};

    /// The schema of a string enum, from the values as serde writes them.
    pub fn string_enum<T: serde::Serialize>(values: &[&T]) -> Schema {
        let names: Vec<serde_json::Value> = values
            .iter()
            .filter_map(|v| serde_json::to_value(v).ok())
            .collect();
        let mut map = serde_json::Map::new();
        map.insert("type".into(), "string".into());
        map.insert("enum".into(), names.into());
        Schema::from(map)
    }
}

/// Every compiled framework; assembled by the api.
pub type FrameworkRegistry = Arc<[Arc<dyn AnyFramework>]>;

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
