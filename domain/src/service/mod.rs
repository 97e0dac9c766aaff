//! Rules, permissions and transactions of the core. No GraphQL here: resolvers
//! translate inputs (global IDs, undefined-vs-null) into these plain types.

pub mod audit;
pub mod changes;
pub mod dashboards;
pub mod directory;
pub mod event_deliveries;
pub mod exceptions;
pub mod frameworks;
pub mod idempotency;
pub mod metric_targets;
pub mod metrics;
pub mod org_units;
pub mod people;
pub mod priorities;
pub mod review_reminders;
pub mod reviews;
pub mod service_accounts;
pub mod tenants;
pub mod users;

use crate::error::{DomainError, DomainResult};

/// A custom SQL expression with numbered parameters (`$1`, `$2`, reusable)
/// that works on every backend: sea-query takes `$N` on PostgreSQL but only
/// positional `?` on SQLite, so for SQLite the parameters are expanded in
/// order of appearance.
pub fn portable_expr(
    backend: sea_orm::DbBackend,
    template: &str,
    values: &[sea_orm::Value],
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::Expr;
    let mut sql = String::with_capacity(template.len());
    let mut ordered = Vec::new();
    let mut complete = true;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            let mut digits = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            match digits
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| values.get(i))
            {
                Some(value) => ordered.push(value.clone()),
                None => complete = false,
            }
            sql.push('?');
        } else {
            sql.push(c);
        }
    }
    // Templates are ours, never a client's. One that names a parameter it
    // was not given would make sea-query panic while building: it becomes
    // NULL (no row matches), logged, and every test of its query shows it.
    if !complete {
        tracing::error!(
            template,
            "a SQL template names a parameter it was not given"
        );
        return Expr::cust("NULL");
    }
    if backend == sea_orm::DbBackend::Postgres {
        return Expr::cust_with_values(template.to_string(), values.to_vec());
    }
    Expr::cust_with_values(sql, ordered)
}

/// Checks the version a client sent against the stored one, before any work.
pub fn check_version(stored: i32, sent: i32, entity: &'static str) -> DomainResult<()> {
    if stored == sent {
        Ok(())
    } else {
        Err(DomainError::stale_version(entity))
    }
}

/// Trims a required text and checks its length.
pub fn required_text(field: &str, value: &str, max_chars: usize) -> DomainResult<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::validation(
            field,
            format!("`{field}` must not be empty"),
        ));
    }
    if trimmed.chars().count() > max_chars {
        return Err(DomainError::validation(
            field,
            format!("`{field}` is longer than {max_chars} characters"),
        ));
    }
    // Line breaks and tabs belong in a description; no other control
    // character belongs in any text a person reads.
    if trimmed
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(DomainError::validation(
            field,
            format!("`{field}` contains a control character"),
        ));
    }
    Ok(trimmed.to_string())
}

/// Trims an optional text; blank becomes `None`.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> DomainResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => required_text(field, text, max_chars).map(Some),
    }
}

/// A light e-mail check: one `@` with text on both sides and a dot in the domain.
pub fn email(field: &str, value: &str) -> DomainResult<String> {
    let value = value.trim().to_lowercase();
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }
        None => false,
    };
    if !valid
        || value.len() > 254
        || value.contains(char::is_whitespace)
        || value.contains(char::is_control)
    {
        return Err(DomainError::validation(
            field,
            format!("{value:?} is not an e-mail address"),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portable_expr_expands_numbered_parameters_for_sqlite() {
        use sea_orm::sea_query::{PostgresQueryBuilder, Query, SqliteQueryBuilder};
        let values: Vec<sea_orm::Value> = vec![1i32.into(), 2i32.into()];
        let build = |backend| {
            Query::select()
                .expr(portable_expr(backend, "$1 + $2 + $1", &values))
                .to_owned()
        };
        let (sql, bound) = build(sea_orm::DbBackend::Sqlite).build(SqliteQueryBuilder);
        assert_eq!((sql.as_str(), bound.0.len()), ("SELECT ? + ? + ?", 3));
        assert_eq!(bound.0[2], 1i32.into());
        let (sql, bound) = build(sea_orm::DbBackend::Postgres).build(PostgresQueryBuilder);
        assert_eq!((sql.as_str(), bound.0.len()), ("SELECT $1 + $2 + $3", 3));
    }

    #[test]
    fn a_parameter_without_a_value_binds_nothing_instead_of_panicking() {
        use sea_orm::sea_query::{Query, SqliteQueryBuilder};
        let values: Vec<sea_orm::Value> = vec![1i32.into()];
        for template in ["$1 + $2", "$0", "$99999999999999999999999"] {
            let (sql, bound) = Query::select()
                .expr(portable_expr(sea_orm::DbBackend::Sqlite, template, &values))
                .to_owned()
                .build(SqliteQueryBuilder);
            assert_eq!(
                (sql.as_str(), bound.0.len()),
                ("SELECT NULL", 0),
                "{template}"
            );
        }
    }

    #[test]
    fn email_table() {
        for (input, ok) in [
            ("Ada@Example.com", true),
            ("ada@example", false),
            ("@example.com", false),
            ("ada example@x.com", false),
            ("ada@@example.com", false),
            ("ada@example.", false),
            ("a\u{0}@b.test", false),
            ("a\u{1b}@b.test", false),
        ] {
            assert_eq!(email("email", input).is_ok(), ok, "{input}");
        }
        assert_eq!(
            email("email", " Ada@Example.com ").unwrap(),
            "ada@example.com"
        );
    }

    #[test]
    fn required_text_trims_and_bounds() {
        assert_eq!(required_text("name", "  Sales ", 10).unwrap(), "Sales");
        assert!(
            matches!(required_text("name", "   ", 10), Err(DomainError::Validation { field, .. }) if field == "name")
        );
        assert!(required_text("name", "abcdefghijk", 10).is_err());
        assert!(required_text("name", "a\u{7}b", 10).is_err());
        assert!(required_text("name", "a\u{0}b", 10).is_err());
        assert_eq!(required_text("text", "a\nb\tc", 10).unwrap(), "a\nb\tc");
    }
}
