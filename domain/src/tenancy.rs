//! The tenant-scoped handle: the one chokepoint through which every read and
//! write of tenant-owned data goes. It is built from the authenticated request
//! (or, for background work, from the event being handled); the tenant never
//! comes from client input.

use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, QueryFilter, Select, TransactionTrait,
};
use serde::Serialize;
use uuid::Uuid;

use crate::entity::{TenantOwned, tenant};
use crate::enums::Role;
use crate::error::{DomainError, DomainResult};
/// What one mutation changed; defined with the events it becomes.
pub use crate::events::Change;
use crate::events::{self, EventBus};

/// Who is acting.
#[derive(Clone, Debug)]
pub struct Actor {
    /// `None` for the system itself (event handlers, seeding).
    pub user_id: Option<Uuid>,
    pub role: Role,
    /// The tenant's Person record for this user, if linked.
    pub person_id: Option<Uuid>,
}

impl Actor {
    pub fn system() -> Self {
        Self {
            user_id: None,
            role: Role::Admin,
            person_id: None,
        }
    }
}

#[derive(Clone)]
pub struct TenantScope {
    db: DatabaseConnection,
    tenant: tenant::Model,
    actor: Actor,
    events: EventBus,
    /// Counts this scope's committed transactions (shared by its clones):
    /// request caches compare it to know their rows may be stale.
    writes: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for TenantScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantScope")
            .field("tenant", &self.tenant.slug)
            .field("actor", &self.actor)
            .finish()
    }
}

impl TenantScope {
    pub fn new(
        db: DatabaseConnection,
        tenant: tenant::Model,
        actor: Actor,
        events: EventBus,
    ) -> Self {
        Self {
            db,
            tenant,
            actor,
            events,
            writes: Default::default(),
        }
    }

    /// How many transactions this scope has committed: it changes exactly
    /// when something read before may have changed.
    pub fn committed_writes(&self) -> u64 {
        self.writes.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn tenant_id(&self) -> Uuid {
        self.tenant.id
    }

    pub fn tenant(&self) -> &tenant::Model {
        &self.tenant
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn events(&self) -> &EventBus {
        &self.events
    }

    /// The same tenant, acting as someone else (the system, in event handlers).
    pub fn with_actor(&self, actor: Actor) -> Self {
        Self {
            actor,
            ..self.clone()
        }
    }

    /// Every read of a tenant-owned entity starts here.
    pub fn select<E: TenantOwned>(&self) -> Select<E> {
        E::find().filter(E::tenant_column().eq(self.tenant.id))
    }

    /// Refuses unless the actor has one of `roles`.
    pub fn require_role(&self, roles: &[Role], doing: &str) -> DomainResult<()> {
        if roles.contains(&self.actor.role) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(DomainError::forbidden(format!(
                "{doing} needs the role {}; you are {}",
                names.join(" or "),
                self.actor.role.as_str()
            )))
        }
    }

    pub fn require_admin(&self, doing: &str) -> DomainResult<()> {
        self.require_role(&[Role::Admin], doing)
    }

    /// Inserts a row of a tenant-owned table into this tenant: the door
    /// sets `tenant_id` itself, whatever the model carried. `conn` is the
    /// scope's pool or one of its transactions.
    pub async fn insert<A, C>(
        &self,
        conn: &C,
        mut row: A,
    ) -> Result<<A::Entity as sea_orm::EntityTrait>::Model, sea_orm::DbErr>
    where
        A: sea_orm::ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
        A::Entity: TenantOwned,
        <A::Entity as sea_orm::EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
        C: sea_orm::ConnectionTrait,
    {
        row.set(
            <A::Entity as TenantOwned>::tenant_column(),
            self.tenant_id().into(),
        );
        row.insert(conn).await
    }

    /// This tenant's committed events as they are delivered: the one way a
    /// subscription reads the bus, so no stream can see another tenant's. A
    /// subscriber that falls behind skips what it missed.
    pub fn subscribe(
        &self,
    ) -> impl futures_util::Stream<Item = std::sync::Arc<events::DomainEvent>> + Send + use<> {
        use futures_util::StreamExt;
        let tenant = self.tenant_id();
        tokio_stream::wrappers::BroadcastStream::new(self.events.subscribe())
            .filter_map(move |event| async move { event.ok().filter(|e| e.tenant_id == tenant) })
    }

    /// Starts the transaction of one mutation.
    pub async fn begin(&self) -> DomainResult<TenantTxn<'_>> {
        Ok(TenantTxn {
            txn: begin_write(&self.db).await?,
            scope: self,
            recorded: false,
        })
    }
}

/// Begins a transaction that will write. On SQLite it takes the write lock at
/// once (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes
/// fails with "database is locked" when another writer committed meanwhile,
/// instead of waiting its turn. PostgreSQL ignores the option.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    db.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// One mutation's transaction within one tenant. Changes recorded here are
/// audited and announced in the same transaction; the dispatcher is woken only
/// after commit, so nothing is announced for a rolled-back change.
pub struct TenantTxn<'s> {
    txn: DatabaseTransaction,
    scope: &'s TenantScope,
    recorded: bool,
}

impl TenantTxn<'_> {
    pub fn conn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    pub fn scope(&self) -> &TenantScope {
        self.scope
    }

    /// Serialises this transaction with every other that takes the same
    /// lock in the tenant, for invariants over many rows (a count limit,
    /// dense positions): PostgreSQL locks the tenant's row until commit;
    /// SQLite's write transactions are serial already.
    pub async fn lock_tenant(&self) -> DomainResult<()> {
        use sea_orm::{ConnectionTrait, DbBackend, Statement};
        if self.txn.get_database_backend() == DbBackend::Postgres {
            self.txn
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT id FROM tenants WHERE id = $1 FOR UPDATE",
                    [self.scope.tenant_id().into()],
                ))
                .await?;
        }
        Ok(())
    }

    /// Writes the audit entry and the outbox event for one change.
    pub async fn record<T: Serialize>(&mut self, change: Change<'_, T>) -> DomainResult<()> {
        events::record_change(
            &self.txn,
            self.scope.tenant_id(),
            self.scope.actor().user_id,
            change,
        )
        .await?;
        self.recorded = true;
        Ok(())
    }

    pub async fn commit(self) -> DomainResult<()> {
        self.txn.commit().await?;
        self.scope
            .writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if self.recorded {
            self.scope.events.wake_dispatcher();
        }
        Ok(())
    }
}
