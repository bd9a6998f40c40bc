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
        app: None,
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
    let clock = Arc::new(ManualClock::new(now - Duration::days(70)));
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

    // Ten weeks ago, the first session (the old laptop) and, over the next
    // days, every device and place the owner still uses: each was new once
    // and confirmed ("Yes, it was me"), so they are known now and only the
    // last sign-in of this story is new.
    let laptop = login(WIN_CHROME, "81.2.69.142").await?;
    browse(&laptop, "81.2.69.142", 3);
    let known = [
        (LINUX_FIREFOX, "216.160.83.56"),
        (ANDROID_PHONE, "89.160.20.128"),
        (WIN_EDGE, "2.125.160.216"),
        (ANDROID_TABLET, "89.160.20.128"),
        (MAC_SAFARI, "216.160.83.56"),
        (CURL, "8.8.8.8"),
    ];
    for (day, (ua, ip)) in (1..).zip(known) {
        at(Duration::days(-70 + day) + Duration::hours(9));
        let first = login(ua, ip).await?;
        store.confirm_sign_in(&laptop, &first.public_id).await?;
        browse(&first, ip, 2 + day as u32);
        at(Duration::days(-70 + day) + Duration::hours(11));
        store.log_out(&first).await?;
    }
    store.flush_activity().await?;
    // The laptop is never used again: it expires.
    at(Duration::days(-40));
    store.prune_history().await?;

    // Ordinary weeks: known devices from known places, signed in and out.
    let ordinary = [
        (ANDROID_PHONE, "89.160.20.128", 34),
        (LINUX_FIREFOX, "216.160.83.56", 29),
        (WIN_EDGE, "2.125.160.216", 24),
        (ANDROID_TABLET, "89.160.20.128", 19),
        (MAC_SAFARI, "216.160.83.56", 15),
    ];
    for (ua, ip, days_ago) in ordinary {
        at(Duration::days(-days_ago) + Duration::hours(8));
        let s = login(ua, ip).await?;
        browse(&s, ip, 4 + days_ago as u32 % 7);
        at(Duration::days(-days_ago) + Duration::hours(10) + Duration::minutes(days_ago));
        store.log_out(&s).await?;
    }

    // A password change from the phone signs out the Linux desktop.
    at(Duration::days(-12) - Duration::hours(6));
    let desktop = login(LINUX_FIREFOX, "216.160.83.56").await?;
    browse(&desktop, "216.160.83.56", 7);
    let phone = login(ANDROID_PHONE, "89.160.20.128").await?;
    at(Duration::days(-12) - Duration::hours(4));
    store.flush_activity().await?;
    store
        .change_password(&phone, PASSWORD, None, PASSWORD, true, home)
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

    // The Mac ends a backup script's session that is no longer needed.
    at(Duration::days(-3) - Duration::hours(7) - Duration::minutes(41));
    let mac = login(MAC_SAFARI, "216.160.83.56").await?;
    at(Duration::days(-2) + Duration::minutes(23));
    let script = login(CURL, "8.8.8.8").await?;
    browse(&script, "8.8.8.8", 2);
    store.flush_activity().await?;
    at(Duration::days(-1) - Duration::hours(2) - Duration::minutes(8));
    store.reauthenticate(&mac, PASSWORD, home).await?;
    store.terminate_session(&mac, &script.public_id).await?;

    // Recent activity on the devices still signed in, and the one sign-in
    // the owner has never seen: an iPhone in Japan, waiting for "Was this
    // you?".
    at(Duration::hours(-20));
    browse(&tablet, "89.160.20.128", 6);
    at(Duration::minutes(-38));
    let iphone = login(IPHONE, "2001:218::1").await?;
    browse(&iphone, "2001:218::1", 3);
    at(Duration::minutes(-12));
    browse(&mac, "216.160.83.56", 14);
    store.flush_activity().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use migrations::{Migrator, MigratorTrait};
    use sessions::{HistoryQuery, LoginStep};

    #[tokio::test]
    async fn the_demo_reads_like_a_persons_account() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("d.db").display());
        let db = sessions::db::connect(&url).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../sessions/tests/fixtures/geoip/GeoIP2-Country-Test.mmdb"
        );
        let geo = Arc::new(GeoIp::open(std::path::Path::new(fixture)).unwrap());
        seed_if_empty(&db, StoreConfig::default(), geo.clone())
            .await
            .unwrap();
        // The owner signs in from a desktop and a place they have used before.
        let store = SessionStore::new(db, StoreConfig::default(), geo);
        let step = store
            .login(USERNAME, PASSWORD, &facts(LINUX_FIREFOX, "216.160.83.56"))
            .await
            .unwrap();
        let LoginStep::SignedIn(token, view) = step else {
            panic!("the demo account has no second factor");
        };
        assert!(!view.new_device && !view.new_location, "a known device");
        let me = store
            .authenticate(token.expose_secret())
            .await
            .unwrap()
            .unwrap();
        let page = store
            .sessions_page(
                &me,
                &HistoryQuery {
                    limit: 10,
                    ..HistoryQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(page.active.len(), 4, "tablet, Mac, iPhone and this one");
        let waiting = page.pending_sign_ins(&me);
        assert_eq!(waiting.len(), 1, "exactly one sign-in awaits review");
        assert_eq!(waiting[0].platform, "iOS");
        let marked = |s: &&sessions::SessionView| s.new_device || s.new_location;
        assert_eq!(page.active.iter().filter(marked).count(), 1);
        assert_eq!(page.history.entries.len(), 10);
        assert_eq!(
            page.history.entries.iter().filter(marked).count(),
            1,
            "the first page of history reads as known devices but one"
        );
        let reasons: std::collections::HashSet<_> = page
            .history
            .entries
            .iter()
            .filter_map(|s| s.end_reason)
            .collect();
        assert!(reasons.len() >= 4, "several ways of ending: {reasons:?}");
    }
}
