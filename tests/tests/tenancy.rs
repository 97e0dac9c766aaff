//! Two tenants: neither sees the other; another tenant's ID behaves exactly
//! like an unknown one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

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

/// Every core mutation that names an entity, aimed at another tenant's
/// entity: `NOT_FOUND`, or `VALIDATION` on the field for a reference.
#[tokio::test]
async fn no_core_mutation_reaches_another_tenant() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    app.tenant("globex", &[]).await;
    let acme = app.admin("acme");
    let globex = app.admin("globex");
    let data = app
        .gql(&acme, r#"mutation {
            u: createOrgUnit(input: {name: "Unit"}) { orgUnit { id } }
            p: createPerson(input: {name: "Pia"}) { person { id } }
            s: createStrategicPriority(input: {title: "Grow"}) { strategicPriority { id } }
            lead: createMetric(input: {name: "Leads", direction: HIGHER_IS_BETTER, indicatorKind: LEADING, frequency: MONTHLY, aggregation: SUM}) { metric { id } }
            lag: createMetric(input: {name: "Revenue", direction: HIGHER_IS_BETTER, indicatorKind: LAGGING, frequency: MONTHLY, aggregation: SUM}) { metric { id } }
        }"#, json!({}))
        .await;
    let ids = json!({
        "unit": id_at(data.data(), "u.orgUnit.id"),
        "person": id_at(data.data(), "p.person.id"),
        "priority": id_at(data.data(), "s.strategicPriority.id"),
        "lead": id_at(data.data(), "lead.metric.id"),
        "lag": id_at(data.data(), "lag.metric.id"),
    });
    let own = app.gql(&globex, r#"mutation { createMetric(input: {name: "Own", direction: HIGHER_IS_BETTER, indicatorKind: LAGGING, frequency: MONTHLY, aggregation: SUM}) { metric { id } } }"#, json!({})).await;
    let own_metric = id_at(own.data(), "createMetric.metric.id");

    let not_found = [
        "mutation($unit: ID!) { updateOrgUnit(input: {id: $unit, version: 1, name: \"x\"}) { orgUnit { id } } }",
        "mutation($unit: ID!) { deleteOrgUnit(input: {id: $unit}) { deletedId } }",
        "mutation($person: ID!) { updatePerson(input: {id: $person, version: 1, name: \"x\"}) { person { id } } }",
        "mutation($priority: ID!) { updateStrategicPriority(input: {id: $priority, version: 1, title: \"x\"}) { strategicPriority { id } } }",
        "mutation($priority: ID!) { deleteStrategicPriority(input: {id: $priority}) { deletedId } }",
        "mutation($lead: ID!) { updateMetric(input: {id: $lead, version: 1, name: \"x\"}) { metric { id } } }",
        "mutation($lead: ID!) { recordMetricValues(input: {metricId: $lead, values: [{period: \"2026-01-01\", value: \"1\"}]}) { values { id } } }",
    ];
    for mutation in not_found {
        let response = app.gql(&globex, mutation, ids.clone()).await;
        assert_eq!(
            response.code(),
            "NOT_FOUND",
            "{mutation}: {:?}",
            response.body
        );
    }
    let references = [
        (
            "mutation($lead: ID!, $lag: ID!) { linkMetrics(input: {leadingMetricId: $lead, laggingMetricId: $lag}) { leading { id } } }",
            "input.leadingMetricId",
        ),
        (
            "mutation($lead: ID!, $lag: ID!) { unlinkMetrics(input: {leadingMetricId: $lead, laggingMetricId: $lag}) { leading { id } } }",
            "input.leadingMetricId",
        ),
        (
            "mutation($unit: ID!) { createOrgUnit(input: {name: \"x\", parentId: $unit}) { orgUnit { id } } }",
            "input.parentId",
        ),
        (
            "mutation($person: ID!) { createOrgUnit(input: {name: \"x\", headPersonId: $person}) { orgUnit { id } } }",
            "input.headPersonId",
        ),
        (
            "mutation($unit: ID!) { createPerson(input: {name: \"x\", orgUnitId: $unit}) { person { id } } }",
            "input.orgUnitId",
        ),
        (
            "mutation($person: ID!) { createStrategicPriority(input: {title: \"x\", ownerId: $person}) { strategicPriority { id } } }",
            "input.ownerId",
        ),
        (
            "mutation($priority: ID!) { createMetric(input: {name: \"x\", direction: HIGHER_IS_BETTER, indicatorKind: LAGGING, frequency: MONTHLY, aggregation: SUM, priorityId: $priority}) { metric { id } } }",
            "input.priorityId",
        ),
    ];
    for (mutation, field) in references {
        let response = app.gql(&globex, mutation, ids.clone()).await;
        assert_eq!(
            (response.code(), response.field()),
            ("VALIDATION", field),
            "{mutation}: {:?}",
            response.body
        );
    }
    let mixed = app
        .gql(&globex, "mutation($own: ID!, $lag: ID!) { updateMetric(input: {id: $own, version: 1, priorityId: null, ownerId: null, orgUnitId: null}) { metric { id } } linkMetrics(input: {leadingMetricId: $own, laggingMetricId: $lag}) { leading { id } } }", json!({ "own": own_metric, "lag": ids["lag"] }))
        .await;
    assert!(
        mixed.body["errors"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );

    // Reads through filters: another tenant's IDs match nothing.
    let filtered = app
        .gql(&globex, "query($unit: ID!, $person: ID!, $priority: ID!) { people(filter: {orgUnitId: $unit}) { totalCount } byManager: people(filter: {managerId: $person}) { totalCount } metrics(filter: {priorityId: $priority}) { totalCount } orgUnits(filter: {parentId: $unit}) { totalCount } auditLog(filter: {entityId: $person}) { totalCount } }", ids.clone())
        .await;
    assert_eq!(
        filtered.data(),
        &json!({ "people": { "totalCount": 0 }, "byManager": { "totalCount": 0 }, "metrics": { "totalCount": 0 }, "orgUnits": { "totalCount": 0 }, "auditLog": { "totalCount": 0 } })
    );

    // Acme's data is untouched.
    let acme_view = app
        .gql(&acme, "query($unit: ID!, $person: ID!, $lead: ID!) { orgUnit(id: $unit) { name version } person(id: $person) { name version } metric(id: $lead) { name version drives { name } values { totalCount } } strategicPriorities { title } }", ids.clone())
        .await;
    assert_eq!(
        acme_view.data(),
        &json!({
            "orgUnit": { "name": "Unit", "version": 1 },
            "person": { "name": "Pia", "version": 1 },
            "metric": { "name": "Leads", "version": 1, "drives": [], "values": { "totalCount": 0 } },
            "strategicPriorities": [{ "title": "Grow" }]
        })
    );
}
