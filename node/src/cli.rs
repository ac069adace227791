//! Command-line interface of the node.

use polkadot_sdk::*;

/// This node's default `--trie-cache-size`: none (the SDK's default is 1 GiB).
///
/// Every full block writes thousands of new trie nodes; with the shared cache, merging them into
/// it and evicting from it costs more than the cache saves, and block authoring slows as the
/// chain grows (docs/performance.md, `throughput`, has the runs with and without it). Pass
/// `--trie-cache-size` to choose another.
pub const DEFAULT_TRIE_CACHE_SIZE: &str = "0";

/// Options of `accesslog-node`.
#[derive(Debug, clap::Parser)]
#[command(mut_arg("trie_cache_size", |a| a.default_value(DEFAULT_TRIE_CACHE_SIZE)))]
pub struct Cli {
	/// A maintenance subcommand; without one, the node runs.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Options for running the node.
	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	/// GRANDPA's gossip duration in milliseconds. A voter prevotes after twice this and precommits
	/// after four times this (or sooner once the round is decided), so one finality round takes
	/// about four gossip durations. The SDK templates use 333 ms (Polkadot 1000 ms, for a
	/// world-wide network); a validator set on one LAN answers in a few milliseconds, so 100 ms
	/// is ample and a record waits a third as long for finality (docs/performance.md, `sla`).
	#[arg(long, value_name = "MS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(20..=5000))]
	pub grandpa_gossip_ms: u64,

	/// Entries whose chart facts (hour, agency, action, purpose: 16 bytes each, names kept once)
	/// the node keeps in memory for `accessLog_summary`, read at start newest first and as
	/// summaries need them. Past this, summaries read the entries from the database (tens of
	/// times slower for a large result set). 0 keeps none: for a validator no auditor queries.
	#[arg(long, value_name = "ENTRIES", default_value_t = 20_000_000)]
	pub chart_facts: u64,
}

/// Maintenance subcommands.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management (generate, inspect, insert into the keystore, node keys).
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export a chain specification (e.g. `--chain local`) as JSON, to edit and share.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Build a chain specification (deprecated upstream; prefer `export-chain-spec`).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Runtime benchmarks (only in a node built with `--features runtime-benchmarks`).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::Parser;

	#[test]
	fn the_trie_cache_is_off_unless_asked_for() {
		let cli = Cli::try_parse_from(["accesslog-node", "--dev"]).expect("valid options");
		assert_eq!(cli.run.import_params.trie_cache_maximum_size(), None);

		let cli = Cli::try_parse_from(["accesslog-node", "--trie-cache-size", "67108864"])
			.expect("valid options");
		assert_eq!(cli.run.import_params.trie_cache_maximum_size(), Some(64 * 1024 * 1024));
	}
}
