//! Forward authentication: the apps behind the proxy each session used
//! (when, how many pages), and the app a sign-in started from.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::columns::add(
            manager,
            Sessions::Table,
            [string_len_null(Sessions::StartedApp, 60)],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(SessionApps::Table)
                    .if_not_exists()
                    .col(big_pk_auto(SessionApps::Id))
                    .col(big_integer(SessionApps::SessionId))
                    .col(string_len(SessionApps::App, 60))
                    .col(big_integer(SessionApps::FirstSeenAt))
                    .col(big_integer(SessionApps::LastSeenAt))
                    .col(big_integer(SessionApps::Pages).default(0))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_session_apps_session")
                            .from(SessionApps::Table, SessionApps::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS idx_session_apps_session_app \
                 ON session_apps (session_id, app)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::columns::drop_table(manager, SessionApps::Table).await?;
        crate::columns::drop(manager, Sessions::Table, [Sessions::StartedApp]).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    Id,
    StartedApp,
}

#[derive(DeriveIden, Clone, Copy)]
enum SessionApps {
    Table,
    Id,
    SessionId,
    App,
    FirstSeenAt,
    LastSeenAt,
    Pages,
}
