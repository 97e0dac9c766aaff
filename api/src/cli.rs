//! The `throughline` command line.

use std::time::Duration;

use clap::{Parser, Subcommand};
use sea_orm::ConnectionTrait;
use throughline_domain::enums::Role;
use throughline_domain::events::EventBus;
use throughline_domain::service::tenants::{self, NewTenant};

use crate::auth::{Authenticator, claims_for};
use crate::config::{Config, Environment};
use crate::state::AppState;
use crate::{db, registry, schema, seed, server};

#[derive(Parser, Debug)]
#[command(
    name = "throughline",
    version,
    about = "Strategy-to-execution GraphQL backend"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the GraphQL server (SQLite by default; migrates SQLite automatically).
    Serve {
        /// Seed the `demo` tenant and print an admin token.
        #[arg(long)]
        demo: bool,
        /// Apply pending migrations first (needed on PostgreSQL).
        #[arg(long)]
        migrate: bool,
    },
    /// Apply, revert or list migrations.
    Migrate {
        #[arg(value_enum, default_value = "up")]
        action: MigrateAction,
    },
    /// Create or list tenants.
    Tenant {
        #[command(subcommand)]
        action: TenantAction,
    },
    /// Print a signed token (HS256) for a user of a tenant; the user and
    /// membership are provisioned on the token's first use.
    Token {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Lifetime, e.g. 30m, 1h, 7d.
        #[arg(long, default_value = "1h", value_parser = parse_ttl)]
        ttl: Duration,
    },
    /// Instance-wide rights of a user.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Fill a fresh tenant with a synthetic organisation.
    Seed {
        #[arg(long)]
        tenant: String,
        /// 1 to 1,000,000.
        #[arg(long, default_value_t = 1000, value_parser = parse_people)]
        people: usize,
        /// Months of metric values, 1 to 240.
        #[arg(long, default_value_t = 18, value_parser = clap::value_parser!(u32).range(1..=240))]
        months: u32,
        /// The same seed gives the same organisation.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// Let a user (a consultant) create client tenants with `createTenant`;
    /// they must have signed in once.
    AllowTenantCreation {
        email: String,
        /// Take the right away instead.
        #[arg(long)]
        revoke: bool,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert every migration (drops Throughline's tables).
    Down,
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Subcommand, Debug)]
pub enum TenantAction {
    /// Create a tenant.
    Create {
        slug: String,
        #[arg(long)]
        name: String,
        /// Framework keys to enable, comma-separated.
        #[arg(long, value_delimiter = ',')]
        frameworks: Vec<String>,
        /// Month the fiscal year starts, 1–12.
        #[arg(long)]
        fiscal_year_start: Option<i32>,
    },
    /// List tenants.
    List,
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::ALL
        .iter()
        .copied()
        .find(|r| r.as_str().eq_ignore_ascii_case(text))
        .ok_or_else(|| format!("{text:?} is not admin, manager, member or integrator"))
}

fn parse_people(text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=1_000_000).contains(n))
        .ok_or_else(|| format!("{text:?}: give 1 to 1,000,000 people"))
}

pub fn parse_ttl(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 30m, 1h or 7d"))?;
    let seconds = match unit {
        "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" | "" => n.checked_mul(3600),
        "d" => n.checked_mul(86_400),
        _ => return Err(format!("{text:?}: use s, m, h or d")),
    }
    .filter(|s| *s <= 366 * 86_400)
    .ok_or_else(|| format!("{text:?} is longer than a year"))?;
    if seconds == 0 {
        return Err("the lifetime must be positive".into());
    }
    Ok(Duration::from_secs(seconds))
}

fn is_sqlite(config: &Config) -> bool {
    config.database_url.starts_with("sqlite:")
}

/// Runs a command; errors are messages for the terminal.
pub async fn run(cli: Cli, config: Config) -> Result<(), String> {
    let registry = registry::frameworks();
    match cli.command {
        Command::Schema => {
            print!("{}", schema::app_schema(&config.limits).sdl());
            Ok(())
        }
        Command::Migrate { action } => {
            let db = db::connect(&config.database_url).await?;
            match action {
                MigrateAction::Up => {
                    throughline_migrations::up(&db, &registry)
                        .await
                        .map_err(|e| format!("migrating up: {e}"))?;
                    println!("migrations applied");
                }
                MigrateAction::Down => {
                    throughline_migrations::down(&db, &registry)
                        .await
                        .map_err(|e| format!("migrating down: {e}"))?;
                    println!("migrations reverted");
                }
                MigrateAction::Status => {
                    for row in throughline_migrations::status(&db, &registry)
                        .await
                        .map_err(|e| e.to_string())?
                    {
                        println!(
                            "{:<10} {:<50} {}",
                            row.migrator,
                            row.name,
                            if row.applied { "applied" } else { "pending" }
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Tenant { action } => {
            let db = db::connect(&config.database_url).await?;
            ensure_migrated(&db, &registry, &config).await?;
            match action {
                TenantAction::Create {
                    slug,
                    name,
                    frameworks,
                    fiscal_year_start,
                } => {
                    let tenant = tenants::create_tenant(
                        &db,
                        &registry,
                        NewTenant {
                            slug,
                            name,
                            fiscal_year_start_month: fiscal_year_start,
                            time_zone: None,
                            frameworks: frameworks
                                .into_iter()
                                .filter(|f| !f.trim().is_empty())
                                .collect(),
                        },
                        None,
                    )
                    .await
                    .map_err(|e| e.message())?;
                    println!("created tenant {} ({})", tenant.slug, tenant.name);
                }
                TenantAction::List => {
                    for tenant in tenants::list_tenants(&db).await.map_err(|e| e.message())? {
                        println!("{}\t{}", tenant.slug, tenant.name);
                    }
                }
            }
            Ok(())
        }
        Command::Token {
            tenant,
            email,
            role,
            ttl,
        } => {
            let db = db::connect(&config.database_url).await?;
            ensure_migrated(&db, &registry, &config).await?;
            if tenants::find_by_slug(&db, &tenant)
                .await
                .map_err(|e| e.message())?
                .is_none()
            {
                return Err(format!(
                    "no tenant {tenant:?}; create it with `throughline tenant create {tenant} --name …`"
                ));
            }
            let email =
                throughline_domain::service::email("--email", &email).map_err(|e| e.message())?;
            let auth = Authenticator::from_config(&config, &db).await?;
            println!(
                "{}",
                auth.mint(&claims_for(&auth, &tenant, &email, role, ttl))?
            );
            Ok(())
        }
        Command::User {
            action: UserAction::AllowTenantCreation { email, revoke },
        } => {
            let db = db::connect(&config.database_url).await?;
            ensure_migrated(&db, &registry, &config).await?;
            let user =
                throughline_domain::service::users::allow_tenant_creation(&db, &email, !revoke)
                    .await
                    .map_err(|e| e.message())?;
            println!(
                "{} {} create tenants",
                user.email,
                if user.may_create_tenants {
                    "may"
                } else {
                    "may not"
                }
            );
            Ok(())
        }
        Command::Seed {
            tenant,
            people,
            months,
            seed: seed_value,
        } => {
            let db = db::connect(&config.database_url).await?;
            ensure_migrated(&db, &registry, &config).await?;
            let tenant = tenants::find_by_slug(&db, &tenant)
                .await
                .map_err(|e| e.message())?
                .ok_or_else(|| format!("no tenant {tenant:?}"))?;
            let started = std::time::Instant::now();
            let summary = seed::seed_organisation(&db, &tenant, people, months, seed_value).await?;
            let frameworks = seed::seed_frameworks(&db, &registry, &tenant, seed_value).await?;
            // Planner statistics for what was just loaded: without them (and
            // with autovacuum off or not yet run) PostgreSQL guesses its plans.
            if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
                db.execute_unprepared("ANALYZE")
                    .await
                    .map_err(|e| e.to_string())?;
            }
            println!(
                "seeded {}: {} org units, {} people, {} priorities, {} metrics, {} values, frameworks [{}] in {:.1?}",
                tenant.slug,
                summary.org_units,
                summary.people,
                summary.priorities,
                summary.metrics,
                summary.metric_values,
                frameworks.join(", "),
                started.elapsed()
            );
            Ok(())
        }
        Command::Serve { demo, migrate } => serve(config, registry, demo, migrate).await,
    }
}

/// SQLite is migrated on use; PostgreSQL only on request (`migrate`, `serve --migrate`).
async fn ensure_migrated(
    db: &sea_orm::DatabaseConnection,
    registry: &throughline_domain::FrameworkRegistry,
    config: &Config,
) -> Result<(), String> {
    if is_sqlite(config) {
        return throughline_migrations::up(db, registry)
            .await
            .map_err(|e| format!("migrating: {e}"));
    }
    if !throughline_migrations::is_current(db, registry)
        .await
        .unwrap_or(false)
    {
        return Err(
            "the database has pending migrations: run `throughline migrate` (or `serve --migrate`)"
                .into(),
        );
    }
    Ok(())
}

async fn serve(
    config: Config,
    registry: throughline_domain::FrameworkRegistry,
    demo: bool,
    migrate: bool,
) -> Result<(), String> {
    let db = db::connect(&config.database_url).await?;
    if migrate {
        throughline_migrations::up(&db, &registry)
            .await
            .map_err(|e| format!("migrating: {e}"))?;
    }
    ensure_migrated(&db, &registry, &config).await?;
    let auth = Authenticator::from_config(&config, &db).await?;
    if demo {
        let token = seed_demo(&db, &registry, &auth).await?;
        println!("\nThroughline demo is ready.");
        println!("GraphiQL: http://{}/graphql", config.listen);
        println!("In GraphiQL's Headers tab, paste:\n{{\"Authorization\": \"Bearer {token}\"}}\n");
    }
    if config.environment == Environment::Development
        && matches!(config.keys, crate::config::KeyConfig::Generated)
    {
        tracing::info!(
            "no JWT key configured: using the generated secret kept in the database (`throughline token` signs with it)"
        );
    }
    let state = AppState {
        db,
        auth: std::sync::Arc::new(auth),
        registry,
        events: EventBus::new(),
        limits: config.limits.clone(),
        rate_limiter: Default::default(),
        sessions: std::sync::Arc::new(crate::sessions::SessionCache::new(
            config.limits.session_cache_ttl,
        )),
    };
    let schema = schema::app_schema(&config.limits);
    let running = server::start(state, schema, config.listen, config.event_poll, None)
        .await
        .map_err(|e| {
            format!(
                "THROUGHLINE_LISTEN: cannot listen on {}: {e}",
                config.listen
            )
        })?;
    tracing::info!(address = %running.addr, "listening");
    running.wait().await.map_err(|e| e.to_string())
}

/// Creates (once) the `demo` tenant with every framework enabled and a
/// believable company, and returns an admin token for it.
async fn seed_demo(
    db: &sea_orm::DatabaseConnection,
    registry: &throughline_domain::FrameworkRegistry,
    auth: &Authenticator,
) -> Result<String, String> {
    if tenants::find_by_slug(db, "demo")
        .await
        .map_err(|e| e.message())?
        .is_none()
    {
        let tenant = tenants::create_tenant(
            db,
            registry,
            NewTenant {
                slug: "demo".into(),
                name: "Northwind Analytics".into(),
                fiscal_year_start_month: Some(1),
                time_zone: Some("Europe/Berlin".into()),
                frameworks: registry.iter().map(|f| f.key().to_string()).collect(),
            },
            None,
        )
        .await
        .map_err(|e| e.message())?;
        seed::seed_organisation(db, &tenant, 50, 18, 7).await?;
        seed::seed_frameworks(db, registry, &tenant, 7).await?;
    }
    let claims = claims_for(
        auth,
        "demo",
        "admin@demo.example",
        Role::Admin,
        Duration::from_secs(7 * 86_400),
    );
    auth.mint(&claims)
}
