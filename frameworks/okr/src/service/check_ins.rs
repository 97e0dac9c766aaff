//! Check-ins: one per update of a key result, with the value and progress
//! before and after. Late check-ins for a closed cycle are admin-only and
//! audited as such.

use super::key_results::load;
use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, Set};
use throughline_domain::kit::{
    Change, DomainError, DomainResult, Role, TargetKind, TenantScope, TenantTxn, business_number,
    optional_text, to_stored,
};
use uuid::Uuid;

use crate::entity::{check_in, key_result, objective};
use crate::model::{
    CheckInSource, CycleStatus, KeyResultProgressSource, KeyResultStatus, ObjectiveStatus,
};
use crate::scoring::{Health, derive_key_result_health};

use super::{can_edit, cycle_of, figures_changed, optional_decimal, parse_decimal};

#[derive(Clone, Debug)]
pub struct NewCheckIn {
    pub key_result_id: Uuid,
    pub value: Decimal,
    pub confidence: Option<i32>,
    pub status: Option<Health>,
    pub note: Option<String>,
    /// Defaults to today.
    pub as_of: Option<NaiveDate>,
}

/// Members check in on key results they own or whose objective they (co-)own;
/// managers and admins wherever they may edit the objective.
async fn may_check_in(
    tx: &TenantTxn<'_>,
    kr: &key_result::Model,
    objective: &objective::Model,
) -> DomainResult<bool> {
    let scope = tx.scope();
    if let Some(me) = scope.actor().person_id
        && kr.owner_id == me
    {
        return Ok(true);
    }
    // Owners and co-owners of the objective, their managers and admins.
    can_edit(tx, scope, objective).await
}

pub async fn record(
    scope: &TenantScope,
    input: NewCheckIn,
    source: CheckInSource,
) -> DomainResult<check_in::Model> {
    let mut tx = scope.begin().await?;
    let (kr, objective) = load(&tx, input.key_result_id).await?;
    if source == CheckInSource::Manual && !may_check_in(&tx, &kr, &objective).await? {
        return Err(DomainError::forbidden(
            "you may check in on key results you own or co-own, or that your reporting line owns",
        ));
    }
    let row = insert(&mut tx, &kr, &objective, input, source).await?;
    tx.commit().await?;
    Ok(row)
}

pub(crate) async fn insert(
    tx: &mut TenantTxn<'_>,
    kr: &key_result::Model,
    objective: &objective::Model,
    input: NewCheckIn,
    source: CheckInSource,
) -> DomainResult<check_in::Model> {
    let scope = tx.scope();
    if let Some(confidence) = input.confidence
        && !(0..=10).contains(&confidence)
    {
        return Err(DomainError::validation(
            "input.confidence",
            "confidence runs from 0 to 10",
        ));
    }
    let note = optional_text("input.note", input.note.as_deref(), 4000)?;
    let cycle = cycle_of(tx, objective.cycle_id, "input.keyResultId").await?;
    let today = scope.today();
    let as_of = input.as_of.unwrap_or(today);
    if as_of > today {
        return Err(DomainError::validation(
            "input.asOf",
            "a check-in cannot be dated in the future",
        ));
    }
    if as_of < cycle.starts_on {
        return Err(DomainError::validation(
            "input.asOf",
            format!(
                "the cycle {:?} starts on {}: a check-in is dated within its cycle",
                cycle.name, cycle.starts_on
            ),
        ));
    }
    if kr.status != KeyResultStatus::Active.as_str() {
        return Err(DomainError::validation(
            "input.keyResultId",
            format!(
                "the key result {:?} is {}: it takes no check-ins until its status is ACTIVE again",
                kr.title,
                kr.status.to_lowercase()
            ),
        ));
    }
    if objective.status == ObjectiveStatus::Archived.as_str() {
        return Err(DomainError::validation(
            "input.keyResultId",
            format!("the objective {:?} is archived", objective.title),
        ));
    }
    if kr.progress_source == KeyResultProgressSource::AlignedObjectives.as_str() {
        return Err(DomainError::validation(
            "input.keyResultId",
            format!(
                "the key result {:?} takes its progress from the objectives aligned to it: check in on theirs",
                kr.title
            ),
        ));
    }
    if cycle.status == CycleStatus::Archived.as_str() {
        return Err(DomainError::validation(
            "input.keyResultId",
            format!("the cycle {:?} is archived", cycle.name),
        ));
    }
    let cycle_closed = cycle.status == CycleStatus::Closed.as_str();
    if cycle_closed && scope.actor().role != Role::Admin {
        return Err(DomainError::validation(
            "input.keyResultId",
            format!(
                "the cycle {:?} is closed; only an admin can record a late check-in",
                cycle.name
            ),
        ));
    }
    business_number("input.value", input.value)?;
    if input.status == Some(Health::NoData) {
        return Err(DomainError::validation(
            "input.status",
            "state ON_TRACK, AT_RISK or OFF_TRACK: NO_DATA is what a key result without values shows",
        ));
    }
    if source == CheckInSource::Manual
        && super::scores::target_of(kr)?.kind == TargetKind::Milestone
        && input.value != Decimal::ZERO
        && input.value != Decimal::ONE
    {
        return Err(DomainError::validation(
            "input.value",
            format!(
                "{} is not a milestone value: a milestone is done (1) or not done (0)",
                input.value
            ),
        ));
    }
    figures_changed(tx, cycle.id).await?;
    // Read again now that the cycle's row is locked (figures_changed wrote
    // it): a check-in that raced this one has committed.
    let kr = scope
        .select::<key_result::Entity>()
        .filter(key_result::Column::Id.eq(kr.id))
        .one(tx)
        .await?
        .ok_or(DomainError::not_found("key result"))?;
    // A check-in dated before the latest one is history, not the present:
    // it is compared with the check-in just before its own date, leaves the
    // current value (and staleness) to the latest one, and becomes the value
    // before of the check-in that follows it.
    // A metric's value is always its latest (older periods never get
    // here): it is the present even when dated at its period's start.
    let backdated =
        source == CheckInSource::Manual && kr.last_check_in_on.is_some_and(|latest| as_of < latest);
    let late = cycle_closed || backdated;
    let target = super::scores::target_of(&kr)?;
    let before_value = if backdated {
        let previous = scope
            .select::<check_in::Entity>()
            .filter(check_in::Column::KeyResultId.eq(kr.id))
            .filter(check_in::Column::AsOf.lte(as_of))
            .order_by_desc(check_in::Column::AsOf)
            .order_by_desc(check_in::Column::Id)
            .one(tx)
            .await?;
        match previous {
            Some(previous) => Some(parse_decimal(&previous.value)?),
            None => target.start,
        }
    } else {
        optional_decimal(kr.current_value.as_deref())?
    };
    let before = target.progress(before_value);
    let after = target.progress(Some(input.value));
    let settings = scope.settings::<crate::Okr>(tx).await?;
    let expected = super::scores::key_result_expected(
        &kr,
        cycle.starts_on,
        cycle.ends_on,
        as_of.min(cycle.ends_on),
    );
    let derived = derive_key_result_health(
        target.kind,
        after.progress,
        expected.value,
        settings.on_track_tolerance,
        settings.at_risk_tolerance,
    );
    let row = tx
        .insert(check_in::ActiveModel {
            id: Set(Uuid::now_v7()),
            key_result_id: Set(kr.id),
            value: Set(to_stored(input.value)),
            value_before: Set(before_value.map(to_stored)),
            progress_before: Set(to_stored(before.progress)),
            progress_after: Set(to_stored(after.progress)),
            confidence: Set(input.confidence),
            stated_status: Set(input.status.map(|s| s.as_str().to_string())),
            derived_status: Set(derived.value.as_str().into()),
            note: Set(note),
            author_user_id: Set(scope.actor().user_id),
            author_person_id: Set(scope.actor().person_id),
            as_of: Set(as_of),
            source: Set(source.as_str().into()),
            late: Set(late),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .await?;
    if backdated {
        let next = scope
            .select::<check_in::Entity>()
            .filter(check_in::Column::KeyResultId.eq(kr.id))
            .filter(check_in::Column::AsOf.gt(as_of))
            .order_by_asc(check_in::Column::AsOf)
            .order_by_asc(check_in::Column::Id)
            .one(tx)
            .await?;
        if let Some(next) = next {
            tx.update::<check_in::Entity>()
                .col_expr(check_in::Column::ValueBefore, row.value.clone().into())
                .col_expr(
                    check_in::Column::ProgressBefore,
                    row.progress_after.clone().into(),
                )
                .filter(check_in::Column::Id.eq(next.id))
                .exec()
                .await?;
        }
    }
    let mut update = tx.update::<key_result::Entity>();
    if !backdated {
        update = update
            .col_expr(
                key_result::Column::CurrentValue,
                Some(to_stored(input.value)).into(),
            )
            .col_expr(key_result::Column::LastCheckInId, Some(row.id).into())
            .col_expr(key_result::Column::LastCheckInOn, Some(row.as_of).into())
            .col_expr(
                key_result::Column::LastStatedStatus,
                row.stated_status.clone().into(),
            );
    }
    update
        .col_expr(key_result::Column::UpdatedAt, Utc::now().into())
        // Counted up in SQL: a concurrent edit read the old version and must
        // get CONFLICT, not share the new number.
        .col_expr(
            key_result::Column::Version,
            sea_orm::sea_query::ExprTrait::add(Expr::col(key_result::Column::Version), 1),
        )
        .filter(key_result::Column::Id.eq(kr.id))
        .exec()
        .await?;
    let action = if late {
        "okr_check_in.recorded_late"
    } else {
        "okr_check_in.recorded"
    };
    tx.record(Change::created(action, "OkrCheckIn", row.id, &row))
        .await?;
    Ok(row)
}

/// Whether a recorded check-in may go to this subscriber, and passes its filters.
pub async fn visible_to(
    scope: &TenantScope,
    row: &check_in::Model,
    objective_id: Option<Uuid>,
    owner_id: Option<Uuid>,
) -> DomainResult<bool> {
    let Some(kr) = scope
        .select::<key_result::Entity>()
        .filter(key_result::Column::Id.eq(row.key_result_id))
        .one(scope)
        .await?
    else {
        return Ok(false);
    };
    if objective_id.is_some_and(|id| id != kr.objective_id)
        || owner_id.is_some_and(|id| id != kr.owner_id)
    {
        return Ok(false);
    }
    Ok(super::visibility::visible_objectives(scope)
        .filter(objective::Column::Id.eq(kr.objective_id))
        .one(scope)
        .await?
        .is_some())
}
