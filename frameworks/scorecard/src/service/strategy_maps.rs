//! A scorecard's strategy map in a period: its active objectives in their
//! perspectives' bands, scored and coloured, the cause → effect links
//! between them, and the layout both the GraphQL answer and the SVG use.

use std::collections::HashMap;

use async_graphql::ID;
use chrono::NaiveDate;
use throughline_domain::kit::{
    DocumentParams, DomainError, DomainResult, Period, PeriodKind, TenantScope, date_in_range,
    decode_id, encode_id, period_containing,
};
use uuid::Uuid;

use super::links;
use super::scores::{Design, PeriodScores, design, scores};
use crate::entity::{link, objective, perspective};
use crate::model::Status;
use crate::scoring::ScoreStatus;
use crate::strategy_map::{Band, Edge, Layout, Node, layout, svg};

/// A scorecard's map in one period.
pub struct StrategyMap {
    pub period: Period,
    /// The bands, top to bottom: the scorecard's perspectives in order.
    pub perspectives: Vec<perspective::Model>,
    /// The active objectives, by band and position.
    pub objectives: Vec<objective::Model>,
    /// The pieces the picture is drawn from, in the objectives' order.
    pub nodes: Vec<Node>,
    /// The links between objectives on the map.
    pub links: Vec<link::Model>,
    pub layout: Layout,
}

impl StrategyMap {
    /// Lays out `design`'s map for the period `scores` holds.
    pub fn assemble(design: &Design, scores: &PeriodScores, all_links: Vec<link::Model>) -> Self {
        // Archived perspectives hold their objectives' history, not the map.
        let perspectives: Vec<perspective::Model> = design
            .perspectives
            .iter()
            .filter(|p| p.status == Status::Active.as_str())
            .cloned()
            .collect();
        let band_of: HashMap<Uuid, usize> = perspectives
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id, i))
            .collect();
        // Its own active objectives, then those linked from above (shown
        // and counted here, scored where they live).
        let mut objectives: Vec<objective::Model> = design
            .objectives
            .iter()
            .chain(&design.linked_objectives)
            .filter(|o| {
                o.status == Status::Active.as_str() && band_of.contains_key(&o.perspective_id)
            })
            .cloned()
            .collect();
        // Stable: within a band, the objectives keep their positions.
        objectives.sort_by_key(|o| band_of.get(&o.perspective_id).copied());
        let nodes: Vec<Node> = objectives
            .iter()
            .map(|o| {
                let score = scores.objective(o.id).and_then(|s| s.scores.score);
                Node {
                    id: o.id,
                    band: band_of.get(&o.perspective_id).copied().unwrap_or_default(),
                    title: o.title.clone(),
                    score,
                    status: ScoreStatus::of(score),
                }
            })
            .collect();
        let on_map: std::collections::HashSet<Uuid> = nodes.iter().map(|n| n.id).collect();
        let links: Vec<link::Model> = all_links
            .into_iter()
            .filter(|l| on_map.contains(&l.cause_id) && on_map.contains(&l.effect_id))
            .collect();
        let bands: Vec<Band> = perspectives
            .iter()
            .map(|p| Band {
                name: p.name.clone(),
                colour: p.colour.clone(),
            })
            .collect();
        let edges = edges_of(&links);
        let layout = layout(&bands, &nodes, &edges);
        Self {
            period: scores.period.clone(),
            perspectives,
            objectives,
            nodes,
            links,
            layout,
        }
    }

    /// Whether a link runs down the perspective order (its effect's band
    /// lies below its cause's).
    pub fn against_perspective_order(&self, link: &link::Model) -> bool {
        let band = |id: Uuid| self.nodes.iter().find(|n| n.id == id).map(|n| n.band);
        matches!((band(link.cause_id), band(link.effect_id)), (Some(c), Some(e)) if c < e)
    }

    /// The map drawn as a standalone SVG document.
    pub fn svg(&self, scorecard_title: &str) -> String {
        let bands: Vec<Band> = self
            .perspectives
            .iter()
            .map(|p| Band {
                name: p.name.clone(),
                colour: p.colour.clone(),
            })
            .collect();
        svg(
            &format!("{scorecard_title} — strategy map, {}", self.period.label),
            &bands,
            &self.nodes,
            &edges_of(&self.links),
            &self.layout,
        )
    }
}

fn edges_of(links: &[link::Model]) -> Vec<Edge> {
    links
        .iter()
        .map(|l| Edge {
            cause: l.cause_id,
            effect: l.effect_id,
        })
        .collect()
}

/// Where a scorecard's map is drawn: the path under the server's
/// `/scorecard/` prefix, with the period asked.
pub fn svg_url(scorecard: Uuid, period: &Period) -> String {
    format!(
        "/scorecard/{}/strategy-map.svg?period={}&periodKind={}",
        encode_id("Scorecard", scorecard).as_str(),
        period.start,
        period.kind.as_str()
    )
}

const SVG_SUFFIX: &str = "/strategy-map.svg";

fn period_kind(text: &str) -> DomainResult<PeriodKind> {
    [
        PeriodKind::Week,
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::FiscalYear,
    ]
    .into_iter()
    .find(|k| k.as_str() == text)
    .ok_or_else(|| {
        DomainError::validation(
            "periodKind",
            format!("{text:?} is not a period kind: WEEK, MONTH, QUARTER or FISCAL_YEAR"),
        )
    })
}

/// `GET /scorecard/{scorecardId}/strategy-map.svg?period=YYYY-MM-DD&periodKind=MONTH`:
/// the map as SVG. `None` for any other path, or a scorecard not in the
/// tenant.
pub async fn document(
    scope: &TenantScope,
    path: &str,
    params: &DocumentParams,
) -> DomainResult<Option<String>> {
    let Some(id) = path.strip_suffix(SVG_SUFFIX) else {
        return Ok(None);
    };
    if id.contains('/') {
        return Ok(None);
    }
    let scorecard = decode_id(&ID::from(id), "Scorecard", "scorecardId")?;
    if let Some(unknown) = params
        .keys()
        .find(|k| !["period", "periodKind"].contains(&k.as_str()))
    {
        return Err(DomainError::validation(
            unknown,
            "a strategy map takes `period` (a day, YYYY-MM-DD) and `periodKind` (WEEK, MONTH, QUARTER, FISCAL_YEAR)",
        ));
    }
    let kind = params
        .get("periodKind")
        .map_or(Ok(PeriodKind::Month), |k| period_kind(k))?;
    let day = match params.get("period") {
        None => scope.today(),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            DomainError::validation("period", format!("{text:?} is not a day: use YYYY-MM-DD"))
        })?,
    };
    date_in_range("period", day)?;
    let Some(design) = design(scope, scorecard).await? else {
        return Ok(None);
    };
    let start_month = scope.tenant().fiscal_year_start_month.clamp(1, 12) as u32;
    let period = period_containing(kind, day, start_month);
    let design = std::sync::Arc::new(design);
    let mut scored = scores(scope, design.clone(), std::slice::from_ref(&period)).await?;
    let Some(scores) = scored.pop() else {
        return Err(DomainError::Internal(
            "no scores for the period asked".into(),
        ));
    };
    let map = StrategyMap::assemble(
        &design,
        &scores,
        links::of_scorecard(scope, scorecard).await?,
    );
    Ok(Some(map.svg(&design.scorecard.title)))
}
