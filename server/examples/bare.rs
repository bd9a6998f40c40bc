//! The physical limit for the web bench: one route returning "ok" on a bare
//! axum router, no layers, no state (`scripts/bench-web.sh`).
use axum::Router;
use axum::routing::get;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3299".to_owned());
    let app = Router::new().route("/livez", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}
