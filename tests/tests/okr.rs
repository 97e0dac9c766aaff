//! The OKR framework over HTTP: cycles, objectives, key results, check-ins,
//! alignment, scoring with explanations, permissions, privacy, closed cycles.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{Value, json};
use throughline_domain::enums::Role;
use throughline_tests::okr::{
    CHECK_IN, CREATE_KR, CREATE_OBJECTIVE, key_result, key_result_since, objective, org, token,
};
use throughline_tests::{id_at, start};

#[tokio::test]
async fn cycles_generate_from_the_fiscal_calendar() {
    let app = start().await;
    app.tenant("acme", &["okr"]).await;
    let admin = app.admin("acme");
    let generated = app
        .gql(&admin, "mutation { okr { generateCycles(input: {fiscalYear: 2027}) { cycles { name startsOn endsOn parent { name } } } } }", json!({}))
        .await;
    let cycles = &generated.data()["okr"]["generateCycles"]["cycles"];
    assert_eq!(cycles.as_array().unwrap().len(), 5);
    assert_eq!(
        cycles[0],
        json!({ "name": "FY2027", "startsOn": "2027-01-01", "endsOn": "2027-12-31", "parent": null })
    );
    assert_eq!(
        cycles[2],
        json!({ "name": "FY2027 Q2", "startsOn": "2027-04-01", "endsOn": "2027-06-30", "parent": { "name": "FY2027" } })
    );
    let again = app
        .gql(
            &admin,
            "mutation { okr { generateCycles(input: {fiscalYear: 2027}) { cycles { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        again.data()["okr"]["generateCycles"]["cycles"],
        json!([]),
        "existing cycles are left alone"
    );

    app.gql(&admin, r#"mutation { updateFrameworkSettings(input: {key: "okr", settings: {cycleLength: "HALF_YEAR"}}) { framework { key } } }"#, json!({}))
        .await
        .data();
    let halves = app
        .gql(
            &admin,
            "mutation { okr { generateCycles(input: {fiscalYear: 2028}) { cycles { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        halves.data()["okr"]["generateCycles"]["cycles"],
        json!([{ "name": "FY2028" }, { "name": "FY2028 H1" }, { "name": "FY2028 H2" }])
    );

    let backwards = app
        .gql(&admin, r#"mutation { okr { createCycle(input: {name: "x", startsOn: "2026-05-01", endsOn: "2026-04-01"}) { cycle { id } } } }"#, json!({}))
        .await;
    assert_eq!(
        (backwards.code(), backwards.field()),
        ("VALIDATION", "input.endsOn")
    );
    let member = token(&app, "m@acme.example", Role::Member);
    let refused = app
        .gql(
            &member,
            "mutation { okr { generateCycles(input: {fiscalYear: 2029}) { cycles { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
}

#[tokio::test]
async fn progress_and_health_explain_themselves() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let company = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Win the market", "level": "COMPANY", "ownerId": org.ceo, "status": "ACTIVE" })).await;
    let kr_behind =
        key_result_since(&app, admin, &company, Some(org.starts_on), "0", "100", "1").await;
    let kr_ahead =
        key_result_since(&app, admin, &company, Some(org.starts_on), "0", "10", "3").await;
    let mia = token(&app, "mia@acme.example", Role::Manager);
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": kr_ahead, "value": "9", "confidence": 8 } }),
    )
    .await
    .data();
    let checked = app
        .gql(admin, CHECK_IN, json!({ "input": { "keyResultId": kr_behind, "value": "10", "confidence": 3, "status": "AT_RISK", "note": "Slow start" } }))
        .await;
    assert_eq!(
        checked.data()["okr"]["recordCheckIn"]["checkIn"],
        json!({
            "value": "10", "valueBefore": "0", "delta": "10", "progressBefore": "0", "progressAfter": "0.1",
            "status": "AT_RISK", "statedStatus": "AT_RISK", "derivedStatus": "OFF_TRACK",
            "confidence": 3, "confidenceLabel": "Low", "late": false, "author": null
        })
    );
    let view = app
        .gql(&mia, r#"query($id: ID!) { okr { objective(id: $id) {
            progress { value explanation { formula text } }
            expectedProgress { value }
            health healthExplanation { text }
            keyResults { progress { progress } health { health derived stated explanation { text } } stale lastCheckIn { note } checkIns { totalCount } }
        } } }"#, json!({ "id": company }))
        .await;
    let o = &view.data()["okr"]["objective"];
    // (1 × 0.1 + 3 × 0.9) / 4 = 0.7
    assert_eq!(o["progress"]["value"], "0.7");
    assert_eq!(
        o["progress"]["explanation"]["formula"],
        "Σ(weight × max(progress, 0)) / Σ weight"
    );
    assert_eq!(
        o["progress"]["explanation"]["text"],
        "(1 × 0.1 + 3 × 0.9) / 4 = 0.7."
    );
    assert_eq!(
        o["keyResults"][0]["health"]["health"], "AT_RISK",
        "the owner's recent stated status wins"
    );
    assert_eq!(
        o["keyResults"][0]["health"]["derived"], "OFF_TRACK",
        "and the derived one is returned too"
    );
    assert_eq!(o["keyResults"][1]["health"]["health"], "ON_TRACK");
    assert_eq!(o["health"], "AT_RISK", "weakest contribution by default");
    assert_eq!(o["keyResults"][0]["stale"], false);
    assert_eq!(o["keyResults"][0]["lastCheckIn"]["note"], "Slow start");
    let expected = o["expectedProgress"]["value"]
        .as_str()
        .unwrap()
        .parse::<f64>()
        .unwrap();
    assert!((0.45..0.55).contains(&expected), "{expected}");

    app.gql(admin, r#"mutation { updateFrameworkSettings(input: {key: "okr", settings: {healthRollup: "WEIGHTED"}}) { framework { key } } }"#, json!({}))
        .await
        .data();
    let weighted = app
        .gql(
            &mia,
            "query($id: ID!) { okr { objective(id: $id) { health } } }",
            json!({ "id": company }),
        )
        .await;
    // (1 × 0.5 + 3 × 1) / 4 = 0.875 ⇒ on track
    assert_eq!(weighted.data()["okr"]["objective"]["health"], "ON_TRACK");

    // Half way through the cycle an unfinished milestone is not "50 points
    // behind": it is done or not, and on track until the cycle's last stretch.
    let launch = app
        .gql(admin, CREATE_KR, json!({ "input": { "objectiveId": company, "title": "Launch", "target": { "kind": "MILESTONE" } } }))
        .await;
    let launch = id_at(launch.data(), "okr.createKeyResult.keyResult.id");
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": launch, "value": "0" } }),
    )
    .await
    .data();
    let milestone = app
        .gql(
            admin,
            "query($id: ID!) { okr { keyResult(id: $id) { progress { progress } health { health explanation { text } } } } }",
            json!({ "id": launch }),
        )
        .await;
    let kr = &milestone.data()["okr"]["keyResult"];
    assert_eq!(kr["progress"]["progress"], "0");
    assert_eq!(kr["health"]["health"], "ON_TRACK");
    assert!(
        kr["health"]["explanation"]["text"]
            .as_str()
            .unwrap()
            .starts_with("A milestone is done or not"),
        "{kr}"
    );
}

#[tokio::test]
async fn alignment_drives_progress_and_refuses_loops() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let priority = app.gql(admin, r#"mutation { createStrategicPriority(input: {title: "Grow"}) { strategicPriority { id } } }"#, json!({})).await;
    let priority = id_at(
        priority.data(),
        "createStrategicPriority.strategicPriority.id",
    );
    let company = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Company", "level": "COMPANY", "ownerId": org.ceo, "progressDriver": "ALIGNED_OBJECTIVES" })).await;
    let team = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Team", "level": "TEAM", "ownerId": org.manager, "orgUnitId": org.unit })).await;
    let individual = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Mine", "level": "INDIVIDUAL", "ownerId": org.report, "progressDriver": "BOTH" })).await;
    let align = "mutation($input: OkrAlignInput!) { okr { align(input: $input) { objective { alignedTo { parentObjective { title } priority { title } } } } } }";
    app.gql(
        admin,
        align,
        json!({ "input": { "objectiveId": company, "priorityId": priority } }),
    )
    .await
    .data();
    app.gql(
        admin,
        align,
        json!({ "input": { "objectiveId": team, "parentObjectiveId": company } }),
    )
    .await
    .data();
    app.gql(
        admin,
        align,
        json!({ "input": { "objectiveId": individual, "parentObjectiveId": team } }),
    )
    .await
    .data();
    let again = app.gql(admin, align, json!({ "input": { "objectiveId": individual, "parentObjectiveId": team, "priorityId": priority } })).await;
    assert_eq!((again.code(), again.field()), ("VALIDATION", "input"));
    let looped = app
        .gql(
            admin,
            align,
            json!({ "input": { "objectiveId": company, "parentObjectiveId": individual } }),
        )
        .await;
    assert_eq!(
        (looped.code(), looped.field()),
        ("VALIDATION", "input.parentObjectiveId")
    );

    let team_kr = key_result(&app, admin, &team, "0", "10", "1").await;
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": team_kr, "value": "5" } }),
    )
    .await
    .data();
    let mine_kr = key_result(&app, admin, &individual, "0", "4", "1").await;
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": mine_kr, "value": "4" } }),
    )
    .await
    .data();
    let view = app
        .gql(admin, "query($id: ID!) { okr { objective(id: $id) { progress { value } alignedObjectives { title progress { value } alignedObjectives { title progress { value } } } } } }", json!({ "id": company }))
        .await;
    // individual: BOTH = mean(1.0) = 1; team: KEY_RESULTS = 0.5; company: ALIGNED = team's 0.5
    assert_eq!(
        view.data()["okr"]["objective"],
        json!({ "progress": { "value": "0.5" }, "alignedObjectives": [{ "title": "Team", "progress": { "value": "0.5" }, "alignedObjectives": [{ "title": "Mine", "progress": { "value": "1" } }] }] })
    );
    let by_priority = app
        .gql(admin, "query($p: ID!) { okr { objectives(filter: {priorityId: $p}) { edges { node { title } } } } }", json!({ "p": priority }))
        .await;
    assert_eq!(
        by_priority.data()["okr"]["objectives"]["edges"],
        json!([{ "node": { "title": "Company" } }])
    );
    let unaligned = app.gql(admin, "mutation($input: OkrAlignInput!) { okr { unalign(input: $input) { objective { alignedTo { parentObjective { title } } } } } }", json!({ "input": { "objectiveId": individual, "parentObjectiveId": team } })).await;
    assert_eq!(
        unaligned.data()["okr"]["unalign"]["objective"]["alignedTo"],
        json!([])
    );
}

#[tokio::test]
async fn soft_warnings_come_back_in_the_payload() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    app.gql(admin, r#"mutation { updateFrameworkSettings(input: {key: "okr", settings: {companyObjectiveLimit: 1, keyResultSoftLimit: 1}}) { framework { key } } }"#, json!({}))
        .await
        .data();
    let first = app.gql(admin, CREATE_OBJECTIVE, json!({ "input": { "cycleId": org.cycle, "title": "One", "level": "COMPANY", "ownerId": org.ceo } })).await;
    assert_eq!(
        first.data()["okr"]["createObjective"]["warnings"],
        json!([{ "code": "NO_KEY_RESULTS" }])
    );
    let second = app.gql(admin, CREATE_OBJECTIVE, json!({ "input": { "cycleId": org.cycle, "title": "Two", "level": "COMPANY", "ownerId": org.ceo } })).await;
    assert_eq!(
        second.data()["okr"]["createObjective"]["warnings"],
        json!([{ "code": "TOO_MANY_COMPANY_OBJECTIVES" }, { "code": "NO_KEY_RESULTS" }])
    );
    let individual = app.gql(admin, CREATE_OBJECTIVE, json!({ "input": { "cycleId": org.cycle, "title": "Solo", "level": "INDIVIDUAL", "ownerId": org.report } })).await;
    let solo = id_at(individual.data(), "okr.createObjective.objective.id");
    assert_eq!(
        individual.data()["okr"]["createObjective"]["warnings"],
        json!([{ "code": "NO_KEY_RESULTS" }, { "code": "NOT_ALIGNED" }])
    );
    key_result(&app, admin, &solo, "0", "1", "1").await;
    let two = app
        .gql(admin, CREATE_KR, json!({ "input": { "objectiveId": solo, "title": "More", "target": { "kind": "MILESTONE" } } }))
        .await;
    assert_eq!(
        two.data()["okr"]["createKeyResult"]["warnings"],
        json!([{ "code": "TOO_MANY_KEY_RESULTS" }, { "code": "NOT_ALIGNED" }])
    );
    let hard = app
        .gql(admin, CREATE_KR, json!({ "input": { "objectiveId": solo, "title": "Bad", "target": { "kind": "INCREASE_TO", "start": "10", "target": "1" } } }))
        .await;
    assert_eq!(
        (hard.code(), hard.field()),
        ("VALIDATION", "input.target.target")
    );
}

#[tokio::test]
async fn permissions_follow_roles_and_reporting_lines() {
    let app = start().await;
    let org = org(&app).await;
    let rob = token(&app, "rob@acme.example", Role::Member);
    let mia = token(&app, "mia@acme.example", Role::Manager);
    let pat = token(&app, "pat@acme.example", Role::Member);

    let own = app.gql(&rob, CREATE_OBJECTIVE, json!({ "input": { "cycleId": org.cycle, "title": "Learn Rust", "level": "INDIVIDUAL", "ownerId": org.report } })).await;
    let robs = id_at(own.data(), "okr.createObjective.objective.id");
    let for_someone = app.gql(&rob, CREATE_OBJECTIVE, json!({ "input": { "cycleId": org.cycle, "title": "Yours", "level": "INDIVIDUAL", "ownerId": org.peer } })).await;
    assert_eq!(for_someone.code(), "FORBIDDEN");
    let company = app.gql(&mia, CREATE_OBJECTIVE, json!({ "input": { "cycleId": org.cycle, "title": "Big", "level": "COMPANY", "ownerId": org.manager } })).await;
    assert_eq!(company.code(), "FORBIDDEN");
    let team = app.gql(&mia, CREATE_OBJECTIVE, json!({ "input": { "cycleId": org.cycle, "title": "Team", "level": "TEAM", "ownerId": org.manager, "orgUnitId": org.unit } })).await;
    team.data();
    let for_report = app.gql(&mia, CREATE_OBJECTIVE, json!({ "input": { "cycleId": org.cycle, "title": "Coach", "level": "INDIVIDUAL", "ownerId": org.report } })).await;
    for_report.data();

    let rename = "mutation($id: ID!, $v: Int!) { okr { updateObjective(input: {id: $id, version: $v, title: \"Renamed\"}) { objective { title version } } } }";
    assert_eq!(
        app.gql(&pat, rename, json!({ "id": robs, "v": 1 }))
            .await
            .code(),
        "FORBIDDEN",
        "a peer"
    );
    let by_manager = app.gql(&mia, rename, json!({ "id": robs, "v": 1 })).await;
    assert_eq!(
        by_manager.data()["okr"]["updateObjective"]["objective"],
        json!({ "title": "Renamed", "version": 2 })
    );
    assert_eq!(
        app.gql(&rob, rename, json!({ "id": robs, "v": 1 }))
            .await
            .code(),
        "CONFLICT"
    );

    let kr = key_result(&app, &rob, &robs, "0", "10", "1").await;
    let check = json!({ "input": { "keyResultId": kr, "value": "3" } });
    app.gql(&rob, CHECK_IN, check.clone()).await.data();
    assert_eq!(
        app.gql(&pat, CHECK_IN, check.clone()).await.code(),
        "FORBIDDEN"
    );
    app.gql(&mia, CHECK_IN, check).await.data();

    let delete = "mutation($id: ID!) { okr { deleteObjective(input: {id: $id}) { deletedId } } }";
    app.gql(&rob, "mutation($id: ID!) { okr { updateObjective(input: {id: $id, version: 2, status: ACTIVE}) { objective { status } } } }", json!({ "id": robs }))
        .await
        .data();
    let refused = app.gql(&rob, delete, json!({ "id": robs })).await;
    assert_eq!(
        (refused.code(), refused.field()),
        ("VALIDATION", "input.id"),
        "only drafts are deleted"
    );
}

#[tokio::test]
async fn private_objectives_are_invisible_to_everyone_else() {
    let app = start().await;
    let org = org(&app).await;
    let rob = token(&app, "rob@acme.example", Role::Member);
    let mia = token(&app, "mia@acme.example", Role::Manager);
    let pat = token(&app, "pat@acme.example", Role::Member);
    let secret = app
        .gql(&rob, CREATE_OBJECTIVE, json!({ "input": { "cycleId": org.cycle, "title": "Find a new job", "level": "INDIVIDUAL", "ownerId": org.report, "private": true } }))
        .await;
    let id = id_at(secret.data(), "okr.createObjective.objective.id");
    let kr = key_result(&app, &rob, &id, "0", "3", "1").await;
    let list = "query($c: ID!) { okr { objectives(filter: {cycleId: $c}) { totalCount edges { node { title } } } } }";
    for (who, token, sees) in [
        ("owner", &rob, true),
        ("manager", &mia, true),
        ("admin", &org.admin, true),
        ("peer", &pat, false),
    ] {
        let listed = app.gql(token, list, json!({ "c": org.cycle })).await;
        let count = listed.data()["okr"]["objectives"]["totalCount"]
            .as_u64()
            .unwrap();
        assert_eq!(count, u64::from(sees), "{who}: count");
        let direct = app
            .gql(
                token,
                "query($id: ID!) { okr { objective(id: $id) { title } } node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            direct.data()["okr"]["objective"].is_null(),
            !sees,
            "{who}: objective(id)"
        );
        assert_eq!(direct.data()["node"].is_null(), !sees, "{who}: node(id)");
        let key_result = app
            .gql(
                token,
                "query($id: ID!) { okr { keyResult(id: $id) { title } } }",
                json!({ "id": kr }),
            )
            .await;
        assert_eq!(
            key_result.data()["okr"]["keyResult"].is_null(),
            !sees,
            "{who}: keyResult(id)"
        );
    }
    let by_owner = app
        .gql(
            &pat,
            "query($o: ID!) { okr { objectives(filter: {ownerId: $o}) { totalCount } } }",
            json!({ "o": org.report }),
        )
        .await;
    assert_eq!(by_owner.data()["okr"]["objectives"]["totalCount"], 0);
    let touch = app
        .gql(
            &pat,
            CHECK_IN,
            json!({ "input": { "keyResultId": kr, "value": "1" } }),
        )
        .await;
    assert_eq!(
        touch.code(),
        "NOT_FOUND",
        "a private objective behaves like a missing one"
    );
    let mine = app
        .gql(
            &rob,
            "{ okr { myObjectives { totalCount nodes { title private } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        mine.data()["okr"]["myObjectives"],
        json!({ "totalCount": 1, "nodes": [{ "title": "Find a new job", "private": true }] })
    );
}

#[tokio::test]
async fn a_closed_cycle_is_graded_locked_and_reopened_by_admins() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let rob = token(&app, "rob@acme.example", Role::Member);
    let robs = objective(&app, &rob, json!({ "cycleId": org.cycle, "title": "Ship", "level": "INDIVIDUAL", "ownerId": org.report, "status": "ACTIVE" })).await;
    let kr = key_result(&app, &rob, &robs, "0", "10", "1").await;
    app.gql(
        &rob,
        CHECK_IN,
        json!({ "input": { "keyResultId": kr, "value": "7" } }),
    )
    .await
    .data();
    let reflected = app
        .gql(&rob, r#"mutation($id: ID!) { okr { updateObjective(input: {id: $id, version: 1, status: CLOSED, closingNote: "Shipped late: scope grew"}) { objective { status closingNote version } } } }"#, json!({ "id": robs }))
        .await;
    assert_eq!(
        reflected.data()["okr"]["updateObjective"]["objective"],
        json!({ "status": "CLOSED", "closingNote": "Shipped late: scope grew", "version": 2 })
    );
    let other = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Still open", "level": "INDIVIDUAL", "ownerId": org.report, "status": "ACTIVE" })).await;
    let other_kr = key_result(&app, admin, &other, "0", "10", "1").await;
    let weeks_ago = chrono::Utc::now().date_naive() - chrono::Duration::days(20);
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": other_kr, "value": "1", "asOf": weeks_ago } }),
    )
    .await
    .data();
    let stale = "query($c: ID!, $m: ID!) { okr { staleKeyResults(cycleId: $c, managerId: $m) { totalCount } } }";
    let stale_count = || async {
        app.gql(admin, stale, json!({ "c": org.cycle, "m": org.ceo }))
            .await
            .data()["okr"]["staleKeyResults"]["totalCount"]
            .clone()
    };
    assert_eq!(stale_count().await, 1);
    let early = app
        .gql(admin, "mutation($id: ID!) { okr { closeCycle(input: {id: $id, version: 1}) { cycle { status } } } }", json!({ "id": org.cycle }))
        .await;
    assert_eq!(
        (early.code(), early.field()),
        ("VALIDATION", "input.confirmEarlyClose"),
        "the cycle still runs for weeks"
    );
    let close = app
        .gql(admin, r#"mutation($id: ID!) { okr { closeCycle(input: {id: $id, version: 1, closingNote: "Good quarter", confirmEarlyClose: true}) { cycle { status closingNote version } } } }"#, json!({ "id": org.cycle }))
        .await;
    assert_eq!(
        close.data()["okr"]["closeCycle"]["cycle"],
        json!({ "status": "CLOSED", "closingNote": "Good quarter", "version": 2 })
    );
    let graded = app
        .gql(
            &rob,
            "query($id: ID!) { okr { objective(id: $id) { grade closingNote keyResults { grade } } } }",
            json!({ "id": robs }),
        )
        .await;
    assert_eq!(
        graded.data()["okr"]["objective"],
        json!({ "grade": "0.7", "closingNote": "Shipped late: scope grew", "keyResults": [{ "grade": "0.7" }] })
    );
    let closed_too = app
        .gql(
            admin,
            "query($id: ID!) { okr { objective(id: $id) { status version } } }",
            json!({ "id": other }),
        )
        .await;
    assert_eq!(
        closed_too.data()["okr"]["objective"],
        json!({ "status": "CLOSED", "version": 2 }),
        "closing the cycle closes its objectives"
    );
    assert_eq!(
        stale_count().await,
        0,
        "a closed cycle expects no check-ins"
    );

    let edit = app.gql(&rob, "mutation($id: ID!) { okr { updateObjective(input: {id: $id, version: 2, title: \"x\"}) { objective { id } } } }", json!({ "id": robs })).await;
    assert_eq!(edit.code(), "VALIDATION");
    assert!(edit.message().contains("closed"), "{}", edit.message());
    let late_member = app
        .gql(
            &rob,
            CHECK_IN,
            json!({ "input": { "keyResultId": kr, "value": "8" } }),
        )
        .await;
    assert_eq!(
        (late_member.code(), late_member.field()),
        ("VALIDATION", "input.keyResultId")
    );
    let late_admin = app
        .gql(
            admin,
            CHECK_IN,
            json!({ "input": { "keyResultId": kr, "value": "8" } }),
        )
        .await;
    assert_eq!(
        late_admin.data()["okr"]["recordCheckIn"]["checkIn"]["late"],
        true
    );
    // The grade is a fact: the late check-in moved the figures, not the grade.
    let grading = "query($id: ID!) { okr { objective(id: $id) { version grade grading { grade gradedAt outdated selfScore { score note confirmed confirmedBy { name } proposedBy { name } } } } } }";
    let read = |token: &str| {
        let (app, token, robs) = (&app, token.to_string(), robs.clone());
        async move {
            app.gql(&token, grading, json!({ "id": robs })).await.data()["okr"]["objective"].clone()
        }
    };
    let graded = read(&rob).await;
    assert_eq!(graded["grading"]["grade"], "0.7");
    assert!(graded["grading"]["gradedAt"].is_string());
    assert_eq!(graded["grading"]["outdated"], true, "{graded}");
    let version = graded["version"].as_i64().unwrap();
    let regrade = "mutation($id: ID!, $v: Int!) { okr { regradeObjective(input: {id: $id, version: $v}) { objective { version grading { grade outdated } } } } }";
    assert_eq!(
        app.gql(&rob, regrade, json!({ "id": robs, "v": version }))
            .await
            .code(),
        "FORBIDDEN"
    );
    let regraded = app
        .gql(admin, regrade, json!({ "id": robs, "v": version }))
        .await;
    assert_eq!(
        regraded.data()["okr"]["regradeObjective"]["objective"]["grading"],
        json!({ "grade": "0.8", "outdated": false })
    );
    let version = version + 1;
    // Google-style: the owner scores themselves, their manager confirms.
    let propose = "mutation($id: ID!, $v: Int!, $s: Decimal!) { okr { proposeSelfScore(input: {id: $id, version: $v, score: $s, note: \"Shipped, late\"}) { objective { version } } } }";
    let too_high = app
        .gql(
            &rob,
            propose,
            json!({ "id": robs, "v": version, "s": "1.5" }),
        )
        .await;
    assert_eq!(
        (too_high.code(), too_high.field()),
        ("VALIDATION", "input.score")
    );
    let pat = token(&app, "pat@acme.example", Role::Member);
    assert_eq!(
        app.gql(
            &pat,
            propose,
            json!({ "id": robs, "v": version, "s": "0.9" })
        )
        .await
        .code(),
        "FORBIDDEN",
        "only owners score themselves"
    );
    app.gql(
        &rob,
        propose,
        json!({ "id": robs, "v": version, "s": "0.9" }),
    )
    .await
    .data();
    let confirm = "mutation($id: ID!, $v: Int!) { okr { confirmSelfScore(input: {id: $id, version: $v}) { objective { version } } } }";
    assert_eq!(
        app.gql(&pat, confirm, json!({ "id": robs, "v": version + 1 }))
            .await
            .code(),
        "FORBIDDEN"
    );
    let mia = token(&app, "mia@acme.example", Role::Manager);
    app.gql(&mia, confirm, json!({ "id": robs, "v": version + 1 }))
        .await
        .data();
    assert_eq!(
        read(&rob).await["grading"],
        json!({
            "grade": "0.8", "gradedAt": read(&rob).await["grading"]["gradedAt"], "outdated": false,
            "selfScore": { "score": "0.9", "note": "Shipped, late", "confirmed": true,
                "confirmedBy": { "name": "Mia Manager" }, "proposedBy": { "name": "Rob Report" } }
        }),
        "the grade and the self-score are both kept"
    );
    let audit = app
        .gql(
            admin,
            r#"{ auditLog(filter: {action: "okr_check_in.recorded_late"}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(audit.data()["auditLog"]["totalCount"], 1);

    let member_reopen = app.gql(&rob, "mutation($id: ID!) { okr { reopenCycle(input: {id: $id, version: 2}) { cycle { status } } } }", json!({ "id": org.cycle })).await;
    assert_eq!(member_reopen.code(), "FORBIDDEN");
    let reopened = app.gql(admin, "mutation($id: ID!) { okr { reopenCycle(input: {id: $id, version: 2}) { cycle { status } } } }", json!({ "id": org.cycle })).await;
    assert_eq!(
        reopened.data()["okr"]["reopenCycle"]["cycle"]["status"],
        "ACTIVE"
    );
    let reopen_audit = app
        .gql(
            admin,
            r#"{ auditLog(filter: {action: "okr_cycle.reopened"}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(reopen_audit.data()["auditLog"]["totalCount"], 1);
}

#[tokio::test]
async fn another_tenants_okrs_behave_like_unknown_ones() {
    let app = start().await;
    let org = org(&app).await;
    let robs = objective(&app, &org.admin, json!({ "cycleId": org.cycle, "title": "Acme only", "level": "INDIVIDUAL", "ownerId": org.report })).await;
    app.tenant("globex", &["okr"]).await;
    let globex = app.admin("globex");
    let read = app
        .gql(&globex, "query($o: ID!, $c: ID!) { okr { objective(id: $o) { id } cycle(id: $c) { id } objectives { totalCount } cycles { totalCount } } node(id: $o) { id } }", json!({ "o": robs, "c": org.cycle }))
        .await;
    assert_eq!(
        read.data(),
        &json!({ "okr": { "objective": null, "cycle": null, "objectives": { "totalCount": 0 }, "cycles": { "totalCount": 0 } }, "node": null })
    );
    let write = app.gql(&globex, "mutation($id: ID!) { okr { updateObjective(input: {id: $id, version: 1, title: \"x\"}) { objective { id } } } }", json!({ "id": robs })).await;
    assert_eq!(write.code(), "NOT_FOUND");
    let reference = app
        .gql(&globex, CREATE_OBJECTIVE, json!({ "input": { "cycleId": org.cycle, "title": "x", "level": "INDIVIDUAL", "ownerId": org.report } }))
        .await;
    assert_eq!(
        (reference.code(), reference.field()),
        ("VALIDATION", "input.cycleId")
    );
}

#[tokio::test]
async fn listing_objectives_with_key_results_owners_and_health_costs_a_constant_number_of_statements()
 {
    let app = throughline_tests::start_with_limits(throughline_api::config::Limits {
        batch_delay: std::time::Duration::from_millis(250),
        ..Default::default()
    })
    .await;
    let org = org(&app).await;
    for i in 0..30 {
        let id = objective(&app, &org.admin, json!({ "cycleId": org.cycle, "title": format!("Objective {i:02}"), "level": "INDIVIDUAL", "ownerId": org.report })).await;
        key_result(&app, &org.admin, &id, "0", "10", "1").await;
    }
    // Measure the steady state: the writes above dropped the cached session.
    app.gql(&org.admin, "{ __typename }", json!({}))
        .await
        .data();
    let query = "query($n: Int!) { okr { objectives(first: $n) { edges { node { title owner { name } health progress { value } keyResults { title owner { name } progress { progress } health { health } } } } } } }";
    let (few, small) = app
        .count_statements(app.gql(&org.admin, query, json!({ "n": 3 })))
        .await;
    let (many, large) = app
        .count_statements(app.gql(&org.admin, query, json!({ "n": 30 })))
        .await;
    assert_eq!(
        few.data()["okr"]["objectives"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        many.data()["okr"]["objectives"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        30
    );
    assert_eq!(small, large, "statements must not grow with the page");
    println!("okr.objectives(first: 3) = {small} statements; (first: 30) = {large} statements");
}

#[tokio::test]
async fn a_metric_linked_key_result_follows_recorded_values() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let metric = app
        .gql(admin, r#"mutation { createMetric(input: {name: "Demos", direction: HIGHER_IS_BETTER, indicatorKind: LEADING, frequency: MONTHLY, aggregation: SUM}) { metric { id } } }"#, json!({}))
        .await;
    let metric = id_at(metric.data(), "createMetric.metric.id");
    let company = objective(
        &app,
        admin,
        json!({ "cycleId": org.cycle, "title": "Grow", "level": "COMPANY", "ownerId": org.ceo }),
    )
    .await;
    let kr = app
        .gql(admin, CREATE_KR, json!({ "input": { "objectiveId": company, "title": "Demos", "metricId": metric, "target": { "kind": "INCREASE_TO", "start": "0", "target": "40" } } }))
        .await;
    let kr = id_at(kr.data(), "okr.createKeyResult.keyResult.id");
    let this_month = chrono::Utc::now().date_naive().with_day(1).unwrap();
    let last_month = (this_month - chrono::Duration::days(1))
        .with_day(1)
        .unwrap();
    let record = "mutation($m: ID!, $p: Date!, $v: Decimal!) { recordMetricValues(input: {metricId: $m, values: [{period: $p, value: $v}]}) { values { id } } }";
    app.gql(
        admin,
        record,
        json!({ "m": metric, "p": this_month, "v": "10" }),
    )
    .await
    .data();
    app.settle().await;
    // A backfilled older month does not move the key result back.
    app.gql(
        admin,
        record,
        json!({ "m": metric, "p": last_month, "v": "4" }),
    )
    .await
    .data();
    app.settle().await;
    let view = app
        .gql(admin, "query($id: ID!) { okr { keyResult(id: $id) { currentValue metric { name } progress { progress } checkIns { edges { node { value source author { name } } } } } } }", json!({ "id": kr }))
        .await;
    assert_eq!(
        view.data()["okr"]["keyResult"],
        json!({
            "currentValue": "10",
            "metric": { "name": "Demos" },
            "progress": { "progress": "0.25" },
            "checkIns": { "edges": [{ "node": { "value": "10", "source": "METRIC", "author": null } }] }
        })
    );
}

use chrono::Datelike;

#[tokio::test]
async fn deactivated_owners_are_flagged_for_reassignment() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let robs = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Rob's", "level": "INDIVIDUAL", "ownerId": org.report })).await;
    app.gql(admin, "mutation($id: ID!) { updatePerson(input: {id: $id, version: 1, status: INACTIVE}) { person { status } } }", json!({ "id": org.report }))
        .await
        .data();
    app.settle().await;
    let view = app.gql(admin, "query($id: ID!) { okr { objective(id: $id) { title ownerInactive owner { status } } } }", json!({ "id": robs })).await;
    assert_eq!(
        view.data()["okr"]["objective"],
        json!({ "title": "Rob's", "ownerInactive": true, "owner": { "status": "INACTIVE" } })
    );
    let reassigned = app
        .gql(admin, "mutation($id: ID!, $o: ID!) { okr { updateObjective(input: {id: $id, version: 1, ownerId: $o}) { objective { ownerInactive owner { name } } } } }", json!({ "id": robs, "o": org.manager }))
        .await;
    assert_eq!(
        reassigned.data()["okr"]["updateObjective"]["objective"],
        json!({ "ownerInactive": false, "owner": { "name": "Mia Manager" } })
    );
}

/// The tree is computed once for everyone and shared; what a viewer may not
/// see is taken out per request: an objective aligned only to a private
/// objective the viewer may not see is a root in their tree, under its
/// parent in the owner's, whichever of them asked first.
#[tokio::test]
async fn an_objective_under_a_private_parent_is_a_root_for_those_who_may_not_see_the_parent() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let plan = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Rob's plan", "level": "INDIVIDUAL", "ownerId": org.report, "private": true })).await;
    let piece = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Pat's piece", "level": "INDIVIDUAL", "ownerId": org.peer })).await;
    app.gql(
        admin,
        ALIGN,
        json!({ "input": { "objectiveId": piece, "parentObjectiveId": plan } }),
    )
    .await
    .data();
    let tree = "query($c: ID!) { okr { alignmentTree(cycleId: $c) { totalCount nodes { depth parentId objective { title } } } } }";
    let pat = token(&app, "pat@acme.example", Role::Member);
    let rob = token(&app, "rob@acme.example", Role::Member);
    for _ in 0..2 {
        let seen_by_pat = app.gql(&pat, tree, json!({ "c": org.cycle })).await;
        assert_eq!(
            seen_by_pat.data()["okr"]["alignmentTree"],
            json!({ "totalCount": 1, "nodes": [{ "depth": 0, "parentId": null, "objective": { "title": "Pat's piece" } }] })
        );
        let seen_by_rob = app.gql(&rob, tree, json!({ "c": org.cycle })).await;
        assert_eq!(
            seen_by_rob.data()["okr"]["alignmentTree"],
            json!({ "totalCount": 2, "nodes": [
                { "depth": 0, "parentId": null, "objective": { "title": "Rob's plan" } },
                { "depth": 1, "parentId": plan, "objective": { "title": "Pat's piece" } }
            ] })
        );
    }
}

/// An objective aligned to several parents repeats under each, so a lattice
/// of such alignments grows the tree geometrically: up to a bound it is
/// drawn in full, past it the tree is refused with a coded error instead of
/// being built in the server's memory.
#[tokio::test]
async fn an_alignment_lattice_too_large_to_draw_is_refused_not_built() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let tree = "query($c: ID!) { okr { alignmentTree(cycleId: $c, first: 3) { totalCount nodes { depth } } } }";
    // Layer k holds 2 objectives, each aligned to both of layer k - 1: each
    // appears once per path from a root, 2^k times.
    let mut above: Vec<String> = Vec::new();
    for layer in 0..16 {
        if layer == 15 {
            let drawn = app.gql(admin, tree, json!({ "c": org.cycle })).await;
            assert_eq!(
                drawn.data()["okr"]["alignmentTree"]["totalCount"],
                (1 << 16) - 2,
                "15 layers draw every path"
            );
        }
        let mut this = Vec::new();
        for i in 0..2 {
            let level = if layer == 0 { "COMPANY" } else { "INDIVIDUAL" };
            let id = objective(&app, admin, json!({ "cycleId": org.cycle, "title": format!("Layer {layer:02}.{i}"), "level": level, "ownerId": org.report })).await;
            for parent in &above {
                app.gql(
                    admin,
                    ALIGN,
                    json!({ "input": { "objectiveId": id, "parentObjectiveId": parent } }),
                )
                .await
                .data();
            }
            this.push(id);
        }
        above = this;
    }
    let refused = app.gql(admin, tree, json!({ "c": org.cycle })).await;
    assert_eq!(refused.code(), "LIMIT_EXCEEDED", "{}", refused.body);
    // The objectives still list with their figures: the cycle's scores do
    // not depend on the tree being drawable.
    let listed = app
        .gql(
            admin,
            "query($c: ID!) { okr { objectives(filter: {cycleId: $c}, first: 100) { totalCount nodes { health progress { value } } } } }",
            json!({ "c": org.cycle }),
        )
        .await;
    assert_eq!(listed.data()["okr"]["objectives"]["totalCount"], 32);
    assert_eq!(
        listed.data()["okr"]["objectives"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        32
    );
}

#[tokio::test]
async fn the_alignment_tree_and_report_show_only_what_you_may_see() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let priority = app.gql(admin, r#"mutation { a: createStrategicPriority(input: {title: "Grow"}) { strategicPriority { id } } b: createStrategicPriority(input: {title: "Delight"}) { strategicPriority { id } } }"#, json!({})).await;
    let grow = id_at(priority.data(), "a.strategicPriority.id");
    let bulk = app
        .gql(admin, r#"mutation($input: BulkCreateOkrObjectivesInput!) { okr { bulkCreateObjectives(input: $input) {
            objectives { title level keyResults { title } } warnings { index warning { code } } } } }"#,
            json!({ "input": { "cycleId": org.cycle, "objectives": [
                { "title": "Company", "level": "COMPANY", "ownerId": org.ceo, "priorityIds": [grow], "keyResults": [{ "title": "Revenue", "target": { "kind": "INCREASE_TO", "start": "0", "target": "10" } }] },
                { "title": "Team", "level": "TEAM", "ownerId": org.manager, "orgUnitId": org.unit, "parentIndex": 0, "keyResults": [{ "title": "Deals", "target": { "kind": "MILESTONE" } }] },
                { "title": "Rob's", "level": "INDIVIDUAL", "ownerId": org.report, "parentIndex": 1, "keyResults": [{ "title": "Calls", "target": { "kind": "STAY_AT_OR_ABOVE", "target": "20" } }] },
                { "title": "Rob's secret", "level": "INDIVIDUAL", "ownerId": org.report, "private": true },
                { "title": "Pat's loose end", "level": "INDIVIDUAL", "ownerId": org.peer }
            ] } }))
        .await;
    let created = &bulk.data()["okr"]["bulkCreateObjectives"];
    assert_eq!(created["objectives"].as_array().unwrap().len(), 5);
    assert_eq!(
        created["objectives"][1]["keyResults"],
        json!([{ "title": "Deals" }])
    );
    assert!(
        created["warnings"]
            .as_array()
            .unwrap()
            .contains(&json!({ "index": 4, "warning": { "code": "NOT_ALIGNED" } }))
    );

    let tree = "query($c: ID!) { okr { alignmentTree(cycleId: $c, first: 100) { nodes { depth objective { title health progress { value } } } } } }";
    let titles = |response: &throughline_tests::Gql| -> Vec<(i64, String)> {
        response.data()["okr"]["alignmentTree"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["depth"].as_i64().unwrap(),
                    n["objective"]["title"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let by_admin = app.gql(admin, tree, json!({ "c": org.cycle })).await;
    assert_eq!(
        titles(&by_admin),
        vec![
            (0, "Company".into()),
            (1, "Team".into()),
            (2, "Rob's".into()),
            (0, "Pat's loose end".into()),
            (0, "Rob's secret".into())
        ]
    );
    let pat = token(&app, "pat@acme.example", Role::Member);
    let by_peer = app.gql(&pat, tree, json!({ "c": org.cycle })).await;
    assert!(
        !titles(&by_peer).iter().any(|(_, t)| t == "Rob's secret"),
        "private objectives stay out of others' trees"
    );

    let report = "query($c: ID!) { okr { alignmentReport(cycleId: $c) { teamAndIndividualCount alignedCount alignedShare unaligned { totalCount nodes { title } } byPriority { priority { title } objectives { title } } } } }";
    let for_admin = app.gql(admin, report, json!({ "c": org.cycle })).await;
    assert_eq!(
        for_admin.data()["okr"]["alignmentReport"],
        json!({
            "teamAndIndividualCount": 4, "alignedCount": 2, "alignedShare": "0.5",
            "unaligned": { "totalCount": 2, "nodes": [{ "title": "Pat's loose end" }, { "title": "Rob's secret" }] },
            "byPriority": [{ "priority": { "title": "Grow" }, "objectives": [{ "title": "Company" }] }, { "priority": { "title": "Delight" }, "objectives": [] }]
        })
    );
    let for_peer = app.gql(&pat, report, json!({ "c": org.cycle })).await;
    assert_eq!(
        for_peer.data()["okr"]["alignmentReport"]["teamAndIndividualCount"],
        3,
        "counts leave private objectives out"
    );

    // All or nothing: one bad key result refuses the whole load, naming it.
    let refused = app
        .gql(admin, r#"mutation($input: BulkCreateOkrObjectivesInput!) { okr { bulkCreateObjectives(input: $input) { objectives { title } } } }"#,
            json!({ "input": { "cycleId": org.cycle, "objectives": [
                { "title": "Fine", "level": "INDIVIDUAL", "ownerId": org.report },
                { "title": "Broken", "level": "INDIVIDUAL", "ownerId": org.report, "keyResults": [{ "title": "x", "target": { "kind": "WITHIN_RANGE", "lower": "5", "upper": "1" } }] }
            ] } }))
        .await;
    assert_eq!(
        (refused.code(), refused.field()),
        (
            "VALIDATION",
            "input.objectives[1].keyResults[0].target.lower"
        )
    );
    let count = app
        .gql(
            admin,
            "query($c: ID!) { okr { objectives(filter: {cycleId: $c}) { totalCount } } }",
            json!({ "c": org.cycle }),
        )
        .await;
    assert_eq!(
        count.data()["okr"]["objectives"]["totalCount"],
        5,
        "nothing of the refused load was written"
    );
}

#[tokio::test]
async fn stale_key_results_of_a_managers_reporting_line() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let robs = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Rob's", "level": "INDIVIDUAL", "ownerId": org.report })).await;
    let stale = key_result_since(&app, admin, &robs, Some(org.starts_on), "0", "10", "1").await;
    let fresh = key_result_since(&app, admin, &robs, Some(org.starts_on), "0", "10", "1").await;
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": fresh, "value": "4" } }),
    )
    .await
    .data();
    let pats = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Pat's", "level": "INDIVIDUAL", "ownerId": org.peer })).await;
    key_result_since(&app, admin, &pats, Some(org.starts_on), "0", "10", "1").await;
    let mia = token(&app, "mia@acme.example", Role::Manager);
    let query = "query($c: ID!, $m: ID) { okr { staleKeyResults(cycleId: $c, managerId: $m) { totalCount edges { node { id owner { name } stale } } } } }";
    let mine = app.gql(&mia, query, json!({ "c": org.cycle })).await;
    assert_eq!(
        mine.data()["okr"]["staleKeyResults"],
        json!({ "totalCount": 1, "edges": [{ "node": { "id": stale, "owner": { "name": "Rob Report" }, "stale": true } }] })
    );
    let ceo_line = app
        .gql(admin, query, json!({ "c": org.cycle, "m": org.ceo }))
        .await;
    assert_eq!(ceo_line.data()["okr"]["staleKeyResults"]["totalCount"], 2);

    // A closed key result expects no more check-ins: it is not stale.
    app.gql(admin, "mutation($id: ID!) { okr { updateKeyResult(input: {id: $id, version: 1, status: CLOSED}) { keyResult { stale } } } }", json!({ "id": stale }))
        .await
        .data();
    let after_closing = app.gql(&mia, query, json!({ "c": org.cycle })).await;
    assert_eq!(
        after_closing.data()["okr"]["staleKeyResults"]["totalCount"],
        0
    );
}

#[tokio::test]
async fn check_ins_are_announced_to_subscribers_after_commit() {
    use futures_util::SinkExt;
    use throughline_tests::ws::{Message, connect, next};
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let robs = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Rob's", "level": "INDIVIDUAL", "ownerId": org.report })).await;
    let other = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Other", "level": "INDIVIDUAL", "ownerId": org.peer })).await;
    let kr = key_result(&app, admin, &robs, "0", "10", "1").await;
    let other_kr = key_result(&app, admin, &other, "0", "10", "1").await;
    let mut socket = connect(&app, json!({ "authorization": format!("Bearer {admin}") })).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    socket
        .send(Message::text(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription($o: ID) { okrCheckInRecorded(objectiveId: $o) { value keyResult { title } } }", "variables": { "o": robs } } }).to_string(),
        ))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": other_kr, "value": "1" } }),
    )
    .await
    .data();
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": kr, "value": "6" } }),
    )
    .await
    .data();
    let event = next(&mut socket).await.unwrap();
    assert_eq!(
        event["payload"]["data"]["okrCheckInRecorded"],
        json!({ "value": "6", "keyResult": { "title": "Grow" } })
    );
}

#[tokio::test]
async fn integrators_read_public_okrs_but_change_nothing() {
    let app = start().await;
    let org = org(&app).await;
    let public = objective(&app, &org.admin, json!({ "cycleId": org.cycle, "title": "Public", "level": "INDIVIDUAL", "ownerId": org.report })).await;
    objective(&app, &org.admin, json!({ "cycleId": org.cycle, "title": "Secret", "level": "INDIVIDUAL", "ownerId": org.report, "private": true })).await;
    let kr = key_result(&app, &org.admin, &public, "0", "10", "1").await;
    let integrator = token(&app, "hris@acme.example", Role::Integrator);
    let listed = app.gql(&integrator, "query($c: ID!) { okr { objectives(filter: {cycleId: $c}) { edges { node { title } } } } }", json!({ "c": org.cycle })).await;
    assert_eq!(
        listed.data()["okr"]["objectives"]["edges"],
        json!([{ "node": { "title": "Public" } }])
    );
    let create = app.gql(&integrator, CREATE_OBJECTIVE, json!({ "input": { "cycleId": org.cycle, "title": "x", "level": "INDIVIDUAL", "ownerId": org.report } })).await;
    assert_eq!(create.code(), "FORBIDDEN");
    let check_in = app
        .gql(
            &integrator,
            CHECK_IN,
            json!({ "input": { "keyResultId": kr, "value": "1" } }),
        )
        .await;
    assert_eq!(check_in.code(), "FORBIDDEN");
    let cycle = app
        .gql(
            &integrator,
            "mutation { okr { generateCycles(input: {fiscalYear: 2030}) { cycles { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(cycle.code(), "FORBIDDEN");
}

/// Scores are cached across requests; every kind of write that moves a
/// figure must still show up in the very next read.
#[tokio::test]
async fn figures_stay_true_while_cached_across_requests() {
    let app = start().await;
    let org = org(&app).await;
    let app = &app;
    let admin = &org.admin;
    let company = objective(app, admin, json!({ "cycleId": org.cycle, "title": "Company", "level": "COMPANY", "ownerId": org.ceo, "progressDriver": "BOTH", "status": "ACTIVE" })).await;
    let first = key_result(app, admin, &company, "0", "10", "1").await;
    let progress = || async {
        let (response, statements) = app
            .count_statements(app.gql(
                admin,
                "query($id: ID!) { okr { objective(id: $id) { progress { value } } } }",
                json!({ "id": company }),
            ))
            .await;
        (
            response.data()["okr"]["objective"]["progress"]["value"]
                .as_str()
                .unwrap()
                .to_string(),
            statements,
        )
    };
    assert_eq!(progress().await.0, "0");
    let check_in = |kr: String, value: &'static str| async move {
        app.gql(
            admin,
            CHECK_IN,
            json!({ "input": { "keyResultId": kr, "value": value } }),
        )
        .await
        .data();
    };
    check_in(first.clone(), "5").await;
    // The write dropped the tenant's cached sessions: open one again, so the
    // counts below differ by the scores alone.
    app.gql(admin, "{ __typename }", json!({})).await.data();
    let (value, cold) = progress().await;
    assert_eq!(value, "0.5", "a check-in");
    let (value, warm) = progress().await;
    assert_eq!(value, "0.5");
    assert_eq!(
        cold - warm,
        3,
        "a repeated read skips the cycle's objectives, key results and alignments"
    );

    let update_kr = "mutation($input: UpdateOkrKeyResultInput!) { okr { updateKeyResult(input: $input) { keyResult { version } } } }";
    app.gql(admin, update_kr, json!({ "input": { "id": first, "version": 2, "target": { "kind": "INCREASE_TO", "start": "0", "target": "20" } } }))
        .await
        .data();
    assert_eq!(progress().await.0, "0.25", "a new target");

    let second = app
        .gql(admin, CREATE_KR, json!({ "input": { "objectiveId": company, "title": "Done", "target": { "kind": "INCREASE_TO", "start": "0", "target": "10" }, "currentValue": "10" } }))
        .await;
    let second = id_at(second.data(), "okr.createKeyResult.keyResult.id");
    assert_eq!(progress().await.0, "0.625", "a new key result");
    app.gql(
        admin,
        update_kr,
        json!({ "input": { "id": second, "version": 1, "status": "ARCHIVED" } }),
    )
    .await
    .data();
    assert_eq!(
        progress().await.0,
        "0.25",
        "an archived key result stops counting"
    );
    let third = key_result(app, admin, &company, "0", "10", "1").await;
    assert_eq!(progress().await.0, "0.125");
    app.gql(
        admin,
        "mutation($id: ID!) { okr { deleteKeyResult(input: {id: $id}) { deletedId } } }",
        json!({ "id": third }),
    )
    .await
    .data();
    assert_eq!(progress().await.0, "0.25", "a deleted key result");

    let team = objective(app, admin, json!({ "cycleId": org.cycle, "title": "Team", "level": "TEAM", "ownerId": org.manager, "orgUnitId": org.unit, "status": "ACTIVE" })).await;
    let team_kr = key_result(app, admin, &team, "0", "10", "1").await;
    check_in(team_kr, "10").await;
    assert_eq!(progress().await.0, "0.25", "not aligned yet");
    let align = |mutation: &'static str| {
        let (team, company) = (team.clone(), company.clone());
        async move {
            app.gql(
                admin,
                &format!("mutation($input: OkrAlignInput!) {{ okr {{ {mutation}(input: $input) {{ objective {{ id }} }} }} }}"),
                json!({ "input": { "objectiveId": team, "parentObjectiveId": company } }),
            )
            .await
            .data();
        }
    };
    align("align").await;
    assert_eq!(progress().await.0, "0.625", "an aligned child");
    app.gql(admin, "mutation($id: ID!) { okr { updateObjective(input: {id: $id, version: 1, weight: \"3\"}) { objective { id } } } }", json!({ "id": team }))
        .await
        .data();
    assert_eq!(progress().await.0, "0.8125", "the child's new weight");
    align("unalign").await;
    assert_eq!(progress().await.0, "0.25", "unaligned");

    // Through the core event: a metric value moves a linked key result.
    let metric = app
        .gql(admin, r#"mutation { createMetric(input: {name: "Demos", direction: HIGHER_IS_BETTER, indicatorKind: LEADING, frequency: MONTHLY, aggregation: SUM}) { metric { id } } }"#, json!({}))
        .await;
    let metric = id_at(metric.data(), "createMetric.metric.id");
    app.gql(
        admin,
        update_kr,
        json!({ "input": { "id": first, "version": 3, "metricId": metric } }),
    )
    .await
    .data();
    app.gql(admin, "mutation($m: ID!, $p: Date!) { recordMetricValues(input: {metricId: $m, values: [{period: $p, value: \"15\"}]}) { values { id } } }", json!({ "m": metric, "p": chrono::Utc::now().date_naive().with_day(1).unwrap() }))
        .await
        .data();
    app.settle().await;
    assert_eq!(progress().await.0, "0.75", "a recorded metric value");
}

#[tokio::test]
async fn key_results_close_and_archive_and_cycles_archive() {
    let app = start().await;
    let org = org(&app).await;
    let app = &app;
    let admin = &org.admin;
    let rob = token(app, "rob@acme.example", Role::Member);
    let robs = objective(app, &rob, json!({ "cycleId": org.cycle, "title": "Ship", "level": "INDIVIDUAL", "ownerId": org.report, "status": "ACTIVE" })).await;
    let kr = key_result(app, &rob, &robs, "0", "10", "1").await;
    let set_status = "mutation($id: ID!, $v: Int!, $s: OkrKeyResultStatus!) { okr { updateKeyResult(input: {id: $id, version: $v, status: $s}) { keyResult { status version } } } }";
    let check_in = |value: &'static str| {
        let kr = kr.clone();
        let rob = rob.clone();
        async move {
            app.gql(
                &rob,
                CHECK_IN,
                json!({ "input": { "keyResultId": kr, "value": value } }),
            )
            .await
        }
    };
    check_in("4").await.data();
    let closed = app
        .gql(&rob, set_status, json!({ "id": kr, "v": 2, "s": "CLOSED" }))
        .await;
    assert_eq!(
        closed.data()["okr"]["updateKeyResult"]["keyResult"],
        json!({ "status": "CLOSED", "version": 3 })
    );
    let refused = check_in("6").await;
    assert_eq!(
        (refused.code(), refused.field()),
        ("VALIDATION", "input.keyResultId")
    );
    assert!(
        refused.message().contains("closed"),
        "{}",
        refused.message()
    );
    let view = app
        .gql(
            &rob,
            "query($id: ID!) { okr { objective(id: $id) { progress { value } keyResults { currentValue checkIns { totalCount } } } } }",
            json!({ "id": robs }),
        )
        .await;
    assert_eq!(
        view.data()["okr"]["objective"],
        json!({ "progress": { "value": "0.4" }, "keyResults": [{ "currentValue": "4", "checkIns": { "totalCount": 1 } }] }),
        "a closed key result keeps counting with its last value; the refused check-in left nothing"
    );
    let deleted = app
        .gql(
            &rob,
            "mutation($id: ID!) { okr { deleteKeyResult(input: {id: $id}) { deletedId } } }",
            json!({ "id": kr }),
        )
        .await;
    assert_eq!(
        (deleted.code(), deleted.field()),
        ("VALIDATION", "input.id")
    );
    assert!(
        deleted.message().contains("archive"),
        "{}",
        deleted.message()
    );
    app.gql(&rob, set_status, json!({ "id": kr, "v": 3, "s": "ACTIVE" }))
        .await
        .data();
    check_in("6").await.data();
    let audit = app
        .gql(
            admin,
            r#"{ closed: auditLog(filter: {action: "okr_key_result.closed"}) { totalCount } reactivated: auditLog(filter: {action: "okr_key_result.reactivated"}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        audit.data(),
        &json!({ "closed": { "totalCount": 1 }, "reactivated": { "totalCount": 1 } })
    );

    // Cycles: only a closed cycle is archived; archived ones leave the default list.
    let archive = "mutation($id: ID!, $v: Int!) { okr { archiveCycle(input: {id: $id, version: $v}) { cycle { status version } } } }";
    let too_soon = app
        .gql(admin, archive, json!({ "id": org.cycle, "v": 1 }))
        .await;
    assert_eq!(
        (too_soon.code(), too_soon.field()),
        ("VALIDATION", "input.id")
    );
    app.gql(admin, "mutation($id: ID!) { okr { closeCycle(input: {id: $id, version: 1, confirmEarlyClose: true}) { cycle { status } } } }", json!({ "id": org.cycle }))
        .await
        .data();
    let by_member = app
        .gql(&rob, archive, json!({ "id": org.cycle, "v": 2 }))
        .await;
    assert_eq!(by_member.code(), "FORBIDDEN");
    let archived = app
        .gql(admin, archive, json!({ "id": org.cycle, "v": 2 }))
        .await;
    assert_eq!(
        archived.data()["okr"]["archiveCycle"]["cycle"],
        json!({ "status": "ARCHIVED", "version": 3 })
    );
    let lists = app
        .gql(
            admin,
            "{ okr { default: cycles { totalCount } all: cycles(includeArchived: true) { nodes { status } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        lists.data()["okr"],
        json!({ "default": { "totalCount": 0 }, "all": { "nodes": [{ "status": "ARCHIVED" }] } })
    );
    // Closing the cycle closed the objective: version 2.
    let edit = app
        .gql(admin, "mutation($id: ID!) { okr { updateObjective(input: {id: $id, version: 2, title: \"x\"}) { objective { id } } } }", json!({ "id": robs }))
        .await;
    assert_eq!(edit.code(), "VALIDATION");
    assert!(edit.message().contains("archived"), "{}", edit.message());
    let late = app
        .gql(
            admin,
            CHECK_IN,
            json!({ "input": { "keyResultId": kr, "value": "9" } }),
        )
        .await;
    assert_eq!(
        (late.code(), late.field()),
        ("VALIDATION", "input.keyResultId")
    );
    let reopened = app
        .gql(admin, "mutation($id: ID!) { okr { reopenCycle(input: {id: $id, version: 3}) { cycle { status } } } }", json!({ "id": org.cycle }))
        .await;
    assert_eq!(
        reopened.data()["okr"]["reopenCycle"]["cycle"]["status"],
        "ACTIVE"
    );
}

#[tokio::test]
async fn integrators_sync_key_results_and_check_ins_incrementally() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let public = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Public", "level": "INDIVIDUAL", "ownerId": org.report })).await;
    let secret = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Secret", "level": "INDIVIDUAL", "ownerId": org.report, "private": true })).await;
    let shown = key_result(&app, admin, &public, "0", "10", "1").await;
    let hidden = key_result(&app, admin, &secret, "0", "10", "1").await;
    for kr in [&shown, &hidden] {
        app.gql(
            admin,
            CHECK_IN,
            json!({ "input": { "keyResultId": kr, "value": "2" } }),
        )
        .await
        .data();
    }
    let sync = r#"query($since: DateTime) { okr {
        keyResults(filter: {updatedSince: $since}) { totalCount nodes { id currentValue } }
        checkIns(filter: {updatedSince: $since}) { totalCount nodes { value keyResult { id } } } } }"#;
    let integrator = token(&app, "hris@acme.example", Role::Integrator);
    let everything = app.gql(&integrator, sync, json!({ "since": null })).await;
    assert_eq!(
        everything.data()["okr"],
        json!({
            "keyResults": { "totalCount": 1, "nodes": [{ "id": shown, "currentValue": "2" }] },
            "checkIns": { "totalCount": 1, "nodes": [{ "value": "2", "keyResult": { "id": shown } }] }
        }),
        "a private objective's key results and check-ins stay private"
    );

    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let since = chrono::Utc::now();
    let nothing_yet = app.gql(&integrator, sync, json!({ "since": since })).await;
    assert_eq!(nothing_yet.data()["okr"]["keyResults"]["totalCount"], 0);
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": shown, "value": "5" } }),
    )
    .await
    .data();
    let changed = app.gql(&integrator, sync, json!({ "since": since })).await;
    assert_eq!(
        changed.data()["okr"],
        json!({
            "keyResults": { "totalCount": 1, "nodes": [{ "id": shown, "currentValue": "5" }] },
            "checkIns": { "totalCount": 1, "nodes": [{ "value": "5", "keyResult": { "id": shown } }] }
        })
    );

    // Filters narrow it; another tenant sees none of it.
    let by_cycle = app
        .gql(admin, "query($c: ID!, $o: ID!) { okr { keyResults(filter: {cycleId: $c, ownerId: $o, status: ACTIVE}) { totalCount } checkIns(filter: {keyResultId: $o}) { totalCount } } }", json!({ "c": org.cycle, "o": org.report }))
        .await;
    assert_eq!(
        by_cycle.code(),
        "VALIDATION",
        "a person's id is not a key result's"
    );
    let by_cycle = app
        .gql(admin, "query($c: ID!, $o: ID!) { okr { keyResults(filter: {cycleId: $c, ownerId: $o, status: ACTIVE}) { totalCount } } }", json!({ "c": org.cycle, "o": org.report }))
        .await;
    assert_eq!(by_cycle.data()["okr"]["keyResults"]["totalCount"], 2);
    app.tenant("globex", &["okr"]).await;
    let theirs = app
        .gql(
            &app.token("globex", "hris@globex.example", Role::Integrator),
            sync,
            json!({ "since": null }),
        )
        .await;
    assert_eq!(
        theirs.data()["okr"],
        json!({ "keyResults": { "totalCount": 0, "nodes": [] }, "checkIns": { "totalCount": 0, "nodes": [] } })
    );
}

#[tokio::test]
async fn bad_people_and_dates_name_their_field_and_write_nothing() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let twice = app
        .gql(admin, CREATE_OBJECTIVE, json!({ "input": { "cycleId": org.cycle, "title": "Shared", "level": "INDIVIDUAL", "ownerId": org.report, "coOwnerIds": [org.peer, org.peer] } }))
        .await;
    assert_eq!(
        (twice.code(), twice.field()),
        ("VALIDATION", "input.coOwnerIds[1]")
    );
    let many: Vec<&String> = std::iter::repeat_n(&org.peer, 21).collect();
    let crowd = app
        .gql(admin, CREATE_OBJECTIVE, json!({ "input": { "cycleId": org.cycle, "title": "Shared", "level": "INDIVIDUAL", "ownerId": org.report, "coOwnerIds": many } }))
        .await;
    assert_eq!(
        (crowd.code(), crowd.field()),
        ("VALIDATION", "input.coOwnerIds")
    );
    let objectives = app
        .gql(admin, "{ okr { objectives { totalCount } } }", json!({}))
        .await;
    assert_eq!(objectives.data()["okr"]["objectives"]["totalCount"], 0);

    let shared = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Shared", "level": "INDIVIDUAL", "ownerId": org.report, "coOwnerIds": [org.peer] })).await;
    let kr = key_result(&app, admin, &shared, "0", "10", "1").await;
    let before_cycle = chrono::Utc::now().date_naive() - chrono::Duration::days(60);
    let early = app
        .gql(
            admin,
            CHECK_IN,
            json!({ "input": { "keyResultId": kr, "value": "3", "asOf": before_cycle } }),
        )
        .await;
    assert_eq!((early.code(), early.field()), ("VALIDATION", "input.asOf"));
    let after = app
        .gql(
            admin,
            "query($id: ID!) { okr { keyResult(id: $id) { currentValue checkIns { totalCount } } } }",
            json!({ "id": kr }),
        )
        .await;
    assert_eq!(
        after.data()["okr"]["keyResult"],
        json!({ "currentValue": "0", "checkIns": { "totalCount": 0 } })
    );
}

const ALIGN: &str =
    "mutation($input: OkrAlignInput!) { okr { align(input: $input) { objective { id } } } }";

#[tokio::test]
async fn an_objective_aligned_to_a_key_result_counts_towards_that_key_results_objective() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let team = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Team", "level": "TEAM", "ownerId": org.manager, "orgUnitId": org.unit, "progressDriver": "BOTH" })).await;
    let team_kr = key_result_since(&app, admin, &team, Some(org.starts_on), "0", "10", "1").await;
    let mine = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Mine", "level": "INDIVIDUAL", "ownerId": org.report, "weight": "3" })).await;
    let mine_kr = key_result_since(&app, admin, &mine, Some(org.starts_on), "0", "10", "1").await;
    app.gql(
        admin,
        ALIGN,
        json!({ "input": { "objectiveId": mine, "parentKeyResultId": team_kr } }),
    )
    .await
    .data();
    for (kr, value) in [(&team_kr, "2"), (&mine_kr, "6")] {
        app.gql(
            admin,
            CHECK_IN,
            json!({ "input": { "keyResultId": kr, "value": value } }),
        )
        .await
        .data();
    }
    let view = app
        .gql(admin, "query($id: ID!) { okr { objective(id: $id) { progress { value explanation { inputs { name value } } } healthExplanation { text } alignedObjectives { title } } } }", json!({ "id": team }))
        .await;
    let team_view = &view.data()["okr"]["objective"];
    // (1 × 0.2 + 3 × 0.6) / 4
    assert_eq!(team_view["progress"]["value"], "0.5");
    assert_eq!(team_view["alignedObjectives"], json!([{ "title": "Mine" }]));
    assert_eq!(
        team_view["progress"]["explanation"]["inputs"][2],
        json!({ "name": "Mine progress", "value": "0.6" })
    );
    // Half the quarter has passed: the key result at 0.2 is 30 points behind.
    let health = team_view["healthExplanation"]["text"].as_str().unwrap();
    assert!(
        health.starts_with("Weakest of 2 contribution(s): key result \"Grow\", OFF_TRACK,"),
        "{health}"
    );
    // A key result may take its progress from the objectives aligned to it:
    // they then count through it, not twice.
    let driven = app
        .gql(admin, CREATE_KR, json!({ "input": { "objectiveId": team, "title": "Teams deliver", "target": { "kind": "MILESTONE" }, "progressSource": "ALIGNED_OBJECTIVES" } }))
        .await;
    let driven = id_at(driven.data(), "okr.createKeyResult.keyResult.id");
    let other = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Other", "level": "INDIVIDUAL", "ownerId": org.report })).await;
    let other_kr = key_result(&app, admin, &other, "0", "10", "1").await;
    app.gql(
        admin,
        ALIGN,
        json!({ "input": { "objectiveId": other, "parentKeyResultId": driven } }),
    )
    .await
    .data();
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": other_kr, "value": "4" } }),
    )
    .await
    .data();
    let view = app
        .gql(admin, "query($id: ID!, $k: ID!) { okr { objective(id: $id) { progress { value } alignedObjectives { title } } keyResult(id: $k) { progressSource progress { progress explanation { inputs { name value } } } } } }", json!({ "id": team, "k": driven }))
        .await;
    let okr = &view.data()["okr"];
    assert_eq!(okr["keyResult"]["progressSource"], "ALIGNED_OBJECTIVES");
    assert_eq!(okr["keyResult"]["progress"]["progress"], "0.4");
    assert_eq!(
        okr["keyResult"]["progress"]["explanation"]["inputs"][0],
        json!({ "name": "Other progress", "value": "0.4" })
    );
    // (1 × 0.2 + 1 × 0.4 (the driven key result) + 3 × 0.6) / 5
    assert_eq!(okr["objective"]["progress"]["value"], "0.48");
    assert_eq!(
        okr["objective"]["alignedObjectives"],
        json!([{ "title": "Mine" }, { "title": "Other" }])
    );
    let refused = app
        .gql(
            admin,
            CHECK_IN,
            json!({ "input": { "keyResultId": driven, "value": "1" } }),
        )
        .await;
    assert_eq!(
        (refused.code(), refused.field()),
        ("VALIDATION", "input.keyResultId")
    );
    // Aligning the team objective under its own child's key result would loop.
    let looped = app
        .gql(
            admin,
            ALIGN,
            json!({ "input": { "objectiveId": team, "parentKeyResultId": mine_kr } }),
        )
        .await;
    assert_eq!(
        (looped.code(), looped.field()),
        ("VALIDATION", "input.parentKeyResultId")
    );
}

#[tokio::test]
async fn quarterly_objectives_count_towards_the_annual_objectives_they_align_to() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let today = chrono::Utc::now().date_naive();
    let year = chrono::Datelike::year(&today);
    let generated = app
        .gql(admin, "mutation($y: Int!) { okr { generateCycles(input: {fiscalYear: $y}) { cycles { id name startsOn endsOn parent { id } } } } }", json!({ "y": year }))
        .await;
    let cycles = generated.data()["okr"]["generateCycles"]["cycles"]
        .as_array()
        .unwrap()
        .clone();
    let date = |c: &Value, field: &str| {
        chrono::NaiveDate::parse_from_str(c[field].as_str().unwrap(), "%Y-%m-%d").unwrap()
    };
    let annual = cycles.iter().find(|c| c["parent"].is_null()).unwrap();
    let quarters: Vec<&Value> = cycles.iter().filter(|c| !c["parent"].is_null()).collect();
    let current = quarters
        .iter()
        .find(|c| date(c, "startsOn") <= today && today <= date(c, "endsOn"))
        .unwrap();
    let other = quarters.iter().find(|c| c["id"] != current["id"]).unwrap();
    let company = objective(&app, admin, json!({ "cycleId": annual["id"], "title": "Annual", "level": "COMPANY", "ownerId": org.ceo, "progressDriver": "ALIGNED_OBJECTIVES" })).await;
    let quarterly = objective(&app, admin, json!({ "cycleId": current["id"], "title": "This quarter's", "level": "TEAM", "ownerId": org.manager, "orgUnitId": org.unit })).await;
    let elsewhere = objective(&app, admin, json!({ "cycleId": other["id"], "title": "Another quarter's", "level": "TEAM", "ownerId": org.manager, "orgUnitId": org.unit })).await;
    let kr = key_result(&app, admin, &quarterly, "0", "10", "1").await;
    app.gql(
        admin,
        ALIGN,
        json!({ "input": { "objectiveId": quarterly, "parentObjectiveId": company } }),
    )
    .await
    .data();
    let read = "query($id: ID!, $cycle: ID!) { okr { objective(id: $id) { progress { value explanation { text } } expectedProgress { explanation { inputs { name value } } } alignedObjectives { title } }
        alignmentTree(cycleId: $cycle) { nodes { depth objective { title } } } } }";
    let vars = json!({ "id": company, "cycle": annual["id"] });
    let before = app.gql(admin, read, vars.clone()).await;
    assert_eq!(before.data()["okr"]["objective"]["progress"]["value"], "0");
    // A check-in in the quarter moves the year's figure at once.
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": kr, "value": "6" } }),
    )
    .await
    .data();
    let after = app.gql(admin, read, vars).await;
    let view = &after.data()["okr"];
    assert_eq!(view["objective"]["progress"]["value"], "0.6");
    assert_eq!(
        view["objective"]["alignedObjectives"],
        json!([{ "title": "This quarter's" }])
    );
    let days_in_cycle = &view["objective"]["expectedProgress"]["explanation"]["inputs"][1];
    assert_eq!(days_in_cycle["name"], "days in cycle");
    assert!(
        days_in_cycle["value"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
            >= 365,
        "the annual objective is expected to progress over its own year: {days_in_cycle}"
    );
    assert_eq!(
        view["alignmentTree"]["nodes"],
        json!([{ "depth": 0, "objective": { "title": "Annual" } }, { "depth": 1, "objective": { "title": "This quarter's" } }])
    );
    // Cycles that do not nest are refused, both ways.
    let upside_down = app
        .gql(
            admin,
            ALIGN,
            json!({ "input": { "objectiveId": company, "parentObjectiveId": quarterly } }),
        )
        .await;
    assert_eq!(
        (upside_down.code(), upside_down.field()),
        ("VALIDATION", "input.parentObjectiveId")
    );
    assert!(
        upside_down.message().contains("does not contain it"),
        "{}",
        upside_down.message()
    );
    let sideways = app
        .gql(
            admin,
            ALIGN,
            json!({ "input": { "objectiveId": elsewhere, "parentObjectiveId": quarterly } }),
        )
        .await;
    assert_eq!(sideways.code(), "VALIDATION");
    // The running quarter on its own, unchanged: its objective is a root.
    let quarter_tree = app
        .gql(admin, "query($c: ID!) { okr { alignmentTree(cycleId: $c) { nodes { depth objective { title } } } alignmentReport(cycleId: $c) { alignedCount teamAndIndividualCount } } }", json!({ "c": current["id"] }))
        .await;
    assert_eq!(
        quarter_tree.data()["okr"],
        json!({
            "alignmentTree": { "nodes": [{ "depth": 0, "objective": { "title": "This quarter's" } }] },
            "alignmentReport": { "alignedCount": 1, "teamAndIndividualCount": 1 }
        })
    );
}

#[tokio::test]
async fn a_backdated_check_in_is_history_and_leaves_the_current_value_alone() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let goal = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Goal", "level": "INDIVIDUAL", "ownerId": org.report })).await;
    let kr = key_result(&app, admin, &goal, "0", "100", "1").await;
    let today = chrono::Utc::now().date_naive();
    let day = |ago: i64| (today - chrono::Duration::days(ago)).to_string();
    let check_in = |value: &str, as_of: String| {
        let (app, admin, kr) = (&app, admin.clone(), kr.clone());
        let value = value.to_string();
        async move {
            app.gql(
                &admin,
                CHECK_IN,
                json!({ "input": { "keyResultId": kr, "value": value, "asOf": as_of } }),
            )
            .await
            .data()["okr"]["recordCheckIn"]["checkIn"]
                .clone()
        }
    };
    check_in("10", day(20)).await;
    check_in("40", day(2)).await;
    // Recorded now, dated between the two.
    let backdated = check_in("25", day(10)).await;
    assert_eq!(
        (
            &backdated["valueBefore"],
            &backdated["delta"],
            &backdated["late"]
        ),
        (&json!("10"), &json!("15"), &json!(true)),
        "compared with the check-in just before its own date, and flagged late"
    );
    let view = app
        .gql(admin, "query($k: ID!) { okr { keyResult(id: $k) { currentValue stale lastCheckIn { value } checkIns { nodes { value valueBefore asOf late } } } } }", json!({ "k": kr }))
        .await;
    let kr_view = &view.data()["okr"]["keyResult"];
    assert_eq!(
        kr_view["currentValue"], "40",
        "the latest check-in stays the present"
    );
    assert_eq!(kr_view["lastCheckIn"]["value"], "40");
    assert_eq!(kr_view["stale"], false);
    assert_eq!(
        kr_view["checkIns"]["nodes"],
        json!([
            { "value": "10", "valueBefore": "0", "asOf": day(20), "late": false },
            { "value": "25", "valueBefore": "10", "asOf": day(10), "late": true },
            { "value": "40", "valueBefore": "25", "asOf": day(2), "late": false },
        ]),
        "history by date; the next check-in now follows the backdated one"
    );
    let orders = app
        .gql(admin, "query($k: ID!) { okr { byDate: checkIns(filter: {keyResultId: $k}) { nodes { value } } recorded: checkIns(filter: {keyResultId: $k}, orderBy: RECORDED) { nodes { value } } } }", json!({ "k": kr }))
        .await;
    assert_eq!(
        orders.data()["okr"],
        json!({
            "byDate": { "nodes": [{ "value": "10" }, { "value": "25" }, { "value": "40" }] },
            "recorded": { "nodes": [{ "value": "10" }, { "value": "40" }, { "value": "25" }] },
        })
    );
}

#[tokio::test]
async fn key_results_without_values_have_no_data_and_milestones_take_only_done_or_not() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let goal = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Goal", "level": "INDIVIDUAL", "ownerId": org.report })).await;
    let fresh = key_result(&app, admin, &goal, "0", "100", "1").await;
    let milestone = app
        .gql(admin, CREATE_KR, json!({ "input": { "objectiveId": goal, "title": "Launch", "target": { "kind": "MILESTONE" } } }))
        .await;
    let milestone = id_at(milestone.data(), "okr.createKeyResult.keyResult.id");
    let read = "query($o: ID!) { okr { objective(id: $o) { health healthExplanation { text } keyResults { health { health derived explanation { text } } } } } }";
    let view = app.gql(admin, read, json!({ "o": goal })).await;
    let goal_view = &view.data()["okr"]["objective"];
    assert_eq!(goal_view["health"], "NO_DATA", "{goal_view}");
    assert_eq!(goal_view["keyResults"][0]["health"]["health"], "NO_DATA");
    assert_eq!(goal_view["keyResults"][1]["health"]["derived"], "NO_DATA");
    for value in ["0.5", "2", "-1"] {
        let refused = app
            .gql(
                admin,
                CHECK_IN,
                json!({ "input": { "keyResultId": milestone, "value": value } }),
            )
            .await;
        assert_eq!(
            (refused.code(), refused.field()),
            ("VALIDATION", "input.value"),
            "{value}"
        );
    }
    let stated_no_data = app
        .gql(
            admin,
            CHECK_IN,
            json!({ "input": { "keyResultId": fresh, "value": "1", "status": "NO_DATA" } }),
        )
        .await;
    assert_eq!(
        (stated_no_data.code(), stated_no_data.field()),
        ("VALIDATION", "input.status")
    );
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": milestone, "value": "1" } }),
    )
    .await
    .data();
    let view = app.gql(admin, read, json!({ "o": goal })).await;
    let goal_view = &view.data()["okr"]["objective"];
    assert_eq!(goal_view["health"], "ON_TRACK");
    let text = goal_view["healthExplanation"]["text"].as_str().unwrap();
    assert!(
        text.starts_with(
            "Weakest of 1 (and 1 without a value yet) contribution(s): key result \"Launch\", ON_TRACK"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn today_is_the_tenants_day_at_both_ends_of_the_clock() {
    // At any instant, UTC+14 or UTC−12 (or both) is on another date than UTC.
    for (zone, offset_hours) in [("Pacific/Kiritimati", 14), ("Etc/GMT+12", -12)] {
        let app = start().await;
        let org = org(&app).await;
        let admin = &org.admin;
        app.gql(admin, "mutation($z: String!) { updateTenant(input: {version: 1, timeZone: $z}) { tenant { timeZone } } }", json!({ "z": zone }))
            .await
            .data();
        let local_today = (chrono::Utc::now() + chrono::Duration::hours(offset_hours)).date_naive();
        let goal = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Goal", "level": "INDIVIDUAL", "ownerId": org.report })).await;
        let kr = key_result(&app, admin, &goal, "0", "10", "1").await;
        let tomorrow = local_today + chrono::Duration::days(1);
        let future = app
            .gql(
                admin,
                CHECK_IN,
                json!({ "input": { "keyResultId": kr, "value": "1", "asOf": tomorrow } }),
            )
            .await;
        assert_eq!(
            (future.code(), future.field()),
            ("VALIDATION", "input.asOf"),
            "{zone}: the tenant's tomorrow is the future"
        );
        app.gql(
            admin,
            CHECK_IN,
            json!({ "input": { "keyResultId": kr, "value": "1", "asOf": local_today } }),
        )
        .await
        .data();
        let defaulted = app
            .gql(
                admin,
                CHECK_IN,
                json!({ "input": { "keyResultId": kr, "value": "2" } }),
            )
            .await;
        let defaulted = &defaulted.data()["okr"]["recordCheckIn"]["checkIn"];
        assert_eq!(defaulted["late"], false, "{zone}: dated the tenant's today");
        let cycle = app
            .gql(admin, "query($c: ID!) { okr { cycle(id: $c) { expectedProgress { explanation { text } } } } }", json!({ "c": org.cycle }))
            .await;
        let text = cycle.data()["okr"]["cycle"]["expectedProgress"]["explanation"]["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            text.contains(&format!("by {local_today}")),
            "{zone}: expected progress as of the tenant's today: {text}"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn team_objectives_are_set_for_ones_own_unit_or_the_units_one_leads() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let unit = |name: &'static str, parent: Option<String>, head: Option<String>| {
        let app = &app;
        async move {
            let created = app
                .gql(admin, "mutation($n: String!, $p: ID, $h: ID) { createOrgUnit(input: {name: $n, parentId: $p, headPersonId: $h}) { orgUnit { id } } }", json!({ "n": name, "p": parent, "h": head }))
                .await;
            id_at(created.data(), "createOrgUnit.orgUnit.id")
        }
    };
    // Everyone in the org works in Sales; Mia leads Marketing.
    let sales_east = unit("Sales East", Some(org.unit.clone()), None).await;
    let marketing = unit("Marketing", None, Some(org.manager.clone())).await;
    let brand = unit("Brand", Some(marketing.clone()), None).await;
    let finance = unit("Finance", None, None).await;
    let rob = token(&app, "rob@acme.example", Role::Member);
    let mia = token(&app, "mia@acme.example", Role::Manager);
    let team = |token: &str, owner: &str, unit: &str| {
        let input = json!({ "input": { "cycleId": org.cycle, "title": "Team goal", "level": "TEAM", "ownerId": owner, "orgUnitId": unit } });
        let (app, token) = (&app, token.to_string());
        async move { app.gql(&token, CREATE_OBJECTIVE, input).await }
    };
    let cases = [
        ("a member, own unit", &rob, &org.report, &org.unit, true),
        (
            "a member, a unit below their own",
            &rob,
            &org.report,
            &sales_east,
            false,
        ),
        ("a member, another unit", &rob, &org.report, &finance, false),
        ("a manager, own unit", &mia, &org.manager, &org.unit, true),
        (
            "a manager, the unit they lead",
            &mia,
            &org.manager,
            &marketing,
            true,
        ),
        (
            "a manager, below the unit they lead",
            &mia,
            &org.manager,
            &brand,
            true,
        ),
        (
            "a manager, a unit they do not lead",
            &mia,
            &org.manager,
            &finance,
            false,
        ),
        ("an admin, anywhere", admin, &org.ceo, &finance, true),
    ];
    for (who, token, owner, unit, allowed) in cases {
        let created = team(token, owner, unit).await;
        if allowed {
            assert!(
                created.body.get("errors").is_none(),
                "{who}: {}",
                created.body
            );
        } else {
            assert_eq!(created.code(), "FORBIDDEN", "{who}");
        }
    }
    // Moving one's team objective to another unit is placing it there.
    let mine = team(&rob, &org.report, &org.unit).await;
    let mine = id_at(mine.data(), "okr.createObjective.objective.id");
    let moved = app
        .gql(&rob, "mutation($id: ID!, $u: ID!) { okr { updateObjective(input: {id: $id, version: 1, orgUnitId: $u}) { objective { id } } } }", json!({ "id": mine, "u": finance }))
        .await;
    assert_eq!(moved.code(), "FORBIDDEN");
    // A tenant may let members set them below their own unit too.
    app.gql(admin, r#"mutation { updateFrameworkSettings(input: {key: "okr", settings: {memberTeamObjectives: "OWN_UNIT_AND_BELOW"}}) { framework { key } } }"#, json!({}))
        .await
        .data();
    team(&rob, &org.report, &sales_east).await.data();
    assert_eq!(team(&rob, &org.report, &finance).await.code(), "FORBIDDEN");
}

#[tokio::test]
async fn a_key_result_added_mid_cycle_is_judged_from_its_own_start() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let today = chrono::Utc::now().date_naive();
    let goal = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Goal", "level": "INDIVIDUAL", "ownerId": org.report })).await;
    // Created today, 45 days into the cycle: due its first check-in a week on.
    let fresh = key_result(&app, admin, &goal, "0", "10", "1").await;
    let read = "query($k: ID!) { okr { keyResult(id: $k) { startsOn dueOn stale health { health explanation { text } } } } }";
    let view = app.gql(admin, read, json!({ "k": fresh })).await;
    let kr = &view.data()["okr"]["keyResult"];
    assert_eq!(kr["startsOn"], today.to_string());
    assert_eq!(kr["dueOn"], Value::Null);
    assert_eq!(kr["stale"], false);
    assert_eq!(kr["health"]["health"], "NO_DATA");
    // A tenth done on its first day is on track, not 40 points behind.
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": fresh, "value": "1" } }),
    )
    .await
    .data();
    let view = app.gql(admin, read, json!({ "k": fresh })).await;
    assert_eq!(
        view.data()["okr"]["keyResult"]["health"]["health"],
        "ON_TRACK",
        "{}",
        view.data()
    );
    // Its own dates, within the cycle: 10 days ago to 5 days on ⇒ 11 of 16 days.
    let dated = app
        .gql(admin, CREATE_KR, json!({ "input": { "objectiveId": goal, "title": "Dated", "target": { "kind": "INCREASE_TO", "start": "0", "target": "16" }, "startsOn": today - chrono::Duration::days(10), "dueOn": today + chrono::Duration::days(5) } }))
        .await;
    let dated = id_at(dated.data(), "okr.createKeyResult.keyResult.id");
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": dated, "value": "4" } }),
    )
    .await
    .data();
    let view = app.gql(admin, read, json!({ "k": dated })).await;
    let text = view.data()["okr"]["keyResult"]["health"]["explanation"]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("0.25 is 43.75 points behind the expected 0.6875"),
        "{text}"
    );
    for (field, input) in [
        (
            "input.startsOn",
            json!({ "startsOn": today - chrono::Duration::days(60) }),
        ),
        (
            "input.dueOn",
            json!({ "dueOn": today + chrono::Duration::days(60) }),
        ),
        (
            "input.dueOn",
            json!({ "startsOn": today, "dueOn": today - chrono::Duration::days(1) }),
        ),
    ] {
        let mut full =
            json!({ "objectiveId": goal, "title": "Bad", "target": { "kind": "MILESTONE" } });
        for (k, v) in input.as_object().unwrap() {
            full[k] = v.clone();
        }
        let refused = app.gql(admin, CREATE_KR, json!({ "input": full })).await;
        assert_eq!(
            (refused.code(), refused.field()),
            ("VALIDATION", field),
            "{input}"
        );
    }
    let moved = app
        .gql(admin, "mutation($k: ID!, $d: Date) { okr { updateKeyResult(input: {id: $k, version: 2, dueOn: $d}) { keyResult { dueOn } } } }", json!({ "k": dated, "d": null }))
        .await;
    assert_eq!(
        moved.data()["okr"]["updateKeyResult"]["keyResult"]["dueOn"],
        Value::Null
    );
}

#[tokio::test]
async fn a_new_fiscal_calendar_never_parents_a_cycle_under_a_year_it_does_not_fall_in() {
    let app = start().await;
    app.tenant("acme", &["okr"]).await;
    let admin = app.admin("acme");
    let generate = "mutation($y: Int!) { okr { generateCycles(input: {fiscalYear: $y}) { cycles { id name startsOn endsOn parent { name } } } } }";
    let first = app.gql(&admin, generate, json!({ "y": 2027 })).await;
    let cycles = first.data()["okr"]["generateCycles"]["cycles"].clone();
    let q2 = cycles
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "FY2027 Q2")
        .unwrap()["id"]
        .clone();
    // The tenant's fiscal year now starts in April.
    app.gql(&admin, "mutation { updateTenant(input: {version: 1, fiscalYearStartMonth: 4}) { tenant { fiscalYearStartMonth } } }", json!({}))
        .await
        .data();
    app.gql(
        &admin,
        "mutation($id: ID!) { okr { deleteCycle(input: {id: $id}) { deletedId } } }",
        json!({ "id": q2 }),
    )
    .await
    .data();
    let again = app.gql(&admin, generate, json!({ "y": 2027 })).await;
    assert_eq!(
        again.data()["okr"]["generateCycles"]["cycles"],
        json!([{ "id": again.data()["okr"]["generateCycles"]["cycles"][0]["id"], "name": "FY2027 Q2", "startsOn": "2027-04-01", "endsOn": "2027-06-30", "parent": { "name": "FY2027" } }]),
        "FY2027 keeps the calendar it was made with"
    );
    let overlapping = app.gql(&admin, generate, json!({ "y": 2028 })).await;
    assert_eq!(
        (overlapping.code(), overlapping.field()),
        ("VALIDATION", "input.fiscalYear")
    );
    assert!(
        overlapping.message().contains("2027-04-01 to 2028-03-31")
            && overlapping.message().contains("\"FY2027\""),
        "{}",
        overlapping.message()
    );
    let later = app.gql(&admin, generate, json!({ "y": 2029 })).await;
    assert_eq!(
        later.data()["okr"]["generateCycles"]["cycles"][0],
        json!({ "id": later.data()["okr"]["generateCycles"]["cycles"][0]["id"], "name": "FY2029", "startsOn": "2028-04-01", "endsOn": "2029-03-31", "parent": null })
    );
}
