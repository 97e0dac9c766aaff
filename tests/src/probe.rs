//! A small framework that lives only in the tests, built on the kit exactly
//! as a real one: typed settings with their JSON Schema, its own migrator
//! and table declared with `tenant_tables!`, namespace roots with gating,
//! an `on_enabled` hook, a typed core-event handler and a subscription.

use std::sync::Arc;

use async_graphql::{
    Context, InputObject, MergedObject, MergedSubscription, Object, Result, Schema, SimpleObject,
    Subscription,
};
use futures_util::{Stream, StreamExt};
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, Set};
use serde::{Deserialize, Serialize};
use throughline_api::config::Limits;
// A framework reads the core through the kit, and only through it.
use throughline_domain::kit::*;
use throughline_domain::{AnyFramework, FrameworkRegistry};

pub const KEY: &str = "probe";

pub mod note {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "probe_notes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub text: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

throughline_domain::tenant_tables!(owned: note);

mod migration {
    use sea_orm_migration::prelude::*;

    #[derive(DeriveMigrationName)]
    pub struct CreateNotes;

    #[async_trait::async_trait]
    impl MigrationTrait for CreateNotes {
        async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
            manager
                .create_table(
                    Table::create()
                        .table(Alias::new("probe_notes"))
                        .col(
                            ColumnDef::new(Alias::new("id"))
                                .uuid()
                                .not_null()
                                .primary_key(),
                        )
                        .col(ColumnDef::new(Alias::new("tenant_id")).uuid().not_null())
                        .col(ColumnDef::new(Alias::new("text")).string().not_null())
                        .to_owned(),
                )
                .await
        }

        async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
            manager
                .drop_table(Table::drop().table(Alias::new("probe_notes")).to_owned())
                .await
        }
    }

    pub struct Migrator;

    #[async_trait::async_trait]
    impl MigratorTrait for Migrator {
        fn migrations() -> Vec<Box<dyn MigrationTrait>> {
            vec![Box::new(CreateNotes)]
        }
        fn migration_table_name() -> DynIden {
            Alias::new("seaql_migrations_probe").into_iden()
        }
    }
}

/// Typed settings: defaults fill gaps, unknown keys are refused.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
#[derive(schemars::JsonSchema)]
pub struct ProbeSettings {
    pub greeting: String,
    pub limit: u32,
}

impl FrameworkSettings for ProbeSettings {
    fn check(&self) -> DomainResult<()> {
        if !(1..=10).contains(&self.limit) {
            return Err(DomainError::validation(
                "settings.limit",
                "the limit must be between 1 and 10",
            ));
        }
        Ok(())
    }
}

impl Default for ProbeSettings {
    fn default() -> Self {
        Self {
            greeting: "hello".into(),
            limit: 3,
        }
    }
}

pub struct Probe;

#[async_trait::async_trait]
impl Framework for Probe {
    const KEY: &'static str = KEY;
    const NAME: &'static str = "Probe";
    type Settings = ProbeSettings;
    type Migrator = migration::Migrator;
    type Query = ProbeQueryRoot;
    type Mutation = ProbeMutationRoot;
    type Subscription = ProbeSubscriptionRoot;

    /// Makes the tenant's defaults in the enabling transaction: a greeting
    /// that starts with "welcome" leaves a welcome note; "refuse" refuses
    /// the switch (for the tests that prove the hook is atomic).
    async fn on_enabled(&self, tx: &TenantTxn<'_>, settings: &ProbeSettings) -> DomainResult<()> {
        if settings.greeting == "refuse" {
            return Err(DomainError::validation(
                "settings.greeting",
                "the probe refuses to be switched on with this greeting",
            ));
        }
        if settings.greeting.starts_with("welcome") {
            tx.insert(note::ActiveModel {
                id: Set(Uuid::now_v7()),
                text: Set(settings.greeting.clone()),
                ..Default::default()
            })
            .await?;
        }
        Ok(())
    }

    async fn on_event(&self, scope: &TenantScope, event: &CoreEvent) -> DomainResult<()> {
        if let CoreEvent::PersonDeactivated { after, .. } = event {
            let name = &after.name;
            // A handler bug, for the tests that prove it fails alone.
            if name.starts_with("Panic") {
                panic!("the probe handler panics on {name}");
            }
            if name.starts_with("Fail") {
                return Err(throughline_domain::DomainError::validation(
                    "name",
                    format!("the probe handler refuses {name}"),
                ));
            }
            add_note(scope, format!("deactivated {name}")).await?;
        }
        Ok(())
    }
}

async fn add_note(scope: &TenantScope, text: String) -> DomainResult<note::Model> {
    let mut tx = scope.begin().await?;
    let row = tx
        .insert(note::ActiveModel {
            id: Set(Uuid::now_v7()),
            text: Set(text),
            ..Default::default()
        })
        .await?;
    tx.record(Change {
        action: "probe_note.added",
        entity_type: "ProbeNote",
        entity_id: row.id,
        before: None,
        after: Some(&row),
    })
    .await?;
    tx.commit().await?;
    Ok(row)
}

pub fn registry() -> FrameworkRegistry {
    Arc::from(vec![Arc::new(Probe) as Arc<dyn AnyFramework>])
}

fn probe_enabled(ctx: &Context<'_>) -> bool {
    framework_enabled(ctx, KEY)
}

#[derive(Default)]
pub struct ProbeQueryRoot;

#[Object]
impl ProbeQueryRoot {
    /// The probe framework.
    #[graphql(visible = "probe_enabled", guard = "FrameworkGuard(KEY)")]
    async fn probe(&self) -> ProbeQuery {
        ProbeQuery
    }
}

/// The probe framework's queries.
pub struct ProbeQuery;

#[Object]
impl ProbeQuery {
    /// The configured greeting.
    async fn greeting(&self, ctx: &Context<'_>) -> Result<String> {
        let scope = &request(ctx)?.scope;
        Ok(scope.settings::<Probe>(scope).await?.greeting)
    }
    /// Every note, oldest first.
    async fn notes(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let scope = &request(ctx)?.scope;
        let rows = scope
            .select::<note::Entity>()
            .order_by_asc(note::Column::Id)
            .all(scope)
            .await
            .map_err(DomainError::from)?;
        Ok(rows.into_iter().map(|n| n.text).collect())
    }
}

#[derive(Default)]
pub struct ProbeMutationRoot;

#[Object]
impl ProbeMutationRoot {
    /// The probe framework's mutations.
    #[graphql(visible = "probe_enabled", guard = "FrameworkGuard(KEY)")]
    async fn probe(&self) -> ProbeMutation {
        ProbeMutation
    }
}

/// A note to add.
#[derive(InputObject)]
#[graphql(name = "AddProbeNoteInput")]
pub struct AddNoteInput {
    pub text: String,
}

/// The added note.
#[derive(SimpleObject)]
#[graphql(name = "AddProbeNotePayload")]
pub struct AddNotePayload {
    pub text: String,
}

/// The probe framework's mutations, run in order.
pub struct ProbeMutation;

#[Object(serial)]
impl ProbeMutation {
    /// Adds a note.
    async fn add_note(&self, ctx: &Context<'_>, input: AddNoteInput) -> Result<AddNotePayload> {
        // A resolver bug, for the tests that prove a panic fails one request.
        if input.text == "panic now" {
            panic!("the probe resolver panics");
        }
        let scope = &request(ctx)?.scope;
        scope.require_role(&[Role::Admin, Role::Manager], "adding probe notes")?;
        let row = add_note(scope, input.text).await?;
        Ok(AddNotePayload { text: row.text })
    }
}

#[derive(Default)]
pub struct ProbeSubscriptionRoot;

#[Subscription]
impl ProbeSubscriptionRoot {
    /// Notes as they are added.
    #[graphql(visible = "probe_enabled", guard = "FrameworkGuard(KEY)")]
    async fn probe_note_added(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = String>> {
        let scope = &request(ctx)?.scope;
        Ok(scope.subscribe().filter_map(move |event| async move {
            // A stream bug, for the tests that prove it ends one stream.
            if event.after().and_then(|a| a["text"].as_str()) == Some("panic in stream") {
                panic!("the probe subscription panics");
            }
            (event.kind == "probe_note.added")
                .then(|| event.after()?["text"].as_str().map(str::to_string))
                .flatten()
        }))
    }
}

/// The product query root plus the probe framework.
#[derive(MergedObject, Default)]
pub struct TestQuery(throughline_api::schema::Query, ProbeQueryRoot);

/// The product mutation root plus the probe framework.
#[derive(MergedObject, Default)]
pub struct TestMutation(throughline_api::schema::Mutation, ProbeMutationRoot);

/// The product subscription root plus the probe framework.
#[derive(MergedSubscription, Default)]
pub struct TestSubscription(throughline_api::schema::Subscription, ProbeSubscriptionRoot);

pub fn schema(limits: &Limits) -> Schema<TestQuery, TestMutation, TestSubscription> {
    throughline_api::schema::build(
        TestQuery::default(),
        TestMutation::default(),
        TestSubscription::default(),
        limits,
    )
}
