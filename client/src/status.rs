//! Following a submitted transaction: the one state machine every submitter of the chain uses
//! (bulk submit, the gateway's workers, single submissions).
//!
//! A transaction's status stream says many things (ready, broadcast, in a best block, retracted,
//! finalized, dropped…); [`next`] reduces it to the two that matter, [`Status::InBlock`] and
//! [`Status::Finalized`], and ends with a typed error for every way it can fail. When the pool
//! let go of the transaction without including it, the submitter's nonce counter is reset, so
//! the next transaction asks the chain again.

use crate::{ChainConfig, Error, Landed, Progress, Result, Submitter, Wait};
use subxt::{
	client::OnlineClientAtBlockImpl, transactions::TransactionInBlock,
	transactions::TransactionStatus,
};

/// A block holding the transaction.
pub type InBlock = TransactionInBlock<ChainConfig, OnlineClientAtBlockImpl<ChainConfig>>;

/// Where a transaction is now.
pub enum Status {
	/// A best block (not yet final) holds it; it may still be retracted.
	InBlock(InBlock),
	/// A GRANDPA-finalized block holds it: the last status.
	Finalized(InBlock),
}

/// The next status of `progress` that matters. Errors are final: [`Error::Refused`] (the pool's
/// validation refused it), [`Error::NotIncluded`] (dropped, usurped or the stream ended) or the
/// transport's error.
pub async fn next(progress: &mut Progress, submitter: &Submitter) -> Result<Status> {
	while let Some(status) = progress.next().await {
		match status.map_err(Error::chain)? {
			TransactionStatus::InBestBlock(tx) => return Ok(Status::InBlock(tx)),
			TransactionStatus::InFinalizedBlock(tx) => return Ok(Status::Finalized(tx)),
			// Invalid before inclusion: the pool's validation refused it (e.g. the permission
			// check: "Invalid signing address").
			TransactionStatus::Invalid { message } => {
				submitter.reset_nonce().await;
				return Err(Error::Refused(message));
			},
			TransactionStatus::Error { message } | TransactionStatus::Dropped { message } => {
				submitter.reset_nonce().await;
				return Err(Error::NotIncluded(message));
			},
			_ => continue,
		}
	}
	Err(Error::NotIncluded("the node closed the transaction's status stream".into()))
}

/// Follow a submitted transaction until it is in a block or finalized (`wait`); `in_block` runs
/// once when a block first holds it (so a caller can release a slot while finality is awaited).
pub async fn watch(
	mut progress: Progress,
	submitter: &Submitter,
	wait: Wait,
	in_block: impl FnOnce(),
) -> Result<Landed> {
	let mut in_block = Some(in_block);
	loop {
		match next(&mut progress, submitter).await? {
			Status::InBlock(tx) => {
				if let Some(f) = in_block.take() {
					f();
				}
				if wait == Wait::InBlock {
					return Landed::from(tx).await;
				}
			},
			Status::Finalized(tx) => {
				if let Some(f) = in_block.take() {
					f();
				}
				return Landed::from(tx).await;
			},
		}
	}
}
