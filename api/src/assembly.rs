//! The one assembly point. `frameworks! { crate_name::FrameworkType, … }`
//! (in `registry.rs`) generates, from that single list:
//!
//! - `frameworks()`, the registry;
//! - `Query`, `Mutation`, `Subscription`: the core's roots merged with each
//!   framework's (its `Framework::Query`, `::Mutation`, `::Subscription`);
//! - the `Node` interface with the core's and every framework's node types
//!   (from each crate's `node_types!` macro, the core's included), `node`/
//!   `nodes` and their resolution (the crate's `assembly::resolve_node`);
//! - `describe_frameworks`, each crate's `assembly::describe`.
//!
//! A framework crate provides, by convention: `assembly::{Framework,
//! resolve_node, describe}` and a `node_types!` macro.

macro_rules! frameworks {
    ($($krate:ident :: $framework:ident),+ $(,)?) => {
        // The core's node types first, by the same convention.
        frameworks!(@collect [] [throughline_domain $($krate)+] [$($krate::$framework)+]);
    };
    // Gather every crate's node types through its `node_types!` callback.
    (@collect $nodes:tt [] $all:tt) => {
        frameworks!(@emit $nodes $all);
    };
    (@collect $nodes:tt [$next:ident $($rest:ident)*] $all:tt) => {
        $next::node_types!(frameworks @collected $nodes [$($rest)*] $all);
    };
    (@collected [$($nodes:tt)*] $rest:tt $all:tt [$($new:tt)*]) => {
        frameworks!(@collect [$($nodes)* $($new)*] $rest $all);
    };
    (@emit [$($variant:ident($($ty:tt)+))*] [$($krate:ident::$framework:ident)+]) => {
        use std::sync::Arc;

        use async_graphql::{Context, ID, Interface, MergedObject, MergedSubscription, Object, Result};
        use throughline_domain::graphql::ids::parse_id;
        use throughline_domain::graphql::{
            CoreMutation, CoreQuery, CoreSubscription, resolve_core_node,
        };
        use throughline_domain::{AnyFramework, DomainError, Framework, FrameworkRegistry};

        /// Every framework compiled into this server.
        pub fn frameworks() -> FrameworkRegistry {
            Arc::from(vec![
                $(Arc::new($krate::assembly::Framework) as Arc<dyn AnyFramework>),+
            ])
        }

        /// Any entity with a global ID.
        #[derive(Interface)]
        #[graphql(field(
            name = "id",
            ty = "ID",
            desc = "Global ID: opaque; pass it to `node` to fetch the entity again."
        ))]
        pub enum Node {
            // Raw tokens, not a `path` fragment: the derive wants a plain type path.
            $($variant($($ty)+),)*
        }

        /// The most IDs one `nodes` call resolves.
        pub const MAX_NODES: usize = 100;

        async fn resolve_node(ctx: &Context<'_>, id: &ID) -> Result<Option<Node>> {
            let Some((type_name, uuid)) = parse_id(id) else {
                return Ok(None);
            };
            // A scoped service-account token reads only the types its scopes open.
            let request = throughline_domain::graphql::request(ctx)?;
            if request.scopes.is_some() {
                let needed = crate::schema::scope_for_node_type(&type_name);
                if !needed.is_some_and(|scope| request.allows(scope)) {
                    return Err(DomainError::forbidden(match needed {
                        Some(scope) => format!(
                            "reading a {type_name} needs the scope {}",
                            scope.as_str()
                        ),
                        None => format!("a token with scopes cannot read a {type_name}"),
                    })
                    .into());
                }
            }
            if let Some(node) = resolve_core_node::<Node>(ctx, &type_name, uuid).await? {
                return Ok(Some(node));
            }
            $(
                if let Some(node) = $krate::assembly::resolve_node::<Node>(ctx, &type_name, uuid).await? {
                    return Ok(Some(node));
                }
            )+
            Ok(None)
        }

        #[derive(Default)]
        pub struct NodeQuery;

        #[Object]
        impl NodeQuery {
            /// Any entity by its global ID; null if there is none in this tenant.
            async fn node(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "The global ID.")] id: ID,
            ) -> Result<Option<Node>> {
                resolve_node(ctx, &id).await
            }

            /// Entities by global ID, in the order given; null where there is none.
            async fn nodes(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "Global IDs, at most 100.")] ids: Vec<ID>,
            ) -> Result<Vec<Option<Node>>> {
                if ids.len() > MAX_NODES {
                    return Err(DomainError::LimitExceeded(format!(
                        "at most {MAX_NODES} IDs per call"
                    ))
                    .into());
                }
                futures_util::future::try_join_all(ids.iter().map(|id| resolve_node(ctx, id))).await
            }
        }

        /// The query root: the core, `node`/`nodes`, and one namespace field per framework.
        #[derive(MergedObject, Default)]
        pub struct Query(
            CoreQuery,
            NodeQuery,
            $(<$krate::$framework as Framework>::Query,)+
        );

        /// The mutation root: the core, and one namespace field per framework.
        #[derive(MergedObject, Default)]
        pub struct Mutation(CoreMutation, $(<$krate::$framework as Framework>::Mutation,)+);

        /// The subscription root: the core's, and each framework's events.
        #[derive(MergedSubscription, Default)]
        pub struct Subscription(
            CoreSubscription,
            $(<$krate::$framework as Framework>::Subscription,)+
        );

        /// Descriptions for the types each framework's GraphQL generates.
        pub fn describe_frameworks<Q, M, S>(
            builder: async_graphql::SchemaBuilder<Q, M, S>,
        ) -> async_graphql::SchemaBuilder<Q, M, S> {
            $(let builder = $krate::assembly::describe(builder);)+
            builder
        }
    };
}
