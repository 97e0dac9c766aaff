//! Every argument and input field of every query and mutation, core and
//! frameworks, found by introspection, receives values at the edges of its
//! type: extreme decimals and dates, NUL and control characters, long
//! strings, garbage IDs and cursors, negative and huge page sizes, deep and
//! wide lists and objects. Every answer must arrive, carry a code on each
//! error, never be INTERNAL or a 500, and leave the server serving. A new
//! field or framework is covered without a new test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::HashMap;

use futures_util::SinkExt;
use serde_json::{Map, Value, json};
use throughline_tests::ws::{Message, connect, next};
use throughline_tests::{TestApp, id_at, start};

const INTROSPECTION: &str = r#"{
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types {
      kind name
      fields { name args { name type { ...T } defaultValue } type { ...T } }
      inputFields { name type { ...T } defaultValue }
      enumValues { name }
    }
  }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }"#;

#[derive(Clone, Debug)]
struct TypeRef(Value);

impl TypeRef {
    fn kind(&self) -> &str {
        self.0["kind"].as_str().unwrap_or("")
    }
    fn of(&self) -> TypeRef {
        TypeRef(self.0["ofType"].clone())
    }
    fn required(&self) -> bool {
        self.kind() == "NON_NULL"
    }
    /// The named type inside the wrappers.
    fn named(&self) -> (String, String) {
        let mut t = self.clone();
        while t.kind() == "NON_NULL" || t.kind() == "LIST" {
            t = t.of();
        }
        (
            t.kind().to_string(),
            t.0["name"].as_str().unwrap_or("").to_string(),
        )
    }
    /// GraphQL notation, for variable definitions.
    fn notation(&self) -> String {
        match self.kind() {
            "NON_NULL" => format!("{}!", self.of().notation()),
            "LIST" => format!("[{}]", self.of().notation()),
            _ => self.0["name"].as_str().unwrap_or("").to_string(),
        }
    }
}

struct Schema {
    types: HashMap<String, Value>,
}

/// Real IDs in the tenant, so a bad value in one argument reaches the
/// service behind a good one in another.
struct Ids(Vec<(&'static str, String)>);

impl Ids {
    fn for_name(&self, context: &str) -> String {
        let context = context.to_ascii_lowercase();
        self.0
            .iter()
            .find(|(hint, _)| context.contains(hint))
            .or_else(|| self.0.last())
            .map(|(_, id)| id.clone())
            .unwrap_or_default()
    }
}

impl Schema {
    fn ty(&self, name: &str) -> &Value {
        &self.types[name]
    }

    /// A plausible value of `t`, for the arguments not under test.
    fn plausible(&self, t: &TypeRef, context: &str, ids: &Ids, depth: usize) -> Value {
        match t.kind() {
            "NON_NULL" => self.plausible(&t.of(), context, ids, depth),
            "LIST" => json!([self.plausible(&t.of(), context, ids, depth)]),
            "ENUM" => {
                let name = t.0["name"].as_str().unwrap_or("");
                self.ty(name)["enumValues"][0]["name"].clone()
            }
            "INPUT_OBJECT" => {
                let name = t.0["name"].as_str().unwrap_or("");
                let mut object = Map::new();
                if depth < 4 {
                    for field in self.ty(name)["inputFields"].as_array().unwrap() {
                        let ft = TypeRef(field["type"].clone());
                        let fname = field["name"].as_str().unwrap();
                        if ft.required() && field["defaultValue"].is_null() {
                            object.insert(
                                fname.to_string(),
                                self.plausible(&ft, &format!("{context}.{fname}"), ids, depth + 1),
                            );
                        }
                    }
                }
                Value::Object(object)
            }
            _ => scalar_plausible(t.0["name"].as_str().unwrap_or(""), context, ids),
        }
    }

    /// Values at and past the edges of `t`; each replaces the plausible
    /// value in turn. Input objects get each of their fields broken.
    fn bad(&self, t: &TypeRef, context: &str, ids: &Ids, depth: usize) -> Vec<Value> {
        let (kind, name) = t.named();
        let inner = if t.kind() == "NON_NULL" {
            t.of()
        } else {
            t.clone()
        };
        let mut out = Vec::new();
        if inner.kind() == "LIST" {
            let item = self.plausible(&inner.of(), context, ids, depth);
            out.push(Value::Array(vec![item; 2_000]));
            let mut nested = json!(1);
            for _ in 0..40 {
                nested = json!([nested]);
            }
            out.push(nested);
            for bad in self.bad(&inner.of(), context, ids, depth) {
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
                    let base = self.plausible(&inner, context, ids, depth);
                    for field in self.ty(&name)["inputFields"].as_array().unwrap() {
                        let ft = TypeRef(field["type"].clone());
                        let fname = field["name"].as_str().unwrap();
                        for bad in self.bad(&ft, &format!("{context}.{fname}"), ids, depth + 1) {
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
}

fn scalar_plausible(name: &str, context: &str, ids: &Ids) -> Value {
    match name {
        "ID" => json!(ids.for_name(context)),
        "String" => json!("plausible"),
        "Int" => json!(1),
        "Float" => json!(1.0),
        "Boolean" => json!(false),
        "Decimal" => json!("1"),
        "Date" => json!("2026-06-01"),
        "DateTime" => json!("2026-06-01T00:00:00.000Z"),
        "JSON" => json!({}),
        _ => json!(null),
    }
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

/// What can be wrong with one answer, or `None` if it is acceptable.
fn problem(status: u16, body: &Value) -> Option<String> {
    if status >= 500 {
        return Some(format!("HTTP {status}"));
    }
    if body.is_null() {
        return Some("no JSON body".into());
    }
    for error in body["errors"].as_array().into_iter().flatten() {
        // Locations are 1-based; a request error about the whole document has none.
        for location in error["locations"].as_array().into_iter().flatten() {
            if location["line"].as_u64() < Some(1) || location["column"].as_u64() < Some(1) {
                return Some(format!("a location that points nowhere: {error}"));
            }
        }
        match error["extensions"]["code"].as_str() {
            None => return Some(format!("an error without a code: {error}")),
            Some("INTERNAL") => return Some(format!("INTERNAL: {error}")),
            Some(_) => {}
        }
    }
    None
}

struct Case {
    operation: &'static str,
    path: Vec<String>,
    field: String,
    args: Vec<(String, TypeRef)>,
    selection: String,
}

fn cases(schema: &Schema, root: &str, operation: &'static str) -> Vec<Case> {
    let mut out = Vec::new();
    let mut roots = vec![(Vec::<String>::new(), root.to_string())];
    while let Some((path, type_name)) = roots.pop() {
        for field in schema.ty(&type_name)["fields"].as_array().unwrap() {
            let name = field["name"].as_str().unwrap().to_string();
            let args: Vec<(String, TypeRef)> = field["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    (
                        a["name"].as_str().unwrap().to_string(),
                        TypeRef(a["type"].clone()),
                    )
                })
                .collect();
            let (kind, ret) = TypeRef(field["type"].clone()).named();
            // A framework's namespace: descend into it.
            if args.is_empty()
                && kind == "OBJECT"
                && path.is_empty()
                && ret.starts_with(&name[..1].to_ascii_uppercase())
                && (ret.ends_with("Query") || ret.ends_with("Mutation"))
            {
                let mut inner = path.clone();
                inner.push(name);
                roots.push((inner, ret));
                continue;
            }
            if args.is_empty() {
                continue;
            }
            let selection = match kind.as_str() {
                "OBJECT" | "INTERFACE" | "UNION" => "{ __typename }".to_string(),
                _ => String::new(),
            };
            out.push(Case {
                operation,
                path: path.clone(),
                field: name,
                args,
                selection,
            });
        }
    }
    out
}

fn document(case: &Case, declared: &[(String, TypeRef)]) -> String {
    let definitions: Vec<String> = declared
        .iter()
        .map(|(name, t)| format!("${name}: {}", t.notation()))
        .collect();
    let arguments: Vec<String> = declared
        .iter()
        .map(|(name, _)| format!("{name}: ${name}"))
        .collect();
    let mut body = format!(
        "{}({}) {}",
        case.field,
        arguments.join(", "),
        case.selection
    );
    for segment in case.path.iter().rev() {
        body = format!("{segment} {{ {body} }}");
    }
    format!(
        "{} Probe({}) {{ {body} }}",
        case.operation,
        definitions.join(", ")
    )
}

async fn seed(app: &TestApp, admin: &str) -> Ids {
    let today = chrono::Utc::now().date_naive();
    let r = app
        .gql(
            admin,
            r#"mutation($s: Date!, $e: Date!) {
                unit: createOrgUnit(input: {name: "Sales"}) { orgUnit { id } }
                person: createPerson(input: {name: "Ada", email: "ada@acme.example"}) { person { id } }
                priority: createStrategicPriority(input: {title: "Grow"}) { strategicPriority { id } }
                metric: createMetric(input: {name: "Revenue", direction: HIGHER_IS_BETTER, indicatorKind: LAGGING, frequency: MONTHLY, aggregation: SUM}) { metric { id } }
                okr { createCycle(input: {name: "Now", startsOn: $s, endsOn: $e}) { cycle { id } } }
            }"#,
            json!({ "s": today - chrono::Duration::days(30), "e": today + chrono::Duration::days(60) }),
        )
        .await;
    let data = r.data();
    let person = id_at(data, "person.person.id");
    let cycle = id_at(data, "okr.createCycle.cycle.id");
    let o = app
        .gql(
            admin,
            r#"mutation($c: ID!, $p: ID!) { okr {
                createObjective(input: {cycleId: $c, title: "Win", level: INDIVIDUAL, ownerId: $p, status: ACTIVE}) { objective { id } }
            } }"#,
            json!({ "c": cycle, "p": person }),
        )
        .await;
    let objective = id_at(o.data(), "okr.createObjective.objective.id");
    let k = app
        .gql(
            admin,
            r#"mutation($o: ID!) { okr {
                createKeyResult(input: {objectiveId: $o, title: "Deals", target: {kind: INCREASE_TO, start: "0", target: "10"}}) { keyResult { id } }
            } }"#,
            json!({ "o": objective }),
        )
        .await;
    let key_result = id_at(k.data(), "okr.createKeyResult.keyResult.id");
    Ids(vec![
        ("keyresult", key_result),
        ("objective", objective.clone()),
        ("cycle", cycle),
        ("metric", id_at(data, "metric.metric.id")),
        ("priorit", id_at(data, "priority.strategicPriority.id")),
        ("orgunit", id_at(data, "unit.orgUnit.id")),
        ("parent", objective),
        ("person", person.clone()),
        ("owner", person.clone()),
        ("manager", person.clone()),
        ("", person),
    ])
}

/// A seeded tenant and the schema as its admin sees it.
async fn introspected() -> (TestApp, String, Ids, Value, Schema) {
    let app = start().await;
    app.tenant("acme", &["okr"]).await;
    let admin = app.admin("acme");
    let ids = seed(&app, &admin).await;
    let introspection = app.gql(&admin, INTROSPECTION, json!({})).await;
    let raw = &introspection.data()["__schema"];
    let schema = Schema {
        types: raw["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["name"].as_str().unwrap().to_string(), t.clone()))
            .collect(),
    };
    let raw = raw.clone();
    (app, admin, ids, raw, schema)
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
            for bad in schema.bad(t, &context, &ids, 0) {
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
            for bad in schema.bad(t, &format!("{}.{arg}", case.field), &ids, 0) {
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
