//! The Sessionboard binary: reads the configuration, connects, migrates,
//! serves, and writes pending activity on the way out.
use anyhow::Context;
use clap::Parser;
use leptos::config::get_configuration;
use migrations::{Migrator, MigratorTrait};
use server::config::{Admin, Command, Config};
use server::{AppState, WebConfig, demo, router};
use sessionboard_layer::Connections;
use sessions::{SessionStore, TrustedProxies};
use std::sync::Arc;
use tracing::Level;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

// Every request allocates a little (headers, extensions, futures) on two
// or more threads; mimalloc's thread-local heaps make that cheaper than glibc.
// Its `override` feature routes SQLite's own mallocs there too (each value
// a row hands over is copied on the connection's thread and freed on the
// request's). The measured gain is in PERFORMANCE.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// `sessionboard admin …`: one operator task, instead of serving.
async fn admin(store: &SessionStore, task: &Admin) -> anyhow::Result<()> {
    let no_account = |username: &str, e: sessions::StoreError| match e {
        sessions::StoreError::UnknownAccount => anyhow::anyhow!("no account named {username:?}"),
        e => e.into(),
    };
    match task {
        Admin::Grant { username } => {
            store
                .grant_admin(username)
                .await
                .map_err(|e| no_account(username, e))?;
            println!(
                "{username} is an administrator. The console at /admin needs a sign-in with a \
                 second factor: {username} turns on two-factor authentication, signs in with a code, \
                 and confirms again when asked."
            );
        }
        Admin::Revoke { username } => {
            store
                .revoke_admin(username)
                .await
                .map_err(|e| no_account(username, e))?;
            println!("{username} is no longer an administrator.");
        }
        Admin::Audit { user, kind } => {
            use std::io::Write;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let mut filter = sessions::AuditFilter {
                user: user.clone(),
                kind: kind.clone(),
                limit: 1_000,
                ..Default::default()
            };
            loop {
                let page = store.audit_page(&filter).await?;
                for entry in &page.entries {
                    writeln!(out, "{}", serde_json::to_string(entry)?)?;
                }
                match page.older {
                    Some(before) => filter.before = Some(before),
                    None => break,
                }
            }
            out.flush()?;
        }
        Admin::Unlock { username } => {
            anyhow::ensure!(
                store.unlock_second_factor(username).await?,
                "no account named {username:?}"
            );
            println!("Two-factor codes are checked again for {username}.");
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    dotenvy::dotenv().ok();
    let config = Config::parse();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_http=info"));
    // The audit table keeps every audit event whatever the log's level.
    let audit = sessions::AuditQueue::new();
    let audit_layer = audit
        .layer()
        .with_filter(Targets::new().with_target(sessions::audit::AUDIT_TARGET, Level::TRACE));
    let registry = tracing_subscriber::registry().with(audit_layer);
    if config.log_format == "json" {
        let logs = tracing_subscriber::fmt::layer().json();
        registry.with(logs.with_filter(filter)).init();
    } else {
        registry
            .with(tracing_subscriber::fmt::layer().with_filter(filter))
            .init();
    }
    let web = WebConfig {
        origin: config.origin().context("PUBLIC_ORIGIN")?,
        trusted: TrustedProxies::parse(&config.trusted_proxies).context("TRUSTED_PROXIES")?,
        proxy_header: config.proxy_header,
        apps: Arc::new(config.apps()?),
        cookie: config.cookie_scope()?,
    };
    let store_config = config.store_config()?;
    // Before connecting: a missing or bad key stops the start at once.
    let secret_key = config.secret_key()?;
    let previous_keys = config.previous_keys()?;

    config.ensure_sqlite_dir()?;
    let backend = config.backend();
    tracing::info!(backend, "connecting to the database");
    let db = sessions::db::connect(&config.database_url)
        .await
        .with_context(|| format!("connecting to {backend} (DATABASE_URL)"))?;
    Migrator::up(&db, None)
        .await
        .context("running database migrations")?;

    // Opened once: the demo seeding and the store share it.
    let geo = Arc::new(config.open_geoip()?);
    if config.demo {
        demo::seed_if_empty(&db, store_config, geo.clone()).await?;
    }

    let store = SessionStore::new(db, store_config, geo);
    store.set_secret_keys(secret_key, previous_keys);
    store.keep_audit(audit);
    if let Some(Command::Admin(task)) = &config.command {
        let done = admin(&store, task).await;
        store.write_audit().await.context("writing the audit log")?;
        return done;
    }
    if store.admin_count().await? == 0 {
        tracing::info!(
            "no administrator yet: `sessionboard admin grant USERNAME` makes one (the console is at /admin)"
        );
    }
    let background = store.spawn_background_tasks();
    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
    let mut leptos_options = get_configuration(None)?.leptos_options;
    leptos_options.site_addr = config.site_addr;
    let mailer = match &config.smtp_url {
        Some(url) => {
            let mailer = server::mailer::Mailer::new(
                store.clone(),
                url,
                config.mail_from.as_deref(),
                &config.public_origin,
                config.mail_poll_interval,
            )?;
            tracing::info!("email alerts on (SMTP_URL)");
            Some(mailer.spawn(shutdown_rx.clone()))
        }
        None => None,
    };
    if let Some(addr) = config.metrics_addr {
        let handle = server::metrics::install()?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr} (METRICS_ADDR)"))?;
        let scrape = server::metrics::router(handle, store.clone());
        let mut stop = shutdown_rx.clone();
        tokio::spawn(async move {
            let stopped = async move {
                let _ = stop.changed().await;
            };
            if let Err(e) = axum::serve(listener, scrape)
                .with_graceful_shutdown(stopped)
                .await
            {
                tracing::error!(error = %e, "metrics listener failed");
            }
        });
        tracing::info!("Prometheus metrics on http://{addr}/metrics (METRICS_ADDR)");
    }
    let state = AppState::new(store.clone(), web, shutdown_rx, leptos_options)?;
    let app = router(state);

    let listener = tokio::net::TcpListener::bind(config.site_addr)
        .await
        .with_context(|| format!("listening on {} (LEPTOS_SITE_ADDR)", config.site_addr))?;
    tracing::info!(
        "Sessionboard listening on http://{} (public origin {})",
        config.site_addr,
        config.public_origin
    );
    axum::serve(listener, Connections(app))
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            let _ = shutdown_tx.send(true);
        })
        .await?;

    background.stop();
    if let Some(mailer) = mailer {
        let _ = mailer.await;
    }
    let written = store
        .flush_activity()
        .await
        .context("writing pending activity")?;
    store.write_audit().await.context("writing the audit log")?;
    tracing::info!(sessions = written, "pending activity written; bye");
    Ok(())
}
