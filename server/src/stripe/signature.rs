//! Stripe webhook signatures: `Stripe-Signature: t=TIMESTAMP,v1=HEX[,v1=HEX…]`, each `v1` an
//! HMAC-SHA256 of `TIMESTAMP.BODY` under the endpoint's signing secret. The event is
//! authentic when any `v1` matches any of our secrets (two during a rotation); comparisons
//! are constant-time, and an old timestamp is refused (replays).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How old a signature may be, as Stripe's own libraries allow.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is not in Stripe's format.
    #[error("malformed Stripe-Signature header")]
    Malformed,
    /// The timestamp is outside the tolerance.
    #[error("Stripe-Signature timestamp too old or in the future")]
    Stale,
    /// No signature matches any of our secrets.
    #[error("no Stripe-Signature matches")]
    NoMatch,
}

/// Checks `header` for `body` against `secrets` at time `now` (UTC unix seconds).
pub fn verify(
    header: &str,
    body: &str,
    secrets: &[String],
    now: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => {
                signatures.push(decode_hex(value).ok_or(SignatureError::Malformed)?)
            }
            Some(_) => {}
            None => return Err(SignatureError::Malformed),
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    for secret in secrets {
        for signature in &signatures {
            let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
                .expect("HMAC takes keys of any length");
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body.as_bytes());
            if mac.verify_slice(signature).is_ok() {
                return Ok(());
            }
        }
    }
    Err(SignatureError::NoMatch)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, t: i64, body: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{body}").as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn any_v1_under_any_secret_is_accepted() {
        let (body, t) = (r#"{"id":"evt_1"}"#, 1_000_000);
        let secrets = vec!["whsec_new".to_string(), "whsec_old".to_string()];
        let old = sign("whsec_old", t, body);
        let header = format!("t={t},v1={},v1={old}", "ab".repeat(32));
        assert_eq!(verify(&header, body, &secrets, t + 10), Ok(()));
        let header = format!("t={t},v1={}", sign("whsec_new", t, body));
        assert_eq!(verify(&header, body, &secrets, t), Ok(()));
    }

    #[test]
    fn wrong_stale_or_malformed_signatures_are_refused() {
        let (body, t) = ("{}", 1_000_000);
        let secrets = vec!["whsec_new".to_string()];
        let good = format!("t={t},v1={}", sign("whsec_new", t, body));
        assert_eq!(
            verify(&good, "{ }", &secrets, t),
            Err(SignatureError::NoMatch)
        );
        assert_eq!(
            verify(&good, body, &secrets, t + 301),
            Err(SignatureError::Stale)
        );
        let other = format!("t={t},v1={}", sign("whsec_other", t, body));
        assert_eq!(
            verify(&other, body, &secrets, t),
            Err(SignatureError::NoMatch)
        );
        for bad in ["", "t=1", "v1=00", "t=x,v1=00", "t=1,v1=zz", "garbage"] {
            assert_eq!(
                verify(bad, body, &secrets, 1),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
    }
}
