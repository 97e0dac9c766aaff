//! Service accounts over HTTP: created by an admin with a token shown once
//! and stored hashed, narrowed by scopes, rotated with two tokens valid for
//! a while, revoked from the next request on (also when the revocation was
//! made by another process, and on an open WebSocket), bound to their
//! tenant; and the rate limits per tenant and per client, answered with 429,
//! `Retry-After` and `RATE_LIMITED`, counting a sync by its records and a
//! socket by its operations.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use futures_util::SinkExt;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use throughline_domain::entity::{
    audit_entry, outbox_event, person, service_account, service_account_token,
};
use throughline_domain::enums::Role;
use throughline_tests::ws::{Message, connect, next};
use throughline_tests::{Gql, TestApp, start};

const CREATE: &str = r#"
mutation($input: CreateServiceAccountInput!) {
  createServiceAccount(input: $input) {
    token
    issuedToken { id hint active }
    serviceAccount { id name role scopes rateLimitPerMinute active }
  }
}"#;

const ROTATE: &str = r#"
mutation($input: RotateServiceAccountTokenInput!) {
  rotateServiceAccountToken(input: $input) { token issuedToken { id hint } }
}"#;

const LIST: &str = r#"
{ serviceAccounts(includeRevoked: true) { totalCount edges { node {
    id name role scopes active lastUsedAt revokedAt
    tokens { id hint active expiresAt revokedAt lastUsedAt } } } } }"#;

const SYNC: &str = r#"
mutation($input: SyncDirectoryInput!) {
  syncDirectory(input: $input) { committed totals { created updated unchanged failed } }
}"#;

const VIEWER: &str = "{ viewer { role user { displayName } } }";

struct Account {
    id: String,
    token: String,
    token_id: String,
}

async fn create(app: &TestApp, admin: &str, input: Value) -> Account {
    let created = app.gql(admin, CREATE, json!({ "input": input })).await;
    let payload = &created.data()["createServiceAccount"];
    Account {
        id: payload["serviceAccount"]["id"]
            .as_str()
            .unwrap()
            .to_string(),
        token: payload["token"].as_str().unwrap().to_string(),
        token_id: payload["issuedToken"]["id"].as_str().unwrap().to_string(),
    }
}

async fn rotate(app: &TestApp, admin: &str, account: &str, grace: i64) -> (String, String) {
    let rotated = app
        .gql(
            admin,
            ROTATE,
            json!({ "input": { "id": account, "previousTokenValidForSeconds": grace } }),
        )
        .await;
    let payload = &rotated.data()["rotateServiceAccountToken"];
    (
        payload["token"].as_str().unwrap().to_string(),
        payload["issuedToken"]["id"].as_str().unwrap().to_string(),
    )
}

fn people(count: usize, prefix: &str) -> Value {
    (0..count)
        .map(|i| {
            json!({
                "externalId": format!("{prefix}-{i}"),
                "name": format!("Person {prefix} {i}"),
                "email": format!("{prefix}-{i}@acme.example"),
            })
        })
        .collect()
}

async fn sync(app: &TestApp, token: &str, records: Value) -> Gql {
    app.gql(
        token,
        SYNC,
        json!({ "input": { "source": "workday", "mode": "UPSERT", "people": records } }),
    )
    .await
}

/// Whether the token still opens a session.
async fn works(app: &TestApp, token: &str) -> bool {
    let answer = app.gql(token, VIEWER, json!({})).await;
    match answer.body.get("errors") {
        None => true,
        Some(_) => {
            assert_eq!(answer.code(), "UNAUTHENTICATED", "{:?}", answer.body);
            assert_eq!(answer.status, 401);
            false
        }
    }
}

#[tokio::test]
async fn an_admin_creates_an_account_whose_token_is_shown_once_and_stored_hashed() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let created = app
        .gql(
            &admin,
            CREATE,
            json!({ "input": { "name": "Workday sync", "scopes": ["DIRECTORY_WRITE", "DIRECTORY_READ", "DIRECTORY_WRITE"] } }),
        )
        .await;
    let payload = created.data()["createServiceAccount"].clone();
    let token = payload["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("tlsa_"), "{token}");
    assert_eq!(payload["serviceAccount"]["role"], "INTEGRATOR");
    assert_eq!(
        payload["serviceAccount"]["scopes"],
        json!(["DIRECTORY_READ", "DIRECTORY_WRITE"])
    );
    let hint = payload["issuedToken"]["hint"].as_str().unwrap();
    assert!(token.starts_with(hint.trim_end_matches('…')));

    // The token syncs, and what it changed is audited under its name.
    let synced = sync(&app, &token, people(3, "sa")).await;
    assert_eq!(synced.data()["syncDirectory"]["totals"]["created"], 3);
    let audit = app
        .gql(
            &admin,
            "{ auditLog(filter: {action: \"person.created\"}) { edges { node { actor { displayName } } } } }",
            json!({}),
        )
        .await;
    let actors: Vec<&Value> = audit.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| &edge["node"]["actor"]["displayName"])
        .collect();
    assert_eq!(actors.len(), 3);
    assert!(
        actors.iter().all(|name| *name == "Workday sync"),
        "{actors:?}"
    );

    // The listing shows it used, never the token; the database keeps only a hash.
    let listed = app.gql(&admin, LIST, json!({})).await;
    let node = &listed.data()["serviceAccounts"]["edges"][0]["node"];
    assert!(node["lastUsedAt"].is_string(), "{node}");
    assert!(node["tokens"][0]["lastUsedAt"].is_string());
    assert!(!listed.body.to_string().contains(&token));
    let stored = service_account_token::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].secret_hash, token);
    assert_eq!(stored[0].secret_hash.len(), 64);
    let secret = &token["tlsa_".len()..];
    for entry in audit_entry::Entity::find().all(&app.db).await.unwrap() {
        let text = format!("{:?} {:?}", entry.before, entry.after);
        assert!(!text.contains(secret), "the token is in the audit log");
        assert!(!text.contains(&stored[0].secret_hash), "its hash too");
    }
    for event in outbox_event::Entity::find().all(&app.db).await.unwrap() {
        assert!(!event.payload.to_string().contains(secret));
    }

    // A token that was never issued, or is malformed, is refused alike.
    assert!(!works(&app, "tlsa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await);
    assert!(!works(&app, &format!("{token}x")).await);
    assert!(!works(&app, &"tlsa_x".repeat(1000)).await);
}

#[tokio::test]
async fn scopes_narrow_a_token_to_the_operations_they_name() {
    let app = start().await;
    app.tenant("acme", &["okr"]).await;
    let admin = app.admin("acme");
    let feed_only = create(
        &app,
        &admin,
        json!({ "name": "Feed reader", "scopes": ["CHANGES_READ"] }),
    )
    .await;
    let unscoped = create(&app, &admin, json!({ "name": "Full integrator" })).await;
    let synced = sync(&app, &unscoped.token, people(2, "x")).await;
    assert_eq!(synced.data()["syncDirectory"]["totals"]["created"], 2);
    app.settle().await;
    let person_id = app
        .gql(
            &admin,
            "{ people(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await
        .data()["people"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Open to it: the feed, and `viewer`.
    let feed = app
        .gql(
            &feed_only.token,
            "{ changes { nodes { operation } } }",
            json!({}),
        )
        .await;
    assert!(
        !feed.data()["changes"]["nodes"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let viewer = app.gql(&feed_only.token, VIEWER, json!({})).await;
    assert_eq!(viewer.data()["viewer"]["role"], "INTEGRATOR");

    // Closed to it, before anything runs: reads, writes, nodes, frameworks.
    let before = person::Entity::find().count(&app.db).await.unwrap();
    for (query, variables) in [
        ("{ people { totalCount } }", json!({})),
        ("{ ... on Query { orgUnits { totalCount } } }", json!({})),
        ("{ auditLog { totalCount } }", json!({})),
        ("{ okr { cycles { totalCount } } }", json!({})),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": person_id }),
        ),
        (
            SYNC,
            json!({ "input": { "source": "workday", "people": people(1, "y") } }),
        ),
    ] {
        let refused = app.gql(&feed_only.token, query, variables).await;
        assert_eq!(refused.code(), "FORBIDDEN", "{query}: {:?}", refused.body);
        assert!(
            refused.body["data"].is_null(),
            "{query}: {:?}",
            refused.body
        );
    }
    assert_eq!(person::Entity::find().count(&app.db).await.unwrap(), before);

    // A directory reader reaches people through `node`, not metrics.
    let reader = create(
        &app,
        &admin,
        json!({ "name": "Reader", "scopes": ["DIRECTORY_READ"] }),
    )
    .await;
    let found = app
        .gql(
            &reader.token,
            "query($id: ID!) { node(id: $id) { ... on Person { name } } }",
            json!({ "id": person_id }),
        )
        .await;
    assert!(found.data()["node"]["name"].is_string());
    let metrics = app
        .gql(&reader.token, "{ metrics { totalCount } }", json!({}))
        .await;
    assert_eq!(metrics.code(), "FORBIDDEN");
    assert!(
        metrics.message().contains("metrics:read"),
        "{}",
        metrics.message()
    );

    // Scopes change with `updateServiceAccount`, from the next request on.
    let updated = app
        .gql(
            &admin,
            "mutation($input: UpdateServiceAccountInput!) { updateServiceAccount(input: $input) { serviceAccount { scopes } } }",
            json!({ "input": { "id": reader.id, "scopes": ["DIRECTORY_READ", "METRICS_READ"] } }),
        )
        .await;
    assert_eq!(
        updated.data()["updateServiceAccount"]["serviceAccount"]["scopes"],
        json!(["DIRECTORY_READ", "METRICS_READ"])
    );
    let metrics = app
        .gql(&reader.token, "{ metrics { totalCount } }", json!({}))
        .await;
    assert_eq!(metrics.data()["metrics"]["totalCount"], 0);

    // Changed in the database by another process: this process has the
    // token's session cached, and still answers with the account as it is.
    service_account::Entity::update_many()
        .col_expr(service_account::Column::Scopes, "changes:read".into())
        .col_expr(service_account::Column::Role, "MANAGER".into())
        .filter(service_account::Column::Name.eq("Reader"))
        .exec(&app.db)
        .await
        .unwrap();
    let metrics = app
        .gql(&reader.token, "{ metrics { totalCount } }", json!({}))
        .await;
    assert_eq!(metrics.code(), "FORBIDDEN", "{:?}", metrics.body);
    let viewer = app.gql(&reader.token, VIEWER, json!({})).await;
    assert_eq!(viewer.data()["viewer"]["role"], "MANAGER");
}

#[tokio::test]
async fn rotation_keeps_two_tokens_valid_and_never_three() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let account = create(&app, &admin, json!({ "name": "Workday" })).await;
    let first = account.token.clone();

    let (second, second_id) = rotate(&app, &admin, &account.id, 3600).await;
    assert!(
        works(&app, &first).await,
        "the old token works during the grace"
    );
    assert!(works(&app, &second).await);

    // Rotating again ends the first at once: two valid at most.
    let (third, _) = rotate(&app, &admin, &account.id, 3600).await;
    assert!(!works(&app, &first).await);
    assert!(works(&app, &second).await);
    assert!(works(&app, &third).await);
    let listed = app.gql(&admin, LIST, json!({})).await;
    let tokens = listed.data()["serviceAccounts"]["edges"][0]["node"]["tokens"]
        .as_array()
        .unwrap()
        .clone();
    let active: Vec<bool> = tokens
        .iter()
        .map(|t| t["active"].as_bool().unwrap())
        .collect();
    assert_eq!(active, vec![true, true, false], "newest first: {tokens:?}");
    assert!(tokens[1]["expiresAt"].is_string());

    // One token revoked ends its grace; the current one goes on.
    let revoked = app
        .gql(
            &admin,
            "mutation($input: RevokeServiceAccountTokenInput!) { revokeServiceAccountToken(input: $input) { token { active revokedAt } } }",
            json!({ "input": { "id": second_id } }),
        )
        .await;
    assert_eq!(
        revoked.data()["revokeServiceAccountToken"]["token"]["active"],
        false
    );
    assert!(!works(&app, &second).await);
    assert!(works(&app, &third).await);

    // No grace: the old token stops now.
    let (fourth, _) = rotate(&app, &admin, &account.id, 0).await;
    assert!(!works(&app, &third).await);
    assert!(works(&app, &fourth).await);

    // A grace beyond 7 days is refused, naming the field.
    let refused = app
        .gql(
            &admin,
            ROTATE,
            json!({ "input": { "id": account.id, "previousTokenValidForSeconds": 604_801 } }),
        )
        .await;
    assert_eq!(refused.code(), "VALIDATION");
    assert_eq!(refused.field(), "input.previousTokenValidForSeconds");
    assert!(
        works(&app, &fourth).await,
        "a refused rotation changes nothing"
    );
}

#[tokio::test]
async fn revocation_holds_from_the_next_request_even_when_another_process_made_it() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let account = create(&app, &admin, json!({ "name": "Workday" })).await;
    assert!(
        works(&app, &account.token).await,
        "its session is now cached"
    );
    let revoked = app
        .gql(
            &admin,
            "mutation($input: RevokeServiceAccountInput!) { revokeServiceAccount(input: $input) { serviceAccount { active revokedAt } } }",
            json!({ "input": { "id": account.id } }),
        )
        .await;
    assert_eq!(
        revoked.data()["revokeServiceAccount"]["serviceAccount"]["active"],
        false
    );
    assert!(!works(&app, &account.token).await);
    let synced = sync(&app, &account.token, people(1, "late")).await;
    assert_eq!(synced.status, 401);
    assert_eq!(person::Entity::find().count(&app.db).await.unwrap(), 0);

    // Revoked in the database by someone else (another server process):
    // this process holds the session cached, and refuses anyway.
    let other = create(&app, &admin, json!({ "name": "BI feed" })).await;
    assert!(works(&app, &other.token).await);
    service_account_token::Entity::update_many()
        .col_expr(
            service_account_token::Column::RevokedAt,
            Some(chrono::Utc::now()).into(),
        )
        .filter(service_account_token::Column::Id.is_not_null())
        .exec(&app.db)
        .await
        .unwrap();
    assert!(!works(&app, &other.token).await);

    // A revoked account cannot be rotated back to life.
    let rotated = app
        .gql(
            &admin,
            ROTATE,
            json!({ "input": { "id": account.id, "previousTokenValidForSeconds": 0 } }),
        )
        .await;
    assert_eq!(rotated.code(), "VALIDATION");
    assert_eq!(rotated.field(), "input.id");
}

/// Sends one operation on a socket.
async fn subscribe(socket: &mut throughline_tests::ws::Socket, id: &str, query: &str) {
    socket
        .send(Message::text(
            json!({ "id": id, "type": "subscribe", "payload": { "query": query } }).to_string(),
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_socket_serves_a_revoked_token_no_more_and_ends_its_subscriptions() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let metric = app
        .gql(&admin, r#"mutation { createMetric(input: {name: "ARR", direction: HIGHER_IS_BETTER, indicatorKind: LAGGING, frequency: MONTHLY, aggregation: LAST}) { metric { id } } }"#, json!({}))
        .await
        .data()["createMetric"]["metric"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let record = |value: &'static str| {
        let (app, admin, metric) = (&app, &admin, &metric);
        async move {
            app.gql(
                admin,
                "mutation($m: ID!, $v: Decimal!) { recordMetricValues(input: {metricId: $m, values: [{period: \"2026-05-01\", value: $v}]}) { values { id } } }",
                json!({ "m": metric, "v": value }),
            )
            .await
            .data();
        }
    };
    let account = create(&app, &admin, json!({ "name": "BI feed" })).await;
    let mut socket = connect(
        &app,
        json!({ "authorization": format!("Bearer {}", account.token) }),
    )
    .await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    subscribe(
        &mut socket,
        "1",
        "subscription { metricValueRecorded { value } }",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    record("1").await;
    let event = next(&mut socket).await.unwrap();
    assert_eq!(
        event["payload"]["data"]["metricValueRecorded"]["value"],
        "1"
    );

    app.gql(
        &admin,
        "mutation($input: RevokeServiceAccountInput!) { revokeServiceAccount(input: $input) { serviceAccount { active } } }",
        json!({ "input": { "id": account.id } }),
    )
    .await
    .data();
    // The running subscription ends, saying why, at its next re-check
    // (300 ms in tests, the session seconds in production).
    let ended = next(&mut socket).await.unwrap();
    assert_eq!(ended["id"], "1");
    assert_eq!(
        ended["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{ended}"
    );
    assert!(ended["payload"]["data"].is_null(), "{ended}");
    assert_eq!(
        next(&mut socket).await.unwrap(),
        json!({ "id": "1", "type": "complete" })
    );
    // What is recorded from now on reaches nobody on this socket; a new
    // operation on it is refused before it runs (and is the next message).
    record("2").await;
    subscribe(&mut socket, "2", VIEWER).await;
    let refused = next(&mut socket).await.unwrap();
    assert_eq!(refused["id"], "2", "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{refused}"
    );
}

#[tokio::test]
async fn a_sockets_operations_count_against_the_rate_limit_and_follow_access_changes() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let account = create(
        &app,
        &admin,
        json!({ "name": "Dashboard feed", "rateLimitPerMinute": 60 }),
    )
    .await;
    let mut socket = connect(
        &app,
        json!({ "authorization": format!("Bearer {}", account.token) }),
    )
    .await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    // A bucket of 60: the operations on one socket draw on it as requests do.
    let mut answered = 0;
    for id in 0..70 {
        subscribe(&mut socket, &id.to_string(), VIEWER).await;
        let answer = next(&mut socket).await.unwrap();
        assert_eq!(next(&mut socket).await.unwrap()["type"], "complete");
        match answer["payload"]["errors"][0]["extensions"]["code"].as_str() {
            None => answered += 1,
            Some(code) => {
                assert_eq!(code, "RATE_LIMITED", "{answer}");
                break;
            }
        }
    }
    // (It refills a unit a second while the loop runs.)
    assert!((60..=66).contains(&answered), "{answered}");

    // Its role changed while the socket is open: the socket's operations
    // are refused until it reconnects, and then run with the new role.
    let other = create(&app, &admin, json!({ "name": "Reader" })).await;
    let init = json!({ "authorization": format!("Bearer {}", other.token) });
    let mut socket = connect(&app, init.clone()).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    app.gql(
        &admin,
        "mutation($input: UpdateServiceAccountInput!) { updateServiceAccount(input: $input) { serviceAccount { role } } }",
        json!({ "input": { "id": other.id, "role": "MANAGER" } }),
    )
    .await
    .data();
    subscribe(&mut socket, "1", VIEWER).await;
    let refused = next(&mut socket).await.unwrap();
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{refused}"
    );
    let mut socket = connect(&app, init).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    subscribe(&mut socket, "1", VIEWER).await;
    let answer = next(&mut socket).await.unwrap();
    assert_eq!(answer["payload"]["data"]["viewer"]["role"], "MANAGER");
}

#[tokio::test]
async fn only_admins_signed_in_as_themselves_manage_service_accounts() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let robot_admin = create(
        &app,
        &admin,
        json!({ "name": "Provisioning robot", "role": "ADMIN" }),
    )
    .await;
    for token in [
        robot_admin.token.clone(),
        app.token("acme", "hris@acme.example", Role::Integrator),
        app.token("acme", "boss@acme.example", Role::Manager),
    ] {
        for (query, variables) in [
            (CREATE, json!({ "input": { "name": "Backdoor" } })),
            (LIST, json!({})),
            (
                ROTATE,
                json!({ "input": { "id": robot_admin.id, "previousTokenValidForSeconds": 0 } }),
            ),
        ] {
            let refused = app.gql(&token, query, variables).await;
            assert_eq!(refused.code(), "FORBIDDEN", "{:?}", refused.body);
        }
    }
    // The admin robot keeps its other admin rights.
    let renamed = app
        .gql(
            &robot_admin.token,
            "{ viewer { tenant { name } role } }",
            json!({}),
        )
        .await;
    assert_eq!(renamed.data()["viewer"]["role"], "ADMIN");
    let listed = app.gql(&admin, LIST, json!({})).await;
    assert_eq!(listed.data()["serviceAccounts"]["totalCount"], 1);

    // Names are unique among active accounts, and bounded.
    let taken = app
        .gql(
            &admin,
            CREATE,
            json!({ "input": { "name": "provisioning ROBOT" } }),
        )
        .await;
    assert_eq!(taken.code(), "VALIDATION");
    assert_eq!(taken.field(), "input.name");
    for bad in ["", "   ", "a\u{7}b", &"x".repeat(101)] {
        let refused = app
            .gql(&admin, CREATE, json!({ "input": { "name": bad } }))
            .await;
        assert_eq!(refused.code(), "VALIDATION", "{bad:?}");
        assert_eq!(refused.field(), "input.name");
    }
    let limit = app
        .gql(
            &admin,
            CREATE,
            json!({ "input": { "name": "Tiny", "rateLimitPerMinute": 59 } }),
        )
        .await;
    assert_eq!(limit.field(), "input.rateLimitPerMinute");
}

#[tokio::test]
async fn a_token_acts_only_in_its_own_tenant() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    app.tenant("globex", &[]).await;
    let acme_admin = app.admin("acme");
    let globex_admin = app.admin("globex");
    let acme = create(&app, &acme_admin, json!({ "name": "Workday" })).await;
    let globex = create(&app, &globex_admin, json!({ "name": "Workday" })).await;
    sync(&app, &globex.token, people(2, "g")).await.data();

    // Naming the other tenant answers like a tenant that does not exist.
    let elsewhere = app
        .gql_with(&acme.token, VIEWER, json!({}), &[("X-Tenant", "globex")])
        .await;
    let nowhere = app
        .gql_with(&acme.token, VIEWER, json!({}), &[("X-Tenant", "no-such")])
        .await;
    assert_eq!(elsewhere.code(), "FORBIDDEN");
    assert_eq!(
        elsewhere.message(),
        nowhere.message().replace("no-such", "globex")
    );
    let seen = app
        .gql(&acme.token, "{ people { totalCount } }", json!({}))
        .await;
    assert_eq!(seen.data()["people"]["totalCount"], 0);

    // Each admin sees their own account only, and cannot touch the other's.
    let listed = app.gql(&acme_admin, LIST, json!({})).await;
    assert_eq!(listed.data()["serviceAccounts"]["totalCount"], 1);
    assert_eq!(
        listed.data()["serviceAccounts"]["edges"][0]["node"]["id"],
        acme.id.as_str()
    );
    for (query, id) in [
        (
            "mutation($id: ID!) { revokeServiceAccount(input: {id: $id}) { serviceAccount { id } } }",
            &globex.id,
        ),
        (
            "mutation($id: ID!) { revokeServiceAccountToken(input: {id: $id}) { token { id } } }",
            &globex.token_id,
        ),
        (
            "mutation($id: ID!) { rotateServiceAccountToken(input: {id: $id}) { token } }",
            &globex.id,
        ),
    ] {
        let refused = app.gql(&acme_admin, query, json!({ "id": id })).await;
        assert_eq!(refused.code(), "NOT_FOUND", "{:?}", refused.body);
    }
    let node = app
        .gql(
            &acme_admin,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": globex.id }),
        )
        .await;
    assert!(node.data()["node"].is_null());
    assert!(works(&app, &globex.token).await);
}

/// A POST whose status and `Retry-After` the test reads.
async fn raw(
    app: &TestApp,
    token: &str,
    query: &str,
    variables: Value,
) -> (u16, Option<u64>, Value) {
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("accept", "application/graphql-response+json")
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, retry_after, response.json().await.unwrap())
}

#[tokio::test]
async fn a_clients_rate_limit_counts_sync_records_and_answers_429() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let account = create(
        &app,
        &admin,
        json!({ "name": "Workday", "rateLimitPerMinute": 100 }),
    )
    .await;
    // A sync bigger than a minute's worth could never pass: a limit, not a
    // wait (and it takes nothing from the bucket).
    let (status, retry_after, body) = raw(
        &app,
        &account.token,
        SYNC,
        json!({ "input": { "source": "workday", "people": people(150, "c") } }),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED",
        "{body}"
    );
    assert_eq!(status, 200, "a field error, as GraphQL over HTTP has it");
    assert!(retry_after.is_none());
    // 1 for each request and 90 for the records: 8 left.
    let (status, _, body) = raw(
        &app,
        &account.token,
        SYNC,
        json!({ "input": { "source": "workday", "people": people(90, "a") } }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["syncDirectory"]["totals"]["created"], 90);
    let (status, retry_after, body) = raw(
        &app,
        &account.token,
        SYNC,
        json!({ "input": { "source": "workday", "people": people(20, "b") } }),
    )
    .await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    let retry_after = retry_after.expect("a Retry-After header");
    // About 13 units missing at 100 a minute: about 8 s.
    assert!((7..=9).contains(&retry_after), "{retry_after}");
    assert_eq!(body["errors"][0]["extensions"]["retryAfter"], retry_after);
    // Refused before anything was written.
    assert_eq!(person::Entity::find().count(&app.db).await.unwrap(), 90);

    // Plain requests still fit, until the bucket is empty.
    let mut answered = 0;
    loop {
        let (status, retry_after, body) = raw(&app, &account.token, VIEWER, json!({})).await;
        if status == 429 {
            assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
            assert!(retry_after.is_some_and(|s| s >= 1));
            break;
        }
        assert_eq!(status, 200);
        answered += 1;
        assert!(answered < 20, "the limit never held");
    }
    assert!(answered >= 6, "{answered}");
    // Other clients of the tenant are not held back by this one.
    let (status, _, _) = raw(&app, &admin, VIEWER, json!({})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_tenants_rate_limit_holds_for_all_its_clients_and_no_other_tenant() {
    let app = start().await;
    let acme = app.tenant("acme", &[]).await;
    app.tenant("globex", &[]).await;
    let admin = app.admin("acme");
    let updated = app
        .gql(
            &admin,
            "mutation($input: UpdateTenantInput!) { updateTenant(input: $input) { tenant { rateLimitPerMinute clientRateLimitPerMinute } } }",
            json!({ "input": { "version": acme.version, "rateLimitPerMinute": 60 } }),
        )
        .await;
    assert_eq!(
        updated.data()["updateTenant"]["tenant"]["rateLimitPerMinute"],
        60
    );
    let member = app.token("acme", "ann@acme.example", Role::Member);
    let mut statuses = Vec::new();
    for round in 0..70 {
        let token = if round % 2 == 0 { &admin } else { &member };
        statuses.push(raw(&app, token, VIEWER, json!({})).await.0);
    }
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(refused >= 5, "{statuses:?}");
    assert!(statuses[..55].iter().all(|s| *s == 200), "{statuses:?}");
    // Both clients are refused once the tenant's minute is used up.
    let refused_admin = statuses.iter().step_by(2).any(|s| *s == 429);
    let refused_member = statuses.iter().skip(1).step_by(2).any(|s| *s == 429);
    assert!(refused_admin && refused_member, "{statuses:?}");
    // Another tenant goes on.
    let globex = app.admin("globex");
    assert_eq!(raw(&app, &globex, VIEWER, json!({})).await.0, 200);

    // Out-of-range limits are refused with their field.
    let globex_tenant = app
        .gql(&globex, "{ viewer { tenant { version } } }", json!({}))
        .await;
    let version = globex_tenant.data()["viewer"]["tenant"]["version"].clone();
    for (field, value) in [
        ("clientRateLimitPerMinute", json!(59)),
        ("rateLimitPerMinute", json!(10_000_001)),
    ] {
        let refused = app
            .gql(
                &globex,
                "mutation($input: UpdateTenantInput!) { updateTenant(input: $input) { tenant { version } } }",
                json!({ "input": { "version": version, field: value } }),
            )
            .await;
        assert_eq!(refused.code(), "VALIDATION");
        assert_eq!(refused.field(), format!("input.{field}"));
    }
}
