//! GraphQL over HTTP: media types, methods, request errors, limits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::json;
use throughline_tests::start;

const VIEWER: &str = "{ viewer { role } }";

#[tokio::test]
async fn accept_negotiates_the_response_media_type() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = app.admin("acme");
    for (accept, expected) in [
        (None, "application/json"),
        (Some("application/json"), "application/json"),
        (
            Some("application/graphql-response+json"),
            "application/graphql-response+json",
        ),
        (
            Some("application/graphql-response+json, application/json;q=0.9"),
            "application/graphql-response+json",
        ),
    ] {
        let mut request = app
            .client
            .post(app.url("/graphql"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(json!({ "query": VIEWER }).to_string());
        if let Some(accept) = accept {
            request = request.header("accept", accept);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{accept:?}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            content_type.starts_with(expected),
            "{accept:?} gave {content_type}"
        );
    }
    let refused = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .header("accept", "text/csv")
        .body(json!({ "query": VIEWER }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 406);
}

#[tokio::test]
async fn request_errors_answer_400_without_data_under_graphql_response_json() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = app.admin("acme");
    for (query, variables) in [
        ("{ viewer { role ", json!({})),
        ("{ viewer { noSuchField } }", json!({})),
        ("query($id: ID!) { person(id: $id) { name } }", json!({})),
    ] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .body(json!({ "query": query, "variables": variables }).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body.get("data").is_none(), "{query}: {body}");
        assert!(body["errors"].as_array().is_some_and(|e| !e.is_empty()));

        // The same request under application/json: 200 with errors (legacy clients).
        let legacy = app.gql(&token, query, variables).await;
        assert_eq!(legacy.status, 200, "{query}");
        assert!(legacy.body["errors"].is_array());
    }
}

#[tokio::test]
async fn field_errors_are_not_request_errors() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let member = app.token(
        "acme",
        "m@acme.example",
        throughline_domain::enums::Role::Member,
    );
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&member)
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(json!({ "query": "{ viewer { role } auditLog { totalCount } }" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(body["errors"][0]["path"], json!(["auditLog"]));
}

#[tokio::test]
async fn post_requires_a_json_content_type() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = app.admin("acme");
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/graphql",
    ] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(json!({ "query": "mutation { updateTenant(input: {version: 1, name: \"x\"}) { tenant { name } } }" }).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415, "{content_type}");
    }
    // Nothing ran.
    let name = app
        .gql(&token, "{ viewer { tenant { name } } }", json!({}))
        .await;
    assert_eq!(name.data()["viewer"]["tenant"]["name"], "Tenant acme");
}

#[tokio::test]
async fn get_runs_queries_but_refuses_mutations() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = app.admin("acme");
    let query = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", VIEWER)])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), 200);
    let body: serde_json::Value = query.json().await.unwrap();
    assert_eq!(body["data"]["viewer"]["role"], "ADMIN");

    let mutation = app
        .client
        .get(app.url("/graphql"))
        .query(&[(
            "query",
            "mutation { updateTenant(input: {version: 1, name: \"x\"}) { tenant { name } } }",
        )])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(mutation.status(), 405);
    assert_eq!(mutation.headers()["allow"], "POST");
}

#[tokio::test]
async fn batches_are_refused_and_graphiql_is_served_to_browsers() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = app.admin("acme");
    let batch = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(json!([{ "query": VIEWER }, { "query": VIEWER }]).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(batch.status(), 400);
    let body: serde_json::Value = batch.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "VALIDATION");

    let page = app
        .client
        .get(app.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("graphiql"));
}

#[tokio::test]
async fn health_and_readiness() {
    let app = start().await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap()["status"],
        "ready"
    );
}

#[tokio::test]
async fn limits_refuse_deep_wide_and_aliased_queries() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = app.admin("acme");

    let deep = format!(
        "{{ people {{ edges {{ node {{ {} name {} }} }} }} }}",
        "manager { ".repeat(15),
        "} ".repeat(15)
    );
    let response = app.gql(&token, &deep, json!({})).await;
    assert_eq!(response.code(), "LIMIT_EXCEEDED");
    assert!(
        response.message().contains("nests too deep"),
        "{:?}",
        response.body
    );

    let wide = "{ people(first: 100) { edges { node { directReports(first: 100) { edges { node { reportingLine(first: 100) { totalCount } } } } } } } }";
    let response = app.gql(&token, wide, json!({})).await;
    assert_eq!(response.code(), "LIMIT_EXCEEDED");
    assert!(
        response.message().contains("complexity limit"),
        "{:?}",
        response.body
    );

    let aliases: String = (0..31)
        .map(|i| format!("a{i}: viewer {{ role }} "))
        .collect();
    let response = app
        .gql(&token, &format!("{{ {aliases} }}"), json!({}))
        .await;
    assert_eq!(response.code(), "LIMIT_EXCEEDED");

    let big_page = app
        .gql(&token, "{ people(first: 101) { totalCount } }", json!({}))
        .await;
    assert_eq!(big_page.code(), "LIMIT_EXCEEDED");
}

/// GraphiQL's own introspection query, as it sends it.
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}
"#;

#[tokio::test]
async fn graphiql_introspection_passes_the_default_limits() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let response = app.gql(&app.admin("acme"), INTROSPECTION, json!({})).await;
    let types = response.data()["__schema"]["types"].as_array().unwrap();
    assert!(types.iter().any(|t| t["name"] == "Person"));
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let padding = "x".repeat(throughline_api::config::Limits::default().max_body_bytes + 10);
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(app.admin("acme"))
        .header("content-type", "application/json")
        .body(json!({ "query": format!("{{ viewer {{ role }} }} # {padding}") }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn introspection_can_be_switched_off_and_suggestions_are_off_in_production() {
    let limits = throughline_api::config::Limits {
        introspection: false,
        suggestions: false,
        ..Default::default()
    };
    let app = throughline_tests::start_with_limits(limits).await;
    app.tenant("acme", &[]).await;
    let token = app.admin("acme");
    let introspection = app
        .gql(&token, "{ __schema { types { name } } }", json!({}))
        .await;
    assert!(
        introspection.body["data"]["__schema"].is_null()
            || introspection.body.get("errors").is_some(),
        "{:?}",
        introspection.body
    );
    let typo = app.gql(&token, "{ viewr { role } }", json!({})).await;
    assert!(
        !typo.message().contains("Did you mean"),
        "{}",
        typo.message()
    );

    let default = start().await;
    default.tenant("acme", &[]).await;
    let typo = default
        .gql(&default.admin("acme"), "{ viewr { role } }", json!({}))
        .await;
    assert!(
        typo.message().contains("Did you mean"),
        "{}",
        typo.message()
    );
}

#[tokio::test]
async fn a_request_past_its_time_limit_is_stopped() {
    let limits = throughline_api::config::Limits {
        request_timeout: std::time::Duration::from_millis(1),
        ..Default::default()
    };
    let app = throughline_tests::start_with_limits(limits).await;
    let tenant = app.tenant("acme", &[]).await;
    throughline_api::seed::seed_organisation(&app.db, &tenant, 20, 1, 1)
        .await
        .unwrap();
    // Resolving managers waits at least one DataLoader batch window (25 ms in
    // the tests), and the server checks its deadline first on every wake-up,
    // so this request cannot finish within 1 ms.
    let response = app
        .gql(
            &app.admin("acme"),
            "{ people { edges { node { manager { name } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(response.code(), "LIMIT_EXCEEDED");
    assert!(
        response.message().contains("longer than"),
        "{}",
        response.message()
    );
}
