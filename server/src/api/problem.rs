//! Errors of the JSON API as `application/problem+json` (RFC 9457), with a
//! stable `type` per kind of refusal: `/api/v1/problems/<kind>`, where
//! `<kind>` is the app's error code (e.g. `reauth_required`).
use app::{AppError, ErrorKind};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Where the problem types live.
pub const TYPE_PREFIX: &str = "/api/v1/problems/";

/// A refusal or failure, as RFC 9457 describes it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/api/v1/problems/reauth_required",
    "title": "For your security, confirm it's you: enter your password (or, with two-factor authentication, a code) to continue.",
    "status": 403
}))]
pub struct Problem {
    /// Stable identifier of the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// What went wrong, in a sentence meant for people.
    pub title: String,
    /// The HTTP status of this answer.
    pub status: u16,
    /// Seconds to wait before trying again (also sent as `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// The error code of `kind` (its JSON name in the app's errors).
fn code(kind: ErrorKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "request".to_owned())
}

impl Problem {
    fn new(code: &str, title: &str, status: StatusCode) -> Self {
        Problem {
            kind: format!("{TYPE_PREFIX}{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            retry_after: None,
        }
    }

    /// A state-changing call with a cookie from another site.
    pub fn cross_site() -> Self {
        Self::new(
            "cross_site",
            app::messages::CROSS_SITE,
            StatusCode::FORBIDDEN,
        )
    }

    /// An API token over its rate limit, for `secs` more seconds.
    pub fn rate_limited(secs: u64) -> Self {
        AppError {
            kind: ErrorKind::RateLimited,
            retry_after_secs: Some(secs),
        }
        .into()
    }

    /// No such endpoint.
    pub fn no_endpoint() -> Self {
        Self::new(
            "no_endpoint",
            "There is no such endpoint: see /api/v1/openapi.json.",
            StatusCode::NOT_FOUND,
        )
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        Problem {
            kind: format!("{TYPE_PREFIX}{}", code(e.kind)),
            title: e.message(),
            status: e.kind.status(),
            retry_after: e.retry_after_secs,
        }
    }
}

impl From<ErrorKind> for Problem {
    fn from(kind: ErrorKind) -> Self {
        AppError::new(kind).into()
    }
}

impl From<sessions::StoreError> for Problem {
    fn from(e: sessions::StoreError) -> Self {
        AppError::from(e).into()
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let retry = self.retry_after.map(HeaderValue::from);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            )],
            body,
        )
            .into_response();
        if let Some(v) = retry {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

/// Whether `path` is the JSON API's (its refusals are problems too).
pub fn is_api(path: &str) -> bool {
    path.starts_with(app::contract::API_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_name_their_kind_and_keep_the_status() {
        let p = Problem::from(ErrorKind::ReauthRequired);
        assert_eq!(p.kind, "/api/v1/problems/reauth_required");
        assert_eq!(p.status, 403);
        let limited = Problem::from(sessions::StoreError::RateLimited {
            retry_after_secs: 30,
        });
        assert_eq!(limited.kind, "/api/v1/problems/rate_limited");
        assert_eq!((limited.status, limited.retry_after), (429, Some(30)));
        let res = limited.into_response();
        assert_eq!(res.headers()[header::RETRY_AFTER], "30");
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }
}
