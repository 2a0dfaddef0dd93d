//! Bad input gets a clear 4xx, never a 500 or serde's text: server-function arguments that
//! cannot be read (malformed, missing, a project listed twice) are answered here, since they
//! fail before the function body — and its status — ever run. Oversized bodies are refused
//! by the body limit with 413 before they are read.

use app::error::AppError;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use leptos::server_fn::error::ServerFnErrorErr;

/// The largest request body accepted (a 10,000-project selection is ~500 KB of JSON).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Our own messages that a deserializer may carry; anything else is summarised.
const OURS: [&str; 3] = [
    "is listed more than once",
    "unknown licence filter",
    "unknown billing interval",
];

/// What a client sent that could not be read, worded for a person, with its status.
fn classify(error: &ServerFnErrorErr) -> Option<(StatusCode, String)> {
    let text = match error {
        ServerFnErrorErr::Args(text) | ServerFnErrorErr::Deserialization(text) => text,
        ServerFnErrorErr::MissingArg(name) => {
            return Some((
                StatusCode::BAD_REQUEST,
                format!("The request is missing `{name}`. Reload the page and try again."),
            ))
        }
        _ => return None,
    };
    Some(match OURS.iter().find(|ours| text.contains(*ours)) {
        Some(_) => {
            // Keep our sentence, drop serde's position suffix.
            let sentence = text.split(" at line ").next().unwrap_or(text);
            let sentence = sentence.rsplit(": ").next().unwrap_or(sentence);
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("The request is not valid: {sentence}."),
            )
        }
        None => (
            StatusCode::BAD_REQUEST,
            "The request could not be read. Reload the page and try again.".to_string(),
        ),
    })
}

/// Rewrites a server function's argument error into a 400/422 with a clear message.
pub async fn friendly_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !is_api || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let classified =
        serde_json::from_slice::<AppError>(&bytes)
            .ok()
            .and_then(|error| match error {
                AppError::ServerFn(inner) => classify(&inner),
                _ => None,
            });
    let Some((status, message)) = classified else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    tracing::info!(%status, "server function arguments refused");
    let body = serde_json::to_vec(&AppError::Invalid(message)).expect("plain enum");
    parts.status = status;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_sentences_are_kept_and_serde_text_is_not() {
        let dup = ServerFnErrorErr::Args(
            "selection: project 5 is listed more than once at line 1 column 80".into(),
        );
        let (status, message) = classify(&dup).unwrap();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            message,
            "The request is not valid: project 5 is listed more than once."
        );
        let junk = ServerFnErrorErr::Args("invalid type: string \"x\", expected u32".into());
        let (status, message) = classify(&junk).unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(!message.contains("expected"), "{message}");
        assert!(classify(&ServerFnErrorErr::ServerError("x".into())).is_none());
    }
}
