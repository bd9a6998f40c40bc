//! `sessions.country_code` holds the country of the *last* IP, beside
//! `login_country_code`: its name now says so.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rename(manager, Sessions::CountryCode, Sessions::LastCountryCode).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rename(manager, Sessions::LastCountryCode, Sessions::CountryCode).await
    }
}

async fn rename(manager: &SchemaManager<'_>, from: Sessions, to: Sessions) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Sessions::Table)
                .rename_column(from, to)
                .to_owned(),
        )
        .await
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    CountryCode,
    LastCountryCode,
}
