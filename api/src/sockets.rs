//! A WebSocket lives for hours, its credentials do not: every operation on
//! a socket is admitted as an HTTP request is (the token checked again, a
//! unit of the rate limits charged), and a running subscription re-checks
//! them every `Limits::socket_recheck`, ending with `UNAUTHENTICATED` once
//! the token is revoked or expired or the access it was opened with changed
//! (role, scopes, tenant): reconnecting opens the access as it is now.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::extensions::ExtensionContext;
use async_graphql::{Response, futures_util::stream::BoxStream};
use futures_util::StreamExt;
use throughline_domain::DomainError;
use throughline_domain::enums::{Role, TokenScope};
use throughline_domain::graphql::RequestContext;
use uuid::Uuid;

use crate::http;
use crate::schema::refuse;
use crate::state::AppState;

/// What a socket was opened with, kept in its connection data.
pub struct SocketCredentials {
    state: AppState,
    token: String,
    tenant: Option<String>,
    opened_as: Access,
}

/// The access a context grants: a socket keeps the one it was opened with.
#[derive(PartialEq, Debug)]
struct Access {
    tenant_id: Uuid,
    user_id: Option<Uuid>,
    role: Role,
    person_id: Option<Uuid>,
    scopes: Option<Vec<TokenScope>>,
}

impl Access {
    fn of(context: &RequestContext) -> Self {
        let actor = context.scope.actor();
        Self {
            tenant_id: context.scope.tenant_id(),
            user_id: actor.user_id,
            role: actor.role,
            person_id: actor.person_id,
            scopes: context.scopes.clone(),
        }
    }
}

impl SocketCredentials {
    pub fn new(
        state: AppState,
        token: String,
        tenant: Option<String>,
        opened: &RequestContext,
    ) -> Self {
        Self {
            state,
            token,
            tenant,
            opened_as: Access::of(opened),
        }
    }

    /// Checks the credentials as a new request with them would be checked.
    async fn still_valid(&self) -> Result<RequestContext, DomainError> {
        let context = http::authenticate(&self.state, &self.token, self.tenant.as_deref()).await?;
        if Access::of(&context) != self.opened_as {
            return Err(DomainError::Unauthenticated(
                "this connection's access changed since it was opened (role, scopes or tenant); connect again".into(),
            ));
        }
        Ok(context)
    }

    /// Admits one operation: valid credentials, and a unit of the budget.
    async fn admit(&self) -> Result<(), DomainError> {
        self.still_valid().await?.charge(1)
    }
}

enum Stage<'s> {
    Admitting(BoxStream<'s, Response>),
    Running(BoxStream<'s, Response>, tokio::time::Instant),
    Ended,
}

/// Puts the checks around an operation of a socket (called from the
/// request checks' `subscribe` hook: one extension, so every field pays for
/// one); an operation over HTTP carries no `SocketCredentials` and passes
/// untouched.
pub fn guard<'s>(
    ctx: &ExtensionContext<'_>,
    inner: BoxStream<'s, Response>,
    recheck: Duration,
) -> BoxStream<'s, Response> {
    let Some(credentials) = ctx.data_opt::<Arc<SocketCredentials>>().cloned() else {
        return inner;
    };
    futures_util::stream::unfold(Stage::Admitting(inner), move |stage| {
        let credentials = credentials.clone();
        async move {
            match stage {
                Stage::Ended => None,
                // Nothing of the operation runs before it is admitted.
                Stage::Admitting(inner) => match credentials.admit().await {
                    Err(error) => Some((refused(error), Stage::Ended)),
                    Ok(()) => {
                        let due = tokio::time::Instant::now() + recheck;
                        next_response(inner, due, &credentials, recheck).await
                    }
                },
                Stage::Running(inner, due) => {
                    next_response(inner, due, &credentials, recheck).await
                }
            }
        }
    })
    .boxed()
}

/// The operation's next response, re-checking the credentials whenever
/// they are due while it waits for one.
async fn next_response<'s>(
    mut inner: BoxStream<'s, Response>,
    mut due: tokio::time::Instant,
    credentials: &SocketCredentials,
    recheck: Duration,
) -> Option<(Response, Stage<'s>)> {
    loop {
        tokio::select! {
            response = inner.next() => {
                return response.map(|response| (response, Stage::Running(inner, due)));
            }
            () = tokio::time::sleep_until(due) => {
                if let Err(error) = credentials.still_valid().await {
                    return Some((refused(error), Stage::Ended));
                }
                due = tokio::time::Instant::now() + recheck;
            }
        }
    }
}

fn refused(error: DomainError) -> Response {
    Response::from_errors(vec![refuse(error)])
}
