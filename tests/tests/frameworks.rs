//! The framework contract, proven with the probe framework that lives only in
//! the tests: switching per tenant, settings, gating in three layers, events.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::json;
use throughline_tests::{TestApp, start_with_probe};

/// Every root field each registered framework owns, as (operation, field).
fn framework_roots(app: &TestApp) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut roots = Vec::new();
    for framework in app.registry.iter() {
        let r = framework.roots();
        for q in r.query {
            roots.push((framework.key(), "query", *q));
        }
        for m in r.mutation {
            roots.push((framework.key(), "mutation", *m));
        }
        for s in r.subscriptions {
            roots.push((framework.key(), "subscription", *s));
        }
    }
    roots
}

/// Every type a tenant's introspection shows, `Node`'s possible types included.
async fn visible_type_names(app: &TestApp, token: &str) -> std::collections::BTreeSet<String> {
    let response = app
        .gql(
            token,
            r#"{ __schema { types { name } } __type(name: "Node") { possibleTypes { name } } }"#,
            json!({}),
        )
        .await;
    let data = response.data();
    data["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .chain(data["__type"]["possibleTypes"].as_array().unwrap())
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

async fn root_field_names(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let response = app
        .gql(token, "{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }", json!({}))
        .await;
    let schema = &response.data()["__schema"];
    let mut out = Vec::new();
    for (operation, key) in [
        ("query", "queryType"),
        ("mutation", "mutationType"),
        ("subscription", "subscriptionType"),
    ] {
        for field in schema[key]["fields"].as_array().unwrap() {
            out.push((
                operation.to_string(),
                field["name"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

/// Generic over every framework root: a disabled framework is absent from
/// introspection, refused before execution, and refused by the guard.
#[tokio::test]
async fn every_framework_root_is_gated_in_three_layers() {
    // The product's frameworks, and the probe that lives in the tests.
    for app in [throughline_tests::start().await, start_with_probe().await] {
        assert_gated(app).await;
    }
}

async fn assert_gated(app: TestApp) {
    let keys: Vec<&str> = app.registry.iter().map(|f| f.key()).collect();
    app.tenant("on", &keys).await;
    app.tenant("off", &[]).await;
    let on = app.admin("on");
    let off = app.admin("off");
    let roots = framework_roots(&app);
    assert!(!roots.is_empty());
    // Every type a framework owns is gone from a tenant that has it off
    // (its node types included), and nothing else differs.
    let types_on = visible_type_names(&app, &on).await;
    let types_off = visible_type_names(&app, &off).await;
    for key in &keys {
        let prefix = type_prefix(key);
        let leaked: Vec<&String> = types_off.iter().filter(|t| t.contains(&prefix)).collect();
        assert!(
            leaked.is_empty(),
            "{key} is off, but its types show: {leaked:?}"
        );
        assert!(
            types_on.iter().any(|t| t.contains(&prefix)),
            "{key} is on, but shows no type"
        );
    }
    let only_on: Vec<&String> = types_on
        .difference(&types_off)
        .filter(|t| !keys.iter().any(|k| t.contains(&type_prefix(k))))
        .collect();
    assert!(
        only_on.is_empty(),
        "types only enabled frameworks show: {only_on:?}"
    );
    assert!(types_off.is_subset(&types_on));
    let visible_on = root_field_names(&app, &on).await;
    let visible_off = root_field_names(&app, &off).await;
    // The converse: a root field that only enabled frameworks show belongs
    // to a framework that declares it (or its gate would be forgotten).
    for entry in visible_on.iter().filter(|e| !visible_off.contains(e)) {
        assert!(
            roots
                .iter()
                .any(|(_, operation, field)| (*operation, *field)
                    == (entry.0.as_str(), entry.1.as_str())),
            "{} {} appears only when frameworks are on, but no framework declares it in roots()",
            entry.0,
            entry.1
        );
    }
    for (key, operation, field) in roots {
        let entry = (operation.to_string(), field.to_string());
        assert!(
            visible_on.contains(&entry),
            "{key}: {operation} {field} visible when enabled"
        );
        assert!(
            !visible_off.contains(&entry),
            "{key}: {operation} {field} hidden when disabled"
        );

        // Refused before execution, even behind a fragment.
        let document = match operation {
            "query" => {
                format!("query {{ ...F }} fragment F on Query {{ {field} {{ __typename }} }}")
            }
            "mutation" => format!("mutation {{ {field} {{ __typename }} }}"),
            _ => format!("subscription {{ {field} }}"),
        };
        let refused = app.gql(&off, &document, json!({})).await;
        assert_eq!(
            refused.code(),
            "FRAMEWORK_DISABLED",
            "{key}: {document}: {:?}",
            refused.body
        );
        assert!(refused.body.get("data").is_none_or(|d| d.is_null()));
    }
}

/// The guard on its own: a schema without the pre-execution check (as a
/// future transport might execute) still refuses a disabled framework.
#[tokio::test]
async fn the_guard_alone_refuses_a_disabled_framework() {
    use throughline_tests::probe::{TestMutation, TestQuery, TestSubscription};
    let app = start_with_probe().await;
    let tenant = app.tenant("acme", &[]).await;
    let bare = async_graphql::Schema::build(
        TestQuery::default(),
        TestMutation::default(),
        TestSubscription::default(),
    )
    .finish();
    let context = |enabled: &[&str]| {
        let scope = throughline_domain::TenantScope::new(
            app.db.clone(),
            tenant.clone(),
            throughline_domain::Actor::system(),
            throughline_domain::events::EventBus::new(),
        );
        let user = throughline_domain::entity::user::Model {
            id: uuid::Uuid::now_v7(),
            email: "system@example.com".into(),
            display_name: "System".into(),
            idp_subject: None,
            created_at: chrono::Utc::now(),
            may_create_tenants: false,
        };
        throughline_domain::graphql::RequestContext::new(
            scope,
            user,
            app.registry.clone(),
            enabled.iter().map(|k| k.to_string()).collect(),
        )
    };
    let refused = bare
        .execute(async_graphql::Request::new("{ probe { greeting } }").data(context(&[])))
        .await;
    let code = refused.errors[0]
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .cloned();
    assert_eq!(
        code,
        Some(async_graphql::Value::from("FRAMEWORK_DISABLED")),
        "{:?}",
        refused.errors
    );
    let allowed = bare
        .execute(async_graphql::Request::new("{ probe { greeting } }").data(context(&["probe"])))
        .await;
    assert!(allowed.errors.is_empty(), "{:?}", allowed.errors);
}

#[tokio::test]
async fn enabling_disabling_and_settings() {
    let app = start_with_probe().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let frameworks = app
        .gql(
            &admin,
            "{ viewer { tenant { frameworks { key name enabled settings version } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        frameworks.data()["viewer"]["tenant"]["frameworks"],
        json!([{ "key": "probe", "name": "Probe", "enabled": false, "settings": { "greeting": "hello", "limit": 3 }, "version": 0 }])
    );
    let member = app.token(
        "acme",
        "m@acme.example",
        throughline_domain::enums::Role::Member,
    );
    let forbidden = app
        .gql(
            &member,
            r#"mutation { enableFramework(input: {key: "probe"}) { framework { enabled } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(forbidden.code(), "FORBIDDEN");
    let unknown = app
        .gql(
            &admin,
            r#"mutation { enableFramework(input: {key: "nope"}) { framework { enabled } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        (unknown.code(), unknown.field()),
        ("VALIDATION", "input.key")
    );
    let bad = app
        .gql(&admin, r#"mutation { enableFramework(input: {key: "probe", settings: {limit: 99}}) { framework { enabled } } }"#, json!({}))
        .await;
    assert_eq!(
        (bad.code(), bad.field()),
        ("VALIDATION", "input.settings.limit")
    );
    let unknown_key = app
        .gql(&admin, r#"mutation { enableFramework(input: {key: "probe", settings: {colour: "red"}}) { framework { enabled } } }"#, json!({}))
        .await;
    assert_eq!(
        (unknown_key.code(), unknown_key.field()),
        ("VALIDATION", "input.settings")
    );
    let still_off = app.gql(&admin, "{ probe { greeting } }", json!({})).await;
    assert_eq!(
        still_off.code(),
        "FRAMEWORK_DISABLED",
        "a refused enable changes nothing"
    );

    let enabled = app
        .gql(&admin, r#"mutation { enableFramework(input: {key: "probe", settings: {greeting: "hej"}}) { framework { enabled settings } } }"#, json!({}))
        .await;
    assert_eq!(
        enabled.data()["enableFramework"]["framework"],
        json!({ "enabled": true, "settings": { "greeting": "hej", "limit": 3 } })
    );
    app.gql(
        &admin,
        r#"mutation { probe { addNote(input: {text: "kept"}) { text } } }"#,
        json!({}),
    )
    .await
    .data();
    app.gql(
        &admin,
        r#"mutation { disableFramework(input: {key: "probe"}) { framework { enabled } } }"#,
        json!({}),
    )
    .await
    .data();
    assert_eq!(
        app.gql(&admin, "{ probe { notes } }", json!({}))
            .await
            .code(),
        "FRAMEWORK_DISABLED"
    );
    app.gql(
        &admin,
        r#"mutation { enableFramework(input: {key: "probe"}) { framework { enabled } } }"#,
        json!({}),
    )
    .await
    .data();
    let back = app
        .gql(&admin, "{ probe { greeting notes } }", json!({}))
        .await;
    assert_eq!(
        back.data()["probe"],
        json!({ "greeting": "hej", "notes": ["kept"] }),
        "data and settings come back"
    );

    // An update changes the keys it names and keeps the rest, like every
    // other update; null puts a key back to its default; replace replaces.
    let settings = |mutation: &'static str, patch: serde_json::Value| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let r = app
                .gql(
                    &admin,
                    &format!(r#"mutation($s: JSON!) {{ {mutation}(input: {{key: "probe", settings: $s}}) {{ framework {{ settings }} }} }}"#),
                    json!({ "s": patch }),
                )
                .await;
            r.data()[mutation]["framework"]["settings"].clone()
        }
    };
    assert_eq!(
        settings("updateFrameworkSettings", json!({ "limit": 5 })).await,
        json!({ "greeting": "hej", "limit": 5 })
    );
    assert_eq!(
        settings("updateFrameworkSettings", json!({ "greeting": null })).await,
        json!({ "greeting": "hello", "limit": 5 })
    );
    assert_eq!(
        settings("replaceFrameworkSettings", json!({ "greeting": "moi" })).await,
        json!({ "greeting": "moi", "limit": 3 })
    );
    let bad_merge = app
        .gql(&admin, r#"mutation { updateFrameworkSettings(input: {key: "probe", settings: {limit: 99}}) { framework { settings } } }"#, json!({}))
        .await;
    assert_eq!(
        (bad_merge.code(), bad_merge.field()),
        ("VALIDATION", "input.settings.limit")
    );
    let audit = app
        .gql(
            &admin,
            r#"{ auditLog(filter: {action: "framework."}) { edges { node { action } } } }"#,
            json!({}),
        )
        .await;
    let actions: Vec<&str> = audit.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "framework.enabled",
            "framework.disabled",
            "framework.enabled",
            "framework.settings_updated",
            "framework.settings_updated",
            "framework.settings_updated"
        ]
    );
}

#[tokio::test]
async fn committed_core_events_reach_the_frameworks_of_tenants_that_enabled_them() {
    let app = start_with_probe().await;
    app.tenant("on", &["probe"]).await;
    app.tenant("off", &[]).await;
    for slug in ["on", "off"] {
        let admin = app.admin(slug);
        let created = app
            .gql(
                &admin,
                r#"mutation { createPerson(input: {name: "Pat"}) { person { id } } }"#,
                json!({}),
            )
            .await;
        let id = throughline_tests::id_at(created.data(), "createPerson.person.id");
        app.gql(&admin, "mutation($id: ID!) { updatePerson(input: {id: $id, version: 1, status: INACTIVE}) { person { status } } }", json!({ "id": id }))
            .await
            .data();
        // A rolled-back change announces nothing.
        let refused = app.gql(&admin, "mutation($id: ID!) { updatePerson(input: {id: $id, version: 1, status: ACTIVE}) { person { status } } }", json!({ "id": id })).await;
        assert_eq!(refused.code(), "CONFLICT");
    }
    app.settle().await;
    let notes = app
        .gql(&app.admin("on"), "{ probe { notes } }", json!({}))
        .await;
    assert_eq!(notes.data()["probe"]["notes"], json!(["deactivated Pat"]));
    app.gql(
        &app.admin("off"),
        r#"mutation { enableFramework(input: {key: "probe"}) { framework { enabled } } }"#,
        json!({}),
    )
    .await
    .data();
    let none = app
        .gql(&app.admin("off"), "{ probe { notes } }", json!({}))
        .await;
    assert_eq!(
        none.data()["probe"]["notes"],
        json!([]),
        "a tenant without the framework did not get its handler"
    );
}

/// The names of the types an SDL document defines.
fn type_names(sdl: &str) -> std::collections::BTreeSet<String> {
    sdl.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("type" | "enum" | "input" | "interface" | "scalar" | "union") => words
                    .next()
                    .map(|name| name.trim_end_matches('{').to_string()),
                _ => None,
            }
        })
        .collect()
}

/// `okr` → `Okr`, `rolling_forecast` → `RollingForecast`.
fn type_prefix(key: &str) -> String {
    key.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// All frameworks share one schema, so every type a framework adds carries
/// its name (`OkrCycleStatus`, `CreateOkrCycleInput`, not `CycleStatus`): a
/// new framework cannot collide with another one's types, or with the core's.
#[test]
fn every_type_a_framework_adds_is_named_after_it() {
    use async_graphql::Schema;
    use throughline_domain::graphql::{
        mutation::CoreMutation, query::CoreQuery, subscription::CoreSubscription,
    };
    let limits = throughline_api::config::Limits::default();
    let core = type_names(
        &Schema::build(
            CoreQuery::default(),
            CoreMutation::default(),
            CoreSubscription,
        )
        .finish()
        .sdl(),
    );
    let product = type_names(&throughline_api::schema::app_schema(&limits).sdl());
    let with_probe = type_names(&throughline_tests::probe::schema(&limits).sdl());
    let prefixes: Vec<String> = throughline_api::registry::frameworks()
        .iter()
        .map(|f| type_prefix(f.key()))
        .collect();
    // The merged roots and the Node interface that spans every framework.
    let shared = ["Query", "Mutation", "Subscription", "Node"];
    let unprefixed: Vec<&String> = product
        .difference(&core)
        .filter(|name| !shared.contains(&name.as_str()))
        .filter(|name| !prefixes.iter().any(|p| name.contains(p.as_str())))
        .collect();
    assert!(
        unprefixed.is_empty(),
        "framework types without their framework's prefix ({prefixes:?}): {unprefixed:?}"
    );
    // The probe's schema has its own merged roots (`TestQuery`, …).
    let probe: Vec<&String> = with_probe
        .difference(&product)
        .filter(|name| !name.starts_with("Test"))
        .collect();
    assert!(!probe.is_empty());
    assert!(probe.iter().all(|name| name.contains("Probe")), "{probe:?}");
}

#[tokio::test]
async fn switching_on_runs_the_frameworks_hook_in_the_same_transaction() {
    let app = start_with_probe().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let enable = |greeting: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.gql(
                &admin,
                r#"mutation($s: JSON) { enableFramework(input: {key: "probe", settings: $s}) { framework { enabled } } }"#,
                json!({ "s": { "greeting": greeting } }),
            )
            .await
        }
    };
    // The hook refuses: nothing is switched on, nothing is stored.
    let refused = enable("refuse").await;
    assert_eq!(
        (refused.code(), refused.field()),
        ("VALIDATION", "settings.greeting")
    );
    let listed = app
        .gql(
            &admin,
            "{ viewer { tenant { frameworks { key enabled version } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed.data()["viewer"]["tenant"]["frameworks"],
        json!([{ "key": "probe", "enabled": false, "version": 0 }])
    );
    // The hook makes the tenant's defaults, once per switch-on.
    enable("welcome aboard").await.data();
    let notes = app.gql(&admin, "{ probe { notes } }", json!({})).await;
    assert_eq!(notes.data()["probe"]["notes"], json!(["welcome aboard"]));

    // A tenant created with the framework gets its defaults too.
    app.tenant("beta", &["probe"]).await;
    let fresh = app
        .gql(
            &app.admin("beta"),
            "{ probe { greeting notes } }",
            json!({}),
        )
        .await;
    assert_eq!(
        fresh.data()["probe"],
        json!({ "greeting": "hello", "notes": [] })
    );
}

#[tokio::test]
async fn a_frameworks_settings_schema_describes_its_settings_form() {
    let app = throughline_tests::start_with_every_framework().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let probe = app
        .gql(
            &admin,
            r#"{ frameworkSettingsSchema(key: "probe") }"#,
            json!({}),
        )
        .await;
    let schema = &probe.data()["frameworkSettingsSchema"];
    assert_eq!(schema["type"], "object");
    assert_eq!(
        schema["additionalProperties"], false,
        "unknown keys are refused"
    );
    assert_eq!(schema["properties"]["greeting"]["type"], "string");
    assert_eq!(schema["properties"]["greeting"]["default"], "hello");
    assert_eq!(schema["properties"]["limit"]["default"], 3);

    let okr = app
        .gql(
            &admin,
            r#"{ frameworkSettingsSchema(key: "okr") }"#,
            json!({}),
        )
        .await;
    let schema = &okr.data()["frameworkSettingsSchema"];
    let cycle_length = &schema["properties"]["cycleLength"];
    let values = serde_json::to_string(schema).unwrap();
    assert!(
        values.contains(r#""QUARTER""#) && values.contains(r#""HALF_YEAR""#),
        "a stored enum lists its values: {cycle_length}"
    );
    assert_eq!(cycle_length["default"], "QUARTER");

    let unknown = app
        .gql(
            &admin,
            r#"{ frameworkSettingsSchema(key: "nope") }"#,
            json!({}),
        )
        .await;
    assert_eq!((unknown.code(), unknown.field()), ("VALIDATION", "key"));
}
