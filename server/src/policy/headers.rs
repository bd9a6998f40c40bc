//! Response headers the policy adds.
use axum::http::{HeaderValue, Response, header};

/// Marks a response `Cache-Control: no-store`: pages and answers carry
/// session data.
pub fn no_store<B>(mut response: Response<B>) -> Response<B> {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
