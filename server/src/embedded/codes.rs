//! Sign-in hand-off codes: how the sign-in popup (a top-level window with its own cookies)
//! hands a session to the Procore iframe. A code is 256 random bits, stored only as its
//! SHA-256, lives [`CODE_LIFETIME_SECS`], is bound to the origin it is posted to, and is
//! deleted by the first redemption attempt, whatever its outcome.

use app::ids::{CompanyId, UserId};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::db::Db;

/// How long a code may wait for its redemption.
pub const CODE_LIFETIME_SECS: i64 = 60;

/// Who a redeemed code signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandOff {
    /// The Procore user who signed in in the popup.
    pub user: UserId,
    /// The company the popup's sign-in chose.
    pub company: CompanyId,
}

/// Why a code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RedeemError {
    /// Never issued, or already redeemed.
    #[error(
        "This sign-in code was already used or is not valid. Click “Sign in with Procore” again."
    )]
    Unknown,
    /// Issued more than [`CODE_LIFETIME_SECS`] ago.
    #[error("This sign-in code has expired (codes last 60 seconds). Click “Sign in with Procore” again.")]
    Expired,
    /// Redeemed from another origin than the one it was issued for.
    #[error("This sign-in code belongs to another site and was refused.")]
    WrongOrigin,
}

fn hash(code: &str) -> String {
    Sha256::digest(code.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Db {
    /// Issues a code for `user` in `company`, redeemable once from `origin` until
    /// `now + CODE_LIFETIME_SECS`; lapsed codes are swept on the way.
    pub async fn issue_sign_in_code(
        &self,
        user: UserId,
        company: CompanyId,
        origin: &str,
        now: i64,
    ) -> Result<String, sqlx::Error> {
        let code = B64.encode(rand::random::<[u8; 32]>());
        sqlx::query("DELETE FROM embedded_sign_in_codes WHERE expires_at < $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO embedded_sign_in_codes (code_hash, user_id, company_id, origin, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash(&code))
        .bind(user.get())
        .bind(company.get())
        .bind(origin)
        .bind(now + CODE_LIFETIME_SECS)
        .execute(self.pool())
        .await?;
        Ok(code)
    }

    /// Redeems `code` from `origin` at `now`. The row is deleted in the same statement that
    /// reads it, so two concurrent redemptions cannot both succeed.
    pub async fn redeem_sign_in_code(
        &self,
        code: &str,
        origin: &str,
        now: i64,
    ) -> Result<Result<HandOff, RedeemError>, sqlx::Error> {
        let row: Option<(i64, i64, String, i64)> = sqlx::query_as(
            "DELETE FROM embedded_sign_in_codes WHERE code_hash = $1
             RETURNING user_id, company_id, origin, expires_at",
        )
        .bind(hash(code))
        .fetch_optional(self.pool())
        .await?;
        Ok(match row {
            None => Err(RedeemError::Unknown),
            Some((_, _, bound, _)) if bound != origin => Err(RedeemError::WrongOrigin),
            Some((_, _, _, expires_at)) if expires_at < now => Err(RedeemError::Expired),
            Some((user, company, _, _)) => Ok(HandOff {
                user: UserId(user),
                company: CompanyId(company),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::hash;

    #[test]
    fn codes_are_stored_as_their_sha256() {
        let h = hash("abc");
        assert_eq!(h.len(), 64);
        assert!(h.starts_with("ba7816bf"));
    }
}
