//! Targets and their scoring, shared by every framework: a key result, a KPI
//! and a scorecard measure all use the same `Target` and the same functions,
//! and every computed figure carries its explanation.

use async_graphql::{InputObject, SimpleObject};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::enums::stored_enum;
use crate::error::{DomainError, DomainResult};

stored_enum!(
    /// How a target is scored.
    TargetKind {
        /// Move from `start` up to `target`; progress is linear between them.
        IncreaseTo => "INCREASE_TO",
        /// Move from `start` down to `target`; progress is linear between them.
        DecreaseTo => "DECREASE_TO",
        /// Keep the value at or above `target`; met or not met.
        StayAtOrAbove => "STAY_AT_OR_ABOVE",
        /// Keep the value at or below `target`; met or not met.
        StayAtOrBelow => "STAY_AT_OR_BELOW",
        /// Keep the value between `lower` and `upper`, inclusive; met or not met.
        WithinRange => "WITHIN_RANGE",
        /// Done (a current value of 1 or more) or not done (0).
        Milestone => "MILESTONE",
    }
);

/// What a key result, KPI or measure aims for.
#[derive(SimpleObject, InputObject, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[graphql(input_name = "TargetInput")]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// How the target is scored.
    pub kind: TargetKind,
    /// Where the value started (`INCREASE_TO`, `DECREASE_TO`).
    pub start: Option<Decimal>,
    /// The value to reach (`INCREASE_TO`, `DECREASE_TO`) or the threshold to hold (`STAY_AT_OR_ABOVE`, `STAY_AT_OR_BELOW`).
    pub target: Option<Decimal>,
    /// The lower bound of the band (`WITHIN_RANGE`).
    pub lower: Option<Decimal>,
    /// The upper bound of the band (`WITHIN_RANGE`).
    pub upper: Option<Decimal>,
    /// The unit the values are in, e.g. `EUR`, `%`, `customers`.
    pub unit: Option<String>,
}

/// One named input of a computation.
#[derive(SimpleObject, Clone, Debug, PartialEq, Serialize)]
pub struct ExplanationInput {
    /// The input's name, as used in the formula.
    pub name: String,
    /// Its value; null when it was not available.
    pub value: Option<Decimal>,
}

/// How a computed figure came about: its inputs, the formula and the result.
#[derive(SimpleObject, Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// The formula, with the inputs by name.
    pub formula: String,
    /// The values that went in.
    pub inputs: Vec<ExplanationInput>,
    /// The figure that came out.
    pub result: Decimal,
    /// The whole computation in one sentence a person can read.
    pub text: String,
}

/// The progress of a value against a target.
#[derive(SimpleObject, Clone, Debug, PartialEq, Serialize)]
pub struct TargetProgress {
    /// From 0 (nothing achieved) to 1 (achieved).
    pub progress: Decimal,
    /// For stay-at and range targets: whether the value holds; null for linear kinds.
    pub met: Option<bool>,
    /// For stay-at and range targets: how far the value is from the threshold or band (0 inside it; positive on the good side of a threshold, negative on the bad side; for a range, how far outside it lies).
    pub distance: Option<Decimal>,
    /// How the progress was computed.
    pub explanation: Explanation,
}

fn input(name: &str, value: Option<Decimal>) -> ExplanationInput {
    ExplanationInput {
        name: name.to_string(),
        value,
    }
}

fn required(value: Option<Decimal>, field: &str, kind: TargetKind) -> DomainResult<Decimal> {
    value.ok_or_else(|| {
        DomainError::validation(field, format!("a {} target needs `{field}`", kind.as_str()))
    })
}

impl Target {
    /// Checks that the target has what its kind needs and nothing contradictory.
    /// Field names are relative (`start`, `target`, …): callers prefix them.
    pub fn validate(&self) -> DomainResult<()> {
        let kind = self.kind;
        for (field, value) in [
            ("start", self.start),
            ("target", self.target),
            ("lower", self.lower),
            ("upper", self.upper),
        ] {
            crate::numbers::optional_business_number(field, value)?;
        }
        match kind {
            TargetKind::IncreaseTo | TargetKind::DecreaseTo => {
                let start = required(self.start, "start", kind)?;
                let target = required(self.target, "target", kind)?;
                if kind == TargetKind::IncreaseTo && target < start {
                    return Err(DomainError::validation(
                        "target",
                        format!(
                            "INCREASE_TO needs a target ({target}) at or above the start ({start}); use DECREASE_TO for a value that should fall"
                        ),
                    ));
                }
                if kind == TargetKind::DecreaseTo && target > start {
                    return Err(DomainError::validation(
                        "target",
                        format!(
                            "DECREASE_TO needs a target ({target}) at or below the start ({start}); use INCREASE_TO for a value that should rise"
                        ),
                    ));
                }
            }
            TargetKind::StayAtOrAbove | TargetKind::StayAtOrBelow => {
                required(self.target, "target", kind)?;
            }
            TargetKind::WithinRange => {
                let lower = required(self.lower, "lower", kind)?;
                let upper = required(self.upper, "upper", kind)?;
                if lower > upper {
                    return Err(DomainError::validation(
                        "lower",
                        format!("the lower bound ({lower}) is above the upper bound ({upper})"),
                    ));
                }
            }
            TargetKind::Milestone => {}
        }
        Ok(())
    }

    /// Progress of `current` against this target, with its explanation.
    /// Assumes a valid target (see [`Target::validate`]); missing bounds count as 0.
    pub fn progress(&self, current: Option<Decimal>) -> TargetProgress {
        let zero = Decimal::ZERO;
        let one = Decimal::ONE;
        let Some(value) = current else {
            return TargetProgress {
                progress: zero,
                met: None,
                distance: None,
                explanation: Explanation {
                    formula: "no value yet ⇒ 0".into(),
                    inputs: vec![input("current", None)],
                    result: zero,
                    text: "No value has been recorded yet, so progress is 0.".into(),
                },
            };
        };
        match self.kind {
            TargetKind::IncreaseTo | TargetKind::DecreaseTo => {
                let start = self.start.unwrap_or(zero);
                let target = self.target.unwrap_or(zero);
                let inputs = vec![
                    input("current", Some(value)),
                    input("start", Some(start)),
                    input("target", Some(target)),
                ];
                if target == start {
                    let reached = if self.kind == TargetKind::IncreaseTo {
                        value >= target
                    } else {
                        value <= target
                    };
                    let result = if reached { one } else { zero };
                    return TargetProgress {
                        progress: result,
                        met: None,
                        distance: None,
                        explanation: Explanation {
                            formula: "target = start ⇒ 1 if current has reached target, else 0"
                                .into(),
                            inputs,
                            result,
                            text: format!(
                                "Start and target are both {target}, so progress is {result}: the current value {value} has{} reached it.",
                                if reached { "" } else { " not" }
                            ),
                        },
                    };
                }
                // Checked: a stored figure from before the input range was
                // enforced must not panic a read.
                let Some(raw) = value
                    .checked_sub(start)
                    .zip(target.checked_sub(start))
                    .and_then(|(done, span)| done.checked_div(span))
                else {
                    return TargetProgress {
                        progress: zero,
                        met: None,
                        distance: None,
                        explanation: Explanation {
                            formula: "clamp((current − start) / (target − start), 0, 1)".into(),
                            inputs,
                            result: zero,
                            text:
                                "The figures are too large to compute a progress; it counts as 0."
                                    .into(),
                        },
                    };
                };
                let result = raw.clamp(zero, one).round_dp(4).normalize();
                TargetProgress {
                    progress: result,
                    met: None,
                    distance: None,
                    explanation: Explanation {
                        formula: "clamp((current − start) / (target − start), 0, 1)".into(),
                        inputs,
                        result,
                        text: format!(
                            "({value} − {start}) / ({target} − {start}) = {}, clamped to 0…1: {result}.",
                            raw.round_dp(4).normalize()
                        ),
                    },
                }
            }
            TargetKind::StayAtOrAbove | TargetKind::StayAtOrBelow => {
                let threshold = self.target.unwrap_or(zero);
                let above = self.kind == TargetKind::StayAtOrAbove;
                let met = if above {
                    value >= threshold
                } else {
                    value <= threshold
                };
                let distance = if above {
                    value.checked_sub(threshold)
                } else {
                    threshold.checked_sub(value)
                };
                let result = if met { one } else { zero };
                let (relation, formula) = if above {
                    ("at or above", "1 if current ≥ target, else 0")
                } else {
                    ("at or below", "1 if current ≤ target, else 0")
                };
                TargetProgress {
                    progress: result,
                    met: Some(met),
                    distance,
                    explanation: Explanation {
                        formula: formula.into(),
                        inputs: vec![
                            input("current", Some(value)),
                            input("target", Some(threshold)),
                        ],
                        result,
                        text: format!(
                            "{value} is{} {relation} {threshold} (distance {}), so progress is {result}.",
                            if met { "" } else { " not" },
                            distance.map_or("too large to compute".to_string(), |d| d.to_string())
                        ),
                    },
                }
            }
            TargetKind::WithinRange => {
                let lower = self.lower.unwrap_or(zero);
                let upper = self.upper.unwrap_or(zero);
                let distance = if value < lower {
                    lower.checked_sub(value)
                } else if value > upper {
                    value.checked_sub(upper)
                } else {
                    Some(zero)
                };
                let met = lower <= value && value <= upper;
                let result = if met { one } else { zero };
                TargetProgress {
                    progress: result,
                    met: Some(met),
                    distance,
                    explanation: Explanation {
                        formula: "1 if lower ≤ current ≤ upper, else 0".into(),
                        inputs: vec![
                            input("current", Some(value)),
                            input("lower", Some(lower)),
                            input("upper", Some(upper)),
                        ],
                        result,
                        text: if met {
                            format!("{value} lies within {lower}…{upper}, so progress is 1.")
                        } else {
                            format!(
                                "{value} lies {} outside {lower}…{upper}, so progress is 0.",
                                distance.map_or("too far".to_string(), |d| d.to_string())
                            )
                        },
                    },
                }
            }
            TargetKind::Milestone => {
                let done = value >= one;
                let result = if done { one } else { zero };
                TargetProgress {
                    progress: result,
                    met: Some(done),
                    distance: None,
                    explanation: Explanation {
                        formula: "1 if done (current ≥ 1), else 0".into(),
                        inputs: vec![input("current", Some(value))],
                        result,
                        text: format!(
                            "The milestone is {}, so progress is {result}.",
                            if done { "done" } else { "not done" }
                        ),
                    },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn target(kind: TargetKind, start: Option<&str>, target: Option<&str>) -> Target {
        Target {
            kind,
            start: start.map(d),
            target: target.map(d),
            lower: None,
            upper: None,
            unit: None,
        }
    }

    fn range(lower: &str, upper: &str) -> Target {
        Target {
            kind: TargetKind::WithinRange,
            start: None,
            target: None,
            lower: Some(d(lower)),
            upper: Some(d(upper)),
            unit: None,
        }
    }

    #[test]
    fn progress_table() {
        use TargetKind::*;
        // (target, current, expected progress, expected met, expected distance)
        type Case<'a> = (
            Target,
            Option<&'a str>,
            &'a str,
            Option<bool>,
            Option<&'a str>,
        );
        let cases: Vec<Case> = vec![
            (
                target(IncreaseTo, Some("0"), Some("100")),
                Some("25"),
                "0.25",
                None,
                None,
            ),
            (
                target(IncreaseTo, Some("0"), Some("100")),
                Some("150"),
                "1",
                None,
                None,
            ),
            (
                target(IncreaseTo, Some("0"), Some("100")),
                Some("-10"),
                "0",
                None,
                None,
            ),
            (
                target(IncreaseTo, Some("-50"), Some("50")),
                Some("0"),
                "0.5",
                None,
                None,
            ),
            (
                target(IncreaseTo, Some("-20"), Some("-10")),
                Some("-15"),
                "0.5",
                None,
                None,
            ),
            (
                target(IncreaseTo, Some("10"), Some("10")),
                Some("10"),
                "1",
                None,
                None,
            ),
            (
                target(IncreaseTo, Some("10"), Some("10")),
                Some("9"),
                "0",
                None,
                None,
            ),
            (
                target(IncreaseTo, Some("0"), Some("3")),
                Some("1"),
                "0.3333",
                None,
                None,
            ),
            (
                target(IncreaseTo, Some("0"), Some("100")),
                None,
                "0",
                None,
                None,
            ),
            (
                target(DecreaseTo, Some("20"), Some("5")),
                Some("10"),
                "0.6667",
                None,
                None,
            ),
            (
                target(DecreaseTo, Some("20"), Some("5")),
                Some("25"),
                "0",
                None,
                None,
            ),
            (
                target(DecreaseTo, Some("20"), Some("5")),
                Some("2"),
                "1",
                None,
                None,
            ),
            (
                target(DecreaseTo, Some("0"), Some("-10")),
                Some("-5"),
                "0.5",
                None,
                None,
            ),
            (
                target(DecreaseTo, Some("5"), Some("5")),
                Some("4"),
                "1",
                None,
                None,
            ),
            (
                target(StayAtOrAbove, None, Some("95")),
                Some("97"),
                "1",
                Some(true),
                Some("2"),
            ),
            (
                target(StayAtOrAbove, None, Some("95")),
                Some("95"),
                "1",
                Some(true),
                Some("0"),
            ),
            (
                target(StayAtOrAbove, None, Some("95")),
                Some("90"),
                "0",
                Some(false),
                Some("-5"),
            ),
            (
                target(StayAtOrBelow, None, Some("3")),
                Some("2.5"),
                "1",
                Some(true),
                Some("0.5"),
            ),
            (
                target(StayAtOrBelow, None, Some("3")),
                Some("4"),
                "0",
                Some(false),
                Some("-1"),
            ),
            (
                target(StayAtOrBelow, None, Some("-1")),
                Some("-2"),
                "1",
                Some(true),
                Some("1"),
            ),
            (range("70", "85"), Some("80"), "1", Some(true), Some("0")),
            (range("70", "85"), Some("70"), "1", Some(true), Some("0")),
            (range("70", "85"), Some("60"), "0", Some(false), Some("10")),
            (range("70", "85"), Some("90"), "0", Some(false), Some("5")),
            (range("-5", "5"), Some("-7"), "0", Some(false), Some("2")),
            (
                target(Milestone, None, None),
                Some("1"),
                "1",
                Some(true),
                None,
            ),
            (
                target(Milestone, None, None),
                Some("0"),
                "0",
                Some(false),
                None,
            ),
        ];
        for (t, current, progress, met, distance) in cases {
            let got = t.progress(current.map(d));
            assert_eq!(
                got.progress,
                d(progress),
                "{t:?} at {current:?}: {}",
                got.explanation.text
            );
            assert_eq!(got.met, met, "{t:?} at {current:?}");
            assert_eq!(got.distance, distance.map(d), "{t:?} at {current:?}");
            assert_eq!(got.explanation.result, got.progress);
            assert!(!got.explanation.text.is_empty());
        }
    }

    #[test]
    fn explanation_names_the_inputs() {
        let got = target(TargetKind::IncreaseTo, Some("10"), Some("20")).progress(Some(d("15")));
        let names: Vec<&str> = got
            .explanation
            .inputs
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(names, ["current", "start", "target"]);
        assert_eq!(
            got.explanation.text,
            "(15 − 10) / (20 − 10) = 0.5, clamped to 0…1: 0.5."
        );
    }

    #[test]
    fn validation_table() {
        use TargetKind::*;
        let cases: Vec<(Target, Option<&str>)> = vec![
            (target(IncreaseTo, Some("0"), Some("10")), None),
            (target(IncreaseTo, Some("10"), Some("10")), None),
            (target(IncreaseTo, Some("10"), Some("0")), Some("target")),
            (target(IncreaseTo, None, Some("10")), Some("start")),
            (target(DecreaseTo, Some("10"), None), Some("target")),
            (target(DecreaseTo, Some("0"), Some("10")), Some("target")),
            (target(StayAtOrAbove, None, None), Some("target")),
            (range("5", "1"), Some("lower")),
            (range("1", "1"), None),
            (target(Milestone, None, None), None),
        ];
        for (t, field) in cases {
            match (t.validate(), field) {
                (Ok(()), None) => {}
                (Err(DomainError::Validation { field: got, .. }), Some(want)) => {
                    assert_eq!(got, want, "{t:?}")
                }
                (other, want) => panic!("{t:?}: got {other:?}, wanted error on {want:?}"),
            }
        }
    }
}
