//! Rate limits per tenant and per client (a user or a service account), as
//! token buckets: a limit of N per minute refills N/60 units a second and
//! holds at most N, so a minute's worth may come at once and no more.
//! Every request costs one unit; a directory sync one more per record
//! (integrators are limited by the work they send, not by how they batch it).
//!
//! The buckets live in each server process: with several processes behind
//! a load balancer, each allows the limit. That bounds what one client can
//! do to a process (the point: one integration cannot starve a tenant's
//! users) without a round trip to shared storage on every request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use throughline_domain::graphql::context::RateBudget;
use throughline_domain::{DomainError, DomainResult};
use uuid::Uuid;

/// More buckets than this and the full ones (idle clients) are dropped.
const MAX_BUCKETS: usize = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    Tenant(Uuid),
    /// A user, or a service account (rotated tokens share its budget).
    Client(Uuid),
}

struct Bucket {
    units: f64,
    at: Instant,
}

#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<Subject, Bucket>>,
}

/// One limit that applies to a request.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub subject: Subject,
    pub per_minute: u32,
}

impl Limit {
    fn rate_per_second(self) -> f64 {
        f64::from(self.per_minute.max(1)) / 60.0
    }

    fn whose(self) -> &'static str {
        match self.subject {
            Subject::Tenant(_) => "this tenant's rate limit (`rateLimitPerMinute`)",
            Subject::Client(_) => {
                "your rate limit (`clientRateLimitPerMinute`, or the service account's own)"
            }
        }
    }
}

impl RateLimiter {
    /// Takes `units` from every limit's bucket, or from none: a refusal
    /// says how many whole seconds until all of them could pay.
    pub fn charge(&self, limits: &[Limit], units: u64, at: Instant) -> DomainResult<()> {
        let units = units as f64;
        if let Some(limit) = limits.iter().find(|l| units > f64::from(l.per_minute)) {
            return Err(DomainError::LimitExceeded(format!(
                "this request counts {units} units (one, plus one per sync record), more than {} allows in a minute ({}): send smaller batches, or ask an admin to raise the limit",
                limit.whose(),
                limit.per_minute
            )));
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= MAX_BUCKETS {
            buckets.retain(|_, bucket| at.duration_since(bucket.at).as_secs() < 60);
        }
        let mut wait: Option<(f64, Limit)> = None;
        let mut available = Vec::with_capacity(limits.len());
        for limit in limits {
            let capacity = f64::from(limit.per_minute);
            let held = buckets.get(&limit.subject).map_or(capacity, |bucket| {
                let refilled = at.duration_since(bucket.at).as_secs_f64() * limit.rate_per_second();
                (bucket.units + refilled).min(capacity)
            });
            if held < units {
                let seconds = (units - held) / limit.rate_per_second();
                if wait.is_none_or(|(longest, _)| seconds > longest) {
                    wait = Some((seconds, *limit));
                }
            }
            available.push(held);
        }
        if let Some((seconds, limit)) = wait {
            let retry_after_seconds = seconds.ceil().max(1.0) as u64;
            return Err(DomainError::RateLimited {
                message: format!(
                    "{} of {} requests (and sync records) per minute is used up; retry after {retry_after_seconds} s",
                    limit.whose(),
                    limit.per_minute
                ),
                retry_after_seconds,
            });
        }
        for (limit, held) in limits.iter().zip(available) {
            buckets.insert(
                limit.subject,
                Bucket {
                    units: held - units,
                    at,
                },
            );
        }
        Ok(())
    }
}

/// The limits of one request, charged through the limiter.
pub struct RequestBudget {
    pub limiter: Arc<RateLimiter>,
    pub limits: Vec<Limit>,
}

impl RateBudget for RequestBudget {
    fn charge(&self, units: u64) -> DomainResult<()> {
        self.limiter.charge(&self.limits, units, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limits(tenant: u32, client: u32) -> Vec<Limit> {
        vec![
            Limit {
                subject: Subject::Tenant(Uuid::nil()),
                per_minute: tenant,
            },
            Limit {
                subject: Subject::Client(Uuid::max()),
                per_minute: client,
            },
        ]
    }

    fn retry_after(result: DomainResult<()>) -> u64 {
        match result {
            Err(DomainError::RateLimited {
                retry_after_seconds,
                ..
            }) => retry_after_seconds,
            other => panic!("expected RATE_LIMITED, got {other:?}"),
        }
    }

    #[test]
    fn a_minutes_worth_passes_at_once_then_refills_at_the_rate() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        let limits = limits(1_000, 120);
        limiter.charge(&limits, 120, start).unwrap();
        // Empty: one more unit needs half a second at 2 a second.
        assert_eq!(retry_after(limiter.charge(&limits, 1, start)), 1);
        // 30 s refill 60 units; 61 need one more half second.
        let later = start + Duration::from_secs(30);
        assert_eq!(retry_after(limiter.charge(&limits, 61, later)), 1);
        limiter.charge(&limits, 60, later).unwrap();
        // The refusals took nothing from the tenant's bucket either.
        assert_eq!(
            retry_after(limiter.charge(&limits, 10, later)),
            5,
            "10 units at 2 a second"
        );
    }

    #[test]
    fn every_limit_pays_or_none_does() {
        let limiter = RateLimiter::default();
        let at = Instant::now();
        let tight = limits(100, 1_000);
        limiter.charge(&tight, 100, at).unwrap();
        // The tenant is empty; a client of another tenant is not affected,
        // and this client's bucket was not charged by the refusal.
        assert!(limiter.charge(&tight, 1, at).is_err());
        let other_tenant = vec![
            Limit {
                subject: Subject::Tenant(Uuid::from_u128(7)),
                per_minute: 1_000,
            },
            tight[1],
        ];
        limiter.charge(&other_tenant, 900, at).unwrap();
    }

    #[test]
    fn more_than_a_minute_allows_is_a_limit_not_a_wait() {
        let limiter = RateLimiter::default();
        let result = limiter.charge(&limits(100_000, 5_000), 5_001, Instant::now());
        assert!(matches!(result, Err(DomainError::LimitExceeded(_))));
    }
}
