//! Companies, users, memberships and encrypted Procore connections. Every read that serves a
//! request is keyed by the signed-in user's id, so one user never sees another's rows.

use app::ids::{CompanyId, UserId};

use crate::db::{now, Db};

/// A Procore company as we keep it, with the user's role there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCompany {
    /// Procore company id.
    pub id: CompanyId,
    /// Company name.
    pub name: String,
    /// Whether the user is a company admin there (may buy licences).
    pub is_admin: bool,
}

#[derive(sqlx::FromRow)]
struct CompanyRow {
    id: i64,
    name: String,
    is_admin: i64,
}

impl From<CompanyRow> for StoredCompany {
    fn from(row: CompanyRow) -> Self {
        Self {
            id: CompanyId(row.id),
            name: row.name,
            is_admin: row.is_admin == 1,
        }
    }
}

/// A Procore user as we keep them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUser {
    /// Procore user id.
    pub id: UserId,
    /// Login (e-mail).
    pub login: String,
    /// Display name.
    pub name: String,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    login: String,
    name: String,
}

/// The encrypted tokens of one user's Procore connection.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConnectionRow {
    /// Procore user id.
    pub user_id: i64,
    /// Access token, encrypted.
    pub access_token_enc: String,
    /// Refresh token, encrypted (absent for client-credentials connections).
    pub refresh_token_enc: Option<String>,
    /// When the access token expires (UTC unix seconds).
    pub expires_at: i64,
    /// The app whose OAuth client made it (`safety`), None for the default app.
    pub oauth_app: Option<String>,
}

impl std::fmt::Debug for ConnectionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionRow")
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Saves what a sign-in learned — the user, their companies, memberships and tokens —
    /// in one transaction, so a failure leaves the previous state intact.
    pub async fn record_sign_in(
        &self,
        user: &StoredUser,
        companies: &[StoredCompany],
        connection: &ConnectionRow,
    ) -> Result<(), sqlx::Error> {
        let at = now();
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO users (id, login, name, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET login = excluded.login, name = excluded.name,
             updated_at = excluded.updated_at",
        )
        .bind(user.id.get())
        .bind(&user.login)
        .bind(&user.name)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        for company in companies {
            sqlx::query(
                "INSERT INTO companies (id, name, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
            )
            .bind(company.id.get())
            .bind(&company.name)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO company_users (company_id, user_id, is_admin, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (company_id, user_id) DO UPDATE SET is_admin = excluded.is_admin,
                 updated_at = excluded.updated_at",
            )
            .bind(company.id.get())
            .bind(user.id.get())
            .bind(i64::from(company.is_admin))
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        // Memberships Procore no longer lists are gone: the user lost access there.
        sqlx::query("DELETE FROM company_users WHERE user_id = $1 AND updated_at < $2")
            .bind(user.id.get())
            .bind(at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO procore_connections (user_id, access_token_enc, refresh_token_enc, expires_at, updated_at, oauth_app)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (user_id) DO UPDATE SET access_token_enc = excluded.access_token_enc,
             refresh_token_enc = excluded.refresh_token_enc, expires_at = excluded.expires_at,
             updated_at = excluded.updated_at, oauth_app = excluded.oauth_app",
        )
        .bind(connection.user_id)
        .bind(&connection.access_token_enc)
        .bind(&connection.refresh_token_enc)
        .bind(connection.expires_at)
        .bind(at)
        .bind(connection.oauth_app.clone())
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// The user with this Procore id.
    pub async fn user(&self, user_id: UserId) -> Result<Option<StoredUser>, sqlx::Error> {
        let row: Option<UserRow> =
            sqlx::query_as("SELECT id, login, name FROM users WHERE id = $1")
                .bind(user_id.get())
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|r| StoredUser {
            id: UserId(r.id),
            login: r.login,
            name: r.name,
        }))
    }

    /// The companies this user belongs to, by name.
    pub async fn companies_of(&self, user_id: UserId) -> Result<Vec<StoredCompany>, sqlx::Error> {
        let rows: Vec<CompanyRow> = sqlx::query_as(
            "SELECT c.id, c.name, cu.is_admin FROM companies c
             JOIN company_users cu ON cu.company_id = c.id
             WHERE cu.user_id = $1 ORDER BY c.name, c.id",
        )
        .bind(user_id.get())
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(StoredCompany::from).collect())
    }

    /// The user's membership of the company: `None` when not a member, else whether they
    /// are a company admin there (may buy licences).
    pub async fn membership(
        &self,
        user_id: UserId,
        company_id: CompanyId,
    ) -> Result<Option<bool>, sqlx::Error> {
        let found: Option<(i64,)> = sqlx::query_as(
            "SELECT is_admin FROM company_users WHERE user_id = $1 AND company_id = $2",
        )
        .bind(user_id.get())
        .bind(company_id.get())
        .fetch_optional(self.pool())
        .await?;
        Ok(found.map(|(admin,)| admin == 1))
    }

    /// True when the user is an admin of the company.
    pub async fn is_admin(
        &self,
        user_id: UserId,
        company_id: CompanyId,
    ) -> Result<bool, sqlx::Error> {
        Ok(self.membership(user_id, company_id).await? == Some(true))
    }

    /// Applies what Procore now says about the user in one company: not a member any more
    /// removes the membership; otherwise the admin flag is updated.
    pub async fn set_access(
        &self,
        user_id: UserId,
        company_id: CompanyId,
        member: bool,
        admin: bool,
    ) -> Result<(), sqlx::Error> {
        if member {
            sqlx::query("UPDATE company_users SET is_admin = $3, updated_at = $4 WHERE user_id = $1 AND company_id = $2")
                .bind(user_id.get())
                .bind(company_id.get())
                .bind(i64::from(admin))
                .bind(now())
                .execute(self.pool())
                .await?;
        } else {
            sqlx::query("DELETE FROM company_users WHERE user_id = $1 AND company_id = $2")
                .bind(user_id.get())
                .bind(company_id.get())
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    /// True when the user belongs to the company.
    pub async fn is_member(
        &self,
        user_id: UserId,
        company_id: CompanyId,
    ) -> Result<bool, sqlx::Error> {
        Ok(self.membership(user_id, company_id).await?.is_some())
    }

    /// The user's Procore connection, if they have one.
    pub async fn connection(&self, user_id: i64) -> Result<Option<ConnectionRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT user_id, access_token_enc, refresh_token_enc, expires_at, oauth_app
             FROM procore_connections WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await
    }

    /// Stores a rotated token pair in one write (the old refresh token is already dead).
    pub async fn update_tokens(&self, row: &ConnectionRow) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE procore_connections SET access_token_enc = $2, refresh_token_enc = $3,
             expires_at = $4, updated_at = $5 WHERE user_id = $1",
        )
        .bind(row.user_id)
        .bind(row.access_token_enc.clone())
        .bind(row.refresh_token_enc.clone())
        .bind(row.expires_at)
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Forgets a connection Procore no longer accepts; the user signs in again.
    pub async fn delete_connection(&self, user_id: i64) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM procore_connections WHERE user_id = $1")
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
