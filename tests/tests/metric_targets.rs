//! Targets of core metrics over HTTP: dated targets that replace each other,
//! per-unit targets, a metric's status in a period rolled up with its
//! aggregation and explained, the rules on bad targets, permissions, two
//! tenants, and a page of statuses in a constant number of statements.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{Value, json};
use throughline_domain::enums::Role;
use throughline_tests::metrics::{create_metric, record_values};
use throughline_tests::{Gql, TestApp, id_at, start};

const SET: &str = r#"
mutation($input: SetMetricTargetInput!) {
  setMetricTarget(input: $input) {
    metricTarget { id version validFrom validTo warningMargin target { kind target } }
    metric { targets { validFrom validTo target { target } } }
  }
}"#;

const STATUS: &str = r#"
query($id: ID!, $period: Date, $kind: PeriodKind, $unit: ID) {
  metric(id: $id) {
    status(period: $period, periodKind: $kind, orgUnitId: $unit) {
      status value valueCount goal warningLimit
      period { label }
      target { validFrom }
      explanation { formula text status inputs { name value } }
    }
  }
}"#;

async fn metric(
    app: &TestApp,
    admin: &str,
    name: &str,
    direction: &str,
    aggregation: &str,
) -> String {
    create_metric(
        app,
        admin,
        name,
        json!({ "direction": direction, "aggregation": aggregation }),
    )
    .await
}

async fn set(app: &TestApp, admin: &str, input: Value) -> Gql {
    app.gql(admin, SET, json!({ "input": input })).await
}

async fn status(app: &TestApp, token: &str, metric: &str, variables: Value) -> Value {
    let mut variables = variables;
    variables["id"] = json!(metric);
    let answer = app.gql(token, STATUS, variables).await;
    answer.data()["metric"]["status"].clone()
}

fn above(goal: &str) -> Value {
    json!({ "kind": "STAY_AT_OR_ABOVE", "target": goal })
}

#[tokio::test]
async fn a_metric_is_judged_against_the_target_in_force_in_each_period() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let customers = metric(&app, &admin, "New customers", "HIGHER_IS_BETTER", "SUM").await;
    let first = set(
        &app,
        &admin,
        json!({ "metricId": customers, "validFrom": "2026-01-01", "target": above("100"), "warningMargin": "10" }),
    )
    .await;
    assert_eq!(
        first.data()["setMetricTarget"]["metricTarget"]["validTo"],
        Value::Null
    );
    // From July the target is 150: the open one ends on June 30.
    let second = set(
        &app,
        &admin,
        json!({ "metricId": customers, "validFrom": "2026-07-01", "target": above("150") }),
    )
    .await;
    assert_eq!(
        second.data()["setMetricTarget"]["metric"]["targets"],
        json!([
            { "validFrom": "2026-01-01", "validTo": "2026-06-30", "target": { "target": "100" } },
            { "validFrom": "2026-07-01", "validTo": null, "target": { "target": "150" } },
        ])
    );
    record_values(
        &app,
        &admin,
        &customers,
        &[
            ("2026-01-01", "100"),
            ("2026-02-01", "95"),
            ("2026-03-01", "80"),
            ("2026-07-01", "149"),
        ],
    )
    .await;

    let january = status(&app, &admin, &customers, json!({ "period": "2026-01-15" })).await;
    assert_eq!(january["status"], "ON_TARGET");
    assert_eq!(january["value"], "100");
    assert_eq!(january["goal"], "100");
    assert_eq!(january["period"]["label"], "2026-01");
    assert_eq!(january["target"]["validFrom"], "2026-01-01");
    let february = status(&app, &admin, &customers, json!({ "period": "2026-02-01" })).await;
    assert_eq!(february["status"], "WARNING");
    assert_eq!(february["warningLimit"], "90");
    let march = status(&app, &admin, &customers, json!({ "period": "2026-03-31" })).await;
    assert_eq!(march["status"], "OFF_TARGET");
    assert!(
        march["explanation"]["text"]
            .as_str()
            .unwrap()
            .contains("80 is past the warning limit 90"),
        "{march}"
    );
    // A quarter of a SUM metric: three months' worth of goal and margin.
    let quarter = status(
        &app,
        &admin,
        &customers,
        json!({ "period": "2026-02-10", "kind": "QUARTER" }),
    )
    .await;
    assert_eq!(quarter["value"], "275");
    assert_eq!(quarter["valueCount"], 3);
    assert_eq!(quarter["goal"], "300");
    assert_eq!(quarter["status"], "WARNING", "{quarter}");
    // July has its own target, no margin: 149 is off target.
    let july = status(&app, &admin, &customers, json!({ "period": "2026-07-01" })).await;
    assert_eq!(july["goal"], "150");
    assert_eq!(july["status"], "OFF_TARGET");
    // No value yet, and no target then.
    let april = status(&app, &admin, &customers, json!({ "period": "2026-04-01" })).await;
    assert_eq!(april["status"], "NO_DATA");
    assert_eq!(april["value"], Value::Null);
    let before = status(&app, &admin, &customers, json!({ "period": "2025-12-01" })).await;
    assert_eq!(before["status"], "NOT_SET");

    // A monthly metric has no weekly status.
    let weekly = app
        .gql(&admin, STATUS, json!({ "id": customers, "kind": "WEEK" }))
        .await;
    assert_eq!(weekly.code(), "VALIDATION");
    assert_eq!(weekly.field(), "periodKind");

    // A member reads statuses too.
    let member = app.token("acme", "ann@acme.example", Role::Member);
    let seen = status(&app, &member, &customers, json!({ "period": "2026-01-01" })).await;
    assert_eq!(seen["status"], "ON_TARGET");
}

#[tokio::test]
async fn averages_latest_values_units_and_moving_goals() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let nps = metric(&app, &admin, "NPS", "HIGHER_IS_BETTER", "AVERAGE").await;
    let churn = metric(&app, &admin, "Churn", "LOWER_IS_BETTER", "LAST").await;
    let arr = metric(&app, &admin, "ARR", "HIGHER_IS_BETTER", "LAST").await;
    set(
        &app,
        &admin,
        json!({ "metricId": nps, "validFrom": "2026-01-01", "target": above("40") }),
    )
    .await
    .data();
    set(
        &app,
        &admin,
        json!({ "metricId": churn, "validFrom": "2026-01-01",
                "target": { "kind": "STAY_AT_OR_BELOW", "target": "2" }, "warningMargin": "0.5" }),
    )
    .await
    .data();
    // ARR grows from 10 to 22 over the year: by the end of March (89 of
    // 364 days gone, on a straight line) it should be about 12.93.
    set(
        &app,
        &admin,
        json!({ "metricId": arr, "validFrom": "2026-01-01", "validTo": "2026-12-31",
                "target": { "kind": "INCREASE_TO", "start": "10", "target": "22" } }),
    )
    .await
    .data();
    let series: [(&String, &[(&str, &str)]); 3] = [
        (
            &nps,
            &[
                ("2026-01-01", "30"),
                ("2026-02-01", "50"),
                ("2026-03-01", "46"),
            ],
        ),
        (&churn, &[("2026-01-01", "1"), ("2026-03-01", "2.4")]),
        (&arr, &[("2026-03-01", "12.9")]),
    ];
    for (metric, values) in series {
        record_values(&app, &admin, metric, values).await;
    }
    let quarter = json!({ "period": "2026-01-01", "kind": "QUARTER" });
    let nps_q1 = status(&app, &admin, &nps, quarter.clone()).await;
    assert_eq!(nps_q1["value"], "42");
    assert_eq!(nps_q1["goal"], "40", "an average keeps its goal");
    assert_eq!(nps_q1["status"], "ON_TARGET");
    let churn_q1 = status(&app, &admin, &churn, quarter.clone()).await;
    assert_eq!(churn_q1["value"], "2.4", "the latest value of the quarter");
    assert_eq!(churn_q1["status"], "WARNING");
    let arr_march = status(&app, &admin, &arr, json!({ "period": "2026-03-01" })).await;
    assert_eq!(
        arr_march["status"], "OFF_TARGET",
        "12.9 is short: {arr_march}"
    );
    let goal: f64 = arr_march["goal"].as_str().unwrap().parse().unwrap();
    assert!((12.9..13.0).contains(&goal), "{arr_march}");
    assert!(
        arr_march["explanation"]["text"]
            .as_str()
            .unwrap()
            .contains("on the line from 10 on 2026-01-01 to 22 on 2026-12-31"),
        "{arr_march}"
    );

    // A unit's own target; other units fall back to the metric's.
    let unit = id_at(
        app.gql(
            &admin,
            r#"mutation { createOrgUnit(input: {name: "EMEA"}) { orgUnit { id } } }"#,
            json!({}),
        )
        .await
        .data(),
        "createOrgUnit.orgUnit.id",
    );
    set(
        &app,
        &admin,
        json!({ "metricId": nps, "orgUnitId": unit, "validFrom": "2026-01-01", "target": above("45") }),
    )
    .await
    .data();
    let for_unit = status(
        &app,
        &admin,
        &nps,
        json!({ "period": "2026-01-01", "kind": "QUARTER", "unit": unit }),
    )
    .await;
    assert_eq!(for_unit["goal"], "45");
    assert_eq!(for_unit["status"], "OFF_TARGET");
    let listed = app
        .gql(
            &admin,
            "query($id: ID!, $unit: ID) { metric(id: $id) { all: targets { target { target } } unit: targets(orgUnitId: $unit) { target { target } orgUnit { name } } } }",
            json!({ "id": nps, "unit": unit }),
        )
        .await;
    // The unit's target is not dropped with the unit in passing.
    let integrator = app.token("acme", "hris@acme.example", Role::Integrator);
    let kept = app
        .gql(
            &integrator,
            "mutation($input: DeleteOrgUnitInput!) { deleteOrgUnit(input: $input) { deletedId } }",
            json!({ "input": { "id": unit } }),
        )
        .await;
    assert_eq!(kept.code(), "VALIDATION", "{:?}", kept.body);
    assert!(
        kept.message().contains("1 metric targets and 0 dashboards"),
        "{}",
        kept.message()
    );
    assert_eq!(
        listed.data()["metric"],
        json!({ "all": [{ "target": { "target": "40" } }],
                "unit": [{ "target": { "target": "45" }, "orgUnit": { "name": "EMEA" } }] })
    );
}

#[tokio::test]
async fn bad_targets_are_refused_with_their_field_and_nothing_is_written() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let customers = metric(&app, &admin, "New customers", "HIGHER_IS_BETTER", "SUM").await;
    set(
        &app,
        &admin,
        json!({ "metricId": customers, "validFrom": "2026-01-01", "validTo": "2026-06-30", "target": above("100") }),
    )
    .await
    .data();
    for (input, field) in [
        // Overlaps the closed January–June target.
        (
            json!({ "validFrom": "2026-03-01", "target": above("1") }),
            "input.validFrom",
        ),
        (
            json!({ "validFrom": "2025-03-01", "validTo": "2026-01-01", "target": above("1") }),
            "input.validFrom",
        ),
        // Says the opposite of the metric's direction.
        (
            json!({ "validFrom": "2027-01-01", "target": { "kind": "DECREASE_TO", "start": "5", "target": "1" } }),
            "input.target.kind",
        ),
        (
            json!({ "validFrom": "2027-01-01", "target": { "kind": "MILESTONE" } }),
            "input.target.kind",
        ),
        (
            json!({ "validFrom": "2027-01-01", "target": { "kind": "STAY_AT_OR_ABOVE" } }),
            "input.target.target",
        ),
        (
            json!({ "validFrom": "2027-01-01", "target": above("1"), "warningMargin": "-1" }),
            "input.warningMargin",
        ),
        (
            json!({ "validFrom": "2027-01-01", "target": above("10000000000000000") }),
            "input.target.target",
        ),
        (
            json!({ "validFrom": "2027-01-01", "validTo": "2026-12-31", "target": above("1") }),
            "input.validTo",
        ),
        (
            json!({ "validFrom": "2027-01-01", "target": { "kind": "STAY_AT_OR_ABOVE", "target": "1", "unit": "EUR" } }),
            "input.target.unit",
        ),
    ] {
        let mut input = input;
        input["metricId"] = json!(customers);
        let refused = set(&app, &admin, input.clone()).await;
        assert_eq!(refused.code(), "VALIDATION", "{input}: {:?}", refused.body);
        assert_eq!(refused.field(), field, "{input}: {:?}", refused.body);
    }
    let targets = app
        .gql(
            &admin,
            "query($id: ID!) { metric(id: $id) { targets { validFrom } } }",
            json!({ "id": customers }),
        )
        .await;
    assert_eq!(
        targets.data()["metric"]["targets"],
        json!([{ "validFrom": "2026-01-01" }])
    );

    // The direction cannot change under a target stated in it.
    let turned = app
        .gql(
            &admin,
            "mutation($input: UpdateMetricInput!) { updateMetric(input: $input) { metric { direction } } }",
            json!({ "input": { "id": customers, "version": 1, "direction": "LOWER_IS_BETTER" } }),
        )
        .await;
    assert_eq!(turned.code(), "VALIDATION");
    assert_eq!(turned.field(), "input.direction");

    // Only admins set targets.
    let manager = app.token("acme", "boss@acme.example", Role::Manager);
    let refused = set(
        &app,
        &manager,
        json!({ "metricId": customers, "validFrom": "2027-01-01", "target": above("1") }),
    )
    .await;
    assert_eq!(refused.code(), "FORBIDDEN");
}

#[tokio::test]
async fn targets_change_and_go_with_versions_and_stay_in_their_tenant() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    app.tenant("globex", &[]).await;
    let (acme, globex) = (app.admin("acme"), app.admin("globex"));
    let customers = metric(&app, &acme, "New customers", "HIGHER_IS_BETTER", "SUM").await;
    let globex_metric = metric(&app, &globex, "New customers", "HIGHER_IS_BETTER", "SUM").await;
    let set_target = set(
        &app,
        &acme,
        json!({ "metricId": customers, "validFrom": "2026-01-01", "target": above("100") }),
    )
    .await;
    let target = id_at(set_target.data(), "setMetricTarget.metricTarget.id");
    record_values(&app, &acme, &customers, &[("2026-05-01", "95")]).await;
    assert_eq!(
        status(&app, &acme, &customers, json!({ "period": "2026-05-01" })).await["status"],
        "OFF_TARGET"
    );

    const UPDATE: &str = "mutation($input: UpdateMetricTargetInput!) { updateMetricTarget(input: $input) { metricTarget { version warningMargin } } }";
    let updated = app
        .gql(
            &acme,
            UPDATE,
            json!({ "input": { "id": target, "version": 1, "warningMargin": "5" } }),
        )
        .await;
    assert_eq!(
        updated.data()["updateMetricTarget"]["metricTarget"],
        json!({ "version": 2, "warningMargin": "5" })
    );
    assert_eq!(
        status(&app, &acme, &customers, json!({ "period": "2026-05-01" })).await["status"],
        "WARNING"
    );
    let stale = app
        .gql(
            &acme,
            UPDATE,
            json!({ "input": { "id": target, "version": 1, "warningMargin": null } }),
        )
        .await;
    assert_eq!(stale.code(), "CONFLICT");
    // An update that changes nothing writes nothing.
    let same = app
        .gql(
            &acme,
            UPDATE,
            json!({ "input": { "id": target, "version": 2, "warningMargin": "5" } }),
        )
        .await;
    assert_eq!(
        same.data()["updateMetricTarget"]["metricTarget"]["version"],
        2
    );

    // The other tenant sees none of it and touches none of it.
    let node = app
        .gql(
            &globex,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": target }),
        )
        .await;
    assert_eq!(node.data()["node"], Value::Null);
    let foreign = set(
        &app,
        &globex,
        json!({ "metricId": customers, "validFrom": "2027-01-01", "target": above("1") }),
    )
    .await;
    assert_eq!(foreign.field(), "input.metricId", "{:?}", foreign.body);
    let foreign_update = app
        .gql(
            &globex,
            UPDATE,
            json!({ "input": { "id": target, "version": 2, "warningMargin": "1" } }),
        )
        .await;
    assert_eq!(
        foreign_update.code(),
        "NOT_FOUND",
        "{:?}",
        foreign_update.body
    );
    assert_eq!(
        status(
            &app,
            &globex,
            &globex_metric,
            json!({ "period": "2026-05-01" })
        )
        .await["status"],
        "NOT_SET"
    );

    let deleted = app
        .gql(
            &acme,
            "mutation($input: DeleteMetricTargetInput!) { deleteMetricTarget(input: $input) { deletedId } }",
            json!({ "input": { "id": target, "version": 2 } }),
        )
        .await;
    assert_eq!(deleted.data()["deleteMetricTarget"]["deletedId"], target);
    assert_eq!(
        status(&app, &acme, &customers, json!({ "period": "2026-05-01" })).await["status"],
        "NOT_SET"
    );
    // Audited and in the change feed.
    app.settle().await;
    let feed = app
        .gql(
            &acme,
            "{ changes(types: [METRIC_TARGET]) { nodes { operation } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        feed.data()["changes"]["nodes"],
        json!([{ "operation": "CREATED" }, { "operation": "UPDATED" }, { "operation": "DELETED" }])
    );
}

#[tokio::test]
async fn a_page_of_statuses_costs_the_same_statements_for_3_metrics_as_for_30() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let query = r#"{ metrics(first: 100) { nodes { name status(period: "2026-05-01", periodKind: QUARTER) { status value target { validFrom } } } } }"#;
    let mut counts = Vec::new();
    for total in [3, 30] {
        let existing = app
            .gql(&admin, "{ metrics { totalCount } }", json!({}))
            .await
            .data()["metrics"]["totalCount"]
            .as_i64()
            .unwrap();
        for i in existing..total {
            let id = metric(
                &app,
                &admin,
                &format!("Metric {i:02}"),
                "HIGHER_IS_BETTER",
                "SUM",
            )
            .await;
            set(
                &app,
                &admin,
                json!({ "metricId": id, "validFrom": "2026-01-01", "target": above("10") }),
            )
            .await
            .data();
            record_values(
                &app,
                &admin,
                &id,
                &[("2026-04-01", "12"), ("2026-05-01", "3")],
            )
            .await;
        }
        // Once, so the session the writes above dropped is open again.
        app.gql(&admin, query, json!({})).await.data();
        let (answer, statements) = app
            .count_statements(app.gql(&admin, query, json!({})))
            .await;
        let nodes = answer.data()["metrics"]["nodes"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(nodes.len() as i64, total);
        assert!(
            nodes
                .iter()
                .all(|node| node["status"]["value"] == "15"
                    && node["status"]["status"] == "OFF_TARGET"),
            "{nodes:?}"
        );
        counts.push(statements);
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
    // The metrics, their values in the quarter, their targets.
    assert!(counts[1] <= 3, "{counts:?}");
}

#[tokio::test]
async fn targets_set_at_the_same_time_never_overlap() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let customers = metric(&app, &admin, "New customers", "HIGHER_IS_BETTER", "SUM").await;
    for round in 0..5 {
        let from = format!("20{:02}-01-01", 30 + round);
        let input = |goal: &str| json!({ "metricId": customers, "validFrom": from, "validTo": format!("20{:02}-12-31", 30 + round), "target": above(goal) });
        let (first, second) =
            tokio::join!(set(&app, &admin, input("1")), set(&app, &admin, input("2")));
        let mut codes: Vec<Option<String>> = [&first, &second]
            .iter()
            .map(|answer| {
                answer.body["errors"][0]["extensions"]["code"]
                    .as_str()
                    .map(str::to_string)
            })
            .collect();
        codes.sort();
        assert_eq!(
            codes,
            [None, Some("VALIDATION".to_string())],
            "round {round}: {:?} {:?}",
            first.body,
            second.body
        );
    }
    let targets = app
        .gql(
            &admin,
            "query($id: ID!) { metric(id: $id) { targets { validFrom } } }",
            json!({ "id": customers }),
        )
        .await;
    assert_eq!(
        targets.data()["metric"]["targets"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
}
