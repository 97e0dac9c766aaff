//! The exceptions feed over GraphQL: `exceptions(…)`, a connection worst
//! and oldest first, and `acknowledgeException`.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::connection::{Page, PageArgs, page_complexity, page_of_list};
use super::context::{RequestContext, request};
use super::ids::{decode_id, decode_optional, encode_id};
use super::org_units::load_org_unit;
use super::people::load_person;
use super::scalars::Date;
use super::types::*;
use crate::entity::exception_acknowledgement;
use crate::exceptions::{ExceptionExplanation, Severity};
use crate::framework::AnyFramework;
use crate::service::exceptions::{self as feed, Acknowledge, FeedItem, FeedQuery, ItemUnit};

/// The frameworks whose exceptions the request may read: the tenant's
/// enabled ones, and none for a token scoped to core data (no scope opens
/// a framework's data).
pub(crate) fn readable_frameworks(request: &RequestContext) -> Vec<Arc<dyn AnyFramework>> {
    if request.scopes.is_some() {
        return Vec::new();
    }
    request
        .registry
        .iter()
        .filter(|f| request.enabled_frameworks.contains(f.key()))
        .cloned()
        .collect()
}

#[derive(Clone)]
pub struct Exception(pub FeedItem);

/// Something that needs attention: a key metric off target or late, a key
/// result falling behind, a priority nothing measures. Derived, not
/// stored: it is here while its cause lasts.
#[Object]
impl Exception {
    /// Names this occurrence: stable while it lasts; a new occurrence (next
    /// period's, after a new check-in) has a new ID.
    async fn id(&self) -> ID {
        encode_id("Exception", self.0.key().uuid())
    }
    /// What kind of problem, namespaced by who raises it (`core.key_metric_off_target`, `okr.key_result_behind`).
    async fn kind(&self) -> &str {
        &self.0.exception.kind
    }
    /// Who raised it: `core` or a framework's key (`okr`).
    async fn framework(&self) -> &str {
        self.0.framework
    }
    /// How much it needs attention.
    async fn severity(&self) -> Severity {
        self.0.exception.severity
    }
    /// The global ID of what it is about: pass it to `node`.
    async fn subject_id(&self) -> ID {
        encode_id(self.0.exception.subject_type, self.0.exception.subject_id)
    }
    /// The GraphQL type of what it is about (`Metric`, `OkrKeyResult`).
    async fn subject_type(&self) -> &str {
        self.0.exception.subject_type
    }
    /// What it is about, by name.
    async fn title(&self) -> &str {
        &self.0.exception.title
    }
    /// One line a person can act on.
    async fn reason(&self) -> &str {
        &self.0.exception.reason
    }
    /// The rule and the figures behind it.
    async fn explanation(&self) -> &ExceptionExplanation {
        &self.0.exception.explanation
    }
    /// Who should act on it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.exception.owner_id).await
    }
    /// The org unit it belongs to; null: the whole tenant's.
    async fn org_unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        // Read after the owner, whatever the placement: the page's owners
        // are one batch, so the page's units, known or their owners', are
        // one batch too, however the page mixes them.
        let owner = load_person(ctx, self.0.exception.owner_id).await?;
        let unit = match self.0.unit {
            ItemUnit::Known(unit) => unit,
            ItemUnit::OwnersUnit(_) => owner.and_then(|p| p.0.org_unit_id),
        };
        load_org_unit(ctx, unit).await
    }
    /// The day it arose.
    async fn since(&self) -> Date {
        Date(self.0.exception.since)
    }
    /// Days since it arose, as of the tenant's today.
    async fn age_days(&self, ctx: &Context<'_>) -> Result<i32> {
        let today = request(ctx)?.scope.today();
        Ok((today - self.0.exception.since).num_days().max(0) as i32)
    }
    /// Whether it was acknowledged and is no worse since (the feed leaves
    /// these out unless `includeAcknowledged`).
    async fn acknowledged(&self) -> bool {
        self.0.settled()
    }
    /// The latest acknowledgement of this occurrence, if any.
    async fn acknowledgement(&self) -> Option<ExceptionAcknowledgement> {
        self.0.acknowledgement.clone().map(ExceptionAcknowledgement)
    }
}

#[derive(Clone)]
pub struct ExceptionAcknowledgement(pub exception_acknowledgement::Model);

/// Someone took an exception on: a note and who follows up. Read through
/// its exception only, so no one sees it who cannot see the exception.
#[Object]
impl ExceptionAcknowledgement {
    /// What was decided or noticed.
    async fn note(&self) -> &str {
        &self.0.note
    }
    /// How severe the exception was then: worse since brings it back to the feed.
    async fn severity(&self) -> Result<Severity> {
        Ok(Severity::parse(&self.0.severity)?)
    }
    /// Who follows it up.
    async fn follow_up_owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.follow_up_owner_id).await
    }
    /// Who acknowledged it (when they are a person of the tenant).
    async fn acknowledged_by(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        load_person(ctx, self.0.acknowledged_by_person_id).await
    }
    /// When.
    async fn acknowledged_at(&self) -> DateTime<Utc> {
        self.0.acknowledged_at
    }
}

/// Which days of arising the feed shows.
#[derive(InputObject, Clone, Default)]
pub struct ExceptionWindowInput {
    /// Arose on or after this day.
    pub from: Option<Date>,
    /// Arose on or before this day.
    pub to: Option<Date>,
}

#[derive(Default)]
pub struct ExceptionsQuery;

#[Object]
impl ExceptionsQuery {
    /// What needs attention now, from the core and every enabled framework,
    /// as the viewer may see it: worst first, then oldest. Acknowledged
    /// exceptions stay out until they get worse.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn exceptions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this unit's subtree (a root unit's includes the tenant's own).")]
        org_unit_id: Option<ID>,
        #[graphql(desc = "Only exceptions that arose in these days.")] window: Option<
            ExceptionWindowInput,
        >,
        #[graphql(desc = "Leave out anything less severe; omitted: `INFO`, everything.")]
        severity_at_least: Option<Severity>,
        #[graphql(desc = "Also those acknowledged and no worse since; omitted: false.")]
        include_acknowledged: Option<bool>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<Exception>> {
        let request = request(ctx)?;
        let scope = &request.scope;
        let org_unit = decode_optional(org_unit_id.as_ref(), "OrgUnit", "orgUnitId")?;
        let window = window.unwrap_or_default();
        let query = FeedQuery {
            org_unit,
            window: feed::window(
                window.from.map(|d| d.0),
                window.to.map(|d| d.0),
                scope.today(),
            )?,
            severity_at_least: severity_at_least.unwrap_or(Severity::Info),
            include_acknowledged: include_acknowledged.unwrap_or(false),
        };
        let items = feed::feed(scope, &readable_frameworks(request), &query).await?;
        Ok(page_of_list(
            items,
            |item| item.key().encode(),
            PageArgs::new(first, after, last, before),
            Exception,
        )?)
    }
}

/// An exception to acknowledge.
#[derive(InputObject)]
pub struct AcknowledgeExceptionInput {
    /// The exception's `id`.
    pub exception_id: ID,
    /// What was decided or noticed (up to 2,000 characters).
    pub note: String,
    /// Who follows it up.
    pub follow_up_owner_id: Option<ID>,
}

/// The exception, acknowledged.
#[derive(SimpleObject)]
pub struct AcknowledgeExceptionPayload {
    /// The exception with its acknowledgement.
    pub exception: Exception,
}

#[derive(Default)]
pub struct ExceptionsMutation;

#[Object]
impl ExceptionsMutation {
    /// Acknowledges an exception you see in the feed (admins, managers,
    /// members): it leaves the feed until it gets worse. Audited.
    async fn acknowledge_exception(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AcknowledgeExceptionInput,
    ) -> Result<AcknowledgeExceptionPayload> {
        let request = request(ctx)?;
        let scope = &request.scope;
        scope.require_role(
            &[
                crate::enums::Role::Admin,
                crate::enums::Role::Manager,
                crate::enums::Role::Member,
            ],
            "acknowledging exceptions",
        )?;
        let exception_id = decode_id(&input.exception_id, "Exception", "input.exceptionId")?;
        let follow_up_owner_id: Option<Uuid> = decode_optional(
            input.follow_up_owner_id.as_ref(),
            "Person",
            "input.followUpOwnerId",
        )?;
        let item = feed::acknowledge(
            scope,
            &readable_frameworks(request),
            Acknowledge {
                exception_id,
                note: input.note,
                follow_up_owner_id,
            },
        )
        .await?;
        Ok(AcknowledgeExceptionPayload {
            exception: Exception(item),
        })
    }
}
