//! Whether a metric is where it should be in a period: its values in the
//! period rolled up with its aggregation, judged against the target in
//! force then, with the explanation. Pure: the caller reads the rows.
//!
//! A target is stated per period of the metric's own frequency ("at least
//! 100 a month"). Judged over a longer period, a `SUM` metric's goal (and
//! its warning margin) counts once per period of the metric that has begun
//! in it (a quarter half gone is judged against two months' worth); an
//! `AVERAGE` or `LAST` metric's goal stays as stated. An `INCREASE_TO` or
//! `DECREASE_TO` target with an end date moves its goal in a straight line
//! from `start` on its first day to `target` on its last, so a KPI on its
//! way is on target when it is where the line says it should be by then.

use async_graphql::SimpleObject;
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::enums::{Aggregation, MetricDirection, stored_enum};
use crate::error::{DomainError, DomainResult};
use crate::target::{ExplanationInput, Target, TargetKind};

stored_enum!(
    /// How a value stands against its target.
    TargetStatus {
        /// At or past the goal.
        OnTarget => "ON_TARGET",
        /// Short of the goal, but within the warning margin.
        Warning => "WARNING",
        /// Short of the goal, past the warning margin (or with none).
        OffTarget => "OFF_TARGET",
        /// A target is in force, but the period has no value.
        NoData => "NO_DATA",
        /// No target is in force for the period.
        NotSet => "NOT_SET",
    }
);

impl TargetStatus {
    /// Worst first: how exceptions and dashboards order statuses.
    pub fn severity(self) -> u8 {
        match self {
            Self::OffTarget => 4,
            Self::Warning => 3,
            Self::NoData => 2,
            Self::NotSet => 1,
            Self::OnTarget => 0,
        }
    }
}

/// How a status came about: the formula, its inputs and a sentence.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct StatusExplanation {
    /// The rule, with the inputs by name.
    pub formula: String,
    /// The values that went in.
    pub inputs: Vec<ExplanationInput>,
    /// The status that came out.
    pub status: TargetStatus,
    /// The whole judgement in one sentence a person can read.
    pub text: String,
}

/// A target as stored for a metric, with its validity.
#[derive(Clone, Debug, PartialEq)]
pub struct DatedTarget {
    pub target: Target,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub warning_margin: Option<Decimal>,
}

impl DatedTarget {
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }
}

/// Which target kinds fit a metric's direction: a target may not say the
/// opposite of what the metric says is good.
pub fn check_kind_fits(direction: MetricDirection, kind: TargetKind) -> DomainResult<()> {
    let fits = match direction {
        MetricDirection::HigherIsBetter => {
            matches!(kind, TargetKind::IncreaseTo | TargetKind::StayAtOrAbove)
        }
        MetricDirection::LowerIsBetter => {
            matches!(kind, TargetKind::DecreaseTo | TargetKind::StayAtOrBelow)
        }
        MetricDirection::TargetRange => kind == TargetKind::WithinRange,
    };
    if fits {
        return Ok(());
    }
    let allowed = match direction {
        MetricDirection::HigherIsBetter => "INCREASE_TO or STAY_AT_OR_ABOVE",
        MetricDirection::LowerIsBetter => "DECREASE_TO or STAY_AT_OR_BELOW",
        MetricDirection::TargetRange => "WITHIN_RANGE",
    };
    Err(DomainError::validation(
        "input.target.kind",
        format!(
            "a {} metric takes a {allowed} target, not {}",
            direction.as_str(),
            kind.as_str()
        ),
    ))
}

/// What a period's values add up to under an aggregation.
pub fn roll_up(aggregation: Aggregation, values: &[(NaiveDate, Decimal)]) -> Option<Decimal> {
    match aggregation {
        Aggregation::Sum => values
            .iter()
            .try_fold(Decimal::ZERO, |sum, (_, value)| sum.checked_add(*value)),
        Aggregation::Average => {
            let sum = values
                .iter()
                .try_fold(Decimal::ZERO, |sum, (_, value)| sum.checked_add(*value))?;
            let count = Decimal::from(values.len());
            sum.checked_div(count)
                .map(|mean| mean.round_dp(6).normalize())
        }
        Aggregation::Last => values
            .iter()
            .max_by_key(|(period, _)| *period)
            .map(|(_, value)| *value),
    }
}

/// Whether a metric's data is late for `closed`, the last closed period of
/// its frequency: a value in it is on time; with none, a metric defined by
/// then, or with a series before it, is late; one defined since is new, not
/// late, unless it has values anyway (the caller knows whether it has any).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lateness {
    OnTime,
    Late,
    /// Late only if the metric has any value at all.
    LateIfItHasValues,
}

pub fn lateness(
    defined_on: NaiveDate,
    closed: (NaiveDate, NaiveDate),
    values: &[(NaiveDate, Decimal)],
) -> Lateness {
    let (start, end) = closed;
    if values.iter().any(|(day, _)| start <= *day && *day <= end) {
        Lateness::OnTime
    } else if defined_on <= end || values.iter().any(|(day, _)| *day < start) {
        Lateness::Late
    } else {
        Lateness::LateIfItHasValues
    }
}

/// What a status is computed from.
pub struct StatusInput<'a> {
    pub aggregation: Aggregation,
    /// The period's label, for the explanation (`2026-Q3`, `2026-05`).
    pub period_label: &'a str,
    /// The metric's values in the period: (period start, value).
    pub values: &'a [(NaiveDate, Decimal)],
    /// How many of the metric's own periods have begun in the period.
    pub periods_begun: u32,
    /// The day the target is taken on: the period's last day, or today
    /// while it runs.
    pub judged_on: NaiveDate,
    /// The target in force on that day, if any.
    pub target: Option<&'a DatedTarget>,
}

/// A status, its figures and its explanation.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusOutcome {
    pub status: TargetStatus,
    /// The period's values rolled up.
    pub value: Option<Decimal>,
    /// What the value had to reach (or stay at) for the period; for a
    /// range, `lower` and `upper` instead.
    pub goal: Option<Decimal>,
    pub lower: Option<Decimal>,
    pub upper: Option<Decimal>,
    /// Past this, a value short of the goal is off target, not a warning.
    pub warning_limit: Option<Decimal>,
    pub explanation: StatusExplanation,
}

fn input(name: &str, value: Option<Decimal>) -> ExplanationInput {
    ExplanationInput {
        name: name.to_string(),
        value,
    }
}

fn times(value: Decimal, count: Decimal) -> Decimal {
    value.checked_mul(count).unwrap_or(Decimal::MAX).normalize()
}

/// The goal of a linear target on `day`: on the straight line from `start`
/// (on its first day) to `target` (on its last); with no last day, `target`.
fn linear_goal(dated: &DatedTarget, day: NaiveDate) -> Decimal {
    let start = dated.target.start.unwrap_or_default();
    let end = dated.target.target.unwrap_or_default();
    let Some(last) = dated.valid_to else {
        return end;
    };
    let total = (last - dated.valid_from).num_days();
    if total <= 0 {
        return end;
    }
    let elapsed = (day - dated.valid_from).num_days().clamp(0, total);
    end.checked_sub(start)
        .and_then(|span| span.checked_mul(Decimal::from(elapsed)))
        .and_then(|moved| moved.checked_div(Decimal::from(total)))
        .and_then(|moved| start.checked_add(moved))
        .map_or(end, |goal| goal.round_dp(4).normalize())
}

/// Judges a period's values against the target in force.
pub fn status(input_: &StatusInput<'_>) -> StatusOutcome {
    let label = input_.period_label;
    let Some(dated) = input_.target else {
        return StatusOutcome {
            status: TargetStatus::NotSet,
            value: roll_up(input_.aggregation, input_.values),
            goal: None,
            lower: None,
            upper: None,
            warning_limit: None,
            explanation: StatusExplanation {
                formula: "no target in force ⇒ NOT_SET".into(),
                inputs: vec![],
                status: TargetStatus::NotSet,
                text: format!(
                    "No target is in force on {}, so {label} is not judged.",
                    input_.judged_on
                ),
            },
        };
    };
    let value = if input_.values.is_empty() {
        None
    } else {
        roll_up(input_.aggregation, input_.values)
    };
    let Some(value) = value else {
        return StatusOutcome {
            status: TargetStatus::NoData,
            value: None,
            goal: None,
            lower: None,
            upper: None,
            warning_limit: None,
            explanation: StatusExplanation {
                formula: "no value in the period ⇒ NO_DATA".into(),
                inputs: vec![input("value", None)],
                status: TargetStatus::NoData,
                text: if input_.values.is_empty() {
                    format!("{label} has no value yet, so it cannot be judged.")
                } else {
                    format!("{label}'s values are too large to add up, so it cannot be judged.")
                },
            },
        };
    };
    // A SUM metric's goal counts once per period of its own begun.
    let count = match input_.aggregation {
        Aggregation::Sum => Decimal::from(input_.periods_begun.max(1)),
        Aggregation::Average | Aggregation::Last => Decimal::ONE,
    };
    let scaled = count > Decimal::ONE;
    let how = match input_.aggregation {
        _ if input_.values.len() == 1 => "the value".to_string(),
        Aggregation::Sum => format!(
            "the sum of {} value{}",
            input_.values.len(),
            if input_.values.len() == 1 { "" } else { "s" }
        ),
        Aggregation::Average => format!(
            "the average of {} value{}",
            input_.values.len(),
            if input_.values.len() == 1 { "" } else { "s" }
        ),
        Aggregation::Last => "the latest value".to_string(),
    };
    let margin = dated.warning_margin.map(|margin| times(margin, count));
    let target = &dated.target;
    let scale_note = if scaled {
        format!(", counted for the {} periods begun", input_.periods_begun)
    } else {
        String::new()
    };
    let mut inputs = vec![input("value", Some(value))];
    if scaled {
        inputs.push(input("periods", Some(count)));
    }
    let judged = |shortfall: Option<Decimal>| -> TargetStatus {
        match shortfall {
            Some(short) if short <= Decimal::ZERO => TargetStatus::OnTarget,
            Some(short) if margin.is_some_and(|margin| short <= margin) => TargetStatus::Warning,
            _ => TargetStatus::OffTarget,
        }
    };
    let (status, goal, lower, upper, warning_limit, formula, text) = match target.kind {
        TargetKind::IncreaseTo
        | TargetKind::StayAtOrAbove
        | TargetKind::DecreaseTo
        | TargetKind::StayAtOrBelow => {
            let higher = matches!(
                target.kind,
                TargetKind::IncreaseTo | TargetKind::StayAtOrAbove
            );
            let per_period = match target.kind {
                TargetKind::IncreaseTo | TargetKind::DecreaseTo => {
                    linear_goal(dated, input_.judged_on)
                }
                _ => target.target.unwrap_or_default(),
            };
            let goal = times(per_period, count);
            let shortfall = if higher {
                goal.checked_sub(value)
            } else {
                value.checked_sub(goal)
            };
            let status = judged(shortfall);
            let limit = margin.and_then(|margin| {
                if higher {
                    goal.checked_sub(margin)
                } else {
                    goal.checked_add(margin)
                }
            });
            inputs.push(input("goal", Some(goal)));
            inputs.push(input("margin", margin));
            let (good, bad) = if higher { ("≥", "<") } else { ("≤", ">") };
            let formula = format!(
                "ON_TARGET if value {good} goal; WARNING if within margin of it; else OFF_TARGET"
            );
            let goal_note = match (target.kind, dated.valid_to) {
                (TargetKind::IncreaseTo | TargetKind::DecreaseTo, Some(last)) => format!(
                    " (on the line from {} on {} to {} on {last})",
                    target.start.unwrap_or_default(),
                    dated.valid_from,
                    target.target.unwrap_or_default()
                ),
                _ => String::new(),
            };
            let comparison = match status {
                TargetStatus::OnTarget => format!("{value} {good} {goal}"),
                TargetStatus::Warning => format!(
                    "{value} {bad} {goal}, but within the warning margin ({})",
                    limit.map_or_else(String::new, |limit| format!("up to {limit}"))
                ),
                _ => match limit {
                    Some(limit) => format!("{value} is past the warning limit {limit}"),
                    None => format!("{value} {bad} {goal}"),
                },
            };
            let text = format!(
                "{label}: {how} is {value}; the goal on {} is {goal}{goal_note}{scale_note}. {comparison}, so {}.",
                input_.judged_on,
                status.as_str()
            );
            (status, Some(goal), None, None, limit, formula, text)
        }
        TargetKind::WithinRange => {
            let lower = times(target.lower.unwrap_or_default(), count);
            let upper = times(target.upper.unwrap_or_default(), count);
            let outside = if value < lower {
                lower.checked_sub(value)
            } else if value > upper {
                value.checked_sub(upper)
            } else {
                Some(Decimal::ZERO)
            };
            let status = judged(outside);
            inputs.push(input("lower", Some(lower)));
            inputs.push(input("upper", Some(upper)));
            inputs.push(input("margin", margin));
            let comparison = match status {
                TargetStatus::OnTarget => format!("{value} lies within {lower}…{upper}"),
                TargetStatus::Warning => {
                    format!("{value} lies outside {lower}…{upper}, within the warning margin")
                }
                _ => format!("{value} lies outside {lower}…{upper}"),
            };
            let text = format!(
                "{label}: {how} is {value}; the band on {} is {lower}…{upper}{scale_note}. {comparison}, so {}.",
                input_.judged_on,
                status.as_str()
            );
            (
                status,
                None,
                Some(lower),
                Some(upper),
                None,
                "ON_TARGET if lower ≤ value ≤ upper; WARNING if within margin outside; else OFF_TARGET"
                    .to_string(),
                text,
            )
        }
        // Refused for metrics when a target is set; judged as met/not met.
        TargetKind::Milestone => {
            let status = if value >= Decimal::ONE {
                TargetStatus::OnTarget
            } else {
                TargetStatus::OffTarget
            };
            (
                status,
                Some(Decimal::ONE),
                None,
                None,
                None,
                "ON_TARGET if value ≥ 1, else OFF_TARGET".to_string(),
                format!("{label}: {how} is {value}, so {}.", status.as_str()),
            )
        }
    };
    StatusOutcome {
        status,
        value: Some(value),
        goal,
        lower,
        upper,
        warning_limit,
        explanation: StatusExplanation {
            formula,
            inputs,
            status,
            text,
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn above(goal: Decimal, margin: Option<Decimal>) -> DatedTarget {
        DatedTarget {
            target: Target {
                kind: TargetKind::StayAtOrAbove,
                start: None,
                target: Some(goal),
                lower: None,
                upper: None,
                unit: None,
            },
            valid_from: day("2026-01-01"),
            valid_to: None,
            warning_margin: margin,
        }
    }

    fn judge(
        aggregation: Aggregation,
        values: &[(NaiveDate, Decimal)],
        begun: u32,
        target: Option<&DatedTarget>,
    ) -> StatusOutcome {
        status(&StatusInput {
            aggregation,
            period_label: "P",
            values,
            periods_begun: begun,
            judged_on: day("2026-03-31"),
            target,
        })
    }

    #[test]
    fn a_threshold_with_a_margin_gives_three_levels() {
        let target = above(d("100"), Some(d("10")));
        let at = |v| {
            judge(
                Aggregation::Last,
                &[(day("2026-03-01"), v)],
                1,
                Some(&target),
            )
        };
        assert_eq!(at(d("100")).status, TargetStatus::OnTarget);
        assert_eq!(at(d("95")).status, TargetStatus::Warning);
        assert_eq!(at(d("90")).status, TargetStatus::Warning);
        assert_eq!(at(d("89.99")).status, TargetStatus::OffTarget);
        assert_eq!(at(d("90")).warning_limit, Some(d("90")));
        let without_margin = above(d("100"), None);
        assert_eq!(
            judge(
                Aggregation::Last,
                &[(day("2026-03-01"), d("99"))],
                1,
                Some(&without_margin)
            )
            .status,
            TargetStatus::OffTarget
        );
    }

    #[test]
    fn sums_count_the_goal_once_per_period_begun() {
        let target = above(d("100"), Some(d("10")));
        let values = [(day("2026-01-01"), d("100")), (day("2026-02-01"), d("90"))];
        // Two months of a quarter begun: goal 200, margin 20.
        let outcome = judge(Aggregation::Sum, &values, 2, Some(&target));
        assert_eq!(outcome.value, Some(d("190")));
        assert_eq!(outcome.goal, Some(d("200")));
        assert_eq!(outcome.status, TargetStatus::Warning);
        assert!(outcome.explanation.text.contains("2 periods begun"));
        // An average keeps the goal as stated.
        let outcome = judge(Aggregation::Average, &values, 2, Some(&target));
        assert_eq!(outcome.value, Some(d("95")));
        assert_eq!(outcome.goal, Some(d("100")));
        assert_eq!(outcome.status, TargetStatus::Warning);
        // The latest value alone.
        let outcome = judge(Aggregation::Last, &values, 2, Some(&target));
        assert_eq!(outcome.value, Some(d("90")));
        assert_eq!(outcome.status, TargetStatus::Warning);
    }

    #[test]
    fn a_dated_linear_target_moves_its_goal_along_the_line() {
        let target = DatedTarget {
            target: Target {
                kind: TargetKind::IncreaseTo,
                start: Some(d("0")),
                target: Some(d("365")),
                lower: None,
                upper: None,
                unit: None,
            },
            valid_from: day("2026-01-01"),
            valid_to: Some(day("2027-01-01")),
            warning_margin: None,
        };
        // On 2026-03-31, 89 of 365 days have passed.
        let outcome = judge(
            Aggregation::Last,
            &[(day("2026-03-01"), d("89"))],
            1,
            Some(&target),
        );
        assert_eq!(outcome.goal, Some(d("89")));
        assert_eq!(outcome.status, TargetStatus::OnTarget);
        assert!(outcome.explanation.text.contains("on the line from 0"));
        let outcome = judge(
            Aggregation::Last,
            &[(day("2026-03-01"), d("88"))],
            1,
            Some(&target),
        );
        assert_eq!(outcome.status, TargetStatus::OffTarget);
    }

    #[test]
    fn lower_is_better_and_ranges_judge_their_own_side() {
        let below = DatedTarget {
            target: Target {
                kind: TargetKind::StayAtOrBelow,
                start: None,
                target: Some(d("2")),
                lower: None,
                upper: None,
                unit: None,
            },
            valid_from: day("2026-01-01"),
            valid_to: None,
            warning_margin: Some(d("1")),
        };
        let at = |v, t: &DatedTarget| {
            judge(Aggregation::Last, &[(day("2026-03-01"), v)], 1, Some(t)).status
        };
        assert_eq!(at(d("1.5"), &below), TargetStatus::OnTarget);
        assert_eq!(at(d("3"), &below), TargetStatus::Warning);
        assert_eq!(at(d("3.1"), &below), TargetStatus::OffTarget);
        let band = DatedTarget {
            target: Target {
                kind: TargetKind::WithinRange,
                start: None,
                target: None,
                lower: Some(d("70")),
                upper: Some(d("85")),
                unit: None,
            },
            warning_margin: Some(d("5")),
            ..below
        };
        assert_eq!(at(d("80"), &band), TargetStatus::OnTarget);
        assert_eq!(at(d("66"), &band), TargetStatus::Warning);
        assert_eq!(at(d("91"), &band), TargetStatus::OffTarget);
    }

    #[test]
    fn no_target_or_no_value_says_so() {
        let target = above(d("100"), None);
        assert_eq!(
            judge(Aggregation::Sum, &[], 1, Some(&target)).status,
            TargetStatus::NoData
        );
        let outcome = judge(Aggregation::Sum, &[(day("2026-03-01"), d("5"))], 1, None);
        assert_eq!(outcome.status, TargetStatus::NotSet);
        assert_eq!(outcome.value, Some(d("5")));
    }

    #[test]
    fn kinds_must_fit_the_direction() {
        assert!(
            check_kind_fits(MetricDirection::HigherIsBetter, TargetKind::StayAtOrAbove).is_ok()
        );
        assert!(check_kind_fits(MetricDirection::HigherIsBetter, TargetKind::DecreaseTo).is_err());
        assert!(check_kind_fits(MetricDirection::TargetRange, TargetKind::WithinRange).is_ok());
        assert!(check_kind_fits(MetricDirection::LowerIsBetter, TargetKind::Milestone).is_err());
    }
}
