//! `accesslog-exporter`: the reference log-export endpoint the gateway's pull input polls.
//! Serves a JSON Lines file (followed as it grows) at `GET /v1/export?after=<cursor>&limit=<n>`.

use clap::Parser;
use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

/// Serve a JSON Lines log file through the export API (see docs/gateway.md).
#[derive(Parser)]
#[command(version)]
struct Cli {
	/// The JSON Lines file to serve.
	#[arg(long)]
	file: PathBuf,
	/// Listen address.
	#[arg(long, default_value = "127.0.0.1:8090")]
	listen: SocketAddr,
	/// Environment variable holding a bearer token requests must present.
	#[arg(long)]
	token_env: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
	let cli = Cli::parse();
	if !cli.file.is_file() {
		eprintln!("error: {} is not a file", cli.file.display());
		return ExitCode::from(2);
	}
	let token = match &cli.token_env {
		Some(var) => match std::env::var(var) {
			Ok(t) => Some(t),
			Err(_) => {
				eprintln!("error: environment variable {var} is not set");
				return ExitCode::from(2);
			},
		},
		None => None,
	};
	match accesslog_gateway::pull::serve_export(cli.file, cli.listen, token).await {
		Ok(addr) => println!("{}", serde_json::json!({ "listening": addr })),
		Err(e) => {
			eprintln!("error: cannot listen on {}: {e}", cli.listen);
			return ExitCode::from(1);
		},
	}
	let _ = tokio::signal::ctrl_c().await;
	ExitCode::SUCCESS
}
