//! `cargo run -p embedded-example`, then open http://localhost:3300
//! (`ADDR` to listen elsewhere, `DATABASE_URL` for another database).
use migrations::{Migrator, MigratorTrait};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url =
        std::env::var("DATABASE_URL").unwrap_or("sqlite://embedded-example.db?mode=rwc".into());
    let db = sessions::db::connect(&url).await?;
    Migrator::up(&db, None).await?;
    let store = sessions::SessionStore::new(db, Default::default(), sessions::GeoIp::disabled());
    let _background = store.spawn_background_tasks();
    let addr = std::env::var("ADDR").unwrap_or("127.0.0.1:3300".into());
    let port = addr.rsplit(':').next().unwrap_or("3300");
    let origin = format!("http://localhost:{port}");
    let app = embedded_example::app(store, &origin)?;
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("{origin}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await?;
    Ok(())
}
