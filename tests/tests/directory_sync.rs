//! HRIS sync over HTTP with an integrator's token: `syncDirectory` keyed by
//! `(source, externalId)`, references in any order, loops, snapshots and
//! their safety cap, dry runs, idempotency, stale data, partial success and
//! all-or-none, a failure mid-batch, and two tenants that never meet.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use throughline_domain::entity::{audit_entry, org_unit, outbox_event, person};
use throughline_domain::enums::Role;
use throughline_tests::{Gql, TestApp, start};

const SYNC: &str = r#"
mutation($input: SyncDirectoryInput!) {
  syncDirectory(input: $input) {
    source mode dryRun committed replayed snapshotId
    totals { created updated unchanged deactivated failed }
    orgUnits { index externalId outcome entityId changedFields
      warnings { code field message } errors { code field message } }
    people { index externalId outcome entityId changedFields
      warnings { code field message } errors { code field message }
      person { name status manager { name } orgUnit { name } } }
  }
}"#;

async fn sync(app: &TestApp, token: &str, input: Value) -> Gql {
    app.gql(token, SYNC, json!({ "input": input })).await
}

fn integrator(app: &TestApp, tenant: &str) -> String {
    app.token(tenant, &format!("hris@{tenant}.example"), Role::Integrator)
}

fn person_record(key: &str, name: &str, manager: Option<&str>) -> Value {
    json!({
        "externalId": key,
        "name": name,
        "email": format!("{}@acme.example", key.to_lowercase()),
        "managerExternalId": manager,
    })
}

/// The outcomes of the people results, in order.
fn outcomes(data: &Value) -> Vec<(Value, String, String)> {
    data["syncDirectory"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["index"].clone(),
                r["externalId"].as_str().unwrap().to_string(),
                r["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn counts(app: &TestApp) -> (u64, u64, u64) {
    (
        person::Entity::find().count(&app.db).await.unwrap(),
        audit_entry::Entity::find().count(&app.db).await.unwrap(),
        outbox_event::Entity::find().count(&app.db).await.unwrap(),
    )
}

async fn manager_of(app: &TestApp, token: &str, key: &str) -> Value {
    let found = app
        .gql(
            token,
            "query($k: String!) { people(filter: {externalId: $k, source: \"workday\"}) { totalCount edges { node { name status manager { name } orgUnit { name } externalIds { source externalId employeeNumber pendingManagerExternalId } } } } }",
            json!({ "k": key }),
        )
        .await;
    found.data()["people"].clone()
}

#[tokio::test]
async fn a_batch_in_any_order_resolves_managers_and_units_and_answers_in_input_order() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = integrator(&app, "acme");
    // Reports before their managers, units before their parents.
    let first = sync(
        &app,
        &token,
        json!({
            "source": "workday",
            "orgUnits": [
                { "externalId": "U-ENG", "name": "Engineering", "parentExternalId": "U-CO", "headExternalId": "E1" },
                { "externalId": "U-CO", "name": "Acme Co" },
            ],
            "people": [
                { "externalId": "E3", "name": "Dev Three", "managerExternalId": "E2", "orgUnitExternalId": "U-ENG", "employeeNumber": "1003" },
                { "externalId": "E2", "name": "Lead Two", "managerExternalId": "E1", "orgUnitExternalId": "U-ENG" },
                { "externalId": "E1", "name": "Chief One", "orgUnitExternalId": "U-CO", "status": "ACTIVE" },
                { "externalId": "E4", "name": "Future Four", "status": "PENDING", "managerExternalId": "E2", "startDate": "2027-01-04" },
            ],
        }),
    )
    .await;
    let data = first.data();
    let report = &data["syncDirectory"];
    assert_eq!(report["committed"], true);
    assert_eq!(
        report["totals"],
        json!({ "created": 6, "updated": 0, "unchanged": 0, "deactivated": 0, "failed": 0 })
    );
    assert_eq!(
        outcomes(data),
        [
            (json!(0), "E3".into(), "CREATED".into()),
            (json!(1), "E2".into(), "CREATED".into()),
            (json!(2), "E1".into(), "CREATED".into()),
            (json!(3), "E4".into(), "CREATED".into()),
        ]
    );
    let dev = &report["people"][0];
    assert_eq!(dev["warnings"], json!([]));
    assert_eq!(
        dev["person"],
        json!({ "name": "Dev Three", "status": "ACTIVE", "manager": { "name": "Lead Two" }, "orgUnit": { "name": "Engineering" } })
    );
    assert_eq!(report["people"][3]["person"]["status"], "PENDING");
    assert!(dev["entityId"].as_str().unwrap().len() > 10);

    // Looked up by the HRIS key; the key is shown with its source.
    let found = manager_of(&app, &token, "E3").await;
    assert_eq!(found["totalCount"], 1);
    assert_eq!(
        found["edges"][0]["node"]["externalIds"],
        json!([{ "source": "workday", "externalId": "E3", "employeeNumber": "1003", "pendingManagerExternalId": null }])
    );
    let units = app
        .gql(
            &token,
            "{ orgUnits(filter: {externalId: \"U-ENG\", source: \"workday\"}) { edges { node { name parent { name } head { name } externalIds { source externalId } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        units.data()["orgUnits"]["edges"][0]["node"],
        json!({ "name": "Engineering", "parent": { "name": "Acme Co" }, "head": { "name": "Chief One" }, "externalIds": [{ "source": "workday", "externalId": "U-ENG" }] })
    );
    // Another source's key is another key.
    let other_source = app
        .gql(
            &token,
            "{ people(filter: {externalId: \"E3\", source: \"bamboohr\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(other_source.data()["people"]["totalCount"], 0);
    // A key no source can have is refused before the database sees it (a
    // NUL is refused earlier still, with every argument's text).
    for key in ["E\\u00073", " ", &"x".repeat(201)] {
        let refused = app
            .gql(
                &token,
                &format!("{{ people(filter: {{externalId: \"{key}\"}}) {{ totalCount }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(
            (refused.code(), refused.field()),
            ("VALIDATION", "filter.externalId"),
            "{key:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_manager_waits_and_is_linked_by_the_batch_that_brings_it() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = integrator(&app, "acme");
    let first = sync(
        &app,
        &token,
        json!({ "source": "workday", "people": [person_record("E2", "Lead Two", Some("E1"))] }),
    )
    .await;
    let result = &first.data()["syncDirectory"]["people"][0];
    assert_eq!(result["outcome"], "CREATED");
    assert_eq!(
        result["warnings"][0]["code"], "MANAGER_UNRESOLVED",
        "{result}"
    );
    assert_eq!(
        result["warnings"][0]["field"],
        "input.people[0].managerExternalId"
    );
    assert_eq!(result["person"]["manager"], Value::Null);
    let waiting = manager_of(&app, &token, "E2").await;
    assert_eq!(
        waiting["edges"][0]["node"]["externalIds"][0]["pendingManagerExternalId"],
        "E1"
    );

    // A later batch brings the manager: the waiting link resolves, and the
    // result lists the person it changed without a record.
    let second = sync(
        &app,
        &token,
        json!({ "source": "workday", "people": [person_record("E1", "Chief One", None)] }),
    )
    .await;
    let data = second.data();
    assert_eq!(
        outcomes(data),
        [
            (json!(0), "E1".into(), "CREATED".into()),
            (Value::Null, "E2".into(), "UPDATED".into()),
        ]
    );
    assert_eq!(
        data["syncDirectory"]["people"][1]["changedFields"],
        json!(["managerExternalId"])
    );
    let linked = manager_of(&app, &token, "E2").await;
    assert_eq!(linked["edges"][0]["node"]["manager"]["name"], "Chief One");
    assert_eq!(
        linked["edges"][0]["node"]["externalIds"][0]["pendingManagerExternalId"],
        Value::Null
    );
}

#[tokio::test]
async fn reporting_loops_and_self_management_fail_their_record_only() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = integrator(&app, "acme");
    let response = sync(
        &app,
        &token,
        json!({ "source": "workday", "people": [
            person_record("A", "Ann", Some("B")),
            person_record("B", "Bob", Some("A")),
            person_record("C", "Cat", Some("C")),
            person_record("D", "Dan", Some("B")),
        ] }),
    )
    .await;
    let data = response.data();
    let results = &data["syncDirectory"]["people"];
    // The record that closes the loop first in input order fails; the
    // other then reports to nobody known and waits.
    assert_eq!(results[0]["outcome"], "FAILED");
    assert_eq!(results[0]["errors"][0]["code"], "VALIDATION");
    assert_eq!(
        results[0]["errors"][0]["field"],
        "input.people[0].managerExternalId"
    );
    assert!(
        results[0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("loop")
    );
    assert_eq!(results[1]["outcome"], "CREATED");
    assert_eq!(results[1]["warnings"][0]["code"], "MANAGER_UNRESOLVED");
    assert_eq!(results[2]["outcome"], "FAILED");
    assert_eq!(
        results[2]["errors"][0]["field"],
        "input.people[2].managerExternalId"
    );
    assert_eq!(results[3]["outcome"], "CREATED");
    assert_eq!(results[3]["person"]["manager"]["name"], "Bob");
    assert_eq!(data["syncDirectory"]["totals"]["failed"], 2);

    // A loop through people already stored is found too.
    let looping = sync(
        &app,
        &token,
        json!({ "source": "workday", "people": [
            person_record("B", "Bob", Some("D")),
        ] }),
    )
    .await;
    let result = &looping.data()["syncDirectory"]["people"][0];
    assert_eq!(result["outcome"], "FAILED", "{result}");
    let bob = manager_of(&app, &token, "B").await;
    assert_eq!(bob["edges"][0]["node"]["manager"], Value::Null);
}

#[tokio::test]
async fn a_full_snapshot_deactivates_the_missing_within_the_safety_share() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = integrator(&app, "acme");
    let everyone: Vec<Value> = (1..=10)
        .map(|n| person_record(&format!("E{n}"), &format!("Person {n}"), None))
        .collect();
    sync(
        &app,
        &token,
        json!({ "source": "workday", "people": everyone }),
    )
    .await
    .data();
    // Someone from another source is never touched by this one's snapshot.
    sync(
        &app,
        &token,
        json!({ "source": "bamboohr", "people": [person_record("X1", "Other Source", None)] }),
    )
    .await
    .data();

    // One missing of ten: 10 %, under the default 20 %.
    let nine = sync(
        &app,
        &token,
        json!({ "source": "workday", "mode": "FULL_SNAPSHOT", "people": everyone[..9] }),
    )
    .await;
    let data = nine.data();
    assert_eq!(data["syncDirectory"]["totals"]["deactivated"], 1);
    assert_eq!(data["syncDirectory"]["totals"]["unchanged"], 9);
    let leaver = data["syncDirectory"]["people"]
        .as_array()
        .unwrap()
        .last()
        .unwrap();
    assert_eq!(
        (&leaver["index"], &leaver["externalId"], &leaver["outcome"]),
        (&Value::Null, &json!("E10"), &json!("DEACTIVATED"))
    );
    assert_eq!(leaver["person"]["status"], "INACTIVE");

    // Half the source missing is refused, whole, with what to do.
    let (people_before, audit_before, _) = counts(&app).await;
    let half = sync(
        &app,
        &token,
        json!({ "source": "workday", "mode": "FULL_SNAPSHOT", "people": everyone[..4] }),
    )
    .await;
    assert_eq!((half.code(), half.field()), ("VALIDATION", "input.force"));
    assert!(half.message().contains("5 of the 9"), "{}", half.message());
    let (people_after, audit_after, _) = counts(&app).await;
    assert_eq!((people_after, audit_after), (people_before, audit_before));

    // Forced, it deactivates them: never deletes.
    let forced = sync(
        &app,
        &token,
        json!({ "source": "workday", "mode": "FULL_SNAPSHOT", "force": true, "people": everyone[..4] }),
    )
    .await;
    assert_eq!(forced.data()["syncDirectory"]["totals"]["deactivated"], 5);
    assert_eq!(counts(&app).await.0, people_before);
    let other = app
        .gql(
            &token,
            "{ people(filter: {source: \"bamboohr\"}) { edges { node { status } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        other.data()["people"]["edges"][0]["node"]["status"],
        "ACTIVE"
    );
}

#[tokio::test]
async fn a_snapshot_in_parts_deactivates_only_after_its_last_part() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = integrator(&app, "acme");
    let everyone: Vec<Value> = (1..=10)
        .map(|n| person_record(&format!("E{n}"), &format!("Person {n}"), None))
        .collect();
    sync(
        &app,
        &token,
        json!({ "source": "workday", "people": everyone }),
    )
    .await
    .data();
    let part = |records: &[Value], last: bool| {
        json!({ "source": "workday", "mode": "FULL_SNAPSHOT",
                "snapshot": { "id": "nightly-1", "last": last }, "people": records })
    };
    let one = sync(&app, &token, part(&everyone[..5], false)).await;
    assert_eq!(one.data()["syncDirectory"]["totals"]["deactivated"], 0);
    assert_eq!(one.data()["syncDirectory"]["snapshotId"], "nightly-1");
    // Four of the other five arrive in the last part: one leaves.
    let two = sync(&app, &token, part(&everyone[5..9], true)).await;
    let data = two.data();
    assert_eq!(data["syncDirectory"]["totals"]["deactivated"], 1);
    assert_eq!(
        data["syncDirectory"]["people"][4]["externalId"], "E10",
        "{data}"
    );
}

#[tokio::test]
async fn a_dry_run_answers_the_same_results_and_writes_nothing() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = integrator(&app, "acme");
    let batch = json!([
        person_record("E1", "Chief One", None),
        person_record("E2", "Lead Two", Some("E1")),
        { "externalId": "E3", "name": "Bad Mail", "email": "not-an-address" },
    ]);
    app.settle().await;
    let before = counts(&app).await;
    let dry = sync(
        &app,
        &token,
        json!({ "source": "workday", "dryRun": true, "people": batch }),
    )
    .await;
    let dry_data = dry.data().clone();
    assert_eq!(dry_data["syncDirectory"]["dryRun"], true);
    assert_eq!(dry_data["syncDirectory"]["committed"], false);
    assert_eq!(
        dry_data["syncDirectory"]["people"][0]["entityId"],
        Value::Null
    );
    assert_eq!(counts(&app).await, before);

    let real = sync(
        &app,
        &token,
        json!({ "source": "workday", "people": batch }),
    )
    .await;
    let real_data = real.data();
    assert_eq!(
        outcomes(&dry_data),
        outcomes(real_data),
        "a dry run answers what the run does"
    );
    assert_eq!(
        dry_data["syncDirectory"]["totals"],
        real_data["syncDirectory"]["totals"]
    );
    assert_eq!(
        real_data["syncDirectory"]["people"][2]["errors"][0]["field"],
        "input.people[2].email"
    );
}

#[tokio::test]
async fn the_same_batch_twice_changes_nothing_and_writes_nothing() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = integrator(&app, "acme");
    let input = json!({ "source": "workday",
        "orgUnits": [{ "externalId": "U1", "name": "Sales", "headExternalId": "E1" }],
        "people": [
            { "externalId": "E1", "name": "Chief One", "email": "one@acme.example", "title": "CEO", "orgUnitExternalId": "U1", "startDate": "2020-01-06", "employeeNumber": "7" },
            { "externalId": "E2", "name": "Lead Two", "managerExternalId": "E1", "updatedAt": "2026-11-01T10:00:00.000Z" },
        ] });
    sync(&app, &token, input.clone()).await.data();
    app.settle().await;
    let before = counts(&app).await;
    let again = sync(&app, &token, input.clone()).await;
    let data = again.data();
    assert_eq!(
        data["syncDirectory"]["totals"],
        json!({ "created": 0, "updated": 0, "unchanged": 3, "deactivated": 0, "failed": 0 })
    );
    assert_eq!(counts(&app).await, before, "no audit noise, no events");
    let versions = app
        .gql(
            &token,
            "{ people(filter: {source: \"workday\"}) { edges { node { version } } } }",
            json!({}),
        )
        .await;
    for edge in versions.data()["people"]["edges"].as_array().unwrap() {
        assert_eq!(edge["node"]["version"], 1);
    }

    // A change shows as exactly the fields it changed.
    let mut renamed = input.clone();
    renamed["people"][0]["title"] = json!("Chief Executive");
    renamed["people"][0]["employeeNumber"] = json!("8");
    let changed = sync(&app, &token, renamed).await;
    let result = &changed.data()["syncDirectory"]["people"][0];
    assert_eq!(result["outcome"], "UPDATED");
    assert_eq!(result["changedFields"], json!(["title", "employeeNumber"]));
}

#[tokio::test]
async fn stale_records_never_win() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = integrator(&app, "acme");
    let record = |name: &str, at: &str| json!({ "source": "workday", "people": [{ "externalId": "E1", "name": name, "updatedAt": at }] });
    sync(&app, &token, record("New Name", "2026-11-02T00:00:00.000Z"))
        .await
        .data();
    let stale = sync(&app, &token, record("Old Name", "2026-11-01T00:00:00.000Z")).await;
    let result = &stale.data()["syncDirectory"]["people"][0];
    assert_eq!(result["outcome"], "UNCHANGED");
    assert_eq!(result["warnings"][0]["code"], "STALE");
    assert_eq!(result["warnings"][0]["field"], "input.people[0].updatedAt");
    assert_eq!(result["person"]["name"], "New Name");
    let newer = sync(&app, &token, record("Newest", "2026-11-03T00:00:00.000Z")).await;
    assert_eq!(
        newer.data()["syncDirectory"]["people"][0]["outcome"],
        "UPDATED"
    );
}

#[tokio::test]
async fn idempotency_keys_replay_the_first_result_and_refuse_another_request() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = integrator(&app, "acme");
    let input = json!({ "source": "workday", "idempotencyKey": "run-2026-12-03",
        "people": [person_record("E1", "Chief One", None)] });
    let first = sync(&app, &token, input.clone()).await;
    let first = first.data()["syncDirectory"].clone();
    assert_eq!(first["replayed"], false);
    app.settle().await;
    let before = counts(&app).await;
    let repeat = sync(&app, &token, input.clone()).await;
    let repeat = repeat.data()["syncDirectory"].clone();
    assert_eq!(repeat["replayed"], true);
    assert_eq!(
        repeat["people"][0]["outcome"], "CREATED",
        "the first answer, not a second run's UNCHANGED"
    );
    assert_eq!(
        repeat["people"][0]["entityId"],
        first["people"][0]["entityId"]
    );
    assert_eq!(counts(&app).await, before);

    let mut other = input.clone();
    other["people"][0]["name"] = json!("Someone Else");
    let mismatch = sync(&app, &token, other).await;
    assert_eq!(
        (mismatch.code(), mismatch.field()),
        ("VALIDATION", "input.idempotencyKey")
    );

    // The header works the same; the key is the caller's own.
    let header_input = json!({ "source": "workday", "people": [person_record("E2", "Two", None)] });
    let headers = [("idempotency-key", "header-key-1")];
    let once = app
        .gql_with(&token, SYNC, json!({ "input": header_input }), &headers)
        .await;
    assert_eq!(once.data()["syncDirectory"]["replayed"], false);
    let twice = app
        .gql_with(&token, SYNC, json!({ "input": header_input }), &headers)
        .await;
    assert_eq!(twice.data()["syncDirectory"]["replayed"], true);
    let admin = app.admin("acme");
    let someone_else = app
        .gql_with(&admin, SYNC, json!({ "input": header_input }), &headers)
        .await;
    assert_eq!(someone_else.data()["syncDirectory"]["replayed"], false);
}

#[tokio::test]
async fn partial_success_by_default_and_nothing_with_all_or_none() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = integrator(&app, "acme");
    let batch = json!([
        person_record("E1", "Chief One", None),
        { "externalId": "E2", "name": "  ", "email": "two@acme.example" },
        { "externalId": "E3", "name": "Three", "email": "e1@acme.example" },
        person_record("E1", "Chief Again", None),
    ]);
    app.settle().await;
    let before = counts(&app).await;
    let atomic = sync(
        &app,
        &token,
        json!({ "source": "workday", "allOrNone": true, "people": batch }),
    )
    .await;
    let data = atomic.data();
    assert_eq!(data["syncDirectory"]["committed"], false);
    assert_eq!(counts(&app).await, before);
    let partial = sync(
        &app,
        &token,
        json!({ "source": "workday", "people": batch }),
    )
    .await;
    let data = partial.data();
    assert_eq!(data["syncDirectory"]["committed"], true);
    let results = &data["syncDirectory"]["people"];
    assert_eq!(results[0]["outcome"], "CREATED");
    assert_eq!(results[1]["errors"][0]["field"], "input.people[1].name");
    assert_eq!(results[2]["errors"][0]["field"], "input.people[2].email");
    assert_eq!(
        results[3]["errors"][0]["field"],
        "input.people[3].externalId"
    );
    assert_eq!(counts(&app).await.0, before.0 + 1);
}

#[tokio::test]
async fn a_failure_in_the_middle_of_a_batch_leaves_nothing_half_written() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = integrator(&app, "acme");
    // The database refuses one row deep in the batch, after the units and
    // the first chunk of people were written.
    let trigger = if app.db.get_database_backend() == sea_orm::DbBackend::Postgres {
        vec![
            "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW.name = 'Boom' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER boom BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION boom()",
        ]
    } else {
        vec![
            "CREATE TRIGGER boom BEFORE INSERT ON people WHEN NEW.name = 'Boom' BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        ]
    };
    for sql in trigger {
        app.db.execute_unprepared(sql).await.unwrap();
    }
    let mut people: Vec<Value> = (0..700)
        .map(|n| json!({ "externalId": format!("E{n}"), "name": format!("Person {n}"), "orgUnitExternalId": "U1" }))
        .collect();
    people[650]["name"] = json!("Boom");
    app.settle().await;
    let before = counts(&app).await;
    let units_before = org_unit::Entity::find().count(&app.db).await.unwrap();
    let failed = sync(
        &app,
        &token,
        json!({ "source": "workday", "orgUnits": [{ "externalId": "U1", "name": "Unit" }], "people": people }),
    )
    .await;
    assert_eq!(failed.code(), "INTERNAL");
    assert!(!failed.message().contains("injected"), "no internals leak");
    assert_eq!(counts(&app).await, before);
    assert_eq!(
        org_unit::Entity::find().count(&app.db).await.unwrap(),
        units_before
    );
}

#[tokio::test]
async fn only_admins_and_integrators_sync_and_limits_hold() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let member = app.token("acme", "m@acme.example", Role::Member);
    let manager = app.token("acme", "boss@acme.example", Role::Manager);
    let input = json!({ "source": "workday", "people": [person_record("E1", "One", None)] });
    for token in [&member, &manager] {
        assert_eq!(sync(&app, token, input.clone()).await.code(), "FORBIDDEN");
    }
    let admin = app.admin("acme");
    assert_eq!(
        sync(&app, &admin, input.clone()).await.data()["syncDirectory"]["totals"]["created"],
        1
    );
    let bad_source = sync(&app, &admin, json!({ "source": "Work Day" })).await;
    assert_eq!(
        (bad_source.code(), bad_source.field()),
        ("VALIDATION", "input.source")
    );
    let snapshot_upsert = sync(
        &app,
        &admin,
        json!({ "source": "workday", "snapshot": { "id": "s", "last": true } }),
    )
    .await;
    assert_eq!(snapshot_upsert.field(), "input.snapshot");

    // The batch limit is the tenant's setting, counted in records.
    let version = app
        .gql(
            &admin,
            "{ viewer { tenant { version syncBatchLimit } } }",
            json!({}),
        )
        .await;
    assert_eq!(version.data()["viewer"]["tenant"]["syncBatchLimit"], 5000);
    let v = version.data()["viewer"]["tenant"]["version"].clone();
    app.gql(
        &admin,
        "mutation($v: Int!) { updateTenant(input: {version: $v, syncBatchLimit: 2}) { tenant { syncBatchLimit } } }",
        json!({ "v": v }),
    )
    .await
    .data();
    let too_many = sync(
        &app,
        &admin,
        json!({ "source": "workday", "orgUnits": [{ "externalId": "U", "name": "U" }],
                "people": [person_record("E1", "One", None), person_record("E2", "Two", None)] }),
    )
    .await;
    assert_eq!(too_many.code(), "LIMIT_EXCEEDED");
    let out_of_range = app
        .gql(
            &admin,
            "mutation($v: Int!) { updateTenant(input: {version: $v, syncBatchLimit: 10001}) { tenant { syncBatchLimit } } }",
            json!({ "v": v.as_i64().unwrap() + 1 }),
        )
        .await;
    assert_eq!(out_of_range.field(), "input.syncBatchLimit");
}

#[tokio::test]
async fn existing_people_are_adopted_by_email_and_e_mails_stay_unique() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let created = app
        .gql(
            &admin,
            "mutation { createPerson(input: {name: \"Ada Lovelace\", email: \"ada@acme.example\"}) { person { id } } }",
            json!({}),
        )
        .await;
    let ada = created.data()["createPerson"]["person"]["id"].clone();
    let token = integrator(&app, "acme");
    let adopted = sync(
        &app,
        &token,
        json!({ "source": "workday", "people": [
            { "externalId": "E1", "name": "Ada Lovelace", "email": "ADA@acme.example" },
            { "externalId": "E2", "name": "Impostor", "email": "e1@acme.example" },
        ] }),
    )
    .await;
    let data = adopted.data();
    let result = &data["syncDirectory"]["people"][0];
    assert_eq!(result["outcome"], "UNCHANGED");
    assert_eq!(result["entityId"], ada);
    assert_eq!(result["warnings"][0]["code"], "LINKED_BY_EMAIL");
    // A second key from the same source cannot take the same e-mail.
    let taken = sync(
        &app,
        &token,
        json!({ "source": "workday", "people": [{ "externalId": "E9", "name": "Ada Again", "email": "ada@acme.example" }] }),
    )
    .await;
    let result = &taken.data()["syncDirectory"]["people"][0];
    assert_eq!(result["outcome"], "FAILED");
    assert_eq!(result["errors"][0]["field"], "input.people[0].email");
}

#[tokio::test]
async fn two_tenants_sync_the_same_keys_and_never_meet() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    app.tenant("globex", &[]).await;
    let acme = integrator(&app, "acme");
    let globex = integrator(&app, "globex");
    let batch = json!({ "source": "workday", "people": [person_record("E1", "Acme One", None)] });
    sync(&app, &acme, batch.clone()).await.data();
    let mut theirs = batch.clone();
    theirs["people"][0]["name"] = json!("Globex One");
    let other = sync(&app, &globex, theirs).await;
    assert_eq!(
        other.data()["syncDirectory"]["people"][0]["outcome"],
        "CREATED",
        "the same key in another tenant is another person"
    );
    for (token, name) in [(&acme, "Acme One"), (&globex, "Globex One")] {
        let found = manager_of(&app, token, "E1").await;
        assert_eq!(found["totalCount"], 1);
        assert_eq!(found["edges"][0]["node"]["name"], name);
    }
    // A manager key that exists only in the other tenant resolves to
    // nothing here.
    sync(
        &app,
        &acme,
        json!({ "source": "workday", "people": [person_record("A-ONLY", "Acme Boss", None)] }),
    )
    .await
    .data();
    let dangling = sync(
        &app,
        &globex,
        json!({ "source": "workday", "people": [person_record("E2", "Two", Some("A-ONLY"))] }),
    )
    .await;
    assert_eq!(
        dangling.data()["syncDirectory"]["people"][0]["warnings"][0]["code"],
        "MANAGER_UNRESOLVED"
    );
    // A snapshot in one tenant leaves the other alone.
    sync(
        &app,
        &globex,
        json!({ "source": "workday", "mode": "FULL_SNAPSHOT", "force": true, "people": [] }),
    )
    .await
    .data();
    let still = manager_of(&app, &acme, "E1").await;
    assert_eq!(still["edges"][0]["node"]["status"], "ACTIVE");
}

#[tokio::test]
async fn a_sync_is_batched_statements_not_one_per_record() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = integrator(&app, "acme");
    // Managers after their reports, as HRIS exports often are.
    let mut people: Vec<Value> = (0..300)
        .map(|n| {
            let manager = (n > 0).then(|| format!("E{}", (n - 1) / 5));
            json!({ "externalId": format!("E{n}"), "name": format!("Person {n}"),
                    "email": format!("p{n}@acme.example"), "managerExternalId": manager,
                    "orgUnitExternalId": format!("U{}", n % 3) })
        })
        .collect();
    people.reverse();
    let units: Vec<Value> = (0..3)
        .map(|n| json!({ "externalId": format!("U{n}"), "name": format!("Unit {n}") }))
        .collect();
    let input = json!({ "source": "workday", "orgUnits": units, "people": people });
    let (first, statements) = app
        .count_statements(app.gql(&token, "mutation($input: SyncDirectoryInput!) { syncDirectory(input: $input) { totals { created failed } } }", json!({ "input": input })))
        .await;
    assert_eq!(
        first.data()["syncDirectory"]["totals"],
        json!({ "created": 303, "failed": 0 })
    );
    assert!(statements <= 30, "first load ran {statements} statements");
    let (again, statements) = app
        .count_statements(app.gql(&token, "mutation($input: SyncDirectoryInput!) { syncDirectory(input: $input) { totals { unchanged } } }", json!({ "input": input })))
        .await;
    assert_eq!(again.data()["syncDirectory"]["totals"]["unchanged"], 303);
    assert!(
        statements <= 15,
        "an unchanged re-run ran {statements} statements"
    );
    let chain = manager_of(&app, &token, "E299").await;
    assert_eq!(chain["edges"][0]["node"]["manager"]["name"], "Person 59");
}

#[tokio::test]
async fn single_updates_that_change_nothing_write_nothing_and_deactivation_warns() {
    let app = start().await;
    app.tenant("acme", &[]).await;
    let admin = app.admin("acme");
    let create = |name: &str, manager: Option<String>| {
        let admin = admin.clone();
        let name = name.to_string();
        let app = &app;
        async move {
            let r = app
                .gql(
                    &admin,
                    "mutation($n: String!, $m: ID) { createPerson(input: {name: $n, managerId: $m}) { person { id } } }",
                    json!({ "n": name, "m": manager }),
                )
                .await;
            r.data()["createPerson"]["person"]["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let boss = create("Boss", None).await;
    let _ann = create("Ann Report", Some(boss.clone())).await;
    let _bob = create("Bob Report", Some(boss.clone())).await;
    app.settle().await;
    let before = counts(&app).await;
    let same = app
        .gql(
            &admin,
            "mutation($id: ID!) { updatePerson(input: {id: $id, version: 1, name: \"Boss\", managerId: null}) { person { version } warnings { code } } }",
            json!({ "id": boss }),
        )
        .await;
    assert_eq!(same.data()["updatePerson"]["person"]["version"], 1);
    assert_eq!(counts(&app).await, before);

    let gone = app
        .gql(
            &admin,
            "mutation($id: ID!) { updatePerson(input: {id: $id, version: 1, status: INACTIVE}) { person { status } warnings { code field message } } }",
            json!({ "id": boss }),
        )
        .await;
    let warning = &gone.data()["updatePerson"]["warnings"][0];
    assert_eq!(warning["code"], "REPORTS_WITHOUT_ACTIVE_MANAGER");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("Ann Report, Bob Report"),
        "{warning}"
    );
    // A new hire cannot report to someone who has left.
    let refused = app
        .gql(
            &admin,
            "mutation($m: ID!) { createPerson(input: {name: \"New Hire\", managerId: $m}) { person { id } } }",
            json!({ "m": boss }),
        )
        .await;
    assert_eq!(
        (refused.code(), refused.field()),
        ("VALIDATION", "input.managerId")
    );

    // The sync marks the reports of a manager it deactivates.
    let token = integrator(&app, "acme");
    sync(
        &app,
        &token,
        json!({ "source": "workday", "people": [
            person_record("M", "Manager", None),
            person_record("R", "Report", Some("M")),
        ] }),
    )
    .await
    .data();
    let leaving = sync(
        &app,
        &token,
        json!({ "source": "workday", "people": [
            { "externalId": "M", "name": "Manager", "status": "INACTIVE" },
            person_record("R", "Report", Some("M")),
        ] }),
    )
    .await;
    let data = leaving.data();
    let results = &data["syncDirectory"]["people"];
    assert_eq!(results[0]["outcome"], "DEACTIVATED");
    assert_eq!(
        results[0]["warnings"][0]["code"],
        "REPORTS_WITHOUT_ACTIVE_MANAGER"
    );
    assert_eq!(results[1]["outcome"], "UNCHANGED");
    assert_eq!(results[1]["warnings"][0]["code"], "MANAGER_INACTIVE");
}

#[tokio::test]
async fn erasure_removes_personal_data_everywhere_and_keeps_the_record() {
    use sea_orm::{ColumnTrait, QueryFilter};
    let app = start().await;
    app.tenant("acme", &[]).await;
    let token = integrator(&app, "acme");
    let created = sync(
        &app,
        &token,
        json!({ "source": "workday", "people": [
            { "externalId": "E1", "name": "Grace Hopper", "email": "grace@acme.example", "title": "Admiral", "startDate": "2020-01-01" },
            { "externalId": "E2", "name": "Report", "managerExternalId": "E1" },
        ] }),
    )
    .await;
    let id = created.data()["syncDirectory"]["people"][0]["entityId"]
        .as_str()
        .unwrap()
        .to_string();
    let rename = sync(
        &app,
        &token,
        json!({ "source": "workday", "people": [{ "externalId": "E1", "name": "Grace B. Hopper" }] }),
    )
    .await;
    rename.data();
    // A stored idempotent answer that names her.
    let naming_input = json!({ "source": "workday", "idempotencyKey": "rename-1", "dryRun": true,
        "people": [{ "externalId": "E2", "name": "Report", "email": "grace@acme.example" }] });
    let naming = sync(&app, &token, naming_input.clone()).await;
    assert!(
        naming.data()["syncDirectory"]["people"][0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Grace B. Hopper"),
        "the answer names who has the e-mail"
    );
    let erase = "mutation($id: ID!, $c: Boolean!) { erasePerson(input: {id: $id, confirm: $c}) { person { name email title status startDate manager { name } externalIds { externalId } } } }";
    // Integrators sync; only admins erase, and only when they confirm.
    assert_eq!(
        app.gql(&token, erase, json!({ "id": id, "c": true }))
            .await
            .code(),
        "FORBIDDEN"
    );
    let admin = app.admin("acme");
    let unconfirmed = app
        .gql(&admin, erase, json!({ "id": id, "c": false }))
        .await;
    assert_eq!(unconfirmed.field(), "input.confirm");
    let erased = app.gql(&admin, erase, json!({ "id": id, "c": true })).await;
    assert_eq!(
        erased.data()["erasePerson"]["person"],
        json!({ "name": "Erased person", "email": null, "title": null, "status": "INACTIVE",
                "startDate": null, "manager": null, "externalIds": [] })
    );
    // Nothing of what was recorded about them is left in the audit log or
    // the events; the report still has their (anonymous) manager.
    let uuid = throughline_domain::graphql::ids::parse_id(&id).unwrap().1;
    app.settle().await;
    for entry in audit_entry::Entity::find()
        .filter(audit_entry::Column::EntityId.eq(uuid))
        .all(&app.db)
        .await
        .unwrap()
    {
        let text = format!("{:?} {:?}", entry.before, entry.after);
        assert!(
            !text.contains("Grace") && !text.contains("grace@"),
            "{text}"
        );
    }
    for event in outbox_event::Entity::find()
        .filter(outbox_event::Column::EntityId.eq(uuid))
        .all(&app.db)
        .await
        .unwrap()
    {
        assert!(
            !event.payload.to_string().contains("Grace"),
            "{}",
            event.payload
        );
    }
    let report = manager_of(&app, &token, "E2").await;
    assert_eq!(
        report["edges"][0]["node"]["manager"]["name"],
        "Erased person"
    );
    // The change feed says what happened, not what was there. On PostgreSQL
    // a change shows once every older write transaction of the server has
    // ended (the other tests' migrations included): wait for it, briefly.
    let started = std::time::Instant::now();
    let mine: Vec<Value> = loop {
        let feed = app
            .gql(
                &token,
                "{ changes(types: [PERSON]) { edges { node { entityId operation changedFields } } } }",
                json!({}),
            )
            .await;
        let mine: Vec<Value> = feed.data()["changes"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .filter(|n| n["entityId"] == json!(id))
            .collect();
        let erased = mine.last().is_some_and(|n| n["operation"] == "ERASED");
        if erased || started.elapsed().as_secs() >= 20 {
            break mine;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(mine.last().unwrap()["operation"], "ERASED");
    assert_eq!(mine[1]["changedFields"], json!([]));
    // No stored answer replays what was said about her.
    let replay = sync(&app, &token, naming_input).await;
    assert_eq!(replay.data()["syncDirectory"]["replayed"], false);
    // The key and the e-mail are free again.
    let back = sync(
        &app,
        &token,
        json!({ "source": "workday", "people": [{ "externalId": "E1", "name": "Grace", "email": "grace@acme.example" }] }),
    )
    .await;
    assert_eq!(
        back.data()["syncDirectory"]["people"][0]["outcome"],
        "CREATED"
    );
}
