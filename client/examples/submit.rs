//! Submit one access record to a development node and read it back by citizen reference.
use accesslog_client::{query::Query, Client, RecordInput, Submitter, Wait};
use subxt_signer::sr25519::dev;

#[tokio::main]
async fn main() -> Result<(), accesslog_client::Error> {
	let client = Client::connect(&["ws://127.0.0.1:9944"]).await?;
	// In `--dev`, Alice is an authorized submitter of source 0.
	let alice = Submitter::new(dev::alice());
	let citizen_ref = [7u8; 32];
	let now_ms = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.expect("clock after 1970")
		.as_millis() as u64;
	let record = RecordInput {
		source: 0,
		seq: now_ms, // any unused sequence number of the source
		occurred_at: now_ms,
		agency: "高雄市政府社會局".as_bytes().to_vec(),
		system: "社會福利補助審核系統".as_bytes().to_vec(),
		accessor_ref: [1u8; 32],
		citizen_ref,
		key_id: 1,
		action: b"GET /household/v1/persons/{id}".to_vec(),
		purpose: b"019".to_vec(),
		status: 200,
		records: 1,
		record_hash: [9u8; 32],
	};
	let receipt = client.submit_batch(&alice, vec![record], Wait::InBlock).await?;
	println!("stored entries {:?} in block {:?}", receipt.entry_ids, receipt.block_hash);
	let found = client.query().all(&Query::Citizen(citizen_ref)).await?;
	println!("{} entries for this citizen", found.len());
	Ok(())
}
