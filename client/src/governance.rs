//! Council governance: proposals, votes and closes that carry admin calls.
//!
//! Every admin call of this chain (registering sources, authorizing and revoking submitters,
//! adding and removing validators, changing the council itself) needs a 2/3 majority of the
//! council; a runtime upgrade needs 3/4 ([`crate::upgrade`]). A member proposes the call with a threshold; members vote (the proposer too: proposing
//! is not voting); once enough ayes are in, a member closes the motion and the call executes. With
//! a threshold of 1 (a one-member council, as in `--dev`) the call executes at once when proposed.

/// A call of the runtime, as a motion carries it.
pub use crate::runtime::runtime_types::accesslog_runtime::RuntimeCall;
use crate::{
	runtime::{
		self,
		runtime_types::{
			pallet_access_log::pallet::Call as AccessLogCall,
			pallet_membership::pallet::Call as MembershipCall,
			pallet_validator_set::pallet::Call as ValidatorSetCall,
			sp_consensus_aura::sr25519::app_sr25519::Public as AuraPublic,
			sp_consensus_grandpa::app::Public as GrandpaPublic, sp_runtime::DispatchError,
		},
	},
	Client, Error, Result, Submitter, Wait,
};
use runtime::council::events as council;
use subxt::utils::{AccountId32, MultiAddress, H256};

/// A motion open in the council.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Motion {
	/// Hash of the proposed call.
	pub hash: H256,
	/// Index of the proposal.
	pub index: u32,
	/// The proposed call's encoded length.
	pub length: u32,
}

/// One validator of the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validator {
	/// The account that answers for it.
	pub account: AccountId32,
	/// Its Aura (block authoring, sr25519) public key.
	pub aura: [u8; 32],
	/// Its GRANDPA (finality, ed25519) public key.
	pub grandpa: [u8; 32],
}

/// Why a call put to the council did not take effect.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotExecuted {
	/// The call ran and failed with a pallet's error.
	#[error("{pallet}.{error}: {docs}")]
	Module {
		/// The pallet, as the metadata names it (`AccessLog`, `ValidatorSet`, …).
		pallet: String,
		/// The error variant.
		error: String,
		/// The error's documentation.
		docs: String,
	},
	/// The call ran and failed with a dispatch error of no pallet (bad origin, arithmetic, …).
	#[error("{0}")]
	Dispatch(String),
	/// The council voted the motion down.
	#[error("the council disapproved the motion")]
	Disapproved,
}

/// What a call put to the council led to: it took effect, or why not.
pub type Outcome = std::result::Result<(), NotExecuted>;

/// What a proposal led to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Proposed {
	/// The call ran at once (threshold 1).
	Executed(Outcome),
	/// A motion is open for votes.
	Open(Motion),
}

/// `access_log.authorize_submitter(who, source)`.
pub fn authorize_submitter(who: AccountId32, source: u32) -> RuntimeCall {
	RuntimeCall::AccessLog(AccessLogCall::authorize_submitter { who, source })
}

/// `access_log.revoke_submitter(who)`.
pub fn revoke_submitter(who: AccountId32) -> RuntimeCall {
	RuntimeCall::AccessLog(AccessLogCall::revoke_submitter { who })
}

/// `access_log.register_source(name, agency)`.
pub fn register_source(name: &str, agency: &str) -> RuntimeCall {
	RuntimeCall::AccessLog(AccessLogCall::register_source {
		name: name.as_bytes().to_vec(),
		agency: agency.as_bytes().to_vec(),
	})
}

/// `access_log.set_source_active(source, active)`.
pub fn set_source_active(source: u32, active: bool) -> RuntimeCall {
	RuntimeCall::AccessLog(AccessLogCall::set_source_active { source, active })
}

/// `council_membership.add_member(who)`.
pub fn add_council_member(who: AccountId32) -> RuntimeCall {
	RuntimeCall::CouncilMembership(MembershipCall::add_member { who: MultiAddress::Id(who) })
}

/// `council_membership.remove_member(who)`.
pub fn remove_council_member(who: AccountId32) -> RuntimeCall {
	RuntimeCall::CouncilMembership(MembershipCall::remove_member { who: MultiAddress::Id(who) })
}

/// `validator_set.add_validator(who, aura, grandpa)`: a new validator with its Aura (sr25519) and
/// GRANDPA (ed25519) public keys, e.g. the halves of its node's `author_rotateKeys` answer.
pub fn add_validator(who: AccountId32, aura: [u8; 32], grandpa: [u8; 32]) -> RuntimeCall {
	RuntimeCall::ValidatorSet(ValidatorSetCall::add_validator {
		who,
		aura: aura_key(aura),
		grandpa: grandpa_key(grandpa),
	})
}

/// `validator_set.remove_validator(who)`.
pub fn remove_validator(who: AccountId32) -> RuntimeCall {
	RuntimeCall::ValidatorSet(ValidatorSetCall::remove_validator { who })
}

/// `validator_set.set_keys(who, aura, grandpa)`: new consensus keys for a validator.
pub fn set_validator_keys(who: AccountId32, aura: [u8; 32], grandpa: [u8; 32]) -> RuntimeCall {
	RuntimeCall::ValidatorSet(ValidatorSetCall::set_keys {
		who,
		aura: aura_key(aura),
		grandpa: grandpa_key(grandpa),
	})
}

/// `validator_set.force_change(delay, best_finalized)`: make the next validator-set change a
/// forced GRANDPA change (recovery from lost validators; see the pallet's docs).
pub fn force_change(delay: u32, best_finalized: u32) -> RuntimeCall {
	RuntimeCall::ValidatorSet(ValidatorSetCall::force_change { delay, best_finalized })
}

fn aura_key(raw: [u8; 32]) -> AuraPublic {
	AuraPublic(raw)
}

fn grandpa_key(raw: [u8; 32]) -> GrandpaPublic {
	GrandpaPublic(raw)
}

/// The threshold (ayes needed) for a 2/3 majority of a council of `members`.
pub fn two_thirds(members: u32) -> u32 {
	(2 * members).div_ceil(3).max(1)
}

/// The threshold a motion carrying `call` needs in a council of `members`: 3/4 for a runtime
/// change ([`crate::upgrade::needs_upgrade_majority`]), 2/3 for everything else.
pub fn threshold(call: &RuntimeCall, members: u32) -> u32 {
	if crate::upgrade::needs_upgrade_majority(call) {
		crate::upgrade::three_quarters(members)
	} else {
		two_thirds(members)
	}
}

/// A call's debug text with every 32-byte array shown as people know it: accounts in SS58,
/// keys and hashes in 0x-hex (`AccountId32([212, 53, …])` becomes `5GrwvaEF…`).
fn readable(debug: &str) -> String {
	let mut out = String::with_capacity(debug.len());
	let mut rest = debug;
	while let Some(i) = rest.find("([") {
		let (head, tail) = rest.split_at(i);
		let bytes = tail.find("])").and_then(|end| {
			let parsed: Option<Vec<u8>> =
				tail[2..end].split(',').map(|x| x.trim().parse().ok()).collect();
			parsed.filter(|b| b.len() == 32).map(|b| (end, b))
		});
		match bytes {
			Some((end, b)) => {
				let raw: [u8; 32] = b.try_into().expect("32 bytes; qed");
				if let Some(prefix) = head.strip_suffix("AccountId32") {
					out.push_str(prefix);
					out.push_str(&AccountId32(raw).to_string());
				} else {
					out.push_str(head);
					out.push('(');
					out.push_str(&crate::rpc_types::hex(&raw));
					out.push(')');
				}
				rest = &tail[end + 2..];
			},
			None => {
				out.push_str(head);
				out.push_str("([");
				rest = &tail[2..];
			},
		}
	}
	out.push_str(rest);
	out
}

/// A council-executed call's error, named as the runtime names it: `Pallet.Error: docs` for a
/// pallet error (e.g. `ValidatorSet.KeyInUse: Another validator already uses …`).
pub(crate) fn event_error(metadata: &subxt::Metadata, e: DispatchError) -> NotExecuted {
	if let DispatchError::Module(m) = &e {
		if let Some(pallet) = metadata.pallet_by_error_index(m.index) {
			if let Some(variant) = pallet.error_variant_by_index(m.error[0]) {
				return NotExecuted::Module {
					pallet: pallet.name().into(),
					error: variant.name.clone(),
					docs: variant.docs.join(" "),
				};
			}
		}
	}
	NotExecuted::Dispatch(format!("{e:?}"))
}

impl Client {
	async fn metadata(&self) -> Result<std::sync::Arc<subxt::Metadata>> {
		Ok(self.api().at_current_block().await.map_err(Error::chain)?.metadata())
	}

	/// The SCALE-encoded length of a runtime call (the collective checks it against the bound).
	async fn encoded_len(&self, call: &RuntimeCall) -> Result<u32> {
		use subxt::ext::scale_encode::EncodeAsType;
		let metadata = self.metadata().await?;
		let bytes = call
			.encode_as_type(metadata.outer_enums().call_enum_ty(), metadata.types())
			.map_err(|e| Error::Invalid(format!("cannot encode the proposed call: {e}")))?;
		Ok(bytes.len() as u32)
	}

	/// The council's members.
	pub async fn council_members(&self) -> Result<Vec<AccountId32>> {
		let at = self.at_best_block().await?;
		let members = at
			.storage()
			.fetch(runtime::storage().council().members(), ())
			.await
			.map_err(Error::chain)?
			.decode()
			.map_err(Error::chain)?;
		Ok(members)
	}

	/// Propose `call` to the council with `threshold` ayes needed (see [`two_thirds`]).
	pub async fn propose(
		&self,
		member: &Submitter,
		call: RuntimeCall,
		threshold: u32,
	) -> Result<Proposed> {
		let length = self.encoded_len(&call).await?;
		// Unvalidated: the proposal's `RuntimeCall` type changes with every pallet a runtime
		// adds, so a client of a newer runtime (one proposing to upgrade to it) would refuse
		// the older chain's type; the call is encoded by the live chain's own type information
		// all the same, and a variant it lacks fails to encode.
		let tx = runtime::tx().council().propose(threshold, call, length).unvalidated();
		let events = self.sign_and_wait(member, &tx, Wait::InBlock).await?.events;
		if let Some(e) = events.find_first::<council::Executed>() {
			let metadata = self.metadata().await?;
			let result = e.map_err(Error::chain)?.result;
			return Ok(Proposed::Executed(result.map_err(|e| event_error(&metadata, e))));
		}
		if let Some(p) = events.find_first::<council::Proposed>() {
			let p = p.map_err(Error::chain)?;
			return Ok(Proposed::Open(Motion {
				hash: p.proposal_hash,
				index: p.proposal_index,
				length,
			}));
		}
		Err(Error::NotIncluded("the proposal emitted neither Proposed nor Executed".into()))
	}

	/// The validator set (the chain's `ValidatorSet::Validators`) at the best block, in authoring
	/// order.
	pub async fn validators(&self) -> Result<Vec<Validator>> {
		let at = self.at_best_block().await?;
		let set = at
			.storage()
			.fetch(runtime::storage().validator_set().validators(), ())
			.await
			.map_err(Error::chain)?
			.decode()
			.map_err(Error::chain)?;
		Ok(set
			.0
			.into_iter()
			.map(|v| Validator { account: v.account, aura: v.aura.0, grandpa: v.grandpa.0 })
			.collect())
	}

	/// Propose `call` with the threshold it needs ([`threshold`]) of the current council, vote
	/// aye with `voters` (the first proposes and closes) and close: the whole council procedure
	/// in one go, for scripts and tests. Returns the executed call's result.
	pub async fn pass(&self, voters: &[&Submitter], call: RuntimeCall) -> Result<Outcome> {
		let proposer = voters.first().ok_or_else(|| Error::Invalid("no voters given".into()))?;
		let threshold = threshold(&call, self.council_members().await?.len() as u32);
		let motion = match self.propose(proposer, call, threshold).await? {
			Proposed::Executed(result) => return Ok(result),
			Proposed::Open(motion) => motion,
		};
		for voter in voters {
			self.vote(voter, &motion, true).await?;
		}
		self.close(proposer, &motion).await
	}

	/// Vote on an open motion.
	pub async fn vote(&self, member: &Submitter, motion: &Motion, approve: bool) -> Result<()> {
		let tx = runtime::tx().council().vote(motion.hash, motion.index, approve);
		self.sign_and_wait(member, &tx, Wait::InBlock).await.map(|_| ())
	}

	/// Close a motion that has enough votes; returns the executed call's result.
	pub async fn close(&self, member: &Submitter, motion: &Motion) -> Result<Outcome> {
		// The bound must cover the proposed call's weight and, with `close` itself, fit in a
		// block: the council's own limit on a proposal's weight does both (admin calls are far
		// below it), and follows the runtime's block limit where a fixed bound would not.
		let bound = self
			.api()
			.at_current_block()
			.await
			.map_err(Error::chain)?
			.constants()
			.entry(runtime::constants().council().max_proposal_weight())
			.map_err(Error::chain)?;
		let tx = runtime::tx().council().close(motion.hash, motion.index, bound, motion.length);
		let events = self.sign_and_wait(member, &tx, Wait::InBlock).await?.events;
		if let Some(e) = events.find_first::<council::Executed>() {
			let metadata = self.metadata().await?;
			let result = e.map_err(Error::chain)?.result;
			return Ok(result.map_err(|e| event_error(&metadata, e)));
		}
		if events.has::<council::Disapproved>() {
			return Ok(Err(NotExecuted::Disapproved));
		}
		Err(Error::NotIncluded("closing emitted neither Executed nor Disapproved".into()))
	}
}

/// An open motion and its tally.
#[derive(Clone, Debug)]
pub struct OpenMotion {
	/// Hash, index and length of the proposal.
	pub motion: Motion,
	/// Ayes needed.
	pub threshold: u32,
	/// Members who voted aye.
	pub ayes: Vec<AccountId32>,
	/// Members who voted nay.
	pub nays: Vec<AccountId32>,
	/// Block after which the motion may be closed whatever the votes.
	pub end: u32,
	/// The proposed call, readable.
	pub call: String,
}

impl Client {
	/// The council's open motions, with their tallies, at the best block.
	pub async fn motions(&self) -> Result<Vec<OpenMotion>> {
		let at = self.at_best_block().await?;
		let storage = at.storage();
		let hashes = storage
			.fetch(runtime::storage().council().proposals(), ())
			.await
			.map_err(Error::chain)?
			.decode()
			.map_err(Error::chain)?;
		let mut out = Vec::new();
		for hash in hashes.0 {
			let Some(votes) = storage
				.try_fetch(runtime::storage().council().voting(), (hash,))
				.await
				.map_err(Error::chain)?
			else {
				continue;
			};
			let votes = votes.decode().map_err(Error::chain)?;
			let Some(call) = storage
				.try_fetch(runtime::storage().council().proposal_of(), (hash,))
				.await
				.map_err(Error::chain)?
			else {
				continue;
			};
			let call = call.decode().map_err(Error::chain)?;
			let length = self.encoded_len(&call).await?;
			out.push(OpenMotion {
				motion: Motion { hash, index: votes.index, length },
				threshold: votes.threshold,
				ayes: votes.ayes,
				nays: votes.nays,
				end: votes.end,
				call: readable(&format!("{call:?}")),
			});
		}
		Ok(out)
	}

	/// The open motion with this proposal hash.
	pub async fn motion(&self, hash: H256) -> Result<OpenMotion> {
		self.motions().await?.into_iter().find(|m| m.motion.hash == hash).ok_or_else(|| {
			Error::Invalid(format!(
				"no open motion has hash {hash:?}: it was closed already or never proposed \
				 (`accesslog admin motions` lists the open ones)"
			))
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn calls_show_accounts_in_ss58_and_keys_in_hex() {
		let alice = subxt_signer::sr25519::dev::alice().public_key().0;
		let debug = format!(
			"ValidatorSet(remove_validator {{ who: AccountId32({alice:?}) }}) Public({:?}) ([1, 2])",
			[7u8; 32]
		);
		assert_eq!(
			readable(&debug),
			format!(
				"ValidatorSet(remove_validator {{ who: 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY }}) \
				 Public(0x{}) ([1, 2])",
				"07".repeat(32)
			)
		);
	}
}
