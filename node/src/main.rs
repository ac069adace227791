//! `accesslog-node`: validator and RPC node of the access-log chain.

// The node answers the SDK's own `sc_cli::Error` and `sc_service::Error` (large types), as the
// SDK's node templates do.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod facts;
mod native;
mod rpc;
mod service;

fn main() -> polkadot_sdk::sc_cli::Result<()> {
	command::run()
}
