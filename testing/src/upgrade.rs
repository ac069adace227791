//! Runtime upgrade tests' material: the released runtime a chain starts from, the runtime just
//! built, and chain specs whose genesis runs a given runtime.

use crate::dev_node::node_binary;
use std::{
	path::{Path, PathBuf},
	process::Command,
};

/// The `spec_version` of the released runtime that upgrade tests start from.
pub const RELEASE_SPEC: u32 = 108;

/// The released runtime of spec [`RELEASE_SPEC`], as it was shipped
/// (`runtime/releases/`).
pub fn release_runtime() -> &'static [u8] {
	include_bytes!("../../runtime/releases/accesslog-runtime-108.compact.compressed.wasm")
}

/// The runtime of the node binary the tests run (`ACCESSLOG_RUNTIME_WASM`, or the build's
/// `wbuild/accesslog-runtime/accesslog_runtime.compact.compressed.wasm` beside the binary).
pub fn current_runtime() -> Vec<u8> {
	let path = std::env::var("ACCESSLOG_RUNTIME_WASM").map(PathBuf::from).unwrap_or_else(|_| {
		node_binary()
			.parent()
			.expect("the node binary is in a directory")
			.join("wbuild/accesslog-runtime/accesslog_runtime.compact.compressed.wasm")
	});
	std::fs::read(&path).unwrap_or_else(|e| {
		panic!("the built runtime {path:?}: {e} (build it with scripts/build.sh)")
	})
}

/// Write to `dir/<chain>-<spec>.json` the node's chain spec `chain` (`dev`, `local`) with its
/// genesis runtime replaced by `code`: a chain that starts on that runtime, with the genesis
/// its preset gives (computed by that runtime's own genesis builder).
pub fn chain_spec_with_code(chain: &str, code: &[u8], name: &str, dir: &Path) -> PathBuf {
	let out = Command::new(node_binary())
		.args(["export-chain-spec", "--chain", chain])
		.output()
		.expect("run export-chain-spec");
	assert!(out.status.success(), "export-chain-spec: {out:?}");
	let mut spec: serde_json::Value =
		serde_json::from_slice(&out.stdout).expect("the chain spec is JSON");
	let genesis = spec
		.pointer_mut("/genesis/runtimeGenesis")
		.expect("a chain spec with genesis.runtimeGenesis");
	genesis["code"] = serde_json::Value::String(format!("0x{}", hex(code)));
	let path = dir.join(format!("{chain}-{name}.json"));
	std::fs::write(&path, serde_json::to_vec(&spec).unwrap()).expect("write the chain spec");
	path
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}
