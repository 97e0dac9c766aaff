//! Who is asking: the viewer, their user and their tenants.

use super::context::request;
use super::ids::{encode_id, id_of};
use super::loaders::{ById, MemberUser};
use super::types::*;
use crate::entity::{person, user};
use crate::enums::Role;
use crate::service;
use async_graphql::{Context, ID, Object, Result, SimpleObject};

/// Who is asking, in which tenant, with which role.
pub struct Viewer;

/// Who is asking, in which tenant, with which role.
#[Object]
impl Viewer {
    /// The signed-in user.
    async fn user(&self, ctx: &Context<'_>) -> Result<User> {
        Ok(User(request(ctx)?.user.clone()))
    }
    /// The tenant's Person record for the user, if linked (by e-mail).
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let request = request(ctx)?;
        let Some(id) = request.scope.actor().person_id else {
            return Ok(None);
        };
        Ok(request
            .loader::<ById<person::Entity>, _>()
            .load_one(id)
            .await?
            .map(Person))
    }
    /// The viewer's action items from review meetings across every series,
    /// soonest due first: open ones, or all with `includeDone`.
    async fn action_items(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Also those done; omitted: false.")] include_done: Option<bool>,
    ) -> Result<Vec<super::reviews::ReviewActionItem>> {
        super::reviews::viewer_action_items(ctx, include_done.unwrap_or(false)).await
    }
    /// The user's role in this tenant.
    async fn role(&self, ctx: &Context<'_>) -> Result<Role> {
        Ok(request(ctx)?.scope.actor().role)
    }
    /// The tenant this request acts in.
    async fn tenant(&self, ctx: &Context<'_>) -> Result<Tenant> {
        Ok(Tenant::from(request(ctx)?.scope.tenant().clone()))
    }
    /// Every tenant the user belongs to; switch with the `X-Tenant` header.
    async fn tenants(&self, ctx: &Context<'_>) -> Result<Vec<TenantMembership>> {
        let request = request(ctx)?;
        let list = service::users::memberships_of(request.scope.db(), request.user.id).await?;
        list.into_iter()
            .map(|(membership, tenant)| {
                Ok(TenantMembership {
                    slug: tenant.slug,
                    name: tenant.name,
                    role: Role::parse(&membership.role)?,
                })
            })
            .collect()
    }
}

pub(crate) async fn load_user(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> Result<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    let loader = request(ctx)?.loader::<MemberUser, _>();
    Ok(loader.load_one(id).await?.map(User))
}

/// A login. Users are global; their roles are per tenant.
#[derive(Clone, Debug)]
pub struct User(pub user::Model);

/// A login. Users are global; their roles are per tenant.
#[Object]
impl User {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("User", self.0.id)
    }
    /// The login e-mail.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// The name to show.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
}

/// A tenant the viewer belongs to, with their role there.
#[derive(SimpleObject, Clone, Debug)]
pub struct TenantMembership {
    /// The tenant's slug; send it as `X-Tenant` to act there.
    pub slug: String,
    /// The tenant's name.
    pub name: String,
    /// The viewer's role there.
    pub role: Role,
}

#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// Who is asking, in which tenant.
    async fn viewer(&self) -> Viewer {
        Viewer
    }

    /// A user of this tenant by ID.
    async fn user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global ID.")] id: ID,
    ) -> Result<Option<User>> {
        let Some(uuid) = id_of(&id, "User") else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<MemberUser, _>()
            .load_one(uuid)
            .await?
            .map(User))
    }
}
