//! Encryption at rest for Procore tokens: AES-256-GCM with a random nonce per value and the
//! owner's id as associated data, so a ciphertext copied onto another row does not decrypt.
//! Each ciphertext names its key (`v2:KEYID:…`), so keys can be rotated: encrypt with the
//! newest, decrypt with whichever key a value names (`TOKEN_ENCRYPTION_KEYS`, newest first).

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use base64::Engine;
use std::path::Path;

/// Values from before key ids: tried with every key.
const LEGACY_PREFIX: &str = "v1:";
const VERSION_PREFIX: &str = "v2:";
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
    /// Encrypted with a key that is no longer configured.
    #[error("stored token was encrypted with a key that is no longer configured")]
    UnknownKey,
}

/// Encrypts and decrypts token strings. Holds the keys; never printed.
#[derive(Clone)]
pub struct TokenCipher {
    /// (key id, cipher), newest first.
    keys: Vec<(String, Aes256Gcm)>,
}

/// A key's public name: 8 hex digits of a hash of it (reveals nothing usable).
pub fn key_id(key: &[u8; 32]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"project-central token key id")
        .chain_update(key)
        .finalize();
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCipher(<key redacted>)")
    }
}

impl TokenCipher {
    /// A cipher for one 32-byte key.
    pub fn new(key: &[u8; 32]) -> Self {
        Self::with_keys(std::slice::from_ref(key))
    }

    /// A cipher for several keys, newest first (at least one).
    pub fn with_keys(keys: &[[u8; 32]]) -> Self {
        assert!(!keys.is_empty(), "at least one token key");
        Self {
            keys: keys
                .iter()
                .map(|k| (key_id(k), Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(k))))
                .collect(),
        }
    }

    /// True when `stored` was encrypted with the newest key (else re-encrypt it).
    pub fn is_current(&self, stored: &str) -> bool {
        stored
            .strip_prefix(VERSION_PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(id, _)| id == self.keys[0].0)
    }

    /// Encrypts `plaintext` for the owner `aad` (e.g. `procore-user:42`).
    pub fn encrypt(&self, plaintext: &str, aad: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let (id, cipher) = &self.keys[0];
        let sealed = cipher
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
        format!("{VERSION_PREFIX}{id}:{}", B64.encode(out))
    }

    /// Decrypts a value made by [`TokenCipher::encrypt`] for the same owner.
    pub fn decrypt(&self, stored: &str, aad: &str) -> Result<String, CryptoError> {
        let (candidates, body): (Vec<&Aes256Gcm>, &str) =
            if let Some(rest) = stored.strip_prefix(VERSION_PREFIX) {
                let (id, body) = rest.split_once(':').ok_or(CryptoError::Malformed)?;
                let key = self.keys.iter().find(|(k, _)| k == id);
                // A key that was retired too early: say so rather than "tampered".
                let key = key.ok_or(CryptoError::UnknownKey)?;
                (vec![&key.1], body)
            } else if let Some(body) = stored.strip_prefix(LEGACY_PREFIX) {
                (self.keys.iter().map(|(_, c)| c).collect(), body)
            } else {
                return Err(CryptoError::Malformed);
            };
        let bytes = B64.decode(body).map_err(|_| CryptoError::Malformed)?;
        if bytes.len() <= NONCE_LEN {
            return Err(CryptoError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plain = candidates
            .into_iter()
            .find_map(|cipher| {
                let payload = Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                };
                cipher.decrypt(Nonce::from_slice(nonce), payload).ok()
            })
            .ok_or(CryptoError::Authentication)?;
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
            Err(CryptoError::UnknownKey),
            "another key is told apart by its id"
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
    fn keys_rotate_by_id() {
        let (old, new) = ([1u8; 32], [2u8; 32]);
        let before = TokenCipher::new(&old);
        let sealed_old = before.encrypt("secret", "procore-user:7");
        assert!(sealed_old.starts_with(&format!("v2:{}:", key_id(&old))));
        let rotated = TokenCipher::with_keys(&[new, old]);
        assert_eq!(
            rotated.decrypt(&sealed_old, "procore-user:7").unwrap(),
            "secret"
        );
        assert!(!rotated.is_current(&sealed_old));
        let sealed_new = rotated.encrypt("secret", "procore-user:7");
        assert!(rotated.is_current(&sealed_new));
        assert_eq!(
            before.decrypt(&sealed_new, "procore-user:7"),
            Err(CryptoError::UnknownKey),
            "the old deployment does not know the new key"
        );
        let retired = TokenCipher::new(&new);
        assert_eq!(
            retired.decrypt(&sealed_old, "procore-user:7"),
            Err(CryptoError::UnknownKey)
        );
    }

    #[test]
    fn values_from_before_key_ids_still_open() {
        // A `v1:` value made by the previous release (nonce + sealed, no key id).
        let key = [1u8; 32];
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key));
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: b"old-token".as_slice(),
            aad: b"procore-user:7".as_slice(),
        };
        let mut out = nonce.to_vec();
        out.extend_from_slice(&cipher.encrypt(&nonce, payload).unwrap());
        let legacy = format!("v1:{}", B64.encode(out));
        let rotated = TokenCipher::with_keys(&[[2u8; 32], key]);
        assert_eq!(
            rotated.decrypt(&legacy, "procore-user:7").unwrap(),
            "old-token"
        );
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
