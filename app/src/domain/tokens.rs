//! Personal API tokens: `fd_` + 43 random base62 characters (256 bits) + a 6-character
//! base62 CRC-32 of those, so a secret scanner (or Faultdesk's own scrubber) can tell a
//! real token from look-alikes without asking the server. Only a SHA-256 of a token is
//! ever stored.

use sha2::{Digest, Sha256};

/// What every token starts with.
pub const PREFIX: &str = "fd_";
/// Random characters after the prefix.
pub const BODY_CHARS: usize = 43;
/// Checksum characters at the end.
pub const CHECKSUM_CHARS: usize = 6;
/// The whole token's length.
pub const TOKEN_CHARS: usize = PREFIX.len() + BODY_CHARS + CHECKSUM_CHARS;
/// How many characters of a token are shown in lists (prefix and the first few).
pub const SHOWN_CHARS: usize = PREFIX.len() + 6;

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The base62 alphabet, for generating a token's body.
pub fn alphabet() -> &'static [u8; 62] {
    ALPHABET
}

/// The checksum of a token body: its CRC-32, in base62, left-padded to 6 characters.
pub fn checksum(body: &str) -> String {
    let mut n = crc32fast::hash(body.as_bytes());
    let mut out = [b'0'; CHECKSUM_CHARS];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A complete token from its random body.
pub fn from_body(body: &str) -> String {
    format!("{PREFIX}{body}{}", checksum(body))
}

/// Whether `text` is shaped like a token and its checksum holds (before any lookup).
pub fn is_well_formed(text: &str) -> bool {
    let Some(rest) = text.strip_prefix(PREFIX) else {
        return false;
    };
    if rest.len() != BODY_CHARS + CHECKSUM_CHARS || !rest.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return false;
    }
    let (body, sum) = rest.split_at(BODY_CHARS);
    checksum(body) == sum
}

/// What is stored of a token: the hex SHA-256 of all of it.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The part of a token shown in lists, e.g. `fd_8fK2aQ…`.
pub fn shown_part(token: &str) -> String {
    token.chars().take(SHOWN_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg";

    #[test]
    fn a_token_has_prefix_body_and_checksum() {
        let token = from_body(BODY);
        assert_eq!(token.len(), TOKEN_CHARS);
        assert!(token.starts_with("fd_0123"));
        assert!(is_well_formed(&token));
        assert_eq!(shown_part(&token), "fd_012345");
    }

    #[test]
    fn a_changed_character_breaks_the_checksum() {
        let token = from_body(BODY);
        let mut bytes = token.clone().into_bytes();
        bytes[10] = if bytes[10] == b'a' { b'b' } else { b'a' };
        let forged = String::from_utf8(bytes).unwrap();
        assert!(!is_well_formed(&forged));
        assert!(!is_well_formed(&token[..TOKEN_CHARS - 1]));
        assert!(!is_well_formed(&token.replace("fd_", "fx_")));
        assert!(!is_well_formed(""));
    }

    #[test]
    fn the_hash_is_the_hex_sha256_of_the_whole_token() {
        // Stored hashes must stay comparable across releases (FIPS 180-2's "abc").
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn only_the_hash_identifies_a_token() {
        let token = from_body(BODY);
        assert_eq!(hash(&token).len(), 64);
        assert_ne!(hash(&token), hash(&from_body(&BODY.replace('0', "1"))));
    }

    #[test]
    fn the_scrubber_masks_tokens() {
        let token = from_body(BODY);
        let text = format!("curl -H 'X: {token}' and later {token}");
        let clean = crate::domain::scrub::scrub(&text);
        assert!(!clean.text.contains(BODY), "{}", clean.text);
        assert!(clean.text.contains("fd_[redacted:"), "{}", clean.text);
    }
}
