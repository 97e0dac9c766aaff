//! Small builders for migrations, shared by the core's and every framework's
//! migrator so tables look alike: UUID keys, `tenant_id` first, named
//! foreign keys and indexes.

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{
    Alias, ColumnDef, ForeignKey, ForeignKeyAction, ForeignKeyCreateStatement, Index,
    IndexCreateStatement, Table, TableCreateStatement,
};

pub fn name(n: &str) -> Alias {
    Alias::new(n)
}

pub fn uuid(n: &str) -> ColumnDef {
    ColumnDef::new(name(n)).uuid().not_null().to_owned()
}

pub fn uuid_null(n: &str) -> ColumnDef {
    ColumnDef::new(name(n)).uuid().null().to_owned()
}

pub fn text(n: &str) -> ColumnDef {
    ColumnDef::new(name(n)).string().not_null().to_owned()
}

pub fn text_null(n: &str) -> ColumnDef {
    ColumnDef::new(name(n)).string().null().to_owned()
}

pub fn int(n: &str) -> ColumnDef {
    ColumnDef::new(name(n)).integer().not_null().to_owned()
}

pub fn int_null(n: &str) -> ColumnDef {
    ColumnDef::new(name(n)).integer().null().to_owned()
}

pub fn time(n: &str) -> ColumnDef {
    ColumnDef::new(name(n))
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

pub fn json(n: &str) -> ColumnDef {
    ColumnDef::new(name(n)).json_binary().not_null().to_owned()
}

pub fn json_null(n: &str) -> ColumnDef {
    ColumnDef::new(name(n)).json_binary().null().to_owned()
}

pub fn date_null(n: &str) -> ColumnDef {
    ColumnDef::new(name(n)).date().null().to_owned()
}

pub fn fk(
    table: &str,
    column: &str,
    target: &str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(name(table), name(column))
        .to(name(target), name("id"))
        .on_delete(on_delete)
        .to_owned()
}

pub fn index(table: &str, columns: &[&str], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", columns.join("_")))
        .table(name(table));
    for column in columns {
        stmt.col(name(column));
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}

/// id, tenant_id (→ tenants), and the bookkeeping columns of a mutable entity.
pub fn tenant_table(table: &str) -> TableCreateStatement {
    Table::create()
        .table(name(table))
        .col(uuid("id").primary_key())
        .col(uuid("tenant_id"))
        .foreign_key(&mut fk(
            table,
            "tenant_id",
            "tenants",
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

pub fn versioned(mut stmt: TableCreateStatement) -> TableCreateStatement {
    stmt.col(time("created_at"))
        .col(time("updated_at"))
        .col(int("version").default(1));
    stmt
}

pub fn date(n: &str) -> ColumnDef {
    ColumnDef::new(name(n)).date().not_null().to_owned()
}

pub fn boolean(n: &str) -> ColumnDef {
    ColumnDef::new(name(n)).boolean().not_null().to_owned()
}

pub fn big_int(n: &str) -> ColumnDef {
    ColumnDef::new(name(n)).big_integer().not_null().to_owned()
}

pub fn time_null(n: &str) -> ColumnDef {
    ColumnDef::new(name(n))
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

/// A column of a tenant's table that names a row of another tenant-owned
/// table (`okr_objectives.owner_id` → `people`).
#[derive(Clone, Copy, Debug)]
pub struct TenantReference {
    pub table: &'static str,
    pub column: &'static str,
    pub target: &'static str,
    /// What deleting the target does (as the column's existing foreign key).
    pub on_delete: ForeignKeyAction,
}

impl TenantReference {
    pub const fn new(
        table: &'static str,
        column: &'static str,
        target: &'static str,
        on_delete: ForeignKeyAction,
    ) -> Self {
        Self {
            table,
            column,
            target,
            on_delete,
        }
    }
}

fn action_sql(reference: &TenantReference) -> String {
    match reference.on_delete {
        ForeignKeyAction::Cascade => "CASCADE".into(),
        // Only the reference is cleared, never `tenant_id` (PostgreSQL 15+).
        ForeignKeyAction::SetNull => format!("SET NULL ({})", reference.column),
        ForeignKeyAction::SetDefault => "SET DEFAULT".into(),
        ForeignKeyAction::Restrict => "RESTRICT".into(),
        _ => "NO ACTION".into(),
    }
}

/// Makes `(tenant_id, id)` of each table a key other tables can reference.
/// Each migrator declares its own tables; SQLite needs nothing (its checks
/// are triggers).
pub async fn add_tenant_keys(
    manager: &sea_orm_migration::SchemaManager<'_>,
    tables: &[&str],
) -> Result<(), sea_orm::DbErr> {
    if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    for table in tables {
        db.execute_unprepared(&format!(
            "ALTER TABLE {table} ADD CONSTRAINT uq_{table}_tenant_id_id UNIQUE (tenant_id, id)"
        ))
        .await?;
    }
    Ok(())
}

pub async fn drop_tenant_keys(
    manager: &sea_orm_migration::SchemaManager<'_>,
    tables: &[&str],
) -> Result<(), sea_orm::DbErr> {
    if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    for table in tables {
        db.execute_unprepared(&format!(
            "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS uq_{table}_tenant_id_id"
        ))
        .await?;
    }
    Ok(())
}

/// Makes the database refuse a reference to another tenant's row, whatever
/// wrote it: PostgreSQL replaces each column's foreign key by a composite
/// one on `(tenant_id, column)` → `(tenant_id, id)` with the same delete
/// action; SQLite, which cannot alter a table's keys, checks in triggers.
/// Existing rows are checked too: a database that already holds a
/// cross-tenant reference fails this migration, naming the constraint.
pub async fn require_same_tenant(
    manager: &sea_orm_migration::SchemaManager<'_>,
    references: &[TenantReference],
) -> Result<(), sea_orm::DbErr> {
    let db = manager.get_connection();
    for r in references {
        let (table, column, target) = (r.table, r.column, r.target);
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} DROP CONSTRAINT fk_{table}_{column}, \
                 ADD CONSTRAINT fk_{table}_{column} FOREIGN KEY (tenant_id, {column}) \
                 REFERENCES {target} (tenant_id, id) ON DELETE {}",
                action_sql(r)
            ))
            .await?;
        } else {
            let check = format!(
                "FOR EACH ROW WHEN NEW.{column} IS NOT NULL AND NOT EXISTS \
                 (SELECT 1 FROM {target} WHERE id = NEW.{column} AND tenant_id = NEW.tenant_id) \
                 BEGIN SELECT RAISE(ABORT, 'tenant_reference: {table}.{column} names another tenant''s row'); END"
            );
            db.execute_unprepared(&format!(
                "CREATE TRIGGER tn_{table}_{column}_insert BEFORE INSERT ON {table} {check}"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER tn_{table}_{column}_update BEFORE UPDATE OF {column}, tenant_id ON {table} {check}"
            ))
            .await?;
        }
    }
    Ok(())
}

/// Reverts [`require_same_tenant`]: the plain foreign keys come back.
pub async fn allow_any_tenant(
    manager: &sea_orm_migration::SchemaManager<'_>,
    references: &[TenantReference],
) -> Result<(), sea_orm::DbErr> {
    let db = manager.get_connection();
    for r in references {
        let (table, column, target) = (r.table, r.column, r.target);
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            let action = match r.on_delete {
                ForeignKeyAction::SetNull => "SET NULL".to_string(),
                _ => action_sql(r),
            };
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} DROP CONSTRAINT fk_{table}_{column}, \
                 ADD CONSTRAINT fk_{table}_{column} FOREIGN KEY ({column}) \
                 REFERENCES {target} (id) ON DELETE {action}"
            ))
            .await?;
        } else {
            for event in ["insert", "update"] {
                db.execute_unprepared(&format!(
                    "DROP TRIGGER IF EXISTS tn_{table}_{column}_{event}"
                ))
                .await?;
            }
        }
    }
    Ok(())
}
