//! The watchers are watched: every search that names a person (a citizen by national ID, or an
//! official) is stored on chain as an access entry of the console's own source, through the
//! client library like any other source's records, before its results are shown.
//!
//! The entry: the auditor as accessor, the searched person's reference as the citizen reference
//! (for an official, the official's accessor reference: the official is the person whose data
//! the search reads), the purpose code the auditor gave, the number of rows shown, and the
//! action (`GET /search/citizen`, `GET /export/official.csv`, …). The national ID itself is
//! never stored, logged or sent anywhere: only references computed here leave the console.
//!
//! "Recorded" means the node's transaction pool has validated and accepted the signed
//! transaction (the submitter's permission and the record's checks included); a task then
//! follows it into a block and, should the pool drop it, submits it again under the same
//! sequence number, so the chain stores it once.

use accesslog_client::{
	format::{blake2_256, now_ms},
	pseudonym::{NationalId, PseudonymKey},
	runtime, status, Client, Error, RecordInput, Submitter, Wait,
};
use serde_json::json;
use std::sync::Arc;
use tokio::sync::Mutex;

/// Attempts to get one search's entry into a block before giving up (each logged).
const ATTEMPTS: u32 = 5;

/// Whose data a search reads.
#[derive(Clone, Copy, Debug)]
pub enum Subject<'a> {
	/// A citizen, by national ID.
	Citizen(&'a NationalId),
	/// An official, by official ID.
	Official(&'a str),
}

/// One search to record.
#[derive(Clone, Copy, Debug)]
pub struct Search<'a> {
	/// The auditor (login name).
	pub auditor: &'a str,
	/// Whose data.
	pub subject: Subject<'a>,
	/// The PDPA purpose code the auditor gave.
	pub purpose: &'a str,
	/// What was done: `GET /search/citizen`, `GET /export/citizen.csv`, …
	pub action: &'a str,
	/// Rows returned.
	pub rows: u32,
}

/// Why a search could not be recorded (and so was not run).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
	/// The console's submitter key is not authorized for a source on chain.
	#[error("the console's submitter key may not record searches: {0}")]
	NotAuthorized(Error),
	/// The audit source is not the one configured.
	#[error("the console's submitter key writes for source {actual:?}, not the configured {configured:?}")]
	WrongSource {
		/// `audit.source` in the configuration.
		configured: String,
		/// The source the key is authorized for.
		actual: String,
	},
	/// The node refused or could not take the transaction.
	#[error("the search could not be recorded on chain: {0}")]
	Submit(Error),
	/// Registering the source or authorizing the key through the council failed.
	#[error("the council did not {what}: {error}")]
	Council {
		/// What was asked.
		what: &'static str,
		/// Why it did not happen.
		error: String,
	},
}

/// Make sure the chain has the audit source `source` and that `submitter` may write for it,
/// asking the council (`council`: enough members' keys to pass a motion) for what is missing.
/// Returns the source id. For setting up a test or development chain; a real council votes with
/// `accesslog admin`.
pub async fn register(
	client: &Client,
	source: &str,
	agency: &str,
	submitter: &subxt::utils::AccountId32,
	council: &[Submitter],
) -> Result<u32, AuditError> {
	use accesslog_client::governance;
	let council_refs: Vec<&Submitter> = council.iter().collect();
	let find = || async {
		client.query().sources().await.map(|all| all.into_iter().find(|s| s.name == source))
	};
	let pass = |what: &'static str, call| {
		let refs = council_refs.clone();
		async move {
			match client.pass(&refs, call).await {
				Ok(Ok(())) => Ok(()),
				Ok(Err(e)) => Err(AuditError::Council { what, error: e.to_string() }),
				Err(e) => Err(AuditError::Council { what, error: e.to_string() }),
			}
		}
	};
	let existing = find().await.map_err(AuditError::NotAuthorized)?;
	let id = match existing {
		Some(s) => s.id,
		None => {
			pass("register the audit source", governance::register_source(source, agency)).await?;
			find().await.map_err(AuditError::NotAuthorized)?.map(|s| s.id).ok_or(
				AuditError::Council {
					what: "register the audit source",
					error: "the motion passed but the source is not there".into(),
				},
			)?
		},
	};
	let account = submitter.to_string();
	let authorized = client
		.query()
		.submitters()
		.await
		.map_err(AuditError::NotAuthorized)?
		.into_iter()
		.any(|s| s.account == account && s.active && s.source == id);
	if !authorized {
		pass("authorize the console's key", governance::authorize_submitter(*submitter, id))
			.await?;
	}
	Ok(id)
}

/// Records searches as entries of the console's source.
pub struct Recorder {
	client: Client,
	submitter: Arc<Submitter>,
	key: PseudonymKey,
	source_id: u32,
	agency: String,
	/// The next sequence number; held while a search's entry is being handed to the pool, so
	/// entries get consecutive numbers.
	next_seq: Mutex<u64>,
}

impl Recorder {
	/// Check that `submitter` writes for `source` and continue its sequence from the chain.
	pub async fn start(
		client: Client,
		submitter: Submitter,
		key: PseudonymKey,
		source: &str,
		agency: &str,
	) -> Result<Recorder, AuditError> {
		let account = submitter.account_id().to_string();
		let src = client.authorized_source(&account).await.map_err(AuditError::NotAuthorized)?;
		if src.name != source {
			return Err(AuditError::WrongSource { configured: source.into(), actual: src.name });
		}
		Ok(Recorder {
			client,
			submitter: Arc::new(submitter),
			key,
			source_id: src.id,
			agency: agency.into(),
			next_seq: Mutex::new(src.last_seq + 1),
		})
	}

	/// The source id searches are recorded under.
	pub fn source_id(&self) -> u32 {
		self.source_id
	}

	/// The entry `search` is stored as, with sequence number `seq`.
	pub fn entry(&self, search: &Search<'_>, seq: u64, occurred_at: u64) -> RecordInput {
		let citizen_ref = match search.subject {
			Subject::Citizen(id) => self.key.citizen_ref(id),
			Subject::Official(id) => self.key.accessor_ref(id),
		};
		let accessor_ref = self.key.accessor_ref(search.auditor);
		// The complete original record the hash stands for: what this entry holds, references
		// in place of the IDs.
		let original = json!({
			"ts_ms": occurred_at,
			"source": self.source_id,
			"seq": seq,
			"agency": self.agency,
			"system": "accesslog-console",
			"accessor_ref": hex::encode(accessor_ref),
			"subject_ref": hex::encode(citizen_ref),
			"subject": match search.subject { Subject::Citizen(_) => "citizen", Subject::Official(_) => "official" },
			"key_id": self.key.key_id(),
			"action": search.action,
			"purpose": search.purpose,
			"rows": search.rows,
		});
		RecordInput {
			source: self.source_id,
			seq,
			occurred_at,
			agency: self.agency.as_bytes().to_vec(),
			system: b"accesslog-console".to_vec(),
			accessor_ref,
			citizen_ref,
			key_id: self.key.key_id(),
			action: search.action.as_bytes().to_vec(),
			purpose: search.purpose.as_bytes().to_vec(),
			status: 200,
			records: search.rows,
			record_hash: blake2_256(original.to_string().as_bytes()),
		}
	}

	/// Record `search`: returns its sequence number once the node's pool has accepted the
	/// transaction; a background task sees it into a block.
	pub async fn record(&self, search: Search<'_>) -> Result<u64, AuditError> {
		let mut next = self.next_seq.lock().await;
		let seq = *next;
		let entry = self.entry(&search, seq, now_ms());
		let call = runtime::tx().access_log().submit(accesslog_client::chain_record(entry.clone()));
		let progress = self
			.client
			.submit_and_watch(&self.submitter, &call)
			.await
			.map_err(AuditError::Submit)?;
		*next += 1;
		drop(next);
		let (client, submitter) = (self.client.clone(), self.submitter.clone());
		tokio::spawn(async move { see_into_block(client, submitter, progress, entry).await });
		Ok(seq)
	}
}

/// Follow a search's transaction into a block; submit the entry again if it is dropped.
async fn see_into_block(
	client: Client,
	submitter: Arc<Submitter>,
	progress: accesslog_client::Progress,
	entry: RecordInput,
) {
	let seq = entry.seq;
	if status::watch(progress, &submitter, Wait::InBlock, || ()).await.is_ok() {
		return;
	}
	for attempt in 1..=ATTEMPTS {
		match client.entries_by_seq(entry.source, [seq], None).await {
			Ok(found) if found.contains_key(&seq) => return,
			Ok(_) => {},
			Err(e) => tracing::warn!(seq, "checking the audit entry: {e}"),
		}
		match client.submit_batch(&submitter, vec![entry.clone()], Wait::InBlock).await {
			Ok(_) => return,
			Err(e) => tracing::warn!(seq, attempt, "recording the search again: {e}"),
		}
		tokio::time::sleep(std::time::Duration::from_secs(2 * u64::from(attempt))).await;
	}
	tracing::error!(seq, "the search's audit entry is not on chain after {ATTEMPTS} attempts");
}
