//! The scorecard tables (prefixed `scorecard_`), one module per table.

pub mod commentary;
pub mod contribution;
pub mod initiative;
pub mod initiative_objective;
pub mod link;
pub mod linked_item;
pub mod measure;
pub mod measure_status;
pub mod milestone;
pub mod objective;
pub mod perspective;
pub mod scorecard;
pub mod threshold;
pub mod weight;

throughline_domain::tenant_tables!(
    owned: perspective, scorecard, objective, measure, threshold, weight, link, measure_status,
        commentary, initiative, initiative_objective, milestone, contribution, linked_item;
    versioned: perspective, scorecard, objective, measure, commentary, initiative
);
