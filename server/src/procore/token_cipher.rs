//! Encryption at rest for Procore tokens: AES-256-GCM with a random nonce per value and the
//! owner's id as associated data, so a ciphertext copied onto another row does not decrypt.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use base64::Engine;
use std::path::Path;

const VERSION_PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

/// Why a stored token could not be decrypted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// The stored text is not in our format.
    #[error("stored token is malformed")]
    Malformed,
    /// Wrong key, wrong owner, or the value was altered.
    #[error("stored token failed authentication")]
    Authentication,
}

/// Encrypts and decrypts token strings. Holds the key; never printed.
#[derive(Clone)]
pub struct TokenCipher {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCipher(<key redacted>)")
    }
}

impl TokenCipher {
    /// A cipher for a 32-byte key.
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)),
        }
    }

    /// Encrypts `plaintext` for the owner `aad` (e.g. `procore-user:42`).
    pub fn encrypt(&self, plaintext: &str, aad: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of an in-memory string cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{VERSION_PREFIX}{}", B64.encode(out))
    }

    /// Decrypts a value made by [`TokenCipher::encrypt`] for the same owner.
    pub fn decrypt(&self, stored: &str, aad: &str) -> Result<String, CryptoError> {
        let body = stored
            .strip_prefix(VERSION_PREFIX)
            .ok_or(CryptoError::Malformed)?;
        let bytes = B64.decode(body).map_err(|_| CryptoError::Malformed)?;
        if bytes.len() <= NONCE_LEN {
            return Err(CryptoError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Authentication)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Malformed)
    }
}

/// Reads the key file under `data_dir`, creating it (mode 0600) with a random key on first run.
pub fn load_or_create_key(data_dir: &Path) -> anyhow::Result<[u8; 32]> {
    use anyhow::Context;
    let path = data_dir.join("token-encryption.key");
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        return crate::config::parse_key(&text)
            .map_err(|problem| anyhow::anyhow!("{}: {problem}", path.display()));
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let key: [u8; 32] = Aes256Gcm::generate_key(&mut OsRng).into();
    let text = base64::engine::general_purpose::STANDARD.encode(key);
    write_private(&path, &text).with_context(|| format!("writing {}", path.display()))?;
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_fresh_nonce() {
        let cipher = TokenCipher::new(&[1u8; 32]);
        let a = cipher.encrypt("access-token-123", "procore-user:7");
        let b = cipher.encrypt("access-token-123", "procore-user:7");
        assert_ne!(a, b, "each encryption uses a new nonce");
        assert!(!a.contains("access-token-123"));
        assert_eq!(
            cipher.decrypt(&a, "procore-user:7").unwrap(),
            "access-token-123"
        );
    }

    #[test]
    fn wrong_owner_key_or_tampering_fails() {
        let cipher = TokenCipher::new(&[1u8; 32]);
        let sealed = cipher.encrypt("secret", "procore-user:7");
        assert_eq!(
            cipher.decrypt(&sealed, "procore-user:8"),
            Err(CryptoError::Authentication)
        );
        let other = TokenCipher::new(&[2u8; 32]);
        assert_eq!(
            other.decrypt(&sealed, "procore-user:7"),
            Err(CryptoError::Authentication)
        );
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(cipher.decrypt(&tampered, "procore-user:7").is_err());
        assert_eq!(cipher.decrypt("plain", "x"), Err(CryptoError::Malformed));
        assert_eq!(cipher.decrypt("v1:AAAA", "x"), Err(CryptoError::Malformed));
    }

    #[test]
    fn key_file_is_created_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("pc-key-{}", uuid::Uuid::new_v4()));
        let first = load_or_create_key(&dir).unwrap();
        let second = load_or_create_key(&dir).unwrap();
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("token-encryption.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
