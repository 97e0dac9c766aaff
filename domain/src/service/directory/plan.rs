//! The pure half of a directory sync: checking records before anything is
//! read, and the graph rules (no reporting loops, managers before their
//! reports). Table-tested below; no database here.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{OrgUnitRecord, Patch, PersonRecord, RecordError};
use crate::enums::PersonStatus;
use crate::error::{DomainError, DomainResult};
use crate::service::{email, optional_text, required_text};

/// The longest external ID, employee number or source name we keep.
pub const MAX_KEY_CHARS: usize = 200;
/// Deeper than any real organisation (as the reporting-line queries).
pub const MAX_DEPTH: usize = 100;

/// A source's name: lower-case letters, digits, `-`, `_` and `.`, at most 64.
pub fn clean_source(raw: &str) -> DomainResult<String> {
    let source = raw.trim();
    let valid = !source.is_empty()
        && source.len() <= 64
        && source
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err(DomainError::validation(
            "input.source",
            "name the source system in lower case (letters, digits, `-`, `_`, `.`; at most 64), e.g. `workday`",
        ));
    }
    Ok(source.to_string())
}

/// A snapshot's id: what the parts of one full snapshot share.
pub fn clean_snapshot_id(raw: &str) -> DomainResult<String> {
    required_text("input.snapshot.id", raw, MAX_KEY_CHARS)
}

/// A person record after its own checks: trimmed, bounded, consistent.
#[derive(Clone, Debug)]
pub struct CleanPerson {
    pub external_id: String,
    pub employee_number: Patch<String>,
    pub name: String,
    pub email: Patch<String>,
    pub title: Patch<String>,
    pub status: Option<PersonStatus>,
    pub start_date: Patch<NaiveDate>,
    pub end_date: Patch<NaiveDate>,
    pub manager_external_id: Patch<String>,
    pub org_unit_external_id: Patch<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub struct CleanUnit {
    pub external_id: String,
    pub name: String,
    pub parent_external_id: Patch<String>,
    pub head_external_id: Patch<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

fn patch_text(field: &str, value: &Patch<String>, max: usize) -> DomainResult<Patch<String>> {
    Ok(match value {
        None => None,
        Some(text) => Some(optional_text(field, text.as_deref(), max)?),
    })
}

fn patch_email(field: &str, value: &Patch<String>) -> DomainResult<Patch<String>> {
    Ok(match value {
        None => None,
        Some(None) => Some(None),
        Some(Some(text)) if text.trim().is_empty() => Some(None),
        Some(Some(text)) => Some(Some(email(field, text)?)),
    })
}

/// Checks one person record on its own; `path` is `input.people[3]`.
pub fn clean_person(path: &str, record: &PersonRecord) -> Result<CleanPerson, RecordError> {
    let at = |field: &str| format!("{path}.{field}");
    let check = || -> DomainResult<CleanPerson> {
        let external_id = required_text(&at("externalId"), &record.external_id, MAX_KEY_CHARS)?;
        let manager_external_id = patch_text(
            &at("managerExternalId"),
            &record.manager_external_id,
            MAX_KEY_CHARS,
        )?;
        if let Some(Some(manager)) = &manager_external_id
            && *manager == external_id
        {
            return Err(DomainError::validation(
                at("managerExternalId"),
                "a person cannot be their own manager",
            ));
        }
        let (start_date, end_date) = (record.start_date, record.end_date);
        if let (Some(Some(start)), Some(Some(end))) = (start_date, end_date)
            && end < start
        {
            return Err(DomainError::validation(
                at("endDate"),
                format!("the end date {end} is before the start date {start}"),
            ));
        }
        Ok(CleanPerson {
            external_id,
            employee_number: patch_text(
                &at("employeeNumber"),
                &record.employee_number,
                MAX_KEY_CHARS,
            )?,
            name: required_text(&at("name"), &record.name, 200)?,
            email: patch_email(&at("email"), &record.email)?,
            title: patch_text(&at("title"), &record.title, 200)?,
            status: record.status,
            start_date,
            end_date,
            manager_external_id,
            org_unit_external_id: patch_text(
                &at("orgUnitExternalId"),
                &record.org_unit_external_id,
                MAX_KEY_CHARS,
            )?,
            updated_at: record.updated_at,
        })
    };
    check().map_err(RecordError::from)
}

/// Checks one org unit record on its own; `path` is `input.orgUnits[3]`.
pub fn clean_unit(path: &str, record: &OrgUnitRecord) -> Result<CleanUnit, RecordError> {
    let at = |field: &str| format!("{path}.{field}");
    let check = || -> DomainResult<CleanUnit> {
        let external_id = required_text(&at("externalId"), &record.external_id, MAX_KEY_CHARS)?;
        let parent_external_id = patch_text(
            &at("parentExternalId"),
            &record.parent_external_id,
            MAX_KEY_CHARS,
        )?;
        if let Some(Some(parent)) = &parent_external_id
            && *parent == external_id
        {
            return Err(DomainError::validation(
                at("parentExternalId"),
                "an org unit cannot be its own parent",
            ));
        }
        Ok(CleanUnit {
            external_id,
            name: required_text(&at("name"), &record.name, 200)?,
            parent_external_id,
            head_external_id: patch_text(
                &at("headExternalId"),
                &record.head_external_id,
                MAX_KEY_CHARS,
            )?,
            updated_at: record.updated_at,
        })
    };
    check().map_err(RecordError::from)
}

/// Marks the later of two records with the same key (or e-mail) as failed:
/// `keys[i]` is record i's key, `None` when it already failed.
pub fn first_wins<'a>(keys: impl IntoIterator<Item = Option<&'a str>>) -> HashMap<usize, usize> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut repeats = HashMap::new();
    for (index, key) in keys.into_iter().enumerate() {
        if let Some(key) = key {
            match first.get(key) {
                Some(&earlier) => {
                    repeats.insert(index, earlier);
                }
                None => {
                    first.insert(key, index);
                }
            }
        }
    }
    repeats
}

/// Whether following `parent_of` up from `start` comes back to `start`
/// (a loop) or goes deeper than [`MAX_DEPTH`]; the walk, from `start`.
pub fn loop_from(start: Uuid, parent_of: impl Fn(Uuid) -> Option<Uuid>) -> Option<Vec<Uuid>> {
    let mut walk = vec![start];
    let mut seen = HashSet::from([start]);
    let mut at = start;
    while let Some(up) = parent_of(at) {
        walk.push(up);
        if up == start || walk.len() > MAX_DEPTH || !seen.insert(up) {
            // Back at the start, too deep, or in a loop above the start
            // (which an earlier record's check reports).
            return (up == start || walk.len() > MAX_DEPTH).then_some(walk);
        }
        at = up;
    }
    None
}

/// `ids` ordered so that each comes after its parent when the parent is in
/// `ids` too (managers before their reports, parent units before children);
/// ties keep their order. The graph has no loops (checked before).
pub fn parents_first(ids: &[Uuid], parent_of: impl Fn(Uuid) -> Option<Uuid>) -> Vec<Uuid> {
    let members: HashSet<Uuid> = ids.iter().copied().collect();
    let depth = |id: Uuid| {
        let mut depth = 0usize;
        let mut at = id;
        while let Some(up) = parent_of(at).filter(|up| members.contains(up)) {
            depth += 1;
            if depth > ids.len() {
                break;
            }
            at = up;
        }
        depth
    };
    let mut ordered: Vec<(usize, usize, Uuid)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (depth(*id), i, *id))
        .collect();
    ordered.sort();
    ordered.into_iter().map(|(_, _, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn record(external_id: &str) -> PersonRecord {
        PersonRecord {
            external_id: external_id.into(),
            name: "Ada".into(),
            ..Default::default()
        }
    }

    #[test]
    fn sources_are_plain_lower_case_names() {
        assert_eq!(clean_source(" workday ").unwrap(), "workday");
        assert_eq!(clean_source("merge.hris-2").unwrap(), "merge.hris-2");
        for bad in ["", "Workday", "work day", "a\u{0}", &"x".repeat(65)] {
            assert!(clean_source(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_record_is_checked_with_the_path_of_its_field() {
        let fail = |r: PersonRecord| clean_person("input.people[2]", &r).unwrap_err();
        let mut own = record("E1");
        own.manager_external_id = Some(Some("E1".into()));
        assert_eq!(
            fail(own).field.as_deref(),
            Some("input.people[2].managerExternalId")
        );
        let mut nul = record("E1");
        nul.name = "A\u{0}da".into();
        assert_eq!(fail(nul).field.as_deref(), Some("input.people[2].name"));
        let mut dates = record("E1");
        dates.start_date = Some(NaiveDate::from_ymd_opt(2026, 5, 1));
        dates.end_date = Some(NaiveDate::from_ymd_opt(2026, 4, 1));
        assert_eq!(
            fail(dates).field.as_deref(),
            Some("input.people[2].endDate")
        );
        let mut mail = record("E1");
        mail.email = Some(Some("not an address".into()));
        let error = fail(mail);
        assert_eq!(
            (error.code.as_str(), error.field.as_deref()),
            ("VALIDATION", Some("input.people[2].email"))
        );
        assert!(fail(record(" ")).field.as_deref() == Some("input.people[2].externalId"));
        let mut blank_mail = record("E1");
        blank_mail.email = Some(Some("  ".into()));
        assert_eq!(clean_person("p", &blank_mail).unwrap().email, Some(None));
    }

    #[test]
    fn the_later_duplicate_fails() {
        let repeats = first_wins([Some("a"), Some("b"), None, Some("a"), Some("a")]);
        assert_eq!(repeats.get(&3), Some(&0));
        assert_eq!(repeats.get(&4), Some(&0));
        assert_eq!(repeats.len(), 2);
    }

    #[test]
    fn loops_and_depth_are_found_from_the_record_that_closes_them() {
        let edges: HashMap<Uuid, Uuid> = [(id(1), id(2)), (id(2), id(3)), (id(3), id(1))].into();
        let walk = loop_from(id(1), |p| edges.get(&p).copied()).unwrap();
        assert_eq!(walk, [id(1), id(2), id(3), id(1)]);
        let line: HashMap<Uuid, Uuid> = [(id(1), id(2)), (id(2), id(3))].into();
        assert!(loop_from(id(1), |p| line.get(&p).copied()).is_none());
        // A loop above the start is not the start's to report.
        let above: HashMap<Uuid, Uuid> = [(id(1), id(2)), (id(2), id(3)), (id(3), id(2))].into();
        assert!(loop_from(id(1), |p| above.get(&p).copied()).is_none());
        let deep: HashMap<Uuid, Uuid> = (0..200u128).map(|n| (id(n), id(n + 1))).collect();
        assert!(loop_from(id(0), |p| deep.get(&p).copied()).is_some());
    }

    #[test]
    fn parents_come_first() {
        let edges: HashMap<Uuid, Uuid> = [(id(1), id(2)), (id(2), id(3)), (id(4), id(9))].into();
        let order = parents_first(&[id(1), id(4), id(2), id(3)], |p| edges.get(&p).copied());
        assert_eq!(order, [id(4), id(3), id(2), id(1)]);
    }
}
