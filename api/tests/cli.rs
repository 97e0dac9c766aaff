//! The `throughline` binary as a user runs it: tenants, tokens, schema,
//! migrations, seeding, and a served request signed by a CLI token.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

struct Workspace {
    dir: PathBuf,
}

impl Workspace {
    fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("throughline-cli-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Self { dir }
    }

    fn database_url(&self) -> String {
        format!("sqlite://{}/throughline.db?mode=rwc", self.dir.display())
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_throughline"));
        command
            .args(args)
            .current_dir(&self.dir)
            .env_remove("THROUGHLINE_JWT_SECRET")
            .env_remove("THROUGHLINE_ENV")
            .env("DATABASE_URL", self.database_url())
            .env("THROUGHLINE_LOG", "warn");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(!output.status.success(), "{args:?} should fail");
        String::from_utf8(output.stderr).unwrap()
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn tenants_tokens_schema_and_migrations() {
    let ws = Workspace::new();
    assert!(
        ws.ok(&["tenant", "create", "acme", "--name", "Acme Ltd"])
            .contains("created tenant acme")
    );
    assert!(
        ws.fails(&["tenant", "create", "acme", "--name", "Again"])
            .contains("taken")
    );
    assert!(
        ws.fails(&[
            "tenant",
            "create",
            "beta",
            "--name",
            "Beta",
            "--frameworks",
            "nope"
        ])
        .contains("unknown framework")
    );
    assert!(
        ws.fails(&["tenant", "create", "Bad Slug", "--name", "x"])
            .contains("not a valid slug")
    );
    assert_eq!(ws.ok(&["tenant", "list"]), "acme\tAcme Ltd\n");

    let token = ws.ok(&[
        "token",
        "--tenant",
        "acme",
        "--email",
        "ada@acme.example",
        "--role",
        "admin",
        "--ttl",
        "30m",
    ]);
    assert_eq!(
        token.trim().split('.').count(),
        3,
        "only the JWT is printed: {token}"
    );
    assert!(
        ws.fails(&[
            "token",
            "--tenant",
            "acme",
            "--email",
            "ada@acme.example",
            "--role",
            "admin",
            "--ttl",
            "99999999999999999d",
        ])
        .contains("longer than a year")
    );
    assert!(
        ws.fails(&["user", "allow-tenant-creation", "nobody@acme.example"])
            .contains("signed in")
    );
    assert!(
        ws.fails(&["seed", "--tenant", "acme", "--months", "4000000000"])
            .contains("4000000000")
    );
    assert!(
        ws.fails(&[
            "token",
            "--tenant",
            "nope",
            "--email",
            "ada@acme.example",
            "--role",
            "admin"
        ])
        .contains("no tenant")
    );
    assert!(
        ws.fails(&[
            "token", "--tenant", "acme", "--email", "ada", "--role", "admin"
        ])
        .contains("e-mail")
    );
    assert!(
        ws.fails(&[
            "token",
            "--tenant",
            "acme",
            "--email",
            "a@b.example",
            "--role",
            "owner"
        ])
        .contains("owner")
    );

    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql")).unwrap();
    assert_eq!(ws.ok(&["schema"]), committed);

    assert!(ws.ok(&["migrate", "status"]).contains("applied"));
    ws.ok(&["migrate", "down"]);
    let status = ws.ok(&["migrate", "status"]);
    assert!(
        status.contains("pending") && !status.contains("applied"),
        "{status}"
    );
    ws.ok(&["migrate", "up"]);
    assert!(!ws.ok(&["migrate", "status"]).contains("pending"));

    let production = ws
        .command(&["tenant", "list"])
        .env("THROUGHLINE_ENV", "production")
        .output()
        .unwrap();
    assert_eq!(production.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&production.stderr).contains("THROUGHLINE_JWT_SECRET"));
}

#[test]
fn seeding_is_deterministic_and_fast() {
    let (one, two) = (Workspace::new(), Workspace::new());
    for ws in [&one, &two] {
        ws.ok(&["tenant", "create", "big", "--name", "Big Corp"]);
        let summary = ws.ok(&["seed", "--tenant", "big", "--people", "2000", "--seed", "9"]);
        assert!(summary.contains("2000 people"), "{summary}");
    }
    assert!(
        one.fails(&["seed", "--tenant", "big", "--people", "10"])
            .contains("already has")
    );
    let names = |ws: &Workspace| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            use sea_orm::{ConnectionTrait, Statement};
            let db = sea_orm::Database::connect(ws.database_url()).await.unwrap();
            let rows = db
                .query_all_raw(Statement::from_string(
                    db.get_database_backend(),
                    "SELECT name, title FROM people ORDER BY external_id",
                ))
                .await
                .unwrap();
            rows.iter()
                .map(|r| {
                    format!(
                        "{}|{}",
                        r.try_get::<String>("", "name").unwrap(),
                        r.try_get::<String>("", "title").unwrap()
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        names(&one),
        names(&two),
        "the same seed gives the same organisation"
    );
}

#[test]
fn serve_accepts_a_cli_token_and_stops_gracefully() {
    let ws = Workspace::new();
    ws.ok(&["tenant", "create", "acme", "--name", "Acme Ltd"]);
    let token = ws.ok(&[
        "token",
        "--tenant",
        "acme",
        "--email",
        "ada@acme.example",
        "--role",
        "member",
    ]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = ws
        .command(&["serve"])
        .env("THROUGHLINE_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let body = rt.block_on(async {
        let client = reqwest::Client::new();
        for _ in 0..100 {
            if client
                .get(format!("http://127.0.0.1:{port}/readyz"))
                .send()
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        client
            .post(format!("http://127.0.0.1:{port}/graphql"))
            .bearer_auth(token.trim())
            .json(&serde_json::json!({ "query": "{ viewer { role tenant { slug } } }" }))
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    });
    assert_eq!(
        body["data"]["viewer"],
        serde_json::json!({ "role": "MEMBER", "tenant": { "slug": "acme" } })
    );
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    let status = server.wait().unwrap();
    assert!(
        status.success(),
        "SIGTERM stops the server cleanly: {status:?}"
    );
}
