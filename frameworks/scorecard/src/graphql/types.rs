//! The scorecard's object types: perspectives, scorecards, objectives and
//! measures, each scored for any period with its explanation.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use throughline_domain::entity::{metric, org_unit, strategic_priority};
use throughline_domain::graphql::types::{Metric, OrgUnit, Person, StrategicPriority};
use throughline_domain::kit::{
    Aggregation, ById, Date, DomainError, ExplanationInput, Period, PeriodKind, date_in_range,
    encode_id, from_stored, periods_between, request, stored_enum,
};
use uuid::Uuid;

use super::commentary::{ScorecardCommentary, commentaries_of, commentary_of};
use super::loaders::{ScorecardLoader, ScoresKey};
use crate::entity::{measure, objective, perspective, scorecard};
use crate::model::Status;
use crate::scoring::{MissingData, ScoreExplanation, ScoreStatus, ScoringType, ValueOrigin};
use crate::service::commentaries::Subject;
use crate::service::measures::scoring_of;
use crate::service::scores::{Design, MeasureScore, NodeScore, PeriodScores, ThresholdSource};
use crate::service::weights;

/// The most periods one `scoreHistory` spans.
pub const MAX_HISTORY_PERIODS: usize = 60;

stored_enum!(
    /// Where a measure's value for a period came from.
    ValueSource as "ScorecardValueSource" {
        /// Recorded in the period (rolled up from the metric's own periods in it).
        Recorded => "RECORDED",
        /// None in the period: the last known value before it.
        CarriedForward => "CARRIED_FORWARD",
        /// None in the period: 0 by the measure's rule.
        Zero => "ZERO",
        /// None in the period, and nothing stands in for it.
        Blank => "BLANK",
    }
);

stored_enum!(
    /// Where a measure's thresholds for a period came from.
    ThresholdOrigin as "ScorecardThresholdSource" {
        /// Set on the measure for a date range holding the period's last day.
        Measure => "MEASURE",
        /// Taken from the metric's target (goal) and its warning margin (red flag) in force then.
        MetricTarget => "METRIC_TARGET",
        /// None: the measure needs none (yes/no, unscored) or has none in force.
        None => "NONE",
    }
);

/// Reads the period asked: the one of `kind` holding `day` (default today).
pub(crate) fn period_of(
    ctx: &Context<'_>,
    day: Option<Date>,
    kind: PeriodKind,
) -> Result<(PeriodKind, NaiveDate)> {
    let scope = &request(ctx)?.scope;
    let day = day.map_or_else(|| scope.today(), |d| d.0);
    date_in_range("period", day)?;
    Ok((kind, day))
}

/// The periods of `kind` from `from` to `to`, at most [`MAX_HISTORY_PERIODS`].
pub(crate) fn history_of(
    ctx: &Context<'_>,
    from: Date,
    to: Date,
    kind: PeriodKind,
) -> Result<Vec<Period>> {
    let scope = &request(ctx)?.scope;
    date_in_range("from", from.0)?;
    date_in_range("to", to.0)?;
    let start_month = scope.tenant().fiscal_year_start_month.clamp(1, 12) as u32;
    let periods = periods_between(kind, from.0, to.0, start_month)?;
    if periods.len() > MAX_HISTORY_PERIODS {
        return Err(DomainError::validation(
            "to",
            format!(
                "a score history spans at most {MAX_HISTORY_PERIODS} periods; this range holds {}",
                periods.len()
            ),
        )
        .into());
    }
    Ok(periods)
}

/// The scores of a scorecard for each period asked, in one batch.
pub(crate) async fn scores_for(
    ctx: &Context<'_>,
    scorecard: Uuid,
    periods: impl IntoIterator<Item = (PeriodKind, NaiveDate)>,
) -> Result<Vec<Arc<PeriodScores>>> {
    let start_month = request(ctx)?
        .scope
        .tenant()
        .fiscal_year_start_month
        .clamp(1, 12) as u32;
    // Keyed by the period's first day, so two days of one period share it.
    let keys: Vec<ScoresKey> = periods
        .into_iter()
        .map(|(kind, day)| ScoresKey {
            scorecard,
            kind,
            start: throughline_domain::kit::period_containing(kind, day, start_month).start,
        })
        .collect();
    scores_at(ctx, keys).await
}

/// The scores of a scorecard for each of `periods` (whole periods, as
/// [`history_of`] answers them), in one batch.
pub(crate) async fn history_for(
    ctx: &Context<'_>,
    scorecard: Uuid,
    periods: &[Period],
) -> Result<Vec<Arc<PeriodScores>>> {
    let keys = periods
        .iter()
        .map(|p| ScoresKey {
            scorecard,
            kind: p.kind,
            start: p.start,
        })
        .collect();
    scores_at(ctx, keys).await
}

async fn scores_at(ctx: &Context<'_>, keys: Vec<ScoresKey>) -> Result<Vec<Arc<PeriodScores>>> {
    let loaded = request(ctx)?
        .loader::<ScorecardLoader, ScoresKey>()
        .load_many(keys.iter().copied())
        .await?;
    Ok(keys.iter().filter_map(|k| loaded.get(k).cloned()).collect())
}

pub(crate) async fn design_of(ctx: &Context<'_>, scorecard: Uuid) -> Result<Option<Arc<Design>>> {
    Ok(request(ctx)?
        .loader::<ScorecardLoader, Uuid>()
        .load_one(scorecard)
        .await?)
}

/// A node of a scorecard, as its scores are looked up.
#[derive(Clone, Copy, Debug)]
enum Node {
    Scorecard(Uuid),
    Perspective { scorecard: Uuid, id: Uuid },
    Objective(Uuid),
}

/// Which of a node's three scores.
#[derive(Clone, Copy, Debug)]
enum Part {
    Overall,
    Leading,
    Lagging,
}

/// What an explanation is of.
#[derive(Clone, Copy, Debug)]
enum Explained {
    Node(Node, Part),
    Measure(Uuid),
    /// Not on the scorecard in the period.
    Missing,
}

/// A score's explanation, put into words only when a field of it that
/// needs words is asked: scores are read far more often than explained.
pub struct ExplanationView {
    scores: Arc<PeriodScores>,
    of: Explained,
    words: std::sync::OnceLock<ScoreExplanation>,
}

impl ExplanationView {
    fn new(scores: &Arc<PeriodScores>, of: Explained) -> Self {
        Self {
            scores: scores.clone(),
            of,
            words: std::sync::OnceLock::new(),
        }
    }

    fn number(&self) -> Option<Decimal> {
        let s = &self.scores;
        match self.of {
            Explained::Node(node, part) => node_score(s, node).and_then(|n| match part {
                Part::Overall => n.scores.score,
                Part::Leading => n.scores.leading,
                Part::Lagging => n.scores.lagging,
            }),
            Explained::Measure(id) => s.measure(id).and_then(|m| m.score),
            Explained::Missing => None,
        }
    }

    fn words(&self) -> &ScoreExplanation {
        self.words.get_or_init(|| {
            let s = &self.scores;
            let rolled = |node: Node| match node {
                Node::Scorecard(id) => s.scorecard_explanation(id),
                Node::Perspective { scorecard, id } => s.perspective_explanation(scorecard, id),
                Node::Objective(id) => s.objective_explanation(id),
            };
            let found = match self.of {
                Explained::Node(node, part) => rolled(node).map(|r| match part {
                    Part::Overall => r.score,
                    Part::Leading => r.leading,
                    Part::Lagging => r.lagging,
                }),
                Explained::Measure(id) => s.measure_explanation(id),
                Explained::Missing => None,
            };
            found.unwrap_or_else(|| ScoreExplanation {
                formula: "blank".into(),
                inputs: Vec::new(),
                score: None,
                status: ScoreStatus::NoData,
                text: "not on this scorecard in this period".into(),
            })
        })
    }
}

/// How a score came about: the rule, its inputs, the score and a sentence.
#[Object(name = "ScorecardScoreExplanation")]
impl ExplanationView {
    /// The rule, with the inputs by name.
    async fn formula(&self) -> &str {
        &self.words().formula
    }
    /// The values that went in (a blank input is null).
    async fn inputs(&self) -> &[ExplanationInput] {
        &self.words().inputs
    }
    /// The score that came out, 0 to 10; null when blank.
    async fn score(&self) -> Option<Decimal> {
        self.number()
    }
    /// Its colour.
    async fn status(&self) -> ScoreStatus {
        ScoreStatus::of(self.number())
    }
    /// The whole computation in one sentence a person can read.
    async fn text(&self) -> &str {
        &self.words().text
    }
}

fn node_score(scores: &PeriodScores, node: Node) -> Option<&NodeScore> {
    match node {
        Node::Scorecard(id) => scores.scorecard(id),
        Node::Perspective { scorecard, id } => scores.perspective(scorecard, id),
        Node::Objective(id) => scores.objective(id),
    }
}

/// A node's scores in one period: overall, leading and lagging, each with its explanation.
pub struct NodeScoreView {
    scores: Arc<PeriodScores>,
    /// `None`: not on the scorecard in the period.
    node: Option<Node>,
}

impl NodeScoreView {
    fn of(scores: &Arc<PeriodScores>, node: Node) -> Self {
        let found = node_score(scores, node).is_some();
        Self {
            scores: scores.clone(),
            node: found.then_some(node),
        }
    }

    fn numbers(&self) -> Option<&NodeScore> {
        node_score(&self.scores, self.node?)
    }

    fn explained(&self, part: Part) -> ExplanationView {
        let of = self
            .node
            .map_or(Explained::Missing, |node| Explained::Node(node, part));
        ExplanationView::new(&self.scores, of)
    }
}

/// A node's scores in one period: overall, leading and lagging, each with its explanation.
#[Object(name = "ScorecardNodeScore")]
impl NodeScoreView {
    /// The period.
    async fn period(&self) -> &Period {
        &self.scores.period
    }
    /// Its weight in its parent in this period (1 unless set).
    async fn weight(&self) -> Decimal {
        self.numbers().map_or(Decimal::ONE, |n| n.weight)
    }
    /// 0–10; null when nothing under it has a score.
    async fn score(&self) -> Option<Decimal> {
        self.numbers().and_then(|n| n.scores.score)
    }
    /// The score's colour.
    async fn status(&self) -> ScoreStatus {
        ScoreStatus::of(self.numbers().and_then(|n| n.scores.score))
    }
    /// How the score came about.
    async fn explanation(&self) -> ExplanationView {
        self.explained(Part::Overall)
    }
    /// The score of its leading measures alone: whether today's efforts predict tomorrow's outcomes.
    async fn leading(&self) -> ExplanationView {
        self.explained(Part::Leading)
    }
    /// The score of its lagging measures alone: the outcomes.
    async fn lagging(&self) -> ExplanationView {
        self.explained(Part::Lagging)
    }
}

/// A measure in one period: the value used, where it came from, and its score.
pub struct MeasureScoreView {
    scores: Arc<PeriodScores>,
    measure: Uuid,
}

impl MeasureScoreView {
    fn of(scores: &Arc<PeriodScores>, measure: Uuid) -> Option<Self> {
        scores.measure(measure)?;
        Some(Self {
            scores: scores.clone(),
            measure,
        })
    }

    fn scored(&self) -> Result<&MeasureScore> {
        Ok(self
            .scores
            .measure(self.measure)
            .ok_or_else(|| DomainError::not_found("measure"))?)
    }
}

/// A measure in one period: the value used, where it came from, and its score.
#[Object(name = "ScorecardMeasureScore")]
impl MeasureScoreView {
    /// The period.
    async fn period(&self) -> &Period {
        &self.scores.period
    }
    /// Its weight in its objective in this period (1 unless set).
    async fn weight(&self) -> Result<Decimal> {
        Ok(self.scored()?.weight)
    }
    /// The value used: the metric's values in the period rolled up with the measure's aggregation, or what its missing-data rule put in their place.
    async fn value(&self) -> Result<Option<Decimal>> {
        Ok(self.scored()?.value.value)
    }
    /// Where the value came from.
    async fn value_source(&self) -> Result<ValueSource> {
        Ok(match self.scored()?.value.origin {
            ValueOrigin::Recorded { .. } => ValueSource::Recorded,
            ValueOrigin::CarriedForward { .. } => ValueSource::CarriedForward,
            ValueOrigin::Zero => ValueSource::Zero,
            ValueOrigin::Blank => ValueSource::Blank,
        })
    }
    /// For a carried-forward value, the first day of the period it was recorded for.
    async fn carried_from(&self) -> Result<Option<Date>> {
        Ok(match self.scored()?.value.origin {
            ValueOrigin::CarriedForward { from } => Some(Date(from)),
            _ => None,
        })
    }
    /// Where the thresholds came from.
    async fn thresholds_source(&self) -> Result<ThresholdOrigin> {
        Ok(match self.scored()?.source {
            ThresholdSource::Measure => ThresholdOrigin::Measure,
            ThresholdSource::MetricTarget => ThresholdOrigin::MetricTarget,
            ThresholdSource::None => ThresholdOrigin::None,
        })
    }
    /// 0–10; null when blank or unscored.
    async fn score(&self) -> Result<Option<Decimal>> {
        Ok(self.scored()?.score)
    }
    /// The score's colour.
    async fn status(&self) -> Result<ScoreStatus> {
        Ok(self.scored()?.status)
    }
    /// How the score came about: the value, the thresholds, the formula and the result.
    async fn explanation(&self) -> ExplanationView {
        ExplanationView::new(&self.scores, Explained::Measure(self.measure))
    }
}

/// A view a scorecard balances: Financial, Customer, Internal Process, Learning & Growth by default.
#[derive(Clone, Debug)]
pub struct ScorecardPerspective(pub perspective::Model);

/// A view a scorecard balances: Financial, Customer, Internal Process, Learning & Growth by default.
#[Object(visible = "super::scorecard_enabled")]
impl ScorecardPerspective {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("ScorecardPerspective", self.0.id)
    }
    /// E.g. `Customer`.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// `#rrggbb`, for its band on the strategy map.
    async fn colour(&self) -> &str {
        &self.0.colour
    }
    /// Order on every scorecard, lowest first (Financial on top by default).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// Active, or archived (kept for its objectives, offered for no new one).
    async fn status(&self) -> Result<Status> {
        Ok(Status::parse(&self.0.status)?)
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// An org unit's strategy on a page: objectives by perspective, measured by core KPIs, scored 0–10 per period.
#[derive(Clone, Debug)]
pub struct Scorecard(pub scorecard::Model);

/// An org unit's strategy on a page: objectives by perspective, measured by core KPIs, scored 0–10 per period.
#[Object(visible = "super::scorecard_enabled")]
impl Scorecard {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("Scorecard", self.0.id)
    }
    /// E.g. `Company scorecard`.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The unit it is for; null once that unit was deleted (the scorecard stays, unattached).
    async fn org_unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        let Some(id) = self.0.org_unit_id else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<org_unit::Entity>, _>()
            .load_one(id)
            .await?
            .map(OrgUnit))
    }
    /// Its perspectives in order (the active ones, and archived ones that still hold objectives here), each with its objectives.
    async fn perspectives(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardPerspectiveOnCard>> {
        let Some(design) = design_of(ctx, self.0.id).await? else {
            return Ok(Vec::new());
        };
        Ok(design
            .perspectives
            .iter()
            .map(|p| ScorecardPerspectiveOnCard {
                scorecard_id: self.0.id,
                perspective: p.clone(),
            })
            .collect())
    }
    /// Every objective, in order.
    async fn objectives(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardObjective>> {
        let Some(design) = design_of(ctx, self.0.id).await? else {
            return Ok(Vec::new());
        };
        Ok(design
            .objectives
            .iter()
            .cloned()
            .map(ScorecardObjective)
            .collect())
    }
    /// The objectives of scorecards of the units above shown here (the cascade down), in the order they were linked: each in its perspective, scored where it lives, counted here with weight 1.
    async fn linked_objectives(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardObjective>> {
        let Some(design) = design_of(ctx, self.0.id).await? else {
            return Ok(Vec::new());
        };
        Ok(design
            .linked_objectives
            .iter()
            .cloned()
            .map(ScorecardObjective)
            .collect())
    }
    /// The scorecard's score in the period of `periodKind` holding `period` (default today): the weighted mean of its active perspectives'.
    async fn score(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the period; omitted, today.")] period: Option<Date>,
        #[graphql(desc = "The period's length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<NodeScoreView> {
        let key = period_of(ctx, period, period_kind)?;
        let scores = scores_for(ctx, self.0.id, [key]).await?;
        scores
            .first()
            .map(|s| NodeScoreView::of(s, Node::Scorecard(self.0.id)))
            .ok_or_else(|| DomainError::not_found("scorecard").into())
    }
    /// The scorecard's score for every period of `periodKind` from `from` to `to` (at most 60), for charts.
    async fn score_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the first period.")] from: Date,
        #[graphql(desc = "Any day of the last period.")] to: Date,
        #[graphql(desc = "The periods' length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<Vec<NodeScoreView>> {
        let periods = history_of(ctx, from, to, period_kind)?;
        let scores = history_for(ctx, self.0.id, &periods).await?;
        Ok(scores
            .iter()
            .map(|s| NodeScoreView::of(s, Node::Scorecard(self.0.id)))
            .collect())
    }
    /// Its strategy map in the period of `periodKind` holding `period` (default today): the same as `scorecard { strategyMap(scorecardId) }`.
    async fn strategy_map(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the period; omitted, today.")] period: Option<Date>,
        #[graphql(desc = "The period's length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<Option<super::strategy_map::MapView>> {
        super::strategy_map::map_of(ctx, self.0.id, period, period_kind).await
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A perspective as it stands on one scorecard: its objectives there, its weight and its score.
#[derive(Clone, Debug)]
pub struct ScorecardPerspectiveOnCard {
    scorecard_id: Uuid,
    perspective: perspective::Model,
}

/// A perspective as it stands on one scorecard: its objectives there, its weight and its score.
#[Object(visible = "super::scorecard_enabled")]
impl ScorecardPerspectiveOnCard {
    /// The perspective.
    async fn perspective(&self) -> ScorecardPerspective {
        ScorecardPerspective(self.perspective.clone())
    }
    /// Its objectives on this scorecard, in order.
    async fn objectives(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardObjective>> {
        let Some(design) = design_of(ctx, self.scorecard_id).await? else {
            return Ok(Vec::new());
        };
        Ok(design
            .objectives
            .iter()
            .filter(|o| o.perspective_id == self.perspective.id)
            .cloned()
            .map(ScorecardObjective)
            .collect())
    }
    /// The objectives of scorecards above linked into this perspective here, in the order they were linked (each counted with weight 1).
    async fn linked_objectives(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardObjective>> {
        let Some(design) = design_of(ctx, self.scorecard_id).await? else {
            return Ok(Vec::new());
        };
        Ok(design
            .linked_objectives
            .iter()
            .filter(|o| o.perspective_id == self.perspective.id)
            .cloned()
            .map(ScorecardObjective)
            .collect())
    }
    /// Its weight in the scorecard over time (none: 1 throughout).
    async fn weights(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardWeight>> {
        let Some(design) = design_of(ctx, self.scorecard_id).await? else {
            return Ok(Vec::new());
        };
        design.weights_where(|w| {
            w.scorecard_id == Some(self.scorecard_id)
                && w.perspective_id == Some(self.perspective.id)
        })
    }
    /// Its score in the period: the weighted mean of its active objectives' here.
    async fn score(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the period; omitted, today.")] period: Option<Date>,
        #[graphql(desc = "The period's length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<NodeScoreView> {
        let key = period_of(ctx, period, period_kind)?;
        let scores = scores_for(ctx, self.scorecard_id, [key]).await?;
        Ok(node_views(&scores, self.node())
            .into_iter()
            .next()
            .ok_or_else(|| DomainError::not_found("scorecard"))?)
    }
    /// Its score for every period from `from` to `to` (at most 60).
    async fn score_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the first period.")] from: Date,
        #[graphql(desc = "Any day of the last period.")] to: Date,
        #[graphql(desc = "The periods' length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<Vec<NodeScoreView>> {
        let periods = history_of(ctx, from, to, period_kind)?;
        let scores = history_for(ctx, self.scorecard_id, &periods).await?;
        Ok(node_views(&scores, self.node()))
    }
}

fn node_views(scores: &[Arc<PeriodScores>], node: Node) -> Vec<NodeScoreView> {
    scores.iter().map(|s| NodeScoreView::of(s, node)).collect()
}

impl ScorecardPerspectiveOnCard {
    fn node(&self) -> Node {
        Node::Perspective {
            scorecard: self.scorecard_id,
            id: self.perspective.id,
        }
    }
}

/// A child's relative weight over a date range.
#[derive(SimpleObject, Clone, Debug)]
pub struct ScorecardWeight {
    /// Relative to its siblings' (equal: 1 each).
    pub weight: Decimal,
    /// First day in force; null: from the beginning.
    pub valid_from: Option<Date>,
    /// Last day in force; null: until further notice.
    pub valid_to: Option<Date>,
}

impl Design {
    pub(crate) fn weights_where(
        &self,
        pick: impl Fn(&crate::entity::weight::Model) -> bool,
    ) -> Result<Vec<ScorecardWeight>> {
        let mut out = Vec::new();
        for row in self.weight_rows().iter().filter(|w| pick(w)) {
            let w = weights::dated(row)?;
            out.push(ScorecardWeight {
                weight: w.weight,
                valid_from: w.valid_from.map(Date),
                valid_to: w.valid_to.map(Date),
            });
        }
        out.sort_by_key(|w| w.valid_from.map(|d| d.0));
        Ok(out)
    }
}

/// A strategic objective on a scorecard, under one perspective, measured by core KPIs.
#[derive(Clone, Debug)]
pub struct ScorecardObjective(pub objective::Model);

/// A strategic objective on a scorecard, under one perspective, measured by core KPIs.
#[Object(visible = "super::scorecard_enabled")]
impl ScorecardObjective {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("ScorecardObjective", self.0.id)
    }
    /// E.g. `Grow recurring revenue`.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What it means and why it matters.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Active, or archived (kept, not scored into its perspective).
    async fn status(&self) -> Result<Status> {
        Ok(Status::parse(&self.0.status)?)
    }
    /// Its order on the scorecard.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// Who is accountable for it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        throughline_domain::kit::load_person(ctx, self.0.owner_id).await
    }
    /// The company's strategic priority it serves.
    async fn priority(&self, ctx: &Context<'_>) -> Result<Option<StrategicPriority>> {
        let Some(id) = self.0.priority_id else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loader::<ById<strategic_priority::Entity>, _>()
            .load_one(id)
            .await?
            .map(StrategicPriority))
    }
    /// The perspective it sits under.
    async fn perspective(&self, ctx: &Context<'_>) -> Result<Option<ScorecardPerspective>> {
        Ok(request(ctx)?
            .loader::<ById<perspective::Entity>, _>()
            .load_one(self.0.perspective_id)
            .await?
            .map(ScorecardPerspective))
    }
    /// The scorecard it is on.
    async fn scorecard(&self, ctx: &Context<'_>) -> Result<Option<Scorecard>> {
        Ok(request(ctx)?
            .loader::<ById<scorecard::Entity>, _>()
            .load_one(self.0.scorecard_id)
            .await?
            .map(Scorecard))
    }
    /// Its measures, in order.
    async fn measures(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardMeasure>> {
        let Some(design) = design_of(ctx, self.0.scorecard_id).await? else {
            return Ok(Vec::new());
        };
        Ok(design
            .measures
            .iter()
            .filter(|m| m.objective_id == self.0.id)
            .map(|m| ScorecardMeasure {
                row: m.clone(),
                scorecard: Some(self.0.scorecard_id),
            })
            .collect())
    }
    /// The measures of scorecards above linked under it (the cascade down), in the order they were linked: each scored where it lives, counted here with weight 1.
    async fn linked_measures(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardMeasure>> {
        let Some(design) = design_of(ctx, self.0.scorecard_id).await? else {
            return Ok(Vec::new());
        };
        Ok(design
            .linked_measures
            .iter()
            .filter(|l| l.objective_id == self.0.id)
            .map(|l| ScorecardMeasure {
                row: l.measure.clone(),
                scorecard: Some(l.home_scorecard),
            })
            .collect())
    }
    /// The scorecards of units below that show it (linked, not copied), by title.
    async fn linked_to(&self, ctx: &Context<'_>) -> Result<Vec<Scorecard>> {
        super::cascade::objective_linked_to(ctx, self.0.id).await
    }
    /// Its weight in its perspective over time (none: 1 throughout).
    async fn weights(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardWeight>> {
        let Some(design) = design_of(ctx, self.0.scorecard_id).await? else {
            return Ok(Vec::new());
        };
        design.weights_where(|w| w.objective_id == Some(self.0.id))
    }
    /// The objectives of scorecards below that count in its score (the cascade), each scored where it lives.
    async fn contributors(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardObjective>> {
        let Some(design) = design_of(ctx, self.0.scorecard_id).await? else {
            return Ok(Vec::new());
        };
        Ok(design
            .contributors
            .iter()
            .filter(|c| c.objective_id == self.0.id)
            .map(|c| ScorecardObjective(c.contributor.clone()))
            .collect())
    }
    /// The objectives of scorecards above whose scores count this one.
    async fn contributes_to(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardObjective>> {
        super::cascade::contributes_to(ctx, self.0.id).await
    }
    /// The initiatives serving it, soonest to end first, each with its health.
    async fn initiatives(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::initiatives::ScorecardInitiative>> {
        super::initiatives::serving(ctx, self.0.id).await
    }
    /// Its owner's commentary for the period of `periodKind` holding `period` (default today).
    async fn commentary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the period; omitted, today.")] period: Option<Date>,
        #[graphql(desc = "The period's length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<Option<ScorecardCommentary>> {
        commentary_of(ctx, Subject::Objective(self.0.id), period, period_kind).await
    }
    /// Its commentaries from `from` to `to` (at most 60 periods), oldest first.
    async fn commentaries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the first period.")] from: Date,
        #[graphql(desc = "Any day of the last period.")] to: Date,
        #[graphql(desc = "The periods' length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<Vec<ScorecardCommentary>> {
        commentaries_of(ctx, Subject::Objective(self.0.id), from, to, period_kind).await
    }
    /// Its score in the period: the weighted mean of its measures' (blanks left out).
    async fn score(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the period; omitted, today.")] period: Option<Date>,
        #[graphql(desc = "The period's length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<NodeScoreView> {
        let key = period_of(ctx, period, period_kind)?;
        let scores = scores_for(ctx, self.0.scorecard_id, [key]).await?;
        Ok(node_views(&scores, Node::Objective(self.0.id))
            .into_iter()
            .next()
            .ok_or_else(|| DomainError::not_found("objective"))?)
    }
    /// Its score for every period from `from` to `to` (at most 60).
    async fn score_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the first period.")] from: Date,
        #[graphql(desc = "Any day of the last period.")] to: Date,
        #[graphql(desc = "The periods' length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<Vec<NodeScoreView>> {
        let periods = history_of(ctx, from, to, period_kind)?;
        let scores = history_for(ctx, self.0.scorecard_id, &periods).await?;
        Ok(node_views(&scores, Node::Objective(self.0.id)))
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// One band of a `BANDS` measure.
#[derive(SimpleObject, Clone, Debug)]
pub struct ScorecardBand {
    /// E.g. `Amber`.
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// Values from this bound up to the next band's fall in this band.
    pub lower: Decimal,
    /// The score a value in the band gets, 0–10.
    pub score: Decimal,
}

/// A measure's thresholds over a date range, stated per period of its metric's own frequency.
#[derive(SimpleObject, Clone, Debug)]
pub struct ScorecardThreshold {
    /// First day in force; null: from the beginning.
    pub valid_from: Option<Date>,
    /// Last day in force; null: until further notice.
    pub valid_to: Option<Date>,
    /// `GOAL_RED_FLAG`: the goal (scores 6.67); `STABILIZE`: the low end of the goal range.
    pub goal: Option<Decimal>,
    /// `GOAL_RED_FLAG`: the red flag (scores 3.33); `STABILIZE`: the low red flag.
    pub red_flag: Option<Decimal>,
    /// `STABILIZE`: the high end of the goal range.
    pub goal_high: Option<Decimal>,
    /// `STABILIZE`: the high red flag.
    pub red_flag_high: Option<Decimal>,
    /// `BANDS`: the bands, lowest first.
    pub bands: Vec<ScorecardBand>,
}

/// A core KPI placed under an objective, with how it is scored. Its values are the metric's.
#[derive(Clone, Debug)]
pub struct ScorecardMeasure {
    pub row: measure::Model,
    /// Known when read through its scorecard (then its metric and scores
    /// come from the scorecard's design, with no statement of their own).
    scorecard: Option<Uuid>,
}

impl ScorecardMeasure {
    /// A measure read on its own (by ID, in a payload).
    pub fn new(row: measure::Model) -> Self {
        Self {
            row,
            scorecard: None,
        }
    }
}

/// A core KPI placed under an objective, with how it is scored. Its values are the metric's.
#[Object(visible = "super::scorecard_enabled")]
impl ScorecardMeasure {
    /// Global ID.
    pub async fn id(&self) -> ID {
        encode_id("ScorecardMeasure", self.row.id)
    }
    /// The core metric: its values, target, owner and indicator kind.
    async fn metric(&self, ctx: &Context<'_>) -> Result<Option<Metric>> {
        if self.scorecard.is_some()
            && let Some(design) = self.design(ctx).await?
        {
            return Ok(design.metrics.get(&self.row.metric_id).cloned().map(Metric));
        }
        Ok(request(ctx)?
            .loader::<ById<metric::Entity>, _>()
            .load_one(self.row.metric_id)
            .await?
            .map(Metric))
    }
    /// The objective it measures.
    async fn objective(&self, ctx: &Context<'_>) -> Result<Option<ScorecardObjective>> {
        Ok(request(ctx)?
            .loader::<ById<objective::Entity>, _>()
            .load_one(self.row.objective_id)
            .await?
            .map(ScorecardObjective))
    }
    /// How its value becomes a 0–10 score.
    async fn scoring_type(&self) -> Result<ScoringType> {
        Ok(ScoringType::parse(&self.row.scoring_type)?)
    }
    /// What it uses for a period without a value.
    async fn missing_data(&self) -> Result<MissingData> {
        Ok(MissingData::parse(&self.row.missing_data)?)
    }
    /// How its metric's values roll up to a longer viewing period: the measure's own choice, else the metric's.
    async fn aggregation(&self, ctx: &Context<'_>) -> Result<Option<Aggregation>> {
        if let Some(own) = &self.row.aggregation {
            return Ok(Some(Aggregation::parse(own)?));
        }
        let metric = request(ctx)?
            .loader::<ById<metric::Entity>, _>()
            .load_one(self.row.metric_id)
            .await?;
        Ok(metric
            .map(|m| Aggregation::parse(&m.aggregation))
            .transpose()?)
    }
    /// True when the measure sets its own aggregation rather than its metric's.
    async fn aggregation_overridden(&self) -> bool {
        self.row.aggregation.is_some()
    }
    /// Its thresholds over time, earliest first. None in force: a goal/red-flag or stabilize measure takes them from its metric's target.
    async fn thresholds(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardThreshold>> {
        let Some(design) = self.design(ctx).await? else {
            return Ok(Vec::new());
        };
        let kind = ScoringType::parse(&self.row.scoring_type)?;
        let mut out = Vec::new();
        for row in design.threshold_rows(self.row.id) {
            let number = |t: &Option<String>| t.as_deref().map(from_stored).transpose();
            let bands = match scoring_of(kind, row) {
                Ok(crate::scoring::Scoring::Bands(bands)) => bands
                    .into_iter()
                    .map(|b| ScorecardBand {
                        name: b.name,
                        colour: b.colour,
                        lower: b.lower,
                        score: b.score,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            out.push(ScorecardThreshold {
                valid_from: row.valid_from.map(Date),
                valid_to: row.valid_to.map(Date),
                goal: number(&row.goal)?,
                red_flag: number(&row.red_flag)?,
                goal_high: number(&row.goal_high)?,
                red_flag_high: number(&row.red_flag_high)?,
                bands,
            });
        }
        Ok(out)
    }
    /// Its weight in its objective over time (none: 1 throughout).
    async fn weights(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardWeight>> {
        let Some(design) = self.design(ctx).await? else {
            return Ok(Vec::new());
        };
        design.weights_where(|w| w.measure_id == Some(self.row.id))
    }
    /// The objectives of scorecards of units below that count it (linked, not copied), in order.
    async fn linked_under(&self, ctx: &Context<'_>) -> Result<Vec<ScorecardObjective>> {
        super::cascade::measure_linked_under(ctx, self.row.id).await
    }
    /// The key results linked to the same metric, on objectives you may see, when OKRs are on for the tenant (none when they are not): which OKRs move this measure.
    async fn key_results(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<throughline_domain::kit::MetricFollowerView>> {
        throughline_domain::kit::followers_of(ctx, self.row.metric_id, Some("okr.key_result")).await
    }
    /// Its commentary for the period of `periodKind` holding `period` (default today).
    async fn commentary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the period; omitted, today.")] period: Option<Date>,
        #[graphql(desc = "The period's length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<Option<ScorecardCommentary>> {
        commentary_of(ctx, Subject::Measure(self.row.id), period, period_kind).await
    }
    /// Its commentaries from `from` to `to` (at most 60 periods), oldest first.
    async fn commentaries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the first period.")] from: Date,
        #[graphql(desc = "Any day of the last period.")] to: Date,
        #[graphql(desc = "The periods' length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<Vec<ScorecardCommentary>> {
        commentaries_of(ctx, Subject::Measure(self.row.id), from, to, period_kind).await
    }
    /// Its value and score in the period, with the explanation.
    async fn score(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the period; omitted, today.")] period: Option<Date>,
        #[graphql(desc = "The period's length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<Option<MeasureScoreView>> {
        let key = period_of(ctx, period, period_kind)?;
        let Some(scorecard) = self.scorecard_id(ctx).await? else {
            return Ok(None);
        };
        let scores = scores_for(ctx, scorecard, [key]).await?;
        Ok(scores
            .first()
            .and_then(|s| MeasureScoreView::of(s, self.row.id)))
    }
    /// Its value and score for every period from `from` to `to` (at most 60).
    async fn score_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Any day of the first period.")] from: Date,
        #[graphql(desc = "Any day of the last period.")] to: Date,
        #[graphql(desc = "The periods' length.", default_with = "PeriodKind::Month")]
        period_kind: PeriodKind,
    ) -> Result<Vec<MeasureScoreView>> {
        let periods = history_of(ctx, from, to, period_kind)?;
        let Some(scorecard) = self.scorecard_id(ctx).await? else {
            return Ok(Vec::new());
        };
        let scores = history_for(ctx, scorecard, &periods).await?;
        Ok(scores
            .iter()
            .filter_map(|s| MeasureScoreView::of(s, self.row.id))
            .collect())
    }
    /// Increases with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.row.version
    }
}

impl ScorecardMeasure {
    async fn scorecard_id(&self, ctx: &Context<'_>) -> Result<Option<Uuid>> {
        if self.scorecard.is_some() {
            return Ok(self.scorecard);
        }
        Ok(request(ctx)?
            .loader::<ById<objective::Entity>, _>()
            .load_one(self.row.objective_id)
            .await?
            .map(|o| o.scorecard_id))
    }

    async fn design(&self, ctx: &Context<'_>) -> Result<Option<Arc<Design>>> {
        match self.scorecard_id(ctx).await? {
            Some(id) => design_of(ctx, id).await,
            None => Ok(None),
        }
    }
}
