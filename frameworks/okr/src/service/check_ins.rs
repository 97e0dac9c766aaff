//! Check-ins: one per update of a key result, with the value and progress
//! before and after. Late check-ins for a closed cycle are admin-only and
//! audited as such.

use super::key_results::load;
use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, QueryFilter, Set};
use throughline_domain::kit::{
    Change, DomainError, DomainResult, Role, TenantScope, TenantTxn, business_number,
    optional_text, to_stored,
};
use uuid::Uuid;

use crate::entity::{check_in, key_result, objective};
use crate::model::{CheckInSource, CycleStatus, KeyResultStatus, ObjectiveStatus};
use crate::scoring::{Health, derive_key_result_health, expected_progress};

use super::{can_edit, cycle_of, figures_changed, optional_decimal};

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
    let today = Utc::now().date_naive();
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
    if cycle.status == CycleStatus::Archived.as_str() {
        return Err(DomainError::validation(
            "input.keyResultId",
            format!("the cycle {:?} is archived", cycle.name),
        ));
    }
    let late = cycle.status == CycleStatus::Closed.as_str();
    if late && scope.actor().role != Role::Admin {
        return Err(DomainError::validation(
            "input.keyResultId",
            format!(
                "the cycle {:?} is closed; only an admin can record a late check-in",
                cycle.name
            ),
        ));
    }
    business_number("input.value", input.value)?;
    figures_changed(tx, cycle.id).await?;
    // Read again now that the cycle's row is locked (figures_changed wrote
    // it): a check-in that raced this one has committed, and its value is
    // the value before this one.
    let current_value = scope
        .select::<key_result::Entity>()
        .filter(key_result::Column::Id.eq(kr.id))
        .one(tx)
        .await?
        .ok_or(DomainError::not_found("key result"))?
        .current_value;
    let target = super::scores::target_of(kr)?;
    let before_value = optional_decimal(current_value.as_deref())?;
    let before = target.progress(before_value);
    let after = target.progress(Some(input.value));
    let settings = scope.settings::<crate::Okr>(tx).await?;
    let expected = expected_progress(cycle.starts_on, cycle.ends_on, as_of.min(cycle.ends_on));
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
    tx.update::<key_result::Entity>()
        .col_expr(
            key_result::Column::CurrentValue,
            Some(to_stored(input.value)).into(),
        )
        .col_expr(key_result::Column::LastCheckInId, Some(row.id).into())
        .col_expr(key_result::Column::LastCheckInOn, Some(row.as_of).into())
        .col_expr(
            key_result::Column::LastStatedStatus,
            row.stated_status.clone().into(),
        )
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
