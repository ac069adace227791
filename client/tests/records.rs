//! Validation of the platform's records against the hostile cases of the log generator
//! (`tests/fixtures/bad.tsv`: expect, reason, line) and 200 well-formed records.

use accesslog_client::{
	pseudonym::PseudonymKey,
	record::{blake2_256, parse_line},
};

/// 2026-11-28T00:00:00Z: after every fixture's timestamp, long before "2099".
const NOW_MS: u64 = 1_795_824_000_000;

#[test]
fn every_hostile_case_gets_its_expected_outcome() {
	let cases = include_str!("fixtures/bad.tsv");
	let mut seen = 0;
	for (n, case) in cases.lines().enumerate() {
		let mut parts = case.splitn(3, '\t');
		let (expect, reason) = (parts.next().unwrap(), parts.next().unwrap());
		let line = parts.next().unwrap_or("");
		let outcome = parse_line(line, NOW_MS);
		match expect {
			"accept" => assert!(outcome.is_ok(), "case {n} ({reason}) refused: {outcome:?}"),
			"reject" => {
				let e = outcome.expect_err(&format!("case {n} ({reason}) accepted"));
				assert!(!e.reason.is_empty());
			},
			other => panic!("unknown expectation {other}"),
		}
		seen += 1;
	}
	assert_eq!(seen, 20);
}

#[test]
fn rejections_name_the_field() {
	let cases = include_str!("fixtures/bad.tsv");
	let field_of = |reason: &str| {
		let line = cases.lines().find(|l| l.split('\t').nth(1) == Some(reason)).unwrap();
		parse_line(line.splitn(3, '\t').nth(2).unwrap_or(""), NOW_MS).unwrap_err().field
	};
	assert_eq!(field_of("missing citizen_id"), "citizen_id");
	assert_eq!(field_of("citizen_id bad check digit"), "citizen_id");
	assert_eq!(field_of("ts far in the future"), "ts");
	assert_eq!(field_of("seq negative"), "seq");
	assert_eq!(field_of("status out of range"), "status");
	assert_eq!(field_of("api 100 KiB long"), "api");
	assert_eq!(field_of("user_id with control characters"), "user_id");
	assert_eq!(field_of("agency 10 KiB"), "agency");
	assert_eq!(field_of("deeply nested"), "line");
}

#[test]
fn well_formed_records_become_pseudonymous_entries() {
	let key = PseudonymKey::new(1, &[42u8; 32]).unwrap();
	let lines: Vec<&str> = include_str!("fixtures/good-200.jsonl").lines().collect();
	assert_eq!(lines.len(), 200);
	for (i, line) in lines.iter().enumerate() {
		let record = parse_line(line, NOW_MS).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
		assert_eq!(record.seq, i as u64 + 1);
		let entry = record.to_entry(0, &key);
		assert_eq!(entry.record_hash, blake2_256(line.as_bytes()));
		assert_eq!(entry.citizen_ref, key.citizen_ref(&record.citizen_id));
		// No ID in clear anywhere in the entry.
		let bytes = format!("{:?}", (&entry.agency, &entry.system, &entry.action, &entry.purpose));
		assert!(!bytes.contains(record.citizen_id.expose()));
		assert!(entry.action.starts_with(b"GET ") || entry.action.starts_with(b"POST "));
	}
}
