//! Procore OAuth 2.0 through the `oauth2` crate: authorization code with PKCE and state,
//! and refresh-token rotation. Client credentials go in the request body, as Procore documents.

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError,
    TokenResponse, TokenUrl,
};

use crate::config::ProcoreSettings;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// A fresh token pair from Procore.
#[derive(Clone)]
pub struct TokenSet {
    /// Access token.
    pub access_token: String,
    /// Refresh token (single-use; rotated on every refresh).
    pub refresh_token: Option<String>,
    /// Expiry as UTC unix seconds.
    pub expires_at: i64,
}

/// Why a token request failed.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// The code or refresh token is invalid, used or expired (`invalid_grant`).
    #[error("Procore rejected the grant")]
    InvalidGrant,
    /// Procore could not be reached or answered unexpectedly.
    #[error("token request failed: {0}")]
    Unavailable(String),
}

/// What the login redirect needs to remember in the session.
pub struct AuthorizationStart {
    /// Where to send the browser.
    pub url: url::Url,
    /// The `state` value to compare on return.
    pub state: String,
    /// The PKCE verifier for the code exchange.
    pub pkce_verifier: String,
}

/// The Procore OAuth client of this app.
#[derive(Clone)]
pub struct ProcoreOAuth {
    client: Client,
    http: reqwest::Client,
    revoke_url: url::Url,
    client_id: String,
    client_secret: String,
}

impl ProcoreOAuth {
    /// A client for the registered app in `settings`, returning to `redirect_url`.
    pub fn new(settings: &ProcoreSettings, redirect_url: &str) -> anyhow::Result<Self> {
        let base = &settings.login_base;
        let client = BasicClient::new(ClientId::new(settings.client_id.clone()))
            .set_client_secret(ClientSecret::new(settings.client_secret.clone()))
            .set_auth_uri(AuthUrl::from_url(base.join("oauth/authorize")?))
            .set_token_uri(TokenUrl::from_url(base.join("oauth/token")?))
            .set_redirect_uri(RedirectUrl::new(redirect_url.to_string())?)
            .set_auth_type(AuthType::RequestBody);
        // No redirects on token calls: an attacker-controlled redirect must not receive the code.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(20))
            .build()?;
        Ok(Self {
            client,
            http,
            revoke_url: base.join("oauth/revoke")?,
            client_id: settings.client_id.clone(),
            client_secret: settings.client_secret.clone(),
        })
    }

    /// The authorize URL with a new random `state` and PKCE challenge.
    pub fn start(&self) -> AuthorizationStart {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = self
            .client
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .url();
        AuthorizationStart {
            url,
            state: state.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        }
    }

    /// Exchanges an authorization code (single-use) for tokens.
    pub async fn exchange_code(
        &self,
        code: &str,
        pkce_verifier: &str,
    ) -> Result<TokenSet, OAuthError> {
        let result = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
            .request_async(&self.http)
            .await;
        token_set(result)
    }

    /// Trades a refresh token (which Procore then invalidates) for a new pair.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenSet, OAuthError> {
        let result = self
            .client
            .exchange_refresh_token(&RefreshToken::new(refresh_token.to_string()))
            .request_async(&self.http)
            .await;
        token_set(result)
    }
}

impl ProcoreOAuth {
    /// Revokes a token at Procore (`POST {login}/oauth/revoke` with the token and our client
    /// credentials in the form, as Procore documents; it answers 200 even for a dead token).
    /// The oauth2 crate's revocation insists on an HTTPS endpoint, which the sandbox is not.
    pub async fn revoke(&self, token: &str) -> Result<(), OAuthError> {
        let response = self
            .http
            .post(self.revoke_url.clone())
            .form(&[
                ("token", token),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.as_str()),
            ])
            .send()
            .await
            .map_err(|_| OAuthError::Unavailable("could not reach Procore".into()))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(OAuthError::Unavailable(format!(
                "Procore answered {} to the revocation",
                response.status()
            )))
        }
    }
}

fn token_set<RE: std::error::Error + 'static>(
    result: Result<
        oauth2::basic::BasicTokenResponse,
        RequestTokenError<RE, oauth2::StandardErrorResponse<BasicErrorResponseType>>,
    >,
) -> Result<TokenSet, OAuthError> {
    match result {
        Ok(token) => {
            let lifetime = token
                .expires_in()
                .map(|d| d.as_secs() as i64)
                .unwrap_or(5400);
            Ok(TokenSet {
                access_token: token.access_token().secret().clone(),
                refresh_token: token.refresh_token().map(|r| r.secret().clone()),
                expires_at: crate::db::now() + lifetime,
            })
        }
        Err(RequestTokenError::ServerResponse(response))
            if matches!(response.error(), BasicErrorResponseType::InvalidGrant) =>
        {
            Err(OAuthError::InvalidGrant)
        }
        Err(RequestTokenError::ServerResponse(response)) => Err(OAuthError::Unavailable(format!(
            "Procore answered {}",
            response.error()
        ))),
        Err(RequestTokenError::Request(_)) => {
            Err(OAuthError::Unavailable("could not reach Procore".into()))
        }
        Err(RequestTokenError::Parse(_, _)) => {
            Err(OAuthError::Unavailable("unreadable token response".into()))
        }
        Err(RequestTokenError::Other(text)) => Err(OAuthError::Unavailable(text)),
    }
}
