//! Credentials at rest: AES-256-GCM with a random 96-bit nonce per value, the key derived from
//! `KOPPEL_SECRET_KEY` (HKDF-SHA256), and the key's id stored beside each value so keys can rotate.
//! The ciphertext is bound to its row (tenant and system as associated data), so a value copied into another
//! tenant's row does not decrypt.

use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};

const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the secret key must be at least 32 bytes")]
    WeakKey,
    #[error("no key with id {0} is configured (was KOPPEL_SECRET_KEY changed without `koppel rotate-key`?)")]
    UnknownKey(String),
    #[error("a stored credential could not be decrypted")]
    Corrupt,
}

/// One encryption key, named by a short fingerprint.
#[derive(Clone)]
struct SecretKey {
    id: String,
    cipher: Aes256Gcm,
}

impl SecretKey {
    fn derive(master: &[u8]) -> Result<Self, SecretError> {
        if master.len() < 32 {
            return Err(SecretError::WeakKey);
        }
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(Some(b"koppel"), master)
            .expand(b"credentials-aes256gcm-v1", &mut key)
            .map_err(|_| SecretError::WeakKey)?;
        // The id reveals nothing useful: a hash of the derived key, truncated.
        let id = hex::encode(&Sha256::digest(key)[..6]);
        let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(key));
        Ok(Self { id, cipher })
    }
}

/// Encrypts with the current key; decrypts with whichever configured key a value names.
#[derive(Clone)]
pub struct SecretBox {
    current: SecretKey,
    previous: Vec<SecretKey>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretBox")
            .field("current_key_id", &self.current.id)
            .finish_non_exhaustive()
    }
}

/// A sealed value and the id of the key that sealed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    /// nonce || ciphertext+tag
    pub bytes: Vec<u8>,
}

impl SecretBox {
    pub fn new(master: &[u8]) -> Result<Self, SecretError> {
        Ok(Self {
            current: SecretKey::derive(master)?,
            previous: Vec::new(),
        })
    }

    /// Also accepts values sealed under older master secrets (during a key rotation).
    pub fn with_previous(mut self, masters: &[Vec<u8>]) -> Result<Self, SecretError> {
        for master in masters {
            self.previous.push(SecretKey::derive(master)?);
        }
        Ok(self)
    }

    pub fn current_key_id(&self) -> &str {
        &self.current.id
    }

    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Sealed {
        let nonce = Nonce::generate();
        let ciphertext = self
            .current
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&ciphertext);
        Sealed {
            key_id: self.current.id.clone(),
            bytes,
        }
    }

    pub fn open(&self, sealed: &Sealed, context: &[u8]) -> Result<Vec<u8>, SecretError> {
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|key| key.id == sealed.key_id)
            .ok_or_else(|| SecretError::UnknownKey(sealed.key_id.clone()))?;
        if sealed.bytes.len() < NONCE_LEN {
            return Err(SecretError::Corrupt);
        }
        let (nonce, ciphertext) = sealed.bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).map_err(|_| SecretError::Corrupt)?;
        key.cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map_err(|_| SecretError::Corrupt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASTER: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn round_trip_with_a_fresh_nonce_each_time() {
        let secrets = SecretBox::new(MASTER).unwrap();
        let a = secrets.seal(b"token-data", b"tenant-1/afas");
        let b = secrets.seal(b"token-data", b"tenant-1/afas");
        assert_ne!(a.bytes, b.bytes, "random nonces");
        assert!(
            !a.bytes.windows(10).any(|w| w == b"token-data"),
            "no plaintext in the ciphertext"
        );
        assert_eq!(secrets.open(&a, b"tenant-1/afas").unwrap(), b"token-data");
    }

    #[test]
    fn a_value_moved_to_another_row_or_key_does_not_open() {
        let secrets = SecretBox::new(MASTER).unwrap();
        let sealed = secrets.seal(b"secret", b"tenant-1/mplus");
        assert_eq!(secrets.open(&sealed, b"tenant-2/mplus"), Err(SecretError::Corrupt));
        let other = SecretBox::new(b"another master secret of 32 bytes!!").unwrap();
        assert!(matches!(
            other.open(&sealed, b"tenant-1/mplus"),
            Err(SecretError::UnknownKey(_))
        ));
        let rotated = other.with_previous(&[MASTER.to_vec()]).unwrap();
        assert_eq!(rotated.open(&sealed, b"tenant-1/mplus").unwrap(), b"secret");
        assert!(SecretBox::new(b"short").is_err());
    }
}
