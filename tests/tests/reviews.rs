//! The review cadence over HTTP: meetings generated from the fiscal
//! calendar across a fiscal-year boundary, the agenda built when a meeting
//! opens (key metrics, exceptions, open action items, carried-over topics),
//! figures frozen once held, decisions and action items with
//! `viewer.actionItems` and overdue ones in the exceptions feed,
//! permissions, and two tenants.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::{Value, json};
use throughline_domain::enums::Role;
use throughline_tests::metrics::{create_metric, record_values};
use throughline_tests::{TestApp, id_at, start, ws};

const CREATE: &str = r#"
mutation($input: CreateReviewSeriesInput!) {
  createReviewSeries(input: $input) {
    series { id title cadence participants { name } nextMeeting { id version status scheduledOn period { label start end } } }
  }
}"#;

const MEETING: &str = r#"
query($id: ID!) { node(id: $id) { ... on ReviewMeeting {
  status version period { label }
  agenda { id kind title detail covered carriedOver subjectId figures { status value goal periodLabel } }
  attendees { name }
  decisions { text owner { name } }
  actionItems { title done overdue owner { name } }
} } }"#;

const OPEN: &str = r#"mutation($id: ID!, $v: Int!) { openReviewMeeting(input: {id: $id, version: $v}) { meeting { status version } } }"#;

const HOLD: &str = r#"mutation($id: ID!, $v: Int!, $a: [ID!]) { holdReviewMeeting(input: {id: $id, version: $v, attendeeIds: $a}) {
  meeting { status } nextMeeting { id version period { label start end } scheduledOn } } }"#;

fn month_start(back: u32) -> NaiveDate {
    let first = Utc::now().date_naive().with_day(1).unwrap();
    first.checked_sub_months(chrono::Months::new(back)).unwrap()
}

async fn person(app: &TestApp, admin: &str, name: &str, email: &str, unit: Option<&str>) -> String {
    let created = app
        .gql(
            admin,
            "mutation($n: String!, $e: String!, $u: ID) { createPerson(input: {name: $n, email: $e, orgUnitId: $u}) { person { id } } }",
            json!({ "n": name, "e": email, "u": unit }),
        )
        .await;
    id_at(created.data(), "createPerson.person.id")
}

async fn meeting(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql(token, MEETING, json!({ "id": id })).await.data()["node"].clone()
}

#[tokio::test]
async fn meetings_follow_the_fiscal_calendar_across_the_year_end() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let created = app
        .gql(
            &admin,
            CREATE,
            json!({ "input": { "title": "Quarterly strategy", "cadence": "QUARTERLY" } }),
        )
        .await;
    let series = &created.data()["createReviewSeries"]["series"];
    assert_eq!(series["cadence"], "QUARTERLY");
    let first = series["nextMeeting"].clone();
    assert_eq!(first["status"], "UPCOMING");
    // The first meeting reviews the last closed quarter and is due the day after it.
    let end =
        NaiveDate::parse_from_str(first["period"]["end"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert!(end < Utc::now().date_naive());
    assert_eq!(first["scheduledOn"], (end + Duration::days(1)).to_string());
    let mut labels = vec![first["period"]["label"].as_str().unwrap().to_string()];
    let mut current = first;
    // Four quarters on, a fiscal year has turned.
    for _ in 0..4 {
        let id = current["id"].as_str().unwrap().to_string();
        let opened = app
            .gql(&admin, OPEN, json!({ "id": id, "v": current["version"] }))
            .await;
        let version = opened.data()["openReviewMeeting"]["meeting"]["version"].clone();
        let held = app
            .gql(&admin, HOLD, json!({ "id": id, "v": version }))
            .await;
        let next = held.data()["holdReviewMeeting"]["nextMeeting"].clone();
        let next_start =
            NaiveDate::parse_from_str(next["period"]["start"].as_str().unwrap(), "%Y-%m-%d")
                .unwrap();
        let this_end =
            NaiveDate::parse_from_str(current["period"]["end"].as_str().unwrap(), "%Y-%m-%d")
                .unwrap();
        assert_eq!(
            next_start,
            this_end + Duration::days(1),
            "the next quarter follows on"
        );
        labels.push(next["period"]["label"].as_str().unwrap().to_string());
        current = next;
    }
    let years: Vec<&str> = labels.iter().map(|l| &l[..6]).collect();
    assert_ne!(years.first(), years.last(), "{labels:?}");
    assert!(labels.iter().any(|l| l.ends_with("Q1")), "{labels:?}");
    // A held meeting is final; holding twice or opening twice is refused.
    let again = app
        .gql(
            &admin,
            OPEN,
            json!({ "id": current["id"], "v": current["version"] }),
        )
        .await;
    assert!(again.body["errors"].is_null(), "{}", again.body);
    let twice = app
        .gql(&admin, OPEN, json!({ "id": current["id"], "v": 2 }))
        .await;
    assert_eq!(twice.code(), "VALIDATION");
}

/// acme: Revenue off target last month on the company dashboard, a monthly
/// business review of it with Mo (member) taking part and Pat not.
struct Review {
    admin: String,
    mo: String,
    mo_token: String,
    pat_token: String,
    revenue: String,
    series: String,
    first: Value,
}

async fn monthly_review(app: &TestApp) -> Review {
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let mo = person(app, &admin, "Mo Member", "mo@acme.example", None).await;
    person(app, &admin, "Pat Peer", "pat@acme.example", None).await;
    let revenue = create_metric(app, &admin, "Revenue", json!({})).await;
    app.gql(
        &admin,
        "mutation($m: ID!) { setMetricTarget(input: {metricId: $m, validFrom: \"2020-01-01\", target: {kind: STAY_AT_OR_ABOVE, target: \"100\"}}) { __typename } }",
        json!({ "m": revenue }),
    )
    .await
    .data();
    record_values(
        app,
        &admin,
        &revenue,
        &[(&month_start(1).to_string(), "80")],
    )
    .await;
    let board = app
        .gql(
            &admin,
            "mutation($m: ID!) { createDashboard(input: {title: \"Company\", keyMetrics: [{metricId: $m}]}) { dashboard { id } } }",
            json!({ "m": revenue }),
        )
        .await;
    let board = id_at(board.data(), "createDashboard.dashboard.id");
    let created = app
        .gql(
            &admin,
            CREATE,
            json!({ "input": { "title": "Monthly business review", "cadence": "MONTHLY", "dashboardId": board, "participantIds": [mo] } }),
        )
        .await;
    let series = &created.data()["createReviewSeries"]["series"];
    assert_eq!(series["participants"], json!([{ "name": "Mo Member" }]));
    Review {
        mo_token: app.token("acme", "mo@acme.example", Role::Member),
        pat_token: app.token("acme", "pat@acme.example", Role::Member),
        admin,
        mo,
        revenue,
        series: series["id"].as_str().unwrap().to_string(),
        first: series["nextMeeting"].clone(),
    }
}

#[tokio::test]
async fn an_agenda_is_built_on_opening_and_its_figures_freeze_when_held() {
    let app = start().await;
    let r = monthly_review(&app).await;
    let first = r.first["id"].as_str().unwrap().to_string();
    assert_eq!(
        r.first["period"]["label"],
        month_start(1).format("%Y-%m").to_string()
    );
    // Before opening: a participant adds a topic.
    let topic = app
        .gql(
            &r.mo_token,
            "mutation($m: ID!) { addReviewAgendaItem(input: {meetingId: $m, title: \"Hiring plan\"}) { item { id kind } } }",
            json!({ "m": first }),
        )
        .await;
    assert_eq!(topic.data()["addReviewAgendaItem"]["item"]["kind"], "TOPIC");
    let opened = app
        .gql(&r.mo_token, OPEN, json!({ "id": first, "v": 1 }))
        .await;
    assert_eq!(
        opened.data()["openReviewMeeting"]["meeting"]["status"],
        "OPEN"
    );
    let shown = meeting(&app, &r.mo_token, &first).await;
    let agenda = shown["agenda"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = agenda
        .iter()
        .map(|i| (i["kind"].as_str().unwrap(), i["title"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("TOPIC", "Hiring plan"),
            ("KEY_METRIC", "Revenue"),
            ("EXCEPTION", "Revenue")
        ]
    );
    assert_eq!(
        agenda[1]["figures"],
        json!({ "status": "OFF_TARGET", "value": "80", "goal": "100", "periodLabel": month_start(1).format("%Y-%m").to_string() })
    );
    assert_eq!(agenda[1]["subjectId"], r.revenue.as_str());
    assert!(
        agenda[2]["detail"]
            .as_str()
            .unwrap()
            .starts_with("CRITICAL"),
        "{}",
        agenda[2]
    );

    // Decisions and an action item, overdue already.
    let due = Utc::now().date_naive() - Duration::days(1);
    let recorded = app
        .gql(
            &r.mo_token,
            r#"mutation($m: ID!, $p: ID!, $d: Date!, $s: ID!) {
                recordReviewDecision(input: {meetingId: $m, text: "Push the upsell campaign", ownerId: $p, subjectId: $s}) { decision { text } }
                createReviewActionItem(input: {meetingId: $m, title: "Call the top ten accounts", ownerId: $p, dueOn: $d}) { actionItem { id version overdue } }
            }"#,
            json!({ "m": first, "p": r.mo, "d": due, "s": r.revenue }),
        )
        .await;
    let action = recorded.data()["createReviewActionItem"]["actionItem"].clone();
    assert_eq!(action["overdue"], true);
    let mine = app
        .gql(
            &r.mo_token,
            "{ viewer { actionItems { title dueOn series { title } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        mine.data()["viewer"]["actionItems"],
        json!([{ "title": "Call the top ten accounts", "dueOn": due.to_string(), "series": { "title": "Monthly business review" } }])
    );
    let feed = app
        .gql(
            &r.mo_token,
            "{ exceptions { edges { node { kind title owner { name } } } } }",
            json!({}),
        )
        .await;
    assert!(
        feed.data()["exceptions"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"] == json!({ "kind": "core.review_action_item_overdue", "title": "Call the top ten accounts", "owner": { "name": "Mo Member" } })),
        "{}",
        feed.body
    );
    // The exception is dealt with; the topic is not.
    app.gql(
        &r.mo_token,
        "mutation($i: ID!) { updateReviewAgendaItem(input: {id: $i, covered: true, notes: \"Upsell decided\"}) { item { covered } } }",
        json!({ "i": agenda[2]["id"] }),
    )
    .await
    .data();
    let held = app
        .gql(
            &r.mo_token,
            HOLD,
            json!({ "id": first, "v": 2, "a": [r.mo] }),
        )
        .await;
    let next = held.data()["holdReviewMeeting"]["nextMeeting"].clone();
    assert_eq!(
        next["period"]["label"],
        month_start(0).format("%Y-%m").to_string()
    );

    // Later, last month's revenue is corrected: the held meeting still shows what it saw.
    record_values(
        &app,
        &r.admin,
        &r.revenue,
        &[(&month_start(1).to_string(), "120")],
    )
    .await;
    let then = meeting(&app, &r.mo_token, &first).await;
    assert_eq!(then["status"], "HELD");
    assert_eq!(then["agenda"][1]["figures"]["value"], "80");
    assert_eq!(then["agenda"][1]["figures"]["status"], "OFF_TARGET");
    assert_eq!(then["attendees"], json!([{ "name": "Mo Member" }]));
    assert_eq!(then["decisions"][0]["owner"]["name"], "Mo Member");
    // A held meeting takes no more changes.
    let late = app
        .gql(
            &r.mo_token,
            "mutation($m: ID!) { addReviewAgendaItem(input: {meetingId: $m, title: \"Too late\"}) { item { id } } }",
            json!({ "m": first }),
        )
        .await;
    assert_eq!(
        (late.code(), late.field()),
        ("VALIDATION", "input.meetingId")
    );

    // The next agenda: the open action item and the uncovered topic carry over.
    let next_id = next["id"].as_str().unwrap().to_string();
    app.gql(
        &r.mo_token,
        OPEN,
        json!({ "id": next_id, "v": next["version"] }),
    )
    .await
    .data();
    let agenda = meeting(&app, &r.mo_token, &next_id).await["agenda"].clone();
    let kinds: Vec<(&str, &str, bool)> = agenda
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap(),
                i["title"].as_str().unwrap(),
                i["carriedOver"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("KEY_METRIC", "Revenue", false),
            ("ACTION_ITEM", "Call the top ten accounts", false),
            ("TOPIC", "Hiring plan", true),
        ]
    );
    // Done: it leaves viewer.actionItems and the feed.
    let done = app
        .gql(
            &r.mo_token,
            "mutation($i: ID!, $v: Int!) { updateReviewActionItem(input: {id: $i, version: $v, done: true}) { actionItem { done overdue } } }",
            json!({ "i": action["id"], "v": action["version"] }),
        )
        .await;
    assert_eq!(
        done.data()["updateReviewActionItem"]["actionItem"],
        json!({ "done": true, "overdue": false })
    );
    let mine = app
        .gql(
            &r.mo_token,
            "{ viewer { actionItems { title } } }",
            json!({}),
        )
        .await;
    assert_eq!(mine.data()["viewer"]["actionItems"], json!([]));
}

#[tokio::test]
async fn participants_run_meetings_and_other_tenants_see_nothing() {
    let app = start().await;
    let r = monthly_review(&app).await;
    let first = r.first["id"].as_str().unwrap().to_string();
    // Pat takes no part: reads the company's series, runs nothing.
    let refused = app
        .gql(&r.pat_token, OPEN, json!({ "id": first, "v": 1 }))
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let refused = app
        .gql(
            &r.pat_token,
            "mutation($m: ID!) { addReviewAgendaItem(input: {meetingId: $m, title: \"x\"}) { item { id } } }",
            json!({ "m": first }),
        )
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let listed = app
        .gql(&r.pat_token, "{ reviewSeries { totalCount } }", json!({}))
        .await;
    assert_eq!(listed.data()["reviewSeries"]["totalCount"], 1);
    // Members may not create series; integrators run nothing.
    let refused = app
        .gql(
            &r.mo_token,
            CREATE,
            json!({ "input": { "title": "Mine", "cadence": "WEEKLY" } }),
        )
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let integrator = app.token("acme", "sync@acme.example", Role::Integrator);
    let refused = app
        .gql(&integrator, OPEN, json!({ "id": first, "v": 1 }))
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    // A unit's series is read by its unit and those above, and its participants.
    let unit = app
        .gql(
            &r.admin,
            r#"mutation { createOrgUnit(input: {name: "Ops"}) { orgUnit { id } } }"#,
            json!({}),
        )
        .await;
    let unit = id_at(unit.data(), "createOrgUnit.orgUnit.id");
    let ops = app
        .gql(
            &r.admin,
            CREATE,
            json!({ "input": { "title": "Ops weekly", "cadence": "WEEKLY", "orgUnitId": unit, "participantIds": [r.mo] } }),
        )
        .await;
    let ops = ops.data()["createReviewSeries"]["series"]["id"].clone();
    let node = "query($id: ID!) { node(id: $id) { ... on ReviewSeries { title } } }";
    assert_eq!(
        app.gql(&r.pat_token, node, json!({ "id": ops }))
            .await
            .data()["node"],
        Value::Null
    );
    assert_eq!(
        app.gql(&r.mo_token, node, json!({ "id": ops }))
            .await
            .data()["node"]["title"],
        "Ops weekly"
    );
    // Bad inputs name their field and write nothing.
    for (input, field) in [
        (json!({ "title": " ", "cadence": "WEEKLY" }), "input.title"),
        (
            json!({ "title": "x", "cadence": "WEEKLY", "participantIds": [r.mo, r.mo] }),
            "input.participantIds[1]",
        ),
        (
            json!({ "title": "x", "cadence": "WEEKLY", "dashboardId": r.series }),
            "input.dashboardId",
        ),
    ] {
        let refused = app.gql(&r.admin, CREATE, json!({ "input": input })).await;
        assert_eq!(
            (refused.code(), refused.field()),
            ("VALIDATION", field),
            "{input}"
        );
    }
    assert_eq!(
        app.gql(&r.admin, "{ reviewSeries { totalCount } }", json!({}))
            .await
            .data()["reviewSeries"]["totalCount"],
        2
    );
    // Another tenant: the IDs lead nowhere.
    app.tenant("globex", &[]).await;
    let globex = app.admin("globex");
    assert_eq!(
        app.gql(&globex, node, json!({ "id": r.series }))
            .await
            .data()["node"],
        Value::Null
    );
    let foreign = app.gql(&globex, OPEN, json!({ "id": first, "v": 1 })).await;
    assert_eq!(foreign.code(), "NOT_FOUND");
    assert_eq!(
        app.gql(&globex, "{ reviewSeries { totalCount } }", json!({}))
            .await
            .data()["reviewSeries"]["totalCount"],
        0
    );
}

#[tokio::test]
async fn the_seeded_company_has_a_review_rhythm_ready_to_open() {
    let app = start().await;
    let tenant = app.tenant("acme", &["okr"]).await;
    throughline_api::seed::seed_organisation(&app.db, &tenant, 30, 4, 1)
        .await
        .unwrap();
    let admin = app.admin("acme");
    let listed = app
        .gql(
            &admin,
            "{ reviewSeries { nodes { title cadence meetings { totalCount } nextMeeting { id version status period { label } } openActionItems { title overdue } } } }",
            json!({}),
        )
        .await;
    let series = listed.data()["reviewSeries"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let titles: Vec<&str> = series
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Monthly business review", "Weekly operational review"]
    );
    for s in &series {
        assert_eq!(s["meetings"]["totalCount"], 3, "two held, one upcoming");
        assert_eq!(s["nextMeeting"]["status"], "UPCOMING");
        assert_eq!(s["openActionItems"].as_array().unwrap().len(), 1);
    }
    let monthly = &series[0];
    assert_eq!(
        monthly["nextMeeting"]["period"]["label"],
        month_start(1).format("%Y-%m").to_string()
    );
    assert_eq!(monthly["openActionItems"][0]["overdue"], true);
    // Opening the next monthly review builds its agenda from the dashboard,
    // the open action item and what needs attention.
    let id = monthly["nextMeeting"]["id"].as_str().unwrap().to_string();
    app.gql(
        &admin,
        OPEN,
        json!({ "id": id, "v": monthly["nextMeeting"]["version"] }),
    )
    .await
    .data();
    let agenda = meeting(&app, &admin, &id).await["agenda"].clone();
    let count = |kind: &str| {
        agenda
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == kind)
            .count()
    };
    assert_eq!(count("KEY_METRIC"), 6);
    assert_eq!(count("ACTION_ITEM"), 1);
    assert!(count("EXCEPTION") >= 1, "{agenda}");
}

const ITEM: &str = "mutation($m: ID!, $t: String!, $p: ID!, $d: Date) { createReviewActionItem(input: {meetingId: $m, title: $t, ownerId: $p, dueOn: $d}) { actionItem { id version } } }";

async fn subscribe(socket: &mut ws::Socket, id: &str, query: &str) {
    use futures_util::SinkExt;
    socket
        .send(ws::Message::text(
            json!({ "id": id, "type": "subscribe", "payload": { "query": query } }).to_string(),
        ))
        .await
        .unwrap();
}

/// The next event's (subscription, data) from a socket.
async fn event(socket: &mut ws::Socket) -> (String, Value) {
    let message = ws::next(socket).await.unwrap();
    assert_eq!(message["type"], "next", "{message}");
    (
        message["id"].as_str().unwrap().to_string(),
        message["payload"]["data"].clone(),
    )
}

#[tokio::test]
async fn held_meetings_and_due_action_items_reach_those_who_read_the_series() {
    let app = throughline_tests::start_with_limits(throughline_api::config::Limits {
        reminder_sweep: std::time::Duration::from_millis(100),
        ..Default::default()
    })
    .await;
    let r = monthly_review(&app).await;
    let today = Utc::now().date_naive();
    let (yesterday, next_week) = (today - Duration::days(1), today + Duration::days(7));
    // Mo also runs the Ops weekly, which Pat (outside Ops) may not read.
    let unit = app
        .gql(
            &r.admin,
            r#"mutation { createOrgUnit(input: {name: "Ops"}) { orgUnit { id } } }"#,
            json!({}),
        )
        .await;
    let unit = id_at(unit.data(), "createOrgUnit.orgUnit.id");
    let ops = app
        .gql(
            &r.admin,
            CREATE,
            json!({ "input": { "title": "Ops weekly", "cadence": "WEEKLY", "orgUnitId": unit, "participantIds": [r.mo] } }),
        )
        .await;
    let ops = ops.data()["createReviewSeries"]["series"].clone();
    app.tenant("globex", &[]).await;
    let globex = app.admin("globex");

    let held = "subscription { reviewMeetingHeld { period { label } actionItems { title } } }";
    let due = "subscription { reviewActionItemDue { title dueOn overdue owner { name } } }";
    let mut pat = ws::connect(
        &app,
        json!({ "authorization": format!("Bearer {}", r.pat_token) }),
    )
    .await;
    let mut mo = ws::connect(
        &app,
        json!({ "authorization": format!("Bearer {}", r.mo_token) }),
    )
    .await;
    let mut other = ws::connect(&app, json!({ "authorization": format!("Bearer {globex}") })).await;
    for socket in [&mut pat, &mut mo, &mut other] {
        assert_eq!(ws::next(socket).await.unwrap()["type"], "connection_ack");
        subscribe(socket, "held", held).await;
        subscribe(socket, "due", due).await;
    }
    subscribe(
        &mut mo,
        "ops-due",
        &format!(
            "subscription {{ reviewActionItemDue(seriesId: \"{}\") {{ title }} }}",
            ops["id"].as_str().unwrap()
        ),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // Due yesterday in Ops: Mo hears of it (twice: all series, and Ops'), Pat never.
    app.gql(
        &r.mo_token,
        ITEM,
        json!({ "m": ops["nextMeeting"]["id"], "t": "Fix the night shift rota", "p": r.mo, "d": yesterday }),
    )
    .await
    .data();
    let mut heard = [event(&mut mo).await, event(&mut mo).await];
    heard.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(heard[0].0, "due");
    assert_eq!(
        heard[0].1["reviewActionItemDue"],
        json!({ "title": "Fix the night shift rota", "dueOn": yesterday.to_string(), "overdue": true, "owner": { "name": "Mo Member" } })
    );
    assert_eq!(
        heard[1],
        (
            "ops-due".into(),
            json!({ "reviewActionItemDue": { "title": "Fix the night shift rota" } })
        )
    );

    // In the company's review: one due next week (not yet announced), one due today.
    let first = r.first["id"].as_str().unwrap().to_string();
    let later = app
        .gql(
            &r.mo_token,
            ITEM,
            json!({ "m": first, "t": "Renegotiate the lease", "p": r.mo, "d": next_week }),
        )
        .await;
    let later = later.data()["createReviewActionItem"]["actionItem"].clone();
    app.gql(
        &r.mo_token,
        ITEM,
        json!({ "m": first, "t": "Call the top ten accounts", "p": r.mo, "d": today }),
    )
    .await
    .data();
    let (id, data) = event(&mut pat).await;
    assert_eq!(
        (
            id.as_str(),
            &data["reviewActionItemDue"]["title"],
            &data["reviewActionItemDue"]["overdue"]
        ),
        ("due", &json!("Call the top ten accounts"), &json!(false))
    );
    // Moving the lease's date to yesterday announces it, once.
    app.gql(
        &r.mo_token,
        "mutation($i: ID!, $v: Int!, $d: Date) { updateReviewActionItem(input: {id: $i, version: $v, dueOn: $d}) { actionItem { dueOn } } }",
        json!({ "i": later["id"], "v": later["version"], "d": yesterday }),
    )
    .await
    .data();
    let (id, data) = event(&mut pat).await;
    assert_eq!(
        (id.as_str(), &data["reviewActionItemDue"]["title"]),
        ("due", &json!("Renegotiate the lease"))
    );

    // Holding the company's meeting reaches Pat with what it decided.
    app.gql(&r.mo_token, OPEN, json!({ "id": first, "v": 1 }))
        .await
        .data();
    app.gql(
        &r.mo_token,
        HOLD,
        json!({ "id": first, "v": 2, "a": [r.mo] }),
    )
    .await
    .data();
    let (id, data) = event(&mut pat).await;
    assert_eq!(id, "held");
    assert_eq!(
        data["reviewMeetingHeld"]["period"]["label"],
        month_start(1).format("%Y-%m").to_string()
    );
    assert_eq!(
        data["reviewMeetingHeld"]["actionItems"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Globex hears only its own: its held meeting is the first thing it gets.
    let created = app
        .gql(
            &globex,
            CREATE,
            json!({ "input": { "title": "Globex monthly", "cadence": "MONTHLY" } }),
        )
        .await;
    let theirs = created.data()["createReviewSeries"]["series"]["nextMeeting"]["id"].clone();
    app.gql(&globex, OPEN, json!({ "id": theirs, "v": 1 }))
        .await
        .data();
    app.gql(&globex, HOLD, json!({ "id": theirs, "v": 2 }))
        .await
        .data();
    let (id, data) = event(&mut other).await;
    assert_eq!(id, "held");
    assert_eq!(data["reviewMeetingHeld"]["actionItems"], json!([]));

    // Each due date was announced once, however many sweeps ran since.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    use throughline_domain::entity::outbox_event;
    let announced = outbox_event::Entity::find()
        .filter(outbox_event::Column::Kind.eq("review_action_item.due"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(announced, 3);
}
