// The merged GraphQL roots nest deep enough that computing their resolvers'
// future layouts passes rustc's default query depth in a release build of
// the binary too (the library sets the same limit).
#![recursion_limit = "256"]

use clap::Parser;
use throughline_api::cli::{Cli, run};
use throughline_api::config::Config;

/// mimalloc instead of glibc's malloc: a request allocates many small
/// short-lived objects (rows, values, futures), where glibc spent a fifth of
/// the server's CPU on a page of objectives (profiled with perf).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.json_logs {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let config = match Config::load() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(2);
        }
    };
    init_logging(&config);
    if let Err(message) = run(cli, config).await {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}
