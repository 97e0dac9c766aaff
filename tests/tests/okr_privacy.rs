//! Private objectives over every path that can carry them: a private
//! objective counts in the figures of what it aligns to, but to anyone who
//! may not see it, it is only "1 private contribution": never its title,
//! owner or ID, in explanations, lists, counts, trees, reports, stale lists,
//! cursors, `node`/`nodes`, error messages, bulk results or subscriptions.
//! Each path is walked as the owner, a co-owner, the owner's manager chain,
//! an outsider, an admin, an integrator and another tenant's admin.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::SinkExt;
use serde_json::{Value, json};
use throughline_domain::enums::Role;
use throughline_tests::okr::{CHECK_IN, CREATE_KR, objective, org, token};
use throughline_tests::ws::{Message, connect, next};
use throughline_tests::{TestApp, id_at, start};

const SECRET_TITLES: [&str; 3] = ["Find a new job", "Secret side project", "Secret KR"];

struct Secrets {
    /// Global IDs of the private objectives, their key result and check-in.
    ids: Vec<String>,
    parent: String,
    driven_kr: String,
    visible_kr: String,
    secret_kr: String,
}

/// Everything a viewer can read about the cycle in one request.
const READ_ALL: &str = r#"query($parent: ID!, $cycle: ID!, $ceo: ID!, $secret: ID!, $secretKr: ID!, $driven: ID!) {
  okr {
    driven: keyResult(id: $driven) {
      progress { progress explanation { text inputs { name value } } }
      health { explanation { text inputs { name } } }
    }
    parent: objective(id: $parent) {
      progress { value explanation { formula text result inputs { name value } } }
      health
      healthExplanation { text inputs { name value } }
      alignedObjectives { id title }
      alignedTo { parentObjective { id } }
    }
    objectives(filter: {cycleId: $cycle}, first: 100) { totalCount edges { cursor node { id title owner { name } } } }
    titled: objectives(filter: {cycleId: $cycle}, orderBy: TITLE, first: 1) { edges { cursor } }
    alignmentTree(cycleId: $cycle, first: 100) { totalCount edges { cursor node { objective { id title } parentId } } }
    alignmentReport(cycleId: $cycle) { teamAndIndividualCount alignedCount unaligned { totalCount nodes { title } } }
    staleKeyResults(cycleId: $cycle, managerId: $ceo, first: 100) { totalCount edges { cursor node { id title } } }
    keyResults(filter: {cycleId: $cycle}, first: 100) { totalCount nodes { id title } }
    secret: objective(id: $secret) { title }
    secretKr: keyResult(id: $secretKr) { title }
  }
  nodes(ids: [$secret, $secretKr]) { id }
  exceptions(first: 100) { totalCount nodes { kind subjectId title reason explanation { text inputs { name value } } } }
}"#;

fn uuid_of(global: &str) -> String {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(global).unwrap()).unwrap();
    raw.split(':').nth(1).unwrap().to_string()
}

/// Whether the text names any secret: a title, a global ID or its UUID.
fn names_a_secret(text: &str, secrets: &Secrets) -> Option<String> {
    SECRET_TITLES
        .iter()
        .map(|t| t.to_string())
        .chain(secrets.ids.iter().cloned())
        .chain(secrets.ids.iter().map(|id| uuid_of(id)))
        .find(|needle| text.contains(needle.as_str()))
}

/// Every `cursor` in a response, decoded.
fn cursors(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("cursor", Value::String(c)) => {
                        out.push(String::from_utf8(URL_SAFE_NO_PAD.decode(c).unwrap()).unwrap())
                    }
                    _ => cursors(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| cursors(v, out)),
        _ => {}
    }
}

/// acme: Rob's two private objectives count towards Mia's team objective,
/// one aligned to it, one to its key result; Pat co-owns one of them.
async fn secrets(app: &TestApp) -> (throughline_tests::okr::Org, Secrets, String) {
    let org = org(app).await;
    let admin = &org.admin;
    let outsider = app
        .gql(admin, r#"mutation($m: ID) { createPerson(input: {name: "Quinn Outsider", email: "quinn@acme.example", managerId: $m}) { person { id } } }"#, json!({ "m": org.peer }))
        .await;
    let outsider = id_at(outsider.data(), "createPerson.person.id");
    let parent = objective(app, admin, json!({ "cycleId": org.cycle, "title": "Grow revenue", "level": "TEAM", "ownerId": org.manager, "orgUnitId": org.unit, "progressDriver": "BOTH" })).await;
    let visible_kr = kr(app, admin, &parent, "Visible KR").await;
    let driven = app
        .gql(admin, CREATE_KR, json!({ "input": { "objectiveId": parent, "title": "Driven KR", "target": { "kind": "MILESTONE" }, "progressSource": "ALIGNED_OBJECTIVES" } }))
        .await;
    let driven_kr = id_at(driven.data(), "okr.createKeyResult.keyResult.id");
    let job = objective(app, admin, json!({ "cycleId": org.cycle, "title": "Find a new job", "level": "INDIVIDUAL", "ownerId": org.report, "coOwnerIds": [org.peer], "private": true, "weight": "2" })).await;
    let side = objective(app, admin, json!({ "cycleId": org.cycle, "title": "Secret side project", "level": "INDIVIDUAL", "ownerId": org.report, "coOwnerIds": [org.peer], "private": true })).await;
    let secret_kr = kr(app, admin, &job, "Secret KR").await;
    for (child, target) in [
        (&job, json!({ "parentObjectiveId": parent })),
        (&side, json!({ "parentKeyResultId": driven_kr })),
    ] {
        let mut input = target;
        input["objectiveId"] = json!(child);
        app.gql(admin, "mutation($input: OkrAlignInput!) { okr { align(input: $input) { objective { id } } } }", json!({ "input": input }))
            .await
            .data();
    }
    let checked = app
        .gql(
            admin,
            CHECK_IN,
            json!({ "input": { "keyResultId": secret_kr, "value": "30" } }),
        )
        .await;
    assert!(checked.data()["okr"]["recordCheckIn"]["checkIn"].is_object());
    let check_in = app
        .gql(
            admin,
            "query($k: ID!) { okr { keyResult(id: $k) { lastCheckIn { id } } } }",
            json!({ "k": secret_kr }),
        )
        .await;
    let check_in = id_at(check_in.data(), "okr.keyResult.lastCheckIn.id");
    let secrets = Secrets {
        ids: vec![job, side, secret_kr.clone(), check_in],
        parent,
        driven_kr,
        visible_kr,
        secret_kr,
    };
    (org, secrets, outsider)
}

async fn kr(app: &TestApp, token: &str, objective: &str, title: &str) -> String {
    let input = json!({ "objectiveId": objective, "title": title, "target": { "kind": "INCREASE_TO", "start": "0", "target": "100" } });
    id_at(
        app.gql(token, CREATE_KR, json!({ "input": input }))
            .await
            .data(),
        "okr.createKeyResult.keyResult.id",
    )
}

#[tokio::test]
async fn private_objectives_show_only_to_those_who_may_see_them_on_every_read_path() {
    let app = start().await;
    let (org, secrets, _) = secrets(&app).await;
    app.tenant("globex", &["okr"]).await;
    let viewers: Vec<(&str, String, bool)> = vec![
        ("owner", token(&app, "rob@acme.example", Role::Member), true),
        (
            "co-owner",
            token(&app, "pat@acme.example", Role::Member),
            true,
        ),
        (
            "manager",
            token(&app, "mia@acme.example", Role::Member),
            true,
        ),
        (
            "manager's manager",
            token(&app, "cleo@acme.example", Role::Member),
            true,
        ),
        ("admin", org.admin.clone(), true),
        (
            "outsider",
            token(&app, "quinn@acme.example", Role::Member),
            false,
        ),
        (
            "integrator",
            token(&app, "sync@acme.example", Role::Integrator),
            false,
        ),
        ("another tenant", app.admin("globex"), false),
    ];
    let variables = json!({
        "parent": secrets.parent, "cycle": org.cycle, "ceo": org.ceo,
        "secret": secrets.ids[0], "secretKr": secrets.secret_kr, "driven": secrets.driven_kr,
    });
    let mut progress_seen = Vec::new();
    for (who, token, entitled) in &viewers {
        let response = app.gql(token, READ_ALL, variables.clone()).await;
        let body = serde_json::to_string(&response.body).unwrap();
        let mut decoded = Vec::new();
        cursors(&response.body, &mut decoded);
        for cursor in &decoded {
            assert!(
                SECRET_TITLES.iter().all(|t| !cursor.contains(t)) && !cursor.contains("Grow"),
                "{who}: a cursor carries a title: {cursor}"
            );
        }
        let explanation = &response.body["data"]["okr"]["parent"]["progress"]["explanation"];
        if *entitled {
            assert!(
                body.contains("Find a new job") && body.contains("Secret side project"),
                "{who} may see the private objectives: {body}"
            );
            assert!(
                explanation.to_string().contains("Find a new job"),
                "{who}: {explanation}"
            );
        } else {
            assert_eq!(
                names_a_secret(&body, &secrets),
                None,
                "{who} must not learn of the private objectives: {body}"
            );
        }
        if *who == "outsider" {
            let inputs: Vec<&str> = explanation["inputs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["name"].as_str().unwrap())
                .collect();
            assert_eq!(
                inputs,
                [
                    "Visible KR progress",
                    "Visible KR weight",
                    "Driven KR progress",
                    "Driven KR weight",
                    "1 private contribution progress",
                    "1 private contribution weight"
                ],
                "the private objective still counts, anonymous"
            );
            assert_eq!(
                response.body["data"]["okr"]["driven"]["progress"]["explanation"]["inputs"][0]["name"],
                "1 private contribution progress",
                "through a key result too"
            );
            let input = |name: &str| {
                explanation["inputs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|i| i["name"] == name)
                    .unwrap()["value"]
                    .clone()
            };
            // Rob's job objective: 30 % of its key result, weight 2.
            assert_eq!(input("1 private contribution weight"), json!("2"));
            assert_eq!(input("1 private contribution progress"), json!("0.3"));
            let data = response.data();
            assert_eq!(data["okr"]["secret"], Value::Null);
            assert_eq!(data["okr"]["secretKr"], Value::Null);
            assert_eq!(data["nodes"], json!([null, null]));
            assert_eq!(data["okr"]["parent"]["alignedObjectives"], json!([]));
            assert_eq!(data["okr"]["objectives"]["totalCount"], 1);
            assert_eq!(
                data["okr"]["keyResults"]["totalCount"], 2,
                "the parent's two"
            );
        }
        // The audit log holds every change, private ones included: admins only.
        let audit = app
            .gql(
                token,
                "{ auditLog(first: 100) { nodes { action after } } }",
                json!({}),
            )
            .await;
        let audit_body = serde_json::to_string(&audit.body).unwrap();
        match *who {
            "admin" => assert!(audit_body.contains("Find a new job"), "{audit_body}"),
            "another tenant" => {
                assert_eq!(names_a_secret(&audit_body, &secrets), None, "{audit_body}")
            }
            _ => {
                assert_eq!(audit.code(), "FORBIDDEN", "{who}");
                assert_eq!(
                    names_a_secret(&audit_body, &secrets),
                    None,
                    "{who}: {audit_body}"
                );
            }
        }
        if *who != "another tenant" && *who != "integrator" {
            progress_seen.push(response.body["data"]["okr"]["parent"]["progress"]["value"].clone());
        }
    }
    // (0 × 1 + 0.3 × 2 + 0 × 1) / 4: the same figure for everyone.
    assert!(
        progress_seen.iter().all(|p| *p == json!("0.15")),
        "{progress_seen:?}"
    );
}

#[tokio::test]
async fn writes_naming_a_private_objective_answer_as_if_it_did_not_exist() {
    let app = start().await;
    let (org, secrets, quinn) = secrets(&app).await;
    let outsider = token(&app, "quinn@acme.example", Role::Member);
    let own = objective(&app, &org.admin, json!({ "cycleId": org.cycle, "title": "Quinn's own", "level": "INDIVIDUAL", "ownerId": quinn })).await;
    let nowhere = throughline_domain::graphql::encode_id("OkrObjective", uuid::Uuid::now_v7()).0;
    let nowhere_kr = throughline_domain::graphql::encode_id("OkrKeyResult", uuid::Uuid::now_v7()).0;
    let pat = token(&app, "pat@acme.example", Role::Member);
    let attempts = [
        (
            "align to it",
            "mutation($o: ID!, $p: ID!) { okr { align(input: {objectiveId: $o, parentObjectiveId: $p}) { objective { id } } } }",
            json!({ "o": own, "p": secrets.ids[0] }),
            json!({ "o": own, "p": nowhere }),
        ),
        (
            "update it",
            "mutation($p: ID!) { okr { updateObjective(input: {id: $p, version: 1, title: \"Mine now\"}) { objective { id } } } }",
            json!({ "p": secrets.ids[0] }),
            json!({ "p": nowhere }),
        ),
        (
            "check in on its key result",
            "mutation($k: ID!) { okr { recordCheckIn(input: {keyResultId: $k, value: \"1\"}) { checkIn { id } } } }",
            json!({ "k": secrets.secret_kr }),
            json!({ "k": nowhere_kr }),
        ),
        (
            "bulk-create under it",
            "mutation($c: ID!, $q: ID!, $p: ID!) { okr { bulkCreateObjectives(input: {cycleId: $c, objectives: [{title: \"Under\", level: INDIVIDUAL, ownerId: $q, parentObjectiveId: $p}]}) { objectives { id } } } }",
            json!({ "c": org.cycle, "q": quinn, "p": secrets.ids[0] }),
            json!({ "c": org.cycle, "q": quinn, "p": nowhere }),
        ),
    ];
    for (what, mutation, secret, missing) in attempts {
        let with_secret = app.gql(&outsider, mutation, secret).await;
        let with_nothing = app.gql(&outsider, mutation, missing.clone()).await;
        let (a, b) = (
            serde_json::to_string(&with_secret.body["errors"]).unwrap(),
            serde_json::to_string(&with_nothing.body["errors"]).unwrap(),
        );
        assert_ne!(a, "null", "{what}: refused");
        assert_eq!(
            names_a_secret(&a, &secrets),
            None,
            "{what}: the error names the secret: {a}"
        );
        let strip = |text: &str, ids: &[&str]| {
            ids.iter()
                .fold(text.to_string(), |t, id| t.replace(id, "ID"))
        };
        let secret_ids: Vec<&str> = secrets.ids.iter().map(String::as_str).collect();
        assert_eq!(
            strip(&a, &secret_ids),
            strip(&b, &[&nowhere, &nowhere_kr]),
            "{what}: a private objective must look like one that does not exist"
        );
    }
    // A co-owner may see it and align their own objective under it.
    let pats = objective(&app, &org.admin, json!({ "cycleId": org.cycle, "title": "Pat's", "level": "INDIVIDUAL", "ownerId": org.peer })).await;
    let aligned = app
        .gql(&pat, "mutation($o: ID!, $p: ID!) { okr { align(input: {objectiveId: $o, parentObjectiveId: $p}) { objective { id } } } }", json!({ "o": pats, "p": secrets.ids[0] }))
        .await;
    aligned.data();
}

#[tokio::test]
async fn check_ins_on_private_key_results_reach_only_subscribers_who_may_see_them() {
    let app = start().await;
    let (org, secrets, _) = secrets(&app).await;
    let outsider = token(&app, "quinn@acme.example", Role::Member);
    let manager = token(&app, "mia@acme.example", Role::Member);
    let subscribe = |token: String| {
        let app = &app;
        async move {
            let mut socket =
                connect(app, json!({ "authorization": format!("Bearer {token}") })).await;
            assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
            socket
                .send(Message::text(
                    json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { okrCheckInRecorded { value keyResult { title } } }" } }).to_string(),
                ))
                .await
                .unwrap();
            socket
        }
    };
    let mut outsider_socket = subscribe(outsider).await;
    let mut manager_socket = subscribe(manager).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    for (kr, value) in [(&secrets.secret_kr, "40"), (&secrets.visible_kr, "10")] {
        app.gql(
            &org.admin,
            CHECK_IN,
            json!({ "input": { "keyResultId": kr, "value": value } }),
        )
        .await
        .data();
    }
    let first = |event: Value| event["payload"]["data"]["okrCheckInRecorded"].clone();
    assert_eq!(
        first(next(&mut outsider_socket).await.unwrap()),
        json!({ "value": "10", "keyResult": { "title": "Visible KR" } }),
        "the outsider gets the visible check-in only"
    );
    assert_eq!(
        first(next(&mut manager_socket).await.unwrap()),
        json!({ "value": "40", "keyResult": { "title": "Secret KR" } }),
        "the owner's manager gets the private one"
    );
}

/// The key results following a metric (a scorecard measure's `keyResults`,
/// a metric's `followers`) keep the objective's privacy: a private one's
/// reach its owner and admins, never a peer; with OKRs off, none.
#[tokio::test]
async fn a_metric_s_followers_show_a_key_result_only_to_those_who_see_its_objective() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    app.gql(
        admin,
        r#"mutation { enableFramework(input: {key: "scorecard"}) { framework { key } } }"#,
        json!({}),
    )
    .await
    .data();
    let metric = throughline_tests::metrics::create_metric(&app, admin, "Revenue", json!({})).await;
    let open = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Grow revenue", "level": "TEAM", "ownerId": org.manager, "orgUnitId": org.unit })).await;
    let hidden = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Find a new job", "level": "INDIVIDUAL", "ownerId": org.report, "private": true })).await;
    for (objective, title) in [(&open, "Close 40 deals"), (&hidden, "Secret KR")] {
        app.gql(admin, CREATE_KR, json!({ "input": { "objectiveId": objective, "title": title, "metricId": metric, "target": { "kind": "INCREASE_TO", "start": "0", "target": "40" } } }))
            .await
            .data();
    }
    let card = throughline_tests::scorecard::scorecard(&app, admin, "Sales", &org.unit).await;
    let ps = app
        .gql(admin, "{ scorecard { perspectives { id } } }", json!({}))
        .await;
    let financial = ps.data()["scorecard"]["perspectives"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let grow =
        throughline_tests::scorecard::objective(&app, admin, &card, &financial, "Grow").await;
    throughline_tests::scorecard::mutate(
        &app,
        admin,
        "createMeasure",
        "CreateScorecardMeasureInput",
        json!({ "objectiveId": grow, "metricId": metric, "scoringType": "YES_NO" }),
        "{ measure { id } }",
    )
    .await
    .data();
    const READ: &str = r#"query($card: ID!, $metric: ID!) {
      scorecard { scorecard(id: $card) { objectives { measures { keyResults { kind framework title context owner { name } } } } } }
      metric(id: $metric) { followers { kind title } }
    }"#;
    let seen = |token: String| {
        let (app, card, metric) = (&app, card.clone(), metric.clone());
        async move {
            let r = app
                .gql(&token, READ, json!({ "card": card, "metric": metric }))
                .await;
            let data = r.data().clone();
            let krs: Vec<String> =
                data["scorecard"]["scorecard"]["objectives"][0]["measures"][0]["keyResults"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k["title"].as_str().unwrap().to_string())
                    .collect();
            let followers: Vec<(String, String)> = data["metric"]["followers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["kind"].as_str().unwrap().to_string(),
                        f["title"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (krs, followers, data)
        }
    };
    let (krs, followers, data) = seen(token(&app, "pat@acme.example", Role::Member)).await;
    assert_eq!(krs, ["Close 40 deals"], "a peer sees the open one only");
    assert!(!data.to_string().contains("Secret"), "{data}");
    let mut sorted = followers.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            ("okr.key_result".to_string(), "Close 40 deals".to_string()),
            ("scorecard.measure".to_string(), "Grow".to_string()),
        ]
    );
    assert_eq!(
        data["scorecard"]["scorecard"]["objectives"][0]["measures"][0]["keyResults"][0],
        json!({ "kind": "okr.key_result", "framework": "okr", "title": "Close 40 deals", "context": "Grow revenue", "owner": { "name": "Mia Manager" } })
    );
    let (mut krs, _, _) = seen(token(&app, "rob@acme.example", Role::Member)).await;
    krs.sort();
    assert_eq!(krs, ["Close 40 deals", "Secret KR"], "its owner sees both");
    let (krs, _, _) = seen(admin.clone()).await;
    assert_eq!(krs.len(), 2, "admins see both");
    app.gql(
        admin,
        r#"mutation { disableFramework(input: {key: "okr"}) { framework { key } } }"#,
        json!({}),
    )
    .await
    .data();
    let (krs, followers, _) = seen(admin.clone()).await;
    assert!(krs.is_empty(), "OKRs off: no key results");
    assert_eq!(
        followers,
        [("scorecard.measure".to_string(), "Grow".to_string())]
    );
}

/// The exceptions feed words a key result behind because of a private
/// objective aligned to it for each viewer: its owner's manager reads the
/// objective's name, a peer reads "1 private contribution" and never sees
/// the private objective's own key result, whoever asked first (the items
/// are kept across requests, the wording is the viewer's).
#[tokio::test]
async fn the_feed_words_a_key_result_behind_without_the_private_objectives_a_viewer_may_not_see() {
    let app = start().await;
    let org = org(&app).await;
    let admin = &org.admin;
    let parent = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Grow revenue", "level": "TEAM", "ownerId": org.manager, "orgUnitId": org.unit, "status": "ACTIVE" })).await;
    let driven = app
        .gql(admin, CREATE_KR, json!({ "input": { "objectiveId": parent, "title": "Driven KR", "target": { "kind": "MILESTONE" }, "progressSource": "ALIGNED_OBJECTIVES" } }))
        .await;
    let driven_kr = id_at(driven.data(), "okr.createKeyResult.keyResult.id");
    let job = objective(&app, admin, json!({ "cycleId": org.cycle, "title": "Find a new job", "level": "INDIVIDUAL", "ownerId": org.report, "private": true, "status": "ACTIVE" })).await;
    let secret_kr = kr(&app, admin, &job, "Secret KR").await;
    app.gql(
        admin,
        "mutation($input: OkrAlignInput!) { okr { align(input: $input) { objective { id } } } }",
        json!({ "input": { "objectiveId": job, "parentKeyResultId": driven_kr } }),
    )
    .await
    .data();
    // Judged off track by its owner, and so is what it drives.
    app.gql(
        admin,
        CHECK_IN,
        json!({ "input": { "keyResultId": secret_kr, "value": "5", "status": "OFF_TRACK" } }),
    )
    .await
    .data();
    let feed = |token: String| {
        let app = &app;
        async move {
            let response = app
                .gql(
                    &token,
                    "{ exceptions(first: 100) { totalCount nodes { kind subjectId title reason explanation { text inputs { name value } } } } }",
                    json!({}),
                )
                .await;
            response.data()["exceptions"].clone()
        }
    };
    let behind = |feed: &Value, subject: &str| {
        feed["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == "okr.key_result_behind" && n["subjectId"] == subject)
            .cloned()
    };
    for round in 0..2 {
        // The peer asks first in one round, the manager in the other.
        let viewers = [
            token(&app, "mia@acme.example", Role::Member),
            token(&app, "pat@acme.example", Role::Member),
        ];
        let order: Vec<usize> = if round == 0 { vec![1, 0] } else { vec![0, 1] };
        for at in order {
            let seen = feed(viewers[at].clone()).await;
            let item = behind(&seen, &driven_kr).expect("the driven key result is behind");
            let explanation = item["explanation"].to_string();
            if at == 0 {
                assert!(explanation.contains("Find a new job"), "{explanation}");
                assert!(
                    behind(&seen, &secret_kr).is_some(),
                    "the manager's report's"
                );
            } else {
                let body = seen.to_string();
                assert!(
                    !body.contains("Find a new job")
                        && !body.contains("Secret KR")
                        && !body.contains(&uuid_of(&job))
                        && !body.contains(&job),
                    "round {round}: the peer must not learn of the private objective: {body}"
                );
                assert!(
                    explanation.contains("1 private contribution"),
                    "it still counts, anonymous: {explanation}"
                );
                assert_eq!(seen["totalCount"], 1, "nor count it: {body}");
            }
        }
        // Something moves between the rounds: the items are worked out again.
        app.gql(
            admin,
            CHECK_IN,
            json!({ "input": { "keyResultId": secret_kr, "value": "6", "status": "OFF_TRACK" } }),
        )
        .await
        .data();
    }
}
