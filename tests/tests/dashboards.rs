//! Dashboards over HTTP: the key-metric limit and its setting, the warnings
//! about balance, each key metric's status, changes, trend, lateness and
//! leading metrics for a period, who reads and changes which dashboard, two
//! tenants, and a constant number of statements however many key metrics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{Value, json};
use throughline_domain::enums::Role;
use throughline_tests::metrics::{create_metric, record_values};
use throughline_tests::{Gql, TestApp, id_at, start};

const CREATE: &str = r#"
mutation($input: CreateDashboardInput!) {
  createDashboard(input: $input) {
    dashboard { id title version }
    warnings { code message priority { title } }
  }
}"#;

const UPDATE: &str = r#"
mutation($input: UpdateDashboardInput!) {
  updateDashboard(input: $input) { dashboard { version title } warnings { code } }
}"#;

const KEY_METRICS: &str = r#"
query($id: ID!, $period: Date, $n: Int) {
  node(id: $id) { ... on Dashboard {
    title
    keyMetrics(period: $period, trendPeriods: $n) {
      position
      metric { name }
      priority { title }
      status { status value goal period { label } }
      previous { value period { label } }
      samePeriodLastYear { value period { label } }
      changeFromPrevious
      changeFromLastYear
      trend { period { label } value }
      late
      leadingMetrics { metric { name } status { status value } }
    }
  } }
}"#;

async fn metric(app: &TestApp, admin: &str, name: &str, kind: &str) -> String {
    create_metric(app, admin, name, json!({ "indicatorKind": kind })).await
}

async fn create(app: &TestApp, token: &str, input: Value) -> Gql {
    app.gql(token, CREATE, json!({ "input": input })).await
}

fn keys(metrics: &[String]) -> Value {
    metrics.iter().map(|id| json!({ "metricId": id })).collect()
}

#[tokio::test]
async fn a_dashboard_holds_a_few_key_metrics_and_says_what_it_lacks() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let mut metrics = Vec::new();
    for i in 0..8 {
        metrics.push(metric(&app, &admin, &format!("Outcome {i}"), "LAGGING").await);
    }
    let too_many = create(
        &app,
        &admin,
        json!({ "title": "Company", "keyMetrics": keys(&metrics) }),
    )
    .await;
    assert_eq!(too_many.code(), "VALIDATION");
    assert_eq!(too_many.field(), "input.keyMetrics");
    assert!(
        too_many.message().contains("at most 7"),
        "{}",
        too_many.message()
    );
    let twice = create(
        &app,
        &admin,
        json!({ "title": "Company", "keyMetrics": keys(&[metrics[0].clone(), metrics[0].clone()]) }),
    )
    .await;
    assert_eq!(twice.field(), "input.keyMetrics[1].metricId");
    let listed = app
        .gql(&admin, "{ dashboards { totalCount } }", json!({}))
        .await;
    assert_eq!(
        listed.data()["dashboards"]["totalCount"],
        0,
        "nothing written"
    );

    // Only lagging metrics, and a priority nobody measures: warnings.
    let priority = app
        .gql(&admin, r#"mutation { createStrategicPriority(input: {title: "Grow"}) { strategicPriority { id } } }"#, json!({}))
        .await;
    let priority = id_at(
        priority.data(),
        "createStrategicPriority.strategicPriority.id",
    );
    let created = create(
        &app,
        &admin,
        json!({ "title": "Company", "keyMetrics": keys(&metrics[..3]) }),
    )
    .await;
    let payload = &created.data()["createDashboard"];
    let codes: Vec<&str> = payload["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["ONLY_LAGGING_METRICS", "PRIORITY_WITHOUT_KEY_METRIC"]
    );
    assert_eq!(payload["warnings"][1]["priority"]["title"], "Grow");
    let id = payload["dashboard"]["id"].as_str().unwrap().to_string();

    // A leading metric serving the priority clears both.
    let leading = metric(&app, &admin, "Demos", "LEADING").await;
    let mut list: Vec<Value> = keys(&metrics[..3]).as_array().unwrap().clone();
    list.push(json!({ "metricId": leading, "priorityId": priority }));
    let updated = app
        .gql(
            &admin,
            UPDATE,
            json!({ "input": { "id": id, "version": 1, "keyMetrics": list } }),
        )
        .await;
    assert_eq!(
        updated.data()["updateDashboard"],
        json!({ "dashboard": { "version": 2, "title": "Company" }, "warnings": [] })
    );
    // The same list again changes nothing.
    let same = app
        .gql(
            &admin,
            UPDATE,
            json!({ "input": { "id": id, "version": 2, "keyMetrics": list } }),
        )
        .await;
    assert_eq!(same.data()["updateDashboard"]["dashboard"]["version"], 2);

    // The limit is a tenant setting between 3 and 12.
    let version = app
        .gql(
            &admin,
            "{ viewer { tenant { version keyMetricLimit } } }",
            json!({}),
        )
        .await
        .data()["viewer"]["tenant"]
        .clone();
    assert_eq!(version["keyMetricLimit"], 7);
    for bad in [2, 13] {
        let refused = app
            .gql(&admin, "mutation($v: Int!, $l: Int!) { updateTenant(input: {version: $v, keyMetricLimit: $l}) { tenant { keyMetricLimit } } }", json!({ "v": version["version"], "l": bad }))
            .await;
        assert_eq!(refused.field(), "input.keyMetricLimit");
    }
    app.gql(&admin, "mutation($v: Int!) { updateTenant(input: {version: $v, keyMetricLimit: 3}) { tenant { keyMetricLimit } } }", json!({ "v": version["version"] }))
        .await
        .data();
    let over = app
        .gql(
            &admin,
            UPDATE,
            json!({ "input": { "id": id, "version": 2, "keyMetrics": list } }),
        )
        .await;
    assert_eq!(over.field(), "input.keyMetrics");
    assert!(over.message().contains("at most 3"), "{}", over.message());
}

#[tokio::test]
async fn each_key_metric_shows_its_period_against_the_last_and_last_year() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let revenue = metric(&app, &admin, "Revenue", "LAGGING").await;
    let demos = metric(&app, &admin, "Demos", "LEADING").await;
    app.gql(
        &admin,
        "mutation($l: ID!, $g: ID!) { linkMetrics(input: {leadingMetricId: $l, laggingMetricId: $g}) { lagging { name } } }",
        json!({ "l": demos, "g": revenue }),
    )
    .await
    .data();
    for (metric, goal) in [(&revenue, "100"), (&demos, "20")] {
        app.gql(
            &admin,
            "mutation($m: ID!, $g: Decimal!) { setMetricTarget(input: {metricId: $m, validFrom: \"2025-01-01\", target: {kind: STAY_AT_OR_ABOVE, target: $g}}) { __typename } }",
            json!({ "m": metric, "g": goal }),
        )
        .await
        .data();
    }
    // Relative to today, so the test holds in any month.
    let last_month = {
        use chrono::Datelike;
        let first = chrono::Utc::now().date_naive().with_day(1).unwrap();
        first
            .checked_sub_months(chrono::Months::new(1))
            .unwrap()
            .to_string()
    };
    record_values(
        &app,
        &admin,
        &revenue,
        &[
            ("2025-05-01", "80"),
            ("2026-02-01", "90"),
            ("2026-04-01", "95"),
            ("2026-05-01", "120"),
            (&last_month, "130"),
        ],
    )
    .await;
    record_values(&app, &admin, &demos, &[("2026-05-01", "15")]).await;
    let dashboard = create(
        &app,
        &admin,
        json!({ "title": "Company", "keyMetrics": keys(&[revenue.clone(), demos.clone()]) }),
    )
    .await;
    let id = id_at(dashboard.data(), "createDashboard.dashboard.id");
    let shown = app
        .gql(
            &admin,
            KEY_METRICS,
            json!({ "id": id, "period": "2026-05-20", "n": 4 }),
        )
        .await;
    let revenue_row = &shown.data()["node"]["keyMetrics"][0];
    assert_eq!(revenue_row["position"], 0);
    assert_eq!(
        revenue_row["status"],
        json!({ "status": "ON_TARGET", "value": "120", "goal": "100", "period": { "label": "2026-05" } })
    );
    assert_eq!(
        revenue_row["previous"],
        json!({ "value": "95", "period": { "label": "2026-04" } })
    );
    assert_eq!(
        revenue_row["samePeriodLastYear"],
        json!({ "value": "80", "period": { "label": "2025-05" } })
    );
    assert_eq!(revenue_row["changeFromPrevious"], "25");
    assert_eq!(revenue_row["changeFromLastYear"], "40");
    assert_eq!(
        revenue_row["trend"],
        json!([
            { "period": { "label": "2026-02" }, "value": "90" },
            { "period": { "label": "2026-03" }, "value": null },
            { "period": { "label": "2026-04" }, "value": "95" },
            { "period": { "label": "2026-05" }, "value": "120" },
        ])
    );
    // The last closed month has its value: not late.
    assert_eq!(revenue_row["late"], false);
    assert_eq!(
        revenue_row["leadingMetrics"],
        json!([{ "metric": { "name": "Demos" }, "status": { "status": "OFF_TARGET", "value": "15" } }])
    );
    let demos_row = &shown.data()["node"]["keyMetrics"][1];
    assert_eq!(
        demos_row["late"], true,
        "no value for the last closed month"
    );
    assert_eq!(demos_row["changeFromPrevious"], Value::Null);
    assert_eq!(demos_row["leadingMetrics"], json!([]));

    let bad = app
        .gql(&admin, KEY_METRICS, json!({ "id": id, "n": 37 }))
        .await;
    assert_eq!(bad.field(), "trendPeriods");
    // The calendar's first month has nothing before it to compare with.
    let first = app
        .gql(
            &admin,
            KEY_METRICS,
            json!({ "id": id, "period": "1900-01-15", "n": 3 }),
        )
        .await;
    let first_row = &first.data()["node"]["keyMetrics"][0];
    assert_eq!(first_row["previous"], Value::Null);
    assert_eq!(first_row["samePeriodLastYear"], Value::Null);
    assert_eq!(first_row["status"]["status"], "NOT_SET");
}

#[tokio::test]
async fn people_read_their_units_dashboards_and_owners_change_theirs() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    app.tenant("globex", &[]).await;
    let admin = app.admin("acme");
    let unit = |name: &'static str, parent: Option<String>| {
        let (app, admin) = (&app, &admin);
        async move {
            let created = app
                .gql(admin, "mutation($input: CreateOrgUnitInput!) { createOrgUnit(input: $input) { orgUnit { id } } }", json!({ "input": { "name": name, "parentId": parent } }))
                .await;
            id_at(created.data(), "createOrgUnit.orgUnit.id")
        }
    };
    let sales = unit("Sales", None).await;
    let emea = unit("EMEA", Some(sales.clone())).await;
    let engineering = unit("Engineering", None).await;
    let ann = app
        .gql(&admin, "mutation($u: ID!) { createPerson(input: {name: \"Ann\", email: \"ann@acme.example\", orgUnitId: $u}) { person { id } } }", json!({ "u": emea }))
        .await;
    let ann_id = id_at(ann.data(), "createPerson.person.id");
    let mut ids = Vec::new();
    for (title, unit, owner) in [
        ("Company", None, None),
        ("Sales", Some(sales.clone()), None),
        ("EMEA", Some(emea.clone()), Some(ann_id.clone())),
        ("Engineering", Some(engineering.clone()), None),
    ] {
        let created = create(
            &app,
            &admin,
            json!({ "title": title, "orgUnitId": unit, "ownerId": owner }),
        )
        .await;
        ids.push(id_at(created.data(), "createDashboard.dashboard.id"));
    }
    let titles = |token: String| {
        let app = &app;
        async move {
            let listed = app
                .gql(
                    &token,
                    "{ dashboards { totalCount nodes { title } } }",
                    json!({}),
                )
                .await;
            let data = listed.data()["dashboards"].clone();
            let names: Vec<String> = data["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["title"].as_str().unwrap().to_string())
                .collect();
            (data["totalCount"].as_i64().unwrap(), names)
        }
    };
    let ann_token = app.token("acme", "ann@acme.example", Role::Member);
    // Ann (EMEA, under Sales): the company's, Sales', EMEA's; not Engineering's.
    assert_eq!(
        titles(ann_token.clone()).await,
        (3, vec!["Company".into(), "EMEA".into(), "Sales".into()])
    );
    let hidden = app
        .gql(
            &ann_token,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": ids[3] }),
        )
        .await;
    assert_eq!(hidden.data()["node"], Value::Null);
    // Someone in no unit reads the company's only; integrators read all.
    let bob = app.token("acme", "bob@acme.example", Role::Member);
    assert_eq!(titles(bob.clone()).await, (1, vec!["Company".into()]));
    let integrator = app.token("acme", "hris@acme.example", Role::Integrator);
    assert_eq!(titles(integrator.clone()).await.0, 4);

    // Ann owns EMEA's: she changes it, not the others.
    let renamed = app
        .gql(
            &ann_token,
            UPDATE,
            json!({ "input": { "id": ids[2], "version": 1, "title": "EMEA weekly" } }),
        )
        .await;
    assert_eq!(
        renamed.data()["updateDashboard"]["dashboard"]["title"],
        "EMEA weekly"
    );
    for token in [&ann_token, &bob, &integrator] {
        let refused = app
            .gql(
                token,
                UPDATE,
                json!({ "input": { "id": ids[1], "version": 1, "title": "Mine" } }),
            )
            .await;
        assert_eq!(refused.code(), "FORBIDDEN", "{:?}", refused.body);
        let refused = create(&app, token, json!({ "title": "Mine" })).await;
        assert_eq!(refused.code(), "FORBIDDEN");
    }

    // The other tenant sees nothing of it.
    let globex = app.admin("globex");
    assert_eq!(titles(globex.clone()).await, (0, vec![]));
    let foreign = app
        .gql(
            &globex,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": ids[0] }),
        )
        .await;
    assert_eq!(foreign.data()["node"], Value::Null);
    let foreign_update = app
        .gql(
            &globex,
            UPDATE,
            json!({ "input": { "id": ids[0], "version": 1, "title": "Ours" } }),
        )
        .await;
    assert_eq!(foreign_update.code(), "NOT_FOUND");
    // A unit with a dashboard is not deleted with it in passing.
    let kept = app
        .gql(
            &admin,
            "mutation($id: ID!) { deleteOrgUnit(input: {id: $id}) { deletedId } }",
            json!({ "id": engineering }),
        )
        .await;
    assert_eq!(kept.code(), "VALIDATION", "{:?}", kept.body);

    // Deleting is audited and in the feed.
    let deleted = app
        .gql(
            &admin,
            "mutation($id: ID!) { deleteDashboard(input: {id: $id, version: 1}) { deletedId } }",
            json!({ "id": ids[3] }),
        )
        .await;
    assert_eq!(deleted.data()["deleteDashboard"]["deletedId"], ids[3]);
    app.settle().await;
    let feed = app
        .gql(
            &admin,
            "{ changes(types: [DASHBOARD]) { nodes { operation } } }",
            json!({}),
        )
        .await;
    let operations: Vec<&str> = feed.data()["changes"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["operation"].as_str().unwrap())
        .collect();
    assert_eq!(
        operations,
        [
            "CREATED", "CREATED", "CREATED", "CREATED", "UPDATED", "DELETED"
        ]
    );
}

#[tokio::test]
async fn a_dashboard_costs_the_same_statements_with_3_key_metrics_as_with_7() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let driver = metric(&app, &admin, "Driver", "LEADING").await;
    let mut metrics = Vec::new();
    for i in 0..7 {
        let id = metric(&app, &admin, &format!("Outcome {i}"), "LAGGING").await;
        app.gql(
            &admin,
            "mutation($l: ID!, $g: ID!) { linkMetrics(input: {leadingMetricId: $l, laggingMetricId: $g}) { __typename } }",
            json!({ "l": driver, "g": id }),
        )
        .await
        .data();
        record_values(
            &app,
            &admin,
            &id,
            &[
                ("2026-04-01", "1"),
                ("2026-05-01", "2"),
                ("2025-05-01", "3"),
            ],
        )
        .await;
        metrics.push(id);
    }
    let mut counts = Vec::new();
    for size in [3, 7] {
        let created = create(
            &app,
            &admin,
            json!({ "title": format!("Board {size}"), "keyMetrics": keys(&metrics[..size]) }),
        )
        .await;
        let id = id_at(created.data(), "createDashboard.dashboard.id");
        let variables = json!({ "id": id, "period": "2026-05-01", "n": 6 });
        // Once, so the session the writes above dropped is open again.
        app.gql(&admin, KEY_METRICS, variables.clone()).await.data();
        let (answer, statements) = app
            .count_statements(app.gql(&admin, KEY_METRICS, variables))
            .await;
        let rows = answer.data()["node"]["keyMetrics"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(rows.len(), size);
        assert!(
            rows.iter().all(|row| row["changeFromLastYear"] == "-1"),
            "{rows:?}"
        );
        counts.push(statements);
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
    // The dashboard, its key metrics, their metrics, their targets, and
    // their values over everything shown (this period, the one before, last
    // year's, the trend, the last closed one) in one read; the leading
    // links, metrics, values and targets.
    assert!(counts[1] <= 9, "{counts:?}");
}

#[tokio::test]
async fn lists_and_nodes_of_dashboards_cost_the_same_statements_for_2_as_for_6() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let unit = app
        .gql(
            &admin,
            r#"mutation { createOrgUnit(input: {name: "Sales"}) { orgUnit { id } } }"#,
            json!({}),
        )
        .await;
    let unit = id_at(unit.data(), "createOrgUnit.orgUnit.id");
    app.gql(&admin, "mutation($u: ID!) { createPerson(input: {name: \"Ann\", email: \"ann@acme.example\", orgUnitId: $u}) { person { id } } }", json!({ "u": unit }))
        .await
        .data();
    app.gql(&admin, r#"mutation { createStrategicPriority(input: {title: "Grow"}) { strategicPriority { id } } }"#, json!({}))
        .await
        .data();
    // A member: which dashboards she reads takes statements of its own.
    let ann = app.token("acme", "ann@acme.example", Role::Member);
    let list = "{ dashboards(first: 50) { nodes { title warnings { code } } } }";
    let nodes =
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Dashboard { title warnings { code } } } }";
    let mut ids = Vec::new();
    let mut counts = Vec::new();
    for total in [2, 6] {
        while ids.len() < total {
            let created = create(
                &app,
                &admin,
                json!({ "title": format!("Board {}", ids.len()), "orgUnitId": if ids.len() % 2 == 0 { Value::Null } else { json!(unit) } }),
            )
            .await;
            ids.push(id_at(created.data(), "createDashboard.dashboard.id"));
        }
        // Once, so the session the writes above dropped is open again.
        app.gql(&ann, list, json!({})).await.data();
        let (listed, in_list) = app.count_statements(app.gql(&ann, list, json!({}))).await;
        assert_eq!(
            listed.data()["dashboards"]["nodes"]
                .as_array()
                .unwrap()
                .len(),
            total
        );
        let (found, in_nodes) = app
            .count_statements(app.gql(&ann, nodes, json!({ "ids": ids })))
            .await;
        let found = found.data()["nodes"].as_array().unwrap().clone();
        assert!(
            found.iter().all(|node| node["title"].is_string()),
            "{found:?}"
        );
        // The company boards miss the priority "Grow".
        assert_eq!(
            found[0]["warnings"],
            json!([{ "code": "PRIORITY_WITHOUT_KEY_METRIC" }])
        );
        counts.push((in_list, in_nodes));
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
}

#[tokio::test]
async fn two_updates_at_once_give_one_change_and_one_conflict() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let mut metrics = Vec::new();
    for i in 0..4 {
        metrics.push(metric(&app, &admin, &format!("Outcome {i}"), "LAGGING").await);
    }
    for round in 0..5 {
        let created = create(
            &app,
            &admin,
            json!({ "title": format!("Board {round}"), "keyMetrics": keys(&metrics[..1]) }),
        )
        .await;
        let id = id_at(created.data(), "createDashboard.dashboard.id");
        let update = |list: &[String]| {
            app.gql(
                &admin,
                UPDATE,
                json!({ "input": { "id": id, "version": 1, "keyMetrics": keys(list) } }),
            )
        };
        let (first, second) = tokio::join!(update(&metrics[1..3]), update(&metrics[2..4]));
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
            [None, Some("CONFLICT".to_string())],
            "round {round}: {:?} {:?}",
            first.body,
            second.body
        );
    }
}
