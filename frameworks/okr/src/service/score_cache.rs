//! Cycle scores shared across requests.
//!
//! Scoring a large cycle reads every objective and key result in it, so a
//! busy tenant would pay for it on every page view. The scores only change
//! when one of four things does, and all four are in the key: the rows of
//! the cycle and of the cycles nested in it (their dates, status and
//! `scores_revision`, which every figure-moving write bumps in its own
//! transaction: a quarter's objectives count towards its year's), the
//! tenant's OKR settings and fiscal calendar, and the day (expected progress
//! moves daily). The revision lives in the database, so a
//! write in one process is seen by every other process's cache.
//!
//! One entry per cycle: a newer key replaces the older one. Concurrent
//! requests for the same key wait for one computation instead of racing.
//! Entries are dropped least-recently-used first once the cached rows
//! (objectives plus key results) pass [`ROW_BUDGET`].

use super::scores::{CycleScores, families, score_cycle};
use crate::entity::cycle;
use crate::settings::OkrSettings;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex};
use throughline_domain::kit::{DomainResult, TenantScope};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// About 1.5 KB per cached row: ~150 MB at most.
pub const ROW_BUDGET: usize = 100_000;

/// Everything the scores of a cycle depend on besides the rows the revision
/// guards.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreKey {
    /// The cycle, then the cycles nested in it.
    pub family: Vec<cycle::Model>,
    pub settings: OkrSettings,
    pub today: NaiveDate,
    /// Quarters (for metrics fed quarterly) follow the fiscal calendar.
    pub fiscal_start_month: i32,
}

struct Slot {
    key: ScoreKey,
    scores: Arc<OnceCell<Arc<CycleScores>>>,
    rows: usize,
    last_used: u64,
}

#[derive(Default)]
struct Slots {
    by_cycle: HashMap<(Uuid, Uuid), Slot>,
    rows: usize,
    clock: u64,
}

/// The process-wide cache. Loaders are built per request from the tenant
/// scope alone, so the cache that outlives them is a static; entries are
/// keyed by tenant and cycle.
pub static CYCLE_SCORES: LazyLock<ScoreCache> = LazyLock::new(|| ScoreCache::new(ROW_BUDGET));

/// The scores of `cycles` (each with the cycles nested in it), from the
/// cache while nothing moved: the cycle rows (one statement) carry the
/// scores revision and are read before any scored row, so a cached entry is
/// never older than its key says.
pub async fn cycle_scores(
    scope: &TenantScope,
    cycles: &[Uuid],
) -> DomainResult<Vec<(Uuid, Arc<CycleScores>)>> {
    let settings = scope.settings::<crate::Okr>(scope).await?;
    let families = families(scope, scope, cycles).await?;
    let today = scope.today();
    let mut out = Vec::with_capacity(families.len());
    for (cycle, family) in families {
        let key = ScoreKey {
            family: family.clone(),
            settings: settings.clone(),
            today,
            fiscal_start_month: scope.tenant().fiscal_year_start_month,
        };
        let scores = CYCLE_SCORES
            .get_or_compute(key, || score_cycle(scope, scope, &family, &settings, today))
            .await?;
        out.push((cycle, scores));
    }
    Ok(out)
}

pub struct ScoreCache {
    slots: Mutex<Slots>,
    row_budget: usize,
}

impl ScoreCache {
    pub fn new(row_budget: usize) -> Self {
        Self {
            slots: Mutex::new(Slots::default()),
            row_budget,
        }
    }

    /// The scores for `key`, computed by `compute` only when no request has
    /// computed them for this exact key yet. An error is not cached.
    pub async fn get_or_compute<F, Fut>(
        &self,
        key: ScoreKey,
        compute: F,
    ) -> DomainResult<Arc<CycleScores>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = DomainResult<CycleScores>>,
    {
        let Some(cycle) = key.family.first() else {
            return Ok(Arc::default());
        };
        let id = (cycle.tenant_id, cycle.id);
        let cell = {
            let mut slots = self
                .slots
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            slots.clock += 1;
            let now = slots.clock;
            let current = slots.by_cycle.get_mut(&id).filter(|slot| slot.key == key);
            match current {
                Some(slot) => {
                    slot.last_used = now;
                    slot.scores.clone()
                }
                None => {
                    let cell = Arc::new(OnceCell::new());
                    let replaced = slots.by_cycle.insert(
                        id,
                        Slot {
                            key: key.clone(),
                            scores: cell.clone(),
                            rows: 0,
                            last_used: now,
                        },
                    );
                    if let Some(old) = replaced {
                        slots.rows -= old.rows;
                    }
                    cell
                }
            }
        };
        let scores = cell
            .get_or_try_init(|| async { compute().await.map(Arc::new) })
            .await?
            .clone();
        self.account(id, &key, &cell, scores.cached_rows());
        Ok(scores)
    }

    /// Counts a freshly computed entry against the budget and evicts the
    /// least recently used others until it fits.
    fn account(
        &self,
        id: (Uuid, Uuid),
        key: &ScoreKey,
        cell: &Arc<OnceCell<Arc<CycleScores>>>,
        rows: usize,
    ) {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(slot) = slots.by_cycle.get_mut(&id) else {
            return;
        };
        if slot.rows != 0 || slot.key != *key || !Arc::ptr_eq(&slot.scores, cell) {
            return;
        }
        slot.rows = rows.max(1);
        slots.rows += rows.max(1);
        while slots.rows > self.row_budget && slots.by_cycle.len() > 1 {
            let oldest = slots
                .by_cycle
                .iter()
                .filter(|(other, _)| **other != id)
                .min_by_key(|(_, slot)| slot.last_used)
                .map(|(other, _)| *other);
            let Some(oldest) = oldest else { break };
            if let Some(evicted) = slots.by_cycle.remove(&oldest) {
                slots.rows -= evicted.rows;
            }
        }
    }

    /// How many cycles are cached (for tests).
    pub fn len(&self) -> usize {
        self.slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .by_cycle
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn cycle(tenant: Uuid, revision: i64) -> cycle::Model {
        let now = chrono::DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap();
        cycle::Model {
            id: Uuid::from_u128(7),
            tenant_id: tenant,
            name: "Q1".into(),
            starts_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            ends_on: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
            status: "ACTIVE".into(),
            parent_id: None,
            closing_note: None,
            closed_at: None,
            scores_revision: revision,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    fn key(tenant: Uuid, revision: i64) -> ScoreKey {
        ScoreKey {
            family: vec![cycle(tenant, revision)],
            settings: OkrSettings::default(),
            today: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
            fiscal_start_month: 1,
        }
    }

    fn scores_with(rows: usize) -> CycleScores {
        let day = |month, day| NaiveDate::from_ymd_opt(2026, month, day).unwrap();
        let expected = crate::scoring::expected_progress(day(1, 1), day(3, 31), day(2, 1));
        let health = crate::scoring::derive_health(expected.value, expected.value, 10, 25);
        let target = throughline_domain::kit::Target {
            kind: throughline_domain::kit::TargetKind::Milestone,
            start: None,
            target: None,
            lower: None,
            upper: None,
            unit: None,
        };
        let score = crate::service::scores::KeyResultScore {
            progress: target.progress(None).into(),
            expected,
            derived_health: health.clone(),
            stated_health: None,
            health: health.value,
            stale: false,
            last_check_in: None,
            contributions: vec![],
            rollup: crate::settings::HealthRollup::Weakest,
        };
        let mut scores = CycleScores::default();
        for i in 0..rows {
            scores
                .key_results
                .insert(Uuid::from_u128(i as u128), Arc::new(score.clone()));
        }
        scores
    }

    #[tokio::test]
    async fn computes_once_per_key_and_again_when_the_key_moves() {
        let cache = ScoreCache::new(1_000);
        let computed = AtomicUsize::new(0);
        let tenant = Uuid::from_u128(1);
        let run = |key: ScoreKey| {
            cache.get_or_compute(key, || async {
                computed.fetch_add(1, Ordering::SeqCst);
                Ok(scores_with(2))
            })
        };
        run(key(tenant, 0)).await.unwrap();
        run(key(tenant, 0)).await.unwrap();
        assert_eq!(computed.load(Ordering::SeqCst), 1, "same key: cached");
        run(key(tenant, 1)).await.unwrap();
        assert_eq!(computed.load(Ordering::SeqCst), 2, "revision bumped");
        let mut tomorrow = key(tenant, 1);
        tomorrow.today = tomorrow.today.succ_opt().unwrap();
        run(tomorrow).await.unwrap();
        assert_eq!(computed.load(Ordering::SeqCst), 3, "a new day");
        let mut tighter = key(tenant, 1);
        tighter.settings.on_track_tolerance = 5;
        run(tighter).await.unwrap();
        assert_eq!(computed.load(Ordering::SeqCst), 4, "settings changed");
        run(key(Uuid::from_u128(2), 1)).await.unwrap();
        assert_eq!(computed.load(Ordering::SeqCst), 5, "another tenant");
        assert_eq!(cache.len(), 2, "one entry per tenant and cycle");
    }

    #[tokio::test]
    async fn concurrent_requests_share_one_computation() {
        let cache = ScoreCache::new(1_000);
        let computed = AtomicUsize::new(0);
        let tenant = Uuid::from_u128(1);
        let one = || {
            cache.get_or_compute(key(tenant, 0), || async {
                computed.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
                Ok(scores_with(1))
            })
        };
        let (a, b, c) = tokio::join!(one(), one(), one());
        assert!(a.is_ok() && b.is_ok() && c.is_ok());
        assert_eq!(computed.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn errors_are_not_cached() {
        let cache = ScoreCache::new(1_000);
        let tenant = Uuid::from_u128(1);
        let failed = cache
            .get_or_compute(key(tenant, 0), || async {
                Err(throughline_domain::DomainError::Internal("db down".into()))
            })
            .await;
        assert!(failed.is_err());
        let scores = cache
            .get_or_compute(key(tenant, 0), || async { Ok(scores_with(3)) })
            .await
            .unwrap();
        assert_eq!(scores.key_results.len(), 3);
    }

    #[tokio::test]
    async fn least_recently_used_cycles_go_first_past_the_budget() {
        let cache = ScoreCache::new(10);
        for tenant in 1..=3u128 {
            cache
                .get_or_compute(key(Uuid::from_u128(tenant), 0), || async {
                    Ok(scores_with(4))
                })
                .await
                .unwrap();
        }
        // 12 rows > 10: the first tenant's cycle went.
        assert_eq!(cache.len(), 2);
        let computed = AtomicUsize::new(0);
        cache
            .get_or_compute(key(Uuid::from_u128(1), 0), || async {
                computed.fetch_add(1, Ordering::SeqCst);
                Ok(scores_with(4))
            })
            .await
            .unwrap();
        assert_eq!(
            computed.load(Ordering::SeqCst),
            1,
            "recomputed after eviction"
        );
    }
}
