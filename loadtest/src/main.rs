//! `accesslog-load`: load scenarios against a running network and gateway (docs/performance.md).

use accesslog_client::keys::pseudonym_key_from_env;
use accesslog_load::{sla, Summary};
use clap::{Parser, Subcommand};
use std::{path::PathBuf, process::ExitCode, time::Duration};

/// Load generator of the access-log chain.
#[derive(Parser)]
#[command(version)]
struct Cli {
	#[command(subcommand)]
	scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
	/// N concurrent users (submissions through the gateway, auditor queries on the nodes);
	/// PASS/FAIL per operation against the requirement: average < 5 s, maximum <= 8 s.
	Sla {
		/// Gateway base URL.
		#[arg(long, default_value = "http://127.0.0.1:8080")]
		gateway: String,
		/// Environment variable holding the gateway client token.
		#[arg(long, default_value = "ACCESSLOG_GATEWAY_TOKEN")]
		token_env: String,
		/// Node endpoints for the queries, comma-separated.
		#[arg(
			long,
			env = "ACCESSLOG_URL",
			value_delimiter = ',',
			default_value = "ws://127.0.0.1:9944"
		)]
		nodes: Vec<String>,
		/// Source name of the submitted records.
		#[arg(long, default_value = "kcg-household-api")]
		source: String,
		/// Environment variable holding the pseudonymisation key (`<key id>:0x<hex>`).
		#[arg(long, default_value = "ACCESSLOG_PSEUDONYM_KEY")]
		key_env: String,
		/// Concurrent users.
		#[arg(long, default_value_t = 50)]
		users: usize,
		/// Duration, seconds.
		#[arg(long, default_value_t = 600)]
		duration: u64,
		/// Write the results as JSON here.
		#[arg(long)]
		out: Option<PathBuf>,
	},
}

#[tokio::main]
async fn main() -> ExitCode {
	let Scenario::Sla { gateway, token_env, nodes, source, key_env, users, duration, out } =
		Cli::parse().scenario;
	let Ok(token) = std::env::var(&token_env) else {
		eprintln!(
			"error: set {token_env} to the gateway client token (scripts/gateway.sh prints it)"
		);
		return ExitCode::from(2);
	};
	let key = match pseudonym_key_from_env(&key_env) {
		Ok(k) => k,
		Err(e) => {
			eprintln!("error: {e}");
			return ExitCode::from(2);
		},
	};
	let target = sla::Target { gateway: gateway.clone(), token, source, nodes: nodes.clone(), key };
	eprintln!("sla: {users} users for {duration} s against {gateway} and {}", nodes.join(", "));
	let recorder = match sla::run(target, users, Duration::from_secs(duration), |r| {
		let (ok, errors) = r.totals();
		eprintln!("  {:>5.0} s: {ok} operations, {errors} errors", r.elapsed().as_secs_f64());
	})
	.await
	{
		Ok(r) => r,
		Err(e) => {
			eprintln!("error: {e}");
			return ExitCode::from(1);
		},
	};
	let (summaries, timeline) = recorder.summary();
	println!("{}", Summary::header());
	for s in &summaries {
		println!("{}", s.row());
	}
	let pass = !summaries.is_empty() && summaries.iter().all(|s| s.pass);
	println!("sla: {}", if pass { "PASS" } else { "FAIL" });
	if let Some(path) = out {
		let json = serde_json::json!({
			"scenario": "sla",
			"users": users,
			"duration_s": duration,
			"gateway": gateway,
			"nodes": nodes,
			"requirement": { "max_average_ms": 5000, "max_response_ms": 8000 },
			"pass": pass,
			"operations": summaries,
			"timeline": timeline,
		});
		if let Err(e) = std::fs::write(&path, serde_json::to_string_pretty(&json).expect("json")) {
			eprintln!("error: cannot write {}: {e}", path.display());
			return ExitCode::from(1);
		}
	}
	if pass {
		ExitCode::SUCCESS
	} else {
		ExitCode::from(1)
	}
}
