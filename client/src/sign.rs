//! Signing transactions offline: explicit nonces, mortality anchored at a known block.
//!
//! The one signer of the chain's clients (single and bulk submissions, the gateway's workers, the
//! load tool). subxt's `create_signed` would ask the node for a nonce the caller already knows,
//! one round trip per transaction.

use crate::{ChainConfig, Error, Keypair, Result};
use subxt::{
	client::{OnlineClientAtBlock, OnlineClientAtBlockImpl},
	config::DefaultExtrinsicParamsBuilder,
	transactions::{Payload, SubmittableTransaction},
};

/// How many blocks a transaction stays valid after its anchor block.
pub const MORTALITY: u64 = 64;

/// A signed transaction, ready to submit to any node of the chain.
pub type Signed = SubmittableTransaction<ChainConfig, OnlineClientAtBlockImpl<ChainConfig>>;

/// Sign `call` with `keypair` at `nonce`, valid for [`MORTALITY`] blocks from the block `at`
/// (which every node must have: anchor at a finalized block, or a recent best one).
pub fn sign_offline<C: Payload>(
	at: &OnlineClientAtBlock<ChainConfig>,
	keypair: &Keypair,
	call: &C,
	nonce: u64,
) -> Result<Signed> {
	let params = DefaultExtrinsicParamsBuilder::<ChainConfig>::new()
		.nonce(nonce)
		.mortal_from_unchecked(MORTALITY, at.block_number(), at.block_ref().hash())
		.build();
	at.transactions()
		.create_signable_offline(call, params)
		.and_then(|mut t| t.sign(keypair))
		.map_err(|e| Error::Refused(e.to_string()))
}
