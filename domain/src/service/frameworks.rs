//! Switching frameworks on and off per tenant, and their settings.

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, Set};

use crate::entity::tenant_framework;
use crate::error::{DomainError, DomainResult};
use crate::framework::{AnyFramework, FrameworkRegistry};
use crate::tenancy::{Change, TenantScope};

/// One compiled framework as seen by one tenant.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantFramework {
    pub key: &'static str,
    pub name: &'static str,
    pub enabled: bool,
    /// The stored settings, or the defaults for a framework never enabled.
    pub settings: serde_json::Value,
    /// 0 for a framework never enabled in this tenant.
    pub version: i32,
}

/// Every compiled framework, with this tenant's switch and settings.
pub async fn list(
    scope: &TenantScope,
    registry: &FrameworkRegistry,
) -> DomainResult<Vec<TenantFramework>> {
    let rows = scope
        .select::<tenant_framework::Entity>()
        .all(scope)
        .await?;
    Ok(registry
        .iter()
        .map(|framework| {
            let row = rows.iter().find(|r| r.framework_key == framework.key());
            TenantFramework {
                key: framework.key(),
                name: framework.name(),
                enabled: row.is_some_and(|r| r.enabled),
                settings: row.map_or_else(|| framework.default_settings(), |r| r.settings.clone()),
                version: row.map_or(0, |r| r.version),
            }
        })
        .collect())
}

/// The enabled frameworks' stored settings, by framework key.
pub async fn enabled_settings(
    scope: &TenantScope,
) -> DomainResult<std::collections::HashMap<String, serde_json::Value>> {
    Ok(scope
        .select::<tenant_framework::Entity>()
        .filter(tenant_framework::Column::Enabled.eq(true))
        .all(scope)
        .await?
        .into_iter()
        .map(|row| (row.framework_key, row.settings))
        .collect())
}

/// The keys of the frameworks enabled for the scope's tenant, sorted.
pub async fn enabled_keys(scope: &TenantScope) -> DomainResult<Vec<String>> {
    let mut keys: Vec<String> = enabled_settings(scope).await?.into_keys().collect();
    keys.sort();
    Ok(keys)
}

pub fn find<'r>(
    registry: &'r FrameworkRegistry,
    field: &str,
    key: &str,
) -> DomainResult<&'r dyn AnyFramework> {
    registry
        .iter()
        .find(|f| f.key() == key)
        .map(|f| f.as_ref())
        .ok_or_else(|| {
            let known: Vec<&str> = registry.iter().map(|f| f.key()).collect();
            DomainError::validation(
                field,
                format!("unknown framework {key:?}; known: {}", known.join(", ")),
            )
        })
}

/// How a change treats the stored settings.
#[derive(Clone, Copy, Debug)]
pub enum SettingsChange<'a> {
    /// Leave them as they are.
    Keep,
    /// Change the keys given, like every other update: omitted keys stay,
    /// a key given as `null` goes back to its default.
    Merge(&'a serde_json::Value),
    /// Replace them: omitted keys take their defaults.
    Replace(&'a serde_json::Value),
}

/// `patch` over `stored`, key by key (top level): null removes a key so its
/// default applies. A patch that is not an object is left for validation
/// to refuse.
fn merged(stored: &serde_json::Value, patch: &serde_json::Value) -> serde_json::Value {
    let (Some(stored), Some(patch)) = (stored.as_object(), patch.as_object()) else {
        return patch.clone();
    };
    let mut out = stored.clone();
    for (key, value) in patch {
        if value.is_null() {
            out.remove(key);
        } else {
            out.insert(key.clone(), value.clone());
        }
    }
    serde_json::Value::Object(out)
}

/// Turns a framework on or off, optionally changing its settings. Disabling
/// keeps the framework's data and settings; enabling again brings both back.
pub async fn set_framework(
    scope: &TenantScope,
    registry: &FrameworkRegistry,
    key: &str,
    enabled: Option<bool>,
    settings: SettingsChange<'_>,
) -> DomainResult<TenantFramework> {
    scope.require_admin("configuring frameworks")?;
    let framework = find(registry, "input.key", key)?;
    let mut tx = scope.begin().await?;
    let current = tx
        .select::<tenant_framework::Entity>()
        .filter(tenant_framework::Column::FrameworkKey.eq(framework.key()))
        .one(&tx)
        .await?;
    let raw = match settings {
        SettingsChange::Keep => None,
        SettingsChange::Replace(raw) => Some(raw.clone()),
        SettingsChange::Merge(patch) => {
            let stored = current
                .as_ref()
                .map_or_else(|| framework.default_settings(), |row| row.settings.clone());
            Some(merged(&stored, patch))
        }
    };
    let validated = raw
        .map(|raw| {
            framework
                .validate_settings(&raw)
                .map_err(|e| e.within("input"))
        })
        .transpose()?;
    let now = Utc::now();
    let after = match &current {
        Some(row) => {
            let mut active: tenant_framework::ActiveModel = row.clone().into();
            if let Some(enabled) = enabled {
                active.enabled = Set(enabled);
            }
            if let Some(settings) = &validated {
                active.settings = Set(settings.clone());
            }
            active.updated_at = Set(now);
            active.version = Set(row.version + 1);
            tx.save(active).await?
        }
        None => {
            tx.insert(tenant_framework::ActiveModel {
                framework_key: Set(framework.key().to_string()),
                enabled: Set(enabled.unwrap_or(false)),
                settings: Set(validated.unwrap_or_else(|| framework.default_settings())),
                updated_at: Set(now),
                version: Set(1),
                ..Default::default()
            })
            .await?
        }
    };
    let was_enabled = current.as_ref().is_some_and(|row| row.enabled);
    if after.enabled && !was_enabled {
        framework.on_enabled(&tx, &after.settings).await?;
    } else if was_enabled && !after.enabled {
        framework.on_disabled(&tx).await?;
    }
    let action = match enabled {
        Some(true) => "framework.enabled",
        Some(false) => "framework.disabled",
        None => "framework.settings_updated",
    };
    tx.record(Change {
        action,
        entity_type: "TenantFramework",
        entity_id: scope.tenant_id(),
        before: current.as_ref(),
        after: Some(&after),
    })
    .await?;
    tx.commit().await?;
    Ok(TenantFramework {
        key: framework.key(),
        name: framework.name(),
        enabled: after.enabled,
        settings: after.settings,
        version: after.version,
    })
}
