//! The JSON API for one's own sessions (`/api/v1`), its errors as
//! RFC 9457 problems, and its OpenAPI 3.1 document made from the handlers
//! (served at [`OPENAPI_PATH`], committed as `docs/openapi.json`, and
//! compared with it by the test suite).
pub mod model;
pub mod problem;
pub mod sessions;

use crate::state::AppState;
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sessionboard API",
        description = "The signed-in person's own sessions: list them, page through history, \
end one or all others, name them, and answer \"Was this you?\". Calls are authenticated by \
the session cookie, or by a personal API token (`Authorization: Bearer`, created at \
/account/tokens, scoped `read` or `manage`, rate limited per token); state-changing calls with \
a cookie must come from Sessionboard's own origin. A person terminating and signing out others needs a recent proof (`POST /api/v1/reauthenticate`), \
as on the page; a `manage` token needs none. Errors are `application/problem+json` (RFC 9457).",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        sessions::me,
        sessions::reauthenticate,
        sessions::list,
        sessions::history,
        sessions::terminate,
        sessions::sign_out_others,
        sessions::rename,
        sessions::confirm,
        sessions::deny,
    ),
    components(schemas(problem::Problem)),
    modifiers(&Credentials),
    security(("cookie" = []), ("bearer" = [])),
    tags(
        (name = "account", description = "Who is signed in, and proving it again"),
        (name = "sessions", description = "The account's sessions"),
        (name = "was this you", description = "Answers about new sign-ins"),
    )
)]
pub struct ApiDoc;

/// The two ways to authenticate, as security schemes.
struct Credentials;

impl utoipa::Modify for Credentials {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                app::contract::SESSION_COOKIE,
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal API token from /account/tokens"))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document, as served and committed.
pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = "1".to_owned();
    doc.to_pretty_json().unwrap_or_default() + "\n"
}

/// Made once: the document does not change while the server runs.
async fn openapi() -> impl axum::response::IntoResponse {
    static DOC: std::sync::LazyLock<String> = std::sync::LazyLock::new(openapi_json);
    (
        [(http::header::CONTENT_TYPE, "application/json")],
        DOC.as_str(),
    )
}

/// Every route of the API.
pub fn router() -> Router<AppState> {
    sessions::router().route(OPENAPI_PATH, get(openapi)).route(
        "/api/v1/{*rest}",
        axum::routing::any(async || problem::Problem::no_endpoint()),
    )
}
