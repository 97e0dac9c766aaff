//! Every framework compiled into this server: the one list. Adding a
//! framework is its crate, its dependency line in `api/Cargo.toml`, and one
//! line here; `assembly.rs` generates the registry, the merged GraphQL
//! roots, the `Node` interface and its resolution from it.

frameworks! {
    throughline_okr::Okr,
    throughline_scorecard::Scorecard,
}
