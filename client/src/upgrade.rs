//! Runtime upgrades through the council: the motion that authorizes a new runtime by its hash,
//! and the transaction that then installs the code.
//!
//! The chain has no sudo. A council motion carried by 3/4 of the members dispatches
//! `system.authorize_upgrade(code_hash)` as Root through the root gate
//! ([`authorize_upgrade`]); once it is executed, anyone holding the code whose hash it names
//! installs it with `system.apply_authorized_upgrade(code)` ([`Client::apply_upgrade`]): the
//! large code never travels in a motion, and what was voted on is exactly what runs. The runtime
//! checks on apply that the code is a runtime of the same `spec_name` with a higher
//! `spec_version`; the new code runs, with its migrations, from the next block.

use crate::{
	governance::RuntimeCall,
	runtime::{
		self,
		runtime_types::{
			frame_system::pallet::Call as SystemCall,
			pallet_root_gate::pallet::Call as RootGateCall,
		},
	},
	Client, Error, Result, Submitter, Wait,
};
use subxt::utils::H256;

/// The first bytes of a zstd-compressed runtime (`*.compact.compressed.wasm`).
const COMPRESSED_PREFIX: [u8; 8] = [0x52, 0xbc, 0x53, 0x76, 0x46, 0xdb, 0x8e, 0x05];
/// The first bytes of a plain WebAssembly module.
const WASM_PREFIX: [u8; 4] = *b"\0asm";

/// `root_gate.dispatch_as_root(system.authorize_upgrade(code_hash))`: the motion that
/// authorizes the runtime whose code hashes (blake2-256) to `code_hash`. Needs
/// [`three_quarters`] of the council.
pub fn authorize_upgrade(code_hash: H256) -> RuntimeCall {
	RuntimeCall::RootGate(RootGateCall::dispatch_as_root {
		call: Box::new(RuntimeCall::System(SystemCall::authorize_upgrade { code_hash })),
	})
}

/// The threshold (ayes needed) for a 3/4 majority of a council of `members`: what a runtime
/// upgrade, or any other `system` call dispatched as Root, needs.
pub fn three_quarters(members: u32) -> u32 {
	(3 * members).div_ceil(4).max(1)
}

/// Whether the council needs [`three_quarters`] (not 2/3) to carry `call`: a `system` call
/// dispatched as Root (an upgrade, a raw state write; the runtime's root gate refuses them at
/// 2/3).
pub fn needs_upgrade_majority(call: &RuntimeCall) -> bool {
	matches!(
		call,
		RuntimeCall::RootGate(RootGateCall::dispatch_as_root { call })
			if matches!(**call, RuntimeCall::System(_))
	)
}

/// The hash the council authorizes for `code` (blake2-256, the chain's hashing).
pub fn code_hash(code: &[u8]) -> H256 {
	H256(accesslog_format::blake2_256(code))
}

/// Checks that `code` looks like a runtime (a compressed or a plain WebAssembly module), so
/// that a wrong file is refused before it is hashed into a motion or sent to the chain.
pub fn check_runtime_code(code: &[u8]) -> Result<()> {
	if code.starts_with(&COMPRESSED_PREFIX) || code.starts_with(&WASM_PREFIX) {
		Ok(())
	} else {
		Err(Error::Invalid(format!(
			"not a runtime: {} bytes that are neither a compressed runtime \
			 (*.compact.compressed.wasm) nor a WebAssembly module",
			code.len()
		)))
	}
}

/// What the chain has authorized and not yet applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorized {
	/// Hash of the authorized code.
	pub code_hash: H256,
	/// Whether the runtime checks the new code's name and version when it is applied.
	pub check_version: bool,
}

/// The chain's runtime version, as `state_getRuntimeVersion` answers it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
	/// `accesslog`.
	pub spec_name: String,
	/// Grows with every runtime change.
	pub spec_version: u32,
}

impl Client {
	/// The upgrade authorized and not yet applied, at the best block.
	pub async fn authorized_upgrade(&self) -> Result<Option<Authorized>> {
		let at = self.at_best_block().await?;
		let Some(value) = at
			.storage()
			.try_fetch(runtime::storage().system().authorized_upgrade(), ())
			.await
			.map_err(Error::chain)?
		else {
			return Ok(None);
		};
		let a = value.decode().map_err(Error::chain)?;
		Ok(Some(Authorized { code_hash: a.code_hash, check_version: a.check_version }))
	}

	/// The runtime version of the best block.
	pub async fn runtime_version(&self) -> Result<Version> {
		self.rpc()
			.request("state_getRuntimeVersion", subxt_rpcs::rpc_params![])
			.await
			.map_err(Error::Transport)
	}

	/// Install `code`, which a council motion authorized, with
	/// `system.apply_authorized_upgrade`, and wait until a block holds it. Refused before
	/// anything is sent when nothing is authorized or `code` is not the authorized code; fails
	/// with [`Error::DispatchFailed`] when the chain's checks reject the code (not a newer
	/// runtime of this chain), which also drops the authorization.
	pub async fn apply_upgrade(&self, signer: &Submitter, code: Vec<u8>) -> Result<()> {
		check_runtime_code(&code)?;
		let hash = code_hash(&code);
		match self.authorized_upgrade().await? {
			None => {
				return Err(Error::Invalid(
					"no upgrade is authorized: the council must first carry \
					 `accesslog admin authorize-upgrade` with 3/4 of its members"
						.into(),
				))
			},
			Some(a) if a.code_hash != hash => {
				return Err(Error::Invalid(format!(
					"this code hashes to {hash:?}, but the council authorized {:?}",
					a.code_hash
				)))
			},
			Some(_) => {},
		}
		let tx = runtime::tx().system().apply_authorized_upgrade(code);
		let landed = self.sign_and_wait(signer, &tx, Wait::InBlock).await?;
		// A runtime that fails the version checks is not installed, the authorization is
		// dropped and the call itself succeeds: the event says why.
		use runtime::system::events::{CodeUpdated, RejectedInvalidAuthorizedUpgrade};
		if let Some(rejected) = landed.events.find_first::<RejectedInvalidAuthorizedUpgrade>() {
			let rejected = rejected.map_err(Error::chain)?;
			let metadata = self.api().at_current_block().await.map_err(Error::chain)?.metadata();
			return Err(Error::DispatchFailed(format!(
				"the chain rejected the authorized upgrade, and dropped the authorization: {}",
				crate::governance::event_error(&metadata, rejected.error)
			)));
		}
		if !landed.events.has::<CodeUpdated>() {
			return Err(Error::NotIncluded("the upgrade's block has no System.CodeUpdated".into()));
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn three_quarters_is_stricter_than_two_thirds() {
		use crate::governance::two_thirds;
		let pairs: Vec<(u32, u32, u32)> =
			(1..=7).map(|n| (n, two_thirds(n), three_quarters(n))).collect();
		assert_eq!(
			pairs,
			[(1, 1, 1), (2, 2, 2), (3, 2, 3), (4, 3, 3), (5, 4, 4), (6, 4, 5), (7, 5, 6)]
		);
	}

	#[test]
	fn only_system_calls_through_the_gate_need_the_upgrade_majority() {
		assert!(needs_upgrade_majority(&authorize_upgrade(H256::zero())));
		assert!(!needs_upgrade_majority(&crate::governance::set_source_active(0, false)));
	}

	#[test]
	fn files_that_are_no_runtime_are_refused() {
		assert!(check_runtime_code(b"\0asm\x01\0\0\0").is_ok());
		assert!(check_runtime_code(&COMPRESSED_PREFIX).is_ok());
		let err = check_runtime_code(b"{\"not\": \"wasm\"}").unwrap_err().to_string();
		assert!(err.contains("not a runtime: 15 bytes"), "{err}");
	}
}
