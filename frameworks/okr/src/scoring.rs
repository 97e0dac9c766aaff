//! OKR computations as pure functions, each returning its explanation:
//! objective progress, expected progress, health, roll-up, staleness.

use std::collections::HashSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use throughline_domain::kit::{Explanation, ExplanationInput, TargetKind, stored_enum};
use uuid::Uuid;

use crate::settings::{CheckInCadence, HealthRollup};

stored_enum!(
    /// Whether something is on course to be achieved by the end of its cycle.
    Health as "OkrHealth" {
        /// Progress is where it should be, or close.
        OnTrack => "ON_TRACK",
        /// Behind, but recoverable.
        AtRisk => "AT_RISK",
        /// Far behind.
        OffTrack => "OFF_TRACK",
        /// Nothing to judge yet: no value has been recorded.
        NoData => "NO_DATA",
    }
);

impl Health {
    fn score(self) -> Decimal {
        match self {
            Health::OnTrack => Decimal::ONE,
            Health::AtRisk => Decimal::new(5, 1),
            Health::OffTrack | Health::NoData => Decimal::ZERO,
        }
    }

    /// Lowest is weakest; no data is never the weakest.
    fn rank(self) -> u8 {
        match self {
            Health::NoData => 3,
            Health::OnTrack => 2,
            Health::AtRisk => 1,
            Health::OffTrack => 0,
        }
    }
}

stored_enum!(
    /// What an objective's progress is computed from.
    ProgressDriver as "OkrProgressDriver" {
        /// The weighted mean of its key results.
        KeyResults => "KEY_RESULTS",
        /// The weighted mean of the objectives aligned to it.
        AlignedObjectives => "ALIGNED_OBJECTIVES",
        /// Both together, each item by its weight.
        Both => "BOTH",
    }
);

/// A number with the computation that produced it.
#[derive(Clone, Debug, PartialEq)]
pub struct Explained<T> {
    pub value: T,
    pub explanation: Explanation,
}

/// Where a contribution comes from, which decides who may read it by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// One of the objective's own key results.
    KeyResult(Uuid),
    /// An objective aligned to it (or to one of its key results).
    Objective { id: Uuid, private: bool },
    /// Private objectives the viewer may not see, merged into one anonymous
    /// contribution: they still count, but show no title, owner or ID.
    Private { count: usize },
}

/// One weighted contribution to an objective: to its progress (a weighted
/// mean) and to its health (a roll-up).
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    pub source: Source,
    pub name: String,
    pub weight: Decimal,
    pub progress: Decimal,
    /// The progress expected of it by now (its own cycle's, its own dates').
    pub expected: Decimal,
    pub health: Health,
    /// Its health as a number for weighted roll-ups: on track 1, at risk
    /// 0.5, off track 0 (a merged private contribution: their weighted mean).
    pub health_score: Decimal,
}

impl Contribution {
    pub fn new(
        source: Source,
        name: impl Into<String>,
        weight: Decimal,
        progress: Decimal,
        expected: Decimal,
        health: Health,
    ) -> Self {
        Self {
            source,
            name: name.into(),
            weight,
            progress,
            expected,
            health,
            health_score: health.score(),
        }
    }

    /// How a sentence names it: `key result "Cut bugs"`, `objective "Grow"`,
    /// `2 private contributions`.
    fn label(&self) -> String {
        match self.source {
            Source::KeyResult(_) => format!("key result {:?}", self.name),
            Source::Objective { .. } => format!("objective {:?}", self.name),
            Source::Private { .. } => self.name.clone(),
        }
    }

    fn points_behind(&self) -> Decimal {
        ((self.expected - self.progress.max(Decimal::ZERO)) * Decimal::from(100))
            .round_dp(2)
            .normalize()
    }
}

/// The private objectives among `items`: whether a viewer may see each
/// decides how explanations show it.
pub fn private_objectives(items: &[Contribution]) -> Vec<Uuid> {
    items
        .iter()
        .filter_map(|c| match c.source {
            Source::Objective { id, private: true } => Some(id),
            _ => None,
        })
        .collect()
}

/// `items` as a viewer sees them: the private objectives in `hidden` are
/// merged into one anonymous contribution (last), with their total weight,
/// their weighted progress and their weakest health, so the figure still
/// reconciles with what is shown.
pub fn redact(items: &[Contribution], hidden: &HashSet<Uuid>) -> Vec<Contribution> {
    let is_hidden =
        |c: &Contribution| matches!(c.source, Source::Objective { id, .. } if hidden.contains(&id));
    let (secret, mut shown): (Vec<&Contribution>, Vec<&Contribution>) =
        items.iter().partition(|c| is_hidden(c));
    if secret.is_empty() {
        return items.to_vec();
    }
    let counted: Vec<&&Contribution> = secret.iter().filter(|c| c.weight > Decimal::ZERO).collect();
    let weight: Decimal = counted.iter().map(|c| c.weight).sum();
    let mean = |value: &dyn Fn(&Contribution) -> Decimal| {
        if weight.is_zero() {
            Decimal::ZERO
        } else {
            (counted.iter().map(|c| c.weight * value(c)).sum::<Decimal>() / weight)
                .round_dp(6)
                .normalize()
        }
    };
    let count = secret.len();
    let merged = Contribution {
        source: Source::Private { count },
        name: if count == 1 {
            "1 private contribution".into()
        } else {
            format!("{count} private contributions")
        },
        weight,
        progress: mean(&|c| c.progress.max(Decimal::ZERO)),
        expected: mean(&|c| c.expected),
        health: secret
            .iter()
            .map(|c| c.health)
            .min_by_key(|h| h.rank())
            .unwrap_or(Health::OnTrack),
        health_score: mean(&|c| c.health_score),
    };
    let mut out: Vec<Contribution> = shown.drain(..).cloned().collect();
    out.push(merged);
    out
}

fn input(name: impl Into<String>, value: Decimal) -> ExplanationInput {
    ExplanationInput {
        name: name.into(),
        value: Some(value),
    }
}

/// The weighted mean of contributions; negative progress counts as 0 and
/// non-positive weights are left out.
pub fn weighted_mean(items: &[Contribution]) -> Explained<Decimal> {
    let counted: Vec<&Contribution> = items.iter().filter(|c| c.weight > Decimal::ZERO).collect();
    let total_weight: Decimal = counted.iter().map(|c| c.weight).sum();
    if total_weight.is_zero() {
        return Explained {
            value: Decimal::ZERO,
            explanation: Explanation {
                formula: "no weighted contributions ⇒ 0".into(),
                inputs: vec![],
                result: Decimal::ZERO,
                text: "Nothing contributes yet, so progress is 0.".into(),
            },
        };
    }
    let sum: Decimal = counted
        .iter()
        .map(|c| c.weight * c.progress.max(Decimal::ZERO))
        .sum();
    let value = (sum / total_weight).round_dp(4).normalize();
    let mut inputs = Vec::new();
    for c in &counted {
        inputs.push(input(format!("{} progress", c.name), c.progress));
        inputs.push(input(format!("{} weight", c.name), c.weight));
    }
    let terms: Vec<String> = counted
        .iter()
        .map(|c| {
            format!(
                "{} × {}",
                c.weight.normalize(),
                c.progress.max(Decimal::ZERO).normalize()
            )
        })
        .collect();
    Explained {
        value,
        explanation: Explanation {
            formula: "Σ(weight × max(progress, 0)) / Σ weight".into(),
            inputs,
            result: value,
            text: format!(
                "({}) / {} = {value}.",
                terms.join(" + "),
                total_weight.normalize()
            ),
        },
    }
}

/// The share of the cycle elapsed at `as_of` (days counted inclusively).
pub fn expected_progress(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    as_of: NaiveDate,
) -> Explained<Decimal> {
    expected_progress_over(starts_on, ends_on, as_of, "cycle")
}

/// The share of a span (`what`: "cycle", "key result's dates") elapsed at
/// `as_of`, days counted inclusively.
pub fn expected_progress_over(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    as_of: NaiveDate,
    what: &str,
) -> Explained<Decimal> {
    let total = (ends_on - starts_on).num_days() + 1;
    let elapsed = ((as_of - starts_on).num_days() + 1).clamp(0, total.max(1));
    let value = if total <= 0 {
        Decimal::ONE
    } else {
        (Decimal::from(elapsed) / Decimal::from(total))
            .round_dp(4)
            .normalize()
    };
    Explained {
        value,
        explanation: Explanation {
            formula: format!("days elapsed / days in {what}"),
            inputs: vec![
                input("days elapsed", Decimal::from(elapsed)),
                input(format!("days in {what}"), Decimal::from(total)),
            ],
            result: value,
            text: format!(
                "{elapsed} of {total} days of the {what} have passed by {as_of}, so {value} is expected."
            ),
        },
    }
}

/// Health from actual against expected progress: within `on_track` points
/// behind is on track, within `at_risk` points at risk, beyond off track.
pub fn derive_health(
    actual: Decimal,
    expected: Decimal,
    on_track: u32,
    at_risk: u32,
) -> Explained<Health> {
    let behind = ((expected - actual) * Decimal::from(100))
        .round_dp(2)
        .normalize();
    let value = if behind <= Decimal::from(on_track) {
        Health::OnTrack
    } else if behind <= Decimal::from(at_risk) {
        Health::AtRisk
    } else {
        Health::OffTrack
    };
    Explained {
        value,
        explanation: Explanation {
            formula: format!(
                "points behind = (expected − actual) × 100; ≤ {on_track} on track, ≤ {at_risk} at risk, else off track"
            ),
            inputs: vec![input("actual", actual), input("expected", expected)],
            result: behind,
            text: if behind <= Decimal::ZERO {
                format!(
                    "Progress {actual} is at or ahead of the expected {expected}: {}.",
                    value.as_str()
                )
            } else {
                format!(
                    "Progress {actual} is {behind} points behind the expected {expected}: {}.",
                    value.as_str()
                )
            },
        },
    }
}

/// A key result's derived health. Targets that move step by step are judged
/// against the share of the cycle elapsed; targets that are only met or not
/// cannot be "40 % done", so comparing them with elapsed time would call
/// every unfinished milestone off track on day two:
/// - a milestone not yet reached is on track until the last `on_track`
///   points of the cycle, at risk in them, off track once the cycle ended;
/// - a level to keep (stay at or above/below, within a range) that is not met
///   now is at risk while the cycle runs, off track once it ended.
pub fn derive_key_result_health(
    kind: TargetKind,
    actual: Decimal,
    expected: Decimal,
    on_track: u32,
    at_risk: u32,
) -> Explained<Health> {
    let binary = match kind {
        TargetKind::IncreaseTo | TargetKind::DecreaseTo => None,
        TargetKind::Milestone => Some(true),
        TargetKind::StayAtOrAbove | TargetKind::StayAtOrBelow | TargetKind::WithinRange => {
            Some(false)
        }
    };
    let Some(milestone) = binary else {
        return derive_health(actual, expected, on_track, at_risk);
    };
    let met = actual >= Decimal::ONE;
    let ended = expected >= Decimal::ONE;
    let left = ((Decimal::ONE - expected) * Decimal::from(100))
        .round_dp(2)
        .normalize();
    let (value, text) = if met {
        (Health::OnTrack, "The target is met: on track.".to_string())
    } else if ended {
        (
            Health::OffTrack,
            "The target was not met by the end of the cycle: off track.".to_string(),
        )
    } else if milestone && left > Decimal::from(on_track) {
        (
            Health::OnTrack,
            format!(
                "A milestone is done or not: not done yet with {left} % of the cycle left, so on track until the last {on_track} %."
            ),
        )
    } else if milestone {
        (
            Health::AtRisk,
            format!("A milestone not done with only {left} % of the cycle left: at risk."),
        )
    } else {
        (
            Health::AtRisk,
            "The level to keep is not met now; it can still be restored before the cycle ends: at risk."
                .to_string(),
        )
    };
    Explained {
        value,
        explanation: Explanation {
            formula: if milestone {
                format!(
                    "met: on track; not met: on track while more than {on_track} % of the cycle is left, then at risk, off track once it ended"
                )
            } else {
                "met: on track; not met: at risk while the cycle runs, off track once it ended"
                    .into()
            },
            inputs: vec![input("actual", actual), input("expected", expected)],
            result: left,
            text,
        },
    }
}

/// The health of something with no value yet: not judged against elapsed
/// time, so a new key result is not born off track.
pub fn no_data(what: &str) -> Explained<Health> {
    Explained {
        value: Health::NoData,
        explanation: Explanation {
            formula: "no value yet ⇒ no data".into(),
            inputs: vec![],
            result: Decimal::ZERO,
            text: format!("{what}: NO_DATA."),
        },
    }
}

/// Rolls contributions' health up: the weakest, or the weighted mean of
/// scores (on track 1, at risk 0.5, off track 0) read back as ≥ 0.75 on track,
/// ≥ 0.25 at risk. The explanation names the contribution that decided it.
/// Nothing to roll up gives `None`.
pub fn rollup_health(mode: HealthRollup, all: &[Contribution]) -> Option<Explained<Health>> {
    if all.is_empty() {
        return None;
    }
    let items: Vec<&Contribution> = all.iter().filter(|c| c.health != Health::NoData).collect();
    let Some(weakest) = items.iter().copied().min_by(|a, b| {
        a.health
            .rank()
            .cmp(&b.health.rank())
            .then(b.points_behind().cmp(&a.points_behind()))
    }) else {
        return Some(Explained {
            value: Health::NoData,
            explanation: Explanation {
                formula: "no contribution has data ⇒ no data".into(),
                inputs: vec![],
                result: Decimal::ZERO,
                text: format!(
                    "None of the {} contribution(s) has a value yet: NO_DATA.",
                    all.len()
                ),
            },
        });
    };
    let missing = all.len() - items.len();
    let n = if missing == 0 {
        format!("{}", items.len())
    } else {
        format!("{} (and {missing} without a value yet)", items.len())
    };
    let inputs = items
        .iter()
        .flat_map(|c| {
            [
                input(format!("{} health score", c.name), c.health_score),
                input(format!("{} weight", c.name), c.weight),
            ]
        })
        .collect();
    let total: Decimal = items.iter().map(|c| c.weight.max(Decimal::ZERO)).sum();
    if mode == HealthRollup::Weakest || total.is_zero() {
        let behind = match weakest.source {
            Source::Private { .. } => String::new(),
            _ => format!(
                ", {} points behind the expected {}",
                weakest.points_behind(),
                weakest.expected.normalize()
            ),
        };
        return Some(Explained {
            value: weakest.health,
            explanation: Explanation {
                formula: "the weakest contribution's health decides".into(),
                inputs,
                result: weakest.health_score,
                text: format!(
                    "Weakest of {n} contribution(s): {}, {}{behind}.",
                    weakest.label(),
                    weakest.health.as_str()
                ),
            },
        });
    }
    let score = (items
        .iter()
        .map(|c| c.weight.max(Decimal::ZERO) * c.health_score)
        .sum::<Decimal>()
        / total)
        .round_dp(4)
        .normalize();
    let value = if score >= Decimal::new(75, 2) {
        Health::OnTrack
    } else if score >= Decimal::new(25, 2) {
        Health::AtRisk
    } else {
        Health::OffTrack
    };
    // What pulled the score down most: the largest weight × (1 − score).
    let drag = |c: &Contribution| c.weight.max(Decimal::ZERO) * (Decimal::ONE - c.health_score);
    let pulled = items
        .iter()
        .filter(|c| drag(c) > Decimal::ZERO)
        .copied()
        .max_by(|a, b| {
            drag(a)
                .cmp(&drag(b))
                .then(a.points_behind().cmp(&b.points_behind()))
        });
    let cause = match pulled {
        Some(c) => format!(
            "; pulled down most by {}, {}, weight {}",
            c.label(),
            c.health.as_str(),
            c.weight.normalize()
        ),
        None => "; every contribution is on track".into(),
    };
    Some(Explained {
        value,
        explanation: Explanation {
            formula: "Σ(weight × health score) / Σ weight, health score: on track 1, at risk 0.5, off track 0; ≥ 0.75 on track, ≥ 0.25 at risk, else off track".into(),
            inputs,
            result: score,
            text: format!(
                "Weighted health of {n} contribution(s): {score} ⇒ {}{cause}.",
                value.as_str()
            ),
        },
    })
}

/// A key result is stale when its last check-in is older than the cadence
/// (or it has none) once its cycle has been running that long.
pub fn is_stale(
    last_check_in: Option<NaiveDate>,
    cycle_start: NaiveDate,
    cadence: CheckInCadence,
    as_of: NaiveDate,
) -> bool {
    let since = last_check_in.unwrap_or(cycle_start);
    (as_of - since).num_days() > cadence.days()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn c(weight: &str, progress: &str) -> Contribution {
        Contribution::new(
            Source::KeyResult(Uuid::nil()),
            "kr",
            d(weight),
            d(progress),
            d("0.5"),
            Health::OnTrack,
        )
    }

    fn h(name: &str, weight: &str, progress: &str, health: Health) -> Contribution {
        Contribution {
            name: name.into(),
            ..Contribution::new(
                Source::KeyResult(Uuid::nil()),
                name,
                d(weight),
                d(progress),
                d("0.5"),
                health,
            )
        }
    }

    #[test]
    fn weighted_means() {
        let cases: Vec<(Vec<Contribution>, &str)> = vec![
            (vec![c("1", "0.5"), c("1", "1")], "0.75"),
            (vec![c("3", "1"), c("1", "0")], "0.75"),
            (vec![c("1", "-0.5"), c("1", "0.5")], "0.25"),
            (vec![c("0", "1"), c("1", "0.2")], "0.2"),
            (vec![c("1", "0.3333")], "0.3333"),
            (vec![], "0"),
            (vec![c("0", "1")], "0"),
        ];
        for (items, expected) in cases {
            let got = weighted_mean(&items);
            assert_eq!(
                got.value,
                d(expected),
                "{items:?}: {}",
                got.explanation.text
            );
            assert_eq!(got.explanation.result, got.value);
        }
    }

    #[test]
    fn expected_progress_at_cycle_boundaries() {
        let (start, end) = (day("2026-01-01"), day("2026-03-31"));
        let cases = [
            ("2025-12-31", "0"),
            ("2026-01-01", "0.0111"),
            ("2026-02-14", "0.5"),
            ("2026-03-31", "1"),
            ("2026-06-01", "1"),
        ];
        for (as_of, expected) in cases {
            assert_eq!(
                expected_progress(start, end, day(as_of)).value,
                d(expected),
                "{as_of}"
            );
        }
        let one_day = expected_progress(day("2026-01-01"), day("2026-01-01"), day("2026-01-01"));
        assert_eq!(one_day.value, d("1"));
    }

    #[test]
    fn health_from_actual_against_expected() {
        let cases = [
            ("0.5", "0.5", Health::OnTrack),
            ("0.9", "0.5", Health::OnTrack),
            ("0.4", "0.5", Health::OnTrack),
            ("0.39", "0.5", Health::AtRisk),
            ("0.25", "0.5", Health::AtRisk),
            ("0.24", "0.5", Health::OffTrack),
            ("0", "1", Health::OffTrack),
        ];
        for (actual, expected, health) in cases {
            let got = derive_health(d(actual), d(expected), 10, 25);
            assert_eq!(
                got.value, health,
                "{actual} vs {expected}: {}",
                got.explanation.text
            );
        }
        assert_eq!(
            derive_health(d("0.3"), d("0.5"), 0, 0).value,
            Health::OffTrack
        );
    }

    #[test]
    fn key_result_health_by_target_kind() {
        use Health::*;
        use TargetKind::*;
        let cases = [
            // Step by step: against elapsed time, as for objectives.
            (IncreaseTo, "0.3", "0.5", AtRisk),
            (DecreaseTo, "0.1", "0.5", OffTrack),
            // A milestone: on track until the last 10 % of the cycle.
            (Milestone, "0", "0.05", OnTrack),
            (Milestone, "0", "0.89", OnTrack),
            (Milestone, "0", "0.9", AtRisk),
            (Milestone, "0", "1", OffTrack),
            (Milestone, "1", "0.2", OnTrack),
            (Milestone, "1", "1", OnTrack),
            // A level to keep: missed now is at risk, missed at the end off track.
            (StayAtOrAbove, "0", "0.05", AtRisk),
            (StayAtOrBelow, "0", "0.6", AtRisk),
            (WithinRange, "0", "1", OffTrack),
            (WithinRange, "1", "0.5", OnTrack),
        ];
        for (kind, actual, expected, health) in cases {
            let got = derive_key_result_health(kind, d(actual), d(expected), 10, 25);
            assert_eq!(
                got.value, health,
                "{kind:?} {actual} at {expected}: {}",
                got.explanation.text
            );
        }
    }

    #[test]
    fn health_rollups() {
        use Health::*;
        let rolled = |mode, items: &[Contribution]| rollup_health(mode, items).map(|h| h.value);
        let items = [
            h("a", "1", "0.5", OnTrack),
            h("b", "1", "0.2", OffTrack),
            h("c", "2", "0.5", OnTrack),
        ];
        assert_eq!(rolled(HealthRollup::Weakest, &items), Some(OffTrack));
        assert_eq!(rolled(HealthRollup::Weighted, &items), Some(OnTrack));
        let mixed = [h("a", "1", "0.3", AtRisk), h("b", "1", "0", OffTrack)];
        assert_eq!(rolled(HealthRollup::Weighted, &mixed), Some(AtRisk));
        assert_eq!(
            rolled(
                HealthRollup::Weighted,
                &[h("a", "1", "0", OffTrack), h("b", "3", "0.3", AtRisk)]
            ),
            Some(AtRisk)
        );
        assert_eq!(rolled(HealthRollup::Weakest, &[]), None);
    }

    #[test]
    fn a_rolled_up_health_names_what_decided_it() {
        use Health::*;
        // Two at risk: the one further behind decides.
        let items = [
            h("Ship v2", "1", "0.45", AtRisk),
            h("Cut critical bugs", "1", "0.3901", AtRisk),
            h("Hire", "1", "0.9", OnTrack),
        ];
        let weakest = rollup_health(HealthRollup::Weakest, &items).unwrap();
        assert_eq!(weakest.value, AtRisk);
        assert_eq!(
            weakest.explanation.text,
            "Weakest of 3 contribution(s): key result \"Cut critical bugs\", AT_RISK, 10.99 points behind the expected 0.5."
        );
        let weighted = rollup_health(HealthRollup::Weighted, &items).unwrap();
        assert_eq!(weighted.explanation.result, d("0.6667"));
        assert!(
            weighted
                .explanation
                .text
                .contains("pulled down most by key result \"Cut critical bugs\""),
            "{}",
            weighted.explanation.text
        );
    }

    #[test]
    fn hidden_private_contributions_merge_into_one_anonymous_contribution() {
        use Health::*;
        let (secret, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let child = |id, name: &str, weight: &str, progress: &str, health| Contribution {
            source: Source::Objective { id, private: true },
            ..h(name, weight, progress, health)
        };
        let items = [
            h("Visible KR", "1", "0.6", OnTrack),
            child(secret, "Find a new job", "2", "0.3", OffTrack),
            child(other, "Move abroad", "1", "0.6", AtRisk),
        ];
        let hidden: HashSet<Uuid> = [secret, other].into();
        let seen = redact(&items, &hidden);
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1].name, "2 private contributions");
        assert_eq!(seen[1].weight, d("3"));
        assert_eq!(seen[1].health, OffTrack);
        // Same figure whoever looks.
        assert_eq!(weighted_mean(&seen).value, weighted_mean(&items).value);
        let text = format!("{:?}", weighted_mean(&seen).explanation);
        assert!(
            !text.contains("Find a new job") && !text.contains("Move abroad"),
            "{text}"
        );
        let health = rollup_health(HealthRollup::Weakest, &seen).unwrap();
        assert_eq!(
            health.explanation.text,
            "Weakest of 2 contribution(s): 2 private contributions, OFF_TRACK."
        );
        // Those who may see them see them.
        assert_eq!(redact(&items, &HashSet::new()), items.to_vec());
    }

    #[test]
    fn staleness_follows_the_cadence() {
        let start = day("2026-01-01");
        let cases = [
            (
                Some("2026-01-10"),
                CheckInCadence::Weekly,
                "2026-01-17",
                false,
            ),
            (
                Some("2026-01-10"),
                CheckInCadence::Weekly,
                "2026-01-18",
                true,
            ),
            (
                Some("2026-01-10"),
                CheckInCadence::Biweekly,
                "2026-01-18",
                false,
            ),
            (None, CheckInCadence::Weekly, "2026-01-05", false),
            (None, CheckInCadence::Weekly, "2026-01-09", true),
            (
                Some("2026-01-01"),
                CheckInCadence::Monthly,
                "2026-02-01",
                false,
            ),
        ];
        for (last, cadence, as_of, stale) in cases {
            assert_eq!(
                is_stale(last.map(day), start, cadence, day(as_of)),
                stale,
                "{last:?} {cadence:?} {as_of}"
            );
        }
    }
}
