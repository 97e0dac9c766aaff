//! The balanced scorecard framework: perspectives, strategic objectives and
//! measures on the core's KPIs, scored 0–10 per period and rolled up by
//! date-ranged weights, with leading and lagging scores side by side.
//!
//! This first part is the arithmetic every score rests on ([`scoring`]):
//! pure functions, each answering its explanation. The tables, the GraphQL
//! namespace and the strategy map build on it.

pub mod scoring;
