//! Reading the audit log (writing happens in every mutation's transaction,
//! through `TenantTxn::record`).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, QueryFilter};
use uuid::Uuid;

use crate::entity::audit_entry;
use crate::error::DomainResult;
use crate::tenancy::{TenantScope, TenantSelect};

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actor_user_id: Option<Uuid>,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    /// Prefix match: `person.` finds every person action.
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// The tenant's audit entries matching `filter`; admins only.
pub fn query(
    scope: &TenantScope,
    filter: &AuditFilter,
) -> DomainResult<TenantSelect<audit_entry::Entity>> {
    scope.require_admin("reading the audit log")?;
    for (field, text) in [
        ("filter.action", filter.action.as_deref()),
        ("filter.entityType", filter.entity_type.as_deref()),
    ] {
        if text.is_some_and(|t| t.chars().count() > 200) {
            return Err(crate::error::DomainError::validation(
                field,
                "filter on at most 200 characters",
            ));
        }
    }
    let mut select = scope.select::<audit_entry::Entity>();
    if let Some(actor) = filter.actor_user_id {
        select = select.filter(audit_entry::Column::ActorUserId.eq(actor));
    }
    if let Some(entity_type) = &filter.entity_type {
        select = select.filter(audit_entry::Column::EntityType.eq(entity_type.as_str()));
    }
    if let Some(entity_id) = filter.entity_id {
        select = select.filter(audit_entry::Column::EntityId.eq(entity_id));
    }
    if let Some(action) = &filter.action {
        select = select.filter(audit_entry::Column::Action.starts_with(action.as_str()));
    }
    if let Some(from) = filter.from {
        select = select.filter(audit_entry::Column::OccurredAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(audit_entry::Column::OccurredAt.lt(to));
    }
    Ok(select)
}
