//! Trees inside one tenant's table (reporting lines, org units, alignments),
//! walked in one recursive query that the door binds to the tenant.

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, IdenStatic};
use uuid::Uuid;

use super::TenantScope;
use crate::entity::TenantTable;

/// How rows of `E` link to their parent: `node` names the row, `parent` the
/// row above it. `max_depth` bounds a walk even if the data holds a cycle.
pub struct TreeLink<E: TenantTable> {
    pub node: E::Column,
    pub parent: E::Column,
    pub max_depth: u32,
}

impl<E: TenantTable> Clone for TreeLink<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E: TenantTable> Copy for TreeLink<E> {}

/// Which way to walk.
#[derive(Clone, Copy, Debug)]
pub enum Walk<'a> {
    /// Every node below any of these, not the roots themselves.
    Below(&'a [Uuid]),
    /// Every node above any of these; with `include_start`, the start nodes
    /// too (so one query returns them with their chains).
    Above {
        from: &'a [Uuid],
        include_start: bool,
    },
}

fn qualified(column: &impl ColumnTrait) -> String {
    format!("{}.{}", column.entity_name(), column.as_str())
}

impl TenantScope {
    /// `<column> IN (the nodes reached by `walk` along `link`)`, in this
    /// tenant only: the door binds the tenant itself.
    pub fn in_tree<E: TenantTable>(
        &self,
        column: impl ColumnTrait,
        link: TreeLink<E>,
        walk: Walk<'_>,
    ) -> SimpleExpr {
        let table = E::default().table_name().to_string();
        let tenant = E::tenant_column().as_str().to_string();
        let node = link.node.as_str();
        let parent = link.parent.as_str();
        let max = link.max_depth;
        let (starts, include_start, below) = match walk {
            Walk::Below(roots) => (roots, false, true),
            Walk::Above {
                from,
                include_start,
            } => (from, include_start, false),
        };
        if starts.is_empty() {
            return Expr::cust("1 = 0");
        }
        let placeholders: Vec<String> = (0..starts.len()).map(|i| format!("${}", i + 2)).collect();
        let list = placeholders.join(", ");
        let sql = if below {
            format!(
                "{target} IN (WITH RECURSIVE walk(id, depth) AS ( \
                    SELECT {node}, 1 FROM {table} WHERE {tenant} = $1 AND {parent} IN ({list}) \
                    UNION ALL \
                    SELECT t.{node}, walk.depth + 1 FROM {table} t JOIN walk ON t.{parent} = walk.id \
                    WHERE t.{tenant} = $1 AND walk.depth < {max}) SELECT id FROM walk)",
                target = qualified(&column),
            )
        } else {
            format!(
                "{target} IN (WITH RECURSIVE walk(id, parent, depth) AS ( \
                    SELECT {node}, {parent}, 0 FROM {table} WHERE {tenant} = $1 AND {node} IN ({list}) \
                    UNION ALL \
                    SELECT t.{node}, t.{parent}, walk.depth + 1 FROM {table} t JOIN walk ON t.{node} = walk.parent \
                    WHERE t.{tenant} = $1 AND walk.depth < {max}) SELECT id FROM walk{only_above})",
                target = qualified(&column),
                only_above = if include_start {
                    ""
                } else {
                    " WHERE depth > 0"
                },
            )
        };
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(starts.len() + 1);
        values.push(self.tenant_id().into());
        values.extend(starts.iter().map(|id| sea_orm::Value::from(*id)));
        crate::service::portable_expr(self.backend(), &sql, &values)
    }
}
