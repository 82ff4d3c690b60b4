//! `new-key`: a fresh random client key and the `key_sha256` line of its `[clients.*]`
//! table, so an operator never has to hash a key by hand or store it in the file.

use std::process::ExitCode;

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of every generated key, so a leaked one is recognisable.
const PREFIX: &str = "kmcp_";

/// A new key: the prefix and 32 random bytes from the operating system's generator, in hex.
pub(crate) fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{PREFIX}{}", hex::encode(bytes))
}

/// The hex SHA-256 of a key, as `key_sha256` holds it.
pub fn sha256_hex(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

pub(crate) fn run() -> ExitCode {
    let key = generate();
    println!("{key}");
    println!("key_sha256 = \"{}\"", sha256_hex(&key));
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_fresh_and_hash_as_sha256() {
        let (a, b) = (generate(), generate());
        assert_ne!(a, b);
        assert_eq!(a.len(), PREFIX.len() + 64);
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
