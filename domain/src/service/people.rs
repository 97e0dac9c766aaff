//! People and their reporting lines. Reporting-line queries are single
//! recursive SQL queries: no per-row recursion in Rust.

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::SimpleExpr;
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect, Set};
use uuid::Uuid;

use crate::entity::{org_unit, person};
use crate::enums::{PersonStatus, Role};
use crate::error::{DomainError, DomainResult};
use crate::service::directory::{SyncWarning, reports_warning};
use crate::tenancy::{Change, TenantScope, TenantTxn, TreeLink, Walk};

use super::{check_version, optional_text, required_text};

const WRITERS: &[Role] = &[Role::Admin, Role::Integrator];
/// Deeper than any real organisation; stops runaway recursion on bad data.
const MAX_DEPTH: u32 = 100;

#[derive(Clone, Debug, Default)]
pub struct NewPerson {
    pub name: String,
    pub email: Option<String>,
    pub title: Option<String>,
    pub org_unit_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    pub start_date: Option<NaiveDate>,
    pub external_id: Option<String>,
}

/// `None` leaves a field alone; `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct PersonChanges {
    pub version: i32,
    pub name: Option<String>,
    pub email: Option<Option<String>>,
    pub title: Option<Option<String>>,
    pub org_unit_id: Option<Option<Uuid>>,
    pub manager_id: Option<Option<Uuid>>,
    pub status: Option<PersonStatus>,
    pub start_date: Option<Option<NaiveDate>>,
    pub end_date: Option<Option<NaiveDate>>,
    pub external_id: Option<Option<String>>,
}

/// Reporting lines as a tree: a person's parent is their manager.
pub const REPORTING_LINES: TreeLink<person::Entity> = TreeLink {
    node: person::Column::Id,
    parent: person::Column::ManagerId,
    max_depth: MAX_DEPTH,
};

/// `<column> IN (everyone reporting to `manager`, directly or not)`:
/// frameworks use it on their own person columns (an objective's owner, say).
pub fn in_reporting_line(
    scope: &TenantScope,
    column: impl ColumnTrait,
    manager: Uuid,
) -> SimpleExpr {
    scope.in_tree(column, REPORTING_LINES, Walk::Below(&[manager]))
}

/// `people.id IN (the managers above `person`, not the person)`.
pub fn manager_chain_of(scope: &TenantScope, person: Uuid) -> SimpleExpr {
    scope.in_tree(
        person::Column::Id,
        REPORTING_LINES,
        Walk::Above {
            from: &[person],
            include_start: false,
        },
    )
}

/// Orders a manager chain (loaded in one query, in any order) from the
/// direct manager upwards.
pub fn order_chain(start: &person::Model, mut chain: Vec<person::Model>) -> Vec<person::Model> {
    let mut ordered = Vec::with_capacity(chain.len());
    let mut next = start.manager_id;
    while let Some(id) = next {
        let Some(index) = chain.iter().position(|p| p.id == id) else {
            break;
        };
        let boss = chain.swap_remove(index);
        next = boss.manager_id;
        ordered.push(boss);
    }
    ordered
}

async fn check_unique(
    tx: &TenantTxn<'_>,
    column: person::Column,
    value: &str,
    except: Option<Uuid>,
    field: &str,
    what: &str,
) -> DomainResult<()> {
    let mut query = tx
        .scope()
        .select::<person::Entity>()
        .filter(column.eq(value));
    if let Some(id) = except {
        query = query.filter(person::Column::Id.ne(id));
    }
    if query.count(tx).await? > 0 {
        return Err(DomainError::validation(
            field,
            format!("another person already has the {what} {value:?}"),
        ));
    }
    Ok(())
}

async fn check_manager(
    tx: &TenantTxn<'_>,
    person_id: Option<Uuid>,
    manager_id: Uuid,
) -> DomainResult<()> {
    if Some(manager_id) == person_id {
        return Err(DomainError::validation(
            "input.managerId",
            "a person cannot be their own manager",
        ));
    }
    let manager = tx
        .reference::<person::Entity>(manager_id, "input.managerId", "person")
        .await?;
    if manager.status == PersonStatus::Inactive.as_str() {
        return Err(DomainError::validation(
            "input.managerId",
            format!(
                "{} is inactive: choose an active manager (or reactivate them first)",
                manager.name
            ),
        ));
    }
    if let Some(person_id) = person_id {
        let scope = tx.scope();
        let loops = scope
            .select::<person::Entity>()
            .filter(person::Column::Id.eq(person_id))
            .filter(manager_chain_of(scope, manager_id))
            .count(tx)
            .await?;
        if loops > 0 {
            return Err(DomainError::validation(
                "input.managerId",
                "that person reports to this one, directly or not; the change would make a reporting loop",
            ));
        }
    }
    Ok(())
}

fn check_dates(start: Option<NaiveDate>, end: Option<NaiveDate>) -> DomainResult<()> {
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        return Err(DomainError::validation(
            "input.endDate",
            format!("the end date {end} is before the start date {start}"),
        ));
    }
    Ok(())
}

fn clean_email(value: Option<&str>) -> DomainResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => super::email("input.email", text).map(Some),
    }
}

pub async fn create(scope: &TenantScope, input: NewPerson) -> DomainResult<person::Model> {
    scope.require_role(WRITERS, "creating people")?;
    let name = required_text("input.name", &input.name, 200)?;
    let email = clean_email(input.email.as_deref())?;
    let title = optional_text("input.title", input.title.as_deref(), 200)?;
    let external_id = optional_text("input.externalId", input.external_id.as_deref(), 200)?;
    let mut tx = scope.begin().await?;
    if let Some(unit) = input.org_unit_id {
        tx.reference::<org_unit::Entity>(unit, "input.orgUnitId", "org unit")
            .await?;
    }
    if let Some(manager) = input.manager_id {
        check_manager(&tx, None, manager).await?;
    }
    if let Some(email) = &email {
        check_unique(
            &tx,
            person::Column::Email,
            email,
            None,
            "input.email",
            "e-mail",
        )
        .await?;
    }
    if let Some(ext) = &external_id {
        check_unique(
            &tx,
            person::Column::ExternalId,
            ext,
            None,
            "input.externalId",
            "external id",
        )
        .await?;
    }
    let now = Utc::now();
    let model = tx
        .insert(person::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name),
            email: Set(email),
            title: Set(title),
            org_unit_id: Set(input.org_unit_id),
            manager_id: Set(input.manager_id),
            status: Set(PersonStatus::Active.as_str().to_string()),
            start_date: Set(input.start_date),
            end_date: Set(None),
            external_id: Set(external_id),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await?;
    tx.record(Change::created(
        "person.created",
        "Person",
        model.id,
        &model,
    ))
    .await?;
    tx.commit().await?;
    Ok(model)
}

/// A person after an update, with what the change left for someone to do.
#[derive(Clone, Debug)]
pub struct PersonUpdate {
    pub person: person::Model,
    pub warnings: Vec<SyncWarning>,
}

pub async fn update(
    scope: &TenantScope,
    id: Uuid,
    changes: PersonChanges,
) -> DomainResult<PersonUpdate> {
    scope.require_role(WRITERS, "changing people")?;
    let mut tx = scope.begin().await?;
    let current = tx.load::<person::Entity>(id, "person").await?;
    check_version(current.version, changes.version, "person")?;
    let mut after = current.clone();
    if let Some(name) = &changes.name {
        after.name = required_text("input.name", name, 200)?;
    }
    if let Some(email) = &changes.email {
        after.email = clean_email(email.as_deref())?;
        if let Some(email) = &after.email {
            check_unique(
                &tx,
                person::Column::Email,
                email,
                Some(id),
                "input.email",
                "e-mail",
            )
            .await?;
        }
    }
    if let Some(title) = &changes.title {
        after.title = optional_text("input.title", title.as_deref(), 200)?;
    }
    if let Some(unit) = changes.org_unit_id {
        if let Some(unit_id) = unit {
            tx.reference::<org_unit::Entity>(unit_id, "input.orgUnitId", "org unit")
                .await?;
        }
        after.org_unit_id = unit;
    }
    if let Some(manager) = changes.manager_id {
        if let Some(manager_id) = manager
            && manager != current.manager_id
        {
            check_manager(&tx, Some(id), manager_id).await?;
        }
        after.manager_id = manager;
    }
    if let Some(status) = changes.status {
        after.status = status.as_str().to_string();
    }
    if let Some(start) = changes.start_date {
        after.start_date = start;
    }
    if let Some(end) = changes.end_date {
        after.end_date = end;
    }
    check_dates(after.start_date, after.end_date)?;
    if let Some(external) = &changes.external_id {
        after.external_id = optional_text("input.externalId", external.as_deref(), 200)?;
        if let Some(ext) = &after.external_id {
            check_unique(
                &tx,
                person::Column::ExternalId,
                ext,
                Some(id),
                "input.externalId",
                "external id",
            )
            .await?;
        }
    }
    // An update that changes nothing writes nothing: no new version, no
    // audit entry, no event (a sync that sends everyone churns nothing).
    if after == current {
        return Ok(PersonUpdate {
            person: current,
            warnings: Vec::new(),
        });
    }
    after.version += 1;
    after.updated_at = Utc::now();
    tx.update_versioned::<person::Entity>(id, after.clone(), current.version, "person")
        .await?;
    let deactivated = current.status != PersonStatus::Inactive.as_str()
        && after.status == PersonStatus::Inactive.as_str();
    let warnings = if deactivated {
        reports_left_without_manager(&tx, &after).await?
    } else {
        Vec::new()
    };
    tx.record(Change::updated(
        if deactivated {
            "person.deactivated"
        } else {
            "person.updated"
        },
        "Person",
        id,
        &current,
        &after,
    ))
    .await?;
    tx.commit().await?;
    Ok(PersonUpdate {
        person: after,
        warnings,
    })
}

/// What an erased person is called.
pub const ERASED_NAME: &str = "Erased person";

/// Erases a person's personal data for a GDPR request (admins only, and
/// only with `confirmed`): the record stays, anonymised and inactive, so
/// what refers to it (objectives, metrics, reports' manager) keeps its
/// history; their keys in source systems and their link to a user go; the
/// audit log and the change feed keep that the person changed, not what they
/// said about them. The erasure itself is audited.
pub async fn erase(scope: &TenantScope, id: Uuid, confirmed: bool) -> DomainResult<person::Model> {
    use crate::entity::{audit_entry, membership, outbox_event, person_external_id};
    use sea_orm::sea_query::Expr;
    scope.require_admin("erasing a person's personal data")?;
    if !confirmed {
        return Err(DomainError::validation(
            "input.confirm",
            "erasure cannot be undone: send `confirm: true` to erase this person's personal data",
        ));
    }
    let mut tx = scope.begin().await?;
    let current = tx.load::<person::Entity>(id, "person").await?;
    let after = person::Model {
        name: ERASED_NAME.into(),
        email: None,
        title: None,
        manager_id: None,
        status: PersonStatus::Inactive.as_str().into(),
        start_date: None,
        end_date: None,
        external_id: None,
        version: current.version + 1,
        updated_at: Utc::now(),
        ..current.clone()
    };
    tx.update_versioned::<person::Entity>(id, after.clone(), current.version, "person")
        .await?;
    tx.delete::<person_external_id::Entity>()
        .filter(person_external_id::Column::PersonId.eq(id))
        .exec()
        .await?;
    tx.update::<membership::Entity>()
        .col_expr(
            membership::Column::PersonId,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(membership::Column::PersonId.eq(id))
        .exec()
        .await?;
    tx.update::<audit_entry::Entity>()
        .col_expr(
            audit_entry::Column::Before,
            Expr::value(Option::<serde_json::Value>::None),
        )
        .col_expr(
            audit_entry::Column::After,
            Expr::value(Option::<serde_json::Value>::None),
        )
        .filter(audit_entry::Column::EntityType.eq("Person"))
        .filter(audit_entry::Column::EntityId.eq(id))
        .exec()
        .await?;
    tx.update::<outbox_event::Entity>()
        .col_expr(
            outbox_event::Column::Payload,
            Expr::value(serde_json::json!({ "before": null, "after": null, "erased": true })),
        )
        .filter(outbox_event::Column::EntityType.eq("Person"))
        .filter(outbox_event::Column::EntityId.eq(id))
        .exec()
        .await?;
    // Stored answers of idempotent syncs name people in their results and
    // messages (kept 24 hours for repeats): none may replay an erased one.
    // A repeat then runs again, which a sync allows (it changes nothing).
    tx.delete::<crate::entity::idempotency_key::Entity>()
        .exec()
        .await?;
    tx.record(Change::created("person.erased", "Person", id, &after))
        .await?;
    tx.commit().await?;
    Ok(after)
}

/// The warning for a deactivated manager whose active reports now have an
/// inactive manager, naming them (the first ten, by name).
async fn reports_left_without_manager(
    tx: &TenantTxn<'_>,
    manager: &person::Model,
) -> DomainResult<Vec<SyncWarning>> {
    let names: Vec<String> = tx
        .select::<person::Entity>()
        .filter(person::Column::ManagerId.eq(manager.id))
        .filter(person::Column::Status.ne(PersonStatus::Inactive.as_str()))
        .select_only()
        .column(person::Column::Name)
        .into_tuple()
        .all(tx)
        .await?;
    if names.is_empty() {
        return Ok(Vec::new());
    }
    Ok(vec![reports_warning(
        Some(&manager.name),
        names.iter().map(String::as_str).collect(),
        Some("input.status".into()),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: u128, manager: Option<u128>) -> person::Model {
        let now = Utc::now();
        person::Model {
            id: Uuid::from_u128(id),
            tenant_id: Uuid::nil(),
            name: format!("p{id}"),
            email: None,
            title: None,
            org_unit_id: None,
            manager_id: manager.map(Uuid::from_u128),
            status: "ACTIVE".into(),
            start_date: None,
            end_date: None,
            external_id: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[test]
    fn order_chain_walks_up_from_the_direct_manager() {
        let me = person(1, Some(2));
        let chain = vec![person(4, None), person(2, Some(3)), person(3, Some(4))];
        let ids: Vec<u128> = order_chain(&me, chain)
            .iter()
            .map(|p| p.id.as_u128())
            .collect();
        assert_eq!(ids, [2, 3, 4]);
    }

    #[test]
    fn end_date_before_start_is_refused() {
        let start = NaiveDate::from_ymd_opt(2026, 5, 1);
        let end = NaiveDate::from_ymd_opt(2026, 4, 1);
        assert!(
            matches!(check_dates(start, end), Err(DomainError::Validation { field, .. }) if field == "input.endDate")
        );
        assert!(check_dates(end, start).is_ok());
    }
}
