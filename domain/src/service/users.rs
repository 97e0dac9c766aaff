//! Users and memberships: who a verified token belongs to, and what they may
//! do in the tenant the request names.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::entity::{membership, person, tenant, user};
use crate::enums::Role;
use crate::error::{DomainError, DomainResult};
use crate::tenancy::Actor;

/// The verified claims of a bearer token.
#[derive(Clone, Debug, Default)]
pub struct Identity {
    /// The token's `sub`.
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    /// The tenant the token was issued for (`tenant` claim), if any.
    pub tenant: Option<String>,
    /// The role the token grants in that tenant (`role` claim), if any.
    pub role: Option<Role>,
}

/// The authenticated user acting in one tenant.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: user::Model,
    pub tenant: tenant::Model,
    pub actor: Actor,
}

fn unknown_tenant(slug: &str) -> DomainError {
    // Same answer whether the tenant exists or not: slugs are not an oracle.
    DomainError::forbidden(format!("you have no membership in a tenant {slug:?}"))
}

/// Resolves the user and their role in the tenant named by `requested`
/// (the `X-Tenant` header) or by the token.
///
/// A token that names a tenant and a role is a grant (tokens minted by
/// `throughline token`): on first use it provisions the user and membership,
/// and it acts with the granted role in that tenant. Tokens without a role
/// (an identity provider's) act with the stored membership's role.
pub async fn open_session<C: ConnectionTrait>(
    db: &C,
    identity: &Identity,
    requested: Option<&str>,
) -> DomainResult<Session> {
    let user = find_or_provision_user(db, identity).await?;
    let slug = match (requested, identity.tenant.as_deref()) {
        (Some(slug), _) => slug.to_string(),
        (None, Some(slug)) => slug.to_string(),
        (None, None) => {
            let memberships = memberships_of(db, user.id).await?;
            match memberships.as_slice() {
                [(_, only)] => only.slug.clone(),
                [] => return Err(DomainError::forbidden("you are not a member of any tenant")),
                _ => {
                    return Err(DomainError::validation(
                        "X-Tenant",
                        "you belong to several tenants: name one with the X-Tenant header",
                    ));
                }
            }
        }
    };
    let tenant = tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(&slug))
        .one(db)
        .await?
        .ok_or_else(|| unknown_tenant(&slug))?;
    let grant = match (identity.tenant.as_deref(), identity.role) {
        (Some(granted_slug), Some(role)) if granted_slug == slug => Some(role),
        _ => None,
    };
    let existing = membership::Entity::find_by_id((tenant.id, user.id))
        .one(db)
        .await?;
    let membership = match (existing, grant) {
        (Some(m), _) => m,
        (None, Some(role)) => {
            membership::ActiveModel {
                tenant_id: Set(tenant.id),
                user_id: Set(user.id),
                role: Set(role.as_str().to_string()),
                person_id: Set(None),
                created_at: Set(Utc::now()),
            }
            .insert(db)
            .await?
        }
        (None, None) => return Err(unknown_tenant(&slug)),
    };
    let role = match grant {
        Some(role) => role,
        None => Role::parse(&membership.role)?,
    };
    let person_id = match membership.person_id {
        Some(id) => Some(id),
        None => link_person_by_email(db, &tenant, &user, &membership).await?,
    };
    Ok(Session {
        actor: Actor {
            user_id: Some(user.id),
            role,
            person_id,
        },
        user,
        tenant,
    })
}

async fn find_or_provision_user<C: ConnectionTrait>(
    db: &C,
    identity: &Identity,
) -> DomainResult<user::Model> {
    if let Some(found) = user::Entity::find()
        .filter(user::Column::IdpSubject.eq(&identity.subject))
        .one(db)
        .await?
    {
        return Ok(found);
    }
    let email = match &identity.email {
        Some(email) => super::email("email", email).map_err(|_| {
            DomainError::Unauthenticated("the token's email claim is not an e-mail address".into())
        })?,
        None => {
            return Err(DomainError::Unauthenticated(
                "the token has no email claim and its subject is not a known user".into(),
            ));
        }
    };
    if let Some(found) = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(db)
        .await?
    {
        // First login through this identity: remember the subject.
        if found.idp_subject.is_none() {
            let mut active: user::ActiveModel = found.into();
            active.idp_subject = Set(Some(identity.subject.clone()));
            return Ok(active.update(db).await?);
        }
        return Ok(found);
    }
    let display_name = identity
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
    Ok(user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email),
        display_name: Set(display_name),
        idp_subject: Set(Some(identity.subject.clone())),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?)
}

/// Links a membership to the tenant's Person with the user's e-mail, if any.
async fn link_person_by_email<C: ConnectionTrait>(
    db: &C,
    tenant: &tenant::Model,
    user: &user::Model,
    membership: &membership::Model,
) -> DomainResult<Option<Uuid>> {
    let Some(person) = person::Entity::find()
        .filter(person::Column::TenantId.eq(tenant.id))
        .filter(person::Column::Email.eq(&user.email))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let mut active: membership::ActiveModel = membership.clone().into();
    active.person_id = Set(Some(person.id));
    active.update(db).await?;
    Ok(Some(person.id))
}

/// Every tenant the user belongs to, with their role there, by slug.
pub async fn memberships_of<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> DomainResult<Vec<(membership::Model, tenant::Model)>> {
    let memberships = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    let tenant_ids: Vec<Uuid> = memberships.iter().map(|m| m.tenant_id).collect();
    let tenants = tenant::Entity::find()
        .filter(tenant::Column::Id.is_in(tenant_ids))
        .order_by_asc(tenant::Column::Slug)
        .all(db)
        .await?;
    Ok(tenants
        .into_iter()
        .filter_map(|t| {
            memberships
                .iter()
                .find(|m| m.tenant_id == t.id)
                .map(|m| (m.clone(), t))
        })
        .collect())
}
