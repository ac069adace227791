//! `accesslog-load`: load scenarios against a running network and gateway (docs/performance.md).

use accesslog_client::{
	keys::{from_env, from_secret_uri, pseudonym_key_from_env},
	Client, Keypair,
};
use accesslog_load::{console, scale, sla, throughput, Summary};
use clap::{Parser, Subcommand};
use std::{path::PathBuf, process::ExitCode, time::Duration};

/// Load generator of the access-log chain.
#[derive(Parser)]
#[command(version)]
struct Cli {
	#[command(subcommand)]
	scenario: Scenario,
}

/// The node endpoints (every scenario).
#[derive(clap::Args)]
struct Nodes {
	/// Node endpoints, comma-separated: `sla` spreads its queries over them; `throughput`
	/// submits through the first reachable one and hands every transaction to the others too
	/// (so each validator's pool has it when its turn to author comes); `scale` uses the first
	/// reachable one.
	#[arg(
		long = "nodes",
		env = "ACCESSLOG_URL",
		value_delimiter = ',',
		default_value = "ws://127.0.0.1:9944"
	)]
	list: Vec<String>,
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
		#[command(flatten)]
		nodes: Nodes,
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
	/// The highest sustained finalized entries/s with `submit_batch`, then, in the same run,
	/// the naive baseline (one `system.remark_with_event` per record), and their ratio.
	Throughput {
		#[command(flatten)]
		nodes: Nodes,
		/// Environment variable holding the secret URI of a submitter of the first source.
		#[arg(long, default_value = "ACCESSLOG_SUBMITTER_KEY")]
		submitter_env: String,
		/// Environment variable holding the secret URIs of one or more council members,
		/// comma-separated, who sign the baseline's remarks (the pool admits only submitters' log
		/// calls and the council). Each sender keeps its own window: one account alone is
		/// limited by its window and the time to finality, not by the chain.
		#[arg(long, default_value = "ACCESSLOG_BASELINE_KEY")]
		baseline_env: String,
		/// Seconds each phase submits.
		#[arg(long, default_value_t = 60)]
		duration: u64,
		/// Seconds at the start of each phase not counted.
		#[arg(long, default_value_t = 10)]
		warmup: u64,
		/// Records per `submit_batch` (at most the chain's MaxBatchSize; smaller batches pack
		/// the last bit of a block's weight better).
		#[arg(long, default_value_t = 250)]
		batch: usize,
		/// Records submitted but not yet finalized, at most: enough for two full blocks (9,000
		/// records each) and the ones in flight; half of it left every other block part-empty.
		#[arg(long, default_value_t = 24000)]
		window: u64,
		/// Transactions submitted but not yet finalized in the naive baseline, per sender, at most (the
		/// SDK's default pool drops much of a larger burst from one sender).
		#[arg(long, default_value_t = 1000)]
		baseline_window: u64,
		/// Distinct officials the records cycle through. The default is the city's own sample
		/// of its platform's logs (8 API clients with 6 users each); the chain keeps one index
		/// item per batch and official, so more officials cost more.
		#[arg(long, default_value_t = 48, value_parser = clap::value_parser!(u64).range(1..))]
		officials: u64,
		/// Distinct citizens the records cycle through.
		#[arg(long, default_value_t = 50_000, value_parser = clap::value_parser!(u64).range(1..))]
		citizens: u64,
		/// Write the results as JSON here.
		#[arg(long)]
		out: Option<PathBuf>,
	},
	/// N concurrent auditors against a running audit console: latency of its pages, searches
	/// and CSV exports at the client, and a block's delay from node import to the console's
	/// event stream.
	Console {
		/// The console's base URL.
		#[arg(long, default_value = "http://127.0.0.1:8080")]
		url: String,
		/// An auditor's login name.
		#[arg(long, default_value = "audit-lin")]
		user: String,
		/// Environment variable holding its password.
		#[arg(long, default_value = "ACCESSLOG_CONSOLE_PASSWORD")]
		password_env: String,
		#[command(flatten)]
		nodes: Nodes,
		/// Concurrent auditors.
		#[arg(long, default_value_t = 50)]
		users: usize,
		/// Duration, seconds.
		#[arg(long, default_value_t = 120)]
		duration: u64,
		/// Each auditor's pause after an operation (reading the page), ms; 0 for none (a
		/// stress test: every auditor always has a request in flight).
		#[arg(long, default_value_t = 0)]
		think_ms: u64,
		/// Write the results as JSON here.
		#[arg(long)]
		out: Option<PathBuf>,
	},
	/// Query latency (by citizen, by official, by time range) and storage per entry as the chain
	/// grows to each step's entry count.
	Scale {
		#[command(flatten)]
		nodes: Nodes,
		/// Environment variable holding the secret URI of a submitter of the first source.
		#[arg(long, default_value = "ACCESSLOG_SUBMITTER_KEY")]
		submitter_env: String,
		/// Entry counts to measure at, comma-separated, ascending.
		#[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
		steps: Vec<u64>,
		/// Queries of each kind per step.
		#[arg(long, default_value_t = 1000)]
		queries: usize,
		/// Records per `submit_batch` while filling.
		#[arg(long, default_value_t = 500)]
		batch: usize,
		/// Records submitted but not yet finalized while filling, at most.
		#[arg(long, default_value_t = 6000)]
		window: u64,
		/// The node's base path (or database directory): its size is measured at each step.
		#[arg(long)]
		db_path: Option<PathBuf>,
		/// Write the results as JSON here.
		#[arg(long)]
		out: Option<PathBuf>,
	},
}

fn key(var: &str, what: &str) -> Result<Keypair, String> {
	from_env(var)
		.map_err(|e| format!("{e} (the secret URI of {what}, e.g. //Dave on a local network)"))
}

/// The naive baseline's signers: one or more secret URIs of council members, comma-separated.
fn baseline_keys(var: &str) -> Result<Vec<Keypair>, String> {
	let hint = "secret URIs of council members, comma-separated, e.g. //Alice,//Bob,//Charlie \
	            on a local network";
	let value = std::env::var(var).map_err(|_| format!("{var} is not set ({hint})"))?;
	let keys = value
		.split(',')
		.map(str::trim)
		.filter(|uri| !uri.is_empty())
		.map(|uri| from_secret_uri(uri).map_err(|e| format!("{var}: {e} ({hint})")))
		.collect::<Result<Vec<_>, _>>()?;
	if keys.is_empty() {
		return Err(format!("{var} names no key ({hint})"));
	}
	Ok(keys)
}

fn write_json(path: &Option<PathBuf>, json: &serde_json::Value) -> Result<(), String> {
	if let Some(path) = path {
		std::fs::write(path, serde_json::to_string_pretty(json).expect("json"))
			.map_err(|e| format!("cannot write {}: {e}", path.display()))?;
		eprintln!("results written to {}", path.display());
	}
	Ok(())
}

fn table(summaries: &[Summary]) {
	println!("{}", Summary::header());
	for s in summaries {
		println!("{}", s.row());
	}
}

async fn connect(nodes: &[String]) -> Result<Client, String> {
	Client::connect(nodes).await.map_err(|e| format!("{e} (is the network up? scripts/run.sh)"))
}

async fn throughput_cmd(
	nodes: Vec<String>,
	submitter_env: String,
	baseline_env: String,
	settings: throughput::Settings,
	out: Option<PathBuf>,
) -> Result<bool, String> {
	let submitter = key(&submitter_env, "a submitter of the first source")?;
	let baseline = baseline_keys(&baseline_env)?;
	let client = connect(&nodes).await?;
	// Every other node listed gets a copy of each transaction (see `pump::pump`).
	let mut relays = Vec::new();
	for node in &nodes {
		let other = connect(std::slice::from_ref(node)).await?;
		if other.endpoint() != client.endpoint() {
			relays.push(other);
		}
	}
	eprintln!(
		"throughput: {} s per phase ({} s warm-up), batches of {}, window {} records, {} officials, \
		 {} citizens, via {}{}",
		settings.duration.as_secs(),
		settings.warmup.as_secs(),
		settings.batch,
		settings.window,
		settings.officials,
		settings.citizens,
		client.endpoint(),
		relays.iter().map(|r| format!(" + {}", r.endpoint())).collect::<String>()
	);
	let (batched, naive) =
		throughput::run(&client, &relays, &submitter, &baseline, &settings, |l| eprintln!("{l}"))
			.await?;
	let ratio = batched.sustained_per_s / naive.sustained_per_s.max(1e-9);
	for p in [&batched, &naive] {
		println!(
			"{:<8} {:<26} {:>9.0} finalized entries/s sustained ({} records in {} transactions, drained after {:.1} s)",
			p.name, p.method, p.sustained_per_s, p.submitted, p.transactions, p.drained_after_s
		);
		for (why, n) in &p.relay_refusals {
			println!("         {n} relay refusal(s): {why}");
		}
	}
	let pass = batched.sustained_per_s >= 1000.0 && ratio >= 10.0;
	println!(
		"ratio batched / naive ({} naive sender{}, window {} each): {ratio:.1}x; target >= 1,000/s and >= 10x: {}",
		baseline.len(),
		if baseline.len() == 1 { "" } else { "s" },
		settings.baseline_window,
		if pass { "PASS" } else { "FAIL" }
	);
	write_json(
		&out,
		&serde_json::json!({
			"scenario": "throughput",
			"endpoint": client.endpoint(),
			"duration_s": settings.duration.as_secs(),
			"warmup_s": settings.warmup.as_secs(),
			"window": settings.window,
			"baseline_window": settings.baseline_window,
			"baseline_senders": baseline.len(),
			"officials": settings.officials,
			"citizens": settings.citizens,
			"phases": [batched, naive],
			"ratio": ratio,
			"target": { "min_per_s": 1000, "min_ratio": 10 },
			"pass": pass,
		}),
	)?;
	Ok(pass)
}

async fn scale_cmd(
	nodes: Vec<String>,
	submitter_env: String,
	settings: scale::Settings,
	out: Option<PathBuf>,
) -> Result<bool, String> {
	if settings.steps.is_empty() || settings.steps.windows(2).any(|w| w[0] >= w[1]) {
		return Err("--steps must be one or more ascending entry counts".into());
	}
	let submitter = key(&submitter_env, "a submitter of the first source")?;
	let client = connect(&nodes).await?;
	eprintln!(
		"scale: steps {:?}, {} queries of each kind per step",
		settings.steps, settings.queries
	);
	let steps = scale::run(&client, &submitter, &settings, |l| eprintln!("{l}")).await?;
	for s in &steps {
		let bytes = match (s.bytes_per_entry, s.bytes_per_added_entry) {
			(Some(b), Some(a)) => format!(", database {b:.0} bytes/entry ({a:.0} per entry added)"),
			(Some(b), None) => format!(", database {b:.0} bytes/entry"),
			_ => String::new(),
		};
		println!(
			"\n{} entries (filled at {:.0}/s{bytes}), p99 target < {} ms: {}",
			s.entries,
			s.fill_per_s,
			scale::TARGET_P99_MS,
			if s.pass { "PASS" } else { "FAIL" }
		);
		table(&s.queries);
	}
	let pass = steps.iter().all(|s| s.pass);
	write_json(
		&out,
		&serde_json::json!({
			"scenario": "scale",
			"endpoint": client.endpoint(),
			"queries_per_kind": settings.queries,
			"citizens": scale::CITIZENS,
			"officials": scale::OFFICIALS,
			"target_p99_ms": scale::TARGET_P99_MS,
			"steps": steps,
			"pass": pass,
		}),
	)?;
	Ok(pass)
}

async fn console_cmd(
	settings: console::Settings,
	nodes: Vec<String>,
	out: Option<PathBuf>,
) -> Result<bool, String> {
	let client = connect(&nodes).await?;
	let rpc = client.query();
	let total = rpc.stats().await.map_err(|e| e.to_string())?.entries;
	if total == 0 {
		return Err("the chain holds no entries: fill it first (accesslog-load scale)".into());
	}
	// Occurrence times of entries spread over the chain, to centre the searches on.
	let mut times = Vec::new();
	for k in 0..64u64 {
		if let Some(e) = rpc.entry(k * total / 64).await.map_err(|e| e.to_string())? {
			times.push(e.occurred_at);
		}
	}
	eprintln!(
		"{} auditors against {} for {} s, {} ms between operations ({total} entries on chain)",
		settings.users,
		settings.url,
		settings.duration.as_secs(),
		settings.think.as_millis()
	);
	let rec = console::run(settings.clone(), client, times, total).await;
	let (summaries, _) = rec.summary();
	table(&summaries);
	let mut pass = true;
	let mut verdicts = Vec::new();
	for s in &summaries {
		let target = console::target_ms(s.op);
		let ok = s.errors == 0 && s.count > 0 && s.p99_ms < target;
		pass &= ok;
		eprintln!(
			"{:<44} p99 {:>8.1} ms  < {target:>6.0} ms  {}",
			s.op,
			s.p99_ms,
			if ok { "PASS" } else { "FAIL" }
		);
		verdicts.push(
			serde_json::json!({ "op": s.op, "p99_ms": s.p99_ms, "target_ms": target, "pass": ok }),
		);
	}
	eprintln!("verdict: {}", if pass { "PASS" } else { "FAIL" });
	write_json(
		&out,
		&serde_json::json!({ "scenario": "console", "users": settings.users, "duration_s": settings.duration.as_secs(), "think_ms": settings.think.as_millis() as u64, "entries": total, "operations": summaries, "verdicts": verdicts, "pass": pass }),
	)?;
	Ok(pass)
}

#[tokio::main]
async fn main() -> ExitCode {
	let outcome = match Cli::parse().scenario {
		Scenario::Console { url, user, password_env, nodes, users, duration, think_ms, out } => {
			let Ok(password) = std::env::var(&password_env) else {
				eprintln!("error: set {password_env} to the password of {user}");
				return ExitCode::from(2);
			};
			let settings = console::Settings {
				url: url.trim_end_matches('/').to_string(),
				user,
				password,
				users,
				duration: Duration::from_secs(duration),
				think: Duration::from_millis(think_ms),
			};
			console_cmd(settings, nodes.list, out).await
		},
		Scenario::Sla { gateway, token_env, nodes, source, key_env, users, duration, out } => {
			return sla_cmd(gateway, token_env, nodes.list, source, key_env, users, duration, out)
				.await
		},
		Scenario::Throughput {
			nodes,
			submitter_env,
			baseline_env,
			duration,
			warmup,
			batch,
			window,
			baseline_window,
			officials,
			citizens,
			out,
		} => {
			if warmup >= duration {
				eprintln!(
					"error: --warmup ({warmup} s) must be shorter than --duration ({duration} s)"
				);
				return ExitCode::from(2);
			}
			let settings = throughput::Settings {
				duration: Duration::from_secs(duration),
				warmup: Duration::from_secs(warmup),
				batch,
				window,
				baseline_window,
				officials,
				citizens,
			};
			throughput_cmd(nodes.list, submitter_env, baseline_env, settings, out).await
		},
		Scenario::Scale { nodes, submitter_env, steps, queries, batch, window, db_path, out } => {
			let settings = scale::Settings { steps, queries, batch, window, db_path };
			scale_cmd(nodes.list, submitter_env, settings, out).await
		},
	};
	match outcome {
		Ok(true) => ExitCode::SUCCESS,
		Ok(false) => ExitCode::from(1),
		Err(e) => {
			eprintln!("error: {e}");
			ExitCode::from(1)
		},
	}
}

#[allow(clippy::too_many_arguments)]
async fn sla_cmd(
	gateway: String,
	token_env: String,
	nodes: Vec<String>,
	source: String,
	key_env: String,
	users: usize,
	duration: u64,
	out: Option<PathBuf>,
) -> ExitCode {
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
	table(&summaries);
	let pass = !summaries.is_empty() && summaries.iter().all(|s| s.pass);
	println!("sla: {}", if pass { "PASS" } else { "FAIL" });
	{
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
		if let Err(e) = write_json(&out, &json) {
			eprintln!("error: {e}");
			return ExitCode::from(1);
		}
	}
	if pass {
		ExitCode::SUCCESS
	} else {
		ExitCode::from(1)
	}
}
