//! The one client-safe error type at the domain boundary.
//!
//! Every failure a client can see is a [`DomainError`] with a code from a fixed
//! set. Database errors never reach the client as text: they are logged with
//! their cause and answered as `INTERNAL`.

use async_graphql::ErrorExtensions;

/// The fixed set of error codes carried in `extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    Validation,
    Conflict,
    FrameworkDisabled,
    LimitExceeded,
    /// Too many requests (or sync records) for now; retry after
    /// `extensions.retryAfter` seconds (the `Retry-After` header).
    RateLimited,
    /// The database is unreachable for now; retry after `Retry-After`.
    ServiceUnavailable,
    Internal,
    /// The document is not GraphQL.
    GraphqlParseFailed,
    /// The document does not fit the schema.
    GraphqlValidationFailed,
    /// A variable, argument or `operationName` cannot be used as given.
    BadUserInput,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::Validation => "VALIDATION",
            Self::Conflict => "CONFLICT",
            Self::FrameworkDisabled => "FRAMEWORK_DISABLED",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::RateLimited => "RATE_LIMITED",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::Internal => "INTERNAL",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::BadUserInput => "BAD_USER_INPUT",
        }
    }
}

/// Deliberately not `Display`: async-graphql converts anything `Display` into an
/// error without a code, so keeping it off makes `?` in a resolver go through
/// our own conversion below, which sets `extensions.code` and hides internals.
#[derive(Debug, Clone)]
pub enum DomainError {
    Unauthenticated(String),
    Forbidden(String),
    NotFound {
        entity: &'static str,
    },
    /// A bad input. `field` is the input path a client can point at, e.g.
    /// `input.managerId` or `input.values[2].period`.
    Validation {
        field: String,
        message: String,
    },
    Conflict(String),
    FrameworkDisabled(String),
    LimitExceeded(String),
    /// Over a rate limit; worth retrying after `retry_after_seconds`.
    RateLimited {
        message: String,
        retry_after_seconds: u64,
    },
    /// The database cannot be reached; the message is for logs only.
    Unavailable(String),
    /// The message is for logs only; clients see a generic text.
    Internal(String),
    /// The document is not GraphQL.
    ParseFailed(String),
    /// The document does not fit the schema.
    DocumentInvalid(String),
    /// A variable, argument or `operationName` that cannot be used; `field`
    /// names it (`variables.input.title`, `operationName`).
    BadUserInput {
        field: String,
        message: String,
    },
}

pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(entity: &'static str) -> Self {
        Self::NotFound { entity }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }

    pub fn stale_version(entity: &'static str) -> Self {
        Self::Conflict(format!(
            "this {entity} was changed by someone else since you read it; reload it and apply your change to the current version"
        ))
    }

    /// The text a person can act on; never internals.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated(m)
            | Self::Forbidden(m)
            | Self::Conflict(m)
            | Self::LimitExceeded(m)
            | Self::ParseFailed(m)
            | Self::DocumentInvalid(m) => m.clone(),
            Self::BadUserInput { message, .. } | Self::RateLimited { message, .. } => {
                message.clone()
            }
            Self::Unavailable(_) => {
                "the database is unreachable right now; retry in a few seconds".to_string()
            }
            Self::NotFound { entity } => format!("{entity} not found"),
            Self::Validation { message, .. } => message.clone(),
            Self::FrameworkDisabled(key) => format!(
                "the {key} framework is not enabled for this tenant; an admin can enable it with enableFramework"
            ),
            Self::Internal(_) => {
                "something went wrong on our side; the error was logged, please retry or report it"
                    .to_string()
            }
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::Validation { .. } => ErrorCode::Validation,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::FrameworkDisabled(_) => ErrorCode::FrameworkDisabled,
            Self::LimitExceeded(_) => ErrorCode::LimitExceeded,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Unavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Internal(_) => ErrorCode::Internal,
            Self::ParseFailed(_) => ErrorCode::GraphqlParseFailed,
            Self::DocumentInvalid(_) => ErrorCode::GraphqlValidationFailed,
            Self::BadUserInput { .. } => ErrorCode::BadUserInput,
        }
    }

    /// Prefixes the field of a validation error, so a service can validate an
    /// item and the caller can say which item it was (`values[2]` + `.period`).
    pub fn within(self, prefix: &str) -> Self {
        match self {
            Self::Validation { field, message } => Self::Validation {
                field: if field.is_empty() {
                    prefix.to_string()
                } else {
                    format!("{prefix}.{field}")
                },
                message,
            },
            other => other,
        }
    }
}

impl From<sea_orm::DbErr> for DomainError {
    /// A lost race on a unique key is a `CONFLICT` (services that know which
    /// field a key concerns map it first, see [`DomainError::unique_as`]); an
    /// unreachable database is `SERVICE_UNAVAILABLE`; the rest is `INTERNAL`.
    fn from(err: sea_orm::DbErr) -> Self {
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(detail)) = err.sql_err() {
            tracing::info!(error = %err, "unique key taken by a concurrent write");
            // The services check these keys before writing; a violation here
            // is a concurrent request that won the race, so the answer is
            // the one the check would have given.
            if let Some((_, _, field, message)) = UNIQUE_KEYS
                .iter()
                .find(|(pg, sqlite, _, _)| detail.contains(pg) || detail.contains(sqlite))
            {
                return Self::validation(*field, *message);
            }
            return Self::Conflict(
                "another request just stored the same record; reload and retry".into(),
            );
        }
        if is_unreachable(&err) {
            tracing::warn!(error = %err, "database unreachable");
            return Self::Unavailable(err.to_string());
        }
        tracing::error!(error = %err, "database error");
        Self::Internal(err.to_string())
    }
}

/// Unique keys a client can collide on, by their PostgreSQL index name and
/// SQLite column list, with the input field and answer of the service check.
const UNIQUE_KEYS: &[(&str, &str, &str, &str)] = &[
    (
        "ix_people_tenant_id_email",
        "people.tenant_id, people.email",
        "input.email",
        "another person in this tenant has this e-mail",
    ),
    (
        "ix_people_tenant_id_external_id",
        "people.tenant_id, people.external_id",
        "input.externalId",
        "another person in this tenant has this external ID",
    ),
    (
        "ix_org_units_tenant_id_external_id",
        "org_units.tenant_id, org_units.external_id",
        "input.externalId",
        "another org unit in this tenant has this external ID",
    ),
    // Only `create_tenant` writes slugs; its callers prefix the field.
    (
        "tenants_slug_key",
        "tenants.slug",
        "slug",
        "this slug cannot be used; choose another",
    ),
];

/// Whether the database could not be reached at all (no connection in time,
/// refused, reset), as opposed to a statement it refused.
pub fn is_unreachable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            matches!(
                e.as_ref(),
                sea_orm::sqlx::Error::PoolTimedOut
                    | sea_orm::sqlx::Error::PoolClosed
                    | sea_orm::sqlx::Error::Io(_)
                    | sea_orm::sqlx::Error::Tls(_)
                    | sea_orm::sqlx::Error::WorkerCrashed
            )
        }
        _ => false,
    }
}

impl ErrorExtensions for DomainError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.message()).extend_with(|_, ext| {
            ext.set("code", self.code().as_str());
            if let Self::Validation { field, .. } | Self::BadUserInput { field, .. } = self {
                ext.set("field", field.as_str());
            }
            if let Self::RateLimited {
                retry_after_seconds,
                ..
            } = self
            {
                ext.set("retryAfter", *retry_after_seconds);
            }
        })
    }
}

impl From<DomainError> for async_graphql::Error {
    fn from(err: DomainError) -> Self {
        err.extend()
    }
}

/// What a caught panic said, for the log.
pub fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}
