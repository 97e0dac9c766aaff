//! The framework kit: everything a framework crate needs from the core, in
//! one place. `use throughline_domain::kit::*;` and build on it; a framework
//! imports nothing else from the domain for its plumbing (it still names
//! core entities and services it reads, such as `entity::person`).
//!
//! - the contract: [`Framework`], [`FrameworkSettings`], [`FrameworkRoots`],
//!   [`Exception`] (with [`Severity`], [`Placement`], [`ExceptionWindow`]),
//!   [`Document`] (what a framework serves beside GraphQL, over plain HTTP),
//!   [`MetricFollower`] (what follows a core metric, for other frameworks),
//!   and the core's typed events ([`CoreEvent`] and payloads);
//! - the tenant door: [`TenantScope`] (reads: `select`, `in_tree`,
//!   `settings`, `subscribe`), [`TenantTxn`] (writes: `insert`,
//!   `insert_many`, `upsert_many`, `save`, `update`, `update_versioned`,
//!   `delete`, `load`, `reference`, `record`, `record_many`),
//!   [`TenantDb`], [`TreeLink`]/[`Walk`], and `tenant_tables!` to declare a
//!   crate's tables;
//! - errors: [`DomainError`], [`DomainResult`];
//! - GraphQL plumbing: [`request`], [`FrameworkGuard`], [`framework_enabled`],
//!   global IDs, Relay pages, loaders, the `Date` scalar;
//! - shared models: [`Target`], periods, exact decimals, text checks,
//!   `stored_enum!`.

pub use crate::core_events::{
    CoreEvent, MetricV1, MetricValueV1, OrgUnitV1, PersonV1, StrategicPriorityV1,
};
pub use crate::decimal::{from_stored, to_stored};
pub use crate::entity::{TenantOwned, TenantTable, Versioned};
pub use crate::enums::{Aggregation, IndicatorKind, MetricDirection, PersonStatus, Role};
pub use crate::error::{DomainError, DomainResult};
pub use crate::exceptions::{
    Exception, ExceptionExplanation, ExceptionWindow, Placement, Severity,
};
pub use crate::framework::{
    Document, DocumentParams, Framework, FrameworkRoots, FrameworkSettings, MetricFollower,
};
pub use crate::graphql::connection::{
    self, Page, PageArgs, SortKey, list_page, list_window, page, page_complexity, page_of_list,
    search_term, text_contains, updated_since,
};
pub use crate::graphql::context::{RequestContext, ScopedLoader, request};
pub use crate::graphql::gating::{FrameworkGuard, framework_enabled};
pub use crate::graphql::ids::{decode_id, decode_optional, encode_id, id_of};
pub use crate::graphql::inputs::{patch, patch_id};
pub use crate::graphql::loaders::{ById, group};
pub use crate::graphql::metric_followers::{MetricFollower as MetricFollowerView, followers_of};
pub use crate::graphql::people::load_person;
pub use crate::graphql::scalars::Date;
pub use crate::metric_status::{DatedTarget, roll_up};
pub use crate::numbers::{business_number, date_in_range, optional_business_number};
pub use crate::periods::{
    Period, PeriodKind, fiscal_year, fiscal_year_start, period_containing, periods_between,
};
pub use crate::service::people::{REPORTING_LINES, in_reporting_line};
pub use crate::service::{check_version, optional_text, required_text};
pub use crate::target::{Explanation, ExplanationInput, Target, TargetKind, TargetProgress};
pub use crate::tenancy::{
    Actor, Change, TenantDb, TenantScope, TenantSelect, TenantTxn, TreeLink, Walk, today_in,
};
pub use crate::{scoped_loader, stored_enum, tenant_tables};
