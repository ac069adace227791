//! The verifier against a real bundle of a dev chain (`tests/fixtures`, made with
//! `accesslog evidence` and `accesslog validators` on `accesslog-node --dev`), offline: every
//! step's failure is reached by tampering with the part that step checks.

use accesslog_evidence::{
	verify, verify_json, Bundle, EntryError, HeaderError, JustificationError, MalformedError,
	ProofError, ValidatorSet, ValidatorSetError, VerifyError,
};
use accesslog_format::{hex, parse_hex};

fn fixture() -> (Bundle, ValidatorSet) {
	let bundle = serde_json::from_str(include_str!("fixtures/bundle.json")).unwrap();
	let validators = serde_json::from_str(include_str!("fixtures/validators.json")).unwrap();
	(bundle, validators)
}

fn flip(hex_value: &str, at: usize) -> String {
	let mut b = parse_hex(hex_value).unwrap();
	let at = at.min(b.len() - 1);
	b[at] ^= 0x01;
	hex(&b)
}

#[test]
fn the_real_bundle_verifies() {
	let (bundle, validators) = fixture();
	let v = verify(&bundle, &validators).unwrap();
	assert_eq!(v.block_number, bundle.block.number);
	assert_eq!(hex(&v.block_hash), bundle.block.hash);
	assert_eq!(v.signers, 1, "the dev chain has one validator");
	assert_eq!(
		v.entries.iter().map(|e| e.id).collect::<Vec<_>>(),
		bundle.entries.iter().map(|e| e.id).collect::<Vec<_>>()
	);
	assert_eq!(v.entries[0], bundle.entries[0].entry);
}

#[test]
fn each_step_fails_with_its_own_error() {
	let (bundle, validators) = fixture();
	let check = |edit: &dyn Fn(&mut Bundle), set: &ValidatorSet| {
		let mut b = bundle.clone();
		edit(&mut b);
		verify(&b, set).unwrap_err()
	};

	// 0. The bundle itself.
	let e = check(&|b| b.format = "accesslog-evidence/0".into(), &validators);
	assert!(matches!(e, VerifyError::Malformed(MalformedError::Format { .. })), "{e}");
	let e = check(&|b| b.entries.clear(), &validators);
	assert_eq!(e, VerifyError::Malformed(MalformedError::NoEntries));
	let e = check(&|b| b.proof[0] = "zz".into(), &validators);
	assert_eq!(e, VerifyError::Malformed(MalformedError::NotHex("proof[0]".into())));
	let e = check(&|b| b.sources.clear(), &validators);
	assert!(matches!(e, VerifyError::Malformed(MalformedError::SourceMissing { .. })), "{e}");

	// 1. The validator set.
	let empty = ValidatorSet { set_id: 0, authorities: vec![] };
	assert_eq!(check(&|_| {}, &empty), VerifyError::ValidatorSet(ValidatorSetError::Empty));
	let mut later = validators.clone();
	later.set_id += 1;
	let e = check(&|_| {}, &later);
	assert!(matches!(e, VerifyError::Justification(JustificationError::SetId { .. })), "{e}");

	// 2. The justification.
	let e = check(&|b| b.finality.justification = flip(&b.finality.justification, 20), &validators);
	assert!(matches!(e, VerifyError::Justification(_)), "{e}");
	let e = check(&|b| b.finality.justification.push_str("00"), &validators);
	assert_eq!(e, VerifyError::Justification(JustificationError::Trailing(1)));
	let mut strangers = validators.clone();
	strangers.authorities[0].id = hex(&[9u8; 32]);
	let e = check(&|_| {}, &strangers);
	assert!(
		matches!(e, VerifyError::Justification(JustificationError::UnknownSigner { .. })),
		"{e}"
	);

	// 3. The header.
	let e = check(&|b| b.block.header = flip(&b.block.header, 40), &validators);
	assert!(matches!(e, VerifyError::Header(HeaderError::Mismatch { .. })), "{e}");
	let e = check(&|b| b.block.header.push_str("00"), &validators);
	assert_eq!(e, VerifyError::Header(HeaderError::Trailing(1)));

	// 4. The trie proof.
	let e = check(&|b| b.proof.truncate(1), &validators);
	assert!(matches!(e, VerifyError::Proof(ProofError::Incomplete { .. })), "{e}");

	// 5. The entry bytes.
	let e = check(&|b| b.entries[0].value = flip(&b.entries[0].value, 0), &validators);
	assert!(matches!(e, VerifyError::Entry(EntryError::BytesDiffer(_))), "{e}");
	let e = check(&|b| b.entries[0].entry.purpose = "999".into(), &validators);
	assert!(matches!(e, VerifyError::Entry(EntryError::ReadableDiffers(_))), "{e}");
	let other = bundle.entries.last().unwrap().key.clone();
	if bundle.entries.len() > 1 {
		let e = check(&|b| b.entries[0].key = other.clone(), &validators);
		assert!(matches!(e, VerifyError::Entry(EntryError::WrongKey(_))), "{e}");
	}
}

#[test]
fn the_json_interface_answers_what_verify_answers() {
	let bundle = include_str!("fixtures/bundle.json");
	let validators = include_str!("fixtures/validators.json");
	let ok: serde_json::Value = serde_json::from_str(&verify_json(bundle, validators)).unwrap();
	assert_eq!(ok["verified"], true, "{ok}");
	let (b, _) = fixture();
	assert_eq!(ok["block_hash"], b.block.hash);
	let bad: serde_json::Value = serde_json::from_str(&verify_json("{}", validators)).unwrap();
	assert_eq!((bad["verified"].clone(), bad["part"].clone()), (false.into(), "bundle".into()));
	assert_eq!(bad["exit_code"], 3);
	let set: serde_json::Value = serde_json::from_str(&verify_json(bundle, "[]")).unwrap();
	assert_eq!(set["part"], "validator-set", "{set}");
}
