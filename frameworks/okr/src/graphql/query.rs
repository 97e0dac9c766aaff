//! `okr { … }`: the OKR query namespace, merged from one part per concept.

use async_graphql::MergedObject;

/// OKR reads.
#[derive(MergedObject, Default)]
pub struct OkrQuery(
    super::cycles::OkrCyclesQuery,
    super::objectives::OkrObjectivesQuery,
    super::key_results::OkrKeyResultsQuery,
    super::check_ins::OkrCheckInsQuery,
    super::alignment::OkrAlignmentQuery,
);
