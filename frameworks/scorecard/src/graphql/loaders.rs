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

use crate::service::scores::{Design, PeriodScores, designs, scores_of_many};

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
        let ids: Vec<Uuid> = ids.into_iter().collect();
        let mut missing: Vec<Uuid> = ids
            .iter()
            .copied()
            .filter(|id| !cached.contains_key(id))
            .collect();
        missing.sort();
        missing.dedup();
        if !missing.is_empty() {
            // Every scorecard asked in this batch, read together.
            for found in designs(&self.scope, Some(&missing)).await? {
                cached.insert(found.scorecard.id, Some(Arc::new(found)));
            }
            for id in missing {
                cached.entry(id).or_insert(None);
            }
        }
        Ok(ids
            .into_iter()
            .filter_map(|id| Some((id, cached.get(&id)?.clone()?)))
            .collect())
    }

    /// The designs `ids` names, with those of the scorecards above that
    /// lend them linked items: a linked item's fields read its home
    /// design, which is then always at hand, whatever order the fields
    /// resolve in (so a request costs the same statements every time).
    async fn designs_with_homes(
        &self,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<HashMap<Uuid, Arc<Design>>, DomainError> {
        let mut found = self.designs(ids).await?;
        let mut homes: Vec<Uuid> = found
            .values()
            .flat_map(|d| d.lenders())
            .filter(|id| !found.contains_key(id))
            .collect();
        homes.sort();
        homes.dedup();
        if !homes.is_empty() {
            found.extend(self.designs(homes).await?);
        }
        Ok(found)
    }
}

/// A scorecard's design, by scorecard.
impl Loader<Uuid> for ScorecardLoader {
    type Value = Arc<Design>;
    type Error = DomainError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, DomainError> {
        let mut found = self.designs_with_homes(keys.iter().copied()).await?;
        found.retain(|id, _| keys.contains(id));
        Ok(found)
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
        let start_month = self.scope.tenant().fiscal_year_start_month.clamp(1, 12) as u32;
        // A history asks each period of every node: the batch's periods,
        // each worked out once.
        let mut periods: HashMap<(PeriodKind, NaiveDate), Period> = HashMap::new();
        for key in keys {
            periods
                .entry((key.kind, key.start))
                .or_insert_with(|| period_containing(key.kind, key.start, start_month));
        }
        let same = |s: &PeriodScores, key: &ScoresKey| {
            periods
                .get(&(key.kind, key.start))
                .is_some_and(|p| s.period.kind == p.kind && s.period.start == p.start)
        };
        // A scorecard of the cascade around one scored already was scored
        // with it: its scores are there.
        for key in keys {
            if scored.contains_key(key) {
                continue;
            }
            let known = scored
                .values()
                .find(|s| same(s, key) && s.scorecard(key.scorecard).is_some())
                .cloned();
            if let Some(known) = known {
                scored.insert(*key, known);
            }
        }
        let missing: Vec<ScoresKey> = keys
            .iter()
            .filter(|k| !scored.contains_key(k))
            .copied()
            .collect();
        let ids: Vec<Uuid> = missing.iter().map(|k| k.scorecard).collect();
        // With the scorecards lending them items, so those score together.
        let found = self.designs_with_homes(ids).await?;
        // Every scorecard and period asked in this batch, scored with one
        // read of the values.
        let mut asked_periods: Vec<Period> = Vec::new();
        for key in &missing {
            if let Some(period) = periods.get(&(key.kind, key.start))
                && !asked_periods.contains(period)
            {
                asked_periods.push(period.clone());
            }
        }
        let asked: Vec<Arc<Design>> = found.values().cloned().collect();
        let computed: Vec<Arc<PeriodScores>> = scores_of_many(&self.scope, &asked, &asked_periods)
            .await?
            .into_iter()
            .map(Arc::new)
            .collect();
        // The cascade's designs, read to score these, serve its nodes' fields.
        if let Some(first) = computed.first() {
            let mut cached = self.designs.lock().await;
            for design in first.designs() {
                cached
                    .entry(design.scorecard.id)
                    .or_insert_with(|| Some(design.clone()));
            }
        }
        // A key names its period by any day in it; one period's scores
        // hold every scorecard of the batch.
        let by_period: HashMap<(PeriodKind, NaiveDate), &Arc<PeriodScores>> = computed
            .iter()
            .map(|s| ((s.period.kind, s.period.start), s))
            .collect();
        for key in missing.iter().filter(|k| found.contains_key(&k.scorecard)) {
            let Some(period) = periods.get(&(key.kind, key.start)) else {
                continue;
            };
            if let Some(scores) = by_period.get(&(period.kind, period.start)) {
                scored.insert(*key, (*scores).clone());
            }
        }
        let out = keys
            .iter()
            .filter_map(|k| scored.get(k).map(|s| (*k, s.clone())))
            .collect();
        Ok(out)
    }
}
