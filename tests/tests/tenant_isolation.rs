//! Tenant isolation and roles, proven over the whole schema found by
//! introspection (core, OKRs, the scorecard and the probe framework; a framework added
//! later is covered without a new test):
//!
//! - every query and mutation that takes an ID, called by tenant B's admin
//!   with tenant A's IDs of every type, answers exactly as it does for an ID
//!   that exists nowhere, and A reads the same afterwards;
//! - every mutation called as `MEMBER` and as `INTEGRATOR` is either allowed
//!   by the table in docs/auth.md or refused with `FORBIDDEN`, changing
//!   nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};
use throughline_domain::enums::Role;
use throughline_domain::graphql::ids::{encode_id, parse_id};
use throughline_tests::schema_walk::{
    Case, Ids, Schema, TypeRef, cases, document, needs_argument, problem, schema_of, seed,
};
use throughline_tests::{TestApp, start_with_every_framework};

const FRAMEWORKS: &[&str] = &["okr", "scorecard", "probe"];

/// A selection of `type_name` down to `depth` levels: every scalar, and
/// every object field that needs no argument.
fn selection(schema: &Schema, type_name: &str, depth: usize) -> String {
    let ty = schema.ty(type_name);
    let mut parts = vec!["__typename".to_string()];
    match ty["kind"].as_str() {
        Some("OBJECT") => {}
        Some("INTERFACE") => {
            if ty["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["name"] == "id")
            {
                parts.push("id".into());
            }
            return format!("{{ {} }}", parts.join(" "));
        }
        _ => return format!("{{ {} }}", parts.join(" ")),
    }
    for field in ty["fields"].as_array().unwrap() {
        let name = field["name"].as_str().unwrap();
        if needs_argument(field) {
            continue;
        }
        let (kind, inner) = TypeRef(field["type"].clone()).named();
        match kind.as_str() {
            "SCALAR" | "ENUM" => parts.push(name.to_string()),
            "OBJECT" | "INTERFACE" | "UNION" if depth > 0 => {
                parts.push(format!("{name} {}", selection(schema, &inner, depth - 1)))
            }
            _ => {}
        }
    }
    format!("{{ {} }}", parts.join(" "))
}

/// Every (typename, id) in a response.
fn collect_ids(value: &Value, out: &mut BTreeSet<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(t)), Some(Value::String(id))) =
                (map.get("__typename"), map.get("id"))
            {
                out.insert((t.clone(), id.clone()));
            }
            map.values().for_each(|v| collect_ids(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, out)),
        _ => {}
    }
}

/// What a tenant's admin reads through every argument-free root field
/// (namespaces included): the snapshot compared before and after.
async fn crawl(
    app: &TestApp,
    token: &str,
    raw: &Value,
    schema: &Schema,
) -> BTreeMap<String, Value> {
    app.settle().await;
    let query_root = raw["queryType"]["name"].as_str().unwrap();
    let mut out = BTreeMap::new();
    let mut roots = vec![(Vec::<String>::new(), query_root.to_string())];
    while let Some((path, type_name)) = roots.pop() {
        for field in schema.ty(&type_name)["fields"].as_array().unwrap() {
            let name = field["name"].as_str().unwrap().to_string();
            if needs_argument(field) {
                continue;
            }
            let (kind, inner) = TypeRef(field["type"].clone()).named();
            if path.is_empty() && inner.ends_with("Query") && kind == "OBJECT" {
                let mut below = path.clone();
                below.push(name);
                roots.push((below, inner));
                continue;
            }
            let mut body = match kind.as_str() {
                "OBJECT" | "INTERFACE" | "UNION" => {
                    // As deep as the server's limits allow.
                    let mut answer = Value::Null;
                    for depth in (1..=3).rev() {
                        let mut body = format!("{name} {}", selection(schema, &inner, depth));
                        for segment in path.iter().rev() {
                            body = format!("{segment} {{ {body} }}");
                        }
                        let response = app.gql(token, &format!("{{ {body} }}"), json!({})).await;
                        if response.body["errors"].is_null() {
                            answer = response.body["data"].clone();
                            break;
                        }
                        answer = response.body.clone();
                    }
                    answer
                }
                _ => {
                    let mut body = name.clone();
                    for segment in path.iter().rev() {
                        body = format!("{segment} {{ {body} }}");
                    }
                    app.gql(token, &format!("{{ {body} }}"), json!({}))
                        .await
                        .body["data"]
                        .clone()
                }
            };
            out.insert(
                format!("{}.{name}", path.join(".")),
                std::mem::take(&mut body),
            );
        }
    }
    out
}

/// The same ID's type with a UUID that exists in no tenant.
fn ghost(id: &str) -> String {
    let (type_name, _) = parse_id(id).unwrap();
    encode_id(&type_name, uuid::Uuid::now_v7()).0
}

/// What a caller learns from one answer: its data and each error's code
/// and field (messages may name the entity, never differ by tenant).
fn observed(body: &Value) -> Value {
    let errors: Vec<Value> = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| json!([e["extensions"]["code"], e["extensions"]["field"], e["path"]]))
        .collect();
    json!({ "data": body["data"], "errors": errors })
}

fn with_selection(schema: &Schema, case: &Case, field_type: &TypeRef) -> Case {
    let (kind, inner) = field_type.named();
    let selection = match kind.as_str() {
        "OBJECT" | "INTERFACE" | "UNION" => selection(schema, &inner, 2),
        _ => String::new(),
    };
    Case {
        operation: case.operation,
        path: case.path.clone(),
        field: case.field.clone(),
        args: case.args.clone(),
        selection,
    }
}

/// The return type of a case's field.
fn field_type(schema: &Schema, raw: &Value, case: &Case) -> TypeRef {
    let root = match case.operation {
        "mutation" => raw["mutationType"]["name"].as_str().unwrap(),
        _ => raw["queryType"]["name"].as_str().unwrap(),
    };
    let mut type_name = root.to_string();
    for segment in &case.path {
        let field = schema.ty(&type_name)["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == segment.as_str())
            .unwrap()
            .clone();
        type_name = TypeRef(field["type"].clone()).named().1;
    }
    let field = schema.ty(&type_name)["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == case.field.as_str())
        .unwrap()
        .clone();
    TypeRef(field["type"].clone())
}

/// Sends `case` with every argument (and every ID inside an input) built
/// from `ids`.
async fn send(
    app: &TestApp,
    token: &str,
    schema: &Schema,
    case: &Case,
    ids: &Ids,
    every_id: bool,
) -> (u16, Value) {
    let mut declared = Vec::new();
    let mut variables = Map::new();
    for (name, t) in &case.args {
        // The namespace too: `okr.updateObjective` and
        // `scorecard.updateObjective` name different objectives.
        let context = case
            .path
            .iter()
            .chain([&case.field, name])
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(".");
        if t.required() {
            let value = if every_id {
                schema.with_every_id(t, &context, ids)
            } else {
                schema.plausible(t, &context, ids, 0)
            };
            variables.insert(name.clone(), value);
            declared.push((name.clone(), t.clone()));
        } else if every_id && schema.holds_id(t, 0) {
            variables.insert(name.clone(), schema.with_every_id(t, &context, ids));
            declared.push((name.clone(), t.clone()));
        }
    }
    let response = app
        .gql(token, &document(case, &declared), Value::Object(variables))
        .await;
    (response.status, response.body)
}

struct World {
    app: TestApp,
    raw: Value,
    schema: Schema,
    alpha_ids: Ids,
    bravo_ids: Ids,
}

async fn two_tenants() -> World {
    let app = start_with_every_framework().await;
    for slug in ["alpha", "bravo"] {
        app.tenant(slug, FRAMEWORKS).await;
    }
    let alpha_ids = seed(&app, &app.admin("alpha")).await;
    let bravo_ids = seed(&app, &app.admin("bravo")).await;
    for slug in ["alpha", "bravo"] {
        let note = app
            .gql(
                &app.admin(slug),
                r#"mutation { probe { addNote(input: {text: "a note"}) { __typename } } }"#,
                json!({}),
            )
            .await;
        assert!(note.body["errors"].is_null(), "{}", note.body);
    }
    let (raw, schema) = schema_of(&app, &app.admin("alpha")).await;
    World {
        app,
        raw,
        schema,
        alpha_ids,
        bravo_ids,
    }
}

fn all_cases(world: &World) -> Vec<Case> {
    let mut all = cases(
        &world.schema,
        world.raw["queryType"]["name"].as_str().unwrap(),
        "query",
    );
    all.extend(cases(
        &world.schema,
        world.raw["mutationType"]["name"].as_str().unwrap(),
        "mutation",
    ));
    all.into_iter()
        .map(|case| {
            let t = field_type(&world.schema, &world.raw, &case);
            with_selection(&world.schema, &case, &t)
        })
        .collect()
}

#[tokio::test]
async fn another_tenants_ids_behave_as_ids_that_exist_nowhere() {
    let world = two_tenants().await;
    let app = &world.app;
    let alpha = app.admin("alpha");
    let bravo = app.admin("bravo");
    let before = crawl(app, &alpha, &world.raw, &world.schema).await;
    let mut alpha_ids = BTreeSet::new();
    for value in before.values() {
        collect_ids(value, &mut alpha_ids);
    }
    // One ID of each type, and every type the crawl found.
    let mut by_type: BTreeMap<String, String> = BTreeMap::new();
    for (type_name, id) in &alpha_ids {
        by_type.entry(type_name.clone()).or_insert(id.clone());
    }
    for (_, id) in &world.alpha_ids.0 {
        let (type_name, _) = parse_id(id).unwrap();
        by_type.entry(type_name).or_insert(id.clone());
    }
    for expected in [
        "Person",
        "OrgUnit",
        "Metric",
        "MetricTarget",
        "Dashboard",
        "ReviewSeries",
        "ReviewMeeting",
        "ReviewActionItem",
        "OkrObjective",
        "OkrKeyResult",
        "OkrCycle",
        "ServiceAccount",
        "ServiceAccountToken",
    ] {
        assert!(
            by_type.contains_key(expected),
            "the crawl found no {expected}: {by_type:?}"
        );
    }

    let with_ids: Vec<Case> = all_cases(&world)
        .into_iter()
        .filter(|case| case.args.iter().any(|(_, t)| world.schema.holds_id(t, 0)))
        .collect();
    assert!(
        with_ids.len() > 30,
        "only {} fields take IDs",
        with_ids.len()
    );
    let mut failures = Vec::new();
    let mut sent = 0;
    for case in &with_ids {
        for id in by_type.values() {
            let theirs = Ids(vec![("", id.clone())]);
            let nowhere = Ids(vec![("", ghost(id))]);
            let (status, body) = send(app, &bravo, &world.schema, case, &theirs, true).await;
            let (_, ghost_body) = send(app, &bravo, &world.schema, case, &nowhere, true).await;
            sent += 2;
            let mut seen = BTreeSet::new();
            collect_ids(&body["data"], &mut seen);
            let leaked: Vec<_> = seen.intersection(&alpha_ids).collect();
            let label = format!(
                "{} {}.{} with {id}",
                case.operation,
                case.path.join("."),
                case.field
            );
            if let Some(problem) = problem(status, &body) {
                failures.push(format!("{label}: {problem}"));
            } else if !leaked.is_empty() {
                failures.push(format!("{label}: answered alpha's {leaked:?}"));
            } else if observed(&body) != observed(&ghost_body) {
                failures.push(format!(
                    "{label}: answered\n    {}\n  but for an ID that exists nowhere\n    {}",
                    observed(&body),
                    observed(&ghost_body)
                ));
            }
        }
    }
    let after = crawl(app, &alpha, &world.raw, &world.schema).await;
    for (field, value) in &before {
        if after.get(field) != Some(value) {
            failures.push(format!("alpha's {field} changed while bravo probed it"));
        }
    }
    eprintln!(
        "{sent} requests over {} fields and {} ID types",
        with_ids.len(),
        by_type.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The mutations `role` may call, from the table in docs/auth.md.
fn documented_for(role: &str) -> BTreeSet<String> {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/auth.md")).unwrap();
    let start = doc
        .find("<!-- mutations by role -->")
        .expect("docs/auth.md has the table of mutations by role");
    let mut lines = doc[start..].lines().skip(1).filter(|l| l.starts_with('|'));
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split('|')
        .map(|c| c.trim().trim_matches('`').to_string())
        .collect();
    let column = header
        .iter()
        .position(|c| c == role)
        .expect("a column per role");
    lines
        .skip(1)
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let allowed = cells
                .get(column)
                .is_some_and(|c| !c.is_empty() && *c != "—");
            allowed.then(|| cells[1].trim_matches('`').to_string())
        })
        .collect()
}

#[tokio::test]
async fn every_mutation_is_allowed_by_the_documented_table_or_forbidden() {
    let world = two_tenants().await;
    let app = &world.app;
    let alpha = app.admin("alpha");
    let mutations: Vec<Case> = all_cases(&world)
        .into_iter()
        .filter(|case| case.operation == "mutation")
        .collect();
    let names: BTreeSet<String> = mutations
        .iter()
        .map(|c| {
            c.path
                .iter()
                .chain([&c.field])
                .cloned()
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect();
    let mut failures = Vec::new();
    for role in [Role::Member, Role::Integrator] {
        let role_name = role.as_str();
        let allowed = documented_for(role_name);
        for stale in allowed.difference(&names) {
            failures.push(format!(
                "docs/auth.md allows {role_name} `{stale}`, which does not exist"
            ));
        }
        let token = app.token(
            "alpha",
            &format!("{}@alpha.example", role_name.to_lowercase()),
            role,
        );
        // Refusals first: none may change anything.
        let before = crawl(app, &alpha, &world.raw, &world.schema).await;
        for case in &mutations {
            let name = case
                .path
                .iter()
                .chain([&case.field])
                .cloned()
                .collect::<Vec<_>>()
                .join(".");
            if allowed.contains(&name) {
                continue;
            }
            let (status, body) =
                send(app, &token, &world.schema, case, &world.alpha_ids, false).await;
            let codes: Vec<&str> = body["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e["extensions"]["code"].as_str())
                .collect();
            if status >= 500 || codes != ["FORBIDDEN"] {
                failures.push(format!(
                    "{role_name} {name}: expected FORBIDDEN, got {codes:?} {}",
                    body["data"]
                ));
            }
        }
        let after = crawl(app, &alpha, &world.raw, &world.schema).await;
        for (field, value) in &before {
            if after.get(field) != Some(value) {
                failures.push(format!(
                    "{role_name}'s refused mutations changed alpha's {field}"
                ));
            }
        }
        for case in &mutations {
            let name = case
                .path
                .iter()
                .chain([&case.field])
                .cloned()
                .collect::<Vec<_>>()
                .join(".");
            if !allowed.contains(&name) {
                continue;
            }
            let (status, body) =
                send(app, &token, &world.schema, case, &world.alpha_ids, false).await;
            if let Some(problem) = problem(status, &body) {
                failures.push(format!("{role_name} {name}: {problem}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Below the door, the database itself refuses a row of one tenant that
/// names a row of another (composite keys on PostgreSQL, triggers on
/// SQLite), while a reference inside the tenant still works.
#[tokio::test]
async fn the_database_refuses_a_reference_to_another_tenants_row() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let world = two_tenants().await;
    let app = &world.app;
    let bravo_ids = &world.bravo_ids;
    let uuid = |ids: &Ids, hint: &str| parse_id(&ids.for_name(hint)).unwrap().1;
    let run = |sql: &str, values: Vec<sea_orm::Value>| {
        let backend = app.db.get_database_backend();
        let sql = if backend == DbBackend::Postgres {
            sql.to_string()
        } else {
            sql.replace("$1", "?").replace("$2", "?")
        };
        let statement = Statement::from_sql_and_values(backend, sql, values);
        async move { app.db.execute_raw(statement).await }
    };
    let alpha_person = uuid(&world.alpha_ids, "person");
    let cases = [
        (
            "UPDATE people SET manager_id = $1 WHERE id = $2",
            "person",
            alpha_person,
        ),
        (
            "UPDATE metrics SET owner_id = $1 WHERE id = $2",
            "person",
            uuid(&world.alpha_ids, "metric"),
        ),
        (
            "UPDATE okr_objectives SET owner_id = $1 WHERE id = $2",
            "person",
            uuid(&world.alpha_ids, "objective"),
        ),
        (
            "UPDATE okr_key_results SET objective_id = $1 WHERE id = $2",
            "objective",
            uuid(&world.alpha_ids, "keyresult"),
        ),
        (
            "UPDATE okr_objectives SET cycle_id = $1 WHERE id = $2",
            "cycle",
            uuid(&world.alpha_ids, "objective"),
        ),
    ];
    for (sql, theirs, row) in cases {
        let refused = run(sql, vec![uuid(bravo_ids, theirs).into(), row.into()]).await;
        assert!(refused.is_err(), "{sql} with bravo's {theirs} was stored");
    }
    // Inside one tenant the same statements work.
    let second = app
        .gql(
            &app.admin("alpha"),
            r#"mutation { createPerson(input: {name: "Bo"}) { person { id } } }"#,
            serde_json::json!({}),
        )
        .await;
    let bo = parse_id(
        second.data()["createPerson"]["person"]["id"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
    .1;
    run(
        "UPDATE people SET manager_id = $1 WHERE id = $2",
        vec![bo.into(), alpha_person.into()],
    )
    .await
    .unwrap();
}

/// The door itself, asked to cross: a read built in one tenant's scope and
/// run in another's is refused, and an update cannot move a row's tenant.
#[tokio::test]
async fn the_door_refuses_to_cross_tenants_even_when_asked() {
    use sea_orm::sea_query::Expr;
    use throughline_domain::entity::person;
    use throughline_domain::kit::{Actor, TenantScope};
    let app = throughline_tests::start().await;
    let alpha = app.tenant("alpha", &[]).await;
    let bravo = app.tenant("bravo", &[]).await;
    let scope = |tenant: &throughline_domain::entity::tenant::Model| {
        TenantScope::new(
            app.db.clone(),
            tenant.clone(),
            Actor::system(),
            app.events.clone(),
        )
    };
    let (in_alpha, in_bravo) = (scope(&alpha), scope(&bravo));
    let read = in_alpha.select::<person::Entity>().all(&in_bravo).await;
    assert!(read.is_err(), "a read of alpha's ran in bravo's scope");

    let tx = in_alpha.begin().await.unwrap();
    let moved = tx
        .update::<person::Entity>()
        .col_expr(person::Column::TenantId, Expr::value(bravo.id))
        .exec()
        .await;
    assert!(moved.is_err(), "an update moved rows to another tenant");
}

/// The composite keys keep each reference's delete action: deleting an org
/// unit clears the metric's and the objective's unit (only that column,
/// never `tenant_id`), and retiring a priority clears the metric's priority
/// and removes the objective's alignment to it.
#[tokio::test]
async fn deletes_clear_or_remove_what_referenced_the_row() {
    use serde_json::json;
    let app = throughline_tests::start().await;
    app.tenant("acme", &["okr"]).await;
    let admin = app.admin("acme");
    let today = chrono::Utc::now().date_naive();
    let made = app
        .gql(
            &admin,
            r#"mutation($s: Date!, $e: Date!) {
                unit: createOrgUnit(input: {name: "Gone soon"}) { orgUnit { id } }
                owner: createPerson(input: {name: "Ada"}) { person { id } }
                priority: createStrategicPriority(input: {title: "Retire me"}) { strategicPriority { id } }
                okr { createCycle(input: {name: "Now", startsOn: $s, endsOn: $e}) { cycle { id } } }
            }"#,
            json!({ "s": today - chrono::Duration::days(10), "e": today + chrono::Duration::days(60) }),
        )
        .await;
    let data = made.data();
    let (unit, owner, priority) = (
        throughline_tests::id_at(data, "unit.orgUnit.id"),
        throughline_tests::id_at(data, "owner.person.id"),
        throughline_tests::id_at(data, "priority.strategicPriority.id"),
    );
    let cycle = throughline_tests::id_at(data, "okr.createCycle.cycle.id");
    let linked = app
        .gql(
            &admin,
            r#"mutation($u: ID!, $p: ID!, $o: ID!, $c: ID!) {
                metric: createMetric(input: {name: "Revenue", direction: HIGHER_IS_BETTER, indicatorKind: LAGGING, frequency: MONTHLY, aggregation: SUM, orgUnitId: $u, priorityId: $p}) { metric { id } }
                okr { createObjective(input: {cycleId: $c, title: "Grow", level: TEAM, ownerId: $o, orgUnitId: $u}) { objective { id } } }
            }"#,
            json!({ "u": unit, "p": priority, "o": owner, "c": cycle }),
        )
        .await;
    let metric = throughline_tests::id_at(linked.data(), "metric.metric.id");
    let objective = throughline_tests::id_at(linked.data(), "okr.createObjective.objective.id");
    app.gql(
        &admin,
        r#"mutation($o: ID!, $p: ID!) { okr { align(input: {objectiveId: $o, priorityId: $p}) { __typename } } }"#,
        json!({ "o": objective, "p": priority }),
    )
    .await
    .data();

    let read = r#"query($m: ID!, $o: ID!) {
        metric(id: $m) { orgUnit { id } priority { id } }
        okr { objective(id: $o) { orgUnit { id } alignedTo { __typename } } }
    }"#;
    let before = app
        .gql(&admin, read, json!({ "m": metric, "o": objective }))
        .await;
    assert_eq!(before.data()["metric"]["priority"]["id"], json!(priority));
    assert_eq!(
        before.data()["okr"]["objective"]["orgUnit"]["id"],
        json!(unit)
    );
    assert_eq!(
        before.data()["okr"]["objective"]["alignedTo"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let retired = app
        .gql(
            &admin,
            r#"mutation($p: ID!) { deleteStrategicPriority(input: {id: $p}) { deletedId } }"#,
            json!({ "p": priority }),
        )
        .await;
    assert!(retired.body["errors"].is_null(), "{}", retired.body);
    let deleted = app
        .gql(
            &admin,
            r#"mutation($u: ID!) { deleteOrgUnit(input: {id: $u}) { deletedId } }"#,
            json!({ "u": unit }),
        )
        .await;
    assert!(deleted.body["errors"].is_null(), "{}", deleted.body);

    let after = app
        .gql(&admin, read, json!({ "m": metric, "o": objective }))
        .await;
    assert_eq!(
        after.data(),
        &json!({
            "metric": { "orgUnit": null, "priority": null },
            "okr": { "objective": { "orgUnit": null, "alignedTo": [] } }
        }),
        "the rows stay, in their tenant, without the deleted references"
    );
}
