//! The door's query types. A framework builds its reads with
//! [`TenantScope::select`](super::TenantScope::select) and its writes with a
//! [`TenantTxn`](super::TenantTxn); both add the tenant themselves, and both
//! run only on a [`TenantDb`] (the scope or one of its transactions), never on
//! a raw connection, which framework code cannot reach.

use sea_orm::sea_query::{SelectStatement, SimpleExpr, UpdateStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseExecutor, DbErr, DeleteMany, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
    SelectExt, SelectGetableTuple, SelectModel, Selector, TryGetableMany, UpdateMany,
};
use uuid::Uuid;

use super::TenantScope;
use crate::entity::TenantTable;

mod sealed {
    pub trait Sealed {}
}

/// What a tenant's query runs on: the scope (its pool) or one of its
/// transactions. Sealed: only the domain makes one.
pub trait TenantDb: sealed::Sealed + Sync {
    fn scope(&self) -> &TenantScope;
    /// The connection, as a handle framework code can hold but not use.
    #[doc(hidden)]
    fn gate(&self) -> Gate<'_>;
}

/// An opaque handle on a tenant's connection: only the domain opens it.
pub struct Gate<'a>(DatabaseExecutor<'a>);

impl<'a> Gate<'a> {
    pub(crate) fn new(executor: impl Into<DatabaseExecutor<'a>>) -> Self {
        Self(executor.into())
    }
}

impl sealed::Sealed for TenantScope {}
impl TenantDb for TenantScope {
    fn scope(&self) -> &TenantScope {
        self
    }
    fn gate(&self) -> Gate<'_> {
        Gate::new(self.db())
    }
}

impl sealed::Sealed for super::TenantTxn<'_> {}
impl TenantDb for super::TenantTxn<'_> {
    fn scope(&self) -> &TenantScope {
        super::TenantTxn::scope(self)
    }
    fn gate(&self) -> Gate<'_> {
        Gate::new(self.conn())
    }
}

/// The connection behind `db`, after checking that it belongs to the tenant
/// the query was built for: a query built in one scope and run in another is
/// refused, not answered with the other tenant's rows.
fn open<'a>(db: &'a impl TenantDb, tenant: Uuid) -> Result<DatabaseExecutor<'a>, DbErr> {
    if db.scope().tenant_id() != tenant {
        return Err(DbErr::Custom(
            "a query built for one tenant was run in another".into(),
        ));
    }
    Ok(db.gate().0)
}

/// A read of one tenant's rows of `E`: made only by the scope, already
/// filtered to the tenant; filter, order and project it as a sea-orm `Select`.
#[derive(Clone, Debug)]
#[must_use]
pub struct TenantSelect<E: EntityTrait> {
    select: Select<E>,
    tenant: Uuid,
}

impl<E: TenantTable> TenantSelect<E> {
    pub(crate) fn new(tenant: Uuid) -> Self {
        Self {
            select: E::find().filter(E::tenant_column().eq(tenant)),
            tenant,
        }
    }
}

impl<E: EntityTrait> TenantSelect<E> {
    pub async fn all(self, db: &impl TenantDb) -> Result<Vec<E::Model>, DbErr> {
        self.select.all(&open(db, self.tenant)?).await
    }

    pub async fn one(self, db: &impl TenantDb) -> Result<Option<E::Model>, DbErr> {
        self.select.one(&open(db, self.tenant)?).await
    }

    pub async fn count(self, db: &impl TenantDb) -> Result<u64, DbErr>
    where
        E::Model: Sync,
    {
        self.select.count(&open(db, self.tenant)?).await
    }

    pub async fn exists(self, db: &impl TenantDb) -> Result<bool, DbErr> {
        self.select.exists(&open(db, self.tenant)?).await
    }

    /// The rows as tuples of the selected columns (after `select_only`).
    pub fn into_tuple<T: TryGetableMany>(self) -> TenantRows<SelectGetableTuple<T>> {
        TenantRows {
            selector: self.select.into_tuple(),
            tenant: self.tenant,
        }
    }

    /// The rows as another model (after `select_only` and `column_as`).
    pub fn into_model<M: FromQueryResult>(self) -> TenantRows<SelectModel<M>> {
        TenantRows {
            selector: self.select.into_model(),
            tenant: self.tenant,
        }
    }

    /// The statement, to use as a subquery (`column.in_subquery(…)`): it
    /// keeps the tenant filter, and a statement alone runs nowhere.
    pub fn into_query(self) -> SelectStatement {
        self.select.into_query()
    }
}

impl<E: EntityTrait> QueryFilter for TenantSelect<E> {
    type QueryStatement = SelectStatement;
    fn query(&mut self) -> &mut SelectStatement {
        QueryFilter::query(&mut self.select)
    }
}

impl<E: EntityTrait> QuerySelect for TenantSelect<E> {
    type QueryStatement = SelectStatement;
    fn query(&mut self) -> &mut SelectStatement {
        QuerySelect::query(&mut self.select)
    }
}

impl<E: EntityTrait> QueryOrder for TenantSelect<E> {
    type QueryStatement = SelectStatement;
    fn query(&mut self) -> &mut SelectStatement {
        QueryOrder::query(&mut self.select)
    }
}

/// A tenant read projected into tuples or another model.
#[must_use]
pub struct TenantRows<S: sea_orm::SelectorTrait> {
    selector: Selector<S>,
    tenant: Uuid,
}

impl<S: sea_orm::SelectorTrait + Send> TenantRows<S> {
    pub async fn all(self, db: &impl TenantDb) -> Result<Vec<S::Item>, DbErr> {
        self.selector.all(&open(db, self.tenant)?).await
    }

    pub async fn one(self, db: &impl TenantDb) -> Result<Option<S::Item>, DbErr> {
        self.selector.one(&open(db, self.tenant)?).await
    }
}

/// An UPDATE of one tenant's rows of `E` in a transaction; made by
/// [`TenantTxn::update`](super::TenantTxn::update), tenant filter included.
#[must_use]
pub struct TenantUpdate<'a, E: EntityTrait> {
    update: UpdateMany<E>,
    txn: &'a sea_orm::DatabaseTransaction,
    /// Set when a `col_expr` named the tenant column: refused at `exec`.
    moves_tenant: bool,
}

impl<'a, E: TenantTable> TenantUpdate<'a, E> {
    pub(crate) fn new(txn: &'a sea_orm::DatabaseTransaction, tenant: Uuid) -> Self {
        Self {
            update: E::update_many().filter(E::tenant_column().eq(tenant)),
            txn,
            moves_tenant: false,
        }
    }

    /// Sets every column the model has set; the tenant column stays.
    pub fn set<A>(mut self, mut model: A) -> Self
    where
        A: ActiveModelTrait<Entity = E>,
    {
        model.not_set(E::tenant_column());
        self.update = self.update.set(model);
        self
    }

    pub fn col_expr(mut self, column: E::Column, value: SimpleExpr) -> Self {
        use sea_orm::IdenStatic;
        self.moves_tenant |= column.as_str() == E::tenant_column().as_str();
        self.update = self.update.col_expr(column, value);
        self
    }

    /// Runs it; the number of rows changed. A row never changes tenant.
    pub async fn exec(self) -> Result<u64, DbErr> {
        if self.moves_tenant {
            return Err(DbErr::Custom(
                "an update tried to move rows to another tenant".into(),
            ));
        }
        Ok(self.update.exec(self.txn).await?.rows_affected)
    }
}

impl<E: EntityTrait> QueryFilter for TenantUpdate<'_, E> {
    type QueryStatement = UpdateStatement;
    fn query(&mut self) -> &mut UpdateStatement {
        QueryFilter::query(&mut self.update)
    }
}

/// A DELETE of one tenant's rows of `E` in a transaction; made by
/// [`TenantTxn::delete`](super::TenantTxn::delete), tenant filter included.
#[must_use]
pub struct TenantDelete<'a, E: EntityTrait> {
    delete: DeleteMany<E>,
    txn: &'a sea_orm::DatabaseTransaction,
}

impl<'a, E: TenantTable> TenantDelete<'a, E> {
    pub(crate) fn new(txn: &'a sea_orm::DatabaseTransaction, tenant: Uuid) -> Self {
        Self {
            delete: E::delete_many().filter(E::tenant_column().eq(tenant)),
            txn,
        }
    }

    /// Runs it; the number of rows deleted.
    pub async fn exec(self) -> Result<u64, DbErr> {
        Ok(self.delete.exec(self.txn).await?.rows_affected)
    }
}

impl<E: EntityTrait> QueryFilter for TenantDelete<'_, E> {
    type QueryStatement = sea_orm::sea_query::DeleteStatement;
    fn query(&mut self) -> &mut sea_orm::sea_query::DeleteStatement {
        QueryFilter::query(&mut self.delete)
    }
}

/// Sets the tenant on a row about to be inserted, whatever it carried.
pub(crate) fn owned_by<A>(mut row: A, tenant: Uuid) -> A
where
    A: ActiveModelTrait,
    A::Entity: TenantTable,
{
    row.set(<A::Entity as TenantTable>::tenant_column(), tenant.into());
    row
}
