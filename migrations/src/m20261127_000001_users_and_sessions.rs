use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Users::Id))
                    .col(string_len(Users::Username, 64))
                    // Lower-cased username: uniqueness is case-insensitive on every backend.
                    .col(string_len_uniq(Users::UsernameKey, 64))
                    .col(string_len(Users::PasswordHash, 255))
                    // Timestamps are milliseconds since the Unix epoch (UTC) on both backends.
                    .col(big_integer(Users::CreatedAt))
                    .col(big_integer(Users::PasswordChangedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Sessions::Id))
                    .col(string_len_uniq(Sessions::PublicId, 32))
                    .col(string_len_uniq(Sessions::TokenHash, 64))
                    .col(big_integer(Sessions::UserId))
                    .col(big_integer(Sessions::CreatedAt))
                    .col(big_integer(Sessions::LastSeenAt))
                    .col(string_len(Sessions::UserAgent, 512))
                    .col(string_len(Sessions::DeviceType, 16))
                    .col(string_len(Sessions::Platform, 64))
                    .col(string_len(Sessions::BrowserName, 64))
                    .col(string_len(Sessions::BrowserVersion, 32))
                    .col(string_len(Sessions::LoginIp, 45))
                    .col(string_len_null(Sessions::LoginCountryCode, 2))
                    .col(string_len(Sessions::LastIp, 45))
                    .col(string_len_null(Sessions::CountryCode, 2))
                    .col(big_integer(Sessions::PagesVisited).default(0))
                    .col(big_integer_null(Sessions::EndedAt))
                    .col(string_len_null(Sessions::EndReason, 32))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sessions_user")
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        // Partial and composite indexes are written as SQL that SQLite and
        // PostgreSQL both accept: the query builder has no partial indexes.
        let db = manager.get_connection();
        for sql in [
            // Active cards of one user, most recently active first.
            "CREATE INDEX IF NOT EXISTS idx_sessions_active_by_user \
             ON sessions (user_id, last_seen_at) WHERE ended_at IS NULL",
            // History of one user by login time, keyset (created_at, public_id).
            "CREATE INDEX IF NOT EXISTS idx_sessions_history_by_user \
             ON sessions (user_id, created_at, public_id)",
            // Retention pruning.
            "CREATE INDEX IF NOT EXISTS idx_sessions_ended_at \
             ON sessions (ended_at) WHERE ended_at IS NOT NULL",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Sessions::Table).if_exists().to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Users::Table).if_exists().to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    UsernameKey,
    PasswordHash,
    CreatedAt,
    PasswordChangedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    PublicId,
    TokenHash,
    UserId,
    CreatedAt,
    LastSeenAt,
    UserAgent,
    DeviceType,
    Platform,
    BrowserName,
    BrowserVersion,
    LoginIp,
    LoginCountryCode,
    LastIp,
    CountryCode,
    PagesVisited,
    EndedAt,
    EndReason,
}
