//! Service accounts: the tenant's non-human clients (an HRIS sync, a BI
//! feed). An admin creates one with a role and optional scopes and receives
//! its token once; only the token's SHA-256 is kept. Rotation issues a new
//! token while the old one keeps working for a grace period (two valid at
//! most); revocation takes effect on the very next request, in every server
//! process, because every request with such a token checks it in one
//! indexed statement.

use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::required_text;
use super::tenants::validate_rate_limit;
use super::users::Session;
use crate::entity::{service_account, service_account_token, tenant, user, user_identity};
use crate::enums::{Role, TokenScope};
use crate::error::{DomainError, DomainResult};
use crate::events::Change;
use crate::tenancy::{Actor, TenantScope, TenantSelect};

/// Every service account token starts with this, so a server tells it from
/// a JWT without trying to decode it, and secret scanners can find leaked ones.
pub const TOKEN_PREFIX: &str = "tlsa_";
/// The issuer a service account's user is bound to: no token of an identity
/// provider can claim that user by e-mail.
pub const ISSUER: &str = "throughline:service-account";
/// How long a rotated-out token keeps working unless the rotation says.
pub const DEFAULT_ROTATION_GRACE_SECONDS: i32 = 24 * 3600;
pub const MAX_ROTATION_GRACE_SECONDS: i32 = 7 * 24 * 3600;
/// Active service accounts per tenant: a bound on what one admin (or a
/// stolen admin token) can mint.
pub const MAX_ACCOUNTS_PER_TENANT: u64 = 100;
const MAX_NAME_CHARS: usize = 100;
/// `last_used_at` is written at most this often per token: a token used
/// many times a second costs one write a minute.
const LAST_USED_RESOLUTION_SECONDS: i64 = 60;

/// Whether a bearer token is a service account's (rather than a JWT).
pub fn is_service_account_token(token: &str) -> bool {
    token.starts_with(TOKEN_PREFIX)
}

fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A new token: 256 random bits after the prefix.
struct NewToken {
    token: String,
    hash: String,
    hint: String,
}

fn new_token() -> NewToken {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    NewToken {
        hash: hash_token(&token),
        hint: format!("{}…", &token[..TOKEN_PREFIX.len() + 4]),
        token,
    }
}

/// The scopes as stored: each once, in the enum's order, space-separated.
fn scopes_text(scopes: &[TokenScope]) -> String {
    TokenScope::ALL
        .iter()
        .filter(|scope| scopes.contains(scope))
        .map(|scope| scope.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A stored account's scopes; empty means everything its role may do.
pub fn scopes_of(account: &service_account::Model) -> Vec<TokenScope> {
    account
        .scopes
        .split_whitespace()
        .filter_map(|text| TokenScope::ALL.iter().copied().find(|s| s.as_str() == text))
        .collect()
}

/// A service account and the token just issued for it: shown this once.
pub struct IssuedToken {
    pub account: service_account::Model,
    pub token: String,
    pub token_row: service_account_token::Model,
}

/// What an admin gives for a new service account.
pub struct NewServiceAccount {
    pub name: String,
    pub role: Role,
    pub scopes: Vec<TokenScope>,
    pub rate_limit_per_minute: Option<i32>,
}

/// A change to a service account; `None` leaves a field as it is.
#[derive(Default)]
pub struct ServiceAccountChanges {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub scopes: Option<Vec<TokenScope>>,
    /// `Some(None)` goes back to the tenant's per-client limit.
    pub rate_limit_per_minute: Option<Option<i32>>,
}

const DOING: &str = "managing service accounts";

/// Admins manage service accounts, signed in as themselves: a service
/// account's token (an admin one included) cannot mint or keep alive others,
/// so a leaked token's reach ends when it is revoked.
pub fn authorize(scope: &TenantScope) -> DomainResult<()> {
    scope.require_admin(DOING)?;
    if scope.actor().service_account_id.is_some() {
        return Err(DomainError::forbidden(
            "service accounts cannot manage service accounts; an admin signs in as themselves for that",
        ));
    }
    Ok(())
}

fn revoked_error() -> DomainError {
    DomainError::validation(
        "input.id",
        "this service account was revoked; create a new one instead",
    )
}

/// The tenant's service accounts, oldest first; revoked ones only if asked.
pub fn query(
    scope: &TenantScope,
    include_revoked: bool,
) -> DomainResult<TenantSelect<service_account::Entity>> {
    authorize(scope)?;
    let select = scope.select::<service_account::Entity>();
    Ok(if include_revoked {
        select
    } else {
        select.filter(service_account::Column::RevokedAt.is_null())
    })
}

/// The tokens of these accounts, newest first (for the `tokens` field).
pub async fn tokens_of(
    scope: &TenantScope,
    accounts: &[Uuid],
) -> DomainResult<Vec<service_account_token::Model>> {
    Ok(scope
        .select::<service_account_token::Entity>()
        .filter(service_account_token::Column::ServiceAccountId.is_in(accounts.iter().copied()))
        .order_by_desc(service_account_token::Column::CreatedAt)
        .all(scope)
        .await?)
}

/// Creates a service account and its first token. Audited; the token
/// itself is in no log and no audit entry.
pub async fn create(scope: &TenantScope, input: NewServiceAccount) -> DomainResult<IssuedToken> {
    authorize(scope)?;
    let name = required_text("input.name", &input.name, MAX_NAME_CHARS)?;
    if let Some(limit) = input.rate_limit_per_minute {
        validate_rate_limit("input.rateLimitPerMinute", limit)?;
    }
    let mut tx = scope.begin().await?;
    // The count and the name are checked under the tenant's lock: two
    // parallel creations cannot both pass.
    tx.lock_tenant().await?;
    let active = tx
        .select::<service_account::Entity>()
        .filter(service_account::Column::RevokedAt.is_null())
        .all(&tx)
        .await?;
    if active.len() as u64 >= MAX_ACCOUNTS_PER_TENANT {
        return Err(DomainError::LimitExceeded(format!(
            "a tenant has at most {MAX_ACCOUNTS_PER_TENANT} active service accounts; revoke those no longer used"
        )));
    }
    if active.iter().any(|a| a.name.eq_ignore_ascii_case(&name)) {
        return Err(DomainError::validation(
            "input.name",
            format!("an active service account is already named {name:?}"),
        ));
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    // The login it acts as: audit entries name it like anyone else.
    let acting_user = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        // `.invalid` (RFC 2606) can never be anyone's mailbox.
        email: Set(format!("{id}@service-accounts.invalid")),
        display_name: Set(name.clone()),
        idp_subject: Set(None),
        created_at: Set(now),
        may_create_tenants: Set(false),
    }
    .insert(tx.conn())
    .await?;
    // Bound to an identity, so no token can adopt this user by e-mail.
    user_identity::ActiveModel {
        issuer: Set(ISSUER.to_string()),
        subject: Set(id.to_string()),
        user_id: Set(acting_user.id),
        created_at: Set(now),
    }
    .insert(tx.conn())
    .await?;
    let account = tx
        .insert(service_account::ActiveModel {
            id: Set(id),
            user_id: Set(acting_user.id),
            name: Set(name),
            role: Set(input.role.as_str().to_string()),
            scopes: Set(scopes_text(&input.scopes)),
            rate_limit_per_minute: Set(input.rate_limit_per_minute),
            created_by_user_id: Set(scope.actor().user_id),
            created_at: Set(now),
            updated_at: Set(now),
            revoked_at: Set(None),
            ..Default::default()
        })
        .await?;
    let (token, token_row) = issue(&mut tx, &account, now).await?;
    tx.record(Change::created(
        "service_account.created",
        "ServiceAccount",
        account.id,
        &account,
    ))
    .await?;
    tx.commit().await?;
    Ok(IssuedToken {
        account,
        token,
        token_row,
    })
}

async fn issue(
    tx: &mut crate::tenancy::TenantTxn<'_>,
    account: &service_account::Model,
    now: DateTime<Utc>,
) -> DomainResult<(String, service_account_token::Model)> {
    let fresh = new_token();
    let row = tx
        .insert(service_account_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            service_account_id: Set(account.id),
            secret_hash: Set(fresh.hash),
            hint: Set(fresh.hint),
            created_at: Set(now),
            expires_at: Set(None),
            revoked_at: Set(None),
            last_used_at: Set(None),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "service_account.token_issued",
        "ServiceAccountToken",
        row.id,
        &row,
    ))
    .await?;
    Ok((fresh.token, row))
}

/// Changes a service account's name, role, scopes or rate limit; its tokens
/// act with the new rights from their next request. Audited.
pub async fn update(
    scope: &TenantScope,
    id: Uuid,
    changes: ServiceAccountChanges,
) -> DomainResult<service_account::Model> {
    authorize(scope)?;
    let name = changes
        .name
        .as_deref()
        .map(|name| required_text("input.name", name, MAX_NAME_CHARS))
        .transpose()?;
    if let Some(Some(limit)) = changes.rate_limit_per_minute {
        validate_rate_limit("input.rateLimitPerMinute", limit)?;
    }
    let mut tx = scope.begin().await?;
    tx.lock_tenant().await?;
    let current = tx
        .load::<service_account::Entity>(id, "service account")
        .await?;
    if current.revoked_at.is_some() {
        return Err(revoked_error());
    }
    let mut after = current.clone();
    if let Some(name) = name {
        let taken = tx
            .select::<service_account::Entity>()
            .filter(service_account::Column::RevokedAt.is_null())
            .filter(service_account::Column::Id.ne(id))
            .all(&tx)
            .await?
            .iter()
            .any(|a| a.name.eq_ignore_ascii_case(&name));
        if taken {
            return Err(DomainError::validation(
                "input.name",
                format!("an active service account is already named {name:?}"),
            ));
        }
        after.name = name;
    }
    if let Some(role) = changes.role {
        after.role = role.as_str().to_string();
    }
    if let Some(scopes) = &changes.scopes {
        after.scopes = scopes_text(scopes);
    }
    if let Some(limit) = changes.rate_limit_per_minute {
        after.rate_limit_per_minute = limit;
    }
    if after == current {
        return Ok(current);
    }
    let mut changed = service_account::ActiveModel::from(current.clone());
    changed.name = Set(after.name);
    changed.role = Set(after.role);
    changed.scopes = Set(after.scopes);
    changed.rate_limit_per_minute = Set(after.rate_limit_per_minute);
    changed.updated_at = Set(Utc::now());
    let after = tx.save(changed).await?;
    if after.name != current.name {
        user::Entity::update_many()
            .col_expr(user::Column::DisplayName, after.name.clone().into())
            .filter(user::Column::Id.eq(after.user_id))
            .exec(tx.conn())
            .await?;
    }
    tx.record(Change::updated(
        "service_account.updated",
        "ServiceAccount",
        id,
        &current,
        &after,
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Issues a new token; the account's current token keeps working for
/// `grace_seconds` (0: it stops now), and a token still in an earlier
/// rotation's grace stops now, so at most two are ever valid. Audited.
pub async fn rotate(
    scope: &TenantScope,
    id: Uuid,
    grace_seconds: i32,
) -> DomainResult<IssuedToken> {
    authorize(scope)?;
    if !(0..=MAX_ROTATION_GRACE_SECONDS).contains(&grace_seconds) {
        return Err(DomainError::validation(
            "input.previousTokenValidForSeconds",
            format!(
                "the previous token may stay valid between 0 and {MAX_ROTATION_GRACE_SECONDS} seconds (7 days)"
            ),
        ));
    }
    let mut tx = scope.begin().await?;
    tx.lock_tenant().await?;
    let account = tx
        .load::<service_account::Entity>(id, "service account")
        .await?;
    if account.revoked_at.is_some() {
        return Err(revoked_error());
    }
    let now = Utc::now();
    let valid = tx
        .select::<service_account_token::Entity>()
        .filter(service_account_token::Column::ServiceAccountId.eq(id))
        .filter(still_valid(now))
        .all(&tx)
        .await?;
    for token in valid {
        let mut ends = service_account_token::ActiveModel::from(token.clone());
        match token.expires_at {
            // Already rotated out once: a third valid token is never kept.
            Some(_) => ends.revoked_at = Set(Some(now)),
            None if grace_seconds == 0 => ends.revoked_at = Set(Some(now)),
            None => {
                ends.expires_at = Set(Some(now + chrono::Duration::seconds(grace_seconds.into())))
            }
        }
        let after = tx.save(ends).await?;
        tx.record(Change::updated(
            "service_account.token_rotated_out",
            "ServiceAccountToken",
            token.id,
            &token,
            &after,
        ))
        .await?;
    }
    let (token, token_row) = issue(&mut tx, &account, now).await?;
    tx.commit().await?;
    Ok(IssuedToken {
        account,
        token,
        token_row,
    })
}

/// Revokes a service account and every token it has, from the next request
/// on. Revoking a revoked account changes nothing. Audited.
pub async fn revoke(scope: &TenantScope, id: Uuid) -> DomainResult<service_account::Model> {
    authorize(scope)?;
    let mut tx = scope.begin().await?;
    let current = tx
        .load::<service_account::Entity>(id, "service account")
        .await?;
    if current.revoked_at.is_some() {
        return Ok(current);
    }
    let now = Utc::now();
    tx.update::<service_account_token::Entity>()
        .col_expr(service_account_token::Column::RevokedAt, Some(now).into())
        .filter(service_account_token::Column::ServiceAccountId.eq(id))
        .filter(service_account_token::Column::RevokedAt.is_null())
        .exec()
        .await?;
    let mut revoked = service_account::ActiveModel::from(current.clone());
    revoked.revoked_at = Set(Some(now));
    revoked.updated_at = Set(now);
    let after = tx.save(revoked).await?;
    tx.record(Change::updated(
        "service_account.revoked",
        "ServiceAccount",
        id,
        &current,
        &after,
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Revokes one token (ending a rotation's grace early, or a token that
/// leaked while the account keeps its other one). Audited.
pub async fn revoke_token(
    scope: &TenantScope,
    id: Uuid,
) -> DomainResult<service_account_token::Model> {
    authorize(scope)?;
    let mut tx = scope.begin().await?;
    let current = tx
        .load::<service_account_token::Entity>(id, "service account token")
        .await?;
    if current.revoked_at.is_some() {
        return Ok(current);
    }
    let mut ended = service_account_token::ActiveModel::from(current.clone());
    ended.revoked_at = Set(Some(Utc::now()));
    let after = tx.save(ended).await?;
    tx.record(Change::updated(
        "service_account.token_revoked",
        "ServiceAccountToken",
        id,
        &current,
        &after,
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Not revoked, and not past a rotation's grace.
fn still_valid(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(service_account_token::Column::RevokedAt.is_null())
        .add(
            Condition::any()
                .add(service_account_token::Column::ExpiresAt.is_null())
                .add(service_account_token::Column::ExpiresAt.gt(now)),
        )
}

fn refused_token() -> DomainError {
    // One answer for unknown, revoked and expired: a token is not an oracle.
    DomainError::Unauthenticated(
        "this service account token is not valid: it is unknown, was revoked, or was rotated out"
            .into(),
    )
}

/// Checks a service account token, as every request that carries one does
/// (one indexed statement, so a revocation, and a change of role or scopes,
/// holds from the next request in every process), and notes when it was
/// last used (to the minute). Answers the token and its account.
pub async fn check_token(
    db: &DatabaseConnection,
    token: &str,
) -> DomainResult<(service_account_token::Model, service_account::Model)> {
    use sea_orm::{JoinType, QuerySelect};
    // A token this long is not one of ours; it is refused before hashing.
    if token.len() > 100 {
        return Err(refused_token());
    }
    let now = Utc::now();
    let account_of_token: sea_orm::RelationDef =
        service_account_token::Entity::belongs_to(service_account::Entity)
            .from(service_account_token::Column::ServiceAccountId)
            .to(service_account::Column::Id)
            .into();
    let (row, account) = service_account_token::Entity::find()
        .join(JoinType::InnerJoin, account_of_token)
        .select_also(service_account::Entity)
        .filter(service_account_token::Column::SecretHash.eq(hash_token(token)))
        .filter(still_valid(now))
        .filter(service_account::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .and_then(|(row, account)| Some((row, account?)))
        .ok_or_else(refused_token)?;
    let stale = row
        .last_used_at
        .is_none_or(|at| (now - at).num_seconds() >= LAST_USED_RESOLUTION_SECONDS);
    if stale {
        service_account_token::Entity::update_many()
            .col_expr(service_account_token::Column::LastUsedAt, Some(now).into())
            .filter(service_account_token::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    Ok((row, account))
}

/// The actor a service account's token acts as, from the account as it is now.
pub fn actor_of(account: &service_account::Model) -> DomainResult<Actor> {
    Ok(Actor {
        user_id: Some(account.user_id),
        role: Role::parse(&account.role)?,
        person_id: None,
        service_account_id: Some(account.id),
    })
}

/// Opens the session of a checked token: always in the account's own
/// tenant. Naming another tenant answers as an unknown slug does.
pub async fn open_session(
    db: &DatabaseConnection,
    account: &service_account::Model,
    requested: Option<&str>,
) -> DomainResult<Session> {
    let tenant = tenant::Entity::find_by_id(account.tenant_id)
        .one(db)
        .await?
        .ok_or_else(refused_token)?;
    if let Some(slug) = requested
        && slug != tenant.slug
    {
        return Err(super::users::unknown_tenant(slug));
    }
    let user = user::Entity::find_by_id(account.user_id)
        .one(db)
        .await?
        .ok_or_else(refused_token)?;
    Ok(Session {
        actor: actor_of(account)?,
        user,
        tenant,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_stored_only_as_their_hash() {
        let a = new_token();
        let b = new_token();
        assert!(is_service_account_token(&a.token));
        assert_ne!(a.token, b.token);
        assert_eq!(a.hash, hash_token(&a.token));
        assert_eq!(a.hash.len(), 64);
        assert!(!a.hash.contains(&a.token[TOKEN_PREFIX.len()..]));
        assert!(a.token.starts_with(a.hint.trim_end_matches('…')));
        // 32 bytes in unpadded base64url.
        assert_eq!(a.token.len(), TOKEN_PREFIX.len() + 43);
    }

    #[test]
    fn scopes_are_stored_once_each_in_a_fixed_order() {
        let text = scopes_text(&[
            TokenScope::ChangesRead,
            TokenScope::DirectoryWrite,
            TokenScope::ChangesRead,
        ]);
        assert_eq!(text, "directory:write changes:read");
        let account = service_account::Model {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            user_id: Uuid::nil(),
            name: "x".into(),
            role: "INTEGRATOR".into(),
            scopes: text,
            rate_limit_per_minute: None,
            created_by_user_id: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            revoked_at: None,
        };
        assert_eq!(
            scopes_of(&account),
            vec![TokenScope::DirectoryWrite, TokenScope::ChangesRead]
        );
    }
}
