//! "Was this you?": marks decided at login, the person's answer, a name,
//! and every place a session was used from.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            boolean(Sessions::NewDevice).default(false).to_owned(),
            boolean(Sessions::NewLocation).default(false).to_owned(),
            boolean(Sessions::LocationChanged).default(false).to_owned(),
            string_len_null(Sessions::Answer, 16),
            string_len_null(Sessions::Name, 240),
            integer(Sessions::PlaceCount).default(1).to_owned(),
        ];
        crate::columns::add(manager, Sessions::Table, columns).await?;
        manager
            .create_table(
                Table::create()
                    .table(SessionPlaces::Table)
                    .if_not_exists()
                    .col(big_pk_auto(SessionPlaces::Id))
                    .col(big_integer(SessionPlaces::SessionId))
                    .col(string_len(SessionPlaces::Ip, 45))
                    .col(string_len_null(SessionPlaces::CountryCode, 2))
                    .col(big_integer(SessionPlaces::FirstSeenAt))
                    .col(big_integer(SessionPlaces::LastSeenAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_session_places_session")
                            .from(SessionPlaces::Table, SessionPlaces::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // Where a session already is: its last address.
        db.execute_unprepared(
            "INSERT INTO session_places (session_id, ip, country_code, first_seen_at, last_seen_at) \
             SELECT id, last_ip, last_country_code, created_at, last_seen_at FROM sessions",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS idx_session_places_session_ip \
             ON session_places (session_id, ip)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::columns::drop_table(manager, SessionPlaces::Table).await?;
        let columns = [
            Sessions::NewDevice,
            Sessions::NewLocation,
            Sessions::LocationChanged,
            Sessions::Answer,
            Sessions::Name,
            Sessions::PlaceCount,
        ];
        crate::columns::drop(manager, Sessions::Table, columns).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    Id,
    NewDevice,
    NewLocation,
    LocationChanged,
    Answer,
    Name,
    PlaceCount,
}

#[derive(DeriveIden)]
enum SessionPlaces {
    Table,
    Id,
    SessionId,
    Ip,
    CountryCode,
    FirstSeenAt,
    LastSeenAt,
}
