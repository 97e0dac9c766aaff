//! The exceptions feed over HTTP: the core's exceptions (key metrics off
//! target, in the warning band or late, a leading metric off target two
//! periods running, a priority nothing measures) and the OKR framework's
//! (key results behind or stale, objectives without a check-in), ordered
//! worst then oldest, filtered by severity, window and org-unit subtree;
//! privacy (a private objective's key result never reaches a peer);
//! acknowledgement and its return when worse; roles; two tenants; and a
//! constant number of statements however much is wrong.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::{Value, json};
use throughline_domain::enums::Role;
use throughline_tests::metrics::{create_metric, record_values};
use throughline_tests::okr::{CHECK_IN, key_result_since, objective, org, token};
use throughline_tests::{TestApp, id_at, start};

const FEED: &str = r#"
query($unit: ID, $least: ExceptionSeverity, $from: Date, $all: Boolean) {
  exceptions(orgUnitId: $unit, severityAtLeast: $least, window: {from: $from}, includeAcknowledged: $all) {
    totalCount
    edges { node {
      id kind framework severity title reason subjectType subjectId since ageDays acknowledged
      owner { name } orgUnit { name }
      explanation { text inputs { name value } }
      acknowledgement { note severity followUpOwner { name } acknowledgedBy { name } }
    } }
  }
}"#;

const ACKNOWLEDGE: &str = r#"
mutation($input: AcknowledgeExceptionInput!) {
  acknowledgeException(input: $input) {
    exception { kind severity acknowledged acknowledgement { note severity followUpOwner { name } } }
  }
}"#;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The first day of the month `back` months before this one.
fn month_start(back: u32) -> NaiveDate {
    let first = today().with_day(1).unwrap();
    first.checked_sub_months(chrono::Months::new(back)).unwrap()
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

async fn feed(app: &TestApp, token: &str, vars: Value) -> Vec<Value> {
    let answer = app.gql(token, FEED, vars).await;
    let conn = &answer.data()["exceptions"];
    let edges: Vec<Value> = conn["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(conn["totalCount"], edges.len(), "one page holds them all");
    edges
}

fn summary(items: &[Value]) -> Vec<(String, String, String)> {
    items
        .iter()
        .map(|i| {
            (
                i["severity"].as_str().unwrap().to_string(),
                i["kind"].as_str().unwrap().to_string(),
                i["title"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn triple(severity: &str, kind: &str, title: &str) -> (String, String, String) {
    (severity.into(), kind.into(), title.into())
}

async fn target(app: &TestApp, admin: &str, metric: &str, goal: &str, margin: Option<&str>) {
    app.gql(
        admin,
        "mutation($m: ID!, $g: Decimal!, $w: Decimal) { setMetricTarget(input: {metricId: $m, validFrom: \"2020-01-01\", warningMargin: $w, target: {kind: STAY_AT_OR_ABOVE, target: $g}}) { __typename } }",
        json!({ "m": metric, "g": goal, "w": margin }),
    )
    .await
    .data();
}

async fn dashboard(app: &TestApp, admin: &str, unit: Option<&str>, metrics: &[&String]) -> String {
    let keys: Vec<Value> = metrics.iter().map(|m| json!({ "metricId": m })).collect();
    let created = app
        .gql(
            admin,
            "mutation($input: CreateDashboardInput!) { createDashboard(input: $input) { dashboard { id } } }",
            json!({ "input": { "title": "Dashboard", "orgUnitId": unit, "keyMetrics": keys } }),
        )
        .await;
    id_at(created.data(), "createDashboard.dashboard.id")
}

async fn priority(app: &TestApp, admin: &str, title: &str) -> String {
    let created = app
        .gql(
            admin,
            "mutation($t: String!) { createStrategicPriority(input: {title: $t}) { strategicPriority { id } } }",
            json!({ "t": title }),
        )
        .await;
    id_at(
        created.data(),
        "createStrategicPriority.strategicPriority.id",
    )
}

/// acme's company dashboard: Revenue off target last month, Margin in its
/// warning band, Deployments late, and Demos (leading, not on the
/// dashboard) off target for two months beside Revenue; a priority no
/// metric serves and one a metric does.
async fn troubled_company(app: &TestApp, slug: &str) -> (String, String) {
    app.tenant(slug, &[]).await;
    let admin = app.admin(slug);
    let grow = priority(app, &admin, "Grow").await;
    priority(app, &admin, "Retain").await;
    let revenue = create_metric(app, &admin, "Revenue", json!({ "priorityId": grow })).await;
    let margin = create_metric(app, &admin, "Margin", json!({})).await;
    let deployments = create_metric(app, &admin, "Deployments", json!({})).await;
    let demos = create_metric(app, &admin, "Demos", json!({ "indicatorKind": "LEADING" })).await;
    app.gql(
        &admin,
        "mutation($l: ID!, $g: ID!) { linkMetrics(input: {leadingMetricId: $l, laggingMetricId: $g}) { lagging { name } } }",
        json!({ "l": demos, "g": revenue }),
    )
    .await
    .data();
    target(app, &admin, &revenue, "100", Some("5")).await;
    target(app, &admin, &margin, "100", Some("10")).await;
    target(app, &admin, &deployments, "10", None).await;
    target(app, &admin, &demos, "20", None).await;
    let (last, before) = (day(month_start(1)), day(month_start(2)));
    record_values(app, &admin, &revenue, &[(&last, "80")]).await;
    record_values(app, &admin, &margin, &[(&last, "95")]).await;
    record_values(app, &admin, &deployments, &[(&before, "12")]).await;
    record_values(app, &admin, &demos, &[(&before, "10"), (&last, "12")]).await;
    dashboard(app, &admin, None, &[&revenue, &margin, &deployments]).await;
    (admin, margin)
}

#[tokio::test]
async fn the_core_flags_key_metrics_leading_metrics_and_unmeasured_priorities() {
    let app = start().await;
    let (admin, _) = troubled_company(&app, "acme").await;
    let items = feed(&app, &admin, json!({})).await;
    assert_eq!(
        summary(&items),
        [
            triple("CRITICAL", "core.key_metric_off_target", "Revenue"),
            // Oldest first among warnings: Demos has been off since the
            // month before last closed.
            triple("WARNING", "core.leading_metric_off_target", "Demos"),
            triple("WARNING", "core.key_metric_late", "Deployments"),
            triple("WARNING", "core.key_metric_off_target", "Margin"),
            triple("INFO", "core.priority_without_metrics", "Retain"),
        ]
    );
    let revenue = &items[0];
    assert_eq!(revenue["framework"], "core");
    assert_eq!(revenue["subjectType"], "Metric");
    assert_eq!(revenue["since"], day(month_start(0)));
    assert_eq!(revenue["orgUnit"], Value::Null, "the company's");
    assert!(
        revenue["reason"].as_str().unwrap().contains("off target"),
        "{}",
        revenue["reason"]
    );
    assert!(
        revenue["explanation"]["text"]
            .as_str()
            .unwrap()
            .contains("80"),
        "{}",
        revenue["explanation"]
    );
    // The subject is a node like any other.
    let node = app
        .gql(
            &admin,
            "query($id: ID!) { node(id: $id) { ... on Metric { name } } }",
            json!({ "id": revenue["subjectId"] }),
        )
        .await;
    assert_eq!(node.data()["node"]["name"], "Revenue");
    let demos = &items[1];
    assert_eq!(demos["since"], day(month_start(1)));
    assert!(
        demos["reason"]
            .as_str()
            .unwrap()
            .contains("predicts Revenue"),
        "{}",
        demos["reason"]
    );

    // Severity and window narrow it.
    let critical = feed(&app, &admin, json!({ "least": "CRITICAL" })).await;
    assert_eq!(
        summary(&critical),
        [triple("CRITICAL", "core.key_metric_off_target", "Revenue")]
    );
    let warnings = feed(&app, &admin, json!({ "least": "WARNING" })).await;
    assert_eq!(warnings.len(), 4);
    let this_month = feed(&app, &admin, json!({ "from": day(month_start(0)) })).await;
    assert!(
        !summary(&this_month)
            .iter()
            .any(|(_, kind, _)| kind == "core.leading_metric_off_target"),
        "Demos arose before the window"
    );
    assert_eq!(this_month.len(), 4);

    // A bad window names its field.
    let backwards = app
        .gql(
            &admin,
            "{ exceptions(window: {from: \"2026-05-02\", to: \"2026-05-01\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(backwards.code(), "VALIDATION");
    assert_eq!(backwards.field(), "window.to");
    let far = app
        .gql(
            &admin,
            "{ exceptions(window: {from: \"1000-01-01\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(far.code(), "BAD_USER_INPUT");
    assert!(far.message().contains("out of range"), "{}", far.message());
}

#[tokio::test]
async fn tenants_see_only_their_own_exceptions() {
    let app = start().await;
    let (acme, _) = troubled_company(&app, "acme").await;
    app.tenant("globex", &[]).await;
    let globex = app.admin("globex");
    assert!(feed(&app, &globex, json!({})).await.is_empty());
    // An acme exception's ID is no exception in globex.
    let items = feed(&app, &acme, json!({})).await;
    let refused = app
        .gql(
            &globex,
            ACKNOWLEDGE,
            json!({ "input": { "exceptionId": items[0]["id"], "note": "mine?" } }),
        )
        .await;
    assert_eq!(refused.code(), "NOT_FOUND");
    // An acme unit is no unit in globex.
    let unit = app
        .gql(
            &acme,
            r#"mutation { createOrgUnit(input: {name: "Sales"}) { orgUnit { id } } }"#,
            json!({}),
        )
        .await;
    let unit = id_at(unit.data(), "createOrgUnit.orgUnit.id");
    let foreign = app
        .gql(
            &globex,
            "query($u: ID) { exceptions(orgUnitId: $u) { totalCount } }",
            json!({ "u": unit }),
        )
        .await;
    assert_eq!(foreign.code(), "VALIDATION");
    assert_eq!(foreign.field(), "orgUnitId");
}

#[tokio::test]
async fn an_acknowledged_exception_leaves_the_feed_until_it_gets_worse() {
    let app = start().await;
    let (admin, margin) = troubled_company(&app, "acme").await;
    let person = app
        .gql(
            &admin,
            r#"mutation { createPerson(input: {name: "Mo Member", email: "mo@acme.example"}) { person { id } } }"#,
            json!({}),
        )
        .await;
    let mo = id_at(person.data(), "createPerson.person.id");
    let member = app.token("acme", "mo@acme.example", Role::Member);
    let items = feed(&app, &member, json!({})).await;
    let margin_item = items
        .iter()
        .find(|i| i["title"] == "Margin")
        .unwrap()
        .clone();
    assert_eq!(margin_item["severity"], "WARNING");

    // Bad inputs are refused, naming their field, and change nothing.
    for (input, code, field) in [
        (
            json!({ "exceptionId": "nope", "note": "x" }),
            "VALIDATION",
            "input.exceptionId",
        ),
        (
            json!({ "exceptionId": margin_item["id"], "note": "  " }),
            "VALIDATION",
            "input.note",
        ),
        (
            json!({ "exceptionId": margin_item["id"], "note": "x".repeat(2001) }),
            "VALIDATION",
            "input.note",
        ),
        (
            json!({ "exceptionId": margin_item["id"], "note": "x", "followUpOwnerId": margin }),
            "VALIDATION",
            "input.followUpOwnerId",
        ),
    ] {
        let refused = app
            .gql(&member, ACKNOWLEDGE, json!({ "input": input }))
            .await;
        assert_eq!((refused.code(), refused.field()), (code, field), "{input}");
    }
    let integrator = app.token("acme", "sync@acme.example", Role::Integrator);
    let refused = app
        .gql(
            &integrator,
            ACKNOWLEDGE,
            json!({ "input": { "exceptionId": margin_item["id"], "note": "x" } }),
        )
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    assert_eq!(feed(&app, &member, json!({})).await.len(), items.len());

    let acknowledged = app
        .gql(
            &member,
            ACKNOWLEDGE,
            json!({ "input": { "exceptionId": margin_item["id"], "note": "Price rise lands next month", "followUpOwnerId": mo } }),
        )
        .await;
    assert_eq!(
        acknowledged.data()["acknowledgeException"]["exception"],
        json!({ "kind": "core.key_metric_off_target", "severity": "WARNING", "acknowledged": true,
                "acknowledgement": { "note": "Price rise lands next month", "severity": "WARNING", "followUpOwner": { "name": "Mo Member" } } })
    );
    let after = feed(&app, &member, json!({})).await;
    assert_eq!(after.len(), items.len() - 1);
    assert!(!after.iter().any(|i| i["title"] == "Margin"));
    let with_acknowledged = feed(&app, &member, json!({ "all": true })).await;
    let shown = with_acknowledged
        .iter()
        .find(|i| i["title"] == "Margin")
        .unwrap();
    assert_eq!(shown["acknowledged"], true);
    assert_eq!(
        shown["acknowledgement"]["acknowledgedBy"]["name"],
        "Mo Member"
    );

    // Audited.
    app.settle().await;
    let audit = app
        .gql(
            &admin,
            r#"{ auditLog(filter: {action: "exception."}) { edges { node { action entityType } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        audit.data()["auditLog"]["edges"],
        json!([{ "node": { "action": "exception.acknowledged", "entityType": "ExceptionAcknowledgement" } }])
    );

    // Worse: last month's margin corrected down past the warning band.
    record_values(&app, &admin, &margin, &[(&day(month_start(1)), "50")]).await;
    let worse = feed(&app, &member, json!({})).await;
    let back = worse.iter().find(|i| i["title"] == "Margin").unwrap();
    assert_eq!(back["severity"], "CRITICAL");
    assert_eq!(back["acknowledged"], false);
    assert_eq!(
        back["acknowledgement"]["severity"], "WARNING",
        "what was seen then"
    );
    let mut critical: Vec<&str> = worse[..2]
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    critical.sort_unstable();
    assert_eq!(critical, ["Margin", "Revenue"], "critical ones first");
}

/// Backdates a row's creation, as if it had been made `days` ago.
async fn created_days_ago(app: &TestApp, table: &str, global_id: &str, days: i64) {
    use sea_orm::ConnectionTrait;
    let id = throughline_domain::graphql::ids::decode_id(
        &async_graphql::ID(global_id.to_string()),
        "OkrObjective",
        "id",
    )
    .unwrap();
    let when = Utc::now() - Duration::days(days);
    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => format!("UPDATE {table} SET created_at = $1 WHERE id = $2"),
        _ => format!("UPDATE {table} SET created_at = ? WHERE id = ?"),
    };
    let done = app
        .db
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            sql,
            [when.into(), id.into()],
        ))
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 1);
    // Scores (and what they flag) are kept until a write moves the cycles'
    // revision, as every write through the API does; this one went around it.
    app.db
        .execute_unprepared("UPDATE okr_cycles SET scores_revision = scores_revision + 1")
        .await
        .unwrap();
}

#[tokio::test]
async fn okr_exceptions_respect_privacy_and_the_org_chart() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let (manager, report, peer) = (
        token(&app, "mia@acme.example", Role::Manager),
        token(&app, "rob@acme.example", Role::Member),
        token(&app, "pat@acme.example", Role::Member),
    );
    // A team objective of Sales, far behind after a check-in.
    let team = objective(
        &app,
        admin,
        json!({ "cycleId": org.cycle, "title": "Win the north", "level": "TEAM", "orgUnitId": org.unit, "ownerId": org.manager, "status": "ACTIVE" }),
    )
    .await;
    let behind = key_result_since(&app, admin, &team, Some(org.starts_on), "0", "100", "1").await;
    // A private objective of the report, behind too, and one check-in long ago.
    let private = objective(
        &app,
        admin,
        json!({ "cycleId": org.cycle, "title": "Secret plan", "level": "INDIVIDUAL", "ownerId": org.report, "private": true, "status": "ACTIVE" }),
    )
    .await;
    let hidden =
        key_result_since(&app, admin, &private, Some(org.starts_on), "0", "100", "1").await;
    for (kr, as_of) in [(&behind, today()), (&hidden, today() - Duration::days(20))] {
        app.gql(
            admin,
            CHECK_IN,
            json!({ "input": { "keyResultId": kr, "value": "5", "asOf": as_of } }),
        )
        .await
        .data();
    }
    // An objective nobody has checked in on, made a fortnight ago.
    let quiet = objective(
        &app,
        admin,
        json!({ "cycleId": org.cycle, "title": "Quiet one", "level": "INDIVIDUAL", "ownerId": org.peer, "status": "ACTIVE" }),
    )
    .await;
    key_result_since(&app, admin, &quiet, Some(org.starts_on), "0", "100", "1").await;
    created_days_ago(&app, "okr_objectives", &quiet, 14).await;

    let okr_items = |items: Vec<Value>| -> Vec<(String, String, String)> {
        summary(&items)
            .into_iter()
            .filter(|(_, kind, _)| kind.starts_with("okr."))
            .collect()
    };
    let seen_by_manager = okr_items(feed(&app, &manager, json!({})).await);
    assert_eq!(
        seen_by_manager,
        [
            // The older check-in first.
            triple("CRITICAL", "okr.key_result_behind", "Grow"),
            triple("CRITICAL", "okr.key_result_behind", "Grow"),
            triple("WARNING", "okr.key_result_stale", "Grow"),
            triple("INFO", "okr.objective_without_check_in", "Quiet one"),
        ]
    );
    let by_report = feed(&app, &report, json!({})).await;
    assert_eq!(
        okr_items(by_report.clone()).len(),
        4,
        "the report sees their own"
    );
    // The peer sees neither the private key result nor that it exists.
    let by_peer = feed(&app, &peer, json!({})).await;
    assert_eq!(
        okr_items(by_peer.clone()),
        [
            triple("CRITICAL", "okr.key_result_behind", "Grow"),
            triple("INFO", "okr.objective_without_check_in", "Quiet one"),
        ]
    );
    let hidden_id = by_report
        .iter()
        .find(|i| i["kind"] == "okr.key_result_stale")
        .unwrap()["subjectId"]
        .clone();
    assert_eq!(hidden_id, hidden);
    assert!(
        !by_peer.iter().any(|i| i["subjectId"] == hidden_id),
        "no trace of the private key result"
    );
    let behind_item = by_peer.iter().find(|i| i["subjectId"] == behind).unwrap();
    assert_eq!(behind_item["framework"], "okr");
    assert_eq!(behind_item["orgUnit"]["name"], "Sales");
    assert_eq!(
        behind_item["owner"]["name"], "Mia Manager",
        "the key result's owner"
    );
    assert!(
        behind_item["reason"].as_str().unwrap().contains("5% done"),
        "{}",
        behind_item["reason"]
    );

    // The org chart: Sales holds all three (the individual objectives'
    // owners work there); a unit elsewhere holds none.
    let sales = okr_items(feed(&app, &manager, json!({ "unit": org.unit })).await);
    assert_eq!(sales.len(), 4);
    let ops = app
        .gql(
            admin,
            r#"mutation { createOrgUnit(input: {name: "Ops"}) { orgUnit { id } } }"#,
            json!({}),
        )
        .await;
    let ops = id_at(ops.data(), "createOrgUnit.orgUnit.id");
    assert!(
        feed(&app, &manager, json!({ "unit": ops }))
            .await
            .is_empty()
    );

    // A token scoped to core data reads no framework's exceptions.
    let scoped = app
        .gql(
            admin,
            r#"mutation { createServiceAccount(input: {name: "Reader", role: INTEGRATOR, scopes: [METRICS_READ]}) { token } }"#,
            json!({}),
        )
        .await;
    let scoped = scoped.data()["createServiceAccount"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(okr_items(feed(&app, &scoped, json!({})).await).is_empty());
}

#[tokio::test]
async fn the_feed_costs_the_same_statements_however_much_is_wrong() {
    let app = start().await;
    let org = org(&app).await;
    let admin = org.admin.clone();
    let mut metrics = Vec::new();
    let last = day(month_start(1));
    let add_metric = |i: usize| {
        let (app, admin, last) = (&app, admin.clone(), last.clone());
        async move {
            let m = create_metric(app, &admin, &format!("Metric {i}"), json!({})).await;
            target(app, &admin, &m, "100", None).await;
            record_values(app, &admin, &m, &[(&last, "50")]).await;
            m
        }
    };
    let add_objective = |i: usize| {
        let (app, admin, cycle, owner, starts) = (
            &app,
            admin.clone(),
            org.cycle.clone(),
            org.report.clone(),
            org.starts_on,
        );
        async move {
            let o = objective(
                app,
                &admin,
                json!({ "cycleId": cycle, "title": format!("Objective {i}"), "level": "INDIVIDUAL", "ownerId": owner, "status": "ACTIVE" }),
            )
            .await;
            let kr = key_result_since(app, &admin, &o, Some(starts), "0", "100", "1").await;
            app.gql(
                &admin,
                CHECK_IN,
                json!({ "input": { "keyResultId": kr, "value": "1" } }),
            )
            .await
            .data();
        }
    };
    for i in 0..2 {
        metrics.push(add_metric(i).await);
        add_objective(i).await;
    }
    let refs: Vec<&String> = metrics.iter().collect();
    let id = dashboard(&app, &admin, None, &refs).await;
    let manager = token(&app, "mia@acme.example", Role::Manager);
    let count = |token: String| {
        let app = &app;
        async move {
            // Warm: the session and the cycle's scores.
            let warm = feed(app, &token, json!({})).await;
            let (items, statements) = app
                .count_statements(feed(app, &token, json!({ "unit": null })))
                .await;
            assert_eq!(warm.len(), items.len());
            (statements, items.len())
        }
    };
    let (small, small_items) = count(manager.clone()).await;
    for i in 2..6 {
        metrics.push(add_metric(i).await);
        add_objective(i).await;
    }
    let keys: Vec<Value> = metrics.iter().map(|m| json!({ "metricId": m })).collect();
    app.gql(
        &admin,
        "mutation($input: UpdateDashboardInput!) { updateDashboard(input: $input) { dashboard { version } } }",
        json!({ "input": { "id": id, "version": 1, "keyMetrics": keys } }),
    )
    .await
    .data();
    let (large, large_items) = count(manager).await;
    assert!(
        large_items >= small_items + 8,
        "{small_items} → {large_items}"
    );
    assert_eq!(small, large, "statements stay put as exceptions grow");
    // The viewer's units (2), the core's sources (8, overdue action items
    // included), the OKR framework's (2: the running cycles and their
    // families; what they flag is kept with their scores), the
    // acknowledgements, and the page's people and org units (an
    // individual objective's unit is its owner's, read with the owner).
    assert!(large <= 18, "{large} statements");
}
