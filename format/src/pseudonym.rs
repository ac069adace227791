//! Pseudonymisation: the keyed-hash references that stand for people on chain.
//!
//! This module is the only place the references are computed; the CLI and the gateway both call
//! it, so the same person always gets the same reference under the same key.
//!
//! ## Why a keyed hash
//!
//! A Taiwanese national ID is one letter, a 1 or 2 (8 or 9 for residents' certificates) and eight
//! digits with a check digit: about 5·10⁹ valid values. A plain hash of such an ID is no protection:
//! hashing all of them takes hours on one machine, after which every reference on chain reads as
//! a name. The reference is therefore `HMAC-SHA256(key, domain ‖ id)` with the organisation's
//! secret key (at least 32 random bytes): without the key, nobody can compute a reference for a
//! guessed ID, nor confirm a guess against the chain. Holders of the key (the platform, auditors
//! acting under it) can find a person's accesses by computing the reference themselves.
//!
//! The `key_id` stored with each entry names the key that produced its references, so the key can
//! rotate: a new key gets a new id, and queries compute the reference under each key in use.
//! Domains (`citizen`, `official`) keep the two kinds of reference apart.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// The letter codes of the first character of a national ID (內政部 rule).
const LETTER_CODES: [(char, u32); 26] = [
	('A', 10),
	('B', 11),
	('C', 12),
	('D', 13),
	('E', 14),
	('F', 15),
	('G', 16),
	('H', 17),
	('I', 34),
	('J', 18),
	('K', 19),
	('L', 20),
	('M', 21),
	('N', 22),
	('O', 35),
	('P', 23),
	('Q', 24),
	('R', 25),
	('S', 26),
	('T', 27),
	('U', 28),
	('V', 29),
	('W', 32),
	('X', 30),
	('Y', 31),
	('Z', 33),
];

/// Why a string is not a valid national ID.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
	/// Not 10 characters.
	#[error("a national ID has 10 characters, this one has {0}")]
	Length(usize),
	/// Does not start with an uppercase letter A–Z.
	#[error("a national ID starts with an uppercase letter A-Z")]
	Letter,
	/// The rest is not 9 digits, or the second is not 1, 2, 8 or 9.
	#[error("a national ID continues with 9 digits, the first of them 1, 2, 8 or 9")]
	Digits,
	/// The check digit does not match.
	#[error("the check digit does not match: the ID is mistyped")]
	CheckDigit,
}

/// A national ID whose format and check digit are valid. Its `Debug` and `Display` mask it.
#[derive(Clone, PartialEq, Eq)]
pub struct NationalId(String);

impl NationalId {
	/// Validate `s` (format and check digit).
	pub fn parse(s: &str) -> Result<Self, IdError> {
		let chars: Vec<char> = s.chars().collect();
		if chars.len() != 10 {
			return Err(IdError::Length(chars.len()));
		}
		let code = LETTER_CODES
			.iter()
			.find(|(c, _)| *c == chars[0])
			.map(|(_, code)| *code)
			.ok_or(IdError::Letter)?;
		let digits: Vec<u32> = chars[1..]
			.iter()
			.map(|c| c.to_digit(10))
			.collect::<Option<_>>()
			.ok_or(IdError::Digits)?;
		if !matches!(digits[0], 1 | 2 | 8 | 9) {
			return Err(IdError::Digits);
		}
		let weights = [8, 7, 6, 5, 4, 3, 2, 1, 1];
		let sum = code / 10
			+ (code % 10) * 9
			+ digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>();
		if sum % 10 != 0 {
			return Err(IdError::CheckDigit);
		}
		Ok(NationalId(s.to_string()))
	}

	/// The ID in clear: handle with care, never log it.
	pub fn expose(&self) -> &str {
		&self.0
	}
}

impl fmt::Debug for NationalId {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		write!(f, "NationalId({}*********)", &self.0[..1])
	}
}

/// Errors of key handling.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
	/// The secret is too short to resist brute force.
	#[error("the pseudonymisation key must be at least 32 bytes, got {0}")]
	TooShort(usize),
	/// The secret is not valid hex.
	#[error("the pseudonymisation key must be hex (64+ hex digits)")]
	NotHex,
}

/// The organisation's pseudonymisation key and its id. `Debug` never shows the secret.
#[derive(Clone)]
pub struct PseudonymKey {
	key_id: u32,
	secret: Vec<u8>,
}

impl fmt::Debug for PseudonymKey {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		write!(f, "PseudonymKey {{ key_id: {}, secret: <redacted> }}", self.key_id)
	}
}

impl Drop for PseudonymKey {
	fn drop(&mut self) {
		self.secret.iter_mut().for_each(|b| *b = 0);
	}
}

impl PseudonymKey {
	/// A key from raw secret bytes (at least 32).
	pub fn new(key_id: u32, secret: &[u8]) -> Result<Self, KeyError> {
		if secret.len() < 32 {
			return Err(KeyError::TooShort(secret.len()));
		}
		Ok(PseudonymKey { key_id, secret: secret.to_vec() })
	}

	/// A key from hex (optionally `0x`-prefixed; surrounding whitespace ignored).
	pub fn from_hex(key_id: u32, hex: &str) -> Result<Self, KeyError> {
		let hex = hex.trim();
		let hex = hex.strip_prefix("0x").unwrap_or(hex);
		if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
			return Err(KeyError::NotHex);
		}
		let bytes = (0..hex.len())
			.step_by(2)
			.map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
			.collect::<Result<Vec<u8>, _>>()
			.map_err(|_| KeyError::NotHex)?;
		Self::new(key_id, &bytes)
	}

	/// The key's id, stored with every entry it pseudonymised.
	pub fn key_id(&self) -> u32 {
		self.key_id
	}

	fn reference(&self, domain: &[u8], value: &str) -> [u8; 32] {
		let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret)
			.expect("HMAC accepts keys of any length; qed");
		mac.update(b"accesslog/v1/");
		mac.update(domain);
		mac.update(b"\0");
		mac.update(value.as_bytes());
		mac.finalize().into_bytes().into()
	}

	/// The citizen reference of a national ID.
	pub fn citizen_ref(&self, id: &NationalId) -> [u8; 32] {
		self.reference(b"citizen", id.expose())
	}

	/// The accessor reference of an official's ID (as the source system names the official).
	pub fn accessor_ref(&self, official_id: &str) -> [u8; 32] {
		self.reference(b"official", official_id)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const KEY: [u8; 32] = [7u8; 32];

	#[test]
	fn valid_ids_parse() {
		// The textbook example and three made by the platform's log generator.
		for id in ["A123456789", "E141777632", "E206690747", "S150008061"] {
			assert_eq!(NationalId::parse(id).unwrap().expose(), id);
		}
	}

	#[test]
	fn each_error_is_specific() {
		assert_eq!(NationalId::parse("E12345"), Err(IdError::Length(6)));
		assert_eq!(NationalId::parse("a123456789"), Err(IdError::Letter));
		assert_eq!(NationalId::parse("A323456789"), Err(IdError::Digits));
		assert_eq!(NationalId::parse("A12345678X"), Err(IdError::Digits));
		assert_eq!(NationalId::parse("A123456788"), Err(IdError::CheckDigit));
	}

	#[test]
	fn every_wrong_check_digit_is_refused() {
		for d in '0'..='8' {
			let typo = format!("A12345678{d}");
			assert_eq!(NationalId::parse(&typo), Err(IdError::CheckDigit), "{typo}");
		}
	}

	#[test]
	fn references_depend_on_key_and_domain() {
		let id = NationalId::parse("A123456789").unwrap();
		let k1 = PseudonymKey::new(1, &KEY).unwrap();
		let k2 = PseudonymKey::new(2, &[8u8; 32]).unwrap();
		assert_eq!(k1.citizen_ref(&id), k1.citizen_ref(&id));
		assert_ne!(k1.citizen_ref(&id), k2.citizen_ref(&id));
		assert_ne!(k1.citizen_ref(&id), k1.accessor_ref("A123456789"));
	}

	#[test]
	fn short_or_malformed_keys_are_refused() {
		assert_eq!(PseudonymKey::new(1, &[0u8; 16]).unwrap_err(), KeyError::TooShort(16));
		assert_eq!(PseudonymKey::from_hex(1, "zz").unwrap_err(), KeyError::NotHex);
		assert!(PseudonymKey::from_hex(1, &format!("0x{}", "ab".repeat(32))).is_ok());
	}

	#[test]
	fn secrets_and_ids_never_show_in_debug() {
		let key = PseudonymKey::new(3, &[0xAB; 32]).unwrap();
		assert!(!format!("{key:?}").contains("171"));
		assert!(!format!("{key:?}").to_lowercase().contains("ab"));
		let id = NationalId::parse("A123456789").unwrap();
		assert!(!format!("{id:?}").contains("123456789"));
	}
}
