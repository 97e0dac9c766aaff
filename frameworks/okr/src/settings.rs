//! The OKR framework's settings per tenant: defaults, validation.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use throughline_domain::kit::{DomainError, DomainResult, FrameworkSettings, stored_enum};

stored_enum!(
    /// How long a generated cycle lasts.
    CycleLength {
        /// Three months: the usual OKR rhythm.
        Quarter => "QUARTER",
        /// Four months (three cycles a year).
        FourMonths => "FOUR_MONTHS",
        /// Six months.
        HalfYear => "HALF_YEAR",
        /// The fiscal year.
        Year => "YEAR",
    }
);

impl CycleLength {
    pub fn months(self) -> i32 {
        match self {
            CycleLength::Quarter => 3,
            CycleLength::FourMonths => 4,
            CycleLength::HalfYear => 6,
            CycleLength::Year => 12,
        }
    }
}

stored_enum!(
    /// How key-result and child health rolls up to an objective.
    HealthRollup {
        /// The weakest contribution decides (one off-track key result makes the objective off track).
        Weakest => "WEAKEST",
        /// The weighted mean of the contributions' health.
        Weighted => "WEIGHTED",
    }
);

stored_enum!(
    /// Where members may set team objectives.
    MemberTeamReach {
        /// Their own org unit only.
        OwnUnit => "OWN_UNIT",
        /// Their own org unit and every unit below it.
        OwnUnitAndBelow => "OWN_UNIT_AND_BELOW",
    }
);

stored_enum!(
    /// How often a key result should get a check-in before it counts as stale.
    CheckInCadence {
        /// Every 7 days.
        Weekly => "WEEKLY",
        /// Every 14 days.
        Biweekly => "BIWEEKLY",
        /// Every 31 days.
        Monthly => "MONTHLY",
    }
);

impl CheckInCadence {
    pub fn days(self) -> i64 {
        match self {
            CheckInCadence::Weekly => 7,
            CheckInCadence::Biweekly => 14,
            CheckInCadence::Monthly => 31,
        }
    }
}

/// A label for confidence values from `from` up to the next label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfidenceLabel {
    pub from: u8,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct OkrSettings {
    pub cycle_length: CycleLength,
    /// More company objectives than this is a warning, not an error.
    pub company_objective_limit: u32,
    /// More key results on one objective than this is a warning.
    pub key_result_soft_limit: u32,
    /// Percentage points behind expected progress still on track.
    pub on_track_tolerance: u32,
    /// Percentage points behind expected progress still at risk (beyond: off track).
    pub at_risk_tolerance: u32,
    pub health_rollup: HealthRollup,
    pub check_in_cadence: CheckInCadence,
    pub confidence_labels: Vec<ConfidenceLabel>,
    /// Where members may set team objectives (managers: the units they
    /// lead and below; admins: anywhere).
    pub member_team_objectives: MemberTeamReach,
}

impl Default for OkrSettings {
    fn default() -> Self {
        Self {
            cycle_length: CycleLength::Quarter,
            company_objective_limit: 5,
            key_result_soft_limit: 5,
            on_track_tolerance: 10,
            at_risk_tolerance: 25,
            health_rollup: HealthRollup::Weakest,
            check_in_cadence: CheckInCadence::Weekly,
            member_team_objectives: MemberTeamReach::OwnUnit,
            confidence_labels: vec![
                ConfidenceLabel {
                    from: 0,
                    label: "Low".into(),
                },
                ConfidenceLabel {
                    from: 4,
                    label: "Medium".into(),
                },
                ConfidenceLabel {
                    from: 7,
                    label: "High".into(),
                },
            ],
        }
    }
}

impl OkrSettings {
    /// Parses stored settings (already validated when saved).
    pub fn from_stored(raw: &serde_json::Value) -> Self {
        serde_json::from_value(raw.clone()).unwrap_or_default()
    }

    pub fn confidence_label(&self, confidence: u8) -> Option<&str> {
        self.confidence_labels
            .iter()
            .rev()
            .find(|l| confidence >= l.from)
            .map(|l| l.label.as_str())
    }
}

/// Ranges and the order of tolerances and labels (defaults and unknown keys
/// are the kit's).
impl FrameworkSettings for OkrSettings {
    fn check(&self) -> DomainResult<()> {
        let settings = self;
        if !(1..=20).contains(&settings.company_objective_limit) {
            return Err(DomainError::validation(
                "settings.companyObjectiveLimit",
                "use 1 to 20",
            ));
        }
        if !(1..=20).contains(&settings.key_result_soft_limit) {
            return Err(DomainError::validation(
                "settings.keyResultSoftLimit",
                "use 1 to 20",
            ));
        }
        if settings.on_track_tolerance > 100 {
            return Err(DomainError::validation(
                "settings.onTrackTolerance",
                "use 0 to 100 percentage points",
            ));
        }
        if settings.at_risk_tolerance > 100
            || settings.at_risk_tolerance < settings.on_track_tolerance
        {
            return Err(DomainError::validation(
                "settings.atRiskTolerance",
                "use 0 to 100 percentage points, at least the on-track tolerance",
            ));
        }
        let labels = &settings.confidence_labels;
        if labels.first().map(|l| l.from) != Some(0)
            || labels
                .windows(2)
                .any(|w| matches!(w, [a, b] if a.from >= b.from))
            || labels
                .iter()
                .any(|l| l.from > 10 || l.label.trim().is_empty())
        {
            return Err(DomainError::validation(
                "settings.confidenceLabels",
                "give labels with ascending `from` values from 0 to 10, the first from 0, each with a label",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use throughline_domain::AnyFramework;

    fn validate(raw: &serde_json::Value) -> DomainResult<serde_json::Value> {
        crate::Okr.validate_settings(raw)
    }

    #[test]
    fn defaults_fill_gaps_and_bad_values_name_their_field() {
        let complete = validate(&json!({ "cycleLength": "HALF_YEAR" })).unwrap();
        assert_eq!(complete["cycleLength"], "HALF_YEAR");
        assert_eq!(complete["companyObjectiveLimit"], 5);
        let cases = [
            (
                json!({ "onTrackTolerance": 30, "atRiskTolerance": 20 }),
                "settings.atRiskTolerance",
            ),
            (
                json!({ "companyObjectiveLimit": 0 }),
                "settings.companyObjectiveLimit",
            ),
            (
                json!({ "confidenceLabels": [{ "from": 1, "label": "x" }] }),
                "settings.confidenceLabels",
            ),
            (json!({ "cycleLength": "DECADE" }), "settings"),
            (json!({ "unknown": true }), "settings"),
        ];
        for (raw, field) in cases {
            match validate(&raw) {
                Err(DomainError::Validation { field: got, .. }) => assert_eq!(got, field, "{raw}"),
                other => panic!("{raw}: {other:?}"),
            }
        }
    }

    #[test]
    fn confidence_labels_cover_their_ranges() {
        let settings = OkrSettings::default();
        assert_eq!(settings.confidence_label(0), Some("Low"));
        assert_eq!(settings.confidence_label(6), Some("Medium"));
        assert_eq!(settings.confidence_label(10), Some("High"));
    }
}
