//! `mutation { okr { … } }`: the OKR mutation namespace, merged from one
//! part per concept; run in order (the namespace object is serial).

use async_graphql::MergedObject;

/// OKR changes, run in order.
#[derive(MergedObject, Default)]
#[graphql(serial)]
pub struct OkrMutation(
    super::cycles::OkrCyclesMutation,
    super::objectives::OkrObjectivesMutation,
    super::key_results::OkrKeyResultsMutation,
    super::check_ins::OkrCheckInsMutation,
    super::alignment::OkrAlignmentMutation,
    super::bulk::OkrBulkMutation,
    super::grading::OkrGradingMutation,
);
