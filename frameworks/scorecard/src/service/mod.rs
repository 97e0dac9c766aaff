//! The scorecard's services: design (perspectives, scorecards, objectives,
//! measures, thresholds, weights) and scores. Admins design; everyone in
//! the tenant reads.

pub mod commentaries;
pub mod contributions;
pub mod exceptions;
pub mod initiatives;
pub mod linked_items;
pub mod links;
pub mod measures;
pub mod objectives;
pub mod perspectives;
pub mod scorecards;
pub mod scores;
pub mod status_changes;
pub mod strategy_maps;
pub mod weights;

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, QueryFilter};
use throughline_domain::entity::org_unit;
use throughline_domain::kit::{
    DomainError, DomainResult, Role, TenantScope, TenantTxn, Walk, date_in_range,
};
use throughline_domain::service::org_units::ORG_CHART;
use uuid::Uuid;

use crate::entity::scorecard;

/// Only admins design scorecards: their shape is the company's strategy.
pub(crate) fn require_designer(scope: &TenantScope, doing: &str) -> DomainResult<()> {
    scope.require_role(&[Role::Admin], doing)
}

/// Marks every scorecard design of the tenant as changed, in the writing
/// transaction: each design write calls it before it commits, so a design
/// kept across requests (`scores::designs`) is never read past a write.
/// One statement; every scorecard row, because a design holds rows of
/// others (contributors, linked items) and perspectives are the tenant's.
pub(crate) async fn design_changed(tx: &TenantTxn<'_>) -> DomainResult<()> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    tx.update::<scorecard::Entity>()
        .col_expr(
            scorecard::Column::DesignRevision,
            Expr::col(scorecard::Column::DesignRevision).add(1),
        )
        .exec()
        .await?;
    Ok(())
}

/// The cascade runs along the org chart: scorecard `lower` must belong to
/// a unit below `upper`'s (`VALIDATION` on `field` with `refusal`
/// otherwise).
pub(crate) async fn require_below(
    scope: &TenantScope,
    tx: &TenantTxn<'_>,
    (upper, lower): (Uuid, Uuid),
    field: &str,
    refusal: String,
) -> DomainResult<()> {
    let cards: HashMap<Uuid, scorecard::Model> = tx
        .select::<scorecard::Entity>()
        .filter(scorecard::Column::Id.is_in([upper, lower]))
        .all(tx)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let unit_of = |card: Uuid| cards.get(&card).and_then(|c| c.org_unit_id);
    let (Some(upper_unit), Some(lower_unit)) = (unit_of(upper), unit_of(lower)) else {
        return Err(DomainError::validation(
            field,
            "both scorecards must belong to org units: a scorecard whose unit was deleted cascades nothing",
        ));
    };
    let below = tx
        .select::<org_unit::Entity>()
        .filter(org_unit::Column::Id.eq(lower_unit))
        .filter(scope.in_tree(org_unit::Column::Id, ORG_CHART, Walk::Below(&[upper_unit])))
        .exists(tx)
        .await?;
    if !below {
        return Err(DomainError::validation(field, refusal));
    }
    Ok(())
}

/// The most date ranges one schedule (thresholds, weights) holds.
pub const MAX_RANGES: usize = 20;

/// Checks a schedule of date ranges (either end open): each range in order,
/// dates in range, none overlapping another. `field` names the list.
pub(crate) fn check_ranges(
    field: &str,
    ranges: &[(Option<NaiveDate>, Option<NaiveDate>)],
) -> DomainResult<()> {
    if ranges.len() > MAX_RANGES {
        return Err(DomainError::validation(
            field,
            format!("at most {MAX_RANGES} date ranges"),
        ));
    }
    for (i, (from, to)) in ranges.iter().enumerate() {
        if let Some(from) = from {
            date_in_range(&format!("{field}[{i}].validFrom"), *from)?;
        }
        if let Some(to) = to {
            date_in_range(&format!("{field}[{i}].validTo"), *to)?;
        }
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(DomainError::validation(
                format!("{field}[{i}].validTo"),
                format!("ends ({to}) before it starts ({from})"),
            ));
        }
    }
    for (i, a) in ranges.iter().enumerate() {
        for (j, b) in ranges.iter().enumerate().skip(i + 1) {
            let starts_before_b_ends = match (a.0, b.1) {
                (Some(a_from), Some(b_to)) => a_from <= b_to,
                _ => true,
            };
            let b_starts_before_a_ends = match (b.0, a.1) {
                (Some(b_from), Some(a_to)) => b_from <= a_to,
                _ => true,
            };
            if starts_before_b_ends && b_starts_before_a_ends {
                return Err(DomainError::validation(
                    format!("{field}[{j}]"),
                    format!(
                        "overlaps {field}[{i}]: one value is in force on any day, so date ranges may not overlap"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Whether a range (either end open) holds `day`.
pub(crate) fn in_force(from: Option<NaiveDate>, to: Option<NaiveDate>, day: NaiveDate) -> bool {
    from.is_none_or(|f| f <= day) && to.is_none_or(|t| day <= t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap_or_default()
    }

    #[test]
    fn ranges_that_touch_are_refused_and_ranges_that_follow_are_kept() {
        let follow = [(None, Some(d("2026-07-12"))), (Some(d("2026-07-13")), None)];
        assert!(check_ranges("weights", &follow).is_ok());
        let touch = [(None, Some(d("2026-07-12"))), (Some(d("2026-07-12")), None)];
        let err = check_ranges("weights", &touch)
            .err()
            .map(|e| format!("{e:?}"));
        assert!(err.is_some_and(|e| e.contains("overlaps weights[0]")));
        let two_open = [(None, None), (Some(d("2030-01-01")), None)];
        assert!(check_ranges("weights", &two_open).is_err());
        let backwards = [(Some(d("2026-02-01")), Some(d("2026-01-01")))];
        assert!(check_ranges("weights", &backwards).is_err());
    }
}
