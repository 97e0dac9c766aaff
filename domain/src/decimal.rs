//! Decimals are stored as canonical text on both databases: sea-orm's SQLite
//! driver reads DECIMAL columns through `f64`, which would round business numbers.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::error::{DomainError, DomainResult};

/// The stored form: normalised, so `1.50` and `1.5` are the same text.
pub fn to_stored(value: Decimal) -> String {
    value.normalize().to_string()
}

pub fn from_stored(text: &str) -> DomainResult<Decimal> {
    Decimal::from_str(text)
        .map_err(|e| DomainError::Internal(format!("stored decimal {text:?} is invalid: {e}")))
}
