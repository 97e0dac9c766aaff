//! Starting and stopping the HTTP server and the event dispatcher.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, web};
use async_graphql::{Data, ObjectType, Schema, SubscriptionType};
use async_graphql_actix_web::GraphQLSubscription;
use tokio::sync::Notify;

use crate::http;
use crate::sockets::SocketCredentials;
use crate::state::AppState;

/// A running server: its address, and how to stop it.
pub struct RunningServer {
    pub addr: SocketAddr,
    handle: ServerHandle,
    /// One permit for each background task: the event dispatcher and the
    /// reminder sweep.
    background_stops: [Arc<Notify>; 2],
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stops accepting, lets in-flight requests finish, stops the dispatcher.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        Self::stop_background(&self.background_stops);
        let _ = self.server.await;
    }

    fn stop_background(stops: &[Arc<Notify>]) {
        // A permit, not a wake-up: a task busy with a round when the
        // server stops sees it once the round ends.
        for stop in stops {
            stop.notify_one();
        }
    }

    /// Waits until the server ends (SIGINT/SIGTERM stop it gracefully).
    pub async fn wait(self) -> std::io::Result<()> {
        let result = self.server.await.unwrap_or(Ok(()));
        Self::stop_background(&self.background_stops);
        result
    }
}

/// `GET /graphql/ws`: graphql-transport-ws; the token is checked in `connection_init`
/// (`{"authorization": "Bearer …", "tenant": "slug"}`).
async fn graphql_ws<Q, M, S>(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    schema: web::Data<Schema<Q, M, S>>,
) -> actix_web::Result<HttpResponse>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let state = state.get_ref().clone();
    GraphQLSubscription::new(Schema::clone(&schema))
        .on_connection_init(move |value| async move {
            let field = |name: &str| {
                value
                    .get(name)
                    .or_else(|| value.get(name.to_ascii_uppercase()))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let authorization = field("authorization")
                .or_else(|| field("Authorization"))
                .unwrap_or_default();
            let token = authorization
                .strip_prefix("Bearer ")
                .or_else(|| authorization.strip_prefix("bearer "))
                .unwrap_or(&authorization)
                .trim()
                .to_string();
            let tenant = field("tenant").or_else(|| field("X-Tenant"));
            let mut context = http::authenticate(&state, &token, tenant.as_deref()).await?;
            // A socket lives for hours: its operations read settings fresh,
            // and check its credentials again (see `sockets`).
            context.scope = context.scope.clone().without_framework_settings();
            let credentials = SocketCredentials::new(state.clone(), token, tenant, &context);
            let mut data = Data::default();
            data.insert(context);
            data.insert(std::sync::Arc::new(credentials));
            Ok(data)
        })
        .start(&req, payload)
}

pub fn routes<Q, M, S>(config: &mut web::ServiceConfig)
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    config
        .route("/graphql", web::post().to(http::graphql_post::<Q, M, S>))
        .route("/graphql", web::get().to(http::graphql_get::<Q, M, S>))
        .route("/graphql/ws", web::get().to(graphql_ws::<Q, M, S>))
        .route("/healthz", web::get().to(http::healthz))
        .route("/readyz", web::get().to(http::readyz))
        // Last: every path above is the server's own.
        .route(
            "/{framework}/{path:.*}",
            web::get().to(crate::framework_documents::get),
        );
}

/// Binds and starts the server and the event dispatcher.
pub async fn start<Q, M, S>(
    state: AppState,
    schema: Schema<Q, M, S>,
    listen: SocketAddr,
    event_poll: Duration,
    workers: Option<usize>,
) -> std::io::Result<RunningServer>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let dispatcher_stop = Arc::new(Notify::new());
    tokio::spawn(throughline_domain::dispatcher::run_dispatcher(
        state.db.clone(),
        state.events.clone(),
        state.registry.clone(),
        event_poll,
        dispatcher_stop.clone(),
    ));
    let reminders_stop = Arc::new(Notify::new());
    tokio::spawn(throughline_domain::service::review_reminders::run(
        state.db.clone(),
        state.events.clone(),
        state.limits.reminder_sweep,
        reminders_stop.clone(),
    ));
    let body_limit = state.limits.max_body_bytes + 1024;
    let state_data = web::Data::new(state);
    let schema_data = web::Data::new(schema);
    let mut server = actix_web::HttpServer::new(move || {
        App::new()
            .app_data(state_data.clone())
            .app_data(schema_data.clone())
            .app_data(web::PayloadConfig::new(body_limit))
            .configure(routes::<Q, M, S>)
    })
    .shutdown_timeout(30);
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    let server = server.bind(listen)?;
    let addr = server.addrs().first().copied().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "bound to no address")
    })?;
    let server = server.run();
    let handle = server.handle();
    Ok(RunningServer {
        addr,
        handle,
        background_stops: [dispatcher_stop, reminders_stop],
        server: tokio::spawn(server),
    })
}
