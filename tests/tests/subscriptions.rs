//! Subscriptions over graphql-transport-ws: the token is checked in
//! `connection_init`, events arrive after commit, and only the subscriber's
//! tenant's events arrive.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use throughline_tests::{TestApp, id_at, start};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp, init: Value) -> Socket {
    let url = app.url("/graphql/ws").replace("http://", "ws://");
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    socket
        .send(Message::text(
            json!({ "type": "connection_init", "payload": init }).to_string(),
        ))
        .await
        .unwrap();
    socket
}

/// The next JSON message, skipping pings; `None` when the socket closes.
async fn next(socket: &mut Socket) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message in time")?;
        match message.ok()? {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] == "ping" {
                    continue;
                }
                return Some(value);
            }
            Message::Close(frame) => {
                return Some(json!({ "closed": frame.map(|f| u16::from(f.code)) }));
            }
            _ => continue,
        }
    }
}

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
