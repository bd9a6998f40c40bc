//! The benchmark's baseline (scripts/bench-embedded.sh): an authenticated
//! page on tower-sessions 0.14 with its moka store (every session in
//! memory: its fastest setup). `POST /login` signs in; `GET /notes` needs it.
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use tower_sessions::{Session, SessionManagerLayer};
use tower_sessions_moka_store::MokaStore;

async fn login(session: Session) -> Response {
    match session.insert("user", "ada").await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn notes(session: Session) -> Response {
    match session.get::<String>("user").await {
        Ok(Some(user)) => Html(format!(
            "<!doctype html><title>Notes</title><h1>Notes</h1><p>{user}'s notes would be here.</p>"
        ))
        .into_response(),
        _ => StatusCode::UNAUTHORIZED.into_response(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let store = MokaStore::new(Some(10_000));
    let app = Router::new()
        .route("/login", post(login))
        .route("/notes", get(notes))
        .layer(SessionManagerLayer::new(store).with_secure(false));
    let addr = std::env::var("ADDR").unwrap_or("127.0.0.1:3301".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
