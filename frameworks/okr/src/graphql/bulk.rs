//! Bulk loads: a workshop's objectives, key results and alignments, all or nothing.

use super::types::*;
use crate::model::{Level, ObjectiveStatus};
use crate::scoring::ProgressDriver;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use rust_decimal::Decimal;
use throughline_domain::kit::{DomainError, Target, decode_id, decode_optional, request};

/// A key result in a bulk load.
#[derive(InputObject)]
pub struct BulkOkrKeyResultInput {
    /// What is measured.
    pub title: String,
    /// Who updates it; default the objective's owner.
    pub owner_id: Option<ID>,
    /// The target.
    pub target: Target,
    /// Its weight; default 1.
    pub weight: Option<Decimal>,
    /// A core metric whose values update it.
    pub metric_id: Option<ID>,
}

/// An objective in a bulk load.
#[derive(InputObject)]
pub struct BulkOkrObjectiveInput {
    /// What to achieve.
    pub title: String,
    /// Why it matters.
    pub description: Option<String>,
    /// Company, team or individual.
    pub level: Level,
    /// The accountable owner.
    pub owner_id: ID,
    /// The org unit (required for team objectives).
    pub org_unit_id: Option<ID>,
    /// Private to its owner, their manager chain and admins.
    pub private: Option<bool>,
    /// Its weight; default 1.
    pub weight: Option<Decimal>,
    /// Default `KEY_RESULTS`.
    pub progress_driver: Option<ProgressDriver>,
    /// Default `DRAFT`.
    pub status: Option<ObjectiveStatus>,
    /// Align to an objective earlier in this list, by its position (0-based).
    pub parent_index: Option<i32>,
    /// Align to an existing objective.
    pub parent_objective_id: Option<ID>,
    /// Align to these strategic priorities.
    pub priority_ids: Option<Vec<ID>>,
    /// Its key results.
    pub key_results: Option<Vec<BulkOkrKeyResultInput>>,
}

/// Objectives with their key results and alignments, created all or nothing.
#[derive(InputObject)]
pub struct BulkCreateOkrObjectivesInput {
    /// The cycle they belong to.
    pub cycle_id: ID,
    /// Up to 200 objectives.
    pub objectives: Vec<BulkOkrObjectiveInput>,
}

/// A soft warning about one objective of a bulk load.
#[derive(SimpleObject)]
pub struct OkrBulkWarning {
    /// The objective's position in the input.
    pub index: i32,
    /// The warning.
    pub warning: OkrWarning,
}

/// What a bulk load created.
#[derive(SimpleObject)]
pub struct BulkCreateOkrObjectivesPayload {
    /// The objectives, in input order.
    pub objectives: Vec<OkrObjective>,
    /// Soft warnings, by objective.
    pub warnings: Vec<OkrBulkWarning>,
}

#[derive(Default)]
pub struct OkrBulkMutation;

#[Object]
impl OkrBulkMutation {
    /// Creates many objectives with their key results and alignments in one
    /// transaction (a workshop's output): all or nothing, naming the bad field.
    async fn bulk_create_objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: BulkCreateOkrObjectivesInput,
    ) -> Result<BulkCreateOkrObjectivesPayload> {
        use crate::service::bulk::{BulkKeyResult, BulkObjective, create};
        let cycle_id = decode_id(&input.cycle_id, "OkrCycle", "input.cycleId")?;
        let mut items = Vec::with_capacity(input.objectives.len());
        for (i, o) in input.objectives.into_iter().enumerate() {
            let p = format!("input.objectives[{i}]");
            let mut key_results = Vec::new();
            for (k, kr) in o.key_results.unwrap_or_default().into_iter().enumerate() {
                let kp = format!("{p}.keyResults[{k}]");
                key_results.push(BulkKeyResult {
                    title: kr.title,
                    owner_id: decode_optional(
                        kr.owner_id.as_ref(),
                        "Person",
                        &format!("{kp}.ownerId"),
                    )?,
                    target: kr.target,
                    weight: kr.weight,
                    metric_id: decode_optional(
                        kr.metric_id.as_ref(),
                        "Metric",
                        &format!("{kp}.metricId"),
                    )?,
                });
            }
            let parent_index = match o.parent_index {
                Some(n) if n < 0 => {
                    return Err(DomainError::validation(
                        format!("{p}.parentIndex"),
                        "a position is 0 or more",
                    )
                    .into());
                }
                other => other.map(|n| n as usize),
            };
            items.push(BulkObjective {
                title: o.title,
                description: o.description,
                level: o.level,
                owner_id: decode_id(&o.owner_id, "Person", &format!("{p}.ownerId"))?,
                org_unit_id: decode_optional(
                    o.org_unit_id.as_ref(),
                    "OrgUnit",
                    &format!("{p}.orgUnitId"),
                )?,
                private: o.private.unwrap_or(false),
                weight: o.weight,
                progress_driver: o.progress_driver,
                status: o.status,
                parent_index,
                parent_objective_id: decode_optional(
                    o.parent_objective_id.as_ref(),
                    "OkrObjective",
                    &format!("{p}.parentObjectiveId"),
                )?,
                priority_ids: ids(
                    o.priority_ids.as_ref(),
                    "StrategicPriority",
                    &format!("{p}.priorityIds"),
                )?
                .unwrap_or_default(),
                key_results,
            });
        }
        let (created, warned) = create(&request(ctx)?.scope, cycle_id, items).await?;
        Ok(BulkCreateOkrObjectivesPayload {
            objectives: created.into_iter().map(OkrObjective).collect(),
            warnings: warned
                .into_iter()
                .map(|(index, w)| OkrBulkWarning {
                    index: index as i32,
                    warning: w.into(),
                })
                .collect(),
        })
    }
}
