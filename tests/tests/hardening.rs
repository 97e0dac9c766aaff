//! One request must never stop the service: document bombs are refused
//! fast and coded while other requests are served; a failing event handler
//! fails alone; races answer CONFLICT or VALIDATION, never INTERNAL; every
//! error carries a code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use throughline_domain::entity::event_delivery_failure;
use throughline_domain::enums::Role;
use throughline_tests::{Gql, TestApp, id_at, start, start_with_probe};

/// Refusals must be immediate; the bound is loose because debug builds on
/// a busy CI machine are slow (the benchmark measures it precisely).
const FAST: Duration = Duration::from_millis(1_000);

async fn post_raw(app: &TestApp, token: Option<&str>, body: &str) -> (u16, Value, Duration) {
    let started = Instant::now();
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, started.elapsed())
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected a coded error, got {body}"))
}

async fn still_serving(app: &TestApp, token: &str) {
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let viewer = app.gql(token, "{ viewer { role } }", json!({})).await;
    assert_eq!(viewer.data()["viewer"]["role"], "ADMIN");
}

fn doubling_fragments(levels: usize) -> String {
    let mut query = format!("{{ ...F{levels} }}\nfragment F0 on Query {{ __typename }}\n");
    for i in 1..=levels {
        query.push_str(&format!(
            "fragment F{i} on Query {{ ...F{p} ...F{p} }}\n",
            p = i - 1
        ));
    }
    query
}

#[tokio::test]
async fn an_unauthenticated_bracket_bomb_over_get_is_refused_before_parsing() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = app.admin("acme");
    let bomb = format!("{{nodes(ids:{}){{id}}}}", "[".repeat(5_000));
    let started = Instant::now();
    let response = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", bomb.as_str())])
        .header("accept", "application/json")
        .send()
        .await
        .expect("an answer, not a dropped connection");
    let elapsed = started.elapsed();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(code(&body), "LIMIT_EXCEEDED", "{body}");
    assert!(elapsed < FAST, "took {elapsed:?}");
    still_serving(&app, &token).await;
}

#[tokio::test]
async fn document_bombs_are_refused_fast_with_a_code() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = app.admin("acme");
    let deep_selection = format!("{}{}", "{ viewer ".repeat(3_000), "}".repeat(3_000));
    let deep_value = format!(
        "{{ scoreTarget(target: {}) {{ score {{ progress }} }} }}",
        "{kind: MILESTONE, x: ".repeat(3_000)
    );
    let mut chain = String::from("{ ...F0 }\n");
    for i in 0..3_000 {
        chain.push_str(&format!("fragment F{i} on Query {{ ...F{} }}\n", i + 1));
    }
    chain.push_str("fragment F3000 on Query { __typename }\n");
    let many_directives = format!(
        "{{ viewer {} {{ role }} }}",
        "@include(if: true) ".repeat(50)
    );
    let aliases: String = (0..200).map(|i| format!("a{i}: __typename ")).collect();
    let mut nested_variable = json!(1);
    for _ in 0..100 {
        nested_variable = json!([nested_variable]);
    }
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "nested selections",
            json!({ "query": deep_selection }),
            "LIMIT_EXCEEDED",
        ),
        (
            "nested input values",
            json!({ "query": deep_value }),
            "LIMIT_EXCEEDED",
        ),
        (
            "doubling fragments",
            json!({ "query": doubling_fragments(30) }),
            "LIMIT_EXCEEDED",
        ),
        (
            "a long fragment chain",
            json!({ "query": chain }),
            "LIMIT_EXCEEDED",
        ),
        (
            "fragments that spread themselves",
            json!({ "query": "{ ...A } fragment A on Query { ...B } fragment B on Query { viewer { role } ...A }" }),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "many directives",
            json!({ "query": many_directives }),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "many aliases",
            json!({ "query": format!("{{ {aliases} }}") }),
            "LIMIT_EXCEEDED",
        ),
        (
            "deeply nested variables",
            json!({ "query": "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", "variables": { "ids": nested_variable } }),
            "BAD_USER_INPUT",
        ),
    ];
    for (what, body, expected) in cases {
        let (status, answer, elapsed) = post_raw(&app, Some(&token), &body.to_string()).await;
        let got = code(&answer);
        // Directive limits are a validation failure in async-graphql.
        assert!(
            got == expected || (what == "many directives" && got == "LIMIT_EXCEEDED"),
            "{what}: {answer}"
        );
        assert_eq!(status, 400, "{what}: {answer}");
        assert!(elapsed < FAST, "{what} took {elapsed:?}");
    }
    let batch = post_raw(&app, Some(&token), r#"[{"query":"{ __typename }"}]"#).await;
    assert_eq!((batch.0, code(&batch.1)), (400, "VALIDATION"));
    let oversized = format!(
        r#"{{"query":"{{ __typename }}","x":"{}"}}"#,
        "x".repeat(throughline_api::config::Limits::default().max_body_bytes + 10)
    );
    let (status, _, elapsed) = post_raw(&app, Some(&token), &oversized).await;
    assert_eq!(status, 413);
    assert!(elapsed < FAST * 2, "an oversized body took {elapsed:?}");
    still_serving(&app, &token).await;
}

#[tokio::test]
async fn a_flood_of_bombs_does_not_starve_other_requests() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = app.admin("acme");
    let bomb = json!({ "query": doubling_fragments(40) }).to_string();
    let started = Instant::now();
    let flood =
        futures_util::future::join_all((0..16).map(|_| post_raw(&app, Some(&token), &bomb)));
    let control = async {
        tokio::time::sleep(Duration::from_millis(5)).await;
        app.gql(&token, "{ viewer { role } }", json!({})).await
    };
    let (answers, control) = tokio::join!(flood, control);
    assert_eq!(control.data()["viewer"]["role"], "ADMIN");
    for (status, body, _) in answers {
        assert_eq!((status, code(&body)), (400, "LIMIT_EXCEEDED"));
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "16 bombs took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn every_error_has_a_code_apollo_clients_understand() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = app.admin("acme");
    let cases: Vec<(Value, &str, Option<&str>)> = vec![
        (
            json!({ "query": "{ viewer { role " }),
            "GRAPHQL_PARSE_FAILED",
            None,
        ),
        (
            json!({ "query": "{ nope }" }),
            "GRAPHQL_VALIDATION_FAILED",
            None,
        ),
        (
            json!({ "query": "query($n: Int!) { people(first: $n) { totalCount } }", "variables": { "n": "ten" } }),
            "BAD_USER_INPUT",
            Some("first"),
        ),
        (
            json!({ "query": "query($id: ID!) { node(id: $id) { id } }" }),
            "BAD_USER_INPUT",
            Some("variables.id"),
        ),
        (
            json!({ "query": "query A { viewer { role } }", "operationName": "B" }),
            "BAD_USER_INPUT",
            Some("operationName"),
        ),
        (
            json!({ "query": "query A { viewer { role } } query B { viewer { role } }" }),
            "BAD_USER_INPUT",
            Some("operationName"),
        ),
        (
            json!({ "query": "query($f: Date!) { periods(kind: MONTH, from: $f, to: \"2026-12-01\") { label } }", "variables": { "f": "+262142-12-01" } }),
            "BAD_USER_INPUT",
            Some("variables.f"),
        ),
        (
            json!({ "query": "{ periods(kind: MONTH, from: \"0001-01-01\", to: \"2026-12-01\") { label } }" }),
            "BAD_USER_INPUT",
            Some("from"),
        ),
        (
            json!({ "query": "{ people(first: -5) { totalCount } }" }),
            "VALIDATION",
            Some("first"),
        ),
    ];
    for (body, expected, field) in cases {
        let (_, answer, _) = post_raw(&app, Some(&token), &body.to_string()).await;
        assert_eq!(code(&answer), expected, "{body}: {answer}");
        for location in answer["errors"][0]["locations"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(location["line"].as_u64() >= Some(1), "{answer}");
        }
        if let Some(field) = field {
            let got = answer["errors"][0]["extensions"]["field"]
                .as_str()
                .unwrap_or("");
            assert!(got.contains(field), "{body}: field {got:?} in {answer}");
        }
    }
}

#[tokio::test]
async fn numbers_and_text_the_database_cannot_hold_are_validation_errors() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let extreme = app
        .gql(
            &admin,
            r#"{ scoreTarget(target: {kind: INCREASE_TO, start: "-79228162514264337593543950335", target: "79228162514264337593543950335"}, current: "1") { score { progress } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        (extreme.code(), extreme.field()),
        ("VALIDATION", "target.start")
    );
    let tiny_span = app
        .gql(
            &admin,
            r#"{ scoreTarget(target: {kind: INCREASE_TO, start: "0", target: "0.0000000001"}, current: "1000000000000000") { score { progress explanation { text } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(tiny_span.data()["scoreTarget"]["score"]["progress"], "1");

    let metric = app
        .gql(
            &admin,
            r#"mutation { createMetric(input: {name: "Revenue", direction: HIGHER_IS_BETTER, indicatorKind: LAGGING, frequency: MONTHLY, aggregation: SUM}) { metric { id } } }"#,
            json!({}),
        )
        .await;
    let metric = id_at(metric.data(), "createMetric.metric.id");
    let huge = app
        .gql(
            &admin,
            r#"mutation($m: ID!) { recordMetricValues(input: {metricId: $m, values: [{period: "2026-01-01", value: "-79228162514264337593543950335"}]}) { values { id } } }"#,
            json!({ "m": metric }),
        )
        .await;
    assert_eq!(
        (huge.code(), huge.field()),
        ("VALIDATION", "input.values[0].value")
    );
    let next_year = chrono::Utc::now().date_naive() + chrono::Duration::days(400);
    let future = app
        .gql(
            &admin,
            r#"mutation($m: ID!, $p: Date!) { recordMetricValues(input: {metricId: $m, values: [{period: $p, value: "1"}]}) { values { id } } }"#,
            json!({ "m": metric, "p": chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&next_year), chrono::Datelike::month(&next_year), 1) }),
        )
        .await;
    assert_eq!(
        (future.code(), future.field()),
        ("VALIDATION", "input.values[0].period")
    );
    let mars = app
        .gql(
            &admin,
            r#"mutation { updateTenant(input: {version: 1, timeZone: "Mars/Olympus_Mons"}) { tenant { timeZone } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        (mars.code(), mars.field()),
        ("VALIDATION", "input.timeZone")
    );

    // NUL is refused the same way on SQLite and PostgreSQL, in variables
    // and in literals, before anything is stored.
    let nul = app
        .gql(
            &admin,
            "mutation($input: CreatePersonInput!) { createPerson(input: $input) { person { id } } }",
            json!({ "input": { "name": "Ada", "email": "a\u{0}@b.test" } }),
        )
        .await;
    assert_eq!((nul.code(), nul.field()), ("VALIDATION", "variables.input"));
    let literal = app
        .gql(
            &admin,
            r#"mutation { createPerson(input: {name: "A\u0000da"}) { person { id } } }"#,
            json!({}),
        )
        .await;
    assert_eq!((literal.code(), literal.field()), ("VALIDATION", "input"));
    let control = app
        .gql(
            &admin,
            "mutation($input: CreatePersonInput!) { createPerson(input: $input) { person { id } } }",
            json!({ "input": { "name": "Ada\u{7}" } }),
        )
        .await;
    assert_eq!(
        (control.code(), control.field()),
        ("VALIDATION", "input.name")
    );
    let people = app
        .gql(&admin, "{ people { totalCount } }", json!({}))
        .await;
    assert_eq!(
        people.data()["people"]["totalCount"],
        0,
        "nothing was stored"
    );
    let long_search = app
        .gql(
            &admin,
            "query($s: String) { people(filter: {search: $s}) { totalCount } }",
            json!({ "s": "x".repeat(60_000) }),
        )
        .await;
    assert_eq!(
        (long_search.code(), long_search.field()),
        ("VALIDATION", "filter.search")
    );
}

#[tokio::test]
async fn a_failing_event_handler_fails_alone_and_is_retried_then_parked() {
    let app = start_with_probe().await;
    app.tenant("acme", &["probe"]).await;
    app.tenant("other", &["probe"]).await;
    let deactivate = |slug: &'static str, name: &'static str| {
        let app = &app;
        async move {
            let admin = app.admin(slug);
            let created = app
                .gql(
                    &admin,
                    "mutation($n: String!) { createPerson(input: {name: $n}) { person { id } } }",
                    json!({ "n": name }),
                )
                .await;
            let id = id_at(created.data(), "createPerson.person.id");
            app.gql(&admin, "mutation($id: ID!) { updatePerson(input: {id: $id, version: 1, status: INACTIVE}) { person { status } } }", json!({ "id": id }))
                .await
                .data();
        }
    };
    deactivate("acme", "Panic Pete").await;
    deactivate("acme", "Fail Fay").await;
    deactivate("acme", "Ann").await;
    deactivate("other", "Bob").await;
    app.settle().await;
    let notes = |slug: &'static str| {
        let app = &app;
        async move {
            app.gql(&app.admin(slug), "{ probe { notes } }", json!({}))
                .await
                .data()["probe"]["notes"]
                .clone()
        }
    };
    assert_eq!(notes("acme").await, json!(["deactivated Ann"]));
    assert_eq!(notes("other").await, json!(["deactivated Bob"]));

    let failures = "{ eventDeliveryFailures { totalCount edges { node { id framework eventKind attempts lastError parkedAt nextAttemptAt } } } }";
    let listed = app.gql(&app.admin("acme"), failures, json!({})).await;
    let page = &listed.data()["eventDeliveryFailures"];
    assert_eq!(page["totalCount"], 2, "{page}");
    let errors: Vec<&str> = page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["lastError"].as_str().unwrap())
        .collect();
    assert!(errors.iter().any(|e| e.contains("panicked")), "{errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("VALIDATION")),
        "{errors:?}"
    );
    let other = app.gql(&app.admin("other"), failures, json!({})).await;
    assert_eq!(other.data()["eventDeliveryFailures"]["totalCount"], 0);
    let member = app
        .gql(
            &app.token("acme", "m@acme.example", Role::Member),
            failures,
            json!({}),
        )
        .await;
    assert_eq!(member.code(), "FORBIDDEN");

    // Each due retry fails again; the fifth try parks it.
    use sea_orm::{EntityTrait, sea_query::Expr};
    for _ in 0..4 {
        event_delivery_failure::Entity::update_many()
            .col_expr(
                event_delivery_failure::Column::NextAttemptAt,
                Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
            )
            .exec(&app.db)
            .await
            .unwrap();
        throughline_domain::dispatcher::retry_failed_deliveries(
            &app.db,
            &app.events,
            &app.registry,
        )
        .await
        .unwrap();
    }
    let parked = app
        .gql(
            &app.admin("acme"),
            "{ eventDeliveryFailures(parked: true) { edges { node { id attempts parkedAt nextAttemptAt } } } }",
            json!({}),
        )
        .await;
    let edges = parked.data()["eventDeliveryFailures"]["edges"].clone();
    assert_eq!(edges.as_array().unwrap().len(), 2, "{edges}");
    assert_eq!(edges[0]["node"]["attempts"], 5);
    assert!(edges[0]["node"]["nextAttemptAt"].is_null());

    // An admin asks for another try: it is scheduled now, with a fresh count.
    let retried = app
        .gql(
            &app.admin("acme"),
            "mutation($id: ID!) { retryEventDelivery(input: {id: $id}) { failure { attempts parkedAt } } }",
            json!({ "id": edges[0]["node"]["id"] }),
        )
        .await;
    assert_eq!(
        retried.data()["retryEventDelivery"]["failure"],
        json!({ "attempts": 0, "parkedAt": null })
    );
    let elsewhere = app
        .gql(
            &app.admin("other"),
            "mutation($id: ID!) { retryEventDelivery(input: {id: $id}) { failure { attempts } } }",
            json!({ "id": edges[0]["node"]["id"] }),
        )
        .await;
    assert_eq!(elsewhere.code(), "NOT_FOUND");
}

async fn concurrently<F, Fut>(n: usize, f: F) -> Vec<Gql>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Gql>,
{
    futures_util::future::join_all((0..n).map(f)).await
}

#[tokio::test]
async fn a_new_tokens_first_requests_in_parallel_all_succeed() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = app.token("acme", "first@acme.example", Role::Member);
    let answers = concurrently(12, |_| {
        app.gql(&token, "{ viewer { role user { email } } }", json!({}))
    })
    .await;
    for answer in answers {
        assert_eq!(
            answer.data()["viewer"]["role"],
            "MEMBER",
            "{:?}",
            answer.body
        );
    }
}

#[tokio::test]
async fn races_answer_conflict_or_validation_and_limits_hold() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    app.gql(&admin, "mutation { updateTenant(input: {version: 1, priorityLimit: 7}) { tenant { priorityLimit } } }", json!({}))
        .await
        .data();
    let created = concurrently(10, |i| {
        app.gql(
            &admin,
            "mutation($t: String!) { createStrategicPriority(input: {title: $t}) { strategicPriority { position } } }",
            json!({ "t": format!("Priority {i}") }),
        )
    })
    .await;
    let mut positions: Vec<i64> = Vec::new();
    for answer in &created {
        match answer.body.get("errors") {
            None => positions.push(
                answer.data()["createStrategicPriority"]["strategicPriority"]["position"]
                    .as_i64()
                    .unwrap(),
            ),
            Some(_) => assert_eq!(answer.code(), "VALIDATION", "{:?}", answer.body),
        }
    }
    positions.sort();
    assert_eq!(positions, (1..=7).collect::<Vec<i64>>());

    let metrics = app
        .gql(
            &admin,
            r#"mutation {
                lead: createMetric(input: {name: "Calls", direction: HIGHER_IS_BETTER, indicatorKind: LEADING, frequency: MONTHLY, aggregation: SUM}) { metric { id } }
                lag: createMetric(input: {name: "Revenue", direction: HIGHER_IS_BETTER, indicatorKind: LAGGING, frequency: MONTHLY, aggregation: SUM}) { metric { id } }
            }"#,
            json!({}),
        )
        .await;
    let (lead, lag) = (
        id_at(metrics.data(), "lead.metric.id"),
        id_at(metrics.data(), "lag.metric.id"),
    );
    let same_period = concurrently(8, |i| {
        app.gql(
            &admin,
            r#"mutation($m: ID!, $v: Decimal!) { recordMetricValues(input: {metricId: $m, values: [{period: "2026-01-01", value: $v}]}) { values { value } } }"#,
            json!({ "m": lag, "v": i.to_string() }),
        )
    })
    .await;
    let links = concurrently(8, |_| {
        app.gql(
            &admin,
            "mutation($a: ID!, $b: ID!) { linkMetrics(input: {leadingMetricId: $a, laggingMetricId: $b}) { leading { id } } }",
            json!({ "a": lead, "b": lag }),
        )
    })
    .await;
    for answer in same_period.iter().chain(&links) {
        if answer.body.get("errors").is_some() {
            assert!(
                ["VALIDATION", "CONFLICT"].contains(&answer.code()),
                "{:?}",
                answer.body
            );
        }
    }
    let stored = app
        .gql(
            &admin,
            "query($m: ID!) { node(id: $m) { ... on Metric { values { totalCount } drivenBy { id } } } }",
            json!({ "m": lag }),
        )
        .await;
    assert_eq!(stored.data()["node"]["values"]["totalCount"], 1);
    assert_eq!(
        stored.data()["node"]["drivenBy"].as_array().unwrap().len(),
        1
    );

    // A consultant creating one client twice at once: one tenant, and the
    // other answers like the slug check.
    throughline_domain::service::users::allow_tenant_creation(&app.db, "admin@acme.example", true)
        .await
        .unwrap();
    let tenants = concurrently(6, |_| {
        app.gql(
            &admin,
            r#"mutation { createTenant(input: {slug: "client-co", name: "Client"}) { tenant { slug } } }"#,
            json!({}),
        )
    })
    .await;
    assert_eq!(
        tenants
            .iter()
            .filter(|a| a.body.get("errors").is_none())
            .count(),
        1
    );
    for answer in tenants.iter().filter(|a| a.body.get("errors").is_some()) {
        assert_eq!(
            (answer.code(), answer.field()),
            ("VALIDATION", "input.slug"),
            "{:?}",
            answer.body
        );
    }

    let same_email = concurrently(8, |_| {
        app.gql(
            &admin,
            r#"mutation { createPerson(input: {name: "Twin", email: "twin@acme.example", externalId: "hr-1"}) { person { id } } }"#,
            json!({}),
        )
    })
    .await;
    let succeeded = same_email
        .iter()
        .filter(|a| a.body.get("errors").is_none())
        .count();
    assert_eq!(succeeded, 1);
    for answer in same_email.iter().filter(|a| a.body.get("errors").is_some()) {
        assert!(
            ["VALIDATION", "CONFLICT"].contains(&answer.code()),
            "{:?}",
            answer.body
        );
    }
}

/// acme with OKRs on, an admin, a person and a running cycle: (app, admin
/// token, cycle ID, person ID).
async fn okr_tenant() -> (TestApp, String, String, String) {
    let app = start().await;
    app.tenant("acme", &["okr"]).await;
    let admin = app.admin("acme");
    let today = chrono::Utc::now().date_naive();
    let setup = app
        .gql(
            &admin,
            r#"mutation($s: Date!, $e: Date!) {
                person: createPerson(input: {name: "Ada"}) { person { id } }
                okr { createCycle(input: {name: "Now", startsOn: $s, endsOn: $e}) { cycle { id } } }
            }"#,
            json!({ "s": today - chrono::Duration::days(10), "e": today + chrono::Duration::days(80) }),
        )
        .await;
    let cycle = id_at(setup.data(), "okr.createCycle.cycle.id");
    let person = id_at(setup.data(), "person.person.id");
    (app, admin, cycle, person)
}

#[tokio::test]
async fn concurrent_check_ins_each_record_the_value_before_them() {
    let (app, admin, cycle, person) = okr_tenant().await;
    let objective = app
        .gql(
            &admin,
            r#"mutation($c: ID!, $p: ID!) { okr { createObjective(input: {cycleId: $c, title: "Win", level: INDIVIDUAL, ownerId: $p, status: ACTIVE}) { objective { id } } } }"#,
            json!({ "c": cycle, "p": person }),
        )
        .await;
    let key_result = app
        .gql(
            &admin,
            r#"mutation($o: ID!) { okr { createKeyResult(input: {objectiveId: $o, title: "Deals", target: {kind: INCREASE_TO, start: "0", target: "100"}}) { keyResult { id } } } }"#,
            json!({ "o": id_at(objective.data(), "okr.createObjective.objective.id") }),
        )
        .await;
    let key_result = id_at(key_result.data(), "okr.createKeyResult.keyResult.id");
    let answers = concurrently(8, |i| {
        app.gql(
            &admin,
            "mutation($k: ID!, $v: Decimal!) { okr { recordCheckIn(input: {keyResultId: $k, value: $v}) { checkIn { id } } } }",
            json!({ "k": key_result, "v": (i + 1).to_string() }),
        )
    })
    .await;
    for answer in &answers {
        answer.data();
    }
    let listed = app
        .gql(
            &admin,
            "query($k: ID!) { okr { checkIns(filter: {keyResultId: $k}, first: 20) { edges { node { value valueBefore } } } } }",
            json!({ "k": key_result }),
        )
        .await;
    let edges = listed.data()["okr"]["checkIns"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), 8);
    // The check-ins form one chain from the start value: each value before
    // is the value of exactly one other check-in (or the start), once.
    let mut befores: Vec<String> = edges
        .iter()
        .map(|e| e["node"]["valueBefore"].as_str().unwrap_or("0").to_string())
        .collect();
    befores.sort();
    befores.dedup();
    assert_eq!(
        befores.len(),
        8,
        "two check-ins saw the same value before: {edges:?}"
    );
}

#[tokio::test]
async fn a_bulk_load_names_the_item_and_field_that_is_wrong() {
    let (app, admin, cycle, person) = okr_tenant().await;
    let good = json!({ "title": "Win", "level": "INDIVIDUAL", "ownerId": person });
    let bulk = "mutation($c: ID!, $o: [BulkOkrObjectiveInput!]!) { okr { bulkCreateObjectives(input: {cycleId: $c, objectives: $o}) { objectives { id } } } }";
    let unknown_objective = "T2tyT2JqZWN0aXZlOjAxOTAwMDAwLTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMA";
    let cases = [
        (
            json!({ "title": " ", "level": "INDIVIDUAL", "ownerId": person }),
            "input.objectives[1].title",
        ),
        (
            json!({ "title": "Win", "level": "INDIVIDUAL", "ownerId": "garbage" }),
            "input.objectives[1].ownerId",
        ),
        (
            json!({ "title": "Win", "level": "INDIVIDUAL", "ownerId": person, "parentIndex": 1 }),
            "input.objectives[1].parentIndex",
        ),
        (
            json!({ "title": "Win", "level": "INDIVIDUAL", "ownerId": person, "parentObjectiveId": unknown_objective }),
            "input.objectives[1].parentObjectiveId",
        ),
        (
            json!({ "title": "Win", "level": "INDIVIDUAL", "ownerId": person, "weight": "0" }),
            "input.objectives[1].weight",
        ),
        (
            json!({ "title": "Win", "level": "INDIVIDUAL", "ownerId": person, "keyResults": [
                { "title": "Deals", "target": { "kind": "INCREASE_TO", "start": "10", "target": "5" } }
            ] }),
            "input.objectives[1].keyResults[0].target.target",
        ),
        (
            json!({ "title": "Win", "level": "INDIVIDUAL", "ownerId": person, "keyResults": [
                { "title": "Deals", "target": { "kind": "INCREASE_TO", "start": "0", "target": "2000000000000000" } }
            ] }),
            "input.objectives[1].keyResults[0].target.target",
        ),
    ];
    for (bad, field) in cases {
        let answer = app
            .gql(&admin, bulk, json!({ "c": cycle, "o": [good, bad] }))
            .await;
        let got = answer.body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or("");
        assert!(
            got.starts_with(field),
            "{bad}: expected {field}, got {}",
            answer.body
        );
    }
    let nothing = app
        .gql(&admin, "{ okr { objectives { totalCount } } }", json!({}))
        .await;
    assert_eq!(nothing.data()["okr"]["objectives"]["totalCount"], 0);
}

#[tokio::test]
async fn an_unreachable_database_answers_503_fast_with_retry_after() {
    use std::sync::Arc;
    use throughline_api::auth::Authenticator;
    use throughline_api::config::Limits;
    use throughline_api::state::AppState;
    // A pool whose database does not answer, as while PostgreSQL restarts.
    let mut options = throughline_api::db::options("postgres://postgres@127.0.0.1:9/down");
    options.connect_lazy(true);
    let db = sea_orm::Database::connect(options).await.unwrap();
    let auth = Authenticator::with_secret(
        throughline_tests::SECRET,
        throughline_tests::ISSUER,
        throughline_tests::AUDIENCE,
    );
    let token = auth
        .mint(&throughline_api::auth::claims_for(
            &auth,
            "acme",
            "ada@acme.example",
            Role::Admin,
            Duration::from_secs(600),
        ))
        .unwrap();
    let state = AppState {
        db,
        auth: Arc::new(auth),
        registry: throughline_api::registry::frameworks(),
        events: throughline_domain::events::EventBus::new(),
        limits: Limits::default(),
        rate_limiter: Default::default(),
        sessions: Arc::new(throughline_api::sessions::SessionCache::new(
            Limits::default().session_cache_ttl,
        )),
    };
    let server = throughline_api::server::start(
        state,
        throughline_api::schema::app_schema(&Limits::default()),
        "127.0.0.1:0".parse().unwrap(),
        Duration::from_secs(3600),
        Some(1),
    )
    .await
    .unwrap();
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::new();

    let started = Instant::now();
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    assert!(ready.headers().contains_key("retry-after"));
    assert!(
        started.elapsed() < Duration::from_millis(1_500),
        "{:?}",
        started.elapsed()
    );

    let started = Instant::now();
    let answer = client
        .post(format!("{base}/graphql"))
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .bearer_auth(&token)
        .body(json!({ "query": "{ viewer { role } }" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 503);
    assert!(answer.headers().contains_key("retry-after"));
    let body: Value = answer.json().await.unwrap();
    assert_eq!(code(&body), "SERVICE_UNAVAILABLE", "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    server.stop().await;
}

/// The deepest documents the limits let through are answered, not crashed
/// on: the bounds leave the workers' stacks room to spare (debug builds,
/// whose frames are largest, included).
#[tokio::test]
async fn documents_at_the_nesting_limits_are_answered() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = app.admin("acme");
    let list = format!(
        "{{ nodes(ids: {}\"x\"{}) {{ id }} }}",
        "[".repeat(61),
        "]".repeat(61)
    );
    let object = format!(
        "{{ scoreTarget(target: {}kind: MILESTONE{}) {{ score {{ progress }} }} }}",
        "{a: ".repeat(61),
        "}".repeat(61)
    );
    let mut variable = json!("x");
    for _ in 0..31 {
        variable = json!([variable]);
    }
    // As deep as the depth limit (16) lets a selection go.
    let fields = format!(
        "{{ viewer {{ person {{ {} name {} }} }} }}",
        "manager { ".repeat(12),
        "} ".repeat(12)
    );
    for body in [
        json!({ "query": list }),
        json!({ "query": object }),
        json!({ "query": "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", "variables": { "ids": variable } }),
        json!({ "query": fields }),
    ] {
        let (status, answer, _) = post_raw(&app, Some(&token), &body.to_string()).await;
        assert!(status < 500, "{status}: {answer}");
        if let Some(errors) = answer["errors"].as_array() {
            for error in errors {
                let code = error["extensions"]["code"].as_str().unwrap_or("none");
                assert_ne!(code, "INTERNAL", "{error}");
                assert_ne!(code, "none", "{error}");
            }
        }
    }
    still_serving(&app, &token).await;
}

#[tokio::test]
async fn tenant_names_that_cannot_exist_answer_like_unknown_ones() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = app.admin("acme");
    let long = "a".repeat(10_000);
    for slug in ["ACME", "a\tb", "é", long.as_str()] {
        let answer = app
            .gql_with(
                &token,
                "{ viewer { role } }",
                json!({}),
                &[("X-Tenant", slug)],
            )
            .await;
        assert_eq!(answer.code(), "FORBIDDEN", "{slug:.20}: {}", answer.body);
    }
    let mut socket = throughline_tests::ws::connect(
        &app,
        json!({ "authorization": format!("Bearer {token}"), "tenant": "a\u{0}b" }),
    )
    .await;
    let answer = throughline_tests::ws::next(&mut socket).await.unwrap();
    assert_ne!(answer["type"], "connection_ack", "{answer}");
    still_serving(&app, &token).await;
}

#[tokio::test]
async fn a_panicking_resolver_or_stream_fails_alone() {
    let app = throughline_tests::start_with_probe().await;
    app.tenant("acme", &["probe"]).await;
    let token = app.admin("acme");
    let add = "mutation($t: String!) { probe { addNote(input: {text: $t}) { text } } }";
    let panicked = app.gql(&token, add, json!({ "t": "panic now" })).await;
    assert_eq!(panicked.code(), "INTERNAL");
    assert!(
        panicked.body["errors"][0]["extensions"]["requestId"].is_string(),
        "{}",
        panicked.body
    );
    assert!(!panicked.message().contains("probe"), "internals leaked");

    let mut socket =
        throughline_tests::ws::connect(&app, json!({ "authorization": format!("Bearer {token}") }))
            .await;
    assert_eq!(
        throughline_tests::ws::next(&mut socket).await.unwrap()["type"],
        "connection_ack"
    );
    use futures_util::SinkExt;
    socket
        .send(throughline_tests::ws::Message::text(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { probeNoteAdded }" } })
                .to_string(),
        ))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.gql(&token, add, json!({ "t": "panic in stream" }))
        .await
        .data();
    let ended = throughline_tests::ws::next(&mut socket).await.unwrap();
    assert_eq!(
        ended["payload"]["errors"][0]["extensions"]["code"], "INTERNAL",
        "{ended}"
    );
    socket
        .send(throughline_tests::ws::Message::text(
            json!({ "type": "ping" }).to_string(),
        ))
        .await
        .unwrap();
    loop {
        let message = throughline_tests::ws::next(&mut socket).await.unwrap();
        if message["type"] == "pong" {
            break;
        }
        assert_ne!(message["type"], json!(null), "{message}");
    }
    still_serving(&app, &token).await;
    let fine = app.gql(&token, add, json!({ "t": "fine" })).await;
    assert_eq!(fine.data()["probe"]["addNote"]["text"], "fine");
}
