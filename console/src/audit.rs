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
	format::{blake2_256, limits::MAX_BATCH_SIZE, now_ms},
	pseudonym::{NationalId, PseudonymKey},
	runtime, status, Client, Error, RecordInput, Submitter, Wait,
};
use serde_json::json;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

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
	/// The node refused or could not take the transaction (shared by every search in it).
	#[error("the search could not be recorded on chain: {0}")]
	Submit(Arc<Error>),
	/// The console is shutting down.
	#[error("the console is stopping")]
	Stopped,
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

/// A search to record, with the references computed: what the committing task needs.
struct Pending {
	accessor_ref: [u8; 32],
	subject_ref: [u8; 32],
	subject: &'static str,
	purpose: String,
	action: String,
	rows: u32,
	recorded: oneshot::Sender<Result<u64, AuditError>>,
}

/// What every recorded entry shares.
struct Writer {
	client: Client,
	submitter: Arc<Submitter>,
	key_id: u32,
	source_id: u32,
	agency: String,
}

/// Records searches as entries of the console's source.
///
/// Searches are committed in groups: one task takes every search waiting, gives them
/// consecutive sequence numbers and hands them to the pool as one transaction (`submit` for
/// one, `submit_batch` for several). Fifty auditors searching at once wait for one or two
/// round trips to the node, not fifty.
pub struct Recorder {
	key: PseudonymKey,
	source_id: u32,
	queue: mpsc::Sender<Pending>,
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
		let writer = Writer {
			client,
			submitter: Arc::new(submitter),
			key_id: key.key_id(),
			source_id: src.id,
			agency: agency.into(),
		};
		let (queue, waiting) = mpsc::channel(4 * MAX_BATCH_SIZE);
		tokio::spawn(commit(writer, waiting, src.last_seq + 1));
		Ok(Recorder { key, source_id: src.id, queue })
	}

	/// The source id searches are recorded under.
	pub fn source_id(&self) -> u32 {
		self.source_id
	}

	/// Record `search`: returns its sequence number once the node's pool has accepted the
	/// transaction holding it; a background task sees it into a block.
	pub async fn record(&self, search: Search<'_>) -> Result<u64, AuditError> {
		let (subject_ref, subject) = match search.subject {
			Subject::Citizen(id) => (self.key.citizen_ref(id), "citizen"),
			Subject::Official(id) => (self.key.accessor_ref(id), "official"),
		};
		let (recorded, answer) = oneshot::channel();
		let pending = Pending {
			accessor_ref: self.key.accessor_ref(search.auditor),
			subject_ref,
			subject,
			purpose: search.purpose.into(),
			action: search.action.into(),
			rows: search.rows,
			recorded,
		};
		self.queue.send(pending).await.map_err(|_| AuditError::Stopped)?;
		answer.await.map_err(|_| AuditError::Stopped)?
	}
}

impl Writer {
	/// The entry `p` is stored as, with sequence number `seq`.
	fn entry(&self, p: &Pending, seq: u64, occurred_at: u64) -> RecordInput {
		// The complete original record the hash stands for: what this entry holds, references
		// in place of the IDs.
		let original = json!({
			"ts_ms": occurred_at,
			"source": self.source_id,
			"seq": seq,
			"agency": self.agency,
			"system": SYSTEM,
			"accessor_ref": hex::encode(p.accessor_ref),
			"subject_ref": hex::encode(p.subject_ref),
			"subject": p.subject,
			"key_id": self.key_id,
			"action": p.action,
			"purpose": p.purpose,
			"rows": p.rows,
		});
		RecordInput {
			source: self.source_id,
			seq,
			occurred_at,
			agency: self.agency.as_bytes().to_vec(),
			system: SYSTEM.as_bytes().to_vec(),
			accessor_ref: p.accessor_ref,
			citizen_ref: p.subject_ref,
			key_id: self.key_id,
			action: p.action.as_bytes().to_vec(),
			purpose: p.purpose.as_bytes().to_vec(),
			status: 200,
			records: p.rows,
			record_hash: blake2_256(original.to_string().as_bytes()),
		}
	}

	/// Hand `entries` to the pool as one transaction.
	async fn hand_over(
		&self,
		entries: &[RecordInput],
	) -> Result<accesslog_client::Progress, Error> {
		let access_log = runtime::tx().access_log();
		if let [one] = entries {
			let call = access_log.submit(accesslog_client::chain_record(one.clone()));
			self.client.submit_and_watch(&self.submitter, &call).await
		} else {
			let call = access_log.submit_batch(accesslog_client::chain_records(entries.to_vec()));
			self.client.submit_and_watch(&self.submitter, &call).await
		}
	}
}

/// The system name the console's entries carry.
const SYSTEM: &str = "accesslog-console";

/// The committing task: every search waiting becomes one transaction; the sequence moves on
/// only past numbers the pool accepted.
async fn commit(writer: Writer, mut waiting: mpsc::Receiver<Pending>, mut next: u64) {
	let writer = Arc::new(writer);
	while let Some(first) = waiting.recv().await {
		let mut group = vec![first];
		while group.len() < MAX_BATCH_SIZE {
			match waiting.try_recv() {
				Ok(p) => group.push(p),
				Err(_) => break,
			}
		}
		let at = now_ms();
		let entries: Vec<RecordInput> =
			group.iter().enumerate().map(|(i, p)| writer.entry(p, next + i as u64, at)).collect();
		match writer.hand_over(&entries).await {
			Ok(progress) => {
				for (p, e) in group.into_iter().zip(&entries) {
					let _ = p.recorded.send(Ok(e.seq));
				}
				next += entries.len() as u64;
				tokio::spawn(see_into_block(writer.clone(), progress, entries));
			},
			Err(e) => {
				let e = Arc::new(e);
				for p in group {
					let _ = p.recorded.send(Err(AuditError::Submit(e.clone())));
				}
			},
		}
	}
}

/// Follow a group's transaction into a block; submit what is not on chain again if it is
/// dropped (under the same sequence numbers, so the chain stores each once).
async fn see_into_block(
	writer: Arc<Writer>,
	progress: accesslog_client::Progress,
	mut entries: Vec<RecordInput>,
) {
	let (first, last) = (entries[0].seq, entries[entries.len() - 1].seq);
	if status::watch(progress, &writer.submitter, Wait::InBlock, || ()).await.is_ok() {
		return;
	}
	for attempt in 1..=ATTEMPTS {
		match writer
			.client
			.entries_by_seq(
				writer.source_id,
				entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
				None,
			)
			.await
		{
			Ok(found) => entries.retain(|e| !found.contains_key(&e.seq)),
			Err(e) => tracing::warn!(first, last, "checking the audit entries: {e}"),
		}
		if entries.is_empty() {
			return;
		}
		match writer.client.submit_batch(&writer.submitter, entries.clone(), Wait::InBlock).await {
			Ok(_) => return,
			Err(e) => tracing::warn!(first, last, attempt, "recording the searches again: {e}"),
		}
		tokio::time::sleep(std::time::Duration::from_secs(2 * u64::from(attempt))).await;
	}
	tracing::error!(first, last, "audit entries not on chain after {ATTEMPTS} attempts");
}
