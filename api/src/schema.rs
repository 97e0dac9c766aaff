//! Schema assembly: the core roots, every framework's namespace roots, the
//! `Node` interface, limits, and the checks that run before execution.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::SchemaBuilder;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextResolve, NextSubscribe, NextValidation, ResolveInfo,
};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::{
    ErrorExtensions, ObjectType, Pos, Result, Schema, ServerError, ServerResult, SubscriptionType,
    ValidationResult, Variables,
};
use throughline_domain::enums::TokenScope;
use throughline_domain::graphql::Page;
use throughline_domain::graphql::RequestContext;
use throughline_domain::graphql::types::{
    AuditEntry, EventDeliveryFailure, Metric, MetricValue, OrgUnit, Person,
};
use throughline_domain::{DomainError, ErrorCode};

use crate::config::Limits;
use crate::document_limits;

pub use crate::registry::{MAX_NODES, Mutation, Node, Query, Subscription};

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
            socket_recheck: limits.socket_recheck,
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
    crate::registry::describe_frameworks(builder)
        .override_output_type_description::<Page<Person>>("A page of people.")
        .override_output_type_description::<Page<OrgUnit>>("A page of org units.")
        .override_output_type_description::<Page<Metric>>("A page of metrics.")
        .override_output_type_description::<Page<MetricValue>>("A page of metric values, by period.")
        .override_output_type_description::<Page<AuditEntry>>("A page of audit entries, oldest first.")
        .override_output_type_description::<Page<EventDeliveryFailure>>("A page of failed event deliveries, oldest first.")
        .override_output_type_description::<throughline_domain::graphql::changes::ChangePage>("A page of the change feed, in commit order.")
        .override_output_type_description::<Page<throughline_domain::graphql::service_accounts::ServiceAccount>>("A page of service accounts, oldest first.")
        .override_output_type_description::<Page<throughline_domain::graphql::types::Dashboard>>("A page of dashboards, by title.")
        .override_output_type_description::<Page<throughline_domain::graphql::exceptions::Exception>>("A page of exceptions, worst first, then oldest.")
        .override_output_type_description::<Page<throughline_domain::graphql::reviews::ReviewSeries>>("A page of review series, by title.")
        .override_output_type_description::<Page<throughline_domain::graphql::reviews::ReviewMeeting>>("A page of a series' meetings, in period order.")
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
            return Err(refuse(DomainError::BadUserInput {
                field: format!("variables.{}", definition.name.node),
                message: format!(
                    "the variable ${} of type {} was not provided",
                    definition.name.node, definition.var_type.node
                ),
            }));
        }
    }
    Ok(())
}

struct RequestChecks {
    max_aliases: usize,
    socket_recheck: std::time::Duration,
}

impl ExtensionFactory for RequestChecks {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestChecksExtension {
            max_aliases: self.max_aliases,
            socket_recheck: self.socket_recheck,
        })
    }
}

struct RequestChecksExtension {
    max_aliases: usize,
    /// How often a socket's running subscriptions check their credentials.
    socket_recheck: std::time::Duration,
}

/// A request error about the whole request: no `locations` (a `0:0` one
/// would point nowhere; the spec has them 1-based).
pub fn refuse(error: DomainError) -> ServerError {
    let mut refused = error.extend().into_server_error(Pos::default());
    refused.locations.clear();
    refused
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
        // The document was parsed and bounded in `prepare_request`; what
        // async-graphql checks here (recursion depth, directives per field)
        // are limits.
        let document = next.run(ctx, query, variables).await.map_err(|error| {
            let limit = error.message.starts_with("The recursion depth")
                || error.message.starts_with("The number of directives");
            with_code(
                error,
                if limit {
                    ErrorCode::LimitExceeded
                } else {
                    ErrorCode::GraphqlParseFailed
                },
            )
        })?;
        document_limits::check_document_text(&document).map_err(refuse)?;
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
        if ctx.data_opt::<OperationName>().is_some() {
            check_operation_name(&document, operation_name)?;
        }
        check_required_variables(&document, operation_name, variables)?;
        if let Some(request) = ctx.data_opt::<RequestContext>() {
            check_frameworks(&document, request)?;
            check_scopes(&document, request)?;
        }
        Ok(document)
    }

    /// Validation errors carry a code: limits are `LIMIT_EXCEEDED`, a value
    /// that does not fit its argument's type is `BAD_USER_INPUT` with the
    /// argument's path, the rest `GRAPHQL_VALIDATION_FAILED`.
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| {
                    let message = error.message.as_str();
                    if message == "Query is too complex." || message == "Query is nested too deep."
                    {
                        let text = if message.contains("complex") {
                            "the query asks for too much at once (complexity limit); split it or ask for smaller pages"
                        } else {
                            "the query nests too deep (depth limit)"
                        };
                        let mut refused = refuse(DomainError::LimitExceeded(text.into()));
                        refused.locations = error.locations;
                        refused
                    } else if let Some(reason) = message.strip_prefix("Invalid value for argument ") {
                        let field = first_quoted(reason).unwrap_or_default().to_string();
                        with_field(with_code(error, ErrorCode::BadUserInput), &field)
                    } else {
                        with_code(error, ErrorCode::GraphqlValidationFailed)
                    }
                })
                .collect()
        })
    }

    /// Parses the document here, bounded, before async-graphql walks it:
    /// its own pre-validation checks follow fragment spreads without
    /// memoisation, so a doubling fragment chain would run for minutes.
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: async_graphql::Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<async_graphql::Request> {
        document_limits::check_nesting(&request.query).map_err(refuse)?;
        document_limits::check_variables(&request.variables).map_err(refuse)?;
        // Parsed here unless the transport already did (GET, to refuse
        // mutations); async-graphql then executes this document.
        let document = request.parsed_query().map_err(|error| {
            refuse(DomainError::ParseFailed(format!(
                "the document is not valid GraphQL: {}",
                error.message
            )))
        })?;
        document_limits::check_expansion(document).map_err(refuse)?;
        next.run(ctx, request).await
    }

    /// A panic in a subscription (or any operation over the socket) ends
    /// that stream with INTERNAL; the socket and its worker serve on. A
    /// socket's operations are admitted as requests are, and its
    /// subscriptions re-check their credentials (see `sockets`).
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: futures_util::stream::BoxStream<'s, async_graphql::Response>,
        next: NextSubscribe<'_>,
    ) -> futures_util::stream::BoxStream<'s, async_graphql::Response> {
        use futures_util::StreamExt;
        let caught = std::panic::AssertUnwindSafe(next.run(ctx, stream))
            .catch_unwind()
            .map(|item| {
                item.unwrap_or_else(|panic| {
                    let what = throughline_domain::error::panic_text(panic.as_ref());
                    tracing::error!(panic = %what, "a subscription panicked");
                    async_graphql::Response::from_errors(vec![refuse(DomainError::Internal(
                        format!("panic: {what}"),
                    ))])
                })
            })
            .boxed();
        crate::sockets::guard(ctx, caught, self.socket_recheck)
    }

    /// Names the argument an async-graphql scalar refused.
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<async_graphql::Value>> {
        let field = info.field;
        next.run(ctx, info).await.map_err(|mut error| {
            // An argument its scalar refused: name the argument (or the
            // variable that carried it) as the field.
            if code_of(&error).is_none() && error.message.starts_with("Failed to parse") {
                let at = error.locations.first().copied();
                let argument = field
                    .arguments
                    .iter()
                    .find(|(_, value)| Some(value.pos) == at)
                    .map(
                        |(name, value)| match value.node.to_string().strip_prefix('$') {
                            Some(variable) => format!("variables.{variable}"),
                            None => name.node.to_string(),
                        },
                    );
                error = with_code(error, ErrorCode::BadUserInput);
                if let Some(argument) = argument {
                    error = with_field(error, &argument);
                }
            }
            error
        })
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
        let mut response = next.run(ctx, operation_name).await;
        for error in &mut response.errors {
            code_execution_error(error);
        }
        response
    }
}

fn code_of(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code.as_str()),
        _ => None,
    }
}

/// Sets `extensions.code` unless the error already has one.
pub fn with_code(mut error: ServerError, code: ErrorCode) -> ServerError {
    if code_of(&error).is_none() {
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code.as_str());
    }
    error
}

fn with_field(mut error: ServerError, field: &str) -> ServerError {
    if !field.is_empty() {
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("field", field);
    }
    error
}

/// The first `"…"`-quoted text in an async-graphql message: the argument
/// or variable path it names.
fn first_quoted(text: &str) -> Option<&str> {
    let start = text.find('"')? + 1;
    let len = text[start..].find('"')?;
    Some(&text[start..start + len])
}

/// An execution error without a code is async-graphql's own: an argument
/// value its scalar refused (`BAD_USER_INPUT`), or something unexpected
/// (`INTERNAL`, logged).
fn code_execution_error(error: &mut ServerError) {
    if code_of(error).is_some() {
        return;
    }
    let input = [
        "Failed to parse",
        "Invalid value",
        "Expected input type",
        "Variable ",
    ]
    .iter()
    .any(|prefix| error.message.starts_with(prefix));
    let taken = std::mem::replace(error, ServerError::new(String::new(), None));
    *error = if input {
        let field = taken
            .path
            .iter()
            .map(|segment| match segment {
                async_graphql::PathSegment::Field(name) => name.clone(),
                async_graphql::PathSegment::Index(i) => i.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".");
        with_field(with_code(taken, ErrorCode::BadUserInput), &field)
    } else {
        tracing::error!(message = %taken.message, path = ?taken.path, "uncoded execution error");
        let mut internal = refuse(DomainError::Internal(taken.message));
        internal.path = taken.path;
        internal.locations = taken.locations;
        internal
    };
}

/// An `operationName` that names no operation, or a document of several
/// operations without one, is the client's mistake (`BAD_USER_INPUT`).
fn check_operation_name(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> ServerResult<()> {
    let known = match (&document.operations, operation_name) {
        (DocumentOperations::Single(_), None) => true,
        (DocumentOperations::Single(_), Some(_)) => false,
        (DocumentOperations::Multiple(map), None) => map.len() == 1,
        (DocumentOperations::Multiple(map), Some(name)) => map.keys().any(|n| n.as_str() == name),
    };
    if known {
        return Ok(());
    }
    Err(refuse(DomainError::BadUserInput {
        field: "operationName".into(),
        message: match operation_name {
            Some(name) => format!("the document has no operation named {name:?}"),
            None => "the document has several operations: name one in `operationName`".into(),
        },
    }))
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
                OperationType::Query => roots.query.contains(&name),
                OperationType::Mutation => roots.mutation.contains(&name),
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

/// The scopes that open a root field to a scoped service-account token
/// (any one of them will do); empty: no scope does. `viewer` and
/// introspection are open to every token.
pub fn scopes_for_root_field(
    operation: OperationType,
    field: &str,
) -> Option<&'static [TokenScope]> {
    use TokenScope::*;
    const DIRECTORY_READ: &[TokenScope] = &[DirectoryRead];
    const DIRECTORY_WRITE: &[TokenScope] = &[DirectoryWrite];
    const METRICS_READ: &[TokenScope] = &[MetricsRead];
    const ANY_READ: &[TokenScope] = &[DirectoryRead, MetricsRead];
    Some(match (operation, field) {
        (_, "__typename") | (OperationType::Query, "viewer" | "__schema" | "__type") => &[],
        (OperationType::Query, "person" | "people" | "orgUnit" | "orgUnits") => DIRECTORY_READ,
        // Each ID's type is checked as it resolves.
        (OperationType::Query, "node" | "nodes") => ANY_READ,
        (
            OperationType::Query,
            "metric"
            | "metrics"
            | "strategicPriorities"
            | "periods"
            | "scoreTarget"
            | "dashboards"
            | "exceptions",
        ) => METRICS_READ,
        (OperationType::Query, "changes") => &[ChangesRead],
        (
            OperationType::Mutation,
            "syncDirectory" | "createPerson" | "updatePerson" | "createOrgUnit" | "updateOrgUnit"
            | "deleteOrgUnit",
        ) => DIRECTORY_WRITE,
        (OperationType::Mutation, "recordMetricValues") => &[MetricsWrite],
        (OperationType::Subscription, "metricValueRecorded") => METRICS_READ,
        _ => return None,
    })
}

/// The scope a node type needs from a scoped token.
pub fn scope_for_node_type(type_name: &str) -> Option<TokenScope> {
    match type_name {
        "Person" | "OrgUnit" => Some(TokenScope::DirectoryRead),
        "Metric" | "MetricValue" | "MetricTarget" | "StrategicPriority" | "Dashboard" => {
            Some(TokenScope::MetricsRead)
        }
        _ => None,
    }
}

/// Refuses, before execution, a root field a scoped token's scopes do not
/// open (`FORBIDDEN`, naming the scope that would).
fn check_scopes(document: &ExecutableDocument, request: &RequestContext) -> ServerResult<()> {
    let Some(granted) = &request.scopes else {
        return Ok(());
    };
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(map) => map.values().collect(),
    };
    let names = |scopes: &[TokenScope]| {
        scopes
            .iter()
            .map(|scope| scope.as_str())
            .collect::<Vec<_>>()
            .join(" or ")
    };
    for operation in operations {
        let mut fields = Vec::new();
        root_fields(
            document,
            &operation.node.selection_set.node,
            &mut HashSet::new(),
            &mut fields,
        );
        for field in fields {
            let refusal = match scopes_for_root_field(operation.node.ty, field) {
                Some([]) => continue,
                Some(needed) if needed.iter().any(|scope| granted.contains(scope)) => continue,
                Some(needed) => format!(
                    "`{field}` needs the scope {}; this token has {}",
                    names(needed),
                    names(granted)
                ),
                None => format!(
                    "`{field}` is not open to service-account tokens with scopes (this one has {}); a token without scopes may do what its role may",
                    names(granted)
                ),
            };
            return Err(refuse(DomainError::forbidden(refusal)));
        }
    }
    Ok(())
}
