//! Users and memberships: who a verified token belongs to, and what they may
//! do in the tenant the request names.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::entity::{membership, person, tenant, user, user_identity};
use crate::enums::Role;
use crate::error::{DomainError, DomainResult};
use crate::tenancy::{Actor, TenantScope};

/// How far a token's `email` claim may be trusted to find a user who has
/// no identity for this token yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EmailAuthority {
    /// A token signed with this installation's own secret (the CLI's): it
    /// may add its identity to any user with that e-mail.
    Own,
    /// The identity provider verified the e-mail and linking is allowed: it
    /// may claim a user with that e-mail who has no identity yet.
    Verified,
    /// Never used to find an existing user.
    #[default]
    Unverified,
}

/// The verified claims of a bearer token.
#[derive(Clone, Debug, Default)]
pub struct Identity {
    /// The token's `iss`: with `sub`, what identifies a login.
    pub issuer: String,
    /// The token's `sub`.
    pub subject: String,
    pub email_authority: EmailAuthority,
    pub email: Option<String>,
    pub name: Option<String>,
    /// The tenant the token was issued for (`tenant` claim), if any.
    pub tenant: Option<String>,
    /// The role the token grants in that tenant (`role` claim), if any.
    pub role: Option<Role>,
    /// When the token expires (`exp`, seconds since the epoch).
    pub expires_at: Option<u64>,
}

/// The authenticated user acting in one tenant.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: user::Model,
    pub tenant: tenant::Model,
    pub actor: Actor,
}

pub(crate) fn unknown_tenant(slug: &str) -> DomainError {
    // Same answer whether the tenant exists or not: slugs are not an oracle.
    let shown: String = slug.chars().take(64).collect();
    DomainError::forbidden(format!("you have no membership in a tenant {shown:?}"))
}

/// Resolves the user and their role in the tenant named by `requested`
/// (the `X-Tenant` header) or by the token.
///
/// A token that names a tenant and a role is a grant (tokens minted by
/// `throughline token`): on first use it provisions the user and membership,
/// and it acts with the granted role in that tenant. Tokens without a role
/// (an identity provider's) act with the stored membership's role.
pub async fn open_session(
    db: &DatabaseConnection,
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
    // A slug that cannot exist (a NUL from a socket's init payload, a
    // megabyte of header) answers like an unknown one, before any query.
    if super::tenants::validate_slug("tenant", &slug).is_err() {
        return Err(unknown_tenant(&slug));
    }
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
            let inserted = TenantScope::for_sign_in(db, &tenant)
                .owned(membership::ActiveModel {
                    user_id: Set(user.id),
                    role: Set(role.as_str().to_string()),
                    person_id: Set(None),
                    created_at: Set(Utc::now()),
                    ..Default::default()
                })
                .insert(db)
                .await;
            match inserted {
                Ok(m) => m,
                // A parallel first request provisioned it a moment ago.
                Err(err) if is_unique_violation(&err) => {
                    membership::Entity::find_by_id((tenant.id, user.id))
                        .one(db)
                        .await?
                        .ok_or_else(|| DomainError::Internal("membership vanished".into()))?
                }
                Err(err) => return Err(err.into()),
            }
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
            service_account_id: None,
        },
        user,
        tenant,
    })
}

fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// Finds the user a token's `(iss, sub)` is bound to, or binds or creates
/// one. Parallel first requests with one new token (a UI's first page
/// load) race on unique keys; the loser retries and finds the winner's rows.
async fn find_or_provision_user(
    db: &DatabaseConnection,
    identity: &Identity,
) -> DomainResult<user::Model> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        match try_find_or_provision_user(db, identity).await {
            Err(Provision::Raced) if attempts < 3 => continue,
            Err(Provision::Raced) => {
                return Err(DomainError::Conflict(
                    "your first sign-in is being set up by another request; retry".into(),
                ));
            }
            Err(Provision::Failed(err)) => return Err(err),
            Ok(user) => return Ok(user),
        }
    }
}

enum Provision {
    Raced,
    Failed(DomainError),
}

impl From<sea_orm::DbErr> for Provision {
    fn from(err: sea_orm::DbErr) -> Self {
        if is_unique_violation(&err) {
            Provision::Raced
        } else {
            Provision::Failed(err.into())
        }
    }
}

impl From<DomainError> for Provision {
    fn from(err: DomainError) -> Self {
        Provision::Failed(err)
    }
}

async fn bind_identity<C: ConnectionTrait>(
    db: &C,
    identity: &Identity,
    user_id: Uuid,
) -> Result<(), sea_orm::DbErr> {
    user_identity::ActiveModel {
        issuer: Set(identity.issuer.clone()),
        subject: Set(identity.subject.clone()),
        user_id: Set(user_id),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .map(|_| ())
}

async fn try_find_or_provision_user(
    db: &DatabaseConnection,
    identity: &Identity,
) -> Result<user::Model, Provision> {
    if identity.subject.trim().is_empty() {
        return Err(
            DomainError::Unauthenticated("the token's subject (sub) is empty".into()).into(),
        );
    }
    // The steady state: one statement finds the user of a known identity.
    let bound = sea_orm::sea_query::Query::select()
        .column(user_identity::Column::UserId)
        .from(user_identity::Entity)
        .and_where(user_identity::Column::Issuer.eq(identity.issuer.as_str()))
        .and_where(user_identity::Column::Subject.eq(identity.subject.as_str()))
        .to_owned();
    if let Some(user) = user::Entity::find()
        .filter(user::Column::Id.in_subquery(bound))
        .one(db)
        .await?
    {
        return Ok(user);
    }
    let identities_of = |user_id: Uuid| async move {
        user_identity::Entity::find()
            .filter(user_identity::Column::UserId.eq(user_id))
            .count(db)
            .await
    };
    // Users who signed in before identities were bound to their issuer.
    if let Some(legacy) = user::Entity::find()
        .filter(user::Column::IdpSubject.eq(&identity.subject))
        .one(db)
        .await?
        && identities_of(legacy.id).await? == 0
    {
        bind_identity(db, identity, legacy.id).await?;
        return Ok(legacy);
    }
    let email = match &identity.email {
        Some(email) => super::email("email", email).map_err(|_| {
            DomainError::Unauthenticated("the token's email claim is not an e-mail address".into())
        })?,
        None => {
            return Err(DomainError::Unauthenticated(
                "the token has no email claim and its subject is not a known user".into(),
            )
            .into());
        }
    };
    if let Some(found) = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(db)
        .await?
    {
        let unbound = found.idp_subject.is_none() && identities_of(found.id).await? == 0;
        let may_link = match identity.email_authority {
            EmailAuthority::Own => true,
            EmailAuthority::Verified => unbound,
            EmailAuthority::Unverified => false,
        };
        if !may_link {
            return Err(DomainError::Unauthenticated(
                "an account with this e-mail already exists under another sign-in; a token's e-mail alone never claims it (ask an admin, or sign in as before)".into(),
            )
            .into());
        }
        bind_identity(db, identity, found.id).await?;
        return Ok(found);
    }
    let display_name = identity
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty() && !n.chars().any(char::is_control))
        .map(|n| n.chars().take(200).collect())
        .unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
    let tx = crate::tenancy::begin_write(db).await?;
    let user = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email),
        display_name: Set(display_name),
        idp_subject: Set(None),
        created_at: Set(Utc::now()),
        may_create_tenants: Set(false),
    }
    .insert(&tx)
    .await?;
    bind_identity(&tx, identity, user.id).await?;
    tx.commit().await?;
    Ok(user)
}

/// Links a membership to the tenant's Person with the user's e-mail, if any.
async fn link_person_by_email(
    db: &DatabaseConnection,
    tenant: &tenant::Model,
    user: &user::Model,
    membership: &membership::Model,
) -> DomainResult<Option<Uuid>> {
    let scope = TenantScope::for_sign_in(db, tenant);
    let Some(person) = scope
        .select::<person::Entity>()
        .filter(person::Column::Email.eq(&user.email))
        .one(&scope)
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

/// Grants or revokes the capability to create tenants (an operator's
/// command). The user must have signed in once.
pub async fn allow_tenant_creation<C: ConnectionTrait>(
    db: &C,
    email: &str,
    allowed: bool,
) -> DomainResult<user::Model> {
    let email = super::email("email", email)?;
    let Some(found) = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(db)
        .await?
    else {
        return Err(DomainError::validation(
            "email",
            format!("no user {email:?} has signed in yet; they sign in once first"),
        ));
    };
    let mut active: user::ActiveModel = found.into();
    active.may_create_tenants = Set(allowed);
    Ok(active.update(db).await?)
}
