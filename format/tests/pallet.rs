//! The format crate's layout, keys and limits, checked against the pallet and the runtime: a
//! pallet change that forgets this crate fails here.

use accesslog_format::{keys, layout::decode_all, limits, Entry, LogRecord, SourceInfo};
use accesslog_runtime::{configs, AccountId, Runtime};
use codec::Encode;
use pallet_access_log as pallet;
use polkadot_sdk::{frame_support::traits::Get, pallet_grandpa, sp_runtime::BoundedVec};

/// One record with every field distinct, its texts made by `text`.
fn record<T>(text: impl Fn(&str) -> T) -> LogRecord<T> {
	LogRecord {
		source: 3,
		seq: 0x0102_0304_0506,
		occurred_at: 1_764_547_200_123,
		agency: text("高雄市政府社會局"),
		system: text("社會福利補助審核系統"),
		accessor_ref: [1; 32],
		citizen_ref: [2; 32],
		key_id: 7,
		action: text("GET /household/v1/persons/{id}"),
		purpose: text("019"),
		status: 404,
		records: 65_537,
		record_hash: [3; 32],
	}
}

fn bounded<S: Get<u32>>(s: &str) -> BoundedVec<u8, S> {
	s.as_bytes().to_vec().try_into().expect("within the bound")
}

/// The pallet's record from the same field values (its own type, not ours).
fn pallet_record<T>(text: impl Fn(&str) -> T) -> pallet::LogRecord<T> {
	let r = record(text);
	pallet::LogRecord {
		source: r.source,
		seq: r.seq,
		occurred_at: r.occurred_at,
		agency: r.agency,
		system: r.system,
		accessor_ref: r.accessor_ref,
		citizen_ref: r.citizen_ref,
		key_id: r.key_id,
		action: r.action,
		purpose: r.purpose,
		status: r.status,
		records: r.records,
		record_hash: r.record_hash,
	}
}

#[test]
fn entries_and_records_have_the_pallets_layout() {
	let submitter = AccountId::new([9; 32]);
	let stored = pallet::Entry::<AccountId, u32> {
		record: pallet_record(bounded),
		block: 77,
		submitter: submitter.clone(),
	};
	let ours = Entry { record: record(|s| s.as_bytes().to_vec()), block: 77, submitter: [9; 32] };
	assert_eq!(stored.encode(), ours.encode());
	assert_eq!(decode_all::<Entry>(&stored.encode()).unwrap(), ours);
	// The readable form names the submitter as the runtime's account type prints it.
	assert_eq!(ours.to_json(5).submitter, submitter.to_string());

	let input: pallet::RecordInput = pallet_record(|s| s.as_bytes().to_vec());
	assert_eq!(input.encode(), record(|s| s.as_bytes().to_vec()).encode());
}

#[test]
fn sources_have_the_pallets_layout() {
	let stored = pallet::SourceInfo::<u32> {
		name: bounded("kcg-household-api"),
		agency: bounded("高雄市政府民政局"),
		active: true,
		registered_at: 12,
		last_seq: 99,
		entries: 98,
	};
	let ours = SourceInfo {
		name: "kcg-household-api".into(),
		agency: "高雄市政府民政局".as_bytes().to_vec(),
		active: true,
		registered_at: 12,
		last_seq: 99,
		entries: 98,
	};
	assert_eq!(stored.encode(), ours.encode());
	assert_eq!(decode_all::<SourceInfo>(&stored.encode()).unwrap(), ours);
}

#[test]
fn storage_keys_are_the_runtimes() {
	for id in [0u64, 1, 255, 256, 1 << 40, u64::MAX] {
		assert_eq!(
			keys::entry_key(id),
			pallet::Entries::<Runtime>::hashed_key_for(id.to_be_bytes()),
			"entry {id}"
		);
	}
	use polkadot_sdk::frame_support::storage::StoragePrefixedMap;
	assert_eq!(keys::entries_prefix(), pallet::Entries::<Runtime>::final_prefix().to_vec());
	assert_eq!(keys::entry_count_key(), pallet::NextEntryId::<Runtime>::hashed_key().to_vec());
	assert_eq!(keys::entry_id_of_key(&keys::entry_key(1 << 40)), Some(1 << 40));
	assert_eq!(keys::entry_id_of_key(&keys::source_key(1)), None, "not an entry's key");
	for id in [0u32, 1, 999] {
		assert_eq!(
			keys::source_key(id),
			pallet::Sources::<Runtime>::hashed_key_for(id),
			"source {id}"
		);
	}
	assert_eq!(
		keys::grandpa_authorities_key(),
		pallet_grandpa::Authorities::<Runtime>::hashed_key().to_vec()
	);
	assert_eq!(
		keys::grandpa_set_id_key(),
		pallet_grandpa::CurrentSetId::<Runtime>::hashed_key().to_vec()
	);
}

#[test]
fn limits_are_the_pallets_and_the_runtimes() {
	assert_eq!(limits::MAX_TEXT_LEN, pallet::MAX_TEXT_LEN as usize);
	assert_eq!(limits::MAX_NAME_LEN, pallet::MAX_NAME_LEN as usize);
	assert_eq!(limits::MAX_PAGE_SIZE, pallet::MAX_PAGE_SIZE);
	assert_eq!(limits::MAX_BATCH_SIZE, configs::AccessLogMaxBatchSize::get() as usize);
	assert_eq!(limits::MAX_CLOCK_SKEW_MS, configs::AccessLogMaxClockSkewMs::get());
}
