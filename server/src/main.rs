#![recursion_limit = "512"]
//! Project Central server: reads configuration, builds the application, serves it.

use server::{config::Config, startup, telemetry};

#[tokio::main]
async fn main() {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("configuration error: {error}");
            std::process::exit(2);
        }
    };
    telemetry::init(config.log_format);
    if let Err(error) = startup::run(config).await {
        eprintln!("Project Central stopped: {error:#}");
        std::process::exit(1);
    }
}
