//! A scorecard's reviews over HTTP and WebSocket: exceptions (red,
//! falling by more than a band, missing, late) for the last closed month
//! or any period, and the same items in the tenant's exceptions feed at
//! the scorecard's unit; status changes announced once to the scorecard's
//! followers and never taken for design changes; per-period commentary
//! written by owners, versioned, refused to others; two tenants; and
//! statement counts constant however many scorecards or objectives.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use chrono::{Datelike, Months, NaiveDate, Utc};
use futures_util::SinkExt;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use throughline_domain::entity::outbox_event;
use throughline_domain::enums::Role;
use throughline_tests::metrics::{create_metric, record_values};
use throughline_tests::scorecard::{
    measured, mutate, objective, org_unit, scorecard, tenant_with_scorecard,
};
use throughline_tests::{Gql, TestApp, id_at, start, ws};

const EXCEPTIONS: &str = r#"
query($id: ID!, $period: Date, $kind: PeriodKind) { scorecard { exceptions(scorecardId: $id, period: $period, periodKind: $kind) {
  period { label } previousPeriod { label }
  items { objective { title } measure { metric { name } } reasons score status previousScore previousStatus text }
} } }"#;

const FEED: &str = r#"{ exceptions(first: 100) { totalCount edges { node {
  kind framework severity title reason subjectType orgUnit { name } explanation { text }
} } } }"#;

/// The first day of the month `back` months before this one.
fn month_start(back: u32) -> NaiveDate {
    let today = Utc::now().date_naive();
    NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap() - Months::new(back)
}

fn day(d: NaiveDate) -> String {
    d.to_string()
}

async fn exceptions(app: &TestApp, token: &str, card: &str, period: Value, kind: &str) -> Value {
    let r = app
        .gql(
            token,
            EXCEPTIONS,
            json!({ "id": card, "period": period, "kind": kind }),
        )
        .await;
    r.data()["scorecard"]["exceptions"].clone()
}

/// (what, reasons) of each item: the measure's metric, else the objective.
fn listed(view: &Value) -> Vec<(String, Vec<String>)> {
    view["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let what = i["measure"]["metric"]["name"]
                .as_str()
                .or(i["objective"]["title"].as_str())
                .unwrap()
                .to_string();
            let reasons = i["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_string())
                .collect();
            (what, reasons)
        })
        .collect()
}

fn scorecard_items(feed: &Value) -> Vec<(String, String, String)> {
    let mut items: Vec<(String, String, String)> = feed["exceptions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .filter(|n| n["framework"] == "scorecard")
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_string(),
                n["title"].as_str().unwrap().to_string(),
                n["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    items.sort();
    items
}

#[tokio::test]
async fn a_review_starts_from_what_is_red_falling_missing_or_late() {
    let app = start().await;
    let (admin, card, ps) = tenant_with_scorecard(&app, "acme").await;
    let (globex, globex_card, _) = tenant_with_scorecard(&app, "globex").await;
    let (last, before, older) = (month_start(1), month_start(2), month_start(3));
    let revenue = objective(&app, &admin, &card, &ps[0], "Grow revenue").await;
    let delight = objective(&app, &admin, &card, &ps[1], "Delight customers").await;
    let faster = objective(&app, &admin, &card, &ps[2], "Deliver faster").await;
    let skills = objective(&app, &admin, &card, &ps[3], "Skilled teams").await;
    // 8 → 2.67: red, and fell 5.33 points.
    measured(
        &app,
        &admin,
        &revenue,
        "Revenue",
        &[(&day(before), "120"), (&day(last), "40")],
    )
    .await;
    // 7.33 → 5.67: fell 1.67 points, less than a band.
    measured(
        &app,
        &admin,
        &delight,
        "NPS",
        &[(&day(before), "110"), (&day(last), "85")],
    )
    .await;
    // 10 → 6: yellow, but fell 4 points.
    measured(
        &app,
        &admin,
        &faster,
        "Cycle time",
        &[(&day(before), "150"), (&day(last), "80")],
    )
    .await;
    // A value last month, none this: missing.
    measured(
        &app,
        &admin,
        &skills,
        "Training hours",
        &[(&day(before), "100")],
    )
    .await;
    // Defined today with no values: new, not missing.
    measured(&app, &admin, &skills, "Engagement", &[]).await;

    let view = exceptions(&app, &admin, &card, Value::Null, "MONTH").await;
    let label = |d: NaiveDate| format!("{}-{:02}", d.year(), d.month());
    assert_eq!(
        view["period"]["label"],
        label(last),
        "the last closed month by default"
    );
    assert_eq!(view["previousPeriod"]["label"], label(before));
    let s = |v: &[&str]| v.iter().map(|r| r.to_string()).collect::<Vec<_>>();
    assert_eq!(
        listed(&view),
        [
            ("Grow revenue".to_string(), s(&["RED", "FALLING"])),
            ("Revenue".to_string(), s(&["RED", "FALLING"])),
            ("Deliver faster".to_string(), s(&["FALLING"])),
            ("Cycle time".to_string(), s(&["FALLING"])),
            ("Training hours".to_string(), s(&["MISSING"])),
        ],
        "worst first, then in the scorecard's order: {view}"
    );
    let revenue_item = &view["items"][1];
    assert_eq!(
        (
            &revenue_item["score"],
            &revenue_item["status"],
            &revenue_item["previousScore"],
            &revenue_item["previousStatus"]
        ),
        (&json!("2.67"), &json!("RED"), &json!("8"), &json!("GREEN"))
    );
    assert_eq!(
        revenue_item["text"],
        format!(
            "Revenue is red in {} (2.67), and fell from 8 to 2.67 since the period before",
            label(last)
        )
    );
    // The month before compares with the one before it: nothing is wrong then.
    let earlier = exceptions(&app, &admin, &card, json!(day(before)), "MONTH").await;
    assert_eq!(earlier["previousPeriod"]["label"], label(older));
    assert_eq!(earlier["items"], json!([]), "{earlier}");

    // The feed carries the same items, placed at the scorecard's unit.
    let feed = app.gql(&admin, FEED, json!({})).await;
    let feed = feed.data().clone();
    assert_eq!(
        scorecard_items(&feed),
        [
            (
                "scorecard.measure_falling".into(),
                "Cycle time (Deliver faster)".into(),
                "WARNING".into()
            ),
            (
                "scorecard.measure_missing".into(),
                "Training hours (Skilled teams)".into(),
                "WARNING".into()
            ),
            (
                "scorecard.measure_red".into(),
                "Revenue (Grow revenue)".into(),
                "CRITICAL".into()
            ),
            (
                "scorecard.objective_falling".into(),
                "Deliver faster".into(),
                "WARNING".into()
            ),
            (
                "scorecard.objective_red".into(),
                "Grow revenue".into(),
                "CRITICAL".into()
            ),
        ]
    );
    let node = feed["exceptions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["kind"] == "scorecard.objective_red")
        .unwrap();
    assert_eq!(node["orgUnit"]["name"], "Company");
    assert_eq!(node["subjectType"], "ScorecardObjective");
    assert!(
        node["explanation"]["text"]
            .as_str()
            .unwrap()
            .contains("On the scorecard \"acme company\""),
        "{node}"
    );

    // The other tenant sees none of it.
    let theirs = app.gql(&globex, FEED, json!({})).await;
    assert_eq!(scorecard_items(theirs.data()), []);
    let none = app
        .gql(
            &globex,
            EXCEPTIONS,
            json!({ "id": card, "period": null, "kind": "MONTH" }),
        )
        .await;
    assert_eq!(none.data()["scorecard"]["exceptions"], Value::Null);
    let own = exceptions(&app, &globex, &globex_card, Value::Null, "MONTH").await;
    assert_eq!(own["items"], json!([]));
}

#[tokio::test]
async fn a_quarter_with_fewer_values_than_its_closed_months_is_late() {
    let app = start().await;
    let (admin, _, ps) = tenant_with_scorecard(&app, "acme").await;
    let unit = org_unit(&app, &admin, "Operations", None).await;
    let card = scorecard(&app, &admin, "Operations", &unit).await;
    let ship = objective(&app, &admin, &card, &ps[2], "Ship reliably").await;
    // The last closed quarter (calendar quarters: the tenant's year starts
    // in January), with values for two of its three months.
    let this_quarter = {
        let m = month_start(0);
        NaiveDate::from_ymd_opt(m.year(), (m.month() - 1) / 3 * 3 + 1, 1).unwrap()
    };
    let quarter = this_quarter - Months::new(3);
    measured(
        &app,
        &admin,
        &ship,
        "Releases",
        &[
            (&day(quarter), "100"),
            (&day(quarter + Months::new(1)), "100"),
        ],
    )
    .await;
    let view = exceptions(&app, &admin, &card, json!(day(quarter)), "QUARTER").await;
    let late: Vec<&Value> = view["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["measure"]["metric"]["name"] == "Releases")
        .collect();
    assert_eq!(late.len(), 1, "{view}");
    assert!(
        late[0]["reasons"]
            .as_array()
            .unwrap()
            .contains(&json!("LATE"))
    );
    assert!(
        late[0]["text"]
            .as_str()
            .unwrap()
            .contains("is late: 2 of the 3 values due so far"),
        "{view}"
    );
}

#[tokio::test]
async fn the_feed_reads_every_scorecard_in_the_same_statements() {
    let app = start().await;
    let (admin, card, ps) = tenant_with_scorecard(&app, "acme").await;
    let (last, before) = (month_start(1), month_start(2));
    let grow = |card: String, n: usize| {
        let (app, admin, ps) = (&app, admin.clone(), ps.clone());
        async move {
            for i in 0..n {
                let o = objective(app, &admin, &card, &ps[i % 4], &format!("Objective {i}")).await;
                measured(
                    app,
                    &admin,
                    &o,
                    &format!("Metric {card} {i}"),
                    &[(&day(before), "120"), (&day(last), "40")],
                )
                .await;
            }
        }
    };
    grow(card.clone(), 2).await;
    let count = || async {
        app.gql(&admin, FEED, json!({})).await.data();
        let (r, statements) = app.count_statements(app.gql(&admin, FEED, json!({}))).await;
        (scorecard_items(r.data()).len(), statements)
    };
    let (few, few_statements) = count().await;
    for name in ["Sales", "Support", "Engineering"] {
        let unit = org_unit(&app, &admin, name, None).await;
        let other = scorecard(&app, &admin, name, &unit).await;
        grow(other, 3).await;
    }
    let (many, many_statements) = count().await;
    assert_eq!(
        (few, many),
        (2 * 2, 11 * 2),
        "each objective and its measure, red"
    );
    assert_eq!(
        few_statements, many_statements,
        "four scorecards cost the feed what one does"
    );
}

async fn heard(socket: &mut ws::Socket, field: &str) -> Value {
    let message = ws::next(socket).await.unwrap();
    assert_eq!(message["type"], "next", "{message}");
    message["payload"]["data"][field].clone()
}

fn follow_status(card: &str) -> String {
    format!(
        r#"subscription {{ scorecardStatusChanged(scorecardId: "{card}") {{
          measure {{ metric {{ name }} }} objective {{ title }}
          period {{ label }} status score previousPeriod {{ label }} previousStatus previousScore
        }} }}"#
    )
}

#[tokio::test]
async fn a_measure_changing_band_is_announced_once_to_its_scorecard_s_followers() {
    let app = start().await;
    let (acme, card, ps) = tenant_with_scorecard(&app, "acme").await;
    let (globex, their_card, their_ps) = tenant_with_scorecard(&app, "globex").await;
    let grow = objective(&app, &acme, &card, &ps[0], "Grow revenue").await;
    let revenue = measured(&app, &acme, &grow, "Revenue", &[("2026-09-01", "120")]).await;
    let delight = objective(&app, &acme, &card, &ps[1], "Delight customers").await;
    let nps = measured(&app, &acme, &delight, "NPS", &[]).await;
    let theirs = objective(&app, &globex, &their_card, &their_ps[0], "Theirs").await;
    let their_metric = measured(
        &app,
        &globex,
        &theirs,
        "Their revenue",
        &[("2026-09-01", "120")],
    )
    .await;
    app.settle().await;

    let member = app.token("acme", "member@acme.example", Role::Member);
    let mut ours = ws::connect(&app, json!({ "authorization": format!("Bearer {member}") })).await;
    ws::subscribe(&mut ours, &follow_status(&card)).await;
    let mut design = ws::connect(&app, json!({ "authorization": format!("Bearer {acme}") })).await;
    ws::subscribe(
        &mut design,
        &format!(r#"subscription {{ scorecardChanged(scorecardId: "{card}") {{ objectives {{ title }} }} }}"#),
    )
    .await;
    // Globex follows Acme's scorecard by its ID, and its own.
    let mut spying =
        ws::connect(&app, json!({ "authorization": format!("Bearer {globex}") })).await;
    ws::subscribe(&mut spying, &follow_status(&card)).await;
    let mut own = ws::connect(&app, json!({ "authorization": format!("Bearer {globex}") })).await;
    ws::subscribe(&mut own, &follow_status(&their_card)).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // A first value (blank → green) is no change; green → red is.
    record_values(&app, &acme, &nps, &[("2026-10-01", "110")]).await;
    record_values(&app, &acme, &revenue, &[("2026-10-01", "40")]).await;
    assert_eq!(
        heard(&mut ours, "scorecardStatusChanged").await,
        json!({
            "measure": { "metric": { "name": "Revenue" } },
            "objective": { "title": "Grow revenue" },
            "period": { "label": "2026-10" }, "status": "RED", "score": "2.67",
            "previousPeriod": { "label": "2026-09" }, "previousStatus": "GREEN", "previousScore": "8"
        })
    );
    // Still red, with another score: judged again, not announced.
    record_values(&app, &acme, &revenue, &[("2026-10-01", "45")]).await;
    // Red → green the month after.
    record_values(&app, &acme, &revenue, &[("2026-11-01", "130")]).await;
    let next = heard(&mut ours, "scorecardStatusChanged").await;
    assert_eq!(
        (
            &next["period"]["label"],
            &next["previousStatus"],
            &next["status"],
            &next["previousScore"]
        ),
        (
            &json!("2026-11"),
            &json!("RED"),
            &json!("GREEN"),
            &json!("3")
        )
    );
    // The same value recorded again (a redelivery, a resync) announces nothing.
    record_values(&app, &acme, &revenue, &[("2026-11-01", "130")]).await;
    app.settle().await;
    let announced = outbox_event::Entity::find()
        .filter(outbox_event::Column::Kind.eq("scorecard_measure.status_changed"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(announced, 2, "one event per change");

    // Globex hears its own scorecard's change first, and nothing of Acme's.
    record_values(&app, &globex, &their_metric, &[("2026-10-01", "10")]).await;
    assert_eq!(
        heard(&mut own, "scorecardStatusChanged").await["measure"]["metric"]["name"],
        "Their revenue"
    );
    mutate(
        &app,
        &acme,
        "updateObjective",
        "UpdateScorecardObjectiveInput",
        json!({ "id": grow, "version": 1, "title": "Grow revenue faster" }),
        "{ objective { title } }",
    )
    .await
    .data();
    // A design follower hears the rename first: status changes are not design changes.
    let changed = heard(&mut design, "scorecardChanged").await;
    assert_eq!(changed["objectives"][0]["title"], "Grow revenue faster");
    // The spy's socket is still open, and heard nothing: its first message
    // is the answer to a ping of ours.
    spying
        .send(ws::Message::text(json!({ "type": "ping" }).to_string()))
        .await
        .unwrap();
    assert_eq!(ws::next(&mut spying).await.unwrap()["type"], "pong");
}

const SET_COMMENTARY: &str = "{ commentary { id analysis recommendations version period { label } author { name } objective { title } measure { metric { name } } } }";

async fn comment(app: &TestApp, token: &str, input: Value) -> Gql {
    mutate(
        app,
        token,
        "setCommentary",
        "SetScorecardCommentaryInput",
        input,
        SET_COMMENTARY,
    )
    .await
}

async fn person(app: &TestApp, admin: &str, name: &str, email: &str) -> String {
    let r = app
        .gql(
            admin,
            "mutation($n: String!, $e: String!) { createPerson(input: {name: $n, email: $e}) { person { id } } }",
            json!({ "n": name, "e": email }),
        )
        .await;
    id_at(r.data(), "createPerson.person.id")
}

#[tokio::test]
async fn owners_write_each_period_s_commentary_and_no_one_else_does() {
    let app = start().await;
    let (admin, card, ps) = tenant_with_scorecard(&app, "acme").await;
    let (globex, _, _) = tenant_with_scorecard(&app, "globex").await;
    let ann = person(&app, &admin, "Ann", "ann@acme.example").await;
    let bob = person(&app, &admin, "Bob", "bob@acme.example").await;
    person(&app, &admin, "Carol", "carol@acme.example").await;
    let grow = mutate(
        &app,
        &admin,
        "createObjective",
        "CreateScorecardObjectiveInput",
        json!({ "scorecardId": card, "perspectiveId": ps[0], "title": "Grow revenue", "ownerId": ann }),
        "{ objective { id } }",
    )
    .await;
    let grow = id_at(grow.data(), "scorecard.createObjective.objective.id");
    let revenue = create_metric(&app, &admin, "Revenue", json!({ "ownerId": bob })).await;
    let measure = mutate(
        &app,
        &admin,
        "createMeasure",
        "CreateScorecardMeasureInput",
        json!({ "objectiveId": grow, "metricId": revenue, "scoringType": "YES_NO" }),
        "{ measure { id } }",
    )
    .await;
    let measure = id_at(measure.data(), "scorecard.createMeasure.measure.id");
    let [ann_t, bob_t, carol_t] = ["ann", "bob", "carol"]
        .map(|n| app.token("acme", &format!("{n}@acme.example"), Role::Member));

    // The objective's owner writes its commentary for October.
    let first = comment(
        &app,
        &ann_t,
        json!({ "objectiveId": grow, "period": "2026-10-20", "analysis": "  Two deals slipped into November.  ",
                "recommendations": "Add a second closer" }),
    )
    .await;
    let first = first.data()["scorecard"]["setCommentary"]["commentary"].clone();
    assert_eq!(
        (
            &first["analysis"],
            &first["version"],
            &first["period"]["label"],
            &first["author"]["name"]
        ),
        (
            &json!("Two deals slipped into November."),
            &json!(1),
            &json!("2026-10"),
            &json!("Ann")
        )
    );
    // Rewriting takes the version read.
    let again = comment(
        &app,
        &ann_t,
        json!({ "objectiveId": grow, "period": "2026-10-01", "analysis": "Slipped" }),
    )
    .await;
    assert_eq!(
        (again.code(), again.field()),
        ("VALIDATION", "input.version")
    );
    let second = comment(
        &app,
        &ann_t,
        json!({ "objectiveId": grow, "period": "2026-10-01", "analysis": "Both deals closed on 2 November", "version": 1 }),
    )
    .await;
    assert_eq!(
        second.data()["scorecard"]["setCommentary"]["commentary"]["version"],
        2
    );
    assert_eq!(
        second.data()["scorecard"]["setCommentary"]["commentary"]["recommendations"],
        Value::Null,
        "omitted recommendations are cleared: the commentary is rewritten whole"
    );
    let stale = comment(
        &app,
        &ann_t,
        json!({ "objectiveId": grow, "period": "2026-10-01", "analysis": "x", "version": 1 }),
    )
    .await;
    assert_eq!(stale.code(), "CONFLICT");
    // A measure's: its metric's owner, or its objective's.
    let on_measure = comment(
        &app,
        &bob_t,
        json!({ "measureId": measure, "period": "2026-10-01", "analysis": "Booked late" }),
    )
    .await;
    assert_eq!(
        on_measure.data()["scorecard"]["setCommentary"]["commentary"]["measure"]["metric"]["name"],
        "Revenue"
    );
    comment(&app, &ann_t, json!({ "measureId": measure, "period": "2026-10-01", "analysis": "Booked late; fixed", "version": 1 }))
        .await
        .data();

    // Refused, and nothing written.
    let future = Utc::now().date_naive() + chrono::Duration::days(70);
    let long = "x".repeat(10_001);
    for (token, input, code, field) in [
        (
            &carol_t,
            json!({ "objectiveId": grow, "period": "2026-09-01", "analysis": "Mine" }),
            "FORBIDDEN",
            "",
        ),
        (
            &carol_t,
            json!({ "measureId": measure, "period": "2026-09-01", "analysis": "Mine" }),
            "FORBIDDEN",
            "",
        ),
        (
            &bob_t,
            json!({ "objectiveId": grow, "period": "2026-09-01", "analysis": "Not his" }),
            "FORBIDDEN",
            "",
        ),
        (
            &ann_t,
            json!({ "objectiveId": grow, "period": future.to_string(), "analysis": "Soon" }),
            "VALIDATION",
            "input.period",
        ),
        (
            &ann_t,
            json!({ "objectiveId": grow, "period": "9999-12-31", "analysis": "Far" }),
            "BAD_USER_INPUT",
            "variables.input",
        ),
        (
            &ann_t,
            json!({ "objectiveId": grow, "measureId": measure, "period": "2026-09-01", "analysis": "Both" }),
            "VALIDATION",
            "input.objectiveId",
        ),
        (
            &ann_t,
            json!({ "period": "2026-09-01", "analysis": "Neither" }),
            "VALIDATION",
            "input.objectiveId",
        ),
        (
            &ann_t,
            json!({ "objectiveId": grow, "period": "2026-09-01", "analysis": "   " }),
            "VALIDATION",
            "input.analysis",
        ),
        // NUL is refused with the variables, before any resolver; a bell here.
        (
            &ann_t,
            json!({ "objectiveId": grow, "period": "2026-09-01", "analysis": "a\u{0}b" }),
            "VALIDATION",
            "variables.input",
        ),
        (
            &ann_t,
            json!({ "objectiveId": grow, "period": "2026-09-01", "analysis": "a\u{7}b" }),
            "VALIDATION",
            "input.analysis",
        ),
        (
            &ann_t,
            json!({ "objectiveId": grow, "period": "2026-09-01", "analysis": long }),
            "VALIDATION",
            "input.analysis",
        ),
        (
            &ann_t,
            json!({ "objectiveId": grow, "period": "2026-09-01", "analysis": "ok", "recommendations": "x".repeat(10_001) }),
            "VALIDATION",
            "input.recommendations",
        ),
        (
            &globex,
            json!({ "objectiveId": grow, "period": "2026-09-01", "analysis": "Theirs" }),
            "VALIDATION",
            "input.objectiveId",
        ),
    ] {
        let r = comment(&app, token, input.clone()).await;
        assert_eq!(r.code(), code, "{input}: {:?}", r.body);
        if !field.is_empty() {
            assert_eq!(r.field(), field, "{input}");
        }
    }

    // Read beside the scores: every objective's and measure's in one go.
    const READ: &str = r#"query($id: ID!) { scorecard { scorecard(id: $id) { objectives {
      title
      commentary(period: "2026-10-05") { analysis version author { name } }
      commentaries(from: "2026-08-01", to: "2026-11-30") { period { label } }
      measures { commentary(period: "2026-10-05") { analysis author { name } } }
    } } } }"#;
    let read = app.gql(&ann_t, READ, json!({ "id": card })).await;
    let objectives = &read.data()["scorecard"]["scorecard"]["objectives"];
    assert_eq!(
        objectives[0]["commentary"],
        json!({ "analysis": "Both deals closed on 2 November", "version": 2, "author": { "name": "Ann" } })
    );
    assert_eq!(
        objectives[0]["commentaries"],
        json!([{ "period": { "label": "2026-10" } }])
    );
    assert_eq!(
        objectives[0]["measures"][0]["commentary"],
        json!({ "analysis": "Booked late; fixed", "author": { "name": "Ann" } })
    );
    // The other tenant cannot reach it by ID.
    let id = first["id"].as_str().unwrap();
    let theirs = app
        .gql(
            &globex,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(theirs.data()["node"], Value::Null);
    let mine = app
        .gql(
            &carol_t,
            "query($id: ID!) { node(id: $id) { ... on ScorecardCommentary { analysis } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        mine.data()["node"]["analysis"],
        "Both deals closed on 2 November"
    );

    // Commentary costs the same statements for three objectives as for one.
    let (_, one) = app
        .count_statements(app.gql(&ann_t, READ, json!({ "id": card })))
        .await;
    for title in ["Delight customers", "Deliver faster"] {
        let o = objective(&app, &admin, &card, &ps[1], title).await;
        measured(&app, &admin, &o, &format!("{title} metric"), &[]).await;
        comment(
            &app,
            &admin,
            json!({ "objectiveId": o, "period": "2026-10-01", "analysis": "Admins write any" }),
        )
        .await
        .data();
    }
    app.gql(&ann_t, READ, json!({ "id": card })).await.data();
    let (_, three) = app
        .count_statements(app.gql(&ann_t, READ, json!({ "id": card })))
        .await;
    assert_eq!(
        one, three,
        "commentary is read in one statement however many objectives"
    );

    // Deleting takes the version read.
    let deleted = mutate(
        &app,
        &ann_t,
        "deleteCommentary",
        "DeleteScorecardCommentaryInput",
        json!({ "id": id, "version": 2 }),
        "{ deletedId }",
    )
    .await;
    assert_eq!(
        deleted.data()["scorecard"]["deleteCommentary"]["deletedId"],
        id
    );
    let read = app.gql(&ann_t, READ, json!({ "id": card })).await;
    assert_eq!(
        read.data()["scorecard"]["scorecard"]["objectives"][0]["commentary"],
        Value::Null
    );
}

const INITIATIVE: &str =
    "{ initiative { id version title status percentComplete budget actualCost countsTowardScore
  owner { name } objectives { title }
  milestones { id title dueOn doneOn overdue }
  health { status expectedPercentComplete overdueMilestones overBudget score text } } }";

async fn initiative(app: &TestApp, token: &str, field: &str, input: Value) -> Gql {
    let input_type = match field {
        "createInitiative" => "CreateScorecardInitiativeInput",
        "updateInitiative" => "UpdateScorecardInitiativeInput",
        _ => "DeleteScorecardInitiativeInput",
    };
    let select = if field == "deleteInitiative" {
        "{ deletedId }"
    } else {
        INITIATIVE
    };
    mutate(app, token, field, input_type, input, select).await
}

#[tokio::test]
async fn initiatives_show_their_health_on_their_objectives_and_count_only_when_asked() {
    let app = start().await;
    let (admin, card, ps) = tenant_with_scorecard(&app, "acme").await;
    let (globex, globex_card, globex_ps) = tenant_with_scorecard(&app, "globex").await;
    let dan = person(&app, &admin, "Dan", "dan@acme.example").await;
    person(&app, &admin, "Carol", "carol@acme.example").await;
    let grow = objective(&app, &admin, &card, &ps[0], "Grow revenue").await;
    let deliver = objective(&app, &admin, &card, &ps[2], "Deliver faster").await;
    let theirs = objective(&app, &globex, &globex_card, &globex_ps[0], "Theirs").await;
    let today = Utc::now().date_naive();
    let this_month = day(month_start(0));
    measured(&app, &admin, &grow, "Revenue", &[(&this_month, "120")]).await;
    let (starts, ends) = (
        today - chrono::Duration::days(10),
        today + chrono::Duration::days(9),
    );

    let created = initiative(
        &app,
        &admin,
        "createInitiative",
        json!({ "title": "Launch in the EU", "ownerId": dan, "startsOn": day(starts), "endsOn": day(ends),
                "objectiveIds": [grow, deliver, grow], "status": "AT_RISK", "percentComplete": 11,
                "budget": "1000", "actualCost": "1200.50",
                "milestones": [{ "title": "Pilot", "dueOn": day(today - chrono::Duration::days(2)) },
                               { "title": "Rollout", "dueOn": day(today + chrono::Duration::days(5)) }] }),
    )
    .await;
    let created = created.data()["scorecard"]["createInitiative"]["initiative"].clone();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(
        created["objectives"],
        json!([{ "title": "Grow revenue" }, { "title": "Deliver faster" }]),
        "each objective once"
    );
    // 11 of its 20 days have begun: 55% expected, 11% done scores 2.
    assert_eq!(
        created["health"],
        json!({ "status": "AT_RISK", "expectedPercentComplete": 55, "overdueMilestones": 1, "overBudget": true,
                "score": "2", "text": format!("11% complete where its dates call for 55% by {today}; 1 milestone overdue; over budget") })
    );
    assert_eq!(created["milestones"][0]["overdue"], true);

    const OBJECTIVES: &str = r#"query($id: ID!, $p: Date) { scorecard { scorecard(id: $id) { objectives {
      title
      score(period: $p) { score leading { score } lagging { score } explanation { text } }
      initiatives { title owner { name } health { score } milestones { title } objectives { title } }
    } } } }"#;
    let read = |token: String| {
        let (app, card, this_month) = (&app, card.clone(), this_month.clone());
        async move {
            let r = app
                .gql(&token, OBJECTIVES, json!({ "id": card, "p": this_month }))
                .await;
            r.data()["scorecard"]["scorecard"]["objectives"].clone()
        }
    };
    let before = read(admin.clone()).await;
    assert_eq!(before[0]["initiatives"][0]["title"], "Launch in the EU");
    assert_eq!(before[1]["initiatives"][0]["owner"]["name"], "Dan");
    assert_eq!(
        before[0]["score"]["score"], "8",
        "not counted unless asked: {before}"
    );

    // Counted: a leading child of weight 1 beside the measure.
    let counted = initiative(
        &app,
        &admin,
        "updateInitiative",
        json!({ "id": id, "version": 1, "countsTowardScore": true }),
    )
    .await;
    assert_eq!(
        counted.data()["scorecard"]["updateInitiative"]["initiative"]["version"],
        2
    );
    let after = read(admin.clone()).await;
    assert_eq!(
        (
            &after[0]["score"]["score"],
            &after[0]["score"]["leading"]["score"],
            &after[0]["score"]["lagging"]["score"]
        ),
        (&json!("5"), &json!("2"), &json!("8"))
    );
    assert!(
        after[0]["score"]["explanation"]["text"]
            .as_str()
            .unwrap()
            .contains("initiative Launch in the EU"),
        "{after}"
    );
    assert_eq!(after[1]["score"]["score"], "2");

    // Its owner reports progress, and only progress.
    let dan_t = app.token("acme", "dan@acme.example", Role::Member);
    let pilot = created["milestones"][0]["id"].clone();
    let progress = initiative(
        &app,
        &dan_t,
        "updateInitiative",
        json!({ "id": id, "version": 2, "status": "ON_TRACK", "percentComplete": 55, "actualCost": "900",
                "milestones": [{ "id": pilot, "title": "Pilot", "dueOn": day(today - chrono::Duration::days(2)), "doneOn": day(today) }] }),
    )
    .await;
    let progress = progress.data()["scorecard"]["updateInitiative"]["initiative"].clone();
    assert_eq!(
        (
            &progress["health"]["score"],
            &progress["health"]["overdueMilestones"],
            &progress["health"]["overBudget"]
        ),
        (&json!("10"), &json!(0), &json!(false))
    );
    assert_eq!(
        progress["milestones"].as_array().unwrap().len(),
        1,
        "the list is replaced"
    );
    assert_eq!(
        progress["milestones"][0]["id"], pilot,
        "a milestone sent with its id is kept"
    );
    let carol_t = app.token("acme", "carol@acme.example", Role::Member);
    let long_list: Vec<Value> = (0..51)
        .map(|i| json!({ "title": format!("Step {i}"), "dueOn": day(today) }))
        .collect();
    let create = |fields: Value| {
        let mut input = json!({ "title": "Another", "startsOn": day(starts), "endsOn": day(ends), "objectiveIds": [grow] });
        input
            .as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        input
    };
    for (token, field, input, code, path) in [
        (
            &dan_t,
            "updateInitiative",
            json!({ "id": id, "version": 3, "title": "Mine now" }),
            "FORBIDDEN",
            "",
        ),
        (
            &carol_t,
            "updateInitiative",
            json!({ "id": id, "version": 3, "percentComplete": 99 }),
            "FORBIDDEN",
            "",
        ),
        (
            &admin,
            "updateInitiative",
            json!({ "id": id, "version": 2, "percentComplete": 60 }),
            "CONFLICT",
            "",
        ),
        (
            &admin,
            "updateInitiative",
            json!({ "id": id, "version": 3, "endsOn": day(today - chrono::Duration::days(5)) }),
            "VALIDATION",
            "input.milestones[0].dueOn",
        ),
        (
            &dan_t,
            "createInitiative",
            create(json!({})),
            "FORBIDDEN",
            "",
        ),
        (
            &admin,
            "createInitiative",
            create(json!({ "endsOn": day(starts - chrono::Duration::days(1)) })),
            "VALIDATION",
            "input.endsOn",
        ),
        (
            &admin,
            "createInitiative",
            create(json!({ "percentComplete": 101 })),
            "VALIDATION",
            "input.percentComplete",
        ),
        (
            &admin,
            "createInitiative",
            create(json!({ "budget": "-1" })),
            "VALIDATION",
            "input.budget",
        ),
        (
            &admin,
            "createInitiative",
            create(json!({ "actualCost": "10000000000000000" })),
            "VALIDATION",
            "input.actualCost",
        ),
        (
            &admin,
            "createInitiative",
            create(json!({ "objectiveIds": [] })),
            "VALIDATION",
            "input.objectiveIds",
        ),
        (
            &admin,
            "createInitiative",
            create(json!({ "objectiveIds": [grow, theirs] })),
            "VALIDATION",
            "input.objectiveIds[1]",
        ),
        (
            &admin,
            "createInitiative",
            create(json!({ "title": " " })),
            "VALIDATION",
            "input.title",
        ),
        (
            &admin,
            "createInitiative",
            create(
                json!({ "milestones": [{ "title": "Late", "dueOn": day(ends + chrono::Duration::days(1)) }] }),
            ),
            "VALIDATION",
            "input.milestones[0].dueOn",
        ),
        (
            &admin,
            "createInitiative",
            create(json!({ "milestones": long_list })),
            "VALIDATION",
            "input.milestones",
        ),
        (
            &admin,
            "updateInitiative",
            json!({ "id": id, "version": 3, "milestones": [{ "id": created["milestones"][1]["id"], "title": "Gone", "dueOn": day(today) }] }),
            "VALIDATION",
            "input.milestones[0].id",
        ),
        (
            &globex,
            "updateInitiative",
            json!({ "id": id, "version": 3, "percentComplete": 1 }),
            "NOT_FOUND",
            "",
        ),
    ] {
        let r = initiative(&app, token, field, input.clone()).await;
        assert_eq!(r.code(), code, "{field} {input}: {:?}", r.body);
        if !path.is_empty() {
            assert_eq!(r.field(), path, "{field} {input}");
        }
    }
    let list = app
        .gql(&admin, "{ scorecard { initiatives { totalCount edges { node { version percentComplete } } } } }", json!({}))
        .await;
    assert_eq!(
        list.data()["scorecard"]["initiatives"],
        json!({ "totalCount": 1, "edges": [{ "node": { "version": 3, "percentComplete": 55 } }] }),
        "refusals write nothing"
    );
    let none = app
        .gql(
            &globex,
            "{ scorecard { initiatives { totalCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(none.data()["scorecard"]["initiatives"]["totalCount"], 0);
    let node = app
        .gql(
            &globex,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(node.data()["node"], Value::Null);

    // The same statements for two objectives' initiatives as for five.
    read(admin.clone()).await;
    let (_, two) = app.count_statements(read(admin.clone())).await;
    for i in 0..3 {
        let o = objective(&app, &admin, &card, &ps[1], &format!("Objective {i}")).await;
        initiative(
            &app,
            &admin,
            "createInitiative",
            json!({ "title": format!("Project {i}"), "ownerId": dan, "startsOn": day(starts), "endsOn": day(ends),
                    "objectiveIds": [o, grow], "milestones": [{ "title": "Start", "dueOn": day(starts) }] }),
        )
        .await
        .data();
    }
    read(admin.clone()).await;
    let (_, five) = app.count_statements(read(admin.clone())).await;
    assert_eq!(
        two, five,
        "initiatives are read in a constant number of statements"
    );

    let gone = initiative(
        &app,
        &admin,
        "deleteInitiative",
        json!({ "id": id, "version": 3 }),
    )
    .await;
    assert_eq!(
        gone.data()["scorecard"]["deleteInitiative"]["deletedId"],
        id
    );
    let left = read(admin.clone()).await;
    assert!(
        left[1]["initiatives"].as_array().unwrap().is_empty(),
        "{left}"
    );
}

const CASCADE: &str = r#"query($id: ID!) { scorecard { scorecard(id: $id) { objectives {
  title
  score(period: "2026-10-10") { score leading { score } lagging { score } explanation { text } }
  contributors { title scorecard { title } }
} } } }"#;

async fn contributor(app: &TestApp, token: &str, field: &str, parent: &str, child: &str) -> Gql {
    mutate(
        app,
        token,
        field,
        "ScorecardContributorInput",
        json!({ "objectiveId": parent, "contributorId": child }),
        "{ objective { title contributors { title } } }",
    )
    .await
}

#[tokio::test]
async fn objectives_below_count_in_their_parent_without_a_copy() {
    let app = start().await;
    let (admin, company, ps) = tenant_with_scorecard(&app, "acme").await;
    let (globex, globex_card, globex_ps) = tenant_with_scorecard(&app, "globex").await;
    let root = app
        .gql(
            &admin,
            "query($id: ID!) { scorecard { scorecard(id: $id) { orgUnit { id } } } }",
            json!({ "id": company }),
        )
        .await;
    let root = id_at(root.data(), "scorecard.scorecard.orgUnit.id");
    let grow = objective(&app, &admin, &company, &ps[0], "Grow recurring revenue").await;
    measured(&app, &admin, &grow, "ARR", &[("2026-10-01", "150")]).await;
    let mut regions = Vec::new();
    for (name, value) in [
        ("EMEA", "120"),
        ("APAC", "40"),
        ("Americas", "100"),
        ("Nordics", "90"),
    ] {
        let unit = org_unit(&app, &admin, name, Some(&root)).await;
        let card = scorecard(&app, &admin, &format!("{name} scorecard"), &unit).await;
        let o = objective(&app, &admin, &card, &ps[0], &format!("Grow {name} revenue")).await;
        measured(
            &app,
            &admin,
            &o,
            &format!("{name} revenue"),
            &[("2026-10-01", value)],
        )
        .await;
        regions.push((card, o));
    }
    let score_of = |data: &Value| data["scorecard"]["scorecard"]["objectives"][0]["score"].clone();
    let before = app.gql(&admin, CASCADE, json!({ "id": company })).await;
    assert_eq!(score_of(before.data())["score"], "10");

    // EMEA (8) and APAC (2.67) count in the company's objective (10).
    for (_, child) in &regions[..2] {
        contributor(&app, &admin, "addContributor", &grow, child)
            .await
            .data();
    }
    let after = app.gql(&admin, CASCADE, json!({ "id": company })).await;
    let objective_now = &after.data()["scorecard"]["scorecard"]["objectives"][0];
    assert_eq!(
        objective_now["score"]["score"], "6.89",
        "(10 + 8 + 2.67) / 3: {objective_now}"
    );
    assert!(
        objective_now["score"]["explanation"]["text"]
            .as_str()
            .unwrap()
            .contains("contributor Grow EMEA revenue"),
        "{objective_now}"
    );
    assert_eq!(
        objective_now["contributors"],
        json!([
            { "title": "Grow EMEA revenue", "scorecard": { "title": "EMEA scorecard" } },
            { "title": "Grow APAC revenue", "scorecard": { "title": "APAC scorecard" } }
        ])
    );
    // Recording a value below moves the parent: nothing was copied.
    let emea_metric = app
        .gql(
            &admin,
            "{ metrics(first: 100) { nodes { id name } } }",
            json!({}),
        )
        .await;
    let emea_metric = emea_metric.data()["metrics"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "EMEA revenue")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    record_values(&app, &admin, &emea_metric, &[("2026-10-01", "150")]).await;
    let moved = app.gql(&admin, CASCADE, json!({ "id": company })).await;
    assert_eq!(
        score_of(moved.data())["score"],
        "7.56",
        "(10 + 10 + 2.67) / 3"
    );
    let above = app
        .gql(&admin, "query($id: ID!) { node(id: $id) { ... on ScorecardObjective { contributesTo { title } } } }", json!({ "id": regions[0].1 }))
        .await;
    assert_eq!(
        above.data()["node"]["contributesTo"],
        json!([{ "title": "Grow recurring revenue" }])
    );

    // Refused, and nothing written.
    let company_other = objective(&app, &admin, &company, &ps[1], "Delight customers").await;
    let member = app.token("acme", "member@acme.example", Role::Member);
    let theirs = objective(&app, &globex, &globex_card, &globex_ps[0], "Theirs").await;
    for (token, parent, child, code) in [
        (&admin, &grow, &company_other, "VALIDATION"),
        (&admin, &regions[0].1, &grow, "VALIDATION"),
        (&admin, &grow, &regions[0].1, "VALIDATION"),
        (&admin, &grow, &theirs, "VALIDATION"),
        (&member, &grow, &regions[2].1, "FORBIDDEN"),
    ] {
        let r = contributor(&app, token, "addContributor", parent, child).await;
        assert_eq!(r.code(), code, "{:?}", r.body);
        if code == "VALIDATION" {
            assert_eq!(r.field(), "input.contributorId", "{:?}", r.body);
        }
    }
    let unchanged = app.gql(&admin, CASCADE, json!({ "id": company })).await;
    assert_eq!(score_of(unchanged.data())["score"], "7.56");

    // Two contributors more cost no statement more.
    app.gql(&admin, CASCADE, json!({ "id": company }))
        .await
        .data();
    let (_, two) = app
        .count_statements(app.gql(&admin, CASCADE, json!({ "id": company })))
        .await;
    for (_, child) in &regions[2..] {
        contributor(&app, &admin, "addContributor", &grow, child)
            .await
            .data();
    }
    app.gql(&admin, CASCADE, json!({ "id": company }))
        .await
        .data();
    let (four_contributors, four) = app
        .count_statements(app.gql(&admin, CASCADE, json!({ "id": company })))
        .await;
    assert_eq!(
        four_contributors.data()["scorecard"]["scorecard"]["objectives"][0]["contributors"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(two, four, "the scorecards below are read together");

    // Removing one takes it out of the score.
    for (_, child) in &regions[1..] {
        contributor(&app, &admin, "removeContributor", &grow, child)
            .await
            .data();
    }
    let back = app.gql(&admin, CASCADE, json!({ "id": company })).await;
    assert_eq!(score_of(back.data())["score"], "10", "(10 + 10) / 2");
    let gone = contributor(&app, &admin, "removeContributor", &grow, &regions[1].1).await;
    assert_eq!(
        (gone.code(), gone.field()),
        ("VALIDATION", "input.contributorId")
    );
}

const LINKED: &str = r#"query($id: ID!) { scorecard { scorecard(id: $id) {
  score(period: "2026-10-10") { score explanation { text } }
  linkedObjectives { title scorecard { title } }
  perspectives {
    perspective { name }
    score(period: "2026-10-10") { score explanation { text } }
    objectives { title }
    linkedObjectives { title score(period: "2026-10-10") { score } }
  }
  objectives {
    title
    score(period: "2026-10-10") { score explanation { text } }
    measures { metric { name } }
    linkedMeasures { metric { name } objective { title } score(period: "2026-10-10") { score value } }
  }
  strategyMap(period: "2026-10-10") { nodes { objective { title } score } }
} } }"#;

async fn link(app: &TestApp, token: &str, field: &str, input: Value) -> Gql {
    let (input_type, select) = if field.ends_with("Objective") {
        (
            "ScorecardLinkObjectiveInput",
            "{ scorecard { linkedObjectives { title } } }",
        )
    } else {
        (
            "ScorecardLinkMeasureInput",
            "{ objective { linkedMeasures { metric { name } } } }",
        )
    };
    mutate(app, token, field, input_type, input, select).await
}

/// The ID of the first measure under `objective`.
async fn measure_of(app: &TestApp, token: &str, objective: &str) -> String {
    let r = app
        .gql(
            token,
            "query($id: ID!) { node(id: $id) { ... on ScorecardObjective { measures { id } } } }",
            json!({ "id": objective }),
        )
        .await;
    r.data()["node"]["measures"][0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_child_scorecard_links_objectives_and_measures_from_above_without_a_copy() {
    let app = start().await;
    let (admin, company, ps) = tenant_with_scorecard(&app, "acme").await;
    let (globex, theirs, _) = tenant_with_scorecard(&app, "globex").await;
    let root = app
        .gql(
            &admin,
            "query($id: ID!) { scorecard { scorecard(id: $id) { orgUnit { id } } } }",
            json!({ "id": company }),
        )
        .await;
    let root = id_at(root.data(), "scorecard.scorecard.orgUnit.id");
    // The company: ARR 150 scores 10, NPS 75 scores 5 (goal 100, red flag 50).
    let grow = objective(&app, &admin, &company, &ps[0], "Grow recurring revenue").await;
    measured(&app, &admin, &grow, "ARR", &[("2026-10-01", "150")]).await;
    let arr = measure_of(&app, &admin, &grow).await;
    let delight = objective(&app, &admin, &company, &ps[1], "Delight customers").await;
    let nps = measured(&app, &admin, &delight, "NPS", &[("2026-10-01", "75")]).await;
    // EMEA, below it: its own revenue (40) scores 2.67.
    let emea_unit = org_unit(&app, &admin, "EMEA", Some(&root)).await;
    let emea = scorecard(&app, &admin, "EMEA scorecard", &emea_unit).await;
    let emea_grow = objective(&app, &admin, &emea, &ps[0], "Grow EMEA revenue").await;
    measured(
        &app,
        &admin,
        &emea_grow,
        "EMEA revenue",
        &[("2026-10-01", "40")],
    )
    .await;
    let emea_revenue = measure_of(&app, &admin, &emea_grow).await;

    link(
        &app,
        &admin,
        "linkObjective",
        json!({ "scorecardId": emea, "objectiveId": delight }),
    )
    .await
    .data();
    let r = link(
        &app,
        &admin,
        "linkMeasure",
        json!({ "objectiveId": emea_grow, "measureId": arr }),
    )
    .await;
    assert_eq!(
        r.data()["scorecard"]["linkMeasure"]["objective"]["linkedMeasures"],
        json!([{ "metric": { "name": "ARR" } }])
    );
    let read = app.gql(&admin, LINKED, json!({ "id": emea })).await;
    let card = &read.data()["scorecard"]["scorecard"];
    assert_eq!(
        card["linkedObjectives"],
        json!([{ "title": "Delight customers", "scorecard": { "title": "acme company" } }])
    );
    // Financial: EMEA's objective, (2.67 + ARR's 10) / 2; Customer: the
    // company's objective, scored where it lives (5).
    let emea_objective = &card["objectives"][0];
    assert_eq!(emea_objective["score"]["score"], "6.34", "{emea_objective}");
    assert!(
        emea_objective["score"]["explanation"]["text"]
            .as_str()
            .unwrap()
            .contains("ARR 10 × 1"),
        "{emea_objective}"
    );
    assert_eq!(
        emea_objective["measures"],
        json!([{ "metric": { "name": "EMEA revenue" } }]),
        "its own measures stay its own"
    );
    assert_eq!(
        emea_objective["linkedMeasures"],
        json!([{ "metric": { "name": "ARR" }, "objective": { "title": "Grow recurring revenue" },
                 "score": { "score": "10", "value": "150" } }])
    );
    let customer = &card["perspectives"][1];
    assert_eq!(customer["perspective"]["name"], "Customer");
    assert_eq!(customer["objectives"], json!([]));
    assert_eq!(
        customer["linkedObjectives"],
        json!([{ "title": "Delight customers", "score": { "score": "5" } }])
    );
    assert_eq!(customer["score"]["score"], "5");
    assert!(
        customer["score"]["explanation"]["text"]
            .as_str()
            .unwrap()
            .contains("Delight customers 5 × 1"),
        "{customer}"
    );
    assert_eq!(card["score"]["score"], "5.67", "(6.34 + 5) / 2");
    let on_map: Vec<&str> = card["strategyMap"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["objective"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(on_map, ["Grow EMEA revenue", "Delight customers"]);

    // Where each item is used, from above.
    let used = app
        .gql(
            &admin,
            r#"query($o: ID!, $m: ID!) {
              o: node(id: $o) { ... on ScorecardObjective { linkedTo { title } } }
              m: node(id: $m) { ... on ScorecardMeasure { linkedUnder { title } } } }"#,
            json!({ "o": delight, "m": arr }),
        )
        .await;
    assert_eq!(
        used.data(),
        &json!({ "o": { "linkedTo": [{ "title": "EMEA scorecard" }] },
                 "m": { "linkedUnder": [{ "title": "Grow EMEA revenue" }] } })
    );

    // A value recorded above moves the child: nothing was copied.
    record_values(&app, &admin, &nps, &[("2026-10-01", "100")]).await;
    let moved = app.gql(&admin, LINKED, json!({ "id": emea })).await;
    assert_eq!(
        moved.data()["scorecard"]["scorecard"]["score"]["score"],
        "6.51",
        "(6.34 + 6.67) / 2"
    );
    // The company's own scores are untouched by what is linked below.
    let company_read = app.gql(&admin, LINKED, json!({ "id": company })).await;
    assert_eq!(
        company_read.data()["scorecard"]["scorecard"]["objectives"][0]["score"]["score"],
        "10"
    );

    // Refused, each naming its field, and nothing written.
    let member = app.token("acme", "member@acme.example", Role::Member);
    for (token, field, input, code, at) in [
        (
            &admin,
            "linkObjective",
            json!({ "scorecardId": emea, "objectiveId": delight }),
            "VALIDATION",
            "input.objectiveId",
        ),
        (
            &admin,
            "linkObjective",
            json!({ "scorecardId": company, "objectiveId": grow }),
            "VALIDATION",
            "input.objectiveId",
        ),
        (
            &admin,
            "linkObjective",
            json!({ "scorecardId": company, "objectiveId": emea_grow }),
            "VALIDATION",
            "input.objectiveId",
        ),
        (
            &admin,
            "linkObjective",
            json!({ "scorecardId": theirs, "objectiveId": delight }),
            "VALIDATION",
            "input.scorecardId",
        ),
        (
            &member,
            "linkObjective",
            json!({ "scorecardId": emea, "objectiveId": grow }),
            "FORBIDDEN",
            "",
        ),
        (
            &admin,
            "linkMeasure",
            json!({ "objectiveId": emea_grow, "measureId": arr }),
            "VALIDATION",
            "input.measureId",
        ),
        (
            &admin,
            "linkMeasure",
            json!({ "objectiveId": emea_grow, "measureId": emea_revenue }),
            "VALIDATION",
            "input.measureId",
        ),
        (
            &admin,
            "linkMeasure",
            json!({ "objectiveId": grow, "measureId": emea_revenue }),
            "VALIDATION",
            "input.measureId",
        ),
        (
            &admin,
            "linkMeasure",
            json!({ "objectiveId": emea_grow, "measureId": theirs }),
            "VALIDATION",
            "input.measureId",
        ),
    ] {
        let r = link(&app, token, field, input.clone()).await;
        assert_eq!(r.code(), code, "{field} {input}: {:?}", r.body);
        if !at.is_empty() {
            assert_eq!(r.field(), at, "{field} {input}: {:?}", r.body);
        }
    }
    // Another tenant sees none of it.
    let hidden = app
        .gql(
            &globex,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": delight }),
        )
        .await;
    assert_eq!(hidden.data()["node"], Value::Null);

    // More linked items cost no statement more.
    let statements = |id: String| {
        let app = &app;
        let admin = &admin;
        async move {
            app.gql(admin, LINKED, json!({ "id": id })).await.data();
            app.count_statements(app.gql(admin, LINKED, json!({ "id": id })))
                .await
                .1
        }
    };
    let two = statements(emea.clone()).await;
    let lean = objective(&app, &admin, &company, &ps[2], "Run lean").await;
    measured(
        &app,
        &admin,
        &lean,
        "Cost per order",
        &[("2026-10-01", "60")],
    )
    .await;
    let cost = measure_of(&app, &admin, &lean).await;
    link(
        &app,
        &admin,
        "linkObjective",
        json!({ "scorecardId": emea, "objectiveId": lean }),
    )
    .await
    .data();
    link(
        &app,
        &admin,
        "linkMeasure",
        json!({ "objectiveId": emea_grow, "measureId": cost }),
    )
    .await
    .data();
    assert_eq!(
        two,
        statements(emea.clone()).await,
        "four linked items cost what two do"
    );

    // Unlinked, the child scores on its own again.
    for (field, input) in [
        (
            "unlinkObjective",
            json!({ "scorecardId": emea, "objectiveId": delight }),
        ),
        (
            "unlinkObjective",
            json!({ "scorecardId": emea, "objectiveId": lean }),
        ),
        (
            "unlinkMeasure",
            json!({ "objectiveId": emea_grow, "measureId": arr }),
        ),
        (
            "unlinkMeasure",
            json!({ "objectiveId": emea_grow, "measureId": cost }),
        ),
    ] {
        link(&app, &admin, field, input).await.data();
    }
    let alone = app.gql(&admin, LINKED, json!({ "id": emea })).await;
    assert_eq!(
        alone.data()["scorecard"]["scorecard"]["score"]["score"],
        "2.67"
    );
    let again = link(
        &app,
        &admin,
        "unlinkMeasure",
        json!({ "objectiveId": emea_grow, "measureId": arr }),
    )
    .await;
    assert_eq!(
        (again.code(), again.field()),
        ("VALIDATION", "input.measureId")
    );
}
