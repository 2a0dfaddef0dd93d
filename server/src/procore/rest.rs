//! Untyped JSON calls for the directory sync: list every page of an endpoint (with the
//! largest `per_page` it allows), read one record, and write (POST/PATCH/DELETE). They go
//! through the same pacing, throttling waits and error states as every other call.

use reqwest::Method;
use serde_json::Value;

use super::client::{classify, decode, Page};
use super::link::find_rel;
use super::{ProcoreClient, ProcoreError};

/// The largest `per_page` the directory endpoints accept (procore-api.md §2.3).
pub const DIRECTORY_PER_PAGE: u32 = 1000;

impl ProcoreClient {
    /// Every item of a v1.x list, following `Link: rel="next"`. `path_and_query` is
    /// relative to the API base (e.g. `/rest/v1.0/projects/1/users?filters[id]=2`).
    pub async fn list_all(
        &self,
        token: &str,
        company_id: i64,
        path_and_query: &str,
    ) -> Result<Vec<Value>, ProcoreError> {
        let mut url = self.url(path_and_query);
        url.query_pairs_mut()
            .append_pair("per_page", &DIRECTORY_PER_PAGE.to_string());
        self.collect::<Value>(token, Some(company_id), url).await
    }

    /// One page of a list (the first), for a caller that only needs to know whether there
    /// is anything.
    pub async fn list_page(
        &self,
        token: &str,
        company_id: i64,
        path_and_query: &str,
    ) -> Result<Page<Value>, ProcoreError> {
        let mut url = self.url(path_and_query);
        url.query_pairs_mut()
            .append_pair("per_page", &DIRECTORY_PER_PAGE.to_string());
        let response = self
            .send_with(Method::GET, token, Some(company_id), url, None)
            .await?;
        let headers = response.headers().clone();
        let items: Vec<Value> = decode(response).await?;
        let next = headers
            .get("link")
            .and_then(|v| v.to_str().ok())
            .and_then(|link| find_rel(link, "next"))
            .and_then(|href| url::Url::parse(&href).ok());
        let total = headers
            .get("total")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        Ok(Page { items, total, next })
    }

    /// One record.
    pub async fn get_json(
        &self,
        token: &str,
        company_id: i64,
        path: &str,
    ) -> Result<Value, ProcoreError> {
        let response = self
            .send_with(Method::GET, token, Some(company_id), self.url(path), None)
            .await?;
        decode(response).await
    }

    /// A write; the answer's JSON, or `Value::Null` for an empty answer (204).
    pub async fn write_json(
        &self,
        method: Method,
        token: &str,
        company_id: i64,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, ProcoreError> {
        let response = self
            .send_with(method, token, Some(company_id), self.url(path), body)
            .await?;
        if !response.status().is_success() {
            return Err(classify(response).await);
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|_| ProcoreError::Unavailable("response body was cut off".into()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&bytes).map_err(|e| ProcoreError::Decode(e.to_string()))
    }
}
