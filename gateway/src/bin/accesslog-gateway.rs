//! `accesslog-gateway`: the ingest gateway. `run` serves, `check` validates a configuration,
//! `token` makes a client token and the hash to put in the configuration.

use accesslog_gateway::{config::Config, Gateway};
use clap::{Parser, Subcommand};
use sha2::{Digest, Sha256};
use std::{path::PathBuf, process::ExitCode};

/// Ingest gateway of the access-log chain: HTTP, syslog and pull in, every record on chain
/// exactly once. See docs/gateway.md.
#[derive(Parser)]
#[command(version)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Serve with the given configuration until interrupted.
	Run {
		/// The configuration file (TOML).
		#[arg(long, short, env = "ACCESSLOG_GATEWAY_CONFIG")]
		config: PathBuf,
	},
	/// Check a configuration file and its keys, then exit.
	Check {
		/// The configuration file (TOML).
		#[arg(long, short)]
		config: PathBuf,
	},
	/// Generate a client bearer token; prints the token (give it to the client) and its
	/// SHA-256 (put it in [[clients]] token_sha256).
	Token,
}

#[tokio::main]
async fn main() -> ExitCode {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
		)
		.with_writer(std::io::stderr)
		.init();
	match Cli::parse().command {
		Command::Token => {
			let mut bytes = [0u8; 32];
			if let Err(e) = getrandom::getrandom(&mut bytes) {
				eprintln!("error: no randomness from the OS: {e}");
				return ExitCode::from(1);
			}
			let token = hex::encode(bytes);
			println!("token:        {token}");
			println!("token_sha256: {}", hex::encode(Sha256::digest(token.as_bytes())));
			ExitCode::SUCCESS
		},
		Command::Check { config } => match Config::load(&config) {
			Ok(_) => {
				println!("{}: ok", config.display());
				ExitCode::SUCCESS
			},
			Err(e) => {
				eprintln!("error: {e}");
				ExitCode::from(2)
			},
		},
		Command::Run { config } => {
			let config = match Config::load(&config) {
				Ok(c) => c,
				Err(e) => {
					eprintln!("error: {e}");
					return ExitCode::from(2);
				},
			};
			let gateway = match Gateway::start(config).await {
				Ok(g) => g,
				Err(e) => {
					eprintln!("error: {e}");
					return ExitCode::from(3);
				},
			};
			println!(
				"{}",
				serde_json::json!({ "listening": gateway.addresses, "pending": gateway.shared.queue.pending() })
			);
			let _ = tokio::signal::ctrl_c().await;
			tracing::info!("interrupted; every acknowledged record is in the queue on disk");
			ExitCode::SUCCESS
		},
	}
}
