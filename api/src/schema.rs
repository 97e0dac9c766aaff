//! Schema assembly: the core roots, every framework's namespace roots, the
//! `Node` interface, limits, and the checks that run before execution.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::SchemaBuilder;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextResolve,
    ResolveInfo,
};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::{
    Context, ErrorExtensions, ID, Interface, MergedObject, MergedSubscription, Object, ObjectType,
    Pos, Result, Schema, ServerError, ServerResult, SubscriptionType, Variables,
};
use throughline_domain::DomainError;
use throughline_domain::graphql::Page;
use throughline_domain::graphql::ids::parse_id;
use throughline_domain::graphql::types::{
    AuditEntry, Metric, MetricValue, OrgUnit, Person, StrategicPriority,
};
use throughline_domain::graphql::{
    CoreMutation, CoreNode, CoreQuery, CoreSubscription, RequestContext, resolve_core_node,
};
use throughline_okr::graphql::{OkrCheckIn, OkrCycle, OkrKeyResult, OkrNode, OkrObjective};
use throughline_okr::{OkrMutationRoot, OkrQueryRoot, OkrSubscriptionRoot};

use crate::config::Limits;

/// Any entity with a global ID.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "Global ID: opaque; pass it to `node` to fetch the entity again."
))]
pub enum Node {
    Person(Person),
    OrgUnit(OrgUnit),
    StrategicPriority(StrategicPriority),
    Metric(Metric),
    MetricValue(MetricValue),
    AuditEntry(AuditEntry),
    OkrCycle(OkrCycle),
    OkrObjective(OkrObjective),
    OkrKeyResult(OkrKeyResult),
    OkrCheckIn(OkrCheckIn),
}

impl From<OkrNode> for Node {
    fn from(node: OkrNode) -> Self {
        match node {
            OkrNode::Cycle(n) => Node::OkrCycle(n),
            OkrNode::Objective(n) => Node::OkrObjective(n),
            OkrNode::KeyResult(n) => Node::OkrKeyResult(n),
            OkrNode::CheckIn(n) => Node::OkrCheckIn(n),
        }
    }
}

impl From<CoreNode> for Node {
    fn from(node: CoreNode) -> Self {
        match node {
            CoreNode::Person(n) => Node::Person(n),
            CoreNode::OrgUnit(n) => Node::OrgUnit(n),
            CoreNode::StrategicPriority(n) => Node::StrategicPriority(n),
            CoreNode::Metric(n) => Node::Metric(n),
            CoreNode::MetricValue(n) => Node::MetricValue(n),
            CoreNode::AuditEntry(n) => Node::AuditEntry(n),
        }
    }
}

/// The most IDs one `nodes` call resolves.
pub const MAX_NODES: usize = 100;

async fn resolve_node(ctx: &Context<'_>, id: &ID) -> Result<Option<Node>> {
    let Some((type_name, uuid)) = parse_id(id) else {
        return Ok(None);
    };
    if let Some(node) = resolve_core_node(ctx, &type_name, uuid).await? {
        return Ok(Some(node.into()));
    }
    Ok(
        throughline_okr::graphql::resolve_node(ctx, &type_name, uuid)
            .await?
            .map(Node::from),
    )
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
            return Err(
                DomainError::LimitExceeded(format!("at most {MAX_NODES} IDs per call")).into(),
            );
        }
        futures_util::future::try_join_all(ids.iter().map(|id| resolve_node(ctx, id))).await
    }
}

/// The query root: the core, `node`/`nodes`, and one namespace field per framework.
#[derive(MergedObject, Default)]
pub struct Query(CoreQuery, NodeQuery, OkrQueryRoot);

/// The mutation root: the core, and one namespace field per framework.
#[derive(MergedObject, Default)]
pub struct Mutation(CoreMutation, OkrMutationRoot);

/// The subscription root: the core's, and each framework's events.
#[derive(MergedSubscription, Default)]
pub struct Subscription(CoreSubscription, OkrSubscriptionRoot);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Builds the schema with the limits applied.
pub fn build<Q, M, S>(query: Q, mutation: M, subscription: S, limits: &Limits) -> Schema<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let mut builder = describe_generated_types(Schema::build(query, mutation, subscription))
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_directives(limits.max_directives)
        .extension(RequestChecks {
            max_aliases: limits.max_aliases,
        });
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    if !limits.suggestions {
        builder = builder.disable_suggestions();
    }
    builder.finish()
}

/// Descriptions for types async-graphql generates (connections) or ships
/// (scalars) without one: the schema is the front-end team's manual.
fn describe_generated_types<Q, M, S>(builder: SchemaBuilder<Q, M, S>) -> SchemaBuilder<Q, M, S> {
    throughline_okr::graphql::describe(builder)
        .override_output_type_description::<Page<Person>>("A page of people.")
        .override_output_type_description::<Page<OrgUnit>>("A page of org units.")
        .override_output_type_description::<Page<Metric>>("A page of metrics.")
        .override_output_type_description::<Page<MetricValue>>("A page of metric values, by period.")
        .override_output_type_description::<Page<AuditEntry>>("A page of audit entries, oldest first.")
        .override_output_type_description::<rust_decimal::Decimal>(
            "An exact decimal number, as a string: \"123456789.123456\". Business numbers never pass through floating point.",
        )
}

/// The product schema.
pub fn app_schema(limits: &Limits) -> AppSchema {
    build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
        limits,
    )
}

/// Set once execution starts: errors before it are request errors (HTTP 400
/// under `application/graphql-response+json`).
#[derive(Clone, Default)]
pub struct ExecutionStarted(pub Arc<AtomicBool>);

impl ExecutionStarted {
    pub fn get(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The operation the client asked to run (GraphQL-over-HTTP `operationName`).
#[derive(Clone, Default)]
pub struct OperationName(pub Option<String>);

/// A missing or null value for a required variable is a request error
/// (async-graphql 7.2 only notices it when a resolver reads the variable).
fn check_required_variables(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> ServerResult<()> {
    let operation = match &document.operations {
        DocumentOperations::Single(op) => Some(op),
        DocumentOperations::Multiple(map) => operation_name
            .and_then(|name| map.iter().find(|(n, _)| n.as_str() == name))
            .map(|(_, op)| op),
    };
    let Some(operation) = operation else {
        return Ok(());
    };
    for definition in &operation.node.variable_definitions {
        let definition = &definition.node;
        let provided = variables
            .get(&definition.name.node)
            .is_some_and(|value| !matches!(value, async_graphql::Value::Null));
        if !definition.var_type.node.nullable && definition.default_value.is_none() && !provided {
            return Err(refuse(DomainError::validation(
                format!("variables.{}", definition.name.node),
                format!(
                    "the variable ${} of type {} was not provided",
                    definition.name.node, definition.var_type.node
                ),
            )));
        }
    }
    Ok(())
}

struct RequestChecks {
    max_aliases: usize,
}

impl ExtensionFactory for RequestChecks {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestChecksExtension {
            max_aliases: self.max_aliases,
        })
    }
}

struct RequestChecksExtension {
    max_aliases: usize,
}

fn refuse(error: DomainError) -> ServerError {
    error.extend().into_server_error(Pos::default())
}

#[async_trait::async_trait]
impl Extension for RequestChecksExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let aliases = count_aliases(&document);
        if aliases > self.max_aliases {
            return Err(refuse(DomainError::LimitExceeded(format!(
                "the document uses {aliases} aliases; the limit is {}",
                self.max_aliases
            ))));
        }
        let operation_name = ctx
            .data_opt::<OperationName>()
            .and_then(|name| name.0.as_deref());
        check_required_variables(&document, operation_name, variables)?;
        if let Some(request) = ctx.data_opt::<RequestContext>() {
            check_frameworks(&document, request)?;
        }
        Ok(document)
    }

    /// Each mutation field (at the root or in a framework's serial
    /// namespace) starts with fresh DataLoaders.
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<async_graphql::Value>> {
        if info.parent_type.ends_with("Mutation")
            && let Some(request) = ctx.data_opt::<RequestContext>()
        {
            request.forget_loaded();
        }
        next.run(ctx, info).await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> async_graphql::Response {
        if let Some(flag) = ctx.data_opt::<ExecutionStarted>() {
            flag.0.store(true, Ordering::SeqCst);
        }
        next.run(ctx, operation_name).await
    }
}

fn selection_sets(document: &ExecutableDocument) -> Vec<&SelectionSet> {
    let mut sets: Vec<&SelectionSet> = document
        .fragments
        .values()
        .map(|f| &f.node.selection_set.node)
        .collect();
    sets.extend(
        document
            .operations
            .iter()
            .map(|(_, op)| &op.node.selection_set.node),
    );
    sets
}

fn count_aliases(document: &ExecutableDocument) -> usize {
    fn walk(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    usize::from(field.node.alias.is_some()) + walk(&field.node.selection_set.node)
                }
                Selection::InlineFragment(fragment) => walk(&fragment.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    selection_sets(document).into_iter().map(walk).sum()
}

/// The root field names an operation selects, through fragments.
fn root_fields<'d>(
    document: &'d ExecutableDocument,
    set: &'d SelectionSet,
    seen: &mut HashSet<&'d str>,
    out: &mut Vec<&'d str>,
) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => out.push(field.node.name.node.as_str()),
            Selection::InlineFragment(fragment) => {
                root_fields(document, &fragment.node.selection_set.node, seen, out)
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                if seen.insert(name)
                    && let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node)
                {
                    root_fields(document, &fragment.node.selection_set.node, seen, out);
                }
            }
        }
    }
}

/// Refuses, before execution, any root field of a framework the tenant has
/// not enabled (`FRAMEWORK_DISABLED`).
fn check_frameworks(document: &ExecutableDocument, request: &RequestContext) -> ServerResult<()> {
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(map) => map.values().collect(),
    };
    for operation in operations {
        let mut fields = Vec::new();
        root_fields(
            document,
            &operation.node.selection_set.node,
            &mut HashSet::new(),
            &mut fields,
        );
        for framework in request.registry.iter() {
            if request.enabled_frameworks.contains(framework.key()) {
                continue;
            }
            let roots = framework.roots();
            let owned = |name: &str| match operation.node.ty {
                OperationType::Query => roots.query == Some(name),
                OperationType::Mutation => roots.mutation == Some(name),
                OperationType::Subscription => roots.subscriptions.contains(&name),
            };
            if fields.iter().any(|name| owned(name)) {
                return Err(refuse(DomainError::FrameworkDisabled(
                    framework.key().to_string(),
                )));
            }
        }
    }
    Ok(())
}
