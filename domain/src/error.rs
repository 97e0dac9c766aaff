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
    Internal,
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
            Self::Internal => "INTERNAL",
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
    /// The message is for logs only; clients see a generic text.
    Internal(String),
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
            | Self::LimitExceeded(m) => m.clone(),
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
            Self::Internal(_) => ErrorCode::Internal,
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
    fn from(err: sea_orm::DbErr) -> Self {
        tracing::error!(error = %err, "database error");
        Self::Internal(err.to_string())
    }
}

impl ErrorExtensions for DomainError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.message()).extend_with(|_, ext| {
            ext.set("code", self.code().as_str());
            if let Self::Validation { field, .. } = self {
                ext.set("field", field.as_str());
            }
        })
    }
}

impl From<DomainError> for async_graphql::Error {
    fn from(err: DomainError) -> Self {
        err.extend()
    }
}
