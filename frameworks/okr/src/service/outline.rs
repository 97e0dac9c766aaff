//! The alignment tree of a cycle as ids, computed once per scores revision
//! and shared by every viewer: a request pages through it and reads only the
//! rows of its page. Who may see what is applied per request by
//! [`Outline::tree`], from the family's private objectives the viewer may
//! not see.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use throughline_domain::kit::{DomainError, DomainResult};
use uuid::Uuid;

use crate::entity::{alignment, key_result, objective};
use crate::model::{Level, ObjectiveStatus};

/// The most nodes a tree may have. An objective aligned to several parents
/// repeats under each, so a lattice of multi-parent alignments grows the
/// tree geometrically; past this it is refused rather than built.
pub const MAX_TREE_NODES: usize = 100_000;

/// One node of the tree, in depth-first order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    pub objective: Uuid,
    pub depth: u32,
    pub parent: Option<Uuid>,
    /// Which appearance of this (objective, parent) pair this is: the pair
    /// recurs when the parent itself sits under several objectives.
    pub occurrence: u32,
}

impl TreeEntry {
    /// The node's key in cursors: stable while the tree keeps the node.
    pub fn key(&self) -> String {
        let parent = self.parent.map(|p| p.to_string()).unwrap_or_default();
        format!("{}/{parent}/{}", self.objective, self.occurrence)
    }
}

/// One objective of the outline.
#[derive(Debug, Default)]
struct Node {
    id: Uuid,
    /// Of the cycle itself (roots come only from these).
    own: bool,
    /// Objectives aligned to it or to one of its key results, by rank, in
    /// rank order; `parents` is the same relation the other way.
    children: Vec<u32>,
    parents: Vec<u32>,
}

/// The cycle's non-archived objectives and those of the cycles nested in
/// it, ordered company → team → individual, then by title; and what aligns
/// to what among them.
#[derive(Debug, Default)]
pub struct Outline {
    /// The cycle, then the cycles nested in it.
    cycles: Vec<Uuid>,
    /// The family's private objectives, archived ones included.
    private_objectives: Vec<Uuid>,
    /// In tree order; a node's index is its rank.
    nodes: Vec<Node>,
    /// The tree of a viewer who may see everything (empty when too large).
    everything: Arc<Vec<TreeEntry>>,
    /// That tree has more than [`MAX_TREE_NODES`] nodes: it is refused, and
    /// the cycle's scores, which do not depend on it, stand.
    too_large: bool,
}

fn level_rank(level: &str) -> u8 {
    match level {
        l if l == Level::Company.as_str() => 0,
        l if l == Level::Team.as_str() => 1,
        _ => 2,
    }
}

/// Tree order: company, team, individual; then by title (then id, so ties
/// fall the same way on every database).
pub(crate) fn tree_order(a: &objective::Model, b: &objective::Model) -> std::cmp::Ordering {
    level_rank(&a.level)
        .cmp(&level_rank(&b.level))
        .then_with(|| a.title.cmp(&b.title))
        .then_with(|| a.id.cmp(&b.id))
}

fn too_large() -> DomainError {
    DomainError::LimitExceeded(format!(
        "this cycle's alignment tree has more than {MAX_TREE_NODES} nodes (an objective aligned to several parents appears under each); list objectives instead"
    ))
}

/// Whether the node of rank `rank` is hidden (an unknown rank is).
fn is_hidden(hidden: &[bool], rank: u32) -> bool {
    hidden.get(rank as usize).copied().unwrap_or(true)
}

impl Outline {
    /// Builds the outline of the family `cycles` (the cycle first) from its
    /// rows, as scoring reads them.
    pub fn build(
        cycles: &[Uuid],
        objectives: &[objective::Model],
        key_results: &[key_result::Model],
        alignments: &[alignment::Model],
    ) -> Self {
        let cycle = cycles.first().copied().unwrap_or_default();
        let mut listed: Vec<&objective::Model> = objectives
            .iter()
            .filter(|o| o.status != ObjectiveStatus::Archived.as_str())
            .collect();
        listed.sort_by(|a, b| tree_order(a, b));
        let rank: HashMap<Uuid, u32> = listed
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id, i as u32))
            .collect();
        let objective_of_kr: HashMap<Uuid, Uuid> = key_results
            .iter()
            .map(|kr| (kr.id, kr.objective_id))
            .collect();
        let mut nodes: Vec<Node> = listed
            .iter()
            .map(|o| Node {
                id: o.id,
                own: o.cycle_id == cycle,
                ..Node::default()
            })
            .collect();
        for link in alignments {
            let parent = link.parent_objective_id.or_else(|| {
                link.parent_key_result_id
                    .and_then(|kr| objective_of_kr.get(&kr).copied())
            });
            let (Some(parent), Some(&child)) = (
                parent.and_then(|p| rank.get(&p).copied()),
                rank.get(&link.objective_id),
            ) else {
                continue;
            };
            let Some(children) = nodes.get_mut(parent as usize).map(|n| &mut n.children) else {
                continue;
            };
            if !children.contains(&child) {
                children.push(child);
                if let Some(node) = nodes.get_mut(child as usize) {
                    node.parents.push(parent);
                }
            }
        }
        for node in &mut nodes {
            node.children.sort_unstable();
        }
        let mut outline = Outline {
            cycles: cycles.to_vec(),
            private_objectives: objectives
                .iter()
                .filter(|o| o.private)
                .map(|o| o.id)
                .collect(),
            nodes,
            everything: Arc::default(),
            too_large: false,
        };
        match outline.walk(&vec![false; outline.nodes.len()]) {
            Ok(tree) => outline.everything = Arc::new(tree),
            Err(_) => outline.too_large = true,
        }
        outline
    }

    /// Nodes of the tree as everyone-visible, for the cache's memory budget.
    pub fn size(&self) -> usize {
        if self.too_large {
            MAX_TREE_NODES
        } else {
            self.everything.len()
        }
    }

    /// The cycle, then the cycles nested in it.
    pub fn cycles(&self) -> &[Uuid] {
        &self.cycles
    }

    /// The private objectives of the family: the only ones a viewer may be
    /// kept from.
    pub fn private_objectives(&self) -> &[Uuid] {
        &self.private_objectives
    }

    /// The tree without the objectives in `hidden`: what is aligned only to
    /// hidden objectives becomes a root (if it is of the cycle itself).
    pub fn tree(&self, hidden: &HashSet<Uuid>) -> DomainResult<Arc<Vec<TreeEntry>>> {
        if hidden.is_empty() {
            return if self.too_large {
                Err(too_large())
            } else {
                Ok(self.everything.clone())
            };
        }
        let hidden: Vec<bool> = self.nodes.iter().map(|n| hidden.contains(&n.id)).collect();
        Ok(Arc::new(self.walk(&hidden)?))
    }

    fn walk(&self, hidden: &[bool]) -> DomainResult<Vec<TreeEntry>> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut seen: HashMap<(u32, Option<u32>), u32> = HashMap::new();
        let mut path = Vec::new();
        for (rank, node) in self.nodes.iter().enumerate() {
            let rank = rank as u32;
            let under_visible_parent = node.parents.iter().any(|p| !is_hidden(hidden, *p));
            if node.own && !is_hidden(hidden, rank) && !under_visible_parent {
                self.visit(rank, None, hidden, &mut path, &mut seen, &mut out)?;
            }
        }
        Ok(out)
    }

    fn visit(
        &self,
        rank: u32,
        parent: Option<u32>,
        hidden: &[bool],
        path: &mut Vec<u32>,
        seen: &mut HashMap<(u32, Option<u32>), u32>,
        out: &mut Vec<TreeEntry>,
    ) -> DomainResult<()> {
        // Loops are refused when aligning; this guards the walk anyway.
        let Some(node) = self.nodes.get(rank as usize) else {
            return Ok(());
        };
        if path.contains(&rank) {
            return Ok(());
        }
        if out.len() >= MAX_TREE_NODES {
            return Err(too_large());
        }
        let occurrence = seen.entry((rank, parent)).or_default();
        *occurrence += 1;
        out.push(TreeEntry {
            objective: node.id,
            depth: path.len() as u32,
            parent: parent
                .and_then(|p| self.nodes.get(p as usize))
                .map(|p| p.id),
            occurrence: *occurrence,
        });
        path.push(rank);
        for &child in &node.children {
            if !is_hidden(hidden, child) {
                self.visit(child, Some(rank), hidden, path, seen, out)?;
            }
        }
        path.pop();
        Ok(())
    }
}
