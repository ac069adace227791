//! `accesslog-console`: run the audit console, check its configuration, or hash a password for
//! it.

use accesslog_console::config::Config;
use clap::{Parser, Subcommand};
use std::{io::BufRead, path::PathBuf, process::ExitCode};

/// The audit console of the access-log chain.
#[derive(Parser)]
#[command(version)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Serve the console.
	Run {
		/// The configuration file (see deploy/console.example.toml).
		#[arg(long, short)]
		config: PathBuf,
	},
	/// Check a configuration file and exit.
	Check {
		/// The configuration file.
		#[arg(long, short)]
		config: PathBuf,
	},
	/// Read a password from standard input and print its Argon2id hash for `[[users]]`.
	HashPassword,
	/// Register the configured audit source and authorize the console's key through the
	/// council, where missing (for test and development chains; a real council votes with
	/// `accesslog admin`).
	SetupAuditSource {
		/// The configuration file.
		#[arg(long, short)]
		config: PathBuf,
		/// Environment variable holding a council member's secret URI; repeat for as many
		/// members as a motion needs.
		#[arg(long = "council-env", required = true)]
		council: Vec<String>,
	},
}

#[tokio::main]
async fn main() -> ExitCode {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
		)
		.with_writer(std::io::stderr)
		.init();
	match Cli::parse().command {
		Command::HashPassword => {
			let mut line = String::new();
			if std::io::stdin().lock().read_line(&mut line).is_err() || line.trim_end().is_empty() {
				eprintln!("error: give the password on standard input");
				return ExitCode::from(2);
			}
			println!(
				"{}",
				accesslog_console::auth::hash_password(line.trim_end_matches(['\r', '\n']))
			);
			ExitCode::SUCCESS
		},
		Command::SetupAuditSource { config, council } => {
			let config = match Config::load(&config) {
				Ok(c) => c,
				Err(e) => {
					eprintln!("error: {e}");
					return ExitCode::from(2);
				},
			};
			match setup_audit_source(&config, &council).await {
				Ok(id) => {
					println!(
						"{}",
						serde_json::json!({ "audit_source": id, "name": config.audit.source })
					);
					ExitCode::SUCCESS
				},
				Err(e) => {
					eprintln!("error: {e}");
					ExitCode::from(3)
				},
			}
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
			let console = match accesslog_console::start(config).await {
				Ok(c) => c,
				Err(e) => {
					eprintln!("error: {e}");
					return ExitCode::from(3);
				},
			};
			println!(
				"{}",
				serde_json::json!({ "listening": console.addr.to_string(), "url": format!("http://{}/", console.addr) })
			);
			let _ = tokio::signal::ctrl_c().await;
			ExitCode::SUCCESS
		},
	}
}

async fn setup_audit_source(config: &Config, council: &[String]) -> Result<u32, String> {
	use accesslog_client::{keys::KeySource, Client, Submitter};
	let submitter = config.audit.submitter_key.keypair().map_err(|e| format!("audit: {e}"))?;
	let mut members = Vec::new();
	for var in council {
		members.push(Submitter::new(
			KeySource::Env(var.clone()).keypair().map_err(|e| e.to_string())?,
		));
	}
	let client = Client::connect(&config.nodes).await.map_err(|e| format!("nodes: {e}"))?;
	let account = Submitter::new(submitter).account_id();
	accesslog_console::audit::register(
		&client,
		&config.audit.source,
		&config.audit.agency,
		&account,
		&members,
	)
	.await
	.map_err(|e| e.to_string())
}
