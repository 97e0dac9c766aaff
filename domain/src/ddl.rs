//! Small builders for migrations, shared by the core's and every framework's
//! migrator so tables look alike: UUID keys, `tenant_id` first, named
//! foreign keys and indexes.

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
