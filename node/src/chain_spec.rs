//! Built-in chain specifications, from the runtime's genesis presets.

use accesslog_runtime::WASM_BINARY;
use polkadot_sdk::{sc_service::ChainType, *};

/// The chain specification type of this chain.
pub type ChainSpec = sc_service::GenericChainSpec;

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the runtime's wasm blob was not built: rebuild without SKIP_WASM_BUILD".to_string()
	})
}

fn properties() -> sc_service::Properties {
	let mut p = sc_service::Properties::new();
	// No token: Polkadot.js still wants a symbol and decimals to render the chain.
	p.insert("tokenSymbol".into(), "LOG".into());
	p.insert("tokenDecimals".into(), 0.into());
	p.insert("ss58Format".into(), 42.into());
	p
}

/// `--dev`: one validator (Alice), Alice as the council and as submitter of the household API.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Access Log Development")
		.with_id("accesslog_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain local`: Alice, Bob and Charlie validate and form the council; Dave submits.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Access Log Local Testnet")
		.with_id("accesslog_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}
