//! A scorecard's exceptions in a period: the short list a monthly
//! business review starts from. An objective or measure is on it when it
//! is red, when its score fell by more than one band's width (10/3 points)
//! since the period before, or (measures) when its data is missing for a
//! period that has ended, or late (fewer values than the metric's own
//! periods that have closed in it).
//!
//! The same items reach the tenant's exceptions feed through the
//! framework's `exceptions` hook, for every scorecard and the last closed
//! month.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use throughline_domain::enums::MetricFrequency;
use throughline_domain::kit::{
    DomainResult, Exception, ExceptionExplanation, ExceptionWindow, ExplanationInput, Period,
    PeriodKind, Placement, Severity, TenantScope, period_containing, periods_between, stored_enum,
};
use throughline_domain::service::metrics::period_kind;
use uuid::Uuid;

use super::scores::{Design, PeriodScores, designs, scores_of_many};
use crate::model::Status;
use crate::scoring::{ScoreStatus, ValueOrigin};

stored_enum!(
    /// Why an objective or measure is on a scorecard's exceptions.
    Reason as "ScorecardExceptionReason" {
        /// Red in the period.
        Red => "RED",
        /// Its score fell by more than one band's width (10/3 points) since the period before.
        Falling => "FALLING",
        /// The period has ended and no value was recorded for it.
        Missing => "MISSING",
        /// Fewer values than the metric's own periods that have closed in the period.
        Late => "LATE",
    }
);

impl Reason {
    /// Worst first.
    fn rank(self) -> u8 {
        match self {
            Reason::Red => 0,
            Reason::Falling => 1,
            Reason::Missing => 2,
            Reason::Late => 3,
        }
    }
}

/// One objective or measure that needs attention in a period.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub objective: Uuid,
    /// `None`: the objective itself.
    pub measure: Option<Uuid>,
    /// Worst first.
    pub reasons: Vec<Reason>,
    pub score: Option<Decimal>,
    pub status: ScoreStatus,
    pub previous_score: Option<Decimal>,
    pub previous_status: ScoreStatus,
    /// One sentence a person can act on.
    pub text: String,
}

/// The period before `period`, of its kind.
pub fn previous(period: &Period, start_month: u32) -> Period {
    period.start.pred_opt().map_or_else(
        || period.clone(),
        |day| period_containing(period.kind, day, start_month),
    )
}

/// The latest period of `kind` that has ended by `today`.
pub fn last_closed(kind: PeriodKind, today: NaiveDate, start_month: u32) -> Period {
    previous(&period_containing(kind, today, start_month), start_month)
}

/// More than one band's width: 10/3 points.
fn fell(before: Option<Decimal>, now: Option<Decimal>) -> bool {
    match (before, now) {
        (Some(before), Some(now)) => (before - now) * Decimal::from(3) > Decimal::TEN,
        _ => false,
    }
}

fn shown(score: Option<Decimal>) -> String {
    score.map_or_else(|| "blank".to_string(), |s| s.normalize().to_string())
}

/// Values expected and recorded for a measure's metric in `period`: the
/// metric's own periods inside it that have closed by `today`.
fn expected_values(
    metric: &throughline_domain::entity::metric::Model,
    period: &Period,
    today: NaiveDate,
    start_month: u32,
) -> DomainResult<usize> {
    let own = period_kind(MetricFrequency::parse(&metric.frequency)?);
    Ok(periods_between(own, period.start, period.end, start_month)?
        .into_iter()
        .filter(|p| p.start >= period.start && p.end <= period.end && p.end < today)
        .count())
}

/// The exceptions of `design` in `now`'s period, compared with `before`
/// (the period before it): worst first, then in the scorecard's order.
pub fn of_period(
    design: &Design,
    now: &PeriodScores,
    before: &PeriodScores,
    today: NaiveDate,
    start_month: u32,
) -> DomainResult<Vec<Item>> {
    let period = &now.period;
    let active: HashMap<Uuid, bool> = design
        .perspectives
        .iter()
        .map(|p| (p.id, p.status == Status::Active.as_str()))
        .collect();
    let mut items = Vec::new();
    for o in design.objectives.iter().filter(|o| {
        o.status == Status::Active.as_str() && active.get(&o.perspective_id) == Some(&true)
    }) {
        let score = now.objective(o.id).and_then(|s| s.scores.score);
        let previous_score = before.objective(o.id).and_then(|s| s.scores.score);
        let mut reasons = Vec::new();
        if ScoreStatus::of(score) == ScoreStatus::Red {
            reasons.push(Reason::Red);
        }
        if fell(previous_score, score) {
            reasons.push(Reason::Falling);
        }
        if !reasons.is_empty() {
            items.push(Item {
                objective: o.id,
                measure: None,
                text: sentence(&o.title, &reasons, score, previous_score, period, None),
                reasons,
                score,
                status: ScoreStatus::of(score),
                previous_score,
                previous_status: ScoreStatus::of(previous_score),
            });
        }
        for m in design.measures.iter().filter(|m| m.objective_id == o.id) {
            let (Some(metric), Some(scored)) =
                (design.metrics.get(&m.metric_id), now.measure(m.id))
            else {
                continue;
            };
            let score = scored.score;
            let previous_score = before.measure(m.id).and_then(|s| s.score);
            let mut reasons = Vec::new();
            if scored.status == ScoreStatus::Red {
                reasons.push(Reason::Red);
            }
            if fell(previous_score, score) {
                reasons.push(Reason::Falling);
            }
            let recorded = match scored.value.origin {
                ValueOrigin::Recorded { periods } => periods,
                _ => 0,
            };
            let expected = expected_values(metric, period, today, start_month)?;
            // As the core judges lateness: a metric defined by then, or
            // with values in or before the period, owes its values; one
            // defined since without any is new, not late.
            let had_values = |s: Option<&super::scores::MeasureScore>| {
                s.is_some_and(|s| {
                    matches!(
                        s.value.origin,
                        ValueOrigin::Recorded { .. } | ValueOrigin::CarriedForward { .. }
                    )
                })
            };
            let owes = metric.created_at.date_naive() <= period.end
                || recorded > 0
                || matches!(scored.value.origin, ValueOrigin::CarriedForward { .. })
                || had_values(before.measure(m.id));
            let mut values = None;
            if owes && recorded < expected {
                reasons.push(if recorded == 0 && period.end < today {
                    Reason::Missing
                } else {
                    Reason::Late
                });
                values = Some((recorded, expected));
            }
            if reasons.is_empty() {
                continue;
            }
            items.push(Item {
                objective: o.id,
                measure: Some(m.id),
                text: sentence(
                    &metric.name,
                    &reasons,
                    score,
                    previous_score,
                    period,
                    values,
                ),
                reasons,
                score,
                status: scored.status,
                previous_score,
                previous_status: before
                    .measure(m.id)
                    .map_or(ScoreStatus::NoData, |s| s.status),
            });
        }
    }
    // Stable: within a reason, the scorecard's order.
    items.sort_by_key(|i| i.reasons.first().map(|r| r.rank()));
    Ok(items)
}

fn sentence(
    name: &str,
    reasons: &[Reason],
    score: Option<Decimal>,
    previous: Option<Decimal>,
    period: &Period,
    values: Option<(usize, usize)>,
) -> String {
    let parts: Vec<String> = reasons
        .iter()
        .map(|r| match r {
            Reason::Red => format!("is red in {} ({})", period.label, shown(score)),
            Reason::Falling => format!(
                "fell from {} to {} since the period before",
                shown(previous),
                shown(score)
            ),
            Reason::Missing => format!("has no value for {}", period.label),
            Reason::Late => {
                let (got, due) = values.unwrap_or_default();
                format!(
                    "is late: {got} of the {due} values due so far in {} recorded",
                    period.label
                )
            }
        })
        .collect();
    format!("{name} {}", parts.join(", and "))
}

/// What the scorecard adds to the tenant's exceptions feed: every
/// scorecard's items of the last closed month (red, falling, missing or
/// late), each as of the day after the month ended. The designs' and the
/// values' statements, however many scorecards.
pub async fn for_feed(
    scope: &TenantScope,
    window: &ExceptionWindow,
) -> DomainResult<Vec<Arc<Exception>>> {
    let start_month = scope.tenant().fiscal_year_start_month.clamp(1, 12) as u32;
    let month = last_closed(PeriodKind::Month, window.today, start_month);
    let since = month
        .end
        .checked_add_days(Days::new(1))
        .unwrap_or(month.end);
    if !window.contains(since) {
        return Ok(Vec::new());
    }
    let all: Vec<Arc<Design>> = designs(scope, None)
        .await?
        .into_iter()
        .map(Arc::new)
        .collect();
    if all.is_empty() {
        return Ok(Vec::new());
    }
    let months = [previous(&month, start_month), month.clone()];
    let scored = scores_of_many(scope, &all, &months).await?;
    let [before, now] = scored.as_slice() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for design in &all {
        let placement = design
            .scorecard
            .org_unit_id
            .map_or(Placement::Tenant, Placement::OrgUnit);
        for item in of_period(design, now, before, window.today, start_month)? {
            let Some(objective) = design.objectives.iter().find(|o| o.id == item.objective) else {
                continue;
            };
            let Some(worst) = item.reasons.first().copied() else {
                continue;
            };
            let severity = match worst {
                Reason::Red => Severity::Critical,
                _ => Severity::Warning,
            };
            let (subject_type, subject_id, title, owner_id, what) = match item.measure {
                Some(id) => {
                    let measure = design.measures.iter().find(|m| m.id == id);
                    let metric = measure.and_then(|m| design.metrics.get(&m.metric_id));
                    (
                        "ScorecardMeasure",
                        id,
                        format!(
                            "{} ({})",
                            metric.map_or("a measure", |m| m.name.as_str()),
                            objective.title
                        ),
                        metric.and_then(|m| m.owner_id).or(objective.owner_id),
                        "measure",
                    )
                }
                None => (
                    "ScorecardObjective",
                    objective.id,
                    objective.title.clone(),
                    objective.owner_id,
                    "objective",
                ),
            };
            out.push(Arc::new(Exception {
                kind: format!("scorecard.{what}_{}", worst.as_str().to_ascii_lowercase()),
                severity,
                subject_type,
                subject_id,
                title,
                owner_id,
                placement,
                since,
                reason: item.text.clone(),
                explanation: ExceptionExplanation {
                    text: format!(
                        "On the scorecard {:?}, {}: scored {} in {} and {} in {}.",
                        design.scorecard.title,
                        item.text,
                        shown(item.score),
                        now.period.label,
                        shown(item.previous_score),
                        before.period.label
                    ),
                    inputs: vec![
                        ExplanationInput {
                            name: format!("score in {}", now.period.label),
                            value: item.score,
                        },
                        ExplanationInput {
                            name: format!("score in {}", before.period.label),
                            value: item.previous_score,
                        },
                    ],
                },
            }));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falling_means_more_than_one_band_s_width() {
        let d = |s: &str| Some(s.parse::<Decimal>().unwrap());
        assert!(fell(d("9"), d("5.5")));
        assert!(
            !fell(d("9"), d("5.67")),
            "3.33 points is not more than 10/3"
        );
        assert!(fell(d("9"), d("5.66")));
        assert!(!fell(d("2"), d("9")));
        assert!(!fell(None, d("0")));
        assert!(!fell(d("10"), None));
    }

    #[test]
    fn the_last_closed_period_is_the_one_before_today_s() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let month = last_closed(PeriodKind::Month, day("2026-12-04"), 1);
        assert_eq!(
            (month.start, month.end),
            (day("2026-11-01"), day("2026-11-30"))
        );
        let quarter = last_closed(PeriodKind::Quarter, day("2026-01-01"), 1);
        assert_eq!(quarter.label, "FY2025 Q4");
        assert_eq!(previous(&quarter, 1).label, "FY2025 Q3");
    }
}
