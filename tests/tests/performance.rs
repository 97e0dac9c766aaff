//! SQL statements per request: relation fields go through DataLoaders, so a
//! list costs a constant number of statements however long it is.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::json;
use throughline_tests::TestApp;

/// A batch window wide enough that a loaded CI machine running a debug build
/// still gathers every row of a page into one batch: the counts below must
/// not depend on the machine's speed.
async fn start() -> TestApp {
    throughline_tests::start_with_limits(throughline_api::config::Limits {
        batch_delay: std::time::Duration::from_millis(250),
        ..Default::default()
    })
    .await
}

const PEOPLE: &str = "query($n: Int!) { people(first: $n) { totalCount edges { node { name manager { name } managerChain { name } orgUnit { name parent { name } } directReportCount } } } }";

#[tokio::test]
async fn listing_people_with_relations_costs_the_same_for_10_or_100() {
    let app = start().await;
    let tenant = app.tenant("acme", &[]).await;
    throughline_api::seed::seed_organisation(&app.db, &tenant, 150, 3, 1)
        .await
        .unwrap();
    let admin = app.admin("acme");
    // The first request provisions the user; measure the steady state.
    app.gql(&admin, "{ viewer { role } }", json!({}))
        .await
        .data();

    let (ten, small) = app
        .count_statements(app.gql(&admin, PEOPLE, json!({ "n": 10 })))
        .await;
    let (hundred, large) = app
        .count_statements(app.gql(&admin, PEOPLE, json!({ "n": 100 })))
        .await;
    assert_eq!(ten.data()["people"]["edges"].as_array().unwrap().len(), 10);
    assert_eq!(
        hundred.data()["people"]["edges"].as_array().unwrap().len(),
        100
    );
    assert!(
        hundred.data()["people"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| !e["node"]["manager"].is_null())
    );
    // Loaders remember what they fetched, so a longer page can only save
    // statements (its org units' parents are often rows' own units already).
    assert!(
        large <= small,
        "statements must not grow with the page size: {small} for 10, {large} for 100"
    );
    // At most: 5 to authenticate (user, tenant, membership, person link,
    // enabled frameworks), totalCount, the page, and one per relation:
    // manager, manager chain (one recursive query), org unit, the org unit's
    // parent (none when every parent was already loaded as some row's unit),
    // direct-report count.
    assert!(large <= 12, "{large} statements for one page of people");
    println!("people(first: 10) = {small} statements; people(first: 100) = {large} statements");
}

#[tokio::test]
async fn node_lookups_batch_per_type() {
    let app = start().await;
    let tenant = app.tenant("acme", &[]).await;
    throughline_api::seed::seed_organisation(&app.db, &tenant, 60, 2, 1)
        .await
        .unwrap();
    let admin = app.admin("acme");
    let page = app
        .gql(
            &admin,
            "{ people(first: 50) { edges { node { id } } } metrics { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let mut ids: Vec<serde_json::Value> = page.data()["people"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].clone())
        .collect();
    ids.extend(
        page.data()["metrics"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].clone()),
    );
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Person { name } ... on Metric { name latestValue { value } } } }";
    let (few, few_count) = app
        .count_statements(app.gql(&admin, query, json!({ "ids": ids[..3].to_vec() })))
        .await;
    let (many, many_count) = app
        .count_statements(app.gql(&admin, query, json!({ "ids": ids })))
        .await;
    assert_eq!(few.data()["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(many.data()["nodes"].as_array().unwrap().len(), 58);
    assert!(
        many_count <= few_count + 2,
        "{few_count} statements for 3 nodes, {many_count} for 58"
    );
    println!(
        "nodes(3 ids) = {few_count} statements; nodes(58 ids, two types) = {many_count} statements"
    );
}

#[tokio::test]
async fn a_steady_stream_of_requests_with_one_token_costs_no_sql_to_authenticate() {
    let app = start().await;
    app.tenant("acme", &["okr"]).await;
    let admin = app.admin("acme");
    let (first, verified) = app
        .count_statements(app.gql(&admin, "{ __typename }", json!({})))
        .await;
    first.data();
    assert!(verified > 0, "the first request looks its session up");
    let (again, steady) = app
        .count_statements(app.gql(&admin, "{ __typename }", json!({})))
        .await;
    again.data();
    assert_eq!(steady, 0, "the same token moments later reuses its session");
    // A write in the tenant drops its sessions: switching a framework off
    // shows on the very next request.
    app.gql(
        &admin,
        r#"mutation { disableFramework(input: {key: "okr"}) { framework { enabled } } }"#,
        json!({}),
    )
    .await
    .data();
    let off = app
        .gql(&admin, "{ okr { cycles { totalCount } } }", json!({}))
        .await;
    assert_eq!(off.code(), "FRAMEWORK_DISABLED", "{}", off.body);
}

#[tokio::test]
async fn a_change_made_elsewhere_takes_effect_within_the_session_cache_ttl() {
    use sea_orm::{ActiveModelTrait, Set};
    let app = throughline_tests::start_with_limits(throughline_api::config::Limits {
        session_cache_ttl: std::time::Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    let tenant = app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let zone = "{ viewer { tenant { timeZone } } }";
    let before = app.gql(&admin, zone, json!({})).await;
    assert_eq!(before.data()["viewer"]["tenant"]["timeZone"], "UTC");
    // Another process (or the CLI) moves the tenant to Berlin.
    let mut moved: throughline_domain::entity::tenant::ActiveModel = tenant.into();
    moved.time_zone = Set("Europe/Berlin".into());
    moved.update(&app.db).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let after = app.gql(&admin, zone, json!({})).await;
    assert_eq!(
        after.data()["viewer"]["tenant"]["timeZone"],
        "Europe/Berlin"
    );
}

/// The dispatcher delivers a bulk sync's events in a few statements per
/// batch of 500, not several per event: it shares the machine's cores with
/// the requests.
#[tokio::test]
async fn dispatching_thousands_of_events_costs_statements_per_batch_not_per_event() {
    use sea_orm::EntityTrait;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use throughline_domain::entity::outbox_event;

    let app = start().await;
    let tenant = app.tenant("acme", &["okr"]).await;
    let other = app.tenant("globex", &["okr"]).await;
    app.settle().await;
    // Events written straight into the outbox, without waking the server's
    // dispatcher: this connection's own delivery counts its statements.
    let mut db = sea_orm::Database::connect(app.database_url())
        .await
        .unwrap();
    let statements = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let events: Vec<outbox_event::ActiveModel> = (0..1_200)
        .map(|i| outbox_event::ActiveModel {
            id: sea_orm::Set(uuid::Uuid::now_v7()),
            // Two tenants, interleaved.
            tenant_id: sea_orm::Set(if i % 2 == 0 { tenant.id } else { other.id }),
            kind: sea_orm::Set("person.updated".into()),
            entity_type: sea_orm::Set("Person".into()),
            entity_id: sea_orm::Set(uuid::Uuid::now_v7()),
            actor_user_id: sea_orm::Set(None),
            payload: sea_orm::Set(json!({ "before": null, "after": null })),
            occurred_at: sea_orm::Set(chrono::Utc::now()),
            dispatched_at: sea_orm::Set(None),
            ..Default::default()
        })
        .collect();
    for chunk in events.chunks(300) {
        outbox_event::Entity::insert_many(chunk.to_vec())
            .exec(&db)
            .await
            .unwrap();
    }
    let before = statements.load(Ordering::SeqCst);
    let delivered =
        throughline_domain::dispatcher::deliver_pending(&db, &app.events, &app.registry)
            .await
            .unwrap();
    let used = statements.load(Ordering::SeqCst) - before;
    // The server's dispatcher may have polled meanwhile and taken some.
    let pending: Vec<_> = outbox_event::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.dispatched_at.is_none())
        .collect();
    assert!(
        pending.is_empty(),
        "{} events left undelivered",
        pending.len()
    );
    assert!(delivered > 0, "the server's dispatcher took them all");
    // Per batch: the read, each tenant's scope and frameworks (2 + 2), the
    // mark; and the last, empty read.
    let batches = delivered.div_ceil(500);
    assert!(
        used <= batches * 6 + 1,
        "{used} statements for {delivered} events in {batches} batches"
    );
}
