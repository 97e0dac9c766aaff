//! Designing scorecards: perspectives, scorecards, objectives, measures
//! with their thresholds, and weights. Admins only (see docs/scorecard.md).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter};
use throughline_domain::kit::{
    Aggregation, Date, Page, PageArgs, SortKey, connection, decode_id, encode_id, page_complexity,
    patch, patch_id, request,
};

use super::types::{
    Scorecard, ScorecardMeasure, ScorecardObjective, ScorecardPerspective, ScorecardWeight,
};
use crate::entity::scorecard;
use crate::model::Status;
use crate::scoring::{Band, DatedWeight, MissingData, ScoringType};
use crate::service::measures::{MeasureChanges, NewMeasure, ThresholdSpec};
use crate::service::objectives::{NewObjective, ObjectiveChanges};
use crate::service::perspectives::{NewPerspective, PerspectiveChanges};
use crate::service::weights::WeightOf;
use crate::service::{measures, objectives, perspectives, scorecards, weights};

#[derive(Default)]
pub struct DesignQuery;

#[Object]
impl DesignQuery {
    /// The tenant's perspectives, in order; archived ones only when asked for.
    async fn perspectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Include archived perspectives.", default = false)] include_archived: bool,
    ) -> Result<Vec<ScorecardPerspective>> {
        let scope = &request(ctx)?.scope;
        Ok(perspectives::all(scope)
            .await?
            .into_iter()
            .filter(|p| include_archived || p.status == Status::Active.as_str())
            .map(ScorecardPerspective)
            .collect())
    }

    /// Scorecards by title.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn scorecards(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return the first n items: at most 100, 20 if neither first nor last is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n items: at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return the items before this cursor.")] before: Option<String>,
    ) -> Result<Page<Scorecard>> {
        let scope = &request(ctx)?.scope;
        Ok(connection::page(
            ctx,
            scope,
            scope.select::<scorecard::Entity>(),
            SortKey::Text(scorecard::Column::Title),
            PageArgs::new(first, after, last, before),
            Scorecard,
        )
        .await?)
    }

    /// A scorecard by ID.
    async fn scorecard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scorecard's ID.")] id: ID,
    ) -> Result<Option<Scorecard>> {
        let id = decode_id(&id, "Scorecard", "id")?;
        let scope = &request(ctx)?.scope;
        Ok(scope
            .select::<scorecard::Entity>()
            .filter(scorecard::Column::Id.eq(id))
            .one(scope)
            .await
            .map_err(throughline_domain::kit::DomainError::from)?
            .map(Scorecard))
    }

    /// The scorecard of an org unit, if it has one.
    async fn scorecard_of_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The org unit.")] org_unit_id: ID,
    ) -> Result<Option<Scorecard>> {
        let unit = decode_id(&org_unit_id, "OrgUnit", "orgUnitId")?;
        let scope = &request(ctx)?.scope;
        Ok(scope
            .select::<scorecard::Entity>()
            .filter(scorecard::Column::OrgUnitId.eq(unit))
            .one(scope)
            .await
            .map_err(throughline_domain::kit::DomainError::from)?
            .map(Scorecard))
    }
}

/// A new perspective.
#[derive(InputObject)]
pub struct CreateScorecardPerspectiveInput {
    /// E.g. `Sustainability`.
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// Order (1–1000); omitted, after the last.
    pub position: Option<i32>,
}

/// Changes to a perspective; omitted fields stay.
#[derive(InputObject)]
pub struct UpdateScorecardPerspectiveInput {
    /// The perspective.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// A new name.
    pub name: Option<String>,
    /// A new `#rrggbb` colour.
    pub colour: Option<String>,
    /// A new place in the order (1 first).
    pub position: Option<i32>,
    /// `ARCHIVED` keeps it for its objectives and offers it for no new one.
    pub status: Option<Status>,
}

/// Names a perspective to delete (one no objective uses).
#[derive(InputObject)]
pub struct DeleteScorecardPerspectiveInput {
    /// The perspective.
    pub id: ID,
}

/// The perspective after the change.
#[derive(SimpleObject)]
pub struct ScorecardPerspectivePayload {
    /// The perspective as it is now.
    pub perspective: ScorecardPerspective,
}

/// A new scorecard for an org unit (the company's at the root unit).
#[derive(InputObject)]
pub struct CreateScorecardInput {
    /// E.g. `Company scorecard`.
    pub title: String,
    /// The unit it is for: one scorecard per unit.
    pub org_unit_id: ID,
}

/// Changes to a scorecard; omitted fields stay.
#[derive(InputObject)]
pub struct UpdateScorecardInput {
    /// The scorecard.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new title.
    pub title: Option<String>,
    /// Moves it to another unit (one without a scorecard), e.g. after a reorganisation.
    pub org_unit_id: Option<ID>,
}

/// Names a node and the version you read (deleting).
#[derive(InputObject)]
pub struct ScorecardVersionInput {
    /// What to delete.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

/// The scorecard after the change.
#[derive(SimpleObject)]
pub struct ScorecardPayload {
    /// The scorecard as it is now.
    pub scorecard: Scorecard,
}

/// What was deleted.
#[derive(SimpleObject)]
pub struct DeleteScorecardNodePayload {
    /// The deleted node's ID.
    pub deleted_id: ID,
}

/// A new objective.
#[derive(InputObject)]
pub struct CreateScorecardObjectiveInput {
    /// The scorecard it is on.
    pub scorecard_id: ID,
    /// An active perspective.
    pub perspective_id: ID,
    /// E.g. `Grow recurring revenue` (1 to 200 characters).
    pub title: String,
    /// What it means and why it matters (at most 4,000 characters).
    pub description: Option<String>,
    /// The person accountable.
    pub owner_id: Option<ID>,
    /// The strategic priority it serves.
    pub priority_id: Option<ID>,
}

/// Changes to an objective; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateScorecardObjectiveInput {
    /// The objective.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new title.
    pub title: Option<String>,
    /// A new description; null clears it.
    pub description: MaybeUndefined<String>,
    /// A new owner; null clears it.
    pub owner_id: MaybeUndefined<ID>,
    /// A new strategic priority; null clears it.
    pub priority_id: MaybeUndefined<ID>,
    /// Moves it under another active perspective.
    pub perspective_id: Option<ID>,
    /// `ARCHIVED` keeps it with its history and leaves it out of its perspective's score.
    pub status: Option<Status>,
}

/// The objective after the change.
#[derive(SimpleObject)]
pub struct ScorecardObjectivePayload {
    /// The objective as it is now.
    pub objective: ScorecardObjective,
}

/// One band of a `BANDS` measure.
#[derive(InputObject)]
pub struct ScorecardBandInput {
    /// 1 to 60 characters, e.g. `Amber`.
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// Values from this bound up to the next band's fall in this band.
    pub lower: Decimal,
    /// 0–10.
    pub score: Decimal,
}

/// A measure's thresholds for a date range, stated per period of its metric's own frequency (a `SUM` metric viewed over a longer period counts them once per period begun). Which figures are needed depends on the scoring type.
#[derive(InputObject)]
pub struct ScorecardThresholdInput {
    /// First day in force; null: from the beginning.
    pub valid_from: Option<Date>,
    /// Last day in force; null: until further notice.
    pub valid_to: Option<Date>,
    /// `GOAL_RED_FLAG`: the goal (scores 6.67); `STABILIZE`: the low end of the goal range.
    pub goal: Option<Decimal>,
    /// `GOAL_RED_FLAG`: the red flag (scores 3.33; below the goal when higher is better, above it when lower is); `STABILIZE`: the low red flag.
    pub red_flag: Option<Decimal>,
    /// `STABILIZE`: the high end of the goal range.
    pub goal_high: Option<Decimal>,
    /// `STABILIZE`: the high red flag.
    pub red_flag_high: Option<Decimal>,
    /// `BANDS`: 2 to 10 bands, lowest first.
    pub bands: Option<Vec<ScorecardBandInput>>,
}

fn specs(input: Option<Vec<ScorecardThresholdInput>>) -> Vec<ThresholdSpec> {
    input
        .unwrap_or_default()
        .into_iter()
        .map(|t| ThresholdSpec {
            valid_from: t.valid_from.map(|d| d.0),
            valid_to: t.valid_to.map(|d| d.0),
            goal: t.goal,
            red_flag: t.red_flag,
            goal_high: t.goal_high,
            red_flag_high: t.red_flag_high,
            bands: t.bands.map(|bands| {
                bands
                    .into_iter()
                    .map(|b| Band {
                        name: b.name,
                        colour: b.colour,
                        lower: b.lower,
                        score: b.score,
                    })
                    .collect()
            }),
        })
        .collect()
}

/// A new measure: a core metric under an objective.
#[derive(InputObject)]
pub struct CreateScorecardMeasureInput {
    /// The objective it measures.
    pub objective_id: ID,
    /// The core metric (KPI) whose values it scores.
    pub metric_id: ID,
    /// How its value becomes a 0–10 score.
    pub scoring_type: ScoringType,
    /// What a period without a value uses; default `BLANK` (left out of roll-ups).
    #[graphql(default_with = "MissingData::Blank")]
    pub missing_data: MissingData,
    /// How the metric's values roll up to a longer viewing period; omitted, the metric's own.
    pub aggregation: Option<Aggregation>,
    /// Thresholds over date ranges; omitted, a goal/red-flag or stabilize measure takes them from the metric's target. `BANDS` needs them.
    pub thresholds: Option<Vec<ScorecardThresholdInput>>,
}

/// Changes to a measure; omitted fields stay.
#[derive(InputObject)]
pub struct UpdateScorecardMeasureInput {
    /// The measure.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new scoring type replaces the thresholds (with `thresholds`, else none).
    pub scoring_type: Option<ScoringType>,
    /// A new missing-data rule.
    pub missing_data: Option<MissingData>,
    /// Null goes back to the metric's own aggregation.
    pub aggregation: MaybeUndefined<Aggregation>,
    /// The whole schedule, replacing the current one; an empty list: from the metric's target.
    pub thresholds: Option<Vec<ScorecardThresholdInput>>,
}

/// The measure after the change.
#[derive(SimpleObject)]
pub struct ScorecardMeasurePayload {
    /// The measure as it is now.
    pub measure: ScorecardMeasure,
}

/// A relative weight for a date range.
#[derive(InputObject)]
pub struct ScorecardWeightInput {
    /// Above 0, at most 1000, up to 4 decimals.
    pub weight: Decimal,
    /// First day in force; null: from the beginning.
    pub valid_from: Option<Date>,
    /// Last day in force; null: until further notice.
    pub valid_to: Option<Date>,
}

/// A child's whole schedule of weights, replacing the current one (an empty list: equal weight, 1). Name exactly one child: a measure (in its objective), an objective (in its perspective), or a scorecard with a perspective (the perspective in that scorecard).
#[derive(InputObject)]
pub struct SetScorecardWeightsInput {
    /// A measure: its weights in its objective.
    pub measure_id: Option<ID>,
    /// An objective: its weights in its perspective.
    pub objective_id: Option<ID>,
    /// With `perspectiveId`, a perspective's weights in this scorecard.
    pub scorecard_id: Option<ID>,
    /// With `scorecardId`, the perspective weighed.
    pub perspective_id: Option<ID>,
    /// The whole schedule, replacing the one there: an empty list makes the weight 1 throughout.
    pub weights: Vec<ScorecardWeightInput>,
}

/// The schedule as stored.
#[derive(SimpleObject)]
pub struct SetScorecardWeightsPayload {
    /// The schedule as it is now, earliest first.
    pub weights: Vec<ScorecardWeight>,
}

fn weight_of(input: &SetScorecardWeightsInput) -> Result<WeightOf> {
    let named = |id: &Option<ID>, type_name: &str, field: &str| -> Result<Option<uuid::Uuid>> {
        Ok(id
            .as_ref()
            .map(|id| decode_id(id, type_name, field))
            .transpose()?)
    };
    let measure = named(&input.measure_id, "ScorecardMeasure", "input.measureId")?;
    let objective = named(
        &input.objective_id,
        "ScorecardObjective",
        "input.objectiveId",
    )?;
    let scorecard = named(&input.scorecard_id, "Scorecard", "input.scorecardId")?;
    let perspective = named(
        &input.perspective_id,
        "ScorecardPerspective",
        "input.perspectiveId",
    )?;
    Ok(match (measure, objective, scorecard, perspective) {
        (Some(m), None, None, None) => WeightOf::Measure(m),
        (None, Some(o), None, None) => WeightOf::Objective(o),
        (None, None, Some(scorecard), Some(perspective)) => WeightOf::Perspective {
            scorecard,
            perspective,
        },
        _ => {
            return Err(throughline_domain::kit::DomainError::validation(
                "input",
                "name exactly one child: measureId, objectiveId, or scorecardId with perspectiveId",
            )
            .into());
        }
    })
}

/// The scope of an admin: every design mutation checks the role before
/// any input, so a refusal never tells what exists.
pub(super) fn designer<'a>(ctx: &Context<'a>) -> Result<&'a throughline_domain::kit::TenantScope> {
    let scope = &request(ctx)?.scope;
    crate::service::require_designer(scope, "designing scorecards")?;
    Ok(scope)
}

#[derive(Default)]
pub struct DesignMutation;

#[Object]
impl DesignMutation {
    /// Adds a perspective.
    async fn create_perspective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: CreateScorecardPerspectiveInput,
    ) -> Result<ScorecardPerspectivePayload> {
        let scope = designer(ctx)?;
        let row = perspectives::create(
            scope,
            NewPerspective {
                name: input.name,
                colour: input.colour,
                position: input.position,
            },
        )
        .await?;
        Ok(ScorecardPerspectivePayload {
            perspective: ScorecardPerspective(row),
        })
    }

    /// Renames, recolours, reorders or archives a perspective.
    async fn update_perspective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: UpdateScorecardPerspectiveInput,
    ) -> Result<ScorecardPerspectivePayload> {
        let scope = designer(ctx)?;
        let id = decode_id(&input.id, "ScorecardPerspective", "input.id")?;
        let row = perspectives::update(
            scope,
            id,
            PerspectiveChanges {
                version: input.version,
                name: input.name,
                colour: input.colour,
                position: input.position,
                status: input.status,
            },
        )
        .await?;
        Ok(ScorecardPerspectivePayload {
            perspective: ScorecardPerspective(row),
        })
    }

    /// Deletes a perspective no objective uses (archive one that has objectives).
    async fn delete_perspective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: DeleteScorecardPerspectiveInput,
    ) -> Result<DeleteScorecardNodePayload> {
        let scope = designer(ctx)?;
        let id = decode_id(&input.id, "ScorecardPerspective", "input.id")?;
        perspectives::delete(scope, id).await?;
        Ok(DeleteScorecardNodePayload {
            deleted_id: encode_id("ScorecardPerspective", id),
        })
    }

    /// Creates an org unit's scorecard.
    async fn create_scorecard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: CreateScorecardInput,
    ) -> Result<ScorecardPayload> {
        let scope = designer(ctx)?;
        let unit = decode_id(&input.org_unit_id, "OrgUnit", "input.orgUnitId")?;
        let row = scorecards::create(scope, &input.title, unit).await?;
        Ok(ScorecardPayload {
            scorecard: Scorecard(row),
        })
    }

    /// Renames a scorecard or moves it to another unit.
    async fn update_scorecard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: UpdateScorecardInput,
    ) -> Result<ScorecardPayload> {
        let scope = designer(ctx)?;
        let id = decode_id(&input.id, "Scorecard", "input.id")?;
        let unit = input
            .org_unit_id
            .as_ref()
            .map(|u| decode_id(u, "OrgUnit", "input.orgUnitId"))
            .transpose()?;
        let row =
            scorecards::update(scope, id, input.version, input.title.as_deref(), unit).await?;
        Ok(ScorecardPayload {
            scorecard: Scorecard(row),
        })
    }

    /// Deletes a scorecard with its objectives, measures and weights (the metrics and their values stay).
    async fn delete_scorecard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: ScorecardVersionInput,
    ) -> Result<DeleteScorecardNodePayload> {
        let scope = designer(ctx)?;
        let id = decode_id(&input.id, "Scorecard", "input.id")?;
        scorecards::delete(scope, id, input.version).await?;
        Ok(DeleteScorecardNodePayload {
            deleted_id: encode_id("Scorecard", id),
        })
    }

    /// Adds an objective to a scorecard.
    async fn create_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: CreateScorecardObjectiveInput,
    ) -> Result<ScorecardObjectivePayload> {
        let scope = designer(ctx)?;
        let optional = |id: &Option<ID>, t: &str, f: &str| -> Result<Option<uuid::Uuid>> {
            Ok(id.as_ref().map(|id| decode_id(id, t, f)).transpose()?)
        };
        let row = objectives::create(
            scope,
            NewObjective {
                scorecard_id: decode_id(&input.scorecard_id, "Scorecard", "input.scorecardId")?,
                perspective_id: decode_id(
                    &input.perspective_id,
                    "ScorecardPerspective",
                    "input.perspectiveId",
                )?,
                title: input.title,
                description: input.description,
                owner_id: optional(&input.owner_id, "Person", "input.ownerId")?,
                priority_id: optional(&input.priority_id, "StrategicPriority", "input.priorityId")?,
            },
        )
        .await?;
        Ok(ScorecardObjectivePayload {
            objective: ScorecardObjective(row),
        })
    }

    /// Changes an objective.
    async fn update_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: UpdateScorecardObjectiveInput,
    ) -> Result<ScorecardObjectivePayload> {
        let scope = designer(ctx)?;
        let id = decode_id(&input.id, "ScorecardObjective", "input.id")?;
        let row = objectives::update(
            scope,
            id,
            ObjectiveChanges {
                version: input.version,
                title: input.title,
                description: patch(&input.description),
                owner_id: patch_id(&input.owner_id, "Person", "input.ownerId")?,
                priority_id: patch_id(&input.priority_id, "StrategicPriority", "input.priorityId")?,
                perspective_id: input
                    .perspective_id
                    .as_ref()
                    .map(|p| decode_id(p, "ScorecardPerspective", "input.perspectiveId"))
                    .transpose()?,
                status: input.status,
            },
        )
        .await?;
        Ok(ScorecardObjectivePayload {
            objective: ScorecardObjective(row),
        })
    }

    /// Deletes an objective with its measures and weights.
    async fn delete_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: ScorecardVersionInput,
    ) -> Result<DeleteScorecardNodePayload> {
        let scope = designer(ctx)?;
        let id = decode_id(&input.id, "ScorecardObjective", "input.id")?;
        objectives::delete(scope, id, input.version).await?;
        Ok(DeleteScorecardNodePayload {
            deleted_id: encode_id("ScorecardObjective", id),
        })
    }

    /// Places a core metric under an objective as a measure.
    async fn create_measure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: CreateScorecardMeasureInput,
    ) -> Result<ScorecardMeasurePayload> {
        let scope = designer(ctx)?;
        let row = measures::create(
            scope,
            NewMeasure {
                objective_id: decode_id(
                    &input.objective_id,
                    "ScorecardObjective",
                    "input.objectiveId",
                )?,
                metric_id: decode_id(&input.metric_id, "Metric", "input.metricId")?,
                scoring_type: input.scoring_type,
                missing_data: input.missing_data,
                aggregation: input.aggregation,
                thresholds: specs(input.thresholds),
            },
        )
        .await?;
        Ok(ScorecardMeasurePayload {
            measure: ScorecardMeasure::new(row),
        })
    }

    /// Changes how a measure is scored.
    async fn update_measure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: UpdateScorecardMeasureInput,
    ) -> Result<ScorecardMeasurePayload> {
        let scope = designer(ctx)?;
        let id = decode_id(&input.id, "ScorecardMeasure", "input.id")?;
        let thresholds = input.thresholds.map(|t| specs(Some(t)));
        let row = measures::update(
            scope,
            id,
            MeasureChanges {
                version: input.version,
                scoring_type: input.scoring_type,
                missing_data: input.missing_data,
                aggregation: patch(&input.aggregation),
                thresholds,
            },
        )
        .await?;
        Ok(ScorecardMeasurePayload {
            measure: ScorecardMeasure::new(row),
        })
    }

    /// Removes a measure from its objective (the metric and its values stay).
    async fn delete_measure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: ScorecardVersionInput,
    ) -> Result<DeleteScorecardNodePayload> {
        let scope = designer(ctx)?;
        let id = decode_id(&input.id, "ScorecardMeasure", "input.id")?;
        measures::delete(scope, id, input.version).await?;
        Ok(DeleteScorecardNodePayload {
            deleted_id: encode_id("ScorecardMeasure", id),
        })
    }

    /// Sets a child's weights over time ("2 until 12 July, 7 after"): a past period keeps the weight in force then.
    async fn set_weights(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation\'s input.")] input: SetScorecardWeightsInput,
    ) -> Result<SetScorecardWeightsPayload> {
        let scope = designer(ctx)?;
        let of = weight_of(&input)?;
        let schedule: Vec<DatedWeight> = input
            .weights
            .iter()
            .map(|w| DatedWeight {
                weight: w.weight,
                valid_from: w.valid_from.map(|d| d.0),
                valid_to: w.valid_to.map(|d| d.0),
            })
            .collect();
        let rows = weights::set(scope, of, &schedule).await?;
        let mut out = Vec::new();
        for row in &rows {
            let w = weights::dated(row)?;
            out.push(ScorecardWeight {
                weight: w.weight,
                valid_from: w.valid_from.map(Date),
                valid_to: w.valid_to.map(Date),
            });
        }
        Ok(SetScorecardWeightsPayload { weights: out })
    }
}
