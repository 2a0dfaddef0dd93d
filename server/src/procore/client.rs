//! The one HTTP client for Procore's REST API: sends `Procore-Company-Id`, follows `Link`
//! pagination, and waits out 429/503 (`Retry-After`, else `X-Rate-Limit-Reset`) with jitter.
//!
//! A client bound to a connection ([`ProcoreClient::for_user`], which
//! [`super::ProcoreAccess`] does for every call) is paced by the shared [`Budget`]: each
//! request first takes a slot (waiting for it rather than being answered 429), and every
//! answer's rate-limit headers feed the budget back. An unbound client sends at once.

use std::time::Duration;

use rand::Rng;
use reqwest::header::{HeaderMap, AUTHORIZATION};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::budget::{Budget, Priority};
use super::link::find_rel;
use super::types::{ProcoreCompany, ProcoreMe, ProcoreProject};

/// How long to keep trying when Procore throttles or fails.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The longest single wait; a longer `Retry-After` is returned to the caller instead.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            max_wait: Duration::from_secs(20),
        }
    }
}

/// What went wrong talking to Procore.
#[derive(Debug, thiserror::Error)]
pub enum ProcoreError {
    /// The access token was refused (expired or revoked): refresh, then retry once.
    #[error("Procore refused the access token")]
    Unauthorized,
    /// The user may not see this (Procore's 403).
    #[error("Procore denied access: {0}")]
    Forbidden(String),
    /// Not found, or not visible to this user (Procore answers 404 for both).
    #[error("not found in Procore")]
    NotFound,
    /// Throttled for longer than we are willing to wait.
    #[error("Procore rate limit reached; retry in {} s", retry_after.as_secs())]
    RateLimited {
        /// When Procore will accept requests again.
        retry_after: Duration,
    },
    /// Network failure or 5xx after retries.
    #[error("Procore is unavailable: {0}")]
    Unavailable(String),
    /// Procore rejected the request (4xx) with this message.
    #[error("Procore rejected the request ({status}): {message}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// Procore's error text.
        message: String,
    },
    /// The response was not what the API documents.
    #[error("unexpected response from Procore: {0}")]
    Decode(String),
}

/// One page of a list endpoint.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The `Total` header: all items across pages.
    pub total: Option<u64>,
    /// The `rel="next"` URL, absent on the last page.
    pub next: Option<url::Url>,
}

/// Which projects to list.
#[derive(Debug, Clone, Default)]
pub struct ProjectsQuery {
    /// 1-based page.
    pub page: u32,
    /// Page size (Procore caps it at 300).
    pub per_page: u32,
    /// `filters[name]`: part of the project name.
    pub name: Option<String>,
}

/// Client for one Procore API host.
#[derive(Debug, Clone)]
pub struct ProcoreClient {
    http: reqwest::Client,
    api_base: url::Url,
    policy: RetryPolicy,
    budget: Option<Budget>,
    pace: Option<Pace>,
}

/// Whose budget requests are paced by, and for whom.
#[derive(Debug, Clone)]
struct Pace {
    key: std::sync::Arc<str>,
    priority: Priority,
}

impl ProcoreClient {
    /// A client for `api_base` (e.g. `https://api.procore.com`).
    pub fn new(api_base: url::Url, policy: RetryPolicy) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(concat!(
                "SmartappProjectCentral/",
                env!("CARGO_PKG_VERSION")
            ))
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .expect("a reqwest client with static settings builds");
        Self {
            http,
            api_base,
            policy,
            budget: None,
            pace: None,
        }
    }

    /// The same client with another per-request timeout (background syncs wait less).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.http = reqwest::Client::builder()
            .user_agent(concat!(
                "SmartappProjectCentral/",
                env!("CARGO_PKG_VERSION")
            ))
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .build()
            .expect("a reqwest client with static settings builds");
        self
    }

    /// The same client, pacing bound clients by `budget`.
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// This client bound to the Procore user's budget (`user:ID`), for `priority`. Without
    /// a budget ([`Self::with_budget`]) requests are still sent unpaced.
    pub fn for_user(&self, procore_user_id: i64, priority: Priority) -> Self {
        self.paced(&format!("user:{procore_user_id}"), priority)
    }

    /// This client bound to the budget `key`, for `priority`.
    pub fn paced(&self, key: &str, priority: Priority) -> Self {
        Self {
            pace: Some(Pace {
                key: key.into(),
                priority,
            }),
            ..self.clone()
        }
    }

    /// The budget and key requests are paced by, if any.
    fn pacing(&self) -> Option<(&Budget, &Pace)> {
        Some((self.budget.as_ref()?, self.pace.as_ref()?))
    }

    /// The signed-in user (`GET /rest/v1.0/me`).
    #[tracing::instrument(skip_all)]
    pub async fn me(&self, token: &str) -> Result<ProcoreMe, ProcoreError> {
        let response = self.send(token, None, self.url("rest/v1.0/me")).await?;
        decode(response).await
    }

    /// Every company the user can see, across all pages.
    #[tracing::instrument(skip_all)]
    pub async fn companies(&self, token: &str) -> Result<Vec<ProcoreCompany>, ProcoreError> {
        let mut url = self.url("rest/v1.0/companies");
        url.query_pairs_mut().append_pair("per_page", "100");
        self.collect(token, None, url).await
    }

    /// Whether the user may manage apps (App Management) in the company — Procore allows
    /// that to company admins only. Any failure counts as "no" (fail closed).
    #[tracing::instrument(skip(self, token))]
    pub async fn can_manage_apps(
        &self,
        token: &str,
        company_id: i64,
    ) -> Result<bool, ProcoreError> {
        let url = self.url(&format!(
            "rest/v1.0/companies/{company_id}/app_configurations"
        ));
        match self.send(token, Some(company_id), url).await {
            Ok(_) => Ok(true),
            Err(ProcoreError::Forbidden(_)) | Err(ProcoreError::NotFound) => Ok(false),
            // No answer (rate budget, outage): not a "no" — the caller keeps what it knew.
            Err(error) => Err(error),
        }
    }

    /// One page of the company's projects (`GET /rest/v1.1/projects`), sorted by name.
    #[tracing::instrument(skip(self, token))]
    pub async fn projects_page(
        &self,
        token: &str,
        company_id: i64,
        query: &ProjectsQuery,
    ) -> Result<Page<ProcoreProject>, ProcoreError> {
        let mut url = self.url("rest/v1.1/projects");
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("company_id", &company_id.to_string())
                .append_pair("page", &query.page.max(1).to_string())
                .append_pair("per_page", &query.per_page.clamp(1, 300).to_string())
                .append_pair("sort", "name");
            if let Some(name) = query.name.as_deref().filter(|n| !n.is_empty()) {
                q.append_pair("filters[name]", name);
            }
        }
        self.page(token, Some(company_id), url).await
    }

    /// One project as the user sees it (`GET /rest/v1.0/projects/{id}`); Procore answers
    /// 404 both for a project that does not exist and for one the user may not see.
    #[tracing::instrument(skip(self, token))]
    pub async fn project(
        &self,
        token: &str,
        company_id: i64,
        project_id: i64,
    ) -> Result<ProcoreProject, ProcoreError> {
        let mut url = self.url(&format!("rest/v1.0/projects/{project_id}"));
        url.query_pairs_mut()
            .append_pair("company_id", &company_id.to_string());
        let response = self.send(token, Some(company_id), url).await?;
        decode(response).await
    }

    /// All of the company's active projects. Page 1's `Total` tells how many pages follow;
    /// those are fetched a few at a time (a 10,000-project company is 34 pages); a paced
    /// client spreads them over the spike window instead of drawing 429s (34 pages at 25
    /// per rolling 10 s cannot take less than 10 s). Without `Total`, `Link` is followed
    /// page by page.
    #[tracing::instrument(skip(self, token))]
    pub async fn all_projects(
        &self,
        token: &str,
        company_id: i64,
    ) -> Result<Vec<ProcoreProject>, ProcoreError> {
        const PER_PAGE: u64 = 300;
        const IN_FLIGHT: usize = 4;
        let page_url = |page: u64| {
            let mut url = self.url("rest/v1.1/projects");
            url.query_pairs_mut()
                .append_pair("company_id", &company_id.to_string())
                .append_pair("per_page", &PER_PAGE.to_string())
                .append_pair("page", &page.to_string());
            url
        };
        let first = self
            .page::<ProcoreProject>(token, Some(company_id), page_url(1))
            .await?;
        let mut items = first.items;
        let Some(next) = first.next else {
            return Ok(items);
        };
        let Some(total) = first.total else {
            let rest: Vec<ProcoreProject> = self.collect(token, Some(company_id), next).await?;
            items.extend(rest);
            return Ok(items);
        };
        let pages = total.div_ceil(PER_PAGE).min(10_000);
        let mut pending = (2..=pages).map(page_url);
        let mut running = tokio::task::JoinSet::new();
        let mut fetched: Vec<(u64, Vec<ProcoreProject>)> = Vec::new();
        let mut page_no = 1u64;
        loop {
            while running.len() < IN_FLIGHT {
                let Some(url) = pending.next() else { break };
                page_no += 1;
                let (client, token, number) = (self.clone(), token.to_string(), page_no);
                running.spawn(async move {
                    let page = client
                        .page::<ProcoreProject>(&token, Some(company_id), url)
                        .await;
                    (number, page)
                });
            }
            let Some(joined) = running.join_next().await else {
                break;
            };
            let (number, page) = joined.map_err(|e| ProcoreError::Unavailable(e.to_string()))?;
            fetched.push((number, page?.items));
        }
        fetched.sort_by_key(|(number, _)| *number);
        items.extend(fetched.into_iter().flat_map(|(_, page)| page));
        Ok(items)
    }

    pub(super) fn url(&self, path: &str) -> url::Url {
        self.api_base
            .join(path)
            .expect("static API paths join the base URL")
    }

    pub(super) async fn collect<T: DeserializeOwned>(
        &self,
        token: &str,
        company_id: Option<i64>,
        first: url::Url,
    ) -> Result<Vec<T>, ProcoreError> {
        let mut items = Vec::new();
        let mut next = Some(first);
        let mut pages = 0u32;
        while let Some(url) = next {
            pages += 1;
            if pages > 10_000 {
                return Err(ProcoreError::Decode("pagination does not end".into()));
            }
            let page = self.page::<T>(token, company_id, url).await?;
            items.extend(page.items);
            next = page.next;
        }
        Ok(items)
    }

    async fn page<T: DeserializeOwned>(
        &self,
        token: &str,
        company_id: Option<i64>,
        url: url::Url,
    ) -> Result<Page<T>, ProcoreError> {
        let response = self.send(token, company_id, url).await?;
        let headers = response.headers().clone();
        let items: Vec<T> = decode(response).await?;
        let total = header_u64(&headers, "total");
        let next = match headers.get("link").and_then(|v| v.to_str().ok()) {
            Some(link) => match find_rel(link, "next") {
                Some(href) => Some(self.same_origin(&href)?),
                None => None,
            },
            None => None,
        };
        Ok(Page { items, total, next })
    }

    /// Bearer tokens only ever go to the configured API host.
    fn same_origin(&self, href: &str) -> Result<url::Url, ProcoreError> {
        let url = url::Url::parse(href)
            .map_err(|e| ProcoreError::Decode(format!("bad Link URL: {e}")))?;
        if url.origin() != self.api_base.origin() {
            return Err(ProcoreError::Decode(
                "Link header points to another host".into(),
            ));
        }
        Ok(url)
    }

    async fn send(
        &self,
        token: &str,
        company_id: Option<i64>,
        url: url::Url,
    ) -> Result<reqwest::Response, ProcoreError> {
        self.send_with(reqwest::Method::GET, token, company_id, url, None)
            .await
    }

    /// Sends one request, pacing it and waiting out throttling. A POST that fails without
    /// an answer (timeout, connection lost, 5xx) is not sent again: Procore may have done it,
    /// so the caller looks up before creating again. 429 and 503 are always safe to retry.
    pub(super) async fn send_with(
        &self,
        method: reqwest::Method,
        token: &str,
        company_id: Option<i64>,
        url: url::Url,
        body: Option<&serde_json::Value>,
    ) -> Result<reqwest::Response, ProcoreError> {
        let replayable = method != reqwest::Method::POST;
        let mut attempt = 0u32;
        loop {
            let slot = match self.pacing() {
                Some((budget, pace)) => budget
                    .acquire(&pace.key, pace.priority, self.policy.max_wait)
                    .await
                    .map_err(|no_slot| ProcoreError::RateLimited {
                        retry_after: no_slot.retry_after,
                    })?,
                None => None,
            };
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, format!("Bearer {token}"));
            if let Some(body) = body {
                request = request.json(body);
            }
            if let Some(id) = company_id {
                request = request.header("Procore-Company-Id", id.to_string());
            }
            let retries_left = attempt < self.policy.max_retries;
            let may_replay = retries_left && replayable;
            let sent = request.send().await;
            if let Some((budget, pace)) = self.pacing() {
                let answer = sent
                    .as_ref()
                    .ok()
                    .map(|r| (r.status().as_u16(), r.headers()));
                budget.answered(&pace.key, slot, answer).await;
            }
            let wait = match sent {
                Err(error) => {
                    let reason = if error.is_timeout() {
                        "timeout"
                    } else {
                        "connection failed"
                    };
                    if !may_replay {
                        return Err(ProcoreError::Unavailable(reason.into()));
                    }
                    tracing::warn!(attempt, reason, "Procore request failed; retrying");
                    backoff(attempt)
                }
                Ok(response) => {
                    let status = response.status();
                    if status.is_success() {
                        return Ok(response);
                    }
                    match status {
                        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                            let wait = throttle_wait(response.headers())
                                .unwrap_or_else(|| backoff(attempt));
                            if !retries_left || wait > self.policy.max_wait {
                                return Err(if status == StatusCode::TOO_MANY_REQUESTS {
                                    ProcoreError::RateLimited { retry_after: wait }
                                } else {
                                    ProcoreError::Unavailable("Procore is busy (503)".into())
                                });
                            }
                            tracing::info!(attempt, wait_ms = wait.as_millis() as u64, %status, "Procore throttled; waiting");
                            if status == StatusCode::TOO_MANY_REQUESTS && self.pacing().is_some() {
                                // The budget now holds every caller of this connection
                                // until Procore's time; the next slot waits for it.
                                attempt += 1;
                                continue;
                            }
                            wait
                        }
                        StatusCode::INTERNAL_SERVER_ERROR
                        | StatusCode::BAD_GATEWAY
                        | StatusCode::GATEWAY_TIMEOUT => {
                            if !may_replay {
                                return Err(ProcoreError::Unavailable(format!(
                                    "HTTP {}",
                                    status.as_u16()
                                )));
                            }
                            backoff(attempt)
                        }
                        _ => return Err(classify(response).await),
                    }
                }
            };
            tokio::time::sleep(wait + jitter()).await;
            attempt += 1;
        }
    }
}

pub(super) async fn decode<T: DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, ProcoreError> {
    let bytes = response
        .bytes()
        .await
        .map_err(|_| ProcoreError::Unavailable("response body was cut off".into()))?;
    serde_json::from_slice(&bytes).map_err(|e| ProcoreError::Decode(e.to_string()))
}

pub(super) async fn classify(response: reqwest::Response) -> ProcoreError {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let message = error_message(&body);
    match status {
        StatusCode::UNAUTHORIZED => ProcoreError::Unauthorized,
        StatusCode::FORBIDDEN => ProcoreError::Forbidden(message),
        StatusCode::NOT_FOUND => ProcoreError::NotFound,
        _ => ProcoreError::Rejected {
            status: status.as_u16(),
            message,
        },
    }
}

/// Procore's error text from `{"errors": …}`, `{"error": {"message"}}` or `{"error_description"}`.
pub fn error_message(body: &str) -> String {
    fn flatten(value: &serde_json::Value) -> String {
        match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(items) => {
                items.iter().map(flatten).collect::<Vec<_>>().join("; ")
            }
            serde_json::Value::Object(map) => {
                if let Some(message) = map.get("message") {
                    return flatten(message);
                }
                map.iter()
                    .map(|(k, v)| format!("{k}: {}", flatten(v)))
                    .collect::<Vec<_>>()
                    .join("; ")
            }
            other => other.to_string(),
        }
    }
    let text = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(json) => ["errors", "error_description", "error", "message"]
            .iter()
            .find_map(|key| json.get(key).map(flatten))
            .unwrap_or_else(|| json.to_string()),
        Err(_) => body.trim().to_string(),
    };
    text.chars().take(300).collect()
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// How long Procore asks us to wait: `Retry-After` seconds, else until `X-Rate-Limit-Reset`.
pub fn throttle_wait(headers: &HeaderMap) -> Option<Duration> {
    if let Some(secs) = header_u64(headers, "retry-after") {
        return Some(Duration::from_secs(secs));
    }
    let reset = header_u64(headers, "x-rate-limit-reset")?;
    let now = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).ok()?;
    Some(Duration::from_secs(reset.saturating_sub(now).max(1)))
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250u64.saturating_mul(1 << attempt.min(6)))
}

fn jitter() -> Duration {
    Duration::from_millis(rand::thread_rng().gen_range(0..250))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn error_bodies_in_every_documented_shape() {
        assert_eq!(
            error_message(r#"{"errors":"Missing Procore-Company-Id header!"}"#),
            "Missing Procore-Company-Id header!"
        );
        assert_eq!(
            error_message(r#"{"errors":{"name":["can't be blank"]}}"#),
            "name: can't be blank"
        );
        assert_eq!(
            error_message(r#"{"error":{"code":"x","message":"Locked"}}"#),
            "Locked"
        );
        assert_eq!(
            error_message(
                r#"{"error":"invalid_grant","error_description":"The refresh token is invalid"}"#
            ),
            "The refresh token is invalid"
        );
        assert_eq!(
            error_message("You have surpassed the max number of requests"),
            "You have surpassed the max number of requests"
        );
    }

    #[test]
    fn retry_after_wins_over_reset() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("7"));
        headers.insert("x-rate-limit-reset", HeaderValue::from_static("1"));
        assert_eq!(throttle_wait(&headers), Some(Duration::from_secs(7)));
        let mut headers = HeaderMap::new();
        let reset = time::OffsetDateTime::now_utc().unix_timestamp() + 5;
        headers.insert(
            "x-rate-limit-reset",
            HeaderValue::from_str(&reset.to_string()).unwrap(),
        );
        let wait = throttle_wait(&headers).unwrap();
        assert!(
            wait >= Duration::from_secs(4) && wait <= Duration::from_secs(5),
            "{wait:?}"
        );
        assert_eq!(throttle_wait(&HeaderMap::new()), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(0), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_millis(1000));
        assert_eq!(backoff(40), backoff(6));
    }
}
