//! `accesslog status`: the health of every configured node.

use crate::{
	exit::{self, Failure},
	output::{print_rows, Format},
};
use accesslog_client::node::probe;
use std::time::Duration;

/// Options of `accesslog status`.
#[derive(clap::Args)]
pub struct StatusArgs {
	/// Output format.
	#[arg(long, value_enum, default_value_t = Format::Table)]
	format: Format,
	/// Seconds to wait for each node.
	#[arg(long, default_value_t = 5)]
	timeout: u64,
}

/// Run `status`; fails with `UNHEALTHY` when a node is unreachable or still syncing.
pub async fn run(urls: &[String], args: StatusArgs) -> Result<(), Failure> {
	let mut statuses = Vec::new();
	for url in urls {
		statuses.push(probe(url, Duration::from_secs(args.timeout)).await);
	}
	let opt = |v: &Option<u64>| v.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
	match args.format {
		Format::Json => {
			println!("{}", serde_json::to_string_pretty(&statuses).expect("serializes; qed"))
		},
		format => {
			let rows: Vec<Vec<String>> = statuses
				.iter()
				.map(|s| {
					vec![
						s.endpoint.clone(),
						if s.reachable { "up".into() } else { "DOWN".into() },
						opt(&s.best),
						opt(&s.finalized),
						opt(&s.peers),
						match s.syncing {
							Some(true) => "syncing".into(),
							Some(false) => "synced".into(),
							None => "-".into(),
						},
						s.version.clone().unwrap_or_else(|| "-".into()),
						s.error.clone().unwrap_or_default(),
					]
				})
				.collect();
			print_rows(
				format,
				&["ENDPOINT", "STATE", "BEST", "FINALIZED", "PEERS", "SYNC", "VERSION", "ERROR"],
				&rows,
			);
		},
	}
	let down: Vec<&str> =
		statuses.iter().filter(|s| !s.healthy()).map(|s| s.endpoint.as_str()).collect();
	if !down.is_empty() {
		return Err(Failure::new(
			exit::UNHEALTHY,
			format!("unhealthy: {} (unreachable or still syncing)", down.join(", ")),
		));
	}
	Ok(())
}
