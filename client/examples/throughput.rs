//! Submit N generated entries in batches to a running node and report entries/s included in a
//! block and finalized. Usage (scripts/throughput.sh wraps it):
//!
//! `throughput [--url ws://127.0.0.1:9944] [--count 10000] [--batch 500] [--inflight 4]`
//!
//! Signs as Alice (the `--dev` submitter); sequences continue after the source's last one.
use accesslog_client::{Client, RecordInput, Submitter};
use std::{sync::Arc, time::Instant};
use subxt::transactions::TransactionStatus;
use subxt_signer::sr25519::dev;
use tokio::sync::Semaphore;

fn arg(name: &str, default: &str) -> String {
	let args: Vec<String> = std::env::args().collect();
	args.iter()
		.position(|a| a == name)
		.and_then(|i| args.get(i + 1).cloned())
		.unwrap_or_else(|| default.to_string())
}

fn number(name: &str, default: &str) -> usize {
	let v = arg(name, default);
	v.parse().unwrap_or_else(|_| panic!("{name} must be a positive integer, got {v:?}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
	let url = arg("--url", "ws://127.0.0.1:9944");
	let (count, batch, inflight) =
		(number("--count", "10000"), number("--batch", "500"), number("--inflight", "4"));
	let client = Client::connect(&[&url]).await?;
	let alice = Arc::new(Submitter::new(dev::alice()));
	let first_seq = client.query().sources().await?[0].last_seq + 1;
	let now_ms =
		std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as u64;

	let records: Vec<RecordInput> = (0..count as u64)
		.map(|i| {
			let mut citizen = [0u8; 32];
			citizen[..8].copy_from_slice(&(i % 5000).to_be_bytes());
			let mut official = [1u8; 32];
			official[..8].copy_from_slice(&(i % 300).to_be_bytes());
			RecordInput {
				source: 0,
				seq: first_seq + i,
				occurred_at: now_ms - 60_000 + i % 60_000,
				agency: "高雄市政府社會局".as_bytes().to_vec(),
				system: "社會福利補助審核系統".as_bytes().to_vec(),
				accessor_ref: official,
				citizen_ref: citizen,
				key_id: 1,
				action: b"GET /household/v1/persons/{id}".to_vec(),
				purpose: b"019".to_vec(),
				status: 200,
				records: 1,
				record_hash: [i as u8; 32],
			}
		})
		.collect();

	println!("submitting {count} entries in batches of {batch}, {inflight} in flight, to {url}");
	let start = Instant::now();
	let slots = Arc::new(Semaphore::new(inflight));
	let mut tasks = Vec::new();
	for chunk in records.chunks(batch) {
		let permit = slots.clone().acquire_owned().await?;
		let (client, alice, chunk) = (client.clone(), alice.clone(), chunk.to_vec());
		let n = chunk.len();
		let call = accesslog_client::runtime::tx().access_log().submit_batch(chunk);
		let mut progress = client.submit_and_watch(&alice, &call).await?;
		tasks.push(tokio::spawn(async move {
			// The slot is freed once the batch is in a block; finality is awaited in the background.
			let mut permit = Some(permit);
			let mut in_block = None;
			while let Some(status) = progress.next().await {
				match status {
					Ok(TransactionStatus::InBestBlock(b)) => {
						drop(b);
						if in_block.is_none() {
							in_block = Some(start.elapsed());
							permit.take();
						}
					},
					Ok(TransactionStatus::InFinalizedBlock(b)) => {
						b.wait_for_success().await.map_err(|e| e.to_string())?;
						let fin = start.elapsed();
						permit.take();
						return Ok::<_, String>((n, in_block.unwrap_or(fin), fin));
					},
					Ok(
						TransactionStatus::Invalid { message }
						| TransactionStatus::Dropped { message }
						| TransactionStatus::Error { message },
					) => return Err(message),
					Ok(_) => {},
					Err(e) => return Err(e.to_string()),
				}
			}
			Err("status stream closed".to_string())
		}));
	}
	let (mut done, mut last_in_block, mut last_final) = (0usize, 0f64, 0f64);
	for t in tasks {
		let (n, ib, fin) = t.await??;
		done += n;
		last_in_block = last_in_block.max(ib.as_secs_f64());
		last_final = last_final.max(fin.as_secs_f64());
		eprint!("\r{done}/{count} finalized");
	}
	eprintln!();
	println!(
		"in block:  {count} entries in {last_in_block:.2} s = {:.0} entries/s",
		count as f64 / last_in_block
	);
	println!(
		"finalized: {count} entries in {last_final:.2} s = {:.0} entries/s",
		count as f64 / last_final
	);
	Ok(())
}
