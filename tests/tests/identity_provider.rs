//! RS256/ES256 tokens from an identity provider: a PEM public key file, or a
//! JWKS URL with keys cached by `kid` and refreshed on an unknown `kid`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;
use throughline_api::auth::{Authenticator, Claims};
use throughline_api::config::Config;
use throughline_tests::{TestApp, start_with_auth};

fn fixture(name: &str) -> String {
    format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn config(vars: &[(&str, String)]) -> Config {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Config::from_sources(&|name| {
        if name == "THROUGHLINE_CONFIG" {
            return Some("".into());
        }
        vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
    .unwrap()
}

fn claims(tenant: &str) -> Claims {
    let now = jsonwebtoken::get_current_timestamp();
    Claims {
        sub: "idp|ada".into(),
        iss: "throughline".into(),
        aud: "throughline".into(),
        exp: now + 600,
        nbf: Some(now),
        iat: Some(now),
        email: Some("ada@acme.example".into()),
        email_verified: None,
        name: Some("Ada Lovelace".into()),
        tenant: Some(tenant.into()),
        role: Some("admin".into()),
    }
}

fn sign(alg: Algorithm, key: &EncodingKey, kid: Option<&str>, claims: &Claims) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    encode(&header, claims, key).unwrap()
}

async fn viewer(app: &TestApp, token: &str) -> throughline_tests::Gql {
    app.gql(
        token,
        "{ viewer { role user { email displayName } } }",
        json!({}),
    )
    .await
}

#[tokio::test]
async fn rs256_and_es256_public_key_files() {
    for (private, public, alg) in [
        ("rsa_private.pem", "rsa_public.pem", Algorithm::RS256),
        ("ec_private.pem", "ec_public.pem", Algorithm::ES256),
    ] {
        let config = config(&[("THROUGHLINE_JWT_PUBLIC_KEY_FILE", fixture(public))]);
        let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
        let auth = Authenticator::from_config(&config, &db).await.unwrap();
        let app = start_with_auth(auth).await;
        app.tenant("acme", &[]).await;
        let pem = std::fs::read(fixture(private)).unwrap();
        let key = if alg == Algorithm::RS256 {
            EncodingKey::from_rsa_pem(&pem).unwrap()
        } else {
            EncodingKey::from_ec_pem(&pem).unwrap()
        };
        let ok = viewer(&app, &sign(alg, &key, None, &claims("acme"))).await;
        assert_eq!(
            ok.data()["viewer"]["user"]["displayName"],
            "Ada Lovelace",
            "{alg:?}"
        );

        // Algorithm confusion: an HS256 token keyed with the public key itself.
        let public_pem = std::fs::read(fixture(public)).unwrap();
        let confused = sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(&public_pem),
            None,
            &claims("acme"),
        );
        let refused = viewer(&app, &confused).await;
        assert_eq!(
            (refused.status, refused.code()),
            (401, "UNAUTHENTICATED"),
            "{alg:?}"
        );
        assert!(
            refused.message().contains("not accepted"),
            "{}",
            refused.message()
        );
    }
}

#[tokio::test]
async fn jwks_keys_are_cached_by_kid_and_refreshed_on_an_unknown_kid() {
    let rsa =
        EncodingKey::from_rsa_pem(&std::fs::read(fixture("rsa_private.pem")).unwrap()).unwrap();
    let ec = EncodingKey::from_ec_pem(&std::fs::read(fixture("ec_private.pem")).unwrap()).unwrap();
    let jwk = |key: &EncodingKey, alg: Algorithm, kid: &str| {
        let mut jwk = Jwk::from_encoding_key(key, alg).unwrap();
        jwk.common.key_id = Some(kid.into());
        jwk
    };
    let published = Arc::new(Mutex::new(JwkSet {
        keys: vec![jwk(&rsa, Algorithm::RS256, "k1")],
    }));
    let fetches = Arc::new(AtomicUsize::new(0));

    // The identity provider: a JWKS endpoint on a free local port.
    let (set, count) = (published.clone(), fetches.clone());
    let idp = actix_web::HttpServer::new(move || {
        let (set, count) = (set.clone(), count.clone());
        actix_web::App::new().route(
            "/jwks.json",
            actix_web::web::get().to(move || {
                let (set, count) = (set.clone(), count.clone());
                async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    let body = serde_json::to_string(&*set.lock().unwrap()).unwrap();
                    actix_web::HttpResponse::Ok()
                        .content_type("application/json")
                        .body(body)
                }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let idp_addr = idp.addrs()[0];
    let idp = idp.run();
    let idp_handle = idp.handle();
    tokio::spawn(idp);

    let config = config(&[(
        "THROUGHLINE_JWKS_URL",
        format!("http://{idp_addr}/jwks.json"),
    )]);
    let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
    let app = start_with_auth(Authenticator::from_config(&config, &db).await.unwrap()).await;
    app.tenant("acme", &[]).await;

    let first = sign(Algorithm::RS256, &rsa, Some("k1"), &claims("acme"));
    assert_eq!(viewer(&app, &first).await.data()["viewer"]["role"], "ADMIN");
    assert_eq!(viewer(&app, &first).await.data()["viewer"]["role"], "ADMIN");
    assert_eq!(fetches.load(Ordering::SeqCst), 1, "keys are cached");

    // The provider rotates in an ES256 key: an unknown kid triggers one refresh.
    published
        .lock()
        .unwrap()
        .keys
        .push(jwk(&ec, Algorithm::ES256, "k2"));
    let rotated = sign(Algorithm::ES256, &ec, Some("k2"), &claims("acme"));
    assert_eq!(
        viewer(&app, &rotated).await.data()["viewer"]["role"],
        "ADMIN"
    );
    assert_eq!(fetches.load(Ordering::SeqCst), 2);

    let unknown = viewer(
        &app,
        &sign(Algorithm::RS256, &rsa, Some("k9"), &claims("acme")),
    )
    .await;
    assert_eq!((unknown.status, unknown.code()), (401, "UNAUTHENTICATED"));
    let no_kid = viewer(&app, &sign(Algorithm::RS256, &rsa, None, &claims("acme"))).await;
    assert_eq!((no_kid.status, no_kid.code()), (401, "UNAUTHENTICATED"));
    // A key's own algorithm only: k1 is RSA, so an ES256 header naming k1 is refused.
    let mismatch = viewer(
        &app,
        &sign(Algorithm::ES256, &ec, Some("k1"), &claims("acme")),
    )
    .await;
    assert_eq!(mismatch.code(), "UNAUTHENTICATED");
    idp_handle.stop(false).await;
}

#[tokio::test]
async fn a_login_is_its_issuer_and_subject_never_an_email_alone() {
    use throughline_api::auth::Audience;
    let config = config(&[
        ("THROUGHLINE_JWT_PUBLIC_KEY_FILE", fixture("rsa_public.pem")),
        ("THROUGHLINE_LINK_VERIFIED_EMAILS", "true".into()),
    ]);
    let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
    let auth = Authenticator::from_config(&config, &db).await.unwrap();
    let app = start_with_auth(auth).await;
    app.tenant("acme", &[]).await;
    let key =
        EncodingKey::from_rsa_pem(&std::fs::read(fixture("rsa_private.pem")).unwrap()).unwrap();
    let token = |claims: &Claims| sign(Algorithm::RS256, &key, None, claims);

    let ada = viewer(&app, &token(&claims("acme"))).await;
    assert_eq!(ada.data()["viewer"]["user"]["email"], "ada@acme.example");

    // Another subject carrying Ada's e-mail does not become Ada, not even
    // with the e-mail marked verified: Ada is bound to her own subject.
    let mut mallory = claims("acme");
    mallory.sub = "idp|mallory".into();
    mallory.role = None;
    for verified in [None, Some(true)] {
        mallory.email_verified = verified;
        let refused = viewer(&app, &token(&mallory)).await;
        assert_eq!(
            (refused.status, refused.code()),
            (401, "UNAUTHENTICATED"),
            "{verified:?}: {}",
            refused.body
        );
    }

    let mut empty = claims("acme");
    empty.sub = " ".into();
    let refused = viewer(&app, &token(&empty)).await;
    assert_eq!((refused.status, refused.code()), (401, "UNAUTHENTICATED"));
    assert!(refused.message().contains("sub"), "{}", refused.message());

    // RFC 7519: `aud` may be an array; ours must be in it.
    let mut several = claims("acme");
    several.aud = Audience::Many(vec!["billing".into(), "throughline".into()]);
    let ok = viewer(&app, &token(&several)).await;
    assert_eq!(ok.data()["viewer"]["user"]["email"], "ada@acme.example");
    several.aud = Audience::Many(vec!["billing".into()]);
    let refused = viewer(&app, &token(&several)).await;
    assert_eq!((refused.status, refused.code()), (401, "UNAUTHENTICATED"));
}
