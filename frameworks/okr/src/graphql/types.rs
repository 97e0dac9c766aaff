//! What the OKR GraphQL concepts share (explanations, health, warnings,
//! deletions), and the object types gathered for the api's assembly.

use crate::scoring::Health;
use crate::service::Warning;
use async_graphql::{Context, ID, InputObject, Result, SimpleObject};
use rust_decimal::Decimal;
use throughline_domain::entity::person;
use throughline_domain::graphql::types::Person;
use throughline_domain::kit::{ById, DomainError, Explanation, decode_id, request};
use uuid::Uuid;

pub use super::alignment::OkrAlignment;
pub use super::check_ins::OkrCheckIn;
pub use super::cycles::OkrCycle;
pub use super::key_results::OkrKeyResult;
pub use super::objectives::OkrObjective;

/// Names an entity to delete.
#[derive(InputObject)]
pub struct DeleteOkrInput {
    /// The global ID of what to delete.
    pub id: ID,
}

/// What was deleted.
#[derive(SimpleObject)]
pub struct OkrDeletePayload {
    /// The global ID of the deleted entity.
    pub deleted_id: ID,
}

pub(crate) fn warnings(list: Vec<crate::service::Warning>) -> Vec<OkrWarning> {
    list.into_iter().map(OkrWarning::from).collect()
}

pub(crate) fn ids(
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

/// The private objectives among `contributions` that the viewer may not see
/// (one batched lookup for a whole page, none when nothing is private).
pub(crate) async fn hidden_contributions(
    ctx: &Context<'_>,
    contributions: &[crate::scoring::Contribution],
) -> Result<std::collections::HashSet<Uuid>> {
    let private = crate::scoring::private_objectives(contributions);
    if private.is_empty() {
        return Ok(Default::default());
    }
    let visible = request(ctx)?
        .loader::<super::loaders::VisibleObjective, _>()
        .load_many(private.clone())
        .await?;
    Ok(private
        .into_iter()
        .filter(|id| !visible.contains_key(id))
        .collect())
}

pub(crate) async fn person(ctx: &Context<'_>, id: Uuid) -> Result<Option<Person>> {
    Ok(request(ctx)?
        .loader::<ById<person::Entity>, _>()
        .load_one(id)
        .await?
        .map(Person))
}

/// A figure with how it was computed.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "OkrExplained", complex)]
pub struct Explained {
    /// The figure, from 0 to 1.
    pub value: Decimal,
    #[graphql(skip)]
    pub explanation: ExplanationOf,
}

/// Where an explanation comes from: made already, or made from an
/// objective's contributions only when asked (a page that shows values
/// alone never formats them, nor looks up who may see which).
#[derive(Clone, Debug)]
pub enum ExplanationOf {
    Ready(Explanation),
    Progress(std::sync::Arc<crate::service::scores::ObjectiveScore>),
}

#[async_graphql::ComplexObject]
impl Explained {
    /// Inputs, formula and result. Private objectives you may not see show
    /// as one anonymous "private contribution".
    async fn explanation(&self, ctx: &Context<'_>) -> Result<Explanation> {
        Ok(match &self.explanation {
            ExplanationOf::Ready(explanation) => explanation.clone(),
            ExplanationOf::Progress(score) => {
                let hidden = hidden_contributions(ctx, &score.contributions).await?;
                score.progress_seen_without(&hidden).explanation.clone()
            }
        })
    }
}

impl From<crate::scoring::Explained<Decimal>> for Explained {
    fn from(e: crate::scoring::Explained<Decimal>) -> Self {
        Self {
            value: e.value,
            explanation: ExplanationOf::Ready(e.explanation),
        }
    }
}

/// A health judgement with how it was reached.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "OkrHealthStatus", complex)]
pub struct HealthStatus {
    /// The health that counts: the owner's stated status from a recent check-in, else the derived one.
    pub health: Health,
    /// Derived from actual against expected progress.
    pub derived: Health,
    /// The owner's status from the latest check-in, while it is not stale.
    pub stated: Option<Health>,
    /// Explained only when asked for.
    #[graphql(skip)]
    pub score: std::sync::Arc<crate::service::scores::KeyResultScore>,
}

#[async_graphql::ComplexObject]
impl HealthStatus {
    /// How the derived health was reached.
    async fn explanation(&self, ctx: &Context<'_>) -> Result<Explanation> {
        let hidden = hidden_contributions(ctx, &self.score.contributions).await?;
        Ok(self.score.health_explanation_seen_without(&hidden))
    }
}

/// A soft warning about a change that was still made.
#[derive(SimpleObject, Clone, Debug)]
pub struct OkrWarning {
    /// Stable code: `TOO_MANY_COMPANY_OBJECTIVES`, `NO_KEY_RESULTS`, `TOO_MANY_KEY_RESULTS`, `NOT_ALIGNED`.
    pub code: String,
    /// What to consider.
    pub message: String,
}

impl From<Warning> for OkrWarning {
    fn from(w: Warning) -> Self {
        Self {
            code: w.code.into(),
            message: w.message,
        }
    }
}
