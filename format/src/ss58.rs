//! SS58 addresses of 32-byte public keys: how accounts and validator keys are written for people.
//!
//! `base58(prefix ++ key ++ checksum)`, the checksum being the first two bytes of
//! `blake2b-512("SS58PRE" ++ prefix ++ key)`. This chain writes the generic prefix 42 (as the SDK
//! does by default) and reads any prefix.

use blake2::{Blake2b512, Digest};

/// The address prefix this chain writes (the SDK's generic Substrate prefix).
pub const PREFIX: u16 = 42;

/// Why a string is not an SS58 address of a 32-byte key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Ss58Error {
	/// Not base58.
	#[error("not base58")]
	Base58,
	/// Not the length of a 32-byte key with its prefix and checksum.
	#[error("{0} bytes: not an address of a 32-byte key")]
	Length(usize),
	/// The checksum does not match: the address is mistyped.
	#[error("the checksum does not match")]
	Checksum,
}

fn checksum(prefixed: &[u8]) -> [u8; 2] {
	let mut h = Blake2b512::new();
	h.update(b"SS58PRE");
	h.update(prefixed);
	let out = h.finalize();
	[out[0], out[1]]
}

/// The SS58 address of `key` under [`PREFIX`].
pub fn encode(key: &[u8; 32]) -> String {
	// Prefixes 64..16384 take two bytes, as the SS58 specification lays them out.
	let mut bytes = if PREFIX < 64 {
		vec![PREFIX as u8]
	} else {
		let ident = PREFIX & 0b0011_1111_1111_1111;
		let first = ((ident & 0b0000_0000_1111_1100) as u8 >> 2) | 0b0100_0000;
		let second = ((ident >> 8) as u8) | ((ident & 0b0000_0000_0000_0011) as u8) << 6;
		vec![first, second]
	};
	bytes.extend_from_slice(key);
	let sum = checksum(&bytes);
	bytes.extend_from_slice(&sum);
	bs58::encode(bytes).into_string()
}

/// The 32-byte key of an SS58 address, under any prefix.
pub fn decode(address: &str) -> Result<[u8; 32], Ss58Error> {
	let bytes = bs58::decode(address).into_vec().map_err(|_| Ss58Error::Base58)?;
	let prefix_len = match bytes.first() {
		Some(0..=63) => 1,
		Some(64..=127) => 2,
		_ => return Err(Ss58Error::Length(bytes.len())),
	};
	if bytes.len() != prefix_len + 32 + 2 {
		return Err(Ss58Error::Length(bytes.len()));
	}
	let (body, sum) = bytes.split_at(prefix_len + 32);
	if checksum(body) != sum {
		return Err(Ss58Error::Checksum);
	}
	let mut key = [0u8; 32];
	key.copy_from_slice(&body[prefix_len..]);
	Ok(key)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn alice_reads_and_writes_as_the_sdk_writes_her() {
		// Alice's sr25519 account, as every Substrate tool prints it.
		let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
		let key = decode(alice).unwrap();
		assert_eq!(encode(&key), alice);
	}

	#[test]
	fn mistyped_and_foreign_strings_are_refused() {
		let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
		let typo = alice.replace('Y', "Z");
		assert_eq!(decode(&typo), Err(Ss58Error::Checksum));
		assert_eq!(decode("0OIl"), Err(Ss58Error::Base58));
		assert!(matches!(decode("5Grw"), Err(Ss58Error::Length(_))));
	}
}
