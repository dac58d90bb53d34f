//! The `WorkOS-Signature` header: HMAC-SHA256 over `"<t>.<raw body>"`.
//!
//! Below both the client (which verifies deliveries) and the mock (which
//! signs them), so the two sides share one definition of the signature.
//! Verification, with its tolerance and error reporting, is the client's.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Name of the HTTP header WorkOS puts the signature in.
pub const SIGNATURE_HEADER: &str = "WorkOS-Signature";

/// Length in bytes of an HMAC-SHA256 tag.
pub(crate) const SIGNATURE_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// Lowercase hex HMAC-SHA256 of `"<timestamp_text>.<body>"`.
pub fn compute_signature(secret: &str, timestamp_text: &str, body: &[u8]) -> String {
    hex::encode(mac_bytes(secret, timestamp_text, body))
}

/// The full header value WorkOS sends: `"t=<ms>, v1=<hex>"`.
pub fn sign(secret: &str, timestamp_ms: i64, body: &[u8]) -> String {
    let timestamp_text = timestamp_ms.to_string();
    let signature = compute_signature(secret, &timestamp_text, body);
    format!("t={timestamp_text}, v1={signature}")
}

/// The raw HMAC-SHA256 tag of `"<timestamp_text>.<body>"`.
pub(crate) fn mac_bytes(secret: &str, timestamp_text: &str, body: &[u8]) -> [u8; SIGNATURE_LEN] {
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(timestamp_text.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}
