//! Per-tenant framework switching inside the schema: `visible` hides a
//! framework's root fields from introspection, the guard refuses them at
//! execution. (The api also refuses them before execution.)

use async_graphql::{Context, Guard};

use crate::error::DomainError;

use super::context::RequestContext;

/// Whether `key` is enabled for the request's tenant. Used as the `visible`
/// condition of a framework's root fields.
pub fn framework_enabled(ctx: &Context<'_>, key: &str) -> bool {
    ctx.data_opt::<RequestContext>()
        .is_some_and(|request| request.enabled_frameworks.contains(key))
}

/// Refuses a framework's root field when the framework is disabled.
pub struct FrameworkGuard(pub &'static str);

impl Guard for FrameworkGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        if framework_enabled(ctx, self.0) {
            Ok(())
        } else {
            Err(DomainError::FrameworkDisabled(self.0.to_string()).into())
        }
    }
}
