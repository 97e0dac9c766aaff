//! Service accounts for integrations: created, rotated and revoked by the
//! tenant's admins; each acts with its role, narrowed by its scopes.

use super::connection::{self, Page, PageArgs, SortKey, page_complexity};
use super::context::request;
use super::ids::{decode_id, encode_id};
use super::inputs::patch;
use super::loaders::ServiceAccountTokens;
use crate::entity::{service_account, service_account_token};
use crate::enums::{Role, TokenScope};
use crate::service::service_accounts::{
    self as accounts, DEFAULT_ROTATION_GRACE_SECONDS, IssuedToken, NewServiceAccount,
    ServiceAccountChanges,
};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

/// A non-human client of this tenant (an HRIS sync, a BI feed), acting
/// with its role, narrowed by its scopes.
#[derive(Clone, Debug)]
pub struct ServiceAccount(pub service_account::Model);

/// A non-human client of this tenant (an HRIS sync, a BI feed): a role,
/// optional scopes that narrow it, and long-lived tokens. Admins only.
#[Object]
impl ServiceAccount {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("ServiceAccount", self.0.id)
    }
    /// What it is for, e.g. `Workday sync`; unique among active accounts.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The role its tokens act with.
    async fn role(&self) -> Result<Role> {
        Ok(Role::parse(&self.0.role)?)
    }
    /// What its tokens may do, within the role; empty: everything the role may.
    async fn scopes(&self) -> Vec<TokenScope> {
        accounts::scopes_of(&self.0)
    }
    /// Requests (and sync records) per minute; null: the tenant's `clientRateLimitPerMinute`.
    async fn rate_limit_per_minute(&self) -> Option<i32> {
        self.0.rate_limit_per_minute
    }
    /// Whether its tokens work (it is not revoked).
    async fn active(&self) -> bool {
        self.0.revoked_at.is_none()
    }
    /// When it was revoked; null while active.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// When any of its tokens was last used (to the minute); null if never.
    async fn last_used_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        Ok(tokens(ctx, self.0.id)
            .await?
            .iter()
            .filter_map(|token| token.last_used_at)
            .max())
    }
    /// Its tokens, newest first: the current one, one in a rotation's grace, and those that ended.
    async fn tokens(&self, ctx: &Context<'_>) -> Result<Vec<ServiceAccountToken>> {
        Ok(tokens(ctx, self.0.id)
            .await?
            .into_iter()
            .map(ServiceAccountToken)
            .collect())
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When its name, role, scopes or limit last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

async fn tokens(
    ctx: &Context<'_>,
    account: uuid::Uuid,
) -> Result<Vec<service_account_token::Model>> {
    Ok(request(ctx)?
        .loader::<ServiceAccountTokens, _>()
        .load_one(account)
        .await?
        .unwrap_or_default())
}

/// One token of a service account; the token itself is shown only when issued.
#[derive(Clone, Debug)]
pub struct ServiceAccountToken(pub service_account_token::Model);

/// One token of a service account. Only a hint of it is kept readable: the
/// token itself is shown once, when it is issued.
#[Object]
impl ServiceAccountToken {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("ServiceAccountToken", self.0.id)
    }
    /// The token's first characters, to tell it apart (`tlsa_3kF9…`).
    async fn hint(&self) -> &str {
        &self.0.hint
    }
    /// Whether it works now: not revoked, and not past a rotation's grace.
    async fn active(&self) -> bool {
        self.0.revoked_at.is_none() && self.0.expires_at.is_none_or(|at| at > Utc::now())
    }
    /// When a rotation ends it; null for the current token.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// When it was revoked; null if it was not.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// When it was last used (to the minute); null if never.
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// When it was issued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A new service account.
#[derive(InputObject)]
pub struct CreateServiceAccountInput {
    /// What it is for, e.g. `Workday sync` (at most 100 characters).
    pub name: String,
    /// The role its tokens act with; `INTEGRATOR` unless said.
    #[graphql(default_with = "Role::Integrator")]
    pub role: Role,
    /// What its tokens may do, within the role; none: everything the role may.
    #[graphql(default)]
    pub scopes: Vec<TokenScope>,
    /// Its own requests (and sync records) per minute, 60 to 10,000,000; omitted: the tenant's `clientRateLimitPerMinute`.
    pub rate_limit_per_minute: Option<i32>,
}

/// A change to a service account; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateServiceAccountInput {
    /// The service account's global ID.
    pub id: ID,
    /// A new name.
    pub name: Option<String>,
    /// A new role.
    pub role: Option<Role>,
    /// The new scopes (replacing the old ones); an empty list: everything the role may.
    pub scopes: Option<Vec<TokenScope>>,
    /// Its own limit, 60 to 10,000,000; null: back to the tenant's `clientRateLimitPerMinute`.
    pub rate_limit_per_minute: MaybeUndefined<i32>,
}

/// A new token for a service account.
#[derive(InputObject)]
pub struct RotateServiceAccountTokenInput {
    /// The service account's global ID.
    pub id: ID,
    /// How long the current token keeps working, so the integration can
    /// switch without downtime: 0 (it stops now) to 604,800 (7 days); 86,400 unless said.
    #[graphql(default_with = "DEFAULT_ROTATION_GRACE_SECONDS")]
    pub previous_token_valid_for_seconds: i32,
}

/// A service account to revoke.
#[derive(InputObject)]
pub struct RevokeServiceAccountInput {
    /// The service account's global ID.
    pub id: ID,
}

/// A token to revoke.
#[derive(InputObject)]
pub struct RevokeServiceAccountTokenInput {
    /// The token's global ID.
    pub id: ID,
}

/// A service account and a token issued just now.
#[derive(SimpleObject)]
pub struct IssuedServiceAccountTokenPayload {
    /// The service account.
    pub service_account: ServiceAccount,
    /// The token, to send as `Authorization: Bearer <token>`. Shown this
    /// once: only its hash is kept, so store it in your secret manager now.
    pub token: String,
    /// The token's record (its hint, and later when it was last used).
    pub issued_token: ServiceAccountToken,
}

impl From<IssuedToken> for IssuedServiceAccountTokenPayload {
    fn from(issued: IssuedToken) -> Self {
        Self {
            service_account: ServiceAccount(issued.account),
            token: issued.token,
            issued_token: ServiceAccountToken(issued.token_row),
        }
    }
}

/// The service account after the change.
#[derive(SimpleObject)]
pub struct ServiceAccountPayload {
    /// The service account after the change.
    pub service_account: ServiceAccount,
}

/// The token after the change.
#[derive(SimpleObject)]
pub struct ServiceAccountTokenPayload {
    /// The token after the change.
    pub token: ServiceAccountToken,
}

#[derive(Default)]
pub struct ServiceAccountsQuery;

#[Object]
impl ServiceAccountsQuery {
    /// The tenant's service accounts, oldest first (admins, signed in as
    /// themselves): their roles, scopes, tokens and when they were last used.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn service_accounts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "true: include revoked accounts; omitted or false: only active ones.")]
        include_revoked: Option<bool>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<ServiceAccount>> {
        let scope = &request(ctx)?.scope;
        let select = accounts::query(scope, include_revoked.unwrap_or(false))?;
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Id,
            PageArgs::new(first, after, last, before),
            ServiceAccount,
        )
        .await?)
    }
}

#[derive(Default)]
pub struct ServiceAccountsMutation;

#[Object]
impl ServiceAccountsMutation {
    /// Creates a service account and its first token, shown once in the
    /// payload (admins, signed in as themselves). Audited.
    async fn create_service_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateServiceAccountInput,
    ) -> Result<IssuedServiceAccountTokenPayload> {
        let scope = &request(ctx)?.scope;
        let issued = accounts::create(
            scope,
            NewServiceAccount {
                name: input.name,
                role: input.role,
                scopes: input.scopes,
                rate_limit_per_minute: input.rate_limit_per_minute,
            },
        )
        .await?;
        Ok(issued.into())
    }

    /// Changes a service account's name, role, scopes or rate limit; its
    /// tokens act with them from their next request. Audited.
    async fn update_service_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateServiceAccountInput,
    ) -> Result<ServiceAccountPayload> {
        let scope = &request(ctx)?.scope;
        // The role before the input: a refusal tells nothing of what exists.
        accounts::authorize(scope)?;
        let id = decode_id(&input.id, "ServiceAccount", "input.id")?;
        let account = accounts::update(
            scope,
            id,
            ServiceAccountChanges {
                name: input.name,
                role: input.role,
                scopes: input.scopes,
                rate_limit_per_minute: patch(&input.rate_limit_per_minute),
            },
        )
        .await?;
        Ok(ServiceAccountPayload {
            service_account: ServiceAccount(account),
        })
    }

    /// Issues a new token, shown once; the current one keeps working for
    /// `previousTokenValidForSeconds` so the integration switches without
    /// downtime. At most two tokens are ever valid. Audited.
    async fn rotate_service_account_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RotateServiceAccountTokenInput,
    ) -> Result<IssuedServiceAccountTokenPayload> {
        let scope = &request(ctx)?.scope;
        // The role before the input: a refusal tells nothing of what exists.
        accounts::authorize(scope)?;
        let id = decode_id(&input.id, "ServiceAccount", "input.id")?;
        let issued = accounts::rotate(scope, id, input.previous_token_valid_for_seconds).await?;
        Ok(issued.into())
    }

    /// Revokes a service account and all its tokens: the next request with
    /// any of them is refused, in every server process. Audited.
    async fn revoke_service_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RevokeServiceAccountInput,
    ) -> Result<ServiceAccountPayload> {
        let scope = &request(ctx)?.scope;
        // The role before the input: a refusal tells nothing of what exists.
        accounts::authorize(scope)?;
        let id = decode_id(&input.id, "ServiceAccount", "input.id")?;
        let account = accounts::revoke(scope, id).await?;
        Ok(ServiceAccountPayload {
            service_account: ServiceAccount(account),
        })
    }

    /// Revokes one token (a leaked one, or a rotated-out one before its
    /// grace ends); the account's other token keeps working. Audited.
    async fn revoke_service_account_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RevokeServiceAccountTokenInput,
    ) -> Result<ServiceAccountTokenPayload> {
        let scope = &request(ctx)?.scope;
        // The role before the input: a refusal tells nothing of what exists.
        accounts::authorize(scope)?;
        let id = decode_id(&input.id, "ServiceAccountToken", "input.id")?;
        let token = accounts::revoke_token(scope, id).await?;
        Ok(ServiceAccountTokenPayload {
            token: ServiceAccountToken(token),
        })
    }
}
