//! OKR cycles: the periods objectives are set for, generated from the fiscal calendar, closed and graded.

use super::types::*;
use crate::entity::cycle;
use crate::model::CycleStatus;
use crate::service::cycles;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, QueryFilter};
use throughline_domain::kit::{
    ById, Date, Page, PageArgs, SortKey, connection, decode_id, decode_optional, encode_id, id_of,
    page_complexity, request, updated_since,
};

/// An OKR cycle: a period objectives are set for, graded at its end.
#[derive(Clone, Debug)]
pub struct OkrCycle(pub cycle::Model);

/// An OKR cycle: a period objectives are set for, graded at its end.
// Hidden from the introspection of tenants without OKRs (it is a `Node`).
#[Object(visible = "super::okr_enabled")]
impl OkrCycle {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("OkrCycle", self.0.id)
    }
    /// E.g. `FY2027 Q1`.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// First day.
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }
    /// Last day (inclusive).
    async fn ends_on(&self) -> Date {
        Date(self.0.ends_on)
    }
    /// Planning, active or closed (graded and locked).
    async fn status(&self) -> Result<CycleStatus> {
        Ok(CycleStatus::parse(&self.0.status)?)
    }
    /// The cycle that holds this one (a quarter's fiscal year).
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<OkrCycle>> {
        let Some(id) = self.0.parent_id else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<cycle::Entity>, _>()
            .load_one(id)
            .await?
            .map(OkrCycle))
    }
    /// The share of the cycle elapsed today (1 once it has ended), with its explanation.
    async fn expected_progress(&self, ctx: &Context<'_>) -> Result<Explained> {
        let scope = &request(ctx)?.scope;
        let as_of =
            crate::service::scores::as_of(&self.0, scope.today(), &scope.tenant().time_zone);
        Ok(crate::scoring::expected_progress(self.0.starts_on, self.0.ends_on, as_of).into())
    }
    /// What was said when the cycle was graded.
    async fn closing_note(&self) -> Option<&str> {
        self.0.closing_note.as_deref()
    }
    /// When it was graded and closed.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A new cycle.
#[derive(InputObject)]
pub struct CreateOkrCycleInput {
    /// E.g. `FY2027 Q1`.
    pub name: String,
    /// First day.
    pub starts_on: Date,
    /// Last day (inclusive).
    pub ends_on: Date,
    /// The enclosing cycle; this one must lie within it.
    pub parent_id: Option<ID>,
}

/// Generates a fiscal year and its cycles from the tenant's fiscal calendar and cycle length.
#[derive(InputObject)]
pub struct GenerateOkrCyclesInput {
    /// The fiscal year, named after the calendar year it ends in.
    pub fiscal_year: i32,
}

/// Changes to a cycle; omitted fields stay.
#[derive(InputObject)]
pub struct UpdateOkrCycleInput {
    /// The cycle.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// New name.
    pub name: Option<String>,
    /// New first day.
    pub starts_on: Option<Date>,
    /// New last day.
    pub ends_on: Option<Date>,
    /// `PLANNING` or `ACTIVE`; closing goes through `closeCycle`.
    pub status: Option<CycleStatus>,
}

/// Grades and closes a cycle.
#[derive(InputObject)]
pub struct CloseOkrCycleInput {
    /// The cycle.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// What was learned.
    pub closing_note: Option<String>,
    /// Closing before the cycle's last day grades every objective at
    /// today's figures: say so explicitly.
    #[graphql(default)]
    pub confirm_early_close: bool,
}

/// Names a cycle and the version you read (reopening, archiving).
#[derive(InputObject)]
pub struct OkrCycleVersionInput {
    /// The cycle.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

/// The cycle after the change.
#[derive(SimpleObject)]
pub struct OkrCyclePayload {
    /// The cycle after the change.
    pub cycle: OkrCycle,
}

/// The cycles created.
#[derive(SimpleObject)]
pub struct GenerateOkrCyclesPayload {
    /// The cycles created (existing ones are left alone).
    pub cycles: Vec<OkrCycle>,
}

#[derive(Default)]
pub struct OkrCyclesQuery;

#[Object]
impl OkrCyclesQuery {
    /// Cycles, earliest first; archived ones only when asked for.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn cycles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only cycles with this status.")] status: Option<CycleStatus>,
        #[graphql(
            desc = "Include archived cycles (implied by `status: ARCHIVED`); integrators polling with `updatedSince` want this.",
            default = false
        )]
        include_archived: bool,
        #[graphql(
            name = "updatedSince",
            desc = "Only cycles changed at or after this time (for incremental sync)."
        )]
        changed_since: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<OkrCycle>> {
        let scope = &request(ctx)?.scope;
        let mut select = scope
            .select::<cycle::Entity>()
            .filter(updated_since(cycle::Column::UpdatedAt, changed_since));
        if let Some(status) = status {
            select = select.filter(cycle::Column::Status.eq(status.as_str()));
        } else if !include_archived {
            select = select.filter(cycle::Column::Status.ne(CycleStatus::Archived.as_str()));
        }
        Ok(connection::page(
            ctx,
            scope,
            select,
            SortKey::Date(cycle::Column::StartsOn),
            PageArgs::new(first, after, last, before),
            OkrCycle,
        )
        .await?)
    }

    /// A cycle by ID.
    async fn cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global ID.")] id: ID,
    ) -> Result<Option<OkrCycle>> {
        let Some(uuid) = id_of(&id, "OkrCycle") else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<cycle::Entity>, _>()
            .load_one(uuid)
            .await?
            .map(OkrCycle))
    }
}

#[derive(Default)]
pub struct OkrCyclesMutation;

#[Object]
impl OkrCyclesMutation {
    /// Creates a cycle (admins).
    async fn create_cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateOkrCycleInput,
    ) -> Result<OkrCyclePayload> {
        let scope = &request(ctx)?.scope;
        let cycle = cycles::create(
            scope,
            cycles::NewCycle {
                name: input.name,
                starts_on: input.starts_on.0,
                ends_on: input.ends_on.0,
                parent_id: decode_optional(input.parent_id.as_ref(), "OkrCycle", "input.parentId")?,
            },
        )
        .await?;
        Ok(OkrCyclePayload {
            cycle: OkrCycle(cycle),
        })
    }

    /// Generates a fiscal year and its cycles from the tenant's calendar (admins).
    async fn generate_cycles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: GenerateOkrCyclesInput,
    ) -> Result<GenerateOkrCyclesPayload> {
        let created = cycles::generate(&request(ctx)?.scope, input.fiscal_year).await?;
        Ok(GenerateOkrCyclesPayload {
            cycles: created.into_iter().map(OkrCycle).collect(),
        })
    }

    /// Changes a cycle (admins).
    async fn update_cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateOkrCycleInput,
    ) -> Result<OkrCyclePayload> {
        let id = decode_id(&input.id, "OkrCycle", "input.id")?;
        let cycle = cycles::update(
            &request(ctx)?.scope,
            id,
            cycles::CycleChanges {
                version: input.version,
                name: input.name,
                starts_on: input.starts_on.map(|d| d.0),
                ends_on: input.ends_on.map(|d| d.0),
                status: input.status,
            },
        )
        .await?;
        Ok(OkrCyclePayload {
            cycle: OkrCycle(cycle),
        })
    }

    /// Grades every key result and objective of the cycle, closes its
    /// objectives and locks it (admins). Before its last day it needs
    /// `confirmEarlyClose: true`.
    async fn close_cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CloseOkrCycleInput,
    ) -> Result<OkrCyclePayload> {
        let id = decode_id(&input.id, "OkrCycle", "input.id")?;
        let cycle = cycles::close(
            &request(ctx)?.scope,
            id,
            input.version,
            input.closing_note,
            input.confirm_early_close,
        )
        .await?;
        Ok(OkrCyclePayload {
            cycle: OkrCycle(cycle),
        })
    }

    /// Reopens a closed or archived cycle (admins; audited).
    async fn reopen_cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OkrCycleVersionInput,
    ) -> Result<OkrCyclePayload> {
        let id = decode_id(&input.id, "OkrCycle", "input.id")?;
        let cycle = cycles::reopen(&request(ctx)?.scope, id, input.version).await?;
        Ok(OkrCyclePayload {
            cycle: OkrCycle(cycle),
        })
    }

    /// Archives a closed cycle (admins): it leaves the default cycle list and
    /// stays locked.
    async fn archive_cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OkrCycleVersionInput,
    ) -> Result<OkrCyclePayload> {
        let id = decode_id(&input.id, "OkrCycle", "input.id")?;
        let cycle = cycles::archive(&request(ctx)?.scope, id, input.version).await?;
        Ok(OkrCyclePayload {
            cycle: OkrCycle(cycle),
        })
    }

    /// Deletes an empty cycle (admins).
    async fn delete_cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteOkrInput,
    ) -> Result<OkrDeletePayload> {
        let id = decode_id(&input.id, "OkrCycle", "input.id")?;
        let cycle = cycles::delete(&request(ctx)?.scope, id).await?;
        Ok(OkrDeletePayload {
            deleted_id: encode_id("OkrCycle", cycle.id),
        })
    }
}
