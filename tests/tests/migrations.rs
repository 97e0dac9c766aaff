//! Every migrator goes down and up again cleanly, on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use throughline_tests::{start, start_with_probe};

#[tokio::test]
async fn migrations_go_down_and_up_again() {
    for app in [start().await, start_with_probe().await] {
        let status = throughline_migrations::status(&app.db, &app.registry)
            .await
            .unwrap();
        assert!(status.iter().all(|m| m.applied));
        throughline_migrations::down(&app.db, &app.registry)
            .await
            .unwrap();
        let status = throughline_migrations::status(&app.db, &app.registry)
            .await
            .unwrap();
        assert!(status.iter().all(|m| !m.applied), "{status:?}");
        let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), 503, "readiness reports pending migrations");
        throughline_migrations::up(&app.db, &app.registry)
            .await
            .unwrap();
        assert!(
            throughline_migrations::is_current(&app.db, &app.registry)
                .await
                .unwrap()
        );
        // The schema works again after the round trip.
        let keys: Vec<&str> = app.registry.iter().map(|f| f.key()).collect();
        app.tenant("acme", &keys).await;
        let admin = app.admin("acme");
        let created = app
            .gql(
                &admin,
                r#"mutation { createPerson(input: {name: "Again"}) { person { name } } }"#,
                serde_json::json!({}),
            )
            .await;
        assert_eq!(created.data()["createPerson"]["person"]["name"], "Again");
    }
}
