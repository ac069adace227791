//! Signing and submitting transactions, and waiting for them.

use crate::{
	runtime, sign::sign_offline, ChainConfig, Client, Error, Keypair, RecordInput, Result,
};
use subxt::{
	client::OnlineClientAtBlockImpl,
	extrinsics::ExtrinsicEvents,
	transactions::{Payload, TransactionInBlock, TransactionProgress},
	utils::{AccountId32, H256},
};
use tokio::sync::Mutex;

/// A record as the generated calls take it (the metadata's `LogRecord<Vec<u8>>`).
pub type ChainRecord = runtime::runtime_types::pallet_access_log::types::LogRecord<Vec<u8>>;

/// The record of the format crate as the generated calls take it. Both types list the pallet's
/// fields (the format crate's tests check its layout against the pallet, the client's tests the
/// metadata against the runtime); the move is field by field, so a field added to either one
/// without the other does not compile.
pub fn chain_record(r: RecordInput) -> ChainRecord {
	let accesslog_format::LogRecord {
		source,
		seq,
		occurred_at,
		agency,
		system,
		accessor_ref,
		citizen_ref,
		key_id,
		action,
		purpose,
		status,
		records,
		record_hash,
	} = r;
	ChainRecord {
		source,
		seq,
		occurred_at,
		agency,
		system,
		accessor_ref,
		citizen_ref,
		key_id,
		action,
		purpose,
		status,
		records,
		record_hash,
	}
}

/// [`chain_record`] of every record.
pub fn chain_records(records: Vec<RecordInput>) -> Vec<ChainRecord> {
	records.into_iter().map(chain_record).collect()
}

/// How long a submission waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
	/// Until a block (not yet final) holds the transaction.
	InBlock,
	/// Until a GRANDPA-finalized block holds it.
	Finalized,
}

/// Where a submitted transaction landed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
	/// Hash of the block holding the transaction.
	pub block_hash: H256,
	/// Hash of the transaction.
	pub extrinsic_hash: H256,
	/// Ids of the entries it stored, in submission order (empty for non-log calls).
	pub entry_ids: Vec<u64>,
	/// Sequence gaps it revealed, as `(source, first missing, last missing)`.
	pub gaps: Vec<(u32, u64, u64)>,
}

/// A signing key with its own nonce counter, so concurrent submissions from one key get
/// consecutive nonces instead of racing for the same one.
pub struct Submitter {
	keypair: Keypair,
	next_nonce: Mutex<Option<u64>>,
}

impl Submitter {
	/// A submitter signing with `keypair`.
	pub fn new(keypair: Keypair) -> Self {
		Submitter { keypair, next_nonce: Mutex::new(None) }
	}

	/// The account that signs.
	pub fn account_id(&self) -> AccountId32 {
		self.keypair.public_key().into()
	}

	/// The key pair.
	pub fn keypair(&self) -> &Keypair {
		&self.keypair
	}

	/// Forget the nonce counter: the next transaction asks the node for the account's next
	/// nonce. Call it when a transaction of this key left the pool without being included.
	pub async fn reset_nonce(&self) {
		*self.next_nonce.lock().await = None;
	}
}

impl Client {
	/// Submit up to the chain's `MaxBatchSize` records in one `submit_batch` transaction (or
	/// `submit` for a single record), and wait as asked.
	pub async fn submit_batch(
		&self,
		submitter: &Submitter,
		records: Vec<RecordInput>,
		wait: Wait,
	) -> Result<Receipt> {
		if records.is_empty() {
			return Err(Error::Invalid("no records to submit".into()));
		}
		let events = if records.len() == 1 {
			let record = records.into_iter().next().expect("one record; qed");
			let call = runtime::tx().access_log().submit(chain_record(record));
			self.sign_and_wait(submitter, &call, wait).await?
		} else {
			let call = runtime::tx().access_log().submit_batch(chain_records(records));
			self.sign_and_wait(submitter, &call, wait).await?
		};
		Receipt::from_landed(events)
	}

	/// Sign `call` with `submitter`'s key and submit it; returns the transaction's progress
	/// stream. Nonces come from the submitter's own counter, so concurrent calls do not collide.
	pub async fn submit_and_watch<Call: Payload>(
		&self,
		submitter: &Submitter,
		call: &Call,
	) -> Result<Progress> {
		let mut nonce = submitter.next_nonce.lock().await;
		let n = match *nonce {
			Some(n) => n,
			None => self.next_nonce(&submitter.account_id()).await?,
		};
		// Mortality is anchored at the current block.
		let at = self.api().at_current_block().await.map_err(Error::chain)?;
		let submitted = async {
			sign_offline(&at, submitter.keypair(), call, n)?
				.submit_and_watch()
				.await
				.map_err(refusal)
		}
		.await;
		// On refusal, ask the chain again next time: the pool may know better than we do.
		*nonce = if submitted.is_ok() { Some(n + 1) } else { None };
		submitted
	}

	/// Sign `call` with `submitter`'s key, submit it, and wait until it is in a block or
	/// finalized; fails with the decoded dispatch error if the call failed.
	pub async fn sign_and_wait<Call: Payload>(
		&self,
		submitter: &Submitter,
		call: &Call,
		wait: Wait,
	) -> Result<Landed> {
		let progress = self.submit_and_watch(submitter, call).await?;
		crate::status::watch(progress, submitter, wait, || ()).await
	}
}

/// The node's refusal of a submitted transaction, with its reason: the pool's JSON-RPC error
/// carries it in `data` (`Invalid Transaction` / `Invalid signing address`), which the error's
/// own text leaves out.
fn refusal(e: subxt::error::ExtrinsicError) -> Error {
	use subxt::error::{BackendError, ExtrinsicError, RpcError};
	if let ExtrinsicError::ErrorSubmittingTransaction(BackendError::Rpc(RpcError::ClientError(
		subxt_rpcs::Error::User(user),
	))) = &e
	{
		let reason = user.data.as_ref().map(|d| {
			serde_json::from_str::<String>(d.get()).unwrap_or_else(|_| d.get().to_string())
		});
		return Error::Refused(match reason {
			Some(reason) => format!("{} ({}): {reason}", user.message, user.code),
			None => format!("{} ({})", user.message, user.code),
		});
	}
	Error::Refused(e.to_string())
}

/// The progress stream of a submitted transaction.
pub type Progress = TransactionProgress<ChainConfig, OnlineClientAtBlockImpl<ChainConfig>>;

impl Receipt {
	/// The receipt of a landed log submission: its entry ids and sequence gaps, from its events.
	pub fn from_landed(landed: Landed) -> Result<Receipt> {
		use runtime::access_log::events::{EntriesStored, SequenceGap};
		let (block_hash, events) = (landed.block_hash, landed.events);
		Ok(Receipt {
			block_hash,
			extrinsic_hash: events.extrinsic_hash(),
			entry_ids: events
				.find::<EntriesStored>()
				.map(|e| {
					e.map(|e| e.first_entry_id..e.first_entry_id + u64::from(e.count))
						.map_err(Error::chain)
				})
				.collect::<Result<Vec<_>, _>>()?
				.into_iter()
				.flatten()
				.collect(),
			gaps: events
				.find::<SequenceGap>()
				.map(|e| e.map(|g| (g.source, g.first, g.last)).map_err(Error::chain))
				.collect::<Result<_, _>>()?,
		})
	}
}

/// A transaction in a block, with its events.
pub struct Landed {
	/// The block holding it.
	pub block_hash: H256,
	/// Its events (the call succeeded).
	pub events: ExtrinsicEvents<ChainConfig>,
}

impl Landed {
	/// Wait for the transaction's events; fails with the dispatch error if its call failed.
	pub async fn from(
		in_block: TransactionInBlock<ChainConfig, OnlineClientAtBlockImpl<ChainConfig>>,
	) -> Result<Landed> {
		let events =
			in_block.wait_for_success().await.map_err(|e| Error::DispatchFailed(e.to_string()))?;
		Ok(Landed { block_hash: in_block.block_hash(), events })
	}
}
