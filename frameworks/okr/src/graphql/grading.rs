//! Grading: the grade recorded at close with when and by whom, whether the
//! figures moved since, and the owner's self-score with its confirmation.

use super::loaders::{CycleScoresLoader, KeyResultsOfObjective};
use super::objectives::OkrObjectivePayload;
use super::types::*;
use crate::entity::objective;
use crate::service::{grading, optional_decimal};
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use throughline_domain::graphql::types::Person;
use throughline_domain::kit::{Role, decode_id, request};

/// How an objective was graded: the recorded grade and the owner's own score.
pub struct OkrGrading(pub objective::Model);

/// How an objective was graded: the recorded grade and the owner's own score.
#[Object]
impl OkrGrading {
    /// The progress recorded when its cycle closed or an admin regraded it (0 to 1).
    async fn grade(&self) -> Result<Option<Decimal>> {
        Ok(optional_decimal(self.0.grade.as_deref())?)
    }
    /// When it was graded.
    async fn graded_at(&self) -> Option<DateTime<Utc>> {
        self.0.graded_at
    }
    /// Who graded it (closed the cycle or regraded), if they have a person record.
    async fn graded_by(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        match self.0.graded_by_person_id {
            Some(id) => person(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The figures moved after grading (a late check-in, a reopened cycle):
    /// the objective's or one of its key results' progress now differs from
    /// its grade. An admin may regrade.
    async fn outdated(&self, ctx: &Context<'_>) -> Result<bool> {
        if self.0.grade.is_none() {
            return Ok(false);
        }
        let request = request(ctx)?;
        let Some(scores) = request
            .loader::<CycleScoresLoader, _>()
            .load_one(self.0.cycle_id)
            .await?
        else {
            return Ok(false);
        };
        let key_results = request
            .loader::<KeyResultsOfObjective, _>()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(grading::outdated(&self.0, &key_results, &scores)?)
    }
    /// The owner's own score, if they proposed one.
    async fn self_score(&self) -> Option<OkrSelfScore> {
        self.0
            .self_score
            .is_some()
            .then(|| OkrSelfScore(self.0.clone()))
    }
}

/// An owner's own score of their objective, kept beside the grade.
pub struct OkrSelfScore(objective::Model);

/// An owner's own score of their objective, kept beside the grade.
#[Object]
impl OkrSelfScore {
    /// From 0 to 1.
    async fn score(&self) -> Result<Option<Decimal>> {
        Ok(optional_decimal(self.0.self_score.as_deref())?)
    }
    /// Why.
    async fn note(&self) -> Option<&str> {
        self.0.self_score_note.as_deref()
    }
    /// When it was proposed.
    async fn proposed_at(&self) -> Option<DateTime<Utc>> {
        self.0.self_scored_at
    }
    /// Who proposed it.
    async fn proposed_by(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        match self.0.self_scored_by_person_id {
            Some(id) => person(ctx, id).await,
            None => Ok(None),
        }
    }
    /// Whether an admin or the owner's manager confirmed it.
    async fn confirmed(&self) -> bool {
        self.0.self_score_confirmed_at.is_some()
    }
    /// When it was confirmed.
    async fn confirmed_at(&self) -> Option<DateTime<Utc>> {
        self.0.self_score_confirmed_at
    }
    /// Who confirmed it, if they have a person record.
    async fn confirmed_by(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        match self.0.self_score_confirmed_by_person_id {
            Some(id) => person(ctx, id).await,
            None => Ok(None),
        }
    }
}

/// Names an objective and the version you read.
#[derive(InputObject)]
pub struct OkrObjectiveVersionInput {
    /// The objective.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
}

/// An owner's own score of their objective.
#[derive(InputObject)]
pub struct ProposeOkrSelfScoreInput {
    /// The objective.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// From 0 to 1, at most 4 decimal places.
    pub score: Decimal,
    /// Why (at most 4,000 characters).
    pub note: Option<String>,
}

#[derive(Default)]
pub struct OkrGradingMutation;

fn payload(objective: objective::Model) -> OkrObjectivePayload {
    OkrObjectivePayload {
        objective: OkrObjective(objective),
        warnings: vec![],
    }
}

#[Object]
impl OkrGradingMutation {
    /// Grades an objective of a closed cycle again from today's figures
    /// (admins; audited as `okr_objective.regraded`).
    async fn regrade_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OkrObjectiveVersionInput,
    ) -> Result<OkrObjectivePayload> {
        let scope = &request(ctx)?.scope;
        // The role before the input: a refusal tells nothing of what exists.
        scope.require_admin("regrading objectives")?;
        let id = decode_id(&input.id, "OkrObjective", "input.id")?;
        Ok(payload(grading::regrade(scope, id, input.version).await?))
    }

    /// Proposes the owner's own score (owners and co-owners); proposing
    /// again replaces it and needs a new confirmation.
    async fn propose_self_score(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ProposeOkrSelfScoreInput,
    ) -> Result<OkrObjectivePayload> {
        let id = decode_id(&input.id, "OkrObjective", "input.id")?;
        Ok(payload(
            grading::propose_self_score(
                &request(ctx)?.scope,
                id,
                input.version,
                input.score,
                input.note,
            )
            .await?,
        ))
    }

    /// Confirms an owner's self-score (admins and those the owner reports to).
    async fn confirm_self_score(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OkrObjectiveVersionInput,
    ) -> Result<OkrObjectivePayload> {
        let scope = &request(ctx)?.scope;
        scope.require_role(&[Role::Admin, Role::Manager], "confirming self-scores")?;
        let id = decode_id(&input.id, "OkrObjective", "input.id")?;
        Ok(payload(
            grading::confirm_self_score(scope, id, input.version).await?,
        ))
    }
}
