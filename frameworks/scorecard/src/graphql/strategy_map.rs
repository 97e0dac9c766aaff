//! The strategy map: cause → effect links between a scorecard's
//! objectives (admins draw them), and the map of a period as data, laid
//! out, with the address of the same map drawn as SVG.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use throughline_domain::kit::{
    ById, Date, DomainError, Period, PeriodKind, decode_id, encode_id, group, request,
    scoped_loader,
};
use uuid::Uuid;

use super::design::designer;
use super::types::{
    Scorecard, ScorecardObjective, ScorecardPerspective, design_of, period_of, scores_for,
};
use crate::entity::{link, objective, scorecard};
use crate::scoring::ScoreStatus;
use crate::service::links::{self, LinkWarningCode};
use crate::service::strategy_maps::{StrategyMap, svg_url};
use crate::strategy_map::{BOX_HEIGHT, BOX_WIDTH};

/// A cause → effect link on a strategy map: improving the cause is meant to move the effect.
#[derive(Clone, Debug)]
pub struct ScorecardLink(pub link::Model);

/// A cause → effect link on a strategy map: improving the cause is meant to move the effect.
#[Object(visible = "super::scorecard_enabled")]
impl ScorecardLink {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("ScorecardLink", self.0.id)
    }
    /// The objective that drives.
    async fn cause(&self, ctx: &Context<'_>) -> Result<Option<ScorecardObjective>> {
        objective_by_id(ctx, self.0.cause_id).await
    }
    /// The objective it drives.
    async fn effect(&self, ctx: &Context<'_>) -> Result<Option<ScorecardObjective>> {
        objective_by_id(ctx, self.0.effect_id).await
    }
    /// The scorecard whose map it is on.
    async fn scorecard(&self, ctx: &Context<'_>) -> Result<Option<Scorecard>> {
        Ok(request(ctx)?
            .loader::<ById<scorecard::Entity>, _>()
            .load_one(self.0.scorecard_id)
            .await?
            .map(Scorecard))
    }
    /// When it was drawn.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

async fn objective_by_id(ctx: &Context<'_>, id: uuid::Uuid) -> Result<Option<ScorecardObjective>> {
    Ok(request(ctx)?
        .loader::<ById<objective::Entity>, _>()
        .load_one(id)
        .await?
        .map(ScorecardObjective))
}

/// A perspective's band across the map, top to bottom.
#[derive(SimpleObject)]
#[graphql(name = "ScorecardStrategyMapBand")]
pub struct MapBand {
    /// The perspective.
    pub perspective: ScorecardPerspective,
    /// The band's top edge, in the map's units (SVG pixels).
    pub y: i32,
    /// The band's height.
    pub height: i32,
}

/// An objective on the map: its score and colour in the period, and where its box goes.
#[derive(SimpleObject)]
#[graphql(name = "ScorecardStrategyMapNode")]
pub struct MapNode {
    /// The objective.
    pub objective: ScorecardObjective,
    /// Its perspective's band, counted from the top (0).
    pub band: i32,
    /// Its place in its band, from the left (0).
    pub column: i32,
    /// 0–10 in the period; null when nothing under it has a score.
    pub score: Option<Decimal>,
    /// The box's colour.
    pub status: ScoreStatus,
    /// The box's top-left corner and size, in the map's units.
    pub x: i32,
    /// The box's top edge.
    pub y: i32,
    /// The box's width.
    pub width: i32,
    /// The box's height.
    pub height: i32,
}

/// An arrow on the map.
#[derive(SimpleObject)]
#[graphql(name = "ScorecardStrategyMapEdge")]
pub struct MapEdge {
    /// The link it draws.
    pub link: ScorecardLink,
    /// The cause's ID (as `link.cause.id`), to join with the nodes without another selection.
    pub cause_id: ID,
    /// The effect's ID.
    pub effect_id: ID,
    /// The arrow runs down the perspective order (its effect sits in a band below its cause's).
    pub against_perspective_order: bool,
}

/// A scorecard's strategy map in a period: perspectives as bands in their order, active objectives as boxes coloured by their score, links as arrows; laid out in layers so that arrows cross as little as the server could arrange.
#[derive(SimpleObject)]
#[graphql(name = "ScorecardStrategyMap")]
pub struct MapView {
    /// The period the scores are for.
    pub period: Period,
    /// The perspectives' bands, top to bottom.
    pub bands: Vec<MapBand>,
    /// The active objectives, one box each.
    pub nodes: Vec<MapNode>,
    /// The links, one arrow each.
    pub edges: Vec<MapEdge>,
    /// The map's size, in its units.
    pub width: i32,
    /// The map's height, in its units.
    pub height: i32,
    /// Pairs of arrows that cross in this layout (0 where the links allow).
    pub crossings: i32,
    /// The same map drawn as SVG, relative to the server (send the same bearer token and `X-Tenant`).
    pub svg_url: String,
}

impl MapView {
    fn of(scorecard: uuid::Uuid, map: StrategyMap) -> Self {
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        let against: Vec<bool> = map
            .links
            .iter()
            .map(|l| map.against_perspective_order(l))
            .collect();
        let svg_url = svg_url(scorecard, &map.period);
        let StrategyMap {
            period,
            perspectives,
            objectives,
            nodes,
            links,
            layout,
        } = map;
        Self {
            bands: perspectives
                .into_iter()
                .zip(&layout.bands)
                .map(|(p, band)| MapBand {
                    perspective: ScorecardPerspective(p),
                    y: band.y,
                    height: band.height,
                })
                .collect(),
            nodes: objectives
                .into_iter()
                .zip(&nodes)
                .filter_map(|(o, node)| {
                    let placed = layout.nodes.get(&node.id)?;
                    Some(MapNode {
                        objective: ScorecardObjective(o),
                        band: count(node.band),
                        column: count(placed.column),
                        score: node.score,
                        status: node.status,
                        x: placed.x,
                        y: placed.y,
                        width: BOX_WIDTH,
                        height: BOX_HEIGHT,
                    })
                })
                .collect(),
            edges: links
                .into_iter()
                .zip(against)
                .map(|(l, against_perspective_order)| MapEdge {
                    cause_id: encode_id("ScorecardObjective", l.cause_id),
                    effect_id: encode_id("ScorecardObjective", l.effect_id),
                    link: ScorecardLink(l),
                    against_perspective_order,
                })
                .collect(),
            width: layout.width,
            height: layout.height,
            crossings: count(layout.crossings),
            svg_url,
            period,
        }
    }
}

scoped_loader!(LinksOf);

/// Keyed by scorecard: its links, so a page of scorecards' maps reads
/// them in one statement.
impl Loader<Uuid> for LinksOf {
    type Value = Vec<link::Model>;
    type Error = DomainError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<link::Model>>, DomainError> {
        let rows = links::of_scorecards(&self.scope, keys).await?;
        Ok(group(keys, rows, |l| Some(l.scorecard_id)))
    }
}

/// Reads a scorecard's map for the period asked: the design and scores
/// from the request's loaders (shared with every `score` field), the
/// links in one statement.
pub(crate) async fn map_of(
    ctx: &Context<'_>,
    scorecard: uuid::Uuid,
    period: Option<Date>,
    period_kind: PeriodKind,
) -> Result<Option<MapView>> {
    let (kind, day) = period_of(ctx, period, period_kind)?;
    let Some(design) = design_of(ctx, scorecard).await? else {
        return Ok(None);
    };
    let Some(scores) = scores_for(ctx, scorecard, [(kind, day)]).await?.pop() else {
        return Ok(None);
    };
    let links = request(ctx)?
        .loader::<LinksOf, Uuid>()
        .load_one(scorecard)
        .await?
        .unwrap_or_default();
    Ok(Some(MapView::of(
        scorecard,
        StrategyMap::assemble(&design, &scores, links),
    )))
}

#[derive(Default)]
pub struct ScorecardStrategyMapQuery;

#[Object]
impl ScorecardStrategyMapQuery {
    /// A scorecard's strategy map in the period of `periodKind` holding `period` (default today); null when the scorecard is not in the tenant.
    async fn strategy_map(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scorecard.")] scorecard_id: ID,
        #[graphql(desc = "Any day of the period; omitted, today.")] period: Option<Date>,
        #[graphql(desc = "The period's length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<Option<MapView>> {
        let id = decode_id(&scorecard_id, "Scorecard", "scorecardId")?;
        map_of(ctx, id, period, period_kind).await
    }
}

/// A link to draw: both objectives active and on one scorecard.
#[derive(InputObject)]
pub struct LinkScorecardObjectivesInput {
    /// The objective that drives.
    pub cause_id: ID,
    /// The objective it drives.
    pub effect_id: ID,
}

/// Names a link.
#[derive(InputObject)]
pub struct UnlinkScorecardObjectivesInput {
    /// The link.
    pub id: ID,
}

/// Advice about a link that was kept.
#[derive(SimpleObject)]
pub struct ScorecardLinkWarning {
    /// What the warning is about.
    pub code: LinkWarningCode,
    /// The warning in words.
    pub message: String,
}

/// The link drawn, with any advice about it.
#[derive(SimpleObject)]
pub struct LinkScorecardObjectivesPayload {
    /// The link drawn.
    pub link: ScorecardLink,
    /// E.g. `AGAINST_PERSPECTIVE_ORDER`: kept as asked, worth a second look.
    pub warnings: Vec<ScorecardLinkWarning>,
}

/// What was removed.
#[derive(SimpleObject)]
pub struct UnlinkScorecardObjectivesPayload {
    /// The removed link's ID.
    pub deleted_id: ID,
}

#[derive(Default)]
pub struct ScorecardStrategyMapMutation;

#[Object]
impl ScorecardStrategyMapMutation {
    /// Draws a cause → effect link between two active objectives of one scorecard (admins). A link that would close a loop is refused, naming the loop; one running down the perspective order is kept with a warning.
    async fn link_objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: LinkScorecardObjectivesInput,
    ) -> Result<LinkScorecardObjectivesPayload> {
        let scope = designer(ctx)?;
        let cause = decode_id(&input.cause_id, "ScorecardObjective", "input.causeId")?;
        let effect = decode_id(&input.effect_id, "ScorecardObjective", "input.effectId")?;
        let (row, warnings) = links::create(scope, cause, effect).await?;
        Ok(LinkScorecardObjectivesPayload {
            link: ScorecardLink(row),
            warnings: warnings
                .into_iter()
                .map(|w| ScorecardLinkWarning {
                    code: w.code,
                    message: w.message,
                })
                .collect(),
        })
    }

    /// Removes a link from its map (admins).
    async fn unlink_objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: UnlinkScorecardObjectivesInput,
    ) -> Result<UnlinkScorecardObjectivesPayload> {
        let scope = designer(ctx)?;
        let id = decode_id(&input.id, "ScorecardLink", "input.id")?;
        links::delete(scope, id).await?;
        Ok(UnlinkScorecardObjectivesPayload {
            deleted_id: encode_id("ScorecardLink", id),
        })
    }
}
