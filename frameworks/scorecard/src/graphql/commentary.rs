//! Per-period commentary on objectives and measures: the type, its loader
//! (every `commentary` field of a request in one statement), and
//! `setCommentary` / `deleteCommentary`.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition, QueryFilter};
use throughline_domain::graphql::types::Person;
use throughline_domain::kit::{
    ById, Date, DomainError, Period, PeriodKind, ScopedLoader, TenantScope, date_in_range,
    decode_id, encode_id, period_containing, request,
};

use super::types::{ScorecardMeasure, ScorecardObjective, history_of, period_of};
use crate::entity::{commentary, measure, objective};
use crate::service::commentaries::{self, CommentaryInput, Subject};

/// An owner's analysis and recommendations for an objective or measure in one period.
#[derive(Clone, Debug)]
pub struct ScorecardCommentary(pub commentary::Model);

/// An owner's analysis and recommendations for an objective or measure in one period.
#[Object(visible = "super::scorecard_enabled")]
impl ScorecardCommentary {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("ScorecardCommentary", self.0.id)
    }
    /// The objective it is about; null for a measure's.
    async fn objective(&self, ctx: &Context<'_>) -> Result<Option<ScorecardObjective>> {
        let Some(id) = self.0.objective_id else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<objective::Entity>, _>()
            .load_one(id)
            .await?
            .map(ScorecardObjective))
    }
    /// The measure it is about; null for an objective's.
    async fn measure(&self, ctx: &Context<'_>) -> Result<Option<ScorecardMeasure>> {
        let Some(id) = self.0.measure_id else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<measure::Entity>, _>()
            .load_one(id)
            .await?
            .map(ScorecardMeasure::new))
    }
    /// The period it comments on.
    async fn period(&self, ctx: &Context<'_>) -> Result<Period> {
        let kind = PeriodKind::parse(&self.0.period_kind)?;
        let scope = &request(ctx)?.scope;
        let start_month = scope.tenant().fiscal_year_start_month.clamp(1, 12) as u32;
        Ok(period_containing(kind, self.0.period_start, start_month))
    }
    /// What happened and why.
    async fn analysis(&self) -> &str {
        &self.0.analysis
    }
    /// What to do about it.
    async fn recommendations(&self) -> Option<&str> {
        self.0.recommendations.as_deref()
    }
    /// Who last wrote it (null for a user linked to no person, or one since deleted).
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        throughline_domain::kit::load_person(ctx, self.0.author_person_id).await
    }
    /// When the period's first version was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was last rewritten.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases with every rewrite; send it back with `setCommentary`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A subject's commentary in one period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CommentaryKey {
    pub subject: Subject,
    pub kind: PeriodKind,
    pub start: NaiveDate,
}

pub struct CommentaryLoader {
    scope: TenantScope,
}

impl ScopedLoader for CommentaryLoader {
    fn new(scope: TenantScope) -> Self {
        Self { scope }
    }
}

impl Loader<CommentaryKey> for CommentaryLoader {
    type Value = commentary::Model;
    type Error = DomainError;

    async fn load(
        &self,
        keys: &[CommentaryKey],
    ) -> Result<HashMap<CommentaryKey, commentary::Model>, DomainError> {
        let objectives = keys.iter().filter_map(|k| match k.subject {
            Subject::Objective(id) => Some(id),
            Subject::Measure(_) => None,
        });
        let measures = keys.iter().filter_map(|k| match k.subject {
            Subject::Measure(id) => Some(id),
            Subject::Objective(_) => None,
        });
        let mut starts: Vec<NaiveDate> = keys.iter().map(|k| k.start).collect();
        starts.sort();
        starts.dedup();
        let rows = self
            .scope
            .select::<commentary::Entity>()
            .filter(
                Condition::any()
                    .add(commentary::Column::ObjectiveId.is_in(objectives))
                    .add(commentary::Column::MeasureId.is_in(measures)),
            )
            .filter(commentary::Column::PeriodStart.is_in(starts))
            .all(&self.scope)
            .await?;
        let mut out = HashMap::new();
        for row in rows {
            let subject = match (row.objective_id, row.measure_id) {
                (Some(o), _) => Subject::Objective(o),
                (None, Some(m)) => Subject::Measure(m),
                (None, None) => continue,
            };
            let Ok(kind) = PeriodKind::parse(&row.period_kind) else {
                continue;
            };
            let key = CommentaryKey {
                subject,
                kind,
                start: row.period_start,
            };
            if keys.contains(&key) {
                out.insert(key, row);
            }
        }
        Ok(out)
    }
}

/// The subject's commentary in the period asked.
pub(crate) async fn commentary_of(
    ctx: &Context<'_>,
    subject: Subject,
    period: Option<Date>,
    period_kind: PeriodKind,
) -> Result<Option<ScorecardCommentary>> {
    let (kind, day) = period_of(ctx, period, period_kind)?;
    let scope = &request(ctx)?.scope;
    let start_month = scope.tenant().fiscal_year_start_month.clamp(1, 12) as u32;
    let start = period_containing(kind, day, start_month).start;
    Ok(request(ctx)?
        .loader::<CommentaryLoader, CommentaryKey>()
        .load_one(CommentaryKey {
            subject,
            kind,
            start,
        })
        .await?
        .map(ScorecardCommentary))
}

/// The subject's commentaries from `from` to `to`, oldest first (periods
/// without one left out).
pub(crate) async fn commentaries_of(
    ctx: &Context<'_>,
    subject: Subject,
    from: Date,
    to: Date,
    period_kind: PeriodKind,
) -> Result<Vec<ScorecardCommentary>> {
    let periods = history_of(ctx, from, to, period_kind)?;
    let keys: Vec<CommentaryKey> = periods
        .iter()
        .map(|p| CommentaryKey {
            subject,
            kind: p.kind,
            start: p.start,
        })
        .collect();
    let found = request(ctx)?
        .loader::<CommentaryLoader, CommentaryKey>()
        .load_many(keys.iter().copied())
        .await?;
    Ok(keys
        .iter()
        .filter_map(|k| found.get(k).cloned().map(ScorecardCommentary))
        .collect())
}

/// A commentary to write: on an objective or a measure (exactly one), for a period.
#[derive(InputObject)]
pub struct SetScorecardCommentaryInput {
    /// The objective it is about (or give `measureId`).
    pub objective_id: Option<ID>,
    /// The measure it is about (or give `objectiveId`).
    pub measure_id: Option<ID>,
    /// Any day of the period.
    pub period: Date,
    /// The period's length.
    #[graphql(default_with = "PeriodKind::Month")]
    pub period_kind: PeriodKind,
    /// What happened and why (1 to 10,000 characters).
    pub analysis: String,
    /// What to do about it (at most 10,000 characters; blank clears).
    pub recommendations: Option<String>,
    /// The version read, to rewrite the period's commentary; omitted for its first.
    pub version: Option<i32>,
}

/// The commentary written.
#[derive(SimpleObject)]
pub struct ScorecardCommentaryPayload {
    /// The commentary as written.
    pub commentary: ScorecardCommentary,
}

/// Names a commentary and the version read.
#[derive(InputObject)]
pub struct DeleteScorecardCommentaryInput {
    /// The commentary.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

/// What was deleted.
#[derive(SimpleObject)]
pub struct DeleteScorecardCommentaryPayload {
    /// The deleted commentary's ID.
    pub deleted_id: ID,
}

#[derive(Default)]
pub struct ScorecardCommentaryMutation;

#[Object]
impl ScorecardCommentaryMutation {
    /// Writes the commentary of an objective (its owner) or a measure (its metric's owner or its objective's) for a period that has begun; admins write any. Rewriting takes the version read.
    async fn set_commentary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: SetScorecardCommentaryInput,
    ) -> Result<ScorecardCommentaryPayload> {
        let scope = &request(ctx)?.scope;
        let subject = match (&input.objective_id, &input.measure_id) {
            (Some(id), None) => {
                Subject::Objective(decode_id(id, "ScorecardObjective", "input.objectiveId")?)
            }
            (None, Some(id)) => {
                Subject::Measure(decode_id(id, "ScorecardMeasure", "input.measureId")?)
            }
            _ => {
                return Err(DomainError::validation(
                    "input.objectiveId",
                    "give exactly one of objectiveId and measureId",
                )
                .into());
            }
        };
        date_in_range("input.period", input.period.0)?;
        let start_month = scope.tenant().fiscal_year_start_month.clamp(1, 12) as u32;
        let row = commentaries::set(
            scope,
            CommentaryInput {
                subject,
                period: period_containing(input.period_kind, input.period.0, start_month),
                analysis: input.analysis,
                recommendations: input.recommendations,
                version: input.version,
            },
        )
        .await?;
        Ok(ScorecardCommentaryPayload {
            commentary: ScorecardCommentary(row),
        })
    }

    /// Deletes a commentary (those who may write it).
    async fn delete_commentary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: DeleteScorecardCommentaryInput,
    ) -> Result<DeleteScorecardCommentaryPayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "ScorecardCommentary", "input.id")?;
        commentaries::delete(scope, id, input.version).await?;
        Ok(DeleteScorecardCommentaryPayload {
            deleted_id: encode_id("ScorecardCommentary", id),
        })
    }
}
