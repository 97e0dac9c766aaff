//! Walking the schema by introspection: every query and mutation field of
//! the core and of every framework, with plausible arguments, so a test
//! covers fields added later without a list to maintain.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::{TestApp, id_at, start};

pub const INTROSPECTION: &str = r#"{
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
pub struct TypeRef(pub Value);

impl TypeRef {
    pub fn kind(&self) -> &str {
        self.0["kind"].as_str().unwrap_or("")
    }
    pub fn of(&self) -> TypeRef {
        TypeRef(self.0["ofType"].clone())
    }
    pub fn required(&self) -> bool {
        self.kind() == "NON_NULL"
    }
    /// The named type inside the wrappers.
    pub fn named(&self) -> (String, String) {
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
    pub fn notation(&self) -> String {
        match self.kind() {
            "NON_NULL" => format!("{}!", self.of().notation()),
            "LIST" => format!("[{}]", self.of().notation()),
            _ => self.0["name"].as_str().unwrap_or("").to_string(),
        }
    }
}

pub struct Schema {
    pub types: HashMap<String, Value>,
}

/// Real IDs in the tenant, so a bad value in one argument reaches the
/// service behind a good one in another.
pub struct Ids(pub Vec<(&'static str, String)>);

impl Ids {
    pub fn for_name(&self, context: &str) -> String {
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
    pub fn ty(&self, name: &str) -> &Value {
        &self.types[name]
    }

    /// A plausible value of `t`, for the arguments not under test.
    pub fn plausible(&self, t: &TypeRef, context: &str, ids: &Ids, depth: usize) -> Value {
        self.value(t, context, ids, depth, false)
    }

    /// Like [`plausible`](Self::plausible), with every ID field of an input
    /// set too, optional ones included: what a cross-tenant probe sends.
    pub fn with_every_id(&self, t: &TypeRef, context: &str, ids: &Ids) -> Value {
        self.value(t, context, ids, 0, true)
    }

    /// Whether `t` is or holds an ID somewhere (inside input objects too).
    pub fn holds_id(&self, t: &TypeRef, depth: usize) -> bool {
        let (kind, name) = t.named();
        match kind.as_str() {
            "SCALAR" => name == "ID",
            "INPUT_OBJECT" if depth < 4 => self.ty(&name)["inputFields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| self.holds_id(&TypeRef(f["type"].clone()), depth + 1)),
            _ => false,
        }
    }

    fn value(&self, t: &TypeRef, context: &str, ids: &Ids, depth: usize, every_id: bool) -> Value {
        match t.kind() {
            "NON_NULL" => self.value(&t.of(), context, ids, depth, every_id),
            "LIST" => json!([self.value(&t.of(), context, ids, depth, every_id)]),
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
                        let wanted = (ft.required() && field["defaultValue"].is_null())
                            || (every_id && self.holds_id(&ft, depth));
                        if wanted {
                            object.insert(
                                fname.to_string(),
                                self.value(
                                    &ft,
                                    &format!("{context}.{fname}"),
                                    ids,
                                    depth + 1,
                                    every_id,
                                ),
                            );
                        }
                    }
                }
                Value::Object(object)
            }
            _ => scalar_plausible(t.0["name"].as_str().unwrap_or(""), context, ids),
        }
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

pub struct Case {
    pub operation: &'static str,
    pub path: Vec<String>,
    pub field: String,
    pub args: Vec<(String, TypeRef)>,
    pub selection: String,
}

pub fn cases(schema: &Schema, root: &str, operation: &'static str) -> Vec<Case> {
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

pub fn document(case: &Case, declared: &[(String, TypeRef)]) -> String {
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

pub async fn seed(app: &TestApp, admin: &str) -> Ids {
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
                account: createServiceAccount(input: {name: "Sync"}) { serviceAccount { id } }
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
    // A value, a target, a dashboard, a check-in and an alignment, so every
    // kind of row exists.
    let last_month = chrono::Datelike::with_day(&today, 1).unwrap() - chrono::Duration::days(1);
    let more = app
        .gql(
            admin,
            r#"mutation($m: ID!, $p: Date!, $k: ID!, $o: ID!, $s: ID!) {
                recordMetricValues(input: {metricId: $m, values: [{period: $p, value: "5"}]}) { __typename }
                setMetricTarget(input: {metricId: $m, validFrom: $p, target: {kind: STAY_AT_OR_ABOVE, target: "4"}}) { __typename }
                createDashboard(input: {title: "Company", keyMetrics: [{metricId: $m}]}) { __typename }
                okr {
                    recordCheckIn(input: {keyResultId: $k, value: "3"}) { __typename }
                    align(input: {objectiveId: $o, priorityId: $s}) { __typename }
                }
            }"#,
            json!({
                "m": id_at(data, "metric.metric.id"),
                "p": chrono::Datelike::with_day(&last_month, 1).unwrap(),
                "k": key_result,
                "o": objective,
                "s": id_at(data, "priority.strategicPriority.id"),
            }),
        )
        .await;
    assert!(more.body["errors"].is_null(), "{}", more.body);
    // A review series whose first meeting is open, with a topic, a decision
    // and an overdue action item.
    let review = app
        .gql(
            admin,
            r#"mutation($p: ID!) { createReviewSeries(input: {title: "Monthly", cadence: MONTHLY, ownerId: $p, participantIds: [$p]}) {
                series { id nextMeeting { id version } } } }"#,
            json!({ "p": person }),
        )
        .await;
    let series = id_at(review.data(), "createReviewSeries.series.id");
    let meeting = id_at(review.data(), "createReviewSeries.series.nextMeeting.id");
    let opened = app
        .gql(
            admin,
            r#"mutation($m: ID!, $p: ID!, $d: Date!) {
                openReviewMeeting(input: {id: $m, version: 1}) { meeting { status } }
                addReviewAgendaItem(input: {meetingId: $m, title: "Hiring"}) { item { id } }
                recordReviewDecision(input: {meetingId: $m, text: "Hire two", ownerId: $p}) { decision { id } }
                createReviewActionItem(input: {meetingId: $m, title: "Post the roles", ownerId: $p, dueOn: $d}) { actionItem { id } }
            }"#,
            json!({ "m": meeting, "p": person, "d": today - chrono::Duration::days(2) }),
        )
        .await;
    assert!(opened.body["errors"].is_null(), "{}", opened.body);
    // A scorecard with an objective and a measure, when the tenant has it.
    let card = app
        .gql(
            admin,
            r#"mutation($u: ID!) { scorecard {
                createScorecard(input: {title: "Company", orgUnitId: $u}) { scorecard { id perspectives { perspective { id } } } }
            } }"#,
            json!({ "u": id_at(data, "unit.orgUnit.id") }),
        )
        .await;
    let mut scorecard_ids = Vec::new();
    if card.body["errors"].is_null() {
        let card = &card.data()["scorecard"]["createScorecard"]["scorecard"];
        let scorecard = card["id"].as_str().unwrap().to_string();
        let perspective = card["perspectives"][0]["perspective"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let objective = app
            .gql(
                admin,
                r#"mutation($s: ID!, $p: ID!, $o: ID!) { scorecard {
                    createObjective(input: {scorecardId: $s, perspectiveId: $p, title: "Grow", ownerId: $o}) { objective { id } }
                } }"#,
                json!({ "s": scorecard, "p": perspective, "o": person }),
            )
            .await;
        let objective = id_at(objective.data(), "scorecard.createObjective.objective.id");
        let measure = app
            .gql(
                admin,
                r#"mutation($o: ID!, $m: ID!) { scorecard {
                    createMeasure(input: {objectiveId: $o, metricId: $m, scoringType: GOAL_RED_FLAG,
                                          thresholds: [{goal: "7", redFlag: "3"}]}) { measure { id } }
                } }"#,
                json!({ "o": objective, "m": id_at(data, "metric.metric.id") }),
            )
            .await;
        let measure = id_at(measure.data(), "scorecard.createMeasure.measure.id");
        // Most specific first: contexts are `path.field.argument…`.
        scorecard_ids = vec![
            (
                "scorecard.createmeasure.input.objectiveid",
                objective.clone(),
            ),
            (
                "scorecard.createmeasure.input.metricid",
                id_at(data, "metric.metric.id"),
            ),
            ("scorecard.setweights.input.objectiveid", objective.clone()),
            ("scorecard.updateobjective", objective.clone()),
            ("scorecard.deleteobjective", objective),
            ("perspective", perspective),
            ("measure", measure),
            ("scorecardid", scorecard.clone()),
            ("scorecard.id", scorecard.clone()),
            ("scorecard.input.id", scorecard),
        ];
    } else {
        assert_eq!(card.code(), "FRAMEWORK_DISABLED", "{}", card.body);
    }
    let mut ids = scorecard_ids;
    ids.extend(vec![
        ("meeting", meeting),
        ("series", series),
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
    ]);
    Ids(ids)
}

/// A seeded tenant and the schema as its admin sees it.
pub async fn introspected() -> (TestApp, String, Ids, Value, Schema) {
    let app = start().await;
    app.tenant("acme", &["okr", "scorecard"]).await;
    let admin = app.admin("acme");
    let ids = seed(&app, &admin).await;
    let (raw, schema) = schema_of(&app, &admin).await;
    (app, admin, ids, raw, schema)
}

/// The schema as `token`'s tenant sees it: the raw `__schema` and its types.
pub async fn schema_of(app: &TestApp, token: &str) -> (Value, Schema) {
    let introspection = app.gql(token, INTROSPECTION, json!({})).await;
    let raw = introspection.data()["__schema"].clone();
    let schema = Schema {
        types: raw["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["name"].as_str().unwrap().to_string(), t.clone()))
            .collect(),
    };
    (raw, schema)
}

/// Whether a field (from introspection) has an argument without which it
/// cannot be called.
pub fn needs_argument(field: &Value) -> bool {
    field["args"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|a| TypeRef(a["type"].clone()).required())
}

/// What can be wrong with one answer, or `None` if it is acceptable.
pub fn problem(status: u16, body: &Value) -> Option<String> {
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
