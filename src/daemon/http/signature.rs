//! Constant-time checks of what callers prove they know: a webhook's
//! HMAC-SHA256 signature of its body, and the read API's bearer token.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Whether `signature_hex` (lower- or upper-case hex, no prefix) is the
/// HMAC-SHA256 of `body` under `secret`. The comparison takes the same time
/// wherever the first wrong byte is, so the signature cannot be guessed
/// byte by byte.
pub fn signature_matches(secret: &str, body: &[u8], signature_hex: &str) -> bool {
    let Ok(signature) = hex::decode(signature_hex.trim()) else {
        return false;
    };
    let Ok(mut mac) = HmacSha256::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}

/// Whether `given` is `expected`, in time that depends on neither the
/// position of the first difference nor the length of `expected`: both are
/// hashed under one key and the digests compared in constant time.
pub fn token_matches(expected: &str, given: &str) -> bool {
    let digest = |text: &str| {
        // HMAC with a fixed key is only a fixed-length fingerprint here.
        let mut mac = HmacSha256::new_from_slice(b"mlci api token").expect("HMAC takes a key of any length");
        mac.update(text.as_bytes());
        mac
    };
    let expected = digest(expected).finalize().into_bytes();
    digest(given).verify_slice(&expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_matches_only_its_body_and_secret() {
        // GitHub's documented example: secret "It's a Secret to Everybody", body "Hello, World!".
        let expected = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert!(signature_matches(
            "It's a Secret to Everybody",
            b"Hello, World!",
            expected
        ));
        assert!(signature_matches(
            "It's a Secret to Everybody",
            b"Hello, World!",
            &expected.to_uppercase()
        ));
        assert!(!signature_matches(
            "It's a Secret to Everybody",
            b"Hello, World?",
            expected
        ));
        assert!(!signature_matches("another secret", b"Hello, World!", expected));
        assert!(!signature_matches(
            "It's a Secret to Everybody",
            b"Hello, World!",
            &expected[..62]
        ));
        assert!(!signature_matches(
            "It's a Secret to Everybody",
            b"Hello, World!",
            "not hex"
        ));
        assert!(!signature_matches("It's a Secret to Everybody", b"Hello, World!", ""));
    }

    #[test]
    fn a_token_matches_only_itself() {
        assert!(token_matches("s3cret-token", "s3cret-token"));
        assert!(!token_matches("s3cret-token", "s3cret-tokeN"));
        assert!(!token_matches("s3cret-token", "s3cret-token-and-more"));
        assert!(!token_matches("s3cret-token", ""));
    }
}
