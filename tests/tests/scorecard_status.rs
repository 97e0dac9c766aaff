//! A measure's status changing band between periods, over HTTP and
//! WebSocket: announced once per change as a value of its metric is
//! recorded (not for a first value, not again for the same outcome),
//! heard by the scorecard's followers only, and never taken for a design
//! change.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use futures_util::SinkExt;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use throughline_domain::entity::outbox_event;
use throughline_domain::enums::Role;
use throughline_tests::metrics::record_values;
use throughline_tests::scorecard::{measured, mutate, objective, tenant_with_scorecard};
use throughline_tests::{start, ws};

async fn subscribe(socket: &mut ws::Socket, query: &str) {
    assert_eq!(ws::next(socket).await.unwrap()["type"], "connection_ack");
    socket
        .send(ws::Message::text(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": query } }).to_string(),
        ))
        .await
        .unwrap();
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
    subscribe(&mut ours, &follow_status(&card)).await;
    let mut design = ws::connect(&app, json!({ "authorization": format!("Bearer {acme}") })).await;
    subscribe(
        &mut design,
        &format!(r#"subscription {{ scorecardChanged(scorecardId: "{card}") {{ objectives {{ title }} }} }}"#),
    )
    .await;
    // Globex follows Acme's scorecard by its ID, and its own.
    let mut spying =
        ws::connect(&app, json!({ "authorization": format!("Bearer {globex}") })).await;
    subscribe(&mut spying, &follow_status(&card)).await;
    let mut own = ws::connect(&app, json!({ "authorization": format!("Bearer {globex}") })).await;
    subscribe(&mut own, &follow_status(&their_card)).await;
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
