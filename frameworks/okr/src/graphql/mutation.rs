//! `mutation { okr { … } }`: run in order (the namespace object is serial).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use rust_decimal::Decimal;
use throughline_domain::DomainError;
use throughline_domain::graphql::Date;
use throughline_domain::graphql::ids::{decode_id, decode_optional};
use throughline_domain::graphql::inputs::patch_id;
use throughline_domain::graphql::{encode_id, request};
use throughline_domain::target::Target;

use crate::model::{CheckInSource, CycleStatus, KeyResultStatus, Level, ObjectiveStatus};
use crate::scoring::{Health, ProgressDriver};
use crate::service::alignment::AlignTarget;
use crate::service::{alignment, check_ins, cycles, key_results, objectives};

use super::types::{OkrCheckIn, OkrCycle, OkrKeyResult, OkrObjective, OkrWarning};

/// A new cycle.
#[derive(InputObject)]
pub struct CreateOkrCycleInput {
    /// E.g. `FY2027 Q1`.
    pub name: String,
    /// First day.
    pub starts_on: Date,
    /// Last day (inclusive).
    pub ends_on: Date,
    /// The enclosing cycle; this one must lie within it.
    pub parent_id: Option<ID>,
}

/// Generates a fiscal year and its cycles from the tenant's fiscal calendar and cycle length.
#[derive(InputObject)]
pub struct GenerateOkrCyclesInput {
    /// The fiscal year, named after the calendar year it ends in.
    pub fiscal_year: i32,
}

/// Changes to a cycle; omitted fields stay.
#[derive(InputObject)]
pub struct UpdateOkrCycleInput {
    /// The cycle.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// New name.
    pub name: Option<String>,
    /// New first day.
    pub starts_on: Option<Date>,
    /// New last day.
    pub ends_on: Option<Date>,
    /// `PLANNING` or `ACTIVE`; closing goes through `closeCycle`.
    pub status: Option<CycleStatus>,
}

/// Grades and closes a cycle.
#[derive(InputObject)]
pub struct CloseOkrCycleInput {
    /// The cycle.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// What was learned.
    pub closing_note: Option<String>,
}

/// Names a cycle and the version you read (reopening, archiving).
#[derive(InputObject)]
pub struct OkrCycleVersionInput {
    /// The cycle.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

/// Names an entity to delete.
#[derive(InputObject)]
pub struct DeleteOkrInput {
    /// The global ID of what to delete.
    pub id: ID,
}

/// The cycle after the change.
#[derive(SimpleObject)]
pub struct OkrCyclePayload {
    /// The cycle after the change.
    pub cycle: OkrCycle,
}

/// The cycles created.
#[derive(SimpleObject)]
pub struct GenerateOkrCyclesPayload {
    /// The cycles created (existing ones are left alone).
    pub cycles: Vec<OkrCycle>,
}

/// What was deleted.
#[derive(SimpleObject)]
pub struct OkrDeletePayload {
    /// The global ID of the deleted entity.
    pub deleted_id: ID,
}

/// A new objective.
#[derive(InputObject)]
pub struct CreateOkrObjectiveInput {
    /// The cycle it belongs to.
    pub cycle_id: ID,
    /// What to achieve.
    pub title: String,
    /// Why it matters.
    pub description: Option<String>,
    /// Company (admins), team (names its org unit) or individual.
    pub level: Level,
    /// The one accountable owner.
    pub owner_id: ID,
    /// People who share it.
    pub co_owner_ids: Option<Vec<ID>>,
    /// The org unit (required for team objectives).
    pub org_unit_id: Option<ID>,
    /// Visible only to its owners, their manager chain and admins; default false.
    pub private: Option<bool>,
    /// Its weight in what it aligns to; default 1.
    pub weight: Option<Decimal>,
    /// What its progress is computed from; default `KEY_RESULTS`.
    pub progress_driver: Option<ProgressDriver>,
    /// Default `DRAFT`.
    pub status: Option<ObjectiveStatus>,
}

/// Changes to an objective; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateOkrObjectiveInput {
    /// The objective.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: MaybeUndefined<String>,
    /// New level.
    pub level: Option<Level>,
    /// New owner (reassign when the owner left).
    pub owner_id: Option<ID>,
    /// The complete new list of co-owners.
    pub co_owner_ids: Option<Vec<ID>>,
    /// New org unit.
    pub org_unit_id: MaybeUndefined<ID>,
    /// Make it private or public.
    pub private: Option<bool>,
    /// New weight.
    pub weight: Option<Decimal>,
    /// New progress driver.
    pub progress_driver: Option<ProgressDriver>,
    /// New status: `ACTIVE`, `CLOSED`, `ARCHIVED`.
    pub status: Option<ObjectiveStatus>,
    /// The owner's reflection for grading (what was learned), usually given
    /// with `status: CLOSED`; null clears it.
    pub closing_note: MaybeUndefined<String>,
}

/// The objective after the change, with soft warnings.
#[derive(SimpleObject)]
pub struct OkrObjectivePayload {
    /// The objective after the change.
    pub objective: OkrObjective,
    /// Soft warnings: the change was made, but consider these.
    pub warnings: Vec<OkrWarning>,
}

/// A new key result.
#[derive(InputObject)]
pub struct CreateOkrKeyResultInput {
    /// The objective it measures.
    pub objective_id: ID,
    /// What is measured.
    pub title: String,
    /// Who updates it; default the objective's owner.
    pub owner_id: Option<ID>,
    /// The target.
    pub target: Target,
    /// Its weight in the objective; default 1.
    pub weight: Option<Decimal>,
    /// The value now; default the target's start.
    pub current_value: Option<Decimal>,
    /// A core metric whose recorded values update it.
    pub metric_id: Option<ID>,
}

/// Changes to a key result; omitted fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateOkrKeyResultInput {
    /// The key result.
    pub id: ID,
    /// The version you read; a stale one answers `CONFLICT`.
    pub version: i32,
    /// New title.
    pub title: Option<String>,
    /// New owner.
    pub owner_id: Option<ID>,
    /// New target.
    pub target: Option<Target>,
    /// New weight.
    pub weight: Option<Decimal>,
    /// Link to a core metric, or null to unlink.
    pub metric_id: MaybeUndefined<ID>,
    /// `CLOSED` stops check-ins and keeps its last value counting;
    /// `ARCHIVED` keeps it with its history but stops counting it; `ACTIVE`
    /// brings it back.
    pub status: Option<KeyResultStatus>,
}

/// The key result after the change, with its objective's soft warnings.
#[derive(SimpleObject)]
pub struct OkrKeyResultPayload {
    /// The key result after the change.
    pub key_result: OkrKeyResult,
    /// Soft warnings about its objective.
    pub warnings: Vec<OkrWarning>,
}

/// A check-in on a key result.
#[derive(InputObject)]
pub struct RecordOkrCheckInInput {
    /// The key result.
    pub key_result_id: ID,
    /// The new value.
    pub value: Decimal,
    /// How confident you are of reaching the target, 0 to 10.
    pub confidence: Option<i32>,
    /// Your own status; omitted, it is derived.
    pub status: Option<Health>,
    /// What happened, what's next.
    pub note: Option<String>,
    /// The day the value is true for; default today. Never in the future.
    pub as_of: Option<Date>,
}

/// The check-in and the key result after it.
#[derive(SimpleObject)]
pub struct OkrCheckInPayload {
    /// The recorded check-in.
    pub check_in: OkrCheckIn,
}

/// Aligns (or unaligns) an objective to exactly one of a parent objective, a key result or a strategic priority.
#[derive(InputObject)]
pub struct OkrAlignInput {
    /// The objective that contributes.
    pub objective_id: ID,
    /// A parent objective.
    pub parent_objective_id: Option<ID>,
    /// A parent key result.
    pub parent_key_result_id: Option<ID>,
    /// A strategic priority.
    pub priority_id: Option<ID>,
}

fn align_target(input: &OkrAlignInput) -> Result<AlignTarget, DomainError> {
    let objective = decode_optional(
        input.parent_objective_id.as_ref(),
        "OkrObjective",
        "input.parentObjectiveId",
    )?;
    let key_result = decode_optional(
        input.parent_key_result_id.as_ref(),
        "OkrKeyResult",
        "input.parentKeyResultId",
    )?;
    let priority = decode_optional(
        input.priority_id.as_ref(),
        "StrategicPriority",
        "input.priorityId",
    )?;
    match (objective, key_result, priority) {
        (Some(id), None, None) => Ok(AlignTarget::Objective(id)),
        (None, Some(id), None) => Ok(AlignTarget::KeyResult(id)),
        (None, None, Some(id)) => Ok(AlignTarget::Priority(id)),
        _ => Err(DomainError::validation(
            "input",
            "give exactly one of parentObjectiveId, parentKeyResultId and priorityId",
        )),
    }
}

fn warnings(list: Vec<crate::service::Warning>) -> Vec<OkrWarning> {
    list.into_iter().map(OkrWarning::from).collect()
}

fn ids(
    list: Option<&Vec<ID>>,
    type_name: &str,
    field: &str,
) -> Result<Option<Vec<uuid::Uuid>>, DomainError> {
    list.map(|ids| {
        ids.iter()
            .enumerate()
            .map(|(i, id)| decode_id(id, type_name, &format!("{field}[{i}]")))
            .collect::<Result<Vec<_>, _>>()
    })
    .transpose()
}

/// A key result in a bulk load.
#[derive(InputObject)]
pub struct BulkOkrKeyResultInput {
    /// What is measured.
    pub title: String,
    /// Who updates it; default the objective's owner.
    pub owner_id: Option<ID>,
    /// The target.
    pub target: Target,
    /// Its weight; default 1.
    pub weight: Option<Decimal>,
    /// A core metric whose values update it.
    pub metric_id: Option<ID>,
}

/// An objective in a bulk load.
#[derive(InputObject)]
pub struct BulkOkrObjectiveInput {
    /// What to achieve.
    pub title: String,
    /// Why it matters.
    pub description: Option<String>,
    /// Company, team or individual.
    pub level: Level,
    /// The accountable owner.
    pub owner_id: ID,
    /// The org unit (required for team objectives).
    pub org_unit_id: Option<ID>,
    /// Private to its owner, their manager chain and admins.
    pub private: Option<bool>,
    /// Its weight; default 1.
    pub weight: Option<Decimal>,
    /// Default `KEY_RESULTS`.
    pub progress_driver: Option<ProgressDriver>,
    /// Default `DRAFT`.
    pub status: Option<ObjectiveStatus>,
    /// Align to an objective earlier in this list, by its position (0-based).
    pub parent_index: Option<i32>,
    /// Align to an existing objective.
    pub parent_objective_id: Option<ID>,
    /// Align to these strategic priorities.
    pub priority_ids: Option<Vec<ID>>,
    /// Its key results.
    pub key_results: Option<Vec<BulkOkrKeyResultInput>>,
}

/// Objectives with their key results and alignments, created all or nothing.
#[derive(InputObject)]
pub struct BulkCreateOkrObjectivesInput {
    /// The cycle they belong to.
    pub cycle_id: ID,
    /// Up to 200 objectives.
    pub objectives: Vec<BulkOkrObjectiveInput>,
}

/// A soft warning about one objective of a bulk load.
#[derive(SimpleObject)]
pub struct OkrBulkWarning {
    /// The objective's position in the input.
    pub index: i32,
    /// The warning.
    pub warning: OkrWarning,
}

/// What a bulk load created.
#[derive(SimpleObject)]
pub struct BulkCreateOkrObjectivesPayload {
    /// The objectives, in input order.
    pub objectives: Vec<OkrObjective>,
    /// Soft warnings, by objective.
    pub warnings: Vec<OkrBulkWarning>,
}

/// The OKR framework's mutations.
pub struct OkrMutation;

#[Object(serial)]
impl OkrMutation {
    /// Creates a cycle (admins).
    async fn create_cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateOkrCycleInput,
    ) -> Result<OkrCyclePayload> {
        let scope = &request(ctx)?.scope;
        let cycle = cycles::create(
            scope,
            cycles::NewCycle {
                name: input.name,
                starts_on: input.starts_on.0,
                ends_on: input.ends_on.0,
                parent_id: decode_optional(input.parent_id.as_ref(), "OkrCycle", "input.parentId")?,
            },
        )
        .await?;
        Ok(OkrCyclePayload {
            cycle: OkrCycle(cycle),
        })
    }

    /// Generates a fiscal year and its cycles from the tenant's calendar (admins).
    async fn generate_cycles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: GenerateOkrCyclesInput,
    ) -> Result<GenerateOkrCyclesPayload> {
        let created = cycles::generate(&request(ctx)?.scope, input.fiscal_year).await?;
        Ok(GenerateOkrCyclesPayload {
            cycles: created.into_iter().map(OkrCycle).collect(),
        })
    }

    /// Changes a cycle (admins).
    async fn update_cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateOkrCycleInput,
    ) -> Result<OkrCyclePayload> {
        let id = decode_id(&input.id, "OkrCycle", "input.id")?;
        let cycle = cycles::update(
            &request(ctx)?.scope,
            id,
            cycles::CycleChanges {
                version: input.version,
                name: input.name,
                starts_on: input.starts_on.map(|d| d.0),
                ends_on: input.ends_on.map(|d| d.0),
                status: input.status,
            },
        )
        .await?;
        Ok(OkrCyclePayload {
            cycle: OkrCycle(cycle),
        })
    }

    /// Grades every key result and objective of the cycle and locks it (admins).
    async fn close_cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CloseOkrCycleInput,
    ) -> Result<OkrCyclePayload> {
        let id = decode_id(&input.id, "OkrCycle", "input.id")?;
        let cycle =
            cycles::close(&request(ctx)?.scope, id, input.version, input.closing_note).await?;
        Ok(OkrCyclePayload {
            cycle: OkrCycle(cycle),
        })
    }

    /// Reopens a closed or archived cycle (admins; audited).
    async fn reopen_cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OkrCycleVersionInput,
    ) -> Result<OkrCyclePayload> {
        let id = decode_id(&input.id, "OkrCycle", "input.id")?;
        let cycle = cycles::reopen(&request(ctx)?.scope, id, input.version).await?;
        Ok(OkrCyclePayload {
            cycle: OkrCycle(cycle),
        })
    }

    /// Archives a closed cycle (admins): it leaves the default cycle list and
    /// stays locked.
    async fn archive_cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OkrCycleVersionInput,
    ) -> Result<OkrCyclePayload> {
        let id = decode_id(&input.id, "OkrCycle", "input.id")?;
        let cycle = cycles::archive(&request(ctx)?.scope, id, input.version).await?;
        Ok(OkrCyclePayload {
            cycle: OkrCycle(cycle),
        })
    }

    /// Deletes an empty cycle (admins).
    async fn delete_cycle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteOkrInput,
    ) -> Result<OkrDeletePayload> {
        let id = decode_id(&input.id, "OkrCycle", "input.id")?;
        let cycle = cycles::delete(&request(ctx)?.scope, id).await?;
        Ok(OkrDeletePayload {
            deleted_id: encode_id("OkrCycle", cycle.id),
        })
    }

    /// Creates an objective.
    async fn create_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateOkrObjectiveInput,
    ) -> Result<OkrObjectivePayload> {
        let scope = &request(ctx)?.scope;
        let (objective, warned) = objectives::create(
            scope,
            objectives::NewObjective {
                cycle_id: decode_id(&input.cycle_id, "OkrCycle", "input.cycleId")?,
                title: input.title,
                description: input.description,
                level: input.level,
                owner_id: decode_id(&input.owner_id, "Person", "input.ownerId")?,
                co_owner_ids: ids(input.co_owner_ids.as_ref(), "Person", "input.coOwnerIds")?
                    .unwrap_or_default(),
                org_unit_id: decode_optional(
                    input.org_unit_id.as_ref(),
                    "OrgUnit",
                    "input.orgUnitId",
                )?,
                private: input.private.unwrap_or(false),
                weight: input.weight,
                progress_driver: input.progress_driver,
                status: input.status,
            },
        )
        .await?;
        Ok(OkrObjectivePayload {
            objective: OkrObjective(objective),
            warnings: warnings(warned),
        })
    }

    /// Changes an objective (close or archive it with `status`).
    async fn update_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateOkrObjectiveInput,
    ) -> Result<OkrObjectivePayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "OkrObjective", "input.id")?;
        let (objective, warned) = objectives::update(
            scope,
            id,
            objectives::ObjectiveChanges {
                version: input.version,
                title: input.title,
                description: throughline_domain::graphql::inputs::patch(&input.description),
                level: input.level,
                owner_id: decode_optional(input.owner_id.as_ref(), "Person", "input.ownerId")?,
                co_owner_ids: ids(input.co_owner_ids.as_ref(), "Person", "input.coOwnerIds")?,
                org_unit_id: patch_id(&input.org_unit_id, "OrgUnit", "input.orgUnitId")?,
                private: input.private,
                weight: input.weight,
                progress_driver: input.progress_driver,
                status: input.status,
                closing_note: throughline_domain::graphql::inputs::patch(&input.closing_note),
            },
        )
        .await?;
        Ok(OkrObjectivePayload {
            objective: OkrObjective(objective),
            warnings: warnings(warned),
        })
    }

    /// Deletes a draft objective.
    async fn delete_objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteOkrInput,
    ) -> Result<OkrDeletePayload> {
        let id = decode_id(&input.id, "OkrObjective", "input.id")?;
        let objective = objectives::delete(&request(ctx)?.scope, id).await?;
        Ok(OkrDeletePayload {
            deleted_id: encode_id("OkrObjective", objective.id),
        })
    }

    /// Adds a key result to an objective.
    async fn create_key_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateOkrKeyResultInput,
    ) -> Result<OkrKeyResultPayload> {
        let scope = &request(ctx)?.scope;
        let (kr, warned) = key_results::create(
            scope,
            key_results::NewKeyResult {
                objective_id: decode_id(&input.objective_id, "OkrObjective", "input.objectiveId")?,
                title: input.title,
                owner_id: decode_optional(input.owner_id.as_ref(), "Person", "input.ownerId")?,
                target: input.target,
                weight: input.weight,
                current_value: input.current_value,
                metric_id: decode_optional(input.metric_id.as_ref(), "Metric", "input.metricId")?,
            },
        )
        .await?;
        Ok(OkrKeyResultPayload {
            key_result: OkrKeyResult(kr),
            warnings: warnings(warned),
        })
    }

    /// Changes a key result.
    async fn update_key_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateOkrKeyResultInput,
    ) -> Result<OkrKeyResultPayload> {
        let scope = &request(ctx)?.scope;
        let id = decode_id(&input.id, "OkrKeyResult", "input.id")?;
        let kr = key_results::update(
            scope,
            id,
            key_results::KeyResultChanges {
                version: input.version,
                title: input.title,
                owner_id: decode_optional(input.owner_id.as_ref(), "Person", "input.ownerId")?,
                target: input.target,
                weight: input.weight,
                metric_id: patch_id(&input.metric_id, "Metric", "input.metricId")?,
                status: input.status,
            },
        )
        .await?;
        Ok(OkrKeyResultPayload {
            key_result: OkrKeyResult(kr),
            warnings: vec![],
        })
    }

    /// Deletes a key result.
    async fn delete_key_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteOkrInput,
    ) -> Result<OkrDeletePayload> {
        let id = decode_id(&input.id, "OkrKeyResult", "input.id")?;
        let kr = key_results::delete(&request(ctx)?.scope, id).await?;
        Ok(OkrDeletePayload {
            deleted_id: encode_id("OkrKeyResult", kr.id),
        })
    }

    /// Records a check-in: the new value, your confidence and status, a note.
    async fn record_check_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RecordOkrCheckInInput,
    ) -> Result<OkrCheckInPayload> {
        let scope = &request(ctx)?.scope;
        let check_in = check_ins::record(
            scope,
            check_ins::NewCheckIn {
                key_result_id: decode_id(
                    &input.key_result_id,
                    "OkrKeyResult",
                    "input.keyResultId",
                )?,
                value: input.value,
                confidence: input.confidence,
                status: input.status,
                note: input.note,
                as_of: input.as_of.map(|d| d.0),
            },
            CheckInSource::Manual,
        )
        .await?;
        Ok(OkrCheckInPayload {
            check_in: OkrCheckIn(check_in),
        })
    }

    /// Creates many objectives with their key results and alignments in one
    /// transaction (a workshop's output): all or nothing, naming the bad field.
    async fn bulk_create_objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: BulkCreateOkrObjectivesInput,
    ) -> Result<BulkCreateOkrObjectivesPayload> {
        use crate::service::bulk::{BulkKeyResult, BulkObjective, create};
        let cycle_id = decode_id(&input.cycle_id, "OkrCycle", "input.cycleId")?;
        let mut items = Vec::with_capacity(input.objectives.len());
        for (i, o) in input.objectives.into_iter().enumerate() {
            let p = format!("input.objectives[{i}]");
            let mut key_results = Vec::new();
            for (k, kr) in o.key_results.unwrap_or_default().into_iter().enumerate() {
                let kp = format!("{p}.keyResults[{k}]");
                key_results.push(BulkKeyResult {
                    title: kr.title,
                    owner_id: decode_optional(
                        kr.owner_id.as_ref(),
                        "Person",
                        &format!("{kp}.ownerId"),
                    )?,
                    target: kr.target,
                    weight: kr.weight,
                    metric_id: decode_optional(
                        kr.metric_id.as_ref(),
                        "Metric",
                        &format!("{kp}.metricId"),
                    )?,
                });
            }
            let parent_index = match o.parent_index {
                Some(n) if n < 0 => {
                    return Err(DomainError::validation(
                        format!("{p}.parentIndex"),
                        "a position is 0 or more",
                    )
                    .into());
                }
                other => other.map(|n| n as usize),
            };
            items.push(BulkObjective {
                title: o.title,
                description: o.description,
                level: o.level,
                owner_id: decode_id(&o.owner_id, "Person", &format!("{p}.ownerId"))?,
                org_unit_id: decode_optional(
                    o.org_unit_id.as_ref(),
                    "OrgUnit",
                    &format!("{p}.orgUnitId"),
                )?,
                private: o.private.unwrap_or(false),
                weight: o.weight,
                progress_driver: o.progress_driver,
                status: o.status,
                parent_index,
                parent_objective_id: decode_optional(
                    o.parent_objective_id.as_ref(),
                    "OkrObjective",
                    &format!("{p}.parentObjectiveId"),
                )?,
                priority_ids: ids(
                    o.priority_ids.as_ref(),
                    "StrategicPriority",
                    &format!("{p}.priorityIds"),
                )?
                .unwrap_or_default(),
                key_results,
            });
        }
        let (created, warned) = create(&request(ctx)?.scope, cycle_id, items).await?;
        Ok(BulkCreateOkrObjectivesPayload {
            objectives: created.into_iter().map(OkrObjective).collect(),
            warnings: warned
                .into_iter()
                .map(|(index, w)| OkrBulkWarning {
                    index: index as i32,
                    warning: w.into(),
                })
                .collect(),
        })
    }

    /// Aligns an objective to a parent objective, key result or strategic priority. Idempotent.
    async fn align(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OkrAlignInput,
    ) -> Result<OkrObjectivePayload> {
        let id = decode_id(&input.objective_id, "OkrObjective", "input.objectiveId")?;
        let target = align_target(&input)?;
        let objective = alignment::align(&request(ctx)?.scope, id, target).await?;
        Ok(OkrObjectivePayload {
            objective: OkrObjective(objective),
            warnings: vec![],
        })
    }

    /// Removes one alignment. Idempotent.
    async fn unalign(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OkrAlignInput,
    ) -> Result<OkrObjectivePayload> {
        let id = decode_id(&input.objective_id, "OkrObjective", "input.objectiveId")?;
        let target = align_target(&input)?;
        let objective = alignment::unalign(&request(ctx)?.scope, id, target).await?;
        Ok(OkrObjectivePayload {
            objective: OkrObjective(objective),
            warnings: vec![],
        })
    }
}
