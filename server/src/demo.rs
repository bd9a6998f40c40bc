//! `--demo`: on an empty database, an account with a believable past.
use crate::StartError;
use chrono::{Duration, Utc};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use sessions::{
    CurrentSession, GeoIp, ManualClock, RequestFacts, SessionStore, StoreConfig, StoreError,
};
use std::sync::Arc;

pub const USERNAME: &str = "demo";
pub const PASSWORD: &str = "demo-password";

const WIN_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const LINUX_FIREFOX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
const ANDROID_PHONE: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36";
const WIN_EDGE: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80";
const ANDROID_TABLET: &str = "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const MAC_SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15";
const CURL: &str = "curl/8.5.0";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

fn facts(ua: &str, ip: &str) -> RequestFacts {
    RequestFacts {
        user_agent: ua.to_owned(),
        ip: ip.parse().expect("demo IPs are valid"),
    }
}

/// Creates the demo account and its sessions when no account exists yet,
/// and says which happened.
pub async fn seed_if_empty(
    db: &DatabaseConnection,
    config: StoreConfig,
    geo: Arc<GeoIp>,
) -> Result<(), StartError> {
    let accounts = sessions::entity::user::Entity::find()
        .count(db)
        .await
        .map_err(StoreError::from)?;
    if accounts > 0 {
        tracing::info!("database not empty: demo data not added");
        return Ok(());
    }
    seed(db, config, geo).await?;
    tracing::info!(user = USERNAME, password = PASSWORD, "demo account created");
    Ok(())
}

async fn seed(
    db: &DatabaseConnection,
    config: StoreConfig,
    geo: Arc<GeoIp>,
) -> Result<(), StoreError> {
    let now = Utc::now();
    let clock = Arc::new(ManualClock::new(now - Duration::days(40)));
    let store = SessionStore::with_clock(db.clone(), config, geo, clock.clone());
    let home = [127, 0, 0, 1].into();
    let user = store.register(USERNAME, PASSWORD, home).await?;
    let uid = user.id;
    let at = |d: Duration| clock.set(now + d);
    let login = |ua: &'static str, ip: &'static str| {
        let store = store.clone();
        async move {
            let (token, _) = store.start_session(uid, &facts(ua, ip)).await?;
            let current = store.authenticate(token.expose_secret()).await?;
            current.ok_or(StoreError::SessionNotFound)
        }
    };
    let browse = |current: &CurrentSession, ip: &str, pages: u32| {
        for _ in 0..pages {
            store.record_activity(current, ip.parse().expect("valid"), true);
        }
    };

    // An old laptop, never used again: expires.
    let laptop = login(WIN_CHROME, "81.2.69.142").await?;
    browse(&laptop, "81.2.69.142", 3);
    store.flush_activity().await?;
    at(Duration::days(-25) - Duration::hours(3));
    store.prune_history().await?;

    // A password change from the phone signs out the Linux desktop.
    at(Duration::days(-12) - Duration::hours(6));
    let desktop = login(LINUX_FIREFOX, "216.160.83.56").await?;
    browse(&desktop, "216.160.83.56", 7);
    let phone = login(ANDROID_PHONE, "89.160.20.128").await?;
    at(Duration::days(-12) - Duration::hours(4));
    store.flush_activity().await?;
    store
        .change_password(&phone, PASSWORD, PASSWORD, true, home)
        .await?;
    at(Duration::days(-11) - Duration::minutes(95));
    browse(&phone, "89.160.20.128", 4);
    store.log_out(&phone).await?;

    // "Sign out everywhere" from the tablet ends the office PC.
    at(Duration::days(-6) - Duration::hours(2) - Duration::minutes(17));
    let office = login(WIN_EDGE, "2.125.160.216").await?;
    browse(&office, "2.125.160.216", 5);
    let tablet = login(ANDROID_TABLET, "89.160.20.128").await?;
    store.flush_activity().await?;
    at(Duration::days(-5) + Duration::hours(4));
    store.reauthenticate(&tablet, PASSWORD, home).await?;
    store.sign_out_everywhere(&tablet).await?;

    // The Mac terminates a script that logged in with the password.
    at(Duration::days(-3) - Duration::hours(7) - Duration::minutes(41));
    let mac = login(MAC_SAFARI, "216.160.83.56").await?;
    at(Duration::days(-2) + Duration::minutes(23));
    let script = login(CURL, "8.8.8.8").await?;
    browse(&script, "8.8.8.8", 2);
    store.flush_activity().await?;
    at(Duration::days(-1) - Duration::hours(2) - Duration::minutes(8));
    store.reauthenticate(&mac, PASSWORD, home).await?;
    store.terminate_session(&mac, &script.public_id).await?;
    let iphone = login(IPHONE, "2001:218::1").await?;

    // Recent activity on the devices still signed in.
    at(Duration::hours(-20));
    browse(&tablet, "89.160.20.128", 6);
    at(Duration::hours(-3));
    browse(&iphone, "2001:218::1", 9);
    at(Duration::minutes(-12));
    browse(&mac, "216.160.83.56", 14);
    store.flush_activity().await?;
    Ok(())
}
