//! Idempotency keys, with Stripe's semantics: the first result of a request
//! sent with a key is kept (24 hours) and answered again for a repeat; the
//! same key with a different request is refused; a key whose request is
//! still running answers `CONFLICT`. Keys belong to the caller (user) within
//! the tenant.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, QueryFilter, Set};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entity::idempotency_key;
use crate::error::{DomainError, DomainResult};
use crate::tenancy::TenantScope;

/// How long a result is kept for repeats.
pub const KEPT_FOR_HOURS: i64 = 24;
/// A request still marked running after this long died without finishing
/// (the request timeout is far shorter): a repeat may run it again.
const ABANDONED_AFTER_SECONDS: i64 = 300;
const MAX_KEY_CHARS: usize = 255;

const IN_FLIGHT: &str = "IN_FLIGHT";
const DONE: &str = "DONE";

/// Runs `work` once per `key`: a repeat with the same request answers the
/// stored result (and `true`); without a key, `work` simply runs.
pub async fn once<T, F, Fut>(
    scope: &TenantScope,
    key: Option<&str>,
    request: &impl Serialize,
    work: F,
) -> DomainResult<(T, bool)>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: Future<Output = DomainResult<T>>,
{
    let Some(key) = key else {
        return Ok((work().await?, false));
    };
    let key = crate::service::required_text("input.idempotencyKey", key, MAX_KEY_CHARS)?;
    let hash = request_hash(request)?;
    let owner = scope
        .actor()
        .user_id
        .map_or_else(|| "system".to_string(), |id| id.to_string());
    if let Some(stored) = claim(scope, &owner, &key, &hash).await? {
        return Ok((stored, true));
    }
    match work().await {
        Ok(result) => {
            let response = serde_json::to_value(&result)
                .map_err(|e| DomainError::Internal(format!("storing an idempotent result: {e}")))?;
            let tx = scope.begin().await?;
            tx.update::<idempotency_key::Entity>()
                .col_expr(idempotency_key::Column::State, DONE.into())
                .col_expr(idempotency_key::Column::Response, response.into())
                .filter(idempotency_key::Column::Owner.eq(&owner))
                .filter(idempotency_key::Column::Key.eq(&key))
                .exec()
                .await?;
            tx.commit().await?;
            Ok((result, false))
        }
        Err(error) => {
            // A request that failed as a whole kept nothing: the caller may
            // fix it and send it again with the same key.
            let tx = scope.begin().await?;
            tx.delete::<idempotency_key::Entity>()
                .filter(idempotency_key::Column::Owner.eq(&owner))
                .filter(idempotency_key::Column::Key.eq(&key))
                .exec()
                .await?;
            tx.commit().await?;
            Err(error)
        }
    }
}

fn request_hash(request: &impl Serialize) -> DomainResult<String> {
    let bytes = serde_json::to_vec(request)
        .map_err(|e| DomainError::Internal(format!("hashing a request: {e}")))?;
    Ok(Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Marks `key` as running, or answers its stored result.
async fn claim<T: DeserializeOwned>(
    scope: &TenantScope,
    owner: &str,
    key: &str,
    hash: &str,
) -> DomainResult<Option<T>> {
    let now = Utc::now();
    let tx = scope.begin().await?;
    tx.delete::<idempotency_key::Entity>()
        .filter(idempotency_key::Column::ExpiresAt.lt(now))
        .exec()
        .await?;
    let existing = tx
        .select::<idempotency_key::Entity>()
        .filter(idempotency_key::Column::Owner.eq(owner))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(&tx)
        .await?;
    if let Some(row) = existing {
        if row.request_hash != hash {
            return Err(DomainError::validation(
                "input.idempotencyKey",
                "this idempotency key was used for a different request: use a new key for a new request",
            ));
        }
        if row.state == DONE {
            let stored = row
                .response
                .and_then(|r| serde_json::from_value(r).ok())
                .ok_or_else(|| {
                    DomainError::Internal("an idempotent result does not read".into())
                })?;
            return Ok(Some(stored));
        }
        if row.created_at > now - Duration::seconds(ABANDONED_AFTER_SECONDS) {
            return Err(DomainError::Conflict(
                "a request with this idempotency key is still running: retry when it has finished to get its result".into(),
            ));
        }
        tx.update::<idempotency_key::Entity>()
            .col_expr(idempotency_key::Column::CreatedAt, now.into())
            .filter(idempotency_key::Column::Id.eq(row.id))
            .exec()
            .await?;
    } else {
        tx.insert(idempotency_key::ActiveModel {
            id: Set(Uuid::now_v7()),
            owner: Set(owner.to_string()),
            key: Set(key.to_string()),
            request_hash: Set(hash.to_string()),
            state: Set(IN_FLIGHT.to_string()),
            response: Set(None),
            created_at: Set(now),
            expires_at: Set(now + Duration::hours(KEPT_FOR_HOURS)),
            ..Default::default()
        })
        .await
        .map_err(|e| match e {
            // Two requests with one key at once: the other one runs.
            DomainError::Conflict(_) => DomainError::Conflict(
                "a request with this idempotency key is still running: retry when it has finished to get its result".into(),
            ),
            other => other,
        })?;
    }
    tx.commit().await?;
    Ok(None)
}

#[cfg(test)]
mod tests {
    #[test]
    fn requests_hash_by_content() {
        let a = super::request_hash(&serde_json::json!({"a": 1})).unwrap();
        let b = super::request_hash(&serde_json::json!({"a": 2})).unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(
            a,
            super::request_hash(&serde_json::json!({"a": 1})).unwrap()
        );
    }
}
