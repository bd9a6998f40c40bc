//! The Sessionboard server: configuration, database, migrations, layers,
//! Leptos routes, the live-update stream and graceful shutdown.
mod config;
mod demo;
mod live;
mod web;

use anyhow::Context;
use app::{App, shell};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Router, ServiceExt};
use clap::Parser;
use config::Config;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use migrations::{Migrator, MigratorTrait};
use sessions::{GeoIp, SessionStore, TrustedProxies};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tower::Layer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use tracing_subscriber::EnvFilter;
use web::WebState;

// Every request allocates a little (headers, extensions, futures) on two
// or more threads; mimalloc's thread-local heaps make that cheaper than glibc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn open_geoip(config: &Config) -> anyhow::Result<GeoIp> {
    match config.geoip_path() {
        Some(path) => match GeoIp::open(&path) {
            Ok(geo) => {
                tracing::info!(path = %path.display(), kind = ?geo.database_type(), "GeoIP database loaded");
                Ok(geo)
            }
            // Asked for explicitly: a typo should stop the start, not hide locations.
            Err(e) if config.geoip_db.is_some() => Err(e).context("GEOIP_DB"),
            Err(e) => {
                tracing::warn!(error = %e, "GeoIP database unreadable; locations will show as Unknown");
                Ok(GeoIp::disabled())
            }
        },
        None => {
            tracing::info!("no GeoIP database (set GEOIP_DB); locations will show as Unknown");
            Ok(GeoIp::disabled())
        }
    }
}

/// Creates the directory of a SQLite file URL, so the default just works.
fn ensure_sqlite_dir(url: &str) -> anyhow::Result<()> {
    if let Some(rest) = url.strip_prefix("sqlite://") {
        let file = rest.split('?').next().unwrap_or("");
        if let Some(dir) = Path::new(file)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    Ok(())
}

async fn healthz(State(store): State<SessionStore>) -> (StatusCode, &'static str) {
    match store.db().ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

async fn ping() -> &'static str {
    "ok"
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down: finishing requests and writing pending activity");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    dotenvy::dotenv().ok();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_http=info")),
        )
        .init();
    let config = Config::parse();

    ensure_sqlite_dir(&config.database_url)?;
    let backend = if sessions::db::is_sqlite(&config.database_url) {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    tracing::info!(backend, "connecting to the database");
    let db = sessions::db::connect(&config.database_url)
        .await
        .with_context(|| format!("connecting to {backend} (DATABASE_URL)"))?;
    Migrator::up(&db, None)
        .await
        .context("running database migrations")?;

    // Opened once: the demo seeding and the store share it.
    let geo = Arc::new(open_geoip(&config)?);
    if config.demo {
        if demo::seed(&db, config.store_config(), geo.clone()).await? {
            tracing::info!(
                user = demo::USERNAME,
                password = demo::PASSWORD,
                "demo account created"
            );
        } else {
            tracing::info!("database not empty: demo data not added");
        }
    }

    let store = SessionStore::new(db, config.store_config(), geo);
    let background = store.spawn_background_tasks();
    let trusted = TrustedProxies::parse(&config.trusted_proxies).context("TRUSTED_PROXIES")?;
    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
    // Lives as long as the process, borrowed rather than shared by an `Arc`:
    // axum clones services per request, and a reference count would make
    // every clone write one counter all threads share.
    let state: &'static WebState = Box::leak(Box::new(WebState {
        store: store.clone(),
        trusted,
        origin: config.origin().into(),
        shutdown: shutdown_rx,
    }));
    let mut leptos_options = get_configuration(None)?.leptos_options;
    leptos_options.site_addr = config.site_addr;
    let routes = generate_route_list(App);
    let context_store = store.clone();
    let app = Router::new()
        .route("/healthz", get(healthz).with_state(store.clone()))
        .route(web::EVENTS_PATH, get(live::events).with_state(state))
        .leptos_routes_with_context(
            &leptos_options,
            routes,
            move || provide_context(context_store.clone()),
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(leptos_options)
        // A trivial route behind the session layer (the load benchmark's subject).
        .route("/api/ping", get(ping))
        // Liveness, passed through the session layer untouched: also the load
        // benchmark's baseline for /api/ping, which is the same handler.
        .route("/livez", get(ping))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http());
    // Around the whole router, once per request (a route layer would add a
    // boxed service clone per request on every route).
    let app = web::SessionLayer(state).layer(app);

    let listener = tokio::net::TcpListener::bind(config.site_addr)
        .await
        .with_context(|| format!("listening on {} (LEPTOS_SITE_ADDR)", config.site_addr))?;
    tracing::info!(
        "Sessionboard listening on http://{} (public origin {})",
        config.site_addr,
        config.public_origin
    );
    axum::serve(
        listener,
        ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<SocketAddr>(
            app,
        ),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = shutdown_tx.send(true);
    })
    .await?;

    background.abort();
    let written = store
        .flush_activity()
        .await
        .context("writing pending activity")?;
    tracing::info!(sessions = written, "pending activity written; bye");
    Ok(())
}
