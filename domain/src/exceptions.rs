//! Exceptions: what needs attention now, from the core and from every
//! enabled framework, in one feed. A framework contributes through
//! [`crate::Framework::exceptions`]; the core gathers, places, filters,
//! orders and pages them (`service::exceptions`).
//!
//! An exception is derived, not stored: it exists while its condition
//! holds. Its identity ([`ExceptionKey`]) is its kind, its subject, where it
//! sits and the day it arose, so an acknowledgement covers this occurrence
//! and not the next one.

use async_graphql::SimpleObject;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::target::ExplanationInput;

crate::stored_enum!(
    /// How much an exception needs attention.
    Severity as "ExceptionSeverity" {
        /// Worth knowing; nothing is wrong yet.
        Info => "INFO",
        /// Heading the wrong way: look at it this week.
        Warning => "WARNING",
        /// Off course: deal with it now.
        Critical => "CRITICAL",
    }
);

impl Severity {
    /// Higher is worse.
    pub fn rank(self) -> u8 {
        match self {
            Severity::Info => 0,
            Severity::Warning => 1,
            Severity::Critical => 2,
        }
    }
}

/// Where an exception sits in the org chart, for the feed's org-unit filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// The whole tenant's (a company objective, the company dashboard): in
    /// the tenant's feed and its root unit's.
    Tenant,
    /// One org unit's (a team objective, a unit's dashboard).
    OrgUnit(Uuid),
    /// Wherever its owner works (an individual objective): the core looks
    /// the owner's unit up, once for every exception that asks.
    OwnersUnit,
}

/// The days an exception arose in that the feed asks for, and today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceptionWindow {
    /// Arose on or after this day; `None`: any time.
    pub from: Option<NaiveDate>,
    /// Arose on or before this day; `None`: up to today.
    pub to: Option<NaiveDate>,
    /// The tenant's today: exceptions are judged as things stand now.
    pub today: NaiveDate,
}

impl ExceptionWindow {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|from| from <= day) && self.to.is_none_or(|to| day <= to)
    }
}

/// Why an exception is raised: a sentence and the figures behind it.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
#[graphql(name = "ExceptionExplanation")]
pub struct ExceptionExplanation {
    /// How the figures lead to the exception, in words.
    pub text: String,
    /// The figures it rests on, by name.
    pub inputs: Vec<ExplanationInput>,
}

/// Something a framework (or the core) flags for attention.
#[derive(Clone, Debug, PartialEq)]
pub struct Exception {
    /// What kind of problem, namespaced by who raises it:
    /// `core.key_metric_off_target`, `okr.key_result_behind`.
    pub kind: String,
    pub severity: Severity,
    /// The GraphQL type of what it is about (`Metric`, `OkrKeyResult`).
    pub subject_type: &'static str,
    pub subject_id: Uuid,
    /// The subject's name as people know it.
    pub title: String,
    /// Who should act on it.
    pub owner_id: Option<Uuid>,
    pub placement: Placement,
    /// The day it arose (its age is counted from it).
    pub since: NaiveDate,
    /// One line a person can act on.
    pub reason: String,
    pub explanation: ExceptionExplanation,
}

/// What names one occurrence of an exception, across requests: the
/// acknowledgement's key and (as a UUID) the exception's `id`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ExceptionKey {
    #[serde(rename = "k")]
    pub kind: String,
    #[serde(rename = "s")]
    pub subject_id: Uuid,
    /// The org unit it is placed in, when it names one (a metric is a key
    /// metric on several units' dashboards).
    #[serde(rename = "u")]
    pub org_unit_id: Option<Uuid>,
    #[serde(rename = "d")]
    pub since: NaiveDate,
}

impl ExceptionKey {
    pub fn of(exception: &Exception) -> Self {
        Self {
            kind: exception.kind.clone(),
            subject_id: exception.subject_id,
            org_unit_id: match exception.placement {
                Placement::OrgUnit(unit) => Some(unit),
                Placement::Tenant | Placement::OwnersUnit => None,
            },
            since: exception.since,
        }
    }

    /// The occurrence as a UUID (name-based, so every server derives the
    /// same one): the exception's global ID carries it.
    pub fn uuid(&self) -> Uuid {
        const NAMESPACE: Uuid = Uuid::from_u128(0x6a1f_3c2e_9b7d_4e58_a0c4_1d2e_3f4a_5b6c);
        Uuid::new_v5(&NAMESPACE, self.encode().as_bytes())
    }

    /// Opaque text, unique per occurrence: the acknowledgements' key.
    pub fn encode(&self) -> String {
        // Serialising a struct of strings, a UUID and a date cannot fail.
        let json = serde_json::to_string(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }
}

/// The feed's order: worst first, then oldest first (the longer a problem
/// has waited, the more it needs someone), then by kind and subject so
/// every page boundary is stable.
pub fn feed_order(a: &Exception, b: &Exception) -> std::cmp::Ordering {
    b.severity
        .rank()
        .cmp(&a.severity.rank())
        .then(a.since.cmp(&b.since))
        .then_with(|| a.kind.cmp(&b.kind))
        .then(a.subject_id.cmp(&b.subject_id))
        .then_with(|| {
            ExceptionKey::of(a)
                .org_unit_id
                .cmp(&ExceptionKey::of(b).org_unit_id)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn item(kind: &str, severity: Severity, since: &str) -> Exception {
        Exception {
            kind: kind.into(),
            severity,
            subject_type: "Metric",
            subject_id: Uuid::nil(),
            title: "Revenue".into(),
            owner_id: None,
            placement: Placement::Tenant,
            since: day(since),
            reason: String::new(),
            explanation: ExceptionExplanation {
                text: String::new(),
                inputs: Vec::new(),
            },
        }
    }

    #[test]
    fn worst_first_then_oldest_first() {
        let mut items = [
            item("core.a", Severity::Info, "2026-01-01"),
            item("core.b", Severity::Critical, "2026-03-01"),
            item("core.c", Severity::Warning, "2026-02-01"),
            item("core.d", Severity::Critical, "2026-02-01"),
        ];
        items.sort_by(feed_order);
        let kinds: Vec<&str> = items.iter().map(|i| i.kind.as_str()).collect();
        assert_eq!(kinds, ["core.d", "core.b", "core.c", "core.a"]);
    }

    #[test]
    fn an_occurrence_has_one_id_and_the_next_another() {
        let first = item("okr.key_result_behind", Severity::Warning, "2026-05-04");
        let worse = item("okr.key_result_behind", Severity::Critical, "2026-05-04");
        let next = item("okr.key_result_behind", Severity::Warning, "2026-05-11");
        let id = |e: &Exception| ExceptionKey::of(e).uuid();
        assert_eq!(id(&first), id(&worse), "worse is the same occurrence");
        assert_ne!(id(&first), id(&next));
    }

    #[test]
    fn a_window_holds_its_edges() {
        let window = ExceptionWindow {
            from: Some(day("2026-02-01")),
            to: Some(day("2026-02-28")),
            today: day("2026-03-01"),
        };
        assert!(window.contains(day("2026-02-01")));
        assert!(window.contains(day("2026-02-28")));
        assert!(!window.contains(day("2026-01-31")));
        assert!(!window.contains(day("2026-03-01")));
    }
}
