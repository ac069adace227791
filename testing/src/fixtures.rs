//! Small fixed records and clocks for tests.

use accesslog_client::RecordInput;

pub use accesslog_format::now_ms;

/// A record of source 0 with sequence `seq`, about citizen `[citizen; 32]`, by official
/// `[official; 32]`.
pub fn record(seq: u64, citizen: u8, official: u8, occurred_at: u64) -> RecordInput {
	RecordInput {
		source: 0,
		seq,
		occurred_at,
		agency: "高雄市政府社會局".as_bytes().to_vec(),
		system: "社會福利補助審核系統".as_bytes().to_vec(),
		accessor_ref: [official; 32],
		citizen_ref: [citizen; 32],
		key_id: 1,
		action: b"GET /household/v1/persons/{id}".to_vec(),
		purpose: b"019".to_vec(),
		status: 200,
		records: 1,
		record_hash: [seq as u8; 32],
	}
}
