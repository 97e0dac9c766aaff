//! `schema.graphql` at the repository root is what `throughline schema` prints.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[test]
fn committed_schema_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let current =
        throughline_api::schema::app_schema(&throughline_api::config::Limits::default()).sdl();
    assert!(
        committed == current,
        "schema.graphql is stale: run `cargo run -q -- schema > schema.graphql` and commit it"
    );
}
