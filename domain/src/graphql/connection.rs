//! Relay connections over any tenant-scoped query, with keyset pagination
//! (stable under inserts), a maximum page size, and `totalCount` computed only
//! when asked for.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ModelTrait, QueryFilter, QueryOrder, QuerySelect, Value};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entity::TenantOwned;
use crate::error::{DomainError, DomainResult};
use crate::tenancy::{TenantDb, TenantSelect};

pub const DEFAULT_PAGE_SIZE: i32 = 20;
pub const MAX_PAGE_SIZE: i32 = 100;

/// Fields a connection has besides its edges and page info.
#[derive(SimpleObject, Clone, Copy, Debug, Default)]
pub struct ConnectionTotals {
    /// How many items match, across all pages.
    pub total_count: u64,
}

/// A page of a Relay connection.
pub type Page<N> = Connection<String, N, ConnectionTotals>;

/// The standard `first/after/last/before` arguments.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Self {
        Self {
            first,
            after,
            last,
            before,
        }
    }
}

/// Query complexity of a connection field: its page size times its children,
/// so a query cannot ask for 100 × 100 × 100 rows and pass the limit.
pub fn page_complexity(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first
        .or(last)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE) as usize;
    1 + size * child_complexity
}

/// What a connection is ordered by; the entity's id breaks ties.
#[derive(Clone, Copy, Debug)]
pub enum SortKey<C> {
    /// Creation order (ids are UUIDv7).
    Id,
    /// A non-null text column, then id.
    Text(C),
    /// A non-null date column, then id.
    Date(C),
}

/// A cursor names its row by id alone. The sort key is read back from the
/// row itself, in the same statement, when the next page is asked for: a
/// cursor never carries a title (cursors end up in URLs and logs, and a
/// title may be private).
#[derive(Serialize, Deserialize)]
struct Cursor {
    #[serde(rename = "i")]
    id: Uuid,
}

fn encode_cursor(cursor: &Cursor) -> String {
    #[allow(clippy::expect_used, reason = "a cursor is a plain struct")]
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).expect("cursor serialises"))
}

fn decode_cursor(field: &str, text: &str) -> DomainResult<Cursor> {
    URL_SAFE_NO_PAD
        .decode(text.as_bytes())
        .ok()
        .and_then(|raw| serde_json::from_slice(&raw).ok())
        .ok_or_else(|| {
            DomainError::validation(field, format!("{text:?} is not a cursor of this list"))
        })
}

/// Rows of `list` strictly after (`forward`) or before the cursor's row, in
/// sort order.
fn beyond<E: TenantOwned>(
    list: &TenantSelect<E>,
    sort: SortKey<E::Column>,
    cursor: &Cursor,
    forward: bool,
) -> SimpleExpr {
    let id = E::id_column();
    let by_id = if forward {
        id.gt(cursor.id)
    } else {
        id.lt(cursor.id)
    };
    match sort {
        SortKey::Id => by_id,
        SortKey::Text(col) | SortKey::Date(col) => {
            let key = Expr::SubQuery(
                None,
                Box::new(
                    list.clone()
                        .select_only()
                        .column(col)
                        .filter(id.eq(cursor.id))
                        .into_query()
                        .into(),
                ),
            );
            let past = if forward {
                col.into_expr().gt(key.clone())
            } else {
                col.into_expr().lt(key.clone())
            };
            Condition::any()
                .add(past)
                .add(Condition::all().add(col.into_expr().eq(key)).add(by_id))
                .into()
        }
    }
}

fn check_size(field: &str, size: Option<i32>) -> DomainResult<Option<u64>> {
    match size {
        None => Ok(None),
        Some(n) if n < 0 => Err(DomainError::validation(
            field,
            format!("`{field}` must not be negative"),
        )),
        Some(n) if n > MAX_PAGE_SIZE => Err(DomainError::LimitExceeded(format!(
            "`{field}: {n}` asks for more than {MAX_PAGE_SIZE} items; page through with `after`/`before`"
        ))),
        Some(n) => Ok(Some(n as u64)),
    }
}

/// `first` and `last`, checked: not negative, at most the maximum, not both.
fn page_sizes(args: &PageArgs) -> DomainResult<(Option<u64>, Option<u64>)> {
    let first = check_size("first", args.first)?;
    let last = check_size("last", args.last)?;
    if first.is_some() && last.is_some() {
        return Err(DomainError::validation(
            "last",
            "give `first` or `last`, not both",
        ));
    }
    Ok((first, last))
}

/// Runs one page of `select` (a tenant's read: only the scope makes one).
pub async fn page<E, N, F>(
    ctx: &Context<'_>,
    db: &impl TenantDb,
    select: TenantSelect<E>,
    sort: SortKey<E::Column>,
    args: PageArgs,
    to_node: F,
) -> DomainResult<Page<N>>
where
    E: TenantOwned,
    E::Model: Sync,
    N: async_graphql::OutputType,
    F: Fn(E::Model) -> N,
{
    let (first, last) = page_sizes(&args)?;
    let total_count = if ctx.look_ahead().field("totalCount").exists() {
        select.clone().count(db).await?
    } else {
        0
    };
    let mut query = select.clone();
    let mut cursors = Vec::new();
    for (field, text, forward) in [
        ("after", &args.after, true),
        ("before", &args.before, false),
    ] {
        if let Some(text) = text {
            let cursor = decode_cursor(field, text)?;
            query = query.filter(beyond(&select, sort, &cursor, forward));
            cursors.push((field, cursor));
        }
    }
    let backwards = last.is_some();
    let size = last.or(first).unwrap_or(DEFAULT_PAGE_SIZE as u64);
    let order = if backwards {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    if let SortKey::Text(col) | SortKey::Date(col) = sort {
        query = query.order_by(col, order.clone());
    }
    query = query.order_by(E::id_column(), order);
    let mut rows = query.limit(size + 1).all(db).await?;
    // A keyed cursor whose row left the list finds nothing beyond it: say
    // so rather than answer an empty page (checked only then, so the usual
    // page stays one statement).
    if rows.is_empty() && !matches!(sort, SortKey::Id) {
        for (field, cursor) in &cursors {
            let still_listed = select
                .clone()
                .filter(E::id_column().eq(cursor.id))
                .exists(db)
                .await?;
            if !still_listed {
                return Err(DomainError::validation(
                    *field,
                    "the item this cursor points at is no longer in this list; start from the first page",
                ));
            }
        }
    }
    let more = rows.len() as u64 > size;
    rows.truncate(size as usize);
    if backwards {
        rows.reverse();
    }
    let (has_previous, has_next) = if backwards {
        (more, args.before.is_some())
    } else {
        (args.after.is_some(), more)
    };
    let mut connection = Connection::with_additional_fields(
        has_previous,
        has_next,
        ConnectionTotals { total_count },
    );
    connection.edges.extend(rows.into_iter().map(|row| {
        let id = match row.get(E::id_column()) {
            Value::Uuid(Some(id)) => id,
            _ => Uuid::nil(),
        };
        let cursor = encode_cursor(&Cursor { id });
        Edge::new(cursor, to_node(row))
    }));
    Ok(connection)
}

#[derive(Deserialize)]
struct ListCursor {
    #[serde(rename = "p")]
    key: String,
}

/// One page of a list computed in memory (a tree, a report), in its order.
/// A cursor names its item by `key` (unique in the list), not by position, so
/// a page boundary stays put when items are added elsewhere; a cursor whose
/// item has gone answers `VALIDATION` on `after`/`before`.
pub fn page_of_list<T, N>(
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    args: PageArgs,
    to_node: impl Fn(T) -> N,
) -> DomainResult<Page<N>>
where
    N: async_graphql::OutputType,
{
    let window = list_window(&items, &key, &args)?;
    let total = items.len();
    let page = items
        .into_iter()
        .skip(window.start)
        .take(window.len())
        .map(|item| (key(&item), to_node(item)));
    Ok(list_page(window, total, page))
}

/// The range of `items` one page covers (see [`page_of_list`]): for lists
/// whose page needs more work (rows read) before it becomes nodes.
pub fn list_window<T>(
    items: &[T],
    key: impl Fn(&T) -> String,
    args: &PageArgs,
) -> DomainResult<std::ops::Range<usize>> {
    let (first, last) = page_sizes(args)?;
    let position = |field: &str, cursor: &str| -> DomainResult<usize> {
        let wanted = URL_SAFE_NO_PAD
            .decode(cursor.as_bytes())
            .ok()
            .and_then(|raw| serde_json::from_slice::<ListCursor>(&raw).ok())
            .ok_or_else(|| {
                DomainError::validation(field, format!("{cursor:?} is not a cursor of this list"))
            })?;
        items
            .iter()
            .position(|item| key(item) == wanted.key)
            .ok_or_else(|| {
                DomainError::validation(
                    field,
                    "the item this cursor points at is no longer in the list; start from the first page",
                )
            })
    };
    let total = items.len();
    let mut start = match &args.after {
        Some(after) => position("after", after)? + 1,
        None => 0,
    };
    let mut end = match &args.before {
        Some(before) => position("before", before)?,
        None => total,
    };
    end = end.max(start);
    let size = last.or(first).unwrap_or(DEFAULT_PAGE_SIZE as u64) as usize;
    if last.is_some() {
        start = start.max(end.saturating_sub(size));
    } else {
        end = end.min(start + size);
    }
    Ok(start..end)
}

/// The connection for `window` of a list of `total` items, from the
/// window's (key, node) pairs.
pub fn list_page<N: async_graphql::OutputType>(
    window: std::ops::Range<usize>,
    total: usize,
    nodes: impl IntoIterator<Item = (String, N)>,
) -> Page<N> {
    let mut connection = Connection::with_additional_fields(
        window.start > 0,
        window.end < total,
        ConnectionTotals {
            total_count: total as u64,
        },
    );
    connection
        .edges
        .extend(nodes.into_iter().map(|(key, node)| {
            // `{"p":"<key>"}`, as `ListCursor` reads it back; written through
            // `Value`'s Display, which cannot fail.
            let cursor = serde_json::json!({ "p": key }).to_string();
            Edge::new(URL_SAFE_NO_PAD.encode(cursor), node)
        }));
    connection
}

/// A filter that matches rows changed at or after `since` (for integrators
/// polling incrementally).
pub fn updated_since<C: ColumnTrait>(
    column: C,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> Condition {
    match since {
        Some(since) => Condition::all().add(column.gte(since)),
        None => Condition::all(),
    }
}

/// The longest search text: a name or title fragment, never a document.
pub const MAX_SEARCH_CHARS: usize = 200;

/// A search text from a filter: trimmed, blank as none, at most
/// [`MAX_SEARCH_CHARS`] (a longer one is a `VALIDATION` error on `field`).
pub fn search_term<'a>(field: &str, text: Option<&'a str>) -> DomainResult<Option<&'a str>> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_SEARCH_CHARS {
        return Err(crate::DomainError::validation(
            field,
            format!("search for at most {MAX_SEARCH_CHARS} characters"),
        ));
    }
    Ok(Some(text))
}

/// A case-insensitive substring match on a text column, portable across
/// SQLite and PostgreSQL.
pub fn text_contains<C: ColumnTrait>(column: C, needle: &str) -> SimpleExpr {
    let escaped = needle
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(
        column.as_column_ref(),
    )))
    .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letters() -> Vec<String> {
        ["a", "b", "c", "d", "e"].map(String::from).to_vec()
    }

    fn page(args: PageArgs) -> DomainResult<Page<String>> {
        page_of_list(letters(), |s| s.clone(), args, |s| s)
    }

    fn nodes(page: &Page<String>) -> Vec<&str> {
        page.edges.iter().map(|e| e.node.as_str()).collect()
    }

    #[test]
    fn in_memory_lists_page_forward_and_back_by_item() {
        let one = page(PageArgs::new(Some(2), None, None, None)).unwrap();
        assert_eq!(nodes(&one), ["a", "b"]);
        assert!(!one.has_previous_page && one.has_next_page);
        assert_eq!(one.additional_fields.total_count, 5);
        let after_b = one.edges[1].cursor.clone();
        let two = page(PageArgs::new(Some(2), Some(after_b.clone()), None, None)).unwrap();
        assert_eq!(nodes(&two), ["c", "d"]);
        assert!(two.has_previous_page && two.has_next_page);
        let last = page(PageArgs::new(None, None, Some(2), None)).unwrap();
        assert_eq!(nodes(&last), ["d", "e"]);
        assert!(last.has_previous_page && !last.has_next_page);
        let before = page(PageArgs::new(
            None,
            None,
            Some(5),
            Some(two.edges[1].cursor.clone()),
        ))
        .unwrap();
        assert_eq!(nodes(&before), ["a", "b", "c"]);
        // The cursor follows its item, not its position.
        let shifted = page_of_list(
            ["z", "a", "b", "c"].map(String::from).to_vec(),
            |s| s.clone(),
            PageArgs::new(Some(1), Some(after_b), None, None),
            |s| s,
        )
        .unwrap();
        assert_eq!(nodes(&shifted), ["c"]);
    }

    #[test]
    fn in_memory_cursors_that_went_stale_or_never_were_are_refused() {
        let cursor = page(PageArgs::new(Some(1), None, None, None))
            .unwrap()
            .edges[0]
            .cursor
            .clone();
        let gone = page_of_list(
            vec!["x".to_string()],
            |s| s.clone(),
            PageArgs::new(Some(1), Some(cursor), None, None),
            |s| s,
        );
        assert!(matches!(gone, Err(DomainError::Validation { ref field, .. }) if field == "after"));
        let junk = page(PageArgs::new(None, Some("!!".into()), None, None));
        assert!(matches!(junk, Err(DomainError::Validation { ref field, .. }) if field == "after"));
        let too_many = page(PageArgs::new(Some(101), None, None, None));
        assert!(matches!(too_many, Err(DomainError::LimitExceeded(_))));
    }
}
