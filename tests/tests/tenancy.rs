//! Two tenants: neither sees the other; another tenant's ID behaves exactly
//! like an unknown one.

use serde_json::json;
use throughline_tests::{id_at, start};

#[tokio::test]
async fn another_tenants_ids_behave_like_unknown_ids() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    app.tenant("globex", &[]).await;
    let acme = app.admin("acme");
    let globex = app.admin("globex");

    let unit = app
        .gql(
            &acme,
            r#"mutation { createOrgUnit(input: {name: "Acme Sales"}) { orgUnit { id } } }"#,
            json!({}),
        )
        .await;
    let unit_id = id_at(unit.data(), "createOrgUnit.orgUnit.id");
    let person = app
        .gql(&acme, "mutation($u: ID!) { createPerson(input: {name: \"Ada Acme\", email: \"ada@acme.example\", orgUnitId: $u}) { person { id version } } }", json!({ "u": unit_id }))
        .await;
    let person_id = id_at(person.data(), "createPerson.person.id");
    let metric = app
        .gql(&acme, r#"mutation { createMetric(input: {name: "ARR", direction: HIGHER_IS_BETTER, indicatorKind: LAGGING, frequency: MONTHLY, aggregation: LAST}) { metric { id } } }"#, json!({}))
        .await;
    let metric_id = id_at(metric.data(), "createMetric.metric.id");
    let priority = app.gql(&acme, r#"mutation { createStrategicPriority(input: {title: "Grow"}) { strategicPriority { id } } }"#, json!({})).await;
    let priority_id = id_at(
        priority.data(),
        "createStrategicPriority.strategicPriority.id",
    );

    // Reads: null, exactly as for an ID that does not exist.
    for id in [&person_id, &unit_id, &metric_id, &priority_id] {
        let found = app
            .gql(
                &globex,
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(found.data()["node"], json!(null));
        let mine = app
            .gql(
                &acme,
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(mine.data()["node"]["id"], json!(id));
    }
    let nodes = app
        .gql(
            &globex,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [person_id, unit_id] }),
        )
        .await;
    assert_eq!(nodes.data()["nodes"], json!([null, null]));
    let direct = app
        .gql(
            &globex,
            "query($id: ID!) { person(id: $id) { name } }",
            json!({ "id": person_id }),
        )
        .await;
    assert_eq!(direct.data()["person"], json!(null));

    // Lists: nothing of the other tenant.
    let lists = app
        .gql(&globex, "{ people { totalCount } orgUnits { totalCount } metrics { totalCount } strategicPriorities { id } auditLog { edges { node { action } } } }", json!({}))
        .await;
    assert_eq!(
        lists.data(),
        &json!({ "people": { "totalCount": 0 }, "orgUnits": { "totalCount": 0 }, "metrics": { "totalCount": 0 }, "strategicPriorities": [], "auditLog": { "edges": [{ "node": { "action": "tenant.created" } }] } })
    );

    // Mutations on another tenant's entity: NOT_FOUND, and nothing changes.
    let update = app
        .gql(&globex, "mutation($id: ID!) { updatePerson(input: {id: $id, version: 1, name: \"Hijacked\"}) { person { name } } }", json!({ "id": person_id }))
        .await;
    assert_eq!(update.code(), "NOT_FOUND");
    let values = app
        .gql(&globex, "mutation($id: ID!) { recordMetricValues(input: {metricId: $id, values: [{period: \"2026-01-01\", value: \"1\"}]}) { values { id } } }", json!({ "id": metric_id }))
        .await;
    assert_eq!(values.code(), "NOT_FOUND");
    let delete = app
        .gql(
            &globex,
            "mutation($id: ID!) { deleteOrgUnit(input: {id: $id}) { deletedId } }",
            json!({ "id": unit_id }),
        )
        .await;
    assert_eq!(delete.code(), "NOT_FOUND");

    // References to another tenant's entities inside an input are refused, naming the field.
    let reference = app
        .gql(&globex, "mutation($m: ID!) { createPerson(input: {name: \"Gil\", managerId: $m}) { person { id } } }", json!({ "m": person_id }))
        .await;
    assert_eq!(
        (reference.code(), reference.field()),
        ("VALIDATION", "input.managerId")
    );

    let still = app
        .gql(
            &acme,
            "query($id: ID!) { person(id: $id) { name version } }",
            json!({ "id": person_id }),
        )
        .await;
    assert_eq!(
        still.data()["person"],
        json!({ "name": "Ada Acme", "version": 1 })
    );
}
