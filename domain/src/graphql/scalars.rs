//! Scalars of our own: `Date` for calendar days (async-graphql would call it
//! `NaiveDate`, a Rust name that means nothing to a front-end team).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar day, `YYYY-MM-DD`, with no time and no time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

/// A calendar day, `YYYY-MM-DD`, with no time and no time zone.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => {
                let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                    InputValueError::custom(format!("{text:?} is not a date: use YYYY-MM-DD"))
                })?;
                // Every date a client sends lies in the documented range, so
                // no period arithmetic can reach chrono's limits.
                crate::numbers::date_in_range("", date)
                    .map(Date)
                    .map_err(|e| InputValueError::custom(e.message()))
            }
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Date(date)
    }
}

impl From<Date> for NaiveDate {
    fn from(date: Date) -> Self {
        date.0
    }
}
