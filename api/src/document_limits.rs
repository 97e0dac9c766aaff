//! Bounds on a GraphQL document and its variables, checked in linear time
//! before async-graphql parses or validates them.
//!
//! async-graphql's parser and validators recurse, and its depth and
//! complexity visitors expand every fragment spread in place, so a small
//! document can exhaust a worker's stack (deep brackets) or its CPU
//! (a doubling fragment chain) before any limit of ours is consulted. These
//! checks bound both: the text's bracket nesting before parsing, and the
//! document's size and depth *with fragments expanded* (computed once per
//! fragment, iteratively) before validation.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Value, Variables};
use throughline_domain::DomainError;

/// The deepest bracket nesting (`{`, `[`, `(`) a document may have. The
/// introspection query GraphiQL sends nests 12 deep.
pub const MAX_NESTING: usize = 64;
/// The most lexical tokens a document may have (Apollo Router's default
/// too): a document's parse time grows with them, so they are counted
/// before parsing. GraphiQL's introspection query has about 300.
pub const MAX_TOKENS: usize = 15_000;
/// The deepest nesting a variables value may have.
pub const MAX_VARIABLE_NESTING: usize = 32;
/// The most field selections an operation may have once its fragments are
/// expanded (what validation and execution walk). GraphiQL's introspection
/// query expands to about 200.
pub const MAX_EXPANDED_SELECTIONS: u64 = 5_000;
/// The deepest an operation may nest once its fragments are expanded,
/// counting fields, inline fragments and spreads: async-graphql's own
/// recursion limit (32), checked here first and without recursing.
pub const MAX_EXPANDED_DEPTH: u32 = 32;

/// Refuses a document whose brackets nest deeper than [`MAX_NESTING`] or
/// that has more than [`MAX_TOKENS`] tokens, skipping strings, block strings
/// and comments. Unbalanced brackets are left to the parser.
pub fn check_nesting(query: &str) -> Result<(), DomainError> {
    let bytes = query.as_bytes();
    let at = |i: usize| bytes.get(i).copied();
    let starts = |i: usize, pattern: &[u8]| bytes.get(i..).is_some_and(|s| s.starts_with(pattern));
    let mut depth = 0usize;
    let mut tokens = 0usize;
    let mut in_word = false;
    let mut i = 0;
    while let Some(byte) = at(i) {
        let word = byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-' || byte == b'.';
        if word && !in_word
            || matches!(
                byte,
                b'"' | b'{'
                    | b'}'
                    | b'['
                    | b']'
                    | b'('
                    | b')'
                    | b':'
                    | b'='
                    | b'@'
                    | b'$'
                    | b'!'
                    | b'|'
                    | b'&'
            )
        {
            tokens += 1;
            if tokens > MAX_TOKENS {
                return Err(DomainError::LimitExceeded(format!(
                    "the document has more than {MAX_TOKENS} tokens; send less at once"
                )));
            }
        }
        in_word = word;
        match byte {
            b'#' => {
                while at(i).is_some_and(|b| b != b'\n' && b != b'\r') {
                    i += 1;
                }
            }
            b'"' if starts(i, b"\"\"\"") => {
                i += 3;
                while at(i).is_some() && !starts(i, b"\"\"\"") {
                    // `\"""` is an escaped delimiter inside a block string.
                    i += if starts(i, b"\\\"\"\"") { 4 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while at(i).is_some_and(|b| b != b'"' && b != b'\n') {
                    i += if at(i) == Some(b'\\') { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(DomainError::LimitExceeded(format!(
                        "the document nests brackets more than {MAX_NESTING} deep"
                    )));
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Refuses variables nested deeper than [`MAX_VARIABLE_NESTING`] (walked
/// without recursion).
pub fn check_variables(variables: &Variables) -> Result<(), DomainError> {
    let mut stack: Vec<(&Name, &Value, usize)> = variables
        .iter()
        .map(|(name, value)| (name, value, 1))
        .collect();
    while let Some((name, value, depth)) = stack.pop() {
        if depth > MAX_VARIABLE_NESTING {
            return Err(DomainError::BadUserInput {
                field: format!("variables.{name}"),
                message: format!(
                    "the variable ${name} nests more than {MAX_VARIABLE_NESTING} levels deep"
                ),
            });
        }
        match value {
            Value::String(text) if text.contains('\0') => {
                return Err(nul_in(&format!("variables.{name}")));
            }
            Value::List(items) => stack.extend(items.iter().map(|v| (name, v, depth + 1))),
            Value::Object(fields) => {
                if fields.keys().any(|key| key.contains('\0')) {
                    return Err(nul_in(&format!("variables.{name}")));
                }
                stack.extend(fields.values().map(|v| (name, v, depth + 1)))
            }
            _ => {}
        }
    }
    Ok(())
}

/// No database stores a NUL byte in text (PostgreSQL refuses it, SQLite
/// truncates on some paths), and no text we keep has a use for one: it is
/// refused everywhere, before any resolver sees it, the same on both.
fn nul_in(field: &str) -> DomainError {
    DomainError::validation(field, "text must not contain a NUL character (\\u0000)")
}

/// Refuses a NUL character in any string literal of the document's
/// arguments (variables are checked by [`check_variables`]).
pub fn check_document_text(document: &ExecutableDocument) -> Result<(), DomainError> {
    fn value_has_nul(value: &async_graphql::parser::types::Field) -> Option<&str> {
        value.arguments.iter().find_map(|(name, value)| {
            // Variables are checked on their own; here they stand as null.
            let literal = value
                .node
                .clone()
                .into_const_with(|_| Ok::<_, ()>(Value::Null))
                .ok()?;
            let mut stack = vec![&literal];
            while let Some(value) = stack.pop() {
                match value {
                    Value::String(text) if text.contains('\0') => {
                        return Some(name.node.as_str());
                    }
                    Value::List(items) => stack.extend(items.iter()),
                    Value::Object(fields) => stack.extend(fields.values()),
                    _ => {}
                }
            }
            None
        })
    }
    fn walk(set: &SelectionSet) -> Option<&str> {
        set.items.iter().find_map(|item| match &item.node {
            Selection::Field(field) => {
                value_has_nul(&field.node).or_else(|| walk(&field.node.selection_set.node))
            }
            Selection::InlineFragment(fragment) => walk(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => None,
        })
    }
    let sets = document
        .fragments
        .values()
        .map(|f| &f.node.selection_set.node)
        .chain(
            document
                .operations
                .iter()
                .map(|(_, op)| &op.node.selection_set.node),
        );
    for set in sets {
        if let Some(argument) = walk(set) {
            return Err(nul_in(argument));
        }
    }
    Ok(())
}

/// What a selection set holds without following its spreads: its fields,
/// its own depth, and each spread with the level it stands at.
#[derive(Default)]
struct Local<'d> {
    fields: u64,
    depth: u32,
    spreads: Vec<(&'d str, u32)>,
}

/// Recursion here is bounded by the bracket nesting checked before parsing.
fn collect<'d>(set: &'d SelectionSet, level: u32, local: &mut Local<'d>) {
    local.depth = local.depth.max(level);
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                local.fields += 1;
                local.depth = local.depth.max(level + 1);
                collect(&field.node.selection_set.node, level + 1, local);
            }
            Selection::InlineFragment(fragment) => {
                collect(&fragment.node.selection_set.node, level + 1, local)
            }
            Selection::FragmentSpread(spread) => local
                .spreads
                .push((spread.node.fragment_name.node.as_str(), level + 1)),
        }
    }
}

#[derive(Clone, Copy)]
struct Expanded {
    selections: u64,
    depth: u32,
}

fn expand(local: &Local<'_>, done: &HashMap<&str, Expanded>) -> Expanded {
    let mut out = Expanded {
        selections: local.fields,
        depth: local.depth,
    };
    for (name, level) in &local.spreads {
        // An unknown fragment is reported by validation.
        if let Some(fragment) = done.get(name) {
            out.selections = out.selections.saturating_add(fragment.selections);
            out.depth = out.depth.max(level.saturating_add(fragment.depth));
        }
    }
    out
}

/// Refuses a document that, with its fragments expanded, selects more than
/// [`MAX_EXPANDED_SELECTIONS`] fields or nests deeper than
/// [`MAX_EXPANDED_DEPTH`] in any operation, and one whose fragments spread
/// themselves. Linear in the document: each fragment is expanded once, in
/// dependency order, without recursion across fragments.
pub fn check_expansion(document: &ExecutableDocument) -> Result<(), DomainError> {
    let locals: HashMap<&str, Local<'_>> = document
        .fragments
        .iter()
        .map(|(name, fragment)| {
            let mut local = Local::default();
            collect(&fragment.node.selection_set.node, 0, &mut local);
            (name.as_str(), local)
        })
        .collect();
    let mut done: HashMap<&str, Expanded> = HashMap::with_capacity(locals.len());
    let mut in_progress: std::collections::HashSet<&str> = Default::default();
    for start in locals.keys() {
        if done.contains_key(start) {
            continue;
        }
        // Depth-first with an explicit stack: a chain of thousands of
        // fragments must not recurse.
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        in_progress.insert(start);
        while let Some((name, next)) = stack.pop() {
            let Some(local) = locals.get(name) else {
                continue;
            };
            if let Some((child, _)) = local.spreads.get(next) {
                stack.push((name, next + 1));
                if done.contains_key(child) || !locals.contains_key(child) {
                    continue;
                }
                if !in_progress.insert(child) {
                    return Err(DomainError::DocumentInvalid(format!(
                        "the fragment {child} spreads itself, directly or through other fragments"
                    )));
                }
                stack.push((child, 0));
                continue;
            }
            in_progress.remove(name);
            let expanded = expand(local, &done);
            done.insert(name, expanded);
        }
    }
    for (name, operation) in document.operations.iter() {
        let mut local = Local::default();
        collect(&operation.node.selection_set.node, 0, &mut local);
        let expanded = expand(&local, &done);
        let which = name.map_or("the operation".to_string(), |n| {
            format!("the operation {n}")
        });
        if expanded.selections > MAX_EXPANDED_SELECTIONS {
            return Err(DomainError::LimitExceeded(format!(
                "{which} selects more than {MAX_EXPANDED_SELECTIONS} fields once its fragments are expanded"
            )));
        }
        if expanded.depth > MAX_EXPANDED_DEPTH {
            return Err(DomainError::LimitExceeded(format!(
                "{which} nests more than {MAX_EXPANDED_DEPTH} levels once its fragments are expanded"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(query).expect("a document")
    }

    #[test]
    fn nesting_counts_brackets_outside_strings_and_comments() {
        let deep = format!("{{nodes(ids:{}){{id}}}}", "[".repeat(2000));
        assert!(matches!(
            check_nesting(&deep),
            Err(DomainError::LimitExceeded(_))
        ));
        let quoted = format!(
            "{{ a(s: \"{}\", b: \"\"\"{}\"\"\") # {}\n }}",
            "[".repeat(500),
            "{".repeat(500),
            "(".repeat(500)
        );
        assert!(check_nesting(&quoted).is_ok());
        let escaped = format!("{{ a(s: \"\\\"{}\") }}", "[".repeat(500));
        assert!(check_nesting(&escaped).is_ok());
        let at_limit = format!("{}{}", "{".repeat(MAX_NESTING), "}".repeat(MAX_NESTING));
        assert!(check_nesting(&at_limit).is_ok());
    }

    #[test]
    fn tokens_are_counted_before_parsing() {
        let fields: String = (0..6_000).map(|i| format!("a{i}: __typename ")).collect();
        assert!(matches!(
            check_nesting(&format!("{{ {fields} }}")),
            Err(DomainError::LimitExceeded(_))
        ));
        let fields: String = (0..4_000).map(|i| format!("a{i} ")).collect();
        assert!(check_nesting(&format!("{{ {fields} }}")).is_ok());
        // A long string is one token.
        assert!(check_nesting(&format!("{{ a(s: \"{}\") }}", "x ".repeat(50_000))).is_ok());
    }

    #[test]
    fn doubling_fragments_are_refused_without_expanding_them() {
        let mut query = String::from("{ ...F30 }\nfragment F0 on Query { __typename }\n");
        for i in 1..=30 {
            query.push_str(&format!(
                "fragment F{i} on Query {{ ...F{p} ...F{p} }}\n",
                p = i - 1
            ));
        }
        let started = std::time::Instant::now();
        assert!(matches!(
            check_expansion(&parse(&query)),
            Err(DomainError::LimitExceeded(_))
        ));
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn long_fragment_chains_and_cycles() {
        let mut chain = String::from("{ ...F0 }\n");
        for i in 0..5_000 {
            chain.push_str(&format!("fragment F{i} on Query {{ ...F{} }}\n", i + 1));
        }
        chain.push_str("fragment F5000 on Query { __typename }\n");
        // Refused for its depth, and walked without recursing per fragment.
        assert!(matches!(
            check_expansion(&parse(&chain)),
            Err(DomainError::LimitExceeded(_))
        ));
        let cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { x { ...A } }";
        assert!(matches!(
            check_expansion(&parse(cycle)),
            Err(DomainError::DocumentInvalid(_))
        ));
    }

    #[test]
    fn ordinary_documents_pass() {
        let query = "query Q($id: ID!) { node(id: $id) { id ...P } viewer { ...V } }
            fragment P on Person { name manager { ...Name } }
            fragment Name on Person { name }
            fragment V on Viewer { role user { email } }";
        assert!(check_expansion(&parse(query)).is_ok());
    }

    #[test]
    fn variables_nesting() {
        let mut value = serde_json::json!(1);
        for _ in 0..40 {
            value = serde_json::json!([value]);
        }
        let variables = Variables::from_json(serde_json::json!({ "v": value }));
        assert!(matches!(
            check_variables(&variables),
            Err(DomainError::BadUserInput { .. })
        ));
        let flat = Variables::from_json(serde_json::json!({ "v": [[1, 2], { "a": [3] }] }));
        assert!(check_variables(&flat).is_ok());
    }
}
