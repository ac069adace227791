//! Builds the evidence verifier for `wasm32-unknown-unknown` and leaves it in `OUT_DIR`, so the
//! console binary embeds the module browsers run (no file to ship beside it, nothing from a CDN).
//! With `SKIP_WASM_BUILD` set (lints, quick checks) an empty file stands in and the console says
//! that in-browser verification is not available in that build.

use std::{
	env,
	path::{Path, PathBuf},
	process::Command,
};

const WASM: &str = "accesslog_evidence.wasm";

fn main() {
	let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR; qed"));
	let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets it; qed"));
	let evidence = manifest_dir.join("../evidence");
	println!("cargo:rerun-if-changed={}", evidence.join("src").display());
	println!("cargo:rerun-if-changed={}", evidence.join("Cargo.toml").display());
	println!("cargo:rerun-if-env-changed=SKIP_WASM_BUILD");
	let dest = out.join(WASM);
	if env::var_os("SKIP_WASM_BUILD").is_some() {
		std::fs::write(&dest, b"").expect("OUT_DIR is writable; qed");
		return;
	}
	// OUT_DIR is <target>/<profile>/build/<crate>-<hash>/out: one wasm build directory beside the
	// profiles, shared by every profile of the console.
	let target = out.ancestors().nth(4).unwrap_or(&out).join("console-wasm");
	let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
	let status = Command::new(cargo)
		.args(["build", "--locked", "--lib", "--profile", "web"])
		.args(["--target", "wasm32-unknown-unknown"])
		.arg("--manifest-path")
		.arg(evidence.join("Cargo.toml"))
		.arg("--target-dir")
		.arg(&target)
		.env_remove("CARGO_ENCODED_RUSTFLAGS")
		.env_remove("RUSTFLAGS")
		.env_remove("CARGO_TARGET_DIR")
		.env_remove("CARGO_BUILD_TARGET")
		.status()
		.expect("cargo runs; qed");
	assert!(status.success(), "building the evidence verifier for wasm32-unknown-unknown failed");
	copy(&target.join("wasm32-unknown-unknown/web").join(WASM), &dest);
}

fn copy(from: &Path, to: &Path) {
	std::fs::copy(from, to)
		.unwrap_or_else(|e| panic!("cannot copy {} to {}: {e}", from.display(), to.display()));
}
