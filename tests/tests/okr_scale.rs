//! OKRs (and the exceptions feed over them) at scale, in a test binary of its own so no other test competes for
//! the CPU while statements are counted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::json;

/// The alignment tree of a cycle, the first page of objectives with key
/// results, owners and health, and the first page of exceptions cost the
/// same number of statements on a 5,000-person tenant as on a 60-person one.
#[tokio::test]
async fn a_large_tenant_costs_the_same_number_of_statements() {
    let app = throughline_tests::start_with_limits(throughline_api::config::Limits {
        batch_delay: std::time::Duration::from_millis(500),
        ..Default::default()
    })
    .await;
    let mut counts = Vec::new();
    for (slug, people) in [("small", 60), ("large", 5000)] {
        let tenant = app.tenant(slug, &["okr"]).await;
        throughline_api::seed::seed_organisation(&app.db, &tenant, people, 2, 3)
            .await
            .unwrap();
        throughline_api::seed::seed_frameworks(&app.db, &app.registry, &tenant, 3)
            .await
            .unwrap();
        let admin = app.admin(slug);
        app.gql(&admin, "{ viewer { role } }", json!({}))
            .await
            .data();
        let cycles = app
            .gql(
                &admin,
                r#"{ okr { cycles(status: ACTIVE) { edges { node { id } } } } }"#,
                json!({}),
            )
            .await;
        let cycle = cycles.data()["okr"]["cycles"]["edges"][0]["node"]["id"].clone();
        let tree = "query($c: ID!) { okr { alignmentTree(cycleId: $c, first: 100) { totalCount nodes { depth objective { title progress { value } health owner { name } } } } } }";
        // Each count starts with a fresh session (tests keep sessions for
        // 300 ms, and a busy machine takes longer between requests), so
        // only the query itself is counted.
        let fresh = || app.gql(&admin, "{ viewer { role } }", json!({}));
        fresh().await.data();
        let (tree_response, tree_count) = app
            .count_statements(app.gql(&admin, tree, json!({ "c": cycle })))
            .await;
        let nodes = tree_response.data()["okr"]["alignmentTree"]["totalCount"]
            .as_u64()
            .unwrap();
        // Once the cycle is scored, the tree is shared: the cycle's row,
        // the page's objectives and their owners.
        fresh().await.data();
        let (warm_tree, warm_tree_count) = app
            .count_statements(app.gql(&admin, tree, json!({ "c": cycle })))
            .await;
        assert_eq!(warm_tree.body, tree_response.body);
        assert!(
            warm_tree_count <= 3,
            "{warm_tree_count} statements for a page of a tree already computed"
        );
        let page = "query($c: ID!) { okr { objectives(filter: {cycleId: $c}, first: 20) { totalCount edges { node { title owner { name } health progress { value } keyResults { title owner { name } progress { progress } health { health } } } } } } }";
        fresh().await.data();
        let (page_response, page_count) = app
            .count_statements(app.gql(&admin, page, json!({ "c": cycle })))
            .await;
        let total = page_response.data()["okr"]["objectives"]["totalCount"]
            .as_u64()
            .unwrap();
        // The exceptions feed across the core and OKRs: the seeded demo
        // raises each core kind about metrics (an off-target and a late key metric, a
        // leading metric flagging its KPI) and OKR ones.
        fresh().await.data();
        let feed = "{ exceptions(first: 20) { totalCount edges { node { kind severity title reason owner { name } orgUnit { name } } } } }";
        let (feed_response, feed_count) =
            app.count_statements(app.gql(&admin, feed, json!({}))).await;
        let exceptions = &feed_response.data()["exceptions"];
        let kinds: std::collections::BTreeSet<&str> = exceptions["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["node"]["kind"].as_str())
            .collect();
        let all_kinds = app
            .gql(
                &admin,
                "{ exceptions(first: 100, severityAtLeast: WARNING) { edges { node { kind title } } } }",
                json!({}),
            )
            .await;
        let raised: Vec<(String, String)> = all_kinds.data()["exceptions"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["node"]["kind"].as_str().unwrap().to_string(),
                    e["node"]["title"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        // On the large tenant a hundred key results behind come first.
        for wanted in [
            ("core.key_metric_late", "Deployments per week"),
            ("core.leading_metric_off_target", "Demos booked"),
        ] {
            assert!(
                slug == "large"
                    || raised
                        .iter()
                        .any(|(k, t)| (k.as_str(), t.as_str()) == wanted),
                "{slug}: {wanted:?} not in {raised:?}"
            );
        }
        assert!(kinds.contains("core.key_metric_off_target"), "{kinds:?}");
        assert!(kinds.iter().any(|k| k.starts_with("okr.")), "{kinds:?}");
        println!(
            "{slug} ({people} people, {total} objectives, {nodes} tree nodes): alignmentTree = {tree_count} statements (then {warm_tree_count}), objectives(first: 20) = {page_count} statements, exceptions(first: 20) = {feed_count} statements of {} exceptions",
            exceptions["totalCount"]
        );
        counts.push((tree_count, warm_tree_count, page_count, feed_count));
    }
    assert_eq!(
        counts[0], counts[1],
        "statements must not grow with the tenant"
    );
}
