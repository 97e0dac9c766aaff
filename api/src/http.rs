//! The HTTP layer, following the GraphQL-over-HTTP specification:
//! `Accept` negotiation between `application/json` and
//! `application/graphql-response+json` (request errors answer 400 without
//! `data` under the latter), no mutations over GET (405), JSON-only POST
//! (415: a `text/plain` POST from any web page would otherwise run mutations),
//! no batches, a body-size limit and a per-request timeout.

use crate::sessions::{CachedSession, SessionCache};

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{ObjectType, Schema, SubscriptionType};
use futures_util::FutureExt;
use serde::Deserialize;
use throughline_domain::DomainError;
use throughline_domain::graphql::RequestContext;
use throughline_domain::service::{frameworks, service_accounts, users};

use crate::rate_limits::{Limit, RequestBudget, Subject};

use crate::schema::{ExecutionStarted, OperationName};
use crate::state::AppState;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Media {
    Json,
    GraphqlResponse,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::Json => "application/json; charset=utf-8",
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        }
    }
}

/// Picks the response media type from `Accept`; `None` if nothing we speak is acceptable.
pub fn negotiate(accept: Option<&str>) -> Option<Media> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(Media::Json);
    };
    let mut best: Option<(f32, u8, Media)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").map(str::to_string))
            .next()
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        // Specificity breaks ties: an exact type beats a wildcard.
        let candidate = match media.as_str() {
            GRAPHQL_RESPONSE => (q, 2, Media::GraphqlResponse),
            JSON => (q, 1, Media::Json),
            "application/*" | "*/*" => (q, 0, Media::Json),
            _ => continue,
        };
        if best
            .is_none_or(|(bq, bs, _)| candidate.0 > bq || (candidate.0 == bq && candidate.1 > bs))
        {
            best = Some(candidate);
        }
    }
    best.map(|(_, _, media)| media)
}

fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Seconds a client should wait before retrying while the database is away.
const RETRY_AFTER_SECONDS: &str = "2";

/// A response carrying only errors (a request error or an auth failure).
pub(crate) fn error_response(status: StatusCode, media: Media, error: DomainError) -> HttpResponse {
    let retry_after = match &error {
        DomainError::RateLimited {
            retry_after_seconds,
            ..
        } => Some(retry_after_seconds.to_string()),
        _ => None,
    };
    let mut body = serde_json::json!({ "errors": [crate::schema::refuse(error)] });
    let request_id = RequestId::new();
    tag_internal_errors(&mut body, &request_id);
    let mut response = HttpResponse::build(status);
    response.insert_header((header::CONTENT_TYPE, media.content_type()));
    response.insert_header(("x-request-id", request_id.0.as_str()));
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS));
    }
    if let Some(seconds) = retry_after {
        response.insert_header((header::RETRY_AFTER, seconds));
    }
    response.body(body.to_string())
}

pub(crate) fn status_for(error: &DomainError) -> StatusCode {
    use throughline_domain::ErrorCode::*;
    match error.code() {
        Unauthenticated => StatusCode::UNAUTHORIZED,
        Forbidden => StatusCode::FORBIDDEN,
        Validation | BadUserInput | GraphqlParseFailed | GraphqlValidationFailed => {
            StatusCode::BAD_REQUEST
        }
        LimitExceeded => StatusCode::BAD_REQUEST,
        RateLimited => StatusCode::TOO_MANY_REQUESTS,
        NotFound => StatusCode::NOT_FOUND,
        FrameworkDisabled => StatusCode::FORBIDDEN,
        ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The ID that ties a response to its log lines; every `INTERNAL` error
/// carries it in `extensions.requestId`, and every response in `X-Request-ID`.
pub(crate) struct RequestId(pub(crate) String);

impl RequestId {
    pub(crate) fn new() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }
}

/// Gives every error a code (an uncoded one is `INTERNAL`, logged) and every
/// `INTERNAL` the request ID. Returns whether any error says the database is
/// unavailable.
fn tag_internal_errors(body: &mut serde_json::Value, request_id: &RequestId) -> bool {
    let mut unavailable = false;
    let Some(errors) = body.get_mut("errors").and_then(|e| e.as_array_mut()) else {
        return false;
    };
    for error in errors {
        let Some(error) = error.as_object_mut() else {
            continue;
        };
        let message = error.get("message").cloned().unwrap_or_default();
        let extensions = error
            .entry("extensions")
            .or_insert_with(|| serde_json::json!({}));
        if !extensions.is_object() {
            *extensions = serde_json::json!({});
        }
        let Some(extensions) = extensions.as_object_mut() else {
            continue;
        };
        let code = match extensions.get("code").and_then(|c| c.as_str()) {
            Some(code) => code.to_string(),
            None => {
                tracing::error!(request_id = %request_id.0, %message, "an error without a code");
                extensions.insert("code".into(), "INTERNAL".into());
                "INTERNAL".to_string()
            }
        };
        if code == "INTERNAL" {
            extensions.insert("requestId".into(), request_id.0.clone().into());
            tracing::error!(request_id = %request_id.0, %message, "request answered INTERNAL");
            // Whatever it said is for the log, not the client.
            error.insert(
                "message".into(),
                DomainError::Internal(String::new()).message().into(),
            );
        }
        unavailable |= code == "SERVICE_UNAVAILABLE";
    }
    unavailable
}

/// The longest `retryAfter` of the response's `RATE_LIMITED` errors, if any.
fn retry_after_of(body: &serde_json::Value) -> Option<u64> {
    body.get("errors")?
        .as_array()?
        .iter()
        .filter_map(|error| error.get("extensions"))
        .filter(|extensions| {
            extensions.get("code").and_then(|c| c.as_str()) == Some("RATE_LIMITED")
        })
        .map(|extensions| {
            extensions
                .get("retryAfter")
                .and_then(|seconds| seconds.as_u64())
                .unwrap_or(1)
        })
        .max()
}

pub(crate) fn bearer(req: &HttpRequest) -> Result<String, DomainError> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        DomainError::Unauthenticated("send a bearer token: `Authorization: Bearer <JWT>`".into())
    })?;
    let text = value
        .to_str()
        .map_err(|_| DomainError::Unauthenticated("the Authorization header is not text".into()))?;
    let (scheme, token) = text
        .split_once(' ')
        .ok_or_else(|| DomainError::Unauthenticated("use `Authorization: Bearer <JWT>`".into()))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(DomainError::Unauthenticated(
            "use `Authorization: Bearer <JWT>`".into(),
        ));
    }
    Ok(token.trim().to_string())
}

/// Drops the tenant's cached sessions when the request committed a write,
/// whichever way it ends (answered, timed out, panicked).
struct ForgetSessionsAfterWrites<'a> {
    sessions: &'a SessionCache,
    scope: &'a throughline_domain::TenantScope,
}

impl Drop for ForgetSessionsAfterWrites<'_> {
    fn drop(&mut self) {
        if self.scope.committed_writes() > 0 {
            self.sessions.forget_tenant(self.scope.tenant_id());
        }
    }
}

/// Verifies the token and opens the tenant session the request acts in;
/// a session verified moments ago is reused (see `sessions`).
pub async fn authenticate(
    state: &AppState,
    token: &str,
    requested_tenant: Option<&str>,
) -> Result<RequestContext, DomainError> {
    // A service account's token is checked on every request, with its
    // account (one indexed statement): a revocation, or a change of role,
    // scopes or limit, holds from the next request in every process.
    let service_account = if service_accounts::is_service_account_token(token) {
        Some(service_accounts::check_token(&state.db, token).await?.1)
    } else {
        None
    };
    let cached = match state.sessions.get(token, requested_tenant) {
        Some(cached) => cached,
        None => {
            let (session, expires_at) = match &service_account {
                Some(account) => (
                    service_accounts::open_session(&state.db, account, requested_tenant).await?,
                    None,
                ),
                None => {
                    let identity = state.auth.verify(token).await?;
                    let session =
                        users::open_session(&state.db, &identity, requested_tenant).await?;
                    (session, identity.expires_at)
                }
            };
            let scope = throughline_domain::TenantScope::new(
                state.db.clone(),
                session.tenant.clone(),
                session.actor.clone(),
                state.events.clone(),
            );
            let framework_settings =
                std::sync::Arc::new(frameworks::enabled_settings(&scope).await?);
            let cached = CachedSession {
                session,
                enabled_frameworks: framework_settings.keys().cloned().collect(),
                framework_settings,
            };
            state
                .sessions
                .put(token, requested_tenant, expires_at, cached.clone());
            std::sync::Arc::new(cached)
        }
    };
    let (actor, scopes, own_limit) = match &service_account {
        Some(account) => {
            let scopes = service_accounts::scopes_of(account);
            (
                service_accounts::actor_of(account)?,
                (!scopes.is_empty()).then_some(scopes),
                account.rate_limit_per_minute,
            )
        }
        None => (cached.session.actor.clone(), None, None),
    };
    let tenant = &cached.session.tenant;
    let budget = RequestBudget {
        limiter: state.rate_limiter.clone(),
        limits: vec![
            Limit {
                subject: Subject::Tenant(tenant.id),
                per_minute: tenant.rate_limit_per_minute.max(1) as u32,
            },
            Limit {
                // A service account's tokens share one budget.
                subject: Subject::Client(
                    actor.service_account_id.unwrap_or(cached.session.user.id),
                ),
                per_minute: own_limit
                    .unwrap_or(tenant.client_rate_limit_per_minute)
                    .max(1) as u32,
            },
        ],
    };
    let scope = throughline_domain::TenantScope::new(
        state.db.clone(),
        cached.session.tenant.clone(),
        actor,
        state.events.clone(),
    )
    .with_framework_settings(cached.framework_settings.clone());
    Ok(RequestContext::new(
        scope,
        cached.session.user.clone(),
        state.registry.clone(),
        cached.enabled_frameworks.clone(),
    )
    .with_scopes(scopes)
    .with_budget(std::sync::Arc::new(budget))
    .with_batch_delay(state.limits.batch_delay))
}

/// The body of a POST, or the query string of a GET.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

async fn execute<Q, M, S>(
    req: &HttpRequest,
    state: &AppState,
    schema: &Schema<Q, M, S>,
    media: Media,
    request: async_graphql::Request,
) -> HttpResponse
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let token = match bearer(req) {
        Ok(token) => token,
        Err(err) => return error_response(StatusCode::UNAUTHORIZED, media, err),
    };
    // A header that is not text names no tenant that can exist: it is
    // refused like an unknown slug, never ignored.
    let tenant = req
        .headers()
        .get("x-tenant")
        .map(|v| v.to_str().unwrap_or("\u{fffd}").trim());
    let context = match authenticate(state, &token, tenant).await {
        Ok(context) => context,
        Err(err) => return error_response(status_for(&err), media, err),
    };
    if let Err(err) = context.charge(1) {
        return error_response(status_for(&err), media, err);
    }
    let started = ExecutionStarted::default();
    let operation = OperationName(request.operation_name.clone());
    // Sessions of a tenant something was written in may be stale now.
    let scope = context.scope.clone();
    let _forget = ForgetSessionsAfterWrites {
        sessions: &state.sessions,
        scope: &scope,
    };
    let mut request = request.data(context).data(started.clone()).data(operation);
    // `Idempotency-Key`, as Stripe's clients send it; a header that is not
    // text is a key no request can have, so it is kept (and fails the
    // length and character checks) rather than ignored.
    if let Some(key) = req.headers().get("idempotency-key") {
        let key = key.to_str().unwrap_or("\u{0}").to_string();
        request = request.data(throughline_domain::graphql::directory::IdempotencyKeyHeader(key));
    }
    // The deadline is checked before the execution on every wake-up, so a
    // request that overran never answers as if it had not.
    let deadline = tokio::time::sleep(state.limits.request_timeout);
    // A panic in a resolver fails this request alone (INTERNAL), never the
    // worker that serves other requests.
    let execution = std::panic::AssertUnwindSafe(schema.execute(request)).catch_unwind();
    tokio::pin!(deadline, execution);
    let response = tokio::select! {
        biased;
        _ = &mut deadline => None,
        response = &mut execution => Some(response),
    };
    let response = match response {
        Some(Ok(response)) => response,
        Some(Err(panic)) => {
            let what = throughline_domain::error::panic_text(panic.as_ref());
            tracing::error!(panic = %what, "a request panicked");
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                media,
                DomainError::Internal(format!("panic: {what}")),
            );
        }
        None => {
            let status = if media == Media::GraphqlResponse {
                StatusCode::GATEWAY_TIMEOUT
            } else {
                StatusCode::OK
            };
            return error_response(
                status,
                media,
                DomainError::LimitExceeded(format!(
                    "the request took longer than {} s and was stopped; ask for less",
                    state.limits.request_timeout.as_secs()
                )),
            );
        }
    };
    let request_error = !started.get() && response.is_err();
    let no_data = response.data == async_graphql::Value::Null;
    // Most answers carry no error: written out in one pass, with nothing to
    // tag.
    if response.errors.is_empty()
        && response.extensions.is_empty()
        && let Ok(body) = serde_json::to_string(&Answer {
            data: Ordered(&response.data),
        })
    {
        return HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, media.content_type()))
            .insert_header(("x-request-id", RequestId::new().0.as_str()))
            .body(body);
    }
    let mut body = if request_error && media == Media::GraphqlResponse {
        serde_json::json!({ "errors": response.errors })
    } else {
        serde_json::to_value(&response).unwrap_or_else(|_| serde_json::json!({ "errors": [] }))
    };
    let request_id = RequestId::new();
    let unavailable = tag_internal_errors(&mut body, &request_id);
    // A sync refused by the rate limit: 429 under either media type, as
    // every HTTP client's retry logic expects.
    let rate_limited = retry_after_of(&body);
    let status = if rate_limited.is_some() {
        StatusCode::TOO_MANY_REQUESTS
    } else if media != Media::GraphqlResponse {
        StatusCode::OK
    } else if unavailable && no_data {
        StatusCode::SERVICE_UNAVAILABLE
    } else if request_error {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut builder = HttpResponse::build(status);
    builder.insert_header((header::CONTENT_TYPE, media.content_type()));
    builder.insert_header(("x-request-id", request_id.0.as_str()));
    if let Some(seconds) = rate_limited {
        builder.insert_header((header::RETRY_AFTER, seconds.to_string()));
    } else if unavailable {
        builder.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS));
    }
    builder.body(body.to_string())
}

/// A response value written with every object's keys in alphabetical order,
/// as the error path writes them (through `serde_json::Value`). async-graphql
/// 7.2 assembles an object in the order its fields finish, so without this the
/// same query could answer with its keys in a different order each time.
struct Ordered<'a>(&'a async_graphql::Value);

/// An answer without errors.
#[derive(serde::Serialize)]
struct Answer<'a> {
    data: Ordered<'a>,
}

impl serde::Serialize for Ordered<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            async_graphql::Value::Object(fields) => {
                let mut sorted: Vec<_> = fields.iter().collect();
                sorted.sort_unstable_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
                let mut map = serializer.serialize_map(Some(sorted.len()))?;
                for (name, value) in sorted {
                    map.serialize_entry(name.as_str(), &Ordered(value))?;
                }
                map.end()
            }
            async_graphql::Value::List(items) => {
                let mut list = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    list.serialize_element(&Ordered(item))?;
                }
                list.end()
            }
            other => other.serialize(serializer),
        }
    }
}

fn not_acceptable() -> HttpResponse {
    HttpResponse::NotAcceptable()
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body("accept application/graphql-response+json or application/json")
}

/// `POST /graphql`.
pub async fn graphql_post<Q, M, S>(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    schema: web::Data<Schema<Q, M, S>>,
) -> HttpResponse
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let Some(media) = negotiate(
        req.headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    ) else {
        return not_acceptable();
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if content_type != JSON {
        return HttpResponse::UnsupportedMediaType()
            .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
            .body("POST /graphql takes `Content-Type: application/json`");
    }
    if body.len() > state.limits.max_body_bytes {
        return error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            media,
            DomainError::LimitExceeded(format!(
                "the request body is larger than {} bytes",
                state.limits.max_body_bytes
            )),
        );
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                media,
                DomainError::validation("body", format!("the body is not JSON: {e}")),
            );
        }
    };
    if value.is_array() {
        return error_response(
            StatusCode::BAD_REQUEST,
            media,
            DomainError::validation(
                "body",
                "batched requests are not supported; send one operation per request",
            ),
        );
    }
    let request: async_graphql::Request = match serde_json::from_value(value) {
        Ok(request) => request,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                media,
                DomainError::validation(
                    "body",
                    format!("the body is not a GraphQL request ({{\"query\": …}}): {e}"),
                ),
            );
        }
    };
    execute(&req, &state, &schema, media, request).await
}

/// `GET /graphql`: GraphiQL for browsers, queries (never mutations) otherwise.
pub async fn graphql_get<Q, M, S>(
    req: HttpRequest,
    state: web::Data<AppState>,
    schema: web::Data<Schema<Q, M, S>>,
) -> HttpResponse
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let params = match web::Query::<GetParams>::from_query(req.query_string()) {
        Ok(params) => params.into_inner(),
        Err(_) => GetParams {
            query: None,
            operation_name: None,
            variables: None,
            extensions: None,
        },
    };
    let Some(query) = params.query else {
        if wants_html(&req) {
            return graphiql();
        }
        let media = negotiate(
            req.headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok()),
        )
        .unwrap_or(Media::Json);
        return error_response(
            StatusCode::BAD_REQUEST,
            media,
            DomainError::validation("query", "pass the document in `query`"),
        );
    };
    let Some(media) = negotiate(
        req.headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    ) else {
        return not_acceptable();
    };
    // The document is parsed here, before authentication, to refuse
    // mutations: bound what the parser recurses over first.
    if let Err(err) = crate::document_limits::check_nesting(&query) {
        return error_response(StatusCode::BAD_REQUEST, media, err);
    }
    let parsed = async_graphql::parser::parse_query(&query).ok();
    if let Some(document) = &parsed {
        let operation = match &document.operations {
            DocumentOperations::Single(op) => Some(op.node.ty),
            DocumentOperations::Multiple(map) => params
                .operation_name
                .as_deref()
                .and_then(|name| map.iter().find(|(n, _)| n.as_str() == name))
                .map(|(_, op)| op.node.ty),
        };
        if operation == Some(OperationType::Mutation) {
            let mut response = error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                media,
                DomainError::validation("query", "mutations are only accepted over POST"),
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
    }
    let mut request = async_graphql::Request::new(query);
    // Parsed once: execution bounds and uses this document.
    if let Some(document) = parsed {
        request.set_parsed_query(document);
    }
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if let Some(variables) = params.variables {
        match serde_json::from_str::<serde_json::Value>(&variables) {
            Ok(value) => request = request.variables(async_graphql::Variables::from_json(value)),
            Err(_) => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    media,
                    DomainError::validation("variables", "`variables` is not JSON"),
                );
            }
        }
    }
    if let Some(extensions) = params.extensions
        && serde_json::from_str::<serde_json::Value>(&extensions).is_err()
    {
        return error_response(
            StatusCode::BAD_REQUEST,
            media,
            DomainError::validation("extensions", "`extensions` is not JSON"),
        );
    }
    execute(&req, &state, &schema, media, request).await
}

fn graphiql() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .subscription_endpoint("/graphql/ws")
                .finish(),
        )
}

/// `GET /healthz`: the process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers and every migration is applied,
/// within a second (a load balancer's probe must not hang on an outage).
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let unavailable = |status: &str| {
        HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS))
            .json(serde_json::json!({ "status": status }))
    };
    let check = async {
        state.db.ping().await.map_err(|e| {
            tracing::warn!(error = %e, "readiness: database unreachable");
            "database unreachable"
        })?;
        throughline_migrations::is_current(&state.db, &state.registry)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "readiness: cannot read migrations");
                "cannot read migration state"
            })
    };
    match tokio::time::timeout(std::time::Duration::from_millis(900), check).await {
        Ok(Ok(true)) => HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })),
        Ok(Ok(false)) => unavailable("migrations pending: run `throughline migrate`"),
        Ok(Err(status)) => unavailable(status),
        Err(_) => unavailable("database unreachable"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_write_keys_in_one_order_however_fields_finished() {
        use async_graphql::{Name, Value};
        let object = |keys: &[&str]| {
            Value::Object(
                keys.iter()
                    .map(|k| (Name::new(*k), Value::from(k.len() as i32)))
                    .collect(),
            )
        };
        let finished_one_way = Value::List(vec![object(&["title", "owner", "keyResults"])]);
        let finished_another = Value::List(vec![object(&["keyResults", "title", "owner"])]);
        let written = |data: &Value| {
            serde_json::to_string(&Answer {
                data: Ordered(data),
            })
            .unwrap()
        };
        assert_eq!(written(&finished_one_way), written(&finished_another));
        // The same text the error path writes through serde_json::Value.
        let through_value = serde_json::json!({ "data": finished_one_way }).to_string();
        assert_eq!(written(&finished_one_way), through_value);
    }

    #[test]
    fn negotiation_table() {
        let cases = [
            (None, Some(Media::Json)),
            (Some("application/json"), Some(Media::Json)),
            (
                Some("application/graphql-response+json"),
                Some(Media::GraphqlResponse),
            ),
            (
                Some("application/graphql-response+json, application/json;q=0.9"),
                Some(Media::GraphqlResponse),
            ),
            (
                Some("application/json, application/graphql-response+json"),
                Some(Media::GraphqlResponse),
            ),
            (
                Some("application/json;q=1, application/graphql-response+json;q=0.5"),
                Some(Media::Json),
            ),
            (Some("*/*"), Some(Media::Json)),
            (Some("text/html"), None),
            (Some("application/graphql-response+json;q=0"), None),
        ];
        for (accept, expected) in cases {
            assert_eq!(negotiate(accept), expected, "{accept:?}");
        }
    }
}
