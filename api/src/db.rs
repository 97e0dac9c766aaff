//! Opening the database.

use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

/// The pool's settings for `url`.
pub fn options(url: &str) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_string());
    options
        .sqlx_logging(false)
        // While the database is away, requests fail fast with
        // SERVICE_UNAVAILABLE instead of queueing for 10 s.
        .acquire_timeout(Duration::from_secs(2))
        .connect_timeout(Duration::from_secs(2))
        .max_connections(if url.starts_with("sqlite:") { 8 } else { 20 });
    options
}

/// Connects to SQLite or PostgreSQL. SQLite gets WAL so readers do not block
/// the writer.
pub async fn connect(url: &str) -> Result<DatabaseConnection, String> {
    let db = Database::connect(options(url))
        .await
        .map_err(|e| format!("DATABASE_URL: cannot connect to the database: {e}"))?;
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode = WAL;")
            .await
            .map_err(|e| format!("DATABASE_URL: cannot enable WAL: {e}"))?;
    }
    Ok(db)
}
