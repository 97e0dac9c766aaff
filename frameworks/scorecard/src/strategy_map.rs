//! The strategy map's picture: a layered layout (perspectives as
//! horizontal bands in their order, objectives as boxes in their band,
//! ordered to avoid crossing edges where it can) and its SVG.
//!
//! Written here rather than taken from a graph-layout crate: the layers
//! are given (the perspectives, in the tenant's order), which general
//! layered layouts (Sugiyama in `layout-rs`, Graphviz's `dot`) choose for
//! themselves; what is left is ordering within bands, a few dozen lines.
//! The same coordinates are answered in GraphQL, so a front end that
//! draws its own map can keep the server's arrangement.

use std::collections::HashMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use uuid::Uuid;

use crate::scoring::ScoreStatus;

pub const BOX_WIDTH: i32 = 180;
pub const BOX_HEIGHT: i32 = 64;
const GAP: i32 = 40;
const LABEL_WIDTH: i32 = 170;
const BAND_PADDING: i32 = 28;
const HEADER: i32 = 56;
const MARGIN: i32 = 16;
/// Ordering passes (down and up): the order settles within a few.
const SWEEPS: usize = 6;

/// A perspective, top to bottom.
#[derive(Clone, Debug)]
pub struct Band {
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
}

/// An objective in its band (index into the bands).
#[derive(Clone, Debug)]
pub struct Node {
    pub id: Uuid,
    pub band: usize,
    pub title: String,
    pub score: Option<Decimal>,
    pub status: ScoreStatus,
}

/// A cause → effect link.
#[derive(Clone, Copy, Debug)]
pub struct Edge {
    pub cause: Uuid,
    pub effect: Uuid,
}

/// Where a box goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    pub x: i32,
    pub y: i32,
    /// Its place in its band, from the left.
    pub column: usize,
}

/// Where a band goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BandBox {
    pub y: i32,
    pub height: i32,
}

#[derive(Clone, Debug)]
pub struct Layout {
    pub width: i32,
    pub height: i32,
    pub bands: Vec<BandBox>,
    pub nodes: HashMap<Uuid, Placed>,
    /// Pairs of edges whose lines cross in this layout.
    pub crossings: usize,
}

fn band_y(band: usize) -> i32 {
    HEADER + band as i32 * (BOX_HEIGHT + 2 * BAND_PADDING)
}

/// Places nodes given in their bands' initial order (the objectives'
/// positions); edges whose ends are unknown are ignored.
pub fn layout(bands: &[Band], nodes: &[Node], edges: &[Edge]) -> Layout {
    let mut rows: Vec<Vec<Uuid>> = vec![Vec::new(); bands.len()];
    for node in nodes {
        if let Some(row) = rows.get_mut(node.band) {
            row.push(node.id);
        }
    }
    let widest = rows.iter().map(Vec::len).max().unwrap_or(0).max(1) as i32;
    let width = 2 * MARGIN + LABEL_WIDTH + GAP + widest * (BOX_WIDTH + GAP);
    let band_of: HashMap<Uuid, usize> = nodes.iter().map(|n| (n.id, n.band)).collect();
    let edges: Vec<Edge> = edges
        .iter()
        .copied()
        .filter(|e| band_of.contains_key(&e.cause) && band_of.contains_key(&e.effect))
        .collect();
    let place = |rows: &[Vec<Uuid>]| -> HashMap<Uuid, Placed> {
        let mut placed = HashMap::new();
        for (band, row) in rows.iter().enumerate() {
            // Narrower bands are centred under the widest.
            let offset = (widest - row.len() as i32) * (BOX_WIDTH + GAP) / 2;
            for (column, id) in row.iter().enumerate() {
                placed.insert(
                    *id,
                    Placed {
                        x: MARGIN + LABEL_WIDTH + GAP + offset + column as i32 * (BOX_WIDTH + GAP),
                        y: band_y(band) + BAND_PADDING,
                        column,
                    },
                );
            }
        }
        placed
    };
    let mut best = place(&rows);
    let mut best_crossings = crossings(&best, &edges);
    for sweep in 0..SWEEPS {
        if best_crossings == 0 {
            break;
        }
        let order: Vec<usize> = if sweep % 2 == 0 {
            (0..rows.len()).collect()
        } else {
            (0..rows.len()).rev().collect()
        };
        for band in order {
            let placed = place(&rows);
            // Each box moves towards the mean x of the boxes it links to;
            // one linked to nothing keeps its place.
            let Some(row) = rows.get(band) else {
                continue;
            };
            let mut keyed: Vec<(f64, usize, Uuid)> = row
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let xs: Vec<f64> = edges
                        .iter()
                        .filter_map(|e| match (e.cause == *id, e.effect == *id) {
                            (true, false) => Some(e.effect),
                            (false, true) => Some(e.cause),
                            _ => None,
                        })
                        .filter(|other| band_of.get(other) != Some(&band))
                        .filter_map(|other| placed.get(&other).map(|p| f64::from(p.x)))
                        .collect();
                    let own = placed.get(id).map_or(0.0, |p| f64::from(p.x));
                    let key = if xs.is_empty() {
                        own
                    } else {
                        xs.iter().sum::<f64>() / xs.len() as f64
                    };
                    (key, i, *id)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            if let Some(row) = rows.get_mut(band) {
                *row = keyed.into_iter().map(|(_, _, id)| id).collect();
            }
        }
        let placed = place(&rows);
        let count = crossings(&placed, &edges);
        if count < best_crossings {
            best = placed;
            best_crossings = count;
        }
    }
    Layout {
        width,
        height: band_y(bands.len()) + MARGIN,
        bands: (0..bands.len())
            .map(|band| BandBox {
                y: band_y(band),
                height: BOX_HEIGHT + 2 * BAND_PADDING,
            })
            .collect(),
        nodes: best,
        crossings: best_crossings,
    }
}

/// Where an edge starts and ends: top or bottom centres between bands,
/// facing sides within one.
fn ends(from: &Placed, to: &Placed) -> Segment {
    let centre = |p: &Placed| p.x + BOX_WIDTH / 2;
    if from.y > to.y {
        ((centre(from), from.y), (centre(to), to.y + BOX_HEIGHT))
    } else if from.y < to.y {
        ((centre(from), from.y + BOX_HEIGHT), (centre(to), to.y))
    } else if from.x < to.x {
        (
            (from.x + BOX_WIDTH, from.y + BOX_HEIGHT / 2),
            (to.x, to.y + BOX_HEIGHT / 2),
        )
    } else {
        (
            (from.x, from.y + BOX_HEIGHT / 2),
            (to.x + BOX_WIDTH, to.y + BOX_HEIGHT / 2),
        )
    }
}

type Point = (i32, i32);
type Segment = (Point, Point);
/// An edge at a box's side: its index, whether it starts there, and the
/// x of its other end.
type Attached = (usize, bool, i32);

/// Where each drawable edge leaves and meets its boxes: as [`ends`], but
/// with the arrows on one side of a box spread along it, ordered by where
/// their other ends lie, so none share a point and spreading adds no
/// crossing.
fn ports(layout: &Layout, edges: &[Edge]) -> Vec<(Edge, Point, Point)> {
    let drawable: Vec<(&Edge, Placed, Placed)> = edges
        .iter()
        .filter_map(|e| {
            Some((
                e,
                *layout.nodes.get(&e.cause)?,
                *layout.nodes.get(&e.effect)?,
            ))
        })
        .collect();
    let mut ends_of: Vec<Segment> = drawable
        .iter()
        .map(|(_, from, to)| ends(from, to))
        .collect();
    // (box, on its top edge) → the edges attached there.
    let mut sides: HashMap<(Uuid, bool), Vec<Attached>> = HashMap::new();
    for (i, ((edge, from, to), (start, end))) in drawable.iter().zip(&ends_of).enumerate() {
        if from.y == to.y {
            continue;
        }
        let (start, end) = (*start, *end);
        sides
            .entry((edge.cause, start.1 == from.y))
            .or_default()
            .push((i, true, end.0));
        sides
            .entry((edge.effect, end.1 == to.y))
            .or_default()
            .push((i, false, start.0));
    }
    for ((id, _), mut attached) in sides {
        let Some(place) = layout.nodes.get(&id) else {
            continue;
        };
        attached.sort_by_key(|(i, _, other)| (*other, *i));
        let n = attached.len() as i32;
        for (k, (i, is_start, _)) in attached.into_iter().enumerate() {
            let x = place.x + BOX_WIDTH * (k as i32 + 1) / (n + 1);
            if let Some(end) = ends_of.get_mut(i) {
                if is_start {
                    end.0.0 = x;
                } else {
                    end.1.0 = x;
                }
            }
        }
    }
    drawable
        .iter()
        .zip(ends_of)
        .map(|((edge, _, _), (start, end))| (**edge, start, end))
        .collect()
}

fn crossings(placed: &HashMap<Uuid, Placed>, edges: &[Edge]) -> usize {
    let segments: Vec<Segment> = edges
        .iter()
        .filter_map(|e| Some(ends(placed.get(&e.cause)?, placed.get(&e.effect)?)))
        .collect();
    let mut count = 0;
    for (i, a) in segments.iter().enumerate() {
        for b in segments.iter().skip(i + 1) {
            if cross(*a, *b) {
                count += 1;
            }
        }
    }
    count
}

/// Whether two segments cross at a point inside both (sharing an end is
/// not crossing).
fn cross(a: Segment, b: Segment) -> bool {
    let orient = |p: Point, q: Point, r: Point| -> i64 {
        let v = i64::from(q.0 - p.0) * i64::from(r.1 - p.1)
            - i64::from(q.1 - p.1) * i64::from(r.0 - p.0);
        v.signum()
    };
    if a.0 == b.0 || a.0 == b.1 || a.1 == b.0 || a.1 == b.1 {
        return false;
    }
    let (d1, d2) = (orient(b.0, b.1, a.0), orient(b.0, b.1, a.1));
    let (d3, d4) = (orient(a.0, a.1, b.0), orient(a.0, a.1, b.1));
    d1 * d2 < 0 && d3 * d4 < 0
}

/// Text safe inside an XML element or attribute: escaped, and without the
/// characters XML 1.0 cannot hold at all.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A colour as given when it is `#rrggbb`, else a neutral grey.
fn colour(text: &str) -> &str {
    let hex = text.strip_prefix('#').unwrap_or("");
    if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        text
    } else {
        "#7b8794"
    }
}

/// Fill and text colour of a box by its status.
fn status_colours(status: ScoreStatus) -> (&'static str, &'static str) {
    match status {
        ScoreStatus::Red => ("#c62828", "#ffffff"),
        ScoreStatus::Yellow => ("#f9c74f", "#1f2933"),
        ScoreStatus::Green => ("#2e7d32", "#ffffff"),
        ScoreStatus::NoData => ("#e4e7eb", "#1f2933"),
    }
}

/// A title in at most two lines of about `per_line` characters, cut with
/// an ellipsis when longer.
fn wrap(title: &str, per_line: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    for word in title.split_whitespace() {
        let count = lines.len();
        let Some(line) = lines.last_mut() else {
            break;
        };
        if line.is_empty() || line.chars().count() + 1 + word.chars().count() <= per_line {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        } else if count < 2 {
            lines.push(word.to_string());
        } else {
            line.push_str(" …");
            break;
        }
    }
    for line in &mut lines {
        if line.chars().count() > per_line + 2 {
            *line = line.chars().take(per_line - 1).collect::<String>() + "…";
        }
    }
    lines
}

/// The map as a standalone SVG document.
pub fn svg(
    heading: &str,
    bands: &[Band],
    nodes: &[Node],
    edges: &[Edge],
    layout: &Layout,
) -> String {
    let mut out = String::new();
    let (w, h) = (layout.width, layout.height);
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Helvetica, Arial, sans-serif" role="img" aria-label="{label}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#52606d"/></marker></defs>
<rect width="{w}" height="{h}" fill="#ffffff"/>
<text x="{MARGIN}" y="34" font-size="20" font-weight="bold" fill="#1f2933">{label}</text>
"##,
        label = xml(heading),
    );
    for (band, (spec, place)) in bands.iter().zip(&layout.bands).enumerate() {
        let c = colour(&spec.colour);
        let _ = writeln!(
            out,
            r#"<g class="perspective" data-band="{band}"><rect x="{MARGIN}" y="{y}" width="{bw}" height="{bh}" rx="6" fill="{c}" fill-opacity="0.10" stroke="{c}" stroke-opacity="0.35"/><text x="{tx}" y="{ty}" font-size="14" font-weight="bold" fill="{c}">{name}</text></g>"#,
            y = place.y + 4,
            bw = w - 2 * MARGIN,
            bh = place.height - 8,
            tx = MARGIN + 12,
            ty = place.y + place.height / 2 + 5,
            name = xml(&spec.name),
        );
    }
    for (edge, (x1, y1), (x2, y2)) in ports(layout, edges) {
        let Some(from) = layout.nodes.get(&edge.cause) else {
            continue;
        };
        let d = if y1 == y2 {
            // Within a band: over the boxes' tops.
            let lift = from.y - BAND_PADDING / 2;
            format!("M {x1} {y1} C {x1} {lift}, {x2} {lift}, {x2} {y2}")
        } else {
            let mid = (y1 + y2) / 2;
            format!("M {x1} {y1} C {x1} {mid}, {x2} {mid}, {x2} {y2}")
        };
        let _ = writeln!(
            out,
            r##"<path class="edge" data-cause="{}" data-effect="{}" d="{d}" fill="none" stroke="#52606d" stroke-width="1.6" marker-end="url(#arrow)"/>"##,
            edge.cause, edge.effect
        );
    }
    for node in nodes {
        let Some(place) = layout.nodes.get(&node.id) else {
            continue;
        };
        let (fill, ink) = status_colours(node.status);
        let score = node.score.map_or_else(
            || "no data".to_string(),
            |s| s.round_dp(2).normalize().to_string(),
        );
        let _ = write!(
            out,
            r##"<g class="objective" data-id="{id}"><title>{full}: {score}</title><rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="8" fill="{fill}" stroke="#1f2933" stroke-opacity="0.25"/>"##,
            id = node.id,
            full = xml(&node.title),
            x = place.x,
            y = place.y,
        );
        for (i, line) in wrap(&node.title, 24).iter().enumerate() {
            let _ = write!(
                out,
                r#"<text x="{}" y="{}" font-size="12" fill="{ink}">{}</text>"#,
                place.x + 10,
                place.y + 20 + 15 * i as i32,
                xml(line)
            );
        }
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{}" font-size="14" font-weight="bold" text-anchor="end" fill="{ink}">{}</text></g>"#,
            place.x + BOX_WIDTH - 10,
            place.y + BOX_HEIGHT - 10,
            xml(&score)
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(n: u128, band: usize) -> Node {
        Node {
            id: Uuid::from_u128(n),
            band,
            title: format!("Objective {n}"),
            score: None,
            status: ScoreStatus::NoData,
        }
    }

    fn edge(cause: u128, effect: u128) -> Edge {
        Edge {
            cause: Uuid::from_u128(cause),
            effect: Uuid::from_u128(effect),
        }
    }

    fn bands(n: usize) -> Vec<Band> {
        (0..n)
            .map(|i| Band {
                name: format!("P{i}"),
                colour: "#336699".into(),
            })
            .collect()
    }

    #[test]
    fn crossed_links_are_uncrossed_by_reordering_a_band() {
        // Top: 1 2; bottom: 3 4, with 3 → 2 and 4 → 1: crossed as given.
        let nodes = [node(1, 0), node(2, 0), node(3, 1), node(4, 1)];
        let edges = [edge(3, 2), edge(4, 1)];
        let given = layout(&bands(2), &nodes, &[]);
        assert_eq!(crossings(&given.nodes, &edges), 1);
        let laid = layout(&bands(2), &nodes, &edges);
        assert_eq!(laid.crossings, 0);
        let x = |n: u128| laid.nodes[&Uuid::from_u128(n)].x;
        assert_eq!(x(3) < x(4), x(2) < x(1));
    }

    #[test]
    fn bands_stack_in_order_and_boxes_sit_in_their_band() {
        let nodes = [node(1, 0), node(2, 2), node(3, 2)];
        let laid = layout(&bands(3), &nodes, &[edge(2, 1)]);
        let [top, _, bottom] = [0, 1, 2].map(|b| laid.bands[b]);
        assert!(top.y < bottom.y);
        let box_of = |n: u128| laid.nodes[&Uuid::from_u128(n)];
        assert!(box_of(1).y > top.y && box_of(1).y + BOX_HEIGHT < top.y + top.height);
        assert!(box_of(2).y > bottom.y);
        assert!(box_of(2).x + BOX_WIDTH <= box_of(3).x || box_of(3).x + BOX_WIDTH <= box_of(2).x);
        assert!(laid.width >= box_of(3).x.max(box_of(2).x) + BOX_WIDTH);
        assert!(laid.height >= bottom.y + bottom.height);
    }

    #[test]
    fn titles_wrap_to_two_lines_and_text_is_escaped() {
        assert_eq!(wrap("Grow revenue", 24), ["Grow revenue"]);
        let long = wrap(
            "Delight customers in every region we serve with faster answers and fewer defects",
            24,
        );
        assert_eq!(long.len(), 2);
        assert!(long[1].ends_with('…'));
        assert_eq!(xml("a<b & \"c\"\u{0}"), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(colour("red\" onload=\"x"), "#7b8794");
        let segments = [((0, 0), (10, 10)), ((0, 10), (10, 0))];
        assert!(cross(segments[0], segments[1]));
        assert!(!cross(((0, 0), (10, 10)), ((10, 10), (20, 0))));
    }
}
