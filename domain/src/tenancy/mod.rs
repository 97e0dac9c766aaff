//! The tenant-scoped handle: the one door through which every read and
//! write of tenant-owned data goes. It is built from the authenticated request
//! (or, for background work, from the event being handled); the tenant never
//! comes from client input. Reads start at [`TenantScope::select`], writes at
//! a [`TenantTxn`]; both add the tenant themselves, and the raw connection is
//! private to the domain crate.

mod query;
mod tree;

pub use query::{TenantDb, TenantDelete, TenantRows, TenantSelect, TenantUpdate};
pub use tree::{TreeLink, Walk};

use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, EntityTrait, IntoActiveModel, QueryFilter, TransactionTrait,
};
use serde::Serialize;
use uuid::Uuid;

use crate::entity::{TenantOwned, TenantTable, tenant, tenant_framework};
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
    /// The service account acting, when the token is one's.
    pub service_account_id: Option<Uuid>,
}

impl Actor {
    pub fn system() -> Self {
        Self {
            user_id: None,
            role: Role::Admin,
            person_id: None,
            service_account_id: None,
        }
    }
}

/// One tenant, as the authenticated session (or the event being handled)
/// sees it: the door for every read and write of the tenant's tables.
///
/// Framework code cannot reach the connection, so no query escapes the
/// tenant:
///
/// ```compile_fail,E0624
/// # async fn read_everyone(scope: &throughline_domain::TenantScope) {
/// use sea_orm::EntityTrait;
/// use throughline_domain::entity::person;
/// let _ = person::Entity::find().all(scope.db()).await;
/// # }
/// ```
///
/// ```compile_fail,E0277
/// # async fn read_everyone(scope: &throughline_domain::TenantScope) {
/// use sea_orm::EntityTrait;
/// use throughline_domain::entity::person;
/// let _ = person::Entity::find().all(scope).await;
/// # }
/// ```
///
/// ```
/// # async fn read_mine(scope: &throughline_domain::TenantScope) {
/// use throughline_domain::entity::person;
/// let _ = scope.select::<person::Entity>().all(scope).await;
/// # }
/// ```
#[derive(Clone)]
pub struct TenantScope {
    db: DatabaseConnection,
    tenant: tenant::Model,
    actor: Actor,
    events: EventBus,
    /// Counts this scope's committed transactions (shared by its clones):
    /// request caches compare it to know their rows may be stale.
    writes: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The enabled frameworks' settings as the session read them, by
    /// framework key: read from here until this scope writes.
    framework_settings: Option<FrameworkSettingsSnapshot>,
}

/// Enabled frameworks' settings (framework key → stored JSON), read with the
/// session.
pub type FrameworkSettingsSnapshot =
    std::sync::Arc<std::collections::HashMap<String, serde_json::Value>>;

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
            framework_settings: None,
        }
    }

    /// Serves the settings of the enabled frameworks from `snapshot` (read
    /// with the session moments ago) instead of a statement per request.
    /// Once this scope commits a write it reads them again.
    pub fn with_framework_settings(mut self, snapshot: FrameworkSettingsSnapshot) -> Self {
        self.framework_settings = Some(snapshot);
        self
    }

    /// Reads settings from the database again (a scope that lives long, as a
    /// socket's does, must not keep a snapshot).
    pub fn without_framework_settings(mut self) -> Self {
        self.framework_settings = None;
        self
    }

    /// How many transactions this scope has committed, or heard of through
    /// [`Self::subscribe`]: it changes exactly when something read before
    /// may have changed.
    pub fn committed_writes(&self) -> u64 {
        self.writes.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn tenant_id(&self) -> Uuid {
        self.tenant.id
    }

    pub fn tenant(&self) -> &tenant::Model {
        &self.tenant
    }

    /// Today in the tenant's time zone: the day every "today" of the tenant
    /// means (default dates, "not in the future", expected progress,
    /// staleness). A zone the database does not know (refused on write)
    /// falls back to UTC.
    pub fn today(&self) -> chrono::NaiveDate {
        today_in(&self.tenant.time_zone, chrono::Utc::now())
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The pool itself: the domain's own cross-tenant work (sign-in, the
    /// dispatcher) uses it; frameworks cannot.
    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Which database this is, for the few expressions that differ.
    pub fn backend(&self) -> DbBackend {
        sea_orm::ConnectionTrait::get_database_backend(&self.db)
    }

    pub fn events(&self) -> &EventBus {
        &self.events
    }

    /// The tenant as sign-in sees it, before the session's scope exists:
    /// the system acting, on a bus nobody listens to (sign-in announces
    /// nothing).
    pub(crate) fn for_sign_in(db: &DatabaseConnection, tenant: &tenant::Model) -> Self {
        static QUIET: std::sync::OnceLock<EventBus> = std::sync::OnceLock::new();
        Self::new(
            db.clone(),
            tenant.clone(),
            Actor::system(),
            QUIET.get_or_init(EventBus::new).clone(),
        )
    }

    /// Another tenant, for the domain's own reads of a tenant the actor just
    /// created (a `createTenant` payload).
    pub(crate) fn sibling(&self, tenant: tenant::Model) -> Self {
        Self::new(
            self.db.clone(),
            tenant,
            self.actor.clone(),
            self.events.clone(),
        )
    }

    /// The same tenant, acting as someone else (the system, in event handlers).
    pub fn with_actor(&self, actor: Actor) -> Self {
        Self {
            actor,
            ..self.clone()
        }
    }

    /// Every read of a tenant's table starts here.
    pub fn select<E: TenantTable>(&self) -> TenantSelect<E> {
        TenantSelect::new(self.tenant.id)
    }

    /// Framework `F`'s settings for this tenant, typed; the defaults when
    /// they were never saved. Settings were validated when saved; a stored
    /// value that no longer reads (after an upgrade) gives the defaults.
    pub async fn settings<F: crate::framework::Framework>(
        &self,
        db: &impl TenantDb,
    ) -> DomainResult<F::Settings> {
        if let Some(stored) = self
            .framework_settings
            .as_ref()
            .filter(|_| self.committed_writes() == 0)
            .and_then(|snapshot| snapshot.get(F::KEY))
        {
            return Ok(serde_json::from_value(stored.clone()).unwrap_or_default());
        }
        let row = self
            .select::<tenant_framework::Entity>()
            .filter(tenant_framework::Column::FrameworkKey.eq(F::KEY))
            .one(db)
            .await?;
        Ok(row
            .and_then(|r| serde_json::from_value(r.settings).ok())
            .unwrap_or_default())
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

    /// A row made this tenant's, for the domain's own writes outside a
    /// mutation's transaction (the dispatcher's bookkeeping).
    pub(crate) fn owned<A>(&self, row: A) -> A
    where
        A: ActiveModelTrait,
        A::Entity: TenantTable,
    {
        query::owned_by(row, self.tenant_id())
    }

    /// This tenant's committed events as they are delivered: the one way a
    /// subscription reads the bus, so no stream can see another tenant's. A
    /// subscriber that falls behind skips what it missed. Each event counts
    /// as a change: what the subscription's loaders cached before it may be
    /// stale, so a payload's nested fields are read afresh.
    pub fn subscribe(
        &self,
    ) -> impl futures_util::Stream<Item = std::sync::Arc<events::DomainEvent>> + Send + use<> {
        use futures_util::StreamExt;
        let tenant = self.tenant_id();
        let writes = self.writes.clone();
        tokio_stream::wrappers::BroadcastStream::new(self.events.subscribe()).filter_map(
            move |event| {
                let writes = writes.clone();
                async move {
                    let event = event.ok().filter(|e| e.tenant_id == tenant)?;
                    writes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    Some(event)
                }
            },
        )
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

impl<'s> TenantTxn<'s> {
    /// A transaction begun before the scope existed (creating the tenant
    /// itself), continued through the door.
    pub(crate) fn adopt(txn: DatabaseTransaction, scope: &'s TenantScope) -> Self {
        Self {
            txn,
            scope,
            recorded: false,
        }
    }
}

impl TenantTxn<'_> {
    pub(crate) fn conn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Reads in this transaction start here (the same door as the scope's).
    pub fn select<E: TenantTable>(&self) -> TenantSelect<E> {
        self.scope.select()
    }

    /// Inserts a row into this tenant: the door sets `tenant_id` itself,
    /// whatever the row carried.
    pub async fn insert<A>(&self, row: A) -> DomainResult<<A::Entity as EntityTrait>::Model>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        A::Entity: TenantTable,
        <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    {
        Ok(query::owned_by(row, self.scope.tenant_id())
            .insert(&self.txn)
            .await?)
    }

    /// Saves the changed fields of a row read from this tenant (by its
    /// primary key, inside the tenant); the tenant column never changes.
    pub async fn save<A>(&self, row: A) -> DomainResult<<A::Entity as EntityTrait>::Model>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        A::Entity: TenantTable,
        <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    {
        let tenant_column = <A::Entity as TenantTable>::tenant_column();
        // This tenant, kept rather than left out (it may be part of the
        // primary key, as in join tables) and unchanged when the row was
        // read here, so no needless `SET tenant_id` (which would fire the
        // tenant triggers on SQLite); the filter keeps the row here.
        let mut row = row;
        row.set_if_not_equals(tenant_column, self.scope.tenant_id().into());
        Ok(<A::Entity as EntityTrait>::update(row)
            .validate()?
            .filter(tenant_column.eq(self.scope.tenant_id()))
            .exec(&self.txn)
            .await?)
    }

    /// Inserts many rows into this tenant in one statement (a bulk load);
    /// `tenant_id` set by the door on each.
    pub async fn insert_many<A>(&self, rows: impl IntoIterator<Item = A>) -> DomainResult<()>
    where
        A: ActiveModelTrait + Send,
        A::Entity: TenantTable,
    {
        let tenant = self.scope.tenant_id();
        let rows: Vec<A> = rows
            .into_iter()
            .map(|row| query::owned_by(row, tenant))
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        <A::Entity as EntityTrait>::insert_many(rows)
            .exec_without_returning(&self.txn)
            .await?;
        Ok(())
    }

    /// Writes many rows of this tenant in one statement each chunk: new ids
    /// are inserted, ids already stored get `columns` overwritten (a bulk
    /// update). A stored row of another tenant is never touched: the update
    /// is conditional on the stored row's tenant. Answers how many rows were
    /// inserted or updated.
    pub async fn upsert_many<A>(
        &self,
        rows: impl IntoIterator<Item = A>,
        columns: &[<A::Entity as EntityTrait>::Column],
    ) -> DomainResult<u64>
    where
        A: ActiveModelTrait + Send,
        A::Entity: crate::entity::TenantOwned,
    {
        use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
        use sea_orm::{EntityName, IdenStatic};
        let tenant = self.scope.tenant_id();
        let id = <A::Entity as crate::entity::TenantOwned>::id_column();
        let tenant_column = <A::Entity as TenantTable>::tenant_column();
        let table = <A::Entity as Default>::default();
        let mut rows: Vec<A> = rows
            .into_iter()
            .map(|row| query::owned_by(row, tenant))
            .collect();
        let mut written = 0;
        while !rows.is_empty() {
            let rest = rows.split_off(rows.len().min(UPSERT_CHUNK));
            let chunk = std::mem::replace(&mut rows, rest);
            let mut conflict = OnConflict::column(id);
            conflict.update_columns(columns.iter().copied());
            conflict.action_and_where(
                Expr::col((
                    sea_orm::sea_query::Alias::new(table.table_name()),
                    sea_orm::sea_query::Alias::new(tenant_column.as_str()),
                ))
                .eq(tenant),
            );
            written += <A::Entity as EntityTrait>::insert_many(chunk)
                .on_conflict(conflict)
                .exec_without_returning(&self.txn)
                .await?;
        }
        Ok(written)
    }

    /// An UPDATE of this tenant's rows of `E` (filter it further; the
    /// tenant is already in it).
    pub fn update<E: TenantTable>(&self) -> TenantUpdate<'_, E> {
        TenantUpdate::new(&self.txn, self.scope.tenant_id())
    }

    /// A DELETE of this tenant's rows of `E` (filter it further).
    pub fn delete<E: TenantTable>(&self) -> TenantDelete<'_, E> {
        TenantDelete::new(&self.txn, self.scope.tenant_id())
    }

    /// Writes `model` (already carrying `expected_version + 1`) if the
    /// stored row still has `expected_version`; otherwise `CONFLICT`. The
    /// check is in the UPDATE's WHERE, so two concurrent writers cannot
    /// both win.
    pub async fn update_versioned<E>(
        &self,
        id: Uuid,
        model: E::Model,
        expected_version: i32,
        entity: &'static str,
    ) -> DomainResult<()>
    where
        E: crate::entity::Versioned,
        E::Model: IntoActiveModel<E::ActiveModel>,
        E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    {
        let changed = self
            .update::<E>()
            .set(model.into_active_model().reset_all())
            .filter(E::id_column().eq(id))
            .filter(E::version_column().eq(expected_version))
            .exec()
            .await?;
        if changed == 0 {
            return Err(DomainError::stale_version(entity));
        }
        Ok(())
    }

    /// Loads this tenant's row by id, or `NOT_FOUND` naming `entity`.
    pub async fn load<E: TenantOwned>(
        &self,
        id: Uuid,
        entity: &'static str,
    ) -> DomainResult<E::Model> {
        self.select::<E>()
            .filter(E::id_column().eq(id))
            .one(self)
            .await?
            .ok_or(DomainError::not_found(entity))
    }

    /// Like [`load`](Self::load), for a reference inside an input: an
    /// unknown (or other tenant's) id is a `VALIDATION` error on `field`.
    pub async fn reference<E: TenantOwned>(
        &self,
        id: Uuid,
        field: &str,
        entity: &'static str,
    ) -> DomainResult<E::Model> {
        self.load::<E>(id, entity).await.map_err(|err| match err {
            DomainError::NotFound { .. } => {
                DomainError::validation(field, format!("no {entity} with that id in this tenant"))
            }
            other => other,
        })
    }

    pub fn scope(&self) -> &TenantScope {
        self.scope
    }

    /// Serialises this transaction with every other that takes the same
    /// lock in the tenant, for invariants over many rows (a count limit,
    /// dense positions): PostgreSQL locks the tenant's row until commit;
    /// SQLite's write transactions are serial already.
    pub async fn lock_tenant(&self) -> DomainResult<()> {
        use sea_orm::{ConnectionTrait, Statement};
        if self.txn.get_database_backend() == DbBackend::Postgres {
            self.txn
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    // NO KEY UPDATE: serialises with the other holders of
                    // this lock (and tenant updates) but not with the key
                    // share every insert of a tenant-owned row takes.
                    "SELECT id FROM tenants WHERE id = $1 FOR NO KEY UPDATE",
                    [self.scope.tenant_id().into()],
                ))
                .await?;
        }
        Ok(())
    }

    /// Writes the audit entry and the outbox event for one change.
    pub async fn record<T: Serialize>(&mut self, change: Change<'_, T>) -> DomainResult<()> {
        self.record_many(std::iter::once(change)).await
    }

    /// Writes the audit entries and outbox events of many changes in a
    /// few statements (a bulk sync), as [`record`](Self::record) does for one.
    pub async fn record_many<'c, T: Serialize + 'c>(
        &mut self,
        changes: impl IntoIterator<Item = Change<'c, T>>,
    ) -> DomainResult<()> {
        use sea_orm::Set;
        let now = chrono::Utc::now();
        let actor = self.scope.actor().user_id;
        let mut audit = Vec::new();
        let mut outbox = Vec::new();
        for change in changes {
            let before = events::to_json(change.before)?;
            let after = events::to_json(change.after)?;
            outbox.push(crate::entity::outbox_event::ActiveModel {
                id: Set(Uuid::now_v7()),
                kind: Set(change.action.to_string()),
                entity_type: Set(change.entity_type.to_string()),
                entity_id: Set(change.entity_id),
                actor_user_id: Set(actor),
                payload: Set(serde_json::json!({ "before": before, "after": after })),
                occurred_at: Set(now),
                dispatched_at: Set(None),
                ..Default::default()
            });
            audit.push(crate::entity::audit_entry::ActiveModel {
                id: Set(Uuid::now_v7()),
                actor_user_id: Set(actor),
                action: Set(change.action.to_string()),
                entity_type: Set(change.entity_type.to_string()),
                entity_id: Set(change.entity_id),
                before: Set(before),
                after: Set(after),
                occurred_at: Set(now),
                ..Default::default()
            });
        }
        if audit.is_empty() {
            return Ok(());
        }
        for chunk in chunked(audit, RECORD_CHUNK) {
            self.insert_many(chunk).await?;
        }
        for chunk in chunked(outbox, RECORD_CHUNK) {
            self.insert_many(chunk).await?;
        }
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

/// Rows per multi-row statement: far below SQLite's 32,766 and PostgreSQL's
/// 65,535 bound parameters for the widest core table.
const UPSERT_CHUNK: usize = 500;
const RECORD_CHUNK: usize = 500;

/// `items` in consecutive pieces of at most `size` (at least one item each).
pub fn chunked<T>(items: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let size = size.max(1);
    let mut out = Vec::with_capacity(items.len().div_ceil(size));
    let mut current = Vec::with_capacity(size.min(items.len()));
    for item in items {
        current.push(item);
        if current.len() == size {
            out.push(std::mem::replace(&mut current, Vec::with_capacity(size)));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The calendar day at `now` in the time zone named `zone` (UTC if unknown).
pub fn today_in(zone: &str, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => now.with_timezone(&tz).date_naive(),
        Err(_) => now.date_naive(),
    }
}

#[cfg(test)]
mod today_tests {
    use super::today_in;
    use chrono::{NaiveDate, TimeZone, Utc};

    #[test]
    fn today_is_the_tenants_day_at_both_ends_of_the_clock() {
        let now = Utc.with_ymd_and_hms(2026, 12, 31, 11, 0, 0).unwrap();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(today_in("UTC", now), day(2026, 12, 31));
        assert_eq!(today_in("Pacific/Kiritimati", now), day(2027, 1, 1));
        assert_eq!(today_in("Etc/GMT+12", now), day(2026, 12, 30));
        assert_eq!(today_in("Mars/Olympus", now), day(2026, 12, 31));
    }
}
