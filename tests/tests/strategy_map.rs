//! The scorecard's strategy map over HTTP: cause → effect links (loops
//! refused naming their path, links against the perspective order kept
//! with a warning), the map of a period as laid-out data, the same map as
//! SVG behind the GraphQL door (token, tenant, gating), two tenants, and a
//! constant number of statements however large the map.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::HashSet;

use serde_json::{Value, json};
use throughline_domain::enums::Role;
use throughline_tests::scorecard::{measured, mutate, objective, tenant_with_scorecard};
use throughline_tests::{Gql, TestApp, start};

const MAP: &str = r#"
query($id: ID!) { scorecard { strategyMap(scorecardId: $id, period: "2026-10-15") {
  period { label }
  bands { perspective { name } y height }
  nodes { objective { id title } band column score status x y width height }
  edges { link { id cause { title } effect { title } } causeId effectId againstPerspectiveOrder }
  width height crossings svgUrl
} } }"#;

async fn link(app: &TestApp, token: &str, cause: &str, effect: &str) -> Gql {
    mutate(
        app,
        token,
        "linkObjectives",
        "LinkScorecardObjectivesInput",
        json!({ "causeId": cause, "effectId": effect }),
        "{ link { id cause { title } effect { title } } warnings { code message } }",
    )
    .await
}

async fn map(app: &TestApp, token: &str, card: &str) -> Value {
    let r = app.gql(token, MAP, json!({ "id": card })).await;
    r.data()["scorecard"]["strategyMap"].clone()
}

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String, String) {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

fn error_code(body: &str) -> (String, String) {
    let body: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    let extensions = &body["errors"][0]["extensions"];
    (
        extensions["code"].as_str().unwrap_or_default().to_string(),
        extensions["field"].as_str().unwrap_or_default().to_string(),
    )
}

/// What the SVG shows: each box's objective and text, each arrow's ends,
/// each band's name.
struct Drawn {
    boxes: Vec<(String, String, String)>,
    arrows: Vec<(String, String)>,
    bands: Vec<String>,
}

fn drawn(svg: &str) -> Drawn {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let class = |n: &roxmltree::Node, c: &str| n.attribute("class") == Some(c);
    let text = |n: roxmltree::Node| -> String {
        n.descendants()
            .filter(|t| t.tag_name().name() == "text")
            .filter_map(|t| t.text())
            .collect::<Vec<_>>()
            .join(" ")
    };
    Drawn {
        boxes: root
            .descendants()
            .filter(|n| n.tag_name().name() == "g" && class(n, "objective"))
            .map(|n| {
                let fill = n
                    .children()
                    .find(|c| c.tag_name().name() == "rect")
                    .and_then(|r| r.attribute("fill"))
                    .unwrap_or_default()
                    .to_string();
                (n.attribute("data-id").unwrap().to_string(), text(n), fill)
            })
            .collect(),
        arrows: root
            .descendants()
            .filter(|n| n.tag_name().name() == "path" && class(n, "edge"))
            .inspect(|n| assert_eq!(n.attribute("marker-end"), Some("url(#arrow)")))
            .map(|n| {
                (
                    n.attribute("data-cause").unwrap().to_string(),
                    n.attribute("data-effect").unwrap().to_string(),
                )
            })
            .collect(),
        bands: root
            .descendants()
            .filter(|n| n.tag_name().name() == "g" && class(n, "perspective"))
            .map(text)
            .collect(),
    }
}

#[tokio::test]
async fn a_strategy_map_links_objectives_and_is_drawn_as_data_and_as_svg() {
    let app = start().await;
    let (admin, card, ps) = tenant_with_scorecard(&app, "acme").await;
    let (financial, customer, internal, learning) = (&ps[0], &ps[1], &ps[2], &ps[3]);
    let revenue = objective(&app, &admin, &card, financial, "Grow revenue").await;
    let delight = objective(&app, &admin, &card, customer, "Delight customers").await;
    let faster = objective(&app, &admin, &card, internal, "Deliver faster").await;
    let lean = objective(&app, &admin, &card, internal, "Lean operations").await;
    let skills = objective(&app, &admin, &card, learning, "Skilled teams").await;
    let hostile = objective(
        &app,
        &admin,
        &card,
        learning,
        "<script>alert(1)</script> & \"tools\"",
    )
    .await;
    measured(&app, &admin, &revenue, "Revenue", &[("2026-10-01", "120")]).await;
    measured(&app, &admin, &delight, "NPS", &[("2026-10-01", "40")]).await;

    // Upwards, as maps read: no warnings.
    for (cause, effect) in [
        (&skills, &faster),
        (&hostile, &faster),
        (&faster, &delight),
        (&delight, &revenue),
    ] {
        let r = link(&app, &admin, cause, effect).await;
        assert_eq!(
            r.data()["scorecard"]["linkObjectives"]["warnings"],
            json!([])
        );
    }
    // Closing a loop is refused, naming it.
    let looped = link(&app, &admin, &revenue, &skills).await;
    assert_eq!(
        (looped.code(), looped.field()),
        ("VALIDATION", "input.effectId")
    );
    assert!(
        looped.message().contains(
            r#""Grow revenue" → "Skilled teams" → "Deliver faster" → "Delight customers" → "Grow revenue""#
        ),
        "{}",
        looped.message()
    );
    // Down the perspective order: kept, with a warning.
    let down = link(&app, &admin, &delight, &lean).await;
    let down = &down.data()["scorecard"]["linkObjectives"];
    assert_eq!(down["warnings"][0]["code"], "AGAINST_PERSPECTIVE_ORDER");
    assert!(
        down["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("from Customer to Internal Process"),
        "{down}"
    );
    // Each of these is refused, and writes nothing.
    let member = app.token("acme", "member@acme.example", Role::Member);
    let refusals = [
        (
            link(&app, &admin, &faster, &faster).await,
            "VALIDATION",
            "input.effectId",
        ),
        (
            link(&app, &admin, &skills, &faster).await,
            "VALIDATION",
            "input.effectId",
        ),
        (
            link(&app, &admin, &revenue, &card).await,
            "VALIDATION",
            "input.effectId",
        ),
        (link(&app, &member, &lean, &revenue).await, "FORBIDDEN", ""),
    ];
    for (r, code, field) in &refusals {
        assert_eq!(r.code(), *code, "{:?}", r.body);
        if !field.is_empty() {
            assert_eq!(r.field(), *field, "{:?}", r.body);
        }
    }

    // The map as data, for a member.
    let m = map(&app, &member, &card).await;
    assert_eq!(m["period"]["label"], "2026-10");
    let bands: Vec<&str> = m["bands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["perspective"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        bands,
        [
            "Financial",
            "Customer",
            "Internal Process",
            "Learning & Growth"
        ]
    );
    let nodes = m["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 6);
    let node = |id: &str| {
        nodes
            .iter()
            .find(|n| n["objective"]["id"] == id)
            .unwrap_or_else(|| panic!("{id} not on {m}"))
    };
    assert_eq!(
        (
            node(&revenue)["band"].clone(),
            node(&revenue)["score"].clone(),
            node(&revenue)["status"].clone()
        ),
        (json!(0), json!("8"), json!("GREEN"))
    );
    assert_eq!(
        (
            node(&delight)["band"].clone(),
            node(&delight)["status"].clone()
        ),
        (json!(1), json!("RED"))
    );
    assert_eq!(node(&skills)["status"], "NO_DATA");
    assert_eq!(node(&skills)["band"], 3);
    // Boxes sit inside their bands, and never overlap.
    for n in nodes {
        let band = &m["bands"][n["band"].as_u64().unwrap() as usize];
        let (y, top, height) = (
            n["y"].as_i64().unwrap(),
            band["y"].as_i64().unwrap(),
            band["height"].as_i64().unwrap(),
        );
        assert!(
            y > top && y + n["height"].as_i64().unwrap() < top + height,
            "{n} in {band}"
        );
        for other in nodes.iter().filter(|o| *o != n && o["band"] == n["band"]) {
            let (a, b) = (n["x"].as_i64().unwrap(), other["x"].as_i64().unwrap());
            assert!(
                (a - b).abs() >= n["width"].as_i64().unwrap(),
                "{n} overlaps {other}"
            );
        }
        assert!(
            n["x"].as_i64().unwrap() + n["width"].as_i64().unwrap() <= m["width"].as_i64().unwrap()
        );
    }
    let edges = m["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 5);
    let against: Vec<(&str, &str)> = edges
        .iter()
        .filter(|e| e["againstPerspectiveOrder"] == true)
        .map(|e| {
            (
                e["link"]["cause"]["title"].as_str().unwrap(),
                e["link"]["effect"]["title"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(against, [("Delight customers", "Lean operations")]);
    assert_eq!(m["crossings"], 0, "these links can be drawn uncrossed: {m}");

    // The same map as SVG, at the address the map gives.
    let url = m["svgUrl"].as_str().unwrap().to_string();
    assert!(
        url.starts_with("/scorecard/") && url.contains("period=2026-10-01"),
        "{url}"
    );
    let (status, content_type, svg) = get(&app, &url, Some(&member)).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "image/svg+xml; charset=utf-8"),
        "{svg}"
    );
    let picture = drawn(&svg);
    assert_eq!(
        picture.bands,
        [
            "Financial",
            "Customer",
            "Internal Process",
            "Learning & Growth"
        ]
    );
    assert_eq!(picture.boxes.len(), 6, "one box per objective");
    assert_eq!(picture.arrows.len(), 5, "one arrow per link");
    let boxed: HashSet<&str> = picture.boxes.iter().map(|b| b.0.as_str()).collect();
    for (cause, effect) in &picture.arrows {
        assert!(boxed.contains(cause.as_str()) && boxed.contains(effect.as_str()));
    }
    let box_of = |title: &str| {
        picture
            .boxes
            .iter()
            .find(|b| b.1.contains(title))
            .unwrap_or_else(|| panic!("no box for {title} in {svg}"))
    };
    assert!(
        box_of("Grow revenue").1.ends_with('8'),
        "the score is shown"
    );
    assert_ne!(
        box_of("Grow revenue").2,
        box_of("Delight customers").2,
        "coloured by status"
    );
    assert!(
        box_of("<script>alert(1)</script>")
            .1
            .contains("& \"tools\"")
    );
    assert!(!svg.contains("<script"), "text is escaped, never markup");

    // Unlinking removes the arrow.
    let first = edges[0]["link"]["id"].as_str().unwrap();
    let gone = mutate(
        &app,
        &admin,
        "unlinkObjectives",
        "UnlinkScorecardObjectivesInput",
        json!({ "id": first }),
        "{ deletedId }",
    )
    .await;
    assert_eq!(
        gone.data()["scorecard"]["unlinkObjectives"]["deletedId"],
        first
    );
    assert_eq!(
        map(&app, &member, &card).await["edges"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let (_, _, svg) = get(&app, &url, Some(&member)).await;
    assert_eq!(drawn(&svg).arrows.len(), 4);
}

#[tokio::test]
async fn the_svg_answers_only_its_tenant_s_callers_and_only_while_the_scorecard_is_on() {
    let app = start().await;
    let (acme, card, ps) = tenant_with_scorecard(&app, "acme").await;
    let (globex, globex_card, globex_ps) = tenant_with_scorecard(&app, "globex").await;
    let grow = objective(&app, &acme, &card, &ps[0], "Grow").await;
    let learn = objective(&app, &acme, &card, &ps[3], "Learn").await;
    link(&app, &acme, &learn, &grow).await.data();
    let theirs = objective(&app, &globex, &globex_card, &globex_ps[3], "Theirs").await;

    let url = map(&app, &acme, &card).await["svgUrl"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _, svg) = get(&app, &url, Some(&acme)).await;
    assert_eq!(status, 200, "{svg}");

    // Without a token; with another tenant's; with a tenant that does not
    // have the scorecard on.
    let (status, _, body) = get(&app, &url, None).await;
    assert_eq!(
        (status, error_code(&body).0.as_str()),
        (401, "UNAUTHENTICATED")
    );
    let (status, _, body) = get(&app, &url, Some(&globex)).await;
    assert_eq!(
        (status, error_code(&body).0.as_str()),
        (404, "NOT_FOUND"),
        "{body}"
    );
    assert!(!body.contains("Grow"));
    app.tenant("initech", &["okr"]).await;
    let (status, _, body) = get(&app, &url, Some(&app.admin("initech"))).await;
    assert_eq!(
        (status, error_code(&body).0.as_str()),
        (403, "FRAMEWORK_DISABLED"),
        "{body}"
    );

    // Another tenant's objectives cannot be linked into this map, nor
    // this tenant's into theirs.
    let crossed = link(&app, &acme, &theirs, &grow).await;
    assert_eq!(
        (crossed.code(), crossed.field()),
        ("VALIDATION", "input.causeId")
    );
    let crossed = link(&app, &globex, &theirs, &grow).await;
    assert_eq!(
        (crossed.code(), crossed.field()),
        ("VALIDATION", "input.effectId")
    );
    let theirs_map = map(&app, &globex, &globex_card).await;
    assert_eq!(theirs_map["edges"], json!([]));
    assert_eq!(theirs_map["nodes"].as_array().unwrap().len(), 1);
    let none = app.gql(&globex, MAP, json!({ "id": card })).await;
    assert_eq!(none.data()["scorecard"]["strategyMap"], Value::Null);

    // Bad parameters are refused with the parameter's name.
    let base = url.split('?').next().unwrap();
    for (query, field) in [
        ("period=2026-13-01", "period"),
        ("period=20261001", "period"),
        ("period=99999-01-01", "period"),
        ("period=0001-01-01", "period"),
        ("periodKind=DECADE", "periodKind"),
        ("period=2026-10-01%00", "period"),
        ("colour=red", "colour"),
    ] {
        let (status, _, body) = get(&app, &format!("{base}?{query}"), Some(&acme)).await;
        assert_eq!(
            (status, error_code(&body)),
            (400, ("VALIDATION".to_string(), field.to_string())),
            "{query}: {body}"
        );
    }
    let (status, _, body) = get(&app, &format!("{base}?{}", "x".repeat(5000)), Some(&acme)).await;
    assert_eq!(
        (status, error_code(&body).0.as_str()),
        (400, "VALIDATION"),
        "{body}"
    );
    let (status, _, body) = get(&app, "/scorecard/not-an-id/strategy-map.svg", Some(&acme)).await;
    assert_eq!(
        (status, error_code(&body)),
        (400, ("VALIDATION".into(), "scorecardId".into()))
    );
    for path in [
        "/scorecard/nothing-here",
        "/nope/strategy-map.svg",
        &format!("{base}/more"),
    ] {
        let (status, _, body) = get(&app, path, Some(&acme)).await;
        assert_eq!(
            (status, error_code(&body).0.as_str()),
            (404, "NOT_FOUND"),
            "{path}: {body}"
        );
    }
    // Each period has its own map; a quarter's is labelled so.
    let (status, _, svg) = get(
        &app,
        &format!("{base}?period=2026-08-20&periodKind=QUARTER"),
        Some(&acme),
    )
    .await;
    assert_eq!(status, 200);
    assert!(svg.contains("FY2026 Q3"), "{svg}");
    // The server's own paths still answer.
    let (status, _, _) = get(&app, "/healthz", None).await;
    assert_eq!(status, 200);
}

/// Adds objectives `range` down the bands in turn, each scored and
/// linked from the one before; returns the last.
async fn chain(
    app: &TestApp,
    admin: &str,
    card: &str,
    ps: &[String],
    range: std::ops::Range<usize>,
    mut before: Option<String>,
) -> Option<String> {
    for i in range {
        let o = objective(app, admin, card, &ps[3 - i % 4], &format!("Objective {i}")).await;
        measured(
            app,
            admin,
            &o,
            &format!("Metric {i}"),
            &[("2026-10-01", "80")],
        )
        .await;
        if let Some(cause) = &before {
            link(app, admin, cause, &o).await.data();
        }
        before = Some(o);
    }
    before
}

#[tokio::test]
async fn a_map_costs_the_same_statements_however_many_objectives_and_links_it_has() {
    let app = start().await;
    let (admin, card, ps) = tenant_with_scorecard(&app, "acme").await;
    let count = || async {
        map(&app, &admin, &card).await;
        let (m, statements) = app.count_statements(map(&app, &admin, &card)).await;
        let url = m["svgUrl"].as_str().unwrap().to_string();
        let ((status, _, svg), svg_statements) =
            app.count_statements(get(&app, &url, Some(&admin))).await;
        assert_eq!(status, 200, "{svg}");
        (m, statements, svg_statements)
    };
    let last = chain(&app, &admin, &card, &ps, 0..3, None).await;
    let (small, small_statements, small_svg) = count().await;
    chain(&app, &admin, &card, &ps, 3..12, last).await;
    let (large, large_statements, large_svg) = count().await;
    let len = |m: &Value, key: &str| m[key].as_array().unwrap().len();
    assert_eq!((len(&small, "nodes"), len(&large, "nodes")), (3, 12));
    assert_eq!((len(&small, "edges"), len(&large, "edges")), (2, 11));
    assert_eq!(
        small_statements, large_statements,
        "the map's statements do not grow with it"
    );
    assert_eq!(small_svg, large_svg, "nor do the SVG's");
    assert!(small_statements <= 14, "{small_statements} statements");
    assert!(small_svg <= 14, "{small_svg} statements");
}
