//! Schema migrations, embedded in the binary: one folder per backend with identical names.
//!
//! Both folders must list the same migrations in the same order; a unit test below enforces it,
//! so the two schemas cannot drift apart unnoticed.

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConnection;

pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Applies every pending migration and returns the names of those applied.
pub fn run_pending(connection: &mut DbConnection) -> anyhow::Result<Vec<String>> {
    let applied = match connection {
        DbConnection::Postgresql(pg) => pg.run_pending_migrations(POSTGRES),
        DbConnection::Sqlite(sqlite) => sqlite.run_pending_migrations(SQLITE),
    }
    .map_err(|e| anyhow::anyhow!("applying migrations failed: {e}"))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

#[cfg(test)]
mod tests {
    use diesel::migration::MigrationSource;
    use diesel::{pg::Pg, sqlite::Sqlite};

    use super::*;

    fn folder_names(backend: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| !name.starts_with('.'))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn postgres_and_sqlite_migration_folders_stay_in_lockstep() {
        let postgres = folder_names("postgres");
        assert!(!postgres.is_empty());
        assert_eq!(postgres, folder_names("sqlite"));
    }

    #[test]
    fn both_embedded_sets_hold_the_same_migrations() {
        let pg: Vec<String> = MigrationSource::<Pg>::migrations(&POSTGRES)
            .unwrap()
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        let sqlite: Vec<String> = MigrationSource::<Sqlite>::migrations(&SQLITE)
            .unwrap()
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        assert_eq!(pg, sqlite);
        assert_eq!(pg.len(), folder_names("postgres").len());
    }
}
