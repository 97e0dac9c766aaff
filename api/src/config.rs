//! Configuration: `THROUGHLINE_*` environment variables (and `DATABASE_URL`)
//! over an optional `throughline.toml`. Invalid values stop start-up with a
//! message naming the setting.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// The settings as a TOML file spells them (every key optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    env: Option<String>,
    jwt_secret: Option<String>,
    jwt_public_key_file: Option<String>,
    jwks_url: Option<String>,
    jwt_issuer: Option<String>,
    jwt_audience: Option<String>,
    log: Option<String>,
    log_format: Option<String>,
    introspection: Option<bool>,
    max_depth: Option<usize>,
    max_complexity: Option<usize>,
    max_aliases: Option<usize>,
    max_directives: Option<usize>,
    max_body_bytes: Option<usize>,
    request_timeout_seconds: Option<u64>,
    session_cache_seconds: Option<u64>,
    batch_delay_micros: Option<u64>,
    event_poll_seconds: Option<u64>,
    link_verified_emails: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// Where the keys that verify bearer tokens come from.
#[derive(Clone, Debug)]
pub enum KeyConfig {
    /// HS256 with this secret.
    Secret(String),
    /// RS256 or ES256 with this PEM public key.
    PublicKeyFile(PathBuf),
    /// RS256 or ES256 with keys from the identity provider's JWKS.
    JwksUrl(String),
    /// Nothing configured: outside production, a secret generated once and kept in the database.
    Generated,
}

#[derive(Clone, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_directives: usize,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub introspection: bool,
    pub suggestions: bool,
    /// How long a DataLoader collects keys before it queries: long enough that
    /// every row of a page joins one batch, short enough not to be felt.
    pub batch_delay: Duration,
    /// How long a verified session is reused for requests with the same
    /// token (see `sessions`); zero turns the cache off.
    pub session_cache_ttl: Duration,
    /// How often a WebSocket's running subscriptions check their
    /// credentials again: as long as a session is reused, at least a second.
    pub socket_recheck: Duration,
    /// How often open action items reaching their due date are looked for
    /// and announced (`service::review_reminders`).
    pub reminder_sweep: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 16,
            max_complexity: 10_000,
            max_aliases: 30,
            max_directives: 10,
            // A directory sync of 5,000 records (the default batch limit) is
            // about 1.5 MB of variables; parse work is bounded by the
            // document's token limit, not its bytes.
            max_body_bytes: 4 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            introspection: true,
            suggestions: true,
            batch_delay: Duration::from_millis(2),
            session_cache_ttl: Duration::from_secs(5),
            socket_recheck: Duration::from_secs(5),
            reminder_sweep: Duration::from_secs(60),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub listen: SocketAddr,
    pub environment: Environment,
    pub keys: KeyConfig,
    pub issuer: String,
    pub audience: String,
    pub log: String,
    pub json_logs: bool,
    pub limits: Limits,
    pub event_poll: Duration,
    /// Whether a token from the identity provider whose `email_verified` is
    /// true may claim an existing user with that e-mail who has no identity
    /// yet (users invited or synced before their first login).
    pub link_verified_emails: bool,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://throughline.db?mode=rwc";

/// A configuration error: which setting, and what is wrong with it.
#[derive(Debug)]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid configuration: {}: {}",
            self.setting, self.message
        )
    }
}

impl std::error::Error for ConfigError {}

fn error(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: setting.to_string(),
        message: message.into(),
    }
}

/// Reads one setting: the environment variable wins over the file.
fn pick(env: &dyn Fn(&str) -> Option<String>, var: &str, file: Option<String>) -> Option<String> {
    env(var).filter(|v| !v.is_empty()).or(file)
}

fn parse_number<T: std::str::FromStr>(
    env: &dyn Fn(&str) -> Option<String>,
    var: &str,
    file: Option<T>,
    default: T,
) -> Result<T, ConfigError> {
    match env(var).filter(|v| !v.is_empty()) {
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| error(var, format!("{text:?} is not a whole number"))),
        None => Ok(file.unwrap_or(default)),
    }
}

fn parse_bool(
    env: &dyn Fn(&str) -> Option<String>,
    var: &str,
    file: Option<bool>,
    default: bool,
) -> Result<bool, ConfigError> {
    match env(var).filter(|v| !v.is_empty()).as_deref().map(str::trim) {
        Some("true" | "1" | "yes" | "on") => Ok(true),
        Some("false" | "0" | "no" | "off") => Ok(false),
        Some(other) => Err(error(var, format!("{other:?} is not true or false"))),
        None => Ok(file.unwrap_or(default)),
    }
}

impl Config {
    /// Loads from the process environment and `THROUGHLINE_CONFIG` (default
    /// `./throughline.toml`, if it exists).
    pub fn load() -> Result<Self, ConfigError> {
        Self::from_sources(&|name| std::env::var(name).ok())
    }

    /// Loads from the given environment lookup (tests pass a map).
    pub fn from_sources(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let explicit = env("THROUGHLINE_CONFIG").filter(|v| !v.is_empty());
        let path = PathBuf::from(
            explicit
                .clone()
                .unwrap_or_else(|| "throughline.toml".into()),
        );
        let file: FileConfig = if path.exists() {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                error(
                    "THROUGHLINE_CONFIG",
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            toml::from_str(&text).map_err(|e| error(&path.display().to_string(), e.to_string()))?
        } else if explicit.is_some() {
            return Err(error(
                "THROUGHLINE_CONFIG",
                format!("{} does not exist", path.display()),
            ));
        } else {
            FileConfig::default()
        };

        let environment = match pick(env, "THROUGHLINE_ENV", file.env)
            .as_deref()
            .unwrap_or("development")
        {
            "development" | "dev" => Environment::Development,
            "production" | "prod" => Environment::Production,
            other => {
                return Err(error(
                    "THROUGHLINE_ENV",
                    format!("{other:?} is neither development nor production"),
                ));
            }
        };
        let listen_text =
            pick(env, "THROUGHLINE_LISTEN", file.listen).unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen_text.parse().map_err(|_| {
            error(
                "THROUGHLINE_LISTEN",
                format!("{listen_text:?} is not an address like 127.0.0.1:8080"),
            )
        })?;
        let database_url = pick(env, "DATABASE_URL", file.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(error("DATABASE_URL", "use sqlite://… or postgres://…"));
        }
        let secret = pick(env, "THROUGHLINE_JWT_SECRET", file.jwt_secret);
        let pem = pick(
            env,
            "THROUGHLINE_JWT_PUBLIC_KEY_FILE",
            file.jwt_public_key_file,
        );
        let jwks = pick(env, "THROUGHLINE_JWKS_URL", file.jwks_url);
        let keys = match (secret, pem, jwks) {
            (Some(secret), None, None) => {
                if secret.len() < 32 {
                    return Err(error(
                        "THROUGHLINE_JWT_SECRET",
                        "use at least 32 characters",
                    ));
                }
                KeyConfig::Secret(secret)
            }
            (None, Some(path), None) => {
                let path = PathBuf::from(path);
                if !path.exists() {
                    return Err(error(
                        "THROUGHLINE_JWT_PUBLIC_KEY_FILE",
                        format!("{} does not exist", path.display()),
                    ));
                }
                KeyConfig::PublicKeyFile(path)
            }
            (None, None, Some(url)) => {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(error("THROUGHLINE_JWKS_URL", "use an http(s) URL"));
                }
                KeyConfig::JwksUrl(url)
            }
            (None, None, None) => {
                if environment == Environment::Production {
                    return Err(error(
                        "THROUGHLINE_JWT_SECRET",
                        "production needs a key configuration: set THROUGHLINE_JWT_SECRET (HS256), THROUGHLINE_JWT_PUBLIC_KEY_FILE or THROUGHLINE_JWKS_URL (RS256/ES256)",
                    ));
                }
                KeyConfig::Generated
            }
            _ => {
                return Err(error(
                    "THROUGHLINE_JWT_SECRET",
                    "set only one of THROUGHLINE_JWT_SECRET, THROUGHLINE_JWT_PUBLIC_KEY_FILE and THROUGHLINE_JWKS_URL",
                ));
            }
        };
        let log_format =
            pick(env, "THROUGHLINE_LOG_FORMAT", file.log_format).unwrap_or_else(|| "text".into());
        let json_logs = match log_format.as_str() {
            "text" => false,
            "json" => true,
            other => {
                return Err(error(
                    "THROUGHLINE_LOG_FORMAT",
                    format!("{other:?} is neither text nor json"),
                ));
            }
        };
        let defaults = Limits::default();
        let mut limits = Limits {
            max_depth: parse_number(
                env,
                "THROUGHLINE_MAX_DEPTH",
                file.max_depth,
                defaults.max_depth,
            )?,
            max_complexity: parse_number(
                env,
                "THROUGHLINE_MAX_COMPLEXITY",
                file.max_complexity,
                defaults.max_complexity,
            )?,
            max_aliases: parse_number(
                env,
                "THROUGHLINE_MAX_ALIASES",
                file.max_aliases,
                defaults.max_aliases,
            )?,
            max_directives: parse_number(
                env,
                "THROUGHLINE_MAX_DIRECTIVES",
                file.max_directives,
                defaults.max_directives,
            )?,
            max_body_bytes: parse_number(
                env,
                "THROUGHLINE_MAX_BODY_BYTES",
                file.max_body_bytes,
                defaults.max_body_bytes,
            )?,
            request_timeout: Duration::from_secs(parse_number(
                env,
                "THROUGHLINE_REQUEST_TIMEOUT_SECONDS",
                file.request_timeout_seconds,
                30,
            )?),
            introspection: parse_bool(env, "THROUGHLINE_INTROSPECTION", file.introspection, true)?,
            suggestions: environment != Environment::Production,
            batch_delay: Duration::from_micros(parse_number(
                env,
                "THROUGHLINE_BATCH_DELAY_MICROS",
                file.batch_delay_micros,
                defaults.batch_delay.as_micros() as u64,
            )?),
            session_cache_ttl: Duration::from_secs(parse_number(
                env,
                "THROUGHLINE_SESSION_CACHE_SECONDS",
                file.session_cache_seconds,
                defaults.session_cache_ttl.as_secs(),
            )?),
            socket_recheck: defaults.socket_recheck,
            reminder_sweep: defaults.reminder_sweep,
        };
        // The bound on a change made elsewhere holds for sockets too.
        limits.socket_recheck = limits.session_cache_ttl.max(Duration::from_secs(1));
        if limits.session_cache_ttl > Duration::from_secs(60) {
            return Err(error(
                "THROUGHLINE_SESSION_CACHE_SECONDS",
                "use 0 (off) to 60 seconds: it bounds how long a revoked membership made elsewhere still works",
            ));
        }
        if limits.batch_delay > Duration::from_millis(50) {
            return Err(error(
                "THROUGHLINE_BATCH_DELAY_MICROS",
                "use 0 to 50000 microseconds: every nesting level of a query waits this long",
            ));
        }
        if limits.max_depth < 13 {
            return Err(error(
                "THROUGHLINE_MAX_DEPTH",
                "below 13, GraphiQL's own introspection query fails",
            ));
        }
        Ok(Self {
            database_url,
            listen,
            environment,
            keys,
            issuer: pick(env, "THROUGHLINE_JWT_ISSUER", file.jwt_issuer)
                .unwrap_or_else(|| "throughline".into()),
            audience: pick(env, "THROUGHLINE_JWT_AUDIENCE", file.jwt_audience)
                .unwrap_or_else(|| "throughline".into()),
            log: pick(env, "THROUGHLINE_LOG", file.log).unwrap_or_else(|| "info".into()),
            json_logs,
            limits,
            event_poll: Duration::from_secs(
                parse_number(
                    env,
                    "THROUGHLINE_EVENT_POLL_SECONDS",
                    file.event_poll_seconds,
                    5,
                )?
                .max(1),
            ),
            link_verified_emails: parse_bool(
                env,
                "THROUGHLINE_LINK_VERIFIED_EMAILS",
                file.link_verified_emails,
                false,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_sources(&|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_are_sqlite_on_localhost_with_a_generated_secret() {
        let config = load(&[("THROUGHLINE_CONFIG", "")]).unwrap();
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert!(matches!(config.keys, KeyConfig::Generated));
        assert_eq!(
            (config.issuer.as_str(), config.audience.as_str()),
            ("throughline", "throughline")
        );
    }

    #[test]
    fn errors_name_the_setting() {
        let cases = [
            (
                vec![("THROUGHLINE_LISTEN", "nowhere")],
                "THROUGHLINE_LISTEN",
            ),
            (vec![("THROUGHLINE_ENV", "staging")], "THROUGHLINE_ENV"),
            (
                vec![("THROUGHLINE_ENV", "production")],
                "THROUGHLINE_JWT_SECRET",
            ),
            (
                vec![("THROUGHLINE_JWT_SECRET", "short")],
                "THROUGHLINE_JWT_SECRET",
            ),
            (vec![("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
            (
                vec![("THROUGHLINE_MAX_DEPTH", "deep")],
                "THROUGHLINE_MAX_DEPTH",
            ),
            (
                vec![("THROUGHLINE_MAX_DEPTH", "5")],
                "THROUGHLINE_MAX_DEPTH",
            ),
            (
                vec![("THROUGHLINE_INTROSPECTION", "maybe")],
                "THROUGHLINE_INTROSPECTION",
            ),
            (
                vec![("THROUGHLINE_CONFIG", "/nonexistent/throughline.toml")],
                "THROUGHLINE_CONFIG",
            ),
        ];
        for (vars, setting) in cases {
            let err = load(&vars).unwrap_err();
            assert_eq!(err.setting, setting, "{vars:?}: {err}");
        }
    }

    #[test]
    fn the_toml_file_is_read_and_the_environment_wins() {
        let path =
            std::env::temp_dir().join(format!("throughline-config-{}.toml", std::process::id()));
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9000\"\nmax_aliases = 5\nlog_format = \"json\"\n",
        )
        .unwrap();
        let file = path.display().to_string();
        let from_file = load(&[("THROUGHLINE_CONFIG", &file)]).unwrap();
        assert_eq!(from_file.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(from_file.limits.max_aliases, 5);
        assert!(from_file.json_logs);
        let overridden = load(&[
            ("THROUGHLINE_CONFIG", &file),
            ("THROUGHLINE_LISTEN", "127.0.0.1:9001"),
        ])
        .unwrap();
        assert_eq!(overridden.listen.to_string(), "127.0.0.1:9001");
        std::fs::write(&path, "colour = \"red\"\n").unwrap();
        let err = load(&[("THROUGHLINE_CONFIG", &file)]).unwrap_err();
        assert_eq!(err.setting, file);
        assert!(err.message.contains("colour"), "{}", err.message);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn production_turns_suggestions_off() {
        let config = load(&[
            ("THROUGHLINE_ENV", "production"),
            ("THROUGHLINE_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ])
        .unwrap();
        assert!(!config.limits.suggestions);
    }
}
