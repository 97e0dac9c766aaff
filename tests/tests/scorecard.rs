//! The balanced scorecard over HTTP: default perspectives, designing a
//! scorecard (objectives, measures on core metrics, thresholds, weights),
//! scores with explanations per period (goal/red flag, from the metric's
//! target, bands, carried forward, by quarter), leading and lagging scores,
//! weights that change mid-year, refusals that write nothing, roles, two
//! tenants, and a constant number of statements however large the
//! scorecard.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{Value, json};
use throughline_domain::enums::Role;
use throughline_tests::metrics::{create_metric, record_values};
use throughline_tests::{Gql, TestApp, id_at, start, ws};

const SCORES: &str = r#"
query($id: ID!, $period: Date, $kind: PeriodKind) {
  scorecard { scorecard(id: $id) {
    title
    score(period: $period, periodKind: $kind) { period { label } score status explanation { text } leading { score } lagging { score } }
    perspectives {
      perspective { name }
      score(period: $period, periodKind: $kind) { weight score leading { score } lagging { score } explanation { text } }
      objectives {
        title
        score(period: $period, periodKind: $kind) { score leading { score } lagging { score } explanation { text } }
        measures {
          metric { name }
          score(period: $period, periodKind: $kind) {
            value valueSource carriedFrom thresholdsSource score status
            explanation { formula text inputs { name value } }
          }
        }
      }
    }
  } }
}"#;

async fn gql(app: &TestApp, token: &str, query: &str, variables: Value) -> Gql {
    app.gql(token, query, variables).await
}

async fn mutate(app: &TestApp, token: &str, field: &str, input: Value, select: &str) -> Gql {
    let input_type = format!("{}{}Input", field[..1].to_ascii_uppercase(), &field[1..])
        .replace("CreatePerspective", "CreateScorecardPerspective")
        .replace("UpdatePerspective", "UpdateScorecardPerspective")
        .replace("DeletePerspective", "DeleteScorecardPerspective")
        .replace("CreateObjective", "CreateScorecardObjective")
        .replace("UpdateObjective", "UpdateScorecardObjective")
        .replace("CreateMeasure", "CreateScorecardMeasure")
        .replace("UpdateMeasure", "UpdateScorecardMeasure")
        .replace("SetWeights", "SetScorecardWeights")
        .replace("DeleteScorecardInput", "ScorecardVersionInput")
        .replace("DeleteObjectiveInput", "ScorecardVersionInput")
        .replace("DeleteMeasureInput", "ScorecardVersionInput");
    app.gql(
        token,
        &format!(
            "mutation($input: {input_type}!) {{ scorecard {{ {field}(input: $input) {select} }} }}"
        ),
        json!({ "input": input }),
    )
    .await
}

/// A tenant with the scorecard on, a root unit, and its admin's token.
async fn tenant(app: &TestApp, slug: &str) -> (String, String) {
    app.tenant(slug, &["scorecard"]).await;
    let admin = app.admin(slug);
    let unit = gql(
        app,
        &admin,
        r#"mutation { createOrgUnit(input: {name: "Company"}) { orgUnit { id } } }"#,
        json!({}),
    )
    .await;
    (admin, id_at(unit.data(), "createOrgUnit.orgUnit.id"))
}

fn perspective_ids(body: &Value) -> Vec<(String, String)> {
    body["scorecard"]["perspectives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn perspectives(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let r = gql(
        app,
        token,
        "{ scorecard { perspectives { id name } } }",
        json!({}),
    )
    .await;
    perspective_ids(r.data())
}

async fn objective(
    app: &TestApp,
    admin: &str,
    scorecard: &str,
    perspective: &str,
    title: &str,
) -> String {
    let r = mutate(
        app,
        admin,
        "createObjective",
        json!({ "scorecardId": scorecard, "perspectiveId": perspective, "title": title }),
        "{ objective { id } }",
    )
    .await;
    id_at(r.data(), "scorecard.createObjective.objective.id")
}

async fn measure(app: &TestApp, admin: &str, objective: &str, metric: &str, rest: Value) -> String {
    let mut input = json!({ "objectiveId": objective, "metricId": metric });
    input
        .as_object_mut()
        .unwrap()
        .extend(rest.as_object().unwrap().clone());
    let r = mutate(
        app,
        admin,
        "createMeasure",
        input,
        "{ measure { id version } }",
    )
    .await;
    id_at(r.data(), "scorecard.createMeasure.measure.id")
}

fn find<'a>(list: &'a Value, key: &str, path: &str, name: &str) -> &'a Value {
    list[key]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| {
            path.split('.')
                .fold(*item, |v, k| &v[k])
                .as_str()
                .is_some_and(|n| n == name)
        })
        .unwrap_or_else(|| panic!("no {name} in {list}"))
}

#[tokio::test]
async fn a_scorecard_scores_its_measures_and_rolls_them_up_with_explanations() {
    let app = start().await;
    let (admin, unit) = tenant(&app, "acme").await;

    // Switching the scorecard on made the four perspectives, Financial on top.
    let defaults = perspectives(&app, &admin).await;
    let names: Vec<&str> = defaults.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Financial",
            "Customer",
            "Internal Process",
            "Learning & Growth"
        ]
    );
    let p = |name: &str| {
        defaults
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| id.clone())
            .unwrap()
    };

    let revenue = create_metric(&app, &admin, "Revenue", json!({})).await;
    let defects = create_metric(
        &app,
        &admin,
        "Defects",
        json!({ "direction": "LOWER_IS_BETTER", "indicatorKind": "LEADING", "aggregation": "AVERAGE" }),
    )
    .await;
    let training = create_metric(
        &app,
        &admin,
        "Training hours",
        json!({ "indicatorKind": "LEADING" }),
    )
    .await;
    let nps = create_metric(
        &app,
        &admin,
        "Net promoter score",
        json!({ "aggregation": "AVERAGE" }),
    )
    .await;
    // Training hours are judged by the core's target: at least 40 a month,
    // a warning down to 30, so goal 40 and red flag 30.
    let target = gql(
        &app,
        &admin,
        r#"mutation($m: ID!) { setMetricTarget(input: {metricId: $m, validFrom: "2026-01-01",
            target: {kind: STAY_AT_OR_ABOVE, target: "40"}, warningMargin: "10"}) { metricTarget { id } } }"#,
        json!({ "m": training }),
    )
    .await;
    target.data();

    let card = mutate(
        &app,
        &admin,
        "createScorecard",
        json!({ "title": "Company scorecard", "orgUnitId": unit }),
        "{ scorecard { id version } }",
    )
    .await;
    let card = id_at(card.data(), "scorecard.createScorecard.scorecard.id");
    let twice = mutate(
        &app,
        &admin,
        "createScorecard",
        json!({ "title": "Again", "orgUnitId": unit }),
        "{ scorecard { id } }",
    )
    .await;
    assert_eq!(
        (twice.code(), twice.field()),
        ("VALIDATION", "input.orgUnitId")
    );

    let grow = objective(&app, &admin, &card, &p("Financial"), "Grow revenue").await;
    let delight = objective(&app, &admin, &card, &p("Customer"), "Delight customers").await;
    let quality = objective(&app, &admin, &card, &p("Internal Process"), "Ship quality").await;
    let skills = objective(&app, &admin, &card, &p("Learning & Growth"), "Build skills").await;

    // Spider's example: goal 700, red flag 500.
    let revenue_measure = measure(
        &app,
        &admin,
        &grow,
        &revenue,
        json!({ "scoringType": "GOAL_RED_FLAG", "thresholds": [{ "goal": "700", "redFlag": "500" }] }),
    )
    .await;
    // Lower is better: goal 5 defects, red flag 10.
    measure(
        &app,
        &admin,
        &quality,
        &defects,
        json!({ "scoringType": "GOAL_RED_FLAG", "thresholds": [{ "goal": "5", "redFlag": "10" }] }),
    )
    .await;
    // No thresholds: from the metric's target.
    measure(
        &app,
        &admin,
        &skills,
        &training,
        json!({ "scoringType": "GOAL_RED_FLAG" }),
    )
    .await;
    let bands = json!([
        { "name": "Red", "colour": "#cc0000", "lower": "-100", "score": "0" },
        { "name": "Amber", "colour": "#ffbf00", "lower": "0", "score": "5" },
        { "name": "Green", "colour": "#00aa00", "lower": "30", "score": "8" },
        { "name": "Blue", "colour": "#0000cc", "lower": "60", "score": "10" }
    ]);
    measure(
        &app,
        &admin,
        &delight,
        &nps,
        json!({ "scoringType": "BANDS", "thresholds": [{ "bands": bands }] }),
    )
    .await;

    record_values(
        &app,
        &admin,
        &revenue,
        &[("2026-10-01", "600"), ("2026-11-01", "900")],
    )
    .await;
    record_values(&app, &admin, &defects, &[("2026-10-01", "5")]).await;
    record_values(&app, &admin, &training, &[("2026-10-01", "35")]).await;
    record_values(&app, &admin, &nps, &[("2026-10-01", "30")]).await;

    let october = gql(
        &app,
        &admin,
        SCORES,
        json!({ "id": card, "period": "2026-10-15", "kind": "MONTH" }),
    )
    .await;
    let view = &october.data()["scorecard"]["scorecard"];
    let financial = find(view, "perspectives", "perspective.name", "Financial");
    let grow_view = &financial["objectives"][0];
    let revenue_score = &grow_view["measures"][0]["score"];
    assert_eq!(revenue_score["value"], "600");
    assert_eq!(revenue_score["score"], "5");
    assert_eq!(revenue_score["status"], "YELLOW");
    assert_eq!(revenue_score["valueSource"], "RECORDED");
    assert_eq!(revenue_score["thresholdsSource"], "MEASURE");
    let text = revenue_score["explanation"]["text"].as_str().unwrap();
    assert!(
        text.contains("600") && text.contains("goal 700") && text.contains("red flag 500"),
        "{text}"
    );
    assert_eq!(grow_view["score"]["score"], "5");
    // Revenue is lagging: the objective has a lagging score and no leading one.
    assert_eq!(grow_view["score"]["lagging"]["score"], "5");
    assert_eq!(grow_view["score"]["leading"]["score"], Value::Null);

    let quality_view =
        &find(view, "perspectives", "perspective.name", "Internal Process")["objectives"][0];
    assert_eq!(quality_view["measures"][0]["score"]["score"], "6.67");

    let skills_view = &find(
        view,
        "perspectives",
        "perspective.name",
        "Learning & Growth",
    )["objectives"][0];
    let training_score = &skills_view["measures"][0]["score"];
    assert_eq!(training_score["thresholdsSource"], "METRIC_TARGET");
    // 35 halfway between red flag 30 (3.33) and goal 40 (6.67).
    assert_eq!(training_score["score"], "5");
    assert!(
        training_score["explanation"]["text"]
            .as_str()
            .unwrap()
            .contains("metric's target"),
        "{}",
        training_score["explanation"]
    );
    assert_eq!(skills_view["score"]["leading"]["score"], "5");
    assert_eq!(skills_view["score"]["lagging"]["score"], Value::Null);

    let delight_view = &find(view, "perspectives", "perspective.name", "Customer")["objectives"][0];
    // NPS 30 is in the Green band (from 30): a boundary scores its band.
    assert_eq!(delight_view["measures"][0]["score"]["score"], "8");

    // The scorecard: the mean of its four perspectives (5, 8, 6.67, 5),
    // leading from defects and training (6.67, 5), lagging from revenue and NPS (5, 8).
    let total = &view["score"];
    assert_eq!(total["period"]["label"], "2026-10");
    assert_eq!(total["score"], "6.17");
    assert_eq!(total["leading"]["score"], "5.84");
    assert_eq!(total["lagging"]["score"], "6.5");
    assert!(
        total["explanation"]["text"]
            .as_str()
            .unwrap()
            .contains("Financial 5 × 1"),
        "{}",
        total["explanation"]
    );

    // November: revenue 900 is past the goal (10); nothing else has a
    // value, so the other measures are blank and left out.
    let november = gql(
        &app,
        &admin,
        SCORES,
        json!({ "id": card, "period": "2026-11-01", "kind": "MONTH" }),
    )
    .await;
    let view = &november.data()["scorecard"]["scorecard"];
    assert_eq!(view["score"]["score"], "10");
    let text = view["score"]["explanation"]["text"].as_str().unwrap();
    assert!(text.contains("blank, left out"), "{text}");
    let customer = find(view, "perspectives", "perspective.name", "Customer");
    assert_eq!(customer["score"]["score"], Value::Null);
    assert_eq!(
        customer["objectives"][0]["measures"][0]["score"]["valueSource"],
        "BLANK"
    );

    // By quarter: revenue (SUM) adds its months and its thresholds count
    // once per month begun (Oct, Nov; December has begun too).
    let quarter = gql(
        &app,
        &admin,
        SCORES,
        json!({ "id": card, "period": "2026-10-01", "kind": "QUARTER" }),
    )
    .await;
    let grow_q = &find(
        &quarter.data()["scorecard"]["scorecard"],
        "perspectives",
        "perspective.name",
        "Financial",
    )["objectives"][0]["measures"][0]["score"];
    assert_eq!(grow_q["value"], "1500");
    let inputs = &grow_q["explanation"]["inputs"];
    assert_eq!(inputs[1], json!({ "name": "goal", "value": "2100" }));
    assert_eq!(inputs[2], json!({ "name": "redFlag", "value": "1500" }));
    assert_eq!(grow_q["score"], "3.33");

    // Carried forward: NPS in November takes October's value, flagged.
    let measures = gql(
        &app,
        &admin,
        r#"query($o: ID!) { node(id: $o) { ... on ScorecardObjective { measures { id metric { name } } } } }"#,
        json!({ "o": delight }),
    )
    .await;
    let nps_measure = &measures.data()["node"]["measures"][0];
    assert_eq!(nps_measure["metric"]["name"], "Net promoter score");
    let nps_id = nps_measure["id"].as_str().unwrap().to_string();
    let updated = mutate(
        &app,
        &admin,
        "updateMeasure",
        json!({ "id": nps_id, "version": 1, "missingData": "CARRY_FORWARD" }),
        "{ measure { version missingData thresholds { bands { name } } } }",
    )
    .await;
    assert_eq!(
        updated.data()["scorecard"]["updateMeasure"]["measure"]["thresholds"][0]["bands"][3]["name"],
        "Blue",
        "the bands stay when the type does"
    );
    let history = gql(
        &app,
        &admin,
        r#"query($m: ID!) { node(id: $m) { ... on ScorecardMeasure {
            scoreHistory(from: "2026-09-01", to: "2026-12-31") { period { label } value valueSource carriedFrom score }
        } } }"#,
        json!({ "m": nps_id }),
    )
    .await;
    assert_eq!(
        history.data()["node"]["scoreHistory"],
        json!([
            { "period": { "label": "2026-09" }, "value": null, "valueSource": "BLANK", "carriedFrom": null, "score": null },
            { "period": { "label": "2026-10" }, "value": "30", "valueSource": "RECORDED", "carriedFrom": null, "score": "8" },
            { "period": { "label": "2026-11" }, "value": "30", "valueSource": "CARRIED_FORWARD", "carriedFrom": "2026-10-01", "score": "8" },
            { "period": { "label": "2026-12" }, "value": "30", "valueSource": "CARRIED_FORWARD", "carriedFrom": "2026-10-01", "score": "8" }
        ])
    );

    // Weights with date ranges: Financial weighs 2 until 12 July, 7 after.
    let weights = mutate(
        &app,
        &admin,
        "setWeights",
        json!({ "scorecardId": card, "perspectiveId": p("Financial"), "weights": [
            { "weight": "2", "validTo": "2026-07-12" },
            { "weight": "7", "validFrom": "2026-07-13" }
        ] }),
        "{ weights { weight validFrom validTo } }",
    )
    .await;
    assert_eq!(
        weights.data()["scorecard"]["setWeights"]["weights"][1],
        json!({ "weight": "7", "validFrom": "2026-07-13", "validTo": null })
    );
    let weighted = gql(
        &app,
        &admin,
        r#"query($id: ID!) { scorecard { scorecard(id: $id) { perspectives {
            perspective { name } scoreHistory(from: "2026-06-01", to: "2026-10-31") { period { label } weight }
        } score(period: "2026-10-01") { score } } } }"#,
        json!({ "id": card }),
    )
    .await;
    let view = &weighted.data()["scorecard"]["scorecard"];
    let financial = find(view, "perspectives", "perspective.name", "Financial");
    let by_month: Vec<(&str, &str)> = financial["scoreHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["period"]["label"].as_str().unwrap(),
                s["weight"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_month,
        [
            ("2026-06", "2"),
            ("2026-07", "7"),
            ("2026-08", "7"),
            ("2026-09", "7"),
            ("2026-10", "7")
        ],
        "a period takes the weight in force on its last day"
    );
    // (5·7 + 8 + 6.67 + 5) / 10
    assert_eq!(view["score"]["score"], "5.47");

    // The revenue measure's thresholds rise from November; October keeps
    // the old ones.
    let measure_version = gql(
        &app,
        &admin,
        r#"query($m: ID!) { node(id: $m) { ... on ScorecardMeasure { version } } }"#,
        json!({ "m": revenue_measure }),
    )
    .await;
    let version = measure_version.data()["node"]["version"].as_i64().unwrap();
    let raised = mutate(
        &app,
        &admin,
        "updateMeasure",
        json!({ "id": revenue_measure, "version": version, "thresholds": [
            { "validTo": "2026-10-31", "goal": "700", "redFlag": "500" },
            { "validFrom": "2026-11-01", "goal": "1000", "redFlag": "800" }
        ] }),
        "{ measure { thresholds { validFrom goal } } }",
    )
    .await;
    raised.data();
    let scores = gql(
        &app,
        &admin,
        r#"query($m: ID!) { node(id: $m) { ... on ScorecardMeasure {
            oct: score(period: "2026-10-01") { score }
            nov: score(period: "2026-11-01") { score }
        } } }"#,
        json!({ "m": revenue_measure }),
    )
    .await;
    assert_eq!(
        scores.data()["node"],
        json!({ "oct": { "score": "5" }, "nov": { "score": "5" } })
    );
}

#[tokio::test]
async fn bad_designs_are_refused_with_their_field_and_write_nothing() {
    let app = start().await;
    let (admin, unit) = tenant(&app, "acme").await;
    let ps = perspectives(&app, &admin).await;
    let financial = ps[0].1.clone();
    let metric = create_metric(&app, &admin, "Revenue", json!({})).await;
    let card = mutate(
        &app,
        &admin,
        "createScorecard",
        json!({ "title": "Company", "orgUnitId": unit }),
        "{ scorecard { id } }",
    )
    .await;
    let card = id_at(card.data(), "scorecard.createScorecard.scorecard.id");
    let grow = objective(&app, &admin, &card, &financial, "Grow").await;

    let refused = |input: Value| {
        let app = &app;
        let admin = admin.clone();
        let grow = grow.clone();
        let metric = metric.clone();
        async move {
            let mut full = json!({ "objectiveId": grow, "metricId": metric });
            full.as_object_mut()
                .unwrap()
                .extend(input.as_object().unwrap().clone());
            let r = mutate(app, &admin, "createMeasure", full, "{ measure { id } }").await;
            (
                r.code().to_string(),
                r.field().to_string(),
                r.message().to_string(),
            )
        }
    };
    let cases = [
        (
            json!({ "scoringType": "GOAL_RED_FLAG", "thresholds": [{ "goal": "5", "redFlag": "5" }] }),
            "input.thresholds[0].redFlag",
        ),
        (
            json!({ "scoringType": "GOAL_RED_FLAG", "thresholds": [{ "goal": "5" }] }),
            "input.thresholds[0].redFlag",
        ),
        (
            json!({ "scoringType": "GOAL_RED_FLAG", "thresholds": [
                { "validTo": "2026-06-30", "goal": "5", "redFlag": "3" },
                { "validFrom": "2026-06-30", "goal": "6", "redFlag": "3" }
            ] }),
            "input.thresholds[1]",
        ),
        (json!({ "scoringType": "BANDS" }), "input.thresholds"),
        (
            json!({ "scoringType": "BANDS", "thresholds": [{ "bands": [
                { "name": "Low", "colour": "#ff0000", "lower": "10", "score": "0" },
                { "name": "High", "colour": "#00ff00", "lower": "5", "score": "10" }
            ] }] }),
            "input.thresholds[0].bands[1].lower",
        ),
        (
            json!({ "scoringType": "YES_NO", "thresholds": [{ "goal": "1", "redFlag": "0" }] }),
            "input.thresholds[0]",
        ),
        (
            json!({ "scoringType": "STABILIZE", "thresholds": [{ "redFlag": "1", "goal": "5", "goalHigh": "4", "redFlagHigh": "9" }] }),
            "input.thresholds[0].goalHigh",
        ),
        (
            json!({ "scoringType": "GOAL_RED_FLAG", "thresholds": [{ "goal": "10000000000000000", "redFlag": "0" }] }),
            "input.thresholds[0].goal",
        ),
    ];
    for (input, field) in cases {
        let (code, got, message) = refused(input.clone()).await;
        assert_eq!(
            (code.as_str(), got.as_str()),
            ("VALIDATION", field),
            "{input}: {message}"
        );
    }
    // Nothing was written by any of them.
    let measures = gql(
        &app,
        &admin,
        r#"query($o: ID!) { node(id: $o) { ... on ScorecardObjective { measures { id } } } }"#,
        json!({ "o": grow }),
    )
    .await;
    assert_eq!(measures.data()["node"]["measures"], json!([]));

    // Weights: above 0, ranges apart, exactly one child.
    for (input, field) in [
        (
            json!({ "objectiveId": grow, "weights": [{ "weight": "0" }] }),
            "input.weights[0].weight",
        ),
        (
            json!({ "objectiveId": grow, "weights": [{ "weight": "1" }, { "weight": "2", "validFrom": "2026-01-01" }] }),
            "input.weights[1]",
        ),
        (
            json!({ "objectiveId": grow, "scorecardId": card, "weights": [] }),
            "input",
        ),
        (
            json!({ "objectiveId": grow, "weights": [{ "weight": "1", "validFrom": "2026-02-01", "validTo": "2026-01-31" }] }),
            "input.weights[0].validTo",
        ),
    ] {
        let r = mutate(
            &app,
            &admin,
            "setWeights",
            input.clone(),
            "{ weights { weight } }",
        )
        .await;
        assert_eq!((r.code(), r.field()), ("VALIDATION", field), "{input}");
    }

    // A perspective with objectives is archived, not deleted; an archived
    // one takes no new objective; an unused one can go.
    let delete = mutate(
        &app,
        &admin,
        "deletePerspective",
        json!({ "id": financial }),
        "{ deletedId }",
    )
    .await;
    assert_eq!((delete.code(), delete.field()), ("VALIDATION", "input.id"));
    assert!(delete.message().contains("archive"), "{}", delete.message());
    let archived = mutate(
        &app,
        &admin,
        "updatePerspective",
        json!({ "id": financial, "version": 1, "status": "ARCHIVED" }),
        "{ perspective { status version } }",
    )
    .await;
    assert_eq!(
        archived.data()["scorecard"]["updatePerspective"]["perspective"],
        json!({ "status": "ARCHIVED", "version": 2 })
    );
    let under_archived = mutate(
        &app,
        &admin,
        "createObjective",
        json!({ "scorecardId": card, "perspectiveId": financial, "title": "More" }),
        "{ objective { id } }",
    )
    .await;
    assert_eq!(
        (under_archived.code(), under_archived.field()),
        ("VALIDATION", "input.perspectiveId")
    );
    let on_card = gql(
        &app,
        &admin,
        r#"query($id: ID!) { scorecard { scorecard(id: $id) { perspectives { perspective { name status } } } } }"#,
        json!({ "id": card }),
    )
    .await;
    assert_eq!(
        on_card.data()["scorecard"]["scorecard"]["perspectives"][0]["perspective"],
        json!({ "name": "Financial", "status": "ARCHIVED" }),
        "an archived perspective still shows where it holds objectives"
    );
    let new = mutate(
        &app,
        &admin,
        "createPerspective",
        json!({ "name": "Sustainability", "colour": "#2E8B57" }),
        "{ perspective { id name colour position } }",
    )
    .await;
    let created = &new.data()["scorecard"]["createPerspective"]["perspective"];
    assert_eq!(created["colour"], "#2e8b57");
    assert_eq!(created["position"], 5);
    let same_name = mutate(
        &app,
        &admin,
        "createPerspective",
        json!({ "name": "sustainability", "colour": "#000000" }),
        "{ perspective { id } }",
    )
    .await;
    assert_eq!(same_name.field(), "input.name");
    let bad_colour = mutate(
        &app,
        &admin,
        "createPerspective",
        json!({ "name": "Other", "colour": "green" }),
        "{ perspective { id } }",
    )
    .await;
    assert_eq!(bad_colour.field(), "input.colour");
    let gone = mutate(
        &app,
        &admin,
        "deletePerspective",
        json!({ "id": created["id"] }),
        "{ deletedId }",
    )
    .await;
    assert_eq!(
        gone.data()["scorecard"]["deletePerspective"]["deletedId"],
        created["id"]
    );

    // The objective limit is a tenant setting.
    let limited = gql(
        &app,
        &admin,
        r#"mutation { updateFrameworkSettings(input: {key: "scorecard", settings: {maxObjectivesPerScorecard: 1}}) { __typename } }"#,
        json!({}),
    )
    .await;
    limited.data();
    let over = mutate(
        &app,
        &admin,
        "createObjective",
        json!({ "scorecardId": card, "perspectiveId": ps[1].1, "title": "Second" }),
        "{ objective { id } }",
    )
    .await;
    assert_eq!(
        (over.code(), over.field()),
        ("VALIDATION", "input.scorecardId")
    );
    let bad_setting = gql(
        &app,
        &admin,
        r#"mutation { updateFrameworkSettings(input: {key: "scorecard", settings: {maxMeasuresPerObjective: 0}}) { __typename } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        bad_setting.field(),
        "input.settings.maxMeasuresPerObjective"
    );
}

#[tokio::test]
async fn members_read_scorecards_admins_design_them_and_tenants_see_only_their_own() {
    let app = start().await;
    let (acme, unit) = tenant(&app, "acme").await;
    let (globex, _) = tenant(&app, "globex").await;
    let ps = perspectives(&app, &acme).await;
    let card = mutate(
        &app,
        &acme,
        "createScorecard",
        json!({ "title": "Acme", "orgUnitId": unit }),
        "{ scorecard { id } }",
    )
    .await;
    let card = id_at(card.data(), "scorecard.createScorecard.scorecard.id");
    let grow = objective(&app, &acme, &card, &ps[0].1, "Grow").await;

    let member = app.token("acme", "member@acme.example", Role::Member);
    let read = gql(
        &app,
        &member,
        r#"query($id: ID!) { scorecard { scorecard(id: $id) { title objectives { title } score { status } } } }"#,
        json!({ "id": card }),
    )
    .await;
    assert_eq!(
        read.data()["scorecard"]["scorecard"],
        json!({ "title": "Acme", "objectives": [{ "title": "Grow" }], "score": { "status": "NO_DATA" } })
    );
    for token in [
        member.clone(),
        app.token("acme", "manager@acme.example", Role::Manager),
    ] {
        let refused = mutate(
            &app,
            &token,
            "createObjective",
            json!({ "scorecardId": card, "perspectiveId": ps[0].1, "title": "Mine" }),
            "{ objective { id } }",
        )
        .await;
        assert_eq!(refused.code(), "FORBIDDEN");
    }
    let integrator = app.token("acme", "sync@acme.example", Role::Integrator);
    let refused = mutate(
        &app,
        &integrator,
        "createPerspective",
        json!({ "name": "X", "colour": "#000000" }),
        "{ perspective { id } }",
    )
    .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let integrator_reads = gql(
        &app,
        &integrator,
        "{ scorecard { scorecards { totalCount } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        integrator_reads.data()["scorecard"]["scorecards"]["totalCount"],
        1
    );

    // Globex has its own four perspectives and sees nothing of Acme's.
    let theirs = perspectives(&app, &globex).await;
    assert_eq!(theirs.len(), 4);
    assert!(
        theirs
            .iter()
            .all(|(_, id)| !ps.iter().any(|(_, a)| a == id))
    );
    let peek = gql(
        &app,
        &globex,
        r#"query($id: ID!, $o: ID!) { scorecard { scorecard(id: $id) { title } scorecards { totalCount } } node(id: $o) { id } }"#,
        json!({ "id": card, "o": grow }),
    )
    .await;
    assert_eq!(
        peek.data(),
        &json!({ "scorecard": { "scorecard": null, "scorecards": { "totalCount": 0 } }, "node": null })
    );
    let foreign = mutate(
        &app,
        &globex,
        "createObjective",
        json!({ "scorecardId": card, "perspectiveId": theirs[0].1, "title": "Theirs" }),
        "{ objective { id } }",
    )
    .await;
    assert_eq!(
        (foreign.code(), foreign.field()),
        ("VALIDATION", "input.scorecardId")
    );
    let after = gql(
        &app,
        &acme,
        r#"query($id: ID!) { scorecard { scorecard(id: $id) { objectives { title } } } }"#,
        json!({ "id": card }),
    )
    .await;
    assert_eq!(
        after.data()["scorecard"]["scorecard"]["objectives"],
        json!([{ "title": "Grow" }])
    );

    // Switched off, the namespace is refused; on again, the tenant's own
    // perspectives are back (no second set of defaults).
    gql(
        &app,
        &acme,
        r#"mutation { disableFramework(input: {key: "scorecard"}) { __typename } }"#,
        json!({}),
    )
    .await
    .data();
    let off = gql(
        &app,
        &acme,
        "{ scorecard { perspectives { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(off.code(), "FRAMEWORK_DISABLED");
    gql(
        &app,
        &acme,
        r#"mutation { enableFramework(input: {key: "scorecard"}) { __typename } }"#,
        json!({}),
    )
    .await
    .data();
    assert_eq!(perspectives(&app, &acme).await, ps);
}

/// The whole scorecard for a period, every node's scores and explanations
/// and a year of history, costs the same statements on a small scorecard
/// and on a large one.
#[tokio::test]
async fn a_whole_scorecard_and_its_history_cost_a_constant_number_of_statements() {
    let app = start().await;
    let (admin, unit) = tenant(&app, "acme").await;
    let ps = perspectives(&app, &admin).await;
    let card = mutate(
        &app,
        &admin,
        "createScorecard",
        json!({ "title": "Company", "orgUnitId": unit }),
        "{ scorecard { id } }",
    )
    .await;
    let card = id_at(card.data(), "scorecard.createScorecard.scorecard.id");
    const WHOLE: &str = r#"
    query($id: ID!) { scorecard { scorecard(id: $id) {
      score(period: "2026-10-01") { score leading { score } lagging { score } explanation { text } }
      scoreHistory(from: "2025-11-01", to: "2026-10-31") { score }
      perspectives {
        perspective { name }
        score(period: "2026-10-01") { score weight explanation { text } }
        objectives {
          title owner { name }
          score(period: "2026-10-01") { score explanation { text } }
          scoreHistory(from: "2025-11-01", to: "2026-10-31") { score }
          measures {
            metric { name }
            thresholds { goal }
            weights { weight }
            score(period: "2026-10-01") { value score explanation { text } }
            scoreHistory(from: "2025-11-01", to: "2026-10-31") { score explanation { text } }
          }
        }
      }
    } } }"#;
    let mut n = 0;
    let mut grow = |count: usize| {
        let app = &app;
        let admin = admin.clone();
        let card = card.clone();
        let ps = ps.clone();
        let start = n;
        n += count;
        async move {
            for i in start..start + count {
                let o =
                    objective(app, &admin, &card, &ps[i % 4].1, &format!("Objective {i}")).await;
                for j in 0..2 {
                    let kind = if j == 0 { "LEADING" } else { "LAGGING" };
                    let m = create_metric(
                        app,
                        &admin,
                        &format!("Metric {i}.{j}"),
                        json!({ "indicatorKind": kind }),
                    )
                    .await;
                    let missing = if i % 2 == 0 { "CARRY_FORWARD" } else { "BLANK" };
                    measure(
                        app,
                        &admin,
                        &o,
                        &m,
                        json!({ "scoringType": "GOAL_RED_FLAG", "missingData": missing,
                                "thresholds": [{ "goal": "100", "redFlag": "50" }] }),
                    )
                    .await;
                    record_values(
                        app,
                        &admin,
                        &m,
                        &[
                            ("2025-06-01", "70"),
                            ("2026-08-01", "90"),
                            ("2026-10-01", "120"),
                        ],
                    )
                    .await;
                }
            }
        }
    };
    grow(2).await;
    let count = || async {
        let warm = gql(&app, &admin, WHOLE, json!({ "id": card })).await;
        warm.data();
        let (r, statements) = app
            .count_statements(gql(&app, &admin, WHOLE, json!({ "id": card })))
            .await;
        (r, statements)
    };
    let (small, small_statements) = count().await;
    grow(10).await;
    let (large, large_statements) = count().await;
    let objectives = |r: &Gql| {
        r.data()["scorecard"]["scorecard"]["perspectives"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["objectives"].as_array().unwrap().len())
            .sum::<usize>()
    };
    assert_eq!((objectives(&small), objectives(&large)), (2, 12));
    assert_eq!(
        small_statements, large_statements,
        "a scorecard six times larger costs the same statements"
    );
    assert!(small_statements <= 14, "{small_statements} statements");
    // A carried-forward measure shows the last value before each period:
    // November 2025 June's (70), September August's (90).
    let history = &large.data()["scorecard"]["scorecard"]["perspectives"][0]["objectives"][0]["measures"]
        [0]["scoreHistory"];
    assert_eq!(history.as_array().unwrap().len(), 12);
    assert_eq!(history[0]["score"], "4.67", "{history}");
    assert_eq!(history[10]["score"], "6", "{history}");
    assert_eq!(history[11]["score"], "8", "{history}");
}

async fn heard(socket: &mut ws::Socket) -> Value {
    let message = ws::next(socket).await.unwrap();
    assert_eq!(message["type"], "next", "{message}");
    message["payload"]["data"]["scorecardChanged"].clone()
}

#[tokio::test]
async fn a_scorecard_s_followers_hear_its_design_change_and_nothing_else() {
    let app = start().await;
    let (acme, unit) = tenant(&app, "acme").await;
    let (globex, globex_unit) = tenant(&app, "globex").await;
    let ps = perspectives(&app, &acme).await;
    let sales = gql(
        &app,
        &acme,
        r#"mutation($p: ID!) { createOrgUnit(input: {name: "Sales", parentId: $p}) { orgUnit { id } } }"#,
        json!({ "p": unit }),
    )
    .await;
    let sales = id_at(sales.data(), "createOrgUnit.orgUnit.id");
    let new_card = |token: String, unit: String, title: &'static str| {
        let app = &app;
        async move {
            let r = mutate(
                app,
                &token,
                "createScorecard",
                json!({ "title": title, "orgUnitId": unit }),
                "{ scorecard { id } }",
            )
            .await;
            id_at(r.data(), "scorecard.createScorecard.scorecard.id")
        }
    };
    let company = new_card(acme.clone(), unit, "Company").await;
    let team = new_card(acme.clone(), sales, "Sales").await;
    let theirs = new_card(globex.clone(), globex_unit, "Globex").await;

    let follow = |id: &str| {
        format!(
            r#"subscription {{ scorecardChanged(scorecardId: "{id}") {{ title perspectives {{ perspective {{ name }} }} objectives {{ title measures {{ metric {{ name }} }} }} }} }}"#
        )
    };
    let mut ours = ws::connect(&app, json!({ "authorization": format!("Bearer {acme}") })).await;
    ws::subscribe(&mut ours, &follow(&company)).await;
    // Globex follows Acme's scorecard by its ID (hears nothing) and its own.
    let mut other = ws::connect(&app, json!({ "authorization": format!("Bearer {globex}") })).await;
    ws::subscribe(&mut other, &follow(&company)).await;
    let mut own = ws::connect(&app, json!({ "authorization": format!("Bearer {globex}") })).await;
    ws::subscribe(&mut own, &follow(&theirs)).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // The team's scorecard changes first: the company's followers hear nothing of it.
    objective(&app, &acme, &team, &ps[0].1, "Sell more").await;
    let grow = objective(&app, &acme, &company, &ps[0].1, "Grow").await;
    // Events reach subscribers after commit, by the dispatcher: on a busy
    // machine the scorecard's own creation may still be on its way.
    let mut first = heard(&mut ours).await;
    if first["objectives"] == json!([]) {
        first = heard(&mut ours).await;
    }
    assert_eq!(
        first,
        json!({
            "title": "Company",
            "perspectives": ps.iter().map(|(name, _)| json!({ "perspective": { "name": name } })).collect::<Vec<_>>(),
            "objectives": [{ "title": "Grow", "measures": [] }]
        })
    );
    let revenue = create_metric(&app, &acme, "Revenue", json!({})).await;
    measure(
        &app,
        &acme,
        &grow,
        &revenue,
        json!({ "scoringType": "YES_NO" }),
    )
    .await;
    assert_eq!(
        heard(&mut ours).await["objectives"][0]["measures"],
        json!([{ "metric": { "name": "Revenue" } }])
    );
    // Perspectives are on every scorecard: renaming one is heard too.
    mutate(
        &app,
        &acme,
        "updatePerspective",
        json!({ "id": ps[0].1, "version": 1, "name": "Money" }),
        "{ perspective { name } }",
    )
    .await
    .data();
    assert_eq!(
        heard(&mut ours).await["perspectives"][0]["perspective"]["name"],
        "Money"
    );
    let renamed = mutate(
        &app,
        &acme,
        "updateScorecard",
        json!({ "id": company, "version": 1, "title": "Company 2027" }),
        "{ scorecard { version } }",
    )
    .await;
    renamed.data();
    assert_eq!(heard(&mut ours).await["title"], "Company 2027");
    // Deleted: the stream ends.
    mutate(
        &app,
        &acme,
        "deleteScorecard",
        json!({ "id": company, "version": 2 }),
        "{ deletedId }",
    )
    .await
    .data();
    let end = ws::next(&mut ours).await.unwrap();
    assert_eq!(end["type"], "complete", "{end}");

    // Globex's own change is the first thing either Globex socket hears.
    objective(
        &app,
        &globex,
        &theirs,
        &perspectives(&app, &globex).await[0].1,
        "Theirs",
    )
    .await;
    assert_eq!(heard(&mut own).await["title"], "Globex");
    let nothing = tokio::time::timeout(std::time::Duration::from_millis(500), async {
        use futures_util::StreamExt;
        other.next().await
    })
    .await;
    assert!(
        nothing.is_err(),
        "Globex heard of Acme's scorecard: {nothing:?}"
    );
}
