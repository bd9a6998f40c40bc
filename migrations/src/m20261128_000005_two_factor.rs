//! Two-factor authentication: an encrypted TOTP secret per account (and
//! one being enrolled), the last time step accepted (replay), recovery
//! codes as keyed hashes, half-done logins waiting for the second factor,
//! and how each session was authenticated.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            string_len_null(Users::TotpSecretEnc, 200),
            string_len_null(Users::TotpPendingEnc, 200),
            big_integer_null(Users::TotpEnabledAt),
            big_integer_null(Users::TotpLastStep),
            string_len_null(Users::RecoveryRevealEnc, 1000),
        ];
        crate::columns::add(manager, Users::Table, columns).await?;
        let method = string_len(Sessions::AuthMethod, 16)
            .default("password")
            .to_owned();
        crate::columns::add(manager, Sessions::Table, [method]).await?;
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .if_not_exists()
                    .col(big_pk_auto(RecoveryCodes::Id))
                    .col(big_integer(RecoveryCodes::UserId))
                    .col(string_len(RecoveryCodes::CodeHash, 64))
                    .col(big_integer(RecoveryCodes::CreatedAt))
                    .col(big_integer_null(RecoveryCodes::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_recovery_codes_user")
                            .from(RecoveryCodes::Table, RecoveryCodes::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PendingLogins::Table)
                    .if_not_exists()
                    .col(big_pk_auto(PendingLogins::Id))
                    .col(string_len_uniq(PendingLogins::TokenHash, 64))
                    .col(big_integer(PendingLogins::UserId))
                    .col(big_integer(PendingLogins::CreatedAt))
                    .col(big_integer(PendingLogins::ExpiresAt))
                    .col(big_integer_null(PendingLogins::UsedAt))
                    .col(big_integer(PendingLogins::PasswordChangedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_pending_logins_user")
                            .from(PendingLogins::Table, PendingLogins::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS idx_recovery_codes_user_hash \
                 ON recovery_codes (user_id, code_hash)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::columns::drop_table(manager, PendingLogins::Table).await?;
        crate::columns::drop_table(manager, RecoveryCodes::Table).await?;
        crate::columns::drop(manager, Sessions::Table, [Sessions::AuthMethod]).await?;
        let columns = [
            Users::TotpSecretEnc,
            Users::TotpPendingEnc,
            Users::TotpEnabledAt,
            Users::TotpLastStep,
            Users::RecoveryRevealEnc,
        ];
        crate::columns::drop(manager, Users::Table, columns).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    TotpSecretEnc,
    TotpPendingEnc,
    TotpEnabledAt,
    TotpLastStep,
    RecoveryRevealEnc,
}

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    AuthMethod,
}

#[derive(DeriveIden, Clone, Copy)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PendingLogins {
    Table,
    Id,
    TokenHash,
    UserId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    PasswordChangedAt,
}
