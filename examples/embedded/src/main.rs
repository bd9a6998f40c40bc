//! `cargo run -p embedded-example`, then open http://localhost:3300.
use migrations::{Migrator, MigratorTrait};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url =
        std::env::var("DATABASE_URL").unwrap_or("sqlite://embedded-example.db?mode=rwc".into());
    let db = sessions::db::connect(&url).await?;
    Migrator::up(&db, None).await?;
    let store = sessions::SessionStore::new(db, Default::default(), sessions::GeoIp::disabled());
    let _background = store.spawn_background_tasks();
    let app = embedded_example::app(store, "http://localhost:3300")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3300").await?;
    println!("http://localhost:3300");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await?;
    Ok(())
}
