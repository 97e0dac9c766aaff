//! `GET /{framework}/{path}`: the documents frameworks serve beside
//! GraphQL (the scorecard's strategy map as SVG), for a browser's `<img>`
//! or a download link. The same door as GraphQL: the bearer token, the
//! `X-Tenant` header, the rate limit, the framework enabled for the
//! tenant, the request timeout; errors answer with GraphQL's JSON error
//! shape and codes.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::FutureExt;
use throughline_domain::DomainError;
use throughline_domain::framework::DocumentParams;

use crate::http::{Media, RequestId, authenticate, bearer, error_response, status_for};
use crate::state::AppState;

/// The longest query string a document takes: its parameters are a few
/// dates and names.
const MAX_QUERY_BYTES: usize = 2048;

fn refuse(err: DomainError) -> HttpResponse {
    error_response(status_for(&err), Media::Json, err)
}

pub async fn get(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (key, path) = path.into_inner();
    let Some(framework) = state.registry.iter().find(|f| f.key() == key).cloned() else {
        return refuse(DomainError::NotFound { entity: "document" });
    };
    if req.query_string().len() > MAX_QUERY_BYTES {
        return refuse(DomainError::validation(
            "query",
            format!("a document's query string is at most {MAX_QUERY_BYTES} bytes"),
        ));
    }
    let params = match web::Query::<DocumentParams>::from_query(req.query_string()) {
        Ok(params) => params.into_inner(),
        Err(_) => {
            return refuse(DomainError::validation(
                "query",
                "the query string is not `name=value&…` in URL encoding",
            ));
        }
    };
    let token = match bearer(&req) {
        Ok(token) => token,
        Err(err) => return error_response(StatusCode::UNAUTHORIZED, Media::Json, err),
    };
    let tenant = req
        .headers()
        .get("x-tenant")
        .map(|v| v.to_str().unwrap_or("\u{fffd}").trim());
    let context = match authenticate(&state, &token, tenant).await {
        Ok(context) => context,
        Err(err) => return refuse(err),
    };
    if let Err(err) = context.charge(1) {
        return refuse(err);
    }
    if !context.enabled_frameworks.contains(key.as_str()) {
        return refuse(DomainError::FrameworkDisabled(key));
    }
    let made = std::panic::AssertUnwindSafe(framework.document(&context.scope, &path, &params))
        .catch_unwind();
    let document = match tokio::time::timeout(state.limits.request_timeout, made).await {
        Ok(Ok(Ok(Some(document)))) => document,
        Ok(Ok(Ok(None))) => {
            return refuse(DomainError::NotFound { entity: "document" });
        }
        Ok(Ok(Err(err))) => return refuse(err),
        Ok(Err(panic)) => {
            let what = throughline_domain::error::panic_text(panic.as_ref());
            tracing::error!(panic = %what, "a document request panicked");
            return refuse(DomainError::Internal(format!("panic: {what}")));
        }
        Err(_) => {
            return refuse(DomainError::LimitExceeded(format!(
                "the document took longer than {} s and was stopped",
                state.limits.request_timeout.as_secs()
            )));
        }
    };
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, document.content_type))
        .insert_header(("x-request-id", RequestId::new().0.as_str()))
        // It holds the tenant's data, read with this caller's rights.
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("x-content-type-options", "nosniff"))
        // Opened on its own, a document runs nothing and loads nothing.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(document.body)
}
