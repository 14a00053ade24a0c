//! Signed session tokens. A token names an account and a session; the session
//! row in the database decides whether the token still works, so signing out
//! takes effect at once.

use crate::domain::ids::AccountId;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The account id.
    pub sub: String,
    /// The session id.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
}

impl Claims {
    pub fn account_id(&self) -> Option<AccountId> {
        self.sub.parse().ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the sign-in token has expired")]
    Expired,
    #[error("the sign-in token is not valid")]
    Invalid,
}

/// The keys that sign and check tokens, made from the operator's secret.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    lifetime: Duration,
}

/// Secrets shorter than this are refused: HS256 wants at least 256 bits.
pub const MIN_SECRET_BYTES: usize = 32;

impl TokenKeys {
    pub fn new(secret: &[u8], lifetime: Duration) -> Self {
        assert!(
            secret.len() >= MIN_SECRET_BYTES,
            "the signing secret is too short"
        );
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            lifetime,
        }
    }

    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// Signs a token for a session, valid from `now` for the configured lifetime.
    pub fn issue(
        &self,
        account_id: AccountId,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> (String, DateTime<Utc>) {
        let expires_at = now + self.lifetime;
        let claims = Claims {
            sub: account_id.to_string(),
            sid: session_id.to_owned(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail for these claims");
        (token, expires_at)
    }

    /// A fingerprint of the secret that reveals nothing of it: the HS256
    /// signature of one fixed token. Instances on one database compare them
    /// to find one whose secret differs.
    pub fn fingerprint(&self) -> String {
        let fixed = Claims {
            sub: "bespoke-instance".into(),
            sid: String::new(),
            iat: 0,
            exp: 0,
        };
        let token = encode(&Header::new(Algorithm::HS256), &fixed, &self.encoding)
            .expect("HS256 signing cannot fail for these claims");
        token.rsplit('.').next().unwrap_or_default().to_owned()
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        if token.len() > 4096 {
            return Err(TokenError::Invalid);
        }
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &[u8]) -> TokenKeys {
        TokenKeys::new(secret, Duration::hours(8))
    }

    #[test]
    fn the_fingerprint_tells_secrets_apart_without_showing_them() {
        let (a, b) = (keys(&[7; 32]), keys(&[8; 32]));
        assert_eq!(a.fingerprint(), keys(&[7; 32]).fingerprint());
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert!(!a.fingerprint().contains("BwcH"), "{}", a.fingerprint());
    }

    #[test]
    fn a_token_round_trips() {
        let keys = keys(&[7; 32]);
        let (token, expires) = keys.issue(AccountId(42), "session-1", Utc::now());
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.account_id(), Some(AccountId(42)));
        assert_eq!(claims.sid, "session-1");
        assert_eq!(claims.exp, expires.timestamp());
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_fail() {
        let keys_a = keys(&[7; 32]);
        let (old, _) = keys_a.issue(AccountId(1), "s", Utc::now() - Duration::hours(9));
        assert_eq!(keys_a.verify(&old), Err(TokenError::Expired));

        let (token, _) = keys_a.issue(AccountId(1), "s", Utc::now());
        let keys_b = keys(&[8; 32]);
        assert_eq!(keys_b.verify(&token), Err(TokenError::Invalid));

        let mut tampered = token.clone();
        tampered.replace_range(tampered.len() - 3.., "abc");
        assert_eq!(keys_a.verify(&tampered), Err(TokenError::Invalid));
        assert_eq!(keys_a.verify("not.a.token"), Err(TokenError::Invalid));
        assert_eq!(keys_a.verify(""), Err(TokenError::Invalid));
        assert_eq!(keys_a.verify(&"a".repeat(10_000)), Err(TokenError::Invalid));
    }

    #[test]
    fn a_token_signed_with_none_is_refused() {
        let keys = keys(&[7; 32]);
        // {"alg":"none"} header with valid-looking claims and no signature.
        let forged = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIiwic2lkIjoicyIsImlhdCI6MCwiZXhwIjo5OTk5OTk5OTk5fQ.";
        assert_eq!(keys.verify(forged), Err(TokenError::Invalid));
    }

    #[test]
    #[should_panic(expected = "too short")]
    fn short_secrets_are_refused() {
        keys(b"short");
    }
}
