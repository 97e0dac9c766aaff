//! The alignment report of a cycle, over the
//! objectives the viewer may see (a private objective never shows up in
//! anyone else's tree or report). A constant number of queries per cycle.

use std::collections::{HashMap, HashSet};

use super::outline::tree_order;
use super::scores::families;
use super::visibility::visible_objectives;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use throughline_domain::entity::strategic_priority;
use throughline_domain::kit::{DomainResult, TenantDb, TenantScope};
use uuid::Uuid;

use crate::entity::{alignment, key_result, objective};
use crate::model::{Level, ObjectiveStatus};

struct CycleGraph {
    /// The cycle's visible objectives and those of the cycles nested in it.
    objectives: Vec<objective::Model>,
    /// Aligned to a visible objective of the family (or one of its key results).
    has_parent: HashSet<Uuid>,
    /// Aligned to a visible objective outside the family (a quarter's
    /// objective to its year's, seen from the quarter).
    aligned_outside: HashSet<Uuid>,
    priorities_of: HashMap<Uuid, Vec<Uuid>>,
}

async fn graph<C: TenantDb>(
    db: &C,
    scope: &TenantScope,
    cycle_id: Uuid,
) -> DomainResult<CycleGraph> {
    let family: Vec<Uuid> = families(db, scope, &[cycle_id])
        .await?
        .remove(&cycle_id)
        .unwrap_or_default()
        .iter()
        .map(|c| c.id)
        .collect();
    let mut objectives = visible_objectives(scope)
        .filter(objective::Column::CycleId.is_in(family))
        .filter(objective::Column::Status.ne(ObjectiveStatus::Archived.as_str()))
        .order_by_asc(objective::Column::Title)
        .all(db)
        .await?;
    objectives.sort_by(tree_order);
    let ids: HashSet<Uuid> = objectives.iter().map(|o| o.id).collect();
    let links = scope
        .select::<alignment::Entity>()
        .filter(alignment::Column::ObjectiveId.is_in(ids.iter().copied()))
        .order_by_asc(alignment::Column::Id)
        .all(db)
        .await?;
    let kr_ids: Vec<Uuid> = links
        .iter()
        .filter_map(|l| l.parent_key_result_id)
        .collect();
    let kr_objective: HashMap<Uuid, Uuid> = scope
        .select::<key_result::Entity>()
        .filter(key_result::Column::Id.is_in(kr_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|kr| (kr.id, kr.objective_id))
        .collect();
    let mut has_parent = HashSet::new();
    let mut outside: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let mut priorities_of: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for link in &links {
        let parent = link.parent_objective_id.or_else(|| {
            link.parent_key_result_id
                .and_then(|kr| kr_objective.get(&kr).copied())
        });
        match parent {
            Some(parent) if ids.contains(&parent) => {
                has_parent.insert(link.objective_id);
            }
            Some(parent) => outside.entry(parent).or_default().push(link.objective_id),
            None => {}
        }
        if let Some(priority) = link.priority_id {
            priorities_of
                .entry(priority)
                .or_default()
                .push(link.objective_id);
        }
    }
    // Parents outside the family count only if the viewer may see them (and
    // they still count themselves).
    let mut aligned_outside = HashSet::new();
    if !outside.is_empty() {
        let seen = visible_objectives(scope)
            .select_only()
            .column(objective::Column::Id)
            .filter(objective::Column::Id.is_in(outside.keys().copied()))
            .filter(objective::Column::Status.ne(ObjectiveStatus::Archived.as_str()))
            .into_tuple::<Uuid>()
            .all(db)
            .await?;
        for parent in seen {
            aligned_outside.extend(outside.remove(&parent).unwrap_or_default());
        }
    }
    Ok(CycleGraph {
        objectives,
        has_parent,
        aligned_outside,
        priorities_of,
    })
}

/// How well a cycle's objectives hang together.
#[derive(Clone, Debug)]
pub struct AlignmentReport {
    /// Team and individual objectives in the cycle.
    pub considered: usize,
    /// Of those, aligned to a parent objective, a key result or a priority.
    pub aligned: usize,
    /// Team and individual objectives aligned to nothing.
    pub unaligned: Vec<objective::Model>,
    /// Every strategic priority with the objectives aligned directly to it.
    pub by_priority: Vec<(strategic_priority::Model, Vec<objective::Model>)>,
}

pub async fn alignment_report<C: TenantDb>(
    db: &C,
    scope: &TenantScope,
    cycle_id: Uuid,
) -> DomainResult<AlignmentReport> {
    let graph = graph(db, scope, cycle_id).await?;
    let to_priority: HashSet<Uuid> = graph.priorities_of.values().flatten().copied().collect();
    let considered: Vec<&objective::Model> = graph
        .objectives
        .iter()
        .filter(|o| o.cycle_id == cycle_id && o.level != Level::Company.as_str())
        .collect();
    let unaligned: Vec<objective::Model> = considered
        .iter()
        .filter(|o| {
            !graph.has_parent.contains(&o.id)
                && !graph.aligned_outside.contains(&o.id)
                && !to_priority.contains(&o.id)
        })
        .map(|o| (*o).clone())
        .collect();
    let priorities = scope
        .select::<strategic_priority::Entity>()
        .order_by_asc(strategic_priority::Column::Position)
        .all(db)
        .await?;
    let by_id: HashMap<Uuid, &objective::Model> =
        graph.objectives.iter().map(|o| (o.id, o)).collect();
    let by_priority = priorities
        .into_iter()
        .map(|p| {
            let objectives = graph
                .priorities_of
                .get(&p.id)
                .into_iter()
                .flatten()
                .filter_map(|id| by_id.get(id).filter(|o| o.cycle_id == cycle_id))
                .map(|o| (*o).clone())
                .collect();
            (p, objectives)
        })
        .collect();
    Ok(AlignmentReport {
        considered: considered.len(),
        aligned: considered.len() - unaligned.len(),
        unaligned,
        by_priority,
    })
}
