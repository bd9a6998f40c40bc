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
    // Back to before the rename (and the migration after it).
    Migrator::down(&t.db, Some(2)).await.unwrap();
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

on_both_backends!(last_country_code_migration_goes_both_ways);
