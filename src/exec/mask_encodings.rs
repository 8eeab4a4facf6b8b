//! The encoded forms of a secret that GitHub's runner masks too (its
//! `ValueEncoders`): base64 (also as it appears inside a longer encoded
//! text, at each of the three byte alignments), JSON string escaping and
//! URL encoding. A step that prints `echo $TOKEN | base64` shows `***`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Encoded forms shorter than this are not masked: they would hide
/// ordinary text.
const MIN_ENCODED: usize = 6;

/// The forms of `value` to mask besides the value itself.
pub(super) fn encoded_forms(value: &str) -> Vec<String> {
    let mut forms = Vec::new();
    if value.trim().is_empty() {
        return forms;
    }
    let bytes = value.as_bytes();
    for shift in 0..3 {
        let Some(rest) = bytes.get(shift..).filter(|rest| !rest.is_empty()) else {
            break;
        };
        let mut encoded = STANDARD.encode(rest);
        encoded.truncate(encoded.trim_end_matches('=').len());
        // The last character of a length not divisible by three also holds
        // bits of whatever follows the secret in a longer text.
        if rest.len() % 3 != 0 {
            encoded.pop();
        }
        forms.push(encoded);
    }
    if let Ok(json) = serde_json::to_string(value) {
        forms.push(json[1..json.len() - 1].to_string());
    }
    forms.push(url_encoded(value));
    forms.retain(|form| form.len() >= MIN_ENCODED && form != value);
    forms.sort();
    forms.dedup();
    forms
}

/// As .NET's `Uri.EscapeDataString`: every byte but the unreserved ones
/// (`A-Z a-z 0-9 - _ . ~`) as `%XX`.
fn url_encoded(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_forms_match_the_secret_inside_longer_encoded_text() {
        let secret = "hunter2-secret";
        let forms = encoded_forms(secret);
        for prefix in ["", "a", "ab", "user:"] {
            let encoded = STANDARD.encode(format!("{prefix}{secret}!trailing"));
            assert!(
                forms.iter().any(|form| encoded.contains(form.as_str())),
                "{encoded} holds none of {forms:?}"
            );
        }
    }

    #[test]
    fn json_and_url_forms() {
        let forms = encoded_forms("p@ss \"word\"/1");
        assert!(forms.contains(&"p@ss \\\"word\\\"/1".to_string()), "{forms:?}");
        assert!(forms.contains(&"p%40ss%20%22word%22%2F1".to_string()), "{forms:?}");
        // A value that encodes to itself adds nothing.
        assert!(!encoded_forms("plainvalue").contains(&"plainvalue".to_string()));
    }
}
