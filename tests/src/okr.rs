//! The OKR test organisation and helpers shared by the OKR test files.

use serde_json::{Value, json};
use throughline_domain::enums::Role;

use crate::{TestApp, id_at};

pub struct Org {
    pub admin: String,
    pub cycle: String,
    /// The cycle's first day: 45 days ago.
    pub starts_on: chrono::NaiveDate,
    pub ceo: String,
    pub manager: String,
    pub report: String,
    pub peer: String,
    pub unit: String,
}

/// acme with OKRs on: a CEO, a manager with one report, a peer outside the
/// manager's line, and a running quarter around today.
pub async fn org(app: &TestApp) -> Org {
    app.tenant("acme", &["okr"]).await;
    let admin = app.admin("acme");
    let today = chrono::Utc::now().date_naive();
    let start = today - chrono::Duration::days(45);
    let end = today + chrono::Duration::days(44);
    let setup = app
        .gql(
            &admin,
            r#"mutation($start: Date!, $end: Date!) {
                unit: createOrgUnit(input: {name: "Sales"}) { orgUnit { id } }
                okr { createCycle(input: {name: "This quarter", startsOn: $start, endsOn: $end}) { cycle { id } } }
            }"#,
            json!({ "start": start, "end": end }),
        )
        .await;
    let unit = id_at(setup.data(), "unit.orgUnit.id");
    let cycle = id_at(setup.data(), "okr.createCycle.cycle.id");
    let person = |name: &'static str, email: &'static str, manager: Option<String>| {
        let (app, admin, unit) = (app, admin.clone(), unit.clone());
        async move {
            let r = app
                .gql(&admin, "mutation($n: String!, $e: String!, $m: ID, $u: ID) { createPerson(input: {name: $n, email: $e, managerId: $m, orgUnitId: $u}) { person { id } } }", json!({ "n": name, "e": email, "m": manager, "u": unit }))
                .await;
            id_at(r.data(), "createPerson.person.id")
        }
    };
    let ceo = person("Cleo CEO", "cleo@acme.example", None).await;
    let manager = person("Mia Manager", "mia@acme.example", Some(ceo.clone())).await;
    let report = person("Rob Report", "rob@acme.example", Some(manager.clone())).await;
    let peer = person("Pat Peer", "pat@acme.example", Some(ceo.clone())).await;
    Org {
        admin,
        cycle,
        starts_on: start,
        ceo,
        manager,
        report,
        peer,
        unit,
    }
}

pub const CREATE_OBJECTIVE: &str = r#"mutation($input: CreateOkrObjectiveInput!) { okr { createObjective(input: $input) {
    objective { id title level status private owner { name } } warnings { code } } } }"#;
pub const CREATE_KR: &str = r#"mutation($input: CreateOkrKeyResultInput!) { okr { createKeyResult(input: $input) {
    keyResult { id title progress { progress explanation { text } } } warnings { code } } } }"#;
pub const CHECK_IN: &str = r#"mutation($input: RecordOkrCheckInInput!) { okr { recordCheckIn(input: $input) {
    checkIn { value valueBefore delta progressBefore progressAfter status statedStatus derivedStatus confidence confidenceLabel late author { name } } } } }"#;

pub async fn objective(app: &TestApp, token: &str, input: Value) -> String {
    id_at(
        app.gql(token, CREATE_OBJECTIVE, json!({ "input": input }))
            .await
            .data(),
        "okr.createObjective.objective.id",
    )
}

/// A key result starting today (the default).
pub async fn key_result(
    app: &TestApp,
    token: &str,
    objective: &str,
    start: &str,
    target: &str,
    weight: &str,
) -> String {
    key_result_since(app, token, objective, None, start, target, weight).await
}

/// A key result expected to progress from `since` (its cycle's start, say).
pub async fn key_result_since(
    app: &TestApp,
    token: &str,
    objective: &str,
    since: Option<chrono::NaiveDate>,
    start: &str,
    target: &str,
    weight: &str,
) -> String {
    let input = json!({ "objectiveId": objective, "title": "Grow", "target": { "kind": "INCREASE_TO", "start": start, "target": target }, "weight": weight, "startsOn": since });
    id_at(
        app.gql(token, CREATE_KR, json!({ "input": input }))
            .await
            .data(),
        "okr.createKeyResult.keyResult.id",
    )
}

pub fn token(app: &TestApp, email: &str, role: Role) -> String {
    app.token("acme", email, role)
}
