//! The scorecard's DataLoader: per request, tenant inside. A scorecard's
//! design is read once a request, and its scores once per period, however
//! many nodes ask: every `score` and `scoreHistory` field of a request
//! asking in the same moment lands in one batch, scored together.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use chrono::NaiveDate;
use throughline_domain::kit::{
    DomainError, Period, PeriodKind, ScopedLoader, TenantScope, period_containing,
};
use uuid::Uuid;

use crate::service::scores::{Design, PeriodScores, design, scores};

/// A scorecard's scores for one period: the period's kind and first day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ScoresKey {
    pub scorecard: Uuid,
    pub kind: PeriodKind,
    pub start: NaiveDate,
}

pub struct ScorecardLoader {
    scope: TenantScope,
    designs: tokio::sync::Mutex<HashMap<Uuid, Option<Arc<Design>>>>,
    /// Scores computed so far. The DataLoader's cache knows only finished
    /// batches: a node deeper in the query asking for a period while the
    /// first batch is still scoring waits here and finds it, rather than
    /// scoring it again.
    scored: tokio::sync::Mutex<HashMap<ScoresKey, Arc<PeriodScores>>>,
}

impl ScopedLoader for ScorecardLoader {
    fn new(scope: TenantScope) -> Self {
        Self {
            scope,
            designs: tokio::sync::Mutex::new(HashMap::new()),
            scored: tokio::sync::Mutex::new(HashMap::new()),
        }
    }
}

impl ScorecardLoader {
    async fn designs(
        &self,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<HashMap<Uuid, Arc<Design>>, DomainError> {
        let mut cached = self.designs.lock().await;
        let mut out = HashMap::new();
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(entry) = cached.entry(id) {
                entry.insert(design(&self.scope, id).await?.map(Arc::new));
            }
            if let Some(Some(d)) = cached.get(&id) {
                out.insert(id, d.clone());
            }
        }
        Ok(out)
    }
}

/// A scorecard's design, by scorecard.
impl Loader<Uuid> for ScorecardLoader {
    type Value = Arc<Design>;
    type Error = DomainError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        self.designs(keys.iter().copied()).await
    }
}

/// A scorecard's scores in a period.
impl Loader<ScoresKey> for ScorecardLoader {
    type Value = Arc<PeriodScores>;
    type Error = DomainError;

    async fn load(
        &self,
        keys: &[ScoresKey],
    ) -> Result<HashMap<ScoresKey, Self::Value>, DomainError> {
        let mut scored = self.scored.lock().await;
        let missing: Vec<ScoresKey> = keys
            .iter()
            .filter(|k| !scored.contains_key(k))
            .copied()
            .collect();
        let ids: Vec<Uuid> = missing.iter().map(|k| k.scorecard).collect();
        let designs = self.designs(ids).await?;
        let start_month = self.scope.tenant().fiscal_year_start_month.clamp(1, 12) as u32;
        for (id, design) in designs {
            let wanted: Vec<ScoresKey> = missing
                .iter()
                .filter(|k| k.scorecard == id)
                .copied()
                .collect();
            let periods: Vec<Period> = wanted
                .iter()
                .map(|k| period_containing(k.kind, k.start, start_month))
                .collect();
            let computed = scores(&self.scope, &design, &periods).await?;
            for (key, period) in wanted.into_iter().zip(computed) {
                scored.insert(key, Arc::new(period));
            }
        }
        let out = keys
            .iter()
            .filter_map(|k| scored.get(k).map(|s| (*k, s.clone())))
            .collect();
        Ok(out)
    }
}
