//! Every argument and input field of every query and mutation, core and
//! frameworks, found by introspection, receives values at the edges of its
//! type: extreme decimals and dates, NUL and control characters, long
//! strings, garbage IDs and cursors, negative and huge page sizes, deep and
//! wide lists and objects. Every answer must arrive, carry a code on each
//! error, never be INTERNAL or a 500, and leave the server serving. A new
//! field or framework is covered without a new test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use futures_util::SinkExt;
use serde_json::{Map, Value, json};
use throughline_tests::schema_walk::{
    Ids, Schema, TypeRef, cases, document, introspected, problem,
};
use throughline_tests::ws::{Message, connect, next};

/// Values at and past the edges of `t`; each replaces the plausible
/// value in turn. Input objects get each of their fields broken.
fn bad(schema: &Schema, t: &TypeRef, context: &str, ids: &Ids, depth: usize) -> Vec<Value> {
    let (kind, name) = t.named();
    let inner = if t.kind() == "NON_NULL" {
        t.of()
    } else {
        t.clone()
    };
    let mut out = Vec::new();
    if inner.kind() == "LIST" {
        let item = schema.plausible(&inner.of(), context, ids, depth);
        out.push(Value::Array(vec![item; 2_000]));
        let mut nested = json!(1);
        for _ in 0..40 {
            nested = json!([nested]);
        }
        out.push(nested);
        for bad in bad(schema, &inner.of(), context, ids, depth) {
            out.push(json!([bad]));
        }
        return out;
    }
    match kind.as_str() {
        "INPUT_OBJECT" => {
            let mut deep = json!({});
            for _ in 0..40 {
                deep = json!({ "x": deep });
            }
            out.push(deep);
            out.push(json!("not an object"));
            if depth < 2 {
                let base = schema.plausible(&inner, context, ids, depth);
                for field in schema.ty(&name)["inputFields"].as_array().unwrap() {
                    let ft = TypeRef(field["type"].clone());
                    let fname = field["name"].as_str().unwrap();
                    for bad in bad(schema, &ft, &format!("{context}.{fname}"), ids, depth + 1) {
                        let mut object = base.clone();
                        object[fname] = bad;
                        out.push(object);
                    }
                }
            }
        }
        "ENUM" => {
            out.push(json!("NOT_A_VALUE"));
            out.push(json!(""));
        }
        _ => out.extend(scalar_bad(&name, context)),
    }
    if !t.required() {
        out.push(Value::Null);
    }
    out
}

fn scalar_bad(name: &str, context: &str) -> Vec<Value> {
    let lower = context.to_ascii_lowercase();
    match name {
        "String" => {
            let mut values = vec![
                json!("nul\u{0}inside"),
                json!("bell\u{7}and\u{1b}escape"),
                json!(""),
                json!("x".repeat(200_000)),
                json!("é".repeat(5_000)),
            ];
            if lower.contains("after") || lower.contains("before") || lower.contains("cursor") {
                values.push(json!("not-a-cursor"));
                values.push(json!("eyJ4IjoxfQ"));
            }
            values
        }
        "Int" => vec![
            json!(2_147_483_648i64),
            json!(-2_147_483_649i64),
            json!(-1),
            json!(0),
            json!(2_147_483_647),
            json!(-2_147_483_648i64),
            json!(1.5),
        ],
        "Float" => vec![json!(1e308), json!(-1e308)],
        "Decimal" => vec![
            json!("-79228162514264337593543950335"),
            json!("79228162514264337593543950335"),
            json!("0.0000000000000000000000000001"),
            json!("1e400"),
            json!("NaN"),
            json!("12abc"),
        ],
        "Date" => vec![
            json!("+262142-12-01"),
            json!("-262143-01-01"),
            json!("0001-01-01"),
            json!("9999-12-31"),
            json!("2026-02-30"),
            json!("yesterday"),
        ],
        "DateTime" => vec![
            json!("+262142-12-31T23:59:59Z"),
            json!("0001-01-01T00:00:00Z"),
            json!("2026-13-01T00:00:00Z"),
        ],
        "ID" => vec![
            json!(""),
            json!("garbage"),
            json!("UGVyc29uOm5vdC1hLXV1aWQ"),
            json!("nul\u{0}id"),
            json!("x".repeat(10_000)),
        ],
        "JSON" => {
            let mut deep = json!({});
            for _ in 0..30 {
                deep = json!({ "x": deep });
            }
            vec![
                deep,
                json!([1, "two", null]),
                json!({ "cycleLengthMonths": -1, "x": "\u{0}" }),
            ]
        }
        "Boolean" => vec![json!("yes")],
        _ => vec![],
    }
}

#[tokio::test]
async fn every_argument_at_the_edges_answers_a_coded_error_and_the_server_stays_up() {
    let (app, admin, ids, raw, schema) = introspected().await;
    let mut all = cases(&schema, raw["queryType"]["name"].as_str().unwrap(), "query");
    all.extend(cases(
        &schema,
        raw["mutationType"]["name"].as_str().unwrap(),
        "mutation",
    ));
    // Deletions would remove the rows the other cases reach through.
    all.retain(|case| !case.field.starts_with("delete") && !case.field.starts_with("disable"));
    assert!(
        all.len() > 40,
        "introspection found only {} fields",
        all.len()
    );

    let mut failures = Vec::new();
    let mut sent = 0usize;
    for case in &all {
        let required: Vec<(String, TypeRef)> = case
            .args
            .iter()
            .filter(|(_, t)| t.required())
            .cloned()
            .collect();
        for (arg, t) in &case.args {
            let context = format!("{}.{arg}", case.field);
            let mut declared = required.clone();
            if !t.required() {
                declared.push((arg.clone(), t.clone()));
            }
            let query = document(case, &declared);
            for bad in bad(&schema, t, &context, &ids, 0) {
                let mut variables = Map::new();
                for (name, rt) in &required {
                    variables.insert(
                        name.clone(),
                        schema.plausible(rt, &format!("{}.{name}", case.field), &ids, 0),
                    );
                }
                variables.insert(arg.clone(), bad.clone());
                let response = app.gql(&admin, &query, Value::Object(variables)).await;
                sent += 1;
                if let Some(problem) = problem(response.status, &response.body) {
                    let shown: String = bad.to_string().chars().take(120).collect();
                    failures.push(format!("{query}\n  {arg} = {shown}\n  → {problem}"));
                }
            }
        }
    }
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200, "the server stopped serving");
    let alive = app.gql(&admin, "{ viewer { role } }", json!({})).await;
    assert_eq!(alive.data()["viewer"]["role"], "ADMIN");
    eprintln!("{sent} requests over {} fields", all.len());
    assert!(
        failures.is_empty(),
        "{} of {sent} bad inputs were not answered with a coded, non-INTERNAL error:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The same edges for every subscription argument, over graphql-transport-ws:
/// each bad subscribe answers a coded `error` for its id (or starts), and
/// the socket keeps serving — a bomb sent over it included.
#[tokio::test]
async fn every_subscription_argument_at_the_edges_leaves_the_socket_serving() {
    let (app, admin, ids, raw, schema) = introspected().await;
    let subscription = raw["subscriptionType"]["name"].as_str().unwrap();
    let all = cases(&schema, subscription, "subscription");
    assert!(!all.is_empty());
    let mut socket = connect(&app, json!({ "authorization": format!("Bearer {admin}") })).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    let mut failures = Vec::new();
    let mut sent = 0;
    let mut send = |id: String, query: String, variables: Value| {
        sent += 1;
        Message::text(
            json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } })
                .to_string(),
        )
    };
    let mut messages = Vec::new();
    for case in &all {
        for (arg, t) in &case.args {
            let query = document(case, &[(arg.clone(), t.clone())]);
            for bad in bad(&schema, t, &format!("{}.{arg}", case.field), &ids, 0) {
                let id = format!("{}", messages.len());
                messages.push((id.clone(), query.clone(), bad.clone()));
                let mut variables = Map::new();
                variables.insert(arg.clone(), bad);
                socket
                    .send(send(id, query.clone(), Value::Object(variables)))
                    .await
                    .unwrap();
            }
        }
    }
    let mut bomb = String::from(
        "subscription { ...F30 }\nfragment F0 on Subscription { metricValueRecorded { id } }\n",
    );
    for i in 1..=30 {
        bomb.push_str(&format!(
            "fragment F{i} on Subscription {{ ...F{p} ...F{p} }}\n",
            p = i - 1
        ));
    }
    socket
        .send(send("bomb".into(), bomb, json!({})))
        .await
        .unwrap();
    // Answers come as each subscription is first polled: read until the
    // bomb's answer and a quiet second after it.
    let mut bomb_refused = false;
    let mut answered = 0;
    loop {
        let wait = if bomb_refused { 1 } else { 20 };
        let Ok(message) =
            tokio::time::timeout(std::time::Duration::from_secs(wait), next(&mut socket)).await
        else {
            break;
        };
        let Some(message) = message else {
            panic!("the socket closed");
        };
        answered += 1;
        match message["type"].as_str() {
            // async-graphql answers a refused subscribe as `next` with
            // `errors`, then `complete`; the protocol's `error` is also read.
            Some("error") | Some("next") => {
                let id = message["id"].as_str().unwrap_or("");
                let errors = if message["type"] == "error" {
                    &message["payload"]
                } else {
                    &message["payload"]["errors"]
                };
                for error in errors.as_array().into_iter().flatten() {
                    let code = error["extensions"]["code"].as_str();
                    if id == "bomb" {
                        bomb_refused = code == Some("LIMIT_EXCEEDED");
                    } else if code.is_none() || code == Some("INTERNAL") {
                        let case = messages.iter().find(|(i, _, _)| i == id);
                        failures.push(format!("{case:?}\n  → {error}"));
                    }
                }
            }
            Some("closed") | None => panic!("the socket closed: {message}"),
            _ => {}
        }
    }
    assert!(
        bomb_refused,
        "the fragment bomb was not refused over the socket"
    );
    eprintln!("{sent} subscriptions, {answered} answers");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
