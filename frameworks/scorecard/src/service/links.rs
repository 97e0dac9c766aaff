//! The strategy map's cause → effect links between a scorecard's
//! objectives: a directed acyclic graph. A loop is refused, naming its
//! path; a link against the perspective order (an effect in a perspective
//! below its cause's) is kept with a warning, since maps usually read
//! upwards, Learning & Growth → Internal Process → Customer → Financial.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, Set};
use throughline_domain::kit::{Change, DomainError, DomainResult, TenantScope, stored_enum};
use uuid::Uuid;

use super::objectives::{active_objective, titled_path};
use super::require_designer;

const ON_MAP: &str = "archived objectives are not on the strategy map";
use crate::entity::{link, perspective};

/// The most links one scorecard's map holds: enough for every objective
/// to drive a few others, few enough to draw and read.
pub const MAX_LINKS_PER_SCORECARD: usize = 400;

stored_enum!(
    /// What a link's warning is about.
    LinkWarningCode as "ScorecardLinkWarningCode" {
        /// The link runs down the perspective order: its effect sits in a perspective below its cause's.
        AgainstPerspectiveOrder => "AGAINST_PERSPECTIVE_ORDER",
    }
);

/// Advice about a link that was kept.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkWarning {
    pub code: LinkWarningCode,
    pub message: String,
}

/// The links of a scorecard's map, oldest first.
pub async fn of_scorecard(scope: &TenantScope, scorecard: Uuid) -> DomainResult<Vec<link::Model>> {
    of_scorecards(scope, &[scorecard]).await
}

/// The links of these scorecards' maps, oldest first: one statement.
pub async fn of_scorecards(
    scope: &TenantScope,
    scorecards: &[Uuid],
) -> DomainResult<Vec<link::Model>> {
    Ok(scope
        .select::<link::Entity>()
        .filter(link::Column::ScorecardId.is_in(scorecards.iter().copied()))
        .order_by_asc(link::Column::CreatedAt)
        .order_by_asc(link::Column::Id)
        .all(scope)
        .await?)
}

/// The path `from` ⇝ `to` along `edges` (cause → effect), if any: the
/// shortest, so the message names the tightest loop.
pub fn path_between(edges: &[(Uuid, Uuid)], from: Uuid, to: Uuid) -> Option<Vec<Uuid>> {
    let mut next: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (cause, effect) in edges {
        next.entry(*cause).or_default().push(*effect);
    }
    let mut came_from: HashMap<Uuid, Uuid> = HashMap::new();
    let mut seen = HashSet::from([from]);
    let mut queue = VecDeque::from([from]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut path = vec![to];
            let mut at = to;
            while let Some(before) = came_from.get(&at) {
                path.push(*before);
                at = *before;
            }
            path.reverse();
            return Some(path);
        }
        for effect in next.get(&node).into_iter().flatten() {
            if seen.insert(*effect) {
                came_from.insert(*effect, node);
                queue.push_back(*effect);
            }
        }
    }
    None
}

/// Links `cause` → `effect` on their scorecard's map.
pub async fn create(
    scope: &TenantScope,
    cause_id: Uuid,
    effect_id: Uuid,
) -> DomainResult<(link::Model, Vec<LinkWarning>)> {
    require_designer(scope, "designing strategy maps")?;
    if cause_id == effect_id {
        return Err(DomainError::validation(
            "input.effectId",
            "an objective cannot be its own cause",
        ));
    }
    let mut tx = scope.begin().await?;
    // Two links added at once could close a loop neither sees alone.
    tx.lock_tenant().await?;
    let cause = active_objective(&tx, cause_id, "input.causeId", ON_MAP).await?;
    let effect = active_objective(&tx, effect_id, "input.effectId", ON_MAP).await?;
    if cause.scorecard_id != effect.scorecard_id {
        return Err(DomainError::validation(
            "input.effectId",
            "the two objectives are on different scorecards: a strategy map links one scorecard's objectives",
        ));
    }
    let existing = tx
        .select::<link::Entity>()
        .filter(link::Column::ScorecardId.eq(cause.scorecard_id))
        .all(&tx)
        .await?;
    if existing
        .iter()
        .any(|l| l.cause_id == cause_id && l.effect_id == effect_id)
    {
        return Err(DomainError::validation(
            "input.effectId",
            "these objectives are linked already",
        ));
    }
    if existing.len() >= MAX_LINKS_PER_SCORECARD {
        return Err(DomainError::validation(
            "input.causeId",
            format!(
                "this strategy map holds its {MAX_LINKS_PER_SCORECARD} links already: a map shows the few causes that matter"
            ),
        ));
    }
    let edges: Vec<(Uuid, Uuid)> = existing.iter().map(|l| (l.cause_id, l.effect_id)).collect();
    if let Some(path) = path_between(&edges, effect_id, cause_id) {
        let titles = titled_path(&tx, std::iter::once(cause_id).chain(path)).await?;
        return Err(DomainError::validation(
            "input.effectId",
            format!(
                "this link would close a loop: {titles} — a strategy map reads from causes to effects, so it has none"
            ),
        ));
    }
    let perspectives: HashMap<Uuid, perspective::Model> = tx
        .select::<perspective::Entity>()
        .filter(perspective::Column::Id.is_in([cause.perspective_id, effect.perspective_id]))
        .all(&tx)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut warnings = Vec::new();
    if let (Some(from), Some(to)) = (
        perspectives.get(&cause.perspective_id),
        perspectives.get(&effect.perspective_id),
    ) && from.position < to.position
    {
        warnings.push(LinkWarning {
            code: LinkWarningCode::AgainstPerspectiveOrder,
            message: format!(
                "this link runs down the perspective order, from {} to {}: maps usually read upwards (Learning & Growth → Internal Process → Customer → Financial); kept as asked",
                from.name, to.name
            ),
        });
    }
    let row = tx
        .insert(link::ActiveModel {
            id: Set(Uuid::now_v7()),
            scorecard_id: Set(cause.scorecard_id),
            cause_id: Set(cause_id),
            effect_id: Set(effect_id),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "scorecard_link.created",
        "ScorecardLink",
        row.id,
        &row,
    ))
    .await?;
    tx.commit().await?;
    Ok((row, warnings))
}

/// Removes a link from its map.
pub async fn delete(scope: &TenantScope, id: Uuid) -> DomainResult<link::Model> {
    require_designer(scope, "designing strategy maps")?;
    let mut tx = scope.begin().await?;
    let before = tx.load::<link::Entity>(id, "link").await?;
    tx.delete::<link::Entity>()
        .filter(link::Column::Id.eq(id))
        .exec()
        .await?;
    tx.record(Change::deleted(
        "scorecard_link.deleted",
        "ScorecardLink",
        id,
        &before,
    ))
    .await?;
    tx.commit().await?;
    Ok(before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_found_shortest_first_and_none_where_there_is_none() {
        let [a, b, c, d] = [1u128, 2, 3, 4].map(Uuid::from_u128);
        let edges = [(a, b), (b, c), (c, d), (a, d)];
        assert_eq!(path_between(&edges, a, d), Some(vec![a, d]));
        assert_eq!(path_between(&edges, b, d), Some(vec![b, c, d]));
        assert_eq!(path_between(&edges, d, a), None);
        assert_eq!(path_between(&edges, a, a), Some(vec![a]));
    }
}
