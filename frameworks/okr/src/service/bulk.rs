//! Loading a client's OKRs from a workshop in one call: objectives with their
//! key results and alignments, all or nothing.

use super::Warning;
use super::key_results::NewKeyResult;
use crate::entity::objective;
use crate::scoring::ProgressDriver;
use rust_decimal::Decimal;
use throughline_domain::kit::{DomainError, DomainResult, Target, TenantScope};
use uuid::Uuid;

use crate::model::{Level, ObjectiveStatus};

use super::alignment::{AlignTarget, link};
use super::objectives::{NewObjective, warnings};

/// The most objectives one bulk call may carry.
pub const MAX_OBJECTIVES: usize = 200;

#[derive(Clone, Debug)]
pub struct BulkKeyResult {
    pub title: String,
    pub owner_id: Option<Uuid>,
    pub target: Target,
    pub weight: Option<Decimal>,
    pub metric_id: Option<Uuid>,
}

#[derive(Clone, Debug)]
pub struct BulkObjective {
    pub title: String,
    pub description: Option<String>,
    pub level: Level,
    pub owner_id: Uuid,
    pub org_unit_id: Option<Uuid>,
    pub private: bool,
    pub weight: Option<Decimal>,
    pub progress_driver: Option<ProgressDriver>,
    pub status: Option<ObjectiveStatus>,
    /// An earlier objective of the same call to align to, by position.
    pub parent_index: Option<usize>,
    /// An existing objective to align to.
    pub parent_objective_id: Option<Uuid>,
    pub priority_ids: Vec<Uuid>,
    pub key_results: Vec<BulkKeyResult>,
}

/// Creates every objective with its key results and alignments in one
/// transaction; the first bad item refuses the whole call, naming its field
/// (`input.objectives[2].keyResults[0].target.target`).
pub async fn create(
    scope: &TenantScope,
    cycle_id: Uuid,
    items: Vec<BulkObjective>,
) -> DomainResult<(Vec<objective::Model>, Vec<(usize, Warning)>)> {
    if items.is_empty() {
        return Err(DomainError::validation(
            "input.objectives",
            "give at least one objective",
        ));
    }
    if items.len() > MAX_OBJECTIVES {
        return Err(DomainError::LimitExceeded(format!(
            "{} objectives in one call; the most is {MAX_OBJECTIVES}",
            items.len()
        )));
    }
    let mut tx = scope.begin().await?;
    let mut created: Vec<objective::Model> = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let prefix = format!("input.objectives[{index}]");
        if let Some(parent) = item.parent_index
            && parent >= index
        {
            return Err(DomainError::validation(
                format!("{prefix}.parentIndex"),
                "parentIndex must name an objective earlier in the list",
            ));
        }
        let model = super::objectives::insert(
            &mut tx,
            NewObjective {
                cycle_id,
                title: item.title,
                description: item.description,
                level: item.level,
                owner_id: item.owner_id,
                co_owner_ids: vec![],
                org_unit_id: item.org_unit_id,
                private: item.private,
                weight: item.weight,
                progress_driver: item.progress_driver,
                status: item.status,
            },
            &prefix,
        )
        .await?;
        for (kr_index, kr) in item.key_results.into_iter().enumerate() {
            super::key_results::insert(
                &mut tx,
                &model,
                NewKeyResult {
                    objective_id: model.id,
                    title: kr.title,
                    owner_id: kr.owner_id,
                    target: kr.target,
                    weight: kr.weight,
                    current_value: None,
                    metric_id: kr.metric_id,
                    starts_on: None,
                    due_on: None,
                    progress_source: None,
                },
                &format!("{prefix}.keyResults[{kr_index}]"),
            )
            .await?;
        }
        if let Some(parent) = item.parent_index {
            link(
                &mut tx,
                &model,
                AlignTarget::Objective(
                    created
                        .get(parent)
                        .ok_or_else(|| {
                            DomainError::validation(
                                format!("{prefix}.parentIndex"),
                                "parentIndex must name an objective earlier in the list",
                            )
                        })?
                        .id,
                ),
                &prefix,
            )
            .await?;
        }
        if let Some(parent) = item.parent_objective_id {
            link(&mut tx, &model, AlignTarget::Objective(parent), &prefix).await?;
        }
        for priority in item.priority_ids {
            link(&mut tx, &model, AlignTarget::Priority(priority), &prefix).await?;
        }
        created.push(model);
    }
    let mut all_warnings = Vec::new();
    for (index, model) in created.iter().enumerate() {
        all_warnings.extend(warnings(&tx, model).await?.into_iter().map(|w| (index, w)));
    }
    tx.commit().await?;
    Ok((created, all_warnings))
}
