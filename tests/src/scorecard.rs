//! Scorecards for tests: designed over HTTP, as an admin would.

use serde_json::{Value, json};

use crate::metrics::{create_metric, record_values};
use crate::{Gql, TestApp, id_at};

/// Runs `mutation { scorecard { field(input) select } }`.
pub async fn mutate(
    app: &TestApp,
    token: &str,
    field: &str,
    input_type: &str,
    input: Value,
    select: &str,
) -> Gql {
    app.gql(
        token,
        &format!(
            "mutation($input: {input_type}!) {{ scorecard {{ {field}(input: $input) {select} }} }}"
        ),
        json!({ "input": input }),
    )
    .await
}

/// A root org unit named `name`: its ID.
pub async fn org_unit(app: &TestApp, admin: &str, name: &str, parent: Option<&str>) -> String {
    let unit = app
        .gql(
            admin,
            "mutation($input: CreateOrgUnitInput!) { createOrgUnit(input: $input) { orgUnit { id } } }",
            json!({ "input": { "name": name, "parentId": parent } }),
        )
        .await;
    id_at(unit.data(), "createOrgUnit.orgUnit.id")
}

/// A scorecard titled `title` for `unit`: its ID.
pub async fn scorecard(app: &TestApp, admin: &str, title: &str, unit: &str) -> String {
    let card = mutate(
        app,
        admin,
        "createScorecard",
        "CreateScorecardInput",
        json!({ "title": title, "orgUnitId": unit }),
        "{ scorecard { id } }",
    )
    .await;
    id_at(card.data(), "scorecard.createScorecard.scorecard.id")
}

/// A tenant with the scorecard on and a company scorecard at its root
/// unit: its admin's token, the scorecard's ID and the perspectives' IDs
/// (Financial, Customer, Internal Process, Learning & Growth).
pub async fn tenant_with_scorecard(app: &TestApp, slug: &str) -> (String, String, Vec<String>) {
    app.tenant(slug, &["scorecard"]).await;
    let admin = app.admin(slug);
    let unit = org_unit(app, &admin, "Company", None).await;
    let card = scorecard(app, &admin, &format!("{slug} company"), &unit).await;
    let ps = app
        .gql(
            &admin,
            "{ scorecard { perspectives { id name } } }",
            json!({}),
        )
        .await;
    let ps = ps.data()["scorecard"]["perspectives"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| p["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    (admin, card, ps)
}

/// An objective titled `title`: its ID.
pub async fn objective(
    app: &TestApp,
    admin: &str,
    card: &str,
    perspective: &str,
    title: &str,
) -> String {
    let r = mutate(
        app,
        admin,
        "createObjective",
        "CreateScorecardObjectiveInput",
        json!({ "scorecardId": card, "perspectiveId": perspective, "title": title }),
        "{ objective { id } }",
    )
    .await;
    id_at(r.data(), "scorecard.createObjective.objective.id")
}

/// A monthly metric named `name` measured under `objective` (goal 100,
/// red flag 50), with `values` recorded: the metric's ID.
pub async fn measured(
    app: &TestApp,
    admin: &str,
    objective: &str,
    name: &str,
    values: &[(&str, &str)],
) -> String {
    let metric = create_metric(app, admin, name, json!({})).await;
    mutate(
        app,
        admin,
        "createMeasure",
        "CreateScorecardMeasureInput",
        json!({ "objectiveId": objective, "metricId": metric, "scoringType": "GOAL_RED_FLAG",
                "thresholds": [{ "goal": "100", "redFlag": "50" }] }),
        "{ measure { id } }",
    )
    .await
    .data();
    if !values.is_empty() {
        record_values(app, admin, &metric, values).await;
    }
    metric
}
