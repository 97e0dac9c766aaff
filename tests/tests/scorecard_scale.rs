//! The seeded scorecards at scale, in a test binary of its own so no other
//! test competes for the CPU while statements are counted: the whole
//! company scorecard for a period (every node's score, leading and lagging
//! scores and explanation), its 36-period history, its strategy map and
//! the exceptions feed cost the same statements on a 5,000-person tenant as
//! on a 60-person one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{Value, json};

const WHOLE: &str = r#"query($id: ID!, $p: Date) { scorecard { scorecard(id: $id) {
  title
  score(period: $p) { score status leading { score } lagging { score } explanation { text } }
  perspectives {
    perspective { name }
    score(period: $p) { score weight leading { score } lagging { score } explanation { text } }
    objectives {
      title owner { name }
      score(period: $p) { score leading { score } lagging { score } explanation { text } }
      initiatives { title health { score } }
      commentary(period: $p) { analysis }
      measures {
        metric { name }
        score(period: $p) { value valueSource score status explanation { text } }
      }
    }
  }
} } }"#;

const HISTORY: &str = r#"query($id: ID!, $from: Date!, $to: Date!) { scorecard { scorecard(id: $id) {
  scoreHistory(from: $from, to: $to) { score leading { score } lagging { score } }
  perspectives {
    scoreHistory(from: $from, to: $to) { score }
    objectives {
      scoreHistory(from: $from, to: $to) { score }
      measures { scoreHistory(from: $from, to: $to) { score } }
    }
  }
} } }"#;

fn month(back: u32) -> String {
    use chrono::Datelike;
    let today = chrono::Utc::now().date_naive();
    let first = chrono::NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap();
    (first - chrono::Months::new(back)).to_string()
}

fn count_nodes(whole: &Value) -> (usize, usize) {
    let card = &whole["scorecard"]["scorecard"];
    let objectives: Vec<&Value> = card["perspectives"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["objectives"].as_array().unwrap())
        .collect();
    let measures = objectives
        .iter()
        .map(|o| o["measures"].as_array().unwrap().len())
        .sum();
    (objectives.len(), measures)
}

#[tokio::test]
async fn the_seeded_company_scorecard_costs_the_same_statements_at_any_tenant_size() {
    let app = throughline_tests::start_with_limits(throughline_api::config::Limits {
        batch_delay: std::time::Duration::from_millis(500),
        ..Default::default()
    })
    .await;
    let mut counts = Vec::new();
    let mut map_list_counts = Vec::new();
    for (slug, people) in [("small", 60), ("large", 5000)] {
        let tenant = app.tenant(slug, &["scorecard"]).await;
        throughline_api::seed::seed_organisation(&app.db, &tenant, people, 36, 3)
            .await
            .unwrap();
        throughline_api::seed::seed_frameworks(&app.db, &app.registry, &tenant, 3)
            .await
            .unwrap();
        let admin = app.admin(slug);
        let cards = app
            .gql(
                &admin,
                "{ scorecard { scorecards(first: 100) { totalCount nodes { id title } } } }",
                json!({}),
            )
            .await;
        let nodes = cards.data()["scorecard"]["scorecards"]["nodes"]
            .as_array()
            .unwrap()
            .clone();
        let company = nodes
            .iter()
            .find(|n| n["title"] == "Company scorecard")
            .unwrap_or_else(|| panic!("{nodes:?}"));
        let id = company["id"].as_str().unwrap().to_string();
        let fresh = || app.gql(&admin, "{ viewer { role } }", json!({}));
        fresh().await.data();
        let (whole, whole_count) = app
            .count_statements(app.gql(&admin, WHOLE, json!({ "id": id, "p": month(1) })))
            .await;
        assert_eq!(count_nodes(whole.data()), (20, 100), "{slug}");
        // Read again, the design is kept: of its statements only the
        // scorecard rows (with their design revision), the metrics and
        // their targets are read, not the nine of the scorecard's tables.
        let (again, warm_count) = app
            .count_statements(app.gql(&admin, WHOLE, json!({ "id": id, "p": month(1) })))
            .await;
        assert_eq!(again.data(), whole.data(), "{slug}: the same answer");
        assert!(
            warm_count + 9 <= whole_count,
            "{slug}: {warm_count} statements warm, {whole_count} cold"
        );
        println!("{slug}: company scorecard read again = {warm_count} statements");
        let card = &whole.data()["scorecard"]["scorecard"];
        assert_eq!(card["perspectives"].as_array().unwrap().len(), 4);
        // Each objective measures five different metrics.
        for p in card["perspectives"].as_array().unwrap() {
            for o in p["objectives"].as_array().unwrap() {
                let names: std::collections::BTreeSet<&str> = o["measures"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|m| m["metric"]["name"].as_str())
                    .collect();
                assert_eq!(names.len(), 5, "{slug}: {o}");
            }
        }
        assert!(card["score"]["score"].is_string(), "{slug}: scored: {card}");
        fresh().await.data();
        let (history, history_count) = app
            .count_statements(app.gql(
                &admin,
                HISTORY,
                json!({ "id": id, "from": month(36), "to": month(1) }),
            ))
            .await;
        let series = history.data()["scorecard"]["scorecard"]["scoreHistory"]
            .as_array()
            .unwrap();
        assert_eq!(series.len(), 36);
        // The seeded story: red once, better lately.
        let scored: Vec<f64> = series
            .iter()
            .filter_map(|s| s["score"].as_str()?.parse().ok())
            .collect();
        assert!(scored.len() >= 30, "{slug}: {series:?}");
        assert!(
            scored.iter().rev().take(3).sum::<f64>() > scored.iter().take(3).sum::<f64>(),
            "{slug}: the last months score above the first: {scored:?}"
        );
        fresh().await.data();
        let (map, map_count) = app
            .count_statements(app.gql(
                &admin,
                "query($id: ID!, $p: Date) { scorecard { strategyMap(scorecardId: $id, period: $p) { nodes { score } edges { causeId } crossings } } }",
                json!({ "id": id, "p": month(1) }),
            ))
            .await;
        let map = &map.data()["scorecard"]["strategyMap"];
        assert_eq!(map["nodes"].as_array().unwrap().len(), 20);
        assert_eq!(map["edges"].as_array().unwrap().len(), 17);
        fresh().await.data();
        let (feed, feed_count) = app
            .count_statements(app.gql(
                &admin,
                "{ exceptions(first: 20) { totalCount edges { node { kind title } } } }",
                json!({}),
            ))
            .await;
        let kinds: Vec<&str> = feed.data()["exceptions"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["node"]["kind"].as_str())
            .collect();
        assert!(
            kinds.iter().any(|k| k.starts_with("scorecard.")),
            "{slug}: {kinds:?}"
        );
        // Every scorecard of the tenant with its score, as a list page
        // shows them: read and scored together, not one by one.
        fresh().await.data();
        let (list, list_count) = app
            .count_statements(app.gql(
                &admin,
                "query($p: Date) { scorecard { scorecards(first: 100) { nodes { title score(period: $p) { score } } } } }",
                json!({ "p": month(1) }),
            ))
            .await;
        let listed = list.data()["scorecard"]["scorecards"]["nodes"]
            .as_array()
            .unwrap();
        assert_eq!(listed.len(), nodes.len());
        assert!(
            listed.iter().all(|n| n["score"]["score"].is_string()),
            "{listed:?}"
        );
        // And every scorecard's strategy map on one page: their links in
        // one statement, not one a scorecard.
        fresh().await.data();
        let (maps, maps_count) = app
            .count_statements(app.gql(
                &admin,
                "query($p: Date) { scorecard { scorecards(first: 100) { nodes { strategyMap(period: $p) { edges { causeId } } } } } }",
                json!({ "p": month(1) }),
            ))
            .await;
        let maps = maps.data()["scorecard"]["scorecards"]["nodes"]
            .as_array()
            .unwrap();
        assert_eq!(maps.len(), nodes.len());
        assert!(
            maps.iter()
                .all(|n| n["strategyMap"]["edges"].as_array().unwrap().len() == 17),
            "{maps:?}"
        );
        println!("{slug}: every scorecard's strategy map = {maps_count} statements");
        map_list_counts.push(maps_count);
        println!(
            "{slug} ({people} people, {} scorecards): company scorecard = {whole_count} statements, 36-period history = {history_count}, strategy map = {map_count}, exceptions(first: 20) = {feed_count}, every scorecard's score = {list_count}",
            nodes.len()
        );
        counts.push((
            whole_count,
            history_count,
            map_count,
            feed_count,
            list_count,
        ));
    }
    assert_eq!(
        counts[0], counts[1],
        "the same statements on a 5,000-person tenant"
    );
    assert_eq!(
        map_list_counts[0], map_list_counts[1],
        "six scorecards' maps cost what nine do"
    );
    let (whole, history, map, _, _) = counts[0];
    assert!(whole <= 20, "{whole} statements for the whole scorecard");
    assert!(history <= 16, "{history} statements for its history");
    assert!(map <= 16, "{map} statements for its map");
}
