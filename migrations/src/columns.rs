//! Adding and dropping several columns: one statement each, since SQLite
//! alters one column at a time; and dropping a table the `down` steps made.
use sea_orm_migration::prelude::*;

pub async fn add(
    manager: &SchemaManager<'_>,
    table: impl Iden + Clone + 'static,
    columns: impl IntoIterator<Item = ColumnDef>,
) -> Result<(), DbErr> {
    for mut column in columns {
        let alter = Table::alter()
            .table(table.clone())
            .add_column(&mut column)
            .to_owned();
        manager.alter_table(alter).await?;
    }
    Ok(())
}

pub async fn drop(
    manager: &SchemaManager<'_>,
    table: impl Iden + Clone + 'static,
    columns: impl IntoIterator<Item = impl Iden + 'static>,
) -> Result<(), DbErr> {
    for column in columns {
        let alter = Table::alter()
            .table(table.clone())
            .drop_column(column)
            .to_owned();
        manager.alter_table(alter).await?;
    }
    Ok(())
}

/// Drops `table` if it is there.
pub async fn drop_table(
    manager: &SchemaManager<'_>,
    table: impl Iden + 'static,
) -> Result<(), DbErr> {
    let drop = Table::drop().table(table).if_exists().to_owned();
    manager.drop_table(drop).await
}
