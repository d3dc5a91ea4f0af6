//! `traveler backup PATH`: an online, consistent copy of the SQLite database.
//!
//! `VACUUM INTO` reads the database in one read transaction, so in WAL mode it sees one
//! committed state while the server keeps writing, and writes a compact, self-contained
//! file (no `-wal` beside it). PostgreSQL has its own tools: `pg_dump`.

use std::path::Path;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::BoxError;

pub async fn backup(db: &DatabaseConnection, to: &Path) -> Result<(), BoxError> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err("`traveler backup` copies SQLite databases; on PostgreSQL use `pg_dump` (e.g. `pg_dump -Fc -f traveler.dump \"$DATABASE_URL\"`) and `pg_restore`".into());
    }
    if to.exists() {
        return Err(format!("{} exists; backup writes a new file", to.display()).into());
    }
    let tables = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT count(*) AS n FROM sqlite_master WHERE name = 'seaql_migrations'",
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    if tables == 0 {
        return Err("the database has no Traveler schema (is DATABASE_URL right?)".into());
    }
    let path = to.to_str().ok_or("the backup path must be valid UTF-8")?;
    // SQLite takes the file name as an expression, so it can be bound.
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "VACUUM INTO ?",
        [path.into()],
    ))
    .await?;
    Ok(())
}

/// The file a `sqlite:` URL names (`None` for other databases and in-memory ones), so
/// that a backup of a mistyped path does not create an empty database there.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.contains(":memory:")).then(|| path.into())
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn file_of_a_sqlite_url() {
        let f = |u: &str| sqlite_file(u).map(|p| p.display().to_string());
        assert_eq!(
            f("sqlite:///var/lib/t.db?mode=rwc").as_deref(),
            Some("/var/lib/t.db")
        );
        assert_eq!(
            f("sqlite://traveler.db?mode=rwc").as_deref(),
            Some("traveler.db")
        );
        assert_eq!(f("sqlite:traveler.db").as_deref(), Some("traveler.db"));
        assert_eq!(f("sqlite::memory:"), None);
        assert_eq!(f("postgres://u@h/db"), None);
    }
}
