//! Metrics for tests: created and filled over HTTP, as a client would.

use serde_json::{Value, json};

use crate::{TestApp, id_at};

/// Creates a monthly metric named `name`; `fields` override the defaults
/// (`HIGHER_IS_BETTER`, `LAGGING`, `SUM`). Answers its global ID.
pub async fn create_metric(app: &TestApp, admin: &str, name: &str, fields: Value) -> String {
    let mut input = json!({ "name": name, "direction": "HIGHER_IS_BETTER", "indicatorKind": "LAGGING",
                            "frequency": "MONTHLY", "aggregation": "SUM" });
    if let (Some(input), Some(fields)) = (input.as_object_mut(), fields.as_object()) {
        input.extend(fields.clone());
    }
    let created = app
        .gql(
            admin,
            "mutation($input: CreateMetricInput!) { createMetric(input: $input) { metric { id } } }",
            json!({ "input": input }),
        )
        .await;
    id_at(created.data(), "createMetric.metric.id")
}

/// Records `(period start, value)` pairs of a metric.
pub async fn record_values(app: &TestApp, admin: &str, metric: &str, values: &[(&str, &str)]) {
    let values: Vec<Value> = values
        .iter()
        .map(|(period, value)| json!({ "period": period, "value": value }))
        .collect();
    app.gql(
        admin,
        "mutation($input: RecordMetricValuesInput!) { recordMetricValues(input: $input) { values { id } } }",
        json!({ "input": { "metricId": metric, "values": values } }),
    )
    .await
    .data();
}
