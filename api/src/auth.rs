//! Bearer-token authentication with jsonwebtoken 11.
//!
//! jsonwebtoken's defaults are not ours: it skips `nbf` unless told and allows
//! 60 s of leeway. We check `exp`, `nbf`, `iss` and `aud` with 5 s of leeway,
//! and allow only the algorithms of the configured key: HS256 for a secret,
//! RS256/ES256 for public keys, never `none` and never HS against a public key.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use throughline_domain::entity::instance_setting;
use throughline_domain::enums::Role;
use throughline_domain::service::users::{EmailAuthority, Identity};
use throughline_domain::{DomainError, DomainResult};
use tokio::sync::RwLock;

use crate::config::{Config, KeyConfig};

/// Leeway for `exp` and `nbf`: small clock skew only.
pub const LEEWAY_SECONDS: u64 = 5;
const GENERATED_SECRET_KEY: &str = "jwt_secret";

/// The claims we read (and mint).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    /// One audience, or several (RFC 7519): ours must be among them.
    pub aud: Audience,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the identity provider verified `email` (OpenID Connect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The tenant slug the token is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The role the token grants in that tenant: admin, manager, member, integrator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// The `aud` claim: a string or an array of strings.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl From<&str> for Audience {
    fn from(value: &str) -> Self {
        Audience::One(value.to_string())
    }
}

enum Keys {
    Secret(Vec<u8>),
    Public {
        key: DecodingKey,
        algorithms: Vec<Algorithm>,
    },
    Jwks(JwksCache),
}

struct JwksCache {
    url: String,
    client: reqwest::Client,
    keys: RwLock<HashMap<String, (DecodingKey, Algorithm)>>,
}

impl JwksCache {
    async fn refresh(&self) -> DomainResult<()> {
        let set: JwkSet = self
            .client
            .get(&self.url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| DomainError::Internal(format!("fetching the JWKS: {e}")))?
            .json()
            .await
            .map_err(|e| DomainError::Internal(format!("reading the JWKS: {e}")))?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            let algorithm = match &jwk.algorithm {
                jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => Algorithm::RS256,
                jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
                // Symmetric or exotic keys in a JWKS are never trusted.
                _ => continue,
            };
            if let Ok(key) = DecodingKey::from_jwk(jwk) {
                keys.insert(kid, (key, algorithm));
            }
        }
        *self.keys.write().await = keys;
        Ok(())
    }

    async fn key_for(&self, kid: &str) -> DomainResult<Option<(DecodingKey, Algorithm)>> {
        if let Some(found) = self.keys.read().await.get(kid) {
            return Ok(Some(found.clone()));
        }
        // An unknown kid may be a rotated key: refresh once, then give up.
        self.refresh().await?;
        Ok(self.keys.read().await.get(kid).cloned())
    }
}

/// Verifies bearer tokens (and, with a secret, mints them).
pub struct Authenticator {
    keys: Keys,
    issuer: String,
    audience: String,
    link_verified_emails: bool,
}

fn unauthenticated(message: &str) -> DomainError {
    DomainError::Unauthenticated(message.to_string())
}

impl Authenticator {
    /// Builds from configuration; a generated secret is read from (or first
    /// written to) the database.
    pub async fn from_config(config: &Config, db: &DatabaseConnection) -> Result<Self, String> {
        let keys = match &config.keys {
            KeyConfig::Secret(secret) => Keys::Secret(secret.as_bytes().to_vec()),
            KeyConfig::Generated => Keys::Secret(generated_secret(db).await?.into_bytes()),
            KeyConfig::PublicKeyFile(path) => {
                let pem = std::fs::read(path).map_err(|e| {
                    format!(
                        "THROUGHLINE_JWT_PUBLIC_KEY_FILE: cannot read {}: {e}",
                        path.display()
                    )
                })?;
                if let Ok(key) = DecodingKey::from_rsa_pem(&pem) {
                    Keys::Public {
                        key,
                        algorithms: vec![Algorithm::RS256],
                    }
                } else if let Ok(key) = DecodingKey::from_ec_pem(&pem) {
                    Keys::Public {
                        key,
                        algorithms: vec![Algorithm::ES256],
                    }
                } else {
                    return Err(format!(
                        "THROUGHLINE_JWT_PUBLIC_KEY_FILE: {} is neither an RSA nor an EC public key in PEM",
                        path.display()
                    ));
                }
            }
            KeyConfig::JwksUrl(url) => Keys::Jwks(JwksCache {
                url: url.clone(),
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .map_err(|e| format!("THROUGHLINE_JWKS_URL: {e}"))?,
                keys: RwLock::new(HashMap::new()),
            }),
        };
        Ok(Self {
            keys,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            link_verified_emails: config.link_verified_emails,
        })
    }

    /// An HS256 authenticator (tests, and the `token` command).
    pub fn with_secret(secret: &[u8], issuer: &str, audience: &str) -> Self {
        Self {
            keys: Keys::Secret(secret.to_vec()),
            issuer: issuer.into(),
            audience: audience.into(),
            link_verified_emails: false,
        }
    }

    fn validation(&self, algorithms: Vec<Algorithm>) -> Validation {
        // Only the list below counts; an empty one accepts nothing.
        let mut validation =
            Validation::new(algorithms.first().copied().unwrap_or(Algorithm::RS256));
        validation.algorithms = algorithms;
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation
    }

    /// Verifies a token and returns who it is for. Every failure is
    /// `UNAUTHENTICATED` with a reason a developer can act on.
    pub async fn verify(&self, token: &str) -> DomainResult<Identity> {
        let header = decode_header(token)
            .map_err(|_| unauthenticated("the bearer token is not a well-formed JWT"))?;
        let (key, algorithms) = match &self.keys {
            Keys::Secret(secret) => (DecodingKey::from_secret(secret), vec![Algorithm::HS256]),
            Keys::Public { key, algorithms } => (key.clone(), algorithms.clone()),
            Keys::Jwks(cache) => {
                let kid = header
                    .kid
                    .as_deref()
                    .ok_or_else(|| unauthenticated("the token names no key (`kid`)"))?;
                let (key, algorithm) = cache.key_for(kid).await?.ok_or_else(|| {
                    unauthenticated(
                        "the token was signed with a key the identity provider does not publish",
                    )
                })?;
                (key, vec![algorithm])
            }
        };
        if !algorithms.contains(&header.alg) {
            return Err(unauthenticated(&format!(
                "tokens signed with {:?} are not accepted here; use {:?}",
                header.alg, algorithms
            )));
        }
        let data = decode::<Claims>(token, &key, &self.validation(algorithms)).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            unauthenticated(match e.kind() {
                ErrorKind::ExpiredSignature => "the token has expired",
                ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)",
                ErrorKind::InvalidIssuer => "the token was issued by someone else (iss)",
                ErrorKind::InvalidAudience => "the token is meant for another service (aud)",
                ErrorKind::InvalidSignature => "the token's signature does not verify",
                ErrorKind::MissingRequiredClaim(_) => {
                    "the token lacks a required claim (exp, iss, aud, sub)"
                }
                _ => "the token is not valid",
            })
        })?;
        let claims = data.claims;
        if claims.sub.trim().is_empty() {
            return Err(unauthenticated("the token's subject (sub) is empty"));
        }
        if claims.sub.chars().any(char::is_control) || claims.sub.len() > 255 {
            return Err(unauthenticated(
                "the token's subject (sub) is not a valid identifier",
            ));
        }
        // Our own tokens (an HS256 secret only we and the CLI hold) state the
        // e-mail with authority; an identity provider's only when it says it
        // verified it and this installation allows linking by e-mail.
        let email_authority = match self.keys {
            Keys::Secret(_) => EmailAuthority::Own,
            _ if self.link_verified_emails && claims.email_verified == Some(true) => {
                EmailAuthority::Verified
            }
            _ => EmailAuthority::Unverified,
        };
        let role = match claims.role.as_deref() {
            None => None,
            Some(text) => Some(
                Role::ALL
                    .iter()
                    .copied()
                    .find(|r| r.as_str().eq_ignore_ascii_case(text))
                    .ok_or_else(|| {
                        unauthenticated(
                            "the token's role claim is not admin, manager, member or integrator",
                        )
                    })?,
            ),
        };
        Ok(Identity {
            issuer: claims.iss,
            email_authority,
            subject: claims.sub,
            email: claims.email,
            name: claims.name,
            tenant: claims.tenant,
            role,
            expires_at: Some(claims.exp),
        })
    }

    /// Mints an HS256 token; only possible with a secret.
    pub fn mint(&self, claims: &Claims) -> Result<String, String> {
        match &self.keys {
            Keys::Secret(secret) => encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret))
                .map_err(|e| format!("signing the token: {e}")),
            _ => Err("tokens can only be minted with an HS256 secret; with a public key or JWKS, your identity provider issues them".into()),
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }
}

/// The secret generated for this installation, created on first use.
async fn generated_secret(db: &DatabaseConnection) -> Result<String, String> {
    if let Some(row) = instance_setting::Entity::find_by_id(GENERATED_SECRET_KEY.to_string())
        .one(db)
        .await
        .map_err(|e| format!("reading the generated secret: {e}"))?
    {
        return Ok(row.value);
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let insert = instance_setting::ActiveModel {
        key: Set(GENERATED_SECRET_KEY.to_string()),
        value: Set(secret.clone()),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(db)
    .await;
    match insert {
        Ok(_) => Ok(secret),
        // Another process generated it at the same moment: use theirs.
        Err(_) => instance_setting::Entity::find_by_id(GENERATED_SECRET_KEY.to_string())
            .one(db)
            .await
            .ok()
            .flatten()
            .map(|row| row.value)
            .ok_or_else(|| "could not store the generated secret".to_string()),
    }
}

/// Builds claims for `throughline token`.
pub fn claims_for(
    auth: &Authenticator,
    tenant: &str,
    email: &str,
    role: Role,
    ttl: Duration,
) -> Claims {
    let now = jsonwebtoken::get_current_timestamp();
    Claims {
        sub: email.to_string(),
        iss: auth.issuer().to_string(),
        aud: Audience::One(auth.audience().to_string()),
        exp: now + ttl.as_secs(),
        nbf: Some(now),
        iat: Some(now),
        email: Some(email.to_string()),
        email_verified: None,
        name: None,
        tenant: Some(tenant.to_string()),
        role: Some(role.as_str().to_lowercase()),
    }
}

pub type SharedAuthenticator = Arc<Authenticator>;
