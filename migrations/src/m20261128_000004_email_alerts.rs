//! Email alerts: an optional, verified address per account, single-use
//! verification tokens (stored as SHA-256 only), and the outgoing mail
//! queue that several servers drain together.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            string_len_null(Users::Email, 254),
            big_integer_null(Users::EmailVerifiedAt),
        ];
        crate::columns::add(manager, Users::Table, columns).await?;
        manager
            .create_table(
                Table::create()
                    .table(EmailTokens::Table)
                    .if_not_exists()
                    .col(big_pk_auto(EmailTokens::Id))
                    .col(big_integer(EmailTokens::UserId))
                    .col(string_len_uniq(EmailTokens::TokenHash, 64))
                    .col(string_len(EmailTokens::Email, 254))
                    .col(big_integer(EmailTokens::CreatedAt))
                    .col(big_integer(EmailTokens::ExpiresAt))
                    .col(big_integer_null(EmailTokens::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_email_tokens_user")
                            .from(EmailTokens::Table, EmailTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .if_not_exists()
                    .col(big_pk_auto(MailOutbox::Id))
                    .col(big_integer(MailOutbox::UserId))
                    .col(string_len(MailOutbox::Kind, 32))
                    .col(string_len(MailOutbox::ToAddress, 254))
                    .col(text(MailOutbox::Payload))
                    .col(string_len_null(MailOutbox::DedupeKey, 200))
                    .col(big_integer(MailOutbox::CreatedAt))
                    .col(big_integer(MailOutbox::NextAttemptAt))
                    .col(integer(MailOutbox::Attempts).default(0))
                    .col(big_integer_null(MailOutbox::SentAt))
                    .col(big_integer_null(MailOutbox::FailedAt))
                    .col(string_len_null(MailOutbox::LastError, 500))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mail_outbox_user")
                            .from(MailOutbox::Table, MailOutbox::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for sql in [
            // What the senders claim: unsent, due.
            "CREATE INDEX IF NOT EXISTS idx_mail_outbox_due ON mail_outbox (sent_at, failed_at, next_attempt_at)",
            // "One email per account per window for the same device".
            "CREATE INDEX IF NOT EXISTS idx_mail_outbox_dedupe ON mail_outbox (user_id, dedupe_key, created_at)",
            "CREATE INDEX IF NOT EXISTS idx_email_tokens_user ON email_tokens (user_id)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::columns::drop_table(manager, MailOutbox::Table).await?;
        crate::columns::drop_table(manager, EmailTokens::Table).await?;
        let columns = [Users::Email, Users::EmailVerifiedAt];
        crate::columns::drop(manager, Users::Table, columns).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    Email,
    EmailVerifiedAt,
}

#[derive(DeriveIden)]
enum EmailTokens {
    Table,
    Id,
    UserId,
    TokenHash,
    Email,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    UserId,
    Kind,
    ToAddress,
    Payload,
    DedupeKey,
    CreatedAt,
    NextAttemptAt,
    Attempts,
    SentAt,
    FailedAt,
    LastError,
}
