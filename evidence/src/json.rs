//! Verification with JSON in and out: the interface of the WebAssembly module the audit console
//! runs in the browser.
//!
//! The module exports `evidence_alloc(len) -> ptr`, `evidence_free(ptr, len)` and
//! `evidence_verify(bundle_ptr, bundle_len, validators_ptr, validators_len) -> u64`, which returns
//! the result's address in the high 32 bits and its length in the low 32 bits (free it with
//! `evidence_free`). It imports nothing, so any WebAssembly host can run it.

use crate::{verify, Bundle, MalformedError, ValidatorSet, ValidatorSetError, VerifyError};
use accesslog_format::hex;
use serde_json::{json, Value};

/// Verify a bundle given as JSON against a validator set given as JSON. The answer is JSON:
/// `{"verified": true, "block_number", "block_hash", "set_id", "signers", "entries"}`, or
/// `{"verified": false, "part", "exit_code", "error"}` naming the step that failed.
pub fn verify_json(bundle: &str, validators: &str) -> String {
	let answer = match check(bundle, validators) {
		Ok(v) => v.to_json(),
		Err(e) => e.to_json(),
	};
	answer.to_string()
}

impl crate::Verified {
	/// `{"verified": true, "block_number", "block_hash", "set_id", "signers", "entries"}`.
	pub fn to_json(&self) -> Value {
		json!({
			"verified": true,
			"block_number": self.block_number,
			"block_hash": hex(&self.block_hash),
			"set_id": self.set_id,
			"signers": self.signers,
			"entries": self.entries,
		})
	}
}

impl VerifyError {
	/// `{"verified": false, "part", "exit_code", "error"}`.
	pub fn to_json(&self) -> Value {
		json!({
			"verified": false,
			"part": self.part(),
			"exit_code": self.exit_code(),
			"error": self.to_string(),
		})
	}
}

fn check(bundle: &str, validators: &str) -> Result<crate::Verified, VerifyError> {
	let bundle: Bundle = serde_json::from_str(bundle)
		.map_err(|e| MalformedError::Unreadable(format!("not an evidence bundle: {e}")))?;
	let validators: Value = serde_json::from_str(validators)
		.map_err(|e| ValidatorSetError::Unreadable(format!("not JSON: {e}")))?;
	// A validator set file, or a chain spec naming the genesis set.
	let validators = if validators.get("genesis").is_some() {
		ValidatorSet::from_chain_spec(&validators)?
	} else {
		serde_json::from_value(validators)
			.map_err(|e| ValidatorSetError::Unreadable(format!("not a validator set: {e}")))?
	};
	verify(&bundle, &validators)
}

#[cfg(target_arch = "wasm32")]
mod exports {
	//! The WebAssembly exports (see the module docs).

	use std::{alloc::Layout, slice, str};

	/// Allocate `len` bytes for the host to write into.
	#[unsafe(no_mangle)]
	pub extern "C" fn evidence_alloc(len: usize) -> *mut u8 {
		if len == 0 {
			return std::ptr::NonNull::dangling().as_ptr();
		}
		// SAFETY: the layout is non-zero in size and byte-aligned.
		unsafe { std::alloc::alloc(Layout::from_size_align(len, 1).expect("byte layout; qed")) }
	}

	/// Free what `evidence_alloc` or `evidence_verify` returned.
	///
	/// # Safety
	/// `ptr` and `len` must be one allocation this module handed out, freed once.
	#[unsafe(no_mangle)]
	pub unsafe extern "C" fn evidence_free(ptr: *mut u8, len: usize) {
		if len != 0 {
			// SAFETY: the caller passes back an allocation of this layout.
			unsafe {
				std::alloc::dealloc(ptr, Layout::from_size_align(len, 1).expect("byte layout; qed"))
			}
		}
	}

	/// Verify: see [`super::verify_json`]. Returns `(address << 32) | length` of the answer.
	///
	/// # Safety
	/// Both ranges must be memory of this module the host wrote (`evidence_alloc`).
	#[unsafe(no_mangle)]
	pub unsafe extern "C" fn evidence_verify(
		bundle: *const u8,
		bundle_len: usize,
		validators: *const u8,
		validators_len: usize,
	) -> u64 {
		// SAFETY: the caller passes ranges it wrote into memory of this module.
		let (b, v) = unsafe {
			(
				slice::from_raw_parts(bundle, bundle_len),
				slice::from_raw_parts(validators, validators_len),
			)
		};
		let answer = match (str::from_utf8(b), str::from_utf8(v)) {
			(Ok(b), Ok(v)) => super::verify_json(b, v),
			_ => serde_json::json!({
				"verified": false,
				"part": "bundle",
				"exit_code": 3,
				"error": "the bundle or the validator set is not UTF-8",
			})
			.to_string(),
		};
		let bytes = answer.into_bytes().into_boxed_slice();
		let len = bytes.len();
		let ptr = Box::into_raw(bytes) as *mut u8;
		((ptr as u64) << 32) | len as u64
	}
}
