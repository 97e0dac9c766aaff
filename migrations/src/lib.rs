//! Assembles the core migrator and every framework's migrator. The core runs
//! first on the way up and last on the way down; each framework keeps its own
//! migration table (`seaql_migrations_<key>`), so frameworks never interfere.

pub mod core;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseConnection;
use throughline_domain::framework::{FrameworkRegistry, MigrationStep};

pub use crate::core::CoreMigrator;

/// One migration of one migrator, for `migrate status`.
#[derive(Clone, Debug)]
pub struct MigrationRow {
    /// `core` or a framework key.
    pub migrator: String,
    pub name: String,
    pub applied: bool,
}

/// Applies every pending migration: the core's, then each framework's.
pub async fn up(db: &DatabaseConnection, registry: &FrameworkRegistry) -> Result<(), DbErr> {
    CoreMigrator::up(db, None).await?;
    for framework in registry.iter() {
        framework.migrate(db, MigrationStep::Up).await?;
    }
    Ok(())
}

/// Reverts every applied migration: each framework's (last registered
/// first), then the core's. Data is lost; meant for development and tests.
pub async fn down(db: &DatabaseConnection, registry: &FrameworkRegistry) -> Result<(), DbErr> {
    for framework in registry.iter().rev() {
        framework.migrate(db, MigrationStep::Down).await?;
    }
    CoreMigrator::down(db, None).await
}

/// Every known migration and whether it is applied.
pub async fn status(
    db: &DatabaseConnection,
    registry: &FrameworkRegistry,
) -> Result<Vec<MigrationRow>, DbErr> {
    let mut rows: Vec<MigrationRow> = CoreMigrator::get_migration_with_status(db)
        .await?
        .into_iter()
        .map(|m| MigrationRow {
            migrator: "core".into(),
            name: m.name().to_string(),
            applied: m.status() == sea_orm_migration::MigrationStatus::Applied,
        })
        .collect();
    for framework in registry.iter() {
        rows.extend(
            framework
                .migration_status(db)
                .await?
                .into_iter()
                .map(|m| MigrationRow {
                    migrator: framework.key().into(),
                    name: m.name,
                    applied: m.applied,
                }),
        );
    }
    Ok(rows)
}

/// Whether every migration is applied (for `/readyz`).
pub async fn is_current(
    db: &DatabaseConnection,
    registry: &FrameworkRegistry,
) -> Result<bool, DbErr> {
    Ok(status(db, registry).await?.iter().all(|row| row.applied))
}
