//! Authentication failures, roles, and choosing a tenant.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;
use throughline_domain::enums::Role;
use throughline_tests::{SECRET, start};

const VIEWER: &str = "{ viewer { role tenant { slug } } }";

async fn assert_unauthenticated(app: &throughline_tests::TestApp, token: &str, why: &str) {
    let response = app.gql(token, VIEWER, json!({})).await;
    assert_eq!(response.status, 401, "{why}: {:?}", response.body);
    assert_eq!(response.code(), "UNAUTHENTICATED", "{why}");
    assert!(response.body.get("data").is_none(), "{why}");
}

#[tokio::test]
async fn bad_tokens_are_unauthenticated() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let now = jsonwebtoken::get_current_timestamp();

    let missing = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(json!({ "query": VIEWER }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");

    assert_unauthenticated(&app, "not-a-jwt", "garbage").await;

    let claims = app.claims("acme", "ada@acme.example", Role::Admin);
    let header_none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    assert_unauthenticated(&app, &format!("{header_none}.{payload}."), "alg none").await;

    let mut expired = claims.clone();
    expired.exp = now - 60;
    assert_unauthenticated(&app, &app.auth.mint(&expired).unwrap(), "expired").await;

    let mut early = claims.clone();
    early.nbf = Some(now + 120);
    assert_unauthenticated(&app, &app.auth.mint(&early).unwrap(), "not yet valid").await;

    let mut foreign_issuer = claims.clone();
    foreign_issuer.iss = "someone-else".into();
    assert_unauthenticated(&app, &app.auth.mint(&foreign_issuer).unwrap(), "issuer").await;

    let mut foreign_audience = claims.clone();
    foreign_audience.aud = "another-api".into();
    assert_unauthenticated(&app, &app.auth.mint(&foreign_audience).unwrap(), "audience").await;

    let wrong_key = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(b"another-secret-entirely-0123456789"),
    )
    .unwrap();
    assert_unauthenticated(&app, &wrong_key, "wrong key").await;

    let hs512 = encode(
        &Header::new(Algorithm::HS512),
        &claims,
        &EncodingKey::from_secret(SECRET),
    )
    .unwrap();
    assert_unauthenticated(&app, &hs512, "algorithm not allowed").await;

    // Tampered: a valid token whose payload was edited to claim another role.
    let valid = app.token("acme", "ada@acme.example", Role::Member);
    let parts: Vec<&str> = valid.split('.').collect();
    let mut edited: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    edited["role"] = json!("admin");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(edited.to_string()),
        parts[2]
    );
    assert_unauthenticated(&app, &tampered, "tampered").await;

    // A token within the small leeway still works.
    let mut just_expired = claims.clone();
    just_expired.exp = now - 2;
    let ok = app
        .gql(&app.auth.mint(&just_expired).unwrap(), VIEWER, json!({}))
        .await;
    assert_eq!(ok.data()["viewer"]["role"], "ADMIN");
}

#[tokio::test]
async fn a_member_calling_an_admin_mutation_is_forbidden() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let member = app.token("acme", "mo@acme.example", Role::Member);
    let response = app
        .gql(&member, "mutation { createStrategicPriority(input: {title: \"Grow\"}) { strategicPriority { id } } }", json!({}))
        .await;
    assert_eq!(response.code(), "FORBIDDEN");
    assert!(
        response.message().contains("ADMIN"),
        "{}",
        response.message()
    );
    let admin = app.admin("acme");
    let priorities = app
        .gql(&admin, "{ strategicPriorities { id } }", json!({}))
        .await;
    assert_eq!(priorities.data()["strategicPriorities"], json!([]));

    let integrator = app.token("acme", "hris@acme.example", Role::Integrator);
    let created = app
        .gql(
            &integrator,
            "mutation { createPerson(input: {name: \"Ida\"}) { person { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(created.data()["createPerson"]["person"]["name"], "Ida");
    let manager = app.token("acme", "max@acme.example", Role::Manager);
    let refused = app
        .gql(
            &manager,
            "mutation { createPerson(input: {name: \"Ida\"}) { person { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
}

#[tokio::test]
async fn a_consultant_picks_a_tenant_with_x_tenant() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    app.tenant("globex", &[]).await;
    app.tenant("initech", &[]).await;
    let email = "consultant@firm.example";
    // First use of each token provisions the membership it grants.
    let acme = app.token("acme", email, Role::Admin);
    let globex = app.token("globex", email, Role::Manager);
    assert_eq!(
        app.gql(&acme, VIEWER, json!({})).await.data()["viewer"]["tenant"]["slug"],
        "acme"
    );
    assert_eq!(
        app.gql(&globex, VIEWER, json!({})).await.data()["viewer"]["role"],
        "MANAGER"
    );

    let switched = app
        .gql_with(&acme, VIEWER, json!({}), &[("X-Tenant", "globex")])
        .await;
    assert_eq!(switched.data()["viewer"]["tenant"]["slug"], "globex");
    assert_eq!(
        switched.data()["viewer"]["role"],
        "MANAGER",
        "the membership's role applies in the other tenant"
    );

    let tenants = app
        .gql(&acme, "{ viewer { tenants { slug role } } }", json!({}))
        .await;
    assert_eq!(
        tenants.data()["viewer"]["tenants"],
        json!([{ "slug": "acme", "role": "ADMIN" }, { "slug": "globex", "role": "MANAGER" }])
    );

    for slug in ["initech", "no-such-tenant"] {
        let refused = app
            .gql_with(&acme, VIEWER, json!({}), &[("X-Tenant", slug)])
            .await;
        assert_eq!(refused.status, 403, "{slug}");
        assert_eq!(refused.code(), "FORBIDDEN");
        assert_eq!(
            refused.message(),
            format!("you have no membership in a tenant {slug:?}"),
            "same answer whether it exists or not"
        );
    }
}

#[tokio::test]
async fn a_consultant_creates_a_client_tenant_and_becomes_its_admin() {
    let app = start().await;
    // The firm uses OKRs; the new client does not yet, and its payload says so.
    app.tenant("firm", &["okr"]).await;
    let consultant = app.token("firm", "cora@firm.example", Role::Admin);
    let create = r#"mutation($slug: String!) { createTenant(input: {slug: $slug, name: "Client Co", fiscalYearStartMonth: 4}) { tenant { slug name fiscalYearStartMonth frameworks { enabled } } } }"#;
    // A tenant's admin is not a consultant until an operator says so.
    let not_yet = app
        .gql(&consultant, create, json!({ "slug": "client-co" }))
        .await;
    assert_eq!(not_yet.code(), "FORBIDDEN");
    throughline_domain::service::users::allow_tenant_creation(&app.db, "cora@firm.example", true)
        .await
        .unwrap();
    let created = app
        .gql(&consultant, create, json!({ "slug": "client-co" }))
        .await;
    assert_eq!(
        created.data()["createTenant"]["tenant"],
        json!({
            "slug": "client-co",
            "name": "Client Co",
            "fiscalYearStartMonth": 4,
            "frameworks": app.registry.iter().map(|_| json!({ "enabled": false })).collect::<Vec<_>>()
        })
    );
    let there = app
        .gql_with(&consultant, VIEWER, json!({}), &[("X-Tenant", "client-co")])
        .await;
    assert_eq!(
        there.data()["viewer"],
        json!({ "role": "ADMIN", "tenant": { "slug": "client-co" } })
    );
    let audit = app
        .gql_with(
            &consultant,
            "{ auditLog { edges { node { action actor { email } } } } }",
            json!({}),
            &[("X-Tenant", "client-co")],
        )
        .await;
    assert_eq!(
        audit.data()["auditLog"]["edges"],
        json!([{ "node": { "action": "tenant.created", "actor": { "email": "cora@firm.example" } } }])
    );

    let taken = app
        .gql(&consultant, create, json!({ "slug": "client-co" }))
        .await;
    assert_eq!((taken.code(), taken.field()), ("VALIDATION", "input.slug"));
    let bad = app
        .gql(&consultant, create, json!({ "slug": "Client Co" }))
        .await;
    assert_eq!((bad.code(), bad.field()), ("VALIDATION", "input.slug"));
    let member = app.token("firm", "mel@firm.example", Role::Member);
    assert_eq!(
        app.gql(&member, create, json!({ "slug": "other" }))
            .await
            .code(),
        "FORBIDDEN"
    );
}
