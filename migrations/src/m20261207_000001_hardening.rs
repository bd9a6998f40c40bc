//! The second hardening: attempt counters every server shares, wrong codes
//! counted per half-done login and per account, failed sign-ins the owner
//! can see, enrolments and new recovery codes bound to the session that
//! asked for them, an email change that waits for its verification, and
//! password-reset links.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            integer(Users::SecondFactorFailures).default(0).to_owned(),
            big_integer_null(Users::SecondFactorFailedAt),
            string_len_null(Users::TotpPendingSession, 32),
            string_len_null(Users::RecoveryRevealSession, 32),
            string_len_null(Users::PendingEmail, 254),
            big_integer_null(Users::FailedSignInAt),
        ];
        crate::columns::add(manager, Users::Table, columns).await?;
        let failures = integer(PendingLogins::Failures).default(0).to_owned();
        crate::columns::add(manager, PendingLogins::Table, [failures]).await?;
        manager
            .create_table(
                Table::create()
                    .table(ThrottleCounters::Table)
                    .if_not_exists()
                    .col(string_len(ThrottleCounters::Key, 96).primary_key())
                    .col(integer(ThrottleCounters::Count))
                    .col(big_integer(ThrottleCounters::WindowStart))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FailedSignIns::Table)
                    .if_not_exists()
                    .col(big_pk_auto(FailedSignIns::Id))
                    .col(big_integer(FailedSignIns::UserId))
                    .col(big_integer(FailedSignIns::Day))
                    .col(string_len(FailedSignIns::Network, 64))
                    .col(string_len(FailedSignIns::Step, 16))
                    .col(integer(FailedSignIns::Count))
                    .col(big_integer(FailedSignIns::FirstAt))
                    .col(big_integer(FailedSignIns::LastAt))
                    .col(string_len(FailedSignIns::LastIp, 64))
                    .col(string_len_null(FailedSignIns::CountryCode, 8))
                    .col(string_len(FailedSignIns::DeviceType, 16))
                    .col(string_len(FailedSignIns::Platform, 64))
                    .col(string_len(FailedSignIns::BrowserName, 64))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_failed_sign_ins_user")
                            .from(FailedSignIns::Table, FailedSignIns::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PasswordResets::Table)
                    .if_not_exists()
                    .col(big_pk_auto(PasswordResets::Id))
                    .col(string_len_uniq(PasswordResets::TokenHash, 64))
                    .col(big_integer(PasswordResets::UserId))
                    .col(big_integer(PasswordResets::CreatedAt))
                    .col(big_integer(PasswordResets::ExpiresAt))
                    .col(big_integer_null(PasswordResets::UsedAt))
                    .col(big_integer(PasswordResets::PasswordChangedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_password_resets_user")
                            .from(PasswordResets::Table, PasswordResets::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for sql in [
            // One row per account, network, day and step: failures add up.
            "CREATE UNIQUE INDEX IF NOT EXISTS idx_failed_sign_ins_key \
             ON failed_sign_ins (user_id, day, network, step)",
            "CREATE INDEX IF NOT EXISTS idx_failed_sign_ins_last ON failed_sign_ins (last_at)",
            "CREATE INDEX IF NOT EXISTS idx_throttle_counters_window ON throttle_counters (window_start)",
            "CREATE INDEX IF NOT EXISTS idx_password_resets_user ON password_resets (user_id)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::columns::drop_table(manager, PasswordResets::Table).await?;
        crate::columns::drop_table(manager, FailedSignIns::Table).await?;
        crate::columns::drop_table(manager, ThrottleCounters::Table).await?;
        crate::columns::drop(manager, PendingLogins::Table, [PendingLogins::Failures]).await?;
        let columns = [
            Users::SecondFactorFailures,
            Users::SecondFactorFailedAt,
            Users::TotpPendingSession,
            Users::RecoveryRevealSession,
            Users::PendingEmail,
            Users::FailedSignInAt,
        ];
        crate::columns::drop(manager, Users::Table, columns).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    SecondFactorFailures,
    SecondFactorFailedAt,
    TotpPendingSession,
    RecoveryRevealSession,
    PendingEmail,
    FailedSignInAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PendingLogins {
    Table,
    Failures,
}

#[derive(DeriveIden, Clone, Copy)]
enum ThrottleCounters {
    Table,
    Key,
    Count,
    WindowStart,
}

#[derive(DeriveIden, Clone, Copy)]
enum FailedSignIns {
    Table,
    Id,
    UserId,
    Day,
    Network,
    Step,
    Count,
    FirstAt,
    LastAt,
    LastIp,
    CountryCode,
    DeviceType,
    Platform,
    BrowserName,
}

#[derive(DeriveIden, Clone, Copy)]
enum PasswordResets {
    Table,
    Id,
    TokenHash,
    UserId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    PasswordChangedAt,
}
