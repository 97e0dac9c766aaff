//! Test harness: a real server on a free port over a fresh database (SQLite
//! by default, PostgreSQL when `TEST_DATABASE_URL` is set), an HTTP client,
//! token minting and an SQL statement counter.

// The merged GraphQL roots (core concepts, frameworks, the probe) nest deep
// enough that computing their resolvers' future layouts can pass rustc's
// default query depth on a clean build.
#![recursion_limit = "256"]
// Test support: a panic here is a failing test, not a crashed server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

pub mod metrics;
pub mod okr;
pub mod probe;
pub mod schema_walk;
pub mod scorecard;

/// A graphql-transport-ws client for subscription tests.
pub mod ws {
    use std::time::Duration;

    use futures_util::{SinkExt, StreamExt};
    use serde_json::{Value, json};
    pub use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::HeaderValue;

    use super::TestApp;

    pub type Socket = tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >;

    pub async fn connect(app: &TestApp, init: Value) -> Socket {
        let url = app.url("/graphql/ws").replace("http://", "ws://");
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        socket
            .send(Message::text(
                json!({ "type": "connection_init", "payload": init }).to_string(),
            ))
            .await
            .unwrap();
        socket
    }

    /// Waits for the server's `connection_ack`, then subscribes with `query`
    /// as operation `1`.
    pub async fn subscribe(socket: &mut Socket, query: &str) {
        assert_eq!(
            next(socket).await.unwrap_or_default()["type"],
            "connection_ack"
        );
        socket
            .send(Message::text(
                json!({ "id": "1", "type": "subscribe", "payload": { "query": query } })
                    .to_string(),
            ))
            .await
            .unwrap_or_else(|e| panic!("subscribing: {e}"));
    }

    /// The next JSON message, skipping pings; `None` when the socket closes.
    pub async fn next(socket: &mut Socket) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
                .await
                .expect("a message in time")?;
            match message.ok()? {
                Message::Text(text) => {
                    let value: Value = serde_json::from_str(&text).unwrap();
                    if value["type"] == "ping" {
                        continue;
                    }
                    return Some(value);
                }
                Message::Close(frame) => {
                    return Some(json!({ "closed": frame.map(|f| u16::from(f.code)) }));
                }
                _ => continue,
            }
        }
    }
}

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_graphql::{ObjectType, Schema, SubscriptionType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::{Value, json};
use throughline_api::auth::{Authenticator, Claims, claims_for};
use throughline_api::config::Limits;
use throughline_api::server::{self, RunningServer};
use throughline_api::state::AppState;
use throughline_domain::FrameworkRegistry;
use throughline_domain::entity::{outbox_event, tenant};
use throughline_domain::enums::Role;
use throughline_domain::events::EventBus;
use throughline_domain::service::tenants::{self, NewTenant};

pub const SECRET: &[u8] = b"test-secret-that-is-long-enough-for-hs256!";
pub const ISSUER: &str = "throughline";
pub const AUDIENCE: &str = "throughline";

/// A fresh database that removes itself when dropped.
struct TestDatabase {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    async fn create() -> Self {
        let id = uuid::Uuid::now_v7().simple().to_string();
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(admin_url) if admin_url.starts_with("postgres") => {
                // A CI run names its own (`TEST_DATABASE_PREFIX`), so its
                // clean-up never drops another run's databases.
                let prefix = std::env::var("TEST_DATABASE_PREFIX")
                    .ok()
                    .filter(|p| {
                        !p.is_empty()
                            && p.len() <= 24
                            && p.chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    })
                    .unwrap_or_else(|| "tl_test_".to_string());
                let name = format!("{prefix}{id}");
                let admin = sea_orm::Database::connect(&admin_url)
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create a test database");
                admin.close().await.ok();
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(base, _)| base)
                    .unwrap_or(&admin_url);
                let url = format!("{base}/{name}");
                Self {
                    url,
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
            _ => {
                let path = std::env::temp_dir().join(format!("throughline-test-{id}.db"));
                let url = format!("sqlite://{}?mode=rwc", path.display());
                Self {
                    url,
                    cleanup: Cleanup::File(path),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs outside async; a short-lived runtime on its own thread does the work.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    runtime.block_on(async {
                        let admin = sea_orm::Database::connect(&admin_url).await.ok()?;
                        admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await
                            .ok()
                    })
                })
                .join();
            }
        }
    }
}

/// A running server over a fresh database.
pub struct TestApp {
    pub base_url: String,
    pub db: DatabaseConnection,
    pub registry: FrameworkRegistry,
    pub auth: Arc<Authenticator>,
    pub client: reqwest::Client,
    pub events: EventBus,
    statements: Arc<AtomicUsize>,
    server: Option<RunningServer>,
    _database: TestDatabase,
}

/// The product schema, as `serve` builds it.
pub async fn start() -> TestApp {
    start_with(
        throughline_api::schema::app_schema,
        throughline_api::registry::frameworks(),
        Limits::default(),
    )
    .await
}

/// The product schema plus the probe framework that lives only in the tests.
pub async fn start_with_probe() -> TestApp {
    start_with(probe::schema, probe::registry(), Limits::default()).await
}

/// The product schema and frameworks plus the probe framework: every
/// framework there is, for tests that walk them all.
pub async fn start_with_every_framework() -> TestApp {
    let mut frameworks: Vec<_> = throughline_api::registry::frameworks()
        .iter()
        .cloned()
        .collect();
    frameworks.extend(probe::registry().iter().cloned());
    start_with(probe::schema, frameworks.into(), Limits::default()).await
}

pub async fn start_with<Q, M, S>(
    build: impl FnOnce(&Limits) -> Schema<Q, M, S>,
    registry: FrameworkRegistry,
    limits: Limits,
) -> TestApp
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    start_custom(
        build,
        registry,
        limits,
        Authenticator::with_secret(SECRET, ISSUER, AUDIENCE),
    )
    .await
}

/// The product schema with other limits.
pub async fn start_with_limits(limits: Limits) -> TestApp {
    start_with(
        throughline_api::schema::app_schema,
        throughline_api::registry::frameworks(),
        limits,
    )
    .await
}

/// The product schema verifying tokens with `auth` (an identity provider's keys).
pub async fn start_with_auth(auth: Authenticator) -> TestApp {
    start_custom(
        throughline_api::schema::app_schema,
        throughline_api::registry::frameworks(),
        Limits::default(),
        auth,
    )
    .await
}

pub async fn start_custom<Q, M, S>(
    build: impl FnOnce(&Limits) -> Schema<Q, M, S>,
    registry: FrameworkRegistry,
    limits: Limits,
    auth: Authenticator,
) -> TestApp
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    // Server-side causes of INTERNAL errors show in a failing test's output.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
        .with_test_writer()
        .try_init();
    let database = TestDatabase::create().await;
    let mut db = throughline_api::db::connect(&database.url)
        .await
        .expect("connect to the test database");
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |info| {
        // The event dispatcher runs beside requests; its statements are not the request's.
        let sql = &info.statement.sql;
        if !sql.contains("outbox_events") && !sql.contains("event_delivery_failures") {
            counter.fetch_add(1, Ordering::SeqCst);
            // TL_PRINT_SQL=1 shows what a counted request ran.
            if std::env::var_os("TL_PRINT_SQL").is_some() {
                eprintln!(
                    "SQL: {}",
                    &info.statement.sql[..info.statement.sql.len().min(160)]
                );
            }
        }
    });
    throughline_migrations::up(&db, &registry)
        .await
        .expect("migrate the test database");
    let auth = Arc::new(auth);
    let events = EventBus::new();
    // Debug builds on a loaded CI machine can take longer than the product's
    // batch window to reach every row of a page; the statement counts must not
    // depend on the machine's speed.
    // A socket's running subscriptions re-check their credentials within
    // a test's patience.
    let limits = Limits {
        batch_delay: limits.batch_delay.max(Duration::from_millis(25)),
        socket_recheck: limits.socket_recheck.min(Duration::from_millis(300)),
        // A reminder sweep's statement must not be counted as a request's:
        // it runs only in the tests that ask for a quicker one.
        reminder_sweep: if limits.reminder_sweep < Limits::default().reminder_sweep {
            limits.reminder_sweep
        } else {
            Duration::from_secs(24 * 3600)
        },
        ..limits
    };
    let state = AppState {
        db: db.clone(),
        auth: auth.clone(),
        registry: registry.clone(),
        events: events.clone(),
        limits: limits.clone(),
        rate_limiter: Default::default(),
        sessions: Arc::new(throughline_api::sessions::SessionCache::new(
            limits.session_cache_ttl,
        )),
    };
    let schema = build(&limits);
    let server = server::start(
        state,
        schema,
        "127.0.0.1:0".parse().unwrap(),
        Duration::from_secs(3600),
        Some(1),
    )
    .await
    .expect("start the server");
    TestApp {
        base_url: format!("http://{}", server.addr),
        db,
        registry,
        auth,
        // The server closes idle connections after 5 s (actix's keep-alive);
        // a pooled connection reused at that moment fails with
        // IncompleteMessage, as after seeding a large tenant. Drop them first.
        client: reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_secs(2))
            .build()
            .expect("an HTTP client"),
        events,
        statements,
        server: Some(server),
        _database: database,
    }
}

/// A GraphQL response, with helpers for the usual assertions.
#[derive(Debug, Clone)]
pub struct Gql {
    pub status: u16,
    pub body: Value,
}

impl Gql {
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "expected no errors, got {}",
            serde_json::to_string_pretty(&self.body).unwrap()
        );
        &self.body["data"]
    }

    /// The first error's `extensions.code`.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error with a code, got {}", self.body))
    }

    /// The first error's `extensions.field`.
    pub fn field(&self) -> &str {
        self.body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error with a field, got {}", self.body))
    }

    pub fn message(&self) -> &str {
        self.body["errors"][0]["message"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Creates a tenant with the given frameworks enabled.
    pub async fn tenant(&self, slug: &str, frameworks: &[&str]) -> tenant::Model {
        let tenant = tenants::create_tenant(
            &self.db,
            &self.registry,
            NewTenant {
                slug: slug.into(),
                name: format!("Tenant {slug}"),
                fiscal_year_start_month: Some(1),
                time_zone: None,
                frameworks: frameworks.iter().map(|f| f.to_string()).collect(),
            },
            None,
        )
        .await
        .expect("create tenant");
        self.events.wake_dispatcher();
        tenant
    }

    pub fn claims(&self, tenant: &str, email: &str, role: Role) -> Claims {
        claims_for(&self.auth, tenant, email, role, Duration::from_secs(3600))
    }

    /// A valid token for `email` with `role` in `tenant`.
    pub fn token(&self, tenant: &str, email: &str, role: Role) -> String {
        self.auth.mint(&self.claims(tenant, email, role)).unwrap()
    }

    pub fn admin(&self, tenant: &str) -> String {
        self.token(tenant, &format!("admin@{tenant}.example"), Role::Admin)
    }

    /// POSTs a GraphQL request with `Accept: application/json`.
    pub async fn gql(&self, token: &str, query: &str, variables: Value) -> Gql {
        self.gql_with(token, query, variables, &[]).await
    }

    pub async fn gql_with(
        &self,
        token: &str,
        query: &str,
        variables: Value,
        headers: &[(&str, &str)],
    ) -> Gql {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        Gql { status, body }
    }

    /// Waits until every committed event has been dispatched (waking the
    /// dispatcher for events written outside a request, e.g. by seeding).
    pub async fn settle(&self) {
        for _ in 0..500 {
            self.events.wake_dispatcher();
            let pending = outbox_event::Entity::find()
                .filter(outbox_event::Column::DispatchedAt.is_null())
                .count(&self.db)
                .await
                .unwrap();
            if pending == 0 {
                // And, for a while, until the change feed shows them (a
                // writer a test holds open on purpose stops this, not it).
                for _ in 0..100 {
                    if self.feed_shows_every_commit().await {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("events were not dispatched");
    }

    /// Whether the change feed shows every committed event: on PostgreSQL it
    /// shows those below the oldest running write transaction of the whole
    /// server, and the other tests' migrations are such transactions.
    async fn feed_shows_every_commit(&self) -> bool {
        if self.db.get_database_backend() != sea_orm::DbBackend::Postgres {
            return true;
        }
        let statement = sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*) AS n FROM outbox_events WHERE txid >= pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
        );
        match self.db.query_one_raw(statement).await {
            Ok(Some(row)) => row.try_get::<i64>("", "n").map(|n| n == 0).unwrap_or(true),
            _ => true,
        }
    }

    /// Counts the SQL statements `work` executes (the dispatcher's excluded).
    pub async fn count_statements<F: std::future::Future<Output = T>, T>(
        &self,
        work: F,
    ) -> (T, usize) {
        self.settle().await;
        let before = self.statements.load(Ordering::SeqCst);
        let out = work.await;
        (out, self.statements.load(Ordering::SeqCst) - before)
    }

    /// The test database's URL, for a connection of the test's own.
    pub fn database_url(&self) -> &str {
        &self._database.url
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }
}

/// The ID of `path` in a response, e.g. `createPerson.person.id`.
pub fn id_at(data: &Value, path: &str) -> String {
    let mut value = data;
    for part in path.split('.') {
        value = &value[part];
    }
    value
        .as_str()
        .unwrap_or_else(|| panic!("no string at {path} in {data}"))
        .to_string()
}
