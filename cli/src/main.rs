//! `accesslog`: the one command-line tool of the access-log chain.
//!
//! Operators submit logs, auditors query them and take away evidence bundles that `verify`
//! checks offline, admins run council governance, and everyone can see the nodes' health. All of
//! it is a thin layer over the `accesslog-client` library; see `docs/cli.md` for a walk-through
//! and the exit codes.

mod admin;
mod evidence;
mod exit;
mod finality;
mod keys;
mod output;
mod query;
mod status;
mod submit;

use accesslog_client::Client;
use accesslog_testing::synthetic;
use clap::{Parser, Subcommand};
use exit::Failure;
use std::path::PathBuf;

/// Command-line tool of the access-log chain.
#[derive(Parser)]
#[command(name = "accesslog", version, about, long_about = None)]
struct Cli {
	/// Node RPC endpoints (ws://, wss://, http:// or https://), tried in order with failover.
	/// Comma-separated in the environment variable.
	#[arg(
		long = "url",
		global = true,
		env = "ACCESSLOG_URL",
		value_delimiter = ',',
		default_value = "ws://127.0.0.1:9944"
	)]
	urls: Vec<String>,

	#[command(subcommand)]
	command: Command,
}

/// Where a signing key comes from.
#[derive(clap::Args, Clone, Debug)]
pub struct KeyArgs {
	/// sr25519 key file (see `accesslog keys generate`), mode 0600.
	#[arg(long, env = "ACCESSLOG_KEY_FILE")]
	key_file: Option<PathBuf>,
	/// Name of an environment variable holding the secret URI instead (e.g. `//Alice` in dev).
	#[arg(long, default_value = "ACCESSLOG_KEY")]
	key_env: String,
}

/// Where the pseudonymisation key comes from.
#[derive(clap::Args, Clone, Debug)]
pub struct PseudonymArgs {
	/// Pseudonymisation key file (`{"key_id":N,"secret":"0x…"}`, mode 0600).
	#[arg(long, env = "ACCESSLOG_PSEUDONYM_KEY_FILE")]
	pseudonym_key_file: Option<PathBuf>,
	/// Name of an environment variable holding `<key_id>:<hex secret>` instead.
	#[arg(long, default_value = "ACCESSLOG_PSEUDONYM_KEY")]
	pseudonym_key_env: String,
}

#[derive(Subcommand)]
enum Command {
	/// Generate and inspect keys (submitter/admin sr25519 keys, pseudonymisation keys).
	#[command(subcommand)]
	Keys(keys::KeysCommand),
	/// Submit platform records (JSON Lines) from a file or stdin: validated, pseudonymised,
	/// batched; what the chain already holds is skipped, so reruns store nothing twice.
	Submit(submit::SubmitArgs),
	/// Query entries by citizen, official, agency, time range or source sequence range.
	#[command(subcommand)]
	Query(query::QueryCommand),
	/// Write an evidence bundle for entries: the entries, a storage proof, the finalized header
	/// and its GRANDPA justification.
	Evidence(evidence::EvidenceArgs),
	/// Verify an evidence bundle offline (no node), against the validator set.
	Verify(evidence::VerifyArgs),
	/// Export the current validator set (GRANDPA authorities and set id) for `verify`.
	Validators(evidence::ValidatorsArgs),
	/// Council governance: sources, submitters, members; propose, vote, close.
	#[command(subcommand)]
	Admin(admin::AdminCommand),
	/// Health of every configured node: heights, peers, version, sync state.
	Status(status::StatusArgs),
	/// Measure time to finality (p50/p90/p99) over the next N blocks.
	Finality(finality::FinalityArgs),
	/// Generate deterministic synthetic access logs (JSON Lines or syslog), or hostile cases.
	Generate(GenerateArgs),
}

/// Options of `accesslog generate`.
#[derive(clap::Args)]
struct GenerateArgs {
	/// Number of records.
	#[arg(long, default_value_t = 1000)]
	count: u64,
	/// Seed: the same seed gives the same records.
	#[arg(long, default_value_t = 7)]
	seed: u64,
	/// Output format.
	#[arg(long, value_enum, default_value_t = GenFormat::Jsonl)]
	format: GenFormat,
	/// Time of the first record (RFC 3339).
	#[arg(long, default_value = synthetic::DEFAULT_START)]
	start: String,
	/// Emit hostile cases instead, as `expect<TAB>reason<TAB>line` (expect = reject|accept).
	#[arg(long)]
	bad: bool,
}

#[derive(clap::ValueEnum, Clone, Copy)]
enum GenFormat {
	Jsonl,
	Syslog,
}

fn generate(args: GenerateArgs) -> Result<(), Failure> {
	use std::io::Write;
	let stdout = std::io::stdout();
	let mut out = std::io::BufWriter::new(stdout.lock());
	let write_err = |e: std::io::Error| Failure::io("writing to standard output", e);
	if args.bad {
		for case in synthetic::bad_cases(args.seed) {
			writeln!(out, "{}\t{}\t{}", case.expect.as_str(), case.reason, case.line)
				.map_err(write_err)?;
		}
	} else {
		let start =
			synthetic::parse_start(&args.start).map_err(|e| Failure::usage(e.to_string()))?;
		for r in synthetic::records(args.count, args.seed, start) {
			let line = match args.format {
				GenFormat::Jsonl => r.to_json_line(),
				GenFormat::Syslog => r.to_syslog_line(),
			};
			writeln!(out, "{line}").map_err(write_err)?;
		}
	}
	out.flush().map_err(write_err)
}

/// Connect to the configured endpoints.
pub async fn connect(urls: &[String]) -> Result<Client, Failure> {
	Client::connect(urls).await.map_err(Failure::from)
}

#[tokio::main]
async fn main() {
	let cli = Cli::parse();
	let result = match cli.command {
		Command::Keys(c) => keys::run(c),
		Command::Submit(a) => submit::run(&cli.urls, a).await,
		Command::Query(c) => query::run(&cli.urls, c).await,
		Command::Evidence(a) => evidence::evidence(&cli.urls, a).await,
		Command::Verify(a) => evidence::verify(a),
		Command::Validators(a) => evidence::validators(&cli.urls, a).await,
		Command::Admin(c) => admin::run(&cli.urls, c).await,
		Command::Status(a) => status::run(&cli.urls, a).await,
		Command::Finality(a) => finality::run(&cli.urls, a).await,
		Command::Generate(a) => generate(a),
	};
	if let Err(failure) = result {
		eprintln!("error: {}", failure.message);
		std::process::exit(failure.code);
	}
}
