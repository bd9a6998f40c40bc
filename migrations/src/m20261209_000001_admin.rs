//! The admin console: administrators, locked accounts, and the audit log
//! kept in the database.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::columns::add(
            manager,
            Users::Table,
            [
                boolean(Users::IsAdmin).default(false).to_owned(),
                big_integer_null(Users::LockedAt),
            ],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AuditEvents::Id))
                    .col(big_integer(AuditEvents::At))
                    .col(string_len(AuditEvents::Kind, 80))
                    .col(big_integer_null(AuditEvents::UserId))
                    .col(string_len_null(AuditEvents::Username, 64))
                    .col(string_len_null(AuditEvents::Actor, 64))
                    .col(string_len_null(AuditEvents::Ip, 45))
                    .col(string_len_null(AuditEvents::Session, 64))
                    .col(text(AuditEvents::Detail))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_audit_events_at ON audit_events (at)",
        )
        .await?;
        // The filters, each with the pages' order (newest id first).
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_audit_events_user ON audit_events (user_id, id)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_audit_events_kind ON audit_events (kind, id)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::columns::drop_table(manager, AuditEvents::Table).await?;
        crate::columns::drop(manager, Users::Table, [Users::IsAdmin, Users::LockedAt]).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    IsAdmin,
    LockedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditEvents {
    Table,
    Id,
    At,
    Kind,
    UserId,
    Username,
    Actor,
    Ip,
    Session,
    Detail,
}
