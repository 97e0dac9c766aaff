//! Calendar periods derived from a tenant's fiscal-year start month.
//!
//! A fiscal year is named after the calendar year in which it ends (a year
//! starting in April 2026 is FY2027), the most common convention; with a
//! January start, the fiscal year is the calendar year.

use async_graphql::SimpleObject;
use chrono::{Datelike, Duration, NaiveDate};

use crate::enums::stored_enum;
use crate::error::{DomainError, DomainResult};

stored_enum!(
    /// The length of a period.
    PeriodKind {
        /// An ISO week, Monday to Sunday.
        Week => "WEEK",
        /// A calendar month.
        Month => "MONTH",
        /// A quarter of the tenant's fiscal year.
        Quarter => "QUARTER",
        /// The tenant's fiscal year.
        FiscalYear => "FISCAL_YEAR",
    }
);

/// The most periods one call may return.
pub const MAX_PERIODS: usize = 600;

/// A period of the tenant's calendar.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
#[graphql(complex)]
pub struct Period {
    /// The period's length.
    pub kind: PeriodKind,
    #[graphql(skip)]
    pub start: NaiveDate,
    #[graphql(skip)]
    pub end: NaiveDate,
    /// A short name: `2026-W15`, `2026-04`, `FY2027 Q1`, `FY2027`.
    pub label: String,
    /// The fiscal year the period's first day belongs to.
    pub fiscal_year: i32,
}

#[async_graphql::ComplexObject]
impl Period {
    /// Its first day.
    async fn start(&self) -> crate::graphql::Date {
        crate::graphql::Date(self.start)
    }
    /// Its last day (inclusive).
    async fn end(&self) -> crate::graphql::Date {
        crate::graphql::Date(self.end)
    }
}

fn first_of_month(year: i32, month: u32) -> NaiveDate {
    #[allow(
        clippy::expect_used,
        reason = "month is 1..=12 and year comes from a date in range"
    )]
    NaiveDate::from_ymd_opt(year, month, 1).expect("valid month")
}

/// Adds whole months to the first day of a month.
fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    let index = date.year() * 12 + date.month0() as i32 + months;
    first_of_month(index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

/// The fiscal year `date` belongs to, named after the year it ends in.
pub fn fiscal_year(date: NaiveDate, start_month: u32) -> i32 {
    if start_month == 1 || date.month() < start_month {
        date.year()
    } else {
        date.year() + 1
    }
}

/// The first day of fiscal year `fy`.
pub fn fiscal_year_start(fy: i32, start_month: u32) -> NaiveDate {
    if start_month == 1 {
        first_of_month(fy, 1)
    } else {
        first_of_month(fy - 1, start_month)
    }
}

/// The period of `kind` that contains `date`.
pub fn period_containing(kind: PeriodKind, date: NaiveDate, start_month: u32) -> Period {
    let fy = fiscal_year(date, start_month);
    let (start, end_exclusive, label) = match kind {
        PeriodKind::Week => {
            let start = date - Duration::days(date.weekday().num_days_from_monday() as i64);
            let iso = start.iso_week();
            (
                start,
                start + Duration::days(7),
                format!("{}-W{:02}", iso.year(), iso.week()),
            )
        }
        PeriodKind::Month => {
            let start = first_of_month(date.year(), date.month());
            (
                start,
                add_months(start, 1),
                start.format("%Y-%m").to_string(),
            )
        }
        PeriodKind::Quarter => {
            let fy_start = fiscal_year_start(fy, start_month);
            let month_of_date = first_of_month(date.year(), date.month());
            let months_in = (month_of_date.year() - fy_start.year()) * 12
                + month_of_date.month() as i32
                - fy_start.month() as i32;
            let quarter = months_in / 3;
            let start = add_months(fy_start, quarter * 3);
            (
                start,
                add_months(start, 3),
                format!("FY{fy} Q{}", quarter + 1),
            )
        }
        PeriodKind::FiscalYear => {
            let start = fiscal_year_start(fy, start_month);
            (start, add_months(start, 12), format!("FY{fy}"))
        }
    };
    Period {
        kind,
        start,
        end: end_exclusive - Duration::days(1),
        label,
        fiscal_year: fy,
    }
}

/// Every period of `kind` that overlaps `from..=to`, in order.
pub fn periods_between(
    kind: PeriodKind,
    from: NaiveDate,
    to: NaiveDate,
    start_month: u32,
) -> DomainResult<Vec<Period>> {
    if to < from {
        return Err(DomainError::validation("to", "`to` is before `from`"));
    }
    let mut out = Vec::new();
    let mut cursor = from;
    while cursor <= to {
        if out.len() == MAX_PERIODS {
            return Err(DomainError::LimitExceeded(format!(
                "that range holds more than {MAX_PERIODS} periods; ask for a shorter range or a longer period kind"
            )));
        }
        let period = period_containing(kind, cursor, start_month);
        cursor = period.end + Duration::days(1);
        out.push(period);
    }
    Ok(out)
}

/// Whether `date` is the first day of a period of `kind` (metric values are
/// keyed by their period's first day).
pub fn is_period_start(kind: PeriodKind, date: NaiveDate, start_month: u32) -> bool {
    period_containing(kind, date, start_month).start == date
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_table() {
        use PeriodKind::*;
        // (kind, fiscal start month, date, start, end, label, fiscal year)
        let cases = [
            (
                Month,
                1,
                "2026-02-14",
                "2026-02-01",
                "2026-02-28",
                "2026-02",
                2026,
            ),
            (
                Month,
                4,
                "2026-03-31",
                "2026-03-01",
                "2026-03-31",
                "2026-03",
                2026,
            ),
            (
                Month,
                4,
                "2026-04-01",
                "2026-04-01",
                "2026-04-30",
                "2026-04",
                2027,
            ),
            (
                Quarter,
                1,
                "2026-05-10",
                "2026-04-01",
                "2026-06-30",
                "FY2026 Q2",
                2026,
            ),
            (
                Quarter,
                4,
                "2026-04-01",
                "2026-04-01",
                "2026-06-30",
                "FY2027 Q1",
                2027,
            ),
            (
                Quarter,
                4,
                "2027-03-31",
                "2027-01-01",
                "2027-03-31",
                "FY2027 Q4",
                2027,
            ),
            (
                Quarter,
                11,
                "2026-12-25",
                "2026-11-01",
                "2027-01-31",
                "FY2027 Q1",
                2027,
            ),
            (
                Quarter,
                11,
                "2026-10-31",
                "2026-08-01",
                "2026-10-31",
                "FY2026 Q4",
                2026,
            ),
            (
                FiscalYear,
                1,
                "2026-12-31",
                "2026-01-01",
                "2026-12-31",
                "FY2026",
                2026,
            ),
            (
                FiscalYear,
                7,
                "2026-07-01",
                "2026-07-01",
                "2027-06-30",
                "FY2027",
                2027,
            ),
            (
                FiscalYear,
                7,
                "2026-06-30",
                "2025-07-01",
                "2026-06-30",
                "FY2026",
                2026,
            ),
            (
                Week,
                1,
                "2026-11-21",
                "2026-11-16",
                "2026-11-22",
                "2026-W47",
                2026,
            ),
            (
                Week,
                1,
                "2027-01-01",
                "2026-12-28",
                "2027-01-03",
                "2026-W53",
                2027,
            ),
            (
                Month,
                1,
                "2028-02-10",
                "2028-02-01",
                "2028-02-29",
                "2028-02",
                2028,
            ),
        ];
        for (kind, fy_start, date, start, end, label, fy) in cases {
            let p = period_containing(kind, day(date), fy_start);
            assert_eq!(
                (p.start, p.end, p.label.as_str(), p.fiscal_year),
                (day(start), day(end), label, fy),
                "{kind:?} fiscal start {fy_start} at {date}"
            );
        }
    }

    #[test]
    fn periods_between_covers_the_range_without_gaps() {
        let got =
            periods_between(PeriodKind::Quarter, day("2026-02-15"), day("2026-12-01"), 4).unwrap();
        let labels: Vec<&str> = got.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["FY2026 Q4", "FY2027 Q1", "FY2027 Q2", "FY2027 Q3"]);
        for pair in got.windows(2) {
            assert_eq!(pair[0].end + Duration::days(1), pair[1].start);
        }
    }

    #[test]
    fn periods_between_refuses_reversed_and_huge_ranges() {
        assert!(matches!(
            periods_between(PeriodKind::Month, day("2026-02-01"), day("2026-01-01"), 1),
            Err(DomainError::Validation { field, .. }) if field == "to"
        ));
        assert!(matches!(
            periods_between(PeriodKind::Week, day("2000-01-01"), day("2026-01-01"), 1),
            Err(DomainError::LimitExceeded(_))
        ));
    }
}
