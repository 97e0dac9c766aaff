//! The range of business numbers and of calendar dates we accept.
//!
//! `rust_decimal` panics on overflow and chrono on dates near its limits, so
//! every number and date a client sends is checked against a documented
//! range on the way in (`VALIDATION` naming the field), and arithmetic on
//! stored figures uses checked operations.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::error::{DomainError, DomainResult};

/// The largest magnitude of a business number: a quadrillion (10^15), far
/// above any KPI, budget or forecast, and far enough below `Decimal::MAX`
/// (~7.9 × 10^28) that differences, ratios and sums of them stay exact.
pub const MAX_MAGNITUDE: Decimal = Decimal::from_parts(0xa4c6_8000, 0x0003_8d7e, 0, false, 0);
/// The most decimal places a business number may carry.
pub const MAX_SCALE: u32 = 10;
/// The first and last year a date may fall in.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2200;

/// Checks a business number against [`MAX_MAGNITUDE`] and [`MAX_SCALE`].
pub fn business_number(field: &str, value: Decimal) -> DomainResult<Decimal> {
    if value.abs() > MAX_MAGNITUDE {
        return Err(DomainError::validation(
            field,
            format!("{value} is out of range: numbers lie between -10^15 and 10^15"),
        ));
    }
    if value.normalize().scale() > MAX_SCALE {
        return Err(DomainError::validation(
            field,
            format!("{value} has more than {MAX_SCALE} decimal places"),
        ));
    }
    Ok(value.normalize())
}

/// Checks an optional business number.
pub fn optional_business_number(
    field: &str,
    value: Option<Decimal>,
) -> DomainResult<Option<Decimal>> {
    value.map(|v| business_number(field, v)).transpose()
}

/// Checks a date against [`MIN_YEAR`]…[`MAX_YEAR`].
pub fn date_in_range(field: &str, date: NaiveDate) -> DomainResult<NaiveDate> {
    if (MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(DomainError::validation(
            field,
            format!(
                "{date} is out of range: dates lie between {MIN_YEAR}-01-01 and {MAX_YEAR}-12-31"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magnitude_is_ten_to_the_fifteenth() {
        assert_eq!(MAX_MAGNITUDE, Decimal::from(1_000_000_000_000_000i64));
    }

    #[test]
    fn numbers_at_and_past_the_edges() {
        assert!(business_number("v", MAX_MAGNITUDE).is_ok());
        assert!(business_number("v", -MAX_MAGNITUDE).is_ok());
        assert!(business_number("v", MAX_MAGNITUDE + Decimal::ONE).is_err());
        assert!(business_number("v", Decimal::MIN).is_err());
        assert!(business_number("v", Decimal::new(1, 10)).is_ok());
        assert!(business_number("v", Decimal::new(1, 11)).is_err());
        // Trailing zeros are not precision.
        assert!(business_number("v", Decimal::new(10_000_000_000, 20)).is_ok());
    }

    #[test]
    fn dates_at_and_past_the_edges() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(date_in_range("d", d(1900, 1, 1)).is_ok());
        assert!(date_in_range("d", d(2200, 12, 31)).is_ok());
        assert!(date_in_range("d", d(1899, 12, 31)).is_err());
        assert!(date_in_range("d", d(2201, 1, 1)).is_err());
        assert!(date_in_range("d", NaiveDate::MAX).is_err());
    }
}
