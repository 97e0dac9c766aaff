//! The scorecard's settings per tenant: how large a scorecard may grow.
//! A scorecard is read whole (every node scored for a period), so its size
//! is what a request costs; the limits keep it bounded.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use throughline_domain::kit::{DomainError, DomainResult, FrameworkSettings};

pub const MAX_OBJECTIVES_LIMIT: u32 = 200;
pub const MAX_MEASURES_LIMIT: u32 = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct ScorecardSettings {
    /// The most objectives one scorecard holds (1 to 200).
    pub max_objectives_per_scorecard: u32,
    /// The most measures one objective holds (1 to 50).
    pub max_measures_per_objective: u32,
}

impl Default for ScorecardSettings {
    fn default() -> Self {
        Self {
            max_objectives_per_scorecard: 60,
            max_measures_per_objective: 12,
        }
    }
}

impl FrameworkSettings for ScorecardSettings {
    fn check(&self) -> DomainResult<()> {
        if !(1..=MAX_OBJECTIVES_LIMIT).contains(&self.max_objectives_per_scorecard) {
            return Err(DomainError::validation(
                "settings.maxObjectivesPerScorecard",
                format!("between 1 and {MAX_OBJECTIVES_LIMIT}"),
            ));
        }
        if !(1..=MAX_MEASURES_LIMIT).contains(&self.max_measures_per_objective) {
            return Err(DomainError::validation(
                "settings.maxMeasuresPerObjective",
                format!("between 1 and {MAX_MEASURES_LIMIT}"),
            ));
        }
        Ok(())
    }
}
