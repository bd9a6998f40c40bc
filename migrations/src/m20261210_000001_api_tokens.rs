//! API tokens are sessions too: a scope (what a bearer may do) and an
//! expiry chosen at creation (instead of the idle and absolute timeouts).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::columns::add(
            manager,
            Sessions::Table,
            [
                string_len_null(Sessions::TokenScope, 16),
                big_integer_null(Sessions::ExpiresAt),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::columns::drop(
            manager,
            Sessions::Table,
            [Sessions::TokenScope, Sessions::ExpiresAt],
        )
        .await
    }
}

#[derive(DeriveIden, Clone)]
enum Sessions {
    Table,
    TokenScope,
    ExpiresAt,
}
