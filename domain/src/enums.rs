//! Enumerations of the core, stored as strings (never native database enums)
//! and exposed as GraphQL enums.

/// Defines an enum stored as text and exposed as a GraphQL enum, with
/// `as_str`, `parse` and `ALL`. Frameworks use it for their own enums.
#[macro_export]
macro_rules! stored_enum {
    // `Name as "GraphQLName"`: frameworks name their GraphQL types after
    // themselves (`OkrLevel`) while the Rust name stays short.
    ($(#[$meta:meta])* $name:ident as $graphql:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[graphql(name = $graphql, rename_items = "SCREAMING_SNAKE_CASE")]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        $crate::stored_enum!(@text $name { $($variant => $text),+ });
    };
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        $crate::stored_enum!(@text $name { $($variant => $text),+ });
    };
    (@text $name:ident { $($variant:ident => $text:literal),+ }) => {
        // Settings carry stored enums: their JSON Schema lists the values.
        impl $crate::framework::schema::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(
                _: &mut $crate::framework::schema::SchemaGenerator,
            ) -> $crate::framework::schema::Schema {
                $crate::framework::schema::string_enum(&[$(&$name::$variant),+])
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Reads the stored text; an unknown value is a data error, not a client error.
            pub fn parse(text: &str) -> $crate::DomainResult<Self> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::DomainError::Internal(format!(
                        "unknown {} value {other:?} in the database", stringify!($name)
                    ))),
                }
            }
        }
    };
}
pub use stored_enum;

stored_enum!(
    /// A user's role in one tenant.
    Role {
        /// Manages the tenant: its frameworks, settings, people and metrics.
        Admin => "ADMIN",
        /// Sees and manages their whole reporting line.
        Manager => "MANAGER",
        /// An employee.
        Member => "MEMBER",
        /// A service account for HRIS sync and the change feed.
        Integrator => "INTEGRATOR",
    }
);

stored_enum!(
    /// Whether a person currently works for the organisation.
    PersonStatus {
        /// Currently employed.
        Active => "ACTIVE",
        /// Left, or otherwise no longer active; kept for history.
        Inactive => "INACTIVE",
        /// Hired, not started yet (a pre-hire from the HRIS).
        Pending => "PENDING",
    }
);

stored_enum!(
    /// Which way a metric should move.
    MetricDirection {
        /// More is better (revenue, NPS).
        HigherIsBetter => "HIGHER_IS_BETTER",
        /// Less is better (churn, cost per hire).
        LowerIsBetter => "LOWER_IS_BETTER",
        /// Best inside a band (utilisation).
        TargetRange => "TARGET_RANGE",
    }
);

stored_enum!(
    /// Whether a metric predicts an outcome or measures it.
    IndicatorKind {
        /// An input you can act on now that predicts an outcome.
        Leading => "LEADING",
        /// An outcome, known after the fact.
        Lagging => "LAGGING",
    }
);

stored_enum!(
    /// How often a metric gets a value; its values' periods follow it.
    MetricFrequency {
        /// One value per ISO week (periods start on Monday).
        Weekly => "WEEKLY",
        /// One value per calendar month.
        Monthly => "MONTHLY",
        /// One value per fiscal quarter.
        Quarterly => "QUARTERLY",
    }
);

stored_enum!(
    /// How a metric's values combine over a longer period.
    Aggregation {
        /// Add them up (revenue).
        Sum => "SUM",
        /// Their mean (satisfaction score).
        Average => "AVERAGE",
        /// The latest one (headcount).
        Last => "LAST",
    }
);

stored_enum!(
    /// Where a metric value came from.
    ValueSource {
        /// Typed in by a person.
        Manual => "MANUAL",
        /// Loaded from a file or another system in bulk.
        Import => "IMPORT",
        /// Pushed by an integration through the API.
        Api => "API",
    }
);

impl Role {
    /// May manage the tenant's configuration and core data.
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

stored_enum!(
    /// How a directory sync treats the people it is not given.
    SyncMode {
        /// The records given are created or updated; nobody else is touched.
        Upsert => "UPSERT",
        /// The records given are everyone the source has: people of that
        /// source who are missing are deactivated (never deleted).
        FullSnapshot => "FULL_SNAPSHOT",
    }
);

stored_enum!(
    /// What a directory sync did with one record.
    SyncOutcome {
        /// A new person or org unit.
        Created => "CREATED",
        /// An existing one changed (see `changedFields`).
        Updated => "UPDATED",
        /// Nothing to change: the stored record already says this.
        Unchanged => "UNCHANGED",
        /// An active person became inactive (by the record, or missing from a full snapshot).
        Deactivated => "DEACTIVATED",
        /// Not applied; `errors` says why.
        Failed => "FAILED",
    }
);

stored_enum!(
    /// Something a directory change applied but wants you to know.
    SyncWarningCode as "DirectoryWarningCode" {
        /// The manager's external ID matches nobody from this source yet: the person has no manager until a later sync brings that key, which links them automatically.
        ManagerUnresolved => "MANAGER_UNRESOLVED",
        /// The org unit's (or parent unit's) external ID matches no unit from this source yet: linked automatically when a later sync brings it.
        OrgUnitUnresolved => "ORG_UNIT_UNRESOLVED",
        /// The head's external ID matches nobody from this source yet: linked automatically when a later sync brings it.
        HeadUnresolved => "HEAD_UNRESOLVED",
        /// The record's `updatedAt` is older than what was applied before: stale data never wins, nothing changed.
        Stale => "STALE",
        /// The person's manager is inactive.
        ManagerInactive => "MANAGER_INACTIVE",
        /// The deactivated person still has active direct reports, now without an active manager.
        ReportsWithoutActiveManager => "REPORTS_WITHOUT_ACTIVE_MANAGER",
        /// No key from this source yet: the record was matched to the existing person with its e-mail.
        LinkedByEmail => "LINKED_BY_EMAIL",
        /// No key from this source yet: the record was matched to the existing person or unit whose `externalId` is this key.
        LinkedByExternalId => "LINKED_BY_EXTERNAL_ID",
    }
);

stored_enum!(
    /// What a service account's token may do, within its role. A token
    /// without scopes may do everything its role may; with scopes, only the
    /// operations they name (and `viewer`, and introspection).
    TokenScope as "ServiceAccountScope" {
        /// Read people and org units (`people`, `orgUnits`, `person`,
        /// `orgUnit`, and `node` for those types).
        DirectoryRead => "directory:read",
        /// Write people and org units (`syncDirectory`, `createPerson`,
        /// `updatePerson`, `createOrgUnit`, `updateOrgUnit`, `deleteOrgUnit`).
        DirectoryWrite => "directory:write",
        /// Read the change feed (`changes`).
        ChangesRead => "changes:read",
        /// Read metrics, their values and targets, periods, strategic
        /// priorities, dashboards and the core's exceptions.
        MetricsRead => "metrics:read",
        /// Record metric values (`recordMetricValues`).
        MetricsWrite => "metrics:write",
    }
);
