//! The OKR tables (prefixed `okr_`), one module per table.

pub mod alignment;
pub mod check_in;
pub mod co_owner;
pub mod cycle;
pub mod key_result;
pub mod objective;

throughline_domain::tenant_tables!(
    owned: cycle, objective, alignment, key_result, check_in;
    versioned: cycle, objective, key_result;
    joins: co_owner
);
