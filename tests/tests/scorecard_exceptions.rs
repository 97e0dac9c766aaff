//! A scorecard's exceptions over HTTP: red, falling by more than a band,
//! missing and late, for the last closed month by default or any period
//! asked; the same items in the tenant's exceptions feed, placed at the
//! scorecard's org unit; two tenants; and the feed's statements constant
//! however many scorecards.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use chrono::{Datelike, Months, NaiveDate, Utc};
use serde_json::{Value, json};
use throughline_tests::scorecard::{
    measured, objective, org_unit, scorecard, tenant_with_scorecard,
};
use throughline_tests::{TestApp, start};

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
