//! Per-period commentary on an objective or a measure: the owner's
//! analysis and recommendations (ClearPoint's update fields). One per
//! subject and period, rewritten with the version read; every version is
//! in the audit log. An objective's owner writes its commentary; a
//! measure's is written by its metric's owner or its objective's; admins
//! write any.

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, Set};
use throughline_domain::entity::metric;
use throughline_domain::kit::{
    Change, DomainError, DomainResult, Period, Role, TenantScope, TenantTxn, check_version,
    optional_text, required_text,
};
use uuid::Uuid;

use crate::entity::{commentary, measure, objective};

/// Enough for a page of analysis; a commentary is read in a review.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// What a commentary is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    Objective(Uuid),
    Measure(Uuid),
}

/// A commentary to write for a subject and period.
pub struct CommentaryInput {
    pub subject: Subject,
    pub period: Period,
    pub analysis: String,
    pub recommendations: Option<String>,
    /// The version read; omitted when writing the period's first.
    pub version: Option<i32>,
}

/// The people who may write a subject's commentary besides admins.
async fn owners(tx: &TenantTxn<'_>, subject: Subject) -> DomainResult<Vec<Option<Uuid>>> {
    Ok(match subject {
        Subject::Objective(id) => {
            let o = tx
                .reference::<objective::Entity>(id, "input.objectiveId", "objective")
                .await?;
            vec![o.owner_id]
        }
        Subject::Measure(id) => {
            let m = tx
                .reference::<measure::Entity>(id, "input.measureId", "measure")
                .await?;
            let o = tx
                .load::<objective::Entity>(m.objective_id, "objective")
                .await?;
            let metric_owner = tx
                .select::<metric::Entity>()
                .filter(metric::Column::Id.eq(m.metric_id))
                .one(tx)
                .await?
                .and_then(|metric| metric.owner_id);
            vec![metric_owner, o.owner_id]
        }
    })
}

fn require_writer(scope: &TenantScope, owners: &[Option<Uuid>]) -> DomainResult<()> {
    let actor = scope.actor();
    if actor.role == Role::Admin {
        return Ok(());
    }
    if actor.person_id.is_some_and(|me| owners.contains(&Some(me))) {
        return Ok(());
    }
    Err(DomainError::Forbidden(
        "commentary is written by the objective's owner, the measure's metric owner, or an admin"
            .into(),
    ))
}

fn subject_filter(subject: Subject) -> sea_orm::Condition {
    match subject {
        Subject::Objective(id) => {
            sea_orm::Condition::all().add(commentary::Column::ObjectiveId.eq(id))
        }
        Subject::Measure(id) => sea_orm::Condition::all().add(commentary::Column::MeasureId.eq(id)),
    }
}

/// Writes the subject's commentary for the period (a new one, or the one
/// there with the version read).
pub async fn set(scope: &TenantScope, input: CommentaryInput) -> DomainResult<commentary::Model> {
    scope.require_role(
        &[Role::Admin, Role::Manager, Role::Member],
        "writing commentary",
    )?;
    let analysis = required_text("input.analysis", &input.analysis, MAX_TEXT_CHARS)?;
    let recommendations = optional_text(
        "input.recommendations",
        input.recommendations.as_deref(),
        MAX_TEXT_CHARS,
    )?;
    if input.period.start > scope.today() {
        return Err(DomainError::validation(
            "input.period",
            format!(
                "{} has not begun: a period is commented on once it has",
                input.period.label
            ),
        ));
    }
    let mut tx = scope.begin().await?;
    let owners = owners(&tx, input.subject).await?;
    require_writer(scope, &owners)?;
    // Two first commentaries for one period at once: the second waits and
    // finds the first (and answers CONFLICT without its version).
    tx.lock_tenant().await?;
    let existing = tx
        .select::<commentary::Entity>()
        .filter(subject_filter(input.subject))
        .filter(commentary::Column::PeriodKind.eq(input.period.kind.as_str()))
        .filter(commentary::Column::PeriodStart.eq(input.period.start))
        .one(&tx)
        .await?;
    let actor = scope.actor();
    let now = Utc::now();
    let row = match existing {
        Some(before) => {
            let Some(version) = input.version else {
                return Err(DomainError::validation(
                    "input.version",
                    format!(
                        "{} has a commentary already: send the version you read to rewrite it",
                        input.period.label
                    ),
                ));
            };
            check_version(before.version, version, "commentary")?;
            let mut after = before.clone();
            after.analysis = analysis;
            after.recommendations = recommendations;
            after.author_person_id = actor.person_id;
            after.author_user_id = actor.user_id;
            after.updated_at = now;
            after.version = before.version + 1;
            tx.update_versioned::<commentary::Entity>(
                before.id,
                after.clone(),
                before.version,
                "commentary",
            )
            .await?;
            tx.record(Change::updated(
                "scorecard_commentary.updated",
                "ScorecardCommentary",
                after.id,
                &before,
                &after,
            ))
            .await?;
            after
        }
        None => {
            if input.version.is_some() {
                // The one read is gone (deleted since).
                return Err(DomainError::stale_version("commentary"));
            }
            let (objective_id, measure_id) = match input.subject {
                Subject::Objective(id) => (Some(id), None),
                Subject::Measure(id) => (None, Some(id)),
            };
            let row = tx
                .insert(commentary::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    objective_id: Set(objective_id),
                    measure_id: Set(measure_id),
                    period_kind: Set(input.period.kind.as_str().to_string()),
                    period_start: Set(input.period.start),
                    analysis: Set(analysis),
                    recommendations: Set(recommendations),
                    author_person_id: Set(actor.person_id),
                    author_user_id: Set(actor.user_id),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                    ..Default::default()
                })
                .await?;
            tx.record(Change::created(
                "scorecard_commentary.created",
                "ScorecardCommentary",
                row.id,
                &row,
            ))
            .await?;
            row
        }
    };
    tx.commit().await?;
    Ok(row)
}

/// Deletes a commentary (its owners' or an admin's to delete).
pub async fn delete(
    scope: &TenantScope,
    id: Uuid,
    version: i32,
) -> DomainResult<commentary::Model> {
    scope.require_role(
        &[Role::Admin, Role::Manager, Role::Member],
        "deleting commentary",
    )?;
    let mut tx = scope.begin().await?;
    let before = tx.load::<commentary::Entity>(id, "commentary").await?;
    let subject = match (before.objective_id, before.measure_id) {
        (Some(o), _) => Subject::Objective(o),
        (None, Some(m)) => Subject::Measure(m),
        (None, None) => {
            return Err(DomainError::Internal(format!(
                "commentary {id} has no subject"
            )));
        }
    };
    let owners = owners(&tx, subject).await?;
    require_writer(scope, &owners)?;
    check_version(before.version, version, "commentary")?;
    tx.delete::<commentary::Entity>()
        .filter(commentary::Column::Id.eq(id))
        .filter(commentary::Column::Version.eq(version))
        .exec()
        .await?;
    tx.record(Change::deleted(
        "scorecard_commentary.deleted",
        "ScorecardCommentary",
        id,
        &before,
    ))
    .await?;
    tx.commit().await?;
    Ok(before)
}
