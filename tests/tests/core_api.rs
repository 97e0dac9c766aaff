//! The domain core over HTTP: org tree, people and reporting lines,
//! priorities, metrics and values, validation, versions, audit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{Value, json};
use throughline_tests::{Gql, TestApp, id_at, start};

async fn person(app: &TestApp, token: &str, name: &str, manager: Option<&str>) -> String {
    let response = app
        .gql(token, "mutation($n: String!, $m: ID) { createPerson(input: {name: $n, managerId: $m}) { person { id } } }", json!({ "n": name, "m": manager }))
        .await;
    id_at(response.data(), "createPerson.person.id")
}

fn names(list: &Value) -> Vec<String> {
    list["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn reporting_lines_are_queried_transitively_and_loops_are_refused() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let ceo = person(&app, &admin, "Cleo CEO", None).await;
    let vp = person(&app, &admin, "Victor VP", Some(&ceo)).await;
    let lead = person(&app, &admin, "Lena Lead", Some(&vp)).await;
    let dev = person(&app, &admin, "Dev Developer", Some(&lead)).await;
    let other = person(&app, &admin, "Olga Other", Some(&ceo)).await;

    let line = app
        .gql(&admin, "query($id: ID!) { person(id: $id) { directReportCount directReports { totalCount } reportingLine { totalCount edges { node { name } } } } }", json!({ "id": ceo }))
        .await;
    let ceo_view = &line.data()["person"];
    assert_eq!(ceo_view["directReportCount"], 2);
    assert_eq!(ceo_view["directReports"]["totalCount"], 2);
    assert_eq!(ceo_view["reportingLine"]["totalCount"], 4);
    assert_eq!(
        names(&ceo_view["reportingLine"]),
        ["Dev Developer", "Lena Lead", "Olga Other", "Victor VP"]
    );

    let chain = app
        .gql(
            &admin,
            "query($id: ID!) { person(id: $id) { managerChain { name } } }",
            json!({ "id": dev }),
        )
        .await;
    assert_eq!(
        chain.data()["person"]["managerChain"],
        json!([{ "name": "Lena Lead" }, { "name": "Victor VP" }, { "name": "Cleo CEO" }])
    );

    // The CEO cannot report to someone in their own line, nor to themselves.
    for (manager, why) in [
        (&dev, "indirect report"),
        (&vp, "direct report"),
        (&ceo, "self"),
    ] {
        let refused = app
            .gql(&admin, "mutation($id: ID!, $m: ID!) { updatePerson(input: {id: $id, version: 1, managerId: $m}) { person { id } } }", json!({ "id": ceo, "m": manager }))
            .await;
        assert_eq!(
            (refused.code(), refused.field()),
            ("VALIDATION", "input.managerId"),
            "{why}"
        );
    }
    // Moving a branch elsewhere is fine.
    let moved = app
        .gql(&admin, "mutation($id: ID!, $m: ID!) { updatePerson(input: {id: $id, version: 1, managerId: $m}) { person { manager { name } version } } }", json!({ "id": lead, "m": other }))
        .await;
    assert_eq!(
        moved.data()["updatePerson"]["person"],
        json!({ "manager": { "name": "Olga Other" }, "version": 2 })
    );
}

#[tokio::test]
async fn org_units_form_a_tree_without_loops() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let create = |name: &'static str, parent: Option<String>| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let r = app
                .gql(&admin, "mutation($n: String!, $p: ID) { createOrgUnit(input: {name: $n, parentId: $p}) { orgUnit { id } } }", json!({ "n": name, "p": parent }))
                .await;
            id_at(r.data(), "createOrgUnit.orgUnit.id")
        }
    };
    let company = create("Company", None).await;
    let sales = create("Sales", Some(company.clone())).await;
    let emea = create("Sales EMEA", Some(sales.clone())).await;

    let tree = app.gql(&admin, "query($id: ID!) { orgUnit(id: $id) { name children { name children { name parent { name } } } } }", json!({ "id": company })).await;
    assert_eq!(
        tree.data()["orgUnit"],
        json!({ "name": "Company", "children": [{ "name": "Sales", "children": [{ "name": "Sales EMEA", "parent": { "name": "Sales" } }] }] })
    );
    let looped = app
        .gql(&admin, "mutation($id: ID!, $p: ID!) { updateOrgUnit(input: {id: $id, version: 1, parentId: $p}) { orgUnit { id } } }", json!({ "id": company, "p": emea }))
        .await;
    assert_eq!(
        (looped.code(), looped.field()),
        ("VALIDATION", "input.parentId")
    );
    let not_empty = app
        .gql(
            &admin,
            "mutation($id: ID!) { deleteOrgUnit(input: {id: $id}) { deletedId } }",
            json!({ "id": sales }),
        )
        .await;
    assert_eq!(not_empty.code(), "VALIDATION");
    let deleted = app
        .gql(
            &admin,
            "mutation($id: ID!) { deleteOrgUnit(input: {id: $id}) { deletedId } }",
            json!({ "id": emea }),
        )
        .await;
    assert_eq!(deleted.data()["deleteOrgUnit"]["deletedId"], json!(emea));
    let roots = app
        .gql(
            &admin,
            "{ orgUnits(filter: {rootsOnly: true}) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(names(&roots.data()["orgUnits"]), ["Company"]);
}

#[tokio::test]
async fn each_bad_input_names_its_field_and_writes_nothing() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    app.gql(&admin, r#"mutation { createPerson(input: {name: "Ada", email: "ada@acme.example", externalId: "E1"}) { person { id } } }"#, json!({}))
        .await
        .data();
    let cases: &[(&str, &str)] = &[
        (
            r#"mutation { createPerson(input: {name: "  "}) { person { id } } }"#,
            "input.name",
        ),
        (
            r#"mutation { createPerson(input: {name: "Bo", email: "not-an-email"}) { person { id } } }"#,
            "input.email",
        ),
        (
            r#"mutation { createPerson(input: {name: "Bo", email: "ADA@acme.example"}) { person { id } } }"#,
            "input.email",
        ),
        (
            r#"mutation { createPerson(input: {name: "Bo", externalId: "E1"}) { person { id } } }"#,
            "input.externalId",
        ),
        (
            r#"mutation { createPerson(input: {name: "Bo", managerId: "bm90LWFuLWlk"}) { person { id } } }"#,
            "input.managerId",
        ),
        (
            r#"mutation { createOrgUnit(input: {name: ""}) { orgUnit { id } } }"#,
            "input.name",
        ),
        (
            r#"mutation { updateTenant(input: {version: 1, fiscalYearStartMonth: 13}) { tenant { slug } } }"#,
            "input.fiscalYearStartMonth",
        ),
        (
            r#"mutation { updateTenant(input: {version: 1, timeZone: "Mars"}) { tenant { slug } } }"#,
            "input.timeZone",
        ),
        (
            r#"mutation { updateTenant(input: {version: 1, priorityLimit: 0}) { tenant { slug } } }"#,
            "input.priorityLimit",
        ),
        (
            r#"{ scoreTarget(target: {kind: INCREASE_TO, start: "10", target: "5"}, current: "7") { score { progress } } }"#,
            "target.target",
        ),
        (
            r#"{ periods(kind: MONTH, from: "2026-05-01", to: "2026-01-01") { label } }"#,
            "to",
        ),
        (r#"{ people(after: "garbage") { totalCount } }"#, "after"),
    ];
    for (query, field) in cases {
        let response = app.gql(&admin, query, json!({})).await;
        assert_eq!(
            (response.code(), response.field()),
            ("VALIDATION", *field),
            "{query}: {:?}",
            response.body
        );
    }
    let people = app
        .gql(&admin, "{ people { totalCount } }", json!({}))
        .await;
    assert_eq!(
        people.data()["people"]["totalCount"],
        1,
        "no refused input was written"
    );

    let ends_early = app
        .gql(&admin, r#"mutation { createPerson(input: {name: "Cy", startDate: "2026-05-01"}) { person { id } } }"#, json!({}))
        .await;
    let id = id_at(ends_early.data(), "createPerson.person.id");
    let refused = app
        .gql(&admin, r#"mutation($id: ID!) { updatePerson(input: {id: $id, version: 1, endDate: "2026-04-01", name: "Changed"}) { person { id } } }"#, json!({ "id": id }))
        .await;
    assert_eq!(
        (refused.code(), refused.field()),
        ("VALIDATION", "input.endDate")
    );
    let unchanged = app
        .gql(
            &admin,
            "query($id: ID!) { person(id: $id) { name version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        unchanged.data()["person"],
        json!({ "name": "Cy", "version": 1 })
    );
}

#[tokio::test]
async fn a_stale_version_conflicts() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let id = person(&app, &admin, "Ada", None).await;
    let update = "mutation($id: ID!, $v: Int!, $t: String!) { updatePerson(input: {id: $id, version: $v, title: $t}) { person { title version } } }";
    let first = app
        .gql(&admin, update, json!({ "id": id, "v": 1, "t": "Engineer" }))
        .await;
    assert_eq!(
        first.data()["updatePerson"]["person"],
        json!({ "title": "Engineer", "version": 2 })
    );
    let stale = app
        .gql(&admin, update, json!({ "id": id, "v": 1, "t": "Manager" }))
        .await;
    assert_eq!(stale.code(), "CONFLICT");
    let current = app
        .gql(
            &admin,
            "query($id: ID!) { person(id: $id) { title } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(current.data()["person"]["title"], "Engineer");
}

#[tokio::test]
async fn strategic_priorities_are_few_and_ordered() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let create = "mutation($t: String!) { createStrategicPriority(input: {title: $t}) { strategicPriority { id position } } }";
    let mut ids = Vec::new();
    for title in ["One", "Two", "Three", "Four", "Five"] {
        ids.push(id_at(
            app.gql(&admin, create, json!({ "t": title })).await.data(),
            "createStrategicPriority.strategicPriority.id",
        ));
    }
    let sixth = app.gql(&admin, create, json!({ "t": "Six" })).await;
    assert_eq!(sixth.code(), "VALIDATION");
    assert!(sixth.message().contains("limit"), "{}", sixth.message());

    let moved = app
        .gql(&admin, "mutation($id: ID!) { updateStrategicPriority(input: {id: $id, version: 1, position: 1}) { strategicPriority { position } } }", json!({ "id": ids[4] }))
        .await;
    assert_eq!(
        moved.data()["updateStrategicPriority"]["strategicPriority"]["position"],
        1
    );
    app.gql(
        &admin,
        "mutation($id: ID!) { deleteStrategicPriority(input: {id: $id}) { deletedId } }",
        json!({ "id": ids[1] }),
    )
    .await
    .data();
    let order = app
        .gql(
            &admin,
            "{ strategicPriorities { title position } }",
            json!({}),
        )
        .await;
    assert_eq!(
        order.data()["strategicPriorities"],
        json!([{ "title": "Five", "position": 1 }, { "title": "One", "position": 2 }, { "title": "Three", "position": 3 }, { "title": "Four", "position": 4 }])
    );
    // Raising the limit allows a sixth (after the deletion, a fifth fits anyway).
    let tenant = app
        .gql(&admin, "{ viewer { tenant { version } } }", json!({}))
        .await;
    let version = tenant.data()["viewer"]["tenant"]["version"].clone();
    app.gql(&admin, "mutation($v: Int!) { updateTenant(input: {version: $v, priorityLimit: 6}) { tenant { priorityLimit } } }", json!({ "v": version }))
        .await
        .data();
    app.gql(&admin, create, json!({ "t": "Again" }))
        .await
        .data();
    app.gql(&admin, create, json!({ "t": "Six" })).await.data();
}

async fn metric(app: &TestApp, token: &str, name: &str, kind: &str) -> String {
    let response = app
        .gql(token, "mutation($n: String!, $k: IndicatorKind!) { createMetric(input: {name: $n, unit: \"EUR\", direction: HIGHER_IS_BETTER, indicatorKind: $k, frequency: MONTHLY, aggregation: SUM}) { metric { id } } }", json!({ "n": name, "k": kind }))
        .await;
    id_at(response.data(), "createMetric.metric.id")
}

const RECORD: &str = "mutation($m: ID!, $v: [MetricValueInput!]!) { recordMetricValues(input: {metricId: $m, values: $v}) { values { periodStart value period { label } } } }";

#[tokio::test]
async fn metric_values_are_recorded_all_or_nothing_and_replacements_are_audited() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let arr = metric(&app, &admin, "ARR", "LAGGING").await;
    let pipeline = metric(&app, &admin, "Pipeline", "LEADING").await;

    let linked = app
        .gql(&admin, "mutation($l: ID!, $g: ID!) { linkMetrics(input: {leadingMetricId: $l, laggingMetricId: $g}) { leading { drives { name } } lagging { drivenBy { name } } } }", json!({ "l": pipeline, "g": arr }))
        .await;
    assert_eq!(
        linked.data()["linkMetrics"],
        json!({ "leading": { "drives": [{ "name": "ARR" }] }, "lagging": { "drivenBy": [{ "name": "Pipeline" }] } })
    );
    let backwards = app
        .gql(&admin, "mutation($l: ID!, $g: ID!) { linkMetrics(input: {leadingMetricId: $l, laggingMetricId: $g}) { leading { id } } }", json!({ "l": arr, "g": pipeline }))
        .await;
    assert_eq!(
        (backwards.code(), backwards.field()),
        ("VALIDATION", "input.leadingMetricId")
    );

    let refused = app
        .gql(&admin, RECORD, json!({ "m": arr, "v": [{ "period": "2026-01-01", "value": "100" }, { "period": "2026-02-15", "value": "110" }] }))
        .await;
    assert_eq!(
        (refused.code(), refused.field()),
        ("VALIDATION", "input.values[1].period")
    );
    assert!(
        refused.message().contains("2026-02-01"),
        "{}",
        refused.message()
    );
    let duplicate = app
        .gql(&admin, RECORD, json!({ "m": arr, "v": [{ "period": "2026-01-01", "value": "1" }, { "period": "2026-01-01", "value": "2" }] }))
        .await;
    assert_eq!(duplicate.field(), "input.values[1].period");
    let none = app
        .gql(
            &admin,
            "query($m: ID!) { metric(id: $m) { values { totalCount } } }",
            json!({ "m": arr }),
        )
        .await;
    assert_eq!(
        none.data()["metric"]["values"]["totalCount"],
        0,
        "a refused batch writes nothing"
    );

    let recorded = app
        .gql(&admin, RECORD, json!({ "m": arr, "v": [{ "period": "2026-01-01", "value": "100.10" }, { "period": "2026-02-01", "value": "0.1" }, { "period": "2026-03-01", "value": "123456789.123456" }] }))
        .await;
    assert_eq!(
        recorded.data()["recordMetricValues"]["values"],
        json!([
            { "periodStart": "2026-01-01", "value": "100.1", "period": { "label": "2026-01" } },
            { "periodStart": "2026-02-01", "value": "0.1", "period": { "label": "2026-02" } },
            { "periodStart": "2026-03-01", "value": "123456789.123456", "period": { "label": "2026-03" } }
        ])
    );
    app.gql(
        &admin,
        RECORD,
        json!({ "m": arr, "v": [{ "period": "2026-02-01", "value": "0.2" }] }),
    )
    .await
    .data();

    let series = app
        .gql(&admin, "query($m: ID!) { metric(id: $m) { latestValue { value } values(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { value } } } } }", json!({ "m": arr }))
        .await;
    let view = &series.data()["metric"];
    assert_eq!(view["latestValue"]["value"], "123456789.123456");
    assert_eq!(view["values"]["totalCount"], 3);
    assert_eq!(
        view["values"]["edges"],
        json!([{ "node": { "value": "100.1" } }, { "node": { "value": "0.2" } }])
    );
    let next = app
        .gql(&admin, "query($m: ID!, $c: String!) { metric(id: $m) { values(first: 2, after: $c) { pageInfo { hasNextPage hasPreviousPage } edges { node { periodStart } } } } }", json!({ "m": arr, "c": view["values"]["pageInfo"]["endCursor"] }))
        .await;
    assert_eq!(
        next.data()["metric"]["values"],
        json!({ "pageInfo": { "hasNextPage": false, "hasPreviousPage": true }, "edges": [{ "node": { "periodStart": "2026-03-01" } }] })
    );

    let audit = app
        .gql(&admin, "{ auditLog(filter: {action: \"metric_value.replaced\"}) { totalCount edges { node { before after actor { email } } } } }", json!({}))
        .await;
    let entries = &audit.data()["auditLog"];
    assert_eq!(entries["totalCount"], 1);
    let entry = &entries["edges"][0]["node"];
    assert_eq!(
        (
            entry["before"]["value"].as_str(),
            entry["after"]["value"].as_str()
        ),
        (Some("0.1"), Some("0.2"))
    );
    assert_eq!(entry["actor"]["email"], "admin@acme.example");
}

#[tokio::test]
async fn a_metric_owner_may_record_values_but_not_others() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let owner = app
        .gql(&admin, r#"mutation { createPerson(input: {name: "Olu Owner", email: "olu@acme.example"}) { person { id } } }"#, json!({}))
        .await;
    let owner_id = id_at(owner.data(), "createPerson.person.id");
    let created = app
        .gql(&admin, "mutation($o: ID!) { createMetric(input: {name: \"NPS\", direction: HIGHER_IS_BETTER, indicatorKind: LAGGING, frequency: QUARTERLY, aggregation: AVERAGE, ownerId: $o}) { metric { id } } }", json!({ "o": owner_id }))
        .await;
    let nps = id_at(created.data(), "createMetric.metric.id");
    let olu = app.token(
        "acme",
        "olu@acme.example",
        throughline_domain::enums::Role::Member,
    );
    let me = app
        .gql(&olu, "{ viewer { person { name } } }", json!({}))
        .await;
    assert_eq!(
        me.data()["viewer"]["person"]["name"],
        "Olu Owner",
        "the user is linked to the person by e-mail"
    );
    app.gql(
        &olu,
        RECORD,
        json!({ "m": nps, "v": [{ "period": "2026-04-01", "value": "41" }] }),
    )
    .await
    .data();
    let stranger = app.token(
        "acme",
        "sam@acme.example",
        throughline_domain::enums::Role::Member,
    );
    let refused: Gql = app
        .gql(
            &stranger,
            RECORD,
            json!({ "m": nps, "v": [{ "period": "2026-07-01", "value": "45" }] }),
        )
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
}

#[tokio::test]
async fn calendar_scoring_and_incremental_sync() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let tenant = app
        .gql(&admin, "{ viewer { tenant { version } } }", json!({}))
        .await;
    let version = tenant.data()["viewer"]["tenant"]["version"].clone();
    app.gql(&admin, "mutation($v: Int!) { updateTenant(input: {version: $v, fiscalYearStartMonth: 4}) { tenant { fiscalYearStartMonth } } }", json!({ "v": version }))
        .await
        .data();
    let quarters = app.gql(&admin, r#"{ periods(kind: QUARTER, from: "2026-03-15", to: "2026-07-01") { label start end fiscalYear } }"#, json!({})).await;
    assert_eq!(
        quarters.data()["periods"],
        json!([
            { "label": "FY2026 Q4", "start": "2026-01-01", "end": "2026-03-31", "fiscalYear": 2026 },
            { "label": "FY2027 Q1", "start": "2026-04-01", "end": "2026-06-30", "fiscalYear": 2027 },
            { "label": "FY2027 Q2", "start": "2026-07-01", "end": "2026-09-30", "fiscalYear": 2027 }
        ])
    );
    let score = app
        .gql(&admin, r#"{ scoreTarget(target: {kind: DECREASE_TO, start: "20", target: "5"}, current: "10") { score { progress explanation { formula text inputs { name value } } } } }"#, json!({}))
        .await;
    let explained = &score.data()["scoreTarget"]["score"];
    assert_eq!(explained["progress"], "0.6667");
    assert_eq!(
        explained["explanation"]["formula"],
        "clamp((current − start) / (target − start), 0, 1)"
    );
    assert_eq!(
        explained["explanation"]["inputs"][2],
        json!({ "name": "target", "value": "5" })
    );

    person(&app, &admin, "Early", None).await;
    let checkpoint = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    person(&app, &admin, "Late", None).await;
    let changed = app
        .gql(&admin, "query($since: DateTime!) { people(filter: {updatedSince: $since}) { edges { node { name } } } }", json!({ "since": checkpoint.to_rfc3339() }))
        .await;
    assert_eq!(names(&changed.data()["people"]), ["Late"]);

    // A metric's values too: those recorded or replaced since.
    let metric = id_at(
        app.gql(&admin, r#"mutation { createMetric(input: {name: "ARR", direction: HIGHER_IS_BETTER, indicatorKind: LAGGING, frequency: MONTHLY, aggregation: LAST}) { metric { id } } }"#, json!({}))
            .await
            .data(),
        "createMetric.metric.id",
    );
    let record = "mutation($m: ID!, $p: Date!) { recordMetricValues(input: {metricId: $m, values: [{period: $p, value: \"1\"}]}) { __typename } }";
    app.gql(&admin, record, json!({ "m": metric, "p": "2026-01-01" }))
        .await
        .data();
    let checkpoint = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    app.gql(&admin, record, json!({ "m": metric, "p": "2026-02-01" }))
        .await
        .data();
    let since = app
        .gql(&admin, "query($m: ID!, $since: DateTime!) { metric(id: $m) { values(updatedSince: $since) { nodes { periodStart } } } }", json!({ "m": metric, "since": checkpoint.to_rfc3339() }))
        .await;
    assert_eq!(
        since.data()["metric"]["values"]["nodes"],
        json!([{ "periodStart": "2026-02-01" }])
    );
}

#[tokio::test]
async fn connections_page_both_ways() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    for name in ["Eve", "Bob", "Dan", "Ann", "Cat"] {
        person(&app, &admin, name, None).await;
    }
    let query = "query($f: Int, $a: String, $l: Int, $b: String) { people(first: $f, after: $a, last: $l, before: $b) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { name } } } }";
    let page1 = app.gql(&admin, query, json!({ "f": 2 })).await;
    let p1 = &page1.data()["people"];
    assert_eq!(
        (names(p1), p1["totalCount"].clone()),
        (vec!["Ann".to_string(), "Bob".to_string()], json!(5))
    );
    assert_eq!(p1["pageInfo"]["hasNextPage"], true);
    let page2 = app
        .gql(
            &admin,
            query,
            json!({ "f": 2, "a": p1["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(names(&page2.data()["people"]), ["Cat", "Dan"]);
    let last = app.gql(&admin, query, json!({ "l": 2 })).await;
    let tail = &last.data()["people"];
    assert_eq!(names(tail), ["Dan", "Eve"]);
    assert_eq!(tail["pageInfo"]["hasPreviousPage"], true);
    let before = app
        .gql(
            &admin,
            query,
            json!({ "l": 2, "b": tail["pageInfo"]["startCursor"] }),
        )
        .await;
    assert_eq!(names(&before.data()["people"]), ["Bob", "Cat"]);
    let both = app.gql(&admin, query, json!({ "f": 1, "l": 1 })).await;
    assert_eq!(both.code(), "VALIDATION");
}

#[tokio::test]
async fn deactivation_is_an_audited_event() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let id = person(&app, &admin, "Leaving Lee", None).await;
    app.gql(&admin, "mutation($id: ID!) { updatePerson(input: {id: $id, version: 1, status: INACTIVE, endDate: \"2026-11-30\"}) { person { status } } }", json!({ "id": id }))
        .await
        .data();
    let audit = app
        .gql(&admin, "query($id: ID!) { auditLog(filter: {entityId: $id}) { edges { node { action entityId before after } } } }", json!({ "id": id }))
        .await;
    let edges = audit.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let actions: Vec<&str> = edges
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["person.created", "person.deactivated"]);
    assert_eq!(edges[1]["node"]["entityId"], json!(id));
    assert_eq!(
        (
            edges[1]["node"]["before"]["status"].as_str(),
            edges[1]["node"]["after"]["status"].as_str()
        ),
        (Some("ACTIVE"), Some("INACTIVE"))
    );
    let member = app.token(
        "acme",
        "m@acme.example",
        throughline_domain::enums::Role::Member,
    );
    assert_eq!(
        app.gql(&member, "{ auditLog { totalCount } }", json!({}))
            .await
            .code(),
        "FORBIDDEN"
    );
}

/// Loaders cache per request; a write in the request makes them start
/// afresh, so a later mutation's payload shows what an earlier one changed.
#[tokio::test]
async fn a_mutation_payload_shows_what_an_earlier_mutation_of_the_request_wrote() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let boss = app
        .gql(
            &admin,
            r#"mutation { createPerson(input: {name: "Bea Boss"}) { person { id } } }"#,
            json!({}),
        )
        .await;
    let boss = id_at(boss.data(), "createPerson.person.id");
    let report = app
        .gql(
            &admin,
            r#"mutation($m: ID!) { createPerson(input: {name: "Rob", managerId: $m}) { person { id } } }"#,
            json!({ "m": boss }),
        )
        .await;
    let report = id_at(report.data(), "createPerson.person.id");
    let chained = app
        .gql(
            &admin,
            r#"mutation($r: ID!, $b: ID!) {
                a: updatePerson(input: {id: $r, version: 1, title: "One"}) { person { manager { name } } }
                b: updatePerson(input: {id: $b, version: 1, name: "Bea Renamed"}) { person { name } }
                c: updatePerson(input: {id: $r, version: 2, title: "Two"}) { person { manager { name } } }
            }"#,
            json!({ "r": report, "b": boss }),
        )
        .await;
    let data = chained.data();
    assert_eq!(data["a"]["person"]["manager"]["name"], "Bea Boss");
    assert_eq!(data["c"]["person"]["manager"]["name"], "Bea Renamed");
}
