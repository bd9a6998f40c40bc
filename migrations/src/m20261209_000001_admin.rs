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
        // A login whose factors were all given, waiting for its person to
        // choose a session to end (MAX_SESSIONS_PER_ACCOUNT).
        crate::columns::add(
            manager,
            PendingLogins::Table,
            [string_len_null(PendingLogins::VerifiedMethod, 16)],
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
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            db.execute_unprepared(TRIGRAM_INDEXES).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "DROP INDEX IF EXISTS idx_users_username_trgm; \
                     DROP INDEX IF EXISTS idx_users_email_trgm",
                )
                .await?;
        }
        crate::columns::drop_table(manager, AuditEvents::Table).await?;
        crate::columns::drop(
            manager,
            PendingLogins::Table,
            [PendingLogins::VerifiedMethod],
        )
        .await?;
        crate::columns::drop(manager, Users::Table, [Users::IsAdmin, Users::LockedAt]).await
    }
}

/// The administrators' account search (part of a username or an email
/// address) through trigram indexes where PostgreSQL has `pg_trgm` (a
/// contrib module, usually there); without it, the search reads the table.
const TRIGRAM_INDEXES: &str = r#"
DO $$
DECLARE trgm_schema text;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'pg_trgm not created (%): the account search reads the table', SQLERRM;
    END;
  END IF;
  SELECT n.nspname INTO trgm_schema FROM pg_extension e
    JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF trgm_schema IS NOT NULL THEN
    EXECUTE format('CREATE INDEX IF NOT EXISTS idx_users_username_trgm ON users USING gin (username_key %I.gin_trgm_ops)', trgm_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS idx_users_email_trgm ON users USING gin (lower(email) %I.gin_trgm_ops)', trgm_schema);
  END IF;
END $$;
"#;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    IsAdmin,
    LockedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PendingLogins {
    Table,
    VerifiedMethod,
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
