//! Scorecard arithmetic as pure functions, each answering its explanation:
//! a measure's value for a viewing period (aggregated from its metric's own
//! periods, with its missing-data rule), its 0–10 score under its scoring
//! type, the weights in force in a period, and the weighted roll-up of
//! objectives, perspectives and scorecards with leading and lagging scores
//! beside the overall one.
//!
//! Scores are rounded to two decimals (as they are shown) before they are
//! rolled up, so an explanation's figures add up as printed. A blank (no
//! value under the `BLANK` rule, or an `UNSCORED` measure) is left out of a
//! roll-up's numerator and denominator alike: one missing KPI never drags a
//! score to 0.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use throughline_domain::kit::{
    Aggregation, DomainError, DomainResult, ExplanationInput, IndicatorKind, business_number,
    roll_up, stored_enum,
};

stored_enum!(
    /// How a measure's value becomes a 0–10 score.
    ScoringType as "ScorecardScoringType" {
        /// Linear through a red flag (3.33) and a goal (6.67); lower is better when the goal is below the red flag.
        GoalRedFlag => "GOAL_RED_FLAG",
        /// Best in the middle of a goal range (10), falling on both sides through the goals (6.67) and red flags (3.33).
        Stabilize => "STABILIZE",
        /// Ordered custom bands, each with its lower bound and score.
        Bands => "BANDS",
        /// Done (a value of 1 or more: 10) or not (0).
        YesNo => "YES_NO",
        /// Shown, never scored nor rolled up.
        Unscored => "UNSCORED",
    }
);

stored_enum!(
    /// What a measure's score uses for a period without a value.
    MissingData as "ScorecardMissingData" {
        /// Nothing: the measure is blank and left out of roll-ups.
        Blank => "BLANK",
        /// A value of 0.
        Zero => "ZERO",
        /// The last known value before the period, flagged as carried.
        CarryForward => "CARRY_FORWARD",
    }
);

stored_enum!(
    /// A score's colour: red below 3.33, yellow below 6.67, green from 6.67.
    ScoreStatus as "ScorecardStatus" {
        /// Below 3.33: at or past the red flag.
        Red => "RED",
        /// From 3.33 to below 6.67: between the red flag and the goal.
        Yellow => "YELLOW",
        /// From 6.67: at or past the goal.
        Green => "GREEN",
        /// Blank: no score for the period.
        NoData => "NO_DATA",
    }
);

/// The most bands a measure has.
pub const MAX_BANDS: usize = 10;

const TEN: Decimal = Decimal::TEN;

fn third_of_ten() -> Decimal {
    TEN / Decimal::from(3)
}

/// 10/3 and 20/3 to two places, the colours' bounds: constants, because
/// every score shown is coloured and a decimal division is not cheap.
const RED_BELOW: Decimal = Decimal::from_parts(333, 0, 0, false, 2);
const YELLOW_BELOW: Decimal = Decimal::from_parts(667, 0, 0, false, 2);

impl ScoreStatus {
    /// The colour of a score; blank is `NO_DATA`.
    pub fn of(score: Option<Decimal>) -> Self {
        match score {
            None => Self::NoData,
            Some(s) if s < RED_BELOW => Self::Red,
            Some(s) if s < YELLOW_BELOW => Self::Yellow,
            Some(_) => Self::Green,
        }
    }

    /// Worst first, for exceptions: red, yellow, green; blank apart.
    pub fn rank(self) -> Option<u8> {
        match self {
            Self::Red => Some(0),
            Self::Yellow => Some(1),
            Self::Green => Some(2),
            Self::NoData => None,
        }
    }
}

/// One band of a `BANDS` measure: values from `lower` up to the next
/// band's lower bound score `score`.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    pub lower: Decimal,
    pub score: Decimal,
}

/// A measure's scoring configuration, as in force in one period.
#[derive(Clone, Debug, PartialEq)]
pub enum Scoring {
    GoalRedFlag {
        goal: Decimal,
        red_flag: Decimal,
    },
    Stabilize {
        red_flag_low: Decimal,
        goal_low: Decimal,
        goal_high: Decimal,
        red_flag_high: Decimal,
    },
    /// Ordered by lower bound, lowest first.
    Bands(Vec<Band>),
    YesNo,
    Unscored,
}

fn invalid(field: &str, message: impl Into<String>) -> DomainError {
    DomainError::validation(field, message.into())
}

impl Scoring {
    pub fn kind(&self) -> ScoringType {
        match self {
            Self::GoalRedFlag { .. } => ScoringType::GoalRedFlag,
            Self::Stabilize { .. } => ScoringType::Stabilize,
            Self::Bands(_) => ScoringType::Bands,
            Self::YesNo => ScoringType::YesNo,
            Self::Unscored => ScoringType::Unscored,
        }
    }

    /// Checks the configuration can score every value. Field names are
    /// relative (`goal`, `bands[1].lower`): callers prefix them.
    pub fn validate(&self) -> DomainResult<()> {
        match self {
            Self::GoalRedFlag { goal, red_flag } => {
                business_number("goal", *goal)?;
                business_number("redFlag", *red_flag)?;
                if goal == red_flag {
                    return Err(invalid(
                        "redFlag",
                        "the red flag must differ from the goal: the distance between them scales the score (below the goal when higher is better, above it when lower is better)",
                    ));
                }
            }
            Self::Stabilize {
                red_flag_low,
                goal_low,
                goal_high,
                red_flag_high,
            } => {
                let ordered = [
                    ("redFlagLow", *red_flag_low),
                    ("goalLow", *goal_low),
                    ("goalHigh", *goal_high),
                    ("redFlagHigh", *red_flag_high),
                ];
                for (field, value) in ordered {
                    business_number(field, value)?;
                }
                for pair in ordered.windows(2) {
                    if let [(below, low), (field, high)] = pair
                        && high <= low
                    {
                        return Err(invalid(
                            field,
                            format!(
                                "must be above {below} ({low}): a stabilize measure's red flags lie outside its goal range, low to high"
                            ),
                        ));
                    }
                }
            }
            Self::Bands(bands) => {
                if bands.len() < 2 || bands.len() > MAX_BANDS {
                    return Err(invalid(
                        "bands",
                        format!("give 2 to {MAX_BANDS} bands, lowest first"),
                    ));
                }
                let mut previous: Option<Decimal> = None;
                for (i, band) in bands.iter().enumerate() {
                    if band.name.trim().is_empty() || band.name.chars().count() > 60 {
                        return Err(invalid(
                            &format!("bands[{i}].name"),
                            "a band needs a name of 1 to 60 characters",
                        ));
                    }
                    if !is_colour(&band.colour) {
                        return Err(invalid(
                            &format!("bands[{i}].colour"),
                            "a colour is written #rrggbb",
                        ));
                    }
                    business_number(&format!("bands[{i}].lower"), band.lower)?;
                    if band.score < Decimal::ZERO || band.score > TEN {
                        return Err(invalid(
                            &format!("bands[{i}].score"),
                            "a score is from 0 to 10",
                        ));
                    }
                    if let Some(below) = previous
                        && band.lower <= below
                    {
                        return Err(invalid(
                            &format!("bands[{i}].lower"),
                            format!(
                                "bands are listed lowest first: this lower bound must be above {below}"
                            ),
                        ));
                    }
                    previous = Some(band.lower);
                }
            }
            Self::YesNo | Self::Unscored => {}
        }
        Ok(())
    }
}

fn is_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text.chars().skip(1).all(|c| c.is_ascii_hexdigit())
}

/// How a score came about: the rule, its inputs, the score and a sentence
/// (GraphQL's `ScorecardScoreExplanation`).
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreExplanation {
    /// The rule, with the inputs by name.
    pub formula: String,
    /// The values that went in (a blank input is null).
    pub inputs: Vec<ExplanationInput>,
    /// The score that came out, 0 to 10; null when blank.
    pub score: Option<Decimal>,
    /// Its colour.
    pub status: ScoreStatus,
    /// The whole computation in one sentence a person can read.
    pub text: String,
}

fn input(name: &str, value: Option<Decimal>) -> ExplanationInput {
    ExplanationInput {
        name: name.to_string(),
        value,
    }
}

fn clamp_score(raw: Option<Decimal>, fallback: Decimal) -> Decimal {
    // A ratio too large for a decimal is far past either end.
    raw.unwrap_or(fallback)
        .clamp(Decimal::ZERO, TEN)
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// Spider's linear score through the red flag (3.33) and the goal (6.67):
/// `clamp((10/3)·((x − R)/(G − R) + 1), 0, 10)`. `None` only on overflow,
/// with the side it overflowed to.
fn linear(x: Decimal, goal: Decimal, red_flag: Decimal) -> Decimal {
    let distance = goal - red_flag;
    let ratio = x
        .checked_sub(red_flag)
        .and_then(|above| above.checked_div(distance));
    let raw = ratio
        .and_then(|r| r.checked_add(Decimal::ONE))
        .and_then(|r| r.checked_mul(TEN))
        .map(|r| r / Decimal::from(3));
    let past_goal = (x > red_flag) == (distance > Decimal::ZERO);
    clamp_score(raw, if past_goal { TEN } else { Decimal::ZERO })
}

/// A value's score under a scoring configuration: the number alone, as
/// [`score`] explains it (`None` for a blank or an unscored measure).
/// Scores are read far more often than explained, so this path formats
/// nothing.
pub fn score_number(scoring: &Scoring, value: Option<Decimal>) -> Option<Decimal> {
    let x = value?;
    Some(match scoring {
        Scoring::GoalRedFlag { goal, red_flag } => linear(x, *goal, *red_flag),
        Scoring::Stabilize {
            red_flag_low,
            goal_low,
            goal_high,
            red_flag_high,
        } => {
            if x < *goal_low {
                linear(x, *goal_low, *red_flag_low)
            } else if x > *goal_high {
                linear(x, *goal_high, *red_flag_high)
            } else {
                // Inside the goal range: 6.67 at its edges, 10 in its middle.
                let middle = (*goal_low + *goal_high) / Decimal::TWO;
                let half = (*goal_high - *goal_low) / Decimal::TWO;
                let off = (x - middle).abs() / half;
                clamp_score(Some(TEN - (TEN - third_of_ten() * Decimal::TWO) * off), TEN)
            }
        }
        Scoring::Bands(bands) => band_of(bands, x).map_or(Decimal::ZERO, band_score),
        Scoring::YesNo => {
            if x >= Decimal::ONE {
                TEN
            } else {
                Decimal::ZERO
            }
        }
        Scoring::Unscored => return None,
    })
}

/// The band a value falls in: the highest whose lower bound is at or
/// below it; below the lowest bound counts as the lowest band.
fn band_of(bands: &[Band], x: Decimal) -> Option<&Band> {
    bands
        .iter()
        .rev()
        .find(|band| band.lower <= x)
        .or(bands.first())
}

fn band_score(band: &Band) -> Decimal {
    band.score.round_dp(2).normalize()
}

/// A value's score under a scoring configuration, with its explanation.
/// `value` is the value the measure uses for the period (see
/// [`measure_value`]); `None` is blank.
pub fn score(scoring: &Scoring, value: Option<Decimal>) -> ScoreExplanation {
    let Some(x) = value else {
        return blank_score(scoring);
    };
    let s = score_number(scoring, value).unwrap_or_default();
    let (formula, inputs, text) = match scoring {
        Scoring::GoalRedFlag { goal, red_flag } => {
            let better = if goal > red_flag { "higher" } else { "lower" };
            (
                "clamp((10/3)·((value − redFlag)/(goal − redFlag) + 1), 0, 10)".to_string(),
                vec![
                    input("value", Some(x)),
                    input("goal", Some(*goal)),
                    input("redFlag", Some(*red_flag)),
                ],
                format!(
                    "{x} against goal {goal} (6.67) and red flag {red_flag} (3.33), {better} is better, scores {s}"
                ),
            )
        }
        Scoring::Stabilize {
            red_flag_low,
            goal_low,
            goal_high,
            red_flag_high,
        } => {
            let middle = (*goal_low + *goal_high) / Decimal::TWO;
            (
                "10 at the middle of [goalLow, goalHigh], 6.67 at its edges, 3.33 at the red flags, linear between, clamped to 0–10".to_string(),
                vec![
                    input("value", Some(x)),
                    input("redFlagLow", Some(*red_flag_low)),
                    input("goalLow", Some(*goal_low)),
                    input("goalHigh", Some(*goal_high)),
                    input("redFlagHigh", Some(*red_flag_high)),
                ],
                format!(
                    "{x} against the goal range {goal_low}–{goal_high} (best at {}) with red flags {red_flag_low} and {red_flag_high}, scores {s}",
                    middle.normalize()
                ),
            )
        }
        Scoring::Bands(bands) => {
            let (name, lower) = band_of(bands, x)
                .map(|b| (b.name.as_str(), b.lower))
                .unwrap_or(("none", Decimal::ZERO));
            (
                "the score of the highest band whose lower bound is at or below the value"
                    .to_string(),
                vec![input("value", Some(x)), input("bandLower", Some(lower))],
                format!("{x} falls in band {name} (from {lower}), which scores {s}"),
            )
        }
        Scoring::YesNo => (
            "10 when the value is 1 or more (yes), else 0".to_string(),
            vec![input("value", Some(x))],
            format!(
                "{x} means {}, which scores {s}",
                if x >= Decimal::ONE { "yes" } else { "no" }
            ),
        ),
        Scoring::Unscored => {
            return ScoreExplanation {
                formula: "unscored".into(),
                inputs: vec![input("value", Some(x))],
                score: None,
                status: ScoreStatus::NoData,
                text: format!("{x} is shown, not scored: the measure is unscored"),
            };
        }
    };
    ScoreExplanation {
        formula,
        inputs,
        score: Some(s),
        status: ScoreStatus::of(Some(s)),
        text,
    }
}

/// A measure that cannot be scored for a period: no thresholds are in
/// force and none can be taken from its metric's target. Blank, with why.
pub fn unconfigured(value: Option<Decimal>, why: String) -> ScoreExplanation {
    ScoreExplanation {
        formula: "blank".into(),
        inputs: vec![input("value", value)],
        score: None,
        status: ScoreStatus::NoData,
        text: why,
    }
}

fn blank_score(scoring: &Scoring) -> ScoreExplanation {
    let text = if matches!(scoring, Scoring::Unscored) {
        "no value, and the measure is unscored".to_string()
    } else {
        "no value for the period: blank, left out of roll-ups".to_string()
    };
    ScoreExplanation {
        formula: "blank".into(),
        inputs: vec![input("value", None)],
        score: None,
        status: ScoreStatus::NoData,
        text,
    }
}

/// Where a measure's value for a period came from.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueOrigin {
    /// Recorded for the period (rolled up from `periods` of the metric's own).
    Recorded { periods: usize },
    /// None in the period: the last known value, from the period starting then.
    CarriedForward { from: NaiveDate },
    /// None in the period: 0 by the measure's rule.
    Zero,
    /// None in the period, and nothing stands in for it.
    Blank,
}

/// A measure's value for a viewing period, with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasureValue {
    pub value: Option<Decimal>,
    pub origin: ValueOrigin,
    /// Blank under `CARRY_FORWARD`: nothing before the period to carry.
    pub nothing_to_carry: bool,
}

impl MeasureValue {
    /// Where the value came from, as a person reads it (`aggregation` is
    /// the one it was rolled up with).
    pub fn text(&self, aggregation: Aggregation) -> String {
        match (&self.origin, self.value) {
            (ValueOrigin::Recorded { periods }, value) => {
                let how = match (periods, aggregation) {
                    (1, _) => "recorded".to_string(),
                    (n, Aggregation::Sum) => format!("the sum of {n} values"),
                    (n, Aggregation::Average) => format!("the average of {n} values"),
                    (n, Aggregation::Last) => format!("the last of {n} values"),
                };
                match value {
                    Some(v) => format!("{} ({how})", v.normalize()),
                    None => format!("too large to add up ({how})"),
                }
            }
            (ValueOrigin::Zero, _) => {
                "0 (no value for the period; the measure counts a missing value as 0)".into()
            }
            (ValueOrigin::CarriedForward { from }, value) => format!(
                "{} (carried forward from the period starting {from}: none for this one)",
                value.unwrap_or_default().normalize()
            ),
            (ValueOrigin::Blank, _) if self.nothing_to_carry => {
                "blank (no value for the period, and none before it to carry forward)".into()
            }
            (ValueOrigin::Blank, _) => "blank (no value for the period)".into(),
        }
    }
}

/// The value a measure uses for a viewing period: the metric's values in
/// it (`in_period`, by the first day of each of the metric's periods)
/// rolled up with `aggregation`; without any, the missing-data rule, which
/// for `CARRY_FORWARD` takes the latest of `before` (values of earlier
/// periods). `None` from an overflowing `SUM` is answered as blank.
pub fn measure_value(
    aggregation: Aggregation,
    rule: MissingData,
    in_period: &[(NaiveDate, Decimal)],
    before: &[(NaiveDate, Decimal)],
) -> MeasureValue {
    if !in_period.is_empty() {
        return MeasureValue {
            value: roll_up(aggregation, in_period),
            origin: ValueOrigin::Recorded {
                periods: in_period.len(),
            },
            nothing_to_carry: false,
        };
    }
    match rule {
        MissingData::Zero => MeasureValue {
            value: Some(Decimal::ZERO),
            origin: ValueOrigin::Zero,
            nothing_to_carry: false,
        },
        MissingData::CarryForward => match before.iter().max_by_key(|(day, _)| *day) {
            Some((from, value)) => MeasureValue {
                value: Some(*value),
                origin: ValueOrigin::CarriedForward { from: *from },
                nothing_to_carry: false,
            },
            None => MeasureValue {
                value: None,
                origin: ValueOrigin::Blank,
                nothing_to_carry: true,
            },
        },
        MissingData::Blank => MeasureValue {
            value: None,
            origin: ValueOrigin::Blank,
            nothing_to_carry: false,
        },
    }
}

/// A relative weight valid over a date range (either end open).
#[derive(Clone, Debug, PartialEq)]
pub struct DatedWeight {
    pub weight: Decimal,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// The weight in force for a period: the one valid on its last day (so
/// "2 until 12 July, 7 after" weighs June 2 and August 7); 1 when none is.
pub fn weight_in_force(weights: &[DatedWeight], period_end: NaiveDate) -> Decimal {
    weights
        .iter()
        .find(|w| {
            w.valid_from.is_none_or(|from| from <= period_end)
                && w.valid_to.is_none_or(|to| period_end <= to)
        })
        .map_or(Decimal::ONE, |w| w.weight)
}

/// One child of an objective, perspective or scorecard in a roll-up: its
/// scores for the period and its weight then.
#[derive(Clone, Debug, PartialEq)]
pub struct Child {
    pub name: String,
    pub weight: Decimal,
    pub score: Option<Decimal>,
    /// Its leading score: a leading measure's own score; an objective's or
    /// perspective's leading roll-up.
    pub leading: Option<Decimal>,
    pub lagging: Option<Decimal>,
}

impl Child {
    /// A measure as a child: its score counts as leading or lagging by its
    /// metric's indicator kind.
    pub fn measure(
        name: &str,
        weight: Decimal,
        score: Option<Decimal>,
        kind: IndicatorKind,
    ) -> Self {
        Self {
            name: name.to_string(),
            weight,
            score,
            leading: score.filter(|_| kind == IndicatorKind::Leading),
            lagging: score.filter(|_| kind == IndicatorKind::Lagging),
        }
    }
}

/// A node's three scores in a period, as numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scores {
    pub score: Option<Decimal>,
    pub leading: Option<Decimal>,
    pub lagging: Option<Decimal>,
}

/// A node's scores for a period: overall, leading and lagging, each the
/// weighted mean of its children's (blanks left out), with explanations.
#[derive(Clone, Debug, PartialEq)]
pub struct RollUp {
    pub score: ScoreExplanation,
    pub leading: ScoreExplanation,
    pub lagging: ScoreExplanation,
}

/// `Σ(weight·score) / Σ(weight)` over the parts with a score, rounded as
/// shown; `None` when none has one.
fn mean(parts: impl Iterator<Item = (Decimal, Option<Decimal>)>) -> Option<Decimal> {
    let (mut numerator, mut denominator) = (Decimal::ZERO, Decimal::ZERO);
    for (weight, score) in parts {
        if let Some(score) = score {
            // Weights and scores are small (≤ 10^3 and ≤ 10): no overflow.
            numerator += weight * score;
            denominator += weight;
        }
    }
    if denominator <= Decimal::ZERO {
        return None;
    }
    Some(clamp_score(
        numerator.checked_div(denominator),
        Decimal::ZERO,
    ))
}

/// The numbers [`roll_up_children`] explains, and nothing else: what
/// scoring a scorecard runs for every node and period.
pub fn roll_up_scores(children: &[Child]) -> Scores {
    Scores {
        score: mean(children.iter().map(|c| (c.weight, c.score))),
        leading: mean(children.iter().map(|c| (c.weight, c.leading))),
        lagging: mean(children.iter().map(|c| (c.weight, c.lagging))),
    }
}

/// Rolls children up: `Σ(weight·score) / Σ(weight)` over the children with
/// a score, for the overall, leading and lagging scores separately.
pub fn roll_up_children(children: &[Child]) -> RollUp {
    RollUp {
        score: weighted_mean(children, "score", |c| c.score),
        leading: weighted_mean(children, "leading score", |c| c.leading),
        lagging: weighted_mean(children, "lagging score", |c| c.lagging),
    }
}

fn weighted_mean(
    children: &[Child],
    what: &str,
    pick: impl Fn(&Child) -> Option<Decimal>,
) -> ScoreExplanation {
    let mut inputs = Vec::new();
    let mut parts = Vec::new();
    let mut blanks = Vec::new();
    let mut denominator = Decimal::ZERO;
    for child in children {
        match pick(child) {
            Some(score) => {
                denominator += child.weight;
                inputs.push(input(
                    &format!("{} (weight {})", child.name, child.weight.normalize()),
                    Some(score),
                ));
                parts.push(format!(
                    "{} {score} × {}",
                    child.name,
                    child.weight.normalize()
                ));
            }
            None => blanks.push(child.name.as_str()),
        }
    }
    let left_out = if blanks.is_empty() {
        String::new()
    } else {
        format!("; blank, left out: {}", blanks.join(", "))
    };
    let formula = "Σ(weight × score) / Σ(weight), blanks left out".to_string();
    let Some(score) = mean(children.iter().map(|c| (c.weight, pick(c)))) else {
        return ScoreExplanation {
            formula,
            inputs,
            score: None,
            status: ScoreStatus::NoData,
            text: format!("no {what}: nothing under it has one{left_out}"),
        };
    };
    ScoreExplanation {
        formula,
        inputs,
        score: Some(score),
        status: ScoreStatus::of(Some(score)),
        text: format!(
            "{what} {score}: ({}) / {}{left_out}",
            parts.join(" + "),
            denominator.normalize()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_colour_bounds_are_a_third_and_two_thirds_of_ten() {
        assert_eq!(RED_BELOW, third_of_ten().round_dp(2));
        assert_eq!(YELLOW_BELOW, (third_of_ten() * Decimal::TWO).round_dp(2));
        assert_eq!(
            ScoreStatus::of(Some(Decimal::new(332, 2))),
            ScoreStatus::Red
        );
        assert_eq!(ScoreStatus::of(Some(RED_BELOW)), ScoreStatus::Yellow);
        assert_eq!(ScoreStatus::of(Some(YELLOW_BELOW)), ScoreStatus::Green);
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn scored(scoring: &Scoring, value: &str) -> Decimal {
        score(scoring, Some(d(value))).score.unwrap()
    }

    #[test]
    fn goal_and_red_flag_score_spiders_published_example() {
        let spider = Scoring::GoalRedFlag {
            goal: d("700"),
            red_flag: d("500"),
        };
        for (value, expected) in [
            ("100", "0"),
            ("300", "0"),
            ("400", "1.67"),
            ("500", "3.33"),
            ("600", "5"),
            ("700", "6.67"),
            ("900", "10"),
            ("1500", "10"),
        ] {
            assert_eq!(scored(&spider, value), d(expected), "{value}");
        }
        let explained = score(&spider, Some(d("700")));
        assert_eq!(explained.status, ScoreStatus::Green);
        assert!(
            explained.text.contains("higher is better"),
            "{}",
            explained.text
        );
        assert_eq!(score(&spider, Some(d("499"))).status, ScoreStatus::Red);
        assert_eq!(score(&spider, Some(d("500"))).status, ScoreStatus::Yellow);
    }

    #[test]
    fn a_goal_below_the_red_flag_means_lower_is_better() {
        let costs = Scoring::GoalRedFlag {
            goal: d("500"),
            red_flag: d("700"),
        };
        for (value, expected) in [
            ("900", "0"),
            ("700", "3.33"),
            ("500", "6.67"),
            ("300", "10"),
            ("0", "10"),
        ] {
            assert_eq!(scored(&costs, value), d(expected), "{value}");
        }
        assert!(score(&costs, Some(d("1"))).text.contains("lower is better"));
    }

    #[test]
    fn numbers_at_their_limits_clamp_rather_than_overflow() {
        let tiny = Scoring::GoalRedFlag {
            goal: d("0.000001"),
            red_flag: d("0"),
        };
        assert_eq!(scored(&tiny, "999999999999999"), d("10"));
        assert_eq!(scored(&tiny, "-999999999999999"), d("0"));
    }

    #[test]
    fn stabilize_is_best_in_the_middle_and_falls_on_both_sides() {
        let temperature = Scoring::Stabilize {
            red_flag_low: d("16"),
            goal_low: d("19"),
            goal_high: d("23"),
            red_flag_high: d("26"),
        };
        for (value, expected) in [
            ("10", "0"),
            ("13", "0"),
            ("16", "3.33"),
            ("19", "6.67"),
            ("20", "8.33"),
            ("21", "10"),
            ("22", "8.33"),
            ("23", "6.67"),
            ("26", "3.33"),
            ("29", "0"),
            ("40", "0"),
        ] {
            assert_eq!(scored(&temperature, value), d(expected), "{value}");
        }
    }

    fn traffic_lights() -> Scoring {
        Scoring::Bands(vec![
            Band {
                name: "Red".into(),
                colour: "#d64545".into(),
                lower: d("0"),
                score: d("0"),
            },
            Band {
                name: "Amber".into(),
                colour: "#e8a33d".into(),
                lower: d("50"),
                score: d("5"),
            },
            Band {
                name: "Green".into(),
                colour: "#3d9a50".into(),
                lower: d("80"),
                score: d("8"),
            },
            Band {
                name: "Blue".into(),
                colour: "#3d6fd6".into(),
                lower: d("100"),
                score: d("10"),
            },
        ])
    }

    #[test]
    fn bands_score_from_each_lower_bound_up() {
        let bands = traffic_lights();
        for (value, expected) in [
            ("-5", "0"),
            ("0", "0"),
            ("49.99", "0"),
            ("50", "5"),
            ("79.99", "5"),
            ("80", "8"),
            ("99.99", "8"),
            ("100", "10"),
            ("1000", "10"),
        ] {
            assert_eq!(scored(&bands, value), d(expected), "{value}");
        }
        assert_eq!(
            score(&bands, Some(d("80"))).text,
            "80 falls in band Green (from 80), which scores 8"
        );
    }

    #[test]
    fn yes_no_and_unscored() {
        assert_eq!(scored(&Scoring::YesNo, "1"), d("10"));
        assert_eq!(scored(&Scoring::YesNo, "3"), d("10"));
        assert_eq!(scored(&Scoring::YesNo, "0"), d("0"));
        assert_eq!(scored(&Scoring::YesNo, "0.5"), d("0"));
        let shown = score(&Scoring::Unscored, Some(d("42")));
        assert_eq!((shown.score, shown.status), (None, ScoreStatus::NoData));
    }

    #[test]
    fn configurations_that_cannot_score_are_refused_with_their_field() {
        let field = |scoring: Scoring| match scoring.validate() {
            Err(DomainError::Validation { field, .. }) => Some(field),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(Scoring::GoalRedFlag {
                goal: d("5"),
                red_flag: d("5")
            })
            .as_deref(),
            Some("redFlag")
        );
        assert_eq!(
            field(Scoring::Stabilize {
                red_flag_low: d("16"),
                goal_low: d("19"),
                goal_high: d("19"),
                red_flag_high: d("26"),
            })
            .as_deref(),
            Some("goalHigh")
        );
        let Scoring::Bands(mut bands) = traffic_lights() else {
            unreachable!()
        };
        bands[2].lower = d("50");
        assert_eq!(
            field(Scoring::Bands(bands.clone())).as_deref(),
            Some("bands[2].lower")
        );
        bands[2].lower = d("80");
        bands[1].score = d("11");
        assert_eq!(
            field(Scoring::Bands(bands.clone())).as_deref(),
            Some("bands[1].score")
        );
        bands[1].score = d("5");
        bands[3].colour = "blue".into();
        assert_eq!(
            field(Scoring::Bands(bands.clone())).as_deref(),
            Some("bands[3].colour")
        );
        assert_eq!(
            field(Scoring::Bands(bands[..1].to_vec())).as_deref(),
            Some("bands")
        );
        assert!(traffic_lights().validate().is_ok());
    }

    #[test]
    fn a_period_without_a_value_follows_the_measures_rule() {
        let before = [(day("2026-01-01"), d("40")), (day("2026-02-01"), d("45"))];
        let blank = measure_value(Aggregation::Sum, MissingData::Blank, &[], &before);
        assert_eq!((blank.value, &blank.origin), (None, &ValueOrigin::Blank));
        let zero = measure_value(Aggregation::Sum, MissingData::Zero, &[], &before);
        assert_eq!(
            (zero.value, &zero.origin),
            (Some(d("0")), &ValueOrigin::Zero)
        );
        let carried = measure_value(Aggregation::Sum, MissingData::CarryForward, &[], &before);
        assert_eq!(
            (carried.value, &carried.origin),
            (
                Some(d("45")),
                &ValueOrigin::CarriedForward {
                    from: day("2026-02-01")
                }
            )
        );
        let text = carried.text(Aggregation::Sum);
        assert!(text.contains("carried forward"), "{text}");
        let nothing = measure_value(Aggregation::Sum, MissingData::CarryForward, &[], &[]);
        assert_eq!(nothing.value, None);
        // Blank is left out of scoring; zero is scored.
        let spider = Scoring::GoalRedFlag {
            goal: d("700"),
            red_flag: d("500"),
        };
        assert_eq!(score(&spider, blank.value).score, None);
        assert_eq!(score(&spider, zero.value).score, Some(d("0")));
    }

    #[test]
    fn a_monthly_kpi_viewed_by_quarter_rolls_up_by_its_aggregation() {
        let quarter = [
            (day("2026-07-01"), d("10")),
            (day("2026-08-01"), d("20")),
            (day("2026-09-01"), d("60")),
        ];
        for (aggregation, expected) in [
            (Aggregation::Sum, "90"),
            (Aggregation::Average, "30"),
            (Aggregation::Last, "60"),
        ] {
            let value = measure_value(aggregation, MissingData::Blank, &quarter, &[]);
            assert_eq!(value.value, Some(d(expected)), "{aggregation:?}");
            assert_eq!(value.origin, ValueOrigin::Recorded { periods: 3 });
        }
    }

    #[test]
    fn weights_switch_on_their_dates_and_a_past_period_keeps_its_own() {
        let weights = [
            DatedWeight {
                weight: d("2"),
                valid_from: None,
                valid_to: Some(day("2026-07-12")),
            },
            DatedWeight {
                weight: d("7"),
                valid_from: Some(day("2026-07-13")),
                valid_to: None,
            },
        ];
        assert_eq!(weight_in_force(&weights, day("2026-06-30")), d("2"));
        assert_eq!(weight_in_force(&weights, day("2026-08-31")), d("7"));
        assert_eq!(weight_in_force(&[], day("2026-08-31")), d("1"));
        let june = roll_up_children(&[
            Child::measure(
                "Revenue",
                weight_in_force(&weights, day("2026-06-30")),
                Some(d("10")),
                IndicatorKind::Lagging,
            ),
            Child::measure("Margin", Decimal::ONE, Some(d("1")), IndicatorKind::Lagging),
        ]);
        let august = roll_up_children(&[
            Child::measure(
                "Revenue",
                weight_in_force(&weights, day("2026-08-31")),
                Some(d("10")),
                IndicatorKind::Lagging,
            ),
            Child::measure("Margin", Decimal::ONE, Some(d("1")), IndicatorKind::Lagging),
        ]);
        assert_eq!(june.score.score, Some(d("7")));
        assert_eq!(august.score.score, Some(d("8.88")));
    }

    #[test]
    fn a_blank_child_is_left_out_of_both_sides_of_the_mean() {
        let rolled = roll_up_children(&[
            Child::measure("NPS", Decimal::ONE, Some(d("8")), IndicatorKind::Lagging),
            Child::measure("Churn", Decimal::TWO, None, IndicatorKind::Lagging),
            Child::measure("Demos", Decimal::ONE, Some(d("4")), IndicatorKind::Leading),
        ]);
        assert_eq!(rolled.score.score, Some(d("6")));
        assert_eq!(rolled.score.status, ScoreStatus::Yellow);
        assert_eq!(
            rolled.score.text,
            "score 6: (NPS 8 × 1 + Demos 4 × 1) / 2; blank, left out: Churn"
        );
        let nothing = roll_up_children(&[Child::measure(
            "Churn",
            Decimal::ONE,
            None,
            IndicatorKind::Lagging,
        )]);
        assert_eq!(nothing.score.score, None);
        assert_eq!(nothing.score.status, ScoreStatus::NoData);
    }

    #[test]
    fn leading_and_lagging_scores_are_kept_apart_up_the_tree() {
        let customer = roll_up_children(&[
            Child::measure(
                "Demos booked",
                Decimal::ONE,
                Some(d("9")),
                IndicatorKind::Leading,
            ),
            Child::measure(
                "Pipeline",
                Decimal::ONE,
                Some(d("7")),
                IndicatorKind::Leading,
            ),
            Child::measure(
                "Revenue",
                Decimal::ONE,
                Some(d("2")),
                IndicatorKind::Lagging,
            ),
        ]);
        assert_eq!(customer.leading.score, Some(d("8")));
        assert_eq!(customer.lagging.score, Some(d("2")));
        assert_eq!(customer.score.score, Some(d("6")));
        // One level up, an objective's leading and lagging scores roll up as such.
        let finance = Child {
            name: "Finance".into(),
            weight: Decimal::ONE,
            score: Some(d("4")),
            leading: None,
            lagging: Some(d("4")),
        };
        let perspective = roll_up_children(&[
            Child {
                name: "Customer".into(),
                weight: Decimal::ONE,
                score: customer.score.score,
                leading: customer.leading.score,
                lagging: customer.lagging.score,
            },
            finance,
        ]);
        assert_eq!(perspective.leading.score, Some(d("8")));
        assert_eq!(perspective.lagging.score, Some(d("3")));
        assert_eq!(perspective.score.score, Some(d("5")));
    }
}
