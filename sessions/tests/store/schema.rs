use crate::common::*;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Statement};

async fn country_of(t: &TestDb, column: &str) -> Result<Option<String>, sea_orm::DbErr> {
    let sql = format!("SELECT {column} FROM sessions");
    let row =
        t.db.query_one_raw(Statement::from_string(t.db.get_database_backend(), sql))
            .await?
            .expect("one session");
    Ok(row.try_get("", column).unwrap())
}

/// Undoes `name` and every migration after it.
async fn undo_through(t: &TestDb, name: &str) {
    let all = Migrator::migrations();
    let at = all.iter().position(|m| m.name() == name).expect(name);
    Migrator::down(&t.db, Some((all.len() - at) as u32))
        .await
        .unwrap();
}

/// The rename of `country_code` to `last_country_code` goes down and up
/// again with the data in place.
async fn last_country_code_migration_goes_both_ways(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    assert_eq!(
        country_of(&t, "last_country_code")
            .await
            .unwrap()
            .as_deref(),
        Some("GB")
    );
    // Back to before the rename (and the migrations after it).
    undo_through(&t, "m20261128_000001_last_country_code").await;
    assert_eq!(
        country_of(&t, "country_code").await.unwrap().as_deref(),
        Some("GB")
    );
    assert!(country_of(&t, "last_country_code").await.is_err());
    Migrator::up(&t.db, None).await.unwrap();
    assert_eq!(
        country_of(&t, "last_country_code")
            .await
            .unwrap()
            .as_deref(),
        Some("GB")
    );
    t.teardown().await;
}

/// "Was this you?" goes down (its table and columns gone) and up again,
/// every session starting its trail where it is.
async fn was_this_you_migration_goes_both_ways(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, first) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    login(&t.store, alice, SAFARI_IPHONE, "89.160.20.128").await;
    let first_row = row_of(&t, &first.public_id).await.id;
    undo_through(&t, "m20261128_000003_was_this_you").await;
    let backend = t.db.get_database_backend();
    let gone =
        t.db.query_one_raw(Statement::from_string(
            backend,
            "SELECT new_device FROM sessions",
        ))
        .await;
    assert!(gone.is_err());
    assert!(
        t.db.query_one_raw(Statement::from_string(
            backend,
            "SELECT * FROM session_places"
        ))
        .await
        .is_err()
    );
    Migrator::up(&t.db, None).await.unwrap();
    let row =
        t.db.query_one_raw(Statement::from_string(
            backend,
            format!(
                "SELECT COUNT(*) AS n, MIN(country_code) AS c FROM session_places \
                 WHERE session_id = {}",
                first_row
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 1);
    assert_eq!(row.try_get::<String>("", "c").unwrap(), "GB");
    // Back up, nothing is marked: old sessions are not news.
    assert!(!row_of(&t, &first.public_id).await.new_device);
    t.teardown().await;
}

/// Email alerts go down (tables and columns gone) and up again.
async fn email_migration_goes_both_ways(b: Backend) {
    let Some(t) = setup(b).await else { return };
    user(&t.store, "alice").await;
    undo_through(&t, "m20261128_000004_email_alerts").await;
    let backend = t.db.get_database_backend();
    for gone in [
        "SELECT email FROM users",
        "SELECT * FROM mail_outbox",
        "SELECT * FROM email_tokens",
    ] {
        let r =
            t.db.query_one_raw(Statement::from_string(backend, gone))
                .await;
        assert!(r.is_err(), "{gone}");
    }
    Migrator::up(&t.db, None).await.unwrap();
    let r =
        t.db.query_one_raw(Statement::from_string(backend, "SELECT email FROM users"))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(r.try_get::<Option<String>>("", "email").unwrap(), None);
    t.teardown().await;
}

/// Two-factor authentication goes down and up again; sessions made
/// before it count as signed in with the password.
async fn two_factor_migration_goes_both_ways(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, first) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    undo_through(&t, "m20261128_000005_two_factor").await;
    let backend = t.db.get_database_backend();
    for gone in [
        "SELECT totp_secret_enc FROM users",
        "SELECT auth_method FROM sessions",
        "SELECT * FROM recovery_codes",
        "SELECT * FROM pending_logins",
    ] {
        let r =
            t.db.query_one_raw(Statement::from_string(backend, gone))
                .await;
        assert!(r.is_err(), "{gone}");
    }
    Migrator::up(&t.db, None).await.unwrap();
    assert_eq!(
        row_of(&t, &first.public_id).await.auth_method,
        sessions::AuthMethod::Password
    );
    t.teardown().await;
}

on_both_backends!(
    last_country_code_migration_goes_both_ways,
    was_this_you_migration_goes_both_ways,
    email_migration_goes_both_ways,
    two_factor_migration_goes_both_ways,
);
