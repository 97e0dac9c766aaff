//! Subscriptions over graphql-transport-ws: the token is checked in
//! `connection_init`, events arrive after commit, and only the subscriber's
//! tenant's events arrive.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Duration;

use futures_util::SinkExt;
use serde_json::json;
use throughline_tests::ws::{Message, connect, next};
use throughline_tests::{TestApp, id_at, start};

async fn metric(app: &TestApp, token: &str) -> String {
    let created = app
        .gql(token, r#"mutation { createMetric(input: {name: "ARR", direction: HIGHER_IS_BETTER, indicatorKind: LAGGING, frequency: MONTHLY, aggregation: LAST}) { metric { id } } }"#, json!({}))
        .await;
    id_at(created.data(), "createMetric.metric.id")
}

async fn record(app: &TestApp, token: &str, metric: &str, value: &str) {
    app.gql(
        token,
        "mutation($m: ID!, $v: Decimal!) { recordMetricValues(input: {metricId: $m, values: [{period: \"2026-05-01\", value: $v}]}) { values { id } } }",
        json!({ "m": metric, "v": value }),
    )
    .await
    .data();
}

#[tokio::test]
async fn committed_metric_values_reach_subscribers_of_their_tenant_only() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    app.tenant("globex", &[]).await;
    let (acme, globex) = (app.admin("acme"), app.admin("globex"));
    let acme_metric = metric(&app, &acme).await;
    let globex_metric = metric(&app, &globex).await;

    let mut socket = connect(&app, json!({ "authorization": format!("Bearer {globex}") })).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    socket
        .send(Message::text(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { metricValueRecorded { value metric { name } } }" } }).to_string(),
        ))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    record(&app, &acme, &acme_metric, "111").await;
    record(&app, &globex, &globex_metric, "222").await;
    let event = next(&mut socket).await.unwrap();
    assert_eq!(event["type"], "next");
    assert_eq!(
        event["payload"]["data"]["metricValueRecorded"],
        json!({ "value": "222", "metric": { "name": "ARR" } })
    );
}

#[tokio::test]
async fn a_bad_token_in_connection_init_closes_the_socket() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    for init in [json!({ "authorization": "Bearer nonsense" }), json!({})] {
        let mut socket = connect(&app, init.clone()).await;
        let answer = next(&mut socket).await;
        let closed = answer.as_ref().and_then(|a| a.get("closed")).cloned();
        assert!(closed.is_some() || answer.is_none(), "{init}: {answer:?}");
        assert_ne!(
            answer.as_ref().map(|a| a["type"].clone()),
            Some(json!("connection_ack"))
        );
    }
}
