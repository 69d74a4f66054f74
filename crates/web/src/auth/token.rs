//! Session tokens: an HS256 JWT carrying the user and the server-side session id. The JWT alone is never
//! enough: the session row must still exist, so logout and a password change revoke it at once.

use chrono::{DateTime, Utc};
use hkdf::Hkdf;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use koppel_core::{SessionId, UserId};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: UserId,
    pub sid: SessionId,
    pub iat: i64,
    pub exp: i64,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    /// Derives the signing key from the master secret, so the master secret itself never signs anything.
    pub fn derive(master_secret: &[u8]) -> anyhow::Result<Self> {
        anyhow::ensure!(master_secret.len() >= 32, "the secret key must be at least 32 bytes");
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(Some(b"koppel"), master_secret)
            .expand(b"session-jwt-v1", &mut key)
            .map_err(|e| anyhow::anyhow!("deriving the JWT key: {e}"))?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        Ok(Self {
            encoding: EncodingKey::from_secret(&key)?,
            decoding: DecodingKey::from_secret(&key)?,
            validation,
        })
    }

    pub fn issue(
        &self,
        user: UserId,
        session: SessionId,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let claims = Claims {
            sub: user,
            sid: session,
            iat: now.timestamp(),
            exp: expires.timestamp(),
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// The claims of a well-signed, unexpired token.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}
