//! `sea-orm-migration` command line (only built with `--features cli`).

#[tokio::main]
async fn main() {
    sea_orm_migration::cli::run_cli(migration::Migrator).await;
}
